/*
 * totals.h - a cart's totals as a pure computation: no I/O, no allocation,
 * integers in minor units, every operation checked. cart.c gathers the inputs
 * from the providers (prices, discounts, shipping, tax) and calls this twice:
 * once before tax (the discounted line amounts are what tax is asked about),
 * once with the tax, for the total.
 *
 *   line_amount[i]     = unit[i] * quantity[i]
 *   subtotal           = sum of line_amount
 *   discounts          = min(discount_requested, subtotal)      (never below nothing for the goods)
 *   allocated[i]       = the discount shared in proportion to line_amount, by the largest
 *                        remainder (whole minor units, summing exactly to discounts; ties go
 *                        to the earlier line)
 *   taxable[i]         = line_amount[i] - allocated[i]
 *   total              = subtotal - discounts + shipping + tax
 *
 * An overflow anywhere, a negative unit price, quantity, discount, shipping or
 * tax, or more than BFF_TOTALS_MAX_LINES lines is an error, never a wrong
 * amount.
 */
#ifndef BFF_RESOLVERS_TOTALS_H
#define BFF_RESOLVERS_TOTALS_H

#include <stddef.h>
#include <stdint.h>

#define BFF_TOTALS_MAX_LINES 1000

#define BFF_TOTALS_ERRORS(X)                                                                                              \
    X(OK, "ok")                                                                                                            \
    X(NEGATIVE, "a unit price, quantity, discount, shipping or tax is negative")                                          \
    X(OVERFLOW, "an amount does not fit in 64 bits")                                                                      \
    X(TOO_MANY_LINES, "the cart has too many lines")

typedef enum en_bff_totals_error_t {
#define BFF_TOTALS_ERROR_ENUM(id, text) BFF_TOTALS_##id,
    BFF_TOTALS_ERRORS(BFF_TOTALS_ERROR_ENUM)
#undef BFF_TOTALS_ERROR_ENUM
} bff_totals_error_t;

const char *bff_totals_error_text(bff_totals_error_t e);

typedef struct st_bff_totals_in_t {
    size_t nlines;
    const int64_t *unit, *quantity;
    int64_t discount_requested; /* what promotions granted for the codes */
    int64_t shipping;
    int64_t tax; /* < 0: not known yet (the first call) */
} bff_totals_in_t;

typedef struct st_bff_totals_out_t {
    int64_t *line_amount, *allocated, *taxable; /* nlines each, the caller's memory */
    int64_t subtotal, discounts, total;         /* total: only when tax is known, else -1 */
} bff_totals_out_t;

/* Computes out from in; BFF_TOTALS_OK, or the error (out is then not to be used). */
bff_totals_error_t bff_totals_compute(const bff_totals_in_t *in, bff_totals_out_t *out);

/* a * b + c for non-negative operands, checked: false on overflow. The parcel's weight uses it too. */
int bff_totals_mul_add(int64_t a, int64_t b, int64_t c, int64_t *out);

#endif
