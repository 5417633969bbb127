/*
 * quicklist: lists as a doubly linked list of listpack nodes (see
 * quicklist.h). The rules deciding when an element goes into an existing
 * node, a new node, a split node or a plain node, and when neighbours are
 * merged, are Redis 7.0.15's (src/quicklist.c), so that lists take the same
 * shape, and the same RDB bytes, as in Redis. Not done: LZF compression of
 * inner nodes and bookmarks (used only by Redis's active defrag).
 *
 * Owned by the list's keyspace entry; the caller holds the key's shard lock.
 */
#include "engine/quicklist.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/listpack.h"
#include "engine/log.h"

/* Node size limits for fill -1..-5. A listpack never exceeds 64 KiB of
 * elements of at least 2 bytes, so a node's count stays far below 65536. */
static const size_t ql_size_classes[] = {4096, 8192, 16384, 32768, 65536};
/* With a count limit (positive fill) a node still stays under 8 KiB. */
#define QL_SIZE_SAFETY_LIMIT 8192
/* Upper bound of what an element adds to a listpack beyond its length. */
#define QL_SIZE_ESTIMATE_OVERHEAD 8
#define QL_FILL_MAX 32767
#define QL_PLAIN_THRESHOLD_MAX (((size_t)1 << 32) - ((size_t)1 << 20))

/* A listpack operation failed: only possible past 4 GiB, which the node
 * limits rule out, so this is a bug rather than an error to report. */
static unsigned char *ql_checked(unsigned char *lp)
{
    if (!lp) {
        log_warning("quicklist: listpack would exceed 4 GiB");
        abort();
    }
    return lp;
}

/* ---- lists and nodes --------------------------------------------------- */

struct quicklist *quicklist_new(int fill)
{
    struct quicklist *ql = mem_calloc(1, sizeof(*ql));

    quicklist_set_fill(ql, fill);
    ql->plain_threshold = QUICKLIST_DEFAULT_PLAIN_THRESHOLD;
    return ql;
}

void quicklist_free(struct quicklist *ql)
{
    struct quicklist_node *node = ql->head, *next;

    for (; node; node = next) {
        next = node->next;
        mem_free(node->entry);
        mem_free(node);
    }
    mem_free(ql);
}

/* Below -5 there is no size class; above 32767 Redis's 16-bit field ends. */
void quicklist_set_fill(struct quicklist *ql, int fill)
{
    if (fill > QL_FILL_MAX) fill = QL_FILL_MAX;
    if (fill < -5) fill = -5;
    ql->fill = fill;
}

int quicklist_set_plain_threshold(struct quicklist *ql, size_t bytes)
{
    if (bytes > QL_PLAIN_THRESHOLD_MAX) return 0;
    ql->plain_threshold = bytes ? bytes : QUICKLIST_DEFAULT_PLAIN_THRESHOLD;
    return 1;
}

unsigned long quicklist_count(const struct quicklist *ql)
{
    return ql->count;
}

static struct quicklist_node *ql_node_new(void)
{
    return mem_calloc(1, sizeof(struct quicklist_node));
}

/* A packed node's size is its listpack's; kept in the node so the limits
 * can be checked without touching the listpack. */
static void ql_node_update_sz(struct quicklist_node *node)
{
    node->sz = lp_bytes(node->entry);
}

static int ql_is_large(const struct quicklist *ql, size_t len)
{
    return len >= ql->plain_threshold;
}

/* For a negative fill: does sz fit the node size class? */
static int ql_fits_size_class(size_t sz, int fill)
{
    size_t idx = (size_t)(-(long)fill) - 1;

    if (fill >= 0 || idx >= sizeof(ql_size_classes) / sizeof(ql_size_classes[0])) return 0;
    return sz <= ql_size_classes[idx];
}

/* Can node take one more element of len bytes? The estimate errs on the
 * large side so a node never passes its size class. */
static int ql_node_allow_insert(const struct quicklist *ql, const struct quicklist_node *node,
                                size_t len)
{
    size_t new_sz;

    if (!node || node->plain || ql_is_large(ql, len)) return 0;
    new_sz = node->sz + len + QL_SIZE_ESTIMATE_OVERHEAD;
    if (ql_fits_size_class(new_sz, ql->fill)) return 1;
    if (new_sz > QL_SIZE_SAFETY_LIMIT) return 0;
    return (int)node->count < ql->fill;
}

