/*
 * journal.c - the checkout journal (see journal.h).
 *
 * Records live in an array in insertion order (a record that is written again
 * keeps its place); lookups scan it, which is fine for the thousands of
 * checkouts in flight or recently finished that it keeps (max_records). One
 * mutex guards the array, the file and the locks. A line of the file is a
 * whole record as JSON; a torn last line (a crash mid-write) is skipped when
 * the file is read.
 */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/arena.h"

static const struct {
    const char *name;
    bool terminal;
} states[] = {
#define BFF_SAGA_STATE_ROW(id, name, terminal) {name, terminal},
    BFF_SAGA_STATES(BFF_SAGA_STATE_ROW)
#undef BFF_SAGA_STATE_ROW
};

uint64_t bff_wall_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

const char *bff_saga_state_name(bff_saga_state_t s)
{
    return (unsigned)s < BFF_SAGA_STATE_COUNT ? states[s].name : "?";
}

bool bff_saga_state_terminal(bff_saga_state_t s)
{
    return (unsigned)s < BFF_SAGA_STATE_COUNT && states[s].terminal;
}

int bff_saga_state_parse(const char *name)
{
    for (int i = 0; name != NULL && i < BFF_SAGA_STATE_COUNT; ++i)
        if (strcmp(states[i].name, name) == 0)
            return i;
    return -1;
}

typedef struct st_entry_t {
    bff_saga_rec_t rec;
    bool locked;
} entry_t;

struct st_bff_journal_t {
    pthread_mutex_t lock;
    entry_t *items;
    size_t n, cap, max;
    char *path; /* NULL: memory only */
    int fd;
    size_t file_bytes;
};

static void copy_str(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static json_t *rec_json(const bff_saga_rec_t *r)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "key", r->key, "provider_key",
                     r->provider_key, "cart_id", r->cart_id, "token_hash", r->token_hash, "amount", (json_int_t)r->amount,
                     "currency", r->currency, "auth_id", r->auth_id, "order_id", r->order_id, "state",
                     bff_saga_state_name(r->state), "doubt_step", bff_saga_state_name(r->doubt_step), "outcome",
                     r->outcome, "created_ms", (json_int_t)r->created_ms, "updated_ms", (json_int_t)r->updated_ms);
}

static bool rec_from_json(json_t *j, bff_saga_rec_t *r)
{
    memset(r, 0, sizeof(*r));
    const char *key = json_string_value(json_object_get(j, "key"));
    int state = bff_saga_state_parse(json_string_value(json_object_get(j, "state")));
    int doubt = bff_saga_state_parse(json_string_value(json_object_get(j, "doubt_step")));
    if (key == NULL || state < 0)
        return false;
    copy_str(r->key, sizeof(r->key), key);
    copy_str(r->provider_key, sizeof(r->provider_key), json_string_value(json_object_get(j, "provider_key")));
    copy_str(r->cart_id, sizeof(r->cart_id), json_string_value(json_object_get(j, "cart_id")));
    copy_str(r->token_hash, sizeof(r->token_hash), json_string_value(json_object_get(j, "token_hash")));
    copy_str(r->currency, sizeof(r->currency), json_string_value(json_object_get(j, "currency")));
    copy_str(r->auth_id, sizeof(r->auth_id), json_string_value(json_object_get(j, "auth_id")));
    copy_str(r->order_id, sizeof(r->order_id), json_string_value(json_object_get(j, "order_id")));
    copy_str(r->outcome, sizeof(r->outcome), json_string_value(json_object_get(j, "outcome")));
    r->amount = json_integer_value(json_object_get(j, "amount"));
    r->created_ms = (uint64_t)json_integer_value(json_object_get(j, "created_ms"));
    r->updated_ms = (uint64_t)json_integer_value(json_object_get(j, "updated_ms"));
    r->state = (bff_saga_state_t)state;
    r->doubt_step = doubt < 0 ? BFF_SAGA_STARTED : (bff_saga_state_t)doubt;
    return true;
}

