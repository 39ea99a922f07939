/*
 * test_cache.c - the catalog cache: entries expire after their time to live,
 * the least recently used go first when the byte budget is full, a value too
 * large for the budget is not kept, and references are counted right (the
 * ASan build checks that nothing leaks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "adapters/cache.h"

#define ENTRY_OVERHEAD 256 /* more than key + entry bookkeeping, so sizes below are easy to reason about */

static void test_hit_miss_and_expiry(void **state)
{
    bff_json_cache_t *c = bff_json_cache_new(1 << 20, 1000, 0);
    json_t *v = json_pack("{s:s}", "title", "Linen Backpack");
    assert_null(bff_json_cache_get(c, "catalog /p/1", 0));
    bff_json_cache_put(c, "catalog /p/1", v, 100, 0);
    json_decref(v); /* the cache holds its own reference */
    json_t *got = bff_json_cache_get(c, "catalog /p/1", 999);
    assert_non_null(got);
    assert_string_equal(json_string_value(json_object_get(got, "title")), "Linen Backpack");
    assert_null(bff_json_cache_get(c, "catalog /p/1", 1000)); /* expired at ttl */
    bff_json_cache_stats_t s = bff_json_cache_stats(c);
    assert_int_equal(s.hits, 1);
    assert_int_equal(s.misses, 2);
    assert_int_equal(s.entries, 0);
    assert_int_equal(s.bytes, 0);
    bff_json_cache_free(c);
}

static void test_replace_keeps_one_entry(void **state)
{
    bff_json_cache_t *c = bff_json_cache_new(1 << 20, 1000, 0);
    json_t *a = json_integer(1), *b = json_integer(2);
    bff_json_cache_put(c, "k", a, 10, 0);
    bff_json_cache_put(c, "k", b, 10, 500);
    json_decref(a);
    json_decref(b);
    assert_int_equal(json_integer_value(bff_json_cache_get(c, "k", 1200)), 2); /* stored at 500: fresh until 1500 */
    assert_int_equal(bff_json_cache_stats(c).entries, 1);
    bff_json_cache_free(c);
}

static void test_lru_eviction_by_bytes(void **state)
{
    /* room for three entries of 1000 bytes, not four */
    bff_json_cache_t *c = bff_json_cache_new(3 * (1000 + ENTRY_OVERHEAD), 60000, 0);
    char key[16];
    for (int i = 0; i < 3; ++i) {
        snprintf(key, sizeof(key), "k%d", i);
        json_t *v = json_integer(i);
        bff_json_cache_put(c, key, v, 1000, 0);
        json_decref(v);
    }
    assert_non_null(bff_json_cache_get(c, "k0", 1)); /* k0 is now the most recently used: k1 goes first */
    json_t *v = json_integer(3);
    bff_json_cache_put(c, "k3", v, 1000, 2);
    json_decref(v);
    assert_null(bff_json_cache_get(c, "k1", 3));
    assert_non_null(bff_json_cache_get(c, "k0", 3));
    assert_non_null(bff_json_cache_get(c, "k2", 3));
    assert_non_null(bff_json_cache_get(c, "k3", 3));
    bff_json_cache_stats_t s = bff_json_cache_stats(c);
    assert_int_equal(s.evictions, 1);
    assert_int_equal(s.entries, 3);
    assert_true(s.bytes <= 3 * (1000 + ENTRY_OVERHEAD));
    bff_json_cache_free(c);
}

static void test_too_large_is_not_kept(void **state)
{
    bff_json_cache_t *c = bff_json_cache_new(4096, 60000, 0);
    json_t *v = json_string("big");
    bff_json_cache_put(c, "big", v, 5000, 0);
    json_decref(v);
    assert_null(bff_json_cache_get(c, "big", 1));
    assert_int_equal(bff_json_cache_stats(c).stores, 0);
    bff_json_cache_free(c);
}

static void test_many_keys_grow_the_table(void **state)
{
    bff_json_cache_t *c = bff_json_cache_new(64 << 20, 60000, 0);
    char key[32];
    for (int i = 0; i < 5000; ++i) {
        snprintf(key, sizeof(key), "catalog /p/%d", i);
        json_t *v = json_integer(i);
        bff_json_cache_put(c, key, v, 64, 0);
        json_decref(v);
    }
    for (int i = 0; i < 5000; i += 97) {
        snprintf(key, sizeof(key), "catalog /p/%d", i);
        assert_int_equal(json_integer_value(bff_json_cache_get(c, key, 1)), i);
    }
    assert_int_equal(bff_json_cache_stats(c).entries, 5000);
    bff_json_cache_free(c);
}

static void test_stale_while_revalidate(void **state)
{
    bff_json_cache_t *c = bff_json_cache_new(1 << 20, 1000, 5000);
    json_t *v = json_integer(7);
    bff_json_cache_put(c, "k", v, 10, 0);
    json_decref(v);
    uint64_t age;
    bool refresh;
    assert_non_null(bff_json_cache_lookup(c, "k", 500, &age, &refresh));
    assert_false(refresh); /* fresh */
    assert_null(bff_json_cache_get(c, "k", 1500)); /* get: fresh only */
    assert_non_null(bff_json_cache_lookup(c, "k", 1500, &age, &refresh));
    assert_int_equal(age, 500);
    assert_true(refresh); /* the first stale reader refreshes it */
    assert_non_null(bff_json_cache_lookup(c, "k", 1600, &age, &refresh));
    assert_false(refresh); /* only one at a time */
    bff_json_cache_refresh_failed(c, "k");
    assert_non_null(bff_json_cache_lookup(c, "k", 1700, &age, &refresh));
    assert_true(refresh); /* after a failed refresh, the next reader tries */
    assert_null(bff_json_cache_lookup(c, "k", 6000, &age, &refresh)); /* past the stale window: gone */
    v = json_integer(8);
    bff_json_cache_put(c, "k", v, 10, 6000);
    json_decref(v);
    assert_int_equal(json_integer_value(bff_json_cache_lookup(c, "k", 6001, &age, &refresh)), 8);
    assert_int_equal(bff_json_cache_stats(c).stale_hits, 3);
    bff_json_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hit_miss_and_expiry),  cmocka_unit_test(test_replace_keeps_one_entry),
        cmocka_unit_test(test_lru_eviction_by_bytes), cmocka_unit_test(test_too_large_is_not_kept),
        cmocka_unit_test(test_many_keys_grow_the_table), cmocka_unit_test(test_stale_while_revalidate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
