/*
 * loop: worker threads, each running one io_uring event loop. See loop.h.
 *
 * Every submission carries a user_data word: a pointer (8-byte aligned) or
 * an index, with the operation kind in the low 3 bits. A connection counts
 * the operations it has in flight (the multishot receive, one send); it is
 * freed only once that count drops to zero after it was closed, so that no
 * completion can ever refer to freed memory.
 */
#define _GNU_SOURCE
#include "io/loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/utsname.h>
#include <unistd.h>

enum {
    OP_ACCEPT = 1,
    OP_RECV = 2,
    OP_SEND = 3,
    OP_TIMER = 4,
    OP_WAKE = 5,
    OP_CANCEL = 6,
    OP_ALARM = 7, /* the deadline (monotonic ms) rides in the upper bits */
};
#define OP_MASK 7ULL
#define SEND_IOV_MAX 64
#define BUFFER_GROUP 0

enum {
    CONN_RECV_ARMED = 1 << 0,
    CONN_SEND_INFLIGHT = 1 << 1,
    CONN_CLOSING = 1 << 2,
    CONN_CLOSE_AFTER_REPLY = 1 << 3,
    CONN_DIRTY = 1 << 4,
    CONN_NOTIFIED = 1 << 5,
    CONN_PAUSED = 1 << 6,
    CONN_ON_CLOSE_LIST = 1 << 7,
    CONN_DETACHING = 1 << 8, /* handing its socket over (io_conn_detach) */
};

struct io_conn {
    struct io_worker *w;
    const struct io_handler *h; /* its worker's, or its own (io_conn_adopt) */
    int fd;
    uint32_t flags;
    int refs; /* operations in flight */
    void *state;
    struct outbuf out;
    struct io_conn *dirty_next;  /* in w->dirty when CONN_DIRTY */
    struct io_conn *close_next;  /* in w->closing when CONN_ON_CLOSE_LIST */
    struct io_conn *prev, *next; /* every connection of the worker */
    struct msghdr msg;
    struct iovec iov[SEND_IOV_MAX];
    void (*detached)(void *arg, int fd); /* io_conn_detach */
    void *detach_arg;
};

struct io_worker {
    int index;
    const struct io_handler *h;
    pthread_t thread;
    struct io_uring ring;
    struct io_uring_buf_ring *buf_ring;
    char *buffers;
    unsigned nbuffers, buffer_size;
    const int *listen_fds;
    int nlisten;
    int wake_fd;
    uint64_t wake_value;
    atomic_int wake_pending;
    atomic_int stop;
    struct __kernel_timespec tick;
    /* The alarm (io_worker_set_alarm): the earliest deadline asked for this
     * turn, and the one the ring holds; monotonic ms, 0 for none. */
    int64_t alarm_want_ms, alarm_armed_ms;
    struct __kernel_timespec alarm_ts;
    struct io_conn *dirty;
    struct io_conn *closing;
    struct io_conn *conns;
    void *data;
    int start_status; /* 0 ok, -1 failed; set before start_done */
    char start_error[256];
};

static struct io_worker *workers;
static int worker_count;
static struct io_handler handler, service_handler;
static int service_count;
static struct io_options options;
static __thread struct io_worker *current_worker;
/* Smallest and largest batch of receives a busy worker waits for, and the
 * longest it waits for one (see worker_wait). */
#define COALESCE_MIN 3
#define COALESCE_MAX 16
#define COALESCE_NS 100000

static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t start_cond = PTHREAD_COND_INITIALIZER;
static int started_count;

static void conn_begin_close(struct io_conn *c);

/* Returns a submission entry, submitting what is queued when the ring is
 * full: never fails while the ring itself is healthy. */
static struct io_uring_sqe *worker_sqe(struct io_worker *w)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&w->ring);
    while (!sqe) {
        io_uring_submit(&w->ring);
        sqe = io_uring_get_sqe(&w->ring);
    }
    return sqe;
}

