/*
 * repl: the replication thread, primary side: backlog, offset, replicas,
 * PSYNC, full sync. See engine/repl.h.
 */
#include "engine/repl.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "engine/blocking.h"
#include "engine/client.h"
#include "engine/command.h"
#include "engine/config.h"
#include "engine/effect_log.h"
#include "engine/keyspace.h"
#include "engine/log.h"
#include "engine/propagate.h"
#include "engine/replica.h"
#include "engine/reply.h"
#include "engine/resp.h"
#include "engine/server.h"
#include "engine/snapshot.h"
#include "engine/util.h"
#include "io/loop.h"
#include "io/outbuf.h"
#include "storage/rdb.h"

#define EFFECT_LOG_BYTES (16u << 20)
#define BLOCK_BYTES (256u << 10) /* backlog block */
#define SNAPSHOT_SHARDS_PER_STEP 16
#define SNAPSHOT_STEP_BYTES (1u << 20)
#define SNAPSHOT_OUTPUT_MAX (8u << 20) /* a replica's unsent RDB before we wait */

enum replica_state {
    REPLICA_WAIT_SNAPSHOT, /* full sync asked while another snapshot runs */
    REPLICA_SNAPSHOT,      /* receiving the RDB */
    REPLICA_ONLINE,        /* receiving the stream */
    REPLICA_CLOSED,        /* dropped; its connection's close is on its way */
    REPLICA_SEND_FILE,     /* no capa eof: receiving the RDB staged in a file, length first */
};

static const char *const state_names[] = {"wait_bgsave", "send_bulk", "online", "closed",
                                          "send_bulk"};

struct replica {
    struct io_conn *conn;
    struct client *client; /* its registry entry (CLIENT LIST, CLIENT KILL) */
    enum replica_state state;
    int capa_eof;
    int psync;    /* asked with PSYNC (SYNC gets no +FULLRESYNC line) */
    int rdb_only; /* the RDB only: closed after it */
    int listening_port;
    char ip[64];
    unsigned long long id;
    uint64_t sent;         /* stream offset of the last byte passed on */
    uint64_t ack;          /* REPLCONF ACK */
    int await_ack;         /* after an EOF-marked RDB: the stream starts on its first ACK */
    int64_t soft_since_ms; /* over the soft output limit since, or 0 */
    int file_fd;           /* REPLICA_SEND_FILE: the staged RDB (its own descriptor) */
    uint64_t file_off, file_size;
    uint64_t sync_offset; /* the offset its RDB was taken at */
    int64_t ack_time_ms;  /* when it last acknowledged (lag) */
    char eofmark[40];
    struct resp_parser parser;
    char *in;
    size_t inlen;
    struct replica *next;
};

/* WAIT: a client's wait for acknowledgements. */
struct wait {
    struct blocker *b;
    uint64_t logpos; /* its last write's end in the effect log */
    uint64_t offset; /* the stream offset that is, once known (0: not yet) */
    long long numreplicas;
    struct wait *next;
};

/* Where effect log positions landed in the stream (drain checkpoints). */
#define CHECKPOINTS 4096
struct checkpoint {
    uint64_t logpos, offset;
};

/* The backlog: blocks of the stream, oldest first. Replicas' output
 * buffers point into them (no copy per replica): a block is freed only
 * when no output buffer holds it any more (refs), and one dropped from the
 * backlog while held is orphaned and freed by its last release. Bytes below
 * `used` never change. */
struct block {
    struct block *next;
    uint64_t first; /* stream offset of data[0] */
    size_t used;
    unsigned refs; /* output buffers holding bytes of it */
    int orphan;    /* out of the backlog: freed at refs == 0 */
    char data[BLOCK_BYTES];
};

static struct {
    char replid[41], replid2[41];
    atomic_llong master_repl_offset; /* published for INFO */
    atomic_llong second_repl_offset;
    uint64_t offset; /* the thread's own copy */
    int last_db;     /* for SELECT; -1: the next op gets one */
    struct block *head, *tail;
    uint64_t histlen;
    atomic_int backlog_active;
    int effects_on;           /* the effect log exists: this server takes writes (or did) */
    int replica;              /* following a primary: the stream is its bytes (engine/replica.c) */
    atomic_ullong first_byte; /* published */
    atomic_ullong histlen_pub;

    /* the snapshot being streamed, and to whom */
    int snapshot_on;
    uint64_t snapshot_offset;
    struct rdb_writer writer;
    int snapshot_fd; /* the file it is staged in (replicas without capa eof), or -1 */

    pthread_mutex_t lock; /* replicas list (INFO, ROLE read it) and inbox */
    struct replica *replicas;
    struct repl_handover *inbox;

    int64_t last_ping_ms;
    int64_t last_keepalive_ms;

    /* under lock: log position -> stream offset, a ring */
    struct checkpoint checkpoints[CHECKPOINTS];
    unsigned ncheckpoints, checkpoint_next;
    struct wait *wait_inbox; /* under lock */
    struct wait *waits;      /* the thread's */
    int getack_pending;
    atomic_ullong sync_full, sync_partial_ok, sync_partial_err;
    atomic_int good_replicas; /* online, acknowledged within min-replicas-max-lag */
    int64_t snapshot_due_ms;  /* a full sync waits for more replicas until then */
    struct io_worker *loop;
} repl = {.lock = PTHREAD_MUTEX_INITIALIZER, .snapshot_fd = -1};

static void random_hex(char *out, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) out[i] = hex[util_rand64() & 15];
    out[n] = '\0';
}

void repl_init(void)
{
    random_hex(repl.replid, 40);
    memset(repl.replid2, '0', 40);
    repl.replid2[40] = '\0';
    atomic_store(&repl.second_repl_offset, -1);
    repl.last_db = -1;
}

/* ---- the backlog (replication thread) ---- */

static void backlog_append(const char *p, size_t n)
{
    while (n > 0) {
        struct block *b = repl.tail;
        if (!b || b->used == BLOCK_BYTES) {
            b = mem_alloc(sizeof(*b));
            b->next = NULL;
            b->first = repl.offset + 1;
            b->used = 0;
            b->refs = 0;
            b->orphan = 0;
            if (repl.tail)
                repl.tail->next = b;
            else
                repl.head = b;
            repl.tail = b;
        }
        size_t room = BLOCK_BYTES - b->used, take = n < room ? n : room;
        memcpy(b->data + b->used, p, take);
        b->used += take;
        p += take;
        n -= take;
        repl.offset += take;
        repl.histlen += take;
    }
}

