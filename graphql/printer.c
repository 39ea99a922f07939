/*
 * printer.c - GraphQL source from syntax trees, the way graphql-js 16's
 * print() lays it out (used for error messages, introspection default values,
 * the schema printer and the parser's differential tests).
 *
 * The printer builds each node's text bottom-up as arena strings and combines
 * them with graphql-js's small combinators (join skipping empty parts, wrap,
 * block, indent), which keeps the layout rules readable one per kind. It is
 * not on any hot path: values printed in messages are small.
 *
 * Strings here are NUL-terminated, yet block strings may hold U+0000 (graphql-js
 * prints it raw). Inside the printer a NUL is carried as the two bytes C0 80
 * (never valid UTF-8, so never produced otherwise) and turned back into one
 * NUL byte where the result leaves the printer with its length.
 */
#include "parser.h"

#include <string.h>

typedef struct st_printer_t {
    bff_arena_t *arena;
} printer_t;

/* A list of strings being joined. */
typedef struct st_strs_t {
    const char **items;
    uint32_t len;
} strs_t;

static const char *print_node(printer_t *pr, const bff_ast_node_t *n);

static char *cat(printer_t *pr, const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *s = bff_arena_alloc(pr->arena, la + lb + lc + 1);
    memcpy(s, a, la);
    memcpy(s + la, b, lb);
    memcpy(s + la + lb, c, lc + 1);
    return s;
}

/* wrap(start, s, end): "" when s is empty. */
static const char *wrap(printer_t *pr, const char *start, const char *s, const char *end)
{
    return s != NULL && *s ? cat(pr, start, s, end) : "";
}

/* join: the non-empty items separated by sep. */
static const char *join(printer_t *pr, strs_t items, const char *sep)
{
    bff_buf_t b = BFF_BUF_INIT;
    bool first = true;
    for (uint32_t i = 0; i < items.len; ++i) {
        if (items.items[i] == NULL || items.items[i][0] == '\0')
            continue;
        if (!first)
            bff_buf_appends(&b, sep);
        bff_buf_appends(&b, items.items[i]);
        first = false;
    }
    char *s = bff_arena_strndup(pr->arena, b.data ? b.data : "", b.len);
    bff_buf_free(&b);
    return s;
}

static const char *join2(printer_t *pr, const char *a, const char *b, const char *sep)
{
    const char *v[] = {a, b};
    return join(pr, (strs_t){v, 2}, sep);
}

static strs_t print_list(printer_t *pr, const bff_ast_list_t *l)
{
    strs_t out = {NULL, l->len};
    if (l->len > 0) {
        out.items = bff_arena_alloc(pr->arena, l->len * sizeof(*out.items));
        for (uint32_t i = 0; i < l->len; ++i)
            out.items[i] = print_node(pr, l->items[i]);
    }
    return out;
}

static const char *joinl(printer_t *pr, const bff_ast_list_t *l, const char *sep)
{
    return join(pr, print_list(pr, l), sep);
}

/* indent: two spaces before the text and after each newline in it. */
static const char *indent(printer_t *pr, const char *s)
{
    if (s == NULL || *s == '\0')
        return "";
    bff_buf_t b = BFF_BUF_INIT;
    bff_buf_appends(&b, "  ");
    for (const char *c = s; *c; ++c) {
        bff_buf_appendc(&b, *c);
        if (*c == '\n')
            bff_buf_appends(&b, "  ");
    }
    char *r = bff_arena_strndup(pr->arena, b.data, b.len);
    bff_buf_free(&b);
    return r;
}

static const char *block(printer_t *pr, const bff_ast_list_t *l)
{
    return wrap(pr, "{\n", indent(pr, joinl(pr, l, "\n")), "\n}");
}

static bool has_multiline_items(strs_t items)
{
    for (uint32_t i = 0; i < items.len; ++i)
        if (strchr(items.items[i], '\n') != NULL)
            return true;
    return false;
}

