/*
 * introspection.c - the built-in part of every schema and the resolvers that
 * answer introspection queries.
 *
 * The built-ins (standard scalars, specified directives, the introspection
 * types) are written as SDL below and built by the same code as user SDL,
 * flagged `builtin`. Introspection objects are the schema's own structures:
 * a __Type is a bff_typeref_t (named types use their type's `ref`, wrappers
 * their LIST/NON_NULL typeref), a __Field a bff_field_t, an __InputValue a
 * bff_input_value_t, an __EnumValue a bff_enum_value_t, a __Directive a
 * bff_directive_def_t, the __Schema the bff_schema_t. Resolvers read them and
 * answer synchronously; lists are allocated in the request arena.
 *
 * defaultValue is printed the way graphql-js prints it: the default literal
 * coerced to its type and turned back into GraphQL (so `ID = "1"` prints 1,
 * input objects gain their fields' defaults, lists wrap single values).
 */
#include <jansson.h>
#include <string.h>

#include "exec.h"
#include "parser.h"
#include "schema_internal.h"

const char bff_introspection_sdl[] =
    "\"The `String` scalar type represents textual data, as UTF-8 character sequences.\"\n"
    "scalar String\n"
    "\"The `Int` scalar type represents whole numbers between -(2^31) and 2^31 - 1.\"\n"
    "scalar Int\n"
    "\"The `Float` scalar type represents signed double-precision numbers (IEEE 754).\"\n"
    "scalar Float\n"
    "\"The `Boolean` scalar type represents `true` or `false`.\"\n"
    "scalar Boolean\n"
    "\"The `ID` scalar type is a unique identifier, serialized as a string; input accepts strings and integers.\"\n"
    "scalar ID\n"
    "\"Includes this field or fragment only when `if` is true.\"\n"
    "directive @include(\"Included when true.\" if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT\n"
    "\"Skips this field or fragment when `if` is true.\"\n"
    "directive @skip(\"Skipped when true.\" if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT\n"
    "\"Marks an element of the schema as no longer supported.\"\n"
    "directive @deprecated(\"Why it is deprecated and what to use instead (Markdown).\" reason: String = \"No longer "
    "supported\") on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE\n"
    "\"Links a custom scalar to the specification of its behaviour.\"\n"
    "directive @specifiedBy(\"The URL of the specification.\" url: String!) on SCALAR\n"
    "\"An input object of which exactly one field must be given, and not null.\"\n"
    "directive @oneOf on INPUT_OBJECT\n"
    "\"The capabilities of a GraphQL server: its types, its root operation types and its directives.\"\n"
    "type __Schema {\n"
    "  description: String\n"
    "  \"Every type the schema knows.\"\n"
    "  types: [__Type!]!\n"
    "  \"The root type of queries.\"\n"
    "  queryType: __Type!\n"
    "  \"The root type of mutations, if the schema has any.\"\n"
    "  mutationType: __Type\n"
    "  \"The root type of subscriptions, if the schema has any.\"\n"
    "  subscriptionType: __Type\n"
    "  \"Every directive the schema knows.\"\n"
    "  directives: [__Directive!]!\n"
    "}\n"
    "\"A type of the schema, or a list or non-null wrapper of one; `kind` says which fields apply.\"\n"
    "type __Type {\n"
    "  kind: __TypeKind!\n"
    "  name: String\n"
    "  description: String\n"
    "  specifiedByURL: String\n"
    "  fields(includeDeprecated: Boolean = false): [__Field!]\n"
    "  interfaces: [__Type!]\n"
    "  possibleTypes: [__Type!]\n"
    "  enumValues(includeDeprecated: Boolean = false): [__EnumValue!]\n"
    "  inputFields(includeDeprecated: Boolean = false): [__InputValue!]\n"
    "  ofType: __Type\n"
    "  isOneOf: Boolean\n"
    "}\n"
    "\"What kind of type a `__Type` is.\"\n"
    "enum __TypeKind {\n"
    "  \"A leaf value: a built-in or custom scalar.\"\n"
    "  SCALAR\n"
    "  \"An object with fields; `fields` and `interfaces` are set.\"\n"
    "  OBJECT\n"
    "  \"An abstract type with fields; `fields`, `interfaces` and `possibleTypes` are set.\"\n"
    "  INTERFACE\n"
    "  \"An abstract type, one of several object types; `possibleTypes` is set.\"\n"
    "  UNION\n"
    "  \"A leaf value from a fixed set; `enumValues` is set.\"\n"
    "  ENUM\n"
    "  \"An input object; `inputFields` is set.\"\n"
    "  INPUT_OBJECT\n"
    "  \"A list of another type; `ofType` is set.\"\n"
    "  LIST\n"
    "  \"A non-null form of another type; `ofType` is set.\"\n"
    "  NON_NULL\n"
    "}\n"
    "\"A field of an object or interface type.\"\n"
    "type __Field {\n"
    "  name: String!\n"
    "  description: String\n"
    "  args(includeDeprecated: Boolean = false): [__InputValue!]!\n"
    "  type: __Type!\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\"An argument, or a field of an input object.\"\n"
    "type __InputValue {\n"
    "  name: String!\n"
    "  description: String\n"
    "  type: __Type!\n"
    "  \"The default value as GraphQL source, or null when there is none.\"\n"
    "  defaultValue: String\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\"A value of an enum type.\"\n"
    "type __EnumValue {\n"
    "  name: String!\n"
    "  description: String\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\"A directive the schema knows: where it may appear and what arguments it takes.\"\n"
    "type __Directive {\n"
    "  name: String!\n"
    "  description: String\n"
    "  isRepeatable: Boolean!\n"
    "  locations: [__DirectiveLocation!]!\n"
    "  args(includeDeprecated: Boolean = false): [__InputValue!]!\n"
    "}\n"
    "\"Where a directive may appear.\"\n"
    "enum __DirectiveLocation {\n"
    "  QUERY\n  MUTATION\n  SUBSCRIPTION\n  FIELD\n  FRAGMENT_DEFINITION\n  FRAGMENT_SPREAD\n  INLINE_FRAGMENT\n"
    "  VARIABLE_DEFINITION\n  SCHEMA\n  SCALAR\n  OBJECT\n  FIELD_DEFINITION\n  ARGUMENT_DEFINITION\n  INTERFACE\n"
    "  UNION\n  ENUM\n  ENUM_VALUE\n  INPUT_OBJECT\n  INPUT_FIELD_DEFINITION\n"
    "}\n";

