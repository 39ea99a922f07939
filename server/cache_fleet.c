/*
 * cache_fleet.c - the fleet's catalog cache (bff_shared_cache_t, context.h)
 * over a worker's Redis store. An answer is kept under bff:cache:<SHA-256 of
 * its key> for the cache's time to live. A reader that finds none claims
 * bff:cache:fill:<same> (SET NX PX fill_ms, with a random token) in the same
 * script, so one reader across the fleet calls the provider while the claim
 * holds and the others are told to ask again. The filler's put stores the
 * answer and lets the claim go in one script; a failed fill only lets it go.
 * Without an answer from Redis within redis_timeout_ms the reader calls the
 * provider itself (the cache is an optimisation, never a dependency).
 * docs/decisions/shared-state.md.
 */
#include <hiredis/hiredis.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "store.h"
#include "worker.h"

/* Larger answers stay in the workers' caches: one value must not take a share of Redis's memory. */
#define BFF_SHARED_CACHE_MAX_BYTES (1u << 20)

static const char get_script[] =
    "local v = redis.call('GET', KEYS[1]) "
    "if v then return {1, v, redis.call('PTTL', KEYS[1])} end "
    "if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0} end "
    "return {2}";

static const char put_script[] =
    "if ARGV[2] ~= '' then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end "
    "if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end "
    "return 1";

/* The Redis keys of a cache key: its answer's and its claim's. */
static void key_names(const char *key, char value[96], char fill[96])
{
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)key, strlen(key), d);
    char hex[2 * SHA256_DIGEST_LENGTH + 1];
    for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    snprintf(value, 96, "bff:cache:%s", hex);
    snprintf(fill, 96, "bff:cache:fill:%s", hex);
}

typedef struct st_get_t {
    bff_shared_get_cb cb;
    void *arg;
    bff_server_t *server;
    char token[33];
} get_t;

static void count(bff_server_t *s, int status)
{
    atomic_fetch_add_explicit(&s->shared_cache[status < 0 ? BFF_SHARED_UNAVAILABLE : status], 1, memory_order_relaxed);
}

static void on_get_reply(struct redisReply *r, void *arg)
{
    get_t *g = arg;
    int status = -1;
    const char *text = NULL;
    size_t len = 0;
    uint64_t ttl_ms = 0;
    if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 && r->element[0]->type == REDIS_REPLY_INTEGER) {
        long long st = r->element[0]->integer;
        if (st == 1 && r->elements == 3 && r->element[1]->type == REDIS_REPLY_STRING &&
            r->element[2]->type == REDIS_REPLY_INTEGER) {
            status = 1;
            text = r->element[1]->str;
            len = r->element[1]->len;
            ttl_ms = r->element[2]->integer > 0 ? (uint64_t)r->element[2]->integer : 0;
        } else if (st == 0 || st == 2) {
            status = (int)st;
        }
    }
    count(g->server, status);
    g->cb(status, text, len, ttl_ms, g->token, g->arg);
    free(g);
}

static int get(void *impl, const char *key, uint64_t fill_ms, bff_shared_get_cb cb, void *arg)
{
    bff_worker_t *w = impl;
    get_t *g = bff_xcalloc(1, sizeof(*g));
    g->cb = cb;
    g->arg = arg;
    g->server = w->server;
    char value[96], fill[96], ms[24];
    key_names(key, value, fill);
    snprintf(ms, sizeof(ms), "%llu", (unsigned long long)fill_ms);
    const char *argv[] = {"EVAL", get_script, "2", value, fill, g->token, ms};
    if (bff_store_token(g->token) != 0 || bff_store_command_strs(w->store, on_get_reply, g, 7, argv) != 0) {
        free(g);
        count(w->server, -1);
        return -1;
    }
    return 0;
}

static void on_put_reply(struct redisReply *r, void *arg)
{
}

static void put(void *impl, const char *key, const char *token, const char *text, size_t len, uint64_t ttl_ms)
{
    bff_worker_t *w = impl;
    if (text != NULL && (len > BFF_SHARED_CACHE_MAX_BYTES || ttl_ms == 0))
        text = NULL; /* only the claim goes */
    char value[96], fill[96], ms[24];
    key_names(key, value, fill);
    snprintf(ms, sizeof(ms), "%llu", (unsigned long long)ttl_ms);
    const char *argv[] = {"EVAL", put_script, "2", value, fill, token, text != NULL ? text : "", ms};
    size_t lens[8];
    for (int i = 0; i < 8; ++i)
        lens[i] = strlen(argv[i]);
    lens[6] = text != NULL ? len : 0;
    /* Redis away: the claim lapses by itself after its fill_ms */
    bff_store_command(w->store, on_put_reply, NULL, 8, argv, lens);
}

void bff_worker_shared_cache_init(bff_worker_t *w)
{
    w->shared_cache.get = get;
    w->shared_cache.put = put;
    w->shared_cache.impl = w;
}

const bff_shared_cache_t *bff_worker_shared_cache(bff_worker_t *w)
{
    return w->store != NULL && w->catalog_cache != NULL ? &w->shared_cache : NULL;
}
