/*
 * config: the server's configuration, with Redis 7.0's syntax and behaviour.
 *
 * Everything a directive is lives in one row of `directives[]` (name, type,
 * flags, the field it fills, bounds, default), so adding one is one line.
 * Each type has three operations: parse (text arguments -> a staged value,
 * validated, nothing stored yet), apply (store the staged value into
 * `config`), format (the value as CONFIG GET shows it). The three entry
 * points are built from them:
 *
 *   config_load   the file (or stdin), then the "--name value" command line
 *                 turned into extra lines exactly as redis-server's main()
 *                 does, parsed line by line as loadServerConfigFromString;
 *                 errors carry Redis's "FATAL CONFIG FILE ERROR" text.
 *   config_get    glob patterns (case-insensitive) over directive names.
 *   config_set    several pairs, all or nothing: every pair is checked and
 *                 parsed first; then all are applied, and if one apply fails
 *                 (only `dir` can: chdir) the earlier ones get their previous
 *                 values back.
 *
 * Locking: config_lock is held for the whole of a load, a CONFIG GET
 * formatting pass and a CONFIG SET, so string fields are swapped and freed
 * under it; integers are stored with relaxed atomics for CONFIG_READ.
 * Memory comes from engine/alloc (allocation failure aborts, as in Redis).
 */
#define _GNU_SOURCE
#include "engine/config.h"
#include "engine/alloc.h"
#include "engine/glob.h"
#include "engine/log.h"
#include "engine/replica.h"
#include "engine/strbuf.h"
#include "engine/t_hash.h"
#include "engine/t_list.h"
#include "engine/t_set.h"
#include "engine/t_zset.h"
#include "engine/util.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The version Redis prints in its fatal config error banner. */
#define CONFIG_REDIS_VERSION "7.0.15"
/* Room for one directive's error reason ("argument must be ..."). */
#define REASON_MAX 256
/* "include" may nest; a file including itself must not recurse forever. */
#define INCLUDE_DEPTH_MAX 16
/* Redis accepts any hz >= 0 but clamps it to this range. */
#define HZ_MIN 1
#define HZ_MAX 500
#define MEGABYTE (1024LL * 1024)

struct server_config config;
pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
void (*config_on_change)(const char *name);

/* ------------------------------------------------------------------------
 * Small helpers: quoting, argument vectors.
 * --------------------------------------------------------------------- */

/* Appends s quoted and escaped the way sdscatrepr does, so that splitting
 * the result again gives back exactly s. */
static void strbuf_add_repr(struct strbuf *t, const char *s)
{
    strbuf_add(t, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '\\':
            strbuf_add(t, "\\\\", 2);
            break;
        case '"':
            strbuf_add(t, "\\\"", 2);
            break;
        case '\n':
            strbuf_add(t, "\\n", 2);
            break;
        case '\r':
            strbuf_add(t, "\\r", 2);
            break;
        case '\t':
            strbuf_add(t, "\\t", 2);
            break;
        case '\a':
            strbuf_add(t, "\\a", 2);
            break;
        case '\b':
            strbuf_add(t, "\\b", 2);
            break;
        default:
            if (isprint(c))
                strbuf_add(t, (const char *)&c, 1);
            else
                strbuf_printf(t, "\\x%02x", c);
        }
    }
    strbuf_add(t, "\"", 1);
}

static void args_free(char **argv, int argc)
{
    if (argv == NULL) return;
    for (int i = 0; i < argc; i++) mem_free(argv[i]);
    mem_free(argv);
}

static void args_push(char ***argv, int *argc, char *arg)
{
    *argv = mem_realloc(*argv, sizeof(char *) * (size_t)(*argc + 1));
    (*argv)[(*argc)++] = arg;
}

static int hex_digit_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
}

static char unescape_char(char c)
{
    switch (c) {
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    case 'b':
        return '\b';
    case 'a':
        return '\a';
    default:
        return c;
    }
}

/* One argument of a config line, sdssplitargs rules: "double quotes" take
 * \xHH and \n-style escapes, 'single quotes' only \', and a closing quote
 * must be followed by a space or the end. Returns -1 on unbalanced quotes. */
static int args_read_token(const char **cursor, struct strbuf *token)
{
    const char *p = *cursor;
    int in_double = 0, in_single = 0;
    for (;;) {
        if (in_double) {
            if (p[0] == '\\' && p[1] == 'x' && isxdigit((unsigned char)p[2]) &&
                isxdigit((unsigned char)p[3])) {
                char byte = (char)(hex_digit_value(p[2]) * 16 + hex_digit_value(p[3]));
                strbuf_add(token, &byte, 1);
                p += 3;
            } else if (p[0] == '\\' && p[1]) {
                char c = unescape_char(*++p);
                strbuf_add(token, &c, 1);
            } else if (*p == '"') {
                if (p[1] && !isspace((unsigned char)p[1])) return -1;
                p++;
                break;
            } else if (*p == '\0') {
                return -1;
            } else {
                strbuf_add(token, p, 1);
            }
        } else if (in_single) {
            if (p[0] == '\\' && p[1] == '\'') {
                p++;
                strbuf_add(token, "'", 1);
            } else if (*p == '\'') {
                if (p[1] && !isspace((unsigned char)p[1])) return -1;
                p++;
                break;
            } else if (*p == '\0') {
                return -1;
            } else {
                strbuf_add(token, p, 1);
            }
        } else if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == '\0') {
            break;
        } else if (*p == '"') {
            in_double = 1;
        } else if (*p == '\'') {
            in_single = 1;
        } else {
            strbuf_add(token, p, 1);
        }
        p++;
    }
    *cursor = p;
    return 0;
}

/* Splits a line into arguments as Redis's sdssplitargs. Returns a vector
 * (never NULL for valid input, even when empty), or NULL on unbalanced
 * quotes. */
static char **args_split_quoted(const char *line, int *argc)
{
    char **argv = NULL;
    int count = 0;
    const char *p = line;
    struct strbuf token = {0};

    for (;;) {
        while (*p && isspace((unsigned char)*p)) p++;
        if (*p == '\0') break;
        token.len = 0;
        if (args_read_token(&p, &token) != 0) {
            args_free(argv, count);
            strbuf_free(&token);
            *argc = 0;
            return NULL;
        }
        args_push(&argv, &count, mem_strndup(token.p ? token.p : "", token.len));
    }
    strbuf_free(&token);
    if (argv == NULL) argv = mem_alloc(sizeof(char *));
    *argc = count;
    return argv;
}

/* Splits on every single space, as CONFIG SET does for multi-argument
 * directives (sdssplitlen): "" gives no argument, "a  b" gives an empty
 * one in the middle. */
static char **args_split_spaces(const char *value, int *argc)
{
    char **argv = mem_alloc(sizeof(char *));
    int count = 0;
    if (*value == '\0') {
        *argc = 0;
        return argv;
    }
    const char *start = value;
    for (;;) {
        const char *space = strchr(start, ' ');
        size_t len = space ? (size_t)(space - start) : strlen(start);
        args_push(&argv, &count, mem_strndup(start, len));
        if (space == NULL) break;
        start = space + 1;
    }
    *argc = count;
    return argv;
}

/* ------------------------------------------------------------------------
 * The directive table and the value types.
 * --------------------------------------------------------------------- */

enum directive_flags {
    DIRECTIVE_IMMUTABLE = 1 << 0,     /* only in the file / command line */
    DIRECTIVE_PROTECTED = 1 << 1,     /* CONFIG SET needs enable-protected-configs */
    DIRECTIVE_MULTI_ARG = 1 << 2,     /* takes a list of arguments */
    DIRECTIVE_EMPTY_IS_NULL = 1 << 3, /* string: "" is stored as NULL */
};

