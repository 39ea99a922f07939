/*
 * payments.c - the payment provider's authorizations (authorize, capture,
 * void, look up), idempotent by key.
 */
#include <stdbool.h>
#include <string.h>

#include "vendors.h"

const char *bff_payments_path(bff_arena_t *arena, const char *id)
{
    return bff_arena_printf(arena, "/payments/%s", bff_vendor_escape(arena, id));
}

const char *bff_payments_parse(json_t *body, bff_arena_t *arena, bff_payment_t *out)
{
    memset(out, 0, sizeof(*out));
    const char *id = json_string_value(json_object_get(body, "id"));
    const char *status = json_string_value(json_object_get(body, "status"));
    static const char *const known[] = {"authorized", "captured", "voided", "declined"};
    bool ok = false;
    for (size_t i = 0; status != NULL && i < sizeof(known) / sizeof(known[0]); ++i)
        ok = ok || strcmp(status, known[i]) == 0;
    if (id == NULL || id[0] == '\0' || strlen(id) > 64 || !ok)
        return "payments answered without an authorization id or a known status";
    out->id = bff_arena_strdup(arena, id);
    out->status = bff_arena_strdup(arena, status);
    out->amount = -1;
    json_t *amount = json_object_get(body, "amount_minor");
    if (amount != NULL && bff_vendor_amount(amount, &out->amount) != 0)
        return "payments answered an amount that is not a whole, non-negative number";
    return NULL;
}

const char *bff_payments_capture_path(bff_arena_t *arena, const char *id)
{
    return bff_arena_join(arena, bff_payments_path(arena, id), NULL, "/capture");
}

const char *bff_payments_void_path(bff_arena_t *arena, const char *id)
{
    return bff_arena_join(arena, bff_payments_path(arena, id), NULL, "/void");
}

const char *bff_payments_by_key_path(bff_arena_t *arena, const char *key)
{
    return bff_arena_join(arena, "/payments?idempotency_key=", NULL, bff_vendor_escape(arena, key));
}

const char BFF_PAYMENTS_NO_LIST[] = "payments answered without a list of authorizations";

const char *bff_payments_lookup_parse(json_t *body, bff_arena_t *arena, bff_payment_t *out, bool *found)
{
    json_t *list = json_object_get(body, "authorizations");
    *found = false;
    if (!json_is_array(list))
        return BFF_PAYMENTS_NO_LIST;
    if (json_array_size(list) == 0)
        return NULL;
    const char *bad = bff_payments_parse(json_array_get(list, 0), arena, out);
    *found = bad == NULL;
    return bad;
}
