/*
 * bff_schema.c - the engine's command-line entry, for tests and schema owners.
 *
 *   bff-schema parse [--max-tokens N]        JSON array of documents on stdin ->
 *                                            one JSON line each: {"ok":true,"printed":...}
 *                                            or {"ok":false,"message":...,"line":L,"column":C}
 *   bff-schema validate --schema F.graphql [--schema G.graphql] [--rules A,B | --skip-rules A,B] DOC.graphql...
 *                                            one JSON line per document:
 *                                            {"doc","accepted","stage","errors":[{"message","locations","rule"}]}
 *   bff-schema print --schema F.graphql      the schema as graphql-js printSchema prints it
 *   bff-schema execute --schema F.graphql [--variables JSON] [--cost] DOC.graphql
 *                                            executes the document (resolvers: introspection only;
 *                                            other fields read a null root) and prints the response
 *
 * Exit status: 0 when it ran (whatever the documents' verdicts), 1 when the
 * schema did not build, 2 on usage or I/O errors.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/cost.h"
#include "graphql/exec.h"
#include "graphql/parser.h"
#include "graphql/schema.h"
#include "graphql/validate.h"
#include "cats.h"
#include "governance.h"

static int usage(void)
{
    fprintf(stderr, "usage: bff-schema parse [--max-tokens N] < docs.json\n"
                    "       bff-schema validate --schema FILE.graphql... [--rules A,B | --skip-rules A,B] DOC.graphql...\n"
                    "       bff-schema print --schema FILE.graphql...\n"
                    "       bff-schema execute --schema FILE.graphql... [--variables JSON] [--cost] DOC.graphql\n"
                    "       bff-schema cats-execute --schema FILE.graphql... [--assume-valid-sdl] [--test-data JSON] "
                    "[--test-value NAME] [--operation NAME] [--variables JSON] [--no-validate] DOC.graphql\n"
                    "       bff-schema lint SCHEMA.graphql\n"
                    "       bff-schema diff OLD.graphql NEW.graphql\n"
                    "       bff-schema check --baseline BASE.graphql [--usage EXPORT.json [--fleet]] [--days N] [--today DATE] "
                    "SCHEMA.graphql\n");
    return 2;
}

char *bff_tool_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    bff_buf_t b = BFF_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        bff_buf_append(&b, chunk, n);
    fclose(f);
    bff_buf_appendc(&b, '\0');
    *len = b.len - 1;
    return b.data;
}

static void write_locations(bff_buf_t *out, const bff_gql_error_t *e)
{
    bff_buf_appends(out, "[");
    for (uint32_t i = 0; i < e->nlocations; ++i)
        bff_buf_printf(out, "%s{\"line\":%u,\"column\":%u}", i ? "," : "", e->locations[i].line,
                       e->locations[i].column);
    bff_buf_appends(out, "]");
}

static int cmd_parse(int argc, char **argv)
{
    bff_parse_options_t opts = {0, 0};
    for (int i = 0; i < argc; ++i) {
        if (strcmp(argv[i], "--max-tokens") == 0 && i + 1 < argc)
            opts.max_tokens = strtoul(argv[++i], NULL, 10);
        else
            return usage();
    }
    json_error_t jerr;
    json_t *docs = json_loadf(stdin, JSON_ALLOW_NUL, &jerr);
    if (!json_is_array(docs)) {
        fprintf(stderr, "bff-schema parse: stdin is not a JSON array of strings: %s\n", jerr.text);
        json_decref(docs);
        return 2;
    }
    bff_buf_t out = BFF_BUF_INIT;
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        bff_arena_t *arena = bff_arena_new(0);
        bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
        bff_buf_reset(&out);
        bff_ast_node_t *doc = bff_gql_parse(arena, json_string_value(d), json_string_length(d), &opts, &errs);
        if (doc != NULL) {
            size_t printed_len;
            const char *printed = bff_gql_print(arena, doc, &printed_len);
            bff_buf_appends(&out, "{\"ok\":true,\"printed\":");
            bff_buf_append_json_string(&out, printed, printed_len);
            bff_buf_appends(&out, "}\n");
        } else {
            bff_buf_appends(&out, "{\"ok\":false,\"message\":");
            bff_buf_append_json_string(&out, errs.head->message, strlen(errs.head->message));
            bff_buf_appends(&out, ",\"locations\":");
            write_locations(&out, errs.head);
            bff_buf_appends(&out, "}\n");
        }
        fwrite(out.data, 1, out.len, stdout);
        bff_arena_free(arena);
    }
    bff_buf_free(&out);
    json_decref(docs);
    return 0;
}

/* Collects --schema FILE options; the remaining arguments stay in rest. */
static bff_schema_t *load_schema(int argc, char **argv, const char ***rest, int *nrest)
{
    const char **schemas = calloc((size_t)argc + 1, sizeof(char *));
    *rest = calloc((size_t)argc + 1, sizeof(char *));
    int ns = 0;
    *nrest = 0;
    bff_schema_options_t opts = {false};
    for (int i = 0; i < argc; ++i) {
        if (strcmp(argv[i], "--schema") == 0 && i + 1 < argc)
            schemas[ns++] = argv[++i];
        else if (strcmp(argv[i], "--assume-valid-sdl") == 0)
            opts.assume_valid = true; /* like graphql-js assumeValidSDL: undefined directives allowed */
        else
            (*rest)[(*nrest)++] = argv[i];
    }
    if (ns == 0) {
        free(schemas);
        usage();
        return NULL;
    }
    bff_arena_t *err_arena = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    bff_schema_t *schema = bff_schema_build_files(schemas, (size_t)ns, &opts, err_arena, &errs);
    if (schema == NULL) {
        for (bff_gql_error_t *e = errs.head; e != NULL; e = e->next)
            fprintf(stderr, "schema: %s\n", e->message);
    }
    bff_arena_free(err_arena);
    free(schemas);
    return schema;
}

