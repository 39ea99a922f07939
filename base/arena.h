/*
 * arena.h - region allocator for parse, validation and execution lifetimes.
 *
 * An arena hands out memory from large chunks and frees it all at once in
 * bff_arena_free(). Nothing allocated from an arena is ever free()d on its
 * own. Resources that are not arena memory (a json_t *, a CURL *) are tied to
 * the arena with bff_arena_on_dispose(); their hooks run, newest first, when
 * the arena is freed.
 *
 * Out of memory is fatal, here and in bff_xmalloc() and friends: callers never
 * check for NULL.
 */
#ifndef BFF_GRAPHQL_ARENA_H
#define BFF_GRAPHQL_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct st_bff_arena_t bff_arena_t;

/* Creates an arena whose chunks are at least `chunk_size` bytes (0: 8 KiB). */
bff_arena_t *bff_arena_new(size_t chunk_size);
/* Runs the dispose hooks, then releases every chunk. NULL is a no-op. */
void bff_arena_free(bff_arena_t *arena);
/*
 * Empties the arena for reuse, as if freed and made again: runs the dispose
 * hooks and frees every chunk but one of the standard size, which is kept
 * (poisoned under AddressSanitizer until handed out again). For arenas made
 * and dropped per request.
 */
void bff_arena_reset(bff_arena_t *arena);
/* Returns `size` bytes aligned to 16; never NULL. */
void *bff_arena_alloc(bff_arena_t *arena, size_t size);
/* As bff_arena_alloc, zero-filled. */
void *bff_arena_calloc(bff_arena_t *arena, size_t count, size_t size);
/* Copies `len` bytes and adds a terminating NUL. */
char *bff_arena_strndup(bff_arena_t *arena, const char *s, size_t len);
char *bff_arena_strdup(bff_arena_t *arena, const char *s);
/* a, then sep (may be NULL), then b, into arena memory: the common join without printf's cost on long strings. */
char *bff_arena_join(bff_arena_t *arena, const char *a, const char *sep, const char *b);
/* printf into arena memory. */
char *bff_arena_printf(bff_arena_t *arena, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same with a va_list (consumed). */
char *bff_arena_vprintf(bff_arena_t *arena, const char *fmt, va_list ap);
/* Calls fn(arg) when the arena is freed. */
void bff_arena_on_dispose(bff_arena_t *arena, void (*fn)(void *), void *arg);
/* Bytes handed out so far (for limits and metrics). */
size_t bff_arena_used(const bff_arena_t *arena);
/* The heap memory the arena holds: its chunks (used or not), their headers and its hooks. */
size_t bff_arena_footprint(const bff_arena_t *arena);

/* Heap allocation that never returns NULL: on failure the process aborts with a message. */
void *bff_xmalloc(size_t size);
void *bff_xcalloc(size_t count, size_t size);
void *bff_xrealloc(void *p, size_t size);
char *bff_xstrdup(const char *s);
/* The one place out-of-memory is handled. */
void bff_fatal_oom(size_t size) __attribute__((noreturn));

#endif
