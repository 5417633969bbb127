/*
 * outbuf: a connection's pending output as a list of chunks. See outbuf.h.
 *
 * Small replies are packed into 16 KiB chunks so that a pipeline of ten
 * thousand replies costs a handful of allocations and one sendmsg; a reply
 * bigger than a chunk gets a chunk of exactly its size.
 */
#include "io/outbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void outbuf_init(struct outbuf *ob)
{
    memset(ob, 0, sizeof(*ob));
}

static void chunk_free(struct outbuf_chunk *c)
{
    if (c->release) c->release(c->arg);
    free(c);
}

void outbuf_free(struct outbuf *ob)
{
    struct outbuf_chunk *c = ob->head;
    while (c) {
        struct outbuf_chunk *next = c->next;
        chunk_free(c);
        c = next;
    }
    outbuf_init(ob);
}

static struct outbuf_chunk *outbuf_new_chunk(struct outbuf *ob, size_t want)
{
    size_t cap = want > OUTBUF_CHUNK ? want : OUTBUF_CHUNK;
    struct outbuf_chunk *c = malloc(sizeof(*c) + cap);
    if (!c) {
        fprintf(stderr, "outbuf: out of memory allocating %zu bytes\n", cap);
        abort();
    }
    c->next = NULL;
    c->used = c->sent = 0;
    c->cap = cap;
    c->ref = NULL;
    c->release = NULL;
    c->arg = NULL;
    if (ob->tail)
        ob->tail->next = c;
    else
        ob->head = c;
    ob->tail = c;
    ob->nchunks++;
    return c;
}

char *outbuf_reserve(struct outbuf *ob, size_t len)
{
    struct outbuf_chunk *t = ob->tail;
    if (!t || t->ref || t->cap - t->used < len) t = outbuf_new_chunk(ob, len);
    return t->data + t->used;
}

void outbuf_commit(struct outbuf *ob, size_t len)
{
    ob->tail->used += len;
    ob->pending += len;
}

/* Fills the tail chunk first and spills the rest into one new chunk sized
 * to hold it all, so a large payload is never split into many chunks. */
void outbuf_append(struct outbuf *ob, const void *p, size_t len)
{
    const char *src = p;
    struct outbuf_chunk *t = ob->tail;
    if (t && !t->ref && t->cap > t->used) {
        size_t room = t->cap - t->used;
        size_t n = len < room ? len : room;
        memcpy(t->data + t->used, src, n);
        t->used += n;
        ob->pending += n;
        src += n;
        len -= n;
    }
    if (len == 0) return;
    t = outbuf_new_chunk(ob, len);
    memcpy(t->data, src, len);
    t->used = len;
    ob->pending += len;
}

int outbuf_append_ref(struct outbuf *ob, const void *p, size_t len, void (*release)(void *arg),
                      void *arg)
{
    struct outbuf_chunk *t = ob->tail;
    ob->pending += len;
    if (t && t->ref && t->arg == arg && t->release == release && t->ref + t->used == p) {
        t->used += len;
        return 0;
    }
    struct outbuf_chunk *c = malloc(sizeof(*c));
    if (!c) {
        fprintf(stderr, "outbuf: out of memory\n");
        abort();
    }
    *c = (struct outbuf_chunk){.used = len, .ref = p, .release = release, .arg = arg};
    if (t)
        t->next = c;
    else
        ob->head = c;
    ob->tail = c;
    ob->nchunks++;
    return 1;
}

int outbuf_iov(const struct outbuf *ob, struct iovec *iov, int max)
{
    int n = 0;
    for (struct outbuf_chunk *c = ob->head; c && n < max; c = c->next) {
        if (c->used == c->sent) continue;
        iov[n].iov_base = (char *)(c->ref ? c->ref : c->data) + c->sent;
        iov[n].iov_len = c->used - c->sent;
        n++;
    }
    return n;
}

void outbuf_consume(struct outbuf *ob, size_t n)
{
    ob->pending -= n;
    while (n > 0 && ob->head) {
        struct outbuf_chunk *c = ob->head;
        size_t left = c->used - c->sent;
        size_t take = n < left ? n : left;
        c->sent += take;
        n -= take;
        if (c->sent == c->used) {
            /* Keep one emptied chunk as the tail to reuse for the next
             * replies instead of freeing and allocating it again. */
            if (c == ob->tail && c->cap == OUTBUF_CHUNK) {
                c->used = c->sent = 0;
                break;
            }
            ob->head = c->next;
            if (!ob->head) ob->tail = NULL;
            ob->nchunks--;
            chunk_free(c);
        }
    }
}

size_t outbuf_memory(const struct outbuf *ob)
{
    size_t total = 0;
    for (struct outbuf_chunk *c = ob->head; c; c = c->next) total += c->cap;
    return total;
}
