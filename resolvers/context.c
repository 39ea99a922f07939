/*
 * context.c - per-request resolver context, provider calls and batch loaders.
 *
 * A loader holds the keys and waiters gathered since its last dispatch (the
 * "pending batch"). The first key of a batch schedules the context's zero
 * timer; when it fires (after the executor has started every resolver of the
 * current level) each loader with a pending batch dispatches it. A batch in
 * flight is detached from the loader, so keys asked meanwhile start a new one.
 */
#include "context.h"

#include "cache.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct st_waiter_t {
    const char *key;
    bff_resolve_t *r;
    bff_loader_done_fn done;
    void *arg;
    struct st_bff_batch_t *batch;
    bool completed;
} waiter_t;

struct st_bff_batch_t {
    bff_loader_t *loader;
    waiter_t **waiters;
    size_t n, cap;
    bff_upstream_call_t **calls; /* its calls in flight (slots go NULL as they end) */
    size_t ncalls, capcalls;
    bool finished;
};
typedef struct st_bff_batch_t batch_t;

struct st_bff_loader_t {
    bff_reqctx_t *ctx;
    const char *name;
    bff_loader_dispatch_fn dispatch;
    void *arg;
    batch_t *pending; /* gathering keys */
    bff_loader_t *next;
};

bff_reqctx_t *bff_reqctx_new(bff_upstream_t *upstream, uv_loop_t *loop, bff_arena_t *arena,
                             const bff_providers_t *providers)
{
    bff_reqctx_t *c = bff_arena_calloc(arena, 1, sizeof(*c));
    c->upstream = upstream;
    c->loop = loop;
    c->arena = arena;
    c->providers = providers;
    return c;
}

static void free_timer(uv_handle_t *h)
{
    free(h);
}

typedef struct st_bff_deferred_t {
    bff_provider_cb cb;
    void *arg;
    json_t *body;                /* a cached answer, or NULL with code */
    const char *code, *message; /* a call refused before it started */
    struct st_bff_deferred_t *next;
} deferred_t;

/* A call waiting for a bulkhead slot: heap, because its request may end first (then ctx is NULL). */
typedef struct st_bff_queued_t {
    struct st_pcall_t *call;
    bff_reqctx_t *ctx;
    struct st_pool_t *pool;
    uv_timer_t timer; /* the queue timeout */
    struct st_bff_queued_t *next, *prev;   /* in the pool's queue */
    struct st_bff_queued_t *ctx_next;      /* in the request's list */
    bool in_queue;
} queued_t;

typedef struct st_pool_t {
    bff_bulkhead_t h;
    queued_t *head, *tail;
} pool_t;

typedef struct st_dep_t {
    bff_breaker_t breaker;
    bool not_closed; /* as last counted in stats->breakers_not_closed */
} dep_t;

struct st_bff_guard_t {
    uv_loop_t *loop;
    const bff_providers_t *providers;
    pool_t pools[BFF_POOL_COUNT];
    dep_t *deps;
};

static void on_tick(uv_timer_t *t);
static void tick_soon(bff_reqctx_t *ctx);

void bff_reqctx_free(bff_reqctx_t *ctx)
{
    if (ctx == NULL)
        return;
    if (ctx->gone != NULL)
        *ctx->gone = true;
    for (deferred_t *d = ctx->deferred; d != NULL; d = d->next)
        json_decref(d->body);
    ctx->deferred = NULL;
    for (queued_t *q = ctx->queued; q != NULL; q = q->ctx_next)
        q->ctx = NULL; /* left in its pool's queue: dropped when its turn or its timeout comes */
    ctx->queued = NULL;
    if (ctx->tick != NULL) {
        uv_timer_stop(ctx->tick);
        uv_close((uv_handle_t *)ctx->tick, free_timer);
        ctx->tick = NULL;
    }
}

