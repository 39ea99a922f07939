/*
 * validate_overlap.c - OverlappingFieldsCanBeMergedRule: two fields with the
 * same response name must be the same field with the same arguments (unless
 * their parents can never be the same object) and must return shapes that
 * can merge; sub-selections are compared recursively.
 *
 * This is graphql-js's algorithm, so the same conflicts are found in the same
 * order: per selection set a "field map" (response name -> [parent type,
 * node, definition] in order) plus the fragment names spread there, cached by
 * selection set; fragments compared once per pair (a pair set that also
 * remembers whether the comparison was made under mutually exclusive
 * parents). The memoisation keeps hostile documents (many fragments spread
 * many times) polynomial.
 *
 * Everything lives in the validation arena; the name tables key on strings
 * (node addresses are printed as keys for the per-selection-set cache).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "validate_internal.h"

typedef struct st_fdef_t {
    const bff_type_t *parent;
    const bff_ast_node_t *node;
    const bff_field_t *def;
} fdef_t;

typedef struct st_fentry_t {
    const char *response_name;
    fdef_t *items;
    size_t n, cap;
} fentry_t;

typedef struct st_fieldmap_t {
    fentry_t *entries;
    size_t n, cap;
    const char **fragment_names;
    size_t nfrags, frag_cap;
} fieldmap_t;

typedef struct st_nodes_t {
    const bff_ast_node_t **items;
    size_t n, cap;
} nodes_t;

typedef struct st_conflict_t {
    const char *response_name;
    const char *reason; /* already in graphql-js's words */
    nodes_t fields1, fields2;
} conflict_t;

typedef struct st_conflicts_t {
    conflict_t *items;
    size_t n, cap;
} conflicts_t;

/*
 * Bounds for hostile documents: fragments that spread each other in cycles
 * make the sub-selection comparison recurse without end (graphql-js overflows
 * its stack there), and many fragments spread many times make it slow.
 * Comparisons stop descending past MAX_DEPTH nested sub-selections and stop
 * altogether after MAX_WORK field pairs; such documents are rejected by
 * other rules (NoFragmentCycles) or by the parser's limits anyway.
 */
#define MAX_DEPTH 32
#define MAX_WORK 200000
#define MAX_LOCATIONS 1000
#define MAX_ARENA_GROWTH (16u << 20) /* nested conflicts repeat their sub-conflicts: bound the memory they take */

struct st_bff_overlap_t {
    bff_vctx_t *v;
    unsigned depth;
    size_t work;
    size_t arena_base; /* validation arena use when the rule started */
    bff_names_t cache;    /* selection set address -> fieldmap_t* */
    bff_names_t compared; /* "a\x01b" -> 1 (not exclusive) or 2 (exclusive) */
};

#define GROW(arr, n, cap, arena)                                                                                       \
    do {                                                                                                               \
        if ((n) == (cap)) {                                                                                            \
            size_t c_ = (cap) ? (cap) * 2 : 4;                                                                         \
            void *p_ = bff_arena_alloc((arena), c_ * sizeof(*(arr)));                                                 \
            if ((n) > 0)                                                                                               \
                memcpy(p_, (arr), (n) * sizeof(*(arr)));                                                               \
            (arr) = p_;                                                                                                \
            (cap) = c_;                                                                                                \
        }                                                                                                              \
    } while (0)

bff_overlap_t *bff_overlap_new(bff_vctx_t *v)
{
    bff_overlap_t *o = bff_arena_calloc(v->arena, 1, sizeof(*o));
    o->v = v;
    o->arena_base = bff_arena_used(v->arena);
    bff_names_init(&o->cache, v->arena, 32);
    bff_names_init(&o->compared, v->arena, 32);
    return o;
}

void bff_overlap_free(bff_overlap_t *o)
{
    (void)o; /* arena memory */
}

/* ---- field maps ---- */

static const bff_field_t *own_field(const bff_type_t *t, const char *name)
{
    if (t == NULL || (t->kind != BFF_TYPE_OBJECT && t->kind != BFF_TYPE_INTERFACE))
        return NULL;
    for (uint32_t i = 0; i < t->nfields; ++i)
        if (strcmp(t->fields[i].name, name) == 0)
            return &t->fields[i];
    return NULL;
}

