/*
 * tandem-bench: the command line of the bench harness.
 *
 *   tandem-bench compare --scenario NAME|all [--out DIR] [--duration SECONDS]
 *                        [--rounds N] [--threads N] [--client-threads N]
 *                        [--tandem PATH] [--redis PATH] [--keyspace N]
 *   tandem-bench run [--host H] [-p PORT] [-c CONNECTIONS] [--client-threads N]
 *                    [-P DEPTH] [--mix set=1,get=1] [-r KEYSPACE] [--zipf THETA]
 *                    [-d VALUE_SIZE] [-n REQUESTS | --duration SECONDS]
 *                    [--rate OPS] [--fill]
 *   tandem-bench list
 *
 * compare runs a named scenario against redis-server and tandem-server side
 * by side (see bench/scenario.h and docs/bench.md); run drives one server
 * that is already up, for ad hoc measurements and for checking the harness
 * against redis-benchmark on the same settings.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench/hist.h"
#include "bench/load.h"
#include "bench/scenario.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tandem-bench compare --scenario NAME|all [--out DIR] [--duration SECONDS]\n"
            "                            [--rounds N] [--threads N] [--client-threads N]\n"
            "                            [--tandem PATH] [--redis PATH] [--keyspace N]\n"
            "       tandem-bench run [--host H] [-p PORT] [-c CONNECTIONS] [--client-threads N]\n"
            "                        [-P DEPTH] [--mix set=1,get=1] [-r KEYSPACE] [--zipf THETA]\n"
            "                        [-d VALUE_SIZE] [-n REQUESTS | --duration SECONDS]\n"
            "                        [--rate OPS] [--fill]\n"
            "       tandem-bench list\n"
            "scenarios:\n");
    scenario_list(out);
}

/* Strict number parsing: the whole argument, within [min, max]. */
static int parse_double(const char *text, double min, double max, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end != '\0' || v < min || v > max) return -1;
    *out = v;
    return 0;
}

static int parse_int(const char *text, long long min, long long max, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end != '\0' || v < min || v > max) return -1;
    *out = v;
    return 0;
}

/* The tandem-server built beside this binary (build/bench/tandem-bench and
 * build/tandem-server, or both installed in one bin directory), else the
 * one on PATH. */
static const char *default_tandem_binary(void)
{
    static char path[PATH_MAX];
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = '\0';
        char *dir = dirname(self);
        const char *candidates[] = {"%s/tandem-server", "%s/../tandem-server"};
        for (int i = 0; i < 2; i++) {
            snprintf(path, sizeof(path), candidates[i], dir);
            if (access(path, X_OK) == 0) return path;
        }
    }
    return "tandem-server";
}

static int bad_value(const char *option, const char *value)
{
    fprintf(stderr, "tandem-bench: bad value for %s: %s\n", option, value);
    return 2;
}

