/*
 * cart.c - carts (the cart service of the providers) and their totals.
 *
 * Totals are sacred: Cart.cost is computed from fresh answers of pricing,
 * promotions, shipping and tax, all in integer minor units, or not at all
 * (null with CHECKOUT_TOTALS_UNAVAILABLE naming what was missing). Three
 * stages, each waiting for all of its calls:
 *   1. prices of every line (pricing) and variant weights (catalog), in parallel;
 *   2. discounts for the entered codes (promotions) and the rate of the chosen
 *      shipping method (shipping), in parallel;
 *   3. tax on the discounted lines and on shipping (tax).
 * total = subtotal - discounts + shipping + tax.
 *
 * The arithmetic is a pure module (totals.h: checked, asserted, property
 * tested against a naive implementation); this file gathers its inputs.
 * Rounding policy (the one place amounts are split): a cart discount is
 * allocated to lines in proportion to their amounts, by the largest
 * remainder method, so the allocations are whole minor units that sum
 * exactly to the discount; tax is the tax provider's, per line. Nothing
 * else rounds. A variant the catalog does not know has no weight, so the
 * parcel has no price: the totals and the shipping rates both fail then.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "ids.h"
#include "quote.h"
#include "totals.h"
#include "adapters/vendors.h"
#include "adapters/storefront.h"
#include "adapters/money.h"
#include "adapters/gateway.h"
#include "resolvers.h"

/* ---- Query.cart ---- */

/*
 * The schema's Cart for a provider cart (adapters/carts.c checks it: id,
 * currency and every line's SKU are there), plus `_cart`, the checked cart
 * the totals and the rates read (never the vendor's JSON). Built without
 * json_pack: this runs for every cart read.
 */
json_t *bff_cart_map(const bff_reqctx_t *ctx, json_t *provider_cart, bff_arena_t *arena)
{
    bff_cart_t c;
    if (bff_carts_parse(provider_cart, arena, &c) != NULL)
        return NULL;
    const char *public_id = bff_id_seal(ctx, "Cart", c.id);
    if (public_id == NULL)
        return NULL;
    json_t *lines = json_array(), *canonical_lines = json_array(), *codes = json_array();
    int64_t total_quantity = 0;
    for (size_t i = 0; i < c.nlines; ++i) {
        total_quantity += c.lines[i].quantity;
        json_t *line = json_object();
        bff_json_set_string(line, "id", c.lines[i].sku);
        bff_json_set_string(line, "sku", c.lines[i].sku);
        json_object_set_new_nocheck(line, "quantity", json_integer((json_int_t)c.lines[i].quantity));
        bff_json_set_string(line, "_currency", c.currency);
        json_array_append_new(lines, line);
        json_t *canonical_line = json_object();
        bff_json_set_string(canonical_line, "sku", c.lines[i].sku);
        json_object_set_new_nocheck(canonical_line, "quantity", json_integer((json_int_t)c.lines[i].quantity));
        json_array_append_new(canonical_lines, canonical_line);
    }
    for (size_t i = 0; i < c.ncodes; ++i)
        json_array_append_new(codes, json_string(c.codes[i]));
    json_t *address = c.has_address ? bff_address_json(&c.address) : json_null();
    json_t *identity = json_null();
    if (c.has_address || c.email) {
        identity = json_object();
        bff_json_set_string(identity, "email", c.email);
        json_object_set_nocheck(identity, "address", address);
    }
    json_t *canonical = json_object();
    bff_json_set_string(canonical, "id", c.id);
    bff_json_set_string(canonical, "currency", c.currency);
    json_object_set_new_nocheck(canonical, "lines", canonical_lines);
    json_t *buyer = json_object();
    json_object_set_nocheck(buyer, "address", address);
    json_object_set_new_nocheck(canonical, "buyer", buyer);
    json_object_set_nocheck(canonical, "discount_codes", codes);
    bff_json_set_string(canonical, "shipping_rate_id", c.shipping_rate_id);
    json_decref(address);
    json_t *out = json_object();
    bff_json_set_string(out, "id", public_id);
    bff_json_set_string(out, "currencyCode", c.currency);
    json_object_set_new_nocheck(out, "lines", lines);
    json_object_set_new_nocheck(out, "totalQuantity", json_integer((json_int_t)total_quantity));
    json_object_set_new_nocheck(out, "buyerIdentity", identity);
    json_object_set_new_nocheck(out, "discountCodes", codes);
    bff_json_set_string(out, "selectedShippingRateId", c.shipping_rate_id);
    json_object_set_new_nocheck(out, "_cart", canonical);
    return out;
}

