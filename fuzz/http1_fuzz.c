/*
 * http1_fuzz.c - fuzz target for the upstream HTTP/1.1 response parser
 * (adapters/http1.c): a provider's bytes, however they come.
 *
 * Invariants: no crash or leak; a body never larger than the limit; and the
 * outcome (error, status, body length, whether the connection is kept) is the
 * same whether the bytes come in one read or split at points the input picks
 * (its first byte seeds the cuts), as TCP may split them.
 *
 * Built as a libFuzzer target with clang (make fuzz), and as a replay driver
 * (fuzz/replay.c) that `make test` runs over the seed inputs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "adapters/http1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const size_t max = 4096;
    long status1, status2;
    size_t len1, len2;
    bool keep1, keep2;
    bff_upstream_error_t e1 = bff_h1_parse((const char *)data, size, NULL, 0, max, &status1, &len1, &keep1);
    size_t cuts[16], ncuts = 0;
    uint32_t x = size > 0 ? data[0] * 2654435761u + 1 : 1;
    for (size_t at = 0; ncuts < 16 && size > 0;) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        at += 1 + x % 24;
        if (at >= size)
            break;
        cuts[ncuts++] = at;
    }
    bff_upstream_error_t e2 = bff_h1_parse((const char *)data, size, cuts, ncuts, max, &status2, &len2, &keep2);
    if (len1 > max || len2 > max)
        abort();
    if (e1 != e2 || (e1 == BFF_UPSTREAM_OK && (status1 != status2 || len1 != len2 || keep1 != keep2))) {
        fprintf(stderr, "split changes the outcome: %s/%ld/%zu/%d against %s/%ld/%zu/%d\n", bff_upstream_errname(e1),
                status1, len1, keep1, bff_upstream_errname(e2), status2, len2, keep2);
        abort();
    }
    return 0;
}