/* A block leaves the backlog: freed now, or by the last output buffer
 * still sending from it. */
static void block_drop(struct block *b)
{
    if (b->refs == 0)
        mem_free(b);
    else
        b->orphan = 1;
}

/* An output buffer is done with bytes of a block (the replication thread:
 * its loop sends and frees replica output). */
static void block_release(void *arg)
{
    struct block *b = arg;
    if (--b->refs == 0 && b->orphan) mem_free(b);
}

/* Oldest offset some replica still needs from the backlog. */
static uint64_t pinned_offset(void)
{
    uint64_t pin = repl.offset + 1;
    if (repl.snapshot_on && repl.snapshot_offset + 1 < pin) pin = repl.snapshot_offset + 1;
    for (struct replica *r = repl.replicas; r; r = r->next)
        if (r->state == REPLICA_ONLINE && r->sent + 1 < pin)
            pin = r->sent + 1;
        else if (r->state == REPLICA_SEND_FILE && r->sync_offset + 1 < pin)
            pin = r->sync_offset + 1;
    return pin;
}

/* Drops whole blocks beyond the backlog size that nobody needs. */
static void backlog_trim(void)
{
    uint64_t pin = pinned_offset();
    uint64_t size = (uint64_t)CONFIG_READ(repl_backlog_size);
    while (repl.head && repl.head != repl.tail && repl.histlen - repl.head->used >= size &&
           repl.head->first + repl.head->used <= pin) {
        struct block *b = repl.head;
        repl.head = b->next;
        repl.histlen -= b->used;
        block_drop(b);
    }
}

static void backlog_publish(void)
{
    atomic_store_explicit(&repl.master_repl_offset, (long long)repl.offset, memory_order_relaxed);
    atomic_store_explicit(&repl.first_byte, repl.head ? repl.head->first : repl.offset + 1,
                          memory_order_relaxed);
    atomic_store_explicit(&repl.histlen_pub, repl.histlen, memory_order_relaxed);
}

/* Queues the stream bytes from offset `from` (inclusive) to the end on
 * out, pointing into the backlog's blocks rather than copying them. */
static void backlog_send(struct outbuf *out, uint64_t from)
{
    for (struct block *b = repl.head; b; b = b->next) {
        uint64_t end = b->first + b->used; /* one past */
        if (end <= from) continue;
        size_t skip = from > b->first ? (size_t)(from - b->first) : 0;
        b->refs +=
            (unsigned)outbuf_append_ref(out, b->data + skip, b->used - skip, block_release, b);
    }
}

static void feed_op(void *ctx, int db, const char *resp, size_t len)
{
    (void)ctx;
    if (repl.replica) return; /* a writable replica's own writes stay local */
    if (db != repl.last_db) {
        char select[64], num[24];
        int nlen = snprintf(num, sizeof(num), "%d", db);
        int slen =
            snprintf(select, sizeof(select), "*2\r\n$6\r\nSELECT\r\n$%d\r\n%s\r\n", nlen, num);
        backlog_append(select, (size_t)slen);
        repl.last_db = db;
    }
    backlog_append(resp, len);
}

/* Moves every committed effect into the backlog. */
static void drain_effects(void)
{
    if (!repl.effects_on) return;
    size_t moved = 0;
    for (size_t n; (n = effect_log_consume(feed_op, NULL, 4u << 20)) > 0;) moved += n;
    if (moved == 0) return;
    pthread_mutex_lock(&repl.lock);
    repl.checkpoints[repl.checkpoint_next] =
        (struct checkpoint){.logpos = effect_log_head(), .offset = repl.offset};
    repl.checkpoint_next = (repl.checkpoint_next + 1) % CHECKPOINTS;
    if (repl.ncheckpoints < CHECKPOINTS) repl.ncheckpoints++;
    pthread_mutex_unlock(&repl.lock);
}

/* The stream offset at which the effects up to log position logpos end
 * (at or after it: a checkpoint marks a whole drained batch); 0 for no
 * write; -1 if not drained yet. Caller holds repl.lock. */
static long long offset_of_logpos(uint64_t logpos)
{
    if (logpos == 0) return 0;
    long long found = -1;
    for (unsigned i = 0; i < repl.ncheckpoints; i++) {
        unsigned at = (repl.checkpoint_next + CHECKPOINTS - 1 - i) % CHECKPOINTS;
        if (repl.checkpoints[at].logpos < logpos) break;
        found = (long long)repl.checkpoints[at].offset;
    }
    return found;
}

/* Online replicas that acknowledged offset. Caller holds repl.lock. */
static long long acks_for(uint64_t offset)
{
    long long n = 0;
    for (struct replica *r = repl.replicas; r; r = r->next)
        n += r->state == REPLICA_ONLINE && r->ack >= offset;
    return n;
}

/* The thread's shard lock: never waits on a holder that may itself wait
 * for room in the effect log. */
static void lock_shard(struct db *db, unsigned shard)
{
    while (ks_trylock(db, shard) != 0) {
        drain_effects();
        sched_yield();
    }
}

/* Passes the new stream bytes on to the online replicas. */
static void feed_replicas(void)
{
    for (struct replica *r = repl.replicas; r; r = r->next) {
        if (r->state != REPLICA_ONLINE || r->await_ack || r->sent >= repl.offset) continue;
        backlog_send(io_conn_outbuf(r->conn), r->sent + 1);
        r->sent = repl.offset;
        io_conn_mark_dirty(r->conn);
    }
}

/* Replica states change under repl.lock: INFO and ROLE read them. */
static void replica_set_state(struct replica *r, enum replica_state state)
{
    pthread_mutex_lock(&repl.lock);
    r->state = state;
    pthread_mutex_unlock(&repl.lock);
}

/* Closes a replica's connection; it is out of every loop at once, its
 * close is reported later. */
static void replica_drop(struct replica *r)
{
    io_conn_close(r->conn);
    replica_set_state(r, REPLICA_CLOSED);
}

/* What a replica is owed against its output limit: the stream it has not
 * received yet (the backlog keeps it from the snapshot's offset while the
 * RDB goes out, and until the RDB is acknowledged), or, online, its unsent
 * output. The RDB's own bytes do not count, as in Redis (they are paced:
 * SNAPSHOT_OUTPUT_MAX). */
