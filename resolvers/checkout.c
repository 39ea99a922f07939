/*
 * checkout.c - cart mutations and checkoutComplete.
 *
 * Cart mutations forward to the cart service and answer the cart as it is
 * afterwards; what the service refuses (unknown SKU, bad quantity, unknown
 * cart) becomes a userError, transport failures a field error.
 *
 * checkoutComplete(cartId, paymentToken, idempotencyKey):
 *   1. read the cart and compute its totals (cart.c: fresh answers or none);
 *   2. authorize the total with the payment provider under the key;
 *   3. create the order under the same key;
 *   4. capture the authorization.
 * If the order cannot be created, the authorization is voided (compensation)
 * and the buyer gets a userError. Payments and orders are idempotent by key,
 * so a replay (a client retry after a timeout) gets the same authorization
 * and the same order, and capturing again changes nothing: never two charges.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "adapters/vendors.h"
#include "adapters/money.h"
#include "ids.h"
#include "resolvers.h"

static bff_reqctx_t *ctx_of(bff_resolve_t *r)
{
    return bff_resolve_user(r);
}

static bool safe_id(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 64)
        return false;
    for (; *s; ++s)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return false;
    return true;
}

static json_t *user_error(const char *field, const char *message, const char *code)
{
    return json_pack("{s:[s], s:s, s:s}", "field", field, "message", message, "code", code);
}

/* A payload {key: value or null, userErrors: [...]} for the resolver. */
static void payload(bff_resolve_t *r, const char *key, json_t *value, json_t *errors)
{
    json_t *out = json_pack("{s:o, s:o}", key, value ? value : json_null(), "userErrors", errors ? errors : json_array());
    bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), out));
}

/* ---- cart mutations ---- */

typedef struct st_mutation_t {
    bff_resolve_t *r;
    const char *field;
    json_t *then_lines; /* cartCreate: lines to add once the cart exists */
} mutation_t;

static void on_cart_changed(json_t *body, const char *code, const char *message, void *arg)
{
    mutation_t *m = arg;
    if (code != NULL && strcmp(code, "PROVIDER_REJECTED") == 0) {
        const char *why = json_string_value(json_object_get(body, "error"));
        payload(m->r, "cart", NULL, json_pack("[o]", user_error(m->field, why ? why : message, "INVALID")));
        return;
    }
    if (code != NULL) {
        bff_resolve_error_ext(m->r, code, "{\"dependency\":\"carts\"}", message);
        return;
    }
    json_t *cart = bff_cart_map(ctx_of(m->r), body, bff_resolve_arena(m->r));
    if (cart == NULL) {
        bff_resolve_error_ext(m->r, "DEPENDENCY_UNAVAILABLE", "{\"dependency\":\"carts\"}",
                              "carts answered a cart that does not check out");
        return;
    }
    payload(m->r, "cart", cart, NULL);
}

static void cart_change(bff_resolve_t *r, const char *method, const char *suffix, json_t *body, const char *field)
{
    bff_reqctx_t *ctx = ctx_of(r);
    const char *id = bff_id_open(ctx, "Cart", json_string_value(bff_resolve_arg(r, "cartId")));
    mutation_t *m = bff_arena_calloc(ctx->arena, 1, sizeof(*m));
    m->r = r;
    m->field = field;
    if (!safe_id(id)) {
        payload(r, "cart", NULL, json_pack("[o]", user_error("cartId", "No such cart.", "NOT_FOUND")));
        json_decref(body);
        return;
    }
    bff_provider_call(ctx, "carts", method, bff_arena_printf(ctx->arena, "/carts/%s%s", id, suffix), body,
                      on_cart_changed, m);
    json_decref(body);
}

static void resolve_lines_add(bff_resolve_t *r, void *unused)
{
    cart_change(r, "POST", "/lines", json_pack("{s:O}", "lines", bff_resolve_arg(r, "lines")), "lines");
}

static void resolve_lines_update(bff_resolve_t *r, void *unused)
{
    cart_change(r, "PATCH", "/lines", json_pack("{s:O}", "lines", bff_resolve_arg(r, "lines")), "lines");
}