/* Fails a call on the next loop turn (never from inside the call that asked). */
static void defer_fail(bff_reqctx_t *ctx, bff_provider_cb cb, void *arg, const char *code, const char *message)
{
    deferred_t *d = bff_arena_calloc(ctx->arena, 1, sizeof(*d));
    d->cb = cb;
    d->arg = arg;
    d->code = code;
    d->message = message;
    deferred_t **tail = &ctx->deferred;
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = d;
    tick_soon(ctx);
}

/* ---- provider calls ---- */

typedef struct st_pcall_t {
    const char *provider;
    const bff_provider_conf_t *conf;
    bff_provider_cb cb;
    void *arg;
    bff_arena_t *arena;
    bff_reqctx_t *ctx;
    const char *cache_key; /* keep a good answer in ctx->catalog_cache under this key */
    bff_upstream_request_t req;
    bool guarded;      /* counted in its pool and breaker: report the outcome */
    uint64_t start_ms; /* when it was sent */
} pcall_t;

static bff_upstream_call_t *guarded_start(pcall_t *p);

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
    q->in_queue = false;
}

static void queued_close(uv_handle_t *h)
{
    free(h->data);
}

/* Takes q out of its request's list of waiting calls. */
static void ctx_forget(queued_t *q)
{
    if (q->ctx == NULL)
        return;
    for (queued_t **pp = &q->ctx->queued; *pp != NULL; pp = &(*pp)->ctx_next)
        if (*pp == q) {
            *pp = q->ctx_next;
            break;
        }
}

/* A slot is free in the pool: start the first waiting call whose request is still there. */
static void pool_next(pool_t *pool)
{
    while (pool->head != NULL) {
        queued_t *q = pool->head;
        queue_unlink(pool, q);
        uv_timer_stop(&q->timer);
        uv_close((uv_handle_t *)&q->timer, queued_close);
        if (q->ctx == NULL) { /* its request is gone */
            bff_bulkhead_dequeue(&pool->h, false);
            continue;
        }
        ctx_forget(q);
        bff_bulkhead_dequeue(&pool->h, true);
        guarded_start(q->call);
        return;
    }
}

static void on_queue_timeout(uv_timer_t *t)
{
    queued_t *q = t->data;
    pool_t *pool = q->pool;
    queue_unlink(pool, q);
    bff_bulkhead_dequeue(&pool->h, false);
    if (q->ctx != NULL) {
        pcall_t *p = q->call;
        ctx_forget(q);
        atomic_fetch_add_explicit(&p->conf->stats->rejected, 1, memory_order_relaxed);
        defer_fail(q->ctx, p->cb, p->arg, "DEPENDENCY_TIMEOUT",
                   bff_arena_printf(p->arena, "%s: no free slot in the %s bulkhead within %u ms", p->provider,
                                    bff_pool_name(p->conf->pool), pool->h.conf.queue_timeout_ms));
    }
    uv_close((uv_handle_t *)&q->timer, queued_close);
}

