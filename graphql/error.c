/*
 * error.c - building GraphQL error lists and writing them as JSON.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bff_gql_error_t *error_append(bff_gql_errors_t *errs, bff_arena_t *arena, const char *rule, const char *message)
{
    bff_gql_error_t *e = bff_arena_calloc(arena, 1, sizeof(*e));
    e->message = message;
    e->rule = rule;
    if (errs->tail != NULL)
        errs->tail->next = e;
    else
        errs->head = e;
    errs->tail = e;
    errs->count++;
    return e;
}

bff_gql_error_t *bff_gql_errors_addf(bff_gql_errors_t *errs, bff_arena_t *arena, const char *rule, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = bff_arena_vprintf(arena, fmt, ap);
    va_end(ap);
    return error_append(errs, arena, rule, msg);
}

bff_gql_error_t *bff_gql_errors_add(bff_gql_errors_t *errs, bff_arena_t *arena, const char *rule, const char *message)
{
    return error_append(errs, arena, rule, bff_arena_strdup(arena, message));
}

/* The array grows in powers of two (its capacity is implied by the count), so adding n locations costs O(n). */
void bff_gql_error_add_loc(bff_gql_error_t *err, bff_arena_t *arena, bff_ast_loc_t loc)
{
    uint32_t n = err->nlocations;
    if (n == 0 || (n & (n - 1)) == 0) {
        bff_ast_loc_t *locs = bff_arena_alloc(arena, sizeof(*locs) * (n == 0 ? 1 : (size_t)n * 2));
        if (n)
            memcpy(locs, err->locations, sizeof(*locs) * n);
        err->locations = locs;
    }
    err->locations[err->nlocations++] = loc;
}

void bff_gql_errors_concat(bff_gql_errors_t *to, bff_gql_errors_t *from)
{
    if (from->head == NULL)
        return;
    if (to->tail != NULL)
        to->tail->next = from->head;
    else
        to->head = from->head;
    to->tail = from->tail;
    to->count += from->count;
    from->head = from->tail = NULL;
    from->count = 0;
}

void bff_gql_path_write(bff_buf_t *out, const bff_gql_path_t *p)
{
    if (p == NULL)
        return;
    bff_gql_path_write(out, p->prev);
    if (p->prev != NULL)
        bff_buf_appendc(out, ',');
    if (p->key != NULL)
        bff_buf_append_json_string(out, p->key, strlen(p->key));
    else
        bff_buf_append_int(out, p->index);
}

void bff_gql_error_write_json(bff_buf_t *out, const bff_gql_error_t *e)
{
    bff_buf_appends(out, "{\"message\":");
    bff_buf_append_json_string(out, e->message, strlen(e->message));
    if (e->nlocations) {
        bff_buf_appends(out, ",\"locations\":[");
        for (uint32_t i = 0; i < e->nlocations; ++i) {
            if (i)
                bff_buf_appendc(out, ',');
            bff_buf_printf(out, "{\"line\":%u,\"column\":%u}", e->locations[i].line, e->locations[i].column);
        }
        bff_buf_appendc(out, ']');
    }
    if (e->path != NULL) {
        bff_buf_appends(out, ",\"path\":[");
        bff_gql_path_write(out, e->path);
        bff_buf_appendc(out, ']');
    }
    if (e->code != NULL || e->extensions_json != NULL) {
        bff_buf_appends(out, ",\"extensions\":{");
        if (e->code != NULL) {
            bff_buf_appends(out, "\"code\":");
            bff_buf_append_json_string(out, e->code, strlen(e->code));
        }
        if (e->extensions_json != NULL) {
            /* extensions_json is an object's text; splice its members in. */
            const char *s = strchr(e->extensions_json, '{');
            const char *end = strrchr(e->extensions_json, '}');
            if (s != NULL && end != NULL && end > s + 1) {
                const char *inner = s + 1;
                while (inner < end && (*inner == ' ' || *inner == '\n'))
                    ++inner;
                if (inner < end) {
                    if (e->code != NULL)
                        bff_buf_appendc(out, ',');
                    bff_buf_append(out, inner, (size_t)(end - inner));
                }
            }
        }
        bff_buf_appendc(out, '}');
    }
    bff_buf_appendc(out, '}');
}

void bff_gql_errors_write_json(bff_buf_t *out, const bff_gql_errors_t *errs)
{
    bff_buf_appendc(out, '[');
    for (const bff_gql_error_t *e = errs->head; e != NULL; e = e->next) {
        if (e != errs->head)
            bff_buf_appendc(out, ',');
        bff_gql_error_write_json(out, e);
    }
    bff_buf_appendc(out, ']');
}
