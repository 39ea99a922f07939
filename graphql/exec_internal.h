/*
 * exec_internal.h - shared inside the executor (exec*.c) only.
 *
 * The execution builds a result tree (exec_result_t) in the request arena
 * while resolvers complete in any order; the response writer walks it at the
 * end. Objects and lists under construction are frames (exec_frame_t): a
 * frame knows the slot it fills in its parent and whether that slot may be
 * null, so a null in a non-null position nulls the nearest nullable
 * ancestor (spec 6.4.4) by walking frames upwards; every frame passed is
 * marked dead, and completions or errors landing below a dead frame are
 * dropped.
 *
 * Fields are collected once per (parent field, runtime object type) and per
 * execution (exec_fieldset_t, cached on the collected field), with their
 * coerced arguments, so a list of 100 items collects and coerces once.
 */
#ifndef BFF_GRAPHQL_EXEC_INTERNAL_H
#define BFF_GRAPHQL_EXEC_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "exec.h"

/* ---- result tree ---- */

typedef enum en_exec_rkind_t {
    EXEC_R_ABSENT, /* not written (field without definition) */
    EXEC_R_NULL,
    EXEC_R_BOOL,
    EXEC_R_INT,
    EXEC_R_FLOAT,
    EXEC_R_STRING, /* escaped when written */
    EXEC_R_RAW,    /* JSON text produced by a serialize hook, written as is */
    EXEC_R_JSON,   /* a custom scalar's JSON value, written as JSON (borrowed) */
    EXEC_R_OBJECT,
    EXEC_R_LIST,
} exec_rkind_t;

struct st_exec_object_t;
struct st_exec_list_t;

typedef struct st_exec_result_t {
    uint8_t kind;
    union {
        bool b;
        int64_t i;
        double f;
        struct {
            const char *ptr;
            size_t len;
        } str;
        json_t *json;
        struct st_exec_object_t *obj;
        struct st_exec_list_t *list;
    } u;
} exec_result_t;

/* ---- collected fields ---- */

struct st_exec_subcache_t;

typedef struct st_exec_cfield_t {
    const char *key;         /* response key */
    uint32_t klen;
    const bff_field_t *def;  /* definition on the parent object type; NULL when unknown */
    const bff_ast_node_t **nodes;
    uint32_t nnodes, cap;
    bool is_typename;
    /* coerced arguments, computed on first use */
    int args_state; /* 0 not yet, 1 ok, -1 failed */
    json_t *args;
    const char *args_err;
    const bff_ast_node_t *args_err_node; /* location of the failing argument (NULL: the field nodes) */
    struct st_exec_subcache_t *sub; /* runtime type -> sub-fields */
    /* @stream (incremental delivery): 0 not read yet, 1 on, -1 off; its initialCount and label */
    int stream_state;
    size_t stream_initial;
    const char *stream_label;
} exec_cfield_t;

/* A fragment of a field set that is deferred (@defer, when the request delivers incrementally). */
typedef struct st_exec_defer_t {
    const char *label; /* NULL: none */
    const bff_ast_node_t *selection_set;
    struct st_exec_defer_t *next;
} exec_defer_t;

typedef struct st_exec_fieldset_t {
    exec_cfield_t *fields;
    uint32_t n, cap;
    exec_defer_t *deferred, **deferred_tail; /* its deferred fragments, in document order */
    /* a @skip/@include argument failed to coerce: message and node */
    const char *err;
    const bff_ast_node_t *err_node;
} exec_fieldset_t;

typedef struct st_exec_subcache_t {
    struct st_exec_subcache_t *next;
    const bff_type_t *type;
    exec_fieldset_t *set;
} exec_subcache_t;

/* ---- frames ---- */

typedef struct st_exec_frame_t {
    struct st_exec_frame_t *parent; /* NULL for the root object */
    exec_result_t *slot;            /* this container's place in the parent */
    bool nullable;                  /* that place accepts null */
    bool dead;                      /* nulled (or an ancestor will be): drop what lands below */
} exec_frame_t;

typedef struct st_exec_object_t {
    exec_frame_t frame;
    const bff_type_t *type;
    const exec_fieldset_t *set;
    exec_result_t *values; /* one per set->fields */
    bff_value_t source;    /* the parent value of the fields */
    const bff_gql_path_t *path;
} exec_object_t;

typedef struct st_exec_list_t {
    exec_frame_t frame;
    exec_result_t *items;
    size_t len;
} exec_list_t;

/* ---- the execution ---- */

struct st_bff_resolve_t {
    bff_exec_t *x;
    exec_object_t *obj;  /* the object whose field this is */
    uint32_t index;      /* field index in obj->set */
    const bff_gql_path_t *path;
    bool done;
    bool cancel_linked;
    void (*cancel_fn)(void *arg);
    void *cancel_arg;
    struct st_bff_resolve_t *cprev, *cnext; /* cancel list */
};

