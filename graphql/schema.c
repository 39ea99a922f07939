/*
 * schema.c - reading a built schema: name lookups, the type relations
 * validation and execution ask about (subtype, overlap, implements), typeref
 * printing and construction, resolver and scalar binding, and freeing.
 *
 * Types and directives are found through open-addressing name tables
 * (bff_names_t) built once; fields and arguments by a scan of their arrays
 * (a type has tens of fields, and the scan touches one cache line per few).
 * Everything lives in the schema's arena; bff_schema_free releases the arena
 * and with it the SDL trees.
 */
#include <string.h>

#include "base/hash.h"
#include "schema_internal.h"

/* ---- name tables ---- */

static uint32_t name_hash(const char *s)
{
    uint64_t h = bff_fnv1a_str(s);
    return (uint32_t)(h ^ (h >> 32));
}

void bff_names_init(bff_names_t *t, bff_arena_t *arena, uint32_t cap)
{
    uint32_t c = 16;
    while (c < cap * 2)
        c *= 2;
    t->cap = c;
    t->len = 0;
    t->keys = bff_arena_calloc(arena, c, sizeof(*t->keys));
    t->values = bff_arena_calloc(arena, c, sizeof(*t->values));
}

void *bff_names_get(const bff_names_t *t, const char *name)
{
    if (t->cap == 0)
        return NULL;
    for (uint32_t i = name_hash(name) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        if (t->keys[i] == NULL)
            return NULL;
        if (strcmp(t->keys[i], name) == 0)
            return t->values[i];
    }
}

void *bff_names_put(bff_names_t *t, bff_arena_t *arena, const char *name, void *value)
{
    if ((t->len + 1) * 2 > t->cap) {
        bff_names_t bigger;
        bff_names_init(&bigger, arena, t->cap ? t->cap : 8);
        for (uint32_t i = 0; i < t->cap; ++i)
            if (t->keys[i] != NULL)
                bff_names_put(&bigger, arena, t->keys[i], t->values[i]);
        *t = bigger;
    }
    uint32_t i = name_hash(name) & (t->cap - 1);
    for (; t->keys[i] != NULL; i = (i + 1) & (t->cap - 1))
        if (strcmp(t->keys[i], name) == 0)
            return t->values[i];
    t->keys[i] = name;
    t->values[i] = value;
    t->len++;
    return NULL;
}

void bff_names_set(bff_names_t *t, bff_arena_t *arena, const char *name, void *value)
{
    for (uint32_t i = name_hash(name) & (t->cap - 1); t->cap != 0 && t->keys[i] != NULL; i = (i + 1) & (t->cap - 1)) {
        if (strcmp(t->keys[i], name) == 0) {
            t->values[i] = value;
            return;
        }
    }
    bff_names_put(t, arena, name, value);
}

/* ---- lookups ---- */

const bff_type_t *bff_schema_root_type(const bff_schema_t *schema, bff_operation_t op)
{
    return op == BFF_OP_MUTATION       ? schema->mutation_type
           : op == BFF_OP_SUBSCRIPTION ? schema->subscription_type
                                       : schema->query_type;
}

const bff_type_t *bff_schema_type(const bff_schema_t *schema, const char *name)
{
    const bff_schema_lookup_t *l = schema->lookup;
    return bff_names_get(&l->types, name);
}

const bff_directive_def_t *bff_schema_directive(const bff_schema_t *schema, const char *name)
{
    const bff_schema_lookup_t *l = schema->lookup;
    return bff_names_get(&l->directives, name);
}

const bff_field_t *bff_schema_field(const bff_schema_t *schema, const bff_type_t *type, const char *name)
{
    if (name[0] == '_' && name[1] == '_') {
        if (strcmp(name, "__typename") == 0)
            return bff_type_is_composite(type) ? schema->typename_field : NULL;
        if (type == schema->query_type) {
            if (strcmp(name, "__schema") == 0)
                return schema->schema_field;
            if (strcmp(name, "__type") == 0)
                return schema->type_field;
        }
    }
    if (type->kind != BFF_TYPE_OBJECT && type->kind != BFF_TYPE_INTERFACE)
        return NULL;
    for (uint32_t i = 0; i < type->nfields; ++i)
        if (strcmp(type->fields[i].name, name) == 0)
            return &type->fields[i];
    return NULL;
}

static const bff_input_value_t *find_input_value(const bff_input_value_t *values, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; ++i)
        if (strcmp(values[i].name, name) == 0)
            return &values[i];
    return NULL;
}

const bff_input_value_t *bff_field_arg(const bff_field_t *field, const char *name)
{
    return find_input_value(field->args, field->nargs, name);
}

const bff_input_value_t *bff_directive_arg(const bff_directive_def_t *dir, const char *name)
{
    return find_input_value(dir->args, dir->nargs, name);
}

