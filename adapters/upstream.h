/*
 * upstream.h - the upstream HTTP client: one libcurl multi handle per worker,
 * driven by that worker's libuv loop (curl's socket callback drives
 * uv_poll_t handles, its timer callback one uv_timer_t). Nothing blocks:
 * bff_upstream_send returns at once and the callback fires later on the same
 * loop thread.
 *
 * Two transports behind one call: `http://` URLs go through http1.c (kept
 * HTTP/1.1 connections, docs/decisions/upstream-http1.md); `https://` and
 * prior-knowledge HTTP/2 through libcurl, whose connections are reused (its
 * per-multi cache) and which uses HTTP/2 over TLS when the upstream offers it
 * (ALPN); several requests then share one connection.
 *
 * Memory: a response body lives until the callback returns; copy what you
 * keep. The client owns every curl and uv handle it creates and frees them in
 * bff_upstream_free (uv handles in their close callbacks).
 */
#ifndef BFF_ADAPTERS_UPSTREAM_H
#define BFF_ADAPTERS_UPSTREAM_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* X(NAME, "text"): outcomes other than an HTTP response. */
#define BFF_UPSTREAM_ERRORS(X)                                                                                        \
    X(TIMEOUT, "upstream timed out")                                                                                  \
    X(CONNECT, "cannot connect to upstream")                                                                          \
    X(IO, "upstream connection failed")                                                                               \
    X(PROTOCOL, "upstream answered with something that is not HTTP")                                                  \
    X(TOO_LARGE, "upstream response too large")                                                                       \
    X(CANCELLED, "upstream call cancelled")                                                                           \
    X(INTERNAL, "upstream client error")

typedef enum en_bff_upstream_error_t {
    BFF_UPSTREAM_OK = 0,
#define BFF_UPSTREAM_ERROR_ENUM(name, text) BFF_UPSTREAM_E_##name,
    BFF_UPSTREAM_ERRORS(BFF_UPSTREAM_ERROR_ENUM)
#undef BFF_UPSTREAM_ERROR_ENUM
} bff_upstream_error_t;

const char *bff_upstream_strerror(bff_upstream_error_t e);
const char *bff_upstream_errname(bff_upstream_error_t e);

typedef struct st_bff_upstream_t bff_upstream_t;
typedef struct st_bff_upstream_call_t bff_upstream_call_t;

typedef struct st_bff_upstream_request_t {
    const char *method; /* "GET" (default), "POST", ... */
    const char *url;
    const char *const *headers; /* "Name: value" lines, may be NULL */
    size_t nheaders;
    const char *body; /* may be NULL; copied */
    size_t body_len;
    uint32_t timeout_ms;         /* whole call; 0: 10000 */
    uint32_t connect_timeout_ms; /* 0: the smaller of 2000 and timeout_ms */
    size_t max_response_bytes;   /* 0: 8 MiB */
    int h2c_prior_knowledge;     /* cleartext HTTP/2 without upgrade (the simulator speaks it) */
    const char *ca_file;         /* PEM bundle to verify https upstreams against; NULL: the system's */
} bff_upstream_request_t;

typedef struct st_bff_upstream_response_t {
    bff_upstream_error_t error; /* BFF_UPSTREAM_OK: an HTTP response arrived (any status) */
    long status;
    const char *body; /* NUL-terminated, body_len bytes; valid during the callback */
    size_t body_len;
    long http_version; /* 11 or 2 */
    double total_ms;
} bff_upstream_response_t;

typedef void (*bff_upstream_cb)(const bff_upstream_response_t *res, void *arg);

bff_upstream_t *bff_upstream_new(uv_loop_t *loop);
/* Cancels what is in flight (callbacks fire with CANCELLED), then releases everything; handles close on the loop. */
void bff_upstream_free(bff_upstream_t *up);

/*
 * Starts a call. Returns its handle, or NULL when it cannot even start (bad
 * URL, out of handles): the callback then never fires.
 */
bff_upstream_call_t *bff_upstream_send(bff_upstream_t *up, const bff_upstream_request_t *req, bff_upstream_cb cb,
                                       void *arg);
/* Cancels a call in flight: its callback fires now, with CANCELLED, and the handle is gone. */
void bff_upstream_cancel(bff_upstream_call_t *call);

typedef struct st_bff_upstream_stats_t {
    uint64_t started, completed, failed, cancelled;
    long connections_opened; /* new connections curl made (reuse keeps this low) */
} bff_upstream_stats_t;
bff_upstream_stats_t bff_upstream_stats(const bff_upstream_t *up);

#endif
