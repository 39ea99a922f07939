/*
 * reload.c - generations of the reloadable settings (see reload.h). The
 * server's pointer to the current generation is read and its count taken
 * under one mutex (a few instructions a request); the count is released
 * without it, and whoever drops it to zero frees the generation.
 */
#include "reload.h"

#include <stdlib.h>

#include "base/arena.h"
#include "server.h"

bff_generation_t *bff_generation_new(const bff_config_t *c, unsigned long number, bff_dep_stats_t *stats, char *err,
                                     size_t errlen)
{
    bff_generation_t *g = bff_xcalloc(1, sizeof(*g));
    atomic_init(&g->refs, 1);
    g->number = number;
    g->clients = bff_clients_new(c->api_keys, c->tiers, err, errlen);
    if (g->clients != NULL)
        g->trusted = bff_persisted_new(c->persisted_documents, 0, 0, err, errlen);
    if (g->trusted != NULL)
        g->edge = bff_edge_new(c->cors, c->trusted_proxies, c->csrf_prevention != 0, err, errlen);
    if (g->edge != NULL)
        g->providers = bff_providers_new(c->providers_url, (uint32_t)c->provider_timeout_ms, c->providers_ca_file,
                                         c->providers, c->bulkheads, stats, err, errlen);
    if (g->providers == NULL) {
        bff_clients_free(g->clients);
        bff_persisted_free(g->trusted);
        bff_edge_free(g->edge);
        free(g);
        return NULL;
    }
    return g;
}

bff_generation_t *bff_generation_acquire(bff_server_t *s)
{
    pthread_mutex_lock(&s->generation_lock);
    bff_generation_t *g = s->generation;
    atomic_fetch_add(&g->refs, 1);
    pthread_mutex_unlock(&s->generation_lock);
    return g;
}

void bff_generation_release(bff_generation_t *g)
{
    if (g == NULL || atomic_fetch_sub(&g->refs, 1) != 1)
        return;
    bff_clients_free(g->clients);
    bff_persisted_free(g->trusted);
    bff_edge_free(g->edge);
    bff_providers_free(g->providers);
    free(g);
}

void bff_generation_install(bff_server_t *s, bff_generation_t *next)
{
    pthread_mutex_lock(&s->generation_lock);
    bff_generation_t *old = s->generation;
    s->generation = next;
    pthread_mutex_unlock(&s->generation_lock);
    bff_generation_release(old);
}
