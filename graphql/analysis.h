/*
 * analysis.h - one pass over an operation for everything admission decides
 * before execution: the fields it selects (for scopes), its shape (depth,
 * aliases, root fields), its static cost and the deprecated elements it uses.
 *
 * Linear in the document's size: every fragment definition the operation
 * reaches is walked once, and what a spread contributes (its depth, alias and
 * root-field counts, its cost in each list-size context) is memoised per
 * fragment, so a fan-out of spreads (`fragment A { ...B ...B }`, twenty
 * levels deep) costs one walk of each fragment, not 2^20. Counts that follow
 * spreads (aliases, cost) saturate instead of overflowing.
 *
 * Complete or refused: when a bound is reached (steps, nesting of fragment
 * spreads, a cycle in an unvalidated document) the result says so with a
 * status, and the caller refuses the request; nothing is left unchecked.
 *
 * Memory: lists in the result come from `arena`; the walk's own tables from
 * the heap, freed before returning.
 */
#ifndef BFF_GRAPHQL_ANALYSIS_H
#define BFF_GRAPHQL_ANALYSIS_H

#include <jansson.h>
#include <stdint.h>

#include "base/arena.h"
#include "ast.h"
#include "cost.h"
#include "deprecations.h"
#include "schema.h"

#define BFF_ANALYSIS_STATUSES(X)                                                                                          \
    X(OK, "ok")                                                                                                            \
    X(TOO_COMPLEX, "the operation needs more analysis steps than allowed")                                                \
    X(TOO_DEEP, "fragment spreads are nested deeper than allowed")                                                        \
    X(CYCLE, "a fragment spreads itself")

typedef enum en_bff_analysis_status_t {
#define BFF_ANALYSIS_ENUM(id, text) BFF_ANALYSIS_##id,
    BFF_ANALYSIS_STATUSES(BFF_ANALYSIS_ENUM)
#undef BFF_ANALYSIS_ENUM
} bff_analysis_status_t;

const char *bff_analysis_status_text(bff_analysis_status_t status);

/* A field the operation selects: the type it is selected on, its definition, its first node. */
typedef struct st_bff_field_use_t {
    const bff_type_t *type;
    const bff_field_t *def;
    const bff_ast_node_t *node;
} bff_field_use_t;

typedef struct st_bff_analysis_t {
    bff_analysis_status_t status;
    bff_op_shape_t shape;          /* counts saturate at UINT32_MAX */
    int64_t cost;                  /* saturates at BFF_COST_MAX */
    bff_field_use_t *fields;       /* distinct (type, field) pairs, meta fields left out */
    size_t nfields;
    bff_deprecated_use_t *deprecations; /* distinct, in first-use order */
    size_t ndeprecations;
    uint64_t steps; /* the work done: selections and values visited, memo hits included */
} bff_analysis_t;

typedef struct st_bff_analysis_options_t {
    bff_cost_options_t cost;
    uint64_t max_steps;          /* 0: 1,000,000 */
    uint32_t max_fragment_depth; /* spreads inside spreads; 0: 256 */
    bool cost_only;              /* leave out fields and deprecations (the per-request cost of a cached document) */
} bff_analysis_options_t;

/*
 * Analyses operation `op` of validated `document`. `variables` are the
 * operation's coerced variables (bff_gql_coerce_variables), or NULL: the cost
 * reads slicing arguments from them as execution will see them. Returns
 * out->status (0: BFF_ANALYSIS_OK).
 */
bff_analysis_status_t bff_analyse_operation(const bff_schema_t *schema, const bff_ast_node_t *document,
                                            const bff_ast_node_t *op, json_t *variables,
                                            const bff_analysis_options_t *opts, bff_arena_t *arena, bff_analysis_t *out);

#endif
