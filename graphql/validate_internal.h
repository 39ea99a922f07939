/*
 * validate_internal.h - shared by the validation files: the walk's context,
 * error reporting, and the passes that live in their own files.
 *
 * One walk (validate.c) visits the document in source order, keeping what
 * graphql-js's TypeInfo keeps (parent type, field definition, expected input
 * type and its default), and calls the rules that apply at each node in
 * graphql-js's rule order. Rules that need the whole document (fragment
 * cycles, unused fragments, variable usage across fragments) run from the
 * walk's per-operation and per-document hooks.
 */
#ifndef BFF_GRAPHQL_VALIDATE_INTERNAL_H
#define BFF_GRAPHQL_VALIDATE_INTERNAL_H

#include "schema_internal.h"
#include "validate.h"

/* A variable used somewhere, with the input type expected there (NULL when unknown). */
typedef struct st_bff_var_usage_t {
    const bff_ast_node_t *node;
    const bff_typeref_t *type;
    bool has_location_default;
    const bff_type_t *one_of; /* the value of a field of this @oneOf input object, or NULL */
} bff_var_usage_t;

typedef struct st_bff_usages_t {
    bff_var_usage_t *items;
    size_t len, cap;
} bff_usages_t;

typedef struct st_bff_vctx_t {
    const bff_schema_t *schema;
    const bff_ast_node_t *doc;
    bff_arena_t *arena;
    bff_gql_errors_t *errs;
    size_t nerrors, max_errors;
    uint64_t skip;
    bool aborted;
    bff_names_t fragments;    /* name -> last definition (graphql-js getFragment) */
    bff_names_t usages;       /* operation or fragment node pointer as hex key -> bff_usages_t* */
    bff_names_t labels;       /* @defer/@stream labels seen -> their directive (DeferStreamDirectiveLabel) */
    bff_names_t deferless;    /* fragments found without @defer/@stream on a root (DeferStreamDirectiveOnRootField) */
    bff_usages_t *cur_usages; /* usages of the definition being walked */
    const bff_ast_node_t *cur_op;
} bff_vctx_t;

static inline bool bff_rule_on(const bff_vctx_t *v, bff_validation_rule_t rule)
{
    return (v->skip & (1ull << rule)) == 0;
}

/* Adds an error for `rule`; aborts the validation (longjmp) past max_errors. */
bff_gql_error_t *bff_vreport(bff_vctx_t *v, bff_validation_rule_t rule, const char *message);
bff_gql_error_t *bff_vreportf(bff_vctx_t *v, bff_validation_rule_t rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void bff_vloc(bff_vctx_t *v, bff_gql_error_t *e, bff_ast_loc_t loc);

/* Text helpers for messages (arena). */
const char *bff_vprint(bff_vctx_t *v, const bff_ast_node_t *node);
const char *bff_vtype_str(bff_vctx_t *v, const bff_typeref_t *t);

/* ValuesOfCorrectType and UniqueInputFieldNames over one value literal, expected `type` (may be NULL). */
void bff_validate_value(bff_vctx_t *v, const bff_ast_node_t *value, const bff_typeref_t *type, bool has_default);

/* OverlappingFieldsCanBeMerged for one selection set. */
typedef struct st_bff_overlap_t bff_overlap_t;
bff_overlap_t *bff_overlap_new(bff_vctx_t *v);
void bff_overlap_free(bff_overlap_t *o);
void bff_overlap_check(bff_overlap_t *o, const bff_ast_node_t *selection_set, const bff_type_t *parent_type);

/* The spreads of a selection set as graphql-js's getFragmentSpreads orders them. */
size_t bff_fragment_spreads(bff_vctx_t *v, const bff_ast_node_t *selection_set, const bff_ast_node_t ***out);
const bff_ast_node_t *bff_vfragment(bff_vctx_t *v, const char *name);
const bff_type_t *bff_vtype_from_ast(bff_vctx_t *v, const bff_ast_node_t *type_node);

#endif
