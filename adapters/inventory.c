/*
 * inventory.c - stock levels per SKU and location.
 */
#include <string.h>

#include "graphql/buf.h"
#include "vendors.h"

const char *bff_inventory_path(bff_arena_t *arena, const char *const *skus, size_t n)
{
    bff_buf_t q = BFF_BUF_INIT;
    bff_buf_appends(&q, "/inventory/levels?");
    for (size_t i = 0; i < n; ++i) {
        bff_buf_appends(&q, i > 0 ? "&sku=" : "sku=");
        bff_buf_appends(&q, bff_vendor_escape(arena, skus[i]));
    }
    const char *path = bff_arena_strndup(arena, q.data, q.len);
    bff_buf_free(&q);
    return path;
}

const char *bff_inventory_parse(json_t *body, bff_arena_t *arena, bff_levels_t *out)
{
    memset(out, 0, sizeof(*out));
    json_t *rows = json_object_get(body, "levels");
    if (!json_is_array(rows))
        return "inventory answered without stock levels";
    out->items = bff_arena_calloc(arena, json_array_size(rows) + 1, sizeof(*out->items));
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        bff_level_t *l = &out->items[out->n];
        const char *sku = json_string_value(json_object_get(row, "sku"));
        const char *location = json_string_value(json_object_get(row, "location"));
        json_t *available = json_object_get(row, "available");
        if (sku == NULL || location == NULL || !json_is_integer(available) || json_integer_value(available) < -1000000000 ||
            json_integer_value(available) > 1000000000)
            return "inventory answered a level without a SKU, a location or a whole number of units";
        l->sku = bff_arena_strdup(arena, sku);
        l->location = bff_arena_strdup(arena, location);
        l->available = json_integer_value(available);
        out->n++;
    }
    return NULL;
}
