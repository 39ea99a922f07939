/*
 * catalog.c - resolvers of the catalog (PIM): products, listings and
 * search, variants, collections, recommended products (ids from the
 * recommender, products from the catalog), node(id)/nodes(ids). Prices are
 * pricing.c's, stock inventory.c's, ratings and reviews reviews.c's.
 *
 * The catalog's vendor JSON is mapped once, when it arrives, to the canonical
 * shape the schema reads (map_product): field names of the schema, global
 * ids, images as {url, altText}, list prices as Money. Fields that need
 * another provider go through the request's batch loaders (the other
 * files), so a page of 20 products makes one pricing call and one inventory
 * call, not 20 each.
 *
 * Money: providers give decimal strings (catalog) or minor units (ERP); the
 * schema shows decimal strings made from integer minor units (money.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/vendors.h"
#include "adapters/storefront.h"
#include "adapters/money.h"
#include "ids.h"
#include "adapters/gateway.h"
#include "resolvers.h"

#define GID_PRODUCT "gid://bff/Product/"
#define GID_VARIANT "gid://bff/ProductVariant/"

/* ---- mapping vendor JSON to the schema's shape ---- */

/* The schema's ProductVariant for a catalog variant (a Node: its __typename says so). */
static json_t *map_variant(const bff_variant_t *v)
{
    char gid[96];
    json_t *options = json_array();
    for (size_t k = 0; k < v->noptions; ++k) {
        json_t *o = json_object();
        bff_json_set_string(o, "name", v->options[k].name);
        bff_json_set_string(o, "value", v->options[k].value);
        json_array_append_new(options, o);
    }
    json_t *variant = json_object();
    bff_json_set_string(variant, "__typename", "ProductVariant");
    snprintf(gid, sizeof(gid), GID_VARIANT "%s", v->sku);
    bff_json_set_string(variant, "id", gid);
    bff_json_set_string(variant, "sku", v->sku);
    bff_json_set_string(variant, "title", v->title);
    json_object_set_new_nocheck(variant, "selectedOptions", options);
    json_object_set_new_nocheck(variant, "compareAtPrice",
                                v->list_price >= 0 ? bff_money_json(v->list_price, "EUR") : json_null());
    return variant;
}

/* The schema's Product for a catalog product (adapters/catalog.c checks it); NULL when it does not map. */
static json_t *map_product_fresh(json_t *vendor, bff_arena_t *arena)
{
    bff_product_t p;
    if (bff_catalog_product(vendor, arena, &p) != NULL)
        return NULL;
    char gid[96];
    json_t *variants = json_array();
    for (size_t i = 0; i < p.nvariants; ++i) {
        const bff_variant_t *v = &p.variants[i];
        json_array_append_new(variants, map_variant(v));
    }
    json_t *images = json_array();
    for (size_t i = 0; i < p.nimages; ++i) {
        json_t *image = json_object();
        bff_json_set_string(image, "url", p.images[i].src);
        bff_json_set_string(image, "altText", p.images[i].alt);
        json_array_append_new(images, image);
    }
    json_t *tags = json_array();
    for (size_t i = 0; i < p.ntags; ++i)
        json_array_append_new(tags, json_string(p.tags[i]));
    json_t *out = json_object();
    bff_json_set_string(out, "__typename", "Product");
    snprintf(gid, sizeof(gid), GID_PRODUCT "%s", p.id);
    bff_json_set_string(out, "id", gid);
    bff_json_set_string(out, "_pid", p.id);
    bff_json_set_string(out, "handle", p.handle);
    bff_json_set_string(out, "title", p.title);
    bff_json_set_string(out, "description", p.description);
    bff_json_set_string(out, "vendor", p.vendor);
    bff_json_set_string(out, "brand", p.vendor);
    json_object_set_new_nocheck(out, "tags", tags);
    json_object_set_new_nocheck(out, "images", images);
    json_object_set_new_nocheck(out, "variants", variants);
    bff_json_set_string(out, "createdAt", p.created_at);
    return out;
}

/*
 * The mapped Product, kept on the vendor object it came from: a catalog
 * answer served from the worker's cache is mapped once, not on every
 * request. The key cannot come from a provider (answers are parsed as UTF-8,
 * and 0xFF never is), and cached answers are only read within their worker.
 * Mapped products are never modified after this (resolvers read them).
 */
#define MAPPED_KEY "\xff" "mapped"

