/*
 * http_graphql.c - GraphQL over HTTP (the GraphQL-over-HTTP spec, as the
 * graphql-http audits check it) on h2o: GET and POST /graphql.
 *
 * One request: negotiate the response media type from Accept; read the
 * parameters (POST: a JSON body; GET: the query string); take the prepared
 * document from the worker's cache (parse + validate once per distinct
 * text); select the operation (a mutation over GET is 405); execute; write
 * the response into the request's memory pool and send it.
 *
 * Status codes: with application/graphql-response+json, a request that
 * yields no data (parse, validation, operation selection or variable
 * coercion failure) is 400, otherwise 200; with application/json (legacy
 * clients) those are 200. Malformed requests (bad JSON, wrong parameter
 * types) are 400 either way. See docs/decisions/http-status-codes.md.
 *
 * Batches: a POST body that is a JSON array (Apollo's BatchHttpLink,
 * graphql-request's batchRequests) runs each element as a request of its
 * own (its own admission, cost and errors; they share the HTTP request's
 * client, key and limits) and answers a JSON array of their responses, in
 * order, with 200; at most max_batch_size elements.
 *
 * Memory and lifetime: a bff_http_gql_t (heap) holds the execution's arena
 * and the cached document reference. A dispose hook in the request's pool
 * tells it when h2o drops the request (client gone): the execution is then
 * cancelled and the response discarded when it completes.
 */
#define _GNU_SOURCE /* strcasestr */
#include <ctype.h>
#include <jansson.h>
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graphql/analysis.h"
#include "graphql/cost.h"
#include "graphql/exec.h"
#include "base/json_parse.h"
#include "resolvers/context.h"
#include "admission.h"
#include "edge.h"
#include "reload.h"
#include "store.h"
#include <hiredis/hiredis.h>
#include "http.h"
#include "persisted.h"
#include "reqlog.h"
#include "worker.h"

typedef enum { MT_JSON, MT_GRAPHQL_RESPONSE } media_t;

typedef struct st_bff_http_gql_t {
    h2o_req_t *req; /* NULL once h2o has dropped the request */
    bff_worker_t *worker;
    bff_arena_t *arena;
    bff_gql_doc_t *doc;
    json_t *params;
    bff_exec_t *exec;
    bff_reqctx_t *rctx; /* the resolvers' per-request context */
    media_t media;
    bff_reqlog_t log;
    struct st_bff_http_gql_t **slot; /* the request pool's dispose hook, while attached */
    bff_conn_t *conn;                /* the HTTP/2 connection (NULL for HTTP/1.1); valid while the request is */
    bff_generation_t *gen;           /* the reloadable settings this request runs with (reference held) */
    const bff_ast_node_t *op;        /* the operation executed */
    const char *bucket;              /* whose budget pays: a client id, or "anon:<address>" */
    const bff_tier_t *tier;
    int64_t requested_cost;
    const char *const *scopes; /* what the caller may reach (@requiresScopes) */
    bool trusted_only;         /* the caller may run only trusted documents */
    size_t nscopes;
    const char *deprecations_json;            /* extensions.deprecations, when the client asked */
    const char *apq_hash;                     /* an APQ registration to make once admission has passed */
    bool is_get;                              /* a GET: a shared cache may keep a public answer */
    bool waiting_store;                       /* admission waits for Redis (the budget): g outlives the request */
    bool shared_budget;                       /* the budget was taken from the fleet's bucket in Redis */
    double shared_level;                      /* the fleet bucket's level after the take */
    const char *operation_name;               /* for execution, kept while admission waits */
    json_t *exec_variables;                   /* borrowed from params or the arena's coerced copy */
    bool exec_variables_coerced;
    struct {                                  /* scope_authorize's memo: (type, field) -> allowed, direct-mapped */
        const void *type, *field;
        bool allowed;
    } authz[64];
    bool keyed;                               /* the caller sent an API key: its answers are never public */
    const char *cache_control;                /* the answer's Cache-Control (NULL: no-store) */
    const char *etag;                         /* with a public answer: its ETag */
    bool *completed_flag;            /* set while bff_exec_start runs: it may complete (and free g) at once */
    struct st_batch_t *batch;        /* an operation of a batch (NULL: a request of its own) */
    bool incremental;                /* the client takes multipart/mixed;deferSpec=20220824: @defer delivers in parts */
    struct st_stream_t *stream;      /* the parts being sent (incremental delivery), or NULL */
    size_t batch_index;
    bool tracing;                    /* the trace is sampled: this request records spans (w->tracer) */
    bool span_done;                  /* the server span is recorded */
    uint64_t started_ns;             /* wall clock, for the server span */
    int64_t actual_cost;             /* from what the lists held; -1: not known */
} bff_http_gql_t;

static const char *media_type_name(media_t m)
{
    return m == MT_GRAPHQL_RESPONSE ? "application/graphql-response+json; charset=utf-8"
                                    : "application/json; charset=utf-8";
}

/*
 * Accept negotiation: the first acceptable media range in the header wins
 * (q=0 excludes); any and application-wildcard ranges pick application/json. No header:
 * application/json. Returns -1 when nothing we produce is acceptable.
 */
/* Whether the client takes @defer's parts as Apollo's multipart format (multipart/mixed;deferSpec=20220824). */
static bool accepts_incremental(h2o_req_t *req)
{
    const char *accept = bff_req_header(req, H2O_TOKEN_ACCEPT, NULL);
    const char *m = accept != NULL ? strcasestr(accept, "multipart/mixed") : NULL;
    if (m == NULL)
        return false;
    size_t range = strcspn(m, ","); /* its parameters */
    const char *spec = strcasestr(m, "deferSpec=20220824");
    return spec != NULL && (size_t)(spec - m) < range;
}

static int negotiate(h2o_req_t *req, media_t *out, bool *wants_html)
{
    *wants_html = false;
    const char *accept = bff_req_header(req, H2O_TOKEN_ACCEPT, NULL);
    if (accept == NULL || *accept == '\0') {
        *out = MT_JSON;
        return 0;
    }
    bool found = false;
    const char *p = accept;
    while (*p) {
        while (*p == ' ' || *p == ',')
            ++p;
        const char *start = p;
        while (*p && *p != ',' && *p != ';')
            ++p;
        size_t n = (size_t)(p - start);
        while (n > 0 && start[n - 1] == ' ')
            --n;
        bool zero_q = false;
        while (*p == ';') {
            ++p;
            while (*p == ' ')
                ++p;
            if (strncmp(p, "q=0", 3) == 0 && (p[3] == '\0' || p[3] == ',' || p[3] == ';' ||
                                               (p[3] == '.' && strspn(p + 4, "0") == strcspn(p + 4, ",; "))))
                zero_q = true;
            while (*p && *p != ',' && *p != ';')
                ++p;
        }
        if (zero_q || n == 0)
            continue;
#define IS(s) (n == sizeof(s) - 1 && strncasecmp(start, s, n) == 0)
        if (IS("text/html"))
            *wants_html = true;
        if (!found) {
            if (IS("application/graphql-response+json")) {
                *out = MT_GRAPHQL_RESPONSE;
                found = true;
            } else if (IS("application/json") || IS("application/*") || IS("*/*")) {
                *out = MT_JSON;
                found = true;
            }
        }
#undef IS
    }
    return found ? 0 : -1;
}

static void finish(bff_http_gql_t *g);
static void account(bff_http_gql_t *g, int status);

/*
 * A batch: the HTTP request's own bff_http_gql_t (`parent`: it holds the
 * client's identity, scopes and budget bucket the operations borrow) and one
 * bff_http_gql_t per operation. Each operation's response goes into its slot;
 * the array is sent when the last one is in. The batch and its parent go
 * when the last operation is finished (answered, or cancelled with the
 * request).
 */
typedef struct st_batch_t {
    bff_http_gql_t *parent;
    h2o_req_t *req;              /* NULL once h2o dropped the request */
    struct st_batch_t **hook;    /* in the request's pool: clears `req` when it is disposed */
    bff_conn_t *conn;            /* HTTP/2: a batch dropped before its answer counts as a reset */
    size_t n, pending, alive;    /* operations; not yet answered; not yet finished */
    bool sent;
    struct {
        char *body;
        size_t len;
    } out[];
} batch_t;

static void batch_send(batch_t *b);

/* An operation of a batch has its response. */
static void batch_store(bff_http_gql_t *g, const char *body, size_t len)
{
    batch_t *b = g->batch;
    b->out[g->batch_index].body = bff_xmalloc(len + 1);
    memcpy(b->out[g->batch_index].body, body, len);
    b->out[g->batch_index].len = len;
    if (--b->pending == 0 && b->req != NULL)
        batch_send(b);
}

/* A client-chosen string for a span: NULL stays NULL, anything else at most BFF_REQLOG_FIELD_MAX bytes. */
static void span_field(bff_span_t *s, const char *key, const char *v)
{
    if (v != NULL)
        bff_span_str(s, key, v, strnlen(v, BFF_REQLOG_FIELD_MAX));
}

/*
 * The request's server span (OpenTelemetry's HTTP server and GraphQL
 * conventions): named by the operation ("query ProductPage") once one was
 * selected, else by the route; `status` 0: the client went before its answer.
 * GraphQL errors are events on it (the first ten) and set its status.
 */
