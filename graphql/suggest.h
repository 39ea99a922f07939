/*
 * suggest.h - "Did you mean ...?" as graphql-js words it: suggestionList
 * (options within a lexical distance of 40% of the input's length, closest
 * first, ties in natural order) and didYouMean (at most five, quoted, "or"
 * before the last).
 */
#ifndef BFF_GRAPHQL_SUGGEST_H
#define BFF_GRAPHQL_SUGGEST_H

#include <stddef.h>

#include "base/arena.h"
#include "base/buf.h"

/*
 * The options close to `input`, sorted; returns how many, with the array
 * (arena memory) in *out. Options are not copied.
 */
size_t bff_suggestion_list(bff_arena_t *arena, const char *input, const char *const *options, size_t noptions,
                           const char ***out);
/* Appends " Did you mean [sub ]"a", "b", or "c"?" to `out`; nothing when n is 0. `sub` may be NULL. */
void bff_did_you_mean(bff_buf_t *out, const char *sub, const char *const *suggestions, size_t n);
/* graphql-js naturalCompare: digit runs compare as numbers. */
int bff_natural_compare(const char *a, const char *b);

#endif
