/*
 * parse_fuzz.c - fuzz target for the lexer, parser and printer.
 *
 * Any input must parse or fail with exactly one syntax error carrying a
 * location inside the document, never crash or hang (token and depth limits
 * bound the work). A document that parses must print to text that parses
 * again and prints identically (the printer and parser agree).
 *
 * Built as a libFuzzer target with clang (make fuzz), and as a replay driver
 * (fuzz/replay.c) that `make test` runs over the seed corpus.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bff_arena_t *arena = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    bff_parse_options_t opts = {20000, 64};
    bff_ast_node_t *doc = bff_gql_parse(arena, (const char *)data, size, &opts, &errs);
    if (doc == NULL) {
        if (errs.count != 1 || errs.head->nlocations != 1 || strncmp(errs.head->message, "Syntax Error: ", 14) != 0 ||
            errs.head->locations[0].offset > size)
            abort();
    } else {
        size_t len1, len2;
        char *printed = bff_gql_print(arena, doc, &len1);
        bff_gql_errors_t errs2 = BFF_GQL_ERRORS_INIT;
        bff_parse_options_t unlimited = {0, 0};
        bff_ast_node_t *again = bff_gql_parse(arena, printed, len1, &unlimited, &errs2);
        if (again == NULL) {
            fprintf(stderr, "printed document does not parse: %s\n%.*s\n", errs2.head->message, (int)len1, printed);
            abort();
        }
        char *printed2 = bff_gql_print(arena, again, &len2);
        if (len1 != len2 || memcmp(printed, printed2, len1) != 0) {
            fprintf(stderr, "print is not stable:\n%.*s\n---\n%.*s\n", (int)len1, printed, (int)len2, printed2);
            abort();
        }
    }
    bff_arena_free(arena);
    return 0;
}
