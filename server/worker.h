/*
 * worker.h - one worker thread: its own libuv loop, h2o context, listener
 * (SO_REUSEPORT, so the kernel spreads connections over workers) and
 * document cache. Nothing here is shared between threads; the worker reads
 * the server's immutable state and bumps its atomics.
 */
#ifndef BFF_SERVER_WORKER_H
#define BFF_SERVER_WORKER_H

#include <pthread.h>
#include <uv.h>

#include "adapters/upstream.h"
#include "adapters/cache.h"
#include "adapters/span.h"
#include "resolvers/context.h"
#include "base/arena.h"
#include "graphql/doc.h"
#include "server.h"

/* Request arenas a worker keeps for reuse (bff_arena_reset) instead of freeing them. */
#define BFF_WORKER_SPARE_ARENAS 64
/* Buckets of a worker's table of open connections (by peer address and port). */
#define BFF_WORKER_CONN_BUCKETS 4096

struct st_bff_worker_t {
    bff_server_t *server;
    int index;
    pthread_t thread;
    uv_loop_t loop;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    uv_tcp_t listener;
    int listener_fd;
    uv_async_t wakeup;
    uv_timer_t drain_timer;
    uint64_t drain_deadline_ms;
    bff_doccache_t *docs;
    bff_upstream_t *upstream; /* provider calls of this worker's requests */
    bff_json_cache_t *catalog_cache; /* catalog answers, or NULL when catalog_cache_ttl_ms is 0 */
    bff_guard_t *guard;              /* this worker's breakers and bulkheads */
    bff_tracer_t *tracer;            /* spans to the collector (adapters/span.h), or NULL without otlp_endpoint */
    unsigned long guard_generation;  /* the generation whose provider settings the guard has */
    long in_flight; /* GraphQL requests of this worker whose response is not fully sent */
    bff_arena_t *spare_arenas[BFF_WORKER_SPARE_ARENAS]; /* finished requests' arenas, reset, for the next ones */
    int nspare_arenas;
    uint64_t rng;   /* request ids */
    struct st_bff_conn_t *conns[BFF_WORKER_CONN_BUCKETS]; /* open connections by peer address and port */
    uv_timer_t reconcile_timer; /* worker 0: the checkout reconciler (reconcile.c) */
    struct st_bff_store_t *store; /* this worker's Redis connection (store.h), or NULL without redis_url */
    int reconciling;            /* sagas it is driving now */
    bff_fleet_t fleet;          /* checkout's lock across the fleet, over `store` (checkout_lock.c) */
    bff_shared_cache_t shared_cache; /* the fleet's catalog cache, over `store` (cache_fleet.c) */
};

/* Deprecation usage across the fleet (usage_fleet.c): a request's uses, sent to Redis too (not waited for). */
void bff_usage_share(bff_worker_t *w, const bff_deprecated_use_t *uses, size_t n, const char *client,
                     const char *version, time_t now);
/* /admin/deprecations from the fleet's data: 0 (answered later) or -1 (no store, or it is down: answer locally). */
int bff_usage_fleet_report(bff_worker_t *w, h2o_req_t *req);

/* Fills w->fleet (once, at the worker's start). */
void bff_worker_fleet_init(bff_worker_t *w);
/* What a request's context uses: the worker's fleet lock with a store, NULL without (one instance). */
const bff_fleet_t *bff_worker_fleet(bff_worker_t *w);

/* Fills w->shared_cache (once, at the worker's start). */
void bff_worker_shared_cache_init(bff_worker_t *w);
/* What a request's context uses: the fleet's catalog cache with a store and a worker cache, else NULL. */
const bff_shared_cache_t *bff_worker_shared_cache(bff_worker_t *w);

/*
 * An accepted connection (worker.c). HTTP/2 abuse is counted per connection:
 * a stream the client resets before its answer (a request whose pool h2o
 * disposes while it is unanswered) is noted, and past max_resets_per_connection
 * in 10 s (or the address past max_resets_per_address) the connection is
 * closed (CVE-2023-44487, rapid reset).
 */
typedef struct st_bff_conn_t bff_conn_t;
/* The connection of an HTTP/2 request, or NULL (HTTP/1.1). Valid until the request's pool is disposed. */
bff_conn_t *bff_worker_conn(h2o_req_t *req);
void bff_conn_note_reset(bff_conn_t *c);
/* True once the connection is being closed for abuse: start no work for it. */
bool bff_conn_closing(const bff_conn_t *c);
/*
 * True while the address has reset more than max_resets_per_address streams
 * in the current 10 s window: its new connections are refused, and so are its
 * requests on HTTP/1.1 as on HTTP/2.
 */
bool bff_addr_resetting(bff_server_t *s, const struct sockaddr *sa, uint64_t now_ms);
/* The per-address slot (0..BFF_CLIENT_SLOTS-1) of a peer address. */
uint32_t bff_addr_slot(const struct sockaddr *sa);

/* The checkout reconciler on this worker's loop (reconcile.c): worker 0 runs it. */
void bff_reconciler_start(bff_worker_t *w);
void bff_reconciler_stop(bff_worker_t *w);

/* Binds the listening socket (the address in the config, port already resolved). */
int bff_worker_listen(bff_worker_t *w, char *err, size_t errlen);
/* Starts the thread (its loop runs until shutdown completes). */
int bff_worker_start(bff_worker_t *w);
/* From any thread: stop accepting, finish in-flight requests, then stop. */
void bff_worker_request_shutdown(bff_worker_t *w);
void bff_worker_join_and_free(bff_worker_t *w);

/*
 * Counts `req` as in flight until h2o disposes it, which happens once the
 * response has been written out (or the client has gone): graceful shutdown
 * waits for these.
 */
void bff_worker_track_request(bff_worker_t *w, h2o_req_t *req);

/*
 * A request arena from the worker's spares (reset by the request that used it
 * last), or a new one; give it back with bff_worker_arena_done, which resets
 * and keeps it (up to BFF_WORKER_SPARE_ARENAS) or frees it. Worker thread only.
 */
bff_arena_t *bff_worker_arena(bff_worker_t *w);
void bff_worker_arena_done(bff_worker_t *w, bff_arena_t *arena);

/* The worker serving a request. */
static inline bff_worker_t *bff_worker_of(h2o_req_t *req)
{
    return H2O_STRUCT_FROM_MEMBER(bff_worker_t, ctx, req->conn->ctx);
}

#endif
