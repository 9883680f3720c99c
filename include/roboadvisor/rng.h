/* roboadvisor: a seeded, reproducible pseudo-random number generator (src/core/rng.c).
 *
 * xoshiro256** 1.0 (Blackman & Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS
 * 2021; reference code https://prng.di.unimi.it/xoshiro256starstar.c), its 256-bit state filled
 * with four outputs of splitmix64 (https://prng.di.unimi.it/splitmix64.c), as the authors
 * recommend. No globals: a ra_rng is a plain value the caller owns; copying it copies the stream.
 *
 * Streams: ra_rng_stream(seed, id) gives stream `id` of `seed`. Its splitmix64 start is a 64-bit
 * hash of (seed, id), so any stream can be made directly, in any order, on any thread: a Monte
 * Carlo that gives path i the stream i gives the same numbers on any thread count. Streams are
 * independent in the sense the authors use for splitmix64 seeding (distinct, well-mixed starting
 * states in a period of 2^256 - 1); they are not provably non-overlapping, but an overlap among
 * 10^6 streams of 10^9 draws each has a probability below 2^-150. docs/methodology.md#goal-plans */
#ifndef ROBOADVISOR_RNG_H
#define ROBOADVISOR_RNG_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ra_rng {
    uint64_t s[4]; /* xoshiro256** state, never all zero */
} ra_rng;

/* One splitmix64 step: advances *state by 0x9E3779B97F4A7C15 and returns the mixed value. */
RA_API uint64_t ra_rng_splitmix64(uint64_t *state);
/* Seeds r from seed: s[0..3] = four successive splitmix64 outputs starting from state = seed. */
RA_API void ra_rng_seed(ra_rng *r, uint64_t seed);
/* Sets the state to s[0..3] exactly (not all zero; an all-zero state is replaced by seed 0).
 * For reproducing reference outputs. */
RA_API void ra_rng_set_state(ra_rng *r, const uint64_t s[4]);
/* Stream `stream_id` of `seed`: ra_rng_seed with the splitmix64 start
 * mix(seed) ^ mix(stream_id + 0x9E3779B97F4A7C15), mix the splitmix64 finaliser (a bijection). */
RA_API ra_rng ra_rng_stream(uint64_t seed, uint64_t stream_id);

/* The next 64-bit output of xoshiro256**. */
RA_API uint64_t ra_rng_next(ra_rng *r);
/* Uniform double in the open interval (0, 1): ((x >> 12) + 0.5) * 2^-52, the midpoints of 2^52
 * equal cells, never 0 or 1 (so log(u) is always finite). 53 bits would not do: (2^53 - 1) + 0.5
 * is not a double and rounds to 2^53, giving exactly 1. */
RA_API double ra_rng_uniform(ra_rng *r);
/* Uniform integer in [0, n), n >= 1, without modulo bias (rejection of the top 2^64 mod n
 * outputs). n == 0 returns 0. */
RA_API uint64_t ra_rng_below(ra_rng *r, uint64_t n);
/* Standard normal N(0, 1) by the ziggurat method (Marsaglia & Tsang 2000, in the ZIGNOR form
 * of Doornik 2005: 128 layers, the layer and the abscissa from disjoint bits of one output,
 * exact tail by Marsaglia's 1964 method). Exact in distribution up to the 2^-52 resolution of u;
 * about 1.02 outputs per normal. */
RA_API double ra_rng_normal(ra_rng *r);

#ifdef __cplusplus
}
#endif
#endif
