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

/* A string as jansson writes it: UTF-8 kept, the two quotes' specials and controls escaped (\u00XX upper-case). */
static void canon_string(bff_buf_t *b, const char *s, size_t n)
{
    static const char digits[] = "0123456789ABCDEF";
    bff_buf_appendc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; ++i) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        bff_buf_append(b, s + run, i - run);
        run = i + 1;
        switch (ch) {
        case '"': bff_buf_appends(b, "\\\""); break;
        case '\\': bff_buf_appends(b, "\\\\"); break;
        case '\b': bff_buf_appends(b, "\\b"); break;
        case '\f': bff_buf_appends(b, "\\f"); break;
        case '\n': bff_buf_appends(b, "\\n"); break;
        case '\r': bff_buf_appends(b, "\\r"); break;
        case '\t': bff_buf_appends(b, "\\t"); break;
        default: {
            char u[7] = {'\\', 'u', '0', '0', digits[ch >> 4], digits[ch & 15], '\0'};
            bff_buf_appends(b, u);
        }
        }
    }
    bff_buf_append(b, s + run, n - run);
    bff_buf_appendc(b, '"');
}

static int by_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void canon(bff_buf_t *b, json_t *v, const char *skip)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(v), k = 0;
        const char *small[32];
        const char **keys = n <= 32 ? small : bff_xmalloc(n * sizeof(*keys));
        const char *key;
        json_t *member;
        json_object_foreach(v, key, member)
        {
            if (skip == NULL || strcmp(key, skip) != 0)
                keys[k++] = key;
        }
        qsort(keys, k, sizeof(*keys), by_key);
        bff_buf_appendc(b, '{');
        for (size_t i = 0; i < k; ++i) {
            if (i > 0)
                bff_buf_appendc(b, ',');
            canon_string(b, keys[i], strlen(keys[i]));
            bff_buf_appendc(b, ':');
            canon(b, json_object_get(v, keys[i]), NULL);
        }
        bff_buf_appendc(b, '}');
        if (keys != small)
            free(keys);
        break;
    }
    case JSON_ARRAY:
        bff_buf_appendc(b, '[');
        for (size_t i = 0; i < json_array_size(v); ++i) {
            if (i > 0)
                bff_buf_appendc(b, ',');
            canon(b, json_array_get(v, i), NULL);
        }
        bff_buf_appendc(b, ']');
        break;
    case JSON_STRING:
        canon_string(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        bff_buf_append_int(b, (int64_t)json_integer_value(v));
        break;
    case JSON_TRUE:
        bff_buf_appends(b, "true");
        break;
    case JSON_FALSE:
        bff_buf_appends(b, "false");
        break;
    case JSON_NULL:
        bff_buf_appends(b, "null");
        break;
    case JSON_REAL: { /* carts hold none; jansson's own form, to stay the same text */
        char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        bff_buf_appends(b, text != NULL ? text : "null");
        free(text);
        break;
    }
    }
}

void bff_quote_cart_text(json_t *cart, bff_buf_t *out)
{
    canon(out, cart, "completed");
}

/* 16 hex digits of SHA-256 over the cart as canonical JSON. */
static void cart_version(json_t *cart, char out[17])
{
    bff_buf_t text = BFF_BUF_INIT;
    bff_quote_cart_text(cart, &text);
    unsigned char h[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)(text.data ? text.data : ""), text.len, h);
    hex(h, 8, out);
    bff_buf_free(&text);
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
