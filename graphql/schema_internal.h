/*
 * schema_internal.h - shared inside the schema module (schema*.c,
 * introspection.c): the name table, the builder's state, and the passes the
 * builder runs.
 */
#ifndef BFF_GRAPHQL_SCHEMA_INTERNAL_H
#define BFF_GRAPHQL_SCHEMA_INTERNAL_H

#include "base/buf.h"
#include "schema.h"
#include "suggest.h"

/*
 * Name table: open addressing over (name -> pointer), arena-allocated,
 * grown while the schema is built and read-only afterwards.
 */
typedef struct st_bff_names_t {
    const char **keys;
    void **values;
    uint32_t cap, len;
} bff_names_t;

void bff_names_init(bff_names_t *t, bff_arena_t *arena, uint32_t cap);
void *bff_names_get(const bff_names_t *t, const char *name);
/* Adds name -> value; returns the value already there (and keeps it) when the name exists. */
void *bff_names_put(bff_names_t *t, bff_arena_t *arena, const char *name, void *value);
/* Adds or replaces name -> value. */
void bff_names_set(bff_names_t *t, bff_arena_t *arena, const char *name, void *value);

/* The private part of a schema: name tables for types and directives. */
typedef struct st_bff_schema_lookup_t {
    bff_names_t types;
    bff_names_t directives;
} bff_schema_lookup_t;

/*
 * The SDL validation rules graphql-js's buildASTSchema runs before building
 * (assertValidSDL), over all documents of all sources. Returns errors added.
 */
size_t bff_schema_validate_sdl(bff_ast_node_t *const *docs, size_t ndocs, bff_arena_t *arena, bff_gql_errors_t *errs);
/* The type-system checks of spec section 3 (graphql-js validateSchema) on a built schema. */
size_t bff_schema_validate_types(const bff_schema_t *schema, bff_arena_t *arena, bff_gql_errors_t *errs);

/* Introspection: the SDL of the introspection types, and the resolver binding once they are built. */
extern const char bff_introspection_sdl[];
void bff_introspection_bind(bff_schema_t *schema);
/* Where directives on a type-system definition or extension apply (SCHEMA, OBJECT, ...). */
bff_directive_location_t bff_directive_location_of_definition(bff_ast_kind_t kind);
/* A default value as introspection and printSchema show it (coerced, then printed). */
void bff_schema_print_default(bff_buf_t *out, const bff_schema_t *schema, const bff_input_value_t *v);

/* Meta field definitions shared by every schema (the executor handles __typename itself). */
void bff_schema_add_meta_fields(bff_schema_t *schema);

#endif