static void on_cart(const bff_outcome_t *o, void *arg)
{
    json_t *body = o->body;
    const char *code = o->code;
    const char *message = o->message;
    bff_resolve_t *r = arg;
    if (code != NULL) {
        if (o->status == 404)
            bff_resolve_ok(r, bff_value_null());
        else
            bff_resolve_dependency_error(r, code, "carts", message);
        return;
    }
    json_t *mapped = bff_cart_map(bff_ctx_of(r), body, bff_resolve_arena(r));
    if (mapped == NULL) {
        bff_resolve_dependency_error(r, BFF_CODE_UNAVAILABLE, "carts", "carts answered an unexpected cart");
        return;
    }
    bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), mapped));
}

static void resolve_cart(bff_resolve_t *r, void *unused)
{
    bff_reqctx_t *ctx = bff_ctx_of(r);
    const char *id = bff_id_open(ctx, "Cart", json_string_value(bff_resolve_arg(r, "id")));
    if (id == NULL) { /* no cart without its key: nothing asked of the provider */
        bff_resolve_ok(r, bff_value_null());
        return;
    }
    bff_provider_call(ctx, BFF_PROVIDER_CARTS, "GET", bff_carts_path(ctx->arena, id, BFF_CART_ITSELF), NULL, on_cart, r);
}

/* ---- CartLine.merchandise: one catalog call for all lines ---- */

/* The catalog's variant batch, read into C types (adapters/catalog.c): each waiter gets its bff_variant_t. */
static const void *find_variant(const char *sku, void *variants)
{
    return bff_variants_find(variants, sku);
}

static void on_variants(const bff_variants_t *vs, const bff_outcome_t *o, void *arg)
{
    bff_batch_t *b = arg;
    if (vs == NULL) {
        bff_batch_fail(b, o->code, o->message);
        return;
    }
    bff_batch_resolve_typed(b, find_variant, (void *)vs);
}

static void dispatch_variants(bff_batch_t *b, const char *const *keys, size_t n, void *arg)
{
    bff_batch_set_call(b, bff_gw_catalog_variants(&bff_batch_ctx(b)->scope, keys, n, on_variants, b));
}

static void merchandise_done(bff_resolve_t *r, const void *value, const char *code, const char *message, void *arg)
{
    const bff_variant_t *v = value;
    if (code != NULL) {
        bff_resolve_dependency_error(r, code, "catalog", message);
        return;
    }
    if (v == NULL) {
        bff_resolve_error(r, BFF_CODE_UNAVAILABLE, "the catalog does not know this cart line's SKU");
        return;
    }
    json_t *out = json_object();
    json_object_set_new_nocheck(out, "sku", json_string_nocheck(v->sku));
    json_object_set_new_nocheck(out, "title", json_string_nocheck(v->title));
    json_object_set_new_nocheck(out, "productTitle", json_string_nocheck(v->product_title));
    json_object_set_new_nocheck(out, "productHandle", json_string_nocheck(v->product_handle));
    bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), out));
}

static void resolve_merchandise(bff_resolve_t *r, void *unused)
{
    const char *sku = json_string_value(json_object_get(bff_parent_json(r), "sku"));
    bff_loader_t *l = bff_loader_get(bff_ctx_of(r), "catalog-variants", dispatch_variants, NULL);
    bff_loader_load_typed(l, sku ? sku : "", r, merchandise_done, NULL);
}

/* ---- Cart.cost ---- */

