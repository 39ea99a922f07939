/*
 * store.c - a worker's Redis connection (see store.h).
 *
 * A command in flight is a pending_t with two owners: hiredis (until its
 * reply callback fires, which it always does, with NULL on a lost
 * connection) and the timeout timer (until its close callback). The caller's
 * callback fires exactly once: with the reply, or with NULL when the timer
 * fired first or the connection failed. The pending_t is freed when both
 * owners are done. A connection that fails or drops is freed by hiredis; a
 * timer then connects again after the backoff. The host is resolved with
 * uv_getaddrinfo first: hiredis 0.14 resolves names synchronously, which
 * would stall the worker's loop while DNS is slow.
 *
 * A heartbeat PING goes out on connect and every BFF_STORE_HEARTBEAT_MS: the
 * store is up once one is answered, and a connection whose pings go
 * unanswered BFF_STORE_MISSES times in a row (a peer gone silent, a refused
 * AUTH) is dropped and made again. The ping also keeps hiredis watching the
 * socket, so a Redis that dies is noticed at once even on a worker that has
 * sent nothing yet.
 *
 * hiredis is attached to the loop by the hooks below rather than by its
 * adapters/libuv.h: that adapter (0.14) drops a poll that reports an error,
 * so a refused connect or a connection reset (Redis killed with a ping in
 * flight) never reached hiredis and the connection read as up until its
 * heartbeats ran out.
 */
#include "store.h"

#include <assert.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

#define BFF_STORE_HEARTBEAT_MS 1000
#define BFF_STORE_MISSES 3
#define BFF_STORE_CONNECT_MS 1000

struct st_bff_store_t {
    uv_loop_t *loop;
    redisAsyncContext *ac; /* NULL while disconnected */
    bool up;
    bool closing;
    char host[256], password[256];
    int port, db;
    uint64_t timeout_ms, backoff_ms;
    uv_timer_t reconnect;
    uv_timer_t heartbeat;
    bool connected; /* ac has connected (not only connecting) */
    uint64_t connect_started_ms; /* when ac started connecting */
    bool pinging;   /* a heartbeat is unanswered */
    unsigned misses; /* heartbeats unanswered in a row */
    int open_timers; /* reconnect and heartbeat, until closed */
    uv_getaddrinfo_t resolve;
    bool resolving;        /* a lookup is in flight */
    unsigned attempt;      /* failed connects in a row: picks which resolved address is tried next */
    unsigned naddrs;       /* how many addresses the host resolved to, last time */
};

/* ---- hiredis on a libuv poll handle ---- */

typedef struct st_poll_t {
    uv_poll_t handle;
    redisAsyncContext *ac; /* NULL once hiredis let go (cleanup): the handle is closing */
    int events;            /* UV_READABLE | UV_WRITABLE, as hiredis asked */
} poll_t;

static void on_poll(uv_poll_t *h, int status, int events)
{
    poll_t *p = h->data;
    if (status < 0) {
        /* libuv stopped the handle: hiredis reads or writes what it was waiting for and meets the error itself */
        events = p->events;
    }
    if (p->ac != NULL && (events & UV_READABLE))
        redisAsyncHandleRead(p->ac); /* may end the context: cleanup clears p->ac */
    if (p->ac != NULL && (events & UV_WRITABLE))
        redisAsyncHandleWrite(p->ac);
    if (status < 0 && p->ac != NULL && p->events != 0)
        uv_poll_start(&p->handle, p->events, on_poll);
}

static void poll_watch(poll_t *p, int add, int remove)
{
    p->events = (p->events | add) & ~remove;
    if (p->events != 0)
        uv_poll_start(&p->handle, p->events, on_poll);
    else
        uv_poll_stop(&p->handle);
}

static void ev_add_read(void *d)
{
    poll_watch(d, UV_READABLE, 0);
}

static void ev_del_read(void *d)
{
    poll_watch(d, 0, UV_READABLE);
}

static void ev_add_write(void *d)
{
    poll_watch(d, UV_WRITABLE, 0);
}

static void ev_del_write(void *d)
{
    poll_watch(d, 0, UV_WRITABLE);
}

static void poll_closed(uv_handle_t *h)
{
    free(h->data);
}

