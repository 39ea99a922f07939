/*
 * schema.h - the runtime schema built from SDL.
 *
 * bff_schema_build() parses SDL sources, merges extensions, adds the built-in
 * scalars, directives (@include @skip @deprecated @specifiedBy @oneOf) and
 * introspection types, checks the type system (spec section 3) and links
 * every type reference. After that the schema is immutable and shared by all
 * worker threads, with one exception: resolvers are bound at boot, before
 * workers start (bff_schema_bind_resolver).
 *
 * Memory: the schema owns one arena holding every type, field, string and the
 * SDL ASTs (directives stay as AST nodes so custom ones such as @cost are
 * readable later). bff_schema_free releases it all.
 */
#ifndef BFF_GRAPHQL_SCHEMA_H
#define BFF_GRAPHQL_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>

#include "base/arena.h"
#include "ast.h"
#include "error.h"

typedef enum en_bff_type_kind_t {
    BFF_TYPE_SCALAR,
    BFF_TYPE_OBJECT,
    BFF_TYPE_INTERFACE,
    BFF_TYPE_UNION,
    BFF_TYPE_ENUM,
    BFF_TYPE_INPUT_OBJECT,
} bff_type_kind_t;

typedef struct st_bff_type_t bff_type_t;
typedef struct st_bff_schema_t bff_schema_t;
typedef struct st_bff_value_t bff_value_t;     /* exec.h */
typedef struct st_bff_resolve_t bff_resolve_t; /* exec.h */

typedef enum en_bff_typeref_kind_t { BFF_TYPEREF_NAMED, BFF_TYPEREF_LIST, BFF_TYPEREF_NON_NULL } bff_typeref_kind_t;

/* A (possibly wrapped) type reference: [Product!]! is NON_NULL -> LIST -> NON_NULL -> NAMED(Product). */
typedef struct st_bff_typeref_t {
    bff_typeref_kind_t kind;
    const struct st_bff_typeref_t *of; /* LIST, NON_NULL */
    const bff_type_t *named;           /* NAMED */
} bff_typeref_t;

/* Arguments, input fields. */
typedef struct st_bff_input_value_t {
    const char *name;
    const char *description; /* NULL if none */
    const bff_typeref_t *type;
    const bff_ast_node_t *default_value; /* AST literal, NULL when there is no default */
    bool deprecated;
    const char *deprecation_reason; /* NULL unless deprecated */
    bff_ast_list_t directives;      /* as written in the SDL */
    const bff_ast_node_t *node;     /* the INPUT_VALUE_DEFINITION */
} bff_input_value_t;

/*
 * A resolver. It is called with a handle; it completes the handle exactly once,
 * now or later from a loop callback, with bff_resolve_ok() or
 * bff_resolve_error() (exec.h). `ctx` is the pointer given at binding.
 */
typedef void (*bff_resolver_fn)(bff_resolve_t *r, void *ctx);

typedef struct st_bff_field_t {
    const char *name;
    const char *description;
    const bff_typeref_t *type;
    bff_input_value_t *args;
    uint32_t nargs;
    bool deprecated;
    const char *deprecation_reason;
    bff_ast_list_t directives;
    const bff_ast_node_t *node; /* FIELD_DEFINITION; NULL for meta fields */
    const bff_type_t *owner;
    bff_resolver_fn resolve; /* NULL: the default resolver (property of a JSON parent) */
    void *resolve_ctx;
} bff_field_t;

typedef struct st_bff_enum_value_t {
    const char *name;
    const char *description;
    bool deprecated;
    const char *deprecation_reason;
    bff_ast_list_t directives;
} bff_enum_value_t;

/*
 * Scalar coercion hooks (NULL: the built-in behaviour for built-ins; custom
 * scalars without hooks pass values through unchanged, as graphql-js does).
 * They return 0 on success, or -1 and set *err to a message (arena or static).
 *  - parse_literal: an AST literal (never a VARIABLE) -> input value
 *  - parse_value: a JSON variable value -> input value
 *  - serialize: a resolved value -> JSON text written to `out`
 * Input values are jansson values; parse_* return a new reference in *out.
 */
typedef int (*bff_scalar_parse_literal_fn)(const bff_type_t *type, const bff_ast_node_t *literal, json_t **out,
                                           const char **err);
typedef int (*bff_scalar_parse_value_fn)(const bff_type_t *type, json_t *in, json_t **out, const char **err);
struct st_bff_buf_t;
typedef int (*bff_scalar_serialize_fn)(const bff_type_t *type, const bff_value_t *in, struct st_bff_buf_t *out,
                                       const char **err);

