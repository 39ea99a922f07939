/*
 * json_write.h - jansson values as compact JSON text into a bff_buf_t: the
 * response writer's embedded values and the providers' request bodies.
 * Strings are escaped by bff_buf_append_json_string (always valid UTF-8
 * out), numbers printed as JavaScript prints them (bff_buf_append_number;
 * a non-finite real as null, as JSON.stringify does); object members in
 * the object's order.
 */
#ifndef BFF_BASE_JSON_WRITE_H
#define BFF_BASE_JSON_WRITE_H

#include <jansson.h>

#include "buf.h"

void bff_json_write(bff_buf_t *out, const json_t *j);

#endif
