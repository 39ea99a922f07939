/*
 * sim/main.c - build/bff-sim, the provider simulator: the embedded default
 * upstream the server talks to when no real providers are configured.
 *
 * One h2o server on one libuv loop. Each provider (PROVIDERS table) has its
 * own path prefix and vendor style, served from the seeded catalog in data.c:
 *   catalog (PIM)      GET  /catalog/v1/products?page=&per_page=&collection=&vendor=&handle=&q=
 *                      GET  /catalog/v1/products/{id}, GET /catalog/v1/collections,
 *                      GET  /catalog/v1/variants?sku=A&sku=B (batch)
 *                      pages by number; list prices as decimal strings ("129.90")
 *   pricing (ERP)      POST /pricing/v2/quotes {"currency","skus":[...]}  -> amounts in minor units
 *   inventory          GET  /inventory/levels?sku=A&sku=B                 -> per location
 *   reviews            GET  /reviews/products/{id}?limit=
 *   recommendations    GET  /recs/for/{id}?n=
 * Control plane:       GET /_sim/stats ({provider: {requests, faulted, api_key, traceparent, parents}}; api_key
 *                      and traceparent: those of its last request; parents: the parent span ids of the first 64
 *                      traceparents since the reset; _otlp: exports taken), POST /_sim/faults, POST /_sim/reset,
 *                      GET /healthz, POST /v1/traces (an OTLP/HTTP collector that only counts)
 *
 * Faults per provider (POST /_sim/faults {"reviews": {"latency_ms": 50}}):
 * latency_ms (plus latency_jitter_ms: a uniform 0..jitter on top), error_rate
 * (0..1, answers 500), status (answer this status), fail_next (the next N
 * requests answer 503), path (only requests whose path contains it), method
 * (only requests with this method),
 * hang (never answer), close (reset the connection mid-response), garbage
 * (a body that is not JSON), slow_body_ms (half the body, a pause, the rest),
 * phase: "after" (the default: the provider does the work, then the answer
 * fails: an order is created, a payment captured, and the caller cannot tell)
 * or "before" (the failing answer comes instead of the work: nothing changed).
 * Latency and slow bodies delay an answer whatever the phase.
 * Faults apply to provider paths only, never to /_sim or /healthz.
 *
 *   bff-sim [--listen HOST:PORT] [--faults FILE] [--tls-cert PEM --tls-key PEM]
 *   (default 127.0.0.1:9100; SIM_PORT also sets the port; FILE: faults as POSTed to
 *   /_sim/faults, applied at start; /_sim/reset clears them)
 *
 * Carts, promotions, tax, shipping, payments and orders are in commerce.c.
 */
#define _GNU_SOURCE /* strcasestr */
#include <h2o.h>
#include <h2o/socket/uv-binding.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>


#include "sim.h"

const char *const sim_provider_names[] = {
#define PROVIDER_NAME(id, name, prefix) name,
    PROVIDERS(PROVIDER_NAME)
#undef PROVIDER_NAME
};

static const char *const provider_prefixes[] = {
#define PROVIDER_PREFIX(id, name, prefix) prefix,
    PROVIDERS(PROVIDER_PREFIX)
#undef PROVIDER_PREFIX
};

typedef struct st_faults_t {
    int latency_ms, latency_jitter_ms; /* delay: latency_ms plus a uniform 0..latency_jitter_ms */
    double error_rate;
    int status;
    int hang, close, garbage;
    int fail_next; /* the next N requests answer 503, then it is used up */
    char path[64]; /* when set, the faults hit only requests whose path contains it */
    char method[8]; /* when set, only requests with this method */
    int slow_body_ms;
    int before; /* phase "before": a failing fault answers instead of the work, which is not done */
} faults_t;

#define SIM_PARENTS 64

typedef struct st_sim_t {
    h2o_globalconf_t config;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    uv_tcp_t listener;
    uv_loop_t *loop;
    sim_data_t *data;
    faults_t faults[P_COUNT];
    unsigned long long requests[P_COUNT];
    unsigned long long faulted[P_COUNT];
    char api_key[P_COUNT][64]; /* the X-Api-Key of each provider's last request ("" if none) */
    char traceparent[P_COUNT][64]; /* the traceparent of each provider's last request ("" if none or too long) */
    char parents[P_COUNT][SIM_PARENTS][17]; /* the parent span ids of its traceparents since the reset (the first ones) */
    int nparents[P_COUNT];
    unsigned long long otlp_exports, otlp_bytes; /* POST /v1/traces: OTLP exports taken (a collector for the bench) */
    long last_timeout_ms[P_COUNT]; /* the X-Request-Timeout-Ms of its last request, -1: none */
    unsigned long long http2[P_COUNT]; /* requests that came over HTTP/2 */
    unsigned long long connections;    /* accepted since the last reset */
    uint64_t rng;
} sim_t;

typedef struct st_provider_handler_t {
    h2o_handler_t super;
    provider_t provider;
} provider_handler_t;

static sim_t sim;

const sim_data_t *sim_data(void)
{
    return sim.data;
}

/* ---- responses (with faults) ---- */

typedef struct st_pending_t {
    uv_timer_t timer;
    h2o_req_t *req; /* NULL once the request is gone */
    int status;
    char *body;
    size_t len;
    int slow_ms;
    size_t sent;
    h2o_generator_t generator;
    struct st_pending_t **slot;
} pending_t;

static void pending_closed(uv_handle_t *h)
{
    pending_t *p = (pending_t *)h;
    free(p->body);
    free(p);
}

static void pending_done(pending_t *p)
{
    if (p->slot != NULL)
        *p->slot = NULL;
    uv_close((uv_handle_t *)&p->timer, pending_closed);
}

