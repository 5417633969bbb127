/*
 * server: the servers a scenario runs against. Starts redis-server or
 * tandem-server on a free 127.0.0.1 port, each in its own temporary
 * directory with its own log, with the same settings (no snapshots, no
 * AOF), waits until it answers PING, and stops it again. Also what a
 * scenario samples while it runs: the process's CPU time and resident
 * memory from /proc, and INFO fields.
 *
 * Thread: called by the compare driver (and by a scenario's sampler
 * thread for the read-only calls: server_cpu_seconds, server_rss_bytes,
 * server_pss_tree_bytes, server_info_field, server_command, server_command_text); a struct
 * server is not shared while it is being started or stopped.
 */
#ifndef TANDEM_BENCH_SERVER_H
#define TANDEM_BENCH_SERVER_H

#include <stddef.h>
#include <sys/types.h>

enum server_kind { SERVER_TANDEM, SERVER_REDIS };

struct server {
    enum server_kind kind;
    const char *name; /* "tandem" or "redis" */
    int port;
    pid_t pid;
    char dir[256]; /* the server's working directory, removed on stop */
    char log[320]; /* its log file, inside dir */
};

/* Starts one server. binary: the tandem-server or redis-server to run (NULL:
 * "redis-server" from PATH for SERVER_REDIS). threads: tandem's worker
 * threads (ignored for redis). extra: further "--name value" arguments,
 * NULL-terminated, may be NULL (e.g. {"--replicaof", "127.0.0.1 7000",
 * NULL}); they come after the standard ones, so they override them. Waits
 * up to 10 s for PING. Returns 0, or -1 with err filled in (the log's last
 * lines included when the server died) and nothing left running or on
 * disk; s is then safe to pass to server_stop.
 *
 * The server is killed by the kernel when the thread that started it exits
 * (PR_SET_PDEATHSIG), so a crashed bench leaves no server behind: start
 * servers from a thread that outlives them. */
int server_start(struct server *s, enum server_kind kind, const char *binary, int threads,
                 const char *const *extra, char *err, size_t errsize);
/* SIGTERM, then SIGKILL after 10 s; reaps the process and removes its
 * directory. Safe on a server already stopped, on one whose server_start
 * failed, and on a zeroed struct. */
void server_stop(struct server *s);
/* kill -9, for crash scenarios; the directory stays until server_stop. */
void server_kill(struct server *s);

/* utime + stime of the whole process (every thread), in seconds; -1 when
 * the process is gone. */
double server_cpu_seconds(const struct server *s);
/* Resident set size in bytes; -1 when the process is gone. */
long long server_rss_bytes(const struct server *s);

/* Proportional set size, in bytes, of the server and every process below
 * it (redis-server forks a child for a full sync or BGSAVE): pages a parent
 * and its fork child still share are counted once between them, so the sum
 * grows only by the pages copy-on-write has duplicated. -1 when the server
 * is gone. */
long long server_pss_tree_bytes(const struct server *s);

/* Reads one field of INFO <section> (e.g. "memory", "used_memory") into out.
 * Returns 0, or -1 when the server cannot be reached or has no such field. */
int server_info_field(const struct server *s, const char *section, const char *field, char *out,
                      size_t outsize);
/* Runs one command given as separate arguments (e.g. {"FLUSHALL", NULL});
 * returns 0 when the reply is not an error. */
int server_command(const struct server *s, const char *const *argv);
/* server_command that keeps the reply: a status, bulk string or integer
 * (e.g. OBJECT ENCODING's "listpack") is copied into out. Returns 0, or -1
 * on an error reply, any other type, or a reply longer than outsize - 1. */
int server_command_text(const struct server *s, const char *const *argv, char *out, size_t outsize);

#endif
