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
    int id = 0, amount = 0, has_days = 0;
    int64_t days = -1;
    const bff_pull_field_t fields[] = {{"id", BFF_PULL_STRING, &x->id, &id},
                                       {"amount_minor", BFF_PULL_AMOUNT, &x->amount, &amount},
                                       {"title", BFF_PULL_STRING, &x->title, NULL},
                                       {"days", BFF_PULL_INTEGER, &days, &has_days}};
    bff_pull_fields(j, arena, fields, sizeof(fields) / sizeof(fields[0]));
    if (id != BFF_PULL_READ || amount != BFF_PULL_READ)
        return "shipping answered a rate without an id or a whole, non-negative amount";
    if (x->title == NULL)
        x->title = x->id;
    x->days = has_days == BFF_PULL_READ && days >= 0 && days < 1000 ? (int)days : -1;
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
