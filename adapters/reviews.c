/*
 * reviews.c - the reviews service: a product's rating summary and newest reviews.
 */
#include <string.h>

#include "storefront.h"
#include "pull.h"
#include "vendors.h"

const char *bff_reviews_path(bff_arena_t *arena, const char *pid, int limit)
{
    return bff_arena_printf(arena, "/reviews/products/%s?limit=%d", bff_vendor_escape(arena, pid), limit);
}

static const char *review_row(bff_json_pull_t *j, bff_arena_t *arena, void *item, void *ctx)
{
    bff_review_t *x = item;
    int id = 0, has_rating = 0;
    int64_t rating = 0;
    const bff_pull_field_t fields[] = {{"id", BFF_PULL_STRING, &x->id, &id},
                                       {"rating", BFF_PULL_INTEGER, &rating, &has_rating},
                                       {"title", BFF_PULL_STRING, &x->title, NULL},
                                       {"author", BFF_PULL_STRING, &x->author, NULL}};
    bff_pull_fields(j, arena, fields, sizeof(fields) / sizeof(fields[0]));
    if (id != BFF_PULL_READ || has_rating != BFF_PULL_READ || rating < 1 || rating > 5)
        return "reviews answered a review without an id or a rating of 1 to 5";
    x->rating = (int)rating;
    if (x->title == NULL)
        x->title = "";
    if (x->author == NULL)
        x->author = "";
    return NULL;
}

/* The summary beside the list: "count" (a whole number >= 0) and "average" (null, or 1 to 5). */
typedef struct st_summary_t {
    bff_reviews_t *out;
    bool count_ok, average_ok;
} summary_t;

static bool summary_member(bff_json_pull_t *j, bff_arena_t *arena, const char *key, size_t len, void *arg)
{
    summary_t *s = arg;
    if (bff_key_is(key, len, "count")) {
        int r = bff_pull_integer(j, &s->out->count);
        s->count_ok = r == 1 && s->out->count >= 0;
        return r >= 0;
    }
    if (bff_key_is(key, len, "average")) {
        s->out->average = -1;
        if (bff_json_pull_peek(j) == BFF_JSON_NULL) {
            s->average_ok = true;
            return bff_json_pull_skip(j);
        }
        int r = bff_pull_double(j, &s->out->average);
        if (r < 0)
            return false;
        s->average_ok = r == 1 && s->out->average >= 1 && s->out->average <= 5;
        if (!s->average_ok)
            s->out->average = -1;
        return true;
    }
    return bff_json_pull_skip(j);
}

const char *bff_reviews_parse(const char *text, size_t len, bff_arena_t *arena, bff_reviews_t *out)
{
    memset(out, 0, sizeof(*out));
    out->average = -1;
    summary_t s = {.out = out, .average_ok = true};
    const char *bad_row;
    bool listed;
    const char *broken = bff_pull_walk(text, len, arena, "reviews", "reviews", sizeof(*out->items), review_row, NULL,
                                       summary_member, &s, (void **)&out->items, &out->n, &listed, &bad_row);
    if (broken != NULL)
        return broken;
    if (!s.count_ok || !listed || !s.average_ok)
        return "reviews answered without a count, an average between 1 and 5, or a list";
    return bad_row;
}