/* Can a and b become one node? (11 = one header and terminator, Redis's
 * approximation: the merged listpack is really 7 bytes smaller.) */
static int ql_node_allow_merge(const struct quicklist *ql, const struct quicklist_node *a,
                               const struct quicklist_node *b)
{
    size_t merge_sz;

    if (!a || !b || a->plain || b->plain) return 0;
    merge_sz = a->sz + b->sz - 11;
    if (ql_fits_size_class(merge_sz, ql->fill)) return 1;
    if (merge_sz > QL_SIZE_SAFETY_LIMIT) return 0;
    return (int)(a->count + b->count) <= ql->fill;
}

/* Links new_node after (or before) old_node; old_node NULL only when the
 * list is empty. */
static void ql_insert_node(struct quicklist *ql, struct quicklist_node *old_node,
                           struct quicklist_node *new_node, int after)
{
    if (after) {
        new_node->prev = old_node;
        if (old_node) {
            new_node->next = old_node->next;
            if (old_node->next) old_node->next->prev = new_node;
            old_node->next = new_node;
        }
        if (ql->tail == old_node) ql->tail = new_node;
    } else {
        new_node->next = old_node;
        if (old_node) {
            new_node->prev = old_node->prev;
            if (old_node->prev) old_node->prev->next = new_node;
            old_node->prev = new_node;
        }
        if (ql->head == old_node) ql->head = new_node;
    }
    if (ql->len == 0) ql->head = ql->tail = new_node;
    ql->len++;
}

/* Unlinks and frees node, with its elements. */
static void ql_del_node(struct quicklist *ql, struct quicklist_node *node)
{
    if (node->next) node->next->prev = node->prev;
    if (node->prev) node->prev->next = node->next;
    if (node == ql->tail) ql->tail = node->prev;
    if (node == ql->head) ql->head = node->next;
    ql->len--;
    ql->count -= node->count;
    mem_free(node->entry);
    mem_free(node);
}

/* A node holding one element of len bytes as it is, outside a listpack. */
static struct quicklist_node *ql_plain_node_new(const void *s, size_t len)
{
    struct quicklist_node *node = ql_node_new();

    node->entry = mem_alloc(len);
    memcpy(node->entry, s, len);
    node->sz = len;
    node->count = 1;
    node->plain = 1;
    return node;
}

static void ql_insert_plain(struct quicklist *ql, struct quicklist_node *old_node, const void *s,
                            size_t len, int after)
{
    ql_insert_node(ql, old_node, ql_plain_node_new(s, len), after);
    ql->count++;
}

/* A new packed node holding just s. */
static struct quicklist_node *ql_packed_node_new(const void *s, size_t len)
{
    struct quicklist_node *node = ql_node_new();

    node->entry = ql_checked(lp_append(lp_new(0), s, len));
    node->count = 1;
    ql_node_update_sz(node);
    return node;
}

/* Deletes the element at *p in node; *p becomes the element after it (NULL
 * at the end). Returns 1 when that emptied, and so freed, the node. */
static int ql_del_index(struct quicklist *ql, struct quicklist_node *node, unsigned char **p)
{
    if (node->plain) {
        ql_del_node(ql, node);
        return 1;
    }
    node->entry = lp_delete(node->entry, *p, p);
    node->count--;
    ql->count--;
    if (node->count == 0) {
        ql_del_node(ql, node);
        return 1;
    }
    ql_node_update_sz(node);
    return 0;
}

/* ---- push and pop ------------------------------------------------------ */

/* Into the end node when it has room, else into a new end node; a large
 * element always gets a plain node of its own. */
static void ql_push_head(struct quicklist *ql, const void *s, size_t len)
{
    if (ql_is_large(ql, len)) {
        ql_insert_plain(ql, ql->head, s, len, 0);
        return;
    }
    if (ql_node_allow_insert(ql, ql->head, len)) {
        ql->head->entry = ql_checked(lp_prepend(ql->head->entry, s, len));
        ql->head->count++;
        ql_node_update_sz(ql->head);
    } else {
        ql_insert_node(ql, ql->head, ql_packed_node_new(s, len), 0);
    }
    ql->count++;
}

