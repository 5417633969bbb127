/*
 * report: turns a scenario's rounds into what a person reads. Each round
 * gives one struct result per server, a small ordered list of named
 * figures. The report summarises a figure by its median over the rounds
 * (one slow round, a neighbour's cron job, must not move the headline),
 * and compares tandem with redis as the ratio of those medians.
 *
 * Three outputs: an aligned text table; two CSV files, every round and
 * the medians, for anyone who wants to redo the arithmetic; and PNG plots
 * drawn by running gnuplot on a script and data files written next to
 * them, so a plot can be restyled by editing the script and rerunning
 * gnuplot by hand.
 */
#define _GNU_SOURCE
#include "bench/report.h"

#include "bench/error.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FIGURES (RESULT_MAX_METRICS * 2)
#define MAX_SERVERS 8
#define VALUE_WIDTH 12
#define GNUPLOT_TIMEOUT_MS 60000
#define GNUPLOT_TAIL_BYTES 1024

/* The latency figures the latency plot draws, left to right, and their
 * labels on the x axis. */
static const struct {
    const char *figure;
    const char *label;
} latency_figures[] = {
    {"p50_us", "p50"},    {"p90_us", "p90"}, {"p99_us", "p99"},
    {"p999_us", "p99.9"}, {"max_us", "max"},
};
#define LATENCY_FIGURES ((int)(sizeof(latency_figures) / sizeof(latency_figures[0])))

/* Figure and server names in first-seen order, pointing into the rows. */
struct name_list {
    int n;
    const char *names[MAX_FIGURES];
};

/* What report_plots draws, worked out before anything is written. */
struct plot_plan {
    struct name_list servers;
    int rounds;
    int throughput_of[MAX_SERVERS]; /* the server has ops_per_sec values */
    int throughput_servers;
    double latency[LATENCY_FIGURES][MAX_SERVERS]; /* medians; NAN: none */
    int latency_of[MAX_SERVERS];
    int latency_servers;
    int latency_figure_present[LATENCY_FIGURES];
    char script[PATH_MAX];
    char log[PATH_MAX];
    char throughput_data[PATH_MAX];
    char throughput_png[PATH_MAX];
    char latency_data[PATH_MAX];
    char latency_png[PATH_MAX];
};

/* Replaces the figure when the round already has it, so a scenario can
 * refine a value without reordering the table. A figure beyond
 * RESULT_MAX_METRICS is a bug in the scenario, said out loud on stderr. */
void result_set(struct result *r, const char *name, double value)
{
    for (int i = 0; i < r->nmetrics; i++) {
        if (strcmp(r->m[i].name, name) == 0) {
            r->m[i].value = value;
            return;
        }
    }
    if (r->nmetrics >= RESULT_MAX_METRICS) {
        fprintf(stderr, "report: round %d of %s has more than %d figures; %s dropped\n", r->round,
                r->server, RESULT_MAX_METRICS, name);
        return;
    }
    snprintf(r->m[r->nmetrics].name, sizeof(r->m[0].name), "%s", name);
    r->m[r->nmetrics].value = value;
    r->nmetrics++;
}

double result_get(const struct result *r, const char *name)
{
    for (int i = 0; i < r->nmetrics; i++)
        if (strcmp(r->m[i].name, name) == 0) return r->m[i].value;
    return NAN;
}

static void names_add(struct name_list *list, const char *name, int max)
{
    for (int i = 0; i < list->n; i++)
        if (strcmp(list->names[i], name) == 0) return;
    if (list->n < max) list->names[list->n++] = name;
}

/* The table's rows: the first result's figures in its order, then any
 * figure only later rounds have (rather than hiding it). */
static void figures_collect(const struct result *rows, int nrows, struct name_list *figures)
{
    figures->n = 0;
    for (int i = 0; i < nrows; i++)
        for (int j = 0; j < rows[i].nmetrics; j++)
            names_add(figures, rows[i].m[j].name, MAX_FIGURES);
}

