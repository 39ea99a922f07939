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

typedef struct st_conn_t {
    uv_tcp_t tcp;
    bff_server_t *server;
} conn_t;

static void on_conn_closed(uv_handle_t *h)
{
    conn_t *c = (conn_t *)h;
    atomic_fetch_sub(&c->server->connections, 1);
    free(c);
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
    conn_t *c = h2o_mem_alloc(sizeof(*c));
    c->server = w->server;
    uv_tcp_init(listener->loop, &c->tcp);
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
        uv_close((uv_handle_t *)&c->tcp, on_rejected_closed);
        return;
    }
    long open = atomic_fetch_add(&w->server->connections, 1) + 1;
    if (open > w->server->config.max_connections || atomic_load(&w->server->shutting_down)) {
        /* over the limit: close at once (the client sees a reset, not a hang) */
        atomic_fetch_sub(&w->server->connections, 1);
        uv_close((uv_handle_t *)&c->tcp, on_rejected_closed);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    h2o_socket_t *sock = h2o_uv_socket_create((uv_stream_t *)&c->tcp, on_conn_closed);
    h2o_accept(&w->accept_ctx, sock);
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
    if (w->in_flight == 0 || uv_now(&w->loop) >= w->drain_deadline_ms)
        uv_stop(&w->loop);
}

static void on_wakeup(uv_async_t *a)
{
    bff_worker_t *w = a->data;
    if (!uv_is_closing((uv_handle_t *)&w->listener))
        uv_close((uv_handle_t *)&w->listener, NULL);
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
    w->guard = bff_guard_new(&w->loop, s->providers);
    if (s->config.catalog_cache_ttl_ms > 0)
        w->catalog_cache =
            bff_json_cache_new((size_t)s->config.catalog_cache_bytes, (uint64_t)s->config.catalog_cache_ttl_ms,
                               (uint64_t)s->config.catalog_cache_stale_ms);
    w->rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)(uintptr_t)w << 7) ^ (uint64_t)time(NULL) * 1000003u;
    uv_tcp_init(&w->loop, &w->listener);
    w->listener.data = w;
    if (uv_tcp_open(&w->listener, w->listener_fd) != 0 || uv_listen((uv_stream_t *)&w->listener, 1024, on_accept) != 0)
        return -1;
    uv_async_init(&w->loop, &w->wakeup, on_wakeup);
    w->wakeup.data = w;
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
    while (w->nspare_arenas > 0)
        bff_arena_free(w->spare_arenas[--w->nspare_arenas]);
    free(w);
}
