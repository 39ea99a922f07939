/*
 * validate.c - validation of executable documents (spec section 5), with
 * graphql-js 16's rules, messages and locations.
 *
 * The walk visits definitions in source order and, inside each, nodes in
 * source order, tracking the parent type and field definition the way
 * graphql-js's TypeInfo does; at each node it runs the rules that apply there
 * in graphql-js's rule order. Values go to validate_values.c, selection sets
 * to validate_overlap.c as well. Variable usages are recorded per operation
 * and per fragment during the walk; once the walk is done the per-operation
 * variable rules combine an operation's usages with those of every fragment
 * it reaches.
 *
 * Errors are allocated in the caller's arena; so is most of the walk's
 * scratch state. Past max_errors graphql-js's "Too many validation errors"
 * error is added and the walk winds down: it stops at the next definition or
 * selection, and anything reported meanwhile is dropped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "validate_internal.h"

static const char *const rule_names[] = {
#define BFF_RULE_NAME(id, js) js,
    BFF_VALIDATION_RULES(BFF_RULE_NAME)
#undef BFF_RULE_NAME
};

const char *bff_validation_rule_name(bff_validation_rule_t rule)
{
    return rule < BFF_RULE_COUNT ? rule_names[rule] : "UnknownRule";
}

/* ---- reporting and helpers ---- */

bff_gql_error_t *bff_vreport(bff_vctx_t *v, bff_validation_rule_t rule, const char *message)
{
    if (!v->aborted && v->nerrors >= v->max_errors) {
        bff_gql_errors_add(v->errs, v->arena, NULL,
                           "Too many validation errors, error limit reached. Validation aborted.");
        v->nerrors++;
        v->aborted = true;
    }
    if (v->aborted) /* the walk winds down; what it still reports goes nowhere */
        return bff_arena_calloc(v->arena, 1, sizeof(bff_gql_error_t));
    v->nerrors++;
    return bff_gql_errors_add(v->errs, v->arena, rule_names[rule], message);
}

bff_gql_error_t *bff_vreportf(bff_vctx_t *v, bff_validation_rule_t rule, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bff_buf_t b = BFF_BUF_INIT;
    char small[512];
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    const char *msg;
    if (n >= 0 && (size_t)n < sizeof(small)) {
        msg = bff_arena_strdup(v->arena, small);
    } else {
        bff_buf_reserve(&b, (size_t)n + 1);
        va_start(ap, fmt);
        vsnprintf(b.data, (size_t)n + 1, fmt, ap);
        va_end(ap);
        msg = bff_arena_strndup(v->arena, b.data, (size_t)n);
        bff_buf_free(&b);
    }
    return bff_vreport(v, rule, msg);
}

void bff_vloc(bff_vctx_t *v, bff_gql_error_t *e, bff_ast_loc_t loc)
{
    bff_gql_error_add_loc(e, v->arena, loc);
}

const char *bff_vprint(bff_vctx_t *v, const bff_ast_node_t *node)
{
    return bff_gql_print(v->arena, node, NULL);
}

const char *bff_vtype_str(bff_vctx_t *v, const bff_typeref_t *t)
{
    bff_buf_t b = BFF_BUF_INIT;
    bff_typeref_print(&b, t);
    char *s = bff_arena_strndup(v->arena, b.data, b.len);
    bff_buf_free(&b);
    return s;
}

const bff_ast_node_t *bff_vfragment(bff_vctx_t *v, const char *name)
{
    return bff_names_get(&v->fragments, name);
}

const bff_type_t *bff_vtype_from_ast(bff_vctx_t *v, const bff_ast_node_t *type_node)
{
    const bff_typeref_t *r = bff_schema_typeref_from_ast(v->schema, v->arena, type_node);
    return r ? bff_typeref_named(r) : NULL;
}

/* getFragmentSpreads: a stack of selection sets, each scanned in order, nested sets pushed. */
size_t bff_fragment_spreads(bff_vctx_t *v, const bff_ast_node_t *selection_set, const bff_ast_node_t ***out)
{
    size_t n = 0, cap = 8, sp = 0, scap = 8;
    const bff_ast_node_t **spreads = bff_arena_alloc(v->arena, cap * sizeof(*spreads));
    const bff_ast_node_t **stack = bff_xmalloc(scap * sizeof(*stack));
    stack[sp++] = selection_set;
    while (sp > 0) {
        const bff_ast_node_t *set = stack[--sp];
        for (uint32_t i = 0; i < set->selections.len; ++i) {
            const bff_ast_node_t *s = set->selections.items[i];
            if (s->kind == BFF_AST_FRAGMENT_SPREAD) {
                if (n == cap) {
                    const bff_ast_node_t **bigger = bff_arena_alloc(v->arena, cap * 2 * sizeof(*bigger));
                    memcpy(bigger, spreads, n * sizeof(*spreads));
                    spreads = bigger;
                    cap *= 2;
                }
                spreads[n++] = s;
            } else if (s->selection_set != NULL) {
                if (sp == scap)
                    stack = bff_xrealloc(stack, (scap *= 2) * sizeof(*stack));
                stack[sp++] = s->selection_set;
            }
        }
    }
    free(stack);
    *out = spreads;
    return n;
}

static bff_usages_t *usages_of(bff_vctx_t *v, const bff_ast_node_t *def)
{
    char key[32];
    snprintf(key, sizeof(key), "%p", (const void *)def);
    bff_usages_t *u = bff_names_get(&v->usages, key);
    if (u == NULL) {
        u = bff_arena_calloc(v->arena, 1, sizeof(*u));
        bff_names_put(&v->usages, v->arena, bff_arena_strdup(v->arena, key), u);
    }
    return u;
}

static void record_usage(bff_vctx_t *v, const bff_ast_node_t *var, const bff_typeref_t *type, bool has_default,
                         const bff_type_t *one_of)
{
    bff_usages_t *u = v->cur_usages;
    if (u == NULL)
        return;
    if (u->len == u->cap) {
        size_t cap = u->cap ? u->cap * 2 : 8;
        bff_var_usage_t *items = bff_arena_alloc(v->arena, cap * sizeof(*items));
        if (u->len)
            memcpy(items, u->items, u->len * sizeof(*items));
        u->items = items;
        u->cap = cap;
    }
    u->items[u->len++] = (bff_var_usage_t){var, type, has_default, one_of};
}

/* ---- values: variable usages, then ValuesOfCorrectType (validate_values.c) ---- */

static void collect_usages(bff_vctx_t *v, const bff_ast_node_t *value, const bff_typeref_t *type, bool has_default,
                           const bff_type_t *one_of)
{
    if (value == NULL)
        return;
    switch (value->kind) {
    case BFF_AST_VARIABLE:
        record_usage(v, value, type, has_default, one_of);
        break;
    case BFF_AST_LIST_VALUE: {
        const bff_typeref_t *item = NULL;
        if (type != NULL) {
            const bff_typeref_t *nullable = type->kind == BFF_TYPEREF_NON_NULL ? type->of : type;
            item = nullable->kind == BFF_TYPEREF_LIST ? nullable->of : nullable;
        }
        for (uint32_t i = 0; i < value->values.len; ++i)
            collect_usages(v, value->values.items[i], item, false, NULL);
        break;
    }
    case BFF_AST_OBJECT_VALUE: {
        const bff_type_t *obj = type ? bff_typeref_named(type) : NULL;
        for (uint32_t i = 0; i < value->fields.len; ++i) {
            const bff_ast_node_t *f = value->fields.items[i];
            const bff_input_value_t *fd =
                obj && obj->kind == BFF_TYPE_INPUT_OBJECT ? bff_type_input_field(obj, f->name) : NULL;
            collect_usages(v, f->value, fd ? fd->type : NULL, fd && fd->default_value != NULL,
                           obj != NULL && obj->kind == BFF_TYPE_INPUT_OBJECT && obj->one_of ? obj : NULL);
        }
        break;
    }
    default:
        break;
    }
}

