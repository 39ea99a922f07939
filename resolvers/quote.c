/*
 * quote.c - signed quotes of a cart's totals (see quote.h). The MAC is
 * compared in constant time; the cart version hashes the checked cart's JSON
 * with sorted keys, so any change of lines, codes, address or rate changes it.
 */
#include "quote.h"

#include "ids.h"
#include "journal.h"

#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; ++i) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* 16 hex digits of SHA-256 over the cart as canonical JSON. */
static void cart_version(json_t *cart, char out[17])
{
    json_t *c = json_deep_copy(cart);
    json_object_del(c, "completed");
    char *text = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    unsigned char h[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)(text ? text : ""), text ? strlen(text) : 0, h);
    hex(h, 8, out);
    free(text);
    json_decref(c);
}

/* The mac of the signed part (body, bound to the cart id) into mac[33]; false without a key. */
static int sign(const bff_reqctx_t *ctx, const char *cart_id, const char *body, char mac[33])
{
    char msg[600];
    int n = snprintf(msg, sizeof(msg), "quote:%s:%s", cart_id, body);
    return n > 0 && (size_t)n < sizeof(msg) && bff_id_mac(ctx, msg, (size_t)n, mac);
}

static void body_of(char *out, size_t size, uint64_t expires, const char *version, const bff_cart_totals_t *t)
{
    snprintf(out, size, "q1.%" PRIu64 ".%s.%s.%" PRId64 ".%" PRId64 ".%" PRId64 ".%" PRId64 ".%" PRId64, expires, version,
             t->currency, t->subtotal, t->discounts, t->shipping, t->tax, t->total);
}

const char *bff_quote_make(const bff_reqctx_t *ctx, json_t *cart, const bff_cart_totals_t *totals, uint64_t ttl_ms)
{
    const char *cart_id = json_string_value(json_object_get(cart, "id"));
    char version[17], body[400], mac[33];
    cart_version(cart, version);
    body_of(body, sizeof(body), bff_wall_ms() + ttl_ms, version, totals);
    if (cart_id == NULL || !sign(ctx, cart_id, body, mac))
        return NULL;
    return bff_arena_printf(ctx->arena, "%s.%s", body, mac);
}

bff_quote_check_t bff_quote_check(const bff_reqctx_t *ctx, const char *quote, json_t *cart, const bff_cart_totals_t *totals)
{
    const char *cart_id = json_string_value(json_object_get(cart, "id"));
    const char *dot = quote ? strrchr(quote, '.') : NULL;
    if (cart_id == NULL || dot == NULL || strlen(dot + 1) != 32 || (size_t)(dot - quote) >= 400)
        return BFF_QUOTE_INVALID;
    char body[400], mac[33];
    snprintf(body, sizeof(body), "%.*s", (int)(dot - quote), quote);
    if (!sign(ctx, cart_id, body, mac) || CRYPTO_memcmp(mac, dot + 1, 32) != 0)
        return BFF_QUOTE_INVALID; /* forged, or signed for another cart */
    uint64_t expires = 0;
    char version[17], shown[400];
    if (sscanf(body, "q1.%" SCNu64 ".", &expires) != 1)
        return BFF_QUOTE_INVALID;
    if (bff_wall_ms() > expires)
        return BFF_QUOTE_EXPIRED;
    cart_version(cart, version);
    body_of(shown, sizeof(shown), expires, version, totals);
    return strcmp(shown, body) == 0 ? BFF_QUOTE_OK : BFF_QUOTE_PRICE_CHANGED;
}