struct enum_name {
    const char *name;
    int value;
};

/* A value parsed and validated but not stored yet. Only the members the
 * directive's type uses are filled; strings are owned until applied. */
struct staged_value {
    long long number;
    char *string;
    char *words[CONFIG_MAX_BIND];
    int word_count;
    struct save_point save_points[CONFIG_MAX_SAVE_POINTS];
    int save_count;
    int save_clear; /* a single "" argument: no save points at all */
    struct output_limit limits[3];
    int limit_classes; /* bit per enum client_class present */
};

/* What a load (file + command line) carries from line to line. NULL for
 * CONFIG SET and defaults. */
struct load_state {
    char *err;
    size_t errsize;
    int save_seen; /* the first "save" line replaces the defaults */
    int depth;     /* include nesting */
};

struct directive;

struct directive_ops {
    int (*parse)(const struct directive *d, char **argv, int argc, struct staged_value *out,
                 char *reason);
    int (*apply)(const struct directive *d, struct staged_value *value, struct load_state *load,
                 char *reason);
    void (*format)(const struct directive *d, struct strbuf *out);
};

struct directive {
    const char *name;
    const char *alias; /* another accepted name, or NULL */
    const struct directive_ops *ops;
    unsigned flags;
    size_t offset; /* of the field in struct server_config */
    size_t size;   /* of that field (int or long long) */
    /* A setting kept by the module that uses it (list-max-listpack-size
     * lives in engine/t_list.c) instead of a field of struct
     * server_config; offset is then unused, size is the variable's (int or
     * long long). */
    void *external;
    long long min, max;
    const char *default_value; /* parsed like a config file argument */
    const struct enum_name *enums;
    /* Extra check after parsing (e.g. dbfilename has no '/'). */
    int (*validate)(const struct staged_value *value, char *reason);
    /* Runs after the value is stored, under config_lock. */
    void (*after_apply)(void);
};

static void reason_set(char *reason, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reason_set(char *reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, REASON_MAX, fmt, ap);
    va_end(ap);
}

static void *directive_field(const struct directive *d)
{
    if (d->external) return d->external;
    return (char *)&config + d->offset;
}

static void field_store_number(const struct directive *d, long long value)
{
    if (d->size == sizeof(int)) {
        __atomic_store_n((int *)directive_field(d), (int)value, __ATOMIC_RELAXED);
    } else {
        __atomic_store_n((long long *)directive_field(d), value, __ATOMIC_RELAXED);
    }
}

static long long field_load_number(const struct directive *d)
{
    if (d->size == sizeof(int)) return __atomic_load_n((int *)directive_field(d), __ATOMIC_RELAXED);
    return __atomic_load_n((long long *)directive_field(d), __ATOMIC_RELAXED);
}

/* Replaces a string field; the old string is freed after the swap. The
 * caller holds config_lock, which is what readers of strings take. */
static void field_store_string(char **field, char *value)
{
    char *old = *field;
    __atomic_store_n(field, value, __ATOMIC_RELEASE);
    mem_free(old);
}

static void staged_value_free(struct staged_value *value)
{
    mem_free(value->string);
    for (int i = 0; i < value->word_count; i++) mem_free(value->words[i]);
    *value = (struct staged_value){0};
}

/* Numbers (bool, integer, memory, enum) share apply: store, then the hook. */
static int number_apply(const struct directive *d, struct staged_value *value,
                        struct load_state *load, char *reason)
{
    field_store_number(d, value->number);
    if (d->after_apply) d->after_apply();
    return 0;
}

static int validate_extra(const struct directive *d, const struct staged_value *value, char *reason)
{
    return d->validate ? d->validate(value, reason) : 0;
}

/* bool: "yes" / "no", any case. */
static int bool_parse(const struct directive *d, char **argv, int argc, struct staged_value *out,
                      char *reason)
{
    if (!strcasecmp(argv[0], "yes")) {
        out->number = 1;
    } else if (!strcasecmp(argv[0], "no")) {
        out->number = 0;
    } else {
        reason_set(reason, "argument must be 'yes' or 'no'");
        return -1;
    }
    return validate_extra(d, out, reason);
}

static void bool_format(const struct directive *d, struct strbuf *out)
{
    strbuf_add_str(out, field_load_number(d) ? "yes" : "no");
}

static int number_check_range(const struct directive *d, long long value, char *reason)
{
    if (value < d->min || value > d->max) {
        reason_set(reason, "argument must be between %lld and %lld inclusive", d->min, d->max);
        return -1;
    }
    return 0;
}

/* integer: strict decimal (string2ll rules), then the bounds. */
static int integer_parse(const struct directive *d, char **argv, int argc, struct staged_value *out,
                         char *reason)
{
    if (!util_str_to_ll(argv[0], strlen(argv[0]), &out->number)) {
        reason_set(reason, "argument couldn't be parsed into an integer");
        return -1;
    }
    if (number_check_range(d, out->number, reason) != 0) return -1;
    return validate_extra(d, out, reason);
}

static void integer_format(const struct directive *d, struct strbuf *out)
{
    strbuf_printf(out, "%lld", field_load_number(d));
}

/* memory: "512mb", "1gb", "100k", plain bytes; shown as plain bytes. The
 * bounds are compared unsigned, as Redis does for its size_t fields. */
static int memory_parse(const struct directive *d, char **argv, int argc, struct staged_value *out,
                        char *reason)
{
    if (!util_parse_memory(argv[0], &out->number)) {
        reason_set(reason, "argument must be a memory value");
        return -1;
    }
    unsigned long long bytes = (unsigned long long)out->number;
    if (bytes < (unsigned long long)d->min || bytes > (unsigned long long)d->max) {
        reason_set(reason, "argument must be between %lld and %lld inclusive", d->min, d->max);
        return -1;
    }
    return validate_extra(d, out, reason);
}

static void memory_format(const struct directive *d, struct strbuf *out)
{
    strbuf_printf(out, "%llu", (unsigned long long)field_load_number(d));
}

/* enum: one of a fixed list of names, any case. */
static int enum_parse(const struct directive *d, char **argv, int argc, struct staged_value *out,
                      char *reason)
{
    for (const struct enum_name *e = d->enums; e->name; e++) {
        if (!strcasecmp(argv[0], e->name)) {
            out->number = e->value;
            return validate_extra(d, out, reason);
        }
    }
    struct strbuf list = {0};
    for (const struct enum_name *e = d->enums; e->name; e++) {
        if (e != d->enums) strbuf_add_str(&list, ", ");
        strbuf_add_str(&list, e->name);
    }
    reason_set(reason, "argument(s) must be one of the following: %s", list.p);
    strbuf_free(&list);
    return -1;
}

static void enum_format(const struct directive *d, struct strbuf *out)
{
    long long value = field_load_number(d);
    for (const struct enum_name *e = d->enums; e->name; e++) {
        if (e->value == value) {
            strbuf_add_str(out, e->name);
            return;
        }
    }
    strbuf_add_str(out, "unknown");
}

/* string: any text; "" may mean "unset" (NULL) for some directives. */
static int string_parse(const struct directive *d, char **argv, int argc, struct staged_value *out,
                        char *reason)
{
    out->string = mem_strdup(argv[0]);
    return validate_extra(d, out, reason);
}