const bff_input_value_t *bff_type_input_field(const bff_type_t *type, const char *name)
{
    return find_input_value(type->input_fields, type->ninput_fields, name);
}

const bff_enum_value_t *bff_type_enum_value(const bff_type_t *type, const char *name)
{
    for (uint32_t i = 0; i < type->nenum_values; ++i)
        if (strcmp(type->enum_values[i].name, name) == 0)
            return &type->enum_values[i];
    return NULL;
}

/* ---- type relations ---- */

bool bff_type_implements(const bff_type_t *sub, const bff_type_t *iface)
{
    for (uint32_t i = 0; i < sub->ninterfaces; ++i)
        if (sub->interfaces[i] == iface)
            return true;
    return false;
}

bool bff_schema_is_possible_type(const bff_schema_t *schema, const bff_type_t *abstract, const bff_type_t *obj)
{
    if (abstract == obj)
        return true;
    if (abstract->kind == BFF_TYPE_UNION) {
        for (uint32_t i = 0; i < abstract->npossible_types; ++i)
            if (abstract->possible_types[i] == obj)
                return true;
        return false;
    }
    if (abstract->kind == BFF_TYPE_INTERFACE)
        return bff_type_implements(obj, abstract);
    return false;
}

const bff_type_t *bff_typeref_named(const bff_typeref_t *t)
{
    while (t->kind != BFF_TYPEREF_NAMED)
        t = t->of;
    return t->named;
}

bool bff_type_is_input(const bff_type_t *t)
{
    return t->kind == BFF_TYPE_SCALAR || t->kind == BFF_TYPE_ENUM || t->kind == BFF_TYPE_INPUT_OBJECT;
}

bool bff_type_is_output(const bff_type_t *t)
{
    return t->kind != BFF_TYPE_INPUT_OBJECT;
}

bool bff_type_is_leaf(const bff_type_t *t)
{
    return t->kind == BFF_TYPE_SCALAR || t->kind == BFF_TYPE_ENUM;
}

bool bff_type_is_composite(const bff_type_t *t)
{
    return t->kind == BFF_TYPE_OBJECT || t->kind == BFF_TYPE_INTERFACE || t->kind == BFF_TYPE_UNION;
}

bool bff_type_is_abstract(const bff_type_t *t)
{
    return t->kind == BFF_TYPE_INTERFACE || t->kind == BFF_TYPE_UNION;
}

bool bff_typeref_equal(const bff_typeref_t *a, const bff_typeref_t *b)
{
    for (;;) {
        if (a == b)
            return true;
        if (a->kind != b->kind)
            return false;
        if (a->kind == BFF_TYPEREF_NAMED)
            return a->named == b->named;
        a = a->of;
        b = b->of;
    }
}

/* graphql-js isTypeSubTypeOf. */
bool bff_typeref_is_subtype(const bff_schema_t *schema, const bff_typeref_t *maybe_sub, const bff_typeref_t *super)
{
    if (bff_typeref_equal(maybe_sub, super))
        return true;
    if (super->kind == BFF_TYPEREF_NON_NULL) {
        if (maybe_sub->kind == BFF_TYPEREF_NON_NULL)
            return bff_typeref_is_subtype(schema, maybe_sub->of, super->of);
        return false;
    }
    if (maybe_sub->kind == BFF_TYPEREF_NON_NULL)
        return bff_typeref_is_subtype(schema, maybe_sub->of, super);
    if (super->kind == BFF_TYPEREF_LIST) {
        if (maybe_sub->kind == BFF_TYPEREF_LIST)
            return bff_typeref_is_subtype(schema, maybe_sub->of, super->of);
        return false;
    }
    if (maybe_sub->kind == BFF_TYPEREF_LIST)
        return false;
    return bff_type_is_abstract(super->named) &&
           (maybe_sub->named->kind == BFF_TYPE_INTERFACE || maybe_sub->named->kind == BFF_TYPE_OBJECT) &&
           bff_schema_is_possible_type(schema, super->named, maybe_sub->named);
}

/* The object types a composite type can be at run time. */
static void possible_objects(const bff_type_t *t, const bff_type_t *const **out, uint32_t *n)
{
    if (t->kind == BFF_TYPE_OBJECT) {
        *out = &t->ref->named; /* a one-element array: the type itself */
        *n = 1;
    } else {
        *out = t->possible_types;
        *n = t->npossible_types;
    }
}

bool bff_schema_types_overlap(const bff_schema_t *schema, const bff_type_t *a, const bff_type_t *b)
{
    if (a == b)
        return true;
    if (bff_type_is_abstract(a)) {
        if (bff_type_is_abstract(b)) {
            const bff_type_t *const *pa;
            uint32_t na;
            possible_objects(a, &pa, &na);
            for (uint32_t i = 0; i < na; ++i)
                if (bff_schema_is_possible_type(schema, b, pa[i]))
                    return true;
            return false;
        }
        return bff_schema_is_possible_type(schema, a, b);
    }
    if (bff_type_is_abstract(b))
        return bff_schema_is_possible_type(schema, b, a);
    return false;
}

