/*
 * pubsub: the registry of channel and pattern subscriptions, and the
 * delivery of published messages across worker threads (see pubsub.h for
 * who owns what).
 *
 * The registry maps a name to the clients listening to it: one map for
 * channels, one for patterns. Each client keeps the list of registry
 * entries it is in, so that its count, UNSUBSCRIBE without arguments and
 * its closing need no search of the registry. Both sides change together
 * under registry.lock.
 *
 * A published message reaches a subscriber on another worker (or on the
 * publisher's own) as a delivery in that worker's inbox: the formatted
 * message is shared by every delivery of one publish (reference counted);
 * the inbox is drained by its worker when the wake arrives. A closing
 * client leaves the registry first, then drops what its inbox still holds
 * for it: after that nothing can reach it.
 */
#include "engine/pubsub.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/client.h"
#include "engine/glob.h"
#include "engine/keyspace.h"
#include "engine/reply.h"
#include "io/outbuf.h"

/* A channel or pattern and the clients listening to it. */
struct name_entry {
    struct name_entry *next; /* hash chain */
    struct client **subs;
    uint32_t nsubs, cap;
    uint32_t len;
    char name[];
};

struct name_map {
    struct name_entry **buckets;
    size_t nbuckets; /* a power of two, or 0 */
    size_t count;
};

/* What one client listens to: pointers to its registry entries. */
struct pubsub_state {
    struct name_entry **names[2]; /* [0] channels, [1] patterns */
    uint32_t count[2], cap[2];
};

enum { KIND_CHANNEL = 0, KIND_PATTERN = 1 };

/* A formatted message, shared by every delivery of one publish. */
struct message {
    atomic_int refs;
    size_t len;
    char bytes[];
};

struct delivery {
    struct delivery *next;
    struct client *client;
    struct message *msg;
};

struct inbox {
    pthread_mutex_t lock;
    struct delivery *head, *tail;
    struct io_worker *worker; /* set by the first delivery (the client's worker) */
    int touched;              /* during one publish: needs a wake afterwards */
} __attribute__((aligned(64)));

static struct {
    pthread_mutex_t lock;
    struct name_map maps[2]; /* channels, patterns */
    atomic_llong nchannels, npatterns;
} registry = {.lock = PTHREAD_MUTEX_INITIALIZER};

static struct inbox *inboxes;
static int ninboxes;

void pubsub_init(int nworkers)
{
    ninboxes = nworkers;
    inboxes = mem_calloc_aligned(64, sizeof(struct inbox) * (size_t)nworkers);
    for (int i = 0; i < nworkers; i++) pthread_mutex_init(&inboxes[i].lock, NULL);
}

/* ---- the name maps (registry.lock held) --------------------------------- */

static struct name_entry **map_slot(struct name_map *m, const char *name, size_t len)
{
    if (m->nbuckets == 0) return NULL;
    struct name_entry **slot = &m->buckets[ks_hash(name, len) & (m->nbuckets - 1)];
    while (*slot && !((*slot)->len == len && memcmp((*slot)->name, name, len) == 0))
        slot = &(*slot)->next;
    return slot;
}

static struct name_entry *map_find(struct name_map *m, const char *name, size_t len)
{
    struct name_entry **slot = map_slot(m, name, len);
    return slot ? *slot : NULL;
}

/* Doubles the bucket array; the registry is not on any hot path, so a
 * whole rehash under the lock is fine. */
static void map_grow(struct name_map *m)
{
    size_t n = m->nbuckets ? m->nbuckets * 2 : 16;
    struct name_entry **b = mem_calloc(n, sizeof(*b));
    for (size_t i = 0; i < m->nbuckets; i++) {
        for (struct name_entry *e = m->buckets[i], *next; e; e = next) {
            next = e->next;
            struct name_entry **slot = &b[ks_hash(e->name, e->len) & (n - 1)];
            e->next = *slot;
            *slot = e;
        }
    }
    mem_free(m->buckets);
    m->buckets = b;
    m->nbuckets = n;
}

static struct name_entry *map_add(struct name_map *m, const char *name, size_t len)
{
    if (m->count >= m->nbuckets) map_grow(m);
    struct name_entry *e = mem_calloc(1, sizeof(*e) + len);
    e->len = (uint32_t)len;
    memcpy(e->name, name, len);
    struct name_entry **slot = &m->buckets[ks_hash(name, len) & (m->nbuckets - 1)];
    e->next = *slot;
    *slot = e;
    m->count++;
    return e;
}