static void on_req_gone(void *arg)
{
    pending_t *p = *(pending_t **)arg;
    if (p != NULL) {
        p->req = NULL;
        p->slot = NULL;
        uv_timer_stop(&p->timer);
        pending_done(p);
    }
}

static void slow_rest(uv_timer_t *t)
{
    pending_t *p = (pending_t *)t;
    if (p->req != NULL) {
        h2o_iovec_t rest = h2o_iovec_init(p->body + p->sent, p->len - p->sent);
        pending_done(p);
        h2o_send(p->req, &rest, 1, H2O_SEND_STATE_FINAL);
        return;
    }
    pending_done(p);
}

static void slow_proceed(h2o_generator_t *g, h2o_req_t *req)
{
    pending_t *p = H2O_STRUCT_FROM_MEMBER(pending_t, generator, g);
    uv_timer_start(&p->timer, slow_rest, (uint64_t)p->slow_ms, 0);
}

static void start(h2o_req_t *req, int status, h2o_generator_t *gen)
{
    static const char *reasons[] = {"OK", "Error"};
    req->res.status = status;
    req->res.reason = status < 400 ? reasons[0] : reasons[1];
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("application/json"));
    h2o_start_response(req, gen);
}

static void send_now(h2o_req_t *req, int status, const char *body, size_t len)
{
    static h2o_generator_t generator = {NULL, NULL};
    start(req, status, &generator);
    h2o_iovec_t buf = h2o_strdup(&req->pool, body, len);
    h2o_send(req, &buf, 1, H2O_SEND_STATE_FINAL);
}

static void latency_fired(uv_timer_t *t)
{
    pending_t *p = (pending_t *)t;
    h2o_req_t *req = p->req;
    if (req == NULL) {
        pending_done(p);
        return;
    }
    if (p->slow_ms > 0) {
        /* half now, the rest after slow_ms (the generator's proceed starts that timer) */
        p->generator.proceed = slow_proceed;
        p->generator.stop = NULL;
        start(req, p->status, &p->generator);
        p->sent = p->len / 2;
        h2o_iovec_t first = h2o_iovec_init(p->body, p->sent);
        h2o_send(req, &first, 1, H2O_SEND_STATE_IN_PROGRESS);
        return;
    }
    pending_done(p);
    send_now(req, p->status, p->body, p->len);
}

static double random01(void)
{
    uint64_t x = sim.rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    sim.rng = x;
    return (double)(x >> 11) / 9007199254740992.0;
}

int sim_answer(provider_t pv, h2o_req_t *req, int status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    return sim_answer_text(pv, req, status, text);
}

/* The faults that apply to this request of provider pv (none when a path filter leaves it out). */
static faults_t *faults_for(provider_t pv, h2o_req_t *req)
{
    static faults_t none;
    faults_t *f = &sim.faults[pv];
    if (f->path[0] != '\0' && !memmem(req->path.base, req->path.len, f->path, strlen(f->path)))
        return &none; /* this request is not the one the faults are for */
    if (f->method[0] != '\0' && !sim_method_is(req, f->method))
        return &none;
    return f;
}

/*
 * Phase "before": when this request is to fail (hang, close, an error status now,
 * garbage), it fails here, without the work; true when it was answered so.
 * The answer then goes through sim_answer_text as usual, with the faults off
 * that were decided here (an error_rate draw is made once).
 */
static bool fault_before(provider_t pv, h2o_req_t *req)
{
    faults_t *f = faults_for(pv, req);
    if (!f->before)
        return false;
    bool fails = f->hang || f->close || f->garbage || f->fail_next > 0 || f->status != 0 ||
                 (f->error_rate > 0 && random01() < f->error_rate);
    if (!fails)
        return false;
    faults_t saved = *f;
    f->error_rate = f->error_rate > 0 ? 1 : 0; /* the draw above said fail */
    sim_answer_text(pv, req, 500, strdup("{\"error\":\"injected fault\"}"));
    saved.fail_next = f->fail_next; /* used up as it was */
    *f = saved;
    return true;
}

int sim_answer_text(provider_t pv, h2o_req_t *req, int status, char *text)
{
    faults_t *f = faults_for(pv, req);
    size_t len = strlen(text);
    bool faulted = false;
    if (f->hang) {
        sim.faulted[pv]++;
        free(text);
        return 0; /* never answered; the client's timeout decides */
    }
    if (f->close) {
        sim.faulted[pv]++;
        static h2o_generator_t generator = {NULL, NULL};
        start(req, 200, &generator);
        h2o_iovec_t part = h2o_strdup(&req->pool, text, len / 2);
        h2o_send(req, &part, 1, H2O_SEND_STATE_ERROR);
        free(text);
        return 0;
    }
    if (f->fail_next > 0) {
        f->fail_next--;
        status = 503;
        faulted = true;
    } else if (f->status != 0) {
        status = f->status;
        faulted = true;
    } else if (f->error_rate > 0 && random01() < f->error_rate) {
        status = 500;
        faulted = true;
    }
    if (faulted) {
        free(text);
        text = strdup("{\"error\":\"injected fault\"}");
        len = strlen(text);
    }
    if (f->garbage) {
        free(text);
        text = strdup("<html><body>502 upstream said something else</body>");
        len = strlen(text);
        faulted = true;
    }
    int delay = f->latency_ms + (f->latency_jitter_ms > 0 ? (int)(random01() * (f->latency_jitter_ms + 1)) : 0);
    if (delay > 0 || f->slow_body_ms > 0)
        faulted = true;
    if (faulted)
        sim.faulted[pv]++;
    if (delay <= 0 && f->slow_body_ms <= 0) {
        send_now(req, status, text, len);
        free(text);
        return 0;
    }
    pending_t *p = calloc(1, sizeof(*p));
    p->req = req;
    p->status = status;
    p->body = text;
    p->len = len;
    p->slow_ms = f->slow_body_ms;
    uv_timer_init(sim.loop, &p->timer);
    pending_t **slot = h2o_mem_alloc_shared(&req->pool, sizeof(*slot), on_req_gone);
    *slot = p;
    p->slot = slot;
    uv_timer_start(&p->timer, latency_fired, (uint64_t)delay, 0);
    return 0;
}

