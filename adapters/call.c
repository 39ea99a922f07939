/*
 * call.c - provider calls and their scope (see call.h): each call's
 * deadline (its provider's timeout, queue waits and retries included, within
 * the request's), its bulkhead slot (a queue per pool when full), its
 * breaker verdict, its retries with backoff and a retry budget, and the
 * catalog cache (the worker's, then the fleet's with single-flight fills).
 *
 * A call lives in the request's arena, so its address is a stable handle
 * for cancellation across waits and attempts; its callback fires exactly once
 * (asserted), never from inside the call that asked (deferred to the
 * scope's loop turn, one zero timer: deferred answers, then the owner's
 * `turn`); what may outlive the request (a queued slot, a fleet cache wait)
 * is on the heap and let go by bff_scope_release.
 */
#include "call.h"

#include "cache.h"
#include "span.h"
#include "trace.h"
#include "vendors.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_parse.h"
#include "base/json_write.h"

/* A call waiting for a bulkhead slot: heap, because its request may end first (then call is NULL). */
typedef struct st_bff_queued_t {
    struct st_bff_call_t *call;
    struct st_pool_t *pool;
    uv_timer_t timer;                    /* the queue timeout */
    struct st_bff_queued_t *next, *prev; /* in the pool's queue */
    struct st_bff_queued_t *ctx_next;    /* in the request's list */
} queued_t;

/*
 * A cached read asking the fleet's cache (heap: a reply or a poll may come
 * after its request ended; then call is NULL). The poll timer is always
 * initialised; the struct goes with the timer's close, once no reply is due.
 */
typedef struct st_bff_l2wait_t {
    struct st_bff_call_t *call;
    const bff_shared_cache_t *shared;
    uv_timer_t poll;
    uint64_t started_ms, fill_ms;
    unsigned polls;
    bool asking;                       /* a reply is due */
    struct st_bff_l2wait_t *ctx_next; /* in the request's list */
    char key[];
} l2wait_t;

typedef struct st_pool_t {
    bff_bulkhead_t h;
    queued_t *head, *tail;
} pool_t;

typedef struct st_dep_t {
    bff_breaker_t breaker;
    bool not_closed;      /* as last counted in stats->breakers_not_closed */
    double retry_tokens;  /* the retry budget: each first attempt adds retry_budget, a retry takes 1 */
} dep_t;

struct st_bff_guard_t {
    uv_loop_t *loop;
    pool_t pools[BFF_POOL_COUNT];
    dep_t *deps;
    uint64_t rng;
};

/*
 * A provider call: in the request's arena, so its address is a stable handle
 * for cancellation across bulkhead waits, attempts and backoffs.
 */
struct st_bff_call_t {
    const char *provider;
    const bff_provider_conf_t *conf;
    bff_provider_cb cb;
    void *arg;
    bff_arena_t *arena;
    bff_scope_t *ctx;
    const char *cache_key; /* keep a good answer in ctx->catalog_cache under this key */
    const char *fill_token; /* this call fills the fleet's cache entry of cache_key: the claim */
    struct st_bff_l2wait_t *l2; /* asking the fleet's cache before calling */
    bff_upstream_request_t req;
    const char **headers;  /* req.headers, with room for each attempt's own (timeout, traceparent, tracestate) */
    bff_upstream_call_t *up; /* the attempt in flight */
    queued_t *queued;        /* waiting for a bulkhead slot */
    uv_timer_t *backoff;     /* waiting to try again (heap) */
    uint32_t attempts;
    const char *reason;     /* a refusal's own reason, from its {"error": ...} */
    bool guarded;      /* this attempt holds a pool slot and a breaker verdict */
    bool done;         /* the callback has fired */
    bff_answer_read_fn read; /* reads a 2xx answer's text (bff_provider_call_text); NULL: a tree is built */
    void *read_arg;
    uint64_t start_ms; /* when this attempt was sent */
    const char *path;  /* the provider path called (in req.url): its route names the call's spans */
    char span_id[17];  /* this attempt's span (its traceparent), "" before the first */
    uint64_t sent_ns;  /* when this attempt was sent, wall clock (spans) */
    uint64_t queued_ms; /* when the call began waiting for a bulkhead slot; 0: not waiting */
    uint32_t waited_ms; /* this attempt's wait for its slot */
    bff_breaker_state_t breaker; /* the breaker's state when this attempt was let through */
    uint64_t budget_end_ms; /* its provider's timeout_ms from the first dispatch: queue waits and retries included */
};
typedef struct st_bff_call_t pcall_t;

static void pcall_dispatch(pcall_t *p);
static void l2_release(l2wait_t *w);
static void calls_release(bff_scope_t *ctx);

/* ---- the scope and its loop turn ---- */

void bff_scope_init(bff_scope_t *scope, bff_upstream_t *upstream, uv_loop_t *loop, bff_arena_t *arena,
                    const bff_providers_t *providers)
{
    memset(scope, 0, sizeof(*scope));
    scope->upstream = upstream;
    scope->loop = loop;
    scope->arena = arena;
    scope->providers = providers;
}

static void free_timer(uv_handle_t *h)
{
    free(h);
}

typedef struct st_bff_deferred_t {
    bff_provider_cb cb;
    void *arg;
    bff_outcome_t out;          /* a cached answer (body held), or a call refused before it started */
    struct st_bff_deferred_t *next;
} deferred_t;

static void on_tick(uv_timer_t *t);

void bff_scope_release(bff_scope_t *ctx)
{
    if (ctx == NULL)
        return;
    if (ctx->gone != NULL)
        *ctx->gone = true;
    for (deferred_t *d = ctx->deferred; d != NULL; d = d->next)
        json_decref(d->out.body);
    ctx->deferred = NULL;
    calls_release(ctx);
    if (ctx->tick != NULL) {
        uv_timer_stop(ctx->tick);
        uv_close((uv_handle_t *)ctx->tick, free_timer);
        ctx->tick = NULL;
    }
}

