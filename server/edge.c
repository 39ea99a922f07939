/*
 * edge.c - CORS, CSRF prevention and trusted proxies (see edge.h).
 *
 * Origins: exact ("https://shop.example.com") or with one leading wildcard
 * label (a host written as "*.example.com" matches any subdomain, not the
 * apex), compared without case. Trusted proxies: CIDRs (IPv4 and IPv6) as a list of (address, prefix
 * length). Forwarded headers are read right to left: each hop appends, so the
 * rightmost address a trusted proxy did not write is the client.
 */
#define _GNU_SOURCE /* strcasestr */
#include "edge.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/buf.h"
#include "reqlog.h"

typedef struct st_cidr_t {
    int family;
    unsigned char addr[16];
    int bits;
} cidr_t;

struct st_bff_edge_t {
    char **origins;
    size_t norigins;
    char *allow_headers, *expose_headers, *max_age;
    bool credentials;
    bool csrf;
    cidr_t *proxies;
    size_t nproxies;
};

static const char *const default_allow_headers =
    "content-type, accept, x-api-key, apollographql-client-name, apollographql-client-version, x-client-name, "
    "x-client-version, traceparent, tracestate, x-request-timeout-ms, x-request-id, apollo-require-preflight, "
    "x-apollo-operation-name, graphql-preflight, x-report-deprecations";
static const char *const default_expose_headers = "retry-after, x-request-id, ratelimit-limit, ratelimit-remaining, ratelimit-reset";

static char *join_strings(json_t *list, const char *def)
{
    if (!json_is_array(list))
        return bff_xstrdup(def);
    bff_buf_t b = BFF_BUF_INIT;
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) if (json_is_string(v)) bff_buf_printf(&b, "%s%s", b.len ? ", " : "", json_string_value(v));
    bff_buf_appendc(&b, '\0');
    char *out = bff_xstrdup(b.data);
    bff_buf_free(&b);
    return out;
}

static bool parse_cidr(const char *text, cidr_t *out)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", text);
    char *slash = strchr(buf, '/');
    if (slash != NULL)
        *slash = '\0';
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, buf, out->addr) == 1) {
        out->family = AF_INET;
        out->bits = 32;
    } else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        out->family = AF_INET6;
        out->bits = 128;
    } else {
        return false;
    }
    if (slash != NULL) {
        char *end;
        long bits = strtol(slash + 1, &end, 10);
        if (*end != '\0' || bits < 0 || bits > out->bits)
            return false;
        out->bits = (int)bits;
    }
    return true;
}

static bool cidr_contains(const cidr_t *c, int family, const unsigned char *addr)
{
    if (c->family != family)
        return false;
    int full = c->bits / 8, rest = c->bits % 8;
    if (memcmp(c->addr, addr, (size_t)full) != 0)
        return false;
    if (rest == 0)
        return true;
    unsigned char mask = (unsigned char)(0xFF << (8 - rest));
    return (c->addr[full] & mask) == (addr[full] & mask);
}

