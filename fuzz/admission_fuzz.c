/*
 * admission_fuzz.c - fuzz target for the whole admission path against the
 * commerce schema: parse, validate, select the operation, coerce variables,
 * analyse (graphql/analysis.h), and decide scopes as the server does.
 *
 * Input: a document, optionally followed by a NUL byte and the variables as
 * JSON. Invariants, on every input: no crash, hang or leak; the analysis is
 * OK or refused with a status; when OK, its work is linear in the document
 * (steps <= 5 x the selections and values written + a constant), and for a
 * document with one operation its fields are exactly the (type, field)
 * pairs written anywhere in the document (every fragment of a valid
 * document is used), so no field can escape the scope check.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/analysis.h"
#include "graphql/exec.h"
#include "graphql/parser.h"
#include "graphql/schema.h"
#include "graphql/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bff_schema_t *schema;

static void free_schema(void)
{
    bff_schema_free(schema);
}

static void load_schema(void)
{
    const char *path = BFF_SOURCE_DIR "/schema/commerce.graphql";
    bff_arena_t *err_arena = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    schema = bff_schema_build_files(&path, 1, NULL, err_arena, &errs);
    if (schema == NULL)
        abort();
    bff_arena_free(err_arena);
    atexit(free_schema);
}

typedef struct st_count_t {
    uint64_t nodes;
    const bff_analysis_t *a;
    bool missing;
} count_t;

static uint64_t values(const bff_ast_node_t *v)
{
    if (v == NULL)
        return 0;
    uint64_t n = 1;
    for (uint32_t i = 0; i < v->values.len; ++i)
        n += values(v->values.items[i]);
    for (uint32_t i = 0; i < v->fields.len; ++i)
        n += values(v->fields.items[i]->value);
    return n;
}

static bool listed(const bff_analysis_t *a, const bff_type_t *type, const bff_field_t *def)
{
    for (size_t i = 0; i < a->nfields; ++i)
        if (a->fields[i].type == type && a->fields[i].def == def)
            return true;
    return false;
}

/* Every selection written in a definition, with the type it is on: counted, and each field looked up in the result. */
static void walk(count_t *c, const bff_type_t *type, const bff_ast_node_t *set)
{
    for (uint32_t i = 0; set != NULL && i < set->selections.len; ++i) {
        const bff_ast_node_t *s = set->selections.items[i];
        c->nodes++;
        if (s->kind == BFF_AST_FIELD) {
            for (uint32_t k = 0; k < s->arguments.len; ++k)
                c->nodes += values(s->arguments.items[k]->value);
            bool meta = s->name[0] == '_' && s->name[1] == '_';
            const bff_field_t *def = type && !meta ? bff_schema_field(schema, type, s->name) : NULL;
            if (def != NULL && !listed(c->a, type, def))
                c->missing = true;
            walk(c, def ? bff_typeref_named(def->type) : NULL, s->selection_set);
        } else if (s->kind == BFF_AST_INLINE_FRAGMENT) {
            walk(c, s->type_condition ? bff_schema_type(schema, s->type_condition->name) : type, s->selection_set);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (schema == NULL)
        load_schema();
    const uint8_t *nul = memchr(data, 0, size);
    size_t doclen = nul ? (size_t)(nul - data) : size;
    bff_arena_t *arena = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    bff_parse_options_t popts = {20000, 64};
    json_t *vars = NULL;
    bff_ast_node_t *doc = bff_gql_parse(arena, (const char *)data, doclen, &popts, &errs);
    if (doc == NULL || bff_gql_validate(schema, doc, NULL, arena, &errs) != 0 || errs.count != 0)
        goto out;
    const char *err = NULL;
    const bff_ast_node_t *op = bff_gql_select_operation_msg(doc, NULL, arena, &err);
    if (op == NULL)
        goto out;
    if (nul != NULL) {
        json_t *in = json_loadb((const char *)nul + 1, size - doclen - 1, JSON_DECODE_ANY, NULL);
        bff_gql_errors_t verrs = BFF_GQL_ERRORS_INIT;
        if (bff_gql_coerce_variables(schema, op, in, arena, &verrs, &vars) != 0)
            vars = NULL;
        json_decref(in);
    }
    bff_analysis_t a;
    bff_analysis_status_t st = bff_analyse_operation(schema, doc, op, vars, NULL, arena, &a);
    if (st != a.status || (st != BFF_ANALYSIS_OK && a.cost != BFF_COST_MAX))
        abort();
    if (st == BFF_ANALYSIS_OK) {
        uint32_t ops = 0;
        count_t c = {0, &a, false};
        for (uint32_t i = 0; i < doc->definitions.len; ++i) {
            const bff_ast_node_t *d = doc->definitions.items[i];
            if (d->kind == BFF_AST_OPERATION_DEFINITION) {
                ops++;
                walk(&c, bff_schema_root_type(schema, d->operation), d->selection_set);
            } else if (d->kind == BFF_AST_FRAGMENT_DEFINITION) {
                walk(&c, bff_schema_type(schema, d->type_condition->name), d->selection_set);
            }
        }
        if (a.steps > 5 * c.nodes + 16)
            abort(); /* more work than the document has: a walk that follows spreads again */
        if (ops == 1 && c.missing)
            abort(); /* a field written in the document that the scope check would not see */
        if (a.cost < 0 || a.cost > BFF_COST_MAX)
            abort();
    }
out:
    json_decref(vars);
    bff_arena_free(arena);
    return 0;
}
