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

static const char *review_row(bff_json_pull_t *j, bff_arena_t *arena, bff_review_t *x)
{
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

const char *bff_reviews_parse(const char *text, size_t len, bff_arena_t *arena, bff_reviews_t *out)
{
    memset(out, 0, sizeof(*out));
    out->average = -1;
    bff_json_pull_t j;
    bff_json_pull_init(&j, text, len);
    const char *bad_row = NULL, *k;
    size_t kn, cap = 0;
    bool have_list = false, count_ok = false, average_ok = true;
    if (bff_json_pull_peek(&j) == BFF_JSON_OBJECT && bff_json_pull_object(&j)) {
        while (bff_json_pull_key(&j, &k, &kn)) {
            if (bff_key_is(k, kn, "count")) {
                count_ok = bff_pull_integer(&j, &out->count) == 1 && out->count >= 0;
            } else if (bff_key_is(k, kn, "average")) {
                out->average = -1;
                if (bff_json_pull_peek(&j) == BFF_JSON_NULL)
                    average_ok = bff_json_pull_skip(&j);
                else
                    average_ok = bff_pull_double(&j, &out->average) == 1 && out->average >= 1 && out->average <= 5;
            } else if (bff_key_is(k, kn, "reviews") && bff_json_pull_peek(&j) == BFF_JSON_ARRAY) {
                have_list = true; /* the last of duplicate keys counts */
                out->n = 0;
                bad_row = NULL;
                bff_json_pull_array(&j);
                while (bff_json_pull_item(&j)) {
                    out->items = bff_pull_grow(arena, out->items, out->n, &cap, sizeof(*out->items));
                    bff_review_t *x = &out->items[out->n];
                    const char *why = review_row(&j, arena, x);
                    if (why == NULL)
                        out->n++;
                    else if (bad_row == NULL)
                        bad_row = why;
                    if (why != NULL)
                        memset(x, 0, sizeof(*x));
                }
            } else {
                if (bff_key_is(k, kn, "reviews"))
                    have_list = false;
                bff_json_pull_skip(&j);
            }
        }
    } else {
        bff_json_pull_skip(&j);
    }
    bff_json_pull_end(&j);
    const char *broken = bff_pull_broken(&j, arena, "reviews");
    bff_json_pull_dispose(&j);
    if (broken != NULL)
        return broken;
    if (!count_ok || !have_list || !average_ok)
        return "reviews answered without a count, an average between 1 and 5, or a list";
    if (bad_row != NULL)
        return bad_row;
    if (out->items == NULL)
        out->items = bff_arena_calloc(arena, 1, sizeof(*out->items));
    return NULL;
}