/* ---- answers written as text ---- */

typedef struct st_text_t {
    char *data; /* malloc'd, NUL-terminated; sim_answer_text takes it */
    size_t len, cap;
} text_t;

static void text_printf(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_printf(text_t *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->data ? t->data + t->len : NULL, t->data ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            abort();
        if (t->data != NULL && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap : 4096;
        while (cap <= t->len + (size_t)n)
            cap *= 2;
        t->data = realloc(t->data, cap);
        if (t->data == NULL)
            abort();
        t->cap = cap;
    }
}

/* ---- request helpers ---- */

bool sim_method_is(h2o_req_t *req, const char *m)
{
    return h2o_memis(req->method.base, req->method.len, m, strlen(m));
}

/* The path after the provider prefix, without the query string, NUL-terminated in the pool. */
char *sim_subpath(h2o_req_t *req, const char *prefix)
{
    size_t end = req->query_at != SIZE_MAX ? req->query_at : req->path_normalized.len;
    if (end > req->path_normalized.len)
        end = req->path_normalized.len;
    size_t plen = strlen(prefix);
    size_t n = end > plen ? end - plen : 0;
    char *s = h2o_mem_alloc_pool(&req->pool, n + 1);
    memcpy(s, req->path_normalized.base + plen, n);
    s[n] = '\0';
    return s;
}

/* Every value of query parameter `name` (no URL decoding needed: ids and skus are plain). */
int sim_query_values(h2o_req_t *req, const char *name, const char **out, int max)
{
    if (req->query_at == SIZE_MAX)
        return 0;
    const char *q = req->path.base + req->query_at + 1, *end = req->path.base + req->path.len;
    size_t nlen = strlen(name);
    int n = 0;
    while (q < end && n < max) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        if (amp == NULL)
            amp = end;
        if ((size_t)(amp - q) > nlen && memcmp(q, name, nlen) == 0 && q[nlen] == '=') {
            size_t vlen = (size_t)(amp - q) - nlen - 1;
            char *v = h2o_mem_alloc_pool(&req->pool, vlen + 1);
            memcpy(v, q + nlen + 1, vlen);
            v[vlen] = '\0';
            out[n++] = v;
        }
        q = amp + 1;
    }
    return n;
}

static long query_long(h2o_req_t *req, const char *name, long def, long min, long max)
{
    const char *v;
    if (sim_query_values(req, name, &v, 1) != 1)
        return def;
    long n = strtol(v, NULL, 10);
    return n < min ? min : n > max ? max : n;
}

const char *sim_header(h2o_req_t *req, const char *name)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, name, strlen(name), -1);
    if (i < 0)
        return NULL;
    h2o_iovec_t v = req->headers.entries[i].value;
    char *s = h2o_mem_alloc_pool(&req->pool, v.len + 1);
    memcpy(s, v.base, v.len);
    s[v.len] = '\0';
    return s;
}

json_t *sim_error(const char *message)
{
    return json_pack("{s:s}", "error", message);
}

static char *decimal(char *buf, size_t n, int64_t minor)
{
    snprintf(buf, n, "%lld.%02lld", (long long)(minor / 100), (long long)(minor % 100));
    return buf;
}

/* ---- providers ---- */

/* The product's "from" price (its cheapest variant, EUR minor units): what the catalog's search index filters and sorts by. */
static int64_t from_price(const sim_product_t *p)
{
    int64_t min = INT64_MAX;
    for (int v = 0; v < p->nvariants; ++v)
        if (p->variants[v].price_eur_minor < min)
            min = p->variants[v].price_eur_minor;
    return p->nvariants ? min : 0;
}

static bool product_in_stock(const sim_product_t *p)
{
    for (int v = 0; v < p->nvariants; ++v)
        for (int l = 0; l < SIM_LOCATIONS; ++l)
            if (p->variants[v].stock[l] > 0)
                return true;
    return false;
}

/* "12", "12.5", "12.50" -> minor units; false for anything else (negative, more than 2 decimals, junk). */
static bool parse_decimal(const char *s, int64_t *out)
{
    int64_t units = 0, cents = 0;
    int digits = 0, frac = 0;
    for (; *s >= '0' && *s <= '9'; ++s, ++digits) {
        if (units > INT64_MAX / 1000)
            return false;
        units = units * 10 + (*s - '0');
    }
    if (*s == '.')
        for (++s; *s >= '0' && *s <= '9' && frac < 2; ++s, ++frac)
            cents = cents * 10 + (*s - '0');
    if (digits == 0 || *s != '\0')
        return false;
    *out = units * 100 + (frac == 1 ? cents * 10 : cents);
    return true;
}

enum { SORT_ID, SORT_TITLE, SORT_PRICE, SORT_CREATED_AT };

