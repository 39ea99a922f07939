/*
 * context_internal.h - what the request context's files share (context.c:
 * the context and its call scope's loop turn; loaders.c: the batch
 * loaders). Not for resolvers: they use context.h.
 */
#ifndef BFF_RESOLVERS_CONTEXT_INTERNAL_H
#define BFF_RESOLVERS_CONTEXT_INTERNAL_H

#include <stdbool.h>

#include "context.h"

/* loaders.c: each loader's pending batch dispatched (the loop turn); stops when *gone turns true. */
void bff_loaders_dispatch(bff_reqctx_t *ctx, bool *gone);

#endif
