/*
 * client: a connection's engine state and its input processing. See client.h.
 *
 * Received bytes are parsed in place when no partial command is pending
 * (the common case: whole commands in one receive, no copy at all); only
 * the unfinished tail of a receive is copied into the client's query
 * buffer, which then grows to the size the parser says the command needs.
 */
#define _GNU_SOURCE
#include "engine/client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/blocking.h"
#include "engine/command.h"
#include "engine/config.h"
#include "engine/repl.h"
#include "engine/keyspace.h"
#include "engine/log.h"
#include "engine/multi.h"
#include "engine/pubsub.h"
#include "engine/reply.h"
#include "engine/server.h"
#include "engine/util.h"

#define QBUF_KEEP_MAX (64 * 1024)

pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct client *registry_head;

static const char *const DENIED_PROTECTED =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers to Redis you may adopt "
    "one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
    "SET protected-mode no' from the loopback interface by connecting to Redis from the same host "
    "the server is running, however MAKE SURE Redis is not publicly accessible from internet if "
    "you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just "
    "disable the protected mode by editing the Redis configuration file, and setting the "
    "protected mode option to 'no', and then restarting the server. 3) If you started the server "
    "manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an "
    "authentication password for the default user. NOTE: You only need to do one of the above "
    "things in order for the server to start accepting connections from the outside.\r\n";

/* "ip:port", IPv6 without brackets, as Redis's CLIENT LIST shows it. */
static void format_address(const struct sockaddr_storage *ss, char *buf, size_t size)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
        port = ntohs(s->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
        port = ntohs(s->sin6_port);
    }
    snprintf(buf, size, "%s:%d", ip, port);
}

static int address_is_loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
        return ntohl(s->sin_addr.s_addr) == INADDR_LOOPBACK;
    }
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
        return IN6_IS_ADDR_LOOPBACK(&s->sin6_addr);
    }
    return 0;
}

static int requirepass_set(void)
{
    pthread_mutex_lock(&config_lock);
    int set = config.requirepass && config.requirepass[0];
    pthread_mutex_unlock(&config_lock);
    return set;
}

static void client_tune_socket(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    long long keepalive = CONFIG_READ(tcp_keepalive);
    if (keepalive > 0) {
        int idle = (int)keepalive, interval = (int)(keepalive / 3 ? keepalive / 3 : 1), count = 3;
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
    }
}

static void registry_add(struct client *c)
{
    pthread_mutex_lock(&registry_lock);
    c->reg_next = registry_head;
    if (registry_head) registry_head->reg_prev = c;
    registry_head = c;
    pthread_mutex_unlock(&registry_lock);
}

static void registry_remove(struct client *c)
{
    pthread_mutex_lock(&registry_lock);
    if (c->reg_prev)
        c->reg_prev->reg_next = c->reg_next;
    else
        registry_head = c->reg_next;
    if (c->reg_next) c->reg_next->reg_prev = c->reg_prev;
    pthread_mutex_unlock(&registry_lock);
}

struct client *client_registry_first(void)
{
    return registry_head;
}

