/*
 * cats.c - `bff-schema cats-execute`: runs one graphql-cats execution test
 * (tests/conformance/external/graphql-cats/scenarios/execution) on our
 * executor, with the resolvers graphql-cats defines by directives in the SDL:
 *
 *   (none)                       the parent's property of the field's name
 *   @resolveString(value:)       the value, "$arg" placeholders replaced by arguments
 *   @resolvePromiseString(value:) the same (our resolvers may complete at once)
 *   @argumentsJson               the arguments as compact JSON, in definition order
 *   @resolveEmptyObject          {}
 *   @resolveTestData(name:)      the test data of that name (also @resolvePromiseTestData)
 *   @resolvePromise              as without a directive
 *   @resolveError(message:)      a field error (also @resolvePromiseReject)
 *   @resolveErrorList(values:, messages:)  the values, and an error per message
 *                                at this field (also @resolvePromiseRejectList)
 *
 * Test data values {"$ref": "name"} stand for the test data of that name
 * (they may form cycles, so they are followed as fields are read). An
 * abstract type's concrete type is the value's "type" (or "__typename").
 * Prints the response as one line of JSON. tests/conformance/cats/run.mjs
 * drives it and graphql-js with the same rules.
 */
#include "cats.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "graphql/exec.h"
#include "graphql/parser.h"
#include "graphql/schema.h"
#include "graphql/validate.h"

typedef struct st_cats_t {
    json_t *data; /* the test data: name -> value */
} cats_t;

/* A value read from the test data: a {"$ref": name} stands for that entry. */
static json_t *deref(const cats_t *c, json_t *v)
{
    json_t *ref = json_is_object(v) ? json_object_get(v, "$ref") : NULL;
    return json_is_string(ref) ? json_object_get(c->data, json_string_value(ref)) : v;
}

/* The value as the resolver returns it: lists with their items' refs followed (one level; deeper as read). */
static bff_value_t give(bff_resolve_t *r, const cats_t *c, json_t *v)
{
    v = deref(c, v);
    if (v == NULL)
        return bff_value_null();
    if (json_is_array(v)) {
        json_t *list = json_array();
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) json_array_append(list, deref(c, item) ? deref(c, item) : json_null());
        return bff_value_json(bff_resolve_arena(r), list);
    }
    return bff_value_json(bff_resolve_arena(r), json_incref(v));
}

static const char *string_arg(const bff_ast_node_t *directive, const char *name)
{
    const bff_ast_node_t *v = bff_ast_directive_arg(directive, name);
    return v != NULL && v->kind == BFF_AST_STRING_VALUE ? v->text : NULL;
}

