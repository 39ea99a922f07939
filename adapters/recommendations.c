/*
 * recommendations.c - the recommender: product ids for a product, best first.
 */
#include "storefront.h"
#include "vendors.h"

const char *bff_recommendations_path(bff_arena_t *arena, const char *pid, long long n)
{
    return bff_arena_printf(arena, "/recs/for/%s?n=%lld", bff_vendor_escape(arena, pid), n);
}

const char *bff_recommendations_parse(json_t *body, bff_arena_t *arena, const char ***ids, size_t *n)
{
    json_t *list = json_object_get(body, "items");
    *n = 0;
    if (!json_is_array(list))
        return "recommendations answered without a list of products";
    *ids = bff_arena_calloc(arena, json_array_size(list) + 1, sizeof(**ids));
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (!json_is_string(v))
            return "recommendations answered a product id that is not text";
        (*ids)[(*n)++] = bff_arena_strdup(arena, json_string_value(v));
    }
    return NULL;
}