static json_t *map_product(json_t *vendor, bff_arena_t *arena)
{
    json_t *memo = json_object_get(vendor, MAPPED_KEY);
    if (memo != NULL)
        return json_incref(memo);
    json_t *mapped = map_product_fresh(vendor, arena);
    if (mapped != NULL && json_is_object(vendor))
        json_object_set_nocheck(vendor, MAPPED_KEY, mapped);
    return mapped;
}

/* ---- Query.product ---- */

typedef struct st_product_call_t {
    bff_resolve_t *r;
    bool by_handle;
} product_call_t;

static void on_product(const bff_outcome_t *o, void *arg)
{
    json_t *body = o->body;
    const char *code = o->code;
    const char *message = o->message;
    product_call_t *c = arg;
    bff_resolve_t *r = c->r;
    if (code != NULL) {
        /* a product that does not exist is null, not an error */
        if (o->status == 404)
            bff_resolve_ok(r, bff_value_null());
        else
            bff_resolve_dependency_error(r, code, "catalog", message);
        return;
    }
    json_t *p = c->by_handle ? bff_catalog_handle_product(body) : body;
    if (p == NULL) {
        bff_resolve_ok(r, bff_value_null());
        return;
    }
    json_t *mapped = map_product(p, bff_resolve_arena(r));
    if (mapped == NULL) {
        bff_resolve_dependency_error(r, BFF_CODE_UNAVAILABLE, "catalog", "catalog answered a product without the expected fields");
        return;
    }
    bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), mapped));
}

static void cancel_call(void *arg)
{
    bff_call_t **call = arg;
    if (*call != NULL) {
        bff_call_t *c = *call;
        *call = NULL;
        bff_call_cancel(c);
    }
}

/* A product id: a global id or the catalog's own ("p0001"). NULL when malformed. */
static const char *product_pid(const char *id)
{
    if (strncmp(id, GID_PRODUCT, strlen(GID_PRODUCT)) == 0)
        id += strlen(GID_PRODUCT);
    if (*id == '\0' || strlen(id) > 32)
        return NULL;
    for (const char *c = id; *c; ++c)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-'))
            return NULL;
    return id;
}

static void resolve_product(bff_resolve_t *r, void *unused)
{
    bff_reqctx_t *ctx = bff_ctx_of(r);
    json_t *id = bff_resolve_arg(r, "id"), *handle = bff_resolve_arg(r, "handle");
    bool has_id = json_is_string(id), has_handle = json_is_string(handle);
    if (has_id == has_handle) {
        bff_resolve_error(r, "BAD_USER_INPUT", "Give exactly one of \"id\" and \"handle\".");
        return;
    }
    product_call_t *c = bff_arena_calloc(ctx->arena, 1, sizeof(*c));
    c->r = r;
    c->by_handle = has_handle;
    const char *path;
    if (has_id) {
        const char *pid = product_pid(json_string_value(id));
        if (pid == NULL) {
            bff_resolve_ok(r, bff_value_null());
            return;
        }
        path = bff_catalog_product_path(ctx->arena, pid);
    } else {
        path = bff_catalog_handle_path(ctx->arena, json_string_value(handle));
    }
    bff_call_t **call = bff_arena_calloc(ctx->arena, 1, sizeof(*call));
    *call = bff_provider_get_cached(ctx, BFF_PROVIDER_CATALOG, path, on_product, c);
    bff_resolve_on_cancel(r, cancel_call, call);
}

/* ---- Query.products ---- */

/*
 * A page of a connection is a window [start, end) of the listing (positions
 * from 0; a cursor is its product's position + 1). The catalog serves pages
 * of `size`; a window of at most `size` products spans one page or two,
 * asked side by side. Backward paging without `before` (the last N) first
 * asks one page to learn the total.
 */
typedef struct st_list_call_t {
    bff_resolve_t *r;
    bff_listing_t l;   /* the listing's filters and order; page and per_page set per call */
    long start, end;   /* the window; end < 0: the last `size` products, once the total is known */
    long size;         /* page size of the catalog calls */
    int pending;       /* catalog answers awaited */
    bool failed;
    json_t *pages[2];  /* the answers (owned), in order */
    long page_at[2];   /* position of each answer's first product */
    bff_call_t *calls[2];
} list_call_t;

static void cancel_list(void *arg)
{
    list_call_t *c = arg;
    for (int i = 0; i < 2; ++i)
        if (c->calls[i] != NULL)
            bff_call_cancel(c->calls[i]); /* no-op for a call that ended */
}

static void list_page(list_call_t *c, int slot, long page_index, bff_provider_cb cb);

