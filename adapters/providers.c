/*
 * providers.c - the provider table: defaults, then the "providers" setting.
 */
#include "providers.h"

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"

static const char *const names[] = {
#define PROVIDER_NAME(id, n) #n,
    BFF_PROVIDERS(PROVIDER_NAME)
#undef PROVIDER_NAME
};
#define NPROVIDERS (sizeof(names) / sizeof(names[0]))

struct st_bff_providers_t {
    atomic_int refs;
    bff_provider_conf_t items[NPROVIDERS];
    bff_dep_stats_t *stats; /* the server's: NPROVIDERS */
    bff_bulkhead_conf_t bulkheads[BFF_POOL_COUNT];
};

static const char *const pool_names[] = {"checkout", "browse", "enrichment"};

const char *bff_pool_name(bff_pool_t pool)
{
    return pool < BFF_POOL_COUNT ? pool_names[pool] : "?";
}

/* Money goes through checkout; what a page is built from through browse; the rest is enrichment. */
static bff_pool_t default_pool(const char *name)
{
    static const char *const checkout[] = {"pricing", "promotions", "tax", "shipping", "payments", "orders"};
    static const char *const enrichment[] = {"reviews", "recommendations"};
    for (size_t i = 0; i < sizeof(checkout) / sizeof(checkout[0]); ++i)
        if (strcmp(name, checkout[i]) == 0)
            return BFF_POOL_CHECKOUT;
    for (size_t i = 0; i < sizeof(enrichment) / sizeof(enrichment[0]); ++i)
        if (strcmp(name, enrichment[i]) == 0)
            return BFF_POOL_ENRICHMENT;
    return BFF_POOL_BROWSE;
}

static const bff_breaker_conf_t default_breaker = {
    .window_ms = 10000, .min_calls = 20, .open_ms = 5000, .half_open_probes = 3, .failure_rate = 0.5,
    .slow_call_ms = 0, .slow_rate = 1.0,
};

/* {"window_ms", "min_calls", "open_ms", "half_open_probes", "failure_rate", "slow_call_ms", "slow_rate"} over b. */
static const char *parse_breaker(json_t *o, bff_breaker_conf_t *b)
{
    if (!json_is_object(o))
        return "breaker must be an object";
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        static const struct {
            const char *key;
            size_t offset;
            uint32_t min, max;
        } ints[] = {
            {"window_ms", offsetof(bff_breaker_conf_t, window_ms), 100, 3600000},
            {"min_calls", offsetof(bff_breaker_conf_t, min_calls), 1, 1000000},
            {"open_ms", offsetof(bff_breaker_conf_t, open_ms), 10, 3600000},
            {"half_open_probes", offsetof(bff_breaker_conf_t, half_open_probes), 1, 1000},
            {"slow_call_ms", offsetof(bff_breaker_conf_t, slow_call_ms), 0, 600000},
        };
        bool known = false;
        for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); ++i) {
            if (strcmp(key, ints[i].key) != 0)
                continue;
            known = true;
            if (!json_is_integer(v) || json_integer_value(v) < ints[i].min || json_integer_value(v) > ints[i].max)
                return "breaker has an integer setting out of range";
            *(uint32_t *)((char *)b + ints[i].offset) = (uint32_t)json_integer_value(v);
        }
        if (!known && (strcmp(key, "failure_rate") == 0 || strcmp(key, "slow_rate") == 0)) {
            known = true;
            if (!json_is_number(v) || json_number_value(v) <= 0 || json_number_value(v) > 1)
                return "breaker rates must be numbers in (0, 1]";
            *(strcmp(key, "failure_rate") == 0 ? &b->failure_rate : &b->slow_rate) = json_number_value(v);
        }
        if (!known)
            return "breaker has an unknown key (window_ms, min_calls, failure_rate, slow_call_ms, slow_rate, open_ms, "
                   "half_open_probes)";
    }
    return NULL;
}

