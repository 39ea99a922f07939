/*
 * validate.h - the validation rules of spec section 5, named as graphql-js
 * names them so differential tests can compare rule sets.
 *
 * Errors are appended to `errs`, allocated from `arena`, in the order
 * graphql-js would report them as far as practical; each carries its rule name.
 */
#ifndef BFF_GRAPHQL_VALIDATE_H
#define BFF_GRAPHQL_VALIDATE_H

#include "base/arena.h"
#include "ast.h"
#include "error.h"
#include "schema.h"

/* X(ENUM_SUFFIX, "graphql-js rule name") - graphql-js 16's specifiedRules in its order, with the September 2025 spec's
   KnownOperationTypes and the incremental delivery RFC's @defer/@stream rules where graphql-js 17 puts them. */
#define BFF_VALIDATION_RULES(X)                                                                                            \
    X(EXECUTABLE_DEFINITIONS, "ExecutableDefinitionsRule")                                                                 \
    X(KNOWN_OPERATION_TYPES, "KnownOperationTypesRule") /* September 2025 (graphql-js 17's name) */                      \
    X(UNIQUE_OPERATION_NAMES, "UniqueOperationNamesRule")                                                                  \
    X(LONE_ANONYMOUS_OPERATION, "LoneAnonymousOperationRule")                                                              \
    X(SINGLE_FIELD_SUBSCRIPTIONS, "SingleFieldSubscriptionsRule")                                                          \
    X(KNOWN_TYPE_NAMES, "KnownTypeNamesRule")                                                                              \
    X(FRAGMENTS_ON_COMPOSITE_TYPES, "FragmentsOnCompositeTypesRule")                                                       \
    X(VARIABLES_ARE_INPUT_TYPES, "VariablesAreInputTypesRule")                                                             \
    X(SCALAR_LEAFS, "ScalarLeafsRule")                                                                                     \
    X(FIELDS_ON_CORRECT_TYPE, "FieldsOnCorrectTypeRule")                                                                   \
    X(UNIQUE_FRAGMENT_NAMES, "UniqueFragmentNamesRule")                                                                    \
    X(KNOWN_FRAGMENT_NAMES, "KnownFragmentNamesRule")                                                                      \
    X(NO_UNUSED_FRAGMENTS, "NoUnusedFragmentsRule")                                                                        \
    X(POSSIBLE_FRAGMENT_SPREADS, "PossibleFragmentSpreadsRule")                                                            \
    X(NO_FRAGMENT_CYCLES, "NoFragmentCyclesRule")                                                                          \
    X(UNIQUE_VARIABLE_NAMES, "UniqueVariableNamesRule")                                                                    \
    X(NO_UNDEFINED_VARIABLES, "NoUndefinedVariablesRule")                                                                  \
    X(NO_UNUSED_VARIABLES, "NoUnusedVariablesRule")                                                                        \
    X(KNOWN_DIRECTIVES, "KnownDirectivesRule")                                                                             \
    X(UNIQUE_DIRECTIVES_PER_LOCATION, "UniqueDirectivesPerLocationRule")                                                   \
    X(DEFER_STREAM_ON_ROOT_FIELD, "DeferStreamDirectiveOnRootFieldRule") /* @defer/@stream: graphql-js 17's */          \
    X(DEFER_STREAM_LABEL, "DeferStreamDirectiveLabelRule")                                                                 \
    X(STREAM_ON_LIST_FIELD, "StreamDirectiveOnListFieldRule")                                                              \
    X(KNOWN_ARGUMENT_NAMES, "KnownArgumentNamesRule")                                                                      \
    X(UNIQUE_ARGUMENT_NAMES, "UniqueArgumentNamesRule")                                                                    \
    X(VALUES_OF_CORRECT_TYPE, "ValuesOfCorrectTypeRule")                                                                   \
    X(PROVIDED_REQUIRED_ARGUMENTS, "ProvidedRequiredArgumentsRule")                                                        \
    X(VARIABLES_IN_ALLOWED_POSITION, "VariablesInAllowedPositionRule")                                                     \
    X(OVERLAPPING_FIELDS_CAN_BE_MERGED, "OverlappingFieldsCanBeMergedRule")                                                \
    X(UNIQUE_INPUT_FIELD_NAMES, "UniqueInputFieldNamesRule")                                                               \
    X(MAX_INTROSPECTION_DEPTH, "MaxIntrospectionDepthRule")

typedef enum en_bff_validation_rule_t {
#define BFF_RULE_ENUM(id, js) BFF_RULE_##id,
    BFF_VALIDATION_RULES(BFF_RULE_ENUM)
#undef BFF_RULE_ENUM
        BFF_RULE_COUNT
} bff_validation_rule_t;

const char *bff_validation_rule_name(bff_validation_rule_t rule);

typedef struct st_bff_validate_options_t {
    size_t max_errors;   /* 0: 100, as graphql-js; then "Too many validation errors, error limit reached. Validation aborted." */
    uint64_t skip_rules; /* bit (1 << rule) set: that rule does not run */
} bff_validate_options_t;

/* Returns the number of errors appended (0: the document is valid). `opts` may be NULL. */
size_t bff_gql_validate(const bff_schema_t *schema, const bff_ast_node_t *document, const bff_validate_options_t *opts,
                        bff_arena_t *arena, bff_gql_errors_t *errs);

#endif
