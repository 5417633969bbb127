/*
 * harness: runs real server processes (tandem-server or redis-server) for
 * the integration and differential tests, and gives those tests short
 * hiredis and raw-socket helpers whose failures name the file and line.
 *
 * Nothing here may hang a test: process start, shutdown, socket reads and
 * child programs all have deadlines. The servers started are remembered so
 * that a failing check can show their logs and clean them up.
 */
#define _GNU_SOURCE
#include "tests/harness.h"

#include <dirent.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_DEADLINE_MS 10000
#define STOP_GRACE_MS 5000
#define START_ATTEMPTS 3
#define MAX_TRACKED 32
#define MAX_ARGS 128
#define LOG_TAIL_LINES 40

/* Servers currently running, so harness_fail can report and reap them. */
static struct server *tracked[MAX_TRACKED];
static int failing; /* set once: the first failure reports, others wait */

long long harness_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void harness_sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static void track(struct server *s)
{
    for (int i = 0; i < MAX_TRACKED; i++) {
        if (tracked[i] == NULL) {
            tracked[i] = s;
            return;
        }
    }
}

static void untrack(struct server *s)
{
    for (int i = 0; i < MAX_TRACKED; i++)
        if (tracked[i] == s) tracked[i] = NULL;
}

/* Prints the last lines of a file to stderr; the end of a server log is
 * usually where the reason for a failure is. */
static void print_file_tail(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) return;
    static char lines[LOG_TAIL_LINES][512];
    int count = 0;
    while (fgets(lines[count % LOG_TAIL_LINES], sizeof(lines[0]), f) != NULL) count++;
    fclose(f);
    int first = count > LOG_TAIL_LINES ? count - LOG_TAIL_LINES : 0;
    fprintf(stderr, "---- last lines of %s ----\n", path);
    for (int i = first; i < count; i++) fputs(lines[i % LOG_TAIL_LINES], stderr);
    fprintf(stderr, "---- end of %s ----\n", path);
}

void harness_print_logs(const struct server *s)
{
    char out_path[320];
    snprintf(out_path, sizeof(out_path), "%s/server.out", s->dir);
    print_file_tail(s->logpath);
    print_file_tail(out_path);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    remove(path);
    return 0;
}

static void remove_dir(struct server *s)
{
    if (s->dir[0] != '\0') nftw(s->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    s->dir[0] = '\0';
}

/* Waits for pid to exit for at most ms; returns 1 if it was reaped. */
static int wait_exit(pid_t pid, int ms, int *status)
{
    long long deadline = harness_now_ms() + ms;
    for (;;) {
        pid_t got = waitpid(pid, status, WNOHANG);
        if (got == pid || (got == -1 && errno == ECHILD)) return 1;
        if (harness_now_ms() >= deadline) return 0;
        harness_sleep_ms(10);
    }
}

/* Kills a process that must not outlive the test and reaps it. */
static void kill_now(struct server *s)
{
    int status;
    if (s->pid <= 0) return;
    kill(s->pid, SIGKILL);
    wait_exit(s->pid, STOP_GRACE_MS, &status);
    s->pid = 0;
}

void harness_fail(const char *file, int line, const char *fmt, ...)
{
    if (__atomic_exchange_n(&failing, 1, __ATOMIC_SEQ_CST)) {
        /* Another thread is already reporting and will exit the process. */
        harness_sleep_ms(30000);
        _exit(1);
    }
    va_list ap;
    fprintf(stderr, "FAIL %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    for (int i = 0; i < MAX_TRACKED; i++) {
        struct server *s = tracked[i];
        if (s == NULL) continue;
        fprintf(stderr, "server pid %d on port %d, dir %s\n", (int)s->pid, s->port, s->dir);
        harness_print_logs(s);
        kill_now(s);
        remove_dir(s);
    }
    fflush(stderr);
    exit(1);
}

const char *harness_redis_server_path(void)
{
    static char found[4096];
    const char *path = getenv("PATH");
    while (path != NULL && *path != '\0') {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        if (len > 0 && len < sizeof(found) - 16) {
            snprintf(found, sizeof(found), "%.*s/redis-server", (int)len, path);
            if (access(found, X_OK) == 0) return found;
        }
        path = end ? end + 1 : NULL;
    }
    if (access("/usr/bin/redis-server", X_OK) == 0) return "/usr/bin/redis-server";
    return NULL;
}

const char *harness_binary_from_args(int argc, char **argv)
{
    /* No argument, or the bare name: redis-server from PATH. */
    const char *binary =
        argc > 1 && strcmp(argv[1], "redis-server") != 0 ? argv[1] : harness_redis_server_path();
    if (binary == NULL) harness_fail(__FILE__, __LINE__, "no server binary given or found");
    if (access(binary, X_OK) != 0)
        harness_fail(__FILE__, __LINE__, "server binary %s is not executable", binary);
    return binary;
}

int harness_is_tandem(const char *binary)
{
    const char *base = strrchr(binary, '/');
    return strstr(base ? base + 1 : binary, "tandem") != NULL;
}

int harness_prepare(struct server *s)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->dir, sizeof(s->dir), "/tmp/tandem-test-XXXXXX");
    if (mkdtemp(s->dir) == NULL) {
        s->dir[0] = '\0';
        return -1;
    }
    snprintf(s->logpath, sizeof(s->logpath), "%s/server.log", s->dir);
    s->port = port_free_loopback();
    return s->port > 0 ? 0 : -1;
}

