/*
 * deprecations.h - deprecated schema elements. Which of them an operation
 * uses (bff_analyse_operation, analysis.h):
 * fields, arguments given, enum values and input fields written as
 * literals (values passed in variables are not looked into). Elements are
 * named by schema coordinates: "Type.field", "Type.field(arg:)",
 * "Enum.VALUE", "Input.field".
 */
#ifndef BFF_GRAPHQL_DEPRECATIONS_H
#define BFF_GRAPHQL_DEPRECATIONS_H

#include <stddef.h>

#include "base/arena.h"
#include "ast.h"
#include "schema.h"

typedef struct st_bff_deprecated_use_t {
    const char *coordinate; /* in the arena */
    const char *reason;     /* the schema's */
} bff_deprecated_use_t;

/* The removal date a deprecation reason gives: its first YYYY-MM-DD (10 characters from the result), or NULL. */
const char *bff_deprecation_removal_date(const char *reason);

typedef void (*bff_deprecated_fn)(const char *coordinate, const char *reason, void *arg);
/* Every deprecated element of the schema (user types), for reports of elements nobody used. */
void bff_deprecations_each(const bff_schema_t *schema, bff_arena_t *arena, bff_deprecated_fn fn, void *arg);

#endif