/* {"max_attempts" 1..10, "backoff_ms", "backoff_cap_ms" 0..60000, "budget" 0..1} over c's. */
static const char *parse_retry(json_t *o, bff_provider_conf_t *c)
{
    if (!json_is_object(o))
        return "retry must be an object";
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        if (strcmp(key, "budget") == 0) {
            if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1)
                return "retry budget must be a number in [0, 1]";
            c->retry_budget = json_number_value(v);
            continue;
        }
        uint32_t *slot = strcmp(key, "max_attempts") == 0     ? &c->max_attempts
                         : strcmp(key, "backoff_ms") == 0     ? &c->backoff_ms
                         : strcmp(key, "backoff_cap_ms") == 0 ? &c->backoff_cap_ms
                                                              : NULL;
        if (slot == NULL)
            return "retry has an unknown key (max_attempts, backoff_ms, backoff_cap_ms, budget)";
        long long max = slot == &c->max_attempts ? 10 : 60000, min = slot == &c->max_attempts ? 1 : 0;
        if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
            return "retry: max_attempts is 1..10, backoff_ms and backoff_cap_ms 0..60000";
        *slot = (uint32_t)json_integer_value(v);
    }
    return NULL;
}

static const char *parse_bulkheads(const char *json, bff_bulkhead_conf_t *out)
{
    /*
     * What each pool is for sets its defaults (docs/decisions/provider-timeouts.md): a call's
     * time covers its queue wait and its retries. Enrichment (reviews, recommendations) may
     * be dropped from a page: 300 ms. Browse (catalog, inventory, carts, customers) is what a
     * page is made of: 1 s. Checkout (prices, tax, shipping, payments, orders) is money and
     * waits longest: 3 s, for a payment authorization.
     */
    static const bff_bulkhead_conf_t defaults[BFF_POOL_COUNT] = {
        [BFF_POOL_CHECKOUT] = {.max_concurrent = 128, .max_queue = 256, .queue_timeout_ms = 250, .timeout_ms = 3000},
        [BFF_POOL_BROWSE] = {.max_concurrent = 128, .max_queue = 256, .queue_timeout_ms = 250, .timeout_ms = 1000},
        [BFF_POOL_ENRICHMENT] = {.max_concurrent = 32, .max_queue = 64, .queue_timeout_ms = 50, .timeout_ms = 300},
    };
    for (int i = 0; i < BFF_POOL_COUNT; ++i)
        out[i] = defaults[i];
    json_error_t jerr;
    json_t *root = json_loads(json ? json : "{}", JSON_REJECT_DUPLICATES, &jerr);
    const char *bad = json_is_object(root) ? NULL : "setting \"bulkheads\" must be an object of pool -> settings";
    const char *name;
    json_t *o;
    json_object_foreach(root, name, o)
    {
        int pool = -1;
        for (int i = 0; i < BFF_POOL_COUNT; ++i)
            if (strcmp(name, pool_names[i]) == 0)
                pool = i;
        if (pool < 0 || !json_is_object(o)) {
            bad = "setting \"bulkheads\": pools are checkout, browse and enrichment, each an object";
            break;
        }
        const char *key;
        json_t *v;
        json_object_foreach(o, key, v)
        {
            uint32_t *slot = strcmp(key, "max_concurrent") == 0     ? &out[pool].max_concurrent
                             : strcmp(key, "max_queue") == 0        ? &out[pool].max_queue
                             : strcmp(key, "queue_timeout_ms") == 0 ? &out[pool].queue_timeout_ms
                             : strcmp(key, "timeout_ms") == 0       ? &out[pool].timeout_ms
                                                                    : NULL;
            long long min = slot == &out[pool].max_concurrent ? 1 : slot == &out[pool].timeout_ms ? 10 : 0;
            long long max = slot == &out[pool].timeout_ms ? 600000 : 100000;
            if (slot == NULL || !json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
                bad = "setting \"bulkheads\": max_concurrent (1..100000), max_queue and queue_timeout_ms (0..100000), "
                      "timeout_ms (10..600000)";
                break;
            }
            *slot = (uint32_t)json_integer_value(v);
        }
    }
    json_decref(root);
    return bad;
}

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
                                   const char *json, const char *bulkheads_json, bff_dep_stats_t *stats, char *err,
                                   size_t errlen)
{
    _Static_assert(NPROVIDERS == BFF_PROVIDER_COUNT, "one name per provider");
    bff_providers_t *p = bff_xcalloc(1, sizeof(*p));
    atomic_init(&p->refs, 1);
    p->stats = stats;
    for (size_t i = 0; i < NPROVIDERS; ++i) {
        p->items[i].name = names[i];
        p->items[i].index = (int)i;
        p->items[i].pool = default_pool(names[i]);
        p->items[i].breaker = default_breaker;
        p->items[i].max_attempts = 2;
        p->items[i].backoff_ms = 25;
        p->items[i].backoff_cap_ms = 250;
        p->items[i].retry_budget = 0.1;
        p->items[i].stats = &p->stats[i];
        p->items[i].url = strip_slash(default_url);
        p->items[i].timeout_ms = 0; /* set below: its own, else default_timeout_ms, else its pool's */
        p->items[i].ca_file = default_ca_file && *default_ca_file ? bff_xstrdup(default_ca_file) : NULL;
    }
    const char *bad_bulkheads = parse_bulkheads(bulkheads_json, p->bulkheads);
    if (bad_bulkheads != NULL) {
        snprintf(err, errlen, "%s", bad_bulkheads);
        bff_providers_free(p);
        return NULL;
    }
    if (default_ca_file && *default_ca_file && access(default_ca_file, R_OK) != 0)
        return fail(p, err, errlen, "providers_ca_file %s cannot be read", default_ca_file);
    if (default_timeout_ms != 0 && default_timeout_ms < 10)
        return fail(p, err, errlen, "provider_timeout_ms must be 0 (each pool's default) or 10..600000");
    if (default_url[0] != '\0' && !valid_url(default_url)) /* empty: not configured (each provider may have its own) */
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
            } else if (strcmp(key, "connect_timeout_ms") == 0) {
                if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 600000)
                    bad = "connect_timeout_ms must be an integer between 1 and 600000";
                else
                    c->connect_timeout_ms = (uint32_t)json_integer_value(v);
            } else if (strcmp(key, "retry") == 0) {
                bad = parse_retry(v, c);
            } else if (strcmp(key, "breaker") == 0) {
                bad = parse_breaker(v, &c->breaker);
            } else if (strcmp(key, "pool") == 0) {
                int pool = -1;
                for (int i = 0; json_is_string(v) && i < BFF_POOL_COUNT; ++i)
                    if (strcmp(json_string_value(v), pool_names[i]) == 0)
                        pool = i;
                if (pool < 0)
                    bad = "pool must be checkout, browse or enrichment";
                else
                    c->pool = (bff_pool_t)pool;
            } else if (strcmp(key, "timeout_ms") == 0) {
                if (!json_is_integer(v) || json_integer_value(v) < 10 || json_integer_value(v) > 600000)
                    bad = "timeout_ms must be an integer between 10 and 600000";
                else
                    c->timeout_ms = (uint32_t)json_integer_value(v);
            } else {
                bad = "has an unknown key (url, auth_header, timeout_ms, connect_timeout_ms, ca_file, pool, breaker, retry)";
            }
        }
        if (bad != NULL) {
            bff_providers_t *none = fail(p, err, errlen, "\"%.64s\" %s", name, bad);
            json_decref(root); /* after: `name` is the root's */
            return none;
        }
    }
    json_decref(root);
    for (size_t i = 0; i < NPROVIDERS; ++i) {
        bff_provider_conf_t *c = &p->items[i];
        if (c->timeout_ms == 0)
            c->timeout_ms = default_timeout_ms ? default_timeout_ms : p->bulkheads[c->pool].timeout_ms;
        /* the host and port its spans name (server.address, server.port) */
        const char *host = strstr(c->url, "://");
        host = host != NULL ? host + 3 : c->url;
        c->host = host;
        c->host_len = strcspn(host, ":/");
        c->port = host[c->host_len] == ':' ? (int)strtol(host + c->host_len + 1, NULL, 10)
                  : strncmp(c->url, "https:", 6) == 0 ? 443
                                                      : 80;
    }
    return p;
}

