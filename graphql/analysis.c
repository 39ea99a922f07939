/*
 * analysis.c - the admission analysis of one operation (see analysis.h).
 *
 * Three walks share one table of the document's fragments (frag_t, found by
 * name through an open-addressed index, so a spread costs O(1) and not a scan
 * of the definitions):
 *   - summarise: depth, aliases and root fields of a selection set; a
 *     fragment's summary is computed once (frag_t.state) and reused at every
 *     spread of it;
 *   - set_cost: the static cost (cost.h) of a selection set as a pair (a, b)
 *     in a list-size context `sized` (the sizedFields of the connection the
 *     set is selected on): the set costs a + k * b when the connection's size
 *     is k. A fragment's pair is memoised per context (frag_t.costs);
 *   - collect: every field (type, definition) and deprecated element, from the
 *     operation and from each fragment it reaches, each definition walked
 *     once (a worklist, frag_t.collected), deduplicated in pointer sets.
 * Invariants: steps <= max_steps, spreads nested <= max_fragment_depth, and a
 * fragment met again while its own summary is computed is a cycle; each of
 * these stops the walk with a status, and the result is then not to be used.
 * The memo tables live on the heap for the call; the result's lists in the
 * caller's arena.
 */
#include "analysis.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "base/hash.h"

static const char *const status_text[] = {
#define BFF_ANALYSIS_TEXT(id, text) text,
    BFF_ANALYSIS_STATUSES(BFF_ANALYSIS_TEXT)
#undef BFF_ANALYSIS_TEXT
};

const char *bff_analysis_status_text(bff_analysis_status_t status)
{
    return status_text[status];
}

typedef struct st_summary_t {
    uint32_t depth, aliases, roots;
} summary_t;

typedef struct st_cost_pair_t {
    int64_t a, b;
} cost_pair_t;

/* A fragment's cost in one list-size context. */
typedef struct st_sized_memo_t {
    const bff_ast_node_t *sized;
    cost_pair_t cost;
    struct st_sized_memo_t *next;
} sized_memo_t;

typedef struct st_frag_t {
    const bff_ast_node_t *def;
    const bff_type_t *type; /* its type condition; NULL when unknown */
    uint8_t state;          /* summary: 0 not yet, 1 being computed, 2 done */
    bool collected;         /* its fields and deprecations are in the sets */
    bool costing;           /* its cost is being computed (a cycle otherwise) */
    summary_t summary;
    sized_memo_t *costs;
} frag_t;

/* A set of pointer pairs (open addressing, power-of-two capacity, at most half full). */
typedef struct st_ptrset_t {
    const void **keys; /* 2 per slot */
    size_t cap, n;
} ptrset_t;

typedef struct st_walk_t {
    const bff_schema_t *schema;
    const bff_ast_node_t *op;
    json_t *variables;
    const bff_analysis_options_t *opts;
    int64_t default_list_size;
    bff_arena_t *arena;   /* the result's lists */
    bff_arena_t *scratch; /* the cost memo, made on first use and freed before returning */
    frag_t *frags;
    size_t nfrags;
    uint32_t *index; /* frag index + 1, 0: empty */
    size_t index_mask;
    uint32_t frag_depth;
    bff_analysis_t *out;
    ptrset_t field_set, deprecated_set;
    size_t fields_cap, deprecations_cap;
} walk_t;

static uint64_t hash_ptrs(const void *a, const void *b)
{
    uint64_t h = (uint64_t)(uintptr_t)a * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(uintptr_t)b * 0xC2B2AE3D27D4EB4FULL;
    return h ^ (h >> 29);
}

/* Adds (a, b); true when it was not there. */
static bool ptrset_add(ptrset_t *s, const void *a, const void *b)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        const void **keys = bff_xcalloc(cap * 2, sizeof(*keys));
        for (size_t i = 0; i < s->cap; ++i) {
            if (s->keys[2 * i] == NULL)
                continue;
            size_t j = hash_ptrs(s->keys[2 * i], s->keys[2 * i + 1]) & (cap - 1);
            while (keys[2 * j] != NULL)
                j = (j + 1) & (cap - 1);
            keys[2 * j] = s->keys[2 * i];
            keys[2 * j + 1] = s->keys[2 * i + 1];
        }
        free(s->keys);
        s->keys = keys;
        s->cap = cap;
    }
    assert(a != NULL);
    size_t j = hash_ptrs(a, b) & (s->cap - 1);
    for (; s->keys[2 * j] != NULL; j = (j + 1) & (s->cap - 1))
        if (s->keys[2 * j] == a && s->keys[2 * j + 1] == b)
            return false;
    s->keys[2 * j] = a;
    s->keys[2 * j + 1] = b;
    s->n++;
    return true;
}