static void worker_arm_accept(struct io_worker *w, int i)
{
    struct io_uring_sqe *sqe = worker_sqe(w);
    io_uring_prep_multishot_accept(sqe, w->listen_fds[i], NULL, NULL, SOCK_CLOEXEC);
    io_uring_sqe_set_data64(sqe, ((uint64_t)i << 3) | OP_ACCEPT);
}

static void worker_arm_timer(struct io_worker *w)
{
    struct io_uring_sqe *sqe = worker_sqe(w);
    io_uring_prep_timeout(sqe, &w->tick, 0, 0);
    io_uring_sqe_set_data64(sqe, OP_TIMER);
}

/* Arms the alarm asked for this turn, unless one at least as early is
 * already in the ring (a later one left there fires harmlessly). */
static void worker_arm_alarm(struct io_worker *w)
{
    int64_t at = w->alarm_want_ms;
    if (at == 0) return;
    w->alarm_want_ms = 0;
    if (w->alarm_armed_ms != 0 && w->alarm_armed_ms <= at) return;
    w->alarm_ts.tv_sec = at / 1000;
    w->alarm_ts.tv_nsec = (at % 1000) * 1000000LL;
    struct io_uring_sqe *sqe = worker_sqe(w);
    io_uring_prep_timeout(sqe, &w->alarm_ts, 0, IORING_TIMEOUT_ABS);
    io_uring_sqe_set_data64(sqe, ((uint64_t)at << 3) | OP_ALARM);
    w->alarm_armed_ms = at;
}

static void worker_arm_wake(struct io_worker *w)
{
    struct io_uring_sqe *sqe = worker_sqe(w);
    io_uring_prep_read(sqe, w->wake_fd, &w->wake_value, sizeof(w->wake_value), 0);
    io_uring_sqe_set_data64(sqe, OP_WAKE);
}

static void conn_arm_recv(struct io_conn *c)
{
    struct io_uring_sqe *sqe = worker_sqe(c->w);
    io_uring_prep_recv_multishot(sqe, c->fd, NULL, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = BUFFER_GROUP;
    io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)c | OP_RECV);
    c->flags |= CONN_RECV_ARMED;
    c->refs++;
}

static void conn_mark_dirty(struct io_conn *c)
{
    if (c->flags & CONN_DIRTY) return;
    c->flags |= CONN_DIRTY;
    c->dirty_next = c->w->dirty;
    c->w->dirty = c;
}

static void conn_queue_close(struct io_conn *c)
{
    if (c->flags & CONN_ON_CLOSE_LIST) return;
    c->flags |= CONN_ON_CLOSE_LIST;
    c->close_next = c->w->closing;
    c->w->closing = c;
}

/* Starts closing: the receive and any send complete with an error or EOF
 * once the socket is shut down; the connection is freed when both are in. */
static void conn_begin_close(struct io_conn *c)
{
    if (c->flags & CONN_CLOSING) return;
    c->flags |= CONN_CLOSING;
    shutdown(c->fd, SHUT_RDWR);
    conn_queue_close(c);
}

/* Runs at the end of a loop turn for connections being closed: tells the
 * engine once, then frees the connection when nothing is in flight. */
static void worker_reap_closing(struct io_worker *w)
{
    struct io_conn *c = w->closing;
    w->closing = NULL;
    while (c) {
        struct io_conn *next = c->close_next;
        c->flags &= ~CONN_ON_CLOSE_LIST;
        int detach = (c->flags & (CONN_DETACHING | CONN_CLOSING)) == CONN_DETACHING;
        if (detach && (c->out.pending > 0 || (c->flags & CONN_RECV_ARMED))) {
            c = next; /* still sending, or the receive's cancel is not in */
            continue;
        }
        if (!(c->flags & CONN_NOTIFIED)) {
            c->flags |= CONN_NOTIFIED;
            if (!detach && c->state && c->h->on_close) c->h->on_close(c->state);
            c->state = NULL;
        }
        if (c->refs == 0 && !(c->flags & CONN_DIRTY)) {
            if (c->prev)
                c->prev->next = c->next;
            else
                w->conns = c->next;
            if (c->next) c->next->prev = c->prev;
            if (detach)
                c->detached(c->detach_arg, c->fd);
            else
                close(c->fd);
            outbuf_free(&c->out);
            free(c);
        }
        c = next;
    }
}

