/*
 * info: INFO sections. See info.h.
 *
 * Sections are written into a growable text buffer and sent as one bulk
 * reply. Statistics kept per worker are summed here.
 */
#define _GNU_SOURCE
#include "engine/info.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "engine/blocking.h"
#include "engine/repl.h"
#include "engine/client.h"
#include "engine/config.h"
#include "engine/keyspace.h"
#include "engine/metrics.h"
#include "engine/persist.h"
#include "engine/pubsub.h"
#include "engine/reply.h"
#include "engine/server.h"
#include "engine/strbuf.h"
#include "engine/util.h"

struct info_text {
    struct strbuf b;
    int sections;
};

static void info_printf(struct info_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void info_printf(struct info_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&t->b, fmt, ap);
    va_end(ap);
}

static void info_section(struct info_text *t, const char *title)
{
    if (t->sections++) info_printf(t, "\r\n");
    info_printf(t, "# %s\r\n", title);
}

/* Redis's bytesToHuman: B, K, M, G, T, P with two decimals. */
static void bytes_to_human(char *s, size_t size, unsigned long long n)
{
    static const char units[] = "KMGTP";
    if (n < 1024) {
        snprintf(s, size, "%lluB", n);
        return;
    }
    double d = (double)n / 1024;
    int u = 0;
    while (d >= 1024 && u < 4) {
        d /= 1024;
        u++;
    }
    snprintf(s, size, "%.2f%c", d, units[u]);
}

static uint64_t sum_worker(size_t offset)
{
    uint64_t total = 0;
    for (int i = 0; i < server.nstates; i++) {
        const uint64_t *p = (const uint64_t *)((const char *)&server.workers[i] + offset);
        total += stat_read(p);
    }
    return total;
}

#define SUM_WORKER(field) sum_worker(offsetof(struct worker_state, field))

void info_totals(uint64_t *commands, uint64_t *net_in, uint64_t *net_out)
{
    *commands = SUM_WORKER(commands_processed);
    *net_in = SUM_WORKER(net_input_bytes);
    *net_out = SUM_WORKER(net_output_bytes);
}

static void info_server(struct info_text *t)
{
    static struct utsname name;
    if (!name.sysname[0]) uname(&name);
    int64_t now_us = util_us_now();
    long long uptime = (util_ms_now() - server.start_time_ms) / 1000;
    char config_file[1024];
    config_get_string(&config.config_file, config_file, sizeof(config_file));
    info_section(t, "Server");
    info_printf(t,
                "redis_version:%s\r\n"
                "redis_git_sha1:00000000\r\n"
                "redis_git_dirty:0\r\n"
                "redis_build_id:0\r\n"
                "redis_mode:standalone\r\n"
                "tandem_version:%s\r\n"
                "os:%s %s %s\r\n"
                "arch_bits:%d\r\n"
                "monotonic_clock:POSIX clock_gettime\r\n"
                "multiplexing_api:io_uring\r\n"
                "atomicvar_api:c11-builtin\r\n"
                "gcc_version:%d.%d.%d\r\n"
                "process_id:%d\r\n"
                "process_supervised:no\r\n"
                "run_id:%s\r\n"
                "tcp_port:%d\r\n"
                "server_time_usec:%lld\r\n"
                "uptime_in_seconds:%lld\r\n"
                "uptime_in_days:%lld\r\n"
                "hz:%d\r\n"
                "configured_hz:%d\r\n"
                "lru_clock:%u\r\n"
                "executable:%s\r\n"
                "config_file:%s\r\n"
                "io_threads_active:0\r\n"
                "worker_threads:%d\r\n",
                REDIS_COMPAT_VERSION, TANDEM_VERSION, name.sysname, name.release, name.machine,
                (int)(sizeof(long) * 8), __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__,
                (int)getpid(), server.run_id, config.port, (long long)now_us, uptime,
                uptime / 86400, CONFIG_READ(hz), CONFIG_READ(hz), ks_lru_clock() & ((1u << 24) - 1),
                server.executable, config_file, server.nworkers);
}

