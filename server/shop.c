/*
 * shop.c - resolvers for the shop settings (Query.shop), served from the
 * configuration. A table binds them at boot; a field in the table that the
 * schema lacks stops the boot with its name.
 */
#include <jansson.h>
#include <stdio.h>

#include "graphql/exec.h"
#include "resolvers/resolvers.h"
#include "shop.h"

static void resolve_shop(bff_resolve_t *r, void *ctx)
{
    const bff_config_t *c = ctx;
    /* json_pack's new reference goes to the execution (released with its arena) */
    json_t *j = bff_shop_json(c->shop_name, c->shop_currency);
    if (j == NULL) {
        bff_resolve_error(r, "INTERNAL_SERVER_ERROR", "shop settings are not valid UTF-8");
        return;
    }
    bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), j));
}

static const struct {
    const char *type, *field;
    bff_resolver_fn fn;
} shop_resolvers[] = {
    {"Query", "shop", resolve_shop},
};

int bff_shop_bind(bff_schema_t *schema, const bff_config_t *config, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof(shop_resolvers) / sizeof(shop_resolvers[0]); ++i) {
        if (bff_schema_bind_resolver(schema, shop_resolvers[i].type, shop_resolvers[i].field, shop_resolvers[i].fn,
                                     (void *)config) != 0) {
            snprintf(err, errlen, "resolver table names %s.%s, which the schema does not define",
                     shop_resolvers[i].type, shop_resolvers[i].field);
            return -1;
        }
    }
    return 0;
}
