/*
 * admission.h - whether an operation may run, decided before any provider is
 * called: one analysis of the operation (graphql/analysis.h: complete or
 * refused), the caller's scopes on every (type, field) pair it selects, the
 * shape limits (depth, aliases, root fields), and the static cost from the
 * variables as execution will coerce them. No HTTP here: the GraphQL handler
 * (http_graphql.c) asks once and answers with the errors this gives; what is
 * paid for and remembered afterwards (budget, APQ, deprecation usage) is the
 * handler's.
 */
#ifndef BFF_SERVER_ADMISSION_H
#define BFF_SERVER_ADMISSION_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "graphql/analysis.h"
#include "graphql/doc.h"
#include "graphql/error.h"

typedef struct st_bff_admission_t {
    const bff_analysis_t *analysis; /* the operation's (kept with its document) */
    int64_t cost;                   /* the static cost the caller's budget pays */
    json_t *coerced;                /* the variables as execution coerces them (the arena disposes of them), or NULL */
    bff_gql_errors_t errors;        /* why not (codes: docs/errors.md), when refused */
} bff_admission_t;

/* The caller's scopes (@requiresScopes) and the arena its messages and values live in. */
typedef struct st_bff_caller_t {
    const char *const *scopes;
    size_t nscopes;
    bff_arena_t *arena;
} bff_caller_t;

/*
 * Admits operation `op` of `doc` with `variables` (an object or NULL) for the
 * caller: true with out->cost (and out->coerced when it has variables), or
 * false with out->errors. Variables that do not coerce are admitted at no
 * cost with out->coerced NULL: the executor reports them and runs nothing.
 */
bool bff_admit(const bff_schema_t *schema, const bff_config_t *cfg, bff_gql_doc_t *doc, const bff_ast_node_t *op,
               json_t *variables, const bff_caller_t *caller, bff_admission_t *out);

/*
 * The scope rule for one field, at admission and at execution alike: the
 * type it is selected on (an object type, or an interface a fragment names;
 * def NULL: the type itself), the field, and the type it returns must each be
 * satisfied. false with *message (the caller's arena) naming the missing scope.
 */
bool bff_caller_may(const bff_caller_t *caller, const bff_type_t *type, const bff_field_t *def, const char **message);

#endif
