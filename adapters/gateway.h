/*
 * gateway.h - typed provider calls: a resolver says what it wants ("pricing
 * quotes for these SKUs in EUR") and gets the adapter's C type, while the
 * provider's file in adapters/ builds the request and parses the answer.
 * The calls run in the request's call scope (context.h: deadline, bulkhead,
 * breaker, retries). docs/decisions/provider-gateway.md.
 */
#ifndef BFF_ADAPTERS_GATEWAY_H
#define BFF_ADAPTERS_GATEWAY_H

#include "storefront.h"
#include "vendors.h"
#include "call.h"

/*
 * Pricing quotes for `skus` in `currency`: cb gets the quotes (the request's
 * arena), or NULL and the outcome's error: the call failed, or the answer did
 * not parse (DEPENDENCY_UNAVAILABLE naming pricing). The SKUs are copied.
 */
typedef void (*bff_quotes_cb)(const bff_quotes_t *quotes, const bff_outcome_t *o, void *arg);
bff_call_t *bff_gw_pricing_quotes(bff_scope_t *ctx, const char *currency, const char *const *skus, size_t n,
                                  bff_quotes_cb cb, void *arg);

/* Shipping rates for a parcel: cb gets them (the request's arena), or NULL and the outcome's error. */
typedef void (*bff_rates_cb)(const bff_rates_t *rates, const bff_outcome_t *o, void *arg);
bff_call_t *bff_gw_shipping_rates(bff_scope_t *ctx, const char *currency, json_t *address, int64_t weight_grams,
                                  bff_rates_cb cb, void *arg);

/* The discounts `codes` give on `subtotal` minor units: cb gets them, or NULL and the outcome's error. */
typedef void (*bff_discounts_cb)(const bff_discounts_t *discounts, const bff_outcome_t *o, void *arg);
bff_call_t *bff_gw_promotions(bff_scope_t *ctx, const char *currency, int64_t subtotal, json_t *codes,
                              bff_discounts_cb cb, void *arg);

/* The tax on `n` lines (taxable minor units per SKU) and the shipping: cb gets it, or NULL and the outcome's error. */
typedef void (*bff_tax_cb)(const bff_tax_t *tax, const bff_outcome_t *o, void *arg);
bff_call_t *bff_gw_tax(bff_scope_t *ctx, const char *currency, json_t *address, const char *const *skus,
                       const int64_t *taxable, size_t n, int64_t shipping, bff_tax_cb cb, void *arg);

/* The stock levels of `n` SKUs per location: cb gets them, or NULL and the outcome's error. A read: retried. */
typedef void (*bff_variants_cb)(const bff_variants_t *variants, const bff_outcome_t *o, void *arg);
/* The catalog's variants of `n` SKUs (a GET with the SKUs in the query). */
bff_call_t *bff_gw_catalog_variants(bff_scope_t *ctx, const char *const *skus, size_t n, bff_variants_cb cb, void *arg);

typedef void (*bff_levels_cb)(const bff_levels_t *levels, const bff_outcome_t *o, void *arg);
bff_call_t *bff_gw_inventory_levels(bff_scope_t *ctx, const char *const *skus, size_t n, bff_levels_cb cb, void *arg);

/* Up to `limit` reviews of product `pid`: cb gets them, or NULL and the outcome's error. */
typedef void (*bff_reviews_cb)(const bff_reviews_t *reviews, const bff_outcome_t *o, void *arg);
bff_call_t *bff_gw_reviews(bff_scope_t *ctx, const char *pid, int limit, bff_reviews_cb cb, void *arg);

/* Product ids recommended for `pid`, best first (at most `n` asked). */
typedef struct st_bff_recommended_t {
    const char **ids;
    size_t n;
} bff_recommended_t;
typedef void (*bff_recommended_cb)(const bff_recommended_t *recs, const bff_outcome_t *o, void *arg);
bff_call_t *bff_gw_recommendations(bff_scope_t *ctx, const char *pid, long long n, bff_recommended_cb cb, void *arg);

/* Order `id` (cb gets NULL and the outcome, status 404, when there is none), and payment `id`. */
typedef void (*bff_order_cb)(const bff_order_t *order, const bff_outcome_t *o, void *arg);
bff_call_t *bff_gw_order(bff_scope_t *ctx, const char *id, bff_order_cb cb, void *arg);
typedef void (*bff_payment_cb)(const bff_payment_t *payment, const bff_outcome_t *o, void *arg);
bff_call_t *bff_gw_payment(bff_scope_t *ctx, const char *id, bff_payment_cb cb, void *arg);

/*
 * The shopper a bearer token names (`token`: header-safe, checked by the caller): cb gets them, or NULL
 * and the outcome (status 401 or 404 when the token names no one).
 */
typedef void (*bff_customer_cb)(const bff_customer_t *customer, const bff_outcome_t *o, void *arg);
bff_call_t *bff_gw_customer(bff_scope_t *ctx, const char *token, bff_customer_cb cb, void *arg);

#endif
