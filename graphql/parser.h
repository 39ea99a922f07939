/*
 * parser.h - lexer and recursive-descent parser for the whole GraphQL
 * language as graphql-js 16 accepts it (executable documents and SDL).
 *
 * The tree and every error belong to the arena passed in; the source text is
 * not referenced after the call returns. Hostile input is bounded by
 * max_tokens and max_depth: exceeding either is a syntax error, never a crash
 * or unbounded allocation.
 */
#ifndef BFF_GRAPHQL_PARSER_H
#define BFF_GRAPHQL_PARSER_H

#include "base/arena.h"
#include "ast.h"
#include "error.h"

typedef struct st_bff_parse_options_t {
    size_t max_tokens; /* 0: unlimited (SDL files); the server sets a limit */
    size_t max_depth;  /* nesting of selection sets, values and types; 0: default 256 */
} bff_parse_options_t;

/*
 * Parses `src[0..len)`. Returns the DOCUMENT node, or NULL after appending one
 * error to `errs` whose message is graphql-js's ("Syntax Error: Expected Name,
 * found <EOF>.") with its location. `opts` may be NULL.
 */
bff_ast_node_t *bff_gql_parse(bff_arena_t *arena, const char *src, size_t len, const bff_parse_options_t *opts,
                              bff_gql_errors_t *errs);

/* Number of tokens the last successful parse of a document saw is not kept; this counts them (for cost limits). */
size_t bff_gql_count_tokens(const char *src, size_t len);

/*
 * Prints an AST value node (no variables resolved) as GraphQL source, the way
 * graphql-js's print() does: used in error messages and introspection
 * defaultValue.
 */
void bff_gql_print_value(bff_buf_t *out, const bff_ast_node_t *value);
/* Prints a type node ("[Int!]!"). */
void bff_gql_print_type(bff_buf_t *out, const bff_ast_node_t *type);
/*
 * Prints any node (a whole document included) as graphql-js's print() does;
 * the string belongs to `arena` and is NUL-terminated, but a block string
 * value may itself contain NUL bytes: `len` (may be NULL) gets the length.
 */
char *bff_gql_print(bff_arena_t *arena, const bff_ast_node_t *node, size_t *len);
/* graphql-js printString: a quoted string with JSON-like escapes. */
void bff_gql_print_string(bff_buf_t *out, const char *s, size_t len);
/* graphql-js printBlockString (descriptions, block string values). */
void bff_gql_print_block_string(bff_buf_t *out, const char *s, size_t len, bool minimize);

#endif
