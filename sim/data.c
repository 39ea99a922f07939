/*
 * data.c - deterministic catalog generation for the simulator. A xorshift
 * generator with a fixed seed picks names, vendors, collections, variants,
 * prices, stock and reviews; ids are positional ("p0001", "SKU-0001-2"), so
 * lookups by id and sku are arithmetic, not searches.
 */
#include "data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

static int pick(uint64_t *s, int n)
{
    return (int)(next(s) % (uint64_t)n);
}

static const char *const adjectives[] = {"Alpine", "Coastal", "Urban", "Classic", "Merino", "Linen", "Organic",
                                         "Rugged", "Featherlight", "Heritage", "Midnight", "Sunset", "Nordic",
                                         "Vintage", "Everyday", "Summit"};
static const char *const nouns[] = {"Sweater", "Jacket", "Tee", "Hoodie", "Backpack", "Sneaker", "Scarf", "Beanie",
                                    "Chino", "Parka", "Tote", "Boot", "Cardigan", "Shirt", "Vest", "Cap"};
static const char *const vendors[] = {"Northwind", "Fjordline", "Atelier Nine", "Blue Harbor", "Kestrel & Co",
                                      "Oakmoss", "Redline", "Tidewater", "Granite Goods", "Lumen",
                                      "Saltmarsh", "Wildpine"};
static const char *const sizes[] = {"XS", "S", "M", "L", "XL"};
static const char *const colors[] = {"Black", "Navy", "Olive", "Sand", "Rust", "Grey", "White", "Forest"};
static const char *const collection_names[] = {
    "New Arrivals", "Bestsellers", "Outerwear", "Knitwear",  "Basics",       "Accessories", "Footwear",
    "Travel",       "Sale",        "Winter",    "Summer",    "Sustainable",  "Workwear",    "Weekend",
    "Layering",     "Rain Ready",  "Gifts",     "Essentials", "Limited Edition", "Trail"};
static const char *const review_titles[] = {"Love it", "Good value", "Runs small", "Great quality", "As described",
                                            "Not for me", "Would buy again", "Fast shipping"};
static const char *const authors[] = {"Ana", "Ben", "Chiara", "Dmitri", "Emma", "Farid", "Greta", "Hiro"};
static const char *const tag_words[] = {"new", "eco", "bestseller", "limited", "gift", "sale"};

#define COUNT(a) (int)(sizeof(a) / sizeof((a)[0]))

static void slug(char *out, size_t n, const char *title, int index)
{
    size_t k = 0;
    for (const char *c = title; *c && k + 6 < n; ++c) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9'))
            out[k++] = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
        else if (k > 0 && out[k - 1] != '-')
            out[k++] = '-';
    }
    snprintf(out + k, n - k, "%s%d", k > 0 && out[k - 1] == '-' ? "" : "-", index);
}

