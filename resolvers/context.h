/*
 * context.h - what resolvers of one GraphQL request share: the worker's
 * upstream client and loop, the request's arena, the providers' base URL,
 * and the request's batch loaders (one upstream call per provider per
 * level of the query, however many fields ask).
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
#include "providers.h"

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

/*
 * The fleet's catalog cache (server/cache_fleet.c, over the Redis store): a
 * second level behind the worker's, shared by every instance, and filled by
 * one caller at a time across the fleet (single-flight): the first to miss a
 * key claims it and calls the provider, the others ask again until the answer
 * is there or the claim has lapsed. NULL in the context: the worker's cache only.
 */
/* status 1: the answer `text` (`len` bytes), fresh for `ttl_ms` more; 0: none, and the caller fills it (`token`
   gives the claim back); 2: another caller is filling it; -1: the store did not answer in time. */
typedef void (*bff_shared_get_cb)(int status, const char *text, size_t len, uint64_t ttl_ms, const char *token,
                                  void *arg);
typedef struct st_bff_shared_cache_t {
    /* 0: cb fires later, once; -1: the store cannot be asked now (cb never fires). A claim lapses after fill_ms. */
    int (*get)(void *impl, const char *key, uint64_t fill_ms, bff_shared_get_cb cb, void *arg);
    /* Keeps `text` for ttl_ms (text NULL: the fill failed, nothing kept) and gives the claim back; not waited for. */
    void (*put)(void *impl, const char *key, const char *token, const char *text, size_t len, uint64_t ttl_ms);
    void *impl;
} bff_shared_cache_t;

typedef struct st_bff_reqctx_t {
    bff_upstream_t *upstream;
    uv_loop_t *loop;
    bff_arena_t *arena;
    const bff_providers_t *providers; /* where each provider is, its auth header and timeout */
    bff_loader_t *loaders; /* this request's loaders, in creation order */
    uv_timer_t *tick;      /* heap; dispatches pending loader batches on the next loop turn */
    struct st_bff_json_cache_t *catalog_cache; /* the worker's, or NULL (see bff_provider_get_cached) */
    struct st_bff_deferred_t *deferred;        /* answers from the cache, delivered on the next loop turn */
    bool *gone;                                /* set while on_tick runs: true once the context is freed */
    struct st_bff_guard_t *guard;              /* the worker's breakers and bulkheads, or NULL: unguarded */
    struct st_bff_queued_t *queued;            /* this request's calls waiting for a bulkhead slot */
    uint64_t deadline_ms;                      /* uv_now() by which the request must answer; 0: none */
    unsigned stale_answers;                    /* catalog answers served stale (see bff_provider_get_cached) */
    uint64_t stale_max_age_ms;                 /* the oldest of them, past its time to live */
    const struct st_bff_id_hmac_t *id_hmac;    /* id_signing_key's HMAC: the keys in cart and order ids (ids.h) */
    struct st_bff_journal_t *journal;          /* the checkout journal (journal.h) */
    const bff_fleet_t *fleet;                  /* the fleet's checkout lock, or NULL: one instance */
    const bff_shared_cache_t *shared_cache;    /* the fleet's catalog cache behind catalog_cache, or NULL */
    struct st_bff_l2wait_t *l2_waits;          /* this request's cached reads asking the fleet's cache */
    const char *client;                        /* the caller: an API client id, or "anon:<address>" */
    uint64_t quote_ttl_ms;                     /* how long a Cart.cost.quote holds (quote.h) */
} bff_reqctx_t;

/*
 * The worker's protection of its providers: a circuit breaker per provider and
 * a bulkhead per pool (adapters/policy.h, settings in resolvers/providers.h).
 * A call an open breaker or a full bulkhead refuses fails at once with
 * DEPENDENCY_UNAVAILABLE; one that waits past the pool's queue timeout with
 * DEPENDENCY_TIMEOUT (both on the next loop turn, never from inside the call).
 */
typedef struct st_bff_guard_t bff_guard_t;
bff_guard_t *bff_guard_new(uv_loop_t *loop, const bff_providers_t *providers);
/* A reload's settings for breakers and bulkheads: their state carries over; calls waiting start if room was made. */
void bff_guard_configure(bff_guard_t *g, const bff_providers_t *providers);
/* At worker exit, after its loop stopped: calls still waiting are dropped without callbacks. */
void bff_guard_free(bff_guard_t *g);

bff_reqctx_t *bff_reqctx_new(bff_upstream_t *upstream, uv_loop_t *loop, bff_arena_t *arena,
                             const bff_providers_t *providers);
void bff_reqctx_free(bff_reqctx_t *ctx);

/* ---- provider calls ---- */

/*
 * Calls a provider and parses its JSON answer. `cb` gets the parsed body (a
 * borrowed reference) and, on failure, a code and a message naming the
 * provider: DEPENDENCY_TIMEOUT, DEPENDENCY_UNAVAILABLE (transport errors, 5xx,
 * not JSON; body NULL), CANCELLED, or PROVIDER_REJECTED (a 4xx: the provider
 * refused this request; body is its error JSON, if any, and the message has
 * its reason). Returns the call (for cancellation), or NULL when it ended
 * already or was refused (an open breaker, a full bulkhead, a passed deadline:
 * cb then fires on the next loop turn, or has fired). Reads (GET) that fail
 * in transport, with a 5xx or a timeout are tried again within the
 * provider's retry settings and the request's deadline.
 */
