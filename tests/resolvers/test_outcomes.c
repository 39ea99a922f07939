/*
 * test_outcomes.c - the provider outcomes' error table (BFF_DEP_ERRORS,
 * resolvers/context.h): every code it gives clients is documented in
 * docs/errors.md, the codes are distinct, and the enum maps to them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "resolvers/context.h"

static char *read_doc(void)
{
    FILE *f = fopen(BFF_SOURCE_DIR "/docs/errors.md", "rb");
    assert_non_null(f);
    static char buf[1 << 18];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    assert_true(n > 0 && n < sizeof(buf) - 1);
    buf[n] = '\0';
    return buf;
}

static void test_every_code_is_documented(void **state)
{
    const char *doc = read_doc();
    assert_null(bff_dep_error_code(BFF_DEP_OK));
    for (int e = BFF_DEP_OK + 1; e < BFF_DEP_ERROR_COUNT; ++e) {
        const char *code = bff_dep_error_code((bff_dep_error_t)e);
        assert_non_null(code);
        char row[96];
        snprintf(row, sizeof(row), "| `%s` |", code);
        if (strstr(doc, row) == NULL)
            fail_msg("%s is not a row of docs/errors.md", code);
        for (int k = BFF_DEP_OK + 1; k < e; ++k)
            assert_string_not_equal(code, bff_dep_error_code((bff_dep_error_t)k));
    }
}

static void test_enum_maps_to_its_code(void **state)
{
    assert_string_equal(bff_dep_error_code(BFF_DEP_TIMEOUT), "DEPENDENCY_TIMEOUT");
    assert_string_equal(bff_dep_error_code(BFF_DEP_UNAVAILABLE), "DEPENDENCY_UNAVAILABLE");
    assert_string_equal(bff_dep_error_code(BFF_DEP_REJECTED), "PROVIDER_REJECTED");
    assert_string_equal(bff_dep_error_code(BFF_DEP_CANCELLED), "CANCELLED");
    assert_string_equal(bff_dep_error_code(BFF_DEP_ERROR_COUNT), "INTERNAL"); /* out of range: never NULL */
    const bff_outcome_t *m = BFF_OUTCOME_MALFORMED("catalog", "no id");
    assert_int_equal(m->error, BFF_DEP_UNAVAILABLE);
    assert_string_equal(m->code, bff_dep_error_code(m->error));
    assert_string_equal(m->provider, "catalog");
    assert_null(BFF_OUTCOME_VALUE(NULL)->code);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_is_documented),
        cmocka_unit_test(test_enum_maps_to_its_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
