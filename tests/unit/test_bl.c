/* Tests of src/core/bl.c (include/roboadvisor/bl.h): equilibrium returns and Black-Litterman.
 * Expected values come from (1) the published tables of He and Litterman (1999), "The Intuition
 * Behind Black-Litterman Model Portfolios" (Goldman Sachs), Tables 2, 4 and 5, printed to 0.1 %;
 * (2) tests/golden/bl/golden.txt, written by tests/golden/bl/make_golden.R in base R with the
 * precision form of the posterior and Idzorek's numerical procedure (see the README there), to
 * 1e-10; (3) identities derived by hand in docs/methodology.md#equilibrium-returns-and-black-litterman. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <roboadvisor/bl.h>
#include <roboadvisor/resample.h>

#include "ra_test.h"

#define TOL_R 1e-10     /* against R: both in double, well-conditioned 7x7 and 6x6 systems */
#define TOL_PUB 5.0001e-4 /* the paper prints percentages to one decimal */
/* Its weights carry one more rounding: Table 4 prints France -4.0 and the UK -9.5 where its own
 * printed deviations (-8.9, -21.3 points from w_mkt / (1 + tau)) give -3.9 and -9.5; so weights
 * are checked to one unit of the last printed digit. */
#define TOL_PUB_W 1.0001e-3

enum { N = 7 };
static const double w_hl[N] = {0.016, 0.022, 0.052, 0.055, 0.116, 0.124, 0.615};
static const double vol_hl[N] = {0.160, 0.203, 0.248, 0.271, 0.210, 0.200, 0.187};
static const double cor_hl[N * N] = {
    1.000, 0.488, 0.478, 0.515, 0.439, 0.512, 0.491, 0.488, 1.000, 0.664, 0.655, 0.310, 0.608, 0.779,
    0.478, 0.664, 1.000, 0.861, 0.355, 0.783, 0.668, 0.515, 0.655, 0.861, 1.000, 0.354, 0.777, 0.653,
    0.439, 0.310, 0.355, 0.354, 1.000, 0.405, 0.306, 0.512, 0.608, 0.783, 0.777, 0.405, 1.000, 0.652,
    0.491, 0.779, 0.668, 0.653, 0.306, 0.652, 1.000};
/* view 1: Germany over France and the UK by 5 %; view 2: Canada over the US by 3 % */
static const double P_hl[2 * N] = {0, 0, -0.295, 1, 0, -0.705, 0, 0, 1, 0, 0, 0, 0, -1};
static const double q_hl[2] = {0.05, 0.03};
static const double DELTA = 2.5, TAU = 0.05;

static void hl_cov(double *S)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            S[i * N + j] = cor_hl[i * N + j] * vol_hl[i] * vol_hl[j];
}

static void assert_vec(const double *got, const double *want, size_t n, double atol,
                       const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= atol))
            fail_msg("%s[%zu] = %.17g, want %.17g (|diff| %.3g > %.3g)", what, i, got[i], want[i],
                     fabs(got[i] - want[i]), atol);
}

/* He-Litterman Table 2's equilibrium returns and Tables 4 and 5, with the paper's view variances
 * omega = tau p Sigma p' (it prints omega / tau = 0.021 and 0.017, rounded). */