static void ql_push_tail(struct quicklist *ql, const void *s, size_t len)
{
    if (ql_is_large(ql, len)) {
        ql_insert_plain(ql, ql->tail, s, len, 1);
        return;
    }
    if (ql_node_allow_insert(ql, ql->tail, len)) {
        ql->tail->entry = ql_checked(lp_append(ql->tail->entry, s, len));
        ql->tail->count++;
        ql_node_update_sz(ql->tail);
    } else {
        ql_insert_node(ql, ql->tail, ql_packed_node_new(s, len), 1);
    }
    ql->count++;
}

void quicklist_push(struct quicklist *ql, enum quicklist_end end, const void *s, size_t len)
{
    if (end == QUICKLIST_HEAD)
        ql_push_head(ql, s, len);
    else
        ql_push_tail(ql, s, len);
}

/* The value of the element at p in node. */
static void ql_read(const struct quicklist_node *node, const unsigned char *p,
                    struct quicklist_value *v)
{
    v->ll = 0;
    v->len = 0;
    if (node->plain) {
        v->str = node->entry;
        v->len = node->sz;
    } else {
        v->str = lp_get(p, &v->len, &v->ll);
    }
}

/* The element is shown to take() while it still exists, so nothing is
 * copied unless the caller wants a copy. */
int quicklist_pop(struct quicklist *ql, enum quicklist_end end,
                  void (*take)(void *ctx, const struct quicklist_value *v), void *ctx)
{
    struct quicklist_node *node = end == QUICKLIST_HEAD ? ql->head : ql->tail;
    struct quicklist_value v;
    unsigned char *p = NULL;

    if (ql->count == 0 || !node) return 0;
    if (!node->plain) p = lp_seek(node->entry, end == QUICKLIST_HEAD ? 0 : -1);
    ql_read(node, p, &v);
    if (take) take(ctx, &v);
    ql_del_index(ql, node, &p);
    return 1;
}

/* ---- iteration --------------------------------------------------------- */

/* Finds the node holding list position pos (0 <= pos < count) walking from
 * the nearer end; *offset receives pos's index inside it. */
static struct quicklist_node *ql_locate(const struct quicklist *ql, unsigned long pos, long *offset)
{
    struct quicklist_node *n;
    unsigned long acc;

    if (pos <= (ql->count - 1) / 2) {
        for (n = ql->head, acc = 0; acc + n->count <= pos; n = n->next) acc += n->count;
    } else {
        for (n = ql->tail, acc = ql->count - n->count; acc > pos; n = n->prev)
            acc -= n->prev->count;
    }
    *offset = (long)(pos - acc);
    return n;
}

int quicklist_iter_init(struct quicklist_iter *it, struct quicklist *ql, enum quicklist_dir dir,
                        long index)
{
    unsigned long pos;

    it->ql = ql;
    it->dir = dir;
    it->node = NULL;
    it->p = NULL;
    it->offset = 0;
    if (index < 0) {
        unsigned long back = (unsigned long)(-(index + 1)) + 1; /* no overflow at LONG_MIN */
        if (back > ql->count) return 0;
        pos = ql->count - back;
    } else {
        if ((unsigned long)index >= ql->count) return 0;
        pos = (unsigned long)index;
    }
    it->node = ql_locate(ql, pos, &it->offset);
    return 1;
}

/* Steps the iterator past the element just returned, keeping the pointer
 * to the following one in the same listpack when there is one. */
static void ql_iter_advance(struct quicklist_iter *it)
{
    struct quicklist_node *node = it->node;

    if (it->dir == QUICKLIST_FORWARD) {
        it->p = node->plain ? NULL : lp_next(node->entry, it->p);
        it->offset++;
    } else {
        it->p = node->plain ? NULL : lp_prev(node->entry, it->p);
        it->offset--;
    }
}

/* Moves to the neighbouring node once the offset left the current one. */
static void ql_iter_next_node(struct quicklist_iter *it)
{
    if (it->dir == QUICKLIST_FORWARD) {
        it->node = it->node->next;
        it->offset = 0;
    } else {
        it->node = it->node->prev;
        it->offset = it->node ? (long)it->node->count - 1 : 0;
    }
    it->p = NULL;
}