/* Child side of the launch: the server's stdout and stderr go to
 * <dir>/server.out (fatal config errors are printed there, not logged),
 * and the server is killed if the test process dies first. */
static void exec_server(const struct server *s, char **argv)
{
    char out_path[320];
    snprintf(out_path, sizeof(out_path), "%s/server.out", s->dir);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = open(out_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    execv(argv[0], argv);
    fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* One PING on a fresh connection: 1 when the server answers as a ready
 * server does (PONG, or NOAUTH when a password is set). */
static int ping_once(int port)
{
    struct timeval tv = {.tv_sec = 0, .tv_usec = 500000};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    int ready = 0;
    if (c != NULL && !c->err && redisSetTimeout(c, tv) == REDIS_OK) {
        redisReply *r = redisCommand(c, "PING");
        if (r != NULL) {
            ready = (r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0) ||
                    (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOAUTH", 6) == 0);
            freeReplyObject(r);
        }
    }
    if (c != NULL) redisFree(c);
    return ready;
}

/* Polls until the server answers PING or its process exits. Returns 0 when
 * ready, 1 when the process exited (e.g. the port was taken), -1 on
 * timeout. */
static int wait_ready(struct server *s)
{
    long long deadline = harness_now_ms() + START_DEADLINE_MS;
    int status;
    while (harness_now_ms() < deadline) {
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            return 1;
        }
        if (ping_once(s->port)) {
            /* Someone else's server could hold the port: ours must live. */
            if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
                s->pid = 0;
                return 1;
            }
            return 0;
        }
        harness_sleep_ms(20);
    }
    return -1;
}

static int args_name(const char *const *args, const char *name)
{
    for (int i = 0; args != NULL && args[i] != NULL; i++)
        if (strcmp(args[i], name) == 0) return 1;
    return 0;
}

/* Builds the argument vector: binary, args..., and "--threads 2" for
 * tandem so its tests always exercise more than one worker. */
static int build_argv(char **argv, const char *binary, const char *const *args)
{
    int argc = 0;
    argv[argc++] = (char *)binary;
    for (int i = 0; args != NULL && args[i] != NULL && argc < MAX_ARGS - 3; i++)
        argv[argc++] = (char *)args[i];
    if (harness_is_tandem(binary) && !args_name(args, "--threads")) {
        argv[argc++] = "--threads";
        argv[argc++] = "2";
    }
    argv[argc] = NULL;
    return argc;
}

/* Starts the process and waits; returns like wait_ready. */
static int launch_once(struct server *s, const char *binary, const char *const *args)
{
    char *argv[MAX_ARGS];
    build_argv(argv, binary, args);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) exec_server(s, argv);
    s->pid = pid;
    track(s);
    return wait_ready(s);
}

