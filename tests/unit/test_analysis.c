/*
 * test_analysis.c - the admission analysis (graphql/analysis.h) on the
 * commerce schema: linear work in the document's size however fragments fan
 * out (steps counted, not seconds), counts that follow every spread and
 * saturate, the cost equal to a naive walk's on documents small enough to
 * walk naively, every selected field found behind any fragment, refusal at a
 * bound; the lexer's string tokens sized by their own length; and the
 * executor's authorization hook (defence in depth) refusing a field whatever
 * admission concluded, without calling its resolver.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "graphql/analysis.h"
#include "graphql/parser.h"
#include "graphql/validate.h"
#include "tests/fixtures/exec/harness.h"

static bff_schema_t *commerce(void)
{
    static bff_schema_t *s;
    if (s == NULL) {
        const char *path = BFF_SOURCE_DIR "/schema/commerce.graphql";
        bff_arena_t *ea = bff_arena_new(0);
        bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
        s = bff_schema_build_files(&path, 1, NULL, ea, &errs);
        bff_arena_free(ea);
        assert_non_null(s);
    }
    return s;
}

typedef struct st_doc_t {
    bff_arena_t *arena;
    bff_ast_node_t *root;
    const bff_ast_node_t *op;
} doc_t;

static doc_t parse_valid(const char *text)
{
    doc_t d = {bff_arena_new(0), NULL, NULL};
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    bff_parse_options_t popts = {1000000, 1000};
    d.root = bff_gql_parse(d.arena, text, strlen(text), &popts, &errs);
    assert_non_null(d.root);
    assert_int_equal(bff_gql_validate(commerce(), d.root, NULL, d.arena, &errs), 0);
    if (errs.count != 0)
        fail_msg("invalid: %s", errs.head->message);
    for (uint32_t i = 0; i < d.root->definitions.len && d.op == NULL; ++i)
        if (d.root->definitions.items[i]->kind == BFF_AST_OPERATION_DEFINITION)
            d.op = d.root->definitions.items[i];
    return d;
}

/* A fan-out `levels` deep on `type`: level i spreads level i+1 twice; the last holds `leaf`. */
static char *fan_out(const char *head, const char *type, int levels, const char *leaf)
{
    bff_buf_t b = BFF_BUF_INIT;
    bff_buf_appends(&b, head);
    for (int i = 0; i < levels; ++i)
        bff_buf_printf(&b, "\nfragment F%d on %s { ...F%d ...F%d }", i, type, i + 1, i + 1);
    bff_buf_printf(&b, "\nfragment F%d on %s { %s }", levels, type, leaf);
    char *s = strdup(b.data);
    bff_buf_free(&b);
    return s;
}

static bff_analysis_t analyse(const doc_t *d, json_t *vars, bff_arena_t *arena)
{
    bff_analysis_t a;
    bff_analyse_operation(commerce(), d->root, d->op, vars, NULL, arena, &a);
    return a;
}

static bool has_field(const bff_analysis_t *a, const char *type, const char *field)
{
    for (size_t i = 0; i < a->nfields; ++i)
        if (strcmp(a->fields[i].type->name, type) == 0 && strcmp(a->fields[i].def->name, field) == 0)
            return true;
    return false;
}

static void test_fan_out_is_linear_and_complete(void **state)
{
    uint64_t steps[4];
    int levels[4] = {8, 16, 32, 64};
    for (int k = 0; k < 4; ++k) {
        char *text = fan_out("query Q { ...F0 }", "Query", levels[k], "a: cart(id: \"c\") { buyerIdentity { email } }");
        doc_t d = parse_valid(text);
        bff_arena_t *arena = bff_arena_new(0);
        bff_analysis_t a = analyse(&d, NULL, arena);
        assert_int_equal(a.status, BFF_ANALYSIS_OK);
        assert_true(has_field(&a, "Query", "cart"));
        assert_true(has_field(&a, "BuyerIdentity", "email"));
        /* 2^levels spreads of one aliased root field: counted, saturating */
        uint64_t expect = levels[k] >= 32 ? UINT32_MAX : (uint64_t)1 << levels[k];
        assert_int_equal(a.shape.aliases, expect);
        assert_int_equal(a.shape.root_fields, expect);
        assert_int_equal(a.shape.depth, 3);
        steps[k] = a.steps;
        bff_arena_free(arena);
        bff_arena_free(d.arena);
        free(text);
    }
    /* doubling the levels (the document's size) at most doubles the work, plus a constant */
    for (int k = 1; k < 4; ++k)
        assert_true(steps[k] <= 2 * steps[k - 1] + 16);
    assert_true(steps[3] < 2000);
}

