/*
 * test_exec_async.c - the executor's scheduling and robustness: sibling
 * fields and list items start before any completes, mutation root fields
 * run one after another, on_done fires once and only when nothing is
 * pending (also inside bff_exec_start, also when it frees the arena),
 * cancellation runs hooks and still waits for every handle, 100,000 list
 * items complete without deep recursion, resolver errors carry path,
 * locations and extensions, non-null errors arriving asynchronously null
 * the right parent and later completions under it are dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/fixtures/exec/harness.h"

typedef struct st_run_t {
    bff_arena_t *arena;
    bff_exec_t *x;
} run_t;

static run_t start(const bff_schema_t *s, harness_t *h, const char *query, const char *vars_json, json_t *root)
{
    run_t r;
    r.arena = bff_arena_new(0);
    bff_gql_errors_t perrs = BFF_GQL_ERRORS_INIT;
    bff_ast_node_t *doc = bff_gql_parse(r.arena, query, strlen(query), NULL, &perrs);
    assert_non_null(doc);
    json_t *vars = NULL;
    if (vars_json != NULL) {
        vars = json_loads(vars_json, 0, NULL);
        assert_non_null(vars);
        bff_arena_on_dispose(r.arena, (void (*)(void *))json_decref, vars);
    }
    bff_exec_request_t req = {0};
    req.schema = s;
    req.document = doc;
    req.variables = vars;
    req.root_value = root ? bff_value_json(r.arena, root) : bff_value_null();
    req.arena = r.arena;
    req.on_done = harness_on_done;
    req.cb_arg = h;
    h->done_calls = 0;
    r.x = bff_exec_start(&req);
    return r;
}

static char *finish(run_t *r, harness_t *h)
{
    harness_drain(h);
    assert_int_equal(h->done_calls, 1);
    assert_int_equal(h->pending_at_done, 0);
    bff_buf_t out = BFF_BUF_INIT;
    bff_exec_write_response(r->x, &out, NULL);
    char *text = strdup(out.data);
    bff_buf_free(&out);
    bff_arena_free(r->arena);
    return text;
}

static json_t *root_json(void)
{
    json_error_t jerr;
    json_t *root = json_load_file(BFF_SOURCE_DIR "/tests/fixtures/exec/root.json", 0, &jerr);
    assert_non_null(root);
    return root;
}

/* ---- concurrency ---- */

static void test_siblings_started_before_any_completes(void **state)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = H_LIFO};
    harness_bind(s, &h, 1);
    run_t r = start(s, &h, "{ hello number flag greeting }", NULL, root_json());
    assert_int_equal(h.started, 4);
    assert_int_equal(h.completed, 0);
    assert_int_equal(h.njobs, 4);
    assert_false(bff_exec_done(r.x));
    char *out = finish(&r, &h); /* LIFO: completes greeting first, hello last */
    assert_string_equal(out, "{\"data\":{\"hello\":\"world\",\"number\":42,\"flag\":true,\"greeting\":\"hi\"}}");
    free(out);
    free(h.jobs);
    bff_schema_free(s);
}

static void test_nested_level_concurrent(void **state)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = H_FIFO};
    harness_bind(s, &h, 1);
    run_t r = start(s, &h, "{ product(id: \"1\") { id brand { name } reviews { id } price { amount } } hello }", NULL,
                    root_json());
    assert_int_equal(h.njobs, 2); /* product, hello */
    harness_step(&h);             /* product arrives: its four fields start together */
    assert_int_equal(h.njobs, 5);
    assert_int_equal(h.completed, 1);
    char *out = finish(&r, &h);
    assert_non_null(strstr(out, "\"product\":{\"id\":\"p1\",\"brand\":{\"name\":\"Brand 1\"},\"reviews\":[{\"id\":\"r1_0\"},{\"id\":\"r1_1\"}],\"price\":{\"amount\":1010}},\"hello\":\"world\""));
    free(out);
    free(h.jobs);
    bff_schema_free(s);
}

