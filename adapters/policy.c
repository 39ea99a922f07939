/*
 * policy.c - the circuit breaker and the bulkhead (see policy.h).
 */
#include "policy.h"

#include <assert.h>
#include <string.h>

void bff_breaker_init(bff_breaker_t *b, const bff_breaker_conf_t *conf)
{
    memset(b, 0, sizeof(*b));
    bff_breaker_configure(b, conf);
}

void bff_breaker_configure(bff_breaker_t *b, const bff_breaker_conf_t *conf)
{
    b->conf = *conf;
    if (b->conf.window_ms < BFF_BREAKER_BUCKETS)
        b->conf.window_ms = BFF_BREAKER_BUCKETS;
    if (b->conf.half_open_probes == 0)
        b->conf.half_open_probes = 1;
}

static uint64_t slice_of(const bff_breaker_t *b, uint64_t now_ms)
{
    return now_ms / (b->conf.window_ms / BFF_BREAKER_BUCKETS);
}

static void window_clear(bff_breaker_t *b)
{
    memset(b->buckets, 0, sizeof(b->buckets));
}

static void open_now(bff_breaker_t *b, uint64_t now_ms)
{
    b->state = BFF_BREAKER_OPEN;
    b->opened_at = now_ms;
    b->opens++;
    window_clear(b);
}

bff_breaker_state_t bff_breaker_state(const bff_breaker_t *b, uint64_t now_ms)
{
    if (b->state == BFF_BREAKER_OPEN && now_ms >= b->opened_at + b->conf.open_ms)
        return BFF_BREAKER_HALF_OPEN;
    return b->state;
}

bool bff_breaker_allow(bff_breaker_t *b, uint64_t now_ms)
{
    if (b->state == BFF_BREAKER_OPEN) {
        if (now_ms < b->opened_at + b->conf.open_ms)
            return false;
        b->state = BFF_BREAKER_HALF_OPEN;
        b->probes_started = b->probes_ok = 0;
    }
    if (b->state == BFF_BREAKER_HALF_OPEN) {
        if (b->probes_started >= b->conf.half_open_probes)
            return false;
        b->probes_started++;
    }
    return true;
}

void bff_breaker_record(bff_breaker_t *b, uint64_t now_ms, bool failed, uint32_t duration_ms)
{
    bool slow = b->conf.slow_call_ms > 0 && duration_ms >= b->conf.slow_call_ms;
    if (b->state == BFF_BREAKER_HALF_OPEN) {
        if (failed || slow) {
            open_now(b, now_ms);
        } else if (++b->probes_ok >= b->conf.half_open_probes) {
            b->state = BFF_BREAKER_CLOSED;
            window_clear(b);
        }
        return;
    }
    if (b->state == BFF_BREAKER_OPEN)
        return; /* a call that started before it opened */
    uint64_t slice = slice_of(b, now_ms);
    typeof(b->buckets[0]) *k = &b->buckets[slice % BFF_BREAKER_BUCKETS];
    if (k->slice != slice) {
        memset(k, 0, sizeof(*k));
        k->slice = slice;
    }
    k->calls++;
    k->failures += failed;
    k->slow += slow;
    uint32_t calls = 0, failures = 0, slows = 0;
    for (int i = 0; i < BFF_BREAKER_BUCKETS; ++i) {
        if (b->buckets[i].calls == 0 || b->buckets[i].slice + BFF_BREAKER_BUCKETS <= slice)
            continue; /* empty, or older than the window */
        calls += b->buckets[i].calls;
        failures += b->buckets[i].failures;
        slows += b->buckets[i].slow;
    }
    if (calls < b->conf.min_calls || calls == 0)
        return;
    if ((double)failures / calls >= b->conf.failure_rate ||
        (b->conf.slow_call_ms > 0 && (double)slows / calls >= b->conf.slow_rate))
        open_now(b, now_ms);
}

void bff_breaker_forget(bff_breaker_t *b)
{
    if (b->state == BFF_BREAKER_HALF_OPEN && b->probes_started > b->probes_ok)
        b->probes_started--;
}

const char *bff_breaker_state_name(bff_breaker_state_t s)
{
    return s == BFF_BREAKER_OPEN ? "open" : s == BFF_BREAKER_HALF_OPEN ? "half_open" : "closed";
}

bff_bulkhead_verdict_t bff_bulkhead_enter(bff_bulkhead_t *h)
{
    if (h->in_flight < h->conf.max_concurrent && h->queued == 0) {
        h->in_flight++;
        return BFF_BULKHEAD_RUN;
    }
    if (h->queued < h->conf.max_queue) {
        h->queued++;
        return BFF_BULKHEAD_WAIT;
    }
    h->rejected++;
    return BFF_BULKHEAD_REJECT;
}

bool bff_bulkhead_leave(bff_bulkhead_t *h)
{
    if (h->in_flight > 0)
        h->in_flight--;
    return h->queued > 0 && h->in_flight < h->conf.max_concurrent;
}

void bff_bulkhead_dequeue(bff_bulkhead_t *h, bool started)
{
    assert(h->queued > 0 && "a call leaves a queue it is in");
    if (h->queued > 0)
        h->queued--;
    if (started)
        h->in_flight++;
}
