/*
 * http.h - the h2o request handlers (one file each concern):
 * http_graphql.c (/graphql), http_ops.c (/healthz, /readyz, /metrics and the
 * GraphiQL page; its assets are served by h2o's file handler).
 */
#ifndef BFF_SERVER_HTTP_H
#define BFF_SERVER_HTTP_H

#include <h2o.h>

int bff_http_graphql(h2o_handler_t *self, h2o_req_t *req);
int bff_http_graphiql_page(h2o_req_t *req);
int bff_http_healthz(h2o_handler_t *self, h2o_req_t *req);
int bff_http_readyz(h2o_handler_t *self, h2o_req_t *req);
int bff_http_metrics(h2o_handler_t *self, h2o_req_t *req);
/* GET /admin/deprecations with X-Admin-Key: deprecated elements, their use and users (server/usage.h). */
int bff_http_admin_deprecations(h2o_handler_t *self, h2o_req_t *req);
int bff_http_admin_checkouts(h2o_handler_t *self, h2o_req_t *req);
/* Answers with a JSON body (no-store). */
int bff_http_send_json(h2o_req_t *req, int status, const char *body, size_t len);
/* GET or POST /bench/static: bench_static_body as it is (only when that setting is given). */
int bff_http_bench_static(h2o_handler_t *self, h2o_req_t *req);

#endif