/* ---- helpers ---- */

typedef struct st_intro_ctx_t {
    const bff_schema_t *schema;
    const bff_type_t *t_type, *t_field, *t_input_value, *t_enum_value, *t_directive, *t_schema;
} intro_ctx_t;

static void *parent_ptr(bff_resolve_t *r)
{
    return bff_resolve_parent(r)->u.obj.ptr;
}

static bff_value_t str_or_null(const char *s)
{
    return s != NULL ? bff_value_string(s, strlen(s)) : bff_value_null();
}

static bool include_deprecated(bff_resolve_t *r)
{
    return json_is_true(bff_resolve_arg(r, "includeDeprecated"));
}

static const bff_type_t *named(const bff_typeref_t *ref)
{
    return ref->kind == BFF_TYPEREF_NAMED ? ref->named : NULL;
}

static bff_value_t type_value(const intro_ctx_t *c, const bff_typeref_t *ref)
{
    return ref != NULL ? bff_value_object((void *)ref, c->t_type) : bff_value_null();
}

/* ---- __Schema ---- */

static void schema_description(bff_resolve_t *r, void *ctx)
{
    const bff_schema_t *s = parent_ptr(r);
    bff_resolve_ok(r, str_or_null(s->description));
}

static void schema_types(bff_resolve_t *r, void *ctx)
{
    const intro_ctx_t *c = ctx;
    const bff_schema_t *s = parent_ptr(r);
    bff_value_t list = bff_value_list(bff_resolve_arena(r), s->ntypes);
    size_t n = 0;
    for (uint32_t i = 0; i < s->ntypes; ++i)
        if (bff_exec_visible(bff_resolve_exec(r), s->types[i], NULL))
            list.u.list.items[n++] = type_value(c, s->types[i]->ref);
    list.u.list.len = n;
    bff_resolve_ok(r, list);
}

static void schema_query_type(bff_resolve_t *r, void *ctx)
{
    const bff_schema_t *s = parent_ptr(r);
    bff_resolve_ok(r, type_value(ctx, s->query_type ? s->query_type->ref : NULL));
}