static void servers_collect(const struct result *rows, int nrows, struct name_list *servers)
{
    servers->n = 0;
    for (int i = 0; i < nrows; i++) names_add(servers, rows[i].server, MAX_SERVERS);
}

/* The highest round number: the round count when rounds run 1..N. */
static int rounds_count(const struct result *rows, int nrows)
{
    int rounds = 0;

    for (int i = 0; i < nrows; i++)
        if (rows[i].round > rounds) rounds = rows[i].round;
    return rounds;
}

static int double_compare(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Median over the rounds of one server that have the figure (the mean of
 * the middle two for an even count); NAN when none has it. */
static double median_of(const struct result *rows, int nrows, const char *server,
                        const char *figure)
{
    double *values = malloc(sizeof(double) * (size_t)(nrows > 0 ? nrows : 1));
    double median = NAN;
    int n = 0;

    if (values == NULL) goto out;
    for (int i = 0; i < nrows; i++) {
        double v;

        if (strcmp(rows[i].server, server) != 0) continue;
        v = result_get(&rows[i], figure);
        if (!isnan(v)) values[n++] = v;
    }
    if (n == 0) goto out;
    qsort(values, (size_t)n, sizeof(double), double_compare);
    median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
out:
    free(values);
    return median;
}

/* tandem/redis; NAN when either is missing or redis's is 0. */
static double ratio_of(double tandem, double redis)
{
    if (isnan(tandem) || isnan(redis) || redis == 0) return NAN;
    return tandem / redis;
}

/* How the table shows a figure: "-" when missing, whole numbers (ops/s,
 * bytes, microseconds in the thousands) without decimals, anything
 * smaller with three significant digits. */
static void number_format(double v, char *out, size_t outsize)
{
    if (isnan(v))
        snprintf(out, outsize, "-");
    else if (fabs(v) >= 1000 || v == trunc(v))
        snprintf(out, outsize, "%.0f", v);
    else
        snprintf(out, outsize, "%.3g", v);
}

void report_table(FILE *out, const char *scenario, const char *settings, const struct result *rows,
                  int nrows)
{
    struct name_list figures;
    int width = (int)strlen("figure");

    figures_collect(rows, nrows, &figures);
    for (int i = 0; i < figures.n; i++)
        if ((int)strlen(figures.names[i]) > width) width = (int)strlen(figures.names[i]);
    fprintf(out, "scenario %s: %s%s%d rounds, medians\n", scenario,
            settings != NULL ? settings : "", settings != NULL && *settings ? ", " : "",
            rounds_count(rows, nrows));
    fprintf(out, "%-*s  %*s  %*s  %*s\n", width, "figure", VALUE_WIDTH, "tandem", VALUE_WIDTH,
            "redis", VALUE_WIDTH, "tandem/redis");
    for (int i = 0; i < figures.n; i++) {
        double tandem = median_of(rows, nrows, "tandem", figures.names[i]);
        double redis = median_of(rows, nrows, "redis", figures.names[i]);
        double ratio = ratio_of(tandem, redis);
        char tandem_text[32];
        char redis_text[32];
        char ratio_text[32];

        number_format(tandem, tandem_text, sizeof(tandem_text));
        number_format(redis, redis_text, sizeof(redis_text));
        if (isnan(ratio))
            snprintf(ratio_text, sizeof(ratio_text), "-");
        else
            snprintf(ratio_text, sizeof(ratio_text), "%.2f", ratio);
        fprintf(out, "%-*s  %*s  %*s  %*s\n", width, figures.names[i], VALUE_WIDTH, tandem_text,
                VALUE_WIDTH, redis_text, VALUE_WIDTH, ratio_text);
    }
}

/* mkdir -p: creates every missing directory on the way to dir. */
static int dir_make(const char *dir, char *err, size_t errsize)
{
    char path[PATH_MAX];
    struct stat st;

    if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
        bench_error(err, errsize, "directory name too long: %s", dir);
        return -1;
    }
    for (char *p = path + 1; *p != '\0'; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) goto fail;
        *p = '/';
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST) goto fail;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        bench_error(err, errsize, "%s is not a directory", dir);
        return -1;
    }
    return 0;
