/*
 * test_lifecycle: a server process from start to exit, as redis-server 7.0
 * behaves: SIGTERM and SIGINT shut it down cleanly (exit status 0, the
 * shutdown logged after "Ready to accept connections"), SHUTDOWN NOSAVE
 * closes the asking client's connection and the process, --pidfile is
 * written at start and removed at exit, --logfile lines have Redis's
 * format, a config file with an unknown directive and a port already in
 * use are fatal at start, and 200 connections over 8 client threads doing
 * pipelined SET/GET/INCR lose or double nothing.
 *
 * Usage: test_lifecycle <server binary>. Every expectation here was
 * checked against redis-server 7.0.15 first; tandem-server must give the
 * same. Every wait for a process or a reply has a deadline.
 */
#include "tests/harness.h"

#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_DEADLINE_MS 10000
#define RUN_DEADLINE_MS 10000
#define LOG_MAX_LINES 512
#define CLIENT_THREADS 8
#define CONNECTIONS_PER_THREAD 25 /* 200 in all */
#define ROUNDS 40

/* The prefix of every line Redis logs: "pid:role dd Mon yyyy hh:mm:ss.mmm
 * level-mark ". */
#define LOG_LINE_REGEX "^[0-9]+:[MSCX] [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:.]+ [.*#-] "
/* Redis logs from its signal handler with a shorter prefix:
 * "pid:signal-handler (unix time) ". */
#define SIGNAL_LINE_REGEX "^[0-9]+:signal-handler \\([0-9]+\\) "

/* Waits at most EXIT_DEADLINE_MS for the server process to exit and
 * returns its exit status (128 + signal if a signal killed it); fails the
 * test if it is still running. The process is reaped: s->pid becomes 0. */