/* Sends everything a connection has pending with one send or sendmsg. */
static void conn_submit_send(struct io_conn *c)
{
    int n = outbuf_iov(&c->out, c->iov, SEND_IOV_MAX);
    if (n == 0) return;
    struct io_uring_sqe *sqe = worker_sqe(c->w);
    if (n == 1) {
        io_uring_prep_send(sqe, c->fd, c->iov[0].iov_base, c->iov[0].iov_len, MSG_NOSIGNAL);
    } else {
        memset(&c->msg, 0, sizeof(c->msg));
        c->msg.msg_iov = c->iov;
        c->msg.msg_iovlen = n;
        io_uring_prep_sendmsg(sqe, c->fd, &c->msg, MSG_NOSIGNAL);
    }
    io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)c | OP_SEND);
    c->flags |= CONN_SEND_INFLIGHT;
    c->refs++;
}

static void worker_flush_dirty(struct io_worker *w)
{
    struct io_conn *c = w->dirty;
    w->dirty = NULL;
    while (c) {
        struct io_conn *next = c->dirty_next;
        c->flags &= ~CONN_DIRTY;
        if (c->flags & CONN_CLOSING) {
            conn_queue_close(c);
        } else if (!(c->flags & CONN_SEND_INFLIGHT)) {
            if (c->out.pending > 0)
                conn_submit_send(c);
            else if (c->flags & CONN_CLOSE_AFTER_REPLY)
                conn_begin_close(c);
        }
        c = next;
    }
}

static void worker_on_accept(struct io_worker *w, struct io_uring_cqe *cqe, int index)
{
    if (!(cqe->flags & IORING_CQE_F_MORE) && !atomic_load(&w->stop)) worker_arm_accept(w, index);
    if (cqe->res < 0) return; /* EMFILE and friends: the listener stays armed */

    int fd = cqe->res;
    struct io_conn *c = calloc(1, sizeof(*c));
    if (!c) {
        close(fd);
        return;
    }
    c->w = w;
    c->h = w->h;
    c->fd = fd;
    outbuf_init(&c->out);
    c->next = w->conns;
    if (w->conns) w->conns->prev = c;
    w->conns = c;

    struct sockaddr_storage peer;
    socklen_t plen = sizeof(peer);
    memset(&peer, 0, sizeof(peer));
    getpeername(fd, (struct sockaddr *)&peer, &plen);
    c->state = w->h->on_open(w, c, &peer);
    if (!c->state) {
        c->flags |= CONN_CLOSE_AFTER_REPLY | CONN_NOTIFIED;
        conn_mark_dirty(c);
        if (c->out.pending == 0) conn_begin_close(c);
        return;
    }
    conn_arm_recv(c);
}

static void worker_return_buffer(struct io_worker *w, unsigned bid)
{
    io_uring_buf_ring_add(w->buf_ring, w->buffers + (size_t)bid * w->buffer_size, w->buffer_size,
                          bid, io_uring_buf_ring_mask(w->nbuffers), 0);
    io_uring_buf_ring_advance(w->buf_ring, 1);
}