static void test_list_items_concurrent(void **state)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = H_SHUFFLE, .rng = 99};
    harness_bind(s, &h, 1);
    run_t r = start(s, &h, "{ products { name count } }", NULL, root_json());
    assert_int_equal(h.njobs, 1);
    harness_step(&h);
    assert_int_equal(h.njobs, 10); /* 5 items x 2 fields, all started */
    char *out = finish(&r, &h);
    assert_string_equal(out, "{\"data\":{\"products\":[{\"name\":\"Product \\\"1\\\" <b>\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80</b>\\n\\ttab\",\"count\":1},"
                             "{\"name\":\"Product 2\",\"count\":2},{\"name\":\"Product 3\",\"count\":3},"
                             "{\"name\":\"Product 4\",\"count\":4},{\"name\":\"Product 5\",\"count\":5}]}}");
    free(out);
    free(h.jobs);
    bff_schema_free(s);
}

static void test_mutation_root_fields_serial(void **state)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = H_SHUFFLE, .rng = 7};
    harness_bind(s, &h, 1);
    run_t r = start(s, &h,
                    "mutation { a: addToCart(productId: \"1\") { id lines { quantity } } b: clearCart { id } "
                    "c: addToCart(productId: \"2\", quantity: 2) { lines { productId quantity } } }",
                    NULL, NULL);
    assert_int_equal(h.njobs, 1);
    assert_string_equal(h.log, "a;");
    char *out = finish(&r, &h);
    assert_string_equal(h.log, "a;b;c;");
    assert_int_equal(h.mutation_overlap, 0);
    assert_string_equal(out, "{\"data\":{\"a\":{\"id\":\"cart1\",\"lines\":[{\"quantity\":1}]},\"b\":{\"id\":\"cart1\"},"
                             "\"c\":{\"lines\":[{\"productId\":\"2\",\"quantity\":2}]}}}");
    free(out);
    free(h.jobs);
    bff_schema_free(s);
}

/* ---- on_done ---- */

typedef struct {
    bff_arena_t *arena;
    bff_buf_t out;
    int calls;
} free_in_done_t;

static void done_and_free(bff_exec_t *x, void *arg)
{
    free_in_done_t *f = arg;
    ++f->calls;
    bff_exec_write_response(x, &f->out, "{\"cost\":1}");
    bff_arena_free(f->arena); /* the executor must not touch anything after on_done */
}

static void run_free_in_done(harness_mode_t mode)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = mode};
    harness_bind(s, &h, 1);
    free_in_done_t f = {.arena = bff_arena_new(0)};
    bff_buf_init(&f.out);
    const char *q = "{ hello product(id: \"1\") { id variants { sku } } }";
    bff_gql_errors_t perrs = BFF_GQL_ERRORS_INIT;
    bff_exec_request_t req = {0};
    req.schema = s;
    req.document = bff_gql_parse(f.arena, q, strlen(q), NULL, &perrs);
    req.root_value = bff_value_json(f.arena, root_json());
    req.arena = f.arena;
    req.on_done = done_and_free;
    req.cb_arg = &f;
    bff_exec_start(&req);
    if (mode == H_SYNC)
        assert_int_equal(f.calls, 1); /* finished inside bff_exec_start */
    harness_drain(&h);
    assert_int_equal(f.calls, 1);
    assert_string_equal(f.out.data, "{\"data\":{\"hello\":\"world\",\"product\":{\"id\":\"p1\",\"variants\":[{\"sku\":\"SKU-1-0\"},"
                                    "{\"sku\":\"SKU-1-1\"},{\"sku\":\"SKU-1-2\"}]}},\"extensions\":{\"cost\":1}}");
    bff_buf_free(&f.out);
    free(h.jobs);
    bff_schema_free(s);
}

static void test_free_arena_in_on_done_sync(void **state)
{
    run_free_in_done(H_SYNC);
}

static void test_free_arena_in_on_done_async(void **state)
{
    run_free_in_done(H_SHUFFLE);
}

/* ---- cancellation ---- */

typedef struct {
    harness_t *h;
    int hooks_run;
    bff_resolve_t *held; /* completed by the test, not by a hook */
} cancel_ctx_t;

static cancel_ctx_t cancel_ctx;