/* The connection from the window's answers. */
static void list_done(list_call_t *c)
{
    bff_resolve_t *r = c->r;
    int64_t total = 0;
    json_t *edges = json_array();
    long first_pos = -1, last_pos = -1;
    for (int k = 0; k < 2; ++k) {
        if (c->pages[k] == NULL)
            continue;
        json_t *items = bff_catalog_page_products(c->pages[k], &total);
        size_t i;
        json_t *p;
        json_array_foreach(items, i, p)
        {
            long pos = c->page_at[k] + (long)i;
            if (pos < c->start || pos >= c->end)
                continue;
            json_t *mapped = map_product(p, bff_resolve_arena(r));
            if (mapped == NULL)
                continue;
            char cursor[32];
            snprintf(cursor, sizeof(cursor), "%ld", pos + 1);
            json_t *edge = json_object();
            json_object_set_new_nocheck(edge, "cursor", json_string_nocheck(cursor));
            json_object_set_new_nocheck(edge, "node", mapped);
            json_array_append_new(edges, edge);
            if (first_pos < 0)
                first_pos = pos;
            last_pos = pos;
        }
    }
    char cursor[32];
    json_t *page_info = json_object(), *out = json_object();
    long end = c->end < total ? c->end : (long)total;
    json_object_set_new_nocheck(page_info, "hasNextPage", json_boolean(end < total));
    json_object_set_new_nocheck(page_info, "hasPreviousPage", json_boolean(c->start > 0 && total > 0));
    snprintf(cursor, sizeof(cursor), "%ld", first_pos + 1);
    json_object_set_new_nocheck(page_info, "startCursor", first_pos >= 0 ? json_string_nocheck(cursor) : json_null());
    snprintf(cursor, sizeof(cursor), "%ld", last_pos + 1);
    json_object_set_new_nocheck(page_info, "endCursor", last_pos >= 0 ? json_string_nocheck(cursor) : json_null());
    json_object_set_new_nocheck(out, "edges", edges);
    json_object_set_new_nocheck(out, "pageInfo", page_info);
    json_object_set_new_nocheck(out, "totalCount", json_integer((json_int_t)total));
    for (int k = 0; k < 2; ++k)
        json_decref(c->pages[k]);
    bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), out));
}

/* One of the window's pages has answered. */
static void on_window_page(int slot, const bff_outcome_t *o, void *arg)
{
    list_call_t *c = arg;
    c->calls[slot] = NULL;
    if (o->code != NULL && !c->failed) {
        c->failed = true;
        cancel_list(c); /* the other page's answer is not needed */
        for (int k = 0; k < 2; ++k)
            json_decref(c->pages[k]), c->pages[k] = NULL;
        bff_resolve_dependency_error(c->r, o->code, "catalog", o->message);
    } else if (o->code == NULL && !c->failed) {
        c->pages[slot] = json_incref(o->body);
    }
    if (--c->pending == 0 && !c->failed)
        list_done(c);
}

static void on_page0(const bff_outcome_t *o, void *arg)
{
    on_window_page(0, o, arg);
}

static void on_page1(const bff_outcome_t *o, void *arg)
{
    on_window_page(1, o, arg);
}

/* Asks the pages of the window: one, or two when it straddles a page boundary. */
static void list_window(list_call_t *c)
{
    long first_page = c->start / c->size;
    long last_page = c->end > c->start ? (c->end - 1) / c->size : first_page;
    c->pending = last_page > first_page ? 2 : 1;
    list_page(c, 0, first_page, on_page0);
    if (last_page > first_page && !c->failed)
        list_page(c, 1, last_page, on_page1);
}

/* The last `size` products: the probe (the first page) told the total. */
static void on_probe(const bff_outcome_t *o, void *arg)
{
    list_call_t *c = arg;
    c->calls[0] = NULL;
    if (o->code != NULL) {
        bff_resolve_dependency_error(c->r, o->code, "catalog", o->message);
        return;
    }
    int64_t total = 0;
    bff_catalog_page_products(o->body, &total);
    c->end = (long)total;
    c->start = c->end > c->size ? c->end - c->size : 0;
    if (c->start == 0) { /* all of them fit in the first page: the probe is the answer */
        c->pages[0] = json_incref(o->body);
        c->page_at[0] = 0;
        list_done(c);
        return;
    }
    list_window(c);
}

static void list_page(list_call_t *c, int slot, long page_index, bff_provider_cb cb)
{
    bff_reqctx_t *ctx = bff_ctx_of(c->r);
    bff_listing_t l = c->l;
    l.page = page_index + 1;
    l.per_page = c->size;
    c->page_at[slot] = page_index * c->size;
    c->calls[slot] = bff_provider_get_cached(ctx, BFF_PROVIDER_CATALOG, bff_catalog_listing_path(ctx->arena, &l), cb, c);
}

