/*
 * test_vendors.c - the money-bearing providers' answers mapped to C types:
 * good answers map to minor units; an answer with a missing, fractional,
 * negative, huge or wrong-currency amount is refused whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "adapters/storefront.h"
#include "adapters/vendors.h"

#include "answer_text.h"

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    assert_non_null(j);
    return j;
}

static void test_pricing(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    bff_quotes_t q;
    json_t *ok = parse("{\"currency\":\"EUR\",\"prices\":[{\"sku\":\"A\",\"amount_minor\":1299,\"compare_at_minor\":1599},"
                       "{\"sku\":\"B\",\"amount_minor\":0}]}");
    assert_null(bff_pricing_parse(TEXT(ok), "EUR", a, &q));
    json_decref(ok); /* the quotes live in the arena */
    assert_int_equal(q.n, 2);
    assert_int_equal(bff_quotes_find(&q, "A")->amount, 1299);
    assert_int_equal(bff_quotes_find(&q, "A")->compare_at, 1599);
    assert_int_equal(bff_quotes_find(&q, "B")->compare_at, -1);
    assert_null(bff_quotes_find(&q, "C"));
    static const char *const bad[] = {
        "{\"currency\":\"USD\",\"prices\":[]}",                                   /* asked EUR */
        "{\"prices\":[]}",                                                        /* no currency */
        "{\"currency\":\"EUR\"}",                                                 /* no list */
        "{\"currency\":\"EUR\",\"prices\":[{\"sku\":\"A\",\"amount_minor\":12.99}]}", /* not minor units */
        "{\"currency\":\"EUR\",\"prices\":[{\"sku\":\"A\",\"amount_minor\":\"1299\"}]}",
        "{\"currency\":\"EUR\",\"prices\":[{\"sku\":\"A\",\"amount_minor\":-1}]}",
        "{\"currency\":\"EUR\",\"prices\":[{\"sku\":\"A\",\"amount_minor\":10000000000000000}]}",
        "{\"currency\":\"EUR\",\"prices\":[{\"amount_minor\":1}]}",
        "{\"currency\":\"EUR\",\"prices\":[{\"sku\":\"A\",\"amount_minor\":1,\"compare_at_minor\":-5}]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        json_t *j = parse(bad[i]);
        assert_non_null(bff_pricing_parse(TEXT(j), "EUR", a, &q));
        json_decref(j);
    }
    bff_arena_free(a);
}

/* Both directions in one file: the requests pricing.c, shipping.c, tax.c, promotions.c and inventory.c build. */
static void test_pricing_request(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    const char *const skus[] = {"A", "B\"quoted"};
    json_t *body = parse(bff_pricing_request(a, "EUR", skus, 2)); /* the bodies are JSON text */
    assert_string_equal(json_string_value(json_object_get(body, "currency")), "EUR");
    json_t *list = json_object_get(body, "skus");
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(json_string_value(json_array_get(list, 1)), "B\"quoted");
    json_decref(body);
    body = parse(bff_pricing_request(a, "USD", NULL, 0));
    assert_int_equal(json_array_size(json_object_get(body, "skus")), 0);
    json_decref(body);
    assert_string_equal(BFF_PRICING_QUOTES_PATH, "/pricing/v2/quotes");
    json_t *address = parse("{\"country\":\"DE\",\"zip\":\"10115\"}");
    body = parse(bff_shipping_request(a, "EUR", address, 1350));
    assert_string_equal(json_string_value(json_object_get(body, "currency")), "EUR");
    assert_true(json_equal(json_object_get(body, "address"), address)); /* the cart's, as it holds it */
    assert_int_equal(json_integer_value(json_object_get(body, "weight_grams")), 1350);
    json_decref(body);
    const char *const lines[] = {"A", "B"};
    const int64_t taxable[] = {1000, 0};
    body = parse(bff_tax_request(a, "EUR", address, lines, taxable, 2, 495));
    json_t *tl = json_object_get(body, "lines");
    assert_int_equal(json_array_size(tl), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tl, 0), "sku")), "A");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(tl, 0), "amount_minor")), 1000);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(tl, 1), "amount_minor")), 0);
    assert_int_equal(json_integer_value(json_object_get(body, "shipping_minor")), 495);
    assert_true(json_equal(json_object_get(body, "address"), address));
    json_decref(body);
    json_t *codes = parse("[\"SAVE10\"]");
    body = parse(bff_promotions_request(a, "EUR", 12990, codes));
    assert_int_equal(json_integer_value(json_object_get(body, "subtotal_minor")), 12990);
    assert_true(json_equal(json_object_get(body, "codes"), codes));
    assert_string_equal(json_string_value(json_object_get(body, "currency")), "EUR");
    json_decref(body);
    json_decref(codes);
    const char *const odd[] = {"SKU-1", "a&b=c d"};
    assert_string_equal(bff_inventory_path(a, odd, 2), "/inventory/levels?sku=SKU-1&sku=a%26b%3Dc%20d");
    /* a product id the catalog gave is escaped, never spliced into the path as it is */
    assert_string_equal(bff_reviews_path(a, "p0001", 8), "/reviews/products/p0001?limit=8");
    assert_string_equal(bff_reviews_path(a, "../x?y", 3), "/reviews/products/..%2Fx%3Fy?limit=3");
    assert_string_equal(bff_recommendations_path(a, "p/1", 4), "/recs/for/p%2F1?n=4");
    assert_string_equal(bff_orders_path(a, "o_12"), "/orders/o_12");
    assert_string_equal(bff_payments_path(a, "auth 1/2"), "/payments/auth%201%2F2");
    body = parse(bff_shipping_request(a, NULL, NULL, 0)); /* sent, and refused by the provider, not dropped here */
    assert_true(json_is_null(json_object_get(body, "currency")) && json_is_null(json_object_get(body, "address")));
    json_decref(body);
    json_decref(address);
    bff_arena_free(a);
}

