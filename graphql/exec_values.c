/*
 * exec_values.c - value rules the executor shares: graphql-js's inspect()
 * and didYouMean() for messages, output coercion of leaves (serialize) and
 * the built-in scalars' input coercion (parseValue / parseLiteral).
 *
 * Built-in scalars follow graphql-js 16 (type/scalars.js) when the schema
 * gives them no hook; a hook set on the type always wins. Custom scalars
 * without hooks pass values through unchanged, as graphql-js does.
 *
 * Memory: results and messages go to the execution's arena; JSON returned
 * from the parse functions is a new reference for the caller. Strings of a
 * leaf result may point into borrowed JSON or resolver memory, which lives
 * as long as the arena (exec.h's contract).
 */
#include "exec_internal.h"
#include "suggest.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

/* ---- inspect() ---- */

static void inspect_json_depth(bff_buf_t *out, const json_t *v, int depth)
{
    switch (json_typeof(v)) {
    case JSON_NULL: bff_buf_appends(out, "null"); break;
    case JSON_TRUE: bff_buf_appends(out, "true"); break;
    case JSON_FALSE: bff_buf_appends(out, "false"); break;
    case JSON_INTEGER: bff_buf_append_int(out, json_integer_value(v)); break;
    case JSON_REAL: bff_buf_append_number(out, json_real_value(v)); break;
    case JSON_STRING: bff_buf_append_json_string(out, json_string_value(v), json_string_length(v)); break;
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        if (n == 0) {
            bff_buf_appends(out, "[]");
            break;
        }
        if (depth > 2) {
            bff_buf_appends(out, "[Array]");
            break;
        }
        size_t shown = n < 10 ? n : 10;
        bff_buf_appendc(out, '[');
        for (size_t i = 0; i < shown; ++i) {
            if (i)
                bff_buf_appends(out, ", ");
            inspect_json_depth(out, json_array_get(v, i), depth + 1);
        }
        if (n - shown == 1)
            bff_buf_appends(out, ", ... 1 more item");
        else if (n > shown)
            bff_buf_printf(out, ", ... %zu more items", n - shown);
        bff_buf_appendc(out, ']');
        break;
    }
    case JSON_OBJECT: {
        if (json_object_size(v) == 0) {
            bff_buf_appends(out, "{}");
            break;
        }
        if (depth > 2) {
            bff_buf_appends(out, "[Object]");
            break;
        }
        bff_buf_appends(out, "{ ");
        const char *key;
        json_t *val;
        bool first = true;
        json_object_foreach((json_t *)v, key, val)
        {
            if (!first)
                bff_buf_appends(out, ", ");
            first = false;
            bff_buf_appends(out, key);
            bff_buf_appends(out, ": ");
            inspect_json_depth(out, val, depth + 1);
        }
        bff_buf_appends(out, " }");
        break;
    }
    }
}

void bff_exec_inspect_json(bff_buf_t *out, const json_t *v)
{
    inspect_json_depth(out, v, 1);
}

static void append_js_number(bff_buf_t *out, double d)
{
    bff_buf_append_number(out, d);
}