static void server_span(bff_http_gql_t *g, int status)
{
    if (!g->tracing || g->span_done)
        return;
    g->span_done = true;
    bff_worker_t *w = g->worker;
    const char *type = g->op != NULL ? bff_operation_name(g->op->operation) : NULL;
    char name[160];
    int n = type != NULL ? snprintf(name, sizeof(name), "%s%s%.128s", type, g->log.operation ? " " : "",
                                    g->log.operation ? g->log.operation : "")
                         : snprintf(name, sizeof(name), "%s /graphql", g->is_get ? "GET" : "POST");
    bff_span_t s;
    bff_span_begin(&s, w->tracer, &g->log.trace, g->log.trace.span_id, g->log.trace.parent_id, name,
                   (size_t)n < sizeof(name) ? (size_t)n : sizeof(name) - 1, BFF_SPAN_SERVER, g->started_ns);
    bff_span_str(&s, "http.request.method", g->is_get ? "GET" : "POST", g->is_get ? 3 : 4);
    bff_span_str(&s, "http.route", "/graphql", 8);
    if (status != 0)
        bff_span_int(&s, "http.response.status_code", status);
    span_field(&s, "graphql.operation.name", g->log.operation);
    if (type != NULL)
        bff_span_str(&s, "graphql.operation.type", type, strlen(type));
    span_field(&s, "bff.client.name", g->log.client);
    bff_span_str(&s, "bff.request_id", g->log.request_id, strlen(g->log.request_id));
    if (g->op != NULL)
        bff_span_int(&s, "bff.graphql.cost.requested", g->requested_cost);
    if (g->actual_cost >= 0)
        bff_span_int(&s, "bff.graphql.cost.actual", g->actual_cost);
    if (g->rctx != NULL && g->rctx->cache_hits > 0) /* fresh catalog answers from the worker's cache: no span each */
        bff_span_int(&s, "bff.cache.hits", g->rctx->cache_hits);
    uint64_t now = bff_span_now_ns();
    const bff_gql_error_t *first = g->log.errors != NULL ? g->log.errors->head : NULL;
    int nerrors = 0;
    for (const bff_gql_error_t *e = first; e != NULL; e = e->next)
        if (nerrors++ < 10)
            bff_span_event(&s, "graphql.error", now, e->code, e->message);
    if (nerrors > 0)
        bff_span_int(&s, "bff.graphql.errors", nerrors);
    if (first != NULL)
        bff_span_error(&s, first->code != NULL ? first->code : "INTERNAL_SERVER_ERROR", first->message);
    else if (status == 0)
        bff_span_error(&s, "CLIENT_CLOSED", "the client went before its answer");
    else if (status >= 500)
        bff_span_error(&s, "HTTP_ERROR", NULL);
    bff_span_end(&s, now);
}

/* Sends `body` (copied into the request pool) with `status`. */
static void respond(bff_http_gql_t *g, int status, const char *body, size_t len)
{
    h2o_req_t *req = g->req;
    /* detach from the pool first: sending may dispose the request at once */
    if (g->slot != NULL) {
        *g->slot = NULL;
        g->slot = NULL;
    }
    if (g->batch != NULL) { /* an element of the batch's array: sent with the others */
        account(g, status);
        batch_store(g, body, len);
        return;
    }
    const char *cc = g->cache_control ? g->cache_control : "no-store";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, cc, strlen(cc));
    if (g->etag != NULL) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ETAG, NULL, g->etag, strlen(g->etag));
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_VARY, NULL, H2O_STRLIT("Accept"));
        const char *inm = bff_req_header(req, H2O_TOKEN_IF_NONE_MATCH, NULL);
        if (inm != NULL && strstr(inm, g->etag) != NULL && status == 200) { /* the cache has this answer already */
            status = 304;
            len = 0;
        }
    }
    req->res.status = status;
    req->res.reason = status == 200 ? "OK" : status == 304 ? "Not Modified" : status == 400 ? "Bad Request" : status == 405 ? "Method Not Allowed"
                                         : status == 406 ? "Not Acceptable"
                                         : status == 415 ? "Unsupported Media Type"
                                                         : "Error";
    const char *ct = media_type_name(g->media);
    bff_edge_cors_headers(g->gen->edge, req); /* errors too: the browser lets the page read them */
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ct, strlen(ct));

    static h2o_generator_t generator = {NULL, NULL};
    h2o_iovec_t buf = h2o_strdup(&req->pool, body, len);
    /* a known length: no chunked encoding, whose h2o 2.2 filter closes HTTP/1.1 connections after any non-200 */
    req->res.content_length = len;
    h2o_start_response(req, &generator);
    h2o_send(req, &buf, 1, H2O_SEND_STATE_FINAL);
    account(g, status);
}

/* The answered request's metrics, log line and server span. */
static void account(bff_http_gql_t *g, int status)
{
    bff_reqlog_t *log = &g->log;
    bff_server_t *s = g->worker->server;
    bff_metrics_request(&s->metrics, log->operation, status, bff_now_us() - log->started_us);
    for (const bff_gql_error_t *e = log->errors ? log->errors->head : NULL; e != NULL; e = e->next)
        bff_metrics_error(&s->metrics, e->code ? e->code : "INTERNAL_SERVER_ERROR");
    if (s->config.log_requests)
        bff_reqlog_write(log, g->req, status);
    server_span(g, status);
}

/* The batch's array of responses, in order, with 200. */
static void batch_send(batch_t *b)
{
    h2o_req_t *req = b->req;
    bff_http_gql_t *parent = b->parent;
    b->sent = true;
    size_t len = 2 + (b->n > 0 ? b->n - 1 : 0);
    for (size_t i = 0; i < b->n; ++i)
        len += b->out[i].len;
    char *body = h2o_mem_alloc_pool(&req->pool, len), *w = body;
    *w++ = '[';
    for (size_t i = 0; i < b->n; ++i) {
        if (i > 0)
            *w++ = ',';
        memcpy(w, b->out[i].body, b->out[i].len);
        w += b->out[i].len;
    }
    *w++ = ']';
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    bff_edge_cors_headers(parent->gen->edge, req);
    const char *ct = media_type_name(parent->media);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ct, strlen(ct));
    static h2o_generator_t generator = {NULL, NULL};
    h2o_iovec_t buf = h2o_iovec_init(body, len);
    req->res.content_length = len;
    h2o_start_response(req, &generator);
    h2o_send(req, &buf, 1, H2O_SEND_STATE_FINAL);
}

static void on_batch_disposed(void *p)
{
    batch_t *b = *(batch_t **)p;
    if (b == NULL)
        return;
    if (!b->sent && b->conn != NULL) /* the client reset the stream before its answer */
        bff_conn_note_reset(b->conn);
    b->req = NULL;
    b->hook = NULL;
}

/* A response of errors only ({"errors":[...]} without data), with `status`. */
static void respond_errors(bff_http_gql_t *g, int status, const bff_gql_errors_t *errs)
{
    bff_buf_t b = BFF_BUF_INIT;
    bff_buf_appends(&b, "{\"errors\":");
    bff_gql_errors_write_json(&b, errs);
    bff_buf_appendc(&b, '}');
    g->log.errors = errs;
    respond(g, status, b.data, b.len);
    g->log.errors = NULL;
    bff_buf_free(&b);
}

/* One error from a message and code. */
static void respond_error(bff_http_gql_t *g, int status, const char *code, const char *message)
{
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    bff_gql_error_t *e = bff_gql_errors_add(&errs, g->arena, NULL, message);
    e->code = code;
    respond_errors(g, status, &errs);
}

/* Errors that stop a request before execution: 400 for application/graphql-response+json, else 200. */
static void respond_request_errors(bff_http_gql_t *g, const bff_gql_errors_t *errs)
{
    respond_errors(g, g->media == MT_GRAPHQL_RESPONSE ? 400 : 200, errs);
}

/* h2o dropped the request (client gone) before we answered: cancel the execution. */
static void on_pool_dispose(void *p)
{
    bff_http_gql_t *g = *(bff_http_gql_t **)p;
    if (g == NULL)
        return;
    g->req = NULL;
    g->slot = NULL;
    if (g->conn != NULL) /* the client reset the stream before its answer */
        bff_conn_note_reset(g->conn);
    g->conn = NULL;
    if (g->exec != NULL)
        bff_exec_cancel(g->exec); /* on_exec_done still fires and frees g */
    else if (!g->waiting_store)
        finish(g); /* (a request waiting for Redis is finished by the store's callback) */
}

