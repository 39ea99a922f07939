/*
 * catalog.c - the PIM: products (paged by number, list prices as decimal
 * strings), variants by SKU, collections.
 */
#include "pull.h"
#include "storefront.h"
#include "vendors.h"

#include <stddef.h>
#include <string.h>

#include "money.h"

static const char *map_variant(json_t *v, bff_arena_t *arena, bff_variant_t *out)
{
    memset(out, 0, sizeof(*out));
    out->sku = bff_adapter_str(arena, json_object_get(v, "sku"));
    if (out->sku == NULL)
        return "catalog answered a variant without a SKU";
    out->title = bff_adapter_str(arena, json_object_get(v, "title"));
    if (out->title == NULL)
        out->title = out->sku;
    json_t *options = json_object_get(v, "options");
    out->options = bff_arena_calloc(arena, json_object_size(options) + 1, sizeof(*out->options));
    const char *name;
    json_t *val;
    json_object_foreach(options, name, val)
    {
        if (!json_is_string(val))
            return "catalog answered a variant option that is not text";
        out->options[out->noptions++] = (bff_option_t){bff_arena_strdup(arena, name), bff_adapter_str(arena, val)};
    }
    out->list_price = -1;
    json_t *list = json_object_get(v, "list_price");
    if (json_is_string(list) && bff_money_parse_decimal(json_string_value(list), "EUR", &out->list_price) != 0)
        return "catalog answered a list price that is not an exact EUR amount";
    json_t *weight = json_object_get(v, "weight_grams");
    out->weight_grams = json_is_integer(weight) && json_integer_value(weight) >= 0 ? json_integer_value(weight) : 0;
    out->product_id = bff_adapter_str(arena, json_object_get(v, "product_id"));
    out->product_title = bff_adapter_str(arena, json_object_get(v, "product_title"));
    out->product_handle = bff_adapter_str(arena, json_object_get(v, "product_handle"));
    return NULL;
}

const char *bff_catalog_product(json_t *p, bff_arena_t *arena, bff_product_t *out)
{
    memset(out, 0, sizeof(*out));
    out->id = bff_adapter_str(arena, json_object_get(p, "id"));
    out->handle = bff_adapter_str(arena, json_object_get(p, "handle"));
    out->title = bff_adapter_str(arena, json_object_get(p, "title"));
    out->vendor = bff_adapter_str(arena, json_object_get(p, "vendor"));
    out->created_at = bff_adapter_str(arena, json_object_get(p, "created_at"));
    out->description = bff_adapter_str(arena, json_object_get(p, "description"));
    json_t *variants = json_object_get(p, "variants");
    if (out->id == NULL || out->handle == NULL || out->title == NULL || out->vendor == NULL || out->created_at == NULL ||
        !json_is_array(variants))
        return "catalog answered a product without the expected fields";
    json_t *tags = json_object_get(p, "tags"), *images = json_object_get(p, "images"), *v;
    size_t i;
    out->tags = bff_arena_calloc(arena, json_array_size(tags) + 1, sizeof(*out->tags));
    json_array_foreach(tags, i, v) if (json_is_string(v)) out->tags[out->ntags++] = bff_adapter_str(arena, v);
    out->images = bff_arena_calloc(arena, json_array_size(images) + 1, sizeof(*out->images));
    json_array_foreach(images, i, v)
    {
        const char *src = bff_adapter_str(arena, json_object_get(v, "src"));
        if (src != NULL)
            out->images[out->nimages++] = (bff_image_t){src, bff_adapter_str(arena, json_object_get(v, "alt"))};
    }
    out->variants = bff_arena_calloc(arena, json_array_size(variants) + 1, sizeof(*out->variants));
    json_array_foreach(variants, i, v)
    {
        const char *bad = map_variant(v, arena, &out->variants[out->nvariants]);
        if (bad != NULL)
            return bad;
        out->nvariants++;
    }
    return NULL;
}

