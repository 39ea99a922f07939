/*
 * exec.h - asynchronous execution of a validated operation.
 *
 * The executor walks the selection set and calls field resolvers. A resolver
 * completes its handle now (inside the call) or later (from a loop callback,
 * on the same thread) with bff_resolve_ok() or bff_resolve_error(); the walk
 * resumes when results arrive and never blocks. Sibling fields of a query
 * resolve concurrently (all resolvers of a level are started before any is
 * awaited); mutation root fields one after another.
 *
 * Values (bff_value_t) a resolver returns: scalars, lists of values, typed
 * objects (an opaque pointer plus, optionally, its concrete object type) or
 * jansson JSON, which the default resolver reads by field name.
 *
 * Memory: everything the execution allocates, the result tree and every
 * error come from the request's arena (bff_exec_request_t.arena), which the
 * caller frees after on_done and after writing the response. A resolver that
 * returns a json_t* transfers one reference to the execution (it is released
 * when the arena is freed).
 */
#ifndef BFF_GRAPHQL_EXEC_H
#define BFF_GRAPHQL_EXEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "ast.h"
#include "base/buf.h"
#include "error.h"
#include "schema.h"

typedef enum en_bff_value_kind_t {
    BFF_VAL_NULL,
    BFF_VAL_BOOL,
    BFF_VAL_INT,
    BFF_VAL_FLOAT,
    BFF_VAL_STRING,
    BFF_VAL_LIST,
    BFF_VAL_OBJECT,
    BFF_VAL_JSON,
} bff_value_kind_t;

struct st_bff_value_t {
    bff_value_kind_t kind;
    union {
        bool b;
        int64_t i;
        double f;
        struct {
            const char *ptr;
            size_t len;
        } str;
        struct {
            struct st_bff_value_t *items;
            size_t len;
        } list;
        struct {
            void *ptr;
            const bff_type_t *type; /* its object type, or NULL to let resolve_type decide */
        } obj;
        json_t *json; /* borrowed while the arena lives (see bff_value_json) */
    } u;
};

static inline bff_value_t bff_value_null(void)
{
    bff_value_t v = {.kind = BFF_VAL_NULL};
    return v;
}
static inline bff_value_t bff_value_bool(bool b)
{
    bff_value_t v = {.kind = BFF_VAL_BOOL, .u.b = b};
    return v;
}
static inline bff_value_t bff_value_int(int64_t i)
{
    bff_value_t v = {.kind = BFF_VAL_INT, .u.i = i};
    return v;
}
static inline bff_value_t bff_value_float(double f)
{
    bff_value_t v = {.kind = BFF_VAL_FLOAT, .u.f = f};
    return v;
}
/* The string must live as long as the execution arena (copy it there if unsure). */
static inline bff_value_t bff_value_string(const char *s, size_t len)
{
    bff_value_t v = {.kind = BFF_VAL_STRING, .u.str = {s, len}};
    return v;
}
static inline bff_value_t bff_value_object(void *ptr, const bff_type_t *type)
{
    bff_value_t v = {.kind = BFF_VAL_OBJECT, .u.obj = {ptr, type}};
    return v;
}
/* A list of `len` items allocated in `arena`, items zeroed (NULL). */
bff_value_t bff_value_list(bff_arena_t *arena, size_t len);
/* Wraps JSON; steals the reference `j` and ties its release to `arena`. */
bff_value_t bff_value_json(bff_arena_t *arena, json_t *j);

typedef struct st_bff_exec_t bff_exec_t;

/* ---- for resolvers ---- */

const bff_value_t *bff_resolve_parent(const bff_resolve_t *r);
/* Coerced arguments as a JSON object (defaults applied; variables substituted). Borrowed. */
json_t *bff_resolve_args(const bff_resolve_t *r);
/* One argument, or NULL when absent (json null when explicitly null). Borrowed. */
json_t *bff_resolve_arg(const bff_resolve_t *r, const char *name);
const bff_field_t *bff_resolve_field(const bff_resolve_t *r);
/* The FIELD node(s) being resolved (first one; all share name and args). */
const bff_ast_node_t *bff_resolve_node(const bff_resolve_t *r);
const bff_gql_path_t *bff_resolve_path(const bff_resolve_t *r);
/* The request's `user` pointer (bff_exec_request_t.user). */
void *bff_resolve_user(const bff_resolve_t *r);
bff_arena_t *bff_resolve_arena(const bff_resolve_t *r);
bff_exec_t *bff_resolve_exec(const bff_resolve_t *r);
/* Completes with a value. Exactly one completion per handle; the handle is invalid afterwards. */
void bff_resolve_ok(bff_resolve_t *r, bff_value_t value);
/*
 * Completes with a field error: the field becomes null (propagating to the
 * nearest nullable parent) and an error with path and locations is added.
 * `code` is extensions.code (static string or NULL).
 */
