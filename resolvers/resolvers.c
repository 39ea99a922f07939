/*
 * resolvers.c - binds the domain resolver tables to the schema at boot.
 */
#include "resolvers.h"

#include <stdio.h>

static const bff_resolver_entry_t *const tables[] = {bff_catalog_resolvers, bff_cart_resolvers, bff_checkout_resolvers,
                                                       bff_order_resolvers};

int bff_resolvers_bind(bff_schema_t *schema, char *err, size_t errlen)
{
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); ++t) {
        for (const bff_resolver_entry_t *e = tables[t]; e->type != NULL; ++e) {
            if (bff_schema_bind_resolver(schema, e->type, e->field, e->fn, NULL) != 0) {
                snprintf(err, errlen, "resolver table names %s.%s, which the schema does not define", e->type,
                         e->field);
                return -1;
            }
        }
    }
    return 0;
}
