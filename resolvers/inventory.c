/*
 * inventory.c - stock from the inventory service: two loaders (totals per
 * SKU, and rows per location), ProductVariant.quantityAvailable, stock,
 * availableForSale and availability.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/money.h"
#include "adapters/storefront.h"
#include "adapters/pull.h"
#include "adapters/vendors.h"
#include "adapters/gateway.h"
#include "resolvers.h"

/*
 * Inventory is a GET with the SKUs in the URL: a batch goes out in chunks of
 * INVENTORY_CHUNK SKUs (URLs stay short of the 8 KB request lines servers
 * take), all at once, and completes when the last chunk is in.
 */
#define INVENTORY_CHUNK 100

/* One SKU's stock as the chunks bring it: its rows (per location) and their sum. */
typedef struct st_stock_t {
    const char *sku; /* first: the index's key */
    bool seen;       /* the inventory listed it */
    int64_t total;
    const bff_level_t **rows;
    size_t nrows, cap;
} stock_t;

typedef struct st_inventory_batch_t {
    bff_batch_t *b;
    bff_arena_t *arena;
    stock_t *stock; /* one per key asked, indexed by SKU */
    size_t nstock;
    bff_key_index_t index;
    bool totals_only;
    size_t pending;
    const char *code, *message;
} inventory_batch_t;

typedef struct st_inventory_chunk_t {
    inventory_batch_t *ib;
    bff_call_t **slot;
} inventory_chunk_t;

static const void *find_stock(const char *sku, void *arg)
{
    const inventory_batch_t *ib = arg;
    const stock_t *st = bff_key_index_find(&ib->index, ib->stock, sizeof(*ib->stock), offsetof(stock_t, sku), sku);
    return st != NULL && st->seen ? st : NULL;
}

/* One chunk (or the hold) is done: the last completes the batch. */
static void inventory_settle(inventory_batch_t *ib)
{
    if (--ib->pending > 0)
        return;
    if (ib->code != NULL)
        bff_batch_fail(ib->b, ib->code, ib->message);
    else
        bff_batch_resolve_typed(ib->b, find_stock, ib); /* each waiter gets its stock_t, no JSON to read back */
}

static void on_inventory(const bff_levels_t *levels, const bff_outcome_t *o, void *arg)
{
    inventory_chunk_t *ch = arg;
    inventory_batch_t *ib = ch->ib;
    if (ch->slot != NULL)
        *ch->slot = NULL;
    if (levels == NULL && ib->code == NULL) {
        ib->code = o->code;
        ib->message = o->message;
    }
    for (size_t i = 0; levels != NULL && i < levels->n; ++i) {
        const bff_level_t *l = &levels->items[i];
        stock_t *st = (stock_t *)bff_key_index_find(&ib->index, ib->stock, sizeof(*ib->stock), offsetof(stock_t, sku), l->sku);
        if (st == NULL)
            continue; /* a SKU nobody asked for */
        st->seen = true;
        st->total += l->available; /* each row within +-10^9 (inventory.c), rows bounded by the answer's size */
        if (ib->totals_only)
            continue; /* quantity and availableForSale need the sum only */
        st->rows = bff_pull_grow(ib->arena, st->rows, st->nrows, &st->cap, sizeof(*st->rows));
        st->rows[st->nrows++] = l;
    }
    inventory_settle(ib);
}

