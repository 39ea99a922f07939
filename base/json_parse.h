/*
 * json_parse.h - a JSON reader that builds jansson values, for the hot paths
 * (provider answers, request bodies).
 *
 * It accepts what json_loadb(text, len, 0, ...) accepts and builds the same
 * values: an object or an array at the top, RFC 8259 grammar, strings valid
 * UTF-8 with no U+0000 (escaped or not), integers that fit json_int_t (else an
 * error, as jansson), reals that do not overflow, nesting up to
 * JSON_PARSER_MAX_DEPTH, the last of duplicate keys kept, nothing after the
 * value but whitespace; a NUL byte is refused wherever it is (jansson takes
 * one right after a number as the end of the text). tests/unit/test_json_parse.c checks it against
 * json_loadb on a corpus and on random mutations of it.
 *
 * Why not json_loadb: it reads through a per-character stream callback and a
 * growing buffer per token, about 200 instructions a byte on provider answers
 * (callgrind, bench/README.md); this reads the bytes in place and copies a
 * string only when it has escapes.
 */
#ifndef BFF_GRAPHQL_JSON_PARSE_H
#define BFF_GRAPHQL_JSON_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef struct st_bff_json_error_t {
    size_t position;  /* byte offset of the error */
    char text[96];    /* what is wrong, e.g. "invalid UTF-8 in a string" */
} bff_json_error_t;

/* The value of `text` (a new reference), or NULL with *err filled (err may be NULL). */
json_t *bff_json_parse(const char *text, size_t len, bff_json_error_t *err);

/* Whether bff_json_parse would accept `text`, without building anything; *err as there. */
bool bff_json_valid(const char *text, size_t len, bff_json_error_t *err);

/*
 * A pull reader over the same grammar, for answers read straight into C
 * types (adapters/): the caller walks the text (object, key, item, string,
 * integer, skip) and nothing is built. Every call checks what it reads; the
 * first error sticks (`failed`, `error`) and every later call returns false.
 * Strings (and keys) handed out point into the text or into the reader's
 * scratch: valid until the next call; copy what you keep. Depth is bounded
 * as in bff_json_parse. A caller reads the whole value, then asks
 * bff_json_pull_end.
 */
typedef struct st_bff_json_pull_t {
    const unsigned char *p, *start, *end;
    bff_json_error_t *err;
    bff_buf_t scratch;
    int depth;
    bool failed;
    bff_json_error_t error;
    unsigned char more[JSON_PARSER_MAX_DEPTH / 8 + 1]; /* bit per depth: a member or item was read there */
} bff_json_pull_t;

typedef enum en_bff_json_kind_t {
    BFF_JSON_NONE, /* the end, or an error */
    BFF_JSON_OBJECT,
    BFF_JSON_ARRAY,
    BFF_JSON_STRING,
    BFF_JSON_NUMBER,
    BFF_JSON_TRUE,
    BFF_JSON_FALSE,
    BFF_JSON_NULL,
} bff_json_kind_t;

void bff_json_pull_init(bff_json_pull_t *j, const char *text, size_t len);
void bff_json_pull_dispose(bff_json_pull_t *j);
/* What the next value is (by its first byte; nothing is consumed). */
bff_json_kind_t bff_json_pull_peek(bff_json_pull_t *j);
/* Enters an object; then bff_json_pull_key until it returns false (the '}' is consumed). */
bool bff_json_pull_object(bff_json_pull_t *j);
/* The next member's key and the ':' after it; false at the object's end or on an error. */
bool bff_json_pull_key(bff_json_pull_t *j, const char **key, size_t *len);
/* Enters an array; then bff_json_pull_item before each item until it returns false (the ']' is consumed). */
bool bff_json_pull_array(bff_json_pull_t *j);
bool bff_json_pull_item(bff_json_pull_t *j);
/* A string (decoded, valid UTF-8, no U+0000). */
bool bff_json_pull_string(bff_json_pull_t *j, const char **s, size_t *len);
/*
 * A number: 1 and *v for an integer literal (it must fit int64_t, as in
 * bff_json_parse), 0 for one with a fraction or an exponent, -1 on an
 * error. *real (may be NULL) gets the number as a double either way.
 */
int bff_json_pull_number(bff_json_pull_t *j, int64_t *v, double *real);
/* Any value, checked and passed over. */
bool bff_json_pull_skip(bff_json_pull_t *j);
/* Only whitespace is left and nothing failed. */
bool bff_json_pull_end(bff_json_pull_t *j);
/* Stops the reader with `why` at the current position (a shape the caller refuses); returns false. */
bool bff_json_pull_fail(bff_json_pull_t *j, const char *why);

#endif