void bff_exec_inspect_value(bff_buf_t *out, const bff_value_t *v)
{
    switch (v->kind) {
    case BFF_VAL_NULL: bff_buf_appends(out, "null"); break;
    case BFF_VAL_BOOL: bff_buf_appends(out, v->u.b ? "true" : "false"); break;
    case BFF_VAL_INT: bff_buf_append_int(out, v->u.i); break;
    case BFF_VAL_FLOAT: append_js_number(out, v->u.f); break;
    case BFF_VAL_STRING: bff_buf_append_json_string(out, v->u.str.ptr, v->u.str.len); break;
    case BFF_VAL_LIST:
        if (v->u.list.len == 0) {
            bff_buf_appends(out, "[]");
        } else {
            size_t shown = v->u.list.len < 10 ? v->u.list.len : 10;
            bff_buf_appendc(out, '[');
            for (size_t i = 0; i < shown; ++i) {
                if (i)
                    bff_buf_appends(out, ", ");
                const bff_value_t *it = &v->u.list.items[i];
                if (it->kind == BFF_VAL_LIST || it->kind == BFF_VAL_OBJECT)
                    bff_buf_appends(out, it->kind == BFF_VAL_LIST ? "[Array]" : "[Object]");
                else
                    bff_exec_inspect_value(out, it);
            }
            size_t rest = v->u.list.len - shown;
            if (rest == 1)
                bff_buf_appends(out, ", ... 1 more item");
            else if (rest > 1)
                bff_buf_printf(out, ", ... %zu more items", rest);
            bff_buf_appendc(out, ']');
        }
        break;
    case BFF_VAL_OBJECT:
        if (v->u.obj.type != NULL)
            bff_buf_printf(out, "[%s]", v->u.obj.type->name);
        else
            bff_buf_appends(out, "[Object]");
        break;
    case BFF_VAL_JSON:
        if (v->u.json == NULL)
            bff_buf_appends(out, "null");
        else
            bff_exec_inspect_json(out, v->u.json);
        break;
    }
}

/* ---- didYouMean() for coercion messages (suggest.c has the algorithm) ---- */

void bff_exec_did_you_mean(bff_buf_t *out, const char *sub, const char *input, const char *const *options,
                           size_t noptions)
{
    if (noptions == 0)
        return;
    bff_arena_t *scratch = bff_arena_new(0);
    const char **sugg;
    size_t n = bff_suggestion_list(scratch, input, options, noptions, &sugg);
    bff_did_you_mean(out, sub, sugg, n);
    bff_arena_free(scratch);
}

/* ---- JSON <-> values ---- */

bff_value_t bff_exec_value_from_json(json_t *j)
{
    if (j == NULL)
        return bff_value_null();
    switch (json_typeof(j)) {
    case JSON_NULL: return bff_value_null();
    case JSON_TRUE: return bff_value_bool(true);
    case JSON_FALSE: return bff_value_bool(false);
    case JSON_INTEGER: return bff_value_int(json_integer_value(j));
    case JSON_REAL: return bff_value_float(json_real_value(j));
    case JSON_STRING: return bff_value_string(json_string_value(j), json_string_length(j));
    default: {
        bff_value_t v = {.kind = BFF_VAL_JSON, .u.json = j};
        return v;
    }
    }
}

typedef enum { SC_NONE, SC_INT, SC_FLOAT, SC_STRING, SC_BOOLEAN, SC_ID } builtin_scalar_t;

static builtin_scalar_t builtin_scalar(const bff_type_t *t)
{
    if (t->kind != BFF_TYPE_SCALAR || !t->builtin)
        return SC_NONE;
    static const struct {
        const char *name;
        builtin_scalar_t sc;
    } table[] = {{"Int", SC_INT}, {"Float", SC_FLOAT}, {"String", SC_STRING}, {"Boolean", SC_BOOLEAN}, {"ID", SC_ID}};
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); ++i)
        if (strcmp(t->name, table[i].name) == 0)
            return table[i].sc;
    return SC_NONE;
}

bool bff_exec_is_builtin_scalar(const bff_type_t *type)
{
    return builtin_scalar(type) != SC_NONE;
}

void bff_exec_init_scalars(bff_exec_t *x)
{
    static const char *const names[5] = {"Int", "Float", "String", "Boolean", "ID"};
    for (int i = 0; i < 5; ++i)
        x->scalars[i] = bff_schema_type(x->schema, names[i]);
}

/* builtin_scalar() by pointer: the hot path of leaf serialization. */
static builtin_scalar_t exec_builtin_scalar(const bff_exec_t *x, const bff_type_t *t)
{
    for (int i = 0; i < 5; ++i)
        if (x->scalars[i] == t)
            return (builtin_scalar_t)(SC_INT + i);
    return SC_NONE;
}

