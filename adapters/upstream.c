/*
 * upstream.c - libcurl multi on a libuv loop (see upstream.h).
 *
 * Data structures: the client (one multi handle, one uv_timer_t, a list of
 * calls in flight); a call (one easy handle, its header list, the response
 * buffer, the user callback); a socket context per socket curl watches (one
 * uv_poll_t). curl tells us which sockets to watch and when to time out; the
 * loop tells curl what happened (curl_multi_socket_action), after which
 * finished transfers are drained with curl_multi_info_read.
 *
 * Invariants: a call is in the in-flight list exactly while its easy handle
 * is in the multi handle; its callback fires exactly once, after the call has
 * left the list and the multi handle, so a callback may start new calls or
 * cancel others. uv handles are freed only in their close callbacks.
 */
#include "upstream.h"

#include <curl/curl.h>

#include "http1.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/buf.h"

/*
 * Easy handles are kept for reuse (curl_easy_reset between calls): creating
 * and destroying one per call was 6% of a cart-totals request's instructions
 * (callgrind, bench/README.md). Reset keeps nothing of the last call's
 * options; connections live in the multi handle either way.
 */
#define UPSTREAM_SPARE_HANDLES 64

/*
 * Response buffers are kept too (up to UPSTREAM_SPARE_BODY_BYTES of room
 * each): growing a fresh one by reallocation for every answer sent glibc
 * into its slow paths (7% of a listing's CPU under load, perf).
 */
#define UPSTREAM_SPARE_BODY_BYTES (256u << 10)

struct st_bff_upstream_call_t {
    bff_upstream_t *up;
    bff_h1_call_t *h1; /* a cleartext HTTP/1.1 call (http1.c); NULL: curl's */
    CURL *easy;
    struct curl_slist *headers;
    bff_buf_t body;
    size_t max_bytes;
    bool too_large;
    bff_upstream_cb cb;
    void *arg;
    bff_upstream_call_t *prev, *next;
};

typedef struct st_socket_ctx_t {
    uv_poll_t poll;
    curl_socket_t fd;
    bff_upstream_t *up;
} socket_ctx_t;

struct st_bff_upstream_t {
    uv_loop_t *loop;
    bff_h1_t *h1; /* http:// providers */
    CURLM *multi;
    uv_timer_t *timer; /* heap: closed (and freed) independently of the client */
    bff_upstream_call_t *calls;
    bff_upstream_stats_t stats;
    CURL *spare[UPSTREAM_SPARE_HANDLES]; /* finished easy handles, reset, for the next calls */
    size_t nspare;
    bff_buf_t spare_bodies[UPSTREAM_SPARE_HANDLES]; /* emptied response buffers, kept with their room */
    size_t nspare_bodies;
};

static CURL *acquire_easy(bff_upstream_t *up)
{
    return up->nspare > 0 ? up->spare[--up->nspare] : curl_easy_init();
}

static void release_easy(bff_upstream_t *up, CURL *easy)
{
    if (up->nspare < UPSTREAM_SPARE_HANDLES) {
        curl_easy_reset(easy);
        up->spare[up->nspare++] = easy;
    } else {
        curl_easy_cleanup(easy);
    }
}

static const char *const error_text[] = {
    "ok",
#define BFF_UPSTREAM_ERROR_TEXT(name, text) text,
    BFF_UPSTREAM_ERRORS(BFF_UPSTREAM_ERROR_TEXT)
#undef BFF_UPSTREAM_ERROR_TEXT
};

static const char *const error_name[] = {
    "OK",
#define BFF_UPSTREAM_ERROR_NAME(name, text) #name,
    BFF_UPSTREAM_ERRORS(BFF_UPSTREAM_ERROR_NAME)
#undef BFF_UPSTREAM_ERROR_NAME
};

const char *bff_upstream_strerror(bff_upstream_error_t e)
{
    return (size_t)e < sizeof(error_text) / sizeof(error_text[0]) ? error_text[e] : "unknown";
}

const char *bff_upstream_errname(bff_upstream_error_t e)
{
    return (size_t)e < sizeof(error_name) / sizeof(error_name[0]) ? error_name[e] : "UNKNOWN";
}

/* ---- calls ---- */