static void finish(bff_http_gql_t *g)
{
    server_span(g, 0); /* unless respond() recorded it: the client went first */
    bff_reqctx_free(g->rctx);
    if (g->doc != NULL)
        bff_gql_doc_release(g->doc);
    json_decref(g->params);
    bff_generation_release(g->gen);
    bff_worker_arena_done(g->worker, g->arena); /* kept for the worker's next request */
    batch_t *b = g->batch;
    free(g);
    if (b != NULL && --b->alive == 0) { /* the batch's last operation: the batch and its parent go */
        if (b->hook != NULL)
            *b->hook = NULL;
        for (size_t i = 0; i < b->n; ++i)
            free(b->out[i].body);
        finish(b->parent);
        free(b);
    }
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * A point count as a whole number, as "%.0f" prints it (half to even). Points
 * are integers in practice; printf's "%.0f" took a third of the CPU of
 * `{ __typename }` with a 1e15-point bench tier (bench/README.md).
 */
static long long whole(double v)
{
    double r = nearbyint(v);
    return r >= 9e15 ? 9000000000000000LL : r <= -9e15 ? -9000000000000000LL : (long long)r;
}

/* Appends extensions.cost, as Shopify's storefront gives it (actual < 0: not known); no printf on this path. */
static void append_cost_json(bff_buf_t *b, const bff_tier_t *tier, int64_t requested, int64_t actual, double available)
{
    bff_buf_appends(b, "{\"requestedQueryCost\":");
    bff_buf_append_int(b, requested);
    if (actual >= 0) {
        bff_buf_appends(b, ",\"actualQueryCost\":");
        bff_buf_append_int(b, actual);
    }
    if (tier == NULL) { /* a public answer is the same for every caller: no budget state in it */
        bff_buf_appendc(b, '}');
        return;
    }
    bff_buf_appends(b, ",\"throttleStatus\":{\"maximumAvailable\":");
    bff_buf_append_int(b, whole(tier->bucket));
    bff_buf_appends(b, ",\"currentlyAvailable\":");
    bff_buf_append_int(b, whole(available));
    bff_buf_appends(b, ",\"restoreRate\":");
    bff_buf_append_int(b, whole(tier->restore_per_second));
    bff_buf_appends(b, "}}");
}

/*
 * expose_dependency_details off: an error about a provider says what failed in
 * the schema's terms, with its code and the request id; the provider's
 * message (host, URL, status, vendor reason) goes to the log only, under the
 * same request id. extensions.dependency (the logical service: "tax") stays.
 */
static void redact(bff_http_gql_t *g, bff_gql_error_t *e)
{
    static const struct {
        const char *code, *message;
    } generic[] = {
        {"DEPENDENCY_TIMEOUT", "A service this field needs did not answer in time."},
        {"DEPENDENCY_UNAVAILABLE", "A service this field needs is unavailable."},
        {"PROVIDER_REJECTED", "A service this field needs refused the request."},
        {"CHECKOUT_TOTALS_UNAVAILABLE", "Cart totals are unavailable: a service they need did not answer."},
        {"CHECKOUT_IN_DOUBT", "The checkout's outcome is not known yet: retry with the same idempotency key (it never "
                              "charges twice)."},
        {"CHECKOUT_UNAVAILABLE", "Checkout is unavailable right now; retry with the same idempotency key."},
        {"INTERNAL_SERVER_ERROR", "Something failed on the server."},
    };
    for (size_t i = 0; i < sizeof(generic) / sizeof(generic[0]); ++i) {
        if (strcmp(e->code, generic[i].code) != 0)
            continue;
        bff_buf_t b = BFF_BUF_INIT;
        bff_buf_appends(&b, "{\"level\":\"warn\",\"msg\":\"error detail\",\"request_id\":");
        bff_buf_append_json_string(&b, g->log.request_id, strlen(g->log.request_id));
        bff_buf_appends(&b, ",\"code\":");
        bff_buf_append_json_string(&b, e->code, strlen(e->code));
        bff_buf_appends(&b, ",\"detail\":");
        bff_buf_append_json_string(&b, e->message, strnlen(e->message, 2048));
        bff_buf_appends(&b, "}\n");
        fwrite(b.data, 1, b.len, stdout);
        fflush(stdout);
        bff_buf_free(&b);
        e->message = bff_arena_printf(g->arena, "%s (request %s)", generic[i].message, g->log.request_id);
        return;
    }
}

/* ---- HTTP caching of public reads (@cacheControl, Apollo's convention) ---- */

typedef struct st_cache_policy_t {
    int64_t max_age; /* the lowest so far; INT64_MAX: no field said */
    bool private_scope;
} cache_policy_t;

/* A @cacheControl hint of a directive list: true with its maxAge (-1: none, or inherited) and scope. */
static bool cache_hint(const bff_ast_list_t *directives, int64_t *max_age, bool *private_scope)
{
    const bff_ast_node_t *d = bff_ast_find_directive(directives, "cacheControl");
    if (d == NULL)
        return false;
    const bff_ast_node_t *age = bff_ast_directive_arg(d, "maxAge");
    const bff_ast_node_t *scope = bff_ast_directive_arg(d, "scope");
    const bff_ast_node_t *inherit = bff_ast_directive_arg(d, "inheritMaxAge");
    *max_age = age != NULL && age->kind == BFF_AST_INT_VALUE && !(inherit && inherit->boolean) ? strtoll(age->text, NULL, 10) : -1;
    *private_scope = scope != NULL && scope->text_len == 7 && memcmp(scope->text, "PRIVATE", 7) == 0;
    return true;
}

static void cache_field(void *arg, const bff_field_t *def, const bff_ast_node_t *node, uint32_t depth)
{
    cache_policy_t *p = arg;
    int64_t age = -1;
    bool priv = false;
    const bff_type_t *named = bff_typeref_named(def->type);
    bool composite = named->kind == BFF_TYPE_OBJECT || named->kind == BFF_TYPE_INTERFACE || named->kind == BFF_TYPE_UNION;
    if (!cache_hint(&def->directives, &age, &priv) && composite && !cache_hint(&named->directives, &age, &priv))
        age = 0; /* an object without a hint is not cacheable */
    if (age >= 0 && age < p->max_age)
        p->max_age = age;
    p->private_scope = p->private_scope || priv;
}

static void cache_value(void *arg, const bff_type_t *type)
{
    cache_policy_t *p = arg; /* an object's own type may be stricter than the field's hint said */
    int64_t age = -1;
    bool priv = false;
    if (!cache_hint(&type->directives, &age, &priv)) {
        if (type->kind != BFF_TYPE_OBJECT)
            return; /* leaves: their fields' hints said it */
        /* an object without a hint is not cacheable, whatever its field's type said (a Cart or an Order
           through node(id:), whose Node interface has a hint) */
        p->max_age = 0;
        return;
    }
    if (age >= 0 && age < p->max_age)
        p->max_age = age;
    p->private_scope = p->private_scope || priv;
}

/*
 * The answer's Cache-Control: public, max-age=N only for an anonymous GET of a
 * query that answered without errors and whose every field allows it (the
 * lowest max-age over them); anything else stays no-store.
 */
static void cache_policy(bff_http_gql_t *g, bff_exec_t *x, bool has_data, const bff_gql_errors_t *errs)
{
    if (!g->is_get || g->keyed || !has_data || errs->count > 0 || g->op == NULL || g->op->operation != BFF_OP_QUERY)
        return;
    cache_policy_t p = {INT64_MAX, false};
    bff_exec_visitor_t v = {cache_field, cache_value, &p};
    bff_exec_visit_result(x, &v);
    if (p.private_scope || p.max_age <= 0 || p.max_age == INT64_MAX)
        return;
    g->cache_control = bff_arena_printf(g->arena, "public, max-age=%lld, stale-while-revalidate=%lld",
                                        (long long)p.max_age, (long long)p.max_age);
}

static int bucket_command(bff_http_gql_t *g, double cost, bff_store_cb cb, void *arg);
static void on_given_back(struct redisReply *reply, void *arg);

/*
 * Incremental delivery (@defer) as Apollo's multipart format
 * (deferSpec=20220824): the first part is the initial payload with
 * "hasNext":true; each deferred fragment, once its own execution is done,
 * is a part {"incremental":[{"data","path","label","errors"}],"hasNext"};
 * the last says "hasNext":false and the closing boundary follows. Parts are
 * written into the request's pool and sent as h2o asks for more (one send
 * in flight). A client that goes away cancels the deferred executions; g
 * is finished once none runs and nothing is being sent.
 */
#define STREAM_BOUNDARY "graphql"
/* each part is followed by the boundary at once, so a client knows it is whole without waiting for the next */
#define STREAM_PART "content-type: application/json; charset=utf-8\r\n\r\n"
#define STREAM_NEXT "\r\n--" STREAM_BOUNDARY "\r\n"
#define STREAM_END "\r\n--" STREAM_BOUNDARY "--\r\n"

typedef struct st_stream_item_t {
    struct st_stream_t *stream;
    bff_exec_t *x; /* its execution */
    bool done;
    struct st_stream_item_t *next; /* running ones */
} stream_item_t;

typedef struct st_stream_t {
    h2o_generator_t generator; /* first: h2o hands it back */
    bff_http_gql_t *g;
    bff_buf_t out;             /* written, not yet handed to h2o */
    bool sending;              /* h2o has a send in flight: wait for proceed */
    bool closed;               /* the closing boundary is in `out` */
    bool ended;                /* the last send (FINAL) is done: nothing more goes to h2o */
    bool gone;                 /* h2o stopped the response (client gone) */
    int running;               /* deferred executions not done */
    int hold;                  /* inside a walk that starts or cancels executions: the stream stays */
    stream_item_t *items;
} stream_t;

static void stream_flush(stream_t *st);
static void stream_start_deferred(stream_t *st, bff_exec_t *parent);
static bool scope_visible(const bff_type_t *type, const bff_field_t *field, void *arg);
static bool scope_authorize(const bff_type_t *type, const bff_field_t *field, void *arg, const char **message);

/* What every execution of g shares: schema, document, resolvers' context, arena, the caller's visibility and
   authorization, incremental delivery. */
static bff_exec_request_t exec_request(bff_http_gql_t *g)
{
    return (bff_exec_request_t){
        .schema = g->worker->server->schema,
        .document = g->doc->root,
        .user = g->rctx,
        .arena = g->arena,
        .visible = scope_visible,
        .visible_arg = g,
        .authorize = scope_authorize,
        .authorize_arg = g,
        .defer = g->incremental,
    };
}

/* Finishes g once nothing runs and nothing waits to be sent (or the client is gone). */
static void stream_maybe_end(stream_t *st)
{
    if (st->hold > 0 || st->running > 0 || (st->sending && !st->gone) || (!st->closed && !st->gone))
        return;
    bff_http_gql_t *g = st->g;
    bff_buf_free(&st->out);
    g->stream = NULL;
    free(st);
    finish(g);
}

static void on_stream_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    stream_t *st = (stream_t *)self;
    st->sending = false;
    if (st->out.len > 0 || st->closed)
        stream_flush(st);
    stream_maybe_end(st);
}