static void ev_cleanup(void *d)
{
    poll_t *p = d;
    p->ac = NULL;
    uv_poll_stop(&p->handle);
    uv_close((uv_handle_t *)&p->handle, poll_closed);
}

static int attach(redisAsyncContext *ac, uv_loop_t *loop)
{
    poll_t *p = bff_xcalloc(1, sizeof(*p));
    if (ac->ev.data != NULL || uv_poll_init_socket(loop, &p->handle, ac->c.fd) != 0) {
        free(p);
        return REDIS_ERR;
    }
    p->handle.data = p;
    p->ac = ac;
    ac->ev.data = p;
    ac->ev.addRead = ev_add_read;
    ac->ev.delRead = ev_del_read;
    ac->ev.addWrite = ev_add_write;
    ac->ev.delWrite = ev_del_write;
    ac->ev.cleanup = ev_cleanup;
    return REDIS_OK;
}

static void maybe_free(bff_store_t *s)
{
    if (s->closing && s->open_timers == 0 && !s->resolving)
        free(s);
}

typedef struct st_pending_t {
    bff_store_cb cb;
    void *arg;
    uv_timer_t timer;
    int owners; /* hiredis and the timer */
    bool answered;
} pending_t;

int bff_store_token(char out[33])
{
    unsigned char rnd[16];
    if (RAND_bytes(rnd, sizeof(rnd)) != 1)
        return -1;
    for (size_t i = 0; i < sizeof(rnd); ++i)
        snprintf(out + 2 * i, 3, "%02x", rnd[i]);
    return 0;
}

int bff_store_parse_url(const char *url, char *host, size_t hostlen, int *port, int *db, char *password, size_t pwlen)
{
    *port = 6379;
    *db = 0;
    password[0] = '\0';
    if (strncmp(url, "redis://", 8) != 0)
        return -1; /* rediss:// (TLS) needs hiredis_ssl, which Debian 12's hiredis 0.14 does not have */
    const char *p = url + 8;
    const char *at = strchr(p, '@');
    if (at != NULL) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *pw = colon ? colon + 1 : p;
        if ((size_t)(at - pw) >= pwlen)
            return -1;
        memcpy(password, pw, (size_t)(at - pw));
        password[at - pw] = '\0';
        p = at + 1;
    }
    size_t n = strcspn(p, ":/");
    if (n == 0 || n >= hostlen)
        return -1;
    memcpy(host, p, n);
    host[n] = '\0';
    p += n;
    if (*p == ':') {
        char *end;
        long v = strtol(p + 1, &end, 10);
        if (end == p + 1 || v < 1 || v > 65535)
            return -1;
        *port = (int)v;
        p = end;
    }
    if (*p == '/' && p[1] != '\0') {
        char *end;
        long v = strtol(p + 1, &end, 10);
        if (*end != '\0' || v < 0 || v > 1000)
            return -1;
        *db = (int)v;
    } else if (*p != '\0' && strcmp(p, "/") != 0) {
        return -1;
    }
    return 0;
}

static void pending_release(pending_t *p)
{
    assert(p->owners > 0 && "two owners, each releases once");
    if (--p->owners == 0)
        free(p);
}

static void on_pending_timer_closed(uv_handle_t *h)
{
    pending_release(h->data);
}

static void pending_answer(pending_t *p, redisReply *reply)
{
    if (p->answered)
        return;
    p->answered = true;
    uv_timer_stop(&p->timer);
    uv_close((uv_handle_t *)&p->timer, on_pending_timer_closed);
    p->cb(reply, p->arg);
}

static void on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    pending_t *p = privdata;
    redisReply *reply = r;
    pending_answer(p, reply != NULL && reply->type != REDIS_REPLY_ERROR ? reply : NULL);
    pending_release(p);
}

static void on_timeout(uv_timer_t *t)
{
    pending_answer(t->data, NULL); /* the reply, if it comes, is dropped */
}

static void connect_now(bff_store_t *s);

static void on_reconnect_timer(uv_timer_t *t)
{
    connect_now(t->data);
}

static void schedule_reconnect(bff_store_t *s)
{
    if (s->closing)
        return;
    s->attempt++;
    if (s->naddrs > 1 && s->attempt % s->naddrs != 0) { /* the host's other addresses first, then the backoff */
        uv_timer_start(&s->reconnect, on_reconnect_timer, 10, 0);
        return;
    }
    s->backoff_ms = s->backoff_ms ? (s->backoff_ms * 2 > 5000 ? 5000 : s->backoff_ms * 2) : 100;
    uv_timer_start(&s->reconnect, on_reconnect_timer, s->backoff_ms, 0);
}

