/*
 * scenario_repl: the replication scenarios of tandem-bench compare, each a
 * round function (bench/scenario.h) that starts a primary and replicas of
 * the kind under test, measures one cost of replication and stops them:
 *
 *   replication-lag      time from a write's reply on the primary to its
 *                        visibility on a replica, under an open-loop SET
 *                        load at half the pair's maximum throughput;
 *   full-sync            time of a replica's full sync of a filled primary,
 *                        idle and under a write load, and the growth of the
 *                        primary's memory (with any fork child) meanwhile;
 *   write-with-replicas  SET throughput with 0, 1 and 2 replicas attached.
 *
 * docs/bench.md says how each figure is measured.
 *
 * Thread: the compare driver's; a round starts probe, writer and sampler
 * threads of its own and joins them before it returns.
 */
#ifndef TANDEM_BENCH_SCENARIO_REPL_H
#define TANDEM_BENCH_SCENARIO_REPL_H

#include "bench/scenario.h"

int scenario_repl_lag_round(const struct scenario *sc, const struct bench_options *o,
                            struct server *srv, int round, struct result *res, char *err,
                            size_t errsize);
int scenario_repl_full_sync_round(const struct scenario *sc, const struct bench_options *o,
                                  struct server *srv, int round, struct result *res, char *err,
                                  size_t errsize);
int scenario_repl_write_round(const struct scenario *sc, const struct bench_options *o,
                              struct server *srv, int round, struct result *res, char *err,
                              size_t errsize);

#endif