static void test_bl_published_tables(void **state)
{
    (void)state;
    double S[N * N], pi[N], mu[N], post[N * N], w[N];
    ra_err err = {0};
    hl_cov(S);
    assert_int_equal(ra_bl_implied(N, S, w_hl, DELTA, pi, &err), RA_OK);
    const double pi_pub[N] = {0.039, 0.069, 0.084, 0.090, 0.043, 0.068, 0.076};
    assert_vec(pi, pi_pub, N, TOL_PUB, "pi");

    double om[2];
    assert_int_equal(ra_bl_posterior(N, S, pi, TAU, 1, P_hl, q_hl, RA_BL_OMEGA_PRIOR, NULL, mu, post,
                                     om, &err),
                     RA_OK);
    assert_int_equal(ra_bl_weights(N, post, mu, DELTA, w, &err), RA_OK);
    const double mu4[N] = {0.043, 0.076, 0.093, 0.110, 0.045, 0.070, 0.081};
    const double w4[N] = {0.015, 0.021, -0.040, 0.354, 0.110, -0.095, 0.586};
    assert_vec(mu, mu4, N, TOL_PUB, "table 4 mu");
    assert_vec(w, w4, N, TOL_PUB_W, "table 4 w");

    RA_ASSERT_CLOSE(om[0] / TAU, 0.021, TOL_PUB, 0);
    assert_int_equal(ra_bl_posterior(N, S, pi, TAU, 2, P_hl, q_hl, RA_BL_OMEGA_PRIOR, NULL, mu, post,
                                     om, &err),
                     RA_OK);
    assert_int_equal(ra_bl_weights(N, post, mu, DELTA, w, &err), RA_OK);
    const double mu5[N] = {0.044, 0.087, 0.095, 0.112, 0.046, 0.070, 0.075};
    const double w5[N] = {0.015, 0.419, -0.034, 0.336, 0.110, -0.082, 0.188};
    assert_vec(mu, mu5, N, TOL_PUB, "table 5 mu");
    assert_vec(w, w5, N, TOL_PUB_W, "table 5 w");
    RA_ASSERT_CLOSE(om[1] / TAU, 0.017, TOL_PUB, 0);
}

/* The same two cases with omega = tau p Sigma p' (RA_BL_OMEGA_PRIOR) against R's precision form. */
static void test_bl_golden_he_litterman(void **state)
{
    (void)state;
    double S[N * N], pi[N], mu[N], post[N * N], w[N], om[2];
    ra_err err = {0};
    hl_cov(S);
    assert_int_equal(ra_bl_implied(N, S, w_hl, DELTA, pi, &err), RA_OK);
    assert_vec(pi, ra_golden("hl_pi", N), N, TOL_R, "pi");
    static const char *const names[2][3] = {{"hl_t4_mu", "hl_t4_post", "hl_t4_w"},
                                            {"hl_t5_mu", "hl_t5_post", "hl_t5_w"}};
    for (size_t k = 1; k <= 2; k++) {
        assert_int_equal(ra_bl_posterior(N, S, pi, TAU, k, P_hl, q_hl, RA_BL_OMEGA_PRIOR, NULL, mu,
                                         post, om, &err),
                         RA_OK);
        assert_int_equal(ra_bl_weights(N, post, mu, DELTA, w, &err), RA_OK);
        assert_vec(mu, ra_golden(names[k - 1][0], N), N, TOL_R, names[k - 1][0]);
        assert_vec(post, ra_golden(names[k - 1][1], N * N), N * N, TOL_R, names[k - 1][1]);
        assert_vec(w, ra_golden(names[k - 1][2], N), N, TOL_R, names[k - 1][2]);
    }
}

/* Idzorek's confidences: our closed form for omega against his numerical procedure in R. */
static void test_bl_golden_idzorek(void **state)
{
    (void)state;
    double S[N * N], pi[N], mu[N], om[2];
    ra_err err = {0};
    hl_cov(S);
    assert_int_equal(ra_bl_implied(N, S, w_hl, DELTA, pi, &err), RA_OK);
    const double *conf = ra_golden("hl_idz_conf", 2);
    assert_int_equal(ra_bl_posterior(N, S, pi, TAU, 2, P_hl, q_hl, RA_BL_OMEGA_IDZOREK, conf, mu,
                                     NULL, om, &err),
                     RA_OK);
    const double *om_r = ra_golden("hl_idz_omega", 2);
    for (int v = 0; v < 2; v++)
        RA_ASSERT_CLOSE(om[v], om_r[v], 0, 1e-9); /* R's uniroot stops at 1e-14 in log omega */
    assert_vec(mu, ra_golden("hl_idz_mu", N), N, TOL_R, "idzorek mu");
}

