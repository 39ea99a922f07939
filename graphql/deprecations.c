/*
 * deprecations.c - the schema's deprecated elements (see deprecations.h); which of them an
 * operation uses is found by the admission analysis (analysis.c).
 */
#include "deprecations.h"

#include <string.h>

void bff_deprecations_each(const bff_schema_t *schema, bff_arena_t *arena, bff_deprecated_fn fn, void *arg)
{
    for (uint32_t i = 0; i < schema->ntypes; ++i) {
        const bff_type_t *t = schema->types[i];
        if (t->builtin)
            continue;
        for (uint32_t f = 0; f < t->nfields; ++f) {
            const bff_field_t *d = &t->fields[f];
            if (d->deprecated)
                fn(bff_arena_printf(arena, "%s.%s", t->name, d->name), d->deprecation_reason, arg);
            for (uint32_t a = 0; a < d->nargs; ++a)
                if (d->args[a].deprecated)
                    fn(bff_arena_printf(arena, "%s.%s(%s:)", t->name, d->name, d->args[a].name),
                       d->args[a].deprecation_reason, arg);
        }
        for (uint32_t f = 0; f < t->ninput_fields; ++f)
            if (t->input_fields[f].deprecated)
                fn(bff_arena_printf(arena, "%s.%s", t->name, t->input_fields[f].name),
                   t->input_fields[f].deprecation_reason, arg);
        for (uint32_t e = 0; e < t->nenum_values; ++e)
            if (t->enum_values[e].deprecated)
                fn(bff_arena_printf(arena, "%s.%s", t->name, t->enum_values[e].name),
                   t->enum_values[e].deprecation_reason, arg);
    }
}

const char *bff_deprecation_removal_date(const char *reason)
{
    for (const char *p = reason; p != NULL && *p; ++p)
        if (strlen(p) >= 10 && strspn(p, "0123456789") == 4 && p[4] == '-' && strspn(p + 5, "0123456789") == 2 &&
            p[7] == '-' && strspn(p + 8, "0123456789") == 2)
            return p;
    return NULL;
}