static void conn_on_recv(struct io_conn *c, struct io_uring_cqe *cqe)
{
    int more = cqe->flags & IORING_CQE_F_MORE;
    if (!more) {
        c->flags &= ~CONN_RECV_ARMED;
        c->refs--;
    }
    if (cqe->res > 0) {
        unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
        if (!(c->flags & CONN_CLOSING)) {
            c->h->on_data(c->state, c->w->buffers + (size_t)bid * c->w->buffer_size,
                          (size_t)cqe->res);
            conn_mark_dirty(c);
        }
        worker_return_buffer(c->w, bid);
    } else if (cqe->res == 0 || cqe->res != -ENOBUFS) {
        if (cqe->res != -ECANCELED || !(c->flags & CONN_PAUSED)) conn_begin_close(c);
    }
    if ((c->flags & CONN_DETACHING) && !(c->flags & CONN_RECV_ARMED)) conn_queue_close(c);
    if (c->flags & CONN_CLOSING) {
        conn_queue_close(c);
        return;
    }
    if (!more && !(c->flags & (CONN_RECV_ARMED | CONN_PAUSED))) conn_arm_recv(c);
}

static void conn_on_send(struct io_conn *c, struct io_uring_cqe *cqe)
{
    c->flags &= ~CONN_SEND_INFLIGHT;
    c->refs--;
    if (cqe->res < 0) {
        conn_begin_close(c);
    } else {
        outbuf_consume(&c->out, (size_t)cqe->res);
        if (c->out.pending > 0 || (c->flags & CONN_CLOSE_AFTER_REPLY)) conn_mark_dirty(c);
    }
    if (c->flags & (CONN_CLOSING | CONN_DETACHING)) conn_queue_close(c);
}

static void worker_handle_cqe(struct io_worker *w, struct io_uring_cqe *cqe)
{
    uint64_t ud = io_uring_cqe_get_data64(cqe);
    switch (ud & OP_MASK) {
    case OP_ACCEPT:
        worker_on_accept(w, cqe, (int)(ud >> 3));
        break;
    case OP_RECV:
        conn_on_recv((struct io_conn *)(uintptr_t)(ud & ~OP_MASK), cqe);
        break;
    case OP_SEND:
        conn_on_send((struct io_conn *)(uintptr_t)(ud & ~OP_MASK), cqe);
        break;
    case OP_TIMER:
        if (w->h->on_tick) w->h->on_tick(w);
        if (!atomic_load(&w->stop)) worker_arm_timer(w);
        break;
    case OP_ALARM:
        if ((int64_t)(ud >> 3) == w->alarm_armed_ms) w->alarm_armed_ms = 0;
        if (w->h->on_alarm) w->h->on_alarm(w);
        break;
    case OP_WAKE:
        atomic_store(&w->wake_pending, 0);
        if (w->h->on_wake) w->h->on_wake(w);
        if (!atomic_load(&w->stop)) worker_arm_wake(w);
        break;
    default:
        break;
    }
}

static int worker_setup_ring(struct io_worker *w, char *err, size_t errsize)
{
    struct io_uring_params p;
    memset(&p, 0, sizeof(p));
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    int rc = io_uring_queue_init_params(options.ring_entries, &w->ring, &p);
    if (rc == -EINVAL) {
        memset(&p, 0, sizeof(p));
        rc = io_uring_queue_init_params(options.ring_entries, &w->ring, &p);
    }
    if (rc < 0) {
        snprintf(err, errsize, "io_uring_queue_init: %s", strerror(-rc));
        return -1;
    }

    w->nbuffers = options.recv_buffers;
    w->buffer_size = options.recv_buffer_size;
    size_t ring_bytes = w->nbuffers * sizeof(struct io_uring_buf);
    if (posix_memalign((void **)&w->buf_ring, 4096, ring_bytes) != 0 ||
        posix_memalign((void **)&w->buffers, 4096, (size_t)w->nbuffers * w->buffer_size) != 0) {
        snprintf(err, errsize, "out of memory for receive buffers");
        return -1;
    }
    io_uring_buf_ring_init(w->buf_ring);
    struct io_uring_buf_reg reg;
    memset(&reg, 0, sizeof(reg));
    reg.ring_addr = (uint64_t)(uintptr_t)w->buf_ring;
    reg.ring_entries = w->nbuffers;
    reg.bgid = BUFFER_GROUP;
    rc = io_uring_register_buf_ring(&w->ring, &reg, 0);
    if (rc < 0) {
        snprintf(err, errsize, "io_uring_register_buf_ring: %s", strerror(-rc));
        return -1;
    }
    for (unsigned i = 0; i < w->nbuffers; i++)
        io_uring_buf_ring_add(w->buf_ring, w->buffers + (size_t)i * w->buffer_size, w->buffer_size,
                              i, io_uring_buf_ring_mask(w->nbuffers), (int)i);
    io_uring_buf_ring_advance(w->buf_ring, (int)w->nbuffers);
    return 0;
}

