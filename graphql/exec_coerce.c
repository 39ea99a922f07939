/*
 * exec_coerce.c - input coercion (spec 6.1.2 and 5.6): variables from JSON
 * (graphql-js coerceVariableValues / coerceInputValue), literals from the
 * AST (valueFromAST) and field / directive arguments (getArgumentValues).
 *
 * Input values are jansson values: JSON null is GraphQL null and an absent
 * member is "not provided" (graphql-js's undefined). Every function returns
 * a new reference or NULL for "invalid / undefined"; messages are graphql-js's.
 *
 * The input path while coercing a variable is a stack of segments on the C
 * stack (input_path_t chained through `prev`), printed only when an error
 * needs it.
 */
#include "exec_internal.h"

#include <stdlib.h>
#include <string.h>

#include "parser.h"

static void typeref_print(bff_buf_t *b, const bff_typeref_t *t)
{
    switch (t->kind) {
    case BFF_TYPEREF_NAMED: bff_buf_appends(b, t->named->name); break;
    case BFF_TYPEREF_LIST:
        bff_buf_appendc(b, '[');
        typeref_print(b, t->of);
        bff_buf_appendc(b, ']');
        break;
    case BFF_TYPEREF_NON_NULL:
        typeref_print(b, t->of);
        bff_buf_appendc(b, '!');
        break;
    }
}

static const char *typeref_str(bff_arena_t *arena, const bff_typeref_t *t)
{
    bff_buf_t b = BFF_BUF_INIT;
    typeref_print(&b, t);
    const char *s = bff_arena_strndup(arena, b.data, b.len);
    bff_buf_free(&b);
    return s;
}

static const char *enum_names_suggest(bff_buf_t *out, const bff_type_t *type, const char *input)
{
    const char **names = bff_xmalloc((type->nenum_values + 1) * sizeof(*names));
    for (uint32_t i = 0; i < type->nenum_values; ++i)
        names[i] = type->enum_values[i].name;
    bff_exec_did_you_mean(out, "the enum value", input, names, type->nenum_values);
    free(names);
    return NULL;
}

/* ---- coerceInputValue for variables ---- */

typedef struct st_input_path_t {
    const struct st_input_path_t *prev;
    const char *key; /* NULL: index */
    size_t index;
} input_path_t;

typedef struct st_coerce_ctx_t {
    const bff_schema_t *schema;
    bff_arena_t *arena;
    bff_gql_errors_t *errs;
    size_t nerrors;
    bool aborted;
    const char *var_name;
    const bff_ast_node_t *var_def;
} coerce_ctx_t;

static void print_input_path(bff_buf_t *b, const input_path_t *p)
{
    if (p == NULL)
        return;
    print_input_path(b, p->prev);
    if (p->key != NULL)
        bff_buf_printf(b, ".%s", p->key);
    else
        bff_buf_printf(b, "[%zu]", p->index);
}

/* Records one error; false once the limit was hit (the caller stops). */
static bool coerce_add_error(coerce_ctx_t *c, const char *message)
{
    if (c->aborted)
        return false;
    if (c->nerrors >= 50) {
        bff_gql_errors_add(c->errs, c->arena, NULL,
                           "Too many errors processing variables, error limit reached. Execution aborted.");
        c->aborted = true;
        return false;
    }
    bff_gql_error_t *e = bff_gql_errors_add(c->errs, c->arena, NULL, message);
    if (c->var_def != NULL)
        bff_gql_error_add_loc(e, c->arena, c->var_def->loc);
    ++c->nerrors;
    return true;
}

static void coerce_on_error(coerce_ctx_t *c, const input_path_t *path, const json_t *invalid, const char *message)
{
    bff_buf_t b = BFF_BUF_INIT;
    bff_buf_printf(&b, "Variable \"$%s\" got invalid value ", c->var_name);
    if (invalid != NULL)
        bff_exec_inspect_json(&b, invalid);
    else
        bff_buf_appends(&b, "undefined");
    if (path != NULL) {
        bff_buf_printf(&b, " at \"%s", c->var_name);
        print_input_path(&b, path);
        bff_buf_appendc(&b, '"');
    }
    bff_buf_appends(&b, "; ");
    bff_buf_appends(&b, message);
    coerce_add_error(c, b.data);
    bff_buf_free(&b);
}

