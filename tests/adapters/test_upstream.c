/*
 * test_upstream.c - the upstream client against a small HTTP/1.1 server
 * running on the same libuv loop (so every case is deterministic and bounded
 * in time): answers, keep-alive reuse, concurrency, timeouts, connections
 * closed early, garbage instead of HTTP, oversized bodies, cancellation;
 * and the cleartext HTTP/1.1 transport's framing (chunks, interim answers,
 * bodies to the connection's end, what it refuses), its reuse rules (a
 * stale kept connection, Connection: close), request framing and its
 * connection limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "adapters/upstream.h"

/* ---- the test server: path -> behaviour ---- */

typedef struct st_tserver_t {
    uv_tcp_t listener;
    int port;
    int accepted;
    int requests;
} tserver_t;

typedef struct st_tconn_t {
    uv_tcp_t tcp;
    tserver_t *server;
    char buf[8192];
    size_t len;
    int requests; /* on this connection */
} tconn_t;

static void free_conn(uv_handle_t *h)
{
    free(h);
}

static void after_write(uv_write_t *w, int status)
{
    free(w->data);
    free(w);
}

static void send_text(tconn_t *c, const char *data, size_t len)
{
    uv_write_t *w = malloc(sizeof(*w));
    char *copy = malloc(len);
    memcpy(copy, data, len);
    w->data = copy;
    uv_buf_t b = uv_buf_init(copy, (unsigned)len);
    uv_write(w, (uv_stream_t *)&c->tcp, &b, 1, after_write);
}

