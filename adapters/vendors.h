/*
 * vendors.h - the answers the server computes with (money, stock, orders) as
 * canonical C types.
 *
 * Each provider's vendor JSON is checked and mapped in its own file
 * (pricing.c, promotions.c, shipping.c, tax.c, payments.c, inventory.c,
 * orders.c): amounts become
 * int64 minor units, and an answer with a missing, non-integer, negative or
 * wrong-currency amount is refused as a whole with a message naming the
 * provider, so no total is ever computed from half an answer. Strings are
 * copied into the given arena (the vendor JSON goes when its callback ends).
 *
 * The parse functions return NULL on success, else the reason (static or in
 * the arena). Pricing, promotions, shipping, tax and inventory (and reviews
 * and recommendations, storefront.h) read the answer's text with the JSON
 * pull reader straight into these types, no tree built (pull.h); payments and
 * orders read a jansson tree.
 */
#ifndef BFF_ADAPTERS_VENDORS_H
#define BFF_ADAPTERS_VENDORS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"

/* pricing (ERP): {"currency", "prices": [{"sku", "amount_minor", "compare_at_minor"?}]}; unknown SKUs are left out. */
typedef struct st_bff_quote_t {
    const char *sku;
    int64_t amount;     /* minor units of the requested currency */
    int64_t compare_at; /* list price in minor units, -1: none */
} bff_quote_t;
typedef struct st_bff_quotes_t {
    const char *currency;
    bff_quote_t *items;
    size_t n;
    struct st_bff_key_index_t *index; /* by SKU (pull.h), for bff_quotes_find; NULL: search in order */
} bff_quotes_t;
const char *bff_pricing_parse(const char *text, size_t len, const char *currency, bff_arena_t *arena, bff_quotes_t *out);
/* The request for quotes of `skus` in `currency`: its path, and its JSON body (text, in `arena`). */
#define BFF_PRICING_QUOTES_PATH "/pricing/v2/quotes"
const char *bff_pricing_request(bff_arena_t *arena, const char *currency, const char *const *skus, size_t n);
/* The quote of `sku`, or NULL when the ERP did not price it. */
const bff_quote_t *bff_quotes_find(const bff_quotes_t *q, const char *sku);

/* promotions: {"discounts": [{"code", "amount_minor"}]}: codes that apply, each with its amount. */
typedef struct st_bff_discount_t {
    const char *code;
    int64_t amount;
} bff_discount_t;
typedef struct st_bff_discounts_t {
    bff_discount_t *items;
    size_t n;
    int64_t total;
} bff_discounts_t;
const char *bff_promotions_parse(const char *text, size_t len, bff_arena_t *arena, bff_discounts_t *out);
/* The request for the discounts `codes` (a JSON array, as the cart holds them) give on `subtotal` minor units. */
#define BFF_PROMOTIONS_EVALUATE_PATH "/promotions/evaluate"
const char *bff_promotions_request(bff_arena_t *arena, const char *currency, int64_t subtotal, json_t *codes);

/* shipping: {"rates": [{"id", "title"?, "amount_minor", "days"?}]}. */
typedef struct st_bff_rate_t {
    const char *id, *title;
    int64_t amount;
    int days; /* -1: not given */
} bff_rate_t;
typedef struct st_bff_rates_t {
    bff_rate_t *items;
    size_t n;
} bff_rates_t;
const char *bff_shipping_parse(const char *text, size_t len, bff_arena_t *arena, bff_rates_t *out);
/* The request for the rates of a parcel (`address` as the cart holds it; a NULL currency or address is sent as null). */
#define BFF_SHIPPING_RATES_PATH "/shipping/rates"
const char *bff_shipping_request(bff_arena_t *arena, const char *currency, json_t *address, int64_t weight_grams);
/* The rate with `id`, or NULL. */
const bff_rate_t *bff_rates_find(const bff_rates_t *r, const char *id);

/* tax: {"tax_lines": [{"amount_minor", ...}]}: the tax of each line (and shipping), rounded by the provider. */
typedef struct st_bff_tax_t {
    int64_t total;
    size_t nlines;
} bff_tax_t;
const char *bff_tax_parse(const char *text, size_t len, bff_arena_t *arena, bff_tax_t *out);
/* The request for the tax on `n` lines (taxable minor units per SKU) and the shipping, delivered to `address`. */
#define BFF_TAX_CALCULATE_PATH "/tax/calculate"
const char *bff_tax_request(bff_arena_t *arena, const char *currency, json_t *address, const char *const *skus,
                            const int64_t *taxable, size_t n, int64_t shipping);