static void collect_fields(bff_overlap_t *o, const bff_type_t *parent, const bff_ast_node_t *set, fieldmap_t *m)
{
    bff_arena_t *a = o->v->arena;
    for (uint32_t i = 0; i < set->selections.len; ++i) {
        const bff_ast_node_t *s = set->selections.items[i];
        if (s->kind == BFF_AST_FIELD) {
            const char *rn = s->alias ? s->alias : s->name;
            size_t k;
            for (k = 0; k < m->n && strcmp(m->entries[k].response_name, rn) != 0; ++k)
                ;
            if (k == m->n) {
                GROW(m->entries, m->n, m->cap, a);
                m->entries[m->n++] = (fentry_t){rn, NULL, 0, 0};
            }
            fentry_t *e = &m->entries[k];
            GROW(e->items, e->n, e->cap, a);
            e->items[e->n++] = (fdef_t){parent, s, own_field(parent, s->name)};
        } else if (s->kind == BFF_AST_FRAGMENT_SPREAD) {
            size_t k;
            for (k = 0; k < m->nfrags && strcmp(m->fragment_names[k], s->name) != 0; ++k)
                ;
            if (k == m->nfrags) {
                GROW(m->fragment_names, m->nfrags, m->frag_cap, a);
                m->fragment_names[m->nfrags++] = s->name;
            }
        } else {
            const bff_type_t *t = s->type_condition ? bff_vtype_from_ast(o->v, s->type_condition) : parent;
            collect_fields(o, t, s->selection_set, m);
        }
    }
}

static const char *ptr_key(bff_overlap_t *o, const void *p)
{
    char key[32];
    snprintf(key, sizeof(key), "%p", p);
    return bff_arena_strdup(o->v->arena, key);
}

static fieldmap_t *fields_and_fragments(bff_overlap_t *o, const bff_type_t *parent, const bff_ast_node_t *set)
{
    char key[32];
    snprintf(key, sizeof(key), "%p", (const void *)set);
    fieldmap_t *m = bff_names_get(&o->cache, key);
    if (m != NULL)
        return m;
    m = bff_arena_calloc(o->v->arena, 1, sizeof(*m));
    collect_fields(o, parent, set, m);
    bff_names_put(&o->cache, o->v->arena, ptr_key(o, set), m);
    return m;
}

static fieldmap_t *fragment_fields(bff_overlap_t *o, const bff_ast_node_t *frag)
{
    char key[32];
    snprintf(key, sizeof(key), "%p", (const void *)frag->selection_set);
    fieldmap_t *m = bff_names_get(&o->cache, key);
    if (m != NULL)
        return m;
    return fields_and_fragments(o, bff_vtype_from_ast(o->v, frag->type_condition), frag->selection_set);
}

/* ---- the pair set ---- */

/* "a\x01b" with a <= b, in `buf` (heap when long); the caller frees what is not `small`. */
static char *pair_key(const char *a, const char *b, char *small, size_t small_len)
{
    if (strcmp(a, b) > 0) {
        const char *t = a;
        a = b;
        b = t;
    }
    size_t la = strlen(a), lb = strlen(b);
    char *k = la + lb + 2 <= small_len ? small : bff_xmalloc(la + lb + 2);
    memcpy(k, a, la);
    k[la] = '\x01';
    memcpy(k + la + 1, b, lb + 1);
    return k;
}

static bool pair_has(bff_overlap_t *o, const char *a, const char *b, bool exclusive)
{
    char small[256];
    char *k = pair_key(a, b, small, sizeof(small));
    uintptr_t r = (uintptr_t)bff_names_get(&o->compared, k);
    if (k != small)
        free(k);
    if (r == 0)
        return false;
    return exclusive ? true : r == 1;
}

static void pair_add(bff_overlap_t *o, const char *a, const char *b, bool exclusive)
{
    char small[256];
    char *k = pair_key(a, b, small, sizeof(small));
    void *value = (void *)(uintptr_t)(exclusive ? 2 : 1);
    if (bff_names_get(&o->compared, k) != NULL)
        bff_names_set(&o->compared, o->v->arena, k, value); /* the key is there: only the value changes */
    else
        bff_names_put(&o->compared, o->v->arena, bff_arena_strdup(o->v->arena, k), value);
    if (k != small)
        free(k);
}

/* ---- comparing ---- */