/* The call is over (answered, failed or cancelled): its outcome to the breaker, its slot to the next. */
static void guarded_end(pcall_t *p, bool failed, bool cancelled, bool timed_out)
{
    bff_guard_t *g = p->ctx->guard;
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

static void on_provider_answer(const bff_upstream_response_t *res, void *arg)
{
    pcall_t *p = arg;
    json_t *body = NULL, *err = NULL;
    const char *code = NULL, *message = NULL;
    if (res->error != BFF_UPSTREAM_OK) {
        code = res->error == BFF_UPSTREAM_E_TIMEOUT     ? "DEPENDENCY_TIMEOUT"
               : res->error == BFF_UPSTREAM_E_CANCELLED ? "CANCELLED"
                                                        : "DEPENDENCY_UNAVAILABLE";
        message = bff_arena_printf(p->arena, "%s: %s", p->provider, bff_upstream_strerror(res->error));
    } else if (res->status >= 400 && res->status <= 499) {
        /* the provider refused the request: its reason (JSON {"error": ...}) goes to the caller */
        json_error_t jerr;
        err = json_loadb(res->body, res->body_len, 0, &jerr);
        const char *why = json_string_value(json_object_get(err, "error"));
        code = "PROVIDER_REJECTED";
        message = bff_arena_printf(p->arena, "%s answered HTTP %ld: %s", p->provider, res->status, why ? why : "refused");
    } else if (res->status < 200 || res->status > 299) {
        code = "DEPENDENCY_UNAVAILABLE";
        message = bff_arena_printf(p->arena, "%s answered HTTP %ld", p->provider, res->status);
    } else {
        json_error_t jerr;
        body = json_loadb(res->body, res->body_len, 0, &jerr);
        if (body == NULL) {
            code = "DEPENDENCY_UNAVAILABLE";
            message = bff_arena_printf(p->arena, "%s answered with invalid JSON", p->provider);
        }
    }
    /* bookkeeping first: the callback may end the request and free p */
    if (p->guarded) {
        bool cancelled = code != NULL && strcmp(code, "CANCELLED") == 0;
        bool failed = code != NULL && !cancelled && strcmp(code, "PROVIDER_REJECTED") != 0;
        guarded_end(p, failed, cancelled, code != NULL && strcmp(code, "DEPENDENCY_TIMEOUT") == 0);
    }
    if (body != NULL && p->cache_key != NULL && p->ctx->catalog_cache != NULL)
        bff_json_cache_put(p->ctx->catalog_cache, p->cache_key, body, res->body_len, uv_now(p->ctx->loop));
    p->cb(body != NULL ? body : err, code, message, p->arg);
    json_decref(body);
    json_decref(err);
}

static bff_upstream_call_t *pcall_send(pcall_t *p)
{
    bff_upstream_call_t *call = bff_upstream_send(p->ctx->upstream, &p->req, on_provider_answer, p);
    if (call == NULL) {
        if (p->guarded)
            guarded_end(p, true, false, false);
        p->cb(NULL, "DEPENDENCY_UNAVAILABLE", bff_arena_printf(p->arena, "%s: cannot start the call", p->provider),
              p->arg);
    }
    return call;
}

/* A call that holds a slot of its pool: the breaker decides whether it goes out. */
static bff_upstream_call_t *guarded_start(pcall_t *p)
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
        defer_fail(p->ctx, p->cb, p->arg, "DEPENDENCY_UNAVAILABLE",
                   bff_arena_printf(p->arena, "%s: circuit open after repeated failures; not called", p->provider));
        if (next)
            pool_next(pool);
        return NULL;
    }
    p->guarded = true;
    p->start_ms = now;
    atomic_fetch_add_explicit(&p->conf->stats->calls, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->conf->stats->in_flight, 1, memory_order_relaxed);
    return pcall_send(p);
}

bff_upstream_call_t *bff_provider_call(bff_reqctx_t *ctx, const char *provider, const char *method, const char *path,
                                       json_t *body, bff_provider_cb cb, void *arg)
{
    return bff_provider_call_with(ctx, provider, method, path, body, NULL, cb, arg);
}

