/*
 * exec.c - the asynchronous executor (spec section 6, graphql-js 16
 * execute.js semantics).
 *
 * Data structure: a result tree (exec_internal.h) filled in as resolvers
 * complete. Each object or list being built is a frame that knows its slot
 * in the parent and whether that slot is nullable; a null where null is not
 * allowed walks the frames upwards, marks them dead and nulls the nearest
 * nullable slot, so partial data survives. Anything completing below a dead
 * frame is dropped (as graphql-js drops the later rejections of a
 * Promise.all that already failed).
 *
 * Scheduling: execute_field() calls the resolver; the resolver completes its
 * handle now or later (bff_resolve_ok / bff_resolve_error), and completion
 * walks on into the value's sub-selections at once. Sibling fields are all
 * started in one loop, so asynchronous resolvers of a level overlap; list
 * items the same. Recursion follows the query's depth only: a list of any
 * length is a loop. Mutation root fields run one at a time: the next starts
 * when nothing is pending (exec_idle()).
 *
 * Invariant: `pending` counts handles not yet completed plus "guards" held
 * while a walk is under way (start, cancel, each serial root field). When it
 * drops to zero, the next serial root field starts or the execution
 * finishes: on_done fires exactly once, as the very last action, because the
 * caller may free the arena (and with it this execution) inside on_done.
 *
 * Memory: everything lives in the request arena: frames, results, paths,
 * handles, error messages. json_t references (coerced variables and
 * arguments, values from bff_value_json) are released by arena dispose
 * hooks; JSON read by the default resolver is borrowed from its parent.
 */
#include "exec_internal.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define EXEC_DEFAULT_MAX_ERRORS 1000
#define EXEC_CANCELLED_CODE "CANCELLED"

static void json_dispose(void *p)
{
    json_decref((json_t *)p);
}

