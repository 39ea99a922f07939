/*
 * schema_build.c - a runtime schema from SDL sources, the way graphql-js's
 * buildASTSchema builds one.
 *
 * Passes:
 *   1. parse every source (and the built-in SDL of introspection.c) into the
 *      schema's arena, and sort definitions into type definitions,
 *      extensions, directive definitions and schema definitions;
 *   2. run the SDL rules (schema_validate.c) over the user documents;
 *   3. create one bff_type_t per definition (standard scalars and
 *      introspection types win over user definitions of the same name, as in
 *      graphql-js), then fill each from its definition plus its extensions in
 *      source order;
 *   4. directives: the user's, then the specified ones not redefined;
 *   5. root types from the schema definition, else by the names Query,
 *      Mutation, Subscription;
 *   6. the type list: graphql-js's reference collection order (so
 *      introspection lists types in the same order), possible types of
 *      interfaces, the name tables;
 *   7. the type-system checks (schema_validate.c) and introspection binding.
 *
 * The builder's scratch state lives on the heap and in the schema arena;
 * everything reachable from the schema lives in the arena.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "schema_internal.h"

/* A growable array of pointers (heap), for the builder's lists. */
typedef struct st_ptrs_t {
    void **items;
    size_t len, cap;
} ptrs_t;

static void ptrs_push(ptrs_t *p, void *item)
{
    if (p->len == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->items = bff_xrealloc(p->items, p->cap * sizeof(*p->items));
    }
    p->items[p->len++] = item;
}

typedef struct st_builder_t {
    bff_schema_t *schema;
    bff_arena_t *arena;
    bff_arena_t *err_arena;
    bff_gql_errors_t *errs;
    size_t nerrors;
    ptrs_t user_docs;
    ptrs_t type_defs;  /* user type definitions, definition order */
    ptrs_t builtin_defs;
    ptrs_t extensions; /* user type extensions */
    ptrs_t directive_defs;
    ptrs_t builtin_directive_defs;
    ptrs_t schema_nodes; /* SCHEMA_DEFINITION and SCHEMA_EXTENSION */
    bff_names_t std;     /* standard scalars and introspection types by name */
    bff_names_t types;   /* every type being built by name (std first) */
    ptrs_t all_types;    /* created types, creation order */
} builder_t;

static void build_error(builder_t *b, const bff_ast_node_t *at, const char *fmt, const char *a1, const char *a2)
{
    bff_gql_error_t *e = bff_gql_errors_addf(b->errs, b->err_arena, NULL, fmt, a1, a2);
    if (at != NULL)
        bff_gql_error_add_loc(e, b->err_arena, at->loc);
    b->nerrors++;
}

static const char *description_of(const bff_ast_node_t *n)
{
    return n != NULL && n->description != NULL ? n->description->text : NULL;
}

static bff_type_kind_t kind_of_definition(bff_ast_kind_t k)
{
    switch (k) {
    case BFF_AST_SCALAR_TYPE_DEFINITION:
    case BFF_AST_SCALAR_TYPE_EXTENSION:
        return BFF_TYPE_SCALAR;
    case BFF_AST_OBJECT_TYPE_DEFINITION:
    case BFF_AST_OBJECT_TYPE_EXTENSION:
        return BFF_TYPE_OBJECT;
    case BFF_AST_INTERFACE_TYPE_DEFINITION:
    case BFF_AST_INTERFACE_TYPE_EXTENSION:
        return BFF_TYPE_INTERFACE;
    case BFF_AST_UNION_TYPE_DEFINITION:
    case BFF_AST_UNION_TYPE_EXTENSION:
        return BFF_TYPE_UNION;
    case BFF_AST_ENUM_TYPE_DEFINITION:
    case BFF_AST_ENUM_TYPE_EXTENSION:
        return BFF_TYPE_ENUM;
    default:
        return BFF_TYPE_INPUT_OBJECT;
    }
}