/* canned answers, sent as they are */
static const struct {
    const char *path, *answer;
} canned[] = {
    {"/chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n"},
    {"/interim", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                 "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"},
    {"/conn-close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye"},
    {"/no-content", "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"},
    {"/fold", "HTTP/1.1 200 OK\r\nX-A: a\r\n  folded\r\nContent-Length: 2\r\n\r\nok"},
    {"/two-lengths", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok"},
    {"/gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx"},
    {"/bad-chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"},
    {"/switch", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"},
    {"/bad-status", "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n"},
};

static void respond(tconn_t *c, const char *path, const char *body, size_t body_len)
{
    c->server->requests++;
    c->requests++;
    char head[256];
    for (size_t i = 0; i < sizeof(canned) / sizeof(canned[0]); ++i) {
        if (strcmp(path, canned[i].path) == 0) {
            send_text(c, canned[i].answer, strlen(canned[i].answer));
            return;
        }
    }
    if (strcmp(path, "/echo") == 0) {
        int h = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", body_len);
        send_text(c, head, (size_t)h);
        send_text(c, body, body_len);
    } else if (strcmp(path, "/until-close") == 0) {
        const char *r = "HTTP/1.0 200 OK\r\n\r\nall of it";
        send_text(c, r, strlen(r));
        uv_close((uv_handle_t *)&c->tcp, free_conn);
    } else if (strcmp(path, "/drip") == 0) { /* one byte a write */
        const char *r = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        for (size_t i = 0; r[i] != '\0'; ++i)
            send_text(c, r + i, 1);
    } else if (strcmp(path, "/huge-head") == 0) {
        send_text(c, "HTTP/1.1 200 OK\r\n", 17);
        char line[1024];
        memset(line, 'a', sizeof(line));
        memcpy(line, "X-Pad: ", 7);
        memcpy(line + sizeof(line) - 2, "\r\n", 2);
        for (int i = 0; i < 80; ++i)
            send_text(c, line, sizeof(line));
        send_text(c, "Content-Length: 0\r\n\r\n", 21);
    } else if (strcmp(path, "/big-chunked") == 0) {
        const char *h0 = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        send_text(c, h0, strlen(h0));
        char chunk[4096 + 16];
        int n = snprintf(chunk, sizeof(chunk), "1000\r\n");
        memset(chunk + n, 'x', 4096);
        memcpy(chunk + n + 4096, "\r\n", 2);
        for (int i = 0; i < 300; ++i) /* 1.2 MB */
            send_text(c, chunk, (size_t)n + 4098);
        send_text(c, "0\r\n\r\n", 5);
    } else if (strcmp(path, "/stale-second") == 0 && c->requests > 1) {
        /* a kept connection the server drops when the next request comes */
        uv_close((uv_handle_t *)&c->tcp, free_conn);
    } else if (strcmp(path, "/ok") == 0 || strcmp(path, "/stale-second") == 0) {
        const char *r = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello";
        send_text(c, r, strlen(r));
    } else if (strcmp(path, "/json") == 0) {
        const char *r = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\n\r\n{}";
        send_text(c, r, strlen(r));
    } else if (strcmp(path, "/big") == 0) {
        size_t n = 3 << 20;
        char *body = malloc(n);
        memset(body, 'x', n);
        int h = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", n);
        send_text(c, head, (size_t)h);
        send_text(c, body, n);
        free(body);
    } else if (strcmp(path, "/close") == 0) {
        uv_close((uv_handle_t *)&c->tcp, free_conn);
    } else if (strcmp(path, "/garbage") == 0) {
        const char *r = "SSH-2.0-not-http\r\n\r\n";
        send_text(c, r, strlen(r));
        uv_close((uv_handle_t *)&c->tcp, free_conn);
    } else {
        /* /hang: never answers */
    }
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    tconn_t *c = (tconn_t *)h;
    *buf = uv_buf_init(c->buf + c->len, (unsigned)(sizeof(c->buf) - c->len));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    tconn_t *c = (tconn_t *)s;
    if (n < 0) {
        if (!uv_is_closing((uv_handle_t *)s))
            uv_close((uv_handle_t *)s, free_conn);
        return;
    }
    c->len += (size_t)n;
    char *end;
    while ((end = memmem(c->buf, c->len, "\r\n\r\n", 4)) != NULL) {
        char path[128] = "";
        sscanf(c->buf, "%*s %127s", path);
        size_t head = (size_t)(end + 4 - c->buf), body_len = 0;
        *end = '\0';
        const char *cl = strcasestr(c->buf, "\r\ncontent-length:");
        if (cl != NULL)
            body_len = strtoul(cl + 17, NULL, 10);
        *end = '\r';
        if (c->len < head + body_len)
            return; /* the body is still coming */
        char body[4096];
        memcpy(body, c->buf + head, body_len < sizeof(body) ? body_len : sizeof(body));
        memmove(c->buf, c->buf + head + body_len, c->len - head - body_len);
        c->len -= head + body_len;
        respond(c, path, body, body_len);
        if (uv_is_closing((uv_handle_t *)s))
            return;
    }
}

static void on_conn(uv_stream_t *l, int status)
{
    tserver_t *srv = l->data;
    tconn_t *c = calloc(1, sizeof(*c));
    c->server = srv;
    uv_tcp_init(l->loop, &c->tcp);
    uv_accept(l, (uv_stream_t *)&c->tcp);
    srv->accepted++;
    uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read);
}

static void tserver_start(uv_loop_t *loop, tserver_t *srv)
{
    memset(srv, 0, sizeof(*srv));
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", 0, &a);
    uv_tcp_init(loop, &srv->listener);
    srv->listener.data = srv;
    assert_int_equal(uv_tcp_bind(&srv->listener, (struct sockaddr *)&a, 0), 0);
    assert_int_equal(uv_listen((uv_stream_t *)&srv->listener, 64, on_conn), 0);
    struct sockaddr_in bound;
    int len = sizeof(bound);
    uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&bound, &len);
    srv->port = ntohs(bound.sin_port);
}

static void close_walk(uv_handle_t *h, void *arg)
{
    if (!uv_is_closing(h))
        uv_close(h, h->type == UV_TCP && h != arg ? free_conn : NULL);
}

/* ---- harness ---- */

typedef struct st_result_t {
    int calls;
    bff_upstream_error_t error;
    long status;
    size_t body_len;
    char body[64];
    double total_ms;
} result_t;

static void on_done(const bff_upstream_response_t *res, void *arg)
{
    result_t *r = arg;
    r->calls++;
    r->error = res->error;
    r->status = res->status;
    r->body_len = res->body_len;
    r->total_ms = res->total_ms;
    snprintf(r->body, sizeof(r->body), "%.*s", (int)(res->body_len < 63 ? res->body_len : 63), res->body);
}

typedef struct st_env_t {
    uv_loop_t loop;
    tserver_t srv;
    bff_upstream_t *up;
} env_t;

