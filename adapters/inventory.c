/*
 * inventory.c - stock levels per SKU and location.
 */
#include <string.h>

#include "base/buf.h"
#include "pull.h"
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

static const char *level_row(bff_json_pull_t *j, bff_arena_t *arena, void *item, void *ctx)
{
    bff_level_t *l = item;
    int sku = 0, location = 0, units = 0;
    const bff_pull_field_t fields[] = {{"sku", BFF_PULL_STRING, &l->sku, &sku},
                                       {"location", BFF_PULL_STRING, &l->location, &location},
                                       {"available", BFF_PULL_INTEGER, &l->available, &units}};
    bff_pull_fields(j, arena, fields, sizeof(fields) / sizeof(fields[0]));
    if (sku != BFF_PULL_READ || location != BFF_PULL_READ || units != BFF_PULL_READ || l->available < -1000000000 ||
        l->available > 1000000000)
        return "inventory answered a level without a SKU, a location or a whole number of units";
    return NULL;
}

const char *bff_inventory_parse(const char *text, size_t len, bff_arena_t *arena, bff_levels_t *out)
{
    memset(out, 0, sizeof(*out));
    return bff_pull_list(text, len, arena, "inventory", "levels", "inventory answered without stock levels",
                         sizeof(*out->items), level_row, NULL, (void **)&out->items, &out->n);
}
