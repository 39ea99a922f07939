/*
 * schema_validate.c - the checks a schema must pass before it serves:
 *
 *  - SDL rules on the documents (graphql-js assertValidSDL): unique names of
 *    types, fields, arguments, enum values, directives and operation types;
 *    one schema definition; known types and directives; directives only where
 *    they may appear and once unless repeatable; extensions only of defined
 *    types of the same kind; known, unique and required directive arguments;
 *    unique input object fields.
 *  - Type-system rules on the built schema (spec section 3, graphql-js
 *    validateSchema): root types, reserved "__" names, non-empty types,
 *    input/output positions, interface implementation (fields, covariant
 *    types, arguments, transitive interfaces, no cycles), union members,
 *    @oneOf input objects, and input objects that cannot be built because of a
 *    cycle of non-null fields.
 *
 * Messages are graphql-js 16's, so schema owners see the same words whatever
 * tool they use. Errors and their messages are allocated in the caller's
 * error arena; the pass keeps no state after it returns.
 */
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "schema_internal.h"

typedef struct st_sdl_t {
    bff_arena_t *arena;
    bff_gql_errors_t *errs;
    size_t nerrors;
    bff_ast_node_t *const *docs;
    size_t ndocs;
    bff_names_t defined;    /* type name -> first definition */
    bff_names_t directives; /* directive name -> first definition (user) */
    bff_names_t ext_dirs;   /* "Type" -> names table of non-repeatable directives seen (shared by def + extensions) */
    const char **type_names;
    size_t ntype_names;
} sdl_t;

static const char *const standard_type_names[] = {"String",  "Int",        "Float",        "Boolean",
                                                  "ID",      "__Schema",   "__Directive",  "__DirectiveLocation",
                                                  "__Type",  "__Field",    "__InputValue", "__EnumValue",
                                                  "__TypeKind"};

/* The specified directives, as the SDL rules need them: args and whether each is required, and locations. */
typedef struct st_spec_directive_t {
    const char *name;
    const char *args[2];
    const char *arg_types[2];
    bool arg_required[2];
    bool repeatable;
    uint32_t locations;
} spec_directive_t;

#define LOC(x) (1u << BFF_DIRLOC_##x)
static const spec_directive_t spec_directives[] = {
    {"include", {"if"}, {"Boolean!"}, {true}, false, LOC(FIELD) | LOC(FRAGMENT_SPREAD) | LOC(INLINE_FRAGMENT)},
    {"skip", {"if"}, {"Boolean!"}, {true}, false, LOC(FIELD) | LOC(FRAGMENT_SPREAD) | LOC(INLINE_FRAGMENT)},
    {"deprecated",
     {"reason"},
     {"String"},
     {false},
     false,
     LOC(FIELD_DEFINITION) | LOC(ARGUMENT_DEFINITION) | LOC(INPUT_FIELD_DEFINITION) | LOC(ENUM_VALUE)},
    {"specifiedBy", {"url"}, {"String!"}, {true}, false, LOC(SCALAR)},
    {"oneOf", {NULL}, {NULL}, {false}, false, LOC(INPUT_OBJECT)},
};

static bff_gql_error_t *report(sdl_t *s, const char *message)
{
    s->nerrors++;
    return bff_gql_errors_add(s->errs, s->arena, NULL, message);
}

static void at(sdl_t *s, bff_gql_error_t *e, bff_ast_loc_t loc)
{
    bff_gql_error_add_loc(e, s->arena, loc);
}

static bool is_type_def(bff_ast_kind_t k)
{
    return k == BFF_AST_SCALAR_TYPE_DEFINITION || k == BFF_AST_OBJECT_TYPE_DEFINITION ||
           k == BFF_AST_INTERFACE_TYPE_DEFINITION || k == BFF_AST_UNION_TYPE_DEFINITION ||
           k == BFF_AST_ENUM_TYPE_DEFINITION || k == BFF_AST_INPUT_OBJECT_TYPE_DEFINITION;
}

static bool is_type_ext(bff_ast_kind_t k)
{
    return k == BFF_AST_SCALAR_TYPE_EXTENSION || k == BFF_AST_OBJECT_TYPE_EXTENSION ||
           k == BFF_AST_INTERFACE_TYPE_EXTENSION || k == BFF_AST_UNION_TYPE_EXTENSION ||
           k == BFF_AST_ENUM_TYPE_EXTENSION || k == BFF_AST_INPUT_OBJECT_TYPE_EXTENSION;
}

/* ---- directives as used ---- */

/* What a directive name refers to: a user definition, a specified directive, or nothing. */
typedef struct st_dir_info_t {
    const bff_ast_node_t *def;
    const spec_directive_t *spec;
} dir_info_t;

static dir_info_t find_directive(sdl_t *s, const char *name)
{
    dir_info_t d = {bff_names_get(&s->directives, name), NULL};
    if (d.def == NULL)
        for (size_t i = 0; i < sizeof(spec_directives) / sizeof(spec_directives[0]); ++i)
            if (strcmp(spec_directives[i].name, name) == 0)
                d.spec = &spec_directives[i];
    return d;
}

static bool directive_repeatable(dir_info_t d)
{
    return d.def ? d.def->repeatable : d.spec->repeatable;
}

