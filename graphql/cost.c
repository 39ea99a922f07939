/*
 * cost.c - static query cost (see cost.h).
 */
#include "cost.h"

#include <stdlib.h>
#include <string.h>

#define COST_MAX (INT64_MAX / 4)

typedef struct st_cost_t {
    const bff_schema_t *schema;
    const bff_ast_node_t *document, *op;
    json_t *variables;
    int64_t default_list_size;
    int depth; /* guards against fragment cycles in documents that were not validated */
} cost_t;

static int64_t add(int64_t a, int64_t b)
{
    return a > COST_MAX - b ? COST_MAX : a + b;
}

static int64_t mul(int64_t a, int64_t b)
{
    if (a == 0 || b == 0)
        return 0;
    return a > COST_MAX / b ? COST_MAX : a * b;
}

/* The number a literal or a variable stands for (an Int or a numeric String), or -1. */
static int64_t number_of(const cost_t *c, const bff_ast_node_t *v)
{
    if (v == NULL)
        return -1;
    if (v->kind == BFF_AST_VARIABLE) {
        json_t *j = json_object_get(c->variables, v->name);
        if (json_is_integer(j))
            return json_integer_value(j);
        for (uint32_t i = 0; j == NULL && i < c->op->variable_definitions.len; ++i) { /* not given: its default */
            const bff_ast_node_t *vd = c->op->variable_definitions.items[i];
            if (strcmp(vd->variable->name, v->name) == 0 && vd->default_value != NULL &&
                vd->default_value->kind != BFF_AST_VARIABLE)
                return number_of(c, vd->default_value);
        }
        return -1;
    }
    if (v->kind == BFF_AST_INT_VALUE || v->kind == BFF_AST_STRING_VALUE || v->kind == BFF_AST_FLOAT_VALUE) {
        char buf[32];
        size_t n = v->text_len < sizeof(buf) - 1 ? v->text_len : sizeof(buf) - 1;
        memcpy(buf, v->text, n);
        buf[n] = '\0';
        char *end;
        double d = strtod(buf, &end);
        return end == buf || d < 0 ? -1 : d > (double)COST_MAX ? COST_MAX : (int64_t)d;
    }
    return -1;
}

/* @cost(weight:) in a directive list, or `def`. */
static int64_t weight_of(const cost_t *c, const bff_ast_list_t *directives, int64_t def)
{
    const bff_ast_node_t *d = bff_ast_find_directive(directives, "cost");
    int64_t w = d ? number_of(c, bff_ast_directive_arg(d, "weight")) : -1;
    return w >= 0 ? w : def;
}

static int64_t type_weight(const cost_t *c, const bff_type_t *t)
{
    bool composite = t->kind == BFF_TYPE_OBJECT || t->kind == BFF_TYPE_INTERFACE || t->kind == BFF_TYPE_UNION;
    return weight_of(c, &t->directives, composite ? 1 : 0);
}

static bool is_list(const bff_typeref_t *t)
{
    for (; t != NULL; t = t->of)
        if (t->kind == BFF_TYPEREF_LIST)
            return true;
    return false;
}

static const bff_ast_node_t *argument(const bff_ast_node_t *field, const char *name)
{
    for (uint32_t i = 0; i < field->arguments.len; ++i)
        if (strcmp(field->arguments.items[i]->name, name) == 0)
            return field->arguments.items[i]->value;
    return NULL;
}

/* A list field's size: its slicing arguments (given, else their defaults), else assumedSize, else the default. */
static int64_t list_size(const cost_t *c, const bff_field_t *def, const bff_ast_node_t *field)
{
    const bff_ast_node_t *ls = bff_ast_find_directive(&def->directives, "listSize");
    const bff_ast_node_t *slicing = ls ? bff_ast_directive_arg(ls, "slicingArguments") : NULL;
    int64_t size = -1;
    for (uint32_t i = 0; slicing != NULL && i < slicing->values.len; ++i) {
        const bff_ast_node_t *name = slicing->values.items[i];
        char arg[128];
        size_t n = name->text_len < sizeof(arg) - 1 ? name->text_len : sizeof(arg) - 1;
        memcpy(arg, name->text, n);
        arg[n] = '\0';
        int64_t v = number_of(c, argument(field, arg));
        if (v < 0) { /* not given: its default */
            const bff_input_value_t *a = bff_field_arg(def, arg);
            v = a && a->default_value ? number_of(c, a->default_value) : -1;
        }
        if (v > size)
            size = v;
    }
    if (size >= 0)
        return size;
    int64_t assumed = ls ? number_of(c, bff_ast_directive_arg(ls, "assumedSize")) : -1;
    return assumed >= 0 ? assumed : c->default_list_size;
}

