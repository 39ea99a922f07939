/*
 * span.c - spans written as OTLP protobuf messages as they end, batched per
 * worker and sent to the collector (see span.h). The wire format is
 * opentelemetry-proto's trace/v1 (ExportTraceServiceRequest), written by
 * hand: tags, varints, fixed64 times and length-delimited fields. A span is
 * written in place at the end of the worker's batch, behind room for its
 * length; nested messages inside it (attributes, events, status) have
 * lengths known before they are written.
 */
#include "span.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"

/* Protobuf wire types. */
enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2 };

/* opentelemetry.proto.trace.v1.Span fields */
enum {
    SPAN_TRACE_ID = 1,
    SPAN_SPAN_ID = 2,
    SPAN_TRACE_STATE = 3,
    SPAN_PARENT_SPAN_ID = 4,
    SPAN_NAME = 5,
    SPAN_KIND = 6,
    SPAN_START = 7,
    SPAN_END = 8,
    SPAN_ATTRIBUTES = 9,
    SPAN_EVENTS = 11,
    SPAN_STATUS = 15,
    SPAN_FLAGS = 16,
};

struct st_bff_tracer_t {
    uv_loop_t *loop;
    bff_upstream_t *upstream;
    bff_tracer_stats_t *stats;
    char *url;
    double ratio;
    uint64_t threshold; /* ratio * 2^56: trace ids whose low 56 bits are below are sampled */
    uint32_t timeout_ms, max_queue_spans, batch_spans;
    uv_timer_t flush_timer;
    bff_buf_t scratch;    /* a span written while the queue is full: dropped at its end */
    bool building;        /* between bff_span_begin and bff_span_end */
    bff_buf_t batch;      /* ended spans: each a ScopeSpans.spans field (tag, length, Span) */
    uint32_t nbatch;
    bff_buf_t resource;   /* ResourceSpans.resource, written once */
    bff_buf_t scope;      /* ScopeSpans.scope, written once */
    bff_buf_t body;       /* the export in flight */
    uint32_t nsending;    /* its spans */
    bff_upstream_call_t *sending;
    bool flush_soon;      /* a zero timer is set: the batch is full enough */
    bool timer_started;   /* the flush timer runs (from the first span on) */
    uint32_t flush_ms;
};

/* ---- protobuf writing ---- */

/*
 * Fields are written straight into the buffer: room() makes space for a
 * field's bytes once, then tags, varints and bytes go in through a pointer
 * (a span is a few hundred bytes of short fields; a call per byte run was a
 * third of tracing's cost).
 */
static inline uint8_t *room(bff_buf_t *b, size_t n)
{
    if (b->cap - b->len < n + 1)
        bff_buf_reserve(b, n);
    return (uint8_t *)b->data + b->len;
}

static inline void done(bff_buf_t *b, const uint8_t *p)
{
    b->len = (size_t)((const char *)p - b->data);
}

static inline size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}

static inline uint8_t *w_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static inline uint8_t *w_tag(uint8_t *p, unsigned field, unsigned wt)
{
    return w_varint(p, (uint64_t)field << 3 | wt);
}

static inline uint8_t *w_bytes(uint8_t *p, unsigned field, const void *data, size_t n)
{
    p = w_tag(p, field, WT_LEN);
    p = w_varint(p, n);
    memcpy(p, data, n);
    return p + n;
}

static inline uint8_t *w_fixed64(uint8_t *p, unsigned field, uint64_t v)
{
    p = w_tag(p, field, WT_I64);
    for (int i = 0; i < 8; ++i)
        *p++ = (uint8_t)(v >> (8 * i));
    return p;
}

static void put_bytes(bff_buf_t *b, unsigned field, const void *data, size_t n)
{
    done(b, w_bytes(room(b, 12 + n), field, data, n));
}

/* The size of a length-delimited field (tag of one byte: fields below 16) holding n bytes. */
static inline size_t len_field(size_t n)
{
    return 1 + varint_len(n) + n;
}

/* Hex digits to bytes (ids are checked lowercase hex by trace.c). */
static void hex_bytes(const char *hex, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        uint8_t hi = (uint8_t)hex[2 * i], lo = (uint8_t)hex[2 * i + 1];
        hi = hi <= '9' ? hi - '0' : hi - 'a' + 10;
        lo = lo <= '9' ? lo - '0' : lo - 'a' + 10;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
}