static void dispatch_inventory(bff_batch_t *b, const char *const *keys, size_t n, void *arg)
{
    bff_reqctx_t *ctx = bff_batch_ctx(b);
    inventory_batch_t *ib = bff_arena_calloc(ctx->arena, 1, sizeof(*ib));
    ib->b = b;
    ib->arena = ctx->arena;
    ib->stock = bff_arena_calloc(ctx->arena, n + 1, sizeof(*ib->stock));
    for (size_t i = 0; i < n; ++i)
        ib->stock[i].sku = keys[i];
    ib->nstock = n;
    bff_key_index_build(&ib->index, ctx->arena, ib->stock, n, sizeof(*ib->stock), offsetof(stock_t, sku));
    ib->totals_only = arg != NULL;
    ib->pending = (n + INVENTORY_CHUNK - 1) / INVENTORY_CHUNK + 1; /* +1 held while the chunks start */
    for (size_t from = 0; from < n; from += INVENTORY_CHUNK) {
        size_t count = n - from < INVENTORY_CHUNK ? n - from : INVENTORY_CHUNK;
        inventory_chunk_t *ch = bff_arena_calloc(ctx->arena, 1, sizeof(*ch));
        ch->ib = ib;
        bff_call_t **slot = bff_batch_add_call(b, NULL);
        bff_call_t *call = bff_gw_inventory_levels(&ctx->scope, keys + from, count, on_inventory, ch);
        if (call != NULL) { /* still running: cancellable until its callback clears the slot */
            *slot = call;
            ch->slot = slot;
        }
    }
    inventory_settle(ib); /* let go of the hold */
}

typedef enum { STOCK_TOTAL, STOCK_AVAILABLE, STOCK_PER_LOCATION } stock_view_t;

static void stock_done(bff_resolve_t *r, const void *value, const char *code, const char *message, void *arg)
{
    const stock_t *st = value;
    stock_view_t view = (stock_view_t)(uintptr_t)arg;
    if (code != NULL) {
        bff_resolve_dependency_error(r, code, "inventory", message);
        return;
    }
    switch (view) {
    case STOCK_TOTAL:
        bff_resolve_ok(r, st != NULL ? bff_value_int(st->total) : bff_value_null());
        break;
    case STOCK_AVAILABLE:
        bff_resolve_ok(r, st != NULL ? bff_value_bool(st->total > 0) : bff_value_null());
        break;
    case STOCK_PER_LOCATION: {
        json_t *rows = json_array();
        for (size_t i = 0; st != NULL && i < st->nrows; ++i) {
            json_t *row = json_object();
            bff_json_set_string(row, "location", st->rows[i]->location);
            json_object_set_new_nocheck(row, "quantity", json_integer((json_int_t)st->rows[i]->available));
            json_array_append_new(rows, row);
        }
        bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), rows));
        break;
    }
    }
}

static void resolve_stock(bff_resolve_t *r, stock_view_t view)
{
    const char *sku = json_string_value(json_object_get(bff_parent_json(r), "sku"));
    if (sku == NULL) {
        bff_resolve_ok(r, bff_value_null());
        return;
    }
    /* totals and per-location rows are two loaders: a listing asking availableForSale gets a number per SKU, not rows */
    bff_loader_t *l = view == STOCK_PER_LOCATION ? bff_loader_get(bff_ctx_of(r), "inventory", dispatch_inventory, NULL)
                                                 : bff_loader_get(bff_ctx_of(r), "inventory-totals", dispatch_inventory, "totals");
    bff_loader_load_typed(l, sku, r, stock_done, (void *)(uintptr_t)view);
}

static void resolve_quantity(bff_resolve_t *r, void *unused)
{
    resolve_stock(r, STOCK_TOTAL);
}

static void resolve_available(bff_resolve_t *r, void *unused)
{
    resolve_stock(r, STOCK_AVAILABLE);
}

static void resolve_availability(bff_resolve_t *r, void *unused)
{
    resolve_stock(r, STOCK_PER_LOCATION);
}

const bff_resolver_entry_t bff_inventory_resolvers[] = {
    {"ProductVariant", "quantityAvailable", resolve_quantity},
    {"ProductVariant", "stock", resolve_quantity},
    {"ProductVariant", "availableForSale", resolve_available},
    {"ProductVariant", "availability", resolve_availability},
    {NULL, NULL, NULL},
};

const bff_resolver_defaults_t bff_inventory_defaults[] = {
    {"LocationAvailability", "location quantity"},  /* stock_done */
    {NULL, NULL},
};
