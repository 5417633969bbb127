/*
 * test_config_cli: starting the server from a redis.conf-syntax file and
 * from the command line, as redis-server 7.0 does: comments, quoted values,
 * case-blind directive names, command-line arguments overriding the file,
 * and fatal configuration errors (non-zero exit, the line number, the line
 * itself and Redis's reason, e.g. "Bad directive or wrong number of
 * arguments").
 *
 * Usage: test_config_cli <server binary>. Every expectation here was checked
 * against redis-server 7.0.15 first; tandem-server must give the same.
 */
#include "tests/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUN_DEADLINE_MS 10000

/* Writes `text` to <dir>/<name> and returns the file's path (static). */
static const char *write_config(const struct server *s, const char *name, const char *text)
{
    static char path[400];
    snprintf(path, sizeof(path), "%s/%s", s->dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0)
        harness_fail(__FILE__, __LINE__, "cannot write %s", path);
    return path;
}

static void expect_config(redisContext *c, const char *name, const char *value)
{
    redisReply *r = harness_cmd(c, "CONFIG GET %s", name);
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || strcmp(r->element[1]->str, value) != 0)
        harness_fail(__FILE__, __LINE__, "CONFIG GET %s: expected %s, got %s", name, value,
                     r->elements == 2 ? r->element[1]->str : "no such directive");
    freeReplyObject(r);
}

static void test_config_file_honoured(const char *binary)
{
    struct server s;
    char text[2048], port[16];
    if (harness_prepare(&s) != 0) harness_fail(__FILE__, __LINE__, "cannot prepare a directory");
    snprintf(port, sizeof(port), "%d", s.port);
    snprintf(text, sizeof(text),
             "# tandem test configuration: comments, blank lines and quotes\n"
             "\n"
             "port %d\n"
             "bind 127.0.0.1\n"
             "dir \"%s\"\n"
             "logfile '%s'\n"
             "save \"\"\n"
             "appendonly no\n"
             "   # an indented comment\n"
             "requirepass \"pass with spaces\"\n"
             "TIMEOUT 120\n"
             "Tcp-Keepalive 60\n"
             "hz 15\n",
             s.port, s.dir, s.logpath);
    const char *path = write_config(&s, "server.conf", text);
    const char *args[] = {path, "--hz", "25", NULL};
    if (harness_launch(&s, binary, args) != 0) {
        harness_stop(&s);
        harness_fail(__FILE__, __LINE__, "the server did not start from its config file");
    }
    redisContext *c = harness_connect(&s);
    EXPECT_ERROR_EXACT(harness_cmd(c, "PING"), "NOAUTH Authentication required.");
    EXPECT_OK(harness_cmd(c, "AUTH %s", "pass with spaces"));
    expect_config(c, "port", port);
    expect_config(c, "requirepass", "pass with spaces");
    expect_config(c, "timeout", "120");
    expect_config(c, "tcp-keepalive", "60");
    expect_config(c, "hz", "25"); /* the command line wins over the file */
    expect_config(c, "save", "");
    char *config_file = harness_info_field(c, "server", "config_file");
    CHECK(config_file != NULL && strcmp(config_file, path) == 0);
    free(config_file);
    redisFree(c);
    harness_stop(&s);
}

/* Runs the binary with argv and expects a fatal configuration error: a
 * non-zero exit before any deadline, and every `needles` string in its
 * output. */
static void expect_fatal(const char *const *argv, const char *const *needles, size_t count)
{
    static char output[16384];
    int status = harness_run(argv, output, sizeof(output), RUN_DEADLINE_MS);
    if (status == -1)
        harness_fail(__FILE__, __LINE__, "%s %s did not exit within 10 s", argv[0], argv[1]);
    if (status == 0) harness_fail(__FILE__, __LINE__, "exit status 0; output:\n%s", output);
    for (size_t i = 0; i < count; i++)
        if (strstr(output, needles[i]) == NULL)
            harness_fail(__FILE__, __LINE__, "output lacks \"%s\":\n%s", needles[i], output);
}

/* Writes a config file with `body` (after a port line, so an error that
 * is not detected leaves a server we can see) and expects it refused. */
static void expect_bad_file(const char *binary, const char *body, const char *const *needles,
                            size_t count)
{
    struct server s;
    char text[1024];
    if (harness_prepare(&s) != 0) harness_fail(__FILE__, __LINE__, "cannot prepare a directory");
    snprintf(text, sizeof(text), "# comment\nport %d\n%s", s.port, body);
    const char *argv[] = {binary, write_config(&s, "bad.conf", text), NULL};
    expect_fatal(argv, needles, count);
    harness_stop(&s);
}

static void test_bad_config_files(const char *binary)
{
    expect_bad_file(binary, "foobar yes\n",
                    (const char *[]){"FATAL CONFIG FILE ERROR", "at line 3", ">>> 'foobar yes'",
                                     "Bad directive or wrong number of arguments"},
                    4);
    expect_bad_file(binary, "timeout 5\n\nport\n",
                    (const char *[]){"at line 5", ">>> 'port'", "wrong number of arguments"}, 3);
    expect_bad_file(binary, "port abc\n",
                    (const char *[]){"at line 3", "argument couldn't be parsed into an integer"},
                    2);
    expect_bad_file(binary, "requirepass \"unterminated\n",
                    (const char *[]){"at line 3", "Unbalanced quotes in configuration line"}, 2);
}

static void test_bad_command_line(const char *binary)
{
    char port[16];
    snprintf(port, sizeof(port), "%d", port_free_loopback());
    const char *unknown[] = {binary, "--port", port, "--foobar", "yes", NULL};
    expect_fatal(unknown, (const char *[]){"Bad directive or wrong number of arguments"}, 1);

    const char *missing_file[] = {binary, "/nonexistent/tandem-test.conf", NULL};
    expect_fatal(missing_file, (const char *[]){"can't open config file"}, 1);
}

int main(int argc, char **argv)
{
    const char *binary = harness_binary_from_args(argc, argv);
    test_config_file_honoured(binary);
    test_bad_config_files(binary);
    test_bad_command_line(binary);
    printf("test_config_cli: all passed\n");
    return 0;
}
