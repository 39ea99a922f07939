/*
 * deprecations.c - deprecated elements an operation uses (see deprecations.h).
 */
#include "deprecations.h"

#include <string.h>

/* The deprecated elements found so far. */
typedef struct st_walk_t {
    bff_arena_t *arena;
    bff_deprecated_use_t *items;
    size_t n, cap;
} walk_t;

static void use(walk_t *w, const char *coordinate, const char *reason)
{
    for (size_t i = 0; i < w->n; ++i)
        if (strcmp(w->items[i].coordinate, coordinate) == 0)
            return;
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        bff_deprecated_use_t *items = bff_arena_alloc(w->arena, cap * sizeof(*items));
        if (w->n)
            memcpy(items, w->items, w->n * sizeof(*items));
        w->items = items;
        w->cap = cap;
    }
    w->items[w->n++] = (bff_deprecated_use_t){coordinate, reason};
}

/* A literal of input type `type`: deprecated enum values and input fields in it. */
static void value(walk_t *w, const bff_typeref_t *type, const bff_ast_node_t *v)
{
    if (v == NULL || type == NULL)
        return;
    while (type->kind == BFF_TYPEREF_NON_NULL)
        type = type->of;
    if (type->kind == BFF_TYPEREF_LIST) {
        if (v->kind == BFF_AST_LIST_VALUE)
            for (uint32_t i = 0; i < v->values.len; ++i)
                value(w, type->of, v->values.items[i]);
        else
            value(w, type->of, v);
        return;
    }
    const bff_type_t *t = type->named;
    if (t->kind == BFF_TYPE_ENUM && v->kind == BFF_AST_ENUM_VALUE) {
        char name[256];
        size_t n = v->text_len < sizeof(name) - 1 ? v->text_len : sizeof(name) - 1;
        memcpy(name, v->text, n);
        name[n] = '\0';
        const bff_enum_value_t *ev = bff_type_enum_value(t, name);
        if (ev != NULL && ev->deprecated)
            use(w, bff_arena_printf(w->arena, "%s.%s", t->name, ev->name), ev->deprecation_reason);
    } else if (t->kind == BFF_TYPE_INPUT_OBJECT && v->kind == BFF_AST_OBJECT_VALUE) {
        for (uint32_t i = 0; i < v->fields.len; ++i) {
            const bff_ast_node_t *f = v->fields.items[i];
            const bff_input_value_t *def = bff_type_input_field(t, f->name);
            if (def == NULL)
                continue;
            if (def->deprecated)
                use(w, bff_arena_printf(w->arena, "%s.%s", t->name, def->name), def->deprecation_reason);
            value(w, def->type, f->value);
        }
    }
}

typedef struct st_fields_t {
    const bff_schema_t *schema;
    const bff_ast_node_t *document;
    bff_field_fn fn;
    void *arg;
    uint32_t guard;
} fields_t;

static void each_field(fields_t *w, const bff_type_t *type, const bff_ast_node_t *set)
{
    if (set == NULL || type == NULL || ++w->guard > 100000)
        return; /* a bound on work for huge fragment fan-out; validation rejects cycles */
    for (uint32_t i = 0; i < set->selections.len; ++i) {
        const bff_ast_node_t *s = set->selections.items[i];
        if (s->kind == BFF_AST_FIELD) {
            const bff_field_t *def = s->name[0] == '_' && s->name[1] == '_' ? NULL : bff_schema_field(w->schema, type, s->name);
            if (def == NULL)
                continue;
            w->fn(type, def, s, w->arg);
            each_field(w, bff_typeref_named(def->type), s->selection_set);
        } else if (s->kind == BFF_AST_INLINE_FRAGMENT) {
            const bff_type_t *on = s->type_condition ? bff_schema_type(w->schema, s->type_condition->name) : type;
            each_field(w, on, s->selection_set);
        } else if (s->kind == BFF_AST_FRAGMENT_SPREAD) {
            const bff_ast_node_t *f = bff_ast_fragment(w->document, s->name);
            if (f != NULL)
                each_field(w, bff_schema_type(w->schema, f->type_condition->name), f->selection_set);
        }
    }
}

void bff_operation_each_field(const bff_schema_t *schema, const bff_ast_node_t *document, const bff_ast_node_t *op,
                              bff_field_fn fn, void *arg)
{
    fields_t w = {schema, document, fn, arg, 0};
    each_field(&w, bff_schema_root_type(schema, op->operation), op->selection_set);
}

static void deprecated_field(const bff_type_t *type, const bff_field_t *def, const bff_ast_node_t *s, void *arg)
{
    walk_t *w = arg;
    if (def->deprecated)
        use(w, bff_arena_printf(w->arena, "%s.%s", type->name, def->name), def->deprecation_reason);
    for (uint32_t k = 0; k < s->arguments.len; ++k) {
        const bff_input_value_t *a = bff_field_arg(def, s->arguments.items[k]->name);
        if (a == NULL)
            continue;
        if (a->deprecated)
            use(w, bff_arena_printf(w->arena, "%s.%s(%s:)", type->name, def->name, a->name), a->deprecation_reason);
        value(w, a->type, s->arguments.items[k]->value);
    }
}

bff_deprecated_use_t *bff_deprecations_used(const bff_schema_t *schema, const bff_ast_node_t *document,
                                            const bff_ast_node_t *op, bff_arena_t *arena, size_t *n)
{
    walk_t w = {arena, NULL, 0, 0};
    bff_operation_each_field(schema, document, op, deprecated_field, &w);
    *n = w.n;
    return w.items;
}

void bff_deprecations_each(const bff_schema_t *schema, bff_arena_t *arena, bff_deprecated_fn fn, void *arg)
{
    for (uint32_t i = 0; i < schema->ntypes; ++i) {
        const bff_type_t *t = schema->types[i];
        if (t->builtin)
            continue;
        for (uint32_t f = 0; f < t->nfields; ++f) {
            const bff_field_t *d = &t->fields[f];
            if (d->deprecated)
                fn(bff_arena_printf(arena, "%s.%s", t->name, d->name), d->deprecation_reason, arg);
            for (uint32_t a = 0; a < d->nargs; ++a)
                if (d->args[a].deprecated)
                    fn(bff_arena_printf(arena, "%s.%s(%s:)", t->name, d->name, d->args[a].name),
                       d->args[a].deprecation_reason, arg);
        }
        for (uint32_t f = 0; f < t->ninput_fields; ++f)
            if (t->input_fields[f].deprecated)
                fn(bff_arena_printf(arena, "%s.%s", t->name, t->input_fields[f].name),
                   t->input_fields[f].deprecation_reason, arg);
        for (uint32_t e = 0; e < t->nenum_values; ++e)
            if (t->enum_values[e].deprecated)
                fn(bff_arena_printf(arena, "%s.%s", t->name, t->enum_values[e].name),
                   t->enum_values[e].deprecation_reason, arg);
    }
}

const char *bff_deprecation_removal_date(const char *reason)
{
    for (const char *p = reason; p != NULL && *p; ++p)
        if (strlen(p) >= 10 && strspn(p, "0123456789") == 4 && p[4] == '-' && strspn(p + 5, "0123456789") == 2 &&
            p[7] == '-' && strspn(p + 8, "0123456789") == 2)
            return p;
    return NULL;
}
