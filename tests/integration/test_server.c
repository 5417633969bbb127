/*
 * test_server: connection and server commands of Redis 7.0 against a real
 * server process: PING, ECHO, QUIT, HELLO, AUTH with requirepass, COMMAND,
 * CLIENT, INFO, CONFIG, TIME and DEBUG SLEEP.
 *
 * Usage: test_server <server binary>. Every expectation here was checked
 * against redis-server 7.0.15 first; tandem-server must give the same,
 * except HELLO 3, which tandem (RESP2 only) may refuse with NOPROTO.
 * redis-server 7.0 refuses DEBUG unless enable-debug-command is set, so
 * that directive is passed to redis-server only.
 */
#include "tests/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOAUTH "NOAUTH Authentication required."
#define WRONGPASS "WRONGPASS invalid username-password pair or user is disabled."

/* A fresh connection that gives up on a reply after 5 s, for connections
 * the server is expected to close. */
static redisContext *connect_short(const struct server *s)
{
    redisContext *c = harness_connect(s);
    struct timeval tv = {.tv_sec = 5, .tv_usec = 0};
    CHECK(redisSetTimeout(c, tv) == REDIS_OK);
    return c;
}

/* True when the server has closed this connection: the next command gets
 * no reply. */
static int connection_closed(redisContext *c)
{
    redisReply *r = redisCommand(c, "PING");
    if (r == NULL) return 1;
    freeReplyObject(r);
    return 0;
}

static void test_ping_echo(const struct server *s, redisContext *c)
{
    EXPECT_STATUS(harness_cmd(c, "PING"), "PONG");
    EXPECT_STR(harness_cmd(c, "PING hello"), "hello");
    EXPECT_STR(harness_cmd(c, "ping %s", "two words"), "two words");
    EXPECT_ERROR_EXACT(harness_cmd(c, "PING a b"),
                       "ERR wrong number of arguments for 'ping' command");
    redisReply *r = harness_cmd(c, "ECHO %b", "a\0b", (size_t)3);
    CHECK(r->type == REDIS_REPLY_STRING && r->len == 3 && memcmp(r->str, "a\0b", 3) == 0);
    freeReplyObject(r);
    EXPECT_ERROR_EXACT(harness_cmd(c, "ECHO"), "ERR wrong number of arguments for 'echo' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "ECHO a b"),
                       "ERR wrong number of arguments for 'echo' command");
}

static void test_quit(const struct server *s, redisContext *c)
{
    redisContext *q = connect_short(s);
    EXPECT_OK(harness_cmd(q, "QUIT"));
    CHECK(connection_closed(q));
    redisFree(q);
    EXPECT_STATUS(harness_cmd(c, "PING"), "PONG");
}

/* HELLO 2 answers a flat array of field, value pairs in this order. */
static void expect_hello2_reply(redisReply *r, long long client_id)
{
    static const char *const fields[] = {"server", "version", "proto",  "id",
                                         "mode",   "role",    "modules"};
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 14);
    for (size_t i = 0; i < 7; i++) {
        if (strcmp(r->element[2 * i]->str, fields[i]) != 0)
            harness_fail(__FILE__, __LINE__, "HELLO field %zu is %s, not %s", i,
                         r->element[2 * i]->str, fields[i]);
    }
    CHECK(strcmp(r->element[1]->str, "redis") == 0);
    CHECK(r->element[3]->type == REDIS_REPLY_STRING && strncmp(r->element[3]->str, "7.0.", 4) == 0);
    CHECK(r->element[5]->type == REDIS_REPLY_INTEGER && r->element[5]->integer == 2);
    CHECK(r->element[7]->type == REDIS_REPLY_INTEGER && r->element[7]->integer == client_id);
    CHECK(strcmp(r->element[9]->str, "standalone") == 0);
    CHECK(strcmp(r->element[11]->str, "master") == 0);
    CHECK(r->element[13]->type == REDIS_REPLY_ARRAY && r->element[13]->elements == 0);
    freeReplyObject(r);
}

