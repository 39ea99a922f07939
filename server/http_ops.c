/*
 * http_ops.c - the operator endpoints and the GraphiQL page.
 *
 * /healthz answers while the process runs; /readyz answers 200 once config
 * and schema are loaded and the server is not shutting down (503 while
 * draining, so a load balancer stops sending); /metrics is Prometheus text.
 * GET /graphql from a browser gets a page that loads GraphiQL from
 * /graphiql/ (files shipped next to the binary, no CDN).
 */
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <stdlib.h>

#include "base/buf.h"
#include "resolvers/journal.h"
#include "reload.h"
#include "store.h"
#include "http.h"
#include "worker.h"

static int send_text(h2o_req_t *req, int status, const char *reason, const char *type, const char *body, size_t len)
{
    static h2o_generator_t generator = {NULL, NULL};
    req->res.status = status;
    req->res.reason = reason;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, type, strlen(type));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    h2o_iovec_t buf = h2o_strdup(&req->pool, body, len);
    h2o_start_response(req, &generator);
    h2o_send(req, &buf, 1, H2O_SEND_STATE_FINAL);
    return 0;
}

int bff_http_send_json(h2o_req_t *req, int status, const char *body, size_t len)
{
    return send_text(req, status, status == 200 ? "OK" : "Error", "application/json", body, len);
}

static bool is_get_or_head(h2o_req_t *req)
{
    return h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) ||
           h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"));
}

int bff_http_healthz(h2o_handler_t *self, h2o_req_t *req)
{
    if (!is_get_or_head(req))
        return -1;
    return send_text(req, 200, "OK", "application/json", H2O_STRLIT("{\"status\":\"alive\"}"));
}

int bff_http_readyz(h2o_handler_t *self, h2o_req_t *req)
{
    if (!is_get_or_head(req))
        return -1;
    bff_server_t *s = bff_worker_of(req)->server;
    if (atomic_load(&s->shutting_down))
        return send_text(req, 503, "Service Unavailable", "application/json",
                         H2O_STRLIT("{\"status\":\"shutting down\"}"));
    if (s->schema == NULL)
        return send_text(req, 503, "Service Unavailable", "application/json", H2O_STRLIT("{\"status\":\"no schema\"}"));
    const char *missing[32];
    bff_generation_t *gen = bff_generation_acquire(s);
    size_t n = bff_providers_unconfigured(gen->providers, missing, 32); /* names: static strings */
    bff_generation_release(gen);
    if (n > 0) { /* a server that can answer nothing but the shop's name is not ready to take traffic */
        bff_buf_t b = BFF_BUF_INIT;
        bff_buf_appends(&b, "{\"status\":\"providers not configured\",\"setting\":\"providers_url\",\"providers\":[");
        for (size_t i = 0; i < n; ++i)
            bff_buf_printf(&b, "%s\"%s\"", i ? "," : "", missing[i]);
        bff_buf_appends(&b, "]}");
        int r = send_text(req, 503, "Service Unavailable", "application/json", b.data, b.len);
        bff_buf_free(&b);
        return r;
    }
    bff_worker_t *w = bff_worker_of(req);
    if (w->store != NULL && !bff_store_up(w->store)) /* still serving: budgets, APQ and caches fall back to local */
        return send_text(req, 200, "OK", "application/json",
                         H2O_STRLIT("{\"status\":\"ready\",\"store\":\"down\",\"note\":\"redis is unreachable: budgets, APQ, "
                                    "deprecation usage and the catalog cache are per instance and checkout refuses "
                                    "new runs until it is back\"}"));
    if (w->store != NULL)
        return send_text(req, 200, "OK", "application/json", H2O_STRLIT("{\"status\":\"ready\",\"store\":\"up\"}"));
    return send_text(req, 200, "OK", "application/json", H2O_STRLIT("{\"status\":\"ready\"}"));
}

