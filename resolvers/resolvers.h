/*
 * resolvers.h - the resolver tables of the commerce schema (one file per
 * domain: catalog.c, ...) and their binding at boot: every entry must name a
 * field the schema has, or the boot stops with its name.
 */
#ifndef BFF_RESOLVERS_RESOLVERS_H
#define BFF_RESOLVERS_RESOLVERS_H

#include <curl/curl.h>
#include <stddef.h>

#include "adapters/vendors.h"
#include "context.h"
#include "graphql/schema.h"

/*
 * o[key] = value as a JSON string, or null when value is NULL. For building
 * the schema's shapes: keys are constants here (not checked), values are
 * checked as UTF-8 by jansson (an invalid one leaves the key out).
 */
static inline void bff_json_set_string(json_t *o, const char *key, const char *value)
{
    json_object_set_new_nocheck(o, key, value != NULL ? json_string(value) : json_null());
}

typedef struct st_bff_resolver_entry_t {
    const char *type, *field;
    void (*fn)(bff_resolve_t *r, void *ctx);
} bff_resolver_entry_t;

/*
 * The fields a domain's mapping functions fill in the objects they return,
 * which the default resolver (the parent's property) then reads: `fields` is
 * space-separated. A field of the schema that is neither bound nor listed
 * here stops the boot with its name.
 */
typedef struct st_bff_resolver_defaults_t {
    const char *type, *fields;
} bff_resolver_defaults_t;

extern const bff_resolver_entry_t bff_catalog_resolvers[];
extern const bff_resolver_entry_t bff_cart_resolvers[];
extern const bff_resolver_entry_t bff_checkout_resolvers[];
extern const bff_resolver_entry_t bff_order_resolvers[];
extern const bff_resolver_entry_t bff_pricing_resolvers[], bff_inventory_resolvers[], bff_reviews_resolvers[];
extern const bff_resolver_defaults_t bff_catalog_defaults[], bff_cart_defaults[], bff_checkout_defaults[],
    bff_order_defaults[], bff_pricing_defaults[], bff_inventory_defaults[], bff_reviews_defaults[];

/*
 * Loaders of single objects by id, for fields and for node(id)/nodes(ids):
 * cb gets the schema-shaped JSON (borrowed; NULL with no code when there is
 * no such object) or a code and message.
 */
typedef bff_provider_cb bff_json_cb; /* body: the object, NULL (and no error) when there is none */
/* `id`: the orders service's id, opened from a client-facing id (ids.h) by the caller. */
void bff_order_load(bff_reqctx_t *ctx, const char *id, bff_json_cb cb, void *arg);
/* The schema's Order for an orders-service order (a new reference; its id the client-facing one, ids.h). */
json_t *bff_order_map(const bff_reqctx_t *ctx, const bff_order_t *order, const char *payment_status);
/* The request's pricing loader for a currency: keys are SKUs, values {"amount_minor", "compare_at_minor"?}. */
bff_loader_t *bff_pricing_loader(bff_reqctx_t *ctx, const char *currency);
void bff_product_load(bff_reqctx_t *ctx, const char *pid, bff_json_cb cb, void *arg);
void bff_collection_load(bff_reqctx_t *ctx, const char *cid, bff_json_cb cb, void *arg);
/* The shop's global id (one shop per deployment), and the Shop object for its settings (NULL: not UTF-8). */
#define BFF_SHOP_GID "gid://bff/Shop/default"
json_t *bff_shop_json(const char *name, const char *currency);
/* A bff_json_cb that completes the resolver handle `arg` with the value (null) or the error. */
void bff_complete_json(const bff_outcome_t *o, void *arg);

/* A resolver's request context (the executor's `user`). */
static inline bff_reqctx_t *bff_ctx_of(bff_resolve_t *r)
{
    return bff_resolve_user(r);
}

/* The parent object's JSON (a provider's mapped object), or NULL when the parent is not JSON. */
static inline json_t *bff_parent_json(bff_resolve_t *r)
{
    const bff_value_t *p = bff_resolve_parent(r);
    return p->kind == BFF_VAL_JSON ? p->u.json : NULL;
}

/* Fails a field for a provider: `code` (BFF_CODE_*) and extensions.dependency naming the provider. */
void bff_resolve_dependency_error(bff_resolve_t *r, const char *code, const char *provider, const char *message);

/* Binds every table; -1 with a message naming the entry when the schema lacks its field. */
int bff_resolvers_bind(bff_schema_t *schema, char *err, size_t errlen);

#endif
