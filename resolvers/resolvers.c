/*
 * resolvers.c - binds the domain resolver tables to the schema at boot.
 */
#include "resolvers.h"

#include "input.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const bff_resolver_entry_t *const tables[] = {bff_catalog_resolvers, bff_pricing_resolvers, bff_inventory_resolvers,
                                                       bff_reviews_resolvers, bff_cart_resolvers, bff_checkout_resolvers,
                                                       bff_order_resolvers};

/* Filled by server/shop.c's Query.shop. */
static const bff_resolver_defaults_t shop_defaults[] = {{"Shop", "id name currencyCode currency"}, {NULL, NULL}};

static const bff_resolver_defaults_t *const defaults[] = {bff_catalog_defaults,  bff_pricing_defaults,   bff_inventory_defaults,
                                                          bff_reviews_defaults,  bff_cart_defaults,      bff_checkout_defaults,
                                                          bff_order_defaults,    shop_defaults};

static bool has_default(const char *type, const char *field)
{
    size_t n = strlen(field);
    for (size_t t = 0; t < sizeof(defaults) / sizeof(defaults[0]); ++t) {
        for (const bff_resolver_defaults_t *d = defaults[t]; d->type != NULL; ++d) {
            if (strcmp(d->type, type) != 0)
                continue;
            for (const char *p = d->fields; (p = strstr(p, field)) != NULL; p += n)
                if ((p == d->fields || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
                    return true;
        }
    }
    return false;
}

/* Every resolver runs behind the input rules (input.h): nothing reaches a provider with an id it should not carry. */
static void checked_resolve(bff_resolve_t *r, void *ctx)
{
    const bff_resolver_entry_t *e = ctx;
    if (bff_input_check(r))
        e->fn(r, NULL);
}

int bff_resolvers_bind(bff_schema_t *schema, char *err, size_t errlen)
{
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); ++t) {
        for (const bff_resolver_entry_t *e = tables[t]; e->type != NULL; ++e) {
            if (bff_schema_bind_resolver(schema, e->type, e->field, checked_resolve, (void *)e) != 0) {
                snprintf(err, errlen, "resolver table names %s.%s, which the schema does not define", e->type,
                         e->field);
                return -1;
            }
        }
    }
    /* every field of every object type: bound, or filled by a mapping (the default resolver reads it) */
    for (uint32_t i = 0; i < schema->ntypes; ++i) {
        const bff_type_t *t = schema->types[i];
        if (t->kind != BFF_TYPE_OBJECT || t->builtin)
            continue;
        for (uint32_t k = 0; k < t->nfields; ++k) {
            if (t->fields[k].resolve == NULL && !has_default(t->name, t->fields[k].name)) {
                snprintf(err, errlen,
                         "the schema's field %s.%s has neither a resolver nor a default (resolvers/*.c: a table "
                         "entry, or the mapping's defaults list)",
                         t->name, t->fields[k].name);
                return -1;
            }
        }
    }
    return 0;
}

void bff_resolve_dependency_error(bff_resolve_t *r, const char *code, const char *provider, const char *message)
{
    bff_resolve_error_ext(r, code, bff_arena_printf(bff_resolve_arena(r), "{\"dependency\":\"%s\"}", provider), message);
}