typedef struct st_totals_t totals_t;
typedef void (*totals_cb)(totals_t *t, bool ok, void *arg);

struct st_totals_t {
    totals_cb cb;
    void *cb_arg;
    bff_reqctx_t *ctx;
    json_t *cart; /* borrowed from the parent value (alive until the request ends) */
    const char *currency;
    size_t nlines;
    const char **skus;
    int64_t *quantities, *unit, *line_amount, *allocated, *taxable;
    int64_t weight;
    int64_t discount_requested; /* what promotions granted; discounts is it capped at the subtotal */
    int64_t subtotal, discounts, shipping, tax, total;
    int pending;
    const char *failed_dependency, *failed_message;
};

static void totals_fail(totals_t *t, const char *dependency, const char *message)
{
    if (t->failed_dependency == NULL) {
        t->failed_dependency = dependency;
        t->failed_message = message;
    }
}

static void totals_give_up(totals_t *t)
{
    t->cb(t, false, t->cb_arg);
}

/*
 * The arithmetic, in one pure place (totals.h): line amounts, subtotal,
 * discounts capped at the subtotal, their allocation, and with the tax known
 * (tax >= 0) the total. False (and the totals failed) on an overflow or a
 * negative amount: never a wrong total.
 */
static bool totals_run(totals_t *t, int64_t tax)
{
    bff_totals_in_t in = {t->nlines, t->unit, t->quantities, t->discount_requested, t->shipping, tax};
    bff_totals_out_t out = {t->line_amount, t->allocated, t->taxable, 0, 0, -1};
    bff_totals_error_t e = bff_totals_compute(&in, &out);
    if (e != BFF_TOTALS_OK) {
        totals_fail(t, "totals", bff_arena_printf(t->ctx->arena, "the cart's amounts cannot be added up: %s",
                                                  bff_totals_error_text(e)));
        return false;
    }
    t->subtotal = out.subtotal;
    t->discounts = out.discounts;
    t->tax = tax;
    t->total = out.total;
    return true;
}

static void totals_finish(totals_t *t)
{
    t->cb(t, true, t->cb_arg);
}

static int64_t totals_total(const totals_t *t)
{
    return t->total;
}

static void on_tax(const bff_tax_t *tax, const bff_outcome_t *o, void *arg)
{
    totals_t *t = arg;
    if (tax == NULL) {
        totals_fail(t, "tax", o->message);
        totals_give_up(t);
        return;
    }
    if (!totals_run(t, tax->total)) {
        totals_give_up(t);
        return;
    }
    totals_finish(t);
}

static void stage3(totals_t *t)
{
    if (t->failed_dependency != NULL) {
        totals_give_up(t);
        return;
    }
    if (!totals_run(t, -1)) { /* the discounts allocated: what tax is asked about */
        totals_give_up(t);
        return;
    }
    json_t *address = json_object_get(json_object_get(t->cart, "buyer"), "address");
    bff_gw_tax(&t->ctx->scope, t->currency, address, t->skus, t->taxable, t->nlines, t->shipping, on_tax, t);
}

static void on_promotions(const bff_discounts_t *d, const bff_outcome_t *o, void *arg)
{
    totals_t *t = arg;
    if (d == NULL)
        totals_fail(t, "promotions", o->message);
    else if (d->total < 0)
        totals_fail(t, "promotions", "promotions answered a negative discount");
    else
        t->discount_requested = d->total; /* capped at the subtotal by the arithmetic (totals.h) */
    if (--t->pending == 0)
        stage3(t);
}

static void on_shipping(const bff_rates_t *rates, const bff_outcome_t *o, void *arg)
{
    totals_t *t = arg;
    const char *chosen = json_string_value(json_object_get(t->cart, "shipping_rate_id"));
    if (rates == NULL) {
        totals_fail(t, "shipping", o->message);
    } else {
        const bff_rate_t *rate = bff_rates_find(rates, chosen);
        if (rate != NULL)
            t->shipping = rate->amount;
        else
            totals_fail(t, "shipping", "the chosen shipping rate is not offered for this address");
    }
    if (--t->pending == 0)
        stage3(t);
}

