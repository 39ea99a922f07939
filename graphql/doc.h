/*
 * doc.h - prepared documents and the per-worker document cache.
 *
 * A prepared document is the parse and validation of one query text against
 * one schema: its AST, or the errors of the stage that failed. It is keyed by
 * a 64-bit hash of the text (and compared by text too, so a collision cannot
 * serve the wrong document). The cache is an LRU bounded by entry count and
 * by bytes (the memory its documents hold: AST, errors, text);
 * a worker thread owns its cache, so nothing here locks.
 *
 * Memory: a document owns one arena (AST and errors). Documents are reference
 * counted: bff_doccache_get returns one reference the caller gives back with
 * bff_gql_doc_release, so eviction never frees a document still in use.
 * `ext` / `ext_dispose` let later stages (cost analysis) cache their results
 * with the document.
 */
#ifndef BFF_GRAPHQL_DOC_H
#define BFF_GRAPHQL_DOC_H

#include <stdint.h>

#include "analysis.h"
#include "base/arena.h"
#include "ast.h"
#include "cost.h"
#include "deprecations.h"
#include "error.h"
#include "parser.h"
#include "schema.h"
#include "validate.h"

typedef enum en_bff_doc_stage_t { BFF_DOC_OK, BFF_DOC_PARSE_FAILED, BFF_DOC_VALIDATE_FAILED } bff_doc_stage_t;

typedef struct st_bff_gql_doc_t {
    bff_arena_t *arena;
    const bff_ast_node_t *root; /* NULL when parsing failed */
    bff_doc_stage_t stage;
    bff_gql_errors_t errors;
    uint64_t hash;
    char *text; /* the query text (heap copy owned by the document) */
    size_t text_len;
    size_t bytes; /* heap memory the document holds once prepared (what the cache's byte budget counts) */
    uint32_t refcount;
    void *ext;
    void (*ext_dispose)(void *ext);
    /*
     * The admission analysis of the last operation run (analysed_op), without
     * variables: its cost holds only for an operation that takes none.
     */
    const bff_ast_node_t *analysed_op;
    bff_analysis_t analysis;       /* lists in analysis_arena */
    bff_arena_t *analysis_arena;   /* reset when another operation is analysed: bounded by the schema's size */
} bff_gql_doc_t;

/*
 * The analysis of operation `op` (analysis.h) without variables: computed
 * once and kept on the document while the same operation runs. What depends
 * on neither the caller nor the variables (fields, shape, deprecations) holds
 * for every request; the cost only when `op` takes no variables.
 */
const bff_analysis_t *bff_gql_doc_analyse(bff_gql_doc_t *doc, const bff_schema_t *schema, const bff_ast_node_t *op,
                                          const bff_analysis_options_t *opts);

/* Parses and validates; returns a document with one reference. */
bff_gql_doc_t *bff_gql_doc_prepare(const bff_schema_t *schema, const char *text, size_t len,
                                   const bff_parse_options_t *popts, const bff_validate_options_t *vopts);
void bff_gql_doc_retain(bff_gql_doc_t *doc);
void bff_gql_doc_release(bff_gql_doc_t *doc);
uint64_t bff_gql_doc_hash(const char *text, size_t len);

typedef struct st_bff_doccache_t bff_doccache_t;

/* At most `capacity` documents holding at most `max_bytes` (0: no byte bound); a larger document is not kept. */
bff_doccache_t *bff_doccache_new(const bff_schema_t *schema, size_t capacity, size_t max_bytes,
                                 const bff_parse_options_t *popts, const bff_validate_options_t *vopts);
void bff_doccache_free(bff_doccache_t *cache);
/* The prepared document for `text`, from the cache or prepared now; one reference for the caller. */
bff_gql_doc_t *bff_doccache_get(bff_doccache_t *cache, const char *text, size_t len);
typedef struct st_bff_doccache_stats_t {
    uint64_t hits, misses, evictions, uncached;
    size_t entries, bytes;
} bff_doccache_stats_t;
bff_doccache_stats_t bff_doccache_stats(const bff_doccache_t *cache);

#endif
