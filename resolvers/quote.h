/*
 * quote.h - the amounts a buyer was shown, signed: Cart.cost.quote, checked
 * by checkoutComplete(quote:) against totals computed again from fresh
 * provider answers, before any payment call.
 *
 *   q1.<expires unix ms>.<cart version>.<currency>.<subtotal>.<discounts>.<shipping>.<tax>.<total>.<mac>
 *
 * Amounts in minor units; the cart version is a digest of what the cart holds
 * (lines, codes, address, rate); mac = the first 128 bits of
 * HMAC-SHA256(id_signing_key, "quote:<cart id>:" + everything before it), hex.
 */
#ifndef BFF_RESOLVERS_QUOTE_H
#define BFF_RESOLVERS_QUOTE_H

#include <jansson.h>
#include <stdint.h>

#include "cart.h"
#include "context.h"
#include "base/buf.h"

typedef enum en_bff_quote_check_t {
    BFF_QUOTE_OK,
    BFF_QUOTE_INVALID,       /* not a quote of ours, or of another cart */
    BFF_QUOTE_EXPIRED,
    BFF_QUOTE_PRICE_CHANGED, /* an amount, the currency or the cart changed */
} bff_quote_check_t;

/* The quote of `totals` for the checked cart `cart` (its "_cart"), valid for ttl_ms; in ctx's arena. */
const char *bff_quote_make(const bff_reqctx_t *ctx, json_t *cart, const bff_cart_totals_t *totals, uint64_t ttl_ms);
bff_quote_check_t bff_quote_check(const bff_reqctx_t *ctx, const char *quote, json_t *cart, const bff_cart_totals_t *totals);

/*
 * The text the cart version digests, appended to `out`: the cart as compact
 * JSON with sorted keys and without "completed", byte for byte what jansson's
 * json_dumps(JSON_COMPACT | JSON_SORT_KEYS) wrote (so quotes made before
 * this writer still check), without copying the cart.
 */
void bff_quote_cart_text(json_t *cart, bff_buf_t *out);

#endif
