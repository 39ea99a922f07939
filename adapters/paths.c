/*
 * paths.c - what the providers' request builders share: escaping a value for
 * a URL, writing JSON request bodies as text (no tree built and dumped).
 */
#include <string.h>

#include "base/json_write.h"

#include "vendors.h"

void bff_vendor_write_string(bff_buf_t *b, const char *s)
{
    if (s == NULL)
        bff_buf_appends(b, "null");
    else
        bff_buf_append_json_string(b, s, strlen(s));
}

void bff_vendor_write_json(bff_buf_t *b, json_t *v)
{
    if (v == NULL)
        bff_buf_appends(b, "null");
    else
        bff_json_write(b, v);
}

const char *bff_vendor_text(bff_arena_t *arena, bff_buf_t *b)
{
    const char *text = bff_arena_strndup(arena, b->data != NULL ? b->data : "", b->len);
    bff_buf_free(b);
    return text;
}

const char *bff_vendor_escape(bff_arena_t *arena, const char *s)
{
    /* RFC 3986: the unreserved characters stay, every other byte is %XX (as curl_easy_escape, without its per-byte buffer) */
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = bff_arena_alloc(arena, 3 * n + 1), *w = out;
    for (size_t i = 0; i < n; ++i) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            *w++ = (char)c;
        } else {
            *w++ = '%';
            *w++ = hex[c >> 4];
            *w++ = hex[c & 15];
        }
    }
    *w = '\0';
    return out;
}
