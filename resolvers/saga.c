/*
 * saga.c - the checkout saga (see saga.h): one saga_t per run, in the
 * context's arena; the record it carries is the journal's copy, written
 * (put) before every provider write. Each provider answer lands in one
 * callback that either moves the record to the next state or settles the
 * outcome. Ambiguous answers go to a lookup by idempotency key; a lookup that
 * fails too leaves the record in_doubt (doubt_step: the state to resume).
 *
 * Provider outcomes: a PROVIDER_REJECTED answer (4xx) is definite: the
 * provider refused and did nothing. Anything else that is not a success
 * (DEPENDENCY_TIMEOUT, DEPENDENCY_UNAVAILABLE: reset, 5xx, garbage) may or
 * may not have been done.
 */
#include "saga.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "adapters/storefront.h"
#include "adapters/vendors.h"
#include "quote.h"
#include "resolvers.h"

typedef struct st_saga_t {
    bff_reqctx_t *ctx;
    bff_journal_t *journal;
    bff_saga_rec_t rec;
    const char *token;
    const char *quote; /* the quote shown to the buyer, or NULL */
    json_t *cart; /* the checked cart of a new checkout */
    bff_cart_totals_t totals;
    bff_order_t order;
    bool have_order;
    bool live; /* a buyer waits (a request), not the reconciler */
    char key[200];           /* the journal's key: "<client>\x1f<idempotency key>" */
    const char *cart_id;     /* a new checkout's cart */
    char lock_id[65];        /* the fleet's name for the key (SHA-256 hex of it) */
    const char *fleet_token; /* the fleet's lock is ours while this is set */
    bff_saga_done_cb done;
    void *arg;
    bff_saga_outcome_t outcome; /* held while the fleet's lock is given back */
} saga_t;

static void sha256_hex(const char *s, char out[65])
{
    unsigned char h[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)s, strlen(s), h);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static const char *fmt(saga_t *s, const char *f, const char *a)
{
    return bff_arena_printf(s->ctx->arena, f, a);
}

/* ---- the end ---- */

static void finish_now(saga_t *s, const bff_saga_outcome_t *o)
{
    bff_journal_unlock(s->journal, s->key);
    json_decref(s->cart);
    s->cart = NULL;
    s->done(o, s->arg);
}

static void on_fleet_released(void *arg)
{
    saga_t *s = arg;
    bff_saga_outcome_t o = s->outcome;
    finish_now(s, &o); /* may end the request, s with it */
    json_decref(o.order);
    json_decref(o.cost);
}

/*
 * The end: with the fleet's lock, the fleet learns where the key stands and
 * the lock goes before the caller is answered, so a retry sent to another
 * instance the moment this answer arrives finds the record, not the lock.
 */
static void finish(saga_t *s, const bff_saga_outcome_t *o)
{
    if (s->fleet_token != NULL) {
        bff_saga_rec_t r;
        char *text = bff_journal_get(s->journal, s->key, &r) ? bff_journal_rec_text(&r) : NULL;
        s->outcome = *o; /* its strings are the arena's or static; its JSON is borrowed: held */
        json_incref(o->order);
        json_incref(o->cost);
        int sent = s->ctx->fleet->release(s->ctx->fleet->impl, s->lock_id, s->fleet_token, text, on_fleet_released, s);
        free(text);
        s->fleet_token = NULL;
        if (sent == 0)
            return;
        json_decref(o->order);
        json_decref(o->cost);
    }
    finish_now(s, o);
}

static void finish_user(saga_t *s, const char *field, const char *code, const char *message)
{
    bff_saga_outcome_t o = {.user_code = code, .user_field = field, .user_message = message};
    finish(s, &o);
}

static void finish_error(saga_t *s, const char *code, const char *dependency, const char *message)
{
    bff_saga_outcome_t o = {.error_code = code, .error_dependency = dependency, .error_message = message};
    finish(s, &o);
}

/* Writes the record in `state`; false (and the saga ended) when the journal cannot be written. */
static bool put(saga_t *s, bff_saga_state_t state)
{
    s->rec.state = state;
    s->rec.updated_ms = bff_wall_ms();
    if (bff_journal_put(s->journal, &s->rec) == 0)
        return true;
    finish_error(s, "CHECKOUT_UNAVAILABLE", "journal",
                 "The checkout journal cannot be written; nothing more was asked of the providers. Retry later with "
                 "the same idempotency key.");
    return false;
}