/* Strings in spans are at most this many bytes. */
#define SPAN_STRING_MAX 1024

/*
 * The longest prefix of s[0..n) that is valid UTF-8 and at most
 * SPAN_STRING_MAX bytes, ending at a character's end: protobuf strings must be
 * UTF-8 (a collector refuses the whole export otherwise), and a header or an
 * operation name a client chose may be anything.
 */
static size_t utf8_prefix(const char *str, size_t n)
{
    const uint8_t *s = (const uint8_t *)str;
    size_t i = 0, cap = n < SPAN_STRING_MAX ? n : SPAN_STRING_MAX;
    while (i + 8 <= cap) { /* ASCII, eight bytes at a time */
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ull)
            break;
        i += 8;
    }
    while (i < cap) {
        uint8_t c = s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 && c >= 0xC2 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 && c <= 0xF4 ? 4 : 0;
        if (len == 0 || i + len > cap)
            break;
        if (len >= 2) {
            uint8_t c1 = s[i + 1];
            bool ok = (c1 & 0xC0) == 0x80 && !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 > 0x9F) &&
                      !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 > 0x8F);
            for (size_t k = 2; k < len; ++k)
                ok = ok && (s[i + k] & 0xC0) == 0x80;
            if (!ok)
                break;
        }
        i += len;
    }
    return i;
}

/* A KeyValue field: AnyValue kinds 1 string, 2 bool, 3 int. */
static uint8_t *w_kv(uint8_t *p, unsigned field, const char *key, size_t klen, unsigned kind, const char *s, size_t slen,
                     uint64_t v)
{
    size_t any = kind == 1 ? len_field(slen) : 1 + varint_len(v);
    p = w_tag(p, field, WT_LEN);
    p = w_varint(p, len_field(klen) + len_field(any));
    p = w_bytes(p, 1, key, klen);
    p = w_tag(p, 2, WT_LEN);
    p = w_varint(p, any);
    if (kind == 1)
        return w_bytes(p, 1, s, slen);
    p = w_tag(p, kind, WT_VARINT);
    return w_varint(p, v);
}

/* The most bytes w_kv writes for a key and a string of these lengths (or a number: slen 0). */
static inline size_t kv_room(size_t klen, size_t slen)
{
    return klen + slen + 40;
}

static void put_kv(bff_buf_t *b, const char *key, unsigned kind, const char *s, size_t slen, uint64_t v)
{
    size_t klen = strlen(key);
    done(b, w_kv(room(b, kv_room(klen, slen)), SPAN_ATTRIBUTES, key, klen, kind, s, slen, v));
}

/* ---- spans ---- */

uint64_t bff_span_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * A span is written in place, at the end of the batch, behind a tag and three
 * bytes kept for its length (spans are far below 2 MiB); bff_span_end writes
 * the length and moves the span down if it needs fewer. With the queue full
 * it goes to the scratch buffer and is counted as dropped at its end.
 */
void bff_span_begin(bff_span_t *s, bff_tracer_t *t, const bff_trace_t *trace, const char *span_id,
                    const char *parent_id, const char *name, size_t name_len, bff_span_kind_t kind, uint64_t start_ns)
{
    assert(!t->building && "one span is built at a time");
    t->building = true;
    s->tracer = t;
    bool full = t->nbatch >= t->max_queue_spans;
    s->b = full ? &t->scratch : &t->batch;
    bff_buf_t *b = s->b;
    if (full)
        bff_buf_reset(b);
    s->at = b->len;
    size_t tslen = strlen(trace->tracestate);
    name_len = utf8_prefix(name, name_len);
    uint8_t *p = room(b, 4 + 18 + 10 + 10 + (3 + tslen) + 10 + (3 + name_len) + 2 + 9 + 6);
    *p++ = 2 << 3 | WT_LEN; /* ScopeSpans.spans */
    p += 3;                 /* its length, at the end */
    uint8_t id[16];
    hex_bytes(trace->trace_id, id, 16);
    p = w_bytes(p, SPAN_TRACE_ID, id, 16);
    hex_bytes(span_id, id, 8);
    p = w_bytes(p, SPAN_SPAN_ID, id, 8);
    if (tslen > 0)
        p = w_bytes(p, SPAN_TRACE_STATE, trace->tracestate, tslen);
    if (parent_id != NULL && parent_id[0] != '\0') {
        hex_bytes(parent_id, id, 8);
        p = w_bytes(p, SPAN_PARENT_SPAN_ID, id, 8);
    }
    p = w_bytes(p, SPAN_NAME, name, name_len);
    p = w_tag(p, SPAN_KIND, WT_VARINT);
    p = w_varint(p, (uint64_t)kind);
    p = w_fixed64(p, SPAN_START, start_ns);
    /* flags (fixed32): the W3C trace flags, and "the parent is remote" known (bit 8) and set (bit 9) when it is */
    bool remote = parent_id == trace->parent_id && parent_id != NULL && parent_id[0] != '\0';
    uint32_t flags = trace->flags | 0x100u | (remote ? 0x200u : 0);
    p = w_tag(p, SPAN_FLAGS, 5);
    for (int i = 0; i < 4; ++i)
        *p++ = (uint8_t)(flags >> (8 * i));
    done(b, p);
}

