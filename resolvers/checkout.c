/*
 * checkout.c - cart mutations and checkoutComplete.
 *
 * Cart mutations forward to the cart service and answer the cart as it is
 * afterwards; what the service refuses (unknown SKU, bad quantity, unknown
 * cart) becomes a userError, transport failures a field error.
 *
 * checkoutComplete(cartId, paymentToken, idempotencyKey) checks its inputs
 * and runs the journaled saga (saga.h): read the cart and its totals,
 * authorize, create the order, capture; compensation and lookups by key when
 * a step fails or its outcome is unknown. A replay of a key answers with the
 * same checkout (its order, or the same userError), never another cart's.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "adapters/storefront.h"
#include "adapters/vendors.h"
#include "adapters/money.h"
#include "ids.h"
#include "saga.h"
#include "resolvers.h"

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

static void on_cart_changed(const bff_outcome_t *o, void *arg)
{
    json_t *body = o->body;
    const char *code = o->code;
    const char *message = o->message;
    mutation_t *m = arg;
    if (o->error == BFF_DEP_REJECTED) {
        const char *why = o->reason;
        bool completed = o->status == 409 && why != NULL && strcmp(why, "cart completed") == 0; /* after its checkout */
        payload(m->r, "cart", NULL,
                json_pack("[o]", completed ? user_error("cartId", "This cart has been checked out already.", "CART_COMPLETED")
                                           : user_error(m->field, why ? why : message, "INVALID")));
        return;
    }
    if (code != NULL) {
        bff_resolve_dependency_error(m->r, code, "carts", message);
        return;
    }
    json_t *cart = bff_cart_map(bff_ctx_of(m->r), body, bff_resolve_arena(m->r));
    if (cart == NULL) {
        bff_resolve_dependency_error(m->r, BFF_CODE_UNAVAILABLE, "carts", "carts answered a cart that does not check out");
        return;
    }
    payload(m->r, "cart", cart, NULL);
}

static void cart_change(bff_resolve_t *r, const char *method, bff_cart_part_t part, json_t *body, const char *field)
{
    bff_reqctx_t *ctx = bff_ctx_of(r);
    const char *id = bff_id_open(ctx, "Cart", json_string_value(bff_resolve_arg(r, "cartId")));
    mutation_t *m = bff_arena_calloc(ctx->arena, 1, sizeof(*m));
    m->r = r;
    m->field = field;
    if (!safe_id(id)) {
        payload(r, "cart", NULL, json_pack("[o]", user_error("cartId", "No such cart.", "NOT_FOUND")));
        json_decref(body);
        return;
    }
    bff_provider_call(ctx, BFF_PROVIDER_CARTS, method, bff_carts_path(ctx->arena, id, part), body, on_cart_changed, m);
    json_decref(body);
}

#define MAX_QUANTITY 999 /* per line, as carts take it (docs/errors.md) */

/* Lines' quantities: adding takes 1..MAX_QUANTITY units, setting 0..MAX_QUANTITY (0 removes). NULL: all fine. */
static json_t *quantity_errors(json_t *lines, json_int_t min)
{
    size_t i;
    json_t *line;
    json_array_foreach(lines, i, line)
    {
        json_int_t q = json_integer_value(json_object_get(line, "quantity"));
        if (q < min || q > MAX_QUANTITY)
            return json_pack("[o]", user_error("lines", min == 1 ? "Each line adds 1 to 999 units." : "Each line sets 0 to 999 units (0 removes it).",
                                               "INVALID"));
    }
    return NULL;
}

static void resolve_lines_add(bff_resolve_t *r, void *unused)
{
    json_t *bad = quantity_errors(bff_resolve_arg(r, "lines"), 1);
    if (bad != NULL) {
        payload(r, "cart", NULL, bad);
        return;
    }
    cart_change(r, "POST", BFF_CART_LINES, json_pack("{s:O}", "lines", bff_resolve_arg(r, "lines")), "lines");
}

static void resolve_lines_update(bff_resolve_t *r, void *unused)
{
    json_t *bad = quantity_errors(bff_resolve_arg(r, "lines"), 0);
    if (bad != NULL) {
        payload(r, "cart", NULL, bad);
        return;
    }
    cart_change(r, "PATCH", BFF_CART_LINES, json_pack("{s:O}", "lines", bff_resolve_arg(r, "lines")), "lines");
}

static void resolve_lines_remove(bff_resolve_t *r, void *unused)
{
    json_t *lines = json_array();
    size_t i;
    json_t *sku;
    json_array_foreach(bff_resolve_arg(r, "skus"), i, sku)
        json_array_append_new(lines, json_pack("{s:O, s:i}", "sku", sku, "quantity", 0));
    cart_change(r, "PATCH", BFF_CART_LINES, json_pack("{s:o}", "lines", lines), "skus");
}

#define MAX_CODES 4

/*
 * Discount codes are normalised (upper case, as promotions compare them) and
 * each counts once: ["save10", "SAVE10"] is one code, never a discount twice.
 * More than MAX_CODES distinct codes is a userError.
 */
