/*
 * commerce.c - the simulator's stateful providers: carts, promotions, tax,
 * shipping, payments and orders. State is in memory (fixed-size tables,
 * forgotten by /_sim/reset, which also seeds the demo cart "demo-cart-1").
 *
 *   carts       POST /carts {"currency"} · GET /carts/{id}
 *               POST /carts/{id}/lines {"lines":[{"sku","quantity"}]} (adds)
 *               PATCH /carts/{id}/lines {"lines":[{"sku","quantity"}]} (sets; 0 removes)
 *               PUT /carts/{id}/buyer {"email","address":{...}}
 *               PUT /carts/{id}/discount-codes {"codes":[...]}
 *               PUT /carts/{id}/shipping-rate {"rate_id"}
 *               POST /carts/{id}/complete (after checkout: later changes answer 409 "cart completed")
 *   promotions  POST /promotions/evaluate {"currency","subtotal_minor","codes"} -> discounts in minor units
 *   shipping    POST /shipping/rates {"currency","address","weight_grams"} -> rates in minor units
 *   tax         POST /tax/calculate {"currency","address","lines":[{"sku","amount_minor"}],"shipping_minor"}
 *               -> tax lines; each line's tax rounded half up to the minor unit, then summed
 *   payments    POST /payments/authorize {"amount_minor","currency","token"} + Idempotency-Key
 *               POST /payments/{id}/capture · POST /payments/{id}/void   (all idempotent)
 *               GET /payments (every authorization), GET /payments/{id},
 *               GET /payments?idempotency_key=K (the authorization made under K, if any)
 *   orders      POST /orders {"idempotency_key","cart_id","currency","total_minor","authorization_id",
 *                              "lines":[{"sku","quantity","unit_price_minor","discount_minor"}]}
 *               GET /orders/{id} · GET /orders?idempotency_key=K (the order made under K, if any)
 *               POST /orders/{id}/cancel (an order that will not be paid: it never ships)
 *
 *   customers   GET /customers/me + "Authorization: Bearer demo-customer-token"
 *
 * Prices are tax-exclusive; tax rates by country (DE 19%, FR 20%, NL 21%,
 * US 8.875%, others 0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define MAX_CARTS 4096
#define MAX_LINES 32
#define MAX_CODES 4
#define MAX_AUTHS 4096
#define MAX_ORDERS 4096

typedef struct st_cart_t {
    char id[40];
    char currency[4];
    struct {
        char sku[24];
        int quantity;
    } lines[MAX_LINES];
    int nlines;
    json_t *buyer; /* {"email", "address"} or NULL */
    char codes[MAX_CODES][24];
    int ncodes;
    char rate_id[16];
    bool completed; /* checked out: no more changes */
} cart_t;

typedef struct st_auth_t {
    char id[24];
    char key[80];
    int64_t amount;
    char currency[4];
    int status; /* 0 authorized, 1 captured, 2 voided */
    int charges; /* captures that took money: 0 or 1, whatever the retries */
} auth_t;

typedef struct st_order_t {
    char id[24];
    char key[80];
    int number;
    char cart_id[40];
    int64_t total;
    char currency[4];
    char authorization_id[24];
    struct {
        char sku[24];
        int64_t quantity, unit, discount; /* minor units */
    } lines[MAX_LINES];
    int nlines;
    bool cancelled;
} order_t;

static cart_t carts[MAX_CARTS];
static int ncarts;
static auth_t auths[MAX_AUTHS];
static int nauths;
static order_t orders[MAX_ORDERS];
static int norders;

static json_t *body_json(h2o_req_t *req)
{
    json_error_t jerr;
    return json_loadb(req->entity.base, req->entity.len, 0, &jerr);
}

/* ---- carts ---- */

static cart_t *cart_find(const char *id)
{
    for (int i = 0; i < ncarts; ++i)
        if (strcmp(carts[i].id, id) == 0)
            return &carts[i];
    return NULL;
}