static void resolve_lines_remove(bff_resolve_t *r, void *unused)
{
    json_t *lines = json_array();
    size_t i;
    json_t *sku;
    json_array_foreach(bff_resolve_arg(r, "skus"), i, sku)
        json_array_append_new(lines, json_pack("{s:O, s:i}", "sku", sku, "quantity", 0));
    cart_change(r, "PATCH", "/lines", json_pack("{s:o}", "lines", lines), "skus");
}

static void resolve_codes_update(bff_resolve_t *r, void *unused)
{
    cart_change(r, "PUT", "/discount-codes", json_pack("{s:O}", "codes", bff_resolve_arg(r, "codes")), "codes");
}

static void resolve_buyer_update(bff_resolve_t *r, void *unused)
{
    cart_change(r, "PUT", "/buyer", json_deep_copy(bff_resolve_arg(r, "buyerIdentity")), "buyerIdentity");
}

static void resolve_select_rate(bff_resolve_t *r, void *unused)
{
    cart_change(r, "PUT", "/shipping-rate", json_pack("{s:O}", "rate_id", bff_resolve_arg(r, "rateId")), "rateId");
}

static void on_created(json_t *body, const char *code, const char *message, void *arg)
{
    mutation_t *m = arg;
    if (code != NULL || m->then_lines == NULL || json_array_size(m->then_lines) == 0) {
        json_decref(m->then_lines);
        on_cart_changed(body, code, message, m);
        return;
    }
    const char *id = json_string_value(json_object_get(body, "id"));
    bff_reqctx_t *ctx = ctx_of(m->r);
    json_t *lines = json_pack("{s:o}", "lines", m->then_lines);
    m->then_lines = NULL;
    m->field = "input.lines";
    bff_provider_call(ctx, "carts", "POST", bff_arena_printf(ctx->arena, "/carts/%s/lines", id ? id : "-"), lines,
                      on_cart_changed, m);
    json_decref(lines);
}

static void resolve_cart_create(bff_resolve_t *r, void *unused)
{
    bff_reqctx_t *ctx = ctx_of(r);
    json_t *input = bff_resolve_arg(r, "input");
    const char *currency = json_string_value(json_object_get(input, "currencyCode"));
    mutation_t *m = bff_arena_calloc(ctx->arena, 1, sizeof(*m));
    m->r = r;
    m->field = "input";
    json_t *lines = json_object_get(input, "lines");
    m->then_lines = json_is_array(lines) ? json_incref(lines) : NULL;
    json_t *body = json_pack("{s:s}", "currency", currency ? currency : "EUR");
    bff_provider_call(ctx, "carts", "POST", "/carts", body, on_created, m);
    json_decref(body);
}

/* ---- checkoutComplete ---- */

typedef struct st_checkout_t {
    bff_resolve_t *r;
    bff_reqctx_t *ctx;
    const char *cart_id, *token, *key;
    json_t *cart;
    bff_cart_totals_t totals;
    char auth_id[64];
    bff_order_t order; /* as the orders service created it */
} checkout_t;

static void checkout_user_error(checkout_t *c, const char *field, const char *message, const char *code)
{
    json_decref(c->cart);
    payload(c->r, "order", NULL, json_pack("[o]", user_error(field, message, code)));
}

static void checkout_error(checkout_t *c, const char *code, const char *dependency, const char *message)
{
    json_decref(c->cart);
    bff_resolve_error_ext(c->r, code, bff_arena_printf(c->ctx->arena, "{\"dependency\":\"%s\"}", dependency), message);
}

static void on_captured(json_t *body, const char *code, const char *message, void *arg)
{
    checkout_t *c = arg;
    if (code != NULL) {
        /* the order exists and the money is authorized: a retry with the same key finishes the capture */
        checkout_error(c, strcmp(code, "PROVIDER_REJECTED") == 0 ? "DEPENDENCY_UNAVAILABLE" : code, "payments",
                       bff_arena_printf(c->ctx->arena, "The order is placed but payment capture failed (%s); retry "
                                                       "with the same idempotency key.",
                                        message));
        return;
    }
    json_t *order = bff_order_map(c->ctx, &c->order, "captured");
    json_decref(c->cart);
    c->cart = NULL;
    payload(c->r, "order", order, NULL);
}

