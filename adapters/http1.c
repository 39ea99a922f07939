/*
 * http1.c - cleartext HTTP/1.1 to providers on the worker's libuv loop (see
 * http1.h; docs/decisions/upstream-http1.md has the measurement behind it).
 *
 * Data structures: the client (one per worker): its origins, the calls in
 * flight (a list) and one uv_timer_t that serves every deadline (calls' total
 * and connect deadlines, idle connections' expiry): it is armed for the
 * earliest and, when it fires, finishes what is due and re-arms. An origin
 * (host, port): its open connections' count, the idle ones (most recent
 * first) and the calls waiting for one (in order). A connection: one
 * uv_tcp_t, at most one exchange at a time (no pipelining). A call: the
 * request bytes, the response parser's state and the body.
 *
 * The response parser is a small state machine fed with what each read
 * brings: the head (status line and headers, up to BFF_H1_MAX_HEAD_BYTES),
 * then a body framed by Content-Length, by chunks (size lines, data, CRLF,
 * trailers) or by the connection's end. Anything it cannot frame exactly is
 * PROTOCOL and the connection is closed: an obsolete line folding, a
 * transfer coding other than chunked, two different Content-Lengths, a 101.
 *
 * Invariants: a call's callback fires exactly once, after the call left the
 * lists and its connection; a connection is reused only after a response
 * that ended exactly where it said it would, on a connection the server did
 * not ask to close; a connection whose exchange failed, timed out or was
 * cancelled is closed, never reused. A failure found while a call starts
 * (inside send) is reported from the timer, so callbacks never run inside
 * send, and nothing is written before the loop's next turn. A request on a kept connection that the server had closed (EOF or
 * reset before any byte of an answer) is sent once more on another
 * connection, as curl does. Idle connections keep reading: data or EOF on
 * one closes it. uv handles are freed in their close callbacks.
 */
#define _GNU_SOURCE /* memmem */
#include "http1.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/buf.h"

/*
 * Body buffers are kept for the next calls (up to SPARE_BODY_BYTES of room
 * each): growing a fresh one by reallocation for every answer sends glibc
 * into its slow paths (a listing's malloc share doubled without them).
 */
#define BFF_H1_SPARE_BODIES 64
#define SPARE_BODY_BYTES (256u << 10)

typedef struct st_conn_t conn_t;
typedef struct st_origin_t origin_t;

struct st_origin_t {
    origin_t *next;
    char *host;      /* without the brackets of an IPv6 literal */
    char *authority; /* the Host header: host[:port] as the URL has it */
    char port[6];
    struct sockaddr_storage addr; /* an address literal's, when numeric */
    bool numeric;
    conn_t *idle;  /* kept connections, the most recently used first */
    size_t nconns; /* open or opening */
    bff_h1_call_t *wait_head, *wait_tail;
};

typedef struct st_resolve_t {
    uv_getaddrinfo_t req;
    conn_t *conn; /* NULL once the connection is gone: the answer is dropped */
} resolve_t;

enum conn_state { CONN_OPENING, CONN_READY };

struct st_conn_t {
    uv_tcp_t tcp; /* tcp.data: the connection */
    bff_h1_t *h;
    origin_t *origin;
    enum conn_state state;
    bool closing;
    unsigned exchanges;  /* responses completed on it */
    bff_h1_call_t *call; /* the exchange in progress; NULL: idle */
    conn_t *next_idle;
    uint64_t idle_since;
    uv_connect_t connect_req;
    resolve_t *resolve;
    struct addrinfo *addrs, *next_addr; /* a named host's addresses, the next to try */
};

enum parse_state { P_HEAD, P_LENGTH, P_CHUNK_SIZE, P_CHUNK_DATA, P_CHUNK_END, P_TRAILER, P_UNTIL_CLOSE, P_DONE };

struct st_bff_h1_call_t {
    bff_h1_t *h;
    origin_t *origin;
    conn_t *conn;
    bff_h1_call_t *prev, *next; /* calls in flight */
    bff_h1_call_t *next_wait;
    bool waiting;
    bool starting; /* sent on the loop's next turn (see bff_h1_send) */
    bool retried;
    bool is_head;
    bool has_pending;
    bff_upstream_error_t pending;
    char *request;
    size_t request_len;
    uint64_t deadline, connect_deadline; /* loop time, ms */
    uint64_t started_ns;
    size_t max_bytes;
    bff_upstream_cb cb;
    void *arg;
    /* the response */
    enum parse_state ps;
    unsigned crlf;   /* bytes of "\r\n\r\n" matched at the end of the head so far */
    bff_buf_t line;  /* the head, then a chunk-size line or the trailers */
    bff_buf_t body;
    long status;
    int minor;
    bool keep_alive;
    bool got_bytes; /* something came back: a failure now is not a stale connection */
    bool leftover;  /* bytes after the response's end: the connection is not reused */
    uint64_t remaining;
};