static void walk_value(bff_vctx_t *v, const bff_ast_node_t *value, const bff_typeref_t *type, bool has_default)
{
    collect_usages(v, value, type, has_default, NULL);
    bff_validate_value(v, value, type, has_default);
}

/* ---- arguments and directives ---- */

static void unique_argument_names(bff_vctx_t *v, const bff_ast_list_t *args)
{
    if (!bff_rule_on(v, BFF_RULE_UNIQUE_ARGUMENT_NAMES))
        return;
    for (uint32_t i = 0; i < args->len; ++i) {
        bool first = true;
        for (uint32_t j = 0; j < i && first; ++j)
            first = strcmp(args->items[j]->name, args->items[i]->name) != 0;
        uint32_t count = 0;
        for (uint32_t j = i; j < args->len; ++j)
            count += strcmp(args->items[j]->name, args->items[i]->name) == 0;
        if (!first || count < 2)
            continue;
        bff_gql_error_t *e = bff_vreportf(v, BFF_RULE_UNIQUE_ARGUMENT_NAMES,
                                          "There can be only one argument named \"%s\".", args->items[i]->name);
        for (uint32_t j = i; j < args->len; ++j)
            if (strcmp(args->items[j]->name, args->items[i]->name) == 0)
                bff_vloc(v, e, args->items[j]->name_loc);
    }
}

static const char *with_suggestions(bff_vctx_t *v, const char *message, const char *sub, const char *input,
                                    const char *const *options, size_t n)
{
    const char **sugg;
    size_t ns = bff_suggestion_list(v->arena, input, options, n, &sugg);
    bff_buf_t b = BFF_BUF_INIT;
    bff_buf_appends(&b, message);
    bff_did_you_mean(&b, sub, sugg, ns);
    char *s = bff_arena_strndup(v->arena, b.data, b.len);
    bff_buf_free(&b);
    return s;
}

/* Arguments of a field (def may be NULL) or a directive (ddef may be NULL). */
static void walk_arguments(bff_vctx_t *v, const bff_ast_list_t *args, const bff_input_value_t *defs, uint32_t ndefs,
                           bool known, const char *unknown_fmt_a, const char *unknown_fmt_b)
{
    for (uint32_t i = 0; i < args->len; ++i) {
        const bff_ast_node_t *a = args->items[i];
        const bff_input_value_t *ad = NULL;
        for (uint32_t k = 0; k < ndefs && ad == NULL; ++k)
            if (strcmp(defs[k].name, a->name) == 0)
                ad = &defs[k];
        if (known && ad == NULL && bff_rule_on(v, BFF_RULE_KNOWN_ARGUMENT_NAMES)) {
            const char **names = bff_arena_alloc(v->arena, (ndefs + 1) * sizeof(*names));
            for (uint32_t k = 0; k < ndefs; ++k)
                names[k] = defs[k].name;
            const char *msg = bff_arena_printf(v->arena, "Unknown argument \"%s\" on %s%s\".", a->name, unknown_fmt_a,
                                               unknown_fmt_b);
            bff_vloc(v, bff_vreport(v, BFF_RULE_KNOWN_ARGUMENT_NAMES, with_suggestions(v, msg, NULL, a->name, names, ndefs)),
                     a->loc);
        }
        walk_value(v, a->value, ad ? ad->type : NULL, ad && ad->default_value != NULL);
    }
}

static void provided_required(bff_vctx_t *v, const bff_ast_list_t *args, const bff_input_value_t *defs, uint32_t ndefs,
                              const char *what, const char *name, bff_ast_loc_t loc)
{
    if (!bff_rule_on(v, BFF_RULE_PROVIDED_REQUIRED_ARGUMENTS))
        return;
    for (uint32_t k = 0; k < ndefs; ++k) {
        const bff_input_value_t *ad = &defs[k];
        if (ad->type->kind != BFF_TYPEREF_NON_NULL || ad->default_value != NULL)
            continue;
        bool given = false;
        for (uint32_t i = 0; i < args->len && !given; ++i)
            given = strcmp(args->items[i]->name, ad->name) == 0;
        if (!given)
            bff_vloc(v,
                     bff_vreportf(v, BFF_RULE_PROVIDED_REQUIRED_ARGUMENTS,
                                  "%s \"%s\" argument \"%s\" of type \"%s\" is required, but it was not provided.", what,
                                  name, ad->name, bff_vtype_str(v, ad->type)),
                     loc);
    }
}

static void walk_directives(bff_vctx_t *v, const bff_ast_list_t *dirs, bff_directive_location_t location)
{
    /* UniqueDirectivesPerLocation runs on the node that carries the directives */
    if (bff_rule_on(v, BFF_RULE_UNIQUE_DIRECTIVES_PER_LOCATION)) {
        for (uint32_t i = 0; i < dirs->len; ++i) {
            const bff_directive_def_t *dd = bff_schema_directive(v->schema, dirs->items[i]->name);
            if (dd == NULL || dd->repeatable)
                continue;
            for (uint32_t j = 0; j < i; ++j) {
                if (strcmp(dirs->items[j]->name, dirs->items[i]->name) == 0) {
                    bff_gql_error_t *e = bff_vreportf(v, BFF_RULE_UNIQUE_DIRECTIVES_PER_LOCATION,
                                                      "The directive \"@%s\" can only be used once at this location.",
                                                      dirs->items[i]->name);
                    bff_vloc(v, e, dirs->items[j]->loc);
                    bff_vloc(v, e, dirs->items[i]->loc);
                    break;
                }
            }
        }
    }
    for (uint32_t i = 0; i < dirs->len; ++i) {
        const bff_ast_node_t *d = dirs->items[i];
        const bff_directive_def_t *dd = bff_schema_directive(v->schema, d->name);
        if ((strcmp(d->name, "defer") == 0 || strcmp(d->name, "stream") == 0) && bff_rule_on(v, BFF_RULE_DEFER_STREAM_LABEL)) {
            /* labels name the payloads of one response: static and unique (graphql-js 17's messages) */
            const bff_ast_node_t *label = bff_ast_directive_arg(d, "label");
            if (label != NULL && label->kind != BFF_AST_NULL_VALUE) {
                if (label->kind != BFF_AST_STRING_VALUE) {
                    bff_vloc(v,
                             bff_vreportf(v, BFF_RULE_DEFER_STREAM_LABEL, "Argument \"@%s(label:)\" must be a static string.",
                                          d->name),
                             d->loc);
                } else {
                    const bff_ast_node_t *known = bff_names_get(&v->labels, label->text);
                    if (known != NULL) {
                        bff_gql_error_t *e = bff_vreport(v, BFF_RULE_DEFER_STREAM_LABEL,
                                                         "Value for arguments \"defer(label:)\" and \"stream(label:)\" must be "
                                                         "unique across all Defer/Stream directive usages.");
                        bff_vloc(v, e, known->loc);
                        bff_vloc(v, e, d->loc);
                    } else {
                        bff_names_put(&v->labels, v->arena, label->text, (void *)d);
                    }
                }
            }
        }
        if (bff_rule_on(v, BFF_RULE_KNOWN_DIRECTIVES)) {
            if (dd == NULL)
                bff_vloc(v, bff_vreportf(v, BFF_RULE_KNOWN_DIRECTIVES, "Unknown directive \"@%s\".", d->name), d->loc);
            else if ((dd->locations & (1u << location)) == 0)
                bff_vloc(v,
                         bff_vreportf(v, BFF_RULE_KNOWN_DIRECTIVES, "Directive \"@%s\" may not be used on %s.",
                                      d->name, bff_directive_location_name(location)),
                         d->loc);
        }
        unique_argument_names(v, &d->arguments);
        walk_arguments(v, &d->arguments, dd ? dd->args : NULL, dd ? dd->nargs : 0, dd != NULL, "directive \"@",
                       d->name);
        if (dd != NULL)
            provided_required(v, &d->arguments, dd->args, dd->nargs, "Directive", bff_arena_printf(v->arena, "@%s", d->name),
                              d->loc);
    }
}

