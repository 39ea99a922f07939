/*
 * context.c - the per-request resolver context: its deferred answers and its
 * loop turn (one zero timer: deferred answers first, then the loaders'
 * batches, loaders.c). The provider calls and their scope (deadline,
 * bulkhead, breaker, retry, caches) are call.c's.
 */
#include "context_internal.h"

#include <stdbool.h>
#include <stdlib.h>

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
    bff_outcome_t out;          /* a cached answer (body held), or a call refused before it started */
    struct st_bff_deferred_t *next;
} deferred_t;

static void on_tick(uv_timer_t *t);

void bff_reqctx_free(bff_reqctx_t *ctx)
{
    if (ctx == NULL)
        return;
    if (ctx->gone != NULL)
        *ctx->gone = true;
    for (deferred_t *d = ctx->deferred; d != NULL; d = d->next)
        json_decref(d->out.body);
    ctx->deferred = NULL;
    bff_calls_release(ctx);
    if (ctx->tick != NULL) {
        uv_timer_stop(ctx->tick);
        uv_close((uv_handle_t *)ctx->tick, free_timer);
        ctx->tick = NULL;
    }
}

void bff_reqctx_defer(bff_reqctx_t *ctx, bff_provider_cb cb, void *arg, const bff_outcome_t *out)
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
    bff_reqctx_tick_soon(ctx);
}

void bff_reqctx_defer_error(bff_reqctx_t *ctx, bff_provider_cb cb, void *arg, const char *provider, bff_dep_error_t e,
                            const char *message)
{
    bff_reqctx_defer(ctx, cb, arg,
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

void bff_reqctx_tick_soon(bff_reqctx_t *ctx)
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
        bff_outcome_t out = d->out; /* d is the arena's: a callback may end the request */
        d->cb(&out, d->arg);
        json_decref(out.body);
        if (gone)
            return;
    }
    bff_loaders_dispatch(ctx, &gone);
    if (!gone)
        ctx->gone = NULL;
}