int bff_http_metrics(h2o_handler_t *self, h2o_req_t *req)
{
    if (!is_get_or_head(req))
        return -1;
    bff_server_t *s = bff_worker_of(req)->server;
    bff_buf_t b = BFF_BUF_INIT;
    bff_metrics_write(&s->metrics, &b, atomic_load(&s->connections));
    bff_generation_t *gen = bff_generation_acquire(s);
    bff_providers_write_metrics(gen->providers, &b);
    bff_generation_release(gen);
    bff_buf_printf(&b,
                   "# HELP bff_http_shed_total GraphQL requests refused with 503: over max_in_flight.\n"
                   "# TYPE bff_http_shed_total counter\nbff_http_shed_total %llu\n"
                   "# HELP bff_http_client_limited_total GraphQL requests refused with 429: over max_client_in_flight.\n"
                   "# TYPE bff_http_client_limited_total counter\nbff_http_client_limited_total %llu\n",
                   (unsigned long long)atomic_load(&s->shed), (unsigned long long)atomic_load(&s->client_limited));
    bff_buf_printf(&b,
                   "# HELP bff_http2_client_resets_total HTTP/2 GraphQL streams the client reset before their answer.\n"
                   "# TYPE bff_http2_client_resets_total counter\nbff_http2_client_resets_total %llu\n"
                   "# HELP bff_http2_reset_closed_total Connections closed past max_resets_per_connection (rapid reset).\n"
                   "# TYPE bff_http2_reset_closed_total counter\nbff_http2_reset_closed_total %llu\n"
                   "# HELP bff_connections_refused_per_address_total Connections refused past max_connections_per_address.\n"
                   "# TYPE bff_connections_refused_per_address_total counter\n"
                   "bff_connections_refused_per_address_total %llu\n",
                   (unsigned long long)atomic_load(&s->client_resets),
                   (unsigned long long)atomic_load(&s->reset_conns_closed),
                   (unsigned long long)atomic_load(&s->addr_conn_refused));
    bff_buf_printf(&b,
                   "# HELP bff_store_up Whether this worker's Redis connection is up (1), down (0); absent without redis_url.\n"
                   "# TYPE bff_store_up gauge\n");
    if (bff_worker_of(req)->store != NULL)
        bff_buf_printf(&b, "bff_store_up %d\n", bff_store_up(bff_worker_of(req)->store) ? 1 : 0);
    bff_buf_printf(&b,
                   "# HELP bff_store_fallbacks_total Budgets decided by this instance alone: Redis down or slower than "
                   "redis_timeout_ms.\n# TYPE bff_store_fallbacks_total counter\nbff_store_fallbacks_total %llu\n",
                   (unsigned long long)atomic_load(&s->store_fallbacks));
    bff_buf_printf(&b,
                   "# HELP bff_trace_spans_total Spans recorded for OTLP export (otlp_endpoint), by fate: exported (the "
                   "collector took them), dropped_queue_full (the worker's queue held otlp_max_queue_spans), "
                   "dropped_export_failed (their export failed or timed out).\n"
                   "# TYPE bff_trace_spans_total counter\n"
                   "bff_trace_spans_total{result=\"exported\"} %llu\n"
                   "bff_trace_spans_total{result=\"dropped_queue_full\"} %llu\n"
                   "bff_trace_spans_total{result=\"dropped_export_failed\"} %llu\n"
                   "# HELP bff_trace_exports_total OTLP exports sent to the collector, by result.\n"
                   "# TYPE bff_trace_exports_total counter\n"
                   "bff_trace_exports_total{result=\"ok\"} %llu\nbff_trace_exports_total{result=\"failed\"} %llu\n",
                   (unsigned long long)atomic_load(&s->tracer.spans_exported),
                   (unsigned long long)atomic_load(&s->tracer.spans_dropped_full),
                   (unsigned long long)atomic_load(&s->tracer.spans_dropped_failed),
                   (unsigned long long)atomic_load(&s->tracer.exports_ok),
                   (unsigned long long)atomic_load(&s->tracer.exports_failed));
    static const char *const replies[BFF_SHARED_COUNT] = {"fill", "hit", "busy", "unavailable"};
    bff_buf_appends(&b, "# HELP bff_catalog_cache_shared_total Replies of the fleet's catalog cache (Redis) to reads the "
                        "worker's cache missed: hit, fill (this reader calls the provider), busy (another is filling "
                        "it: ask again), unavailable (Redis down or slow: the provider is called).\n"
                        "# TYPE bff_catalog_cache_shared_total counter\n");
    for (int i = 0; i < BFF_SHARED_COUNT; ++i)
        bff_buf_printf(&b, "bff_catalog_cache_shared_total{reply=\"%s\"} %llu\n", replies[i],
                       (unsigned long long)atomic_load(&s->shared_cache[i]));
    uint64_t counts[BFF_SAGA_STATE_COUNT];
    bff_journal_counts(s->journal, counts);
    bff_buf_appends(&b, "# HELP bff_checkouts Checkouts in the journal by saga state.\n# TYPE bff_checkouts gauge\n");
    for (int i = 0; i < BFF_SAGA_STATE_COUNT; ++i)
        bff_buf_printf(&b, "bff_checkouts{state=\"%s\"} %llu\n", bff_saga_state_name((bff_saga_state_t)i),
                       (unsigned long long)counts[i]);
    int r = send_text(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
    bff_buf_free(&b);
    return r;
}

/* The admin key (X-Admin-Key, compared by its SHA-256 in constant time); false: a 401 has been sent. */
static bool admin_ok(bff_server_t *s, h2o_req_t *req)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-admin-key"), -1);
    bool ok = false;
    if (i >= 0 && strlen(s->config.admin_key_sha256) == 64) {
        unsigned char want[SHA256_DIGEST_LENGTH], got[SHA256_DIGEST_LENGTH];
        for (int k = 0; k < SHA256_DIGEST_LENGTH; ++k) {
            unsigned v = 0;
            sscanf(s->config.admin_key_sha256 + 2 * k, "%2x", &v);
            want[k] = (unsigned char)v;
        }
        SHA256((const unsigned char *)req->headers.entries[i].value.base, req->headers.entries[i].value.len, got);
        ok = CRYPTO_memcmp(want, got, sizeof(got)) == 0;
    }
    if (!ok)
        send_text(req, 401, "Unauthorized", "application/json",
                  H2O_STRLIT("{\"errors\":[{\"message\":\"The admin key is missing or wrong.\",\"extensions\":{\"code\":\"UNAUTHENTICATED\"}}]}"));
    return ok;
}

