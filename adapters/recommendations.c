/*
 * recommendations.c - the recommender: product ids for a product, best first.
 */
#include "storefront.h"
#include "pull.h"
#include "vendors.h"

const char *bff_recommendations_path(bff_arena_t *arena, const char *pid, long long n)
{
    return bff_arena_printf(arena, "/recs/for/%s?n=%lld", bff_vendor_escape(arena, pid), n);
}

static const char *id_row(bff_json_pull_t *j, bff_arena_t *arena, void *item, void *ctx)
{
    const char **id = item;
    bff_pull_string(j, arena, id);
    return *id != NULL ? NULL : "recommendations answered a product id that is not text";
}

const char *bff_recommendations_parse(const char *text, size_t len, bff_arena_t *arena, const char ***ids, size_t *n)
{
    return bff_pull_list(text, len, arena, "recommendations", "items", "recommendations answered without a list of products",
                         sizeof(**ids), id_row, NULL, (void **)ids, n);
}
