/*
 * outbuf: a connection's pending output, a list of fixed-size chunks.
 *
 * Owned by the worker thread that owns the connection: appended to while a
 * command runs, drained by the same worker's loop once per turn with a single
 * send/sendmsg covering every chunk. Never shared between threads.
 * Appends copy bytes into the tail chunk; large payloads get a chunk of their
 * own sized to fit so that a 64 MiB value is one allocation, not thousands.
 * A reference chunk holds no bytes of its own: it points at memory its
 * owner keeps alive until the chunk's release callback runs (the
 * replication backlog's blocks, sent to every replica without a copy).
 */
#ifndef TANDEM_IO_OUTBUF_H
#define TANDEM_IO_OUTBUF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define OUTBUF_CHUNK 16384

struct outbuf_chunk {
    struct outbuf_chunk *next;
    size_t used;     /* bytes written into data (or referenced at ref) */
    size_t sent;     /* bytes of data already sent */
    size_t cap;      /* 0 for a reference chunk */
    const char *ref; /* a reference chunk's bytes, else NULL */
    void (*release)(void *arg);
    void *arg;
    char data[];
};

struct outbuf {
    struct outbuf_chunk *head, *tail;
    size_t pending; /* bytes appended and not yet sent */
    size_t nchunks;
};

void outbuf_init(struct outbuf *ob);
void outbuf_free(struct outbuf *ob);
/* Appends len bytes. Never fails (allocation failure aborts the process, as
 * Redis's zmalloc does). */
void outbuf_append(struct outbuf *ob, const void *p, size_t len);
/* Returns a pointer to at least len writable bytes at the tail; the caller
 * then calls outbuf_commit with how many it wrote. */
char *outbuf_reserve(struct outbuf *ob, size_t len);
void outbuf_commit(struct outbuf *ob, size_t len);
/* Appends len bytes that stay at p, owned by the caller, until
 * release(arg) says the buffer is done with them (sent, or the buffer
 * freed). Returns 1 when the buffer took a new hold on arg (release will
 * be called once for it), 0 when the bytes continue the tail chunk's, same
 * arg, and joined that hold. */
int outbuf_append_ref(struct outbuf *ob, const void *p, size_t len, void (*release)(void *arg),
                      void *arg);
/* Fills up to max iovecs with the unsent bytes; returns how many. */
int outbuf_iov(const struct outbuf *ob, struct iovec *iov, int max);
/* Marks n bytes as sent, freeing chunks that are fully sent. */
void outbuf_consume(struct outbuf *ob, size_t n);
/* Bytes held in memory by this buffer (for INFO and output limits). */
size_t outbuf_memory(const struct outbuf *ob);

#endif
