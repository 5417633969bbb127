/*
 * keydist: the random numbers behind the load's key choice.
 *
 * Three pieces, each small enough to sit on the load threads' hot path:
 *
 *   - a generator: xoshiro256** (Blackman and Vigna, 2018), whose 256-bit
 *     state is filled from the seed by splitmix64, as its authors advise,
 *     so that nearby seeds still give unrelated streams;
 *   - a Zipf sampler by rejection-inversion (Hörmann and Derflinger,
 *     "Rejection-inversion to generate variates from monotone discrete
 *     distributions", 1996): constant setup, constant expected time per
 *     draw, no table, whatever the size of the key space;
 *   - a scatter: a cheap bijection of [0, n) that moves the Zipf ranks
 *     apart, so the hot keys do not sit next to each other in the numbering
 *     (and in whatever hash slots or pages neighbours share).
 */
#include "bench/keydist.h"

#include <math.h>
#include <stdlib.h>

/* ---- the generator ------------------------------------------------------ */

/* One step of splitmix64: a Weyl sequence through a 64-bit finaliser. Only
 * used to spread a seed over the generator's four words. */
static uint64_t rng_splitmix_next(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t rng_rotate_left(uint64_t x, unsigned k)
{
    return (x << k) | (x >> (64 - k));
}

/* Four splitmix64 outputs are never all zero in practice, the one state
 * xoshiro cannot leave. */
void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = rng_splitmix_next(&seed);
}

/* xoshiro256**: the output scrambles the second word (times 5, rotate,
 * times 9); the state advances by the xor/shift/rotate linear step. */
uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rng_rotate_left(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotate_left(s[3], 45);
    return out;
}

/* A double has 53 significant bits: the top 53 bits of a draw, scaled by
 * 2^-53, are every multiple of 2^-53 in [0, 1) with equal chance. */
