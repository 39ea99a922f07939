/*
 * exec_collect.c - CollectFields (spec 6.3.2): groups the selections that
 * apply to one object type by response key, in query order, following
 * fragment spreads (each fragment once) and inline fragments whose type
 * condition matches, and honouring @skip / @include.
 *
 * A field set (exec_fieldset_t) is computed once per execution for the root
 * and once per (collected field, runtime object type) for sub-selections,
 * then cached on the collected field; @skip/@include depend only on the
 * variables, which are fixed for the execution, so the cache is exact.
 *
 * Memory: sets, fields and node arrays live in the execution arena.
 */
#include "exec_internal.h"

#include <string.h>

typedef struct st_visited_t {
    const char **names;
    uint32_t n, cap;
} visited_t;

void bff_exec_index_fragments(bff_exec_t *x, const bff_ast_node_t *document)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < document->definitions.len; ++i)
        if (document->definitions.items[i]->kind == BFF_AST_FRAGMENT_DEFINITION)
            ++n;
    x->fragments = bff_arena_calloc(x->arena, n ? n : 1, sizeof(*x->fragments));
    x->nfragments = 0;
    for (uint32_t i = 0; i < document->definitions.len; ++i) {
        const bff_ast_node_t *d = document->definitions.items[i];
        if (d->kind == BFF_AST_FRAGMENT_DEFINITION) {
            x->fragments[x->nfragments].name = d->name;
            x->fragments[x->nfragments].node = d;
            ++x->nfragments;
        }
    }
}

static const bff_ast_node_t *find_fragment(bff_exec_t *x, const char *name)
{
    for (uint32_t i = 0; i < x->nfragments; ++i)
        if (strcmp(x->fragments[i].name, name) == 0)
            return x->fragments[i].node;
    return NULL;
}

/* The coerced arguments of directive `d` (a new reference), or NULL with set->err when they do not coerce. */
static json_t *directive_args(bff_exec_t *x, exec_fieldset_t *set, const bff_ast_node_t *d, const bff_directive_def_t *def)
{
    json_t *args = NULL;
    const char *err = NULL;
    const bff_ast_node_t *err_node = NULL;
    if (bff_exec_argument_values(x, def->args, def->nargs, &d->arguments, d, &args, &err, &err_node) != 0) {
        set->err = err;
        set->err_node = err_node;
        return NULL;
    }
    return args;
}

/* 1: include, 0: skip, -1: a directive argument failed to coerce (set->err). */
static int should_include(bff_exec_t *x, exec_fieldset_t *set, const bff_ast_node_t *node)
{
    for (uint32_t i = 0; i < node->directives.len; ++i) {
        const bff_ast_node_t *d = node->directives.items[i];
        bool is_skip = strcmp(d->name, "skip") == 0;
        if (!is_skip && strcmp(d->name, "include") != 0)
            continue;
        const bff_directive_def_t *def = bff_schema_directive(x->schema, d->name);
        if (def == NULL)
            continue;
        json_t *args = directive_args(x, set, d, def);
        if (args == NULL)
            return -1;
        json_t *v = json_object_get(args, "if");
        bool skip = is_skip ? json_is_true(v) : json_is_false(v);
        json_decref(args);
        if (skip)
            return 0;
    }
    return 1;
}

/*
 * With incremental delivery: whether the fragment `node` is deferred (an
 * @defer whose `if` is not false), and its label. 1: deferred, 0: not, -1:
 * its arguments failed to coerce (set->err).
 */
static int deferred(bff_exec_t *x, exec_fieldset_t *set, const bff_ast_node_t *node, const char **label)
{
    if (!x->req.defer || node->directives.len == 0)
        return 0;
    const bff_ast_node_t *d = bff_ast_find_directive(&node->directives, "defer");
    const bff_directive_def_t *def = d != NULL ? bff_schema_directive(x->schema, "defer") : NULL;
    if (def == NULL)
        return 0;
    json_t *args = directive_args(x, set, d, def);
    if (args == NULL)
        return -1;
    bool on = !json_is_false(json_object_get(args, "if"));
    const char *l = json_string_value(json_object_get(args, "label"));
    *label = l != NULL ? bff_arena_strdup(x->arena, l) : NULL;
    json_decref(args);
    return on ? 1 : 0;
}

static void defer_fragment(bff_exec_t *x, exec_fieldset_t *set, const char *label, const bff_ast_node_t *selection_set)
{
    exec_defer_t *d = bff_arena_calloc(x->arena, 1, sizeof(*d));
    d->label = label;
    d->selection_set = selection_set;
    if (set->deferred_tail == NULL)
        set->deferred_tail = &set->deferred;
    *set->deferred_tail = d;
    set->deferred_tail = &d->next;
}

static bool condition_matches(bff_exec_t *x, const bff_ast_node_t *cond, const bff_type_t *type)
{
    if (cond == NULL)
        return true;
    const bff_type_t *ct = bff_schema_type(x->schema, cond->name);
    if (ct == NULL)
        return false;
    if (ct == type)
        return true;
    if (ct->kind == BFF_TYPE_INTERFACE || ct->kind == BFF_TYPE_UNION)
        return bff_schema_is_possible_type(x->schema, ct, type);
    return false;
}

