/* Tests of candidate-portfolio screening (src/core/screen.c, ra_screen_run). Each candidate is
 * checked against an independent solve of its own subset: a brute-force search over a grid of the
 * weights (step 1/1000 on the simplex with the minimum weight) that the candidate must match or
 * beat, and, for minimum variance, the KKT conditions of the box-constrained problem checked on
 * the gradient 2*C*w (equal on the free assets, no smaller on those at the bound). The pool is
 * made up: 6 assets with volatilities 8..28 % and correlations 0.2, 0.25 or 0.3 by (i + j) mod 3
 * (positive definite: 0.2*J + 0.8*I has eigenvalues >= 0.8, and the rest, entries <= 0.1 off the
 * diagonal, has a spectral norm <= 5 * 0.1 = 0.5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <roboadvisor/screen.h>

#include "ra_test.h"

#define N 6
#define K 3
#define CAP 64
#define GRID 1000            /* grid steps of the brute-force solve */
#define TOL_GRID 1e-9        /* the optimiser may not lose to the grid by more than this */
#define TOL_KKT 1e-6         /* gradient spread on the free assets, relative to its size */
#define TOL_BOUND 1e-7       /* a weight this close to the bound counts as at the bound */

static double mu[N] = {0.03, 0.05, 0.06, 0.08, 0.09, 0.11};
static double cov[N * N];

static void make_cov(void)
{
    const double vol[N] = {0.08, 0.12, 0.15, 0.18, 0.22, 0.28};
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double rho = i == j ? 1.0 : 0.2 + 0.1 * (double)((i + j) % 3) / 2.0;
            cov[i * N + j] = rho * vol[i] * vol[j];
        }
}

static double variance(const size_t *idx, const double *w)
{
    double v = 0.0;
    for (int a = 0; a < K; a++)
        for (int b = 0; b < K; b++)
            v += w[a] * w[b] * cov[idx[a] * N + idx[b]];
    return v;
}

static double expected(const size_t *idx, const double *w)
{
    double r = 0.0;
    for (int a = 0; a < K; a++)
        r += w[a] * mu[idx[a]];
    return r;
}

/* The best objective over the grid of the simplex with w >= lo: the smallest variance (sharpe 0)
 * or the largest Sharpe ratio (ret - rf) / vol (sharpe 1). */
static double grid_best(const size_t *idx, double lo, int sharpe, double rf)
{
    double best = sharpe ? -INFINITY : INFINITY;
    for (int a = 0; a <= GRID; a++)
        for (int b = 0; a + b <= GRID; b++) {
            double w[K] = {(double)a / GRID, (double)b / GRID, (double)(GRID - a - b) / GRID};
            if (w[0] < lo - 1e-12 || w[1] < lo - 1e-12 || w[2] < lo - 1e-12)
                continue;
            double v = variance(idx, w);
            if (sharpe) {
                double s = (expected(idx, w) - rf) / sqrt(v);
                if (s > best)
                    best = s;
            } else if (v < best) {
                best = v;
            }
        }
    return best;
}

typedef struct run_out {
    size_t idx[CAP * K];
    double w[CAP * K], ret[CAP], vol[CAP];
    ra_screen_stats st;
} run_out;

static void run(const ra_screen_settings *s, run_out *o)
{
    ra_err err = {0};
    memset(o, 0, sizeof *o);
    assert_int_equal(ra_screen_run(N, mu, cov, s, CAP, o->idx, o->w, o->ret, o->vol, &o->st, &err),
                     RA_OK);
}

/* what every candidate must be, whatever the objective */
static void check_candidate(const ra_screen_settings *s, const run_out *o, size_t q)
{
    const size_t *idx = o->idx + q * K;
    const double *w = o->w + q * K;
    double sum = 0.0;
    for (int a = 0; a < K; a++) {
        assert_true(idx[a] < N);
        if (a)
            assert_true(idx[a] > idx[a - 1]); /* sorted, distinct */
        assert_true(w[a] >= s->min_weight - TOL_BOUND && w[a] <= 1.0 + TOL_BOUND);
        sum += w[a];
    }
    RA_ASSERT_CLOSE(sum, 1.0, 1e-9, 0.0);
    RA_ASSERT_CLOSE(o->ret[q], expected(idx, w), 1e-12, 0.0);
    RA_ASSERT_CLOSE(o->vol[q], sqrt(variance(idx, w)), 1e-10, 0.0);
    for (size_t p = 0; p < q; p++) /* no subset twice */
        assert_false(memcmp(o->idx + p * K, idx, K * sizeof *idx) == 0);
}