static int send_command(bff_store_t *s, bff_store_cb cb, void *arg, int argc, const char **argv, const size_t *lens);

static void on_pong(redisReply *reply, void *arg)
{
    bff_store_t *s = arg;
    s->pinging = false;
    if (reply != NULL) {
        s->up = true;
        s->misses = 0;
    } else {
        s->misses++; /* dropped by the next heartbeat: this may run inside hiredis's own teardown */
    }
}

static void heartbeat(bff_store_t *s)
{
    if (s->ac != NULL && !s->connected) {
        /* a connect that neither succeeds nor fails (a peer that drops SYNs): past BFF_STORE_CONNECT_MS the
           attempt is given up and the next one made */
        if (uv_now(s->loop) - s->connect_started_ms >= BFF_STORE_CONNECT_MS) {
            redisAsyncContext *ac = s->ac;
            s->ac = NULL;
            redisAsyncFree(ac); /* not connected: no callback of ours runs */
            schedule_reconnect(s);
        }
        return;
    }
    if (s->ac == NULL)
        return;
    if (s->misses >= BFF_STORE_MISSES) {
        /* freed, not disconnected: a graceful disconnect waits for replies a silent peer never sends */
        redisAsyncContext *ac = s->ac;
        s->up = false;
        s->misses = 0;
        redisAsyncFree(ac); /* pending callbacks get NULL; on_disconnect connects again */
        if (s->ac == ac) {  /* no disconnect callback came */
            s->ac = NULL;
            s->connected = false;
            schedule_reconnect(s);
        }
        return;
    }
    static const char *const argv[] = {"PING"};
    static const size_t lens[] = {4};
    if (!s->pinging && send_command(s, on_pong, s, 1, (const char **)argv, lens) == 0)
        s->pinging = true;
}

static void on_heartbeat(uv_timer_t *t)
{
    heartbeat(t->data);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
    bff_store_t *s = ac->data;
    if (status != REDIS_OK) { /* hiredis frees the context after this */
        s->ac = NULL;
        s->up = false;
        s->connected = false;
        schedule_reconnect(s);
        return;
    }
    s->backoff_ms = 0;
    s->attempt = 0;
    s->misses = 0;
    s->connected = true;
    heartbeat(s); /* up once it is answered */
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    bff_store_t *s = ac->data;
    s->ac = NULL;
    s->up = false;
    s->connected = false;
    schedule_reconnect(s);
}

static void ignore_reply(redisAsyncContext *ac, void *r, void *privdata)
{
}

static void connect_to(bff_store_t *s, const char *ip);

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    bff_store_t *s = req->data;
    s->resolving = false;
    char ip[INET6_ADDRSTRLEN] = "";
    if (status == 0 && res != NULL) {
        /* a name may answer with several addresses (localhost: ::1 and 127.0.0.1), not all
         * listening: each failed attempt moves on to the next one */
        unsigned n = 0;
        for (struct addrinfo *a = res; a != NULL; a = a->ai_next)
            n++;
        s->naddrs = n;
        struct addrinfo *a = res;
        for (unsigned i = s->attempt % n; i > 0; i--)
            a = a->ai_next;
        if (a->ai_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)a->ai_addr)->sin_addr, ip, sizeof(ip));
        else if (a->ai_family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)a->ai_addr)->sin6_addr, ip, sizeof(ip));
    }
    uv_freeaddrinfo(res);
    if (s->closing) {
        maybe_free(s);
        return;
    }
    if (ip[0] == '\0') {
        schedule_reconnect(s);
        return;
    }
    connect_to(s, ip);
}

/* Resolves the host without blocking the loop (hiredis would resolve it synchronously), then connects. */
static void connect_now(bff_store_t *s)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    s->resolve.data = s;
    s->resolving = true;
    if (uv_getaddrinfo(s->loop, &s->resolve, on_resolved, s->host, NULL, &hints) != 0) {
        s->resolving = false;
        schedule_reconnect(s);
    }
}

