/*
 * json_parse.c - JSON text to jansson values (see json_parse.h).
 *
 * A recursive descent over the bytes in place: the reader holds a cursor and
 * the end, never looks past it, and needs no NUL at the end. Strings without
 * escapes go to json_stringn_nocheck straight from the input once their UTF-8
 * is checked; strings with escapes are decoded into the reader's scratch
 * buffer first (a key decoded there is copied before its value is read, since
 * the value may reuse the scratch). Values are built as they are read; on an
 * error everything built so far is released and the first error is kept.
 */
#include "json_parse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* The tree reader and the pull reader share the cursor, the scratch and the error (json_parse.h). */
typedef bff_json_pull_t reader_t;

static json_t *fail(reader_t *r, const unsigned char *at, const char *what)
{
    r->failed = true;
    if (r->err != NULL && r->err->text[0] == '\0') {
        r->err->position = (size_t)(at - r->start);
        snprintf(r->err->text, sizeof(r->err->text), "%s", what);
    }
    return NULL;
}

static inline void skip_ws(reader_t *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
        ++r->p;
}

static inline bool is_digit(const reader_t *r, const unsigned char *q)
{
    return q < r->end && *q >= '0' && *q <= '9';
}

static inline bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* The length of the well-formed UTF-8 sequence at p (p[0] >= 0x80), or 0: no overlongs, surrogates or > U+10FFFF. */
static size_t utf8_sequence(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    if (c < 0xC2)
        return 0;
    if (c < 0xE0)
        return end - p >= 2 && is_cont(p[1]) ? 2 : 0;
    if (c < 0xF0) {
        if (end - p < 3 || !is_cont(p[1]) || !is_cont(p[2]))
            return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F))
            return 0;
        return 3;
    }
    if (c < 0xF5) {
        if (end - p < 4 || !is_cont(p[1]) || !is_cont(p[2]) || !is_cont(p[3]))
            return 0;
        if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))
            return 0;
        return 4;
    }
    return 0;
}