int quicklist_next(struct quicklist_iter *it, struct quicklist_entry *e)
{
    while (it->node) {
        struct quicklist_node *node = it->node;
        if (it->offset < 0 || it->offset >= (long)node->count) {
            ql_iter_next_node(it);
            continue;
        }
        if (!it->p) it->p = node->plain ? node->entry : lp_seek(node->entry, it->offset);
        e->node = node;
        e->p = it->p;
        e->offset = it->offset;
        ql_read(node, it->p, &e->value);
        ql_iter_advance(it);
        return 1;
    }
    return 0;
}

/* After the delete the element that followed e sits at e's offset; going
 * backwards the next one is the element before it. */
void quicklist_iter_delete(struct quicklist_iter *it, struct quicklist_entry *e)
{
    struct quicklist_node *node = e->node, *prev = node->prev, *next = node->next;
    unsigned char *p = e->p;

    it->p = NULL;
    if (ql_del_index(it->ql, node, &p)) {
        it->node = it->dir == QUICKLIST_FORWARD ? next : prev;
        it->offset = it->dir == QUICKLIST_FORWARD || !prev ? 0 : (long)prev->count - 1;
    } else if (it->dir == QUICKLIST_FORWARD) {
        it->node = node;
        it->offset = e->offset;
        it->p = p;
    } else {
        it->node = node;
        it->offset = e->offset - 1;
        if (e->offset > 0) it->p = p ? lp_prev(node->entry, p) : lp_last(node->entry);
    }
    e->node = NULL;
    e->p = NULL;
}

/* Inserting or replacing may split and merge nodes: like Redis, stop the
 * iterator rather than let it walk stale pointers. */
static void ql_iter_finish(struct quicklist_iter *it)
{
    it->node = NULL;
    it->p = NULL;
}

int quicklist_entry_equals(const struct quicklist_entry *e, const void *s, size_t len)
{
    if (e->node->plain)
        return e->value.len == len && (len == 0 || memcmp(e->value.str, s, len) == 0);
    return lp_compare(e->p, s, len);
}

/* ---- insert, split, merge ---------------------------------------------- */

/* Splits node around offset: with after, node keeps [0, offset] and the
 * returned node gets the rest; otherwise the returned node gets
 * [0, offset) and node keeps the rest. The new node is not linked yet. */
static struct quicklist_node *ql_split_node(struct quicklist_node *node, long offset, int after)
{
    struct quicklist_node *new_node = ql_node_new();
    long orig_start = after ? offset + 1 : 0, new_start = after ? 0 : offset;
    unsigned long orig_extent = after ? ULONG_MAX : (unsigned long)offset;
    unsigned long new_extent = after ? (unsigned long)offset + 1 : ULONG_MAX;

    new_node->entry = mem_alloc(node->sz);
    memcpy(new_node->entry, node->entry, node->sz);
    node->entry = lp_delete_range(node->entry, orig_start, orig_extent);
    node->count = (unsigned int)lp_length(node->entry);
    ql_node_update_sz(node);
    new_node->entry = lp_delete_range(new_node->entry, new_start, new_extent);
    new_node->count = (unsigned int)lp_length(new_node->entry);
    ql_node_update_sz(new_node);
    return new_node;
}

/* Merges b (right of a) and a into one node; returns the node kept. */
static struct quicklist_node *ql_merge_pair(struct quicklist *ql, struct quicklist_node *a,
                                            struct quicklist_node *b)
{
    struct quicklist_node *keep, *gone;

    if (!lp_merge(&a->entry, &b->entry)) return NULL;
    keep = a->entry ? a : b;
    gone = a->entry ? b : a;
    keep->count = (unsigned int)lp_length(keep->entry);
    ql_node_update_sz(keep);
    gone->count = 0; /* its elements now live in keep */
    ql_del_node(ql, gone);
    return keep;
}

/* After a split, small neighbours are merged back together: the two nodes
 * on each side of center, then center with each side (Redis's order). */