static entry_t *find(bff_journal_t *j, const char *key)
{
    for (size_t i = 0; i < j->n; ++i)
        if (strcmp(j->items[i].rec.key, key) == 0)
            return &j->items[i];
    return NULL;
}

/* Keeps `rec` in memory (replacing its key's record); past max, the oldest finished record goes. */
static void remember(bff_journal_t *j, const bff_saga_rec_t *rec)
{
    entry_t *e = find(j, rec->key);
    if (e != NULL) {
        e->rec = *rec;
        return;
    }
    if (j->n >= j->max) {
        for (size_t i = 0; i < j->n; ++i) {
            if (bff_saga_state_terminal(j->items[i].rec.state) && !j->items[i].locked) {
                memmove(&j->items[i], &j->items[i + 1], (j->n - i - 1) * sizeof(*j->items));
                j->n--;
                break;
            }
        }
    }
    if (j->n == j->cap) {
        j->cap = j->cap ? j->cap * 2 : 64;
        j->items = bff_xrealloc(j->items, j->cap * sizeof(*j->items));
    }
    j->items[j->n++] = (entry_t){*rec, false};
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static char *rec_line(const bff_saga_rec_t *r)
{
    json_t *jr = rec_json(r);
    char *text = json_dumps(jr, JSON_COMPACT);
    json_decref(jr);
    size_t n = strlen(text);
    text = bff_xrealloc(text, n + 2);
    text[n] = '\n';
    text[n + 1] = '\0';
    return text;
}

char *bff_journal_rec_text(const bff_saga_rec_t *r)
{
    json_t *jr = rec_json(r);
    char *text = json_dumps(jr, JSON_COMPACT);
    json_decref(jr);
    return text;
}

bool bff_journal_rec_parse(const char *text, size_t len, bff_saga_rec_t *out)
{
    json_t *j = json_loadb(text, len, 0, NULL);
    bool ok = j != NULL && json_is_object(j) && rec_from_json(j, out);
    json_decref(j);
    return ok;
}

/* Rewrites the file with the live records (write a new file, fsync, rename); the lock is held. */
static void compact(bff_journal_t *j)
{
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%.4000s.tmp", j->path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    size_t bytes = 0;
    bool ok = true;
    for (size_t i = 0; i < j->n && ok; ++i) {
        char *line = rec_line(&j->items[i].rec);
        ok = write_all(fd, line, strlen(line)) == 0;
        bytes += strlen(line);
        free(line);
    }
    if (ok && fsync(fd) == 0 && rename(tmp, j->path) == 0) {
        close(j->fd);
        j->fd = fd;
        j->file_bytes = bytes;
        return;
    }
    close(fd);
    unlink(tmp);
}

int bff_journal_put(bff_journal_t *j, bff_saga_rec_t *rec)
{
    pthread_mutex_lock(&j->lock);
    int rc = 0;
    if (j->path != NULL) {
        char *line = rec_line(rec);
        size_t len = strlen(line);
        rc = write_all(j->fd, line, len) == 0 && fdatasync(j->fd) == 0 ? 0 : -1;
        free(line);
        if (rc == 0)
            j->file_bytes += len;
    }
    if (rc == 0) {
        remember(j, rec);
        if (j->path != NULL && j->file_bytes > 1048576 && j->file_bytes > 4 * j->n * 512)
            compact(j);
    }
    pthread_mutex_unlock(&j->lock);
    return rc;
}

bff_journal_t *bff_journal_open(const char *state_dir, size_t max_records, char *err, size_t errlen)
{
    bff_journal_t *j = bff_xcalloc(1, sizeof(*j));
    pthread_mutex_init(&j->lock, NULL);
    j->max = max_records ? max_records : 1;
    j->fd = -1;
    if (state_dir == NULL || state_dir[0] == '\0')
        return j;
    if (mkdir(state_dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "state_dir %s: %s", state_dir, strerror(errno));
        bff_journal_free(j);
        return NULL;
    }
    size_t n = strlen(state_dir) + sizeof("/journal.log");
    j->path = bff_xmalloc(n);
    snprintf(j->path, n, "%s/journal.log", state_dir);
    FILE *f = fopen(j->path, "r");
    if (f != NULL) { /* replay: the last line of a key wins; a torn line is skipped */
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while ((len = getline(&line, &cap, f)) > 0) {
            json_t *jl = json_loadb(line, (size_t)len, 0, NULL);
            bff_saga_rec_t r;
            if (jl != NULL && rec_from_json(jl, &r))
                remember(j, &r);
            json_decref(jl);
        }
        free(line);
        fclose(f);
    }
    j->fd = open(j->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (j->fd < 0) {
        snprintf(err, errlen, "state_dir: cannot write %s: %s", j->path, strerror(errno));
        bff_journal_free(j);
        return NULL;
    }
    pthread_mutex_lock(&j->lock);
    compact(j); /* start from the live records only */
    pthread_mutex_unlock(&j->lock);
    return j;
}

void bff_journal_free(bff_journal_t *j)
{
    if (j == NULL)
        return;
    if (j->fd >= 0)
        close(j->fd);
    free(j->path);
    free(j->items);
    pthread_mutex_destroy(&j->lock);
    free(j);
}

bool bff_journal_get(bff_journal_t *j, const char *key, bff_saga_rec_t *out)
{
    pthread_mutex_lock(&j->lock);
    entry_t *e = find(j, key);
    if (e != NULL)
        *out = e->rec;
    pthread_mutex_unlock(&j->lock);
    return e != NULL;
}

bool bff_journal_cart_captured(bff_journal_t *j, const char *cart_id, bff_saga_rec_t *out)
{
    bool found = false;
    pthread_mutex_lock(&j->lock);
    for (size_t i = 0; i < j->n && !found; ++i) {
        if (j->items[i].rec.state == BFF_SAGA_CAPTURED && strcmp(j->items[i].rec.cart_id, cart_id) == 0) {
            *out = j->items[i].rec;
            found = true;
        }
    }
    pthread_mutex_unlock(&j->lock);
    return found;
}

bool bff_journal_lock(bff_journal_t *j, const char *key)
{
    pthread_mutex_lock(&j->lock);
    entry_t *e = find(j, key);
    bool ok = e == NULL || !e->locked;
    if (ok && e == NULL) { /* a placeholder holds the lock until the first write */
        bff_saga_rec_t r;
        memset(&r, 0, sizeof(r));
        copy_str(r.key, sizeof(r.key), key);
        r.state = BFF_SAGA_ABORTED;
        remember(j, &r);
        e = find(j, key);
    }
    if (ok)
        e->locked = true;
    pthread_mutex_unlock(&j->lock);
    return ok;
}

void bff_journal_unlock(bff_journal_t *j, const char *key)
{
    pthread_mutex_lock(&j->lock);
    entry_t *e = find(j, key);
    if (e != NULL)
        e->locked = false;
    pthread_mutex_unlock(&j->lock);
}

size_t bff_journal_each(bff_journal_t *j, int state, size_t max, void (*fn)(const bff_saga_rec_t *rec, void *arg),
                        void *arg)
{
    size_t n = 0;
    pthread_mutex_lock(&j->lock);
    bff_saga_rec_t *copies = bff_xmalloc((j->n ? j->n : 1) * sizeof(*copies));
    for (size_t i = 0; i < j->n && n < max; ++i)
        if (j->items[i].rec.provider_key[0] != '\0' && (state < 0 || (int)j->items[i].rec.state == state) &&
            !j->items[i].locked)
            copies[n++] = j->items[i].rec;
    pthread_mutex_unlock(&j->lock);
    for (size_t i = 0; i < n; ++i) /* outside the lock: fn may write records */
        fn(&copies[i], arg);
    free(copies);
    return n;
}

void bff_journal_counts(bff_journal_t *j, uint64_t *counts)
{
    memset(counts, 0, BFF_SAGA_STATE_COUNT * sizeof(*counts));
    pthread_mutex_lock(&j->lock);
    for (size_t i = 0; i < j->n; ++i)
        if (j->items[i].rec.provider_key[0] != '\0')
            counts[j->items[i].rec.state]++;
    pthread_mutex_unlock(&j->lock);
}