static void stage2(totals_t *t)
{
    if (t->failed_dependency != NULL) {
        totals_give_up(t);
        return;
    }
    if (!totals_run(t, -1)) { /* the subtotal: what promotions are asked about */
        totals_give_up(t);
        return;
    }
    json_t *address = json_object_get(json_object_get(t->cart, "buyer"), "address");
    const char *rate = json_string_value(json_object_get(t->cart, "shipping_rate_id"));
    if (!json_is_object(address) || rate == NULL) {
        totals_fail(t, "carts", "the cart needs a shipping address and a shipping rate");
        totals_give_up(t);
        return;
    }
    t->pending = 2;
    bff_gw_promotions(&t->ctx->scope, t->currency, t->subtotal, json_object_get(t->cart, "discount_codes"), on_promotions, t);
    bff_gw_shipping_rates(&t->ctx->scope, t->currency, address, t->weight, on_shipping, t);
}

static void on_prices(const bff_quotes_t *quotes, const bff_outcome_t *o, void *arg)
{
    totals_t *t = arg;
    if (quotes == NULL) {
        totals_fail(t, "pricing", o->message);
    } else {
        for (size_t i = 0; i < t->nlines; ++i) {
            const bff_quote_t *q = bff_quotes_find(quotes, t->skus[i]);
            t->unit[i] = q ? q->amount : -1;
            if (q == NULL)
                totals_fail(t, "pricing", bff_arena_printf(t->ctx->arena, "pricing has no price for %s", t->skus[i]));
        }
    }
    if (--t->pending == 0)
        stage2(t);
}

/* One line's variant (weight) from the request's catalog-variants loader, shared with CartLine.merchandise. */
typedef struct st_weight_wait_t {
    totals_t *t;
    size_t line;
} weight_wait_t;

static void weight_done(bff_resolve_t *r, const void *value, const char *code, const char *message, void *arg)
{
    const bff_variant_t *v = value;
    weight_wait_t *w = arg;
    totals_t *t = w->t;
    if (code != NULL)
        totals_fail(t, "catalog", message);
    else if (v == NULL) /* shipping is priced by weight: a parcel of unknown weight has no price */
        totals_fail(t, "catalog", bff_arena_printf(t->ctx->arena, "the catalog does not know %s", t->skus[w->line]));
    else if (!bff_totals_mul_add(v->weight_grams, t->quantities[w->line], t->weight, &t->weight))
        totals_fail(t, "catalog", "the parcel's weight cannot be added up");
    if (--t->pending == 0)
        stage2(t);
}

/*
 * Computes a cart's totals (the provider's cart JSON); cb fires once, with ok
 * false and t->failed_* set on failure. The lines' weights come through the
 * request's catalog-variants loader, so a query that also asks for the lines'
 * merchandise makes one catalog call, not two; `r` (may be NULL) is the
 * resolver handle that cancels it.
 */