static json_t *cart_json(const cart_t *c)
{
    json_t *lines = json_array();
    for (int i = 0; i < c->nlines; ++i)
        json_array_append_new(lines, json_pack("{s:s, s:i}", "sku", c->lines[i].sku, "quantity", c->lines[i].quantity));
    json_t *codes = json_array();
    for (int i = 0; i < c->ncodes; ++i)
        json_array_append_new(codes, json_string(c->codes[i]));
    return json_pack("{s:s, s:s, s:o, s:O, s:o, s:s?, s:b}", "id", c->id, "currency", c->currency, "lines", lines, "buyer",
                     c->buyer ? c->buyer : json_null(), "discount_codes", codes, "shipping_rate_id",
                     c->rate_id[0] ? c->rate_id : NULL, "completed", c->completed);
}

static cart_t *cart_new(const char *id, const char *currency)
{
    if (ncarts == MAX_CARTS)
        return NULL;
    cart_t *c = &carts[ncarts++];
    memset(c, 0, sizeof(*c));
    static unsigned long serial; /* never reset: a provider does not give an id twice, even across /_sim/reset */
    if (id != NULL)
        snprintf(c->id, sizeof(c->id), "%s", id);
    else
        snprintf(c->id, sizeof(c->id), "cart-%lu", ++serial);
    snprintf(c->currency, sizeof(c->currency), "%s", currency);
    return c;
}

/* Sets (or with add, increases) a line's quantity; 0 removes. Returns an error message or NULL. */
static const char *cart_set_line(cart_t *c, const char *sku, int quantity, bool add)
{
    if (sim_variant_by_sku(sim_data(), sku, NULL) == NULL)
        return "unknown sku";
    if (quantity < 0 || quantity > 999)
        return "quantity must be between 0 and 999";
    for (int i = 0; i < c->nlines; ++i) {
        if (strcmp(c->lines[i].sku, sku) != 0)
            continue;
        int q = add ? c->lines[i].quantity + quantity : quantity;
        if (q > 999)
            return "quantity must be between 0 and 999";
        if (q == 0) {
            memmove(&c->lines[i], &c->lines[i + 1], (size_t)(c->nlines - i - 1) * sizeof(c->lines[0]));
            c->nlines--;
        } else {
            c->lines[i].quantity = q;
        }
        return NULL;
    }
    if (quantity == 0)
        return NULL;
    if (c->nlines == MAX_LINES)
        return "too many lines";
    snprintf(c->lines[c->nlines].sku, sizeof(c->lines[0].sku), "%s", sku);
    c->lines[c->nlines++].quantity = quantity;
    return NULL;
}

