/*
 * buf.c - growable buffer and the JSON string escaper every writer shares.
 */
#include "buf.h"
#include <stdint.h>
#include <math.h>
#include "arena.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bff_buf_init(bff_buf_t *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void bff_buf_free(bff_buf_t *b)
{
    free(b->data);
    bff_buf_init(b);
}

void bff_buf_reset(bff_buf_t *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

void bff_buf_reserve(bff_buf_t *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    b->data = bff_xrealloc(b->data, cap);
    b->cap = cap;
}

void bff_buf_append(bff_buf_t *b, const void *p, size_t n)
{
    bff_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void bff_buf_appends(bff_buf_t *b, const char *s)
{
    bff_buf_append(b, s, strlen(s));
}

void bff_buf_appendc(bff_buf_t *b, char c)
{
    bff_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void bff_buf_printf(bff_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    bff_buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void bff_buf_append_int(bff_buf_t *b, int64_t v)
{
    char tmp[24];
    size_t n = sizeof(tmp);
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[--n] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag > 0);
    if (v < 0)
        tmp[--n] = '-';
    bff_buf_append(b, tmp + n, sizeof(tmp) - n);
}

void bff_buf_append_double(bff_buf_t *b, double v)
{
    char tmp[32];
    /* The shortest %.*g that reads back to the same double, as JavaScript prints numbers. */
    for (int prec = 1; prec <= 17; ++prec) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    bff_buf_appends(b, tmp);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is invalid. */
static size_t utf8_valid_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && s[1] >= 0xA0)
            return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90)
            return 0;
        if (c == 0xF4 && s[1] >= 0x90)
            return 0;
        return 4;
    }
    return 0;
}

void bff_buf_append_json_string(bff_buf_t *b, const char *str, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    bff_buf_reserve(b, n + 2);
    bff_buf_appendc(b, '"');
    size_t run = 0; /* start of the pending run of bytes that need no escaping */
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            ++i;
            continue;
        }
        size_t ulen = c >= 0x80 ? utf8_valid_len(s + i, n - i) : 1;
        if (c >= 0x80 && ulen > 0) {
            i += ulen;
            continue;
        }
        bff_buf_append(b, s + run, i - run);
        switch (c) {
        case '"': bff_buf_append(b, "\\\"", 2); break;
        case '\\': bff_buf_append(b, "\\\\", 2); break;
        case '\n': bff_buf_append(b, "\\n", 2); break;
        case '\r': bff_buf_append(b, "\\r", 2); break;
        case '\t': bff_buf_append(b, "\\t", 2); break;
        case '\b': bff_buf_append(b, "\\b", 2); break;
        case '\f': bff_buf_append(b, "\\f", 2); break;
        default:
            if (c < 0x20) {
                char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                bff_buf_append(b, esc, 6);
            } else {
                bff_buf_append(b, "\xEF\xBF\xBD", 3); /* invalid UTF-8 byte -> U+FFFD */
            }
            break;
        }
        ++i;
        run = i;
    }
    bff_buf_append(b, s + run, n - run);
    bff_buf_appendc(b, '"');
}

/*
 * A double as JavaScript's Number.prototype.toString prints it (ECMA-262
 * Number::toString): the shortest digits that read back to the same double,
 * plain notation for exponents -7 < e < 21, else "1.5e-7" / "1e+21".
 */
void bff_buf_append_number(bff_buf_t *out, double d)
{
    if (isnan(d)) {
        bff_buf_appends(out, "NaN");
        return;
    }
    if (isinf(d)) {
        bff_buf_appends(out, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (d == 0) {
        bff_buf_appendc(out, '0');
        return;
    }
    if (d == floor(d) && fabs(d) < 1e21) {
        if (fabs(d) < 9007199254740992.0) { /* an exact integer: its digits */
            bff_buf_append_int(out, (int64_t)d);
            return;
        }
    }
    /*
     * Short decimals (prices, ratings: 3.5, 19.99) without printf: the
     * smallest k <= 6 for which d * 10^k is an integer m whose quotient
     * m / 10^k (correctly rounded, as strtod would read "m/10^k") is d again.
     */
    static const double p10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    double ad = fabs(d);
    if (ad >= 1e-6 && ad < 1e15) {
        for (int k = 1; k <= 6; ++k) {
            double m = nearbyint(ad * p10[k]); /* the product may be off by an ulp: 19.99 * 100 */
            if (m >= 9007199254740992.0 || m / p10[k] != ad)
                continue;
            uint64_t im = (uint64_t)m, ip = (uint64_t)p10[k];
            while (k > 1 && im % 10 == 0) { /* cannot happen for the smallest k; kept for safety */
                im /= 10;
                ip /= 10;
                --k;
            }
            char tmp[48], *q = tmp + sizeof(tmp);
            uint64_t frac = im % ip, ipart = im / ip;
            for (int i = 0; i < k; ++i) {
                *--q = (char)('0' + frac % 10);
                frac /= 10;
            }
            *--q = '.';
            do {
                *--q = (char)('0' + ipart % 10);
                ipart /= 10;
            } while (ipart != 0);
            if (d < 0)
                *--q = '-';
            bff_buf_append(out, q, (size_t)(tmp + sizeof(tmp) - q));
            return;
        }
    }
    /*
     * Shortest round-trip digits: for a normal double, every decimal of up
     * to 15 digits that reads back as d is d rounded to 15 digits, so when
     * those read back the zero-stripped result is the shortest; otherwise
     * 16, then 17 (always enough).
     */
    char tmp[48];
    /* subnormals carry fewer digits: search from 1 there ("5e-324") */
    for (int prec = ad < 2.2250738585072014e-308 ? 1 : 15; prec <= 17; ++prec) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    const char *p = tmp;
    if (*p == '-') {
        bff_buf_appendc(out, '-');
        ++p;
    }
    char digits[24];
    int k = 0;
    for (; *p && *p != 'e'; ++p)
        if (*p >= '0' && *p <= '9' && k < (int)sizeof(digits) - 1)
            digits[k++] = *p;
    while (k > 1 && digits[k - 1] == '0')
        --k;
    int n = (*p == 'e' ? atoi(p + 1) : 0) + 1; /* value = 0.d1d2..dk * 10^n */
    if (k <= n && n <= 21) {
        bff_buf_append(out, digits, (size_t)k);
        for (int i = k; i < n; ++i)
            bff_buf_appendc(out, '0');
    } else if (0 < n && n <= 21) {
        bff_buf_append(out, digits, (size_t)n);
        bff_buf_appendc(out, '.');
        bff_buf_append(out, digits + n, (size_t)(k - n));
    } else if (-6 < n && n <= 0) {
        bff_buf_append(out, "0.", 2);
        for (int i = 0; i < -n; ++i)
            bff_buf_appendc(out, '0');
        bff_buf_append(out, digits, (size_t)k);
    } else {
        bff_buf_appendc(out, digits[0]);
        if (k > 1) {
            bff_buf_appendc(out, '.');
            bff_buf_append(out, digits + 1, (size_t)(k - 1));
        }
        bff_buf_printf(out, "e%c%d", n - 1 >= 0 ? '+' : '-', n - 1 >= 0 ? n - 1 : 1 - n);
    }
}