static env_t *env_new(void)
{
    env_t *e = calloc(1, sizeof(*e));
    uv_loop_init(&e->loop);
    tserver_start(&e->loop, &e->srv);
    e->up = bff_upstream_new(&e->loop);
    return e;
}

static void env_free(env_t *e)
{
    bff_upstream_free(e->up);
    uv_walk(&e->loop, close_walk, &e->srv.listener);
    uv_run(&e->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&e->loop), 0);
    free(e);
}

static char *url(env_t *e, const char *path)
{
    static char u[128];
    snprintf(u, sizeof(u), "http://127.0.0.1:%d%s", e->srv.port, path);
    return u;
}

static void tick(uv_timer_t *t)
{
}

/*
 * Runs the loop until `n` results are in (the calls have their own timeouts).
 * A 5 ms tick keeps UV_RUN_ONCE from blocking in poll after a timer callback
 * completed the last call, and bounds the wait at 10 s.
 */
static void wait_for(env_t *e, result_t *r, int n)
{
    uv_timer_t t;
    uv_timer_init(&e->loop, &t);
    uv_timer_start(&t, tick, 5, 5);
    for (int guard = 0; guard < 2000; ++guard) {
        int done = 0;
        for (int i = 0; i < n; ++i)
            done += r[i].calls;
        if (done == n)
            break;
        uv_run(&e->loop, UV_RUN_ONCE);
    }
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(&e->loop, UV_RUN_NOWAIT);
    int done = 0;
    for (int i = 0; i < n; ++i)
        done += r[i].calls;
    if (done != n)
        fail_msg("calls did not complete");
}

static void test_answers_and_keep_alive(void **state)
{
    env_t *e = env_new();
    result_t r[5] = {0};
    for (int i = 0; i < 5; ++i) {
        bff_upstream_request_t req = {.url = url(e, "/ok"), .timeout_ms = 2000};
        assert_non_null(bff_upstream_send(e->up, &req, on_done, &r[i]));
        wait_for(e, &r[i], 1);
        assert_int_equal(r[i].calls, 1);
        assert_int_equal(r[i].error, BFF_UPSTREAM_OK);
        assert_int_equal(r[i].status, 200);
        assert_string_equal(r[i].body, "hello");
    }
    assert_int_equal(e->srv.accepted, 1); /* one connection, reused */
    bff_upstream_request_t req = {.url = url(e, "/json"), .timeout_ms = 2000};
    result_t s = {0};
    bff_upstream_send(e->up, &req, on_done, &s);
    wait_for(e, &s, 1);
    assert_int_equal(s.error, BFF_UPSTREAM_OK); /* an HTTP error status is still a response */
    assert_int_equal(s.status, 503);
    bff_upstream_stats_t st = bff_upstream_stats(e->up);
    assert_int_equal(st.completed, 6);
    assert_int_equal(st.connections_opened, 1);
    env_free(e);
}

static void test_concurrent_calls_do_not_wait_for_each_other(void **state)
{
    env_t *e = env_new();
    result_t r[20] = {0};
    result_t hang = {0};
    bff_upstream_request_t slow = {.url = url(e, "/hang"), .timeout_ms = 300};
    bff_upstream_send(e->up, &slow, on_done, &hang);
    for (int i = 0; i < 20; ++i) {
        bff_upstream_request_t req = {.url = url(e, "/ok"), .timeout_ms = 2000};
        bff_upstream_send(e->up, &req, on_done, &r[i]);
    }
    wait_for(e, r, 20);
    for (int i = 0; i < 20; ++i)
        assert_int_equal(r[i].status, 200);
    assert_int_equal(hang.calls, 0); /* the hanging call did not hold the others back */
    wait_for(e, &hang, 1);
    assert_int_equal(hang.error, BFF_UPSTREAM_E_TIMEOUT);
    env_free(e);
}

static void test_timeout_is_bounded(void **state)
{
    env_t *e = env_new();
    result_t r = {0};
    uint64_t t0 = uv_hrtime();
    bff_upstream_request_t req = {.url = url(e, "/hang"), .timeout_ms = 150};
    bff_upstream_send(e->up, &req, on_done, &r);
    wait_for(e, &r, 1);
    double ms = (double)(uv_hrtime() - t0) / 1e6;
    assert_int_equal(r.error, BFF_UPSTREAM_E_TIMEOUT);
    assert_true(ms >= 140 && ms < 1500);
    env_free(e);
}

