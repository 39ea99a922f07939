/*
 * store.h - the shared store of a fleet: Redis (`redis_url`), one async
 * connection per worker on the worker's libuv loop (hiredis and its libuv
 * adapter), or nothing (one instance: every feature keeps its state in
 * process). Commands are pipelined on the connection; each has a timeout
 * (`redis_timeout_ms`): past it the caller's callback gets no reply and the
 * caller falls back to its local state, so no request waits longer than that
 * for Redis. A lost connection is reconnected with a backoff (100 ms doubling
 * up to 5 s, each of the host's addresses tried in a round); a heartbeat PING
 * a second tells a silent peer from a quiet one (three unanswered: dropped). docs/decisions/shared-state.md says what is shared and what each
 * feature does when Redis is slow or down.
 */
#ifndef BFF_SERVER_STORE_H
#define BFF_SERVER_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct st_bff_store_t bff_store_t;
struct redisReply;

/* The reply (borrowed for the call), or NULL: error, timeout, or the connection lost. Never called synchronously. */
typedef void (*bff_store_cb)(struct redisReply *reply, void *arg);

/* A worker's connection to `url` (redis://[:password@]host[:port][/db]); NULL with err when the URL is malformed. */
bff_store_t *bff_store_new(uv_loop_t *loop, const char *url, uint64_t timeout_ms, char *err, size_t errlen);
/* Closes the connection; pending callbacks get NULL. */
void bff_store_free(bff_store_t *s);
/* Connected, and its last heartbeat answered. */
bool bff_store_up(const bff_store_t *s);
/* Sends a command; 0 (cb fires later, once) or -1 when the store is down (cb never fires). */
int bff_store_command(bff_store_t *s, bff_store_cb cb, void *arg, int argc, const char **argv, const size_t *lens);

/* bff_store_command with NUL-terminated arguments. */
int bff_store_command_strs(bff_store_t *s, bff_store_cb cb, void *arg, int argc, const char **argv);

/* A random token (32 hex digits) naming one holder of a lock in the store; 0 or -1 (no randomness). */
int bff_store_token(char out[33]);

/* Parses a redis URL: host (static buffer of the caller), port, db, password; 0 or -1. */
int bff_store_parse_url(const char *url, char *host, size_t hostlen, int *port, int *db, char *password, size_t pwlen);

#endif
