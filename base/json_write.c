/*
 * json_write.c - jansson values as JSON text (see json_write.h).
 */
#include "json_write.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

void bff_json_write(bff_buf_t *out, const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_NULL: bff_buf_append(out, "null", 4); break;
    case JSON_TRUE: bff_buf_append(out, "true", 4); break;
    case JSON_FALSE: bff_buf_append(out, "false", 5); break;
    case JSON_INTEGER: bff_buf_append_int(out, json_integer_value(j)); break;
    case JSON_REAL:
        if (isfinite(json_real_value(j)))
            bff_buf_append_number(out, json_real_value(j)); /* -0 prints "0" */
        else
            bff_buf_append(out, "null", 4);
        break;
    case JSON_STRING: bff_buf_append_json_string(out, json_string_value(j), json_string_length(j)); break;
    case JSON_ARRAY:
        bff_buf_appendc(out, '[');
        for (size_t i = 0; i < json_array_size(j); ++i) {
            if (i)
                bff_buf_appendc(out, ',');
            bff_json_write(out, json_array_get(j, i));
        }
        bff_buf_appendc(out, ']');
        break;
    case JSON_OBJECT: {
        bff_buf_appendc(out, '{');
        const char *key;
        json_t *val;
        bool first = true;
        json_object_foreach((json_t *)j, key, val)
        {
            if (!first)
                bff_buf_appendc(out, ',');
            first = false;
            bff_buf_append_json_string(out, key, strlen(key));
            bff_buf_appendc(out, ':');
            bff_json_write(out, val);
        }
        bff_buf_appendc(out, '}');
        break;
    }
    }
}
