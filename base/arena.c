/*
 * arena.c - chunked bump allocator.
 *
 * Chunks form a singly linked list, newest first; allocation bumps `used` in
 * the newest chunk and opens a new chunk when it does not fit. A request larger
 * than a quarter of the chunk size gets a chunk of its own, linked behind the
 * current one so the current chunk's free space is not wasted. Dispose hooks are
 * a linked list allocated from the arena itself.
 */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16

/* A reset arena's kept chunk is poisoned until handed out again, so ASan still sees use after reset. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define ARENA_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define ARENA_POISON(p, n) ((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

typedef struct st_arena_chunk_t {
    struct st_arena_chunk_t *next;
    size_t size;
    size_t used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
} arena_chunk_t;

typedef struct st_arena_hook_t {
    struct st_arena_hook_t *next;
    void (*fn)(void *);
    void *arg;
} arena_hook_t;

/*
 * A reset keeps up to this many standard chunks for the arena's next life
 * (a cart-totals request used two 16 KiB chunks: allocating the second on
 * every request was 2% of its instructions). With the worker's 64 spare
 * arenas that bounds what idles at 4 MiB a worker.
 */
#define ARENA_KEEP_CHUNKS 4

struct st_bff_arena_t {
    arena_chunk_t *chunks;
    arena_chunk_t *spare; /* standard chunks kept by a reset, poisoned, for new chunks */
    arena_hook_t *hooks;
    size_t chunk_size;
    size_t total;
};

void bff_fatal_oom(size_t size)
{
    fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", size);
    abort();
}

void *bff_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        bff_fatal_oom(size);
    return p;
}

void *bff_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p == NULL)
        bff_fatal_oom(count * size);
    return p;
}

void *bff_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (q == NULL)
        bff_fatal_oom(size);
    return q;
}

char *bff_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = bff_xmalloc(n);
    memcpy(p, s, n);
    return p;
}

static arena_chunk_t *chunk_new(size_t size)
{
    arena_chunk_t *c = bff_xmalloc(sizeof(*c) + size);
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

bff_arena_t *bff_arena_new(size_t chunk_size)
{
    bff_arena_t *a = bff_xcalloc(1, sizeof(*a));
    a->chunk_size = chunk_size ? chunk_size : 8192;
    return a;
}

void bff_arena_free(bff_arena_t *arena)
{
    if (arena == NULL)
        return;
    for (arena_hook_t *h = arena->hooks; h != NULL; h = h->next)
        h->fn(h->arg);
    arena_chunk_t *lists[2] = {arena->chunks, arena->spare};
    for (int i = 0; i < 2; ++i) {
        for (arena_chunk_t *c = lists[i], *next; c != NULL; c = next) {
            next = c->next;
            ARENA_UNPOISON(c->data, c->size);
            free(c);
        }
    }
    free(arena);
}

void bff_arena_reset(bff_arena_t *arena)
{
    for (arena_hook_t *h = arena->hooks; h != NULL; h = h->next)
        h->fn(h->arg);
    arena->hooks = NULL;
    size_t kept = 0;
    for (arena_chunk_t *c = arena->spare; c != NULL; c = c->next)
        ++kept;
    arena_chunk_t *c = arena->chunks;
    while (c != NULL) {
        arena_chunk_t *next = c->next;
        if (kept < ARENA_KEEP_CHUNKS && c->size == arena->chunk_size) {
            c->used = 0;
            ARENA_POISON(c->data, c->size);
            c->next = arena->spare;
            arena->spare = c;
            ++kept;
        } else {
            ARENA_UNPOISON(c->data, c->size);
            free(c);
        }
        c = next;
    }
    arena->chunks = NULL;
    arena->total = 0;
}

void *bff_arena_alloc(bff_arena_t *arena, size_t size)
{
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (size == 0)
        size = ARENA_ALIGN;
    arena->total += size;
    arena_chunk_t *c = arena->chunks;
    if (c != NULL && c->size - c->used >= size) {
        void *p = c->data + c->used;
        c->used += size;
        ARENA_UNPOISON(p, size);
        return p;
    }
    if (size > arena->chunk_size / 4) {
        arena_chunk_t *big = chunk_new(size);
        big->used = size;
        if (c != NULL) {
            big->next = c->next;
            c->next = big;
        } else {
            arena->chunks = big;
        }
        return big->data;
    }
    if (arena->spare != NULL) {
        c = arena->spare;
        arena->spare = c->next;
        ARENA_UNPOISON(c->data, size);
    } else {
        c = chunk_new(arena->chunk_size);
    }
    c->next = arena->chunks;
    arena->chunks = c;
    c->used = size;
    return c->data;
}

void *bff_arena_calloc(bff_arena_t *arena, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        bff_fatal_oom(SIZE_MAX);
    void *p = bff_arena_alloc(arena, count * size);
    memset(p, 0, count * size);
    return p;
}

char *bff_arena_strndup(bff_arena_t *arena, const char *s, size_t len)
{
    char *p = bff_arena_alloc(arena, len + 1);
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *bff_arena_strdup(bff_arena_t *arena, const char *s)
{
    return bff_arena_strndup(arena, s, strlen(s));
}

char *bff_arena_join(bff_arena_t *arena, const char *a, const char *sep, const char *b)
{
    size_t na = strlen(a), ns = sep ? strlen(sep) : 0, nb = strlen(b);
    char *out = bff_arena_alloc(arena, na + ns + nb + 1);
    memcpy(out, a, na);
    if (ns)
        memcpy(out + na, sep, ns);
    memcpy(out + na + ns, b, nb + 1);
    return out;
}

char *bff_arena_vprintf(bff_arena_t *arena, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0)
        n = 0;
    char *p = bff_arena_alloc(arena, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, again);
    va_end(again);
    return p;
}

char *bff_arena_printf(bff_arena_t *arena, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = bff_arena_vprintf(arena, fmt, ap);
    va_end(ap);
    return p;
}

void bff_arena_on_dispose(bff_arena_t *arena, void (*fn)(void *), void *arg)
{
    arena_hook_t *h = bff_arena_alloc(arena, sizeof(*h));
    h->fn = fn;
    h->arg = arg;
    h->next = arena->hooks;
    arena->hooks = h;
}

size_t bff_arena_used(const bff_arena_t *arena)
{
    return arena->total;
}

size_t bff_arena_footprint(const bff_arena_t *arena)
{
    size_t n = sizeof(*arena);
    for (const arena_chunk_t *c = arena->chunks; c != NULL; c = c->next)
        n += sizeof(*c) + c->size; /* hooks live in the chunks */
    return n;
}
