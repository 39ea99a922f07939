/*
 * test_totals.c - the totals arithmetic (resolvers/totals.h) against a second,
 * naive implementation written here: exact rational shares compared one by
 * one to find the largest remainders, all in 128-bit integers, so it cannot
 * overflow where the real one must refuse. Thousands of random carts (small
 * and huge amounts, many lines, discounts above the subtotal), a rounding
 * table, and the overflow and negative cases, which must be errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "resolvers/totals.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int64_t upto(int64_t max)
{
    return max <= 0 ? 0 : (int64_t)(next() % (uint64_t)(max + 1));
}

typedef struct st_naive_t {
    bool ok;
    __int128 line[BFF_TOTALS_MAX_LINES], alloc[BFF_TOTALS_MAX_LINES];
    __int128 subtotal, discounts, total;
} naive_t;

/* The same definition, computed the slow and obvious way. */
static void naive(const bff_totals_in_t *in, naive_t *n)
{
    n->subtotal = 0;
    for (size_t i = 0; i < in->nlines; ++i) {
        n->line[i] = (__int128)in->unit[i] * in->quantity[i];
        n->subtotal += n->line[i];
    }
    n->ok = n->subtotal <= INT64_MAX;
    for (size_t i = 0; i < in->nlines; ++i)
        n->ok = n->ok && n->line[i] <= INT64_MAX;
    if (!n->ok)
        return; /* 64 bits cannot hold it: the real one must refuse */
    n->discounts = in->discount_requested < n->subtotal ? in->discount_requested : n->subtotal;
    /* each line's exact share is discounts * line / subtotal: its floor, then the leftover units one by one
       to the lines whose fractional parts are largest (comparing fractions exactly), earlier line on a tie */
    bool got[BFF_TOTALS_MAX_LINES] = {false};
    __int128 given = 0;
    for (size_t i = 0; i < in->nlines; ++i) {
        n->alloc[i] = n->subtotal ? n->discounts * n->line[i] / n->subtotal : 0;
        given += n->alloc[i];
    }
    for (__int128 left = n->discounts - given; left > 0; --left) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < in->nlines; ++i) {
            if (got[i])
                continue;
            __int128 frac_i = n->discounts * n->line[i] - n->alloc[i] * n->subtotal;
            __int128 frac_b = best == SIZE_MAX ? -1 : n->discounts * n->line[best] - n->alloc[best] * n->subtotal;
            if (frac_i > frac_b)
                best = i;
        }
        n->alloc[best] += 1;
        got[best] = true;
    }
    n->total = n->subtotal - n->discounts + in->shipping + (in->tax < 0 ? 0 : in->tax);
    n->ok = in->tax < 0 || n->total <= INT64_MAX;
}

static void check_against_naive(const bff_totals_in_t *in)
{
    static int64_t line[BFF_TOTALS_MAX_LINES], alloc[BFF_TOTALS_MAX_LINES], taxable[BFF_TOTALS_MAX_LINES];
    static naive_t n;
    bff_totals_out_t out = {line, alloc, taxable, 0, 0, 0};
    bff_totals_error_t e = bff_totals_compute(in, &out);
    naive(in, &n);
    if (!n.ok) {
        assert_int_equal(e, BFF_TOTALS_OVERFLOW); /* never a wrong amount */
        return;
    }
    assert_int_equal(e, BFF_TOTALS_OK);
    assert_true(out.subtotal == n.subtotal && out.discounts == n.discounts);
    int64_t sum = 0;
    for (size_t i = 0; i < in->nlines; ++i) {
        assert_true(line[i] == n.line[i]);
        assert_true(alloc[i] == n.alloc[i]);
        assert_true(taxable[i] == line[i] - alloc[i] && taxable[i] >= 0);
        sum += alloc[i];
    }
    assert_true(sum == out.discounts);
    if (in->tax >= 0)
        assert_true(out.total == n.total);
    else
        assert_int_equal(out.total, -1);
}

static void test_random_carts_agree_with_naive(void **state)
{
    static int64_t unit[BFF_TOTALS_MAX_LINES], qty[BFF_TOTALS_MAX_LINES];
    for (int round = 0; round < 20000; ++round) {
        size_t nlines = round % 50 == 0 ? (size_t)upto(BFF_TOTALS_MAX_LINES) : (size_t)upto(8);
        int scale = (int)upto(3); /* cents, big prices, amounts near the edge of 64 bits */
        int64_t max_unit = scale == 0 ? 100000 : scale == 1 ? 100000000000LL : INT64_MAX / 2;
        for (size_t i = 0; i < nlines; ++i) {
            unit[i] = upto(max_unit);
            qty[i] = scale == 2 ? upto(3) : upto(999);
        }
        bff_totals_in_t in = {nlines, unit, qty, upto(scale == 2 ? INT64_MAX / 2 : 20000000), upto(100000),
                              round % 3 == 0 ? -1 : upto(10000000)};
        check_against_naive(&in);
    }
}