static void worker_signal_started(struct io_worker *w, int status)
{
    pthread_mutex_lock(&start_lock);
    w->start_status = status;
    started_count++;
    pthread_cond_broadcast(&start_cond);
    pthread_mutex_unlock(&start_lock);
}

/* Closes every connection (telling the engine) and the ring on shutdown. */
static void worker_teardown(struct io_worker *w)
{
    for (struct io_conn *c = w->conns; c;) {
        struct io_conn *next = c->next;
        if (!(c->flags & CONN_NOTIFIED) && c->state && c->h->on_close) c->h->on_close(c->state);
        close(c->fd);
        outbuf_free(&c->out);
        free(c);
        c = next;
    }
    w->conns = NULL;
    io_uring_queue_exit(&w->ring);
    /* wake_fd is closed by io_stop once the thread is joined: another
     * thread may still be writing to it until then. */
    free(w->buf_ring);
    free(w->buffers);
}

/* Submits what the turn queued and waits for completions. Each wake-up of a
 * sleeping worker costs the thread that causes it (the client whose request
 * arrives pays for the interprocessor interrupt, and in a virtual machine for
 * an exit), and when the clients are the bottleneck that cost is the
 * throughput. So a worker that received on several connections last turn
 * sleeps until as many receives are in again, or a short deadline passes:
 * those clients have just been answered and will most likely write again,
 * and with DEFER_TASKRUN the kernel wakes the worker only once that many are
 * pending. Completions already in the queue (sends finish during submit) do
 * not count towards the batch. A turn that saw fewer receives than
 * COALESCE_MIN waits for the first completion: a lone client, or a few
 * taking turns, never waits for a deadline, and a deadline that expires with
 * fewer receives sets the next batch to what came. */
static int worker_wait(struct io_worker *w, unsigned received_last)
{
    if (received_last < COALESCE_MIN) return io_uring_submit_and_wait(&w->ring, 1);
    unsigned want = received_last < COALESCE_MAX ? received_last : COALESCE_MAX;
    int rc = io_uring_submit(&w->ring);
    if (rc < 0) return rc;
    want += io_uring_cq_ready(&w->ring);
    struct __kernel_timespec deadline = {.tv_sec = 0, .tv_nsec = COALESCE_NS};
    struct io_uring_cqe *cqe;
    rc = io_uring_wait_cqes(&w->ring, &cqe, want, &deadline, NULL);
    return rc == -ETIME ? 0 : rc;
}