static void collect_between(bff_overlap_t *o, conflicts_t *out, bool exclusive, fieldmap_t *m1, fieldmap_t *m2);

static void push_conflict(bff_overlap_t *o, conflicts_t *out, conflict_t c)
{
    GROW(out->items, out->n, out->cap, o->v->arena);
    out->items[out->n++] = c;
}

static void nodes_push(bff_overlap_t *o, nodes_t *l, const bff_ast_node_t *n)
{
    GROW(l->items, l->n, l->cap, o->v->arena);
    l->items[l->n++] = n;
}

/* print(sortValueNode(value)): object fields sorted by name, recursively. */
static void print_sorted(bff_overlap_t *o, bff_buf_t *b, const bff_ast_node_t *v)
{
    if (v->kind == BFF_AST_OBJECT_VALUE) {
        uint32_t n = v->fields.len;
        const bff_ast_node_t **f = bff_arena_alloc(o->v->arena, (n + 1) * sizeof(*f));
        for (uint32_t i = 0; i < n; ++i)
            f[i] = v->fields.items[i];
        for (uint32_t i = 1; i < n; ++i)
            for (uint32_t j = i; j > 0 && bff_natural_compare(f[j - 1]->name, f[j]->name) > 0; --j) {
                const bff_ast_node_t *t = f[j - 1];
                f[j - 1] = f[j];
                f[j] = t;
            }
        bff_buf_appendc(b, '{');
        for (uint32_t i = 0; i < n; ++i) {
            bff_buf_printf(b, "%s%s: ", i ? ", " : "", f[i]->name);
            print_sorted(o, b, f[i]->value);
        }
        bff_buf_appendc(b, '}');
    } else if (v->kind == BFF_AST_LIST_VALUE) {
        bff_buf_appendc(b, '[');
        for (uint32_t i = 0; i < v->values.len; ++i) {
            if (i)
                bff_buf_appends(b, ", ");
            print_sorted(o, b, v->values.items[i]);
        }
        bff_buf_appendc(b, ']');
    } else {
        bff_gql_print_value(b, v);
    }
}

static bool same_value(bff_overlap_t *o, const bff_ast_node_t *a, const bff_ast_node_t *b)
{
    bff_buf_t x = BFF_BUF_INIT, y = BFF_BUF_INIT;
    print_sorted(o, &x, a);
    print_sorted(o, &y, b);
    bool same = x.len == y.len && (x.len == 0 || memcmp(x.data, y.data, x.len) == 0);
    bff_buf_free(&x);
    bff_buf_free(&y);
    return same;
}

static bool same_arguments(bff_overlap_t *o, const bff_ast_node_t *n1, const bff_ast_node_t *n2)
{
    if (n1->arguments.len == 0)
        return n2->arguments.len == 0;
    if (n2->arguments.len == 0 || n1->arguments.len != n2->arguments.len)
        return false;
    for (uint32_t i = 0; i < n1->arguments.len; ++i) {
        const bff_ast_node_t *a1 = n1->arguments.items[i], *a2 = NULL;
        for (uint32_t j = 0; j < n2->arguments.len; ++j)
            if (strcmp(n2->arguments.items[j]->name, a1->name) == 0)
                a2 = n2->arguments.items[j]; /* a Map keeps the last */
        if (a2 == NULL || !same_value(o, a1->value, a2->value))
            return false;
    }
    return true;
}

static bool types_conflict(const bff_typeref_t *t1, const bff_typeref_t *t2)
{
    if (t1->kind == BFF_TYPEREF_LIST)
        return t2->kind == BFF_TYPEREF_LIST ? types_conflict(t1->of, t2->of) : true;
    if (t2->kind == BFF_TYPEREF_LIST)
        return true;
    if (t1->kind == BFF_TYPEREF_NON_NULL)
        return t2->kind == BFF_TYPEREF_NON_NULL ? types_conflict(t1->of, t2->of) : true;
    if (t2->kind == BFF_TYPEREF_NON_NULL)
        return true;
    if (bff_type_is_leaf(t1->named) || bff_type_is_leaf(t2->named))
        return t1->named != t2->named;
    return false;
}

static void between_fields_and_fragment(bff_overlap_t *o, conflicts_t *out, bool exclusive, fieldmap_t *m,
                                        const char *frag_name);
