/*
 * command_docs: the argument descriptions the command tables carry, and
 * the "arguments" part of COMMAND DOCS built from them, in Redis 7.0's
 * reply shape. redis-cli 7.0 builds its command-line hints and the
 * `HELP <command>` syntax from exactly this reply.
 *
 * The descriptions are read-only data, written once in the cmd_*.c tables;
 * the reply function may be called from any worker.
 *
 * An argument list is an array of struct command_arg_doc ended by an entry
 * whose name is NULL, written in a table with COMMAND_ARGS:
 *
 *     .args = COMMAND_ARGS({.name = "key", .type = ARG_KEY},
 *                          {.name = "value", .type = ARG_STRING}),
 *
 * Structs rather than a compact syntax string ("key value [NX|XX]"): every
 * argument also needs a name that no syntax line shows (SET's "condition"
 * oneof, HELLO's "username_password" block), a since version and flags, so
 * a string would grow a private grammar with escapes for names such as
 * "ip:port"; designated initializers keep each field named and checked by
 * the compiler, and nest the way the reply does.
 */
#ifndef TANDEM_ENGINE_COMMAND_DOCS_H
#define TANDEM_ENGINE_COMMAND_DOCS_H

#include <stdint.h>

struct outbuf;

/* The argument types, named in the reply as Redis names them. */
enum command_arg_type {
    ARG_STRING,     /* "string" */
    ARG_INTEGER,    /* "integer" */
    ARG_DOUBLE,     /* "double" */
    ARG_KEY,        /* "key": also carries key_spec_index */
    ARG_PATTERN,    /* "pattern" */
    ARG_UNIX_TIME,  /* "unix-time" */
    ARG_PURE_TOKEN, /* "pure-token": the token alone, no value */
    ARG_ONEOF,      /* "oneof": exactly one of .args */
    ARG_BLOCK,      /* "block": all of .args, in order */
};

/* Argument flags, replied in this order. */
enum command_arg_flag {
    ARG_OPTIONAL = 1 << 0,       /* "optional" */
    ARG_MULTIPLE = 1 << 1,       /* "multiple": may repeat */
    ARG_MULTIPLE_TOKEN = 1 << 2, /* "multiple_token": the token repeats too */
};

/* One argument of a command. Fields left out of an initializer (NULL or 0)
 * are left out of the reply, as Redis leaves them out; key_spec_index is
 * always sent for ARG_KEY. Redis 7.0 has no display_text (7.2 added it),
 * so neither has this. */
struct command_arg_doc {
    const char *name;
    enum command_arg_type type;
    const char *token;            /* the literal before the value ("EX"), or NULL */
    const char *since;            /* version that added the argument, or NULL */
    const char *deprecated_since; /* or NULL */
    uint32_t flags;               /* enum command_arg_flag */
    /* ARG_KEY only: which of Redis's key specs finds this key (RENAME's
     * newkey is 1), even where tandem's COMMAND INFO still reports one. */
    int key_spec_index;
    const struct command_arg_doc *args; /* ARG_ONEOF, ARG_BLOCK: the parts */
};

/* A NULL-name terminated argument list as a static compound literal. */
#define COMMAND_ARGS(...) ((const struct command_arg_doc[]){__VA_ARGS__, {.name = NULL}})

/* Replies args as COMMAND DOCS's "arguments" value: an array with one map
 * per argument (name, type, key_spec_index, token, since,
 * deprecated_since, flags, arguments), RESP2 maps as flat arrays. */
void command_docs_reply_args(struct outbuf *o, const struct command_arg_doc *args);

#endif
