/*
 * config.c - reading the settings table of config.h from defaults, a JSON
 * file (jansson), the environment and the command line. Strings are heap
 * copies owned by the config (bff_config_free releases them).
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

typedef enum { T_STR, T_INT, T_BOOL, T_JSON, T_RATIO } setting_type_t;

typedef struct st_setting_t {
    const char *key;
    const char *env;
    setting_type_t type;
    size_t offset;
    const char *def_str;
    int64_t def_int;
    double def_ratio;
    int64_t min, max;
} setting_t;

#define DEF_STR_STR(d) d
#define DEF_STR_INT(d) NULL
#define DEF_STR_BOOL(d) NULL
#define DEF_STR_JSON(d) d
#define DEF_INT_STR(d) 0
#define DEF_INT_INT(d) (d)
#define DEF_INT_BOOL(d) (d)
#define DEF_INT_JSON(d) 0
#define DEF_STR_RATIO(d) NULL
#define DEF_INT_RATIO(d) 0
#define DEF_RATIO_STR(d) 0
#define DEF_RATIO_INT(d) 0
#define DEF_RATIO_BOOL(d) 0
#define DEF_RATIO_JSON(d) 0
#define DEF_RATIO_RATIO(d) (d)

static const setting_t settings[] = {
#define BFF_SETTING(key, env, type, field, def, min, max)                                                              \
    {key, env, T_##type, offsetof(bff_config_t, field), DEF_STR_##type(def), DEF_INT_##type(def), DEF_RATIO_##type(def), \
     min, max},
    BFF_CONFIG_SETTINGS(BFF_SETTING)
#undef BFF_SETTING
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static char **str_slot(bff_config_t *c, const setting_t *s)
{
    return (char **)((char *)c + s->offset);
}

static int64_t *int_slot(bff_config_t *c, const setting_t *s)
{
    return (int64_t *)((char *)c + s->offset);
}

static double *ratio_slot(bff_config_t *c, const setting_t *s)
{
    return (double *)((char *)c + s->offset);
}

static int set_ratio(bff_config_t *c, const setting_t *s, double v, const char *origin, char *err, size_t errlen)
{
    if (!(v >= 0 && v <= 1)) /* NaN too */
        return fail(err, errlen, "%s: setting \"%s\" must be a number from 0 to 1, got %g", origin, s->key, v);
    *ratio_slot(c, s) = v;
    return 0;
}

void bff_config_init(bff_config_t *c)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < NSETTINGS; ++i) {
        if (settings[i].type == T_STR || settings[i].type == T_JSON)
            *str_slot(c, &settings[i]) = bff_xstrdup(settings[i].def_str);
        else if (settings[i].type == T_RATIO)
            *ratio_slot(c, &settings[i]) = settings[i].def_ratio;
        else
            *int_slot(c, &settings[i]) = settings[i].def_int;
    }
}

void bff_config_free(bff_config_t *c)
{
    for (size_t i = 0; i < NSETTINGS; ++i)
        if (settings[i].type == T_STR || settings[i].type == T_JSON) {
            free(*str_slot(c, &settings[i]));
            *str_slot(c, &settings[i]) = NULL;
        }
}

static const setting_t *find(const char *key)
{
    for (size_t i = 0; i < NSETTINGS; ++i)
        if (strcmp(settings[i].key, key) == 0)
            return &settings[i];
    return NULL;
}

static int set_int(bff_config_t *c, const setting_t *s, int64_t v, const char *origin, char *err, size_t errlen)
{
    if (v < s->min || v > s->max)
        return fail(err, errlen, "%s: setting \"%s\" must be between %lld and %lld, got %lld", origin, s->key,
                    (long long)s->min, (long long)s->max, (long long)v);
    *int_slot(c, s) = v;
    return 0;
}

/* A setting from text (environment, command line). */
static int set_text(bff_config_t *c, const setting_t *s, const char *value, const char *origin, char *err,
                    size_t errlen)
{
    switch (s->type) {
    case T_JSON: {
        json_error_t jerr;
        json_t *v = json_loads(value, JSON_REJECT_DUPLICATES, &jerr);
        bool object = json_is_object(v);
        json_decref(v);
        if (!object)
            return fail(err, errlen, "%s: setting \"%s\" must be a JSON object", origin, s->key);
    }
        /* fall through */
    case T_STR:
        free(*str_slot(c, s));
        *str_slot(c, s) = bff_xstrdup(value);
        return 0;
    case T_BOOL:
        if (strcmp(value, "1") == 0 || strcmp(value, "true") == 0)
            return set_int(c, s, 1, origin, err, errlen);
        if (strcmp(value, "0") == 0 || strcmp(value, "false") == 0)
            return set_int(c, s, 0, origin, err, errlen);
        return fail(err, errlen, "%s: setting \"%s\" must be true or false, got \"%s\"", origin, s->key, value);
    case T_RATIO: {
        char *end;
        errno = 0;
        double v = strtod(value, &end);
        if (errno != 0 || end == value || *end != '\0')
            return fail(err, errlen, "%s: setting \"%s\" must be a number from 0 to 1, got \"%s\"", origin, s->key, value);
        return set_ratio(c, s, v, origin, err, errlen);
    }
    case T_INT: {
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0')
            return fail(err, errlen, "%s: setting \"%s\" must be an integer, got \"%s\"", origin, s->key, value);
        return set_int(c, s, v, origin, err, errlen);
    }
    }
    return -1;
}