static uint64_t replica_owed(const struct replica *r)
{
    if (r->state == REPLICA_SEND_FILE) return repl.offset - r->sync_offset;
    if (r->state != REPLICA_ONLINE) return repl.offset - repl.snapshot_offset;
    if (r->await_ack) return repl.offset - r->sent;
    return io_conn_outbuf(r->conn)->pending;
}

/* client-output-buffer-limit for the replica class: a replica past the
 * hard limit, or past the soft one for its seconds, is dropped (it will
 * resync, partially if the backlog still has its offset). */
static void check_output_limits(void)
{
    const struct output_limit *lim = &config.output_limits[CLIENT_CLASS_REPLICA];
    long long hard = __atomic_load_n(&lim->hard_bytes, __ATOMIC_RELAXED);
    long long soft = __atomic_load_n(&lim->soft_bytes, __ATOMIC_RELAXED);
    long long soft_seconds = __atomic_load_n(&lim->soft_seconds, __ATOMIC_RELAXED);
    int64_t now = util_ms_now();
    for (struct replica *r = repl.replicas; r; r = r->next) {
        if (r->state == REPLICA_WAIT_SNAPSHOT || r->state == REPLICA_CLOSED) continue;
        uint64_t owed = replica_owed(r);
        int over = hard && owed >= (uint64_t)hard;
        if (soft && owed >= (uint64_t)soft) {
            if (!r->soft_since_ms)
                r->soft_since_ms = now;
            else if (now - r->soft_since_ms >= soft_seconds * 1000)
                over = 1;
        } else {
            r->soft_since_ms = 0;
        }
        if (!over) continue;
        log_warning("Client id=%llu addr=%s:%d (replica) scheduled to be closed ASAP for "
                    "overcoming of output buffer limits.",
                    r->id, r->ip, r->listening_port);
        replica_drop(r);
    }
}

static void effects_notify(void)
{
    if (repl.loop) io_worker_wake(repl.loop);
}

/* The first replica: from now on every write is recorded. Holding every
 * shard lock, so no write is half in. */
static void effects_start(void)
{
    if (!repl.effects_on) effect_log_init(EFFECT_LOG_BYTES, effects_notify);
    repl.effects_on = 1;
    atomic_store(&propagate_enabled, 1);
}

static void backlog_create(void)
{
    /* A new history: replicas of an older one cannot continue from it. */
    pthread_mutex_lock(&repl.lock);
    random_hex(repl.replid, 40);
    memset(repl.replid2, '0', 40);
    pthread_mutex_unlock(&repl.lock);
    atomic_store(&repl.second_repl_offset, -1);
    repl.last_db = -1;
    atomic_store(&repl.backlog_active, 1);
    effects_start();
    backlog_publish();
}

/* Counts the good replicas (min-replicas-max-lag) for the workers. */
static void count_good_replicas(void)
{
    /* In whole seconds, as Redis's unixtime - repl_ack_time <= lag. */
    int64_t now_s = util_ms_now() / 1000;
    long long max_lag = CONFIG_READ(min_replicas_max_lag);
    int good = 0;
    pthread_mutex_lock(&repl.lock);
    for (struct replica *r = repl.replicas; r; r = r->next)
        good += r->state == REPLICA_ONLINE && now_s - r->ack_time_ms / 1000 <= max_lag;
    pthread_mutex_unlock(&repl.lock);
    atomic_store_explicit(&repl.good_replicas, good, memory_order_relaxed);
}

int repl_enough_good_replicas(void)
{
    int min = CONFIG_READ(min_replicas_to_write);
    /* A primary's rule only, and off while either setting is 0 (Redis). */
    if (min <= 0 || CONFIG_READ(min_replicas_max_lag) == 0 || replica_active()) return 1;
    return atomic_load_explicit(&repl.good_replicas, memory_order_relaxed) >= min;
}

/* ---- WAIT ---- */

int repl_wait_acks(uint64_t logpos, long long *acked)
{
    pthread_mutex_lock(&repl.lock);
    long long offset = offset_of_logpos(logpos);
    *acked = offset < 0 ? 0 : acks_for((uint64_t)offset);
    pthread_mutex_unlock(&repl.lock);
    return offset >= 0;
}

void repl_wait_timeout_reply(uint64_t logpos, struct outbuf *out)
{
    long long acked;
    repl_wait_acks(logpos, &acked);
    reply_int(out, acked);
}

void repl_wait_add(struct blocker *b, uint64_t logpos, long long numreplicas)
{
    struct wait *w = mem_calloc(1, sizeof(*w));
    w->b = b;
    w->logpos = logpos;
    w->numreplicas = numreplicas;
    pthread_mutex_lock(&repl.lock);
    w->next = repl.wait_inbox;
    repl.wait_inbox = w;
    pthread_mutex_unlock(&repl.lock);
    io_worker_wake(io_service_loop());
}

static void write_count(void *arg, struct outbuf *out)
{
    reply_int(out, *(long long *)arg);
}

/* Answers the waits that have their acknowledgements, drops the ones
 * decided otherwise; asks the replicas for ACKs if some still wait. */
static void waits_check(void)
{
    pthread_mutex_lock(&repl.lock);
    struct wait *in = repl.wait_inbox;
    repl.wait_inbox = NULL;
    while (in) {
        struct wait *next = in->next;
        in->next = repl.waits;
        repl.waits = in;
        in = next;
    }
    for (struct wait **p = &repl.waits; *p;) {
        struct wait *w = *p;
        if (w->offset == 0) {
            long long off = offset_of_logpos(w->logpos);
            if (off >= 0) w->offset = (uint64_t)off;
        }
        long long acked = w->offset || w->logpos == 0 ? acks_for(w->offset) : 0;
        int known = w->offset != 0 || w->logpos == 0;
        int done = !blocking_external_waiting(w->b);
        if (!done && known && acked >= w->numreplicas) {
            blocking_complete_external(w->b, write_count, &acked);
            done = 1;
        }
        if (done) {
            blocking_release_external(w->b);
            *p = w->next;
            mem_free(w);
            continue;
        }
        repl.getack_pending = 1;
        p = &w->next;
    }
    pthread_mutex_unlock(&repl.lock);
}

/* ---- replicas ---- */