static void one_call(const char *path, size_t max, result_t *r)
{
    env_t *e = env_new();
    bff_upstream_request_t req = {.url = url(e, path), .timeout_ms = 3000, .max_response_bytes = max};
    bff_upstream_send(e->up, &req, on_done, r);
    wait_for(e, r, 1);
    env_free(e);
}

/* each broken behaviour on its own server, so no connection is shared */
static void test_broken_upstreams_alone(void **state)
{
    result_t closed = {0}, garbage = {0}, big = {0};
    one_call("/close", 0, &closed);
    one_call("/garbage", 0, &garbage);
    one_call("/big", 1 << 20, &big);
    assert_int_equal(closed.error, BFF_UPSTREAM_E_IO);
    assert_true(garbage.error == BFF_UPSTREAM_E_PROTOCOL || garbage.error == BFF_UPSTREAM_E_IO);
    assert_int_equal(big.error, BFF_UPSTREAM_E_TOO_LARGE);
}

static void test_broken_upstreams(void **state)
{
    env_t *e = env_new();
    result_t closed = {0}, garbage = {0}, big = {0}, refused = {0};
    /* url() reuses one buffer: each request is sent before the next URL is made (curl copies it) */
    bff_upstream_request_t a = {.url = url(e, "/close"), .timeout_ms = 2000};
    bff_upstream_send(e->up, &a, on_done, &closed);
    bff_upstream_request_t b = {.url = url(e, "/garbage"), .timeout_ms = 2000};
    bff_upstream_send(e->up, &b, on_done, &garbage);
    bff_upstream_request_t c = {.url = url(e, "/big"), .timeout_ms = 5000, .max_response_bytes = 1 << 20};
    bff_upstream_send(e->up, &c, on_done, &big);
    bff_upstream_request_t d = {.url = "http://127.0.0.1:1/ok", .timeout_ms = 2000};
    bff_upstream_send(e->up, &d, on_done, &refused);
    wait_for(e, &closed, 1);
    wait_for(e, &garbage, 1);
    wait_for(e, &big, 1);
    wait_for(e, &refused, 1);
    assert_int_equal(closed.error, BFF_UPSTREAM_E_IO);
    assert_true(garbage.error == BFF_UPSTREAM_E_PROTOCOL || garbage.error == BFF_UPSTREAM_E_IO);
    assert_int_equal(big.error, BFF_UPSTREAM_E_TOO_LARGE);
    assert_int_equal(refused.error, BFF_UPSTREAM_E_CONNECT);
    assert_string_equal(bff_upstream_errname(BFF_UPSTREAM_E_TOO_LARGE), "TOO_LARGE");
    env_free(e);
}

static void test_cancel_fires_once_and_frees(void **state)
{
    env_t *e = env_new();
    result_t r = {0}, other = {0};
    bff_upstream_request_t req = {.url = url(e, "/hang"), .timeout_ms = 5000};
    bff_upstream_call_t *call = bff_upstream_send(e->up, &req, on_done, &r);
    for (int i = 0; i < 20; ++i)
        uv_run(&e->loop, UV_RUN_NOWAIT);
    bff_upstream_cancel(call);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.error, BFF_UPSTREAM_E_CANCELLED);
    /* a call left in flight is cancelled by bff_upstream_free */
    bff_upstream_request_t again = {.url = url(e, "/hang"), .timeout_ms = 5000};
    bff_upstream_send(e->up, &again, on_done, &other);
    env_free(e);
    assert_int_equal(other.calls, 1);
    assert_int_equal(other.error, BFF_UPSTREAM_E_CANCELLED);
}

static void test_bad_url_fails_at_once(void **state)
{
    env_t *e = env_new();
    result_t r = {0};
    bff_upstream_request_t req = {.url = "ftp://127.0.0.1/x", .timeout_ms = 1000};
    bff_upstream_call_t *call = bff_upstream_send(e->up, &req, on_done, &r);
    if (call != NULL) { /* curl rejects the scheme when the transfer starts */
        wait_for(e, &r, 1);
        assert_int_equal(r.error, BFF_UPSTREAM_E_PROTOCOL);
    }
    env_free(e);
}

