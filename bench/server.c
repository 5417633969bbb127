/*
 * server: starts, samples and stops the servers a benchmark scenario runs
 * against. Each server (redis-server or tandem-server) runs as a child of
 * the bench in its own directory under /tmp, on a free loopback port, with
 * persistence off, so that two servers compared side by side do the same
 * work and leave nothing behind. Starting waits until the server answers
 * PING; when it dies instead, the error carries the end of its log.
 *
 * Sampling reads /proc (CPU time, resident memory) and INFO, each call on
 * its own short-lived connection, so a sampler thread needs no state of its
 * own and never disturbs the load generator's connections.
 *
 * A child must never outlive the bench: every failed start kills and reaps
 * what it spawned, and the child asks the kernel to kill it should the
 * bench die first (PR_SET_PDEATHSIG).
 */
#define _GNU_SOURCE
#include "bench/server.h"

#include "bench/error.h"
#include "bench/port.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <hiredis/hiredis.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DIR_TEMPLATE "/tmp/tandem-bench-XXXXXX"
#define DIR_PREFIX "/tmp/tandem-bench-"
#define START_TIMEOUT_MS 10000
#define START_STEP_MS 100
#define START_ATTEMPTS 3
#define STOP_TIMEOUT_MS 10000
#define INFO_TIMEOUT_MS 2000
#define COMMAND_CONNECT_MS 2000
#define COMMAND_REPLY_MS 60000
#define LOG_TAIL_LINES 8
#define LOG_TAIL_BYTES 2048
#define MAX_ARGS 64
/* Bounds on the process tree server_pss_tree_bytes walks: a server and its
 * fork children, never more than a handful. */
#define PSS_TREE_MAX_PROCS 64

/* How one attempt to start a server ended. */
enum start_result {
    START_OK,
    START_FAILED,    /* err says why; nothing is left running */
    START_PORT_LOST, /* it exited because another process took the port */
};

/* Everything the child needs, prepared before fork: after fork only
 * async-signal-safe calls are allowed (the bench has other threads). */
struct launch {
    char path[PATH_MAX];
    char port[16];
    char threads[16];
    char *argv[MAX_ARGS];
};

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

/* Appends to an error message already in err, truncating quietly: the
 * message is for a person, and its start says what went wrong. */
static void append_err(char *err, size_t errsize, const char *fmt, ...)
{
    va_list ap;
    size_t used;

    if (err == NULL || errsize == 0) return;
    used = strnlen(err, errsize - 1);
    va_start(ap, fmt);
    vsnprintf(err + used, errsize - used, fmt, ap);
    va_end(ap);
}

/* True when some other process listens on (or holds) the port: a server
 * that exited during start-up then lost the race for the port it was
 * given, and a retry on a new port is the right answer. */
static int port_in_use(int port)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int in_use;

    if (fd < 0) return 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    in_use = bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 && errno == EADDRINUSE;
    close(fd);
    return in_use;
}

/* Resolves a program name the way execvp would, but in the parent: the
 * child then only calls execv, and a missing binary is reported before
 * anything is forked. */
static int path_resolve(const char *name, char *out, size_t outsize)
{
    const char *dirs = getenv("PATH");

    if (strchr(name, '/') != NULL) {
        if (snprintf(out, outsize, "%s", name) >= (int)outsize) return -1;
        return access(out, X_OK);
    }
    if (dirs == NULL) dirs = "/usr/local/bin:/usr/bin:/bin";
    while (*dirs != '\0') {
        const char *end = strchrnul(dirs, ':');
        int len = (int)(end - dirs);

        if (len > 0 && snprintf(out, outsize, "%.*s/%s", len, dirs, name) < (int)outsize &&
            access(out, X_OK) == 0)
            return 0;
        dirs = *end == ':' ? end + 1 : end;
    }
    return -1;
}

/* Removes one entry of the server's directory tree (nftw callback). */
static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    remove(path);
    return 0;
}

/* rm -r of the server's directory. Only paths that server_start made are
 * touched, so a stray or half-initialised struct cannot remove anything
 * else. */