static void between_fragments(bff_overlap_t *o, conflicts_t *out, bool exclusive, const char *f1, const char *f2);

static conflicts_t between_sub_selections(bff_overlap_t *o, bool exclusive, const bff_type_t *t1,
                                          const bff_ast_node_t *s1, const bff_type_t *t2, const bff_ast_node_t *s2)
{
    conflicts_t out = {0};
    fieldmap_t *m1 = fields_and_fragments(o, t1, s1);
    fieldmap_t *m2 = fields_and_fragments(o, t2, s2);
    collect_between(o, &out, exclusive, m1, m2);
    for (size_t i = 0; i < m2->nfrags; ++i)
        between_fields_and_fragment(o, &out, exclusive, m1, m2->fragment_names[i]);
    for (size_t i = 0; i < m1->nfrags; ++i)
        between_fields_and_fragment(o, &out, exclusive, m2, m1->fragment_names[i]);
    for (size_t i = 0; i < m1->nfrags; ++i)
        for (size_t j = 0; j < m2->nfrags; ++j)
            between_fragments(o, &out, exclusive, m1->fragment_names[i], m2->fragment_names[j]);
    return out;
}

/* findConflict: returns true and fills *c when the two fields conflict. */
static bool find_conflict(bff_overlap_t *o, bool parents_exclusive, const char *response_name, const fdef_t *f1,
                          const fdef_t *f2, conflict_t *c)
{
    bff_arena_t *a = o->v->arena;
    o->work++;
    bool exclusive = parents_exclusive || (f1->parent != f2->parent && f1->parent != NULL && f2->parent != NULL &&
                                           f1->parent->kind == BFF_TYPE_OBJECT && f2->parent->kind == BFF_TYPE_OBJECT);
    memset(c, 0, sizeof(*c));
    c->response_name = response_name;
    if (!exclusive) {
        if (strcmp(f1->node->name, f2->node->name) != 0) {
            c->reason = bff_arena_printf(a, "\"%s\" and \"%s\" are different fields", f1->node->name, f2->node->name);
            goto simple;
        }
        if (!same_arguments(o, f1->node, f2->node)) {
            c->reason = "they have differing arguments";
            goto simple;
        }
    }
    const bff_typeref_t *t1 = f1->def ? f1->def->type : NULL, *t2 = f2->def ? f2->def->type : NULL;
    if (t1 != NULL && t2 != NULL && types_conflict(t1, t2)) {
        c->reason = bff_arena_printf(a, "they return conflicting types \"%s\" and \"%s\"", bff_vtype_str(o->v, t1),
                                     bff_vtype_str(o->v, t2));
        goto simple;
    }
    if (f1->node->selection_set != NULL && f2->node->selection_set != NULL && o->depth < MAX_DEPTH &&
        o->work < MAX_WORK && bff_arena_used(o->v->arena) - o->arena_base < MAX_ARENA_GROWTH) {
        o->depth++;
        conflicts_t subs = between_sub_selections(o, exclusive, t1 ? bff_typeref_named(t1) : NULL,
                                                  f1->node->selection_set, t2 ? bff_typeref_named(t2) : NULL,
                                                  f2->node->selection_set);
        o->depth--;
        if (subs.n == 0)
            return false;
        bff_buf_t b = BFF_BUF_INIT;
        nodes_push(o, &c->fields1, f1->node);
        nodes_push(o, &c->fields2, f2->node);
        for (size_t i = 0; i < subs.n; ++i) {
            if (i)
                bff_buf_appends(&b, " and ");
            bff_buf_printf(&b, "subfields \"%s\" conflict because %s", subs.items[i].response_name,
                           subs.items[i].reason);
            for (size_t k = 0; k < subs.items[i].fields1.n; ++k)
                nodes_push(o, &c->fields1, subs.items[i].fields1.items[k]);
            for (size_t k = 0; k < subs.items[i].fields2.n; ++k)
                nodes_push(o, &c->fields2, subs.items[i].fields2.items[k]);
        }
        c->reason = bff_arena_strndup(a, b.data, b.len);
        bff_buf_free(&b);
        return true;
    }
    return false;
simple:
    nodes_push(o, &c->fields1, f1->node);
    nodes_push(o, &c->fields2, f2->node);
    return true;
}