static void on_stream_stop(h2o_generator_t *self, h2o_req_t *req)
{
    stream_t *st = (stream_t *)self;
    st->gone = true;
    st->sending = false;
    st->hold++; /* a cancelled execution ends at once, maybe the last */
    for (stream_item_t *it = st->items; it != NULL; it = it->next)
        if (!it->done)
            bff_exec_cancel(it->x); /* their on_done still come */
    st->hold--;
    stream_maybe_end(st);
}

/* Hands what is written to h2o, unless a send is in flight; the last part ends the response. */
static void stream_flush(stream_t *st)
{
    h2o_req_t *req = st->g->req;
    if (st->sending || st->gone || st->ended || req == NULL)
        return;
    bool final = st->closed && st->running == 0;
    if (st->out.len == 0 && !final)
        return;
    h2o_iovec_t buf = h2o_strdup(&req->pool, st->out.data != NULL ? st->out.data : "", st->out.len);
    st->out.len = 0;
    st->sending = !final;
    st->ended = final;
    h2o_send(req, &buf, 1, final ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

/* A deferred fragment's execution is done: its part, and those of the fragments it deferred in turn. */
static void on_deferred_done(bff_exec_t *x, void *arg)
{
    stream_item_t *it = arg;
    stream_t *st = it->stream;
    it->done = true;
    bff_http_gql_t *g = st->g;
    if (!st->gone && g->req != NULL) {
        const bff_gql_errors_t *errs = bff_exec_errors(x);
        for (bff_gql_error_t *e = errs->head; e != NULL; e = e->next) {
            if (e->code == NULL)
                e->code = "INTERNAL_SERVER_ERROR";
            if (!g->worker->server->config.expose_dependency_details)
                redact(g, e);
        }
        int children = 0; /* the fragments it deferred in turn: their parts come after its own */
        for (const bff_exec_deferred_t *d = bff_exec_deferred_first(x); d != NULL; d = bff_exec_deferred_next(d))
            ++children;
        --st->running;
        bool more = st->running + children > 0;
        bff_buf_appends(&st->out, STREAM_PART "{\"incremental\":[");
        bff_exec_write_incremental(x, &st->out);
        bff_buf_appends(&st->out, more ? "],\"hasNext\":true}" STREAM_NEXT : "],\"hasNext\":false}" STREAM_END);
        if (!more) {
            st->closed = true;
            account(g, 200);
        }
        st->hold++;
        stream_start_deferred(st, x);
        stream_flush(st);
        st->hold--;
    } else {
        --st->running;
    }
    stream_maybe_end(st);
}

/* The deferred fragments `parent`'s result left out: each an execution of its own, started now. */
static void stream_start_deferred(stream_t *st, bff_exec_t *parent)
{
    bff_http_gql_t *g = st->g;
    st->hold++; /* one may end at once, maybe the last: the stream (and `parent`, in g's arena) stays until the walk ends */
    /* all of them count as running before any starts: one that ends at once must not close the stream */
    for (const bff_exec_deferred_t *d = bff_exec_deferred_first(parent); d != NULL; d = bff_exec_deferred_next(d))
        st->running++;
    for (const bff_exec_deferred_t *d = bff_exec_deferred_first(parent); d != NULL; d = bff_exec_deferred_next(d)) {
        stream_item_t *it = bff_arena_calloc(g->arena, 1, sizeof(*it));
        it->stream = st;
        it->next = st->items;
        st->items = it;
        bff_exec_request_t er = exec_request(g);
        er.on_done = on_deferred_done;
        er.cb_arg = it;
        it->x = bff_exec_start_deferred(&er, parent, d); /* on_done may fire inside: `it` is set before */
    }
    st->hold--;
}

/* The initial payload is ready and fragments were deferred: the multipart answer starts. */
static void stream_start(bff_http_gql_t *g, bff_exec_t *x, const bff_buf_t *first)
{
    h2o_req_t *req = g->req;
    if (g->slot != NULL) { /* the stream's generator answers for the request now */
        *g->slot = NULL;
        g->slot = NULL;
    }
    stream_t *st = bff_xcalloc(1, sizeof(*st));
    st->generator.proceed = on_stream_proceed;
    st->generator.stop = on_stream_stop;
    st->g = g;
    g->stream = st;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    bff_edge_cors_headers(g->gen->edge, req);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("multipart/mixed;boundary=\"" STREAM_BOUNDARY "\";deferSpec=20220824"));
    h2o_start_response(req, &st->generator);
    bff_buf_appends(&st->out, "\r\n--" STREAM_BOUNDARY "\r\n" STREAM_PART);
    bff_buf_append(&st->out, first->data, first->len - 1); /* without its closing brace */
    bff_buf_appends(&st->out, ",\"hasNext\":true}" STREAM_NEXT);
    st->hold++;
    stream_start_deferred(st, x);
    stream_flush(st);
    st->hold--;
    stream_maybe_end(st);
}

static void on_exec_done(bff_exec_t *x, void *arg)
{
    bff_http_gql_t *g = arg;
    if (g->completed_flag != NULL)
        *g->completed_flag = true;
    if (g->req != NULL) {
        /* request errors carry BAD_USER_INPUT unless they have a code already */
        const bff_gql_errors_t *errs = bff_exec_errors(x);
        bool has_data = bff_exec_has_data(x);
        for (bff_gql_error_t *e = errs->head; e != NULL; e = e->next) {
            if (e->code == NULL)
                e->code = has_data ? "INTERNAL_SERVER_ERROR" : "BAD_USER_INPUT";
            if (!g->worker->server->config.expose_dependency_details)
                redact(g, e);
        }
        cache_policy(g, x, has_data, errs);
        bff_buf_t b = BFF_BUF_INIT;
        bff_exec_write_response(x, &b, NULL);
        bff_buf_t ext = BFF_BUF_INIT;
        if (g->op != NULL) { /* the actual cost from what the lists really held; unused points go back */
            /* deferred parts are still to run: they are paid at the requested cost, nothing goes back */
            int64_t actual = g->incremental && bff_exec_deferred_first(x) != NULL
                                 ? g->requested_cost
                                 : bff_cost_actual(g->worker->server->schema, x, NULL);
            g->actual_cost = actual;
            double unused = actual < g->requested_cost ? (double)(g->requested_cost - actual) : 0;
            double available;
            if (g->shared_budget) { /* given back to the fleet's bucket, not waited for */
                available = g->shared_level + unused > g->tier->bucket ? g->tier->bucket : g->shared_level + unused;
                if (unused > 0)
                    bucket_command(g, -unused, on_given_back, NULL);
            } else {
                available = bff_clients_give_back(g->worker->server->budgets, g->bucket, g->tier, unused, now_ms());
            }
            bff_buf_appends(&ext, "\"cost\":");
            append_cost_json(&ext, g->cache_control ? NULL : g->tier, g->requested_cost, actual, available);
        }
        if (g->deprecations_json != NULL)
            bff_buf_printf(&ext, "%s\"deprecations\":%s", ext.len ? "," : "", g->deprecations_json);
        if (g->rctx != NULL && g->rctx->stale_answers > 0) /* catalog data served from the cache past its time to live */
            bff_buf_printf(&ext, "%s\"stale\":{\"catalog\":{\"answers\":%u,\"maxAgeMs\":%llu}}", ext.len ? "," : "",
                           g->rctx->stale_answers, (unsigned long long)g->rctx->stale_max_age_ms);
        if (ext.len > 0 && b.len > 0 && b.data[b.len - 1] == '}') { /* extensions go last in the response object */
            b.len--;
            bff_buf_appends(&b, ",\"extensions\":{");
            bff_buf_append(&b, ext.data, ext.len);
            bff_buf_appends(&b, "}}");
        }
        bff_buf_free(&ext);
        g->log.errors = errs;
        int status = !has_data && g->media == MT_GRAPHQL_RESPONSE ? 400 : 200;
        if (g->incremental && has_data && bff_exec_deferred_first(x) != NULL) {
            stream_start(g, x, &b); /* the first part now, the deferred ones as they come: g stays */
            bff_buf_free(&b);
            return;
        }
        if (g->cache_control != NULL) { /* a strong validator of the public body: its SHA-256, 128 bits */
            char hex[65];
            bff_sha256_hex(b.data, b.len, hex);
            g->etag = bff_arena_printf(g->arena, "\"%.32s\"", hex);
        }
        respond(g, status, b.data, b.len);
        bff_buf_free(&b);
    }
    finish(g);
}

/*
 * The request's time budget: request_timeout_ms, or less when the client asks
 * with X-Request-Timeout-Ms (1..request_timeout_ms; anything else is ignored).
 * Provider calls get what is left of it, and say so upstream.
 */
static uint64_t request_budget_ms(h2o_req_t *req, const bff_config_t *cfg)
{
    uint64_t budget = (uint64_t)cfg->request_timeout_ms;
    ssize_t i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-request-timeout-ms"), -1);
    if (i >= 0) {
        h2o_iovec_t v = req->headers.entries[i].value;
        uint64_t asked = 0;
        size_t k = 0;
        for (; k < v.len && k < 10 && v.base[k] >= '0' && v.base[k] <= '9'; ++k)
            asked = asked * 10 + (uint64_t)(v.base[k] - '0');
        if (k == v.len && k > 0 && asked >= 1 && asked < budget)
            budget = asked;
    }
    return budget;
}

/* Query string parameter `name`, URL-decoded into the pool; NULL when absent. */
static const char *query_param(h2o_req_t *req, const char *name)
{
    if (req->query_at == SIZE_MAX)
        return NULL;
    const char *q = req->path.base + req->query_at + 1, *end = req->path.base + req->path.len;
    size_t nlen = strlen(name);
    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        if (amp == NULL)
            amp = end;
        const char *eq = memchr(q, '=', (size_t)(amp - q));
        const char *kend = eq ? eq : amp;
        if ((size_t)(kend - q) == nlen && memcmp(q, name, nlen) == 0) {
            const char *v = eq ? eq + 1 : amp;
            size_t vlen = (size_t)(amp - v);
            char *out = h2o_mem_alloc_pool(&req->pool, vlen + 1);
            size_t o = 0;
            for (size_t i = 0; i < vlen; ++i) {
                if (v[i] == '+') {
                    out[o++] = ' ';
                } else if (v[i] == '%' && i + 2 < vlen && isxdigit((unsigned char)v[i + 1]) &&
                           isxdigit((unsigned char)v[i + 2])) {
                    char hex[3] = {v[i + 1], v[i + 2], 0};
                    out[o++] = (char)strtol(hex, NULL, 16);
                    i += 2;
                } else {
                    out[o++] = v[i];
                }
            }
            out[o] = '\0';
            return out;
        }
        q = amp + 1;
    }
    return NULL;
}