static void info_clients(struct info_text *t)
{
    info_section(t, "Clients");
    info_printf(t,
                "connected_clients:%lld\r\n"
                "cluster_connections:0\r\n"
                "maxclients:%lld\r\n"
                "client_recent_max_input_buffer:0\r\n"
                "client_recent_max_output_buffer:0\r\n"
                "blocked_clients:%lld\r\n"
                "tracking_clients:0\r\n"
                "clients_in_timeout_table:%lld\r\n",
                client_count(), CONFIG_READ(maxclients), blocking_clients(),
                blocking_clients_with_timeout());
}

static void info_memory(struct info_text *t)
{
    size_t used = mem_used(), rss = mem_rss(), peak = mem_peak();
    if (used > peak) peak = used;
    size_t allocated, active, resident;
    mem_allocator_stats(&allocated, &active, &resident);
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    unsigned long long system = (unsigned long long)pages * (unsigned long long)page;
    char h_used[32], h_rss[32], h_peak[32], h_system[32];
    bytes_to_human(h_used, sizeof(h_used), used);
    bytes_to_human(h_rss, sizeof(h_rss), rss);
    bytes_to_human(h_peak, sizeof(h_peak), peak);
    bytes_to_human(h_system, sizeof(h_system), system);
    double frag = used ? (double)rss / (double)used : 0;
    info_section(t, "Memory");
    info_printf(t,
                "used_memory:%zu\r\n"
                "used_memory_human:%s\r\n"
                "used_memory_rss:%zu\r\n"
                "used_memory_rss_human:%s\r\n"
                "used_memory_peak:%zu\r\n"
                "used_memory_peak_human:%s\r\n"
                "used_memory_peak_perc:%.2f%%\r\n"
                "allocator_allocated:%zu\r\n"
                "allocator_active:%zu\r\n"
                "allocator_resident:%zu\r\n"
                "total_system_memory:%llu\r\n"
                "total_system_memory_human:%s\r\n"
                "maxmemory:0\r\n"
                "maxmemory_human:0B\r\n"
                "maxmemory_policy:noeviction\r\n"
                "allocator_frag_ratio:%.2f\r\n"
                "allocator_rss_ratio:%.2f\r\n"
                "mem_fragmentation_ratio:%.2f\r\n"
                "mem_fragmentation_bytes:%zd\r\n"
                "mem_replication_backlog:0\r\n"
                "mem_clients_slaves:0\r\n"
                "mem_allocator:%s\r\n",
                used, h_used, rss, h_rss, peak, h_peak,
                peak ? 100.0 * (double)used / (double)peak : 0, allocated, active, resident, system,
                h_system, allocated ? (double)active / (double)allocated : 0,
                active ? (double)resident / (double)active : 0, frag, (ssize_t)rss - (ssize_t)used,
                mem_allocator_name());
}

static void info_persistence(struct info_text *t)
{
    info_section(t, "Persistence");
    info_printf(t,
                "loading:0\r\n"
                "async_loading:0\r\n"
                "rdb_changes_since_last_save:%llu\r\n"
                "rdb_bgsave_in_progress:0\r\n"
                "rdb_last_save_time:%lld\r\n"
                "rdb_last_bgsave_status:%s\r\n"
                "rdb_saves:%lld\r\n"
                "aof_enabled:0\r\n"
                "aof_rewrite_in_progress:0\r\n"
                "aof_last_write_status:ok\r\n",
                (unsigned long long)(SUM_WORKER(dirty) - persist_dirty_at_last_save()),
                persist_lastsave(), persist_last_save_ok() ? "ok" : "err", persist_saves());
}

