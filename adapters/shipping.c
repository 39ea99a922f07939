/*
 * shipping.c - the carrier service's rates for a parcel and an address.
 */
#include <string.h>

#include "vendors.h"

json_t *bff_shipping_request(const char *currency, json_t *address, int64_t weight_grams)
{
    return json_pack("{s:s?, s:O?, s:I}", "currency", currency, "address", address, "weight_grams",
                     (json_int_t)weight_grams);
}

const char *bff_shipping_parse(json_t *body, bff_arena_t *arena, bff_rates_t *out)
{
    memset(out, 0, sizeof(*out));
    json_t *list = json_object_get(body, "rates");
    if (!json_is_array(list))
        return "shipping answered without a rate list";
    out->items = bff_arena_calloc(arena, json_array_size(list) + 1, sizeof(*out->items));
    size_t i;
    json_t *r;
    json_array_foreach(list, i, r)
    {
        bff_rate_t *x = &out->items[out->n];
        const char *id = json_string_value(json_object_get(r, "id"));
        if (id == NULL || bff_vendor_amount(json_object_get(r, "amount_minor"), &x->amount) != 0)
            return "shipping answered a rate without an id or a whole, non-negative amount";
        const char *title = json_string_value(json_object_get(r, "title"));
        json_t *days = json_object_get(r, "days");
        x->id = bff_arena_strdup(arena, id);
        x->title = bff_arena_strdup(arena, title ? title : id);
        x->days = json_is_integer(days) && json_integer_value(days) >= 0 && json_integer_value(days) < 1000
                      ? (int)json_integer_value(days)
                      : -1;
        out->n++;
    }
    return NULL;
}

const bff_rate_t *bff_rates_find(const bff_rates_t *r, const char *id)
{
    for (size_t i = 0; id != NULL && i < r->n; ++i)
        if (strcmp(r->items[i].id, id) == 0)
            return &r->items[i];
    return NULL;
}
