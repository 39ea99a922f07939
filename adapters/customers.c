/*
 * customers.c - the customer service: who a customer token belongs to.
 */
#include <string.h>

#include "storefront.h"

const char *bff_address_parse(json_t *a, bff_arena_t *arena, bff_address_t *out)
{
    memset(out, 0, sizeof(*out));
    out->country = bff_adapter_str(arena, json_object_get(a, "country"));
    if (!json_is_object(a) || out->country == NULL)
        return "an address without a country";
    out->id = bff_adapter_str(arena, json_object_get(a, "id"));
    out->line1 = bff_adapter_str(arena, json_object_get(a, "line1"));
    out->city = bff_adapter_str(arena, json_object_get(a, "city"));
    out->zip = bff_adapter_str(arena, json_object_get(a, "zip"));
    return NULL;
}

const char *bff_customers_parse(json_t *body, bff_arena_t *arena, bff_customer_t *out)
{
    memset(out, 0, sizeof(*out));
    out->id = bff_adapter_str(arena, json_object_get(body, "id"));
    out->email = bff_adapter_str(arena, json_object_get(body, "email"));
    json_t *addresses = json_object_get(body, "addresses");
    if (out->id == NULL || out->email == NULL || (addresses != NULL && !json_is_array(addresses)))
        return "customers answered a customer without an id or an email";
    out->first_name = bff_adapter_str(arena, json_object_get(body, "first_name"));
    out->last_name = bff_adapter_str(arena, json_object_get(body, "last_name"));
    out->addresses = bff_arena_calloc(arena, json_array_size(addresses) + 1, sizeof(*out->addresses));
    size_t i;
    json_t *a;
    json_array_foreach(addresses, i, a)
    {
        if (bff_address_parse(a, arena, &out->addresses[out->naddresses]) != NULL || out->addresses[out->naddresses].id == NULL)
            return "customers answered an address without an id or a country";
        out->naddresses++;
    }
    return NULL;
}