static void test_http1_framing(void **state)
{
    static const struct {
        const char *path;
        bff_upstream_error_t error;
        long status;
        const char *body;
    } cases[] = {
        {"/chunked", BFF_UPSTREAM_OK, 200, "hello 0123456789"},
        {"/interim", BFF_UPSTREAM_OK, 201, "ok"},
        {"/conn-close", BFF_UPSTREAM_OK, 200, "bye"},
        {"/no-content", BFF_UPSTREAM_OK, 204, ""},
        {"/until-close", BFF_UPSTREAM_OK, 200, "all of it"},
        {"/drip", BFF_UPSTREAM_OK, 200, "abc"},
        {"/fold", BFF_UPSTREAM_E_PROTOCOL, 0, NULL},
        {"/two-lengths", BFF_UPSTREAM_E_PROTOCOL, 0, NULL},
        {"/gzip", BFF_UPSTREAM_E_PROTOCOL, 0, NULL},
        {"/bad-chunk", BFF_UPSTREAM_E_PROTOCOL, 0, NULL},
        {"/switch", BFF_UPSTREAM_E_PROTOCOL, 0, NULL},
        {"/bad-status", BFF_UPSTREAM_E_PROTOCOL, 0, NULL},
        {"/huge-head", BFF_UPSTREAM_E_PROTOCOL, 0, NULL},
        {"/big-chunked", BFF_UPSTREAM_E_TOO_LARGE, 0, NULL},
    };
    env_t *e = env_new();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        result_t r = {0};
        bff_upstream_request_t req = {.url = url(e, cases[i].path), .timeout_ms = 3000, .max_response_bytes = 1 << 20};
        assert_non_null(bff_upstream_send(e->up, &req, on_done, &r));
        wait_for(e, &r, 1);
        if (r.error != cases[i].error)
            fail_msg("%s: error %s, expected %s", cases[i].path, bff_upstream_errname(r.error),
                     bff_upstream_errname(cases[i].error));
        if (cases[i].body != NULL) {
            assert_int_equal(r.status, cases[i].status);
            assert_string_equal(r.body, cases[i].body);
        }
        /* every answer leaves the client able to call again on the same origin */
        result_t after = {0};
        bff_upstream_request_t ok = {.url = url(e, "/ok"), .timeout_ms = 3000};
        bff_upstream_send(e->up, &ok, on_done, &after);
        wait_for(e, &after, 1);
        assert_int_equal(after.status, 200);
    }
    env_free(e);
}

static void test_http1_reuse_rules(void **state)
{
    env_t *e = env_new();
    result_t r[6] = {0};
    const char *paths[] = {"/chunked", "/ok", "/interim", "/conn-close", "/ok", "/ok"};
    for (int i = 0; i < 6; ++i) {
        bff_upstream_request_t req = {.url = url(e, paths[i]), .timeout_ms = 2000};
        bff_upstream_send(e->up, &req, on_done, &r[i]);
        wait_for(e, &r[i], 1);
        assert_int_equal(r[i].error, BFF_UPSTREAM_OK);
    }
    /* one connection until the server said close; then a second one */
    assert_int_equal(e->srv.accepted, 2);
    /* a kept connection the server drops when it gets the request: sent again on a new one */
    result_t first = {0}, second = {0};
    bff_upstream_request_t req = {.url = url(e, "/stale-second"), .timeout_ms = 2000};
    bff_upstream_send(e->up, &req, on_done, &first);
    wait_for(e, &first, 1);
    bff_upstream_send(e->up, &req, on_done, &second);
    wait_for(e, &second, 1);
    assert_int_equal(first.status, 200);
    assert_int_equal(second.error, BFF_UPSTREAM_OK);
    assert_int_equal(second.status, 200);
    /* both came on a kept connection (the second's, then the first retry's), both were sent again */
    assert_int_equal(e->srv.accepted, 4);
    env_free(e);
}