/* The step's outcome cannot be learned now: in_doubt, to be resumed by a retry or the reconciler. */
static void in_doubt(saga_t *s, bff_saga_state_t step, const char *dependency, const char *message)
{
    s->rec.doubt_step = step;
    if (!put(s, BFF_SAGA_IN_DOUBT))
        return;
    finish_error(s, "CHECKOUT_IN_DOUBT", dependency,
                 bff_arena_printf(s->ctx->arena,
                                  "%s. The checkout's outcome is not known yet: retry with the same idempotency key "
                                  "(it never charges twice).",
                                  message));
}

/* Settled as undone or refused: the outcome is kept so a retry with the key answers the same. */
static void settle(saga_t *s, bff_saga_state_t state, const char *code, const char *field, const char *message)
{
    snprintf(s->rec.outcome, sizeof(s->rec.outcome), "%s", code);
    if (!put(s, state))
        return;
    finish_user(s, field, code, message);
}

static const char *outcome_message(const char *code)
{
    if (strcmp(code, "PAYMENT_DECLINED") == 0)
        return "The payment was declined.";
    if (strcmp(code, "ORDER_FAILED") == 0)
        return "The order could not be placed; the payment was not taken. Please try again with a new key.";
    if (strcmp(code, "PAYMENT_FAILED") == 0)
        return "The payment could not be taken; the order was cancelled and nothing was charged.";
    if (strcmp(code, "IDEMPOTENCY_CONFLICT") == 0)
        return "This idempotency key was used for another checkout; use a new key.";
    return "The checkout did not complete.";
}

/* ---- captured: the order, with its payment status ---- */

static void deliver_order(saga_t *s)
{
    json_t *order = bff_order_map(s->ctx, &s->order, "captured");
    bff_saga_outcome_t o = {.order = order};
    finish(s, &o);
    json_decref(order);
}

static void on_cart_completed(const bff_outcome_t *o, void *arg)
{
    /* best effort: the journal also remembers the cart as bought (bff_journal_cart_captured) */
    deliver_order(arg);
}

static void on_order_read(const bff_outcome_t *o, void *arg)
{
    json_t *body = o->body;
    const char *code = o->code;
    const char *message = o->message;
    saga_t *s = arg;
    if (code != NULL || bff_orders_parse(body, s->ctx->arena, &s->order) != NULL) {
        finish_error(s, code ? code : BFF_CODE_UNAVAILABLE, "orders",
                     bff_arena_printf(s->ctx->arena, "The order is placed and paid but cannot be read now (%s); retry "
                                                     "with the same idempotency key.",
                                      code ? message : "unreadable"));
        return;
    }
    s->have_order = true;
    deliver_order(s);
}

static void captured(saga_t *s)
{
    if (!put(s, BFF_SAGA_CAPTURED))
        return;
    if (!s->have_order) { /* resumed: read the order to answer with it */
        bff_provider_call(s->ctx, BFF_PROVIDER_ORDERS, "GET", bff_orders_path(s->ctx->arena, s->rec.order_id), NULL, on_order_read, s);
        return;
    }
    bff_provider_call(s->ctx, BFF_PROVIDER_CARTS, "POST", bff_carts_path(s->ctx->arena, s->rec.cart_id, BFF_CART_COMPLETE), NULL, on_cart_completed, s);
}

/* ---- cancel an order that cannot be paid ---- */

static void on_cancelled(const bff_outcome_t *o, void *arg)
{
    const char *code = o->code;
    const char *message = o->message;
    saga_t *s = arg;
    if (code != NULL) { /* cancel is idempotent: a retry or the reconciler asks again */
        in_doubt(s, BFF_SAGA_CANCELLING, "orders", fmt(s, "The order's payment failed and cancelling it failed too (%s)", message));
        return;
    }
    settle(s, BFF_SAGA_COMPENSATED, "PAYMENT_FAILED", "paymentToken", outcome_message("PAYMENT_FAILED"));
}

static void cancel_order(saga_t *s)
{
    if (!put(s, BFF_SAGA_CANCELLING))
        return;
    bff_provider_call(s->ctx, BFF_PROVIDER_ORDERS, "POST", bff_orders_cancel_path(s->ctx->arena, s->rec.order_id), NULL, on_cancelled, s);
}