static int serve_carts(h2o_req_t *req)
{
    const char *sub = sim_subpath(req, "/carts");
    json_t *in = NULL;
    int rc;
    if ((strcmp(sub, "") == 0 || strcmp(sub, "/") == 0) && sim_method_is(req, "POST")) {
        in = body_json(req);
        const char *cur = json_string_value(json_object_get(in, "currency"));
        if (cur == NULL)
            cur = "EUR";
        cart_t *c = (strcmp(cur, "EUR") == 0 || strcmp(cur, "USD") == 0) ? cart_new(NULL, cur) : NULL;
        rc = c ? sim_answer(P_CARTS, req, 201, cart_json(c)) : sim_answer(P_CARTS, req, 400, sim_error("bad currency or too many carts"));
        json_decref(in);
        return rc;
    }
    char id[40] = "", rest[40] = "";
    if (sscanf(sub, "/%39[^/]%39s", id, rest) < 1)
        return sim_answer(P_CARTS, req, 404, sim_error("no such endpoint"));
    cart_t *c = cart_find(id);
    if (c == NULL)
        return sim_answer(P_CARTS, req, 404, sim_error("no such cart"));
    if (rest[0] == '\0' && sim_method_is(req, "GET"))
        return sim_answer(P_CARTS, req, 200, cart_json(c));
    if (strcmp(rest, "/complete") == 0 && sim_method_is(req, "POST")) {
        c->completed = true; /* idempotent */
        return sim_answer(P_CARTS, req, 200, cart_json(c));
    }
    if (c->completed)
        return sim_answer(P_CARTS, req, 409, sim_error("cart completed"));
    in = body_json(req);
    const char *err = NULL;
    if (strcmp(rest, "/lines") == 0 && (sim_method_is(req, "POST") || sim_method_is(req, "PATCH"))) {
        bool add = sim_method_is(req, "POST");
        size_t i;
        json_t *line;
        if (!json_is_array(json_object_get(in, "lines")))
            err = "expected {\"lines\": [...]}";
        json_array_foreach(json_object_get(in, "lines"), i, line)
        {
            const char *sku = json_string_value(json_object_get(line, "sku"));
            json_t *q = json_object_get(line, "quantity");
            if (sku == NULL || !json_is_integer(q)) {
                err = "each line needs sku and quantity";
                break;
            }
            if ((err = cart_set_line(c, sku, (int)json_integer_value(q), add)) != NULL)
                break;
        }
    } else if (strcmp(rest, "/buyer") == 0 && sim_method_is(req, "PUT")) {
        if (!json_is_object(json_object_get(in, "address")))
            err = "expected {\"address\": {...}}";
        else {
            json_decref(c->buyer);
            c->buyer = json_incref(in);
        }
    } else if (strcmp(rest, "/discount-codes") == 0 && sim_method_is(req, "PUT")) {
        json_t *codes = json_object_get(in, "codes");
        if (!json_is_array(codes) || json_array_size(codes) > MAX_CODES)
            err = "expected {\"codes\": [...]} (at most 4)";
        else {
            c->ncodes = 0;
            size_t i;
            json_t *code;
            json_array_foreach(codes, i, code) if (json_is_string(code))
                snprintf(c->codes[c->ncodes++], sizeof(c->codes[0]), "%s", json_string_value(code));
        }
    } else if (strcmp(rest, "/shipping-rate") == 0 && sim_method_is(req, "PUT")) {
        const char *rate = json_string_value(json_object_get(in, "rate_id"));
        if (rate == NULL || (strcmp(rate, "standard") != 0 && strcmp(rate, "express") != 0))
            err = "rate_id must be standard or express";
        else
            snprintf(c->rate_id, sizeof(c->rate_id), "%s", rate);
    } else {
        json_decref(in);
        return sim_answer(P_CARTS, req, 404, sim_error("no such endpoint"));
    }
    json_decref(in);
    return err ? sim_answer(P_CARTS, req, 422, sim_error(err)) : sim_answer(P_CARTS, req, 200, cart_json(c));
}

/* ---- promotions, shipping, tax ---- */

static int serve_promotions(h2o_req_t *req)
{
    json_t *in = body_json(req);
    json_t *sub = json_object_get(in, "subtotal_minor");
    const char *cur = json_string_value(json_object_get(in, "currency"));
    if (strcmp(sim_subpath(req, "/promotions"), "/evaluate") != 0 || !json_is_integer(sub) || cur == NULL) {
        json_decref(in);
        return sim_answer(P_PROMOTIONS, req, 400, sim_error("POST /promotions/evaluate {currency, subtotal_minor, codes}"));
    }
    json_int_t subtotal = json_integer_value(sub);
    json_t *discounts = json_array(), *rejected = json_array();
    size_t i;
    json_t *code;
    json_array_foreach(json_object_get(in, "codes"), i, code)
    {
        const char *c = json_string_value(code);
        if (c == NULL)
            continue;
        if (strcmp(c, "SAVE10") == 0)
            json_array_append_new(discounts, json_pack("{s:s, s:s, s:I}", "code", c, "title", "10% off",
                                                       "amount_minor", (json_int_t)(subtotal / 10)));
        else if (strcmp(c, "WELCOME5") == 0 && subtotal >= 5000)
            json_array_append_new(discounts, json_pack("{s:s, s:s, s:I}", "code", c, "title", "5 off your first order",
                                                       "amount_minor", (json_int_t)500));
        else
            json_array_append_new(rejected, json_string(c));
    }
    json_decref(in);
    return sim_answer(P_PROMOTIONS, req, 200, json_pack("{s:o, s:o}", "discounts", discounts, "rejected", rejected));
}