/* A cursor: a product's position + 1 (1 or more); -1 when it is not one. */
static long cursor_value(json_t *v)
{
    if (!json_is_string(v))
        return -1;
    char *end;
    long n = strtol(json_string_value(v), &end, 10);
    return *end == '\0' && end != json_string_value(v) && n >= 0 ? n : -1;
}

/*
 * Price range, availability and order of a listing, into the catalog's
 * listing (adapters/catalog.c writes the query); NULL, or why the arguments
 * are refused.
 */
static const char *listing_filters(bff_listing_t *l, json_t *filter, json_t *sort_key, json_t *reverse)
{
    json_t *price = json_object_get(filter, "price");
    int64_t *bound[2] = {&l->min_price, &l->max_price};
    const char *names[2] = {"min", "max"};
    for (int i = 0; i < 2; ++i) {
        json_t *v = json_object_get(price, names[i]);
        if (!json_is_string(v))
            continue;
        if (bff_money_parse_decimal(json_string_value(v), "EUR", bound[i]) != 0 || *bound[i] < 0)
            return "price: \"min\" and \"max\" are decimal amounts in EUR with at most 2 decimals, e.g. \"19.99\".";
    }
    if (l->min_price >= 0 && l->max_price >= 0 && l->min_price > l->max_price)
        return "price: \"min\" is above \"max\".";
    json_t *available = json_object_get(filter, "available");
    if (json_is_boolean(available))
        l->in_stock = json_is_true(available);
    static const struct {
        const char *key;
        bff_listing_sort_t sort;
    } sorts[] = {{"ID", BFF_LISTING_SORT_ID},
                 {"TITLE", BFF_LISTING_SORT_TITLE},
                 {"PRICE", BFF_LISTING_SORT_PRICE},
                 {"CREATED_AT", BFF_LISTING_SORT_CREATED_AT}};
    const char *key = json_string_value(sort_key);
    for (size_t i = 0; key != NULL && i < sizeof(sorts) / sizeof(sorts[0]); ++i) {
        if (strcmp(key, sorts[i].key) == 0 && (i > 0 || json_is_true(reverse))) { /* by id ascending: the catalog's order */
            l->sort = sorts[i].sort;
            l->descending = json_is_true(reverse);
        }
    }
    return NULL;
}

static void resolve_products(bff_resolve_t *r, void *unused)
{
    bff_reqctx_t *ctx = bff_ctx_of(r);
    json_t *after = bff_resolve_arg(r, "after"), *before = bff_resolve_arg(r, "before"), *last = bff_resolve_arg(r, "last");
    bool backward = json_is_integer(last) || json_is_string(before);
    if (backward && json_is_string(after)) {
        bff_resolve_error(r, "BAD_USER_INPUT", "Page forward (`first`, `after`) or backward (`last`, `before`), not both.");
        return;
    }
    json_int_t size = json_is_integer(last) ? json_integer_value(last) : json_integer_value(bff_resolve_arg(r, "first"));
    if (size < 1 || size > 250) {
        bff_resolve_error(r, "BAD_USER_INPUT", "\"%s\" must be between 1 and 250, got %lld.",
                          json_is_integer(last) ? "last" : "first", (long long)size);
        return;
    }
    list_call_t *c = bff_arena_calloc(ctx->arena, 1, sizeof(*c));
    c->r = r;
    c->size = (long)size;
    if (!backward) { /* the `size` products after `after` (or from the start) */
        long a = json_is_string(after) ? cursor_value(after) : 0;
        if (a < 0) {
            bff_resolve_error(r, "BAD_USER_INPUT", "\"after\" must be a cursor of this connection.");
            return;
        }
        c->start = a;
        c->end = a + c->size;
    } else if (json_is_string(before)) { /* the `size` products before `before` */
        long b = cursor_value(before);
        if (b < 1) {
            bff_resolve_error(r, "BAD_USER_INPUT", "\"before\" must be a cursor of this connection.");
            return;
        }
        c->end = b - 1;
        c->start = c->end > c->size ? c->end - c->size : 0;
    } else { /* the last `size` products: the total first */
        c->end = -1;
    }
    c->l = (bff_listing_t){.min_price = -1, .max_price = -1, .in_stock = -1};
    json_t *search = bff_resolve_arg(r, "query"); /* Query.search */
    if (json_is_string(search)) {
        if (json_string_length(search) == 0 || json_string_length(search) > 64) {
            bff_resolve_error(r, "BAD_USER_INPUT", "\"query\" must be 1-64 characters.");
            return;
        }
        c->l.query = json_string_value(search);
    }
    json_t *filter = bff_resolve_arg(r, "filter");
    c->l.collection = json_string_value(json_object_get(bff_parent_json(r), "_cid")); /* Collection.products */
    if (c->l.collection == NULL)
        c->l.collection = json_string_value(json_object_get(filter, "collection"));
    c->l.vendor = json_string_value(json_object_get(filter, "vendor"));
    const char *bad = listing_filters(&c->l, filter, bff_resolve_arg(r, "sortKey"), bff_resolve_arg(r, "reverse"));
    if (bad != NULL) {
        bff_resolve_error(r, "BAD_USER_INPUT", "%s", bad);
        return;
    }
    bff_resolve_on_cancel(r, cancel_list, c);
    if (c->end < 0) {
        c->pending = 1;
        list_page(c, 0, 0, on_probe);
    } else {
        list_window(c);
    }
}

