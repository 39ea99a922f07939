/*
 * validate_values.c - literal values against the input types expected where
 * they are written: graphql-js's ValuesOfCorrectTypeRule (leaf parsing with
 * the scalars' own messages, enum values with suggestions, required and
 * unknown input object fields, @oneOf input objects, null where non-null is
 * expected) and UniqueInputFieldNamesRule.
 *
 * Variables are not checked here (VariablesInAllowedPosition does that once
 * their definitions are known). As in graphql-js, a list or object literal
 * met where a leaf is expected is reported once, without descending into it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "validate_internal.h"

static const char *builtin_leaf_error(bff_vctx_t *v, const bff_type_t *t, const bff_ast_node_t *lit)
{
    const char *name = t->name;
    if (strcmp(name, "Int") == 0) {
        if (lit->kind != BFF_AST_INT_VALUE)
            return bff_arena_printf(v->arena, "Int cannot represent non-integer value: %s", bff_vprint(v, lit));
        errno = 0;
        long long n = strtoll(lit->text, NULL, 10);
        if (errno != 0 || n > 2147483647LL || n < -2147483648LL)
            return bff_arena_printf(v->arena, "Int cannot represent non 32-bit signed integer value: %s", lit->text);
        return NULL;
    }
    if (strcmp(name, "Float") == 0)
        return lit->kind == BFF_AST_INT_VALUE || lit->kind == BFF_AST_FLOAT_VALUE
                   ? NULL
                   : bff_arena_printf(v->arena, "Float cannot represent non numeric value: %s", bff_vprint(v, lit));
    if (strcmp(name, "String") == 0)
        return lit->kind == BFF_AST_STRING_VALUE
                   ? NULL
                   : bff_arena_printf(v->arena, "String cannot represent a non string value: %s", bff_vprint(v, lit));
    if (strcmp(name, "Boolean") == 0)
        return lit->kind == BFF_AST_BOOLEAN_VALUE
                   ? NULL
                   : bff_arena_printf(v->arena, "Boolean cannot represent a non boolean value: %s", bff_vprint(v, lit));
    if (strcmp(name, "ID") == 0)
        return lit->kind == BFF_AST_STRING_VALUE || lit->kind == BFF_AST_INT_VALUE
                   ? NULL
                   : bff_arena_printf(v->arena, "ID cannot represent a non-string and non-integer value: %s",
                                      bff_vprint(v, lit));
    return NULL;
}

static const char *enum_error(bff_vctx_t *v, const bff_type_t *t, const bff_ast_node_t *lit)
{
    if (lit->kind == BFF_AST_ENUM_VALUE && bff_type_enum_value(t, lit->text) != NULL)
        return NULL;
    const char *value_str = bff_vprint(v, lit);
    bff_buf_t b = BFF_BUF_INIT;
    if (lit->kind != BFF_AST_ENUM_VALUE)
        bff_buf_printf(&b, "Enum \"%s\" cannot represent non-enum value: %s.", t->name, value_str);
    else
        bff_buf_printf(&b, "Value \"%s\" does not exist in \"%s\" enum.", value_str, t->name);
    const char **names = bff_arena_alloc(v->arena, (t->nenum_values + 1) * sizeof(*names));
    for (uint32_t i = 0; i < t->nenum_values; ++i)
        names[i] = t->enum_values[i].name;
    const char **sugg;
    size_t n = bff_suggestion_list(v->arena, value_str, names, t->nenum_values, &sugg);
    bff_did_you_mean(&b, "the enum value", sugg, n);
    char *s = bff_arena_strndup(v->arena, b.data, b.len);
    bff_buf_free(&b);
    return s;
}

/* graphql-js isValidValueNode: a literal where a leaf (or an unknown) type is expected. */
static void check_leaf(bff_vctx_t *v, const bff_ast_node_t *lit, const bff_typeref_t *type)
{
    if (type == NULL)
        return;
    const bff_type_t *t = bff_typeref_named(type);
    const char *type_str = bff_vtype_str(v, type);
    if (!bff_type_is_leaf(t)) {
        bff_vloc(v,
                 bff_vreportf(v, BFF_RULE_VALUES_OF_CORRECT_TYPE, "Expected value of type \"%s\", found %s.", type_str,
                              bff_vprint(v, lit)),
                 lit->loc);
        return;
    }
    /* built-in scalars and enums raise GraphQL errors, which graphql-js reports as they are */
    const char *err = NULL;
    if (t->kind == BFF_TYPE_ENUM || t->builtin) {
        err = t->kind == BFF_TYPE_ENUM ? enum_error(v, t, lit) : builtin_leaf_error(v, t, lit);
        if (err != NULL)
            bff_vloc(v, bff_vreport(v, BFF_RULE_VALUES_OF_CORRECT_TYPE, err), lit->loc);
        return;
    }
    if (t->parse_literal != NULL) {
        json_t *out = NULL;
        const char *hook_err = NULL;
        if (t->parse_literal(t, lit, &out, &hook_err) != 0)
            err = hook_err ? hook_err : bff_arena_printf(v->arena, "%s cannot represent this value", t->name);
        json_decref(out);
    }
    if (err != NULL)
        bff_vloc(v,
                 bff_vreportf(v, BFF_RULE_VALUES_OF_CORRECT_TYPE, "Expected value of type \"%s\", found %s; %s",
                              type_str, bff_vprint(v, lit), err),
                 lit->loc);
}

