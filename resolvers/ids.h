/*
 * ids.h - ids given to clients for objects that belong to whoever holds
 * them: carts and orders. The provider's id alone (cart-7, ord_12) is
 * sequential and so guessable; the id a client sees carries a key derived
 * from it:
 *
 *     gid://bff/Cart/cart-7?key=<32 hex>      gid://bff/Order/ord_12?key=<32 hex>
 *
 * key = the first 16 bytes of HMAC-SHA256(id_signing_key, "<Kind>:<provider id>"),
 * so any instance with the same setting recognises it, nothing is stored, and
 * without the key a cart or an order does not exist for the caller: no
 * provider is called for an id that does not open (docs/security.md).
 */
#ifndef BFF_RESOLVERS_IDS_H
#define BFF_RESOLVERS_IDS_H

#include <stdbool.h>
#include <stddef.h>

#include "context.h"

/* The first 128 bits of HMAC-SHA256(id_signing_key, msg) as 32 hex digits into out[33]; false without a key. */
bool bff_id_mac(const bff_reqctx_t *ctx, const void *msg, size_t len, char out[33]);

/* The client-facing id of provider object `id` of `kind` ("Cart", "Order"), in ctx's arena. */
const char *bff_id_seal(const bff_reqctx_t *ctx, const char *kind, const char *id);
/* The provider id inside a client-facing id of `kind` whose key is right (arena), or NULL. */
const char *bff_id_open(const bff_reqctx_t *ctx, const char *kind, const char *public_id);

#endif
