/*
 * test_ids.c - the ids' HMAC with its pads hashed once, against RFC 4231's
 * HMAC-SHA256 test vectors and OpenSSL's one-shot HMAC for keys of every
 * length up to two blocks; sealed ids open only with their key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "resolvers/ids.h"

static void hex(const unsigned char *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; ++i)
        sprintf(out + 2 * i, "%02x", p[i]);
}

static void test_rfc4231_vectors(void **state)
{
    unsigned char k1[20], k6[131];
    memset(k1, 0x0b, sizeof(k1));
    memset(k6, 0xaa, sizeof(k6));
    const struct {
        const unsigned char *key;
        size_t key_len;
        const char *data, *mac;
    } cases[] = {
        {k1, sizeof(k1), "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {(const unsigned char *)"Jefe", 4, "what do ya want for nothing?",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {k6, sizeof(k6), "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        bff_id_hmac_t *h = bff_id_hmac_new(cases[i].key, cases[i].key_len);
        assert_non_null(h);
        unsigned char mac[32];
        char text[65];
        assert_true(bff_id_hmac(h, cases[i].data, strlen(cases[i].data), mac));
        hex(mac, 32, text);
        assert_string_equal(text, cases[i].mac);
        bff_id_hmac_free(h);
    }
}

static void test_same_as_openssl_hmac(void **state)
{
    unsigned char key[130], msg[300];
    for (size_t i = 0; i < sizeof(key); ++i)
        key[i] = (unsigned char)(i * 37 + 11);
    for (size_t i = 0; i < sizeof(msg); ++i)
        msg[i] = (unsigned char)(i * 91 + 3);
    for (size_t klen = 0; klen <= sizeof(key); klen += 1) {
        bff_id_hmac_t *h = bff_id_hmac_new(key, klen);
        assert_non_null(h);
        size_t mlen = (klen * 7) % sizeof(msg);
        unsigned char mine[32], theirs[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        assert_true(bff_id_hmac(h, msg, mlen, mine));
        assert_non_null(HMAC(EVP_sha256(), key, (int)klen, msg, mlen, theirs, &n));
        assert_int_equal(n, 32);
        assert_memory_equal(mine, theirs, 32);
        /* the precomputed state is not consumed: the same MAC again */
        assert_true(bff_id_hmac(h, msg, mlen, mine));
        assert_memory_equal(mine, theirs, 32);
        bff_id_hmac_free(h);
    }
}

static void test_sealed_ids_open_with_their_key(void **state)
{
    bff_arena_t *arena = bff_arena_new(4096);
    bff_id_hmac_t *h = bff_id_hmac_new("an-id-signing-key-of-32-bytes-at-least", 38);
    bff_id_hmac_t *other = bff_id_hmac_new("another-id-signing-key-of-32-bytes-or-more", 42);
    bff_reqctx_t ctx = {.arena = arena, .id_hmac = h}, ctx2 = {.arena = arena, .id_hmac = other};
    const char *id = bff_id_seal(&ctx, "Cart", "cart-7");
    assert_non_null(id);
    assert_string_equal(bff_id_open(&ctx, "Cart", id), "cart-7");
    assert_null(bff_id_open(&ctx, "Order", id)); /* bound to its kind */
    assert_null(bff_id_open(&ctx2, "Cart", id)); /* and to its key */
    bff_reqctx_t keyless = {.arena = arena};
    assert_null(bff_id_seal(&keyless, "Cart", "cart-7"));
    bff_id_hmac_free(h);
    bff_id_hmac_free(other);
    bff_arena_free(arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4231_vectors),
        cmocka_unit_test(test_same_as_openssl_hmac),
        cmocka_unit_test(test_sealed_ids_open_with_their_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
