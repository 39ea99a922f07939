/*
 * cart.h - what the cart domain offers the checkout: the mapping of a
 * provider cart to the schema's Cart, and the totals computation.
 */
#ifndef BFF_RESOLVERS_CART_H
#define BFF_RESOLVERS_CART_H

#include <stdbool.h>
#include <stdint.h>

#include "context.h"

typedef struct st_bff_cart_totals_t {
    bool ok;
    const char *currency;
    int64_t subtotal, discounts, shipping, tax, total; /* minor units */
    const char *failed_dependency, *failed_message;     /* when !ok */
    size_t nlines;                                      /* per line, when ok (arena memory of the request): */
    const char *const *skus;
    const int64_t *quantities, *unit, *allocated; /* units, unit price, share of the discounts */
} bff_cart_totals_t;

typedef void (*bff_cart_totals_cb)(const bff_cart_totals_t *totals, void *arg);

/* Totals of a provider cart, from fresh provider answers (see cart.c); cb fires once. */
void bff_cart_totals(bff_reqctx_t *ctx, json_t *cart, bff_cart_totals_cb cb, void *arg);
/* The schema's Cart object for a provider cart (a new reference), NULL when the cart does not check out
   (adapters/carts.c); its id is the client-facing one with its key (ids.h), its "_cart" member the checked
   cart (provider id) the totals work from. */
json_t *bff_cart_map(const bff_reqctx_t *ctx, json_t *provider_cart, bff_arena_t *arena);
/* The schema's CartCost for totals of the checked cart `cart`, with its signed quote (quote.h); a new reference. */
json_t *bff_cart_cost_json(const bff_reqctx_t *ctx, json_t *cart, const bff_cart_totals_t *totals);

#endif
