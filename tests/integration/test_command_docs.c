/*
 * test_command_docs: what a client learns about the commands from COMMAND
 * DOCS and COMMAND INFO, compared with a reference redis-server 7.0. For
 * every command and subcommand the server under test lists in COMMAND:
 *
 *   COMMAND DOCS <name>: summary, since, group, complexity, and the whole
 *     "arguments" tree: every field of every argument (name, type,
 *     key_spec_index, token, since, deprecated_since, flags, and any field
 *     either server sends), nested arguments recursively, reply types
 *     included (redis-cli asserts that flags are status replies). The same
 *     for each entry of the command's "subcommands" map, which is a second
 *     path through the server's code.
 *   COMMAND INFO <name>: arity, flags, first key, last key, step, ACL
 *     categories and tips (flags, categories and tips as sets), and the key
 *     specs exactly (notes, flags, begin_search, find_keys: range or
 *     keynum), spec by spec in order.
 *
 * Deliberately not compared, and why:
 *   - a command's "history", "doc_flags", "deprecated_since" and
 *     "replaced_by": tandem's tables do not carry them, and redis-cli 7.0,
 *     which builds its hints and HELP from this reply, reads only summary,
 *     since, group, arguments and subcommands;
 *   - the set of names in "subcommands": redis-server has subcommands
 *     tandem does not implement (CLIENT PAUSE, CONFIG REWRITE, ...); each
 *     one tandem has is compared on its own, as said above.
 * No argument field is ignored: Redis 7.0 sends no "display_text" (7.2
 * added it), and tandem sends the rest exactly.
 *
 * Usage: test_command_docs <server binary>. The reference is the
 * redis-server on PATH and must be a 7.0 release. With redis-server as the
 * binary under test the comparison is of redis-server with itself.
 */
#define _GNU_SOURCE /* memmem */
#include "tests/harness.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_NAMES 1024      /* commands plus subcommands; Redis 7.0.15 lists 366 */
#define MAX_DEPTH 8         /* argument nesting; Redis 7.0 goes four deep (CLIENT KILL) */
#define MAX_MISMATCHES 1000 /* stop collecting after this many */
#define MAX_REPLY_DEPTH 32  /* a reply nested deeper is a protocol error here */
#define MAX_REPLY_BYTES (64u << 20)
#define REPLY_TIMEOUT_MS 30000

/* Which server a reply came from, for messages. */
enum { TESTED, REFERENCE };

static int mismatches;

/* Fields of a command's docs left out of the comparison (see the top). */
static const char *const ignored_doc_fields[] = {
    "history", "doc_flags", "deprecated_since", "replaced_by", "subcommands",
};

static int is_ignored_doc_field(const char *name)
{
    for (size_t i = 0; i < sizeof(ignored_doc_fields) / sizeof(ignored_doc_fields[0]); i++)
        if (strcmp(name, ignored_doc_fields[i]) == 0) return 1;
    return 0;
}

/* ---- a RESP2 reader without hiredis 0.14's depth limit ---- */

/* hiredis 0.14 refuses replies nested more than 7 levels deep, and COMMAND
 * DOCS client|kill is nested deeper (arguments inside arguments inside
 * arguments). So this test reads the COMMAND replies itself, into
 * redisReply trees laid out as hiredis lays them out: freeReplyObject
 * frees them and the comparison code reads them like any other reply. */

struct conn {
    int fd;
    char *buf; /* bytes received and not yet parsed */
    size_t used, cap;
};

static redisReply *reply_new(int type)
{
    redisReply *r = calloc(1, sizeof(*r));
    CHECK(r != NULL);
    r->type = type;
    return r;
}

/* Parses one reply from buf[*pos, len). Returns it and advances *pos, or
 * returns NULL (keeping nothing) when the reply is not complete yet.
 * Fails the test on bytes that are not RESP2. */