/* payments: {"id", "status": "authorized"|"captured"|"voided"|"declined", "amount_minor"?}. */
typedef struct st_bff_payment_t {
    const char *id, *status;
    int64_t amount; /* -1: not given */
} bff_payment_t;
const char *bff_payments_parse(json_t *body, bff_arena_t *arena, bff_payment_t *out);
/* payments by idempotency key: {"authorizations": [payment...]}: the first, and whether there is one; NULL, or why not. */
const char *bff_payments_lookup_parse(json_t *body, bff_arena_t *arena, bff_payment_t *out, bool *found);
extern const char BFF_PAYMENTS_NO_LIST[]; /* its reason when there is no list at all (compare the pointer) */
/* The path of payment (authorization) `id` (escaped; in `arena`); its capture and void; those made with an idempotency key. */
const char *bff_payments_path(bff_arena_t *arena, const char *id);
const char *bff_payments_capture_path(bff_arena_t *arena, const char *id);
const char *bff_payments_void_path(bff_arena_t *arena, const char *id);
const char *bff_payments_by_key_path(bff_arena_t *arena, const char *key);
#define BFF_PAYMENTS_AUTHORIZE_PATH "/payments/authorize"

/* inventory: {"levels": [{"sku", "location", "available"}]}: units per SKU and location (negative: oversold). */
typedef struct st_bff_level_t {
    const char *sku, *location;
    int64_t available;
} bff_level_t;
typedef struct st_bff_levels_t {
    bff_level_t *items;
    size_t n;
} bff_levels_t;
const char *bff_inventory_parse(const char *text, size_t len, bff_arena_t *arena, bff_levels_t *out);
/* `s` escaped for a URL's path or query (in `arena`). */
const char *bff_vendor_escape(bff_arena_t *arena, const char *s);
/* The route template a provider path was built from ("/payments/{id}/capture"), or NULL for a path no adapter builds. */
const char *bff_route_template(const char *path);
/* The path asking the levels of `n` SKUs (escaped; in `arena`). */
const char *bff_inventory_path(bff_arena_t *arena, const char *const *skus, size_t n);

/* orders: {"id", "number", "currency", "total_minor", "authorization_id", "fulfillment_status"?, "lines": [...]}. */
typedef struct st_bff_order_line_t {
    const char *sku;
    int64_t quantity, unit, discount; /* minor units */
} bff_order_line_t;
typedef struct st_bff_order_t {
    const char *id, *currency, *authorization_id, *fulfillment_status;
    int64_t number, total;
    bff_order_line_t *lines;
    size_t nlines;
} bff_order_t;
const char *bff_orders_parse(json_t *body, bff_arena_t *arena, bff_order_t *out);
/*
 * orders by idempotency key: {"orders": [order...]}: the first, whether there is one and whether it was cancelled
 * ({"status": "cancelled"}); NULL, or why the answer cannot be read.
 */
const char *bff_orders_lookup_parse(json_t *body, bff_arena_t *arena, bff_order_t *out, bool *found, bool *cancelled);
extern const char BFF_ORDERS_NO_LIST[]; /* its reason when there is no list at all (compare the pointer) */
/* The path of order `id` (escaped; in `arena`); its cancellation; the orders made with an idempotency key; creating one. */
const char *bff_orders_path(bff_arena_t *arena, const char *id);
const char *bff_orders_cancel_path(bff_arena_t *arena, const char *id);
const char *bff_orders_by_key_path(bff_arena_t *arena, const char *key);
#define BFF_ORDERS_PATH "/orders"

/* Request bodies are JSON text written directly into a buffer (paths.c): a string or null, any value or null, and the text kept in `arena` (the buffer freed). */
void bff_vendor_write_string(bff_buf_t *b, const char *s);
void bff_vendor_write_json(bff_buf_t *b, json_t *v);
const char *bff_vendor_text(bff_arena_t *arena, bff_buf_t *b);

/* An amount member: a JSON integer, 0 <= v <= BFF_VENDOR_AMOUNT_MAX minor units. */
#define BFF_VENDOR_AMOUNT_MAX 1000000000000000LL /* 10^15 */
int bff_vendor_amount(json_t *v, int64_t *out);

#endif
