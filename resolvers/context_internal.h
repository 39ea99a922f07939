/*
 * context_internal.h - what the request context's three files share
 * (context.c: the context, its deferred answers and its loop turn; call.c:
 * the provider calls and their scope; loaders.c: the batch loaders). Not for
 * resolvers: they use context.h.
 */
#ifndef BFF_RESOLVERS_CONTEXT_INTERNAL_H
#define BFF_RESOLVERS_CONTEXT_INTERNAL_H

#include <stdbool.h>

#include "context.h"

/* Runs the context's loop turn soon (a zero timer): deferred answers first, then the loaders' batches. */
void bff_reqctx_tick_soon(bff_reqctx_t *ctx);
/* Answers a callback on the next loop turn (never from inside the call that asked); `out->body` is held. */
void bff_reqctx_defer(bff_reqctx_t *ctx, bff_provider_cb cb, void *arg, const bff_outcome_t *out);
/* A refusal of `provider`, answered on the next loop turn. */
void bff_reqctx_defer_error(bff_reqctx_t *ctx, bff_provider_cb cb, void *arg, const char *provider, bff_dep_error_t e,
                            const char *message);

/* loaders.c: each loader's pending batch dispatched (the loop turn); stops when *gone turns true. */
void bff_loaders_dispatch(bff_reqctx_t *ctx, bool *gone);

/* call.c: the request ends: its calls waiting for a pool slot or the fleet's cache are let go. */
void bff_calls_release(bff_reqctx_t *ctx);

#endif