/* HELLO 3 switches redis-server to RESP3 (hiredis 0.14 cannot read the
 * map it answers, hence a raw socket); tandem speaks RESP2 only and may
 * refuse. Either way the connection must stay usable. */
static void test_hello3(const struct server *s)
{
    char buf[1024];
    int fd = harness_raw_connect(s);
    harness_raw_send(fd, "HELLO 3\r\nPING\r\n", 15);
    harness_raw_read_until(fd, buf, sizeof(buf), "+PONG\r\n", HARNESS_RAW_TIMEOUT_MS);
    int refused = strcmp(buf, "-NOPROTO unsupported protocol version\r\n+PONG\r\n") == 0;
    int resp3 = strncmp(buf, "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n", 26) == 0 &&
                strstr(buf, "$5\r\nproto\r\n:3\r\n") != NULL;
    if (!refused && !resp3) harness_fail(__FILE__, __LINE__, "HELLO 3 answered \"%s\"", buf);
    close(fd);
}

static void test_hello(const struct server *s, redisContext *c)
{
    long long id = harness_cmd_int(c, "CLIENT ID");
    expect_hello2_reply(harness_cmd(c, "HELLO 2"), id);
    expect_hello2_reply(harness_cmd(c, "HELLO"), id);
    expect_hello2_reply(harness_cmd(c, "HELLO 2 SETNAME myname"), id);
    EXPECT_STR(harness_cmd(c, "CLIENT GETNAME"), "myname");
    /* The default user has no password: any password is accepted. */
    expect_hello2_reply(harness_cmd(c, "HELLO 2 AUTH default anything"), id);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HELLO 4"), "NOPROTO unsupported protocol version");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HELLO 1"), "NOPROTO unsupported protocol version");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HELLO abc"),
                       "ERR Protocol version is not an integer or out of range");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HELLO 2 foo"), "ERR Syntax error in HELLO option 'foo'");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HELLO 2 SETNAME %s", "a b"),
                       "ERR Client names cannot contain spaces, newlines or special characters.");
    test_hello3(s);
}

static void test_auth_without_password(const struct server *s, redisContext *c)
{
    EXPECT_ERROR_EXACT(harness_cmd(c, "AUTH x"),
                       "ERR AUTH <password> called without any password configured for the "
                       "default user. Are you sure your configuration is correct?");
    EXPECT_OK(harness_cmd(c, "AUTH default x"));
    EXPECT_ERROR_EXACT(harness_cmd(c, "AUTH nouser x"), WRONGPASS);
    EXPECT_ERROR_EXACT(harness_cmd(c, "AUTH a b c"), "ERR syntax error");
}