const bff_providers_t *bff_providers_ref(const bff_providers_t *p)
{
    atomic_fetch_add(&((bff_providers_t *)p)->refs, 1);
    return p;
}

void bff_providers_free(const bff_providers_t *cp)
{
    bff_providers_t *p = (bff_providers_t *)cp;
    if (p == NULL || atomic_fetch_sub(&p->refs, 1) != 1)
        return;
    for (size_t i = 0; i < NPROVIDERS; ++i) {
        free(p->items[i].url);
        free(p->items[i].auth_header);
        free(p->items[i].ca_file);
    }
    free(p);
}

size_t bff_providers_unconfigured(const bff_providers_t *p, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < NPROVIDERS; ++i)
        if (p->items[i].url[0] == '\0' && n < max)
            out[n++] = p->items[i].name;
    return n;
}

const bff_provider_conf_t *bff_providers_get(const bff_providers_t *p, const char *name)
{
    for (size_t i = 0; i < NPROVIDERS; ++i)
        if (strcmp(p->items[i].name, name) == 0)
            return &p->items[i];
    return NULL;
}

size_t bff_providers_count(const bff_providers_t *p)
{
    return NPROVIDERS;
}

const bff_provider_conf_t *bff_providers_at(const bff_providers_t *p, size_t i)
{
    return i < NPROVIDERS ? &p->items[i] : NULL;
}

