/*
 * worker.c - worker threads: accept loop, connection limit, graceful drain.
 *
 * Shutdown: the main thread sends `wakeup`; the worker closes its listener,
 * asks h2o to shut its connections down (GOAWAY for HTTP/2, close after the
 * current response for HTTP/1.1) and polls every 20 ms until its in-flight
 * GraphQL requests are fully sent or the deadline passes; then it stops its
 * loop and the thread ends.
 */
#include "worker.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <h2o/socket/uv-binding.h>

#include "reload.h"
#include "store.h"
#include <netinet/in.h>
#include "base/hash.h"

/*
 * One accepted connection: its per-address slot and, for HTTP/2, the resets
 * its client made. Allocated at accept and freed when libuv has closed the
 * handle, which is after h2o disposed the socket and so after every request
 * of the connection: a request may keep a pointer to it until its pool goes.
 */
struct st_bff_conn_t {
    uv_tcp_t tcp; /* first: the uv close callback gets it */
    bff_server_t *server;
    bff_worker_t *worker;
    atomic_int *addr_slot;  /* connections from this address (hashed), counted while open */
    uint32_t slot;          /* its index */
    h2o_socket_t *sock;     /* NULL once h2o disposed it */
    struct sockaddr_storage peer; /* the key of the worker's connection table */
    struct st_bff_conn_t *hnext;  /* chain in bff_worker_t.conns, while sock is not NULL */
    uint64_t window_start_ms;
    uint32_t resets;        /* streams the client reset in the window */
    bool closing;           /* shut down for abuse */
};