/* What went wrong with a provider call: one table, each with its GraphQL error code (docs/errors.md). */
#define BFF_CODE_TIMEOUT "DEPENDENCY_TIMEOUT"
#define BFF_CODE_UNAVAILABLE "DEPENDENCY_UNAVAILABLE"
#define BFF_CODE_REJECTED "PROVIDER_REJECTED"
#define BFF_CODE_CANCELLED "CANCELLED"
#define BFF_DEP_ERRORS(X)                                                                                             \
    X(BFF_DEP_OK, NULL)                                                                                               \
    X(BFF_DEP_TIMEOUT, BFF_CODE_TIMEOUT)                                                                              \
    X(BFF_DEP_UNAVAILABLE, BFF_CODE_UNAVAILABLE)                                                                      \
    X(BFF_DEP_REJECTED, BFF_CODE_REJECTED)                                                                            \
    X(BFF_DEP_CANCELLED, BFF_CODE_CANCELLED)
typedef enum {
#define BFF_DEP_ENUM(e, code) e,
    BFF_DEP_ERRORS(BFF_DEP_ENUM)
#undef BFF_DEP_ENUM
        BFF_DEP_ERROR_COUNT
} bff_dep_error_t;
/* The error's GraphQL code ("DEPENDENCY_TIMEOUT", ...), NULL for BFF_DEP_OK. */
const char *bff_dep_error_code(bff_dep_error_t e);

/*
 * A provider call's outcome, as its callback gets it (valid for the call):
 * `error` BFF_DEP_OK with the parsed 2xx answer in `body`, or what went wrong,
 * its `code` (bff_dep_error_code), a `message` naming the provider, and the
 * provider's answer when there was one (`status`, and for a 4xx its error
 * JSON in `body`). The same shape carries the loaders' single objects
 * (bff_json_cb): there `body` is the mapped object, NULL for none.
 */
typedef struct st_bff_outcome_t {
    json_t *body;          /* borrowed */
    const char *text;      /* bff_provider_call_text's answer (read by its reader, valid during the callback); body is NULL */
    size_t text_len;
    bff_dep_error_t error;
    const char *code;      /* NULL: no error */
    const char *message;
    const char *provider;  /* the provider called (extensions.dependency), or NULL */
    const char *reason;    /* REJECTED (4xx): the provider's own reason ({"error": "..."}), or NULL */
    long status;           /* the provider's HTTP status; 0: no answer (transport, refused, cancelled) */
} bff_outcome_t;
typedef void (*bff_provider_cb)(const bff_outcome_t *o, void *arg);
/* A loader's answer, for a callback: the object (borrowed), or NULL for none. */
#define BFF_OUTCOME_VALUE(value) (&(bff_outcome_t){.body = (value)})
/* A provider answered, but not with what it should have: DEPENDENCY_UNAVAILABLE naming it. */
#define BFF_OUTCOME_MALFORMED(provider_name, why)                                                                       \
    (&(bff_outcome_t){.error = BFF_DEP_UNAVAILABLE, .code = BFF_CODE_UNAVAILABLE, .message = (why),               \
                      .provider = (provider_name)})
/* A provider call in flight (the request's arena holds it): a handle for bff_call_cancel. */
typedef struct st_bff_call_t bff_call_t;
/* Cancels the call if it has not ended: its callback fires with CANCELLED (now, or on the upstream's answer). */
void bff_call_cancel(bff_call_t *call);
bff_call_t *bff_provider_call(bff_reqctx_t *ctx, bff_provider_id_t provider, const char *method, const char *path,
                                       json_t *body, bff_provider_cb cb, void *arg);
/* As bff_provider_call, with one more request header ("Idempotency-Key: ..."). */
bff_call_t *bff_provider_call_with(bff_reqctx_t *ctx, bff_provider_id_t provider, const char *method,
                                            const char *path, json_t *body, const char *header, bff_provider_cb cb,
                                            void *arg);
/*
 * Reads a good (2xx) answer's text in the call, before anything else hears
 * of it: NULL, or why the answer is refused. A refused answer fails the
 * call like one that is not JSON (DEPENDENCY_UNAVAILABLE with that reason,
 * counted against the provider's breaker, retried alike), so the reader
 * must check the whole text (the JSON pull reader does).
 */
typedef const char *(*bff_answer_read_fn)(const char *text, size_t len, void *arg);
/*
 * As bff_provider_call_with, in text both ways, for answers read straight
 * into C types (gateway.c): `body` (JSON text, NULL: none) must live as long
 * as the request's arena; `read` reads each good answer (no tree is built);
 * the callback then gets o->text as well (valid during the callback).
 */
bff_call_t *bff_provider_call_text(bff_reqctx_t *ctx, bff_provider_id_t provider, const char *method, const char *path,
                                   const char *body, size_t body_len, const char *header, bff_answer_read_fn read,
                                   void *read_arg, bff_provider_cb cb, void *arg);

/*
 * A GET whose answer may come from the worker's catalog cache: a fresh cached
 * answer is delivered on the next loop turn (never from inside this call) and
 * returns NULL; otherwise the provider is called and a 2xx JSON answer is kept
 * for next time. A stale one (within catalog_cache_stale_ms past its time to
 * live) is delivered the same way, counted in ctx->stale_answers, and refreshed
 * in the background by one call of the worker's own. Only for data that may be
 * a little old (catalog, not money). With ctx->shared_cache, a miss asks the
 * fleet's cache before the provider (see bff_shared_cache_t); when it does
 * not answer within redis_timeout_ms, the provider is called as without it.
 */
bff_call_t *bff_provider_get_cached(bff_reqctx_t *ctx, bff_provider_id_t provider, const char *path,
                                             bff_provider_cb cb, void *arg);

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