/* ---- capture ---- */

static void capture(saga_t *s);

static void on_payment_read_after_capture(const bff_outcome_t *o, void *arg)
{
    json_t *body = o->body;
    const char *code = o->code;
    saga_t *s = arg;
    bff_payment_t p;
    if (code != NULL || bff_payments_parse(body, s->ctx->arena, &p) != NULL) {
        in_doubt(s, BFF_SAGA_ORDER_CREATED, "payments", "The payment capture did not answer and its state cannot be read");
        return;
    }
    if (strcmp(p.status, "captured") == 0)
        captured(s);
    else if (strcmp(p.status, "voided") == 0)
        cancel_order(s);
    else /* still authorized: the capture did not happen; capture is idempotent, so try it again later */
        in_doubt(s, BFF_SAGA_ORDER_CREATED, "payments", "The payment capture did not go through yet");
}

static void on_captured(const bff_outcome_t *o, void *arg)
{
    json_t *body = o->body;
    const char *code = o->code;
    saga_t *s = arg;
    bff_payment_t p;
    if (code != NULL && strcmp(code, "PROVIDER_REJECTED") == 0) { /* e.g. 409 voided: this order will not be paid */
        cancel_order(s);
        return;
    }
    if (code != NULL || bff_payments_parse(body, s->ctx->arena, &p) != NULL || strcmp(p.status, "captured") != 0) {
        /* did it capture? ask */
        bff_provider_call(s->ctx, BFF_PROVIDER_PAYMENTS, "GET", bff_payments_path(s->ctx->arena, s->rec.auth_id), NULL,
                          on_payment_read_after_capture, s);
        return;
    }
    captured(s);
}

static void capture(saga_t *s)
{
    /* ORDER_CREATED is journaled: capturing again after a crash is a no-op at the provider */
    bff_provider_call(s->ctx, BFF_PROVIDER_PAYMENTS, "POST", bff_payments_capture_path(s->ctx->arena, s->rec.auth_id), NULL, on_captured, s);
}

static void order_created(saga_t *s)
{
    snprintf(s->rec.order_id, sizeof(s->rec.order_id), "%s", s->order.id);
    s->have_order = true;
    if (!put(s, BFF_SAGA_ORDER_CREATED))
        return;
    capture(s);
}

/* ---- void an authorization no order uses ---- */

static void on_payment_read_after_void(const bff_outcome_t *o, void *arg)
{
    json_t *body = o->body;
    const char *code = o->code;
    saga_t *s = arg;
    bff_payment_t p;
    if (code == NULL && bff_payments_parse(body, s->ctx->arena, &p) == NULL && strcmp(p.status, "voided") == 0) {
        settle(s, BFF_SAGA_COMPENSATED, "ORDER_FAILED", "cartId", outcome_message("ORDER_FAILED"));
        return;
    }
    in_doubt(s, BFF_SAGA_VOIDING, "payments", "The order could not be placed and releasing the payment did not go through yet");
}

static void on_voided(const bff_outcome_t *o, void *arg)
{
    const char *code = o->code;
    saga_t *s = arg;
    if (code != NULL) {
        bff_provider_call(s->ctx, BFF_PROVIDER_PAYMENTS, "GET", bff_payments_path(s->ctx->arena, s->rec.auth_id), NULL,
                          on_payment_read_after_void, s);
        return;
    }
    settle(s, BFF_SAGA_COMPENSATED, "ORDER_FAILED", "cartId", outcome_message("ORDER_FAILED"));
}

/* Known: no order exists for this checkout. Release the money. */
static void void_authorization(saga_t *s)
{
    if (!put(s, BFF_SAGA_VOIDING))
        return;
    bff_provider_call(s->ctx, BFF_PROVIDER_PAYMENTS, "POST", bff_payments_void_path(s->ctx->arena, s->rec.auth_id), NULL, on_voided, s);
}

/* ---- the order ---- */

static void on_order_lookup(const bff_outcome_t *o, void *arg)
{
    json_t *body = o->body;
    const char *code = o->code;
    saga_t *s = arg;
    bool found = false, cancelled = false;
    const char *bad = code == NULL ? bff_orders_lookup_parse(body, s->ctx->arena, &s->order, &found, &cancelled) : NULL;
    if (code != NULL || bad == BFF_ORDERS_NO_LIST) {
        in_doubt(s, BFF_SAGA_ORDER_PENDING, "orders", "The order service did not answer whether the order exists");
        return;
    }
    if (bad != NULL) {
        in_doubt(s, BFF_SAGA_ORDER_PENDING, "orders", "The order service answered an order that cannot be read");
        return;
    }
    if (!found || cancelled) { /* no order under our key (or a cancelled one): none will ship, release the money */
        void_authorization(s);
        return;
    }
    order_created(s);
}

