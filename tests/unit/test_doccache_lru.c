/*
 * test_doccache_lru.c - prepared documents and the per-worker document
 * cache: parse/validation outcomes are kept, hits return the same document,
 * LRU order decides what goes, eviction never frees a document still in
 * use, texts that share a bucket (or differ only in length) never alias,
 * failed documents are cached but bounded, stats count it all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "graphql/doc.h"

static bff_schema_t *schema;

static int setup(void **state)
{
    const char *sdl = "type Query { a: Int b: String c(x: Int): Int }";
    bff_schema_source_t src = {"test.graphql", sdl, strlen(sdl)};
    bff_arena_t *ea = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    schema = bff_schema_build(&src, 1, NULL, ea, &errs);
    bff_arena_free(ea);
    return schema == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    bff_schema_free(schema);
    return 0;
}

static bff_gql_doc_t *get(bff_doccache_t *c, const char *text)
{
    return bff_doccache_get(c, text, strlen(text));
}

static void test_prepare_outcomes(void **state)
{
    const char *ok = "{ a b }";
    bff_gql_doc_t *d = bff_gql_doc_prepare(schema, ok, strlen(ok), NULL, NULL);
    assert_int_equal(d->stage, BFF_DOC_OK);
    assert_non_null(d->root);
    assert_int_equal(d->errors.count, 0);
    assert_int_equal(d->refcount, 1);
    assert_int_equal(d->hash, bff_gql_doc_hash(ok, strlen(ok)));
    assert_string_equal(d->text, ok);
    bff_gql_doc_release(d);

    const char *bad_syntax = "{ a ";
    d = bff_gql_doc_prepare(schema, bad_syntax, strlen(bad_syntax), NULL, NULL);
    assert_int_equal(d->stage, BFF_DOC_PARSE_FAILED);
    assert_null(d->root);
    assert_true(d->errors.count >= 1);
    assert_non_null(strstr(d->errors.head->message, "Syntax Error"));
    bff_gql_doc_release(d);

    const char *invalid = "{ nope }";
    d = bff_gql_doc_prepare(schema, invalid, strlen(invalid), NULL, NULL);
    assert_int_equal(d->stage, BFF_DOC_VALIDATE_FAILED);
    assert_non_null(d->root);
    assert_true(d->errors.count >= 1);
    bff_gql_doc_release(d);
}

static int disposed;
static void ext_dispose(void *p)
{
    disposed += *(int *)p;
}

static void test_hit_returns_same_document(void **state)
{
    bff_doccache_t *c = bff_doccache_new(schema, 4, 0, NULL, NULL);
    bff_gql_doc_t *a1 = get(c, "{ a }");
    static int one = 1;
    a1->ext = &one;
    a1->ext_dispose = ext_dispose;
    bff_gql_doc_t *a2 = get(c, "{ a }");
    assert_ptr_equal(a1, a2);
    assert_int_equal(a1->refcount, 3); /* cache + two callers */
    bff_doccache_stats_t st = bff_doccache_stats(c);
    assert_int_equal(st.hits, 1);
    assert_int_equal(st.misses, 1);
    assert_int_equal(st.entries, 1);
    bff_gql_doc_release(a1);
    bff_gql_doc_release(a2);
    disposed = 0;
    bff_doccache_free(c);
    assert_int_equal(disposed, 1); /* ext disposed with the last reference */
}

static void test_lru_order(void **state)
{
    bff_doccache_t *c = bff_doccache_new(schema, 3, 0, NULL, NULL);
    const char *q[] = {"{ a }", "{ b }", "{ c }", "{ a b }", "{ b a }"};
    for (int i = 0; i < 3; ++i)
        bff_gql_doc_release(get(c, q[i]));
    bff_gql_doc_release(get(c, q[0])); /* a is now the most recent: b is the oldest */
    bff_gql_doc_release(get(c, q[3])); /* evicts b */
    bff_doccache_stats_t st = bff_doccache_stats(c);
    assert_int_equal(st.evictions, 1);
    assert_int_equal(st.entries, 3);
    uint64_t misses = st.misses;
    bff_gql_doc_release(get(c, q[0]));
    bff_gql_doc_release(get(c, q[2]));
    bff_gql_doc_release(get(c, q[3]));
    st = bff_doccache_stats(c);
    assert_int_equal(st.misses, misses); /* a, c, "a b" were all kept */
    bff_gql_doc_release(get(c, q[1]));   /* b again: a miss, evicts a (oldest now) */
    st = bff_doccache_stats(c);
    assert_int_equal(st.misses, misses + 1);
    assert_int_equal(st.evictions, 2);
    bff_gql_doc_release(get(c, q[2])); /* c kept */
    assert_int_equal(bff_doccache_stats(c).misses, misses + 1);
    bff_gql_doc_release(get(c, q[0])); /* a was evicted */
    assert_int_equal(bff_doccache_stats(c).misses, misses + 2);
    bff_doccache_free(c);
}