typedef struct st_exec_fragment_t {
    const char *name;
    const bff_ast_node_t *node;
} exec_fragment_t;

/*
 * A deferred fragment of one object of the result, or the rest of a streamed
 * list (exec.h: bff_exec_deferred_t).
 */
struct st_bff_exec_deferred_t {
    const bff_type_t *type;
    bff_value_t source;        /* the object (defer), or the whole list (stream) */
    const bff_gql_path_t *path; /* the object's, or the list's */
    const exec_frame_t *frame; /* the object's or the list's: not delivered when it was nulled */
    const exec_defer_t *fragment; /* NULL: a stream */
    const char *label;
    /* a stream: items from `start` on, of `item_type`, of field `cf` on `type` */
    size_t start;
    const struct st_bff_typeref_t *item_type;
    exec_cfield_t *cf;
    struct st_bff_exec_deferred_t *next;
};

struct st_bff_exec_t {
    bff_exec_request_t req;
    struct st_bff_exec_deferred_t *deferred, **deferred_tail; /* the result's deferred fragments, as found */
    const struct st_bff_exec_deferred_t *of; /* a deferred fragment's execution: the one it runs */
    const bff_schema_t *schema;
    bff_arena_t *arena;
    const bff_ast_node_t *operation;
    const bff_type_t *root_type;
    json_t *variables; /* coerced; owned (released with the arena) */
    json_t *empty_args;
    exec_fragment_t *fragments;
    uint32_t nfragments;
    bff_gql_errors_t errors;
    size_t max_errors;
    size_t dropped_errors;
    exec_result_t data;
    exec_object_t *root;
    exec_fieldset_t *root_set;
    uint32_t pending;     /* handles not completed + guards */
    uint32_t next_serial; /* mutation: next root field to start */
    bool serial;
    bool has_data;
    bool done;
    bool cancelled;
    bff_resolve_t *cancel_head, *cancel_tail; /* pending handles with a cancel hook, in registration order */
    bff_buf_t scratch;          /* serialize hooks write here (freed with the arena) */
    const bff_type_t *scalars[5]; /* Int, Float, String, Boolean, ID of this schema (pointer compares) */
    struct st_exec_visibility_t *visibility; /* what introspection shows, computed on first use (visibility.c) */
};

typedef struct st_exec_visibility_t exec_visibility_t;

/* exec_collect.c */
exec_fieldset_t *bff_exec_collect_root(bff_exec_t *x, const bff_type_t *type, const bff_ast_node_t *selection_set);
exec_fieldset_t *bff_exec_collect_sub(bff_exec_t *x, exec_cfield_t *cf, const bff_type_t *type);
void bff_exec_index_fragments(bff_exec_t *x, const bff_ast_node_t *document);

/* exec_coerce.c */
/* Coerces field or directive arguments; 0 ok (*out new reference), -1 with *err (arena) and *err_node. */
int bff_exec_argument_values(bff_exec_t *x, const bff_input_value_t *defs, uint32_t ndefs,
                             const bff_ast_list_t *arguments, const bff_ast_node_t *owner, json_t **out,
                             const char **err, const bff_ast_node_t **err_node);

/* exec_values.c: graphql-js helpers and built-in scalars */
void bff_exec_inspect_json(bff_buf_t *out, const json_t *v);
void bff_exec_inspect_value(bff_buf_t *out, const bff_value_t *v);
/* " Did you mean <sub> \"a\", \"b\", or \"c\"?" for the options close to `input` (nothing when none). */
void bff_exec_did_you_mean(bff_buf_t *out, const char *sub, const char *input, const char *const *options,
                           size_t noptions);
/*
 * Serializes a leaf value for output into `res`. Returns 0, or -1 with a
 * message in *err (arena). Uses the type's serialize hook when set, else the
 * built-in rules (graphql-js 16) for built-in scalars and enums; custom
 * scalars without a hook are passed through.
 */
int bff_exec_serialize_leaf(bff_exec_t *x, const bff_type_t *type, const bff_value_t *v, exec_result_t *res,
                            const char **err);
/* A JSON leaf value as a bff_value_t (strings point into the JSON). */
bff_value_t bff_exec_value_from_json(json_t *j);
/* Built-in scalar input coercion (graphql-js parseValue / parseLiteral). */
int bff_exec_builtin_parse_value(const bff_type_t *type, json_t *in, json_t **out, bff_buf_t *err);
int bff_exec_builtin_parse_literal(const bff_type_t *type, const bff_ast_node_t *lit, json_t **out);
json_t *bff_exec_value_from_ast_untyped(const bff_ast_node_t *node, json_t *variables);
bool bff_exec_is_builtin_scalar(const bff_type_t *type);
/* Looks up the built-in scalars once per execution (x->scalars). */
void bff_exec_init_scalars(bff_exec_t *x);

/* exec_write.c */
void bff_exec_write_result(bff_buf_t *out, const exec_result_t *r);

#endif