static void look_up_order(saga_t *s)
{
    bff_provider_call(s->ctx, BFF_PROVIDER_ORDERS, "GET", bff_orders_by_key_path(s->ctx->arena, s->rec.provider_key), NULL,
                      on_order_lookup, s);
}

static void on_order(const bff_outcome_t *o, void *arg)
{
    json_t *body = o->body;
    const char *code = o->code;
    saga_t *s = arg;
    if (code != NULL && strcmp(code, "PROVIDER_REJECTED") == 0) { /* refused: no order exists */
        void_authorization(s);
        return;
    }
    if (code != NULL || bff_orders_parse(body, s->ctx->arena, &s->order) != NULL) {
        look_up_order(s); /* the order may exist: ask, never guess */
        return;
    }
    if (s->order.total != s->rec.amount) {
        in_doubt(s, BFF_SAGA_ORDER_PENDING, "orders", "The order service answered an order whose total is not the one authorized");
        return;
    }
    order_created(s);
}

static void create_order(saga_t *s)
{
    json_t *lines = json_array();
    for (size_t i = 0; i < s->totals.nlines; ++i)
        json_array_append_new(lines, json_pack("{s:s, s:I, s:I, s:I}", "sku", s->totals.skus[i], "quantity",
                                               (json_int_t)s->totals.quantities[i], "unit_price_minor",
                                               (json_int_t)s->totals.unit[i], "discount_minor",
                                               (json_int_t)s->totals.allocated[i]));
    json_t *order = json_pack("{s:s, s:s, s:s, s:I, s:s, s:o}", "idempotency_key", s->rec.provider_key, "cart_id",
                              s->rec.cart_id, "currency", s->rec.currency, "total_minor", (json_int_t)s->rec.amount,
                              "authorization_id", s->rec.auth_id, "lines", lines);
    if (put(s, BFF_SAGA_ORDER_PENDING))
        bff_provider_call(s->ctx, BFF_PROVIDER_ORDERS, "POST", BFF_ORDERS_PATH, order, on_order, s);
    json_decref(order);
}

/* ---- the authorization ---- */

static void on_reprice_totals(const bff_cart_totals_t *t, void *arg)
{
    saga_t *s = arg;
    if (t->ok && t->total == s->rec.amount && strcmp(t->currency, s->rec.currency) == 0) {
        s->totals = *t;
        create_order(s);
    } else { /* the cart is no longer what was authorized (or cannot be priced): release the money */
        void_authorization(s);
    }
}

static void on_reprice_cart(const bff_outcome_t *o, void *arg)
{
    json_t *body = o->body;
    const char *code = o->code;
    saga_t *s = arg;
    json_t *mapped = code == NULL ? bff_cart_map(s->ctx, body, s->ctx->arena) : NULL;
    if (mapped == NULL) {
        void_authorization(s);
        return;
    }
    s->cart = json_incref(json_object_get(mapped, "_cart"));
    json_decref(mapped);
    bff_cart_totals(s->ctx, s->cart, on_reprice_totals, s);
}

/*
 * The payment is authorized. A new checkout orders what it priced. A resumed
 * one never asked for its order (order_pending is journaled before that): with
 * its buyer waiting it prices the cart again and orders if the total is the
 * one authorized; the reconciler, or a cart that changed, releases the money.
 */
static void authorized(saga_t *s, const bff_payment_t *p)
{
    snprintf(s->rec.auth_id, sizeof(s->rec.auth_id), "%s", p->id);
    if (!put(s, BFF_SAGA_AUTHORIZED))
        return;
    if (s->cart != NULL)
        create_order(s);
    else if (s->live)
        bff_provider_call(s->ctx, BFF_PROVIDER_CARTS, "GET", bff_carts_path(s->ctx->arena, s->rec.cart_id, BFF_CART_ITSELF), NULL, on_reprice_cart, s);
    else
        void_authorization(s);
}

