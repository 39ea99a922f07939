/*
 * test_storefront.c - catalog, reviews, recommendations, customers and carts
 * answers mapped to C types: what a good answer becomes, and that answers
 * missing what the schema promises are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

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

#define PRODUCT                                                                                                        \
    "{\"id\":\"p1\",\"handle\":\"h\",\"title\":\"T\",\"vendor\":\"V\",\"created_at\":\"2024-01-01\",\"tags\":[\"a\",3],"   \
    "\"images\":[{\"src\":\"u\"}],\"variants\":[{\"sku\":\"S1\",\"options\":{\"size\":\"M\"},\"list_price\":\"129.90\","   \
    "\"weight_grams\":500},{\"sku\":\"S2\",\"title\":\"L\"}]}"

static void test_product(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    bff_product_t p;
    json_t *j = parse(PRODUCT);
    assert_null(bff_catalog_product(j, a, &p));
    json_decref(j);
    assert_string_equal(p.id, "p1");
    assert_null(p.description);
    assert_int_equal(p.ntags, 1); /* a tag that is not text is left out */
    assert_int_equal(p.nimages, 1);
    assert_null(p.images[0].alt);
    assert_int_equal(p.nvariants, 2);
    assert_int_equal(p.variants[0].list_price, 12990);
    assert_string_equal(p.variants[0].title, "S1"); /* no title: the SKU */
    assert_string_equal(p.variants[0].options[0].name, "size");
    assert_int_equal(p.variants[1].list_price, -1);
    static const char *const bad[] = {
        "{\"id\":\"p1\",\"handle\":\"h\",\"title\":\"T\",\"vendor\":\"V\",\"created_at\":\"x\"}", /* no variants */
        "{\"handle\":\"h\",\"title\":\"T\",\"vendor\":\"V\",\"created_at\":\"x\",\"variants\":[]}", /* no id */
        "{\"id\":\"p1\",\"handle\":\"h\",\"title\":\"T\",\"vendor\":\"V\",\"created_at\":\"x\",\"variants\":[{\"title\":\"x\"}]}",
        "{\"id\":\"p1\",\"handle\":\"h\",\"title\":\"T\",\"vendor\":\"V\",\"created_at\":\"x\",\"variants\":[{\"sku\":\"S\","
        "\"list_price\":\"12.999\"}]}", /* not an exact EUR amount */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        j = parse(bad[i]);
        assert_non_null(bff_catalog_product(j, a, &p));
        json_decref(j);
    }
    bff_product_t *items;
    size_t n, skipped;
    int64_t total;
    j = parse("{\"total\":40,\"items\":[" PRODUCT ",{\"id\":\"broken\"}]}");
    assert_null(bff_catalog_page(j, a, &items, &n, &total, &skipped));
    json_decref(j);
    assert_int_equal(n, 1);
    assert_int_equal(skipped, 1);
    assert_int_equal(total, 40);
    bff_arena_free(a);
}

static void test_reviews_recs_customers(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    bff_reviews_t rv;
    json_t *j = parse("{\"count\":2,\"average\":4.5,\"reviews\":[{\"id\":\"r1\",\"rating\":5,\"title\":\"Good\",\"author\":\"A\"}]}");
    assert_null(bff_reviews_parse(TEXT(j), a, &rv));
    json_decref(j);
    assert_int_equal(rv.count, 2);
    assert_int_equal(rv.items[0].rating, 5);
    j = parse("{\"count\":0,\"average\":null,\"reviews\":[]}");
    assert_null(bff_reviews_parse(TEXT(j), a, &rv));
    json_decref(j);
    assert_true(rv.average < 0);
    static const char *const bad_reviews[] = {"{\"count\":1,\"average\":9,\"reviews\":[]}",
                                              "{\"count\":1,\"reviews\":[{\"id\":\"r\",\"rating\":6}]}",
                                              "{\"count\":\"1\",\"reviews\":[]}"};
    for (size_t i = 0; i < sizeof(bad_reviews) / sizeof(bad_reviews[0]); ++i) {
        j = parse(bad_reviews[i]);
        assert_non_null(bff_reviews_parse(TEXT(j), a, &rv));
        json_decref(j);
    }
    const char **ids;
    size_t n;
    j = parse("{\"items\":[\"p2\",\"p3\"]}");
    assert_null(bff_recommendations_parse(TEXT(j), a, &ids, &n));
    json_decref(j);
    assert_int_equal(n, 2);
    assert_string_equal(ids[1], "p3");
    j = parse("{\"items\":[2]}");
    assert_non_null(bff_recommendations_parse(TEXT(j), a, &ids, &n));
    json_decref(j);
    bff_customer_t c;
    j = parse("{\"id\":\"c1\",\"email\":\"e@x\",\"addresses\":[{\"id\":\"a1\",\"country\":\"DE\"}]}");
    assert_null(bff_customers_parse(j, a, &c));
    json_decref(j);
    assert_null(c.first_name);
    assert_string_equal(c.addresses[0].country, "DE");
    j = parse("{\"id\":\"c1\",\"email\":\"e@x\",\"addresses\":[{\"id\":\"a1\"}]}");
    assert_non_null(bff_customers_parse(j, a, &c));
    json_decref(j);
    bff_arena_free(a);
}