/* The path escape against libcurl's (the one it replaced): every byte, alone and in a run. */
static void test_escape_as_curl(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    char all[256];
    for (int c = 1; c < 256; ++c) {
        char one[2] = {(char)c, '\0'};
        char *theirs = curl_easy_escape(NULL, one, 0);
        assert_string_equal(bff_vendor_escape(a, one), theirs);
        curl_free(theirs);
        all[c - 1] = (char)c;
    }
    all[255] = '\0';
    char *theirs = curl_easy_escape(NULL, all, 0);
    assert_string_equal(bff_vendor_escape(a, all), theirs);
    curl_free(theirs);
    assert_string_equal(bff_vendor_escape(a, ""), "");
    bff_arena_free(a);
}

static void test_promotions_shipping_tax(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    bff_discounts_t d;
    json_t *j = parse("{\"discounts\":[{\"code\":\"SAVE10\",\"amount_minor\":500},{\"code\":\"X\",\"amount_minor\":1}]}");
    assert_null(bff_promotions_parse(TEXT(j), a, &d));
    json_decref(j);
    assert_int_equal(d.total, 501);
    assert_string_equal(d.items[0].code, "SAVE10");
    j = parse("{\"discounts\":[{\"code\":\"X\",\"amount_minor\":-500}]}");
    assert_non_null(bff_promotions_parse(TEXT(j), a, &d));
    json_decref(j);

    bff_rates_t r;
    j = parse("{\"rates\":[{\"id\":\"standard\",\"title\":\"Standard\",\"amount_minor\":495,\"days\":3},"
              "{\"id\":\"express\",\"amount_minor\":1295}]}");
    assert_null(bff_shipping_parse(TEXT(j), a, &r));
    json_decref(j);
    assert_int_equal(bff_rates_find(&r, "express")->amount, 1295);
    assert_string_equal(bff_rates_find(&r, "express")->title, "express");
    assert_int_equal(bff_rates_find(&r, "express")->days, -1);
    assert_null(bff_rates_find(&r, NULL));
    j = parse("{\"rates\":[{\"id\":\"standard\"}]}");
    assert_non_null(bff_shipping_parse(TEXT(j), a, &r));
    json_decref(j);

    bff_tax_t t;
    j = parse("{\"tax_lines\":[{\"sku\":\"A\",\"amount_minor\":190},{\"sku\":\"shipping\",\"amount_minor\":95}]}");
    assert_null(bff_tax_parse(TEXT(j), a, &t));
    json_decref(j);
    assert_int_equal(t.total, 285);
    assert_int_equal(t.nlines, 2);
    j = parse("{\"tax_lines\":[{\"amount_minor\":1.5}]}");
    assert_non_null(bff_tax_parse(TEXT(j), a, &t));
    json_decref(j);
    j = parse("[]");
    assert_non_null(bff_tax_parse(TEXT(j), a, &t));
    json_decref(j);
    bff_arena_free(a);
}

static void test_payments(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    bff_payment_t p;
    json_t *j = parse("{\"id\":\"auth_1\",\"status\":\"captured\",\"amount_minor\":2599}");
    assert_null(bff_payments_parse(j, a, &p));
    json_decref(j);
    assert_string_equal(p.id, "auth_1");
    assert_string_equal(p.status, "captured");
    assert_int_equal(p.amount, 2599);
    static const char *const bad[] = {"{\"status\":\"captured\"}", "{\"id\":\"a\",\"status\":\"refunded?\"}",
                                      "{\"id\":\"\",\"status\":\"captured\"}",
                                      "{\"id\":\"a\",\"status\":\"captured\",\"amount_minor\":\"10\"}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        j = parse(bad[i]);
        assert_non_null(bff_payments_parse(j, a, &p));
        json_decref(j);
    }
    bff_arena_free(a);
}

