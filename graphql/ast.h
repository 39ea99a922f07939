/*
 * ast.h - the GraphQL syntax tree, executable documents and SDL alike.
 *
 * Every node is one struct, bff_ast_node_t; `kind` says which members are in
 * use (the table below). Node kinds are one X-macro table, BFF_AST_KINDS, from
 * which the enum and the graphql-js kind names are generated; generic walks
 * use bff_ast_children() instead of a switch per visitor.
 *
 * Memory: every node, list and string belongs to the arena the parser was
 * given; the tree is immutable after parsing and lives as long as that arena.
 * Strings are NUL-terminated (names cannot hold NUL; string values can, so
 * they also carry `text_len`).
 *
 * Members used per kind (others are zero):
 *   DOCUMENT              definitions
 *   OPERATION_DEFINITION  operation, name (NULL if anonymous), variable_definitions, directives, selection_set
 *   VARIABLE_DEFINITION   variable (VARIABLE), type, default_value, directives
 *   SELECTION_SET         selections
 *   FIELD                 alias (NULL if none), name, arguments, directives, selection_set (NULL for leaves)
 *   ARGUMENT, OBJECT_FIELD name, value
 *   FRAGMENT_SPREAD       name, directives
 *   INLINE_FRAGMENT       type_condition (NAMED_TYPE or NULL), directives, selection_set
 *   FRAGMENT_DEFINITION   name, type_condition, directives, selection_set
 *   VARIABLE              name
 *   INT_VALUE, FLOAT_VALUE text (the source digits), text_len
 *   STRING_VALUE          text (decoded value), text_len, block
 *   BOOLEAN_VALUE         boolean
 *   NULL_VALUE            -
 *   ENUM_VALUE            text (the enum name), text_len
 *   LIST_VALUE            values
 *   OBJECT_VALUE          fields (OBJECT_FIELD)
 *   DIRECTIVE             name, arguments
 *   NAMED_TYPE            name
 *   LIST_TYPE, NON_NULL_TYPE type
 *   NAME                  name (directive definition locations)
 *   SCHEMA_DEFINITION, SCHEMA_EXTENSION  description, directives, operation_types
 *   OPERATION_TYPE_DEFINITION            operation, type (NAMED_TYPE)
 *   SCALAR_TYPE_DEFINITION/EXTENSION     description, name, directives
 *   OBJECT/INTERFACE_TYPE_DEFINITION/EXTENSION description, name, interfaces (NAMED_TYPE), directives, fields (FIELD_DEFINITION)
 *   FIELD_DEFINITION      description, name, arguments (INPUT_VALUE_DEFINITION), type, directives
 *   INPUT_VALUE_DEFINITION description, name, type, default_value, directives
 *   UNION_TYPE_DEFINITION/EXTENSION      description, name, directives, types (NAMED_TYPE)
 *   ENUM_TYPE_DEFINITION/EXTENSION       description, name, directives, values (ENUM_VALUE_DEFINITION)
 *   ENUM_VALUE_DEFINITION description, name, directives
 *   INPUT_OBJECT_TYPE_DEFINITION/EXTENSION description, name, directives, fields (INPUT_VALUE_DEFINITION)
 *   DIRECTIVE_DEFINITION  description, name, arguments, repeatable, locations (NAME)
 * `description` is a STRING_VALUE node or NULL.
 */
