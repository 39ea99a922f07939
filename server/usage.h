/*
 * usage.h - who still uses deprecated schema elements: a count per element,
 * and per client (name and version) a count and when it was last seen;
 * bounded (BFF_USAGE_NAME_MAX, max_pairs).
 * Shared by the workers (one mutex; a few list operations per request that
 * uses a deprecated element, nothing for those that do not).
 */
#ifndef BFF_SERVER_USAGE_H
#define BFF_SERVER_USAGE_H

#include <jansson.h>
#include <time.h>

#include "base/buf.h"
#include "graphql/schema.h"

typedef struct st_bff_usage_t bff_usage_t;

/* Client names and versions are cut to this many bytes (bytes outside printable ASCII shown as '?'). */
#define BFF_USAGE_NAME_MAX 64
/* At most max_pairs (client, version) pairs over all elements; the least recently seen goes first. */
bff_usage_t *bff_usage_new(size_t max_pairs);
void bff_usage_free(bff_usage_t *u);
void bff_usage_record(bff_usage_t *u, const char *coordinate, const char *client, const char *version, time_t now);
/*
 * The report of /admin/deprecations: every deprecated element of the schema
 * with its reason, removal date (the first YYYY-MM-DD in the reason), count
 * and clients, as a JSON object {"deprecations": [...]}.
 */
void bff_usage_write_json(bff_usage_t *u, const bff_schema_t *schema, bff_buf_t *out);

/*
 * The same report from other data (the fleet's, usage_fleet.c): `map` is
 * {coordinate: {"count": n, "clients": [{name, version, count, lastSeen}]}},
 * built with bff_usage_map_add (a count of 0 leaves the element's count;
 * a NULL name adds no client). `source` says whose data it is.
 */
void bff_usage_map_add(json_t *map, const char *coordinate, unsigned long long count, const char *name,
                       const char *version, unsigned long long client_count, time_t last_seen);
void bff_usage_write_report(json_t *map, unsigned long long evicted, const char *source, const bff_schema_t *schema,
                            bff_buf_t *out);
/* A client-given name or version as the report keeps it (cut, printable ASCII): malloc'd. */
char *bff_usage_clean_name(const char *s);

#endif
