/*
 * paths.c - what the providers' request builders share: escaping a value for
 * a URL, writing JSON request bodies as text (no tree built and dumped).
 */
#include <stdbool.h>
#include <string.h>

#include "base/json_write.h"

#include "storefront.h"
#include "vendors.h"

void bff_vendor_write_string(bff_buf_t *b, const char *s)
{
    if (s == NULL)
        bff_buf_appends(b, "null");
    else
        bff_buf_append_json_string(b, s, strlen(s));
}

void bff_vendor_write_json(bff_buf_t *b, json_t *v)
{
    if (v == NULL)
        bff_buf_appends(b, "null");
    else
        bff_json_write(b, v);
}

const char *bff_vendor_text(bff_arena_t *arena, bff_buf_t *b)
{
    const char *text = bff_arena_strndup(arena, b->data != NULL ? b->data : "", b->len);
    bff_buf_free(b);
    return text;
}

const char *bff_vendor_escape(bff_arena_t *arena, const char *s)
{
    /* RFC 3986: the unreserved characters stay, every other byte is %XX (as curl_easy_escape, without its per-byte buffer) */
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = bff_arena_alloc(arena, 3 * n + 1), *w = out;
    for (size_t i = 0; i < n; ++i) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            *w++ = (char)c;
        } else {
            *w++ = '%';
            *w++ = hex[c >> 4];
            *w++ = hex[c & 15];
        }
    }
    *w = '\0';
    return out;
}

/*
 * The route templates of every path the adapters build (span.h: a span names
 * its call by the template, OpenTelemetry's url.template, never by a path
 * holding ids). A `{name}` segment matches one segment of the path; the
 * query string is not part of a route.
 */
static const char *const routes[] = {
    BFF_CATALOG_PRODUCTS_PATH,
    BFF_CATALOG_PRODUCTS_PATH "/{id}",
    BFF_CATALOG_COLLECTIONS_PATH,
    BFF_CATALOG_VARIANTS_PATH,
    "/reviews/products/{id}",
    "/recs/for/{id}",
    "/inventory/levels",
    BFF_PRICING_QUOTES_PATH,
    BFF_PROMOTIONS_EVALUATE_PATH,
    BFF_SHIPPING_RATES_PATH,
    BFF_TAX_CALCULATE_PATH,
    BFF_CUSTOMERS_ME_PATH,
    BFF_CARTS_PATH,
    BFF_CARTS_PATH "/{id}",
    BFF_CARTS_PATH "/{id}/lines",
    BFF_CARTS_PATH "/{id}/discount-codes",
    BFF_CARTS_PATH "/{id}/buyer",
    BFF_CARTS_PATH "/{id}/shipping-rate",
    BFF_CARTS_PATH "/{id}/complete",
    BFF_PAYMENTS_AUTHORIZE_PATH,
    "/payments",
    "/payments/{id}",
    "/payments/{id}/capture",
    "/payments/{id}/void",
    BFF_ORDERS_PATH,
    BFF_ORDERS_PATH "/{id}",
    BFF_ORDERS_PATH "/{id}/cancel",
};

/* Whether `path` (up to its query) has the segments of `route`. */
static bool route_matches(const char *route, const char *path, size_t plen)
{
    const char *r = route, *p = path, *end = path + plen;
    while (*r != '\0' && p < end) {
        if (*r != '/' || *p != '/')
            return false;
        ++r;
        ++p;
        const char *rs = r, *ps = p;
        while (*r != '\0' && *r != '/')
            ++r;
        while (p < end && *p != '/')
            ++p;
        bool param = r - rs >= 2 && rs[0] == '{' && r[-1] == '}';
        if (param ? p == ps : (size_t)(r - rs) != (size_t)(p - ps) || memcmp(rs, ps, (size_t)(r - rs)) != 0)
            return false;
    }
    return *r == '\0' && p == end;
}

const char *bff_route_template(const char *path)
{
    const char *q = strchr(path, '?');
    size_t plen = q != NULL ? (size_t)(q - path) : strlen(path);
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); ++i)
        if (plen >= 2 && routes[i][1] == path[1] && route_matches(routes[i], path, plen)) /* most differ at once */
            return routes[i];
    return NULL;
}
