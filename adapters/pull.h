/*
 * pull.h - what the providers' answer readers share (vendors.h): the answer
 * text is walked with the JSON pull reader (base/json_parse.h) and read
 * straight into the adapters' C types, no tree built. Each helper reads one
 * value whatever it is: a value of another type is read past and reported
 * as "not this", so a reader can finish the text and give the same reason a
 * tree reader would (the first bad row, after the answer's own shape).
 */
#ifndef BFF_ADAPTERS_PULL_H
#define BFF_ADAPTERS_PULL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/json_parse.h"

static inline bool bff_key_is(const char *key, size_t len, const char *name)
{
    return strlen(name) == len && memcmp(key, name, len) == 0;
}

/* The next value as a JSON integer: 1 and *v; 0: not one (read past); -1: broken text. */
int bff_pull_integer(bff_json_pull_t *j, int64_t *v);
/* The next value as a number (integer or not): 1 and *v; 0: not one (read past); -1: broken text. */
int bff_pull_double(bff_json_pull_t *j, double *v);
/* The next value if it is a string, copied into `arena` (*out; NULL when it is not one). False: broken text. */
bool bff_pull_string(bff_json_pull_t *j, bff_arena_t *arena, const char **out);
/*
 * A row's members by table: each field names a member, what it should be,
 * and where it goes; `state` (may be NULL) says what came: BFF_PULL_ABSENT
 * (untouched), BFF_PULL_READ (the kind asked, in *out), BFF_PULL_NULL,
 * BFF_PULL_OTHER (another kind: read past). Members not in the table are
 * read past; a value that is not an object reads as every member absent.
 * The last of duplicate members counts. False only when the text broke.
 */
typedef enum en_bff_pull_kind_t {
    BFF_PULL_STRING, /* out: const char ** (copied into the arena) */
    BFF_PULL_AMOUNT, /* out: int64_t *, a JSON integer 0 <= v <= BFF_VENDOR_AMOUNT_MAX (else BFF_PULL_OTHER) */
    BFF_PULL_INTEGER, /* out: int64_t * */
    BFF_PULL_NUMBER, /* out: double * (an integer or not) */
} bff_pull_kind_t;
enum { BFF_PULL_ABSENT = 0, BFF_PULL_READ, BFF_PULL_NULL, BFF_PULL_OTHER };
typedef struct st_bff_pull_field_t {
    const char *name;
    bff_pull_kind_t kind;
    void *out;
    int *state;
} bff_pull_field_t;
bool bff_pull_fields(bff_json_pull_t *j, bff_arena_t *arena, const bff_pull_field_t *fields, size_t n);

/* Room for item n of an arena array of `size`-byte items (*cap: its room, doubled by copying when full). */
void *bff_pull_grow(bff_arena_t *arena, void *items, size_t n, size_t *cap, size_t size);
/*
 * Reads an answer {"<list_key>": [rows...], ...} (other members read past):
 * `row` reads one row (any value) into item n of an array of `size`-byte
 * items and returns NULL or why it refuses it. Returns NULL, or the reason:
 * the text broken, `no_list` when the member is missing or not an array, or
 * the first refused row. *items gets room for *n rows and a zeroed one.
 */
typedef const char *(*bff_pull_row_fn)(bff_json_pull_t *j, bff_arena_t *arena, void *item, void *ctx);
/* Reads a top-level member other than the list (its key given); false when the text broke. */
typedef bool (*bff_pull_member_fn)(bff_json_pull_t *j, bff_arena_t *arena, const char *key, size_t len, void *ctx);
/*
 * The walk under bff_pull_list, for answers with more than the list: other
 * members go to `member` (NULL: read past). Returns NULL or why the text is
 * broken; *listed says whether the list was there (an array), *bad_row the
 * first refused row (NULL: none).
 */
const char *bff_pull_walk(const char *text, size_t len, bff_arena_t *arena, const char *provider, const char *list_key,
                          size_t size, bff_pull_row_fn row, void *ctx, bff_pull_member_fn member, void *member_ctx,
                          void **items, size_t *n, bool *listed, const char **bad_row);
const char *bff_pull_list(const char *text, size_t len, bff_arena_t *arena, const char *provider, const char *list_key,
                          const char *no_list, size_t size, bff_pull_row_fn row, void *ctx, void **items, size_t *n);

/*
 * An index of parsed items by a string key (a SKU): open addressing over
 * item numbers, in the arena; the first of equal keys wins (as a search in
 * order would find). `offset`: where the item's `const char *` key sits.
 */
typedef struct st_bff_key_index_t {
    uint32_t *slots; /* item + 1; 0: empty */
    size_t size;     /* a power of two, at least twice the items */
} bff_key_index_t;
void bff_key_index_build(bff_key_index_t *ix, bff_arena_t *arena, const void *items, size_t n, size_t stride, size_t offset);
/* The item whose key is `key`, or NULL. */
const void *bff_key_index_find(const bff_key_index_t *ix, const void *items, size_t stride, size_t offset, const char *key);

/* The reason when the text broke (the reader failed), naming `provider`; NULL when it did not. */
const char *bff_pull_broken(bff_json_pull_t *j, bff_arena_t *arena, const char *provider);

#endif