static void schema_mutation_type(bff_resolve_t *r, void *ctx)
{
    const bff_schema_t *s = parent_ptr(r);
    /* a root type none of whose fields the caller may see is left out (else the schema shown is invalid) */
    bool shown = s->mutation_type && bff_exec_visible(bff_resolve_exec(r), s->mutation_type, NULL);
    bff_resolve_ok(r, type_value(ctx, shown ? s->mutation_type->ref : NULL));
}

static void schema_subscription_type(bff_resolve_t *r, void *ctx)
{
    const bff_schema_t *s = parent_ptr(r);
    bool shown = s->subscription_type && bff_exec_visible(bff_resolve_exec(r), s->subscription_type, NULL);
    bff_resolve_ok(r, type_value(ctx, shown ? s->subscription_type->ref : NULL));
}

static void schema_directives(bff_resolve_t *r, void *ctx)
{
    const intro_ctx_t *c = ctx;
    const bff_schema_t *s = parent_ptr(r);
    bff_value_t list = bff_value_list(bff_resolve_arena(r), s->ndirectives);
    for (uint32_t i = 0; i < s->ndirectives; ++i)
        list.u.list.items[i] = bff_value_object(s->directives[i], c->t_directive);
    bff_resolve_ok(r, list);
}

/* ---- __Type ---- */

static void type_kind(bff_resolve_t *r, void *ctx)
{
    static const char *const kinds[] = {"SCALAR", "OBJECT", "INTERFACE", "UNION", "ENUM", "INPUT_OBJECT"};
    const bff_typeref_t *ref = parent_ptr(r);
    const char *k = ref->kind == BFF_TYPEREF_LIST       ? "LIST"
                    : ref->kind == BFF_TYPEREF_NON_NULL ? "NON_NULL"
                                                        : kinds[ref->named->kind];
    bff_resolve_ok(r, bff_value_string(k, strlen(k)));
}

static void type_name(bff_resolve_t *r, void *ctx)
{
    const bff_type_t *t = named(parent_ptr(r));
    bff_resolve_ok(r, str_or_null(t ? t->name : NULL));
}

static void type_description(bff_resolve_t *r, void *ctx)
{
    const bff_type_t *t = named(parent_ptr(r));
    bff_resolve_ok(r, str_or_null(t ? t->description : NULL));
}

static void type_specified_by_url(bff_resolve_t *r, void *ctx)
{
    const bff_type_t *t = named(parent_ptr(r));
    bff_resolve_ok(r, str_or_null(t && t->kind == BFF_TYPE_SCALAR ? t->specified_by_url : NULL));
}

static void type_fields(bff_resolve_t *r, void *ctx)
{
    const intro_ctx_t *c = ctx;
    const bff_type_t *t = named(parent_ptr(r));
    if (t == NULL || (t->kind != BFF_TYPE_OBJECT && t->kind != BFF_TYPE_INTERFACE)) {
        bff_resolve_ok(r, bff_value_null());
        return;
    }
    bool all = include_deprecated(r);
    bff_value_t list = bff_value_list(bff_resolve_arena(r), t->nfields);
    size_t n = 0;
    for (uint32_t i = 0; i < t->nfields; ++i)
        if ((all || !t->fields[i].deprecated) && bff_exec_visible(bff_resolve_exec(r), t, &t->fields[i]))
            list.u.list.items[n++] = bff_value_object(&t->fields[i], c->t_field);
    list.u.list.len = n;
    bff_resolve_ok(r, list);
}

static void type_list(bff_resolve_t *r, const intro_ctx_t *c, const bff_type_t *const *types, uint32_t n)
{
    bff_value_t list = bff_value_list(bff_resolve_arena(r), n);
    size_t k = 0;
    for (uint32_t i = 0; i < n; ++i)
        if (bff_exec_visible(bff_resolve_exec(r), types[i], NULL))
            list.u.list.items[k++] = type_value(c, types[i]->ref);
    list.u.list.len = k;
    bff_resolve_ok(r, list);
}

static void type_interfaces(bff_resolve_t *r, void *ctx)
{
    const bff_type_t *t = named(parent_ptr(r));
    if (t == NULL || (t->kind != BFF_TYPE_OBJECT && t->kind != BFF_TYPE_INTERFACE))
        bff_resolve_ok(r, bff_value_null());
    else
        type_list(r, ctx, t->interfaces, t->ninterfaces);
}