void sim_data_generate(sim_data_t *d)
{
    memset(d, 0, sizeof(*d));
    uint64_t s = 0x5EED5EED12345678ull;
    d->locations[0] = "berlin";
    d->locations[1] = "paris";
    d->locations[2] = "new-york";
    for (int c = 0; c < SIM_COLLECTIONS; ++c) {
        sim_collection_t *col = &d->collections[c];
        snprintf(col->id, sizeof(col->id), "c%02d", c + 1);
        snprintf(col->title, sizeof(col->title), "%s", collection_names[c]);
        slug(col->handle, sizeof(col->handle), col->title, c + 1);
    }
    for (int i = 0; i < SIM_PRODUCTS; ++i) {
        sim_product_t *p = &d->products[i];
        snprintf(p->id, sizeof(p->id), "p%04d", i + 1);
        snprintf(p->title, sizeof(p->title), "%s %s", adjectives[pick(&s, COUNT(adjectives))],
                 nouns[pick(&s, COUNT(nouns))]);
        slug(p->handle, sizeof(p->handle), p->title, i + 1);
        snprintf(p->vendor, sizeof(p->vendor), "%s", vendors[pick(&s, COUNT(vendors))]);
        char title[sizeof(p->title)], vendor[sizeof(p->vendor)]; /* copies: the format reads them while writing p */
        memcpy(title, p->title, sizeof(title));
        memcpy(vendor, p->vendor, sizeof(vendor));
        snprintf(p->description, sizeof(p->description),
                 "The %s by %s: made to last, easy to care for, and cut for everyday wear.", title, vendor);
        int month = 1 + pick(&s, 12), day = 1 + pick(&s, 28);
        snprintf(p->created_at, sizeof(p->created_at), "2024-%02d-%02dT10:00:00Z", month % 100, day % 100);
        p->ncollections = 1 + pick(&s, 3);
        for (int k = 0; k < p->ncollections; ++k)
            p->collections[k] = (i + k * 7) % SIM_COLLECTIONS;
        p->ntags = pick(&s, 3);
        for (int k = 0; k < p->ntags; ++k)
            snprintf(p->tags[k], sizeof(p->tags[k]), "%s", tag_words[(i + k) % COUNT(tag_words)]);
        int64_t base = 1990 + 100 * pick(&s, 180); /* 19.90 .. 198.90 EUR */
        p->nvariants = 1 + pick(&s, SIM_MAX_VARIANTS);
        int color = pick(&s, COUNT(colors));
        for (int v = 0; v < p->nvariants; ++v) {
            sim_variant_t *var = &p->variants[v];
            snprintf(var->sku, sizeof(var->sku), "SKU-%04d-%d", i + 1, v + 1);
            snprintf(var->size, sizeof(var->size), "%s", sizes[(v + 1) % COUNT(sizes)]);
            snprintf(var->color, sizeof(var->color), "%s", colors[(color + v / 2) % COUNT(colors)]);
            char size[sizeof(var->size)], color_name[sizeof(var->color)];
            memcpy(size, var->size, sizeof(size));
            memcpy(color_name, var->color, sizeof(color_name));
            snprintf(var->title, sizeof(var->title), "%s / %s", size, color_name);
            var->price_eur_minor = base + 500 * (v == 3);
            /* USD at a fixed 1.08, rounded half up to the cent, then to .x9 price points */
            int64_t usd = (var->price_eur_minor * 108 + 50) / 100;
            var->price_usd_minor = usd - usd % 10 + 9;
            var->compare_at_eur_minor = pick(&s, 4) == 0 ? var->price_eur_minor + 1000 : 0;
            for (int l = 0; l < SIM_LOCATIONS; ++l)
                var->stock[l] = pick(&s, 5) == 0 ? 0 : pick(&s, 40);
            var->weight_g = 200 + 50 * pick(&s, 30);
        }
        p->nreviews = pick(&s, SIM_MAX_REVIEWS + 1);
        for (int r = 0; r < p->nreviews; ++r) {
            sim_review_t *rv = &p->reviews[r];
            rv->rating = 1 + (int)(next(&s) % 5 < 3 ? 4 + pick(&s, 2) - 1 : pick(&s, 5));
            if (rv->rating > 5)
                rv->rating = 5;
            snprintf(rv->title, sizeof(rv->title), "%s", review_titles[pick(&s, COUNT(review_titles))]);
            snprintf(rv->author, sizeof(rv->author), "%s", authors[pick(&s, COUNT(authors))]);
        }
    }
}

static int index_of_id(const char *id, char prefix, int max)
{
    if (id == NULL || id[0] != prefix)
        return -1;
    char *end;
    long n = strtol(id + 1, &end, 10);
    if (*end != '\0' || n < 1 || n > max)
        return -1;
    return (int)n - 1;
}

const sim_product_t *sim_product_by_id(const sim_data_t *d, const char *id)
{
    int i = index_of_id(id, 'p', SIM_PRODUCTS);
    return i < 0 ? NULL : &d->products[i];
}

const sim_product_t *sim_product_by_handle(const sim_data_t *d, const char *handle)
{
    for (int i = 0; i < SIM_PRODUCTS; ++i)
        if (strcmp(d->products[i].handle, handle) == 0)
            return &d->products[i];
    return NULL;
}

const sim_variant_t *sim_variant_by_sku(const sim_data_t *d, const char *sku, const sim_product_t **product)
{
    int p, v;
    char tail;
    if (sku == NULL || sscanf(sku, "SKU-%4d-%d%c", &p, &v, &tail) != 2 || p < 1 || p > SIM_PRODUCTS || v < 1)
        return NULL;
    const sim_product_t *prod = &d->products[p - 1];
    if (v > prod->nvariants || strcmp(prod->variants[v - 1].sku, sku) != 0)
        return NULL;
    if (product)
        *product = prod;
    return &prod->variants[v - 1];
}

void sim_recommendations(const sim_data_t *d, int product_index, int n, int *out)
{
    for (int k = 0; k < n; ++k)
        out[k] = (product_index * 7 + 13 * (k + 1)) % SIM_PRODUCTS;
}
