/* Cardinality and minimum position size (src/core/card.c). The expected answers come from an
 * independent computation in the test itself: brute-force enumeration of every subset of at
 * most K assets, each solved with ra_opt_solve (src/core/opt.c) with the subset's weights in
 * [m, hi] and the others at 0; the best of them is the optimum. Data: the last 1260 days of the
 * Dow Jones 30 (../shared/data/dowjones30_prices.csv), first 12 stocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ra_test.h"

#include <roboadvisor/card.h>

#include <string.h>

enum { N = 12, T = 1260, NALL = 30 };
static double cov[N * N], mu[N];

static int setup(void **state)
{
    (void)state;
    FILE *f = fopen(RA_DATA("dowjones30_prices.csv"), "r");
    if (!f)
        return -1;
    static double px[2600 * NALL];
    char line[8192];
    size_t rows = 0;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    while (rows < 2600 && fgets(line, sizeof line, f)) {
        char *p = strchr(line, ',');
        for (size_t c = 0; p && c < NALL; c++)
            px[rows * NALL + c] = strtod(p + 1, &p);
        rows++;
    }
    fclose(f);
    static double r[T * N];
    const double *p0 = px + (rows - T - 1) * NALL;
    for (size_t t = 0; t < T; t++)
        for (size_t j = 0; j < N; j++)
            r[t * N + j] = p0[(t + 1) * NALL + j] / p0[t * NALL + j] - 1.0;
    double m[N] = {0};
    for (size_t t = 0; t < T; t++)
        for (size_t j = 0; j < N; j++)
            m[j] += r[t * N + j] / T;
    for (size_t i = 0; i < N; i++) {
        mu[i] = m[i] * 252.0;
        for (size_t j = 0; j < N; j++) {
            double s = 0.0;
            for (size_t t = 0; t < T; t++)
                s += (r[t * N + i] - m[i]) * (r[t * N + j] - m[j]);
            cov[i * N + j] = s / (T - 1) * 252.0;
        }
    }
    return 0;
}

/* Brute force: best objective over all subsets of size 1..K (variance; -Sharpe for max Sharpe). */
static double brute(const ra_opt_problem *p0, ra_opt_objective obj, size_t K, double m, double *w_best,
                    int *n_solved)
{
    size_t ws = ra_opt_workspace_size(N, p0->n_groups);
    void *work = malloc(ws);
    double lo[N], hi[N], w[N], best = INFINITY;
    *n_solved = 0;
    for (unsigned mask = 1; mask < (1u << N); mask++) {
        if ((size_t)__builtin_popcount(mask) > K)
            continue;
        for (size_t j = 0; j < N; j++) {
            int in = (mask >> j) & 1u;
            double h = p0->hi ? p0->hi[j] : 1.0;
            lo[j] = in ? m : 0.0;
            hi[j] = in ? h : 0.0;
        }
        ra_opt_problem p = *p0;
        p.lo = lo;
        p.hi = hi;
        ra_opt_result r = {.w = w};
        ra_err err = {0};
        if (ra_opt_solve(&p, obj, work, ws, &r, &err) != RA_OK)
            continue;
        (*n_solved)++;
        double v = obj == RA_OPT_MAX_SHARPE ? -r.sharpe : r.volatility * r.volatility;
        if (v < best) {
            best = v;
            memcpy(w_best, w, sizeof w);
        }
    }
    free(work);
    return best;
}

static void check_limits(const double *w, size_t K, double m)
{
    size_t held = 0;
    double s = 0.0;
    for (size_t j = 0; j < N; j++) {
        s += w[j];
        if (w[j] > 0.0) {
            held++;
            assert_true(w[j] >= m - 1e-9);
        }
    }
    assert_true(held <= K);
    RA_ASSERT_CLOSE(s, 1.0, 1e-9, 0.0);
}

static void run_case(const ra_opt_problem *p, ra_opt_objective obj, size_t K, double m,
                     const char *label)
{
    double wb[N], w[N], wh[N];
    int solved;
    double best = brute(p, obj, K, m, wb, &solved);
    assert_true(solved > 0 && isfinite(best));
    ra_card_settings s;
    ra_card_settings_default(&s);
    s.max_assets = K;
    s.min_weight = m;
    ra_card_result r = {.w = w};
    ra_err err = {0};
    ra_status rc = ra_card_solve(p, obj, &s, &r, &err);
    if (rc != RA_OK)
        fail_msg("%s: %s", label, err.msg);
    assert_int_equal(r.proven_optimal, 1);
    assert_int_equal(r.used_heuristic, 0);
    double got = obj == RA_OPT_MAX_SHARPE ? -r.objective : r.objective;
    RA_ASSERT_CLOSE(got, best, 1e-12, 1e-9);
    for (size_t j = 0; j < N; j++)
        RA_ASSERT_CLOSE(w[j], wb[j], 1e-7, 0.0);
    check_limits(w, K, m);
    /* the heuristic: feasible, never better than the optimum, its bound below it */
    s.heuristic = 1;
    ra_card_result h = {.w = wh};
    assert_int_equal(ra_card_solve(p, obj, &s, &h, &err), RA_OK);
    assert_int_equal(h.used_heuristic, 1);
    check_limits(wh, K, m);
    double hv = obj == RA_OPT_MAX_SHARPE ? -h.objective : h.objective;
    double hb = obj == RA_OPT_MAX_SHARPE ? -h.bound : h.bound;
    assert_true(hv >= best - 1e-12 * (1 + fabs(best)));
    assert_true(hb <= best + 1e-12 * (1 + fabs(best)));
    printf("# %s: exact %.10g in %ld nodes (brute force %d subsets); heuristic %.10g in %ld nodes, "
           "gap to the optimum %.3g %%\n",
           label, got, r.nodes, solved, hv, h.nodes, 100.0 * (hv - best) / fabs(best));
}