int bff_http_admin_deprecations(h2o_handler_t *self, h2o_req_t *req)
{
    if (!is_get_or_head(req))
        return -1;
    bff_server_t *s = bff_worker_of(req)->server;
    if (!admin_ok(s, req))
        return 0;
    if (bff_usage_fleet_report(bff_worker_of(req), req) == 0) /* the fleet's, from Redis: answered later */
        return 0;
    bff_buf_t b = BFF_BUF_INIT;
    bff_usage_write_json(s->usage, s->schema, &b);
    int r = send_text(req, 200, "OK", "application/json", b.data, b.len);
    bff_buf_free(&b);
    return r;
}

static void checkout_json(const bff_saga_rec_t *r, void *arg)
{
    json_t *list = arg;
    const char *sep = strchr(r->key, '\x1f');
    json_t *item = json_pack("{s:s%, s:s, s:s, s:s, s:s, s:I, s:s, s:s?, s:s?, s:s?, s:I, s:I}", "client", r->key,
                             (size_t)(sep ? sep - r->key : 0), "idempotencyKey", sep ? sep + 1 : r->key, "state",
                             bff_saga_state_name(r->state), "cartId", r->cart_id, "currency", r->currency, "amount",
                             (json_int_t)r->amount, "doubtStep",
                             r->state == BFF_SAGA_IN_DOUBT ? bff_saga_state_name(r->doubt_step) : "", "authorizationId",
                             r->auth_id[0] ? r->auth_id : NULL, "orderId", r->order_id[0] ? r->order_id : NULL, "outcome",
                             r->outcome[0] ? r->outcome : NULL, "createdMs", (json_int_t)r->created_ms, "updatedMs",
                             (json_int_t)r->updated_ms);
    if (item != NULL) /* a client name that is not UTF-8 cannot be shown */
        json_array_append_new(list, item);
}