static void on_auth_lookup(const bff_outcome_t *o, void *arg)
{
    json_t *body = o->body;
    const char *code = o->code;
    saga_t *s = arg;
    bff_payment_t p;
    bool found = false;
    const char *bad = code == NULL ? bff_payments_lookup_parse(body, s->ctx->arena, &p, &found) : NULL;
    if (code != NULL || bad == BFF_PAYMENTS_NO_LIST) {
        in_doubt(s, BFF_SAGA_STARTED, "payments", "The payment service did not answer whether the payment was authorized");
        return;
    }
    if (bad != NULL) {
        in_doubt(s, BFF_SAGA_STARTED, "payments", "The payment service answered an authorization that cannot be read");
        return;
    }
    if (!found) { /* nothing was authorized under our key: nothing happened anywhere */
        if (!put(s, BFF_SAGA_ABORTED))
            return;
        finish_error(s, BFF_CODE_UNAVAILABLE, "payments",
                     "The payment service did not answer; nothing was charged. Please try again.");
        return;
    }
    if (strcmp(p.status, "voided") == 0) {
        settle(s, BFF_SAGA_COMPENSATED, "ORDER_FAILED", "cartId", outcome_message("ORDER_FAILED"));
        return;
    }
    authorized(s, &p);
}

static void look_up_authorization(saga_t *s)
{
    bff_provider_call(s->ctx, BFF_PROVIDER_PAYMENTS, "GET", bff_payments_by_key_path(s->ctx->arena, s->rec.provider_key), NULL,
                      on_auth_lookup, s);
}

static void on_authorized(const bff_outcome_t *o, void *arg)
{
    json_t *body = o->body;
    const char *code = o->code;
    saga_t *s = arg;
    if (o->error == BFF_DEP_REJECTED) {
        bool conflict = o->status == 409;
        settle(s, BFF_SAGA_FAILED, conflict ? "IDEMPOTENCY_CONFLICT" : "PAYMENT_DECLINED", "paymentToken",
               conflict ? outcome_message("IDEMPOTENCY_CONFLICT") : outcome_message("PAYMENT_DECLINED"));
        return;
    }
    bff_payment_t p;
    if (code != NULL || bff_payments_parse(body, s->ctx->arena, &p) != NULL) {
        look_up_authorization(s); /* authorized or not? ask */
        return;
    }
    if (p.amount >= 0 && p.amount != s->rec.amount) {
        in_doubt(s, BFF_SAGA_STARTED, "payments", "The payment service authorized an amount other than the total");
        return;
    }
    authorized(s, &p);
}

static void on_totals(const bff_cart_totals_t *t, void *arg)
{
    saga_t *s = arg;
    if (!t->ok) {
        finish_error(s, "CHECKOUT_TOTALS_UNAVAILABLE", t->failed_dependency,
                     bff_arena_printf(s->ctx->arena, "Cannot check out: cart totals are unavailable: %s", t->failed_message));
        return;
    }
    s->totals = *t;
    if (t->total <= 0) {
        finish_user(s, "cartId", "EMPTY_CART", "The cart is empty.");
        return;
    }
    if (s->quote != NULL) { /* the amount shown is the amount charged, or nothing is charged */
        bff_quote_check_t q = bff_quote_check(s->ctx, s->quote, s->cart, t);
        if (q != BFF_QUOTE_OK) {
            json_t *cost = bff_cart_cost_json(s->ctx, s->cart, t);
            bff_saga_outcome_t o = {
                .user_field = "quote",
                .user_code = q == BFF_QUOTE_INVALID ? "QUOTE_INVALID" : q == BFF_QUOTE_EXPIRED ? "QUOTE_EXPIRED" : "PRICE_CHANGED",
                .user_message = q == BFF_QUOTE_INVALID   ? "The quote is not one this server gave for this cart."
                                : q == BFF_QUOTE_EXPIRED ? "The quote has expired: here are the totals now."
                                                         : "The price changed since it was shown: here are the totals now.",
                .cost = cost};
            finish(s, &o);
            json_decref(cost);
            return;
        }
    }
    s->rec.amount = t->total;
    snprintf(s->rec.currency, sizeof(s->rec.currency), "%s", t->currency);
    s->rec.created_ms = bff_wall_ms();
    if (!put(s, BFF_SAGA_STARTED))
        return;
    json_t *body = json_pack("{s:I, s:s, s:s}", "amount_minor", (json_int_t)t->total, "currency", t->currency, "token",
                             s->token);
    bff_provider_call_with(s->ctx, BFF_PROVIDER_PAYMENTS, "POST", BFF_PAYMENTS_AUTHORIZE_PATH, body,
                           bff_arena_printf(s->ctx->arena, "Idempotency-Key: %s", s->rec.provider_key), on_authorized, s);
    json_decref(body);
}

