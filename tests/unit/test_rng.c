/* Unit tests of ra_rng (src/core/rng.c): reference outputs of xoshiro256** and splitmix64,
 * streams, uniform and bounded integers, and the distribution of the ziggurat normals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include <roboadvisor/rng.h>

#include "core/rng_int.h"
#include "ra_test.h"

/* Sample sizes and tolerances of the distribution tests: every bound is a number of standard
 * errors of the statistic under the null (pinned seeds, so the outcome is fixed; 5 se makes a
 * false alarm after a legitimate change of the generator less likely than 1e-6 per check). */
#define N_MOMENTS 1000000
#define N_SE 5.0

/* xoshiro256** from the state {1, 2, 3, 4}. The first three outputs by hand from the reference
 * code (https://prng.di.unimi.it/xoshiro256starstar.c): output = rotl(s1 * 5, 7) * 9.
 * Call 1: s1 = 2 -> rotl(10, 7) * 9 = 1280 * 9 = 11520; then s2 = 3^1 = 2, s3 = 4^2 = 6,
 * s1 = 2^2 = 0, s0 = 1^6 = 7, s2 ^= 2 << 17 -> 262146. Call 2: s1 = 0 -> 0; then s2 = 262146^7 =
 * 262149, s1 = 0^262149 = 262149. Call 3: rotl(1310745, 7) * 9 = 1509978240. The rest are the
 * reference code's outputs as listed in independent ports' test suites (for example the
 * vigna::xoshiro256ss C++ port's reference[] table). */
static void test_rng_next_reference_outputs(void **state)
{
    (void)state;
    static const uint64_t want[10] = {
        UINT64_C(11520), UINT64_C(0), UINT64_C(1509978240), UINT64_C(1215971899390074240),
        UINT64_C(1216172134540287360), UINT64_C(607988272756665600),
        UINT64_C(16172922978634559625), UINT64_C(8476171486693032832),
        UINT64_C(10595114339597558777), UINT64_C(2904607092377533576)};
    const uint64_t s[4] = {1, 2, 3, 4};
    ra_rng r;
    ra_rng_set_state(&r, s);
    for (int i = 0; i < 10; i++)
        assert_true(ra_rng_next(&r) == want[i]);
}

/* splitmix64 from state 1234567: the outputs of the reference code
 * (https://prng.di.unimi.it/splitmix64.c), as in the rand_xoshiro crate's SplitMix64 test. */
static void test_rng_splitmix64_reference_outputs(void **state)
{
    (void)state;
    static const uint64_t want[5] = {UINT64_C(6457827717110365317), UINT64_C(3203168211198807973),
                                     UINT64_C(9817491932198370423), UINT64_C(4593380528125082431),
                                     UINT64_C(16408922859458223821)};
    uint64_t st = 1234567;
    for (int i = 0; i < 5; i++)
        assert_true(ra_rng_splitmix64(&st) == want[i]);
    /* ra_rng_seed fills the state with the first four of them */
    ra_rng r;
    ra_rng_seed(&r, 1234567);
    for (int i = 0; i < 4; i++)
        assert_true(r.s[i] == want[i]);
}

static void test_rng_set_state_all_zero_replaced(void **state)
{
    (void)state;
    const uint64_t z[4] = {0, 0, 0, 0};
    ra_rng r;
    ra_rng_set_state(&r, z);
    assert_true((r.s[0] | r.s[1] | r.s[2] | r.s[3]) != 0);
}

/* Streams: deterministic, independent of the order they are made in, distinct from each other
 * and from other seeds. */
static void test_rng_stream_deterministic_and_distinct(void **state)
{
    (void)state;
    uint64_t first[64];
    for (int i = 63; i >= 0; i--) { /* made in reverse order */
        ra_rng r = ra_rng_stream(42, (uint64_t)i);
        first[i] = ra_rng_next(&r);
    }
    for (int i = 0; i < 64; i++) {
        ra_rng r = ra_rng_stream(42, (uint64_t)i);
        assert_true(ra_rng_next(&r) == first[i]);
        ra_rng o = ra_rng_stream(43, (uint64_t)i);
        assert_true(ra_rng_next(&o) != first[i]);
        for (int j = 0; j < i; j++)
            assert_true(first[j] != first[i]);
    }
    /* stream (seed, id) is not stream (id, seed) */
    ra_rng a = ra_rng_stream(1, 2), b = ra_rng_stream(2, 1);
    assert_true(ra_rng_next(&a) != ra_rng_next(&b));
}

static void test_rng_uniform_open_interval_and_mean(void **state)
{
    (void)state;
    ra_rng r;
    ra_rng_seed(&r, 7);
    double sum = 0;
    for (int i = 0; i < N_MOMENTS; i++) {
        double u = ra_rng_uniform(&r);
        assert_true(u > 0.0 && u < 1.0);
        sum += u;
    }
    /* mean 1/2, sd of the mean sqrt(1/12 / N) */
    RA_ASSERT_CLOSE(sum / N_MOMENTS, 0.5, N_SE * sqrt(1.0 / 12.0 / N_MOMENTS), 0.0);
    /* the extreme outputs map inside (0, 1) */
    assert_true(((double)(UINT64_C(0) >> 12) + 0.5) * 0x1.0p-52 > 0.0);
    assert_true(((double)(UINT64_MAX >> 12) + 0.5) * 0x1.0p-52 < 1.0);
    /* with 53 bits the largest output would round to exactly 1 */
    assert_true(((double)(UINT64_MAX >> 11) + 0.5) * 0x1.0p-53 == 1.0);
}

