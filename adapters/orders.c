/*
 * orders.c - the order service's orders (created idempotently by key).
 */
#include <string.h>

#include "vendors.h"

const char *bff_orders_path(bff_arena_t *arena, const char *id)
{
    return bff_arena_printf(arena, "/orders/%s", bff_vendor_escape(arena, id));
}

const char *bff_orders_parse(json_t *body, bff_arena_t *arena, bff_order_t *out)
{
    memset(out, 0, sizeof(*out));
    const char *id = json_string_value(json_object_get(body, "id"));
    const char *currency = json_string_value(json_object_get(body, "currency"));
    const char *auth = json_string_value(json_object_get(body, "authorization_id"));
    const char *fulfillment = json_string_value(json_object_get(body, "fulfillment_status"));
    json_t *number = json_object_get(body, "number"), *lines = json_object_get(body, "lines");
    if (id == NULL || id[0] == '\0' || strlen(id) > 64 || currency == NULL || strlen(currency) != 3 || auth == NULL ||
        !json_is_integer(number) || bff_vendor_amount(json_object_get(body, "total_minor"), &out->total) != 0)
        return "orders answered an order without an id, number, currency, total or authorization";
    if (lines != NULL && !json_is_array(lines))
        return "orders answered lines that are not a list";
    out->id = bff_arena_strdup(arena, id);
    out->currency = bff_arena_strdup(arena, currency);
    out->authorization_id = bff_arena_strdup(arena, auth);
    out->fulfillment_status = bff_arena_strdup(arena, fulfillment ? fulfillment : "unknown");
    out->number = json_integer_value(number);
    out->lines = bff_arena_calloc(arena, json_array_size(lines) + 1, sizeof(*out->lines));
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        bff_order_line_t *x = &out->lines[out->nlines];
        const char *sku = json_string_value(json_object_get(l, "sku"));
        json_t *q = json_object_get(l, "quantity");
        if (sku == NULL || !json_is_integer(q) || json_integer_value(q) <= 0 || json_integer_value(q) > 1000000 ||
            bff_vendor_amount(json_object_get(l, "unit_price_minor"), &x->unit) != 0 ||
            bff_vendor_amount(json_object_get(l, "discount_minor"), &x->discount) != 0)
            return "orders answered a line without a SKU, a quantity or whole amounts";
        x->sku = bff_arena_strdup(arena, sku);
        x->quantity = json_integer_value(q);
        out->nlines++;
    }
    return NULL;
}

const char *bff_orders_cancel_path(bff_arena_t *arena, const char *id)
{
    return bff_arena_join(arena, bff_orders_path(arena, id), NULL, "/cancel");
}

const char *bff_orders_by_key_path(bff_arena_t *arena, const char *key)
{
    return bff_arena_join(arena, BFF_ORDERS_PATH "?idempotency_key=", NULL, bff_vendor_escape(arena, key));
}

const char BFF_ORDERS_NO_LIST[] = "orders answered without a list of orders";

const char *bff_orders_lookup_parse(json_t *body, bff_arena_t *arena, bff_order_t *out, bool *found, bool *cancelled)
{
    json_t *orders = json_object_get(body, "orders");
    *found = *cancelled = false;
    if (!json_is_array(orders))
        return BFF_ORDERS_NO_LIST;
    if (json_array_size(orders) == 0)
        return NULL;
    json_t *first = json_array_get(orders, 0);
    const char *bad = bff_orders_parse(first, arena, out);
    if (bad != NULL)
        return bad;
    const char *status = json_string_value(json_object_get(first, "status"));
    *found = true;
    *cancelled = status != NULL && strcmp(status, "cancelled") == 0;
    return NULL;
}