/* Argument definitions: one per line when any of them spans lines. */
static const char *arg_defs(printer_t *pr, const bff_ast_list_t *args)
{
    strs_t items = print_list(pr, args);
    if (has_multiline_items(items))
        return wrap(pr, "(\n", indent(pr, join(pr, items, "\n")), "\n)");
    return wrap(pr, "(", join(pr, items, ", "), ")");
}

/* Length as JavaScript counts it (UTF-16 code units). */
static size_t js_length(const char *s)
{
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; ++c) {
        if ((*c & 0xC0) != 0x80)
            n += (*c >= 0xF0) ? 2 : 1;
    }
    return n;
}

static const char *description_prefix(printer_t *pr, const bff_ast_node_t *n)
{
    return n->description ? cat(pr, print_node(pr, n->description), "\n", "") : "";
}

static const char *buf_string(printer_t *pr, void (*fn)(bff_buf_t *, const char *, size_t, bool), const char *s,
                              size_t len, bool flag)
{
    bff_buf_t b = BFF_BUF_INIT;
    fn(&b, s, len, flag);
    bff_buf_t enc = BFF_BUF_INIT; /* NUL -> C0 80 */
    for (size_t i = 0; i < b.len; ++i) {
        if (b.data[i] == '\0')
            bff_buf_append(&enc, "\xC0\x80", 2);
        else
            bff_buf_appendc(&enc, b.data[i]);
    }
    bff_buf_free(&b);
    b = enc;
    char *r = bff_arena_strndup(pr->arena, b.data ? b.data : "", b.len);
    bff_buf_free(&b);
    return r;
}

static void print_string_adapter(bff_buf_t *out, const char *s, size_t len, bool unused)
{
    bff_gql_print_string(out, s, len);
}