static bool in_list(const bff_ast_node_t *list, const char *name)
{
    for (uint32_t i = 0; list != NULL && i < list->values.len; ++i)
        if (list->values.items[i]->text_len == strlen(name) &&
            memcmp(list->values.items[i]->text, name, list->values.items[i]->text_len) == 0)
            return true;
    return false;
}

static int64_t selections_cost(cost_t *c, const bff_type_t *type, const bff_ast_node_t *set,
                               const bff_ast_node_t *sized, int64_t sized_by);

/* multiplier > 0: a sized field of a connection, whose size it is (its own list size does not count again). */
static int64_t field_cost(cost_t *c, const bff_type_t *parent, const bff_ast_node_t *field, int64_t multiplier)
{
    const bff_field_t *def = bff_schema_field(c->schema, parent, field->name);
    if (def == NULL || field->name[0] == '_')
        return 0; /* __typename and introspection: limited on their own (max introspection depth) */
    int64_t cost = weight_of(c, &def->directives, 0);
    for (uint32_t i = 0; i < field->arguments.len; ++i) {
        const bff_input_value_t *a = bff_field_arg(def, field->arguments.items[i]->name);
        if (a != NULL)
            cost = add(cost, weight_of(c, &a->directives, 0));
    }
    const bff_type_t *named = bff_typeref_named(def->type);
    int64_t size = multiplier > 0 ? multiplier : is_list(def->type) ? list_size(c, def, field) : 1;
    const bff_ast_node_t *ls = bff_ast_find_directive(&def->directives, "listSize");
    const bff_ast_node_t *sized = ls ? bff_ast_directive_arg(ls, "sizedFields") : NULL;
    int64_t inner = type_weight(c, named);
    if (field->selection_set != NULL) {
        if (sized != NULL) /* a connection: the size goes to its sized fields, not to it */
            inner = add(inner, selections_cost(c, named, field->selection_set, sized, list_size(c, def, field)));
        else
            inner = add(inner, selections_cost(c, named, field->selection_set, NULL, 1));
    }
    return add(cost, sized != NULL ? inner : mul(size, inner));
}

static int64_t selections_cost(cost_t *c, const bff_type_t *type, const bff_ast_node_t *set,
                               const bff_ast_node_t *sized, int64_t sized_by)
{
    if (set == NULL || ++c->depth > 256) {
        c->depth--;
        return set == NULL ? 0 : COST_MAX;
    }
    int64_t total = 0;
    for (uint32_t i = 0; i < set->selections.len; ++i) {
        const bff_ast_node_t *s = set->selections.items[i];
        if (s->kind == BFF_AST_FIELD) {
            total = add(total, field_cost(c, type, s, sized != NULL && in_list(sized, s->name) ? sized_by : 0));
        } else if (s->kind == BFF_AST_INLINE_FRAGMENT) {
            const bff_type_t *on = s->type_condition ? bff_schema_type(c->schema, s->type_condition->name) : type;
            total = add(total, selections_cost(c, on ? on : type, s->selection_set, sized, sized_by));
        } else if (s->kind == BFF_AST_FRAGMENT_SPREAD) {
            const bff_ast_node_t *f = bff_ast_fragment(c->document, s->name);
            const bff_type_t *on = f && f->type_condition ? bff_schema_type(c->schema, f->type_condition->name) : NULL;
            if (f != NULL)
                total = add(total, selections_cost(c, on ? on : type, f->selection_set, sized, sized_by));
        }
    }
    c->depth--;
    return total;
}

