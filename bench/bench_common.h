/* Shared pieces of the bench/bench_*.c programs: one seeded factor-model generator (so every
 * benchmark times the same matrices), a monotonic millisecond clock, min/median of repetitions,
 * raw little-endian double files for the R peers, and the path of an R script next to this file.
 * Header-only (static inline): bench/CMakeLists.txt builds each bench_*.c as its own program. */
#ifndef RA_BENCH_COMMON_H
#define RA_BENCH_COMMON_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_T_OBS 1260 /* five years of trading days */
#define BENCH_PPY 252.0  /* daily returns: periods per year */
#define BENCH_N_FACTORS 5
#define BENCH_SEED UINT64_C(20240601)
#define BENCH_N_SIZES 4
static const size_t bench_sizes[BENCH_N_SIZES] = {50, 100, 250, 500};

/* ---- seeded random numbers: xoshiro256** seeded by splitmix64, Box-Muller normals ------------ */

typedef struct bench_rng { uint64_t s[4]; int has_spare; double spare; } bench_rng;

static inline uint64_t bench_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static inline void bench_rng_seed(bench_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = bench_splitmix64(&seed);
    r->has_spare = 0;
    r->spare = 0.0;
}

static inline uint64_t bench_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t bench_rng_next(bench_rng *r) /* xoshiro256** (Blackman & Vigna 2018) */
{
    uint64_t *s = r->s, out = bench_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = bench_rotl(s[3], 45);
    return out;
}

static inline double bench_unif(bench_rng *r) /* uniform on (0, 1), never 0 or 1 */
{
    return ((double)(bench_rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

static inline double bench_normal(bench_rng *r) /* Box-Muller, both values of the pair used */
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u1 = bench_unif(r), u2 = bench_unif(r), rad = sqrt(-2.0 * log(u1));
    double ang = 6.283185307179586476925286766559 * u2;
    r->spare = rad * sin(ang);
    r->has_spare = 1;
    return rad * cos(ang);
}

/* ---- the factor model -------------------------------------------------------------------------- */

/* ret (t_obs x n, row-major) = daily returns of n assets: r_ti = 0.0003 + sum_f b_if f_tf + e_ti,
 * BENCH_N_FACTORS factors with daily vols 1.2%, 0.8%, 0.6%, 0.5%, 0.4%; market loadings N(1, 0.3^2),
 * the others N(0, 0.5^2); idiosyncratic vols uniform on 1%..3% a day. The generator is seeded
 * with seed ^ n, so each size is the same matrix in every run and every program.
 * Returns 0, or -1 if memory ran out. */
static inline int bench_factor_returns(size_t t_obs, size_t n, uint64_t seed, double *ret)
{
    static const double fvol[BENCH_N_FACTORS] = {0.012, 0.008, 0.006, 0.005, 0.004};
    double *b = malloc(n * BENCH_N_FACTORS * sizeof *b), *ivol = malloc(n * sizeof *ivol);
    if (!b || !ivol) {
        free(b);
        free(ivol);
        return -1;
    }
    bench_rng r;
    bench_rng_seed(&r, seed ^ (uint64_t)n);
    for (size_t i = 0; i < n; i++) {
        b[i * BENCH_N_FACTORS] = 1.0 + 0.3 * bench_normal(&r);
        for (int f = 1; f < BENCH_N_FACTORS; f++)
            b[i * BENCH_N_FACTORS + f] = 0.5 * bench_normal(&r);
        ivol[i] = 0.01 + 0.02 * bench_unif(&r);
    }
    for (size_t t = 0; t < t_obs; t++) {
        double fr[BENCH_N_FACTORS];
        for (int f = 0; f < BENCH_N_FACTORS; f++)
            fr[f] = fvol[f] * bench_normal(&r);
        for (size_t i = 0; i < n; i++) {
            double v = 0.0003 + ivol[i] * bench_normal(&r);
            for (int f = 0; f < BENCH_N_FACTORS; f++)
                v += b[i * BENCH_N_FACTORS + f] * fr[f];
            ret[t * n + i] = v;
        }
    }
    free(b);
    free(ivol);
    return 0;
}

/* ---- timing ------------------------------------------------------------------------------------ */

static inline double bench_now_ms(void) /* CLOCK_MONOTONIC, milliseconds */
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct bench_stat { double min, med; } bench_stat;

/* Minimum and median (upper median for even k) of x[0..k-1], k >= 1; sorts x. */
static inline bench_stat bench_min_med(double *x, int k)
{
    qsort(x, (size_t)k, sizeof *x, bench_cmp_double);
    bench_stat s = {x[0], x[k / 2]};
    return s;
}

/* ---- files for the R peers --------------------------------------------------------------------- */

/* The R scripts read and write raw little-endian doubles; x86-64 and arm64 are little-endian. */
static inline int bench_write_raw(const char *path, const double *x, size_t count)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t k = fwrite(x, sizeof *x, count, f);
    return (fclose(f) == 0 && k == count) ? 0 : -1;
}

static inline int bench_read_raw(const char *path, double *x, size_t count)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t k = fread(x, sizeof *x, count, f);
    fclose(f);
    return k == count ? 0 : -1;
}

/* buf = the path of the file `name` in the directory of this header (bench/): __FILE__ is the
 * absolute path in CMake builds; otherwise relative to the source root. */
static inline void bench_script_path(const char *name, char *buf, size_t len)
{
    const char *file = __FILE__, *slash = strrchr(file, '/');
    if (slash)
        snprintf(buf, len, "%.*s/%s", (int)(slash - file), file, name);
    else
        snprintf(buf, len, "bench/%s", name);
}

#endif
