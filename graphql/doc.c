/*
 * doc.c - prepared documents and the per-worker LRU document cache.
 *
 * A prepared document (bff_gql_doc_t) is one query text parsed and validated
 * against one schema. It owns one arena (AST, errors) and a heap copy of the
 * text; it is reference counted and freed when the last reference goes.
 *
 * The cache is an open hash table of chains (bucket array, power of two,
 * chained through doccache_entry_t.hnext) plus a recency list (lru.h)
 * (most recently used at the head). Each entry holds one reference to its
 * document. Invariants:
 *   - every entry is in exactly one bucket chain and in the LRU list;
 *   - entries <= capacity and bytes <= max_bytes after every bff_doccache_get
 *     (bytes: the sum of the entries' bff_gql_doc_t.bytes; a document larger
 *     than max_bytes by itself is returned uncached);
 *   - failed documents (parse or validation errors) are cached like good
 *     ones, but at most `capacity / 4 + 1` of them, so a client sending
 *     garbage cannot flush the good documents; the oldest failed entry goes
 *     first when that bound is hit.
 * A lookup compares the 64-bit hash, then the length and bytes of the text,
 * so a hash collision can never serve the wrong document.
 *
 * Eviction drops only the cache's reference: a document still held by a
 * request lives on until that request releases it.
 *
 * Thread model: one cache per worker thread, no locks.
 */
#include "doc.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "base/lru.h"
#include "base/hash.h"

