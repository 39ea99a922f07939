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
#include <stddef.h>

typedef struct st_bff_json_error_t {
    size_t position;  /* byte offset of the error */
    char text[96];    /* what is wrong, e.g. "invalid UTF-8 in a string" */
} bff_json_error_t;

/* The value of `text` (a new reference), or NULL with *err filled (err may be NULL). */
json_t *bff_json_parse(const char *text, size_t len, bff_json_error_t *err);

#endif
