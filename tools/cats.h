/*
 * cats.h - the graphql-cats execution driver of the schema tool (cats.c).
 */
#ifndef BFF_TOOLS_CATS_H
#define BFF_TOOLS_CATS_H

#include "graphql/schema.h"

/* bff-schema cats-execute: [--test-data JSON] [--test-value NAME] [--operation NAME] [--variables JSON]
   [--no-validate] DOC (the schema already loaded); prints the response; 0, 1 or 2 (usage). */
int bff_cats_execute(bff_schema_t *schema, int argc, const char **argv);

#endif
