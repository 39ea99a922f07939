/*
 * server.h - the process: settings, the schema, the h2o configuration and
 * the metrics all workers share. Everything here is set up before the worker
 * threads start and read-only afterwards, except the atomics in bff_metrics_t
 * and `shutting_down`.
 */
#ifndef BFF_SERVER_SERVER_H
#define BFF_SERVER_SERVER_H

#include <h2o.h>
#include <stdatomic.h>

#include "config.h"
#include "graphql/schema.h"
#include "metrics.h"
#include "clients.h"
#include "persisted.h"
#include "usage.h"
#include "adapters/providers.h"
#include "adapters/span.h"

typedef struct st_bff_worker_t bff_worker_t;

#define BFF_CLIENT_SLOTS 4096

/* Replies of the fleet's catalog cache (cache_fleet.c), as counted in bff_server_t.shared_cache. */
enum { BFF_SHARED_FILL, BFF_SHARED_HIT, BFF_SHARED_BUSY, BFF_SHARED_UNAVAILABLE, BFF_SHARED_COUNT };

typedef struct st_bff_server_t {
    bff_config_t config;
    bff_schema_t *schema;
    bff_dep_stats_t dep_stats[BFF_PROVIDER_COUNT]; /* calls per provider, across reloads (the providers are in the generation) */
    bff_clients_t *budgets;     /* cost budgets (leaky buckets per client): they carry over a reload */
    bff_usage_t *usage;         /* who uses deprecated elements */
    struct st_bff_journal_t *journal; /* the checkout journal (resolvers/journal.h) */
    struct st_bff_generation_t *generation; /* keys, tiers, manifest, CORS, proxies: reloadable (reload.h) */
    pthread_mutex_t generation_lock;
    unsigned char id_key[64];   /* id_signing_key, or random bytes when it is not set (resolvers/ids.h) */
    size_t id_key_len;
    struct st_bff_id_hmac_t *id_hmac; /* HMAC under id_key, its pads hashed once (resolvers/ids.h) */
    bff_persisted_t *persisted; /* trusted documents and APQ */
    h2o_globalconf_t h2o;
    SSL_CTX *ssl_ctx; /* NULL: cleartext (HTTP/1.1, h2c) */
    bff_metrics_t metrics;
    atomic_long connections;
    atomic_int client_in_flight[BFF_CLIENT_SLOTS]; /* GraphQL requests in flight per client address (hashed) */
    atomic_int conns_per_addr[BFF_CLIENT_SLOTS];   /* open connections per client address (hashed) */
    atomic_long addr_conn_refused;                 /* connections refused by max_connections_per_address */
    atomic_uint addr_resets[BFF_CLIENT_SLOTS];     /* HTTP/2 resets per client address (hashed) in the window */
    atomic_uint addr_reset_window[BFF_CLIENT_SLOTS]; /* the 10 s window those are counted in */
    atomic_long client_resets;                     /* HTTP/2 streams reset by clients before their answer */
    atomic_long reset_conns_closed;                /* connections closed by max_resets_per_connection */
    atomic_long store_fallbacks;                   /* budgets decided locally: Redis down or slow (fail open) */
    atomic_ullong shared_cache[BFF_SHARED_COUNT];  /* the fleet's catalog cache's replies, by kind */
    atomic_ullong shed, client_limited;            /* requests refused: over max_in_flight, over the client's limit */
    bff_tracer_stats_t tracer;                     /* spans exported and dropped (adapters/span.h), all workers */
    atomic_int shutting_down;
    bff_worker_t **workers;
    int nworkers;
} bff_server_t;

#endif