static redisReply *parse_reply(const char *buf, size_t len, size_t *pos, int depth)
{
    CHECK(depth <= MAX_REPLY_DEPTH);
    const char *line = buf + *pos;
    const char *crlf = memmem(line, len - *pos, "\r\n", 2);
    if (crlf == NULL) return NULL;
    char header[32];
    size_t header_len = (size_t)(crlf - line) - 1;
    CHECK(header_len < sizeof(header));
    memcpy(header, line + 1, header_len);
    header[header_len] = '\0';
    size_t next = (size_t)(crlf + 2 - buf);
    char *end;
    long long n = 0;
    redisReply *r;
    switch (line[0]) {
    case '+':
    case '-':
        r = reply_new(line[0] == '+' ? REDIS_REPLY_STATUS : REDIS_REPLY_ERROR);
        r->str = strndup(line + 1, header_len);
        r->len = header_len;
        break;
    case ':':
        r = reply_new(REDIS_REPLY_INTEGER);
        r->integer = strtoll(header, &end, 10);
        CHECK(*end == '\0');
        break;
    case '$':
        n = strtoll(header, &end, 10);
        CHECK(*end == '\0' && n >= -1 && n <= (long long)MAX_REPLY_BYTES);
        if (n == -1) {
            r = reply_new(REDIS_REPLY_NIL);
            break;
        }
        if (len - next < (size_t)n + 2) return NULL;
        CHECK(memcmp(buf + next + n, "\r\n", 2) == 0);
        r = reply_new(REDIS_REPLY_STRING);
        r->str = malloc((size_t)n + 1);
        CHECK(r->str != NULL);
        memcpy(r->str, buf + next, (size_t)n);
        r->str[n] = '\0';
        r->len = (size_t)n;
        next += (size_t)n + 2;
        break;
    case '*':
        n = strtoll(header, &end, 10);
        CHECK(*end == '\0' && n >= -1 && n <= 1000000);
        if (n == -1) {
            r = reply_new(REDIS_REPLY_NIL);
            break;
        }
        r = reply_new(REDIS_REPLY_ARRAY);
        r->element = calloc((size_t)n + 1, sizeof(redisReply *));
        CHECK(r->element != NULL);
        r->elements = (size_t)n;
        for (long long i = 0; i < n; i++) {
            r->element[i] = parse_reply(buf, len, &next, depth + 1);
            if (r->element[i] == NULL) {
                freeReplyObject(r); /* the elements not read yet are NULL */
                return NULL;
            }
        }
        break;
    default:
        harness_fail(__FILE__, __LINE__, "not a RESP2 reply: type byte 0x%02x",
                     (unsigned char)line[0]);
    }
    *pos = next;
    return r;
}

/* Sends one command (argv joined as a RESP array) and reads its reply,
 * waiting at most REPLY_TIMEOUT_MS. */
static redisReply *conn_query(struct conn *c, int argc, const char *const *argv)
{
    char request[1024];
    int used = snprintf(request, sizeof(request), "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) {
        CHECK(used > 0 && (size_t)used < sizeof(request));
        used += snprintf(request + used, sizeof(request) - (size_t)used, "$%zu\r\n%s\r\n",
                         strlen(argv[i]), argv[i]);
    }
    CHECK(used > 0 && (size_t)used < sizeof(request));
    harness_raw_send(c->fd, request, (size_t)used);

    long long deadline = harness_now_ms() + REPLY_TIMEOUT_MS;
    for (;;) {
        size_t pos = 0;
        redisReply *r = c->used ? parse_reply(c->buf, c->used, &pos, 0) : NULL;
        if (r != NULL) {
            memmove(c->buf, c->buf + pos, c->used - pos);
            c->used -= pos;
            return r;
        }
        if (c->used == c->cap) {
            CHECK(c->cap < MAX_REPLY_BYTES);
            c->cap = c->cap ? c->cap * 2 : 64 * 1024;
            c->buf = realloc(c->buf, c->cap);
            CHECK(c->buf != NULL);
        }
        long long left = deadline - harness_now_ms();
        if (left <= 0) harness_fail(__FILE__, __LINE__, "no complete reply to %s", argv[0]);
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        int ready = poll(&p, 1, (int)left);
        if (ready < 0 && errno == EINTR) continue;
        CHECK(ready >= 0);
        if (ready == 0) continue; /* the deadline check above ends the wait */
        ssize_t got = recv(c->fd, c->buf + c->used, c->cap - c->used, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) harness_fail(__FILE__, __LINE__, "connection closed during %s", argv[0]);
        c->used += (size_t)got;
    }
}

static void conn_close(struct conn *c)
{
    close(c->fd);
    free(c->buf);
}

/* ---- replies as text, for messages ---- */

/* Appends a compact rendering of r to buf (at most size bytes in all):
 * strings quoted, statuses bare, arrays in brackets. */
