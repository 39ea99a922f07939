/*
 * exec.c - the asynchronous executor (skeleton: being filled in).
 */
#include "exec_internal.h"

#include <stdarg.h>
#include <string.h>

static void json_dispose(void *p)
{
    json_decref((json_t *)p);
}

bff_value_t bff_value_list(bff_arena_t *arena, size_t len)
{
    bff_value_t v = {.kind = BFF_VAL_LIST};
    v.u.list.items = bff_arena_calloc(arena, len ? len : 1, sizeof(bff_value_t));
    v.u.list.len = len;
    return v;
}

bff_value_t bff_value_json(bff_arena_t *arena, json_t *j)
{
    bff_value_t v = {.kind = BFF_VAL_JSON, .u.json = j};
    if (j != NULL)
        bff_arena_on_dispose(arena, json_dispose, j);
    else
        v.kind = BFF_VAL_NULL;
    return v;
}

const bff_ast_node_t *bff_gql_select_operation(const bff_ast_node_t *document, const char *operation_name,
                                               const char **err)
{
    *err = "Must provide an operation.";
    return NULL;
}

bff_exec_t *bff_exec_start(const bff_exec_request_t *req)
{
    bff_exec_t *x = bff_arena_calloc(req->arena, 1, sizeof(*x));
    x->req = *req;
    x->arena = req->arena;
    bff_gql_errors_add(&x->errors, x->arena, NULL, "not implemented");
    x->done = true;
    if (req->on_done)
        req->on_done(x, req->cb_arg);
    return x;
}

void bff_exec_cancel(bff_exec_t *x) {}
bool bff_exec_done(const bff_exec_t *x) { return x->done; }
bool bff_exec_has_data(const bff_exec_t *x) { return x->has_data; }
const bff_gql_errors_t *bff_exec_errors(const bff_exec_t *x) { return &x->errors; }
const bff_ast_node_t *bff_exec_operation(const bff_exec_t *x) { return x->operation; }
void bff_exec_write_response(const bff_exec_t *x, bff_buf_t *out, const char *extensions_json) {}
