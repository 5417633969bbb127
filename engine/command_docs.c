/*
 * command_docs: COMMAND DOCS "arguments" from the tables' argument
 * descriptions. See command_docs.h.
 *
 * The field order and the rule "absent field, absent key" follow Redis
 * 7.0's addReplyCommandArgList, so a client reading the reply with the
 * same loop it uses for redis-server sees the same thing.
 */
#include "engine/command_docs.h"

#include <stddef.h>

#include "engine/reply.h"

static const char *const arg_type_names[] = {
    [ARG_STRING] = "string",         [ARG_INTEGER] = "integer",
    [ARG_DOUBLE] = "double",         [ARG_KEY] = "key",
    [ARG_PATTERN] = "pattern",       [ARG_UNIX_TIME] = "unix-time",
    [ARG_PURE_TOKEN] = "pure-token", [ARG_ONEOF] = "oneof",
    [ARG_BLOCK] = "block",
};

static const struct {
    uint32_t flag;
    const char *name;
} arg_flag_names[] = {
    {ARG_OPTIONAL, "optional"},
    {ARG_MULTIPLE, "multiple"},
    {ARG_MULTIPLE_TOKEN, "multiple_token"},
};

#define ARG_FLAG_COUNT (sizeof(arg_flag_names) / sizeof(arg_flag_names[0]))

static int arg_has_parts(const struct command_arg_doc *arg)
{
    return arg->type == ARG_ONEOF || arg->type == ARG_BLOCK;
}

/* The flags as an array of status words (a set in RESP3, an array here). */
static void reply_arg_flags(struct outbuf *o, uint32_t flags)
{
    long long n = 0;
    for (size_t i = 0; i < ARG_FLAG_COUNT; i++)
        if (flags & arg_flag_names[i].flag) n++;
    reply_array(o, n);
    for (size_t i = 0; i < ARG_FLAG_COUNT; i++)
        if (flags & arg_flag_names[i].flag) reply_status(o, arg_flag_names[i].name);
}

/* One argument's map. Its length is counted first because RESP2 needs it
 * up front. The recursion is as deep as the table's nesting (four levels
 * for CLIENT KILL, the deepest in Redis 7.0), fixed at compile time. */
static void reply_arg(struct outbuf *o, const struct command_arg_doc *arg)
{
    long long fields = 2 + (arg->type == ARG_KEY) + (arg->token != NULL) + (arg->since != NULL) +
                       (arg->deprecated_since != NULL) + (arg->flags != 0) + arg_has_parts(arg);
    reply_map(o, fields);
    reply_bulk_cstr(o, "name");
    reply_bulk_cstr(o, arg->name);
    reply_bulk_cstr(o, "type");
    reply_bulk_cstr(o, arg_type_names[arg->type]);
    if (arg->type == ARG_KEY) {
        reply_bulk_cstr(o, "key_spec_index");
        reply_int(o, arg->key_spec_index);
    }
    if (arg->token) {
        reply_bulk_cstr(o, "token");
        reply_bulk_cstr(o, arg->token);
    }
    if (arg->since) {
        reply_bulk_cstr(o, "since");
        reply_bulk_cstr(o, arg->since);
    }
    if (arg->deprecated_since) {
        reply_bulk_cstr(o, "deprecated_since");
        reply_bulk_cstr(o, arg->deprecated_since);
    }
    if (arg->flags) {
        reply_bulk_cstr(o, "flags");
        reply_arg_flags(o, arg->flags);
    }
    if (arg_has_parts(arg)) {
        reply_bulk_cstr(o, "arguments");
        command_docs_reply_args(o, arg->args);
    }
}

void command_docs_reply_args(struct outbuf *o, const struct command_arg_doc *args)
{
    long long n = 0;
    if (args)
        for (const struct command_arg_doc *a = args; a->name; a++) n++;
    reply_array(o, n);
    for (long long i = 0; i < n; i++) reply_arg(o, &args[i]);
}
