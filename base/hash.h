/*
 * hash.h - the one string hash of the tree: 64-bit FNV-1a, for hash tables
 * (names, documents, cache keys, client buckets, peer addresses). Not for
 * anything an attacker must not be able to collide on purpose: every table
 * using it is bounded, so collisions cost time, never memory.
 */
#ifndef BFF_GRAPHQL_HASH_H
#define BFF_GRAPHQL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define BFF_FNV1A_INIT 14695981039346656037ULL /* the offset basis (some copies here had lost a digit) */

/* Continues a hash `h` (BFF_FNV1A_INIT to start) over `n` bytes. */
static inline uint64_t bff_fnv1a_more(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; ++i)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

static inline uint64_t bff_fnv1a(const void *data, size_t n)
{
    return bff_fnv1a_more(BFF_FNV1A_INIT, data, n);
}

/* Of a NUL-terminated string. */
static inline uint64_t bff_fnv1a_str(const char *s)
{
    uint64_t h = BFF_FNV1A_INIT;
    for (; *s; ++s)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

#endif
