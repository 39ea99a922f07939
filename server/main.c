/*
 * main.c - build/bff: settings, schema, h2o configuration, worker threads,
 * signals.
 *
 *   bff [demo] [--config FILE] [--listen HOST:PORT] [--threads N] [--schema FILE[,FILE...]]
 *   bff healthcheck [--config FILE] [--listen HOST:PORT]
 *
 * `demo` starts the provider simulator (bff-sim beside this binary) on a free
 * loopback port first and points the providers at it, with the demo storefront
 * key and id signing key of `make run`; the simulator stops with the server.
 * `healthcheck` asks the server at the configured address for /readyz and
 * exits 0 when it is ready, 1 otherwise (the image's HEALTHCHECK: it has no curl).
 *
 * Start-up stops with a message (exit 2) on a bad setting, an unreadable or
 * invalid schema, or an address that cannot be bound. Once listening it logs
 * one JSON line {"msg":"listening","listen":"HOST:PORT",...} to stdout.
 * SIGTERM or SIGINT: stop accepting, let in-flight requests finish (up to
 * shutdown_timeout_ms), exit 0.
 *
 * The main thread owns a small libuv loop for signals only; each worker
 * thread has its own loop (worker.c).
 */
#include <errno.h>
#include <libgen.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "edge.h"
#include "reload.h"
#include "store.h"
#include "http.h"
#include "persisted.h"
#include "resolvers/ids.h"
#include "resolvers/journal.h"
#include "resolvers/resolvers.h"
#include "shop.h"
#include "worker.h"

static int usage(FILE *out)
{
    fprintf(out, "usage: bff [demo] [--config FILE] [--listen HOST:PORT] [--threads N] [--schema FILE[,FILE...]]\n"
                 "       bff healthcheck [--config FILE] [--listen HOST:PORT]\n"
                 "demo: also start the provider simulator and use it, with the demo keys (docs/deployment.md).\n"
                 "healthcheck: exit 0 when the server at the configured address answers /readyz as ready.\n"
                 "Settings: docs/config.md (also as BFF_* environment variables).\n");
    return out == stdout ? 0 : 2;
}

static void log_line(const char *level, const char *msg, const char *extra_json)
{
    printf("{\"level\":\"%s\",\"msg\":\"%s\"%s%s}\n", level, msg, extra_json ? "," : "", extra_json ? extra_json : "");
    fflush(stdout);
}

/* The directory of this executable (bff-sim and assets/ live beside it). */
static void self_dir(char *out, size_t size)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    self[n > 0 ? n : 0] = '\0';
    snprintf(out, size, "%s", dirname(self));
}

static pid_t demo_sim = -1;

/*
 * bff demo: starts bff-sim on 127.0.0.1, port 0, reads the address it says it
 * listens on (its first stdout line), and sets the environment the settings are
 * read from next: the providers at the simulator, and (unless given) the demo
 * storefront key and the demo id signing key, as scripts/run.sh does.
 */