/* "$name" placeholders replaced by the arguments (strings as they are, anything else as JSON; absent: "undefined"). */
static const char *fill(bff_resolve_t *r, const char *tmpl)
{
    bff_buf_t b = BFF_BUF_INIT;
    for (const char *p = tmpl; *p != '\0';) {
        if (*p == '$' && (p[1] == '_' || (p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z'))) {
            const char *q = p + 1;
            while (*q == '_' || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9'))
                ++q;
            char *name = bff_arena_strndup(bff_resolve_arena(r), p + 1, (size_t)(q - p - 1));
            json_t *v = bff_resolve_arg(r, name);
            if (v == NULL) {
                bff_buf_appends(&b, "undefined");
            } else if (json_is_string(v)) {
                bff_buf_appends(&b, json_string_value(v));
            } else {
                char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
                bff_buf_appends(&b, text);
                free(text);
            }
            p = q;
        } else {
            bff_buf_appendc(&b, *p++);
        }
    }
    const char *out = bff_arena_strndup(bff_resolve_arena(r), b.data ? b.data : "", b.len);
    bff_buf_free(&b);
    return out;
}

static bff_value_t string_value(bff_resolve_t *r, const char *s)
{
    return bff_value_string(s, strlen(s));
}

static void resolve(bff_resolve_t *r, void *ctx)
{
    const cats_t *c = ctx;
    const bff_field_t *f = bff_resolve_field(r);
    const bff_ast_list_t *dirs = &f->directives;
    const bff_ast_node_t *d;
    if ((d = bff_ast_find_directive(dirs, "resolveString")) != NULL ||
        (d = bff_ast_find_directive(dirs, "resolvePromiseString")) != NULL) {
        const char *v = string_arg(d, "value");
        bff_resolve_ok(r, v != NULL ? string_value(r, fill(r, v)) : bff_value_null());
        return;
    }
    if (bff_ast_find_directive(dirs, "argumentsJson") != NULL) {
        json_t *args = bff_resolve_args(r), *ordered = json_object();
        for (uint32_t i = 0; i < f->nargs; ++i) {
            json_t *v = json_object_get(args, f->args[i].name);
            if (v != NULL)
                json_object_set(ordered, f->args[i].name, v);
        }
        char *text = json_dumps(ordered, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(ordered);
        const char *s = bff_arena_strdup(bff_resolve_arena(r), text);
        free(text);
        bff_resolve_ok(r, string_value(r, s));
        return;
    }
    if (bff_ast_find_directive(dirs, "resolveEmptyObject") != NULL) {
        bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), json_object()));
        return;
    }
    if ((d = bff_ast_find_directive(dirs, "resolveTestData")) != NULL ||
        (d = bff_ast_find_directive(dirs, "resolvePromiseTestData")) != NULL) {
        const char *name = string_arg(d, "name");
        bff_resolve_ok(r, give(r, c, name != NULL ? json_object_get(c->data, name) : NULL));
        return;
    }
    if ((d = bff_ast_find_directive(dirs, "resolveError")) != NULL ||
        (d = bff_ast_find_directive(dirs, "resolvePromiseReject")) != NULL) {
        const char *m = string_arg(d, "message");
        bff_resolve_error(r, NULL, "%s", m != NULL ? m : "");
        return;
    }
    if ((d = bff_ast_find_directive(dirs, "resolveErrorList")) != NULL ||
        (d = bff_ast_find_directive(dirs, "resolvePromiseRejectList")) != NULL) {
        const bff_ast_node_t *messages = bff_ast_directive_arg(d, "messages");
        const bff_ast_node_t *values = bff_ast_directive_arg(d, "values");
        for (uint32_t i = 0; messages != NULL && i < messages->values.len; ++i)
            if (messages->values.items[i]->kind == BFF_AST_STRING_VALUE)
                bff_resolve_add_error(r, NULL, messages->values.items[i]->text);
        json_t *list = json_array();
        for (uint32_t i = 0; values != NULL && i < values->values.len; ++i)
            if (values->values.items[i]->kind == BFF_AST_STRING_VALUE)
                json_array_append_new(list, json_string(values->values.items[i]->text));
        bff_resolve_ok(r, bff_value_json(bff_resolve_arena(r), list));
        return;
    }
    /* no directive, or @resolvePromise: the parent's property */
    const bff_value_t *parent = bff_resolve_parent(r);
    json_t *obj = parent->kind == BFF_VAL_JSON ? deref(c, parent->u.json) : NULL;
    bff_resolve_ok(r, give(r, c, json_is_object(obj) ? json_object_get(obj, f->name) : NULL));
}

static const bff_type_t *resolve_type(const bff_schema_t *schema, const bff_type_t *abstract, const bff_value_t *value,
                                      void *ctx)
{
    const cats_t *c = ctx;
    json_t *v = value->kind == BFF_VAL_JSON ? deref(c, value->u.json) : NULL;
    json_t *name = json_object_get(v, "type");
    if (!json_is_string(name))
        name = json_object_get(v, "__typename");
    for (uint32_t i = 0; json_is_string(name) && i < schema->ntypes; ++i)
        if (strcmp(schema->types[i]->name, json_string_value(name)) == 0)
            return schema->types[i];
    return NULL;
}

int bff_cats_execute(bff_schema_t *schema, int argc, const char **argv)
{
    const char *data_text = "{}", *test_value = NULL, *operation = NULL, *vars_text = NULL, *doc_path = NULL;
    bool validate = true, defer = false;
    for (int i = 0; i < argc; ++i) {
        if (strcmp(argv[i], "--test-data") == 0 && i + 1 < argc)
            data_text = argv[++i];
        else if (strcmp(argv[i], "--test-value") == 0 && i + 1 < argc)
            test_value = argv[++i];
        else if (strcmp(argv[i], "--operation") == 0 && i + 1 < argc)
            operation = argv[++i];
        else if (strcmp(argv[i], "--variables") == 0 && i + 1 < argc)
            vars_text = argv[++i];
        else if (strcmp(argv[i], "--no-validate") == 0)
            validate = false;
        else if (strcmp(argv[i], "--defer") == 0)
            defer = true;
        else
            doc_path = argv[i];
    }
    json_error_t jerr;
    cats_t c = {.data = json_loads(data_text, 0, &jerr)};
    json_t *vars = vars_text != NULL ? json_loads(vars_text, 0, &jerr) : NULL;
    size_t len = 0;
    char *text = doc_path != NULL ? bff_tool_read_file(doc_path, &len) : NULL;
    if (!json_is_object(c.data) || (vars_text != NULL && !json_is_object(vars)) || text == NULL) {
        fprintf(stderr, "bff-schema cats-execute: --test-data and --variables take JSON objects; give one document\n");
        json_decref(c.data);
        json_decref(vars);
        free(text);
        return 2;
    }
    for (uint32_t i = 0; i < schema->ntypes; ++i) {
        bff_type_t *t = schema->types[i];
        if (t->builtin)
            continue;
        if (t->kind == BFF_TYPE_OBJECT)
            for (uint32_t k = 0; k < t->nfields; ++k)
                bff_schema_bind_resolver(schema, t->name, t->fields[k].name, resolve, &c);
        else if (t->kind == BFF_TYPE_INTERFACE || t->kind == BFF_TYPE_UNION)
            bff_schema_bind_resolve_type(schema, t->name, resolve_type, &c);
    }
    bff_arena_t *arena = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    bff_buf_t out = BFF_BUF_INIT;
    bff_ast_node_t *doc = bff_gql_parse(arena, text, len, NULL, &errs);
    int rc = 0;
    if (doc == NULL || (validate && bff_gql_validate(schema, doc, NULL, arena, &errs) > 0)) {
        bff_buf_appends(&out, "{\"errors\":");
        bff_gql_errors_write_json(&out, &errs);
        bff_buf_appendc(&out, '}');
    } else {
        json_t *root = test_value != NULL ? deref(&c, json_object_get(c.data, test_value)) : NULL;
        bff_exec_request_t req = {
            .schema = schema,
            .document = doc,
            .operation_name = operation,
            .variables = vars,
            .root_value = root != NULL ? bff_value_json(arena, json_incref(root)) : bff_value_null(),
            .arena = arena,
            .defer = defer,
        };
        if (!defer) {
            rc = bff_tool_execute(&req, &out, "cats-execute");
        } else { /* {"initial": the first payload, "incremental": every deferred fragment's item, breadth first} */
            bff_buf_appends(&out, "{\"initial\":");
            bff_exec_t *x = NULL;
            rc = bff_tool_execute_x(&req, &out, "cats-execute", &x);
            bff_buf_appends(&out, ",\"incremental\":[");
            size_t n = 0, cap = 8, head = 0;
            bff_exec_t **queue = malloc(cap * sizeof(*queue));
            if (rc == 0)
                queue[n++] = x;
            bool first = true;
            while (rc == 0 && head < n) {
                bff_exec_t *parent = queue[head++];
                for (const bff_exec_deferred_t *d = bff_exec_deferred_first(parent); d != NULL; d = bff_exec_deferred_next(d)) {
                    bff_exec_t *child = NULL;
                    bff_buf_t item = BFF_BUF_INIT;
                    if (bff_tool_execute_deferred(&req, parent, d, &item, &child) != 0) {
                        bff_buf_free(&item);
                        rc = 1;
                        break;
                    }
                    if (!first)
                        bff_buf_appendc(&out, ',');
                    first = false;
                    bff_buf_append(&out, item.data, item.len);
                    bff_buf_free(&item);
                    if (n == cap)
                        queue = realloc(queue, (cap *= 2) * sizeof(*queue));
                    queue[n++] = child;
                }
            }
            free(queue);
            bff_buf_appends(&out, "]}");
        }
    }
    bff_buf_appendc(&out, '\n');
    fwrite(out.data, 1, out.len, stdout);
    bff_buf_free(&out);
    bff_arena_free(arena);
    json_decref(vars);
    json_decref(c.data);
    free(text);
    return rc;
}