static void on_checkout_cart(const bff_outcome_t *o, void *arg)
{
    json_t *body = o->body;
    const char *code = o->code;
    const char *message = o->message;
    saga_t *s = arg;
    if (o->status == 404) {
        finish_user(s, "cartId", "NOT_FOUND", "No such cart.");
        return;
    }
    if (code != NULL) {
        finish_error(s, code, "carts", message);
        return;
    }
    if (bff_carts_completed(body)) {
        finish_user(s, "cartId", "CART_COMPLETED", "This cart has been checked out already.");
        return;
    }
    json_t *mapped = bff_cart_map(s->ctx, body, s->ctx->arena);
    if (mapped == NULL) {
        finish_error(s, "CHECKOUT_TOTALS_UNAVAILABLE", "carts", "carts answered a cart that does not check out");
        return;
    }
    s->cart = json_incref(json_object_get(mapped, "_cart")); /* the checked cart */
    json_decref(mapped);
    bff_cart_totals(s->ctx, s->cart, on_totals, s);
}

/* ---- entry points ---- */

/* Goes on from a journaled state (a retry of the same key, or the reconciler). */
static void resume(saga_t *s)
{
    bff_saga_state_t at = s->rec.state == BFF_SAGA_IN_DOUBT ? s->rec.doubt_step : s->rec.state;
    switch (at) {
    case BFF_SAGA_STARTED:
        look_up_authorization(s);
        return;
    case BFF_SAGA_AUTHORIZED: { /* the order was never asked for */
        bff_payment_t p = {.id = s->rec.auth_id, .status = "authorized", .amount = s->rec.amount};
        authorized(s, &p);
        return;
    }
    case BFF_SAGA_VOIDING:
        void_authorization(s);
        return;
    case BFF_SAGA_ORDER_PENDING:
        look_up_order(s);
        return;
    case BFF_SAGA_ORDER_CREATED:
        capture(s);
        return;
    case BFF_SAGA_CANCELLING:
        cancel_order(s);
        return;
    case BFF_SAGA_CAPTURED:
        captured(s);
        return;
    default: /* compensated, failed: the same answer as the first time */
        finish_user(s, strcmp(s->rec.outcome, "PAYMENT_DECLINED") == 0 ? "paymentToken" : "cartId", s->rec.outcome,
                    outcome_message(s->rec.outcome));
        return;
    }
}

static saga_t *saga_new(bff_reqctx_t *ctx, bff_saga_done_cb done, void *arg)
{
    saga_t *s = bff_arena_calloc(ctx->arena, 1, sizeof(*s));
    s->ctx = ctx;
    s->journal = ctx->journal;
    s->done = done;
    s->arg = arg;
    return s;
}

/* A new checkout or a retry, once the key is ours (the journal's lock, and the fleet's when there is one). */
static void begin_checkout(saga_t *s)
{
    char token_hash[65];
    sha256_hex(s->token, token_hash);
    bff_saga_rec_t known;
    if (bff_journal_get(s->journal, s->key, &known) && known.provider_key[0] != '\0' && known.state != BFF_SAGA_ABORTED) {
        if (strcmp(known.cart_id, s->cart_id) != 0 || strcmp(known.token_hash, token_hash) != 0) {
            /* the key was used for another cart or payment: never answer with that checkout's order */
            finish_user(s, "idempotencyKey", "IDEMPOTENCY_CONFLICT", outcome_message("IDEMPOTENCY_CONFLICT"));
            return;
        }
        s->rec = known;
        resume(s); /* the same checkout again: go on from where it is, or answer as before */
        return;
    }
    memset(&s->rec, 0, sizeof(s->rec));
    snprintf(s->rec.key, sizeof(s->rec.key), "%s", s->key);
    sha256_hex(s->key, s->rec.provider_key); /* per client: another caller's same key is another checkout */
    snprintf(s->rec.cart_id, sizeof(s->rec.cart_id), "%s", s->cart_id);
    memcpy(s->rec.token_hash, token_hash, sizeof(token_hash));
    bff_saga_rec_t bought;
    if (bff_journal_cart_captured(s->journal, s->cart_id, &bought)) {
        finish_user(s, "cartId", "CART_COMPLETED", "This cart has been checked out already.");
        return;
    }
    bff_provider_call(s->ctx, BFF_PROVIDER_CARTS, "GET", bff_carts_path(s->ctx->arena, s->cart_id, BFF_CART_ITSELF), NULL, on_checkout_cart, s);
}

