/*
 * reload.h - the settings that change without a restart (SIGHUP): API keys
 * and tiers, the trusted-document manifest, CORS, CSRF prevention, trusted
 * proxies, and the providers (URLs, auth headers, CA files, timeouts,
 * retries, breakers, bulkheads: providers, providers_url,
 * provider_timeout_ms, providers_ca_file, bulkheads). They form one generation; a request takes a reference to
 * the current generation when it starts and gives it back when it ends, so a
 * reload never changes the settings under a request in flight and the old
 * generation is freed by the last request that used it. Cost budgets (the
 * buckets' levels) are not part of a generation: they carry over a reload.
 *
 * A reload re-reads the config file (--config) and the environment as at
 * start; a new generation that does not build is refused with a log line
 * naming the setting, and the current one keeps serving. Each worker's
 * breakers and bulkheads take a new generation's settings with their state
 * (open breakers stay open, calls in flight stay counted) at its next
 * request. Everything else (listen address, limits, caches, Redis, schema)
 * needs a restart.
 */
#ifndef BFF_SERVER_RELOAD_H
#define BFF_SERVER_RELOAD_H

#include <stdatomic.h>
#include <stddef.h>

#include "clients.h"
#include "config.h"
#include "edge.h"
#include "persisted.h"
#include "adapters/providers.h"

typedef struct st_bff_generation_t {
    atomic_int refs;
    unsigned long number;     /* 1 at start, +1 per reload */
    bff_clients_t *clients;   /* keys and tiers (its buckets unused: budgets live in the server's) */
    bff_persisted_t *trusted; /* the persisted_documents manifest (no APQ registrations) */
    bff_edge_t *edge;
    bff_providers_t *providers; /* where and how each provider is called (one reference) */
} bff_generation_t;

/* Builds a generation from settings (`stats`: the server's provider counters); NULL with a message naming the setting. */
bff_generation_t *bff_generation_new(const bff_config_t *c, unsigned long number, bff_dep_stats_t *stats, char *err,
                                     size_t errlen);
/* Takes a reference to the current generation of `current` (guarded by `lock`). */
struct st_bff_server_t;
bff_generation_t *bff_generation_acquire(struct st_bff_server_t *s);
void bff_generation_release(bff_generation_t *g);
/* Makes `next` current (the server's reference to the old one is given back). */
void bff_generation_install(struct st_bff_server_t *s, bff_generation_t *next);

#endif