/* ---- type conditions ---- */

static bool is_type_definition(bff_ast_kind_t k)
{
    return k == BFF_AST_SCALAR_TYPE_DEFINITION || k == BFF_AST_OBJECT_TYPE_DEFINITION ||
           k == BFF_AST_INTERFACE_TYPE_DEFINITION || k == BFF_AST_UNION_TYPE_DEFINITION ||
           k == BFF_AST_ENUM_TYPE_DEFINITION || k == BFF_AST_INPUT_OBJECT_TYPE_DEFINITION;
}

static const char *const standard_type_names[] = {"String",      "Int",    "Float",   "Boolean",      "ID",
                                                  "__Schema",    "__Directive", "__DirectiveLocation", "__Type",
                                                  "__Field",     "__InputValue", "__EnumValue", "__TypeKind"};
#define NSTANDARD (sizeof(standard_type_names) / sizeof(standard_type_names[0]))

/*
 * KnownTypeNames: known when the schema has the type or the document defines
 * it; in type-system definitions (`in_sdl`) the standard scalars and
 * introspection types are known too, and suggested.
 */
static void known_type_name_in(bff_vctx_t *v, const bff_ast_node_t *type_node, bool in_sdl)
{
    while (type_node->kind != BFF_AST_NAMED_TYPE)
        type_node = type_node->type;
    if (!bff_rule_on(v, BFF_RULE_KNOWN_TYPE_NAMES) || bff_schema_type(v->schema, type_node->name) != NULL)
        return;
    const bff_ast_node_t *doc = v->doc;
    for (uint32_t i = 0; i < doc->definitions.len; ++i)
        if (is_type_definition(doc->definitions.items[i]->kind) &&
            strcmp(doc->definitions.items[i]->name, type_node->name) == 0)
            return;
    if (in_sdl)
        for (size_t i = 0; i < NSTANDARD; ++i)
            if (strcmp(standard_type_names[i], type_node->name) == 0)
                return;
    size_t cap = v->schema->ntypes + doc->definitions.len + NSTANDARD + 1, n = 0;
    const char **names = bff_arena_alloc(v->arena, cap * sizeof(*names));
    if (in_sdl)
        for (size_t i = 0; i < NSTANDARD; ++i)
            names[n++] = standard_type_names[i];
    for (uint32_t i = 0; i < v->schema->ntypes; ++i)
        names[n++] = v->schema->types[i]->name;
    for (uint32_t i = 0; i < doc->definitions.len; ++i)
        if (is_type_definition(doc->definitions.items[i]->kind))
            names[n++] = doc->definitions.items[i]->name;
    const char *msg = bff_arena_printf(v->arena, "Unknown type \"%s\".", type_node->name);
    bff_vloc(v, bff_vreport(v, BFF_RULE_KNOWN_TYPE_NAMES, with_suggestions(v, msg, NULL, type_node->name, names, n)),
             type_node->loc);
}

static void known_type_name(bff_vctx_t *v, const bff_ast_node_t *type_node)
{
    known_type_name_in(v, type_node, false);
}

static void possible_spread(bff_vctx_t *v, const bff_type_t *frag_type, const bff_type_t *parent, const char *frag_name,
                            bff_ast_loc_t loc)
{
    if (!bff_rule_on(v, BFF_RULE_POSSIBLE_FRAGMENT_SPREADS) || frag_type == NULL || parent == NULL ||
        !bff_type_is_composite(frag_type) || !bff_type_is_composite(parent) ||
        bff_schema_types_overlap(v->schema, frag_type, parent))
        return;
    if (frag_name != NULL)
        bff_vloc(v,
                 bff_vreportf(v, BFF_RULE_POSSIBLE_FRAGMENT_SPREADS,
                              "Fragment \"%s\" cannot be spread here as objects of type \"%s\" can never be of type "
                              "\"%s\".",
                              frag_name, parent->name, frag_type->name),
                 loc);
    else
        bff_vloc(v,
                 bff_vreportf(v, BFF_RULE_POSSIBLE_FRAGMENT_SPREADS,
                              "Fragment cannot be spread here as objects of type \"%s\" can never be of type \"%s\".",
                              parent->name, frag_type->name),
                 loc);
}

/* ---- selections ---- */

typedef struct st_walk_t {
    bff_vctx_t *v;
    bff_overlap_t *overlap;
} walk_t;

static void walk_selection_set(walk_t *w, const bff_ast_node_t *set, const bff_type_t *parent);

/* MaxIntrospectionDepthRule: lists of types nested three deep under __schema or __type. */
static bool introspection_too_deep(bff_vctx_t *v, const bff_ast_node_t *node, bff_names_t *visiting, int depth,
                                   size_t *budget)
{
    if (*budget == 0)
        return true; /* graphql-js would take exponential time here; such a document is hostile */
    --*budget;
    if (node->kind == BFF_AST_FRAGMENT_SPREAD) {
        if (bff_names_get(visiting, node->name) != NULL)
            return false;
        const bff_ast_node_t *frag = bff_vfragment(v, node->name);
        if (frag == NULL)
            return false;
        bff_names_set(visiting, v->arena, node->name, (void *)frag);
        bool r = introspection_too_deep(v, frag, visiting, depth, budget);
        bff_names_set(visiting, v->arena, node->name, NULL);
        return r;
    }
    if (node->kind == BFF_AST_FIELD &&
        (strcmp(node->name, "fields") == 0 || strcmp(node->name, "interfaces") == 0 ||
         strcmp(node->name, "possibleTypes") == 0 || strcmp(node->name, "inputFields") == 0)) {
        if (++depth >= 3)
            return true;
    }
    if (node->selection_set != NULL)
        for (uint32_t i = 0; i < node->selection_set->selections.len; ++i)
            if (introspection_too_deep(v, node->selection_set->selections.items[i], visiting, depth, budget))
                return true;
    return false;
}

static const bff_field_t *own_field(const bff_type_t *t, const char *name)
{
    for (uint32_t i = 0; i < t->nfields; ++i)
        if (strcmp(t->fields[i].name, name) == 0)
            return &t->fields[i];
    return NULL;
}

