/*
 * test_policy.c - the circuit breaker's states over a driven clock, and the
 * bulkhead's run / wait / refuse accounting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "adapters/policy.h"

static const bff_breaker_conf_t conf = {
    .window_ms = 10000, .min_calls = 10, .open_ms = 5000, .half_open_probes = 2, .failure_rate = 0.5,
    .slow_call_ms = 0, .slow_rate = 1.0,
};

static void calls(bff_breaker_t *b, uint64_t now, int n, bool failed)
{
    for (int i = 0; i < n; ++i) {
        assert_true(bff_breaker_allow(b, now));
        bff_breaker_record(b, now, failed, 5);
    }
}

static void test_opens_on_failure_rate_and_recovers(void **state)
{
    bff_breaker_t b;
    bff_breaker_init(&b, &conf);
    calls(&b, 1000, 5, false);
    calls(&b, 1000, 4, true); /* 9 calls: under min_calls, stays closed */
    assert_int_equal(bff_breaker_state(&b, 1000), BFF_BREAKER_CLOSED);
    calls(&b, 1000, 1, true); /* 10 calls, 5 failed: 50% */
    assert_int_equal(bff_breaker_state(&b, 1000), BFF_BREAKER_OPEN);
    assert_false(bff_breaker_allow(&b, 5999));
    /* after open_ms: half-open, two probes only */
    assert_int_equal(bff_breaker_state(&b, 6000), BFF_BREAKER_HALF_OPEN);
    assert_true(bff_breaker_allow(&b, 6000));
    assert_true(bff_breaker_allow(&b, 6000));
    assert_false(bff_breaker_allow(&b, 6000));
    bff_breaker_record(&b, 6010, false, 5);
    assert_int_equal(bff_breaker_state(&b, 6010), BFF_BREAKER_HALF_OPEN);
    bff_breaker_record(&b, 6020, false, 5);
    assert_int_equal(bff_breaker_state(&b, 6020), BFF_BREAKER_CLOSED);
    assert_int_equal(b.opens, 1);
}

static void test_failed_probe_reopens(void **state)
{
    bff_breaker_t b;
    bff_breaker_init(&b, &conf);
    calls(&b, 0, 10, true);
    assert_int_equal(bff_breaker_state(&b, 0), BFF_BREAKER_OPEN);
    assert_true(bff_breaker_allow(&b, 5000));
    bff_breaker_record(&b, 5001, true, 5);
    assert_int_equal(bff_breaker_state(&b, 5001), BFF_BREAKER_OPEN);
    assert_false(bff_breaker_allow(&b, 9000)); /* a new open period from 5001 */
    assert_true(bff_breaker_allow(&b, 10001));
    assert_int_equal(b.opens, 2);
}

static void test_old_failures_leave_the_window(void **state)
{
    bff_breaker_t b;
    bff_breaker_init(&b, &conf);
    calls(&b, 0, 9, true);        /* 9 failures at t=0 */
    calls(&b, 20000, 1, true);    /* 20 s later they are out of the 10 s window: 1 call, under min_calls */
    assert_int_equal(bff_breaker_state(&b, 20000), BFF_BREAKER_CLOSED);
    calls(&b, 20500, 20, false);  /* 21 calls, 1 failed */
    assert_int_equal(bff_breaker_state(&b, 20500), BFF_BREAKER_CLOSED);
}

static void test_slow_calls_open_it(void **state)
{
    bff_breaker_conf_t c = conf;
    c.slow_call_ms = 100;
    c.slow_rate = 0.8;
    bff_breaker_t b;
    bff_breaker_init(&b, &c);
    for (int i = 0; i < 10; ++i) {
        assert_true(bff_breaker_allow(&b, 0));
        bff_breaker_record(&b, 0, false, i < 8 ? 150 : 10); /* 8 of 10 slow */
    }
    assert_int_equal(bff_breaker_state(&b, 0), BFF_BREAKER_OPEN);
}

static void test_bulkhead(void **state)
{
    bff_bulkhead_t h = {.conf = {.max_concurrent = 2, .max_queue = 1, .queue_timeout_ms = 50}};
    assert_int_equal(bff_bulkhead_enter(&h), BFF_BULKHEAD_RUN);
    assert_int_equal(bff_bulkhead_enter(&h), BFF_BULKHEAD_RUN);
    assert_int_equal(bff_bulkhead_enter(&h), BFF_BULKHEAD_WAIT);
    assert_int_equal(bff_bulkhead_enter(&h), BFF_BULKHEAD_REJECT);
    assert_int_equal(h.rejected, 1);
    assert_true(bff_bulkhead_leave(&h)); /* a slot for the waiting one */
    bff_bulkhead_dequeue(&h, true);
    assert_int_equal(h.in_flight, 2);
    assert_int_equal(h.queued, 0);
    assert_int_equal(bff_bulkhead_enter(&h), BFF_BULKHEAD_WAIT);
    bff_bulkhead_dequeue(&h, false); /* it timed out waiting */
    assert_false(bff_bulkhead_leave(&h));
    assert_int_equal(h.in_flight, 1);
    assert_int_equal(bff_bulkhead_enter(&h), BFF_BULKHEAD_RUN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opens_on_failure_rate_and_recovers),
        cmocka_unit_test(test_failed_probe_reopens),
        cmocka_unit_test(test_old_failures_leave_the_window),
        cmocka_unit_test(test_slow_calls_open_it),
        cmocka_unit_test(test_bulkhead),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