static void dir_remove(struct server *s)
{
    if (strncmp(s->dir, DIR_PREFIX, strlen(DIR_PREFIX)) == 0 && strstr(s->dir, "..") == NULL)
        nftw(s->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    s->dir[0] = '\0';
    s->log[0] = '\0';
}

/* Waits up to timeout_ms for pid to exit and reaps it. Returns 1 once it
 * is gone (also when it was reaped elsewhere), 0 on timeout. */
static int process_reap(pid_t pid, long timeout_ms, int *status)
{
    long long deadline = now_ms() + timeout_ms;
    int ignored;

    if (status == NULL) status = &ignored;
    for (;;) {
        pid_t got = waitpid(pid, status, WNOHANG);

        if (got == pid || (got == -1 && errno == ECHILD)) return 1;
        if (now_ms() >= deadline) return 0;
        sleep_ms(10);
    }
}

/* Fills l->argv: the standard arguments first, then the scenario's extra
 * ones, which therefore override any single-valued standard setting (the
 * last value wins in both servers' config parsers). */
static int launch_build(struct launch *l, const struct server *s, int threads,
                        const char *const *extra, char *err, size_t errsize)
{
    const char *fixed[] = {
        "--bind", "127.0.0.1", "--port",    l->port, "--save",      "",   "--appendonly", "no",
        "--dir",  s->dir,      "--logfile", s->log,  "--daemonize", "no",
    };
    int argc = 0;

    snprintf(l->port, sizeof(l->port), "%d", s->port);
    snprintf(l->threads, sizeof(l->threads), "%d", threads);
    l->argv[argc++] = l->path;
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        l->argv[argc++] = (char *)fixed[i];
    /* --threads is tandem's own; a redis-server given as the tandem binary
     * (to check a scenario with redis-server in both roles) would refuse it. */
    const char *base = strrchr(l->path, '/');

    if (s->kind == SERVER_TANDEM && strstr(base ? base + 1 : l->path, "redis-server") == NULL) {
        l->argv[argc++] = "--threads";
        l->argv[argc++] = l->threads;
    }
    for (int i = 0; extra != NULL && extra[i] != NULL; i++) {
        if (argc >= MAX_ARGS - 1) {
            bench_error(err, errsize, "too many extra arguments for %s", s->name);
            return -1;
        }
        l->argv[argc++] = (char *)extra[i];
    }
    l->argv[argc] = NULL;
    return 0;
}

/* The command line as a shell would take it, for error messages: someone
 * reading a failed start wants to run the same thing by hand. */
static void launch_describe(const struct launch *l, char *out, size_t outsize)
{
    size_t used = 0;

    out[0] = '\0';
    for (int i = 0; l->argv[i] != NULL && used < outsize; i++) {
        const char *arg = l->argv[i];
        int quote = arg[0] == '\0' || strchr(arg, ' ') != NULL;
        int n = snprintf(out + used, outsize - used, "%s%s%s%s", i > 0 ? " " : "",
                         quote ? "\"" : "", arg, quote ? "\"" : "");

        if (n < 0) break;
        used += (size_t)n;
    }
}

/* Child side of fork: a clean signal mask (the bench's threads may block
 * SIGTERM, and the mask survives exec), no inherited descriptors except
 * the exec-error pipe (a server holding a copy of a bench socket would
 * keep that connection open), stdio on /dev/null, and death with the
 * parent. Reports exec's errno on errfd. */
static void launch_child(const struct launch *l, int errfd, pid_t parent)
{
    sigset_t none;
    int null_fd;
    int saved;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127); /* the bench died before prctl */
    null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        dup2(null_fd, STDOUT_FILENO);
        dup2(null_fd, STDERR_FILENO);
    }
    if (errfd > 3) close_range(3, (unsigned)errfd - 1, 0);
    close_range((unsigned)errfd + 1, ~0U, 0);
    execv(l->path, l->argv);
    saved = errno;
    if (write(errfd, &saved, sizeof(saved)) != (ssize_t)sizeof(saved)) _exit(126);
    _exit(127);
}

/* Forks and execs the server. Returns 0 once exec has succeeded (the
 * close-on-exec pipe reads end-of-file), or -1 with err filled in and no
 * child left behind. */