/* JavaScript's Number(string) for the usual cases: decimal, exponent, hex, surrounding whitespace. */
static double js_number_from_string(const char *s, size_t len)
{
    char *tmp = bff_xmalloc(len + 1);
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *p = tmp, *end = tmp + len;
    while (p < end && isspace((unsigned char)*p))
        ++p;
    while (end > p && isspace((unsigned char)end[-1]))
        *--end = '\0';
    double d;
    if (p == end) {
        d = 0;
    } else if (strcmp(p, "Infinity") == 0 || strcmp(p, "+Infinity") == 0) {
        d = INFINITY;
    } else if (strcmp(p, "-Infinity") == 0) {
        d = -INFINITY;
    } else {
        bool ok = true;
        for (const char *q = p; *q; ++q)
            if (!(isdigit((unsigned char)*q) || *q == '.' || *q == 'e' || *q == 'E' || *q == '+' || *q == '-' ||
                  ((*q == 'x' || *q == 'X' || isxdigit((unsigned char)*q)) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))))
                ok = false;
        char *stop;
        d = ok ? strtod(p, &stop) : NAN;
        if (ok && *stop != '\0')
            d = NAN;
    }
    free(tmp);
    return d;
}

static const char *fail_msg(bff_exec_t *x, const char *prefix, const bff_value_t *v)
{
    bff_buf_t b = BFF_BUF_INIT;
    bff_buf_appends(&b, prefix);
    bff_exec_inspect_value(&b, v);
    const char *m = bff_arena_strndup(x->arena, b.data, b.len);
    bff_buf_free(&b);
    return m;
}

static char *double_to_arena(bff_exec_t *x, double d)
{
    bff_buf_t b = BFF_BUF_INIT;
    append_js_number(&b, d);
    char *s = bff_arena_strndup(x->arena, b.data, b.len);
    bff_buf_free(&b);
    return s;
}

static int serialize_builtin(bff_exec_t *x, builtin_scalar_t sc, const bff_value_t *v, exec_result_t *res,
                             const char **err)
{
    switch (sc) {
    case SC_INT: {
        double num;
        switch (v->kind) {
        case BFF_VAL_BOOL: res->kind = EXEC_R_INT; res->u.i = v->u.b ? 1 : 0; return 0;
        case BFF_VAL_INT: num = (double)v->u.i; break;
        case BFF_VAL_FLOAT: num = v->u.f; break;
        case BFF_VAL_STRING: num = v->u.str.len ? js_number_from_string(v->u.str.ptr, v->u.str.len) : NAN; break;
        default: num = NAN; break;
        }
        if (!isfinite(num) || num != floor(num)) {
            *err = fail_msg(x, "Int cannot represent non-integer value: ", v);
            return -1;
        }
        if (num > 2147483647.0 || num < -2147483648.0) {
            *err = fail_msg(x, "Int cannot represent non 32-bit signed integer value: ", v);
            return -1;
        }
        res->kind = EXEC_R_INT;
        res->u.i = (int64_t)num;
        return 0;
    }
    case SC_FLOAT: {
        double num;
        switch (v->kind) {
        case BFF_VAL_BOOL: num = v->u.b ? 1 : 0; break;
        case BFF_VAL_INT: num = (double)v->u.i; break;
        case BFF_VAL_FLOAT: num = v->u.f; break;
        case BFF_VAL_STRING: num = v->u.str.len ? js_number_from_string(v->u.str.ptr, v->u.str.len) : NAN; break;
        default: num = NAN; break;
        }
        if (!isfinite(num)) {
            *err = fail_msg(x, "Float cannot represent non numeric value: ", v);
            return -1;
        }
        res->kind = EXEC_R_FLOAT;
        res->u.f = num;
        return 0;
    }
    case SC_STRING:
    case SC_ID:
        switch (v->kind) {
        case BFF_VAL_STRING:
            res->kind = EXEC_R_STRING;
            res->u.str.ptr = v->u.str.ptr;
            res->u.str.len = v->u.str.len;
            return 0;
        case BFF_VAL_BOOL:
            if (sc == SC_ID)
                break;
            res->kind = EXEC_R_STRING;
            res->u.str.ptr = v->u.b ? "true" : "false";
            res->u.str.len = strlen(res->u.str.ptr);
            return 0;
        case BFF_VAL_INT:
            res->kind = EXEC_R_STRING;
            res->u.str.ptr = bff_arena_printf(x->arena, "%lld", (long long)v->u.i);
            res->u.str.len = strlen(res->u.str.ptr);
            return 0;
        case BFF_VAL_FLOAT:
            if (!isfinite(v->u.f) || (sc == SC_ID && v->u.f != floor(v->u.f)))
                break;
            res->kind = EXEC_R_STRING;
            res->u.str.ptr = double_to_arena(x, v->u.f);
            res->u.str.len = strlen(res->u.str.ptr);
            return 0;
        default: break;
        }
        *err = fail_msg(x, sc == SC_ID ? "ID cannot represent value: " : "String cannot represent value: ", v);
        return -1;
    case SC_BOOLEAN:
        switch (v->kind) {
        case BFF_VAL_BOOL: res->kind = EXEC_R_BOOL; res->u.b = v->u.b; return 0;
        case BFF_VAL_INT: res->kind = EXEC_R_BOOL; res->u.b = v->u.i != 0; return 0;
        case BFF_VAL_FLOAT:
            if (!isfinite(v->u.f))
                break;
            res->kind = EXEC_R_BOOL;
            res->u.b = v->u.f != 0;
            return 0;
        default: break;
        }
        *err = fail_msg(x, "Boolean cannot represent a non boolean value: ", v);
        return -1;
    case SC_NONE: break;
    }
    return -1;
}

