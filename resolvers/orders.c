/*
 * orders.c - placed orders: the orders service has the order, the payment
 * provider its payment state.
 */
#include <stdio.h>
#include <string.h>

#include "adapters/vendors.h"
#include "adapters/storefront.h"
#include "adapters/money.h"
#include "ids.h"
#include "adapters/gateway.h"
#include "resolvers.h"

typedef struct st_order_call_t {
    bff_reqctx_t *ctx;
    bff_json_cb cb;
    void *arg;
} order_call_t;

json_t *bff_order_map(const bff_reqctx_t *ctx, const bff_order_t *o, const char *payment_status)
{
    /* payment_status NULL: Order.paymentStatus asks the payment provider when the query wants it */
    const char *gid = bff_id_seal(ctx, "Order", o->id);
    if (gid == NULL)
        return NULL;
    json_t *lines = json_array();
    for (size_t i = 0; i < o->nlines; ++i) {
        const bff_order_line_t *l = &o->lines[i];
        json_array_append_new(lines, json_pack("{s:s, s:I, s:o, s:o, s:o}", "sku", l->sku, "quantity",
                                               (json_int_t)l->quantity, "unitPrice", bff_money_json(l->unit, o->currency),
                                               "discount", bff_money_json(l->discount, o->currency), "total",
                                               bff_money_json(l->unit * l->quantity - l->discount, o->currency)));
    }
    return json_pack("{s:s, s:s, s:I, s:o, s:s?, s:s, s:s, s:o}", "__typename", "Order", "id", gid, "number",
                     (json_int_t)o->number, "total", bff_money_json(o->total, o->currency), "paymentStatus",
                     payment_status, "_authorization_id", o->authorization_id, "fulfillmentStatus",
                     o->fulfillment_status, "lines", lines);
}

/* ---- Order.paymentStatus: the payment provider's state of the order's authorization ---- */

static void on_payment(const bff_payment_t *payment, const bff_outcome_t *o, void *arg)
{
    bff_resolve_t *r = arg;
    if (payment == NULL)
        bff_resolve_dependency_error(r, o->code, "payments", o->message);
    else
        bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), json_string(payment->status)));
}

static void resolve_payment_status(bff_resolve_t *r, void *unused)
{
    const bff_value_t *parent = bff_resolve_parent(r);
    json_t *order = parent->kind == BFF_VAL_JSON ? parent->u.json : NULL;
    const char *known = json_string_value(json_object_get(order, "paymentStatus"));
    const char *auth = json_string_value(json_object_get(order, "_authorization_id"));
    if (known != NULL || auth == NULL) {
        bff_resolve_ok(r, known ? bff_value_json(bff_resolve_arena(r), json_string(known)) : bff_value_null());
        return;
    }
    bff_gw_payment(&bff_ctx_of(r)->scope, auth, on_payment, r);
}

static void on_order(const bff_order_t *order, const bff_outcome_t *o, void *arg)
{
    order_call_t *c = arg;
    if (o->status == 404) { /* no such order: null */
        c->cb(BFF_OUTCOME_VALUE(NULL), c->arg);
        return;
    }
    if (order == NULL) {
        c->cb(o, c->arg);
        return;
    }
    json_t *out = bff_order_map(c->ctx, order, NULL);
    c->cb(BFF_OUTCOME_VALUE(out), c->arg);
    json_decref(out);
}

void bff_order_load(bff_reqctx_t *ctx, const char *id, bff_json_cb cb, void *arg)
{
    for (const char *p = id; *p; ++p)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-')) {
            cb(BFF_OUTCOME_VALUE(NULL), arg);
            return;
        }
    order_call_t *c = bff_arena_calloc(ctx->arena, 1, sizeof(*c));
    c->ctx = ctx;
    c->cb = cb;
    c->arg = arg;
    bff_gw_order(&ctx->scope, id, on_order, c);
}

static void resolve_order(bff_resolve_t *r, void *unused)
{
    /* only the id checkout gave (with its key): a sequential order id alone reads nothing and calls nobody */
    const char *id = bff_id_open(bff_resolve_user(r), "Order", json_string_value(bff_resolve_arg(r, "id")));
    if (id == NULL) {
        bff_resolve_ok(r, bff_value_null());
        return;
    }
    bff_order_load(bff_resolve_user(r), id, bff_complete_json, r);
}

/* ---- Query.customer(token) ---- */

static void on_customer(const bff_customer_t *customer, const bff_outcome_t *o, void *arg)
{
    bff_resolve_t *r = arg;
    if (o->status == 401 || o->status == 404) {
        bff_resolve_ok(r, bff_value_null()); /* an unknown token is no customer, not a failure */
        return;
    }
    if (customer == NULL) {
        bff_resolve_dependency_error(r, o->code, "customers", o->message);
        return;
    }
    const bff_customer_t c = *customer;
    json_t *addresses = json_array();
    for (size_t i = 0; i < c.naddresses; ++i) {
        const bff_address_t *a = &c.addresses[i];
        json_array_append_new(addresses, json_pack("{s:s, s:s?, s:s?, s:s?, s:s}", "id", a->id, "line1", a->line1, "city",
                                                   a->city, "zip", a->zip, "country", a->country));
    }
    json_t *out = json_pack("{s:s, s:s, s:s?, s:s?, s:o}", "id", c.id, "email", c.email, "firstName", c.first_name,
                            "lastName", c.last_name, "addresses", addresses);
    bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), out));
}

static void resolve_customer(bff_resolve_t *r, void *unused)
{
    bff_reqctx_t *ctx = bff_resolve_user(r);
    const char *token = json_string_value(bff_resolve_arg(r, "token"));
    bool usable = token != NULL && token[0] != '\0' && strlen(token) <= 256;
    for (const char *p = token; usable && *p; ++p)
        usable = *p >= 0x21 && *p <= 0x7E; /* header-safe tokens only; anything else is no customer */
    if (!usable) {
        bff_resolve_ok(r, bff_value_null());
        return;
    }
    bff_gw_customer(&ctx->scope, token, on_customer, r);
}

const bff_resolver_entry_t bff_order_resolvers[] = {
    {"Query", "customer", resolve_customer},
    {"Query", "order", resolve_order},
    {"Order", "paymentStatus", resolve_payment_status},
    {NULL, NULL, NULL},
};

const bff_resolver_defaults_t bff_order_defaults[] = {
    {"Order", "id number total fulfillmentStatus lines"}, /* bff_order_map */
    {"OrderLine", "sku quantity unitPrice discount total"},
    {"Customer", "id email firstName lastName addresses"}, /* on_customer */
    {"MailingAddress", "id line1 city zip country"},
    {NULL, NULL},
};
