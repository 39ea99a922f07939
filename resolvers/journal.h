/*
 * journal.h - the checkout journal: one record per checkout (saga), keyed by
 * the caller and its idempotency key, holding what the saga knows so far. A
 * record is written, and the file fsync()ed, before each provider write the
 * saga makes, so after a crash the journal says what may have happened and
 * the saga asks the providers instead of guessing (docs/decisions/checkout-saga.md).
 *
 * Storage: an append-only file `journal.log` under state_dir (one JSON line
 * per write; the last line of a key wins when the file is read at start),
 * and the records in memory (a list behind one mutex: the workers and the
 * reconciler share it). Without a state_dir the journal lives in memory
 * only (a crash then loses it). In-process, a key is locked while a saga
 * runs, so two requests never run the same checkout.
 *
 * Bounds: at most max_records records; past it the oldest finished one
 * (captured, compensated, failed, aborted) is forgotten, and the file is
 * rewritten with the live records once it holds four times their size.
 */
#ifndef BFF_RESOLVERS_JOURNAL_H
#define BFF_RESOLVERS_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* X(state, name, terminal) */
#define BFF_SAGA_STATES(X)                                                                                                 \
    X(STARTED, "started", 0)             /* fingerprint recorded; authorizing */                                          \
    X(AUTHORIZED, "authorized", 0)       /* the payment is authorized (auth_id) */                                        \
    X(ORDER_PENDING, "order_pending", 0) /* creating the order */                                                         \
    X(ORDER_CREATED, "order_created", 0) /* the order exists (order_id); capturing */                                     \
    X(CAPTURED, "captured", 1)           /* paid: the end of a checkout that worked */                                    \
    X(VOIDING, "voiding", 0)             /* no order exists: releasing the authorization */                               \
    X(CANCELLING, "cancelling", 0)       /* the order cannot be paid: cancelling it */                                    \
    X(COMPENSATED, "compensated", 1)     /* undone: no order to ship, no money held (outcome says why) */                 \
    X(FAILED, "failed", 1)               /* refused before any money moved (outcome: declined, conflict) */               \
    X(ABORTED, "aborted", 1)             /* nothing happened anywhere: the key may be used again */                       \
    X(IN_DOUBT, "in_doubt", 0)           /* a step's outcome could not be learned yet (doubt_step); retried */

typedef enum en_bff_saga_state_t {
#define BFF_SAGA_STATE_ENUM(id, name, terminal) BFF_SAGA_##id,
    BFF_SAGA_STATES(BFF_SAGA_STATE_ENUM)
#undef BFF_SAGA_STATE_ENUM
        BFF_SAGA_STATE_COUNT
} bff_saga_state_t;

const char *bff_saga_state_name(bff_saga_state_t s);
bool bff_saga_state_terminal(bff_saga_state_t s);
/* The state named `name`, or -1. */
int bff_saga_state_parse(const char *name);

typedef struct st_bff_saga_rec_t {
    char key[200];          /* "<client>\x1f<idempotency key>": the journal's key */
    char provider_key[65];  /* what payments and orders see as the idempotency key: SHA-256 hex of `key` */
    char cart_id[72];       /* the provider's cart id */
    char token_hash[65];    /* SHA-256 hex of the payment token (the fingerprint; never the token) */
    int64_t amount;         /* minor units: what is authorized, ordered and captured */
    char currency[4];
    char auth_id[64];
    char order_id[64];
    bff_saga_state_t state;
    bff_saga_state_t doubt_step; /* for IN_DOUBT: the state whose step is in doubt */
    char outcome[40];       /* for FAILED/COMPENSATED: the userError code given (PAYMENT_DECLINED, ORDER_FAILED, ...) */
    uint64_t created_ms, updated_ms; /* wall clock */
} bff_saga_rec_t;

typedef struct st_bff_journal_t bff_journal_t;

/* Wall-clock milliseconds (what records and quotes are stamped with). */
uint64_t bff_wall_ms(void);

/* Opens (creating) state_dir/journal.log and replays it; state_dir "" keeps the journal in memory. NULL: err. */
bff_journal_t *bff_journal_open(const char *state_dir, size_t max_records, char *err, size_t errlen);
void bff_journal_free(bff_journal_t *j);
/* Writes the record (append and fsync, then memory); -1 when the write failed (the saga must not go on). */
int bff_journal_put(bff_journal_t *j, bff_saga_rec_t *rec);
/* The record of `key` into *out; false when there is none. */
bool bff_journal_get(bff_journal_t *j, const char *key, bff_saga_rec_t *out);
/* A captured checkout of this cart, if any (a completed cart is not bought twice). */
bool bff_journal_cart_captured(bff_journal_t *j, const char *cart_id, bff_saga_rec_t *out);
/* The in-process lock of a key: false when a saga already runs it. */
bool bff_journal_lock(bff_journal_t *j, const char *key);
void bff_journal_unlock(bff_journal_t *j, const char *key);
/* A record as one JSON object (malloc'd), as the file holds it: what a fleet shares (saga.c). */
char *bff_journal_rec_text(const bff_saga_rec_t *r);
/* Reads such a text back; false when it is not a record. */
bool bff_journal_rec_parse(const char *text, size_t len, bff_saga_rec_t *out);
/* Calls fn for each record (a copy) in `state` (-1: every state); stops at max records. */
size_t bff_journal_each(bff_journal_t *j, int state, size_t max, void (*fn)(const bff_saga_rec_t *rec, void *arg),
                        void *arg);
/* Records per state (counts[BFF_SAGA_STATE_COUNT]). */
void bff_journal_counts(bff_journal_t *j, uint64_t *counts);

#endif