static void scratch_dispose(void *p)
{
    bff_buf_free((bff_buf_t *)p);
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

/* ---- operation selection ---- */

typedef enum { SELECT_OK, SELECT_NONE, SELECT_AMBIGUOUS, SELECT_UNKNOWN } select_result_t;

static const bff_ast_node_t *select_operation(const bff_ast_node_t *document, const char *name, select_result_t *res)
{
    const bff_ast_node_t *op = NULL;
    for (uint32_t i = 0; document != NULL && i < document->definitions.len; ++i) {
        const bff_ast_node_t *d = document->definitions.items[i];
        if (d->kind != BFF_AST_OPERATION_DEFINITION)
            continue;
        if (name == NULL) {
            if (op != NULL) {
                *res = SELECT_AMBIGUOUS;
                return NULL;
            }
            op = d;
        } else if (d->name != NULL && strcmp(d->name, name) == 0) {
            op = d;
        }
    }
    if (op == NULL) {
        *res = name != NULL ? SELECT_UNKNOWN : SELECT_NONE;
        return NULL;
    }
    *res = SELECT_OK;
    return op;
}

static const char *select_message(select_result_t res)
{
    switch (res) {
    case SELECT_NONE: return "Must provide an operation.";
    case SELECT_AMBIGUOUS: return "Must provide operation name if query contains multiple operations.";
    case SELECT_UNKNOWN: return "Unknown operation named.";
    case SELECT_OK: break;
    }
    return NULL;
}

const bff_ast_node_t *bff_gql_select_operation(const bff_ast_node_t *document, const char *operation_name,
                                               const char **err)
{
    select_result_t res;
    const bff_ast_node_t *op = select_operation(document, operation_name, &res);
    *err = select_message(res);
    return op;
}

const bff_ast_node_t *bff_gql_select_operation_msg(const bff_ast_node_t *document, const char *operation_name,
                                                   bff_arena_t *arena, const char **err)
{
    select_result_t res;
    const bff_ast_node_t *op = select_operation(document, operation_name, &res);
    if (res == SELECT_UNKNOWN)
        *err = bff_arena_printf(arena, "Unknown operation named \"%s\".", operation_name);
    else
        *err = select_message(res);
    return op;
}

/* ---- errors and null propagation ---- */

static bool frame_dead(const exec_frame_t *f)
{
    for (; f != NULL; f = f->parent)
        if (f->dead)
            return true;
    return false;
}

static bff_gql_error_t *add_error(bff_exec_t *x, const char *message, const exec_cfield_t *cf,
                                  const bff_gql_path_t *path, const bff_ast_node_t *loc_node)
{
    if (x->errors.count >= x->max_errors) {
        ++x->dropped_errors;
        return NULL;
    }
    bff_gql_error_t *e = bff_gql_errors_add(&x->errors, x->arena, NULL, message);
    if (loc_node != NULL) {
        bff_gql_error_add_loc(e, x->arena, loc_node->loc);
    } else if (cf != NULL) {
        for (uint32_t i = 0; i < cf->nnodes; ++i)
            bff_gql_error_add_loc(e, x->arena, cf->nodes[i]->loc);
    }
    e->path = path;
    return e;
}

/*
 * A field error at `slot` of `frame`: the slot becomes null if it may, else
 * the nearest nullable ancestor does. Dropped when an ancestor is already null.
 */
static void raise_at(bff_exec_t *x, exec_frame_t *frame, exec_result_t *slot, bool nullable, const exec_cfield_t *cf,
                     const bff_gql_path_t *path, const char *message, const char *code, const char *ext,
                     const bff_ast_node_t *loc_node)
{
    if (frame_dead(frame))
        return;
    exec_result_t *target = slot;
    if (!nullable) {
        exec_frame_t *f = frame;
        for (;;) {
            f->dead = true;
            if (f->nullable || f->parent == NULL) {
                target = f->slot;
                break;
            }
            f = f->parent;
        }
    }
    target->kind = EXEC_R_NULL;
    if (path != NULL) {
        /* the head may be a leaf field's path on the C stack; its ancestors are arena memory */
        bff_gql_path_t *copy = bff_arena_alloc(x->arena, sizeof(*copy));
        *copy = *path;
        path = copy;
    }
    bff_gql_error_t *e = add_error(x, message, cf, path, loc_node);
    if (e != NULL) {
        e->code = code;
        e->extensions_json = ext;
    }
}

/* ---- completion ---- */

static void execute_fields(bff_exec_t *x, exec_object_t *o);

/* Lists a deferred fragment or stream for an execution of its own, in the order met. */
static void deferred_append(bff_exec_t *x, bff_exec_deferred_t *d)
{
    if (x->deferred_tail == NULL)
        x->deferred_tail = &x->deferred;
    *x->deferred_tail = d;
    x->deferred_tail = &d->next;
}

/* The object's deferred fragments (its field set's), listed for executions of their own. */
static void note_deferred(bff_exec_t *x, const exec_object_t *o)
{
    for (const exec_defer_t *f = o->set->deferred; f != NULL; f = f->next) {
        bff_exec_deferred_t *d = bff_arena_calloc(x->arena, 1, sizeof(*d));
        d->type = o->type;
        d->source = o->source;
        d->path = o->path;
        d->frame = &o->frame;
        d->fragment = f;
        d->label = f->label;
        deferred_append(x, d);
    }
}

static const bff_type_t *resolve_runtime_type(bff_exec_t *x, const bff_type_t *abstract, const bff_value_t *v,
                                              const exec_cfield_t *cf, const bff_type_t *parent_type, const char **err)
{
    const bff_type_t *rt = NULL;
    const char *tname = NULL;
    if (abstract->resolve_type != NULL) {
        rt = abstract->resolve_type(x->schema, abstract, v, abstract->resolve_type_ctx);
    } else if (v->kind == BFF_VAL_OBJECT && v->u.obj.type != NULL) {
        rt = v->u.obj.type;
    } else if (v->kind == BFF_VAL_JSON && json_is_object(v->u.json)) {
        json_t *tn = json_object_get(v->u.json, "__typename");
        if (json_is_string(tn)) {
            tname = json_string_value(tn);
            rt = bff_schema_type(x->schema, tname);
            if (rt == NULL) {
                *err = bff_arena_printf(x->arena,
                                        "Abstract type \"%s\" was resolved to a type \"%s\" that does not exist inside the schema.",
                                        abstract->name, tname);
                return NULL;
            }
        }
    }
    if (rt == NULL) {
        *err = bff_arena_printf(x->arena,
                                "Abstract type \"%s\" must resolve to an Object type at runtime for field \"%s.%s\". Either "
                                "the \"%s\" type should provide a \"resolveType\" function or each possible type should "
                                "provide an \"isTypeOf\" function.",
                                abstract->name, parent_type->name, cf->def->name, abstract->name);
        return NULL;
    }
    if (rt->kind != BFF_TYPE_OBJECT) {
        *err = bff_arena_printf(x->arena, "Abstract type \"%s\" was resolved to a non-object type \"%s\".", abstract->name,
                                rt->name);
        return NULL;
    }
    if (!bff_schema_is_possible_type(x->schema, abstract, rt)) {
        *err = bff_arena_printf(x->arena, "Runtime Object type \"%s\" is not a possible type for \"%s\".", rt->name,
                                abstract->name);
        return NULL;
    }
    return rt;
}

static void complete_value(bff_exec_t *x, exec_frame_t *frame, exec_result_t *slot, const bff_typeref_t *type,
                           exec_cfield_t *cf, const bff_type_t *parent_type, const bff_gql_path_t *path,
                           const bff_value_t *in);

/*
 * With incremental delivery, how many of a list's `n` items come with its
 * payload: its field's @stream(initialCount:) when the stream is on (`if`
 * not false), else all of them. The directive's arguments are read once per
 * collected field.
 */
static size_t stream_initial(bff_exec_t *x, exec_cfield_t *cf, size_t n)
{
    if (!x->req.defer)
        return n;
    if (cf->stream_state == 0) {
        cf->stream_state = -1;
        const bff_ast_node_t *d = bff_ast_find_directive(&cf->nodes[0]->directives, "stream");
        const bff_directive_def_t *def = d != NULL ? bff_schema_directive(x->schema, "stream") : NULL;
        json_t *args = NULL;
        const char *err = NULL;
        const bff_ast_node_t *err_node = NULL;
        if (def != NULL && bff_exec_argument_values(x, def->args, def->nargs, &d->arguments, d, &args, &err, &err_node) == 0) {
            json_int_t k = json_integer_value(json_object_get(args, "initialCount"));
            if (!json_is_false(json_object_get(args, "if")) && k >= 0) {
                cf->stream_state = 1;
                cf->stream_initial = (size_t)k;
                const char *label = json_string_value(json_object_get(args, "label"));
                cf->stream_label = label != NULL ? bff_arena_strdup(x->arena, label) : NULL;
            }
            json_decref(args);
        }
    }
    return cf->stream_state > 0 && cf->stream_initial < n ? cf->stream_initial : n;
}

/* Item i of a list value (a bff_value_t list or a JSON array). */
static bff_value_t list_item(const bff_value_t *v, size_t i)
{
    return v->kind == BFF_VAL_LIST ? v->u.list.items[i]
                                   : (bff_value_t){.kind = BFF_VAL_JSON, .u.json = json_array_get(v->u.json, i)};
}

static void complete_list(bff_exec_t *x, exec_frame_t *frame, exec_result_t *slot, bool nullable,
                          const bff_typeref_t *type, exec_cfield_t *cf, const bff_type_t *parent_type,
                          const bff_gql_path_t *path, const bff_value_t *v)
{
    size_t n;
    if (v->kind == BFF_VAL_LIST) {
        n = v->u.list.len;
    } else if (v->kind == BFF_VAL_JSON && json_is_array(v->u.json)) {
        n = json_array_size(v->u.json);
    } else {
        char *m = bff_arena_printf(x->arena, "Expected Iterable, but did not find one for field \"%s.%s\".",
                                   parent_type->name, cf->def->name);
        raise_at(x, frame, slot, nullable, cf, path, m, NULL, NULL, NULL);
        return;
    }
    exec_list_t *l = bff_arena_alloc(x->arena, sizeof(*l));
    l->frame.parent = frame;
    l->frame.slot = slot;
    l->frame.nullable = nullable;
    l->frame.dead = false;
    /* @stream applies to the field's own list, not to lists inside it */
    const bff_typeref_t *own = cf->def->type->kind == BFF_TYPEREF_NON_NULL ? cf->def->type->of : cf->def->type;
    size_t initial = own == type ? stream_initial(x, cf, n) : n;
    if (initial < n) { /* @stream: the rest comes in a part of its own */
        bff_exec_deferred_t *d = bff_arena_calloc(x->arena, 1, sizeof(*d));
        d->type = parent_type;
        d->source = *v;
        d->path = path;
        d->frame = &l->frame;
        d->label = cf->stream_label;
        d->start = initial;
        d->item_type = type->of;
        d->cf = cf;
        deferred_append(x, d);
        n = initial;
    }
    l->items = bff_arena_calloc(x->arena, n ? n : 1, sizeof(*l->items));
    l->len = n;
    slot->kind = EXEC_R_LIST;
    slot->u.list = l;
    bff_gql_path_t *paths = bff_arena_alloc(x->arena, (n ? n : 1) * sizeof(*paths));
    for (size_t i = 0; i < n && !l->frame.dead; ++i) {
        paths[i].prev = path;
        paths[i].key = NULL;
        paths[i].index = (int64_t)i;
        bff_value_t item = list_item(v, i);
        complete_value(x, &l->frame, &l->items[i], type->of, cf, parent_type, &paths[i], &item);
    }
}

static void complete_object(bff_exec_t *x, exec_frame_t *frame, exec_result_t *slot, bool nullable,
                            const bff_type_t *type, exec_cfield_t *cf, const bff_gql_path_t *path, const bff_value_t *v)
{
    exec_fieldset_t *set = bff_exec_collect_sub(x, cf, type);
    if (set->err != NULL) {
        raise_at(x, frame, slot, nullable, cf, path, set->err, NULL, NULL, set->err_node);
        return;
    }
    exec_object_t *o = bff_arena_alloc(x->arena, sizeof(*o));
    o->frame.parent = frame;
    o->frame.slot = slot;
    o->frame.nullable = nullable;
    o->frame.dead = false;
    o->type = type;
    o->set = set;
    o->values = bff_arena_calloc(x->arena, set->n ? set->n : 1, sizeof(*o->values));
    o->source = *v;
    o->path = path;
    slot->kind = EXEC_R_OBJECT;
    slot->u.obj = o;
    if (set->deferred != NULL)
        note_deferred(x, o);
    execute_fields(x, o);
}

/*
 * The common case of a leaf read from JSON by a built-in scalar without a
 * serialize hook, done inline: true when `slot` was filled; false sends the
 * value down the general path (bff_exec_serialize_leaf), which also makes
 * the error messages.
 */
static bool complete_json_scalar(bff_exec_t *x, const bff_type_t *t, json_t *j, exec_result_t *slot)
{
    switch (json_typeof(j)) {
    case JSON_STRING:
        if (t != x->scalars[2] && t != x->scalars[4]) /* String, ID */
            return false;
        slot->kind = EXEC_R_STRING;
        slot->u.str.ptr = json_string_value(j);
        slot->u.str.len = json_string_length(j);
        return true;
    case JSON_INTEGER: {
        json_int_t v = json_integer_value(j);
        if (t == x->scalars[0] && v >= -2147483648LL && v <= 2147483647LL) { /* Int */
            slot->kind = EXEC_R_INT;
            slot->u.i = v;
            return true;
        }
        if (t == x->scalars[1]) { /* Float */
            slot->kind = EXEC_R_FLOAT;
            slot->u.f = (double)v;
            return true;
        }
        return false;
    }
    case JSON_REAL:
        if (t != x->scalars[1])
            return false;
        slot->kind = EXEC_R_FLOAT;
        slot->u.f = json_real_value(j);
        return true;
    case JSON_TRUE:
    case JSON_FALSE:
        if (t != x->scalars[3]) /* Boolean */
            return false;
        slot->kind = EXEC_R_BOOL;
        slot->u.b = json_is_true(j);
        return true;
    default: return false;
    }
}

static void complete_value(bff_exec_t *x, exec_frame_t *frame, exec_result_t *slot, const bff_typeref_t *type,
                           exec_cfield_t *cf, const bff_type_t *parent_type, const bff_gql_path_t *path,
                           const bff_value_t *in)
{
    bool nullable = true;
    if (type->kind == BFF_TYPEREF_NON_NULL) {
        nullable = false;
        type = type->of;
    }
    bool is_null = in->kind == BFF_VAL_NULL || (in->kind == BFF_VAL_JSON && (in->u.json == NULL || json_is_null(in->u.json)));
    if (!is_null) {
        if (type->kind == BFF_TYPEREF_LIST) {
            complete_list(x, frame, slot, nullable, type, cf, parent_type, path, in);
            return;
        }
        const bff_type_t *t = type->named;
        if (t->kind == BFF_TYPE_SCALAR && t->serialize == NULL && in->kind == BFF_VAL_JSON &&
            complete_json_scalar(x, t, in->u.json, slot))
            return;
        if (t->kind == BFF_TYPE_SCALAR || t->kind == BFF_TYPE_ENUM) {
            const char *err = NULL;
            exec_result_t r = {0};
            if (bff_exec_serialize_leaf(x, t, in, &r, &err) != 0) {
                raise_at(x, frame, slot, nullable, cf, path, err, NULL, NULL, NULL);
                return;
            }
            if (r.kind != EXEC_R_NULL) {
                *slot = r;
                return;
            }
        } else {
            if (t->kind == BFF_TYPE_INTERFACE || t->kind == BFF_TYPE_UNION) {
                const char *err = NULL;
                t = resolve_runtime_type(x, t, in, cf, parent_type, &err);
                if (t == NULL) {
                    raise_at(x, frame, slot, nullable, cf, path, err, NULL, NULL, NULL);
                    return;
                }
            }
            complete_object(x, frame, slot, nullable, t, cf, path, in);
            return;
        }
    }
    if (nullable) {
        slot->kind = EXEC_R_NULL;
        return;
    }
    char *m = bff_arena_printf(x->arena, "Cannot return null for non-nullable field %s.%s.", parent_type->name,
                               cf->def->name);
    raise_at(x, frame, slot, false, cf, path, m, NULL, NULL, NULL);
}

/* ---- fields ---- */

static bool field_args(bff_exec_t *x, exec_cfield_t *cf)
{
    if (cf->args_state == 0) {
        if (cf->def->nargs == 0) {
            if (x->empty_args == NULL) {
                x->empty_args = json_object();
                bff_arena_on_dispose(x->arena, json_dispose, x->empty_args);
            }
            cf->args = x->empty_args;
            cf->args_state = 1;
        } else if (bff_exec_argument_values(x, cf->def->args, cf->def->nargs, &cf->nodes[0]->arguments, cf->nodes[0],
                                            &cf->args, &cf->args_err, &cf->args_err_node) == 0) {
            bff_arena_on_dispose(x->arena, json_dispose, cf->args);
            cf->args_state = 1;
        } else {
            cf->args_state = -1;
        }
    }
    return cf->args_state > 0;
}

static void execute_field(bff_exec_t *x, exec_object_t *o, uint32_t i)
{
    exec_cfield_t *cf = &o->set->fields[i];
    exec_result_t *slot = &o->values[i];
    const bff_field_t *def = cf->def;
    if (def == NULL) {
        slot->kind = EXEC_R_ABSENT;
        return;
    }
    if (cf->is_typename) {
        slot->kind = EXEC_R_STRING;
        slot->u.str.ptr = o->type->name;
        slot->u.str.len = strlen(o->type->name);
        return;
    }
    /*
     * The field's path: on the stack for a leaf completed right here (nothing
     * keeps it; raise_at copies it for an error), in the arena when children
     * or a resolver handle will point to it.
     */
    bff_gql_path_t stack_path = {o->path, cf->key, 0};
    bff_gql_path_t *path = &stack_path;
    const bff_typeref_t *inner = def->type->kind == BFF_TYPEREF_NON_NULL ? def->type->of : def->type;
    if (def->resolve != NULL || inner->kind == BFF_TYPEREF_LIST ||
        (inner->named->kind != BFF_TYPE_SCALAR && inner->named->kind != BFF_TYPE_ENUM)) {
        path = bff_arena_alloc(x->arena, sizeof(*path));
        *path = stack_path;
    }
    bool nullable = def->type->kind != BFF_TYPEREF_NON_NULL;
    const char *forbidden = NULL;
    if (x->req.authorize != NULL && !x->req.authorize(o->type, def, x->req.authorize_arg, &forbidden)) {
        raise_at(x, &o->frame, slot, nullable, cf, path, forbidden ? forbidden : "Not authorized.", "FORBIDDEN", NULL,
                 NULL);
        return;
    }
    if (!field_args(x, cf)) {
        raise_at(x, &o->frame, slot, nullable, cf, path, cf->args_err, NULL, NULL, cf->args_err_node);
        return;
    }
    if (def->resolve == NULL) {
        /* The default resolver: the property named after the field of a JSON object parent. */
        bff_value_t v = bff_value_null();
        if (o->source.kind == BFF_VAL_JSON && json_is_object(o->source.u.json)) {
            json_t *j = json_object_get(o->source.u.json, def->name);
            if (j != NULL) {
                v.kind = BFF_VAL_JSON;
                v.u.json = j;
            }
        }
        complete_value(x, &o->frame, slot, def->type, cf, o->type, path, &v);
        return;
    }
    if (x->cancelled) {
        /* no new resolver calls once cancelled; reading JSON already at hand (above) costs nothing */
        raise_at(x, &o->frame, slot, nullable, cf, path, "Execution was cancelled.", EXEC_CANCELLED_CODE, NULL, NULL);
        return;
    }
    bff_resolve_t *r = bff_arena_calloc(x->arena, 1, sizeof(*r));
    r->x = x;
    r->obj = o;
    r->index = i;
    r->path = path;
    ++x->pending;
    def->resolve(r, def->resolve_ctx);
}

static void execute_fields(bff_exec_t *x, exec_object_t *o)
{
    for (uint32_t i = 0; i < o->set->n && !o->frame.dead; ++i)
        execute_field(x, o, i);
}

/* ---- pending work and the end ---- */

static void exec_finish(bff_exec_t *x)
{
    assert(!x->done && x->pending == 0 && "an execution ends once, with nothing pending");
    if (x->dropped_errors > 0) {
        bff_gql_error_t *e = bff_gql_errors_addf(&x->errors, x->arena, NULL,
                                                 "Too many errors: %zu more errors were omitted.", x->dropped_errors);
        e->code = "TOO_MANY_ERRORS";
    }
    x->done = true;
    if (x->req.on_done != NULL)
        x->req.on_done(x, x->req.cb_arg); /* last: the arena may be gone after this */
}

static void exec_idle(bff_exec_t *x)
{
    while (x->serial && x->next_serial < x->root_set->n && !x->root->frame.dead) {
        ++x->pending;
        execute_field(x, x->root, x->next_serial++);
        if (--x->pending != 0)
            return;
    }
    exec_finish(x);
}

static void exec_release(bff_exec_t *x)
{
    assert(x->pending > 0 && "released more than was held");
    if (--x->pending == 0)
        exec_idle(x);
}

static void request_error(bff_exec_t *x, const char *message, const bff_ast_node_t *loc_node)
{
    bff_gql_error_t *e = bff_gql_errors_add(&x->errors, x->arena, NULL, message);
    if (loc_node != NULL)
        bff_gql_error_add_loc(e, x->arena, loc_node->loc);
}

bool bff_exec_authorized(const bff_exec_t *x, const bff_type_t *type, const bff_field_t *field)
{
    const char *message;
    return x->req.authorize == NULL || x->req.authorize(type, field, x->req.authorize_arg, &message);
}

bool bff_resolve_may_read(const bff_resolve_t *r, const char *type_name)
{
    const bff_type_t *t = bff_schema_type(r->x->schema, type_name);
    return t != NULL && bff_exec_authorized(r->x, t, NULL);
}


/* An execution of `req`, held by a guard until its start is walked (exec_release). */
static bff_exec_t *exec_new(const bff_exec_request_t *req)
{
    bff_exec_t *x = bff_arena_calloc(req->arena, 1, sizeof(*x));
    x->req = *req;
    x->schema = req->schema;
    x->arena = req->arena;
    x->max_errors = req->max_errors ? req->max_errors : EXEC_DEFAULT_MAX_ERRORS;
    bff_buf_init(&x->scratch);
    bff_arena_on_dispose(x->arena, scratch_dispose, &x->scratch);
    x->pending = 1; /* guard until the walk below is done */
    bff_exec_init_scalars(x);
    return x;
}

/* The execution's root object (its data): `set` on `source`, under `path`; its deferred fragments listed. */
static exec_object_t *root_object(bff_exec_t *x, const bff_type_t *type, const exec_fieldset_t *set, bff_value_t source,
                                  const bff_gql_path_t *path)
{
    exec_object_t *o = bff_arena_alloc(x->arena, sizeof(*o));
    o->frame.parent = NULL;
    o->frame.slot = &x->data;
    o->frame.nullable = true; /* a deferred fragment's: a non-null field that fails makes its data null */
    o->frame.dead = false;
    o->type = type;
    o->set = set;
    o->values = bff_arena_calloc(x->arena, set->n ? set->n : 1, sizeof(*o->values));
    o->source = source;
    o->path = path;
    x->root = o;
    x->data.kind = EXEC_R_OBJECT;
    x->data.u.obj = o;
    if (set->deferred != NULL)
        note_deferred(x, o);
    return o;
}

bff_exec_t *bff_exec_start(const bff_exec_request_t *req)
{
    bff_exec_t *x = exec_new(req);

    const char *err = NULL;
    x->operation = bff_gql_select_operation_msg(req->document, req->operation_name, x->arena, &err);
    if (x->operation == NULL) {
        request_error(x, err, NULL);
        goto out;
    }
    const bff_ast_node_t *op = x->operation;
    x->root_type = bff_schema_root_type(x->schema, op->operation);
    if (req->variables_coerced) {
        x->variables = req->variables ? json_incref(req->variables) : json_object();
    } else if (bff_gql_coerce_variables(x->schema, op, req->variables, x->arena, &x->errors, &x->variables) != 0) {
        goto out;
    }
    bff_arena_on_dispose(x->arena, json_dispose, x->variables);
    x->has_data = true;
    x->data.kind = EXEC_R_NULL;
    if (x->root_type == NULL) {
        char *m = bff_arena_printf(x->arena, "Schema is not configured to execute %s operation.",
                                   bff_operation_name(op->operation));
        request_error(x, m, op);
        goto out;
    }
    bff_exec_index_fragments(x, req->document);
    x->root_set = bff_exec_collect_root(x, x->root_type, op->selection_set);
    if (x->root_set->err != NULL) {
        request_error(x, x->root_set->err, x->root_set->err_node);
        goto out;
    }
    exec_object_t *o = root_object(x, x->root_type, x->root_set, req->root_value, NULL);
    if (op->operation == BFF_OP_MUTATION)
        x->serial = true; /* root fields start one by one from exec_idle() */
    else
        execute_fields(x, o);
out:
    exec_release(x); /* may finish and call on_done: x must not be touched after this */
    return x;
}

/* ---- deferred fragments ---- */

static const bff_exec_deferred_t *live(const bff_exec_deferred_t *d)
{
    while (d != NULL && frame_dead(d->frame))
        d = d->next; /* its object was nulled: nothing to deliver (the RFC) */
    return d;
}

const bff_exec_deferred_t *bff_exec_deferred_first(const bff_exec_t *x)
{
    return live(x->deferred);
}

const bff_exec_deferred_t *bff_exec_deferred_next(const bff_exec_deferred_t *d)
{
    return live(d->next);
}

bff_exec_t *bff_exec_start_deferred(const bff_exec_request_t *req, const bff_exec_t *parent, const bff_exec_deferred_t *d)
{
    bff_exec_t *x = exec_new(req);
    x->of = d;
    x->operation = parent->operation;
    x->variables = parent->variables; /* the parent's (released with the arena) */
    x->fragments = parent->fragments;
    x->nfragments = parent->nfragments;
    x->has_data = true;
    x->root_type = d->type;
    if (d->fragment == NULL) { /* a stream: the list's items from d->start on, completed as the list's were */
        size_t n = d->source.kind == BFF_VAL_LIST ? d->source.u.list.len : json_array_size(d->source.u.json);
        exec_list_t *l = bff_arena_alloc(x->arena, sizeof(*l));
        l->frame.parent = NULL;
        l->frame.slot = &x->data;
        l->frame.nullable = true; /* a non-null item that fails makes the part's items null */
        l->frame.dead = false;
        l->len = n - d->start;
        l->items = bff_arena_calloc(x->arena, l->len ? l->len : 1, sizeof(*l->items));
        x->data.kind = EXEC_R_LIST;
        x->data.u.list = l;
        bff_gql_path_t *paths = bff_arena_alloc(x->arena, (l->len ? l->len : 1) * sizeof(*paths));
        for (size_t i = 0; i < l->len && !l->frame.dead; ++i) {
            paths[i] = (bff_gql_path_t){d->path, NULL, (int64_t)(d->start + i)};
            bff_value_t item = list_item(&d->source, d->start + i);
            complete_value(x, &l->frame, &l->items[i], d->item_type, d->cf, d->type, &paths[i], &item);
        }
        goto out;
    }
    x->root_set = bff_exec_collect_root(x, d->type, d->fragment->selection_set);
    if (x->root_set->err != NULL) {
        request_error(x, x->root_set->err, x->root_set->err_node);
        x->data.kind = EXEC_R_NULL;
        goto out;
    }
    exec_object_t *o = root_object(x, d->type, x->root_set, d->source, d->path);
    execute_fields(x, o);
out:
    exec_release(x); /* may finish and call on_done */
    return x;
}

void bff_exec_write_incremental(const bff_exec_t *x, bff_buf_t *out)
{
    const bff_exec_deferred_t *d = x->of;
    bool stream = d->fragment == NULL;
    bff_buf_appends(out, stream ? "{\"items\":" : "{\"data\":");
    bff_exec_write_result(out, &x->data);
    bff_buf_appends(out, ",\"path\":[");
    bff_gql_path_write(out, d->path);
    if (stream && x->data.kind != EXEC_R_NULL) { /* the first item's index; a failed part names its list (graphql-js 17) */
        bff_buf_appendc(out, ',');
        bff_buf_append_int(out, (int64_t)d->start);
    }
    bff_buf_appendc(out, ']');
    if (d->label != NULL) {
        bff_buf_appends(out, ",\"label\":");
        bff_buf_append_json_string(out, d->label, strlen(d->label));
    }
    if (x->errors.count > 0) {
        bff_buf_appends(out, ",\"errors\":");
        bff_gql_errors_write_json(out, &x->errors);
    }
    bff_buf_appendc(out, '}');
}

static void cancel_unlink(bff_exec_t *x, bff_resolve_t *r)
{
    if (!r->cancel_linked)
        return;
    if (r->cprev != NULL)
        r->cprev->cnext = r->cnext;
    else
        x->cancel_head = r->cnext;
    if (r->cnext != NULL)
        r->cnext->cprev = r->cprev;
    else
        x->cancel_tail = r->cprev;
    r->cprev = r->cnext = NULL;
    r->cancel_linked = false;
}

void bff_exec_cancel(bff_exec_t *x)
{
    if (x->done || x->cancelled)
        return;
    x->cancelled = true;
    ++x->pending;
    bff_resolve_t *r;
    while ((r = x->cancel_head) != NULL) {
        cancel_unlink(x, r); /* before the hook: it may complete r, or other handles */
        r->cancel_fn(r->cancel_arg);
    }
    exec_release(x);
}

bool bff_exec_done(const bff_exec_t *x)
{
    return x->done;
}

bool bff_exec_has_data(const bff_exec_t *x)
{
    return x->has_data;
}

const bff_gql_errors_t *bff_exec_errors(const bff_exec_t *x)
{
    return &x->errors;
}

static void visit_value(const bff_exec_visitor_t *v, const exec_result_t *r, const bff_type_t *named, uint32_t depth);

static void visit_object(const bff_exec_visitor_t *v, const exec_object_t *o, uint32_t depth)
{
    for (uint32_t i = 0; i < o->set->n; ++i) {
        const exec_cfield_t *cf = &o->set->fields[i];
        if (o->values[i].kind == EXEC_R_ABSENT || cf->def == NULL || cf->is_typename ||
            strncmp(cf->def->name, "__", 2) == 0)
            continue;
        v->field(v->arg, cf->def, cf->nodes[0], depth);
        visit_value(v, &o->values[i], bff_typeref_named(cf->def->type), depth + 1);
    }
}

static void visit_value(const bff_exec_visitor_t *v, const exec_result_t *r, const bff_type_t *named, uint32_t depth)
{
    switch ((exec_rkind_t)r->kind) {
    case EXEC_R_ABSENT:
    case EXEC_R_NULL: return;
    case EXEC_R_LIST:
        for (size_t i = 0; i < r->u.list->len; ++i)
            visit_value(v, &r->u.list->items[i], named, depth);
        return;
    case EXEC_R_OBJECT:
        v->value(v->arg, r->u.obj->type);
        visit_object(v, r->u.obj, depth);
        return;
    default:
        if (named != NULL)
            v->value(v->arg, named);
        return;
    }
}

void bff_exec_visit_result(const bff_exec_t *x, const bff_exec_visitor_t *v)
{
    if (x->has_data && x->data.kind == EXEC_R_OBJECT)
        visit_object(v, x->data.u.obj, 0);
}

const bff_ast_node_t *bff_exec_operation(const bff_exec_t *x)
{
    return x->operation;
}

/* ---- the resolver's side ---- */

const bff_value_t *bff_resolve_parent(const bff_resolve_t *r)
{
    return &r->obj->source;
}

json_t *bff_resolve_args(const bff_resolve_t *r)
{
    return r->obj->set->fields[r->index].args;
}

json_t *bff_resolve_arg(const bff_resolve_t *r, const char *name)
{
    return json_object_get(bff_resolve_args(r), name);
}

const bff_field_t *bff_resolve_field(const bff_resolve_t *r)
{
    return r->obj->set->fields[r->index].def;
}

const bff_ast_node_t *bff_resolve_node(const bff_resolve_t *r)
{
    return r->obj->set->fields[r->index].nodes[0];
}

const bff_gql_path_t *bff_resolve_path(const bff_resolve_t *r)
{
    return r->path;
}

void *bff_resolve_user(const bff_resolve_t *r)
{
    return r->x->req.user;
}

bff_arena_t *bff_resolve_arena(const bff_resolve_t *r)
{
    return r->x->arena;
}

bff_exec_t *bff_resolve_exec(const bff_resolve_t *r)
{
    return r->x;
}


/* Marks the handle completed; false (and a warning) when it already was. */
static bool resolve_claim(bff_resolve_t *r)
{
    assert(!r->done && "a resolver completed its handle twice");
    if (r->done) {
        fprintf(stderr, "bff exec: resolver completed a handle twice (ignored)\n");
        return false;
    }
    r->done = true;
    cancel_unlink(r->x, r);
    return true;
}

void bff_resolve_ok(bff_resolve_t *r, bff_value_t value)
{
    if (!resolve_claim(r))
        return;
    bff_exec_t *x = r->x;
    exec_object_t *o = r->obj;
    if (!frame_dead(&o->frame)) {
        exec_cfield_t *cf = &o->set->fields[r->index];
        complete_value(x, &o->frame, &o->values[r->index], cf->def->type, cf, o->type, r->path, &value);
    }
    exec_release(x);
}

static void resolve_fail(bff_resolve_t *r, const char *code, const char *ext, const char *message)
{
    if (!resolve_claim(r))
        return;
    bff_exec_t *x = r->x;
    exec_object_t *o = r->obj;
    exec_cfield_t *cf = &o->set->fields[r->index];
    raise_at(x, &o->frame, &o->values[r->index], cf->def->type->kind != BFF_TYPEREF_NON_NULL, cf, r->path, message,
             code, ext, NULL);
    exec_release(x);
}

void bff_resolve_error(bff_resolve_t *r, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = bff_arena_vprintf(r->x->arena, fmt, ap);
    va_end(ap);
    resolve_fail(r, code, NULL, m);
}

void bff_resolve_error_ext(bff_resolve_t *r, const char *code, const char *extensions_json, const char *message)
{
    const char *ext = extensions_json != NULL ? bff_arena_strdup(r->x->arena, extensions_json) : NULL;
    resolve_fail(r, code, ext, message != NULL ? message : "");
}

void bff_resolve_add_error(bff_resolve_t *r, const char *code, const char *message)
{
    if (r->done)
        return;
    bff_exec_t *x = r->x;
    exec_object_t *o = r->obj;
    if (frame_dead(&o->frame))
        return;
    bff_gql_path_t *path = NULL;
    if (r->path != NULL) { /* the head may be on the C stack (see raise_at) */
        path = bff_arena_alloc(x->arena, sizeof(*path));
        *path = *r->path;
    }
    bff_gql_error_t *e = add_error(x, bff_arena_strdup(x->arena, message), &o->set->fields[r->index], path, NULL);
    if (e != NULL)
        e->code = code;
}

void bff_resolve_on_cancel(bff_resolve_t *r, void (*fn)(void *arg), void *arg)
{
    if (r->done || fn == NULL)
        return;
    bff_exec_t *x = r->x;
    if (x->cancelled) {
        /* Already cancelled: the hook runs now (it may complete the handle). */
        fn(arg);
        return;
    }
    if (r->cancel_linked) {
        r->cancel_fn = fn;
        r->cancel_arg = arg;
        return;
    }
    r->cancel_fn = fn;
    r->cancel_arg = arg;
    r->cnext = NULL;
    r->cprev = x->cancel_tail;
    if (x->cancel_tail != NULL)
        x->cancel_tail->cnext = r;
    else
        x->cancel_head = r;
    x->cancel_tail = r;
    r->cancel_linked = true;
}
