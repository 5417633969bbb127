/*
 * replica: the replica side of replication. See engine/replica.h.
 *
 * The link's life: REPLICAOF puts it in LINK_CONNECT; the next tick starts
 * a sync thread (LINK_CONNECTING), which connects, shakes hands and asks
 * PSYNC with this server's own replid and offset + 1 (its history is the
 * primary's after any sync, so a short cut costs only the missing bytes).
 * +CONTINUE hands the socket back at once; +FULLRESYNC makes this server
 * drop its own replicas, receive the RDB (LINK_TRANSFER: to a file, or
 * loaded straight from the socket) and take the primary's replid and
 * offset. Then LINK_CONNECTED: the replication thread runs the stream.
 * Any failure goes back to LINK_CONNECT, retried every second.
 *
 * Offsets: a command's bytes count once it has been applied, and not
 * before its transaction's EXEC (Redis's reploff), so that the offset a
 * PSYNC asks for, a snapshot for a chained replica and the backlog never
 * fall inside MULTI ... EXEC.
 */
#define _GNU_SOURCE
#include "engine/replica.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "engine/blocking.h"
#include "engine/client.h"
#include "engine/command.h"
#include "engine/config.h"
#include "engine/keyspace.h"
#include "engine/log.h"
#include "engine/repl.h"
#include "engine/reply.h"
#include "engine/resp.h"
#include "engine/util.h"
#include "engine/watch.h"
#include "io/loop.h"
#include "io/outbuf.h"
#include "storage/rdb.h"

#define RECONNECT_MS 1000
#define ACK_PERIOD_MS 1000

enum link_state {
    LINK_NONE,       /* not a replica */
    LINK_CONNECT,    /* to connect at the next tick */
    LINK_CONNECTING, /* the sync thread connects and shakes hands */
    LINK_TRANSFER,   /* the full sync's RDB is received and loaded */
    LINK_CONNECTED,  /* streaming */
};

enum sync_outcome {
    SYNC_FAILED,
    SYNC_CONTINUE, /* +CONTINUE: the stream follows on fd */
    SYNC_FULL,     /* +FULLRESYNC: the RDB is in path, or still in fd */
};

/* One connection attempt, handed to the sync thread and back. */
struct sync_job {
    unsigned generation; /* stale when REPLICAOF changed things meanwhile */
    char host[256];
    int port;
    int listening_port;
    char psync_replid[41];
    long long psync_offset;
    int to_file; /* receive the RDB into a file first */

    enum sync_outcome outcome;
    int fd;
    char replid[41]; /* the primary's (FULL), or its new one (CONTINUE, may be "") */
    long long offset;
    int eof_framing; /* the RDB ends with mark (else it is rdb_len bytes) */
    char mark[40];
    long long rdb_len;
    char path[64]; /* the received RDB (to_file) */
    /* follow: handed over as soon as the file exists, loaded while it
     * grows; the sync thread publishes the bytes written, then the end */
    int follow;
    atomic_llong written;
    atomic_int file_state; /* 0 receiving, 1 complete, -1 failed */
    char *early;           /* stream bytes read with the RDB from the socket */
    size_t early_len;
    struct sync_job *next;
};

/* A REPLICAOF waiting for the replication thread. */
struct request {
    char *host; /* NULL: NO ONE */
    int port;
    struct blocker *b;
    struct request *next;
};

static struct {
    pthread_mutex_t lock; /* host, port, requests, finished jobs */
    char host[256];
    int port;
    struct request *requests;
    struct sync_job *finished;

    atomic_int active, state, loading, handshake;
    atomic_int killed; /* CLIENT KILL of the master client: down from now on (reset by link_down) */
    atomic_llong last_io_ms, down_since_ms;
    atomic_llong read_offset;    /* slave_read_repl_offset */
    atomic_llong applied_offset; /* slave_repl_offset */
    atomic_llong transfer_size;  /* -1: EOF framing, size unknown */
    atomic_llong transfer_read;
    atomic_llong transfer_last_io_ms;

    /* the replication thread's */
    struct io_worker *loop;
    unsigned generation;
    pthread_t thread;
    int thread_on;
    int sync_fd; /* the sync thread's socket (shutdown to cancel), or -1: under lock, and
                    set to -1 before it is closed, so a cancel never hits a reused number */
    int64_t next_connect_ms;
    int64_t last_ack_ms;
    struct io_conn *conn;
    uintptr_t link_id; /* conn's io state: an old link's late close is told apart */
    struct client *master;
    struct outbuf master_out; /* the master client's replies, discarded */
    int master_db;            /* the stream's db, kept across a partial resync */
    struct resp_parser parser;
    char *qbuf;
    size_t qlen, qcap, parsed; /* qbuf[0..parsed) is parsed, not yet applied (MULTI) */
} upstream = {.lock = PTHREAD_MUTEX_INITIALIZER, .sync_fd = -1};

/* ---- readers (any thread) ---- */

int replica_active(void)
{
    return atomic_load_explicit(&upstream.active, memory_order_relaxed);
}

int replica_link_up(void)
{
    return atomic_load_explicit(&upstream.state, memory_order_relaxed) == LINK_CONNECTED &&
           !atomic_load_explicit(&upstream.killed, memory_order_relaxed);
}

void replica_kill_link(void)
{
    atomic_store(&upstream.killed, 1);
    io_worker_wake(io_service_loop());
}

int replica_loading(void)
{
    return atomic_load_explicit(&upstream.loading, memory_order_relaxed);
}

void replica_format_master(char *buf, size_t size)
{
    pthread_mutex_lock(&upstream.lock);
    if (replica_active())
        snprintf(buf, size, "%s %d", upstream.host, upstream.port);
    else
        buf[0] = '\0';
    pthread_mutex_unlock(&upstream.lock);
}

int replica_follows(const char *host, int port)
{
    pthread_mutex_lock(&upstream.lock);
    int same = replica_active() && strcasecmp(upstream.host, host) == 0 && upstream.port == port;
    pthread_mutex_unlock(&upstream.lock);
    return same;
}

