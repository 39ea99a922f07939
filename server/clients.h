/*
 * clients.h - who is calling, and what they may spend.
 *
 * API keys come from the "api_keys" setting as SHA-256 hashes (hex), never
 * in clear: a presented key (X-Api-Key) is hashed and compared with every
 * configured hash in constant time. Each key names a client id, a channel
 * (web, mobile, partner), a tier and scopes. A request without a key is
 * anonymous (tier "anonymous", keyed by its address).
 *
 * Budgets: a leaky bucket of cost points per client (size and restore rate
 * per tier, "tiers" setting). A request takes its requested cost up front;
 * what its execution did not use is given back. Shared by all workers (one
 * mutex; the critical sections are a few arithmetic operations).
 */
#ifndef BFF_SERVER_CLIENTS_H
#define BFF_SERVER_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct st_bff_tier_t {
    const char *name;
    double bucket, restore_per_second;
} bff_tier_t;

typedef struct st_bff_client_t {
    const char *id, *channel;
    const bff_tier_t *tier;
    const char **scopes;
    size_t nscopes;
    bool trusted_documents_only; /* may run only documents of the persisted_documents manifest */
} bff_client_t;

typedef struct st_bff_clients_t bff_clients_t;

/* From the settings' JSON texts; NULL with a message naming the bad entry. */
bff_clients_t *bff_clients_new(const char *api_keys_json, const char *tiers_json, char *err, size_t errlen);
void bff_clients_free(bff_clients_t *c);
/* The client of a presented key, or NULL when no configured key matches. */
const bff_client_t *bff_clients_find(const bff_clients_t *c, const char *key, size_t len);
/* The anonymous tier. */
const bff_tier_t *bff_clients_anonymous(const bff_clients_t *c);

/*
 * Scopes: an element of the schema marked @requiresScopes(scopes: [...])
 * needs every scope listed. True when `scopes` have them; else *missing is
 * the first one lacking.
 */
struct st_bff_ast_list_t;
bool bff_scopes_satisfy(const struct st_bff_ast_list_t *directives, const char *const *scopes, size_t n,
                        const char **missing);

typedef struct st_bff_budget_t {
    bool allowed;
    double available;   /* after this request took its cost (or, refused, as it stands) */
    double retry_after; /* seconds until the cost would fit, when refused */
} bff_budget_t;

/* Takes `cost` points from the bucket of `key` (client id or "anon:<address>") in `tier`, at time now_ms. */
bff_budget_t bff_clients_take(bff_clients_t *c, const char *key, const bff_tier_t *tier, double cost, uint64_t now_ms);
/* Gives back points a request took but did not use; returns the bucket's level after. */
double bff_clients_give_back(bff_clients_t *c, const char *key, const bff_tier_t *tier, double points, uint64_t now_ms);

#endif
