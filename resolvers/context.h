/*
 * context.h - what resolvers of one GraphQL request share: the provider
 * call scope (adapters/call.h: the worker's upstream client and loop, the
 * request's arena, the providers, the guard and caches), the request's batch
 * loaders (one upstream call per provider per level of the query, however
 * many fields ask), and what checkout needs (ids, journal, fleet).
 *
 * Lifetime: created by the server per request (bff_reqctx_new), passed to
 * the executor as `user`, freed after the response (bff_reqctx_free, which
 * closes its timer on the loop). Everything else lives in the arena.
 */
#ifndef BFF_RESOLVERS_CONTEXT_H
#define BFF_RESOLVERS_CONTEXT_H

#include <jansson.h>
#include <stdbool.h>
#include <uv.h>

#include "adapters/upstream.h"
#include "base/arena.h"
#include "graphql/exec.h"
#include "adapters/call.h"
#include "adapters/providers.h"

typedef struct st_bff_loader_t bff_loader_t;

/*
 * The fleet's side of checkout (server/checkout_lock.c, over the Redis store):
 * a lock per idempotency key that holds across instances, and the journal's
 * record of the key as the fleet last saw it. NULL in the context: one
 * instance, the journal's own lock is the lock.
 */
/* status 1: claimed, `token` gives it back, `rec_text` is the fleet's record of the key ("" if none);
   0: another run holds it; -1: the store cannot be asked (down, slow). May run before claim returns. */
typedef void (*bff_claim_cb)(int status, const char *token, const char *rec_text, void *arg);
typedef struct st_bff_fleet_t {
    void (*claim)(void *impl, const char *lock_id, bff_claim_cb cb, void *arg);
    /* Shares rec_text (NULL: nothing new) and lets go of the lock if `token` still holds it. 0: `done` fires
       once Redis has answered or redis_timeout_ms passed; -1: the store cannot be asked (done never fires). */
    int (*release)(void *impl, const char *lock_id, const char *token, const char *rec_text, void (*done)(void *arg),
                   void *arg);
    void *impl;
} bff_fleet_t;


typedef struct st_bff_reqctx_t {
    union { /* the call scope's fields (adapters/call.h), by name, or as `scope` for the calls */
        bff_scope_t scope;
        struct {
            BFF_SCOPE_FIELDS
        };
    };
    bff_loader_t *loaders;                  /* this request's loaders, in creation order */
    const struct st_bff_id_hmac_t *id_hmac; /* id_signing_key's HMAC: the keys in cart and order ids (ids.h) */
    struct st_bff_journal_t *journal;       /* the checkout journal (journal.h) */
    const bff_fleet_t *fleet;               /* the fleet's checkout lock, or NULL: one instance */
    const char *client;                     /* the caller: an API client id, or "anon:<address>" */
    uint64_t quote_ttl_ms;                  /* how long a Cart.cost.quote holds (quote.h) */
    const char *shop_name, *shop_currency;  /* the shop's settings (node(id:) of the Shop) */
} bff_reqctx_t;


bff_reqctx_t *bff_reqctx_new(bff_upstream_t *upstream, uv_loop_t *loop, bff_arena_t *arena,
                             const bff_providers_t *providers);
void bff_reqctx_free(bff_reqctx_t *ctx);

/* ---- provider calls (adapters/call.h), on the request's scope ---- */

static inline bff_call_t *bff_provider_call(bff_reqctx_t *ctx, bff_provider_id_t provider, const char *method,
                                            const char *path, json_t *body, bff_provider_cb cb, void *arg)
{
    return bff_scope_call(&ctx->scope, provider, method, path, body, NULL, cb, arg);
}

static inline bff_call_t *bff_provider_call_with(bff_reqctx_t *ctx, bff_provider_id_t provider, const char *method,
                                                 const char *path, json_t *body, const char *header, bff_provider_cb cb,
                                                 void *arg)
{
    return bff_scope_call(&ctx->scope, provider, method, path, body, header, cb, arg);
}

static inline bff_call_t *bff_provider_call_text(bff_reqctx_t *ctx, bff_provider_id_t provider, const char *method,
                                                 const char *path, const char *body, size_t body_len, const char *header,
                                                 bff_answer_read_fn read, void *read_arg, bff_provider_cb cb, void *arg)
{
    return bff_scope_call_text(&ctx->scope, provider, method, path, body, body_len, header, read, read_arg, cb, arg);
}

static inline bff_call_t *bff_provider_get_cached(bff_reqctx_t *ctx, bff_provider_id_t provider, const char *path,
                                                  bff_provider_cb cb, void *arg)
{
    return bff_scope_get_cached(&ctx->scope, provider, path, cb, arg);
}

/* ---- batch loaders ---- */

/*
 * A loader collects keys asked for while the executor starts resolvers, and
 * on the next loop turn makes one call for all of them: `dispatch` gets the
 * batch and its distinct keys, starts the call, and later completes the batch
 * with bff_batch_resolve (values: JSON object key -> value, borrowed) or
 * bff_batch_fail. Every waiter is then completed with the value of its key.
 */
typedef struct st_bff_batch_t bff_batch_t;
typedef void (*bff_loader_dispatch_fn)(bff_batch_t *b, const char *const *keys, size_t nkeys, void *arg);
/* Completes one waiter: `value` is its key's value (borrowed, NULL when absent), or `code` says why not. */
typedef void (*bff_loader_done_fn)(bff_resolve_t *r, json_t *value, const char *code, const char *message, void *arg);

bff_loader_t *bff_loader_get(bff_reqctx_t *ctx, const char *name, bff_loader_dispatch_fn dispatch, void *arg);
/* `r` may be NULL when one resolver waits for several keys: pass its handle with one of them. */
void bff_loader_load(bff_loader_t *l, const char *key, bff_resolve_t *r, bff_loader_done_fn done, void *arg);
void bff_batch_resolve(bff_batch_t *b, json_t *values);
/*
 * Typed loaders: values stay the adapter's C types (a bff_quote_t, say), not
 * JSON built to be read back. A waiter loaded with bff_loader_load_typed is
 * completed with `find(key)`'s value (NULL: none) when the batch is resolved
 * with bff_batch_resolve_typed (a loader's waiters are all typed or none).
 */
typedef void (*bff_loader_typed_fn)(bff_resolve_t *r, const void *value, const char *code, const char *message,
                                    void *arg);
typedef const void *(*bff_batch_find_fn)(const char *key, void *find_arg);
void bff_loader_load_typed(bff_loader_t *l, const char *key, bff_resolve_t *r, bff_loader_typed_fn done, void *arg);
void bff_batch_resolve_typed(bff_batch_t *b, bff_batch_find_fn find, void *find_arg);
void bff_batch_fail(bff_batch_t *b, const char *code, const char *message);
bff_reqctx_t *bff_batch_ctx(bff_batch_t *b);
/* The batch's upstream call: cancelling the request cancels it. */
void bff_batch_set_call(bff_batch_t *b, bff_call_t *call);
/*
 * One of several calls of a batch: returns its slot, which the call's
 * callback sets to NULL first thing (a finished call must not be cancelled).
 */
bff_call_t **bff_batch_add_call(bff_batch_t *b, bff_call_t *call);

#endif