bff_edge_t *bff_edge_new(const char *cors_json, const char *trusted_proxies, bool csrf_prevention, char *err,
                         size_t errlen)
{
    bff_edge_t *e = bff_xcalloc(1, sizeof(*e));
    e->csrf = csrf_prevention;
    json_error_t jerr;
    json_t *cors = json_loads(cors_json && *cors_json ? cors_json : "{}", 0, &jerr);
    json_t *origins = json_object_get(cors, "origins");
    const char *bad = !json_is_object(cors) ? "must be a JSON object {origins, allow_headers, expose_headers, max_age, credentials}"
                      : origins != NULL && !json_is_array(origins) ? "origins must be a list of origins"
                                                                   : NULL;
    const char *key;
    json_t *v;
    json_object_foreach(cors, key, v)
    {
        if (bad == NULL && strcmp(key, "origins") != 0 && strcmp(key, "allow_headers") != 0 &&
            strcmp(key, "expose_headers") != 0 && strcmp(key, "max_age") != 0 && strcmp(key, "credentials") != 0)
            bad = "unknown member (origins, allow_headers, expose_headers, max_age, credentials)";
    }
    size_t i;
    json_array_foreach(origins, i, v)
    {
        const char *o = json_string_value(v);
        if (bad == NULL && (o == NULL || (strncmp(o, "http://", 7) != 0 && strncmp(o, "https://", 8) != 0) ||
                            strchr(o + 8, '/') != NULL || strchr(o, '*') != strrchr(o, '*') ||
                            (strchr(o, '*') && strstr(o, "://*.") == NULL)))
            bad = "an origin must be scheme://host[:port], with at most a leading *. label";
    }
    if (bad != NULL) {
        snprintf(err, errlen, "setting \"cors\": %s", bad);
        json_decref(cors);
        bff_edge_free(e);
        return NULL;
    }
    e->norigins = json_array_size(origins);
    e->origins = bff_xcalloc(e->norigins ? e->norigins : 1, sizeof(*e->origins));
    json_array_foreach(origins, i, v) e->origins[i] = bff_xstrdup(json_string_value(v));
    e->allow_headers = join_strings(json_object_get(cors, "allow_headers"), default_allow_headers);
    e->expose_headers = join_strings(json_object_get(cors, "expose_headers"), default_expose_headers);
    char age[32];
    snprintf(age, sizeof(age), "%lld", json_is_integer(json_object_get(cors, "max_age"))
                                           ? (long long)json_integer_value(json_object_get(cors, "max_age"))
                                           : 600LL);
    e->max_age = bff_xstrdup(age);
    e->credentials = json_is_true(json_object_get(cors, "credentials"));
    json_decref(cors);

    /* trusted_proxies: "a/n,b/m" */
    for (const char *p = trusted_proxies ? trusted_proxies : ""; *p;) {
        size_t n = strcspn(p, ",");
        char one[64];
        snprintf(one, sizeof(one), "%.*s", (int)(n < 63 ? n : 63), p);
        char *s = one;
        while (*s == ' ')
            ++s;
        if (*s != '\0') {
            e->proxies = bff_xrealloc(e->proxies, (e->nproxies + 1) * sizeof(*e->proxies));
            if (n >= 63 || !parse_cidr(s, &e->proxies[e->nproxies])) {
                snprintf(err, errlen, "setting \"trusted_proxies\": \"%s\" is not an address or CIDR", s);
                bff_edge_free(e);
                return NULL;
            }
            e->nproxies++;
        }
        p += n + (p[n] == ',');
    }
    return e;
}

void bff_edge_free(bff_edge_t *e)
{
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->norigins; ++i)
        free(e->origins[i]);
    free(e->origins);
    free(e->allow_headers);
    free(e->expose_headers);
    free(e->max_age);
    free(e->proxies);
    free(e);
}

/* ---- CORS ---- */

static bool origin_allowed(const bff_edge_t *e, const char *origin)
{
    size_t olen = strlen(origin);
    for (size_t i = 0; i < e->norigins; ++i) {
        const char *pat = e->origins[i];
        const char *star = strstr(pat, "://*.");
        if (star == NULL) {
            if (strcasecmp(pat, origin) == 0)
                return true;
            continue;
        }
        /* a wildcard pattern: the same scheme, then one or more labels, then the pattern's .suffix */
        size_t scheme = (size_t)(star - pat) + 3, suffix = strlen(star + 4); /* suffix starts at the dot */
        if (olen > scheme + suffix && strncasecmp(origin, pat, scheme) == 0 &&
            strcasecmp(origin + olen - suffix, star + 4) == 0 && origin[scheme] != '.' &&
            memchr(origin + scheme, '/', olen - scheme - suffix) == NULL)
            return true;
    }
    return false;
}

static void add(h2o_req_t *req, const char *name, const char *value)
{
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, strlen(name), 0, NULL, value, strlen(value));
}

void bff_edge_cors_headers(const bff_edge_t *e, h2o_req_t *req)
{
    if (e == NULL || e->norigins == 0)
        return;
    add(req, "vary", "Origin");
    const char *origin = bff_req_header(req, NULL, "origin");
    if (origin == NULL || !origin_allowed(e, origin))
        return;
    add(req, "access-control-allow-origin", origin);
    add(req, "access-control-expose-headers", e->expose_headers);
    if (e->credentials)
        add(req, "access-control-allow-credentials", "true");
}

int bff_edge_preflight(const bff_edge_t *e, h2o_req_t *req)
{
    const char *origin = bff_req_header(req, NULL, "origin");
    if (e != NULL && e->norigins > 0)
        add(req, "vary", "Origin");
    if (e != NULL && origin != NULL && origin_allowed(e, origin)) {
        add(req, "access-control-allow-origin", origin);
        add(req, "access-control-allow-methods", "GET, POST, OPTIONS");
        add(req, "access-control-allow-headers", e->allow_headers);
        add(req, "access-control-max-age", e->max_age);
        if (e->credentials)
            add(req, "access-control-allow-credentials", "true");
    }
    req->res.status = 204; /* without the allow headers, the browser blocks the request: nothing to say more */
    req->res.reason = "No Content";
    add(req, "allow", "GET, POST, OPTIONS");
    h2o_send_inline(req, NULL, 0);
    return 0;
}