static void replica_free(struct replica *r)
{
    if (r->client) client_free_internal(r->client);
    if (r->file_fd >= 0) close(r->file_fd);
    resp_parser_free(&r->parser);
    mem_free(r->in);
    mem_free(r);
}

static void replica_unlink(struct replica *r)
{
    pthread_mutex_lock(&repl.lock);
    for (struct replica **p = &repl.replicas; *p; p = &(*p)->next)
        if (*p == r) {
            *p = r->next;
            break;
        }
    pthread_mutex_unlock(&repl.lock);
}

/* REPLCONF ACK <offset> from an online replica. */
static void replica_command(struct replica *r, int argc, const struct resp_arg *argv)
{
    if (argc >= 3 && argv[0].len == 8 && strncasecmp(argv[0].ptr, "replconf", 8) == 0 &&
        argv[1].len == 3 && strncasecmp(argv[1].ptr, "ack", 3) == 0) {
        long long off;
        if (util_str_to_ll(argv[2].ptr, argv[2].len, &off) && off >= 0) {
            pthread_mutex_lock(&repl.lock);
            if ((uint64_t)off > r->ack) r->ack = (uint64_t)off;
            r->ack_time_ms = util_ms_now();
            pthread_mutex_unlock(&repl.lock);
            if (r->await_ack) {
                /* It has read the whole RDB: what follows is the stream
                 * (sent before, it would have read it as RDB bytes). */
                r->await_ack = 0;
                feed_replicas();
            }
            waits_check();
            count_good_replicas();
        }
    }
}

static void replica_on_data(void *state, const char *data, size_t len)
{
    struct replica *r = state;
    r->in = mem_realloc(r->in, r->inlen + len);
    memcpy(r->in + r->inlen, data, len);
    r->inlen += len;
    size_t off = 0;
    while (off < r->inlen) {
        size_t consumed = 0, need = 0;
        enum resp_status st = resp_parse(&r->parser, r->in + off, r->inlen - off, &consumed, &need);
        if (st == RESP_MORE) break;
        if (st == RESP_ERROR) {
            log_warning("Protocol error from replica %s:%d: %s", r->ip, r->listening_port,
                        r->parser.error);
            io_conn_close(r->conn);
            r->inlen = 0;
            return;
        }
        off += consumed;
        if (r->parser.argc > 0) replica_command(r, r->parser.argc, r->parser.argv);
    }
    memmove(r->in, r->in + off, r->inlen - off);
    r->inlen -= off;
}

static void replica_on_close(void *state)
{
    struct replica *r = state;
    log_notice("Connection with replica %s:%d lost.", r->ip, r->listening_port);
    replica_unlink(r);
    replica_free(r);
}

static const struct io_handler replica_handler = {
    .on_data = replica_on_data,
    .on_close = replica_on_close,
};

/* The snapshot's sink: every replica receiving it gets the bytes. */
static int snapshot_sink(void *ctx, const void *buf, size_t len)
{
    (void)ctx;
    for (struct replica *r = repl.replicas; r; r = r->next)
        if (r->state == REPLICA_SNAPSHOT) {
            outbuf_append(io_conn_outbuf(r->conn), buf, len);
            io_conn_mark_dirty(r->conn);
        }
    return 0;
}

/* A replica without capa eof needs the RDB's length before its bytes: the
 * snapshot is then staged in a temporary file (removed from the directory
 * at once; each such replica reads its own descriptor of it). */