static int launch_spawn(struct server *s, const struct launch *l, char *err, size_t errsize)
{
    int fds[2];
    int child_errno = 0;
    ssize_t n;
    pid_t parent = getpid();
    pid_t pid;

    if (pipe2(fds, O_CLOEXEC) != 0) {
        bench_error(err, errsize, "pipe: %s", strerror(errno));
        return -1;
    }
    pid = fork();
    if (pid == 0) launch_child(l, fds[1], parent);
    close(fds[1]);
    if (pid < 0) {
        bench_error(err, errsize, "fork: %s", strerror(errno));
        close(fds[0]);
        return -1;
    }
    do {
        n = read(fds[0], &child_errno, sizeof(child_errno));
    } while (n == -1 && errno == EINTR);
    close(fds[0]);
    if (n != 0) {
        process_reap(pid, STOP_TIMEOUT_MS, NULL);
        bench_error(err, errsize, "cannot run %s: %s", l->path,
                    n == (ssize_t)sizeof(child_errno) ? strerror(child_errno) : "exec failed");
        return -1;
    }
    s->pid = pid;
    return 0;
}

/* Connects to the server on loopback; NULL when it does not accept within
 * connect_ms. Replies wait at most reply_ms, so no caller can hang on a
 * stuck server. */
static redisContext *connect_server(int port, long connect_ms, long reply_ms)
{
    struct timeval connect_tv = {.tv_sec = connect_ms / 1000, .tv_usec = connect_ms % 1000 * 1000};
    struct timeval reply_tv = {.tv_sec = reply_ms / 1000, .tv_usec = reply_ms % 1000 * 1000};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, connect_tv);

    if (c != NULL && (c->err || redisSetTimeout(c, reply_tv) != REDIS_OK)) {
        redisFree(c);
        c = NULL;
    }
    return c;
}

/* One PING on a fresh connection; 1 when it answers PONG. */
static int ping_once(int port)
{
    redisContext *c = connect_server(port, START_STEP_MS, 1000);
    redisReply *r = NULL;
    int ok = 0;

    if (c == NULL) goto out;
    r = redisCommand(c, "PING");
    ok = r != NULL && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0;
out:
    if (r != NULL) freeReplyObject(r);
    if (c != NULL) redisFree(c);
    return ok;
}

/* Polls PING every 100 ms. Returns 0 when the server answers (and is still
 * our process: a PONG from someone else's server on the same port does not
 * count), 1 when it exited (status filled in), -1 after 10 s. */
static int wait_ready(struct server *s, int *status)
{
    long long deadline = now_ms() + START_TIMEOUT_MS;

    for (;;) {
        if (waitpid(s->pid, status, WNOHANG) == s->pid) return 1;
        if (ping_once(s->port)) return waitpid(s->pid, status, WNOHANG) == s->pid ? 1 : 0;
        if (now_ms() >= deadline) return -1;
        sleep_ms(START_STEP_MS);
    }
}

/* Appends the last lines of the server's log to err: where the server
 * says why it would not start (port in use, bad argument, ...). */
static void append_log_tail(const struct server *s, char *err, size_t errsize)
{
    char buf[LOG_TAIL_BYTES + 1];
    FILE *f = fopen(s->log, "r");
    size_t len = 0;
    const char *start;
    int lines = 0;

    if (f != NULL) {
        if (fseek(f, -(long)LOG_TAIL_BYTES, SEEK_END) != 0) rewind(f);
        len = fread(buf, 1, LOG_TAIL_BYTES, f);
        fclose(f);
    }
    while (len > 0 && buf[len - 1] == '\n') len--;
    buf[len] = '\0';
    if (len == 0) {
        append_err(err, errsize,
                   "; its log is empty (its stderr, where a bad argument is "
                   "reported, goes to /dev/null: run the command by hand)");
        return;
    }
    start = buf + len;
    while (start > buf && lines < LOG_TAIL_LINES) {
        start--;
        if (*start == '\n') lines++;
    }
    if (*start == '\n') start++;
    append_err(err, errsize, "; its log ends with:\n%s", start);
}

