/*
 * governance.c - bff-schema's commands for schema owners:
 *
 *   lint FILE...         descriptions everywhere; names: types PascalCase,
 *                        fields and arguments camelCase, enum values
 *                        UPPER_CASE; a deprecation gives a reason with a
 *                        replacement ("Use `x`") and a removal date.
 *   diff OLD NEW         every change, classed breaking, dangerous or safe
 *                        (the classes graphql-inspector uses).
 *   check --baseline B [--usage EXPORT] [--days N] [--today YYYY-MM-DD] FILE...
 *                        the schema against the baseline: exit 1 on a
 *                        breaking change, except the removal of an element
 *                        that the baseline deprecated, whose removal date has
 *                        passed, and that the usage export (/admin/deprecations
 *                        JSON) shows unused for N days (default 30).
 *
 * Findings go to stdout, one a line: "breaking: Field Product.title was removed".
 */
#include "governance.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "graphql/deprecations.h"
#include "graphql/schema.h"

typedef enum { SAFE, DANGEROUS, BREAKING } level_t;
static const char *const level_names[] = {"safe", "dangerous", "breaking"};

typedef struct st_change_t {
    level_t level;
    char *coordinate; /* the element, for the removal exemption */
    char *text;
} change_t;

typedef struct st_changes_t {
    change_t *items;
    size_t n, cap;
} changes_t;

static void add(changes_t *c, level_t level, const char *coordinate, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add(changes_t *c, level_t level, const char *coordinate, const char *fmt, ...)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 32;
        c->items = realloc(c->items, c->cap * sizeof(*c->items));
    }
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    c->items[c->n++] = (change_t){level, strdup(coordinate), strdup(text)};
}

static void changes_free(changes_t *c)
{
    for (size_t i = 0; i < c->n; ++i) {
        free(c->items[i].coordinate);
        free(c->items[i].text);
    }
    free(c->items);
}

static char *typeref_text(const bff_typeref_t *t)
{
    bff_buf_t b = BFF_BUF_INIT;
    bff_typeref_print(&b, t);
    bff_buf_appendc(&b, '\0');
    char *s = strdup(b.data);
    bff_buf_free(&b);
    return s;
}

static bool same_typeref(const bff_typeref_t *a, const bff_typeref_t *b)
{
    char *x = typeref_text(a), *y = typeref_text(b);
    bool same = strcmp(x, y) == 0;
    free(x);
    free(y);
    return same;
}

/* An output type change: only adding non-null (at the top) is safe for clients. */
static level_t output_change(const bff_typeref_t *old, const bff_typeref_t *new)
{
    if (new->kind == BFF_TYPEREF_NON_NULL && old->kind != BFF_TYPEREF_NON_NULL && same_typeref(old, new->of))
        return SAFE;
    return BREAKING;
}

/* An input type change: only dropping non-null (at the top) is safe. */
static level_t input_change(const bff_typeref_t *old, const bff_typeref_t *new)
{
    if (old->kind == BFF_TYPEREF_NON_NULL && new->kind != BFF_TYPEREF_NON_NULL && same_typeref(old->of, new))
        return SAFE;
    return BREAKING;
}

static const bff_input_value_t *find_input(const bff_input_value_t *vs, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; ++i)
        if (strcmp(vs[i].name, name) == 0)
            return &vs[i];
    return NULL;
}

/* A schema coordinate written into `b` (reset first); no fixed buffer, so no name is ever cut. */
static const char *coordf(bff_buf_t *b, const char *fmt, const char *a, const char *c)
{
    bff_buf_reset(b);
    bff_buf_printf(b, fmt, a, c);
    return b->data;
}

