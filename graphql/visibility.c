/*
 * visibility.c - what introspection shows one caller, as a schema that is
 * valid on its own (graphql-js's buildClientSchema + validateSchema accept it).
 *
 * The request's rule (bff_exec_request_t.visible) says which types and fields
 * the caller may see. From it, computed once per execution on first use:
 *   1. a fixpoint: a field is shown only if its rule allows it and every type
 *      it returns or takes is shown; an object or interface type is shown only
 *      if its rule allows it and it still has a shown field; a union only if
 *      a member is shown. Hiding one thing can empty another, so it repeats
 *      until nothing changes (at most as many rounds as there are types);
 *   2. reachability: a user type is listed only if the roots reach it through
 *      shown fields, arguments, input fields, interfaces or members (or a
 *      directive's arguments), so nothing only hidden elements use is listed.
 * A root type with no shown field (Mutation for an anonymous caller) is left
 * out: its __Schema field answers null.
 *
 * Memory: the execution's arena. Types are found by their index in
 * schema->types through an open-addressed table of their pointers.
 */
#include "exec_internal.h"

#include <string.h>

struct st_exec_visibility_t {
    uint8_t *type_shown;   /* per schema->types index */
    uint8_t **field_shown; /* per type index, per field */
    uint32_t *slots;       /* type pointer -> index + 1 (0: empty), power-of-two size */
    size_t mask;
};

static size_t slot_of(const void *p, size_t mask)
{
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> 17) & mask;
}

static int lookup(const bff_schema_t *s, const exec_visibility_t *v, const bff_type_t *t)
{
    for (size_t j = slot_of(t, v->mask); v->slots[j] != 0; j = (j + 1) & v->mask)
        if (s->types[v->slots[j] - 1] == t)
            return (int)v->slots[j] - 1;
    return -1;
}

static bool shown(const bff_schema_t *s, const exec_visibility_t *v, const bff_type_t *t)
{
    int i = lookup(s, v, t);
    return i >= 0 && v->type_shown[i];
}

static bool args_shown(const bff_schema_t *s, const exec_visibility_t *v, const bff_field_t *f)
{
    for (uint32_t a = 0; a < f->nargs; ++a)
        if (!shown(s, v, bff_typeref_named(f->args[a].type)))
            return false;
    return true;
}

/* One round of the fixpoint; true when something was hidden. */
static bool narrow(const bff_schema_t *s, exec_visibility_t *v)
{
    bool changed = false;
    for (uint32_t i = 0; i < s->ntypes; ++i) {
        const bff_type_t *t = s->types[i];
        if (!v->type_shown[i])
            continue;
        bool any = false;
        if (t->kind == BFF_TYPE_OBJECT || t->kind == BFF_TYPE_INTERFACE) {
            for (uint32_t k = 0; k < t->nfields; ++k) {
                const bff_field_t *f = &t->fields[k];
                if (v->field_shown[i][k] && (!shown(s, v, bff_typeref_named(f->type)) || !args_shown(s, v, f))) {
                    v->field_shown[i][k] = 0;
                    changed = true;
                }
                any = any || v->field_shown[i][k];
            }
        } else if (t->kind == BFF_TYPE_UNION) {
            for (uint32_t k = 0; k < t->npossible_types && !any; ++k)
                any = shown(s, v, t->possible_types[k]);
        } else {
            any = true;
        }
        if (!any) {
            v->type_shown[i] = 0;
            changed = true;
        }
    }
    return changed;
}

static void reach(const bff_schema_t *s, const exec_visibility_t *v, uint8_t *seen, const bff_type_t *t);

static void reach_ref(const bff_schema_t *s, const exec_visibility_t *v, uint8_t *seen, const bff_typeref_t *r)
{
    reach(s, v, seen, bff_typeref_named(r));
}