/* A set of graphql-js rule names ("ScalarLeafs" or "ScalarLeafsRule", comma-separated) as a bit set; -1 on an unknown name. */
static int64_t rule_set(const char *list)
{
    int64_t set = 0;
    char *copy = strdup(list);
    for (char *save = NULL, *name = strtok_r(copy, ",", &save); name != NULL; name = strtok_r(NULL, ",", &save)) {
        int found = -1;
        for (int r = 0; r < BFF_RULE_COUNT && found < 0; ++r) {
            const char *full = bff_validation_rule_name((bff_validation_rule_t)r);
            size_t n = strlen(name);
            if (strcmp(full, name) == 0 || (strncmp(full, name, n) == 0 && strcmp(full + n, "Rule") == 0))
                found = r;
        }
        if (found < 0) {
            fprintf(stderr, "bff-schema: unknown validation rule %s\n", name);
            free(copy);
            return -1;
        }
        set |= (int64_t)1 << found;
    }
    free(copy);
    return set;
}

static int cmd_validate(int argc, char **argv)
{
    const char **docs;
    int ndocs;
    bff_validate_options_t vopts = {0, 0};
    char **args = calloc((size_t)argc + 1, sizeof(char *));
    int nargs = 0;
    for (int i = 0; i < argc; ++i) {
        bool only = strcmp(argv[i], "--rules") == 0, skip = strcmp(argv[i], "--skip-rules") == 0;
        if ((only || skip) && i + 1 < argc) {
            int64_t set = rule_set(argv[++i]);
            if (set < 0) {
                free(args);
                return 2;
            }
            vopts.skip_rules = only ? ~(uint64_t)set : (uint64_t)set;
        } else {
            args[nargs++] = argv[i];
        }
    }
    bff_schema_t *schema = load_schema(nargs, args, &docs, &ndocs);
    free(args);
    if (schema == NULL) {
        free(docs);
        return 1;
    }
    bff_buf_t out = BFF_BUF_INIT;
    int rc = 0;
    for (int i = 0; i < ndocs; ++i) {
        size_t len;
        char *text = bff_tool_read_file(docs[i], &len);
        if (text == NULL) {
            fprintf(stderr, "bff-schema: cannot read %s\n", docs[i]);
            rc = 2;
            continue;
        }
        bff_arena_t *arena = bff_arena_new(0);
        bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
        const char *stage = NULL;
        bff_ast_node_t *doc = bff_gql_parse(arena, text, len, NULL, &errs);
        if (doc == NULL)
            stage = "parse";
        else if (bff_gql_validate(schema, doc, &vopts, arena, &errs) > 0)
            stage = "validate";
        bff_buf_reset(&out);
        bff_buf_appends(&out, "{\"doc\":");
        bff_buf_append_json_string(&out, docs[i], strlen(docs[i]));
        bff_buf_printf(&out, ",\"accepted\":%s,\"stage\":", stage ? "false" : "true");
        if (stage)
            bff_buf_printf(&out, "\"%s\"", stage);
        else
            bff_buf_appends(&out, "null");
        bff_buf_appends(&out, ",\"errors\":[");
        for (bff_gql_error_t *e = errs.head; e != NULL; e = e->next) {
            bff_buf_appends(&out, e == errs.head ? "{\"message\":" : ",{\"message\":");
            bff_buf_append_json_string(&out, e->message, strlen(e->message));
            bff_buf_appends(&out, ",\"locations\":");
            write_locations(&out, e);
            bff_buf_appends(&out, ",\"rule\":");
            if (e->rule)
                bff_buf_append_json_string(&out, e->rule, strlen(e->rule));
            else
                bff_buf_appends(&out, "null");
            bff_buf_appends(&out, "}");
        }
        bff_buf_appends(&out, "]}\n");
        fwrite(out.data, 1, out.len, stdout);
        bff_arena_free(arena);
        free(text);
    }
    bff_buf_free(&out);
    free(docs);
    bff_schema_free(schema);
    return rc;
}

