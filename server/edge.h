/*
 * edge.h - what a request brings from where storefronts live: browsers on
 * other origins (CORS and CSRF prevention) and proxies in front of the
 * server (the client's address from Forwarded / X-Forwarded-For when the
 * peer is a trusted proxy). Parsed once at start from the settings `cors`,
 * `csrf_prevention` and `trusted_proxies` (docs/config.md); immutable after.
 */
#ifndef BFF_SERVER_EDGE_H
#define BFF_SERVER_EDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <h2o.h>

typedef struct st_bff_edge_t bff_edge_t;

/* NULL with a message in err when a setting is malformed. */
bff_edge_t *bff_edge_new(const char *cors_json, const char *trusted_proxies, bool csrf_prevention, char *err,
                         size_t errlen);
void bff_edge_free(bff_edge_t *e);

/*
 * CORS on an answer: for a request whose Origin is allowed, adds
 * Access-Control-Allow-Origin (the origin), Access-Control-Expose-Headers and
 * (if configured) credentials; with CORS configured, every answer varies by
 * Origin. Call before the response starts.
 */
void bff_edge_cors_headers(const bff_edge_t *e, h2o_req_t *req);
/* A preflight (OPTIONS with Access-Control-Request-Method): answers 204, with the allow headers for an allowed origin. */
int bff_edge_preflight(const bff_edge_t *e, h2o_req_t *req);

/*
 * CSRF prevention: a request a browser could send without a preflight (GET,
 * or a POST whose Content-Type is text/plain, multipart/form-data or
 * application/x-www-form-urlencoded, or absent) must carry a header that
 * forces one (a non-simple Content-Type, Apollo-Require-Preflight,
 * X-Apollo-Operation-Name or GraphQL-Preflight). False: refuse it. The server
 * asks it of GETs: a POST must be application/json (415 otherwise), which no
 * browser sends without a preflight.
 */
bool bff_edge_csrf_ok(const bff_edge_t *e, h2o_req_t *req);

/*
 * The client's address: the TCP peer, or, when the peer is a trusted proxy,
 * the rightmost address of Forwarded (for=) / X-Forwarded-For that is not a
 * trusted proxy. *len 0 when unknown.
 */
void bff_edge_client_addr(const bff_edge_t *e, h2o_req_t *req, struct sockaddr_storage *out, socklen_t *len);

#endif