static int start_demo_sim(char *err, size_t errlen)
{
    char dir[4096], sim[4200];
    self_dir(dir, sizeof(dir));
    snprintf(sim, sizeof(sim), "%s/bff-sim", dir);
    int fds[2];
    if (access(sim, X_OK) != 0 || pipe(fds) != 0) {
        snprintf(err, errlen, "demo: cannot run the simulator %.1000s: %s", sim, strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the server, however it ends */
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(sim, "bff-sim", "--listen", "127.0.0.1:0", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        snprintf(err, errlen, "demo: fork: %s", strerror(errno));
        return -1;
    }
    demo_sim = pid;
    char line[512];
    size_t len = 0;
    struct pollfd pfd = {fds[0], POLLIN, 0};
    while (len < sizeof(line) - 1 && memchr(line, '\n', len) == NULL && poll(&pfd, 1, 10000) > 0) {
        ssize_t r = read(fds[0], line + len, sizeof(line) - 1 - len);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    line[len] = '\0';
    /* the read end stays open (the simulator writes nothing more than a line at exit) */
    json_t *j = json_loads(line, JSON_DISABLE_EOF_CHECK, NULL);
    const char *listen = json_string_value(json_object_get(j, "listen"));
    if (listen == NULL) {
        json_decref(j);
        snprintf(err, errlen, "demo: the simulator did not start (it said: %.200s)", line);
        return -1;
    }
    char url[300];
    snprintf(url, sizeof(url), "http://%s", listen);
    json_decref(j);
    setenv("BFF_PROVIDERS_URL", url, 1);
    char hash[65];
    bff_sha256_hex("demo-storefront-key", strlen("demo-storefront-key"), hash);
    char keys[512];
    snprintf(keys, sizeof(keys),
             "{\"%s\": {\"client\": \"demo-storefront\", \"channel\": \"web\", \"tier\": \"storefront\", "
             "\"scopes\": [\"cart:read\", \"cart:write\", \"checkout:write\", \"orders:read\", \"customers:read\"]}}",
             hash);
    if (getenv("BFF_API_KEYS") == NULL || *getenv("BFF_API_KEYS") == '\0') /* given ones win */
        setenv("BFF_API_KEYS", keys, 1);
    if (getenv("BFF_ID_SIGNING_KEY") == NULL || *getenv("BFF_ID_SIGNING_KEY") == '\0')
        setenv("BFF_ID_SIGNING_KEY", "demo-only-id-signing-key-not-a-secret", 1);
    if (getenv("BFF_EXPOSE_DEPENDENCY_DETAILS") == NULL) /* a demo tells which provider failed, as make run */
        setenv("BFF_EXPOSE_DEPENDENCY_DETAILS", "true", 1);
    if (getenv("BFF_ADMIN_KEY_SHA256") == NULL || *getenv("BFF_ADMIN_KEY_SHA256") == '\0') { /* demo-admin-key */
        char admin[65];
        bff_sha256_hex("demo-admin-key", strlen("demo-admin-key"), admin);
        setenv("BFF_ADMIN_KEY_SHA256", admin, 1);
    }
    char extra[400];
    snprintf(extra, sizeof(extra), "\"providers_url\":\"%s\",\"api_key\":\"demo-storefront-key\"", url);
    log_line("info", "demo: the provider simulator is running", extra);
    return 0;
}

static void stop_demo_sim(void)
{
    if (demo_sim > 0) {
        kill(demo_sim, SIGTERM);
        waitpid(demo_sim, NULL, 0);
        demo_sim = -1;
    }
}

static size_t healthcheck_sink(char *p, size_t size, size_t n, void *arg)
{
    bff_buf_append(arg, p, size * n);
    return size * n;
}

/* bff healthcheck: GET /readyz at the configured address (a wildcard address asked on loopback). */
static int healthcheck(const bff_config_t *c)
{
    const char *host = c->host;
    bool v6 = strchr(host, ':') != NULL;
    if (strcmp(host, "0.0.0.0") == 0 || host[0] == '\0')
        host = "127.0.0.1";
    else if (strcmp(host, "::") == 0)
        host = "::1";
    char url[400];
    snprintf(url, sizeof(url), "%s://%s%s%s:%d/readyz", c->tls_cert[0] ? "https" : "http", v6 ? "[" : "", host,
             v6 ? "]" : "", c->port);
    CURL *e = curl_easy_init();
    bff_buf_t body = BFF_BUF_INIT;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 3000L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L); /* our own certificate, asked on our own address */
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, healthcheck_sink);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
    CURLcode rc = curl_easy_perform(e);
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(e);
    bff_buf_appendc(&body, '\0');
    printf("%s %s: %s\n", url, rc == CURLE_OK ? "answered" : curl_easy_strerror(rc), body.data ? body.data : "");
    bff_buf_free(&body);
    return rc == CURLE_OK && status == 200 ? 0 : 1;
}

static int fatal(const char *msg)
{
    fprintf(stderr, "bff: %s\n", msg);
    return 2;
}

static bff_schema_t *load_schema(const char *list, char *err, size_t errlen)
{
    char *copy = bff_xstrdup(list);
    const char *paths[64];
    size_t n = 0;
    for (char *save = NULL, *p = strtok_r(copy, ",", &save); p != NULL && n < 64; p = strtok_r(NULL, ",", &save))
        paths[n++] = p;
    bff_arena_t *ea = bff_arena_new(0);
    bff_gql_errors_t errs = BFF_GQL_ERRORS_INIT;
    bff_schema_t *schema = bff_schema_build_files(paths, n, NULL, ea, &errs);
    if (schema == NULL) {
        bff_buf_t b = BFF_BUF_INIT;
        bff_buf_printf(&b, "schema %s does not build:", list);
        for (bff_gql_error_t *e = errs.head; e != NULL; e = e->next) {
            bff_buf_printf(&b, "\n  %s", e->message);
            if (e->nlocations > 0)
                bff_buf_printf(&b, " (line %u, column %u)", e->locations[0].line, e->locations[0].column);
        }
        bff_buf_appendc(&b, '\0');
        snprintf(err, errlen, "%s", b.data);
        bff_buf_free(&b);
    }
    bff_arena_free(ea);
    free(copy);
    return schema;
}

static h2o_pathconf_t *route(bff_server_t *s, h2o_hostconf_t *host, const char *path,
                             int (*on_req)(h2o_handler_t *, h2o_req_t *))
{
    h2o_pathconf_t *pc = h2o_config_register_path(host, path, 0);
    h2o_handler_t *h = h2o_create_handler(pc, sizeof(*h));
    h->on_req = on_req;
    return pc;
}

static int setup_tls(bff_server_t *s, char *err, size_t errlen)
{
    if (s->config.tls_cert[0] == '\0')
        return 0;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
    if (SSL_CTX_use_certificate_chain_file(ctx, s->config.tls_cert) != 1) {
        snprintf(err, errlen, "setting \"tls_cert\": cannot load %s: %s", s->config.tls_cert,
                 ERR_reason_error_string(ERR_get_error()));
        SSL_CTX_free(ctx);
        return -1;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, s->config.tls_key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        snprintf(err, errlen, "setting \"tls_key\": cannot load %s or it does not match the certificate: %s",
                 s->config.tls_key, ERR_reason_error_string(ERR_get_error()));
        SSL_CTX_free(ctx);
        return -1;
    }
    h2o_ssl_register_alpn_protocols(ctx, h2o_http2_alpn_protocols);
    s->ssl_ctx = ctx;
    return 0;
}

/* Resolves port 0 to a real port all workers then share (SO_REUSEPORT); returns the probe fd or -1. */
static int resolve_port(bff_server_t *s, char *err, size_t errlen)
{
    bff_worker_t probe = {.server = s};
    if (bff_worker_listen(&probe, err, errlen) != 0)
        return -1;
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    getsockname(probe.listener_fd, (struct sockaddr *)&ss, &len);
    int port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                        : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    s->config.port = port;
    char listen[300];
    if (strchr(s->config.host, ':') != NULL)
        snprintf(listen, sizeof(listen), "[%s]:%d", s->config.host, port);
    else
        snprintf(listen, sizeof(listen), "%s:%d", s->config.host, port);
    free(s->config.listen);
    s->config.listen = bff_xstrdup(listen);
    return probe.listener_fd;
}

static bff_server_t *signal_server; /* the one process-wide thing a signal handler needs */

static void on_signal(uv_signal_t *h, int signum)
{
    bff_server_t *s = h->data;
    if (atomic_exchange(&s->shutting_down, 1))
        return;
    char extra[64];
    snprintf(extra, sizeof(extra), "\"signal\":%d", signum);
    log_line("info", "shutting down", extra);
    for (int i = 0; i < s->nworkers; ++i)
        bff_worker_request_shutdown(s->workers[i]);
    uv_close((uv_handle_t *)h, NULL);
}

static void close_other_signal(uv_handle_t *h, void *arg)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void on_signal_then_close_all(uv_signal_t *h, int signum)
{
    on_signal(h, signum);
    uv_walk(h->loop, close_other_signal, NULL);
}

static int settings_argc;
static char **settings_argv; /* the command line, read again on a reload */

/* Defaults, the config file (--config), the environment, then the command line; 0 or -1 with err. */
static int load_settings(bff_config_t *c, char *err, size_t errlen)
{
    bff_config_init(c);
    for (int i = 1; i + 1 < settings_argc; i += 2)
        if (strcmp(settings_argv[i], "--config") == 0 &&
            bff_config_load_file(c, settings_argv[i + 1], err, errlen) != 0)
            return -1;
    if (bff_config_load_env(c, err, errlen) != 0)
        return -1;
    for (int i = 1; i + 1 < settings_argc; i += 2) {
        const char *a = settings_argv[i];
        const char *key = strcmp(a, "--listen") == 0    ? "listen"
                          : strcmp(a, "--threads") == 0 ? "threads"
                          : strcmp(a, "--schema") == 0  ? "schema"
                                                        : "";
        if (*key != '\0' && bff_config_set(c, key, settings_argv[i + 1], err, errlen) != 0)
            return -1;
    }
    return bff_config_finish(c, err, errlen);
}

/*
 * SIGHUP: the reloadable settings (reload.h) from the config file and the
 * environment again; a new generation that does not build is refused, with
 * a log line naming the setting, and the current one keeps serving.
 */
static void on_reload(uv_signal_t *h, int signum)
{
    bff_server_t *s = h->data;
    bff_config_t next;
    char err[4096];
    int rc = load_settings(&next, err, sizeof(err));
    bff_generation_t *g = rc == 0 ? bff_generation_new(&next, s->generation->number + 1, s->dep_stats, err, sizeof(err)) : NULL;
    bff_config_free(&next);
    if (g == NULL) {
        bff_buf_t b = BFF_BUF_INIT;
        bff_buf_appends(&b, "\"error\":");
        bff_buf_append_json_string(&b, err, strlen(err));
        bff_buf_appendc(&b, '\0');
        log_line("error", "reload refused: the settings in force stay", b.data);
        bff_buf_free(&b);
        return;
    }
    unsigned long number = g->number; /* read before the install: the generation may be freed any time after */
    bff_generation_install(s, g);
    char extra[64];
    snprintf(extra, sizeof(extra), "\"generation\":%lu", number);
    log_line("info", "reloaded", extra);
}

int main(int argc, char **argv)
{
    static bff_server_t server;
    bff_server_t *s = &server;
    char err[4096];
    signal(SIGPIPE, SIG_IGN);
    bool demo = argc > 1 && strcmp(argv[1], "demo") == 0;
    bool health = argc > 1 && strcmp(argv[1], "healthcheck") == 0;
    if (demo || health) { /* the subcommand, then the usual options */
        argv[1] = argv[0];
        argv++;
        argc--;
    }
    if (demo && start_demo_sim(err, sizeof(err)) != 0)
        return fatal(err);
    if (demo)
        atexit(stop_demo_sim);
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return usage(stdout);
        bool known = strcmp(argv[i], "--listen") == 0 || strcmp(argv[i], "--threads") == 0 ||
                     strcmp(argv[i], "--schema") == 0 || strcmp(argv[i], "--config") == 0;
        if (!known)
            fprintf(stderr, "bff: unknown option %s\n", argv[i]);
        if (!known || i + 1 >= argc)
            return usage(stderr);
        ++i;
    }
    settings_argc = argc;
    settings_argv = argv;
    if (load_settings(&s->config, err, sizeof(err)) != 0)
        return fatal(err);
    if (health) {
        int rc = healthcheck(&s->config);
        bff_config_free(&s->config);
        return rc;
    }
    if (s->config.redis_url[0] != '\0') { /* each worker connects on its own loop; here only the URL is checked */
        char host[256], password[256];
        int port, db;
        if (bff_store_parse_url(s->config.redis_url, host, sizeof(host), &port, &db, password, sizeof(password)) != 0)
            return fatal("setting \"redis_url\": expected redis://[:password@]host[:port][/db] (rediss:// is not supported)");
    }
    s->budgets = bff_clients_new("{}", "{}", err, sizeof(err));
    pthread_mutex_init(&s->generation_lock, NULL);
    s->generation = bff_generation_new(&s->config, 1, s->dep_stats, err, sizeof(err));
    if (s->generation == NULL)
        return fatal(err);
    const char *missing[32];
    size_t nmissing = bff_providers_unconfigured(s->generation->providers, missing, 32);
    if (nmissing > 0) { /* one clear line: what is missing and which setting gives it */
        bff_buf_t b = BFF_BUF_INIT;
        bff_buf_appends(&b, "\"setting\":\"providers_url\",\"providers\":[");
        for (size_t i = 0; i < nmissing; ++i)
            bff_buf_printf(&b, "%s\"%s\"", i ? "," : "", missing[i]);
        bff_buf_appends(&b, "],\"hint\":\"set providers_url (or providers.<name>.url), or run `bff demo` for the "
                            "simulator; /readyz answers 503 until then\"");
        log_line("warn", "providers not configured", b.data);
        bff_buf_free(&b);
    }
    if (s->config.admin_key_sha256[0] != '\0' && strlen(s->config.admin_key_sha256) != 64)
        return fatal("setting \"admin_key_sha256\" must be the SHA-256 of the admin key in hex (64 digits)");
    if (s->config.id_signing_key[0] != '\0') {
        if (strlen(s->config.id_signing_key) < 32 || strlen(s->config.id_signing_key) > sizeof(s->id_key))
            return fatal("setting \"id_signing_key\" must be 32 to 64 characters (the same on every instance)");
        s->id_key_len = strlen(s->config.id_signing_key);
        memcpy(s->id_key, s->config.id_signing_key, s->id_key_len);
    } else {
        /* ids made now open only in this process: fine for one instance, wrong for a fleet or a restart */
        if (RAND_bytes(s->id_key, 32) != 1)
            return fatal("no random bytes for the id signing key");
        s->id_key_len = 32;
        log_line("warn", "id_signing_key is not set: cart and order ids given now stop opening at restart and on "
                         "other instances; set it (32-64 characters, the same everywhere)", NULL);
    }
    s->id_hmac = bff_id_hmac_new(s->id_key, s->id_key_len);
    if (s->id_hmac == NULL)
        return fatal("OpenSSL has no SHA-256 for the id signing key");
    s->journal = bff_journal_open(s->config.state_dir, (size_t)s->config.journal_max_records, err, sizeof(err));
    if (s->journal == NULL)
        return fatal(err);
    s->usage = bff_usage_new((size_t)s->config.usage_max_clients);
    s->persisted = bff_persisted_new("", (size_t)s->config.apq_max_documents, (size_t)s->config.apq_max_bytes, err,
                                     sizeof(err)); /* APQ; the trusted manifest is in the generation */
    if (s->persisted == NULL)
        return fatal(err);

    s->schema = load_schema(s->config.schema, err, sizeof(err));
    if (s->schema == NULL)
        return fatal(err);
    if (bff_shop_bind(s->schema, &s->config, err, sizeof(err)) != 0 ||
        bff_resolvers_bind(s->schema, err, sizeof(err)) != 0)
        return fatal(err);
    if (setup_tls(s, err, sizeof(err)) != 0)
        return fatal(err);
    bff_metrics_init(&s->metrics);

    /* h2o: limits and routes */
    h2o_config_init(&s->h2o);
    s->h2o.max_request_entity_size = (size_t)s->config.max_body_bytes;
    s->h2o.http1.req_timeout = (uint64_t)s->config.header_timeout_ms;
    s->h2o.handshake_timeout = (uint64_t)s->config.header_timeout_ms;
    s->h2o.http2.idle_timeout = (uint64_t)s->config.idle_timeout_ms;
    s->h2o.http2.max_concurrent_requests_per_connection = (size_t)s->config.max_concurrent_streams;
    s->h2o.http2.graceful_shutdown_timeout = (uint64_t)s->config.shutdown_timeout_ms;
    s->h2o.server_name = h2o_iovec_init(H2O_STRLIT("bff"));
    h2o_hostconf_t *host = h2o_config_register_host(&s->h2o, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    route(s, host, "/graphql", bff_http_graphql);
    route(s, host, "/healthz", bff_http_healthz);
    route(s, host, "/readyz", bff_http_readyz);
    route(s, host, "/metrics", bff_http_metrics);
    route(s, host, "/admin/deprecations", bff_http_admin_deprecations);
    route(s, host, "/admin/checkouts", bff_http_admin_checkouts);
    if (s->config.bench_static_body[0] != '\0') /* the benchmark's ceiling: the same bytes, no GraphQL, no upstream */
        route(s, host, "/bench/static", bff_http_bench_static);
    char assets[4200];
    if (s->config.assets_dir[0] != '\0') {
        snprintf(assets, sizeof(assets), "%s", s->config.assets_dir);
    } else {
        char dir[4096];
        self_dir(dir, sizeof(dir));
        snprintf(assets, sizeof(assets), "%s/assets/graphiql", dir);
    }
    if (access(assets, R_OK) == 0)
        h2o_file_register(h2o_config_register_path(host, "/graphiql", 0), assets, NULL, NULL, 0);

    /* workers */
    int probe_fd = resolve_port(s, err, sizeof(err));
    if (probe_fd < 0)
        return fatal(err);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    s->nworkers = s->config.threads > 0 ? (int)s->config.threads : (int)(ncpu > 0 ? ncpu : 1);
    s->workers = bff_xcalloc((size_t)s->nworkers, sizeof(*s->workers));
    for (int i = 0; i < s->nworkers; ++i) {
        bff_worker_t *w = bff_xcalloc(1, sizeof(*w));
        w->server = s;
        w->index = i;
        if (bff_worker_listen(w, err, sizeof(err)) != 0)
            return fatal(err);
        s->workers[i] = w;
    }
    close(probe_fd);

    uv_loop_t *main_loop = uv_default_loop();
    uv_signal_t sigterm, sigint;
    signal_server = s;
    uv_signal_init(main_loop, &sigterm);
    uv_signal_init(main_loop, &sigint);
    sigterm.data = sigint.data = s;
    uv_signal_start(&sigterm, on_signal_then_close_all, SIGTERM);
    uv_signal_start(&sigint, on_signal_then_close_all, SIGINT);
    uv_signal_t sighup;
    uv_signal_init(main_loop, &sighup);
    sighup.data = s;
    uv_signal_start(&sighup, on_reload, SIGHUP);

    for (int i = 0; i < s->nworkers; ++i)
        if (bff_worker_start(s->workers[i]) != 0)
            return fatal("cannot start a worker thread");
    char extra[512];
    snprintf(extra, sizeof(extra), "\"listen\":\"%s\",\"threads\":%d,\"tls\":%s,\"schema\":\"%s\"", s->config.listen,
             s->nworkers, s->ssl_ctx ? "true" : "false", s->config.schema);
    log_line("info", "listening", extra);

    uv_run(main_loop, UV_RUN_DEFAULT); /* returns once a signal closed the handles */
    for (int i = 0; i < s->nworkers; ++i)
        bff_worker_join_and_free(s->workers[i]);
    uv_loop_close(main_loop);
    log_line("info", "stopped", NULL);
    free(s->workers);
    bff_schema_free(s->schema);
    bff_clients_free(s->budgets);
    bff_generation_release(s->generation);
    pthread_mutex_destroy(&s->generation_lock);
    bff_usage_free(s->usage);
    bff_persisted_free(s->persisted);
    bff_journal_free(s->journal);
    bff_id_hmac_free(s->id_hmac);
    if (s->ssl_ctx)
        SSL_CTX_free(s->ssl_ctx);
    h2o_config_dispose(&s->h2o);
    bff_metrics_dispose(&s->metrics);
    bff_config_free(&s->config);
    (void)signal_server;
    return 0;
}