/* Real data: the LPP 2005 indices, delta from a market Sharpe ratio, three views with given
 * variances, tau 0.025. */
static void test_bl_golden_lpp(void **state)
{
    (void)state;
    enum { M = 6 };
    const double *S = ra_golden("lpp_cov", M * M);
    const double w_l[M] = {0.40, 0.20, 0.05, 0.15, 0.15, 0.05};
    const double P[3 * M] = {0, 1, 0, 0, 0, 0, 0, -1, 0, 0, 1, 0, -0.5, 0, 0, -0.5, 0, 1};
    const double q[3] = {0.06, 0.01, 0.02}, om[3] = {0.0004, 0.0001, 0.00025};
    double delta, pi[M], mu[M], post[M * M], w[M];
    ra_err err = {0};
    assert_int_equal(ra_bl_delta(M, S, w_l, 0.25, &delta, &err), RA_OK);
    RA_ASSERT_CLOSE(delta, ra_golden("lpp_delta", 1)[0], 0, 1e-12);
    assert_int_equal(ra_bl_implied(M, S, w_l, delta, pi, &err), RA_OK);
    assert_vec(pi, ra_golden("lpp_pi", M), M, TOL_R, "lpp pi");
    assert_int_equal(
        ra_bl_posterior(M, S, pi, 0.025, 3, P, q, RA_BL_OMEGA_GIVEN, om, mu, post, NULL, &err),
        RA_OK);
    assert_vec(mu, ra_golden("lpp_mu", M), M, TOL_R, "lpp mu");
    assert_vec(post, ra_golden("lpp_post", M * M), M * M, TOL_R, "lpp post");
    assert_int_equal(ra_bl_weights(M, post, mu, delta, w, &err), RA_OK);
    assert_vec(w, ra_golden("lpp_w", M), M, 1e-9, "lpp w"); /* cond(post) ~ 1e4 */
}

/* Identities (derivations in the methodology): no views gives mu = pi, post = (1 + tau) Sigma and
 * w = w_mkt / (1 + tau); a view equal to its equilibrium value changes nothing in mu; a view held
 * with confidence 1 holds exactly (P mu = q); with one view of confidence c the unconstrained
 * weights (delta Sigma)^-1 mu move by exactly c times their 100 % move. */
