/*
 * test_trace.c - W3C Trace Context: which traceparents are continued (the
 * specification's valid forms) and which start a new trace, the tracestate
 * passed on only beside a valid parent, and the child header's form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "adapters/trace.h"

#define TRACE "4bf92f3577b34da6a3ce929d0e0e4736"
#define PARENT "00f067aa0ba902b7"

static void test_continued_or_started(void **state)
{
    static const struct {
        const char *tp;
        int continued;
    } cases[] = {
        {"00-" TRACE "-" PARENT "-01", 1},
        {"00-" TRACE "-" PARENT "-00", 1},
        {"01-" TRACE "-" PARENT "-01-what-comes-next", 1}, /* a later version: its first fields are read */
        {"01-" TRACE "-" PARENT "-01", 1},
        {"00-" TRACE "-" PARENT "-01-extra", 0},            /* version 00 is exactly 55 characters */
        {"01-" TRACE "-" PARENT "-01x", 0},
        {"ff-" TRACE "-" PARENT "-01", 0},                  /* version ff is invalid */
        {"00-4BF92F3577B34DA6A3CE929D0E0E4736-" PARENT "-01", 0}, /* upper case */
        {"00-00000000000000000000000000000000-" PARENT "-01", 0},
        {"00-" TRACE "-0000000000000000-01", 0},
        {"00-" TRACE "-" PARENT "-0", 0},
        {"00_" TRACE "-" PARENT "-01", 0},
        {"", 0},
        {NULL, 0},
    };
    uint64_t rng = 42;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        bff_trace_t t;
        bff_trace_begin(&t, cases[i].tp, "congo=t61rcWkgMzE", &rng);
        assert_int_equal(strlen(t.trace_id), 32);
        assert_int_equal(strlen(t.span_id), 16);
        assert_string_not_equal(t.trace_id, "00000000000000000000000000000000");
        if (cases[i].continued) {
            assert_string_equal(t.trace_id, TRACE);
            assert_string_equal(t.parent_id, PARENT);
            assert_string_equal(t.tracestate, "congo=t61rcWkgMzE");
            assert_string_not_equal(t.span_id, PARENT);
        } else {
            if (cases[i].tp != NULL && strlen(cases[i].tp) > 35)
                assert_memory_not_equal(t.trace_id, TRACE, 32);
            assert_string_equal(t.parent_id, "");
            assert_string_equal(t.tracestate, ""); /* not without a valid parent */
            assert_int_equal(t.flags, 0);
        }
    }
}

static void test_flags_state_and_header(void **state)
{
    uint64_t rng = 7;
    bff_trace_t t;
    bff_trace_begin(&t, "00-" TRACE "-" PARENT "-03", "a=1\r\nx: y", &rng);
    assert_int_equal(t.flags, 1); /* level 1 knows the sampled bit only */
    assert_string_equal(t.tracestate, ""); /* not printable ASCII: dropped, never repaired */
    char span[17], line[80];
    bff_trace_span_id(&rng, span);
    bff_trace_header(&t, span, line);
    assert_int_equal(strlen(line), strlen("traceparent: ") + 55);
    assert_memory_equal(line, "traceparent: 00-" TRACE "-", 16 + 33);
    assert_string_equal(line + strlen(line) - 2, "01");
    char big[600];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    bff_trace_begin(&t, "00-" TRACE "-" PARENT "-01", big, &rng);
    assert_string_equal(t.tracestate, ""); /* over 512 characters */
    /* span ids differ from call to call */
    char a[17], b[17];
    bff_trace_span_id(&rng, a);
    bff_trace_span_id(&rng, b);
    assert_string_not_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_continued_or_started),
        cmocka_unit_test(test_flags_state_and_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
