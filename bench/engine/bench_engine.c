/*
 * bench_engine.c - the GraphQL engine's micro benchmark (target
 * bff-bench-engine; run through bench/engine/run.sh, which also runs the
 * same workloads in graphql-js and writes bench/results/engine.md).
 *
 * Workloads, each on a product page query (fragments, ~50 fields, one
 * product from JSON) and a listing (100 products from JSON):
 *   parse           bff_gql_parse of the text
 *   validate        bff_gql_validate of a parsed document
 *   cold            parse + validate + execute + write the response
 *   warm            document cache hit + execute + write the response
 * Each runs for --seconds (default 1) after a short warm-up; the result is
 * operations per second. Resolvers are the default ones reading JSON, so
 * the numbers measure the engine, not I/O.
 *
 * Output: one line per workload, "name ops_per_sec us_per_op", or JSON
 * lines with --json.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/buf.h"
#include "graphql/doc.h"
#include "graphql/exec.h"
#include "graphql/parser.h"
#include "graphql/schema.h"
#include "graphql/validate.h"

#ifndef BFF_SOURCE_DIR
#define BFF_SOURCE_DIR "."
#endif

typedef struct st_bench_query_t {
    const char *name;
    char *text;
    size_t len;
    json_t *variables;
} bench_query_t;

typedef struct st_bench_t {
    bff_schema_t *schema;
    json_t *data;
    bff_doccache_t *cache;
    double seconds;
    int json;
    size_t response_bytes;
    bff_buf_t out; /* one response buffer, reused as a worker reuses its output buffer */
} bench_t;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "bff-bench-engine: cannot open %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = bff_xmalloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    *len = got;
    return buf;
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef void (*bench_fn)(bench_t *b, bench_query_t *q, void *state);

static void report(bench_t *b, const char *workload, const char *query, double ops)
{
    if (b->json)
        printf("{\"workload\":\"%s\",\"query\":\"%s\",\"ops_per_sec\":%.1f}\n", workload, query, ops);
    else
        printf("%-10s %-14s %12.0f ops/s %10.2f us/op\n", workload, query, ops, 1e6 / ops);
    fflush(stdout);
}

static double run_timed(bench_t *b, bench_query_t *q, bench_fn fn, void *state)
{
    /* warm-up, then batches until the time is up */
    double t0 = now_sec();
    while (now_sec() - t0 < b->seconds / 10)
        fn(b, q, state);
    size_t ops = 0, batch = 16;
    t0 = now_sec();
    double t;
    for (;;) {
        for (size_t i = 0; i < batch; ++i)
            fn(b, q, state);
        ops += batch;
        t = now_sec() - t0;
        if (t >= b->seconds)
            break;
    }
    return (double)ops / t;
}

static void do_parse(bench_t *b, bench_query_t *q, void *state)
{
    bff_arena_t *a = bff_arena_new(16384);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    if (bff_gql_parse(a, q->text, q->len, NULL, &errs) == NULL) {
        fprintf(stderr, "parse failed: %s\n", errs.head ? errs.head->message : "?");
        exit(1);
    }
    bff_arena_free(a);
}

static void do_validate(bench_t *b, bench_query_t *q, void *state)
{
    const bff_ast_node_t *doc = state;
    bff_arena_t *a = bff_arena_new(4096);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    if (bff_gql_validate(b->schema, doc, NULL, a, &errs) != 0) {
        fprintf(stderr, "validation failed: %s\n", errs.head ? errs.head->message : "?");
        exit(1);
    }
    bff_arena_free(a);
}

static void on_done(bff_exec_t *x, void *arg)
{
    *(int *)arg = 1;
}

static void execute_and_write(bench_t *b, bench_query_t *q, const bff_ast_node_t *doc, bff_arena_t *arena)
{
    int done = 0;
    bff_exec_request_t req = {0};
    req.schema = b->schema;
    req.document = doc;
    req.variables = q->variables;
    req.root_value = bff_value_json(arena, json_incref(b->data));
    req.arena = arena;
    req.on_done = on_done;
    req.cb_arg = &done;
    bff_exec_t *x = bff_exec_start(&req);
    if (!done) {
        fprintf(stderr, "execution did not finish synchronously\n");
        exit(1);
    }
    bff_buf_reset(&b->out);
    bff_exec_write_response(x, &b->out, NULL);
    if (bff_exec_errors(x)->count != 0) {
        fprintf(stderr, "execution errors: %s\n", b->out.data);
        exit(1);
    }
    b->response_bytes = b->out.len;
}