/* GET parameters as the same JSON object a POST body would carry. */
static int params_from_query(bff_http_gql_t *g, const char **err)
{
    h2o_req_t *req = g->req;
    json_t *p = json_object();
    const char *query = query_param(req, "query");
    const char *op = query_param(req, "operationName");
    const char *vars = query_param(req, "variables");
    const char *ext = query_param(req, "extensions");
    if (query != NULL) {
        json_t *q = json_string(query); /* NULL for invalid UTF-8 */
        if (q == NULL) {
            json_decref(p);
            *err = "The \"query\" parameter is not valid UTF-8.";
            return -1;
        }
        json_object_set_new(p, "query", q);
    }
    if (op != NULL && *op != '\0') {
        json_t *o = json_string(op);
        json_object_set_new(p, "operationName", o ? o : json_integer(0)); /* invalid UTF-8: rejected below */
    }
    json_error_t jerr;
    if (vars != NULL && *vars != '\0') {
        json_t *v = json_loads(vars, JSON_DECODE_ANY, &jerr);
        if (v == NULL) {
            json_decref(p);
            *err = "The \"variables\" parameter is not valid JSON.";
            return -1;
        }
        json_object_set_new(p, "variables", v);
    }
    if (ext != NULL && *ext != '\0') {
        json_t *v = json_loads(ext, JSON_DECODE_ANY, &jerr);
        if (v == NULL) {
            json_decref(p);
            *err = "The \"extensions\" parameter is not valid JSON.";
            return -1;
        }
        json_object_set_new(p, "extensions", v);
    }
    g->params = p;
    return 0;
}

static bool content_type_is_json(const char *ct, bool *bad_charset)
{
    *bad_charset = false;
    size_t n = strcspn(ct, ";");
    while (n > 0 && ct[n - 1] == ' ')
        --n;
    if (!(n == 16 && strncasecmp(ct, "application/json", 16) == 0))
        return false;
    const char *cs = strcasestr(ct, "charset=");
    if (cs != NULL) {
        cs += 8;
        if (*cs == '"')
            ++cs;
        if (strncasecmp(cs, "utf-8", 5) != 0 && strncasecmp(cs, "utf8", 4) != 0)
            *bad_charset = true;
    }
    return true;
}

static void on_client_slot_disposed(void *p)
{
    atomic_int *count = *(atomic_int **)p;
    atomic_fetch_sub_explicit(count, 1, memory_order_relaxed);
}

/*
 * Load shedding and per-client limits, before any work: NULL when the request
 * may go on, else the error code that refuses it. Clients are told apart by
 * their address (hashed into BFF_CLIENT_SLOTS counters shared by the workers:
 * two clients in one slot share its limit, which errs on refusing).
 */
static const char *admit(bff_server_t *s, const bff_generation_t *gen, h2o_req_t *req)
{
    if (atomic_load(&s->metrics.in_flight) > s->config.max_in_flight) {
        atomic_fetch_add(&s->shed, 1);
        return "OVERLOADED";
    }
    struct sockaddr_storage peer, ss;
    socklen_t plen = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&peer), len;
    bff_edge_client_addr(gen->edge, req, &ss, &len); /* behind a trusted proxy: the client's, else the peer's */
    if (len == 0)
        ss.ss_family = AF_UNSPEC;
    if (plen > 0 && bff_addr_resetting(s, (struct sockaddr *)&peer, now_ms())) { /* resets are the connection's peer's */
        atomic_fetch_add(&s->client_limited, 1);
        return "TOO_MANY_REQUESTS";
    }
    atomic_int *count = &s->client_in_flight[bff_addr_slot((struct sockaddr *)&ss)];
    if (atomic_fetch_add_explicit(count, 1, memory_order_relaxed) >= s->config.max_client_in_flight) {
        atomic_fetch_sub_explicit(count, 1, memory_order_relaxed);
        atomic_fetch_add(&s->client_limited, 1);
        return "TOO_MANY_REQUESTS";
    }
    atomic_int **slot = h2o_mem_alloc_shared(&req->pool, sizeof(*slot), on_client_slot_disposed);
    *slot = count;
    return NULL;
}

/* Who pays: the API key's client (X-Api-Key), or the anonymous tier by address. -1: a key that matches none. */
static int identify(bff_http_gql_t *g)
{
    h2o_req_t *req = g->req;
    bff_clients_t *clients = g->gen->clients;
    ssize_t i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-api-key"), -1);
    if (i >= 0) {
        h2o_iovec_t v = req->headers.entries[i].value;
        const bff_client_t *c = bff_clients_find(clients, v.base, v.len);
        if (c == NULL)
            return -1;
        g->bucket = c->id;
        g->keyed = true;
        g->tier = c->tier;
        g->scopes = c->scopes;
        g->nscopes = c->nscopes;
        g->trusted_only = c->trusted_documents_only;
        if (g->log.client == NULL)
            g->log.client = c->id;
        return 0;
    }
    struct sockaddr_storage ss;
    char addr[INET6_ADDRSTRLEN] = "?";
    socklen_t len;
    bff_edge_client_addr(g->gen->edge, req, &ss, &len);
    if (len > 0 && ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, sizeof(addr));
    else if (len > 0 && ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr, sizeof(addr));
    g->bucket = bff_arena_printf(g->arena, "anon:%s", addr);
    g->tier = bff_clients_anonymous(clients);
    /* anonymous_scopes: "a,b,c" */
    const char *list = g->worker->server->config.anonymous_scopes;
    size_t cap = 1;
    for (const char *p = list; *p; ++p)
        cap += *p == ',';
    const char **scopes = bff_arena_calloc(g->arena, cap, sizeof(*scopes));
    size_t n = 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        if (len > 0)
            scopes[n++] = bff_arena_strndup(g->arena, p, len);
        p += len + (p[len] == ',');
    }
    g->scopes = scopes;
    g->nscopes = n;
    return 0;
}

/* Introspection shows a caller only what its scopes reach (bff_exec_request_t.visible). */
static bool scope_visible(const bff_type_t *type, const bff_field_t *field, void *arg)
{
    bff_http_gql_t *g = arg;
    const char *missing;
    if (field == NULL)
        return bff_scopes_satisfy(&type->directives, g->scopes, g->nscopes, &missing);
    return bff_scopes_satisfy(&field->directives, g->scopes, g->nscopes, &missing) &&
           bff_scopes_satisfy(&bff_typeref_named(field->type)->directives, g->scopes, g->nscopes, &missing);
}

/*
 * The executor asks for every field it resolves, so a listing asks about the
 * same few (type, field) pairs thousands of times: the answers are memoised
 * for the request (a refusal is recomputed, for its message).
 */
static bool scope_authorize(const bff_type_t *type, const bff_field_t *field, void *arg, const char **message)
{
    bff_http_gql_t *g = arg;
    size_t i = (size_t)((((uintptr_t)type >> 4) ^ ((uintptr_t)field >> 3)) & 63);
    if (g->authz[i].type == type && g->authz[i].field == field && g->authz[i].allowed)
        return true;
    bff_caller_t caller = {.scopes = g->scopes, .nscopes = g->nscopes, .arena = g->arena};
    bool allowed = bff_caller_may(&caller, type, field, message); /* the rule admission applied */
    g->authz[i].type = type;
    g->authz[i].field = field;
    g->authz[i].allowed = allowed;
    return allowed;
}

/*
 * Counts the deprecated elements the operation uses, per client name and
 * version (X-Client-Name/-Version, apollographql-client-name/-version, else
 * the API key's client); lists them in extensions when the client asks
 * (X-Report-Deprecations: true, or "reportDeprecations": true in the
 * request's extensions).
 */
static void track_deprecations(bff_http_gql_t *g, const bff_analysis_t *an, json_t *req_extensions)
{
    bff_server_t *s = g->worker->server;
    size_t n = an->ndeprecations;
    const bff_deprecated_use_t *uses = an->deprecations;
    const char *version = bff_req_header(g->req, NULL, "x-client-version");
    if (version == NULL)
        version = bff_req_header(g->req, NULL, "apollographql-client-version");
    const char *name = g->log.client ? g->log.client : "anonymous";
    time_t now = time(NULL);
    for (size_t i = 0; i < n; ++i)
        bff_usage_record(s->usage, uses[i].coordinate, name, version ? version : "", now);
    bff_usage_share(g->worker, uses, n, name, version ? version : "", now);
    const char *ask = bff_req_header(g->req, NULL, "x-report-deprecations");
    if ((ask != NULL && (strcmp(ask, "true") == 0 || strcmp(ask, "1") == 0)) ||
        json_is_true(json_object_get(req_extensions, "reportDeprecations"))) {
        json_t *list = json_array();
        for (size_t i = 0; i < n; ++i)
            json_array_append_new(list, json_pack("{s:s, s:s?}", "coordinate", uses[i].coordinate, "reason", uses[i].reason));
        char *text = json_dumps(list, JSON_COMPACT);
        g->deprecations_json = bff_arena_strdup(g->arena, text);
        free(text);
        json_decref(list);
    }
}