struct st_bff_h1_t {
    uv_loop_t *loop;
    uv_timer_t *timer; /* heap: closed (and freed) independently of the client */
    uint64_t timer_due;
    origin_t *origins;
    bff_h1_call_t *calls;
    long connects;
    bool freeing;
    bff_buf_t spare[BFF_H1_SPARE_BODIES]; /* emptied body buffers, kept with their room */
    size_t nspare;
    char readbuf[64 << 10]; /* what one read brings; consumed before the next */
};

static void acquire(bff_h1_call_t *c);
static void conn_open(origin_t *o, bff_h1_call_t *c, struct addrinfo *addrs, struct addrinfo *next);
static void finish(bff_h1_call_t *c, bff_upstream_error_t error);

/* ---- deadlines ---- */

static void on_tick(uv_timer_t *t);

static void schedule(bff_h1_t *h, uint64_t due)
{
    uint64_t now = uv_now(h->loop);
    if (h->freeing || (uv_is_active((uv_handle_t *)h->timer) && h->timer_due <= due))
        return;
    h->timer_due = due;
    uv_timer_start(h->timer, on_tick, due > now ? due - now : 0, 0);
}

static bool connecting(const bff_h1_call_t *c)
{
    return c->conn != NULL && c->conn->state == CONN_OPENING;
}

static bff_h1_call_t *first_due(bff_h1_t *h, uint64_t now, bff_upstream_error_t *error)
{
    for (bff_h1_call_t *c = h->calls; c != NULL; c = c->next) {
        if (c->has_pending) {
            *error = c->pending;
            return c;
        }
        if (now >= c->deadline) {
            *error = BFF_UPSTREAM_E_TIMEOUT;
            return c;
        }
        if (connecting(c) && now >= c->connect_deadline) {
            *error = BFF_UPSTREAM_E_CONNECT;
            return c;
        }
    }
    return NULL;
}

static void conn_close(conn_t *conn);

static void on_tick(uv_timer_t *t)
{
    bff_h1_t *h = t->data;
    uint64_t now = uv_now(h->loop);
    bff_upstream_error_t error;
    bff_h1_call_t *c;
    /* calls sent since the last turn, in the order they were sent (the list is newest first); no callback runs here */
    bff_h1_call_t *last = h->calls;
    while (last != NULL && last->next != NULL)
        last = last->next;
    for (c = last; c != NULL; c = c->prev) {
        if (c->starting) {
            c->starting = false;
            acquire(c);
        }
    }
    /* one at a time: a callback may start or cancel other calls */
    while ((c = first_due(h, now, &error)) != NULL)
        finish(c, error);
    uint64_t due = UINT64_MAX;
    for (origin_t *o = h->origins; o != NULL; o = o->next) {
        conn_t **p = &o->idle;
        while (*p != NULL) {
            conn_t *conn = *p;
            if (now - conn->idle_since >= BFF_H1_IDLE_MS) {
                conn_close(conn); /* unlinks it from o->idle */
                continue;
            }
            if (conn->idle_since + BFF_H1_IDLE_MS < due)
                due = conn->idle_since + BFF_H1_IDLE_MS;
            p = &conn->next_idle;
        }
    }
    for (c = h->calls; c != NULL; c = c->next) {
        uint64_t d = connecting(c) && c->connect_deadline < c->deadline ? c->connect_deadline : c->deadline;
        if (d < due)
            due = d;
    }
    if (due != UINT64_MAX)
        schedule(h, due);
}

/* Reported from the timer, never from where it was found (that may be inside send). */
static void fail_later(bff_h1_call_t *c, bff_upstream_error_t error)
{
    c->has_pending = true;
    c->pending = error;
    schedule(c->h, uv_now(c->h->loop));
}

/* ---- connections ---- */

static void on_conn_closed(uv_handle_t *handle)
{
    free(handle->data);
}

static void idle_unlink(conn_t *conn)
{
    for (conn_t **p = &conn->origin->idle; *p != NULL; p = &(*p)->next_idle) {
        if (*p == conn) {
            *p = conn->next_idle;
            break;
        }
    }
    conn->next_idle = NULL;
}

static bff_h1_call_t *wait_pop(origin_t *o)
{
    bff_h1_call_t *c = o->wait_head;
    if (c == NULL)
        return NULL;
    o->wait_head = c->next_wait;
    if (o->wait_head == NULL)
        o->wait_tail = NULL;
    c->next_wait = NULL;
    c->waiting = false;
    return c;
}

static void conn_close(conn_t *conn)
{
    if (conn->closing)
        return;
    conn->closing = true;
    assert(conn->call == NULL);
    origin_t *o = conn->origin;
    idle_unlink(conn);
    o->nconns--;
    if (conn->resolve != NULL)
        conn->resolve->conn = NULL;
    if (conn->addrs != NULL)
        uv_freeaddrinfo(conn->addrs);
    conn->addrs = conn->next_addr = NULL;
    uv_close((uv_handle_t *)&conn->tcp, on_conn_closed);
    /* a place opened up: the first call waiting for this origin gets it */
    if (!conn->h->freeing && o->wait_head != NULL && o->nconns < BFF_H1_MAX_CONNECTIONS)
        conn_open(o, wait_pop(o), NULL, NULL);
}