/* The same cost as following every spread, for documents small enough to follow them all. */
static void test_cost_equals_naive_expansion(void **state)
{
    const char *leaf = "products(first: 3) { edges { node { id variants(first: 2) { sku price { amount } } } } }";
    for (int levels = 0; levels <= 6; ++levels) {
        char *text = fan_out("query Q { ...F0 }", "Query", levels, leaf);
        doc_t d = parse_valid(text);
        bff_arena_t *arena = bff_arena_new(0);
        int64_t memo = analyse(&d, NULL, arena).cost;
        /* the expansion written out: 2^levels copies of the leaf, under aliases */
        bff_buf_t b = BFF_BUF_INIT;
        bff_buf_appends(&b, "query Q {");
        for (int i = 0; i < (1 << levels); ++i)
            bff_buf_printf(&b, " a%d: %s", i, leaf);
        bff_buf_appends(&b, " }");
        doc_t flat = parse_valid(b.data);
        int64_t naive = analyse(&flat, NULL, arena).cost;
        assert_int_equal(memo, naive);
        assert_true(memo > 0);
        bff_buf_free(&b);
        bff_arena_free(arena);
        bff_arena_free(flat.arena);
        bff_arena_free(d.arena);
        free(text);
    }
}

/* Connections inside fragments spread inside a connection's selection: the size multiplies the sized field there too. */
static void test_cost_sized_fields_through_fragments(void **state)
{
    doc_t a = parse_valid("query { products(first: 7) { edges { node { id } } } }");
    doc_t b = parse_valid("query { products(first: 7) { ...E } } fragment E on ProductConnection { ...E2 } "
                          "fragment E2 on ProductConnection { edges { node { id } } }");
    bff_arena_t *arena = bff_arena_new(0);
    assert_int_equal(analyse(&a, NULL, arena).cost, analyse(&b, NULL, arena).cost);
    bff_arena_free(arena);
    bff_arena_free(a.arena);
    bff_arena_free(b.arena);
}

static void test_cost_reads_coerced_variables(void **state)
{
    doc_t d = parse_valid("query($n: Int) { products(first: $n) { edges { node { id } } } }");
    bff_arena_t *arena = bff_arena_new(0);
    json_t *as_int = json_pack("{s:i}", "n", 250), *as_real = json_pack("{s:f}", "n", 250.0);
    int64_t i = analyse(&d, as_int, arena).cost, r = analyse(&d, as_real, arena).cost;
    assert_int_equal(i, r);
    assert_true(i > 250);
    json_decref(as_int);
    json_decref(as_real);
    bff_arena_free(arena);
    bff_arena_free(d.arena);
}

static void test_refuses_past_the_step_bound(void **state)
{
    char *text = fan_out("query Q { ...F0 }", "Query", 64, "shop { name }");
    doc_t d = parse_valid(text);
    bff_arena_t *arena = bff_arena_new(0);
    bff_analysis_options_t o = {.max_steps = 50};
    bff_analysis_t a;
    assert_int_equal(bff_analyse_operation(commerce(), d.root, d.op, NULL, &o, arena, &a), BFF_ANALYSIS_TOO_COMPLEX);
    bff_analysis_options_t deep = {.max_fragment_depth = 10};
    assert_int_equal(bff_analyse_operation(commerce(), d.root, d.op, NULL, &deep, arena, &a), BFF_ANALYSIS_TOO_DEEP);
    bff_arena_free(arena);
    bff_arena_free(d.arena);
    free(text);
}