/* Picks the object type of a value of an abstract type; NULL when it cannot. */
typedef const bff_type_t *(*bff_resolve_type_fn)(const bff_schema_t *schema, const bff_type_t *abstract,
                                                 const bff_value_t *value, void *ctx);

struct st_bff_type_t {
    bff_type_kind_t kind;
    const char *name;
    const char *description;
    const char *specified_by_url; /* scalars */
    bff_ast_list_t directives;
    const bff_ast_node_t *node;   /* the definition, NULL for built-ins */
    bool builtin;                 /* built-in scalars and introspection types */
    bool one_of;                  /* INPUT_OBJECT marked @oneOf: exactly one field must be given */
    const struct st_bff_typeref_t *ref; /* the NAMED typeref of this type (introspection uses typerefs) */
    /* OBJECT, INTERFACE: fields; INPUT_OBJECT: input fields in input_fields. */
    bff_field_t *fields;
    uint32_t nfields;
    bff_input_value_t *input_fields;
    uint32_t ninput_fields;
    /* OBJECT, INTERFACE: the interfaces it implements. */
    const bff_type_t **interfaces;
    uint32_t ninterfaces;
    /* UNION: members; INTERFACE: every object type implementing it, in definition order. */
    const bff_type_t **possible_types;
    uint32_t npossible_types;
    /* ENUM */
    bff_enum_value_t *enum_values;
    uint32_t nenum_values;
    /* SCALAR hooks, set at boot */
    bff_scalar_parse_literal_fn parse_literal;
    bff_scalar_parse_value_fn parse_value;
    bff_scalar_serialize_fn serialize;
    /* INTERFACE, UNION: set at boot; NULL uses the default (bff_value_t's object type, then "__typename" of a JSON object). */
    bff_resolve_type_fn resolve_type;
    void *resolve_type_ctx;
};

typedef struct st_bff_directive_def_t {
    const char *name;
    const char *description;
    bff_input_value_t *args;
    uint32_t nargs;
    bool repeatable;
    bool builtin;
    uint32_t locations; /* bit set of bff_directive_location_t */
    const bff_ast_node_t *node;
} bff_directive_def_t;

#define BFF_DIRECTIVE_LOCATIONS(X)                                                                                         \
    X(QUERY) X(MUTATION) X(SUBSCRIPTION) X(FIELD) X(FRAGMENT_DEFINITION) X(FRAGMENT_SPREAD) X(INLINE_FRAGMENT)             \
    X(VARIABLE_DEFINITION) X(SCHEMA) X(SCALAR) X(OBJECT) X(FIELD_DEFINITION) X(ARGUMENT_DEFINITION) X(INTERFACE)           \
    X(UNION) X(ENUM) X(ENUM_VALUE) X(INPUT_OBJECT) X(INPUT_FIELD_DEFINITION)

typedef enum en_bff_directive_location_t {
#define BFF_DIRLOC_ENUM(id) BFF_DIRLOC_##id,
    BFF_DIRECTIVE_LOCATIONS(BFF_DIRLOC_ENUM)
#undef BFF_DIRLOC_ENUM
        BFF_DIRLOC_COUNT
} bff_directive_location_t;

/* "QUERY", "FIELD_DEFINITION", ...; -1 from the parse function when unknown. */
const char *bff_directive_location_name(bff_directive_location_t loc);
int bff_directive_location_parse(const char *name);

struct st_bff_schema_t {
    bff_arena_t *arena;
    const char *description;
    const bff_type_t *query_type;
    const bff_type_t *mutation_type; /* NULL if none */
    const bff_type_t *subscription_type;
    bff_type_t **types; /* every named type, user types in definition order, then built-ins */
    uint32_t ntypes;
    bff_directive_def_t **directives;
    uint32_t ndirectives;
    bff_ast_list_t directives_used; /* directives on the schema definition */
    void *lookup;                   /* private: name -> type hash */
    /* the meta fields, shared: */
    const bff_field_t *typename_field;
    const bff_field_t *schema_field;
    const bff_field_t *type_field;
};

typedef struct st_bff_schema_source_t {
    const char *name; /* file name, for messages */
    const char *text;
    size_t len;
} bff_schema_source_t;

typedef struct st_bff_schema_options_t {
    bool assume_valid; /* skip type-system validation (graphql-js assumeValidSDL) */
} bff_schema_options_t;

/*
 * Builds a schema from SDL sources (definitions and extensions may be split
 * across them). On failure returns NULL and appends every problem found to
 * `errs` (allocated from `err_arena`), each naming the type or field.
 */