/* The primary followed (any thread). */
static void primary_address(char host[256], int *port)
{
    pthread_mutex_lock(&upstream.lock);
    memcpy(host, upstream.host, 256);
    *port = upstream.port;
    pthread_mutex_unlock(&upstream.lock);
}

int replica_stream_db(void)
{
    return upstream.master ? upstream.master->db_id : upstream.master_db;
}

int replica_in_transaction(void)
{
    return upstream.master && upstream.master->multi;
}

/* ---- REPLICAOF (any worker) ---- */

void replica_set_master(const char *host, int port, struct blocker *b)
{
    struct request *r = mem_calloc(1, sizeof(*r));
    r->host = host ? mem_strdup(host) : NULL;
    r->port = port;
    r->b = b;
    pthread_mutex_lock(&upstream.lock);
    struct request **tail = &upstream.requests;
    while (*tail) tail = &(*tail)->next;
    *tail = r;
    pthread_mutex_unlock(&upstream.lock);
    io_worker_wake(io_service_loop());
}

/* ---- the sync thread: blocking I/O, bounded by repl-timeout ---- */

static int sync_timeout_ms(void)
{
    long long t = CONFIG_READ(repl_timeout) * 1000LL;
    return t > INT32_MAX ? INT32_MAX : (int)t;
}

static void sync_fd_set(int fd)
{
    pthread_mutex_lock(&upstream.lock);
    upstream.sync_fd = fd;
    pthread_mutex_unlock(&upstream.lock);
}

/* Connects within the timeout; the socket is then blocking with send and
 * receive timeouts. */
static int sync_connect(const char *host, int port, char *err, size_t errsize)
{
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) {
        snprintf(err, errsize, "%s", gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) continue;
        sync_fd_set(fd);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 || errno == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            int soerr = 0;
            socklen_t len = sizeof(soerr);
            if (poll(&p, 1, sync_timeout_ms()) == 1 &&
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0)
                break;
            snprintf(err, errsize, "%s", soerr ? strerror(soerr) : "connection timed out");
        } else {
            snprintf(err, errsize, "%s", strerror(errno));
        }
        sync_fd_set(-1);
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) return -1;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    int ms = sync_timeout_ms(), one = 1;
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Sends a command (NULL-terminated arguments) as RESP. */
static int send_command(int fd, const char *const *args)
{
    char buf[1024];
    size_t n = 0, argc = 0;
    while (args[argc]) argc++;
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "*%zu\r\n", argc);
    for (size_t i = 0; i < argc && n < sizeof(buf); i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "$%zu\r\n%s\r\n", strlen(args[i]), args[i]);
    if (n >= sizeof(buf)) return -1;
    return send_all(fd, buf, n);
}

/* Reads one line (without CRLF) a byte at a time, so that nothing after it
 * is consumed. An empty line is what a primary sends to keep us waiting. */