static const char *print_node(printer_t *pr, const bff_ast_node_t *n)
{
    if (n == NULL)
        return "";
    const char *name = n->name ? n->name : "";
    switch (n->kind) {
    case BFF_AST_NAME:
    case BFF_AST_NAMED_TYPE:
        return name;
    case BFF_AST_VARIABLE:
        return cat(pr, "$", name, "");
    case BFF_AST_DOCUMENT:
        return joinl(pr, &n->definitions, "\n\n");
    case BFF_AST_OPERATION_DEFINITION: {
        /* variable definitions one per line (not indented) when any spans lines, as graphql-js 16.15 */
        strs_t vars = print_list(pr, &n->variable_definitions);
        const char *var_defs = has_multiline_items(vars) ? wrap(pr, "(\n", join(pr, vars, "\n"), "\n)")
                                                         : wrap(pr, "(", join(pr, vars, ", "), ")");
        const char *parts[] = {bff_operation_name(n->operation), join2(pr, n->name, var_defs, ""),
                               joinl(pr, &n->directives, " ")};
        const char *prefix = cat(pr, description_prefix(pr, n), join(pr, (strs_t){parts, 3}, " "), "");
        const char *sel = print_node(pr, n->selection_set);
        return strcmp(prefix, "query") == 0 ? sel : cat(pr, prefix, " ", sel);
    }
    case BFF_AST_VARIABLE_DEFINITION: {
        const char *head = cat(pr, description_prefix(pr, n), print_node(pr, n->variable), ": ");
        head = cat(pr, head, print_node(pr, n->type), "");
        return cat(pr, head, wrap(pr, " = ", print_node(pr, n->default_value), ""),
                   wrap(pr, " ", joinl(pr, &n->directives, " "), ""));
    }
    case BFF_AST_SELECTION_SET:
        return block(pr, &n->selections);
    case BFF_AST_FIELD: {
        const char *prefix = cat(pr, wrap(pr, "", n->alias, ": "), name, "");
        strs_t args = print_list(pr, &n->arguments);
        const char *line = cat(pr, prefix, wrap(pr, "(", join(pr, args, ", "), ")"), "");
        if (js_length(line) > 80)
            line = cat(pr, prefix, wrap(pr, "(\n", indent(pr, join(pr, args, "\n")), "\n)"), "");
        const char *parts[] = {line, joinl(pr, &n->directives, " "), print_node(pr, n->selection_set)};
        return join(pr, (strs_t){parts, 3}, " ");
    }
    case BFF_AST_ARGUMENT:
    case BFF_AST_OBJECT_FIELD:
        return cat(pr, name, ": ", print_node(pr, n->value));
    case BFF_AST_FRAGMENT_SPREAD:
        return cat(pr, "...", name, wrap(pr, " ", joinl(pr, &n->directives, " "), ""));
    case BFF_AST_INLINE_FRAGMENT: {
        const char *parts[] = {"...", wrap(pr, "on ", print_node(pr, n->type_condition), ""),
                               joinl(pr, &n->directives, " "), print_node(pr, n->selection_set)};
        return join(pr, (strs_t){parts, 4}, " ");
    }
    case BFF_AST_FRAGMENT_DEFINITION: {
        const char *head = cat(pr, description_prefix(pr, n), "fragment ", name);
        head = cat(pr, head, " on ", "");
        head = cat(pr, head, print_node(pr, n->type_condition), " ");
        return cat(pr, head, wrap(pr, "", joinl(pr, &n->directives, " "), " "), print_node(pr, n->selection_set));
    }
    case BFF_AST_INT_VALUE:
    case BFF_AST_FLOAT_VALUE:
    case BFF_AST_ENUM_VALUE:
        return n->text;
    case BFF_AST_STRING_VALUE:
        return n->block ? buf_string(pr, bff_gql_print_block_string, n->text, n->text_len, false)
                        : buf_string(pr, print_string_adapter, n->text, n->text_len, false);
    case BFF_AST_BOOLEAN_VALUE:
        return n->boolean ? "true" : "false";
    case BFF_AST_NULL_VALUE:
        return "null";
    case BFF_AST_LIST_VALUE:
        return cat(pr, "[", joinl(pr, &n->values, ", "), "]");
    case BFF_AST_OBJECT_VALUE:
        return cat(pr, "{", joinl(pr, &n->fields, ", "), "}");
    case BFF_AST_DIRECTIVE:
        return cat(pr, "@", name, wrap(pr, "(", joinl(pr, &n->arguments, ", "), ")"));
    case BFF_AST_LIST_TYPE:
        return cat(pr, "[", print_node(pr, n->type), "]");
    case BFF_AST_NON_NULL_TYPE:
        return cat(pr, print_node(pr, n->type), "!", "");
    case BFF_AST_SCHEMA_DEFINITION:
    case BFF_AST_SCHEMA_EXTENSION: {
        const char *parts[] = {n->kind == BFF_AST_SCHEMA_DEFINITION ? "schema" : "extend schema",
                               joinl(pr, &n->directives, " "), block(pr, &n->operation_types)};
        return cat(pr, description_prefix(pr, n), join(pr, (strs_t){parts, 3}, " "), "");
    }
    case BFF_AST_OPERATION_TYPE_DEFINITION:
        return cat(pr, bff_operation_name(n->operation), ": ", print_node(pr, n->type));
    case BFF_AST_SCALAR_TYPE_DEFINITION:
    case BFF_AST_SCALAR_TYPE_EXTENSION: {
        const char *parts[] = {n->kind == BFF_AST_SCALAR_TYPE_DEFINITION ? "scalar" : "extend scalar", name,
                               joinl(pr, &n->directives, " ")};
        return cat(pr, description_prefix(pr, n), join(pr, (strs_t){parts, 3}, " "), "");
    }
    case BFF_AST_OBJECT_TYPE_DEFINITION:
    case BFF_AST_OBJECT_TYPE_EXTENSION:
    case BFF_AST_INTERFACE_TYPE_DEFINITION:
    case BFF_AST_INTERFACE_TYPE_EXTENSION: {
        static const char *const kw[] = {"type", "extend type", "interface", "extend interface"};
        int k = n->kind == BFF_AST_OBJECT_TYPE_DEFINITION      ? 0
                : n->kind == BFF_AST_OBJECT_TYPE_EXTENSION     ? 1
                : n->kind == BFF_AST_INTERFACE_TYPE_DEFINITION ? 2
                                                               : 3;
        const char *parts[] = {kw[k], name, wrap(pr, "implements ", joinl(pr, &n->interfaces, " & "), ""),
                               joinl(pr, &n->directives, " "), block(pr, &n->fields)};
        return cat(pr, description_prefix(pr, n), join(pr, (strs_t){parts, 5}, " "), "");
    }
    case BFF_AST_FIELD_DEFINITION: {
        const char *head = cat(pr, description_prefix(pr, n), name, arg_defs(pr, &n->arguments));
        return cat(pr, head, ": ",
                   cat(pr, print_node(pr, n->type), wrap(pr, " ", joinl(pr, &n->directives, " "), ""), ""));
    }
    case BFF_AST_INPUT_VALUE_DEFINITION: {
        const char *parts[] = {cat(pr, name, ": ", print_node(pr, n->type)),
                               wrap(pr, "= ", print_node(pr, n->default_value), ""), joinl(pr, &n->directives, " ")};
        return cat(pr, description_prefix(pr, n), join(pr, (strs_t){parts, 3}, " "), "");
    }
    case BFF_AST_UNION_TYPE_DEFINITION:
    case BFF_AST_UNION_TYPE_EXTENSION: {
        const char *parts[] = {n->kind == BFF_AST_UNION_TYPE_DEFINITION ? "union" : "extend union", name,
                               joinl(pr, &n->directives, " "), wrap(pr, "= ", joinl(pr, &n->types, " | "), "")};
        return cat(pr, description_prefix(pr, n), join(pr, (strs_t){parts, 4}, " "), "");
    }
    case BFF_AST_ENUM_TYPE_DEFINITION:
    case BFF_AST_ENUM_TYPE_EXTENSION: {
        const char *parts[] = {n->kind == BFF_AST_ENUM_TYPE_DEFINITION ? "enum" : "extend enum", name,
                               joinl(pr, &n->directives, " "), block(pr, &n->values)};
        return cat(pr, description_prefix(pr, n), join(pr, (strs_t){parts, 4}, " "), "");
    }
    case BFF_AST_ENUM_VALUE_DEFINITION: {
        const char *parts[] = {name, joinl(pr, &n->directives, " ")};
        return cat(pr, description_prefix(pr, n), join(pr, (strs_t){parts, 2}, " "), "");
    }
    case BFF_AST_INPUT_OBJECT_TYPE_DEFINITION:
    case BFF_AST_INPUT_OBJECT_TYPE_EXTENSION: {
        const char *parts[] = {n->kind == BFF_AST_INPUT_OBJECT_TYPE_DEFINITION ? "input" : "extend input", name,
                               joinl(pr, &n->directives, " "), block(pr, &n->fields)};
        return cat(pr, description_prefix(pr, n), join(pr, (strs_t){parts, 4}, " "), "");
    }
    case BFF_AST_DIRECTIVE_DEFINITION: {
        const char *head = cat(pr, description_prefix(pr, n), "directive @", name);
        head = cat(pr, head, arg_defs(pr, &n->arguments), n->repeatable ? " repeatable" : "");
        return cat(pr, head, " on ", joinl(pr, &n->locations, " | "));
    }
    case BFF_AST_KIND_COUNT:
        break;
    }
    return "";
}