/* One unit of work; false (and the status set) once the budget is spent or the walk has stopped. */
static bool step(walk_t *w)
{
    if (w->out->status != BFF_ANALYSIS_OK)
        return false;
    if (++w->out->steps > w->opts->max_steps) {
        w->out->status = BFF_ANALYSIS_TOO_COMPLEX;
        return false;
    }
    return true;
}

static void index_fragments(walk_t *w, const bff_ast_node_t *document)
{
    size_t n = 0;
    for (uint32_t i = 0; i < document->definitions.len; ++i)
        n += document->definitions.items[i]->kind == BFF_AST_FRAGMENT_DEFINITION;
    w->frags = bff_xcalloc(n ? n : 1, sizeof(*w->frags));
    size_t cap = 16;
    while (cap < 2 * n)
        cap <<= 1;
    w->index = bff_xcalloc(cap, sizeof(*w->index));
    w->index_mask = cap - 1;
    for (uint32_t i = 0; i < document->definitions.len; ++i) {
        const bff_ast_node_t *d = document->definitions.items[i];
        if (d->kind != BFF_AST_FRAGMENT_DEFINITION)
            continue;
        size_t j = bff_fnv1a_str(d->name) & w->index_mask;
        bool duplicate = false;
        for (; w->index[j] != 0; j = (j + 1) & w->index_mask)
            if (strcmp(w->frags[w->index[j] - 1].def->name, d->name) == 0)
                duplicate = true; /* the first definition wins, as bff_ast_fragment finds it */
        if (duplicate)
            continue;
        frag_t *f = &w->frags[w->nfrags];
        f->def = d;
        f->type = d->type_condition ? bff_schema_type(w->schema, d->type_condition->name) : NULL;
        w->index[j] = (uint32_t)++w->nfrags;
    }
}

static frag_t *fragment(walk_t *w, const char *name)
{
    for (size_t j = bff_fnv1a_str(name) & w->index_mask; w->index[j] != 0; j = (j + 1) & w->index_mask)
        if (strcmp(w->frags[w->index[j] - 1].def->name, name) == 0)
            return &w->frags[w->index[j] - 1];
    return NULL;
}

static const bff_field_t *field_def(const walk_t *w, const bff_type_t *type, const bff_ast_node_t *field)
{
    if (type == NULL || (field->name[0] == '_' && field->name[1] == '_'))
        return NULL; /* meta fields (__typename, __schema, __type) */
    return bff_schema_field(w->schema, type, field->name);
}

static const bff_type_t *inline_type(const walk_t *w, const bff_ast_node_t *s, const bff_type_t *parent)
{
    return s->type_condition ? bff_schema_type(w->schema, s->type_condition->name) : parent;
}

static bool is_list(const bff_typeref_t *t)
{
    for (; t != NULL; t = t->of)
        if (t->kind == BFF_TYPEREF_LIST)
            return true;
    return false;
}