void *client_on_open(struct io_worker *w, struct io_conn *conn, const struct sockaddr_storage *peer)
{
    struct outbuf *out = io_conn_outbuf(conn);
    if (atomic_load(&server.connected_clients) >= CONFIG_READ(maxclients)) {
        outbuf_append(out, "-ERR max number of clients reached\r\n", 36);
        atomic_fetch_add(&server.rejected_connections, 1);
        return NULL;
    }
    if (CONFIG_READ(protected_mode) && !address_is_loopback(peer) && !requirepass_set()) {
        outbuf_append(out, DENIED_PROTECTED, strlen(DENIED_PROTECTED));
        atomic_fetch_add(&server.rejected_connections, 1);
        return NULL;
    }

    struct client *c = mem_calloc(1, sizeof(*c));
    c->id = atomic_fetch_add(&server.next_client_id, 1);
    c->conn = conn;
    c->worker = w;
    c->out = out;
    c->fd = io_conn_fd(conn);
    c->resp = 2;
    c->multi_pub = -1;
    c->authenticated = !requirepass_set();
    c->ctime_ms = c->last_interaction_ms = util_ms_now();
    format_address(peer, c->addr, sizeof(c->addr));
    c->is_local = address_is_loopback(peer);
    struct sockaddr_storage local;
    socklen_t llen = sizeof(local);
    memset(&local, 0, sizeof(local));
    getsockname(c->fd, (struct sockaddr *)&local, &llen);
    format_address(&local, c->laddr, sizeof(c->laddr));
    client_tune_socket(c->fd);
    resp_parser_init(&c->parser);
    c->parser.max_bulk_len = CONFIG_READ(proto_max_bulk_len);

    struct worker_state *ws = io_worker_data(w);
    c->worker_next = ws->clients;
    if (ws->clients) ws->clients->worker_prev = c;
    ws->clients = c;
    registry_add(c);
    atomic_fetch_add(&server.connected_clients, 1);
    atomic_fetch_add(&server.total_connections_received, 1);
    return c;
}

struct client *client_create_internal(struct io_worker *w, int fd, const char *addr,
                                      struct outbuf *out, uint32_t flags)
{
    struct client *c = mem_calloc(1, sizeof(*c));
    c->id = atomic_fetch_add(&server.next_client_id, 1);
    c->worker = w;
    c->out = out;
    c->fd = fd;
    c->flags = flags;
    c->resp = 2;
    c->multi_pub = -1;
    c->authenticated = 1;
    c->ctime_ms = c->last_interaction_ms = util_ms_now();
    snprintf(c->addr, sizeof(c->addr), "%s", addr);
    struct sockaddr_storage local;
    socklen_t llen = sizeof(local);
    memset(&local, 0, sizeof(local));
    getsockname(fd, (struct sockaddr *)&local, &llen);
    format_address(&local, c->laddr, sizeof(c->laddr));
    resp_parser_init(&c->parser);
    registry_add(c);
    /* connected_clients counts the master client, not replicas (Redis). */
    if (!(flags & CLIENT_REPLICA)) atomic_fetch_add(&server.connected_clients, 1);
    return c;
}

void client_free_internal(struct client *c)
{
    registry_remove(c);
    multi_discard(c);
    if (!(c->flags & CLIENT_REPLICA)) atomic_fetch_sub(&server.connected_clients, 1);
    resp_parser_free(&c->parser);
    mem_free(c->name);
    mem_free(c);
}

/* flags are read by CLIENT LIST on other workers: the owner publishes its
 * changes with atomic stores (it is the only writer). */
static void client_add_flag(struct client *c, uint32_t flag)
{
    __atomic_store_n(&c->flags, c->flags | flag, __ATOMIC_RELAXED);
}

void client_close_after_reply(struct client *c)
{
    client_add_flag(c, CLIENT_CLOSE_AFTER_REPLY);
    io_conn_close_after_reply(c->conn);
}

static void client_close_now(struct client *c)
{
    client_add_flag(c, CLIENT_CLOSED);
    io_conn_close(c->conn);
}

void client_on_close(void *state)
{
    struct client *c = state;
    struct worker_state *ws = io_worker_data(c->worker);
    if (c->worker_prev)
        c->worker_prev->worker_next = c->worker_next;
    else
        ws->clients = c->worker_next;
    if (c->worker_next) c->worker_next->worker_prev = c->worker_prev;
    blocking_client_gone(c);
    registry_remove(c);
    pubsub_client_gone(c);
    multi_discard(c);
    atomic_fetch_sub(&server.connected_clients, 1);
    resp_parser_free(&c->parser);
    mem_free(c->qbuf);
    mem_free(c->name);
    mem_free(c->repl_ip);
    mem_free(c);
}

/* io_conn_detach is done: the socket and the client's unprocessed bytes go
 * to the replication thread, the client goes away. */