static void check_one_of(bff_vctx_t *v, const bff_ast_node_t *obj, const bff_type_t *t)
{
    /* distinct keys given */
    uint32_t distinct = 0;
    const bff_ast_node_t *only = NULL;
    for (uint32_t i = 0; i < obj->fields.len; ++i) {
        bool seen = false;
        for (uint32_t j = 0; j < i && !seen; ++j)
            seen = strcmp(obj->fields.items[j]->name, obj->fields.items[i]->name) == 0;
        if (!seen) {
            ++distinct;
            only = obj->fields.items[i];
        }
    }
    if (distinct != 1) {
        bff_vloc(v,
                 bff_vreportf(v, BFF_RULE_VALUES_OF_CORRECT_TYPE,
                              "OneOf Input Object \"%s\" must specify exactly one key.", t->name),
                 obj->loc);
        return;
    }
    /* graphql-js keeps the last field node of that name */
    for (uint32_t i = 0; i < obj->fields.len; ++i)
        if (strcmp(obj->fields.items[i]->name, only->name) == 0)
            only = obj->fields.items[i];
    const bff_ast_node_t *value = only->value;
    if (value == NULL || value->kind == BFF_AST_NULL_VALUE) {
        bff_vloc(v,
                 bff_vreportf(v, BFF_RULE_VALUES_OF_CORRECT_TYPE, "Field \"%s.%s\" must be non-null.", t->name,
                              only->name),
                 obj->loc);
    }
    /* a nullable variable here: VariablesInAllowedPosition reports it (validate.c), as graphql-js 16.15 does */
}

