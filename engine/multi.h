/*
 * multi: MULTI/EXEC transactions: the queue of commands a client builds
 * between MULTI and EXEC, and EXEC itself, which runs them all while
 * holding every shard lock they need, so no other worker sees a state in
 * between (the same atomicity Redis's single thread gives).
 *
 * Thread: the client's worker.
 */
#ifndef TANDEM_ENGINE_MULTI_H
#define TANDEM_ENGINE_MULTI_H

#include "engine/command.h"

struct client;

/* Starts a transaction (MULTI). */
void multi_begin(struct client *c);
/* Queues a command (copying its arguments): replies +QUEUED. */
void multi_queue(struct client *c, const struct command *cmd, int argc,
                 const struct resp_arg *argv);
/* A command was rejected while queuing: EXEC will answer EXECABORT. */
void multi_flag_error(struct client *c);
/* Drops the transaction and every WATCH (DISCARD, EXEC's end, closing). */
void multi_discard(struct client *c);
/* The flags of the queued commands, or'ed (EXEC of writes is a write). */
uint32_t multi_queued_flags(const struct client *c);
/* The flags at least one queued command lacks (EXEC of a command that
 * may not run on a stale replica or while loading). */
uint32_t multi_queued_inv_flags(const struct client *c);
/* Queued commands, or -1 outside MULTI (CLIENT LIST multi=). */
int multi_count(const struct client *c);
/* Commands that run at once inside MULTI instead of being queued. */
int multi_runs_immediately(const struct command *cmd);

/* EXEC: the queued commands, or EXECABORT, or a nil array when a watched
 * key changed. */
void multi_exec(struct cmdctx *ctx);

#endif
