/*
 * client: one client connection's engine state: query buffer, parser,
 * selected db, auth, name, statistics; reading commands out of received
 * bytes and running them; CLIENT LIST/INFO formatting; the registry of all
 * clients (for CLIENT LIST/KILL and INFO clients).
 *
 * A client belongs to the worker that accepted it and is only touched by
 * that worker, except through the registry (under registry_lock) where
 * other workers read the fields marked "shared" (written with relaxed atomic
 * stores by the owner) and set kill_requested.
 */
#ifndef TANDEM_ENGINE_CLIENT_H
#define TANDEM_ENGINE_CLIENT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>

#include "engine/resp.h"
#include "io/loop.h"

struct command;
struct pubsub_state;
struct multi_state;
struct watched_key;
struct blocker;
struct repl_handover;

enum client_flag {
    CLIENT_CLOSE_AFTER_REPLY = 1 << 0,
    CLIENT_CLOSED = 1 << 1,
    CLIENT_PROTECTED = 1 << 2,     /* refused by protected mode */
    CLIENT_HANDOVER = 1 << 3,      /* became a replica: its socket goes to the replication thread */
    CLIENT_MASTER = 1 << 4,        /* the primary's stream, run by the replication thread */
    CLIENT_REPLICA = 1 << 6,       /* a replica of this server (its registry entry only) */
    CLIENT_DENY_BLOCKING = 1 << 5, /* never blocks (a blocking command answers at once) */
};

struct client {
    uint64_t id;
    struct io_conn *conn;
    struct io_worker *worker;
    struct outbuf *out;
    int fd;
    uint32_t flags;
    int authenticated;
    int resp;     /* protocol version: 2 */
    int is_local; /* connected from the loopback interface */
    char addr[64];
    char laddr[64];
    int64_t ctime_ms;

    /* shared: written by the owner with relaxed atomic stores */
    int db_id;
    int64_t last_interaction_ms;
    const struct command *last_cmd;
    uint64_t qbuf_len_pub, qbuf_free_pub, obuf_len_pub, obuf_mem_pub;
    char *name; /* replaced under registry_lock */

    /* set by any thread, acted on by the owner */
    atomic_int kill_requested;

    /* query buffer: bytes of an incomplete command */
    struct resp_parser parser;
    char *qbuf;
    size_t qlen, qcap;
    size_t qneed; /* bytes the parser needs before it can progress */

    int64_t obuf_soft_since_ms; /* when the soft output limit was first hit */

    struct pubsub_state *pubsub; /* channels and patterns listened to, or NULL */

    /* MULTI/WATCH (engine/multi.c, engine/watch.c) */
    struct multi_state *multi;   /* NULL unless inside MULTI */
    struct watched_key *watched; /* this client's WATCHes */
    unsigned nwatched;           /* shared: relaxed stores */
    int multi_pub;               /* shared: queued commands, or -1 outside MULTI */
    atomic_int dirty_cas;        /* a watched key changed: set by any worker */

    /* Blocked on keys (engine/blocking.c), or NULL: set and cleared by the
     * owner under registry_lock; CLIENT UNBLOCK reads it under that lock. */
    struct blocker *blocker;

    /* REPLCONF before SYNC/PSYNC (engine/cmd_repl.c) */
    int repl_listening_port;
    int repl_capa_eof, repl_capa_psync2, repl_rdb_only;
    char *repl_ip;                  /* REPLCONF ip-address, or NULL */
    struct repl_handover *handover; /* SYNC/PSYNC: waiting for the socket */
    uint64_t woff_logpos;           /* effect log position after its last write (WAIT) */

    struct client *reg_prev, *reg_next;       /* registry (registry_lock) */
    struct client *worker_prev, *worker_next; /* owner worker's list */
};

extern pthread_mutex_t registry_lock;

/* io_handler callbacks (engine/server.c wires them). */
void *client_on_open(struct io_worker *w, struct io_conn *conn,
                     const struct sockaddr_storage *peer);
void client_on_data(void *state, const char *data, size_t len);
void client_on_close(void *state);

/* The client's blocking command was answered: runs the commands it sent
 * while blocked (owner worker). */
void client_unblocked(struct client *c);

/* SYNC/PSYNC: stops running the client's commands and hands its socket,
 * with what it sent after the command, to the replication thread (h is
 * then the replication thread's). */
void client_hand_over(struct client *c, struct repl_handover *h);

/* A connection the replication thread w owns, in the registry so that
 * CLIENT LIST shows it and CLIENT KILL reaches it (kill_requested, then a
 * wake-up of w): the master client of a replica (CLIENT_MASTER, flag M,
 * engine/replica.c: its replies go to out, which the caller discards) or a
 * replica of this server (CLIENT_REPLICA, flag S, engine/repl.c). */
struct client *client_create_internal(struct io_worker *w, int fd, const char *addr,
                                      struct outbuf *out, uint32_t flags);
void client_free_internal(struct client *c);

/* Closes the client after its pending replies are sent. */
void client_close_after_reply(struct client *c);
/* Worker cron: idle timeouts, output-limit checks, kill requests. */
void client_worker_cron(struct io_worker *w, int64_t now_ms);
/* Acts on kill requests for clients of this worker. */
void client_worker_wake(struct io_worker *w);

/* Formats the CLIENT LIST / CLIENT INFO line of c (no trailing newline). */
int client_format_info(struct client *c, char *buf, size_t size, int64_t now_ms);

/* The first client of the registry; walk with reg_next. Caller holds
 * registry_lock. */
struct client *client_registry_first(void);

/* Connected clients right now. */
long long client_count(void);

#endif