int bff_config_set(bff_config_t *c, const char *key, const char *value, char *err, size_t errlen)
{
    const setting_t *s = find(key);
    if (s == NULL)
        return fail(err, errlen, "unknown setting \"%s\"", key);
    return set_text(c, s, value, "command line", err, errlen);
}

int bff_config_load_file(bff_config_t *c, const char *path, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return fail(err, errlen, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
    int rc = 0;
    if (!json_is_object(root)) {
        rc = fail(err, errlen, "%s: the config must be a JSON object", path);
        goto done;
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        const setting_t *s = find(key);
        if (s == NULL) {
            rc = fail(err, errlen, "%s: unknown setting \"%s\"", path, key);
            goto done;
        }
        if (s->type == T_JSON) {
            if (!json_is_object(v)) {
                rc = fail(err, errlen, "%s: setting \"%s\" must be an object", path, key);
                goto done;
            }
            free(*str_slot(c, s));
            *str_slot(c, s) = json_dumps(v, JSON_COMPACT);
        } else if (s->type == T_STR) {
            if (!json_is_string(v)) {
                rc = fail(err, errlen, "%s: setting \"%s\" must be a string", path, key);
                goto done;
            }
            free(*str_slot(c, s));
            *str_slot(c, s) = bff_xstrdup(json_string_value(v));
        } else if (s->type == T_BOOL) {
            if (!json_is_boolean(v)) {
                rc = fail(err, errlen, "%s: setting \"%s\" must be true or false", path, key);
                goto done;
            }
            *int_slot(c, s) = json_is_true(v);
        } else if (s->type == T_RATIO) {
            if (!json_is_number(v)) {
                rc = fail(err, errlen, "%s: setting \"%s\" must be a number from 0 to 1", path, key);
                goto done;
            }
            if ((rc = set_ratio(c, s, json_number_value(v), path, err, errlen)) != 0)
                goto done;
        } else {
            if (!json_is_integer(v)) {
                rc = fail(err, errlen, "%s: setting \"%s\" must be an integer", path, key);
                goto done;
            }
            if ((rc = set_int(c, s, json_integer_value(v), path, err, errlen)) != 0)
                goto done;
        }
    }
done:
    json_decref(root);
    return rc;
}

int bff_config_load_env(bff_config_t *c, char *err, size_t errlen)
{
    for (size_t i = 0; i < NSETTINGS; ++i) {
        const char *v = getenv(settings[i].env);
        if (v != NULL && set_text(c, &settings[i], v, settings[i].env, err, errlen) != 0)
            return -1;
    }
    return 0;
}

int bff_config_finish(bff_config_t *c, char *err, size_t errlen)
{
    const char *colon = strrchr(c->listen, ':');
    if (colon == NULL || colon == c->listen || (size_t)(colon - c->listen) >= sizeof(c->host))
        return fail(err, errlen, "setting \"listen\" must be HOST:PORT, got \"%s\"", c->listen);
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535 || end == colon + 1)
        return fail(err, errlen, "setting \"listen\": bad port in \"%s\"", c->listen);
    memcpy(c->host, c->listen, (size_t)(colon - c->listen));
    c->host[colon - c->listen] = '\0';
    /* [::1]:8080 */
    if (c->host[0] == '[') {
        size_t n = strlen(c->host);
        if (n < 2 || c->host[n - 1] != ']')
            return fail(err, errlen, "setting \"listen\": bad IPv6 address in \"%s\"", c->listen);
        memmove(c->host, c->host + 1, n - 2);
        c->host[n - 2] = '\0';
    }
    c->port = (int)port;
    if ((c->tls_cert[0] != '\0') != (c->tls_key[0] != '\0'))
        return fail(err, errlen, "settings \"tls_cert\" and \"tls_key\" must be given together");
    return 0;
}
