/*
 * cost.c - static query cost (see cost.h).
 */
#include "cost.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * The cost model's parts, shared by the static estimate (analysis.c) and the
 * actual cost below. `variables` are coerced variables (may be NULL).
 */
typedef struct st_cost_t {
    const bff_ast_node_t *op;
    json_t *variables;
    int64_t default_list_size;
} cost_t;

int64_t bff_cost_add(int64_t a, int64_t b)
{
    assert(a >= 0 && b >= 0);
    return a > BFF_COST_MAX - b ? BFF_COST_MAX : a + b;
}

int64_t bff_cost_mul(int64_t a, int64_t b)
{
    assert(a >= 0 && b >= 0);
    if (a == 0 || b == 0)
        return 0;
    return a > BFF_COST_MAX / b ? BFF_COST_MAX : a * b;
}

#define add bff_cost_add
#define mul bff_cost_mul

/* A JSON number as a size: an integer, or a float with an integral value (as Int coercion takes it); else -1. */
static int64_t json_number_of(json_t *j)
{
    if (json_is_integer(j))
        return json_integer_value(j) < 0 ? -1 : json_integer_value(j);
    if (json_is_real(j)) {
        double d = json_real_value(j);
        if (d < 0 || d != floor(d))
            return -1;
        return d > (double)BFF_COST_MAX ? BFF_COST_MAX : (int64_t)d;
    }
    return -1;
}

/* The number a literal or a variable stands for (an Int or a numeric String), or -1. */
static int64_t number_of(const cost_t *c, const bff_ast_node_t *v)
{
    if (v == NULL)
        return -1;
    if (v->kind == BFF_AST_VARIABLE) {
        json_t *j = json_object_get(c->variables, v->name);
        if (j != NULL)
            return json_number_of(j);
        for (uint32_t i = 0; c->op != NULL && i < c->op->variable_definitions.len; ++i) { /* not given: its default */
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
        return end == buf || !(d >= 0) ? -1 : d > (double)BFF_COST_MAX ? BFF_COST_MAX : (int64_t)d;
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

int64_t bff_cost_type_weight(const bff_type_t *type)
{
    cost_t c = {NULL, NULL, 0};
    return type_weight(&c, type);
}

static const bff_ast_node_t *argument(const bff_ast_node_t *field, const char *name)
{
    for (uint32_t i = 0; i < field->arguments.len; ++i)
        if (strcmp(field->arguments.items[i]->name, name) == 0)
            return field->arguments.items[i]->value;
    return NULL;
}

/* A field's own weight: its @cost plus the weights of the arguments given that have one. */
static int64_t own_weight(const cost_t *c, const bff_field_t *def, const bff_ast_node_t *node)
{
    int64_t cost = weight_of(c, &def->directives, 0);
    for (uint32_t k = 0; node != NULL && k < node->arguments.len; ++k) {
        const bff_input_value_t *in = bff_field_arg(def, node->arguments.items[k]->name);
        if (in != NULL)
            cost = add(cost, weight_of(c, &in->directives, 0));
    }
    return cost;
}

int64_t bff_cost_field_weight(const bff_field_t *def, const bff_ast_node_t *node)
{
    cost_t c = {NULL, NULL, 0};
    return own_weight(&c, def, node);
}

/* A list field's size: its slicing arguments (given, else their defaults), else assumedSize, else the default. */
int64_t bff_cost_list_size(const bff_field_t *def, const bff_ast_node_t *field, const bff_ast_node_t *op,
                           json_t *variables, int64_t default_list_size)
{
    cost_t cc = {op, variables, default_list_size}, *c = &cc;
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

const bff_ast_node_t *bff_cost_sized_fields(const bff_field_t *def)
{
    const bff_ast_node_t *ls = bff_ast_find_directive(&def->directives, "listSize");
    return ls ? bff_ast_directive_arg(ls, "sizedFields") : NULL;
}

bool bff_cost_in_list(const bff_ast_node_t *list, const char *name)
{
    for (uint32_t i = 0; list != NULL && i < list->values.len; ++i)
        if (list->values.items[i]->text_len == strlen(name) &&
            memcmp(list->values.items[i]->text, name, list->values.items[i]->text_len) == 0)
            return true;
    return false;
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
    a->total = add(a->total, own_weight(&a->c, def, node));
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
    actual_t a = {{op, NULL, 10}, 0, 0};
    bff_exec_visitor_t v = {actual_field, actual_value, &a};
    bff_exec_visit_result(x, &v);
    if (op->operation == BFF_OP_MUTATION)
        a.total = add(a.total, mul(opts && opts->mutation_cost ? opts->mutation_cost : 10, a.root_fields));
    return a.total;
}