static void *worker_main(void *arg)
{
    struct io_worker *w = arg;
    current_worker = w;
    if (worker_setup_ring(w, w->start_error, sizeof(w->start_error)) < 0) {
        worker_signal_started(w, -1);
        return NULL;
    }
    if (w->h->on_thread_start) w->h->on_thread_start(w);
    for (int i = 0; i < w->nlisten; i++) worker_arm_accept(w, i);
    worker_arm_timer(w);
    worker_arm_wake(w);
    worker_signal_started(w, 0);

    unsigned received_last = 0;
    while (!atomic_load(&w->stop)) {
        if (w->h->on_turn_end) w->h->on_turn_end(w);
        worker_flush_dirty(w);
        worker_reap_closing(w);
        worker_arm_alarm(w);
        int rc = worker_wait(w, received_last);
        if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
            fprintf(stderr, "io_uring_submit_and_wait: %s\n", strerror(-rc));
            abort();
        }
        struct io_uring_cqe *cqe;
        unsigned head, seen = 0, received = 0;
        io_uring_for_each_cqe(&w->ring, head, cqe)
        {
            worker_handle_cqe(w, cqe);
            if ((io_uring_cqe_get_data64(cqe) & OP_MASK) == OP_RECV) received++;
            seen++;
        }
        io_uring_cq_advance(&w->ring, seen);
        received_last = received;
    }
    if (w->h->on_thread_stop) w->h->on_thread_stop(w);
    worker_teardown(w);
    return NULL;
}

int io_start(const struct io_options *opt, const struct io_handler *h, char *err, size_t errsize)
{
    options = *opt;
    handler = *h;
    if (opt->service) service_handler = *opt->service;
    service_count = opt->service ? 1 : 0;
    worker_count = opt->nworkers;
    int nthreads = worker_count + service_count;
    workers = calloc((size_t)nthreads, sizeof(*workers));
    if (!workers) {
        snprintf(err, errsize, "out of memory");
        return -1;
    }
    for (int i = 0; i < nthreads; i++) {
        struct io_worker *w = &workers[i];
        w->index = i;
        w->h = i < worker_count ? &handler : &service_handler;
        if (i < worker_count) {
            w->listen_fds = opt->listen_fds + (size_t)i * opt->nlisten;
            w->nlisten = opt->nlisten;
        }
        w->tick.tv_sec = opt->tick_ms / 1000;
        w->tick.tv_nsec = (long long)(opt->tick_ms % 1000) * 1000000LL;
        w->wake_fd = eventfd(0, EFD_CLOEXEC);
        if (w->wake_fd < 0) {
            snprintf(err, errsize, "eventfd: %s", strerror(errno));
            return -1;
        }
    }
    for (int i = 0; i < nthreads; i++) {
        if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
            snprintf(err, errsize, "pthread_create: %s", strerror(errno));
            return -1;
        }
    }
    pthread_mutex_lock(&start_lock);
    while (started_count < nthreads) pthread_cond_wait(&start_cond, &start_lock);
    pthread_mutex_unlock(&start_lock);
    for (int i = 0; i < nthreads; i++) {
        if (workers[i].start_status < 0) {
            snprintf(err, errsize, "%s", workers[i].start_error);
            return -1;
        }
    }
    return 0;
}

void io_stop(void)
{
    /* The service loop first: the workers may still hand it work until
     * they stop, and it must not outlive the keyspace they share. */
    int nthreads = worker_count + service_count;
    for (int i = nthreads; i-- > 0;) {
        atomic_store(&workers[i].stop, 1);
        io_worker_wake(&workers[i]);
        pthread_join(workers[i].thread, NULL);
    }
    for (int i = 0; i < nthreads; i++) close(workers[i].wake_fd);
    free(workers);
    workers = NULL;
    worker_count = 0;
    service_count = 0;
    started_count = 0;
}

/* A throwaway ring that tries the features the loop depends on, so that a
 * kernel without them is reported at start-up with a clear reason. */
