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
    bff_upstream_call_t *call;
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
    json_t *body;
    struct st_bff_deferred_t *next;
} deferred_t;

void bff_reqctx_free(bff_reqctx_t *ctx)
{
    if (ctx == NULL)
        return;
    if (ctx->gone != NULL)
        *ctx->gone = true;
    for (deferred_t *d = ctx->deferred; d != NULL; d = d->next)
        json_decref(d->body);
    ctx->deferred = NULL;
    if (ctx->tick != NULL) {
        uv_timer_stop(ctx->tick);
        uv_close((uv_handle_t *)ctx->tick, free_timer);
        ctx->tick = NULL;
    }
}

/* ---- provider calls ---- */

typedef struct st_pcall_t {
    const char *provider;
    bff_provider_cb cb;
    void *arg;
    bff_arena_t *arena;
    bff_reqctx_t *ctx;
    const char *cache_key; /* keep a good answer in ctx->catalog_cache under this key */
} pcall_t;

static void on_provider_answer(const bff_upstream_response_t *res, void *arg)
{
    pcall_t *p = arg;
    if (res->error != BFF_UPSTREAM_OK) {
        const char *code = res->error == BFF_UPSTREAM_E_TIMEOUT     ? "DEPENDENCY_TIMEOUT"
                           : res->error == BFF_UPSTREAM_E_CANCELLED ? "CANCELLED"
                                                                    : "DEPENDENCY_UNAVAILABLE";
        p->cb(NULL, code, bff_arena_printf(p->arena, "%s: %s", p->provider, bff_upstream_strerror(res->error)), p->arg);
        return;
    }
    if (res->status >= 400 && res->status <= 499) {
        /* the provider refused the request: its reason (JSON {"error": ...}) goes to the caller */
        json_error_t jerr;
        json_t *err = json_loadb(res->body, res->body_len, 0, &jerr);
        const char *why = json_string_value(json_object_get(err, "error"));
        p->cb(err, "PROVIDER_REJECTED",
              bff_arena_printf(p->arena, "%s answered HTTP %ld: %s", p->provider, res->status, why ? why : "refused"),
              p->arg);
        json_decref(err);
        return;
    }
    if (res->status < 200 || res->status > 299) {
        p->cb(NULL, "DEPENDENCY_UNAVAILABLE",
              bff_arena_printf(p->arena, "%s answered HTTP %ld", p->provider, res->status), p->arg);
        return;
    }
    json_error_t jerr;
    json_t *body = json_loadb(res->body, res->body_len, 0, &jerr);
    if (body == NULL) {
        p->cb(NULL, "DEPENDENCY_UNAVAILABLE", bff_arena_printf(p->arena, "%s answered with invalid JSON", p->provider),
              p->arg);
        return;
    }
    if (p->cache_key != NULL && p->ctx->catalog_cache != NULL)
        bff_json_cache_put(p->ctx->catalog_cache, p->cache_key, body, res->body_len, uv_now(p->ctx->loop));
    p->cb(body, NULL, NULL, p->arg);
    json_decref(body);
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
    pcall_t *p = bff_arena_calloc(ctx->arena, 1, sizeof(*p));
    p->provider = provider;
    p->cb = cb;
    p->arg = arg;
    p->arena = ctx->arena;
    p->ctx = ctx;
    p->cache_key = cache_key;
    const bff_provider_conf_t *conf = bff_providers_get(ctx->providers, provider);
    if (conf == NULL) {
        cb(NULL, "DEPENDENCY_UNAVAILABLE", bff_arena_printf(ctx->arena, "%s: not a configured provider", provider), arg);
        return NULL;
    }
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    const char *headers[4] = {"Content-Type: application/json", "Accept: application/json"};
    size_t nheaders = 2;
    if (conf->auth_header != NULL)
        headers[nheaders++] = conf->auth_header;
    if (header != NULL)
        headers[nheaders++] = header;
    bff_upstream_request_t req = {
        .method = method,
        .url = bff_arena_printf(ctx->arena, "%s%s", conf->url, path),
        .headers = headers,
        .nheaders = nheaders,
        .body = text,
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
    bff_upstream_call_t *call = bff_upstream_send(ctx->upstream, &req, on_provider_answer, p);
    free(text); /* the upstream client copied it */
    if (call == NULL)
        cb(NULL, "DEPENDENCY_UNAVAILABLE", bff_arena_printf(ctx->arena, "%s: cannot start the call", provider), arg);
    return call;
}

bff_upstream_call_t *bff_provider_call_with(bff_reqctx_t *ctx, const char *provider, const char *method,
                                            const char *path, json_t *body, const char *header, bff_provider_cb cb,
                                            void *arg)
{
    return provider_send(ctx, provider, method, path, body, header, NULL, cb, arg);
}

static void on_tick(uv_timer_t *t);

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
    if (b->call != NULL && !b->finished) {
        bff_upstream_call_t *call = b->call;
        b->call = NULL;
        bff_upstream_cancel(call); /* its callback fails the whole batch */
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
        d->cb(body, NULL, NULL, d->arg);
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

void bff_batch_set_call(bff_batch_t *b, bff_upstream_call_t *call)
{
    if (!b->finished)
        b->call = call;
}

void bff_batch_resolve(bff_batch_t *b, json_t *values)
{
    b->call = NULL;
    batch_complete(b, values, NULL, NULL);
}

void bff_batch_fail(bff_batch_t *b, const char *code, const char *message)
{
    b->call = NULL;
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
