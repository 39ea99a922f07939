/*
 * cache.h - a bounded cache of provider answers (parsed JSON) for reads that
 * may be a little old: catalog (PIM) data, never prices, stock or carts.
 *
 * One cache per worker thread, so no locks: entries and their JSON are only
 * touched by that worker's loop. An entry is fresh for ttl_ms from when it
 * was stored, then stale for stale_ms more (the caller may serve it while it
 * refreshes it), then gone; when the cache holds more than its byte budget,
 * the least recently used entries go first. Sizes are the
 * answer's body length, which is what an entry roughly costs in memory.
 */
#ifndef BFF_ADAPTERS_CACHE_H
#define BFF_ADAPTERS_CACHE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct st_bff_json_cache_t bff_json_cache_t;

typedef struct st_bff_json_cache_stats_t {
    uint64_t hits, stale_hits, misses, stores, evictions;
    size_t entries, bytes;
} bff_json_cache_stats_t;

bff_json_cache_t *bff_json_cache_new(size_t max_bytes, uint64_t ttl_ms, uint64_t stale_ms);
void bff_json_cache_free(bff_json_cache_t *c);
/* The fresh value for `key` (borrowed: valid until the next put or free), or NULL; counts a hit or a miss. */
json_t *bff_json_cache_get(bff_json_cache_t *c, const char *key, uint64_t now_ms);
/*
 * As bff_json_cache_get, also returning a stale value (past its time to live,
 * within stale_ms): then *age_ms is its age past fresh and *refresh is true
 * for exactly one caller until the entry is replaced or bff_json_cache_refresh_failed.
 */
json_t *bff_json_cache_lookup(bff_json_cache_t *c, const char *key, uint64_t now_ms, uint64_t *age_ms, bool *refresh);
/* A refresh that bff_json_cache_lookup asked for failed: the next stale reader may try again. */
void bff_json_cache_refresh_failed(bff_json_cache_t *c, const char *key);
/* Stores `value` (a new reference is taken) for ttl_ms from now; an answer larger than the budget is not kept. */
void bff_json_cache_put(bff_json_cache_t *c, const char *key, json_t *value, size_t size, uint64_t now_ms);
/* As bff_json_cache_put, fresh for `ttl_ms` (at most the cache's time to live): an answer another level kept a while. */
void bff_json_cache_put_ttl(bff_json_cache_t *c, const char *key, json_t *value, size_t size, uint64_t now_ms,
                            uint64_t ttl_ms);
/* The cache's time to live: how long an answer stays fresh. */
uint64_t bff_json_cache_ttl(const bff_json_cache_t *c);
bff_json_cache_stats_t bff_json_cache_stats(const bff_json_cache_t *c);

#endif