static void describe_status(int status, char *out, size_t outsize)
{
    if (WIFEXITED(status))
        snprintf(out, outsize, "exit status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, outsize, "killed by signal %d", WTERMSIG(status));
    else
        snprintf(out, outsize, "wait status %d", status);
}

/* Reports a start that failed after the fork, then kills, reaps and
 * removes whatever is left of that server. */
static enum start_result start_fail(struct server *s, const struct launch *l, int ready, int status,
                                    char *err, size_t errsize)
{
    char command[1024];
    char how[64];
    int port_lost = 0;

    launch_describe(l, command, sizeof(command));
    if (ready == 1) {
        describe_status(status, how, sizeof(how));
        port_lost = port_in_use(s->port);
        bench_error(err, errsize, "%s exited during start-up (%s) on port %d%s; command: %s",
                    s->name, how, s->port, port_lost ? ", which another process now holds" : "",
                    command);
    } else {
        bench_error(err, errsize,
                    "%s (pid %d) did not answer PING on port %d within %d s; command: %s", s->name,
                    (int)s->pid, s->port, START_TIMEOUT_MS / 1000, command);
        kill(s->pid, SIGKILL);
        process_reap(s->pid, STOP_TIMEOUT_MS, NULL);
    }
    append_log_tail(s, err, errsize);
    s->pid = 0;
    dir_remove(s);
    return port_lost ? START_PORT_LOST : START_FAILED;
}

/* One attempt: a fresh directory and port, the fork, the wait for PING. */
static enum start_result start_once(struct server *s, struct launch *l, int threads,
                                    const char *const *extra, char *err, size_t errsize)
{
    int status = 0;
    int ready;

    snprintf(s->dir, sizeof(s->dir), "%s", DIR_TEMPLATE);
    if (mkdtemp(s->dir) == NULL) {
        bench_error(err, errsize, "mkdtemp %s: %s", DIR_TEMPLATE, strerror(errno));
        s->dir[0] = '\0';
        return START_FAILED;
    }
    snprintf(s->log, sizeof(s->log), "%s/%s.log", s->dir, s->name);
    s->port = port_free_loopback();
    if (s->port < 0) {
        bench_error(err, errsize, "no free port on 127.0.0.1: %s", strerror(errno));
        goto fail;
    }
    if (launch_build(l, s, threads, extra, err, errsize) != 0) goto fail;
    if (launch_spawn(s, l, err, errsize) != 0) goto fail;
    ready = wait_ready(s, &status);
    if (ready != 0) return start_fail(s, l, ready, status, err, errsize);
    return START_OK;
fail:
    dir_remove(s);
    return START_FAILED;
}

/* Starts the server, trying again on a new port (up to three times) only
 * when the one it was given was taken by someone else meanwhile: the
 * free-port check and the server's bind are not atomic. */
int server_start(struct server *s, enum server_kind kind, const char *binary, int threads,
                 const char *const *extra, char *err, size_t errsize)
{
    struct launch *l = NULL;
    enum start_result result = START_FAILED;

    memset(s, 0, sizeof(*s));
    s->kind = kind;
    s->name = kind == SERVER_TANDEM ? "tandem" : "redis";
    if (binary == NULL && kind == SERVER_TANDEM) {
        bench_error(err, errsize, "no tandem-server binary given");
        goto out;
    }
    l = calloc(1, sizeof(*l));
    if (l == NULL) {
        bench_error(err, errsize, "out of memory");
        goto out;
    }
    if (binary == NULL) binary = "redis-server";
    if (path_resolve(binary, l->path, sizeof(l->path)) != 0) {
        bench_error(err, errsize, "%s: not found or not executable", binary);
        goto out;
    }
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
        result = start_once(s, l, threads, extra, err, errsize);
        if (result != START_PORT_LOST) break;
    }
out:
    free(l);
    return result == START_OK ? 0 : -1;
}

void server_stop(struct server *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        if (!process_reap(s->pid, STOP_TIMEOUT_MS, NULL)) {
            kill(s->pid, SIGKILL);
            process_reap(s->pid, STOP_TIMEOUT_MS, NULL);
        }
        s->pid = 0;
    }
    dir_remove(s);
}

void server_kill(struct server *s)
{
    if (s->pid <= 0) return;
    kill(s->pid, SIGKILL);
    process_reap(s->pid, STOP_TIMEOUT_MS, NULL);
    s->pid = 0;
}

/* Reads a small /proc file whole into buf (NUL-terminated); -1 when the
 * process is gone. */
