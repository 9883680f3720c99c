/* CVaR over historical scenarios (src/core/cvar.c, src/core/lp.c). Expected values:
 * tests/golden/cvar/golden.txt, written by tests/golden/cvar/make_golden.R with GLPK (Rglpk) on
 * the PRIMAL Rockafellar-Uryasev LP and quadprog on the (w, zeta, u) QP, both independent of the
 * C code (which solves the dual LP and uses cutting planes). Data: ../shared/data (real prices). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ra_test.h"

#include <roboadvisor/cvar.h>

#include <string.h>

#define TOL_W 1e-8   /* weights, where the LP optimum is unique (the brief) */
#define TOL_OBJ 1e-10 /* CVaR and returns: a vertex's objective is accurate to rounding */

enum { DJ_T = 1260, DJ_N = 30, LPP_T = 377, LPP_N = 6 };
static double dj[DJ_T * DJ_N], dj_mu[DJ_N], lpp[LPP_T * LPP_N], lpp_cov[LPP_N * LPP_N];

/* Reads a wide CSV of numbers (Date first): returns the rows read into out (cols columns from
 * column `first`, 1-based after the date). */
static size_t read_wide(const char *path, size_t first, size_t cols, double *out, size_t max_rows)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[8192];
    size_t r = 0;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return 0;
    }
    while (r < max_rows && fgets(line, sizeof line, f)) {
        char *p = strchr(line, ',');
        for (size_t c = 1; p && c < first + cols; c++) {
            double v = strtod(p + 1, &p);
            if (c >= first)
                out[r * cols + (c - first)] = v;
        }
        r++;
    }
    fclose(f);
    return r;
}

static int setup(void **state)
{
    (void)state;
    static double px[2600 * DJ_N];
    size_t rows = read_wide(RA_DATA("dowjones30_prices.csv"), 1, DJ_N, px, 2600);
    if (rows < DJ_T + 1)
        return -1;
    const double *p0 = px + (rows - DJ_T - 1) * DJ_N;
    for (size_t t = 0; t < DJ_T; t++)
        for (size_t j = 0; j < DJ_N; j++)
            dj[t * DJ_N + j] = p0[(t + 1) * DJ_N + j] / p0[t * DJ_N + j] - 1.0;
    for (size_t j = 0; j < DJ_N; j++) {
        double s = 0.0;
        for (size_t t = 0; t < DJ_T; t++)
            s += dj[t * DJ_N + j];
        dj_mu[j] = s / DJ_T * 252.0;
    }
    if (read_wide(RA_DATA("lpp2005_returns.csv"), 1, LPP_N, lpp, LPP_T) != LPP_T)
        return -1;
    double m[LPP_N] = {0};
    for (size_t t = 0; t < LPP_T; t++)
        for (size_t j = 0; j < LPP_N; j++)
            m[j] += lpp[t * LPP_N + j] / LPP_T;
    for (size_t i = 0; i < LPP_N; i++)
        for (size_t j = 0; j < LPP_N; j++) {
            double s = 0.0;
            for (size_t t = 0; t < LPP_T; t++)
                s += (lpp[t * LPP_N + i] - m[i]) * (lpp[t * LPP_N + j] - m[j]);
            lpp_cov[i * LPP_N + j] = s / (LPP_T - 1) * 252.0;
        }
    return ra_golden_load(RA_GOLDEN("cvar/golden.txt"), "tests/golden/cvar/make_golden.R");
}

static int teardown(void **state)
{
    (void)state;
    ra_golden_free();
    return 0;
}

