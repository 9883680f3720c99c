/* The client's objectives (src/core/objective.c, docs/methodology.md#client-objectives).
 *
 * Expected values are derived by hand, not by the solver. With a diagonal covariance
 * S = diag(s1, s2, s3) the minimum-variance portfolio of budget 1 is m_j = (1/s_j) / sum(1/s_k),
 * and without binding bounds the client's target is the blend w = B (a v + (1 - a) m),
 * a = (1 + lambda) / (r + lambda), v = t / B (the stationarity condition of the objective in
 * objective.h with the budget's multiplier: see the methodology). The turnover case uses the
 * subgradient condition at w = t: the target stays put exactly when the spread of the smooth
 * gradient delta B (r - 1) (S v)_j over the securities is at most 2 tau. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ra_test.h"

#include <roboadvisor/cvar.h>
#include <roboadvisor/objective.h>
#include <roboadvisor/opt.h>

#include <math.h>
#include <string.h>

static const double S[9] = {0.04, 0, 0, 0, 0.01, 0, 0, 0, 0.0225};
static const double T0[3] = {0.5, 0.3, 0.2};

/* the blend a v + (1 - a) m of budget B, by hand */
static void blend(double a, double B, const double *t, double *out)
{
    double inv[3], sum = 0.0, bt = 0.0;
    for (int j = 0; j < 3; j++) {
        inv[j] = 1.0 / S[j * 4];
        sum += inv[j];
        bt += t[j];
    }
    (void)B;
    for (int j = 0; j < 3; j++)
        out[j] = bt * (a * t[j] / bt + (1.0 - a) * inv[j] / sum);
}

static void check_blend(double r, double lambda, double B)
{
    double t[3], w[3], want[3];
    for (int j = 0; j < 3; j++)
        t[j] = B * T0[j];
    ra_client_objective o = {r, lambda, 0, 0};
    ra_client_effect e;
    ra_err err = {0};
    assert_int_equal(ra_client_target(3, t, S, NULL, NULL, 0, 0.25, &o, w, &e, &err), RA_OK);
    blend((1.0 + lambda) / (r + lambda), B, t, want);
    for (int j = 0; j < 3; j++)
        assert_true(fabs(w[j] - want[j]) < 1e-10);
    /* the figures: tracking error sqrt(d'Sd), one-way change, volatilities */
    double te = 0, l1 = 0, vb = 0, va = 0;
    for (int j = 0; j < 3; j++) {
        double d = want[j] - t[j];
        te += S[j * 4] * d * d;
        l1 += fabs(d);
        vb += S[j * 4] * t[j] * t[j];
        va += S[j * 4] * want[j] * want[j];
    }
    assert_true(fabs(e.te_ann - sqrt(te)) < 1e-10);
    assert_true(fabs(e.l1 - 0.5 * l1) < 1e-10);
    assert_true(fabs(e.vol_before - sqrt(vb)) < 1e-12);
    assert_true(fabs(e.vol_after - sqrt(va)) < 1e-10);
    /* delta = Sharpe / vol(t / B): the implied return of t / B is 0.25 * vol(t / B) */
    assert_true(fabs(e.ret_before - 0.25 * sqrt(vb) / B * B) < 1e-12);
}

static void test_blend_risk_aversion(void **state)
{
    (void)state;
    check_blend(2.0, 0.0, 1.0);  /* a = 1/2 */
    check_blend(0.5, 0.0, 1.0);  /* a = 2: away from minimum variance (no bound binds) */
    check_blend(2.0, 1.0, 1.0);  /* a = 2/3: the tracking-error penalty pulls back to t */
    check_blend(3.0, 0.0, 0.98); /* a cash reserve of 2 % */
}

static void test_model_own_is_t(void **state)
{
    (void)state;
    double w[3];
    ra_client_objective none = {0, 0, 0, 0}, one = {1.0, 5.0, 0, 0};
    ra_err err = {0};
    assert_false(ra_client_objective_active(&none));
    assert_false(ra_client_objective_active(&one)); /* lambda alone changes nothing */
    assert_int_equal(ra_client_target(3, T0, S, NULL, NULL, 0, 0.25, &one, w, NULL, &err), RA_OK);
    for (int j = 0; j < 3; j++)
        assert_true(w[j] == T0[j]);
}

static void test_turnover_holds(void **state)
{
    (void)state;
    /* at h = t, r = 2: gradient delta * (S t)_j = delta * (0.02, 0.003, 0.0045), delta =
     * 0.25 / sqrt(0.0118); spread 0.017 delta = 0.039124..; stays put iff tau >= 0.019562.. */
    double delta = 0.25 / sqrt(0.0118), spread = 0.017 * delta, w[3], wfree[3];
    ra_client_objective hold = {2.0, 0, 0.5 * spread + 1e-6, 0};
    ra_client_objective move = {2.0, 0, 0.5 * spread - 1e-3, 0};
    ra_client_objective free_ = {2.0, 0, 0, 0};
    ra_client_effect e, ef;
    ra_err err = {0};
    assert_int_equal(ra_client_target(3, T0, S, T0, NULL, 0, 0.25, &hold, w, &e, &err), RA_OK);
    for (int j = 0; j < 3; j++)
        assert_true(fabs(w[j] - T0[j]) < 1e-9);
    assert_true(fabs(e.delta - delta) < 1e-12);
    assert_int_equal(ra_client_target(3, T0, S, T0, NULL, 0, 0.25, &move, w, &e, &err), RA_OK);
    assert_int_equal(ra_client_target(3, T0, S, T0, NULL, 0, 0.25, &free_, wfree, &ef, &err),
                     RA_OK);
    assert_true(e.turn_after > 1e-4);              /* it moves */
    assert_true(e.turn_after < ef.turn_after - 1e-4); /* but less than without the penalty */
}