static const char *country_of(json_t *in)
{
    const char *c = json_string_value(json_object_get(json_object_get(in, "address"), "country"));
    return c ? c : "";
}

static int serve_shipping(h2o_req_t *req)
{
    json_t *in = body_json(req);
    if (strcmp(sim_subpath(req, "/shipping"), "/rates") != 0 || !json_is_object(json_object_get(in, "address"))) {
        json_decref(in);
        return sim_answer(P_SHIPPING, req, 400, sim_error("POST /shipping/rates {currency, address, weight_grams}"));
    }
    bool us = strcmp(country_of(in), "US") == 0;
    json_int_t weight = json_integer_value(json_object_get(in, "weight_grams"));
    json_int_t extra = weight > 5000 ? 500 : 0;
    json_t *rates = json_pack("[{s:s, s:s, s:I, s:i}, {s:s, s:s, s:I, s:i}]", "id", "standard", "title", "Standard",
                              "amount_minor", (json_int_t)(us ? 990 : 490) + extra, "days", us ? 5 : 3, "id", "express",
                              "title", "Express", "amount_minor", (json_int_t)(us ? 2490 : 1490) + extra, "days", 1);
    json_decref(in);
    return sim_answer(P_SHIPPING, req, 200, json_pack("{s:o}", "rates", rates));
}

/* Tax of one amount at rate ppm/1e6, rounded half up to the minor unit. */
static json_int_t tax_of(json_int_t amount, json_int_t ppm)
{
    return (amount * ppm + 500000) / 1000000;
}

static int serve_tax(h2o_req_t *req)
{
    json_t *in = body_json(req);
    if (strcmp(sim_subpath(req, "/tax"), "/calculate") != 0 || !json_is_array(json_object_get(in, "lines"))) {
        json_decref(in);
        return sim_answer(P_TAX, req, 400, sim_error("POST /tax/calculate {currency, address, lines, shipping_minor}"));
    }
    const char *country = country_of(in);
    json_int_t ppm = strcmp(country, "DE") == 0   ? 190000
                     : strcmp(country, "FR") == 0 ? 200000
                     : strcmp(country, "NL") == 0 ? 210000
                     : strcmp(country, "US") == 0 ? 88750
                                                  : 0;
    json_int_t total = 0;
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(in, "lines"), i, line) total += tax_of(json_integer_value(json_object_get(line, "amount_minor")), ppm);
    total += tax_of(json_integer_value(json_object_get(in, "shipping_minor")), ppm);
    char rate[16], title[32];
    snprintf(rate, sizeof(rate), "%lld.%06lld", (long long)(ppm / 1000000), (long long)(ppm % 1000000));
    snprintf(title, sizeof(title), "%s %s", strcmp(country, "US") == 0 ? "Sales tax" : "VAT", country);
    json_decref(in);
    json_t *lines = ppm ? json_pack("[{s:s, s:s, s:I}]", "title", title, "rate", rate, "amount_minor", total) : json_array();
    return sim_answer(P_TAX, req, 200, json_pack("{s:o}", "tax_lines", lines));
}

/* ---- payments and orders (idempotent by key) ---- */

static json_t *auth_json(const auth_t *a)
{
    static const char *const status[] = {"authorized", "captured", "voided"};
    return json_pack("{s:s, s:s, s:I, s:s, s:i}", "id", a->id, "status", status[a->status], "amount_minor",
                     (json_int_t)a->amount, "currency", a->currency, "charges", a->charges);
}