static int cmd_print(int argc, char **argv)
{
    const char **rest;
    int nrest;
    bff_schema_t *schema = load_schema(argc, argv, &rest, &nrest);
    free(rest);
    if (schema == NULL)
        return 1;
    bff_buf_t out = BFF_BUF_INIT;
    bff_schema_print(&out, schema);
    bff_buf_appendc(&out, '\n');
    fwrite(out.data, 1, out.len, stdout);
    bff_buf_free(&out);
    bff_schema_free(schema);
    return 0;
}

static void on_done(bff_exec_t *x, void *arg)
{
    *(bool *)arg = true;
}

static int cmd_execute(int argc, char **argv)
{
    const char **rest;
    int nrest;
    const char *vars_text = NULL;
    char **args = calloc((size_t)argc + 1, sizeof(char *));
    int nargs = 0;
    bool cost_only = false;
    for (int i = 0; i < argc; ++i) {
        if (strcmp(argv[i], "--variables") == 0 && i + 1 < argc)
            vars_text = argv[++i];
        else if (strcmp(argv[i], "--cost") == 0)
            cost_only = true;
        else
            args[nargs++] = argv[i];
    }
    bff_schema_t *schema = load_schema(nargs, args, &rest, &nrest);
    free(args);
    if (schema == NULL) {
        free(rest);
        return 1;
    }
    int rc = 0;
    size_t len;
    char *text = nrest == 1 ? bff_tool_read_file(rest[0], &len) : NULL;
    if (text == NULL) {
        fprintf(stderr, "bff-schema execute: give one readable document\n");
        free(rest);
        bff_schema_free(schema);
        return 2;
    }
    json_t *vars = NULL;
    if (vars_text != NULL) {
        json_error_t jerr;
        vars = json_loads(vars_text, 0, &jerr);
        if (!json_is_object(vars)) {
            fprintf(stderr, "bff-schema execute: --variables is not a JSON object\n");
            rc = 2;
            goto done;
        }
    }
    bff_arena_t *arena = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    bff_buf_t out = BFF_BUF_INIT;
    bff_ast_node_t *doc = bff_gql_parse(arena, text, len, NULL, &errs);
    if (doc == NULL || bff_gql_validate(schema, doc, NULL, arena, &errs) > 0) {
        bff_buf_appends(&out, "{\"errors\":");
        bff_gql_errors_write_json(&out, &errs);
        bff_buf_appends(&out, "}\n");
    } else if (cost_only) {
        const char *why = NULL;
        const bff_ast_node_t *op = bff_gql_select_operation_msg(doc, NULL, arena, &why);
        if (op == NULL)
            bff_buf_printf(&out, "{\"error\":\"%s\"}\n", why);
        else
            bff_buf_printf(&out, "{\"cost\":%lld}\n", (long long)bff_cost_estimate(schema, doc, op, vars, NULL));
    } else {
        bff_exec_request_t req = {.schema = schema, .document = doc, .variables = vars, .arena = arena};
        rc = bff_tool_execute(&req, &out, "execute");
        bff_buf_appendc(&out, '\n');
    }
    fwrite(out.data, 1, out.len, stdout);
    bff_buf_free(&out);
    bff_arena_free(arena);
done:
    json_decref(vars);
    free(text);
    free(rest);
    bff_schema_free(schema);
    return rc;
}

