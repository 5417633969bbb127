/*
 * test_config: unit tests of engine/config (redis.conf files, the command
 * line, CONFIG GET / CONFIG SET) and engine/log (the line format).
 *
 * Expected strings were taken from redis-server 7.0.15 itself: its fatal
 * config error banner for the same bad files and command lines, and its
 * CONFIG GET / CONFIG SET replies for the same directives. Every test starts
 * from config_init_defaults() and gets back to the original working
 * directory afterwards ("dir" changes it).
 */
#define _GNU_SOURCE
#include "engine/config.h"
#include "engine/log.h"

#include <check.h>
#include <limits.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FATAL_BANNER "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
#define MAX_RESULTS 64

static char original_cwd[PATH_MAX];

static void setup(void)
{
    ck_assert_ptr_nonnull(getcwd(original_cwd, sizeof(original_cwd)));
    config_on_change = NULL;
    config_init_defaults();
    log_open(NULL);
}

static void teardown(void)
{
    ck_assert_int_eq(chdir(original_cwd), 0);
    config_on_change = NULL;
}

/* ---- helpers ---------------------------------------------------------- */

/* Writes content to a new file under /tmp; path receives its name. */
static void temp_file_write(char *path, size_t size, const char *content)
{
    snprintf(path, size, "/tmp/tandem-config-test-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    size_t len = strlen(content);
    ck_assert_int_eq(write(fd, content, len), (ssize_t)len);
    close(fd);
}

struct get_results {
    int count;
    char *names[MAX_RESULTS];
    char *values[MAX_RESULTS];
};

static void collect_result(void *ctx, const char *name, const char *value)
{
    struct get_results *results = ctx;
    ck_assert_int_lt(results->count, MAX_RESULTS);
    results->names[results->count] = strdup(name);
    results->values[results->count] = strdup(value);
    results->count++;
}

static void get_results_free(struct get_results *results)
{
    for (int i = 0; i < results->count; i++) {
        free(results->names[i]);
        free(results->values[i]);
    }
    results->count = 0;
}

/* CONFIG GET with the given patterns (NULL-terminated list). */
static void get_patterns(struct get_results *results, const char *const *patterns)
{
    const char *list[16];
    size_t lens[16];
    int n = 0;
    for (; patterns[n] != NULL && n < 16; n++) {
        list[n] = patterns[n];
        lens[n] = strlen(patterns[n]);
    }
    results->count = 0;
    config_get(list, lens, n, collect_result, results);
}

/* CONFIG GET <name>: its value, "<none>" when nothing matched. */
static const char *get_value(const char *name)
{
    static char value[4096];
    struct get_results results = {0};
    const char *patterns[] = {name, NULL};
    get_patterns(&results, patterns);
    snprintf(value, sizeof(value), "%s", results.count == 1 ? results.values[0] : "<none>");
    get_results_free(&results);
    return value;
}

/* CONFIG SET with name/value pairs given as a NULL-terminated list. */
static int set_pairs(char *err, size_t errsize, const char *const *pairs)
{
    const char *names[16], *values[16];
    size_t nlens[16], vlens[16];
    int n = 0;
    for (; pairs[2 * n] != NULL && n < 16; n++) {
        names[n] = pairs[2 * n];
        values[n] = pairs[2 * n + 1];
        nlens[n] = strlen(names[n]);
        vlens[n] = strlen(values[n]);
    }
    err[0] = '\0';
    return config_set(names, nlens, values, vlens, n, err, errsize);
}

/* Loads a config file with this content and command-line arguments. */
static int load_text(const char *content, int argc, char **argv, char *err, size_t errsize)
{
    char path[64];
    temp_file_write(path, sizeof(path), content);
    int rc = config_load(path, argc, argv, err, errsize);
    unlink(path);
    return rc;
}

/* Loads content as a config file and expects Redis's error text. */
static void expect_file_error(const char *content, const char *expected)
{
    char err[1024];
    config_init_defaults();
    ck_assert_int_eq(load_text(content, 0, NULL, err, sizeof(err)), -1);
    ck_assert_str_eq(err, expected);
}

static void expect_set_error(const char *const *pairs, const char *expected)
{
    char err[512];
    ck_assert_int_eq(set_pairs(err, sizeof(err), pairs), -1);
    ck_assert_str_eq(err, expected);
}

/* ---- defaults ---------------------------------------------------------- */

START_TEST(test_defaults_fields)
{
    ck_assert_int_eq(config.port, 6379);
    ck_assert_int_eq(config.bind_count, 2);
    ck_assert_str_eq(config.bind[0], "127.0.0.1");
    ck_assert_str_eq(config.bind[1], "-::1");
    ck_assert_int_eq(config.protected_mode, 1);
    ck_assert_int_eq(config.tcp_backlog, 511);
    ck_assert_int_eq(config.timeout, 0);
    ck_assert_int_eq(config.tcp_keepalive, 300);
    ck_assert_int_eq(config.maxclients, 10000);
    ck_assert_str_eq(config.dir, original_cwd);
    ck_assert_str_eq(config.logfile, "");
    ck_assert_ptr_null(config.pidfile);
    ck_assert_int_eq(config.loglevel, LOG_NOTICE);
    ck_assert_int_eq(config.daemonize, 0);
    ck_assert_int_eq(config.threads, 0);
    ck_assert_int_eq(config.hz, 10);
    ck_assert_int_eq(config.databases, 16);
    ck_assert_ptr_null(config.requirepass);
    ck_assert_int_eq(config.proto_max_bulk_len, 512LL * 1024 * 1024);
    ck_assert_int_eq(config.client_query_buffer_limit, 1024LL * 1024 * 1024);
    ck_assert_int_eq(config.output_limits[CLIENT_CLASS_NORMAL].hard_bytes, 0);
    ck_assert_int_eq(config.output_limits[CLIENT_CLASS_REPLICA].hard_bytes, 256LL << 20);
    ck_assert_int_eq(config.output_limits[CLIENT_CLASS_REPLICA].soft_bytes, 64LL << 20);
    ck_assert_int_eq(config.output_limits[CLIENT_CLASS_REPLICA].soft_seconds, 60);
    ck_assert_int_eq(config.output_limits[CLIENT_CLASS_PUBSUB].hard_bytes, 32LL << 20);
    ck_assert_int_eq(config.save_count, 3);
    ck_assert_int_eq(config.save_points[0].seconds, 3600);
    ck_assert_int_eq(config.save_points[2].changes, 10000);
    ck_assert_str_eq(config.dbfilename, "dump.rdb");
    ck_assert_int_eq(config.appendonly, 0);
    ck_assert_int_eq(config.enable_protected_configs, PROTECTED_ACTION_NO);
    ck_assert_ptr_null(config.config_file);
}
END_TEST

/* The same text redis-server 7.0.15 replies to CONFIG GET for each. */
START_TEST(test_defaults_formatted_like_redis)
{
    ck_assert_str_eq(get_value("port"), "6379");
    ck_assert_str_eq(get_value("bind"), "127.0.0.1 -::1");
    ck_assert_str_eq(get_value("protected-mode"), "yes");
    ck_assert_str_eq(get_value("tcp-backlog"), "511");
    ck_assert_str_eq(get_value("timeout"), "0");
    ck_assert_str_eq(get_value("tcp-keepalive"), "300");
    ck_assert_str_eq(get_value("maxclients"), "10000");
    ck_assert_str_eq(get_value("dir"), original_cwd);
    ck_assert_str_eq(get_value("logfile"), "");
    ck_assert_str_eq(get_value("pidfile"), "");
    ck_assert_str_eq(get_value("loglevel"), "notice");
    ck_assert_str_eq(get_value("daemonize"), "no");
    ck_assert_str_eq(get_value("threads"), "0");
    ck_assert_str_eq(get_value("hz"), "10");
    ck_assert_str_eq(get_value("databases"), "16");
    ck_assert_str_eq(get_value("requirepass"), "");
    ck_assert_str_eq(get_value("proto-max-bulk-len"), "536870912");
    ck_assert_str_eq(get_value("client-query-buffer-limit"), "1073741824");
    ck_assert_str_eq(get_value("client-output-buffer-limit"),
                     "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
    ck_assert_str_eq(get_value("save"), "3600 1 300 100 60 10000");
    ck_assert_str_eq(get_value("dbfilename"), "dump.rdb");
    ck_assert_str_eq(get_value("appendonly"), "no");
    ck_assert_str_eq(get_value("enable-protected-configs"), "no");
}
END_TEST

/* ---- config files -------------------------------------------------------- */

START_TEST(test_file_comments_quotes_include)
{
    char include_path[64], err[1024];
    temp_file_write(include_path, sizeof(include_path), "# included\nhz 20\ntimeout 7\n");
    char content[1024];
    snprintf(content, sizeof(content),
             "# a comment\n"
             "\n"
             "   PORT 7000   \n"
             "\t# indented comment\n"
             "requirepass \"pa ss\\x41\\n\"\r\n"
             "dbfilename 'my \\'db\\'.rdb'\n"
             "logfile ''\n"
             "bind 127.0.0.1 ::1\n"
             "save 900 1\n"
             "save 300 10\n"
             "client-output-buffer-limit replica 1mb 2mb 3\n"
             "loglevel WARNING\n"
             "appendonly YES\n"
             "include %s\n"
             "timeout 9\n",
             include_path);
    int rc = load_text(content, 0, NULL, err, sizeof(err));
    unlink(include_path);
    ck_assert_msg(rc == 0, "load failed: %s", err);
    ck_assert_int_eq(config.port, 7000);
    ck_assert_str_eq(config.requirepass, "pa ssA\n");
    ck_assert_str_eq(config.dbfilename, "my 'db'.rdb");
    ck_assert_str_eq(config.logfile, "");
    ck_assert_str_eq(get_value("bind"), "127.0.0.1 ::1");
    ck_assert_str_eq(get_value("save"), "900 1 300 10");
    ck_assert_str_eq(get_value("client-output-buffer-limit"),
                     "normal 0 0 0 slave 1048576 2097152 3 pubsub 33554432 8388608 60");
    ck_assert_int_eq(config.loglevel, LOG_WARNING);
    ck_assert_int_eq(log_get_level(), LOG_WARNING);
    ck_assert_int_eq(config.appendonly, 1);
    ck_assert_int_eq(config.hz, 20);
    ck_assert_int_eq(config.timeout, 9); /* the line after the include wins */
    ck_assert_ptr_nonnull(config.config_file);
    ck_assert_int_eq(config.config_file[0], '/');
}
END_TEST

START_TEST(test_file_save_empty_and_list_in_one_argument)
{
    char err[1024];
    ck_assert_int_eq(load_text("save \"\"\n", 0, NULL, err, sizeof(err)), 0);
    ck_assert_int_eq(config.save_count, 0);
    ck_assert_str_eq(get_value("save"), "");

    config_init_defaults();
    ck_assert_int_eq(load_text("save \"900 1 60 5\"\n", 0, NULL, err, sizeof(err)), 0);
    ck_assert_str_eq(get_value("save"), "900 1 60 5");

    config_init_defaults();
    ck_assert_int_eq(load_text("save 900 1\nsave \"\"\n", 0, NULL, err, sizeof(err)), 0);
    ck_assert_str_eq(get_value("save"), "");

    config_init_defaults();
    ck_assert_int_eq(load_text("bind \"\"\n", 0, NULL, err, sizeof(err)), 0);
    ck_assert_int_eq(config.bind_count, 0);
}
END_TEST

START_TEST(test_file_dir_changes_cwd)
{
    char dir[] = "/tmp/tandem-config-dir-XXXXXX", err[1024], content[128];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(content, sizeof(content), "dir %s\n", dir);
    ck_assert_int_eq(load_text(content, 0, NULL, err, sizeof(err)), 0);
    char cwd[PATH_MAX];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    ck_assert_str_eq(cwd, dir);
    ck_assert_str_eq(get_value("dir"), dir);
    ck_assert_int_eq(chdir(original_cwd), 0);
    rmdir(dir);
}
END_TEST

START_TEST(test_file_errors_like_redis)
{
    expect_file_error("port 7000\n# c\n\nhz abc\n",
                      FATAL_BANNER "Reading the configuration file, at line 4\n"
                                   ">>> 'hz abc'\nargument couldn't be parsed into an integer");
    expect_file_error("port \"70\n", FATAL_BANNER "Reading the configuration file, at line 1\n"
                                                  ">>> 'port \"70'\n"
                                                  "Unbalanced quotes in configuration line");
    expect_file_error("port \"70\"x\n", FATAL_BANNER "Reading the configuration file, at line 1\n"
                                                     ">>> 'port \"70\"x'\n"
                                                     "Unbalanced quotes in configuration line");
    expect_file_error("\n  foo bar  \n", FATAL_BANNER "Reading the configuration file, at line 2\n"
                                                      ">>> 'foo bar'\n"
                                                      "Bad directive or wrong number of arguments");
    expect_file_error("port 1 2\n", FATAL_BANNER "Reading the configuration file, at line 1\n"
                                                 ">>> 'port 1 2'\nwrong number of arguments");
    expect_file_error("port\n", FATAL_BANNER "Reading the configuration file, at line 1\n"
                                             ">>> 'port'\nwrong number of arguments");
    expect_file_error("include\n", FATAL_BANNER "Reading the configuration file, at line 1\n"
                                                ">>> 'include'\n"
                                                "Bad directive or wrong number of arguments");
    expect_file_error("protected-mode maybe\n",
                      FATAL_BANNER "Reading the configuration file, at line 1\n"
                                   ">>> 'protected-mode maybe'\nargument must be 'yes' or 'no'");
    expect_file_error("port 70000\n",
                      FATAL_BANNER "Reading the configuration file, at line 1\n"
                                   ">>> 'port 70000'\n"
                                   "argument must be between 0 and 65535 inclusive");
    expect_file_error("maxclients 0\n",
                      FATAL_BANNER "Reading the configuration file, at line 1\n"
                                   ">>> 'maxclients 0'\n"
                                   "argument must be between 1 and 4294967295 inclusive");
    expect_file_error("proto-max-bulk-len 10q\n",
                      FATAL_BANNER "Reading the configuration file, at line 1\n"
                                   ">>> 'proto-max-bulk-len 10q'\nargument must be a memory value");
    expect_file_error("proto-max-bulk-len 1k\n",
                      FATAL_BANNER "Reading the configuration file, at line 1\n"
                                   ">>> 'proto-max-bulk-len 1k'\n"
                                   "argument must be between 1048576 and 9223372036854775807 "
                                   "inclusive");
    expect_file_error("loglevel loud\n",
                      FATAL_BANNER "Reading the configuration file, at line 1\n"
                                   ">>> 'loglevel loud'\n"
                                   "argument(s) must be one of the following: debug, verbose, "
                                   "notice, warning");
    expect_file_error("dbfilename a/b\n",
                      FATAL_BANNER "Reading the configuration file, at line 1\n"
                                   ">>> 'dbfilename a/b'\n"
                                   "dbfilename can't be a path, just a filename");
    expect_file_error("port 7000\nsave 9 9 9\n",
                      FATAL_BANNER "Reading the configuration file, at line 2\n"
                                   ">>> 'save 9 9 9'\nInvalid save parameters");
    expect_file_error("save 0 1\n", FATAL_BANNER "Reading the configuration file, at line 1\n"
                                                 ">>> 'save 0 1'\nInvalid save parameters");
    expect_file_error("client-output-buffer-limit master 1 1 1\n",
                      FATAL_BANNER "Reading the configuration file, at line 1\n"
                                   ">>> 'client-output-buffer-limit master 1 1 1'\n"
                                   "Invalid client class specified in buffer limit configuration.");
    expect_file_error("client-output-buffer-limit normal 1 1\n",
                      FATAL_BANNER "Reading the configuration file, at line 1\n"
                                   ">>> 'client-output-buffer-limit normal 1 1'\n"
                                   "Wrong number of arguments in buffer limit configuration.");
    expect_file_error("client-output-buffer-limit normal 1mb 2mb -1\n",
                      FATAL_BANNER "Reading the configuration file, at line 1\n"
                                   ">>> 'client-output-buffer-limit normal 1mb 2mb -1'\n"
                                   "Error in hard, soft or soft_seconds setting in buffer limit "
                                   "configuration.");
    expect_file_error("dir /nonexistent/tandem\n",
                      FATAL_BANNER "Reading the configuration file, at line 1\n"
                                   ">>> 'dir /nonexistent/tandem'\nNo such file or directory");
    expect_file_error("logfile /nonexistent/tandem.log\n",
                      FATAL_BANNER "Can't open the log file: No such file or directory");
}
END_TEST

START_TEST(test_file_daemonize_refused)
{
    char err[1024];
    ck_assert_int_eq(load_text("daemonize no\n", 0, NULL, err, sizeof(err)), 0);
    ck_assert_int_eq(load_text("daemonize yes\n", 0, NULL, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, ">>> 'daemonize yes'\ndaemonize yes is not supported"));
}
END_TEST

START_TEST(test_file_error_in_include_reports_its_line)
{
    char include_path[64], content[256], err[1024], expected[1024];
    temp_file_write(include_path, sizeof(include_path), "hz 5\n\nport x\n");
    snprintf(content, sizeof(content), "timeout 1\ninclude %s\n", include_path);
    int rc = load_text(content, 0, NULL, err, sizeof(err));
    unlink(include_path);
    ck_assert_int_eq(rc, -1);
    snprintf(expected, sizeof(expected),
             FATAL_BANNER "Reading the configuration file, at line 3\n>>> 'port x'\n"
                          "argument couldn't be parsed into an integer");
    ck_assert_str_eq(err, expected);
}
END_TEST

START_TEST(test_file_missing_and_includes)
{
    char err[1024];
    ck_assert_int_eq(config_load("/nonexistent/tandem.conf", 0, NULL, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "Fatal error, can't open config file '/nonexistent/tandem.conf': No "
                          "such file or directory");

    ck_assert_int_eq(load_text("include /nonexistent/x.conf\n", 0, NULL, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "Fatal error, can't open config file '/nonexistent/x.conf': No such "
                          "file or directory");

    /* A wildcard that matches nothing is fine (an empty conf.d). */
    ck_assert_int_eq(load_text("include /nonexistent/*.conf\nhz 11\n", 0, NULL, err, sizeof(err)),
                     0);
    ck_assert_int_eq(config.hz, 11);
}
END_TEST

START_TEST(test_file_include_loop_is_bounded)
{
    char path[64], content[128], err[1024];
    temp_file_write(path, sizeof(path), "");
    snprintf(content, sizeof(content), "include %s\n", path);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(content, fp);
    fclose(fp);
    int rc = config_load(path, 0, NULL, err, sizeof(err));
    unlink(path);
    ck_assert_int_eq(rc, -1);
    ck_assert_ptr_nonnull(strstr(err, "include nesting is deeper than"));
}
END_TEST

START_TEST(test_stdin_config)
{
    char path[64], err[1024];
    temp_file_write(path, sizeof(path), "hz 33\nport 7100\n");
    ck_assert_ptr_nonnull(freopen(path, "r", stdin));
    char *argv[] = {"--port", "7101"};
    int rc = config_load("-", 2, argv, err, sizeof(err));
    unlink(path);
    ck_assert_msg(rc == 0, "load failed: %s", err);
    ck_assert_int_eq(config.hz, 33);
    ck_assert_int_eq(config.port, 7101);
    ck_assert_ptr_null(config.config_file);
}
END_TEST

/* ---- command line -------------------------------------------------------- */

START_TEST(test_command_line_overrides_file)
{
    char err[1024];
    char *argv[] = {"--port",        "7001",   "--save",  "900",        "1",
                    "--requirepass", "a\"b c", "--hz 15", "--LOGLEVEL", "debug"};
    int rc = load_text("port 7000\nhz 20\nsave 60 1\nrequirepass x\n", 10, argv, err, sizeof(err));
    ck_assert_msg(rc == 0, "load failed: %s", err);
    ck_assert_int_eq(config.port, 7001);
    ck_assert_int_eq(config.hz, 15);
    ck_assert_str_eq(get_value("save"), "60 1 900 1"); /* the file's save lines add up */
    ck_assert_str_eq(config.requirepass, "a\"b c");
    ck_assert_int_eq(config.loglevel, LOG_DEBUG);
}
END_TEST

START_TEST(test_command_line_empty_save)
{
    char err[1024];
    char *empty[] = {"--save", ""};
    ck_assert_int_eq(config_load(NULL, 2, empty, err, sizeof(err)), 0);
    ck_assert_str_eq(get_value("save"), "");

    config_init_defaults();
    char *last[] = {"--port", "7002", "--save"};
    ck_assert_int_eq(config_load(NULL, 3, last, err, sizeof(err)), 0);
    ck_assert_str_eq(get_value("save"), "");
    ck_assert_int_eq(config.port, 7002);

    config_init_defaults();
    char *before_option[] = {"--save", "--port", "7003"};
    ck_assert_int_eq(config_load(NULL, 3, before_option, err, sizeof(err)), 0);
    ck_assert_str_eq(get_value("save"), "");
    ck_assert_int_eq(config.port, 7003);
}
END_TEST

/* Command-line lines are numbered after the file's, as redis-server does:
 * the file's text, a newline, then one line per option. */
START_TEST(test_command_line_error_line_numbers)
{
    char err[1024];
    char *bad_port[] = {"--port", "abc"};
    ck_assert_int_eq(load_text("port 7000\n", 2, bad_port, err, sizeof(err)), -1);
    ck_assert_str_eq(err, FATAL_BANNER "Reading the configuration file, at line 3\n"
                                       ">>> 'port \"abc\"'\n"
                                       "argument couldn't be parsed into an integer");

    char *no_value[] = {"--port"};
    ck_assert_int_eq(load_text("port 7000\n", 1, no_value, err, sizeof(err)), -1);
    ck_assert_str_eq(err, FATAL_BANNER "Reading the configuration file, at line 3\n"
                                       ">>> 'port'\nwrong number of arguments");

    char *several[] = {"--save", "1", "2", "--port", "3", "--foo", "a b"};
    ck_assert_int_eq(load_text("port 7000\n", 7, several, err, sizeof(err)), -1);
    ck_assert_str_eq(err, FATAL_BANNER "Reading the configuration file, at line 5\n"
                                       ">>> 'foo \"a b\"'\n"
                                       "Bad directive or wrong number of arguments");

    char *escaped[] = {"--bind", "a\"b", "--unknown", "x\\y"};
    ck_assert_int_eq(config_load(NULL, 4, escaped, err, sizeof(err)), -1);
    ck_assert_str_eq(err, FATAL_BANNER "Reading the configuration file, at line 3\n"
                                       ">>> 'unknown \"x\\\\y\"'\n"
                                       "Bad directive or wrong number of arguments");

    char *hz[] = {"--hz", "x"};
    ck_assert_int_eq(load_text("port 7000", 2, hz, err, sizeof(err)), -1);
    ck_assert_str_eq(err, FATAL_BANNER "Reading the configuration file, at line 2\n"
                                       ">>> 'hz \"x\"'\n"
                                       "argument couldn't be parsed into an integer");

    char *level[] = {"--port", "0", "--daemonize", "no", "--loglevel", "foo"};
    ck_assert_int_eq(load_text("bind\n", 6, level, err, sizeof(err)), -1);
    ck_assert_str_eq(err, FATAL_BANNER "Reading the configuration file, at line 5\n"
                                       ">>> 'loglevel \"foo\"'\n"
                                       "argument(s) must be one of the following: debug, "
                                       "verbose, notice, warning");
}
END_TEST

/* ---- CONFIG GET ----------------------------------------------------------- */

static int results_find(const struct get_results *results, const char *name)
{
    int found = -1;
    for (int i = 0; i < results->count; i++) {
        if (!strcmp(results->names[i], name)) {
            ck_assert_int_eq(found, -1); /* at most once */
            found = i;
        }
    }
    return found;
}

START_TEST(test_get_all_each_once)
{
    struct get_results results = {0};
    const char *all[] = {"*", "port", "p*", NULL};
    get_patterns(&results, all);
    ck_assert_int_eq(results.count, 49); /* every directive once, aliases not repeated */
    const char *names[] = {"port",
                           "bind",
                           "save",
                           "dir",
                           "client-output-buffer-limit",
                           "threads",
                           "replicaof",
                           "masterauth",
                           "repl-diskless-load",
                           "replica-read-only"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        ck_assert_int_ge(results_find(&results, names[i]), 0);
    get_results_free(&results);
}
END_TEST

START_TEST(test_get_patterns)
{
    struct get_results results = {0};
    const char *p_star[] = {"P*", NULL};
    get_patterns(&results, p_star);
    ck_assert_int_eq(results.count, 4); /* port protected-mode pidfile proto-max-bulk-len */
    ck_assert_int_ge(results_find(&results, "port"), 0);
    ck_assert_int_ge(results_find(&results, "protected-mode"), 0);
    ck_assert_int_ge(results_find(&results, "pidfile"), 0);
    ck_assert_int_ge(results_find(&results, "proto-max-bulk-len"), 0);
    get_results_free(&results);

    /* An exact name is echoed as the client spelled it, once. */
    const char *exact[] = {"HZ", "hz", "*z", NULL};
    get_patterns(&results, exact);
    ck_assert_int_eq(results.count, 1);
    ck_assert_str_eq(results.names[0], "HZ");
    ck_assert_str_eq(results.values[0], "10");
    get_results_free(&results);

    const char *classes[] = {"[bd]?*", "*-output-*", "nothing*", "nosuch", NULL};
    get_patterns(&results, classes);
    ck_assert_int_eq(results.count, 6); /* bind dir daemonize databases dbfilename, 1 limit */
    ck_assert_int_ge(results_find(&results, "client-output-buffer-limit"), 0);
    ck_assert_int_lt(results_find(&results, "client-query-buffer-limit"), 0);
    get_results_free(&results);
}
END_TEST

START_TEST(test_get_string)
{
    char buf[16];
    ck_assert_str_eq(config_get_string(&config.requirepass, buf, sizeof(buf)), "");
    ck_assert_str_eq(config_get_string(&config.dbfilename, buf, sizeof(buf)), "dump.rdb");
    ck_assert_str_eq(config_get_string(&config.dbfilename, buf, 5), "dump");
}
END_TEST

/* ---- CONFIG SET ----------------------------------------------------------- */

START_TEST(test_set_several_pairs)
{
    char err[512];
    const char *pairs[] = {"timeout", "5",          "MAXCLIENTS", "20", "requirepass",
                           "secret",  "appendonly", "yes",        NULL};
    ck_assert_int_eq(set_pairs(err, sizeof(err), pairs), 0);
    ck_assert_int_eq(config.timeout, 5);
    ck_assert_int_eq(config.maxclients, 20);
    ck_assert_str_eq(config.requirepass, "secret");
    ck_assert_int_eq(config.appendonly, 1);
    const char *clear[] = {"requirepass", "", NULL};
    ck_assert_int_eq(set_pairs(err, sizeof(err), clear), 0);
    ck_assert_ptr_null(config.requirepass);
}
END_TEST

START_TEST(test_set_is_atomic)
{
    const char *second_bad[] = {"timeout", "5", "hz", "abc", NULL};
    expect_set_error(second_bad, "ERR CONFIG SET failed (possibly related to argument 'hz') - "
                                 "argument couldn't be parsed into an integer");
    ck_assert_int_eq(config.timeout, 0);
    ck_assert_int_eq(config.hz, 10);

    const char *bad_enum[] = {"requirepass", "x", "loglevel", "foo", NULL};
    expect_set_error(bad_enum, "ERR CONFIG SET failed (possibly related to argument 'loglevel') - "
                               "argument(s) must be one of the following: debug, verbose, "
                               "notice, warning");
    ck_assert_ptr_null(config.requirepass);
    ck_assert_int_eq(config.loglevel, LOG_NOTICE);
}
END_TEST

START_TEST(test_set_errors_like_redis)
{
    const char *unknown[] = {"foo", "bar", NULL};
    expect_set_error(unknown, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    const char *immutable[] = {"DAEMONIZE", "no", NULL};
    expect_set_error(immutable,
                     "ERR CONFIG SET failed (possibly related to argument 'DAEMONIZE') - "
                     "can't set immutable config");
    const char *port[] = {"port", "7000", NULL};
    expect_set_error(port, "ERR CONFIG SET failed (possibly related to argument 'port') - "
                           "can't set immutable config");
    const char *duplicate[] = {"hz", "5", "HZ", "6", NULL};
    expect_set_error(duplicate, "ERR CONFIG SET failed (possibly related to argument 'HZ') - "
                                "duplicate parameter");
    const char *canonical[] = {"HZ", "abc", NULL};
    expect_set_error(canonical, "ERR CONFIG SET failed (possibly related to argument 'hz') - "
                                "argument couldn't be parsed into an integer");
    /* The first problem in argument order wins, names before values. */
    const char *first_wins[] = {"daemonize", "no", "foo", "bar", NULL};
    expect_set_error(first_wins, "ERR CONFIG SET failed (possibly related to argument "
                                 "'daemonize') - can't set immutable config");
    const char *unknown_first[] = {"foo", "bar", "daemonize", "no", NULL};
    expect_set_error(unknown_first, "ERR Unknown option or number of arguments for CONFIG SET - "
                                    "'foo'");
    const char *names_first[] = {"hz", "abc", "daemonize", "no", NULL};
    expect_set_error(names_first, "ERR CONFIG SET failed (possibly related to argument "
                                  "'daemonize') - can't set immutable config");
    const char *range[] = {"hz", "-1", NULL};
    expect_set_error(range, "ERR CONFIG SET failed (possibly related to argument 'hz') - "
                            "argument must be between 0 and 2147483647 inclusive");
    const char *maxclients[] = {"maxclients", "0", NULL};
    expect_set_error(maxclients, "ERR CONFIG SET failed (possibly related to argument "
                                 "'maxclients') - argument must be between 1 and 4294967295 "
                                 "inclusive");
    const char *yes_no[] = {"protected-mode", "maybe", NULL};
    expect_set_error(yes_no, "ERR CONFIG SET failed (possibly related to argument "
                             "'protected-mode') - argument must be 'yes' or 'no'");
}
END_TEST

START_TEST(test_set_protected_directives)
{
    const char *dir[] = {"dir", "/tmp", NULL};
    expect_set_error(dir, "ERR CONFIG SET failed (possibly related to argument 'dir') - "
                          "can't set protected config");
    const char *dbfilename[] = {"dbfilename", "x.rdb", NULL};
    expect_set_error(dbfilename, "ERR CONFIG SET failed (possibly related to argument "
                                 "'dbfilename') - can't set protected config");

    /* "local" lets local clients through only. */
    char err[1024];
    char *local[] = {"--enable-protected-configs", "local"};
    ck_assert_int_eq(config_load(NULL, 2, local, err, sizeof(err)), 0);
    const char *names[] = {"dbfilename"}, *values[] = {"x.rdb"};
    size_t nlens[] = {10}, vlens[] = {5};
    ck_assert_int_eq(config_set_from_client(names, nlens, values, vlens, 1, 0, err, sizeof(err)),
                     -1);
    ck_assert_int_eq(config_set_from_client(names, nlens, values, vlens, 1, 1, err, sizeof(err)),
                     0);
    ck_assert_str_eq(config.dbfilename, "x.rdb");
}
END_TEST

START_TEST(test_set_dir_and_rollback)
{
    char err[1024], dir[] = "/tmp/tandem-config-dir-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *allow[] = {"--enable-protected-configs", "yes"};
    ck_assert_int_eq(config_load(NULL, 2, allow, err, sizeof(err)), 0);

    const char *good[] = {"dir", dir, NULL};
    ck_assert_int_eq(set_pairs(err, sizeof(err), good), 0);
    ck_assert_str_eq(get_value("dir"), dir);

    /* chdir fails while applying: the pairs applied before it roll back. */
    const char *bad[] = {"timeout", "7", "save", "10 1", "dir", "/nonexistent/tandem", NULL};
    expect_set_error(bad, "ERR CONFIG SET failed (possibly related to argument 'dir') - "
                          "No such file or directory");
    ck_assert_int_eq(config.timeout, 0);
    ck_assert_str_eq(get_value("save"), "3600 1 300 100 60 10000");
    ck_assert_str_eq(get_value("dir"), dir);

    const char *path[] = {"dbfilename", "a/b.rdb", NULL};
    expect_set_error(path, "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - "
                           "dbfilename can't be a path, just a filename");
    ck_assert_int_eq(chdir(original_cwd), 0);
    rmdir(dir);
}
END_TEST

START_TEST(test_set_memory_units)
{
    char err[512];
    const char *mb[] = {"proto-max-bulk-len", "2mb", "client-query-buffer-limit", "1GB", NULL};
    ck_assert_int_eq(set_pairs(err, sizeof(err), mb), 0);
    ck_assert_str_eq(get_value("proto-max-bulk-len"), "2097152");
    ck_assert_str_eq(get_value("client-query-buffer-limit"), "1073741824");
    const char *decimal[] = {"proto-max-bulk-len", "3m", NULL};
    ck_assert_int_eq(set_pairs(err, sizeof(err), decimal), 0);
    ck_assert_int_eq(config.proto_max_bulk_len, 3000000);
    const char *small[] = {"proto-max-bulk-len", "10", NULL};
    expect_set_error(small, "ERR CONFIG SET failed (possibly related to argument "
                            "'proto-max-bulk-len') - argument must be between 1048576 and "
                            "9223372036854775807 inclusive");
    const char *garbage[] = {"proto-max-bulk-len", "10x", NULL};
    expect_set_error(garbage, "ERR CONFIG SET failed (possibly related to argument "
                              "'proto-max-bulk-len') - argument must be a memory value");
    ck_assert_int_eq(config.proto_max_bulk_len, 3000000);
}
END_TEST

START_TEST(test_set_save_and_output_limits)
{
    char err[512];
    const char *save[] = {"save", "100 10", NULL};
    ck_assert_int_eq(set_pairs(err, sizeof(err), save), 0);
    ck_assert_str_eq(get_value("save"), "100 10");
    const char *odd[] = {"save", "100 10 5", NULL};
    expect_set_error(odd, "ERR CONFIG SET failed (possibly related to argument 'save') - "
                          "Invalid save parameters");
    const char *double_space[] = {"save", "100  10", NULL};
    expect_set_error(double_space, "ERR CONFIG SET failed (possibly related to argument 'save') - "
                                   "Invalid save parameters");
    const char *empty[] = {"save", "", NULL};
    ck_assert_int_eq(set_pairs(err, sizeof(err), empty), 0);
    ck_assert_str_eq(get_value("save"), "");

    const char *pubsub[] = {"client-output-buffer-limit", "pubsub 1mb 2mb 5", NULL};
    ck_assert_int_eq(set_pairs(err, sizeof(err), pubsub), 0);
    ck_assert_str_eq(get_value("client-output-buffer-limit"),
                     "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 2097152 5");
    const char *master[] = {"client-output-buffer-limit", "master 1 1 1", NULL};
    expect_set_error(master, "ERR CONFIG SET failed (possibly related to argument "
                             "'client-output-buffer-limit') - Invalid client class specified in "
                             "buffer limit configuration.");
    const char *short_group[] = {"client-output-buffer-limit", "normal 1", NULL};
    expect_set_error(short_group, "ERR CONFIG SET failed (possibly related to argument "
                                  "'client-output-buffer-limit') - Wrong number of arguments in "
                                  "buffer limit configuration.");
    const char *negative[] = {"client-output-buffer-limit", "normal 1mb 2mb -1", NULL};
    expect_set_error(negative, "ERR CONFIG SET failed (possibly related to argument "
                               "'client-output-buffer-limit') - Error in hard, soft or "
                               "soft_seconds setting in buffer limit configuration.");
    const char *bind[] = {"bind", "0.0.0.0", NULL};
    expect_set_error(bind, "ERR CONFIG SET failed (possibly related to argument 'bind') - "
                           "can't set immutable config");
}
END_TEST

START_TEST(test_set_hz_is_clamped)
{
    char err[512];
    const char *high[] = {"hz", "1000", NULL};
    ck_assert_int_eq(set_pairs(err, sizeof(err), high), 0);
    ck_assert_str_eq(get_value("hz"), "500");
    const char *zero[] = {"hz", "0", NULL};
    ck_assert_int_eq(set_pairs(err, sizeof(err), zero), 0);
    ck_assert_str_eq(get_value("hz"), "1");
}
END_TEST

static int change_count;
static char change_names[8][64];

static void record_change(const char *name)
{
    if (change_count < 8) snprintf(change_names[change_count], 64, "%s", name);
    change_count++;
}

START_TEST(test_set_loglevel_and_on_change)
{
    char err[512];
    change_count = 0;
    config_on_change = record_change;
    const char *pairs[] = {"LogLevel", "Warning", "timeout", "3", NULL};
    ck_assert_int_eq(set_pairs(err, sizeof(err), pairs), 0);
    ck_assert_int_eq(log_get_level(), LOG_WARNING);
    ck_assert_str_eq(get_value("loglevel"), "warning");
    ck_assert_int_eq(change_count, 2);
    ck_assert_str_eq(change_names[0], "loglevel");
    ck_assert_str_eq(change_names[1], "timeout");

    const char *bad[] = {"timeout", "x", NULL};
    expect_set_error(bad, "ERR CONFIG SET failed (possibly related to argument 'timeout') - "
                          "argument couldn't be parsed into an integer");
    ck_assert_int_eq(change_count, 2); /* not called on failure */
}
END_TEST

/* Readers copying requirepass while writers replace it: run under ASan /
 * TSan this catches a string freed before the swap. */
static void *hammer_set(void *arg)
{
    char err[256], value[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(value, sizeof(value), "password-%d", i);
        const char *pairs[] = {"requirepass", value, NULL};
        set_pairs(err, sizeof(err), pairs);
    }
    return arg;
}

static void *hammer_get(void *arg)
{
    char buf[64];
    for (int i = 0; i < 2000; i++) {
        config_get_string(&config.requirepass, buf, sizeof(buf));
        ck_assert(buf[0] == '\0' || strncmp(buf, "password-", 9) == 0);
    }
    return arg;
}

START_TEST(test_set_concurrent_with_readers)
{
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&threads[i], NULL, i % 2 ? hammer_get : hammer_set, NULL);
    for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
    ck_assert_str_eq(config.requirepass, "password-1999");
}
END_TEST

/* ---- log ------------------------------------------------------------------ */

#define LOG_LINE_REGEX                                                                             \
    "^[0-9]+:M [0-9]{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} "               \
    "[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} [.*#-] "

/* Reads a whole small file into buf. */
static size_t read_all(const char *path, char *buf, size_t size)
{
    FILE *fp = fopen(path, "r");
    ck_assert_ptr_nonnull(fp);
    size_t n = fread(buf, 1, size - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return n;
}

static void expect_line_shape(const char *line, const char *message, char level_char)
{
    regex_t re;
    ck_assert_int_eq(regcomp(&re, LOG_LINE_REGEX, REG_EXTENDED), 0);
    ck_assert_msg(regexec(&re, line, 0, NULL, 0) == 0, "bad log line: %s", line);
    regfree(&re);
    char pid_prefix[32];
    snprintf(pid_prefix, sizeof(pid_prefix), "%d:M ", (int)getpid());
    ck_assert_int_eq(strncmp(line, pid_prefix, strlen(pid_prefix)), 0);
    const char *text = line + strlen(line) - strlen(message);
    ck_assert_str_eq(text, message);
    ck_assert_int_eq(text[-2], level_char);
}

START_TEST(test_log_line_format_and_levels)
{
    char path[64], buf[4096];
    temp_file_write(path, sizeof(path), "");
    ck_assert_int_eq(log_open(path), 0);
    log_set_level(LOG_VERBOSE);
    log_debug("hidden %d", 1);
    log_verbose("verbose %d", 2);
    log_notice("notice %s", "three");
    log_warning("warning");
    log_set_level(LOG_WARNING);
    log_notice("hidden too");
    log_raw("raw banner %d\n", 4);
    log_set_level(LOG_NOTICE);
    log_raw("raw banner %d\n", 5);
    log_open(NULL);
    read_all(path, buf, sizeof(buf));
    unlink(path);

    char *lines[8];
    int count = 0;
    for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line && count < 8;
         line = strtok_r(NULL, "\n", &save))
        lines[count++] = line;
    ck_assert_int_eq(count, 4);
    expect_line_shape(lines[0], "verbose 2", '-');
    expect_line_shape(lines[1], "notice three", '*');
    expect_line_shape(lines[2], "warning", '#');
    ck_assert_str_eq(lines[3], "raw banner 5");
}
END_TEST

START_TEST(test_log_role_and_open_failure)
{
    char path[64], buf[512];
    temp_file_write(path, sizeof(path), "");
    ck_assert_int_eq(log_open(path), 0);
    log_set_role('S');
    log_notice("as replica");
    log_set_role('M');
    ck_assert_int_eq(log_open("/nonexistent/dir/x.log"), -1);
    log_notice("still to the same file");
    log_open(NULL);
    read_all(path, buf, sizeof(buf));
    unlink(path);
    char expected[32];
    snprintf(expected, sizeof(expected), "%d:S ", (int)getpid());
    ck_assert_int_eq(strncmp(buf, expected, strlen(expected)), 0);
    ck_assert_ptr_nonnull(strstr(buf, "still to the same file\n"));
}
END_TEST

static void *log_many(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < 300; i++)
        log_notice("thread %ld line %d xxxxxxxxxxxxxxxxxxxxxxxxxxxxx", id, i);
    return NULL;
}

/* Lines from several threads never interleave. */
START_TEST(test_log_threads_do_not_interleave)
{
    char path[64];
    temp_file_write(path, sizeof(path), "");
    ck_assert_int_eq(log_open(path), 0);
    pthread_t threads[4];
    for (long i = 0; i < 4; i++) pthread_create(&threads[i], NULL, log_many, (void *)i);
    for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
    log_open(NULL);

    static char buf[1 << 20];
    read_all(path, buf, sizeof(buf));
    unlink(path);
    regex_t re;
    ck_assert_int_eq(regcomp(&re, LOG_LINE_REGEX "thread [0-3] line [0-9]+ x{29}$", REG_EXTENDED),
                     0);
    int count = 0;
    for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line && count < 2000;
         line = strtok_r(NULL, "\n", &save)) {
        ck_assert_msg(regexec(&re, line, 0, NULL, 0) == 0, "bad line: %s", line);
        count++;
    }
    regfree(&re);
    ck_assert_int_eq(count, 1200);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *defaults = tcase_create("defaults");
    tcase_add_checked_fixture(defaults, setup, teardown);
    tcase_add_test(defaults, test_defaults_fields);
    tcase_add_test(defaults, test_defaults_formatted_like_redis);
    suite_add_tcase(s, defaults);

    TCase *load = tcase_create("load");
    tcase_add_checked_fixture(load, setup, teardown);
    tcase_add_test(load, test_file_comments_quotes_include);
    tcase_add_test(load, test_file_save_empty_and_list_in_one_argument);
    tcase_add_test(load, test_file_dir_changes_cwd);
    tcase_add_test(load, test_file_errors_like_redis);
    tcase_add_test(load, test_file_daemonize_refused);
    tcase_add_test(load, test_file_error_in_include_reports_its_line);
    tcase_add_test(load, test_file_missing_and_includes);
    tcase_add_test(load, test_file_include_loop_is_bounded);
    tcase_add_test(load, test_stdin_config);
    tcase_add_test(load, test_command_line_overrides_file);
    tcase_add_test(load, test_command_line_empty_save);
    tcase_add_test(load, test_command_line_error_line_numbers);
    suite_add_tcase(s, load);

    TCase *get = tcase_create("get");
    tcase_add_checked_fixture(get, setup, teardown);
    tcase_add_test(get, test_get_all_each_once);
    tcase_add_test(get, test_get_patterns);
    tcase_add_test(get, test_get_string);
    suite_add_tcase(s, get);

    TCase *set = tcase_create("set");
    tcase_add_checked_fixture(set, setup, teardown);
    tcase_add_test(set, test_set_several_pairs);
    tcase_add_test(set, test_set_is_atomic);
    tcase_add_test(set, test_set_errors_like_redis);
    tcase_add_test(set, test_set_protected_directives);
    tcase_add_test(set, test_set_dir_and_rollback);
    tcase_add_test(set, test_set_memory_units);
    tcase_add_test(set, test_set_save_and_output_limits);
    tcase_add_test(set, test_set_hz_is_clamped);
    tcase_add_test(set, test_set_loglevel_and_on_change);
    tcase_add_test(set, test_set_concurrent_with_readers);
    suite_add_tcase(s, set);

    TCase *log = tcase_create("log");
    tcase_add_checked_fixture(log, setup, teardown);
    tcase_add_test(log, test_log_line_format_and_levels);
    tcase_add_test(log, test_log_role_and_open_failure);
    tcase_add_test(log, test_log_threads_do_not_interleave);
    suite_add_tcase(s, log);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(config_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