static bff_upstream_call_t *provider_send(bff_reqctx_t *ctx, const char *provider, const char *method, const char *path,
                                          json_t *body, const char *header, const char *cache_key, bff_provider_cb cb,
                                          void *arg)
{
    const bff_provider_conf_t *conf = bff_providers_get(ctx->providers, provider);
    if (conf == NULL) {
        cb(NULL, "DEPENDENCY_UNAVAILABLE", bff_arena_printf(ctx->arena, "%s: not a configured provider", provider), arg);
        return NULL;
    }
    pcall_t *p = bff_arena_calloc(ctx->arena, 1, sizeof(*p));
    p->provider = provider;
    p->conf = conf;
    p->cb = cb;
    p->arg = arg;
    p->arena = ctx->arena;
    p->ctx = ctx;
    p->cache_key = cache_key;
    const char **headers = bff_arena_calloc(ctx->arena, 4, sizeof(*headers));
    size_t nheaders = 0;
    headers[nheaders++] = "Content-Type: application/json";
    headers[nheaders++] = "Accept: application/json";
    if (conf->auth_header != NULL)
        headers[nheaders++] = conf->auth_header;
    if (header != NULL)
        headers[nheaders++] = bff_arena_strdup(ctx->arena, header);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    p->req = (bff_upstream_request_t){
        .method = method,
        .url = bff_arena_printf(ctx->arena, "%s%s", conf->url, path),
        .headers = headers,
        .nheaders = nheaders,
        .body = text ? bff_arena_strdup(ctx->arena, text) : NULL,
        .body_len = text ? strlen(text) : 0,
        .timeout_ms = conf->timeout_ms,
        .ca_file = conf->ca_file,
        /*
         * Cleartext upstreams get HTTP/1.1 with keep-alive: several streams opened at
         * once on a fresh prior-knowledge HTTP/2 connection to h2o 2.2 (the simulator)
         * fail in curl 7.88 with a framing error. TLS upstreams negotiate HTTP/2.
         */
        .h2c_prior_knowledge = 0,
    };
    free(text);
    bff_guard_t *g = ctx->guard;
    if (g == NULL)
        return pcall_send(p);
    pool_t *pool = &g->pools[conf->pool];
    switch (bff_bulkhead_enter(&pool->h)) {
    case BFF_BULKHEAD_RUN:
        return guarded_start(p);
    case BFF_BULKHEAD_WAIT: {
        queued_t *q = bff_xcalloc(1, sizeof(*q));
        q->call = p;
        q->ctx = ctx;
        q->pool = pool;
        q->in_queue = true;
        q->prev = pool->tail;
        if (pool->tail != NULL)
            pool->tail->next = q;
        else
            pool->head = q;
        pool->tail = q;
        q->ctx_next = ctx->queued;
        ctx->queued = q;
        uv_timer_init(g->loop, &q->timer);
        q->timer.data = q;
        uv_timer_start(&q->timer, on_queue_timeout, pool->h.conf.queue_timeout_ms, 0);
        return NULL; /* not cancellable while it waits: it starts or times out within queue_timeout_ms */
    }
    case BFF_BULKHEAD_REJECT:
        atomic_fetch_add_explicit(&conf->stats->rejected, 1, memory_order_relaxed);
        defer_fail(ctx, cb, arg, "DEPENDENCY_UNAVAILABLE",
                   bff_arena_printf(ctx->arena, "%s: the %s bulkhead is full; not called", provider,
                                    bff_pool_name(conf->pool)));
        return NULL;
    }
    return NULL;
}

bff_upstream_call_t *bff_provider_call_with(bff_reqctx_t *ctx, const char *provider, const char *method,
                                            const char *path, json_t *body, const char *header, bff_provider_cb cb,
                                            void *arg)
{
    return provider_send(ctx, provider, method, path, body, header, NULL, cb, arg);
}

static void tick_soon(bff_reqctx_t *ctx)
{
    if (ctx->tick == NULL) {
        ctx->tick = bff_xmalloc(sizeof(*ctx->tick));
        uv_timer_init(ctx->loop, ctx->tick);
        ctx->tick->data = ctx;
    }
    if (!uv_is_active((uv_handle_t *)ctx->tick))
        uv_timer_start(ctx->tick, on_tick, 0, 0);
}

bff_upstream_call_t *bff_provider_get_cached(bff_reqctx_t *ctx, const char *provider, const char *path,
                                             bff_provider_cb cb, void *arg)
{
    if (ctx->catalog_cache == NULL)
        return provider_send(ctx, provider, "GET", path, NULL, NULL, NULL, cb, arg);
    const char *key = bff_arena_printf(ctx->arena, "%s %s", provider, path);
    json_t *hit = bff_json_cache_get(ctx->catalog_cache, key, uv_now(ctx->loop));
    if (hit == NULL)
        return provider_send(ctx, provider, "GET", path, NULL, NULL, key, cb, arg);
    deferred_t *d = bff_arena_calloc(ctx->arena, 1, sizeof(*d));
    d->cb = cb;
    d->arg = arg;
    d->body = json_incref(hit);
    deferred_t **tail = &ctx->deferred;
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = d;
    tick_soon(ctx);
    return NULL;
}

