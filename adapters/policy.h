/*
 * policy.h - what protects the server from a provider: a circuit breaker
 * per provider and a bulkhead per pool of providers. Pure state machines
 * over an explicit clock (milliseconds), so tests drive them directly; the
 * provider calls (adapters/call.c) consult them. One instance per worker
 * thread: no locks.
 *
 * Breaker: calls are counted in a rolling window of `buckets` slices of
 * window_ms. Closed, it opens when, with at least min_calls in the window,
 * the failure rate reaches failure_rate or the share of calls slower than
 * slow_call_ms reaches slow_rate. Open, it refuses every call for open_ms,
 * then lets half_open_probes calls through (half-open): all of them
 * succeeding closes it, one failing opens it again.
 *
 * Bulkhead: at most max_concurrent calls in flight; up to max_queue more
 * wait (each at most queue_timeout_ms, enforced by the caller); past that a
 * call is refused at once.
 */
#ifndef BFF_ADAPTERS_POLICY_H
#define BFF_ADAPTERS_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#define BFF_BREAKER_BUCKETS 10

typedef struct st_bff_breaker_conf_t {
    uint32_t window_ms, min_calls, open_ms, half_open_probes, slow_call_ms; /* slow_call_ms 0: not counted */
    double failure_rate, slow_rate;                                         /* 0..1 */
} bff_breaker_conf_t;

typedef enum { BFF_BREAKER_CLOSED, BFF_BREAKER_OPEN, BFF_BREAKER_HALF_OPEN } bff_breaker_state_t;

typedef struct st_bff_breaker_t {
    bff_breaker_conf_t conf;
    bff_breaker_state_t state;
    struct {
        uint64_t slice; /* which window slice this bucket counts (now / slice length) */
        uint32_t calls, failures, slow;
    } buckets[BFF_BREAKER_BUCKETS];
    uint64_t opened_at;
    uint32_t probes_started, probes_ok;
    uint64_t opens; /* times it opened, for metrics */
} bff_breaker_t;

void bff_breaker_init(bff_breaker_t *b, const bff_breaker_conf_t *conf);
/* New settings (a reload), keeping the state and the counts. */
void bff_breaker_configure(bff_breaker_t *b, const bff_breaker_conf_t *conf);
/* May a call start now? Open: no (until open_ms passed: then half-open); half-open: only the probes. */
bool bff_breaker_allow(bff_breaker_t *b, uint64_t now_ms);
/* The outcome of a call bff_breaker_allow let through. */
void bff_breaker_record(bff_breaker_t *b, uint64_t now_ms, bool failed, uint32_t duration_ms);
/* A call it let through ended without an outcome (cancelled): a half-open probe slot is given back. */
void bff_breaker_forget(bff_breaker_t *b);
/* The state now (an open breaker whose open_ms has passed reads as half-open). */
bff_breaker_state_t bff_breaker_state(const bff_breaker_t *b, uint64_t now_ms);
const char *bff_breaker_state_name(bff_breaker_state_t s);

typedef struct st_bff_bulkhead_conf_t {
    uint32_t max_concurrent, max_queue, queue_timeout_ms;
    uint32_t timeout_ms; /* the time a call of this pool's providers may take, unless the provider sets its own */
} bff_bulkhead_conf_t;

typedef struct st_bff_bulkhead_t {
    bff_bulkhead_conf_t conf;
    uint32_t in_flight, queued;
    uint64_t rejected; /* refused at once: in flight and queue full */
} bff_bulkhead_t;

typedef enum { BFF_BULKHEAD_RUN, BFF_BULKHEAD_WAIT, BFF_BULKHEAD_REJECT } bff_bulkhead_verdict_t;

/* A call arrives: run it now (counted in flight), let it wait (counted queued) or refuse it (counted). */
bff_bulkhead_verdict_t bff_bulkhead_enter(bff_bulkhead_t *h);
/* A running call ended: true when a waiting call may start now (the caller moves it from queued to in flight). */
bool bff_bulkhead_leave(bff_bulkhead_t *h);
/* A waiting call starts (after leave said so) or gives up (its queue timeout, or cancelled). */
void bff_bulkhead_dequeue(bff_bulkhead_t *h, bool started);

#endif