static void add_field(bff_exec_t *x, exec_fieldset_t *set, const bff_type_t *type, const bff_ast_node_t *node)
{
    const char *key = node->alias != NULL ? node->alias : node->name;
    for (uint32_t i = 0; i < set->n; ++i) {
        exec_cfield_t *cf = &set->fields[i];
        if (strcmp(cf->key, key) == 0) {
            if (cf->nnodes == cf->cap) {
                uint32_t cap = cf->cap * 2;
                const bff_ast_node_t **nodes = bff_arena_alloc(x->arena, cap * sizeof(*nodes));
                memcpy(nodes, cf->nodes, cf->nnodes * sizeof(*nodes));
                cf->nodes = nodes;
                cf->cap = cap;
            }
            cf->nodes[cf->nnodes++] = node;
            return;
        }
    }
    if (set->n == set->cap) {
        uint32_t cap = set->cap ? set->cap * 2 : 8;
        exec_cfield_t *fields = bff_arena_calloc(x->arena, cap, sizeof(*fields));
        if (set->n)
            memcpy(fields, set->fields, set->n * sizeof(*fields));
        set->fields = fields;
        set->cap = cap;
    }
    exec_cfield_t *cf = &set->fields[set->n++];
    memset(cf, 0, sizeof(*cf));
    cf->key = key;
    cf->klen = (uint32_t)strlen(key);
    cf->cap = 2;
    cf->nodes = bff_arena_alloc(x->arena, cf->cap * sizeof(*cf->nodes));
    cf->nodes[0] = node;
    cf->nnodes = 1;
    if (strcmp(node->name, "__typename") == 0) {
        cf->is_typename = true;
        cf->def = x->schema->typename_field;
    } else {
        cf->def = bff_schema_field(x->schema, type, node->name);
    }
}

static int collect(bff_exec_t *x, exec_fieldset_t *set, const bff_type_t *type, const bff_ast_node_t *selection_set,
                   visited_t *visited)
{
    if (selection_set == NULL)
        return 0;
    for (uint32_t i = 0; i < selection_set->selections.len; ++i) {
        const bff_ast_node_t *sel = selection_set->selections.items[i];
        int inc = sel->directives.len ? should_include(x, set, sel) : 1;
        if (inc < 0)
            return -1;
        if (inc == 0)
            continue;
        switch (sel->kind) {
        case BFF_AST_FIELD: add_field(x, set, type, sel); break;
        case BFF_AST_INLINE_FRAGMENT: {
            if (!condition_matches(x, sel->type_condition, type))
                break;
            const char *label = NULL;
            int d = deferred(x, set, sel, &label);
            if (d < 0)
                return -1;
            if (d > 0) { /* its fields come in a payload of their own */
                defer_fragment(x, set, label, sel->selection_set);
                break;
            }
            if (collect(x, set, type, sel->selection_set, visited) != 0)
                return -1;
            break;
        }
        case BFF_AST_FRAGMENT_SPREAD: {
            const char *label = NULL;
            int d = deferred(x, set, sel, &label);
            if (d < 0)
                return -1;
            if (d > 0) {
                const bff_ast_node_t *frag = find_fragment(x, sel->name);
                if (frag != NULL && condition_matches(x, frag->type_condition, type))
                    defer_fragment(x, set, label, frag->selection_set);
                break;
            }
            bool seen = false;
            for (uint32_t k = 0; k < visited->n && !seen; ++k)
                seen = strcmp(visited->names[k], sel->name) == 0;
            if (seen)
                break;
            if (visited->n == visited->cap) {
                uint32_t cap = visited->cap ? visited->cap * 2 : 8;
                const char **names = bff_arena_alloc(x->arena, cap * sizeof(*names));
                if (visited->n)
                    memcpy(names, visited->names, visited->n * sizeof(*names));
                visited->names = names;
                visited->cap = cap;
            }
            visited->names[visited->n++] = sel->name;
            const bff_ast_node_t *frag = find_fragment(x, sel->name);
            if (frag == NULL || !condition_matches(x, frag->type_condition, type))
                break;
            if (collect(x, set, type, frag->selection_set, visited) != 0)
                return -1;
            break;
        }
        default: break;
        }
    }
    return 0;
}

exec_fieldset_t *bff_exec_collect_root(bff_exec_t *x, const bff_type_t *type, const bff_ast_node_t *selection_set)
{
    exec_fieldset_t *set = bff_arena_calloc(x->arena, 1, sizeof(*set));
    visited_t visited = {0};
    collect(x, set, type, selection_set, &visited);
    return set;
}

exec_fieldset_t *bff_exec_collect_sub(bff_exec_t *x, exec_cfield_t *cf, const bff_type_t *type)
{
    for (exec_subcache_t *s = cf->sub; s != NULL; s = s->next)
        if (s->type == type)
            return s->set;
    exec_fieldset_t *set = bff_arena_calloc(x->arena, 1, sizeof(*set));
    visited_t visited = {0};
    for (uint32_t i = 0; i < cf->nnodes; ++i)
        if (collect(x, set, type, cf->nodes[i]->selection_set, &visited) != 0)
            break;
    exec_subcache_t *s = bff_arena_alloc(x->arena, sizeof(*s));
    s->type = type;
    s->set = set;
    s->next = cf->sub;
    cf->sub = s;
    return set;
}