static void reset_response(bff_h1_call_t *c)
{
    c->ps = P_HEAD;
    c->crlf = 0;
    c->line.len = 0;
    c->body.len = 0;
    c->status = 0;
    c->keep_alive = false;
    c->got_bytes = false;
    c->leftover = false;
}

/* The exchange on the call's connection broke: close it; a kept connection that was stale gets the call sent again. */
static void exchange_failed(bff_h1_call_t *c, bff_upstream_error_t error)
{
    conn_t *conn = c->conn;
    bool stale = conn->exchanges > 0 && !c->got_bytes && error == BFF_UPSTREAM_E_IO;
    conn->call = NULL;
    c->conn = NULL;
    conn_close(conn);
    if (stale && !c->retried) {
        c->retried = true;
        reset_response(c);
        acquire(c);
        return;
    }
    fail_later(c, error);
}

typedef struct st_write_t {
    uv_write_t req;
    char data[];
} write_t;

static void on_written(uv_write_t *req, int status)
{
    conn_t *conn = req->handle->data;
    free(req);
    if (status < 0 && status != UV_ECANCELED && !conn->closing && conn->call != NULL)
        exchange_failed(conn->call, BFF_UPSTREAM_E_IO);
}

static void write_request(conn_t *conn, bff_h1_call_t *c)
{
    uv_buf_t b = uv_buf_init(c->request, (unsigned)c->request_len);
    int r = uv_try_write((uv_stream_t *)&conn->tcp, &b, 1);
    if (r == (int)c->request_len)
        return;
    if (r < 0 && r != UV_EAGAIN) {
        exchange_failed(c, BFF_UPSTREAM_E_IO);
        return;
    }
    size_t done = r > 0 ? (size_t)r : 0, rest = c->request_len - done;
    write_t *w = bff_xmalloc(sizeof(*w) + rest); /* owned by the write: the call may go before it completes */
    memcpy(w->data, c->request + done, rest);
    b = uv_buf_init(w->data, (unsigned)rest);
    if (uv_write(&w->req, (uv_stream_t *)&conn->tcp, &b, 1, on_written) != 0) {
        free(w);
        exchange_failed(c, BFF_UPSTREAM_E_IO);
    }
}

static void attach(conn_t *conn, bff_h1_call_t *c)
{
    conn->call = c;
    c->conn = conn;
    write_request(conn, c);
}

/* A connection finished an exchange cleanly: the next waiting call takes it, or it waits idle. */
static void conn_release(conn_t *conn)
{
    origin_t *o = conn->origin;
    conn->exchanges++;
    bff_h1_call_t *next = wait_pop(o);
    if (next != NULL) {
        attach(conn, next);
        return;
    }
    conn->idle_since = uv_now(conn->h->loop);
    conn->next_idle = o->idle;
    o->idle = conn;
    schedule(conn->h, conn->idle_since + BFF_H1_IDLE_MS);
}

/* ---- the response parser ---- */

static bool ieq(const char *a, size_t n, const char *lit)
{
    return strlen(lit) == n && strncasecmp(a, lit, n) == 0;
}

/* Whether a comma-separated header value lists `token`. */
static bool has_token(const char *v, size_t n, const char *token)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            ++i;
        size_t s = i;
        while (i < n && v[i] != ',')
            ++i;
        size_t e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            --e;
        if (e > s && ieq(v + s, e - s, token))
            return true;
    }
    return false;
}

/* The last coding a Transfer-Encoding value lists is chunked. */
static bool ends_chunked(const char *v, size_t n)
{
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        --n;
    size_t s = n;
    while (s > 0 && v[s - 1] != ',' && v[s - 1] != ' ' && v[s - 1] != '\t')
        --s;
    return ieq(v + s, n - s, "chunked");
}

