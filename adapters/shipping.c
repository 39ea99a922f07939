/*
 * shipping.c - the carrier service's rates for a parcel and an address.
 */
#include <string.h>

#include "pull.h"
#include "vendors.h"

const char *bff_shipping_request(bff_arena_t *arena, const char *currency, json_t *address, int64_t weight_grams)
{
    bff_buf_t b = BFF_BUF_INIT;
    bff_buf_appends(&b, "{\"currency\":");
    bff_vendor_write_string(&b, currency);
    bff_buf_appends(&b, ",\"address\":");
    bff_vendor_write_json(&b, address);
    bff_buf_appends(&b, ",\"weight_grams\":");
    bff_buf_append_int(&b, weight_grams);
    bff_buf_appendc(&b, '}');
    return bff_vendor_text(arena, &b);
}

static const char *rate_row(bff_json_pull_t *j, bff_arena_t *arena, void *item, void *ctx)
{
    bff_rate_t *x = item;
    const char *k;
    size_t kn;
    int ok = -1, has_days = 0;
    int64_t days = -1;
    if (bff_json_pull_peek(j) == BFF_JSON_OBJECT && bff_json_pull_object(j)) {
        while (bff_json_pull_key(j, &k, &kn)) {
            if (bff_key_is(k, kn, "id"))
                bff_pull_string(j, arena, &x->id);
            else if (bff_key_is(k, kn, "amount_minor"))
                ok = bff_pull_amount(j, &x->amount);
            else if (bff_key_is(k, kn, "title"))
                bff_pull_string(j, arena, &x->title);
            else if (bff_key_is(k, kn, "days"))
                has_days = bff_pull_integer(j, &days);
            else
                bff_json_pull_skip(j);
        }
    } else {
        bff_json_pull_skip(j);
    }
    if (x->id == NULL || ok != 0)
        return "shipping answered a rate without an id or a whole, non-negative amount";
    if (x->title == NULL)
        x->title = x->id;
    x->days = has_days == 1 && days >= 0 && days < 1000 ? (int)days : -1;
    return NULL;
}

const char *bff_shipping_parse(const char *text, size_t len, bff_arena_t *arena, bff_rates_t *out)
{
    memset(out, 0, sizeof(*out));
    return bff_pull_list(text, len, arena, "shipping", "rates", "shipping answered without a rate list",
                         sizeof(*out->items), rate_row, NULL, (void **)&out->items, &out->n);
}

const bff_rate_t *bff_rates_find(const bff_rates_t *r, const char *id)
{
    for (size_t i = 0; id != NULL && i < r->n; ++i)
        if (strcmp(r->items[i].id, id) == 0)
            return &r->items[i];
    return NULL;
}