static void info_stats(struct info_text *t)
{
    info_section(t, "Stats");
    info_printf(t,
                "total_connections_received:%llu\r\n"
                "total_commands_processed:%llu\r\n"
                "instantaneous_ops_per_sec:%lld\r\n"
                "total_net_input_bytes:%llu\r\n"
                "total_net_output_bytes:%llu\r\n"
                "total_net_repl_input_bytes:0\r\n"
                "total_net_repl_output_bytes:0\r\n"
                "instantaneous_input_kbps:%.2f\r\n"
                "instantaneous_output_kbps:%.2f\r\n"
                "instantaneous_input_repl_kbps:0.00\r\n"
                "instantaneous_output_repl_kbps:0.00\r\n"
                "rejected_connections:%llu\r\n"
                "sync_full:%llu\r\n"
                "sync_partial_ok:%llu\r\n"
                "sync_partial_err:%llu\r\n"
                "expired_keys:%llu\r\n"
                "evicted_keys:0\r\n"
                "keyspace_hits:%llu\r\n"
                "keyspace_misses:%llu\r\n"
                "pubsub_channels:%lld\r\n"
                "pubsub_patterns:%lld\r\n"
                "latest_fork_usec:0\r\n"
                "total_forks:0\r\n"
                "total_error_replies:%llu\r\n",
                (unsigned long long)atomic_load(&server.total_connections_received),
                (unsigned long long)SUM_WORKER(commands_processed), metrics_rate(METRIC_COMMANDS),
                (unsigned long long)SUM_WORKER(net_input_bytes),
                (unsigned long long)SUM_WORKER(net_output_bytes),
                (double)metrics_rate(METRIC_NET_INPUT) / 1024,
                (double)metrics_rate(METRIC_NET_OUTPUT) / 1024,
                (unsigned long long)atomic_load(&server.rejected_connections), repl_sync_full(),
                repl_sync_partial_ok(), repl_sync_partial_err(),
                (unsigned long long)atomic_load(&keyspace.expired_keys),
                (unsigned long long)SUM_WORKER(keyspace_hits),
                (unsigned long long)SUM_WORKER(keyspace_misses), pubsub_channel_count(),
                pubsub_pattern_count(),
                (unsigned long long)atomic_load(&server.total_error_replies));
}

static void info_replication(struct info_text *t)
{
    info_section(t, "Replication");
    char *text = repl_info_text();
    info_printf(t, "%s", text);
    mem_free(text);
}

static void info_cpu(struct info_text *t)
{
    struct rusage self, children;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    info_section(t, "CPU");
    info_printf(t,
                "used_cpu_sys:%ld.%06ld\r\n"
                "used_cpu_user:%ld.%06ld\r\n"
                "used_cpu_sys_children:%ld.%06ld\r\n"
                "used_cpu_user_children:%ld.%06ld\r\n",
                (long)self.ru_stime.tv_sec, (long)self.ru_stime.tv_usec, (long)self.ru_utime.tv_sec,
                (long)self.ru_utime.tv_usec, (long)children.ru_stime.tv_sec,
                (long)children.ru_stime.tv_usec, (long)children.ru_utime.tv_sec,
                (long)children.ru_utime.tv_usec);
}

static void info_cluster(struct info_text *t)
{
    info_section(t, "Cluster");
    info_printf(t, "cluster_enabled:0\r\n");
}

static void info_commandstats(struct info_text *t)
{
    info_section(t, "Commandstats");
    int n = command_count_all();
    for (int id = 0; id < n; id++) {
        struct command_stats sum = {0};
        for (int w = 0; w < server.nstates; w++) {
            const struct command_stats *s = &server.workers[w].cmdstats[id];
            if (!server.workers[w].cmdstats) continue;
            sum.calls += stat_read(&s->calls);
            sum.usec += stat_read(&s->usec);
            sum.rejected_calls += stat_read(&s->rejected_calls);
            sum.failed_calls += stat_read(&s->failed_calls);
        }
        if (!sum.calls && !sum.rejected_calls && !sum.failed_calls) continue;
        char name[128];
        command_fullname(command_by_id(id), name, sizeof(name));
        info_printf(t,
                    "cmdstat_%s:calls=%llu,usec=%llu,usec_per_call=%.2f,rejected_calls=%llu,"
                    "failed_calls=%llu\r\n",
                    name, (unsigned long long)sum.calls, (unsigned long long)sum.usec,
                    sum.calls ? (double)sum.usec / (double)sum.calls : 0.0,
                    (unsigned long long)sum.rejected_calls, (unsigned long long)sum.failed_calls);
    }
}