static void client_detached(void *arg, int fd)
{
    struct client *c = arg;
    struct repl_handover *h = c->handover;
    h->fd = fd;
    if (c->qlen > 0) {
        h->pending = mem_alloc(c->qlen);
        memcpy(h->pending, c->qbuf, c->qlen);
        h->npending = c->qlen;
    }
    c->handover = NULL;
    client_on_close(c);
    repl_handover(h);
}

void client_hand_over(struct client *c, struct repl_handover *h)
{
    c->handover = h;
    client_add_flag(c, CLIENT_HANDOVER);
    io_conn_detach(c->conn, client_detached, c);
}

/* While a pipelined command runs, the memory the next one will need (its
 * first key's shard lock and bucket) is fetched: most commands name their
 * first key right after the command name, and a wrong guess only costs a
 * wasted prefetch. */
static void client_prefetch_next(struct client *c, const char *next, size_t len)
{
    struct resp_arg key;
    if (len < 16 || !resp_peek_arg(next, len, 1, &key)) return;
    ks_prefetch(ks_db(c->db_id), ks_hash(key.ptr, key.len));
}

/* Parses and runs every whole command in buf; returns the bytes consumed
 * (the rest is the start of an incomplete command). */
static size_t client_run_buffer(struct client *c, const char *buf, size_t len,
                                struct command_clock *clock)
{
    size_t off = 0;
    c->qneed = 0;
    while (off < len &&
           !(c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSED | CLIENT_HANDOVER)) &&
           !c->blocker) {
        size_t consumed = 0, need = 0;
        c->parser.auth_required = !c->authenticated;
        c->parser.max_bulk_len = CONFIG_READ(proto_max_bulk_len);
        enum resp_status st = resp_parse(&c->parser, buf + off, len - off, &consumed, &need);
        if (st == RESP_MORE) {
            c->qneed = need;
            break;
        }
        if (st == RESP_ERROR) {
            reply_errorf(c->out, "ERR %s", c->parser.error);
            atomic_fetch_add_explicit(&server.total_error_replies, 1, memory_order_relaxed);
            server_count_error(server_worker_self(), "ERR", 3);
            log_verbose("Protocol error (%s) from client: id=%llu addr=%s", c->parser.error,
                        (unsigned long long)c->id, c->addr);
            client_close_after_reply(c);
            return len;
        }
        off += consumed;
        client_prefetch_next(c, buf + off, len - off);
        if (c->parser.argc > 0) command_execute(c, c->parser.argc, c->parser.argv, clock);
    }
    return off;
}

static void qbuf_reserve(struct client *c, size_t need)
{
    if (need <= c->qcap) return;
    size_t cap = c->qcap ? c->qcap : 4096;
    while (cap < need) cap *= 2;
    c->qbuf = mem_realloc(c->qbuf, cap);
    c->qcap = cap;
}

static void qbuf_append(struct client *c, const char *data, size_t len)
{
    size_t want = c->qlen + len;
    /* Pre-size for a large bulk the parser announced, once. */
    if (c->qneed > want && c->qneed <= (size_t)CONFIG_READ(client_query_buffer_limit) + 1024)
        want = c->qneed;
    qbuf_reserve(c, want);
    memcpy(c->qbuf + c->qlen, data, len);
    c->qlen += len;
}

static void client_check_query_limit(struct client *c)
{
    if (c->qlen <= (size_t)CONFIG_READ(client_query_buffer_limit)) return;
    log_warning("Closing client that reached max query buffer length: id=%llu addr=%s "
                "(qbuf initial bytes: \"%.*s\")",
                (unsigned long long)c->id, c->addr, (int)(c->qlen < 64 ? c->qlen : 64), c->qbuf);
    client_close_now(c);
}

/* Closes a client whose pending output passes its class's (normal, or
 * pubsub while it listens to anything) client-output-buffer-limit (hard at once, soft after its
 * seconds). */