void bff_scope_defer(bff_scope_t *ctx, bff_provider_cb cb, void *arg, const bff_outcome_t *out)
{
    deferred_t *d = bff_arena_calloc(ctx->arena, 1, sizeof(*d));
    d->cb = cb;
    d->arg = arg;
    d->out = *out;
    if (d->out.body != NULL)
        json_incref(d->out.body);
    deferred_t **tail = &ctx->deferred;
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = d;
    bff_scope_tick_soon(ctx);
}

/* A refusal of `provider`, answered on the next loop turn. */
static void scope_defer_error(bff_scope_t *ctx, bff_provider_cb cb, void *arg, const char *provider, bff_dep_error_t e,
                              const char *message)
{
    bff_scope_defer(ctx, cb, arg,
          &(bff_outcome_t){.error = e, .code = bff_dep_error_code(e), .message = message, .provider = provider});
}

const char *bff_dep_error_code(bff_dep_error_t e)
{
    static const char *const codes[] = {
#define BFF_DEP_CODE(e, code) code,
        BFF_DEP_ERRORS(BFF_DEP_CODE)
#undef BFF_DEP_CODE
    };
    return e < BFF_DEP_ERROR_COUNT ? codes[e] : "INTERNAL";
}

void bff_scope_tick_soon(bff_scope_t *ctx)
{
    if (ctx->tick == NULL) {
        ctx->tick = bff_xmalloc(sizeof(*ctx->tick));
        uv_timer_init(ctx->loop, ctx->tick);
        ctx->tick->data = ctx;
    }
    if (!uv_is_active((uv_handle_t *)ctx->tick))
        uv_timer_start(ctx->tick, on_tick, 0, 0);
}

/*
 * The next loop turn: deferred answers first, then the owner's `turn` (the
 * loaders' batches). Any completion may end the request and release the
 * scope (bff_scope_release sets `gone`), so nothing of it is touched after
 * one that did.
 */
static void on_tick(uv_timer_t *t)
{
    bff_scope_t *ctx = t->data;
    bool gone = false;
    ctx->gone = &gone;
    while (ctx->deferred != NULL) {
        deferred_t *d = ctx->deferred;
        ctx->deferred = d->next;
        bff_outcome_t out = d->out; /* d is the arena's: a callback may end the request */
        d->cb(&out, d->arg);
        json_decref(out.body);
        if (gone)
            return;
    }
    if (ctx->turn != NULL)
        ctx->turn(ctx, &gone);
    if (!gone)
        ctx->gone = NULL;
}


/* ---- what waits past the request ---- */


static void calls_release(bff_scope_t *ctx)
{
    for (queued_t *q = ctx->queued; q != NULL; q = q->ctx_next)
        q->call = NULL; /* left in its pool's queue: dropped when its turn or its timeout comes */
    ctx->queued = NULL;
    for (l2wait_t *w = ctx->l2_waits, *next; w != NULL; w = next) {
        next = w->ctx_next;
        w->call = NULL;
        if (!w->asking) /* a poll is due: it goes now; with a reply due, the reply lets it go */
            l2_release(w);
    }
    ctx->l2_waits = NULL;
}

/* ---- provider calls ---- */

/* The call's end: the callback fires once (it may end the request and free p). Only from loop callbacks and
   bff_call_cancel: a call that ends before bff_provider_call returns ends through pcall_fail_later. */
/* A claim on the fleet's cache entry that this call will not fill: given back, so the next reader calls. */
static void fill_abandon(pcall_t *p)
{
    if (p->fill_token != NULL && p->ctx->shared_cache != NULL)
        p->ctx->shared_cache->put(p->ctx->shared_cache->impl, p->cache_key, p->fill_token, NULL, 0, 0);
    p->fill_token = NULL;
}

static void pcall_finish_text(pcall_t *p, json_t *body, const char *text, size_t text_len, bff_dep_error_t e, long status,
                              const char *message)
{
    assert(!p->done && p->up == NULL && p->queued == NULL && p->backoff == NULL && p->l2 == NULL &&
           "a call ends once, holding nothing");
    fill_abandon(p);
    p->done = true;
    bff_outcome_t out = {.body = body, .text = text, .text_len = text_len, .error = e, .code = bff_dep_error_code(e),
                         .message = message, .provider = p->provider, .status = status,
                         .reason = e == BFF_DEP_REJECTED ? p->reason : NULL};
    p->cb(&out, p->arg);
}

static void pcall_finish(pcall_t *p, json_t *body, bff_dep_error_t e, long status, const char *message)
{
    pcall_finish_text(p, body, NULL, 0, e, status, message);
}

/* ---- spans (span.h): one per attempt sent, one per call refused before it went out, one per cache answer ---- */

/* "<METHOD> <route>" into out (the HTTP client span name of OpenTelemetry's conventions). */
static size_t call_span_name(const char *method, const char *route, const char *provider, char *out, size_t cap)
{
    size_t m = strlen(method), r = strlen(route != NULL ? route : provider);
    if (m + 1 + r >= cap)
        r = cap - m - 2;
    memcpy(out, method, m);
    out[m] = ' ';
    memcpy(out + m + 1, route != NULL ? route : provider, r);
    out[m + 1 + r] = '\0';
    return m + 1 + r;
}

/* The attributes every provider call span has: method, route, the provider's host, the provider. */
static void call_span_begin(bff_span_t *s, bff_scope_t *ctx, const char *span_id, const char *method, const char *path,
                            const bff_provider_conf_t *conf, bff_span_kind_t kind, uint64_t start_ns)
{
    const char *route = bff_route_template(path);
    char name[128];
    size_t n = call_span_name(method, route, conf->name, name, sizeof(name));
    bff_span_begin(s, ctx->tracer, ctx->trace, span_id, ctx->trace->span_id, name, n, kind, start_ns);
    bff_span_str(s, "http.request.method", method, strlen(method));
    if (route != NULL)
        bff_span_str(s, "url.template", route, strlen(route));
    if (conf->host_len > 0) {
        bff_span_str(s, "server.address", conf->host, conf->host_len);
        bff_span_int(s, "server.port", conf->port);
    }
    bff_span_str(s, "bff.provider", conf->name, strlen(conf->name));
}