static bool is_type_definition(bff_ast_kind_t k)
{
    return k == BFF_AST_SCALAR_TYPE_DEFINITION || k == BFF_AST_OBJECT_TYPE_DEFINITION ||
           k == BFF_AST_INTERFACE_TYPE_DEFINITION || k == BFF_AST_UNION_TYPE_DEFINITION ||
           k == BFF_AST_ENUM_TYPE_DEFINITION || k == BFF_AST_INPUT_OBJECT_TYPE_DEFINITION;
}

static bool is_type_extension(bff_ast_kind_t k)
{
    return k == BFF_AST_SCALAR_TYPE_EXTENSION || k == BFF_AST_OBJECT_TYPE_EXTENSION ||
           k == BFF_AST_INTERFACE_TYPE_EXTENSION || k == BFF_AST_UNION_TYPE_EXTENSION ||
           k == BFF_AST_ENUM_TYPE_EXTENSION || k == BFF_AST_INPUT_OBJECT_TYPE_EXTENSION;
}

/* Pass 1: definitions of one document into the builder's lists. */
static void sort_definitions(builder_t *b, const bff_ast_node_t *doc, bool builtin)
{
    for (uint32_t i = 0; i < doc->definitions.len; ++i) {
        bff_ast_node_t *d = doc->definitions.items[i];
        if (is_type_definition(d->kind))
            ptrs_push(builtin ? &b->builtin_defs : &b->type_defs, d);
        else if (is_type_extension(d->kind))
            ptrs_push(&b->extensions, d);
        else if (d->kind == BFF_AST_DIRECTIVE_DEFINITION)
            ptrs_push(builtin ? &b->builtin_directive_defs : &b->directive_defs, d);
        else if (d->kind == BFF_AST_SCHEMA_DEFINITION || d->kind == BFF_AST_SCHEMA_EXTENSION)
            ptrs_push(&b->schema_nodes, d);
        /* executable definitions are ignored, as graphql-js's buildASTSchema ignores them */
    }
}

static bff_type_t *type_new(builder_t *b, const bff_ast_node_t *def, bool builtin)
{
    bff_type_t *t = bff_arena_calloc(b->arena, 1, sizeof(*t));
    t->kind = kind_of_definition(def->kind);
    t->name = def->name;
    t->description = description_of(def);
    t->node = def;
    t->builtin = builtin;
    bff_typeref_t *ref = bff_arena_calloc(b->arena, 1, sizeof(*ref));
    ref->kind = BFF_TYPEREF_NAMED;
    ref->named = t;
    t->ref = ref;
    ptrs_push(&b->all_types, t);
    return t;
}

/* A type reference from an AST type; NULL (error reported) for unknown names. */
static const bff_typeref_t *typeref(builder_t *b, const bff_ast_node_t *type_node)
{
    if (type_node->kind == BFF_AST_NAMED_TYPE) {
        bff_type_t *t = bff_names_get(&b->types, type_node->name);
        if (t == NULL) {
            build_error(b, type_node, "Unknown type \"%s\".%s", type_node->name, "");
            return NULL;
        }
        return t->ref;
    }
    const bff_typeref_t *inner = typeref(b, type_node->type);
    if (inner == NULL)
        return NULL;
    bff_typeref_t *r = bff_arena_calloc(b->arena, 1, sizeof(*r));
    r->kind = type_node->kind == BFF_AST_LIST_TYPE ? BFF_TYPEREF_LIST : BFF_TYPEREF_NON_NULL;
    r->of = inner;
    return r;
}

/* @deprecated(reason:) on a definition: sets *deprecated and returns the reason. */
static const char *deprecation(const bff_ast_list_t *directives, bool *deprecated)
{
    const bff_ast_node_t *d = bff_ast_find_directive(directives, "deprecated");
    *deprecated = d != NULL;
    if (d == NULL)
        return NULL;
    const bff_ast_node_t *reason = bff_ast_directive_arg(d, "reason");
    if (reason != NULL && reason->kind == BFF_AST_STRING_VALUE)
        return reason->text;
    return "No longer supported";
}

static void fill_input_value(builder_t *b, bff_input_value_t *v, const bff_ast_node_t *node)
{
    v->name = node->name;
    v->description = description_of(node);
    v->type = typeref(b, node->type);
    v->default_value = node->default_value;
    v->directives = node->directives;
    v->deprecation_reason = deprecation(&node->directives, &v->deprecated);
    v->node = node;
}