void bff_resolve_error(bff_resolve_t *r, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * As bff_resolve_error, with more "extensions" members as a JSON object's
 * text (copied), e.g. "{\"dependency\":\"tax\"}".
 */
void bff_resolve_error_ext(bff_resolve_t *r, const char *code, const char *extensions_json, const char *message);
/*
 * Adds a field error at this field's path and locations without completing
 * the handle: the field still gets the value it completes with (a partial
 * answer with errors, as graphql-cats' @resolveErrorList asks). `message` is
 * copied.
 */
void bff_resolve_add_error(bff_resolve_t *r, const char *code, const char *message);
/*
 * Registers fn(arg) to run if the execution is cancelled while this resolver
 * is pending. The resolver must still complete its handle (usually with an
 * error, from within fn or later).
 */
void bff_resolve_on_cancel(bff_resolve_t *r, void (*fn)(void *arg), void *arg);

/* ---- for the server ---- */

typedef struct st_bff_exec_request_t {
    const bff_schema_t *schema;
    const bff_ast_node_t *document; /* parsed and validated */
    const char *operation_name;     /* NULL: the only operation */
    json_t *variables;              /* JSON object or NULL; borrowed */
    bool variables_coerced;         /* `variables` is bff_gql_coerce_variables' result for this operation already */
    bff_value_t root_value;         /* parent of root fields (usually null) */
    void *user;                     /* passed to resolvers */
    bff_arena_t *arena;             /* per-request arena, owned by the caller */
    /* Called exactly once when the result is complete, possibly before bff_exec_start returns. */
    void (*on_done)(bff_exec_t *x, void *cb_arg);
    void *cb_arg;
    /* Limits: 0 uses defaults. */
    size_t max_errors;
    /*
     * What introspection shows (NULL: everything): a type (field NULL) or a
     * field of `type` the caller may see. Hidden types are left out of
     * __schema.types and __type answers null for them; hidden fields are left
     * out of __Type.fields.
     */
    bool (*visible)(const bff_type_t *type, const bff_field_t *field, void *arg);
    void *visible_arg;
    /*
     * Authorization at execution (NULL: everything allowed): called for every
     * field before its arguments are read or its resolver runs, with the
     * object type it is resolved on (and by resolvers with field NULL for a
     * type as a whole, bff_resolve_may_read). False: the field is null with a
     * FORBIDDEN error carrying *message (arena or static), and nothing of it
     * runs. Admission checks the same rule on the document; this is the
     * second line, whatever admission concluded.
     */
    bool (*authorize)(const bff_type_t *type, const bff_field_t *field, void *arg, const char **message);
    void *authorize_arg;
    /*
     * Incremental delivery (@defer): fragments with an active @defer are left
     * out of this execution's result and listed (bff_exec_deferred) for
     * executions of their own; false: they are executed in line.
     */
    bool defer;
} bff_exec_request_t;

/*
 * The request's authorization rule for a field of `type`, or for the type
 * itself when `field` is NULL (true without a rule): resolvers ask before
 * provider calls whose answer the caller might not be allowed to see.
 */
bool bff_exec_authorized(const bff_exec_t *x, const bff_type_t *type, const bff_field_t *field);
/* As bff_exec_authorized for the type named `type_name` of the request's schema (false for an unknown name). */
bool bff_resolve_may_read(const bff_resolve_t *r, const char *type_name);

/* The request's visibility rule (see bff_exec_request_t.visible). */
bool bff_exec_visible(const bff_exec_t *x, const bff_type_t *type, const bff_field_t *field);

/*
 * Starts executing. Request errors (no such operation, variables that do not
 * coerce) complete at once without data. Never returns NULL; the bff_exec_t
 * lives in the request's arena.
 */
bff_exec_t *bff_exec_start(const bff_exec_request_t *req);
/* Cancels pending resolvers (client gone, deadline). on_done still fires once all have completed. */
void bff_exec_cancel(bff_exec_t *x);
bool bff_exec_done(const bff_exec_t *x);
/* False for request errors (the response then has no "data" member). */
bool bff_exec_has_data(const bff_exec_t *x);
const bff_gql_errors_t *bff_exec_errors(const bff_exec_t *x);
/* The selected operation, or NULL when none could be selected. */
const bff_ast_node_t *bff_exec_operation(const bff_exec_t *x);
/*
 * Walks the finished result tree (what the response's "data" holds, nulls
 * propagated): `field` for each field present in an object, null or not,
 * with its definition, its first AST node and its depth (0: a root field);
 * `value` for each non-null value, list items one by one, with its named
 * type (an object's runtime type). __typename and other meta fields are left
 * out. Nothing when there is no data. Query cost uses it to weigh what was
 * actually returned without reading the response again.
 */
typedef struct st_bff_exec_visitor_t {
    void (*field)(void *arg, const bff_field_t *def, const bff_ast_node_t *node, uint32_t depth);
    void (*value)(void *arg, const bff_type_t *type);
    void *arg;
} bff_exec_visitor_t;
void bff_exec_visit_result(const bff_exec_t *x, const bff_exec_visitor_t *v);

/*
 * Writes the response object: {"errors":[...],"data":{...},"extensions":...}
 * with "errors" only when there are errors, "data" unless a request error, and
 * "extensions" when `extensions_json` (an object's text) is not NULL. Fields
 * in query order.
 */
void bff_exec_write_response(const bff_exec_t *x, bff_buf_t *out, const char *extensions_json);

/*
 * Deferred fragments (req.defer). After on_done, the fragments this
 * execution left out, on objects of its result that were not nulled, in the
 * order the execution met them. Each runs as an execution of its own
 * (bff_exec_start_deferred) with the same request (schema, variables,
 * resolvers, user, arena), whose result is the fragment's data on that
 * object; it may list deferred fragments of its own.
 */
typedef struct st_bff_exec_deferred_t bff_exec_deferred_t;
const bff_exec_deferred_t *bff_exec_deferred_first(const bff_exec_t *x);
const bff_exec_deferred_t *bff_exec_deferred_next(const bff_exec_deferred_t *d);
/* `req` as for bff_exec_start (its operation and variables are the parent's): on_done fires once, maybe at once. */
bff_exec_t *bff_exec_start_deferred(const bff_exec_request_t *req, const bff_exec_t *parent, const bff_exec_deferred_t *d);
/*
 * A deferred execution's result as an item of an incremental payload:
 * {"data":{...},"path":[...],"label":"...","errors":[...]} (label and errors
 * when there are; data null when a non-null field of the fragment failed).
 */
void bff_exec_write_incremental(const bff_exec_t *x, bff_buf_t *out);

/*
 * Selects the operation of a document: by name, or the only one. Returns NULL
 * and sets *err (static string, graphql-js's message) when there is none.
 */
const bff_ast_node_t *bff_gql_select_operation(const bff_ast_node_t *document, const char *operation_name,
                                               const char **err);
/*
 * As bff_gql_select_operation, but the message is graphql-js's exactly, also
 * for an unknown name ("Unknown operation named \"x\"."), formatted into
 * `arena` when it has to name the operation. (Added by the exec engineer.)
 */
const bff_ast_node_t *bff_gql_select_operation_msg(const bff_ast_node_t *document, const char *operation_name,
                                                   bff_arena_t *arena, const char **err);

/*
 * Input coercion (spec 6.1.2 and 5.6): used by the executor and by anyone
 * needing argument values before execution (e.g. cost analysis).
 * bff_gql_coerce_variables: JSON variables -> coerced JSON object of the
 * operation's variables (defaults applied); errors appended, -1 on failure.
 * bff_gql_value_from_ast: an AST literal (may reference variables from the
 * coerced `variables` object) for `type` -> new JSON reference, or NULL when
 * invalid. JSON null stands for GraphQL null.
 */
int bff_gql_coerce_variables(const bff_schema_t *schema, const bff_ast_node_t *operation, json_t *inputs,
                             bff_arena_t *arena, bff_gql_errors_t *errs, json_t **out);
json_t *bff_gql_value_from_ast(const bff_schema_t *schema, const bff_ast_node_t *value, const bff_typeref_t *type,
                               json_t *variables);

#endif
