/*
 * reqlog.c - see reqlog.h. A log line is built in a local buffer and written
 * with one fwrite, so lines from different workers never interleave.
 */
#include "reqlog.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"

uint64_t bff_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

const char *bff_req_header(h2o_req_t *req, const h2o_token_t *token, const char *name)
{
    ssize_t i;
    if (token != NULL)
        i = h2o_find_header(&req->headers, token, -1);
    else
        i = h2o_find_header_by_str(&req->headers, name, strlen(name), -1);
    if (i < 0)
        return NULL;
    h2o_iovec_t v = req->headers.entries[i].value;
    char *s = h2o_mem_alloc_pool(&req->pool, v.len + 1);
    memcpy(s, v.base, v.len);
    s[v.len] = '\0';
    return s;
}

static bool sane_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 128)
        return false;
    for (size_t i = 0; i < n; ++i)
        if (s[i] < 0x21 || s[i] > 0x7E || s[i] == '"' || s[i] == '\\')
            return false;
    return true;
}

void bff_reqlog_begin(bff_reqlog_t *log, h2o_req_t *req, uint64_t *rng)
{
    memset(log, 0, sizeof(*log));
    log->started_us = bff_now_us();
    const char *xid = bff_req_header(req, NULL, "x-request-id");
    bff_trace_begin(&log->trace, bff_req_header(req, NULL, "traceparent"), bff_req_header(req, NULL, "tracestate"), rng);
    if (xid != NULL && sane_id(xid))
        snprintf(log->request_id, sizeof(log->request_id), "%s", xid);
    else
        memcpy(log->request_id, log->trace.trace_id, sizeof(log->trace.trace_id));
    size_t n = strlen(log->request_id);
    char *copy = h2o_mem_alloc_pool(&req->pool, n);
    memcpy(copy, log->request_id, n);
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL, copy, n);
}

/*
 * A string field of the log line; values a client chooses (path, operation
 * name, client name) are cut to BFF_REQLOG_FIELD_MAX bytes at a UTF-8
 * character boundary, so one request cannot write a line of megabytes.
 */
static void json_str(bff_buf_t *b, const char *key, const char *v, size_t n)
{
    bff_buf_printf(b, ",\"%s\":", key);
    if (v == NULL) {
        bff_buf_appends(b, "null");
        return;
    }
    if (n > BFF_REQLOG_FIELD_MAX) {
        n = BFF_REQLOG_FIELD_MAX;
        while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
            --n; /* not inside a character */
    }
    bff_buf_append_json_string(b, v, n);
}

void bff_reqlog_write(const bff_reqlog_t *log, h2o_req_t *req, int status)
{
    bff_buf_t b = BFF_BUF_INIT;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[40];
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    bff_buf_printf(&b, "{\"time\":\"%s.%03ldZ\",\"level\":\"%s\"", when, ts.tv_nsec / 1000000,
                   status >= 500 ? "error" : "info");
    json_str(&b, "request_id", log->request_id, strlen(log->request_id));
    json_str(&b, "trace_id", log->trace.trace_id, strlen(log->trace.trace_id));
    json_str(&b, "span_id", log->trace.span_id, strlen(log->trace.span_id));
    json_str(&b, "method", req->method.base, req->method.len);
    json_str(&b, "path", req->path.base, req->path.len);
    bff_buf_printf(&b, ",\"status\":%d,\"duration_ms\":%.3f", status,
                   (double)(bff_now_us() - log->started_us) / 1000.0);
    json_str(&b, "operation", log->operation, log->operation ? strlen(log->operation) : 0);
    json_str(&b, "client", log->client, log->client ? strlen(log->client) : 0);
    bff_buf_appends(&b, ",\"error_codes\":[");
    bool first = true;
    for (const bff_gql_error_t *e = log->errors ? log->errors->head : NULL; e != NULL; e = e->next) {
        const char *code = e->code ? e->code : "INTERNAL_SERVER_ERROR";
        /* each code once */
        bool seen = false;
        for (const bff_gql_error_t *p = log->errors->head; p != e && !seen; p = p->next)
            seen = strcmp(p->code ? p->code : "INTERNAL_SERVER_ERROR", code) == 0;
        if (seen)
            continue;
        if (!first)
            bff_buf_appendc(&b, ',');
        first = false;
        bff_buf_append_json_string(&b, code, strlen(code));
    }
    bff_buf_appends(&b, "]}\n");
    fwrite(b.data, 1, b.len, stdout);
    fflush(stdout);
    bff_buf_free(&b);
}
