/*
 * admission.c - the admission of an operation (see admission.h).
 */
#include "admission.h"

#include <string.h>

#include "clients.h"
#include "graphql/exec.h"

bool bff_caller_may(const bff_caller_t *caller, const bff_type_t *type, const bff_field_t *def, const char **message)
{
    const char *missing = NULL;
    if (def == NULL) { /* the type as a whole */
        if (bff_scopes_satisfy(&type->directives, caller->scopes, caller->nscopes, &missing))
            return true;
        *message = bff_arena_printf(caller->arena, "Type \"%s\" needs the scope \"%.*s\", which this caller does not have.",
                                    type->name, (int)strcspn(missing, "\""), missing);
        return false;
    }
    const bff_type_t *named = bff_typeref_named(def->type);
    if (bff_scopes_satisfy(&type->directives, caller->scopes, caller->nscopes, &missing) &&
        bff_scopes_satisfy(&def->directives, caller->scopes, caller->nscopes, &missing) &&
        bff_scopes_satisfy(&named->directives, caller->scopes, caller->nscopes, &missing))
        return true;
    *message = bff_arena_printf(caller->arena, "Field \"%s.%s\" needs the scope \"%.*s\", which this caller does not have.",
                                type->name, def->name, (int)strcspn(missing, "\""), missing);
    return false;
}

static bool refuse(bff_admission_t *out, bff_arena_t *arena, const char *code, const char *message)
{
    bff_gql_errors_add(&out->errors, arena, NULL, message)->code = code;
    return false;
}

static void json_dispose(void *j)
{
    json_decref(j);
}

bool bff_admit(const bff_schema_t *schema, const bff_config_t *cfg, bff_gql_doc_t *doc, const bff_ast_node_t *op,
               json_t *variables, const bff_caller_t *caller, bff_admission_t *out)
{
    bff_arena_t *arena = caller->arena;
    *out = (bff_admission_t){.errors = BFF_GQL_ERRORS_INIT};
    bff_analysis_options_t aopts = {.max_steps = (uint64_t)cfg->max_analysis_steps};
    const bff_analysis_t *an = bff_gql_doc_analyse(doc, schema, op, &aopts);
    out->analysis = an;
    if (an->status != BFF_ANALYSIS_OK)
        return refuse(out, arena, "OPERATION_TOO_COMPLEX",
                      bff_arena_printf(arena, "The operation cannot be admitted: %s (%llu steps).",
                                       bff_analysis_status_text(an->status), (unsigned long long)an->steps));
    for (size_t i = 0; i < an->nfields && out->errors.count < 20; ++i) {
        const char *message;
        if (!bff_caller_may(caller, an->fields[i].type, an->fields[i].def, &message))
            bff_gql_errors_add(&out->errors, arena, NULL, message)->code = "FORBIDDEN";
    }
    if (out->errors.count > 0)
        return false;
    bff_op_shape_t shape = an->shape;
    const char *code = NULL, *what = NULL;
    long long got = 0, limit = 0;
    if (shape.depth > cfg->max_operation_depth)
        code = "MAX_DEPTH_EXCEEDED", what = "fields deep", got = shape.depth, limit = cfg->max_operation_depth;
    else if (shape.aliases > cfg->max_aliases)
        code = "MAX_ALIASES_EXCEEDED", what = "aliases", got = shape.aliases, limit = cfg->max_aliases;
    else if (shape.root_fields > cfg->max_root_fields)
        code = "MAX_ROOT_FIELDS_EXCEEDED", what = "root fields", got = shape.root_fields, limit = cfg->max_root_fields;
    if (code != NULL)
        return refuse(out, arena, code,
                      bff_arena_printf(arena, "The operation has %lld %s; at most %lld are allowed.", got, what, limit));
    /* the cost: the cached one for an operation without variables, else from its coerced variables */
    int64_t cost = an->cost;
    if (op->variable_definitions.len > 0) {
        bff_gql_errors_t verrs = BFF_GQL_ERRORS_INIT;
        if (bff_gql_coerce_variables(schema, op, json_is_object(variables) ? variables : NULL, arena, &verrs,
                                     &out->coerced) == 0) {
            bff_arena_on_dispose(arena, json_dispose, out->coerced);
            bff_analysis_options_t copts = aopts;
            copts.cost_only = true;
            bff_analysis_t ca;
            if (bff_analyse_operation(schema, doc->root, op, out->coerced, &copts, arena, &ca) != BFF_ANALYSIS_OK)
                return refuse(out, arena, "OPERATION_TOO_COMPLEX",
                              bff_arena_printf(arena, "The operation cannot be admitted: %s.",
                                               bff_analysis_status_text(ca.status)));
            cost = ca.cost;
        } else {
            out->coerced = NULL; /* the executor reports the variables' errors; nothing runs */
            cost = 0;
        }
    }
    int64_t max = cfg->max_query_cost;
    if (cost > max) {
        bff_gql_error_t *e = bff_gql_errors_add(
            &out->errors, arena, NULL,
            bff_arena_printf(arena, "The query costs %lld points, more than the maximum of %lld.", (long long)cost,
                             (long long)max));
        e->code = "MAX_COST_EXCEEDED";
        e->extensions_json = bff_arena_printf(arena, "{\"cost\":{\"requestedQueryCost\":%lld,\"maximumAvailable\":%lld}}",
                                              (long long)cost, (long long)max);
        return false;
    }
    out->cost = cost;
    return true;
}