static int cmd_compare(int argc, char **argv)
{
    struct bench_options o = {.tandem_binary = default_tandem_binary(),
                              .out_dir = "bench-results",
                              .duration = 10,
                              .rounds = 5,
                              .server_threads = 2,
                              .client_threads = 2,
                              .progress = isatty(STDERR_FILENO)};
    const char *name = NULL;
    static const struct option longopts[] = {{"scenario", required_argument, NULL, 's'},
                                             {"out", required_argument, NULL, 'o'},
                                             {"duration", required_argument, NULL, 'D'},
                                             {"rounds", required_argument, NULL, 'R'},
                                             {"threads", required_argument, NULL, 'T'},
                                             {"client-threads", required_argument, NULL, 'C'},
                                             {"tandem", required_argument, NULL, 't'},
                                             {"redis", required_argument, NULL, 'r'},
                                             {"keyspace", required_argument, NULL, 'k'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int opt;
    long long n;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 's':
            name = optarg;
            break;
        case 'o':
            o.out_dir = optarg;
            break;
        case 'D':
            if (parse_double(optarg, 0.1, 86400, &o.duration) < 0)
                return bad_value("--duration", optarg);
            break;
        case 'R':
            if (parse_int(optarg, 1, 1000, &n) < 0) return bad_value("--rounds", optarg);
            o.rounds = (int)n;
            break;
        case 'T':
            if (parse_int(optarg, 1, 256, &n) < 0) return bad_value("--threads", optarg);
            o.server_threads = (int)n;
            break;
        case 'C':
            if (parse_int(optarg, 1, 256, &n) < 0) return bad_value("--client-threads", optarg);
            o.client_threads = (int)n;
            break;
        case 'k':
            if (parse_int(optarg, 1, 1LL << 40, &n) < 0) return bad_value("--keyspace", optarg);
            o.keyspace = (unsigned long long)n;
            break;
        case 't':
            o.tandem_binary = optarg;
            break;
        case 'r':
            o.redis_binary = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!name || optind != argc) {
        usage(stderr);
        return 2;
    }
    if (strcmp(name, "all") == 0) {
        for (const struct scenario *sc = scenario_first(); sc; sc = scenario_next(sc))
            if (scenario_compare(sc, &o) < 0) return 1;
        return 0;
    }
    const struct scenario *sc = scenario_find(name);
    if (!sc) {
        fprintf(stderr, "tandem-bench: no scenario named %s\n", name);
        usage(stderr);
        return 2;
    }
    return scenario_compare(sc, &o) < 0 ? 1 : 0;
}

static void run_progress(void *arg, uint64_t done, double elapsed)
{
    (void)arg;
    fprintf(stderr, "\r\033[K%9.1f s %12llu replies %10.0f ops/s", elapsed,
            (unsigned long long)done, elapsed > 0 ? (double)done / elapsed : 0);
    fflush(stderr);
}

static int cmd_run(int argc, char **argv)
{
    struct load_spec s = {.host = "127.0.0.1",
                          .port = 6379,
                          .connections = 50,
                          .threads = 2,
                          .pipeline = 1,
                          .keyspace = 1000000,
                          .value_size = 3,
                          .duration = 10,
                          .seed = 1};
    int fill = 0;
    load_parse_mix("set=1", s.mix);
    static const struct option longopts[] = {{"host", required_argument, NULL, 'H'},
                                             {"client-threads", required_argument, NULL, 'C'},
                                             {"mix", required_argument, NULL, 'm'},
                                             {"zipf", required_argument, NULL, 'z'},
                                             {"duration", required_argument, NULL, 'D'},
                                             {"rate", required_argument, NULL, 'a'},
                                             {"fill", no_argument, NULL, 'f'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int opt;
    long long n;
    double d;
    while ((opt = getopt_long(argc, argv, "p:c:P:r:d:n:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'H':
            s.host = optarg;
            break;
        case 'p':
            if (parse_int(optarg, 1, 65535, &n) < 0) return bad_value("-p", optarg);
            s.port = (int)n;
            break;
        case 'c':
            if (parse_int(optarg, 1, 100000, &n) < 0) return bad_value("-c", optarg);
            s.connections = (int)n;
            break;
        case 'C':
            if (parse_int(optarg, 1, 256, &n) < 0) return bad_value("--client-threads", optarg);
            s.threads = (int)n;
            break;
        case 'P':
            if (parse_int(optarg, 1, 100000, &n) < 0) return bad_value("-P", optarg);
            s.pipeline = (int)n;
            break;
        case 'r':
            if (parse_int(optarg, 1, 1LL << 40, &n) < 0) return bad_value("-r", optarg);
            s.keyspace = (uint64_t)n;
            break;
        case 'd':
            if (parse_int(optarg, 0, 512LL << 20, &n) < 0) return bad_value("-d", optarg);
            s.value_size = (size_t)n;
            break;
        case 'n':
            if (parse_int(optarg, 1, 1LL << 50, &n) < 0) return bad_value("-n", optarg);
            s.requests = (uint64_t)n;
            break;
        case 'm':
            if (load_parse_mix(optarg, s.mix) < 0) return bad_value("--mix", optarg);
            break;
        case 'z':
            if (parse_double(optarg, 0, 10, &s.zipf_theta) < 0) return bad_value("--zipf", optarg);
            break;
        case 'D':
            if (parse_double(optarg, 0.1, 86400, &s.duration) < 0)
                return bad_value("--duration", optarg);
            break;
        case 'a':
            if (parse_double(optarg, 1, 1e9, &d) < 0) return bad_value("--rate", optarg);
            s.rate = d;
            break;
        case 'f':
            fill = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    if (isatty(STDERR_FILENO)) s.progress = run_progress;
    char err[512];
    if (fill && load_fill(s.host, s.port, s.keyspace, s.value_size, err, sizeof(err)) < 0) {
        fprintf(stderr, "tandem-bench: %s\n", err);
        return 1;
    }
    struct load_result r;
    int rc = load_run(&s, &r, err, sizeof(err));
    if (s.progress) fprintf(stderr, "\r\033[K");
    if (rc < 0) {
        fprintf(stderr, "tandem-bench: %s\n", err);
        return 1;
    }
    printf("ops %llu\nerrors %llu\nseconds %.3f\nops_per_sec %.0f\n", (unsigned long long)r.ops,
           (unsigned long long)r.errors, r.seconds, r.seconds > 0 ? (double)r.ops / r.seconds : 0);
    const double pcts[] = {50, 90, 99, 99.9};
    const char *names[] = {"p50_us", "p90_us", "p99_us", "p999_us"};
    for (int i = 0; i < 4; i++)
        printf("%s %.1f\n", names[i], (double)hist_percentile(r.latency, pcts[i]) / 1e3);
    printf("max_us %.1f\n", (double)hist_max(r.latency) / 1e3);
    load_result_free(&r);
    return 0;
}

/* Many-connection scenarios need more descriptors than the usual soft
 * limit of 1024: take what the hard limit allows. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    raise_fd_limit();
    /* A server that dies mid-run must fail the run, not kill the harness. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "compare") == 0) return cmd_compare(argc - 1, argv + 1);
    if (strcmp(argv[1], "run") == 0) return cmd_run(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0) {
        scenario_list(stdout);
        return 0;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "tandem-bench: unknown command %s\n", argv[1]);
    usage(stderr);
    return 2;
}
