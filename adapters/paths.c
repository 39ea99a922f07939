/*
 * paths.c - what the providers' request builders share: escaping a value for a URL.
 */
#include <curl/curl.h>

#include "vendors.h"

const char *bff_vendor_escape(bff_arena_t *arena, const char *s)
{
    char *escaped = curl_easy_escape(NULL, s, 0);
    const char *out = bff_arena_strdup(arena, escaped != NULL ? escaped : "");
    curl_free(escaped);
    return out;
}
