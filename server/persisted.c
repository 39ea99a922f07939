/*
 * persisted.c - trusted documents and APQ (see persisted.h).
 *
 * Trusted documents: a list loaded at start, never changed.
 * APQ registrations: a hash table of chains (fixed power-of-two bucket
 * array, keyed by the hash's first 16 hex digits) plus a recency list
 * (lru.h, most recently used first), under one mutex shared by the workers.
 * Invariants: apq_n <= apq_max and apq_bytes <= apq_max_bytes after every
 * put (apq_bytes counts each entry's body and record); a body larger than
 * apq_max_bytes is not registered.
 */
#include "persisted.h"

#include "base/lru.h"

#include <assert.h>
#include <jansson.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct st_doc_t {
    char hash[65];
    char *body;
    size_t bytes;              /* APQ: body and record, for the byte budget */
    struct st_doc_t *next;     /* trusted list / APQ bucket chain */
    bff_lru_link_t lru;        /* APQ recency */
} doc_t;

#define APQ_BUCKETS 4096

struct st_bff_persisted_t {
    doc_t *trusted;
    pthread_mutex_t lock;
    doc_t *apq[APQ_BUCKETS];
    bff_lru_t apq_lru;
    size_t apq_n, apq_max, apq_bytes, apq_max_bytes;
};

static size_t apq_bucket(const char *hash)
{
    uint64_t h = strtoull((char[17]){hash[0], hash[1], hash[2], hash[3], hash[4], hash[5], hash[6], hash[7], hash[8],
                                     hash[9], hash[10], hash[11], hash[12], hash[13], hash[14], hash[15], 0},
                          NULL, 16);
    return (size_t)(h & (APQ_BUCKETS - 1));
}

void bff_sha256_hex(const char *text, size_t len, char out[65])
{
    unsigned char h[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)text, len, h);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static void docs_free(doc_t *d)
{
    while (d != NULL) {
        doc_t *next = d->next;
        free(d->body);
        free(d);
        d = next;
    }
}

bff_persisted_t *bff_persisted_new(const char *manifest_path, size_t apq_max, size_t apq_max_bytes, char *err,
                                   size_t errlen)
{
    bff_persisted_t *p = bff_xcalloc(1, sizeof(*p));
    pthread_mutex_init(&p->lock, NULL);
    p->apq_max = apq_max;
    p->apq_max_bytes = apq_max_bytes;
    if (manifest_path == NULL || manifest_path[0] == '\0')
        return p;
    json_error_t jerr;
    json_t *m = json_load_file(manifest_path, 0, &jerr);
    json_t *ops = json_object_get(m, "operations");
    const char *bad = m == NULL ? jerr.text : !json_is_array(ops) ? "no \"operations\" list" : NULL;
    size_t i;
    json_t *op;
    json_array_foreach(ops, i, op)
    {
        const char *id = json_string_value(json_object_get(op, "id"));
        const char *body = json_string_value(json_object_get(op, "body"));
        char hash[65];
        if (bad != NULL)
            break;
        if (id == NULL || body == NULL) {
            bad = "an operation without \"id\" or \"body\"";
            break;
        }
        bff_sha256_hex(body, strlen(body), hash);
        if (strcmp(hash, id) != 0) {
            bad = "an operation whose id is not the SHA-256 of its body";
            break;
        }
        doc_t *d = bff_xcalloc(1, sizeof(*d));
        memcpy(d->hash, hash, sizeof(hash));
        d->body = bff_xstrdup(body);
        d->next = p->trusted;
        p->trusted = d;
    }
    json_decref(m);
    if (bad != NULL) {
        snprintf(err, errlen, "setting \"persisted_documents\": %s: %s", manifest_path, bad);
        bff_persisted_free(p);
        return NULL;
    }
    return p;
}

void bff_persisted_free(bff_persisted_t *p)
{
    if (p == NULL)
        return;
    docs_free(p->trusted);
    for (size_t i = 0; i < APQ_BUCKETS; ++i)
        docs_free(p->apq[i]);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

const char *bff_persisted_trusted(const bff_persisted_t *p, const char *hash)
{
    for (const doc_t *d = p->trusted; d != NULL; d = d->next)
        if (strcmp(d->hash, hash) == 0)
            return d->body;
    return NULL;
}

/* The APQ entry for a hash, with the lock held; NULL when none. */
static doc_t **apq_find(bff_persisted_t *p, const char *hash)
{
    doc_t **pp = &p->apq[apq_bucket(hash)];
    while (*pp != NULL && strcmp((*pp)->hash, hash) != 0)
        pp = &(*pp)->next;
    return *pp != NULL ? pp : NULL;
}

const char *bff_persisted_apq_get(bff_persisted_t *p, const char *hash, bff_arena_t *arena)
{
    const char *out = NULL;
    pthread_mutex_lock(&p->lock);
    doc_t **d = apq_find(p, hash);
    if (d != NULL) {
        bff_lru_touch(&p->apq_lru, &(*d)->lru);
        out = bff_arena_strdup(arena, (*d)->body);
    }
    pthread_mutex_unlock(&p->lock);
    return out;
}

static void apq_evict_oldest(bff_persisted_t *p)
{
    doc_t *old = BFF_LRU_ENTRY(p->apq_lru.tail, doc_t, lru);
    doc_t **pp = apq_find(p, old->hash);
    assert(pp != NULL && *pp == old);
    *pp = old->next;
    bff_lru_unlink(&p->apq_lru, &old->lru);
    p->apq_n--;
    p->apq_bytes -= old->bytes;
    old->next = NULL;
    docs_free(old);
}

void bff_persisted_apq_put(bff_persisted_t *p, const char *hash, const char *text, size_t len)
{
    size_t bytes = sizeof(doc_t) + len + 1;
    if (p->apq_max == 0 || bytes > p->apq_max_bytes)
        return;
    pthread_mutex_lock(&p->lock);
    if (apq_find(p, hash) == NULL) {
        while (p->apq_n > 0 && (p->apq_n >= p->apq_max || p->apq_bytes + bytes > p->apq_max_bytes))
            apq_evict_oldest(p); /* the least recently used registrations go */
        doc_t *d = bff_xcalloc(1, sizeof(*d));
        snprintf(d->hash, sizeof(d->hash), "%s", hash);
        d->body = bff_xmalloc(len + 1);
        memcpy(d->body, text, len);
        d->body[len] = '\0';
        d->bytes = bytes;
        size_t b = apq_bucket(hash);
        d->next = p->apq[b];
        p->apq[b] = d;
        bff_lru_push_front(&p->apq_lru, &d->lru);
        p->apq_n++;
        p->apq_bytes += bytes;
    }
    assert(p->apq_n <= p->apq_max && p->apq_bytes <= p->apq_max_bytes);
    pthread_mutex_unlock(&p->lock);
}
