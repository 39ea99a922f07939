/*
 * cache.c - the bounded JSON cache: a chained hash table of keys plus a
 * recency list (base/lru.h; head = most recently used).
 */
#include "cache.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/lru.h"
#include "base/hash.h"

typedef struct st_entry_t {
    char *key;
    uint64_t hash, expires_ms, stale_until_ms;
    bool refreshing;
    json_t *value;
    size_t size;
    struct st_entry_t *chain;      /* next in the bucket */
    bff_lru_link_t lru;            /* in the recency list */
} entry_t;

struct st_bff_json_cache_t {
    entry_t **buckets;
    size_t nbuckets; /* a power of two */
    bff_lru_t lru; /* head = most recently used */
    size_t max_bytes;
    uint64_t ttl_ms, stale_ms;
    bff_json_cache_stats_t stats;
};

bff_json_cache_t *bff_json_cache_new(size_t max_bytes, uint64_t ttl_ms, uint64_t stale_ms)
{
    bff_json_cache_t *c = bff_xcalloc(1, sizeof(*c));
    c->nbuckets = 256;
    c->buckets = bff_xcalloc(c->nbuckets, sizeof(*c->buckets));
    c->max_bytes = max_bytes;
    c->ttl_ms = ttl_ms;
    c->stale_ms = stale_ms;
    return c;
}

#define ENTRY(link) BFF_LRU_ENTRY(link, entry_t, lru)

static void entry_remove(bff_json_cache_t *c, entry_t *e)
{
    entry_t **p = &c->buckets[e->hash & (c->nbuckets - 1)];
    while (*p != e)
        p = &(*p)->chain;
    *p = e->chain;
    bff_lru_unlink(&c->lru, &e->lru);
    assert(c->stats.entries > 0 && c->stats.bytes >= e->size && "the cache's counts cover its entries");
    c->stats.entries--;
    c->stats.bytes -= e->size;
    json_decref(e->value);
    free(e->key);
    free(e);
}

void bff_json_cache_free(bff_json_cache_t *c)
{
    if (c == NULL)
        return;
    while (c->lru.tail != NULL)
        entry_remove(c, ENTRY(c->lru.tail));
    free(c->buckets);
    free(c);
}

static entry_t *find(bff_json_cache_t *c, const char *key, uint64_t hash)
{
    for (entry_t *e = c->buckets[hash & (c->nbuckets - 1)]; e != NULL; e = e->chain)
        if (e->hash == hash && strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

json_t *bff_json_cache_lookup(bff_json_cache_t *c, const char *key, uint64_t now_ms, uint64_t *age_ms, bool *refresh)
{
    uint64_t hash = bff_fnv1a_str(key);
    entry_t *e = find(c, key, hash);
    *age_ms = 0;
    *refresh = false;
    if (e != NULL && e->stale_until_ms <= now_ms) {
        entry_remove(c, e);
        e = NULL;
    }
    if (e == NULL) {
        c->stats.misses++;
        return NULL;
    }
    if (e->expires_ms <= now_ms) {
        c->stats.stale_hits++;
        *age_ms = now_ms - e->expires_ms;
        *refresh = !e->refreshing;
        e->refreshing = true;
    } else {
        c->stats.hits++;
    }
    bff_lru_touch(&c->lru, &e->lru);
    return e->value;
}

json_t *bff_json_cache_get(bff_json_cache_t *c, const char *key, uint64_t now_ms)
{
    uint64_t hash = bff_fnv1a_str(key);
    entry_t *e = find(c, key, hash);
    if (e != NULL && e->stale_until_ms <= now_ms) {
        entry_remove(c, e); /* past any use */
        e = NULL;
    }
    if (e == NULL || e->expires_ms <= now_ms) {
        c->stats.misses++;
        return NULL;
    }
    uint64_t age;
    bool refresh;
    return bff_json_cache_lookup(c, key, now_ms, &age, &refresh);
}

void bff_json_cache_refresh_failed(bff_json_cache_t *c, const char *key)
{
    entry_t *e = find(c, key, bff_fnv1a_str(key));
    if (e != NULL)
        e->refreshing = false;
}

static void grow(bff_json_cache_t *c)
{
    size_t n = c->nbuckets * 2;
    entry_t **b = bff_xcalloc(n, sizeof(*b));
    for (size_t i = 0; i < c->nbuckets; ++i) {
        for (entry_t *e = c->buckets[i], *next; e != NULL; e = next) {
            next = e->chain;
            e->chain = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    }
    free(c->buckets);
    c->buckets = b;
    c->nbuckets = n;
}

void bff_json_cache_put(bff_json_cache_t *c, const char *key, json_t *value, size_t size, uint64_t now_ms)
{
    bff_json_cache_put_ttl(c, key, value, size, now_ms, c->ttl_ms);
}

uint64_t bff_json_cache_ttl(const bff_json_cache_t *c)
{
    return c->ttl_ms;
}

void bff_json_cache_put_ttl(bff_json_cache_t *c, const char *key, json_t *value, size_t size, uint64_t now_ms,
                            uint64_t ttl_ms)
{
    uint64_t hash = bff_fnv1a_str(key);
    entry_t *old = find(c, key, hash);
    if (old != NULL)
        entry_remove(c, old);
    size += strlen(key) + sizeof(entry_t);
    if (value == NULL || size > c->max_bytes || c->ttl_ms == 0)
        return;
    while (c->stats.bytes + size > c->max_bytes && c->lru.tail != NULL) {
        entry_remove(c, ENTRY(c->lru.tail));
        c->stats.evictions++;
    }
    if (c->stats.entries + 1 > c->nbuckets)
        grow(c);
    entry_t *e = bff_xcalloc(1, sizeof(*e));
    e->key = bff_xstrdup(key);
    e->hash = hash;
    e->expires_ms = now_ms + (ttl_ms < c->ttl_ms ? ttl_ms : c->ttl_ms);
    e->stale_until_ms = e->expires_ms + c->stale_ms;
    e->value = json_incref(value);
    e->size = size;
    e->chain = c->buckets[hash & (c->nbuckets - 1)];
    c->buckets[hash & (c->nbuckets - 1)] = e;
    bff_lru_push_front(&c->lru, &e->lru);
    c->stats.entries++;
    c->stats.bytes += size;
    c->stats.stores++;
}

bff_json_cache_stats_t bff_json_cache_stats(const bff_json_cache_t *c)
{
    return c->stats;
}