static int string_apply(const struct directive *d, struct staged_value *value,
                        struct load_state *load, char *reason)
{
    char *s = value->string;
    value->string = NULL;
    if ((d->flags & DIRECTIVE_EMPTY_IS_NULL) && s[0] == '\0') {
        mem_free(s);
        s = NULL;
    }
    field_store_string(directive_field(d), s);
    if (d->after_apply) d->after_apply();
    return 0;
}

static void string_format(const struct directive *d, struct strbuf *out)
{
    const char *s = *(char **)directive_field(d);
    strbuf_add_str(out, s ? s : "");
}

static const struct directive_ops bool_ops = {bool_parse, number_apply, bool_format};
static const struct directive_ops integer_ops = {integer_parse, number_apply, integer_format};
static const struct directive_ops memory_ops = {memory_parse, number_apply, memory_format};
static const struct directive_ops enum_ops = {enum_parse, number_apply, enum_format};
static const struct directive_ops string_ops = {string_parse, string_apply, string_format};

/* ------------------------------------------------------------------------
 * Special directives: dir, save, client-output-buffer-limit, bind.
 * --------------------------------------------------------------------- */

static int dir_parse(const struct directive *d, char **argv, int argc, struct staged_value *out,
                     char *reason)
{
    if (argc != 1) {
        reason_set(reason, "wrong number of arguments");
        return -1;
    }
    out->string = mem_strdup(argv[0]);
    return 0;
}

/* "dir" is the process's working directory: applying it is chdir, and the
 * field keeps the absolute path that CONFIG GET shows (getcwd). */
static int dir_apply(const struct directive *d, struct staged_value *value, struct load_state *load,
                     char *reason)
{
    if (chdir(value->string) == -1) {
        reason_set(reason, "%s", strerror(errno));
        return -1;
    }
    char *cwd = getcwd(NULL, 0);
    field_store_string(&config.dir, cwd ? cwd : mem_strdup(value->string));
    return 0;
}

static void dir_format(const struct directive *d, struct strbuf *out)
{
    strbuf_add_str(out, config.dir ? config.dir : "");
}

/* A decimal as strtoll reads it (Redis's save and soft_seconds parsing):
 * leading blanks and a sign are allowed, trailing garbage is not. */
static int parse_strtoll(const char *s, long long *out)
{
    char *end;
    *out = strtoll(s, &end, 10);
    return *end == '\0';
}

/* save: pairs "<seconds> <changes>"; a single "" means no snapshots. */
static int save_parse(const struct directive *d, char **argv, int argc, struct staged_value *out,
                      char *reason)
{
    if (argc == 1 && argv[0][0] == '\0') {
        out->save_clear = 1;
        argc = 0;
    }
    if (argc % 2 != 0) {
        reason_set(reason, "Invalid save parameters");
        return -1;
    }
    if (argc / 2 > CONFIG_MAX_SAVE_POINTS) {
        reason_set(reason, "Too many save points (at most %d)", CONFIG_MAX_SAVE_POINTS);
        return -1;
    }
    for (int i = 0; i < argc; i += 2) {
        struct save_point *point = &out->save_points[i / 2];
        if (!parse_strtoll(argv[i], &point->seconds) || point->seconds < 1 ||
            !parse_strtoll(argv[i + 1], &point->changes) || point->changes < 0) {
            reason_set(reason, "Invalid save parameters");
            return -1;
        }
    }
    out->save_count = argc / 2;
    return 0;
}

/* CONFIG SET replaces the list; in a config file the first "save" line
 * replaces the defaults and later lines add to it, as in Redis. */
static int save_apply(const struct directive *d, struct staged_value *value,
                      struct load_state *load, char *reason)
{
    int count = config.save_count;
    if (load == NULL || value->save_clear || !load->save_seen) count = 0;
    if (load != NULL) load->save_seen = 1;
    if (count + value->save_count > CONFIG_MAX_SAVE_POINTS) {
        reason_set(reason, "Too many save points (at most %d)", CONFIG_MAX_SAVE_POINTS);
        return -1;
    }
    for (int i = 0; i < value->save_count; i++)
        config.save_points[count + i] = value->save_points[i];
    __atomic_store_n(&config.save_count, count + value->save_count, __ATOMIC_RELEASE);
    return 0;
}

static void save_format(const struct directive *d, struct strbuf *out)
{
    for (int i = 0; i < config.save_count; i++) {
        if (i > 0) strbuf_add(out, " ", 1);
        strbuf_printf(out, "%lld %lld", config.save_points[i].seconds,
                      config.save_points[i].changes);
    }
}

static const char *const client_class_names[] = {"normal", "slave", "pubsub"};

/* Class names as Redis's getClientTypeByName; "master" is a class there but
 * has no output limit, so it is refused like an unknown one. */
static int client_class_from_name(const char *name)
{
    if (!strcasecmp(name, "normal")) return CLIENT_CLASS_NORMAL;
    if (!strcasecmp(name, "slave") || !strcasecmp(name, "replica")) return CLIENT_CLASS_REPLICA;
    if (!strcasecmp(name, "pubsub")) return CLIENT_CLASS_PUBSUB;
    return -1;
}

/* client-output-buffer-limit: groups "<class> <hard> <soft> <seconds>";
 * classes not named keep their limits. */
static int output_limit_parse(const struct directive *d, char **argv, int argc,
                              struct staged_value *out, char *reason)
{
    if (argc % 4 != 0) {
        reason_set(reason, "Wrong number of arguments in buffer limit configuration.");
        return -1;
    }
    for (int i = 0; i < argc; i += 4) {
        int class_index = client_class_from_name(argv[i]);
        if (class_index == -1) {
            reason_set(reason, "Invalid client class specified in buffer limit configuration.");
            return -1;
        }
        struct output_limit *limit = &out->limits[class_index];
        if (!util_parse_memory(argv[i + 1], &limit->hard_bytes) ||
            !util_parse_memory(argv[i + 2], &limit->soft_bytes) ||
            !parse_strtoll(argv[i + 3], &limit->soft_seconds) || limit->soft_seconds < 0) {
            reason_set(reason, "Error in hard, soft or soft_seconds setting in buffer limit "
                               "configuration.");
            return -1;
        }
        out->limit_classes |= 1 << class_index;
    }
    return 0;
}

static int output_limit_apply(const struct directive *d, struct staged_value *value,
                              struct load_state *load, char *reason)
{
    for (int class_index = 0; class_index < 3; class_index++) {
        if (!(value->limit_classes & (1 << class_index))) continue;
        struct output_limit *limit = &config.output_limits[class_index];
        __atomic_store_n(&limit->hard_bytes, value->limits[class_index].hard_bytes,
                         __ATOMIC_RELAXED);
        __atomic_store_n(&limit->soft_bytes, value->limits[class_index].soft_bytes,
                         __ATOMIC_RELAXED);
        __atomic_store_n(&limit->soft_seconds, value->limits[class_index].soft_seconds,
                         __ATOMIC_RELAXED);
    }
    return 0;
}

static void output_limit_format(const struct directive *d, struct strbuf *out)
{
    for (int class_index = 0; class_index < 3; class_index++) {
        const struct output_limit *limit = &config.output_limits[class_index];
        strbuf_printf(out, "%s%s %llu %llu %lld", class_index ? " " : "",
                      client_class_names[class_index], (unsigned long long)limit->hard_bytes,
                      (unsigned long long)limit->soft_bytes, limit->soft_seconds);
    }
}

