/*
 * config.h - the server's settings: one table (BFF_CONFIG_SETTINGS) names
 * each setting as written in the JSON config file, its environment variable,
 * type, default and meaning; docs/config.md documents the same table.
 *
 * Precedence: defaults < config file (--config) < environment < command line
 * (--listen, --threads). Unknown keys, wrong types and out-of-range values
 * stop start-up with a message naming the setting.
 */
#ifndef BFF_SERVER_CONFIG_H
#define BFF_SERVER_CONFIG_H

#include <stddef.h>
#include <stdint.h>

/* X(json key, ENV, type, field, default, min, max) ; type: STR, INT (integers), BOOL, JSON (an object) or RATIO (a
   number from 0 to 1) */
#define BFF_CONFIG_SETTINGS(X)                                                                                        \
    X("listen", "BFF_LISTEN", STR, listen, "127.0.0.1:8080", 0, 0)                                                   \
    X("threads", "BFF_THREADS", INT, threads, 0, 0, 256)                                                              \
    X("schema", "BFF_SCHEMA", STR, schema, "schema/commerce.graphql", 0, 0)                                           \
    X("shop_name", "BFF_SHOP_NAME", STR, shop_name, "Demo Storefront", 0, 0)                                          \
    X("shop_currency", "BFF_SHOP_CURRENCY", STR, shop_currency, "EUR", 0, 0)                                          \
    X("tls_cert", "BFF_TLS_CERT", STR, tls_cert, "", 0, 0)                                                            \
    X("tls_key", "BFF_TLS_KEY", STR, tls_key, "", 0, 0)                                                               \
    X("max_body_bytes", "BFF_MAX_BODY_BYTES", INT, max_body_bytes, 1048576, 1024, 1073741824)                         \
    X("header_timeout_ms", "BFF_HEADER_TIMEOUT_MS", INT, header_timeout_ms, 10000, 100, 3600000)                      \
    X("idle_timeout_ms", "BFF_IDLE_TIMEOUT_MS", INT, idle_timeout_ms, 60000, 100, 3600000)                            \
    X("max_concurrent_streams", "BFF_MAX_CONCURRENT_STREAMS", INT, max_concurrent_streams, 100, 1, 10000)             \
    X("max_connections", "BFF_MAX_CONNECTIONS", INT, max_connections, 10000, 1, 1000000)                              \
    X("max_connections_per_address", "BFF_MAX_CONNECTIONS_PER_ADDRESS", INT, max_connections_per_address, 1000, 1,    \
      1000000)                                                                                                           \
    X("max_resets_per_connection", "BFF_MAX_RESETS_PER_CONNECTION", INT, max_resets_per_connection, 100, 1, 1000000)  \
    X("max_resets_per_address", "BFF_MAX_RESETS_PER_ADDRESS", INT, max_resets_per_address, 1000, 1, 100000000)       \
    X("max_query_tokens", "BFF_MAX_QUERY_TOKENS", INT, max_query_tokens, 20000, 100, 10000000)                        \
    X("max_query_depth", "BFF_MAX_QUERY_DEPTH", INT, max_query_depth, 64, 2, 1000)                                    \
    X("doc_cache_entries", "BFF_DOC_CACHE_ENTRIES", INT, doc_cache_entries, 1000, 1, 1000000)                         \
    X("doc_cache_bytes", "BFF_DOC_CACHE_BYTES", INT, doc_cache_bytes, 33554432, 65536, 17179869184)                     \
    X("shutdown_timeout_ms", "BFF_SHUTDOWN_TIMEOUT_MS", INT, shutdown_timeout_ms, 10000, 0, 600000)                   \
    X("graphiql", "BFF_GRAPHIQL", BOOL, graphiql, 1, 0, 1)                                                            \
    X("assets_dir", "BFF_ASSETS_DIR", STR, assets_dir, "", 0, 0)                                                      \
    X("log_requests", "BFF_LOG_REQUESTS", BOOL, log_requests, 1, 0, 1)                                                \
    X("expose_dependency_details", "BFF_EXPOSE_DEPENDENCY_DETAILS", BOOL, expose_dependency_details, 0, 0, 1)          \
    X("providers_url", "BFF_PROVIDERS_URL", STR, providers_url, "", 0, 0)                                             \
    X("provider_timeout_ms", "BFF_PROVIDER_TIMEOUT_MS", INT, provider_timeout_ms, 0, 0, 600000)                     \
    X("providers", "BFF_PROVIDERS", JSON, providers, "{}", 0, 0)                                                      \
    X("request_timeout_ms", "BFF_REQUEST_TIMEOUT_MS", INT, request_timeout_ms, 10000, 10, 600000)                     \
    X("max_operation_depth", "BFF_MAX_OPERATION_DEPTH", INT, max_operation_depth, 15, 1, 1000)                       \
    X("max_aliases", "BFF_MAX_ALIASES", INT, max_aliases, 30, 0, 100000)                                              \
    X("max_root_fields", "BFF_MAX_ROOT_FIELDS", INT, max_root_fields, 20, 1, 100000)                                  \
    X("max_document_bytes", "BFF_MAX_DOCUMENT_BYTES", INT, max_document_bytes, 65536, 64, 100000000)                  \
    X("max_analysis_steps", "BFF_MAX_ANALYSIS_STEPS", INT, max_analysis_steps, 200000, 1000, 100000000)               \
    X("max_batch_size", "BFF_MAX_BATCH_SIZE", INT, max_batch_size, 10, 1, 1000)                                        \
    X("api_keys", "BFF_API_KEYS", JSON, api_keys, "{}", 0, 0)                                                         \
    X("bench_static_body", "BFF_BENCH_STATIC_BODY", STR, bench_static_body, "", 0, 0)                                 \
    X("persisted_documents", "BFF_PERSISTED_DOCUMENTS", STR, persisted_documents, "", 0, 0)                          \
    X("apq_max_documents", "BFF_APQ_MAX_DOCUMENTS", INT, apq_max_documents, 10000, 0, 10000000)                       \
    X("apq_max_bytes", "BFF_APQ_MAX_BYTES", INT, apq_max_bytes, 16777216, 0, 17179869184)                            \
    X("anonymous_scopes", "BFF_ANONYMOUS_SCOPES", STR, anonymous_scopes, "", 0, 0)                                    \
    X("cors", "BFF_CORS", JSON, cors, "{}", 0, 0)                                                                     \
    X("csrf_prevention", "BFF_CSRF_PREVENTION", BOOL, csrf_prevention, 1, 0, 1)                                        \
    X("trusted_proxies", "BFF_TRUSTED_PROXIES", STR, trusted_proxies, "", 0, 0)                                        \
    X("admin_key_sha256", "BFF_ADMIN_KEY_SHA256", STR, admin_key_sha256, "", 0, 0)                                    \
    X("id_signing_key", "BFF_ID_SIGNING_KEY", STR, id_signing_key, "", 0, 0)                                          \
    X("quote_ttl_ms", "BFF_QUOTE_TTL_MS", INT, quote_ttl_ms, 900000, 1000, 86400000)                                  \
    X("state_dir", "BFF_STATE_DIR", STR, state_dir, "state", 0, 0)                                                    \
    X("redis_url", "BFF_REDIS_URL", STR, redis_url, "", 0, 0)                                                         \
    X("redis_timeout_ms", "BFF_REDIS_TIMEOUT_MS", INT, redis_timeout_ms, 50, 1, 10000)                                 \
    X("journal_max_records", "BFF_JOURNAL_MAX_RECORDS", INT, journal_max_records, 50000, 100, 10000000)               \
    X("reconcile_interval_ms", "BFF_RECONCILE_INTERVAL_MS", INT, reconcile_interval_ms, 5000, 10, 3600000)            \
    X("reconcile_after_ms", "BFF_RECONCILE_AFTER_MS", INT, reconcile_after_ms, 10000, 0, 86400000)                    \
    X("usage_max_clients", "BFF_USAGE_MAX_CLIENTS", INT, usage_max_clients, 10000, 1, 10000000)                      \
    X("tiers", "BFF_TIERS", JSON, tiers, "{}", 0, 0)                                                                  \
    X("max_query_cost", "BFF_MAX_QUERY_COST", INT, max_query_cost, 1000, 1, 1000000000)                               \
    X("max_in_flight", "BFF_MAX_IN_FLIGHT", INT, max_in_flight, 2000, 1, 10000000)                                    \
    X("max_client_in_flight", "BFF_MAX_CLIENT_IN_FLIGHT", INT, max_client_in_flight, 200, 1, 10000000)                \
    X("providers_ca_file", "BFF_PROVIDERS_CA_FILE", STR, providers_ca_file, "", 0, 0)                                 \
    X("bulkheads", "BFF_BULKHEADS", JSON, bulkheads, "{}", 0, 0)                                                      \
    X("catalog_cache_ttl_ms", "BFF_CATALOG_CACHE_TTL_MS", INT, catalog_cache_ttl_ms, 30000, 0, 86400000)              \
    X("catalog_cache_stale_ms", "BFF_CATALOG_CACHE_STALE_MS", INT, catalog_cache_stale_ms, 60000, 0, 86400000)        \
    X("catalog_cache_bytes", "BFF_CATALOG_CACHE_BYTES", INT, catalog_cache_bytes, 33554432, 65536, 17179869184)      \
    X("otlp_endpoint", "BFF_OTLP_ENDPOINT", STR, otlp_endpoint, "", 0, 0)                                             \
    X("otlp_timeout_ms", "BFF_OTLP_TIMEOUT_MS", INT, otlp_timeout_ms, 5000, 10, 600000)                              \
    X("otlp_flush_ms", "BFF_OTLP_FLUSH_MS", INT, otlp_flush_ms, 1000, 10, 600000)                                    \
    X("otlp_max_queue_spans", "BFF_OTLP_MAX_QUEUE_SPANS", INT, otlp_max_queue_spans, 4096, 1, 10000000)              \
    X("otlp_service_name", "BFF_OTLP_SERVICE_NAME", STR, otlp_service_name, "storefront-bff", 0, 0)                  \
    X("trace_sample_ratio", "BFF_TRACE_SAMPLE_RATIO", RATIO, trace_sample_ratio, 1.0, 0, 1)