bff_guard_t *bff_guard_new(uv_loop_t *loop, const bff_providers_t *providers)
{
    bff_guard_t *g = bff_xcalloc(1, sizeof(*g));
    g->loop = loop;
    g->providers = providers;
    for (int i = 0; i < BFF_POOL_COUNT; ++i)
        g->pools[i].h.conf = *bff_providers_bulkhead(providers, (bff_pool_t)i);
    g->deps = bff_xcalloc(bff_providers_count(providers), sizeof(*g->deps));
    for (size_t i = 0; i < bff_providers_count(providers); ++i)
        bff_breaker_init(&g->deps[i].breaker, &bff_providers_at(providers, i)->breaker);
    return g;
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

/* ---- loaders ---- */

/*
 * Completes every waiter still pending. Completing the last resolver of a
 * request may finish the execution and free the request's arena, batch and
 * waiters included: so the waiters are copied out first and nothing of the
 * batch is touched once completions start.
 */
static void batch_complete(batch_t *b, json_t *values, const char *code, const char *message)
{
    typedef struct {
        bff_resolve_t *r;
        bff_loader_done_fn done;
        void *arg;
        json_t *value;
    } todo_t;
    b->finished = true;
    todo_t *todo = bff_xmalloc((b->n + 1) * sizeof(*todo));
    size_t n = 0;
    for (size_t i = 0; i < b->n; ++i) {
        waiter_t *w = b->waiters[i];
        if (w->completed)
            continue;
        w->completed = true;
        todo[n++] = (todo_t){w->r, w->done, w->arg, values ? json_object_get(values, w->key) : NULL};
    }
    for (size_t i = 0; i < n; ++i)
        todo[i].done(todo[i].r, todo[i].value, code, message, todo[i].arg);
    free(todo);
}

static void on_waiter_cancel(void *arg)
{
    waiter_t *w = arg;
    batch_t *b = w->batch;
    if (w->completed)
        return;
    size_t live = 0;
    for (size_t i = 0; i < b->ncalls; ++i)
        live += b->calls[i] != NULL;
    if (live > 0 && !b->finished) {
        /* copied out first: the last cancellation's callback completes the batch, which may end the request */
        bff_upstream_call_t **calls = bff_xmalloc(live * sizeof(*calls));
        size_t n = 0;
        for (size_t i = 0; i < b->ncalls; ++i) {
            if (b->calls[i] != NULL)
                calls[n++] = b->calls[i];
            b->calls[i] = NULL;
        }
        for (size_t i = 0; i < n; ++i)
            bff_upstream_cancel(calls[i]); /* their callbacks fail the batch */
        free(calls);
        return;
    }
    if (!b->finished) { /* not dispatched yet: complete this waiter now */
        w->completed = true;
        w->done(w->r, NULL, "CANCELLED", "request cancelled", w->arg);
    }
}

/*
 * The next loop turn: cached answers first, then the loaders' batches. Any
 * completion may end the request and free the context (bff_reqctx_free sets
 * `gone`), so nothing of it is touched after one that did.
 */
static void on_tick(uv_timer_t *t)
{
    bff_reqctx_t *ctx = t->data;
    bool gone = false;
    ctx->gone = &gone;
    while (ctx->deferred != NULL) {
        deferred_t *d = ctx->deferred;
        ctx->deferred = d->next;
        json_t *body = d->body;
        d->cb(body, d->code, d->message, d->arg);
        json_decref(body);
        if (gone)
            return;
    }
    for (bff_loader_t *l = ctx->loaders; l != NULL && !gone; l = l->next) {
        batch_t *b = l->pending;
        if (b == NULL)
            continue;
        l->pending = NULL;
        /* distinct keys */
        const char **keys = bff_arena_alloc(ctx->arena, (b->n + 1) * sizeof(*keys));
        size_t nkeys = 0;
        for (size_t i = 0; i < b->n; ++i) {
            if (b->waiters[i]->completed)
                continue;
            bool seen = false;
            for (size_t k = 0; k < nkeys && !seen; ++k)
                seen = strcmp(keys[k], b->waiters[i]->key) == 0;
            if (!seen)
                keys[nkeys++] = b->waiters[i]->key;
        }
        if (nkeys == 0)
            continue;
        l->dispatch(b, keys, nkeys, l->arg);
    }
    if (!gone)
        ctx->gone = NULL;
}

bff_loader_t *bff_loader_get(bff_reqctx_t *ctx, const char *name, bff_loader_dispatch_fn dispatch, void *arg)
{
    bff_loader_t **tail = &ctx->loaders;
    for (bff_loader_t *l = ctx->loaders; l != NULL; l = l->next) {
        if (strcmp(l->name, name) == 0)
            return l;
        tail = &l->next;
    }
    bff_loader_t *l = bff_arena_calloc(ctx->arena, 1, sizeof(*l));
    l->ctx = ctx;
    l->name = bff_arena_strdup(ctx->arena, name);
    l->dispatch = dispatch;
    l->arg = arg;
    *tail = l;
    return l;
}

void bff_loader_load(bff_loader_t *l, const char *key, bff_resolve_t *r, bff_loader_done_fn done, void *arg)
{
    bff_reqctx_t *ctx = l->ctx;
    if (l->pending == NULL)
        l->pending = bff_arena_calloc(ctx->arena, 1, sizeof(batch_t));
    batch_t *b = l->pending;
    b->loader = l;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        waiter_t **w = bff_arena_alloc(ctx->arena, cap * sizeof(*w));
        if (b->n)
            memcpy(w, b->waiters, b->n * sizeof(*w));
        b->waiters = w;
        b->cap = cap;
    }
    waiter_t *w = bff_arena_calloc(ctx->arena, 1, sizeof(*w));
    w->key = bff_arena_strdup(ctx->arena, key);
    w->r = r;
    w->done = done;
    w->arg = arg;
    w->batch = b;
    b->waiters[b->n++] = w;
    tick_soon(ctx);
    if (r != NULL) /* waiters without a handle belong to a resolver that registered through another waiter */
        bff_resolve_on_cancel(r, on_waiter_cancel, w);
}

