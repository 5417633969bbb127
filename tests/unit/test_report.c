/*
 * Unit tests for the bench harness's report (bench/report: figures, the
 * median table, CSV files, gnuplot PNGs) and server (bench/server:
 * starting, sampling and stopping a real redis-server) modules.
 *
 * The plots need gnuplot (tools/install-deps installs gnuplot-nox); the
 * server tests need redis-server and pass with a note when it is not
 * installed.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/report.h"
#include "bench/port.h"
#include "bench/server.h"

/* ---- helpers ------------------------------------------------------------ */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    remove(path);
    return 0;
}

static void tree_remove(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void temp_dir_make(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/tandem-test-report-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* The whole file as a NUL-terminated string; the caller frees it. */
static char *file_read(const char *path)
{
    FILE *f = fopen(path, "r");
    char *text = NULL;
    size_t size = 0;
    FILE *mem;
    int c;

    ck_assert_msg(f != NULL, "cannot open %s: %s", path, strerror(errno));
    mem = open_memstream(&text, &size);
    while ((c = fgetc(f)) != EOF) fputc(c, mem);
    fclose(mem);
    fclose(f);
    return text;
}

/* A round of one server with the figures given as name/value pairs. */
static struct result round_make(const char *server, int round, double ops, double p99)
{
    struct result r;

    memset(&r, 0, sizeof(r));
    snprintf(r.server, sizeof(r.server), "%s", server);
    r.round = round;
    result_set(&r, "ops_per_sec", ops);
    result_set(&r, "p99_us", p99);
    return r;
}

/* The table printed into *text, which the caller frees. (The caller owns
 * the pointer open_memstream updates: GCC's dangling-pointer check
 * misfires when it is a local returned from here.) */
static void table_print(char **text, const char *settings, const struct result *rows, int nrows)
{
    size_t size = 0;
    FILE *out = open_memstream(text, &size);

    ck_assert_ptr_nonnull(out);
    report_table(out, "get", settings, rows, nrows);
    fclose(out);
}

/* The table line of one figure, split into its four columns. */
static void table_line(const char *table, const char *figure, char cols[4][32])
{
    char prefix[64];
    const char *line;

    snprintf(prefix, sizeof(prefix), "\n%s ", figure);
    line = strstr(table, prefix);
    ck_assert_msg(line != NULL, "no line for %s in:\n%s", figure, table);
    ck_assert_int_eq(sscanf(line + 1, "%31s %31s %31s %31s", cols[0], cols[1], cols[2], cols[3]),
                     4);
    ck_assert_str_eq(cols[0], figure);
}

/* ---- result_set / result_get ------------------------------------------ */

START_TEST(test_result_set_get)
{
    struct result r;
    char name[32];

    memset(&r, 0, sizeof(r));
    result_set(&r, "ops_per_sec", 10);
    result_set(&r, "p99_us", 2.5);
    result_set(&r, "rss_bytes", 7);
    result_set(&r, "p99_us", 3.5); /* replaces, keeps its place */
    ck_assert_int_eq(r.nmetrics, 3);
    ck_assert_str_eq(r.m[0].name, "ops_per_sec");
    ck_assert_str_eq(r.m[1].name, "p99_us");
    ck_assert_str_eq(r.m[2].name, "rss_bytes");
    ck_assert(result_get(&r, "p99_us") == 3.5);
    ck_assert(result_get(&r, "ops_per_sec") == 10);
    ck_assert(isnan(result_get(&r, "p50_us")));

    for (int i = r.nmetrics; i < RESULT_MAX_METRICS + 3; i++) {
        snprintf(name, sizeof(name), "figure_%d", i);
        result_set(&r, name, i);
    }
    ck_assert_int_eq(r.nmetrics, RESULT_MAX_METRICS);
    ck_assert(result_get(&r, "figure_31") == 31);
    ck_assert(isnan(result_get(&r, "figure_32")));
}
END_TEST

/* ---- report_table ------------------------------------------------------- */

START_TEST(test_table_medians_and_ratio)
{
    static const char header[] = "scenario get: 4 threads, 3 rounds, medians\n";
    struct result rows[6];
    char cols[4][32];
    char *table = NULL;

    rows[0] = round_make("tandem", 1, 100, 0.5);
    rows[1] = round_make("redis", 1, 100, 0);
    rows[2] = round_make("tandem", 2, 300, 0.25);
    rows[3] = round_make("redis", 2, 50, 0);
    rows[4] = round_make("tandem", 3, 200, 0.75);
    rows[5] = round_make("redis", 3, 150, 0);
    result_set(&rows[4], "cpu_s_per_mop", 1.23456); /* tandem only, a later round */

    table_print(&table, "4 threads", rows, 6);
    ck_assert_msg(strncmp(table, header, strlen(header)) == 0, "%s", table);
    ck_assert_msg(strstr(table, "tandem/redis") != NULL, "%s", table);
    table_line(table, "ops_per_sec", cols);
    ck_assert_str_eq(cols[1], "200");
    ck_assert_str_eq(cols[2], "100");
    ck_assert_str_eq(cols[3], "2.00");
    table_line(table, "p99_us", cols);
    ck_assert_str_eq(cols[1], "0.5");
    ck_assert_str_eq(cols[2], "0");
    ck_assert_str_eq(cols[3], "-"); /* redis's median is 0 */
    table_line(table, "cpu_s_per_mop", cols);
    ck_assert_str_eq(cols[1], "1.23");
    ck_assert_str_eq(cols[2], "-");
    ck_assert_str_eq(cols[3], "-");
    /* Figures in the first result's order, later ones after them. */
    ck_assert(strstr(table, "\nops_per_sec") < strstr(table, "\np99_us"));
    ck_assert(strstr(table, "\np99_us") < strstr(table, "\ncpu_s_per_mop"));
    free(table);
}
END_TEST

START_TEST(test_table_even_rounds_and_alignment)
{
    struct result rows[4];
    char cols[4][32];
    char *table = NULL;
    char *line;
    size_t header_ratio;

    rows[0] = round_make("tandem", 1, 1000, 10);
    rows[1] = round_make("tandem", 2, 4000, 20);
    rows[2] = round_make("redis", 1, 1500, 30);
    rows[3] = round_make("redis", 2, 1500.4, 40);

    table_print(&table, "", rows, 4);
    ck_assert_msg(strncmp(table, "scenario get: 2 rounds, medians\n", 32) == 0, "%s", table);
    table_line(table, "ops_per_sec", cols);
    ck_assert_str_eq(cols[1], "2500"); /* mean of the middle two */
    ck_assert_str_eq(cols[2], "1500");
    ck_assert_str_eq(cols[3], "1.67");
    table_line(table, "p99_us", cols);
    ck_assert_str_eq(cols[1], "15");
    ck_assert_str_eq(cols[2], "35");
    ck_assert_str_eq(cols[3], "0.43");
    /* Every column ends where its header does. */
    line = strchr(table, '\n') + 1;
    header_ratio = (size_t)(strchr(line, '\n') - line);
    line = strstr(table, "\np99_us") + 1;
    ck_assert_uint_eq((size_t)(strchr(line, '\n') - line), header_ratio);
    free(table);
}
END_TEST

/* ---- report_csv --------------------------------------------------------- */

START_TEST(test_csv_files)
{
    struct result rows[3];
    char dir[128];
    char nested[192];
    char path[256];
    char err[256] = "";
    char *text;

    rows[0] = round_make("tandem", 1, 1000.5, 0.125);
    rows[1] = round_make("redis", 1, 500, 0.25);
    rows[2] = round_make("tandem", 2, 3000, 0.375);
    result_set(&rows[2], "rss_bytes", 4096);
    temp_dir_make(dir, sizeof(dir));
    snprintf(nested, sizeof(nested), "%s/out/csv", dir);

    ck_assert_msg(report_csv(nested, "set", rows, 3, err, sizeof(err)) == 0, "%s", err);
    snprintf(path, sizeof(path), "%s/set-rounds.csv", nested);
    text = file_read(path);
    ck_assert_str_eq(text, "scenario,server,round,ops_per_sec,p99_us,rss_bytes\n"
                           "set,tandem,1,1000.5,0.125,\n"
                           "set,redis,1,500,0.25,\n"
                           "set,tandem,2,3000,0.375,4096\n");
    free(text);
    snprintf(path, sizeof(path), "%s/set-summary.csv", nested);
    text = file_read(path);
    ck_assert_str_eq(text, "figure,tandem,redis,ratio\n"
                           "ops_per_sec,2000.25,500,4.0005\n"
                           "p99_us,0.25,0.25,1\n"
                           "rss_bytes,4096,,\n");
    free(text);

    /* An existing directory is fine; a file where the directory should be
     * is not. */
    ck_assert_msg(report_csv(nested, "set", rows, 3, err, sizeof(err)) == 0, "%s", err);
    snprintf(path, sizeof(path), "%s/set-rounds.csv/x", nested);
    ck_assert_int_eq(report_csv(path, "set", rows, 3, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "set-rounds.csv") != NULL, "%s", err);
    tree_remove(dir);
}
END_TEST

/* ---- report_plots ------------------------------------------------------- */

static void assert_png(const char *path)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char head[8];
    FILE *f = fopen(path, "rb");
    struct stat st;

    ck_assert_msg(f != NULL, "no %s", path);
    ck_assert_uint_eq(fread(head, 1, sizeof(head), f), sizeof(head));
    fclose(f);
    ck_assert(memcmp(head, signature, sizeof(signature)) == 0);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_gt(st.st_size, 1000);
}

static void rows_with_latency(struct result *rows, int nrounds)
{
    for (int i = 0; i < nrounds * 2; i++) {
        const char *server = i % 2 == 0 ? "tandem" : "redis";
        double scale = i % 2 == 0 ? 1.0 : 1.5;

        rows[i] = round_make(server, i / 2 + 1, 100000.0 / scale + i * 1000, 80 * scale);
        result_set(&rows[i], "p50_us", 20 * scale);
        result_set(&rows[i], "p90_us", 45 * scale);
        result_set(&rows[i], "p999_us", 300 * scale);
        result_set(&rows[i], "max_us", 2500 * scale);
    }
}

START_TEST(test_plots_write_pngs)
{
    struct result rows[10];
    char dir[128];
    char path[256];
    char err[512] = "";
    struct stat st;

    rows_with_latency(rows, 5);
    temp_dir_make(dir, sizeof(dir));
    ck_assert_msg(report_plots(dir, "get_zipf", rows, 10, err, sizeof(err)) == 0, "%s", err);
    snprintf(path, sizeof(path), "%s/get_zipf-throughput.png", dir);
    assert_png(path);
    snprintf(path, sizeof(path), "%s/get_zipf-latency.png", dir);
    assert_png(path);
    snprintf(path, sizeof(path), "%s/get_zipf.gp", dir);
    ck_assert_int_eq(stat(path, &st), 0);
    snprintf(path, sizeof(path), "%s/get_zipf-gnuplot.log", dir);
    ck_assert_int_ne(stat(path, &st), 0); /* kept only on failure */
    tree_remove(dir);
}
END_TEST

START_TEST(test_plots_skip_absent_figures)
{
    struct result rows[2];
    char dir[128];
    char path[256];
    char err[512] = "";
    struct stat st;

    /* One round, throughput only: no latency plot. */
    memset(rows, 0, sizeof(rows));
    snprintf(rows[0].server, sizeof(rows[0].server), "tandem");
    snprintf(rows[1].server, sizeof(rows[1].server), "redis");
    rows[0].round = rows[1].round = 1;
    result_set(&rows[0], "ops_per_sec", 12345);
    result_set(&rows[1], "ops_per_sec", 23456);
    temp_dir_make(dir, sizeof(dir));
    ck_assert_msg(report_plots(dir, "one", rows, 2, err, sizeof(err)) == 0, "%s", err);
    snprintf(path, sizeof(path), "%s/one-throughput.png", dir);
    assert_png(path);
    snprintf(path, sizeof(path), "%s/one-latency.png", dir);
    ck_assert_int_ne(stat(path, &st), 0);

    /* Nothing to draw at all is not an error. */
    memset(rows, 0, sizeof(rows));
    ck_assert_msg(report_plots(dir, "none", rows, 2, err, sizeof(err)) == 0, "%s", err);
    tree_remove(dir);
}
END_TEST

START_TEST(test_plots_without_gnuplot)
{
    struct result rows[4];
    char dir[128];
    char err[512] = "";
    char *saved = strdup(getenv("PATH") != NULL ? getenv("PATH") : "/usr/bin:/bin");
    int rc;

    rows_with_latency(rows, 2);
    temp_dir_make(dir, sizeof(dir));
    setenv("PATH", dir, 1); /* an empty directory */
    rc = report_plots(dir, "get", rows, 4, err, sizeof(err));
    setenv("PATH", saved, 1);
    free(saved);
    ck_assert_int_eq(rc, -1);
    ck_assert_msg(strstr(err, "gnuplot") != NULL, "%s", err);
    tree_remove(dir);
}
END_TEST

/* ---- server ------------------------------------------------------------- */

static int redis_installed(void)
{
    const char *path = getenv("PATH");
    char candidate[4096];

    while (path != NULL && *path != '\0') {
        const char *end = strchrnul(path, ':');

        snprintf(candidate, sizeof(candidate), "%.*s/redis-server", (int)(end - path), path);
        if (end > path && access(candidate, X_OK) == 0) return 1;
        path = *end == ':' ? end + 1 : end;
    }
    fprintf(stderr, "note: redis-server is not installed; server tests skipped\n");
    return 0;
}

START_TEST(test_server_redis_lifecycle)
{
    static const char *const ping[] = {"PING", NULL};
    static const char *const set[] = {"SET", "k", "v", NULL};
    static const char *const bad[] = {"NO-SUCH-COMMAND", NULL};
    struct server s;
    char err[1024] = "";
    char version[64];
    char dir[256];
    struct stat st;
    pid_t pid;

    if (!redis_installed()) return;
    ck_assert_msg(server_start(&s, SERVER_REDIS, NULL, 4, NULL, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(s.name, "redis");
    ck_assert_int_gt(s.port, 0);
    ck_assert_int_gt(s.pid, 0);
    ck_assert_int_eq(server_command(&s, ping), 0);
    ck_assert_int_eq(server_command(&s, set), 0);
    ck_assert_int_ne(server_command(&s, bad), 0);
    ck_assert_int_eq(server_info_field(&s, "server", "redis_version", version, sizeof(version)), 0);
    ck_assert_msg(strchr(version, '.') != NULL, "version %s", version);
    ck_assert_int_eq(server_info_field(&s, "server", "no_such_field", version, sizeof(version)),
                     -1);
    ck_assert_int_eq(server_info_field(&s, "server", "redis_version", version, 2), -1);
    ck_assert(server_cpu_seconds(&s) >= 0);
    ck_assert(server_rss_bytes(&s) > 0);
    ck_assert_int_eq(stat(s.log, &st), 0); /* the log is where we said */
    ck_assert(strncmp(s.log, s.dir, strlen(s.dir)) == 0);

    snprintf(dir, sizeof(dir), "%s", s.dir);
    pid = s.pid;
    server_stop(&s);
    ck_assert_int_eq(s.pid, 0);
    ck_assert_int_ne(stat(dir, &st), 0);
    ck_assert_int_eq(kill(pid, 0), -1);
    ck_assert(server_cpu_seconds(&s) < 0);
    ck_assert(server_rss_bytes(&s) < 0);
    server_stop(&s); /* twice is harmless */
}
END_TEST

START_TEST(test_server_kill_keeps_dir)
{
    struct server s;
    char err[1024] = "";
    char dir[256];
    struct stat st;
    pid_t pid;

    if (!redis_installed()) return;
    ck_assert_msg(server_start(&s, SERVER_REDIS, NULL, 0, NULL, err, sizeof(err)) == 0, "%s", err);
    pid = s.pid;
    snprintf(dir, sizeof(dir), "%s", s.dir);
    server_kill(&s);
    ck_assert_int_eq(kill(pid, 0), -1);
    ck_assert(server_cpu_seconds(&s) < 0);
    ck_assert_int_eq(server_info_field(&s, "server", "redis_version", err, sizeof(err)), -1);
    ck_assert_int_eq(stat(dir, &st), 0);
    server_stop(&s);
    ck_assert_int_ne(stat(dir, &st), 0);
}
END_TEST

START_TEST(test_server_start_failures)
{
    static const char *const bad_option[] = {"--no-such-option", "1", NULL};
    struct server s;
    char err[2048] = "";

    if (!redis_installed()) return;
    /* A bad argument: redis exits at once, and nothing stays behind. */
    ck_assert_int_eq(server_start(&s, SERVER_REDIS, NULL, 0, bad_option, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "exited during start-up") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "--no-such-option") != NULL, "%s", err);
    ck_assert_int_eq(s.pid, 0);
    ck_assert_str_eq(s.dir, "");
    server_stop(&s);

    ck_assert_int_eq(
        server_start(&s, SERVER_REDIS, "/nonexistent/redis-server", 0, NULL, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "/nonexistent/redis-server") != NULL, "%s", err);
    ck_assert_int_eq(server_start(&s, SERVER_TANDEM, NULL, 2, NULL, err, sizeof(err)), -1);
    server_stop(&s);
}
END_TEST

START_TEST(test_port_free_loopback)
{
    int port = port_free_loopback();

    ck_assert_int_gt(port, 0);
    ck_assert_int_lt(port, 65536);
}
END_TEST

static Suite *report_suite(void)
{
    Suite *suite = suite_create("report");
    TCase *figures = tcase_create("figures");
    TCase *files = tcase_create("files");
    TCase *servers = tcase_create("server");

    tcase_add_test(figures, test_result_set_get);
    tcase_add_test(figures, test_table_medians_and_ratio);
    tcase_add_test(figures, test_table_even_rounds_and_alignment);
    tcase_add_test(files, test_csv_files);
    tcase_add_test(files, test_plots_write_pngs);
    tcase_add_test(files, test_plots_skip_absent_figures);
    tcase_add_test(files, test_plots_without_gnuplot);
    tcase_add_test(servers, test_port_free_loopback);
    tcase_add_test(servers, test_server_redis_lifecycle);
    tcase_add_test(servers, test_server_kill_keeps_dir);
    tcase_add_test(servers, test_server_start_failures);
    tcase_set_timeout(servers, 60);
    suite_add_tcase(suite, figures);
    suite_add_tcase(suite, files);
    suite_add_tcase(suite, servers);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(report_suite());
    int failed;

    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
