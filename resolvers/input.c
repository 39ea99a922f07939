/*
 * input.c - the one validator of client-given strings before any provider
 * call (see input.h).
 *
 * Every string in a field's coerced arguments (nested in input objects and
 * lists too) is checked against the rule of its kind: the kind comes from
 * the argument or input field's name (input_names below), else from its type
 * (ID), else it is free text. The rules are a table (BFF_INPUT_KINDS): a
 * length range in bytes and a class of allowed bytes. No kind allows NUL or
 * other control characters, so a value can never be cut short on its way to
 * a provider URL or body.
 */
#include "input.h"

#include <string.h>

#include "graphql/exec.h"

typedef enum en_input_kind_t {
#define INPUT_KIND_ENUM(id, min, max, what) INPUT_##id,
    BFF_INPUT_KINDS(INPUT_KIND_ENUM)
#undef INPUT_KIND_ENUM
} input_kind_t;

typedef struct st_input_rule_t {
    const char *name;
    size_t min, max;
    const char *what;
} input_rule_t;

static const input_rule_t rules[] = {
#define INPUT_KIND_RULE(id, min, max, what) {#id, min, max, what},
    BFF_INPUT_KINDS(INPUT_KIND_RULE)
#undef INPUT_KIND_RULE
};

/* Argument and input field names with a kind of their own; other ID-typed values are IDs, the rest TEXT. */
static const struct {
    const char *name;
    input_kind_t kind;
} input_names[] = {
    {"handle", INPUT_HANDLE},      {"codes", INPUT_CODE},      {"rateId", INPUT_CODE},
    {"currency", INPUT_CODE},      {"country", INPUT_CODE},    {"paymentToken", INPUT_TEXT}, /* checkoutComplete answers a bad token with a userError */
    {"idempotencyKey", INPUT_TOKEN}, {"token", INPUT_TOKEN},   {"after", INPUT_TOKEN},
    {"sku", INPUT_ID},             {"skus", INPUT_ID},         {"cartId", INPUT_ID},
};

static bool byte_allowed(input_kind_t kind, unsigned char c)
{
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    switch (kind) {
    case INPUT_ID: /* ids, global ids (gid://shop/Cart/c-1?key=...) and SKUs */
        return alnum || (c != '\0' && strchr("-_.:/?=&~%+", c) != NULL); /* strchr finds the terminator for NUL */
    case INPUT_HANDLE:
        return alnum || c == '-' || c == '_' || c == '.';
    case INPUT_CODE:
        return alnum || c == '-' || c == '_';
    case INPUT_TOKEN: /* printable ASCII, no space */
        return c > 0x20 && c < 0x7f;
    case INPUT_TEXT: /* UTF-8 (coercion checked it), no control characters */
        return c >= 0x20 && c != 0x7f;
    }
    return false;
}

static input_kind_t kind_of(const char *name, const bff_typeref_t *type)
{
    for (size_t i = 0; i < sizeof(input_names) / sizeof(input_names[0]); ++i)
        if (strcmp(input_names[i].name, name) == 0)
            return input_names[i].kind;
    return strcmp(bff_typeref_named(type)->name, "ID") == 0 ? INPUT_ID : INPUT_TEXT;
}

bool bff_input_string_valid(const char *kind_name, const char *s, size_t len, const char **why)
{
    for (size_t k = 0; k < sizeof(rules) / sizeof(rules[0]); ++k) {
        if (strcmp(rules[k].name, kind_name) != 0)
            continue;
        if (len < rules[k].min || len > rules[k].max) {
            *why = len < rules[k].min ? "is empty" : "is too long";
            return false;
        }
        for (size_t i = 0; i < len; ++i) {
            if (!byte_allowed((input_kind_t)k, (unsigned char)s[i])) {
                *why = s[i] == '\0' ? "contains a NUL character" : "contains a character not allowed here";
                return false;
            }
        }
        return true;
    }
    *why = "has no rule";
    return false;
}

typedef struct st_input_error_t {
    const char *name, *why, *kind;
    size_t max;
} input_error_t;

static bool check_value(json_t *v, const char *name, const bff_typeref_t *type, input_error_t *err)
{
    while (type->kind == BFF_TYPEREF_NON_NULL)
        type = type->of;
    if (type->kind == BFF_TYPEREF_LIST) {
        size_t i;
        json_t *item;
        if (!json_is_array(v))
            return check_value(v, name, type->of, err);
        json_array_foreach(v, i, item) if (!check_value(item, name, type->of, err)) return false;
        return true;
    }
    const bff_type_t *t = type->named;
    if (t->kind == BFF_TYPE_INPUT_OBJECT && json_is_object(v)) {
        for (uint32_t f = 0; f < t->ninput_fields; ++f) {
            json_t *fv = json_object_get(v, t->input_fields[f].name);
            if (fv != NULL && !check_value(fv, t->input_fields[f].name, t->input_fields[f].type, err))
                return false;
        }
        return true;
    }
    if (!json_is_string(v))
        return true;
    input_kind_t kind = kind_of(name, type);
    if (!bff_input_string_valid(rules[kind].name, json_string_value(v), json_string_length(v), &err->why)) {
        err->name = name;
        err->kind = rules[kind].what;
        err->max = rules[kind].max;
        return false;
    }
    return true;
}

bool bff_input_check(bff_resolve_t *r)
{
    const bff_field_t *def = bff_resolve_field(r);
    if (def->nargs == 0)
        return true;
    json_t *args = bff_resolve_args(r);
    if (json_object_size(args) == 0)
        return true;
    input_error_t err = {0};
    for (uint32_t i = 0; i < def->nargs; ++i) {
        json_t *v = json_object_get(args, def->args[i].name);
        if (v != NULL && !check_value(v, def->args[i].name, def->args[i].type, &err)) {
            bff_resolve_error(r, "INVALID_INPUT", "\"%s\" %s: it must be %s of at most %zu bytes.", err.name, err.why,
                              err.kind, err.max);
            return false;
        }
    }
    return true;
}
