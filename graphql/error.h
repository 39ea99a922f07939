/*
 * error.h - GraphQL errors as data: message, locations, path, extensions.code.
 *
 * Errors form a singly linked list in a bff_gql_errors_t, in the order they
 * were found. Every error, message and location belongs to the arena given
 * when it was added. `rule` is the graphql-js validation rule name (NULL for
 * syntax and execution errors); `code` is the extensions.code from
 * docs/errors.md (NULL when the error has none, e.g. plain field errors).
 */
#ifndef BFF_GRAPHQL_ERROR_H
#define BFF_GRAPHQL_ERROR_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "ast.h"
#include "base/buf.h"

typedef struct st_bff_gql_path_t {
    const struct st_bff_gql_path_t *prev; /* towards the root; NULL at the root field */
    const char *key;                      /* response key, or NULL for a list index */
    int64_t index;
} bff_gql_path_t;

typedef struct st_bff_gql_error_t {
    struct st_bff_gql_error_t *next;
    const char *message;
    bff_ast_loc_t *locations;
    uint32_t nlocations;
    const char *rule;
    const char *code;
    const bff_gql_path_t *path; /* execution errors only */
    const char *extensions_json; /* extra members of "extensions" as JSON object text, or NULL */
} bff_gql_error_t;

typedef struct st_bff_gql_errors_t {
    bff_gql_error_t *head;
    bff_gql_error_t *tail;
    size_t count;
} bff_gql_errors_t;

#define BFF_GQL_ERRORS_INIT {NULL, NULL, 0}

/* Appends a new error with a printf-formatted message; returns it so locations can be added. */
bff_gql_error_t *bff_gql_errors_addf(bff_gql_errors_t *errs, bff_arena_t *arena, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Appends an error with the message as given (copied). */
bff_gql_error_t *bff_gql_errors_add(bff_gql_errors_t *errs, bff_arena_t *arena, const char *rule, const char *message);
void bff_gql_error_add_loc(bff_gql_error_t *err, bff_arena_t *arena, bff_ast_loc_t loc);
/* Moves every error of `from` to the end of `to`. Both must share an arena lifetime. */
void bff_gql_errors_concat(bff_gql_errors_t *to, bff_gql_errors_t *from);
/*
 * Writes the errors as a JSON array in the spec's shape:
 * [{"message":..,"locations":[{"line":..,"column":..}],"path":[..],"extensions":{"code":..}}]
 * `locations`, `path` and `extensions` are left out when empty.
 */
void bff_gql_errors_write_json(bff_buf_t *out, const bff_gql_errors_t *errs);
/* A path's items, comma-separated, without the brackets (keys as JSON strings, indexes as numbers). */
void bff_gql_path_write(bff_buf_t *out, const bff_gql_path_t *p);
void bff_gql_error_write_json(bff_buf_t *out, const bff_gql_error_t *err);

#endif