static void on_voided(json_t *body, const char *code, const char *message, void *arg)
{
    checkout_t *c = arg;
    if (code != NULL)
        checkout_error(c, "DEPENDENCY_UNAVAILABLE", "payments",
                       bff_arena_printf(c->ctx->arena,
                                        "The order could not be created and voiding the payment failed too (%s); the "
                                        "authorization expires on its own.",
                                        message));
    else
        checkout_user_error(c, "cartId", "The order could not be placed; the payment was not taken. Please try again.",
                            "ORDER_FAILED");
}

static void on_order(json_t *body, const char *code, const char *message, void *arg)
{
    checkout_t *c = arg;
    if (code != NULL) {
        /* compensation: release the authorization */
        bff_provider_call(c->ctx, "payments", "POST", bff_arena_printf(c->ctx->arena, "/payments/%s/void", c->auth_id),
                          NULL, on_voided, c);
        return;
    }
    const char *bad = bff_orders_parse(body, c->ctx->arena, &c->order);
    if (bad == NULL && c->order.total != c->totals.total)
        bad = "orders answered an order whose total is not the one charged";
    if (bad != NULL) {
        /* The order may exist: neither capture (we cannot tell what was ordered) nor void (it may be real).
           A retry with the same key asks the orders service again; the authorization expires otherwise. */
        checkout_error(c, "DEPENDENCY_UNAVAILABLE", "orders",
                       bff_arena_printf(c->ctx->arena, "%s; retry with the same idempotency key.", bad));
        return;
    }
    bff_provider_call(c->ctx, "payments", "POST", bff_arena_printf(c->ctx->arena, "/payments/%s/capture", c->auth_id),
                      NULL, on_captured, c);
}

static void on_authorized(json_t *body, const char *code, const char *message, void *arg)
{
    checkout_t *c = arg;
    if (code != NULL && strcmp(code, "PROVIDER_REJECTED") == 0) {
        const char *why = json_string_value(json_object_get(body, "error"));
        checkout_user_error(c, "paymentToken", why ? why : message, strstr(message, "409") ? "IDEMPOTENCY_CONFLICT" : "PAYMENT_DECLINED");
        return;
    }
    if (code != NULL) {
        checkout_error(c, code, "payments", message);
        return;
    }
    bff_payment_t auth;
    const char *bad = bff_payments_parse(body, c->ctx->arena, &auth);
    if (bad == NULL && auth.amount >= 0 && auth.amount != c->totals.total)
        bad = "payments authorized an amount other than the total";
    if (bad != NULL || strlen(auth.id) >= sizeof(c->auth_id)) {
        checkout_error(c, "DEPENDENCY_UNAVAILABLE", "payments", bad ? bad : "payments answered an overlong id");
        return;
    }
    snprintf(c->auth_id, sizeof(c->auth_id), "%s", auth.id);
    json_t *lines = json_array();
    for (size_t i = 0; i < c->totals.nlines; ++i)
        json_array_append_new(lines, json_pack("{s:s, s:I, s:I, s:I}", "sku", c->totals.skus[i], "quantity",
                                               (json_int_t)c->totals.quantities[i], "unit_price_minor",
                                               (json_int_t)c->totals.unit[i], "discount_minor",
                                               (json_int_t)c->totals.allocated[i]));
    json_t *order = json_pack("{s:s, s:s, s:s, s:I, s:s, s:o}", "idempotency_key", c->key, "cart_id", c->cart_id,
                              "currency", c->totals.currency, "total_minor", (json_int_t)c->totals.total,
                              "authorization_id", c->auth_id, "lines", lines);
    bff_provider_call(c->ctx, "orders", "POST", "/orders", order, on_order, c);
    json_decref(order);
}

