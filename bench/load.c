/*
 * load: the load generator of tandem-bench.
 *
 * Why its own client rather than hiredis: the harness must drive a server
 * harder than the server can answer, on the same two cores the server uses,
 * so the client's CPU per request is what limits every figure. A request
 * here costs one formatted copy into a per-connection buffer and, per
 * readable event, one read and one write for every reply in it; replies are
 * not turned into objects, only measured and counted. hiredis's async API
 * would allocate a reply object per reply and a callback per request.
 * epoll rather than io_uring: this side must also run where the server
 * under test is redis-server on an older kernel, and at the connection
 * counts measured here epoll costs the client no more.
 *
 * Each thread owns its connections, its random state and its histogram;
 * the only shared state is the stop flag and per-thread counters the
 * driver reads for progress.
 */
#define _GNU_SOURCE
#include "bench/load.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "bench/keydist.h"

#define READ_CHUNK 65536
/* Requests in flight per connection in open-loop mode before it stops
 * sending (the ones it owes keep their due times, so the wait shows up
 * as latency). */
#define OPEN_LOOP_MAX_INFLIGHT 1024
/* How long a stopping thread waits for the replies it is still owed. */
#define DRAIN_SECONDS 10.0

static const char *const op_names[OP_COUNT] = {"set", "get", "incr", "lpush", "hset", "zadd"};

struct buf {
    char *data;
    size_t len, cap, off; /* off: bytes already consumed from the front */
};

struct conn {
    int fd;
    struct buf out, in;
    uint64_t *sent; /* ring of send (or due) times, one per request in flight */
    unsigned cap, head, count;
    uint64_t budget;   /* requests this connection may still send (requests mode) */
    uint64_t next_due; /* open loop: when the next request is due (ns) */
    uint64_t interval; /* open loop: ns between this connection's requests */
    int want_out;      /* EPOLLOUT registered */
};

struct worker {
    pthread_t thread;
    const struct load_spec *spec;
    const struct zipf *zipf;
    const char *value;
    unsigned mix_total;
    struct conn *conns;
    int nconns;
    struct rng rng;
    struct hist *latency;
    _Atomic uint64_t done;
    atomic_int exited;
    uint64_t inflight; /* requests sent and not yet answered, all connections */
    uint64_t budget;   /* requests all connections may still send */
    uint64_t errors;
    uint64_t first_send, last_reply;
    atomic_int *stop;
    char err[256];
    int failed;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int load_parse_mix(const char *text, unsigned mix[OP_COUNT])
{
    memset(mix, 0, sizeof(unsigned) * OP_COUNT);
    char *copy = strdup(text), *save = NULL;
    if (!copy) return -1;
    int rc = 0;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        int op = -1;
        if (eq) *eq = '\0';
        for (int i = 0; i < OP_COUNT; i++)
            if (strcasecmp(item, op_names[i]) == 0) op = i;
        char *end = NULL;
        long w = eq ? strtol(eq + 1, &end, 10) : -1;
        if (op < 0 || !eq || *end != '\0' || w < 0 || w > 1000000) {
            rc = -1;
            break;
        }
        mix[op] = (unsigned)w;
    }
    free(copy);
    return rc;
}

/* ---- buffers ------------------------------------------------------------ */