int64_t bff_cost_estimate(const bff_schema_t *schema, const bff_ast_node_t *document, const bff_ast_node_t *op,
                          json_t *variables, const bff_cost_options_t *opts)
{
    cost_t c = {schema, document, op, variables, opts && opts->default_list_size ? opts->default_list_size : 10, 0};
    const bff_type_t *root = bff_schema_root_type(schema, op->operation);
    if (root == NULL)
        return 0;
    int64_t total = selections_cost(&c, root, op->selection_set, NULL, 1);
    if (op->operation == BFF_OP_MUTATION) {
        int64_t per = opts && opts->mutation_cost ? opts->mutation_cost : 10;
        for (uint32_t i = 0; i < op->selection_set->selections.len; ++i)
            if (op->selection_set->selections.items[i]->kind == BFF_AST_FIELD)
                total = add(total, per);
    }
    return total;
}

typedef struct st_shape_t {
    const bff_ast_node_t *document;
    bff_op_shape_t out;
    uint32_t guard;
} shape_t;

static void shape_walk(shape_t *sh, const bff_ast_node_t *set, uint32_t depth, bool root)
{
    if (set == NULL || ++sh->guard > 100000)
        return; /* a bound on work for documents with huge fragment fan-out; validation rejects cycles */
    for (uint32_t i = 0; i < set->selections.len; ++i) {
        const bff_ast_node_t *s = set->selections.items[i];
        if (s->kind == BFF_AST_FIELD) {
            if (s->alias != NULL)
                sh->out.aliases++;
            if (root)
                sh->out.root_fields++;
            if (depth + 1 > sh->out.depth)
                sh->out.depth = depth + 1;
            shape_walk(sh, s->selection_set, depth + 1, false);
        } else if (s->kind == BFF_AST_INLINE_FRAGMENT) {
            shape_walk(sh, s->selection_set, depth, root);
        } else if (s->kind == BFF_AST_FRAGMENT_SPREAD) {
            const bff_ast_node_t *f = bff_ast_fragment(sh->document, s->name);
            if (f != NULL)
                shape_walk(sh, f->selection_set, depth, root);
        }
    }
}

bff_op_shape_t bff_op_shape(const bff_ast_node_t *document, const bff_ast_node_t *op)
{
    shape_t sh = {document, {0, 0, 0}, 0};
    shape_walk(&sh, op->selection_set, 0, true);
    return sh.out;
}

/* ---- actual cost ---- */

typedef struct st_actual_t {
    cost_t c;
    int64_t total;
    int64_t root_fields;
} actual_t;

static void actual_field(void *arg, const bff_field_t *def, const bff_ast_node_t *node, uint32_t depth)
{
    actual_t *a = arg;
    int64_t cost = weight_of(&a->c, &def->directives, 0);
    for (uint32_t k = 0; node != NULL && k < node->arguments.len; ++k) {
        const bff_input_value_t *in = bff_field_arg(def, node->arguments.items[k]->name);
        if (in != NULL)
            cost = add(cost, weight_of(&a->c, &in->directives, 0));
    }
    a->total = add(a->total, cost);
    if (depth == 0)
        a->root_fields++;
}

static void actual_value(void *arg, const bff_type_t *type)
{
    actual_t *a = arg;
    a->total = add(a->total, type_weight(&a->c, type));
}

int64_t bff_cost_actual(const bff_schema_t *schema, const bff_exec_t *x, const bff_cost_options_t *opts)
{
    const bff_ast_node_t *op = bff_exec_operation(x);
    if (op == NULL)
        return 0;
    actual_t a = {{schema, NULL, op, NULL, 10, 0}, 0, 0};
    bff_exec_visitor_t v = {actual_field, actual_value, &a};
    bff_exec_visit_result(x, &v);
    if (op->operation == BFF_OP_MUTATION)
        a.total = add(a.total, mul(opts && opts->mutation_cost ? opts->mutation_cost : 10, a.root_fields));
    return a.total;
}
