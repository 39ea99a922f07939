/*
 * pricing.c - prices of variants from the ERP: the request's pricing loader
 * (one POST for every SKU asked in a loop turn, per currency; each waiter
 * gets its bff_quote_t), ProductVariant.price and Product.priceRange.
 * Amounts are integer minor units until the schema's Money (money.c).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/money.h"
#include "adapters/storefront.h"
#include "adapters/vendors.h"
#include "adapters/gateway.h"
#include "resolvers.h"

/* ---- batch loaders: pricing (one POST for all skus) and inventory (one GET) ---- */

typedef struct st_pricing_batch_t {
    bff_batch_t *b;
    const char *currency;
} pricing_batch_t;

/* The ERP's quotes, checked (adapters/pricing.c), as values per SKU: {"amount_minor", "compare_at_minor"?}. */
static const void *find_quote(const char *sku, void *quotes)
{
    return bff_quotes_find(quotes, sku);
}

static void on_pricing(const bff_quotes_t *q, const bff_outcome_t *o, void *arg)
{
    pricing_batch_t *pb = arg;
    if (q == NULL) {
        bff_batch_fail(pb->b, o->code, o->message);
        return;
    }
    bff_batch_resolve_typed(pb->b, find_quote, (void *)q); /* each waiter gets its bff_quote_t, nothing re-encoded */
}

static void dispatch_pricing(bff_batch_t *b, const char *const *keys, size_t n, void *arg)
{
    bff_reqctx_t *ctx = bff_batch_ctx(b);
    pricing_batch_t *pb = bff_arena_calloc(ctx->arena, 1, sizeof(*pb));
    pb->b = b;
    pb->currency = arg;
    bff_batch_set_call(b, bff_gw_pricing_quotes(&ctx->scope, pb->currency, keys, n, on_pricing, pb));
}

bff_loader_t *bff_pricing_loader(bff_reqctx_t *ctx, const char *currency)
{
    /* asked once per priced variant: joined, not printed; the currency is the name's tail */
    const char *name = bff_arena_join(ctx->arena, "pricing:", NULL, currency);
    return bff_loader_get(ctx, name, dispatch_pricing, (void *)(name + strlen("pricing:")));
}

static void price_done(bff_resolve_t *r, const void *value, const char *code, const char *message, void *arg)
{
    const bff_quote_t *q = value;
    const char *currency = arg;
    if (code != NULL) {
        bff_resolve_dependency_error(r, code, "pricing", message);
        return;
    }
    if (q == NULL) {
        bff_resolve_ok(r, bff_value_null()); /* the ERP does not price this variant */
        return;
    }
    bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), bff_money_json(q->amount, currency)));
}

static void resolve_variant_price(bff_resolve_t *r, void *unused)
{
    json_t *parent = bff_parent_json(r);
    const char *sku = json_string_value(json_object_get(parent, "sku"));
    const char *currency = json_string_value(bff_resolve_arg(r, "currency"));
    if (currency == NULL)
        currency = "EUR";
    if (sku == NULL) {
        bff_resolve_ok(r, bff_value_null());
        return;
    }
    bff_reqctx_t *ctx = bff_ctx_of(r);
    bff_loader_load_typed(bff_pricing_loader(ctx, currency), sku, r, price_done, bff_arena_strdup(ctx->arena, currency));
}

/* ---- Product.priceRange: its variants' prices from the same pricing batch ---- */

typedef struct st_range_t {
    bff_resolve_t *r;
    const char *currency;
    size_t pending;
    int64_t min, max;
    bool any;
    const char *code, *message;
} range_t;

static void range_done(bff_resolve_t *unused, const void *value, const char *code, const char *message, void *arg)
{
    range_t *rg = arg;
    const bff_quote_t *q = value;
    if (code != NULL && rg->code == NULL) {
        rg->code = code;
        rg->message = message;
    } else if (code == NULL && q != NULL) {
        int64_t m = q->amount;
        rg->min = rg->any && rg->min < m ? rg->min : m;
        rg->max = rg->any && rg->max > m ? rg->max : m;
        rg->any = true;
    }
    if (--rg->pending != 0)
        return;
    if (rg->code != NULL)
        bff_resolve_dependency_error(rg->r, rg->code, "pricing", rg->message);
    else if (!rg->any)
        bff_resolve_ok(rg->r, bff_value_null());
    else
    {
        json_t *range = json_object();
        json_object_set_new_nocheck(range, "minVariantPrice", bff_money_json(rg->min, rg->currency));
        json_object_set_new_nocheck(range, "maxVariantPrice", bff_money_json(rg->max, rg->currency));
        bff_resolve_ok(rg->r, bff_value_json(bff_resolve_arena(rg->r), range));
    }
}

static void resolve_price_range(bff_resolve_t *r, void *unused)
{
    json_t *variants = json_object_get(bff_parent_json(r), "variants");
    const char *currency = json_string_value(bff_resolve_arg(r, "currency"));
    bff_reqctx_t *ctx = bff_ctx_of(r);
    range_t *rg = bff_arena_calloc(ctx->arena, 1, sizeof(*rg));
    rg->r = r;
    rg->currency = bff_arena_strdup(ctx->arena, currency ? currency : "EUR");
    size_t i;
    json_t *v;
    json_array_foreach(variants, i, v)
    {
        if (json_is_string(json_object_get(v, "sku")))
            ++rg->pending;
    }
    if (rg->pending == 0) {
        bff_resolve_ok(r, bff_value_null());
        return;
    }
    bff_loader_t *l = bff_pricing_loader(ctx, rg->currency);
    bool first = true;
    json_array_foreach(variants, i, v)
    {
        const char *sku = json_string_value(json_object_get(v, "sku"));
        if (sku == NULL)
            continue;
        bff_loader_load_typed(l, sku, first ? r : NULL, range_done, rg); /* one handle: cancelling it fails the batch */
        first = false;
    }
}

const bff_resolver_entry_t bff_pricing_resolvers[] = {
    {"ProductVariant", "price", resolve_variant_price},
    {"Product", "priceRange", resolve_price_range},
    {NULL, NULL, NULL},
};

const bff_resolver_defaults_t bff_pricing_defaults[] = {
    {"PriceRange", "minVariantPrice maxVariantPrice"}, /* range_done */
    {NULL, NULL},
};