/* bind: up to CONFIG_MAX_BIND addresses; a single "" means none. */
static int bind_parse(const struct directive *d, char **argv, int argc, struct staged_value *out,
                      char *reason)
{
    if (argc > CONFIG_MAX_BIND) {
        reason_set(reason, "Too many bind addresses specified.");
        return -1;
    }
    if (argc == 1 && argv[0][0] == '\0') argc = 0;
    for (int i = 0; i < argc; i++) out->words[i] = mem_strdup(argv[i]);
    out->word_count = argc;
    return 0;
}

static int bind_apply(const struct directive *d, struct staged_value *value,
                      struct load_state *load, char *reason)
{
    for (int i = 0; i < config.bind_count; i++) mem_free(config.bind[i]);
    for (int i = 0; i < value->word_count; i++) {
        config.bind[i] = value->words[i];
        value->words[i] = NULL;
    }
    for (int i = value->word_count; i < CONFIG_MAX_BIND; i++) config.bind[i] = NULL;
    __atomic_store_n(&config.bind_count, value->word_count, __ATOMIC_RELEASE);
    value->word_count = 0;
    return 0;
}

static void bind_format(const struct directive *d, struct strbuf *out)
{
    for (int i = 0; i < config.bind_count; i++) {
        if (i > 0) strbuf_add(out, " ", 1);
        strbuf_add_str(out, config.bind[i]);
    }
}

static const struct directive_ops dir_ops = {dir_parse, dir_apply, dir_format};
static const struct directive_ops save_ops = {save_parse, save_apply, save_format};
static const struct directive_ops output_limit_ops = {output_limit_parse, output_limit_apply,
                                                      output_limit_format};
static const struct directive_ops bind_ops = {bind_parse, bind_apply, bind_format};

/* replicaof <host> <port> | no one: the primary to follow from start-up
 * (REPLICAOF changes it at run time; CONFIG GET shows the current one). */
static int replicaof_parse(const struct directive *d, char **argv, int argc,
                           struct staged_value *out, char *reason)
{
    (void)d;
    if (argc != 2) {
        reason_set(reason, "wrong number of arguments");
        return -1;
    }
    if (!strcasecmp(argv[0], "no") && !strcasecmp(argv[1], "one")) {
        out->string = NULL;
        out->number = 0;
        return 0;
    }
    char *end;
    long port = strtol(argv[1], &end, 10);
    if (argv[1][0] == '\0' || *end != '\0' || port < 0 || port > 65535) {
        reason_set(reason, "Invalid master port");
        return -1;
    }
    out->string = mem_strdup(argv[0]);
    out->number = port;
    return 0;
}

static int replicaof_apply(const struct directive *d, struct staged_value *value,
                           struct load_state *load, char *reason)
{
    (void)d;
    (void)load;
    (void)reason;
    mem_free(config.replicaof_host);
    config.replicaof_host = value->string;
    config.replicaof_port = (int)value->number;
    value->string = NULL;
    return 0;
}

static void replicaof_format(const struct directive *d, struct strbuf *out)
{
    (void)d;
    char buf[320];
    replica_format_master(buf, sizeof(buf));
    strbuf_add_str(out, buf);
}

static const struct directive_ops replicaof_ops = {replicaof_parse, replicaof_apply,
                                                   replicaof_format};

/* ------------------------------------------------------------------------
 * Per-directive checks and hooks.
 * --------------------------------------------------------------------- */

/* tandem never forks into the background: refuse it loudly rather than
 * silently staying in the foreground. */
static int validate_daemonize(const struct staged_value *value, char *reason)
{
    if (value->number) {
        reason_set(reason, "daemonize yes is not supported: tandem always runs in the "
                           "foreground (use a process supervisor)");
        return -1;
    }
    return 0;
}

static int validate_dbfilename(const struct staged_value *value, char *reason)
{
    if (strchr(value->string, '/') || strchr(value->string, '\\')) {
        reason_set(reason, "dbfilename can't be a path, just a filename");
        return -1;
    }
    return 0;
}

static void after_apply_loglevel(void)
{
    log_set_level((enum log_level)config.loglevel);
}

/* Redis treats hz as a hint: any value is accepted, then clamped. */
static void after_apply_hz(void)
{
    int hz = config.hz;
    if (hz < HZ_MIN) hz = HZ_MIN;
    if (hz > HZ_MAX) hz = HZ_MAX;
    __atomic_store_n(&config.hz, hz, __ATOMIC_RELAXED);
}

static const struct enum_name loglevel_names[] = {
    {"debug", LOG_DEBUG},
    {"verbose", LOG_VERBOSE},
    {"notice", LOG_NOTICE},
    {"warning", LOG_WARNING},
    {NULL, 0},
};

static const struct enum_name protected_action_names[] = {
    {"no", PROTECTED_ACTION_NO},
    {"yes", PROTECTED_ACTION_YES},
    {"local", PROTECTED_ACTION_LOCAL},
    {NULL, 0},
};

static const struct enum_name repl_diskless_load_names[] = {
    {"disabled", REPL_DISKLESS_LOAD_DISABLED},
    {"on-empty-db", REPL_DISKLESS_LOAD_ON_EMPTY_DB},
    {"swapdb", REPL_DISKLESS_LOAD_SWAPDB},
    {NULL, 0},
};

#define FIELD(f)                                                                                   \
    .offset = offsetof(struct server_config, f), .size = sizeof(((struct server_config *)0)->f)

#define BOOL_DIRECTIVE(n, fl, f, def, check)                                                       \
    {                                                                                              \
        .name = n, .ops = &bool_ops, .flags = fl, FIELD(f), .default_value = def,                  \
        .validate = check                                                                          \
    }
#define INTEGER_DIRECTIVE(n, fl, f, lo, hi, def, hook)                                             \
    {                                                                                              \
        .name = n, .ops = &integer_ops, .flags = fl, FIELD(f), .min = lo, .max = hi,               \
        .default_value = def, .after_apply = hook                                                  \
    }
/* An integer setting owned by another module (an int or long long variable
 * there). */
#define EXTERNAL_INTEGER_DIRECTIVE(n, al, fl, var, lo, hi, def)                                    \
    {                                                                                              \
        .name = n, .alias = al, .ops = &integer_ops, .flags = fl, .external = &var,                \
        .size = sizeof(var), .min = lo, .max = hi, .default_value = def                            \
    }
/* A memory-size setting owned by another module (a long long there). */
#define EXTERNAL_MEMORY_DIRECTIVE(n, al, fl, var, lo, hi, def)                                     \
    {                                                                                              \
        .name = n, .alias = al, .ops = &memory_ops, .flags = fl, .external = &var,                 \
        .size = sizeof(var), .min = lo, .max = hi, .default_value = def                            \
    }
#define MEMORY_DIRECTIVE(n, fl, f, lo, hi, def)                                                    \
    {                                                                                              \
        .name = n, .ops = &memory_ops, .flags = fl, FIELD(f), .min = lo, .max = hi,                \
        .default_value = def                                                                       \
    }
#define ENUM_DIRECTIVE(n, fl, f, names, def, hook)                                                 \
    {                                                                                              \
        .name = n, .ops = &enum_ops, .flags = fl, FIELD(f), .enums = names, .default_value = def,  \
        .after_apply = hook                                                                        \
    }
#define STRING_DIRECTIVE(n, fl, f, def, check)                                                     \
    {                                                                                              \
        .name = n, .ops = &string_ops, .flags = fl, FIELD(f), .default_value = def,                \
        .validate = check                                                                          \
    }
