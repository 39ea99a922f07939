/*
 * lru.h - an intrusive recency list for the caches (the document cache in
 * graphql/doc.c, the catalog cache in adapters/cache.c).
 *
 * An entry embeds a bff_lru_link_t; the cache holds a bff_lru_t whose head is
 * the most recently used entry and whose tail the least. Unlink, push and
 * touch are O(1) and allocate nothing; BFF_LRU_ENTRY gets the entry back from
 * its link. An unlinked link has both pointers NULL.
 */
#ifndef BFF_GRAPHQL_LRU_H
#define BFF_GRAPHQL_LRU_H

#include <stddef.h>

typedef struct st_bff_lru_link_t {
    struct st_bff_lru_link_t *prev, *next; /* prev: more recently used */
} bff_lru_link_t;

typedef struct st_bff_lru_t {
    bff_lru_link_t *head, *tail;
} bff_lru_t;

#define BFF_LRU_ENTRY(link, type, member) ((type *)((char *)(link) - offsetof(type, member)))

static inline void bff_lru_unlink(bff_lru_t *l, bff_lru_link_t *e)
{
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        l->head = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    else
        l->tail = e->prev;
    e->prev = e->next = NULL;
}

static inline void bff_lru_push_front(bff_lru_t *l, bff_lru_link_t *e)
{
    e->prev = NULL;
    e->next = l->head;
    if (l->head != NULL)
        l->head->prev = e;
    else
        l->tail = e;
    l->head = e;
}

/* Marks e as the most recently used. */
static inline void bff_lru_touch(bff_lru_t *l, bff_lru_link_t *e)
{
    if (l->head != e) {
        bff_lru_unlink(l, e);
        bff_lru_push_front(l, e);
    }
}

#endif