/* The cart lines' variant batch, read from the text: each refusal, the index by SKU, its path. */
static void test_variant_batch(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    bff_variants_t v;
    const char *ok = "{\"variants\":[{\"sku\":\"A-1\",\"title\":\"S\",\"options\":{\"size\":\"S\"},\"weight_grams\":450,"
                     "\"list_price\":\"19.90\",\"product_id\":\"p1\",\"product_title\":\"Tee\",\"product_handle\":\"tee\"},"
                     "{\"sku\":\"B-2\",\"product_title\":\"Cap\",\"product_handle\":\"cap\",\"extra\":[1,{\"x\":null}]},"
                     "{\"sku\":\"A-1\",\"title\":\"again\",\"product_title\":\"T\",\"product_handle\":\"t\"}]}";
    assert_null(bff_catalog_variants_parse(ok, strlen(ok), a, &v));
    assert_int_equal(v.n, 3);
    const bff_variant_t *x = bff_variants_find(&v, "A-1");
    assert_non_null(x);
    assert_string_equal(x->title, "S"); /* the first of a SKU listed twice */
    assert_int_equal(x->weight_grams, 450);
    assert_int_equal(x->list_price, 1990);
    assert_int_equal(x->noptions, 1);
    assert_string_equal(x->options[0].name, "size");
    x = bff_variants_find(&v, "B-2");
    assert_string_equal(x->title, "B-2"); /* no title: the SKU */
    assert_int_equal(x->weight_grams, 0);
    assert_int_equal(x->list_price, -1);
    assert_null(bff_variants_find(&v, "C-3"));
    static const struct {
        const char *text, *why;
    } bad[] = {
        {"{\"items\":[]}", "catalog answered without a variant list"},
        {"{\"variants\":{}}", "catalog answered without a variant list"},
        {"{\"variants\":[{\"title\":\"x\"}]}", "catalog answered a variant without a SKU"},
        {"{\"variants\":[{\"sku\":\"A\",\"options\":{\"size\":1},\"product_title\":\"T\",\"product_handle\":\"t\"}]}",
         "catalog answered a variant option that is not text"},
        {"{\"variants\":[{\"sku\":\"A\",\"list_price\":\"1.999\",\"product_title\":\"T\",\"product_handle\":\"t\"}]}",
         "catalog answered a list price that is not an exact EUR amount"},
        {"{\"variants\":[{\"sku\":\"A\",\"product_title\":\"T\"}]}", "catalog answered a variant without its product"},
        {"{\"variants\":[7]}", "catalog answered a variant without a SKU"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        const char *why = bff_catalog_variants_parse(bad[i].text, strlen(bad[i].text), a, &v);
        assert_non_null(why);
        assert_string_equal(why, bad[i].why);
    }
    /* broken JSON is refused with the reader's reason, naming the provider */
    const char *why = bff_catalog_variants_parse("{\"variants\":[", 13, a, &v);
    assert_non_null(why);
    assert_non_null(strstr(why, "catalog answered with invalid JSON"));
    const char *const skus[] = {"A-1", "a&b"};
    assert_string_equal(bff_catalog_variants_path(a, skus, 2), "/catalog/v1/variants?sku=A-1&sku=a%26b");
    bff_arena_free(a);
}

/* Every path the providers are called with comes from their adapters, ids escaped. */
static void test_paths(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    assert_string_equal(bff_carts_path(a, "cart-7", BFF_CART_ITSELF), "/carts/cart-7");
    assert_string_equal(bff_carts_path(a, "cart-7", BFF_CART_LINES), "/carts/cart-7/lines");
    assert_string_equal(bff_carts_path(a, "c/1", BFF_CART_COMPLETE), "/carts/c%2F1/complete");
    assert_string_equal(bff_carts_path(a, "c", BFF_CART_SHIPPING_RATE), "/carts/c/shipping-rate");
    assert_string_equal(bff_orders_cancel_path(a, "o 1"), "/orders/o%201/cancel");
    assert_string_equal(bff_orders_by_key_path(a, "k&x=1"), "/orders?idempotency_key=k%26x%3D1");
    assert_string_equal(bff_payments_capture_path(a, "auth_1"), "/payments/auth_1/capture");
    assert_string_equal(bff_payments_void_path(a, "auth_1"), "/payments/auth_1/void");
    assert_string_equal(bff_payments_by_key_path(a, "k"), "/payments?idempotency_key=k");
    assert_string_equal(bff_catalog_product_path(a, "p/../1"), "/catalog/v1/products/p%2F..%2F1");
    assert_string_equal(bff_catalog_handle_path(a, "linen bag"), "/catalog/v1/products?per_page=1&handle=linen%20bag");
    bff_listing_t l = {.page = 2, .per_page = 20, .min_price = -1, .max_price = -1, .in_stock = -1};
    assert_string_equal(bff_catalog_listing_path(a, &l), "/catalog/v1/products?page=2&per_page=20");
    l = (bff_listing_t){.page = 1, .per_page = 5, .query = "red&blue", .collection = "c 01", .vendor = "V",
                        .min_price = 1990, .max_price = -1, .in_stock = 1, .sort = BFF_LISTING_SORT_PRICE, .descending = true};
    assert_string_equal(bff_catalog_listing_path(a, &l), "/catalog/v1/products?page=1&per_page=5&q=red%26blue&collection=c%2001"
                                                         "&vendor=V&min_price=19.90&in_stock=true&sort=price&order=desc");
    bff_arena_free(a);
}

static void test_carts(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    bff_cart_t c;
    json_t *j = parse("{\"id\":\"k\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"S\",\"quantity\":2}],\"discount_codes\":[\"X\"],"
                      "\"buyer\":{\"email\":\"e@x\",\"address\":{\"country\":\"NL\",\"city\":\"Utrecht\"}},"
                      "\"shipping_rate_id\":\"standard\"}");
    assert_null(bff_carts_parse(j, a, &c));
    json_decref(j);
    assert_int_equal(c.nlines, 1);
    assert_int_equal(c.lines[0].quantity, 2);
    assert_true(c.has_address);
    json_t *addr = bff_address_json(&c.address);
    assert_string_equal(json_string_value(json_object_get(addr, "city")), "Utrecht");
    assert_null(json_object_get(addr, "zip"));
    json_decref(addr);
    static const char *const bad[] = {
        "{\"id\":\"k\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"S\",\"quantity\":0}]}",
        "{\"id\":\"k\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"S\",\"quantity\":1.5}]}",
        "{\"id\":\"k\",\"currency\":\"EURO\",\"lines\":[]}",
        "{\"id\":\"k\",\"currency\":\"EUR\",\"lines\":[],\"buyer\":{\"address\":{\"city\":\"x\"}}}",
        "{\"id\":\"k\",\"currency\":\"EUR\",\"lines\":[],\"discount_codes\":[1]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        j = parse(bad[i]);
        assert_non_null(bff_carts_parse(j, a, &c));
        json_decref(j);
    }
    bff_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_product),
        cmocka_unit_test(test_reviews_recs_customers),
        cmocka_unit_test(test_carts),
        cmocka_unit_test(test_variant_batch),
        cmocka_unit_test(test_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
