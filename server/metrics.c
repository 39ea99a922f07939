/*
 * metrics.c - see metrics.h. Series tables are append-only arrays scanned
 * linearly under the mutex (a few hundred entries at most).
 */
#include "metrics.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

static const double bucket_bounds[BFF_METRICS_BUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                          0.1,   0.25,   0.5,   1,    2.5,   5};

void bff_metrics_init(bff_metrics_t *m)
{
    memset(m, 0, sizeof(*m));
    pthread_mutex_init(&m->lock, NULL);
}

void bff_metrics_dispose(bff_metrics_t *m)
{
    for (int i = 0; i < m->nrequests; ++i)
        free(m->requests[i].label1);
    for (int i = 0; i < m->nerrors; ++i)
        free(m->errors[i].label1);
    pthread_mutex_destroy(&m->lock);
}

static void bump(bff_metric_series_t *table, int *n, const char *label, int status)
{
    for (int i = 0; i < *n; ++i) {
        if (table[i].status == status && strcmp(table[i].label1, label) == 0) {
            table[i].count++;
            return;
        }
    }
    if (*n < BFF_METRICS_MAX_SERIES - 1) {
        table[*n] = (bff_metric_series_t){bff_xstrdup(label), status, 1};
        ++*n;
        return;
    }
    /* full: count under "other" (the last slot) */
    bff_metric_series_t *other = &table[BFF_METRICS_MAX_SERIES - 1];
    if (other->label1 == NULL)
        *other = (bff_metric_series_t){bff_xstrdup("other"), 0, 0};
    other->count++;
}

/* An operation name fit for a label: a GraphQL name of at most BFF_METRICS_LABEL_MAX bytes, else "other". */
static const char *operation_label(const char *operation)
{
    if (operation == NULL)
        return "";
    size_t n = 0;
    for (const char *p = operation; *p; ++p, ++n) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' || (n > 0 && *p >= '0' && *p <= '9');
        if (!ok || n >= BFF_METRICS_LABEL_MAX)
            return "other";
    }
    return operation;
}

void bff_metrics_request(bff_metrics_t *m, const char *operation, int status, uint64_t duration_us)
{
    pthread_mutex_lock(&m->lock);
    bump(m->requests, &m->nrequests, operation_label(operation), status);
    pthread_mutex_unlock(&m->lock);
    double s = (double)duration_us / 1e6;
    int b = 0;
    while (b < BFF_METRICS_BUCKETS && s > bucket_bounds[b])
        ++b;
    atomic_fetch_add(&m->latency_buckets[b], 1);
    atomic_fetch_add(&m->latency_count, 1);
    atomic_fetch_add(&m->latency_sum_us, duration_us);
}

void bff_metrics_error(bff_metrics_t *m, const char *code)
{
    pthread_mutex_lock(&m->lock);
    bump(m->errors, &m->nerrors, code ? code : "UNKNOWN", 0);
    pthread_mutex_unlock(&m->lock);
}

/* A label value with \, " and newline escaped. */
static void label(bff_buf_t *out, const char *s)
{
    for (; *s; ++s) {
        if (*s == '\\' || *s == '"')
            bff_buf_appendc(out, '\\');
        if (*s == '\n') {
            bff_buf_appends(out, "\\n");
            continue;
        }
        bff_buf_appendc(out, *s);
    }
}

void bff_metrics_write(bff_metrics_t *m, bff_buf_t *out, long connections)
{
    bff_buf_appends(out, "# HELP bff_http_requests_total GraphQL requests by operation name and HTTP status.\n"
                         "# TYPE bff_http_requests_total counter\n");
    pthread_mutex_lock(&m->lock);
    for (int i = 0; i < BFF_METRICS_MAX_SERIES; ++i) {
        bff_metric_series_t *s = &m->requests[i];
        if (s->label1 == NULL)
            continue;
        bff_buf_appends(out, "bff_http_requests_total{operation=\"");
        label(out, s->label1);
        bff_buf_printf(out, "\",status=\"%d\"} %llu\n", s->status, (unsigned long long)s->count);
    }
    bff_buf_appends(out, "# HELP bff_graphql_errors_total GraphQL errors in responses by extensions.code.\n"
                         "# TYPE bff_graphql_errors_total counter\n");
    for (int i = 0; i < BFF_METRICS_MAX_SERIES; ++i) {
        bff_metric_series_t *s = &m->errors[i];
        if (s->label1 == NULL)
            continue;
        bff_buf_appends(out, "bff_graphql_errors_total{code=\"");
        label(out, s->label1);
        bff_buf_printf(out, "\"} %llu\n", (unsigned long long)s->count);
    }
    pthread_mutex_unlock(&m->lock);
    bff_buf_appends(out, "# HELP bff_http_request_duration_seconds Time from request to response, GraphQL requests.\n"
                         "# TYPE bff_http_request_duration_seconds histogram\n");
    unsigned long long cumulative = 0;
    for (int b = 0; b <= BFF_METRICS_BUCKETS; ++b) {
        cumulative += atomic_load(&m->latency_buckets[b]);
        if (b < BFF_METRICS_BUCKETS)
            bff_buf_printf(out, "bff_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", bucket_bounds[b],
                           cumulative);
        else
            bff_buf_printf(out, "bff_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cumulative);
    }
    bff_buf_printf(out, "bff_http_request_duration_seconds_sum %.6f\n",
                   (double)atomic_load(&m->latency_sum_us) / 1e6);
    bff_buf_printf(out, "bff_http_request_duration_seconds_count %llu\n",
                   (unsigned long long)atomic_load(&m->latency_count));
    bff_buf_printf(out,
                   "# HELP bff_http_requests_in_flight GraphQL requests being served.\n"
                   "# TYPE bff_http_requests_in_flight gauge\nbff_http_requests_in_flight %ld\n",
                   atomic_load(&m->in_flight));
    bff_buf_printf(out,
                   "# HELP bff_connections Open client connections.\n"
                   "# TYPE bff_connections gauge\nbff_connections %ld\n",
                   connections);
}