static int proc_read(pid_t pid, const char *name, char *buf, size_t bufsize)
{
    char path[64];
    ssize_t n;
    int fd;

    if (pid <= 0) return -1;
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    n = read(fd, buf, bufsize - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = '\0';
    return 0;
}

/* /proc/<pid>/stat: the command name (field 2) is in parentheses and may
 * itself contain spaces or ')', so fields are counted from the last ')'.
 * After it come state (3) and ten more fields up to utime (14) and stime
 * (15), in clock ticks, summed over every thread. An exited but unreaped
 * process (state Z) counts as gone. */
double server_cpu_seconds(const struct server *s)
{
    char buf[1024];
    const char *fields;
    unsigned long long utime;
    unsigned long long stime;
    char state;

    if (proc_read(s->pid, "stat", buf, sizeof(buf)) != 0) return -1;
    fields = strrchr(buf, ')');
    if (fields == NULL) return -1;
    if (sscanf(fields + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &state, &utime,
               &stime) != 3)
        return -1;
    if (state == 'Z' || state == 'X') return -1;
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* /proc/<pid>/statm: size, then resident, in pages. A zombie has no
 * pages left, so 0 resident means gone. */
long long server_rss_bytes(const struct server *s)
{
    char buf[256];
    unsigned long long size;
    unsigned long long resident;

    if (proc_read(s->pid, "statm", buf, sizeof(buf)) != 0) return -1;
    if (sscanf(buf, "%llu %llu", &size, &resident) != 2 || resident == 0) return -1;
    return (long long)resident * sysconf(_SC_PAGESIZE);
}

/* "Pss: N kB" from /proc/<pid>/smaps_rollup: the kernel's sum over every
 * mapping, one read per process. -1 when the process is gone (a zombie has
 * no mappings left). */
static long long pss_kb(pid_t pid)
{
    char buf[4096];
    const char *line;
    long long kb;

    if (proc_read(pid, "smaps_rollup", buf, sizeof(buf)) != 0) return -1;
    line = strstr(buf, "\nPss:");
    if (line == NULL || sscanf(line + 5, "%lld", &kb) != 1) return -1;
    return kb;
}

/* Appends to out the pids listed in one /proc/<pid>/task/<tid>/children
 * file. Returns the new count, or -1 when the kernel has no such files
 * (built without CONFIG_PROC_CHILDREN). */
static int children_from_task(pid_t pid, const char *tid, pid_t *out, int n, int max)
{
    char path[96];
    char buf[1024];
    char *p;
    char *end;
    ssize_t len;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/task/%s/children", (int)pid, tid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    /* ENOENT is also a thread that has just exited; the scan is right then too. */
    if (fd < 0) return errno == ENOENT ? -1 : n;
    len = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (len <= 0) return n;
    buf[len] = '\0';
    for (p = buf; n < max; p = end) {
        long child = strtol(p, &end, 10);

        if (end == p) break;
        if (child > 0) out[n++] = (pid_t)child;
    }
    return n;
}

/* The parent pid from /proc/<pid>/stat (field 4, counted from the last
 * ')' as in server_cpu_seconds); -1 when the process is gone. */
static pid_t parent_of(pid_t pid)
{
    char buf[1024];
    const char *fields;
    int ppid;

    if (proc_read(pid, "stat", buf, sizeof(buf)) != 0) return -1;
    fields = strrchr(buf, ')');
    if (fields == NULL || sscanf(fields + 1, " %*c %d", &ppid) != 1) return -1;
    return (pid_t)ppid;
}

/* Appends the children of pid to out (at most max entries in all) and
 * returns the new count. The children files are the cheap way; a kernel
 * without them is served by scanning every process's parent in /proc. */
static int children_of(pid_t pid, pid_t *out, int n, int max)
{
    char path[64];
    struct dirent *e;
    DIR *d;
    int got = n;

    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    d = opendir(path);
    if (d == NULL) return n;
    while (got >= 0 && got < max && (e = readdir(d)) != NULL)
        if (isdigit((unsigned char)e->d_name[0]))
            got = children_from_task(pid, e->d_name, out, got, max);
    closedir(d);
    if (got >= 0) return got;
    d = opendir("/proc");
    if (d == NULL) return n;
    while (n < max && (e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0])) continue;
        pid_t candidate = (pid_t)atoi(e->d_name);

        if (candidate != pid && parent_of(candidate) == pid) out[n++] = candidate;
    }
    closedir(d);
    return n;
}