static void call_unlink(bff_upstream_call_t *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        c->up->calls = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

static void count_outcome(bff_upstream_t *up, bff_upstream_error_t error)
{
    if (error == BFF_UPSTREAM_OK)
        up->stats.completed++;
    else if (error == BFF_UPSTREAM_E_CANCELLED)
        up->stats.cancelled++;
    else
        up->stats.failed++;
}

/* Takes the call out of curl and the list, fires its callback, frees it. */
static void call_finish(bff_upstream_call_t *c, bff_upstream_error_t error)
{
    bff_upstream_t *up = c->up;
    bff_upstream_response_t res = {.error = error};
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &res.status);
    long version = 0;
    curl_easy_getinfo(c->easy, CURLINFO_HTTP_VERSION, &version);
    res.http_version = version == CURL_HTTP_VERSION_2_0 ? 2 : version == CURL_HTTP_VERSION_1_0 ? 10 : 11;
    curl_easy_getinfo(c->easy, CURLINFO_TOTAL_TIME, &res.total_ms);
    res.total_ms *= 1000.0;
    long connects = 0;
    curl_easy_getinfo(c->easy, CURLINFO_NUM_CONNECTS, &connects);
    up->stats.connections_opened += connects;
    count_outcome(up, error);
    bff_buf_appendc(&c->body, '\0');
    res.body = c->body.data;
    res.body_len = c->body.len - 1;
    call_unlink(c);
    curl_multi_remove_handle(up->multi, c->easy);
    release_easy(up, c->easy);
    curl_slist_free_all(c->headers);
    c->cb(&res, c->arg);
    if (up->nspare_bodies < UPSTREAM_SPARE_HANDLES && c->body.cap <= UPSTREAM_SPARE_BODY_BYTES) {
        c->body.len = 0;
        up->spare_bodies[up->nspare_bodies++] = c->body;
    } else {
        bff_buf_free(&c->body);
    }
    free(c);
}

static bff_upstream_error_t map_result(bff_upstream_call_t *c, CURLcode rc)
{
    switch (rc) {
    case CURLE_OK:
        return BFF_UPSTREAM_OK;
    case CURLE_OPERATION_TIMEDOUT:
        return BFF_UPSTREAM_E_TIMEOUT;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SSL_CONNECT_ERROR:
        return BFF_UPSTREAM_E_CONNECT;
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
        return c->too_large || rc == CURLE_FILESIZE_EXCEEDED ? BFF_UPSTREAM_E_TOO_LARGE : BFF_UPSTREAM_E_INTERNAL;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return BFF_UPSTREAM_E_PROTOCOL;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
        return BFF_UPSTREAM_E_IO;
    default:
        return BFF_UPSTREAM_E_IO;
    }
}

static void drain_finished(bff_upstream_t *up)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(up->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        bff_upstream_call_t *c = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
        call_finish(c, map_result(c, msg->data.result));
    }
}

/* ---- curl <-> libuv ---- */

static void on_poll_closed(uv_handle_t *h)
{
    free(h->data);
}

static void on_poll(uv_poll_t *poll, int status, int events)
{
    socket_ctx_t *s = poll->data;
    bff_upstream_t *up = s->up;
    int flags = 0;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    int running;
    curl_multi_socket_action(up->multi, s->fd, flags, &running);
    drain_finished(up);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    bff_upstream_t *up = userp;
    socket_ctx_t *s = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (s != NULL) {
            uv_poll_stop(&s->poll);
            uv_close((uv_handle_t *)&s->poll, on_poll_closed);
            curl_multi_assign(up->multi, fd, NULL);
        }
        return 0;
    }
    if (s == NULL) {
        s = bff_xcalloc(1, sizeof(*s));
        s->fd = fd;
        s->up = up;
        uv_poll_init_socket(up->loop, &s->poll, fd);
        s->poll.data = s;
        curl_multi_assign(up->multi, fd, s);
    }
    int events = 0;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
        events |= UV_READABLE;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
        events |= UV_WRITABLE;
    uv_poll_start(&s->poll, events, on_poll);
    return 0;
}