static int sort_key_of(const char *s)
{
    static const char *const names[] = {"id", "title", "price", "created_at"};
    for (int i = 0; i < 4; ++i)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

/* qsort_r comparator over product indexes; arg is {sort key, direction}; ties go by id, ascending. */
static int compare_products(const void *a, const void *b, void *arg)
{
    const int *how = arg;
    const sim_product_t *p = &sim.data->products[*(const int *)a], *q = &sim.data->products[*(const int *)b];
    int c = 0;
    if (how[0] == SORT_TITLE)
        c = strcmp(p->title, q->title);
    else if (how[0] == SORT_PRICE)
        c = (from_price(p) > from_price(q)) - (from_price(p) < from_price(q));
    else if (how[0] == SORT_CREATED_AT)
        c = strcmp(p->created_at, q->created_at);
    if (c != 0)
        return c * how[1];
    c = strcmp(p->id, q->id);
    return how[0] == SORT_ID ? c * how[1] : c;
}

static json_t *product_json(const sim_product_t *p)
{
    char price[32];
    json_t *variants = json_array();
    for (int v = 0; v < p->nvariants; ++v) {
        const sim_variant_t *var = &p->variants[v];
        json_t *jv = json_pack("{s:s, s:s, s:{s:s, s:s}, s:i}", "sku", var->sku, "title", var->title, "options", "size",
                               var->size, "color", var->color, "weight_grams", var->weight_g);
        json_object_set_new(jv, "list_price",
                            var->compare_at_eur_minor ? json_string(decimal(price, sizeof(price), var->compare_at_eur_minor))
                                                      : json_null());
        json_array_append_new(variants, jv);
    }
    json_t *collections = json_array();
    for (int c = 0; c < p->ncollections; ++c)
        json_array_append_new(collections, json_string(sim.data->collections[p->collections[c]].id));
    json_t *tags = json_array();
    for (int t = 0; t < p->ntags; ++t)
        json_array_append_new(tags, json_string(p->tags[t]));
    char img[96];
    snprintf(img, sizeof(img), "https://img.example.test/%s/1.jpg", p->id);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:[{s:s, s:s}]}", "id", p->id, "handle", p->handle,
                     "title", p->title, "vendor", p->vendor, "description", p->description, "created_at",
                     p->created_at, "collections", collections, "tags", tags, "variants", variants, "images", "src",
                     img, "alt", p->title);
}

static int serve_catalog(h2o_req_t *req)
{
    const char *sub = sim_subpath(req, "/catalog");
    if (!sim_method_is(req, "GET"))
        return sim_answer(P_CATALOG, req, 405, sim_error("GET only"));
    if (strcmp(sub, "/v1/collections") == 0) {
        json_t *items = json_array();
        for (int c = 0; c < SIM_COLLECTIONS; ++c)
            json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "id", sim.data->collections[c].id, "handle",
                                                   sim.data->collections[c].handle, "title",
                                                   sim.data->collections[c].title));
        return sim_answer(P_CATALOG, req, 200, json_pack("{s:o}", "collections", items));
    }
    if (strcmp(sub, "/v1/variants") == 0) { /* batch lookup by sku */
        const char *skus[200];
        int n = sim_query_values(req, "sku", skus, 200);
        json_t *items = json_array();
        for (int k = 0; k < n; ++k) {
            const sim_product_t *p;
            const sim_variant_t *v = sim_variant_by_sku(sim.data, skus[k], &p);
            if (v == NULL)
                continue;
            json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:{s:s, s:s}}", "sku", v->sku, "title",
                                                   v->title, "product_id", p->id, "product_title", p->title,
                                                   "product_handle", p->handle, "weight_grams", v->weight_g, "options",
                                                   "size", v->size, "color", v->color));
        }
        return sim_answer(P_CATALOG, req, 200, json_pack("{s:o}", "variants", items));
    }
    if (strncmp(sub, "/v1/products/", 13) == 0) {
        const sim_product_t *p = sim_product_by_id(sim.data, sub + 13);
        return p ? sim_answer(P_CATALOG, req, 200, product_json(p)) : sim_answer(P_CATALOG, req, 404, sim_error("no such product"));
    }
    if (strcmp(sub, "/v1/products") != 0)
        return sim_answer(P_CATALOG, req, 404, sim_error("no such endpoint"));
    long page = query_long(req, "page", 1, 1, 100000), per_page = query_long(req, "per_page", 20, 1, 250);
    const char *collection = NULL, *vendor = NULL, *handle = NULL, *q = NULL, *min_price = NULL, *max_price = NULL,
               *in_stock = NULL, *sort = "id", *order = "asc";
    sim_query_values(req, "q", &q, 1);
    sim_query_values(req, "collection", &collection, 1);
    sim_query_values(req, "vendor", &vendor, 1);
    sim_query_values(req, "handle", &handle, 1);
    sim_query_values(req, "min_price", &min_price, 1);
    sim_query_values(req, "max_price", &max_price, 1);
    sim_query_values(req, "in_stock", &in_stock, 1);
    sim_query_values(req, "sort", &sort, 1);
    sim_query_values(req, "order", &order, 1);
    int64_t lo = 0, hi = INT64_MAX;
    if ((min_price && !parse_decimal(min_price, &lo)) || (max_price && !parse_decimal(max_price, &hi)) ||
        (in_stock && strcmp(in_stock, "true") != 0 && strcmp(in_stock, "false") != 0) ||
        (strcmp(order, "asc") != 0 && strcmp(order, "desc") != 0) || sort_key_of(sort) < 0)
        return sim_answer(P_CATALOG, req, 400,
                          sim_error("min_price/max_price: decimal EUR, in_stock: true|false, "
                                    "sort: id|title|price|created_at, order: asc|desc"));
    int match[SIM_PRODUCTS], total = 0;
    for (int i = 0; i < SIM_PRODUCTS; ++i) {
        const sim_product_t *p = &sim.data->products[i];
        if (handle && strcmp(p->handle, handle) != 0)
            continue;
        if (q && strcasestr(p->title, q) == NULL && strcasestr(p->vendor, q) == NULL)
            continue; /* search: a word of the title or vendor, any case ('+' in URLs is not decoded: one word) */
        if (vendor && strcmp(p->vendor, vendor) != 0)
            continue;
        if (collection) {
            bool in = false;
            for (int c = 0; c < p->ncollections && !in; ++c)
                in = strcmp(sim.data->collections[p->collections[c]].id, collection) == 0;
            if (!in)
                continue;
        }
        int64_t from = from_price(p);
        if (from < lo || from > hi)
            continue;
        if (in_stock && product_in_stock(p) != (strcmp(in_stock, "true") == 0))
            continue;
        match[total++] = i;
    }
    int key = sort_key_of(sort);
    if (key != SORT_ID || strcmp(order, "desc") == 0)
        qsort_r(match, (size_t)total, sizeof(match[0]), compare_products,
                &(int[2]){key, strcmp(order, "desc") == 0 ? -1 : 1});
    json_t *items = json_array();
    long skip = (page - 1) * per_page;
    for (long k = skip; k < total && k < skip + per_page; ++k)
        json_array_append_new(items, product_json(&sim.data->products[match[k]]));
    return sim_answer(P_CATALOG, req, 200,
                      json_pack("{s:i, s:i, s:i, s:o}", "page", (json_int_t)page, "per_page", (json_int_t)per_page,
                                "total", (json_int_t)total, "items", items));
}