#define SPECIAL_DIRECTIVE(n, fl, operations, def)                                                  \
    {                                                                                              \
        .name = n, .ops = operations, .flags = fl, .default_value = def                            \
    }

enum {
    IMMUTABLE = DIRECTIVE_IMMUTABLE,
    PROTECTED = DIRECTIVE_PROTECTED,
    MULTI_ARG = DIRECTIVE_MULTI_ARG,
    EMPTY_IS_NULL = DIRECTIVE_EMPTY_IS_NULL,
};

/* Every directive tandem understands. Defaults are Redis 7.0's (bind is
 * redis.conf's "127.0.0.1 -::1"); "threads" is tandem's own. */
static const struct directive directives[] = {
    INTEGER_DIRECTIVE("port", IMMUTABLE, port, 0, 65535, "6379", NULL),
    SPECIAL_DIRECTIVE("bind", IMMUTABLE | MULTI_ARG, &bind_ops, "127.0.0.1 -::1"),
    BOOL_DIRECTIVE("protected-mode", 0, protected_mode, "yes", NULL),
    INTEGER_DIRECTIVE("tcp-backlog", IMMUTABLE, tcp_backlog, 0, INT_MAX, "511", NULL),
    INTEGER_DIRECTIVE("timeout", 0, timeout, 0, INT_MAX, "0", NULL),
    INTEGER_DIRECTIVE("tcp-keepalive", 0, tcp_keepalive, 0, INT_MAX, "300", NULL),
    INTEGER_DIRECTIVE("maxclients", 0, maxclients, 1, UINT_MAX, "10000", NULL),
    SPECIAL_DIRECTIVE("dir", PROTECTED, &dir_ops, "."),
    STRING_DIRECTIVE("logfile", IMMUTABLE, logfile, "", NULL),
    STRING_DIRECTIVE("pidfile", IMMUTABLE | EMPTY_IS_NULL, pidfile, "", NULL),
    ENUM_DIRECTIVE("loglevel", 0, loglevel, loglevel_names, "notice", after_apply_loglevel),
    BOOL_DIRECTIVE("daemonize", IMMUTABLE, daemonize, "no", validate_daemonize),
    INTEGER_DIRECTIVE("threads", IMMUTABLE, threads, 0, 128, "0", NULL),
    INTEGER_DIRECTIVE("hz", 0, hz, 0, INT_MAX, "10", after_apply_hz),
    INTEGER_DIRECTIVE("databases", IMMUTABLE, databases, 1, INT_MAX, "16", NULL),
    STRING_DIRECTIVE("requirepass", EMPTY_IS_NULL, requirepass, "", NULL),
    MEMORY_DIRECTIVE("proto-max-bulk-len", 0, proto_max_bulk_len, MEGABYTE, LONG_MAX, "512mb"),
    MEMORY_DIRECTIVE("client-query-buffer-limit", 0, client_query_buffer_limit, MEGABYTE, LONG_MAX,
                     "1gb"),
    SPECIAL_DIRECTIVE("client-output-buffer-limit", MULTI_ARG, &output_limit_ops,
                      "normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60"),
    SPECIAL_DIRECTIVE("save", MULTI_ARG, &save_ops, "3600 1 300 100 60 10000"),
    STRING_DIRECTIVE("dbfilename", PROTECTED, dbfilename, "dump.rdb", validate_dbfilename),
    BOOL_DIRECTIVE("appendonly", 0, appendonly, "no", NULL),
    /* RDB files (storage/rdb.c): LZF for strings above 20 bytes, and the
     * CRC-64 at the end (0 written when off), as in Redis 7.0. */
    BOOL_DIRECTIVE("rdbcompression", 0, rdbcompression, "yes", NULL),
    BOOL_DIRECTIVE("rdbchecksum", IMMUTABLE, rdbchecksum, "yes", NULL),
    /* replication */
    MEMORY_DIRECTIVE("repl-backlog-size", 0, repl_backlog_size, 1, LLONG_MAX, "1mb"),
    {.name = "repl-ping-replica-period",
     .alias = "repl-ping-slave-period",
     .ops = &integer_ops,
     FIELD(repl_ping_replica_period),
     .min = 1,
     .max = INT_MAX,
     .default_value = "10"},
    INTEGER_DIRECTIVE("repl-timeout", 0, repl_timeout, 1, INT_MAX, "60", NULL),
    BOOL_DIRECTIVE("repl-diskless-sync", 0, repl_diskless_sync, "yes", NULL),
    INTEGER_DIRECTIVE("repl-diskless-sync-delay", 0, repl_diskless_sync_delay, 0, INT_MAX, "5",
                      NULL),
    INTEGER_DIRECTIVE("repl-diskless-sync-max-replicas", 0, repl_diskless_sync_max_replicas, 0,
                      INT_MAX, "0", NULL),
    {.name = "min-replicas-to-write",
     .alias = "min-slaves-to-write",
     .ops = &integer_ops,
     FIELD(min_replicas_to_write),
     .min = 0,
     .max = INT_MAX,
     .default_value = "0"},
    {.name = "min-replicas-max-lag",
     .alias = "min-slaves-max-lag",
     .ops = &integer_ops,
     FIELD(min_replicas_max_lag),
     .min = 0,
     .max = INT_MAX,
     .default_value = "10"},
    /* the replica side */
    {.name = "replicaof",
     .alias = "slaveof",
     .ops = &replicaof_ops,
     .flags = IMMUTABLE | MULTI_ARG,
     .default_value = "no one"},
    STRING_DIRECTIVE("masterauth", EMPTY_IS_NULL, masterauth, "", NULL),
    STRING_DIRECTIVE("masteruser", EMPTY_IS_NULL, masteruser, "", NULL),
    {.name = "replica-read-only",
     .alias = "slave-read-only",
     .ops = &bool_ops,
     FIELD(replica_read_only),
     .default_value = "yes"},
    {.name = "replica-serve-stale-data",
     .alias = "slave-serve-stale-data",
     .ops = &bool_ops,
     FIELD(replica_serve_stale_data),
     .default_value = "yes"},
    ENUM_DIRECTIVE("repl-diskless-load", 0, repl_diskless_load, repl_diskless_load_names,
                   "disabled", NULL),
    {.name = "replica-priority",
     .alias = "slave-priority",
     .ops = &integer_ops,
     FIELD(replica_priority),
     .min = 0,
     .max = INT_MAX,
     .default_value = "100"},
    BOOL_DIRECTIVE("replica-announced", 0, replica_announced, "yes", NULL),
    ENUM_DIRECTIVE("enable-protected-configs", IMMUTABLE, enable_protected_configs,
                   protected_action_names, "no", NULL),
    ENUM_DIRECTIVE("enable-debug-command", IMMUTABLE, enable_debug_command, protected_action_names,
                   "no", NULL),
    /* New lists take list-max-listpack-size as their quicklist fill (Redis
     * clamps it to -5..32767 there). */
    EXTERNAL_INTEGER_DIRECTIVE("list-max-listpack-size", "list-max-ziplist-size", 0,
                               list_max_listpack_size, INT_MIN, INT_MAX, "-2"),
    /* Accepted and shown for compatibility only: tandem does not LZF-compress
     * quicklist nodes, so any depth behaves as 0 (no compression). */
    EXTERNAL_INTEGER_DIRECTIVE("list-compress-depth", NULL, 0, list_compress_depth, 0, INT_MAX,
                               "0"),
    /* Hashes convert from listpack to hashtable past these (Redis: size_t
     * settings, 0..LONG_MAX; the value limit is a memory size, "1kb").
     * Redis 7.0.15's compiled-in default is 512 entries. */
    EXTERNAL_INTEGER_DIRECTIVE("hash-max-listpack-entries", "hash-max-ziplist-entries", 0,
                               hash_max_listpack_entries, 0, LONG_MAX, "512"),
    EXTERNAL_MEMORY_DIRECTIVE("hash-max-listpack-value", "hash-max-ziplist-value", 0,
                              hash_max_listpack_value, 0, LONG_MAX, "64"),
    /* Sets stay an intset up to this many integer members (Redis 7.0.15). */
    EXTERNAL_INTEGER_DIRECTIVE("set-max-intset-entries", NULL, 0, set_max_intset_entries, 0,
                               LONG_MAX, "512"),
    /* Sorted sets stay a listpack up to these (Redis 7.0.15's defaults). */
    EXTERNAL_INTEGER_DIRECTIVE("zset-max-listpack-entries", "zset-max-ziplist-entries", 0,
                               zset_max_listpack_entries, 0, LONG_MAX, "128"),
    EXTERNAL_MEMORY_DIRECTIVE("zset-max-listpack-value", "zset-max-ziplist-value", 0,
                              zset_max_listpack_value, 0, LONG_MAX, "64"),
};

