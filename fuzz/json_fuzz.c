/*
 * json_fuzz.c - fuzz target for bff_json_parse (base/json_parse.c).
 *
 * Differential: any input is accepted by both bff_json_parse and jansson's
 * json_loadb with equal values, or refused by both (an error with a position
 * inside the input); the pull reader's check (bff_json_valid) agrees. Inputs with a NUL byte must be refused (jansson takes a
 * NUL after a number as the end of the text; see tests/unit/test_json_parse.c).
 *
 * Built as a libFuzzer target with clang (make fuzz), and as a replay driver
 * (fuzz/replay.c) that `make test` runs over the seed inputs.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bff_json_error_t err;
    json_t *got = bff_json_parse((const char *)data, size, &err);
    if (got == NULL && (err.text[0] == '\0' || err.position > size))
        abort();
    bff_json_error_t verr;
    if (bff_json_valid((const char *)data, size, &verr) != (got != NULL)) {
        fprintf(stderr, "bff_json_valid and bff_json_parse disagree: %s / %s\n", got ? "accepted" : err.text, verr.text);
        abort();
    }
    if (memchr(data, '\0', size) != NULL) {
        if (got != NULL)
            abort();
        return 0;
    }
    json_error_t jerr;
    json_t *want = json_loadb((const char *)data, size, 0, &jerr);
    if ((want == NULL) != (got == NULL) || (want != NULL && !json_equal(want, got))) {
        fprintf(stderr, "bff_json_parse and json_loadb disagree: %s / %s\n", got ? "accepted" : err.text,
                want ? "accepted" : jerr.text);
        abort();
    }
    json_decref(want);
    json_decref(got);
    return 0;
}