/* The golden problem: long-only, at most 25 % each, the first 10 stocks 20..60 %. */
static const size_t grp_members[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
static double hi25[DJ_N];

static void dj_problem(ra_opt_problem *o, ra_opt_group *g, ra_cvar_problem *p)
{
    for (size_t j = 0; j < DJ_N; j++)
        hi25[j] = 0.25;
    *g = (ra_opt_group){.name = "first ten", .members = grp_members, .n_members = 10,
                        .min = 0.2, .max = 0.6};
    *o = (ra_opt_problem){.n = DJ_N, .mu = dj_mu, .hi = hi25, .groups = g, .n_groups = 1};
    *p = (ra_cvar_problem){.opt = o, .T = DJ_T, .scen = dj, .beta = 0.95};
}

static void assert_weights(const double *w, const char *rec, size_t n)
{
    const double *want = ra_golden(rec, n);
    for (size_t j = 0; j < n; j++)
        RA_ASSERT_CLOSE(w[j], want[j], TOL_W, 0.0);
}

static void test_cvar_min_matches_glpk(void **state)
{
    (void)state;
    ra_opt_problem o;
    ra_opt_group g;
    ra_cvar_problem p;
    dj_problem(&o, &g, &p);
    double w[DJ_N];
    ra_cvar_result r = {.w = w};
    ra_err err = {0};
    assert_int_equal(ra_cvar_solve(&p, RA_CVAR_MIN, &r, &err), RA_OK);
    RA_ASSERT_CLOSE(r.cvar, ra_golden("dj_min_cvar", 1)[0], TOL_OBJ, 0.0);
    assert_weights(w, "dj_min_w", DJ_N);
    assert_true(r.lps == 1 && r.pivots > 0);
    assert_true(r.var <= r.cvar); /* the tail's mean is at least where it starts */
}

static void test_cvar_min_target_matches_glpk(void **state)
{
    (void)state;
    ra_opt_problem o;
    ra_opt_group g;
    ra_cvar_problem p;
    dj_problem(&o, &g, &p);
    o.target = ra_golden("dj_target", 1)[0];
    p.has_target = 1;
    double w[DJ_N];
    ra_cvar_result r = {.w = w};
    ra_err err = {0};
    assert_int_equal(ra_cvar_solve(&p, RA_CVAR_MIN, &r, &err), RA_OK);
    RA_ASSERT_CLOSE(r.cvar, ra_golden("dj_target_cvar", 1)[0], TOL_OBJ, 0.0);
    assert_weights(w, "dj_target_w", DJ_N);
    assert_true(r.expected_return >= o.target - 1e-12);
}

static void test_cvar_max_return_under_limit_matches_glpk(void **state)
{
    (void)state;
    ra_opt_problem o;
    ra_opt_group g;
    ra_cvar_problem p;
    dj_problem(&o, &g, &p);
    p.limit = ra_golden("dj_maxret_limit", 1)[0];
    double w[DJ_N];
    ra_cvar_result r = {.w = w};
    ra_err err = {0};
    assert_int_equal(ra_cvar_solve(&p, RA_CVAR_MAX_RETURN, &r, &err), RA_OK);
    RA_ASSERT_CLOSE(r.expected_return, ra_golden("dj_maxret_ret", 1)[0], TOL_OBJ, 0.0);
    RA_ASSERT_CLOSE(r.cvar, ra_golden("dj_maxret_cvar", 1)[0], TOL_OBJ, 0.0);
    assert_weights(w, "dj_maxret_w", DJ_N);
    /* below the lowest attainable CVaR nothing is feasible */
    p.limit = 0.5 * ra_golden("dj_min_cvar", 1)[0];
    assert_int_equal(ra_cvar_solve(&p, RA_CVAR_MAX_RETURN, &r, &err), RA_EINFEASIBLE);
    assert_non_null(strstr(err.msg, "is below the lowest attainable"));
}

static void test_cvar_min_variance_under_limit_matches_quadprog(void **state)
{
    (void)state;
    ra_opt_problem o = {.n = LPP_N, .cov = lpp_cov};
    ra_cvar_problem p = {.opt = &o, .T = LPP_T, .scen = lpp, .beta = 0.95,
                         .limit = ra_golden("lpp_mv_limit", 1)[0]};
    double w[LPP_N];
    ra_cvar_result r = {.w = w};
    ra_err err = {0};
    assert_int_equal(ra_cvar_solve(&p, RA_CVAR_MIN, &r, &err), RA_OK);
    RA_ASSERT_CLOSE(r.cvar, ra_golden("lpp_cvar_min", 1)[0], TOL_OBJ, 0.0);
    assert_int_equal(ra_cvar_solve(&p, RA_CVAR_MIN_VARIANCE, &r, &err), RA_OK);
    const double *want = ra_golden("lpp_mv_w", LPP_N);
    for (size_t j = 0; j < LPP_N; j++) /* quadprog needs a 1e-10 ridge on (zeta, u): 1e-7 */
        RA_ASSERT_CLOSE(w[j], want[j], 1e-7, 0.0);
    assert_true(r.cuts >= 1); /* the limit binds: the plain minimum variance breaks it */
    assert_true(r.cvar <= p.limit * (1 + 1e-12));
    RA_ASSERT_CLOSE(r.cvar, p.limit, 1e-12, 0.0);
}

static void test_cvar_eval_hand(void **state)
{
    (void)state;
    /* 20 scenarios of one asset, returns -0.20, -0.19, ..., -0.01: losses 0.20..0.01.
     * beta 0.9: tail of 2 scenarios, CVaR = (0.20 + 0.19)/2 = 0.195, VaR = 0.19.
     * beta 0.925: tail of 1.5: (0.20 + 0.5*0.19)/1.5, VaR 0.19. (hand derivation) */
    double s[20], loss[20], var, w = 1.0;
    for (int t = 0; t < 20; t++)
        s[t] = -0.01 * (t + 1);
    RA_ASSERT_CLOSE(ra_cvar_eval(s, 20, 1, &w, 0.9, loss, &var), 0.195, 1e-15, 0.0);
    RA_ASSERT_CLOSE(var, 0.19, 1e-15, 0.0);
    RA_ASSERT_CLOSE(ra_cvar_eval(s, 20, 1, &w, 0.925, loss, &var), (0.20 + 0.5 * 0.19) / 1.5,
                    1e-15, 0.0);
    assert_true(isnan(ra_cvar_eval(s, 20, 1, &w, 1.0, loss, NULL)));
}

static void test_cvar_errors(void **state)
{
    (void)state;
    double s[4] = {0.01, -0.02, 0.03, NAN}, w[2];
    ra_opt_problem o = {.n = 2};
    ra_cvar_problem p = {.opt = &o, .T = 2, .scen = s, .beta = 0.5};
    ra_cvar_result r = {.w = w};
    ra_err err = {0};
    assert_int_equal(ra_cvar_solve(&p, RA_CVAR_MIN, &r, &err), RA_EINVAL);
    assert_string_equal(err.msg, "scenario 2, asset 2 is not finite");
    s[3] = 0.0;
    p.beta = 0.95;
    assert_int_equal(ra_cvar_solve(&p, RA_CVAR_MIN, &r, &err), RA_EINVAL);
    assert_string_equal(err.msg, "cvar at confidence 0.95 needs at least 20 scenarios, got 2");
    p.beta = 0.5;
    assert_int_equal(ra_cvar_solve(&p, RA_CVAR_MAX_RETURN, &r, &err), RA_EINVAL);
    assert_string_equal(err.msg, "expected returns are required for this objective");
    double lo[2] = {0.6, 0.6};
    o.lo = lo;
    assert_int_equal(ra_cvar_solve(&p, RA_CVAR_MIN, &r, &err), RA_EINFEASIBLE);
    /* two scenarios, beta 0.5: CVaR = the worse loss; min over w of max(-0.01 w1 + 0.02 w2,
     * -0.03 w1) with w1 + w2 = 1 is at -0.01 w1 + 0.02 (1 - w1) = -0.03 w1: w1 = -1 (outside),
     * so w1 = 1 and CVaR = max(-0.01, -0.03) = -0.01 (hand derivation) */
    o.lo = NULL;
    assert_int_equal(ra_cvar_solve(&p, RA_CVAR_MIN, &r, &err), RA_OK);
    RA_ASSERT_CLOSE(w[0], 1.0, 1e-12, 0.0);
    RA_ASSERT_CLOSE(r.cvar, -0.01, 1e-15, 0.0);
}

/* The optional limit row (row'w <= row_max), hand-derived: two assets, two scenarios, beta 0.5
 * (CVaR = the worse loss). Asset A returns +2 %% then -1 %%, asset B 0 in both; mu = (0.1, 0).
 * With a = w_A the losses are -0.02a and 0.01a, so CVaR = 0.01a. The row a <= 0.3: least CVaR
 * with mu'w >= 0.02 needs a >= 0.2, so a = 0.2 and CVaR 0.002; mu'w >= 0.04 needs a >= 0.4 > 0.3:
 * infeasible; the highest return with CVaR <= 0.01 (a <= 1) stops at the row, a = 0.3, 0.03. */
static void test_cvar_limit_row_hand(void **state)
{
    (void)state;
    const double sc[4] = {0.02, 0.0, -0.01, 0.0}, mu2[2] = {0.1, 0.0}, row[2] = {1.0, 0.0};
    ra_opt_problem o = {.n = 2, .mu = mu2, .target = 0.02};
    ra_cvar_problem p = {.opt = &o, .T = 2, .scen = sc, .beta = 0.5, .has_target = 1,
                         .row = row, .row_max = 0.3};
    double w[2];
    ra_cvar_result r = {.w = w};
    ra_err err = {0};
    assert_int_equal(ra_cvar_solve(&p, RA_CVAR_MIN, &r, &err), RA_OK);
    RA_ASSERT_CLOSE(w[0], 0.2, 1e-12, 0.0);
    RA_ASSERT_CLOSE(r.cvar, 0.002, 1e-14, 0.0);
    o.target = 0.04;
    assert_int_equal(ra_cvar_solve(&p, RA_CVAR_MIN, &r, &err), RA_EINFEASIBLE);
    p.has_target = 0;
    p.limit = 0.01;
    assert_int_equal(ra_cvar_solve(&p, RA_CVAR_MAX_RETURN, &r, &err), RA_OK);
    /* the search starts 1e-12 below the highest return (docs/methodology.md#cvar): a 1e-11 */
    RA_ASSERT_CLOSE(w[0], 0.3, 1e-10, 0.0);
    RA_ASSERT_CLOSE(r.expected_return, 0.03, 1e-11, 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cvar_eval_hand),
        cmocka_unit_test(test_cvar_errors),
        cmocka_unit_test(test_cvar_min_matches_glpk),
        cmocka_unit_test(test_cvar_min_target_matches_glpk),
        cmocka_unit_test(test_cvar_max_return_under_limit_matches_glpk),
        cmocka_unit_test(test_cvar_min_variance_under_limit_matches_quadprog),
        cmocka_unit_test(test_cvar_limit_row_hand),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