const char *bff_catalog_page(json_t *body, bff_arena_t *arena, bff_product_t **items, size_t *n, int64_t *total,
                             size_t *skipped)
{
    json_t *list = json_object_get(body, "items"), *t = json_object_get(body, "total");
    *n = *skipped = 0;
    if (!json_is_array(list) || !json_is_integer(t) || json_integer_value(t) < 0)
        return "catalog answered a page without items or a total";
    *total = json_integer_value(t);
    *items = bff_arena_calloc(arena, json_array_size(list) + 1, sizeof(**items));
    size_t i;
    json_t *p;
    json_array_foreach(list, i, p)
    {
        if (bff_catalog_product(p, arena, &(*items)[*n]) == NULL)
            ++*n;
        else
            ++*skipped;
    }
    return NULL;
}

const char *bff_catalog_collections(json_t *body, bff_arena_t *arena, bff_collection_t **items, size_t *n)
{
    json_t *list = json_object_get(body, "collections");
    *n = 0;
    if (!json_is_array(list))
        return "catalog answered without a collection list";
    *items = bff_arena_calloc(arena, json_array_size(list) + 1, sizeof(**items));
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        bff_collection_t *x = &(*items)[*n];
        x->id = bff_adapter_str(arena, json_object_get(c, "id"));
        x->handle = bff_adapter_str(arena, json_object_get(c, "handle"));
        x->title = bff_adapter_str(arena, json_object_get(c, "title"));
        if (x->id == NULL || x->handle == NULL || x->title == NULL)
            return "catalog answered a collection without an id, handle or title";
        ++*n;
    }
    return NULL;
}

/* One variant of the batch, read from the text: the same checks as map_variant, plus its product. */
static const char *variant_row(bff_json_pull_t *j, bff_arena_t *arena, void *item, void *ctx)
{
    bff_variant_t *out = item;
    const char *k, *list = NULL, *bad_option = NULL;
    size_t kn, cap = 0;
    bool list_is_text = false;
    memset(out, 0, sizeof(*out));
    out->list_price = -1;
    if (bff_json_pull_peek(j) == BFF_JSON_OBJECT && bff_json_pull_object(j)) {
        while (bff_json_pull_key(j, &k, &kn)) {
            if (bff_key_is(k, kn, "sku")) {
                bff_pull_string(j, arena, &out->sku);
            } else if (bff_key_is(k, kn, "title")) {
                bff_pull_string(j, arena, &out->title);
            } else if (bff_key_is(k, kn, "options") && bff_json_pull_peek(j) == BFF_JSON_OBJECT) {
                out->noptions = 0;
                bad_option = NULL;
                bff_json_pull_object(j);
                while (bff_json_pull_key(j, &k, &kn)) {
                    out->options = bff_pull_grow(arena, out->options, out->noptions, &cap, sizeof(*out->options));
                    bff_option_t *o = &out->options[out->noptions];
                    o->name = bff_arena_strndup(arena, k, kn); /* before the value: it may reuse the scratch */
                    bff_pull_string(j, arena, &o->value);
                    if (o->value == NULL)
                        bad_option = "catalog answered a variant option that is not text";
                    else
                        out->noptions++;
                }
            } else if (bff_key_is(k, kn, "list_price")) {
                bff_pull_string(j, arena, &list);
                list_is_text = list != NULL;
            } else if (bff_key_is(k, kn, "weight_grams")) {
                int64_t w;
                out->weight_grams = bff_pull_integer(j, &w) == 1 && w >= 0 ? w : 0;
            } else if (bff_key_is(k, kn, "product_id")) {
                bff_pull_string(j, arena, &out->product_id);
            } else if (bff_key_is(k, kn, "product_title")) {
                bff_pull_string(j, arena, &out->product_title);
            } else if (bff_key_is(k, kn, "product_handle")) {
                bff_pull_string(j, arena, &out->product_handle);
            } else {
                bff_json_pull_skip(j);
            }
        }
    } else {
        bff_json_pull_skip(j);
    }
    if (out->sku == NULL)
        return "catalog answered a variant without a SKU";
    if (out->title == NULL)
        out->title = out->sku;
    if (bad_option != NULL)
        return bad_option;
    if (list_is_text && bff_money_parse_decimal(list, "EUR", &out->list_price) != 0)
        return "catalog answered a list price that is not an exact EUR amount";
    if (out->product_title == NULL || out->product_handle == NULL)
        return "catalog answered a variant without its product";
    return NULL;
}