/* GET /admin/checkouts[?state=in_doubt]: the journal's checkouts (at most 1,000), for operators. */
int bff_http_admin_checkouts(h2o_handler_t *self, h2o_req_t *req)
{
    if (!is_get_or_head(req))
        return -1;
    bff_server_t *s = bff_worker_of(req)->server;
    if (!admin_ok(s, req))
        return 0;
    int state = -1;
    if (req->query_at != SIZE_MAX) {
        const char *q = req->path.base + req->query_at + 1;
        size_t qlen = req->path.len - req->query_at - 1;
        if (qlen > 6 && strncmp(q, "state=", 6) == 0) {
            char name[32];
            snprintf(name, sizeof(name), "%.*s", (int)(qlen - 6 < 31 ? qlen - 6 : 31), q + 6);
            name[strcspn(name, "&")] = '\0';
            state = bff_saga_state_parse(name);
            if (state < 0)
                return send_text(req, 400, "Bad Request", "application/json",
                                 H2O_STRLIT("{\"errors\":[{\"message\":\"state must be one of the checkout states "
                                            "(started, authorized, order_pending, order_created, captured, voiding, "
                                            "cancelling, compensated, failed, aborted, in_doubt).\"}]}"));
        }
    }
    json_t *list = json_array();
    bff_journal_each(s->journal, state, 1000, checkout_json, list);
    json_t *doc = json_pack("{s:o}", "checkouts", list);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    int r = send_text(req, 200, "OK", "application/json", text, strlen(text));
    free(text);
    return r;
}

int bff_http_bench_static(h2o_handler_t *self, h2o_req_t *req)
{
    const char *body = bff_worker_of(req)->server->config.bench_static_body;
    return send_text(req, 200, "OK", "application/json", body, strlen(body));
}

/* GraphiQL for a first visit: the product page example, a note on the key header, an inline icon. */
static const char graphiql_html[] =
    "<!doctype html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<title>Storefront GraphQL</title>\n"
    "<link rel=\"icon\" href=\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%23e10098'/%3E%3Cpath d='M4 11l4-7 4 7z' fill='white'/%3E%3C/svg%3E\">\n"
    "<link rel=\"stylesheet\" href=\"/graphiql/graphiql.min.css\">\n"
    "<style>html,body,#graphiql{height:100%;margin:0}</style>\n"
    "</head>\n"
    "<body>\n"
    "<div id=\"graphiql\">Loading GraphiQL...</div>\n"
    "<script src=\"/graphiql/react.production.min.js\"></script>\n"
    "<script src=\"/graphiql/react-dom.production.min.js\"></script>\n"
    "<script src=\"/graphiql/graphiql.min.js\"></script>\n"
    "<script>\n"
    "const fetcher = GraphiQL.createFetcher({ url: window.location.pathname });\n"
    "const defaultQuery = \"# The storefront API. Run this product page with the play button.\\n# Anonymous callers reach the catalog. Carts, checkout, orders and customers\\n# need a key: under Headers, add {\\\"x-api-key\\\": \\\"demo-storefront-key\\\"} (make run).\\nquery ProductPage($handle: String = \\\"linen-backpack-1\\\") {\\n  product(handle: $handle) {\\n    title\\n    vendor\\n    priceRange { minVariantPrice { amount currencyCode } }\\n    variants { sku title price { amount currencyCode } quantityAvailable }\\n  }\\n}\\n\";\n"
    "ReactDOM.createRoot(document.getElementById('graphiql'))\n"
    "  .render(React.createElement(GraphiQL, { fetcher, defaultQuery, defaultHeaders: '{}', defaultEditorToolsVisibility: true }));\n"
    "</script>\n"
    "</body>\n"
    "</html>\n";

int bff_http_graphiql_page(h2o_req_t *req)
{
    return send_text(req, 200, "OK", "text/html; charset=utf-8", graphiql_html, sizeof(graphiql_html) - 1);
}