int bff_tool_execute_x(bff_exec_request_t *req, bff_buf_t *out, const char *command, bff_exec_t **xp)
{
    bool done = false;
    req->on_done = on_done;
    req->cb_arg = &done;
    bff_exec_t *x = bff_exec_start(req);
    if (!done) {
        fprintf(stderr, "bff-schema %s: a resolver did not complete synchronously\n", command);
        return 1;
    }
    bff_exec_write_response(x, out, NULL);
    if (xp != NULL)
        *xp = x;
    return 0;
}

int bff_tool_execute(bff_exec_request_t *req, bff_buf_t *out, const char *command)
{
    return bff_tool_execute_x(req, out, command, NULL);
}

int bff_tool_execute_deferred(const bff_exec_request_t *req, const bff_exec_t *parent, const bff_exec_deferred_t *d,
                              bff_buf_t *out, bff_exec_t **xp)
{
    bool done = false;
    bff_exec_request_t r = *req;
    r.on_done = on_done;
    r.cb_arg = &done;
    bff_exec_t *x = bff_exec_start_deferred(&r, parent, d);
    if (!done) {
        fprintf(stderr, "bff-schema: a deferred fragment's resolver did not complete synchronously\n");
        return 1;
    }
    bff_exec_write_incremental(x, out);
    *xp = x;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    if (strcmp(argv[1], "parse") == 0)
        return cmd_parse(argc - 2, argv + 2);
    if (strcmp(argv[1], "validate") == 0)
        return cmd_validate(argc - 2, argv + 2);
    if (strcmp(argv[1], "print") == 0)
        return cmd_print(argc - 2, argv + 2);
    if (strcmp(argv[1], "execute") == 0)
        return cmd_execute(argc - 2, argv + 2);
    if (strcmp(argv[1], "cats-execute") == 0) {
        const char **rest;
        int nrest;
        bff_schema_t *schema = load_schema(argc - 2, argv + 2, &rest, &nrest);
        int rc = schema != NULL ? bff_cats_execute(schema, nrest, rest) : 1;
        free(rest);
        bff_schema_free(schema);
        return rc;
    }
    if (strcmp(argv[1], "lint") == 0)
        return bff_cmd_lint(argc - 2, argv + 2);
    if (strcmp(argv[1], "diff") == 0)
        return bff_cmd_diff(argc - 2, argv + 2);
    if (strcmp(argv[1], "check") == 0)
        return bff_cmd_check(argc - 2, argv + 2);
    return usage();
}