/* A table whose answers are worked out by hand. */
static void test_rounding_table(void **state)
{
    /* 10.00 off 30.00 + 30.00 + 40.00: 3.00 / 3.00 / 4.00 */
    int64_t u1[] = {3000, 3000, 4000}, q1[] = {1, 1, 1}, l[3], a[3], t[3];
    bff_totals_in_t in = {3, u1, q1, 1000, 490, 0};
    bff_totals_out_t out = {l, a, t, 0, 0, 0};
    assert_int_equal(bff_totals_compute(&in, &out), BFF_TOTALS_OK);
    assert_int_equal(a[0], 300);
    assert_int_equal(a[1], 300);
    assert_int_equal(a[2], 400);
    assert_int_equal(out.total, 10000 - 1000 + 490);
    /* 1 cent over three equal lines: it goes to the first */
    int64_t u2[] = {100, 100, 100}, q2[] = {1, 1, 1};
    bff_totals_in_t in2 = {3, u2, q2, 1, 0, 0};
    assert_int_equal(bff_totals_compute(&in2, &out), BFF_TOTALS_OK);
    assert_int_equal(a[0], 1);
    assert_int_equal(a[1] + a[2], 0);
    /* 2 cents over 1/3, 1/3, 1/3 weighted 10, 20, 30: floors 0, 0, 1; the leftover unit to the largest remainder (line 2) */
    int64_t u3[] = {10, 20, 30}, q3[] = {1, 1, 1};
    bff_totals_in_t in3 = {3, u3, q3, 2, 0, -1};
    assert_int_equal(bff_totals_compute(&in3, &out), BFF_TOTALS_OK);
    assert_int_equal(a[0], 0);
    assert_int_equal(a[1], 1);
    assert_int_equal(a[2], 1);
    assert_int_equal(out.total, -1);
    /* a discount above the subtotal is capped: the goods cost nothing, never less */
    bff_totals_in_t in4 = {3, u1, q1, 999999, 490, 19};
    assert_int_equal(bff_totals_compute(&in4, &out), BFF_TOTALS_OK);
    assert_int_equal(out.discounts, 10000);
    assert_int_equal(out.total, 490 + 19);
    /* an empty cart */
    bff_totals_in_t in5 = {0, NULL, NULL, 500, 0, 0};
    assert_int_equal(bff_totals_compute(&in5, &out), BFF_TOTALS_OK);
    assert_int_equal(out.subtotal, 0);
    assert_int_equal(out.discounts, 0);
    assert_int_equal(out.total, 0);
}

static void test_overflow_and_negative_are_errors(void **state)
{
    int64_t l[2], a[2], t[2];
    bff_totals_out_t out = {l, a, t, 0, 0, 0};
    int64_t big[] = {INT64_MAX / 2 + 1, INT64_MAX / 2 + 1}, one[] = {1, 1}, two[] = {2, 1};
    bff_totals_in_t sum = {2, big, one, 0, 0, 0};
    assert_int_equal(bff_totals_compute(&sum, &out), BFF_TOTALS_OVERFLOW); /* the subtotal */
    bff_totals_in_t mul = {1, big, two, 0, 0, 0};
    assert_int_equal(bff_totals_compute(&mul, &out), BFF_TOTALS_OVERFLOW); /* a line */
    int64_t near[] = {INT64_MAX - 10};
    bff_totals_in_t total = {1, near, one, 0, 5, 6};
    assert_int_equal(bff_totals_compute(&total, &out), BFF_TOTALS_OVERFLOW); /* the total */
    int64_t neg[] = {-1};
    bff_totals_in_t negative = {1, neg, one, 0, 0, 0};
    assert_int_equal(bff_totals_compute(&negative, &out), BFF_TOTALS_NEGATIVE);
    bff_totals_in_t negative_discount = {1, one, one, -5, 0, 0};
    assert_int_equal(bff_totals_compute(&negative_discount, &out), BFF_TOTALS_NEGATIVE);
    bff_totals_in_t many = {BFF_TOTALS_MAX_LINES + 1, one, one, 0, 0, 0};
    assert_int_equal(bff_totals_compute(&many, &out), BFF_TOTALS_TOO_MANY_LINES);
    int64_t w;
    assert_false(bff_totals_mul_add(INT64_MAX, 2, 0, &w));
    assert_false(bff_totals_mul_add(1, 1, INT64_MAX, &w));
    assert_true(bff_totals_mul_add(250, 3, 10, &w) && w == 760);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_carts_agree_with_naive),
        cmocka_unit_test(test_rounding_table),
        cmocka_unit_test(test_overflow_and_negative_are_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