bff_schema_t *bff_schema_build(const bff_schema_source_t *sources, size_t nsources, const bff_schema_options_t *opts,
                               bff_arena_t *err_arena, bff_gql_errors_t *errs);
/* Convenience: reads and builds from files. */
bff_schema_t *bff_schema_build_files(const char *const *paths, size_t npaths, const bff_schema_options_t *opts,
                                     bff_arena_t *err_arena, bff_gql_errors_t *errs);
void bff_schema_free(bff_schema_t *schema);

const bff_type_t *bff_schema_type(const bff_schema_t *schema, const char *name);
/* The root type of an operation kind (NULL when the schema has none). */
const bff_type_t *bff_schema_root_type(const bff_schema_t *schema, bff_operation_t op);
const bff_directive_def_t *bff_schema_directive(const bff_schema_t *schema, const char *name);
/*
 * The field `name` of an object or interface type, including the meta fields:
 * __typename on any composite type (unions too), __schema and __type on the
 * query root. NULL when there is none.
 */
const bff_field_t *bff_schema_field(const bff_schema_t *schema, const bff_type_t *type, const char *name);
const bff_input_value_t *bff_field_arg(const bff_field_t *field, const char *name);
const bff_input_value_t *bff_directive_arg(const bff_directive_def_t *dir, const char *name);
const bff_input_value_t *bff_type_input_field(const bff_type_t *type, const char *name);
const bff_enum_value_t *bff_type_enum_value(const bff_type_t *type, const char *name);
/* Object `obj` is a possible type of abstract `abstract` (or equal to it). */
bool bff_schema_is_possible_type(const bff_schema_t *schema, const bff_type_t *abstract, const bff_type_t *obj);
/* Type `sub` implements interface `iface` (directly or through another interface). */
bool bff_type_implements(const bff_type_t *sub, const bff_type_t *iface);

/* Type helpers, as graphql-js names them. */
const bff_type_t *bff_typeref_named(const bff_typeref_t *t);
bool bff_type_is_input(const bff_type_t *t);
bool bff_type_is_output(const bff_type_t *t);
bool bff_type_is_leaf(const bff_type_t *t);
bool bff_type_is_composite(const bff_type_t *t);
bool bff_type_is_abstract(const bff_type_t *t);
bool bff_typeref_equal(const bff_typeref_t *a, const bff_typeref_t *b);
/* isTypeSubTypeOf(maybeSub, super) */
bool bff_typeref_is_subtype(const bff_schema_t *schema, const bff_typeref_t *maybe_sub, const bff_typeref_t *super);
/* doTypesOverlap */
bool bff_schema_types_overlap(const bff_schema_t *schema, const bff_type_t *a, const bff_type_t *b);
/* Prints "[Int!]!" into `out`. */
void bff_typeref_print(struct st_bff_buf_t *out, const bff_typeref_t *t);
/* The typeref an AST type node names, built in `arena`; NULL when a named type is unknown. */
const bff_typeref_t *bff_schema_typeref_from_ast(const bff_schema_t *schema, bff_arena_t *arena,
                                                 const bff_ast_node_t *type_node);

/* A directive applied to a schema element, by name; NULL when absent. */
const bff_ast_node_t *bff_ast_find_directive(const bff_ast_list_t *directives, const char *name);
/* The value node of argument `name` of an applied directive; NULL when absent. */
const bff_ast_node_t *bff_ast_directive_arg(const bff_ast_node_t *directive, const char *name);

/*
 * Binds a resolver to Type.field. Boot time only. Returns 0, or -1 when the
 * type or field does not exist.
 */
int bff_schema_bind_resolver(bff_schema_t *schema, const char *type_name, const char *field_name, bff_resolver_fn fn,
                             void *ctx);
/* Sets coercion hooks of a custom scalar; -1 when `name` is not a scalar. */
int bff_schema_bind_scalar(bff_schema_t *schema, const char *name, bff_scalar_parse_literal_fn parse_literal,
                           bff_scalar_parse_value_fn parse_value, bff_scalar_serialize_fn serialize);
int bff_schema_bind_resolve_type(bff_schema_t *schema, const char *abstract_name, bff_resolve_type_fn fn, void *ctx);

/*
 * Prints the schema as SDL the way graphql-js printSchema() does (user types
 * and directives only, descriptions as block strings). Used by tests and by
 * the schema tool.
 */
void bff_schema_print(struct st_bff_buf_t *out, const bff_schema_t *schema);

#endif