static void totals_compute(bff_reqctx_t *ctx, bff_resolve_t *r, json_t *cart, totals_cb cb, void *arg)
{
    totals_t *t = bff_arena_calloc(ctx->arena, 1, sizeof(*t));
    t->cb = cb;
    t->cb_arg = arg;
    t->ctx = ctx;
    t->cart = cart;
    t->currency = json_string_value(json_object_get(cart, "currency"));
    json_t *lines = json_object_get(cart, "lines");
    t->nlines = json_array_size(lines);
    if (t->currency == NULL) {
        totals_fail(t, "carts", "the cart has no currency");
        totals_give_up(t);
        return;
    }
    if (t->nlines == 0) {
        totals_finish(t); /* an empty cart costs nothing, exactly */
        return;
    }
    t->skus = bff_arena_calloc(ctx->arena, t->nlines, sizeof(*t->skus));
    t->quantities = bff_arena_calloc(ctx->arena, t->nlines, sizeof(int64_t));
    t->unit = bff_arena_calloc(ctx->arena, t->nlines, sizeof(int64_t));
    t->line_amount = bff_arena_calloc(ctx->arena, t->nlines, sizeof(int64_t));
    t->allocated = bff_arena_calloc(ctx->arena, t->nlines, sizeof(int64_t));
    t->taxable = bff_arena_calloc(ctx->arena, t->nlines, sizeof(int64_t));
    for (size_t i = 0; i < t->nlines; ++i) {
        json_t *l = json_array_get(lines, i);
        t->skus[i] = json_string_value(json_object_get(l, "sku"));
        t->quantities[i] = json_integer_value(json_object_get(l, "quantity"));
        if (t->skus[i] == NULL)
            t->skus[i] = "";
    }
    t->pending = 1 + (int)t->nlines;
    bff_gw_pricing_quotes(&ctx->scope, t->currency, t->skus, t->nlines, on_prices, t);
    bff_loader_t *variants = bff_loader_get(ctx, "catalog-variants", dispatch_variants, NULL);
    for (size_t i = 0; i < t->nlines; ++i) {
        weight_wait_t *w = bff_arena_calloc(ctx->arena, 1, sizeof(*w));
        w->t = t;
        w->line = i;
        bff_loader_load_typed(variants, t->skus[i], i == 0 ? r : NULL, weight_done, w);
    }
}

static bff_cart_totals_t public_view(const totals_t *t, bool ok)
{
    bff_cart_totals_t out = {ok,           t->currency,         t->subtotal, t->discounts, t->shipping,
                             t->tax,       totals_total(t),     t->failed_dependency,      t->failed_message,
                             t->nlines,    t->skus,             t->quantities,             t->unit,
                             t->allocated};
    return out;
}

json_t *bff_cart_cost_json(const bff_reqctx_t *ctx, json_t *cart, const bff_cart_totals_t *t)
{
    json_t *allocations = json_array();
    for (size_t i = 0; i < t->nlines; ++i) {
        if (t->allocated[i] <= 0)
            continue;
        json_t *a = json_object();
        json_object_set_new_nocheck(a, "sku", json_string(t->skus[i]));
        json_object_set_new_nocheck(a, "amount", bff_money_json(t->allocated[i], t->currency));
        json_array_append_new(allocations, a);
    }
    const char *quote = bff_quote_make(ctx, cart, t, ctx->quote_ttl_ms ? ctx->quote_ttl_ms : 900000);
    json_t *out = json_object(); /* built directly: json_pack parsed its format on every cart read */
    json_object_set_new_nocheck(out, "subtotal", bff_money_json(t->subtotal, t->currency));
    json_object_set_new_nocheck(out, "discounts", bff_money_json(t->discounts, t->currency));
    json_object_set_new_nocheck(out, "shipping", bff_money_json(t->shipping, t->currency));
    json_object_set_new_nocheck(out, "tax", bff_money_json(t->tax, t->currency));
    json_object_set_new_nocheck(out, "total", bff_money_json(t->total, t->currency));
    json_object_set_new_nocheck(out, "discountAllocations", allocations);
    json_object_set_new_nocheck(out, "quote", quote != NULL ? json_string(quote) : json_null());
    return out;
}

static json_t *totals_json(const totals_t *t)
{
    bff_cart_totals_t view = public_view(t, true);
    return bff_cart_cost_json(t->ctx, t->cart, &view);
}

static void fail_unavailable(bff_resolve_t *r, const totals_t *t)
{
    bff_resolve_dependency_error(r, "CHECKOUT_TOTALS_UNAVAILABLE", t->failed_dependency,
                                 bff_arena_printf(bff_resolve_arena(r), "Cart totals are unavailable: %s", t->failed_message));
}

static void cost_done(totals_t *t, bool ok, void *arg)
{
    bff_resolve_t *r = arg;
    if (!ok)
        fail_unavailable(r, t);
    else
        bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), totals_json(t)));
}

typedef struct st_public_totals_t {
    bff_cart_totals_cb cb;
    void *arg;
} public_totals_t;

