/*
 * clients.c - API keys, tiers and cost budgets (see clients.h).
 */
#include "clients.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "graphql/schema.h"
#include "base/hash.h"

typedef struct st_key_t {
    unsigned char hash[SHA256_DIGEST_LENGTH];
    bff_client_t client;
} apikey_t;

typedef struct st_bucket_t {
    char *key;
    double level; /* points available */
    uint64_t at_ms;
    struct st_bucket_t *next;
} bucket_t;

#define BUCKET_SLOTS 4096

struct st_bff_clients_t {
    bff_arena_t *arena;
    apikey_t *keys;
    size_t nkeys;
    bff_tier_t *tiers;
    size_t ntiers;
    pthread_mutex_t lock;
    bucket_t *buckets[BUCKET_SLOTS];
    size_t nbuckets;
};

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static bff_clients_t *fail(bff_clients_t *c, char *err, size_t errlen, const char *what, const char *name)
{
    snprintf(err, errlen, "%s%s%s", what, name ? ": " : "", name ? name : "");
    bff_clients_free(c);
    return NULL;
}

static const bff_tier_t *find_tier(const bff_clients_t *c, const char *name)
{
    for (size_t i = 0; i < c->ntiers; ++i)
        if (strcmp(c->tiers[i].name, name) == 0)
            return &c->tiers[i];
    return NULL;
}

bff_clients_t *bff_clients_new(const char *api_keys_json, const char *tiers_json, char *err, size_t errlen)
{
    bff_clients_t *c = bff_xcalloc(1, sizeof(*c));
    c->arena = bff_arena_new(0);
    pthread_mutex_init(&c->lock, NULL);
    /* tiers: defaults, then the setting */
    static const bff_tier_t defaults[] = {
        {"anonymous", 1000, 50}, {"storefront", 2000, 100}, {"partner", 5000, 250}, {"partner-premium", 20000, 1000}};
    json_error_t jerr;
    json_t *tiers = json_loads(tiers_json ? tiers_json : "{}", JSON_REJECT_DUPLICATES, &jerr);
    size_t ndefaults = sizeof(defaults) / sizeof(defaults[0]);
    c->tiers = bff_arena_calloc(c->arena, ndefaults + json_object_size(tiers) + 1, sizeof(*c->tiers));
    memcpy(c->tiers, defaults, sizeof(defaults));
    c->ntiers = ndefaults;
    const char *name;
    json_t *v;
    if (!json_is_object(tiers)) {
        json_decref(tiers);
        return fail(c, err, errlen, "setting \"tiers\" must be an object of tier name -> {bucket, restore_per_second}", NULL);
    }
    json_object_foreach(tiers, name, v)
    {
        json_t *b = json_object_get(v, "bucket"), *r = json_object_get(v, "restore_per_second");
        if (!json_is_number(b) || !json_is_number(r) || json_number_value(b) < 1 || json_number_value(r) < 0 ||
            json_object_size(v) != 2) {
            const char *bad = bff_arena_strdup(c->arena, name);
            json_decref(tiers);
            return fail(c, err, errlen, "setting \"tiers\": each tier is {\"bucket\" >= 1, \"restore_per_second\" >= 0}", bad);
        }
        bff_tier_t *t = (bff_tier_t *)find_tier(c, name);
        if (t == NULL)
            t = &c->tiers[c->ntiers++];
        *t = (bff_tier_t){bff_arena_strdup(c->arena, name), json_number_value(b), json_number_value(r)};
    }
    json_decref(tiers);
    /* keys: {"<sha256 hex>": {"client", "channel", "tier", "scopes"}} */
    json_t *keys = json_loads(api_keys_json ? api_keys_json : "{}", JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(keys)) {
        json_decref(keys);
        return fail(c, err, errlen, "setting \"api_keys\" must be an object of sha256 hex -> client", NULL);
    }
    c->keys = bff_arena_calloc(c->arena, json_object_size(keys) + 1, sizeof(*c->keys));
    json_object_foreach(keys, name, v)
    {
        apikey_t *k = &c->keys[c->nkeys];
        const char *bad = NULL;
        if (strlen(name) != 2 * SHA256_DIGEST_LENGTH)
            bad = "an api_keys entry is not named by a SHA-256 hash (64 hex digits)";
        for (size_t i = 0; bad == NULL && i < SHA256_DIGEST_LENGTH; ++i) {
            int hi = hex_digit(name[2 * i]), lo = hex_digit(name[2 * i + 1]);
            if (hi < 0 || lo < 0)
                bad = "an api_keys entry is not named by a SHA-256 hash (64 hex digits)";
            else
                k->hash[i] = (unsigned char)(hi << 4 | lo);
        }
        const char *client = json_string_value(json_object_get(v, "client"));
        const char *channel = json_string_value(json_object_get(v, "channel"));
        const char *tier = json_string_value(json_object_get(v, "tier"));
        json_t *scopes = json_object_get(v, "scopes");
        if (bad == NULL && (client == NULL || channel == NULL || tier == NULL || (scopes && !json_is_array(scopes))))
            bad = "an api_keys entry needs \"client\", \"channel\", \"tier\" and may have \"scopes\" (a list)";
        if (bad == NULL && strcmp(channel, "web") != 0 && strcmp(channel, "mobile") != 0 && strcmp(channel, "partner") != 0)
            bad = "an api_keys channel is web, mobile or partner";
        if (bad == NULL && (k->client.tier = find_tier(c, tier)) == NULL)
            bad = "an api_keys entry names an unknown tier";
        if (bad != NULL) {
            const char *who = client ? bff_arena_strdup(c->arena, client) : NULL;
            json_decref(keys);
            return fail(c, err, errlen, bad, who);
        }
        k->client.trusted_documents_only = json_is_true(json_object_get(v, "trusted_documents_only"));
        k->client.id = bff_arena_strdup(c->arena, client);
        k->client.channel = bff_arena_strdup(c->arena, channel);
        k->client.scopes = bff_arena_calloc(c->arena, json_array_size(scopes) + 1, sizeof(char *));
        size_t i;
        json_t *s;
        json_array_foreach(scopes, i, s) if (json_is_string(s)) k->client.scopes[k->client.nscopes++] =
            bff_arena_strdup(c->arena, json_string_value(s));
        c->nkeys++;
    }
    json_decref(keys);
    return c;
}

