/*
 * test_money.c - the money table: minor units to decimal strings and back,
 * per currency exponent, refusing (never rounding) amounts more precise than
 * the currency.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "adapters/money.h"

static void test_format_table(void **state)
{
    static const struct {
        int64_t minor;
        const char *currency, *want;
    } rows[] = {
        {0, "EUR", "0.00"},          {5, "EUR", "0.05"},       {99, "EUR", "0.99"},     {12990, "EUR", "129.90"},
        {-250, "EUR", "-2.50"},      {-5, "USD", "-0.05"},     {1299, "JPY", "1299"},   {-7, "JPY", "-7"},
        {1234, "KWD", "1.234"},      {5, "BHD", "0.005"},      {INT64_MAX, "EUR", "92233720368547758.07"},
        {INT64_MIN, "EUR", "-92233720368547758.08"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); ++i) {
        char buf[48];
        bff_money_format(buf, sizeof(buf), rows[i].minor, rows[i].currency);
        assert_string_equal(buf, rows[i].want);
    }
}

static void test_parse_table(void **state)
{
    static const struct {
        const char *text, *currency;
        int ok;
        int64_t minor;
    } rows[] = {
        {"129.90", "EUR", 1, 12990}, {"129.9", "EUR", 1, 12990}, {"129", "EUR", 1, 12900}, {"0.05", "USD", 1, 5},
        {"-2.5", "EUR", 1, -250},    {"1299", "JPY", 1, 1299},   {"1.234", "KWD", 1, 1234},
        /* refused: more precise than the currency, malformed, out of range */
        {"0.005", "EUR", 0, 0},      {"12.5", "JPY", 0, 0},      {"1.", "EUR", 0, 0},     {".5", "EUR", 0, 0},
        {"1,50", "EUR", 0, 0},       {"", "EUR", 0, 0},          {"-", "EUR", 0, 0},      {"1e3", "EUR", 0, 0},
        {" 1.00", "EUR", 0, 0},      {"999999999999999999999", "EUR", 0, 0},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); ++i) {
        int64_t minor = -1;
        int rc = bff_money_parse_decimal(rows[i].text, rows[i].currency, &minor);
        if (rows[i].ok) {
            assert_int_equal(rc, 0);
            assert_int_equal(minor, rows[i].minor);
        } else {
            assert_int_equal(rc, -1);
        }
    }
}

static void test_round_trip(void **state)
{
    const char *currencies[] = {"EUR", "JPY", "KWD"};
    for (size_t c = 0; c < 3; ++c)
        for (int64_t v = -2000; v <= 2000; v += 7) {
            char buf[48];
            int64_t back;
            bff_money_format(buf, sizeof(buf), v, currencies[c]);
            assert_int_equal(bff_money_parse_decimal(buf, currencies[c], &back), 0);
            assert_int_equal(back, v);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_format_table), cmocka_unit_test(test_parse_table),
                                       cmocka_unit_test(test_round_trip)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
