/*
 * usage_fleet.c - deprecation usage across a fleet: each use an instance
 * records (usage.c) also goes to Redis, and /admin/deprecations reads the
 * fleet's data from there while Redis answers.
 *
 * Redis holds, per deployment: bff:usage:count (hash: coordinate -> uses),
 * bff:usage:seen (sorted set: "<coordinate>\x1f<client>\x1f<version>" by the
 * microsecond (Redis's clock) it was last seen), bff:usage:pairs (hash: the same member -> uses)
 * and bff:usage:evicted. The pairs are bounded by usage_max_clients as on
 * one instance: past it the least recently seen go (ZPOPMIN), counted in
 * bff:usage:evicted. One script a request that used a deprecated element,
 * not waited for; none for the others. Redis away: the uses of that time
 * are the instance's only (its report says "source":"instance").
 */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "http.h"
#include "store.h"
#include "usage.h"
#include "worker.h"

#define USAGE_KEYS "4", "bff:usage:count", "bff:usage:seen", "bff:usage:pairs", "bff:usage:evicted"
#define USAGE_SHARE_MAX 64 /* elements a request may report (the analysis's uses are per element, few) */

/* seen in microseconds of Redis's clock: one order for the fleet, finer than a second (ARGV[1], the
   instance's second, is the fallback when TIME is unavailable) */
static const char record_script[] =
    "local ok, t = pcall(redis.call, 'TIME') "
    "local now = ok and (tonumber(t[1]) * 1000000 + tonumber(t[2])) or tonumber(ARGV[1]) * 1000000 "
    "for i = 3, #ARGV, 2 do "
    "  redis.call('HINCRBY', KEYS[1], ARGV[i], 1) "
    "  redis.call('ZADD', KEYS[2], now, ARGV[i + 1]) "
    "  redis.call('HINCRBY', KEYS[3], ARGV[i + 1], 1) "
    "end "
    "local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[2]) "
    "if over > 0 then "
    "  local gone = redis.call('ZPOPMIN', KEYS[2], over) "
    "  for j = 1, #gone, 2 do redis.call('HDEL', KEYS[3], gone[j]) end "
    "  redis.call('INCRBY', KEYS[4], over) "
    "end "
    "return 1";

static const char read_script[] = "return {redis.call('HGETALL', KEYS[1]), redis.call('ZRANGE', KEYS[2], 0, -1, "
                                  "'WITHSCORES'), redis.call('HGETALL', KEYS[3]), redis.call('GET', KEYS[4]) or '0'}";

static void on_recorded(struct redisReply *r, void *arg)
{
}

void bff_usage_share(bff_worker_t *w, const bff_deprecated_use_t *uses, size_t n, const char *client,
                     const char *version, time_t now)
{
    if (n == 0 || !bff_store_up(w->store))
        return;
    if (n > USAGE_SHARE_MAX)
        n = USAGE_SHARE_MAX;
    char *name = bff_usage_clean_name(client), *ver = bff_usage_clean_name(version);
    char when[24], max[24];
    snprintf(when, sizeof(when), "%lld", (long long)now);
    snprintf(max, sizeof(max), "%lld", (long long)w->server->config.usage_max_clients);
    const char *argv[9 + 2 * USAGE_SHARE_MAX] = {"EVAL", record_script, USAGE_KEYS, when, max};
    size_t argc = 9; /* EVAL, the script, 4 and the keys, the time, the bound */
    char *members[USAGE_SHARE_MAX];
    for (size_t i = 0; i < n; ++i) {
        size_t len = strlen(uses[i].coordinate) + strlen(name) + strlen(ver) + 3;
        members[i] = bff_xmalloc(len);
        snprintf(members[i], len, "%s\x1f%s\x1f%s", uses[i].coordinate, name, ver);
        argv[argc++] = uses[i].coordinate;
        argv[argc++] = members[i];
    }
    bff_store_command_strs(w->store, on_recorded, NULL, (int)argc, argv);
    for (size_t i = 0; i < n; ++i)
        free(members[i]);
    free(name);
    free(ver);
}