int io_probe(char *err, size_t errsize)
{
    struct io_uring ring;
    int rc = io_uring_queue_init(8, &ring, 0);
    if (rc < 0) {
        FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "r");
        int disabled = 0;
        if (f) {
            if (fscanf(f, "%d", &disabled) != 1) disabled = 0;
            fclose(f);
        }
        struct utsname u;
        uname(&u);
        snprintf(err, errsize,
                 "io_uring is not available (%s; kernel %s, kernel.io_uring_disabled=%d): "
                 "tandem-server needs io_uring (Linux 6.0 or later, not disabled)",
                 strerror(-rc), u.release, disabled);
        return -1;
    }
    struct io_uring_probe *probe = io_uring_get_probe_ring(&ring);
    int ok = probe && io_uring_opcode_supported(probe, IORING_OP_ACCEPT) &&
             io_uring_opcode_supported(probe, IORING_OP_RECV) &&
             io_uring_opcode_supported(probe, IORING_OP_SENDMSG) &&
             io_uring_opcode_supported(probe, IORING_OP_PROVIDE_BUFFERS);
    if (probe) io_uring_free_probe(probe);
    struct io_uring_buf_reg reg;
    void *mem = NULL;
    if (ok && posix_memalign(&mem, 4096, 4096) == 0) {
        memset(&reg, 0, sizeof(reg));
        reg.ring_addr = (uint64_t)(uintptr_t)mem;
        reg.ring_entries = 8;
        reg.bgid = 7;
        if (io_uring_register_buf_ring(&ring, &reg, 0) < 0) ok = 0;
    }
    io_uring_queue_exit(&ring);
    free(mem);
    if (!ok) {
        snprintf(err, errsize,
                 "io_uring lacks provided buffer rings or multishot operations on this kernel: "
                 "tandem-server needs Linux 6.0 or later");
        return -1;
    }
    return 0;
}

/* Binds (and, unless probing, listens on) one address. A probe binds
 * without SO_REUSEPORT: it fails when anything already holds the port,
 * including another tandem-server whose own sockets share it. */
static int bind_one(const char *addr, int port, int backlog, int probe, char *err, size_t errsize)
{
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof(ss));
    int family;
    if (strchr(addr, ':')) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        family = AF_INET6;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1) goto bad_addr;
        len = sizeof(*s6);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        family = AF_INET;
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        if (strcmp(addr, "*") == 0)
            s4->sin_addr.s_addr = htonl(INADDR_ANY);
        else if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
            goto bad_addr;
        len = sizeof(*s4);
    }
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errsize, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (!probe) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || (!probe && listen(fd, backlog) < 0)) {
        snprintf(err, errsize,
                 "Warning: Could not create server TCP listening socket %s:%d: %s: %s", addr, port,
                 "bind", strerror(errno));
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    if (probe) close(fd);
    return fd;
bad_addr:
    snprintf(err, errsize, "Invalid bind address '%s'", addr);
    errno = EINVAL;
    return -1;
}

int io_listen(const char *const *addrs, int naddrs, int port, int backlog, int nworkers,
              int **fds_out, char *err, size_t errsize)
{
    int *fds = malloc(sizeof(int) * (size_t)(naddrs * nworkers + 1));
    int per_worker = 0;
    if (!fds) return -1;
    /* First pass with worker 0 decides which optional addresses exist. */
    const char *usable[64];
    for (int a = 0; a < naddrs && a < 64; a++) {
        const char *addr = addrs[a];
        int optional = addr[0] == '-';
        if (optional) addr++;
        int fd = bind_one(addr, port, backlog, 1, err, errsize);
        if (fd >= 0) fd = bind_one(addr, port, backlog, 0, err, errsize);
        if (fd < 0) {
            if (optional && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT ||
                             errno == EPROTONOSUPPORT || errno == EINVAL))
                continue;
            goto fail;
        }
        usable[per_worker] = addr;
        fds[per_worker++] = fd;
    }
    if (per_worker == 0) {
        snprintf(err, errsize, "Warning: no address of bind could be used for port %d", port);
        goto fail;
    }
    /* Reorder: worker-major layout, worker 0 already holds the first set. */
    for (int wk = 1; wk < nworkers; wk++) {
        for (int a = 0; a < per_worker; a++) {
            int fd = bind_one(usable[a], port, backlog, 0, err, errsize);
            if (fd < 0) goto fail_partial;
            fds[wk * per_worker + a] = fd;
        }
        continue;
    fail_partial:
        for (int k = 0; k < wk * per_worker; k++) close(fds[k]);
        free(fds);
        return -1;
    }
    *fds_out = fds;
    return per_worker;