static void cancel_hook(void *arg)
{
    bff_resolve_t *r = arg;
    ++cancel_ctx.hooks_run;
    /* a real resolver would abort its upstream call; here the queued job is failed at once */
    for (size_t i = 0; i < cancel_ctx.h->njobs; ++i) {
        if (cancel_ctx.h->jobs[i].r == r) {
            memmove(&cancel_ctx.h->jobs[i], &cancel_ctx.h->jobs[i + 1],
                    (cancel_ctx.h->njobs - i - 1) * sizeof(harness_job_t));
            --cancel_ctx.h->njobs;
            break;
        }
    }
    bff_resolve_error(r, "CANCELLED", "upstream call aborted");
}

static void cancellable_resolver(bff_resolve_t *r, void *ctx)
{
    harness_t *h = ctx;
    bff_resolve_on_cancel(r, cancel_hook, r);
    harness_push(h, r, bff_value_string("late", 4), NULL, NULL);
}

static void held_resolver(bff_resolve_t *r, void *ctx)
{
    cancel_ctx.held = r; /* no cancel hook: completes whenever the test says */
}

static void test_cancel(void **state)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = H_FIFO};
    cancel_ctx.h = &h;
    cancel_ctx.hooks_run = 0;
    cancel_ctx.held = NULL;
    bff_schema_bind_resolver(s, "Query", "hello", cancellable_resolver, &h);
    bff_schema_bind_resolver(s, "Query", "number", cancellable_resolver, &h);
    bff_schema_bind_resolver(s, "Query", "product", held_resolver, &h);
    bff_schema_bind_resolver(s, "Product", "name", cancellable_resolver, &h); /* never called: cancelled first */
    run_t r = start(s, &h, "{ hello number product(id: \"1\") { id name } flag }", NULL, root_json());
    assert_int_equal(h.njobs, 2);
    assert_non_null(cancel_ctx.held);
    bff_exec_cancel(r.x);
    assert_int_equal(cancel_ctx.hooks_run, 2);
    assert_int_equal(h.njobs, 0);
    assert_int_equal(h.done_calls, 0); /* product still pending */
    bff_exec_cancel(r.x);              /* twice is harmless */
    /* completes after cancel: sub-fields with resolvers are not started (cancelled); JSON at hand still reads */
    bff_resolve_ok(cancel_ctx.held, bff_value_json(r.arena, json_pack("{s:s,s:s}", "id", "p1", "name", "n")));
    assert_int_equal(h.done_calls, 1);
    char *out = finish(&r, &h);
    assert_string_equal(out,
                        "{\"errors\":["
                        "{\"message\":\"upstream call aborted\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"hello\"],\"extensions\":{\"code\":\"CANCELLED\"}},"
                        "{\"message\":\"upstream call aborted\",\"locations\":[{\"line\":1,\"column\":9}],\"path\":[\"number\"],\"extensions\":{\"code\":\"CANCELLED\"}},"
                        "{\"message\":\"Execution was cancelled.\",\"locations\":[{\"line\":1,\"column\":38}],\"path\":[\"product\",\"name\"],\"extensions\":{\"code\":\"CANCELLED\"}}"
                        "],\"data\":{\"hello\":null,\"number\":null,\"product\":{\"id\":\"p1\",\"name\":null},\"flag\":true}}");
    free(out);
    free(h.jobs);
    bff_schema_free(s);
}

/* ---- large lists ---- */

static json_t *big_root(size_t n)
{
    json_t *items = json_array();
    for (size_t i = 0; i < n; ++i)
        json_array_append_new(items, json_pack("{s:s,s:I}", "id", "p", "count", (json_int_t)i));
    return json_pack("{s:o}", "products", items);
}

static void check_big(const char *out, size_t n)
{
    assert_int_equal(strncmp(out, "{\"data\":{\"products\":[{\"id\":\"p\",\"count\":0},{\"id\":\"p\",\"count\":1},", 62), 0);
    char tail[64];
    snprintf(tail, sizeof(tail), "{\"id\":\"p\",\"count\":%zu}]}}", n - 1);
    assert_string_equal(out + strlen(out) - strlen(tail), tail);
}

static void test_large_list_sync(void **state)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = H_SYNC};
    harness_bind(s, &h, 1); /* every field through a resolver that completes inside the call */
    run_t r = start(s, &h, "{ products { id count } }", NULL, big_root(100000));
    assert_int_equal(h.done_calls, 1);
    assert_int_equal(h.started, 1 + 2 * 100000);
    char *out = finish(&r, &h);
    check_big(out, 100000);
    free(out);
    bff_schema_free(s);
}