static bool tchar(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch != 0 && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/*
 * Parses the head in c->line (it ends with CRLF CRLF). Returns 1 for an
 * interim (1xx) answer to skip, 0 when the final head set the body's framing,
 * or a negative error (PROTOCOL, TOO_LARGE).
 */
static int parse_head(bff_h1_call_t *c)
{
    const char *p = c->line.data, *end = p + c->line.len;
    if (c->line.len < 16 || memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1') || p[8] != ' ')
        return -BFF_UPSTREAM_E_PROTOCOL;
    for (int i = 9; i < 12; ++i)
        if (p[i] < '0' || p[i] > '9')
            return -BFF_UPSTREAM_E_PROTOCOL;
    if (p[12] != ' ' && p[12] != '\r')
        return -BFF_UPSTREAM_E_PROTOCOL;
    c->minor = p[7] - '0';
    c->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    const char *line = memchr(p, '\n', (size_t)(end - p));
    if (line == NULL || line[-1] != '\r')
        return -BFF_UPSTREAM_E_PROTOCOL;
    ++line;
    bool chunked = false, te = false, has_length = false, close = false, keep = false;
    uint64_t length = 0;
    for (;;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (eol == NULL || eol == line || eol[-1] != '\r')
            return -BFF_UPSTREAM_E_PROTOCOL;
        const char *le = eol - 1; /* at the CR */
        if (le == line)
            break; /* the empty line */
        if (memchr(line, '\r', (size_t)(le - line)) != NULL)
            return -BFF_UPSTREAM_E_PROTOCOL;
        const char *colon = memchr(line, ':', (size_t)(le - line));
        if (colon == NULL || colon == line)
            return -BFF_UPSTREAM_E_PROTOCOL; /* also an obsolete folded line (it starts with a space) */
        for (const char *q = line; q < colon; ++q)
            if (!tchar((unsigned char)*q))
                return -BFF_UPSTREAM_E_PROTOCOL;
        const char *v = colon + 1, *ve = le;
        while (v < ve && (*v == ' ' || *v == '\t'))
            ++v;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            --ve;
        size_t nlen = (size_t)(colon - line), vlen = (size_t)(ve - v);
        if (ieq(line, nlen, "content-length")) {
            uint64_t n = 0;
            if (vlen == 0 || vlen > 18)
                return -BFF_UPSTREAM_E_PROTOCOL;
            for (size_t i = 0; i < vlen; ++i) {
                if (v[i] < '0' || v[i] > '9')
                    return -BFF_UPSTREAM_E_PROTOCOL;
                n = n * 10 + (uint64_t)(v[i] - '0');
            }
            if (has_length && n != length)
                return -BFF_UPSTREAM_E_PROTOCOL;
            has_length = true;
            length = n;
        } else if (ieq(line, nlen, "transfer-encoding")) {
            te = true;
            chunked = ends_chunked(v, vlen);
        } else if (ieq(line, nlen, "connection")) {
            close |= has_token(v, vlen, "close");
            keep |= has_token(v, vlen, "keep-alive");
        }
        line = eol + 1;
    }
    if (c->status >= 100 && c->status < 200)
        return c->status == 101 ? -BFF_UPSTREAM_E_PROTOCOL : 1; /* we never ask to switch protocols */
    c->keep_alive = c->minor >= 1 ? !close : keep && !close;
    if (c->is_head || c->status == 204 || c->status == 304) {
        c->ps = P_DONE;
    } else if (te) {
        if (!chunked)
            return -BFF_UPSTREAM_E_PROTOCOL; /* a coding we would have to undo */
        c->ps = P_CHUNK_SIZE;
        if (has_length)
            c->keep_alive = false; /* both framings: the message is suspect, the connection is not reused */
    } else if (has_length) {
        if (length > c->max_bytes)
            return -BFF_UPSTREAM_E_TOO_LARGE;
        c->remaining = length;
        c->ps = length > 0 ? P_LENGTH : P_DONE;
    } else {
        c->ps = P_UNTIL_CLOSE;
        c->keep_alive = false;
    }
    return 0;
}

static int append_body(bff_h1_call_t *c, const char *p, size_t n)
{
    if (c->body.len + n > c->max_bytes)
        return -BFF_UPSTREAM_E_TOO_LARGE;
    bff_buf_append(&c->body, p, n);
    return 0;
}

/* Appends bytes up to a line's LF to c->line; returns how many it took, setting *complete when the LF was among them. */
static size_t take_line(bff_h1_call_t *c, const char *p, size_t n, bool *complete)
{
    const char *lf = memchr(p, '\n', n);
    size_t take = lf != NULL ? (size_t)(lf - p) + 1 : n;
    bff_buf_append(&c->line, p, take);
    *complete = lf != NULL;
    return take;
}

static int chunk_size(bff_h1_call_t *c)
{
    const char *p = c->line.data, *e = p + c->line.len;
    uint64_t n = 0;
    int digits = 0;
    for (; p < e; ++p, ++digits) {
        int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : *p >= 'A' && *p <= 'F' ? *p - 'A' + 10 : -1;
        if (d < 0)
            break;
        if (digits >= 15)
            return -BFF_UPSTREAM_E_PROTOCOL;
        n = n * 16 + (uint64_t)d;
    }
    if (digits == 0 || (*p != ';' && *p != '\r' && *p != ' ' && *p != '\t'))
        return -BFF_UPSTREAM_E_PROTOCOL;
    c->remaining = n;
    return 0;
}

/* Feeds what a read brought. Returns 0 (more to come, or P_DONE reached) or a negative error. */
static int feed(bff_h1_call_t *c, const char *p, size_t n)
{
    static const char crlf2[] = "\r\n\r\n";
    while (n > 0) {
        bool complete;
        size_t take;
        int r;
        switch (c->ps) {
        case P_HEAD:
            if (c->crlf == 0 && c->line.len == 0) { /* the usual case: the whole head in this read */
                const char *e = memmem(p, n, "\r\n\r\n", 4);
                if (e != NULL && (size_t)(e - p) + 4 <= BFF_H1_MAX_HEAD_BYTES) {
                    take = (size_t)(e - p) + 4;
                    bff_buf_append(&c->line, p, take);
                    p += take, n -= take;
                    c->crlf = 4;
                    if ((r = parse_head(c)) < 0)
                        return r;
                    c->line.len = 0;
                    c->crlf = 0;
                    break;
                }
            }
            for (take = 0; take < n && c->crlf < 4;) {
                char ch = p[take++];
                c->crlf = ch == crlf2[c->crlf] ? c->crlf + 1 : ch == '\r' ? 1 : 0;
            }
            if (c->line.len + take > BFF_H1_MAX_HEAD_BYTES)
                return -BFF_UPSTREAM_E_PROTOCOL;
            bff_buf_append(&c->line, p, take);
            p += take, n -= take;
            if (c->crlf < 4)
                break;
            if ((r = parse_head(c)) < 0)
                return r;
            c->line.len = 0;
            c->crlf = 0;
            break; /* r == 1: an interim answer, the final head follows */
        case P_LENGTH:
        case P_CHUNK_DATA:
            take = n < c->remaining ? n : (size_t)c->remaining;
            if ((r = append_body(c, p, take)) < 0)
                return r;
            p += take, n -= take;
            c->remaining -= take;
            if (c->remaining == 0)
                c->ps = c->ps == P_LENGTH ? P_DONE : P_CHUNK_END;
            break;
        case P_UNTIL_CLOSE:
            if ((r = append_body(c, p, n)) < 0)
                return r;
            n = 0;
            break;
        case P_CHUNK_SIZE:
        case P_CHUNK_END:
        case P_TRAILER:
            take = take_line(c, p, n, &complete);
            p += take, n -= take;
            if (c->line.len > BFF_H1_MAX_HEAD_BYTES)
                return -BFF_UPSTREAM_E_PROTOCOL;
            if (!complete)
                break;
            if (c->ps == P_CHUNK_END) {
                if (c->line.len != 2 || c->line.data[0] != '\r')
                    return -BFF_UPSTREAM_E_PROTOCOL;
                c->ps = P_CHUNK_SIZE;
                c->line.len = 0;
            } else if (c->ps == P_CHUNK_SIZE) {
                if ((r = chunk_size(c)) < 0)
                    return r;
                c->ps = c->remaining > 0 ? P_CHUNK_DATA : P_TRAILER;
                c->line.len = 0;
            } else if (c->line.len >= 2 && memcmp(c->line.data + c->line.len - 2, "\r\n", 2) == 0 &&
                       (c->line.len == 2 || (c->line.len >= 4 && memcmp(c->line.data + c->line.len - 4, "\r\n\r\n", 4) == 0))) {
                c->ps = P_DONE; /* the empty line after the trailers (kept in c->line only to bound them) */
            }
            break;
        case P_DONE:
            c->leftover = true; /* more than the response: not reused */
            n = 0;
            break;
        }
    }
    return 0;
}

/* ---- reading ---- */

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    conn_t *conn = handle->data;
    *buf = uv_buf_init(conn->h->readbuf, sizeof(conn->h->readbuf));
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    conn_t *conn = stream->data;
    if (nread == 0 || conn->closing)
        return;
    bff_h1_call_t *c = conn->call;
    if (c == NULL) { /* idle: the server closed it or sent what nobody asked for */
        conn_close(conn);
        return;
    }
    if (nread < 0) {
        if (nread == UV_EOF && c->ps == P_UNTIL_CLOSE)
            finish(c, BFF_UPSTREAM_OK);
        else
            exchange_failed(c, BFF_UPSTREAM_E_IO);
        return;
    }
    c->got_bytes = true;
    int r = feed(c, buf->base, (size_t)nread);
    if (r < 0)
        exchange_failed(c, (bff_upstream_error_t)-r);
    else if (c->ps == P_DONE)
        finish(c, BFF_UPSTREAM_OK);
}

/* ---- opening ---- */

static void connect_next(conn_t *conn);

static void on_connected(uv_connect_t *req, int status)
{
    conn_t *conn = req->handle->data;
    if (conn->closing)
        return;
    bff_h1_call_t *c = conn->call;
    assert(c != NULL); /* a call that leaves closes its opening connection */
    if (status < 0) {
        if (conn->next_addr != NULL) { /* a named host's next address, on a fresh socket */
            struct addrinfo *addrs = conn->addrs, *next = conn->next_addr;
            conn->addrs = conn->next_addr = NULL;
            conn->call = NULL;
            c->conn = NULL;
            conn_close(conn);
            conn_open(c->origin, c, addrs, next);
            return;
        }
        conn->call = NULL;
        c->conn = NULL;
        conn_close(conn);
        fail_later(c, BFF_UPSTREAM_E_CONNECT);
        return;
    }
    conn->state = CONN_READY;
    uv_tcp_nodelay(&conn->tcp, 1);
    if (uv_read_start((uv_stream_t *)&conn->tcp, on_alloc, on_read) != 0) {
        exchange_failed(c, BFF_UPSTREAM_E_IO);
        return;
    }
    write_request(conn, c);
}

static void connect_next(conn_t *conn)
{
    const struct sockaddr *sa;
    if (conn->origin->numeric) {
        sa = (const struct sockaddr *)&conn->origin->addr;
    } else {
        sa = conn->next_addr->ai_addr;
        conn->next_addr = conn->next_addr->ai_next;
    }
    if (uv_tcp_connect(&conn->connect_req, &conn->tcp, sa, on_connected) != 0) {
        bff_h1_call_t *c = conn->call;
        conn->call = NULL;
        c->conn = NULL;
        conn_close(conn);
        fail_later(c, BFF_UPSTREAM_E_CONNECT);
    }
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    resolve_t *rs = (resolve_t *)req;
    conn_t *conn = rs->conn;
    free(rs);
    if (conn == NULL) { /* the connection went while its host was looked up */
        uv_freeaddrinfo(res);
        return;
    }
    conn->resolve = NULL;
    if (status < 0 || res == NULL) {
        uv_freeaddrinfo(res);
        bff_h1_call_t *c = conn->call;
        conn->call = NULL;
        c->conn = NULL;
        conn_close(conn);
        fail_later(c, BFF_UPSTREAM_E_CONNECT);
        return;
    }
    conn->addrs = conn->next_addr = res;
    connect_next(conn);
}

/*
 * Opens a connection for `c` (which waits for nothing else). `addrs`: a named
 * host's addresses already looked up, `next` the one to try (NULL: look up).
 */
static void conn_open(origin_t *o, bff_h1_call_t *c, struct addrinfo *addrs, struct addrinfo *next)
{
    bff_h1_t *h = c->h;
    conn_t *conn = bff_xcalloc(1, sizeof(*conn));
    conn->h = h;
    conn->origin = o;
    conn->state = CONN_OPENING;
    uv_tcp_init(h->loop, &conn->tcp);
    conn->tcp.data = conn;
    o->nconns++;
    h->connects++;
    conn->call = c;
    c->conn = conn;
    if (o->numeric || next != NULL) {
        conn->addrs = addrs;
        conn->next_addr = next;
        connect_next(conn);
        return;
    }
    resolve_t *rs = bff_xcalloc(1, sizeof(*rs));
    rs->conn = conn;
    conn->resolve = rs;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    if (uv_getaddrinfo(h->loop, &rs->req, on_resolved, o->host, o->port, &hints) != 0) {
        free(rs);
        conn->resolve = NULL;
        conn->call = NULL;
        c->conn = NULL;
        conn_close(conn);
        fail_later(c, BFF_UPSTREAM_E_CONNECT);
    }
}

static void acquire(bff_h1_call_t *c)
{
    origin_t *o = c->origin;
    if (o->idle != NULL) {
        conn_t *conn = o->idle;
        o->idle = conn->next_idle;
        conn->next_idle = NULL;
        attach(conn, c);
    } else if (o->nconns < BFF_H1_MAX_CONNECTIONS) {
        conn_open(o, c, NULL, NULL);
    } else {
        c->waiting = true;
        if (o->wait_tail != NULL)
            o->wait_tail->next_wait = c;
        else
            o->wait_head = c;
        o->wait_tail = c;
    }
}

/* ---- calls ---- */

static void wait_remove(bff_h1_call_t *c)
{
    origin_t *o = c->origin;
    bff_h1_call_t *prev = NULL;
    for (bff_h1_call_t *w = o->wait_head; w != NULL; prev = w, w = w->next_wait) {
        if (w != c)
            continue;
        if (prev != NULL)
            prev->next_wait = c->next_wait;
        else
            o->wait_head = c->next_wait;
        if (o->wait_tail == c)
            o->wait_tail = prev;
        break;
    }
    c->next_wait = NULL;
    c->waiting = false;
}

static void finish(bff_h1_call_t *c, bff_upstream_error_t error)
{
    bff_h1_t *h = c->h;
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        h->calls = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    if (c->waiting)
        wait_remove(c);
    conn_t *conn = c->conn;
    if (conn != NULL) {
        conn->call = NULL;
        c->conn = NULL;
        if (error == BFF_UPSTREAM_OK && c->keep_alive && c->ps == P_DONE && !c->leftover)
            conn_release(conn);
        else
            conn_close(conn);
    }
    bff_buf_appendc(&c->body, '\0');
    bff_upstream_response_t res = {
        .error = error,
        .status = error == BFF_UPSTREAM_OK || c->ps != P_HEAD ? c->status : 0,
        .body = c->body.data,
        .body_len = c->body.len - 1,
        .http_version = c->minor == 0 && c->status != 0 ? 10 : 11,
        .total_ms = (double)(uv_hrtime() - c->started_ns) / 1e6,
    };
    c->cb(&res, c->arg);
    if (h->nspare < BFF_H1_SPARE_BODIES && c->body.cap <= SPARE_BODY_BYTES) {
        c->body.len = 0;
        h->spare[h->nspare++] = c->body;
    } else {
        bff_buf_free(&c->body);
    }
    bff_buf_free(&c->line);
    free(c->request);
    free(c);
}

/* ---- the request ---- */

/* http://host[:port][/path][?query]: the origin's parts and where the target starts. */
static int parse_url(const char *url, const char **host, size_t *host_len, const char **auth, size_t *auth_len,
                     char port[6], const char **target)
{
    if (strncasecmp(url, "http://", 7) != 0)
        return -1;
    const char *a = url + 7, *e = a + strcspn(a, "/?#");
    if (memchr(a, '@', (size_t)(e - a)) != NULL || e == a)
        return -1; /* credentials in a provider URL: refused, never sent in the clear */
    const char *h = a, *he, *colon;
    if (*a == '[') {
        he = memchr(a, ']', (size_t)(e - a));
        if (he == NULL)
            return -1;
        h = a + 1;
        colon = he + 1 < e && he[1] == ':' ? he + 1 : NULL;
        if (colon == NULL && he + 1 != e)
            return -1;
    } else {
        colon = memchr(a, ':', (size_t)(e - a));
        he = colon != NULL ? colon : e;
    }
    if (he == h)
        return -1;
    strcpy(port, "80");
    if (colon != NULL) {
        size_t n = (size_t)(e - colon - 1);
        unsigned long v = 0;
        if (n == 0 || n > 5)
            return -1;
        for (size_t i = 0; i < n; ++i) {
            if (colon[1 + i] < '0' || colon[1 + i] > '9')
                return -1;
            v = v * 10 + (unsigned long)(colon[1 + i] - '0');
        }
        if (v == 0 || v > 65535)
            return -1;
        char digits[6];
        size_t nd = 0;
        for (; v > 0; v /= 10)
            digits[nd++] = (char)('0' + v % 10);
        for (size_t i = 0; i < nd; ++i)
            port[i] = digits[nd - 1 - i];
        port[nd] = '\0';
    }
    *host = h;
    *host_len = (size_t)(he - h);
    *auth = a;
    *auth_len = (size_t)(e - a);
    *target = e;
    return 0;
}

static origin_t *origin_get(bff_h1_t *h, const char *host, size_t host_len, const char *auth, size_t auth_len,
                            const char *port)
{
    for (origin_t *o = h->origins; o != NULL; o = o->next)
        if (strlen(o->authority) == auth_len && strncasecmp(o->authority, auth, auth_len) == 0)
            return o;
    origin_t *o = bff_xcalloc(1, sizeof(*o));
    o->host = bff_xmalloc(host_len + 1);
    memcpy(o->host, host, host_len);
    o->host[host_len] = '\0';
    o->authority = bff_xmalloc(auth_len + 1);
    memcpy(o->authority, auth, auth_len);
    o->authority[auth_len] = '\0';
    memcpy(o->port, port, 6);
    int p = atoi(port);
    if (uv_ip4_addr(o->host, p, (struct sockaddr_in *)&o->addr) == 0 ||
        uv_ip6_addr(o->host, p, (struct sockaddr_in6 *)&o->addr) == 0)
        o->numeric = true;
    o->next = h->origins;
    h->origins = o;
    return o;
}

/* No byte a request line or header could be split with. */
static bool clean(const char *s, size_t n, bool spaces)
{
    for (size_t i = 0; i < n; ++i) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 ? ch != '\t' || !spaces : ch == 0x7f || (ch == ' ' && !spaces))
            return false;
    }
    return true;
}