/* Arguments of a field, or fields of an input object: `what` is "Argument" or "Input field". */
static void diff_inputs(changes_t *c, const char *owner, const char *what, const bff_input_value_t *old, uint32_t nold,
                        const bff_input_value_t *new, uint32_t nnew)
{
    bff_buf_t coord_buf = BFF_BUF_INIT;
    const char *coord = NULL;
    for (uint32_t i = 0; i < nold; ++i) {
        coord = coordf(&coord_buf, "%s(%s:)", owner, old[i].name);
        const bff_input_value_t *n = find_input(new, nnew, old[i].name);
        if (n == NULL) {
            add(c, BREAKING, coord, "%s %s was removed", what, coord);
            continue;
        }
        if (!same_typeref(old[i].type, n->type)) {
            char *a = typeref_text(old[i].type), *b = typeref_text(n->type);
            add(c, input_change(old[i].type, n->type), coord, "%s %s changed type from %s to %s", what, coord, a, b);
            free(a);
            free(b);
        }
        if ((old[i].default_value == NULL) != (n->default_value == NULL))
            add(c, DANGEROUS, coord, "%s %s %s its default value", what, coord, n->default_value ? "gained" : "lost");
    }
    for (uint32_t i = 0; i < nnew; ++i) {
        if (find_input(old, nold, new[i].name) != NULL)
            continue;
        coord = coordf(&coord_buf, "%s(%s:)", owner, new[i].name);
        bool required = new[i].type->kind == BFF_TYPEREF_NON_NULL && new[i].default_value == NULL;
        add(c, required ? BREAKING : SAFE, coord, "%s %s was added%s", what, coord, required ? " as required" : "");
    }
    bff_buf_free(&coord_buf);
}

static void diff_type(changes_t *c, const bff_type_t *o, const bff_type_t *n)
{
    static const char *const kinds[] = {"scalar", "object", "interface", "union", "enum", "input object"};
    bff_buf_t coord_buf = BFF_BUF_INIT;
    const char *coord = NULL;
    if (o->kind != n->kind) {
        add(c, BREAKING, o->name, "Type %s changed kind from %s to %s", o->name, kinds[o->kind], kinds[n->kind]);
        return;
    }
    for (uint32_t i = 0; i < o->nfields; ++i) {
        const bff_field_t *of = &o->fields[i], *nf = NULL;
        for (uint32_t k = 0; k < n->nfields && nf == NULL; ++k)
            if (strcmp(n->fields[k].name, of->name) == 0)
                nf = &n->fields[k];
        coord = coordf(&coord_buf, "%s.%s", o->name, of->name);
        if (nf == NULL) {
            add(c, BREAKING, coord, "Field %s was removed%s", coord, of->deprecated ? " (it was deprecated)" : "");
            continue;
        }
        if (!same_typeref(of->type, nf->type)) {
            char *a = typeref_text(of->type), *b = typeref_text(nf->type);
            add(c, output_change(of->type, nf->type), coord, "Field %s changed type from %s to %s", coord, a, b);
            free(a);
            free(b);
        }
        if (!of->deprecated && nf->deprecated)
            add(c, SAFE, coord, "Field %s was deprecated", coord);
        diff_inputs(c, coord, "Argument", of->args, of->nargs, nf->args, nf->nargs);
    }
    for (uint32_t k = 0; k < n->nfields; ++k) {
        bool known = false;
        for (uint32_t i = 0; i < o->nfields && !known; ++i)
            known = strcmp(o->fields[i].name, n->fields[k].name) == 0;
        if (!known) {
            coord = coordf(&coord_buf, "%s.%s", n->name, n->fields[k].name);
            add(c, SAFE, coord, "Field %s was added", coord);
        }
    }
    if (o->kind == BFF_TYPE_INPUT_OBJECT)
        diff_inputs(c, o->name, "Input field", o->input_fields, o->ninput_fields, n->input_fields, n->ninput_fields);
    for (uint32_t i = 0; i < o->nenum_values; ++i) {
        coord = coordf(&coord_buf, "%s.%s", o->name, o->enum_values[i].name);
        if (bff_type_enum_value(n, o->enum_values[i].name) == NULL)
            add(c, BREAKING, coord, "Enum value %s was removed", coord);
    }
    for (uint32_t i = 0; i < n->nenum_values; ++i) {
        coord = coordf(&coord_buf, "%s.%s", n->name, n->enum_values[i].name);
        if (bff_type_enum_value(o, n->enum_values[i].name) == NULL)
            add(c, DANGEROUS, coord, "Enum value %s was added (clients that switch over all values need a case)", coord);
    }
    for (uint32_t i = 0; o->kind == BFF_TYPE_UNION && i < o->npossible_types; ++i) {
        bool kept = false;
        for (uint32_t k = 0; k < n->npossible_types && !kept; ++k)
            kept = strcmp(n->possible_types[k]->name, o->possible_types[i]->name) == 0;
        if (!kept)
            add(c, BREAKING, o->name, "Member %s was removed from union %s", o->possible_types[i]->name, o->name);
    }
    for (uint32_t i = 0; i < o->ninterfaces; ++i) {
        bool kept = false;
        for (uint32_t k = 0; k < n->ninterfaces && !kept; ++k)
            kept = strcmp(n->interfaces[k]->name, o->interfaces[i]->name) == 0;
        if (!kept)
            add(c, BREAKING, o->name, "%s no longer implements %s", o->name, o->interfaces[i]->name);
    }
    bff_buf_free(&coord_buf);
}

