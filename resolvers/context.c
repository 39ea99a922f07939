/*
 * context.c - the per-request resolver context: the provider call scope
 * (adapters/call.h) with the loaders' batches as its loop turn (loaders.c),
 * and what checkout needs.
 */
#include "context_internal.h"

#include <stdbool.h>
#include <stdlib.h>

static void loaders_turn(bff_scope_t *scope, bool *gone)
{
    bff_loaders_dispatch(scope->owner, gone);
}

bff_reqctx_t *bff_reqctx_new(bff_upstream_t *upstream, uv_loop_t *loop, bff_arena_t *arena,
                             const bff_providers_t *providers)
{
    bff_reqctx_t *c = bff_arena_calloc(arena, 1, sizeof(*c));
    bff_scope_init(&c->scope, upstream, loop, arena, providers);
    c->scope.turn = loaders_turn;
    c->scope.owner = c;
    return c;
}

void bff_reqctx_free(bff_reqctx_t *ctx)
{
    if (ctx != NULL)
        bff_scope_release(&ctx->scope);
}
