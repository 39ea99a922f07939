/*
 * test_arena_buf.c - the arena allocator and the JSON string writer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"

static int disposed;

static void count_dispose(void *arg)
{
    disposed += *(int *)arg;
}

static void test_arena_alignment_and_big_blocks(void **state)
{
    bff_arena_t *a = bff_arena_new(256);
    for (int i = 0; i < 100; ++i) {
        void *p = bff_arena_alloc(a, (size_t)(i * 7 + 1));
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xAB, (size_t)(i * 7 + 1));
    }
    char *big = bff_arena_alloc(a, 100000);
    memset(big, 1, 100000);
    char *after = bff_arena_strdup(a, "still works");
    assert_string_equal(after, "still works");
    assert_true(bff_arena_used(a) >= 100000);
    bff_arena_free(a);
}

static void test_arena_dispose_hooks_run_once(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    int one = 1, ten = 10;
    disposed = 0;
    bff_arena_on_dispose(a, count_dispose, &one);
    bff_arena_on_dispose(a, count_dispose, &ten);
    assert_int_equal(disposed, 0);
    bff_arena_free(a);
    assert_int_equal(disposed, 11);
}

static void test_arena_reset_reuses(void **state)
{
    bff_arena_t *a = bff_arena_new(1024);
    int one = 1;
    disposed = 0;
    bff_arena_on_dispose(a, count_dispose, &one);
    for (int i = 0; i < 40; ++i) /* several chunks and a big block */
        memset(bff_arena_alloc(a, 100), 0xAB, 100);
    memset(bff_arena_alloc(a, 5000), 1, 5000);
    bff_arena_reset(a);
    assert_int_equal(disposed, 1); /* hooks ran once, and are gone */
    assert_int_equal(bff_arena_used(a), 0);
    for (int round = 0; round < 3; ++round) { /* usable again, as new */
        char *p = bff_arena_calloc(a, 1, 200);
        for (int k = 0; k < 200; ++k)
            assert_int_equal(p[k], 0);
        assert_string_equal(bff_arena_strdup(a, "again"), "again");
        bff_arena_on_dispose(a, count_dispose, &one);
        bff_arena_reset(a);
    }
    assert_int_equal(disposed, 4);
    bff_arena_free(a);
    assert_int_equal(disposed, 4);
}

static void test_arena_join(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    assert_string_equal(bff_arena_join(a, "http://127.0.0.1:9100", NULL, "/catalog/v1/products"),
                        "http://127.0.0.1:9100/catalog/v1/products");
    assert_string_equal(bff_arena_join(a, "catalog", " ", "/x?a=1"), "catalog /x?a=1");
    assert_string_equal(bff_arena_join(a, "", "", ""), "");
    bff_arena_free(a);
}

static void expect_json(const char *in, size_t n, const char *want)
{
    bff_buf_t b = BFF_BUF_INIT;
    bff_buf_append_json_string(&b, in, n);
    assert_string_equal(b.data, want);
    bff_buf_free(&b);
}

static void test_json_string_escaping(void **state)
{
    expect_json("plain", 5, "\"plain\"");
    expect_json("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
    expect_json("\n\r\t\b\f", 5, "\"\\n\\r\\t\\b\\f\"");
    expect_json("\x01\x1f", 2, "\"\\u0001\\u001f\"");
    expect_json("nul\0in", 6, "\"nul\\u0000in\"");
    expect_json("caf\xC3\xA9 \xF0\x9F\x98\x80", 10, "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
    /* invalid UTF-8: lone continuation, truncated sequence, overlong, surrogate */
    expect_json("a\x80z", 3, "\"a\xEF\xBF\xBDz\"");
    expect_json("\xE2\x82", 2, "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
    expect_json("\xC0\xAF", 2, "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
    expect_json("\xED\xA0\x80", 3, "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

static void test_numbers(void **state)
{
    bff_buf_t b = BFF_BUF_INIT;
    bff_buf_append_int(&b, -9007199254740991LL);
    bff_buf_appendc(&b, ' ');
    bff_buf_append_double(&b, 0.1);
    bff_buf_appendc(&b, ' ');
    bff_buf_append_double(&b, 1.5e300);
    bff_buf_appendc(&b, ' ');
    bff_buf_append_double(&b, 3.0);
    assert_string_equal(b.data, "-9007199254740991 0.1 1.5e+300 3");
    bff_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_alignment_and_big_blocks),
        cmocka_unit_test(test_arena_dispose_hooks_run_once),
        cmocka_unit_test(test_arena_reset_reuses),
        cmocka_unit_test(test_arena_join),
        cmocka_unit_test(test_json_string_escaping),
        cmocka_unit_test(test_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