/*
 * Persisted documents, before anything is parsed: a document named by
 * extensions.persistedQuery.sha256Hash comes from the trusted manifest or,
 * for callers not held to trusted documents, from the APQ registrations
 * (PERSISTED_QUERY_NOT_FOUND asks the client to send it once with its hash,
 * which registers it). A caller held to trusted documents may run only those.
 * *query is replaced by the document found (owned by g->params). -1 with
 * *code and *message when the request is refused.
 */
static int persisted_query(bff_http_gql_t *g, json_t **query, json_t *extensions, const char **code, const char **message)
{
    bff_persisted_t *p = g->worker->server->persisted, *trusted = g->gen->trusted;
    json_t *pq = json_is_object(extensions) ? json_object_get(extensions, "persistedQuery") : NULL;
    const char *hash = json_string_value(json_object_get(pq, "sha256Hash"));
    char computed[65];
    if (pq != NULL) {
        bool hex = hash != NULL && strlen(hash) == 64 && strspn(hash, "0123456789abcdef") == 64;
        if (!json_is_object(pq) || json_integer_value(json_object_get(pq, "version")) != 1 || !hex) {
            *code = "BAD_REQUEST";
            *message = "extensions.persistedQuery must be {\"version\": 1, \"sha256Hash\": 64 lowercase hex digits}.";
            return -1;
        }
        if (json_is_string(*query)) {
            bff_sha256_hex(json_string_value(*query), json_string_length(*query), computed);
            if (strcmp(computed, hash) != 0) {
                *code = "BAD_REQUEST";
                *message = "The provided sha256Hash is not the SHA-256 of the query.";
                return -1;
            }
            if (!g->trusted_only && bff_persisted_trusted(trusted, hash) == NULL)
                g->apq_hash = bff_arena_strdup(g->arena, hash); /* registered once the document is admitted */
        } else if (*query == NULL) {
            const char *body = bff_persisted_trusted(trusted, hash);
            if (body == NULL && !g->trusted_only)
                body = bff_persisted_apq_get(p, hash, g->arena);
            if (body == NULL) {
                *code = g->trusted_only ? "TRUSTED_DOCUMENT_REQUIRED" : "PERSISTED_QUERY_NOT_FOUND";
                *message = g->trusted_only ? "No trusted document has this hash." : "PersistedQueryNotFound";
                return -1;
            }
            json_object_set_new(g->params, "query", json_string(body));
            *query = json_object_get(g->params, "query");
        }
    }
    if (g->trusted_only) {
        if (!json_is_string(*query)) {
            *code = "TRUSTED_DOCUMENT_REQUIRED";
            *message = "This client may run trusted documents only: send extensions.persistedQuery.";
            return -1;
        }
        bff_sha256_hex(json_string_value(*query), json_string_length(*query), computed);
        if (bff_persisted_trusted(trusted, computed) == NULL) {
            *code = "TRUSTED_DOCUMENT_REQUIRED";
            *message = "This client may run trusted documents only, and this document is not one.";
            return -1;
        }
    }
    return 0;
}

/* The execution, once admission (budget included) has passed; on_exec_done answers. */
static void start_execution(bff_http_gql_t *g)
{
    bff_worker_t *w = g->worker;
    h2o_req_t *req = g->req;
    g->rctx = bff_reqctx_new(w->upstream, &w->loop, g->arena, g->gen->providers);
    if (w->guard_generation != g->gen->number) { /* the first request of a reload's settings on this worker */
        bff_guard_configure(w->guard, g->gen->providers);
        w->guard_generation = g->gen->number;
    }
    g->rctx->catalog_cache = w->catalog_cache;
    g->rctx->id_hmac = w->server->id_hmac;
    g->rctx->journal = w->server->journal;
    g->rctx->fleet = bff_worker_fleet(w);
    g->rctx->shared_cache = bff_worker_shared_cache(w);
    g->rctx->client = g->bucket;
    g->rctx->quote_ttl_ms = (uint64_t)w->server->config.quote_ttl_ms;
    g->rctx->shop_name = w->server->config.shop_name;
    g->rctx->shop_currency = w->server->config.shop_currency;
    g->rctx->guard = w->guard;
    g->rctx->trace = &g->log.trace; /* provider calls send child traceparents */
    g->rctx->rng = &w->rng;
    g->rctx->tracer = g->tracing ? w->tracer : NULL;
    g->rctx->deadline_ms = uv_now(&w->loop) + request_budget_ms(req, &w->server->config);
    bff_exec_request_t er = exec_request(g);
    er.operation_name = g->operation_name;
    er.variables = g->exec_variables;
    er.variables_coerced = g->exec_variables_coerced;
    er.root_value = bff_value_null();
    er.on_done = on_exec_done;
    er.cb_arg = g;
    bool completed = false;
    g->completed_flag = &completed;
    bff_exec_t *x = bff_exec_start(&er);
    if (!completed) { /* resolvers are still running: keep the handle for cancellation */
        g->completed_flag = NULL;
        g->exec = x;
    }
}

static void respond_throttled(bff_http_gql_t *g, double available, double retry_after)
{
    h2o_req_t *req = g->req;
    int64_t cost = g->requested_cost;
    long long wait = (long long)retry_after + 1;
    h2o_iovec_t after = h2o_strdup(&req->pool, bff_arena_printf(g->arena, "%lld", wait), SIZE_MAX);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_RETRY_AFTER, NULL, after.base, after.len);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    bff_gql_error_t *e = bff_gql_errors_add(
        &errs, g->arena, NULL,
        bff_arena_printf(g->arena, "Throttled: the query costs %lld points and %.0f are available; retry in %lld s.",
                         (long long)cost, available, wait));
    e->code = "THROTTLED";
    bff_buf_t cj = BFF_BUF_INIT;
    bff_buf_appends(&cj, "{\"cost\":");
    append_cost_json(&cj, g->tier, cost, -1, available);
    bff_buf_appendc(&cj, '}');
    e->extensions_json = bff_arena_strdup(g->arena, cj.data);
    bff_buf_free(&cj);
    respond_errors(g, 429, &errs);
    g->op = NULL; /* nothing was taken: nothing to give back */
    finish(g);
}

/*
 * The fleet's leaky bucket, in Redis: one Lua script takes `cost` points (or,
 * negative, gives them back) atomically, so two instances cannot both spend
 * the last points; Redis's clock refills it. Returns {taken 0/1, level}.
 */
static const char bucket_script[] =
    "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000) "
    "local cap, rate, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]) "
    "local b = redis.call('HMGET', KEYS[1], 'l', 't') "
    "local level = tonumber(b[1]) or cap local at = tonumber(b[2]) or now "
    "level = math.min(cap, level + math.max(0, now - at) / 1000 * rate) "
    "local ok = 0 if cost <= level then level = math.min(cap, level - cost) ok = 1 end "
    "redis.call('HSET', KEYS[1], 'l', tostring(level), 't', tostring(now)) "
    "redis.call('PEXPIRE', KEYS[1], math.max(60000, math.ceil(cap / math.max(rate, 0.001) * 1000))) "
    "return {ok, tostring(level)}";

static int bucket_command(bff_http_gql_t *g, double cost, bff_store_cb cb, void *arg)
{
    char cap[32], rate[32], points[32];
    snprintf(cap, sizeof(cap), "%.17g", g->tier->bucket);
    snprintf(rate, sizeof(rate), "%.17g", g->tier->restore_per_second);
    snprintf(points, sizeof(points), "%.17g", cost);
    const char *key = bff_arena_join(g->arena, "bff:bucket:", NULL, g->bucket);
    const char *argv[] = {"EVAL", bucket_script, "1", key, cap, rate, points};
    return bff_store_command_strs(g->worker->store, cb, arg, 7, argv);
}

static void on_shared_budget(struct redisReply *reply, void *arg)
{
    bff_http_gql_t *g = arg;
    g->waiting_store = false;
    bff_server_t *s = g->worker->server;
    if (g->req == NULL) { /* the client went away meanwhile */
        finish(g);
        return;
    }
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
        /* Redis slow or down: the local bucket decides (fail open to this instance's budget) */
        atomic_fetch_add(&s->store_fallbacks, 1);
        bff_budget_t budget = bff_clients_take(s->budgets, g->bucket, g->tier, (double)g->requested_cost, now_ms());
        if (budget.allowed)
            start_execution(g);
        else
            respond_throttled(g, budget.available, budget.retry_after);
        return;
    }
    g->shared_budget = true;
    double level = reply->element[1]->str ? strtod(reply->element[1]->str, NULL) : 0;
    g->shared_level = level;
    if (reply->element[0]->integer == 1) {
        start_execution(g);
    } else {
        double rate = g->tier->restore_per_second;
        respond_throttled(g, level, rate > 0 ? ((double)g->requested_cost - level) / rate : 3600);
    }
}

