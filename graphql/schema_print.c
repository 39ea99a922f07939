/*
 * schema_print.c - a schema back to SDL, laid out as graphql-js's
 * printSchema() lays it out: the schema definition only when the root types
 * do not have their default names (or the schema has a description), the
 * user's directives, then the user's types in the schema's type order;
 * descriptions as block strings when they can be, deprecations and
 * @specifiedBy written back, default values coerced then printed.
 */
#include <stdio.h>
#include <string.h>

#include "parser.h"
#include "schema_internal.h"

static const char *const default_reason = "No longer supported";

/* graphql-js isPrintableAsBlockString. */
static bool printable_as_block(const char *s)
{
    if (*s == '\0')
        return true;
    bool empty_line = true, has_indent = false, common_indent = true, seen_non_empty = false;
    for (const unsigned char *c = (const unsigned char *)s; *c; ++c) {
        switch (*c) {
        case 0x00: case 0x01: case 0x02: case 0x03: case 0x04: case 0x05: case 0x06: case 0x07:
        case 0x08: case 0x0B: case 0x0C: case 0x0E: case 0x0F: case '\r':
            return false;
        case '\n':
            if (empty_line && !seen_non_empty)
                return false;
            seen_non_empty = true;
            empty_line = true;
            has_indent = false;
            break;
        case '\t':
        case ' ':
            has_indent = has_indent || empty_line;
            break;
        default:
            common_indent = common_indent && has_indent;
            empty_line = false;
        }
    }
    if (empty_line)
        return false;
    if (common_indent && seen_non_empty)
        return false;
    return true;
}

static void description(bff_buf_t *out, const char *desc, const char *indent, bool first_in_block)
{
    if (desc == NULL)
        return;
    bff_buf_t s = BFF_BUF_INIT;
    size_t len = strlen(desc);
    if (printable_as_block(desc))
        bff_gql_print_block_string(&s, desc, len, false);
    else
        bff_gql_print_string(&s, desc, len);
    if (*indent && !first_in_block) {
        bff_buf_appendc(out, '\n');
        bff_buf_appends(out, indent);
    } else {
        bff_buf_appends(out, indent);
    }
    for (size_t i = 0; i < s.len; ++i) {
        bff_buf_appendc(out, s.data[i]);
        if (s.data[i] == '\n')
            bff_buf_appends(out, indent);
    }
    bff_buf_appendc(out, '\n');
    bff_buf_free(&s);
}

static void deprecated(bff_buf_t *out, const char *reason)
{
    if (reason == NULL)
        return;
    if (strcmp(reason, default_reason) == 0) {
        bff_buf_appends(out, " @deprecated");
        return;
    }
    bff_buf_appends(out, " @deprecated(reason: ");
    bff_gql_print_string(out, reason, strlen(reason));
    bff_buf_appendc(out, ')');
}

static void input_value(bff_buf_t *out, const bff_schema_t *schema, const bff_input_value_t *v)
{
    bff_buf_printf(out, "%s: ", v->name);
    bff_typeref_print(out, v->type);
    if (v->default_value != NULL) {
        bff_buf_appends(out, " = ");
        bff_schema_print_default(out, schema, v);
    }
    deprecated(out, v->deprecated ? v->deprecation_reason : NULL);
}

static void args(bff_buf_t *out, const bff_schema_t *schema, const bff_input_value_t *vs, uint32_t n,
                 const char *indent)
{
    if (n == 0)
        return;
    bool any_description = false;
    for (uint32_t i = 0; i < n; ++i)
        any_description = any_description || vs[i].description != NULL;
    if (!any_description) {
        bff_buf_appendc(out, '(');
        for (uint32_t i = 0; i < n; ++i) {
            if (i > 0)
                bff_buf_appends(out, ", ");
            input_value(out, schema, &vs[i]);
        }
        bff_buf_appendc(out, ')');
        return;
    }
    char inner[64];
    snprintf(inner, sizeof(inner), "  %s", indent);
    bff_buf_appends(out, "(\n");
    for (uint32_t i = 0; i < n; ++i) {
        if (i > 0)
            bff_buf_appendc(out, '\n');
        description(out, vs[i].description, inner, i == 0);
        bff_buf_appends(out, inner);
        input_value(out, schema, &vs[i]);
    }
    bff_buf_printf(out, "\n%s)", indent);
}

static void fields(bff_buf_t *out, const bff_schema_t *schema, const bff_type_t *t)
{
    if (t->nfields == 0)
        return;
    bff_buf_appends(out, " {\n");
    for (uint32_t i = 0; i < t->nfields; ++i) {
        const bff_field_t *f = &t->fields[i];
        if (i > 0)
            bff_buf_appendc(out, '\n');
        description(out, f->description, "  ", i == 0);
        bff_buf_printf(out, "  %s", f->name);
        args(out, schema, f->args, f->nargs, "  ");
        bff_buf_appends(out, ": ");
        bff_typeref_print(out, f->type);
        deprecated(out, f->deprecated ? f->deprecation_reason : NULL);
    }
    bff_buf_appends(out, "\n}");
}

