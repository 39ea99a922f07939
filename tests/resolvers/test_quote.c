/*
 * test_quote.c - the text a cart version digests is what jansson's writer
 * (json_dumps, compact, sorted keys) makes of the cart without "completed":
 * quotes signed before the writer changed still check. Checked on a demo
 * cart and on generated ones (every ASCII byte, UTF-8, integer extremes,
 * reals, nesting, objects of more than 32 keys).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "resolvers/quote.h"

static void same_as_jansson(json_t *cart)
{
    json_t *copy = json_deep_copy(cart);
    json_object_del(copy, "completed");
    char *theirs = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
    bff_buf_t mine = BFF_BUF_INIT;
    bff_quote_cart_text(cart, &mine);
    assert_non_null(theirs);
    assert_string_equal(mine.data, theirs);
    free(theirs);
    bff_buf_free(&mine);
    json_decref(copy);
}

static void test_demo_cart(void **state)
{
    json_error_t err;
    json_t *cart = json_loads("{\"id\":\"cart-1\",\"currency\":\"EUR\",\"completed\":false,\"lines\":[{\"sku\":\"SKU-1\","
                              "\"quantity\":2},{\"sku\":\"SKU-\\u00e9\\n\",\"quantity\":1}],\"discount_codes\":[\"WELCOME10\"],"
                              "\"buyer\":{\"email\":\"a@b.c\",\"address\":{\"country\":\"DE\",\"city\":\"K\\u00f6ln\"}},"
                              "\"shipping_rate_id\":null,\"weight\":1.5,\"gift\":true}",
                              0, &err);
    assert_non_null(cart);
    same_as_jansson(cart);
    json_decref(cart);
}

static json_t *random_value(unsigned *seed, int depth)
{
    int kind = depth > 3 ? rand_r(seed) % 5 : rand_r(seed) % 7;
    switch (kind) {
    case 0: {
        char s[40];
        size_t n = (size_t)(rand_r(seed) % 20);
        for (size_t i = 0; i < n; ++i)
            s[i] = (char)(1 + rand_r(seed) % 127); /* every ASCII byte but NUL, controls and DEL included */
        if (rand_r(seed) % 3 == 0 && n + 4 < sizeof(s)) {
            memcpy(s + n, "\xc3\xa9\xe2\x82\xac", 5); /* é € */
            n += 5;
        }
        return json_stringn(s, n);
    }
    case 1:
        return json_integer(rand_r(seed) % 2 ? INT64_MAX - rand_r(seed) % 3 : INT64_MIN + rand_r(seed) % 3);
    case 2:
        return json_real((double)rand_r(seed) / 7.0);
    case 3:
        return rand_r(seed) % 2 ? json_true() : json_false();
    case 4:
        return json_null();
    case 5: {
        json_t *a = json_array();
        for (int i = rand_r(seed) % 4; i > 0; --i)
            json_array_append_new(a, random_value(seed, depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        int n = rand_r(seed) % 5 == 0 ? 40 : rand_r(seed) % 6;
        for (int i = 0; i < n; ++i) {
            char key[16];
            snprintf(key, sizeof(key), "k%c%d", 'a' + rand_r(seed) % 26, rand_r(seed) % 100);
            json_object_set_new(o, key, random_value(seed, depth + 1));
        }
        return o;
    }
    }
}

static void test_generated_carts(void **state)
{
    unsigned seed = 18;
    for (int i = 0; i < 2000; ++i) {
        json_t *cart = json_object();
        json_object_set_new(cart, "completed", json_true());
        for (int k = rand_r(&seed) % 8; k > 0; --k) {
            char key[16];
            snprintf(key, sizeof(key), "f%d", rand_r(&seed) % 50);
            json_object_set_new(cart, key, random_value(&seed, 0));
        }
        same_as_jansson(cart);
        json_decref(cart);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_cart),
        cmocka_unit_test(test_generated_carts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