/* ---- Product.variants(first) ---- */

static void resolve_variants(bff_resolve_t *r, void *unused)
{
    json_t *all = json_object_get(bff_parent_json(r), "variants");
    json_t *first = bff_resolve_arg(r, "first");
    if (json_is_integer(first) && (json_integer_value(first) < 1 || json_integer_value(first) > 250)) {
        bff_resolve_error(r, "BAD_USER_INPUT", "\"first\" must be between 1 and 250.");
        return;
    }
    size_t n = json_array_size(all);
    if (json_is_integer(first) && (size_t)json_integer_value(first) < n)
        n = (size_t)json_integer_value(first);
    json_t *list = json_array();
    for (size_t i = 0; i < n; ++i)
        json_array_append(list, json_array_get(all, i));
    bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), list));
}

/* ---- recommendations: ids from the recommender, products from the catalog ---- */

#define RECS_MAX 20

typedef struct st_recs_t {
    bff_resolve_t *r;
    json_t *products; /* array, filled by position */
    size_t pending;
    bff_call_t *calls[RECS_MAX + 1]; /* in flight: the products', then the recommender's; NULL once ended */
} recs_t;

typedef struct st_recs_item_t {
    recs_t *recs;
    size_t index;
} recs_item_t;

/* The client went away: cancel what is in flight (each callback then finishes its part). */
static void recs_cancel(void *arg)
{
    recs_t *rc = arg;
    bff_call_t *calls[RECS_MAX + 1];
    size_t n = 0;
    for (size_t i = 0; i <= RECS_MAX; ++i) {
        if (rc->calls[i] != NULL)
            calls[n++] = rc->calls[i];
        rc->calls[i] = NULL;
    }
    for (size_t i = 0; i < n; ++i)
        bff_call_cancel(calls[i]); /* the last one may finish the request: rc is not touched after */
}

static void recs_finish(recs_t *rc)
{
    json_t *list = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(rc->products, i, p) if (!json_is_null(p)) json_array_append(list, p);
    json_decref(rc->products);
    bff_resolve_ok(rc->r, bff_value_json(bff_resolve_arena(rc->r), list));
}

static void on_recommended_product(const bff_outcome_t *o, void *arg)
{
    json_t *body = o->body;
    const char *code = o->code;
    recs_item_t *it = arg;
    recs_t *rc = it->recs;
    rc->calls[it->index] = NULL;
    json_t *mapped = body && code == NULL ? map_product(body, bff_resolve_arena(rc->r)) : NULL;
    if (mapped != NULL)
        json_array_set_new(rc->products, it->index, mapped);
    if (--rc->pending == 0)
        recs_finish(rc); /* a product that fails to load is left out; recommendations are best effort */
}

static void on_recs(const bff_recommended_t *recs, const bff_outcome_t *o, void *arg)
{
    recs_t *rc = arg;
    bff_resolve_t *r = rc->r;
    rc->calls[RECS_MAX] = NULL;
    if (recs == NULL) {
        bff_resolve_dependency_error(r, o->code, "recommendations", o->message);
        return;
    }
    bff_reqctx_t *ctx = bff_ctx_of(r);
    const char **ids = recs->ids;
    size_t nids = recs->n;
    json_int_t first = json_integer_value(bff_resolve_arg(r, "first"));
    size_t n = nids < (size_t)first ? nids : (size_t)first;
    rc->products = json_array();
    for (size_t i = 0; i < n; ++i)
        json_array_append_new(rc->products, json_null());
    rc->pending = 1; /* held while the calls start: none can finish the list meanwhile */
    for (size_t i = 0; i < n; ++i) {
        const char *pid = product_pid(ids[i]);
        if (pid == NULL)
            continue; /* a malformed id is left out */
        recs_item_t *it = bff_arena_calloc(ctx->arena, 1, sizeof(*it));
        it->recs = rc;
        it->index = i;
        rc->pending++;
        bff_call_t *call = bff_provider_get_cached(
            ctx, BFF_PROVIDER_CATALOG, bff_catalog_product_path(ctx->arena, pid), on_recommended_product, it);
        if (call != NULL)
            rc->calls[i] = call;
    }
    if (--rc->pending == 0)
        recs_finish(rc);
}