static int wait_server_exit(struct server *s)
{
    long long deadline = harness_now_ms() + EXIT_DEADLINE_MS;
    int status = 0;
    for (;;) {
        pid_t got = waitpid(s->pid, &status, WNOHANG);
        if (got == s->pid) break;
        if (got < 0 && errno != EINTR)
            harness_fail(__FILE__, __LINE__, "waitpid %d: %s", (int)s->pid, strerror(errno));
        if (harness_now_ms() >= deadline)
            harness_fail(__FILE__, __LINE__, "the server did not exit within %d ms",
                         EXIT_DEADLINE_MS);
        harness_sleep_ms(10);
    }
    s->pid = 0;
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* The server's log, one line per element (newlines stripped). */
struct log_lines {
    char *line[LOG_MAX_LINES];
    int count;
};

static void log_read(const char *path, struct log_lines *log)
{
    char buf[4096];
    FILE *f = fopen(path, "r");
    if (f == NULL) harness_fail(__FILE__, __LINE__, "cannot open the log %s", path);
    log->count = 0;
    while (log->count < LOG_MAX_LINES && fgets(buf, sizeof(buf), f) != NULL) {
        buf[strcspn(buf, "\n")] = '\0';
        log->line[log->count] = strdup(buf);
        CHECK(log->line[log->count] != NULL);
        log->count++;
    }
    fclose(f);
}

static void log_free(struct log_lines *log)
{
    for (int i = 0; i < log->count; i++) free(log->line[i]);
    log->count = 0;
}

/* The index of the first line at or after `from` containing `needle`, or
 * -1. */
static int log_find(const struct log_lines *log, int from, const char *needle)
{
    for (int i = from < 0 ? 0 : from; i < log->count; i++)
        if (strstr(log->line[i], needle) != NULL) return i;
    return -1;
}

static void log_print(const struct log_lines *log)
{
    fprintf(stderr, "---- the log ----\n");
    for (int i = 0; i < log->count; i++) fprintf(stderr, "%s\n", log->line[i]);
}

/* Fails unless `needle` is logged after the "Ready to accept connections"
 * line. */
static void expect_logged_after_ready(const struct log_lines *log, const char *needle)
{
    int ready = log_find(log, 0, "Ready to accept connections");
    if (ready < 0 || log_find(log, ready + 1, needle) < 0) {
        log_print(log);
        harness_fail(__FILE__, __LINE__, "the log lacks \"%s\" after \"%s\"", needle,
                     "Ready to accept connections");
    }
}

/* Every line of the log has Redis's prefix (lines logged from a signal
 * handler may have the signal-handler prefix instead). */
static void expect_log_format(const struct log_lines *log)
{
    regex_t line_re, signal_re;
    CHECK(regcomp(&line_re, LOG_LINE_REGEX, REG_EXTENDED | REG_NOSUB) == 0);
    CHECK(regcomp(&signal_re, SIGNAL_LINE_REGEX, REG_EXTENDED | REG_NOSUB) == 0);
    CHECK(log->count >= 3);
    for (int i = 0; i < log->count; i++) {
        const char *line = log->line[i];
        if (regexec(&line_re, line, 0, NULL, 0) == 0) continue;
        if (strstr(line, "Received SIG") != NULL && regexec(&signal_re, line, 0, NULL, 0) == 0)
            continue;
        log_print(log);
        harness_fail(__FILE__, __LINE__, "log line %d is not in Redis's format: \"%s\"", i + 1,
                     line);
    }
    regfree(&line_re);
    regfree(&signal_re);
}

/* A started server (standard harness arguments) with one key written. */
static void start_with_data(struct server *s, const char *binary)
{
    if (harness_start(s, binary, NULL) != 0)
        harness_fail(__FILE__, __LINE__, "the server did not start");
    redisContext *c = harness_connect(s);
    EXPECT_OK(harness_cmd(c, "SET lifecycle alive"));
    EXPECT_STR(harness_cmd(c, "GET lifecycle"), "alive");
    redisFree(c);
}

/* SIGTERM or SIGINT: a clean exit with status 0 and the shutdown logged,
 * in Redis's format, after the server said it was ready. */
static void test_signal_shutdown(const char *binary, int sig, const char *name)
{
    struct server s;
    char received[64];
    start_with_data(&s, binary);
    redisContext *idle = harness_connect(&s); /* an open client must not delay the exit */
    CHECK(kill(s.pid, sig) == 0);
    int status = wait_server_exit(&s);
    if (status != 0) harness_fail(__FILE__, __LINE__, "%s: exit status %d, not 0", name, status);
    redisFree(idle);
    struct log_lines log;
    log_read(s.logpath, &log);
    snprintf(received, sizeof(received), "Received %s scheduling shutdown...", name);
    expect_logged_after_ready(&log, received);
    expect_logged_after_ready(&log, "User requested shutdown...");
    expect_logged_after_ready(&log, "is now ready to exit, bye bye...");
    expect_log_format(&log);
    log_free(&log);
    harness_stop(&s);
}

static void test_sigterm(const char *binary)
{
    test_signal_shutdown(binary, SIGTERM, "SIGTERM");
}

static void test_sigint(const char *binary)
{
    test_signal_shutdown(binary, SIGINT, "SIGINT");
}

/* SHUTDOWN NOSAVE: no reply, the connection closes, the process exits 0. */
static void test_shutdown_command(const char *binary)
{
    struct server s;
    start_with_data(&s, binary);
    redisContext *c = harness_connect(&s);
    struct timeval tv = {.tv_sec = 5, .tv_usec = 0};
    CHECK(redisSetTimeout(c, tv) == REDIS_OK);
    redisReply *r = redisCommand(c, "SHUTDOWN NOSAVE");
    if (r != NULL)
        harness_fail(__FILE__, __LINE__, "SHUTDOWN NOSAVE answered a %s",
                     harness_reply_type_name(r->type));
    CHECK(c->err == REDIS_ERR_EOF || c->err == REDIS_ERR_IO);
    redisFree(c);
    int status = wait_server_exit(&s);
    if (status != 0) harness_fail(__FILE__, __LINE__, "SHUTDOWN: exit status %d, not 0", status);
    struct log_lines log;
    log_read(s.logpath, &log);
    expect_logged_after_ready(&log, "User requested shutdown...");
    expect_logged_after_ready(&log, "is now ready to exit, bye bye...");
    expect_log_format(&log);
    log_free(&log);
    harness_stop(&s);
}

/* --pidfile: "<pid>\n" while the server runs, gone after it exits. */
static void test_pidfile(const char *binary)
{
    struct server s;
    char port[16], pidfile[320], text[64] = "", expected[32];
    if (harness_prepare(&s) != 0) harness_fail(__FILE__, __LINE__, "cannot prepare a directory");
    snprintf(port, sizeof(port), "%d", s.port);
    snprintf(pidfile, sizeof(pidfile), "%s/server.pid", s.dir);
    const char *args[] = {"--port",       port,        "--bind",    "127.0.0.1", "--dir",
                          s.dir,          "--logfile", s.logpath,   "--save",    "",
                          "--appendonly", "no",        "--pidfile", pidfile,     NULL};
    if (harness_launch(&s, binary, args) != 0) {
        harness_stop(&s);
        harness_fail(__FILE__, __LINE__, "the server did not start with --pidfile");
    }
    FILE *f = fopen(pidfile, "r");
    if (f == NULL) harness_fail(__FILE__, __LINE__, "no pid file at %s", pidfile);
    size_t len = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[len] = '\0';
    snprintf(expected, sizeof(expected), "%d\n", (int)s.pid);
    if (strcmp(text, expected) != 0)
        harness_fail(__FILE__, __LINE__, "pid file holds \"%s\", expected \"%d\\n\"", text,
                     (int)s.pid);
    CHECK(kill(s.pid, SIGTERM) == 0);
    CHECK(wait_server_exit(&s) == 0);
    if (access(pidfile, F_OK) == 0 || errno != ENOENT)
        harness_fail(__FILE__, __LINE__, "the pid file is still there after the exit");
    harness_stop(&s);
}

/* Runs argv and expects a non-zero exit within the deadline with every
 * needle in its output. */
static void expect_fatal_start(const char *const *argv, const char *const *needles, size_t count)
{
    static char output[16384];
    int status = harness_run(argv, output, sizeof(output), RUN_DEADLINE_MS);
    if (status == -1)
        harness_fail(__FILE__, __LINE__, "%s did not exit within %d ms; output:\n%s", argv[0],
                     RUN_DEADLINE_MS, output);
    if (status == 0) harness_fail(__FILE__, __LINE__, "exit status 0; output:\n%s", output);
    for (size_t i = 0; i < count; i++)
        if (strstr(output, needles[i]) == NULL)
            harness_fail(__FILE__, __LINE__, "exit status %d but the output lacks \"%s\":\n%s",
                         status, needles[i], output);
}

/* An unknown directive on line 4 of a config file: fatal, naming the line. */
static void test_bad_config_file(const char *binary)
{
    struct server s;
    char path[320];
    if (harness_prepare(&s) != 0) harness_fail(__FILE__, __LINE__, "cannot prepare a directory");
    snprintf(path, sizeof(path), "%s/bad.conf", s.dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fprintf(f, "# lifecycle test\nport %d\nbind 127.0.0.1\nno-such-directive yes\nsave \"\"\n",
            s.port);
    CHECK(fclose(f) == 0);
    const char *argv[] = {binary, path, NULL};
    expect_fatal_start(argv,
                       (const char *[]){"at line 4", ">>> 'no-such-directive yes'",
                                        "Bad directive or wrong number of arguments"},
                       3);
    harness_stop(&s);
}

/* A second server on a port the first one holds exits non-zero saying
 * why; the first one is unaffected. */
static void test_port_in_use(const char *binary)
{
    struct server s;
    char port[16];
    start_with_data(&s, binary);
    snprintf(port, sizeof(port), "%d", s.port);
    const char *argv[] = {binary, "--port", port, "--bind",       "127.0.0.1", "--dir",
                          s.dir,  "--save", "",   "--appendonly", "no",        NULL};
    expect_fatal_start(argv, (const char *[]){"Address already in use"}, 1);
    redisContext *c = harness_connect(&s);
    EXPECT_STR(harness_cmd(c, "GET lifecycle"), "alive");
    redisFree(c);
    harness_stop(&s);
}

/* ---- many connections from many threads ---- */

struct client_thread {
    const struct server *server;
    int index;
    pthread_barrier_t *connected; /* all 200 open before any command */
};

/* One round on one connection: SET, GET, INCR of its own keys and INCR
 * of the shared counter, pipelined; only the appends go out here. */
static void round_append(redisContext *c, int id, int round)
{
    CHECK(redisAppendCommand(c, "SET value:%d %d", id, round) == REDIS_OK);
    CHECK(redisAppendCommand(c, "GET value:%d", id) == REDIS_OK);
    CHECK(redisAppendCommand(c, "INCR count:%d", id) == REDIS_OK);
    CHECK(redisAppendCommand(c, "INCR shared") == REDIS_OK);
    CHECK(redisAppendCommand(c, "INCRBY thread:%d 2", id / CONNECTIONS_PER_THREAD) == REDIS_OK);
    CHECK(redisAppendCommand(c, "GET count:%d", id) == REDIS_OK);
}

static redisReply *next_reply(redisContext *c, int id)
{
    redisReply *r = NULL;
    if (redisGetReply(c, (void **)&r) != REDIS_OK)
        harness_fail(__FILE__, __LINE__, "connection %d: %s", id, c->errstr);
    return r;
}

/* The replies of round_append, in order. */
static void round_check(redisContext *c, int id, int round)
{
    char text[16];
    long long total = (long long)CLIENT_THREADS * CONNECTIONS_PER_THREAD * ROUNDS;
    snprintf(text, sizeof(text), "%d", round);
    EXPECT_OK(next_reply(c, id));
    EXPECT_STR(next_reply(c, id), text);
    EXPECT_INT(next_reply(c, id), round);
    redisReply *shared = next_reply(c, id);
    CHECK(shared->type == REDIS_REPLY_INTEGER && shared->integer >= round &&
          shared->integer <= total);
    freeReplyObject(shared);
    redisReply *thread = next_reply(c, id);
    CHECK(thread->type == REDIS_REPLY_INTEGER && thread->integer % 2 == 0 &&
          thread->integer >= 2 * round && thread->integer <= 2 * CONNECTIONS_PER_THREAD * ROUNDS);
    freeReplyObject(thread);
    EXPECT_STR(next_reply(c, id), text);
}

/* Each thread drives its 25 connections in lock step: every round it
 * sends one pipeline on each, then reads them all back. */
static void *client_thread_run(void *arg)
{
    const struct client_thread *t = arg;
    redisContext *conns[CONNECTIONS_PER_THREAD];
    for (int j = 0; j < CONNECTIONS_PER_THREAD; j++) {
        conns[j] = harness_connect(t->server);
        EXPECT_STATUS(harness_cmd(conns[j], "PING"), "PONG");
    }
    pthread_barrier_wait(t->connected);
    pthread_barrier_wait(t->connected); /* the main thread has counted them */
    int first = t->index * CONNECTIONS_PER_THREAD;
    for (int round = 1; round <= ROUNDS; round++) {
        for (int j = 0; j < CONNECTIONS_PER_THREAD; j++) round_append(conns[j], first + j, round);
        for (int j = 0; j < CONNECTIONS_PER_THREAD; j++) {
            int done = 0;
            /* Push the pipeline out before reading (hiredis writes lazily). */
            while (!done)
                if (redisBufferWrite(conns[j], &done) != REDIS_OK)
                    harness_fail(__FILE__, __LINE__, "write: %s", conns[j]->errstr);
        }
        for (int j = 0; j < CONNECTIONS_PER_THREAD; j++) round_check(conns[j], first + j, round);
    }
    for (int j = 0; j < CONNECTIONS_PER_THREAD; j++) redisFree(conns[j]);
    return NULL;
}

static long long connected_clients(redisContext *c)
{
    long long n = harness_info_int(c, "clients", "connected_clients");
    return n;
}

/* Waits (bounded) until INFO reports exactly `want` connected clients. */
static void wait_connected_clients(redisContext *c, long long want)
{
    long long deadline = harness_now_ms() + 5000, now = -1;
    while (harness_now_ms() < deadline) {
        now = connected_clients(c);
        if (now == want) return;
        harness_sleep_ms(20);
    }
    harness_fail(__FILE__, __LINE__, "connected_clients stayed %lld, expected %lld", now, want);
}

static void test_many_connections(const char *binary)
{
    struct server s;
    const char *tandem_args[] = {"--threads", "4", NULL};
    if (harness_start(&s, binary, harness_is_tandem(binary) ? tandem_args : NULL) != 0)
        harness_fail(__FILE__, __LINE__, "the server did not start");
    redisContext *c = harness_connect(&s);
    pthread_barrier_t connected;
    pthread_t threads[CLIENT_THREADS];
    struct client_thread args[CLIENT_THREADS];
    CHECK(pthread_barrier_init(&connected, NULL, CLIENT_THREADS + 1) == 0);
    for (int i = 0; i < CLIENT_THREADS; i++) {
        args[i] = (struct client_thread){.server = &s, .index = i, .connected = &connected};
        CHECK(pthread_create(&threads[i], NULL, client_thread_run, &args[i]) == 0);
    }
    pthread_barrier_wait(&connected);
    wait_connected_clients(c, CLIENT_THREADS * CONNECTIONS_PER_THREAD + 1);
    pthread_barrier_wait(&connected);
    for (int i = 0; i < CLIENT_THREADS; i++) pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&connected);

    char text[32];
    int connections = CLIENT_THREADS * CONNECTIONS_PER_THREAD;
    snprintf(text, sizeof(text), "%d", connections * ROUNDS);
    EXPECT_STR(harness_cmd(c, "GET shared"), text);
    snprintf(text, sizeof(text), "%d", ROUNDS);
    for (int id = 0; id < connections; id++) {
        EXPECT_STR(harness_cmd(c, "GET count:%d", id), text);
        EXPECT_STR(harness_cmd(c, "GET value:%d", id), text);
    }
    snprintf(text, sizeof(text), "%d", 2 * CONNECTIONS_PER_THREAD * ROUNDS);
    for (int i = 0; i < CLIENT_THREADS; i++) EXPECT_STR(harness_cmd(c, "GET thread:%d", i), text);
    EXPECT_INT(harness_cmd(c, "DBSIZE"), 2 * connections + CLIENT_THREADS + 1);
    wait_connected_clients(c, 1);
    redisFree(c);
    harness_stop(&s);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        void (*run)(const char *binary);
    } tests[] = {
        {"SIGTERM", test_sigterm},
        {"SIGINT", test_sigint},
        {"SHUTDOWN NOSAVE", test_shutdown_command},
        {"--pidfile", test_pidfile},
        {"unknown directive", test_bad_config_file},
        {"port in use", test_port_in_use},
        {"200 connections", test_many_connections},
    };
    const char *binary = harness_binary_from_args(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        long long start = harness_now_ms();
        tests[i].run(binary);
        printf("test_lifecycle: %s passed in %lld ms\n", tests[i].name, harness_now_ms() - start);
    }
    printf("test_lifecycle: all passed\n");
    return 0;
}