static void walk_field(walk_t *w, const bff_ast_node_t *f, const bff_type_t *parent)
{
    bff_vctx_t *v = w->v;
    const bff_field_t *def = parent ? bff_schema_field(v->schema, parent, f->name) : NULL;
    const bff_type_t *type = def ? bff_typeref_named(def->type) : NULL;
    if (bff_rule_on(v, BFF_RULE_SCALAR_LEAFS) && type != NULL) {
        if (bff_type_is_leaf(type)) {
            if (f->selection_set != NULL)
                bff_vloc(v,
                         bff_vreportf(v, BFF_RULE_SCALAR_LEAFS,
                                      "Field \"%s\" must not have a selection since type \"%s\" has no subfields.",
                                      f->name, bff_vtype_str(v, def->type)),
                         f->selection_set->loc);
        } else if (f->selection_set == NULL) {
            bff_vloc(v,
                     bff_vreportf(v, BFF_RULE_SCALAR_LEAFS,
                                  "Field \"%s\" of type \"%s\" must have a selection of subfields. Did you mean \"%s { "
                                  "... }\"?",
                                  f->name, bff_vtype_str(v, def->type), f->name),
                     f->loc);
        }
    }
    if (bff_rule_on(v, BFF_RULE_FIELDS_ON_CORRECT_TYPE) && parent != NULL && def == NULL) {
        const char *msg = bff_arena_printf(v->arena, "Cannot query field \"%s\" on type \"%s\".", f->name, parent->name);
        /* suggest types first (abstract parents), else field names */
        const char **types = NULL;
        size_t ntypes = 0;
        if (bff_type_is_abstract(parent)) {
            const bff_type_t **cand = bff_arena_alloc(v->arena, (v->schema->ntypes + 1) * sizeof(*cand));
            int *usage = bff_arena_calloc(v->arena, v->schema->ntypes + 1, sizeof(*usage));
            size_t nc = 0;
            for (uint32_t i = 0; i < parent->npossible_types; ++i) {
                const bff_type_t *pt = parent->possible_types[i];
                if (own_field(pt, f->name) == NULL)
                    continue;
                size_t k;
                for (k = 0; k < nc && cand[k] != pt; ++k)
                    ;
                if (k == nc)
                    cand[nc++] = pt;
                usage[k] = 1;
                for (uint32_t j = 0; j < pt->ninterfaces; ++j) {
                    const bff_type_t *it = pt->interfaces[j];
                    if (own_field(it, f->name) == NULL)
                        continue;
                    for (k = 0; k < nc && cand[k] != it; ++k)
                        ;
                    if (k == nc) {
                        cand[nc++] = it;
                        usage[k] = 0;
                    }
                    usage[k]++;
                }
            }
            /* insertion sort with graphql-js's comparator */
            for (size_t i = 1; i < nc; ++i) {
                for (size_t j = i; j > 0; --j) {
                    const bff_type_t *a = cand[j - 1], *b = cand[j];
                    int ua = usage[j - 1], ub = usage[j];
                    int cmp = ub - ua;
                    if (cmp == 0) {
                        if (a->kind == BFF_TYPE_INTERFACE && bff_schema_is_possible_type(v->schema, a, b))
                            cmp = -1;
                        else if (b->kind == BFF_TYPE_INTERFACE && bff_schema_is_possible_type(v->schema, b, a))
                            cmp = 1;
                        else
                            cmp = bff_natural_compare(a->name, b->name);
                    }
                    if (cmp <= 0)
                        break;
                    cand[j - 1] = b;
                    cand[j] = a;
                    usage[j - 1] = ub;
                    usage[j] = ua;
                }
            }
            types = bff_arena_alloc(v->arena, (nc + 1) * sizeof(*types));
            for (size_t i = 0; i < nc; ++i)
                types[i] = cand[i]->name;
            ntypes = nc;
        }
        bff_buf_t b = BFF_BUF_INIT;
        bff_buf_appends(&b, msg);
        if (ntypes > 0) {
            bff_did_you_mean(&b, "to use an inline fragment on", types, ntypes);
        } else if (parent->kind == BFF_TYPE_OBJECT || parent->kind == BFF_TYPE_INTERFACE) {
            const char **names = bff_arena_alloc(v->arena, (parent->nfields + 1) * sizeof(*names));
            for (uint32_t i = 0; i < parent->nfields; ++i)
                names[i] = parent->fields[i].name;
            const char **sugg;
            size_t ns = bff_suggestion_list(v->arena, f->name, names, parent->nfields, &sugg);
            bff_did_you_mean(&b, NULL, sugg, ns);
        }
        bff_vloc(v, bff_vreport(v, BFF_RULE_FIELDS_ON_CORRECT_TYPE, bff_arena_strndup(v->arena, b.data, b.len)), f->loc);
        bff_buf_free(&b);
    }
    unique_argument_names(v, &f->arguments);
    if (bff_rule_on(v, BFF_RULE_MAX_INTROSPECTION_DEPTH) &&
        (strcmp(f->name, "__schema") == 0 || strcmp(f->name, "__type") == 0)) {
        bff_names_t visiting;
        bff_names_init(&visiting, v->arena, 8);
        size_t budget = 100000;
        if (introspection_too_deep(v, f, &visiting, 0, &budget))
            bff_vloc(v, bff_vreport(v, BFF_RULE_MAX_INTROSPECTION_DEPTH, "Maximum introspection depth exceeded"),
                     f->loc);
    }
    walk_arguments(v, &f->arguments, def ? def->args : NULL, def ? def->nargs : 0, def != NULL, "field \"",
                   def ? bff_arena_printf(v->arena, "%s.%s", parent->name, def->name) : "");
    walk_directives(v, &f->directives, BFF_DIRLOC_FIELD);
    const bff_ast_node_t *stream = bff_ast_find_directive(&f->directives, "stream");
    if (stream != NULL && def != NULL && parent != NULL && bff_rule_on(v, BFF_RULE_STREAM_ON_LIST_FIELD)) {
        const bff_typeref_t *t = def->type->kind == BFF_TYPEREF_NON_NULL ? def->type->of : def->type;
        if (t->kind != BFF_TYPEREF_LIST)
            bff_vloc(v,
                     bff_vreportf(v, BFF_RULE_STREAM_ON_LIST_FIELD,
                                  "Directive \"@stream\" cannot be used on non-list field \"%s.%s\".", parent->name,
                                  def->name),
                     stream->loc);
    }
    if (f->selection_set != NULL)
        walk_selection_set(w, f->selection_set, type != NULL && bff_type_is_composite(type) ? type : NULL);
    if (def != NULL)
        provided_required(v, &f->arguments, def->args, def->nargs, "Field", def->name, f->loc);
}

static void walk_selection_set(walk_t *w, const bff_ast_node_t *set, const bff_type_t *parent)
{
    bff_vctx_t *v = w->v;
    if (bff_rule_on(v, BFF_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED))
        bff_overlap_check(w->overlap, set, parent);
    for (uint32_t i = 0; i < set->selections.len && !v->aborted; ++i) {
        const bff_ast_node_t *s = set->selections.items[i];
        if (s->kind == BFF_AST_FIELD) {
            walk_field(w, s, parent);
        } else if (s->kind == BFF_AST_INLINE_FRAGMENT) {
            const bff_type_t *type = parent;
            if (s->type_condition != NULL) {
                known_type_name(v, s->type_condition);
                type = bff_vtype_from_ast(v, s->type_condition);
                if (type != NULL && !bff_type_is_composite(type) && bff_rule_on(v, BFF_RULE_FRAGMENTS_ON_COMPOSITE_TYPES))
                    bff_vloc(v,
                             bff_vreportf(v, BFF_RULE_FRAGMENTS_ON_COMPOSITE_TYPES,
                                          "Fragment cannot condition on non composite type \"%s\".",
                                          s->type_condition->name),
                             s->type_condition->loc);
            }
            possible_spread(v, type, parent, NULL, s->loc);
            walk_directives(v, &s->directives, BFF_DIRLOC_INLINE_FRAGMENT);
            walk_selection_set(w, s->selection_set, type != NULL && bff_type_is_composite(type) ? type : NULL);
        } else {
            const bff_ast_node_t *frag = bff_vfragment(v, s->name);
            if (frag == NULL && bff_rule_on(v, BFF_RULE_KNOWN_FRAGMENT_NAMES))
                bff_vloc(v, bff_vreportf(v, BFF_RULE_KNOWN_FRAGMENT_NAMES, "Unknown fragment \"%s\".", s->name),
                         s->name_loc);
            if (frag != NULL)
                possible_spread(v, bff_vtype_from_ast(v, frag->type_condition), parent, s->name, s->loc);
            walk_directives(v, &s->directives, BFF_DIRLOC_FRAGMENT_SPREAD);
        }
    }
}

/* ---- operations ---- */

static bool include_by_literal(const bff_ast_node_t *sel)
{
    /* @skip/@include with literal conditions, as collectFields evaluates them without variables */
    for (uint32_t i = 0; i < sel->directives.len; ++i) {
        const bff_ast_node_t *d = sel->directives.items[i];
        bool is_skip = strcmp(d->name, "skip") == 0;
        if (!is_skip && strcmp(d->name, "include") != 0)
            continue;
        const bff_ast_node_t *cond = bff_ast_directive_arg(d, "if");
        if (cond != NULL && cond->kind == BFF_AST_BOOLEAN_VALUE && cond->boolean == is_skip)
            return false;
    }
    return true;
}