/* The server, then its descendants breadth first. A process's children
 * are listed before its own PSS is read: a fork between the two then makes
 * the sample too low (the parent's pages already halved, the child not
 * listed), never too high, as reading first would (the parent's pages
 * counted whole and again, halved, in the child): a peak of these samples
 * is never a sampling artefact. A child that has just exited counts
 * nothing: its pages went back with it. */
long long server_pss_tree_bytes(const struct server *s)
{
    pid_t tree[PSS_TREE_MAX_PROCS];
    int count = s->pid > 0 ? children_of(s->pid, tree, 0, PSS_TREE_MAX_PROCS) : 0;
    long long total_kb = pss_kb(s->pid);

    if (s->pid <= 0 || total_kb < 0) return -1;
    for (int i = 0; i < count; i++) {
        pid_t pid = tree[i];
        long long kb;

        count = children_of(pid, tree, count, PSS_TREE_MAX_PROCS);
        kb = pss_kb(pid);
        if (kb > 0) total_kb += kb;
    }
    return total_kb * 1024;
}

/* Finds "field:value\r\n" in an INFO reply and copies the value. A value
 * that does not fit is an error, not a truncated figure. */
static int info_find(const char *text, const char *field, char *out, size_t outsize)
{
    size_t flen = strlen(field);
    const char *line = text;

    while (*line != '\0') {
        const char *end = strstr(line, "\r\n");
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);

        if (len > flen && strncmp(line, field, flen) == 0 && line[flen] == ':') {
            size_t vlen = len - flen - 1;

            if (vlen + 1 > outsize) return -1;
            memcpy(out, line + flen + 1, vlen);
            out[vlen] = '\0';
            return 0;
        }
        line += len;
        if (*line != '\0') line += 2;
    }
    return -1;
}

int server_info_field(const struct server *s, const char *section, const char *field, char *out,
                      size_t outsize)
{
    const char *argv[] = {"INFO", section};
    redisContext *c = connect_server(s->port, INFO_TIMEOUT_MS, INFO_TIMEOUT_MS);
    redisReply *r = NULL;
    int rc = -1;

    if (c == NULL || outsize == 0) goto out;
    r = redisCommandArgv(c, section != NULL ? 2 : 1, argv, NULL);
    if (r == NULL || r->type != REDIS_REPLY_STRING) goto out;
    rc = info_find(r->str, field, out, outsize);
out:
    if (r != NULL) freeReplyObject(r);
    if (c != NULL) redisFree(c);
    return rc;
}

/* Copies a status, bulk string or integer reply as text; -1 for any other
 * reply or one that does not fit (a truncated reply would pass for
 * another). */
static int reply_text(const redisReply *r, char *out, size_t outsize)
{
    int n;

    if (r->type == REDIS_REPLY_INTEGER)
        n = snprintf(out, outsize, "%lld", r->integer);
    else if (r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_STRING)
        n = snprintf(out, outsize, "%.*s", (int)r->len, r->str);
    else
        return -1;
    return n >= 0 && (size_t)n < outsize ? 0 : -1;
}

/* The reply may take long (FLUSHALL or DEBUG RELOAD over millions of
 * keys), so the wait for it is generous, but bounded. out may be NULL: the
 * caller wants only to know the command succeeded. */
static int command_run(const struct server *s, const char *const *argv, char *out, size_t outsize)
{
    redisContext *c = connect_server(s->port, COMMAND_CONNECT_MS, COMMAND_REPLY_MS);
    redisReply *r = NULL;
    int argc = 0;
    int rc = -1;

    while (argv[argc] != NULL) argc++;
    if (c == NULL || argc == 0) goto out;
    r = redisCommandArgv(c, argc, (const char **)argv, NULL);
    if (r == NULL || r->type == REDIS_REPLY_ERROR) goto out;
    rc = out != NULL ? reply_text(r, out, outsize) : 0;
out:
    if (r != NULL) freeReplyObject(r);
    if (c != NULL) redisFree(c);
    return rc;
}

int server_command(const struct server *s, const char *const *argv)
{
    return command_run(s, argv, NULL, 0);
}

int server_command_text(const struct server *s, const char *const *argv, char *out, size_t outsize)
{
    if (outsize == 0) return -1;
    return command_run(s, argv, out, outsize);
}
