/*
 * config: the server's configuration: redis.conf-syntax files, the
 * `--name value` command line, CONFIG GET (glob patterns) / CONFIG SET
 * (several pairs at once, all or nothing) / CONFIG RESETSTAT is elsewhere.
 *
 * The only global mutable state of the server. Read-mostly: loaded by the
 * main thread before any worker starts; afterwards CONFIG SET (from any
 * worker) changes it under config_lock. Integer fields are read without the
 * lock (aligned word loads; use CONFIG_READ for fields that CONFIG SET may
 * change at run time); string fields must be read through config_get_string
 * or under config_lock. The arrays (bind, output_limits, save_points) are
 * read under config_lock too when a consistent set is needed.
 */
#ifndef TANDEM_ENGINE_CONFIG_H
#define TANDEM_ENGINE_CONFIG_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_BIND 16
#define CONFIG_MAX_SAVE_POINTS 16

/* enable-protected-configs: may CONFIG SET change dir / dbfilename? */
enum protected_action {
    PROTECTED_ACTION_NO = 0,
    PROTECTED_ACTION_YES = 1,
    PROTECTED_ACTION_LOCAL = 2
};

enum client_class { CLIENT_CLASS_NORMAL = 0, CLIENT_CLASS_REPLICA = 1, CLIENT_CLASS_PUBSUB = 2 };

struct output_limit {
    long long hard_bytes;
    long long soft_bytes;
    long long soft_seconds;
};

struct save_point {
    long long seconds;
    long long changes;
};

struct server_config {
    /* network */
    int port;
    char *bind[CONFIG_MAX_BIND];
    int bind_count;
    int protected_mode;
    int tcp_backlog;
    long long timeout;       /* seconds, 0 = never */
    long long tcp_keepalive; /* seconds */
    long long maxclients;

    /* process */
    char *dir;
    char *logfile;
    char *pidfile;
    int loglevel; /* enum log_level */
    int daemonize;
    int threads; /* worker threads; 0 = online CPUs */
    int hz;
    int databases;

    /* security */
    char *requirepass; /* NULL when unset */

    /* limits */
    long long proto_max_bulk_len;
    long long client_query_buffer_limit;
    struct output_limit output_limits[3];

    /* persistence (save points and appendonly are accepted and shown, not
     * acted on yet) */
    struct save_point save_points[CONFIG_MAX_SAVE_POINTS];
    int save_count;
    char *dbfilename;
    int appendonly;
    int rdbcompression; /* SAVE compresses strings with LZF */
    int rdbchecksum;    /* SAVE writes the CRC-64 */

    /* replication, primary side (engine/repl.c) */
    long long repl_backlog_size;
    int repl_ping_replica_period;        /* seconds between PINGs in the stream */
    int repl_timeout;                    /* seconds without an ACK before a replica is dropped */
    int repl_diskless_sync;              /* no: the snapshot goes through a file first */
    int repl_diskless_sync_delay;        /* seconds a full sync waits for more replicas */
    int repl_diskless_sync_max_replicas; /* ... unless this many wait (0: no limit) */
    int min_replicas_to_write;           /* writes refused with fewer good replicas */
    int min_replicas_max_lag;            /* seconds since its last ACK for a good replica */

    /* replication, replica side (engine/replica.c) */
    char *replicaof_host; /* "replicaof host port" at start-up, or NULL */
    int replicaof_port;
    char *masterauth; /* NULL when unset; read under config_lock */
    char *masteruser;
    int replica_read_only;        /* -READONLY for clients' writes */
    int replica_serve_stale_data; /* no: -MASTERDOWN while the link is down */
    int repl_diskless_load;       /* enum repl_diskless_load */
    int replica_priority;         /* INFO slave_priority (Sentinel) */
    int replica_announced;

    /* enum protected_action: whether CONFIG SET may change PROTECTED
     * directives (dir, dbfilename), as Redis 7.0's enable-protected-configs */
    int enable_protected_configs;
    /* enum protected_action: who may run DEBUG (enable-debug-command). */
    int enable_debug_command;

    /* path of the config file, absolute, or NULL */
    char *config_file;
};

enum repl_diskless_load {
    REPL_DISKLESS_LOAD_DISABLED,    /* the RDB goes to disk first */
    REPL_DISKLESS_LOAD_ON_EMPTY_DB, /* straight from the socket when nothing is lost */
    REPL_DISKLESS_LOAD_SWAPDB,      /* from the socket beside the old data, then swapped */
};

extern struct server_config config;
extern pthread_mutex_t config_lock;

#define CONFIG_READ(field) __atomic_load_n(&config.field, __ATOMIC_RELAXED)

/* Fills `config` with defaults. */
void config_init_defaults(void);

/*
 * Loads the configuration from a file (path may be NULL) followed by the
 * command-line overrides argv[0..argc) in "--name value ..." form (values
 * until the next "--name" belong to that directive, as redis-server does).
 * On error returns -1 and writes into err (size errsize) Redis's message:
 *   *** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***
 *   Reading the configuration file, at line N
 *   >>> 'the line'
 *   <reason>
 * (no leading or trailing newline: print it as "\n%s\n" to stderr like
 * Redis). path "-" reads stdin; a lone "-" as the last argument (or the
 * first when path is NULL) also appends stdin after the file, as
 * redis-server does. Errors without a line (log file can't be opened) have
 * just the banner and the reason; a config file that can't be opened gives
 * "Fatal error, can't open config file '<path>': <strerror>" (Redis logs
 * that one as a log line). "dir" changes the process's cwd while loading.
 */
int config_load(const char *path, int argc, char **argv, char *err, size_t errsize);

/*
 * CONFIG GET: for every directive whose name matches one of the patterns,
 * calls emit(ctx, name, value) once (a directive matched by several patterns
 * is emitted once). Values are formatted as Redis formats them ("yes"/"no",
 * memory sizes as plain byte counts, save as "3600 1 300 100", bind as
 * "127.0.0.1 -::1", client-output-buffer-limit as
 * "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60").
 */
void config_get(const char **patterns, const size_t *plens, int npatterns,
                void (*emit)(void *ctx, const char *name, const char *value), void *ctx);

/*
 * CONFIG SET name value [name value ...]: all or nothing. Returns 0, or -1
 * with Redis's error message (without "-") in err, e.g.
 *   "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"
 *   "ERR CONFIG SET failed (possibly related to argument 'port') - ..."
 *   "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"
 * Protected directives (dir, dbfilename) are refused with "can't set
 * protected config" unless enable-protected-configs is "yes" (config_set
 * treats the client as remote, so "local" does not allow them).
 */
int config_set(const char **names, const size_t *nlens, const char **values, const size_t *vlens,
               int npairs, char *err, size_t errsize);

/* config_set for a client: client_is_local (unix socket or loopback
 * address) lets enable-protected-configs "local" allow dir / dbfilename. */
int config_set_from_client(const char **names, const size_t *nlens, const char **values,
                           const size_t *vlens, int npairs, int client_is_local, char *err,
                           size_t errsize);

/* Copies a string field under the lock into buf; returns buf ("" if NULL). */
const char *config_get_string(char *const *field, char *buf, size_t size);

/* Called after a successful CONFIG SET, once per directive set (even when
 * the value did not change), with the directive's canonical name, after
 * config_lock is released, so the owning module can react (e.g. timeout).
 * loglevel already calls log_set_level itself. Set by the server at
 * start-up; may be NULL. */
extern void (*config_on_change)(const char *name);

#endif
