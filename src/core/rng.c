/* xoshiro256** seeded by splitmix64, uniform and normal variates: include/roboadvisor/rng.h.
 * The generator and the seeder follow the authors' public-domain reference code step for step. */
#include <roboadvisor/rng.h>

#include <math.h>

#include "rng_int.h"

#define SPLITMIX_GAMMA UINT64_C(0x9E3779B97F4A7C15) /* 2^64 / golden ratio, odd */

/* The splitmix64 output function (Steele, Lea & Flood 2014, variant "mix13" of Stafford): a
 * bijection of 64-bit words. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

uint64_t ra_rng_splitmix64(uint64_t *state)
{
    *state += SPLITMIX_GAMMA;
    return mix64(*state);
}

void ra_rng_seed(ra_rng *r, uint64_t seed)
{
    uint64_t st = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = ra_rng_splitmix64(&st);
    /* Four consecutive splitmix64 outputs are distinct (mix64 is a bijection of distinct
     * inputs), so the state is never all zero. */
}

void ra_rng_set_state(ra_rng *r, const uint64_t s[4])
{
    if ((s[0] | s[1] | s[2] | s[3]) == 0) {
        ra_rng_seed(r, 0);
        return;
    }
    for (int i = 0; i < 4; i++)
        r->s[i] = s[i];
}

ra_rng ra_rng_stream(uint64_t seed, uint64_t stream_id)
{
    ra_rng r;
    ra_rng_seed(&r, mix64(seed) ^ mix64(stream_id + SPLITMIX_GAMMA));
    return r;
}

uint64_t ra_rng_next(ra_rng *r) { return rng_next(r); }

double ra_rng_uniform(ra_rng *r) { return rng_uniform(r); }

uint64_t ra_rng_below(ra_rng *r, uint64_t n)
{
    if (n <= 1)
        return 0;
    /* Accept x < limit, the largest multiple of n that fits: then x % n is exactly uniform. The
     * rejected share is (2^64 mod n) / 2^64 < n / 2^64. */
    uint64_t limit = UINT64_MAX - (UINT64_MAX % n + 1) % n;
    uint64_t x;
    do
        x = ra_rng_next(r);
    while (x > limit);
    return x % n;
}

double ra_rng_normal(ra_rng *r) { return rng_normal(r); }