static void test_large_list_async(void **state)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = H_LIFO};
    harness_bind(s, &h, 1);
    run_t r = start(s, &h, "{ products { id count } }", NULL, big_root(100000));
    harness_step(&h);
    assert_int_equal(h.njobs, 200000);
    char *out = finish(&r, &h);
    check_big(out, 100000);
    free(out);
    free(h.jobs);
    bff_schema_free(s);
}

static void test_large_list_default_resolvers(void **state)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = H_SYNC};
    run_t r = start(s, &h, "{ products { id count } }", NULL, big_root(100000));
    char *out = finish(&r, &h);
    check_big(out, 100000);
    free(out);
    bff_schema_free(s);
}

/* ---- errors ---- */

static void failing_resolver(bff_resolve_t *r, void *ctx)
{
    harness_t *h = ctx;
    ++h->started;
    const bff_gql_path_t *p = bff_resolve_path(r);
    if (p->prev != NULL && p->prev->key == NULL && p->prev->index == 1) {
        bff_resolve_error_ext(r, "UPSTREAM_TIMEOUT", "{\"dependency\":\"catalog\",\"retry\":true}", "catalog timed out");
        return;
    }
    harness_push(h, r, bff_value_string("ok", 2), NULL, NULL);
}

static void test_resolver_errors_have_path_and_locations(void **state)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = H_SHUFFLE, .rng = 3};
    bff_schema_bind_resolver(s, "Product", "name", failing_resolver, &h);
    bff_schema_bind_resolver(s, "Product", "mustHave", failing_resolver, &h);
    run_t r = start(s, &h, "{ products(first: 3) {\n  id\n  n: name\n  ... on Product { n: name }\n} }", NULL,
                    root_json());
    char *out = finish(&r, &h);
    assert_string_equal(out,
                        "{\"errors\":[{\"message\":\"catalog timed out\",\"locations\":[{\"line\":3,\"column\":3},{\"line\":4,\"column\":20}],"
                        "\"path\":[\"products\",1,\"n\"],\"extensions\":{\"code\":\"UPSTREAM_TIMEOUT\",\"dependency\":\"catalog\",\"retry\":true}}],"
                        "\"data\":{\"products\":[{\"id\":\"p1\",\"n\":\"ok\"},{\"id\":\"p2\",\"n\":null},{\"id\":\"p3\",\"n\":\"ok\"},"
                        "{\"id\":\"p4\",\"n\":\"ok\"},{\"id\":\"p5\",\"n\":\"ok\"}]}}");
    free(out);
    /* a non-null field failing nulls the list item, the list, then the nullable parent */
    run_t r2 = start(s, &h, "{ hello products { id mustHave } }", NULL, root_json());
    char *out2 = finish(&r2, &h);
    assert_string_equal(out2, "{\"errors\":[{\"message\":\"catalog timed out\",\"locations\":[{\"line\":1,\"column\":23}],"
                              "\"path\":[\"products\",1,\"mustHave\"],\"extensions\":{\"code\":\"UPSTREAM_TIMEOUT\",\"dependency\":\"catalog\",\"retry\":true}}],"
                              "\"data\":null}");
    free(out2);
    free(h.jobs);
    bff_schema_free(s);
}

/* mustHave (String!) fails after its siblings were started: product becomes null; later siblings are dropped */
static void must_have_fails(bff_resolve_t *r, void *ctx)
{
    harness_t *h = ctx;
    harness_push(h, r, bff_value_null(), "no stock data", "UPSTREAM");
}

static void test_async_non_null_error_drops_later_siblings(void **state)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = H_FIFO};
    harness_bind(s, &h, 1);
    bff_schema_bind_resolver(s, "Product", "mustHave", must_have_fails, &h);
    run_t r = start(s, &h, "{ product(id: \"1\") { mustHave name brand { name } } hello }", NULL, root_json());
    harness_step(&h); /* product */
    assert_int_equal(h.njobs, 4); /* hello, mustHave, name, brand */
    harness_step(&h); /* hello */
    harness_step(&h); /* mustHave fails: product -> null */
    assert_int_equal(h.done_calls, 0);
    char *out = finish(&r, &h); /* name and brand complete into the dead object */
    assert_string_equal(out, "{\"errors\":[{\"message\":\"no stock data\",\"locations\":[{\"line\":1,\"column\":22}],"
                             "\"path\":[\"product\",\"mustHave\"],\"extensions\":{\"code\":\"UPSTREAM\"}}],"
                             "\"data\":{\"product\":null,\"hello\":\"world\"}}");
    free(out);
    free(h.jobs);
    bff_schema_free(s);
}