static void do_cold(bench_t *b, bench_query_t *q, void *state)
{
    bff_arena_t *a = bff_arena_new(65536);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    bff_ast_node_t *doc = bff_gql_parse(a, q->text, q->len, NULL, &errs);
    if (doc == NULL || bff_gql_validate(b->schema, doc, NULL, a, &errs) != 0) {
        fprintf(stderr, "cold: invalid document\n");
        exit(1);
    }
    execute_and_write(b, q, doc, a);
    bff_arena_free(a);
}

static void do_warm(bench_t *b, bench_query_t *q, void *state)
{
    bff_gql_doc_t *doc = bff_doccache_get(b->cache, q->text, q->len);
    if (doc->stage != BFF_DOC_OK) {
        fprintf(stderr, "warm: invalid document\n");
        exit(1);
    }
    bff_arena_t *a = bff_arena_new(65536);
    execute_and_write(b, q, doc->root, a);
    bff_arena_free(a);
    bff_gql_doc_release(doc);
}

static void do_execute(bench_t *b, bench_query_t *q, void *state)
{
    bff_arena_t *a = bff_arena_new(65536);
    execute_and_write(b, q, state, a);
    bff_arena_free(a);
}

int main(int argc, char **argv)
{
    bench_t b = {.seconds = 1.0};
    bff_buf_init(&b.out);
    const char *dir = BFF_SOURCE_DIR "/bench/engine";
    const char *only = NULL;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            b.seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--json") == 0)
            b.json = 1;
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--seconds S] [--json] [--dir bench/engine] [--only workload]\n", argv[0]);
            return 2;
        }
    }
    if (b.seconds <= 0)
        b.seconds = 1.0;
    char path[4096];
    snprintf(path, sizeof(path), "%s/../../tests/fixtures/exec/schema.graphql", dir);
    const char *paths[] = {path};
    bff_arena_t *ea = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    b.schema = bff_schema_build_files(paths, 1, NULL, ea, &errs);
    if (b.schema == NULL) {
        fprintf(stderr, "schema: %s\n", errs.head ? errs.head->message : "?");
        return 1;
    }
    snprintf(path, sizeof(path), "%s/data.json", dir);
    json_error_t jerr;
    b.data = json_load_file(path, 0, &jerr);
    if (b.data == NULL) {
        fprintf(stderr, "%s: %s\n", path, jerr.text);
        return 1;
    }
    b.cache = bff_doccache_new(b.schema, 64, 0, NULL, NULL);

    bench_query_t queries[2] = {{.name = "product_page"}, {.name = "listing"}};
    snprintf(path, sizeof(path), "%s/product_page.graphql", dir);
    queries[0].text = read_file(path, &queries[0].len);
    queries[0].variables = json_pack("{s:s}", "id", "p1");
    snprintf(path, sizeof(path), "%s/listing.graphql", dir);
    queries[1].text = read_file(path, &queries[1].len);
    queries[1].variables = json_object();

    for (int i = 0; i < 2; ++i) {
        bench_query_t *q = &queries[i];
        bff_arena_t *pa = bff_arena_new(0);
        bff_ast_node_t *doc = bff_gql_parse(pa, q->text, q->len, NULL, &errs);
        if (doc == NULL) {
            fprintf(stderr, "%s: %s\n", q->name, errs.head ? errs.head->message : "parse failed");
            return 1;
        }
        if (only == NULL || strcmp(only, "parse") == 0)
            report(&b, "parse", q->name, run_timed(&b, q, do_parse, NULL));
        if (only == NULL || strcmp(only, "validate") == 0)
            report(&b, "validate", q->name, run_timed(&b, q, do_validate, doc));
        if (only == NULL || strcmp(only, "execute") == 0)
            report(&b, "execute", q->name, run_timed(&b, q, do_execute, doc));
        if (only == NULL || strcmp(only, "cold") == 0)
            report(&b, "cold", q->name, run_timed(&b, q, do_cold, NULL));
        if (only == NULL || strcmp(only, "warm") == 0)
            report(&b, "warm", q->name, run_timed(&b, q, do_warm, NULL));
        if (!b.json)
            printf("%-10s %-14s %12zu bytes\n", "response", q->name, b.response_bytes);
        bff_arena_free(pa);
    }
    for (int i = 0; i < 2; ++i) {
        free(queries[i].text);
        json_decref(queries[i].variables);
    }
    bff_doccache_stats_t st = bff_doccache_stats(b.cache);
    if (!b.json)
        fprintf(stderr, "doc cache: %llu hits, %llu misses\n", (unsigned long long)st.hits, (unsigned long long)st.misses);
    bff_doccache_free(b.cache);
    bff_buf_free(&b.out);
    json_decref(b.data);
    bff_schema_free(b.schema);
    bff_arena_free(ea);
    return 0;
}
