/*
 * deprecations.h - which deprecated schema elements an operation uses:
 * fields, arguments given, enum values and input fields written as
 * literals (values passed in variables are not looked into). Elements are
 * named by schema coordinates: "Type.field", "Type.field(arg:)",
 * "Enum.VALUE", "Input.field".
 */
#ifndef BFF_GRAPHQL_DEPRECATIONS_H
#define BFF_GRAPHQL_DEPRECATIONS_H

#include <stddef.h>

#include "arena.h"
#include "ast.h"
#include "schema.h"

typedef struct st_bff_deprecated_use_t {
    const char *coordinate; /* in the arena */
    const char *reason;     /* the schema's */
} bff_deprecated_use_t;

/* The distinct deprecated elements `op` uses, in first-use order; *n their number. */
bff_deprecated_use_t *bff_deprecations_used(const bff_schema_t *schema, const bff_ast_node_t *document,
                                            const bff_ast_node_t *op, bff_arena_t *arena, size_t *n);

/*
 * Calls fn for every field the operation selects (fragments followed, each
 * time they are spread), with the type it is selected on and its definition;
 * meta fields (__typename, __schema, __type) are left out.
 */
typedef void (*bff_field_fn)(const bff_type_t *type, const bff_field_t *def, const bff_ast_node_t *field, void *arg);
void bff_operation_each_field(const bff_schema_t *schema, const bff_ast_node_t *document, const bff_ast_node_t *op,
                              bff_field_fn fn, void *arg);

/* The removal date a deprecation reason gives: its first YYYY-MM-DD (10 characters from the result), or NULL. */
const char *bff_deprecation_removal_date(const char *reason);

typedef void (*bff_deprecated_fn)(const char *coordinate, const char *reason, void *arg);
/* Every deprecated element of the schema (user types), for reports of elements nobody used. */
void bff_deprecations_each(const bff_schema_t *schema, bff_arena_t *arena, bff_deprecated_fn fn, void *arg);

#endif