static void diff_schemas(changes_t *c, const bff_schema_t *old, const bff_schema_t *new)
{
    for (uint32_t i = 0; i < old->ntypes; ++i) {
        const bff_type_t *o = old->types[i];
        if (o->builtin)
            continue;
        const bff_type_t *n = bff_schema_type(new, o->name);
        if (n == NULL)
            add(c, BREAKING, o->name, "Type %s was removed", o->name);
        else
            diff_type(c, o, n);
    }
    for (uint32_t i = 0; i < new->ntypes; ++i)
        if (!new->types[i]->builtin && bff_schema_type(old, new->types[i]->name) == NULL)
            add(c, SAFE, new->types[i]->name, "Type %s was added", new->types[i]->name);
}

static bff_schema_t *load(const char *path)
{
    bff_arena_t *arena = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    const char *paths[1] = {path};
    bff_schema_t *s = bff_schema_build_files(paths, 1, NULL, arena, &errs);
    for (bff_gql_error_t *e = errs.head; s == NULL && e != NULL; e = e->next)
        fprintf(stderr, "%s: %s\n", path, e->message);
    bff_arena_free(arena);
    return s;
}

int bff_cmd_diff(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bff-schema diff OLD.graphql NEW.graphql\n");
        return 2;
    }
    bff_schema_t *old = load(argv[0]), *new = load(argv[1]);
    int rc = 2;
    if (old != NULL && new != NULL) {
        changes_t c = {0};
        diff_schemas(&c, old, new);
        rc = 0;
        for (size_t i = 0; i < c.n; ++i) {
            printf("%s: %s\n", level_names[c.items[i].level], c.items[i].text);
            if (c.items[i].level == BREAKING)
                rc = 1;
        }
        changes_free(&c);
    }
    bff_schema_free(old);
    bff_schema_free(new);
    return rc;
}

/* ---- lint ---- */

static bool alnum(const char *s)
{
    for (; *s; ++s)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
            return false;
    return true;
}

static bool pascal(const char *s)
{
    return s[0] >= 'A' && s[0] <= 'Z' && alnum(s);
}

static bool camel(const char *s)
{
    return s[0] >= 'a' && s[0] <= 'z' && alnum(s);
}

