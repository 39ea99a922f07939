/*
 * providers.c - the provider table: defaults, then the "providers" setting.
 */
#include "providers.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graphql/arena.h"

static const char *const names[] = {
#define PROVIDER_NAME(n) #n,
    BFF_PROVIDER_NAMES(PROVIDER_NAME)
#undef PROVIDER_NAME
};
#define NPROVIDERS (sizeof(names) / sizeof(names[0]))

struct st_bff_providers_t {
    bff_provider_conf_t items[NPROVIDERS];
};

static bff_providers_t *fail(bff_providers_t *p, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bff_providers_t *fail(bff_providers_t *p, char *err, size_t errlen, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "setting \"providers\": %s", why);
    bff_providers_free(p);
    return NULL;
}

static bool valid_url(const char *u)
{
    if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
        return false;
    for (const char *c = u; *c; ++c)
        if ((unsigned char)*c <= 0x20 || *c == 0x7F)
            return false;
    return strlen(u) > 8 && strlen(u) < 1024;
}

/* "Name: value": a token, a colon, printable ASCII; no CR or LF (header injection). */
static bool valid_header(const char *h)
{
    const char *colon = strchr(h, ':');
    if (colon == NULL || colon == h || strlen(h) > 4096)
        return false;
    for (const char *c = h; c < colon; ++c)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
            return false;
    for (const char *c = colon + 1; *c; ++c)
        if ((unsigned char)*c < 0x20 || *c == 0x7F)
            return false;
    return true;
}

static char *strip_slash(const char *u)
{
    char *s = bff_xstrdup(u);
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '/')
        s[--n] = '\0';
    return s;
}

bff_providers_t *bff_providers_new(const char *default_url, uint32_t default_timeout_ms, const char *default_ca_file,
                                   const char *json, char *err, size_t errlen)
{
    bff_providers_t *p = bff_xcalloc(1, sizeof(*p));
    for (size_t i = 0; i < NPROVIDERS; ++i) {
        p->items[i].name = names[i];
        p->items[i].url = strip_slash(default_url);
        p->items[i].timeout_ms = default_timeout_ms;
        p->items[i].ca_file = default_ca_file && *default_ca_file ? bff_xstrdup(default_ca_file) : NULL;
    }
    if (default_ca_file && *default_ca_file && access(default_ca_file, R_OK) != 0)
        return fail(p, err, errlen, "providers_ca_file %s cannot be read", default_ca_file);
    if (!valid_url(default_url))
        return fail(p, err, errlen, "providers_url must be an http:// or https:// URL, got \"%s\"", default_url);
    json_error_t jerr;
    json_t *root = json_loads(json ? json : "{}", JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return fail(p, err, errlen, "must be a JSON object of provider name -> {url, auth_header, timeout_ms}");
    }
    const char *name;
    json_t *entry;
    json_object_foreach(root, name, entry)
    {
        bff_provider_conf_t *c = (bff_provider_conf_t *)bff_providers_get(p, name);
        const char *bad = NULL;
        if (c == NULL)
            bad = "is not a provider (catalog, pricing, inventory, promotions, tax, shipping, payments, orders, "
                  "reviews, recommendations, carts, customers)";
        else if (!json_is_object(entry))
            bad = "must be an object {url, auth_header, timeout_ms}";
        const char *key;
        json_t *v;
        json_object_foreach(entry, key, v)
        {
            if (bad != NULL)
                break;
            if (strcmp(key, "url") == 0) {
                if (!json_is_string(v) || !valid_url(json_string_value(v)))
                    bad = "url must be an http:// or https:// URL";
                else {
                    free(c->url);
                    c->url = strip_slash(json_string_value(v));
                }
            } else if (strcmp(key, "auth_header") == 0) {
                if (!json_is_string(v) || !valid_header(json_string_value(v)))
                    bad = "auth_header must be one header line, \"Name: value\"";
                else {
                    free(c->auth_header);
                    c->auth_header = bff_xstrdup(json_string_value(v));
                }
            } else if (strcmp(key, "ca_file") == 0) {
                if (!json_is_string(v) || access(json_string_value(v), R_OK) != 0)
                    bad = "ca_file must be a readable PEM file";
                else {
                    free(c->ca_file);
                    c->ca_file = bff_xstrdup(json_string_value(v));
                }
            } else if (strcmp(key, "timeout_ms") == 0) {
                if (!json_is_integer(v) || json_integer_value(v) < 10 || json_integer_value(v) > 600000)
                    bad = "timeout_ms must be an integer between 10 and 600000";
                else
                    c->timeout_ms = (uint32_t)json_integer_value(v);
            } else {
                bad = "has an unknown key (url, auth_header, timeout_ms, ca_file)";
            }
        }
        if (bad != NULL) {
            bff_providers_t *none = fail(p, err, errlen, "\"%.64s\" %s", name, bad);
            json_decref(root); /* after: `name` is the root's */
            return none;
        }
    }
    json_decref(root);
    return p;
}

void bff_providers_free(bff_providers_t *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < NPROVIDERS; ++i) {
        free(p->items[i].url);
        free(p->items[i].auth_header);
        free(p->items[i].ca_file);
    }
    free(p);
}

const bff_provider_conf_t *bff_providers_get(const bff_providers_t *p, const char *name)
{
    for (size_t i = 0; i < NPROVIDERS; ++i)
        if (strcmp(p->items[i].name, name) == 0)
            return &p->items[i];
    return NULL;
}