#define BFF_CONFIG_FIELD_STR(field) char *field;
#define BFF_CONFIG_FIELD_JSON(field) char *field; /* JSON text: an object in the file, JSON in the environment */
#define BFF_CONFIG_FIELD_INT(field) int64_t field;
#define BFF_CONFIG_FIELD_BOOL(field) int64_t field;
#define BFF_CONFIG_FIELD_RATIO(field) double field;

typedef struct st_bff_config_t {
#define BFF_CONFIG_FIELD(key, env, type, field, def, min, max) BFF_CONFIG_FIELD_##type(field)
    BFF_CONFIG_SETTINGS(BFF_CONFIG_FIELD)
#undef BFF_CONFIG_FIELD
    /* parsed from listen */
    char host[256];
    int port;
} bff_config_t;

/* Defaults. */
void bff_config_init(bff_config_t *c);
/* Loads a JSON file over the current values; returns 0, or -1 with a message in err (size errlen). */
int bff_config_load_file(bff_config_t *c, const char *path, char *err, size_t errlen);
/* Applies BFF_* environment variables. */
int bff_config_load_env(bff_config_t *c, char *err, size_t errlen);
/* Sets one setting by JSON key from text (command line). */
int bff_config_set(bff_config_t *c, const char *key, const char *value, char *err, size_t errlen);
/* Checks the whole (listen address, TLS pair) and fills derived fields. */
int bff_config_finish(bff_config_t *c, char *err, size_t errlen);
void bff_config_free(bff_config_t *c);

#endif
