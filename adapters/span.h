/*
 * span.h - recording spans and exporting them over OTLP/HTTP (protobuf).
 *
 * A worker has one tracer (NULL when no otlp_endpoint is set: then nothing
 * here runs). A request whose trace is sampled (parent-based, with a ratio
 * for traces started here) records its spans into the tracer: each span is
 * written as the OTLP `Span` message the moment it ends, into the worker's
 * batch; the batch goes to `<endpoint>/v1/traces` every flush_ms (or once
 * batch_spans are waiting), one export in flight at a time, through the
 * worker's upstream (adapters/upstream.h) with its own timeout. Nothing a
 * request does waits for the collector: spans past max_queue_spans are
 * dropped and counted, and so are the spans of an export that failed.
 *
 * Building a span: bff_span_begin, then attributes and events, then
 * bff_span_end. One span is built at a time (it is written in place at the
 * end of the batch): begin and end it in one stretch of code, without a
 * callback in between.
 */
#ifndef BFF_ADAPTERS_SPAN_H
#define BFF_ADAPTERS_SPAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "base/buf.h"
#include "trace.h"
#include "upstream.h"

typedef enum { BFF_SPAN_INTERNAL = 1, BFF_SPAN_SERVER = 2, BFF_SPAN_CLIENT = 3 } bff_span_kind_t;

/* Counted across the workers (the server's /metrics). */
typedef struct st_bff_tracer_stats_t {
    atomic_ullong spans_exported;     /* in exports the collector accepted (2xx) */
    atomic_ullong spans_dropped_full; /* ended while the worker's queue held max_queue_spans */
    atomic_ullong spans_dropped_failed; /* in exports that failed (no answer in time, refused, not 2xx) */
    atomic_ullong exports_ok, exports_failed;
} bff_tracer_stats_t;

typedef struct st_bff_tracer_conf_t {
    const char *endpoint;     /* the collector's base URL: spans go to <endpoint>/v1/traces */
    double sample_ratio;      /* traces started here: the share recorded (0..1); a caller's sampled flag decides its own */
    uint32_t timeout_ms;      /* an export's whole time */
    uint32_t flush_ms;        /* how often the batch goes out */
    uint32_t max_queue_spans; /* spans waiting at most (per worker); more are dropped */
    uint32_t batch_spans;     /* an export goes out early once this many wait */
    const char *service_name, *service_version, *instance_id; /* the resource's attributes */
} bff_tracer_conf_t;

typedef struct st_bff_tracer_t bff_tracer_t;

/* A worker's tracer: conf's strings are copied. */
bff_tracer_t *bff_tracer_new(uv_loop_t *loop, bff_upstream_t *upstream, const bff_tracer_conf_t *conf,
                             bff_tracer_stats_t *stats);
/* After the worker's loop stopped: spans not sent are let go. */
void bff_tracer_free(bff_tracer_t *t);
/* Sends what waits now (unless an export is in flight); for shutdown. */
void bff_tracer_flush(bff_tracer_t *t);
/* Nothing waits and nothing is in flight. */
bool bff_tracer_idle(const bff_tracer_t *t);

/*
 * The sampling decision for a request's trace (parent-based): a caller's
 * trace is recorded when its sampled flag is set; a trace started here when
 * its id falls under the ratio (the low 56 bits of the id against
 * ratio * 2^56, as OpenTelemetry's TraceIdRatioBased sampler). Sets the
 * sampled flag of a trace started here to the decision.
 */
bool bff_tracer_sample(const bff_tracer_t *t, bff_trace_t *trace);

/* Wall-clock time in nanoseconds since the Unix epoch (spans' times). */
uint64_t bff_span_now_ns(void);

typedef struct st_bff_span_t {
    bff_tracer_t *tracer;
    bff_buf_t *b; /* where the Span message is written: the batch, or the scratch buffer when the queue is full */
    size_t at;    /* where it starts in b */
} bff_span_t;

/* Starts a span of `trace` with id `span_id` (16 hex digits) under `parent_id` ("" or NULL: a root span). */
void bff_span_begin(bff_span_t *s, bff_tracer_t *t, const bff_trace_t *trace, const char *span_id,
                    const char *parent_id, const char *name, size_t name_len, bff_span_kind_t kind, uint64_t start_ns);
void bff_span_str(bff_span_t *s, const char *key, const char *value, size_t len);
void bff_span_int(bff_span_t *s, const char *key, int64_t value);
void bff_span_bool(bff_span_t *s, const char *key, bool value);
/* An event at `time_ns` with a code and a message (either may be NULL): `<name>` {<name>.code, <name>.message}. */
void bff_span_event(bff_span_t *s, const char *name, uint64_t time_ns, const char *code, const char *message);
/* The span failed: status ERROR with `message`, and `error.type` set to `type` (a code such as DEPENDENCY_TIMEOUT). */
void bff_span_error(bff_span_t *s, const char *type, const char *message);
/* Ends the span at `end_ns` and queues it (or drops and counts it when the queue is full). */
void bff_span_end(bff_span_t *s, uint64_t end_ns);

#endif