static void type_possible_types(bff_resolve_t *r, void *ctx)
{
    const bff_type_t *t = named(parent_ptr(r));
    if (t == NULL || !bff_type_is_abstract(t))
        bff_resolve_ok(r, bff_value_null());
    else
        type_list(r, ctx, t->possible_types, t->npossible_types);
}

static void type_enum_values(bff_resolve_t *r, void *ctx)
{
    const intro_ctx_t *c = ctx;
    const bff_type_t *t = named(parent_ptr(r));
    if (t == NULL || t->kind != BFF_TYPE_ENUM) {
        bff_resolve_ok(r, bff_value_null());
        return;
    }
    bool all = include_deprecated(r);
    bff_value_t list = bff_value_list(bff_resolve_arena(r), t->nenum_values);
    size_t n = 0;
    for (uint32_t i = 0; i < t->nenum_values; ++i)
        if (all || !t->enum_values[i].deprecated)
            list.u.list.items[n++] = bff_value_object(&t->enum_values[i], c->t_enum_value);
    list.u.list.len = n;
    bff_resolve_ok(r, list);
}

static bff_value_t input_value_list(bff_resolve_t *r, const intro_ctx_t *c, const bff_input_value_t *vs, uint32_t n)
{
    bool all = include_deprecated(r);
    bff_value_t list = bff_value_list(bff_resolve_arena(r), n);
    size_t k = 0;
    for (uint32_t i = 0; i < n; ++i)
        if (all || !vs[i].deprecated)
            list.u.list.items[k++] = bff_value_object((void *)&vs[i], c->t_input_value);
    list.u.list.len = k;
    return list;
}

static void type_input_fields(bff_resolve_t *r, void *ctx)
{
    const bff_type_t *t = named(parent_ptr(r));
    if (t == NULL || t->kind != BFF_TYPE_INPUT_OBJECT)
        bff_resolve_ok(r, bff_value_null());
    else
        bff_resolve_ok(r, input_value_list(r, ctx, t->input_fields, t->ninput_fields));
}

static void type_of_type(bff_resolve_t *r, void *ctx)
{
    const bff_typeref_t *ref = parent_ptr(r);
    bff_resolve_ok(r, type_value(ctx, ref->kind == BFF_TYPEREF_NAMED ? NULL : ref->of));
}

static void type_is_one_of(bff_resolve_t *r, void *ctx)
{
    const bff_type_t *t = named(parent_ptr(r));
    bff_resolve_ok(r, t && t->kind == BFF_TYPE_INPUT_OBJECT ? bff_value_bool(t->one_of) : bff_value_null());
}

/* ---- __Field, __InputValue, __EnumValue, __Directive ---- */

static void field_name(bff_resolve_t *r, void *ctx)
{
    const bff_field_t *f = parent_ptr(r);
    bff_resolve_ok(r, str_or_null(f->name));
}

static void field_description(bff_resolve_t *r, void *ctx)
{
    const bff_field_t *f = parent_ptr(r);
    bff_resolve_ok(r, str_or_null(f->description));
}

static void field_args(bff_resolve_t *r, void *ctx)
{
    const bff_field_t *f = parent_ptr(r);
    bff_resolve_ok(r, input_value_list(r, ctx, f->args, f->nargs));
}

static void field_type(bff_resolve_t *r, void *ctx)
{
    const bff_field_t *f = parent_ptr(r);
    bff_resolve_ok(r, type_value(ctx, f->type));
}

static void field_is_deprecated(bff_resolve_t *r, void *ctx)
{
    const bff_field_t *f = parent_ptr(r);
    bff_resolve_ok(r, bff_value_bool(f->deprecated));
}

static void field_deprecation_reason(bff_resolve_t *r, void *ctx)
{
    const bff_field_t *f = parent_ptr(r);
    bff_resolve_ok(r, str_or_null(f->deprecation_reason));
}

static void input_name(bff_resolve_t *r, void *ctx)
{
    const bff_input_value_t *v = parent_ptr(r);
    bff_resolve_ok(r, str_or_null(v->name));
}

static void input_description(bff_resolve_t *r, void *ctx)
{
    const bff_input_value_t *v = parent_ptr(r);
    bff_resolve_ok(r, str_or_null(v->description));
}