#define DIRECTIVE_COUNT ((int)(sizeof(directives) / sizeof(directives[0])))

static int name_equals(const char *name, const char *s, size_t len)
{
    return name != NULL && strlen(name) == len && !strncasecmp(name, s, len);
}

/* Case-insensitive lookup by name or alias; NULL when unknown. */
static const struct directive *directive_lookup(const char *name, size_t len)
{
    for (int i = 0; i < DIRECTIVE_COUNT; i++) {
        if (name_equals(directives[i].name, name, len) ||
            name_equals(directives[i].alias, name, len))
            return &directives[i];
    }
    return NULL;
}

/* Parses and stores one directive's arguments (already split). */
static int directive_set(const struct directive *d, char **argv, int argc, struct load_state *load,
                         char *reason)
{
    struct staged_value value = {0};
    int rc = d->ops->parse(d, argv, argc, &value, reason);
    if (rc == 0) rc = d->ops->apply(d, &value, load, reason);
    staged_value_free(&value);
    return rc;
}

/* The value as CONFIG GET shows it; the caller frees it. */
static char *directive_format(const struct directive *d)
{
    struct strbuf out = {0};
    d->ops->format(d, &out);
    return strbuf_take(&out);
}

/* Sets every directive to its default value, as if read from a file. */
static void config_apply_defaults(void)
{
    char reason[REASON_MAX];
    for (int i = 0; i < DIRECTIVE_COUNT; i++) {
        const struct directive *d = &directives[i];
        int argc;
        char **argv = args_split_quoted(d->default_value, &argc);
        if (!(d->flags & DIRECTIVE_MULTI_ARG) && argc == 0) args_push(&argv, &argc, mem_strdup(""));
        if (argv == NULL || directive_set(d, argv, argc, NULL, reason) != 0) {
            fprintf(stderr, "config: bad default for '%s'\n", d->name);
            abort();
        }
        args_free(argv, argc);
    }
}

void config_init_defaults(void)
{
    pthread_mutex_lock(&config_lock);
    config_apply_defaults();
    mem_free(config.config_file);
    config.config_file = NULL;
    pthread_mutex_unlock(&config_lock);
}

/* ------------------------------------------------------------------------
 * Loading: config files, stdin, the command line.
 * --------------------------------------------------------------------- */

enum line_result {
    LINE_OK,     /* applied, or nothing to do */
    LINE_BAD,    /* reason says why; the caller adds the line number */
    LINE_FAILED, /* a nested load failed; load->err already holds it all */
};

static int config_load_text(const char *text, struct load_state *load);
static int config_load_sources(const char *path, int from_stdin, const char *extra,
                               struct load_state *load);

/* One directive line from a file: the right number of arguments, and for
 * list directives a single argument is split again, so that both
 * `save 900 1` and `--save "900 1"` work. */
static enum line_result config_load_directive(const struct directive *d, char **args, int count,
                                              struct load_state *load, char *reason)
{
    if (!(d->flags & DIRECTIVE_MULTI_ARG)) {
        if (count != 1) {
            reason_set(reason, "wrong number of arguments");
            return LINE_BAD;
        }
        return directive_set(d, args, count, load, reason) == 0 ? LINE_OK : LINE_BAD;
    }
    if (count == 1 && args[0][0] != '\0') {
        int argc;
        char **argv = args_split_quoted(args[0], &argc);
        int rc = directive_set(d, argv ? argv : args, argv ? argc : 0, load, reason);
        args_free(argv, argc);
        return rc == 0 ? LINE_OK : LINE_BAD;
    }
    return directive_set(d, args, count, load, reason) == 0 ? LINE_OK : LINE_BAD;
}

static enum line_result config_load_include(const char *path, struct load_state *load, char *reason)
{
    if (load->depth >= INCLUDE_DEPTH_MAX) {
        reason_set(reason, "include nesting is deeper than %d files", INCLUDE_DEPTH_MAX);
        return LINE_BAD;
    }
    load->depth++;
    int rc = config_load_sources(path, 0, NULL, load);
    load->depth--;
    return rc == 0 ? LINE_OK : LINE_FAILED;
}

/* One trimmed line: comments and blank lines are skipped; the directive
 * name is case-insensitive. */
static enum line_result config_load_line(const char *line, struct load_state *load, char *reason)
{
    if (line[0] == '#' || line[0] == '\0') return LINE_OK;

    int argc;
    char **argv = args_split_quoted(line, &argc);
    if (argv == NULL) {
        reason_set(reason, "Unbalanced quotes in configuration line");
        return LINE_BAD;
    }
    enum line_result rc = LINE_OK;
    if (argc > 0) {
        for (char *p = argv[0]; *p; p++) *p = (char)tolower((unsigned char)*p);
        const struct directive *d = directive_lookup(argv[0], strlen(argv[0]));
        if (d != NULL) {
            rc = config_load_directive(d, argv + 1, argc - 1, load, reason);
        } else if (!strcmp(argv[0], "include") && argc == 2) {
            rc = config_load_include(argv[1], load, reason);
        } else {
            reason_set(reason, "Bad directive or wrong number of arguments");
            rc = LINE_BAD;
        }
    }
    args_free(argv, argc);
    return rc;
}

static void load_error(struct load_state *load, int line_number, const char *line,
                       const char *reason)
{
    if (line != NULL) {
        snprintf(load->err, load->errsize,
                 "*** FATAL CONFIG FILE ERROR (Redis " CONFIG_REDIS_VERSION ") ***\n"
                 "Reading the configuration file, at line %d\n>>> '%s'\n%s",
                 line_number, line, reason);
    } else {
        snprintf(load->err, load->errsize,
                 "*** FATAL CONFIG FILE ERROR (Redis " CONFIG_REDIS_VERSION ") ***\n%s", reason);
    }
}

static char *line_trim(char *line)
{
    while (*line == ' ' || *line == '\t' || *line == '\r' || *line == '\n') line++;
    size_t len = strlen(line);
    while (len > 0 && strchr(" \t\r\n", line[len - 1])) line[--len] = '\0';
    return line;
}

/* Redis checks at the end of every parse that the log file can be opened,
 * since the server can't report that failure anywhere later. */