/* Everything NOAUTH-related runs on a second server with requirepass. */
static void test_auth_with_password(const char *binary)
{
    struct server s;
    const char *args[] = {"--requirepass", "secret", NULL};
    if (harness_start(&s, binary, args) != 0) harness_fail(__FILE__, __LINE__, "start failed");
    redisContext *c = harness_connect(&s);
    EXPECT_ERROR_EXACT(harness_cmd(c, "PING"), NOAUTH);
    EXPECT_ERROR_EXACT(harness_cmd(c, "GET a"), NOAUTH);
    EXPECT_ERROR_EXACT(harness_cmd(c, "SET a b"), NOAUTH);
    /* The command lookup comes before the authentication check. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "NOSUCH"),
                       "ERR unknown command 'NOSUCH', with args beginning with: ");
    EXPECT_ERROR_EXACT(harness_cmd(c, "HELLO 2"),
                       "NOAUTH HELLO must be called with the client already authenticated, "
                       "otherwise the HELLO AUTH <user> <pass> option can be used to "
                       "authenticate the client and select the RESP protocol version at the "
                       "same time");
    EXPECT_ERROR_EXACT(harness_cmd(c, "AUTH wrong"), WRONGPASS);
    EXPECT_ERROR_EXACT(harness_cmd(c, "AUTH default wrong"), WRONGPASS);
    EXPECT_ERROR_EXACT(harness_cmd(c, "HELLO 2 AUTH default wrong"), WRONGPASS);
    EXPECT_ERROR_EXACT(harness_cmd(c, "PING"), NOAUTH);
    EXPECT_OK(harness_cmd(c, "AUTH secret"));
    EXPECT_STATUS(harness_cmd(c, "PING"), "PONG");
    EXPECT_OK(harness_cmd(c, "SET a b"));
    /* A wrong password afterwards does not log the connection out. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "AUTH wrong"), WRONGPASS);
    EXPECT_STR(harness_cmd(c, "GET a"), "b");

    redisContext *h = harness_connect(&s);
    redisReply *hello = harness_cmd(h, "HELLO 2 AUTH default secret");
    expect_hello2_reply(hello, harness_cmd_int(h, "CLIENT ID"));
    EXPECT_STR(harness_cmd(h, "GET a"), "b");
    redisContext *d = harness_connect(&s);
    EXPECT_OK(harness_cmd(d, "AUTH default secret"));
    EXPECT_STR(harness_cmd(d, "GET a"), "b");
    redisFree(d);
    redisFree(h);
    redisFree(c);
    harness_stop(&s);
}

/* Finds `name` in a flattened map (name, value, ...) reply. */
static const redisReply *map_get(const redisReply *map, const char *name)
{
    for (size_t i = 0; i + 1 < map->elements; i += 2)
        if (map->element[i]->str != NULL && strcmp(map->element[i]->str, name) == 0)
            return map->element[i + 1];
    return NULL;
}

static int array_has_status(const redisReply *a, const char *s)
{
    for (size_t i = 0; a->type == REDIS_REPLY_ARRAY && i < a->elements; i++)
        if (a->element[i]->str != NULL && strcmp(a->element[i]->str, s) == 0) return 1;
    return 0;
}

static void test_command(const struct server *s, redisContext *c)
{
    CHECK(harness_cmd_int(c, "COMMAND COUNT") > 0);

    /* COMMAND INFO: name, arity, flags, first key, last key, step, ACL
     * categories, tips, key specs, subcommands. */
    redisReply *r = harness_cmd(c, "COMMAND INFO GET");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 1);
    redisReply *get = r->element[0];
    CHECK(get->type == REDIS_REPLY_ARRAY && get->elements == 10);
    CHECK(get->element[0]->type == REDIS_REPLY_STRING && strcmp(get->element[0]->str, "get") == 0);
    CHECK(get->element[1]->type == REDIS_REPLY_INTEGER && get->element[1]->integer == 2);
    CHECK(array_has_status(get->element[2], "readonly") &&
          array_has_status(get->element[2], "fast"));
    for (int i = 3; i <= 5; i++)
        CHECK(get->element[i]->type == REDIS_REPLY_INTEGER && get->element[i]->integer == 1);
    CHECK(array_has_status(get->element[6], "@read") &&
          array_has_status(get->element[6], "@string"));
    for (int i = 7; i <= 9; i++) CHECK(get->element[i]->type == REDIS_REPLY_ARRAY);
    freeReplyObject(r);

    r = harness_cmd(c, "COMMAND INFO set nosuchcommand");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    CHECK(r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->element[1]->integer == -3);
    CHECK(r->element[1]->type == REDIS_REPLY_NIL);
    freeReplyObject(r);

    /* COMMAND DOCS: in RESP2 a flat array name, [field, value, ...]. */
    r = harness_cmd(c, "COMMAND DOCS get");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    CHECK(strcmp(r->element[0]->str, "get") == 0);
    const redisReply *doc = r->element[1];
    CHECK(doc->type == REDIS_REPLY_ARRAY && doc->elements % 2 == 0);
    const redisReply *summary = map_get(doc, "summary");
    const redisReply *group = map_get(doc, "group");
    CHECK(summary != NULL && summary->type == REDIS_REPLY_STRING && summary->len > 0);
    CHECK(group != NULL && strcmp(group->str, "string") == 0);
    freeReplyObject(r);
}