static void test_bl_identities(void **state)
{
    (void)state;
    double S[N * N], pi[N], mu[N], post[N * N], w[N];
    ra_err err = {0};
    hl_cov(S);
    assert_int_equal(ra_bl_implied(N, S, w_hl, DELTA, pi, &err), RA_OK);
    assert_int_equal(
        ra_bl_posterior(N, S, pi, TAU, 0, NULL, NULL, RA_BL_OMEGA_PRIOR, NULL, mu, post, NULL, &err),
        RA_OK);
    assert_vec(mu, pi, N, 0, "no views mu");
    for (int i = 0; i < N * N; i++)
        RA_ASSERT_CLOSE(post[i], (1 + TAU) * S[i], 1e-17, 1e-15);
    assert_int_equal(ra_bl_weights(N, post, mu, DELTA, w, &err), RA_OK);
    for (int i = 0; i < N; i++)
        RA_ASSERT_CLOSE(w[i], w_hl[i] / (1 + TAU), 1e-13, 0);

    /* q = P pi: the view agrees with equilibrium */
    double qe[2];
    for (int v = 0; v < 2; v++) {
        qe[v] = 0;
        for (int j = 0; j < N; j++)
            qe[v] += P_hl[v * N + j] * pi[j];
    }
    assert_int_equal(ra_bl_posterior(N, S, pi, TAU, 2, P_hl, qe, RA_BL_OMEGA_PRIOR, NULL, mu, NULL,
                                     NULL, &err),
                     RA_OK);
    assert_vec(mu, pi, N, 1e-15, "equilibrium views mu");

    /* confidence 1 for both views: P mu = q */
    const double full[2] = {1, 1};
    assert_int_equal(ra_bl_posterior(N, S, pi, TAU, 2, P_hl, q_hl, RA_BL_OMEGA_IDZOREK, full, mu,
                                     NULL, NULL, &err),
                     RA_OK);
    for (int v = 0; v < 2; v++) {
        double pm = 0;
        for (int j = 0; j < N; j++)
            pm += P_hl[v * N + j] * mu[j];
        RA_ASSERT_CLOSE(pm, q_hl[v], 1e-15, 0);
    }

    /* Idzorek's tilt: one view at c = 0.4 moves (delta Sigma)^-1 mu by 0.4 of its move at c = 1 */
    double w1[N], wc[N], mu1[N];
    const double c1 = 1, c4 = 0.4;
    assert_int_equal(ra_bl_posterior(N, S, pi, TAU, 1, P_hl + N, q_hl + 1, RA_BL_OMEGA_IDZOREK, &c1,
                                     mu1, NULL, NULL, &err),
                     RA_OK);
    assert_int_equal(ra_bl_weights(N, S, mu1, DELTA, w1, &err), RA_OK);
    assert_int_equal(ra_bl_posterior(N, S, pi, TAU, 1, P_hl + N, q_hl + 1, RA_BL_OMEGA_IDZOREK, &c4,
                                     mu, NULL, NULL, &err),
                     RA_OK);
    assert_int_equal(ra_bl_weights(N, S, mu, DELTA, wc, &err), RA_OK);
    for (int i = 0; i < N; i++)
        RA_ASSERT_CLOSE(wc[i] - w_hl[i], c4 * (w1[i] - w_hl[i]), 1e-13, 0);
}

static void test_bl_errors(void **state)
{
    (void)state;
    double S[N * N], pi[N], mu[N], d;
    ra_err err = {0};
    hl_cov(S);
    assert_int_equal(ra_bl_implied(N, S, w_hl, DELTA, pi, &err), RA_OK);

    /* two views that are the same portfolio, both certain: cannot both hold unless equal */
    double P2[2 * N];
    memcpy(P2, P_hl, N * sizeof *P2);
    memcpy(P2 + N, P_hl, N * sizeof *P2);
    const double full[2] = {1, 1};
    assert_int_equal(ra_bl_posterior(N, S, pi, TAU, 2, P2, q_hl, RA_BL_OMEGA_IDZOREK, full, mu,
                                     NULL, NULL, &err),
                     RA_ESINGULAR);
    assert_string_equal(err.where, "views");

    const double bad_conf[2] = {0.5, 0};
    assert_int_equal(ra_bl_posterior(N, S, pi, TAU, 2, P_hl, q_hl, RA_BL_OMEGA_IDZOREK, bad_conf,
                                     mu, NULL, NULL, &err),
                     RA_EINVAL);
    RA_ASSERT_ERR(err, RA_EINVAL, "confidence", "view 2's confidence 0 is not in (0, 1]");

    double Pz[N] = {0};
    assert_int_equal(ra_bl_posterior(N, S, pi, TAU, 1, Pz, q_hl, RA_BL_OMEGA_PRIOR, NULL, mu, NULL,
                                     NULL, &err),
                     RA_EINVAL);
    RA_ASSERT_ERR(err, RA_EINVAL, "P", "view 1 has no assets (its row of P is 0)");

    assert_int_equal(ra_bl_posterior(N, S, pi, 0, 0, NULL, NULL, RA_BL_OMEGA_PRIOR, NULL, mu, NULL,
                                     NULL, &err),
                     RA_EINVAL);
    RA_ASSERT_ERR(err, RA_EINVAL, "tau", "tau 0 is not in (0, 1]");

    double Sn[N * N];
    memcpy(Sn, S, sizeof Sn);
    Sn[3 * N + 4] = NAN;
    assert_int_equal(ra_bl_implied(N, Sn, w_hl, DELTA, pi, &err), RA_EINVAL);
    RA_ASSERT_ERR(err, RA_EINVAL, "cov", "cov[25] is not a finite number");

    /* a singular covariance: asset 3 = asset 2 */
    double Ss[3 * 3] = {0.04, 0.02, 0.02, 0.02, 0.09, 0.09, 0.02, 0.09, 0.09};
    double p3[3] = {0.2, 0.3, 0.4};
    assert_int_equal(ra_bl_posterior(3, Ss, p3, TAU, 0, NULL, NULL, RA_BL_OMEGA_PRIOR, NULL, mu,
                                     NULL, NULL, &err),
                     RA_ESINGULAR);
    assert_string_equal(err.where, "cov");

    double wneg[N];
    memcpy(wneg, w_hl, sizeof wneg);
    wneg[2] = -0.1;
    assert_int_equal(ra_bl_delta(N, S, wneg, 0.25, &d, &err), RA_EINVAL);
    RA_ASSERT_ERR(err, RA_EINVAL, "w_mkt", "market weight w_mkt[2] is negative");
    assert_int_equal(ra_bl_delta(N, S, w_hl, 0, &d, &err), RA_EINVAL);
    RA_ASSERT_ERR(err, RA_EINVAL, "sharpe", "the market Sharpe ratio 0 is not above 0");
}

