/*
 * persisted.c - trusted documents and APQ (see persisted.h).
 */
#include "persisted.h"

#include <jansson.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct st_doc_t {
    char hash[65];
    char *body;
    struct st_doc_t *next;
} doc_t;

struct st_bff_persisted_t {
    doc_t *trusted;
    pthread_mutex_t lock;
    doc_t *apq, **apq_tail; /* oldest first */
    size_t apq_n, apq_max;
};

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

bff_persisted_t *bff_persisted_new(const char *manifest_path, size_t apq_max, char *err, size_t errlen)
{
    bff_persisted_t *p = bff_xcalloc(1, sizeof(*p));
    pthread_mutex_init(&p->lock, NULL);
    p->apq_tail = &p->apq;
    p->apq_max = apq_max;
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
    docs_free(p->apq);
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

const char *bff_persisted_apq_get(bff_persisted_t *p, const char *hash, bff_arena_t *arena)
{
    const char *out = NULL;
    pthread_mutex_lock(&p->lock);
    for (const doc_t *d = p->apq; d != NULL && out == NULL; d = d->next)
        if (strcmp(d->hash, hash) == 0)
            out = bff_arena_strdup(arena, d->body);
    pthread_mutex_unlock(&p->lock);
    return out;
}

void bff_persisted_apq_put(bff_persisted_t *p, const char *hash, const char *text, size_t len)
{
    pthread_mutex_lock(&p->lock);
    bool known = false;
    for (const doc_t *d = p->apq; d != NULL && !known; d = d->next)
        known = strcmp(d->hash, hash) == 0;
    if (!known && p->apq_max > 0) {
        if (p->apq_n == p->apq_max) { /* the oldest registration goes */
            doc_t *old = p->apq;
            p->apq = old->next;
            if (p->apq == NULL)
                p->apq_tail = &p->apq;
            old->next = NULL;
            docs_free(old);
            p->apq_n--;
        }
        doc_t *d = bff_xcalloc(1, sizeof(*d));
        snprintf(d->hash, sizeof(d->hash), "%s", hash);
        d->body = bff_xmalloc(len + 1);
        memcpy(d->body, text, len);
        d->body[len] = '\0';
        *p->apq_tail = d;
        p->apq_tail = &d->next;
        p->apq_n++;
    }
    pthread_mutex_unlock(&p->lock);
}
