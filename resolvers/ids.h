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

/*
 * HMAC-SHA256 under one key with the key's two padded blocks hashed once, at
 * boot: a MAC is then two SHA-256 finishes (OpenSSL's one-shot HMAC fetched
 * the algorithm and hashed the pads on every call: 21K instructions, three
 * times a cart-totals request). Read-only once made: workers share it.
 */
typedef struct st_bff_id_hmac_t bff_id_hmac_t;
bff_id_hmac_t *bff_id_hmac_new(const void *key, size_t len);
void bff_id_hmac_free(bff_id_hmac_t *h);
/* The full 32-byte HMAC of msg into mac; false if OpenSSL fails. */
bool bff_id_hmac(const bff_id_hmac_t *h, const void *msg, size_t len, unsigned char mac[32]);

/* The first 128 bits of HMAC-SHA256(id_signing_key, msg) as 32 hex digits into out[33]; false without a key. */
bool bff_id_mac(const bff_reqctx_t *ctx, const void *msg, size_t len, char out[33]);

/* The client-facing id of provider object `id` of `kind` ("Cart", "Order"), in ctx's arena. */
const char *bff_id_seal(const bff_reqctx_t *ctx, const char *kind, const char *id);
/* The provider id inside a client-facing id of `kind` whose key is right (arena), or NULL. */
const char *bff_id_open(const bff_reqctx_t *ctx, const char *kind, const char *public_id);

#endif