static uint32_t directive_locations(dir_info_t d)
{
    if (d.spec)
        return d.spec->locations;
    uint32_t locs = 0;
    for (uint32_t i = 0; i < d.def->locations.len; ++i) {
        int l = bff_directive_location_parse(d.def->locations.items[i]->name);
        if (l >= 0)
            locs |= 1u << l;
    }
    return locs;
}

static void check_object_value_fields(sdl_t *s, const bff_ast_node_t *value);

/* UniqueArgumentNames, KnownArgumentNamesOnDirectives, ProvidedRequiredArgumentsOnDirectives for one directive. */
static void check_directive_arguments(sdl_t *s, const bff_ast_node_t *dir, dir_info_t info)
{
    const bff_ast_list_t *args = &dir->arguments;
    for (uint32_t i = 0; i < args->len; ++i) {
        bool first = true;
        for (uint32_t j = 0; j < i && first; ++j)
            first = strcmp(args->items[j]->name, args->items[i]->name) != 0;
        if (!first)
            continue;
        uint32_t count = 0;
        for (uint32_t j = i; j < args->len; ++j)
            count += strcmp(args->items[j]->name, args->items[i]->name) == 0;
        if (count > 1) {
            bff_gql_error_t *e = report(
                s, bff_arena_printf(s->arena, "There can be only one argument named \"%s\".", args->items[i]->name));
            for (uint32_t j = i; j < args->len; ++j)
                if (strcmp(args->items[j]->name, args->items[i]->name) == 0)
                    at(s, e, args->items[j]->name_loc);
        }
    }
    for (uint32_t i = 0; i < args->len; ++i)
        check_object_value_fields(s, args->items[i]->value);
    if (info.def == NULL && info.spec == NULL)
        return;
    /* known argument names */
    const char *known[64];
    size_t nknown = 0;
    if (info.def)
        for (uint32_t i = 0; i < info.def->arguments.len && nknown < 64; ++i)
            known[nknown++] = info.def->arguments.items[i]->name;
    else
        for (size_t i = 0; i < 2 && info.spec->args[i]; ++i)
            known[nknown++] = info.spec->args[i];
    for (uint32_t i = 0; i < args->len; ++i) {
        bool found = false;
        for (size_t k = 0; k < nknown && !found; ++k)
            found = strcmp(known[k], args->items[i]->name) == 0;
        if (found)
            continue;
        bff_buf_t b = BFF_BUF_INIT;
        bff_buf_printf(&b, "Unknown argument \"%s\" on directive \"@%s\".", args->items[i]->name, dir->name);
        const char **sugg;
        size_t n = bff_suggestion_list(s->arena, args->items[i]->name, known, nknown, &sugg);
        bff_did_you_mean(&b, NULL, sugg, n);
        bff_buf_appendc(&b, '\0');
        at(s, report(s, bff_arena_strdup(s->arena, b.data)), args->items[i]->loc);
        bff_buf_free(&b);
    }
    /* required arguments */
    if (info.def) {
        for (uint32_t i = 0; i < info.def->arguments.len; ++i) {
            const bff_ast_node_t *ad = info.def->arguments.items[i];
            if (ad->type->kind != BFF_AST_NON_NULL_TYPE || ad->default_value != NULL)
                continue;
            bool given = false;
            for (uint32_t j = 0; j < args->len && !given; ++j)
                given = strcmp(args->items[j]->name, ad->name) == 0;
            if (!given) {
                char *type = bff_gql_print(s->arena, ad->type, NULL);
                at(s,
                   report(s, bff_arena_printf(s->arena,
                                              "Directive \"@%s\" argument \"%s\" of type \"%s\" is required, but it "
                                              "was not provided.",
                                              dir->name, ad->name, type)),
                   dir->loc);
            }
        }
    } else {
        for (size_t i = 0; i < 2 && info.spec->args[i]; ++i) {
            if (!info.spec->arg_required[i])
                continue;
            bool given = false;
            for (uint32_t j = 0; j < args->len && !given; ++j)
                given = strcmp(args->items[j]->name, info.spec->args[i]) == 0;
            if (!given)
                at(s,
                   report(s, bff_arena_printf(s->arena,
                                              "Directive \"@%s\" argument \"%s\" of type \"%s\" is required, but it "
                                              "was not provided.",
                                              dir->name, info.spec->args[i], info.spec->arg_types[i])),
                   dir->loc);
        }
    }
}

/*
 * KnownDirectives and UniqueDirectivesPerLocation for the directives on one
 * node. `seen` is the table of non-repeatable directives already used at the
 * location (shared between a type and its extensions).
 */
static void check_directives(sdl_t *s, const bff_ast_list_t *dirs, bff_directive_location_t location, bff_names_t *seen)
{
    for (uint32_t i = 0; i < dirs->len; ++i) {
        const bff_ast_node_t *d = dirs->items[i];
        dir_info_t info = find_directive(s, d->name);
        if (info.def == NULL && info.spec == NULL) {
            at(s, report(s, bff_arena_printf(s->arena, "Unknown directive \"@%s\".", d->name)), d->loc);
        } else {
            if ((directive_locations(info) & (1u << location)) == 0)
                at(s,
                   report(s, bff_arena_printf(s->arena, "Directive \"@%s\" may not be used on %s.", d->name,
                                              bff_directive_location_name(location))),
                   d->loc);
            if (!directive_repeatable(info)) {
                const bff_ast_node_t *prev = bff_names_get(seen, d->name);
                if (prev != NULL) {
                    bff_gql_error_t *e = report(
                        s, bff_arena_printf(s->arena, "The directive \"@%s\" can only be used once at this location.",
                                            d->name));
                    at(s, e, prev->loc);
                    at(s, e, d->loc);
                } else {
                    bff_names_put(seen, s->arena, d->name, (void *)d);
                }
            }
        }
        check_directive_arguments(s, d, info);
    }
}