/* An attempt that went out has ended (answered, failed or cancelled). */
static void attempt_span(pcall_t *p, bff_dep_error_t e, long status, const char *message)
{
    bff_scope_t *ctx = p->ctx;
    if (ctx->tracer == NULL || p->span_id[0] == '\0')
        return;
    bff_span_t s;
    call_span_begin(&s, ctx, p->span_id, p->req.method, p->path, p->conf, BFF_SPAN_CLIENT, p->sent_ns);
    bff_span_int(&s, "bff.call.attempt", p->attempts);
    if (p->attempts > 1)
        bff_span_int(&s, "http.request.resend_count", p->attempts - 1);
    if (status != 0)
        bff_span_int(&s, "http.response.status_code", status);
    bff_span_int(&s, "bff.deadline.left_ms", p->req.timeout_ms);
    if (ctx->guard != NULL) {
        const char *pool = bff_pool_name(p->conf->pool), *breaker = bff_breaker_state_name(p->breaker);
        bff_span_str(&s, "bff.bulkhead.pool", pool, strlen(pool));
        bff_span_int(&s, "bff.bulkhead.wait_ms", p->waited_ms);
        bff_span_str(&s, "bff.breaker.state", breaker, strlen(breaker));
    }
    if (p->cache_key != NULL)
        bff_span_str(&s, "bff.cache", p->fill_token != NULL ? "fill" : "miss", 4);
    if (e != BFF_DEP_OK)
        bff_span_error(&s, bff_dep_error_code(e), message);
    bff_span_end(&s, bff_span_now_ns());
}

/* A span of a call that did not go out: its own id and the time now; false when the request records no spans. */
static bool unsent_span(bff_scope_t *ctx, char id[17], uint64_t *now)
{
    if (ctx->tracer == NULL || ctx->rng == NULL)
        return false;
    bff_trace_span_id(ctx->rng, id);
    *now = bff_span_now_ns();
    return true;
}

/* A read answered from a catalog cache: `how` is "stale" (the worker's, past its time to live) or "fleet" (Redis). */
static void cache_span(bff_scope_t *ctx, const bff_provider_conf_t *conf, const char *path, const char *how,
                       uint64_t age_ms)
{
    char id[17];
    uint64_t now;
    if (!unsent_span(ctx, id, &now))
        return;
    bff_span_t s;
    call_span_begin(&s, ctx, id, "GET", path, conf, BFF_SPAN_INTERNAL, now);
    bff_span_bool(&s, "bff.call.sent", false);
    bff_span_str(&s, "bff.cache", how, strlen(how));
    if (age_ms > 0)
        bff_span_int(&s, "bff.cache.stale_ms", (int64_t)age_ms);
    bff_span_end(&s, now);
}

/* A call that ends without going out (breaker open, bulkhead full or its queue timed out, no time left). */
static void refused_span(pcall_t *p, bff_dep_error_t e, const char *message)
{
    bff_scope_t *ctx = p->ctx;
    char id[17];
    uint64_t now;
    if (!unsent_span(ctx, id, &now))
        return;
    bff_span_t s;
    call_span_begin(&s, ctx, id, p->req.method, p->path, p->conf, BFF_SPAN_INTERNAL,
                    p->queued_ms != 0 ? now - (uv_now(ctx->loop) - p->queued_ms) * 1000000u : now);
    bff_span_bool(&s, "bff.call.sent", false);
    bff_span_int(&s, "bff.call.attempt", p->attempts);
    if (ctx->guard != NULL) {
        const char *pool = bff_pool_name(p->conf->pool);
        bff_span_str(&s, "bff.bulkhead.pool", pool, strlen(pool));
    }
    bff_span_error(&s, bff_dep_error_code(e), message);
    bff_span_end(&s, now);
}

static void pcall_fail_later(pcall_t *p, bff_dep_error_t e, const char *message)
{
    refused_span(p, e, message);
    assert(!p->done && "a call ends once");
    fill_abandon(p);
    p->done = true;
    scope_defer_error(p->ctx, p->cb, p->arg, p->provider, e, message);
}

static void stats_breaker(dep_t *d, const bff_provider_conf_t *conf, uint64_t now)
{
    bool not_closed = bff_breaker_state(&d->breaker, now) != BFF_BREAKER_CLOSED;
    if (not_closed != d->not_closed) {
        atomic_fetch_add_explicit(&conf->stats->breakers_not_closed, not_closed ? 1 : -1, memory_order_relaxed);
        d->not_closed = not_closed;
    }
}

static void queue_unlink(pool_t *pool, queued_t *q)
{
    if (q->prev != NULL)
        q->prev->next = q->next;
    else
        pool->head = q->next;
    if (q->next != NULL)
        q->next->prev = q->prev;
    else
        pool->tail = q->prev;
    q->next = q->prev = NULL;
}

static void queued_close(uv_handle_t *h)
{
    free(h->data);
}

/* Takes q out of its request's list of waiting calls. */
static void ctx_forget(bff_scope_t *ctx, queued_t *q)
{
    for (queued_t **pp = &ctx->queued; *pp != NULL; pp = &(*pp)->ctx_next)
        if (*pp == q) {
            *pp = q->ctx_next;
            break;
        }
}

static void queued_release(queued_t *q)
{
    uv_timer_stop(&q->timer);
    uv_close((uv_handle_t *)&q->timer, queued_close);
}

static void guarded_start(pcall_t *p);

/* A slot is free in the pool: start the first waiting call whose request is still there. */
static void pool_next(pool_t *pool)
{
    while (pool->head != NULL) {
        queued_t *q = pool->head;
        queue_unlink(pool, q);
        pcall_t *p = q->call;
        queued_release(q);
        if (p == NULL) { /* its request is gone */
            bff_bulkhead_dequeue(&pool->h, false);
            continue;
        }
        ctx_forget(p->ctx, q);
        p->queued = NULL;
        bff_bulkhead_dequeue(&pool->h, true);
        guarded_start(p);
        return;
    }
}