void bff_typeref_print(bff_buf_t *out, const bff_typeref_t *t)
{
    switch (t->kind) {
    case BFF_TYPEREF_NAMED:
        bff_buf_appends(out, t->named->name);
        break;
    case BFF_TYPEREF_LIST:
        bff_buf_appendc(out, '[');
        bff_typeref_print(out, t->of);
        bff_buf_appendc(out, ']');
        break;
    case BFF_TYPEREF_NON_NULL:
        bff_typeref_print(out, t->of);
        bff_buf_appendc(out, '!');
        break;
    }
}

const bff_typeref_t *bff_schema_typeref_from_ast(const bff_schema_t *schema, bff_arena_t *arena,
                                                 const bff_ast_node_t *type_node)
{
    if (type_node->kind == BFF_AST_NAMED_TYPE) {
        const bff_type_t *t = bff_schema_type(schema, type_node->name);
        return t != NULL ? t->ref : NULL;
    }
    const bff_typeref_t *inner = bff_schema_typeref_from_ast(schema, arena, type_node->type);
    if (inner == NULL)
        return NULL;
    bff_typeref_t *r = bff_arena_alloc(arena, sizeof(*r));
    r->kind = type_node->kind == BFF_AST_LIST_TYPE ? BFF_TYPEREF_LIST : BFF_TYPEREF_NON_NULL;
    r->of = inner;
    r->named = NULL;
    return r;
}

/* ---- applied directives ---- */

const bff_ast_node_t *bff_ast_find_directive(const bff_ast_list_t *directives, const char *name)
{
    for (uint32_t i = 0; i < directives->len; ++i)
        if (strcmp(directives->items[i]->name, name) == 0)
            return directives->items[i];
    return NULL;
}

const bff_ast_node_t *bff_ast_directive_arg(const bff_ast_node_t *directive, const char *name)
{
    for (uint32_t i = 0; i < directive->arguments.len; ++i)
        if (strcmp(directive->arguments.items[i]->name, name) == 0)
            return directive->arguments.items[i]->value;
    return NULL;
}

/* ---- directive locations ---- */

static const char *const location_names[] = {
#define BFF_DIRLOC_NAME(id) #id,
    BFF_DIRECTIVE_LOCATIONS(BFF_DIRLOC_NAME)
#undef BFF_DIRLOC_NAME
};

const char *bff_directive_location_name(bff_directive_location_t loc)
{
    return loc < BFF_DIRLOC_COUNT ? location_names[loc] : "UNKNOWN";
}

int bff_directive_location_parse(const char *name)
{
    for (int i = 0; i < BFF_DIRLOC_COUNT; ++i)
        if (strcmp(location_names[i], name) == 0)
            return i;
    return -1;
}

/* ---- binding (boot time) ---- */

int bff_schema_bind_resolver(bff_schema_t *schema, const char *type_name, const char *field_name, bff_resolver_fn fn,
                             void *ctx)
{
    const bff_type_t *t = bff_schema_type(schema, type_name);
    if (t == NULL || (t->kind != BFF_TYPE_OBJECT && t->kind != BFF_TYPE_INTERFACE))
        return -1;
    for (uint32_t i = 0; i < t->nfields; ++i) {
        if (strcmp(t->fields[i].name, field_name) == 0) {
            bff_field_t *f = (bff_field_t *)&t->fields[i]; /* the schema is still being set up */
            f->resolve = fn;
            f->resolve_ctx = ctx;
            return 0;
        }
    }
    return -1;
}

int bff_schema_bind_scalar(bff_schema_t *schema, const char *name, bff_scalar_parse_literal_fn parse_literal,
                           bff_scalar_parse_value_fn parse_value, bff_scalar_serialize_fn serialize)
{
    bff_type_t *t = (bff_type_t *)bff_schema_type(schema, name);
    if (t == NULL || t->kind != BFF_TYPE_SCALAR)
        return -1;
    t->parse_literal = parse_literal;
    t->parse_value = parse_value;
    t->serialize = serialize;
    return 0;
}

int bff_schema_bind_resolve_type(bff_schema_t *schema, const char *abstract_name, bff_resolve_type_fn fn, void *ctx)
{
    bff_type_t *t = (bff_type_t *)bff_schema_type(schema, abstract_name);
    if (t == NULL || !bff_type_is_abstract(t))
        return -1;
    t->resolve_type = fn;
    t->resolve_type_ctx = ctx;
    return 0;
}

void bff_schema_free(bff_schema_t *schema)
{
    if (schema != NULL)
        bff_arena_free(schema->arena);
}
