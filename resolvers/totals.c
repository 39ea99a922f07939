/*
 * totals.c - the arithmetic of a cart's totals (see totals.h). Checked with
 * the compiler's overflow builtins; the largest remainder division in 128
 * bits (amount * line_amount fits: both are below 2^63). The invariants are
 * asserted after each computation.
 */
#include "totals.h"

#include <assert.h>
#include <stdbool.h>

static const char *const error_text[] = {
#define BFF_TOTALS_ERROR_TEXT(id, text) text,
    BFF_TOTALS_ERRORS(BFF_TOTALS_ERROR_TEXT)
#undef BFF_TOTALS_ERROR_TEXT
};

const char *bff_totals_error_text(bff_totals_error_t e)
{
    return error_text[e];
}

int bff_totals_mul_add(int64_t a, int64_t b, int64_t c, int64_t *out)
{
    int64_t p;
    if (a < 0 || b < 0 || c < 0 || __builtin_mul_overflow(a, b, &p) || __builtin_add_overflow(p, c, out))
        return 0;
    return 1;
}

/* Largest remainder: shares of `amount` in proportion to line_amount (which sum to subtotal). */
static void allocate(const bff_totals_in_t *in, bff_totals_out_t *out, int64_t amount)
{
    uint64_t extra[(BFF_TOTALS_MAX_LINES + 63) / 64] = {0}; /* lines that got a unit of what rounding left */
    int64_t given = 0;
    for (size_t i = 0; i < in->nlines; ++i) {
        out->allocated[i] = out->subtotal > 0 ? (int64_t)((__int128)amount * out->line_amount[i] / out->subtotal) : 0;
        given += out->allocated[i]; /* each share rounds down, so given <= amount */
    }
    /* what rounding left (fewer units than lines) goes to the largest remainders, the earlier line on a tie */
    for (int64_t left = amount - given; left > 0; --left) {
        size_t best = SIZE_MAX;
        __int128 best_rem = -1;
        for (size_t i = 0; i < in->nlines; ++i) {
            __int128 rem = (__int128)amount * out->line_amount[i] % out->subtotal;
            if (!(extra[i / 64] >> (i % 64) & 1) && rem > best_rem) {
                best_rem = rem;
                best = i;
            }
        }
        assert(best != SIZE_MAX);
        out->allocated[best] += 1;
        extra[best / 64] |= (uint64_t)1 << (best % 64);
    }
}

bff_totals_error_t bff_totals_compute(const bff_totals_in_t *in, bff_totals_out_t *out)
{
    if (in->nlines > BFF_TOTALS_MAX_LINES)
        return BFF_TOTALS_TOO_MANY_LINES;
    if (in->discount_requested < 0 || in->shipping < 0)
        return BFF_TOTALS_NEGATIVE;
    out->subtotal = 0;
    for (size_t i = 0; i < in->nlines; ++i) {
        if (in->unit[i] < 0 || in->quantity[i] < 0)
            return BFF_TOTALS_NEGATIVE;
        if (!bff_totals_mul_add(in->unit[i], in->quantity[i], 0, &out->line_amount[i]) ||
            __builtin_add_overflow(out->subtotal, out->line_amount[i], &out->subtotal))
            return BFF_TOTALS_OVERFLOW;
    }
    out->discounts = in->discount_requested < out->subtotal ? in->discount_requested : out->subtotal;
    allocate(in, out, out->discounts);
    int64_t allocated_sum = 0;
    for (size_t i = 0; i < in->nlines; ++i) {
        out->taxable[i] = out->line_amount[i] - out->allocated[i];
        assert(out->allocated[i] >= 0 && out->taxable[i] >= 0);
        allocated_sum += out->allocated[i];
    }
    assert(allocated_sum == out->discounts);
    out->total = -1;
    if (in->tax < 0)
        return BFF_TOTALS_OK;
    int64_t goods = out->subtotal - out->discounts; /* >= 0: discounts <= subtotal */
    if (__builtin_add_overflow(goods, in->shipping, &out->total) || __builtin_add_overflow(out->total, in->tax, &out->total))
        return BFF_TOTALS_OVERFLOW;
    assert(out->total == out->subtotal - out->discounts + in->shipping + in->tax);
    return BFF_TOTALS_OK;
}