int harness_launch(struct server *s, const char *binary, const char *const *args)
{
    signal(SIGPIPE, SIG_IGN); /* tests write to sockets the server closes */
    int result = launch_once(s, binary, args);
    if (result == 0) return 0;
    fprintf(stderr, "server %s on port %d %s\n", binary, s->port,
            result == 1 ? "exited during start-up" : "did not answer PING within 10 s");
    harness_print_logs(s);
    kill_now(s);
    untrack(s);
    return -1;
}

/* The standard arguments: loopback only, private directory and log, no
 * persistence (so nothing a test does leaves files behind or forks). */
static int start_on_prepared(struct server *s, const char *binary, const char *const *extra)
{
    char port[16];
    const char *args[MAX_ARGS];
    int n = 0;
    snprintf(port, sizeof(port), "%d", s->port);
    const char *fixed[] = {"--port",    port,       "--bind", "127.0.0.1", "--dir",        s->dir,
                           "--logfile", s->logpath, "--save", "",          "--appendonly", "no"};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) args[n++] = fixed[i];
    for (int i = 0; extra != NULL && extra[i] != NULL && n < MAX_ARGS - 4; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    return launch_once(s, binary, args);
}

/* True when something else listens on the port now: a server that exited
 * during start-up then lost the race for it and may try another port. */
static int port_taken(int port)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    int taken = bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 && errno == EADDRINUSE;
    close(fd);
    return taken;
}

int harness_start(struct server *s, const char *binary, const char *const *extra_args)
{
    signal(SIGPIPE, SIG_IGN);
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
        if (harness_prepare(s) != 0) return -1;
        int result = start_on_prepared(s, binary, extra_args);
        if (result == 0) return 0;
        int retry = result == 1 && port_taken(s->port) && attempt < START_ATTEMPTS;
        fprintf(stderr, "server %s on port %d %s%s\n", binary, s->port,
                result == 1 ? "exited during start-up" : "did not answer PING within 10 s",
                retry ? "; the port was taken, retrying" : "");
        if (!retry) harness_print_logs(s);
        kill_now(s);
        untrack(s);
        remove_dir(s);
        if (!retry) break;
    }
    return -1;
}

void harness_stop(struct server *s)
{
    int status;
    int unclean = 0;
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        if (!wait_exit(s->pid, STOP_GRACE_MS, &status)) {
            fprintf(stderr, "server pid %d ignored SIGTERM for 5 s; killing it\n", (int)s->pid);
            kill_now(s);
            unclean = 1;
        } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            /* A clean shutdown exits 0; anything else (a crash, a sanitizer
             * report at exit) fails the test. */
            unclean = 1;
        }
        s->pid = 0;
    }
    if (unclean && !failing) {
        harness_print_logs(s);
        untrack(s);
        remove_dir(s);
        harness_fail(__FILE__, __LINE__, "server on port %d did not shut down cleanly", s->port);
    }
    untrack(s);
    remove_dir(s);
}

