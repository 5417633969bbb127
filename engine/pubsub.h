/*
 * pubsub: channels, patterns and the delivery of published messages.
 *
 * The registry (which clients listen to which channel or pattern) is shared
 * by every worker under one mutex: PUBLISH takes it for the whole fan-out,
 * so all subscribers see the messages of a channel in one order, the order
 * in which the publishes took the lock (Redis's single thread gives the same
 * guarantee). A message is formatted once per publish (once more per
 * matching pattern) and handed to each subscriber's worker through that
 * worker's inbox, a mutex-protected FIFO, followed by a wake; only the
 * owning worker ever writes into a client's output. A client's own
 * subscription lists belong to its worker.
 *
 * Thread: any worker. pubsub_client_gone and pubsub_worker_deliver run on
 * the client's (the inbox's) owning worker.
 */
#ifndef TANDEM_ENGINE_PUBSUB_H
#define TANDEM_ENGINE_PUBSUB_H

#include <stddef.h>

struct client;
struct outbuf;

/* Sets up one inbox per worker; main thread, before the workers start. */
void pubsub_init(int nworkers);

/* SUBSCRIBE / UNSUBSCRIBE / PSUBSCRIBE / PUNSUBSCRIBE of one name, with its
 * confirmation reply written to c's output. Returns 1 when the
 * subscription changed. */
int pubsub_subscribe(struct client *c, const char *name, size_t len);
int pubsub_unsubscribe(struct client *c, const char *name, size_t len);
int pubsub_psubscribe(struct client *c, const char *pattern, size_t len);
int pubsub_punsubscribe(struct client *c, const char *pattern, size_t len);
/* UNSUBSCRIBE / PUNSUBSCRIBE without arguments: every channel (pattern),
 * one confirmation each, or one with a nil name when there was none. */
void pubsub_unsubscribe_all(struct client *c);
void pubsub_punsubscribe_all(struct client *c);

/* Channels plus patterns c listens to (the count in confirmations); a
 * client with any is in the subscribed context of RESP2. */
long long pubsub_client_count(const struct client *c);
/* Channels (patterns: 0) or patterns (1) of c; any thread (CLIENT LIST). */
unsigned pubsub_client_subs(const struct client *c, int patterns);

/* Delivers message to every subscriber of channel and of every matching
 * pattern; returns how many deliveries were made. */
long long pubsub_publish(const char *channel, size_t clen, const char *msg, size_t mlen);

/* PUBSUB CHANNELS [pattern], NUMSUB, NUMPAT replies. */
void pubsub_reply_channels(struct outbuf *out, const char *pattern, size_t plen);
long long pubsub_channel_subscribers(const char *channel, size_t len);
long long pubsub_pattern_count(void);
/* Active channels (INFO stats pubsub_channels). */
long long pubsub_channel_count(void);

/* Drops every subscription of a closing client and any message still
 * queued for it. */
void pubsub_client_gone(struct client *c);
/* Moves the messages queued for this worker's clients into their output. */
void pubsub_worker_deliver(int worker_index);

#endif