/* ---- the fleet's report ---- */

typedef struct st_report_wait_t {
    h2o_req_t *req; /* NULL once h2o dropped the request */
    struct st_report_wait_t **slot;
    bff_worker_t *w;
} report_wait_t;

static void on_req_disposed(void *p)
{
    report_wait_t *rw = *(report_wait_t **)p;
    if (rw != NULL)
        rw->req = NULL;
}

static bool is_array(const redisReply *r, size_t min)
{
    return r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements >= min;
}

/* The fleet's data as a usage map; NULL when the reply is not what the script returns. */
static json_t *fleet_map(const redisReply *r, unsigned long long *evicted)
{
    if (!is_array(r, 4) || r->element[0]->type != REDIS_REPLY_ARRAY || r->element[1]->type != REDIS_REPLY_ARRAY ||
        r->element[2]->type != REDIS_REPLY_ARRAY || r->element[3]->type != REDIS_REPLY_STRING)
        return NULL;
    json_t *map = json_object();
    const redisReply *counts = r->element[0], *seen = r->element[1], *pairs = r->element[2];
    for (size_t i = 0; i + 1 < counts->elements; i += 2)
        bff_usage_map_add(map, counts->element[i]->str, strtoull(counts->element[i + 1]->str, NULL, 10), NULL, NULL,
                          0, 0);
    json_t *uses = json_object(); /* member -> uses */
    for (size_t i = 0; i + 1 < pairs->elements; i += 2)
        json_object_set_new(uses, pairs->element[i]->str,
                            json_integer((json_int_t)strtoull(pairs->element[i + 1]->str, NULL, 10)));
    for (size_t i = 0; i + 1 < seen->elements; i += 2) {
        const char *member = seen->element[i]->str;
        const char *a = strchr(member, '\x1f'), *b = a ? strchr(a + 1, '\x1f') : NULL;
        if (b == NULL)
            continue;
        char *coordinate = strndup(member, (size_t)(a - member)), *name = strndup(a + 1, (size_t)(b - a - 1));
        unsigned long long n = (unsigned long long)json_integer_value(json_object_get(uses, member));
        if (json_object_get(map, coordinate) != NULL) /* an element the counts know (always, but for a race) */
            bff_usage_map_add(map, coordinate, 0, name, b + 1, n,
                              (time_t)(strtod(seen->element[i + 1]->str, NULL) / 1e6));
        free(coordinate);
        free(name);
    }
    json_decref(uses);
    *evicted = strtoull(r->element[3]->str, NULL, 10);
    return map;
}

static void on_fleet_report(struct redisReply *r, void *arg)
{
    report_wait_t *rw = arg;
    if (rw->req != NULL) {
        *rw->slot = NULL;
        bff_server_t *s = rw->w->server;
        bff_buf_t b = BFF_BUF_INIT;
        unsigned long long evicted = 0;
        json_t *map = fleet_map(r, &evicted);
        if (map != NULL) {
            bff_usage_write_report(map, evicted, "fleet", s->schema, &b);
            json_decref(map);
        } else { /* Redis slow or gone meanwhile: this instance's data */
            bff_usage_write_json(s->usage, s->schema, &b);
        }
        bff_http_send_json(rw->req, 200, b.data, b.len);
        bff_buf_free(&b);
    }
    free(rw);
}

int bff_usage_fleet_report(bff_worker_t *w, h2o_req_t *req)
{
    if (!bff_store_up(w->store))
        return -1;
    report_wait_t *rw = bff_xcalloc(1, sizeof(*rw));
    rw->req = req;
    rw->w = w;
    rw->slot = h2o_mem_alloc_shared(&req->pool, sizeof(*rw->slot), on_req_disposed);
    *rw->slot = rw;
    const char *argv[] = {"EVAL", read_script, USAGE_KEYS};
    if (bff_store_command_strs(w->store, on_fleet_report, rw, 7, argv) != 0) {
        *rw->slot = NULL;
        free(rw);
        return -1;
    }
    return 0;
}