struct error_total {
    const char *code;
    uint64_t count;
};

static int error_total_cmp(const void *a, const void *b)
{
    return strcmp(((const struct error_total *)a)->code, ((const struct error_total *)b)->code);
}

/* Error counts by code summed over the workers, in code order as Redis
 * lists them (its error table is a radix tree). */
static void info_errorstats(struct info_text *t)
{
    info_section(t, "Errorstats");
    struct error_total *totals =
        mem_alloc(sizeof(*totals) * (size_t)server.nstates * ERRORSTATS_MAX);
    int n = 0;
    for (int w = 0; w < server.nstates; w++) {
        struct worker_state *ws = &server.workers[w];
        int count = __atomic_load_n(&ws->nerrors, __ATOMIC_ACQUIRE);
        for (int e = 0; e < count; e++) {
            int found = -1;
            for (int k = 0; k < n && found < 0; k++)
                if (strcmp(totals[k].code, ws->errors[e].code) == 0) found = k;
            if (found < 0) {
                found = n++;
                totals[found].code = ws->errors[e].code;
                totals[found].count = 0;
            }
            totals[found].count += stat_read(&ws->errors[e].count);
        }
    }
    qsort(totals, (size_t)n, sizeof(*totals), error_total_cmp);
    for (int k = 0; k < n; k++)
        if (totals[k].count)
            info_printf(t, "errorstat_%s:count=%llu\r\n", totals[k].code,
                        (unsigned long long)totals[k].count);
    mem_free(totals);
}

static void info_keyspace(struct info_text *t)
{
    info_section(t, "Keyspace");
    for (int d = 0; d < keyspace.ndbs; d++) {
        struct db *db = ks_db(d);
        uint64_t keys = ks_db_size(db);
        if (keys == 0) continue;
        info_printf(t, "db%d:keys=%llu,expires=%llu,avg_ttl=%lld\r\n", d, (unsigned long long)keys,
                    (unsigned long long)ks_db_expires(db), (long long)atomic_load(&db->avg_ttl));
    }
}

struct info_section_def {
    const char *name;
    void (*fn)(struct info_text *t);
    int in_default;
};

static const struct info_section_def sections[] = {
    {"server", info_server, 1},
    {"clients", info_clients, 1},
    {"memory", info_memory, 1},
    {"persistence", info_persistence, 1},
    {"stats", info_stats, 1},
    {"replication", info_replication, 1},
    {"cpu", info_cpu, 1},
    {"commandstats", info_commandstats, 0},
    {"errorstats", info_errorstats, 1},
    {"cluster", info_cluster, 1},
    {"keyspace", info_keyspace, 1},
};
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

/* INFO [section ...]: "default" (also no argument), "all" and "everything"
 * as Redis; names are case-insensitive; unknown names add nothing. */
void info_command(struct cmdctx *ctx)
{
    int want[NSECTIONS] = {0};
    if (ctx->argc == 1) {
        for (size_t s = 0; s < NSECTIONS; s++) want[s] = sections[s].in_default;
    }
    for (int i = 1; i < ctx->argc; i++) {
        const struct resp_arg *a = &ctx->argv[i];
        int all = arg_eq(a, "all") || arg_eq(a, "everything");
        int def = arg_eq(a, "default");
        for (size_t s = 0; s < NSECTIONS; s++)
            if (all || (def && sections[s].in_default) || arg_eq(a, sections[s].name)) want[s] = 1;
    }
    struct info_text t = {0};
    for (size_t s = 0; s < NSECTIONS; s++)
        if (want[s]) sections[s].fn(&t);
    reply_verbatim(ctx->out, t.b.p ? t.b.p : "", t.b.len);
    strbuf_free(&t.b);
}
