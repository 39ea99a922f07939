/*
 * gateway.c - typed provider calls (see gateway.h). Every typed call is one
 * provider call in text both ways (bff_provider_call_text): its adapter
 * writes the request body and reads the answer into the request's arena
 * before the caller hears of it (most straight from the text with the pull
 * reader; orders, payments and customers from a tree): the caller gets the
 * value, or NULL and the outcome (the call's, or DEPENDENCY_UNAVAILABLE
 * naming the provider when the answer did not parse).
 */
#include "gateway.h"

#include <string.h>

#include "storefront.h"
#include "base/json_parse.h"

typedef struct st_typed_call_t typed_call_t;
/* Reads the answer's text into `out` (the call's value); NULL, or why not. */
typedef const char *(*parse_text_fn)(const typed_call_t *c, const char *text, size_t len, void *out);
/* Reads the answer as a tree into `out` (the adapters that still read trees: orders, payments, customers). */
typedef const char *(*parse_fn)(const typed_call_t *c, json_t *body, void *out);
/* Hands the value (NULL: see o) to the caller's typed callback. */
typedef void (*deliver_fn)(const typed_call_t *c, const void *value, const bff_outcome_t *o);

struct st_typed_call_t {
    bff_scope_t *ctx;
    parse_text_fn parse_text; /* one of the two */
    parse_fn parse;
    deliver_fn deliver;
    size_t size;          /* of the value */
    const char *currency; /* the currency asked for, where the answer must be in it */
    void (*cb)(void);     /* the caller's typed callback, called through `deliver` */
    void *arg;
    void *value;          /* what the answer read into (the last attempt's) */
    const char *provider; /* its name, for the reasons */
};

/* In the call (bff_answer_read_fn): a refused answer counts against the provider as a broken one does. */
static const char *read_answer(const char *text, size_t len, void *arg)
{
    typed_call_t *c = arg;
    c->value = bff_arena_calloc(c->ctx->arena, 1, c->size);
    if (c->parse_text != NULL)
        return c->parse_text(c, text, len, c->value);
    bff_json_error_t jerr;
    json_t *body = bff_json_parse(text, len, &jerr);
    if (body == NULL)
        return bff_arena_printf(c->ctx->arena, "%s answered with invalid JSON (%s at byte %zu)", c->provider, jerr.text,
                                jerr.position);
    const char *bad = c->parse(c, body, c->value);
    json_decref(body);
    return bad;
}

static void on_answer(const bff_outcome_t *o, void *arg)
{
    typed_call_t *c = arg;
    c->deliver(c, o->code != NULL ? NULL : c->value, o);
}

/* One typed call: `body` (JSON text in the arena; NULL: a GET) to `path` of `provider`, with one more header line or none. */
static bff_call_t *typed_call_with(bff_scope_t *ctx, bff_provider_id_t provider, const char *path, const char *body,
                                   const char *header, const typed_call_t *how, void *arg)
{
    typed_call_t *c = bff_arena_calloc(ctx->arena, 1, sizeof(*c));
    *c = *how;
    c->ctx = ctx;
    c->arg = arg;
    c->provider = bff_providers_at(ctx->providers, (size_t)provider)->name;
    return bff_scope_call_text(ctx, provider, body != NULL ? "POST" : "GET", path, body, body != NULL ? strlen(body) : 0,
                                  header, read_answer, c, on_answer, c);
}

static bff_call_t *typed_call(bff_scope_t *ctx, bff_provider_id_t provider, const char *path, const char *body,
                              const typed_call_t *how, void *arg)
{
    return typed_call_with(ctx, provider, path, body, NULL, how, arg);
}

/* ---- pricing ---- */

static const char *parse_quotes(const typed_call_t *c, const char *text, size_t len, void *out)
{
    return bff_pricing_parse(text, len, c->currency, c->ctx->arena, out);
}

static void deliver_quotes(const typed_call_t *c, const void *value, const bff_outcome_t *o)
{
    ((bff_quotes_cb)c->cb)(value, o, c->arg);
}

bff_call_t *bff_gw_pricing_quotes(bff_scope_t *ctx, const char *currency, const char *const *skus, size_t n,
                                  bff_quotes_cb cb, void *arg)
{
    typed_call_t how = {.parse_text = parse_quotes, .deliver = deliver_quotes, .size = sizeof(bff_quotes_t),
                        .currency = bff_arena_strdup(ctx->arena, currency), .cb = (void (*)(void))cb};
    return typed_call(ctx, BFF_PROVIDER_PRICING, BFF_PRICING_QUOTES_PATH, bff_pricing_request(ctx->arena, currency, skus, n), &how,
                      arg);
}