static void render(const redisReply *r, char *buf, size_t size)
{
    size_t used = strlen(buf);
    if (used + 1 >= size) return;
    char *p = buf + used;
    size_t left = size - used;
    if (r == NULL) {
        snprintf(p, left, "(absent)");
        return;
    }
    switch (r->type) {
    case REDIS_REPLY_STRING:
        snprintf(p, left, "\"%.*s\"", (int)r->len, r->str);
        break;
    case REDIS_REPLY_STATUS:
        snprintf(p, left, "%.*s", (int)r->len, r->str);
        break;
    case REDIS_REPLY_INTEGER:
        snprintf(p, left, "%lld", r->integer);
        break;
    case REDIS_REPLY_ARRAY:
        snprintf(p, left, "[");
        for (size_t i = 0; i < r->elements; i++) {
            if (i) strncat(buf, " ", size - strlen(buf) - 1);
            render(r->element[i], buf, size);
        }
        strncat(buf, "]", size - strlen(buf) - 1);
        break;
    default:
        snprintf(p, left, "(%s)", harness_reply_type_name(r->type));
    }
}

static void report(const char *where, const redisReply *tested, const redisReply *reference)
{
    char t[1024] = "", r[1024] = "";
    render(tested, t, sizeof(t));
    render(reference, r, sizeof(r));
    if (mismatches < MAX_MISMATCHES)
        printf("MISMATCH %s\n    tested:       %s\n    redis-server: %s\n", where, t, r);
    mismatches++;
}

/* ---- generic comparison ---- */

/* Finds `name` in a map (RESP2: a flat array name, value, ...). */
static const redisReply *map_get(const redisReply *map, const char *name)
{
    if (map == NULL || map->type != REDIS_REPLY_ARRAY) return NULL;
    for (size_t i = 0; i + 1 < map->elements; i += 2)
        if (map->element[i]->type == REDIS_REPLY_STRING && strcmp(map->element[i]->str, name) == 0)
            return map->element[i + 1];
    return NULL;
}

static int is_map(const redisReply *r)
{
    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0) return 0;
    for (size_t i = 0; i < r->elements; i += 2)
        if (r->element[i]->type != REDIS_REPLY_STRING) return 0;
    return 1;
}

/* Exact equality: same types, same strings and integers, arrays equal
 * element by element in order. Bounded by the replies' depth. */
static int reply_equal(const redisReply *a, const redisReply *b)
{
    if (a == NULL || b == NULL) return a == b;
    if (a->type != b->type) return 0;
    switch (a->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
        return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
    case REDIS_REPLY_INTEGER:
        return a->integer == b->integer;
    case REDIS_REPLY_ARRAY:
        if (a->elements != b->elements) return 0;
        for (size_t i = 0; i < a->elements; i++)
            if (!reply_equal(a->element[i], b->element[i])) return 0;
        return 1;
    default:
        return 1; /* nil */
    }
}

/* Equal as sets of strings (flags, ACL categories): order may differ. */
static int reply_equal_as_set(const redisReply *a, const redisReply *b)
{
    if (a == NULL || b == NULL || a->type != REDIS_REPLY_ARRAY || b->type != REDIS_REPLY_ARRAY)
        return 0;
    if (a->elements != b->elements) return 0;
    for (size_t i = 0; i < a->elements; i++) {
        int found = 0;
        for (size_t j = 0; j < b->elements && !found; j++)
            found = reply_equal(a->element[i], b->element[j]);
        if (!found) return 0;
    }
    return 1;
}

/* ---- COMMAND DOCS ---- */

/* path = where + sep + field, cut short if it must be: it only names a
 * place in messages. */
static void path_join(char *path, size_t size, const char *where, const char *sep,
                      const char *field)
{
    int n = snprintf(path, size, "%s%s%s", where, sep, field);
    if (n < 0) path[0] = '\0';
}

static void compare_arg_list(const char *where, const redisReply *tested,
                             const redisReply *reference, int depth);

/* Two maps (a command's docs, or one argument) compared field by field
 * over the fields of both sides: "arguments" as a nested argument list,
 * every other field exactly. At the command level (depth 0) the fields in
 * ignored_doc_fields are left out. */