/* collectFields for SingleFieldSubscriptions: response keys in order, each with its field nodes. */
typedef struct st_sub_key_t {
    const char *key;
    const bff_ast_node_t **nodes;
    size_t n, cap;
} sub_key_t;

typedef struct st_sub_fields_t {
    sub_key_t *keys;
    size_t n, cap;
    const bff_ast_node_t **forbidden; /* @skip and @include in the top level selection (September 2025) */
    size_t nforbidden, forbidden_cap;
} sub_fields_t;

/* graphql-js doesFragmentConditionMatch */
static bool condition_matches(bff_vctx_t *v, const bff_ast_node_t *cond_node, const bff_type_t *type)
{
    if (cond_node == NULL)
        return true;
    const bff_type_t *cond = bff_vtype_from_ast(v, cond_node);
    if (cond == NULL)
        return false;
    if (cond == type)
        return true;
    return bff_type_is_abstract(cond) && bff_schema_is_possible_type(v->schema, cond, type);
}

static void sub_collect(bff_vctx_t *v, sub_fields_t *sf, const bff_ast_node_t *set, const bff_type_t *type,
                        bff_names_t *visited)
{
    for (uint32_t i = 0; i < set->selections.len; ++i) {
        const bff_ast_node_t *s = set->selections.items[i];
        for (uint32_t d = 0; d < s->directives.len; ++d) {
            const char *dn = s->directives.items[d]->name;
            if (strcmp(dn, "skip") != 0 && strcmp(dn, "include") != 0)
                continue;
            if (sf->nforbidden == sf->forbidden_cap)
                sf->forbidden = bff_xrealloc(sf->forbidden, (sf->forbidden_cap = sf->forbidden_cap ? sf->forbidden_cap * 2 : 4) *
                                                                sizeof(*sf->forbidden));
            sf->forbidden[sf->nforbidden++] = s->directives.items[d];
        }
        if (!include_by_literal(s))
            continue;
        if (s->kind == BFF_AST_FIELD) {
            const char *key = s->alias ? s->alias : s->name;
            size_t k;
            for (k = 0; k < sf->n && strcmp(sf->keys[k].key, key) != 0; ++k)
                ;
            if (k == sf->n) {
                if (sf->n == sf->cap)
                    sf->keys = bff_xrealloc(sf->keys, (sf->cap = sf->cap ? sf->cap * 2 : 8) * sizeof(*sf->keys));
                sf->keys[sf->n++] = (sub_key_t){key, NULL, 0, 0};
            }
            sub_key_t *sk = &sf->keys[k];
            if (sk->n == sk->cap)
                sk->nodes = bff_xrealloc(sk->nodes, (sk->cap = sk->cap ? sk->cap * 2 : 4) * sizeof(*sk->nodes));
            sk->nodes[sk->n++] = s;
        } else if (s->kind == BFF_AST_INLINE_FRAGMENT) {
            if (condition_matches(v, s->type_condition, type))
                sub_collect(v, sf, s->selection_set, type, visited);
        } else {
            if (bff_names_get(visited, s->name) != NULL)
                continue;
            bff_names_put(visited, v->arena, s->name, (void *)s);
            const bff_ast_node_t *frag = bff_vfragment(v, s->name);
            if (frag != NULL && condition_matches(v, frag->type_condition, type))
                sub_collect(v, sf, frag->selection_set, type, visited);
        }
    }
}

static void single_field_subscription(bff_vctx_t *v, const bff_ast_node_t *op)
{
    const bff_type_t *sub = v->schema->subscription_type;
    if (op->operation != BFF_OP_SUBSCRIPTION || sub == NULL || !bff_rule_on(v, BFF_RULE_SINGLE_FIELD_SUBSCRIPTIONS))
        return;
    sub_fields_t sf = {0};
    bff_names_t visited;
    bff_names_init(&visited, v->arena, 8);
    sub_collect(v, &sf, op->selection_set, sub, &visited);
    const char *who = op->name ? bff_arena_printf(v->arena, "Subscription \"%s\"", op->name) : "Anonymous Subscription";
    if (sf.nforbidden > 0) {
        /*
         * The September 2025 spec (#860): a subscription's root fields are known without
         * variables, so @skip and @include may not appear in its top level selection (graphql-js
         * 17's message; 16.15 lets them through: docs/decisions/spec-vs-graphql-js.md).
         */
        bff_gql_error_t *e = bff_vreportf(v, BFF_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
                                          "%s must not use `@skip` or `@include` directives in the top level selection.",
                                          who);
        for (size_t k = 0; k < sf.nforbidden; ++k)
            bff_vloc(v, e, sf.forbidden[k]->loc);
    }
    if (sf.nforbidden == 0 && sf.n > 1) {
        bff_gql_error_t *e = bff_vreportf(v, BFF_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
                                          "%s must select only one top level field.", who);
        for (size_t k = 1; k < sf.n; ++k)
            for (size_t j = 0; j < sf.keys[k].n; ++j)
                bff_vloc(v, e, sf.keys[k].nodes[j]->loc);
    }
    for (size_t k = 0; sf.nforbidden == 0 && k < sf.n; ++k) {
        if (strncmp(sf.keys[k].nodes[0]->name, "__", 2) == 0) {
            bff_gql_error_t *e = bff_vreportf(v, BFF_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
                                              "%s must not select an introspection top level field.", who);
            for (size_t j = 0; j < sf.keys[k].n; ++j)
                bff_vloc(v, e, sf.keys[k].nodes[j]->loc);
        }
    }
    for (size_t k = 0; k < sf.n; ++k)
        free(sf.keys[k].nodes);
    free(sf.keys);
    free(sf.forbidden);
}

/*
 * DeferStreamDirectiveOnRootField (graphql-js 17): a mutation's or a
 * subscription's root fields run in order or once, so none of them may be
 * streamed and no root selection deferred; fragments are followed, each once
 * per operation, and one found clean is not walked again. False when it
 * reported.
 */
static bool forbid_defer_stream(bff_vctx_t *v, const bff_ast_node_t *set, const char *op, const bff_type_t *root,
                                bff_names_t *visited)
{
    bool valid = true;
    for (uint32_t i = 0; i < set->selections.len; ++i) {
        const bff_ast_node_t *s = set->selections.items[i];
        const bff_ast_node_t *d = NULL;
        if (s->kind == BFF_AST_FIELD) {
            if ((d = bff_ast_find_directive(&s->directives, "stream")) != NULL) {
                valid = false;
                bff_vloc(v,
                         bff_vreportf(v, BFF_RULE_DEFER_STREAM_ON_ROOT_FIELD,
                                      "Stream directive cannot be used on root %s type \"%s\".", op, root->name),
                         d->loc);
            }
            continue;
        }
        if ((d = bff_ast_find_directive(&s->directives, "defer")) != NULL) {
            valid = false;
            bff_vloc(v,
                     bff_vreportf(v, BFF_RULE_DEFER_STREAM_ON_ROOT_FIELD,
                                  "Defer directive cannot be used on root %s type \"%s\".", op, root->name),
                     d->loc);
        }
        if (s->kind == BFF_AST_INLINE_FRAGMENT) {
            valid = forbid_defer_stream(v, s->selection_set, op, root, visited) && valid;
        } else if (bff_names_get(visited, s->name) == NULL) {
            bff_names_put(visited, v->arena, s->name, (void *)s);
            const bff_ast_node_t *frag = bff_vfragment(v, s->name);
            if (frag != NULL && bff_names_get(&v->deferless, s->name) == NULL) {
                bool clean = forbid_defer_stream(v, frag->selection_set, op, root, visited);
                if (clean)
                    bff_names_put(&v->deferless, v->arena, s->name, (void *)frag);
                valid = clean && valid;
            }
        }
    }
    return valid;
}

