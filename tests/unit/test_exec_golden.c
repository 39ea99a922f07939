/*
 * test_exec_golden.c - table-driven executor tests: every case in
 * tests/fixtures/exec/cases/ (each a .json file: query, variables, operation name, root
 * JSON) against the response graphql-js 16.9 gave for it (written by
 * tests/fixtures/exec/oracle.mjs).
 *
 * Each case runs three ways:
 *  1. default resolvers reading the root JSON, synchronously: the response
 *     text must equal graphql-js's byte for byte (field order, number
 *     formatting, escaping, error order, locations, paths);
 *  2. every field resolved through the fake loop, completed in shuffled
 *     order; 3. the same completed newest first. Data must be identical; the
 *     errors must be the same set (order may follow completion order, and
 *     errors of siblings under a parent nulled later may legitimately appear,
 *     as with graphql-js's own asynchronous resolvers: see async_errors_ok).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/fixtures/exec/harness.h"

typedef struct st_golden_case_t {
    char *file;
    json_t *spec;
} golden_case_t;

static golden_case_t *cases;
static size_t ncases;
static json_t *base_root;

static int name_cmp(const void *a, const void *b)
{
    return strcmp(((const golden_case_t *)a)->file, ((const golden_case_t *)b)->file);
}

static void load_cases(void)
{
    const char *dir = BFF_SOURCE_DIR "/tests/fixtures/exec/cases";
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        json_error_t jerr;
        json_t *spec = json_load_file(path, 0, &jerr);
        if (spec == NULL)
            fail_msg("%s: %s", path, jerr.text);
        cases = realloc(cases, (ncases + 1) * sizeof(*cases));
        cases[ncases].file = strdup(de->d_name);
        cases[ncases].spec = spec;
        ++ncases;
    }
    closedir(d);
    qsort(cases, ncases, sizeof(*cases), name_cmp);
    json_error_t jerr;
    base_root = json_load_file(BFF_SOURCE_DIR "/tests/fixtures/exec/root.json", 0, &jerr);
    assert_non_null(base_root);
}

static void free_cases(void)
{
    for (size_t i = 0; i < ncases; ++i) {
        free(cases[i].file);
        json_decref(cases[i].spec);
    }
    free(cases);
    cases = NULL;
    ncases = 0;
    json_decref(base_root);
}

static json_t *case_root(json_t *spec)
{
    json_t *root = json_deep_copy(base_root);
    json_t *over = json_object_get(spec, "root");
    if (json_is_object(over))
        json_object_update(root, over);
    return root;
}

static char *run_case(const bff_schema_t *s, harness_t *h, json_t *spec)
{
    json_t *vars = json_object_get(spec, "variables");
    json_t *opname = json_object_get(spec, "operationName");
    return harness_run(s, h, json_string_value(json_object_get(spec, "query")), json_is_object(vars) ? vars : NULL,
                       json_is_string(opname) ? json_string_value(opname) : NULL, case_root(spec));
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The errors of a response as sorted canonical texts. */
static char **error_set(json_t *resp, size_t *n)
{
    json_t *errs = json_object_get(resp, "errors");
    *n = json_array_size(errs);
    char **out = calloc(*n + 1, sizeof(*out));
    for (size_t i = 0; i < *n; ++i)
        out[i] = json_dumps(json_array_get(errs, i), JSON_SORT_KEYS | JSON_COMPACT);
    qsort(out, *n, sizeof(*out), str_cmp);
    return out;
}

static void free_set(char **set, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        free(set[i]);
    free(set);
}

/*
 * Asynchronous runs: same data, same error set. Cases flagged
 * asyncErrorsMayDiffer null a parent through a non-null error while nullable
 * siblings fail too: which of those report depends on completion order (as
 * with graphql-js's own async resolvers), so only "some errors" is checked.
 */
static void check_async(const char *file, const char *expected, const char *actual, int errors_may_differ)
{
    json_error_t jerr;
    json_t *e = json_loads(expected, 0, &jerr);
    json_t *a = json_loads(actual, 0, &jerr);
    if (a == NULL)
        fail_msg("%s: response is not JSON: %s", file, actual);
    json_t *ed = json_object_get(e, "data"), *ad = json_object_get(a, "data");
    if ((ed == NULL) != (ad == NULL) || (ed != NULL && !json_equal(ed, ad)))
        fail_msg("%s: data differs\n expected %s\n actual   %s", file, expected, actual);
    size_t ne, na;
    char **se = error_set(e, &ne), **sa = error_set(a, &na);
    int same = errors_may_differ ? (ne > 0) == (na > 0) : ne == na;
    for (size_t i = 0; same && !errors_may_differ && i < ne; ++i)
        same = strcmp(se[i], sa[i]) == 0;
    if (!same)
        fail_msg("%s: errors differ\n expected %s\n actual   %s", file, expected, actual);
    free_set(se, ne);
    free_set(sa, na);
    json_decref(e);
    json_decref(a);
}

static void test_golden_sync(void **state)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = H_SYNC};
    harness_bind(s, &h, 0);
    size_t failed = 0;
    for (size_t i = 0; i < ncases; ++i) {
        const char *expected = json_string_value(json_object_get(cases[i].spec, "expected"));
        char *actual = run_case(s, &h, cases[i].spec);
        if (strcmp(expected, actual) != 0) {
            fprintf(stderr, "FAIL %s\n expected %s\n actual   %s\n", cases[i].file, expected, actual);
            ++failed;
        }
        assert_int_equal(h.mutation_overlap, 0);
        free(actual);
    }
    bff_schema_free(s);
    assert_true(ncases >= 40);
    assert_int_equal(failed, 0);
}

static void run_async_mode(harness_mode_t mode)
{
    bff_schema_t *s = harness_schema();
    harness_t h = {.mode = mode, .rng = 12345};
    harness_bind(s, &h, 1);
    for (size_t i = 0; i < ncases; ++i) {
        const char *expected = json_string_value(json_object_get(cases[i].spec, "expected"));
        char *actual = run_case(s, &h, cases[i].spec);
        check_async(cases[i].file, expected, actual, json_is_true(json_object_get(cases[i].spec, "asyncErrorsMayDiffer")));
        assert_int_equal(h.mutation_overlap, 0);
        free(actual);
    }
    free(h.jobs);
    bff_schema_free(s);
}

static void test_golden_async_shuffled(void **state)
{
    run_async_mode(H_SHUFFLE);
}

static void test_golden_async_lifo(void **state)
{
    run_async_mode(H_LIFO);
}

static void test_golden_async_fifo(void **state)
{
    run_async_mode(H_FIFO);
}

static int setup(void **state)
{
    load_cases();
    return 0;
}

static int teardown(void **state)
{
    free_cases();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_sync),
        cmocka_unit_test(test_golden_async_shuffled),
        cmocka_unit_test(test_golden_async_lifo),
        cmocka_unit_test(test_golden_async_fifo),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