static void map_remove(struct name_map *m, struct name_entry *e)
{
    struct name_entry **slot = map_slot(m, e->name, e->len);
    *slot = e->next;
    m->count--;
    mem_free(e->subs);
    mem_free(e);
}

/* ---- subscribing -------------------------------------------------------- */

static int state_index_of(const struct pubsub_state *st, int kind, const struct name_entry *e)
{
    for (uint32_t i = 0; st && i < st->count[kind]; i++)
        if (st->names[kind][i] == e) return (int)i;
    return -1;
}

static void counter_add(int kind, long long n)
{
    atomic_fetch_add(kind == KIND_CHANNEL ? &registry.nchannels : &registry.npatterns, n);
}

/* Adds c to the name's listeners; returns 0 when it already listened. */
static int registry_add(struct client *c, int kind, const char *name, size_t len)
{
    struct name_map *m = &registry.maps[kind];
    struct name_entry *e = map_find(m, name, len);
    if (e && state_index_of(c->pubsub, kind, e) >= 0) return 0;
    if (!e) {
        e = map_add(m, name, len);
        counter_add(kind, 1);
    }
    if (e->nsubs == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 4;
        e->subs = mem_realloc(e->subs, e->cap * sizeof(*e->subs));
    }
    e->subs[e->nsubs++] = c;
    struct pubsub_state *st = c->pubsub;
    if (!st) { /* published for CLIENT LIST on other workers */
        st = mem_calloc(1, sizeof(*st));
        __atomic_store_n(&c->pubsub, st, __ATOMIC_RELEASE);
    }
    if (st->count[kind] == st->cap[kind]) {
        st->cap[kind] = st->cap[kind] ? st->cap[kind] * 2 : 4;
        st->names[kind] = mem_realloc(st->names[kind], st->cap[kind] * sizeof(*st->names[kind]));
    }
    st->names[kind][st->count[kind]] = e;
    __atomic_store_n(&st->count[kind], st->count[kind] + 1, __ATOMIC_RELAXED);
    return 1;
}

/* Removes c from entry number i of its list of the given kind. */
static void registry_remove_at(struct client *c, int kind, uint32_t i)
{
    struct pubsub_state *st = c->pubsub;
    struct name_entry *e = st->names[kind][i];
    st->names[kind][i] = st->names[kind][st->count[kind] - 1];
    __atomic_store_n(&st->count[kind], st->count[kind] - 1, __ATOMIC_RELAXED);
    for (uint32_t j = 0; j < e->nsubs; j++) {
        if (e->subs[j] != c) continue;
        memmove(&e->subs[j], &e->subs[j + 1], (e->nsubs - j - 1) * sizeof(*e->subs));
        e->nsubs--;
        break;
    }
    if (e->nsubs == 0) {
        map_remove(&registry.maps[kind], e);
        counter_add(kind, -1);
    }
}

static int registry_remove(struct client *c, int kind, const char *name, size_t len)
{
    struct name_entry *e = map_find(&registry.maps[kind], name, len);
    int i = e ? state_index_of(c->pubsub, kind, e) : -1;
    if (i < 0) return 0;
    registry_remove_at(c, kind, (uint32_t)i);
    return 1;
}

unsigned pubsub_client_subs(const struct client *c, int patterns)
{
    const struct pubsub_state *st = __atomic_load_n(&c->pubsub, __ATOMIC_ACQUIRE);
    return st ? __atomic_load_n(&st->count[patterns ? 1 : 0], __ATOMIC_RELAXED) : 0;
}

long long pubsub_client_count(const struct client *c)
{
    return (long long)pubsub_client_subs(c, 0) + pubsub_client_subs(c, 1);
}

/* The confirmation Redis sends for each (un)subscription: the action, the
 * name (nil for an "all" with nothing to drop), the client's new count. */
static void reply_confirm(struct client *c, const char *action, const char *name, size_t len)
{
    reply_array(c->out, 3);
    reply_bulk_cstr(c->out, action);
    if (name)
        reply_bulk(c->out, name, len);
    else
        reply_null(c->out);
    reply_int(c->out, pubsub_client_count(c));
}

