/*
 * effect_log: the multi-producer, single-consumer byte ring of write
 * effects. See engine/effect_log.h.
 *
 * In the ring a record is [u64 commit word][payload, padded to 8]. The
 * commit word is 0 until the producer has written the payload; then
 * (payload length << 1) | 1, or for a payload too large for the ring
 * (length << 1) | 1 with bit 63 set and the payload held in a heap buffer
 * whose address is the record's only content. The consumer zeroes every
 * record it took before moving the head past it, so the next lap finds
 * zeros where records have not been committed yet.
 */
#include "engine/effect_log.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"

#define INDIRECT (1ULL << 63)

static struct {
    char *ring;
    size_t size; /* a power of two */
    _Alignas(64) atomic_uint_least64_t tail;
    _Alignas(64) atomic_uint_least64_t head;
    atomic_int sleeping;
    void (*notify)(void);
    char *scratch; /* consumer: a record that wraps, made contiguous */
    size_t scratch_cap;
} log_;

/* A thread that defers its notifications (effect_log_defer_notify) and
 * whether it published since its last effect_log_flush_notify. */
static _Thread_local int defer_notify, notify_owed;

static size_t round8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

void effect_log_init(size_t bytes, void (*notify)(void))
{
    log_.ring = mem_calloc_aligned(64, bytes);
    log_.size = bytes;
    atomic_init(&log_.tail, 0);
    atomic_init(&log_.head, 0);
    atomic_init(&log_.sleeping, 0);
    log_.notify = notify;
}

void effect_log_destroy(void)
{
    /* Indirect records left unconsumed own heap buffers. */
    effect_log_consume(NULL, NULL, SIZE_MAX);
    mem_free(log_.ring);
    mem_free(log_.scratch);
    memset(&log_, 0, sizeof(log_));
}

static atomic_uint_least64_t *commit_word(uint64_t pos)
{
    return (atomic_uint_least64_t *)(log_.ring + (pos & (log_.size - 1)));
}

/* Copies n bytes into the ring at position pos, across its end if need be. */
static void ring_write(uint64_t pos, const void *src, size_t n)
{
    size_t at = pos & (log_.size - 1), first = log_.size - at;
    if (first >= n) {
        memcpy(log_.ring + at, src, n);
    } else {
        memcpy(log_.ring + at, src, first);
        memcpy(log_.ring, (const char *)src + first, n - first);
    }
}

static void ring_zero(uint64_t pos, size_t n)
{
    size_t at = pos & (log_.size - 1), first = log_.size - at;
    if (first >= n) {
        memset(log_.ring + at, 0, n);
    } else {
        memset(log_.ring + at, 0, first);
        memset(log_.ring, 0, n - first);
    }
}

uint64_t effect_log_publish(const void *payload, size_t len)
{
    int indirect = 8 + round8(len) > log_.size / 4;
    size_t record = indirect ? 16 : 8 + round8(len);
    uint64_t pos = atomic_fetch_add_explicit(&log_.tail, record, memory_order_relaxed);
    /* Room: the consumer must have moved past what this lap overwrites
     * (it must be awake for that: what this thread still owes it first). */
    while (pos + record - atomic_load_explicit(&log_.head, memory_order_acquire) > log_.size) {
        effect_log_flush_notify();
        sched_yield();
    }
    uint64_t word = ((uint64_t)len << 1) | 1;
    if (indirect) {
        void *copy = mem_alloc(len ? len : 1);
        memcpy(copy, payload, len);
        ring_write(pos + 8, &copy, sizeof(copy));
        word |= INDIRECT;
    } else {
        ring_write(pos + 8, payload, len);
    }
    atomic_store_explicit(commit_word(pos), word, memory_order_release);
    notify_owed = 1;
    if (!defer_notify) effect_log_flush_notify();
    return pos + record;
}

void effect_log_defer_notify(int on)
{
    defer_notify = on;
}

void effect_log_flush_notify(void)
{
    if (!notify_owed) return;
    notify_owed = 0;
    /* Dekker with effect_log_sleep_begin: either it sees the records
     * committed before this fence or we see it sleeping. */
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&log_.sleeping, memory_order_relaxed) &&
        atomic_exchange_explicit(&log_.sleeping, 0, memory_order_relaxed))
        log_.notify();
}

static void parse_ops(const char *p, size_t len, effect_op_fn *fn, void *ctx)
{
    size_t off = 0;
    while (off + sizeof(struct effect_op_header) <= len) {
        struct effect_op_header h;
        memcpy(&h, p + off, sizeof(h));
        off += sizeof(h);
        if (h.len > len - off) break; /* cannot happen: our own framing */
        fn(ctx, (int)h.db, p + off, h.len);
        off += h.len;
    }
}

size_t effect_log_consume(effect_op_fn *fn, void *ctx, size_t max_bytes)
{
    uint64_t head = atomic_load_explicit(&log_.head, memory_order_relaxed);
    size_t done = 0;
    while (done < max_bytes) {
        uint64_t word = atomic_load_explicit(commit_word(head), memory_order_acquire);
        if (word == 0) break;
        size_t len = (size_t)((word & ~INDIRECT) >> 1);
        size_t record = (word & INDIRECT) ? 16 : 8 + round8(len);
        size_t at = (head + 8) & (log_.size - 1);
        const char *payload;
        void *heap = NULL;
        if (word & INDIRECT) {
            memcpy(&heap, log_.ring + at, sizeof(heap));
            payload = heap;
        } else if (at + len <= log_.size) {
            payload = log_.ring + at;
        } else {
            if (log_.scratch_cap < len) {
                log_.scratch = mem_realloc(log_.scratch, len);
                log_.scratch_cap = len;
            }
            size_t first = log_.size - at;
            memcpy(log_.scratch, log_.ring + at, first);
            memcpy(log_.scratch + first, log_.ring, len - first);
            payload = log_.scratch;
        }
        if (fn) parse_ops(payload, len, fn, ctx);
        mem_free(heap);
        ring_zero(head, record);
        head += record;
        atomic_store_explicit(&log_.head, head, memory_order_release);
        done += record;
    }
    return done;
}

uint64_t effect_log_head(void)
{
    return atomic_load_explicit(&log_.head, memory_order_relaxed);
}

int effect_log_sleep_begin(void)
{
    atomic_store_explicit(&log_.sleeping, 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_seq_cst);
    uint64_t head = atomic_load_explicit(&log_.head, memory_order_relaxed);
    if (atomic_load_explicit(commit_word(head), memory_order_acquire) != 0) {
        atomic_store_explicit(&log_.sleeping, 0, memory_order_relaxed);
        return 1;
    }
    return 0;
}

void effect_log_sleep_end(void)
{
    atomic_store_explicit(&log_.sleeping, 0, memory_order_relaxed);
}