bff_h1_call_t *bff_h1_send(bff_h1_t *h, const bff_upstream_request_t *req, bff_upstream_cb cb, void *arg)
{
    const char *host, *auth, *target;
    size_t host_len, auth_len;
    char port[6];
    if (req->url == NULL || parse_url(req->url, &host, &host_len, &auth, &auth_len, port, &target) != 0)
        return NULL;
    const char *method = req->method != NULL ? req->method : "GET";
    size_t target_len = strcspn(target, "#");
    if (!clean(target, target_len, false) || !clean(auth, auth_len, false) || method[0] == '\0')
        return NULL;
    for (const char *m = method; *m != '\0'; ++m)
        if (!tchar((unsigned char)*m))
            return NULL;
    bff_buf_t b = BFF_BUF_INIT;
    size_t size = strlen(method) + target_len + auth_len + 64 + (req->body != NULL ? req->body_len : 0);
    for (size_t i = 0; i < req->nheaders; ++i)
        size += strlen(req->headers[i]) + 2;
    bff_buf_reserve(&b, size); /* once: growing it by doubling was a realloc or two per call */
    bff_buf_appends(&b, method);
    bff_buf_appendc(&b, ' ');
    if (target_len == 0 || target[0] == '?')
        bff_buf_appendc(&b, '/');
    bff_buf_append(&b, target, target_len);
    bff_buf_appends(&b, " HTTP/1.1\r\nHost: ");
    bff_buf_append(&b, auth, auth_len);
    bff_buf_appends(&b, "\r\n");
    for (size_t i = 0; i < req->nheaders; ++i) {
        const char *line = req->headers[i], *colon = strchr(line, ':');
        size_t n = strlen(line);
        if (colon == NULL || colon == line || !clean(line, n, true)) {
            bff_buf_free(&b);
            return NULL;
        }
        const char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            ++v;
        if (*v == '\0')
            continue; /* "Name:" asks for no such header (curl's convention) */
        bff_buf_append(&b, line, n);
        bff_buf_appends(&b, "\r\n");
    }
    bool is_head = strcmp(method, "HEAD") == 0, is_get = strcmp(method, "GET") == 0;
    if (req->body != NULL || (!is_head && !is_get)) {
        bff_buf_appends(&b, "Content-Length: ");
        bff_buf_append_int(&b, (int64_t)(req->body != NULL ? req->body_len : 0));
        bff_buf_appends(&b, "\r\n");
    }
    bff_buf_appends(&b, "\r\n");
    if (req->body != NULL)
        bff_buf_append(&b, req->body, req->body_len);

    bff_h1_call_t *c = bff_xcalloc(1, sizeof(*c));
    c->h = h;
    if (h->nspare > 0)
        c->body = h->spare[--h->nspare];
    c->origin = origin_get(h, host, host_len, auth, auth_len, port);
    c->request = b.data;
    c->request_len = b.len;
    c->is_head = is_head;
    c->cb = cb;
    c->arg = arg;
    c->max_bytes = req->max_response_bytes ? req->max_response_bytes : (size_t)8 << 20;
    uint32_t timeout = req->timeout_ms ? req->timeout_ms : 10000;
    uint32_t connect_timeout = req->connect_timeout_ms ? req->connect_timeout_ms : (timeout < 2000 ? timeout : 2000);
    uint64_t now = uv_now(h->loop);
    c->deadline = now + timeout;
    c->connect_deadline = now + connect_timeout;
    c->started_ns = uv_hrtime();
    c->next = h->calls;
    if (h->calls != NULL)
        h->calls->prev = c;
    h->calls = c;
    /*
     * Started on the loop's next turn, not here: a request whose HTTP/2 stream
     * is reset in the same read as it arrived is cancelled before any byte
     * goes to its providers (docs/security.md, rapid reset).
     */
    c->starting = true;
    schedule(h, now);
    return c;
}