static void check_directives_fresh(sdl_t *s, const bff_ast_list_t *dirs, bff_directive_location_t location)
{
    bff_names_t seen;
    bff_names_init(&seen, s->arena, dirs->len + 1);
    check_directives(s, dirs, location, &seen);
}

/* UniqueInputFieldNames inside a value (directive arguments, default values). */
static void check_object_value_fields(sdl_t *s, const bff_ast_node_t *v)
{
    if (v == NULL)
        return;
    if (v->kind == BFF_AST_LIST_VALUE) {
        for (uint32_t i = 0; i < v->values.len; ++i)
            check_object_value_fields(s, v->values.items[i]);
    } else if (v->kind == BFF_AST_OBJECT_VALUE) {
        for (uint32_t i = 0; i < v->fields.len; ++i) {
            const bff_ast_node_t *f = v->fields.items[i];
            for (uint32_t j = 0; j < i; ++j) {
                if (strcmp(v->fields.items[j]->name, f->name) == 0) {
                    bff_gql_error_t *e = report(
                        s, bff_arena_printf(s->arena, "There can be only one input field named \"%s\".", f->name));
                    at(s, e, v->fields.items[j]->name_loc);
                    at(s, e, f->name_loc);
                    break;
                }
            }
            check_object_value_fields(s, f->value);
        }
    }
}

/* ---- type references ---- */

static bool type_name_known(sdl_t *s, const char *name)
{
    if (bff_names_get(&s->defined, name) != NULL)
        return true;
    for (size_t i = 0; i < sizeof(standard_type_names) / sizeof(standard_type_names[0]); ++i)
        if (strcmp(standard_type_names[i], name) == 0)
            return true;
    return false;
}

static void check_type_ref(sdl_t *s, const bff_ast_node_t *type)
{
    while (type->kind != BFF_AST_NAMED_TYPE)
        type = type->type;
    if (type_name_known(s, type->name))
        return;
    size_t nopts = sizeof(standard_type_names) / sizeof(standard_type_names[0]) + s->ntype_names;
    const char **opts = bff_arena_alloc(s->arena, (nopts + 1) * sizeof(*opts));
    size_t k = 0;
    for (size_t i = 0; i < sizeof(standard_type_names) / sizeof(standard_type_names[0]); ++i)
        opts[k++] = standard_type_names[i];
    for (size_t i = 0; i < s->ntype_names; ++i)
        opts[k++] = s->type_names[i];
    const char **sugg;
    size_t n = bff_suggestion_list(s->arena, type->name, opts, k, &sugg);
    bff_buf_t b = BFF_BUF_INIT;
    bff_buf_printf(&b, "Unknown type \"%s\".", type->name);
    bff_did_you_mean(&b, NULL, sugg, n);
    bff_buf_appendc(&b, '\0');
    at(s, report(s, bff_arena_strdup(s->arena, b.data)), type->loc);
    bff_buf_free(&b);
}

static void check_input_value_defs(sdl_t *s, const bff_ast_list_t *args, const char *parent_name,
                                   bff_directive_location_t location)
{
    for (uint32_t i = 0; i < args->len; ++i) {
        const bff_ast_node_t *a = args->items[i];
        check_type_ref(s, a->type);
        check_object_value_fields(s, a->default_value);
        check_directives_fresh(s, &a->directives, location);
    }
    if (parent_name == NULL)
        return;
    /* UniqueArgumentDefinitionNames: one error per duplicated name, at every occurrence */
    for (uint32_t i = 0; i < args->len; ++i) {
        bool first = true;
        for (uint32_t j = 0; j < i && first; ++j)
            first = strcmp(args->items[j]->name, args->items[i]->name) != 0;
        uint32_t count = 0;
        for (uint32_t j = i; j < args->len; ++j)
            count += strcmp(args->items[j]->name, args->items[i]->name) == 0;
        if (!first || count < 2)
            continue;
        bff_gql_error_t *e =
            report(s, bff_arena_printf(s->arena, "Argument \"%s(%s:)\" can only be defined once.", parent_name,
                                       args->items[i]->name));
        for (uint32_t j = i; j < args->len; ++j)
            if (strcmp(args->items[j]->name, args->items[i]->name) == 0)
                at(s, e, args->items[j]->name_loc);
    }
}

/* ---- per definition ---- */

