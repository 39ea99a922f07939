/*
 * test_parser_limits.c - what the parser promises beyond graphql-js's grammar
 * (which the differential test in tests/conformance/parser covers): node
 * locations, the token and depth limits against hostile documents, the token
 * counter and the generic child walk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graphql/parser.h"

static bff_ast_node_t *parse(bff_arena_t *a, const char *src, size_t max_tokens, size_t max_depth,
                             bff_gql_errors_t *errs)
{
    bff_parse_options_t o = {max_tokens, max_depth};
    return bff_gql_parse(a, src, strlen(src), &o, errs);
}

static void test_locations_in_utf16_columns(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    /* the emoji is 4 bytes, 2 UTF-16 units; "é" 2 bytes, 1 unit */
    const char *src = "# \xF0\x9F\x98\x80\n{ \xC3\xA9: a(x: \"\xF0\x9F\x98\x80\") b }";
    bff_ast_node_t *d = bff_gql_parse(a, src, strlen(src), NULL, &errs);
    assert_null(d);
    assert_int_equal(errs.count, 1);
    assert_string_equal(errs.head->message, "Syntax Error: Unexpected character: U+00E9.");
    assert_int_equal(errs.head->locations[0].line, 2);
    assert_int_equal(errs.head->locations[0].column, 3);

    const char *src2 = "{ a(x: \"\xF0\x9F\x98\x80\") b }";
    d = bff_gql_parse(a, src2, strlen(src2), NULL, &errs);
    assert_non_null(d);
    bff_ast_node_t *op = d->definitions.items[0];
    bff_ast_node_t *b = op->selection_set->selections.items[1];
    assert_string_equal(b->name, "b");
    assert_int_equal(b->loc.line, 1);
    assert_int_equal(b->loc.column, 14); /* 15 bytes in: 13 UTF-16 units before it */
    assert_int_equal(b->loc.offset, 15);
    assert_int_equal(b->loc.end, 16);
    bff_ast_node_t *arg = op->selection_set->selections.items[0]->arguments.items[0];
    assert_int_equal(arg->value->kind, BFF_AST_STRING_VALUE);
    assert_int_equal(arg->value->text_len, 4);
    assert_int_equal(op->loc.offset, 0);
    assert_int_equal(op->loc.end, strlen(src2));
    bff_arena_free(a);
}

static void test_token_limit(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    assert_non_null(parse(a, "{ a b c }", 5, 0, &errs)); /* 5 tokens: { a b c } */
    assert_null(parse(a, "{ a b c d }", 5, 0, &errs));
    assert_string_equal(errs.head->message, "Syntax Error: Document contains more than 5 tokens. Parsing aborted.");
    assert_int_equal(errs.head->locations[0].column, 11);
    assert_int_equal(bff_gql_count_tokens("{ a b c d }", 11), 6);
    assert_int_equal(bff_gql_count_tokens("# nothing", 9), 0);
    /* counting stops at a lexical error instead of failing */
    assert_int_equal(bff_gql_count_tokens("{ a ?", 5), 2);
    bff_arena_free(a);
}

static char *repeat(const char *open, size_t n, const char *middle, const char *close)
{
    size_t lo = strlen(open), lm = strlen(middle), lc = strlen(close);
    char *s = malloc(n * (lo + lc) + lm + 1), *p = s;
    for (size_t i = 0; i < n; ++i, p += lo)
        memcpy(p, open, lo);
    memcpy(p, middle, lm);
    p += lm;
    for (size_t i = 0; i < n; ++i, p += lc)
        memcpy(p, close, lc);
    *p = '\0';
    return s;
}