void bff_h1_cancel(bff_h1_call_t *call)
{
    finish(call, BFF_UPSTREAM_E_CANCELLED);
}

long bff_h1_connections_opened(const bff_h1_t *h)
{
    return h->connects;
}

bff_h1_t *bff_h1_new(uv_loop_t *loop)
{
    bff_h1_t *h = bff_xcalloc(1, sizeof(*h));
    h->loop = loop;
    h->timer = bff_xmalloc(sizeof(*h->timer));
    uv_timer_init(loop, h->timer);
    h->timer->data = h;
    return h;
}

static void free_on_close(uv_handle_t *handle)
{
    free(handle);
}

void bff_h1_free(bff_h1_t *h)
{
    if (h == NULL)
        return;
    h->freeing = true; /* no connection opens for a waiting call any more */
    while (h->calls != NULL)
        finish(h->calls, BFF_UPSTREAM_E_CANCELLED);
    while (h->origins != NULL) {
        origin_t *o = h->origins;
        while (o->idle != NULL)
            conn_close(o->idle);
        h->origins = o->next;
        free(o->host);
        free(o->authority);
        free(o);
    }
    while (h->nspare > 0)
        bff_buf_free(&h->spare[--h->nspare]);
    uv_timer_stop(h->timer);
    uv_close((uv_handle_t *)h->timer, free_on_close);
    free(h);
}

