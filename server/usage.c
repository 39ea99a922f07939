/*
 * usage.c - deprecated-element usage per client (see usage.h).
 *
 * Elements are the schema's deprecated coordinates (bounded by the schema).
 * Per element, a list of (client name, version) pairs; names and versions
 * are cut to BFF_USAGE_NAME_MAX bytes, and all elements together keep at most
 * max_pairs pairs: a new pair past that evicts the least recently seen one
 * (its element's count stays; the report lists it as evicted).
 */
#include "usage.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/deprecations.h"

typedef struct st_client_use_t {
    char *name, *version;
    unsigned long long count;
    time_t last_seen;
    uint64_t seen_seq; /* the record's turn when last seen: recency finer than last_seen's seconds */
    struct st_client_use_t *next;
} client_use_t;

typedef struct st_element_t {
    char *coordinate;
    unsigned long long count;
    client_use_t *clients;
    struct st_element_t *next;
} element_t;

struct st_bff_usage_t {
    pthread_mutex_t lock;
    element_t *elements;
    size_t npairs, max_pairs;
    uint64_t seq;
    unsigned long long evicted; /* pairs dropped for the bound */
};

bff_usage_t *bff_usage_new(size_t max_pairs)
{
    bff_usage_t *u = bff_xcalloc(1, sizeof(*u));
    u->max_pairs = max_pairs ? max_pairs : 1;
    pthread_mutex_init(&u->lock, NULL);
    return u;
}

void bff_usage_free(bff_usage_t *u)
{
    if (u == NULL)
        return;
    for (element_t *e = u->elements, *en; e != NULL; e = en) {
        en = e->next;
        for (client_use_t *c = e->clients, *cn; c != NULL; c = cn) {
            cn = c->next;
            free(c->name);
            free(c->version);
            free(c);
        }
        free(e->coordinate);
        free(e);
    }
    pthread_mutex_destroy(&u->lock);
    free(u);
}

/* A client-given name's length once cut to BFF_USAGE_NAME_MAX bytes. */
static size_t cut_len(const char *s)
{
    return strnlen(s, BFF_USAGE_NAME_MAX);
}

/* The first n bytes of s, each byte outside printable ASCII as '?' (header values are not always UTF-8). */
static char *clean_copy(const char *s, size_t n)
{
    char *out = bff_xmalloc(n + 1);
    for (size_t i = 0; i < n; ++i)
        out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    out[n] = '\0';
    return out;
}

/* Drops the pair seen least recently (of every element); the lock is held. */
static void evict_least_recent(bff_usage_t *u)
{
    client_use_t **victim = NULL;
    for (element_t *e = u->elements; e != NULL; e = e->next)
        for (client_use_t **pp = &e->clients; *pp != NULL; pp = &(*pp)->next)
            if (victim == NULL || (*pp)->seen_seq < (*victim)->seen_seq)
                victim = pp;
    if (victim == NULL)
        return;
    client_use_t *c = *victim;
    *victim = c->next;
    free(c->name);
    free(c->version);
    free(c);
    u->npairs--;
    u->evicted++;
}

void bff_usage_record(bff_usage_t *u, const char *coordinate, const char *client, const char *version, time_t now)
{
    pthread_mutex_lock(&u->lock);
    element_t *e = u->elements;
    while (e != NULL && strcmp(e->coordinate, coordinate) != 0)
        e = e->next;
    if (e == NULL) {
        e = bff_xcalloc(1, sizeof(*e));
        e->coordinate = bff_xstrdup(coordinate);
        e->next = u->elements;
        u->elements = e;
    }
    e->count++;
    size_t nlen = cut_len(client), vlen = cut_len(version);
    client_use_t *c = e->clients;
    char *name = clean_copy(client, nlen), *ver = clean_copy(version, vlen);
    while (c != NULL && !(strcmp(c->name, name) == 0 && strcmp(c->version, ver) == 0))
        c = c->next;
    if (c == NULL) {
        if (u->npairs >= u->max_pairs)
            evict_least_recent(u);
        c = bff_xcalloc(1, sizeof(*c));
        c->name = name;
        c->version = ver;
        name = ver = NULL;
        c->next = e->clients;
        e->clients = c;
        u->npairs++;
    }
    free(name);
    free(ver);
    c->count++;
    c->last_seen = now;
    c->seen_seq = ++u->seq;
    pthread_mutex_unlock(&u->lock);
}

char *bff_usage_clean_name(const char *s)
{
    return clean_copy(s, cut_len(s));
}

static void time_text(time_t t, char when[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void bff_usage_map_add(json_t *map, const char *coordinate, unsigned long long count, const char *name,
                       const char *version, unsigned long long client_count, time_t last_seen)
{
    json_t *e = json_object_get(map, coordinate);
    if (e == NULL) {
        e = json_pack("{s:I, s:[]}", "count", (json_int_t)0, "clients");
        json_object_set_new(map, coordinate, e);
    }
    if (count > 0)
        json_object_set_new(e, "count", json_integer((json_int_t)count));
    if (name != NULL) {
        char when[32];
        time_text(last_seen, when);
        json_array_append_new(json_object_get(e, "clients"),
                              json_pack("{s:s, s:s, s:I, s:s}", "name", name, "version", version, "count",
                                        (json_int_t)client_count, "lastSeen", when));
    }
}

typedef struct st_report_t {
    json_t *map;
    json_t *list;
} report_t;

static void report_one(const char *coordinate, const char *reason, void *arg)
{
    report_t *r = arg;
    const char *date = bff_deprecation_removal_date(reason);
    json_t *e = json_object_get(r->map, coordinate);
    json_t *count = e ? json_incref(json_object_get(e, "count")) : json_integer(0);
    json_t *clients = e ? json_incref(json_object_get(e, "clients")) : json_array();
    json_t *item = json_pack("{s:s, s:s, s:o, s:o}", "coordinate", coordinate, "reason", reason ? reason : "", "count",
                             count, "clients", clients);
    json_object_set_new(item, "removalDate", date ? json_stringn(date, 10) : json_null());
    json_array_append_new(r->list, item);
}

void bff_usage_write_report(json_t *map, unsigned long long evicted, const char *source, const bff_schema_t *schema,
                            bff_buf_t *out)
{
    bff_arena_t *arena = bff_arena_new(0);
    report_t r = {map, json_array()};
    bff_deprecations_each(schema, arena, report_one, &r);
    json_t *doc = json_pack("{s:o, s:I, s:s}", "deprecations", r.list, "clientPairsEvicted", (json_int_t)evicted,
                            "source", source);
    char *text = json_dumps(doc, JSON_COMPACT);
    bff_buf_appends(out, text);
    free(text);
    json_decref(doc);
    bff_arena_free(arena);
}

void bff_usage_write_json(bff_usage_t *u, const bff_schema_t *schema, bff_buf_t *out)
{
    json_t *map = json_object();
    pthread_mutex_lock(&u->lock);
    for (element_t *e = u->elements; e != NULL; e = e->next) {
        bff_usage_map_add(map, e->coordinate, e->count, NULL, NULL, 0, 0);
        for (client_use_t *c = e->clients; c != NULL; c = c->next)
            bff_usage_map_add(map, e->coordinate, 0, c->name, c->version, c->count, c->last_seen);
    }
    unsigned long long evicted = u->evicted;
    pthread_mutex_unlock(&u->lock);
    bff_usage_write_report(map, evicted, "instance", schema, out);
    json_decref(map);
}