static void compare_fields(const char *where, const redisReply *tested, const redisReply *reference,
                           int depth)
{
    if (!is_map(tested) || !is_map(reference)) {
        if (!reply_equal(tested, reference)) report(where, tested, reference);
        return;
    }
    const redisReply *sides[2] = {tested, reference};
    for (int side = TESTED; side <= REFERENCE; side++) {
        for (size_t i = 0; i < sides[side]->elements; i += 2) {
            const char *field = sides[side]->element[i]->str;
            if (depth == 0 && is_ignored_doc_field(field)) continue;
            /* Fields both have are compared once, from the tested side. */
            if (side == REFERENCE && map_get(tested, field) != NULL) continue;
            char path[512];
            path_join(path, sizeof(path), where, depth == 0 ? " " : ".", field);
            const redisReply *t = map_get(tested, field), *r = map_get(reference, field);
            if (strcmp(field, "arguments") == 0 && t != NULL && r != NULL)
                compare_arg_list(path, t, r, depth + 1);
            else if (!reply_equal(t, r))
                report(path, t, r);
        }
    }
}

static void compare_arg_list(const char *where, const redisReply *tested,
                             const redisReply *reference, int depth)
{
    if (depth > MAX_DEPTH) {
        report(where, tested, reference); /* deeper than any Redis command */
        return;
    }
    if (tested == NULL || reference == NULL || tested->type != REDIS_REPLY_ARRAY ||
        reference->type != REDIS_REPLY_ARRAY || tested->elements != reference->elements) {
        report(where, tested, reference);
        return;
    }
    for (size_t i = 0; i < tested->elements; i++) {
        const redisReply *name = map_get(reference->element[i], "name");
        char index[128], path[512];
        snprintf(index, sizeof(index), "[%zu](%.100s)", i,
                 name && name->type == REDIS_REPLY_STRING ? name->str : "?");
        path_join(path, sizeof(path), where, "", index);
        compare_fields(path, tested->element[i], reference->element[i], depth);
    }
}

/* COMMAND DOCS <name>: the docs map (owned by *reply), or NULL when the
 * server does not know the command. */
static const redisReply *docs_of(struct conn *c, const char *name, redisReply **reply)
{
    *reply = conn_query(c, 3, (const char *const[]){"COMMAND", "DOCS", name});
    CHECK((*reply)->type == REDIS_REPLY_ARRAY);
    if ((*reply)->elements == 0) return NULL;
    CHECK((*reply)->elements == 2);
    CHECK((*reply)->element[0]->type == REDIS_REPLY_STRING);
    CHECK(strcmp((*reply)->element[0]->str, name) == 0);
    return (*reply)->element[1];
}

static void check_docs(struct conn *tested, struct conn *reference, const char *name)
{
    redisReply *t_reply, *r_reply;
    const redisReply *t = docs_of(tested, name, &t_reply);
    const redisReply *r = docs_of(reference, name, &r_reply);
    if (t == NULL || r == NULL) {
        report(name, t, r);
        goto out;
    }
    compare_fields(name, t, r, 0);

    /* The docs nested in the parent's "subcommands" map are built by a
     * second path: each must equal the reference's own lookup. */
    const redisReply *subs = map_get(t, "subcommands");
    for (size_t i = 0; subs != NULL && is_map(subs) && i < subs->elements; i += 2) {
        const char *sub = subs->element[i]->str;
        redisReply *rs_reply;
        const redisReply *rs = docs_of(reference, sub, &rs_reply);
        char where[256];
        snprintf(where, sizeof(where), "%s subcommands %s", name, sub);
        if (rs == NULL)
            report(where, subs->element[i + 1], NULL);
        else
            compare_fields(where, subs->element[i + 1], rs, 0);
        freeReplyObject(rs_reply);
    }
out:
    freeReplyObject(t_reply);
    freeReplyObject(r_reply);
}

/* ---- COMMAND INFO ---- */