bff_upstream_error_t bff_h1_parse(const char *data, size_t len, const size_t *cuts, size_t ncuts, size_t max_bytes,
                                  long *status, size_t *body_len, bool *reusable)
{
    bff_h1_call_t c;
    memset(&c, 0, sizeof(c));
    c.max_bytes = max_bytes;
    reset_response(&c);
    bff_upstream_error_t e = BFF_UPSTREAM_OK;
    size_t at = 0;
    for (size_t i = 0; i <= ncuts && e == BFF_UPSTREAM_OK; ++i) {
        size_t end = i < ncuts ? cuts[i] : len;
        if (end <= at || end > len)
            continue; /* cuts out of order or outside the text are ignored */
        int r = feed(&c, data + at, end - at);
        if (r < 0)
            e = (bff_upstream_error_t)-r;
        at = end;
    }
    if (e == BFF_UPSTREAM_OK && c.ps != P_DONE) /* the connection ends: only a body read to its end is complete */
        e = c.ps == P_UNTIL_CLOSE ? BFF_UPSTREAM_OK : BFF_UPSTREAM_E_IO;
    *status = c.status;
    *body_len = c.body.len;
    *reusable = e == BFF_UPSTREAM_OK && c.keep_alive && c.ps == P_DONE && !c.leftover;
    bff_buf_free(&c.body);
    bff_buf_free(&c.line);
    return e;
}