fail:
    bench_error(err, errsize, "cannot create directory %s: %s", path, strerror(errno));
    return -1;
}

/* <dir>/<scenario><suffix>, or -1 when it does not fit. */
static int path_make(char *out, const char *dir, const char *scenario, const char *suffix,
                     char *err, size_t errsize)
{
    if (snprintf(out, PATH_MAX, "%s/%s%s", dir, scenario, suffix) < PATH_MAX) return 0;
    bench_error(err, errsize, "path too long: %s/%s%s", dir, scenario, suffix);
    return -1;
}

static FILE *file_open(const char *path, char *err, size_t errsize)
{
    FILE *f = fopen(path, "w");

    if (f == NULL) bench_error(err, errsize, "cannot write %s: %s", path, strerror(errno));
    return f;
}

/* Closes a file written with stdio; a full disk shows up only here. */
static int file_close(FILE *f, const char *path, char *err, size_t errsize)
{
    int failed = ferror(f);

    if (fclose(f) != 0 || failed) {
        bench_error(err, errsize, "error writing %s: %s", path, strerror(errno ? errno : EIO));
        return -1;
    }
    return 0;
}

/* A CSV field, quoted only when it must be (RFC 4180). */
static void csv_put_text(FILE *f, const char *text)
{
    if (strpbrk(text, ",\"\r\n") == NULL) {
        fputs(text, f);
        return;
    }
    fputc('"', f);
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '"') fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

/* A number precise enough to redo the arithmetic; empty when missing. */
static void csv_put_number(FILE *f, double v)
{
    if (!isnan(v)) fprintf(f, "%.15g", v);
}

static int csv_write_rounds(const char *path, const char *scenario, const struct result *rows,
                            int nrows, const struct name_list *figures, char *err, size_t errsize)
{
    FILE *f = file_open(path, err, errsize);

    if (f == NULL) return -1;
    fputs("scenario,server,round", f);
    for (int i = 0; i < figures->n; i++) {
        fputc(',', f);
        csv_put_text(f, figures->names[i]);
    }
    fputc('\n', f);
    for (int r = 0; r < nrows; r++) {
        csv_put_text(f, scenario);
        fputc(',', f);
        csv_put_text(f, rows[r].server);
        fprintf(f, ",%d", rows[r].round);
        for (int i = 0; i < figures->n; i++) {
            fputc(',', f);
            csv_put_number(f, result_get(&rows[r], figures->names[i]));
        }
        fputc('\n', f);
    }
    return file_close(f, path, err, errsize);
}

static int csv_write_summary(const char *path, const struct result *rows, int nrows,
                             const struct name_list *figures, char *err, size_t errsize)
{
    FILE *f = file_open(path, err, errsize);

    if (f == NULL) return -1;
    fputs("figure,tandem,redis,ratio\n", f);
    for (int i = 0; i < figures->n; i++) {
        double tandem = median_of(rows, nrows, "tandem", figures->names[i]);
        double redis = median_of(rows, nrows, "redis", figures->names[i]);

        csv_put_text(f, figures->names[i]);
        fputc(',', f);
        csv_put_number(f, tandem);
        fputc(',', f);
        csv_put_number(f, redis);
        fputc(',', f);
        csv_put_number(f, ratio_of(tandem, redis));
        fputc('\n', f);
    }
    return file_close(f, path, err, errsize);
}

int report_csv(const char *dir, const char *scenario, const struct result *rows, int nrows,
               char *err, size_t errsize)
{
    struct name_list figures;
    char path[PATH_MAX];

    figures_collect(rows, nrows, &figures);
    if (dir_make(dir, err, errsize) != 0) return -1;
    if (path_make(path, dir, scenario, "-rounds.csv", err, errsize) != 0) return -1;
    if (csv_write_rounds(path, scenario, rows, nrows, &figures, err, errsize) != 0) return -1;
    if (path_make(path, dir, scenario, "-summary.csv", err, errsize) != 0) return -1;
    return csv_write_summary(path, rows, nrows, &figures, err, errsize);
}