#ifndef BFF_GRAPHQL_AST_H
#define BFF_GRAPHQL_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* X(ENUM_SUFFIX, "graphql-js Kind name") */
#define BFF_AST_KINDS(X)                                                                                                   \
    X(DOCUMENT, "Document")                                                                                                \
    X(OPERATION_DEFINITION, "OperationDefinition")                                                                         \
    X(VARIABLE_DEFINITION, "VariableDefinition")                                                                           \
    X(SELECTION_SET, "SelectionSet")                                                                                       \
    X(FIELD, "Field")                                                                                                      \
    X(ARGUMENT, "Argument")                                                                                                \
    X(FRAGMENT_SPREAD, "FragmentSpread")                                                                                   \
    X(INLINE_FRAGMENT, "InlineFragment")                                                                                   \
    X(FRAGMENT_DEFINITION, "FragmentDefinition")                                                                           \
    X(VARIABLE, "Variable")                                                                                                \
    X(INT_VALUE, "IntValue")                                                                                               \
    X(FLOAT_VALUE, "FloatValue")                                                                                           \
    X(STRING_VALUE, "StringValue")                                                                                         \
    X(BOOLEAN_VALUE, "BooleanValue")                                                                                       \
    X(NULL_VALUE, "NullValue")                                                                                             \
    X(ENUM_VALUE, "EnumValue")                                                                                             \
    X(LIST_VALUE, "ListValue")                                                                                             \
    X(OBJECT_VALUE, "ObjectValue")                                                                                         \
    X(OBJECT_FIELD, "ObjectField")                                                                                         \
    X(DIRECTIVE, "Directive")                                                                                              \
    X(NAMED_TYPE, "NamedType")                                                                                             \
    X(LIST_TYPE, "ListType")                                                                                               \
    X(NON_NULL_TYPE, "NonNullType")                                                                                        \
    X(NAME, "Name")                                                                                                        \
    X(SCHEMA_DEFINITION, "SchemaDefinition")                                                                               \
    X(OPERATION_TYPE_DEFINITION, "OperationTypeDefinition")                                                                \
    X(SCALAR_TYPE_DEFINITION, "ScalarTypeDefinition")                                                                      \
    X(OBJECT_TYPE_DEFINITION, "ObjectTypeDefinition")                                                                      \
    X(FIELD_DEFINITION, "FieldDefinition")                                                                                 \
    X(INPUT_VALUE_DEFINITION, "InputValueDefinition")                                                                      \
    X(INTERFACE_TYPE_DEFINITION, "InterfaceTypeDefinition")                                                                \
    X(UNION_TYPE_DEFINITION, "UnionTypeDefinition")                                                                        \
    X(ENUM_TYPE_DEFINITION, "EnumTypeDefinition")                                                                          \
    X(ENUM_VALUE_DEFINITION, "EnumValueDefinition")                                                                        \
    X(INPUT_OBJECT_TYPE_DEFINITION, "InputObjectTypeDefinition")                                                           \
    X(DIRECTIVE_DEFINITION, "DirectiveDefinition")                                                                         \
    X(SCHEMA_EXTENSION, "SchemaExtension")                                                                                 \
    X(SCALAR_TYPE_EXTENSION, "ScalarTypeExtension")                                                                        \
    X(OBJECT_TYPE_EXTENSION, "ObjectTypeExtension")                                                                        \
    X(INTERFACE_TYPE_EXTENSION, "InterfaceTypeExtension")                                                                  \
    X(UNION_TYPE_EXTENSION, "UnionTypeExtension")                                                                          \
    X(ENUM_TYPE_EXTENSION, "EnumTypeExtension")                                                                            \
    X(INPUT_OBJECT_TYPE_EXTENSION, "InputObjectTypeExtension")

typedef enum en_bff_ast_kind_t {
#define BFF_AST_KIND_ENUM(id, js) BFF_AST_##id,
    BFF_AST_KINDS(BFF_AST_KIND_ENUM)
#undef BFF_AST_KIND_ENUM
        BFF_AST_KIND_COUNT
} bff_ast_kind_t;

typedef enum en_bff_operation_t { BFF_OP_QUERY, BFF_OP_MUTATION, BFF_OP_SUBSCRIPTION } bff_operation_t;

/* Where a node starts: 1-based line and column (column counts characters as graphql-js does: UTF-16 code units), 0-based byte offsets of start and end. */
typedef struct st_bff_ast_loc_t {
    uint32_t line;
    uint32_t column;
    uint32_t offset;
    uint32_t end; /* byte offset just past the node */
} bff_ast_loc_t;

typedef struct st_bff_ast_node_t bff_ast_node_t;

typedef struct st_bff_ast_list_t {
    bff_ast_node_t **items;
    uint32_t len;
} bff_ast_list_t;

struct st_bff_ast_node_t {
    bff_ast_kind_t kind;
    bff_operation_t operation;
    bff_ast_loc_t loc;
    bff_ast_loc_t name_loc; /* where `name` is written (graphql-js reports name nodes there) */
    const char *name;
    const char *alias;
    const char *text;
    size_t text_len;
    bool boolean;
    bool block;
    bool repeatable;
    bff_ast_node_t *description;
    bff_ast_node_t *variable;
    bff_ast_node_t *type;
    bff_ast_node_t *type_condition;
    bff_ast_node_t *value;
    bff_ast_node_t *default_value;
    bff_ast_node_t *selection_set;
    bff_ast_list_t definitions;
    bff_ast_list_t variable_definitions;
    bff_ast_list_t directives;
    bff_ast_list_t selections;
    bff_ast_list_t arguments;
    bff_ast_list_t values;
    bff_ast_list_t fields;
    bff_ast_list_t interfaces;
    bff_ast_list_t types;
    bff_ast_list_t operation_types;
    bff_ast_list_t locations;
};

/* graphql-js's name for a kind ("Field", "OperationDefinition", ...). */
const char *bff_ast_kind_name(bff_ast_kind_t kind);
/* "query", "mutation" or "subscription". */
const char *bff_operation_name(bff_operation_t op);
/* True for the *_DEFINITION / *_EXTENSION kinds of the type system. */
bool bff_ast_is_type_system(bff_ast_kind_t kind);
bool bff_ast_is_executable_definition(bff_ast_kind_t kind);

/*
 * Calls fn(child, arg) for each direct child node of `node`, in source order.
 * Returns the first non-zero value fn returned (and stops), else 0.
 */
int bff_ast_children(const bff_ast_node_t *node, int (*fn)(const bff_ast_node_t *child, void *arg), void *arg);

/* The document's fragment definition named `name`, or NULL. */
const bff_ast_node_t *bff_ast_fragment(const bff_ast_node_t *document, const char *name);

#endif