static void on_timeout(uv_timer_t *t)
{
    bff_upstream_t *up = t->data;
    int running;
    curl_multi_socket_action(up->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    drain_finished(up);
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    bff_upstream_t *up = userp;
    if (timeout_ms < 0)
        uv_timer_stop(up->timer);
    else
        uv_timer_start(up->timer, on_timeout, (uint64_t)timeout_ms, 0);
    return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    bff_upstream_call_t *c = arg;
    size_t len = size * n;
    if (c->body.len + len > c->max_bytes) {
        c->too_large = true;
        return 0; /* curl aborts the transfer with CURLE_WRITE_ERROR */
    }
    bff_buf_append(&c->body, data, len);
    return len;
}

/* ---- public ---- */

static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

bff_upstream_t *bff_upstream_new(uv_loop_t *loop)
{
    static uv_once_t once = UV_ONCE_INIT;
    uv_once(&once, global_init);
    bff_upstream_t *up = bff_xcalloc(1, sizeof(*up));
    up->loop = loop;
    up->timer = bff_xmalloc(sizeof(*up->timer));
    uv_timer_init(loop, up->timer);
    up->timer->data = up;
    up->h1 = bff_h1_new(loop);
    up->multi = curl_multi_init();
    curl_multi_setopt(up->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(up->multi, CURLMOPT_SOCKETDATA, up);
    curl_multi_setopt(up->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(up->multi, CURLMOPT_TIMERDATA, up);
    curl_multi_setopt(up->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    curl_multi_setopt(up->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 64L);
    return up;
}

static void free_on_close(uv_handle_t *h)
{
    free(h);
}

void bff_upstream_free(bff_upstream_t *up)
{
    if (up == NULL)
        return;
    while (up->calls != NULL)
        bff_upstream_cancel(up->calls);
    bff_h1_free(up->h1);
    while (up->nspare > 0)
        curl_easy_cleanup(up->spare[--up->nspare]);
    while (up->nspare_bodies > 0)
        bff_buf_free(&up->spare_bodies[--up->nspare_bodies]);
    curl_multi_cleanup(up->multi); /* closes cached connections: REMOVE callbacks close their polls */
    uv_timer_stop(up->timer);
    uv_close((uv_handle_t *)up->timer, free_on_close);
    free(up);
}

static void on_h1_done(const bff_upstream_response_t *res, void *arg)
{
    bff_upstream_call_t *c = arg;
    count_outcome(c->up, res->error);
    call_unlink(c);
    c->cb(res, c->arg);
    free(c);
}

/* Cleartext HTTP/1.1 (the common case inside a cluster) goes through http1.c; see docs/decisions/upstream-http1.md. */
static bool plain_http1(const bff_upstream_request_t *req)
{
    return !req->h2c_prior_knowledge && req->url != NULL && strncasecmp(req->url, "http://", 7) == 0;
}

bff_upstream_call_t *bff_upstream_send(bff_upstream_t *up, const bff_upstream_request_t *req, bff_upstream_cb cb,
                                       void *arg)
{
    if (plain_http1(req)) {
        bff_upstream_call_t *c = bff_xcalloc(1, sizeof(*c));
        c->up = up;
        c->cb = cb;
        c->arg = arg;
        c->h1 = bff_h1_send(up->h1, req, on_h1_done, c);
        if (c->h1 == NULL) {
            free(c);
            return NULL;
        }
        c->next = up->calls;
        if (up->calls)
            up->calls->prev = c;
        up->calls = c;
        up->stats.started++;
        return c;
    }
    CURL *easy = acquire_easy(up);
    if (easy == NULL)
        return NULL;
    bff_upstream_call_t *c = bff_xcalloc(1, sizeof(*c));
    c->up = up;
    c->easy = easy;
    if (up->nspare_bodies > 0)
        c->body = up->spare_bodies[--up->nspare_bodies];
    c->cb = cb;
    c->arg = arg;
    c->max_bytes = req->max_response_bytes ? req->max_response_bytes : (size_t)8 << 20;
    uint32_t timeout = req->timeout_ms ? req->timeout_ms : 10000;
    uint32_t connect_timeout = req->connect_timeout_ms ? req->connect_timeout_ms : (timeout < 2000 ? timeout : 2000);
    for (size_t i = 0; i < req->nheaders; ++i)
        c->headers = curl_slist_append(c->headers, req->headers[i]);
    c->headers = curl_slist_append(c->headers, "Expect:"); /* no 100-continue round trip for POST bodies */
    if (curl_easy_setopt(easy, CURLOPT_URL, req->url) != CURLE_OK) {
        curl_slist_free_all(c->headers);
        release_easy(up, easy);
        bff_buf_free(&c->body);
        free(c);
        return NULL;
    }
    curl_easy_setopt(easy, CURLOPT_PRIVATE, c);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)timeout);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long)connect_timeout);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    if (req->ca_file != NULL)
        curl_easy_setopt(easy, CURLOPT_CAINFO, req->ca_file);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION,
                     req->h2c_prior_knowledge ? (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE : (long)CURL_HTTP_VERSION_2TLS);
    if (req->h2c_prior_knowledge || strncmp(req->url, "https:", 6) == 0)
        curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L); /* HTTP/2 likely: wait to share a connection rather than open more */
    if (req->method != NULL && strcmp(req->method, "GET") != 0)
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req->method);
    if (req->body != NULL) { /* copied: the caller's buffer may go once send returns */
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, req->body);
    }
    c->next = up->calls;
    if (up->calls)
        up->calls->prev = c;
    up->calls = c;
    up->stats.started++;
    if (curl_multi_add_handle(up->multi, easy) != CURLM_OK) {
        call_unlink(c);
        up->stats.started--;
        curl_slist_free_all(c->headers);
        release_easy(up, easy);
        bff_buf_free(&c->body);
        free(c);
        return NULL;
    }
    /*
     * curl asks for a zero timeout when a handle is added, so the loop comes
     * back to start the transfer; should it not, start one ourselves: a
     * transfer that fails at once (unsupported scheme) must still have its
     * callback fired, later, never inside send.
     */
    if (!uv_is_active((uv_handle_t *)up->timer))
        uv_timer_start(up->timer, on_timeout, 0, 0);
    return c;
}

void bff_upstream_cancel(bff_upstream_call_t *call)
{
    if (call->h1 != NULL)
        bff_h1_cancel(call->h1); /* on_h1_done finishes the call */
    else
        call_finish(call, BFF_UPSTREAM_E_CANCELLED);
}

bff_upstream_stats_t bff_upstream_stats(const bff_upstream_t *up)
{
    bff_upstream_stats_t st = up->stats;
    st.connections_opened += bff_h1_connections_opened(up->h1);
    return st;
}