static void walk_operation(walk_t *w, const bff_ast_node_t *op, size_t nops)
{
    bff_vctx_t *v = w->v;
    const bff_ast_node_t *doc = v->doc;
    if (bff_rule_on(v, BFF_RULE_KNOWN_OPERATION_TYPES)) {
        /* the September 2025 spec's Operation Type Existence (graphql-js 17's message; 16.15 has no such rule) */
        const bff_type_t *root = op->operation == BFF_OP_QUERY      ? v->schema->query_type
                                 : op->operation == BFF_OP_MUTATION ? v->schema->mutation_type
                                                                    : v->schema->subscription_type;
        if (root == NULL)
            bff_vloc(v,
                     bff_vreportf(v, BFF_RULE_KNOWN_OPERATION_TYPES, "The %s operation is not supported by the schema.",
                                  bff_operation_name(op->operation)),
                     op->loc);
    }
    if (op->name != NULL && bff_rule_on(v, BFF_RULE_UNIQUE_OPERATION_NAMES)) {
        for (uint32_t i = 0; i < doc->definitions.len && doc->definitions.items[i] != op; ++i) {
            const bff_ast_node_t *o = doc->definitions.items[i];
            if (o->kind == BFF_AST_OPERATION_DEFINITION && o->name != NULL && strcmp(o->name, op->name) == 0) {
                bff_gql_error_t *e = bff_vreportf(v, BFF_RULE_UNIQUE_OPERATION_NAMES,
                                                  "There can be only one operation named \"%s\".", op->name);
                bff_vloc(v, e, o->name_loc);
                bff_vloc(v, e, op->name_loc);
                break;
            }
        }
    }
    if (op->name == NULL && nops > 1 && bff_rule_on(v, BFF_RULE_LONE_ANONYMOUS_OPERATION))
        bff_vloc(v,
                 bff_vreport(v, BFF_RULE_LONE_ANONYMOUS_OPERATION,
                             "This anonymous operation must be the only defined operation."),
                 op->loc);
    single_field_subscription(v, op);
    const bff_type_t *serial_root = op->operation == BFF_OP_MUTATION       ? v->schema->mutation_type
                                    : op->operation == BFF_OP_SUBSCRIPTION ? v->schema->subscription_type
                                                                           : NULL;
    if (serial_root != NULL && op->selection_set != NULL && bff_rule_on(v, BFF_RULE_DEFER_STREAM_ON_ROOT_FIELD)) {
        bff_names_t visited;
        bff_names_init(&visited, v->arena, 8);
        forbid_defer_stream(v, op->selection_set, bff_operation_name(op->operation), serial_root, &visited);
    }
    if (bff_rule_on(v, BFF_RULE_UNIQUE_VARIABLE_NAMES)) {
        const bff_ast_list_t *vd = &op->variable_definitions;
        for (uint32_t i = 0; i < vd->len; ++i) {
            const char *name = vd->items[i]->variable->name;
            bool first = true;
            for (uint32_t j = 0; j < i && first; ++j)
                first = strcmp(vd->items[j]->variable->name, name) != 0;
            uint32_t count = 0;
            for (uint32_t j = i; j < vd->len; ++j)
                count += strcmp(vd->items[j]->variable->name, name) == 0;
            if (!first || count < 2)
                continue;
            bff_gql_error_t *e = bff_vreportf(v, BFF_RULE_UNIQUE_VARIABLE_NAMES,
                                              "There can be only one variable named \"$%s\".", name);
            for (uint32_t j = i; j < vd->len; ++j)
                if (strcmp(vd->items[j]->variable->name, name) == 0)
                    bff_vloc(v, e, vd->items[j]->variable->name_loc);
        }
    }
    v->cur_op = op;
    v->cur_usages = usages_of(v, op);
    for (uint32_t i = 0; i < op->variable_definitions.len; ++i) {
        const bff_ast_node_t *vd = op->variable_definitions.items[i];
        known_type_name(v, vd->type);
        const bff_typeref_t *vt = bff_schema_typeref_from_ast(v->schema, v->arena, vd->type);
        if (vt != NULL && !bff_type_is_input(bff_typeref_named(vt)) && bff_rule_on(v, BFF_RULE_VARIABLES_ARE_INPUT_TYPES))
            bff_vloc(v,
                     bff_vreportf(v, BFF_RULE_VARIABLES_ARE_INPUT_TYPES,
                                  "Variable \"$%s\" cannot be non-input type \"%s\".", vd->variable->name,
                                  bff_vprint(v, vd->type)),
                     vd->type->loc);
        if (vd->default_value != NULL) {
            bff_usages_t *saved = v->cur_usages;
            v->cur_usages = NULL; /* defaults are not usages */
            bff_validate_value(v, vd->default_value,
                               vt != NULL && bff_type_is_input(bff_typeref_named(vt)) ? vt : NULL, false);
            v->cur_usages = saved;
        }
        walk_directives(v, &vd->directives, BFF_DIRLOC_VARIABLE_DEFINITION);
    }
    static const bff_directive_location_t op_locations[] = {BFF_DIRLOC_QUERY, BFF_DIRLOC_MUTATION,
                                                            BFF_DIRLOC_SUBSCRIPTION};
    walk_directives(v, &op->directives, op_locations[op->operation]);
    const bff_type_t *root = bff_schema_root_type(v->schema, op->operation);
    walk_selection_set(w, op->selection_set, root);
    v->cur_usages = NULL;
}

static void walk_fragment(walk_t *w, const bff_ast_node_t *frag)
{
    bff_vctx_t *v = w->v;
    const bff_ast_node_t *doc = v->doc;
    if (bff_rule_on(v, BFF_RULE_UNIQUE_FRAGMENT_NAMES)) {
        for (uint32_t i = 0; i < doc->definitions.len && doc->definitions.items[i] != frag; ++i) {
            const bff_ast_node_t *o = doc->definitions.items[i];
            if (o->kind == BFF_AST_FRAGMENT_DEFINITION && strcmp(o->name, frag->name) == 0) {
                bff_gql_error_t *e = bff_vreportf(v, BFF_RULE_UNIQUE_FRAGMENT_NAMES,
                                                  "There can be only one fragment named \"%s\".", frag->name);
                bff_vloc(v, e, o->name_loc);
                bff_vloc(v, e, frag->name_loc);
                break;
            }
        }
    }
    known_type_name(v, frag->type_condition);
    const bff_type_t *type = bff_vtype_from_ast(v, frag->type_condition);
    if (type != NULL && !bff_type_is_composite(type) && bff_rule_on(v, BFF_RULE_FRAGMENTS_ON_COMPOSITE_TYPES))
        bff_vloc(v,
                 bff_vreportf(v, BFF_RULE_FRAGMENTS_ON_COMPOSITE_TYPES,
                              "Fragment \"%s\" cannot condition on non composite type \"%s\".", frag->name,
                              frag->type_condition->name),
                 frag->type_condition->loc);
    v->cur_usages = usages_of(v, frag);
    walk_directives(v, &frag->directives, BFF_DIRLOC_FRAGMENT_DEFINITION);
    walk_selection_set(w, frag->selection_set, type != NULL && bff_type_is_composite(type) ? type : NULL);
    v->cur_usages = NULL;
}

/* NoFragmentCycles: graphql-js's depth-first search from each fragment, each cycle reported once. */
typedef struct st_cycles_t {
    bff_vctx_t *v;
    bff_names_t visited;
    bff_names_t index; /* fragment name -> position in path + 1 */
    const bff_ast_node_t **path;
    size_t len, cap;
} cycles_t;

