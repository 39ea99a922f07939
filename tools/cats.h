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
/* The same, keeping the execution (*x) for its deferred fragments (req->defer). */
int bff_tool_execute_x(bff_exec_request_t *req, bff_buf_t *out, const char *command, bff_exec_t **x);
/* A deferred fragment of `parent` run at once: its incremental item appended to `out`, its execution in *x. */
int bff_tool_execute_deferred(const bff_exec_request_t *req, const bff_exec_t *parent, const bff_exec_deferred_t *d,
                              bff_buf_t *out, bff_exec_t **x);

/* bff-schema cats-execute: [--test-data JSON] [--test-value NAME] [--operation NAME] [--variables JSON]
   [--no-validate] DOC (the schema already loaded); prints the response; 0, 1 or 2 (usage). */
int bff_cats_execute(bff_schema_t *schema, int argc, const char **argv);

#endif