static void ql_merge_around(struct quicklist *ql, struct quicklist_node *center)
{
    struct quicklist_node *prev = center->prev, *next = center->next, *target;

    if (prev && ql_node_allow_merge(ql, prev, prev->prev)) ql_merge_pair(ql, prev->prev, prev);
    if (next && ql_node_allow_merge(ql, next, next->next)) ql_merge_pair(ql, next, next->next);
    if (ql_node_allow_merge(ql, center, center->prev))
        target = ql_merge_pair(ql, center->prev, center);
    else
        target = center;
    if (ql_node_allow_merge(ql, target, target->next)) ql_merge_pair(ql, target, target->next);
}

/* A large element next to e: its own plain node, splitting e's node first
 * when e is in its middle. */
static void ql_insert_large(struct quicklist *ql, struct quicklist_entry *e, int edge, int after,
                            const void *s, size_t len)
{
    struct quicklist_node *node = e->node, *plain, *rest;

    if (node->plain || edge) {
        ql_insert_plain(ql, node, s, len, after);
        return;
    }
    rest = ql_split_node(node, e->offset, after);
    plain = ql_plain_node_new(s, len);
    ql_insert_node(ql, node, plain, after);
    ql_insert_node(ql, plain, rest, after);
    ql->count++;
}

/* Redis's _quicklistInsert: into e's node if it has room; at a node's edge,
 * into the neighbour if it has room, else into a new node; in the middle of
 * a full node, split it, add to the split-off part, then merge around. */
static void ql_insert(struct quicklist *ql, struct quicklist_entry *e, int after, const void *s,
                      size_t len)
{
    struct quicklist_node *node = e->node, *new_node;
    int full = !ql_node_allow_insert(ql, node, len);
    int at_tail = after && e->offset == (long)node->count - 1;
    int at_head = !after && e->offset == 0;

    if (ql_is_large(ql, len)) {
        ql_insert_large(ql, e, at_tail || at_head, after, s, len);
        return;
    }
    if (!full) {
        node->entry =
            ql_checked(lp_insert(node->entry, e->p, after ? LP_AFTER : LP_BEFORE, s, len, NULL));
        node->count++;
        ql_node_update_sz(node);
    } else if (at_tail && ql_node_allow_insert(ql, node->next, len)) {
        new_node = node->next;
        new_node->entry = ql_checked(lp_prepend(new_node->entry, s, len));
        new_node->count++;
        ql_node_update_sz(new_node);
    } else if (at_head && ql_node_allow_insert(ql, node->prev, len)) {
        new_node = node->prev;
        new_node->entry = ql_checked(lp_append(new_node->entry, s, len));
        new_node->count++;
        ql_node_update_sz(new_node);
    } else if (at_tail || at_head) {
        ql_insert_node(ql, node, ql_packed_node_new(s, len), after);
    } else {
        new_node = ql_split_node(node, e->offset, after);
        if (after)
            new_node->entry = ql_checked(lp_prepend(new_node->entry, s, len));
        else
            new_node->entry = ql_checked(lp_append(new_node->entry, s, len));
        new_node->count++;
        ql_node_update_sz(new_node);
        ql_insert_node(ql, node, new_node, after);
        ql_merge_around(ql, node);
    }
    ql->count++;
}

void quicklist_insert(struct quicklist_iter *it, struct quicklist_entry *e, int after,
                      const void *s, size_t len)
{
    ql_insert(it->ql, e, after, s, len);
    ql_iter_finish(it);
}

/* In place inside a listpack when possible. Otherwise (a plain node gets a
 * small value, or a packed node a large one) the new value is inserted
 * after e and e deleted, which moves it to the right kind of node. Like
 * Redis 7.0.15, an in-place replace does not check the node size limit. */
void quicklist_replace_entry(struct quicklist_iter *it, struct quicklist_entry *e, const void *s,
                             size_t len)
{
    struct quicklist *ql = it->ql;
    struct quicklist_node *node = e->node;
    unsigned char *p;

    if (!node->plain && !ql_is_large(ql, len)) {
        node->entry = ql_checked(lp_replace(node->entry, &e->p, s, len));
        ql_node_update_sz(node);
    } else if (node->plain && ql_is_large(ql, len)) {
        mem_free(node->entry);
        node->entry = mem_alloc(len);
        memcpy(node->entry, s, len);
        node->sz = len;
    } else if (node->plain) {
        ql_insert(ql, e, 1, s, len);
        ql_del_node(ql, node);
    } else {
        ql_insert(ql, e, 1, s, len); /* e's element is now node's last */
        p = lp_last(node->entry);
        ql_del_index(ql, node, &p);
    }
    ql_iter_finish(it);
}

