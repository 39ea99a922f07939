/*
 * call.h - the provider call scope of one request: what a resolver's call
 * to a provider goes through (call.c): the provider's settings by id
 * (providers.h), its deadline (the provider's timeout, queue waits and
 * retries included, within the request's), its bulkhead slot and breaker
 * verdict (the worker's guard, policy.h), its retries, the catalog cache (the
 * worker's, cache.h, then the fleet's), and the transport (upstream.h). The
 * answers come back as one outcome type, on the request's loop turn.
 *
 * The scope lives in the request's arena; resolvers/context.h embeds it in
 * the request context (the same fields, by name), so a resolver writes
 * ctx->arena and passes &ctx->scope. Lifetime: bff_scope_init, then
 * bff_scope_release when the request ends (its timer closes on the loop;
 * what waits past it, a pool slot or the fleet's cache, is let go).
 */
#ifndef BFF_ADAPTERS_CALL_H
#define BFF_ADAPTERS_CALL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "base/arena.h"
#include "providers.h"
#include "upstream.h"

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

struct st_bff_scope_t;
/* The scope's fields, by name: the request context (resolvers/context.h) has the same ones. */
#define BFF_SCOPE_FIELDS                                                                                              \
    bff_upstream_t *upstream;                                                                                         \
    uv_loop_t *loop;                                                                                                  \
    bff_arena_t *arena;                                                                                               \
    const bff_providers_t *providers;          /* where each provider is, its auth header and timeout */             \
    struct st_bff_json_cache_t *catalog_cache; /* the worker's, or NULL (see bff_scope_get_cached) */                 \
    const bff_shared_cache_t *shared_cache;    /* the fleet's catalog cache behind catalog_cache, or NULL */          \
    struct st_bff_guard_t *guard;              /* the worker's breakers and bulkheads, or NULL: unguarded */          \
    uint64_t deadline_ms;                      /* uv_now() by which the request must answer; 0: none */               \
    unsigned stale_answers;                    /* catalog answers served stale (see bff_scope_get_cached) */          \
    unsigned cache_hits;                       /* catalog answers the worker's cache served fresh */                  \
    uint64_t stale_max_age_ms;                 /* the oldest of them, past its time to live */                        \
    struct st_bff_queued_t *queued;            /* this request's calls waiting for a bulkhead slot */                 \
    struct st_bff_l2wait_t *l2_waits;          /* this request's cached reads asking the fleet's cache */             \
    struct st_bff_deferred_t *deferred;        /* answers for the next loop turn */                                   \
    uv_timer_t *tick;                          /* heap: the loop turn (deferred answers, then `turn`) */              \
    bool *gone;                                /* set while the turn runs: true once the scope is released */        \
    void (*turn)(struct st_bff_scope_t * scope, bool *gone); /* after the deferred answers (the loaders) */           \
    void *owner;                                             /* turn's: the request context */            \
    const struct st_bff_trace_t *trace;        /* the request's trace (trace.h): calls send child traceparents */ \
    uint64_t *rng;                             /* the worker's: span ids */                                        \
    struct st_bff_tracer_t *tracer;            /* records this request's spans (span.h), or NULL: not sampled */
typedef struct st_bff_scope_t {
    BFF_SCOPE_FIELDS
} bff_scope_t;

/*
 * The worker's protection of its providers: a circuit breaker per provider and
 * a bulkhead per pool (adapters/policy.h, settings in providers.h).
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
/* One more request header may go with it ("Idempotency-Key: ..."; NULL: none). */
bff_call_t *bff_scope_call(bff_scope_t *scope, bff_provider_id_t provider, const char *method, const char *path,
                           json_t *body, const char *header, bff_provider_cb cb, void *arg);
/*
 * Reads a good (2xx) answer's text in the call, before anything else hears
 * of it: NULL, or why the answer is refused. A refused answer fails the
 * call like one that is not JSON (DEPENDENCY_UNAVAILABLE with that reason,
 * counted against the provider's breaker, retried alike), so the reader
 * must check the whole text (the JSON pull reader does).
 */
typedef const char *(*bff_answer_read_fn)(const char *text, size_t len, void *arg);
/*
 * As bff_scope_call, in text both ways, for answers read straight
 * into C types (gateway.c): `body` (JSON text, NULL: none) must live as long
 * as the request's arena; `read` reads each good answer (no tree is built);
 * the callback then gets o->text as well (valid during the callback).
 */
bff_call_t *bff_scope_call_text(bff_scope_t *scope, bff_provider_id_t provider, const char *method, const char *path,
                                const char *body, size_t body_len, const char *header, bff_answer_read_fn read,
                                void *read_arg, bff_provider_cb cb, void *arg);

/*
 * A GET whose answer may come from the worker's catalog cache: a fresh cached
 * answer is delivered on the next loop turn (never from inside this call) and
 * returns NULL; otherwise the provider is called and a 2xx JSON answer is kept
 * for next time. A stale one (within catalog_cache_stale_ms past its time to
 * live) is delivered the same way, counted in scope->stale_answers, and refreshed
 * in the background by one call of the worker's own. Only for data that may be
 * a little old (catalog, not money). With scope->shared_cache, a miss asks the
 * fleet's cache before the provider (see bff_shared_cache_t); when it does
 * not answer within redis_timeout_ms, the provider is called as without it.
 */
bff_call_t *bff_scope_get_cached(bff_scope_t *scope, bff_provider_id_t provider, const char *path, bff_provider_cb cb,
                                 void *arg);


void bff_scope_init(bff_scope_t *scope, bff_upstream_t *upstream, uv_loop_t *loop, bff_arena_t *arena,
                    const bff_providers_t *providers);
void bff_scope_release(bff_scope_t *scope);
/* Runs the scope's loop turn soon (a zero timer): deferred answers first, then `turn`. */
void bff_scope_tick_soon(bff_scope_t *scope);
/* Answers a callback on the next loop turn (never from inside the call that asked); `out->body` is held. */
void bff_scope_defer(bff_scope_t *scope, bff_provider_cb cb, void *arg, const bff_outcome_t *out);

#endif