static bff_input_value_t *input_values(builder_t *b, const ptrs_t *nodes)
{
    bff_input_value_t *vs = bff_arena_calloc(b->arena, nodes->len + 1, sizeof(*vs));
    for (size_t i = 0; i < nodes->len; ++i)
        fill_input_value(b, &vs[i], nodes->items[i]);
    return vs;
}

/* The definition and the extensions of `t`, in source order. */
static void nodes_of(builder_t *b, const bff_type_t *t, ptrs_t *out)
{
    ptrs_push(out, (void *)t->node);
    if (t->builtin)
        return;
    for (size_t i = 0; i < b->extensions.len; ++i) {
        bff_ast_node_t *ext = b->extensions.items[i];
        if (strcmp(ext->name, t->name) == 0 && kind_of_definition(ext->kind) == t->kind)
            ptrs_push(out, ext);
    }
}

static bff_ast_list_t merged_list(builder_t *b, const ptrs_t *nodes, size_t offset)
{
    size_t n = 0;
    for (size_t i = 0; i < nodes->len; ++i)
        n += ((const bff_ast_list_t *)((const char *)nodes->items[i] + offset))->len;
    bff_ast_list_t l = {NULL, (uint32_t)n};
    if (n == 0)
        return l;
    l.items = bff_arena_alloc(b->arena, n * sizeof(*l.items));
    size_t k = 0;
    for (size_t i = 0; i < nodes->len; ++i) {
        const bff_ast_list_t *part = (const bff_ast_list_t *)((const char *)nodes->items[i] + offset);
        for (uint32_t j = 0; j < part->len; ++j)
            l.items[k++] = part->items[j];
    }
    return l;
}

#define MERGED(b, nodes, member) merged_list((b), (nodes), offsetof(bff_ast_node_t, member))

static void fill_type(builder_t *b, bff_type_t *t)
{
    ptrs_t nodes = {0};
    nodes_of(b, t, &nodes);
    t->directives = MERGED(b, &nodes, directives);
    switch (t->kind) {
    case BFF_TYPE_SCALAR: {
        const bff_ast_node_t *sb = bff_ast_find_directive(&t->directives, "specifiedBy");
        const bff_ast_node_t *url = sb ? bff_ast_directive_arg(sb, "url") : NULL;
        if (url != NULL && url->kind == BFF_AST_STRING_VALUE)
            t->specified_by_url = url->text;
        break;
    }
    case BFF_TYPE_OBJECT:
    case BFF_TYPE_INTERFACE: {
        bff_ast_list_t ifaces = MERGED(b, &nodes, interfaces);
        t->interfaces = bff_arena_calloc(b->arena, ifaces.len + 1, sizeof(*t->interfaces));
        for (uint32_t i = 0; i < ifaces.len; ++i) {
            const bff_typeref_t *r = typeref(b, ifaces.items[i]);
            if (r != NULL)
                t->interfaces[t->ninterfaces++] = r->named;
        }
        bff_ast_list_t fields = MERGED(b, &nodes, fields);
        t->fields = bff_arena_calloc(b->arena, fields.len + 1, sizeof(*t->fields));
        t->nfields = fields.len;
        for (uint32_t i = 0; i < fields.len; ++i) {
            const bff_ast_node_t *fd = fields.items[i];
            bff_field_t *f = &t->fields[i];
            f->name = fd->name;
            f->description = description_of(fd);
            f->type = typeref(b, fd->type);
            ptrs_t args = {0};
            for (uint32_t a = 0; a < fd->arguments.len; ++a)
                ptrs_push(&args, fd->arguments.items[a]);
            f->args = input_values(b, &args);
            f->nargs = (uint32_t)args.len;
            free(args.items);
            f->directives = fd->directives;
            f->deprecation_reason = deprecation(&fd->directives, &f->deprecated);
            f->node = fd;
            f->owner = t;
        }
        break;
    }
    case BFF_TYPE_UNION: {
        bff_ast_list_t members = MERGED(b, &nodes, types);
        t->possible_types = bff_arena_calloc(b->arena, members.len + 1, sizeof(*t->possible_types));
        for (uint32_t i = 0; i < members.len; ++i) {
            const bff_typeref_t *r = typeref(b, members.items[i]);
            if (r != NULL)
                t->possible_types[t->npossible_types++] = r->named;
        }
        break;
    }
    case BFF_TYPE_ENUM: {
        bff_ast_list_t values = MERGED(b, &nodes, values);
        t->enum_values = bff_arena_calloc(b->arena, values.len + 1, sizeof(*t->enum_values));
        t->nenum_values = values.len;
        for (uint32_t i = 0; i < values.len; ++i) {
            const bff_ast_node_t *vd = values.items[i];
            bff_enum_value_t *v = &t->enum_values[i];
            v->name = vd->name;
            v->description = description_of(vd);
            v->directives = vd->directives;
            v->deprecation_reason = deprecation(&vd->directives, &v->deprecated);
        }
        break;
    }
    case BFF_TYPE_INPUT_OBJECT: {
        bff_ast_list_t fields = MERGED(b, &nodes, fields);
        t->input_fields = bff_arena_calloc(b->arena, fields.len + 1, sizeof(*t->input_fields));
        t->ninput_fields = fields.len;
        for (uint32_t i = 0; i < fields.len; ++i)
            fill_input_value(b, &t->input_fields[i], fields.items[i]);
        t->one_of = bff_ast_find_directive(&t->directives, "oneOf") != NULL;
        break;
    }
    }
    free(nodes.items);
}

