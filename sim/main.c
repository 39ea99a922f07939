/*
 * sim/main.c - build/bff-sim, the provider simulator: the embedded default
 * upstream the server talks to when no real providers are configured.
 *
 * This is its foundation: an h2o server on one libuv loop with the control
 * endpoints (/healthz, GET /_sim/stats, POST /_sim/reset). The fake vendor
 * APIs (catalog, pricing, inventory, ...) and fault injection come with the
 * commerce slice; until then /_sim/stats lists no providers.
 *
 *   bff-sim [--listen HOST:PORT]      (default 127.0.0.1:9100; SIM_PORT also sets the port)
 *
 * SIGINT/SIGTERM stop it (exit 0).
 */
#include <h2o.h>
#include <h2o/socket/uv-binding.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

typedef struct st_sim_t {
    h2o_globalconf_t config;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    uv_tcp_t listener;
    unsigned long long requests; /* control-plane requests served (loop thread only) */
} sim_t;

static sim_t sim;

static int send_json(h2o_req_t *req, int status, const char *body)
{
    static h2o_generator_t generator = {NULL, NULL};
    req->res.status = status;
    req->res.reason = status == 200 ? "OK" : "Not Found";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("application/json"));
    h2o_iovec_t buf = h2o_strdup(&req->pool, body, strlen(body));
    h2o_start_response(req, &generator);
    h2o_send(req, &buf, 1, H2O_SEND_STATE_FINAL);
    return 0;
}

static int on_healthz(h2o_handler_t *self, h2o_req_t *req)
{
    sim.requests++;
    return send_json(req, 200, "{\"status\":\"alive\"}");
}

static int on_stats(h2o_handler_t *self, h2o_req_t *req)
{
    sim.requests++;
    if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")))
        return -1;
    return send_json(req, 200, "{}");
}

static int on_reset(h2o_handler_t *self, h2o_req_t *req)
{
    sim.requests++;
    if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("POST")))
        return -1;
    return send_json(req, 200, "{\"reset\":true}");
}

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
    h2o_accept(&sim.accept_ctx, h2o_uv_socket_create((uv_stream_t *)conn, (uv_close_cb)free));
}

static void close_all(uv_handle_t *h, void *arg)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void on_signal(uv_signal_t *h, int signum)
{
    uv_walk(h->loop, close_all, NULL);
}

int main(int argc, char **argv)
{
    char listen[300] = "127.0.0.1:9100";
    const char *port_env = getenv("SIM_PORT");
    if (port_env != NULL)
        snprintf(listen, sizeof(listen), "127.0.0.1:%s", port_env);
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            snprintf(listen, sizeof(listen), "%s", argv[++i]);
        } else {
            fprintf(stderr, "usage: bff-sim [--listen HOST:PORT]\n");
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

    h2o_config_init(&sim.config);
    h2o_hostconf_t *hc = h2o_config_register_host(&sim.config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    route(hc, "/healthz", on_healthz);
    route(hc, "/_sim/stats", on_stats);
    route(hc, "/_sim/reset", on_reset);
    uv_loop_t *loop = uv_default_loop();
    h2o_context_init(&sim.ctx, loop, &sim.config);
    sim.accept_ctx.ctx = &sim.ctx;
    sim.accept_ctx.hosts = sim.config.hosts;

    struct sockaddr_storage addr;
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)&addr) != 0 &&
        uv_ip6_addr(host, port, (struct sockaddr_in6 *)&addr) != 0) {
        fprintf(stderr, "bff-sim: bad address %s\n", listen);
        return 2;
    }
    uv_tcp_init(loop, &sim.listener);
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
    printf("{\"level\":\"info\",\"msg\":\"simulator listening\",\"listen\":\"%s:%d\"}\n", host, bound_port);
    fflush(stdout);
    uv_signal_t sigint, sigterm;
    uv_signal_init(loop, &sigint);
    uv_signal_init(loop, &sigterm);
    uv_signal_start(&sigint, on_signal, SIGINT);
    uv_signal_start(&sigterm, on_signal, SIGTERM);
    uv_run(loop, UV_RUN_DEFAULT);
    printf("{\"level\":\"info\",\"msg\":\"simulator stopped\"}\n");
    return 0;
}
