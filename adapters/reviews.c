/*
 * reviews.c - the reviews service: a product's rating summary and newest reviews.
 */
#include <string.h>

#include "storefront.h"
#include "vendors.h"

const char *bff_reviews_path(bff_arena_t *arena, const char *pid, int limit)
{
    return bff_arena_printf(arena, "/reviews/products/%s?limit=%d", bff_vendor_escape(arena, pid), limit);
}

const char *bff_reviews_parse(json_t *body, bff_arena_t *arena, bff_reviews_t *out)
{
    memset(out, 0, sizeof(*out));
    json_t *count = json_object_get(body, "count"), *avg = json_object_get(body, "average"),
           *list = json_object_get(body, "reviews");
    if (!json_is_integer(count) || json_integer_value(count) < 0 || !json_is_array(list) ||
        !(json_is_null(avg) || avg == NULL || (json_is_number(avg) && json_number_value(avg) >= 1 &&
                                               json_number_value(avg) <= 5)))
        return "reviews answered without a count, an average between 1 and 5, or a list";
    out->count = json_integer_value(count);
    out->average = json_is_number(avg) ? json_number_value(avg) : -1;
    out->items = bff_arena_calloc(arena, json_array_size(list) + 1, sizeof(*out->items));
    size_t i;
    json_t *r;
    json_array_foreach(list, i, r)
    {
        bff_review_t *x = &out->items[out->n];
        json_t *rating = json_object_get(r, "rating");
        const char *id = json_string_value(json_object_get(r, "id"));
        const char *title = json_string_value(json_object_get(r, "title"));
        const char *author = json_string_value(json_object_get(r, "author"));
        if (id == NULL || !json_is_integer(rating) || json_integer_value(rating) < 1 || json_integer_value(rating) > 5)
            return "reviews answered a review without an id or a rating of 1 to 5";
        x->id = bff_arena_strdup(arena, id);
        x->rating = (int)json_integer_value(rating);
        x->title = bff_arena_strdup(arena, title ? title : "");
        x->author = bff_arena_strdup(arena, author ? author : "");
        out->n++;
    }
    return NULL;
}
