/*
 * checkout_lock.c - the fleet's side of checkout (bff_fleet_t, context.h)
 * over a worker's Redis store: a lock per idempotency key
 * (bff:checkout:lock:<id>, a random token, expiring after
 * lock_ms() so a crashed instance's lock does not outlive it) and
 * the journal's record of the key as the fleet last saw it
 * (bff:checkout:rec:<id>, kept BFF_CHECKOUT_REC_MS). Both are one script
 * each, so taking the lock and reading the record, or sharing the record and
 * letting go, are atomic. A record is only ever replaced by a newer one.
 * Without an answer from Redis the claim fails (-1): checkout refuses rather
 * than run without the lock. docs/decisions/shared-state.md.
 */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "store.h"
#include "worker.h"

/*
 * How long a lock holds: longer than any run. A run (a buyer's request or the
 * reconciler's) ends by its deadline, request_timeout_ms: past it no provider
 * call starts and those in flight are cut. Twice that, and at least two
 * minutes, leaves room for the journal and the release.
 */
static uint64_t lock_ms(const bff_server_t *s)
{
    uint64_t run = 2 * (uint64_t)s->config.request_timeout_ms;
    return run > 120000 ? run : 120000;
}
#define BFF_CHECKOUT_REC_MS "604800000" /* a week: a retry days later is still answered with its order */

static const char claim_script[] =
    "if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0, ''} end "
    "return {1, redis.call('GET', KEYS[2]) or ''}";

static const char release_script[] =
    "if ARGV[2] ~= '' then "
    "  local mine = cjson.decode(ARGV[2]) "
    "  local cur = redis.call('GET', KEYS[2]) "
    "  local ok, c = pcall(cjson.decode, cur or '') "
    "  if not (ok and type(c) == 'table' and tonumber(c.updated_ms) and tonumber(c.updated_ms) > tonumber(mine.updated_ms)) then "
    "    redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) "
    "  end "
    "end "
    "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end "
    "return 1";

/* The lock's and the record's Redis keys of a key's lock id. */
static void key_names(const char *lock_id, char lock[96], char rec[96])
{
    snprintf(lock, 96, "bff:checkout:lock:%s", lock_id);
    snprintf(rec, 96, "bff:checkout:rec:%s", lock_id);
}

typedef struct st_claim_t {
    bff_claim_cb cb;
    void *arg;
    char token[33];
} claim_t;

static void on_claim_reply(struct redisReply *r, void *arg)
{
    claim_t *c = arg;
    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_INTEGER)
        c->cb(-1, NULL, NULL, c->arg);
    else if (r->element[0]->integer != 1)
        c->cb(0, NULL, NULL, c->arg);
    else
        c->cb(1, c->token, r->element[1]->type == REDIS_REPLY_STRING ? r->element[1]->str : "", c->arg);
    free(c);
}

static void claim(void *impl, const char *lock_id, bff_claim_cb cb, void *arg)
{
    bff_worker_t *w = impl;
    claim_t *c = bff_xcalloc(1, sizeof(*c));
    c->cb = cb;
    c->arg = arg;
    if (bff_store_token(c->token) != 0) {
        free(c);
        cb(-1, NULL, NULL, arg);
        return;
    }
    char lock[96], rec[96];
    key_names(lock_id, lock, rec);
    char ms[24];
    snprintf(ms, sizeof(ms), "%llu", (unsigned long long)lock_ms(w->server));
    const char *argv[] = {"EVAL", claim_script, "2", lock, rec, c->token, ms};
    if (bff_store_command_strs(w->store, on_claim_reply, c, 7, argv) != 0) {
        free(c);
        cb(-1, NULL, NULL, arg);
    }
}

typedef struct st_release_t {
    void (*done)(void *arg);
    void *arg;
} release_t;

static void on_released(struct redisReply *r, void *arg)
{
    release_t *rl = arg;
    rl->done(rl->arg);
    free(rl);
}

static int release(void *impl, const char *lock_id, const char *token, const char *rec_text, void (*done)(void *arg),
                   void *arg)
{
    bff_worker_t *w = impl;
    char lock[96], rec[96];
    key_names(lock_id, lock, rec);
    const char *argv[] = {"EVAL", release_script, "2", lock, rec, token, rec_text != NULL ? rec_text : "",
                          BFF_CHECKOUT_REC_MS};
    release_t *rl = bff_xcalloc(1, sizeof(*rl));
    rl->done = done;
    rl->arg = arg;
    /* Redis away: the lock expires by itself after lock_ms() */
    if (bff_store_command_strs(w->store, on_released, rl, 8, argv) != 0) {
        free(rl);
        return -1;
    }
    return 0;
}

void bff_worker_fleet_init(bff_worker_t *w)
{
    w->fleet.claim = claim;
    w->fleet.release = release;
    w->fleet.impl = w;
}

const bff_fleet_t *bff_worker_fleet(bff_worker_t *w)
{
    return w->store != NULL ? &w->fleet : NULL;
}
