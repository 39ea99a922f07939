/*
 * reqlog.h - request ids and the one-JSON-line-per-request log.
 *
 * The request id is the client's X-Request-ID when it is sane (1-128
 * printable ASCII characters, no quotes or backslashes), else the request's
 * trace id (the caller's from a valid W3C traceparent, or one started here).
 * It is echoed in the response's X-Request-ID header and logged with the
 * trace id and the server's span id.
 */
#ifndef BFF_SERVER_REQLOG_H
#define BFF_SERVER_REQLOG_H

#include <h2o.h>
#include <stdint.h>

#include "adapters/trace.h"
#include "graphql/error.h"

/* Fields a client chooses (path, operation, client) are cut to this many bytes in log lines. */
#define BFF_REQLOG_FIELD_MAX 256

typedef struct st_bff_reqlog_t {
    char request_id[129];
    bff_trace_t trace; /* the caller's trace continued, or one started here (adapters/trace.h) */
    uint64_t started_us;
    const char *operation; /* may be NULL */
    const char *client;    /* may be NULL */
    const bff_gql_errors_t *errors;
} bff_reqlog_t;

uint64_t bff_now_us(void);
/* Fills log->request_id from the request's headers or `rng`, and sets the X-Request-ID response header. */
void bff_reqlog_begin(bff_reqlog_t *log, h2o_req_t *req, uint64_t *rng);
/* Writes the log line to stdout. */
void bff_reqlog_write(const bff_reqlog_t *log, h2o_req_t *req, int status);
/* A header's value or NULL (NUL-terminated copy in the request pool). */
const char *bff_req_header(h2o_req_t *req, const h2o_token_t *token, const char *name);

#endif