static json_t *coerce_input(coerce_ctx_t *c, json_t *in, const bff_typeref_t *type, const input_path_t *path);

static json_t *coerce_leaf(coerce_ctx_t *c, json_t *in, const bff_type_t *t, const input_path_t *path)
{
    json_t *out = NULL;
    if (t->kind == BFF_TYPE_ENUM) {
        bff_buf_t b = BFF_BUF_INIT;
        if (!json_is_string(in)) {
            bff_buf_t v = BFF_BUF_INIT;
            bff_exec_inspect_json(&v, in);
            bff_buf_printf(&b, "Enum \"%s\" cannot represent non-string value: %s.", t->name, v.data);
            enum_names_suggest(&b, t, v.data);
            bff_buf_free(&v);
        } else if (bff_type_enum_value(t, json_string_value(in)) == NULL) {
            bff_buf_printf(&b, "Value \"%s\" does not exist in \"%s\" enum.", json_string_value(in), t->name);
            enum_names_suggest(&b, t, json_string_value(in));
        } else {
            return json_incref(in);
        }
        coerce_on_error(c, path, in, b.data);
        bff_buf_free(&b);
        return NULL;
    }
    if (t->parse_value != NULL) {
        const char *err = NULL;
        if (t->parse_value(t, in, &out, &err) != 0 || out == NULL) {
            if (err == NULL) {
                char *m = bff_arena_printf(c->arena, "Expected type \"%s\".", t->name);
                coerce_on_error(c, path, in, m);
            } else {
                coerce_on_error(c, path, in, err);
            }
            return NULL;
        }
        return out;
    }
    bff_buf_t err = BFF_BUF_INIT;
    if (bff_exec_builtin_parse_value(t, in, &out, &err) != 0) {
        coerce_on_error(c, path, in, err.data != NULL ? err.data : "invalid value");
        bff_buf_free(&err);
        return NULL;
    }
    bff_buf_free(&err);
    return out;
}