/* 0: the fleet's budget is asked (on_shared_budget goes on); -1: no store, or it is down. */
static int take_shared_budget(bff_http_gql_t *g)
{
    if (!bff_store_up(g->worker->store)) {
        if (g->worker->store != NULL)
            atomic_fetch_add(&g->worker->server->store_fallbacks, 1);
        return -1;
    }
    g->waiting_store = true;
    if (bucket_command(g, (double)g->requested_cost, on_shared_budget, g) != 0) {
        g->waiting_store = false;
        return -1;
    }
    return 0;
}

static void on_given_back(struct redisReply *reply, void *arg)
{
}

static void process_query(bff_http_gql_t *g);

static void respond_persisted_error(bff_http_gql_t *g, const char *code, const char *message)
{
    if (strcmp(code, "BAD_REQUEST") == 0)
        respond_error(g, 400, code, message);
    else
        respond_error(g, strcmp(code, "TRUSTED_DOCUMENT_REQUIRED") == 0 ? 403 : 200, code, message);
}

/* APQ across the fleet: a registration lives in Redis too (bff:apq:<hash>, expiring), so a hash one instance
   learnt is served by the others; Redis down: each instance's own registrations only. */
#define APQ_SHARED_TTL "86400"

static void on_shared_apq(struct redisReply *reply, void *arg)
{
    bff_http_gql_t *g = arg;
    g->waiting_store = false;
    if (g->req == NULL) {
        finish(g);
        return;
    }
    if (reply == NULL || reply->type != REDIS_REPLY_STRING) {
        respond_persisted_error(g, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound");
        finish(g);
        return;
    }
    json_t *body = json_stringn(reply->str, reply->len);
    if (body == NULL) { /* not UTF-8: not something we stored */
        respond_persisted_error(g, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound");
        finish(g);
        return;
    }
    json_object_set_new(g->params, "query", body);
    g->apq_hash = bff_arena_strdup(g->arena, json_string_value(json_object_get(
                                                 json_object_get(json_object_get(g->params, "extensions"), "persistedQuery"),
                                                 "sha256Hash"))); /* kept here too once admitted */
    process_query(g);
}

/* 0: the fleet's APQ registrations are asked (on_shared_apq goes on); -1: no store or it is down. */
static int look_up_shared_apq(bff_http_gql_t *g, json_t *extensions)
{
    const char *hash = json_string_value(json_object_get(json_object_get(extensions, "persistedQuery"), "sha256Hash"));
    if (hash == NULL || g->trusted_only || !bff_store_up(g->worker->store))
        return -1;
    const char *key = bff_arena_join(g->arena, "bff:apq:", NULL, hash);
    const char *argv[] = {"GET", key};
    g->waiting_store = true;
    if (bff_store_command_strs(g->worker->store, on_shared_apq, g, 2, argv) != 0) {
        g->waiting_store = false;
        return -1;
    }
    return 0;
}

static void on_apq_stored(struct redisReply *reply, void *arg)
{
}

/* Registers an admitted document for the fleet too (not waited for). */
static void share_apq(bff_http_gql_t *g, const char *hash, const char *text, size_t len)
{
    if (!bff_store_up(g->worker->store))
        return;
    const char *key = bff_arena_join(g->arena, "bff:apq:", NULL, hash);
    const char *argv[] = {"SET", key, text, "EX", APQ_SHARED_TTL};
    size_t lens[] = {3, strlen(key), len, 2, strlen(APQ_SHARED_TTL)};
    bff_store_command(g->worker->store, on_apq_stored, NULL, 5, argv, lens);
}

/*
 * The request once its parameters are known (and, for a hash alone, its
 * document found): checks, the document, admission, the budget, execution.
 * Answers and finishes g on every path that does not execute.
 */
/* A document parsed and validated for this request (a miss of the worker's document cache). */
static void document_span(bff_http_gql_t *g, uint64_t start_ns)
{
    char id[17];
    bff_trace_span_id(&g->worker->rng, id);
    bff_span_t s;
    bff_span_begin(&s, g->worker->tracer, &g->log.trace, id, g->log.trace.span_id, "graphql.parse_validate",
                   strlen("graphql.parse_validate"), BFF_SPAN_INTERNAL, start_ns);
    bff_span_int(&s, "bff.document.bytes", (int64_t)g->doc->text_len);
    if (g->doc->stage != BFF_DOC_OK) {
        const bff_gql_error_t *e = g->doc->errors.head;
        bff_span_error(&s, g->doc->stage == BFF_DOC_PARSE_FAILED ? "GRAPHQL_PARSE_FAILED" : "GRAPHQL_VALIDATION_FAILED",
                       e != NULL ? e->message : NULL);
    }
    bff_span_end(&s, bff_span_now_ns());
}

static void process_query(bff_http_gql_t *g)
{
    bff_worker_t *w = g->worker;
    h2o_req_t *req = g->req;
    json_t *query = json_object_get(g->params, "query");
    json_t *op_name = json_object_get(g->params, "operationName");
    json_t *variables = json_object_get(g->params, "variables");
    json_t *extensions = json_object_get(g->params, "extensions");
    if (!json_is_string(query)) {
        respond_error(g, 400, "BAD_REQUEST",
                      query == NULL ? "The \"query\" parameter is missing." : "The \"query\" parameter must be a string.");
        { finish(g); return; }
    }
    if (op_name != NULL && !json_is_null(op_name) && !json_is_string(op_name)) {
        respond_error(g, 400, "BAD_REQUEST", "The \"operationName\" parameter must be a string or null.");
        { finish(g); return; }
    }
    if (variables != NULL && !json_is_null(variables) && !json_is_object(variables)) {
        respond_error(g, 400, "BAD_REQUEST", "The \"variables\" parameter must be an object or null.");
        { finish(g); return; }
    }
    if (extensions != NULL && !json_is_null(extensions) && !json_is_object(extensions)) {
        respond_error(g, 400, "BAD_REQUEST", "The \"extensions\" parameter must be an object or null.");
        { finish(g); return; }
    }
    const char *operation_name = json_is_string(op_name) ? json_string_value(op_name) : NULL;
    g->log.operation = operation_name;

    if (json_string_length(query) > (size_t)w->server->config.max_document_bytes) {
        respond_error(g, g->media == MT_GRAPHQL_RESPONSE ? 400 : 200, "DOCUMENT_TOO_LARGE",
                      bff_arena_printf(g->arena, "The document has %zu bytes; at most %lld are allowed.",
                                       json_string_length(query), (long long)w->server->config.max_document_bytes));
        { finish(g); return; }
    }
    uint64_t parse_ns = g->tracing ? bff_span_now_ns() : 0;
    uint64_t misses = g->tracing ? bff_doccache_stats(w->docs).misses : 0;
    g->doc = bff_doccache_get(w->docs, json_string_value(query), json_string_length(query));
    if (g->tracing && bff_doccache_stats(w->docs).misses != misses) /* parsed and validated now, not from the cache */
        document_span(g, parse_ns);
    if (g->doc->stage == BFF_DOC_VALIDATE_FAILED) {
        /* a subscription fails validation here (the schema has no Subscription type): say what the server offers */
        const char *why = NULL;
        const bff_ast_node_t *sub = bff_gql_select_operation_msg(g->doc->root, operation_name, g->arena, &why);
        if (sub != NULL && sub->operation == BFF_OP_SUBSCRIPTION && g->worker->server->schema->subscription_type == NULL) {
            respond_error(g, 400, "OPERATION_NOT_SUPPORTED",
                          "Subscriptions are not offered by this server; use queries and mutations.");
            { finish(g); return; }
        }
    }
    if (g->doc->stage != BFF_DOC_OK) {
        respond_request_errors(g, &g->doc->errors);
        { finish(g); return; }
    }
    const char *select_err = NULL;
    const bff_ast_node_t *op = bff_gql_select_operation_msg(g->doc->root, operation_name, g->arena, &select_err);
    if (op != NULL && op->operation == BFF_OP_SUBSCRIPTION) {
        respond_error(g, 400, "OPERATION_NOT_SUPPORTED",
                      "Subscriptions are not offered by this server; use queries and mutations.");
        { finish(g); return; }
    }
    if (op != NULL) {
        if (g->log.operation == NULL && op->name != NULL)
            g->log.operation = op->name;
        if (g->is_get && op->operation != BFF_OP_QUERY) {
            h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, H2O_STRLIT("POST"));
            respond_error(g, 405, "METHOD_NOT_ALLOWED",
                          bff_arena_printf(g->arena, "Can only perform a %s operation from a POST request.",
                                           bff_operation_name(op->operation)));
            { finish(g); return; }
        }
    }
    /* admission, before any upstream call (admission.h) */
    json_t *coerced = NULL;
    if (op != NULL) {
        bff_caller_t caller = {.scopes = g->scopes, .nscopes = g->nscopes, .arena = g->arena};
        bff_admission_t ad;
        if (!bff_admit(w->server->schema, &w->server->config, g->doc, op, json_is_object(variables) ? variables : NULL,
                       &caller, &ad)) {
            respond_request_errors(g, &ad.errors);
            { finish(g); return; }
        }
        coerced = ad.coerced;
        g->op = op;
        g->requested_cost = ad.cost;
        track_deprecations(g, ad.analysis, extensions);
        if (g->apq_hash != NULL) { /* size, parse, validation, analysis, scopes, limits and cost all passed */
            bff_persisted_apq_put(w->server->persisted, g->apq_hash, json_string_value(query), json_string_length(query));
            share_apq(g, g->apq_hash, json_string_value(query), json_string_length(query));
        }
    }
    g->operation_name = operation_name;
    g->exec_variables = coerced != NULL ? coerced : json_is_object(variables) ? variables : NULL;
    g->exec_variables_coerced = coerced != NULL;
    if (g->op == NULL) { /* no operation: a request error the executor reports, nothing to pay */
        start_execution(g);
        return;
    }
    /* the client's budget pays the requested cost up front (the fleet's, in Redis, when configured) */
    if (take_shared_budget(g) == 0)
        return; /* on_shared_budget goes on */
    bff_budget_t budget = bff_clients_take(w->server->budgets, g->bucket, g->tier, (double)g->requested_cost, now_ms());
    if (budget.allowed)
        start_execution(g);
    else
        respond_throttled(g, budget.available, budget.retry_after);

}

/* The parameters are read: persisted documents, then the query (it finishes g, now or later). */
static void run_params(bff_http_gql_t *g)
{
    json_t *query = json_object_get(g->params, "query");
    json_t *extensions = json_object_get(g->params, "extensions");
    const char *pq_error = NULL, *pq_code = NULL;
    if (persisted_query(g, &query, extensions, &pq_code, &pq_error) != 0) {
        if (strcmp(pq_code, "PERSISTED_QUERY_NOT_FOUND") == 0 && look_up_shared_apq(g, extensions) == 0)
            return; /* another instance may have it: on_shared_apq goes on */
        respond_persisted_error(g, pq_code, pq_error);
        finish(g);
        return;
    }
    process_query(g);
}

/*
 * A batch (a JSON array body): each element runs as its own operation,
 * borrowing the parent's identity (key, scopes, tier, budget bucket), with a
 * span and a log line of its own; the parent waits, detached from the
 * request, until the last element is finished.
 */
static void start_batch(bff_http_gql_t *parent)
{
    bff_worker_t *w = parent->worker;
    h2o_req_t *req = parent->req;
    size_t n = json_array_size(parent->params), max = (size_t)w->server->config.max_batch_size;
    if (n == 0 || n > max) {
        respond_error(parent, 400, "BAD_REQUEST",
                      n == 0 ? "The batch is empty: send at least one operation."
                             : bff_arena_printf(parent->arena, "The batch has %zu operations; at most %zu are allowed.", n,
                                                max));
        finish(parent);
        return;
    }
    batch_t *b = bff_xcalloc(1, sizeof(*b) + n * sizeof(b->out[0]));
    b->parent = parent;
    b->req = req;
    b->conn = parent->conn;
    b->n = b->pending = b->alive = n;
    if (parent->slot != NULL) { /* the batch's hook answers for the request now */
        *parent->slot = NULL;
        parent->slot = NULL;
    }
    parent->conn = NULL;
    bool tracing = parent->tracing;
    parent->tracing = false; /* each operation has its server span */
    b->hook = h2o_mem_alloc_shared(&req->pool, sizeof(*b->hook), on_batch_disposed);
    *b->hook = b;
    json_t *params = parent->params; /* the parent's until the batch ends: after the last element, nothing of b is read */
    for (size_t i = 0; i < n; ++i) {
        bff_http_gql_t *g = bff_xcalloc(1, sizeof(*g));
        g->req = req;
        g->worker = w;
        g->gen = parent->gen;
        atomic_fetch_add(&g->gen->refs, 1);
        g->arena = bff_worker_arena(w);
        g->log = parent->log;
        g->log.started_us = bff_now_us();
        g->log.operation = NULL;
        g->tracing = tracing;
        if (tracing) {
            bff_trace_span_id(&w->rng, g->log.trace.span_id); /* a server span of its own, beside its siblings */
            g->started_ns = bff_span_now_ns();
        }
        g->actual_cost = -1;
        g->media = parent->media;
        g->bucket = parent->bucket;
        g->tier = parent->tier;
        g->scopes = parent->scopes;
        g->nscopes = parent->nscopes;
        g->keyed = parent->keyed;
        g->trusted_only = parent->trusted_only;
        g->batch = b;
        g->batch_index = i;
        g->params = json_incref(json_array_get(params, i));
        bff_http_gql_t **slot = h2o_mem_alloc_shared(&req->pool, sizeof(*slot), on_pool_dispose);
        *slot = g;
        g->slot = slot;
        if (!json_is_object(g->params)) {
            respond_error(g, 400, "BAD_REQUEST", "Each operation of a batch must be a JSON object.");
            finish(g);
            continue;
        }
        run_params(g);
    }
}

int bff_http_graphql(h2o_handler_t *self, h2o_req_t *req)
{
    bff_worker_t *w = bff_worker_of(req);
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("OPTIONS")))
    {                                                  /* CORS preflight: no GraphQL, no budget */
        bff_generation_t *gen = bff_generation_acquire(w->server);
        int rc = bff_edge_preflight(gen->edge, req);
        bff_generation_release(gen);
        return rc;
    }
    bool is_get = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET"));
    bool is_post = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("POST"));

    bff_http_gql_t *g = bff_xcalloc(1, sizeof(*g));
    g->req = req;
    g->worker = w;
    g->gen = bff_generation_acquire(w->server); /* given back in finish() */
    g->arena = bff_worker_arena(w);
    bff_worker_track_request(w, req);
    bff_reqlog_begin(&g->log, req, &w->rng);
    g->actual_cost = -1;
    if (w->tracer != NULL && bff_tracer_sample(w->tracer, &g->log.trace)) {
        g->tracing = true;
        g->started_ns = bff_span_now_ns();
    }
    g->log.client = bff_req_header(req, NULL, "x-client-name");
    if (g->log.client == NULL)
        g->log.client = bff_req_header(req, NULL, "apollographql-client-name");
    bff_http_gql_t **slot = h2o_mem_alloc_shared(&req->pool, sizeof(*slot), on_pool_dispose);
    *slot = g;
    g->slot = slot;
    g->conn = bff_worker_conn(req);
    g->is_get = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET"));
    const char *refused = g->conn != NULL && bff_conn_closing(g->conn) ? "TOO_MANY_REQUESTS" : admit(w->server, g->gen, req);
    if (refused != NULL) {
        g->media = MT_JSON;
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_RETRY_AFTER, NULL, H2O_STRLIT("1"));
        bool shed = strcmp(refused, "OVERLOADED") == 0;
        respond_error(g, shed ? 503 : 429, refused,
                      shed ? "The server is at its limit of requests in flight; retry in a second."
                           : "Too many requests in flight from this client; retry in a second.");
        goto done;
    }
    if (req->upgrade.base != NULL && h2o_lcstris(req->upgrade.base, req->upgrade.len, H2O_STRLIT("websocket"))) {
        g->media = MT_JSON;
        respond_error(g, 400, "OPERATION_NOT_SUPPORTED",
                      "Subscriptions over WebSocket (graphql-ws) are not offered by this server; send queries and "
                      "mutations as HTTP GET or POST.");
        goto done;
    }
    if (identify(g) != 0) {
        g->media = MT_JSON;
        respond_error(g, 401, "UNAUTHENTICATED", "The API key is not valid.");
        goto done;
    }

    bool wants_html;
    if (negotiate(req, &g->media, &wants_html) != 0) {
        if (is_get && wants_html && query_param(req, "query") == NULL && w->server->config.graphiql)
            goto graphiql;
        g->media = MT_JSON;
        respond_error(g, 406, "NOT_ACCEPTABLE",
                      "The Accept header allows no media type this server produces (application/graphql-response+json, "
                      "application/json).");
        goto done;
    }
    if (is_get && wants_html && query_param(req, "query") == NULL && w->server->config.graphiql)
        goto graphiql;
    g->incremental = accepts_incremental(req);
    if (!is_get && !is_post) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, H2O_STRLIT("GET, POST"));
        respond_error(g, 405, "METHOD_NOT_ALLOWED", "GraphQL requests are GET or POST.");
        goto done;
    }
    if (is_get && !bff_edge_csrf_ok(g->gen->edge, req)) { /* a POST must be application/json: never simple */
        respond_error(g, 400, "CSRF_PREVENTED",
                      "This request could have come from a form or a link on another site: send it with "
                      "Content-Type: application/json, or with an Apollo-Require-Preflight, X-Apollo-Operation-Name or "
                      "GraphQL-Preflight header.");
        goto done;
    }
    const char *err = NULL;
    if (is_post) {
        const char *ct = bff_req_header(req, H2O_TOKEN_CONTENT_TYPE, NULL);
        bool bad_charset;
        if (ct == NULL || !content_type_is_json(ct, &bad_charset) || bad_charset) {
            respond_error(g, 415, "UNSUPPORTED_MEDIA_TYPE",
                          "POST bodies must be application/json (UTF-8); send the Content-Type header.");
            goto done;
        }
        bff_json_error_t jerr;
        g->params = bff_json_parse(req->entity.base, req->entity.len, &jerr);
        if (g->params == NULL) {
            respond_error(g, 400, "BAD_REQUEST",
                          bff_arena_printf(g->arena, "The request body is not valid JSON: %s (at byte %zu).", jerr.text,
                                           jerr.position));
            goto done;
        }
        if (json_is_array(g->params)) {
            start_batch(g);
            return 0;
        }
        if (!json_is_object(g->params)) {
            respond_error(g, 400, "BAD_REQUEST", "The request body must be a JSON object (or an array of them: a batch).");
            goto done;
        }
    } else if (params_from_query(g, &err) != 0) {
        respond_error(g, 400, "BAD_REQUEST", err);
        goto done;
    }

    run_params(g);
    return 0;

done:
    finish(g); /* answered: respond() detached the hook */
    return 0;
graphiql:
    *slot = NULL;
    g->slot = NULL;
    finish(g);
    return bff_http_graphiql_page(req);
}