/* Decides what can be drawn: throughput for the servers that have
 * ops_per_sec in some round, latency for the percentiles some server has
 * a positive median of (the y axis is logarithmic). */
static void plot_plan_make(struct plot_plan *plan, const struct result *rows, int nrows)
{
    servers_collect(rows, nrows, &plan->servers);
    plan->rounds = rounds_count(rows, nrows);
    for (int s = 0; s < plan->servers.n; s++) {
        const char *server = plan->servers.names[s];

        plan->throughput_of[s] =
            plan->rounds > 0 && !isnan(median_of(rows, nrows, server, "ops_per_sec"));
        plan->throughput_servers += plan->throughput_of[s];
        for (int f = 0; f < LATENCY_FIGURES; f++) {
            double v = median_of(rows, nrows, server, latency_figures[f].figure);

            plan->latency[f][s] = v > 0 ? v : NAN;
            if (isnan(plan->latency[f][s])) continue;
            plan->latency_of[s] = 1;
            plan->latency_figure_present[f] = 1;
        }
        plan->latency_servers += plan->latency_of[s];
    }
}

static int plot_plan_paths(struct plot_plan *plan, const char *dir, const char *scenario, char *err,
                           size_t errsize)
{
    if (path_make(plan->script, dir, scenario, ".gp", err, errsize) != 0 ||
        path_make(plan->log, dir, scenario, "-gnuplot.log", err, errsize) != 0 ||
        path_make(plan->throughput_data, dir, scenario, "-throughput.dat", err, errsize) != 0 ||
        path_make(plan->throughput_png, dir, scenario, "-throughput.png", err, errsize) != 0 ||
        path_make(plan->latency_data, dir, scenario, "-latency.dat", err, errsize) != 0 ||
        path_make(plan->latency_png, dir, scenario, "-latency.png", err, errsize) != 0)
        return -1;
    return 0;
}

/* One data block per server that has throughput (gnuplot's "index"),
 * blocks separated by two blank lines, rounds in order. */
static int plot_write_throughput(const struct plot_plan *plan, const struct result *rows, int nrows,
                                 char *err, size_t errsize)
{
    FILE *f = file_open(plan->throughput_data, err, errsize);
    int blocks = 0;

    if (f == NULL) return -1;
    fputs("# ops_per_sec by round, one block per server\n", f);
    for (int s = 0; s < plan->servers.n; s++) {
        if (!plan->throughput_of[s]) continue;
        fprintf(f, "%s# %s\n", blocks++ > 0 ? "\n\n" : "", plan->servers.names[s]);
        for (int round = 1; round <= plan->rounds; round++) {
            for (int i = 0; i < nrows; i++) {
                double v = result_get(&rows[i], "ops_per_sec");

                if (rows[i].round != round || isnan(v) ||
                    strcmp(rows[i].server, plan->servers.names[s]) != 0)
                    continue;
                fprintf(f, "%d %.15g\n", round, v);
            }
        }
    }
    return file_close(f, plan->throughput_data, err, errsize);
}

/* One line per percentile: its label, then each server's median. */
static int plot_write_latency(const struct plot_plan *plan, char *err, size_t errsize)
{
    FILE *f = file_open(plan->latency_data, err, errsize);

    if (f == NULL) return -1;
    fputs("# median latency (us) over the rounds; columns: percentile", f);
    for (int s = 0; s < plan->servers.n; s++) fprintf(f, " %s", plan->servers.names[s]);
    fputc('\n', f);
    for (int fig = 0; fig < LATENCY_FIGURES; fig++) {
        if (!plan->latency_figure_present[fig]) continue;
        fputs(latency_figures[fig].label, f);
        for (int s = 0; s < plan->servers.n; s++) {
            if (isnan(plan->latency[fig][s]))
                fputs(" NaN", f);
            else
                fprintf(f, " %.15g", plan->latency[fig][s]);
        }
        fputc('\n', f);
    }
    return file_close(f, plan->latency_data, err, errsize);
}