redisContext *harness_connect(const struct server *s)
{
    struct timeval connect_timeout = {.tv_sec = 5, .tv_usec = 0};
    struct timeval reply_timeout = {.tv_sec = 60, .tv_usec = 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", s->port, connect_timeout);
    if (c == NULL) harness_fail(__FILE__, __LINE__, "cannot allocate a hiredis context");
    if (c->err) harness_fail(__FILE__, __LINE__, "connect to port %d: %s", s->port, c->errstr);
    if (redisSetTimeout(c, reply_timeout) != REDIS_OK)
        harness_fail(__FILE__, __LINE__, "cannot set the socket timeout: %s", c->errstr);
    return c;
}

int harness_run(const char *const *argv, char *out, size_t outsize, int timeout_ms)
{
    int pipe_fds[2];
    size_t used = 0;
    int status = 0;
    if (pipe(pipe_fds) != 0) return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(pipe_fds[1], STDOUT_FILENO);
        dup2(pipe_fds[1], STDERR_FILENO);
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        execv(argv[0], (char **)argv);
        _exit(127);
    }
    close(pipe_fds[1]);
    long long deadline = harness_now_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - harness_now_ms();
        struct pollfd pfd = {.fd = pipe_fds[0], .events = POLLIN};
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) break;
        char chunk[4096];
        ssize_t got = read(pipe_fds[0], chunk, sizeof(chunk));
        if (got <= 0) break;
        size_t keep = (size_t)got;
        if (keep > outsize - 1 - used) keep = outsize - 1 - used;
        memcpy(out + used, chunk, keep);
        used += keep;
    }
    out[used] = '\0';
    close(pipe_fds[0]);
    long long left = deadline - harness_now_ms();
    if (!wait_exit(pid, left > 0 ? (int)left : 0, &status)) {
        kill(pid, SIGKILL);
        wait_exit(pid, STOP_GRACE_MS, &status);
        return -1;
    }
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

/* ---- replies ---- */

const char *harness_reply_type_name(int type)
{
    switch (type) {
    case REDIS_REPLY_STRING:
        return "bulk string";
    case REDIS_REPLY_ARRAY:
        return "array";
    case REDIS_REPLY_INTEGER:
        return "integer";
    case REDIS_REPLY_NIL:
        return "nil";
    case REDIS_REPLY_STATUS:
        return "status";
    case REDIS_REPLY_ERROR:
        return "error";
    default:
        return "unknown";
    }
}

/* A short human-readable rendering of a reply for failure messages. */
static const char *describe(const redisReply *r)
{
    static char text[600];
    if (r == NULL) return "(no reply)";
    switch (r->type) {
    case REDIS_REPLY_INTEGER:
        snprintf(text, sizeof(text), "integer %lld", r->integer);
        break;
    case REDIS_REPLY_NIL:
        snprintf(text, sizeof(text), "nil");
        break;
    case REDIS_REPLY_ARRAY:
        snprintf(text, sizeof(text), "array of %zu", r->elements);
        break;
    default:
        snprintf(text, sizeof(text), "%s \"%.*s\"%s", harness_reply_type_name(r->type),
                 (int)(r->len > 500 ? 500 : r->len), r->str, r->len > 500 ? "..." : "");
    }
    return text;
}

static redisReply *checked_reply(redisContext *c, void *reply)
{
    if (reply == NULL)
        harness_fail(__FILE__, __LINE__, "connection broken: %s", c->err ? c->errstr : "?");
    return reply;
}

redisReply *harness_cmd(redisContext *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    void *reply = redisvCommand(c, fmt, ap);
    va_end(ap);
    return checked_reply(c, reply);
}

redisReply *harness_cmd_argv(redisContext *c, int argc, const char **argv, const size_t *lens)
{
    return checked_reply(c, redisCommandArgv(c, argc, argv, lens));
}

void harness_expect_status(redisReply *r, const char *status, const char *file, int line)
{
    if (r->type != REDIS_REPLY_STATUS || strcmp(r->str, status) != 0)
        harness_fail(file, line, "expected status \"%s\", got %s", status, describe(r));
    freeReplyObject(r);
}

void harness_expect_error(redisReply *r, const char *prefix, const char *file, int line)
{
    if (r->type != REDIS_REPLY_ERROR || strncmp(r->str, prefix, strlen(prefix)) != 0)
        harness_fail(file, line, "expected error starting \"%s\", got %s", prefix, describe(r));
    freeReplyObject(r);
}