bff_directive_location_t bff_directive_location_of_definition(bff_ast_kind_t k)
{
    switch (k) {
    case BFF_AST_SCHEMA_DEFINITION:
    case BFF_AST_SCHEMA_EXTENSION:
        return BFF_DIRLOC_SCHEMA;
    case BFF_AST_SCALAR_TYPE_DEFINITION:
    case BFF_AST_SCALAR_TYPE_EXTENSION:
        return BFF_DIRLOC_SCALAR;
    case BFF_AST_OBJECT_TYPE_DEFINITION:
    case BFF_AST_OBJECT_TYPE_EXTENSION:
        return BFF_DIRLOC_OBJECT;
    case BFF_AST_INTERFACE_TYPE_DEFINITION:
    case BFF_AST_INTERFACE_TYPE_EXTENSION:
        return BFF_DIRLOC_INTERFACE;
    case BFF_AST_UNION_TYPE_DEFINITION:
    case BFF_AST_UNION_TYPE_EXTENSION:
        return BFF_DIRLOC_UNION;
    case BFF_AST_ENUM_TYPE_DEFINITION:
    case BFF_AST_ENUM_TYPE_EXTENSION:
        return BFF_DIRLOC_ENUM;
    default:
        return BFF_DIRLOC_INPUT_OBJECT;
    }
}

/* The table of non-repeatable directives already seen on a type (definition and extensions share it). */
static bff_names_t *type_seen(sdl_t *s, const char *name)
{
    bff_names_t *seen = bff_names_get(&s->ext_dirs, name);
    if (seen == NULL) {
        seen = bff_arena_calloc(s->arena, 1, sizeof(*seen));
        bff_names_init(seen, s->arena, 8);
        bff_names_put(&s->ext_dirs, s->arena, name, seen);
    }
    return seen;
}

/* Members (fields, values) already seen per type, shared between a definition and its extensions. */
typedef struct st_member_seen_t {
    bff_names_t names; /* member name -> the node where it was first defined */
} member_seen_t;

static member_seen_t *members_of(sdl_t *s, bff_names_t *table, const char *type_name)
{
    member_seen_t *m = bff_names_get(table, type_name);
    if (m == NULL) {
        m = bff_arena_calloc(s->arena, 1, sizeof(*m));
        bff_names_init(&m->names, s->arena, 8);
        bff_names_put(table, s->arena, type_name, m);
    }
    return m;
}

static const char *ext_kind_name(bff_ast_kind_t k)
{
    switch (k) {
    case BFF_AST_SCALAR_TYPE_EXTENSION:
        return "scalar";
    case BFF_AST_OBJECT_TYPE_EXTENSION:
        return "object";
    case BFF_AST_INTERFACE_TYPE_EXTENSION:
        return "interface";
    case BFF_AST_UNION_TYPE_EXTENSION:
        return "union";
    case BFF_AST_ENUM_TYPE_EXTENSION:
        return "enum";
    default:
        return "input object";
    }
}

static bff_ast_kind_t def_kind_of_ext(bff_ast_kind_t k)
{
    switch (k) {
    case BFF_AST_SCALAR_TYPE_EXTENSION:
        return BFF_AST_SCALAR_TYPE_DEFINITION;
    case BFF_AST_OBJECT_TYPE_EXTENSION:
        return BFF_AST_OBJECT_TYPE_DEFINITION;
    case BFF_AST_INTERFACE_TYPE_EXTENSION:
        return BFF_AST_INTERFACE_TYPE_DEFINITION;
    case BFF_AST_UNION_TYPE_EXTENSION:
        return BFF_AST_UNION_TYPE_DEFINITION;
    case BFF_AST_ENUM_TYPE_EXTENSION:
        return BFF_AST_ENUM_TYPE_DEFINITION;
    default:
        return BFF_AST_INPUT_OBJECT_TYPE_DEFINITION;
    }
}

static void check_extension_target(sdl_t *s, const bff_ast_node_t *ext)
{
    const bff_ast_node_t *def = bff_names_get(&s->defined, ext->name);
    if (def != NULL) {
        if (def->kind != def_kind_of_ext(ext->kind)) {
            bff_gql_error_t *e = report(s, bff_arena_printf(s->arena, "Cannot extend non-%s type \"%s\".",
                                                            ext_kind_name(ext->kind), ext->name));
            at(s, e, def->loc);
            at(s, e, ext->loc);
        }
        return;
    }
    const char **sugg;
    size_t n = bff_suggestion_list(s->arena, ext->name, s->type_names, s->ntype_names, &sugg);
    bff_buf_t b = BFF_BUF_INIT;
    bff_buf_printf(&b, "Cannot extend type \"%s\" because it is not defined.", ext->name);
    bff_did_you_mean(&b, NULL, sugg, n);
    bff_buf_appendc(&b, '\0');
    at(s, report(s, bff_arena_strdup(s->arena, b.data)), ext->name_loc);
    bff_buf_free(&b);
}