void bff_span_str(bff_span_t *s, const char *key, const char *value, size_t len)
{
    put_kv(s->b, key, 1, value, utf8_prefix(value, len), 0);
}

void bff_span_int(bff_span_t *s, const char *key, int64_t value)
{
    put_kv(s->b, key, 3, NULL, 0, (uint64_t)value);
}

void bff_span_bool(bff_span_t *s, const char *key, bool value)
{
    put_kv(s->b, key, 2, NULL, 0, value ? 1 : 0);
}

void bff_span_event(bff_span_t *s, const char *name, uint64_t time_ns, const char *code, const char *message)
{
    char kcode[64], kmsg[64];
    size_t nlen = strlen(name);
    if (nlen > sizeof(kcode) - sizeof(".message"))
        nlen = sizeof(kcode) - sizeof(".message");
    memcpy(kcode, name, nlen);
    memcpy(kcode + nlen, ".code", sizeof(".code"));
    memcpy(kmsg, name, nlen);
    memcpy(kmsg + nlen, ".message", sizeof(".message"));
    size_t kclen = nlen + 5, kmlen = nlen + 8;
    size_t clen = code != NULL ? utf8_prefix(code, strlen(code)) : 0;
    size_t mlen = message != NULL ? utf8_prefix(message, strlen(message)) : 0;
    size_t kv_code = code != NULL ? len_field(len_field(kclen) + len_field(len_field(clen))) : 0;
    size_t kv_msg = message != NULL ? len_field(len_field(kmlen) + len_field(len_field(mlen))) : 0;
    size_t len = 9 + len_field(nlen) + kv_code + kv_msg;
    uint8_t *p = room(s->b, len + 8);
    p = w_tag(p, SPAN_EVENTS, WT_LEN);
    p = w_varint(p, len);
    p = w_fixed64(p, 1, time_ns);
    p = w_bytes(p, 2, name, nlen);
    if (code != NULL)
        p = w_kv(p, 3, kcode, kclen, 1, code, clen, 0);
    if (message != NULL)
        p = w_kv(p, 3, kmsg, kmlen, 1, message, mlen, 0);
    done(s->b, p);
}

void bff_span_error(bff_span_t *s, const char *type, const char *message)
{
    if (type != NULL)
        bff_span_str(s, "error.type", type, strlen(type));
    size_t mlen = message != NULL ? utf8_prefix(message, strlen(message)) : 0;
    size_t len = (message != NULL ? len_field(mlen) : 0) + 2; /* Status: message (2), code (3) = ERROR (2) */
    uint8_t *p = room(s->b, len + 8);
    p = w_tag(p, SPAN_STATUS, WT_LEN);
    p = w_varint(p, len);
    if (message != NULL)
        p = w_bytes(p, 2, message, mlen);
    p = w_tag(p, 3, WT_VARINT);
    p = w_varint(p, 2);
    done(s->b, p);
}

static void on_flush(uv_timer_t *timer);

