/*
 * pricing.c - the ERP's price quotes: a batch of SKUs in, minor units out.
 */
#include <stddef.h>
#include <string.h>

#include "pull.h"
#include "vendors.h"

int bff_vendor_amount(json_t *v, int64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > BFF_VENDOR_AMOUNT_MAX)
        return -1;
    *out = json_integer_value(v);
    return 0;
}

const char *bff_pricing_request(bff_arena_t *arena, const char *currency, const char *const *skus, size_t n)
{
    bff_buf_t b = BFF_BUF_INIT;
    bff_buf_appends(&b, "{\"currency\":");
    bff_vendor_write_string(&b, currency);
    bff_buf_appends(&b, ",\"skus\":[");
    for (size_t i = 0; i < n; ++i) {
        if (i > 0)
            bff_buf_appendc(&b, ',');
        bff_vendor_write_string(&b, skus[i]);
    }
    bff_buf_appends(&b, "]}");
    return bff_vendor_text(arena, &b);
}

/* One row of "prices": its reason when it is refused. */
static const char *price_row(bff_json_pull_t *j, bff_arena_t *arena, void *item, void *ctx)
{
    bff_quote_t *q = item;
    int sku = 0, amount = 0, compare = 0;
    const bff_pull_field_t fields[] = {{"sku", BFF_PULL_STRING, &q->sku, &sku},
                                       {"amount_minor", BFF_PULL_AMOUNT, &q->amount, &amount},
                                       {"compare_at_minor", BFF_PULL_AMOUNT, &q->compare_at, &compare}};
    bff_pull_fields(j, arena, fields, sizeof(fields) / sizeof(fields[0]));
    if (sku != BFF_PULL_READ || amount != BFF_PULL_READ)
        return "pricing answered a price without a SKU or a whole, non-negative amount";
    if (compare == BFF_PULL_OTHER)
        return "pricing answered a list price that is not a whole, non-negative amount";
    if (compare != BFF_PULL_READ) /* absent or null: none */
        q->compare_at = -1;
    return NULL;
}

/* The answer's "currency" (the last of duplicates; NULL when it is not a string). */
static bool price_member(bff_json_pull_t *j, bff_arena_t *arena, const char *key, size_t len, void *currency)
{
    if (!bff_key_is(key, len, "currency"))
        return bff_json_pull_skip(j);
    return bff_pull_string(j, arena, currency);
}

const char *bff_pricing_parse(const char *text, size_t len, const char *currency, bff_arena_t *arena, bff_quotes_t *out)
{
    memset(out, 0, sizeof(*out));
    const char *cur = NULL, *bad_row;
    bool listed;
    const char *broken = bff_pull_walk(text, len, arena, "pricing", "prices", sizeof(*out->items), price_row, NULL,
                                       price_member, &cur, (void **)&out->items, &out->n, &listed, &bad_row);
    if (broken != NULL)
        return broken;
    if (cur == NULL || !listed)
        return "pricing answered without a currency or a price list";
    if (strcmp(cur, currency) != 0)
        return bff_arena_printf(arena, "pricing answered in %s for a quote in %s", cur, currency);
    if (bad_row != NULL)
        return bad_row;
    out->currency = cur;
    /* an index by SKU: a listing looks up each of its 40-odd variants (comparing every pair was 1,800 strcmp) */
    out->index = bff_arena_calloc(arena, 1, sizeof(*out->index));
    bff_key_index_build(out->index, arena, out->items, out->n, sizeof(*out->items), offsetof(bff_quote_t, sku));
    return NULL;
}

const bff_quote_t *bff_quotes_find(const bff_quotes_t *q, const char *sku)
{
    if (q->index != NULL)
        return bff_key_index_find(q->index, q->items, sizeof(*q->items), offsetof(bff_quote_t, sku), sku);
    for (size_t i = 0; i < q->n; ++i)
        if (strcmp(q->items[i].sku, sku) == 0)
            return &q->items[i];
    return NULL;
}