static uint32_t sat_add(uint32_t a, uint32_t b)
{
    return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

/* ---- depth, aliases, root fields ---- */

static summary_t summarise(walk_t *w, const bff_ast_node_t *set);

static bool enter_fragment(walk_t *w)
{
    if (++w->frag_depth > w->opts->max_fragment_depth) {
        if (w->out->status == BFF_ANALYSIS_OK)
            w->out->status = BFF_ANALYSIS_TOO_DEEP;
        --w->frag_depth;
        return false;
    }
    return true;
}

static summary_t fragment_summary(walk_t *w, frag_t *f)
{
    summary_t none = {0, 0, 0};
    if (f->state == 2)
        return f->summary;
    if (f->state == 1) {
        w->out->status = BFF_ANALYSIS_CYCLE;
        return none;
    }
    if (!enter_fragment(w))
        return none;
    f->state = 1;
    f->summary = summarise(w, f->def->selection_set);
    f->state = 2;
    --w->frag_depth;
    return f->summary;
}

static summary_t summarise(walk_t *w, const bff_ast_node_t *set)
{
    summary_t sum = {0, 0, 0};
    for (uint32_t i = 0; set != NULL && i < set->selections.len; ++i) {
        if (!step(w))
            return sum;
        const bff_ast_node_t *s = set->selections.items[i];
        summary_t sub = {0, 0, 0};
        if (s->kind == BFF_AST_FIELD) {
            sub = summarise(w, s->selection_set);
            sum.depth = sub.depth + 1 > sum.depth ? sub.depth + 1 : sum.depth;
            sum.aliases = sat_add(sat_add(sum.aliases, s->alias != NULL), sub.aliases);
            sum.roots = sat_add(sum.roots, 1);
            continue;
        }
        if (s->kind == BFF_AST_INLINE_FRAGMENT) {
            sub = summarise(w, s->selection_set);
        } else if (s->kind == BFF_AST_FRAGMENT_SPREAD) {
            frag_t *f = fragment(w, s->name);
            if (f == NULL)
                continue;
            sub = fragment_summary(w, f);
        }
        sum.depth = sub.depth > sum.depth ? sub.depth : sum.depth;
        sum.aliases = sat_add(sum.aliases, sub.aliases);
        sum.roots = sat_add(sum.roots, sub.roots);
    }
    return sum;
}

/* ---- static cost ---- */

static cost_pair_t set_cost(walk_t *w, const bff_type_t *type, const bff_ast_node_t *set, const bff_ast_node_t *sized);

/* Two sizedFields lists naming the same fields (each connection field has its own list node). */
static bool same_names(const bff_ast_node_t *a, const bff_ast_node_t *b)
{
    if (a == b)
        return true;
    if (a == NULL || b == NULL || a->values.len != b->values.len)
        return false;
    for (uint32_t i = 0; i < a->values.len; ++i) {
        const bff_ast_node_t *x = a->values.items[i], *y = b->values.items[i];
        if (x->text_len != y->text_len || memcmp(x->text, y->text, x->text_len) != 0)
            return false;
    }
    return true;
}

static cost_pair_t fragment_cost(walk_t *w, frag_t *f, const bff_ast_node_t *sized)
{
    cost_pair_t zero = {0, 0};
    for (sized_memo_t *m = f->costs; m != NULL; m = m->next)
        if (same_names(m->sized, sized))
            return m->cost;
    if (f->type == NULL)
        return zero;
    if (f->costing) {
        w->out->status = BFF_ANALYSIS_CYCLE;
        return zero;
    }
    if (!enter_fragment(w))
        return zero;
    f->costing = true;
    cost_pair_t c = set_cost(w, f->type, f->def->selection_set, sized);
    f->costing = false;
    --w->frag_depth;
    if (w->scratch == NULL)
        w->scratch = bff_arena_new(4096);
    sized_memo_t *m = bff_arena_alloc(w->scratch, sizeof(*m));
    *m = (sized_memo_t){sized, c, f->costs};
    f->costs = m;
    return c;
}

/* One field in context `sized`: adds to the pair. */
static void field_cost(walk_t *w, const bff_type_t *parent, const bff_ast_node_t *field, const bff_ast_node_t *sized,
                       cost_pair_t *into)
{
    const bff_field_t *def = field_def(w, parent, field);
    if (def == NULL)
        return; /* meta fields: limited on their own (max introspection depth) */
    int64_t own = bff_cost_field_weight(def, field);
    const bff_type_t *named = bff_typeref_named(def->type);
    const bff_ast_node_t *own_sized = bff_cost_sized_fields(def);
    int64_t inner = bff_cost_type_weight(named);
    int64_t size = 1;
    if (own_sized != NULL || is_list(def->type))
        size = bff_cost_list_size(def, field, w->op, w->variables, w->default_list_size);
    if (field->selection_set != NULL) {
        cost_pair_t sub = set_cost(w, named, field->selection_set, own_sized);
        /* a connection: its size goes to its sized fields, not to it */
        inner = bff_cost_add(inner, own_sized != NULL ? bff_cost_add(sub.a, bff_cost_mul(size, sub.b)) : sub.a);
    }
    if (own_sized != NULL) {
        into->a = bff_cost_add(into->a, bff_cost_add(own, inner));
    } else if (sized != NULL && bff_cost_in_list(sized, field->name)) {
        into->a = bff_cost_add(into->a, own); /* the enclosing connection's size multiplies it */
        into->b = bff_cost_add(into->b, inner);
    } else {
        into->a = bff_cost_add(into->a, bff_cost_add(own, bff_cost_mul(size, inner)));
    }
}

static cost_pair_t set_cost(walk_t *w, const bff_type_t *type, const bff_ast_node_t *set, const bff_ast_node_t *sized)
{
    cost_pair_t total = {0, 0};
    for (uint32_t i = 0; set != NULL && type != NULL && i < set->selections.len; ++i) {
        if (!step(w))
            return total;
        const bff_ast_node_t *s = set->selections.items[i];
        cost_pair_t sub = {0, 0};
        if (s->kind == BFF_AST_FIELD) {
            field_cost(w, type, s, sized, &total);
            continue;
        }
        if (s->kind == BFF_AST_INLINE_FRAGMENT) {
            const bff_type_t *on = inline_type(w, s, type);
            sub = set_cost(w, on ? on : type, s->selection_set, sized);
        } else if (s->kind == BFF_AST_FRAGMENT_SPREAD) {
            frag_t *f = fragment(w, s->name);
            if (f == NULL)
                continue;
            sub = fragment_cost(w, f, sized);
        }
        total.a = bff_cost_add(total.a, sub.a);
        total.b = bff_cost_add(total.b, sub.b);
    }
    return total;
}

/* ---- fields and deprecated elements ---- */

/* An arena array of n items (capacity *cap) with room for one more: the same, or a copy twice as large. */
static void *room_for_one(bff_arena_t *arena, void *items, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return items;
    *cap = *cap ? *cap * 2 : 16;
    void *bigger = bff_arena_alloc(arena, *cap * size);
    if (n > 0)
        memcpy(bigger, items, n * size);
    return bigger;
}

static void use_deprecated(walk_t *w, const void *element, const char *type, const char *name, const char *arg,
                           const char *reason)
{
    if (!ptrset_add(&w->deprecated_set, element, NULL))
        return;
    bff_analysis_t *out = w->out;
    out->deprecations = room_for_one(w->arena, out->deprecations, out->ndeprecations, &w->deprecations_cap,
                                     sizeof(*out->deprecations));
    const char *coordinate = arg ? bff_arena_printf(w->arena, "%s.%s(%s:)", type, name, arg)
                                 : bff_arena_printf(w->arena, "%s.%s", type, name);
    out->deprecations[out->ndeprecations++] = (bff_deprecated_use_t){coordinate, reason};
}

/* A literal of input type `type`: deprecated enum values and input fields in it. */
static void value_uses(walk_t *w, const bff_typeref_t *type, const bff_ast_node_t *v)
{
    if (v == NULL || type == NULL || !step(w))
        return;
    while (type->kind == BFF_TYPEREF_NON_NULL)
        type = type->of;
    if (type->kind == BFF_TYPEREF_LIST) {
        if (v->kind == BFF_AST_LIST_VALUE)
            for (uint32_t i = 0; i < v->values.len; ++i)
                value_uses(w, type->of, v->values.items[i]);
        else
            value_uses(w, type->of, v);
        return;
    }
    const bff_type_t *t = type->named;
    if (t->kind == BFF_TYPE_ENUM && v->kind == BFF_AST_ENUM_VALUE) {
        const bff_enum_value_t *ev = NULL;
        for (uint32_t e = 0; e < t->nenum_values && ev == NULL; ++e)
            if (strlen(t->enum_values[e].name) == v->text_len && memcmp(t->enum_values[e].name, v->text, v->text_len) == 0)
                ev = &t->enum_values[e];
        if (ev != NULL && ev->deprecated)
            use_deprecated(w, ev, t->name, ev->name, NULL, ev->deprecation_reason);
    } else if (t->kind == BFF_TYPE_INPUT_OBJECT && v->kind == BFF_AST_OBJECT_VALUE) {
        for (uint32_t i = 0; i < v->fields.len; ++i) {
            const bff_ast_node_t *f = v->fields.items[i];
            const bff_input_value_t *def = bff_type_input_field(t, f->name);
            if (def == NULL)
                continue;
            if (def->deprecated)
                use_deprecated(w, def, t->name, def->name, NULL, def->deprecation_reason);
            value_uses(w, def->type, f->value);
        }
    }
}

static void field_use(walk_t *w, const bff_type_t *type, const bff_field_t *def, const bff_ast_node_t *s)
{
    bff_analysis_t *out = w->out;
    if (ptrset_add(&w->field_set, type, def)) {
        out->fields = room_for_one(w->arena, out->fields, out->nfields, &w->fields_cap, sizeof(*out->fields));
        out->fields[out->nfields++] = (bff_field_use_t){type, def, s};
        if (def->deprecated)
            use_deprecated(w, def, type->name, def->name, NULL, def->deprecation_reason);
    }
    for (uint32_t k = 0; k < s->arguments.len; ++k) {
        const bff_input_value_t *a = bff_field_arg(def, s->arguments.items[k]->name);
        if (a == NULL)
            continue;
        if (a->deprecated)
            use_deprecated(w, a, type->name, def->name, a->name, a->deprecation_reason);
        value_uses(w, a->type, s->arguments.items[k]->value);
    }
}

/* The fields of one definition's selections; spreads queue their fragment (walked once) instead of recursing. */
static void collect(walk_t *w, const bff_type_t *type, const bff_ast_node_t *set, frag_t **queue, size_t *nqueue)
{
    for (uint32_t i = 0; set != NULL && type != NULL && i < set->selections.len; ++i) {
        if (!step(w))
            return;
        const bff_ast_node_t *s = set->selections.items[i];
        if (s->kind == BFF_AST_FIELD) {
            const bff_field_t *def = field_def(w, type, s);
            if (def == NULL)
                continue;
            field_use(w, type, def, s);
            collect(w, bff_typeref_named(def->type), s->selection_set, queue, nqueue);
        } else if (s->kind == BFF_AST_INLINE_FRAGMENT) {
            collect(w, inline_type(w, s, type), s->selection_set, queue, nqueue);
        } else if (s->kind == BFF_AST_FRAGMENT_SPREAD) {
            frag_t *f = fragment(w, s->name);
            if (f != NULL && !f->collected) {
                f->collected = true;
                queue[(*nqueue)++] = f;
            }
        }
    }
}

bff_analysis_status_t bff_analyse_operation(const bff_schema_t *schema, const bff_ast_node_t *document,
                                            const bff_ast_node_t *op, json_t *variables,
                                            const bff_analysis_options_t *opts, bff_arena_t *arena, bff_analysis_t *out)
{
    bff_analysis_options_t o = opts ? *opts : (bff_analysis_options_t){0};
    if (o.max_steps == 0)
        o.max_steps = 1000000;
    if (o.max_fragment_depth == 0)
        o.max_fragment_depth = 256;
    memset(out, 0, sizeof(*out));
    walk_t w = {.schema = schema,
                .op = op,
                .variables = json_is_object(variables) ? variables : NULL,
                .opts = &o,
                .default_list_size = o.cost.default_list_size ? o.cost.default_list_size : 10,
                .arena = arena,
                .out = out};
    index_fragments(&w, document);
    const bff_type_t *root = bff_schema_root_type(schema, op->operation);

    summary_t sum = summarise(&w, op->selection_set);
    out->shape = (bff_op_shape_t){sum.depth, sum.aliases, sum.roots};

    if (root != NULL && out->status == BFF_ANALYSIS_OK) {
        out->cost = set_cost(&w, root, op->selection_set, NULL).a;
        if (op->operation == BFF_OP_MUTATION)
            out->cost = bff_cost_add(out->cost, bff_cost_mul(o.cost.mutation_cost ? o.cost.mutation_cost : 10, sum.roots));
    }

    if (!o.cost_only && root != NULL && out->status == BFF_ANALYSIS_OK) {
        frag_t **queue = bff_xcalloc(w.nfrags ? w.nfrags : 1, sizeof(*queue));
        size_t nqueue = 0;
        collect(&w, root, op->selection_set, queue, &nqueue);
        for (size_t i = 0; i < nqueue && out->status == BFF_ANALYSIS_OK; ++i)
            collect(&w, queue[i]->type, queue[i]->def->selection_set, queue, &nqueue);
        free(queue);
    }
    free(w.field_set.keys);
    free(w.deprecated_set.keys);
    free(w.frags);
    free(w.index);
    bff_arena_free(w.scratch);
    if (out->status != BFF_ANALYSIS_OK)
        out->cost = BFF_COST_MAX;
    return out->status;
}

int64_t bff_cost_estimate(const bff_schema_t *schema, const bff_ast_node_t *document, const bff_ast_node_t *op,
                          json_t *variables, const bff_cost_options_t *opts)
{
    bff_analysis_options_t o = {.cost_only = true};
    if (opts != NULL)
        o.cost = *opts;
    bff_arena_t *arena = bff_arena_new(0);
    bff_analysis_t a;
    bff_analyse_operation(schema, document, op, variables, &o, arena, &a);
    bff_arena_free(arena);
    return a.cost;
}