/* Decodes the printer's C0 80 back into NUL bytes, in place; returns the new length. */
static size_t decode_nul(char *s)
{
    size_t w = 0;
    for (size_t r = 0; s[r] != '\0'; ++r) {
        if ((unsigned char)s[r] == 0xC0 && (unsigned char)s[r + 1] == 0x80) {
            s[w++] = '\0';
            ++r;
        } else {
            s[w++] = s[r];
        }
    }
    s[w] = '\0';
    return w;
}

char *bff_gql_print(bff_arena_t *arena, const bff_ast_node_t *node, size_t *len)
{
    printer_t pr = {arena};
    char *s = bff_arena_strdup(arena, print_node(&pr, node));
    size_t n = decode_nul(s);
    if (len != NULL)
        *len = n;
    return s;
}

static void print_into(bff_buf_t *out, const bff_ast_node_t *n)
{
    bff_arena_t *arena = bff_arena_new(0);
    size_t len;
    char *s = bff_gql_print(arena, n, &len);
    bff_buf_append(out, s, len);
    bff_arena_free(arena);
}

void bff_gql_print_value(bff_buf_t *out, const bff_ast_node_t *value)
{
    print_into(out, value);
}

void bff_gql_print_type(bff_buf_t *out, const bff_ast_node_t *type)
{
    print_into(out, type);
}