static void check_type_node(sdl_t *s, const bff_ast_node_t *n, bff_names_t *fields_seen, bff_names_t *values_seen)
{
    check_directives(s, &n->directives, bff_directive_location_of_definition(n->kind), type_seen(s, n->name));
    for (uint32_t i = 0; i < n->interfaces.len; ++i)
        check_type_ref(s, n->interfaces.items[i]);
    for (uint32_t i = 0; i < n->types.len; ++i)
        check_type_ref(s, n->types.items[i]);
    bool input = n->kind == BFF_AST_INPUT_OBJECT_TYPE_DEFINITION || n->kind == BFF_AST_INPUT_OBJECT_TYPE_EXTENSION;
    if (n->fields.len > 0) {
        member_seen_t *seen = members_of(s, fields_seen, n->name);
        for (uint32_t i = 0; i < n->fields.len; ++i) {
            const bff_ast_node_t *f = n->fields.items[i];
            const bff_ast_node_t *prev = bff_names_get(&seen->names, f->name);
            if (prev != NULL) {
                bff_gql_error_t *e = report(
                    s, bff_arena_printf(s->arena, "Field \"%s.%s\" can only be defined once.", n->name, f->name));
                at(s, e, prev->name_loc);
                at(s, e, f->name_loc);
            } else {
                bff_names_put(&seen->names, s->arena, f->name, (void *)f);
            }
            if (input) {
                check_type_ref(s, f->type);
                check_object_value_fields(s, f->default_value);
                check_directives_fresh(s, &f->directives, BFF_DIRLOC_INPUT_FIELD_DEFINITION);
            } else {
                check_directives_fresh(s, &f->directives, BFF_DIRLOC_FIELD_DEFINITION);
                check_input_value_defs(s, &f->arguments, bff_arena_printf(s->arena, "%s.%s", n->name, f->name),
                                       BFF_DIRLOC_ARGUMENT_DEFINITION);
                check_type_ref(s, f->type);
            }
        }
    }
    if (n->values.len > 0) {
        member_seen_t *seen = members_of(s, values_seen, n->name);
        for (uint32_t i = 0; i < n->values.len; ++i) {
            const bff_ast_node_t *v = n->values.items[i];
            const bff_ast_node_t *prev = bff_names_get(&seen->names, v->name);
            if (prev != NULL) {
                bff_gql_error_t *e = report(
                    s, bff_arena_printf(s->arena, "Enum value \"%s.%s\" can only be defined once.", n->name, v->name));
                at(s, e, prev->name_loc);
                at(s, e, v->name_loc);
            } else {
                bff_names_put(&seen->names, s->arena, v->name, (void *)v);
            }
            check_directives_fresh(s, &v->directives, BFF_DIRLOC_ENUM_VALUE);
        }
    }
}

size_t bff_schema_validate_sdl(bff_ast_node_t *const *docs, size_t ndocs, bff_arena_t *arena, bff_gql_errors_t *errs)
{
    sdl_t s = {.arena = arena, .errs = errs, .docs = docs, .ndocs = ndocs};
    bff_names_init(&s.defined, arena, 64);
    bff_names_init(&s.directives, arena, 16);
    bff_names_init(&s.ext_dirs, arena, 64);
    size_t ntypes = 0;
    for (size_t d = 0; d < ndocs; ++d)
        for (uint32_t i = 0; i < docs[d]->definitions.len; ++i)
            ntypes += is_type_def(docs[d]->definitions.items[i]->kind);
    s.type_names = bff_arena_calloc(arena, ntypes + 1, sizeof(*s.type_names));

    /* first pass: what is defined (first definition wins), with the uniqueness rules on names */
    const bff_ast_node_t *schema_def = NULL;
    bff_names_t op_types;
    bff_names_init(&op_types, arena, 4);
    for (size_t d = 0; d < ndocs; ++d) {
        for (uint32_t i = 0; i < docs[d]->definitions.len; ++i) {
            const bff_ast_node_t *n = docs[d]->definitions.items[i];
            if (is_type_def(n->kind)) {
                const bff_ast_node_t *prev = bff_names_get(&s.defined, n->name);
                if (prev != NULL) {
                    bff_gql_error_t *e =
                        report(&s, bff_arena_printf(arena, "There can be only one type named \"%s\".", n->name));
                    at(&s, e, prev->name_loc);
                    at(&s, e, n->name_loc);
                } else {
                    bff_names_put(&s.defined, arena, n->name, (void *)n);
                    s.type_names[s.ntype_names++] = n->name;
                }
            } else if (n->kind == BFF_AST_DIRECTIVE_DEFINITION) {
                const bff_ast_node_t *prev = bff_names_get(&s.directives, n->name);
                if (prev != NULL) {
                    bff_gql_error_t *e = report(
                        &s, bff_arena_printf(arena, "There can be only one directive named \"@%s\".", n->name));
                    at(&s, e, prev->name_loc);
                    at(&s, e, n->name_loc);
                } else {
                    bff_names_put(&s.directives, arena, n->name, (void *)n);
                }
            } else if (n->kind == BFF_AST_SCHEMA_DEFINITION) {
                if (schema_def != NULL)
                    at(&s, report(&s, "Must provide only one schema definition."), n->loc);
                else
                    schema_def = n;
            }
        }
    }

    /* second pass: everything else, in document order */
    bff_names_t fields_seen, values_seen, schema_dirs;
    bff_names_init(&fields_seen, arena, 64);
    bff_names_init(&values_seen, arena, 16);
    bff_names_init(&schema_dirs, arena, 4);
    for (size_t d = 0; d < ndocs; ++d) {
        for (uint32_t i = 0; i < docs[d]->definitions.len; ++i) {
            const bff_ast_node_t *n = docs[d]->definitions.items[i];
            if (is_type_def(n->kind) || is_type_ext(n->kind)) {
                if (is_type_ext(n->kind))
                    check_extension_target(&s, n);
                check_type_node(&s, n, &fields_seen, &values_seen);
            } else if (n->kind == BFF_AST_DIRECTIVE_DEFINITION) {
                check_input_value_defs(&s, &n->arguments, bff_arena_printf(arena, "@%s", n->name),
                                       BFF_DIRLOC_ARGUMENT_DEFINITION);
            } else if (n->kind == BFF_AST_SCHEMA_DEFINITION || n->kind == BFF_AST_SCHEMA_EXTENSION) {
                check_directives(&s, &n->directives, BFF_DIRLOC_SCHEMA, &schema_dirs);
                for (uint32_t j = 0; j < n->operation_types.len; ++j) {
                    const bff_ast_node_t *ot = n->operation_types.items[j];
                    const char *op = bff_operation_name(ot->operation);
                    const bff_ast_node_t *prev = bff_names_get(&op_types, op);
                    if (prev != NULL) {
                        bff_gql_error_t *e =
                            report(&s, bff_arena_printf(arena, "There can be only one %s type in schema.", op));
                        at(&s, e, prev->loc);
                        at(&s, e, ot->loc);
                    } else {
                        bff_names_put(&op_types, arena, op, (void *)ot);
                    }
                    check_type_ref(&s, ot->type);
                }
            }
        }
    }
    return s.nerrors;
}