/* A gnuplot single-quoted string: no escapes inside, '' is a quote. */
static void gp_put_string(FILE *f, const char *text)
{
    fputc('\'', f);
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '\'') fputc('\'', f);
        fputc(*p, f);
    }
    fputc('\'', f);
}

static void gp_put_throughput(FILE *f, const struct plot_plan *plan, const char *scenario)
{
    int block = 0;

    fputs("\nreset\nset grid\nset key top left\nset output ", f);
    gp_put_string(f, plan->throughput_png);
    fputs("\nset title ", f);
    gp_put_string(f, scenario);
    fprintf(f,
            " . ': throughput per round'\nset xlabel 'round'\nset ylabel 'ops/s'\n"
            "set xrange [0.5:%d.5]\nset xtics 1\nset yrange [0:*]\nplot",
            plan->rounds);
    for (int s = 0; s < plan->servers.n; s++) {
        if (!plan->throughput_of[s]) continue;
        fputs(block > 0 ? ", \\\n     " : " ", f);
        gp_put_string(f, plan->throughput_data);
        fprintf(f, " index %d using 1:2 with linespoints lw 2 pt 7 title ", block++);
        gp_put_string(f, plan->servers.names[s]);
    }
    fputs("\nset output\n", f);
}

static void gp_put_latency(FILE *f, const struct plot_plan *plan, const char *scenario)
{
    int npoints = 0;
    int lines = 0;

    for (int fig = 0; fig < LATENCY_FIGURES; fig++) npoints += plan->latency_figure_present[fig];
    fputs("\nreset\nset grid\nset key top left\nset output ", f);
    gp_put_string(f, plan->latency_png);
    fputs("\nset title ", f);
    gp_put_string(f, scenario);
    fprintf(f,
            " . ': latency, median over %d rounds'\nset xlabel 'percentile'\n"
            "set ylabel 'microseconds (log scale)'\nset logscale y\n"
            "set xrange [-0.5:%d.5]\nplot",
            plan->rounds, npoints - 1);
    for (int s = 0; s < plan->servers.n; s++) {
        if (!plan->latency_of[s]) continue;
        fputs(lines++ > 0 ? ", \\\n     " : " ", f);
        gp_put_string(f, plan->latency_data);
        fprintf(f, " using 0:%d:xtic(1) with linespoints lw 2 pt 7 title ", s + 2);
        gp_put_string(f, plan->servers.names[s]);
    }
    fputs("\nset output\n", f);
}

/* The script picks pngcairo (anti-aliased) when this gnuplot has it and
 * falls back to the libgd png terminal. Text is not "enhanced": figure
 * and scenario names contain underscores, which would become
 * subscripts. */
static int plot_write_script(const struct plot_plan *plan, const char *scenario, char *err,
                             size_t errsize)
{
    FILE *f = file_open(plan->script, err, errsize);

    if (f == NULL) return -1;
    fputs("# Written by tandem-bench; rerun with: gnuplot <this file>\n"
          "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
          "    set terminal pngcairo noenhanced size 900,500\n"
          "} else {\n"
          "    set terminal png noenhanced size 900,500\n"
          "}\n",
          f);
    if (plan->throughput_servers > 0) gp_put_throughput(f, plan, scenario);
    if (plan->latency_servers > 0) gp_put_latency(f, plan, scenario);
    return file_close(f, plan->script, err, errsize);
}