/* The line of CLIENT LIST (or CLIENT INFO) output that has "id=<id> ". */
static int has_client_line(const char *list, long long id, const char *also)
{
    char needle[40];
    snprintf(needle, sizeof(needle), "id=%lld ", id);
    for (const char *line = list; line != NULL && *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *copy = strndup(line, len);
        int found = strncmp(copy, needle, strlen(needle)) == 0 && strstr(copy, also) != NULL;
        free(copy);
        if (found) return 1;
        line = end ? end + 1 : NULL;
    }
    return 0;
}

static void test_client_names_and_list(const struct server *s, redisContext *c)
{
    long long id = harness_cmd_int(c, "CLIENT ID");
    CHECK(id > 0);
    EXPECT_NIL(harness_cmd(c, "CLIENT GETNAME"));
    EXPECT_OK(harness_cmd(c, "CLIENT SETNAME worker-1"));
    EXPECT_STR(harness_cmd(c, "CLIENT GETNAME"), "worker-1");
    EXPECT_ERROR_EXACT(harness_cmd(c, "CLIENT SETNAME %s", "a b"),
                       "ERR Client names cannot contain spaces, newlines or special characters.");
    EXPECT_ERROR_EXACT(harness_cmd(c, "CLIENT SETNAME a b"),
                       "ERR wrong number of arguments for 'client|setname' command");
    EXPECT_ERROR_EXACT(harness_cmd(c, "CLIENT NOSUCH"),
                       "ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.");

    redisContext *other = harness_connect(s);
    long long other_id = harness_cmd_int(other, "CLIENT ID");
    CHECK(other_id != id);
    char *list = harness_cmd_str(c, "CLIENT LIST");
    CHECK(has_client_line(list, id, " addr=127.0.0.1:"));
    CHECK(has_client_line(list, id, " name=worker-1 "));
    CHECK(has_client_line(list, id, " db=0 "));
    CHECK(has_client_line(list, other_id, " name= "));
    CHECK(list[strlen(list) - 1] == '\n');
    free(list);

    char *info = harness_cmd_str(other, "CLIENT INFO");
    CHECK(has_client_line(info, other_id, " addr=127.0.0.1:"));
    CHECK(strchr(info, '\n') == info + strlen(info) - 1); /* exactly one line */
    free(info);

    /* An empty name clears it. */
    EXPECT_OK(harness_cmd(c, "CLIENT SETNAME %s", ""));
    EXPECT_NIL(harness_cmd(c, "CLIENT GETNAME"));
    redisFree(other);
}

/* The addr= field of the connection's own CLIENT INFO line. */
static char *client_addr(redisContext *c)
{
    char *info = harness_cmd_str(c, "CLIENT INFO");
    char *addr = strstr(info, " addr=");
    CHECK(addr != NULL);
    addr += 6;
    char *result = strndup(addr, strcspn(addr, " "));
    free(info);
    return result;
}

static void test_client_kill(const struct server *s, redisContext *c)
{
    redisContext *victim = connect_short(s);
    char *addr = client_addr(victim);
    EXPECT_INT(harness_cmd(c, "CLIENT KILL ADDR %s", addr), 1);
    CHECK(connection_closed(victim));
    redisFree(victim);
    free(addr);

    victim = connect_short(s);
    long long victim_id = harness_cmd_int(victim, "CLIENT ID");
    EXPECT_INT(harness_cmd(c, "CLIENT KILL ID %lld", victim_id), 1);
    CHECK(connection_closed(victim));
    redisFree(victim);

    /* The old form: CLIENT KILL <addr> answers OK. */
    victim = connect_short(s);
    addr = client_addr(victim);
    EXPECT_OK(harness_cmd(c, "CLIENT KILL %s", addr));
    CHECK(connection_closed(victim));
    redisFree(victim);
    EXPECT_ERROR_EXACT(harness_cmd(c, "CLIENT KILL %s", addr), "ERR No such client");
    free(addr);

    EXPECT_INT(harness_cmd(c, "CLIENT KILL ID 999999"), 0);
    EXPECT_INT(harness_cmd(c, "CLIENT KILL ADDR 1.2.3.4:5"), 0);
    EXPECT_ERROR_EXACT(harness_cmd(c, "CLIENT KILL ID abc"),
                       "ERR client-id should be greater than 0");
    EXPECT_ERROR_EXACT(harness_cmd(c, "CLIENT KILL"),
                       "ERR wrong number of arguments for 'client|kill' command");
    EXPECT_STATUS(harness_cmd(c, "PING"), "PONG");
}