static int config_check_logfile(struct load_state *load)
{
    if (config.logfile == NULL || config.logfile[0] == '\0') return 0;
    FILE *fp = fopen(config.logfile, "a");
    if (fp == NULL) {
        char reason[REASON_MAX];
        reason_set(reason, "Can't open the log file: %s", strerror(errno));
        load_error(load, 0, NULL, reason);
        return -1;
    }
    fclose(fp);
    return 0;
}

/* Parses a whole configuration text line by line (numbered from 1 over
 * the text as given, so command-line lines continue the file's count). */
static int config_load_text(const char *text, struct load_state *load)
{
    const char *start = text;
    for (int line_number = 1;; line_number++) {
        const char *newline = strchr(start, '\n');
        size_t len = newline ? (size_t)(newline - start) : strlen(start);
        char *copy = mem_strndup(start, len);
        char *line = line_trim(copy);
        char reason[REASON_MAX] = "";
        enum line_result rc = config_load_line(line, load, reason);
        if (rc == LINE_BAD) load_error(load, line_number, line, reason);
        mem_free(copy);
        if (rc != LINE_OK) return -1;
        if (newline == NULL) break;
        start = newline + 1;
    }
    return config_check_logfile(load);
}

static void read_stream(FILE *fp, struct strbuf *out)
{
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) strbuf_add(out, buf, n);
}

static int read_file(const char *path, struct strbuf *out, struct load_state *load)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        snprintf(load->err, load->errsize, "Fatal error, can't open config file '%s': %s", path,
                 strerror(errno));
        return -1;
    }
    read_stream(fp, out);
    fclose(fp);
    return 0;
}

/* A path with wildcards reads every matching file, and matching none is
 * fine (an empty conf.d); a plain path must open. */
static int read_path(const char *path, struct strbuf *out, struct load_state *load)
{
    if (!strpbrk(path, "*?[")) return read_file(path, out, load);
    glob_t matches;
    if (glob(path, 0, NULL, &matches) != 0) return 0;
    int rc = 0;
    for (size_t i = 0; i < matches.gl_pathc && rc == 0; i++)
        rc = read_file(matches.gl_pathv[i], out, load);
    globfree(&matches);
    return rc;
}

/* Redis's loadServerConfig: the file's text, then stdin's, then (after a
 * newline) the extra lines from the command line, parsed as one text. */
static int config_load_sources(const char *path, int from_stdin, const char *extra,
                               struct load_state *load)
{
    struct strbuf content = {0};
    strbuf_add(&content, "", 0);
    int rc = 0;
    if (path != NULL) rc = read_path(path, &content, load);
    if (rc == 0 && from_stdin) read_stream(stdin, &content);
    if (rc == 0 && extra != NULL) {
        strbuf_add(&content, "\n", 1);
        strbuf_add_str(&content, extra);
    }
    if (rc == 0) rc = config_load_text(content.p, load);
    strbuf_free(&content);
    return rc;
}

static int is_option_name(const char *arg)
{
    return arg[0] == '-' && arg[1] == '-';
}

/* An option name ("--port") with nothing after it in the same argument:
 * its value is the next argument, whatever it looks like. `--save` just
 * before another option or at the end means `--save ""`. */
static int options_add_name(struct strbuf *options, int argc, char **argv, int j)
{
    if (options->len > 0) strbuf_add(options, "\n", 1);
    strbuf_add_str(options, argv[j] + 2);
    strbuf_add(options, " ", 1);

    int count;
    char **words = args_split_quoted(argv[j], &count);
    args_free(words, count);
    if (count != 1) return 1;
    if (!strcasecmp(argv[j], "--save")) {
        if (j == argc - 1) {
            strbuf_add_str(options, "\"\"");
        } else if (is_option_name(argv[j + 1])) {
            strbuf_add_str(options, "\"\"");
            return 1;
        }
    }
    return 0;
}

/* Turns "--name value ..." into config lines as redis-server's main()
 * does; sets *from_stdin when a lone "-" asks for stdin. */
static void options_build(int argc, char **argv, int first_is_argv1, struct strbuf *options,
                          int *from_stdin)
{
    int handled_last_name = 1;
    strbuf_add(options, "", 0);
    for (int j = 0; j < argc; j++) {
        const char *arg = argv[j];
        if (!strcmp(arg, "-") && ((j == 0 && first_is_argv1) || j == argc - 1)) {
            *from_stdin = 1;
        } else if (handled_last_name && is_option_name(arg)) {
            handled_last_name = options_add_name(options, argc, argv, j);
        } else {
            strbuf_add_repr(options, arg);
            strbuf_add(options, " ", 1);
            handled_last_name = 1;
        }
    }
}

/* The config file's absolute path (Redis's getAbsolutePath, without its
 * "../" tidying), taken before any "dir" line changes the cwd. */
static char *absolute_path(const char *path)
{
    if (path[0] == '/') return mem_strdup(path);
    char *cwd = getcwd(NULL, 0);
    if (cwd == NULL) return mem_strdup(path);
    struct strbuf out = {0};
    strbuf_add_str(&out, cwd);
    if (out.len == 0 || out.p[out.len - 1] != '/') strbuf_add(&out, "/", 1);
    strbuf_add_str(&out, path);
    mem_free(cwd);
    return strbuf_take(&out);
}

int config_load(const char *path, int argc, char **argv, char *err, size_t errsize)
{
    struct load_state load = {.err = err, .errsize = errsize};
    struct strbuf options = {0};
    int from_stdin = 0;

    if (errsize > 0) err[0] = '\0';
    if (path != NULL && !strcmp(path, "-")) {
        path = NULL;
        from_stdin = 1;
    }
    options_build(argc, argv, path == NULL && !from_stdin, &options, &from_stdin);

    pthread_mutex_lock(&config_lock);
    mem_free(config.config_file);
    config.config_file = path ? absolute_path(path) : NULL;
    int rc = config_load_sources(config.config_file, from_stdin, options.p, &load);
    pthread_mutex_unlock(&config_lock);

    strbuf_free(&options);
    return rc;
}

/* ------------------------------------------------------------------------
 * CONFIG GET
 * --------------------------------------------------------------------- */

struct get_result {
    const char *name;
    char *name_copy; /* the caller's spelling for exact lookups */
    char *value;
};

static int pattern_has_wildcards(const char *pattern, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (pattern[i] == '*' || pattern[i] == '?' || pattern[i] == '[') return 1;
    }
    return 0;
}

static void get_result_add(struct get_result *results, int *count, const struct directive *d,
                           const char *name, char *name_copy)
{
    results[*count].name = name_copy ? name_copy : name;
    results[*count].name_copy = name_copy;
    results[*count].value = directive_format(d);
    (*count)++;
}

/* Like Redis: a pattern without wildcards is a direct lookup (and the
 * reply uses the caller's spelling); otherwise every name and alias is
 * matched, ignoring case. */
static void config_get_pattern(const char *pattern, size_t len, char *emitted,
                               struct get_result *results, int *count)
{
    if (!pattern_has_wildcards(pattern, len)) {
        const struct directive *d = directive_lookup(pattern, len);
        if (d == NULL || emitted[d - directives]) return;
        emitted[d - directives] = 1;
        get_result_add(results, count, d, NULL, mem_strndup(pattern, len));
        return;
    }
    for (int i = 0; i < DIRECTIVE_COUNT; i++) {
        const struct directive *d = &directives[i];
        const char *name = NULL;
        if (emitted[i]) continue;
        if (glob_match(pattern, len, d->name, strlen(d->name), 1)) {
            name = d->name;
        } else if (d->alias && glob_match(pattern, len, d->alias, strlen(d->alias), 1)) {
            name = d->alias;
        }
        if (name == NULL) continue;
        emitted[i] = 1;
        get_result_add(results, count, d, name, NULL);
    }
}