static void detect_cycles(cycles_t *c, const bff_ast_node_t *frag)
{
    bff_vctx_t *v = c->v;
    if (bff_names_get(&c->visited, frag->name) != NULL)
        return;
    bff_names_put(&c->visited, v->arena, frag->name, (void *)frag);
    const bff_ast_node_t **spreads;
    size_t n = bff_fragment_spreads(v, frag->selection_set, &spreads);
    if (n == 0)
        return;
    bff_names_set(&c->index, v->arena, frag->name, (void *)(uintptr_t)(c->len + 1));
    for (size_t i = 0; i < n; ++i) {
        const bff_ast_node_t *s = spreads[i];
        uintptr_t at = (uintptr_t)bff_names_get(&c->index, s->name);
        if (c->len == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 16;
            c->path = bff_xrealloc(c->path, c->cap * sizeof(*c->path));
        }
        c->path[c->len++] = s;
        if (at == 0) {
            const bff_ast_node_t *target = bff_vfragment(v, s->name);
            if (target != NULL)
                detect_cycles(c, target);
        } else {
            bff_buf_t b = BFF_BUF_INIT;
            bff_buf_printf(&b, "Cannot spread fragment \"%s\" within itself", s->name);
            for (size_t k = at - 1; k + 1 < c->len; ++k)
                bff_buf_printf(&b, "%s\"%s\"", k == at - 1 ? " via " : ", ", c->path[k]->name);
            bff_buf_appendc(&b, '.');
            bff_gql_error_t *e =
                bff_vreport(v, BFF_RULE_NO_FRAGMENT_CYCLES, bff_arena_strndup(v->arena, b.data, b.len));
            bff_buf_free(&b);
            for (size_t k = at - 1; k < c->len; ++k)
                bff_vloc(v, e, c->path[k]->loc);
        }
        c->len--;
    }
    bff_names_set(&c->index, v->arena, frag->name, NULL);
}

/* getRecursivelyReferencedFragments. */
static size_t referenced_fragments(bff_vctx_t *v, const bff_ast_node_t *op, const bff_ast_node_t ***out)
{
    bff_names_t seen;
    bff_names_init(&seen, v->arena, 16);
    size_t n = 0, cap = 16, sp = 0, scap = 16;
    const bff_ast_node_t **frags = bff_xmalloc(cap * sizeof(*frags));
    const bff_ast_node_t **stack = bff_xmalloc(scap * sizeof(*stack));
    stack[sp++] = op->selection_set;
    while (sp > 0) {
        const bff_ast_node_t *set = stack[--sp];
        const bff_ast_node_t **spreads;
        size_t ns = bff_fragment_spreads(v, set, &spreads);
        for (size_t i = 0; i < ns; ++i) {
            if (bff_names_get(&seen, spreads[i]->name) != NULL)
                continue;
            bff_names_put(&seen, v->arena, spreads[i]->name, (void *)spreads[i]);
            const bff_ast_node_t *f = bff_vfragment(v, spreads[i]->name);
            if (f == NULL)
                continue;
            if (n == cap)
                frags = bff_xrealloc(frags, (cap *= 2) * sizeof(*frags));
            frags[n++] = f;
            if (sp == scap)
                stack = bff_xrealloc(stack, (scap *= 2) * sizeof(*stack));
            stack[sp++] = f->selection_set;
        }
    }
    free(stack);
    *out = frags; /* heap: the caller frees */
    return n;
}

/* The definition of a variable; the last one when it is defined twice (graphql-js keeps a map). */
static const bff_ast_node_t *find_var_def(const bff_ast_node_t *op, const char *name)
{
    const bff_ast_node_t *found = NULL;
    for (uint32_t i = 0; i < op->variable_definitions.len; ++i)
        if (strcmp(op->variable_definitions.items[i]->variable->name, name) == 0)
            found = op->variable_definitions.items[i];
    return found;
}

/* graphql-js allowedVariableUsage. */
static bool allowed_usage(bff_vctx_t *v, const bff_typeref_t *var_type, const bff_ast_node_t *var_default,
                          const bff_typeref_t *loc_type, bool loc_default)
{
    if (loc_type->kind == BFF_TYPEREF_NON_NULL && var_type->kind != BFF_TYPEREF_NON_NULL) {
        bool var_has_default = var_default != NULL && var_default->kind != BFF_AST_NULL_VALUE;
        if (!var_has_default && !loc_default)
            return false;
        return bff_typeref_is_subtype(v->schema, var_type, loc_type->of);
    }
    return bff_typeref_is_subtype(v->schema, var_type, loc_type);
}

static void operation_variable_rules(bff_vctx_t *v, const bff_ast_node_t *op)
{
    const bff_ast_node_t **frags;
    size_t nfrags = referenced_fragments(v, op, &frags);
    /* all usages: the operation's, then each fragment's */
    size_t total = usages_of(v, op)->len;
    for (size_t i = 0; i < nfrags; ++i)
        total += usages_of(v, frags[i])->len;
    bff_var_usage_t *all = bff_arena_alloc(v->arena, (total + 1) * sizeof(*all));
    size_t n = 0;
    bff_usages_t *u = usages_of(v, op);
    for (size_t k = 0; k < u->len; ++k)
        all[n++] = u->items[k];
    for (size_t i = 0; i < nfrags; ++i) {
        u = usages_of(v, frags[i]);
        for (size_t k = 0; k < u->len; ++k)
            all[n++] = u->items[k];
    }
    free(frags);
    if (bff_rule_on(v, BFF_RULE_NO_UNDEFINED_VARIABLES)) {
        for (size_t i = 0; i < n; ++i) {
            if (find_var_def(op, all[i].node->name) != NULL)
                continue;
            bff_gql_error_t *e =
                op->name ? bff_vreportf(v, BFF_RULE_NO_UNDEFINED_VARIABLES,
                                        "Variable \"$%s\" is not defined by operation \"%s\".", all[i].node->name,
                                        op->name)
                         : bff_vreportf(v, BFF_RULE_NO_UNDEFINED_VARIABLES, "Variable \"$%s\" is not defined.",
                                        all[i].node->name);
            bff_vloc(v, e, all[i].node->loc);
            bff_vloc(v, e, op->loc);
        }
    }
    if (bff_rule_on(v, BFF_RULE_NO_UNUSED_VARIABLES)) {
        for (uint32_t i = 0; i < op->variable_definitions.len; ++i) {
            const bff_ast_node_t *vd = op->variable_definitions.items[i];
            bool used = false;
            for (size_t k = 0; k < n && !used; ++k)
                used = strcmp(all[k].node->name, vd->variable->name) == 0;
            if (used)
                continue;
            bff_gql_error_t *e =
                op->name ? bff_vreportf(v, BFF_RULE_NO_UNUSED_VARIABLES,
                                        "Variable \"$%s\" is never used in operation \"%s\".", vd->variable->name,
                                        op->name)
                         : bff_vreportf(v, BFF_RULE_NO_UNUSED_VARIABLES, "Variable \"$%s\" is never used.",
                                        vd->variable->name);
            bff_vloc(v, e, vd->loc);
        }
    }
    if (bff_rule_on(v, BFF_RULE_VARIABLES_IN_ALLOWED_POSITION)) {
        for (size_t i = 0; i < n; ++i) {
            const bff_ast_node_t *vd = find_var_def(op, all[i].node->name);
            if (vd == NULL || all[i].type == NULL)
                continue;
            const bff_typeref_t *vt = bff_schema_typeref_from_ast(v->schema, v->arena, vd->type);
            if (vt == NULL)
                continue;
            if (!allowed_usage(v, vt, vd->default_value, all[i].type, all[i].has_location_default)) {
                bff_gql_error_t *e =
                    bff_vreportf(v, BFF_RULE_VARIABLES_IN_ALLOWED_POSITION,
                                 "Variable \"$%s\" of type \"%s\" used in position expecting type \"%s\".",
                                 all[i].node->name, bff_vtype_str(v, vt), bff_vtype_str(v, all[i].type));
                bff_vloc(v, e, vd->loc);
                bff_vloc(v, e, all[i].node->loc);
            }
            /*
             * A @oneOf input object's field given by a nullable variable (spec September 2025,
             * 5.8.5). graphql-js 16.15 reports it only where the object's own position is
             * nullable (it looks at the wrapped parent type); we report it wherever the spec
             * does (docs/decisions/spec-vs-graphql-js.md).
             */
            if (all[i].one_of != NULL && vt->kind != BFF_TYPEREF_NON_NULL) {
                bff_gql_error_t *e = bff_vreportf(
                    v, BFF_RULE_VARIABLES_IN_ALLOWED_POSITION,
                    "Variable \"$%s\" is of type \"%s\" but must be non-nullable to be used for OneOf Input Object \"%s\".",
                    all[i].node->name, bff_vtype_str(v, vt), all[i].one_of->name);
                bff_vloc(v, e, vd->loc);
                bff_vloc(v, e, all[i].node->loc);
            }
        }
    }
}

