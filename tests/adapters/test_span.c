/*
 * test_span.c - what spans are named and sampled by: every path an adapter
 * builds (with ids holding slashes, query characters and spaces) has its
 * route template, a path no adapter builds has none, and the sampler keeps
 * a caller's decision and applies the ratio to traces started here. The
 * OTLP bytes themselves are checked against OpenTelemetry's own protobuf
 * definitions in tests/integration/traces.test.mjs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "adapters/span.h"
#include "adapters/storefront.h"
#include "adapters/vendors.h"

static void expect_route(const char *path, const char *route)
{
    const char *got = bff_route_template(path);
    if (got == NULL || strcmp(got, route) != 0)
        fail_msg("%s: route %s, expected %s", path, got ? got : "(none)", route);
}

static void test_every_built_path_has_its_route(void **state)
{
    (void)state;
    bff_arena_t *a = bff_arena_new(4096);
    static const char *const ids[] = {"p0001", "a/b", "x?y=1&z", "with space", "%2F", "é"};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); ++i) {
        const char *id = ids[i];
        expect_route(bff_catalog_product_path(a, id), BFF_CATALOG_PRODUCTS_PATH "/{id}");
        expect_route(bff_catalog_handle_path(a, id), BFF_CATALOG_PRODUCTS_PATH);
        expect_route(bff_reviews_path(a, id, 3), "/reviews/products/{id}");
        expect_route(bff_recommendations_path(a, id, 4), "/recs/for/{id}");
        expect_route(bff_carts_path(a, id, BFF_CART_ITSELF), "/carts/{id}");
        expect_route(bff_carts_path(a, id, BFF_CART_LINES), "/carts/{id}/lines");
        expect_route(bff_carts_path(a, id, BFF_CART_DISCOUNT_CODES), "/carts/{id}/discount-codes");
        expect_route(bff_carts_path(a, id, BFF_CART_BUYER), "/carts/{id}/buyer");
        expect_route(bff_carts_path(a, id, BFF_CART_SHIPPING_RATE), "/carts/{id}/shipping-rate");
        expect_route(bff_carts_path(a, id, BFF_CART_COMPLETE), "/carts/{id}/complete");
        expect_route(bff_payments_path(a, id), "/payments/{id}");
        expect_route(bff_payments_capture_path(a, id), "/payments/{id}/capture");
        expect_route(bff_payments_void_path(a, id), "/payments/{id}/void");
        expect_route(bff_payments_by_key_path(a, id), "/payments");
        expect_route(bff_orders_path(a, id), "/orders/{id}");
        expect_route(bff_orders_cancel_path(a, id), "/orders/{id}/cancel");
        expect_route(bff_orders_by_key_path(a, id), BFF_ORDERS_PATH);
        const char *skus[] = {id, "sku-2"};
        expect_route(bff_catalog_variants_path(a, skus, 2), BFF_CATALOG_VARIANTS_PATH);
        expect_route(bff_inventory_path(a, skus, 2), "/inventory/levels");
        bff_listing_t l = {.page = 2, .per_page = 20, .query = id, .collection = id, .min_price = -1, .max_price = -1,
                           .in_stock = -1};
        expect_route(bff_catalog_listing_path(a, &l), BFF_CATALOG_PRODUCTS_PATH);
    }
    static const char *const fixed[] = {BFF_CATALOG_COLLECTIONS_PATH, BFF_PRICING_QUOTES_PATH,
                                        BFF_PROMOTIONS_EVALUATE_PATH, BFF_SHIPPING_RATES_PATH,
                                        BFF_TAX_CALCULATE_PATH, BFF_CUSTOMERS_ME_PATH,
                                        BFF_CARTS_PATH, BFF_PAYMENTS_AUTHORIZE_PATH, BFF_ORDERS_PATH};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); ++i)
        expect_route(fixed[i], fixed[i]);
    bff_arena_free(a);
}

static void test_paths_no_adapter_builds(void **state)
{
    (void)state;
    static const char *const none[] = {"/carts//lines", "/carts/x/lines/extra", "/carts/x/unknown", "/orders/x/y/cancel",
                                       "/", "", "/payments/", "/admin", "carts/x", "/catalog/v1/products/a/b"};
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); ++i)
        if (bff_route_template(none[i]) != NULL)
            fail_msg("%s: route %s, expected none", none[i], bff_route_template(none[i]));
    expect_route("/carts/x?y=/lines", "/carts/{id}"); /* the query is not part of the route */
}

/* A trace started here with the given low 56 bits (the last 14 hex digits of its id). */
static bff_trace_t started(const char *low14)
{
    bff_trace_t t;
    memset(&t, 0, sizeof(t));
    memcpy(t.trace_id, "4bf92f3577b34da6a3", 18);
    memcpy(t.trace_id + 18, low14, 14);
    memcpy(t.span_id, "00f067aa0ba902b7", 17);
    return t;
}

static void test_sampling(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    bff_tracer_stats_t stats = {0};
    bff_tracer_conf_t conf = {.endpoint = "http://127.0.0.1:1/", .sample_ratio = 0.25};
    bff_tracer_t *t = bff_tracer_new(&loop, NULL, &conf, &stats);
    /* a quarter of the 56-bit space: below 0x40000000000000 */
    bff_trace_t tr = started("00000000000000");
    assert_true(bff_tracer_sample(t, &tr));
    assert_int_equal(tr.flags, 1);
    tr = started("3fffffffffffff");
    assert_true(bff_tracer_sample(t, &tr));
    tr = started("40000000000000");
    assert_false(bff_tracer_sample(t, &tr));
    assert_int_equal(tr.flags, 0);
    tr = started("ffffffffffffff");
    assert_false(bff_tracer_sample(t, &tr));
    /* the high digits do not count: only the low 56 bits, as TraceIdRatioBased */
    tr = started("10000000000000");
    tr.trace_id[0] = 'f';
    assert_true(bff_tracer_sample(t, &tr));
    /* a caller's decision stands, whatever the ratio says */
    tr = started("ffffffffffffff");
    memcpy(tr.parent_id, "b7ad6b7169203331", 17);
    tr.flags = 1;
    assert_true(bff_tracer_sample(t, &tr));
    assert_int_equal(tr.flags, 1);
    tr = started("00000000000000");
    memcpy(tr.parent_id, "b7ad6b7169203331", 17);
    tr.flags = 0;
    assert_false(bff_tracer_sample(t, &tr));
    assert_int_equal(tr.flags, 0);
    bff_tracer_free(t);
    /* ratio 1 and 0: all and none */
    conf.sample_ratio = 1;
    t = bff_tracer_new(&loop, NULL, &conf, &stats);
    tr = started("ffffffffffffff");
    assert_true(bff_tracer_sample(t, &tr));
    bff_tracer_free(t);
    conf.sample_ratio = 0;
    t = bff_tracer_new(&loop, NULL, &conf, &stats);
    tr = started("00000000000000");
    assert_false(bff_tracer_sample(t, &tr));
    assert_true(bff_tracer_idle(t));
    bff_tracer_free(t);
    assert_int_equal(uv_loop_close(&loop), 0); /* no span ended: the tracers set no timer */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_built_path_has_its_route),
        cmocka_unit_test(test_paths_no_adapter_builds),
        cmocka_unit_test(test_sampling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