static void test_screen_min_variance_candidates_are_optimal(void **state)
{
    (void)state;
    make_cov();
    ra_screen_settings s;
    ra_screen_settings_default(&s);
    s.k = K;
    s.min_weight = 0.05;
    s.tries = 20; /* C(6,3) = 20: every subset */
    run_out o;
    run(&s, &o);
    assert_int_equal(o.st.tried, 20);
    assert_int_equal(o.st.stored, 20);
    size_t at_bound = 0;
    for (size_t q = 0; q < o.st.stored; q++) {
        check_candidate(&s, &o, q);
        const size_t *idx = o.idx + q * K;
        const double *w = o.w + q * K;
        /* independent solve 1: no grid point has a smaller variance */
        double v = variance(idx, w), g = grid_best(idx, s.min_weight, 0, 0.0);
        if (v > g + TOL_GRID)
            fail_msg("candidate %zu: variance %.12g, the grid finds %.12g", q, v, g);
        /* independent solve 2: KKT of min w'Cw, sum w = 1, w >= lo */
        double grad[K], lam = NAN;
        for (int a = 0; a < K; a++) {
            grad[a] = 0.0;
            for (int b = 0; b < K; b++)
                grad[a] += 2.0 * cov[idx[a] * N + idx[b]] * w[b];
        }
        for (int a = 0; a < K; a++)
            if (w[a] > s.min_weight + TOL_BOUND) {
                if (isnan(lam))
                    lam = grad[a];
                RA_ASSERT_CLOSE(grad[a], lam, 0.0, TOL_KKT);
            }
        assert_false(isnan(lam)); /* K * 0.05 < 1: some asset is free */
        for (int a = 0; a < K; a++)
            if (w[a] <= s.min_weight + TOL_BOUND) {
                assert_true(grad[a] >= lam * (1.0 - TOL_KKT));
                at_bound++;
            }
    }
    /* the riskiest asset paired with the two safest sits at its bound: the bound is exercised */
    assert_true(at_bound > 0);
}

static void test_screen_max_sharpe_candidates_are_optimal(void **state)
{
    (void)state;
    make_cov();
    ra_screen_settings s;
    ra_screen_settings_default(&s);
    s.k = K;
    s.min_weight = 0.1;
    s.objective = RA_SCREEN_MAX_SHARPE;
    s.rf = 0.01;
    s.tries = 20;
    run_out o;
    run(&s, &o);
    assert_int_equal(o.st.stored, o.st.distinct);
    assert_true(o.st.stored >= 10);
    for (size_t q = 0; q < o.st.stored; q++) {
        check_candidate(&s, &o, q);
        const size_t *idx = o.idx + q * K;
        double sharpe = (o.ret[q] - s.rf) / o.vol[q], g = grid_best(idx, s.min_weight, 1, s.rf);
        if (sharpe < g - TOL_GRID)
            fail_msg("candidate %zu: Sharpe %.12g, the grid finds %.12g", q, sharpe, g);
    }
}

/* thresholds keep exactly the candidates that meet them; a different seed draws the same
 * subsets when every subset is tried, so the kept set is the same */
static void test_screen_thresholds_and_seed(void **state)
{
    (void)state;
    make_cov();
    ra_screen_settings s;
    ra_screen_settings_default(&s);
    s.k = K;
    s.min_weight = 0.05;
    s.tries = 20;
    run_out all, kept, other;
    run(&s, &all);
    s.min_return = 0.06;
    s.max_volatility = 0.14;
    run(&s, &kept);
    size_t want = 0;
    for (size_t q = 0; q < all.st.stored; q++)
        want += all.ret[q] >= 0.06 && all.vol[q] <= 0.14;
    assert_int_equal(kept.st.qualified, want);
    assert_true(want > 0 && want < all.st.stored);
    for (size_t q = 0; q < kept.st.stored; q++)
        assert_true(kept.ret[q] >= 0.06 && kept.vol[q] <= 0.14);
    s.seed = 99;
    run(&s, &other);
    assert_int_equal(other.st.qualified, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_screen_min_variance_candidates_are_optimal),
        cmocka_unit_test(test_screen_max_sharpe_candidates_are_optimal),
        cmocka_unit_test(test_screen_thresholds_and_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
