/*
 * cats.h - the graphql-cats execution driver of the schema tool (cats.c), and what the tool's commands share.
 */
#ifndef BFF_TOOLS_CATS_H
#define BFF_TOOLS_CATS_H

#include "base/buf.h"
#include "graphql/exec.h"
#include "graphql/schema.h"

/* Shared by the schema tool's commands (bff_schema.c): a whole file (NUL-terminated; NULL when unreadable), and a
   run of `req` whose resolvers complete at once, its response appended to `out` (1: one did not, said on stderr). */
char *bff_tool_read_file(const char *path, size_t *len);
int bff_tool_execute(bff_exec_request_t *req, bff_buf_t *out, const char *command);

/* bff-schema cats-execute: [--test-data JSON] [--test-value NAME] [--operation NAME] [--variables JSON]
   [--no-validate] DOC (the schema already loaded); prints the response; 0, 1 or 2 (usage). */
int bff_cats_execute(bff_schema_t *schema, int argc, const char **argv);

#endif
