/*
 * buf.c - growable buffer and the JSON string escaper every writer shares.
 */
#include "buf.h"
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