static int change(struct client *c, int kind, int add, const char *name, size_t len)
{
    static const char *const actions[2][2] = {{"unsubscribe", "subscribe"},
                                              {"punsubscribe", "psubscribe"}};
    pthread_mutex_lock(&registry.lock);
    int changed = add ? registry_add(c, kind, name, len) : registry_remove(c, kind, name, len);
    pthread_mutex_unlock(&registry.lock);
    reply_confirm(c, actions[kind][add], name, len);
    return changed;
}

int pubsub_subscribe(struct client *c, const char *name, size_t len)
{
    return change(c, KIND_CHANNEL, 1, name, len);
}

int pubsub_unsubscribe(struct client *c, const char *name, size_t len)
{
    return change(c, KIND_CHANNEL, 0, name, len);
}

int pubsub_psubscribe(struct client *c, const char *pattern, size_t len)
{
    return change(c, KIND_PATTERN, 1, pattern, len);
}

int pubsub_punsubscribe(struct client *c, const char *pattern, size_t len)
{
    return change(c, KIND_PATTERN, 0, pattern, len);
}

/* Drops every subscription of one kind, confirming each (the name is
 * copied out first: the registry entry may be freed by its removal). */
static void unsubscribe_all(struct client *c, int kind, const char *action)
{
    int dropped = 0;
    for (;;) {
        pthread_mutex_lock(&registry.lock);
        struct pubsub_state *st = c->pubsub;
        if (!st || st->count[kind] == 0) {
            pthread_mutex_unlock(&registry.lock);
            break;
        }
        struct name_entry *e = st->names[kind][st->count[kind] - 1];
        size_t len = e->len;
        char *name = mem_alloc(len + 1);
        memcpy(name, e->name, len);
        registry_remove_at(c, kind, st->count[kind] - 1);
        pthread_mutex_unlock(&registry.lock);
        reply_confirm(c, action, name, len);
        mem_free(name);
        dropped++;
    }
    if (dropped == 0) reply_confirm(c, action, NULL, 0);
}

void pubsub_unsubscribe_all(struct client *c)
{
    unsubscribe_all(c, KIND_CHANNEL, "unsubscribe");
}

void pubsub_punsubscribe_all(struct client *c)
{
    unsubscribe_all(c, KIND_PATTERN, "punsubscribe");
}

/* ---- publishing --------------------------------------------------------- */

static size_t bulk_header(char *buf, size_t len)
{
    return (size_t)sprintf(buf, "$%zu\r\n", len);
}

/* Formats "*N\r\n" + each part as a bulk string, once per publish. */
static struct message *message_make(int nparts, const char *const *parts, const size_t *lens)
{
    size_t total = 16;
    for (int i = 0; i < nparts; i++) total += lens[i] + 32;
    struct message *m = mem_alloc(sizeof(*m) + total);
    atomic_init(&m->refs, 0);
    char *p = m->bytes;
    p += sprintf(p, "*%d\r\n", nparts);
    for (int i = 0; i < nparts; i++) {
        p += bulk_header(p, lens[i]);
        memcpy(p, parts[i], lens[i]);
        p += lens[i];
        memcpy(p, "\r\n", 2);
        p += 2;
    }
    m->len = (size_t)(p - m->bytes);
    return m;
}

static void message_release(struct message *m)
{
    if (atomic_fetch_sub(&m->refs, 1) == 1) mem_free(m);
}

/* Queues m for every listener of e (registry.lock held). */
static long long fan_out(struct name_entry *e, struct message *m)
{
    atomic_fetch_add(&m->refs, (int)e->nsubs);
    for (uint32_t i = 0; i < e->nsubs; i++) {
        struct client *c = e->subs[i];
        struct inbox *in = &inboxes[io_worker_index(c->worker)];
        struct delivery *d = mem_alloc(sizeof(*d));
        d->next = NULL;
        d->client = c;
        d->msg = m;
        pthread_mutex_lock(&in->lock);
        if (in->tail)
            in->tail->next = d;
        else
            in->head = d;
        in->tail = d;
        in->worker = c->worker;
        in->touched = 1;
        pthread_mutex_unlock(&in->lock);
    }
    return e->nsubs;
}

