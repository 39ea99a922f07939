/*
 * pull.c - the answer readers' shared helpers (see pull.h).
 */
#include "pull.h"

#include "vendors.h"

#include "base/hash.h"

int bff_pull_integer(bff_json_pull_t *j, int64_t *v)
{
    if (bff_json_pull_peek(j) != BFF_JSON_NUMBER)
        return bff_json_pull_skip(j) ? 0 : -1;
    return bff_json_pull_number(j, v, NULL);
}

int bff_pull_double(bff_json_pull_t *j, double *v)
{
    if (bff_json_pull_peek(j) != BFF_JSON_NUMBER)
        return bff_json_pull_skip(j) ? 0 : -1;
    int64_t i;
    return bff_json_pull_number(j, &i, v) < 0 ? -1 : 1;
}

bool bff_pull_string(bff_json_pull_t *j, bff_arena_t *arena, const char **out)
{
    *out = NULL;
    if (bff_json_pull_peek(j) != BFF_JSON_STRING)
        return bff_json_pull_skip(j);
    const char *s;
    size_t n;
    if (!bff_json_pull_string(j, &s, &n))
        return false;
    *out = bff_arena_strndup(arena, s, n);
    return true;
}

void *bff_pull_grow(bff_arena_t *arena, void *items, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return items;
    size_t room = *cap ? *cap * 2 : 16;
    void *more = bff_arena_calloc(arena, room + 1, size); /* one zeroed item past the end, as the tree readers left */
    if (n > 0)
        memcpy(more, items, n * size);
    *cap = room;
    return more;
}

const char *bff_pull_broken(bff_json_pull_t *j, bff_arena_t *arena, const char *provider)
{
    if (!j->failed)
        return NULL;
    return bff_arena_printf(arena, "%s answered with invalid JSON (%s at byte %zu)", provider, j->error.text,
                            j->error.position);
}

const char *bff_pull_walk(const char *text, size_t len, bff_arena_t *arena, const char *provider, const char *list_key,
                          size_t size, bff_pull_row_fn row, void *ctx, bff_pull_member_fn member, void *member_ctx,
                          void **items, size_t *n, bool *listed, const char **bad_row)
{
    bff_json_pull_t j;
    bff_json_pull_init(&j, text, len);
    const char *k;
    size_t kn, cap = 0;
    *items = NULL;
    *n = 0;
    *listed = false;
    *bad_row = NULL;
    if (bff_json_pull_peek(&j) == BFF_JSON_OBJECT && bff_json_pull_object(&j)) {
        while (bff_json_pull_key(&j, &k, &kn)) {
            if (!bff_key_is(k, kn, list_key)) {
                if (member != NULL ? !member(&j, arena, k, kn, member_ctx) : !bff_json_pull_skip(&j))
                    break;
                continue;
            }
            *listed = bff_json_pull_peek(&j) == BFF_JSON_ARRAY; /* the last of duplicate keys counts */
            *n = 0;
            *bad_row = NULL;
            if (!*listed) {
                bff_json_pull_skip(&j);
                continue;
            }
            bff_json_pull_array(&j);
            while (bff_json_pull_item(&j)) {
                *items = bff_pull_grow(arena, *items, *n, &cap, size);
                void *item = (char *)*items + *n * size;
                memset(item, 0, size); /* a refused row's slot is reused */
                const char *why = row(&j, arena, item, ctx);
                if (why == NULL)
                    ++*n;
                else if (*bad_row == NULL)
                    *bad_row = why;
            }
        }
    } else {
        bff_json_pull_skip(&j);
    }
    bff_json_pull_end(&j);
    const char *broken = bff_pull_broken(&j, arena, provider);
    bff_json_pull_dispose(&j);
    if (broken == NULL && *items == NULL)
        *items = bff_arena_calloc(arena, 1, size);
    return broken;
}

const char *bff_pull_list(const char *text, size_t len, bff_arena_t *arena, const char *provider, const char *list_key,
                          const char *no_list, size_t size, bff_pull_row_fn row, void *ctx, void **items, size_t *n)
{
    bool listed;
    const char *bad_row;
    const char *broken = bff_pull_walk(text, len, arena, provider, list_key, size, row, ctx, NULL, NULL, items, n, &listed,
                                       &bad_row);
    return broken != NULL ? broken : !listed ? no_list : bad_row;
}