/* The end of gnuplot's output, for the error message. */
static void append_log_tail(const char *path, char *err, size_t errsize)
{
    char buf[GNUPLOT_TAIL_BYTES + 1];
    FILE *f = fopen(path, "r");
    size_t len = 0;
    size_t used;

    if (f != NULL) {
        if (fseek(f, -(long)GNUPLOT_TAIL_BYTES, SEEK_END) != 0) rewind(f);
        len = fread(buf, 1, GNUPLOT_TAIL_BYTES, f);
        fclose(f);
    }
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) len--;
    buf[len] = '\0';
    if (err == NULL || errsize == 0 || len == 0) return;
    used = strnlen(err, errsize - 1);
    snprintf(err + used, errsize - used, "; it said:\n%s", buf);
}

/* Waits for gnuplot; a stuck one is killed after a minute so the bench
 * finishes. Returns the wait status, or -1 on timeout. */
static int gnuplot_wait(pid_t pid)
{
    struct timespec step = {.tv_sec = 0, .tv_nsec = 20 * 1000000L};
    int status = 0;

    for (int waited = 0; waited < GNUPLOT_TIMEOUT_MS; waited += 20) {
        pid_t got = waitpid(pid, &status, WNOHANG);

        if (got == pid) return status;
        if (got == -1 && errno != EINTR) return -1;
        nanosleep(&step, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

/* Runs "gnuplot <script>" with its output in <scenario>-gnuplot.log,
 * which is kept only when gnuplot fails. */
static int gnuplot_run(const struct plot_plan *plan, char *err, size_t errsize)
{
    char *argv[] = {"gnuplot", (char *)plan->script, NULL};
    posix_spawn_file_actions_t actions;
    pid_t pid;
    int status;
    int rc;

    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, plan->log,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    rc = posix_spawnp(&pid, "gnuplot", &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc == ENOENT) {
        bench_error(err, errsize,
                    "gnuplot not found in PATH (Debian: apt-get install gnuplot-nox)");
        return -1;
    }
    if (rc != 0) {
        bench_error(err, errsize, "cannot run gnuplot: %s", strerror(rc));
        return -1;
    }
    status = gnuplot_wait(pid);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        bench_error(err, errsize, "gnuplot %s on %s", status == -1 ? "timed out" : "failed",
                    plan->script);
        append_log_tail(plan->log, err, errsize);
        return -1;
    }
    unlink(plan->log);
    return 0;
}

/* gnuplot can exit 0 having drawn nothing; a missing or empty PNG is an
 * error all the same. */
static int png_check(const char *path, char *err, size_t errsize)
{
    struct stat st;

    if (stat(path, &st) == 0 && st.st_size > 0) return 0;
    bench_error(err, errsize, "gnuplot ran but did not write %s", path);
    return -1;
}

int report_plots(const char *dir, const char *scenario, const struct result *rows, int nrows,
                 char *err, size_t errsize)
{
    struct plot_plan *plan = calloc(1, sizeof(*plan));
    int rc = -1;

    if (plan == NULL) {
        bench_error(err, errsize, "out of memory");
        goto out;
    }
    plot_plan_make(plan, rows, nrows);
    if (dir_make(dir, err, errsize) != 0) goto out;
    if (plot_plan_paths(plan, dir, scenario, err, errsize) != 0) goto out;
    /* A PNG from an earlier run must not pass for this run's. */
    unlink(plan->throughput_png);
    unlink(plan->latency_png);
    if (plan->throughput_servers == 0 && plan->latency_servers == 0) {
        rc = 0;
        goto out;
    }
    if (plan->throughput_servers > 0 && plot_write_throughput(plan, rows, nrows, err, errsize) != 0)
        goto out;
    if (plan->latency_servers > 0 && plot_write_latency(plan, err, errsize) != 0) goto out;
    if (plot_write_script(plan, scenario, err, errsize) != 0) goto out;
    if (gnuplot_run(plan, err, errsize) != 0) goto out;
    if (plan->throughput_servers > 0 && png_check(plan->throughput_png, err, errsize) != 0)
        goto out;
    if (plan->latency_servers > 0 && png_check(plan->latency_png, err, errsize) != 0) goto out;
    rc = 0;
out:
    free(plan);
    return rc;
}