static void client_check_output_limit(struct client *c, int64_t now_ms)
{
    int class = pubsub_client_count(c) > 0 ? CLIENT_CLASS_PUBSUB : CLIENT_CLASS_NORMAL;
    const struct output_limit *lim = &config.output_limits[class];
    long long hard = __atomic_load_n(&lim->hard_bytes, __ATOMIC_RELAXED);
    long long soft = __atomic_load_n(&lim->soft_bytes, __ATOMIC_RELAXED);
    long long soft_seconds = __atomic_load_n(&lim->soft_seconds, __ATOMIC_RELAXED);
    size_t used = outbuf_memory(c->out);
    int over = 0;
    if (hard && used >= (size_t)hard) over = 1;
    if (soft && used >= (size_t)soft) {
        if (c->obuf_soft_since_ms == 0)
            c->obuf_soft_since_ms = now_ms;
        else if (now_ms - c->obuf_soft_since_ms >= soft_seconds * 1000)
            over = 1;
    } else {
        c->obuf_soft_since_ms = 0;
    }
    if (!over) return;
    log_warning("Client id=%llu addr=%s scheduled to be closed ASAP for overcoming of output "
                "buffer limits.",
                (unsigned long long)c->id, c->addr);
    client_close_now(c);
}

static void client_publish_stats(struct client *c)
{
    __atomic_store_n(&c->qbuf_len_pub, c->qlen, __ATOMIC_RELAXED);
    __atomic_store_n(&c->qbuf_free_pub, c->qcap - c->qlen, __ATOMIC_RELAXED);
    __atomic_store_n(&c->obuf_len_pub, c->out->pending, __ATOMIC_RELAXED);
    __atomic_store_n(&c->obuf_mem_pub, outbuf_memory(c->out), __ATOMIC_RELAXED);
}

/* Runs the whole commands waiting in the query buffer. */
static void client_run_qbuf(struct client *c, struct command_clock *clock)
{
    size_t used = client_run_buffer(c, c->qbuf, c->qlen, clock);
    if (used > 0) {
        memmove(c->qbuf, c->qbuf + used, c->qlen - used);
        c->qlen -= used;
    }
}

/* After the client's input was handled: buffer housekeeping, limits,
 * statistics. */
static void client_after_input(struct client *c, struct worker_state *ws, size_t pending_before,
                               int64_t now)
{
    if (c->qlen == 0 && c->qcap > QBUF_KEEP_MAX) {
        mem_free(c->qbuf);
        c->qbuf = NULL;
        c->qcap = 0;
    }
    if (!(c->flags & CLIENT_CLOSED)) client_check_query_limit(c);
    if (c->out->pending > pending_before)
        stat_add(&ws->net_output_bytes, c->out->pending - pending_before);
    if (!(c->flags & CLIENT_CLOSED)) client_check_output_limit(c, now);
    client_publish_stats(c);
}

void client_on_data(void *state, const char *data, size_t len)
{
    struct client *c = state;
    if (c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSED)) return;
    struct worker_state *ws = server_worker_self();
    stat_add(&ws->net_input_bytes, len);
    struct command_clock clock;
    command_clock_start(&clock);
    int64_t now = clock.wall_ms_base;
    __atomic_store_n(&c->last_interaction_ms, now, __ATOMIC_RELAXED);
    size_t pending_before = c->out->pending;

    if (c->blocker || (c->flags & CLIENT_HANDOVER)) {
        /* Kept for when the blocking command is answered, or for the
         * replication thread. */
        qbuf_append(c, data, len);
    } else if (c->qlen == 0) {
        size_t used = client_run_buffer(c, data, len, &clock);
        if (used < len && !(c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSED)))
            qbuf_append(c, data + used, len - used);
    } else {
        qbuf_append(c, data, len);
        if (c->qlen >= c->qneed) client_run_qbuf(c, &clock);
    }
    client_after_input(c, ws, pending_before, now);
}

void client_unblocked(struct client *c)
{
    io_conn_mark_dirty(c->conn);
    if (c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSED)) return;
    struct worker_state *ws = server_worker_self();
    struct command_clock clock;
    command_clock_start(&clock);
    size_t pending_before = c->out->pending;
    if (c->qlen > 0) client_run_qbuf(c, &clock);
    client_after_input(c, ws, pending_before, clock.wall_ms_base);
}

