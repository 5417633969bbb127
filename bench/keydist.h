/*
 * keydist: where the load's keys come from. A small fast generator
 * (xoshiro256**) and the key distributions: uniform over the key space, or
 * Zipfian (rank 0 the hottest), sampled in constant time by
 * rejection-inversion so a million-key space costs nothing to set up.
 *
 * Thread: each load thread owns its own struct rng; a struct zipf is
 * read-only once made and may be shared.
 */
#ifndef TANDEM_BENCH_KEYDIST_H
#define TANDEM_BENCH_KEYDIST_H

#include <stdint.h>

struct rng {
    uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, 1). */
double rng_double(struct rng *r);
/* Uniform in [0, n), n > 0, without modulo bias. */
uint64_t rng_below(struct rng *r, uint64_t n);

struct zipf;

/* Ranks 0 .. n-1 with P(rank k) proportional to 1 / (k + 1)^theta; n >= 1,
 * theta > 0 (0.99 is the customary skew). NULL on bad arguments. */
struct zipf *zipf_new(uint64_t n, double theta);
void zipf_free(struct zipf *z);
uint64_t zipf_next(const struct zipf *z, struct rng *r);

/* Spreads ranks over the key space (a bijection of [0, n)), so the hot keys
 * are not neighbours in the key space's numbering. Deterministic and
 * stateless; a rank of n or more is taken modulo n, and n <= 1 gives 0. */
uint64_t keydist_scatter(uint64_t rank, uint64_t n);

#endif