static int serve_pricing(h2o_req_t *req)
{
    const char *sub = sim_subpath(req, "/pricing");
    if (strcmp(sub, "/v2/quotes") != 0 || !sim_method_is(req, "POST"))
        return sim_answer(P_PRICING, req, 404, sim_error("POST /pricing/v2/quotes"));
    json_error_t jerr;
    json_t *in = json_loadb(req->entity.base, req->entity.len, 0, &jerr);
    const char *currency = json_string_value(json_object_get(in, "currency"));
    json_t *skus = json_object_get(in, "skus");
    if (currency == NULL || !json_is_array(skus) || (strcmp(currency, "EUR") != 0 && strcmp(currency, "USD") != 0)) {
        json_decref(in);
        return sim_answer(P_PRICING, req, 400, sim_error("expected {\"currency\": \"EUR\"|\"USD\", \"skus\": [...]}"));
    }
    bool usd = strcmp(currency, "USD") == 0;
    /* written as text: the two hot answers of the benchmark (SKUs are the seeded ASCII ones) */
    text_t out = {0};
    text_printf(&out, "{\"currency\":\"%s\",\"prices\":[", usd ? "USD" : "EUR");
    size_t i, rows = 0;
    json_t *s;
    json_array_foreach(skus, i, s)
    {
        const sim_variant_t *v = sim_variant_by_sku(sim.data, json_string_value(s), NULL);
        if (v == NULL)
            continue; /* unknown skus are left out, as ERPs do */
        text_printf(&out, "%s{\"sku\":\"%s\",\"amount_minor\":%lld", rows++ ? "," : "", v->sku,
                    (long long)(usd ? v->price_usd_minor : v->price_eur_minor));
        if (v->compare_at_eur_minor && !usd)
            text_printf(&out, ",\"compare_at_minor\":%lld", (long long)v->compare_at_eur_minor);
        text_printf(&out, "}");
    }
    text_printf(&out, "]}");
    json_decref(in);
    return sim_answer_text(P_PRICING, req, 200, out.data);
}

static int serve_inventory(h2o_req_t *req)
{
    const char *sub = sim_subpath(req, "/inventory");
    if (strcmp(sub, "/levels") != 0 || !sim_method_is(req, "GET"))
        return sim_answer(P_INVENTORY, req, 404, sim_error("GET /inventory/levels?sku=..."));
    const char *skus[200];
    int n = sim_query_values(req, "sku", skus, 200);
    text_t out = {0};
    text_printf(&out, "{\"levels\":[");
    size_t rows = 0;
    for (int k = 0; k < n; ++k) {
        const sim_variant_t *v = sim_variant_by_sku(sim.data, skus[k], NULL);
        if (v == NULL)
            continue;
        for (int l = 0; l < SIM_LOCATIONS; ++l)
            text_printf(&out, "%s{\"sku\":\"%s\",\"location\":\"%s\",\"available\":%d}", rows++ ? "," : "", v->sku,
                        sim.data->locations[l], v->stock[l]);
    }
    text_printf(&out, "]}");
    return sim_answer_text(P_INVENTORY, req, 200, out.data);
}

static int serve_reviews(h2o_req_t *req)
{
    const char *sub = sim_subpath(req, "/reviews");
    const sim_product_t *p = strncmp(sub, "/products/", 10) == 0 ? sim_product_by_id(sim.data, sub + 10) : NULL;
    if (p == NULL)
        return sim_answer(P_REVIEWS, req, 404, sim_error("GET /reviews/products/{id}"));
    long limit = query_long(req, "limit", 5, 0, SIM_MAX_REVIEWS);
    json_t *list = json_array();
    int sum = 0;
    for (int r = 0; r < p->nreviews; ++r) {
        sum += p->reviews[r].rating;
        if (r < limit) {
            char id[24];
            snprintf(id, sizeof(id), "r-%s-%d", p->id, r + 1);
            json_array_append_new(list, json_pack("{s:s, s:i, s:s, s:s}", "id", id, "rating", p->reviews[r].rating,
                                                  "title", p->reviews[r].title, "author", p->reviews[r].author));
        }
    }
    json_t *out = json_pack("{s:s, s:i, s:o}", "product", p->id, "count", p->nreviews, "reviews", list);
    json_object_set_new(out, "average", p->nreviews ? json_real((double)sum / p->nreviews) : json_null());
    return sim_answer(P_REVIEWS, req, 200, out);
}