static void test_deprecations_distinct(void **state)
{
    char *text = fan_out("query Q { ...F0 }", "Query", 20, "shop { currency } product(id: \"p1\") { brand }");
    doc_t d = parse_valid(text);
    bff_arena_t *arena = bff_arena_new(0);
    bff_analysis_t a = analyse(&d, NULL, arena);
    assert_int_equal(a.ndeprecations, 2);
    assert_string_equal(a.deprecations[0].coordinate, "Shop.currency");
    assert_string_equal(a.deprecations[1].coordinate, "Product.brand");
    bff_arena_free(arena);
    bff_arena_free(d.arena);
    free(text);
}

/* A document of many short strings: each string's value takes its own length, not the rest of the document. */
static void test_lexer_strings_sized_by_themselves(void **state)
{
    bff_buf_t b = BFF_BUF_INIT;
    bff_buf_appends(&b, "{ nodes(ids: [");
    for (int i = 0; i < 15000; ++i)
        bff_buf_appends(&b, i ? ",\"a\"" : "\"a\"");
    bff_buf_appends(&b, "]) { id } }");
    bff_arena_t *arena = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    bff_parse_options_t popts = {100000, 100};
    assert_non_null(bff_gql_parse(arena, b.data, b.len, &popts, &errs));
    /* before: ~15,000 x 30 KB on average; now the AST is a small multiple of the text */
    assert_true(bff_arena_used(arena) < 200 * b.len);
    bff_arena_free(arena);
    bff_buf_free(&b);
}

/* ---- the executor's authorization (defence in depth) ---- */

static bool deny_secret(const bff_type_t *type, const bff_field_t *field, void *arg, const char **message)
{
    int *asked = arg;
    ++*asked;
    if (field != NULL && strcmp(field->name, "hello") == 0) {
        *message = "no hello for you";
        return false;
    }
    return true;
}

static void test_executor_refuses_unauthorized_field(void **state)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = H_SYNC};
    harness_bind(s, &h, 1);
    bff_arena_t *arena = bff_arena_new(0);
    bff_gql_errors_t perrs = BFF_GQL_ERRORS_INIT;
    const char *q = "{ hello number }";
    bff_ast_node_t *doc = bff_gql_parse(arena, q, strlen(q), NULL, &perrs);
    json_t *root = json_pack("{s:s, s:i}", "hello", "world", "number", 7);
    int asked = 0;
    bff_exec_request_t req = {0};
    req.schema = s;
    req.document = doc;
    req.root_value = bff_value_json(arena, root);
    req.arena = arena;
    req.on_done = harness_on_done;
    req.cb_arg = &h;
    req.authorize = deny_secret;
    req.authorize_arg = &asked;
    bff_exec_t *x = bff_exec_start(&req);
    harness_drain(&h);
    bff_buf_t out = BFF_BUF_INIT;
    bff_exec_write_response(x, &out, NULL);
    assert_non_null(strstr(out.data, "\"hello\":null"));
    assert_non_null(strstr(out.data, "\"number\":7"));
    assert_non_null(strstr(out.data, "\"code\":\"FORBIDDEN\""));
    assert_non_null(strstr(out.data, "no hello for you"));
    assert_int_equal(asked, 2);
    assert_int_equal(h.started, 1); /* number's resolver ran; hello's never did */
    bff_buf_free(&out);
    bff_arena_free(arena);
    bff_schema_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fan_out_is_linear_and_complete),
        cmocka_unit_test(test_cost_equals_naive_expansion),
        cmocka_unit_test(test_cost_sized_fields_through_fragments),
        cmocka_unit_test(test_cost_reads_coerced_variables),
        cmocka_unit_test(test_refuses_past_the_step_bound),
        cmocka_unit_test(test_deprecations_distinct),
        cmocka_unit_test(test_lexer_strings_sized_by_themselves),
        cmocka_unit_test(test_executor_refuses_unauthorized_field),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    bff_schema_free(commerce());
    return rc;
}