static void twice_resolver(bff_resolve_t *r, void *ctx)
{
    bff_resolve_ok(r, bff_value_string("first", 5));
}

static void test_double_completion_ignored(void **state)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = H_SYNC};
    bff_schema_bind_resolver(s, "Query", "hello", twice_resolver, &h);
    run_t r = start(s, &h, "{ hello }", NULL, NULL);
    char *out = finish(&r, &h);
    assert_string_equal(out, "{\"data\":{\"hello\":\"first\"}}");
    free(out);
    bff_schema_free(s);
}

/* ---- typed values ---- */

typedef struct {
    const char *id;
    const char *name;
    double rating;
} c_product_t;

static const c_product_t c_products[] = {{"c1", "Kettle", 4.25}, {"c2", "Toaster \"Pro\"", 3}};

static void typed_node(bff_resolve_t *r, void *ctx)
{
    const bff_schema_t *s = ctx;
    const char *id = json_string_value(bff_resolve_arg(r, "id"));
    for (size_t i = 0; i < 2; ++i)
        if (strcmp(id, c_products[i].id) == 0) {
            bff_resolve_ok(r, bff_value_object((void *)&c_products[i], bff_schema_type(s, "Product")));
            return;
        }
    bff_resolve_ok(r, bff_value_null());
}

static void typed_field(bff_resolve_t *r, void *ctx)
{
    const c_product_t *p = bff_resolve_parent(r)->u.obj.ptr;
    const char *f = bff_resolve_field(r)->name;
    if (strcmp(f, "id") == 0)
        bff_resolve_ok(r, bff_value_string(p->id, strlen(p->id)));
    else if (strcmp(f, "name") == 0)
        bff_resolve_ok(r, bff_value_string(p->name, strlen(p->name)));
    else if (strcmp(f, "rating") == 0)
        bff_resolve_ok(r, bff_value_float(p->rating));
    else if (strcmp(f, "tags") == 0) {
        bff_value_t l = bff_value_list(bff_resolve_arena(r), 2);
        l.u.list.items[0] = bff_value_string("a", 1);
        l.u.list.items[1] = bff_value_int(7); /* String serializes numbers */
        bff_resolve_ok(r, l);
    } else if (strcmp(f, "count") == 0)
        bff_resolve_ok(r, bff_value_bool(true)); /* Int serializes true as 1 */
    else
        bff_resolve_ok(r, bff_value_null());
}

static void test_typed_objects_and_values(void **state)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = H_SYNC};
    bff_schema_bind_resolver(s, "Query", "node", typed_node, s);
    const char *fields[] = {"id", "name", "rating", "tags", "count"};
    for (size_t i = 0; i < 5; ++i)
        bff_schema_bind_resolver(s, "Product", fields[i], typed_field, NULL);
    run_t r = start(s, &h,
                    "{ a: node(id: \"c1\") { __typename id ... on Product { name rating tags count } } "
                    "b: node(id: \"c2\") { ... on Named { name } ... on Product { rating } } c: node(id: \"zz\") { id } }",
                    NULL, NULL);
    char *out = finish(&r, &h);
    assert_string_equal(out, "{\"data\":{\"a\":{\"__typename\":\"Product\",\"id\":\"c1\",\"name\":\"Kettle\",\"rating\":4.25,"
                             "\"tags\":[\"a\",\"7\"],\"count\":1},\"b\":{\"name\":\"Toaster \\\"Pro\\\"\",\"rating\":3},\"c\":null}}");
    free(out);
    bff_schema_free(s);
}

static const bff_type_t *always_brand(const bff_schema_t *s, const bff_type_t *abstract, const bff_value_t *v, void *ctx)
{
    return bff_schema_type(s, "Brand");
}

