/*
 * sim.h - shared inside the simulator: the provider table, answering with
 * faults applied (main.c), request helpers, and the stateful commerce
 * providers (commerce.c).
 */
#ifndef BFF_SIM_SIM_H
#define BFF_SIM_SIM_H

#include <h2o.h>
#include <jansson.h>
#include <stdbool.h>

#include "data.h"

#define PROVIDERS(X)                                                                                                  \
    X(CATALOG, "catalog", "/catalog")                                                                                 \
    X(PRICING, "pricing", "/pricing")                                                                                 \
    X(INVENTORY, "inventory", "/inventory")                                                                           \
    X(PROMOTIONS, "promotions", "/promotions")                                                                        \
    X(TAX, "tax", "/tax")                                                                                             \
    X(SHIPPING, "shipping", "/shipping")                                                                              \
    X(PAYMENTS, "payments", "/payments")                                                                              \
    X(ORDERS, "orders", "/orders")                                                                                    \
    X(REVIEWS, "reviews", "/reviews")                                                                                 \
    X(RECOMMENDATIONS, "recommendations", "/recs")                                                                    \
    X(CARTS, "carts", "/carts")                                                                                       \
    X(CUSTOMERS, "customers", "/customers")

typedef enum {
#define PROVIDER_ENUM(id, name, prefix) P_##id,
    PROVIDERS(PROVIDER_ENUM)
#undef PROVIDER_ENUM
        P_COUNT
} provider_t;

extern const char *const sim_provider_names[];
const sim_data_t *sim_data(void);

/* Answers a provider request: `body` (a new reference, stolen) with `status`, the provider's faults applied. */
int sim_answer(provider_t pv, h2o_req_t *req, int status, json_t *body);
/* The same with the body as JSON text (malloc'd; taken). */
int sim_answer_text(provider_t pv, h2o_req_t *req, int status, char *text);
json_t *sim_error(const char *message);
bool sim_method_is(h2o_req_t *req, const char *m);
/* The path after `prefix`, without the query string (pool memory). */
char *sim_subpath(h2o_req_t *req, const char *prefix);
/* A request header's value (NUL-terminated, in the pool), or NULL. */
const char *sim_header(h2o_req_t *req, const char *name);
int sim_query_values(h2o_req_t *req, const char *name, const char **out, int max);

/* commerce.c */
int sim_serve_commerce(provider_t pv, h2o_req_t *req);
/* Forgets carts, authorizations and orders, and seeds the demo cart demo-cart-1. */
void sim_commerce_reset(void);
/* Releases what the tables hold (at exit). */
void sim_commerce_free(void);

#endif
