/*
 * repl: replication, primary side. The replication thread (the io
 * service loop, io/loop.h) is the single writer of the backlog and of the
 * replication offset, and owns every replica connection: a client that
 * sends SYNC or PSYNC on a worker has its socket handed over
 * (io_conn_detach / io_conn_adopt).
 *
 * The stream: write effects come from the effect log (engine/propagate.h,
 * engine/effect_log.h) in the order they were applied; the replication
 * thread inserts SELECT when the database changes, appends the bytes to
 * the backlog (a list of blocks; master_repl_offset counts every byte, as
 * Redis counts it) and passes them on to the online replicas.
 *
 * A replica that asks with the current replid (or the previous one, up to
 * second_repl_offset) for an offset the backlog still holds gets
 * +CONTINUE and the bytes from there. Any other gets +FULLRESYNC and a
 * fork-less snapshot (engine/snapshot.h) taken at the current offset,
 * streamed as RDB in the EOF-mark framing (capa eof), while writes go on;
 * then the stream from that offset.
 *
 * Threads: repl_init on the main thread before the loops start;
 * repl_handover and the repl_info / repl_role readers on workers; the rest
 * on the replication thread. Never blocks on a shard lock: it tries, and
 * drains the effect log while it waits, since the holder may be waiting
 * for room in that log.
 */
#ifndef TANDEM_ENGINE_REPL_H
#define TANDEM_ENGINE_REPL_H

#include <stddef.h>
#include <stdint.h>

struct io_handler;
struct outbuf;

/* What a worker hands over with a replica's socket. */
struct repl_handover {
    int fd;
    int psync;        /* PSYNC (else SYNC) */
    char replid[41];  /* PSYNC's replid ("?" for none) */
    long long offset; /* PSYNC's offset (-1 for none) */
    int capa_eof, capa_psync2;
    int rdb_only;       /* REPLCONF rdb-only 1: the RDB, then the connection ends */
    int listening_port; /* REPLCONF listening-port, 0 if not sent */
    char ip[64];        /* REPLCONF ip-address, or the peer's address */
    char peer[64];      /* the peer's "ip:port" (CLIENT LIST addr) */
    unsigned long long client_id;
    char *pending; /* bytes the client sent after PSYNC (mem_alloc) */
    size_t npending;
    struct repl_handover *next;
};

/* Main thread, before io_start: the replication id. */
void repl_init(void);
/* The service loop's callbacks. */
const struct io_handler *repl_service_handler(void);
/* Worker: queues a handed-over replica for the replication thread (takes
 * ownership of h). */
void repl_handover(struct repl_handover *h);

/* WAIT (any worker). How many online replicas acknowledged the stream up
 * to the effect log position logpos (a client's last write): 1 and the
 * count, or 0 when that position is not in the stream yet. */
struct blocker;
int repl_wait_acks(uint64_t logpos, long long *acked);
/* The blocked WAIT's answer when its time is up. */
void repl_wait_timeout_reply(uint64_t logpos, struct outbuf *out);
/* Hands a blocked WAIT (blocking_block_external) to the replication
 * thread, which answers it when numreplicas acknowledged. */
void repl_wait_add(struct blocker *b, uint64_t logpos, long long numreplicas);

/* min-replicas-to-write: 1 unless it is set and fewer online replicas
 * acknowledged within min-replicas-max-lag seconds (any worker). */
int repl_enough_good_replicas(void);

/*
 * The replica side's hooks (engine/replica.c), replication thread only.
 */
/* Drops every replica of this server (its history changed). */
void repl_drop_replicas(void);
/* Role changes, under a barrier of every shard lock: as a replica the
 * stream is the primary's bytes (repl_stream_feed) and workers record no
 * effects; as a primary (promotion) the history continues under a new
 * replid, the old one valid up to here (replid2, second_repl_offset). */
struct blocker;
void repl_become_replica(const struct blocker *requester); /* its REPLICAOF stays blocked */
void repl_become_primary(void);
/* A full sync from the primary begins: this server's history (backlog,
 * replid2) is gone whatever the load's outcome, and its replicas with it;
 * the next PSYNC asks "? -1" until a sync succeeds. */
void repl_forget_history(void);
/* A full sync from the primary: its replid and the offset of its RDB. */
void repl_new_history(const char *replid, uint64_t offset);
/* +CONTINUE with another replid: ours becomes replid2. */
void repl_shift_history(const char *replid);
/* Bytes of the primary's stream, applied: appended to the backlog and
 * passed on to this server's own replicas. */
void repl_stream_feed(const char *p, size_t n);
/* What to ask the primary: our replid and offset + 1, or "?" and -1. */
void repl_psync_request(char replid[41], long long *offset);
/* The stream offset (master_repl_offset); the published copy any thread
 * may read. */
uint64_t repl_offset(void);
long long repl_offset_published(void);

/* INFO replication's lines (mem_alloc'd text) and ROLE's reply (any
 * worker). */
char *repl_info_text(void);
void repl_role_reply(struct outbuf *out);
/* INFO stats. */
unsigned long long repl_sync_full(void);
unsigned long long repl_sync_partial_ok(void);
unsigned long long repl_sync_partial_err(void);

#endif