static void on_totals(const bff_cart_totals_t *t, void *arg)
{
    checkout_t *c = arg;
    if (!t->ok) {
        checkout_error(c, "CHECKOUT_TOTALS_UNAVAILABLE", t->failed_dependency,
                       bff_arena_printf(c->ctx->arena, "Cannot check out: cart totals are unavailable: %s",
                                        t->failed_message));
        return;
    }
    c->totals = *t;
    if (t->total <= 0) {
        checkout_user_error(c, "cartId", "The cart is empty.", "EMPTY_CART");
        return;
    }
    json_t *body = json_pack("{s:I, s:s, s:s}", "amount_minor", (json_int_t)t->total, "currency", t->currency, "token",
                             c->token);
    bff_provider_call_with(c->ctx, "payments", "POST", "/payments/authorize", body,
                           bff_arena_printf(c->ctx->arena, "Idempotency-Key: %s", c->key), on_authorized, c);
    json_decref(body);
}

static void on_checkout_cart(json_t *body, const char *code, const char *message, void *arg)
{
    checkout_t *c = arg;
    if (code != NULL && strstr(message, "HTTP 404") != NULL) {
        checkout_user_error(c, "cartId", "No such cart.", "NOT_FOUND");
        return;
    }
    if (code != NULL) {
        checkout_error(c, code, "carts", message);
        return;
    }
    json_t *mapped = bff_cart_map(c->ctx, body, c->ctx->arena);
    if (mapped == NULL) {
        checkout_error(c, "CHECKOUT_TOTALS_UNAVAILABLE", "carts", "carts answered a cart that does not check out");
        return;
    }
    c->cart = json_incref(json_object_get(mapped, "_cart")); /* the checked cart */
    json_decref(mapped);
    bff_cart_totals(c->ctx, c->cart, on_totals, c);
}

static void resolve_checkout(bff_resolve_t *r, void *unused)
{
    bff_reqctx_t *ctx = ctx_of(r);
    checkout_t *c = bff_arena_calloc(ctx->arena, 1, sizeof(*c));
    c->r = r;
    c->ctx = ctx;
    c->cart_id = bff_id_open(ctx, "Cart", json_string_value(bff_resolve_arg(r, "cartId")));
    c->token = json_string_value(bff_resolve_arg(r, "paymentToken"));
    c->key = json_string_value(bff_resolve_arg(r, "idempotencyKey"));
    if (c->cart_id == NULL || !safe_id(c->cart_id)) {
        checkout_user_error(c, "cartId", "No such cart.", "NOT_FOUND");
        return;
    }
    if (!safe_id(c->key) || strlen(c->key) < 8) {
        checkout_user_error(c, "idempotencyKey", "The idempotency key must be 8-64 letters, digits, '-' or '_'.",
                            "INVALID");
        return;
    }
    bff_provider_call(ctx, "carts", "GET", bff_arena_printf(ctx->arena, "/carts/%s", c->cart_id), NULL,
                      on_checkout_cart, c);
}

const bff_resolver_entry_t bff_checkout_resolvers[] = {
    {"Mutation", "cartCreate", resolve_cart_create},
    {"Mutation", "cartLinesAdd", resolve_lines_add},
    {"Mutation", "cartLinesUpdate", resolve_lines_update},
    {"Mutation", "cartLinesRemove", resolve_lines_remove},
    {"Mutation", "cartDiscountCodesUpdate", resolve_codes_update},
    {"Mutation", "cartBuyerIdentityUpdate", resolve_buyer_update},
    {"Mutation", "cartSelectShippingRate", resolve_select_rate},
    {"Mutation", "checkoutComplete", resolve_checkout},
    {NULL, NULL, NULL},
};

const bff_resolver_defaults_t bff_checkout_defaults[] = {
    {"CartPayload", "cart userErrors"}, /* payload */
    {"CheckoutPayload", "order userErrors"},
    {"UserError", "field message code"}, /* user_error */
    {NULL, NULL},
};