void bff_span_end(bff_span_t *s, uint64_t end_ns)
{
    bff_tracer_t *t = s->tracer;
    assert(t->building && "a span begun");
    t->building = false;
    bff_buf_t *b = s->b;
    done(b, w_fixed64(room(b, 9), SPAN_END, end_ns));
    if (b == &t->scratch) {
        atomic_fetch_add_explicit(&t->stats->spans_dropped_full, 1, memory_order_relaxed);
        return;
    }
    size_t body = s->at + 4, len = b->len - body;
    assert(len < (1u << 21) && "a span's length fits the three bytes kept for it");
    uint8_t lenbytes[3];
    size_t n = (size_t)(w_varint(lenbytes, len) - lenbytes);
    memcpy(b->data + s->at + 1, lenbytes, n);
    if (n < 3) {
        memmove(b->data + s->at + 1 + n, b->data + body, len);
        b->len -= 3 - n;
    }
    t->nbatch++;
    if (!t->timer_started) { /* the first span: from now on the batch goes out every flush_ms */
        t->timer_started = true;
        uv_timer_init(t->loop, &t->flush_timer);
        t->flush_timer.data = t;
        uv_timer_start(&t->flush_timer, on_flush, t->flush_ms, t->flush_ms);
        uv_unref((uv_handle_t *)&t->flush_timer);
    }
    if (t->nbatch >= t->batch_spans && t->sending == NULL && !t->flush_soon) {
        t->flush_soon = true;
        uv_timer_start(&t->flush_timer, on_flush, 0, t->flush_ms); /* then every flush_ms again */
    }
}

/* ---- sampling ---- */

