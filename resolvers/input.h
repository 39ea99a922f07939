/*
 * input.h - the rules for client-given strings (ids, handles, codes,
 * tokens, free text), checked for every resolver's arguments before it runs
 * and so before any provider call (resolvers.c binds each resolver behind
 * bff_input_check). A value that breaks its rule fails the field with
 * INVALID_INPUT (docs/errors.md).
 */
#ifndef BFF_RESOLVERS_INPUT_H
#define BFF_RESOLVERS_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "graphql/schema.h"

/* X(kind, min bytes, max bytes, what it must be) */
#define BFF_INPUT_KINDS(X)                                                                                                 \
    X(ID, 1, 256, "an id (letters, digits and - _ . : / ? = & ~ % +)")                                                    \
    X(HANDLE, 1, 255, "a handle (letters, digits, - _ .)")                                                               \
    X(CODE, 1, 64, "a code (letters, digits, - _)")                                                                       \
    X(TOKEN, 1, 512, "a token (printable ASCII without spaces)")                                                          \
    X(TEXT, 0, 4096, "text without control characters")

/* s (len bytes) against the rule named kind_name ("ID", "HANDLE", ...); false with *why. */
bool bff_input_string_valid(const char *kind_name, const char *s, size_t len, const char **why);

/* Checks every string argument of the field being resolved; false: r is completed with INVALID_INPUT. */
bool bff_input_check(bff_resolve_t *r);

#endif