static json_t *coerce_input_object(coerce_ctx_t *c, json_t *in, const bff_type_t *t, const input_path_t *path)
{
    if (!json_is_object(in)) {
        char *m = bff_arena_printf(c->arena, "Expected type \"%s\" to be an object.", t->name);
        coerce_on_error(c, path, in, m);
        return NULL;
    }
    json_t *out = json_object();
    bool ok = true;
    for (uint32_t i = 0; i < t->ninput_fields && !c->aborted; ++i) {
        const bff_input_value_t *f = &t->input_fields[i];
        json_t *fv = json_object_get(in, f->name);
        if (fv == NULL) {
            if (f->default_value != NULL) {
                json_t *d = bff_gql_value_from_ast(c->schema, f->default_value, f->type, NULL);
                if (d != NULL)
                    json_object_set_new(out, f->name, d);
            } else if (f->type->kind == BFF_TYPEREF_NON_NULL) {
                char *m = bff_arena_printf(c->arena, "Field \"%s\" of required type \"%s\" was not provided.", f->name,
                                           typeref_str(c->arena, f->type));
                coerce_on_error(c, path, in, m);
                ok = false;
            }
            continue;
        }
        input_path_t sub = {path, f->name, 0};
        json_t *cv = coerce_input(c, fv, f->type, &sub);
        if (cv == NULL)
            ok = false;
        else
            json_object_set_new(out, f->name, cv);
    }
    const char *key;
    json_t *val;
    json_object_foreach(in, key, val)
    {
        if (c->aborted)
            break;
        if (bff_type_input_field(t, key) != NULL)
            continue;
        bff_buf_t b = BFF_BUF_INIT;
        bff_buf_printf(&b, "Field \"%s\" is not defined by type \"%s\".", key, t->name);
        const char **names = bff_xmalloc((t->ninput_fields + 1) * sizeof(*names));
        for (uint32_t i = 0; i < t->ninput_fields; ++i)
            names[i] = t->input_fields[i].name;
        bff_exec_did_you_mean(&b, NULL, key, names, t->ninput_fields);
        free(names);
        coerce_on_error(c, path, in, b.data);
        bff_buf_free(&b);
        ok = false;
    }
    if (!ok) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static json_t *coerce_input(coerce_ctx_t *c, json_t *in, const bff_typeref_t *type, const input_path_t *path)
{
    if (c->aborted)
        return NULL;
    if (type->kind == BFF_TYPEREF_NON_NULL) {
        if (in != NULL && !json_is_null(in))
            return coerce_input(c, in, type->of, path);
        bff_buf_t b = BFF_BUF_INIT;
        bff_buf_appends(&b, "Expected non-nullable type \"");
        typeref_print(&b, type);
        bff_buf_appends(&b, "\" not to be null.");
        coerce_on_error(c, path, in, b.data);
        bff_buf_free(&b);
        return NULL;
    }
    if (in == NULL || json_is_null(in))
        return json_null();
    if (type->kind == BFF_TYPEREF_LIST) {
        json_t *out = json_array();
        bool ok = true;
        if (json_is_array(in)) {
            for (size_t i = 0; i < json_array_size(in); ++i) {
                input_path_t sub = {path, NULL, i};
                json_t *it = coerce_input(c, json_array_get(in, i), type->of, &sub);
                if (it == NULL)
                    ok = false;
                else
                    json_array_append_new(out, it);
            }
        } else {
            json_t *it = coerce_input(c, in, type->of, path);
            if (it == NULL)
                ok = false;
            else
                json_array_append_new(out, it);
        }
        if (!ok) {
            json_decref(out);
            return NULL;
        }
        return out;
    }
    const bff_type_t *t = type->named;
    if (t->kind == BFF_TYPE_INPUT_OBJECT)
        return coerce_input_object(c, in, t, path);
    return coerce_leaf(c, in, t, path);
}

int bff_gql_coerce_variables(const bff_schema_t *schema, const bff_ast_node_t *operation, json_t *inputs,
                             bff_arena_t *arena, bff_gql_errors_t *errs, json_t **out)
{
    coerce_ctx_t c = {.schema = schema, .arena = arena, .errs = errs};
    json_t *coerced = json_object();
    if (inputs != NULL && !json_is_object(inputs))
        inputs = NULL;
    for (uint32_t i = 0; i < operation->variable_definitions.len && !c.aborted; ++i) {
        const bff_ast_node_t *def = operation->variable_definitions.items[i];
        const char *name = def->variable->name;
        c.var_name = name;
        c.var_def = def;
        const bff_typeref_t *type = bff_schema_typeref_from_ast(schema, arena, def->type);
        if (type == NULL || !bff_type_is_input(bff_typeref_named(type))) {
            bff_buf_t b = BFF_BUF_INIT;
            bff_gql_print_type(&b, def->type);
            char *m = bff_arena_printf(arena, "Variable \"$%s\" expected value of type \"%s\" which cannot be used as an input type.",
                                       name, b.data);
            bff_buf_free(&b);
            c.var_def = def->type;
            coerce_add_error(&c, m);
            continue;
        }
        json_t *value = inputs != NULL ? json_object_get(inputs, name) : NULL;
        if (value == NULL) {
            if (def->default_value != NULL) {
                json_t *d = bff_gql_value_from_ast(schema, def->default_value, type, NULL);
                if (d != NULL)
                    json_object_set_new(coerced, name, d);
            } else if (type->kind == BFF_TYPEREF_NON_NULL) {
                coerce_add_error(&c, bff_arena_printf(arena, "Variable \"$%s\" of required type \"%s\" was not provided.",
                                                      name, typeref_str(arena, type)));
            }
            continue;
        }
        if (json_is_null(value) && type->kind == BFF_TYPEREF_NON_NULL) {
            coerce_add_error(&c, bff_arena_printf(arena, "Variable \"$%s\" of non-null type \"%s\" must not be null.", name,
                                                  typeref_str(arena, type)));
            continue;
        }
        json_t *cv = coerce_input(&c, value, type, NULL);
        if (cv != NULL)
            json_object_set_new(coerced, name, cv);
    }
    if (c.nerrors > 0 || c.aborted) {
        json_decref(coerced);
        *out = NULL;
        return -1;
    }
    *out = coerced;
    return 0;
}

/* ---- valueFromAST ---- */

static bool is_missing_variable(const bff_ast_node_t *node, json_t *variables)
{
    return node->kind == BFF_AST_VARIABLE && (variables == NULL || json_object_get(variables, node->name) == NULL);
}

json_t *bff_gql_value_from_ast(const bff_schema_t *schema, const bff_ast_node_t *node, const bff_typeref_t *type,
                               json_t *variables)
{
    if (node == NULL)
        return NULL;
    if (node->kind == BFF_AST_VARIABLE) {
        json_t *v = variables != NULL ? json_object_get(variables, node->name) : NULL;
        if (v == NULL)
            return NULL;
        if (json_is_null(v) && type->kind == BFF_TYPEREF_NON_NULL)
            return NULL;
        return json_incref(v);
    }
    if (type->kind == BFF_TYPEREF_NON_NULL) {
        if (node->kind == BFF_AST_NULL_VALUE)
            return NULL;
        return bff_gql_value_from_ast(schema, node, type->of, variables);
    }
    if (node->kind == BFF_AST_NULL_VALUE)
        return json_null();
    if (type->kind == BFF_TYPEREF_LIST) {
        const bff_typeref_t *item_type = type->of;
        if (node->kind == BFF_AST_LIST_VALUE) {
            json_t *out = json_array();
            for (uint32_t i = 0; i < node->values.len; ++i) {
                const bff_ast_node_t *item = node->values.items[i];
                if (is_missing_variable(item, variables)) {
                    if (item_type->kind == BFF_TYPEREF_NON_NULL) {
                        json_decref(out);
                        return NULL;
                    }
                    json_array_append_new(out, json_null());
                    continue;
                }
                json_t *iv = bff_gql_value_from_ast(schema, item, item_type, variables);
                if (iv == NULL) {
                    json_decref(out);
                    return NULL;
                }
                json_array_append_new(out, iv);
            }
            return out;
        }
        json_t *one = bff_gql_value_from_ast(schema, node, item_type, variables);
        if (one == NULL)
            return NULL;
        json_t *out = json_array();
        json_array_append_new(out, one);
        return out;
    }
    const bff_type_t *t = type->named;
    if (t->kind == BFF_TYPE_INPUT_OBJECT) {
        if (node->kind != BFF_AST_OBJECT_VALUE)
            return NULL;
        json_t *out = json_object();
        for (uint32_t i = 0; i < t->ninput_fields; ++i) {
            const bff_input_value_t *f = &t->input_fields[i];
            const bff_ast_node_t *fnode = NULL;
            for (uint32_t k = 0; k < node->fields.len; ++k)
                if (strcmp(node->fields.items[k]->name, f->name) == 0) {
                    fnode = node->fields.items[k];
                    break;
                }
            if (fnode == NULL || is_missing_variable(fnode->value, variables)) {
                if (f->default_value != NULL) {
                    json_t *d = bff_gql_value_from_ast(schema, f->default_value, f->type, NULL);
                    if (d != NULL)
                        json_object_set_new(out, f->name, d);
                } else if (f->type->kind == BFF_TYPEREF_NON_NULL) {
                    json_decref(out);
                    return NULL;
                }
                continue;
            }
            json_t *fv = bff_gql_value_from_ast(schema, fnode->value, f->type, variables);
            if (fv == NULL) {
                json_decref(out);
                return NULL;
            }
            json_object_set_new(out, f->name, fv);
        }
        return out;
    }
    if (t->kind == BFF_TYPE_ENUM) {
        if (node->kind != BFF_AST_ENUM_VALUE)
            return NULL;
        const bff_enum_value_t *ev = bff_type_enum_value(t, node->text);
        return ev != NULL ? json_string(ev->name) : NULL;
    }
    if (t->kind != BFF_TYPE_SCALAR)
        return NULL;
    json_t *out = NULL;
    if (t->parse_literal != NULL) {
        const char *err = NULL;
        if (t->parse_literal(t, node, &out, &err) != 0)
            return NULL;
        return out;
    }
    if (bff_exec_is_builtin_scalar(t)) {
        if (bff_exec_builtin_parse_literal(t, node, &out) != 0)
            return NULL;
        return out;
    }
    return bff_exec_value_from_ast_untyped(node, variables);
}

/* ---- getArgumentValues ---- */

int bff_exec_argument_values(bff_exec_t *x, const bff_input_value_t *defs, uint32_t ndefs,
                             const bff_ast_list_t *arguments, const bff_ast_node_t *owner, json_t **out,
                             const char **err, const bff_ast_node_t **err_node)
{
    json_t *coerced = json_object();
    json_t *variables = x->variables;
    for (uint32_t i = 0; i < ndefs; ++i) {
        const bff_input_value_t *def = &defs[i];
        const bff_ast_node_t *arg = NULL;
        for (uint32_t k = 0; k < arguments->len; ++k)
            if (strcmp(arguments->items[k]->name, def->name) == 0) {
                arg = arguments->items[k];
                break;
            }
        if (arg == NULL) {
            if (def->default_value != NULL) {
                json_t *d = bff_gql_value_from_ast(x->schema, def->default_value, def->type, NULL);
                if (d != NULL)
                    json_object_set_new(coerced, def->name, d);
            } else if (def->type->kind == BFF_TYPEREF_NON_NULL) {
                *err = bff_arena_printf(x->arena, "Argument \"%s\" of required type \"%s\" was not provided.", def->name,
                                        typeref_str(x->arena, def->type));
                *err_node = owner;
                goto fail;
            }
            continue;
        }
        const bff_ast_node_t *value = arg->value;
        bool is_null = value->kind == BFF_AST_NULL_VALUE;
        if (value->kind == BFF_AST_VARIABLE) {
            json_t *vv = variables != NULL ? json_object_get(variables, value->name) : NULL;
            if (vv == NULL) {
                if (def->default_value != NULL) {
                    json_t *d = bff_gql_value_from_ast(x->schema, def->default_value, def->type, NULL);
                    if (d != NULL)
                        json_object_set_new(coerced, def->name, d);
                } else if (def->type->kind == BFF_TYPEREF_NON_NULL) {
                    *err = bff_arena_printf(x->arena,
                                            "Argument \"%s\" of required type \"%s\" was provided the variable \"$%s\" "
                                            "which was not provided a runtime value.",
                                            def->name, typeref_str(x->arena, def->type), value->name);
                    *err_node = value;
                    goto fail;
                }
                continue;
            }
            is_null = json_is_null(vv);
        }
        if (is_null && def->type->kind == BFF_TYPEREF_NON_NULL) {
            *err = bff_arena_printf(x->arena, "Argument \"%s\" of non-null type \"%s\" must not be null.", def->name,
                                    typeref_str(x->arena, def->type));
            *err_node = value;
            goto fail;
        }
        json_t *cv = bff_gql_value_from_ast(x->schema, value, def->type, variables);
        if (cv == NULL) {
            bff_buf_t b = BFF_BUF_INIT;
            bff_gql_print_value(&b, value);
            *err = bff_arena_printf(x->arena, "Argument \"%s\" has invalid value %s.", def->name, b.data ? b.data : "");
            bff_buf_free(&b);
            *err_node = value;
            goto fail;
        }
        json_object_set_new(coerced, def->name, cv);
    }
    *out = coerced;
    return 0;
fail:
    json_decref(coerced);
    *out = NULL;
    return -1;
}