static bool upper(const char *s)
{
    for (; *s; ++s)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static int lint_deprecation(const char *coord, const char *reason)
{
    int n = 0;
    if (reason == NULL || strstr(reason, "Use `") == NULL) {
        printf("lint: %s is deprecated without naming its replacement (\"Use `x`\")\n", coord);
        n++;
    }
    if (bff_deprecation_removal_date(reason) == NULL) {
        printf("lint: %s is deprecated without a removal date (YYYY-MM-DD)\n", coord);
        n++;
    }
    return n;
}

/* One element: described, named after its convention, and deprecated properly if it is. */
static int lint_element(const char *coord, const char *description, bool named_ok, const char *convention,
                        bool deprecated, const char *reason)
{
    int found = 0;
    if (description == NULL || description[0] == '\0')
        printf("lint: %s has no description\n", coord), found++;
    if (!named_ok)
        printf("lint: %s is not %s\n", coord, convention), found++;
    if (deprecated)
        found += lint_deprecation(coord, reason);
    return found;
}

static int lint_inputs(const char *owner, const bff_input_value_t *vs, uint32_t n, bool args)
{
    int found = 0;
    for (uint32_t i = 0; i < n; ++i) {
        bff_buf_t coord_buf = BFF_BUF_INIT;
        const char *coord = coordf(&coord_buf, args ? "%s(%s:)" : "%s.%s", owner, vs[i].name);
        found += lint_element(coord, vs[i].description, camel(vs[i].name), "camelCase", vs[i].deprecated,
                              vs[i].deprecation_reason);
        bff_buf_free(&coord_buf);
    }
    return found;
}

int bff_cmd_lint(int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: bff-schema lint SCHEMA.graphql\n");
        return 2;
    }
    bff_schema_t *s = load(argv[0]);
    if (s == NULL)
        return 2;
    int found = 0;
    for (uint32_t i = 0; i < s->ntypes; ++i) {
        const bff_type_t *t = s->types[i];
        if (t->builtin)
            continue;
        bff_buf_t coord_buf = BFF_BUF_INIT;
        const char *coord = coordf(&coord_buf, "type %s%s", t->name, "");
        found += lint_element(coord, t->description, pascal(t->name), "PascalCase", false, NULL);
        for (uint32_t f = 0; f < t->nfields; ++f) {
            const bff_field_t *d = &t->fields[f];
            coord = coordf(&coord_buf, "%s.%s", t->name, d->name);
            found += lint_element(coord, d->description, camel(d->name), "camelCase", d->deprecated, d->deprecation_reason);
            found += lint_inputs(coord, d->args, d->nargs, true);
        }
        found += lint_inputs(t->name, t->input_fields, t->ninput_fields, false);
        for (uint32_t e = 0; e < t->nenum_values; ++e) {
            const bff_enum_value_t *v = &t->enum_values[e];
            coord = coordf(&coord_buf, "%s.%s", t->name, v->name);
            found += lint_element(coord, v->description, upper(v->name), "UPPER_CASE", v->deprecated, v->deprecation_reason);
        }
        bff_buf_free(&coord_buf);
    }
    bff_schema_free(s);
    return found ? 1 : 0;
}

/* ---- check ---- */

/* The baseline's deprecation reason of a coordinate ("Type.field", "Enum.VALUE"), or NULL. */
static const char *baseline_deprecation(const bff_schema_t *s, const char *coord)
{
    char type[256];
    const char *dot = strchr(coord, '.');
    if (dot == NULL || (size_t)(dot - coord) >= sizeof(type) || strchr(coord, '(') != NULL)
        return NULL;
    memcpy(type, coord, (size_t)(dot - coord));
    type[dot - coord] = '\0';
    const bff_type_t *t = bff_schema_type(s, type);
    if (t == NULL)
        return NULL;
    const bff_field_t *f = bff_schema_field(s, t, dot + 1);
    if (f != NULL && f->deprecated)
        return f->deprecation_reason;
    const bff_enum_value_t *e = bff_type_enum_value(t, dot + 1);
    if (e != NULL && e->deprecated)
        return e->deprecation_reason;
    const bff_input_value_t *in = bff_type_input_field(t, dot + 1);
    return in != NULL && in->deprecated ? in->deprecation_reason : NULL;
}

/* Whether the usage export shows `coord` unused since `since` (YYYY-MM-DDTHH:MM:SSZ compares as text). */
static bool unused_since(json_t *usage, const char *coord, const char *since, const char **why)
{
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(usage, "deprecations"), i, d)
    {
        if (strcmp(json_string_value(json_object_get(d, "coordinate")) ?: "", coord) != 0)
            continue;
        size_t k;
        json_t *c;
        json_array_foreach(json_object_get(d, "clients"), k, c)
        {
            const char *seen = json_string_value(json_object_get(c, "lastSeen"));
            if (seen != NULL && strcmp(seen, since) >= 0) {
                *why = json_string_value(json_object_get(c, "name"));
                return false;
            }
        }
        return true;
    }
    *why = "no usage export names it";
    return false;
}