static void connect_to(bff_store_t *s, const char *ip)
{
    redisAsyncContext *ac = redisAsyncConnect(ip, s->port);
    if (ac == NULL || ac->err) {
        if (ac != NULL)
            redisAsyncFree(ac);
        schedule_reconnect(s);
        return;
    }
    ac->data = s;
    if (attach(ac, s->loop) != REDIS_OK) {
        redisAsyncFree(ac);
        schedule_reconnect(s);
        return;
    }
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    s->ac = ac;
    s->connect_started_ms = uv_now(s->loop);
    /* queued before any command of ours: they go first on the connection */
    if (s->password[0] != '\0')
        redisAsyncCommand(ac, ignore_reply, NULL, "AUTH %s", s->password);
    if (s->db != 0)
        redisAsyncCommand(ac, ignore_reply, NULL, "SELECT %d", s->db);
}

bff_store_t *bff_store_new(uv_loop_t *loop, const char *url, uint64_t timeout_ms, char *err, size_t errlen)
{
    bff_store_t *s = bff_xcalloc(1, sizeof(*s));
    if (bff_store_parse_url(url, s->host, sizeof(s->host), &s->port, &s->db, s->password, sizeof(s->password)) != 0) {
        snprintf(err, errlen, "setting \"redis_url\": expected redis://[:password@]host[:port][/db], got \"%s\"", url);
        free(s);
        return NULL;
    }
    s->loop = loop;
    s->timeout_ms = timeout_ms;
    uv_timer_init(loop, &s->reconnect);
    s->reconnect.data = s;
    uv_timer_init(loop, &s->heartbeat);
    s->heartbeat.data = s;
    uv_timer_start(&s->heartbeat, on_heartbeat, BFF_STORE_HEARTBEAT_MS, BFF_STORE_HEARTBEAT_MS);
    s->open_timers = 2;
    connect_now(s);
    return s;
}

bool bff_store_up(const bff_store_t *s)
{
    return s != NULL && s->up;
}

/* A command on the connection, up or not yet (the heartbeat); -1 without one. */
static int send_command(bff_store_t *s, bff_store_cb cb, void *arg, int argc, const char **argv, const size_t *lens)
{
    if (s->ac == NULL)
        return -1;
    pending_t *p = bff_xcalloc(1, sizeof(*p));
    p->cb = cb;
    p->arg = arg;
    p->owners = 2;
    if (redisAsyncCommandArgv(s->ac, on_reply, p, argc, argv, lens) != REDIS_OK) {
        free(p);
        return -1;
    }
    uv_timer_init(s->loop, &p->timer);
    p->timer.data = p;
    uv_timer_start(&p->timer, on_timeout, s->timeout_ms, 0);
    return 0;
}

int bff_store_command(bff_store_t *s, bff_store_cb cb, void *arg, int argc, const char **argv, const size_t *lens)
{
    if (s == NULL || !s->up)
        return -1;
    return send_command(s, cb, arg, argc, argv, lens);
}

int bff_store_command_strs(bff_store_t *s, bff_store_cb cb, void *arg, int argc, const char **argv)
{
    size_t local[32] = {0};
    size_t *lens = argc <= 32 ? local : bff_xmalloc((size_t)argc * sizeof(*lens));
    for (int i = 0; i < argc; ++i)
        lens[i] = strlen(argv[i]);
    int rc = bff_store_command(s, cb, arg, argc, argv, lens);
    if (lens != local)
        free(lens);
    return rc;
}

static void on_timer_closed(uv_handle_t *h)
{
    bff_store_t *s = h->data;
    s->open_timers--;
    maybe_free(s);
}

void bff_store_free(bff_store_t *s)
{
    if (s == NULL)
        return;
    s->closing = true;
    if (s->ac != NULL) {
        redisAsyncContext *ac = s->ac;
        s->ac = NULL;
        redisAsyncFree(ac); /* pending replies fire with NULL */
    }
    if (s->resolving)
        uv_cancel((uv_req_t *)&s->resolve); /* its callback still comes, and frees s if it is last */
    uv_timer_stop(&s->reconnect);
    uv_close((uv_handle_t *)&s->reconnect, on_timer_closed);
    uv_timer_stop(&s->heartbeat);
    uv_close((uv_handle_t *)&s->heartbeat, on_timer_closed);
}