void bff_gql_print_string(bff_buf_t *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    bff_buf_appendc(out, '"');
    for (size_t i = 0; i < len; ++i) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        switch (c) {
        case '\b': esc = "\\b"; break;
        case '\t': esc = "\\t"; break;
        case '\n': esc = "\\n"; break;
        case '\f': esc = "\\f"; break;
        case '\r': esc = "\\r"; break;
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        default: break;
        }
        if (esc != NULL) {
            bff_buf_appends(out, esc);
            continue;
        }
        unsigned cp = c;
        size_t n = 1;
        /* U+0080..U+009F (C2 80..C2 9F) are escaped too */
        if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9F) {
            cp = (unsigned char)s[i + 1];
            n = 2;
        } else if (c >= 0x20 && c != 0x7F) {
            bff_buf_appendc(out, (char)c);
            continue;
        }
        char u[6] = {'\\', 'u', '0', '0', hex[cp >> 4], hex[cp & 15]};
        bff_buf_append(out, u, 6);
        i += n - 1;
    }
    bff_buf_appendc(out, '"');
}

static bool is_white_space(char c)
{
    return c == ' ' || c == '\t';
}

void bff_gql_print_block_string(bff_buf_t *out, const char *s, size_t len, bool minimize)
{
    /* escape """ as \""" */
    bff_buf_t esc = BFF_BUF_INIT;
    for (size_t i = 0; i < len; ++i) {
        if (i + 2 < len && s[i] == '"' && s[i + 1] == '"' && s[i + 2] == '"') {
            bff_buf_append(&esc, "\\\"\"\"", 4);
            i += 2;
        } else {
            bff_buf_appendc(&esc, s[i]);
        }
    }
    const char *e = esc.data ? esc.data : "";
    size_t elen = esc.len;
    /* lines split on \r\n, \n, \r: single line, and do all lines after the first start with white space or are empty? */
    bool single_line = true, force_leading = true;
    for (size_t i = 0; i < elen; ++i) {
        if (e[i] == '\n' || e[i] == '\r') {
            if (e[i] == '\r' && i + 1 < elen && e[i + 1] == '\n')
                ++i;
            single_line = false;
            char next = i + 1 < elen ? e[i + 1] : '\n';
            if (!(next == '\n' || next == '\r' || is_white_space(next)))
                force_leading = false;
        }
    }
    if (single_line)
        force_leading = false;
    bool trailing_triple = elen >= 4 && memcmp(e + elen - 4, "\\\"\"\"", 4) == 0;
    bool trailing_quote = len > 0 && s[len - 1] == '"' && !trailing_triple;
    bool trailing_slash = len > 0 && s[len - 1] == '\\';
    bool force_trailing = trailing_quote || trailing_slash;
    size_t js_len = 0;
    for (size_t i = 0; i < len; ++i) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80)
            js_len += c >= 0xF0 ? 2 : 1;
    }
    bool multiple = !minimize && (!single_line || js_len > 70 || force_trailing || force_leading || trailing_triple);
    bool skip_leading_newline = single_line && len > 0 && is_white_space(s[0]);
    bff_buf_appends(out, "\"\"\"");
    if ((multiple && !skip_leading_newline) || force_leading)
        bff_buf_appendc(out, '\n');
    bff_buf_append(out, e, elen);
    if (multiple || force_trailing)
        bff_buf_appendc(out, '\n');
    bff_buf_appends(out, "\"\"\"");
    bff_buf_free(&esc);
}