static bff_directive_def_t *directive_new(builder_t *b, const bff_ast_node_t *def, bool builtin)
{
    bff_directive_def_t *d = bff_arena_calloc(b->arena, 1, sizeof(*d));
    d->name = def->name;
    d->description = description_of(def);
    d->repeatable = def->repeatable;
    d->builtin = builtin;
    d->node = def;
    ptrs_t args = {0};
    for (uint32_t a = 0; a < def->arguments.len; ++a)
        ptrs_push(&args, def->arguments.items[a]);
    d->args = input_values(b, &args);
    d->nargs = (uint32_t)args.len;
    free(args.items);
    for (uint32_t i = 0; i < def->locations.len; ++i) {
        int loc = bff_directive_location_parse(def->locations.items[i]->name);
        if (loc >= 0)
            d->locations |= 1u << loc;
    }
    return d;
}

/*
 * graphql-js's GraphQLSchema collects types into an insertion-ordered set:
 * the given types (each removed and re-added before its references are
 * followed), then the root types, directive argument types and __Schema.
 * This is that set, with deletion as a tombstone.
 */
typedef struct st_ordered_t {
    ptrs_t items; /* NULL entries are deleted */
    bff_names_t index; /* name -> position + 1 */
    bff_arena_t *arena;
} ordered_t;

/* A deleted name maps to NULL. */
static bool ordered_has(ordered_t *o, const bff_type_t *t)
{
    return bff_names_get(&o->index, t->name) != NULL;
}

static void ordered_add(ordered_t *o, bff_type_t *t)
{
    ptrs_push(&o->items, t);
    bff_names_set(&o->index, o->arena, t->name, (void *)(uintptr_t)o->items.len);
}

static void ordered_delete(ordered_t *o, const bff_type_t *t)
{
    uintptr_t pos = (uintptr_t)bff_names_get(&o->index, t->name);
    if (pos != 0) {
        o->items.items[pos - 1] = NULL;
        bff_names_set(&o->index, o->arena, t->name, NULL);
    }
}

static void collect(ordered_t *o, const bff_typeref_t *ref);