/* ---- type-system rules on the built schema ---- */

typedef struct st_tv_t {
    const bff_schema_t *schema;
    bff_arena_t *arena;
    bff_gql_errors_t *errs;
    size_t nerrors;
} tv_t;

static bff_gql_error_t *tv_report(tv_t *v, const bff_ast_node_t *node, const char *message)
{
    v->nerrors++;
    bff_gql_error_t *e = bff_gql_errors_add(v->errs, v->arena, NULL, message);
    if (node != NULL)
        bff_gql_error_add_loc(e, v->arena, node->loc);
    return e;
}

static const char *typeref_str(tv_t *v, const bff_typeref_t *t)
{
    bff_buf_t b = BFF_BUF_INIT;
    bff_typeref_print(&b, t);
    char *s = bff_arena_strndup(v->arena, b.data, b.len);
    bff_buf_free(&b);
    return s;
}

static void check_name(tv_t *v, const char *name, const bff_ast_node_t *node)
{
    if (name[0] == '_' && name[1] == '_')
        tv_report(v, node,
                  bff_arena_printf(v->arena,
                                   "Name \"%s\" must not begin with \"__\", which is reserved by GraphQL introspection.",
                                   name));
}

static bool is_required_arg(const bff_input_value_t *a)
{
    return a->type->kind == BFF_TYPEREF_NON_NULL && a->default_value == NULL;
}

static void check_roots(tv_t *v)
{
    const bff_schema_t *s = v->schema;
    if (s->query_type == NULL)
        tv_report(v, NULL, "Query root type must be provided.");
    else if (s->query_type->kind != BFF_TYPE_OBJECT)
        tv_report(v, s->query_type->node,
                  bff_arena_printf(v->arena, "Query root type must be Object type, it cannot be %s.",
                                   s->query_type->name));
    if (s->mutation_type != NULL && s->mutation_type->kind != BFF_TYPE_OBJECT)
        tv_report(v, s->mutation_type->node,
                  bff_arena_printf(v->arena, "Mutation root type must be Object type if provided, it cannot be %s.",
                                   s->mutation_type->name));
    if (s->subscription_type != NULL && s->subscription_type->kind != BFF_TYPE_OBJECT)
        tv_report(v, s->subscription_type->node,
                  bff_arena_printf(v->arena,
                                   "Subscription root type must be Object type if provided, it cannot be %s.",
                                   s->subscription_type->name));
}

static void check_directive_defs(tv_t *v)
{
    for (uint32_t i = 0; i < v->schema->ndirectives; ++i) {
        const bff_directive_def_t *d = v->schema->directives[i];
        if (d->builtin)
            continue;
        check_name(v, d->name, d->node);
        for (uint32_t a = 0; a < d->nargs; ++a) {
            const bff_input_value_t *arg = &d->args[a];
            check_name(v, arg->name, arg->node);
            if (!bff_type_is_input(bff_typeref_named(arg->type)))
                tv_report(v, arg->node,
                          bff_arena_printf(v->arena, "The type of @%s(%s:) must be Input Type but got: %s.", d->name,
                                           arg->name, typeref_str(v, arg->type)));
            if (is_required_arg(arg) && arg->deprecated)
                tv_report(v, arg->node,
                          bff_arena_printf(v->arena, "Required argument @%s(%s:) cannot be deprecated.", d->name,
                                           arg->name));
        }
    }
}

static void check_fields(tv_t *v, const bff_type_t *t)
{
    if (t->nfields == 0)
        tv_report(v, t->node, bff_arena_printf(v->arena, "Type %s must define one or more fields.", t->name));
    for (uint32_t i = 0; i < t->nfields; ++i) {
        const bff_field_t *f = &t->fields[i];
        check_name(v, f->name, f->node);
        if (!bff_type_is_output(bff_typeref_named(f->type)))
            tv_report(v, f->node,
                      bff_arena_printf(v->arena, "The type of %s.%s must be Output Type but got: %s.", t->name,
                                       f->name, typeref_str(v, f->type)));
        for (uint32_t a = 0; a < f->nargs; ++a) {
            const bff_input_value_t *arg = &f->args[a];
            check_name(v, arg->name, arg->node);
            if (!bff_type_is_input(bff_typeref_named(arg->type)))
                tv_report(v, arg->node,
                          bff_arena_printf(v->arena, "The type of %s.%s(%s:) must be Input Type but got: %s.", t->name,
                                           f->name, arg->name, typeref_str(v, arg->type)));
            if (is_required_arg(arg) && arg->deprecated)
                tv_report(v, arg->node,
                          bff_arena_printf(v->arena, "Required argument %s.%s(%s:) cannot be deprecated.", t->name,
                                           f->name, arg->name));
        }
    }
}