/* Nesting far past the limit is a syntax error, not a stack overflow; just under it parses. */
static void test_depth_limit(void **state)
{
    static const struct {
        const char *open, *middle, *close;
    } shapes[] = {
        {"{ a ", "b", " }"},       /* selection sets */
        {"{ a(x: 1) { b ", "c", " } }"},
        {"[", "1", "]"},
        {"{f: ", "1", "}"},
    };
    for (size_t s = 0; s < 2; ++s) {
        bff_arena_t *a = bff_arena_new(0);
        bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
        char *deep = repeat(shapes[s].open, 1000000, shapes[s].middle, shapes[s].close);
        assert_null(parse(a, deep, 0, 0, &errs));
        assert_non_null(strstr(errs.head->message, "nesting exceeds 256 levels"));
        free(deep);
        bff_arena_free(a);
    }
    for (size_t s = 2; s < 4; ++s) {
        bff_arena_t *a = bff_arena_new(0);
        bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
        char *inner = repeat(shapes[s].open, 1000000, shapes[s].middle, shapes[s].close);
        char *doc = malloc(strlen(inner) + 16);
        sprintf(doc, "{ a(x: %s) }", inner);
        assert_null(parse(a, doc, 0, 0, &errs));
        assert_non_null(strstr(errs.head->message, "nesting exceeds 256 levels"));
        free(doc);
        free(inner);
        bff_arena_free(a);
    }
    bff_arena_t *a = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    char *ok = repeat("{ a ", 100, "b", " }");
    assert_non_null(parse(a, ok, 0, 100, &errs));
    assert_null(parse(a, ok, 0, 99, &errs));
    free(ok);
    char *types = repeat("[", 300, "Int", "]");
    char *doc = malloc(strlen(types) + 32);
    sprintf(doc, "query Q($v: %s) { a }", types);
    assert_null(parse(a, doc, 0, 0, &errs));
    free(doc);
    free(types);
    bff_arena_free(a);
}

/* A long flat document is fine: limits are on depth and tokens, not size. */
static void test_wide_document(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    size_t n = 200000;
    char *s = malloc(n * 3 + 8), *p = s;
    *p++ = '{';
    for (size_t i = 0; i < n; ++i) {
        memcpy(p, " a ", 3);
        p += 3;
    }
    *p++ = '}';
    *p = '\0';
    bff_ast_node_t *d = parse(a, s, 0, 0, &errs);
    assert_non_null(d);
    assert_int_equal(d->definitions.items[0]->selection_set->selections.len, n);
    assert_null(parse(a, s, 1000, 0, &errs));
    free(s);
    bff_arena_free(a);
}

static int count_child(const bff_ast_node_t *child, void *arg)
{
    bff_buf_t *b = arg;
    bff_buf_appends(b, bff_ast_kind_name(child->kind));
    bff_buf_appendc(b, ' ');
    return 0;
}

static void test_children_in_source_order(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    bff_ast_node_t *d = parse(a, "query Q($v: Int = 1 @d) @op { f(x: $v) @skip(if: true) { g } }", 0, 0, &errs);
    assert_non_null(d);
    bff_buf_t b = BFF_BUF_INIT;
    bff_ast_children(d->definitions.items[0], count_child, &b);
    bff_buf_appendc(&b, '\0');
    assert_string_equal(b.data, "VariableDefinition Directive SelectionSet ");
    bff_buf_reset(&b);
    bff_ast_children(d->definitions.items[0]->variable_definitions.items[0], count_child, &b);
    bff_ast_children(d->definitions.items[0]->selection_set->selections.items[0], count_child, &b);
    bff_buf_appendc(&b, '\0');
    assert_string_equal(b.data, "Variable NamedType IntValue Directive Argument Directive SelectionSet ");
    bff_buf_free(&b);
    assert_true(bff_ast_is_type_system(BFF_AST_OBJECT_TYPE_EXTENSION));
    assert_false(bff_ast_is_type_system(BFF_AST_FIELD_DEFINITION));
    assert_true(bff_ast_is_executable_definition(BFF_AST_FRAGMENT_DEFINITION));
    bff_arena_free(a);
}

static void test_print_value(void **state)
{
    bff_arena_t *a = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    bff_ast_node_t *d = parse(a, "{ f(x: {a: [1, \"two\\n\", THREE, null], b: $v}) }", 0, 0, &errs);
    bff_buf_t b = BFF_BUF_INIT;
    bff_gql_print_value(&b, d->definitions.items[0]->selection_set->selections.items[0]->arguments.items[0]->value);
    bff_buf_appendc(&b, '\0');
    assert_string_equal(b.data, "{a: [1, \"two\\n\", THREE, null], b: $v}");
    bff_buf_free(&b);
    bff_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_locations_in_utf16_columns), cmocka_unit_test(test_token_limit),
        cmocka_unit_test(test_depth_limit),                cmocka_unit_test(test_wide_document),
        cmocka_unit_test(test_children_in_source_order),   cmocka_unit_test(test_print_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