static void input_type(bff_resolve_t *r, void *ctx)
{
    const bff_input_value_t *v = parent_ptr(r);
    bff_resolve_ok(r, type_value(ctx, v->type));
}

static bool is_integer_text(const char *s)
{
    if (*s == '-')
        ++s;
    if (*s == '0')
        return s[1] == '\0';
    if (*s < '1' || *s > '9')
        return false;
    while (*s >= '0' && *s <= '9')
        ++s;
    return *s == '\0';
}

/* graphql-js astFromValue + print, from a coerced JSON value. */
static void print_coerced(bff_buf_t *out, json_t *v, const bff_typeref_t *type)
{
    if (type->kind == BFF_TYPEREF_NON_NULL) {
        print_coerced(out, v, type->of);
        return;
    }
    if (v == NULL || json_is_null(v)) {
        bff_buf_appends(out, "null");
        return;
    }
    if (type->kind == BFF_TYPEREF_LIST) {
        if (!json_is_array(v)) {
            print_coerced(out, v, type->of);
            return;
        }
        bff_buf_appendc(out, '[');
        for (size_t i = 0; i < json_array_size(v); ++i) {
            if (i > 0)
                bff_buf_appends(out, ", ");
            print_coerced(out, json_array_get(v, i), type->of);
        }
        bff_buf_appendc(out, ']');
        return;
    }
    const bff_type_t *t = type->named;
    if (t->kind == BFF_TYPE_INPUT_OBJECT && json_is_object(v)) {
        bff_buf_appendc(out, '{');
        bool first = true;
        for (uint32_t i = 0; i < t->ninput_fields; ++i) {
            json_t *fv = json_object_get(v, t->input_fields[i].name);
            if (fv == NULL)
                continue;
            if (!first)
                bff_buf_appends(out, ", ");
            first = false;
            bff_buf_printf(out, "%s: ", t->input_fields[i].name);
            print_coerced(out, fv, t->input_fields[i].type);
        }
        bff_buf_appendc(out, '}');
        return;
    }
    if (t->kind == BFF_TYPE_ENUM && json_is_string(v)) {
        bff_buf_appends(out, json_string_value(v));
        return;
    }
    switch (json_typeof(v)) {
    case JSON_TRUE:
        bff_buf_appends(out, "true");
        break;
    case JSON_FALSE:
        bff_buf_appends(out, "false");
        break;
    case JSON_INTEGER:
        bff_buf_append_int(out, json_integer_value(v));
        break;
    case JSON_REAL:
        bff_buf_append_double(out, json_real_value(v));
        break;
    case JSON_STRING:
        if (t->kind == BFF_TYPE_SCALAR && t->builtin && strcmp(t->name, "ID") == 0 &&
            is_integer_text(json_string_value(v)))
            bff_buf_appends(out, json_string_value(v));
        else
            bff_gql_print_string(out, json_string_value(v), json_string_length(v));
        break;
    case JSON_ARRAY:
        bff_buf_appendc(out, '[');
        for (size_t i = 0; i < json_array_size(v); ++i) {
            if (i > 0)
                bff_buf_appends(out, ", ");
            print_coerced(out, json_array_get(v, i), type);
        }
        bff_buf_appendc(out, ']');
        break;
    case JSON_OBJECT: {
        bff_buf_appendc(out, '{');
        const char *key;
        json_t *fv;
        bool first = true;
        json_object_foreach(v, key, fv)
        {
            if (!first)
                bff_buf_appends(out, ", ");
            first = false;
            bff_buf_printf(out, "%s: ", key);
            print_coerced(out, fv, type);
        }
        bff_buf_appendc(out, '}');
        break;
    }
    default:
        bff_buf_appends(out, "null");
    }
}

void bff_schema_print_default(bff_buf_t *out, const bff_schema_t *schema, const bff_input_value_t *v)
{
    json_t *coerced = bff_gql_value_from_ast(schema, v->default_value, v->type, NULL);
    if (coerced != NULL)
        print_coerced(out, coerced, v->type);
    else
        bff_gql_print_value(out, v->default_value); /* not coercible: show it as written */
    json_decref(coerced);
}