static void test_cvar_limit(void **state)
{
    (void)state;
    /* 200 scenarios: asset 0 loses 5 % in 10 of them, the others are calm */
    double scen[200 * 3], w[3], loss[200];
    for (int k = 0; k < 200; k++) {
        scen[k * 3] = k % 20 == 0 ? -0.05 : 0.003;
        scen[k * 3 + 1] = k % 2 ? 0.001 : -0.001;
        scen[k * 3 + 2] = k % 3 ? 0.002 : -0.003;
    }
    double base = ra_cvar_eval(scen, 200, 3, T0, 0.95, loss, NULL);
    ra_client_objective o = {0, 0, 0, 0.5 * base};
    ra_client_effect e;
    ra_err err = {0};
    assert_int_equal(ra_client_target(3, T0, S, NULL, scen, 200, 0.25, &o, w, &e, &err), RA_OK);
    assert_true(e.cvar_met);
    assert_true(fabs(e.cvar_before - base) < 1e-15);
    assert_true(e.cvar_after <= o.cvar_limit + 1e-12);
    assert_true(e.r_used > 1.0);
    /* the smallest such r: a slightly smaller one breaks the limit (the blend at a = 1/r) */
    double wl[3], a = 1.0 / (e.r_used * (1.0 - 1e-6));
    blend(a, 1.0, T0, wl);
    assert_true(ra_cvar_eval(scen, 200, 3, wl, 0.95, loss, NULL) > o.cvar_limit - 1e-9);
    /* a limit below the minimum-variance end: reported unmet, the closest target kept */
    ra_client_objective tight = {0, 0, 0, 1e-6};
    assert_int_equal(ra_client_target(3, T0, S, NULL, scen, 200, 0.25, &tight, w, &e, &err),
                     RA_OK);
    assert_false(e.cvar_met);
}

static void test_ranges(void **state)
{
    (void)state;
    ra_err err = {0};
    ra_client_objective bad = {5.0, 0, 0, 0};
    assert_int_equal(ra_client_objective_check(&bad, &err), RA_EINVAL);
    assert_string_equal(err.where, "risk_aversion");
    ra_client_objective bad2 = {0, 0, 0.2, 0};
    assert_int_equal(ra_client_objective_check(&bad2, &err), RA_EINVAL);
    assert_string_equal(err.where, "turnover_penalty");
}

/* cov_trusted: the same answer as the checked call on a positive definite covariance; a singular
 * one is still refused naming an asset (two identical assets: the second is spanned). */
static void test_opt_cov_trusted(void **state)
{
    (void)state;
    double w1[3], w2[3], work[4096];
    ra_err err = {0};
    ra_opt_problem p = {.n = 3, .cov = S};
    ra_opt_result r1 = {.w = w1}, r2 = {.w = w2};
    assert_true(ra_opt_workspace_size(3, 0) <= sizeof work);
    assert_int_equal(ra_opt_solve(&p, RA_OPT_MIN_VARIANCE, work, sizeof work, &r1, &err), RA_OK);
    p.cov_trusted = 1;
    assert_int_equal(ra_opt_solve(&p, RA_OPT_MIN_VARIANCE, work, sizeof work, &r2, &err), RA_OK);
    for (int j = 0; j < 3; j++) /* and both the hand-derived minimum variance 1/s_j / sum */
        assert_true(fabs(w1[j] - w2[j]) < 1e-14 &&
                    fabs(w1[j] - (1.0 / S[j * 4]) / (25.0 + 100.0 + 1.0 / 0.0225)) < 1e-12);
    static const double sing[4] = {0.04, 0.04, 0.04, 0.04};
    const char *names[2] = {"AAA", "BBB"};
    ra_opt_problem q = {.n = 2, .cov = sing, .names = names};
    assert_int_equal(ra_opt_solve(&q, RA_OPT_MIN_VARIANCE, work, sizeof work, &r1, &err),
                     RA_ESINGULAR); /* checked: refused naming the spanned asset */
    assert_string_equal(err.where, "BBB");
    /* trusted: only the free block is factorised; here one asset at its bound leaves a 1x1
     * block, and the answer is a true minimum (variance 0.04, every split of the two has it) */
    q.cov_trusted = 1;
    assert_int_equal(ra_opt_solve(&q, RA_OPT_MIN_VARIANCE, work, sizeof work, &r1, &err), RA_OK);
    assert_true(fabs(r1.volatility * r1.volatility - 0.04) < 1e-14);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blend_risk_aversion), cmocka_unit_test(test_model_own_is_t),
        cmocka_unit_test(test_turnover_holds),      cmocka_unit_test(test_cvar_limit),
        cmocka_unit_test(test_ranges),              cmocka_unit_test(test_opt_cov_trusted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
