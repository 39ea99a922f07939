/*
 * metrics.h - Prometheus metrics of the server: requests by operation name
 * and status, a latency histogram, requests in flight, GraphQL errors by
 * extensions.code, open connections.
 *
 * Counters keyed by label values live in small tables under a mutex (label
 * values are bounded: at most BFF_METRICS_MAX_SERIES operation names, later
 * ones count as "other"); the histogram and gauges are atomics.
 */
#ifndef BFF_SERVER_METRICS_H
#define BFF_SERVER_METRICS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "base/buf.h"

#define BFF_METRICS_MAX_SERIES 256
/* Operation names longer than this, or not GraphQL names, are counted as "other". */
#define BFF_METRICS_LABEL_MAX 64
#define BFF_METRICS_BUCKETS 12

typedef struct st_bff_metric_series_t {
    char *label1; /* operation name or error code */
    int status;   /* requests: HTTP status; errors: unused */
    uint64_t count;
} bff_metric_series_t;

typedef struct st_bff_metrics_t {
    pthread_mutex_t lock;
    bff_metric_series_t requests[BFF_METRICS_MAX_SERIES];
    int nrequests;
    bff_metric_series_t errors[BFF_METRICS_MAX_SERIES];
    int nerrors;
    atomic_ullong latency_buckets[BFF_METRICS_BUCKETS + 1]; /* last: +Inf */
    atomic_ullong latency_count;
    atomic_ullong latency_sum_us;
    atomic_long in_flight;
} bff_metrics_t;

void bff_metrics_init(bff_metrics_t *m);
void bff_metrics_dispose(bff_metrics_t *m);
void bff_metrics_request(bff_metrics_t *m, const char *operation, int status, uint64_t duration_us);
void bff_metrics_error(bff_metrics_t *m, const char *code);
/* Prometheus text exposition format 0.0.4. */
void bff_metrics_write(bff_metrics_t *m, bff_buf_t *out, long connections);

#endif
