/*
 * resolvers.h - the resolver tables of the commerce schema (one file per
 * domain: catalog.c, ...) and their binding at boot: every entry must name a
 * field the schema has, or the boot stops with its name.
 */
#ifndef BFF_RESOLVERS_RESOLVERS_H
#define BFF_RESOLVERS_RESOLVERS_H

#include <curl/curl.h>
#include <stddef.h>

#include "context.h"
#include "graphql/schema.h"

typedef struct st_bff_resolver_entry_t {
    const char *type, *field;
    void (*fn)(bff_resolve_t *r, void *ctx);
} bff_resolver_entry_t;

extern const bff_resolver_entry_t bff_catalog_resolvers[];
extern const bff_resolver_entry_t bff_cart_resolvers[];
extern const bff_resolver_entry_t bff_checkout_resolvers[];
extern const bff_resolver_entry_t bff_order_resolvers[];

/* Fetches order `id` (the orders service's id) with its payment status and completes r with it (orders.c). */
void bff_order_fetch(bff_resolve_t *r, const char *id);

/* Binds every table; -1 with a message naming the entry when the schema lacks its field. */
int bff_resolvers_bind(bff_schema_t *schema, char *err, size_t errlen);

#endif
