/*
 * saga.h - checkout as a journaled saga (docs/decisions/checkout-saga.md).
 *
 *   started -> authorized -> order_pending -> order_created -> captured
 *
 * Every state is written to the journal (journal.h) before the provider
 * write that follows it. An answer that does not say what happened (a
 * timeout, a reset, a 5xx, an unreadable body) is never taken as "nothing
 * happened": the saga asks the provider by idempotency key (payments and
 * orders have lookups) and goes on from what it learns. It voids an
 * authorization only once it knows no order exists; an order whose payment
 * cannot be captured is cancelled, never left to ship unpaid; what cannot be
 * learned now stays in_doubt for a retry or the reconciler.
 *
 * A saga ends in one outcome, given to `done`: the order (captured), or a
 * userError code and message (the buyer's problem: declined, conflict, cart
 * completed, order failed and not charged), or an error code and message
 * (in doubt, or a provider down: retry with the same key).
 */
#ifndef BFF_RESOLVERS_SAGA_H
#define BFF_RESOLVERS_SAGA_H

#include <jansson.h>

#include "cart.h"
#include "context.h"
#include "journal.h"

typedef struct st_bff_saga_outcome_t {
    json_t *order;              /* the schema's Order (borrowed for the call), or NULL */
    const char *user_code;      /* a userError: code, field and message */
    const char *user_field;
    const char *user_message;
    const char *error_code;     /* a field error: code, dependency and message */
    const char *error_dependency;
    const char *error_message;
    json_t *cost;               /* with PRICE_CHANGED: the cart's totals now (borrowed for the call), or NULL */
} bff_saga_outcome_t;

typedef void (*bff_saga_done_cb)(const bff_saga_outcome_t *outcome, void *arg);

typedef struct st_bff_checkout_input_t {
    const char *client;  /* who asks (API client id or anonymous address): keys are per client */
    const char *key;     /* the idempotency key */
    const char *cart_id; /* the provider's cart id (opened from the client's id) */
    const char *token;   /* the payment token (fingerprinted, never journaled) */
    const char *quote;   /* Cart.cost.quote as shown to the buyer, or NULL */
} bff_checkout_input_t;

/* Runs (or, for a key seen before, resumes or answers again) a checkout; done fires once. */
void bff_saga_checkout(bff_reqctx_t *ctx, const bff_checkout_input_t *in, bff_saga_done_cb done, void *arg);

/*
 * The reconciler's step: drives a journaled saga that is not finished (no
 * request waits for it) as far as the providers let it; done fires once.
 * False when the key is locked (a request runs it): nothing started.
 */
bool bff_saga_reconcile(bff_reqctx_t *ctx, const bff_saga_rec_t *rec, bff_saga_done_cb done, void *arg);

#endif