long long pubsub_publish(const char *channel, size_t clen, const char *msg, size_t mlen)
{
    long long receivers = 0;
    pthread_mutex_lock(&registry.lock);
    struct name_entry *e = map_find(&registry.maps[KIND_CHANNEL], channel, clen);
    if (e) {
        const char *parts[] = {"message", channel, msg};
        const size_t lens[] = {7, clen, mlen};
        struct message *m = message_make(3, parts, lens);
        atomic_fetch_add(&m->refs, 1); /* ours, while fanning out */
        receivers += fan_out(e, m);
        message_release(m);
    }
    const struct name_map *pm = &registry.maps[KIND_PATTERN];
    for (size_t b = 0; b < pm->nbuckets; b++) {
        for (struct name_entry *p = pm->buckets[b]; p; p = p->next) {
            if (!glob_match(p->name, p->len, channel, clen, 0)) continue;
            const char *parts[] = {"pmessage", p->name, channel, msg};
            const size_t lens[] = {8, p->len, clen, mlen};
            struct message *m = message_make(4, parts, lens);
            atomic_fetch_add(&m->refs, 1);
            receivers += fan_out(p, m);
            message_release(m);
        }
    }
    pthread_mutex_unlock(&registry.lock);
    for (int i = 0; i < ninboxes; i++) {
        struct inbox *in = &inboxes[i];
        pthread_mutex_lock(&in->lock);
        int wake = in->touched;
        in->touched = 0;
        struct io_worker *w = in->worker;
        pthread_mutex_unlock(&in->lock);
        if (wake) io_worker_wake(w);
    }
    return receivers;
}

void pubsub_worker_deliver(int worker_index)
{
    struct inbox *in = &inboxes[worker_index];
    pthread_mutex_lock(&in->lock);
    struct delivery *d = in->head;
    in->head = in->tail = NULL;
    pthread_mutex_unlock(&in->lock);
    while (d) {
        struct delivery *next = d->next;
        struct client *c = d->client;
        if (!(c->flags & CLIENT_CLOSED)) {
            outbuf_append(c->out, d->msg->bytes, d->msg->len);
            io_conn_mark_dirty(c->conn);
        }
        message_release(d->msg);
        mem_free(d);
        d = next;
    }
}

/* ---- queries ------------------------------------------------------------ */

void pubsub_reply_channels(struct outbuf *out, const char *pattern, size_t plen)
{
    pthread_mutex_lock(&registry.lock);
    const struct name_map *m = &registry.maps[KIND_CHANNEL];
    long long n = 0;
    for (size_t b = 0; b < m->nbuckets; b++)
        for (struct name_entry *e = m->buckets[b]; e; e = e->next)
            n += !pattern || glob_match(pattern, plen, e->name, e->len, 0);
    reply_array(out, n);
    for (size_t b = 0; b < m->nbuckets; b++)
        for (struct name_entry *e = m->buckets[b]; e; e = e->next)
            if (!pattern || glob_match(pattern, plen, e->name, e->len, 0))
                reply_bulk(out, e->name, e->len);
    pthread_mutex_unlock(&registry.lock);
}

long long pubsub_channel_subscribers(const char *channel, size_t len)
{
    pthread_mutex_lock(&registry.lock);
    struct name_entry *e = map_find(&registry.maps[KIND_CHANNEL], channel, len);
    long long n = e ? e->nsubs : 0;
    pthread_mutex_unlock(&registry.lock);
    return n;
}

long long pubsub_pattern_count(void)
{
    return atomic_load(&registry.npatterns);
}

long long pubsub_channel_count(void)
{
    return atomic_load(&registry.nchannels);
}

/* ---- a client leaving --------------------------------------------------- */

void pubsub_client_gone(struct client *c)
{
    struct pubsub_state *st = c->pubsub;
    if (!st) return;
    pthread_mutex_lock(&registry.lock);
    for (int kind = 0; kind < 2; kind++)
        while (st->count[kind] > 0) registry_remove_at(c, kind, st->count[kind] - 1);
    pthread_mutex_unlock(&registry.lock);

    struct inbox *in = &inboxes[io_worker_index(c->worker)];
    pthread_mutex_lock(&in->lock);
    struct delivery **link = &in->head, *last = NULL;
    while (*link) {
        struct delivery *d = *link;
        if (d->client == c) {
            *link = d->next;
            message_release(d->msg);
            mem_free(d);
        } else {
            last = d;
            link = &d->next;
        }
    }
    in->tail = last;
    pthread_mutex_unlock(&in->lock);

    for (int kind = 0; kind < 2; kind++) mem_free(st->names[kind]);
    mem_free(st);
    c->pubsub = NULL;
}