void harness_expect_error_exact(redisReply *r, const char *error, const char *file, int line)
{
    if (r->type != REDIS_REPLY_ERROR || strcmp(r->str, error) != 0)
        harness_fail(file, line, "expected error \"%s\", got %s", error, describe(r));
    freeReplyObject(r);
}

void harness_expect_int(redisReply *r, long long v, const char *file, int line)
{
    if (r->type != REDIS_REPLY_INTEGER || r->integer != v)
        harness_fail(file, line, "expected integer %lld, got %s", v, describe(r));
    freeReplyObject(r);
}

static int bulk_equals(const redisReply *r, const char *s)
{
    return r->type == REDIS_REPLY_STRING && r->len == strlen(s) && memcmp(r->str, s, r->len) == 0;
}

void harness_expect_str(redisReply *r, const char *s, const char *file, int line)
{
    if (!bulk_equals(r, s))
        harness_fail(file, line, "expected bulk \"%s\", got %s", s, describe(r));
    freeReplyObject(r);
}

void harness_expect_nil(redisReply *r, const char *file, int line)
{
    if (r->type != REDIS_REPLY_NIL) harness_fail(file, line, "expected nil, got %s", describe(r));
    freeReplyObject(r);
}

void harness_expect_strs(redisReply *r, const char *const *strs, size_t n, const char *file,
                         int line)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements != n)
        harness_fail(file, line, "expected an array of %zu, got %s", n, describe(r));
    for (size_t i = 0; i < n; i++) {
        const redisReply *e = r->element[i];
        int ok = strs[i] == NULL ? e->type == REDIS_REPLY_NIL : bulk_equals(e, strs[i]);
        if (!ok)
            harness_fail(file, line, "element %zu: expected %s%s%s, got %s", i, strs[i] ? "\"" : "",
                         strs[i] ? strs[i] : "nil", strs[i] ? "\"" : "", describe(e));
    }
    freeReplyObject(r);
}

long long harness_cmd_int(redisContext *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = checked_reply(c, redisvCommand(c, fmt, ap));
    va_end(ap);
    if (r->type != REDIS_REPLY_INTEGER)
        harness_fail(__FILE__, __LINE__, "\"%s\": expected an integer, got %s", fmt, describe(r));
    long long v = r->integer;
    freeReplyObject(r);
    return v;
}

char *harness_cmd_str(redisContext *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = checked_reply(c, redisvCommand(c, fmt, ap));
    va_end(ap);
    if (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS)
        harness_fail(__FILE__, __LINE__, "\"%s\": expected a string, got %s", fmt, describe(r));
    char *copy = malloc(r->len + 1);
    if (copy == NULL) harness_fail(__FILE__, __LINE__, "out of memory");
    memcpy(copy, r->str, r->len);
    copy[r->len] = '\0';
    freeReplyObject(r);
    return copy;
}

char *harness_info_field(redisContext *c, const char *section, const char *field)
{
    char *info = harness_cmd_str(c, "INFO %s", section);
    size_t field_len = strlen(field);
    char *value = NULL;
    for (char *line = info; line != NULL && *line != '\0';) {
        char *end = strstr(line, "\r\n");
        if (strncmp(line, field, field_len) == 0 && line[field_len] == ':') {
            size_t len = end ? (size_t)(end - line) - field_len - 1 : strlen(line + field_len + 1);
            value = strndup(line + field_len + 1, len);
            break;
        }
        line = end ? end + 2 : NULL;
    }
    free(info);
    return value;
}

long long harness_info_int(redisContext *c, const char *section, const char *field)
{
    char *v = harness_info_field(c, section, field);
    if (!v) harness_fail(__FILE__, __LINE__, "INFO %s has no field %s", section, field);
    long long n = atoll(v);
    free(v);
    return n;
}

/* ---- raw sockets ---- */