bool bff_tracer_sample(const bff_tracer_t *t, bff_trace_t *trace)
{
    if (trace->parent_id[0] != '\0')
        return (trace->flags & 1) != 0;
    uint64_t low = 0;
    for (int i = 18; i < 32; ++i) { /* the low 56 bits: the last 14 hex digits */
        char c = trace->trace_id[i];
        low = low << 4 | (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    bool sampled = t->ratio >= 1.0 || low < t->threshold;
    trace->flags = (uint8_t)((trace->flags & ~1u) | (sampled ? 1u : 0u));
    return sampled;
}

/* ---- export ---- */

static void flush_now(bff_tracer_t *t);

static void on_exported(const bff_upstream_response_t *res, void *arg)
{
    bff_tracer_t *t = arg;
    t->sending = NULL;
    bool ok = res->error == BFF_UPSTREAM_OK && res->status >= 200 && res->status <= 299;
    atomic_fetch_add_explicit(ok ? &t->stats->spans_exported : &t->stats->spans_dropped_failed, t->nsending,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(ok ? &t->stats->exports_ok : &t->stats->exports_failed, 1, memory_order_relaxed);
    t->nsending = 0;
    if (t->nbatch >= t->batch_spans)
        flush_now(t);
}

static void flush_now(bff_tracer_t *t)
{
    if (t->sending != NULL || t->nbatch == 0)
        return;
    /* ExportTraceServiceRequest { resource_spans (1): ResourceSpans { resource (1), scope_spans (2): ScopeSpans {
       scope (1), spans (2)... } } } */
    size_t scope_spans = t->scope.len + t->batch.len;
    size_t resource_spans = t->resource.len + 1 + varint_len(scope_spans) + scope_spans;
    bff_buf_t *b = &t->body;
    bff_buf_reset(b);
    uint8_t *p = room(b, resource_spans + 16);
    p = w_tag(p, 1, WT_LEN);
    p = w_varint(p, resource_spans);
    memcpy(p, t->resource.data, t->resource.len);
    p += t->resource.len;
    p = w_tag(p, 2, WT_LEN);
    p = w_varint(p, scope_spans);
    memcpy(p, t->scope.data, t->scope.len);
    p += t->scope.len;
    memcpy(p, t->batch.data, t->batch.len);
    done(b, p + t->batch.len);
    t->nsending = t->nbatch;
    t->nbatch = 0;
    bff_buf_reset(&t->batch);
    static const char *const headers[] = {"Content-Type: application/x-protobuf"};
    bff_upstream_request_t req = {
        .method = "POST",
        .url = t->url,
        .headers = headers,
        .nheaders = 1,
        .body = b->data,
        .body_len = b->len,
        .timeout_ms = t->timeout_ms,
        .connect_timeout_ms = t->timeout_ms,
        .max_response_bytes = 65536,
    };
    t->sending = bff_upstream_send(t->upstream, &req, on_exported, t);
    if (t->sending == NULL) { /* could not even start: as a failed export */
        atomic_fetch_add_explicit(&t->stats->spans_dropped_failed, t->nsending, memory_order_relaxed);
        atomic_fetch_add_explicit(&t->stats->exports_failed, 1, memory_order_relaxed);
        t->nsending = 0;
    }
}

static void on_flush(uv_timer_t *timer)
{
    bff_tracer_t *t = timer->data;
    t->flush_soon = false;
    flush_now(t);
}

void bff_tracer_flush(bff_tracer_t *t)
{
    if (t != NULL)
        flush_now(t);
}

bool bff_tracer_idle(const bff_tracer_t *t)
{
    return t == NULL || (t->sending == NULL && t->nbatch == 0);
}

/* A Resource or InstrumentationScope attribute list entry: KeyValue with a string. */
static void put_attr(bff_buf_t *b, unsigned field, const char *key, const char *value)
{
    size_t klen = strlen(key), vlen = utf8_prefix(value, strlen(value));
    done(b, w_kv(room(b, kv_room(klen, vlen)), field, key, klen, 1, value, vlen, 0));
}

bff_tracer_t *bff_tracer_new(uv_loop_t *loop, bff_upstream_t *upstream, const bff_tracer_conf_t *conf,
                             bff_tracer_stats_t *stats)
{
    bff_tracer_t *t = bff_xcalloc(1, sizeof(*t));
    t->loop = loop;
    t->upstream = upstream;
    t->stats = stats;
    size_t n = strlen(conf->endpoint);
    while (n > 0 && conf->endpoint[n - 1] == '/')
        --n;
    t->url = bff_xmalloc(n + sizeof("/v1/traces"));
    memcpy(t->url, conf->endpoint, n);
    memcpy(t->url + n, "/v1/traces", sizeof("/v1/traces"));
    t->ratio = conf->sample_ratio < 0 ? 0 : conf->sample_ratio > 1 ? 1 : conf->sample_ratio;
    t->threshold = (uint64_t)(t->ratio * 72057594037927936.0); /* 2^56 */
    t->timeout_ms = conf->timeout_ms ? conf->timeout_ms : 5000;
    t->max_queue_spans = conf->max_queue_spans ? conf->max_queue_spans : 2048;
    t->batch_spans = conf->batch_spans ? conf->batch_spans : 512;
    bff_buf_init(&t->scratch);
    bff_buf_init(&t->batch);
    bff_buf_init(&t->body);
    /* ResourceSpans.resource (1): Resource { attributes (1) } */
    bff_buf_t r = BFF_BUF_INIT;
    put_attr(&r, 1, "service.name", conf->service_name ? conf->service_name : "storefront-bff");
    if (conf->service_version != NULL)
        put_attr(&r, 1, "service.version", conf->service_version);
    if (conf->instance_id != NULL)
        put_attr(&r, 1, "service.instance.id", conf->instance_id);
    put_attr(&r, 1, "telemetry.sdk.name", "storefront-bff");
    put_attr(&r, 1, "telemetry.sdk.language", "c");
    bff_buf_init(&t->resource);
    put_bytes(&t->resource, 1, r.data, r.len);
    bff_buf_free(&r);
    /* ScopeSpans.scope (1): InstrumentationScope { name (1), version (2) } */
    bff_buf_t sc = BFF_BUF_INIT;
    put_bytes(&sc, 1, "storefront-bff", strlen("storefront-bff"));
    if (conf->service_version != NULL)
        put_bytes(&sc, 2, conf->service_version, strlen(conf->service_version));
    bff_buf_init(&t->scope);
    put_bytes(&t->scope, 1, sc.data, sc.len);
    bff_buf_free(&sc);
    t->flush_ms = conf->flush_ms ? conf->flush_ms : 1000;
    return t;
}

void bff_tracer_free(bff_tracer_t *t)
{
    if (t == NULL)
        return;
    /* the loop has stopped: the timer (out of the loop's timer heap) and an export in flight are abandoned with it */
    if (t->timer_started)
        uv_timer_stop(&t->flush_timer);
    bff_buf_free(&t->scratch);
    bff_buf_free(&t->batch);
    bff_buf_free(&t->body);
    bff_buf_free(&t->resource);
    bff_buf_free(&t->scope);
    free(t->url);
    free(t);
}