static void test_resolve_type_hook(void **state)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = H_SYNC};
    assert_int_equal(bff_schema_bind_resolve_type(s, "Named", always_brand, NULL), 0);
    run_t r = start(s, &h, "{ named { __typename name } }", NULL, root_json());
    char *out = finish(&r, &h);
    assert_string_equal(out, "{\"data\":{\"named\":[{\"__typename\":\"Brand\",\"name\":\"Product 4\"},"
                             "{\"__typename\":\"Brand\",\"name\":\"B7\"},{\"__typename\":\"Brand\",\"name\":\"C7\"}]}}");
    free(out);
    bff_schema_free(s);
}

/* ---- request errors and limits ---- */

static void test_request_errors_have_no_data(void **state)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = H_SYNC};
    run_t r = start(s, &h, "query Q($n: Int!) { number }", "{\"n\":\"x\"}", NULL);
    assert_int_equal(h.done_calls, 1);
    assert_false(bff_exec_has_data(r.x));
    assert_non_null(bff_exec_operation(r.x));
    assert_int_equal(bff_exec_errors(r.x)->count, 1);
    char *out = finish(&r, &h);
    assert_string_equal(out, "{\"errors\":[{\"message\":\"Variable \\\"$n\\\" got invalid value \\\"x\\\"; Int cannot represent "
                             "non-integer value: \\\"x\\\"\",\"locations\":[{\"line\":1,\"column\":9}]}]}");
    free(out);

    bff_arena_t *a = bff_arena_new(0);
    bff_gql_errors_t perrs = BFF_GQL_ERRORS_INIT;
    const char *q = "query A { hello } query B { hello }";
    bff_ast_node_t *doc = bff_gql_parse(a, q, strlen(q), NULL, &perrs);
    const char *err = NULL;
    assert_null(bff_gql_select_operation(doc, NULL, &err));
    assert_string_equal(err, "Must provide operation name if query contains multiple operations.");
    assert_non_null(bff_gql_select_operation(doc, "B", &err));
    assert_null(bff_gql_select_operation_msg(doc, "C", a, &err));
    assert_string_equal(err, "Unknown operation named \"C\".");
    bff_arena_free(a);
    bff_schema_free(s);
}

static void test_max_errors(void **state)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = H_SYNC};
    bff_arena_t *arena = bff_arena_new(0);
    const char *q = "{ products { count } }";
    bff_gql_errors_t perrs = BFF_GQL_ERRORS_INIT;
    json_t *items = json_array();
    for (int i = 0; i < 10; ++i)
        json_array_append_new(items, json_pack("{s:s}", "count", "NaN"));
    bff_exec_request_t req = {0};
    req.schema = s;
    req.document = bff_gql_parse(arena, q, strlen(q), NULL, &perrs);
    req.root_value = bff_value_json(arena, json_pack("{s:o}", "products", items));
    req.arena = arena;
    req.on_done = harness_on_done;
    req.cb_arg = &h;
    req.max_errors = 3;
    bff_exec_t *x = bff_exec_start(&req);
    assert_int_equal(h.done_calls, 1);
    const bff_gql_errors_t *errs = bff_exec_errors(x);
    assert_int_equal(errs->count, 4);
    assert_string_equal(errs->tail->message, "Too many errors: 7 more errors were omitted.");
    bff_arena_free(arena);
    bff_schema_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_siblings_started_before_any_completes),
        cmocka_unit_test(test_nested_level_concurrent),
        cmocka_unit_test(test_list_items_concurrent),
        cmocka_unit_test(test_mutation_root_fields_serial),
        cmocka_unit_test(test_free_arena_in_on_done_sync),
        cmocka_unit_test(test_free_arena_in_on_done_async),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_large_list_sync),
        cmocka_unit_test(test_large_list_async),
        cmocka_unit_test(test_large_list_default_resolvers),
        cmocka_unit_test(test_resolver_errors_have_path_and_locations),
        cmocka_unit_test(test_async_non_null_error_drops_later_siblings),
        cmocka_unit_test(test_double_completion_ignored),
        cmocka_unit_test(test_typed_objects_and_values),
        cmocka_unit_test(test_resolve_type_hook),
        cmocka_unit_test(test_request_errors_have_no_data),
        cmocka_unit_test(test_max_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