/* Values are formatted under the lock and emitted after it is released,
 * so emit may do anything, even read the configuration again. */
void config_get(const char **patterns, const size_t *plens, int npatterns,
                void (*emit)(void *ctx, const char *name, const char *value), void *ctx)
{
    char emitted[DIRECTIVE_COUNT] = {0};
    struct get_result results[DIRECTIVE_COUNT];
    int count = 0;

    pthread_mutex_lock(&config_lock);
    for (int i = 0; i < npatterns; i++)
        config_get_pattern(patterns[i], plens[i], emitted, results, &count);
    pthread_mutex_unlock(&config_lock);

    for (int i = 0; i < count; i++) {
        emit(ctx, results[i].name, results[i].value);
        mem_free(results[i].name_copy);
        mem_free(results[i].value);
    }
}

const char *config_get_string(char *const *field, char *buf, size_t size)
{
    if (size == 0) return buf;
    pthread_mutex_lock(&config_lock);
    const char *s = *field ? *field : "";
    snprintf(buf, size, "%s", s);
    pthread_mutex_unlock(&config_lock);
    return buf;
}

/* ------------------------------------------------------------------------
 * CONFIG SET
 * --------------------------------------------------------------------- */

/* One "name value" pair of a CONFIG SET, through its three phases. */
struct set_pair {
    char *name; /* as the client spelled it */
    char *value;
    const struct directive *directive;
    struct staged_value staged;
    char *old_value; /* formatted before applying, to roll back */
};

static void set_error(char *err, size_t errsize, const char *name, const char *reason)
{
    snprintf(err, errsize, "ERR CONFIG SET failed (possibly related to argument '%s') - %s", name,
             reason);
}

static int protected_allowed(int client_is_local)
{
    int setting = config.enable_protected_configs;
    return setting == PROTECTED_ACTION_YES ||
           (setting == PROTECTED_ACTION_LOCAL && client_is_local);
}

/* Phase 1, Redis's order: every name must exist, be settable and appear
 * once; the first problem found is the one reported. */
static int set_check_names(struct set_pair *pairs, int npairs, int client_is_local, char *err,
                           size_t errsize)
{
    for (int i = 0; i < npairs; i++) {
        const struct directive *d = directive_lookup(pairs[i].name, strlen(pairs[i].name));
        if (d == NULL) {
            snprintf(err, errsize,
                     "ERR Unknown option or number of arguments for CONFIG SET - '%s'",
                     pairs[i].name);
            return -1;
        }
        if (d->flags & DIRECTIVE_IMMUTABLE) {
            set_error(err, errsize, pairs[i].name, "can't set immutable config");
            return -1;
        }
        if ((d->flags & DIRECTIVE_PROTECTED) && !protected_allowed(client_is_local)) {
            set_error(err, errsize, pairs[i].name, "can't set protected config");
            return -1;
        }
        for (int j = 0; j < i; j++) {
            if (pairs[j].directive == d) {
                set_error(err, errsize, pairs[i].name, "duplicate parameter");
                return -1;
            }
        }
        pairs[i].directive = d;
    }
    return 0;
}

/* Runs a directive's parse on a CONFIG SET value: list directives split it
 * on single spaces, the others take it whole. */
static int set_parse_value(const struct directive *d, const char *value, struct staged_value *out,
                           char *reason)
{
    if (!(d->flags & DIRECTIVE_MULTI_ARG)) {
        char *argv[1] = {(char *)value};
        return d->ops->parse(d, argv, 1, out, reason);
    }
    int argc;
    char **argv = args_split_spaces(value, &argc);
    int rc = d->ops->parse(d, argv, argc, out, reason);
    args_free(argv, argc);
    return rc;
}

/* Phase 2: parse and validate every value; nothing is stored yet. */
static int set_parse_values(struct set_pair *pairs, int npairs, char *err, size_t errsize)
{
    for (int i = 0; i < npairs; i++) {
        char reason[REASON_MAX] = "";
        if (set_parse_value(pairs[i].directive, pairs[i].value, &pairs[i].staged, reason) != 0) {
            set_error(err, errsize, pairs[i].directive->name, reason);
            return -1;
        }
    }
    return 0;
}

/* Puts back the values pairs[0..count) had before this CONFIG SET. */
static void set_rollback(struct set_pair *pairs, int count)
{
    for (int i = 0; i < count; i++) {
        const struct directive *d = pairs[i].directive;
        struct staged_value old = {0};
        char reason[REASON_MAX] = "";
        if (set_parse_value(d, pairs[i].old_value, &old, reason) != 0 ||
            d->ops->apply(d, &old, NULL, reason) != 0) {
            log_warning("Failed restoring failed CONFIG SET command. Error setting %s to '%s': %s",
                        d->name, pairs[i].old_value, reason);
        }
        staged_value_free(&old);
    }
}

/* Phase 3: store everything; if one store fails, undo the earlier ones. */
static int set_apply_values(struct set_pair *pairs, int npairs, char *err, size_t errsize)
{
    for (int i = 0; i < npairs; i++) pairs[i].old_value = directive_format(pairs[i].directive);
    for (int i = 0; i < npairs; i++) {
        const struct directive *d = pairs[i].directive;
        char reason[REASON_MAX] = "";
        if (d->ops->apply(d, &pairs[i].staged, NULL, reason) != 0) {
            log_warning("Failed applying new configuration. Possibly related to new %s setting. "
                        "Restoring previous settings.",
                        d->name);
            set_rollback(pairs, i + 1);
            set_error(err, errsize, d->name, reason);
            return -1;
        }
    }
    return 0;
}

static void set_pairs_free(struct set_pair *pairs, int npairs)
{
    for (int i = 0; i < npairs; i++) {
        mem_free(pairs[i].name);
        mem_free(pairs[i].value);
        mem_free(pairs[i].old_value);
        staged_value_free(&pairs[i].staged);
    }
    mem_free(pairs);
}

int config_set_from_client(const char **names, const size_t *nlens, const char **values,
                           const size_t *vlens, int npairs, int client_is_local, char *err,
                           size_t errsize)
{
    if (npairs <= 0) {
        snprintf(err, errsize, "ERR wrong number of arguments for 'config|set' command");
        return -1;
    }
    struct set_pair *pairs = mem_alloc(sizeof(*pairs) * (size_t)npairs);
    for (int i = 0; i < npairs; i++) {
        pairs[i] = (struct set_pair){0};
        pairs[i].name = mem_strndup(names[i], nlens[i]);
        pairs[i].value = mem_strndup(values[i], vlens[i]);
    }

    pthread_mutex_lock(&config_lock);
    int rc = set_check_names(pairs, npairs, client_is_local, err, errsize);
    if (rc == 0) rc = set_parse_values(pairs, npairs, err, errsize);
    if (rc == 0) rc = set_apply_values(pairs, npairs, err, errsize);
    pthread_mutex_unlock(&config_lock);

    if (rc == 0 && config_on_change != NULL) {
        for (int i = 0; i < npairs; i++) config_on_change(pairs[i].directive->name);
    }
    set_pairs_free(pairs, npairs);
    return rc;
}

int config_set(const char **names, const size_t *nlens, const char **values, const size_t *vlens,
               int npairs, char *err, size_t errsize)
{
    return config_set_from_client(names, nlens, values, vlens, npairs, 0, err, errsize);
}