static void test_http1_requests(void **state)
{
    env_t *e = env_new();
    /* a POST's body goes with its length; the server echoes it */
    result_t echo = {0};
    const char *headers[] = {"Content-Type: application/json", "X-Empty:"};
    bff_upstream_request_t post = {.method = "POST", .url = url(e, "/echo"), .headers = headers, .nheaders = 2,
                                   .body = "{\"a\":1}", .body_len = 7, .timeout_ms = 2000};
    assert_non_null(bff_upstream_send(e->up, &post, on_done, &echo));
    wait_for(e, &echo, 1);
    assert_string_equal(echo.body, "{\"a\":1}");
    /* nothing is written before the loop's next turn: a call cancelled at once never reaches the provider */
    int before = e->srv.requests;
    result_t gone = {0};
    bff_upstream_request_t at_once = {.url = url(e, "/ok"), .timeout_ms = 2000};
    bff_upstream_cancel(bff_upstream_send(e->up, &at_once, on_done, &gone));
    assert_int_equal(gone.error, BFF_UPSTREAM_E_CANCELLED);
    for (int i = 0; i < 20; ++i)
        uv_run(&e->loop, UV_RUN_NOWAIT);
    assert_int_equal(e->srv.requests, before);
    /* nothing that could split the request line or a header is sent */
    const char *split[] = {"X-A: a\r\nX-Injected: 1"};
    bff_upstream_request_t bad_header = {.url = url(e, "/ok"), .headers = split, .nheaders = 1};
    assert_null(bff_upstream_send(e->up, &bad_header, on_done, &echo));
    char u[160];
    snprintf(u, sizeof(u), "http://127.0.0.1:%d/ok HTTP/1.1\r\nX: y", e->srv.port);
    bff_upstream_request_t bad_target = {.url = u};
    assert_null(bff_upstream_send(e->up, &bad_target, on_done, &echo));
    snprintf(u, sizeof(u), "http://user:pw@127.0.0.1:%d/ok", e->srv.port);
    bff_upstream_request_t credentials = {.url = u};
    assert_null(bff_upstream_send(e->up, &credentials, on_done, &echo));
    bff_upstream_request_t bad_port = {.url = "http://127.0.0.1:99999/ok"};
    assert_null(bff_upstream_send(e->up, &bad_port, on_done, &echo));
    /* a named host is looked up; localhost may be ::1 first, where nobody listens: the next address is tried */
    result_t named = {0};
    snprintf(u, sizeof(u), "http://localhost:%d/ok", e->srv.port);
    bff_upstream_request_t by_name = {.url = u, .timeout_ms = 3000};
    bff_upstream_send(e->up, &by_name, on_done, &named);
    wait_for(e, &named, 1);
    assert_int_equal(named.status, 200);
    env_free(e);
}

static void test_http1_more_calls_than_connections(void **state)
{
    env_t *e = env_new();
    enum { N = 150 };
    result_t *r = calloc(N, sizeof(*r));
    for (int i = 0; i < N; ++i) {
        bff_upstream_request_t req = {.url = url(e, "/ok"), .timeout_ms = 5000};
        bff_upstream_send(e->up, &req, on_done, &r[i]);
    }
    wait_for(e, r, N);
    for (int i = 0; i < N; ++i)
        assert_int_equal(r[i].status, 200);
    assert_true(e->srv.accepted <= 64); /* the rest waited for a kept connection */
    /* calls waiting behind hanging ones time out on their own deadline */
    result_t hang[64] = {0}, queued = {0};
    for (int i = 0; i < 64; ++i) {
        bff_upstream_request_t req = {.url = url(e, "/hang"), .timeout_ms = 3000};
        bff_upstream_send(e->up, &req, on_done, &hang[i]);
    }
    bff_upstream_request_t late = {.url = url(e, "/ok"), .timeout_ms = 100};
    bff_upstream_send(e->up, &late, on_done, &queued);
    wait_for(e, &queued, 1);
    assert_int_equal(queued.error, BFF_UPSTREAM_E_TIMEOUT);
    free(r);
    env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers_and_keep_alive),   cmocka_unit_test(test_concurrent_calls_do_not_wait_for_each_other),
        cmocka_unit_test(test_timeout_is_bounded),       cmocka_unit_test(test_broken_upstreams_alone),
        cmocka_unit_test(test_broken_upstreams),
        cmocka_unit_test(test_cancel_fires_once_and_frees), cmocka_unit_test(test_bad_url_fails_at_once),
        cmocka_unit_test(test_http1_framing),               cmocka_unit_test(test_http1_reuse_rules),
        cmocka_unit_test(test_http1_requests),              cmocka_unit_test(test_http1_more_calls_than_connections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