static void resolve_recommendations(bff_resolve_t *r, void *unused)
{
    json_int_t first = json_integer_value(bff_resolve_arg(r, "first"));
    const char *pid = json_string_value(json_object_get(bff_parent_json(r), "_pid"));
    if (first < 1 || first > RECS_MAX) {
        bff_resolve_error(r, "BAD_USER_INPUT", "\"first\" must be between 1 and 20.");
        return;
    }
    if (pid == NULL) {
        bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), json_array()));
        return;
    }
    bff_reqctx_t *ctx = bff_ctx_of(r);
    recs_t *rc = bff_arena_calloc(ctx->arena, 1, sizeof(*rc));
    rc->r = r;
    rc->calls[RECS_MAX] = bff_gw_recommendations(&ctx->scope, pid, (long long)first, on_recs, rc);
    bff_resolve_on_cancel(r, recs_cancel, rc);
}

/* ---- collections ---- */

#define GID_COLLECTION "gid://bff/Collection/"

static json_t *map_collection(const bff_collection_t *c)
{
    char gid[96];
    snprintf(gid, sizeof(gid), GID_COLLECTION "%s", c->id);
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "__typename", "Collection", "id", gid, "_cid", c->id, "handle",
                     c->handle, "title", c->title);
}

typedef struct st_collections_call_t {
    bff_resolve_t *r;
    const char *only; /* collection(id:): the one wanted; NULL: all */
} collections_call_t;

static void on_collections(const bff_outcome_t *o, void *arg)
{
    json_t *body = o->body;
    const char *code = o->code;
    const char *message = o->message;
    collections_call_t *c = arg;
    if (code != NULL) {
        bff_resolve_dependency_error(c->r, code, "catalog", message);
        return;
    }
    bff_collection_t *cols;
    size_t n;
    const char *bad = bff_catalog_collections(body, bff_resolve_arena(c->r), &cols, &n);
    if (bad != NULL) {
        bff_resolve_dependency_error(c->r, BFF_CODE_UNAVAILABLE, "catalog", bad);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; ++i)
        if (c->only == NULL || strcmp(cols[i].id, c->only) == 0)
            json_array_append_new(list, map_collection(&cols[i]));
    if (c->only != NULL) {
        json_t *one = json_array_get(list, 0);
        bff_resolve_ok(c->r, one ? bff_value_json(bff_resolve_arena(c->r), json_incref(one)) : bff_value_null());
        json_decref(list);
        return;
    }
    bff_resolve_ok(c->r, bff_value_json(bff_resolve_arena(c->r), list));
}

static void fetch_collections(bff_resolve_t *r, const char *only)
{
    bff_reqctx_t *ctx = bff_ctx_of(r);
    collections_call_t *c = bff_arena_calloc(ctx->arena, 1, sizeof(*c));
    c->r = r;
    c->only = only ? bff_arena_strdup(ctx->arena, only) : NULL;
    bff_provider_get_cached(ctx, BFF_PROVIDER_CATALOG, BFF_CATALOG_COLLECTIONS_PATH, on_collections, c);
}

static void resolve_collections(bff_resolve_t *r, void *unused)
{
    fetch_collections(r, NULL);
}

static void resolve_collection(bff_resolve_t *r, void *unused)
{
    const char *id = json_string_value(bff_resolve_arg(r, "id"));
    if (strncmp(id, GID_COLLECTION, strlen(GID_COLLECTION)) == 0)
        id += strlen(GID_COLLECTION);
    fetch_collections(r, id);
}

/* ---- single objects by id, and node(id) / nodes(ids) ---- */

void bff_complete_json(const bff_outcome_t *o, void *arg)
{
    bff_resolve_t *r = arg;
    if (o->code != NULL && o->provider != NULL)
        bff_resolve_dependency_error(r, o->code, o->provider, o->message);
    else if (o->code != NULL)
        bff_resolve_error(r, o->code, "%s", o->message);
    else
        bff_resolve_ok(r, o->body ? bff_value_json(bff_resolve_arena(r), json_incref(o->body)) : bff_value_null());
}