/* ra_rng_below(7): each value has probability 1/7; chi-square with 6 degrees of freedom over
 * 70,000 draws stays below 22.46 (its 0.999 quantile, R qchisq(0.999, 6)). */
static void test_rng_below_uniform(void **state)
{
    (void)state;
    ra_rng r;
    ra_rng_seed(&r, 11);
    size_t count[7] = {0};
    const int n = 70000;
    for (int i = 0; i < n; i++) {
        uint64_t k = ra_rng_below(&r, 7);
        assert_true(k < 7);
        count[k]++;
    }
    double chi2 = 0, e = n / 7.0;
    for (int k = 0; k < 7; k++)
        chi2 += (count[k] - e) * (count[k] - e) / e;
    assert_true(chi2 < 22.46);
    assert_true(ra_rng_below(&r, 0) == 0 && ra_rng_below(&r, 1) == 0);
}

/* The ziggurat tables equal their defining recurrence (Doornik 2005) recomputed in double, to
 * the rounding of ~128 steps of sqrt/log/exp. */
static void test_rng_zig_tables_match_recurrence(void **state)
{
    (void)state;
    const double R = ZIG_R, V = 9.91256303526217e-3;
    double x[129], f = exp(-0.5 * R * R);
    x[0] = V / f;
    x[1] = R;
    x[128] = 0;
    for (int i = 2; i < 128; i++) {
        x[i] = sqrt(-2.0 * log(V / x[i - 1] + f));
        f = exp(-0.5 * x[i] * x[i]);
    }
    for (int i = 0; i <= 128; i++)
        RA_ASSERT_CLOSE(zig_x[i], x[i], 0.0, 1e-12);
    for (int i = 0; i < 128; i++)
        RA_ASSERT_CLOSE(zig_r[i], x[i + 1] / x[i], 0.0, 1e-12);
    /* each layer has area V: x[i] * (f(x[i+1]) - f(x[i])) for the layers above the base */
    for (int i = 1; i < 127; i++)
        RA_ASSERT_CLOSE(x[i] * (exp(-0.5 * x[i + 1] * x[i + 1]) - exp(-0.5 * x[i] * x[i])), V, 0.0,
                        1e-9);
}

/* Moments of 10^6 normals: mean 0, variance 1, skewness 0, excess kurtosis 0, each within N_SE
 * standard errors (sqrt(1/N), sqrt(2/N), sqrt(6/N), sqrt(24/N)); tail frequencies beyond the
 * ziggurat's R and beyond 4 within N_SE binomial standard errors of 2 (1 - Phi(x)). */
static void test_rng_normal_moments_and_tails(void **state)
{
    (void)state;
    ra_rng r;
    ra_rng_seed(&r, 2024);
    double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
    size_t beyond_r = 0, beyond_4 = 0;
    for (int i = 0; i < N_MOMENTS; i++) {
        double z = ra_rng_normal(&r);
        assert_true(isfinite(z));
        s1 += z;
        s2 += z * z;
        s3 += z * z * z;
        s4 += z * z * z * z;
        beyond_r += fabs(z) > ZIG_R;
        beyond_4 += fabs(z) > 4.0;
    }
    const double n = N_MOMENTS;
    double m = s1 / n, v = s2 / n - m * m;
    RA_ASSERT_CLOSE(m, 0.0, N_SE * sqrt(1.0 / n), 0.0);
    RA_ASSERT_CLOSE(v, 1.0, N_SE * sqrt(2.0 / n), 0.0);
    RA_ASSERT_CLOSE(s3 / n, 0.0, N_SE * sqrt(6.0 / n), 0.0);
    RA_ASSERT_CLOSE(s4 / n - 3.0, 0.0, N_SE * sqrt(24.0 / n), 0.0);
    double p_r = erfc(ZIG_R / sqrt(2.0)), p_4 = erfc(4.0 / sqrt(2.0));
    RA_ASSERT_CLOSE((double)beyond_r, n * p_r, N_SE * sqrt(n * p_r * (1 - p_r)), 0.0);
    RA_ASSERT_CLOSE((double)beyond_4, n * p_4, N_SE * sqrt(n * p_4 * (1 - p_4)), 0.0);
}

/* Kolmogorov-Smirnov distance of 100,000 sorted normals to Phi(x) = erfc(-x/sqrt 2)/2 is below
 * 1.95/sqrt(n), the 0.001 critical value of the asymptotic Kolmogorov distribution. */
static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_rng_normal_kolmogorov_smirnov(void **state)
{
    (void)state;
    const size_t n = 100000;
    double *z = malloc(n * sizeof *z);
    assert_non_null(z);
    ra_rng r = ra_rng_stream(99, 3);
    for (size_t i = 0; i < n; i++)
        z[i] = ra_rng_normal(&r);
    qsort(z, n, sizeof *z, cmp_d);
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        double F = 0.5 * erfc(-z[i] / sqrt(2.0));
        double lo = F - (double)i / (double)n, hi = (double)(i + 1) / (double)n - F;
        if (lo > d) d = lo;
        if (hi > d) d = hi;
    }
    free(z);
    assert_true(d < 1.95 / sqrt((double)n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_next_reference_outputs),
        cmocka_unit_test(test_rng_splitmix64_reference_outputs),
        cmocka_unit_test(test_rng_set_state_all_zero_replaced),
        cmocka_unit_test(test_rng_stream_deterministic_and_distinct),
        cmocka_unit_test(test_rng_uniform_open_interval_and_mean),
        cmocka_unit_test(test_rng_below_uniform),
        cmocka_unit_test(test_rng_zig_tables_match_recurrence),
        cmocka_unit_test(test_rng_normal_moments_and_tails),
        cmocka_unit_test(test_rng_normal_kolmogorov_smirnov),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