static void expect_info_has(const char *info, const char *text)
{
    if (strstr(info, text) == NULL)
        harness_fail(__FILE__, __LINE__, "INFO lacks \"%s\":\n%s", text, info);
}

static void test_info(const struct server *s, redisContext *c)
{
    redisContext *other = harness_connect(s);
    EXPECT_OK(harness_cmd(c, "FLUSHALL"));
    EXPECT_STR(harness_cmd(c, "INFO keyspace"), "# Keyspace\r\n");
    EXPECT_OK(harness_cmd(c, "SET a 1"));
    EXPECT_OK(harness_cmd(c, "SET b 2 EX 100"));
    EXPECT_OK(harness_cmd(c, "CONFIG RESETSTAT"));
    for (int i = 0; i < 3; i++) EXPECT_STR(harness_cmd(c, "GET a"), "1");

    /* Connections of earlier tests may take a moment to be reaped. */
    long long deadline = harness_now_ms() + 5000;
    char *clients = harness_info_field(c, "clients", "connected_clients");
    while (clients != NULL && strcmp(clients, "2") != 0 && harness_now_ms() < deadline) {
        free(clients);
        harness_sleep_ms(20);
        clients = harness_info_field(c, "clients", "connected_clients");
    }
    CHECK(clients != NULL && strcmp(clients, "2") == 0);
    free(clients);

    char *info = harness_cmd_str(c, "INFO");
    static const char *const sections[] = {"# Server\r\n", "# Clients\r\n", "# Memory\r\n",
                                           "# Stats\r\n", "# Keyspace\r\n"};
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
        expect_info_has(info, sections[i]);
    expect_info_has(info, "\r\nredis_version:7.0.");
    expect_info_has(info, "\r\nused_memory:");
    expect_info_has(info, "\r\ntotal_commands_processed:");
    expect_info_has(info, "\r\ndb0:keys=2,expires=1,avg_ttl=");
    CHECK(strstr(info, "# Commandstats") == NULL); /* not a default section */
    free(info);

    info = harness_cmd_str(c, "INFO commandstats");
    expect_info_has(info, "# Commandstats\r\n");
    expect_info_has(info, "cmdstat_get:calls=3,usec=");
    free(info);
    info = harness_cmd_str(c, "INFO all");
    expect_info_has(info, "# Commandstats\r\n");
    expect_info_has(info, "# Server\r\n");
    free(info);
    info = harness_cmd_str(c, "INFO server clients");
    expect_info_has(info, "# Server\r\n");
    expect_info_has(info, "# Clients\r\n");
    CHECK(strstr(info, "# Memory") == NULL);
    free(info);

    char *port = harness_info_field(c, "server", "tcp_port");
    CHECK(port != NULL && atoi(port) == s->port);
    free(port);
    redisFree(other);
}