typedef struct st_load_call_t {
    bff_json_cb cb;
    void *arg;
    const char *only;
    bff_arena_t *arena;
} load_call_t;

static void on_product_loaded(const bff_outcome_t *o, void *arg)
{
    load_call_t *c = arg;
    if (o->status == 404) { /* no such product */
        c->cb(BFF_OUTCOME_VALUE(NULL), c->arg);
        return;
    }
    if (o->code != NULL) {
        c->cb(o, c->arg);
        return;
    }
    json_t *mapped = map_product(o->body, c->arena);
    if (mapped == NULL) {
        c->cb(BFF_OUTCOME_MALFORMED("catalog", "catalog answered a product without the expected fields"), c->arg);
        return;
    }
    c->cb(BFF_OUTCOME_VALUE(mapped), c->arg);
    json_decref(mapped);
}

void bff_product_load(bff_reqctx_t *ctx, const char *pid, bff_json_cb cb, void *arg)
{
    load_call_t *c = bff_arena_calloc(ctx->arena, 1, sizeof(*c));
    c->cb = cb;
    c->arg = arg;
    c->arena = ctx->arena;
    bff_provider_get_cached(ctx, BFF_PROVIDER_CATALOG, bff_catalog_product_path(ctx->arena, pid),
                      on_product_loaded, c);
}

static void on_collection_loaded(const bff_outcome_t *o, void *arg)
{
    load_call_t *c = arg;
    if (o->code != NULL) {
        c->cb(o, c->arg);
        return;
    }
    bff_collection_t *cols;
    size_t n;
    const char *bad = bff_catalog_collections(o->body, c->arena, &cols, &n);
    if (bad != NULL) {
        c->cb(BFF_OUTCOME_MALFORMED("catalog", bad), c->arg);
        return;
    }
    for (size_t i = 0; i < n; ++i) {
        if (strcmp(cols[i].id, c->only) == 0) {
            json_t *mapped = map_collection(&cols[i]);
            c->cb(BFF_OUTCOME_VALUE(mapped), c->arg);
            json_decref(mapped);
            return;
        }
    }
    c->cb(BFF_OUTCOME_VALUE(NULL), c->arg);
}

void bff_collection_load(bff_reqctx_t *ctx, const char *cid, bff_json_cb cb, void *arg)
{
    load_call_t *c = bff_arena_calloc(ctx->arena, 1, sizeof(*c));
    c->cb = cb;
    c->arg = arg;
    c->only = bff_arena_strdup(ctx->arena, cid);
    c->arena = ctx->arena;
    bff_provider_get_cached(ctx, BFF_PROVIDER_CATALOG, BFF_CATALOG_COLLECTIONS_PATH, on_collection_loaded, c);
}

json_t *bff_shop_json(const char *name, const char *currency)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "__typename", "Shop", "id", BFF_SHOP_GID, "name", name, "currencyCode",
                     currency, "currency", currency);
}

/* A variant by SKU (node(id:) of a ProductVariant): the catalog's variants lookup, one SKU. */
typedef struct st_variant_call_t {
    bff_json_cb cb;
    void *arg;
    const char *sku;
} variant_call_t;

static void on_variant(const bff_variants_t *vs, const bff_outcome_t *o, void *arg)
{
    variant_call_t *c = arg;
    if (vs == NULL) {
        c->cb(o, c->arg);
        return;
    }
    const bff_variant_t *v = bff_variants_find(vs, c->sku);
    json_t *mapped = v != NULL ? map_variant(v) : NULL; /* an unknown SKU: null, as for any missing node */
    c->cb(BFF_OUTCOME_VALUE(mapped), c->arg);
    json_decref(mapped);
}

static void variant_load(bff_reqctx_t *ctx, const char *sku, bff_json_cb cb, void *arg)
{
    variant_call_t *c = bff_arena_calloc(ctx->arena, 1, sizeof(*c));
    c->cb = cb;
    c->arg = arg;
    c->sku = bff_arena_strdup(ctx->arena, sku);
    const char *skus[] = {c->sku};
    bff_gw_catalog_variants(&ctx->scope, skus, 1, on_variant, c);
}

/*
 * Loads any object by global id; unknown kinds and malformed ids are null, and
 * so is an object of a type the caller may not read (`r`'s authorization):
 * its provider is not called, and whether it exists is not told.
 */