static void json_dispose(void *p)
{
    json_decref((json_t *)p);
}

/* A resolver's list value as JSON (custom scalars without hooks). NULL when it holds opaque objects. */
static json_t *value_to_json(const bff_value_t *v)
{
    switch (v->kind) {
    case BFF_VAL_NULL: return json_null();
    case BFF_VAL_BOOL: return json_boolean(v->u.b);
    case BFF_VAL_INT: return json_integer(v->u.i);
    case BFF_VAL_FLOAT: return json_real(v->u.f);
    case BFF_VAL_STRING: return json_stringn_nocheck(v->u.str.ptr, v->u.str.len);
    case BFF_VAL_JSON: return json_incref(v->u.json);
    case BFF_VAL_LIST: {
        json_t *a = json_array();
        for (size_t i = 0; i < v->u.list.len; ++i) {
            json_t *it = value_to_json(&v->u.list.items[i]);
            if (it == NULL) {
                json_decref(a);
                return NULL;
            }
            json_array_append_new(a, it);
        }
        return a;
    }
    case BFF_VAL_OBJECT: return NULL;
    }
    return NULL;
}

int bff_exec_serialize_leaf(bff_exec_t *x, const bff_type_t *type, const bff_value_t *in, exec_result_t *res,
                            const char **err)
{
    bff_value_t v = *in;
    if (v.kind == BFF_VAL_JSON)
        v = bff_exec_value_from_json(v.u.json);
    if (type->kind == BFF_TYPE_ENUM) {
        if (v.kind == BFF_VAL_STRING) {
            for (uint32_t i = 0; i < type->nenum_values; ++i) {
                const char *name = type->enum_values[i].name;
                if (strlen(name) == v.u.str.len && memcmp(name, v.u.str.ptr, v.u.str.len) == 0) {
                    res->kind = EXEC_R_STRING;
                    res->u.str.ptr = name;
                    res->u.str.len = v.u.str.len;
                    return 0;
                }
            }
        }
        *err = fail_msg(x, bff_arena_printf(x->arena, "Enum \"%s\" cannot represent value: ", type->name), &v);
        return -1;
    }
    if (type->serialize != NULL) {
        bff_buf_reset(&x->scratch);
        const char *hook_err = NULL;
        if (type->serialize(type, &v, &x->scratch, &hook_err) != 0) {
            *err = hook_err != NULL ? hook_err : fail_msg(x, bff_arena_printf(x->arena, "%s cannot represent value: ", type->name), &v);
            return -1;
        }
        if (x->scratch.len == 0 || (x->scratch.len == 4 && memcmp(x->scratch.data, "null", 4) == 0)) {
            bff_buf_t b = BFF_BUF_INIT;
            bff_buf_printf(&b, "Expected `%s.serialize(", type->name);
            bff_exec_inspect_value(&b, &v);
            bff_buf_appends(&b, ")` to return non-nullable value, returned: null");
            *err = bff_arena_strndup(x->arena, b.data, b.len);
            bff_buf_free(&b);
            return -1;
        }
        res->kind = EXEC_R_RAW;
        res->u.str.ptr = bff_arena_strndup(x->arena, x->scratch.data, x->scratch.len);
        res->u.str.len = x->scratch.len;
        return 0;
    }
    builtin_scalar_t sc = exec_builtin_scalar(x, type);
    if (sc != SC_NONE)
        return serialize_builtin(x, sc, &v, res, err);
    /* A custom scalar without a hook: the value as it is. */
    switch (v.kind) {
    case BFF_VAL_NULL: res->kind = EXEC_R_NULL; return 0;
    case BFF_VAL_BOOL: res->kind = EXEC_R_BOOL; res->u.b = v.u.b; return 0;
    case BFF_VAL_INT: res->kind = EXEC_R_INT; res->u.i = v.u.i; return 0;
    case BFF_VAL_FLOAT:
        if (!isfinite(v.u.f)) {
            res->kind = EXEC_R_NULL;
            return 0;
        }
        res->kind = EXEC_R_FLOAT;
        res->u.f = v.u.f;
        return 0;
    case BFF_VAL_STRING:
        res->kind = EXEC_R_STRING;
        res->u.str.ptr = v.u.str.ptr;
        res->u.str.len = v.u.str.len;
        return 0;
    case BFF_VAL_JSON: res->kind = EXEC_R_JSON; res->u.json = v.u.json; return 0;
    case BFF_VAL_LIST: {
        json_t *j = value_to_json(&v);
        if (j != NULL) {
            bff_arena_on_dispose(x->arena, json_dispose, j);
            res->kind = EXEC_R_JSON;
            res->u.json = j;
            return 0;
        }
        break;
    }
    case BFF_VAL_OBJECT: break;
    }
    *err = fail_msg(x, bff_arena_printf(x->arena, "%s cannot represent value: ", type->name), &v);
    return -1;
}