/* ra_resample_draw: with T large the re-estimated mean and covariance approach the truth within
 * their standard errors (mean: sigma / sqrt(T); variance: sigma^2 sqrt(2 / T)); 4 standard errors
 * at a pinned seed. And the same seed gives the same draw. */
static void test_resample_draw(void **state)
{
    (void)state;
    enum { T = 100000 };
    const double mu[2] = {0.05, 0.10}, cov[4] = {0.04, 0.012, 0.012, 0.09};
    double L[4], m1[2], c1[4], m2[2], c2[4];
    double *work = malloc(T * 2 * sizeof *work);
    assert_non_null(work);
    ra_err err = {0};
    assert_int_equal(ra_resample_factor(2, cov, 1.0, L, &err), RA_OK);
    RA_ASSERT_CLOSE(L[0], 0.2, 1e-15, 0); /* sqrt(0.04) */
    RA_ASSERT_CLOSE(L[2], 0.06, 1e-15, 0); /* 0.012 / 0.2 */
    RA_ASSERT_CLOSE(L[3], sqrt(0.09 - 0.0036), 1e-15, 0);
    ra_rng g = ra_rng_stream(7, 0);
    assert_int_equal(ra_resample_draw(2, mu, L, T, 1.0, &g, work, m1, c1, &err), RA_OK);
    for (int i = 0; i < 2; i++)
        RA_ASSERT_CLOSE(m1[i], mu[i], 4 * sqrt(cov[i * 3] / T), 0);
    for (int i = 0; i < 4; i++)
        RA_ASSERT_CLOSE(c1[i], cov[i], 4 * 0.09 * sqrt(2.0 / T), 0);
    g = ra_rng_stream(7, 0);
    assert_int_equal(ra_resample_draw(2, mu, L, T, 1.0, &g, work, m2, c2, &err), RA_OK);
    assert_memory_equal(m1, m2, sizeof m1);
    assert_memory_equal(c1, c2, sizeof c1);
    free(work);
}

static int setup(void **state)
{
    (void)state;
    return ra_golden_load(RA_GOLDEN("bl/golden.txt"), "tests/golden/bl/make_golden.R");
}

static int teardown(void **state)
{
    (void)state;
    ra_golden_free();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bl_published_tables), cmocka_unit_test(test_bl_golden_he_litterman),
        cmocka_unit_test(test_bl_golden_idzorek),   cmocka_unit_test(test_bl_golden_lpp),
        cmocka_unit_test(test_bl_identities),       cmocka_unit_test(test_bl_errors),
        cmocka_unit_test(test_resample_draw),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