static void collect_type(ordered_t *o, bff_type_t *t)
{
    if (ordered_has(o, t))
        return;
    ordered_add(o, t);
    if (t->kind == BFF_TYPE_UNION) {
        for (uint32_t i = 0; i < t->npossible_types; ++i)
            collect_type(o, (bff_type_t *)t->possible_types[i]);
    } else if (t->kind == BFF_TYPE_OBJECT || t->kind == BFF_TYPE_INTERFACE) {
        for (uint32_t i = 0; i < t->ninterfaces; ++i)
            collect_type(o, (bff_type_t *)t->interfaces[i]);
        for (uint32_t i = 0; i < t->nfields; ++i) {
            if (t->fields[i].type != NULL)
                collect(o, t->fields[i].type);
            for (uint32_t a = 0; a < t->fields[i].nargs; ++a)
                if (t->fields[i].args[a].type != NULL)
                    collect(o, t->fields[i].args[a].type);
        }
    } else if (t->kind == BFF_TYPE_INPUT_OBJECT) {
        for (uint32_t i = 0; i < t->ninput_fields; ++i)
            if (t->input_fields[i].type != NULL)
                collect(o, t->input_fields[i].type);
    }
}

static void collect(ordered_t *o, const bff_typeref_t *ref)
{
    collect_type(o, (bff_type_t *)bff_typeref_named(ref));
}

static void finish_type_list(builder_t *b)
{
    bff_schema_t *s = b->schema;
    ordered_t o = {.arena = b->arena};
    bff_names_init(&o.index, b->arena, (uint32_t)b->all_types.len + 8);
    ptrs_t given = {0};
    for (size_t i = 0; i < b->type_defs.len; ++i) {
        bff_type_t *t = bff_names_get(&b->types, ((bff_ast_node_t *)b->type_defs.items[i])->name);
        if (t != NULL && !ordered_has(&o, t)) {
            ptrs_push(&given, t);
            ordered_add(&o, t);
        }
    }
    for (size_t i = 0; i < given.len; ++i) {
        ordered_delete(&o, given.items[i]);
        collect_type(&o, given.items[i]);
    }
    free(given.items);
    if (s->query_type)
        collect_type(&o, (bff_type_t *)s->query_type);
    if (s->mutation_type)
        collect_type(&o, (bff_type_t *)s->mutation_type);
    if (s->subscription_type)
        collect_type(&o, (bff_type_t *)s->subscription_type);
    for (uint32_t i = 0; i < s->ndirectives; ++i)
        for (uint32_t a = 0; a < s->directives[i]->nargs; ++a)
            if (s->directives[i]->args[a].type != NULL)
                collect(&o, s->directives[i]->args[a].type);
    collect_type(&o, bff_names_get(&b->std, "__Schema"));

    size_t n = 0;
    for (size_t i = 0; i < o.items.len; ++i)
        n += o.items.items[i] != NULL;
    s->types = bff_arena_calloc(b->arena, n + 1, sizeof(*s->types));
    bff_schema_lookup_t *lookup = s->lookup;
    bff_names_init(&lookup->types, b->arena, (uint32_t)n + 1);
    for (size_t i = 0; i < o.items.len; ++i) {
        bff_type_t *t = o.items.items[i];
        if (t == NULL)
            continue;
        s->types[s->ntypes++] = t;
        bff_names_put(&lookup->types, b->arena, t->name, t);
    }
    free(o.items.items);

    /* possible types of interfaces: implementing objects, in type-list order */
    for (uint32_t i = 0; i < s->ntypes; ++i) {
        bff_type_t *iface = s->types[i];
        if (iface->kind != BFF_TYPE_INTERFACE)
            continue;
        uint32_t count = 0;
        for (uint32_t j = 0; j < s->ntypes; ++j)
            count += s->types[j]->kind == BFF_TYPE_OBJECT && bff_type_implements(s->types[j], iface);
        iface->possible_types = bff_arena_calloc(b->arena, count + 1, sizeof(*iface->possible_types));
        for (uint32_t j = 0; j < s->ntypes; ++j)
            if (s->types[j]->kind == BFF_TYPE_OBJECT && bff_type_implements(s->types[j], iface))
                iface->possible_types[iface->npossible_types++] = s->types[j];
    }
}

