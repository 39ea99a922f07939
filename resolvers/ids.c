/*
 * ids.c - client-facing ids of carts and orders with their key (see ids.h).
 *
 * The key is compared in constant time. Provider ids inside are limited to
 * what providers give (letters, digits, - and _, at most 64 bytes), so a
 * sealed id is at most 15 + 64 + 5 + 32 bytes and fits the id input rule.
 */
#include "ids.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#define KEY_HEX 32

static bool provider_id_ok(const char *s, size_t n)
{
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; ++i)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '-' || s[i] == '_'))
            return false;
    return true;
}

struct st_bff_id_hmac_t {
    EVP_MD_CTX *inner, *outer; /* SHA-256 after (key ^ ipad), after (key ^ opad) */
};

bff_id_hmac_t *bff_id_hmac_new(const void *key, size_t len)
{
    unsigned char k[64] = {0}, pad[64];
    if (len > sizeof(k))
        SHA256(key, len, k); /* RFC 2104: a longer key is hashed first */
    else
        memcpy(k, key, len);
    bff_id_hmac_t *h = bff_xcalloc(1, sizeof(*h));
    h->inner = EVP_MD_CTX_new();
    h->outer = EVP_MD_CTX_new();
    bool ok = h->inner != NULL && h->outer != NULL;
    for (int i = 0; i < 64; ++i)
        pad[i] = k[i] ^ 0x36;
    ok = ok && EVP_DigestInit_ex(h->inner, EVP_sha256(), NULL) == 1 && EVP_DigestUpdate(h->inner, pad, 64) == 1;
    for (int i = 0; i < 64; ++i)
        pad[i] = k[i] ^ 0x5c;
    ok = ok && EVP_DigestInit_ex(h->outer, EVP_sha256(), NULL) == 1 && EVP_DigestUpdate(h->outer, pad, 64) == 1;
    OPENSSL_cleanse(k, sizeof(k));
    OPENSSL_cleanse(pad, sizeof(pad));
    if (!ok) {
        bff_id_hmac_free(h);
        return NULL;
    }
    return h;
}

void bff_id_hmac_free(bff_id_hmac_t *h)
{
    if (h == NULL)
        return;
    EVP_MD_CTX_free(h->inner);
    EVP_MD_CTX_free(h->outer);
    free(h);
}

bool bff_id_hmac(const bff_id_hmac_t *h, const void *msg, size_t len, unsigned char mac[32])
{
    unsigned char inner[32];
    unsigned int n = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    bool ok = c != NULL && EVP_MD_CTX_copy_ex(c, h->inner) == 1 && EVP_DigestUpdate(c, msg, len) == 1 &&
              EVP_DigestFinal_ex(c, inner, &n) == 1 && EVP_MD_CTX_copy_ex(c, h->outer) == 1 &&
              EVP_DigestUpdate(c, inner, sizeof(inner)) == 1 && EVP_DigestFinal_ex(c, mac, &n) == 1 && n == 32;
    EVP_MD_CTX_free(c);
    return ok;
}

bool bff_id_mac(const bff_reqctx_t *ctx, const void *msg, size_t len, char out[33])
{
    unsigned char mac[32];
    if (ctx->id_hmac == NULL || !bff_id_hmac(ctx->id_hmac, msg, len, mac))
        return false;
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; ++i) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 15];
    }
    out[32] = '\0';
    return true;
}

/* The key of (kind, id) as KEY_HEX lowercase hex digits into out[KEY_HEX + 1]; false without a signing key. */
static bool key_of(const bff_reqctx_t *ctx, const char *kind, const char *id, size_t idlen, char *out)
{
    unsigned char msg[160];
    size_t klen = strlen(kind);
    if (klen + 1 + idlen > sizeof(msg))
        return false;
    memcpy(msg, kind, klen);
    msg[klen] = ':';
    memcpy(msg + klen + 1, id, idlen);
    return bff_id_mac(ctx, msg, klen + 1 + idlen, out);
}

const char *bff_id_seal(const bff_reqctx_t *ctx, const char *kind, const char *id)
{
    char key[KEY_HEX + 1];
    if (id == NULL || !provider_id_ok(id, strlen(id)) || !key_of(ctx, kind, id, strlen(id), key))
        return NULL;
    return bff_arena_printf(ctx->arena, "gid://bff/%s/%s?key=%s", kind, id, key);
}

const char *bff_id_open(const bff_reqctx_t *ctx, const char *kind, const char *public_id)
{
    if (public_id == NULL)
        return NULL;
    size_t klen = strlen(kind);
    if (strncmp(public_id, "gid://bff/", 10) != 0 || strncmp(public_id + 10, kind, klen) != 0 || public_id[10 + klen] != '/')
        return NULL;
    const char *id = public_id + 10 + klen + 1;
    const char *q = strchr(id, '?');
    if (q == NULL || strncmp(q, "?key=", 5) != 0 || strlen(q + 5) != KEY_HEX || !provider_id_ok(id, (size_t)(q - id)))
        return NULL;
    char want[KEY_HEX + 1];
    if (!key_of(ctx, kind, id, (size_t)(q - id), want) || CRYPTO_memcmp(want, q + 5, KEY_HEX) != 0)
        return NULL;
    return bff_arena_strndup(ctx->arena, id, (size_t)(q - id));
}
