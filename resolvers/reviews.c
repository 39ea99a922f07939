/*
 * reviews.c - Product.rating and Product.reviews from the reviews service:
 * one call per product a loop turn, shared by both fields (the enrichment
 * pool: slow or down, the page answers without them, with a coded error).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/money.h"
#include "adapters/storefront.h"
#include "adapters/vendors.h"
#include "adapters/gateway.h"
#include "resolvers.h"

/* ---- reviews (one call per product, shared by rating and reviews) ---- */

typedef struct st_multi_t {
    bff_batch_t *batch;
    json_t *values;
    size_t pending;
    const char *code, *message;
} multi_t;

typedef struct st_multi_item_t {
    multi_t *m;
    const char *key;
    bff_call_t **slot; /* in the batch: cleared when the call ends */
} multi_item_t;

static void on_reviews(const bff_reviews_t *rv, const bff_outcome_t *o, void *arg)
{
    multi_item_t *it = arg;
    multi_t *m = it->m;
    if (it->slot != NULL)
        *it->slot = NULL;
    if (rv == NULL && m->code == NULL) {
        m->code = o->code;
        m->message = o->message;
    }
    if (rv != NULL) {
        json_t *list = json_array();
        for (size_t i = 0; i < rv->n; ++i)
            json_array_append_new(list, json_pack("{s:s, s:i, s:s, s:s}", "id", rv->items[i].id, "rating",
                                                  rv->items[i].rating, "title", rv->items[i].title, "author",
                                                  rv->items[i].author));
        json_object_set_new(m->values, it->key,
                            json_pack("{s:I, s:o, s:o}", "count", (json_int_t)rv->count, "average",
                                      rv->average >= 0 ? json_real(rv->average) : json_null(), "reviews", list));
    }
    if (--m->pending == 0) {
        json_t *values = m->values; /* m lives in the request arena, which completing may free */
        if (m->code != NULL && json_object_size(values) == 0)
            bff_batch_fail(m->batch, m->code, m->message);
        else
            bff_batch_resolve(m->batch, values);
        json_decref(values);
    }
}

static void dispatch_reviews(bff_batch_t *b, const char *const *keys, size_t n, void *arg)
{
    bff_reqctx_t *ctx = bff_batch_ctx(b);
    multi_t *m = bff_arena_calloc(ctx->arena, 1, sizeof(*m));
    m->batch = b;
    m->values = json_object();
    m->pending = n;
    for (size_t i = 0; i < n; ++i) {
        multi_item_t *it = bff_arena_calloc(ctx->arena, 1, sizeof(*it));
        it->m = m;
        it->key = keys[i];
        bff_call_t **slot = bff_batch_add_call(b, NULL);
        bff_call_t *call = bff_gw_reviews(&ctx->scope, keys[i], 8, on_reviews, it);
        if (call != NULL) { /* still running: cancellable until its callback clears the slot */
            *slot = call;
            it->slot = slot;
        }
    }
}

static void reviews_done(bff_resolve_t *r, json_t *value, const char *code, const char *message, void *arg)
{
    bool summary = arg != NULL;
    if (code != NULL) {
        bff_resolve_dependency_error(r, code, "reviews", message);
        return;
    }
    if (summary) {
        json_t *out = json_pack("{s:O, s:O}", "average", json_object_get(value, "average"), "count",
                                json_object_get(value, "count"));
        bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), out));
        return;
    }
    json_int_t first = json_integer_value(bff_resolve_arg(r, "first"));
    json_t *list = json_array();
    size_t i;
    json_t *rv;
    json_array_foreach(json_object_get(value, "reviews"), i, rv)
    {
        if ((json_int_t)i >= first)
            break;
        json_array_append(list, rv);
    }
    bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), list));
}

static void resolve_reviews_common(bff_resolve_t *r, bool summary)
{
    const char *pid = json_string_value(json_object_get(bff_parent_json(r), "_pid"));
    if (pid == NULL) {
        bff_resolve_ok(r, summary ? bff_value_null() : bff_value_json(bff_resolve_arena(r), json_array()));
        return;
    }
    bff_loader_t *l = bff_loader_get(bff_ctx_of(r), "reviews", dispatch_reviews, NULL);
    bff_loader_load(l, pid, r, reviews_done, summary ? (void *)1 : NULL);
}

static void resolve_rating(bff_resolve_t *r, void *unused)
{
    resolve_reviews_common(r, true);
}

static void resolve_reviews(bff_resolve_t *r, void *unused)
{
    json_int_t first = json_integer_value(bff_resolve_arg(r, "first"));
    if (first < 0 || first > 8) {
        bff_resolve_error(r, "BAD_USER_INPUT", "\"first\" must be between 0 and 8.");
        return;
    }
    resolve_reviews_common(r, false);
}

const bff_resolver_entry_t bff_reviews_resolvers[] = {
    {"Product", "rating", resolve_rating},
    {"Product", "reviews", resolve_reviews},
    {NULL, NULL, NULL},
};

const bff_resolver_defaults_t bff_reviews_defaults[] = {
    {"Review", "id rating title author"},          /* reviews_done */
    {"RatingSummary", "average count"},
    {NULL, NULL},
};
