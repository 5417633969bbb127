/*
 * harness: start and stop real server processes for integration and
 * differential tests, and small hiredis helpers.
 *
 * Servers listen on 127.0.0.1 on a free port, with their own temporary
 * directory; every wait is bounded (a server that does not come up within
 * its deadline fails the test, never hangs it).
 *
 * The same tests run against redis-server (the reference) and tandem-server:
 * each test program takes the server binary as argv[1]. harness_is_tandem()
 * tells them apart for the few directives only one of them knows.
 *
 * Servers started here die with the test process (PR_SET_PDEATHSIG), and
 * harness_fail() prints their log tails, kills them and removes their
 * directories before exiting, so a failing test leaves nothing behind.
 */
#ifndef TANDEM_TESTS_HARNESS_H
#define TANDEM_TESTS_HARNESS_H

#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#include "bench/port.h"

struct server {
    pid_t pid;
    int port;
    char dir[256];     /* temporary working directory */
    char logpath[300]; /* its log file */
};

/* Free ports come from port_free_loopback() (bench/port.h). */

/* Starts `binary` (tandem-server or redis-server) on 127.0.0.1:<free port>
 * with extra "--name value" arguments (NULL-terminated list), waits until
 * it answers PING (at most 10 s). Returns 0 or -1. For tandem-server
 * "--threads 2" is added unless extra_args name --threads. */
int harness_start(struct server *s, const char *binary, const char *const *extra_args);
/* Prints the last lines of the server's log and its stdout/stderr. */
void harness_print_logs(const struct server *s);
/* SIGTERM then, after 5 s, SIGKILL; waits for the process; removes dir. */
void harness_stop(struct server *s);
/* Connects to the server with a 5 s timeout; aborts the test on failure.
 * Replies are awaited at most 60 s. */
redisContext *harness_connect(const struct server *s);

/* Lower-level start, for tests that write their own config file:
 * harness_prepare creates s->dir, picks s->port and sets s->logpath;
 * harness_launch runs `binary args...` (args NULL-terminated, used as
 * given, plus "--threads 2" for tandem) and waits for PING on s->port.
 * On failure harness_launch prints the log tail, kills the process and
 * returns -1 (s->dir is kept; harness_stop removes it). */
int harness_prepare(struct server *s);
int harness_launch(struct server *s, const char *binary, const char *const *args);

/* Runs argv (argv[0] is the program) to completion, at most timeout_ms,
 * capturing stdout and stderr together into out (NUL-terminated, truncated
 * to outsize). Returns the exit status, 128 + signal when killed by one, or
 * -1 when it had to be killed at the deadline. */
int harness_run(const char *const *argv, char *out, size_t outsize, int timeout_ms);

/* How many processes have pid as their parent right now (from /proc): a
 * forking server shows its child during a snapshot. */
int harness_children_of(pid_t pid);

/* Locates redis-server on PATH (or /usr/bin); NULL when absent. */
const char *harness_redis_server_path(void);
/* The binary under test: argv[1], or redis-server when no argument is
 * given; fails the test when neither exists. */
const char *harness_binary_from_args(int argc, char **argv);
/* True when the binary's base name contains "tandem". */
int harness_is_tandem(const char *binary);
/* Makes `key` a one-element list with RPUSH, for checks that need a key of
 * a non-string type. Returns 1 when done, 0 when the server has no lists
 * yet (the caller skips those checks; a note is printed once). */
int harness_make_list(redisContext *c, const char *key);

/* Test assertions that print where they failed and exit(1). */
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) harness_fail(__FILE__, __LINE__, "check failed: %s", #cond);                  \
    } while (0)
void harness_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));

/* Sends a command (printf-style as redisCommand) and returns the reply;
 * fails the test if the connection broke. */