static void input_default_value(bff_resolve_t *r, void *ctx)
{
    const intro_ctx_t *c = ctx;
    const bff_input_value_t *v = parent_ptr(r);
    if (v->default_value == NULL) {
        bff_resolve_ok(r, bff_value_null());
        return;
    }
    bff_buf_t b = BFF_BUF_INIT;
    bff_schema_print_default(&b, c->schema, v);
    char *s = bff_arena_strndup(bff_resolve_arena(r), b.data ? b.data : "", b.len);
    bff_resolve_ok(r, bff_value_string(s, b.len));
    bff_buf_free(&b);
}

static void input_is_deprecated(bff_resolve_t *r, void *ctx)
{
    const bff_input_value_t *v = parent_ptr(r);
    bff_resolve_ok(r, bff_value_bool(v->deprecated));
}

static void input_deprecation_reason(bff_resolve_t *r, void *ctx)
{
    const bff_input_value_t *v = parent_ptr(r);
    bff_resolve_ok(r, str_or_null(v->deprecation_reason));
}

static void enum_name(bff_resolve_t *r, void *ctx)
{
    const bff_enum_value_t *v = parent_ptr(r);
    bff_resolve_ok(r, str_or_null(v->name));
}

static void enum_description(bff_resolve_t *r, void *ctx)
{
    const bff_enum_value_t *v = parent_ptr(r);
    bff_resolve_ok(r, str_or_null(v->description));
}

static void enum_is_deprecated(bff_resolve_t *r, void *ctx)
{
    const bff_enum_value_t *v = parent_ptr(r);
    bff_resolve_ok(r, bff_value_bool(v->deprecated));
}

static void enum_deprecation_reason(bff_resolve_t *r, void *ctx)
{
    const bff_enum_value_t *v = parent_ptr(r);
    bff_resolve_ok(r, str_or_null(v->deprecation_reason));
}

static void directive_name(bff_resolve_t *r, void *ctx)
{
    const bff_directive_def_t *d = parent_ptr(r);
    bff_resolve_ok(r, str_or_null(d->name));
}

static void directive_description(bff_resolve_t *r, void *ctx)
{
    const bff_directive_def_t *d = parent_ptr(r);
    bff_resolve_ok(r, str_or_null(d->description));
}

static void directive_is_repeatable(bff_resolve_t *r, void *ctx)
{
    const bff_directive_def_t *d = parent_ptr(r);
    bff_resolve_ok(r, bff_value_bool(d->repeatable));
}

static void directive_locations(bff_resolve_t *r, void *ctx)
{
    const bff_directive_def_t *d = parent_ptr(r);
    size_t n = 0;
    for (int i = 0; i < BFF_DIRLOC_COUNT; ++i)
        n += (d->locations >> i) & 1;
    bff_value_t list = bff_value_list(bff_resolve_arena(r), n);
    /* in the order the definition lists them */
    size_t k = 0;
    for (uint32_t i = 0; d->node != NULL && i < d->node->locations.len && k < n; ++i) {
        const char *name = d->node->locations.items[i]->name;
        list.u.list.items[k++] = bff_value_string(name, strlen(name));
    }
    list.u.list.len = k;
    bff_resolve_ok(r, list);
}

static void directive_args(bff_resolve_t *r, void *ctx)
{
    const bff_directive_def_t *d = parent_ptr(r);
    bff_resolve_ok(r, input_value_list(r, ctx, d->args, d->nargs));
}

/* ---- meta fields ---- */

static void meta_schema(bff_resolve_t *r, void *ctx)
{
    const intro_ctx_t *c = ctx;
    bff_resolve_ok(r, bff_value_object((void *)c->schema, c->t_schema));
}

static void meta_type(bff_resolve_t *r, void *ctx)
{
    const intro_ctx_t *c = ctx;
    json_t *name = bff_resolve_arg(r, "name");
    const bff_type_t *t = json_is_string(name) ? bff_schema_type(c->schema, json_string_value(name)) : NULL;
    if (t != NULL && !bff_exec_visible(bff_resolve_exec(r), t, NULL))
        t = NULL; /* a type the caller may not see does not exist for it */
    bff_resolve_ok(r, type_value(c, t ? t->ref : NULL));
}

static const bff_typeref_t *wrap(bff_arena_t *arena, bff_typeref_kind_t kind, const bff_typeref_t *of)
{
    bff_typeref_t *r = bff_arena_calloc(arena, 1, sizeof(*r));
    r->kind = kind;
    r->of = of;
    return r;
}