int bff_cmd_check(int argc, char **argv)
{
    const char *baseline = NULL, *usage_path = NULL, *today = NULL, *schema_path = NULL;
    long days = 30;
    bool fleet = false;
    for (int i = 0; i < argc; ++i) {
        if (strcmp(argv[i], "--fleet") == 0)
            fleet = true;
        else if (strcmp(argv[i], "--baseline") == 0 && i + 1 < argc)
            baseline = argv[++i];
        else if (strcmp(argv[i], "--usage") == 0 && i + 1 < argc)
            usage_path = argv[++i];
        else if (strcmp(argv[i], "--days") == 0 && i + 1 < argc)
            days = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--today") == 0 && i + 1 < argc)
            today = argv[++i];
        else
            schema_path = argv[i];
    }
    if (baseline == NULL || schema_path == NULL) {
        fprintf(stderr, "usage: bff-schema check --baseline BASE.graphql [--usage EXPORT.json [--fleet]] [--days N] "
                        "[--today YYYY-MM-DD] SCHEMA.graphql\n");
        return 2;
    }
    char now[16], since[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof(now), "%Y-%m-%d", &tm);
    if (today == NULL)
        today = now;
    struct tm st = {0};
    if (sscanf(today, "%d-%d-%d", &st.tm_year, &st.tm_mon, &st.tm_mday) != 3) {
        fprintf(stderr, "bff-schema check: --today is YYYY-MM-DD\n");
        return 2;
    }
    st.tm_year -= 1900;
    st.tm_mon -= 1;
    time_t since_t = timegm(&st) - days * 86400;
    gmtime_r(&since_t, &st);
    strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", &st);
    json_error_t jerr;
    json_t *usage = usage_path ? json_load_file(usage_path, 0, &jerr) : NULL;
    if (usage_path != NULL && usage == NULL) {
        fprintf(stderr, "bff-schema check: %s: %s\n", usage_path, jerr.text);
        return 2;
    }
    const char *source = json_string_value(json_object_get(usage, "source"));
    if (usage != NULL && fleet && (source == NULL || strcmp(source, "fleet") != 0)) {
        /* one instance's data (Redis was away, or no redis_url): a removal would be decided on part of the traffic */
        fprintf(stderr,
                "bff-schema check: %s is not the fleet's usage (\"source\": \"%s\"); export it again while Redis "
                "answers\n",
                usage_path, source ? source : "none");
        json_decref(usage);
        return 2;
    }
    bff_schema_t *old = load(baseline), *new = load(schema_path);
    int rc = 2;
    if (old != NULL && new != NULL) {
        changes_t c = {0};
        diff_schemas(&c, old, new);
        rc = 0;
        for (size_t i = 0; i < c.n; ++i) {
            change_t *ch = &c.items[i];
            if (ch->level != BREAKING)
                continue;
            const char *reason = strstr(ch->text, "was removed") ? baseline_deprecation(old, ch->coordinate) : NULL;
            const char *date = bff_deprecation_removal_date(reason), *who = NULL;
            if (reason != NULL && date != NULL && strncmp(date, today, 10) < 0 && usage != NULL &&
                unused_since(usage, ch->coordinate, since, &who)) {
                printf("allowed: %s (deprecated, removal date %.10s passed, unused for %ld days)\n", ch->text, date, days);
                continue;
            }
            printf("breaking: %s", ch->text);
            if (reason != NULL && date != NULL && strncmp(date, today, 10) >= 0)
                printf(" (its removal date %.10s has not come)", date);
            else if (reason != NULL && usage == NULL)
                printf(" (give --usage to show it unused)");
            else if (reason != NULL && who != NULL)
                printf(" (still used: %s)", who);
            printf("\n");
            rc = 1;
        }
        if (rc == 0)
            printf("check: no breaking change against %s\n", baseline);
        changes_free(&c);
    }
    json_decref(usage);
    bff_schema_free(old);
    bff_schema_free(new);
    return rc;
}