uint32_t bff_addr_slot(const struct sockaddr *sa)
{
    const unsigned char *addr = NULL;
    size_t n = 0;
    if (sa->sa_family == AF_INET) {
        addr = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
        n = 4;
    } else if (sa->sa_family == AF_INET6) {
        addr = (const unsigned char *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
        n = 16;
    }
    return (uint32_t)(bff_fnv1a(addr, n) % BFF_CLIENT_SLOTS);
}

/*
 * Resets counted per address slot in 10 s windows (the window's number kept
 * beside the count; a count from an older window counts as 0). Adds `add`;
 * returns the count in the current window. Races between workers may lose
 * a count at a window's turn, which only errs by one window's slack.
 */
static uint32_t addr_resets(bff_server_t *s, uint32_t slot, uint64_t now_ms, uint32_t add)
{
    uint32_t window = (uint32_t)(now_ms / 10000);
    if (atomic_load(&s->addr_reset_window[slot]) != window) {
        if (add == 0)
            return 0;
        atomic_store(&s->addr_resets[slot], 0);
        atomic_store(&s->addr_reset_window[slot], window);
    }
    return atomic_fetch_add(&s->addr_resets[slot], add) + add;
}

static void on_conn_closed(uv_handle_t *h)
{
    bff_conn_t *c = (bff_conn_t *)h;
    atomic_fetch_sub(&c->server->connections, 1);
    if (c->addr_slot != NULL)
        atomic_fetch_sub(c->addr_slot, 1);
    free(c);
}

/* The peer address and port: what tells the worker's connections apart (they share one local address). */
static uint32_t peer_hash(const struct sockaddr_storage *ss)
{
    const unsigned char *p = (const unsigned char *)ss;
    size_t n = ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    return (uint32_t)(bff_fnv1a(p, n) & (BFF_WORKER_CONN_BUCKETS - 1));
}

static bool peer_equal(const struct sockaddr_storage *a, const struct sockaddr *b)
{
    if (a->ss_family != b->sa_family)
        return false;
    if (b->sa_family == AF_INET) {
        const struct sockaddr_in *x = (const struct sockaddr_in *)a, *y = (const struct sockaddr_in *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a, *y = (const struct sockaddr_in6 *)b;
    return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
}

static void on_sock_disposed(void *data)
{
    bff_conn_t *c = data;
    c->sock = NULL;
    for (bff_conn_t **pp = &c->worker->conns[peer_hash(&c->peer)]; *pp != NULL; pp = &(*pp)->hnext) {
        if (*pp == c) {
            *pp = c->hnext;
            break;
        }
    }
}

static void on_rejected_closed(uv_handle_t *h)
{
    free(h);
}

static void on_accept(uv_stream_t *listener, int status)
{
    bff_worker_t *w = listener->data;
    if (status != 0)
        return;
    bff_conn_t *c = h2o_mem_alloc(sizeof(*c));
    memset(c, 0, sizeof(*c));
    c->server = w->server;
    c->worker = w;
    uv_tcp_init(listener->loop, &c->tcp);
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
        uv_close((uv_handle_t *)&c->tcp, on_rejected_closed);
        return;
    }
    long open = atomic_fetch_add(&w->server->connections, 1) + 1;
    int len = sizeof(c->peer);
    bool known = uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&c->peer, &len) == 0 &&
                 (c->peer.ss_family == AF_INET || c->peer.ss_family == AF_INET6);
    if (known) {
        c->slot = bff_addr_slot((struct sockaddr *)&c->peer);
        c->addr_slot = &w->server->conns_per_addr[c->slot];
        atomic_fetch_add(c->addr_slot, 1);
    }
    bool addr_full = c->addr_slot != NULL && (atomic_load(c->addr_slot) > w->server->config.max_connections_per_address ||
                                              addr_resets(w->server, c->slot, uv_now(&w->loop), 0) >
                                                  (uint32_t)w->server->config.max_resets_per_address);
    if (open > w->server->config.max_connections || addr_full || atomic_load(&w->server->shutting_down)) {
        /* over a limit: close at once (the client sees a reset, not a hang) */
        if (addr_full)
            atomic_fetch_add(&w->server->addr_conn_refused, 1);
        atomic_fetch_sub(&w->server->connections, 1);
        if (c->addr_slot != NULL)
            atomic_fetch_sub(c->addr_slot, 1);
        uv_close((uv_handle_t *)&c->tcp, on_rejected_closed);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    h2o_socket_t *sock = h2o_uv_socket_create((uv_stream_t *)&c->tcp, on_conn_closed);
    c->sock = sock;
    sock->on_close.cb = on_sock_disposed; /* the application's hook of an accepted socket */
    sock->on_close.data = c;
    if (known) {
        uint32_t b = peer_hash(&c->peer);
        c->hnext = w->conns[b];
        w->conns[b] = c;
    }
    h2o_accept(&w->accept_ctx, sock);
}

bff_conn_t *bff_worker_conn(h2o_req_t *req)
{
    if (req->version < 0x200)
        return NULL; /* resets are HTTP/2's; an HTTP/1.1 client that goes away closes its connection */
    struct sockaddr_storage ss;
    socklen_t len = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    if (len == 0 || (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
        return NULL;
    bff_worker_t *w = bff_worker_of(req);
    for (bff_conn_t *c = w->conns[peer_hash(&ss)]; c != NULL; c = c->hnext)
        if (peer_equal(&c->peer, (struct sockaddr *)&ss))
            return c;
    return NULL;
}

bool bff_conn_closing(const bff_conn_t *c)
{
    return c->closing;
}

bool bff_addr_resetting(bff_server_t *s, const struct sockaddr *sa, uint64_t now_ms)
{
    return addr_resets(s, bff_addr_slot(sa), now_ms, 0) > (uint32_t)s->config.max_resets_per_address;
}

void bff_conn_note_reset(bff_conn_t *c)
{
    bff_server_t *s = c->server;
    uint64_t now = uv_now(&c->worker->loop);
    if (now - c->window_start_ms >= 10000) {
        c->window_start_ms = now;
        c->resets = 0;
    }
    atomic_fetch_add(&s->client_resets, 1);
    uint32_t from_addr = c->addr_slot != NULL ? addr_resets(s, c->slot, now, 1) : 0;
    if ((++c->resets <= (uint32_t)s->config.max_resets_per_connection &&
         from_addr <= (uint32_t)s->config.max_resets_per_address) ||
        c->closing || c->sock == NULL)
        return;
    /*
     * Past the rate: shut the socket down. h2o then reads the end of the
     * stream and closes the connection its own way, disposing its streams
     * (h2o 2.2 has no call to close a connection from a handler).
     */
    c->closing = true;
    atomic_fetch_add(&s->reset_conns_closed, 1);
    uv_os_fd_t fd;
    if (uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0)
        shutdown(fd, SHUT_RDWR);
}

int bff_worker_listen(bff_worker_t *w, char *err, size_t errlen)
{
    bff_config_t *cfg = &w->server->config;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST};
    struct addrinfo *ai = NULL;
    char port[16];
    snprintf(port, sizeof(port), "%d", cfg->port);
    int rc = getaddrinfo(cfg->host, port, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "listen %s: %s", cfg->listen, gai_strerror(rc));
        return -1;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        snprintf(err, errlen, "listen %s: %s", cfg->listen, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        return -1;
    }
    freeaddrinfo(ai);
    w->listener_fd = fd;
    return 0;
}

static void on_request_disposed(void *p)
{
    bff_worker_t *w = *(bff_worker_t **)p;
    w->in_flight--;
    atomic_fetch_sub(&w->server->metrics.in_flight, 1);
}

bff_arena_t *bff_worker_arena(bff_worker_t *w)
{
    return w->nspare_arenas > 0 ? w->spare_arenas[--w->nspare_arenas] : bff_arena_new(16 * 1024);
}

void bff_worker_arena_done(bff_worker_t *w, bff_arena_t *arena)
{
    if (w->nspare_arenas < BFF_WORKER_SPARE_ARENAS) {
        bff_arena_reset(arena);
        w->spare_arenas[w->nspare_arenas++] = arena;
    } else {
        bff_arena_free(arena);
    }
}

void bff_worker_track_request(bff_worker_t *w, h2o_req_t *req)
{
    bff_worker_t **slot = h2o_mem_alloc_shared(&req->pool, sizeof(*slot), on_request_disposed);
    *slot = w;
    w->in_flight++;
    atomic_fetch_add(&w->server->metrics.in_flight, 1);
}

static void drain_check(uv_timer_t *t)
{
    bff_worker_t *w = t->data;
    if (w->in_flight == 0)
        bff_tracer_flush(w->tracer); /* the last requests' spans, within the drain's time */
    if ((w->in_flight == 0 && bff_tracer_idle(w->tracer)) || uv_now(&w->loop) >= w->drain_deadline_ms) {
        if (w->store != NULL) { /* closed while the loop runs, so its handles are closed too; stop on the next tick */
            bff_store_free(w->store);
            w->store = NULL;
            return;
        }
        uv_stop(&w->loop);
    }
}

static void on_wakeup(uv_async_t *a)
{
    bff_worker_t *w = a->data;
    if (!uv_is_closing((uv_handle_t *)&w->listener))
        uv_close((uv_handle_t *)&w->listener, NULL);
    if (w->index == 0)
        bff_reconciler_stop(w); /* what it leaves unfinished stays in the journal for the next start */
    h2o_context_request_shutdown(&w->ctx);
    w->drain_deadline_ms = uv_now(&w->loop) + (uint64_t)w->server->config.shutdown_timeout_ms;
    uv_timer_init(&w->loop, &w->drain_timer);
    w->drain_timer.data = w;
    uv_timer_start(&w->drain_timer, drain_check, 0, 20);
}

static void *worker_main(void *arg)
{
    bff_worker_t *w = arg;
    /*
     * Returns once drained (or out of time). Connections still open are left
     * as they are: h2o 2.2 can neither dispose a context with live connections
     * nor survive its sockets being closed under it, and the process exits
     * next, which closes them.
     */
    uv_run(&w->loop, UV_RUN_DEFAULT);
    return NULL;
}

int bff_worker_start(bff_worker_t *w)
{
    bff_server_t *s = w->server;
    uv_loop_init(&w->loop);
    h2o_context_init(&w->ctx, &w->loop, &s->h2o);
    w->accept_ctx.ctx = &w->ctx;
    w->accept_ctx.hosts = s->h2o.hosts;
    w->accept_ctx.ssl_ctx = s->ssl_ctx;
    bff_parse_options_t popts = {(size_t)s->config.max_query_tokens, (size_t)s->config.max_query_depth};
    w->docs = bff_doccache_new(s->schema, (size_t)s->config.doc_cache_entries, (size_t)s->config.doc_cache_bytes, &popts, NULL);
    w->upstream = bff_upstream_new(&w->loop);
    bff_generation_t *gen = bff_generation_acquire(s);
    w->guard = bff_guard_new(&w->loop, gen->providers);
    w->guard_generation = gen->number;
    bff_generation_release(gen);
    if (s->config.catalog_cache_ttl_ms > 0)
        w->catalog_cache =
            bff_json_cache_new((size_t)s->config.catalog_cache_bytes, (uint64_t)s->config.catalog_cache_ttl_ms,
                               (uint64_t)s->config.catalog_cache_stale_ms);
    w->rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)(uintptr_t)w << 7) ^ (uint64_t)time(NULL) * 1000003u;
    if (s->config.otlp_endpoint[0] != '\0') {
        char instance[300];
        char host[256] = "";
        gethostname(host, sizeof(host) - 1);
        snprintf(instance, sizeof(instance), "%s:%ld", host, (long)getpid());
        bff_tracer_conf_t tc = {
            .endpoint = s->config.otlp_endpoint,
            .sample_ratio = s->config.trace_sample_ratio,
            .timeout_ms = (uint32_t)s->config.otlp_timeout_ms,
            .flush_ms = (uint32_t)s->config.otlp_flush_ms,
            .max_queue_spans = (uint32_t)s->config.otlp_max_queue_spans,
            .batch_spans = 512,
            .service_name = s->config.otlp_service_name,
            .instance_id = instance,
        };
        w->tracer = bff_tracer_new(&w->loop, w->upstream, &tc, &s->tracer);
    }
    uv_tcp_init(&w->loop, &w->listener);
    w->listener.data = w;
    if (uv_tcp_open(&w->listener, w->listener_fd) != 0 || uv_listen((uv_stream_t *)&w->listener, 1024, on_accept) != 0)
        return -1;
    uv_async_init(&w->loop, &w->wakeup, on_wakeup);
    w->wakeup.data = w;
    if (w->index == 0)
        bff_reconciler_start(w);
    bff_worker_fleet_init(w);
    bff_worker_shared_cache_init(w);
    if (s->config.redis_url[0] != '\0') {
        char err[512];
        w->store = bff_store_new(&w->loop, s->config.redis_url, (uint64_t)s->config.redis_timeout_ms, err, sizeof(err));
    }
    return pthread_create(&w->thread, NULL, worker_main, w);
}

void bff_worker_request_shutdown(bff_worker_t *w)
{
    uv_async_send(&w->wakeup);
}

void bff_worker_join_and_free(bff_worker_t *w)
{
    pthread_join(w->thread, NULL);
    /* the loop and h2o context are abandoned (see worker_main); the rest is ours to free */
    bff_doccache_free(w->docs);
    bff_json_cache_free(w->catalog_cache);
    bff_guard_free(w->guard);
    bff_tracer_free(w->tracer);
    while (w->nspare_arenas > 0)
        bff_arena_free(w->spare_arenas[--w->nspare_arenas]);
    free(w);
}