void bff_schema_add_meta_fields(bff_schema_t *schema)
{
    bff_arena_t *a = schema->arena;
    const bff_type_t *string = bff_schema_type(schema, "String");
    const bff_type_t *s = bff_schema_type(schema, "__Schema");
    const bff_type_t *t = bff_schema_type(schema, "__Type");
    bff_field_t *f = bff_arena_calloc(a, 3, sizeof(*f));
    f[0].name = "__typename";
    f[0].description = "The name of the object type of this value.";
    f[0].type = wrap(a, BFF_TYPEREF_NON_NULL, string->ref);
    f[1].name = "__schema";
    f[1].description = "Access the current type schema of this server.";
    f[1].type = wrap(a, BFF_TYPEREF_NON_NULL, s->ref);
    f[2].name = "__type";
    f[2].description = "Request the type information of a single type.";
    f[2].type = t->ref;
    f[2].nargs = 1;
    bff_input_value_t *arg = bff_arena_calloc(a, 1, sizeof(*arg));
    arg->name = "name";
    arg->type = wrap(a, BFF_TYPEREF_NON_NULL, string->ref);
    f[2].args = arg;
    schema->typename_field = &f[0];
    schema->schema_field = &f[1];
    schema->type_field = &f[2];
}

static const struct {
    const char *type, *field;
    bff_resolver_fn fn;
} resolvers[] = {
    {"__Schema", "description", schema_description},
    {"__Schema", "types", schema_types},
    {"__Schema", "queryType", schema_query_type},
    {"__Schema", "mutationType", schema_mutation_type},
    {"__Schema", "subscriptionType", schema_subscription_type},
    {"__Schema", "directives", schema_directives},
    {"__Type", "kind", type_kind},
    {"__Type", "name", type_name},
    {"__Type", "description", type_description},
    {"__Type", "specifiedByURL", type_specified_by_url},
    {"__Type", "fields", type_fields},
    {"__Type", "interfaces", type_interfaces},
    {"__Type", "possibleTypes", type_possible_types},
    {"__Type", "enumValues", type_enum_values},
    {"__Type", "inputFields", type_input_fields},
    {"__Type", "ofType", type_of_type},
    {"__Type", "isOneOf", type_is_one_of},
    {"__Field", "name", field_name},
    {"__Field", "description", field_description},
    {"__Field", "args", field_args},
    {"__Field", "type", field_type},
    {"__Field", "isDeprecated", field_is_deprecated},
    {"__Field", "deprecationReason", field_deprecation_reason},
    {"__InputValue", "name", input_name},
    {"__InputValue", "description", input_description},
    {"__InputValue", "type", input_type},
    {"__InputValue", "defaultValue", input_default_value},
    {"__InputValue", "isDeprecated", input_is_deprecated},
    {"__InputValue", "deprecationReason", input_deprecation_reason},
    {"__EnumValue", "name", enum_name},
    {"__EnumValue", "description", enum_description},
    {"__EnumValue", "isDeprecated", enum_is_deprecated},
    {"__EnumValue", "deprecationReason", enum_deprecation_reason},
    {"__Directive", "name", directive_name},
    {"__Directive", "description", directive_description},
    {"__Directive", "isRepeatable", directive_is_repeatable},
    {"__Directive", "locations", directive_locations},
    {"__Directive", "args", directive_args},
};

void bff_introspection_bind(bff_schema_t *schema)
{
    intro_ctx_t *c = bff_arena_calloc(schema->arena, 1, sizeof(*c));
    c->schema = schema;
    c->t_type = bff_schema_type(schema, "__Type");
    c->t_field = bff_schema_type(schema, "__Field");
    c->t_input_value = bff_schema_type(schema, "__InputValue");
    c->t_enum_value = bff_schema_type(schema, "__EnumValue");
    c->t_directive = bff_schema_type(schema, "__Directive");
    c->t_schema = bff_schema_type(schema, "__Schema");
    for (size_t i = 0; i < sizeof(resolvers) / sizeof(resolvers[0]); ++i)
        bff_schema_bind_resolver(schema, resolvers[i].type, resolvers[i].field, resolvers[i].fn, c);
    bff_field_t *sf = (bff_field_t *)schema->schema_field, *tf = (bff_field_t *)schema->type_field;
    sf->resolve = meta_schema;
    sf->resolve_ctx = c;
    tf->resolve = meta_type;
    tf->resolve_ctx = c;
}