fail:
    for (int k = 0; k < per_worker; k++) close(fds[k]);
    free(fds);
    return -1;
}

int io_worker_count(void)
{
    return worker_count;
}

struct io_worker *io_worker_get(int index)
{
    return &workers[index];
}

struct io_worker *io_service_loop(void)
{
    return service_count ? &workers[worker_count] : NULL;
}

void io_conn_detach(struct io_conn *c, void (*done)(void *arg, int fd), void *arg)
{
    if (c->flags & (CONN_CLOSING | CONN_DETACHING)) return;
    c->flags |= CONN_DETACHING;
    c->detached = done;
    c->detach_arg = arg;
    io_conn_pause_reading(c);
    conn_mark_dirty(c);
    conn_queue_close(c);
}

struct io_conn *io_conn_adopt(struct io_worker *w, int fd, const struct io_handler *h, void *state)
{
    struct io_conn *c = calloc(1, sizeof(*c));
    if (!c) return NULL;
    c->w = w;
    c->h = h;
    c->fd = fd;
    c->state = state;
    outbuf_init(&c->out);
    c->next = w->conns;
    if (w->conns) w->conns->prev = c;
    w->conns = c;
    conn_arm_recv(c);
    return c;
}

int io_worker_index(const struct io_worker *w)
{
    return w->index;
}

void io_worker_set_data(struct io_worker *w, void *data)
{
    w->data = data;
}

void *io_worker_data(const struct io_worker *w)
{
    return w->data;
}

struct io_worker *io_worker_self(void)
{
    return current_worker;
}

void io_worker_set_tick(struct io_worker *w, int tick_ms)
{
    w->tick.tv_sec = tick_ms / 1000;
    w->tick.tv_nsec = (long long)(tick_ms % 1000) * 1000000LL;
}

void io_worker_set_alarm(struct io_worker *w, int64_t mono_ms)
{
    if (mono_ms <= 0) mono_ms = 1;
    if (w->alarm_want_ms == 0 || mono_ms < w->alarm_want_ms) w->alarm_want_ms = mono_ms;
}

void io_worker_wake(struct io_worker *w)
{
    if (atomic_exchange(&w->wake_pending, 1) == 0) {
        uint64_t one = 1;
        ssize_t n = write(w->wake_fd, &one, sizeof(one));
        (void)n;
    }
}

struct outbuf *io_conn_outbuf(struct io_conn *c)
{
    return &c->out;
}

void io_conn_mark_dirty(struct io_conn *c)
{
    conn_mark_dirty(c);
}

void io_conn_close_after_reply(struct io_conn *c)
{
    c->flags |= CONN_CLOSE_AFTER_REPLY;
    conn_mark_dirty(c);
}

void io_conn_close(struct io_conn *c)
{
    conn_begin_close(c);
}

int io_conn_fd(const struct io_conn *c)
{
    return c->fd;
}

struct io_worker *io_conn_worker(const struct io_conn *c)
{
    return c->w;
}

void io_conn_pause_reading(struct io_conn *c)
{
    if (c->flags & (CONN_PAUSED | CONN_CLOSING)) return;
    c->flags |= CONN_PAUSED;
    if (c->flags & CONN_RECV_ARMED) {
        struct io_uring_sqe *sqe = worker_sqe(c->w);
        io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)c | OP_RECV, 0);
        io_uring_sqe_set_data64(sqe, OP_CANCEL);
    }
}

void io_conn_resume_reading(struct io_conn *c)
{
    if (!(c->flags & CONN_PAUSED)) return;
    c->flags &= ~CONN_PAUSED;
    if (!(c->flags & (CONN_RECV_ARMED | CONN_CLOSING))) conn_arm_recv(c);
}