void bff_clients_free(bff_clients_t *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < BUCKET_SLOTS; ++i)
        for (bucket_t *b = c->buckets[i], *next; b != NULL; b = next) {
            next = b->next;
            free(b->key);
            free(b);
        }
    pthread_mutex_destroy(&c->lock);
    bff_arena_free(c->arena);
    free(c);
}

const bff_client_t *bff_clients_find(const bff_clients_t *c, const char *key, size_t len)
{
    unsigned char h[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)key, len, h);
    const bff_client_t *found = NULL;
    for (size_t i = 0; i < c->nkeys; ++i) /* every entry, in constant time each: no early exit */
        if (CRYPTO_memcmp(h, c->keys[i].hash, sizeof(h)) == 0)
            found = &c->keys[i].client;
    return found;
}

const bff_tier_t *bff_clients_anonymous(const bff_clients_t *c)
{
    return find_tier(c, "anonymous");
}

static bucket_t *bucket_of(bff_clients_t *c, const char *key, const bff_tier_t *tier, uint64_t now_ms)
{
    uint64_t h = bff_fnv1a_str(key);
    bucket_t **slot = &c->buckets[h % BUCKET_SLOTS];
    for (bucket_t *b = *slot; b != NULL; b = b->next)
        if (strcmp(b->key, key) == 0) {
            double level = b->level + (double)(now_ms - b->at_ms) / 1000.0 * tier->restore_per_second;
            b->level = level > tier->bucket ? tier->bucket : level;
            b->at_ms = now_ms;
            return b;
        }
    bucket_t *b = bff_xcalloc(1, sizeof(*b));
    b->key = bff_xstrdup(key);
    b->level = tier->bucket;
    b->at_ms = now_ms;
    b->next = *slot;
    *slot = b;
    c->nbuckets++;
    return b;
}

bff_budget_t bff_clients_take(bff_clients_t *c, const char *key, const bff_tier_t *tier, double cost, uint64_t now_ms)
{
    pthread_mutex_lock(&c->lock);
    bucket_t *b = bucket_of(c, key, tier, now_ms);
    bff_budget_t out = {cost <= b->level, b->level, 0};
    if (out.allowed) {
        b->level -= cost;
        out.available = b->level;
    } else {
        out.retry_after = tier->restore_per_second > 0 ? (cost - b->level) / tier->restore_per_second : 3600;
    }
    pthread_mutex_unlock(&c->lock);
    return out;
}

double bff_clients_give_back(bff_clients_t *c, const char *key, const bff_tier_t *tier, double points, uint64_t now_ms)
{
    pthread_mutex_lock(&c->lock);
    bucket_t *b = bucket_of(c, key, tier, now_ms);
    b->level += points;
    if (b->level > tier->bucket)
        b->level = tier->bucket;
    double level = b->level;
    pthread_mutex_unlock(&c->lock);
    return level;
}

bool bff_scopes_satisfy(const bff_ast_list_t *directives, const char *const *scopes, size_t n, const char **missing)
{
    const bff_ast_node_t *d = bff_ast_find_directive(directives, "requiresScopes");
    const bff_ast_node_t *list = d ? bff_ast_directive_arg(d, "scopes") : NULL;
    for (uint32_t i = 0; list != NULL && i < list->values.len; ++i) {
        const bff_ast_node_t *want = list->values.items[i];
        bool have = false;
        for (size_t k = 0; k < n && !have; ++k)
            have = strlen(scopes[k]) == want->text_len && memcmp(scopes[k], want->text, want->text_len) == 0;
        if (!have) {
            *missing = want->text;
            return false;
        }
    }
    return true;
}