static void check_info(struct conn *tested, struct conn *reference, const char *name)
{
    static const char *const fields[] = {"name", "arity",          "flags", "first key", "last key",
                                         "step", "acl categories", "tips",  "key specs"};
    const char *const query[] = {"COMMAND", "INFO", name};
    redisReply *t_reply = conn_query(tested, 3, query);
    redisReply *r_reply = conn_query(reference, 3, query);
    CHECK(t_reply->type == REDIS_REPLY_ARRAY && t_reply->elements == 1);
    CHECK(r_reply->type == REDIS_REPLY_ARRAY && r_reply->elements == 1);
    const redisReply *t = t_reply->element[0], *r = r_reply->element[0];
    if (t->type != REDIS_REPLY_ARRAY || r->type != REDIS_REPLY_ARRAY || t->elements < 9 ||
        r->elements < 9) {
        char where[256];
        snprintf(where, sizeof(where), "COMMAND INFO %s", name);
        report(where, t, r);
        goto out;
    }
    for (int i = 1; i <= 8; i++) {
        int same = (i == 2 || i == 6 || i == 7) ? reply_equal_as_set(t->element[i], r->element[i])
                                                : reply_equal(t->element[i], r->element[i]);
        if (!same) {
            char where[256];
            snprintf(where, sizeof(where), "COMMAND INFO %s %s", name, fields[i]);
            report(where, t->element[i], r->element[i]);
        }
    }
out:
    freeReplyObject(t_reply);
    freeReplyObject(r_reply);
}

/* ---- the command list ---- */

struct names {
    char *name[MAX_NAMES];
    int count;
};

/* Adds the name of a COMMAND entry and of its subcommands ("config|get"). */
static void collect_names(struct names *n, const redisReply *info)
{
    CHECK(info->type == REDIS_REPLY_ARRAY && info->elements >= 10);
    CHECK(info->element[0]->type == REDIS_REPLY_STRING);
    CHECK(n->count < MAX_NAMES);
    n->name[n->count++] = strdup(info->element[0]->str);
    const redisReply *subs = info->element[9];
    CHECK(subs->type == REDIS_REPLY_ARRAY);
    for (size_t i = 0; i < subs->elements; i++) {
        /* Subcommands have no subcommands of their own in Redis 7.0. */
        CHECK(subs->element[i]->type == REDIS_REPLY_ARRAY && subs->element[i]->elements >= 10);
        CHECK(subs->element[i]->element[0]->type == REDIS_REPLY_STRING);
        CHECK(n->count < MAX_NAMES);
        n->name[n->count++] = strdup(subs->element[i]->element[0]->str);
    }
}

static void require_reference_7_0(redisContext *reference)
{
    char *version = harness_info_field(reference, "server", "redis_version");
    if (version == NULL || strncmp(version, "7.0.", 4) != 0)
        harness_fail(__FILE__, __LINE__, "the reference must be redis-server 7.0, not %s",
                     version ? version : "(unknown)");
    free(version);
}

int main(int argc, char **argv)
{
    const char *binary = harness_binary_from_args(argc, argv);
    const char *redis = harness_redis_server_path();
    if (redis == NULL)
        harness_fail(__FILE__, __LINE__, "redis-server not found: it is the reference");
    struct server servers[2];
    if (harness_start(&servers[TESTED], binary, NULL) != 0) return 1;
    if (harness_start(&servers[REFERENCE], redis, NULL) != 0) {
        harness_stop(&servers[TESTED]);
        return 1;
    }
    redisContext *info = harness_connect(&servers[REFERENCE]);
    require_reference_7_0(info);
    redisFree(info);
    struct conn tested = {.fd = harness_raw_connect(&servers[TESTED])};
    struct conn reference = {.fd = harness_raw_connect(&servers[REFERENCE])};

    struct names names = {.count = 0};
    redisReply *all = conn_query(&tested, 1, (const char *const[]){"COMMAND"});
    CHECK(all->type == REDIS_REPLY_ARRAY && all->elements > 0);
    for (size_t i = 0; i < all->elements; i++) collect_names(&names, all->element[i]);
    freeReplyObject(all);

    for (int i = 0; i < names.count; i++) {
        check_docs(&tested, &reference, names.name[i]);
        check_info(&tested, &reference, names.name[i]);
    }
    printf("test_command_docs: %d commands and subcommands compared\n", names.count);
    fflush(stdout); /* the list above comes before harness_fail's stderr */
    if (mismatches > 0)
        harness_fail(__FILE__, __LINE__, "%d mismatches with redis-server (listed above)",
                     mismatches);

    for (int i = 0; i < names.count; i++) free(names.name[i]);
    conn_close(&tested);
    conn_close(&reference);
    harness_stop(&servers[TESTED]);
    harness_stop(&servers[REFERENCE]);
    printf("test_command_docs: all passed\n");
    return 0;
}
