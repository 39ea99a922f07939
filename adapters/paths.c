/*
 * paths.c - what the providers' request builders share: escaping a value for
 * a URL, writing JSON request bodies as text (no tree built and dumped).
 */
#include <curl/curl.h>
#include <string.h>

#include "graphql/exec.h"

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
        bff_exec_write_json(b, v);
}

const char *bff_vendor_text(bff_arena_t *arena, bff_buf_t *b)
{
    const char *text = bff_arena_strndup(arena, b->data != NULL ? b->data : "", b->len);
    bff_buf_free(b);
    return text;
}

const char *bff_vendor_escape(bff_arena_t *arena, const char *s)
{
    char *escaped = curl_easy_escape(NULL, s, 0);
    const char *out = bff_arena_strdup(arena, escaped != NULL ? escaped : "");
    curl_free(escaped);
    return out;
}