/* The reconciler's run, once the key is ours: drives what is not finished; nothing to do ends at once. */
static void begin_reconcile(saga_t *s)
{
    if (!bff_journal_get(s->journal, s->key, &s->rec) || bff_saga_state_terminal(s->rec.state)) {
        bff_saga_outcome_t none = {0};
        finish(s, &none);
        return;
    }
    resume(s);
}

/* The fleet's record of the key replaces ours when it is newer: another instance went on with it. */
static void adopt(saga_t *s, const char *text)
{
    bff_saga_rec_t theirs, ours;
    if (text == NULL || text[0] == '\0' || !bff_journal_rec_parse(text, strlen(text), &theirs) ||
        strcmp(theirs.key, s->key) != 0)
        return;
    if (bff_journal_get(s->journal, s->key, &ours) && ours.updated_ms >= theirs.updated_ms)
        return;
    bff_journal_put(s->journal, &theirs); /* not written: ours stands, and the providers' lookups settle the rest */
}

static void on_claimed(int status, const char *token, const char *rec_text, void *arg)
{
    saga_t *s = arg;
    if (status < 0) {
        finish_error(s, "CHECKOUT_UNAVAILABLE", "store",
                     "The fleet's checkout lock cannot be taken (its store does not answer); nothing was asked of the "
                     "providers. Retry later with the same idempotency key.");
        return;
    }
    if (status == 0) {
        finish_user(s, "idempotencyKey", "CHECKOUT_IN_PROGRESS",
                    "A checkout with this idempotency key is running; ask again in a moment.");
        return;
    }
    if (token != NULL) {
        s->fleet_token = bff_arena_strdup(s->ctx->arena, token);
        adopt(s, rec_text);
    }
    if (s->live)
        begin_checkout(s);
    else
        begin_reconcile(s);
}

/* Takes the fleet's lock of the key (the journal's is held), then goes on. */
static void claim(saga_t *s)
{
    if (s->ctx->fleet == NULL) {
        on_claimed(1, NULL, NULL, s);
        return;
    }
    sha256_hex(s->key, s->lock_id);
    s->ctx->fleet->claim(s->ctx->fleet->impl, s->lock_id, on_claimed, s);
}

void bff_saga_checkout(bff_reqctx_t *ctx, const bff_checkout_input_t *in, bff_saga_done_cb done, void *arg)
{
    saga_t *s = saga_new(ctx, done, arg);
    s->live = true;
    s->token = bff_arena_strdup(ctx->arena, in->token);
    s->quote = in->quote != NULL ? bff_arena_strdup(ctx->arena, in->quote) : NULL;
    s->cart_id = bff_arena_strdup(ctx->arena, in->cart_id);
    snprintf(s->key, sizeof(s->key), "%s\x1f%s", in->client, in->key);
    if (!bff_journal_lock(s->journal, s->key)) {
        bff_saga_outcome_t o = {.user_code = "CHECKOUT_IN_PROGRESS",
                                .user_field = "idempotencyKey",
                                .user_message = "A checkout with this idempotency key is running; ask again in a moment."};
        done(&o, arg);
        return;
    }
    claim(s);
}

bool bff_saga_reconcile(bff_reqctx_t *ctx, const bff_saga_rec_t *rec, bff_saga_done_cb done, void *arg)
{
    if (!bff_journal_lock(ctx->journal, rec->key))
        return false;
    bff_saga_rec_t now;
    if (!bff_journal_get(ctx->journal, rec->key, &now) || bff_saga_state_terminal(now.state)) {
        bff_journal_unlock(ctx->journal, rec->key);
        return false;
    }
    saga_t *s = saga_new(ctx, done, arg);
    snprintf(s->key, sizeof(s->key), "%s", rec->key);
    claim(s);
    return true;
}