static const char *key_at(const void *items, size_t i, size_t stride, size_t offset)
{
    const char *key;
    memcpy(&key, (const char *)items + i * stride + offset, sizeof(key));
    return key;
}

void bff_key_index_build(bff_key_index_t *ix, bff_arena_t *arena, const void *items, size_t n, size_t stride, size_t offset)
{
    ix->size = 16;
    while (ix->size < 2 * n)
        ix->size *= 2;
    ix->slots = bff_arena_calloc(arena, ix->size, sizeof(*ix->slots));
    for (size_t i = 0; i < n; ++i) {
        const char *key = key_at(items, i, stride, offset);
        size_t at = (size_t)bff_fnv1a_str(key) & (ix->size - 1);
        while (ix->slots[at] != 0 && strcmp(key_at(items, ix->slots[at] - 1, stride, offset), key) != 0)
            at = (at + 1) & (ix->size - 1);
        if (ix->slots[at] == 0)
            ix->slots[at] = (uint32_t)i + 1;
    }
}

const void *bff_key_index_find(const bff_key_index_t *ix, const void *items, size_t stride, size_t offset, const char *key)
{
    if (ix->slots == NULL || key == NULL)
        return NULL;
    for (size_t at = (size_t)bff_fnv1a_str(key) & (ix->size - 1); ix->slots[at] != 0; at = (at + 1) & (ix->size - 1)) {
        size_t i = ix->slots[at] - 1;
        if (strcmp(key_at(items, i, stride, offset), key) == 0)
            return (const char *)items + i * stride;
    }
    return NULL;
}

static int pull_field(bff_json_pull_t *j, bff_arena_t *arena, const bff_pull_field_t *f)
{
    bff_json_kind_t kind = bff_json_pull_peek(j); /* once: the readers below do not look again */
    bool wanted = f->kind == BFF_PULL_STRING ? kind == BFF_JSON_STRING : kind == BFF_JSON_NUMBER;
    if (!wanted) {
        if (f->kind == BFF_PULL_STRING)
            *(const char **)f->out = NULL;
        if (!bff_json_pull_skip(j))
            return -1;
        return kind == BFF_JSON_NULL ? BFF_PULL_NULL : BFF_PULL_OTHER;
    }
    const char *str;
    size_t len;
    int64_t v;
    double d;
    int r;
    switch (f->kind) {
    case BFF_PULL_STRING:
        if (!bff_json_pull_string(j, &str, &len))
            return -1;
        *(const char **)f->out = bff_arena_strndup(arena, str, len);
        return BFF_PULL_READ;
    case BFF_PULL_AMOUNT:
    case BFF_PULL_INTEGER:
        r = bff_json_pull_number(j, &v, NULL);
        if (r < 0)
            return -1;
        if (r == 0 || (f->kind == BFF_PULL_AMOUNT && (v < 0 || v > BFF_VENDOR_AMOUNT_MAX)))
            return BFF_PULL_OTHER;
        *(int64_t *)f->out = v;
        return BFF_PULL_READ;
    case BFF_PULL_NUMBER:
        if (bff_json_pull_number(j, &v, &d) < 0)
            return -1;
        *(double *)f->out = d;
        return BFF_PULL_READ;
    }
    return -1;
}

bool bff_pull_fields(bff_json_pull_t *j, bff_arena_t *arena, const bff_pull_field_t *fields, size_t n)
{
    if (bff_json_pull_peek(j) != BFF_JSON_OBJECT || !bff_json_pull_object(j))
        return bff_json_pull_skip(j);
    const char *k;
    size_t kn;
    while (bff_json_pull_key(j, &k, &kn)) {
        const bff_pull_field_t *f = NULL;
        for (size_t i = 0; i < n && f == NULL; ++i)
            if (kn > 0 && fields[i].name[0] == k[0] && bff_key_is(k, kn, fields[i].name)) /* the first byte: cheap */
                f = &fields[i];
        if (f == NULL) {
            if (!bff_json_pull_skip(j))
                return false;
            continue;
        }
        int state = pull_field(j, arena, f);
        if (state < 0)
            return false;
        if (f->state != NULL)
            *f->state = state;
    }
    return !j->failed;
}
