/*
 * suggest.c - suggestion lists for error messages, graphql-js's algorithm:
 * a Damerau-Levenshtein distance (adjacent transpositions count one) over
 * lower-cased names, where a pure case change counts one edit, cut off at
 * floor(0.4 * len(input)) + 1. Names are ASCII (GraphQL names are), so
 * bytes are characters here.
 */
#include "suggest.h"

#include <ctype.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

static int min3(int a, int b, int c)
{
    int m = a < b ? a : b;
    return m < c ? m : c;
}

/* Distance, or -1 when over the threshold. */
static int lexical_distance(const char *input, const char *option, int threshold)
{
    if (strcmp(input, option) == 0)
        return 0;
    size_t la = strlen(option), lb = strlen(input);
    char *a = malloc(la + 1), *b = malloc(lb + 1);
    for (size_t i = 0; i <= la; ++i)
        a[i] = (char)tolower((unsigned char)option[i]);
    for (size_t i = 0; i <= lb; ++i)
        b[i] = (char)tolower((unsigned char)input[i]);
    int result = -1;
    if (strcmp(a, b) == 0) {
        result = 1;
        goto done;
    }
    if (la < lb) {
        char *t = a;
        a = b;
        b = t;
        size_t tl = la;
        la = lb;
        lb = tl;
    }
    if ((int)(la - lb) > threshold)
        goto done;
    int *rows[3];
    for (int r = 0; r < 3; ++r)
        rows[r] = calloc(lb + 1, sizeof(int));
    for (size_t j = 0; j <= lb; ++j)
        rows[0][j] = (int)j;
    bool over = false;
    for (size_t i = 1; i <= la && !over; ++i) {
        int *up = rows[(i - 1) % 3], *cur = rows[i % 3];
        int smallest = cur[0] = (int)i;
        for (size_t j = 1; j <= lb; ++j) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int cell = min3(up[j] + 1, cur[j - 1] + 1, up[j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                int dd = rows[(i - 2) % 3][j - 2] + 1;
                if (dd < cell)
                    cell = dd;
            }
            if (cell < smallest)
                smallest = cell;
            cur[j] = cell;
        }
        if (smallest > threshold)
            over = true;
    }
    if (!over) {
        int d = rows[la % 3][lb];
        result = d <= threshold ? d : -1;
    }
    for (int r = 0; r < 3; ++r)
        free(rows[r]);
done:
    free(a);
    free(b);
    return result;
}

int bff_natural_compare(const char *a, const char *b)
{
    size_t ai = 0, bi = 0, la = strlen(a), lb = strlen(b);
    while (ai < la && bi < lb) {
        unsigned char ac = (unsigned char)a[ai], bc = (unsigned char)b[bi];
        if (isdigit(ac) && isdigit(bc)) {
            unsigned long long an = 0, bn = 0;
            do {
                ++ai;
                an = an * 10 + (ac - '0');
                ac = ai < la ? (unsigned char)a[ai] : 0;
            } while (isdigit(ac) && an > 0);
            do {
                ++bi;
                bn = bn * 10 + (bc - '0');
                bc = bi < lb ? (unsigned char)b[bi] : 0;
            } while (isdigit(bc) && bn > 0);
            if (an != bn)
                return an < bn ? -1 : 1;
        } else {
            if (ac != bc)
                return ac < bc ? -1 : 1;
            ++ai;
            ++bi;
        }
    }
    return (int)la - (int)lb;
}

typedef struct st_scored_t {
    const char *name;
    int distance;
} scored_t;

static int scored_cmp(const void *x, const void *y)
{
    const scored_t *a = x, *b = y;
    if (a->distance != b->distance)
        return a->distance - b->distance;
    return bff_natural_compare(a->name, b->name);
}

size_t bff_suggestion_list(bff_arena_t *arena, const char *input, const char *const *options, size_t noptions,
                           const char ***out)
{
    int threshold = (int)(strlen(input) * 4 / 10) + 1;
    scored_t *scored = bff_arena_alloc(arena, (noptions + 1) * sizeof(*scored));
    size_t n = 0;
    for (size_t i = 0; i < noptions; ++i) {
        bool dup = false; /* options are a set, as graphql-js's object keys are */
        for (size_t k = 0; k < n && !dup; ++k)
            dup = strcmp(scored[k].name, options[i]) == 0;
        if (dup)
            continue;
        int d = lexical_distance(input, options[i], threshold);
        if (d >= 0)
            scored[n++] = (scored_t){options[i], d};
    }
    qsort(scored, n, sizeof(*scored), scored_cmp);
    const char **list = bff_arena_alloc(arena, (n + 1) * sizeof(*list));
    for (size_t i = 0; i < n; ++i)
        list[i] = scored[i].name;
    *out = list;
    return n;
}

void bff_did_you_mean(bff_buf_t *out, const char *sub, const char *const *suggestions, size_t n)
{
    if (n == 0)
        return;
    bff_buf_appends(out, " Did you mean ");
    if (sub != NULL) {
        bff_buf_appends(out, sub);
        bff_buf_appendc(out, ' ');
    }
    if (n > 5)
        n = 5;
    for (size_t i = 0; i < n; ++i) {
        if (i > 0)
            bff_buf_appends(out, n == 2 ? " or " : (i == n - 1 ? ", or " : ", "));
        bff_buf_printf(out, "\"%s\"", suggestions[i]);
    }
    bff_buf_appendc(out, '?');
}
