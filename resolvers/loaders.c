/*
 * loaders.c - batch loaders of a request (see context.h).
 *
 * A loader holds the keys and waiters gathered since its last dispatch (the
 * "pending batch"). The first key of a batch schedules the context's zero
 * timer; when it fires (after the executor has started every resolver of the
 * current level) each loader with a pending batch dispatches it. A batch in
 * flight is detached from the loader, so keys asked meanwhile start a new one.
 * A waiter gets a JSON value or, loaded typed, the loader's C value; a batch
 * completes once (asserted), every waiter exactly once.
 */
#include "context_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"

typedef struct st_waiter_t {
    const char *key;
    bff_resolve_t *r;
    bff_loader_done_fn done;   /* one of the two: a JSON value */
    bff_loader_typed_fn typed; /* or the loader's C value */
    void *arg;
    struct st_bff_batch_t *batch;
    bool completed;
} waiter_t;

struct st_bff_batch_t {
    bff_loader_t *loader;
    waiter_t **waiters;
    size_t n, cap;
    bff_call_t **calls; /* its calls in flight (slots go NULL as they end) */
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

/* ---- loaders ---- */

/*
 * Completes every waiter still pending. Completing the last resolver of a
 * request may finish the execution and free the request's arena, batch and
 * waiters included: so the waiters are copied out first and nothing of the
 * batch is touched once completions start.
 */
/* Completes every waiter: from `values` (JSON) or `find` (typed), or with `code`. */
static void batch_complete_with(batch_t *b, json_t *values, bff_batch_find_fn find, void *find_arg, const char *code,
                                const char *message)
{
    typedef struct {
        bff_resolve_t *r;
        bff_loader_done_fn done;
        bff_loader_typed_fn typed;
        void *arg;
        json_t *value;
        const void *typed_value;
    } todo_t;
    assert(!b->finished && "a batch completes once");
    b->finished = true;
    todo_t local[64]; /* on the stack for the usual batch: a heap copy each time was a slow malloc path (perf) */
    todo_t *todo = b->n + 1 <= sizeof(local) / sizeof(local[0]) ? local : bff_xmalloc((b->n + 1) * sizeof(*todo));
    size_t n = 0;
    for (size_t i = 0; i < b->n; ++i) {
        waiter_t *w = b->waiters[i];
        assert(w->batch == b);
        if (w->completed)
            continue;
        w->completed = true;
        assert((w->typed == NULL || values == NULL) && "a typed waiter gets no JSON");
        todo[n++] = (todo_t){w->r, w->done, w->typed, w->arg, values != NULL ? json_object_get(values, w->key) : NULL,
                             find != NULL ? find(w->key, find_arg) : NULL};
    }
    for (size_t i = 0; i < n; ++i) {
        if (todo[i].typed != NULL)
            todo[i].typed(todo[i].r, todo[i].typed_value, code, message, todo[i].arg);
        else
            todo[i].done(todo[i].r, todo[i].value, code, message, todo[i].arg);
    }
    if (todo != local)
        free(todo);
}

static void batch_complete(batch_t *b, json_t *values, const char *code, const char *message)
{
    batch_complete_with(b, values, NULL, NULL, code, message);
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
        bff_call_t **calls = bff_xmalloc(live * sizeof(*calls));
        size_t n = 0;
        for (size_t i = 0; i < b->ncalls; ++i) {
            if (b->calls[i] != NULL)
                calls[n++] = b->calls[i];
            b->calls[i] = NULL;
        }
        for (size_t i = 0; i < n; ++i)
            bff_call_cancel(calls[i]); /* their callbacks fail the batch */
        free(calls);
        return;
    }
    if (!b->finished) { /* not dispatched yet: complete this waiter now */
        w->completed = true;
        if (w->typed != NULL)
            w->typed(w->r, NULL, bff_dep_error_code(BFF_DEP_CANCELLED), "request cancelled", w->arg);
        else
            w->done(w->r, NULL, bff_dep_error_code(BFF_DEP_CANCELLED), "request cancelled", w->arg);
    }
}

void bff_loaders_dispatch(bff_reqctx_t *ctx, bool *gone)
{
    for (bff_loader_t *l = ctx->loaders; l != NULL && !*gone; l = l->next) {
        batch_t *b = l->pending;
        if (b == NULL)
            continue;
        l->pending = NULL;
        /* distinct keys, in the order first asked: an open-addressed set of key indexes (a listing asks 40-odd) */
        const char **keys = bff_arena_alloc(ctx->arena, (b->n + 1) * sizeof(*keys));
        size_t nkeys = 0, slots = 16;
        while (slots < 2 * b->n)
            slots *= 2;
        uint32_t *set = bff_arena_calloc(ctx->arena, slots, sizeof(*set)); /* 0: empty, else index + 1 */
        for (size_t i = 0; i < b->n; ++i) {
            if (b->waiters[i]->completed)
                continue;
            const char *key = b->waiters[i]->key;
            size_t at = (size_t)bff_fnv1a_str(key) & (slots - 1);
            while (set[at] != 0 && strcmp(keys[set[at] - 1], key) != 0)
                at = (at + 1) & (slots - 1);
            if (set[at] == 0) {
                keys[nkeys] = key;
                set[at] = (uint32_t)++nkeys;
            }
        }
        if (nkeys == 0)
            continue;
        l->dispatch(b, keys, nkeys, l->arg);
    }
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

static void loader_add(bff_loader_t *l, const char *key, bff_resolve_t *r, bff_loader_done_fn done,
                       bff_loader_typed_fn typed, void *arg);

void bff_loader_load(bff_loader_t *l, const char *key, bff_resolve_t *r, bff_loader_done_fn done, void *arg)
{
    loader_add(l, key, r, done, NULL, arg);
}

void bff_loader_load_typed(bff_loader_t *l, const char *key, bff_resolve_t *r, bff_loader_typed_fn done, void *arg)
{
    loader_add(l, key, r, NULL, done, arg);
}

static void loader_add(bff_loader_t *l, const char *key, bff_resolve_t *r, bff_loader_done_fn done,
                       bff_loader_typed_fn typed, void *arg)
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
    w->typed = typed;
    w->arg = arg;
    w->batch = b;
    b->waiters[b->n++] = w;
    bff_scope_tick_soon(&ctx->scope);
    if (r != NULL) /* waiters without a handle belong to a resolver that registered through another waiter */
        bff_resolve_on_cancel(r, on_waiter_cancel, w);
}

bff_call_t **bff_batch_add_call(bff_batch_t *b, bff_call_t *call)
{
    if (b->ncalls == b->capcalls) {
        size_t cap = b->capcalls ? b->capcalls * 2 : 4;
        bff_call_t **calls = bff_arena_calloc(b->loader->ctx->arena, cap, sizeof(*calls));
        if (b->ncalls)
            memcpy(calls, b->calls, b->ncalls * sizeof(*calls));
        b->calls = calls;
        b->capcalls = cap;
    }
    b->calls[b->ncalls] = b->finished ? NULL : call;
    return &b->calls[b->ncalls++];
}

void bff_batch_set_call(bff_batch_t *b, bff_call_t *call)
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

void bff_batch_resolve_typed(bff_batch_t *b, bff_batch_find_fn find, void *find_arg)
{
    batch_forget_calls(b);
    batch_complete_with(b, NULL, find, find_arg, NULL, NULL);
}

void bff_batch_fail(bff_batch_t *b, const char *code, const char *message)
{
    batch_forget_calls(b);
    batch_complete(b, NULL, code, message);
}

bff_reqctx_t *bff_batch_ctx(bff_batch_t *b)
{
    return b->loader->ctx;
}