static void values_of_correct_type(bff_vctx_t *v, const bff_ast_node_t *value, const bff_typeref_t *type)
{
    switch (value->kind) {
    case BFF_AST_VARIABLE:
        return;
    case BFF_AST_NULL_VALUE:
        if (type != NULL && type->kind == BFF_TYPEREF_NON_NULL)
            bff_vloc(v,
                     bff_vreportf(v, BFF_RULE_VALUES_OF_CORRECT_TYPE, "Expected value of type \"%s\", found null.",
                                  bff_vtype_str(v, type)),
                     value->loc);
        return;
    case BFF_AST_LIST_VALUE: {
        const bff_typeref_t *nullable = type && type->kind == BFF_TYPEREF_NON_NULL ? type->of : type;
        if (nullable == NULL || nullable->kind != BFF_TYPEREF_LIST) {
            check_leaf(v, value, type);
            return;
        }
        for (uint32_t i = 0; i < value->values.len; ++i)
            values_of_correct_type(v, value->values.items[i], nullable->of);
        return;
    }
    case BFF_AST_OBJECT_VALUE: {
        const bff_type_t *t = type ? bff_typeref_named(type) : NULL;
        if (t == NULL || t->kind != BFF_TYPE_INPUT_OBJECT) {
            check_leaf(v, value, type);
            return;
        }
        for (uint32_t i = 0; i < t->ninput_fields; ++i) {
            const bff_input_value_t *fd = &t->input_fields[i];
            if (fd->type->kind != BFF_TYPEREF_NON_NULL || fd->default_value != NULL)
                continue;
            bool given = false;
            for (uint32_t j = 0; j < value->fields.len && !given; ++j)
                given = strcmp(value->fields.items[j]->name, fd->name) == 0;
            if (!given)
                bff_vloc(v,
                         bff_vreportf(v, BFF_RULE_VALUES_OF_CORRECT_TYPE,
                                      "Field \"%s.%s\" of required type \"%s\" was not provided.", t->name, fd->name,
                                      bff_vtype_str(v, fd->type)),
                         value->loc);
        }
        if (t->one_of)
            check_one_of(v, value, t);
        for (uint32_t j = 0; j < value->fields.len; ++j) {
            const bff_ast_node_t *f = value->fields.items[j];
            const bff_input_value_t *fd = bff_type_input_field(t, f->name);
            if (fd == NULL) {
                const char **names = bff_arena_alloc(v->arena, (t->ninput_fields + 1) * sizeof(*names));
                for (uint32_t i = 0; i < t->ninput_fields; ++i)
                    names[i] = t->input_fields[i].name;
                const char **sugg;
                size_t n = bff_suggestion_list(v->arena, f->name, names, t->ninput_fields, &sugg);
                bff_buf_t b = BFF_BUF_INIT;
                bff_buf_printf(&b, "Field \"%s\" is not defined by type \"%s\".", f->name, t->name);
                bff_did_you_mean(&b, NULL, sugg, n);
                bff_vloc(v, bff_vreport(v, BFF_RULE_VALUES_OF_CORRECT_TYPE, bff_arena_strndup(v->arena, b.data, b.len)),
                         f->loc);
                bff_buf_free(&b);
            }
            values_of_correct_type(v, f->value, fd ? fd->type : NULL);
        }
        return;
    }
    default:
        check_leaf(v, value, type);
    }
}

static void unique_input_field_names(bff_vctx_t *v, const bff_ast_node_t *value)
{
    if (value->kind == BFF_AST_LIST_VALUE) {
        for (uint32_t i = 0; i < value->values.len; ++i)
            unique_input_field_names(v, value->values.items[i]);
    } else if (value->kind == BFF_AST_OBJECT_VALUE) {
        for (uint32_t i = 0; i < value->fields.len; ++i) {
            const bff_ast_node_t *f = value->fields.items[i];
            for (uint32_t j = 0; j < i; ++j) {
                if (strcmp(value->fields.items[j]->name, f->name) == 0) {
                    bff_gql_error_t *e = bff_vreportf(v, BFF_RULE_UNIQUE_INPUT_FIELD_NAMES,
                                                      "There can be only one input field named \"%s\".", f->name);
                    bff_vloc(v, e, value->fields.items[j]->name_loc);
                    bff_vloc(v, e, f->name_loc);
                    break;
                }
            }
            unique_input_field_names(v, f->value);
        }
    }
}

void bff_validate_value(bff_vctx_t *v, const bff_ast_node_t *value, const bff_typeref_t *type, bool has_default)
{
    if (value == NULL)
        return;
    if (bff_rule_on(v, BFF_RULE_VALUES_OF_CORRECT_TYPE))
        values_of_correct_type(v, value, type);
    if (bff_rule_on(v, BFF_RULE_UNIQUE_INPUT_FIELD_NAMES))
        unique_input_field_names(v, value);
}