static int hex4(const unsigned char *q, const unsigned char *end)
{
    if (end - q < 4)
        return -1;
    int v = 0;
    for (int i = 0; i < 4; ++i) {
        unsigned char c = q[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static void append_utf8(bff_buf_t *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    bff_buf_append(b, u, n);
}

/* The string after the opening quote: *out points into the input, or into the scratch when it had escapes. */
/* Eight bytes with nothing to look at in a string: ASCII, no control character, no quote, no backslash. */
static inline bool plain8(const unsigned char *q)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t x, quote, backslash;
    memcpy(&x, q, sizeof(x));
    quote = x ^ (ones * '"');
    backslash = x ^ (ones * '\\');
    /* (v - ones) & ~v & high is non-zero iff some byte of v is zero; (x - 0x20s) & ~x & high iff some byte is < 0x20 */
    return ((x & high) | ((quote - ones) & ~quote & high) | ((backslash - ones) & ~backslash & high) |
            ((x - ones * 0x20) & ~x & high)) == 0;
}

static int read_string(reader_t *r, const char **out, size_t *outlen, bool *in_scratch)
{
    const unsigned char *s = r->p, *q = s;
    while (q + 8 <= r->end && plain8(q))
        q += 8;
    while (q < r->end) { /* the usual case: no escapes */
        unsigned char c = *q;
        if (c == '"') {
            *out = (const char *)s;
            *outlen = (size_t)(q - s);
            *in_scratch = false;
            r->p = q + 1;
            return 0;
        }
        if (c == '\\')
            break;
        if (c < 0x20)
            return fail(r, q, "control character in a string"), -1;
        if (c < 0x80) {
            ++q;
            continue;
        }
        size_t n = utf8_sequence(q, r->end);
        if (n == 0)
            return fail(r, q, "invalid UTF-8 in a string"), -1;
        q += n;
    }
    if (q >= r->end)
        return fail(r, s - 1, "unterminated string"), -1;
    bff_buf_t *b = &r->scratch;
    b->len = 0;
    bff_buf_append(b, (const char *)s, (size_t)(q - s));
    while (q < r->end) {
        unsigned char c = *q;
        if (c == '"') {
            *out = b->data;
            *outlen = b->len;
            *in_scratch = true;
            r->p = q + 1;
            return 0;
        }
        if (c == '\\') {
            if (q + 1 >= r->end)
                break;
            unsigned char e = q[1];
            const char *simple = e == '"' ? "\"" : e == '\\' ? "\\" : e == '/' ? "/" : e == 'b' ? "\b" : e == 'f' ? "\f"
                               : e == 'n' ? "\n" : e == 'r' ? "\r" : e == 't' ? "\t" : NULL;
            if (simple != NULL) {
                bff_buf_append(b, simple, 1);
                q += 2;
                continue;
            }
            if (e != 'u')
                return fail(r, q, "invalid escape in a string"), -1;
            int cp = hex4(q + 2, r->end);
            if (cp < 0)
                return fail(r, q, "invalid \\u escape in a string"), -1;
            q += 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) { /* a high surrogate: its low half must follow */
                int lo = q + 1 < r->end && q[0] == '\\' && q[1] == 'u' ? hex4(q + 2, r->end) : -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return fail(r, q - 6, "invalid Unicode escape (a lone surrogate)"), -1;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                q += 6;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return fail(r, q - 6, "invalid Unicode escape (a lone surrogate)"), -1;
            } else if (cp == 0) {
                return fail(r, q - 6, "\\u0000 is not allowed in a string"), -1;
            }
            append_utf8(b, (unsigned)cp);
            continue;
        }
        if (c < 0x20)
            return fail(r, q, "control character in a string"), -1;
        const unsigned char *run = q; /* a run up to the next quote, backslash or control character, copied at once */
        while (q < r->end && *q != '"' && *q != '\\' && *q >= 0x20) {
            if (*q < 0x80) {
                ++q;
                continue;
            }
            size_t n = utf8_sequence(q, r->end);
            if (n == 0)
                return fail(r, q, "invalid UTF-8 in a string"), -1;
            q += n;
        }
        bff_buf_append(b, (const char *)run, (size_t)(q - run));
    }
    return fail(r, s - 1, "unterminated string"), -1;
}

/* The extent of the number at r->p (RFC 8259 grammar), whether it has a fraction or an exponent; -1 with the error set. */
static int scan_number(reader_t *r, const unsigned char **end, bool *is_real)
{
    const unsigned char *s = r->p, *q = s;
    bool real = false;
    if (q < r->end && *q == '-')
        ++q;
    if (!is_digit(r, q))
        return fail(r, s, "invalid number"), -1;
    if (*q == '0') {
        ++q;
        if (is_digit(r, q))
            return fail(r, s, "invalid number (a leading zero)"), -1;
    } else {
        while (is_digit(r, q))
            ++q;
    }
    if (q < r->end && *q == '.') {
        real = true;
        ++q;
        if (!is_digit(r, q))
            return fail(r, s, "invalid number"), -1;
        while (is_digit(r, q))
            ++q;
    }
    if (q < r->end && (*q == 'e' || *q == 'E')) {
        real = true;
        ++q;
        if (q < r->end && (*q == '+' || *q == '-'))
            ++q;
        if (!is_digit(r, q))
            return fail(r, s, "invalid number"), -1;
        while (is_digit(r, q))
            ++q;
    }
    *end = q;
    *is_real = real;
    return 0;
}

static json_t *read_number(reader_t *r)
{
    const unsigned char *s = r->p, *q;
    bool real;
    if (scan_number(r, &q, &real) != 0)
        return NULL;
    size_t n = (size_t)(q - s);
    char small[64];
    char *text = small;
    if (n >= sizeof(small)) {
        r->scratch.len = 0;
        bff_buf_append(&r->scratch, (const char *)s, n);
        text = r->scratch.data;
    } else {
        memcpy(small, s, n);
        small[n] = '\0';
    }
    r->p = q;
    errno = 0;
    if (!real) {
        long long v = strtoll(text, NULL, 10);
        if (errno == ERANGE)
            return fail(r, s, v < 0 ? "too big negative integer" : "too big integer");
        return json_integer((json_int_t)v);
    }
    double d = strtod(text, NULL);
    if (errno == ERANGE && (d > 1.0 || d < -1.0))
        return fail(r, s, "real number overflow");
    return json_real(d);
}

static json_t *read_value(reader_t *r);

/* `close` at once: an empty array or object (the character is consumed). */
static bool closes_at_once(reader_t *r, char close)
{
    skip_ws(r);
    if (r->p < r->end && *r->p == close) {
        ++r->p;
        return true;
    }
    return false;
}

/* After an element or member: 1 on ',' (another follows), 0 on `close` (consumed), -1 with the error set. */
static int next_or_close(reader_t *r, char close, const char *expected)
{
    skip_ws(r);
    if (r->p < r->end && *r->p == ',') {
        ++r->p;
        return 1;
    }
    if (r->p < r->end && *r->p == close) {
        ++r->p;
        return 0;
    }
    fail(r, r->p, expected);
    return -1;
}

static json_t *read_array(reader_t *r)
{
    json_t *a = json_array();
    if (closes_at_once(r, ']'))
        return a;
    for (;;) {
        json_t *v = read_value(r);
        if (v == NULL)
            break;
        json_array_append_new(a, v);
        int more = next_or_close(r, ']', "',' or ']' expected");
        if (more == 0)
            return a;
        if (more < 0)
            break;
    }
    json_decref(a);
    return NULL;
}

static json_t *read_object(reader_t *r)
{
    json_t *o = json_object();
    if (closes_at_once(r, '}'))
        return o;
    for (;;) {
        skip_ws(r);
        if (r->p >= r->end || *r->p != '"') {
            fail(r, r->p, "string or '}' expected");
            break;
        }
        ++r->p;
        const char *key;
        size_t klen;
        bool in_scratch;
        if (read_string(r, &key, &klen, &in_scratch) != 0)
            break;
        char *copy = NULL;
        if (in_scratch) /* the value may reuse the scratch */
            key = copy = strndup(key, klen);
        skip_ws(r);
        json_t *v = NULL;
        if (r->p < r->end && *r->p == ':') {
            ++r->p;
            v = read_value(r);
        } else {
            fail(r, r->p, "':' expected");
        }
        if (v != NULL)
            json_object_setn_new_nocheck(o, key, klen, v); /* steals v; the last of duplicate keys wins */
        free(copy);
        if (v == NULL)
            break;
        int more = next_or_close(r, '}', "',' or '}' expected");
        if (more == 0)
            return o;
        if (more < 0)
            break;
    }
    json_decref(o);
    return NULL;
}

static bool literal(reader_t *r, const char *word, size_t n)
{
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return false;
    r->p += n;
    return true;
}

static json_t *read_value(reader_t *r)
{
    skip_ws(r);
    if (r->p >= r->end)
        return fail(r, r->p, "unexpected end of input");
    if (++r->depth > JSON_PARSER_MAX_DEPTH)
        return fail(r, r->p, "maximum nesting depth reached");
    json_t *v = NULL;
    const unsigned char *at = r->p;
    switch (*r->p) {
    case '{':
        ++r->p;
        v = read_object(r);
        break;
    case '[':
        ++r->p;
        v = read_array(r);
        break;
    case '"': {
        ++r->p;
        const char *s;
        size_t n;
        bool in_scratch;
        if (read_string(r, &s, &n, &in_scratch) == 0)
            v = json_stringn_nocheck(s, n); /* UTF-8 checked above */
        break;
    }
    case 't': v = literal(r, "true", 4) ? json_true() : fail(r, at, "invalid token"); break;
    case 'f': v = literal(r, "false", 5) ? json_false() : fail(r, at, "invalid token"); break;
    case 'n': v = literal(r, "null", 4) ? json_null() : fail(r, at, "invalid token"); break;
    default:
        v = *r->p == '-' || (*r->p >= '0' && *r->p <= '9') ? read_number(r) : fail(r, at, "invalid token");
        break;
    }
    r->depth--;
    return v;
}

json_t *bff_json_parse(const char *text, size_t len, bff_json_error_t *err)
{
    reader_t r;
    r.p = r.start = (const unsigned char *)text;
    r.end = r.start + len;
    r.err = err;
    bff_buf_init(&r.scratch);
    r.depth = 0;
    r.failed = false;
    if (err != NULL) {
        err->position = 0;
        err->text[0] = '\0';
    }
    skip_ws(&r);
    json_t *v = NULL;
    if (r.p >= r.end || (*r.p != '{' && *r.p != '['))
        fail(&r, r.p, "'[' or '{' expected");
    else
        v = read_value(&r);
    if (v != NULL) {
        skip_ws(&r);
        if (r.p != r.end) {
            json_decref(v);
            v = fail(&r, r.p, "end of input expected");
        }
    }
    bff_buf_free(&r.scratch);
    return v;
}

/* ---- the pull reader ---- */

static bool more_at(const reader_t *r)
{
    return (r->more[r->depth >> 3] >> (r->depth & 7)) & 1;
}

static void set_more(reader_t *r, bool v)
{
    unsigned char bit = (unsigned char)(1u << (r->depth & 7));
    r->more[r->depth >> 3] = v ? (unsigned char)(r->more[r->depth >> 3] | bit) : (unsigned char)(r->more[r->depth >> 3] & ~bit);
}

void bff_json_pull_init(bff_json_pull_t *j, const char *text, size_t len)
{
    j->p = j->start = (const unsigned char *)text;
    j->end = j->start + len;
    j->err = &j->error;
    bff_buf_init(&j->scratch);
    j->depth = 0;
    j->failed = false;
    j->error.position = 0;
    j->error.text[0] = '\0';
    j->more[0] = 0;
}

void bff_json_pull_dispose(bff_json_pull_t *j)
{
    bff_buf_free(&j->scratch);
}

bool bff_json_pull_fail(bff_json_pull_t *j, const char *why)
{
    fail(j, j->p, why);
    return false;
}

bff_json_kind_t bff_json_pull_peek(bff_json_pull_t *j)
{
    if (j->failed)
        return BFF_JSON_NONE;
    skip_ws(j);
    if (j->p >= j->end)
        return BFF_JSON_NONE;
    switch (*j->p) {
    case '{': return BFF_JSON_OBJECT;
    case '[': return BFF_JSON_ARRAY;
    case '"': return BFF_JSON_STRING;
    case 't': return BFF_JSON_TRUE;
    case 'f': return BFF_JSON_FALSE;
    case 'n': return BFF_JSON_NULL;
    default: return *j->p == '-' || (*j->p >= '0' && *j->p <= '9') ? BFF_JSON_NUMBER : BFF_JSON_NONE;
    }
}

static bool enter(reader_t *r, unsigned char open, const char *expected)
{
    if (r->failed)
        return false;
    skip_ws(r);
    if (r->p >= r->end || *r->p != open)
        return fail(r, r->p, expected), false;
    if (r->depth + 1 > JSON_PARSER_MAX_DEPTH)
        return fail(r, r->p, "maximum nesting depth reached"), false;
    ++r->p;
    ++r->depth;
    set_more(r, false);
    return true;
}

bool bff_json_pull_object(bff_json_pull_t *j)
{
    return enter(j, '{', "an object expected");
}

bool bff_json_pull_array(bff_json_pull_t *j)
{
    return enter(j, '[', "an array expected");
}

/* Before the next member or item: true if one follows (its ',' consumed), false at `close` (consumed) or on an error. */
static bool next_in(reader_t *r, unsigned char close, const char *expected_first, const char *expected_next)
{
    if (r->failed)
        return false;
    skip_ws(r);
    if (r->p < r->end && *r->p == close) {
        ++r->p;
        set_more(r, false);
        r->depth--;
        return false;
    }
    if (more_at(r)) {
        if (r->p >= r->end || *r->p != ',')
            return fail(r, r->p, expected_next), false;
        ++r->p;
        skip_ws(r);
    } else if (r->p >= r->end) {
        return fail(r, r->p, expected_first), false;
    }
    set_more(r, true);
    return true;
}

bool bff_json_pull_key(bff_json_pull_t *j, const char **key, size_t *len)
{
    if (!next_in(j, '}', "string or '}' expected", "',' or '}' expected"))
        return false;
    if (j->p >= j->end || *j->p != '"')
        return fail(j, j->p, "string expected"), false;
    ++j->p;
    bool in_scratch;
    if (read_string(j, key, len, &in_scratch) != 0)
        return false;
    skip_ws(j);
    if (j->p >= j->end || *j->p != ':')
        return fail(j, j->p, "':' expected"), false;
    ++j->p;
    return true;
}

bool bff_json_pull_item(bff_json_pull_t *j)
{
    return next_in(j, ']', "value or ']' expected", "',' or ']' expected");
}

bool bff_json_pull_string(bff_json_pull_t *j, const char **s, size_t *len)
{
    if (j->failed)
        return false;
    skip_ws(j);
    if (j->p >= j->end || *j->p != '"')
        return fail(j, j->p, "a string expected"), false;
    if (j->depth + 1 > JSON_PARSER_MAX_DEPTH) /* a value counts as a level, as in read_value */
        return fail(j, j->p, "maximum nesting depth reached"), false;
    ++j->p;
    bool in_scratch;
    return read_string(j, s, len, &in_scratch) == 0;
}

int bff_json_pull_number(bff_json_pull_t *j, int64_t *v, double *real_value)
{
    if (j->failed)
        return -1;
    skip_ws(j);
    const unsigned char *s = j->p, *q;
    bool real;
    if (j->p >= j->end || !(*j->p == '-' || (*j->p >= '0' && *j->p <= '9')))
        return fail(j, j->p, "a number expected"), -1;
    if (j->depth + 1 > JSON_PARSER_MAX_DEPTH)
        return fail(j, j->p, "maximum nesting depth reached"), -1;
    if (scan_number(j, &q, &real) != 0)
        return -1;
    if (real) { /* checked as bff_json_parse does: only an overflow is an error */
        char small[64];
        size_t n = (size_t)(q - s);
        const char *text = small;
        if (n >= sizeof(small)) {
            j->scratch.len = 0;
            bff_buf_append(&j->scratch, (const char *)s, n);
            text = j->scratch.data;
        } else {
            memcpy(small, s, n);
            small[n] = '\0';
        }
        errno = 0;
        double d = strtod(text, NULL);
        if (errno == ERANGE && (d > 1.0 || d < -1.0))
            return fail(j, s, "real number overflow"), -1;
        if (real_value != NULL)
            *real_value = d;
        j->p = q;
        return 0;
    }
    bool negative = *s == '-';
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, n = 0;
    for (const unsigned char *d = s + negative; d < q; ++d) {
        if (n > (limit - (uint64_t)(*d - '0')) / 10)
            return fail(j, s, negative ? "too big negative integer" : "too big integer"), -1;
        n = n * 10 + (uint64_t)(*d - '0');
    }
    *v = negative ? (int64_t)(0 - n) : (int64_t)n;
    if (real_value != NULL)
        *real_value = (double)*v;
    j->p = q;
    return 1;
}

static bool skip_value(reader_t *r)
{
    skip_ws(r);
    if (r->p >= r->end)
        return fail(r, r->p, "unexpected end of input"), false;
    const unsigned char *at = r->p;
    const char *s;
    size_t n;
    bool flag;
    if (r->depth + 1 > JSON_PARSER_MAX_DEPTH)
        return fail(r, at, "maximum nesting depth reached"), false;
    switch (*r->p) {
    case '{':
        if (!enter(r, '{', "an object expected"))
            return false;
        while (bff_json_pull_key(r, &s, &n))
            if (!skip_value(r))
                return false;
        return !r->failed;
    case '[':
        if (!enter(r, '[', "an array expected"))
            return false;
        while (bff_json_pull_item(r))
            if (!skip_value(r))
                return false;
        return !r->failed;
    case '"':
        ++r->p;
        return read_string(r, &s, &n, &flag) == 0;
    case 't': return literal(r, "true", 4) || (fail(r, at, "invalid token"), false);
    case 'f': return literal(r, "false", 5) || (fail(r, at, "invalid token"), false);
    case 'n': return literal(r, "null", 4) || (fail(r, at, "invalid token"), false);
    default: {
        if (!(*r->p == '-' || (*r->p >= '0' && *r->p <= '9')))
            return fail(r, at, "invalid token"), false;
        int64_t v;
        return bff_json_pull_number(r, &v, NULL) >= 0;
    }
    }
}

bool bff_json_pull_skip(bff_json_pull_t *j)
{
    return !j->failed && skip_value(j);
}

bool bff_json_pull_end(bff_json_pull_t *j)
{
    if (j->failed)
        return false;
    skip_ws(j);
    if (j->p != j->end)
        return fail(j, j->p, "end of input expected"), false;
    return true;
}

bool bff_json_valid(const char *text, size_t len, bff_json_error_t *err)
{
    bff_json_pull_t j;
    bff_json_pull_init(&j, text, len);
    skip_ws(&j);
    if (j.p >= j.end || (*j.p != '{' && *j.p != '['))
        fail(&j, j.p, "'[' or '{' expected");
    else if (skip_value(&j))
        bff_json_pull_end(&j);
    if (err != NULL)
        *err = j.error;
    bff_json_pull_dispose(&j);
    return !j.failed;
}