/* CONFIG GET answers name, value pairs in no particular order. */
static void expect_config_pairs(redisContext *c, const char *command, const char *const *pairs,
                                size_t npairs)
{
    redisReply *r = harness_cmd(c, command);
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 * npairs)
        harness_fail(__FILE__, __LINE__, "%s: %zu elements, expected %zu", command,
                     r->type == REDIS_REPLY_ARRAY ? r->elements : 0, 2 * npairs);
    for (size_t i = 0; i < npairs; i++) {
        const redisReply *value = map_get(r, pairs[2 * i]);
        if (value == NULL || strcmp(value->str, pairs[2 * i + 1]) != 0)
            harness_fail(__FILE__, __LINE__, "%s: %s is %s, expected %s", command, pairs[2 * i],
                         value ? value->str : "absent", pairs[2 * i + 1]);
    }
    freeReplyObject(r);
}

static void test_config_get_set(const struct server *s, redisContext *c)
{
    char port[16];
    snprintf(port, sizeof(port), "%d", s->port);
    expect_config_pairs(c, "CONFIG GET port", (const char *[]){"port", port}, 1);
    /* An exact name is echoed as the client spelled it. */
    expect_config_pairs(c, "CONFIG GET PORT", (const char *[]){"PORT", port}, 1);
    expect_config_pairs(c, "CONFIG GET tcp-*",
                        (const char *[]){"tcp-keepalive", "300", "tcp-backlog", "511"}, 2);
    expect_config_pairs(c, "CONFIG GET *query-buffer*",
                        (const char *[]){"client-query-buffer-limit", "1073741824"}, 1);
    expect_config_pairs(
        c, "CONFIG GET proto-max-bulk-len datab?ses hz",
        (const char *[]){"proto-max-bulk-len", "536870912", "databases", "16", "hz", "10"}, 3);
    expect_config_pairs(c, "CONFIG GET save appendonly bind",
                        (const char *[]){"save", "", "appendonly", "no", "bind", "127.0.0.1"}, 3);
    expect_config_pairs(c, "CONFIG GET nosuchparameter", NULL, 0);

    EXPECT_OK(harness_cmd(c, "CONFIG SET timeout 50 hz 20"));
    expect_config_pairs(c, "CONFIG GET timeout hz", (const char *[]){"timeout", "50", "hz", "20"},
                        2);
    /* All or nothing: a bad pair leaves the good one unapplied. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "CONFIG SET timeout 0 hz abc"),
                       "ERR CONFIG SET failed (possibly related to argument 'hz') - argument "
                       "couldn't be parsed into an integer");
    expect_config_pairs(c, "CONFIG GET timeout", (const char *[]){"timeout", "50"}, 1);
    EXPECT_OK(harness_cmd(c, "CONFIG SET TIMEOUT 0 hz 10"));
    EXPECT_OK(harness_cmd(c, "CONFIG SET proto-max-bulk-len 1mb"));
    expect_config_pairs(c, "CONFIG GET proto-max-bulk-len",
                        (const char *[]){"proto-max-bulk-len", "1048576"}, 1);
    EXPECT_OK(harness_cmd(c, "CONFIG SET proto-max-bulk-len 512mb"));

    EXPECT_ERROR_EXACT(harness_cmd(c, "CONFIG SET foo bar"),
                       "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    EXPECT_ERROR_EXACT(harness_cmd(c, "CONFIG SET daemonize yes"),
                       "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't "
                       "set immutable config");
    EXPECT_ERROR_EXACT(harness_cmd(c, "CONFIG SET timeout 1 timeout 2"),
                       "ERR CONFIG SET failed (possibly related to argument 'timeout') - "
                       "duplicate parameter");
    EXPECT_ERROR_EXACT(harness_cmd(c, "CONFIG SET timeout -1"),
                       "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument "
                       "must be between 0 and 2147483647 inclusive");
    EXPECT_ERROR_EXACT(harness_cmd(c, "CONFIG SET timeout"),
                       "ERR wrong number of arguments for 'config|set' command");
    /* An odd count past the arity check is a plain syntax error. */
    EXPECT_ERROR_EXACT(harness_cmd(c, "CONFIG SET timeout 1 hz"), "ERR syntax error");
    EXPECT_ERROR_EXACT(harness_cmd(c, "CONFIG GET"),
                       "ERR wrong number of arguments for 'config|get' command");
    expect_config_pairs(c, "CONFIG GET timeout hz", (const char *[]){"timeout", "0", "hz", "10"},
                        2);
}