double rng_double(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Lemire's method ("Fast random integer generation in an interval", 2019):
 * the high word of draw * n is the result. Only when the low word falls
 * below 2^64 mod n is the draw one of the few that would bias it, and it is
 * drawn again; the division computing that bound is skipped unless the low
 * word is already under n, which for small n is almost never. */
uint64_t rng_below(struct rng *r, uint64_t n)
{
    unsigned __int128 product = (unsigned __int128)rng_next(r) * n;
    uint64_t low = (uint64_t)product;

    if (low < n) {
        uint64_t bound = -n % n; /* 2^64 mod n */

        while (low < bound) {
            product = (unsigned __int128)rng_next(r) * n;
            low = (uint64_t)product;
        }
    }
    return (uint64_t)(product >> 64);
}

/* ---- Zipf by rejection-inversion ---------------------------------------- */

/*
 * Ranks are counted from 1 inside this section, k = 1 .. n, with weight
 * h(k) = k^-theta. The method draws from the continuous hat h(x) over
 * (0.5, n + 0.5] by inverting its integral H, and rounds x to the nearest
 * k. The hat's area over k's strip, H(k + 0.5) - H(k - 0.5), is at least
 * h(k) because h is convex; k is kept only when the uniform point u fell in
 * the top h(k) of that area, so each k is kept with chance exactly
 * proportional to h(k). The strip of k = 1 is cut to area exactly
 * h(1) = 1, so rank 1 is always kept.
 *
 * H(x) = (x^(1-theta) - 1) / (1 - theta), which tends to log(x) as theta
 * tends to 1. Written as log(x) * expm1(t) / t with t = (1 - theta) log(x)
 * the same formula holds for every theta and loses no precision near 1.
 */
struct zipf {
    uint64_t n;
    double theta;
    double area_low;  /* H(1.5) - h(1): the bottom of the draw range */
    double area_high; /* H(n + 0.5): the top of the draw range */
    double squeeze;   /* k - x below this is kept without evaluating H */
};

/* expm1(x) / x, and its limit 1 at x = 0. expm1 keeps full precision for
 * tiny x, so only x = 0 itself (theta = 1, or x = 1) needs the limit. */
static double zipf_expm1_ratio(double x)
{
    return x == 0.0 ? 1.0 : expm1(x) / x;
}

/* log1p(x) / x, and its limit 1 at x = 0, likewise. */
static double zipf_log1p_ratio(double x)
{
    return x == 0.0 ? 1.0 : log1p(x) / x;
}

/* h(x) = x^-theta, the unnormalised weight. */
static double zipf_weight(const struct zipf *z, double x)
{
    return exp(-z->theta * log(x));
}

/* H(x), the integral of h, up to a constant. */
static double zipf_area(const struct zipf *z, double x)
{
    double log_x = log(x);

    return zipf_expm1_ratio((1.0 - z->theta) * log_x) * log_x;
}

/* The inverse of H: x = (1 + (1 - theta) y)^(1 / (1 - theta)), or exp(y) at
 * theta = 1, in the same stable form. */
static double zipf_area_inverse(const struct zipf *z, double y)
{
    return exp(zipf_log1p_ratio((1.0 - z->theta) * y) * y);
}

/* A handful of logarithms, whatever n: the draw range and the squeeze
 * constant s = 2 - H^-1(H(2.5) - h(2)) of the paper, under which any k
 * rounded from x may be kept at once (k - x <= s implies the full test). */
struct zipf *zipf_new(uint64_t n, double theta)
{
    struct zipf *z;

    if (n < 1 || !(theta > 0) || !isfinite(theta)) return NULL;
    z = malloc(sizeof(*z));
    if (!z) return NULL;
    z->n = n;
    z->theta = theta;
    z->area_low = zipf_area(z, 1.5) - 1.0;
    z->area_high = zipf_area(z, (double)n + 0.5);
    z->squeeze = 2.0 - zipf_area_inverse(z, zipf_area(z, 2.5) - zipf_weight(z, 2.0));
    return z;
}

void zipf_free(struct zipf *z)
{
    free(z);
}

/* One draw: a uniform point of the hat's area, inverted to x, rounded to k
 * and kept if it lies under h(k)'s share of the strip. The hat fits so
 * closely that under 2% of draws are rejected (about 0.2% at theta 0.99),
 * so the loop rarely runs twice.
 * Returns the rank counted from 0. */
uint64_t zipf_next(const struct zipf *z, struct rng *r)
{
    for (;;) {
        double u = z->area_high + rng_double(r) * (z->area_low - z->area_high);
        double x = zipf_area_inverse(z, u);
        uint64_t k;

        /* Rounding in H^-1 may step just outside 1 .. n; clamp before the
         * conversion, which is undefined for doubles beyond 2^64. */
        if (!(x >= 1.0))
            k = 1;
        else if (x >= (double)z->n)
            k = z->n;
        else
            k = (uint64_t)(x + 0.5);
        if (k > z->n) k = z->n;
        if ((double)k - x <= z->squeeze ||
            u >= zipf_area(z, (double)k + 0.5) - zipf_weight(z, (double)k))
            return k - 1;
    }
}

/* ---- scatter ------------------------------------------------------------ */

/*
 * A four-round balanced Feistel network over 2h bits, the smallest even
 * width that holds n, is a permutation of [0, 2^2h). Cycle walking (apply
 * it again while the result is n or more) turns it into a permutation of
 * [0, n): each walk ends, because the cycle through the start returns to a
 * value below n. As 2^2h < 4n, fewer than four steps are needed on average.
 * No division, no table, no state: the same rank always lands on the same
 * key, in every thread.
 */
#define SCATTER_ROUNDS 4

static const uint64_t scatter_round_keys[SCATTER_ROUNDS] = {
    UINT64_C(0x243f6a8885a308d3), /* digits of pi, nothing up the sleeve */
    UINT64_C(0x13198a2e03707344),
    UINT64_C(0xa4093822299f31d0),
    UINT64_C(0x082efa98ec4e6c89),
};

/* The round function: a multiply-xorshift-multiply hash of one half and the
 * round key, of which the top half_bits bits (the best mixed) are kept. */
static uint64_t scatter_round(uint64_t half, unsigned round, unsigned half_bits)
{
    uint64_t v = (half ^ scatter_round_keys[round]) * UINT64_C(0xff51afd7ed558ccd);

    v ^= v >> 32;
    v *= UINT64_C(0xc4ceb9fe1a85ec53);
    return v >> (64 - half_bits);
}

/* One pass of the network over a value of 2 * half_bits bits. */
static uint64_t scatter_permute(uint64_t x, unsigned half_bits)
{
    uint64_t mask = (UINT64_C(1) << half_bits) - 1;
    uint64_t left = x >> half_bits, right = x & mask, next;

    for (unsigned round = 0; round < SCATTER_ROUNDS; round++) {
        next = left ^ scatter_round(right, round, half_bits);
        left = right;
        right = next;
    }
    return (left << half_bits) | right;
}

uint64_t keydist_scatter(uint64_t rank, uint64_t n)
{
    unsigned bits, half_bits;
    uint64_t x;

    if (n <= 1) return 0;
    if (rank >= n) rank %= n;
    bits = 64u - (unsigned)__builtin_clzll(n - 1); /* n - 1 fits in bits */
    half_bits = (bits + 1) / 2;
    x = rank;
    do {
        x = scatter_permute(x, half_bits);
    } while (x >= n);
    return x;
}
