/*
 * replica: replication, replica side. REPLICAOF / SLAVEOF / the replicaof
 * directive make this server follow a primary: it connects, shakes hands
 * (PING, AUTH with masterauth/masteruser, REPLCONF listening-port, REPLCONF
 * capa eof capa psync2, PSYNC), takes a full sync (the RDB, loaded as
 * repl-diskless-load says) or continues from its own replid and offset,
 * then applies the primary's stream in order and acknowledges it.
 *
 * Threads:
 * - the replication thread (engine/repl.c's service loop) owns the link
 *   once it streams: it runs the primary's commands as the master client
 *   (taking shard locks like any writer, so the workers keep serving
 *   reads), passes the applied bytes on to this server's own replicas with
 *   the same offsets (repl_stream_feed), sends REPLCONF ACK every second
 *   and on GETACK, and loads a full sync's RDB (the keyspace changes only
 *   on this thread);
 * - a short-lived sync thread connects, shakes hands and receives the RDB
 *   (to a file, or up to its first byte when it is read from the socket),
 *   with blocking I/O bounded by repl-timeout, so that a slow or dead
 *   primary never stalls the replication thread; it hands the socket back
 *   through the replication thread's wake-up;
 * - workers call replica_set_master (REPLICAOF, which then waits for the
 *   replication thread to switch roles) and the readers below.
 */
#ifndef TANDEM_ENGINE_REPLICA_H
#define TANDEM_ENGINE_REPLICA_H

#include <stddef.h>
#include <stdint.h>

struct blocker;
struct io_worker;
struct outbuf;

/* Any worker: follow host:port (host NULL: REPLICAOF NO ONE). When b is not
 * NULL (a client blocked with blocking_block_external) the replication
 * thread answers it with +OK once the role has changed. */
void replica_set_master(const char *host, int port, struct blocker *b);

/* Any thread, no lock. */
int replica_active(void);  /* following a primary */
int replica_link_up(void); /* ... and streaming from it */
/* 1 while a full sync's RDB is loaded into the emptied keyspace (-LOADING),
 * 2 while it is loaded beside the served data (swapdb: -LOADING only for
 * no-async-loading commands). */
int replica_loading(void);
/* CLIENT KILL of the master client: the link reads as down at once (the
 * replication thread closes it next). */
void replica_kill_link(void);
/* "host port" of the primary, or "" (CONFIG GET replicaof). */
void replica_format_master(char *buf, size_t size);
/* Whether host:port is the primary followed now (REPLICAOF's "Already
 * connected"). */
int replica_follows(const char *host, int port);

/* INFO replication's replica lines (mem_alloc'd), NULL when not a
 * replica; ROLE's reply for a replica. */
char *replica_info_text(void);
void replica_role_reply(struct outbuf *out);

/* Replication thread: the service loop's hooks, and whether the master
 * client is inside MULTI (no snapshot offset may fall there). */
void replica_on_thread_start(struct io_worker *w);
void replica_on_thread_stop(struct io_worker *w);
void replica_on_wake(void);
void replica_on_tick(void);
int replica_in_transaction(void);
/* The db the primary's stream is in now (its next command runs there). */
int replica_stream_db(void);

#endif