static int serve_payments(h2o_req_t *req)
{
    const char *sub = sim_subpath(req, "/payments");
    if (sim_method_is(req, "GET")) { /* GET /payments (all, or ?idempotency_key=K) or /payments/{id} */
        const char *by_key = NULL;
        sim_query_values(req, "idempotency_key", &by_key, 1);
        json_t *all = json_array();
        for (int i = 0; i < nauths; ++i) {
            if (by_key != NULL && strcmp(auths[i].key, by_key) != 0)
                continue;
            if (sub[0] == '/' && sub[1] != '\0' && strcmp(sub + 1, auths[i].id) == 0) {
                json_decref(all);
                return sim_answer(P_PAYMENTS, req, 200, auth_json(&auths[i]));
            }
            json_array_append_new(all, auth_json(&auths[i]));
        }
        if (sub[0] == '/' && sub[1] != '\0') {
            json_decref(all);
            return sim_answer(P_PAYMENTS, req, 404, sim_error("no such authorization"));
        }
        return sim_answer(P_PAYMENTS, req, 200, json_pack("{s:o}", "authorizations", all));
    }
    if (!sim_method_is(req, "POST"))
        return sim_answer(P_PAYMENTS, req, 405, sim_error("GET or POST"));
    if (strcmp(sub, "/authorize") == 0) {
        const char *key = sim_header(req, "idempotency-key");
        json_t *in = body_json(req);
        json_t *amount = json_object_get(in, "amount_minor");
        const char *cur = json_string_value(json_object_get(in, "currency"));
        const char *token = json_string_value(json_object_get(in, "token"));
        int rc;
        if (key == NULL || strlen(key) >= sizeof(auths[0].key) || !json_is_integer(amount) || cur == NULL || token == NULL) {
            rc = sim_answer(P_PAYMENTS, req, 400, sim_error("needs Idempotency-Key, amount_minor, currency, token"));
        } else {
            auth_t *a = NULL;
            for (int i = 0; i < nauths && a == NULL; ++i)
                if (strcmp(auths[i].key, key) == 0)
                    a = &auths[i];
            if (a != NULL)
                rc = a->amount == json_integer_value(amount)
                         ? sim_answer(P_PAYMENTS, req, 200, auth_json(a))
                         : sim_answer(P_PAYMENTS, req, 409, sim_error("idempotency key reused with another amount"));
            else if (strcmp(token, "tok_decline") == 0)
                rc = sim_answer(P_PAYMENTS, req, 402, sim_error("card declined"));
            else if (nauths == MAX_AUTHS)
                rc = sim_answer(P_PAYMENTS, req, 503, sim_error("full"));
            else {
                a = &auths[nauths++];
                memset(a, 0, sizeof(*a));
                snprintf(a->id, sizeof(a->id), "auth_%d", nauths);
                snprintf(a->key, sizeof(a->key), "%s", key);
                snprintf(a->currency, sizeof(a->currency), "%s", cur);
                a->amount = json_integer_value(amount);
                rc = sim_answer(P_PAYMENTS, req, 201, auth_json(a));
            }
        }
        json_decref(in);
        return rc;
    }
    char id[24], action[16];
    if (sscanf(sub, "/%23[^/]/%15s", id, action) != 2)
        return sim_answer(P_PAYMENTS, req, 404, sim_error("no such endpoint"));
    auth_t *a = NULL;
    for (int i = 0; i < nauths && a == NULL; ++i)
        if (strcmp(auths[i].id, id) == 0)
            a = &auths[i];
    if (a == NULL)
        return sim_answer(P_PAYMENTS, req, 404, sim_error("no such authorization"));
    if (strcmp(action, "capture") == 0) {
        if (a->status == 2)
            return sim_answer(P_PAYMENTS, req, 409, sim_error("voided"));
        if (a->status == 0)
            a->charges++;
        a->status = 1; /* capturing twice is a no-op: never charge twice */
        return sim_answer(P_PAYMENTS, req, 200, auth_json(a));
    }
    if (strcmp(action, "void") == 0) {
        if (a->status == 1)
            return sim_answer(P_PAYMENTS, req, 409, sim_error("already captured"));
        a->status = 2;
        return sim_answer(P_PAYMENTS, req, 200, auth_json(a));
    }
    return sim_answer(P_PAYMENTS, req, 404, sim_error("no such endpoint"));
}