static const bff_field_t *own_field(const bff_type_t *t, const char *name)
{
    for (uint32_t i = 0; i < t->nfields; ++i)
        if (strcmp(t->fields[i].name, name) == 0)
            return &t->fields[i];
    return NULL;
}

static void check_implements(tv_t *v, const bff_type_t *type, const bff_type_t *iface)
{
    for (uint32_t i = 0; i < iface->nfields; ++i) {
        const bff_field_t *ifield = &iface->fields[i];
        const bff_field_t *tfield = own_field(type, ifield->name);
        if (tfield == NULL) {
            tv_report(v, type->node,
                      bff_arena_printf(v->arena, "Interface field %s.%s expected but %s does not provide it.",
                                       iface->name, ifield->name, type->name));
            continue;
        }
        if (!bff_typeref_is_subtype(v->schema, tfield->type, ifield->type))
            tv_report(v, tfield->node,
                      bff_arena_printf(v->arena, "Interface field %s.%s expects type %s but %s.%s is type %s.",
                                       iface->name, ifield->name, typeref_str(v, ifield->type), type->name,
                                       tfield->name, typeref_str(v, tfield->type)));
        for (uint32_t a = 0; a < ifield->nargs; ++a) {
            const bff_input_value_t *iarg = &ifield->args[a];
            const bff_input_value_t *targ = bff_field_arg(tfield, iarg->name);
            if (targ == NULL) {
                tv_report(v, tfield->node,
                          bff_arena_printf(v->arena,
                                           "Interface field argument %s.%s(%s:) expected but %s.%s does not provide it.",
                                           iface->name, ifield->name, iarg->name, type->name, tfield->name));
                continue;
            }
            if (!bff_typeref_equal(iarg->type, targ->type))
                tv_report(v, targ->node,
                          bff_arena_printf(v->arena,
                                           "Interface field argument %s.%s(%s:) expects type %s but %s.%s(%s:) is "
                                           "type %s.",
                                           iface->name, ifield->name, iarg->name, typeref_str(v, iarg->type),
                                           type->name, tfield->name, targ->name, typeref_str(v, targ->type)));
        }
        for (uint32_t a = 0; a < tfield->nargs; ++a) {
            const bff_input_value_t *targ = &tfield->args[a];
            if (bff_field_arg(ifield, targ->name) == NULL && is_required_arg(targ))
                tv_report(v, targ->node,
                          bff_arena_printf(v->arena,
                                           "Object field %s.%s includes required argument %s that is missing from the "
                                           "Interface field %s.%s.",
                                           type->name, tfield->name, targ->name, iface->name, ifield->name));
        }
    }
}

static void check_interfaces(tv_t *v, const bff_type_t *t)
{
    for (uint32_t i = 0; i < t->ninterfaces; ++i) {
        const bff_type_t *iface = t->interfaces[i];
        if (iface->kind != BFF_TYPE_INTERFACE) {
            tv_report(v, t->node,
                      bff_arena_printf(v->arena,
                                       "Type %s must only implement Interface types, it cannot implement %s.", t->name,
                                       iface->name));
            continue;
        }
        if (iface == t) {
            tv_report(v, t->node,
                      bff_arena_printf(v->arena,
                                       "Type %s cannot implement itself because it would create a circular reference.",
                                       t->name));
            continue;
        }
        bool dup = false;
        for (uint32_t j = 0; j < i && !dup; ++j)
            dup = t->interfaces[j] == iface;
        if (dup) {
            tv_report(v, t->node, bff_arena_printf(v->arena, "Type %s can only implement %s once.", t->name, iface->name));
            continue;
        }
        /* transitive interfaces */
        for (uint32_t k = 0; k < iface->ninterfaces; ++k) {
            const bff_type_t *transitive = iface->interfaces[k];
            if (!bff_type_implements(t, transitive)) {
                tv_report(v, t->node,
                          transitive == t
                              ? bff_arena_printf(v->arena,
                                                 "Type %s cannot implement %s because it would create a circular "
                                                 "reference.",
                                                 t->name, iface->name)
                              : bff_arena_printf(v->arena, "Type %s must implement %s because it is implemented by %s.",
                                                 t->name, transitive->name, iface->name));
            }
        }
        check_implements(v, t, iface);
    }
}

static void check_union(tv_t *v, const bff_type_t *t)
{
    if (t->npossible_types == 0)
        tv_report(v, t->node,
                  bff_arena_printf(v->arena, "Union type %s must define one or more member types.", t->name));
    for (uint32_t i = 0; i < t->npossible_types; ++i) {
        const bff_type_t *m = t->possible_types[i];
        bool dup = false;
        for (uint32_t j = 0; j < i && !dup; ++j)
            dup = t->possible_types[j] == m;
        if (dup) {
            tv_report(v, t->node,
                      bff_arena_printf(v->arena, "Union type %s can only include type %s once.", t->name, m->name));
            continue;
        }
        if (m->kind != BFF_TYPE_OBJECT)
            tv_report(v, t->node,
                      bff_arena_printf(v->arena, "Union type %s can only include Object types, it cannot include %s.",
                                       t->name, m->name));
    }
}