static void test_eviction_keeps_referenced_document(void **state)
{
    bff_doccache_t *c = bff_doccache_new(schema, 2, 0, NULL, NULL);
    bff_gql_doc_t *held = get(c, "{ a }");
    bff_gql_doc_release(get(c, "{ b }"));
    bff_gql_doc_release(get(c, "{ c }")); /* evicts "{ a }" while it is held */
    assert_int_equal(bff_doccache_stats(c).evictions, 1);
    assert_int_equal(held->refcount, 1);
    assert_int_equal(held->stage, BFF_DOC_OK);
    assert_string_equal(held->root->definitions.items[0]->selection_set->selections.items[0]->name, "a");
    bff_gql_doc_t *again = get(c, "{ a }"); /* prepared anew: a different document */
    assert_ptr_not_equal(again, held);
    bff_gql_doc_release(again);
    bff_doccache_free(c); /* the held document survives the cache too */
    assert_string_equal(held->text, "{ a }");
    bff_gql_doc_release(held);
}

static void test_collisions_never_alias(void **state)
{
    /* 67 texts in 128 buckets: bucket chains form (birthday bound); lookups must still compare texts */
    bff_doccache_t *c = bff_doccache_new(schema, 128, 0, NULL, NULL);
    char text[64][48];
    bff_gql_doc_t *docs[64];
    for (int i = 0; i < 64; ++i) {
        snprintf(text[i], sizeof(text[i]), "{ x%d: c(x: %d) }", i, i);
        docs[i] = get(c, text[i]);
        assert_int_equal(docs[i]->stage, BFF_DOC_OK);
    }
    for (int i = 0; i < 64; ++i) {
        bff_gql_doc_t *d = get(c, text[i]);
        assert_ptr_equal(d, docs[i]);
        assert_string_equal(d->text, text[i]);
        bff_gql_doc_release(d);
    }
    /* a prefix of a cached text, and the same bytes followed by a NUL, are different texts */
    const char *full = "{ a b }";
    bff_gql_doc_t *f = get(c, full);
    bff_gql_doc_t *prefix = bff_doccache_get(c, full, 5); /* "{ a b" */
    assert_ptr_not_equal(f, prefix);
    assert_int_equal(prefix->stage, BFF_DOC_PARSE_FAILED);
    bff_gql_doc_t *with_nul = bff_doccache_get(c, "{ a b }\0", 8);
    assert_ptr_not_equal(with_nul, f);
    bff_gql_doc_release(f);
    bff_gql_doc_release(prefix);
    bff_gql_doc_release(with_nul);
    for (int i = 0; i < 64; ++i)
        bff_gql_doc_release(docs[i]);
    assert_int_equal(bff_doccache_stats(c).evictions, 0);
    bff_doccache_free(c);
}

static void test_failed_documents_bounded(void **state)
{
    bff_doccache_t *c = bff_doccache_new(schema, 8, 0, NULL, NULL); /* at most 8/4+1 = 3 failed */
    bff_gql_doc_release(get(c, "{ a }"));
    bff_gql_doc_release(get(c, "{ b }"));
    for (int i = 0; i < 20; ++i) {
        char bad[32];
        snprintf(bad, sizeof(bad), "{ bad%d", i);
        bff_gql_doc_t *d = get(c, bad);
        assert_int_equal(d->stage, BFF_DOC_PARSE_FAILED);
        bff_gql_doc_release(d);
    }
    bff_doccache_stats_t st = bff_doccache_stats(c);
    assert_int_equal(st.entries, 5);
    uint64_t misses = st.misses;
    bff_gql_doc_release(get(c, "{ a }"));
    bff_gql_doc_release(get(c, "{ b }"));
    bff_gql_doc_release(get(c, "{ bad19"));       /* the newest failure is cached */
    assert_int_equal(bff_doccache_stats(c).misses, misses);
    bff_gql_doc_release(get(c, "{ bad0"));        /* the oldest was dropped */
    assert_int_equal(bff_doccache_stats(c).misses, misses + 1);
    bff_doccache_free(c);
}

static void test_zero_capacity_caches_nothing(void **state)
{
    bff_doccache_t *c = bff_doccache_new(schema, 0, 0, NULL, NULL);
    bff_gql_doc_t *d = get(c, "{ a }");
    assert_int_equal(d->refcount, 1);
    bff_gql_doc_release(d);
    d = get(c, "{ a }");
    bff_gql_doc_release(d);
    bff_doccache_stats_t st = bff_doccache_stats(c);
    assert_int_equal(st.misses, 2);
    assert_int_equal(st.entries, 0);
    bff_doccache_free(c);
}

static void test_hash_spreads(void **state)
{
    assert_int_not_equal(bff_gql_doc_hash("{ a }", 5), bff_gql_doc_hash("{ b }", 5));
    assert_int_not_equal(bff_gql_doc_hash("", 0), bff_gql_doc_hash("\0", 1));
    assert_int_equal(bff_gql_doc_hash("{ a }", 5), bff_gql_doc_hash("{ a }", 5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prepare_outcomes),
        cmocka_unit_test(test_hit_returns_same_document),
        cmocka_unit_test(test_lru_order),
        cmocka_unit_test(test_eviction_keeps_referenced_document),
        cmocka_unit_test(test_collisions_never_alias),
        cmocka_unit_test(test_failed_documents_bounded),
        cmocka_unit_test(test_zero_capacity_caches_nothing),
        cmocka_unit_test(test_hash_spreads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