static int buf_reserve(struct buf *b, size_t extra)
{
    if (b->off > 0 && b->off == b->len) b->off = b->len = 0;
    if (b->len + extra <= b->cap) return 0;
    if (b->off > 0) { /* slide the unconsumed tail to the front first */
        memmove(b->data, b->data + b->off, b->len - b->off);
        b->len -= b->off;
        b->off = 0;
        if (b->len + extra <= b->cap) return 0;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

static void buf_append(struct buf *b, const void *p, size_t n)
{
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

/* Appends "$<n>\r\n<bytes>\r\n"; space already reserved. */
static void buf_append_bulk(struct buf *b, const char *p, size_t n)
{
    b->len += (size_t)sprintf(b->data + b->len, "$%zu\r\n", n);
    buf_append(b, p, n);
    buf_append(b, "\r\n", 2);
}

/* ---- requests ----------------------------------------------------------- */

static int worker_draw_op(struct worker *w)
{
    if (w->mix_total == 0) return OP_SET;
    uint64_t x = rng_below(&w->rng, w->mix_total);
    for (int op = 0; op < OP_COUNT; op++) {
        if (x < w->spec->mix[op]) return op;
        x -= w->spec->mix[op];
    }
    return OP_SET;
}

static uint64_t worker_draw_key(struct worker *w)
{
    uint64_t n = w->spec->keyspace;
    if (!w->zipf) return rng_below(&w->rng, n);
    return keydist_scatter(zipf_next(w->zipf, &w->rng), n);
}

/* Formats one request of the mix into the connection's output buffer.
 * Keys are named as redis-benchmark names them (key:%012d), with their own
 * prefix for each type so a mix never meets WRONGTYPE. */
static int worker_write_request(struct worker *w, struct conn *c)
{
    const struct load_spec *s = w->spec;
    int op = worker_draw_op(w);
    uint64_t k = worker_draw_key(w);
    if (buf_reserve(&c->out, s->value_size + 160) < 0) return -1;
    char key[48], extra[48];
    static const char *const prefix[OP_COUNT] = {"key", "key", "counter", "list", "hash", "zset"};
    int klen = snprintf(key, sizeof(key), "%s:%012llu", prefix[op], (unsigned long long)k);
    struct buf *b = &c->out;
    switch (op) {
    case OP_SET:
        buf_append(b, "*3\r\n$3\r\nSET\r\n", 13);
        buf_append_bulk(b, key, (size_t)klen);
        buf_append_bulk(b, w->value, s->value_size);
        break;
    case OP_GET:
        buf_append(b, "*2\r\n$3\r\nGET\r\n", 13);
        buf_append_bulk(b, key, (size_t)klen);
        break;
    case OP_INCR:
        buf_append(b, "*2\r\n$4\r\nINCR\r\n", 14);
        buf_append_bulk(b, key, (size_t)klen);
        break;
    case OP_LPUSH:
        buf_append(b, "*3\r\n$5\r\nLPUSH\r\n", 15);
        buf_append_bulk(b, key, (size_t)klen);
        buf_append_bulk(b, w->value, s->value_size);
        break;
    case OP_HSET: {
        int n = snprintf(extra, sizeof(extra), "field:%02u", (unsigned)rng_below(&w->rng, 16));
        buf_append(b, "*4\r\n$4\r\nHSET\r\n", 14);
        buf_append_bulk(b, key, (size_t)klen);
        buf_append_bulk(b, extra, (size_t)n);
        buf_append_bulk(b, w->value, s->value_size);
        break;
    }
    default: { /* OP_ZADD */
        char score[24];
        int sn = snprintf(score, sizeof(score), "%u", (unsigned)rng_below(&w->rng, 1000000));
        int n = snprintf(extra, sizeof(extra), "member:%02u", (unsigned)rng_below(&w->rng, 16));
        buf_append(b, "*4\r\n$4\r\nZADD\r\n", 14);
        buf_append_bulk(b, key, (size_t)klen);
        buf_append_bulk(b, score, (size_t)sn);
        buf_append_bulk(b, extra, (size_t)n);
        break;
    }
    }
    return 0;
}

/* Queues one request and remembers when it counts from. */
static int conn_issue(struct worker *w, struct conn *c, uint64_t at)
{
    if (worker_write_request(w, c) < 0) return -1;
    c->sent[(c->head + c->count) % c->cap] = at;
    c->count++;
    w->inflight++;
    if (c->budget != UINT64_MAX) {
        c->budget--;
        w->budget--;
    }
    if (w->first_send == 0) w->first_send = at;
    return 0;
}

/* ---- replies ------------------------------------------------------------ */

/* Length of the line starting at p (up to "\r\n"), or -1 when incomplete. */
static long line_length(const char *p, const char *end)
{
    const char *cr = memchr(p, '\r', (size_t)(end - p));
    if (!cr || cr + 1 >= end) return -1;
    return cr - p;
}

/* Measures one complete reply at p: returns its size, 0 when it is not all
 * in yet, -1 when it is not RESP. *is_error is set for an error reply. */
static long reply_size(const char *p, const char *end, int *is_error)
{
    long pending = 1; /* replies still to measure (arrays add their elements) */
    const char *q = p;
    while (pending > 0) {
        if (q >= end) return 0;
        long n = line_length(q, end);
        if (n < 0) return 0;
        char type = q[0];
        long long v = 0;
        if (type == '$' || type == '*') {
            char *stop = NULL;
            v = strtoll(q + 1, &stop, 10);
            if (stop != q + n) return -1;
        }
        if (type == '-' && q == p) *is_error = 1;
        q += n + 2;
        pending--;
        switch (type) {
        case '+':
        case '-':
        case ':':
            break;
        case '$':
            if (v >= 0) {
                if (end - q < v + 2) return 0;
                q += v + 2;
            }
            break;
        case '*':
            if (v > 0) pending += v;
            break;
        default:
            return -1;
        }
    }
    return q - p;
}

/* Consumes every complete reply in the input buffer, recording latencies
 * against one clock reading (they arrived together). */
static int conn_take_replies(struct worker *w, struct conn *c, uint64_t now, unsigned *taken)
{
    struct buf *in = &c->in;
    *taken = 0;
    while (in->off < in->len) {
        int is_error = 0;
        long n = reply_size(in->data + in->off, in->data + in->len, &is_error);
        if (n == 0) break;
        if (n < 0 || c->count == 0) {
            snprintf(w->err, sizeof(w->err), "protocol error in a reply from the server");
            return -1;
        }
        in->off += (size_t)n;
        uint64_t sent = c->sent[c->head];
        c->head = (c->head + 1) % c->cap;
        c->count--;
        w->inflight--;
        hist_record(w->latency, now > sent ? now - sent : 0);
        if (is_error) w->errors++;
        (*taken)++;
    }
    if (in->off == in->len) in->off = in->len = 0;
    return 0;
}

/* ---- the loop ----------------------------------------------------------- */

static int conn_flush(struct worker *w, int epfd, struct conn *c)
{
    struct buf *out = &c->out;
    while (out->off < out->len) {
        ssize_t n = write(c->fd, out->data + out->off, out->len - out->off);
        if (n > 0) {
            out->off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        snprintf(w->err, sizeof(w->err), "write: %s", n < 0 ? strerror(errno) : "closed");
        return -1;
    }
    int need = out->off < out->len;
    if (need != c->want_out) {
        struct epoll_event ev = {.events = EPOLLIN | (need ? EPOLLOUT : 0), .data.ptr = c};
        epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
        c->want_out = need;
    }
    if (!need) out->off = out->len = 0;
    return 0;
}

static int conn_read(struct worker *w, struct conn *c)
{
    for (;;) {
        if (buf_reserve(&c->in, READ_CHUNK) < 0) {
            snprintf(w->err, sizeof(w->err), "out of memory");
            return -1;
        }
        ssize_t n = read(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len);
        if (n > 0) {
            c->in.len += (size_t)n;
            if (c->in.len < c->in.cap) return 0;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return 0;
        snprintf(w->err, sizeof(w->err), "connection lost: %s",
                 n < 0 ? strerror(errno) : "closed by the server");
        return -1;
    }
}

/* Closed loop: every reply makes room for the next request. */
static int worker_refill(struct worker *w, struct conn *c, uint64_t now, int stopping)
{
    unsigned depth = (unsigned)w->spec->pipeline;
    while (!stopping && c->count < depth && c->budget > 0)
        if (conn_issue(w, c, now) < 0) return -1;
    return 0;
}

/* Open loop: sends what has fallen due; returns the next due time. */
static int worker_send_due(struct worker *w, struct conn *c, uint64_t now, int stopping)
{
    while (!stopping && c->next_due <= now && c->count < c->cap && c->budget > 0) {
        if (conn_issue(w, c, c->next_due) < 0) return -1;
        c->next_due += c->interval;
    }
    return 0;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    const struct load_spec *s = w->spec;
    int open_loop = s->rate > 0;
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) {
        snprintf(w->err, sizeof(w->err), "epoll_create1: %s", strerror(errno));
        w->failed = 1;
        return NULL;
    }
    uint64_t start = now_ns();
    for (int i = 0; i < w->nconns; i++) {
        struct conn *c = &w->conns[i];
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
        if (open_loop) c->next_due = start + rng_below(&w->rng, c->interval);
    }
    for (int i = 0; i < w->nconns && !open_loop; i++) {
        struct conn *c = &w->conns[i];
        if (worker_refill(w, c, start, 0) < 0 || conn_flush(w, epfd, c) < 0) goto fail;
    }
    struct epoll_event events[256];
    uint64_t drain_deadline = 0;
    for (;;) {
        uint64_t now = now_ns();
        int stopping = atomic_load_explicit(w->stop, memory_order_relaxed) != 0;
        if (stopping && drain_deadline == 0) drain_deadline = now + (uint64_t)(DRAIN_SECONDS * 1e9);
        if (w->inflight == 0 && (stopping || w->budget == 0)) break;
        if (drain_deadline && now > drain_deadline) {
            snprintf(w->err, sizeof(w->err), "replies still missing %.0f s after the end",
                     DRAIN_SECONDS);
            goto fail;
        }
        /* Open loop: send what is due, and sleep until the next is. */
        uint64_t next = UINT64_MAX;
        for (int i = 0; i < w->nconns && open_loop; i++) {
            struct conn *c = &w->conns[i];
            if (worker_send_due(w, c, now, stopping) < 0 || conn_flush(w, epfd, c) < 0) goto fail;
            if (!stopping && c->budget > 0 && c->count < c->cap && c->next_due < next)
                next = c->next_due;
        }
        struct timespec timeout = {.tv_sec = 0, .tv_nsec = 100000000};
        if (next != UINT64_MAX) {
            uint64_t wait = next > now ? next - now : 0;
            if (wait < 100000000u) timeout.tv_nsec = (long)wait;
        }
        int n = epoll_pwait2(epfd, events, 256, &timeout, NULL);
        if (n < 0 && errno != EINTR) {
            snprintf(w->err, sizeof(w->err), "epoll_pwait2: %s", strerror(errno));
            goto fail;
        }
        now = now_ns();
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                unsigned taken;
                if (conn_read(w, c) < 0 || conn_take_replies(w, c, now, &taken) < 0) goto fail;
                if (taken) {
                    atomic_fetch_add_explicit(&w->done, taken, memory_order_relaxed);
                    w->last_reply = now;
                }
            }
            if (!open_loop && worker_refill(w, c, now, stopping) < 0) goto fail;
            if (conn_flush(w, epfd, c) < 0) goto fail;
        }
    }
    close(epfd);
    atomic_store(&w->exited, 1);
    return NULL;
fail:
    w->failed = 1;
    close(epfd);
    atomic_store(&w->exited, 1);
    return NULL;
}

/* ---- connections and the run -------------------------------------------- */

static int connect_to(const char *host, int port, char *err, size_t errsize)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        snprintf(err, errsize, "bad address %s", host);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        snprintf(err, errsize, "connect %s:%d: %s", host, port, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static void workers_free(struct worker *ws, int nthreads)
{
    for (int t = 0; t < nthreads; t++) {
        struct worker *w = &ws[t];
        for (int i = 0; i < w->nconns; i++) {
            struct conn *c = &w->conns[i];
            if (c->fd >= 0) close(c->fd);
            free(c->out.data);
            free(c->in.data);
            free(c->sent);
        }
        free(w->conns);
        hist_free(w->latency);
    }
    free(ws);
}

/* Connects every connection and gives each its share of the requests (or
 * of the rate). */
static int workers_prepare(const struct load_spec *s, struct worker *ws, char *err, size_t errsize)
{
    int nthreads = s->threads;
    for (int t = 0; t < nthreads; t++) {
        ws[t].nconns = s->connections / nthreads + (t < s->connections % nthreads);
        ws[t].conns = calloc((size_t)ws[t].nconns, sizeof(struct conn));
        ws[t].latency = hist_new();
        if (!ws[t].conns || !ws[t].latency) goto oom;
        for (int i = 0; i < ws[t].nconns; i++) ws[t].conns[i].fd = -1;
    }
    int index = 0;
    for (int t = 0; t < nthreads; t++) {
        ws[t].budget = s->requests > 0 ? 0 : UINT64_MAX;
        for (int i = 0; i < ws[t].nconns; i++, index++) {
            struct conn *c = &ws[t].conns[i];
            c->fd = connect_to(s->host, s->port, err, errsize);
            if (c->fd < 0) return -1;
            c->cap = s->rate > 0 ? OPEN_LOOP_MAX_INFLIGHT : (unsigned)s->pipeline;
            c->sent = calloc(c->cap, sizeof(uint64_t));
            if (!c->sent) goto oom;
            if (s->requests > 0)
                c->budget = s->requests / (uint64_t)s->connections +
                            ((uint64_t)index < s->requests % (uint64_t)s->connections);
            else
                c->budget = UINT64_MAX;
            if (s->requests > 0) ws[t].budget += c->budget;
            if (s->rate > 0) c->interval = (uint64_t)(1e9 * s->connections / s->rate);
            if (c->interval == 0) c->interval = 1;
        }
    }
    return 0;
oom:
    snprintf(err, errsize, "out of memory");
    return -1;
}

static void load_report_progress(const struct load_spec *s, struct worker *ws, uint64_t start)
{
    uint64_t done = 0;
    for (int t = 0; t < s->threads; t++)
        done += atomic_load_explicit(&ws[t].done, memory_order_relaxed);
    s->progress(s->progress_arg, done, (double)(now_ns() - start) / 1e9);
}

int load_run(const struct load_spec *s, struct load_result *out, char *err, size_t errsize)
{
    memset(out, 0, sizeof(*out));
    if (s->connections < 1 || s->threads < 1 || s->pipeline < 1 || s->keyspace < 1 ||
        (s->requests == 0 && s->duration <= 0)) {
        snprintf(err, errsize, "bad load settings");
        return -1;
    }
    int nthreads = s->threads < s->connections ? s->threads : s->connections;
    struct load_spec spec = *s;
    spec.threads = nthreads;
    struct zipf *zipf = NULL;
    char *value = malloc(s->value_size + 1);
    struct worker *ws = calloc((size_t)nthreads, sizeof(*ws));
    atomic_int stop = 0;
    int rc = -1, started = 0;
    if (!value || !ws) {
        snprintf(err, errsize, "out of memory");
        goto out;
    }
    memset(value, 'x', s->value_size);
    if (s->zipf_theta > 0 && !(zipf = zipf_new(s->keyspace, s->zipf_theta))) {
        snprintf(err, errsize, "bad zipf settings");
        goto out;
    }
    if (workers_prepare(&spec, ws, err, errsize) < 0) goto out;
    unsigned mix_total = 0;
    for (int op = 0; op < OP_COUNT; op++) mix_total += s->mix[op];
    for (int t = 0; t < nthreads; t++) {
        ws[t].spec = &spec;
        ws[t].zipf = zipf;
        ws[t].value = value;
        ws[t].mix_total = mix_total;
        ws[t].stop = &stop;
        rng_seed(&ws[t].rng, s->seed * 1000003u + (uint64_t)t + 1);
    }
    uint64_t start = now_ns();
    for (; started < nthreads; started++) {
        if (pthread_create(&ws[started].thread, NULL, worker_main, &ws[started]) != 0) {
            snprintf(err, errsize, "pthread_create failed");
            atomic_store(&stop, 1);
            break;
        }
    }
    uint64_t deadline = s->requests == 0 ? start + (uint64_t)(s->duration * 1e9) : UINT64_MAX;
    for (unsigned tick = 1;; tick++) {
        struct timespec pause = {.tv_sec = 0, .tv_nsec = 50000000};
        nanosleep(&pause, NULL);
        int exited = 0, failed = 0;
        for (int t = 0; t < started; t++) {
            if (!atomic_load(&ws[t].exited)) continue;
            exited++;
            failed |= ws[t].failed;
        }
        if (s->progress && tick % 5 == 0) load_report_progress(&spec, ws, start);
        if (failed || exited == started || now_ns() >= deadline) break;
    }
    atomic_store(&stop, 1);
    for (int t = 0; t < started; t++) pthread_join(ws[t].thread, NULL);
    if (started < nthreads) goto out;

    out->latency = hist_new();
    if (!out->latency) goto out;
    uint64_t first = UINT64_MAX, last = 0;
    for (int t = 0; t < nthreads; t++) {
        struct worker *w = &ws[t];
        if (w->failed) {
            snprintf(err, errsize, "%s", w->err);
            goto out;
        }
        hist_merge(out->latency, w->latency);
        out->errors += w->errors;
        if (w->first_send && w->first_send < first) first = w->first_send;
        if (w->last_reply > last) last = w->last_reply;
    }
    out->ops = hist_count(out->latency);
    out->seconds = last > first && first != UINT64_MAX ? (double)(last - first) / 1e9 : 0;
    rc = 0;
out:
    if (rc < 0) load_result_free(out);
    if (ws) workers_free(ws, nthreads);
    zipf_free(zipf);
    free(value);
    return rc;
}

void load_result_free(struct load_result *r)
{
    hist_free(r->latency);
    r->latency = NULL;
}

/* ---- filling the key space ---------------------------------------------- */

struct fill_job {
    pthread_t thread;
    int fd;
    const struct load_fill_spec *spec;
    const char *value;
    uint64_t from, to;
    int rc;
    char err[256];
};

/* Formats the one request that fills key k: SET key value, or HSET key
 * field:00 value field:01 value ... */
static int fill_request(struct buf *out, const struct load_fill_spec *spec, const char *value,
                        uint64_t k)
{
    char key[32], field[32];
    int klen = snprintf(key, sizeof(key), "key:%012llu", (unsigned long long)k);
    unsigned fields = spec->op == OP_HSET ? spec->fields : 0;
    if (buf_reserve(out, (spec->value_size + 64) * (fields + 1) + 96) < 0) return -1;
    if (spec->op == OP_HSET) {
        out->len += (size_t)sprintf(out->data + out->len, "*%u\r\n", 2 + 2 * fields);
        buf_append(out, "$4\r\nHSET\r\n", 10);
    } else {
        buf_append(out, "*3\r\n$3\r\nSET\r\n", 13);
    }
    buf_append_bulk(out, key, (size_t)klen);
    for (unsigned f = 0; f < fields; f++) {
        int flen = snprintf(field, sizeof(field), "field:%02u", f);
        buf_append_bulk(out, field, (size_t)flen);
        buf_append_bulk(out, value, spec->value_size);
    }
    if (spec->op != OP_HSET) buf_append_bulk(out, value, spec->value_size);
    return 0;
}

/* Writes keys [from, to) over one blocking connection, 1000 per batch. */
static int fill_range(struct fill_job *j)
{
    struct buf out = {0}, in = {0};
    int rc = -1;
    for (uint64_t k = j->from; k < j->to;) {
        uint64_t batch_end = k + 1000 < j->to ? k + 1000 : j->to;
        unsigned pending = 0;
        out.len = out.off = 0;
        for (; k < batch_end; k++, pending++) {
            if (fill_request(&out, j->spec, j->value, k) < 0) {
                snprintf(j->err, sizeof(j->err), "fill: out of memory");
                goto out;
            }
        }
        for (size_t off = 0; off < out.len;) {
            ssize_t n = write(j->fd, out.data + off, out.len - off);
            if (n <= 0) {
                snprintf(j->err, sizeof(j->err), "fill: write: %s", strerror(errno));
                goto out;
            }
            off += (size_t)n;
        }
        while (pending > 0) {
            int is_error = 0;
            long size = reply_size(in.data + in.off, in.data + in.len, &is_error);
            if (size > 0) {
                in.off += (size_t)size;
                pending--;
                if (is_error) {
                    snprintf(j->err, sizeof(j->err), "fill: the server answered %s with an error",
                             j->spec->op == OP_HSET ? "HSET" : "SET");
                    goto out;
                }
                continue;
            }
            if (size < 0 || buf_reserve(&in, READ_CHUNK) < 0) {
                snprintf(j->err, sizeof(j->err), "fill: %s",
                         size < 0 ? "a reply does not parse" : "out of memory");
                goto out;
            }
            ssize_t n = read(j->fd, in.data + in.len, in.cap - in.len);
            if (n <= 0) {
                snprintf(j->err, sizeof(j->err), "fill: connection lost");
                goto out;
            }
            in.len += (size_t)n;
        }
    }
    rc = 0;
out:
    free(out.data);
    free(in.data);
    return rc;
}

static void *fill_main(void *arg)
{
    struct fill_job *j = arg;
    j->rc = fill_range(j);
    return NULL;
}

int load_fill(const char *host, int port, uint64_t keyspace, size_t value_size, char *err,
              size_t errsize)
{
    struct load_fill_spec spec = {
        .host = host, .port = port, .op = OP_SET, .keyspace = keyspace, .value_size = value_size};
    return load_fill_keys(&spec, err, errsize);
}

int load_fill_keys(const struct load_fill_spec *spec, char *err, size_t errsize)
{
    enum { FILL_CONNS = 4 };
    struct fill_job jobs[FILL_CONNS];
    char *value = malloc(spec->value_size + 1);
    int rc = -1, started = 0;
    if (!value) {
        snprintf(err, errsize, "out of memory");
        return -1;
    }
    if (spec->op != OP_SET && (spec->op != OP_HSET || spec->fields == 0)) {
        snprintf(err, errsize, "fill: only SET, or HSET of at least one field");
        goto out;
    }
    memset(value, 'x', spec->value_size);
    for (int i = 0; i < FILL_CONNS; i++) {
        jobs[i] = (struct fill_job){.spec = spec,
                                    .value = value,
                                    .from = spec->keyspace * (uint64_t)i / FILL_CONNS,
                                    .to = spec->keyspace * (uint64_t)(i + 1) / FILL_CONNS};
        jobs[i].fd = connect_to(spec->host, spec->port, err, errsize);
        if (jobs[i].fd < 0) goto out;
        if (pthread_create(&jobs[i].thread, NULL, fill_main, &jobs[i]) != 0) {
            close(jobs[i].fd);
            snprintf(err, errsize, "pthread_create failed");
            goto out;
        }
        started++;
    }
    rc = 0;
out:
    for (int i = 0; i < started; i++) {
        pthread_join(jobs[i].thread, NULL);
        close(jobs[i].fd);
        if (jobs[i].rc < 0 && rc == 0) {
            snprintf(err, errsize, "%s", jobs[i].err);
            rc = -1;
        }
    }
    free(value);
    return rc;
}
