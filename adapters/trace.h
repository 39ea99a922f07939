/*
 * trace.h - W3C Trace Context (https://www.w3.org/TR/trace-context/): the
 * request continues its caller's trace when the caller sent a valid
 * `traceparent` (keeping its sampled flag and passing its `tracestate` on),
 * or starts one; every provider call attempt goes out with a child
 * `traceparent` naming a span id of its own, so the providers' traces join
 * the caller's. Recording and exporting spans is not built yet (#19).
 */
#ifndef BFF_ADAPTERS_TRACE_H
#define BFF_ADAPTERS_TRACE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct st_bff_trace_t {
    char trace_id[33];    /* 32 lowercase hex digits, not all zero */
    char parent_id[17];   /* the caller's span, or "" when this request started the trace */
    char span_id[17];     /* this request's (the server's) span */
    uint8_t flags;        /* trace-flags: bit 0, sampled (the caller's; 0 for a trace started here) */
    char tracestate[513]; /* the caller's, passed on as it came; "" when none or not well formed */
} bff_trace_t;

/* Continues the trace of a valid `traceparent` (NULL or invalid: starts one); `rng` makes the new ids. */
void bff_trace_begin(bff_trace_t *t, const char *traceparent, const char *tracestate, uint64_t *rng);
/* A new span id: 16 lowercase hex digits, not all zero. */
void bff_trace_span_id(uint64_t *rng, char out[17]);
/* The header a child span of `t` sends: "traceparent: 00-<trace id>-<span_id>-<flags>" into out[80]. */
void bff_trace_header(const bff_trace_t *t, const char *span_id, char out[80]);

#endif