/* ---- shipping ---- */

static const char *parse_rates(const typed_call_t *c, const char *text, size_t len, void *out)
{
    return bff_shipping_parse(text, len, c->ctx->arena, out);
}

static void deliver_rates(const typed_call_t *c, const void *value, const bff_outcome_t *o)
{
    ((bff_rates_cb)c->cb)(value, o, c->arg);
}

bff_call_t *bff_gw_shipping_rates(bff_scope_t *ctx, const char *currency, json_t *address, int64_t weight_grams,
                                  bff_rates_cb cb, void *arg)
{
    typed_call_t how = {.parse_text = parse_rates, .deliver = deliver_rates, .size = sizeof(bff_rates_t),
                        .cb = (void (*)(void))cb};
    return typed_call(ctx, BFF_PROVIDER_SHIPPING, BFF_SHIPPING_RATES_PATH,
                      bff_shipping_request(ctx->arena, currency, address, weight_grams), &how, arg);
}

/* ---- promotions ---- */

static const char *parse_discounts(const typed_call_t *c, const char *text, size_t len, void *out)
{
    return bff_promotions_parse(text, len, c->ctx->arena, out);
}

static void deliver_discounts(const typed_call_t *c, const void *value, const bff_outcome_t *o)
{
    ((bff_discounts_cb)c->cb)(value, o, c->arg);
}

bff_call_t *bff_gw_promotions(bff_scope_t *ctx, const char *currency, int64_t subtotal, json_t *codes,
                              bff_discounts_cb cb, void *arg)
{
    typed_call_t how = {.parse_text = parse_discounts, .deliver = deliver_discounts, .size = sizeof(bff_discounts_t),
                        .cb = (void (*)(void))cb};
    return typed_call(ctx, BFF_PROVIDER_PROMOTIONS, BFF_PROMOTIONS_EVALUATE_PATH,
                      bff_promotions_request(ctx->arena, currency, subtotal, codes), &how, arg);
}

/* ---- tax ---- */

static const char *parse_tax(const typed_call_t *c, const char *text, size_t len, void *out)
{
    return bff_tax_parse(text, len, c->ctx->arena, out);
}

static void deliver_tax(const typed_call_t *c, const void *value, const bff_outcome_t *o)
{
    ((bff_tax_cb)c->cb)(value, o, c->arg);
}

bff_call_t *bff_gw_tax(bff_scope_t *ctx, const char *currency, json_t *address, const char *const *skus,
                       const int64_t *taxable, size_t n, int64_t shipping, bff_tax_cb cb, void *arg)
{
    typed_call_t how = {.parse_text = parse_tax, .deliver = deliver_tax, .size = sizeof(bff_tax_t), .cb = (void (*)(void))cb};
    return typed_call(ctx, BFF_PROVIDER_TAX, BFF_TAX_CALCULATE_PATH,
                      bff_tax_request(ctx->arena, currency, address, skus, taxable, n, shipping), &how, arg);
}

/* ---- inventory ---- */

static const char *parse_levels(const typed_call_t *c, const char *text, size_t len, void *out)
{
    return bff_inventory_parse(text, len, c->ctx->arena, out);
}

static void deliver_levels(const typed_call_t *c, const void *value, const bff_outcome_t *o)
{
    ((bff_levels_cb)c->cb)(value, o, c->arg);
}

bff_call_t *bff_gw_inventory_levels(bff_scope_t *ctx, const char *const *skus, size_t n, bff_levels_cb cb, void *arg)
{
    typed_call_t how = {.parse_text = parse_levels, .deliver = deliver_levels, .size = sizeof(bff_levels_t),
                        .cb = (void (*)(void))cb};
    return typed_call(ctx, BFF_PROVIDER_INVENTORY, bff_inventory_path(ctx->arena, skus, n), NULL, &how, arg);
}

/* ---- catalog variants (cart lines) ---- */

static const char *parse_variants(const typed_call_t *c, const char *text, size_t len, void *out)
{
    return bff_catalog_variants_parse(text, len, c->ctx->arena, out);
}

static void deliver_variants(const typed_call_t *c, const void *value, const bff_outcome_t *o)
{
    ((bff_variants_cb)c->cb)(value, o, c->arg);
}