static void collect_within(bff_overlap_t *o, conflicts_t *out, fieldmap_t *m)
{
    for (size_t k = 0; k < m->n; ++k) {
        fentry_t *e = &m->entries[k];
        for (size_t i = 0; i < e->n; ++i)
            for (size_t j = i + 1; j < e->n; ++j) {
                conflict_t c;
                if (find_conflict(o, false, e->response_name, &e->items[i], &e->items[j], &c))
                    push_conflict(o, out, c);
            }
    }
}

static void collect_between(bff_overlap_t *o, conflicts_t *out, bool exclusive, fieldmap_t *m1, fieldmap_t *m2)
{
    for (size_t k = 0; k < m1->n; ++k) {
        fentry_t *e1 = &m1->entries[k], *e2 = NULL;
        for (size_t j = 0; j < m2->n && e2 == NULL; ++j)
            if (strcmp(m2->entries[j].response_name, e1->response_name) == 0)
                e2 = &m2->entries[j];
        if (e2 == NULL)
            continue;
        for (size_t i = 0; i < e1->n; ++i)
            for (size_t j = 0; j < e2->n; ++j) {
                conflict_t c;
                if (find_conflict(o, exclusive, e1->response_name, &e1->items[i], &e2->items[j], &c))
                    push_conflict(o, out, c);
            }
    }
}

static void between_fields_and_fragment(bff_overlap_t *o, conflicts_t *out, bool exclusive, fieldmap_t *m,
                                        const char *frag_name)
{
    const bff_ast_node_t *frag = bff_vfragment(o->v, frag_name);
    if (frag == NULL)
        return;
    fieldmap_t *m2 = fragment_fields(o, frag);
    if (m == m2)
        return;
    collect_between(o, out, exclusive, m, m2);
    for (size_t i = 0; i < m2->nfrags; ++i) {
        const char *ref = m2->fragment_names[i];
        if (pair_has(o, ref, frag_name, exclusive))
            continue;
        pair_add(o, ref, frag_name, exclusive);
        between_fields_and_fragment(o, out, exclusive, m, ref);
    }
}

static void between_fragments(bff_overlap_t *o, conflicts_t *out, bool exclusive, const char *f1, const char *f2)
{
    if (strcmp(f1, f2) == 0 || pair_has(o, f1, f2, exclusive))
        return;
    pair_add(o, f1, f2, exclusive);
    const bff_ast_node_t *frag1 = bff_vfragment(o->v, f1), *frag2 = bff_vfragment(o->v, f2);
    if (frag1 == NULL || frag2 == NULL)
        return;
    fieldmap_t *m1 = fragment_fields(o, frag1), *m2 = fragment_fields(o, frag2);
    collect_between(o, out, exclusive, m1, m2);
    for (size_t i = 0; i < m2->nfrags; ++i)
        between_fragments(o, out, exclusive, f1, m2->fragment_names[i]);
    for (size_t i = 0; i < m1->nfrags; ++i)
        between_fragments(o, out, exclusive, m1->fragment_names[i], f2);
}

void bff_overlap_check(bff_overlap_t *o, const bff_ast_node_t *selection_set, const bff_type_t *parent_type)
{
    conflicts_t out = {0};
    fieldmap_t *m = fields_and_fragments(o, parent_type, selection_set);
    collect_within(o, &out, m);
    for (size_t i = 0; i < m->nfrags; ++i) {
        between_fields_and_fragment(o, &out, false, m, m->fragment_names[i]);
        for (size_t j = i + 1; j < m->nfrags; ++j)
            between_fragments(o, &out, false, m->fragment_names[i], m->fragment_names[j]);
    }
    for (size_t i = 0; i < out.n; ++i) {
        conflict_t *c = &out.items[i];
        bff_gql_error_t *e = bff_vreportf(o->v, BFF_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
                                          "Fields \"%s\" conflict because %s. Use different aliases on the fields to "
                                          "fetch both if this was intentional.",
                                          c->response_name, c->reason);
        /* every field involved, as graphql-js lists them (capped for hostile documents) */
        for (size_t k = 0; k < c->fields1.n && k < MAX_LOCATIONS; ++k)
            bff_vloc(o->v, e, c->fields1.items[k]->loc);
        for (size_t k = 0; k < c->fields2.n && k < MAX_LOCATIONS; ++k)
            bff_vloc(o->v, e, c->fields2.items[k]->loc);
    }
}
