/*
 * test_json_parse.c - bff_json_parse against jansson's json_loadb (flags 0),
 * and the pull reader and bff_json_valid against bff_json_parse (the same
 * texts refused, the same values read through the pull calls),
 * the reader it replaces on the hot paths: the same texts accepted, the same
 * values built (json_equal), on a corpus of valid and broken texts and on
 * 200,000 random mutations of it; plus the nesting limit at its boundary and
 * the error positions. One difference, on purpose: NUL bytes (see agree).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/json_parse.h"

static const char *corpus[] = {
    "{}",
    "[]",
    " \t\r\n[ 1 , -2 , 3.5 , -0 , 0 , 1e3 , 1E-3 , -1.25e+2 , true , false , null ] ",
    "{\"a\":1,\"b\":[{\"c\":\"d\"}],\"a\":2}",
    "{\"levels\":[{\"sku\":\"SKU-0001-1\",\"location\":\"berlin\",\"available\":0},"
    "{\"sku\":\"SKU-0001-1\",\"location\":\"paris\",\"available\":24}]}",
    "{\"page\":1,\"per_page\":20,\"total\":1000,\"items\":[{\"id\":\"p0001\",\"title\":\"Linen Backpack\","
    "\"list_price\":null,\"tags\":[\"new\",\"eco\"],\"weight_grams\":1450,\"price\":\"129.90\"}]}",
    "[\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t\", \"\\u00e9\\u20AC\\ud83d\\ude00\", \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]",
    "{\"k\\u00e9y\":\"v\",\"\\n\":[\"\\u0041\"]}",
    "[9223372036854775807, -9223372036854775808, 9223372036854775808, -9223372036854775809]",
    "[1e308, 1e309, -1e309, 1e-400, 0.000000000000000000000000000001]",
    "[1.7976931348623157e308, 123456789012345678901234567890.5, 2.2250738585072014e-308]",
    "[01]", "[1.]", "[.5]", "[-]", "[+1]", "[1e]", "[1e+]", "[0x10]", "[Infinity]", "[NaN]",
    "[1,]", "{\"a\":1,}", "{\"a\"}", "{\"a\" 1}", "{a:1}", "{'a':1}", "[\"a\",,1]", "[", "{", "]", "}",
    "[\"unterminated]", "[\"bad \\x escape\"]", "[\"\\u12\"]", "[\"\\uZZZZ\"]", "[\"\\ud800\"]",
    "[\"\\udc00\"]", "[\"\\ud800\\u0041\"]", "[\"\\u0000\"]", "{\"\\u0000\":1}", "[\"tab\there\"]",
    "[\"\xc0\xaf\"]", "[\"\xed\xa0\x80\"]", "[\"\xf4\x90\x80\x80\"]", "[\"\xe2\x82\"]", "[\"\x80\"]",
    "[\"\xf0\x9f\x98\"]", "[\"\xff\"]", "[tru]", "[nul]", "[falsey]", "[true false]", "[] []", "[]x",
    "1", "\"s\"", "null", "", "   ", "\xef\xbb\xbf[]", "[1]\n", "[1] \t",
};

static const size_t ncorpus = sizeof(corpus) / sizeof(corpus[0]);

/*
 * Both readers agree on `text`: both refuse it, or both build equal values.
 * A NUL byte is never valid JSON, and ours refuses it anywhere; jansson 2.14
 * takes one right after a number or a literal as the end of the input
 * ("[1\0]" is [1] to it), so texts with one are only checked to be refused.
 */
/* A tree built through the pull reader. */
static json_t *pull_value(bff_json_pull_t *j)
{
    const char *s;
    size_t n;
    int64_t v;
    switch (bff_json_pull_peek(j)) {
    case BFF_JSON_OBJECT: {
        if (!bff_json_pull_object(j)) /* the depth limit */
            break;
        json_t *o = json_object();
        while (bff_json_pull_key(j, &s, &n)) {
            char *key = strndup(s, n); /* the value may reuse the scratch */
            json_t *m = pull_value(j);
            if (m == NULL) {
                free(key);
                json_decref(o);
                return NULL;
            }
            json_object_setn_new_nocheck(o, key, n, m);
            free(key);
        }
        if (j->failed) {
            json_decref(o);
            return NULL;
        }
        return o;
    }
    case BFF_JSON_ARRAY: {
        if (!bff_json_pull_array(j))
            break;
        json_t *a = json_array();
        while (bff_json_pull_item(j)) {
            json_t *m = pull_value(j);
            if (m == NULL) {
                json_decref(a);
                return NULL;
            }
            json_array_append_new(a, m);
        }
        if (j->failed) {
            json_decref(a);
            return NULL;
        }
        return a;
    }
    case BFF_JSON_STRING:
        return bff_json_pull_string(j, &s, &n) ? json_stringn_nocheck(s, n) : NULL;
    case BFF_JSON_NUMBER: {
        double d;
        switch (bff_json_pull_number(j, &v, &d)) {
        case 1: return json_integer((json_int_t)v);
        case 0: return json_real(d);
        default: return NULL;
        }
    }
    default: /* literals, and whatever is not a value: skip checks it */
        if (j->p < j->end && *j->p == 't' && bff_json_pull_skip(j))
            return json_true();
        if (j->p < j->end && *j->p == 'f' && bff_json_pull_skip(j))
            return json_false();
        if (j->p < j->end && *j->p == 'n' && bff_json_pull_skip(j))
            return json_null();
        bff_json_pull_skip(j);
        return NULL;
    }
    return NULL;
}