static void interfaces(bff_buf_t *out, const bff_type_t *t)
{
    for (uint32_t i = 0; i < t->ninterfaces; ++i)
        bff_buf_printf(out, "%s%s", i == 0 ? " implements " : " & ", t->interfaces[i]->name);
}

static void print_type(bff_buf_t *out, const bff_schema_t *schema, const bff_type_t *t)
{
    description(out, t->description, "", true);
    switch (t->kind) {
    case BFF_TYPE_SCALAR:
        bff_buf_printf(out, "scalar %s", t->name);
        if (t->specified_by_url != NULL) {
            bff_buf_appends(out, " @specifiedBy(url: ");
            bff_gql_print_string(out, t->specified_by_url, strlen(t->specified_by_url));
            bff_buf_appendc(out, ')');
        }
        break;
    case BFF_TYPE_OBJECT:
    case BFF_TYPE_INTERFACE:
        bff_buf_printf(out, "%s %s", t->kind == BFF_TYPE_OBJECT ? "type" : "interface", t->name);
        interfaces(out, t);
        fields(out, schema, t);
        break;
    case BFF_TYPE_UNION:
        bff_buf_printf(out, "union %s", t->name);
        for (uint32_t i = 0; i < t->npossible_types; ++i)
            bff_buf_printf(out, "%s%s", i == 0 ? " = " : " | ", t->possible_types[i]->name);
        break;
    case BFF_TYPE_ENUM:
        bff_buf_printf(out, "enum %s", t->name);
        if (t->nenum_values > 0) {
            bff_buf_appends(out, " {\n");
            for (uint32_t i = 0; i < t->nenum_values; ++i) {
                const bff_enum_value_t *v = &t->enum_values[i];
                if (i > 0)
                    bff_buf_appendc(out, '\n');
                description(out, v->description, "  ", i == 0);
                bff_buf_printf(out, "  %s", v->name);
                deprecated(out, v->deprecated ? v->deprecation_reason : NULL);
            }
            bff_buf_appends(out, "\n}");
        }
        break;
    case BFF_TYPE_INPUT_OBJECT:
        bff_buf_printf(out, "input %s%s", t->name, t->one_of ? " @oneOf" : "");
        if (t->ninput_fields > 0) {
            bff_buf_appends(out, " {\n");
            for (uint32_t i = 0; i < t->ninput_fields; ++i) {
                if (i > 0)
                    bff_buf_appendc(out, '\n');
                description(out, t->input_fields[i].description, "  ", i == 0);
                bff_buf_appends(out, "  ");
                input_value(out, schema, &t->input_fields[i]);
            }
            bff_buf_appends(out, "\n}");
        }
        break;
    }
}

static bool common_root_names(const bff_schema_t *s)
{
    return (s->query_type == NULL || strcmp(s->query_type->name, "Query") == 0) &&
           (s->mutation_type == NULL || strcmp(s->mutation_type->name, "Mutation") == 0) &&
           (s->subscription_type == NULL || strcmp(s->subscription_type->name, "Subscription") == 0);
}

void bff_schema_print(bff_buf_t *out, const bff_schema_t *schema)
{
    bool first = true;
#define SEPARATE()                                                                                                     \
    do {                                                                                                               \
        if (!first)                                                                                                    \
            bff_buf_appends(out, "\n\n");                                                                              \
        first = false;                                                                                                 \
    } while (0)
    if (schema->description != NULL || !common_root_names(schema)) {
        SEPARATE();
        description(out, schema->description, "", true);
        bff_buf_appends(out, "schema {\n");
        if (schema->query_type)
            bff_buf_printf(out, "  query: %s\n", schema->query_type->name);
        if (schema->mutation_type)
            bff_buf_printf(out, "  mutation: %s\n", schema->mutation_type->name);
        if (schema->subscription_type)
            bff_buf_printf(out, "  subscription: %s\n", schema->subscription_type->name);
        bff_buf_appendc(out, '}');
    }
    for (uint32_t i = 0; i < schema->ndirectives; ++i) {
        const bff_directive_def_t *d = schema->directives[i];
        if (d->builtin)
            continue;
        SEPARATE();
        description(out, d->description, "", true);
        bff_buf_printf(out, "directive @%s", d->name);
        args(out, schema, d->args, d->nargs, "");
        bff_buf_printf(out, "%s on ", d->repeatable ? " repeatable" : "");
        for (uint32_t l = 0; d->node != NULL && l < d->node->locations.len; ++l)
            bff_buf_printf(out, "%s%s", l ? " | " : "", d->node->locations.items[l]->name);
    }
    for (uint32_t i = 0; i < schema->ntypes; ++i) {
        if (schema->types[i]->builtin)
            continue;
        SEPARATE();
        print_type(out, schema, schema->types[i]);
    }
#undef SEPARATE
}
