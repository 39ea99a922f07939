/*
 * reconcile.c - the checkout reconciler: finishes sagas no request is
 * finishing (resolvers/saga.h). Worker 0 runs it on a timer
 * (reconcile_interval_ms, and once at start): every journaled checkout that
 * is not finished, not running, and was last written more than
 * reconcile_after_ms ago (its buyer's retries had their chance) is resumed
 * with a request context of its own, at most RECONCILE_MAX at a time. A crash
 * between authorize and capture thus ends in a paid order or in a released
 * authorization and no order, within about interval + after of the restart.
 */
#include <stdlib.h>

#include "reload.h"
#include "resolvers/saga.h"
#include "worker.h"

#define RECONCILE_MAX 32

typedef struct st_reconcile_t {
    bff_worker_t *w;
    bff_arena_t *arena;
    bff_reqctx_t *ctx;
    bff_generation_t *gen; /* its provider settings, held to the end */
} reconcile_t;

static void on_reconciled(const bff_saga_outcome_t *o, void *arg)
{
    reconcile_t *rc = arg;
    rc->w->reconciling--;
    bff_reqctx_free(rc->ctx);
    bff_generation_release(rc->gen);
    bff_arena_free(rc->arena);
    free(rc);
}

static void reconcile_one(const bff_saga_rec_t *rec, void *arg)
{
    bff_worker_t *w = arg;
    bff_server_t *s = w->server;
    if (bff_saga_state_terminal(rec->state) || w->reconciling >= RECONCILE_MAX ||
        bff_wall_ms() - rec->updated_ms < (uint64_t)s->config.reconcile_after_ms)
        return;
    reconcile_t *rc = bff_xcalloc(1, sizeof(*rc));
    rc->w = w;
    rc->arena = bff_arena_new(0);
    rc->gen = bff_generation_acquire(s);
    rc->ctx = bff_reqctx_new(w->upstream, &w->loop, rc->arena, rc->gen->providers);
    rc->ctx->guard = w->guard;
    rc->ctx->journal = s->journal;
    rc->ctx->fleet = bff_worker_fleet(w);
    rc->ctx->id_hmac = s->id_hmac;
    rc->ctx->client = "reconciler";
    rc->ctx->deadline_ms = uv_now(&w->loop) + (uint64_t)s->config.request_timeout_ms;
    w->reconciling++;
    if (!bff_saga_reconcile(rc->ctx, rec, on_reconciled, rc)) /* a request runs it, or it just finished */
        on_reconciled(NULL, rc);
}

static void on_reconcile_timer(uv_timer_t *t)
{
    bff_worker_t *w = t->data;
    bff_journal_each(w->server->journal, -1, 100000, reconcile_one, w);
}

void bff_reconciler_start(bff_worker_t *w)
{
    uv_timer_init(&w->loop, &w->reconcile_timer);
    w->reconcile_timer.data = w;
    uv_timer_start(&w->reconcile_timer, on_reconcile_timer, 0, (uint64_t)w->server->config.reconcile_interval_ms);
}

void bff_reconciler_stop(bff_worker_t *w)
{
    if (!uv_is_closing((uv_handle_t *)&w->reconcile_timer))
        uv_close((uv_handle_t *)&w->reconcile_timer, NULL);
}