const bff_bulkhead_conf_t *bff_providers_bulkhead(const bff_providers_t *p, bff_pool_t pool)
{
    return &p->bulkheads[pool];
}

void bff_providers_write_metrics(const bff_providers_t *p, bff_buf_t *out)
{
    static const struct {
        const char *name, *type, *help;
        size_t offset;
    } counters[] = {
        {"bff_dependency_calls_total", "counter", "Calls made to each provider.", offsetof(bff_dep_stats_t, calls)},
        {"bff_dependency_failures_total", "counter", "Calls that failed (transport, timeout, 5xx, not JSON).",
         offsetof(bff_dep_stats_t, failures)},
        {"bff_dependency_timeouts_total", "counter", "Calls that timed out.", offsetof(bff_dep_stats_t, timeouts)},
        {"bff_dependency_cancelled_total", "counter", "Calls cancelled because their request ended (client gone).",
         offsetof(bff_dep_stats_t, cancelled)},
        {"bff_dependency_bulkhead_rejections_total", "counter",
         "Calls refused by a full bulkhead or timed out waiting in it.", offsetof(bff_dep_stats_t, rejected)},
        {"bff_dependency_short_circuited_total", "counter", "Calls refused by an open circuit breaker.",
         offsetof(bff_dep_stats_t, short_circuited)},
        {"bff_dependency_breaker_opens_total", "counter", "Times a breaker opened.", offsetof(bff_dep_stats_t, breaker_opens)},
        {"bff_dependency_retries_total", "counter", "Reads tried again after a failure.", offsetof(bff_dep_stats_t, retries)},
        {"bff_dependency_retries_denied_total", "counter", "Retries not made: the retry budget was spent.",
         offsetof(bff_dep_stats_t, retries_denied)},
        {"bff_dependency_in_flight", "gauge", "Calls in flight.", offsetof(bff_dep_stats_t, in_flight)},
    };
    for (size_t c = 0; c < sizeof(counters) / sizeof(counters[0]); ++c) {
        bff_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", counters[c].name, counters[c].help, counters[c].name,
                       counters[c].type);
        for (size_t i = 0; i < NPROVIDERS; ++i) {
            atomic_ullong *v = (atomic_ullong *)((char *)&p->stats[i] + counters[c].offset);
            bff_buf_printf(out, "%s{dependency=\"%s\"} %llu\n", counters[c].name, names[i],
                           (unsigned long long)atomic_load_explicit(v, memory_order_relaxed));
        }
    }
    bff_buf_appends(out, "# HELP bff_dependency_breaker_not_closed Workers whose breaker for the provider is open or "
                         "half-open.\n# TYPE bff_dependency_breaker_not_closed gauge\n");
    for (size_t i = 0; i < NPROVIDERS; ++i)
        bff_buf_printf(out, "bff_dependency_breaker_not_closed{dependency=\"%s\"} %d\n", names[i],
                       atomic_load_explicit(&p->stats[i].breakers_not_closed, memory_order_relaxed));
    static const char *const bounds[BFF_LATENCY_BUCKETS] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
                                                            "0.5",   "1",    "2.5",   "5",    "10",  "+Inf"};
    bff_buf_appends(out, "# HELP bff_dependency_duration_seconds Time of each provider call.\n"
                         "# TYPE bff_dependency_duration_seconds histogram\n");
    for (size_t i = 0; i < NPROVIDERS; ++i) {
        unsigned long long cumulative = 0;
        for (int b = 0; b < BFF_LATENCY_BUCKETS; ++b) {
            cumulative += atomic_load_explicit(&p->stats[i].latency[b], memory_order_relaxed);
            bff_buf_printf(out, "bff_dependency_duration_seconds_bucket{dependency=\"%s\",le=\"%s\"} %llu\n", names[i],
                           bounds[b], cumulative);
        }
        bff_buf_printf(out, "bff_dependency_duration_seconds_sum{dependency=\"%s\"} %.6f\n", names[i],
                       (double)atomic_load_explicit(&p->stats[i].latency_sum_us, memory_order_relaxed) / 1e6);
        bff_buf_printf(out, "bff_dependency_duration_seconds_count{dependency=\"%s\"} %llu\n", names[i], cumulative);
    }
}
