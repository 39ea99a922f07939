/*
 * exec_write.c - the response writer: the result tree (exec_internal.h) as
 * JSON, straight into a bff_buf_t. Fields come out in query order (the
 * order CollectFields produced), strings are escaped by
 * bff_buf_append_json_string, numbers printed as JavaScript prints them
 * (bff_buf_append_number: ECMA-262 Number::toString, e.g. 1.5e-7, 1e+21).
 * Nothing is allocated besides the output buffer's growth.
 */
#include "exec_internal.h"

#include "base/json_write.h"

#include <math.h>
#include <string.h>

/* Room for n more bytes (and the NUL) without a call when there is. */
static inline char *wr_room(bff_buf_t *out, size_t n)
{
    if (out->len + n + 1 > out->cap)
        bff_buf_reserve(out, n);
    return out->data + out->len;
}

static inline void wr_bytes(bff_buf_t *out, const char *p, size_t n)
{
    char *d = wr_room(out, n);
    memcpy(d, p, n);
    out->len += n;
    out->data[out->len] = '\0';
}

static inline void wr_char(bff_buf_t *out, char c)
{
    char *d = wr_room(out, 1);
    d[0] = c;
    d[1] = '\0';
    out->len += 1;
}

static void write_double(bff_buf_t *out, double d)
{
    if (!isfinite(d))
        bff_buf_append(out, "null", 4); /* as JSON.stringify does */
    else
        bff_buf_append_number(out, d); /* -0 prints "0" */
}

void bff_exec_write_result(bff_buf_t *out, const exec_result_t *r)
{
    switch ((exec_rkind_t)r->kind) {
    case EXEC_R_ABSENT:
    case EXEC_R_NULL: wr_bytes(out, "null", 4); break;
    case EXEC_R_BOOL:
        if (r->u.b)
            wr_bytes(out, "true", 4);
        else
            wr_bytes(out, "false", 5);
        break;
    case EXEC_R_INT: bff_buf_append_int(out, r->u.i); break;
    case EXEC_R_FLOAT: write_double(out, r->u.f); break;
    case EXEC_R_STRING: bff_buf_append_json_string(out, r->u.str.ptr, r->u.str.len); break;
    case EXEC_R_RAW: wr_bytes(out, r->u.str.ptr, r->u.str.len); break;
    case EXEC_R_JSON: bff_json_write(out, r->u.json); break;
    case EXEC_R_OBJECT: {
        const exec_object_t *o = r->u.obj;
        wr_char(out, '{');
        bool first = true;
        for (uint32_t i = 0; i < o->set->n; ++i) {
            if (o->values[i].kind == EXEC_R_ABSENT)
                continue;
            if (!first)
                wr_char(out, ',');
            first = false;
            /* response keys are GraphQL names: nothing to escape */
            const char *key = o->set->fields[i].key;
            size_t klen = o->set->fields[i].klen;
            char *d = wr_room(out, klen + 3);
            d[0] = '"';
            memcpy(d + 1, key, klen);
            d[klen + 1] = '"';
            d[klen + 2] = ':';
            out->len += klen + 3;
            bff_exec_write_result(out, &o->values[i]);
        }
        wr_char(out, '}');
        break;
    }
    case EXEC_R_LIST: {
        const exec_list_t *l = r->u.list;
        wr_char(out, '[');
        for (size_t i = 0; i < l->len; ++i) {
            if (i)
                wr_char(out, ',');
            bff_exec_write_result(out, &l->items[i]);
        }
        wr_char(out, ']');
        break;
    }
    }
}

void bff_exec_write_response(const bff_exec_t *x, bff_buf_t *out, const char *extensions_json)
{
    bool first = true;
    bff_buf_appendc(out, '{');
    if (x->errors.count > 0) {
        bff_buf_appends(out, "\"errors\":");
        bff_gql_errors_write_json(out, &x->errors);
        first = false;
    }
    if (x->has_data) {
        if (!first)
            bff_buf_appendc(out, ',');
        bff_buf_appends(out, "\"data\":");
        bff_exec_write_result(out, &x->data);
        first = false;
    }
    if (extensions_json != NULL) {
        if (!first)
            bff_buf_appendc(out, ',');
        bff_buf_appends(out, "\"extensions\":");
        bff_buf_appends(out, extensions_json);
    }
    bff_buf_appendc(out, '}');
}