static void set_root_types(builder_t *b)
{
    bff_schema_t *s = b->schema;
    bool has_schema_def = false;
    for (size_t i = 0; i < b->schema_nodes.len; ++i) {
        const bff_ast_node_t *n = b->schema_nodes.items[i];
        if (n->kind == BFF_AST_SCHEMA_DEFINITION) {
            has_schema_def = true;
            if (s->description == NULL)
                s->description = description_of(n);
        }
        for (uint32_t j = 0; j < n->operation_types.len; ++j) {
            const bff_ast_node_t *ot = n->operation_types.items[j];
            const bff_typeref_t *r = typeref(b, ot->type);
            if (r == NULL)
                continue;
            if (ot->operation == BFF_OP_QUERY)
                s->query_type = r->named;
            else if (ot->operation == BFF_OP_MUTATION)
                s->mutation_type = r->named;
            else
                s->subscription_type = r->named;
        }
    }
    if (!has_schema_def) {
        s->query_type = bff_names_get(&b->types, "Query");
        s->mutation_type = bff_names_get(&b->types, "Mutation");
        s->subscription_type = bff_names_get(&b->types, "Subscription");
        /* only user-defined types take the default names */
        if (s->query_type && s->query_type->builtin)
            s->query_type = NULL;
    }
    ptrs_t schema_defs = {0};
    for (size_t i = 0; i < b->schema_nodes.len; ++i)
        ptrs_push(&schema_defs, b->schema_nodes.items[i]);
    s->directives_used = MERGED(b, &schema_defs, directives);
    free(schema_defs.items);
}

static void set_directives(builder_t *b)
{
    bff_schema_t *s = b->schema;
    size_t cap = b->directive_defs.len + b->builtin_directive_defs.len;
    s->directives = bff_arena_calloc(b->arena, cap + 1, sizeof(*s->directives));
    bff_schema_lookup_t *lookup = s->lookup;
    bff_names_init(&lookup->directives, b->arena, (uint32_t)cap + 1);
    for (size_t i = 0; i < b->directive_defs.len; ++i) {
        bff_directive_def_t *d = directive_new(b, b->directive_defs.items[i], false);
        if (bff_names_put(&lookup->directives, b->arena, d->name, d) == NULL)
            s->directives[s->ndirectives++] = d;
    }
    for (size_t i = 0; i < b->builtin_directive_defs.len; ++i) {
        bff_directive_def_t *d = directive_new(b, b->builtin_directive_defs.items[i], true);
        if (bff_names_put(&lookup->directives, b->arena, d->name, d) == NULL)
            s->directives[s->ndirectives++] = d;
    }
}

static bff_ast_node_t *parse_source(builder_t *b, const char *name, const char *text, size_t len)
{
    bff_gql_errors_t perrs = BFF_GQL_ERRORS_INIT;
    bff_ast_node_t *doc = bff_gql_parse(b->arena, text, len, NULL, &perrs);
    if (doc == NULL) {
        bff_gql_error_t *pe = perrs.head;
        bff_gql_error_t *e = bff_gql_errors_addf(b->errs, b->err_arena, NULL, "%s", pe->message);
        if (pe->nlocations > 0)
            bff_gql_error_add_loc(e, b->err_arena, pe->locations[0]);
        if (name != NULL)
            e->extensions_json = bff_arena_printf(b->err_arena, "{\"source\":\"%s\"}", name);
        b->nerrors++;
    }
    return doc;
}

