/*
 * ast.c - kind names and the one generic child walk of the syntax tree.
 *
 * bff_ast_children visits a node's child nodes in source order using the
 * member table in ast.h: single children first in the order they appear in
 * the source, then the lists that follow them. Visitors (validation, tools)
 * use it instead of a switch per kind.
 */
#include "ast.h"

#include <string.h>

static const char *const kind_names[] = {
#define BFF_AST_KIND_NAME(id, js) js,
    BFF_AST_KINDS(BFF_AST_KIND_NAME)
#undef BFF_AST_KIND_NAME
};

const char *bff_ast_kind_name(bff_ast_kind_t kind)
{
    return kind < BFF_AST_KIND_COUNT ? kind_names[kind] : "Unknown";
}

const char *bff_operation_name(bff_operation_t op)
{
    switch (op) {
    case BFF_OP_MUTATION:
        return "mutation";
    case BFF_OP_SUBSCRIPTION:
        return "subscription";
    default:
        return "query";
    }
}

bool bff_ast_is_type_system(bff_ast_kind_t kind)
{
    return kind >= BFF_AST_SCHEMA_DEFINITION && kind != BFF_AST_OPERATION_TYPE_DEFINITION &&
           kind != BFF_AST_FIELD_DEFINITION && kind != BFF_AST_INPUT_VALUE_DEFINITION &&
           kind != BFF_AST_ENUM_VALUE_DEFINITION;
}

bool bff_ast_is_executable_definition(bff_ast_kind_t kind)
{
    return kind == BFF_AST_OPERATION_DEFINITION || kind == BFF_AST_FRAGMENT_DEFINITION;
}

static int visit(const bff_ast_node_t *child, int (*fn)(const bff_ast_node_t *, void *), void *arg)
{
    return child != NULL ? fn(child, arg) : 0;
}

static int visit_list(const bff_ast_list_t *l, int (*fn)(const bff_ast_node_t *, void *), void *arg)
{
    for (uint32_t i = 0; i < l->len; ++i) {
        int r = fn(l->items[i], arg);
        if (r != 0)
            return r;
    }
    return 0;
}

/*
 * Source order: description, variable, type condition / type, default value,
 * value; then the lists in the order the grammar writes them; selection set
 * last. Only one of the single members and few lists are set for any kind.
 */
int bff_ast_children(const bff_ast_node_t *n, int (*fn)(const bff_ast_node_t *child, void *arg), void *arg)
{
    int r;
#define STEP(expr)                                                                                                     \
    if ((r = (expr)) != 0)                                                                                             \
    return r
    STEP(visit(n->description, fn, arg));
    STEP(visit(n->variable, fn, arg));
    STEP(visit_list(&n->variable_definitions, fn, arg));
    if (n->kind == BFF_AST_VARIABLE_DEFINITION || n->kind == BFF_AST_INPUT_VALUE_DEFINITION) {
        STEP(visit(n->type, fn, arg));
        STEP(visit(n->default_value, fn, arg));
        STEP(visit_list(&n->directives, fn, arg));
        return 0;
    }
    if (n->kind == BFF_AST_FIELD_DEFINITION) {
        STEP(visit_list(&n->arguments, fn, arg));
        STEP(visit(n->type, fn, arg));
        STEP(visit_list(&n->directives, fn, arg));
        return 0;
    }
    STEP(visit(n->type_condition, fn, arg));
    STEP(visit(n->type, fn, arg));
    STEP(visit(n->value, fn, arg));
    STEP(visit_list(&n->arguments, fn, arg));
    STEP(visit_list(&n->interfaces, fn, arg));
    STEP(visit_list(&n->directives, fn, arg));
    STEP(visit_list(&n->operation_types, fn, arg));
    STEP(visit_list(&n->fields, fn, arg));
    STEP(visit_list(&n->types, fn, arg));
    STEP(visit_list(&n->values, fn, arg));
    STEP(visit_list(&n->locations, fn, arg));
    STEP(visit_list(&n->selections, fn, arg));
    STEP(visit_list(&n->definitions, fn, arg));
    STEP(visit(n->selection_set, fn, arg));
#undef STEP
    return 0;
}

const bff_ast_node_t *bff_ast_fragment(const bff_ast_node_t *document, const char *name)
{
    for (uint32_t i = 0; i < document->definitions.len; ++i) {
        const bff_ast_node_t *d = document->definitions.items[i];
        if (d->kind == BFF_AST_FRAGMENT_DEFINITION && strcmp(d->name, name) == 0)
            return d;
    }
    return NULL;
}
