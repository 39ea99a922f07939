/*
 * lexer.h - GraphQL tokens (internal to the parser).
 *
 * The lexer reads UTF-8 bytes and produces one token at a time. Tokens point
 * into the source (start/end byte offsets); string tokens also carry their
 * decoded value, allocated in the parser's arena. Lexical errors are raised
 * through the callback the parser installs (it longjmps), with graphql-js's
 * messages.
 */
#ifndef BFF_GRAPHQL_LEXER_H
#define BFF_GRAPHQL_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

#define BFF_TOKEN_KINDS(X)                                                                                                 \
    X(SOF, "<SOF>", 0)                                                                                                     \
    X(EOF, "<EOF>", 0)                                                                                                     \
    X(BANG, "!", 1)                                                                                                        \
    X(DOLLAR, "$", 1)                                                                                                      \
    X(AMP, "&", 1)                                                                                                         \
    X(PAREN_L, "(", 1)                                                                                                     \
    X(PAREN_R, ")", 1)                                                                                                     \
    X(SPREAD, "...", 1)                                                                                                    \
    X(COLON, ":", 1)                                                                                                       \
    X(EQUALS, "=", 1)                                                                                                      \
    X(AT, "@", 1)                                                                                                          \
    X(BRACKET_L, "[", 1)                                                                                                   \
    X(BRACKET_R, "]", 1)                                                                                                   \
    X(BRACE_L, "{", 1)                                                                                                     \
    X(PIPE, "|", 1)                                                                                                        \
    X(BRACE_R, "}", 1)                                                                                                     \
    X(NAME, "Name", 0)                                                                                                     \
    X(INT, "Int", 0)                                                                                                       \
    X(FLOAT, "Float", 0)                                                                                                   \
    X(STRING, "String", 0)                                                                                                 \
    X(BLOCK_STRING, "BlockString", 0)

typedef enum en_bff_token_kind_t {
#define BFF_TOKEN_ENUM(id, desc, punct) BFF_TOK_##id,
    BFF_TOKEN_KINDS(BFF_TOKEN_ENUM)
#undef BFF_TOKEN_ENUM
} bff_token_kind_t;

typedef struct st_bff_token_t {
    bff_token_kind_t kind;
    uint32_t start, end; /* byte offsets */
    uint32_t line, column;
    const char *value; /* decoded value of STRING/BLOCK_STRING (arena), else NULL */
    size_t value_len;
} bff_token_t;

typedef struct st_bff_lexer_t {
    const char *src;
    size_t len;
    size_t pos;        /* next byte to read */
    uint32_t line;     /* line of `pos` */
    size_t line_start; /* offset where that line starts */
    /* column cache: UTF-16 column of byte offset col_pos on the current line */
    size_t col_pos;
    uint32_t col;
    /* the bytes since col_pos may hold non-ASCII (a string or comment was read since): columns are counted */
    bool gap_unicode;
    bff_arena_t *arena;
    /* raises a syntax error at a byte offset; never returns */
    void (*fail)(void *ctx, size_t offset, const char *message) __attribute__((noreturn));
    void *fail_ctx;
} bff_lexer_t;

void bff_lexer_init(bff_lexer_t *lx, const char *src, size_t len, bff_arena_t *arena);
/* Reads the next significant token (comments and ignored tokens skipped). */
void bff_lexer_next(bff_lexer_t *lx, bff_token_t *tok);
/* "Name", "\"{\"", "<EOF>" */
const char *bff_token_kind_desc(bff_token_kind_t kind);
/* getTokenDesc: kind description plus the value for names, numbers and strings, into arena memory. */
const char *bff_token_desc(bff_arena_t *arena, const bff_lexer_t *lx, const bff_token_t *tok);
/* Line and UTF-16 column of a byte offset (slow path for error positions). */
void bff_lexer_position(const char *src, size_t len, size_t offset, uint32_t *line, uint32_t *column);

#endif