static int serve_recommendations(h2o_req_t *req)
{
    const char *sub = sim_subpath(req, "/recs");
    const sim_product_t *p = strncmp(sub, "/for/", 5) == 0 ? sim_product_by_id(sim.data, sub + 5) : NULL;
    if (p == NULL)
        return sim_answer(P_RECOMMENDATIONS, req, 404, sim_error("GET /recs/for/{id}"));
    int n = (int)query_long(req, "n", 4, 1, 20), idx[20];
    sim_recommendations(sim.data, (int)(p - sim.data->products), n, idx);
    json_t *items = json_array();
    for (int k = 0; k < n; ++k)
        json_array_append_new(items, json_string(sim.data->products[idx[k]].id));
    return sim_answer(P_RECOMMENDATIONS, req, 200, json_pack("{s:s, s:o}", "for", p->id, "items", items));
}

static int on_provider(h2o_handler_t *self, h2o_req_t *req)
{
    provider_t pv = ((provider_handler_t *)self)->provider;
    sim.requests[pv]++;
    if (req->version >= 0x200)
        sim.http2[pv]++;
    const char *budget = sim_header(req, "x-request-timeout-ms");
    sim.last_timeout_ms[pv] = budget ? strtol(budget, NULL, 10) : -1;
    const char *key = sim_header(req, "x-api-key");
    snprintf(sim.api_key[pv], sizeof(sim.api_key[pv]), "%s", key ? key : "");
    const char *tp = sim_header(req, "traceparent");
    snprintf(sim.traceparent[pv], sizeof(sim.traceparent[pv]), "%s", tp != NULL && strlen(tp) < 64 ? tp : "");
    if (tp != NULL && strlen(tp) >= 52 && sim.nparents[pv] < SIM_PARENTS)
        snprintf(sim.parents[pv][sim.nparents[pv]++], 17, "%.16s", tp + 36); /* version-traceid-PARENT-flags */
    if (fault_before(pv, req))
        return 0;
    switch (pv) {
    case P_CATALOG:
        return serve_catalog(req);
    case P_PRICING:
        return serve_pricing(req);
    case P_INVENTORY:
        return serve_inventory(req);
    case P_REVIEWS:
        return serve_reviews(req);
    case P_RECOMMENDATIONS:
        return serve_recommendations(req);
    default:
        return sim_serve_commerce(pv, req);
    }
}

/* ---- control plane ---- */

static int on_healthz(h2o_handler_t *self, h2o_req_t *req)
{
    send_now(req, 200, H2O_STRLIT("{\"status\":\"alive\"}"));
    return 0;
}

static int on_stats(h2o_handler_t *self, h2o_req_t *req)
{
    if (!sim_method_is(req, "GET"))
        return -1;
    json_t *out = json_object();
    for (int p = 0; p < P_COUNT; ++p) {
        json_t *parents = json_array();
        for (int i = 0; i < sim.nparents[p]; ++i)
            json_array_append_new(parents, json_string(sim.parents[p][i]));
        json_object_set_new(out, sim_provider_names[p],
                            json_pack("{s:I, s:I, s:I, s:s?, s:s?, s:o, s:o}", "requests", (json_int_t)sim.requests[p], "faulted",
                                      (json_int_t)sim.faulted[p], "http2", (json_int_t)sim.http2[p], "api_key",
                                      sim.api_key[p][0] ? sim.api_key[p] : NULL, "traceparent",
                                      sim.traceparent[p][0] ? sim.traceparent[p] : NULL, "timeout_ms",
                                      sim.requests[p] && sim.last_timeout_ms[p] >= 0 ? json_integer(sim.last_timeout_ms[p])
                                                                                      : json_null(),
                                      "parents", parents));
    }
    json_object_set_new(out, "_otlp", json_pack("{s:I, s:I}", "exports", (json_int_t)sim.otlp_exports, "bytes",
                                                (json_int_t)sim.otlp_bytes));
    json_object_set_new(out, "_connections", json_integer((json_int_t)sim.connections));
    char *text = json_dumps(out, JSON_COMPACT);
    send_now(req, 200, text, strlen(text));
    free(text);
    json_decref(out);
    return 0;
}

static int provider_index(const char *name)
{
    for (int p = 0; p < P_COUNT; ++p)
        if (strcmp(sim_provider_names[p], name) == 0)
            return p;
    return -1;
}

/*
 * Fault settings {"provider": {setting: value, ...}} over `next` (a copy of
 * the current ones): each named provider's settings are replaced whole.
 * Returns false with a message in err when anything is unknown or out of range.
 */
