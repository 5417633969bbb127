/*
 * port: a free TCP port on 127.0.0.1, for the servers the bench and the
 * tests start (bound to port 0, read back, released).
 *
 * Thread: any.
 */
#ifndef TANDEM_BENCH_PORT_H
#define TANDEM_BENCH_PORT_H

/* A port nothing listens on right now, or -1. */
int port_free_loopback(void);

#endif
