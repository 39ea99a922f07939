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
#include <openssl/hmac.h>
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

bool bff_id_mac(const bff_reqctx_t *ctx, const void *msg, size_t len, char out[33])
{
    if (ctx->id_key == NULL || ctx->id_key_len == 0)
        return false;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    if (HMAC(EVP_sha256(), ctx->id_key, (int)ctx->id_key_len, msg, len, mac, &maclen) == NULL || maclen < 16)
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