bff_schema_t *bff_schema_build(const bff_schema_source_t *sources, size_t nsources, const bff_schema_options_t *opts,
                               bff_arena_t *err_arena, bff_gql_errors_t *errs)
{
    bff_arena_t *arena = bff_arena_new(64 * 1024);
    builder_t b = {.arena = arena, .err_arena = err_arena, .errs = errs};
    b.schema = bff_arena_calloc(arena, 1, sizeof(*b.schema));
    b.schema->arena = arena;
    b.schema->lookup = bff_arena_calloc(arena, 1, sizeof(bff_schema_lookup_t));

    /* 1: parse */
    bff_ast_node_t *builtin = parse_source(&b, "<built-in>", bff_introspection_sdl, strlen(bff_introspection_sdl));
    if (builtin == NULL)
        goto fail; /* cannot happen unless the built-in SDL is broken */
    sort_definitions(&b, builtin, true);
    for (size_t i = 0; i < nsources; ++i) {
        bff_ast_node_t *doc = parse_source(&b, sources[i].name, sources[i].text, sources[i].len);
        if (doc != NULL) {
            ptrs_push(&b.user_docs, doc);
            sort_definitions(&b, doc, false);
        }
    }
    if (b.nerrors > 0)
        goto fail;

    /* 2: SDL rules */
    if (opts == NULL || !opts->assume_valid) {
        if (bff_schema_validate_sdl((bff_ast_node_t *const *)b.user_docs.items, b.user_docs.len, err_arena, errs) > 0)
            goto fail;
    }

    /* 3: types */
    bff_names_init(&b.std, arena, (uint32_t)b.builtin_defs.len);
    bff_names_init(&b.types, arena, (uint32_t)(b.builtin_defs.len + b.type_defs.len));
    for (size_t i = 0; i < b.builtin_defs.len; ++i) {
        bff_type_t *t = type_new(&b, b.builtin_defs.items[i], true);
        bff_names_put(&b.std, arena, t->name, t);
        bff_names_put(&b.types, arena, t->name, t);
    }
    for (size_t i = 0; i < b.type_defs.len; ++i) {
        bff_ast_node_t *def = b.type_defs.items[i];
        if (bff_names_get(&b.types, def->name) == NULL)
            bff_names_put(&b.types, arena, def->name, type_new(&b, def, false));
    }
    for (size_t i = 0; i < b.all_types.len; ++i)
        fill_type(&b, b.all_types.items[i]);

    /* 4, 5: directives, roots */
    set_directives(&b);
    set_root_types(&b);
    if (b.nerrors > 0)
        goto fail;

    /* 6: the type list in graphql-js order, possible types, name tables */
    finish_type_list(&b);
    bff_schema_add_meta_fields(b.schema);

    /* 7: type-system checks, introspection */
    if (opts == NULL || !opts->assume_valid) {
        if (bff_schema_validate_types(b.schema, err_arena, errs) > 0)
            goto fail;
    }
    bff_introspection_bind(b.schema);

    free(b.user_docs.items);
    free(b.type_defs.items);
    free(b.builtin_defs.items);
    free(b.extensions.items);
    free(b.directive_defs.items);
    free(b.builtin_directive_defs.items);
    free(b.schema_nodes.items);
    free(b.all_types.items);
    return b.schema;

fail:
    free(b.user_docs.items);
    free(b.type_defs.items);
    free(b.builtin_defs.items);
    free(b.extensions.items);
    free(b.directive_defs.items);
    free(b.builtin_directive_defs.items);
    free(b.schema_nodes.items);
    free(b.all_types.items);
    bff_arena_free(arena);
    return NULL;
}

bff_schema_t *bff_schema_build_files(const char *const *paths, size_t npaths, const bff_schema_options_t *opts,
                                     bff_arena_t *err_arena, bff_gql_errors_t *errs)
{
    bff_schema_source_t *sources = bff_xcalloc(npaths + 1, sizeof(*sources));
    char **texts = bff_xcalloc(npaths + 1, sizeof(*texts));
    bff_schema_t *schema = NULL;
    size_t i;
    for (i = 0; i < npaths; ++i) {
        FILE *f = fopen(paths[i], "rb");
        if (f == NULL) {
            bff_gql_errors_addf(errs, err_arena, NULL, "cannot read schema file %s", paths[i]);
            goto done;
        }
        bff_buf_t buf = BFF_BUF_INIT;
        char chunk[16384];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
            bff_buf_append(&buf, chunk, n);
        fclose(f);
        bff_buf_appendc(&buf, '\0');
        texts[i] = buf.data;
        sources[i].name = paths[i];
        sources[i].text = buf.data;
        sources[i].len = buf.len - 1;
    }
    schema = bff_schema_build(sources, npaths, opts, err_arena, errs);
done:
    for (size_t k = 0; k < npaths; ++k)
        free(texts[k]);
    free(texts);
    free(sources);
    return schema;
}
