/*
 * pricing.c - the ERP's price quotes: a batch of SKUs in, minor units out.
 */
#include <string.h>

#include "vendors.h"

int bff_vendor_amount(json_t *v, int64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000000000000LL)
        return -1;
    *out = json_integer_value(v);
    return 0;
}

json_t *bff_pricing_request(const char *currency, const char *const *skus, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; ++i)
        json_array_append_new(list, json_string(skus[i]));
    return json_pack("{s:s, s:o}", "currency", currency, "skus", list);
}

const char *bff_pricing_parse(json_t *body, const char *currency, bff_arena_t *arena, bff_quotes_t *out)
{
    memset(out, 0, sizeof(*out));
    const char *cur = json_string_value(json_object_get(body, "currency"));
    json_t *rows = json_object_get(body, "prices");
    if (cur == NULL || !json_is_array(rows))
        return "pricing answered without a currency or a price list";
    if (strcmp(cur, currency) != 0)
        return bff_arena_printf(arena, "pricing answered in %s for a quote in %s", cur, currency);
    out->currency = bff_arena_strdup(arena, cur);
    out->items = bff_arena_calloc(arena, json_array_size(rows) + 1, sizeof(*out->items));
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        bff_quote_t *q = &out->items[out->n];
        const char *sku = json_string_value(json_object_get(row, "sku"));
        json_t *compare = json_object_get(row, "compare_at_minor");
        if (sku == NULL || bff_vendor_amount(json_object_get(row, "amount_minor"), &q->amount) != 0)
            return "pricing answered a price without a SKU or a whole, non-negative amount";
        q->compare_at = -1;
        if (compare != NULL && !json_is_null(compare) && bff_vendor_amount(compare, &q->compare_at) != 0)
            return "pricing answered a list price that is not a whole, non-negative amount";
        q->sku = bff_arena_strdup(arena, sku);
        out->n++;
    }
    return NULL;
}

const bff_quote_t *bff_quotes_find(const bff_quotes_t *q, const char *sku)
{
    for (size_t i = 0; i < q->n; ++i)
        if (strcmp(q->items[i].sku, sku) == 0)
            return &q->items[i];
    return NULL;
}
