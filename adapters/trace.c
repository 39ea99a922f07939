/*
 * trace.c - W3C Trace Context (see trace.h). A traceparent is read as level 1
 * says: version 00 is exactly "00-<32 hex>-<16 hex>-<2 hex>" in lowercase;
 * a later version (not ff) may carry more after a dash, of which only these
 * fields are read; an all-zero trace id or parent id makes it invalid. A
 * tracestate is passed on only with a valid traceparent, at most 512
 * printable ASCII characters (anything else is dropped, never repaired).
 */
#include "trace.h"

#include <stdio.h>
#include <string.h>

static bool lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static bool all_zero(const char *s, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (s[i] != '0')
            return false;
    return true;
}

static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state ? *state : 0x9E3779B97F4A7C15ull;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static void hex64(uint64_t v, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i, v >>= 4)
        out[i] = digits[v & 15];
}

void bff_trace_span_id(uint64_t *rng, char out[17])
{
    uint64_t v;
    do
        v = next_random(rng);
    while (v == 0);
    hex64(v, out);
    out[16] = '\0';
}

static bool valid_parent(const char *tp)
{
    size_t n = strlen(tp);
    if (n < 55 || !lower_hex(tp, 2) || strncmp(tp, "ff", 2) == 0)
        return false;
    if (strncmp(tp, "00", 2) == 0 ? n != 55 : n > 55 && tp[55] != '-')
        return false;
    return tp[2] == '-' && tp[35] == '-' && tp[52] == '-' && lower_hex(tp + 3, 32) && lower_hex(tp + 36, 16) &&
           lower_hex(tp + 53, 2) && !all_zero(tp + 3, 32) && !all_zero(tp + 36, 16);
}

static bool valid_state(const char *ts)
{
    size_t n = strlen(ts);
    if (n == 0 || n > 512)
        return false;
    for (size_t i = 0; i < n; ++i)
        if ((unsigned char)ts[i] < 0x20 || (unsigned char)ts[i] > 0x7e)
            return false;
    return true;
}

void bff_trace_begin(bff_trace_t *t, const char *traceparent, const char *tracestate, uint64_t *rng)
{
    memset(t, 0, sizeof(*t));
    if (traceparent != NULL && valid_parent(traceparent)) {
        memcpy(t->trace_id, traceparent + 3, 32);
        memcpy(t->parent_id, traceparent + 36, 16);
        unsigned flags = 0;
        sscanf(traceparent + 53, "%2x", &flags);
        t->flags = (uint8_t)(flags & 0x01); /* level 1 defines the sampled bit only */
        if (tracestate != NULL && valid_state(tracestate))
            memcpy(t->tracestate, tracestate, strlen(tracestate) + 1);
    } else {
        uint64_t a, b;
        do {
            a = next_random(rng);
            b = next_random(rng);
        } while (a == 0 && b == 0);
        hex64(a, t->trace_id);
        hex64(b, t->trace_id + 16);
        t->flags = 0; /* nothing records spans yet: not sampled */
    }
    bff_trace_span_id(rng, t->span_id);
}

void bff_trace_header(const bff_trace_t *t, const char *span_id, char out[80])
{
    /* written by hand: one per provider call attempt */
    static const char digits[] = "0123456789abcdef";
    char *w = out;
    memcpy(w, "traceparent: 00-", 16);
    memcpy(w += 16, t->trace_id, 32);
    *(w += 32) = '-';
    memcpy(++w, span_id, 16);
    *(w += 16) = '-';
    *++w = digits[t->flags >> 4];
    *++w = digits[t->flags & 15];
    *++w = '\0';
}