/* ---- input coercion of built-in scalars ---- */

int bff_exec_builtin_parse_value(const bff_type_t *type, json_t *in, json_t **out, bff_buf_t *err)
{
    builtin_scalar_t sc = builtin_scalar(type);
    switch (sc) {
    case SC_INT: {
        double d;
        bool is_num = json_is_number(in);
        d = is_num ? json_number_value(in) : 0;
        if (!is_num || !isfinite(d) || d != floor(d)) {
            bff_buf_appends(err, "Int cannot represent non-integer value: ");
            bff_exec_inspect_json(err, in);
            return -1;
        }
        if (d > 2147483647.0 || d < -2147483648.0) {
            bff_buf_appends(err, "Int cannot represent non 32-bit signed integer value: ");
            bff_exec_inspect_json(err, in);
            return -1;
        }
        *out = json_integer((json_int_t)d);
        return 0;
    }
    case SC_FLOAT:
        if (!json_is_number(in) || !isfinite(json_number_value(in))) {
            bff_buf_appends(err, "Float cannot represent non numeric value: ");
            bff_exec_inspect_json(err, in);
            return -1;
        }
        *out = json_real(json_number_value(in));
        return 0;
    case SC_STRING:
        if (!json_is_string(in)) {
            bff_buf_appends(err, "String cannot represent a non string value: ");
            bff_exec_inspect_json(err, in);
            return -1;
        }
        *out = json_incref(in);
        return 0;
    case SC_BOOLEAN:
        if (!json_is_boolean(in)) {
            bff_buf_appends(err, "Boolean cannot represent a non boolean value: ");
            bff_exec_inspect_json(err, in);
            return -1;
        }
        *out = json_incref(in);
        return 0;
    case SC_ID:
        if (json_is_string(in)) {
            *out = json_incref(in);
            return 0;
        }
        if (json_is_integer(in)) {
            char tmp[32];
            snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(in));
            *out = json_string(tmp);
            return 0;
        }
        if (json_is_real(in) && isfinite(json_real_value(in)) && json_real_value(in) == floor(json_real_value(in)) &&
            fabs(json_real_value(in)) < 9007199254740992.0) {
            char tmp[32];
            snprintf(tmp, sizeof(tmp), "%.0f", json_real_value(in));
            *out = json_string(tmp);
            return 0;
        }
        bff_buf_appends(err, "ID cannot represent value: ");
        bff_exec_inspect_json(err, in);
        return -1;
    case SC_NONE: break;
    }
    /* custom scalar: as is */
    *out = json_incref(in);
    return 0;
}