/* The pull reader and the validity check agree with the tree reader on `text`: `want` is its value or NULL. */
static void pull_agrees(const char *text, size_t len, json_t *want)
{
    bff_json_error_t verr;
    bool valid = bff_json_valid(text, len, &verr);
    if (valid != (want != NULL))
        fail_msg("bff_json_valid says %s on [%.*s] (%s)", valid ? "valid" : "invalid", (int)len, text, verr.text);
    bff_json_pull_t j;
    bff_json_pull_init(&j, text, len);
    json_t *got = NULL;
    bff_json_kind_t top = bff_json_pull_peek(&j);
    if (top == BFF_JSON_OBJECT || top == BFF_JSON_ARRAY)
        got = pull_value(&j);
    if (got != NULL && !bff_json_pull_end(&j)) {
        json_decref(got);
        got = NULL;
    }
    if ((got == NULL) != (want == NULL) || (got != NULL && !json_equal(want, got)))
        fail_msg("the pull reader disagrees on [%.*s]: %s (%s)", (int)len, text, got ? "read" : "refused", j.error.text);
    if (got == NULL)
        assert_true(j.failed || top == BFF_JSON_NONE || (top != BFF_JSON_OBJECT && top != BFF_JSON_ARRAY));
    json_decref(got);
    bff_json_pull_dispose(&j);
}

static void agree(const char *text, size_t len)
{
    if (memchr(text, '\0', len) != NULL) {
        bff_json_error_t err;
        assert_null(bff_json_parse(text, len, &err));
        pull_agrees(text, len, NULL);
        return;
    }
    json_error_t jerr;
    json_t *want = json_loadb(text, len, 0, &jerr);
    bff_json_error_t err;
    json_t *got = bff_json_parse(text, len, &err);
    if ((want == NULL) != (got == NULL) || (want != NULL && !json_equal(want, got))) {
        char *w = want ? json_dumps(want, JSON_ENCODE_ANY) : NULL, *g = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL;
        fprintf(stderr, "disagree on [%.*s] (%zu bytes): jansson %s (%s), ours %s (%s)\n", (int)len, text, len,
                w ? w : "refused", want ? "" : jerr.text, g ? g : "refused", got ? "" : err.text);
        free(w);
        free(g);
        fail();
    }
    if (got == NULL)
        assert_true(err.text[0] != '\0' && err.position <= len);
    pull_agrees(text, len, got);
    json_decref(want);
    json_decref(got);
}

static void test_corpus(void **state)
{
    for (size_t i = 0; i < ncorpus; ++i)
        agree(corpus[i], strlen(corpus[i]));
    static const char nul_inside[] = "[\"a\0b\"]";
    agree(nul_inside, sizeof(nul_inside) - 1);
    static const char nul_after[] = "[1]\0";
    agree(nul_after, sizeof(nul_after) - 1);
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static void test_mutations(void **state)
{
    static const char interesting[] = "\"\\{}[],:0123456789-+.eEtrufalsn \t\n\x00\x7f\x80\xbf\xc3\xe2\xed\xf0\xf4\xffu";
    char buf[1024];
    for (int round = 0; round < 200000; ++round) {
        const char *base = corpus[next() % ncorpus];
        size_t len = strlen(base);
        memcpy(buf, base, len);
        int edits = 1 + (int)(next() % 4);
        for (int e = 0; e < edits; ++e) {
            size_t at = len ? next() % (len + 1) : 0;
            char c = interesting[next() % (sizeof(interesting) - 1)];
            switch (next() % 4) {
            case 0: /* replace */
                if (at < len)
                    buf[at] = c;
                break;
            case 1: /* insert */
                if (len + 1 < sizeof(buf)) {
                    memmove(buf + at + 1, buf + at, len - at);
                    buf[at] = c;
                    len++;
                }
                break;
            case 2: /* delete */
                if (at < len) {
                    memmove(buf + at, buf + at + 1, len - at - 1);
                    len--;
                }
                break;
            default: /* cut the end */
                len = at;
                break;
            }
        }
        agree(buf, len);
    }
}

static char *nested(int depth, const char *inner)
{
    size_t n = strlen(inner);
    char *s = malloc((size_t)depth * 2 + n + 1);
    memset(s, '[', (size_t)depth);
    memcpy(s + depth, inner, n);
    memset(s + depth + n, ']', (size_t)depth);
    s[depth * 2 + n] = '\0';
    return s;
}

static void test_depth_limit(void **state)
{
    for (int depth = JSON_PARSER_MAX_DEPTH - 3; depth <= JSON_PARSER_MAX_DEPTH + 3; ++depth) {
        char *empty = nested(depth, ""), *one = nested(depth, "1");
        agree(empty, strlen(empty));
        agree(one, strlen(one));
        free(empty);
        free(one);
    }
    char *deep = nested(100000, "");
    bff_json_error_t err;
    assert_null(bff_json_parse(deep, strlen(deep), &err));
    assert_non_null(strstr(err.text, "depth"));
    free(deep);
}

static void test_error_positions(void **state)
{
    bff_json_error_t err;
    assert_null(bff_json_parse("{\"a\": [1, 2,, 3]}", 17, &err));
    assert_int_equal(err.position, 12);
    assert_null(bff_json_parse("[\"ok\", \"\xff\"]", 11, &err));
    assert_int_equal(err.position, 8);
    assert_non_null(strstr(err.text, "UTF-8"));
    json_t *v = bff_json_parse("[\"x\"]", 5, NULL); /* no error wanted */
    assert_non_null(v);
    json_decref(v);
    assert_null(bff_json_parse("[", 1, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_error_positions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
