/*
 * cost.h - static query cost, after the GraphQL Cost Directives
 * specification (IBM; Apollo's demand control uses the same directives):
 *
 *   directive @cost(weight: String!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION
 *       | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
 *   directive @listSize(assumedSize: Int, slicingArguments: [String!],
 *       sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
 *
 * The cost of a field is its own @cost weight (default 0), plus the weights of
 * the arguments given that have one, plus its size times (its type's weight
 * plus the cost of its selections). A type weighs its @cost, else 1 for
 * objects, interfaces and unions and 0 for scalars and enums. The size of a
 * list is its largest slicing argument given (or that argument's default),
 * else its @listSize assumedSize, else default_list_size; other fields have
 * size 1. With sizedFields, the size multiplies those child fields instead
 * (connections: `first` sizes `edges`). Fragments on the same selection are
 * all counted (an upper bound for abstract types). Each root mutation field
 * (fragments at the root included) adds mutation_cost. Slicing arguments are
 * read from the coerced variables, as execution reads them.
 */
#ifndef BFF_GRAPHQL_COST_H
#define BFF_GRAPHQL_COST_H

#include <jansson.h>
#include <stdint.h>

#include "ast.h"
#include "exec.h"
#include "schema.h"

typedef struct st_bff_cost_options_t {
    int64_t default_list_size; /* 0: 10 */
    int64_t mutation_cost;     /* per root mutation field; 0: 10 */
} bff_cost_options_t;

/* The shape of an operation, for limits: field depth, aliases and root fields (fragments followed). */
typedef struct st_bff_op_shape_t {
    uint32_t depth, aliases, root_fields;
} bff_op_shape_t;

#define BFF_COST_MAX (INT64_MAX / 4)

/*
 * The static cost of operation `op` of a validated document, with its coerced
 * variables (may be NULL); saturates at BFF_COST_MAX, and is BFF_COST_MAX
 * when the analysis refuses the document (analysis.h). A wrapper of
 * bff_analyse_operation for tools.
 */
int64_t bff_cost_estimate(const bff_schema_t *schema, const bff_ast_node_t *document, const bff_ast_node_t *op,
                          json_t *variables, const bff_cost_options_t *opts);

/* The model's parts, for the analysis (analysis.c): saturating arithmetic on costs >= 0, weights and sizes. */
int64_t bff_cost_add(int64_t a, int64_t b);
int64_t bff_cost_mul(int64_t a, int64_t b);
int64_t bff_cost_type_weight(const bff_type_t *type);
int64_t bff_cost_field_weight(const bff_field_t *def, const bff_ast_node_t *node);
int64_t bff_cost_list_size(const bff_field_t *def, const bff_ast_node_t *field, const bff_ast_node_t *op,
                           json_t *variables, int64_t default_list_size);
/* @listSize(sizedFields:) of a field (a list value node), or NULL. */
const bff_ast_node_t *bff_cost_sized_fields(const bff_field_t *def);
bool bff_cost_in_list(const bff_ast_node_t *list, const char *name);

/*
 * The actual cost of a finished execution, from its result tree: the same
 * weights, with the lists' real lengths (a null field costs its own weight
 * only; what null propagation removed is not counted), objects weighed by
 * their runtime type. No JSON is read.
 */
int64_t bff_cost_actual(const bff_schema_t *schema, const bff_exec_t *x, const bff_cost_options_t *opts);

#endif