static int file_sink(void *ctx, const void *buf, size_t len)
{
    int fd = *(int *)ctx;
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Every shard lock of every db, in order (the barrier of snapshots and
 * role changes). */
static void lock_everything(void)
{
    for (int d = 0; d < keyspace.ndbs; d++)
        for (unsigned s = 0; s < KS_SHARDS; s++) lock_shard(ks_db(d), s);
}

static void unlock_everything(void)
{
    for (int d = keyspace.ndbs; d-- > 0;)
        for (unsigned s = KS_SHARDS; s-- > 0;) ks_unlock(ks_db(d), s);
}

/* Starts a snapshot for every replica waiting for one: the barrier takes
 * every shard lock, so the offset it names has every write before it and
 * none after. */
static void snapshot_start(void)
{
    lock_everything();
    if (!atomic_load(&repl.backlog_active)) backlog_create();
    drain_effects();
    repl.snapshot_offset = repl.offset;
    repl.snapshot_on = 1;
    /* The replicas starting here know no db yet: the stream names it again
     * (Redis's slaveseldb = -1). */
    repl.last_db = -1;
    snapshot_begin();
    unlock_everything();
    backlog_publish();

    /* repl-diskless-sync no: every replica gets the RDB from a file (still
     * a fork-less snapshot), length first, as Redis's disk-based sync. */
    int to_file = !CONFIG_READ(repl_diskless_sync);
    for (struct replica *r = repl.replicas; r; r = r->next)
        to_file |= r->state == REPLICA_WAIT_SNAPSHOT && !r->capa_eof;
    if (to_file) {
        char path[64];
        snprintf(path, sizeof(path), "temp-repl-%d.rdb", (int)getpid());
        repl.snapshot_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (repl.snapshot_fd < 0)
            log_warning("Can't stage the RDB for a replica in %s: %s", path, strerror(errno));
        else
            unlink(path);
    }
    if (repl.snapshot_fd >= 0)
        rdb_writer_init(&repl.writer, file_sink, &repl.snapshot_fd, RDB_WRITE_CHECKSUM);
    else
        rdb_writer_init(&repl.writer, snapshot_sink, NULL, RDB_WRITE_CHECKSUM);
    char line[128];
    for (struct replica *r = repl.replicas; r; r = r->next) {
        if (r->state != REPLICA_WAIT_SNAPSHOT) continue;
        replica_set_state(r, REPLICA_SNAPSHOT);
        struct outbuf *out = io_conn_outbuf(r->conn);
        if (r->psync) {
            int n = snprintf(line, sizeof(line), "+FULLRESYNC %s %llu\r\n", repl.replid,
                             (unsigned long long)repl.snapshot_offset);
            outbuf_append(out, line, (size_t)n);
        }
        io_conn_mark_dirty(r->conn);
        if (repl.snapshot_fd >= 0) continue; /* "$<length>" once it is written */
        random_hex(line, 40);
        memcpy(r->eofmark, line, 40);
        outbuf_append(out, "$EOF:", 5);
        outbuf_append(out, r->eofmark, 40);
        outbuf_append(out, "\r\n", 2);
        log_notice("Replica %s:%d: full sync from offset %llu, streaming the snapshot", r->ip,
                   r->listening_port, (unsigned long long)repl.snapshot_offset);
    }
    /* The stream's db at the snapshot's offset: a primary's stream names it
     * again (SELECT), a replica's goes on in its primary's db. */
    struct rdb_repl_info info = {.stream_db = repl.replica ? replica_stream_db() : 0,
                                 .repl_id = repl.replid,
                                 .repl_offset = (long long)repl.snapshot_offset};
    rdb_write_header(&repl.writer, &info);
    /* Each db's size as a hint (RESIZEDB): the replica sizes its tables
     * once instead of growing them key by key. */
    for (int d = 0; d < keyspace.ndbs; d++) {
        uint64_t n = ks_db_size(ks_db(d));
        if (n == 0) continue;
        rdb_write_select_db(&repl.writer, d);
        rdb_write_resize_db(&repl.writer, n, ks_db_expires(ks_db(d)));
    }
}

/* Whether a replica waits for a snapshot to start. */
static int replicas_waiting(void)
{
    for (struct replica *r = repl.replicas; r; r = r->next)
        if (r->state == REPLICA_WAIT_SNAPSHOT) return 1;
    return 0;
}

static int snapshot_output_full(void)
{
    if (repl.snapshot_fd >= 0) return 0; /* a file takes it all */
    for (struct replica *r = repl.replicas; r; r = r->next)
        if (r->state == REPLICA_SNAPSHOT && io_conn_outbuf(r->conn)->pending > SNAPSHOT_OUTPUT_MAX)
            return 1;
    return 0;
}

/* A replica's RDB is all in its output: it goes online, the stream from
 * offset on to follow; an rdb-only one (REPLCONF rdb-only) gets nothing
 * more and is closed once the RDB is out. */
static void replica_rdb_sent(struct replica *r, uint64_t offset)
{
    log_notice("Synchronization with replica %s:%d succeeded", r->ip, r->listening_port);
    if (r->rdb_only) {
        io_conn_close_after_reply(r->conn);
        replica_set_state(r, REPLICA_CLOSED);
        return;
    }
    pthread_mutex_lock(&repl.lock);
    r->state = REPLICA_ONLINE;
    r->ack_time_ms = util_ms_now();
    pthread_mutex_unlock(&repl.lock);
    r->sent = offset;
}

/* The staged RDB is complete: each replica gets its length, then its bytes
 * as its output drains (send_staged). */
static void staged_snapshot_ready(void)
{
    char line[32];
    int n = snprintf(line, sizeof(line), "$%llu\r\n", (unsigned long long)repl.writer.bytes);
    for (struct replica *r = repl.replicas; r; r = r->next) {
        if (r->state != REPLICA_SNAPSHOT) continue;
        r->file_fd = dup(repl.snapshot_fd);
        r->file_off = 0;
        r->file_size = repl.writer.bytes;
        r->sync_offset = repl.snapshot_offset;
        outbuf_append(io_conn_outbuf(r->conn), line, (size_t)n);
        replica_set_state(r, REPLICA_SEND_FILE);
    }
    close(repl.snapshot_fd);
    repl.snapshot_fd = -1;
}

/* Moves staged RDB bytes to the replicas reading them, paced by their
 * output; a replica that has it all goes online (its length told it where
 * the RDB ends, so the stream follows at once). */
static void send_staged(void)
{
    char buf[64 << 10];
    int more = 0;
    for (struct replica *r = repl.replicas; r; r = r->next) {
        if (r->state != REPLICA_SEND_FILE) continue;
        struct outbuf *out = io_conn_outbuf(r->conn);
        while (r->file_off < r->file_size && out->pending < SNAPSHOT_OUTPUT_MAX) {
            size_t want = r->file_size - r->file_off < sizeof(buf)
                              ? (size_t)(r->file_size - r->file_off)
                              : sizeof(buf);
            ssize_t got = pread(r->file_fd, buf, want, (off_t)r->file_off);
            if (got <= 0) {
                log_warning("Can't read the staged RDB for replica %s:%d", r->ip,
                            r->listening_port);
                io_conn_close(r->conn);
                break;
            }
            outbuf_append(out, buf, (size_t)got);
            r->file_off += (uint64_t)got;
        }
        io_conn_mark_dirty(r->conn);
        if (r->file_off < r->file_size) {
            more = 1;
            continue;
        }
        close(r->file_fd);
        r->file_fd = -1;
        replica_rdb_sent(r, r->sync_offset);
    }
    if (more) io_worker_set_alarm(repl.loop, util_monotonic_us() / 1000 + 1);
    feed_replicas();
}

/* Starts the delayed full sync once its time has come. A replica takes
 * its snapshot between two of its primary's transactions, never inside
 * one (its offset would fall inside MULTI ... EXEC). */
static void start_due_snapshot(void)
{
    if (!repl.snapshot_due_ms || repl.snapshot_on) return;
    int64_t now = util_monotonic_us() / 1000;
    /* repl-diskless-sync-max-replicas: that many waiting need not wait. */
    int max = CONFIG_READ(repl_diskless_sync_max_replicas), waiting = 0;
    for (struct replica *r = repl.replicas; r; r = r->next)
        waiting += r->state == REPLICA_WAIT_SNAPSHOT;
    if (now < repl.snapshot_due_ms && !(max > 0 && waiting >= max)) return;
    if (repl.replica && replica_in_transaction()) {
        io_worker_set_alarm(repl.loop, now + 1);
        return;
    }
    repl.snapshot_due_ms = 0;
    if (replicas_waiting()) snapshot_start();
}

/* Moves the snapshot along; the rest of the stream follows when done. */
static void snapshot_advance(void)
{
    if (!repl.snapshot_on) return;
    if (snapshot_output_full()) {
        io_worker_set_alarm(repl.loop, util_monotonic_us() / 1000 + 1);
        return;
    }
    if (!snapshot_step(&repl.writer, SNAPSHOT_SHARDS_PER_STEP, SNAPSHOT_STEP_BYTES, lock_shard)) {
        io_worker_wake(repl.loop); /* more next turn */
        return;
    }
    rdb_write_footer(&repl.writer);
    snapshot_end(lock_shard);
    repl.snapshot_on = 0;
    if (repl.snapshot_fd >= 0) {
        staged_snapshot_ready();
    }
    for (struct replica *r = repl.replicas; r; r = r->next) {
        if (r->state != REPLICA_SNAPSHOT) continue;
        outbuf_append(io_conn_outbuf(r->conn), r->eofmark, 40);
        io_conn_mark_dirty(r->conn);
        r->await_ack = 1;
        replica_rdb_sent(r, repl.snapshot_offset);
    }
    feed_replicas();
    /* Replicas that asked meanwhile get the next snapshot. */
    if (replicas_waiting()) {
        repl.snapshot_due_ms = util_monotonic_us() / 1000;
        start_due_snapshot();
    }
}

/* Whether h can continue from the backlog. */
static int can_continue(const struct repl_handover *h)
{
    if (!h->psync || !atomic_load(&repl.backlog_active) || h->offset < 1) return 0;
    uint64_t want = (uint64_t)h->offset;
    int same = strcmp(h->replid, repl.replid) == 0;
    long long second = atomic_load(&repl.second_repl_offset);
    /* The old history holds up to second_repl_offset - 1: a replica may
     * ask for its next byte, no further (Redis's rule). */
    if (!same && !(strcmp(h->replid, repl.replid2) == 0 && h->offset <= second)) return 0;
    uint64_t first = repl.head ? repl.head->first : repl.offset + 1;
    return want >= first && want <= repl.offset + 1;
}

static void replica_adopt(struct repl_handover *h)
{
    struct replica *r = mem_calloc(1, sizeof(*r));
    r->file_fd = -1;
    r->capa_eof = h->capa_eof;
    r->psync = h->psync;
    r->rdb_only = h->rdb_only;
    r->listening_port = h->listening_port;
    snprintf(r->ip, sizeof(r->ip), "%s", h->ip);
    r->id = h->client_id;
    resp_parser_init(&r->parser);
    r->conn = io_conn_adopt(repl.loop, h->fd, &replica_handler, r);
    if (!r->conn) {
        close(h->fd);
        replica_free(r);
        return;
    }
    r->client =
        client_create_internal(repl.loop, h->fd, h->peer, io_conn_outbuf(r->conn), CLIENT_REPLICA);
    r->client->id = h->client_id; /* the id it had as a client */
    r->client->last_cmd = command_lookup(h->psync ? "psync" : "sync", h->psync ? 5 : 4);
    drain_effects();
    char line[128];
    r->ack_time_ms = util_ms_now();
    if (repl.replica && !replica_link_up()) {
        static const char err[] = "-NOMASTERLINK Can't SYNC while not connected with my master\r\n";
        outbuf_append(io_conn_outbuf(r->conn), err, sizeof(err) - 1);
        io_conn_close_after_reply(r->conn);
        r->state = REPLICA_CLOSED;
        pthread_mutex_lock(&repl.lock);
        r->next = repl.replicas;
        repl.replicas = r;
        pthread_mutex_unlock(&repl.lock);
        return;
    }
    if (can_continue(h)) {
        int n = h->capa_psync2 ? snprintf(line, sizeof(line), "+CONTINUE %s\r\n", repl.replid)
                               : snprintf(line, sizeof(line), "+CONTINUE\r\n");
        outbuf_append(io_conn_outbuf(r->conn), line, (size_t)n);
        r->state = REPLICA_ONLINE;
        r->sent = (uint64_t)h->offset - 1;
        r->ack = r->sent;
        atomic_fetch_add(&repl.sync_partial_ok, 1);
        log_notice("Partial resynchronization request from %s:%d accepted. Sending %llu bytes of "
                   "backlog starting from offset %lld.",
                   r->ip, r->listening_port, (unsigned long long)(repl.offset - r->sent),
                   h->offset);
        pthread_mutex_lock(&repl.lock);
        r->next = repl.replicas;
        repl.replicas = r;
        pthread_mutex_unlock(&repl.lock);
        feed_replicas();
        io_conn_mark_dirty(r->conn);
        return;
    }
    if (h->psync && strcmp(h->replid, "?") != 0) atomic_fetch_add(&repl.sync_partial_err, 1);
    atomic_fetch_add(&repl.sync_full, 1);
    r->state = REPLICA_WAIT_SNAPSHOT;
    pthread_mutex_lock(&repl.lock);
    r->next = repl.replicas;
    repl.replicas = r;
    pthread_mutex_unlock(&repl.lock);
    if (repl.snapshot_on) return;
    if (repl.snapshot_due_ms) {
        start_due_snapshot(); /* maybe enough replicas wait now */
        return;
    }
    /* repl-diskless-sync-delay: replicas asking meanwhile share it. */
    int64_t delay_ms =
        CONFIG_READ(repl_diskless_sync) ? CONFIG_READ(repl_diskless_sync_delay) * 1000LL : 0;
    repl.snapshot_due_ms = util_monotonic_us() / 1000 + delay_ms;
    if (delay_ms > 0) {
        log_notice("Delay next full sync by %lld seconds", (long long)(delay_ms / 1000));
        io_worker_set_alarm(repl.loop, repl.snapshot_due_ms);
    } else {
        start_due_snapshot();
    }
}

void repl_handover(struct repl_handover *h)
{
    pthread_mutex_lock(&repl.lock);
    h->next = repl.inbox;
    repl.inbox = h;
    pthread_mutex_unlock(&repl.lock);
    io_worker_wake(io_service_loop());
}

/* ---- the replica side's hooks (replication thread, engine/replica.h) ---- */

/* A snapshot no replica waits for any more. */
static void snapshot_cancel(void)
{
    if (repl.snapshot_on) {
        snapshot_end(lock_shard);
        repl.snapshot_on = 0;
    }
    if (repl.snapshot_fd >= 0) {
        close(repl.snapshot_fd);
        repl.snapshot_fd = -1;
    }
    repl.snapshot_due_ms = 0;
}

void repl_drop_replicas(void)
{
    for (struct replica *r = repl.replicas; r; r = r->next)
        if (r->state != REPLICA_CLOSED) replica_drop(r);
    snapshot_cancel();
}

void repl_become_replica(const struct blocker *requester)
{
    lock_everything();
    drain_effects(); /* what was written before is this server's history */
    repl.replica = 1;
    atomic_store(&propagate_enabled, 0);
    unlock_everything();
    backlog_publish();
    blocking_unblock_all("UNBLOCKED force unblock from blocking operation, instance state "
                         "changed (master -> replica?)",
                         requester);
    waits_check(); /* the WAITs just answered leave the list */
}

/* Promotion: the history goes on under a new id; the old one stays valid
 * up to here, so replicas of the same primary continue with +CONTINUE. */
void repl_become_primary(void)
{
    lock_everything();
    repl.replica = 0;
    if (atomic_load(&repl.backlog_active)) {
        pthread_mutex_lock(&repl.lock);
        memcpy(repl.replid2, repl.replid, sizeof(repl.replid2));
        random_hex(repl.replid, 40);
        pthread_mutex_unlock(&repl.lock);
        atomic_store(&repl.second_repl_offset, (long long)repl.offset + 1);
        repl.last_db = -1;
        effects_start();
    }
    unlock_everything();
    repl_drop_replicas(); /* they learn the new id when they reconnect */
    backlog_publish();
}

static void backlog_free(void)
{
    while (repl.head) {
        struct block *b = repl.head;
        repl.head = b->next;
        block_drop(b);
    }
    repl.tail = NULL;
    repl.histlen = 0;
}

void repl_forget_history(void)
{
    repl_drop_replicas();
    backlog_free();
    atomic_store(&repl.backlog_active, 0);
    pthread_mutex_lock(&repl.lock);
    memset(repl.replid2, '0', 40);
    repl.ncheckpoints = 0;
    pthread_mutex_unlock(&repl.lock);
    atomic_store(&repl.second_repl_offset, -1);
    backlog_publish();
}

void repl_new_history(const char *replid, uint64_t offset)
{
    repl_drop_replicas();
    backlog_free();
    pthread_mutex_lock(&repl.lock);
    memcpy(repl.replid, replid, 40);
    repl.replid[40] = '\0';
    memset(repl.replid2, '0', 40);
    repl.ncheckpoints = 0;
    pthread_mutex_unlock(&repl.lock);
    atomic_store(&repl.second_repl_offset, -1);
    repl.offset = offset;
    atomic_store(&repl.backlog_active, 1);
    backlog_publish();
}

void repl_shift_history(const char *replid)
{
    pthread_mutex_lock(&repl.lock);
    memcpy(repl.replid2, repl.replid, sizeof(repl.replid2));
    memcpy(repl.replid, replid, 40);
    repl.replid[40] = '\0';
    pthread_mutex_unlock(&repl.lock);
    atomic_store(&repl.second_repl_offset, (long long)repl.offset + 1);
    repl_drop_replicas();
    backlog_publish();
}

void repl_stream_feed(const char *p, size_t n)
{
    backlog_append(p, n);
    feed_replicas();
    backlog_publish();
}

void repl_psync_request(char replid[41], long long *offset)
{
    if (!atomic_load(&repl.backlog_active)) {
        strcpy(replid, "?");
        *offset = -1;
        return;
    }
    pthread_mutex_lock(&repl.lock);
    memcpy(replid, repl.replid, 41);
    pthread_mutex_unlock(&repl.lock);
    *offset = (long long)repl.offset + 1;
}

uint64_t repl_offset(void)
{
    return repl.offset;
}

long long repl_offset_published(void)
{
    return atomic_load_explicit(&repl.master_repl_offset, memory_order_relaxed);
}

/* ---- the loop's callbacks ---- */

static void repl_on_thread_start(struct io_worker *w)
{
    repl.loop = w;
    server_attach_service_thread();
    replica_on_thread_start(w);
}

static void repl_on_wake(struct io_worker *w)
{
    replica_on_wake();
    pthread_mutex_lock(&repl.lock);
    struct repl_handover *list = repl.inbox;
    repl.inbox = NULL;
    pthread_mutex_unlock(&repl.lock);
    struct repl_handover *fifo = NULL;
    while (list) {
        struct repl_handover *next = list->next;
        list->next = fifo;
        fifo = list;
        list = next;
    }
    while (fifo) {
        struct repl_handover *next = fifo->next;
        replica_adopt(fifo);
        mem_free(fifo->pending);
        mem_free(fifo);
        fifo = next;
    }
    for (struct replica *r = repl.replicas; r; r = r->next)
        if (r->state != REPLICA_CLOSED && r->client && atomic_load(&r->client->kill_requested))
            replica_drop(r); /* CLIENT KILL */
    drain_effects();
    waits_check();
    if (repl.getack_pending) {
        /* Once per turn, into the stream (and counted in it) as Redis; a
         * replica's stream is its primary's bytes only. */
        static const char getack[] = "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n";
        if (!repl.replica && atomic_load(&repl.backlog_active))
            backlog_append(getack, sizeof(getack) - 1);
        repl.getack_pending = 0;
    }
    feed_replicas();
    start_due_snapshot();
    snapshot_advance();
    send_staged();
    check_output_limits();
    backlog_trim();
    backlog_publish();
    if (repl.effects_on && effect_log_sleep_begin()) io_worker_wake(w); /* came in meanwhile */
}

static void repl_on_alarm(struct io_worker *w)
{
    repl_on_wake(w);
}

/* repl-timeout: an online replica silent for that long is dropped. */
static void check_timeouts(int64_t now)
{
    long long timeout_ms = CONFIG_READ(repl_timeout) * 1000LL;
    for (struct replica *r = repl.replicas; r; r = r->next) {
        if (r->state != REPLICA_ONLINE || r->await_ack || now - r->ack_time_ms <= timeout_ms)
            continue;
        log_warning("Disconnecting timedout replica (streaming sync): %s:%d", r->ip,
                    r->listening_port);
        replica_drop(r);
    }
}

/* A replica waiting for its full sync to start, or for the length of an
 * RDB being staged in a file, gets a bare newline every second (outside
 * the stream and its offsets), as from Redis: it knows the primary is
 * alive. */
static void send_keepalives(int64_t now)
{
    if (now - repl.last_keepalive_ms < 1000) return;
    repl.last_keepalive_ms = now;
    for (struct replica *r = repl.replicas; r; r = r->next) {
        int waiting = r->state == REPLICA_WAIT_SNAPSHOT ||
                      (r->state == REPLICA_SNAPSHOT && repl.snapshot_fd >= 0);
        if (!waiting) continue;
        outbuf_append(io_conn_outbuf(r->conn), "\n", 1);
        io_conn_mark_dirty(r->conn);
    }
}

static void repl_on_tick(struct io_worker *w)
{
    int64_t now = util_ms_now();
    replica_on_tick();
    check_timeouts(now);
    count_good_replicas();
    int online = 0;
    for (struct replica *r = repl.replicas; r; r = r->next) online |= r->state == REPLICA_ONLINE;
    /* A replica passes its primary's PINGs on instead (same offsets). */
    if (online && !repl.replica &&
        now - repl.last_ping_ms >= CONFIG_READ(repl_ping_replica_period) * 1000LL) {
        /* The stream's heartbeat, counted in the offset as in Redis. */
        static const char ping[] = "*1\r\n$4\r\nPING\r\n";
        drain_effects();
        backlog_append(ping, sizeof(ping) - 1);
        repl.last_ping_ms = now;
    }
    send_keepalives(now);
    repl_on_wake(w);
}

static void repl_on_thread_stop(struct io_worker *w)
{
    replica_on_thread_stop(w);
    snapshot_cancel();
    pthread_mutex_lock(&repl.lock);
    struct repl_handover *h = repl.inbox;
    repl.inbox = NULL;
    pthread_mutex_unlock(&repl.lock);
    while (h) {
        struct repl_handover *next = h->next;
        close(h->fd);
        mem_free(h->pending);
        mem_free(h);
        h = next;
    }
    pthread_mutex_lock(&repl.lock);
    struct wait *waits = repl.waits, *inbox = repl.wait_inbox;
    repl.waits = repl.wait_inbox = NULL;
    pthread_mutex_unlock(&repl.lock);
    for (struct wait *lists[2] = {waits, inbox}, **l = lists; l < lists + 2; l++)
        for (struct wait *w = *l; w;) {
            struct wait *next = w->next;
            blocking_release_external(w->b);
            mem_free(w);
            w = next;
        }
    atomic_store(&propagate_enabled, 0);
    if (repl.effects_on) effect_log_destroy();
    repl.effects_on = 0;
    atomic_store(&repl.backlog_active, 0);
    backlog_free();
}

static const struct io_handler service_handler = {
    .on_thread_start = repl_on_thread_start,
    .on_thread_stop = repl_on_thread_stop,
    .on_wake = repl_on_wake,
    .on_alarm = repl_on_alarm,
    .on_tick = repl_on_tick,
};

const struct io_handler *repl_service_handler(void)
{
    return &service_handler;
}

/* ---- INFO, ROLE (any worker) ---- */

char *repl_info_text(void)
{
    char replid[41], replid2[41];
    pthread_mutex_lock(&repl.lock);
    memcpy(replid, repl.replid, sizeof(replid));
    memcpy(replid2, repl.replid2, sizeof(replid2));
    size_t n = 0;
    for (struct replica *r = repl.replicas; r; r = r->next) n += r->state != REPLICA_CLOSED;
    size_t cap = 1024 + n * 160;
    char *t = mem_alloc(cap);
    char *replica_part = replica_info_text(); /* NULL unless a replica */
    if (replica_part) cap += strlen(replica_part);
    t = mem_realloc(t, cap);
    size_t len =
        (size_t)snprintf(t, cap, "role:%s\r\n%sconnected_slaves:%zu\r\n",
                         replica_part ? "slave" : "master", replica_part ? replica_part : "", n);
    mem_free(replica_part);
    if (CONFIG_READ(min_replicas_to_write) && CONFIG_READ(min_replicas_max_lag))
        len += (size_t)snprintf(t + len, cap - len, "min_slaves_good_slaves:%d\r\n",
                                atomic_load(&repl.good_replicas));
    int i = 0;
    int64_t now = util_ms_now();
    for (struct replica *r = repl.replicas; r; r = r->next) {
        if (r->state == REPLICA_CLOSED) continue;
        len += (size_t)snprintf(
            t + len, cap - len, "slave%d:ip=%s,port=%d,state=%s,offset=%llu,lag=%lld\r\n", i, r->ip,
            r->listening_port, state_names[r->state], (unsigned long long)r->ack,
            r->state == REPLICA_ONLINE ? (long long)(now / 1000 - r->ack_time_ms / 1000) : 0LL);
        i++;
    }
    pthread_mutex_unlock(&repl.lock);
    long long offset = atomic_load(&repl.master_repl_offset);
    int active = atomic_load(&repl.backlog_active);
    snprintf(t + len, cap - len,
             "master_failover_state:no-failover\r\n"
             "master_replid:%s\r\n"
             "master_replid2:%s\r\n"
             "master_repl_offset:%lld\r\n"
             "second_repl_offset:%lld\r\n"
             "repl_backlog_active:%d\r\n"
             "repl_backlog_size:%lld\r\n"
             "repl_backlog_first_byte_offset:%llu\r\n"
             "repl_backlog_histlen:%llu\r\n",
             replid, replid2, offset, (long long)atomic_load(&repl.second_repl_offset), active,
             (long long)CONFIG_READ(repl_backlog_size),
             active ? (unsigned long long)atomic_load(&repl.first_byte) : 0,
             (unsigned long long)atomic_load(&repl.histlen_pub));
    return t;
}

void repl_role_reply(struct outbuf *out)
{
    pthread_mutex_lock(&repl.lock);
    long long n = 0;
    for (struct replica *r = repl.replicas; r; r = r->next) n += r->state == REPLICA_ONLINE;
    reply_array(out, 3);
    reply_bulk_cstr(out, "master");
    reply_int(out, atomic_load(&repl.master_repl_offset));
    reply_array(out, n);
    for (struct replica *r = repl.replicas; r; r = r->next) {
        if (r->state != REPLICA_ONLINE) continue;
        char port[16], ack[24];
        snprintf(port, sizeof(port), "%d", r->listening_port);
        snprintf(ack, sizeof(ack), "%llu", (unsigned long long)r->ack);
        reply_array(out, 3);
        reply_bulk_cstr(out, r->ip);
        reply_bulk_cstr(out, port);
        reply_bulk_cstr(out, ack);
    }
    pthread_mutex_unlock(&repl.lock);
}

unsigned long long repl_sync_full(void)
{
    return atomic_load(&repl.sync_full);
}

unsigned long long repl_sync_partial_ok(void)
{
    return atomic_load(&repl.sync_partial_ok);
}

unsigned long long repl_sync_partial_err(void)
{
    return atomic_load(&repl.sync_partial_err);
}