static void public_done(totals_t *t, bool ok, void *arg)
{
    public_totals_t *p = arg;
    bff_cart_totals_t out = public_view(t, ok);
    p->cb(&out, p->arg);
}

void bff_cart_totals(bff_reqctx_t *ctx, json_t *cart, bff_cart_totals_cb cb, void *arg)
{
    public_totals_t *p = bff_arena_calloc(ctx->arena, 1, sizeof(*p));
    p->cb = cb;
    p->arg = arg;
    totals_compute(ctx, NULL, cart, public_done, p);
}

static void resolve_cost(bff_resolve_t *r, void *unused)
{
    totals_compute(bff_ctx_of(r), r, json_object_get(bff_parent_json(r), "_cart"), cost_done, r);
}

/* ---- CartLine.cost: the pricing batch of the whole cart ---- */

typedef struct st_line_cost_t {
    const char *currency;
    int64_t quantity;
} line_cost_t;

static void line_cost_done(bff_resolve_t *r, const void *value, const char *code, const char *message, void *arg)
{
    line_cost_t *lc = arg;
    const bff_quote_t *q = value;
    if (code != NULL) {
        bff_resolve_dependency_error(r, code, "pricing", message);
        return;
    }
    if (q == NULL) {
        bff_resolve_ok(r, bff_value_null());
        return;
    }
    int64_t subtotal;
    if (__builtin_mul_overflow(q->amount, lc->quantity, &subtotal)) {
        bff_resolve_error(r, BFF_CODE_UNAVAILABLE, "the line's subtotal does not fit in an amount");
        return;
    }
    json_t *out = json_object();
    json_object_set_new_nocheck(out, "unitPrice", bff_money_json(q->amount, lc->currency));
    json_object_set_new_nocheck(out, "subtotal", bff_money_json(subtotal, lc->currency));
    bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), out));
}

static void resolve_line_cost(bff_resolve_t *r, void *unused)
{
    json_t *line = bff_parent_json(r);
    bff_reqctx_t *ctx = bff_ctx_of(r);
    line_cost_t *lc = bff_arena_calloc(ctx->arena, 1, sizeof(*lc));
    const char *currency = json_string_value(json_object_get(line, "_currency"));
    lc->currency = bff_arena_strdup(ctx->arena, currency ? currency : "EUR");
    lc->quantity = json_integer_value(json_object_get(line, "quantity"));
    const char *sku = json_string_value(json_object_get(line, "sku"));
    bff_loader_t *l = bff_pricing_loader(ctx, lc->currency);
    bff_loader_load_typed(l, sku ? sku : "", r, line_cost_done, lc);
}

/* ---- Cart.availableShippingRates ---- */

static void on_rates(const bff_rates_t *rates, const bff_outcome_t *o, void *arg)
{
    bff_resolve_t *r = arg;
    if (rates == NULL) {
        bff_resolve_dependency_error(r, o->code, "shipping", o->message);
        return;
    }
    const char *currency = json_string_value(json_object_get(json_object_get(bff_parent_json(r), "_cart"), "currency"));
    json_t *list = json_array();
    for (size_t i = 0; i < rates->n; ++i) {
        const bff_rate_t *x = &rates->items[i];
        json_t *days = x->days >= 0 ? json_integer(x->days) : json_null();
        json_array_append_new(list, json_pack("{s:s, s:s, s:o, s:o}", "id", x->id, "title", x->title, "price",
                                              bff_money_json(x->amount, currency ? currency : "EUR"), "days", days));
    }
    bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), list));
}

typedef struct st_rates_call_t {
    bff_resolve_t *r;
    json_t *cart;
    size_t pending;
    int64_t weight;
    const char *failed_code, *failed_message;
} rates_call_t;

typedef struct st_rates_line_t {
    rates_call_t *call;
    int64_t quantity;
} rates_line_t;