uint64_t bff_gql_doc_hash(const char *text, size_t len)
{
    /* FNV-1a followed by a 64-bit finaliser (from splitmix64): mixes well and is simple to verify */
    uint64_t h = bff_fnv1a(text, len);
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

static bff_gql_doc_t *doc_sized(bff_gql_doc_t *doc)
{
    doc->bytes = sizeof(*doc) + doc->text_len + 1 + bff_arena_footprint(doc->arena);
    return doc;
}

bff_gql_doc_t *bff_gql_doc_prepare(const bff_schema_t *schema, const char *text, size_t len,
                                   const bff_parse_options_t *popts, const bff_validate_options_t *vopts)
{
    bff_gql_doc_t *doc = bff_xcalloc(1, sizeof(*doc));
    doc->arena = bff_arena_new(0);
    doc->refcount = 1;
    doc->hash = bff_gql_doc_hash(text, len);
    doc->text = bff_xmalloc(len + 1);
    memcpy(doc->text, text, len);
    doc->text[len] = '\0';
    doc->text_len = len;
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    doc->errors = errs;
    bff_ast_node_t *root = bff_gql_parse(doc->arena, doc->text, len, popts, &doc->errors);
    if (root == NULL) {
        doc->stage = BFF_DOC_PARSE_FAILED;
        if (doc->errors.count == 0)
            bff_gql_errors_add(&doc->errors, doc->arena, NULL, "Syntax Error: the document could not be parsed.");
        for (bff_gql_error_t *e = doc->errors.head; e != NULL; e = e->next) /* the parser's limits have codes of their own */
            e->code = strstr(e->message, " tokens. Parsing aborted.")   ? "MAX_TOKENS_EXCEEDED"
                      : strstr(e->message, " levels. Parsing aborted.") ? "MAX_DEPTH_EXCEEDED"
                                                                         : "GRAPHQL_PARSE_FAILED";
        return doc_sized(doc);
    }
    doc->root = root;
    if (bff_gql_validate(schema, root, vopts, doc->arena, &doc->errors) != 0 || doc->errors.count != 0) {
        doc->stage = BFF_DOC_VALIDATE_FAILED;
        for (bff_gql_error_t *e = doc->errors.head; e != NULL; e = e->next)
            e->code = "GRAPHQL_VALIDATION_FAILED";
    } else {
        doc->stage = BFF_DOC_OK;
    }
    return doc_sized(doc);
}

void bff_gql_doc_retain(bff_gql_doc_t *doc)
{
    ++doc->refcount;
}

void bff_gql_doc_release(bff_gql_doc_t *doc)
{
    if (doc == NULL)
        return;
    if (--doc->refcount != 0)
        return;
    if (doc->ext_dispose != NULL)
        doc->ext_dispose(doc->ext);
    bff_arena_free(doc->arena);
    bff_arena_free(doc->analysis_arena);
    free(doc->text);
    free(doc);
}

/* ---- the cache ---- */

typedef struct st_doccache_entry_t {
    struct st_doccache_entry_t *hnext;             /* bucket chain */
    bff_lru_link_t lru;                             /* in the cache's recency list */
    bff_gql_doc_t *doc;                             /* one reference held by the cache */
} doccache_entry_t;

struct st_bff_doccache_t {
    const bff_schema_t *schema;
    bff_parse_options_t popts;
    bff_validate_options_t vopts;
    bool has_popts, has_vopts;
    size_t capacity;
    size_t max_bytes; /* 0: none */
    size_t max_failed;
    size_t nfailed;
    doccache_entry_t **buckets;
    size_t nbuckets; /* power of two, >= capacity */
    bff_lru_t lru; /* head = most recently used */
    bff_doccache_stats_t stats;
};

bff_doccache_t *bff_doccache_new(const bff_schema_t *schema, size_t capacity, size_t max_bytes,
                                 const bff_parse_options_t *popts, const bff_validate_options_t *vopts)
{
    bff_doccache_t *c = bff_xcalloc(1, sizeof(*c));
    c->max_bytes = max_bytes;
    c->schema = schema;
    if (popts != NULL) {
        c->popts = *popts;
        c->has_popts = true;
    }
    if (vopts != NULL) {
        c->vopts = *vopts;
        c->has_vopts = true;
    }
    c->capacity = capacity;
    c->max_failed = capacity / 4 + 1;
    c->nbuckets = 16;
    while (c->nbuckets < capacity)
        c->nbuckets <<= 1;
    c->buckets = bff_xcalloc(c->nbuckets, sizeof(*c->buckets));
    return c;
}

#define ENTRY(link) BFF_LRU_ENTRY(link, doccache_entry_t, lru)

static void entry_remove(bff_doccache_t *c, doccache_entry_t *e)
{
    doccache_entry_t **pp = &c->buckets[e->doc->hash & (c->nbuckets - 1)];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    bff_lru_unlink(&c->lru, &e->lru);
    if (e->doc->stage != BFF_DOC_OK)
        --c->nfailed;
    --c->stats.entries;
    c->stats.bytes -= e->doc->bytes;
    bff_gql_doc_release(e->doc);
    free(e);
}

void bff_doccache_free(bff_doccache_t *c)
{
    if (c == NULL)
        return;
    while (c->lru.head != NULL)
        entry_remove(c, ENTRY(c->lru.head));
    free(c->buckets);
    free(c);
}

/* The least recently used entry that is a failed document, or NULL. */
static doccache_entry_t *oldest_failed(bff_doccache_t *c)
{
    for (bff_lru_link_t *l = c->lru.tail; l != NULL; l = l->prev)
        if (ENTRY(l)->doc->stage != BFF_DOC_OK)
            return ENTRY(l);
    return NULL;
}

bff_gql_doc_t *bff_doccache_get(bff_doccache_t *c, const char *text, size_t len)
{
    uint64_t h = bff_gql_doc_hash(text, len);
    doccache_entry_t **bucket = &c->buckets[h & (c->nbuckets - 1)];
    for (doccache_entry_t *e = *bucket; e != NULL; e = e->hnext) {
        if (e->doc->hash == h && e->doc->text_len == len && memcmp(e->doc->text, text, len) == 0) {
            ++c->stats.hits;
            bff_lru_touch(&c->lru, &e->lru);
            bff_gql_doc_retain(e->doc);
            return e->doc;
        }
    }
    ++c->stats.misses;
    bff_gql_doc_t *doc = bff_gql_doc_prepare(c->schema, text, len, c->has_popts ? &c->popts : NULL,
                                             c->has_vopts ? &c->vopts : NULL);
    if (c->capacity == 0 || (c->max_bytes != 0 && doc->bytes > c->max_bytes)) {
        ++c->stats.uncached;
        return doc;
    }
    if (doc->stage != BFF_DOC_OK && c->nfailed >= c->max_failed) {
        doccache_entry_t *victim = oldest_failed(c);
        if (victim != NULL) {
            entry_remove(c, victim);
            ++c->stats.evictions;
        }
    }
    while ((c->stats.entries >= c->capacity || (c->max_bytes != 0 && c->stats.bytes + doc->bytes > c->max_bytes)) &&
           c->lru.tail != NULL) {
        entry_remove(c, ENTRY(c->lru.tail));
        ++c->stats.evictions;
    }
    doccache_entry_t *e = bff_xcalloc(1, sizeof(*e));
    e->doc = doc;
    bff_gql_doc_retain(doc); /* the cache's reference; the caller keeps the one from prepare */
    bucket = &c->buckets[h & (c->nbuckets - 1)];
    e->hnext = *bucket;
    *bucket = e;
    bff_lru_push_front(&c->lru, &e->lru);
    if (doc->stage != BFF_DOC_OK)
        ++c->nfailed;
    ++c->stats.entries;
    c->stats.bytes += doc->bytes;
    assert(c->stats.entries <= c->capacity && (c->max_bytes == 0 || c->stats.bytes <= c->max_bytes));
    return doc;
}

bff_doccache_stats_t bff_doccache_stats(const bff_doccache_t *c)
{
    return c->stats;
}

const bff_analysis_t *bff_gql_doc_analyse(bff_gql_doc_t *doc, const bff_schema_t *schema, const bff_ast_node_t *op,
                                          const bff_analysis_options_t *opts)
{
    if (doc->analysed_op != op) {
        if (doc->analysis_arena == NULL)
            doc->analysis_arena = bff_arena_new(2048);
        else
            bff_arena_reset(doc->analysis_arena); /* nothing outlives admission of the request that asked */
        bff_analyse_operation(schema, doc->root, op, NULL, opts, doc->analysis_arena, &doc->analysis);
        doc->analysed_op = op;
    }
    return &doc->analysis;
}