static void resolve_codes_update(bff_resolve_t *r, void *unused)
{
    json_t *codes = json_array();
    size_t i;
    json_t *code;
    json_array_foreach(bff_resolve_arg(r, "codes"), i, code)
    {
        char norm[65];
        snprintf(norm, sizeof(norm), "%s", json_string_value(code) ? json_string_value(code) : "");
        for (char *p = norm; *p; ++p)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
        bool seen = norm[0] == '\0';
        for (size_t k = 0; k < json_array_size(codes) && !seen; ++k)
            seen = strcmp(json_string_value(json_array_get(codes, k)), norm) == 0;
        if (!seen)
            json_array_append_new(codes, json_string(norm));
    }
    if (json_array_size(codes) > MAX_CODES) {
        json_decref(codes);
        payload(r, "cart", NULL, json_pack("[o]", user_error("codes", "At most 4 discount codes.", "INVALID")));
        return;
    }
    cart_change(r, "PUT", BFF_CART_DISCOUNT_CODES, json_pack("{s:o}", "codes", codes), "codes");
}

static void resolve_buyer_update(bff_resolve_t *r, void *unused)
{
    cart_change(r, "PUT", BFF_CART_BUYER, json_deep_copy(bff_resolve_arg(r, "buyerIdentity")), "buyerIdentity");
}

static void resolve_select_rate(bff_resolve_t *r, void *unused)
{
    cart_change(r, "PUT", BFF_CART_SHIPPING_RATE, json_pack("{s:O}", "rate_id", bff_resolve_arg(r, "rateId")), "rateId");
}

static void on_created(const bff_outcome_t *o, void *arg)
{
    json_t *body = o->body;
    const char *code = o->code;
    mutation_t *m = arg;
    if (code != NULL || m->then_lines == NULL || json_array_size(m->then_lines) == 0) {
        json_decref(m->then_lines);
        on_cart_changed(o, m);
        return;
    }
    const char *id = bff_carts_id(body);
    bff_reqctx_t *ctx = bff_ctx_of(m->r);
    json_t *lines = json_pack("{s:o}", "lines", m->then_lines);
    m->then_lines = NULL;
    m->field = "input.lines";
    bff_provider_call(ctx, BFF_PROVIDER_CARTS, "POST", bff_carts_path(ctx->arena, id ? id : "-", BFF_CART_LINES), lines,
                      on_cart_changed, m);
    json_decref(lines);
}

static void resolve_cart_create(bff_resolve_t *r, void *unused)
{
    bff_reqctx_t *ctx = bff_ctx_of(r);
    json_t *input = bff_resolve_arg(r, "input");
    const char *currency = json_string_value(json_object_get(input, "currencyCode"));
    mutation_t *m = bff_arena_calloc(ctx->arena, 1, sizeof(*m));
    m->r = r;
    m->field = "input";
    json_t *lines = json_object_get(input, "lines");
    json_t *bad = json_is_array(lines) ? quantity_errors(lines, 1) : NULL;
    if (bad != NULL) {
        payload(r, "cart", NULL, bad);
        return;
    }
    m->then_lines = json_is_array(lines) ? json_incref(lines) : NULL;
    json_t *body = json_pack("{s:s}", "currency", currency ? currency : "EUR");
    bff_provider_call(ctx, BFF_PROVIDER_CARTS, "POST", BFF_CARTS_PATH, body, on_created, m);
    json_decref(body);
}

/* ---- checkoutComplete: the journaled saga (saga.h) ---- */

static void on_saga_done(const bff_saga_outcome_t *o, void *arg)
{
    bff_resolve_t *r = arg;
    if (o->order != NULL) {
        payload(r, "order", json_incref(o->order), NULL);
    } else if (o->user_code != NULL) {
        json_t *out = json_pack("{s:n, s:[o], s:O?}", "order", "userErrors", user_error(o->user_field, o->user_message, o->user_code),
                                "cost", o->cost);
        bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), out));
    } else {
        bff_resolve_dependency_error(r, o->error_code, o->error_dependency, o->error_message);
    }
}

/* A payment token as payment providers give them: 4-256 printable characters without spaces. */
static bool token_shape(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    if (n < 4 || n > 256)
        return false;
    for (; *t; ++t)
        if (*t <= 0x20 || *t >= 0x7f)
            return false;
    return true;
}

static void resolve_checkout(bff_resolve_t *r, void *unused)
{
    bff_reqctx_t *ctx = bff_ctx_of(r);
    const char *cart_id = bff_id_open(ctx, "Cart", json_string_value(bff_resolve_arg(r, "cartId")));
    const char *token = json_string_value(bff_resolve_arg(r, "paymentToken"));
    const char *key = json_string_value(bff_resolve_arg(r, "idempotencyKey"));
    const char *field = NULL, *code = NULL, *message = NULL;
    if (cart_id == NULL || !safe_id(cart_id))
        field = "cartId", code = "NOT_FOUND", message = "No such cart.";
    else if (!token_shape(token))
        field = "paymentToken", code = "INVALID", message = "The payment token must be 4-256 printable characters without spaces.";
    else if (!safe_id(key) || strlen(key) < 8)
        field = "idempotencyKey", code = "INVALID", message = "The idempotency key must be 8-64 letters, digits, '-' or '_'.";
    if (code != NULL) {
        payload(r, "order", NULL, json_pack("[o]", user_error(field, message, code)));
        return;
    }
    bff_checkout_input_t in = {.client = ctx->client ? ctx->client : "",
                               .key = key,
                               .cart_id = cart_id,
                               .token = token,
                               .quote = json_string_value(bff_resolve_arg(r, "quote"))};
    bff_saga_checkout(ctx, &in, on_saga_done, r);
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
    {"CheckoutPayload", "order userErrors cost"},
    {"UserError", "field message code"}, /* user_error */
    {NULL, NULL},
};