static void rates_ask(rates_call_t *c)
{
    bff_resolve_t *r = c->r;
    if (c->failed_code != NULL) {
        bff_resolve_dependency_error(r, c->failed_code, "catalog", c->failed_message);
        return;
    }
    bff_gw_shipping_rates(&bff_ctx_of(r)->scope, json_string_value(json_object_get(c->cart, "currency")),
                          json_object_get(json_object_get(c->cart, "buyer"), "address"), c->weight, on_rates, r);
}

/* Rates depend on the parcel's weight: the variants' weights come from the catalog batch first. */
static void rates_weight_done(bff_resolve_t *unused_r, const void *value, const char *code, const char *message,
                              void *arg)
{
    const bff_variant_t *v = value;
    rates_line_t *l = arg;
    rates_call_t *c = l->call;
    if (code == NULL && v == NULL) { /* the same rule as the totals: a parcel of unknown weight has no price */
        code = BFF_CODE_UNAVAILABLE;
        message = "the catalog does not know a line's variant, so the parcel's weight is unknown";
    }
    if (code == NULL && !bff_totals_mul_add(v->weight_grams, l->quantity, c->weight, &c->weight)) {
        code = BFF_CODE_UNAVAILABLE;
        message = "the parcel's weight cannot be added up";
    }
    if (code != NULL && c->failed_code == NULL) {
        c->failed_code = code;
        c->failed_message = message;
    }
    if (--c->pending == 0)
        rates_ask(c);
}

static void resolve_rates(bff_resolve_t *r, void *unused)
{
    json_t *cart = json_object_get(bff_parent_json(r), "_cart");
    json_t *address = json_object_get(json_object_get(cart, "buyer"), "address");
    if (!json_is_object(address)) {
        bff_resolve_ok(r, bff_value_null());
        return;
    }
    bff_reqctx_t *ctx = bff_ctx_of(r);
    rates_call_t *c = bff_arena_calloc(ctx->arena, 1, sizeof(*c));
    c->r = r;
    c->cart = cart;
    json_t *lines = json_object_get(cart, "lines");
    c->pending = json_array_size(lines);
    if (c->pending == 0) {
        rates_ask(c);
        return;
    }
    bff_loader_t *loader = bff_loader_get(ctx, "catalog-variants", dispatch_variants, NULL);
    size_t i;
    json_t *line;
    json_array_foreach(lines, i, line)
    {
        rates_line_t *l = bff_arena_calloc(ctx->arena, 1, sizeof(*l));
        l->call = c;
        l->quantity = json_integer_value(json_object_get(line, "quantity"));
        const char *sku = json_string_value(json_object_get(line, "sku"));
        /* only the first waiter carries the resolve handle for cancellation; the others wait on the same batch */
        bff_loader_load_typed(loader, sku ? sku : "", i == 0 ? r : NULL, rates_weight_done, l);
    }
}

const bff_resolver_entry_t bff_cart_resolvers[] = {
    {"CartLine", "cost", resolve_line_cost},
    {"Cart", "availableShippingRates", resolve_rates},
    {"Query", "cart", resolve_cart},
    {"CartLine", "merchandise", resolve_merchandise},
    {"OrderLine", "merchandise", resolve_merchandise},
    {"Cart", "cost", resolve_cost},
    {NULL, NULL, NULL},
};

const bff_resolver_defaults_t bff_cart_defaults[] = {
    {"Cart", "id currencyCode lines totalQuantity buyerIdentity discountCodes selectedShippingRateId"}, /* bff_cart_map, from adapters/carts.c */
    {"CartLine", "id quantity"},
    {"BuyerIdentity", "email address"},
    {"Address", "line1 city zip country"},
    {"CartMerchandise", "sku title productTitle productHandle"}, /* merchandise_done */
    {"CartLineCost", "unitPrice subtotal"},                       /* line_cost_done */
    {"CartCost", "subtotal discounts shipping tax total discountAllocations quote"}, /* bff_cart_cost_json */
    {"DiscountAllocation", "sku amount"},
    {"ShippingRate", "id title price days"}, /* rates */
    {"Money", "amount currencyCode"},        /* bff_money_json */
    {NULL, NULL},
};
