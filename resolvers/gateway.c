/*
 * gateway.c - typed provider calls (see gateway.h).
 */
#include "gateway.h"

typedef struct st_quotes_call_t {
    bff_reqctx_t *ctx;
    const char *currency;
    bff_quotes_cb cb;
    void *arg;
} quotes_call_t;

static void on_quotes(const bff_outcome_t *o, void *arg)
{
    quotes_call_t *c = arg;
    if (o->code != NULL) {
        c->cb(NULL, o, c->arg);
        return;
    }
    bff_quotes_t quotes;
    const char *bad = bff_pricing_parse(o->body, c->currency, c->ctx->arena, &quotes);
    if (bad != NULL) {
        c->cb(NULL, BFF_OUTCOME_MALFORMED(o->provider, bad), c->arg);
        return;
    }
    c->cb(&quotes, o, c->arg);
}

bff_call_t *bff_gw_pricing_quotes(bff_reqctx_t *ctx, const char *currency, const char *const *skus, size_t n,
                                  bff_quotes_cb cb, void *arg)
{
    quotes_call_t *c = bff_arena_calloc(ctx->arena, 1, sizeof(*c));
    c->ctx = ctx;
    c->currency = bff_arena_strdup(ctx->arena, currency);
    c->cb = cb;
    c->arg = arg;
    json_t *body = bff_pricing_request(currency, skus, n);
    bff_call_t *call = bff_provider_call(ctx, BFF_PROVIDER_PRICING, "POST", BFF_PRICING_QUOTES_PATH, body, on_quotes, c);
    json_decref(body);
    return call;
}

typedef struct st_rates_call_t {
    bff_reqctx_t *ctx;
    bff_rates_cb cb;
    void *arg;
} rates_call_t;

static void on_rates(const bff_outcome_t *o, void *arg)
{
    rates_call_t *c = arg;
    if (o->code != NULL) {
        c->cb(NULL, o, c->arg);
        return;
    }
    bff_rates_t rates;
    const char *bad = bff_shipping_parse(o->body, c->ctx->arena, &rates);
    if (bad != NULL) {
        c->cb(NULL, BFF_OUTCOME_MALFORMED(o->provider, bad), c->arg);
        return;
    }
    c->cb(&rates, o, c->arg);
}

bff_call_t *bff_gw_shipping_rates(bff_reqctx_t *ctx, const char *currency, json_t *address, int64_t weight_grams,
                                  bff_rates_cb cb, void *arg)
{
    rates_call_t *c = bff_arena_calloc(ctx->arena, 1, sizeof(*c));
    c->ctx = ctx;
    c->cb = cb;
    c->arg = arg;
    json_t *body = bff_shipping_request(currency, address, weight_grams);
    bff_call_t *call = bff_provider_call(ctx, BFF_PROVIDER_SHIPPING, "POST", BFF_SHIPPING_RATES_PATH, body, on_rates, c);
    json_decref(body);
    return call;
}