static void test_card_min_variance_matches_brute_force(void **state)
{
    (void)state;
    ra_opt_problem p = {.n = N, .cov = cov, .mu = mu};
    run_case(&p, RA_OPT_MIN_VARIANCE, 3, 0.10, "min variance K=3 m=0.10");
    run_case(&p, RA_OPT_MIN_VARIANCE, 5, 0.15, "min variance K=5 m=0.15");
}

static void test_card_target_return_matches_brute_force(void **state)
{
    (void)state;
    ra_opt_problem p = {.n = N, .cov = cov, .mu = mu, .target = 0.25};
    run_case(&p, RA_OPT_TARGET_RETURN, 4, 0.05, "target return K=4 m=0.05");
}

static void test_card_max_sharpe_matches_brute_force(void **state)
{
    (void)state;
    double hi[N];
    for (size_t j = 0; j < N; j++)
        hi[j] = 0.4;
    size_t members[4] = {0, 1, 2, 3};
    ra_opt_group g = {.name = "g", .members = members, .n_members = 4, .min = 0.1, .max = 0.5};
    ra_opt_problem p = {.n = N, .cov = cov, .mu = mu, .rf = 0.03, .hi = hi, .groups = &g,
                        .n_groups = 1};
    run_case(&p, RA_OPT_MAX_SHARPE, 3, 0.10, "max sharpe K=3 m=0.10 hi=0.4 group");
}

static void test_card_errors(void **state)
{
    (void)state;
    double w[N], lo[N] = {0.1, 0.1};
    ra_opt_problem p = {.n = N, .cov = cov, .mu = mu, .lo = lo};
    ra_card_settings s;
    ra_card_settings_default(&s);
    s.max_assets = 1;
    ra_card_result r = {.w = w};
    ra_err err = {0};
    assert_int_equal(ra_card_solve(&p, RA_OPT_MIN_VARIANCE, &s, &r, &err), RA_EINFEASIBLE);
    assert_string_equal(err.msg, "2 assets have lower bounds above 0, more than the 1 allowed");
    p.lo = NULL;
    s.max_assets = 2;
    s.min_weight = 0.6; /* two assets of at least 60 % cannot sum to 1 */
    assert_int_equal(ra_card_solve(&p, RA_OPT_MIN_VARIANCE, &s, &r, &err), RA_OK);
    assert_int_equal(r.held, 1); /* one asset at 100 % meets "0 or >= 0.6" */
    double hi[N];
    for (size_t j = 0; j < N; j++)
        hi[j] = 0.5;
    p.hi = hi;
    assert_int_equal(ra_card_solve(&p, RA_OPT_MIN_VARIANCE, &s, &r, &err), RA_EINFEASIBLE);
    assert_string_equal(err.msg, "no portfolio meets the bounds and limits with every held weight "
                                 "at least 0.6, whatever the number of assets");
    s.max_assets = 1; /* a single asset would need 100 %, above its bound of 50 % */
    s.min_weight = 0.3;
    assert_int_equal(ra_card_solve(&p, RA_OPT_MIN_VARIANCE, &s, &r, &err), RA_EINFEASIBLE);
    assert_string_equal(err.msg, "no portfolio of at most 1 asset(s) of at least 0.3 each meets "
                                 "the limits");
    s.max_assets = 2;
    assert_int_equal(ra_card_solve(&p, RA_OPT_MIN_VARIANCE, &s, &r, &err), RA_OK);
    assert_int_equal(r.held, 2);
    for (size_t j = 0; j < N; j++) /* two assets capped at 50 % must each hold exactly 50 % */
        assert_true(w[j] == 0.0 || fabs(w[j] - 0.5) <= 1e-12);
    s.min_weight = 0.6;
    assert_int_equal(ra_card_solve(&p, RA_OPT_RISK_PARITY, &s, &r, &err), RA_EINVAL);
    s.min_weight = 1.5;
    assert_int_equal(ra_card_solve(&p, RA_OPT_MIN_VARIANCE, &s, &r, &err), RA_EINVAL);
    assert_string_equal(err.msg, "minimum weight must be in [0, 1], got 1.5");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_card_min_variance_matches_brute_force),
        cmocka_unit_test(test_card_target_return_matches_brute_force),
        cmocka_unit_test(test_card_max_sharpe_matches_brute_force),
        cmocka_unit_test(test_card_errors),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