int harness_raw_connect(const struct server *s)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) harness_fail(__FILE__, __LINE__, "socket: %s", strerror(errno));
    struct timeval tv = {.tv_sec = 5, .tv_usec = 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0)
        harness_fail(__FILE__, __LINE__, "connect to port %d: %s", s->port, strerror(errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

void harness_raw_send(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t sent = send(fd, p, len, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR) continue;
        if (sent <= 0) harness_fail(__FILE__, __LINE__, "send: %s", strerror(errno));
        p += sent;
        len -= (size_t)sent;
    }
}

/* Waits up to the deadline for one read; returns bytes read, 0 on EOF or
 * reset, -1 on timeout. */
static ssize_t read_some(int fd, char *buf, size_t size, long long deadline)
{
    for (;;) {
        long long left = deadline - harness_now_ms();
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (left <= 0) return -1;
        int ready = poll(&pfd, 1, (int)left);
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return -1;
        ssize_t got = recv(fd, buf, size, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return 0; /* ECONNRESET: the server closed on us */
        return got;
    }
}

size_t harness_raw_read_until(int fd, char *buf, size_t size, const char *suffix, int timeout_ms)
{
    long long deadline = harness_now_ms() + timeout_ms;
    size_t used = 0, suffix_len = strlen(suffix);
    while (used < size - 1) {
        if (used >= suffix_len && memcmp(buf + used - suffix_len, suffix, suffix_len) == 0) break;
        ssize_t got = read_some(fd, buf + used, size - 1 - used, deadline);
        if (got <= 0) break;
        used += (size_t)got;
    }
    buf[used] = '\0';
    return used;
}

void harness_raw_expect(int fd, const char *expected, const char *file, int line)
{
    size_t want = strlen(expected), used = 0;
    char *buf = malloc(want + 1);
    long long deadline = harness_now_ms() + HARNESS_RAW_TIMEOUT_MS;
    if (buf == NULL) harness_fail(file, line, "out of memory");
    while (used < want) {
        ssize_t got = read_some(fd, buf + used, want - used, deadline);
        if (got <= 0) break;
        used += (size_t)got;
    }
    buf[used] = '\0';
    if (used != want || memcmp(buf, expected, want) != 0)
        harness_fail(file, line, "raw: expected \"%s\", got %zu bytes \"%s\"", expected, used, buf);
    free(buf);
}

void harness_raw_expect_closed(int fd, const char *file, int line)
{
    char buf[256];
    ssize_t got = read_some(fd, buf, sizeof(buf) - 1, harness_now_ms() + HARNESS_RAW_TIMEOUT_MS);
    if (got < 0) harness_fail(file, line, "raw: the server did not close the connection");
    if (got > 0) {
        buf[got] = '\0';
        harness_fail(file, line, "raw: expected the connection closed, got \"%s\"", buf);
    }
}

int harness_make_list(redisContext *c, const char *key)
{
    static int noted;
    redisReply *r = harness_cmd(c, "RPUSH %s x", key);
    int ok = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    int unknown = r->type == REDIS_REPLY_ERROR && strncmp(r->str, "ERR unknown command", 19) == 0;
    freeReplyObject(r);
    if (unknown) {
        if (!noted) printf("note: server has no lists yet: checks needing a second type skipped\n");
        noted = 1;
        return 0;
    }
    if (!ok) harness_fail(__FILE__, __LINE__, "RPUSH %s did not create a list", key);
    return 1;
}

int harness_children_of(pid_t pid)
{
    DIR *d = opendir("/proc");
    if (!d) harness_fail(__FILE__, __LINE__, "cannot read /proc");
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char path[300], line[256];
        snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        while (fgets(line, sizeof(line), f))
            if (strncmp(line, "PPid:", 5) == 0) {
                if (atoi(line + 5) == pid) n++;
                break;
            }
        fclose(f);
    }
    closedir(d);
    return n;
}