static void node_load(bff_resolve_t *r, bff_reqctx_t *ctx, const char *id, bff_json_cb cb, void *arg)
{
    if (strncmp(id, GID_PRODUCT, strlen(GID_PRODUCT)) == 0) {
        const char *pid = product_pid(id);
        if (pid != NULL) {
            bff_product_load(ctx, pid, cb, arg);
            return;
        }
    } else if (strncmp(id, GID_COLLECTION, strlen(GID_COLLECTION)) == 0) {
        bff_collection_load(ctx, id + strlen(GID_COLLECTION), cb, arg);
        return;
    } else if (strncmp(id, GID_VARIANT, strlen(GID_VARIANT)) == 0 && id[strlen(GID_VARIANT)] != '\0') {
        variant_load(ctx, id + strlen(GID_VARIANT), cb, arg);
        return;
    } else if (strcmp(id, BFF_SHOP_GID) == 0 && ctx->shop_name != NULL) {
        json_t *shop = bff_shop_json(ctx->shop_name, ctx->shop_currency);
        cb(BFF_OUTCOME_VALUE(shop), arg);
        json_decref(shop);
        return;
    } else if (strncmp(id, "gid://bff/Order/", 16) == 0) {
        const char *oid = bff_resolve_may_read(r, "Order") ? bff_id_open(ctx, "Order", id) : NULL;
        if (oid != NULL)
            bff_order_load(ctx, oid, cb, arg);
        else
            cb(BFF_OUTCOME_VALUE(NULL), arg); /* not the caller's to read, or no key: no such order, no call */
        return;
    }
    cb(BFF_OUTCOME_VALUE(NULL), arg);
}

static void resolve_node(bff_resolve_t *r, void *unused)
{
    node_load(r, bff_ctx_of(r), json_string_value(bff_resolve_arg(r, "id")), bff_complete_json, r);
}

typedef struct st_nodes_call_t {
    bff_resolve_t *r;
    json_t *items;
    size_t pending;
} nodes_call_t;

typedef struct st_nodes_item_t {
    nodes_call_t *call;
    size_t index;
} nodes_item_t;

static void on_node_item(const bff_outcome_t *o, void *arg)
{
    json_t *value = o->body;
    nodes_item_t *it = arg;
    nodes_call_t *c = it->call;
    if (value != NULL)
        json_array_set(c->items, it->index, value);
    /* a node that fails to load is null in the list, as a missing one is */
    if (--c->pending == 0) {
        json_t *items = c->items;
        bff_resolve_ok(c->r, bff_value_json(bff_resolve_arena(c->r), items));
    }
}

static void resolve_nodes(bff_resolve_t *r, void *unused)
{
    json_t *ids = bff_resolve_arg(r, "ids");
    size_t n = json_array_size(ids);
    if (n > 50) {
        bff_resolve_error(r, "BAD_USER_INPUT", "At most 50 ids at a time, got %zu.", n);
        return;
    }
    bff_reqctx_t *ctx = bff_ctx_of(r);
    nodes_call_t *c = bff_arena_calloc(ctx->arena, 1, sizeof(*c));
    c->r = r;
    c->items = json_array();
    for (size_t i = 0; i < n; ++i)
        json_array_append_new(c->items, json_null());
    if (n == 0) {
        bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), c->items));
        return;
    }
    c->pending = n;
    for (size_t i = 0; i < n; ++i) {
        nodes_item_t *it = bff_arena_calloc(ctx->arena, 1, sizeof(*it));
        it->call = c;
        it->index = i;
        node_load(r, ctx, json_string_value(json_array_get(ids, i)), on_node_item, it);
    }
}

const bff_resolver_entry_t bff_catalog_resolvers[] = {
    {"Query", "node", resolve_node},
    {"Query", "nodes", resolve_nodes},
    {"Query", "collections", resolve_collections},
    {"Query", "collection", resolve_collection},
    {"Collection", "products", resolve_products},
    {"Query", "product", resolve_product},
    {"Query", "products", resolve_products},
    {"Query", "search", resolve_products},
    {"Product", "recommendations", resolve_recommendations},
    {"Product", "variants", resolve_variants},
    {NULL, NULL, NULL},
};

const bff_resolver_defaults_t bff_catalog_defaults[] = {
    {"Product", "id handle title description vendor tags images createdAt brand"}, /* map_product */
    {"ProductVariant", "id sku title selectedOptions compareAtPrice"},
    {"Image", "url altText"},
    {"SelectedOption", "name value"},
    {"Collection", "id handle title"}, /* map_collection */
    {"ProductConnection", "edges pageInfo totalCount"}, /* on_products */
    {"ProductEdge", "cursor node"},
    {"PageInfo", "hasNextPage hasPreviousPage startCursor endCursor"},
    {NULL, NULL},
};
