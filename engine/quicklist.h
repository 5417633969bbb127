/*
 * quicklist: the list value type, as Redis 7.0 stores it: a doubly linked
 * list of nodes, each a listpack (listpack.h) bounded by
 * list-max-listpack-size, or a "plain" node holding one element too big for
 * a listpack (>= the plain threshold, 1 GiB by default). The node layout
 * follows Redis 7.0.15's decisions (when to add, split and merge nodes), so
 * the nodes written to RDB_TYPE_LIST_QUICKLIST_2 are the ones Redis would
 * write. LZF compression of inner nodes (list-compress-depth) is not done.
 *
 * What Redis 7.0.15 does for list encodings (src/t_list.c, object.c): every
 * list is a quicklist from its first element (pushGenericCommand calls
 * createQuicklistObject, and each listType* function panics on any other
 * encoding), so OBJECT ENCODING answers "quicklist" for every list, even a
 * one-element one. The "listpack" list encoding and its conversion rules
 * only arrive in Redis 7.2. In 7.0 a single listpack becomes a list only
 * when loading: RDB_TYPE_LIST_QUICKLIST_2 nodes are appended as they are
 * (quicklist_append_listpack / quicklist_append_plain), and an old
 * RDB_TYPE_LIST_ZIPLIST is converted by pushing its elements one by one at
 * the tail (quicklist_from_listpack does that for a listpack).
 *
 * Ownership and threads: a quicklist belongs to its keyspace entry; the
 * caller holds the key's shard lock for every call. Iterators live on the
 * caller's stack and hold no allocation. Element pointers (value strings,
 * iterator positions) stay valid until the list is next modified.
 *
 * The structures are public so that the RDB writer can walk the nodes;
 * treat them as read-only outside this module.
 */
#ifndef TANDEM_ENGINE_QUICKLIST_H
#define TANDEM_ENGINE_QUICKLIST_H

#include <stddef.h>
#include <stdint.h>

/* Redis's list-max-listpack-size default: nodes of at most 8 KiB. */
#define QUICKLIST_DEFAULT_FILL (-2)
/* Redis's packed_threshold default: elements this big get a plain node. */
#define QUICKLIST_DEFAULT_PLAIN_THRESHOLD ((size_t)1 << 30)

struct quicklist_node {
    struct quicklist_node *prev;
    struct quicklist_node *next;
    unsigned char *entry; /* the listpack, or a plain node's element bytes */
    size_t sz;            /* bytes in entry */
    unsigned int count;   /* elements in the node (1 for a plain node) */
    unsigned char plain;  /* 1: container PLAIN (raw element), 0: PACKED */
};

struct quicklist {
    struct quicklist_node *head;
    struct quicklist_node *tail;
    unsigned long count;    /* elements in all nodes */
    unsigned long len;      /* nodes */
    int fill;               /* list-max-listpack-size, clamped to -5..32767 */
    size_t plain_threshold; /* elements of at least this size get a plain node */
};

enum quicklist_end { QUICKLIST_HEAD, QUICKLIST_TAIL };
enum quicklist_dir { QUICKLIST_FORWARD /* head to tail */, QUICKLIST_BACKWARD };

/* An element as read: str/len, or the integer ll when str is NULL. */
struct quicklist_value {
    const unsigned char *str;
    size_t len;
    long long ll;
};

/* Where an iterator found an element, and its value. */
struct quicklist_entry {
    struct quicklist_node *node;
    unsigned char *p; /* position in node's listpack (node->entry when plain) */
    long offset;      /* index inside the node, from 0 */
    struct quicklist_value value;
};

struct quicklist_iter {
    struct quicklist *ql;
    struct quicklist_node *node; /* node of the next element; NULL: done */
    unsigned char *p;            /* next element, NULL: find it from offset */
    long offset;                 /* index of the next element in node */
    enum quicklist_dir dir;
};

/* An empty list with list-max-listpack-size fill (negative: size classes
 * -1..-5 = 4..64 KiB per node; positive: elements per node). */
struct quicklist *quicklist_new(int fill);
void quicklist_free(struct quicklist *ql);
/* Clamps as Redis does (below -5 is -5, above 32767 is 32767). */
void quicklist_set_fill(struct quicklist *ql, int fill);
/* DEBUG QUICKLIST-PACKED-THRESHOLD: 0 restores the 1 GiB default; refuses
 * (returns 0) a value above 4 GiB - 1 MiB as Redis does. */
int quicklist_set_plain_threshold(struct quicklist *ql, size_t bytes);
unsigned long quicklist_count(const struct quicklist *ql);
/* A deep copy (COPY, RESTORE of a list value). */
struct quicklist *quicklist_dup(const struct quicklist *ql);

/* LPUSH / RPUSH of one element (integers are pushed in decimal form). */
void quicklist_push(struct quicklist *ql, enum quicklist_end end, const void *s, size_t len);
/* Removes the head or tail element after handing it to take(ctx, value)
 * (e.g. to copy it into a reply or another list). Returns 0 if empty. */
int quicklist_pop(struct quicklist *ql, enum quicklist_end end,
                  void (*take)(void *ctx, const struct quicklist_value *v), void *ctx);

/* LINDEX: the element at index (negative from the tail). 0 if none. */
int quicklist_index(struct quicklist *ql, long index, struct quicklist_value *v);
/* LSET: replaces the element at index. 0 (nothing done) if out of range. */
int quicklist_replace_at(struct quicklist *ql, long index, const void *s, size_t len);
/* Deletes count elements from start (negative from the tail; the range is
 * cut at the end of the list), as LTRIM and the counted pops need. Returns 1
 * if anything was deleted. */
int quicklist_del_range(struct quicklist *ql, long start, long count);

/* Iteration from the element at index in direction dir. Returns 0 (and an
 * iterator that yields nothing) when index is out of range. */
int quicklist_iter_init(struct quicklist_iter *it, struct quicklist *ql, enum quicklist_dir dir,
                        long index);
/* The next element, 1; 0 at the end. */
int quicklist_next(struct quicklist_iter *it, struct quicklist_entry *e);
/* Deletes e, the element just returned, and keeps the iterator going with
 * the element after it (LREM). */
void quicklist_iter_delete(struct quicklist_iter *it, struct quicklist_entry *e);
/* LINSERT: inserts s before or after e. The iterator is finished afterwards
 * (as in Redis: an insert may split or merge nodes). */
void quicklist_insert(struct quicklist_iter *it, struct quicklist_entry *e, int after,
                      const void *s, size_t len);
/* Replaces e with s; the iterator is finished afterwards. */
void quicklist_replace_entry(struct quicklist_iter *it, struct quicklist_entry *e, const void *s,
                             size_t len);
/* 1 when e's element equals s[0..len) (LREM, LINSERT's pivot, LPOS). */
int quicklist_entry_equals(const struct quicklist_entry *e, const void *s, size_t len);

/* RDB loading: appends a node made of lp (taken over; must hold at least
 * one element) or of a plain element's bytes (taken over), as they are. */
void quicklist_append_listpack(struct quicklist *ql, unsigned char *lp);
void quicklist_append_plain(struct quicklist *ql, unsigned char *data, size_t len);
/* A new list holding lp's elements, pushed one by one at the tail with the
 * given fill (Redis 7.0's conversion of a loaded RDB_TYPE_LIST_ZIPLIST).
 * lp is left to the caller. */
struct quicklist *quicklist_from_listpack(unsigned char *lp, int fill);

#endif