static json_t *order_json(const order_t *o)
{
    json_t *lines = json_array();
    for (int i = 0; i < o->nlines; ++i)
        json_array_append_new(lines, json_pack("{s:s, s:I, s:I, s:I}", "sku", o->lines[i].sku, "quantity",
                                               (json_int_t)o->lines[i].quantity, "unit_price_minor",
                                               (json_int_t)o->lines[i].unit, "discount_minor",
                                               (json_int_t)o->lines[i].discount));
    return json_pack("{s:s, s:i, s:s, s:I, s:s, s:s, s:s, s:s, s:o}", "id", o->id, "number", o->number, "cart_id",
                     o->cart_id, "total_minor", (json_int_t)o->total, "currency", o->currency, "authorization_id",
                     o->authorization_id, "fulfillment_status", o->cancelled ? "cancelled" : "unfulfilled", "status",
                     o->cancelled ? "cancelled" : "open", "lines", lines);
}

/* Order lines as POSTed: [{sku, quantity, unit_price_minor, discount_minor}], all present and sane; false if not. */
static bool order_lines_set(order_t *o, json_t *lines)
{
    size_t i;
    json_t *l;
    if (lines == NULL)
        return true;
    if (!json_is_array(lines) || json_array_size(lines) > MAX_LINES)
        return false;
    json_array_foreach(lines, i, l)
    {
        const char *sku = json_string_value(json_object_get(l, "sku"));
        json_t *q = json_object_get(l, "quantity"), *u = json_object_get(l, "unit_price_minor"),
               *d = json_object_get(l, "discount_minor");
        if (sku == NULL || strlen(sku) >= sizeof(o->lines[0].sku) || !json_is_integer(q) || !json_is_integer(u) ||
            !json_is_integer(d) || json_integer_value(q) <= 0 || json_integer_value(u) < 0 || json_integer_value(d) < 0)
            return false;
        snprintf(o->lines[i].sku, sizeof(o->lines[0].sku), "%s", sku);
        o->lines[i].quantity = json_integer_value(q);
        o->lines[i].unit = json_integer_value(u);
        o->lines[i].discount = json_integer_value(d);
    }
    o->nlines = (int)json_array_size(lines);
    return true;
}

static int serve_orders(h2o_req_t *req)
{
    const char *sub = sim_subpath(req, "/orders");
    if (sim_method_is(req, "GET")) {
        const char *by_key = NULL;
        if (sub[0] != '/' && sim_query_values(req, "idempotency_key", &by_key, 1) == 1) {
            json_t *found = json_array();
            for (int i = 0; i < norders; ++i)
                if (strcmp(orders[i].key, by_key) == 0)
                    json_array_append_new(found, order_json(&orders[i]));
            return sim_answer(P_ORDERS, req, 200, json_pack("{s:o}", "orders", found));
        }
        for (int i = 0; i < norders; ++i)
            if (strcmp(sub + (sub[0] == '/'), orders[i].id) == 0)
                return sim_answer(P_ORDERS, req, 200, order_json(&orders[i]));
        return sim_answer(P_ORDERS, req, 404, sim_error("no such order"));
    }
    char cancel_id[24];
    if (sim_method_is(req, "POST") && sscanf(sub, "/%23[^/]/cancel", cancel_id) == 1) {
        for (int i = 0; i < norders; ++i) {
            if (strcmp(orders[i].id, cancel_id) == 0) {
                orders[i].cancelled = true; /* idempotent */
                return sim_answer(P_ORDERS, req, 200, order_json(&orders[i]));
            }
        }
        return sim_answer(P_ORDERS, req, 404, sim_error("no such order"));
    }
    json_t *in = body_json(req);
    const char *key = json_string_value(json_object_get(in, "idempotency_key"));
    const char *cart = json_string_value(json_object_get(in, "cart_id"));
    const char *cur = json_string_value(json_object_get(in, "currency"));
    const char *auth = json_string_value(json_object_get(in, "authorization_id"));
    json_t *total = json_object_get(in, "total_minor");
    int rc;
    if (!sim_method_is(req, "POST") || key == NULL || strlen(key) >= sizeof(orders[0].key) || cart == NULL ||
        cur == NULL || auth == NULL || !json_is_integer(total)) {
        rc = sim_answer(P_ORDERS, req, 400,
                        sim_error("POST /orders {idempotency_key, cart_id, currency, total_minor, authorization_id}"));
    } else {
        order_t *o = NULL;
        for (int i = 0; i < norders && o == NULL; ++i)
            if (strcmp(orders[i].key, key) == 0)
                o = &orders[i];
        if (o != NULL) {
            rc = sim_answer(P_ORDERS, req, 200, order_json(o));
        } else if (norders == MAX_ORDERS) {
            rc = sim_answer(P_ORDERS, req, 503, sim_error("full"));
        } else {
            o = &orders[norders++];
            memset(o, 0, sizeof(*o));
            snprintf(o->id, sizeof(o->id), "ord_%d", norders);
            snprintf(o->key, sizeof(o->key), "%s", key);
            snprintf(o->cart_id, sizeof(o->cart_id), "%s", cart);
            snprintf(o->currency, sizeof(o->currency), "%s", cur);
            snprintf(o->authorization_id, sizeof(o->authorization_id), "%s", auth);
            o->number = 1000 + norders;
            o->total = json_integer_value(total);
            if (order_lines_set(o, json_object_get(in, "lines"))) {
                rc = sim_answer(P_ORDERS, req, 201, order_json(o));
            } else {
                --norders;
                rc = sim_answer(P_ORDERS, req, 400, sim_error("lines: [{sku, quantity, unit_price_minor, discount_minor}]"));
            }
        }
    }
    json_decref(in);
    return rc;
}