static void test_inventory_and_orders(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    bff_levels_t lv;
    json_t *j = parse("{\"levels\":[{\"sku\":\"A\",\"location\":\"berlin\",\"available\":3},"
                      "{\"sku\":\"A\",\"location\":\"paris\",\"available\":-1}]}");
    assert_null(bff_inventory_parse(TEXT(j), a, &lv));
    json_decref(j);
    assert_int_equal(lv.n, 2);
    assert_string_equal(lv.items[1].location, "paris");
    assert_int_equal(lv.items[1].available, -1); /* oversold is a fact, not garbage */
    j = parse("{\"levels\":[{\"sku\":\"A\",\"location\":\"berlin\",\"available\":\"3\"}]}");
    assert_non_null(bff_inventory_parse(TEXT(j), a, &lv));
    json_decref(j);

    bff_order_t o;
    j = parse("{\"id\":\"ord_1\",\"number\":1001,\"currency\":\"EUR\",\"total_minor\":2599,\"authorization_id\":\"auth_1\","
              "\"lines\":[{\"sku\":\"A\",\"quantity\":2,\"unit_price_minor\":1000,\"discount_minor\":100}]}");
    assert_null(bff_orders_parse(j, a, &o));
    json_decref(j);
    assert_string_equal(o.id, "ord_1");
    assert_int_equal(o.number, 1001);
    assert_int_equal(o.total, 2599);
    assert_string_equal(o.fulfillment_status, "unknown");
    assert_int_equal(o.nlines, 1);
    assert_int_equal(o.lines[0].discount, 100);
    static const char *const bad[] = {
        "{\"id\":\"ord_1\",\"number\":1,\"currency\":\"EUR\",\"authorization_id\":\"a\"}",
        "{\"id\":\"ord_1\",\"number\":1,\"currency\":\"EUR\",\"total_minor\":-5,\"authorization_id\":\"a\"}",
        "{\"id\":\"ord_1\",\"number\":1,\"currency\":\"EUR\",\"total_minor\":5,\"authorization_id\":\"a\",\"lines\":["
        "{\"sku\":\"A\",\"quantity\":0,\"unit_price_minor\":1,\"discount_minor\":0}]}",
        "{\"id\":\"ord_1\",\"number\":1,\"currency\":\"EUR\",\"total_minor\":5,\"authorization_id\":\"a\",\"lines\":{}}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        j = parse(bad[i]);
        assert_non_null(bff_orders_parse(j, a, &o));
        json_decref(j);
    }
    bff_arena_free(a);
}

/* The saga's lookups by idempotency key: no list, none, a cancelled order, an authorization. */
static void test_lookups(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    bff_order_t o;
    bool found, cancelled;
    json_t *j = parse("{\"error\":\"x\"}");
    assert_ptr_equal(bff_orders_lookup_parse(j, a, &o, &found, &cancelled), BFF_ORDERS_NO_LIST);
    json_decref(j);
    j = parse("{\"orders\":[]}");
    assert_null(bff_orders_lookup_parse(j, a, &o, &found, &cancelled));
    assert_false(found);
    json_decref(j);
    j = parse("{\"orders\":[{\"id\":\"o1\",\"number\":7,\"currency\":\"EUR\",\"total_minor\":100,"
              "\"authorization_id\":\"a1\",\"status\":\"cancelled\",\"lines\":[]}]}");
    assert_null(bff_orders_lookup_parse(j, a, &o, &found, &cancelled));
    assert_true(found && cancelled);
    assert_string_equal(o.id, "o1");
    json_decref(j);
    j = parse("{\"orders\":[{\"id\":\"o1\"}]}"); /* an order that cannot be read: a reason, never a found order */
    const char *why = bff_orders_lookup_parse(j, a, &o, &found, &cancelled);
    assert_non_null(why);
    assert_ptr_not_equal(why, BFF_ORDERS_NO_LIST);
    assert_false(found);
    json_decref(j);
    bff_payment_t p;
    j = parse("{\"authorizations\":[{\"id\":\"a1\",\"status\":\"voided\",\"amount_minor\":100}]}");
    assert_null(bff_payments_lookup_parse(j, a, &p, &found));
    assert_true(found);
    assert_string_equal(p.status, "voided");
    json_decref(j);
    j = parse("{\"authorizations\":{}}");
    assert_ptr_equal(bff_payments_lookup_parse(j, a, &p, &found), BFF_PAYMENTS_NO_LIST);
    json_decref(j);
    bff_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pricing),
        cmocka_unit_test(test_pricing_request),
        cmocka_unit_test(test_escape_as_curl),
        cmocka_unit_test(test_lookups),
        cmocka_unit_test(test_promotions_shipping_tax),
        cmocka_unit_test(test_payments),
        cmocka_unit_test(test_inventory_and_orders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