int bff_exec_builtin_parse_literal(const bff_type_t *type, const bff_ast_node_t *lit, json_t **out)
{
    switch (builtin_scalar(type)) {
    case SC_INT: {
        if (lit->kind != BFF_AST_INT_VALUE)
            return -1;
        errno = 0;
        long long v = strtoll(lit->text, NULL, 10);
        if (errno != 0 || v > 2147483647LL || v < -2147483648LL)
            return -1;
        *out = json_integer(v);
        return 0;
    }
    case SC_FLOAT:
        if (lit->kind != BFF_AST_INT_VALUE && lit->kind != BFF_AST_FLOAT_VALUE)
            return -1;
        *out = json_real(strtod(lit->text, NULL));
        return 0;
    case SC_STRING:
        if (lit->kind != BFF_AST_STRING_VALUE)
            return -1;
        *out = json_stringn_nocheck(lit->text, lit->text_len);
        return 0;
    case SC_BOOLEAN:
        if (lit->kind != BFF_AST_BOOLEAN_VALUE)
            return -1;
        *out = json_boolean(lit->boolean);
        return 0;
    case SC_ID:
        if (lit->kind != BFF_AST_STRING_VALUE && lit->kind != BFF_AST_INT_VALUE)
            return -1;
        *out = json_stringn_nocheck(lit->text, lit->kind == BFF_AST_INT_VALUE ? strlen(lit->text) : lit->text_len);
        return 0;
    case SC_NONE: break;
    }
    json_t *j = bff_exec_value_from_ast_untyped(lit, NULL);
    if (j == NULL)
        return -1;
    *out = j;
    return 0;
}

json_t *bff_exec_value_from_ast_untyped(const bff_ast_node_t *node, json_t *variables)
{
    switch (node->kind) {
    case BFF_AST_NULL_VALUE: return json_null();
    case BFF_AST_INT_VALUE: {
        errno = 0;
        long long v = strtoll(node->text, NULL, 10);
        if (errno != 0)
            return json_real(strtod(node->text, NULL));
        return json_integer(v);
    }
    case BFF_AST_FLOAT_VALUE: return json_real(strtod(node->text, NULL));
    case BFF_AST_STRING_VALUE:
    case BFF_AST_ENUM_VALUE: return json_stringn_nocheck(node->text, node->text_len);
    case BFF_AST_BOOLEAN_VALUE: return json_boolean(node->boolean);
    case BFF_AST_LIST_VALUE: {
        json_t *a = json_array();
        for (uint32_t i = 0; i < node->values.len; ++i) {
            json_t *it = bff_exec_value_from_ast_untyped(node->values.items[i], variables);
            json_array_append_new(a, it != NULL ? it : json_null());
        }
        return a;
    }
    case BFF_AST_OBJECT_VALUE: {
        json_t *o = json_object();
        for (uint32_t i = 0; i < node->fields.len; ++i) {
            const bff_ast_node_t *f = node->fields.items[i];
            json_t *it = bff_exec_value_from_ast_untyped(f->value, variables);
            if (it != NULL)
                json_object_set_new(o, f->name, it);
        }
        return o;
    }
    case BFF_AST_VARIABLE: {
        json_t *v = variables != NULL ? json_object_get(variables, node->name) : NULL;
        return v != NULL ? json_incref(v) : NULL;
    }
    default: return NULL;
    }
}