bff_upstream_call_t **bff_batch_add_call(bff_batch_t *b, bff_upstream_call_t *call)
{
    if (b->ncalls == b->capcalls) {
        size_t cap = b->capcalls ? b->capcalls * 2 : 4;
        bff_upstream_call_t **calls = bff_arena_calloc(b->loader->ctx->arena, cap, sizeof(*calls));
        if (b->ncalls)
            memcpy(calls, b->calls, b->ncalls * sizeof(*calls));
        b->calls = calls;
        b->capcalls = cap;
    }
    b->calls[b->ncalls] = b->finished ? NULL : call;
    return &b->calls[b->ncalls++];
}

void bff_batch_set_call(bff_batch_t *b, bff_upstream_call_t *call)
{
    bff_batch_add_call(b, call);
}

static void batch_forget_calls(bff_batch_t *b)
{
    for (size_t i = 0; i < b->ncalls; ++i)
        b->calls[i] = NULL;
}

void bff_batch_resolve(bff_batch_t *b, json_t *values)
{
    batch_forget_calls(b);
    batch_complete(b, values, NULL, NULL);
}

void bff_batch_fail(bff_batch_t *b, const char *code, const char *message)
{
    batch_forget_calls(b);
    batch_complete(b, NULL, code, message);
}

void bff_batch_resolve_rows(bff_batch_t *b, json_t *body, const char *array_key, const char *key_field, const char *code,
                            const char *message)
{
    if (code != NULL) {
        bff_batch_fail(b, code, message);
        return;
    }
    json_t *values = json_object();
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(body, array_key), i, row)
    {
        const char *key = json_string_value(json_object_get(row, key_field));
        if (key != NULL)
            json_object_set(values, key, row);
    }
    bff_batch_resolve(b, values);
    json_decref(values);
}

bff_reqctx_t *bff_batch_ctx(bff_batch_t *b)
{
    return b->loader->ctx;
}