static bool faults_parse(json_t *in, faults_t *next, char *err, size_t errlen)
{
    const char *name;
    json_t *settings;
    err[0] = '\0';
    if (!json_is_object(in))
        snprintf(err, errlen, "expected a JSON object of provider name -> settings");
    json_object_foreach(in, name, settings)
    {
        int p = provider_index(name);
        if (p < 0 || !json_is_object(settings)) {
            snprintf(err, errlen, "unknown provider or bad settings: %s", name);
            break;
        }
        faults_t f = {0};
        const char *key;
        json_t *v;
        json_object_foreach(settings, key, v)
        {
            if (strcmp(key, "latency_ms") == 0 && json_is_integer(v))
                f.latency_ms = (int)json_integer_value(v);
            else if (strcmp(key, "latency_jitter_ms") == 0 && json_is_integer(v))
                f.latency_jitter_ms = (int)json_integer_value(v);
            else if (strcmp(key, "error_rate") == 0 && json_is_number(v))
                f.error_rate = json_number_value(v);
            else if (strcmp(key, "status") == 0 && json_is_integer(v))
                f.status = (int)json_integer_value(v);
            else if (strcmp(key, "hang") == 0 && json_is_boolean(v))
                f.hang = json_is_true(v);
            else if (strcmp(key, "close") == 0 && json_is_boolean(v))
                f.close = json_is_true(v);
            else if (strcmp(key, "garbage") == 0 && json_is_boolean(v))
                f.garbage = json_is_true(v);
            else if (strcmp(key, "path") == 0 && json_is_string(v) && json_string_length(v) < sizeof(f.path))
                snprintf(f.path, sizeof(f.path), "%s", json_string_value(v));
            else if (strcmp(key, "method") == 0 && json_is_string(v) && json_string_length(v) < sizeof(f.method))
                snprintf(f.method, sizeof(f.method), "%s", json_string_value(v));
            else if (strcmp(key, "fail_next") == 0 && json_is_integer(v) && json_integer_value(v) >= 0 &&
                     json_integer_value(v) <= 1000000)
                f.fail_next = (int)json_integer_value(v);
            else if (strcmp(key, "slow_body_ms") == 0 && json_is_integer(v))
                f.slow_body_ms = (int)json_integer_value(v);
            else if (strcmp(key, "phase") == 0 && json_is_string(v) &&
                     (strcmp(json_string_value(v), "before") == 0 || strcmp(json_string_value(v), "after") == 0))
                f.before = strcmp(json_string_value(v), "before") == 0;
            else
                snprintf(err, errlen, "%s: unknown fault setting or wrong type: %s", name, key);
        }
        if (f.latency_ms < 0 || f.latency_ms > 600000 || f.latency_jitter_ms < 0 || f.latency_jitter_ms > 600000 ||
            f.error_rate < 0 || f.error_rate > 1 || (f.status != 0 && (f.status < 100 || f.status > 599)) ||
            f.slow_body_ms < 0 || f.slow_body_ms > 600000)
            snprintf(err, errlen, "%s: a fault setting is out of range", name);
        next[p] = f;
    }
    return err[0] == '\0';
}

/* POST /_sim/faults {"provider": {setting: value, ...}}: settings replace that provider's faults. */
static int on_faults(h2o_handler_t *self, h2o_req_t *req)
{
    if (!sim_method_is(req, "POST"))
        return -1;
    json_error_t jerr;
    json_t *in = json_loadb(req->entity.base, req->entity.len, 0, &jerr);
    char err[256];
    faults_t next[P_COUNT];
    memcpy(next, sim.faults, sizeof(next));
    bool ok = faults_parse(in, next, err, sizeof(err));
    json_decref(in);
    if (!ok) {
        json_t *e = sim_error(err);
        char *text = json_dumps(e, JSON_COMPACT);
        send_now(req, 400, text, strlen(text));
        free(text);
        json_decref(e);
        return 0;
    }
    memcpy(sim.faults, next, sizeof(next));
    send_now(req, 200, H2O_STRLIT("{\"ok\":true}"));
    return 0;
}

/* An OTLP/HTTP collector that takes every export and keeps only counts (the bench points the server here). */
static int on_otlp(h2o_handler_t *self, h2o_req_t *req)
{
    if (!sim_method_is(req, "POST"))
        return -1;
    sim.otlp_exports++;
    sim.otlp_bytes += req->entity.len;
    send_now(req, 200, "", 0);
    return 0;
}

static int on_reset(h2o_handler_t *self, h2o_req_t *req)
{
    if (!sim_method_is(req, "POST"))
        return -1;
    memset(sim.faults, 0, sizeof(sim.faults));
    memset(sim.requests, 0, sizeof(sim.requests));
    memset(sim.faulted, 0, sizeof(sim.faulted));
    memset(sim.api_key, 0, sizeof(sim.api_key));
    memset(sim.traceparent, 0, sizeof(sim.traceparent));
    memset(sim.nparents, 0, sizeof(sim.nparents));
    sim.otlp_exports = sim.otlp_bytes = 0;
    memset(sim.http2, 0, sizeof(sim.http2));
    sim.connections = 0;
    sim_commerce_reset();
    send_now(req, 200, H2O_STRLIT("{\"reset\":true}"));
    return 0;
}

/* ---- server ---- */

static void route(h2o_hostconf_t *host, const char *path, int (*fn)(h2o_handler_t *, h2o_req_t *))
{
    h2o_pathconf_t *pc = h2o_config_register_path(host, path, 0);
    h2o_handler_t *h = h2o_create_handler(pc, sizeof(*h));
    h->on_req = fn;
}

static void on_accept(uv_stream_t *listener, int status)
{
    if (status != 0)
        return;
    uv_tcp_t *conn = h2o_mem_alloc(sizeof(*conn));
    uv_tcp_init(listener->loop, conn);
    if (uv_accept(listener, (uv_stream_t *)conn) != 0) {
        uv_close((uv_handle_t *)conn, (uv_close_cb)free);
        return;
    }
    sim.connections++;
    h2o_accept(&sim.accept_ctx, h2o_uv_socket_create((uv_stream_t *)conn, (uv_close_cb)free));
}

static void on_signal(uv_signal_t *h, int signum)
{
    uv_stop(h->loop);
}

