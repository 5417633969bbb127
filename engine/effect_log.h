/*
 * effect_log: the lock-free queue from the threads that apply writes to the
 * replication thread: a ring of bytes in which any thread claims room for a
 * record with one atomic fetch-and-add on the tail, fills it and commits it
 * (its length, stored last with release order); the one consumer takes
 * committed records in claim order.
 *
 * Why claim order is the right order: a writer publishes while it still
 * holds the shard locks of every key it changed (engine/propagate.h), so
 * of two writes to the same key the one applied first also claimed first.
 * Writes to different keys may come out in either order, as they could
 * have been applied in either.
 *
 * A record is a sequence of operations, each [u32 db][u32 length][RESP
 * bytes], padded to 8 bytes; the whole record is published at once (a
 * MULTI ... EXEC block is one record). When the ring is full the producer
 * waits for the consumer (yielding), still holding its locks: the stream
 * never drops an effect.
 *
 * Threads: effect_log_publish from any thread; effect_log_consume and
 * effect_log_sleep_begin/_end from the single consumer only.
 */
#ifndef TANDEM_ENGINE_EFFECT_LOG_H
#define TANDEM_ENGINE_EFFECT_LOG_H

#include <stddef.h>
#include <stdint.h>

/* Creates the ring (bytes: a power of two >= 4096). notify is called by a
 * producer when the consumer said it is going to sleep and a record came. */
void effect_log_init(size_t bytes, void (*notify)(void));
void effect_log_destroy(void);

/* Appends one record whose payload (operations already framed, length a
 * multiple of 8) is bytes. Returns the log position just after it. */
uint64_t effect_log_publish(const void *payload, size_t len);

/* A producer that runs in turns (a worker) may defer the consumer's
 * wake-up to the end of its turn: one wake-up per turn, not one per
 * record, which is also when Redis writes to its replicas (before the
 * event loop sleeps). With defer on, a record stays unseen by a sleeping
 * consumer until effect_log_flush_notify; with it off (the default),
 * publish flushes at once. Both for the calling thread only. */
void effect_log_defer_notify(int on);
void effect_log_flush_notify(void);

/* Consumer: calls fn for every operation of every committed record, in
 * order, up to max_bytes of records; returns the bytes consumed. */
typedef void effect_op_fn(void *ctx, int db, const char *resp, size_t len);
size_t effect_log_consume(effect_op_fn *fn, void *ctx, size_t max_bytes);
/* The log position the consumer has reached. */
uint64_t effect_log_head(void);

/* Consumer: before sleeping, effect_log_sleep_begin(); when it returns 1 a
 * record is already there (do not sleep). Producers then call notify once.
 * effect_log_sleep_end() after waking. */
int effect_log_sleep_begin(void);
void effect_log_sleep_end(void);

/* An operation's frame: this header, then len bytes of RESP; the record's
 * total is padded to EFFECT_ALIGN. */
struct effect_op_header {
    uint32_t db;
    uint32_t len;
};
#define EFFECT_ALIGN 8

#endif
