/*
 * buf.h - growable byte buffer, the response writer's output.
 *
 * The buffer owns `data` (heap, grown by doubling); bff_buf_free releases it.
 * `data` is always NUL-terminated after any append, so it can be printed.
 */
#ifndef BFF_GRAPHQL_BUF_H
#define BFF_GRAPHQL_BUF_H

#include <stdint.h>
#include <stddef.h>

typedef struct st_bff_buf_t {
    char *data;
    size_t len;
    size_t cap;
} bff_buf_t;

#define BFF_BUF_INIT {NULL, 0, 0}

void bff_buf_init(bff_buf_t *b);
void bff_buf_free(bff_buf_t *b);
/* Keeps the memory, empties the content. */
void bff_buf_reset(bff_buf_t *b);
/* Ensures room for `extra` more bytes plus the terminating NUL. */
void bff_buf_reserve(bff_buf_t *b, size_t extra);
void bff_buf_append(bff_buf_t *b, const void *p, size_t n);
void bff_buf_appends(bff_buf_t *b, const char *s);
void bff_buf_appendc(bff_buf_t *b, char c);
void bff_buf_printf(bff_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bff_buf_append_int(bff_buf_t *b, int64_t v);
/* Appends a JSON number for a double as graphql-js prints it (shortest form that round-trips; NaN/Inf never reach here). */
void bff_buf_append_double(bff_buf_t *b, double v);
/*
 * A double as JavaScript's Number.prototype.toString prints it (ECMA-262):
 * "1.5e-7", "1e+21", "NaN", "Infinity"; the response writer's numbers.
 */
void bff_buf_append_number(bff_buf_t *b, double v);
/*
 * Appends `s` as a quoted JSON string. Control characters, '"' and '\\' are
 * escaped; valid UTF-8 passes through; each invalid byte becomes U+FFFD, so the
 * output is always valid UTF-8 JSON.
 */
void bff_buf_append_json_string(bff_buf_t *b, const char *s, size_t n);

#endif