static void on_queue_timeout(uv_timer_t *t)
{
    queued_t *q = t->data;
    pool_t *pool = q->pool;
    pcall_t *p = q->call;
    queue_unlink(pool, q);
    bff_bulkhead_dequeue(&pool->h, false);
    queued_release(q);
    if (p != NULL) {
        ctx_forget(p->ctx, q);
        p->queued = NULL;
        atomic_fetch_add_explicit(&p->conf->stats->rejected, 1, memory_order_relaxed);
        const char *message = bff_arena_printf(p->arena, "%s: no free slot in the %s bulkhead within %u ms", p->provider,
                                               bff_pool_name(p->conf->pool), pool->h.conf.queue_timeout_ms);
        refused_span(p, BFF_DEP_TIMEOUT, message);
        pcall_finish(p, NULL, BFF_DEP_TIMEOUT, 0, message);
    }
}

/* An attempt is over: its outcome to the breaker and the metrics, its slot to the next call. */
static void guarded_end(pcall_t *p, bool failed, bool cancelled, bool timed_out)
{
    bff_guard_t *g = p->ctx->guard;
    p->guarded = false;
    dep_t *d = &g->deps[p->conf->index];
    bff_dep_stats_t *st = p->conf->stats;
    uint64_t now = uv_now(g->loop);
    uint64_t ms = now - p->start_ms;
    uint64_t opens = d->breaker.opens;
    if (cancelled)
        bff_breaker_forget(&d->breaker);
    else
        bff_breaker_record(&d->breaker, now, failed, (uint32_t)ms);
    if (d->breaker.opens != opens)
        atomic_fetch_add_explicit(&st->breaker_opens, 1, memory_order_relaxed);
    stats_breaker(d, p->conf, now);
    static const uint64_t bounds[BFF_LATENCY_BUCKETS - 1] = {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
    size_t b = 0;
    while (b < BFF_LATENCY_BUCKETS - 1 && ms > bounds[b])
        ++b;
    atomic_fetch_add_explicit(&st->latency[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&st->latency_sum_us, ms * 1000, memory_order_relaxed);
    atomic_fetch_sub_explicit(&st->in_flight, 1, memory_order_relaxed);
    if (failed)
        atomic_fetch_add_explicit(&st->failures, 1, memory_order_relaxed);
    if (timed_out)
        atomic_fetch_add_explicit(&st->timeouts, 1, memory_order_relaxed);
    if (cancelled)
        atomic_fetch_add_explicit(&st->cancelled, 1, memory_order_relaxed);
    pool_t *pool = &g->pools[p->conf->pool];
    if (bff_bulkhead_leave(&pool->h))
        pool_next(pool);
}

/* The time the call has left: its own budget (once dispatched), within the request's deadline. */
static uint64_t remaining_ms(const pcall_t *p)
{
    uint64_t now = uv_now(p->ctx->loop);
    uint64_t left = p->ctx->deadline_ms == 0 ? UINT64_MAX : p->ctx->deadline_ms > now ? p->ctx->deadline_ms - now : 0;
    if (p->budget_end_ms != 0) {
        uint64_t own = p->budget_end_ms > now ? p->budget_end_ms - now : 0;
        if (own < left)
            left = own;
    }
    return left;
}

static void on_backoff_close(uv_handle_t *h)
{
    free(h);
}

static void on_backoff(uv_timer_t *t)
{
    pcall_t *p = t->data;
    uv_close((uv_handle_t *)t, on_backoff_close);
    p->backoff = NULL;
    pcall_dispatch(p);
}

/*
 * Whether a failed read gets another attempt, and after which wait: reads
 * only (GET), failures a new attempt may not meet (transport, 5xx, timeout,
 * not JSON), attempts left, time left before the request's deadline, and a
 * token in the provider's retry budget.
 */
static bool retry_later(pcall_t *p, bff_dep_error_t e)
{
    if (strcmp(p->req.method, "GET") != 0 || p->ctx->guard == NULL || p->attempts >= p->conf->max_attempts ||
        (e != BFF_DEP_UNAVAILABLE && e != BFF_DEP_TIMEOUT))
        return false;
    bff_guard_t *g = p->ctx->guard;
    dep_t *d = &g->deps[p->conf->index];
    uint64_t cap = (uint64_t)p->conf->backoff_ms << (p->attempts - 1 < 16 ? p->attempts - 1 : 16);
    if (cap > p->conf->backoff_cap_ms)
        cap = p->conf->backoff_cap_ms;
    g->rng ^= g->rng << 13;
    g->rng ^= g->rng >> 7;
    g->rng ^= g->rng << 17;
    uint64_t wait = cap ? g->rng % (cap + 1) : 0;
    if (remaining_ms(p) < wait + 10)
        return false; /* no time left for another attempt */
    if (d->retry_tokens < 1) {
        atomic_fetch_add_explicit(&p->conf->stats->retries_denied, 1, memory_order_relaxed);
        return false;
    }
    d->retry_tokens -= 1;
    atomic_fetch_add_explicit(&p->conf->stats->retries, 1, memory_order_relaxed);
    p->backoff = bff_xmalloc(sizeof(*p->backoff));
    uv_timer_init(g->loop, p->backoff);
    p->backoff->data = p;
    uv_timer_start(p->backoff, on_backoff, wait, 0);
    return true;
}

static void on_provider_answer(const bff_upstream_response_t *res, void *arg)
{
    pcall_t *p = arg;
    p->up = NULL;
    json_t *body = NULL, *err = NULL;
    bff_dep_error_t e = BFF_DEP_OK;
    const char *message = NULL;
    long status = res->error == BFF_UPSTREAM_OK ? res->status : 0;
    if (res->error != BFF_UPSTREAM_OK) {
        e = res->error == BFF_UPSTREAM_E_TIMEOUT     ? BFF_DEP_TIMEOUT
            : res->error == BFF_UPSTREAM_E_CANCELLED ? BFF_DEP_CANCELLED
                                                     : BFF_DEP_UNAVAILABLE;
        message = bff_arena_printf(p->arena, "%s: %s", p->provider, bff_upstream_strerror(res->error));
    } else if (res->status >= 400 && res->status <= 499) {
        /* the provider refused the request: its reason (JSON {"error": ...}) goes to the caller */
        err = bff_json_parse(res->body, res->body_len, NULL);
        const char *why = json_string_value(json_object_get(err, "error"));
        p->reason = why != NULL ? bff_arena_strdup(p->arena, why) : NULL;
        e = BFF_DEP_REJECTED;
        message = bff_arena_printf(p->arena, "%s answered HTTP %ld: %s", p->provider, res->status, why ? why : "refused");
    } else if (res->status < 200 || res->status > 299) {
        e = BFF_DEP_UNAVAILABLE;
        message = bff_arena_printf(p->arena, "%s answered HTTP %ld", p->provider, res->status);
    } else {
        bff_json_error_t jerr;
        if (p->read != NULL) { /* read in the call: an answer its adapter refuses fails like one that is not JSON */
            const char *why = p->read(res->body, res->body_len, p->read_arg);
            if (why != NULL) {
                e = BFF_DEP_UNAVAILABLE;
                message = why;
            }
        } else if ((body = bff_json_parse(res->body, res->body_len, &jerr)) == NULL) {
            e = BFF_DEP_UNAVAILABLE;
            message = bff_arena_printf(p->arena, "%s answered with invalid JSON (%s at byte %zu)", p->provider, jerr.text,
                                       jerr.position);
        }
    }
    /* bookkeeping first: the callback may end the request and free p */
    attempt_span(p, e, status, message);
    bool cancelled = e == BFF_DEP_CANCELLED;
    if (p->guarded) {
        bool failed = e != BFF_DEP_OK && !cancelled && e != BFF_DEP_REJECTED;
        guarded_end(p, failed, cancelled, e == BFF_DEP_TIMEOUT);
    }
    if (e != BFF_DEP_OK && !cancelled && retry_later(p, e)) {
        json_decref(err);
        return;
    }
    if (body != NULL && p->cache_key != NULL && p->ctx->catalog_cache != NULL) {
        bff_json_cache_put(p->ctx->catalog_cache, p->cache_key, body, res->body_len, uv_now(p->ctx->loop));
        if (p->fill_token != NULL && p->ctx->shared_cache != NULL) {
            p->ctx->shared_cache->put(p->ctx->shared_cache->impl, p->cache_key, p->fill_token, res->body, res->body_len,
                                      bff_json_cache_ttl(p->ctx->catalog_cache));
            p->fill_token = NULL;
        }
    }
    if (p->read != NULL && e == BFF_DEP_OK)
        pcall_finish_text(p, NULL, res->body, res->body_len, e, status, message);
    else
        pcall_finish(p, body != NULL ? body : err, e, status, message);
    json_decref(body);
    json_decref(err);
}

/* Sends the attempt: its timeout is the smaller of the provider's and what is left of the request's. */
static void pcall_send(pcall_t *p)
{
    uint64_t left = remaining_ms(p);
    if (left == 0) { /* it waited in a queue past the deadline */
        if (p->guarded)
            guarded_end(p, false, true, false);
        pcall_fail_later(p, BFF_DEP_TIMEOUT,
                         bff_arena_printf(p->arena, "%s: not called, the request's deadline has passed", p->provider));
        return;
    }
    uint32_t timeout = p->conf->timeout_ms < left ? p->conf->timeout_ms : (uint32_t)left;
    p->req.timeout_ms = timeout;
    char digits[12];
    size_t nd = sizeof(digits);
    digits[--nd] = '\0';
    for (uint32_t v = timeout; nd == sizeof(digits) - 1 || v > 0; v /= 10)
        digits[--nd] = (char)('0' + v % 10);
    size_t fixed = p->req.nheaders; /* each attempt writes its own after these */
    p->headers[p->req.nheaders++] = bff_arena_join(p->arena, "X-Request-Timeout-Ms: ", NULL, digits + nd);
    if (p->ctx->trace != NULL && p->ctx->rng != NULL) { /* a child span per attempt: the provider's trace joins ours */
        char line[80];
        bff_trace_span_id(p->ctx->rng, p->span_id);
        bff_trace_header(p->ctx->trace, p->span_id, line);
        p->headers[p->req.nheaders++] = bff_arena_strdup(p->arena, line);
        if (p->ctx->trace->tracestate[0] != '\0')
            p->headers[p->req.nheaders++] = bff_arena_join(p->arena, "tracestate: ", NULL, p->ctx->trace->tracestate);
    }
    p->attempts++;
    p->start_ms = uv_now(p->ctx->loop);
    if (p->ctx->tracer != NULL)
        p->sent_ns = bff_span_now_ns();
    p->up = bff_upstream_send(p->ctx->upstream, &p->req, on_provider_answer, p);
    p->req.nheaders = fixed;
    if (p->up == NULL) {
        if (p->guarded)
            guarded_end(p, true, false, false);
        pcall_fail_later(p, BFF_DEP_UNAVAILABLE, bff_arena_printf(p->arena, "%s: cannot start the call", p->provider));
    }
}

/* An attempt that holds a slot of its pool: the breaker decides whether it goes out. */
static void guarded_start(pcall_t *p)
{
    bff_guard_t *g = p->ctx->guard;
    dep_t *d = &g->deps[p->conf->index];
    uint64_t now = uv_now(g->loop);
    bool allowed = bff_breaker_allow(&d->breaker, now);
    stats_breaker(d, p->conf, now);
    if (!allowed) {
        atomic_fetch_add_explicit(&p->conf->stats->short_circuited, 1, memory_order_relaxed);
        pool_t *pool = &g->pools[p->conf->pool];
        bool next = bff_bulkhead_leave(&pool->h);
        pcall_fail_later(p, BFF_DEP_UNAVAILABLE,
                         bff_arena_printf(p->arena, "%s: circuit open after repeated failures; not called", p->provider));
        if (next)
            pool_next(pool);
        return;
    }
    p->guarded = true;
    p->breaker = bff_breaker_state(&d->breaker, now);
    p->waited_ms = p->queued_ms != 0 ? (uint32_t)(now - p->queued_ms) : 0;
    p->queued_ms = 0;
    atomic_fetch_add_explicit(&p->conf->stats->calls, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->conf->stats->in_flight, 1, memory_order_relaxed);
    pcall_send(p);
}

/* An attempt asks its pool for a slot: now, after a wait in the queue, or never. */
static void pcall_dispatch(pcall_t *p)
{
    bff_guard_t *g = p->ctx->guard;
    if (p->budget_end_ms == 0) /* a read's retries fit in its timeout, they do not multiply it */
        p->budget_end_ms = uv_now(p->ctx->loop) + p->conf->timeout_ms;
    if (remaining_ms(p) == 0) {
        pcall_fail_later(p, BFF_DEP_TIMEOUT,
                         p->attempts > 0 ? bff_arena_printf(p->arena, "%s: no time left for another attempt within %u ms",
                                                            p->provider, p->conf->timeout_ms)
                                         : bff_arena_printf(p->arena, "%s: not called, the request's deadline has passed",
                                                            p->provider));
        return;
    }
    if (g == NULL) {
        pcall_send(p);
        return;
    }
    if (p->attempts == 0) {
        dep_t *d = &g->deps[p->conf->index];
        d->retry_tokens += p->conf->retry_budget;
        if (d->retry_tokens > 10)
            d->retry_tokens = 10;
    }
    pool_t *pool = &g->pools[p->conf->pool];
    switch (bff_bulkhead_enter(&pool->h)) {
    case BFF_BULKHEAD_RUN:
        guarded_start(p);
        return;
    case BFF_BULKHEAD_WAIT: {
        queued_t *q = bff_xcalloc(1, sizeof(*q));
        q->call = p;
        q->pool = pool;
        q->prev = pool->tail;
        if (pool->tail != NULL)
            pool->tail->next = q;
        else
            pool->head = q;
        pool->tail = q;
        q->ctx_next = p->ctx->queued;
        p->ctx->queued = q;
        p->queued = q;
        p->queued_ms = uv_now(g->loop);
        uv_timer_init(g->loop, &q->timer);
        q->timer.data = q;
        uint64_t wait = pool->h.conf.queue_timeout_ms, left = remaining_ms(p);
        uv_timer_start(&q->timer, on_queue_timeout, wait < left ? wait : left, 0);
        return;
    }
    case BFF_BULKHEAD_REJECT:
        atomic_fetch_add_explicit(&p->conf->stats->rejected, 1, memory_order_relaxed);
        pcall_fail_later(p, BFF_DEP_UNAVAILABLE,
                         bff_arena_printf(p->arena, "%s: the %s bulkhead is full; not called", p->provider,
                                          bff_pool_name(p->conf->pool)));
        return;
    }
}

/* ---- the fleet's cache (bff_shared_cache_t) ---- */

static void l2_close(uv_handle_t *h)
{
    free(h->data);
}

static void l2_release(l2wait_t *w)
{
    uv_timer_stop(&w->poll);
    uv_close((uv_handle_t *)&w->poll, l2_close);
}

/* The call stops waiting on w: out of its request's list; w itself goes with l2_release. */
static void l2_forget(bff_scope_t *ctx, l2wait_t *w)
{
    for (l2wait_t **pp = &ctx->l2_waits; *pp != NULL; pp = &(*pp)->ctx_next)
        if (*pp == w) {
            *pp = w->ctx_next;
            break;
        }
    if (w->call != NULL)
        w->call->l2 = NULL;
    w->call = NULL;
}

static void on_l2_reply(int status, const char *text, size_t len, uint64_t ttl_ms, const char *token, void *arg);

/* Asks the fleet's cache; false when it cannot be asked now. */
static bool l2_ask(l2wait_t *w)
{
    w->asking = w->shared->get(w->shared->impl, w->key, w->fill_ms, on_l2_reply, w) == 0;
    return w->asking;
}

/* Done with the fleet's cache: the call goes to its provider (claim or not). */
static void l2_call_provider(l2wait_t *w)
{
    pcall_t *p = w->call;
    l2_forget(p->ctx, w);
    l2_release(w);
    pcall_dispatch(p);
}

static void on_l2_poll(uv_timer_t *t)
{
    l2wait_t *w = t->data;
    if (!l2_ask(w))
        l2_call_provider(w);
}

static void on_l2_reply(int status, const char *text, size_t len, uint64_t ttl_ms, const char *token, void *arg)
{
    l2wait_t *w = arg;
    assert(w->asking && "one reply per question");
    w->asking = false;
    pcall_t *p = w->call;
    if (p == NULL) { /* the request ended or cancelled the read meanwhile */
        if (status == 0)
            w->shared->put(w->shared->impl, w->key, token, NULL, 0, 0);
        l2_release(w);
        return;
    }
    bff_scope_t *ctx = p->ctx;
    if (status == 1) {
        json_t *body = bff_json_parse(text, len, NULL);
        if (body != NULL) { /* not JSON (someone else's key?): as a miss, without a claim */
            bff_json_cache_put_ttl(ctx->catalog_cache, p->cache_key, body, len, uv_now(ctx->loop), ttl_ms);
            l2_forget(ctx, w);
            l2_release(w);
            cache_span(ctx, p->conf, p->path, "fleet", 0);
            pcall_finish(p, body, BFF_DEP_OK, 200, NULL);
            json_decref(body);
            return;
        }
    } else if (status == 0) {
        p->fill_token = bff_arena_strdup(p->arena, token);
    } else if (status == 2) {
        /* another caller fills it: ask again soon, while its claim may hold and the request has time */
        uint64_t wait = 5ull << (w->polls < 4 ? w->polls : 4); /* 5, 10, 20, 40, 80 ms */
        uint64_t now = uv_now(ctx->loop);
        w->polls++;
        if (now + wait - w->started_ms <= w->fill_ms && remaining_ms(p) > wait + 10) {
            uv_timer_start(&w->poll, on_l2_poll, wait, 0);
            return;
        }
    }
    l2_call_provider(w);
}

/* A read the worker's cache missed: the fleet's cache first; false when it cannot be asked (call the provider). */
static bool l2_start(pcall_t *p)
{
    const bff_shared_cache_t *shared = p->ctx->shared_cache;
    size_t klen = strlen(p->cache_key);
    l2wait_t *w = bff_xcalloc(1, sizeof(*w) + klen + 1);
    memcpy(w->key, p->cache_key, klen + 1);
    w->shared = shared;
    w->call = p;
    w->started_ms = uv_now(p->ctx->loop);
    w->fill_ms = (uint64_t)p->conf->timeout_ms + 100; /* as long as its filler may try: attempts included */
    if (!l2_ask(w)) {
        free(w);
        return false;
    }
    uv_timer_init(p->ctx->loop, &w->poll);
    w->poll.data = w;
    w->ctx_next = p->ctx->l2_waits;
    p->ctx->l2_waits = w;
    p->l2 = w;
    return true;
}

void bff_call_cancel(bff_call_t *p)
{
    if (p == NULL || p->done)
        return;
    if (p->up != NULL) {
        bff_upstream_cancel(p->up); /* its callback finishes p with CANCELLED */
        return;
    }
    if (p->l2 != NULL) {
        l2wait_t *w = p->l2;
        l2_forget(p->ctx, w);
        if (!w->asking)
            l2_release(w);
    } else if (p->backoff != NULL) {
        uv_timer_stop(p->backoff);
        uv_close((uv_handle_t *)p->backoff, on_backoff_close);
        p->backoff = NULL;
    } else if (p->queued != NULL) {
        queued_t *q = p->queued;
        queue_unlink(q->pool, q);
        bff_bulkhead_dequeue(&q->pool->h, false);
        ctx_forget(p->ctx, q);
        queued_release(q);
        p->queued = NULL;
    } else {
        return; /* refused already: its answer is on its way */
    }
    pcall_finish(p, NULL, BFF_DEP_CANCELLED, 0, bff_arena_printf(p->arena, "%s: cancelled", p->provider));
}


/* A call ready to dispatch, or NULL: refused (its answer is deferred). */
static pcall_t *pcall_new(bff_scope_t *ctx, bff_provider_id_t provider, const char *method, const char *path, json_t *body,
                          const char *body_text, size_t body_len, const char *header, const char *cache_key,
                          bff_provider_cb cb, void *arg)
{
    const bff_provider_conf_t *conf = bff_providers_at(ctx->providers, (size_t)provider);
    assert(conf != NULL && "a provider of the table");
    if (conf->url[0] == '\0') { /* no providers_url and no providers.<name>.url: nothing to call */
        scope_defer_error(ctx, cb, arg, conf->name, BFF_DEP_UNAVAILABLE,
                    bff_arena_printf(ctx->arena, "%s: no URL is configured (set providers_url or providers.%s.url)",
                                     conf->name, conf->name));
        return NULL;
    }
    pcall_t *p = bff_arena_calloc(ctx->arena, 1, sizeof(*p));
    p->provider = conf->name;
    p->conf = conf;
    p->cb = cb;
    p->arg = arg;
    p->arena = ctx->arena;
    p->ctx = ctx;
    p->cache_key = cache_key;
    p->headers = bff_arena_calloc(ctx->arena, 8, sizeof(*p->headers)); /* 4 fixed at most, 3 per attempt */
    size_t nheaders = 0;
    p->headers[nheaders++] = "Content-Type: application/json";
    p->headers[nheaders++] = "Accept: application/json";
    if (conf->auth_header != NULL)
        p->headers[nheaders++] = conf->auth_header;
    if (header != NULL)
        p->headers[nheaders++] = bff_arena_strdup(ctx->arena, header);
    const char *text = body_text;
    size_t text_len = body_len;
    if (body != NULL) {
        bff_buf_t b = BFF_BUF_INIT;
        bff_json_write(&b, body);
        text = bff_arena_strndup(ctx->arena, b.data, b.len);
        text_len = b.len;
        bff_buf_free(&b);
    }
    p->req = (bff_upstream_request_t){
        .method = method,
        .url = bff_arena_join(ctx->arena, conf->url, NULL, path),
        .headers = p->headers,
        .nheaders = nheaders,
        .body = text,
        .body_len = text_len,
        .connect_timeout_ms = conf->connect_timeout_ms,
        .ca_file = conf->ca_file,
        /*
         * Cleartext upstreams get HTTP/1.1 with keep-alive: several streams opened at
         * once on a fresh prior-knowledge HTTP/2 connection to h2o 2.2 (the simulator)
         * fail in curl 7.88 with a framing error. TLS upstreams negotiate HTTP/2.
         */
        .h2c_prior_knowledge = 0,
    };
    p->path = p->req.url + strlen(conf->url);
    return p;
}

static bff_call_t *provider_send(bff_scope_t *ctx, bff_provider_id_t provider, const char *method, const char *path,
                                 json_t *body, const char *body_text, size_t body_len, bff_answer_read_fn read,
                                 void *read_arg, const char *header, bff_provider_cb cb, void *arg)
{
    pcall_t *p = pcall_new(ctx, provider, method, path, body, body_text, body_len, header, NULL, cb, arg);
    if (p == NULL)
        return NULL;
    p->read = read;
    p->read_arg = read_arg;
    pcall_dispatch(p);
    return p->done ? NULL : p;
}

bff_call_t *bff_scope_call(bff_scope_t *ctx, bff_provider_id_t provider, const char *method, const char *path,
                                   json_t *body, const char *header, bff_provider_cb cb, void *arg)
{
    return provider_send(ctx, provider, method, path, body, NULL, 0, NULL, NULL, header, cb, arg);
}

bff_call_t *bff_scope_call_text(bff_scope_t *ctx, bff_provider_id_t provider, const char *method, const char *path,
                                   const char *body, size_t body_len, const char *header, bff_answer_read_fn read,
                                   void *read_arg, bff_provider_cb cb, void *arg)
{
    return provider_send(ctx, provider, method, path, NULL, body, body_len, read, read_arg, header, cb, arg);
}

/* A read the worker's cache does not answer: from the fleet's cache when there is one, else from the provider. */
static bff_call_t *cached_send(bff_scope_t *ctx, bff_provider_id_t provider, const char *path, const char *key,
                               bff_provider_cb cb, void *arg)
{
    pcall_t *p = pcall_new(ctx, provider, "GET", path, NULL, NULL, 0, NULL, key, cb, arg);
    if (p == NULL)
        return NULL;
    if (ctx->shared_cache == NULL || !l2_start(p))
        pcall_dispatch(p);
    return p->done ? NULL : p;
}

/* A background refresh: its own context and arena, so it outlives the request that found the entry stale. */
typedef struct st_refresh_t {
    bff_scope_t *ctx;
    bff_arena_t *arena;
    char *key;
} refresh_t;

static void on_refreshed(const bff_outcome_t *o, void *arg)
{
    refresh_t *rf = arg;
    if (o->error != BFF_DEP_OK && rf->ctx->catalog_cache != NULL)
        bff_json_cache_refresh_failed(rf->ctx->catalog_cache, rf->key); /* a good answer was stored by the call */
    bff_providers_free(rf->ctx->providers);
    bff_scope_release(rf->ctx);
    free(rf->key);
    bff_arena_free(rf->arena); /* rf is in it */
}

static void refresh_in_background(bff_scope_t *ctx, bff_provider_id_t provider, const char *path, const char *key)
{
    bff_arena_t *arena = bff_arena_new(4096);
    refresh_t *rf = bff_arena_calloc(arena, 1, sizeof(*rf));
    rf->arena = arena;
    rf->key = bff_xstrdup(key);
    rf->ctx = bff_arena_calloc(arena, 1, sizeof(*rf->ctx));
    bff_scope_init(rf->ctx, ctx->upstream, ctx->loop, arena, bff_providers_ref(ctx->providers)); /* past a reload */
    rf->ctx->catalog_cache = ctx->catalog_cache;
    rf->ctx->guard = ctx->guard;
    rf->ctx->shared_cache = ctx->shared_cache;
    cached_send(rf->ctx, provider, bff_arena_strdup(arena, path), bff_arena_strdup(arena, key), on_refreshed, rf);
}

bff_call_t *bff_scope_get_cached(bff_scope_t *ctx, bff_provider_id_t provider, const char *path, bff_provider_cb cb,
                                    void *arg)
{
    if (ctx->catalog_cache == NULL)
        return provider_send(ctx, provider, "GET", path, NULL, NULL, 0, NULL, NULL, NULL, cb, arg);
    const char *name = bff_providers_at(ctx->providers, (size_t)provider)->name;
    const char *key = bff_arena_join(ctx->arena, name, " ", path);
    uint64_t age;
    bool refresh;
    json_t *hit = bff_json_cache_lookup(ctx->catalog_cache, key, uv_now(ctx->loop), &age, &refresh);
    if (hit == NULL)
        return cached_send(ctx, provider, path, key, cb, arg);
    bff_scope_defer(ctx, cb, arg, &(bff_outcome_t){.body = hit, .provider = name, .status = 200});
    if (age > 0 || refresh) { /* a stale answer has its span; fresh ones are counted on the request's */
        if (ctx->tracer != NULL)
            cache_span(ctx, bff_providers_at(ctx->providers, (size_t)provider), path, "stale", age);
    } else {
        ctx->cache_hits++;
    }
    if (age > 0 || refresh) {
        ctx->stale_answers++;
        if (age > ctx->stale_max_age_ms)
            ctx->stale_max_age_ms = age;
    }
    if (refresh)
        refresh_in_background(ctx, provider, path, key);
    return NULL;
}

bff_guard_t *bff_guard_new(uv_loop_t *loop, const bff_providers_t *providers)
{
    bff_guard_t *g = bff_xcalloc(1, sizeof(*g));
    g->loop = loop;
    g->rng = 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)g;
    for (int i = 0; i < BFF_POOL_COUNT; ++i)
        g->pools[i].h.conf = *bff_providers_bulkhead(providers, (bff_pool_t)i);
    g->deps = bff_xcalloc(bff_providers_count(providers), sizeof(*g->deps));
    for (size_t i = 0; i < bff_providers_count(providers); ++i) {
        bff_breaker_init(&g->deps[i].breaker, &bff_providers_at(providers, i)->breaker);
        g->deps[i].retry_tokens = 1; /* the first failure may be retried */
    }
    return g;
}

void bff_guard_configure(bff_guard_t *g, const bff_providers_t *providers)
{
    for (size_t i = 0; i < bff_providers_count(providers); ++i)
        bff_breaker_configure(&g->deps[i].breaker, &bff_providers_at(providers, i)->breaker);
    for (int i = 0; i < BFF_POOL_COUNT; ++i) {
        pool_t *pool = &g->pools[i];
        pool->h.conf = *bff_providers_bulkhead(providers, (bff_pool_t)i);
        while (pool->h.queued > 0 && pool->h.in_flight < pool->h.conf.max_concurrent) {
            uint32_t queued = pool->h.queued;
            pool_next(pool);
            if (pool->h.queued == queued)
                break;
        }
    }
}

void bff_guard_free(bff_guard_t *g)
{
    if (g == NULL)
        return;
    for (int i = 0; i < BFF_POOL_COUNT; ++i) {
        while (g->pools[i].head != NULL) { /* the loop is stopped: the timers are not closed, just freed */
            queued_t *q = g->pools[i].head;
            queue_unlink(&g->pools[i], q);
            free(q);
        }
    }
    free(g->deps);
    free(g);
}