redisReply *harness_cmd(redisContext *c, const char *fmt, ...);
/* The same with an argument vector (binary-safe). */
redisReply *harness_cmd_argv(redisContext *c, int argc, const char **argv, const size_t *lens);
/* Reply checks: each frees the reply and fails the test on mismatch. */
void harness_expect_status(redisReply *r, const char *status, const char *file, int line);
void harness_expect_error(redisReply *r, const char *prefix, const char *file, int line);
void harness_expect_error_exact(redisReply *r, const char *error, const char *file, int line);
void harness_expect_int(redisReply *r, long long v, const char *file, int line);
void harness_expect_str(redisReply *r, const char *s, const char *file, int line);
void harness_expect_nil(redisReply *r, const char *file, int line);
/* An array whose elements are the given bulk strings (NULL = nil), in order. */
void harness_expect_strs(redisReply *r, const char *const *strs, size_t n, const char *file,
                         int line);
#define EXPECT_STATUS(r, s) harness_expect_status((r), (s), __FILE__, __LINE__)
#define EXPECT_OK(r) harness_expect_status((r), "OK", __FILE__, __LINE__)
#define EXPECT_ERROR(r, p) harness_expect_error((r), (p), __FILE__, __LINE__)
#define EXPECT_ERROR_EXACT(r, e) harness_expect_error_exact((r), (e), __FILE__, __LINE__)
#define EXPECT_INT(r, v) harness_expect_int((r), (v), __FILE__, __LINE__)
#define EXPECT_STR(r, s) harness_expect_str((r), (s), __FILE__, __LINE__)
#define EXPECT_NIL(r) harness_expect_nil((r), __FILE__, __LINE__)
#define EXPECT_STRS(r, ...)                                                                        \
    do {                                                                                           \
        const char *const expect_strs_[] = {__VA_ARGS__};                                          \
        harness_expect_strs((r), expect_strs_, sizeof(expect_strs_) / sizeof(expect_strs_[0]),     \
                            __FILE__, __LINE__);                                                   \
    } while (0)

/* Value accessors: fail the test unless the reply has that type; the
 * reply is freed (the string variant returns a malloc'd copy). */
long long harness_cmd_int(redisContext *c, const char *fmt, ...);
char *harness_cmd_str(redisContext *c, const char *fmt, ...);
/* The value of `field` in INFO <section> (malloc'd), or NULL if absent. */
char *harness_info_field(redisContext *c, const char *section, const char *field);
/* The same field as an integer; fails the test when it is missing. */
long long harness_info_int(redisContext *c, const char *section, const char *field);
/* The name of a REDIS_REPLY_* type, for failure messages. */
const char *harness_reply_type_name(int type);

/* Raw sockets, for bytes hiredis would refuse to send or parse. Every
 * read waits at most timeout_ms (HARNESS_RAW_TIMEOUT_MS by default). */
#define HARNESS_RAW_TIMEOUT_MS 5000
int harness_raw_connect(const struct server *s);
void harness_raw_send(int fd, const void *buf, size_t len);
/* Reads until the received bytes end with `suffix`, EOF, a full buffer or
 * the deadline; returns the byte count (buf is NUL-terminated). */
size_t harness_raw_read_until(int fd, char *buf, size_t size, const char *suffix, int timeout_ms);
/* Reads exactly strlen(expected) bytes and fails the test unless they equal
 * `expected`. */
void harness_raw_expect(int fd, const char *expected, const char *file, int line);
/* Fails the test unless the server closes the connection (EOF or reset)
 * within the deadline, ignoring nothing: any byte received first fails. */
void harness_raw_expect_closed(int fd, const char *file, int line);
#define RAW_EXPECT(fd, s) harness_raw_expect((fd), (s), __FILE__, __LINE__)
#define RAW_EXPECT_CLOSED(fd) harness_raw_expect_closed((fd), __FILE__, __LINE__)

/* Monotonic milliseconds, and a bounded sleep. */
long long harness_now_ms(void);
void harness_sleep_ms(long ms);

#endif