bff_call_t *bff_gw_catalog_variants(bff_scope_t *ctx, const char *const *skus, size_t n, bff_variants_cb cb, void *arg)
{
    typed_call_t how = {.parse_text = parse_variants, .deliver = deliver_variants, .size = sizeof(bff_variants_t),
                        .cb = (void (*)(void))cb};
    return typed_call(ctx, BFF_PROVIDER_CATALOG, bff_catalog_variants_path(ctx->arena, skus, n), NULL, &how, arg);
}

/* ---- reviews and recommendations ---- */

static const char *parse_reviews(const typed_call_t *c, const char *text, size_t len, void *out)
{
    return bff_reviews_parse(text, len, c->ctx->arena, out);
}

static void deliver_reviews(const typed_call_t *c, const void *value, const bff_outcome_t *o)
{
    ((bff_reviews_cb)c->cb)(value, o, c->arg);
}

bff_call_t *bff_gw_reviews(bff_scope_t *ctx, const char *pid, int limit, bff_reviews_cb cb, void *arg)
{
    typed_call_t how = {.parse_text = parse_reviews, .deliver = deliver_reviews, .size = sizeof(bff_reviews_t),
                        .cb = (void (*)(void))cb};
    return typed_call(ctx, BFF_PROVIDER_REVIEWS, bff_reviews_path(ctx->arena, pid, limit), NULL, &how, arg);
}

static const char *parse_recommended(const typed_call_t *c, const char *text, size_t len, void *out)
{
    bff_recommended_t *r = out;
    return bff_recommendations_parse(text, len, c->ctx->arena, &r->ids, &r->n);
}

static void deliver_recommended(const typed_call_t *c, const void *value, const bff_outcome_t *o)
{
    ((bff_recommended_cb)c->cb)(value, o, c->arg);
}

bff_call_t *bff_gw_recommendations(bff_scope_t *ctx, const char *pid, long long n, bff_recommended_cb cb, void *arg)
{
    typed_call_t how = {.parse_text = parse_recommended, .deliver = deliver_recommended, .size = sizeof(bff_recommended_t),
                        .cb = (void (*)(void))cb};
    return typed_call(ctx, BFF_PROVIDER_RECOMMENDATIONS, bff_recommendations_path(ctx->arena, pid, n), NULL, &how, arg);
}

/* ---- orders and payments (reads) ---- */

static const char *parse_order(const typed_call_t *c, json_t *body, void *out)
{
    return bff_orders_parse(body, c->ctx->arena, out);
}

static void deliver_order(const typed_call_t *c, const void *value, const bff_outcome_t *o)
{
    ((bff_order_cb)c->cb)(value, o, c->arg);
}

bff_call_t *bff_gw_order(bff_scope_t *ctx, const char *id, bff_order_cb cb, void *arg)
{
    typed_call_t how = {.parse = parse_order, .deliver = deliver_order, .size = sizeof(bff_order_t),
                        .cb = (void (*)(void))cb};
    return typed_call(ctx, BFF_PROVIDER_ORDERS, bff_orders_path(ctx->arena, id), NULL, &how, arg);
}

static const char *parse_payment(const typed_call_t *c, json_t *body, void *out)
{
    return bff_payments_parse(body, c->ctx->arena, out);
}

static void deliver_payment(const typed_call_t *c, const void *value, const bff_outcome_t *o)
{
    ((bff_payment_cb)c->cb)(value, o, c->arg);
}

bff_call_t *bff_gw_payment(bff_scope_t *ctx, const char *id, bff_payment_cb cb, void *arg)
{
    typed_call_t how = {.parse = parse_payment, .deliver = deliver_payment, .size = sizeof(bff_payment_t),
                        .cb = (void (*)(void))cb};
    return typed_call(ctx, BFF_PROVIDER_PAYMENTS, bff_payments_path(ctx->arena, id), NULL, &how, arg);
}

/* ---- customers ---- */

static const char *parse_customer(const typed_call_t *c, json_t *body, void *out)
{
    return bff_customers_parse(body, c->ctx->arena, out);
}

static void deliver_customer(const typed_call_t *c, const void *value, const bff_outcome_t *o)
{
    ((bff_customer_cb)c->cb)(value, o, c->arg);
}

bff_call_t *bff_gw_customer(bff_scope_t *ctx, const char *token, bff_customer_cb cb, void *arg)
{
    typed_call_t how = {.parse = parse_customer, .deliver = deliver_customer, .size = sizeof(bff_customer_t),
                        .cb = (void (*)(void))cb};
    return typed_call_with(ctx, BFF_PROVIDER_CUSTOMERS, BFF_CUSTOMERS_ME_PATH, NULL,
                           bff_arena_printf(ctx->arena, "Authorization: Bearer %s", token), &how, arg);
}
