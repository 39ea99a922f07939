/*
 * providers.h - where each provider is and how to call it: base URL, an
 * authentication header and a timeout per provider, from the "providers"
 * setting over the defaults (providers_url, provider_timeout_ms).
 *
 * Built at start-up (a bad entry stops the boot with its name) and again by
 * a reload (a bad entry refuses it), then read by every worker: immutable
 * after bff_providers_new, and counted: a reload's generation holds one
 * reference, and work that may outlive its request (a background refresh,
 * the reconciler) takes its own. The call statistics are the server's, shared
 * by every set, so a reload does not reset the metrics.
 */
#ifndef BFF_ADAPTERS_PROVIDERS_H
#define BFF_ADAPTERS_PROVIDERS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "adapters/policy.h"

/* The providers, one table: an id (the enum) and the name settings, metrics and errors use. */
#define BFF_PROVIDERS(X)                                                                                              \
    X(CATALOG, catalog)                                                                                               \
    X(PRICING, pricing)                                                                                               \
    X(INVENTORY, inventory)                                                                                           \
    X(PROMOTIONS, promotions)                                                                                         \
    X(TAX, tax)                                                                                                       \
    X(SHIPPING, shipping)                                                                                             \
    X(PAYMENTS, payments)                                                                                             \
    X(ORDERS, orders)                                                                                                 \
    X(REVIEWS, reviews)                                                                                               \
    X(RECOMMENDATIONS, recommendations)                                                                               \
    X(CARTS, carts)                                                                                                   \
    X(CUSTOMERS, customers)
typedef enum {
#define BFF_PROVIDER_ENUM(id, name) BFF_PROVIDER_##id,
    BFF_PROVIDERS(BFF_PROVIDER_ENUM)
#undef BFF_PROVIDER_ENUM
        BFF_PROVIDER_COUNT
} bff_provider_id_t;

/* Bulkhead pools: checkout (money), browse (catalog, stock, carts, customers), enrichment (reviews, recommendations). */
typedef enum { BFF_POOL_CHECKOUT, BFF_POOL_BROWSE, BFF_POOL_ENRICHMENT, BFF_POOL_COUNT } bff_pool_t;
const char *bff_pool_name(bff_pool_t pool);

#define BFF_LATENCY_BUCKETS 12 /* upper bounds in ms: 5 10 25 50 100 250 500 1000 2500 5000 10000 +Inf */

/* Counters of one provider over all workers (relaxed atomics: metrics, not synchronisation). */
typedef struct st_bff_dep_stats_t {
    atomic_ullong calls, failures, timeouts, cancelled, rejected, short_circuited, in_flight, breaker_opens, retries,
        retries_denied, latency_sum_us;
    atomic_ullong latency[BFF_LATENCY_BUCKETS];
    atomic_int breakers_not_closed; /* workers whose breaker for it is open or half-open */
} bff_dep_stats_t;

typedef struct st_bff_provider_conf_t {
    const char *name;
    int index;
    bff_pool_t pool;
    bff_breaker_conf_t breaker;
    char *url;         /* base URL, no trailing slash: paths start with '/' */
    const char *host;  /* in url: its host (host_len bytes) and port, as spans name them */
    size_t host_len;
    int port;
    char *auth_header; /* "Name: value" sent with every call, or NULL */
    uint32_t timeout_ms, connect_timeout_ms; /* connect 0: the smaller of 2000 and timeout_ms */
    /* retries of reads (GET) that failed for a reason a new attempt may not meet: transport, 5xx, timeout */
    uint32_t max_attempts;   /* 1: no retry */
    uint32_t backoff_ms;     /* full jitter: a wait drawn from 0..min(backoff_cap_ms, backoff_ms * 2^(attempt-1)) */
    uint32_t backoff_cap_ms;
    double retry_budget;     /* retries may add at most this share of the calls (token bucket per worker) */
    char *ca_file; /* PEM bundle for an https url, or NULL: the system's CAs */
    bff_dep_stats_t *stats;
} bff_provider_conf_t;

typedef struct st_bff_providers_t bff_providers_t;

/*
 * The table: every provider gets `default_url` and `default_timeout_ms`,
 * then what `json` (an object: provider name -> {"url", "auth_header",
 * "timeout_ms", "ca_file", "pool", "breaker": {...}}, each optional) says; an
 * empty default_ca_file means the system's CAs. `bulkheads_json`: pool name
 * -> {"max_concurrent", "max_queue", "queue_timeout_ms"}. NULL with a message naming the bad
 * provider or key on error.
 */
/* `stats`: BFF_PROVIDER_COUNT counters that outlive every set built on them. */
bff_providers_t *bff_providers_new(const char *default_url, uint32_t default_timeout_ms, const char *default_ca_file,
                                   const char *json, const char *bulkheads_json, bff_dep_stats_t *stats, char *err,
                                   size_t errlen);
/* Another reference (any thread). */
const bff_providers_t *bff_providers_ref(const bff_providers_t *p);
/* Gives a reference back; the last one frees the set. */
void bff_providers_free(const bff_providers_t *p);
/* The provider's settings, or NULL for a name that is not a provider. */
/* By name (settings), or NULL. */
const bff_provider_conf_t *bff_providers_get(const bff_providers_t *p, const char *name);
/* The providers with no URL (neither providers_url nor providers.<name>.url): up to max names; their number. */
size_t bff_providers_unconfigured(const bff_providers_t *p, const char **names, size_t max);
size_t bff_providers_count(const bff_providers_t *p);
const bff_provider_conf_t *bff_providers_at(const bff_providers_t *p, size_t i);
/* Prometheus text of the per-provider counters (bff_dependency_*). */
struct st_bff_buf_t;
void bff_providers_write_metrics(const bff_providers_t *p, struct st_bff_buf_t *out);
/* A pool's bulkhead (per worker), from the "bulkheads" setting over the defaults. */
const bff_bulkhead_conf_t *bff_providers_bulkhead(const bff_providers_t *p, bff_pool_t pool);

#endif