/* ---- customers: GET /customers/me with "Authorization: Bearer <token>" ---- */

static int serve_customers(h2o_req_t *req)
{
    const char *auth = sim_header(req, "authorization");
    if (strcmp(sim_subpath(req, "/customers"), "/me") != 0 || !sim_method_is(req, "GET"))
        return sim_answer(P_CUSTOMERS, req, 404, sim_error("GET /customers/me"));
    if (auth == NULL || strcmp(auth, "Bearer demo-customer-token") != 0)
        return sim_answer(P_CUSTOMERS, req, 401, sim_error("unknown or expired customer token"));
    return sim_answer(P_CUSTOMERS, req, 200,
                      json_pack("{s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s, s:s}]}", "id",
                                "cust_1", "email", "demo@example.test", "first_name", "Dana", "last_name", "Demo",
                                "addresses", "id", "addr_1", "line1", "Invalidenstrasse 1", "city", "Berlin", "zip",
                                "10115", "country", "DE", "id", "addr_2", "line1", "1 Main St", "city", "New York", "zip",
                                "10001", "country", "US"));
}

int sim_serve_commerce(provider_t pv, h2o_req_t *req)
{
    switch (pv) {
    case P_CUSTOMERS:
        return serve_customers(req);
    case P_CARTS:
        return serve_carts(req);
    case P_PROMOTIONS:
        return serve_promotions(req);
    case P_SHIPPING:
        return serve_shipping(req);
    case P_TAX:
        return serve_tax(req);
    case P_PAYMENTS:
        return serve_payments(req);
    case P_ORDERS:
        return serve_orders(req);
    default:
        return sim_answer(pv, req, 404, sim_error("no such provider"));
    }
}

void sim_commerce_free(void)
{
    for (int i = 0; i < ncarts; ++i)
        json_decref(carts[i].buyer);
    ncarts = nauths = norders = 0;
}

void sim_commerce_reset(void)
{
    for (int i = 0; i < ncarts; ++i)
        json_decref(carts[i].buyer);
    ncarts = nauths = norders = 0;
    cart_t *demo = cart_new("demo-cart-1", "EUR");
    cart_set_line(demo, "SKU-0001-1", 2, true);
    cart_set_line(demo, "SKU-0003-1", 1, true);
    demo->buyer = json_pack("{s:s, s:{s:s, s:s, s:s, s:s}}", "email", "demo@example.test", "address", "line1",
                            "Invalidenstrasse 1", "city", "Berlin", "zip", "10115", "country", "DE");
    snprintf(demo->rate_id, sizeof(demo->rate_id), "standard");
}