static int read_line(int fd, char *line, size_t size)
{
    size_t n = 0;
    for (;;) {
        char c;
        ssize_t r = recv(fd, &c, 1, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        atomic_store(&upstream.transfer_last_io_ms, util_ms_now());
        if (c == '\n') break;
        if (n + 1 < size) line[n++] = c;
    }
    if (n > 0 && line[n - 1] == '\r') n--;
    line[n] = '\0';
    return 0;
}

/* The first non-empty line. */
static int read_reply(int fd, char *line, size_t size)
{
    do {
        if (read_line(fd, line, size) != 0) return -1;
    } while (line[0] == '\0');
    return 0;
}

/* PING, AUTH, REPLCONF, REPLCONF: each reply read before the next. */
static int sync_handshake(int fd, const struct sync_job *job)
{
    char line[512];
    static const char *const ping[] = {"PING", NULL};
    if (send_command(fd, ping) != 0 || read_reply(fd, line, sizeof(line)) != 0) {
        log_warning("Master did not respond to PING");
        return -1;
    }
    /* An error about authentication is fine here: AUTH comes next. */
    if (line[0] == '-' && strncmp(line, "-NOAUTH", 7) != 0 && strncmp(line, "-NOPERM", 7) != 0 &&
        strncmp(line, "-ERR operation not permitted", 28) != 0) {
        log_warning("Error reply to PING from master: '%s'", line);
        return -1;
    }
    log_notice("Master replied to PING, replication can continue...");

    char auth[512] = "", user[512] = "";
    config_get_string(&config.masterauth, auth, sizeof(auth));
    config_get_string(&config.masteruser, user, sizeof(user));
    if (auth[0]) {
        const char *with_user[] = {"AUTH", user, auth, NULL};
        const char *without[] = {"AUTH", auth, NULL};
        if (send_command(fd, user[0] ? with_user : without) != 0 ||
            read_reply(fd, line, sizeof(line)) != 0 || line[0] == '-') {
            log_warning("Unable to AUTH to MASTER: %s", line);
            return -1;
        }
    }
    char port[16];
    snprintf(port, sizeof(port), "%d", job->listening_port);
    const char *listening[] = {"REPLCONF", "listening-port", port, NULL};
    if (send_command(fd, listening) != 0 || read_reply(fd, line, sizeof(line)) != 0) return -1;
    if (line[0] == '-')
        log_notice("(Non critical) Master does not understand REPLCONF listening-port: %s", line);
    static const char *const capa[] = {"REPLCONF", "capa", "eof", "capa", "psync2", NULL};
    if (send_command(fd, capa) != 0 || read_reply(fd, line, sizeof(line)) != 0) return -1;
    if (line[0] == '-')
        log_notice("(Non critical) Master does not understand REPLCONF capa: %s", line);
    return 0;
}

/* Hands a job to the replication thread. */
static void job_post(struct sync_job *job)
{
    pthread_mutex_lock(&upstream.lock);
    job->next = upstream.finished;
    upstream.finished = job;
    pthread_mutex_unlock(&upstream.lock);
    io_worker_wake(io_service_loop());
}

/* Receives the RDB into job->path (the mark, with EOF framing, is not
 * written). Returns 0 or -1. A follow job is handed over as soon as the
 * file exists: the replication thread loads it while it grows, reading
 * `written`, and learns the end from file_state (the thread's last touch
 * of the job). */
static int sync_receive_file(int fd, struct sync_job *job)
{
    snprintf(job->path, sizeof(job->path), "temp-%lld.%d.rdb", (long long)time(NULL),
             (int)getpid());
    int out = open(job->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        log_warning("Opening the temp file needed for MASTER <-> REPLICA synchronization: %s",
                    strerror(errno));
        return -1;
    }
    if (job->follow) {
        job->outcome = SYNC_FULL;
        job_post(job);
    }
    static char buf[64 << 10];
    char tail[40];
    size_t tail_len = 0;
    long long got = 0;
    int rc = -1;
    for (;;) {
        size_t want = sizeof(buf);
        if (!job->eof_framing) {
            if (got == job->rdb_len) {
                rc = 0;
                break;
            }
            if ((long long)want > job->rdb_len - got) want = (size_t)(job->rdb_len - got);
        }
        ssize_t r = recv(fd, buf, want, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            log_warning("I/O error trying to sync with MASTER: %s",
                        r == 0 ? "connection lost" : strerror(errno));
            break;
        }
        atomic_store(&upstream.transfer_last_io_ms, util_ms_now());
        got += r;
        atomic_store(&upstream.transfer_read, got);
        if (write(out, buf, (size_t)r) != r) {
            log_warning("Write error writing the RDB from the master to disk: %s", strerror(errno));
            break;
        }
        atomic_store(&job->written, got);
        if (!job->eof_framing) continue;
        /* The last 40 bytes received: the mark ends the payload. */
        if ((size_t)r >= sizeof(tail)) {
            memcpy(tail, buf + r - sizeof(tail), sizeof(tail));
            tail_len = sizeof(tail);
        } else {
            size_t keep = tail_len + (size_t)r > sizeof(tail) ? sizeof(tail) - (size_t)r : tail_len;
            memmove(tail, tail + tail_len - keep, keep);
            memcpy(tail + keep, buf, (size_t)r);
            tail_len = keep + (size_t)r;
        }
        if (tail_len == sizeof(tail) && memcmp(tail, job->mark, sizeof(tail)) == 0) {
            rc = ftruncate(out, (off_t)(got - (long long)sizeof(tail)));
            break;
        }
    }
    if (rc == 0 && fsync(out) != 0) rc = -1;
    close(out);
    if (job->follow) {
        sync_fd_set(-1);
        atomic_store(&job->file_state, rc == 0 ? 1 : -1); /* the job is the loader's now */
        return rc;
    }
    if (rc != 0) unlink(job->path);
    return rc;
}

/* After +FULLRESYNC: the payload's header ("$EOF:<mark>" or "$<len>"),
 * after any newlines the primary sends while it prepares it. */
static int sync_read_payload_header(int fd, struct sync_job *job)
{
    char line[512];
    if (read_reply(fd, line, sizeof(line)) != 0) {
        log_warning("I/O error reading bulk count from MASTER");
        return -1;
    }
    if (line[0] == '-') {
        log_warning("MASTER aborted replication with an error: %s", line + 1);
        return -1;
    }
    if (line[0] != '$') {
        log_warning("Bad protocol from MASTER, the first byte is not '$' (we received '%s'), are "
                    "you sure the host and port are right?",
                    line);
        return -1;
    }
    if (strncmp(line + 1, "EOF:", 4) == 0 && strlen(line + 5) >= 40) {
        job->eof_framing = 1;
        memcpy(job->mark, line + 5, 40);
        job->rdb_len = -1;
        log_notice("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to %s",
                   job->to_file ? "disk" : "parser");
    } else {
        char *end;
        job->rdb_len = strtoll(line + 1, &end, 10);
        if (*end != '\0' || job->rdb_len < 0) {
            log_warning("Bad RDB length from MASTER: %s", line);
            return -1;
        }
        log_notice("MASTER <-> REPLICA sync: receiving %lld bytes from master to %s", job->rdb_len,
                   job->to_file ? "disk" : "parser");
    }
    atomic_store(&upstream.transfer_size, job->rdb_len);
    atomic_store(&upstream.transfer_read, 0);
    return 0;
}

/* PSYNC and what its answer leads to. */
/* Returns 1 when the job was already handed over (follow). */
static int sync_psync(int fd, struct sync_job *job)
{
    char line[512], offset[32];
    snprintf(offset, sizeof(offset), "%lld", job->psync_offset);
    if (strcmp(job->psync_replid, "?") == 0)
        log_notice("Partial resynchronization not possible (no cached master)");
    else
        log_notice("Trying a partial resynchronization (request %s:%s).", job->psync_replid,
                   offset);
    const char *psync[] = {"PSYNC", job->psync_replid, offset, NULL};
    if (send_command(fd, psync) != 0 || read_reply(fd, line, sizeof(line)) != 0) {
        log_warning("Master did not reply to PSYNC, will try later");
        return 0;
    }
    if (strncmp(line, "+FULLRESYNC", 11) == 0) {
        char *id = strchr(line, ' '), *off = id ? strchr(id + 1, ' ') : NULL;
        if (!id || !off || off - id - 1 != 40) {
            log_warning("Master replied with wrong +FULLRESYNC syntax.");
            return 0;
        }
        memcpy(job->replid, id + 1, 40);
        job->replid[40] = '\0';
        job->offset = strtoll(off + 1, NULL, 10);
        log_notice("Full resync from master: %s:%lld", job->replid, job->offset);
        /* Only if no REPLICAOF changed things meanwhile (then this job is
         * stale and the state is the replication thread's). */
        int connecting = LINK_CONNECTING;
        atomic_compare_exchange_strong(&upstream.state, &connecting, LINK_TRANSFER);
        atomic_store(&upstream.handshake, 0);
        if (sync_read_payload_header(fd, job) != 0) return 0;
        if (job->to_file) {
            int rc = sync_receive_file(fd, job);
            if (job->follow && job->outcome == SYNC_FULL) return 1;
            if (rc != 0) return 0;
        }
        job->outcome = SYNC_FULL;
        return 0;
    }
    if (strncmp(line, "+CONTINUE", 9) == 0) {
        const char *id = line + 9;
        while (*id == ' ') id++;
        job->replid[0] = '\0';
        if (strlen(id) == 40) memcpy(job->replid, id, 41);
        log_notice("Successful partial resynchronization with master.");
        job->outcome = SYNC_CONTINUE;
        return 0;
    }
    if (strncmp(line, "-NOMASTERLINK", 13) == 0 || strncmp(line, "-LOADING", 8) == 0) {
        log_notice("Master is currently unable to PSYNC but should be in the future: %s", line);
        return 0;
    }
    log_warning("Unexpected reply to PSYNC from master: %s", line);
    return 0;
}

static void *sync_main(void *arg)
{
    struct sync_job *job = arg;
    char err[256];
    job->outcome = SYNC_FAILED;
    job->fd = sync_connect(job->host, job->port, err, sizeof(err));
    if (job->fd < 0) {
        log_warning("Error condition on socket for SYNC: %s", err);
    } else {
        log_notice("MASTER <-> REPLICA sync started");
        atomic_store(&upstream.handshake, 1);
        int handed_over = sync_handshake(job->fd, job) == 0 && sync_psync(job->fd, job);
        if (handed_over) return NULL; /* a follow job: the loader has it */
        atomic_store(&upstream.handshake, 0);
    }
    sync_fd_set(-1);
    if (job->outcome == SYNC_FAILED && job->fd >= 0) {
        close(job->fd);
        job->fd = -1;
    }
    job_post(job);
    return NULL;
}

/* ---- the link, on the replication thread ---- */

static int dataset_empty(void)
{
    for (int d = 0; d < keyspace.ndbs; d++)
        if (ks_db_size(ks_db(d)) > 0) return 0;
    return 1;
}

static void sync_start(void)
{
    struct sync_job *job = mem_calloc(1, sizeof(*job));
    job->generation = upstream.generation;
    primary_address(job->host, &job->port);
    job->listening_port = config.port;
    repl_psync_request(job->psync_replid, &job->psync_offset);
    int mode = CONFIG_READ(repl_diskless_load);
    job->to_file = mode == REPL_DISKLESS_LOAD_DISABLED ||
                   (mode == REPL_DISKLESS_LOAD_ON_EMPTY_DB && !dataset_empty());
    /* Nothing to keep: the file is loaded while it arrives (it is still
     * written whole, and kept as dbfilename, as with disabled). */
    job->follow = job->to_file && dataset_empty();
    job->fd = -1;
    atomic_store(&upstream.state, LINK_CONNECTING);
    atomic_store(&upstream.transfer_size, 0);
    atomic_store(&upstream.transfer_read, 0);
    atomic_store(&upstream.transfer_last_io_ms, util_ms_now());
    log_notice("Connecting to MASTER %s:%d", job->host, job->port);
    if (pthread_create(&upstream.thread, NULL, sync_main, job) != 0) {
        log_warning("Can't start the thread to sync with the MASTER: %s", strerror(errno));
        mem_free(job);
        atomic_store(&upstream.state, LINK_CONNECT);
        upstream.next_connect_ms = util_monotonic_us() / 1000 + RECONNECT_MS;
        return;
    }
    upstream.thread_on = 1;
}

/* Waits for the sync thread's end (it has posted its job, or is about to). */
static void sync_join(void)
{
    if (upstream.thread_on) {
        pthread_join(upstream.thread, NULL);
        upstream.thread_on = 0;
    }
}

/* What other threads left for the replication thread: REPLICAOF requests
 * (oldest first) and the sync thread's finished job. */
static void inbox_take(struct request **requests, struct sync_job **finished)
{
    pthread_mutex_lock(&upstream.lock);
    *requests = upstream.requests;
    upstream.requests = NULL;
    *finished = upstream.finished;
    upstream.finished = NULL;
    pthread_mutex_unlock(&upstream.lock);
}

/* Stops a sync thread at work (its job comes back failed and stale). */
static void sync_cancel(void)
{
    if (!upstream.thread_on) return;
    upstream.generation++;
    pthread_mutex_lock(&upstream.lock);
    if (upstream.sync_fd >= 0) shutdown(upstream.sync_fd, SHUT_RDWR);
    pthread_mutex_unlock(&upstream.lock);
}

static void link_reset_stream(void)
{
    upstream.qlen = upstream.parsed = 0;
    resp_parser_reset(&upstream.parser);
    if (upstream.master) {
        upstream.master_db = upstream.master->db_id;
        client_free_internal(upstream.master);
        upstream.master = NULL;
    }
    outbuf_consume(&upstream.master_out, upstream.master_out.pending);
}

/* The link is gone (or never came): connect again, at once when a
 * streaming link broke (the sooner, the fewer bytes a partial resync
 * needs), else after a pause. */
static void link_down(int reconnect)
{
    int was_streaming = atomic_load(&upstream.state) == LINK_CONNECTED;
    if (upstream.conn) {
        io_conn_close(upstream.conn);
        upstream.conn = NULL;
    }
    link_reset_stream();
    if (atomic_load(&upstream.state) != LINK_NONE && atomic_load(&upstream.state) != LINK_CONNECT)
        atomic_store(&upstream.down_since_ms, util_ms_now());
    atomic_store(&upstream.state, reconnect ? LINK_CONNECT : LINK_NONE);
    atomic_store(&upstream.killed, 0);
    upstream.next_connect_ms = util_monotonic_us() / 1000 + (was_streaming ? 0 : RECONNECT_MS);
}

static void send_ack(void)
{
    if (!upstream.conn) return;
    char line[96], num[24];
    int nlen = snprintf(num, sizeof(num), "%llu", (unsigned long long)repl_offset());
    int n = snprintf(line, sizeof(line), "*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$%d\r\n%s\r\n", nlen,
                     num);
    outbuf_append(io_conn_outbuf(upstream.conn), line, (size_t)n);
    io_conn_mark_dirty(upstream.conn);
    upstream.last_ack_ms = util_monotonic_us() / 1000;
}

/* Runs one command of the stream as the master client. */
static void master_run(int argc, const struct resp_arg *argv, struct command_clock *clock)
{
    if (argc >= 2 && argv[0].len == 8 && strncasecmp(argv[0].ptr, "replconf", 8) == 0) {
        /* REPLCONF GETACK: the offset applied before this command. */
        if (argv[1].len == 6 && strncasecmp(argv[1].ptr, "getack", 6) == 0) send_ack();
        return;
    }
    __atomic_store_n(&upstream.master->last_interaction_ms, util_ms_now(), __ATOMIC_RELAXED);
    command_execute(upstream.master, argc, argv, clock);
    outbuf_consume(&upstream.master_out, upstream.master_out.pending);
}

/* The primary's bytes: every whole command is applied in order, then its
 * bytes (a transaction's at its EXEC) go to the backlog and this server's
 * replicas. */
static void master_on_data(void *state, const char *data, size_t len)
{
    if ((uintptr_t)state != upstream.link_id || !upstream.conn) return; /* an old link's */
    if (upstream.qlen + len > upstream.qcap) {
        size_t cap = upstream.qcap ? upstream.qcap : 16384;
        while (cap < upstream.qlen + len) cap *= 2;
        upstream.qbuf = mem_realloc(upstream.qbuf, cap);
        upstream.qcap = cap;
    }
    memcpy(upstream.qbuf + upstream.qlen, data, len);
    upstream.qlen += len;
    atomic_fetch_add(&upstream.read_offset, (long long)len);
    atomic_store(&upstream.last_io_ms, util_ms_now());

    struct command_clock clock;
    command_clock_start(&clock);
    size_t applied = 0, pos = upstream.parsed;
    while (pos < upstream.qlen && upstream.conn) {
        size_t consumed = 0, need = 0;
        upstream.parser.max_bulk_len = CONFIG_READ(proto_max_bulk_len);
        enum resp_status st = resp_parse(&upstream.parser, upstream.qbuf + pos, upstream.qlen - pos,
                                         &consumed, &need);
        if (st == RESP_MORE) break;
        if (st == RESP_ERROR) {
            log_warning("Protocol error from MASTER (%s): closing the link", upstream.parser.error);
            link_down(1);
            return;
        }
        pos += consumed;
        if (upstream.parser.argc > 0)
            master_run(upstream.parser.argc, upstream.parser.argv, &clock);
        if (!upstream.master) break; /* the link went down meanwhile */
        if (!upstream.master->multi) {
            repl_stream_feed(upstream.qbuf + applied, pos - applied);
            applied = pos;
            atomic_store(&upstream.applied_offset, (long long)repl_offset());
        }
    }
    if (!upstream.master) return; /* link_down emptied the buffer */
    memmove(upstream.qbuf, upstream.qbuf + applied, upstream.qlen - applied);
    upstream.qlen -= applied;
    upstream.parsed = pos - applied;
}

/* The io layer tells a close at its next turn: by then a link closed on
 * purpose (link_down) may have been replaced by a new one, which must not
 * be taken for the one that closed. */
static void master_on_close(void *state)
{
    if ((uintptr_t)state != upstream.link_id || !upstream.conn) return;
    upstream.conn = NULL;
    log_notice("Connection with master lost.");
    log_notice("Caching the disconnected master state.");
    link_down(1);
}

static const struct io_handler master_handler = {
    .on_data = master_on_data,
    .on_close = master_on_close,
};

/* The socket is the stream's now, its next command in db (a continued
 * stream goes on in the db it was in, as the primary names it only when
 * it changes; after a full sync, the RDB's repl-stream-db). */
static void link_establish(int fd, int db)
{
    char host[256], addr[300];
    int port;
    primary_address(host, &port);
    snprintf(addr, sizeof(addr), "%s:%d", host, port);
    link_reset_stream();
    upstream.master = client_create_internal(upstream.loop, fd, addr, &upstream.master_out,
                                             CLIENT_MASTER | CLIENT_DENY_BLOCKING);
    upstream.master->db_id = db >= 0 && db < keyspace.ndbs ? db : 0;
    upstream.link_id++;
    upstream.conn = io_conn_adopt(upstream.loop, fd, &master_handler, (void *)upstream.link_id);
    if (!upstream.conn) {
        close(fd);
        link_down(1);
        return;
    }
    atomic_store(&upstream.read_offset, (long long)repl_offset());
    atomic_store(&upstream.applied_offset, (long long)repl_offset());
    atomic_store(&upstream.last_io_ms, util_ms_now());
    atomic_store(&upstream.state, LINK_CONNECTED);
    atomic_store(&upstream.down_since_ms, 0);
}

/* Empties every database (Redis's emptyData before a load), each db's
 * shards locked together so no client sees half of it. */
static void flush_everything(void)
{
    for (int d = 0; d < keyspace.ndbs; d++) {
        struct db *db = ks_db(d);
        ks_lock_all(db);
        ks_flush_db(db);
        ks_unlock_all(db);
    }
}

/* Reading the RDB straight from the socket (blocking, repl-timeout),
 * through a buffer (a recv per field
 * would be a system call every few bytes). With $len framing no byte past
 * the RDB is taken; with the EOF mark the primary sends nothing after it
 * until our first ACK, and whatever came anyway goes to the stream. */
#define SOCKET_BUFFER (64u << 10)
struct socket_source {
    int fd;
    long long unread; /* length framing: RDB bytes not received yet */
    int eof_framing;
    char *buf;
    size_t have, pos;
};

static int socket_fill(struct socket_source *src)
{
    size_t want = SOCKET_BUFFER;
    if (!src->eof_framing && (long long)want > src->unread) want = (size_t)src->unread;
    if (want == 0) return -1;
    for (;;) {
        ssize_t r = recv(src->fd, src->buf, want, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        src->have = (size_t)r;
        src->pos = 0;
        src->unread -= r;
        atomic_fetch_add(&upstream.transfer_read, (long long)r);
        atomic_store(&upstream.transfer_last_io_ms, util_ms_now());
        return 0;
    }
}

/* Length framing: the RDB bytes not consumed yet. */
static long long socket_left(const struct socket_source *src)
{
    return src->unread + (long long)(src->have - src->pos);
}

static int socket_read(void *ctx, void *buf, size_t len)
{
    struct socket_source *src = ctx;
    if (!src->eof_framing && (long long)len > socket_left(src)) return -1;
    char *p = buf;
    while (len > 0) {
        if (src->pos == src->have && socket_fill(src) != 0) return -1;
        size_t n = src->have - src->pos < len ? src->have - src->pos : len;
        memcpy(p, src->buf + src->pos, n);
        src->pos += n;
        p += n;
        len -= n;
    }
    return 0;
}

static int file_read(void *ctx, void *buf, size_t len)
{
    return fread(buf, 1, len, (FILE *)ctx) == len ? 0 : -1;
}

/* Reading the file the sync thread is still writing: up to what it says
 * it wrote; at the end of that, wait for more (bounded: the sync thread
 * gives up after repl-timeout without data, and then says so). */
#define FOLLOW_BUFFER (1u << 20)
struct follow_source {
    int fd;
    struct sync_job *job;
    long long off; /* file offset of buf[have] */
    char *buf;
    size_t have, pos;
};

static int follow_read(void *ctx, void *out, size_t len)
{
    struct follow_source *src = ctx;
    char *p = out;
    while (len > 0) {
        if (src->pos == src->have) {
            long long avail = atomic_load(&src->job->written) - src->off;
            if (avail <= 0) {
                if (atomic_load(&src->job->file_state) != 0 &&
                    atomic_load(&src->job->written) <= src->off)
                    return -1; /* the transfer ended (or failed) before the RDB did */
                usleep(200);
                continue;
            }
            size_t want = avail < FOLLOW_BUFFER ? (size_t)avail : FOLLOW_BUFFER;
            ssize_t n = pread(src->fd, src->buf, want, (off_t)src->off);
            if (n <= 0) return -1;
            src->off += n;
            src->have = (size_t)n;
            src->pos = 0;
        }
        size_t take = src->have - src->pos < len ? src->have - src->pos : len;
        memcpy(p, src->buf + src->pos, take);
        src->pos += take;
        p += take;
        len -= take;
    }
    return 0;
}

/* A follow job's transfer: waits for its end and the sync thread's; 0 if
 * the whole payload arrived. */
static int job_wait_transfer(struct sync_job *job)
{
    while (atomic_load(&job->file_state) == 0) usleep(1000);
    sync_join();
    return atomic_load(&job->file_state) == 1 ? 0 : -1;
}

/* repl-diskless-load swapdb: the loaded databases replace the served
 * ones in one step (every shard of every db locked), and every WATCH is
 * touched as by a flush. */
static void swap_in(struct db *loaded)
{
    for (int d = 0; d < keyspace.ndbs; d++) ks_lock_all(ks_db(d));
    for (int d = 0; d < keyspace.ndbs; d++) {
        struct db *db = ks_db(d);
        watch_touch_db(db, NULL);
        for (unsigned s = 0; s < KS_SHARDS; s++)
            ks_swap_shards(&db->shards[s], &loaded[d].shards[s]);
    }
    for (int d = keyspace.ndbs; d-- > 0;) ks_unlock_all(ks_db(d));
}

/* Loads the full sync's RDB: into the emptied keyspace (clients get
 * -LOADING meanwhile), or, with swapdb from the socket, beside the data
 * still served, swapped in once whole (a failed load keeps the old data).
 * Returns 0 or -1. */
static int full_sync_load(struct sync_job *job, int *stream_db)
{
    struct rdb_reader reader;
    struct rdb_load_info info;
    int flags = RDB_LOAD_KEEP_EXPIRED | RDB_LOAD_PARALLEL |
                (CONFIG_READ(rdbchecksum) ? 0 : RDB_LOAD_SKIP_CHECKSUM);
    FILE *f = NULL;
    struct socket_source src = {
        .fd = job->fd, .unread = job->rdb_len, .eof_framing = job->eof_framing};
    struct follow_source follow = {.fd = -1, .job = job};
    if (job->follow) {
        follow.fd = open(job->path, O_RDONLY | O_CLOEXEC);
        if (follow.fd < 0) {
            log_warning("Failed trying to load the MASTER synchronization DB from disk: %s",
                        strerror(errno));
            shutdown(job->fd, SHUT_RDWR); /* the sync thread stops receiving */
            job_wait_transfer(job);
            return -1;
        }
        follow.buf = mem_alloc(FOLLOW_BUFFER);
        rdb_reader_init(&reader, follow_read, &follow);
    } else if (job->to_file) {
        f = fopen(job->path, "r");
        if (!f) {
            log_warning("Failed trying to load the MASTER synchronization DB from disk: %s",
                        strerror(errno));
            return -1;
        }
        setvbuf(f, NULL, _IOFBF, FOLLOW_BUFFER);
        rdb_reader_init(&reader, file_read, f);
    } else {
        src.buf = mem_alloc(SOCKET_BUFFER);
        rdb_reader_init(&reader, socket_read, &src);
    }
    int swap = !job->to_file && CONFIG_READ(repl_diskless_load) == REPL_DISKLESS_LOAD_SWAPDB;
    struct db *target = keyspace.dbs;
    if (swap) {
        target = ks_dbs_create(keyspace.ndbs);
        atomic_store(&upstream.loading, 2);
        log_notice("MASTER <-> REPLICA sync: Loading DB in memory beside the old data");
    } else {
        atomic_store(&upstream.loading, 1);
        log_notice("MASTER <-> REPLICA sync: Flushing old data");
        flush_everything();
        log_notice("MASTER <-> REPLICA sync: Loading DB in memory");
    }
    int rc = rdb_load(&reader, target, keyspace.ndbs, flags, util_ms_now(), &info);
    *stream_db = info.repl_stream_db;
    if (rc != 0)
        log_warning("Failed trying to load the MASTER synchronization DB: %s", reader.error);
    if (rc == 0 && !job->to_file) {
        char mark[40];
        if (job->eof_framing &&
            (socket_read(&src, mark, sizeof(mark)) != 0 || memcmp(mark, job->mark, 40) != 0)) {
            log_warning("Replication stream EOF marker is broken");
            rc = -1;
        } else if (!job->eof_framing && socket_left(&src) != 0) {
            log_warning("The RDB from the MASTER is shorter than its announced length");
            rc = -1;
        }
    }
    if (src.buf) {
        job->early_len = src.have - src.pos; /* the stream's first bytes, if any */
        if (rc == 0 && job->early_len > 0) {
            job->early = mem_alloc(job->early_len);
            memcpy(job->early, src.buf + src.pos, job->early_len);
        }
        mem_free(src.buf);
    }
    if (f) fclose(f);
    if (job->follow) {
        close(follow.fd);
        mem_free(follow.buf);
        if (job_wait_transfer(job) != 0) rc = -1;
    }
    if (swap) {
        if (rc == 0)
            swap_in(target);
        else
            log_warning("Discarding the loaded data, the old data stays");
        ks_dbs_free(target, keyspace.ndbs); /* the old data, or the failed load */
    } else if (rc != 0) {
        flush_everything(); /* no half dataset */
    }
    atomic_store(&upstream.loading, 0);
    return rc;
}

/* The RDB received as a file becomes dbfilename, as in Redis (removed when
 * no save point would ever write it). */
static void full_sync_keep_file(struct sync_job *job)
{
    char dbfile[1024];
    config_get_string(&config.dbfilename, dbfile, sizeof(dbfile));
    if (rename(job->path, dbfile) != 0) {
        log_warning("Failed trying to rename the temp DB into %s in MASTER <-> REPLICA "
                    "synchronization: %s",
                    dbfile, strerror(errno));
        unlink(job->path);
        return;
    }
    pthread_mutex_lock(&config_lock);
    int saves = config.save_count;
    pthread_mutex_unlock(&config_lock);
    if (saves == 0 && !config.appendonly) unlink(dbfile);
}

static void full_sync_finish(struct sync_job *job)
{
    /* Our replicas had another history: they resync with us afterwards;
     * whatever the load's outcome, ours is gone too. */
    repl_forget_history();
    int64_t start = util_monotonic_us();
    int stream_db = 0;
    int rc = full_sync_load(job, &stream_db);
    if (job->to_file) {
        if (rc == 0)
            full_sync_keep_file(job);
        else
            unlink(job->path);
    }
    if (rc != 0) {
        mem_free(job->early);
        close(job->fd);
        link_down(1);
        return;
    }
    log_notice("MASTER <-> REPLICA sync: Finished with success (%.3f seconds)",
               (double)(util_monotonic_us() - start) / 1e6);
    repl_new_history(job->replid, (uint64_t)job->offset);
    link_establish(job->fd, stream_db);
    if (job->early && upstream.conn)
        master_on_data((void *)upstream.link_id, job->early, job->early_len);
    mem_free(job->early);
    job->early = NULL;
    /* With the EOF mark the primary waits for this ACK before it streams. */
    send_ack();
}

static void job_finished(struct sync_job *job)
{
    if (job->follow && job->outcome == SYNC_FULL) {
        if (job->generation != upstream.generation || !replica_active())
            job_wait_transfer(job); /* stale: let it end, then drop it */
    } else {
        sync_join();
    }
    if (job->generation != upstream.generation || !replica_active()) {
        if (job->fd >= 0) close(job->fd);
        if (job->outcome == SYNC_FULL && job->to_file) unlink(job->path);
        mem_free(job);
        if (replica_active() && atomic_load(&upstream.state) == LINK_CONNECTING) sync_start();
        return;
    }
    switch (job->outcome) {
    case SYNC_FAILED:
        link_down(1);
        break;
    case SYNC_CONTINUE: {
        char ours[41];
        long long unused;
        repl_psync_request(ours, &unused);
        if (job->replid[0] && strcmp(job->replid, ours) != 0) {
            log_warning("Master replication ID changed to %s", job->replid);
            repl_shift_history(job->replid);
        }
        log_notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
        link_establish(job->fd, upstream.master_db);
        break;
    }
    case SYNC_FULL:
        full_sync_finish(job);
        break;
    }
    mem_free(job);
}

static void answer_ok(void *arg, struct outbuf *out)
{
    (void)arg;
    reply_ok(out);
}

/* REPLICAOF, on the replication thread: the role changes here, between
 * two commands of any stream. */
static void request_run(struct request *r)
{
    int was_replica = replica_active();
    if (upstream.conn) {
        log_notice("Connection with master closed (REPLICAOF).");
        link_down(0);
    }
    sync_cancel();
    if (!r->host) {
        if (was_replica) {
            atomic_store(&upstream.state, LINK_NONE);
            atomic_store(&upstream.active, 0);
            repl_become_primary();
            log_notice("MASTER MODE enabled (user request)");
        }
    } else {
        if (!was_replica) repl_become_replica(r->b);
        pthread_mutex_lock(&upstream.lock);
        snprintf(upstream.host, sizeof(upstream.host), "%s", r->host);
        upstream.port = r->port;
        pthread_mutex_unlock(&upstream.lock);
        atomic_store(&upstream.active, 1);
        atomic_store(&upstream.down_since_ms, util_ms_now());
        atomic_store(&upstream.state, LINK_CONNECT);
        upstream.next_connect_ms = 0;
        log_notice("REPLICAOF %s:%d enabled", r->host, r->port);
    }
    if (r->b) {
        blocking_complete_external(r->b, answer_ok, NULL);
        blocking_release_external(r->b);
    }
}

/* LINK_CONNECT: a new attempt, at most one a second. */
static void link_connect_when_due(void)
{
    if (atomic_load(&upstream.state) != LINK_CONNECT || upstream.thread_on) return;
    if (util_monotonic_us() / 1000 < upstream.next_connect_ms) return;
    sync_start();
}

void replica_on_wake(void)
{
    struct request *requests;
    struct sync_job *finished;
    inbox_take(&requests, &finished);
    while (requests) {
        struct request *next = requests->next;
        request_run(requests);
        mem_free(requests->host);
        mem_free(requests);
        requests = next;
    }
    while (finished) {
        struct sync_job *next = finished->next;
        job_finished(finished);
        finished = next;
    }
    /* killed alone, not the client's kill_requested: it is set after it,
     * under the registry lock, so link_down's reset never precedes it. */
    if (upstream.master && atomic_load(&upstream.killed)) {
        log_notice("Connection with master lost (killed).");
        log_notice("Caching the disconnected master state.");
        link_down(1);
    }
    link_connect_when_due();
}

void replica_on_tick(void)
{
    if (!replica_active()) return;
    int64_t now = util_ms_now();
    long long timeout_ms = CONFIG_READ(repl_timeout) * 1000LL;
    if (upstream.conn && now - atomic_load(&upstream.last_io_ms) > timeout_ms) {
        log_warning("MASTER timeout: no data nor PING received...");
        link_down(1);
    }
    if (upstream.conn && util_monotonic_us() / 1000 - upstream.last_ack_ms >= ACK_PERIOD_MS)
        send_ack();
    link_connect_when_due();
}

void replica_on_thread_start(struct io_worker *w)
{
    upstream.loop = w;
    outbuf_init(&upstream.master_out);
    resp_parser_init(&upstream.parser);
    if (config.replicaof_host)
        replica_set_master(config.replicaof_host, config.replicaof_port, NULL);
}

void replica_on_thread_stop(struct io_worker *w)
{
    (void)w;
    sync_cancel();
    sync_join();
    struct request *requests;
    struct sync_job *finished;
    inbox_take(&requests, &finished);
    while (finished) {
        struct sync_job *next = finished->next;
        if (finished->fd >= 0) close(finished->fd);
        if (finished->outcome == SYNC_FULL && finished->to_file) unlink(finished->path);
        mem_free(finished);
        finished = next;
    }
    while (requests) {
        struct request *next = requests->next;
        if (requests->b) blocking_release_external(requests->b);
        mem_free(requests->host);
        mem_free(requests);
        requests = next;
    }
    upstream.conn = NULL; /* the loop closes its connections itself */
    link_reset_stream();
    outbuf_free(&upstream.master_out);
    resp_parser_free(&upstream.parser);
    mem_free(upstream.qbuf);
    upstream.qbuf = NULL;
}

/* ---- INFO replication, ROLE (any thread) ---- */

char *replica_info_text(void)
{
    if (!replica_active()) return NULL;
    char host[256];
    int port;
    primary_address(host, &port);
    int state = atomic_load(&upstream.state);
    int64_t now = util_ms_now();
    size_t cap = 1024 + strlen(host);
    char *t = mem_alloc(cap);
    long long last_io =
        state == LINK_CONNECTED ? (now - atomic_load(&upstream.last_io_ms)) / 1000 : -1;
    /* Not streaming: this server's own offset (Redis's cached master is
     * built from it). */
    long long read_off = repl_offset_published(), applied = read_off;
    if (state == LINK_CONNECTED) {
        read_off = atomic_load(&upstream.read_offset);
        applied = atomic_load(&upstream.applied_offset);
    }
    size_t len = (size_t)snprintf(t, cap,
                                  "master_host:%s\r\n"
                                  "master_port:%d\r\n"
                                  "master_link_status:%s\r\n"
                                  "master_last_io_seconds_ago:%lld\r\n"
                                  "master_sync_in_progress:%d\r\n"
                                  "slave_read_repl_offset:%lld\r\n"
                                  "slave_repl_offset:%lld\r\n",
                                  host, port, replica_link_up() ? "up" : "down", last_io,
                                  state == LINK_TRANSFER, read_off, applied);
    if (state == LINK_TRANSFER) {
        long long size = atomic_load(&upstream.transfer_size),
                  got = atomic_load(&upstream.transfer_read);
        if (size < 0) size = 0;
        len +=
            (size_t)snprintf(t + len, cap - len,
                             "master_sync_total_bytes:%lld\r\n"
                             "master_sync_read_bytes:%lld\r\n"
                             "master_sync_left_bytes:%lld\r\n"
                             "master_sync_perc:%.2f\r\n"
                             "master_sync_last_io_seconds_ago:%lld\r\n",
                             size, got, size - got, size ? (double)got / (double)size * 100 : 0.0,
                             (long long)(now - atomic_load(&upstream.transfer_last_io_ms)) / 1000);
    }
    if (state != LINK_CONNECTED) {
        long long since = atomic_load(&upstream.down_since_ms);
        len += (size_t)snprintf(t + len, cap - len, "master_link_down_since_seconds:%lld\r\n",
                                since ? (now - since) / 1000 : -1);
    }
    snprintf(t + len, cap - len,
             "slave_priority:%d\r\n"
             "slave_read_only:%d\r\n"
             "replica_announced:%d\r\n",
             CONFIG_READ(replica_priority), CONFIG_READ(replica_read_only),
             CONFIG_READ(replica_announced));
    return t;
}

void replica_role_reply(struct outbuf *out)
{
    static const char *const names[] = {"none", "connect", "connecting", "sync", "connected"};
    char host[256];
    int port;
    primary_address(host, &port);
    int state = atomic_load(&upstream.state);
    reply_array(out, 5);
    reply_bulk_cstr(out, "slave");
    reply_bulk_cstr(out, host);
    reply_int(out, port);
    reply_bulk_cstr(out, atomic_load(&upstream.handshake) ? "handshake" : names[state]);
    reply_int(out, state == LINK_CONNECTED ? atomic_load(&upstream.applied_offset) : -1);
}