void client_worker_wake(struct io_worker *w)
{
    struct worker_state *ws = io_worker_data(w);
    for (struct client *c = ws->clients; c; c = c->worker_next)
        if (atomic_load(&c->kill_requested) && !(c->flags & CLIENT_CLOSED)) client_close_now(c);
}

void client_worker_cron(struct io_worker *w, int64_t now_ms)
{
    struct worker_state *ws = io_worker_data(w);
    long long timeout = CONFIG_READ(timeout);
    for (struct client *c = ws->clients; c; c = c->worker_next) {
        if (c->flags & CLIENT_CLOSED) continue;
        if (atomic_load(&c->kill_requested)) {
            client_close_now(c);
            continue;
        }
        /* As in Redis, a subscriber waiting for messages is not idle. */
        if (timeout > 0 && pubsub_client_count(c) == 0 && !c->blocker &&
            now_ms - c->last_interaction_ms > timeout * 1000) {
            log_verbose("Closing idle client");
            client_close_now(c);
            continue;
        }
        client_check_output_limit(c, now_ms);
        client_publish_stats(c);
    }
}

int client_format_info(struct client *c, char *buf, size_t size, int64_t now_ms)
{
    const struct command *last = __atomic_load_n(&c->last_cmd, __ATOMIC_RELAXED);
    char cmdname[128] = "NULL";
    if (last) command_fullname(last, cmdname, sizeof(cmdname));
    int64_t last_io = __atomic_load_n(&c->last_interaction_ms, __ATOMIC_RELAXED);
    uint64_t qlen = __atomic_load_n(&c->qbuf_len_pub, __ATOMIC_RELAXED);
    uint64_t olen = __atomic_load_n(&c->obuf_len_pub, __ATOMIC_RELAXED);
    uint64_t omem = __atomic_load_n(&c->obuf_mem_pub, __ATOMIC_RELAXED);
    uint32_t flags = __atomic_load_n(&c->flags, __ATOMIC_RELAXED);
    unsigned subs = pubsub_client_subs(c, 0), psubs = pubsub_client_subs(c, 1);
    char letters[8], *l = letters;
    int queued = multi_count(c);
    if (flags & CLIENT_REPLICA) *l++ = 'S';
    if (flags & CLIENT_MASTER) *l++ = 'M';
    if (subs + psubs > 0) *l++ = 'P';
    if (queued >= 0) *l++ = 'x';
    if (c->blocker) *l++ = 'b';
    if (atomic_load(&c->dirty_cas)) *l++ = 'd';
    if (flags & CLIENT_CLOSE_AFTER_REPLY) *l++ = 'c';
    if (l == letters) *l++ = 'N';
    *l = '\0';
    return snprintf(
        buf, size,
        "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=%s db=%d sub=%u psub=%u "
        "ssub=0 multi=%d qbuf=%llu qbuf-free=%llu argv-mem=0 multi-mem=0 rbs=%d rbp=0 obl=%llu "
        "oll=0 omem=%llu tot-mem=%llu events=r cmd=%s user=default redir=-1 resp=%d",
        (unsigned long long)c->id, c->addr, c->laddr, c->fd, c->name ? c->name : "",
        (long long)((now_ms - c->ctime_ms) / 1000), (long long)((now_ms - last_io) / 1000), letters,
        __atomic_load_n(&c->db_id, __ATOMIC_RELAXED), subs, psubs, queued, (unsigned long long)qlen,
        (unsigned long long)__atomic_load_n(&c->qbuf_free_pub, __ATOMIC_RELAXED), 16384,
        (unsigned long long)olen, (unsigned long long)omem,
        (unsigned long long)(omem + qlen + sizeof(*c)), cmdname, c->resp);
}

long long client_count(void)
{
    return atomic_load(&server.connected_clients);
}