int main(int argc, char **argv)
{
    char listen[300] = "127.0.0.1:9100";
    const char *tls_cert = NULL, *tls_key = NULL, *faults_file = NULL;
    const char *port_env = getenv("SIM_PORT");
    if (port_env != NULL)
        snprintf(listen, sizeof(listen), "127.0.0.1:%s", port_env);
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            snprintf(listen, sizeof(listen), "%s", argv[++i]);
        } else if (strcmp(argv[i], "--faults") == 0 && i + 1 < argc) {
            faults_file = argv[++i];
        } else if (strcmp(argv[i], "--tls-cert") == 0 && i + 1 < argc) {
            tls_cert = argv[++i];
        } else if (strcmp(argv[i], "--tls-key") == 0 && i + 1 < argc) {
            tls_key = argv[++i];
        } else {
            fprintf(stderr, "usage: bff-sim [--listen HOST:PORT] [--faults FILE] [--tls-cert PEM --tls-key PEM]\n");
            return 2;
        }
    }
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (colon == NULL || (size_t)(colon - listen) >= sizeof(host)) {
        fprintf(stderr, "bff-sim: --listen must be HOST:PORT\n");
        return 2;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    int port = atoi(colon + 1);
    signal(SIGPIPE, SIG_IGN);
    sim.data = malloc(sizeof(*sim.data));
    sim_data_generate(sim.data);
    sim_commerce_reset();
    sim.rng = 0x243F6A8885A308D3ull;
    if (faults_file != NULL) {
        json_error_t jerr;
        json_t *in = json_load_file(faults_file, JSON_REJECT_DUPLICATES, &jerr);
        char err[256];
        if (in == NULL) {
            fprintf(stderr, "bff-sim: %s:%d: %s\n", faults_file, jerr.line, jerr.text);
            return 2;
        }
        bool ok = faults_parse(in, sim.faults, err, sizeof(err));
        json_decref(in);
        if (!ok) {
            fprintf(stderr, "bff-sim: %s: %s\n", faults_file, err);
            return 2;
        }
    }

    h2o_config_init(&sim.config);
    sim.config.max_request_entity_size = 1 << 20;
    h2o_hostconf_t *hc = h2o_config_register_host(&sim.config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    route(hc, "/healthz", on_healthz);
    route(hc, "/_sim/stats", on_stats);
    route(hc, "/_sim/faults", on_faults);
    route(hc, "/_sim/reset", on_reset);
    route(hc, "/v1/traces", on_otlp);
    for (int p = 0; p < P_COUNT; ++p) {
        h2o_pathconf_t *pc = h2o_config_register_path(hc, provider_prefixes[p], 0);
        provider_handler_t *h = (provider_handler_t *)h2o_create_handler(pc, sizeof(*h));
        h->super.on_req = on_provider;
        h->provider = (provider_t)p;
    }
    sim.loop = uv_default_loop();
    h2o_context_init(&sim.ctx, sim.loop, &sim.config);
    sim.accept_ctx.ctx = &sim.ctx;
    sim.accept_ctx.hosts = sim.config.hosts;
    if ((tls_cert != NULL) != (tls_key != NULL)) {
        fprintf(stderr, "bff-sim: --tls-cert and --tls-key go together\n");
        return 2;
    }
    if (tls_cert != NULL) { /* HTTPS, offering HTTP/2 by ALPN (and HTTP/1.1) */
        SSL_CTX *ssl = SSL_CTX_new(TLS_server_method());
        if (SSL_CTX_use_certificate_chain_file(ssl, tls_cert) != 1 ||
            SSL_CTX_use_PrivateKey_file(ssl, tls_key, SSL_FILETYPE_PEM) != 1) {
            fprintf(stderr, "bff-sim: cannot load %s / %s\n", tls_cert, tls_key);
            return 2;
        }
        h2o_ssl_register_alpn_protocols(ssl, h2o_http2_alpn_protocols);
        sim.accept_ctx.ssl_ctx = ssl;
    }

    struct sockaddr_storage addr;
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)&addr) != 0 &&
        uv_ip6_addr(host, port, (struct sockaddr_in6 *)&addr) != 0) {
        fprintf(stderr, "bff-sim: bad address %s\n", listen);
        return 2;
    }
    uv_tcp_init(sim.loop, &sim.listener);
    int r;
    if ((r = uv_tcp_bind(&sim.listener, (struct sockaddr *)&addr, 0)) != 0 ||
        (r = uv_listen((uv_stream_t *)&sim.listener, 128, on_accept)) != 0) {
        fprintf(stderr, "bff-sim: cannot listen on %s: %s\n", listen, uv_strerror(r));
        return 2;
    }
    struct sockaddr_storage bound;
    int len = sizeof(bound);
    uv_tcp_getsockname(&sim.listener, (struct sockaddr *)&bound, &len);
    int bound_port = bound.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&bound)->sin6_port)
                                                 : ntohs(((struct sockaddr_in *)&bound)->sin_port);
    printf("{\"level\":\"info\",\"msg\":\"simulator listening\",\"listen\":\"%s:%d\",\"tls\":%s,\"products\":%d}\n",
           host, bound_port, tls_cert ? "true" : "false", SIM_PRODUCTS);
    fflush(stdout);
    uv_signal_t sigint, sigterm;
    uv_signal_init(sim.loop, &sigint);
    uv_signal_init(sim.loop, &sigterm);
    uv_signal_start(&sigint, on_signal, SIGINT);
    uv_signal_start(&sigterm, on_signal, SIGTERM);
    uv_run(sim.loop, UV_RUN_DEFAULT);
    printf("{\"level\":\"info\",\"msg\":\"simulator stopped\"}\n");
    fflush(stdout);
    sim_commerce_free();
    free(sim.data);
    return 0; /* open connections and the h2o context go with the process (see server/worker.c) */
}