/* ---- by index ---------------------------------------------------------- */

int quicklist_index(struct quicklist *ql, long index, struct quicklist_value *v)
{
    struct quicklist_iter it;
    struct quicklist_entry e;

    if (!quicklist_iter_init(&it, ql, QUICKLIST_FORWARD, index) || !quicklist_next(&it, &e))
        return 0;
    *v = e.value;
    return 1;
}

int quicklist_replace_at(struct quicklist *ql, long index, const void *s, size_t len)
{
    struct quicklist_iter it;
    struct quicklist_entry e;

    if (!quicklist_iter_init(&it, ql, QUICKLIST_FORWARD, index) || !quicklist_next(&it, &e))
        return 0;
    quicklist_replace_entry(&it, &e, s, len);
    return 1;
}

/* Deletes del elements from offset in node: whole nodes are dropped
 * without touching their listpack. */
static void ql_del_in_node(struct quicklist *ql, struct quicklist_node *node, long offset,
                           unsigned long del)
{
    if ((offset == 0 && del >= node->count) || node->plain) {
        ql_del_node(ql, node);
        return;
    }
    node->entry = lp_delete_range(node->entry, offset, del);
    ql_node_update_sz(node);
    node->count -= (unsigned int)del;
    ql->count -= del;
    if (node->count == 0) ql_del_node(ql, node);
}

int quicklist_del_range(struct quicklist *ql, long start, long count)
{
    struct quicklist_iter it;
    struct quicklist_node *node;
    unsigned long extent, pos;
    long offset;

    if (count <= 0 || !quicklist_iter_init(&it, ql, QUICKLIST_FORWARD, start)) return 0;
    pos = start >= 0 ? (unsigned long)start : ql->count - ((unsigned long)(-(start + 1)) + 1);
    extent = (unsigned long)count;
    if (extent > ql->count - pos) extent = ql->count - pos;
    node = it.node;
    offset = it.offset;
    while (extent) {
        struct quicklist_node *next = node->next;
        unsigned long in_node = node->count - (unsigned long)offset;
        unsigned long del = extent < in_node ? extent : in_node;
        ql_del_in_node(ql, node, offset, del);
        extent -= del;
        node = next;
        offset = 0;
    }
    return 1;
}

/* ---- building ---------------------------------------------------------- */

void quicklist_append_listpack(struct quicklist *ql, unsigned char *lp)
{
    struct quicklist_node *node = ql_node_new();

    node->entry = lp;
    node->count = (unsigned int)lp_length(lp);
    ql_node_update_sz(node);
    ql_insert_node(ql, ql->tail, node, 1);
    ql->count += node->count;
}

void quicklist_append_plain(struct quicklist *ql, unsigned char *data, size_t len)
{
    struct quicklist_node *node = ql_node_new();

    node->entry = data;
    node->sz = len;
    node->count = 1;
    node->plain = 1;
    ql_insert_node(ql, ql->tail, node, 1);
    ql->count++;
}

struct quicklist *quicklist_from_listpack(unsigned char *lp, int fill)
{
    struct quicklist *ql = quicklist_new(fill);
    char buf[LP_INTBUF_SIZE];
    size_t len;

    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) {
        const unsigned char *s = lp_get_str(p, buf, &len);
        ql_push_tail(ql, s, len);
    }
    return ql;
}

/* Node by node, byte for byte: the copy has the same shape. */
struct quicklist *quicklist_dup(const struct quicklist *ql)
{
    struct quicklist *copy = quicklist_new(ql->fill);

    copy->plain_threshold = ql->plain_threshold;
    for (const struct quicklist_node *node = ql->head; node; node = node->next) {
        struct quicklist_node *n = ql_node_new();
        n->entry = mem_alloc(node->sz);
        memcpy(n->entry, node->entry, node->sz);
        n->sz = node->sz;
        n->count = node->count;
        n->plain = node->plain;
        ql_insert_node(copy, copy->tail, n, 1);
        copy->count += n->count;
    }
    return copy;
}