static void check_enum(tv_t *v, const bff_type_t *t)
{
    if (t->nenum_values == 0)
        tv_report(v, t->node, bff_arena_printf(v->arena, "Enum type %s must define one or more values.", t->name));
    for (uint32_t i = 0; i < t->nenum_values; ++i)
        check_name(v, t->enum_values[i].name, t->node);
}

static void check_input_object(tv_t *v, const bff_type_t *t)
{
    if (t->ninput_fields == 0)
        tv_report(v, t->node,
                  bff_arena_printf(v->arena, "Input Object type %s must define one or more fields.", t->name));
    for (uint32_t i = 0; i < t->ninput_fields; ++i) {
        const bff_input_value_t *f = &t->input_fields[i];
        check_name(v, f->name, f->node);
        if (!bff_type_is_input(bff_typeref_named(f->type)))
            tv_report(v, f->node,
                      bff_arena_printf(v->arena, "The type of %s.%s must be Input Type but got: %s.", t->name, f->name,
                                       typeref_str(v, f->type)));
        if (is_required_arg(f) && f->deprecated)
            tv_report(v, f->node,
                      bff_arena_printf(v->arena, "Required input field %s.%s cannot be deprecated.", t->name, f->name));
        if (t->one_of) {
            if (f->type->kind == BFF_TYPEREF_NON_NULL)
                tv_report(v, f->node,
                          bff_arena_printf(v->arena, "OneOf input field %s.%s must be nullable.", t->name, f->name));
            if (f->default_value != NULL)
                tv_report(v, f->node,
                          bff_arena_printf(v->arena, "OneOf input field %s.%s cannot have a default value.", t->name,
                                           f->name));
        }
    }
}

/*
 * Input objects that reference themselves through non-null fields (directly
 * or through others) can never be given: graphql-js reports each cycle once,
 * found by a depth-first walk from every input object.
 */
typedef struct st_cycle_t {
    tv_t *v;
    bff_names_t visited;
    const bff_input_value_t **path;
    const bff_type_t **path_types;
    size_t depth, cap;
    bff_names_t on_path; /* type name -> depth + 1 */
} cycle_t;

static void cycle_walk(cycle_t *c, const bff_type_t *t)
{
    if (bff_names_get(&c->visited, t->name) != NULL)
        return;
    bff_names_put(&c->visited, c->v->arena, t->name, (void *)t);
    bff_names_set(&c->on_path, c->v->arena, t->name, (void *)(uintptr_t)(c->depth + 1));
    for (uint32_t i = 0; i < t->ninput_fields; ++i) {
        const bff_input_value_t *f = &t->input_fields[i];
        if (f->type->kind != BFF_TYPEREF_NON_NULL || f->type->of->kind != BFF_TYPEREF_NAMED ||
            f->type->of->named->kind != BFF_TYPE_INPUT_OBJECT)
            continue;
        const bff_type_t *ft = f->type->of->named;
        if (c->depth == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 16;
            c->path = bff_xrealloc(c->path, c->cap * sizeof(*c->path));
        }
        c->path[c->depth++] = f;
        uintptr_t cycle_at = (uintptr_t)bff_names_get(&c->on_path, ft->name);
        if (cycle_at == 0) {
            cycle_walk(c, ft);
        } else {
            bff_buf_t b = BFF_BUF_INIT;
            for (size_t k = cycle_at - 1; k < c->depth; ++k) {
                if (k > cycle_at - 1)
                    bff_buf_appendc(&b, '.');
                bff_buf_appends(&b, c->path[k]->name);
            }
            bff_buf_appendc(&b, '\0');
            tv_report(c->v, c->path[cycle_at - 1]->node,
                      bff_arena_printf(c->v->arena,
                                       "Cannot reference Input Object \"%s\" within itself through a series of non-null "
                                       "fields: \"%s\".",
                                       ft->name, b.data));
            bff_buf_free(&b);
        }
        c->depth--;
    }
    bff_names_set(&c->on_path, c->v->arena, t->name, NULL);
}

size_t bff_schema_validate_types(const bff_schema_t *schema, bff_arena_t *arena, bff_gql_errors_t *errs)
{
    tv_t v = {schema, arena, errs, 0};
    check_roots(&v);
    check_directive_defs(&v);
    cycle_t c = {.v = &v};
    bff_names_init(&c.visited, arena, schema->ntypes + 1);
    bff_names_init(&c.on_path, arena, schema->ntypes + 1);
    for (uint32_t i = 0; i < schema->ntypes; ++i) {
        const bff_type_t *t = schema->types[i];
        if (t->builtin)
            continue;
        check_name(&v, t->name, t->node);
        switch (t->kind) {
        case BFF_TYPE_OBJECT:
        case BFF_TYPE_INTERFACE:
            check_fields(&v, t);
            check_interfaces(&v, t);
            break;
        case BFF_TYPE_UNION:
            check_union(&v, t);
            break;
        case BFF_TYPE_ENUM:
            check_enum(&v, t);
            break;
        case BFF_TYPE_INPUT_OBJECT:
            check_input_object(&v, t);
            cycle_walk(&c, t);
            break;
        case BFF_TYPE_SCALAR:
            break;
        }
    }
    free(c.path);
    return v.nerrors;
}
