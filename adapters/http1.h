/*
 * http1.h - the upstream client's cleartext HTTP/1.1 transport (used by
 * upstream.c for `http://` providers; `https://` and prior-knowledge HTTP/2
 * stay with libcurl). See docs/decisions/upstream-http1.md for why.
 *
 * Same contract as bff_upstream_send: the callback fires exactly once, on the
 * loop, never inside send; a call that cannot start returns NULL and its
 * callback never fires. Connections are kept alive per origin (host and
 * port), at most BFF_H1_MAX_CONNECTIONS each; calls beyond wait in order.
 */
#ifndef BFF_ADAPTERS_HTTP1_H
#define BFF_ADAPTERS_HTTP1_H

#include <stdbool.h>

#include "upstream.h"

#define BFF_H1_MAX_CONNECTIONS 64
#define BFF_H1_MAX_HEAD_BYTES (64u << 10) /* status line and headers of a response, also trailers */
#define BFF_H1_IDLE_MS 30000              /* a kept connection unused this long is closed */

typedef struct st_bff_h1_t bff_h1_t;
typedef struct st_bff_h1_call_t bff_h1_call_t;

bff_h1_t *bff_h1_new(uv_loop_t *loop);
/* Cancels calls in flight (callbacks fire with CANCELLED), closes connections; handles close on the loop. */
void bff_h1_free(bff_h1_t *h);
bff_h1_call_t *bff_h1_send(bff_h1_t *h, const bff_upstream_request_t *req, bff_upstream_cb cb, void *arg);
/* The callback fires now, with CANCELLED; the call's connection (if any) is closed, never reused. */
void bff_h1_cancel(bff_h1_call_t *call);
long bff_h1_connections_opened(const bff_h1_t *h);

/*
 * The response parser alone (fuzz/http1_fuzz.c, tests): feeds `data` to a
 * fresh call's parser in pieces ending at the `ncuts` offsets in `cuts`,
 * then the end of the connection. Returns BFF_UPSTREAM_OK with the status
 * and body length, or the error; `*reusable`: the connection would be kept.
 */
bff_upstream_error_t bff_h1_parse(const char *data, size_t len, const size_t *cuts, size_t ncuts, size_t max_bytes,
                                  long *status, size_t *body_len, bool *reusable);

#endif