static void reach(const bff_schema_t *s, const exec_visibility_t *v, uint8_t *seen, const bff_type_t *t)
{
    int i = t ? lookup(s, v, t) : -1;
    if (i < 0 || seen[i] || !v->type_shown[i])
        return;
    seen[i] = 1;
    for (uint32_t k = 0; k < t->nfields; ++k) {
        if (!v->field_shown[i][k])
            continue;
        reach_ref(s, v, seen, t->fields[k].type);
        for (uint32_t a = 0; a < t->fields[k].nargs; ++a)
            reach_ref(s, v, seen, t->fields[k].args[a].type);
    }
    for (uint32_t k = 0; k < t->ninput_fields; ++k)
        reach_ref(s, v, seen, t->input_fields[k].type);
    for (uint32_t k = 0; k < t->ninterfaces; ++k)
        reach(s, v, seen, t->interfaces[k]);
    for (uint32_t k = 0; k < t->npossible_types; ++k)
        reach(s, v, seen, t->possible_types[k]);
}

static exec_visibility_t *compute(bff_exec_t *x)
{
    const bff_schema_t *s = x->schema;
    exec_visibility_t *v = bff_arena_calloc(x->arena, 1, sizeof(*v));
    size_t cap = 16;
    while (cap < 2 * (size_t)s->ntypes)
        cap <<= 1;
    v->slots = bff_arena_calloc(x->arena, cap, sizeof(*v->slots));
    v->mask = cap - 1;
    for (uint32_t i = 0; i < s->ntypes; ++i) {
        size_t j = slot_of(s->types[i], v->mask);
        while (v->slots[j] != 0)
            j = (j + 1) & v->mask;
        v->slots[j] = i + 1;
    }
    v->type_shown = bff_arena_calloc(x->arena, s->ntypes ? s->ntypes : 1, 1);
    v->field_shown = bff_arena_calloc(x->arena, s->ntypes ? s->ntypes : 1, sizeof(*v->field_shown));
    for (uint32_t i = 0; i < s->ntypes; ++i) {
        const bff_type_t *t = s->types[i];
        v->type_shown[i] = x->req.visible(t, NULL, x->req.visible_arg);
        v->field_shown[i] = bff_arena_calloc(x->arena, t->nfields ? t->nfields : 1, 1);
        for (uint32_t k = 0; k < t->nfields; ++k)
            v->field_shown[i][k] = x->req.visible(t, &t->fields[k], x->req.visible_arg);
    }
    for (uint32_t round = 0; round <= s->ntypes && narrow(s, v); ++round)
        ;
    /* reachability from the roots (and the directives' arguments); built-in types are always listed */
    uint8_t *seen = bff_arena_calloc(x->arena, s->ntypes ? s->ntypes : 1, 1);
    reach(s, v, seen, s->query_type);
    reach(s, v, seen, s->mutation_type);
    reach(s, v, seen, s->subscription_type);
    for (uint32_t d = 0; d < s->ndirectives; ++d)
        for (uint32_t a = 0; a < s->directives[d]->nargs; ++a)
            reach_ref(s, v, seen, s->directives[d]->args[a].type);
    for (uint32_t i = 0; i < s->ntypes; ++i)
        if (!s->types[i]->builtin && !seen[i])
            v->type_shown[i] = 0;
    return v;
}

bool bff_exec_visible(const bff_exec_t *cx, const bff_type_t *type, const bff_field_t *field)
{
    bff_exec_t *x = (bff_exec_t *)cx; /* the visibility is computed once, on first use */
    if (x->req.visible == NULL || type == NULL)
        return true;
    if (x->visibility == NULL)
        x->visibility = compute(x);
    int i = lookup(x->schema, x->visibility, type);
    if (i < 0 || !x->visibility->type_shown[i])
        return false;
    if (field == NULL)
        return true;
    ptrdiff_t k = field - type->fields;
    return k >= 0 && (uint32_t)k < type->nfields && x->visibility->field_shown[i][k];
}
