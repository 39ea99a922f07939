/*
 * validate_fuzz.c - fuzz target for parse + validate against the
 * differential test's storefront schema (built once, on first input).
 *
 * Any document must be rejected with well-formed errors (a message, a
 * graphql-js rule name, locations inside the document) or accepted, never
 * crash, hang or exceed the error cap.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/parser.h"
#include "graphql/schema.h"
#include "graphql/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bff_schema_t *schema;

static void free_schema(void)
{
    bff_schema_free(schema);
}

static void load_schema(void)
{
    const char *path = BFF_SOURCE_DIR "/tests/conformance/differential/schema.graphql";
    bff_arena_t *err_arena = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    schema = bff_schema_build_files(&path, 1, NULL, err_arena, &errs);
    if (schema == NULL) {
        fprintf(stderr, "validate_fuzz: %s does not build: %s\n", path, errs.head ? errs.head->message : "?");
        abort();
    }
    bff_arena_free(err_arena);
    atexit(free_schema);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (schema == NULL)
        load_schema();
    bff_arena_t *arena = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    bff_parse_options_t popts = {20000, 64};
    bff_ast_node_t *doc = bff_gql_parse(arena, (const char *)data, size, &popts, &errs);
    if (doc != NULL) {
        bff_validate_options_t vopts = {0, 0};
        size_t n = bff_gql_validate(schema, doc, &vopts, arena, &errs);
        if (n != errs.count || n > 101)
            abort();
        for (bff_gql_error_t *e = errs.head; e != NULL; e = e->next) {
            if (e->message == NULL || e->message[0] == '\0')
                abort();
            for (uint32_t i = 0; i < e->nlocations; ++i)
                if (e->locations[i].offset > size || e->locations[i].line == 0)
                    abort();
        }
    }
    bff_arena_free(arena);
    return 0;
}
