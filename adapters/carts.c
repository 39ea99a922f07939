/*
 * carts.c - the cart service: lines, buyer and address, codes, the chosen rate.
 */
#include <string.h>

#include "storefront.h"
#include "vendors.h"

const char *bff_carts_parse(json_t *body, bff_arena_t *arena, bff_cart_t *out)
{
    memset(out, 0, sizeof(*out));
    out->id = bff_adapter_str(arena, json_object_get(body, "id"));
    out->currency = bff_adapter_str(arena, json_object_get(body, "currency"));
    json_t *lines = json_object_get(body, "lines"), *codes = json_object_get(body, "discount_codes");
    json_t *buyer = json_object_get(body, "buyer");
    if (out->id == NULL || out->currency == NULL || strlen(out->currency) != 3 || !json_is_array(lines) ||
        (codes != NULL && !json_is_array(codes)))
        return "carts answered a cart without an id, a currency or lines";
    out->lines = bff_arena_calloc(arena, json_array_size(lines) + 1, sizeof(*out->lines));
    size_t i;
    json_t *v;
    json_array_foreach(lines, i, v)
    {
        bff_cart_line_t *l = &out->lines[out->nlines];
        json_t *q = json_object_get(v, "quantity");
        l->sku = bff_adapter_str(arena, json_object_get(v, "sku"));
        if (l->sku == NULL || !json_is_integer(q) || json_integer_value(q) <= 0 || json_integer_value(q) > 1000000)
            return "carts answered a line without a SKU or a positive whole quantity";
        l->quantity = json_integer_value(q);
        out->nlines++;
    }
    out->codes = bff_arena_calloc(arena, json_array_size(codes) + 1, sizeof(*out->codes));
    json_array_foreach(codes, i, v)
    {
        if (!json_is_string(v))
            return "carts answered a discount code that is not text";
        out->codes[out->ncodes++] = bff_adapter_str(arena, v);
    }
    if (json_is_object(buyer)) {
        out->email = bff_adapter_str(arena, json_object_get(buyer, "email"));
        json_t *address = json_object_get(buyer, "address");
        if (address != NULL && !json_is_null(address)) {
            if (bff_address_parse(address, arena, &out->address) != NULL)
                return "carts answered a buyer address without a country";
            out->has_address = true;
        }
    }
    out->shipping_rate_id = bff_adapter_str(arena, json_object_get(body, "shipping_rate_id"));
    return NULL;
}

json_t *bff_address_json(const bff_address_t *a)
{
    json_t *o = json_object();
    json_object_set_new_nocheck(o, "country", a->country != NULL ? json_string(a->country) : json_null());
    if (a->line1 != NULL)
        json_object_set_new(o, "line1", json_string(a->line1));
    if (a->city != NULL)
        json_object_set_new(o, "city", json_string(a->city));
    if (a->zip != NULL)
        json_object_set_new(o, "zip", json_string(a->zip));
    return o;
}

const char *bff_carts_path(bff_arena_t *arena, const char *id, bff_cart_part_t part)
{
    static const char *const parts[] = {"", "/lines", "/discount-codes", "/buyer", "/shipping-rate", "/complete"};
    const char *base = bff_arena_join(arena, BFF_CARTS_PATH "/", NULL, bff_vendor_escape(arena, id));
    return part == BFF_CART_ITSELF ? base : bff_arena_join(arena, base, NULL, parts[part]);
}

const char *bff_carts_id(json_t *body)
{
    return json_string_value(json_object_get(body, "id"));
}

bool bff_carts_completed(json_t *body)
{
    return json_is_true(json_object_get(body, "completed"));
}
