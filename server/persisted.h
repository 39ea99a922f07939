/*
 * persisted.h - documents by hash: the trusted-documents manifest (Apollo's
 * persisted query manifest format, loaded at start) and automatic persisted
 * queries (APQ: documents clients registered by sending them with their
 * SHA-256 once; bounded by count and bytes, least recently used first out,
 * shared by the workers).
 */
#ifndef BFF_SERVER_PERSISTED_H
#define BFF_SERVER_PERSISTED_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"

typedef struct st_bff_persisted_t bff_persisted_t;

/*
 * `manifest_path` empty: no trusted documents. The file is
 * {"format": "apollo-persisted-query-manifest", "version": 1,
 *  "operations": [{"id": "<sha256 of body>", "body": "...", ...}]};
 * an id that is not the body's SHA-256 stops the boot.
 */
bff_persisted_t *bff_persisted_new(const char *manifest_path, size_t apq_max, size_t apq_max_bytes, char *err,
                                   size_t errlen);
void bff_persisted_free(bff_persisted_t *p);
/* SHA-256 of text as 64 lowercase hex digits into out[65]. */
void bff_sha256_hex(const char *text, size_t len, char out[65]);
/* The manifest's body for a hash, or NULL. */
const char *bff_persisted_trusted(const bff_persisted_t *p, const char *hash);
/* A registered APQ document (copied into the arena), or NULL. */
const char *bff_persisted_apq_get(bff_persisted_t *p, const char *hash, bff_arena_t *arena);
/* Registers a document the caller has checked (size, parse, validation, analysis); a repeat is a no-op. */
void bff_persisted_apq_put(bff_persisted_t *p, const char *hash, const char *text, size_t len);

#endif
