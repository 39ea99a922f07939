/*
 * promotions.c - the promotions engine's evaluation of a cart's codes.
 */
#include <string.h>

#include "pull.h"
#include "vendors.h"

const char *bff_promotions_request(bff_arena_t *arena, const char *currency, int64_t subtotal, json_t *codes)
{
    bff_buf_t b = BFF_BUF_INIT;
    bff_buf_appends(&b, "{\"currency\":");
    bff_vendor_write_string(&b, currency);
    bff_buf_appends(&b, ",\"subtotal_minor\":");
    bff_buf_append_int(&b, subtotal);
    bff_buf_appends(&b, ",\"codes\":");
    bff_vendor_write_json(&b, codes);
    bff_buf_appendc(&b, '}');
    return bff_vendor_text(arena, &b);
}

static const char *discount_row(bff_json_pull_t *j, bff_arena_t *arena, void *item, void *ctx)
{
    bff_discount_t *x = item;
    int amount = 0;
    const bff_pull_field_t fields[] = {{"amount_minor", BFF_PULL_AMOUNT, &x->amount, &amount},
                                       {"code", BFF_PULL_STRING, &x->code, NULL}};
    bff_pull_fields(j, arena, fields, sizeof(fields) / sizeof(fields[0]));
    if (amount != BFF_PULL_READ)
        return "promotions answered a discount that is not a whole, non-negative amount";
    if (x->code == NULL)
        x->code = "";
    return NULL;
}

const char *bff_promotions_parse(const char *text, size_t len, bff_arena_t *arena, bff_discounts_t *out)
{
    memset(out, 0, sizeof(*out));
    const char *bad = bff_pull_list(text, len, arena, "promotions", "discounts", "promotions answered without a discount list",
                                    sizeof(*out->items), discount_row, NULL, (void **)&out->items, &out->n);
    if (bad != NULL)
        return bad;
    for (size_t i = 0; i < out->n; ++i)
        if (__builtin_add_overflow(out->total, out->items[i].amount, &out->total))
            return "promotions answered discounts whose sum does not fit in an amount";
    return NULL;
}
