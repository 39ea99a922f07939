/*
 * orders.c - placed orders: the orders service has the order, the payment
 * provider its payment state.
 */
#include <stdio.h>
#include <string.h>

#include "money.h"
#include "resolvers.h"

typedef struct st_order_call_t {
    bff_reqctx_t *ctx;
    bff_json_cb cb;
    void *arg;
    json_t *order;
} order_call_t;

static void on_payment(json_t *body, const char *code, const char *message, void *arg)
{
    order_call_t *c = arg;
    const char *status = code == NULL ? json_string_value(json_object_get(body, "status")) : NULL;
    char gid[96];
    snprintf(gid, sizeof(gid), "gid://bff/Order/%s", json_string_value(json_object_get(c->order, "id")));
    const char *currency = json_string_value(json_object_get(c->order, "currency"));
    json_t *out = json_pack("{s:s, s:s, s:O, s:o, s:s}", "__typename", "Order", "id", gid, "number",
                            json_object_get(c->order, "number"), "total",
                            bff_money_json(json_integer_value(json_object_get(c->order, "total_minor")),
                                           currency ? currency : "EUR"),
                            "paymentStatus", status ? status : "unknown");
    json_decref(c->order);
    c->cb(out, NULL, NULL, c->arg);
    json_decref(out);
}

static void on_order(json_t *body, const char *code, const char *message, void *arg)
{
    order_call_t *c = arg;
    if (code != NULL) {
        if (strstr(message, "HTTP 404") != NULL)
            c->cb(NULL, NULL, NULL, c->arg); /* no such order: null */
        else
            c->cb(NULL, code, message, c->arg);
        return;
    }
    const char *auth = json_string_value(json_object_get(body, "authorization_id"));
    if (json_string_value(json_object_get(body, "id")) == NULL || auth == NULL) {
        c->cb(NULL, "DEPENDENCY_UNAVAILABLE", "orders answered an incomplete order", c->arg);
        return;
    }
    c->order = json_incref(body);
    bff_provider_call(c->ctx, "payments", "GET", bff_arena_printf(c->ctx->arena, "/payments/%s", auth), NULL, on_payment,
                      c);
}

void bff_order_load(bff_reqctx_t *ctx, const char *id, bff_json_cb cb, void *arg)
{
    for (const char *p = id; *p; ++p)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-')) {
            cb(NULL, NULL, NULL, arg);
            return;
        }
    order_call_t *c = bff_arena_calloc(ctx->arena, 1, sizeof(*c));
    c->ctx = ctx;
    c->cb = cb;
    c->arg = arg;
    bff_provider_call(ctx, "orders", "GET", bff_arena_printf(ctx->arena, "/orders/%s", id), NULL, on_order, c);
}

static void resolve_order(bff_resolve_t *r, void *unused)
{
    const char *id = json_string_value(bff_resolve_arg(r, "id"));
    if (strncmp(id, "gid://bff/Order/", 16) == 0)
        id += 16;
    bff_order_load(bff_resolve_user(r), id, bff_complete_json, r);
}

const bff_resolver_entry_t bff_order_resolvers[] = {
    {"Query", "order", resolve_order},
    {NULL, NULL, NULL},
};
