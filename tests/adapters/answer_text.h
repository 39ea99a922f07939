/*
 * answer_text.h - for the adapter tests: what an adapter reads is the
 * provider's text; a fixture built as a tree is written back out (valid
 * until the next use). TEXT(j) gives the text and its length.
 */
#ifndef BFF_TESTS_ADAPTERS_ANSWER_TEXT_H
#define BFF_TESTS_ADAPTERS_ANSWER_TEXT_H

#include <jansson.h>
#include <string.h>

static char answer_text_buf[1 << 16];

static inline const char *text_of(const json_t *j)
{
    size_t n = json_dumpb(j, answer_text_buf, sizeof(answer_text_buf) - 1, JSON_COMPACT);
    assert_true(n > 0 && n < sizeof(answer_text_buf));
    answer_text_buf[n] = '\0';
    return answer_text_buf;
}

#define TEXT(j) text_of(j), strlen(text_of(j))

#endif
