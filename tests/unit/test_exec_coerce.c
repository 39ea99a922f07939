/*
 * test_exec_coerce.c - the public input coercion API: bff_gql_value_from_ast
 * (literals and variables for a type, graphql-js valueFromAST) and
 * bff_gql_coerce_variables (JSON variables, graphql-js messages), used by
 * the executor and by cost analysis before execution.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/fixtures/exec/harness.h"

static bff_schema_t *schema;

static int setup(void **state)
{
    schema = harness_schema();
    return 0;
}

static int teardown(void **state)
{
    bff_schema_free(schema);
    return 0;
}

/* The value node of argument `arg` in "{ args(<args>) }", typed as Query.args's argument. */
static char *from_ast(const char *args, const char *arg, const char *vars_json)
{
    bff_arena_t *a = bff_arena_new(0);
    char q[512];
    snprintf(q, sizeof(q), "{ args(%s) }", args);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    bff_ast_node_t *doc = bff_gql_parse(a, q, strlen(q), NULL, &errs);
    assert_non_null(doc);
    const bff_ast_node_t *field = doc->definitions.items[0]->selection_set->selections.items[0];
    const bff_ast_node_t *value = NULL;
    for (uint32_t i = 0; i < field->arguments.len; ++i)
        if (strcmp(field->arguments.items[i]->name, arg) == 0)
            value = field->arguments.items[i]->value;
    assert_non_null(value);
    const bff_field_t *f = bff_schema_field(schema, schema->query_type, "args");
    const bff_input_value_t *def = bff_field_arg(f, arg);
    assert_non_null(def);
    json_t *vars = vars_json ? json_loads(vars_json, 0, NULL) : NULL;
    json_t *v = bff_gql_value_from_ast(schema, value, def->type, vars);
    char *out = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : strdup("undefined");
    json_decref(v);
    json_decref(vars);
    bff_arena_free(a);
    return out;
}

static void expect_from_ast(const char *args, const char *arg, const char *vars, const char *expected)
{
    char *got = from_ast(args, arg, vars);
    if (strcmp(got, expected) != 0)
        fail_msg("%s [%s]: expected %s, got %s", args, arg, expected, got);
    free(got);
}

static void test_value_from_ast(void **state)
{
    expect_from_ast("int: 5", "int", NULL, "5");
    expect_from_ast("int: 2147483648", "int", NULL, "undefined");
    expect_from_ast("int: 1.5", "int", NULL, "undefined");
    expect_from_ast("int: \"5\"", "int", NULL, "undefined");
    expect_from_ast("float: 5", "float", NULL, "5.0");
    expect_from_ast("id: 5", "id", NULL, "\"5\"");
    expect_from_ast("id: 5.5", "id", NULL, "undefined");
    expect_from_ast("bool: true", "bool", NULL, "true");
    expect_from_ast("color: RED", "color", NULL, "\"RED\"");
    expect_from_ast("color: PINK", "color", NULL, "undefined");
    expect_from_ast("color: \"RED\"", "color", NULL, "undefined");
    expect_from_ast("text: null", "text", NULL, "null");
    expect_from_ast("required: null", "required", NULL, "undefined");
    /* a single value where a list is expected; missing variables in lists become null */
    expect_from_ast("list: 3", "list", NULL, "[3]");
    expect_from_ast("list: [1, $a, $b]", "list", "{\"a\":2}", "[1,2,null]");
    expect_from_ast("strings: [\"a\", $b]", "strings", "{}", "undefined");
    expect_from_ast("strings: [\"a\", $b]", "strings", "{\"b\":\"x\"}", "[\"a\",\"x\"]");
    /* input objects: defaults, missing required, variables */
    expect_from_ast("filter: {limit: 1}", "filter", NULL, "{\"inStock\":true,\"limit\":1}");
    expect_from_ast("filter: {query: \"q\"}", "filter", NULL, "undefined");
    expect_from_ast("filter: {limit: $l, price: {min: 1}, tags: \"t\"}", "filter", "{\"l\":9}",
                    "{\"price\":{\"min\":1,\"currency\":\"EUR\"},\"inStock\":true,\"tags\":[\"t\"],\"limit\":9}");
    expect_from_ast("filter: {limit: 1, inStock: $missing}", "filter", "{}", "{\"inStock\":true,\"limit\":1}");
    expect_from_ast("filter: 5", "filter", NULL, "undefined");
    /* variables: absent is undefined, null for a non-null type is undefined */
    expect_from_ast("int: $v", "int", "{}", "undefined");
    expect_from_ast("int: $v", "int", "{\"v\":null}", "null");
    expect_from_ast("required: $v", "required", "{\"v\":null}", "undefined");
    /* custom scalars without hooks: the literal as JSON, variables substituted */
    expect_from_ast("json: {a: [1, 2.5, \"s\", RED, null], b: $v}", "json", "{\"v\":{\"x\":true}}",
                    "{\"a\":[1,2.5,\"s\",\"RED\",null],\"b\":{\"x\":true}}");
}