static void test_config_resetstat(const struct server *s, redisContext *c)
{
    for (int i = 0; i < 5; i++) EXPECT_NIL(harness_cmd(c, "GET nothing"));
    EXPECT_OK(harness_cmd(c, "CONFIG RESETSTAT"));
    /* Counted after it ran: RESETSTAT itself is the one command so far. */
    char *total = harness_info_field(c, "stats", "total_commands_processed");
    CHECK(total != NULL && strcmp(total, "1") == 0);
    free(total);
    char *stats = harness_cmd_str(c, "INFO commandstats");
    CHECK(strstr(stats, "cmdstat_get:") == NULL);
    free(stats);
}

/* INFO errorstats counts error replies by their code, whether the command
 * was rejected (unknown, wrong arity) or failed while running; RESETSTAT
 * clears it, and the section is part of the default INFO. */
static void test_errorstats(const struct server *s, redisContext *c)
{
    EXPECT_OK(harness_cmd(c, "CONFIG RESETSTAT"));
    EXPECT_ERROR(harness_cmd(c, "NOSUCHCOMMAND"), "ERR unknown command");
    EXPECT_ERROR(harness_cmd(c, "GET"), "ERR wrong number of arguments");
    EXPECT_OK(harness_cmd(c, "SET notanumber abc"));
    EXPECT_ERROR(harness_cmd(c, "INCR notanumber"), "ERR value is not an integer");
    char *count = harness_info_field(c, "errorstats", "errorstat_ERR");
    CHECK(count != NULL && strcmp(count, "count=3") == 0);
    free(count);
    char *all = harness_cmd_str(c, "INFO");
    CHECK(strstr(all, "# Errorstats\r\nerrorstat_ERR:count=3\r\n") != NULL);
    free(all);
    char *failed = harness_info_field(c, "commandstats", "cmdstat_incr");
    CHECK(failed != NULL && strstr(failed, "failed_calls=1") != NULL);
    free(failed);
    EXPECT_OK(harness_cmd(c, "CONFIG RESETSTAT"));
    CHECK(harness_info_field(c, "errorstats", "errorstat_ERR") == NULL);
}

static void test_time_and_debug(const struct server *s, redisContext *c)
{
    redisReply *r = harness_cmd(c, "TIME");
    CHECK(r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    CHECK(r->element[0]->type == REDIS_REPLY_STRING && r->element[1]->type == REDIS_REPLY_STRING);
    long long seconds = atoll(r->element[0]->str), micros = atoll(r->element[1]->str);
    CHECK(llabs(seconds - (long long)time(NULL)) <= 5);
    CHECK(micros >= 0 && micros < 1000000);
    freeReplyObject(r);

    EXPECT_OK(harness_cmd(c, "DEBUG SLEEP 0"));
    long long start = harness_now_ms();
    EXPECT_OK(harness_cmd(c, "DEBUG SLEEP 0.2"));
    CHECK(harness_now_ms() - start >= 190);
}

int main(int argc, char **argv)
{
    static void (*const tests[])(const struct server *, redisContext *) = {
        test_ping_echo,      test_quit,
        test_hello,          test_auth_without_password,
        test_command,        test_client_names_and_list,
        test_client_kill,    test_info,
        test_config_get_set, test_config_resetstat,
        test_errorstats,     test_time_and_debug,
    };
    const char *binary = harness_binary_from_args(argc, argv);
    const char *debug_local[] = {"--enable-debug-command", "local", NULL};
    struct server s;
    if (harness_start(&s, binary, debug_local) != 0) return 1;
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        redisContext *c = harness_connect(&s);
        tests[i](&s, c);
        redisFree(c);
    }
    harness_stop(&s);
    test_auth_with_password(binary);
    printf("test_server: all passed\n");
    return 0;
}
