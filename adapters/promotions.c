/*
 * promotions.c - the promotions engine's evaluation of a cart's codes.
 */
#include <string.h>

#include "vendors.h"

json_t *bff_promotions_request(const char *currency, int64_t subtotal, json_t *codes)
{
    return json_pack("{s:s?, s:I, s:O?}", "currency", currency, "subtotal_minor", (json_int_t)subtotal, "codes", codes);
}

const char *bff_promotions_parse(json_t *body, bff_arena_t *arena, bff_discounts_t *out)
{
    memset(out, 0, sizeof(*out));
    json_t *list = json_object_get(body, "discounts");
    if (!json_is_array(list))
        return "promotions answered without a discount list";
    out->items = bff_arena_calloc(arena, json_array_size(list) + 1, sizeof(*out->items));
    size_t i;
    json_t *d;
    json_array_foreach(list, i, d)
    {
        bff_discount_t *x = &out->items[out->n];
        if (bff_vendor_amount(json_object_get(d, "amount_minor"), &x->amount) != 0)
            return "promotions answered a discount that is not a whole, non-negative amount";
        const char *code = json_string_value(json_object_get(d, "code"));
        x->code = bff_arena_strdup(arena, code ? code : "");
        out->total += x->amount;
        out->n++;
    }
    return NULL;
}