static void no_unused_fragments(bff_vctx_t *v)
{
    bff_names_t used;
    bff_names_init(&used, v->arena, 16);
    const bff_ast_node_t *doc = v->doc;
    for (uint32_t i = 0; i < doc->definitions.len; ++i) {
        const bff_ast_node_t *op = doc->definitions.items[i];
        if (op->kind != BFF_AST_OPERATION_DEFINITION)
            continue;
        const bff_ast_node_t **frags;
        size_t n = referenced_fragments(v, op, &frags);
        for (size_t k = 0; k < n; ++k)
            bff_names_set(&used, v->arena, frags[k]->name, (void *)frags[k]);
        free(frags);
    }
    for (uint32_t i = 0; i < doc->definitions.len; ++i) {
        const bff_ast_node_t *f = doc->definitions.items[i];
        if (f->kind == BFF_AST_FRAGMENT_DEFINITION && bff_names_get(&used, f->name) == NULL)
            bff_vloc(v, bff_vreportf(v, BFF_RULE_NO_UNUSED_FRAGMENTS, "Fragment \"%s\" is never used.", f->name),
                     f->loc);
    }
}

/* ---- type-system definitions in an executable document ---- */

static void walk_sdl_input_values(bff_vctx_t *v, const bff_ast_list_t *values, bff_directive_location_t location)
{
    for (uint32_t i = 0; i < values->len; ++i) {
        const bff_ast_node_t *iv = values->items[i];
        known_type_name_in(v, iv->type, true);
        walk_value(v, iv->default_value, NULL, false);
        walk_directives(v, &iv->directives, location);
    }
}

/*
 * graphql-js's rules visit every node of the document, so type-system
 * definitions in an executable document (already an ExecutableDefinitions
 * error) also get the directive, argument, type-name and value checks.
 */
static void walk_sdl(bff_vctx_t *v, const bff_ast_node_t *d)
{
    if (d->kind == BFF_AST_DIRECTIVE_DEFINITION) {
        walk_sdl_input_values(v, &d->arguments, BFF_DIRLOC_ARGUMENT_DEFINITION);
        return;
    }
    walk_directives(v, &d->directives, bff_directive_location_of_definition(d->kind));
    for (uint32_t i = 0; i < d->operation_types.len; ++i)
        known_type_name_in(v, d->operation_types.items[i]->type, true);
    for (uint32_t i = 0; i < d->interfaces.len; ++i)
        known_type_name_in(v, d->interfaces.items[i], true);
    for (uint32_t i = 0; i < d->types.len; ++i)
        known_type_name_in(v, d->types.items[i], true);
    bool input = d->kind == BFF_AST_INPUT_OBJECT_TYPE_DEFINITION || d->kind == BFF_AST_INPUT_OBJECT_TYPE_EXTENSION;
    if (input) {
        walk_sdl_input_values(v, &d->fields, BFF_DIRLOC_INPUT_FIELD_DEFINITION);
    } else {
        for (uint32_t i = 0; i < d->fields.len; ++i) {
            const bff_ast_node_t *f = d->fields.items[i];
            walk_sdl_input_values(v, &f->arguments, BFF_DIRLOC_ARGUMENT_DEFINITION);
            known_type_name_in(v, f->type, true);
            walk_directives(v, &f->directives, BFF_DIRLOC_FIELD_DEFINITION);
        }
    }
    for (uint32_t i = 0; i < d->values.len; ++i)
        walk_directives(v, &d->values.items[i]->directives, BFF_DIRLOC_ENUM_VALUE);
}

static void run(bff_vctx_t *v)
{
    const bff_ast_node_t *doc = v->doc;
    size_t nops = 0;
    for (uint32_t i = 0; i < doc->definitions.len; ++i) {
        const bff_ast_node_t *d = doc->definitions.items[i];
        if (d->kind == BFF_AST_OPERATION_DEFINITION)
            ++nops;
        else if (d->kind == BFF_AST_FRAGMENT_DEFINITION)
            bff_names_set(&v->fragments, v->arena, d->name, (void *)d);
    }
    if (bff_rule_on(v, BFF_RULE_EXECUTABLE_DEFINITIONS)) {
        for (uint32_t i = 0; i < doc->definitions.len; ++i) {
            const bff_ast_node_t *d = doc->definitions.items[i];
            if (bff_ast_is_executable_definition(d->kind))
                continue;
            if (d->kind == BFF_AST_SCHEMA_DEFINITION || d->kind == BFF_AST_SCHEMA_EXTENSION)
                bff_vloc(v, bff_vreport(v, BFF_RULE_EXECUTABLE_DEFINITIONS, "The schema definition is not executable."),
                         d->loc);
            else
                bff_vloc(v,
                         bff_vreportf(v, BFF_RULE_EXECUTABLE_DEFINITIONS, "The \"%s\" definition is not executable.",
                                      d->name),
                         d->loc);
        }
    }
    walk_t w = {v, bff_overlap_new(v)};
    cycles_t cycles = {.v = v};
    bff_names_init(&cycles.visited, v->arena, 16);
    bff_names_init(&cycles.index, v->arena, 16);
    for (uint32_t i = 0; i < doc->definitions.len && !v->aborted; ++i) {
        const bff_ast_node_t *d = doc->definitions.items[i];
        if (d->kind == BFF_AST_OPERATION_DEFINITION) {
            walk_operation(&w, d, nops);
        } else if (d->kind == BFF_AST_FRAGMENT_DEFINITION) {
            if (bff_rule_on(v, BFF_RULE_NO_FRAGMENT_CYCLES))
                detect_cycles(&cycles, d);
            walk_fragment(&w, d);
        } else {
            walk_sdl(v, d);
        }
    }
    free(cycles.path);
    cycles.path = NULL;
    bff_overlap_free(w.overlap);
    w.overlap = NULL;
    for (uint32_t i = 0; i < doc->definitions.len && !v->aborted; ++i) {
        const bff_ast_node_t *d = doc->definitions.items[i];
        if (d->kind == BFF_AST_OPERATION_DEFINITION)
            operation_variable_rules(v, d);
    }
    if (bff_rule_on(v, BFF_RULE_NO_UNUSED_FRAGMENTS) && !v->aborted)
        no_unused_fragments(v);
}

size_t bff_gql_validate(const bff_schema_t *schema, const bff_ast_node_t *document, const bff_validate_options_t *opts,
                        bff_arena_t *arena, bff_gql_errors_t *errs)
{
    bff_vctx_t *v = bff_arena_calloc(arena, 1, sizeof(*v));
    v->schema = schema;
    v->doc = document;
    v->arena = arena;
    v->errs = errs;
    v->max_errors = opts && opts->max_errors ? opts->max_errors : 100;
    v->skip = opts ? opts->skip_rules : 0;
    bff_names_init(&v->fragments, arena, 16);
    bff_names_init(&v->usages, arena, 16);
    bff_names_init(&v->labels, arena, 8);
    bff_names_init(&v->deferless, arena, 8);
    run(v);
    return v->nerrors;
}