const char *bff_catalog_variants_parse(const char *text, size_t len, bff_arena_t *arena, bff_variants_t *out)
{
    memset(out, 0, sizeof(*out));
    const char *bad = bff_pull_list(text, len, arena, "catalog", "variants", "catalog answered without a variant list",
                                    sizeof(*out->items), variant_row, NULL, (void **)&out->items, &out->n);
    if (bad != NULL)
        return bad;
    out->index = bff_arena_calloc(arena, 1, sizeof(*out->index));
    bff_key_index_build(out->index, arena, out->items, out->n, sizeof(*out->items), offsetof(bff_variant_t, sku));
    return NULL;
}

const bff_variant_t *bff_variants_find(const bff_variants_t *v, const char *sku)
{
    return v->index != NULL ? bff_key_index_find(v->index, v->items, sizeof(*v->items), offsetof(bff_variant_t, sku), sku)
                            : NULL;
}

const char *bff_catalog_variants_path(bff_arena_t *arena, const char *const *skus, size_t n)
{
    bff_buf_t q = BFF_BUF_INIT;
    bff_buf_appends(&q, BFF_CATALOG_VARIANTS_PATH);
    for (size_t i = 0; i < n; ++i) {
        bff_buf_appends(&q, i > 0 ? "&sku=" : "?sku=");
        bff_buf_appends(&q, bff_vendor_escape(arena, skus[i]));
    }
    return bff_vendor_text(arena, &q);
}

const char *bff_catalog_product_path(bff_arena_t *arena, const char *pid)
{
    return bff_arena_join(arena, BFF_CATALOG_PRODUCTS_PATH "/", NULL, bff_vendor_escape(arena, pid));
}

const char *bff_catalog_handle_path(bff_arena_t *arena, const char *handle)
{
    return bff_arena_join(arena, BFF_CATALOG_PRODUCTS_PATH "?per_page=1&handle=", NULL, bff_vendor_escape(arena, handle));
}

static void query_param(bff_buf_t *q, bff_arena_t *arena, const char *name, const char *value)
{
    if (value == NULL)
        return;
    bff_buf_appendc(q, '&');
    bff_buf_appends(q, name);
    bff_buf_appendc(q, '=');
    bff_buf_appends(q, bff_vendor_escape(arena, value));
}

const char *bff_catalog_listing_path(bff_arena_t *arena, const bff_listing_t *l)
{
    static const char *const sorts[] = {NULL, "id", "title", "price", "created_at"};
    bff_buf_t q = BFF_BUF_INIT;
    bff_buf_appends(&q, BFF_CATALOG_PRODUCTS_PATH "?page=");
    bff_buf_append_int(&q, l->page);
    bff_buf_appends(&q, "&per_page=");
    bff_buf_append_int(&q, l->per_page);
    query_param(&q, arena, "q", l->query);
    query_param(&q, arena, "collection", l->collection);
    query_param(&q, arena, "vendor", l->vendor);
    const int64_t bounds[2] = {l->min_price, l->max_price};
    const char *const names[2] = {"min_price", "max_price"};
    for (int i = 0; i < 2; ++i) {
        if (bounds[i] < 0)
            continue;
        char amount[48];
        bff_money_format(amount, sizeof(amount), bounds[i], "EUR");
        query_param(&q, arena, names[i], amount);
    }
    if (l->in_stock >= 0)
        query_param(&q, arena, "in_stock", l->in_stock ? "true" : "false");
    if (l->sort != BFF_LISTING_SORT_NONE && (size_t)l->sort < sizeof(sorts) / sizeof(sorts[0])) {
        query_param(&q, arena, "sort", sorts[l->sort]);
        query_param(&q, arena, "order", l->descending ? "desc" : "asc");
    }
    return bff_vendor_text(arena, &q);
}

json_t *bff_catalog_page_products(json_t *body, int64_t *total)
{
    *total = json_integer_value(json_object_get(body, "total"));
    json_t *items = json_object_get(body, "items");
    return json_is_array(items) ? items : NULL;
}

json_t *bff_catalog_handle_product(json_t *body)
{
    return json_array_get(json_object_get(body, "items"), 0);
}