static char *coerce(const char *query, const char *vars_json, int *rc)
{
    bff_arena_t *a = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    bff_ast_node_t *doc = bff_gql_parse(a, query, strlen(query), NULL, &errs);
    assert_non_null(doc);
    json_t *vars = vars_json ? json_loads(vars_json, 0, NULL) : NULL;
    json_t *out = NULL;
    *rc = bff_gql_coerce_variables(schema, doc->definitions.items[0], vars, a, &errs, &out);
    bff_buf_t b = BFF_BUF_INIT;
    if (*rc == 0) {
        char *s = json_dumps(out, JSON_COMPACT);
        bff_buf_appends(&b, s);
        free(s);
    } else {
        assert_null(out);
        bff_gql_errors_write_json(&b, &errs);
    }
    char *r = strdup(b.data);
    bff_buf_free(&b);
    json_decref(out);
    json_decref(vars);
    bff_arena_free(a);
    return r;
}

static void test_coerce_variables(void **state)
{
    int rc;
    char *s = coerce("query Q($a: Int = 3, $b: [Color!], $c: String, $d: ProductFilter) { hello }",
                     "{\"b\":\"RED\",\"c\":null,\"d\":{\"limit\":2}}", &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(s, "{\"a\":3,\"b\":[\"RED\"],\"c\":null,\"d\":{\"inStock\":true,\"limit\":2}}");
    free(s);

    s = coerce("query Q($a: Int!, $b: Int!) { hello }", "{\"b\":null}", &rc);
    assert_int_equal(rc, -1);
    assert_string_equal(s, "[{\"message\":\"Variable \\\"$a\\\" of required type \\\"Int!\\\" was not provided.\",\"locations\":[{\"line\":1,\"column\":9}]},"
                           "{\"message\":\"Variable \\\"$b\\\" of non-null type \\\"Int!\\\" must not be null.\",\"locations\":[{\"line\":1,\"column\":19}]}]");
    free(s);

    s = coerce("query Q($l: [[Int!]]) { hello }", "{\"l\":[[1,\"x\"],null,3]}", &rc);
    assert_int_equal(rc, -1);
    assert_string_equal(s, "[{\"message\":\"Variable \\\"$l\\\" got invalid value \\\"x\\\" at \\\"l[0][1]\\\"; Int cannot represent non-integer value: \\\"x\\\"\",\"locations\":[{\"line\":1,\"column\":9}]}]");
    free(s);

    /* not an object: treated as no variables */
    s = coerce("query Q($a: Int = 1) { hello }", "[1]", &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(s, "{\"a\":1}");
    free(s);

    /* at most 50 errors, then graphql-js's abort message */
    bff_buf_t q = BFF_BUF_INIT;
    bff_buf_appends(&q, "query Q(");
    for (int i = 0; i < 60; ++i)
        bff_buf_printf(&q, "$v%d: Int! ", i);
    bff_buf_appends(&q, ") { hello }");
    s = coerce(q.data, "{}", &rc);
    assert_int_equal(rc, -1);
    json_t *errs = json_loads(s, 0, NULL);
    assert_int_equal(json_array_size(errs), 51);
    assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 50), "message")),
                        "Too many errors processing variables, error limit reached. Execution aborted.");
    json_decref(errs);
    free(s);
    bff_buf_free(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_from_ast),
        cmocka_unit_test(test_coerce_variables),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