/* ---- CSRF prevention ---- */

bool bff_edge_csrf_ok(const bff_edge_t *e, h2o_req_t *req)
{
    if (e == NULL || !e->csrf)
        return true;
    static const char *const preflight[] = {"apollo-require-preflight", "x-apollo-operation-name", "graphql-preflight"};
    for (size_t i = 0; i < sizeof(preflight) / sizeof(preflight[0]); ++i)
        if (h2o_find_header_by_str(&req->headers, preflight[i], strlen(preflight[i]), -1) >= 0)
            return true;
    const char *ct = bff_req_header(req, H2O_TOKEN_CONTENT_TYPE, NULL);
    if (ct == NULL)
        return false; /* a GET or a bare POST a form or an <img> could send */
    size_t n = strcspn(ct, "; ");
    static const char *const simple[] = {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"};
    for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); ++i)
        if (n == strlen(simple[i]) && strncasecmp(ct, simple[i], n) == 0)
            return false;
    return true; /* a content type a browser sends only after a preflight */
}

/* ---- the client's address ---- */

static bool addr_bytes(const struct sockaddr_storage *ss, int *family, const unsigned char **addr)
{
    if (ss->ss_family == AF_INET) {
        *family = AF_INET;
        *addr = (const unsigned char *)&((const struct sockaddr_in *)ss)->sin_addr;
        return true;
    }
    if (ss->ss_family == AF_INET6) {
        *family = AF_INET6;
        *addr = (const unsigned char *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
        return true;
    }
    return false;
}

static bool trusted(const bff_edge_t *e, int family, const unsigned char *addr)
{
    for (size_t i = 0; i < e->nproxies; ++i)
        if (cidr_contains(&e->proxies[i], family, addr))
            return true;
    return false;
}

/* One address of a forwarded list ("1.2.3.4", "[::1]:80", "\"[2001:db8::1]\"", "1.2.3.4:5678") into ss. */
static bool parse_hop(const char *p, size_t n, struct sockaddr_storage *ss, socklen_t *len)
{
    char buf[80];
    while (n > 0 && (*p == ' ' || *p == '"'))
        ++p, --n;
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '"'))
        --n;
    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, p, n);
    buf[n] = '\0';
    char *host = buf;
    if (host[0] == '[') { /* [v6]:port */
        char *close = strchr(host, ']');
        if (close == NULL)
            return false;
        *close = '\0';
        ++host;
    } else if (strchr(host, ':') == strrchr(host, ':') && strchr(host, ':') != NULL) {
        *strchr(host, ':') = '\0'; /* v4:port */
    }
    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        *len = sizeof(*v4);
        return true;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        *len = sizeof(*v6);
        return true;
    }
    return false;
}

void bff_edge_client_addr(const bff_edge_t *e, h2o_req_t *req, struct sockaddr_storage *out, socklen_t *len)
{
    *len = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)out);
    int family;
    const unsigned char *addr;
    if (e == NULL || e->nproxies == 0 || *len == 0 || !addr_bytes(out, &family, &addr) || !trusted(e, family, addr))
        return; /* an untrusted peer's forwarded headers are ignored */
    /* the hops, right to left: Forwarded's for= values, else X-Forwarded-For's list */
    const char *fwd = bff_req_header(req, NULL, "forwarded");
    const char *xff = bff_req_header(req, NULL, "x-forwarded-for");
    char list[1024] = "";
    if (fwd != NULL) {
        for (const char *p = fwd; (p = strcasestr(p, "for=")) != NULL; p += 4) {
            size_t n = strcspn(p + 4, ";,");
            size_t used = strlen(list);
            snprintf(list + used, sizeof(list) - used, "%s%.*s", used ? "," : "", (int)n, p + 4);
        }
    } else if (xff != NULL) {
        snprintf(list, sizeof(list), "%s", xff);
    }
    size_t end = strlen(list);
    while (end > 0) {
        size_t start = end;
        while (start > 0 && list[start - 1] != ',')
            --start;
        struct sockaddr_storage hop;
        socklen_t hlen;
        if (!parse_hop(list + start, end - start, &hop, &hlen))
            return; /* garbage in the chain: keep the last address known to be real */
        *out = hop;
        *len = hlen;
        if (!addr_bytes(&hop, &family, &addr) || !trusted(e, family, addr))
            return; /* the first untrusted hop from the right is the client */
        end = start > 0 ? start - 1 : 0;
    }
}
