/* Tests of src/core/est.c and ra_est_periods_per_year (src/core/calendar.c).
 * Expected values come from hand derivations (in the comments) and from R 4.2
 * (tests/golden/est/est_golden.R, see tests/golden/est/README.md) on the real data in
 * ../shared/data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <string.h>

#include <roboadvisor/est.h>

#include "ra_test.h"

/* Covariance entries vs R's cov(x)*ppy, scaled by sqrt(c_ii c_jj) (the size of the entry a
 * correlation of 1 would give): both are two-pass sums over T <= 2528 products; R accumulates in
 * long double, we in double via BLAS, whose error bound is T*eps*sum|y_i y_j| <= 5.6e-13 of that
 * scale and is ~sqrt(T)*eps = 1e-14 in practice. */
#define TOL_COV_R 1e-12
/* Means vs R, relative to ppy * mean_t |x_t| (weighted alike for EWMA), the condition scale of
 * the sum: each product w_t x_t rounds by eps/2 in both programs, and the sums themselves are
 * long double (R) or compensated (ours), so the difference is a few eps of that scale. */
#define TOL_MEAN_R 1e-14
/* Returns vs R's p1/p0 - 1 and log(p1/p0): R's ratio carries a rounding of up to 1 ulp of the
 * ratio (~2.2e-16 for ratios < 2); ours is (p1-p0)/p0 (a few ulps of the return). */
#define TOL_RET_ABS 1e-15
/* Ledoit-Wolf vs the R transcription of covCor.m (intensity relative, matrix relative to the
 * scale as TOL_COV_R): kappa = (phi - rho)/gamma divides differences of fourth-moment sums, so
 * allow the covariance bound again; measured 6e-16 on all five sets, while a wrong term in
 * phi, rho or gamma moves delta in its first or second digit. */
#define TOL_LW_R 1e-12
/* PSD: eigenvalues >= -this * trace (rounding of an n x n symmetric eigensolver). */
#define TOL_PSD 1e-12
/* Hand-computed cases: results of a handful of double operations on exact-ish decimals. */
#define TOL_HAND 1e-15
/* EWMA with lambda = 1 - 1e-9 vs divisor-T sample covariance: the weights differ from 1/T by a
 * relative ~T(1-lambda)/2 < 1e-6 for T <= 2000; 1e-5 relative to the scale. */
#define TOL_EWMA_LIMIT 1e-5

/* --- data helpers ---------------------------------------------------------------------------- */

typedef struct table {
    size_t rows, cols;
    double *x;     /* rows x cols */
    ra_date *date; /* rows */
} table;

/* Reads a wide CSV of ../shared/data: header, then Date,v1,...,vk with no empty cells. */
static table read_table(const char *path)
{
    table t = {0};
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    char *line = NULL;
    size_t cap = 0, cap_rows = 0;
    ssize_t len = getline(&line, &cap, f);
    assert_true(len > 0);
    for (char *p = line; *p; p++)
        t.cols += *p == ',';
    while ((len = getline(&line, &cap, f)) > 0) {
        if (t.rows == cap_rows) {
            cap_rows = cap_rows ? 2 * cap_rows : 1024;
            t.x = realloc(t.x, cap_rows * t.cols * sizeof *t.x);
            t.date = realloc(t.date, cap_rows * sizeof *t.date);
            assert_non_null(t.x);
            assert_non_null(t.date);
        }
        ra_err err = {0};
        assert_int_equal(ra_date_parse(line, 10, &t.date[t.rows], &err), RA_OK);
        char *p = line + 10;
        for (size_t j = 0; j < t.cols; j++) {
            assert_true(*p == ',');
            char *end;
            t.x[t.rows * t.cols + j] = strtod(p + 1, &end);
            assert_true(end != p + 1);
            p = end;
        }
        t.rows++;
    }
    free(line);
    fclose(f);
    return t;
}

static void free_table(table *t)
{
    free(t->x);
    free(t->date);
    memset(t, 0, sizeof *t);
}

/* Reads the n numbers of a golden file (comma/newline separated); fails on any other count. */
static double *read_golden(const char *name, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/est/%s.csv", RA_GOLDEN_DIR, name);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    double *v = malloc((n + 1) * sizeof *v);
    assert_non_null(v);
    size_t k = 0;
    double d;
    while (k <= n && fscanf(f, "%lf%*[,\n]", &d) == 1)
        v[k++] = d;
    fclose(f);
    if (k != n)
        fail_msg("%s: %zu numbers, want %zu", path, k, n);
    return v;
}

/* |a_ij - b_ij| <= tol * sqrt(b_ii b_jj) for all i, j; returns the number of checks. */
static size_t assert_cov_close(const double *got, const double *want, size_t n, double tol,
                               const char *what)
{
    size_t checks = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double scale = sqrt(want[i * n + i] * want[j * n + j]);
            double d = fabs(got[i * n + j] - want[i * n + j]);
            if (!(d <= tol * scale))
                fail_msg("%s[%zu][%zu] = %.17g, want %.17g (|diff|/scale %.3g > %.3g)", what, i,
                         j, got[i * n + j], want[i * n + j], d / scale, tol);
            checks++;
        }
    return checks;
}

/* |got_j - want_j| <= tol * scale_j; returns the number of checks. */
static size_t assert_vec_close(const double *got, const double *want, size_t n,
                               const double *scale, double tol, const char *what)
{
    for (size_t j = 0; j < n; j++)
        if (!(fabs(got[j] - want[j]) <= tol * scale[j]))
            fail_msg("%s[%zu] = %.17g, want %.17g (|diff| %.3g)", what, j, got[j], want[j],
                     fabs(got[j] - want[j]));
    return n;
}

static void assert_symmetric_psd(const double *c, size_t n, const char *what)
{
    double trace = 0.0;
    for (size_t i = 0; i < n; i++) {
        trace += c[i * n + i];
        for (size_t j = 0; j < n; j++)
            if (c[i * n + j] != c[j * n + i]) /* exactly: we mirror one triangle */
                fail_msg("%s not symmetric at [%zu][%zu]", what, i, j);
    }
    double *a = malloc(n * n * sizeof *a), *w = malloc(n * sizeof *w);
    assert_non_null(a);
    assert_non_null(w);
    memcpy(a, c, n * n * sizeof *a);
    lapack_int info = LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int)n, a, (lapack_int)n, w);
    assert_int_equal(info, 0);
    if (!(w[0] >= -TOL_PSD * trace)) /* ascending: w[0] is the smallest */
        fail_msg("%s: smallest eigenvalue %.3g < -%.0e * trace %.3g", what, w[0], TOL_PSD, trace);
    free(a);
    free(w);
}

/* --- returns --------------------------------------------------------------------------------- */

/* prices [[100, 50], [110, 40], [99, 50]]: simple 110/100-1 = 0.1, 40/50-1 = -0.2,
 * 99/110-1 = -0.1, 50/40-1 = 0.25; log returns are the logs of 1.1, 0.8, 0.9, 1.25. */
static void test_est_returns_hand(void **state)
{
    (void)state;
    const double p[] = {100, 50, 110, 40, 99, 50};
    double r[4];
    ra_err err = {0};
    assert_int_equal(ra_est_returns(p, 3, 2, RA_RETURN_SIMPLE, r, &err), RA_OK);
    const double want_s[] = {0.1, -0.2, -0.1, 0.25};
    for (int k = 0; k < 4; k++)
        RA_ASSERT_CLOSE(r[k], want_s[k], 0.0, TOL_HAND);
    assert_int_equal(ra_est_returns(p, 3, 2, RA_RETURN_LOG, r, &err), RA_OK);
    const double want_l[] = {log(1.1), log(0.8), log(0.9), log(1.25)};
    for (int k = 0; k < 4; k++)
        RA_ASSERT_CLOSE(r[k], want_l[k], 0.0, TOL_HAND);
}

static void test_est_returns_rejects_nonpositive_and_nonfinite(void **state)
{
    (void)state;
    double p[] = {100, 50, 110, 0, 99, 50};
    double r[4] = {7, 7, 7, 7};
    ra_err err = {0};
    assert_int_equal(ra_est_returns(p, 3, 2, RA_RETURN_SIMPLE, r, &err), RA_EINVAL);
    assert_string_equal(err.where, "prices[1][1]");
    assert_non_null(strstr(err.msg, "row 1, column 1"));
    assert_non_null(strstr(err.msg, "got 0"));
    assert_true(r[0] == 7.0); /* nothing written on failure */
    p[3] = 40;
    p[4] = NAN;
    assert_int_equal(ra_est_returns(p, 3, 2, RA_RETURN_LOG, r, &err), RA_EINVAL);
    assert_string_equal(err.where, "prices[2][0]");
    p[4] = -INFINITY;
    assert_int_equal(ra_est_returns(p, 3, 2, RA_RETURN_LOG, r, &err), RA_EINVAL);
    assert_string_equal(err.where, "prices[2][0]");
    p[4] = 99;
    assert_int_equal(ra_est_returns(p, 1, 2, RA_RETURN_LOG, r, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "got 1"));
    assert_int_equal(ra_est_returns(p, 3, 2, (ra_return_kind)7, r, &err), RA_EINVAL);
    assert_int_equal(ra_est_returns(NULL, 3, 2, RA_RETURN_LOG, r, NULL), RA_EINVAL);
}

/* R: rows 0, 1, 2, 999, 2527 of dj[-1,]/dj[-n,] - 1 and log(dj[-1,]/dj[-n,]). */
static void test_est_returns_dj30_matches_r(void **state)
{
    (void)state;
    table t = read_table(RA_DATA("dowjones30_prices.csv"));
    assert_int_equal(t.rows, 2529);
    assert_int_equal(t.cols, 30);
    size_t n = t.rows - 1, m = t.cols;
    double *r = malloc(n * m * sizeof *r);
    assert_non_null(r);
    const size_t rows[] = {0, 1, 2, 999, 2527};
    const char *names[] = {"dj30_simple_rows", "dj30_log_rows"};
    const ra_return_kind kinds[] = {RA_RETURN_SIMPLE, RA_RETURN_LOG};
    for (int k = 0; k < 2; k++) {
        ra_err err = {0};
        assert_int_equal(ra_est_returns(t.x, t.rows, m, kinds[k], r, &err), RA_OK);
        double *want = read_golden(names[k], 5 * m);
        for (size_t i = 0; i < 5; i++)
            for (size_t j = 0; j < m; j++)
                RA_ASSERT_CLOSE(r[rows[i] * m + j], want[i * m + j], TOL_RET_ABS, 0.0);
        free(want);
    }
    /* Row 0 is exactly zero: the first two rows of the file are identical. */
    for (size_t j = 0; j < m; j++)
        assert_true(r[j] == 0.0);
    free(r);
    free_table(&t);
}

/* --- means ----------------------------------------------------------------------------------- */

/* ret [[0.01, 0.02], [0.03, -0.02], [0.02, 0.0]]: column means 0.02 and 0; times 252. */
static void test_est_mean_hand(void **state)
{
    (void)state;
    const double ret[] = {0.01, 0.02, 0.03, -0.02, 0.02, 0.0};
    double mu[2];
    ra_err err = {0};
    assert_int_equal(ra_est_mean(ret, 3, 2, 252.0, mu, &err), RA_OK);
    RA_ASSERT_CLOSE(mu[0], 0.02 * 252.0, 0.0, TOL_HAND);
    RA_ASSERT_CLOSE(mu[1], 0.0, 1e-17, 0.0);
}

/* [1e16, 1, -1e16, 1]: a plain left-to-right sum gives 1 (1e16 + 1 rounds to 1e16); the exact
 * sum is 2, so the mean is 0.5. Only a compensated sum gets it. */
static void test_est_mean_compensated(void **state)
{
    (void)state;
    const double ret[] = {1e16, 1.0, -1e16, 1.0};
    double mu;
    ra_err err = {0};
    assert_int_equal(ra_est_mean(ret, 4, 1, 1.0, &mu, &err), RA_OK);
    assert_true(mu == 0.5);
}

/* T = 3, lambda = 0.5: weights 0.25, 0.5, 1 over 1.75 = 1/7, 2/7, 4/7 (newest heaviest);
 * column [0.07, 0.14, 0.21] -> (0.07 + 0.28 + 0.84)/7 = 0.17. */
static void test_est_mean_ewma_hand(void **state)
{
    (void)state;
    const double ret[] = {0.07, 0.14, 0.21};
    double mu;
    ra_err err = {0};
    assert_int_equal(ra_est_mean_ewma(ret, 3, 1, 1.0, 0.5, &mu, &err), RA_OK);
    RA_ASSERT_CLOSE(mu, 0.17, 0.0, TOL_HAND);
    assert_int_equal(ra_est_mean_ewma(ret, 3, 1, 12.0, 0.5, &mu, &err), RA_OK);
    RA_ASSERT_CLOSE(mu, 0.17 * 12.0, 0.0, TOL_HAND);
}

/* --- covariance: hand cases ------------------------------------------------------------------ */

/* col0 = [1,2,3,4]/100: mean 0.025, deviations +-0.015, +-0.005, sum of squares 5e-4;
 * col1 = [0.02, 0, 0.04, 0.02]: mean 0.02, deviations 0, -0.02, 0.02, 0, sum of squares 8e-4;
 * cross products 0 + 1e-4 + 1e-4 + 0 = 2e-4. Divisor 3, times ppy 3: [[5e-4, 2e-4], [2e-4, 8e-4]]. */
static void test_est_cov_sample_hand(void **state)
{
    (void)state;
    const double ret[] = {0.01, 0.02, 0.02, 0.0, 0.03, 0.04, 0.04, 0.02};
    double cov[4];
    ra_err err = {0};
    assert_int_equal(ra_est_cov_sample(ret, 4, 2, 3.0, NULL, 0, cov, &err), RA_OK);
    const double want[] = {5e-4, 2e-4, 2e-4, 8e-4};
    for (int k = 0; k < 4; k++)
        RA_ASSERT_CLOSE(cov[k], want[k], 0.0, TOL_HAND * 10);
    assert_true(cov[1] == cov[2]);
}

/* A huge common level: values 1e9 + small deviations. One-pass sum(x^2) - n*mean^2 loses every
 * digit here (1e18 vs deviations of 1e-2); two-pass keeps them. [1e9+0.01, 1e9-0.01]: deviations
 * +-0.01, variance (2e-4)/1 = 2e-4 up to the representation of 1e9 +- 0.01 (ulp 1.2e-7). */
static void test_est_cov_sample_two_pass(void **state)
{
    (void)state;
    const double ret[] = {1e9 + 0.01, 1e9 - 0.01};
    double cov;
    ra_err err = {0};
    assert_int_equal(ra_est_cov_sample(ret, 2, 1, 1.0, NULL, 0, &cov, &err), RA_OK);
    double d = (ret[0] - ret[1]) / 2.0; /* the deviation actually stored */
    RA_ASSERT_CLOSE(cov, 2.0 * d * d, 0.0, 1e-14);
}

/* T = 2, lambda = 0.5: weights 1/3, 2/3. col0 [0, 0.03]: m = 0.02, deviations -0.02, 0.01,
 * variance 4e-4/3 + 2e-4/3 = 2e-4. col1 [0.03, 0]: m = 0.01, deviations 0.02, -0.01, variance
 * 2e-4; covariance -4e-4/3 - 2e-4/3 = -2e-4. ppy 1. */
static void test_est_cov_ewma_hand(void **state)
{
    (void)state;
    const double ret[] = {0.0, 0.03, 0.03, 0.0};
    double cov[4];
    ra_err err = {0};
    assert_int_equal(ra_est_cov_ewma(ret, 2, 2, 1.0, 0.5, NULL, 0, cov, &err), RA_OK);
    const double want[] = {2e-4, -2e-4, -2e-4, 2e-4};
    for (int k = 0; k < 4; k++)
        RA_ASSERT_CLOSE(cov[k], want[k], 0.0, TOL_HAND * 10);
}

/* One asset: the target is the sample, delta 0, variance with divisor T.
 * [0.01, 0.03, 0.02]: mean 0.02, deviations -0.01, 0.01, 0: sum 2e-4, /3, times 252 = 0.0168.
 * Two assets: the mean correlation is the correlation, F = S, delta reported as 1, cov = S. */
static void test_est_cov_ledoit_wolf_one_and_two_assets(void **state)
{
    (void)state;
    const double r1[] = {0.01, 0.03, 0.02};
    double cov[4], delta = -1.0;
    ra_err err = {0};
    assert_int_equal(ra_est_cov_ledoit_wolf(r1, 3, 1, 252.0, NULL, 0, cov, &delta, &err), RA_OK);
    RA_ASSERT_CLOSE(cov[0], 2e-4 / 3.0 * 252.0, 0.0, TOL_HAND * 10);
    assert_true(delta == 0.0);
    /* col1 = [0.02, 0.0, 0.015]: correlation about -0.9 */
    const double r2[] = {0.01, 0.02, 0.03, 0.0, 0.02, 0.015};
    double s[4];
    assert_int_equal(ra_est_cov_ledoit_wolf(r2, 3, 2, 1.0, NULL, 0, cov, &delta, &err), RA_OK);
    assert_int_equal(ra_est_cov_sample(r2, 3, 2, 1.0, NULL, 0, s, &err), RA_OK);
    assert_true(delta == 1.0);
    for (int k = 0; k < 4; k++)
        RA_ASSERT_CLOSE(cov[k], s[k] * 2.0 / 3.0, 0.0, 1e-14); /* divisor 3 vs 2 */
    assert_int_equal(ra_est_cov_ledoit_wolf(r2, 3, 2, 1.0, NULL, 0, cov, NULL, &err), RA_OK);
}

/* --- golden: R on real data ------------------------------------------------------------------ */

typedef struct golden_set {
    const char *tag;
    const char *file; /* in ../shared/data */
    int from_prices;  /* 0: returns file; 1: simple from prices; 2: log from prices */
    double ppy, lambda;
    size_t rows, cols; /* of the returns */
} golden_set;

static const golden_set g_sets[] = {
    {"lpp2005", "lpp2005_returns.csv", 0, 252.0, 0.94, 377, 9},
    {"swx", "swx_logreturns.csv", 0, 252.0, 0.94, 1916, 6},
    {"smallcap", "smallcap_monthly_returns.csv", 0, 12.0, 0.97, 60, 22},
    {"dj30_simple", "dowjones30_prices.csv", 1, 252.0, 0.94, 2528, 30},
    {"dj30_log", "dowjones30_prices.csv", 2, 252.0, 0.94, 2528, 30},
};

/* Loads the returns of a golden set (computing them from prices where needed). */
static double *load_returns(const golden_set *g)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", RA_SHARED_DATA_DIR, g->file);
    table t = read_table(path);
    double *r;
    if (g->from_prices) {
        r = malloc((t.rows - 1) * t.cols * sizeof *r);
        assert_non_null(r);
        ra_err err = {0};
        assert_int_equal(ra_est_returns(t.x, t.rows, t.cols,
                                        g->from_prices == 1 ? RA_RETURN_SIMPLE : RA_RETURN_LOG, r,
                                        &err),
                         RA_OK);
        assert_int_equal(t.rows - 1, g->rows);
    } else {
        r = t.x;
        t.x = NULL;
        assert_int_equal(t.rows, g->rows);
    }
    assert_int_equal(t.cols, g->cols);
    free_table(&t);
    return r;
}

static double *golden(const golden_set *g, const char *what, size_t n)
{
    char name[128];
    snprintf(name, sizeof name, "%s_%s", g->tag, what);
    return read_golden(name, n);
}

/* Mean and cov: R colMeans(x)*ppy and cov(x)*ppy. EWMA: R's own loop (est_golden.R ewma()).
 * Ledoit-Wolf: est_golden.R cov_cor(), a transcription of covCor.m checked against the paper's
 * element-wise definitions. Also: symmetric and PSD, LW between target and sample. */
static void test_est_golden_matches_r(void **state)
{
    (void)state;
    size_t checks = 0;
    for (size_t s = 0; s < sizeof g_sets / sizeof g_sets[0]; s++) {
        const golden_set *g = &g_sets[s];
        size_t T = g->rows, n = g->cols;
        double *ret = load_returns(g);
        double *mu = malloc(n * sizeof *mu), *cov = malloc(n * n * sizeof *cov);
        double *cs = malloc(n * n * sizeof *cs);
        size_t wsz = ra_est_cov_workspace_size(T, n);
        void *work = malloc(wsz);
        assert_non_null(mu);
        assert_non_null(cov);
        assert_non_null(cs);
        assert_non_null(work);
        ra_err err = {0};

        /* condition scales: ppy * (weighted) mean of |x| */
        double *absret = malloc(T * n * sizeof *absret), *sc_m = malloc(n * sizeof *sc_m);
        double *sc_e = malloc(n * sizeof *sc_e);
        assert_non_null(absret);
        assert_non_null(sc_m);
        assert_non_null(sc_e);
        for (size_t k = 0; k < T * n; k++)
            absret[k] = fabs(ret[k]);
        assert_int_equal(ra_est_mean(absret, T, n, g->ppy, sc_m, &err), RA_OK);
        assert_int_equal(ra_est_mean_ewma(absret, T, n, g->ppy, g->lambda, sc_e, &err), RA_OK);
        free(absret);

        double *want = golden(g, "mean", n);
        assert_int_equal(ra_est_mean(ret, T, n, g->ppy, mu, &err), RA_OK);
        checks += assert_vec_close(mu, want, n, sc_m, TOL_MEAN_R, g->tag);
        free(want);

        want = golden(g, "cov", n * n);
        assert_int_equal(ra_est_cov_sample(ret, T, n, g->ppy, work, wsz, cs, &err), RA_OK);
        checks += assert_cov_close(cs, want, n, TOL_COV_R, g->tag);
        assert_symmetric_psd(cs, n, "sample covariance");
        free(want);

        want = golden(g, "ewma_mean", n);
        assert_int_equal(ra_est_mean_ewma(ret, T, n, g->ppy, g->lambda, mu, &err), RA_OK);
        checks += assert_vec_close(mu, want, n, sc_e, TOL_MEAN_R, g->tag);
        free(want);
        free(sc_m);
        free(sc_e);

        want = golden(g, "ewma_cov", n * n);
        assert_int_equal(ra_est_cov_ewma(ret, T, n, g->ppy, g->lambda, work, wsz, cov, &err),
                         RA_OK);
        checks += assert_cov_close(cov, want, n, TOL_COV_R, g->tag);
        assert_symmetric_psd(cov, n, "ewma covariance");
        free(want);

        double delta = -1.0;
        double *want_delta = golden(g, "lw_delta", 1);
        want = golden(g, "lw_cov", n * n);
        assert_int_equal(ra_est_cov_ledoit_wolf(ret, T, n, g->ppy, work, wsz, cov, &delta, &err),
                         RA_OK);
        RA_ASSERT_CLOSE(delta, want_delta[0], 0.0, TOL_LW_R);
        checks += assert_cov_close(cov, want, n, TOL_LW_R, g->tag);
        assert_symmetric_psd(cov, n, "ledoit-wolf covariance");
        assert_true(delta > 0.0 && delta < 1.0); /* interior on all these sets */
        /* Between target and sample: S = cov_sample (T-1)/T, F from S. */
        double rsum = 0.0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                if (i != j)
                    rsum += cs[i * n + j] / sqrt(cs[i * n + i] * cs[j * n + j]);
        double rbar = rsum / (double)(n * (n - 1));
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++, checks++) {
                double sij = cs[i * n + j] * (double)(T - 1) / (double)T;
                double fij = i == j ? sij : rbar * sqrt(cs[i * n + i] * cs[j * n + j]) *
                                                (double)(T - 1) / (double)T;
                double lo = fmin(sij, fij), hi = fmax(sij, fij);
                double slack = 1e-12 * sqrt(cs[i * n + i] * cs[j * n + j]);
                if (!(cov[i * n + j] >= lo - slack && cov[i * n + j] <= hi + slack))
                    fail_msg("%s lw[%zu][%zu] = %.17g not between %.17g and %.17g", g->tag, i, j,
                             cov[i * n + j], lo, hi);
                /* and it is exactly the stated blend */
                RA_ASSERT_CLOSE(cov[i * n + j], delta * fij + (1.0 - delta) * sij, slack, 0.0);
            }
        free(want);
        free(want_delta);
        free(ret);
        free(mu);
        free(cov);
        free(cs);
        free(work);
    }
    assert_true(checks > 5000); /* the loops really compared something */
}

/* --- properties ------------------------------------------------------------------------------ */

/* lambda -> 1: the weights tend to 1/T, so EWMA tends to the divisor-T sample covariance. */
static void test_est_cov_ewma_lambda_to_one_is_sample(void **state)
{
    (void)state;
    const golden_set *g = &g_sets[0];
    size_t T = g->rows, n = g->cols;
    double *ret = load_returns(g);
    double cov[81], cs[81], want[81];
    ra_err err = {0};
    assert_int_equal(ra_est_cov_ewma(ret, T, n, 252.0, 1.0 - 1e-9, NULL, 0, cov, &err), RA_OK);
    assert_int_equal(ra_est_cov_sample(ret, T, n, 252.0, NULL, 0, cs, &err), RA_OK);
    for (size_t k = 0; k < n * n; k++)
        want[k] = cs[k] * (double)(T - 1) / (double)T;
    assert_cov_close(cov, want, n, TOL_EWMA_LIMIT, "ewma(1-1e-9)");
    /* and a real decay is visibly different (the check above is not vacuous) */
    assert_int_equal(ra_est_cov_ewma(ret, T, n, 252.0, 0.94, NULL, 0, cov, &err), RA_OK);
    assert_true(fabs(cov[0] - want[0]) > 100 * TOL_EWMA_LIMIT * want[0]);
    free(ret);
}

/* splitmix64 (Steele, Lea, Flood 2014): a pinned, portable stream for the property data. */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double uniform_pm(uint64_t *s) /* in [-0.5, 0.5) */
{
    return (double)(splitmix64(s) >> 11) * 0x1.0p-53 - 0.5;
}

/* More assets than observations: the sample covariance is singular (rank T-1) but still PSD;
 * Ledoit-Wolf is positive definite. Also: the thread count of BLAS does not change a bit, and a
 * caller workspace gives the same bits as the internal allocation. Seeds 1..3. */
static void test_est_cov_properties_random(void **state)
{
    (void)state;
    enum { T = 40, N = 60 };
    static double ret[T * N], a[N * N], b[N * N];
    for (uint64_t seed = 1; seed <= 3; seed++) {
        uint64_t s = seed;
        for (size_t k = 0; k < T * N; k++)
            ret[k] = 0.01 * uniform_pm(&s) + 0.002 * (double)(k % N) / N;
        ra_err err = {0};
        double delta;
        assert_int_equal(ra_est_cov_sample(ret, T, N, 252.0, NULL, 0, a, &err), RA_OK);
        assert_symmetric_psd(a, N, "singular sample covariance");
        assert_int_equal(ra_est_cov_ledoit_wolf(ret, T, N, 252.0, NULL, 0, a, &delta, &err),
                         RA_OK);
        if (!(delta >= 0.0 && delta <= 1.0))
            fail_msg("seed %llu: delta %g", (unsigned long long)seed, delta);
        assert_symmetric_psd(a, N, "ledoit-wolf, T < N");
        double w[N];
        memcpy(b, a, sizeof b);
        assert_int_equal(LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', N, b, N, w), 0);
        if (!(w[0] > 0.0))
            fail_msg("seed %llu: ledoit-wolf smallest eigenvalue %g", (unsigned long long)seed,
                     w[0]);
    }
    /* Bit-identical results: caller workspace vs internal, 1 vs 2 BLAS threads. */
    enum { T2 = 700, N2 = 120 };
    double *r2 = malloc(T2 * N2 * sizeof *r2), *c1 = malloc(N2 * N2 * sizeof *c1);
    double *c2 = malloc(N2 * N2 * sizeof *c2);
    size_t wsz = ra_est_cov_workspace_size(T2, N2);
    void *work = malloc(wsz);
    assert_non_null(r2);
    assert_non_null(c1);
    assert_non_null(c2);
    assert_non_null(work);
    uint64_t s = 99;
    for (size_t k = 0; k < (size_t)T2 * N2; k++)
        r2[k] = 0.01 * uniform_pm(&s);
    ra_err err = {0};
    int threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    assert_int_equal(ra_est_cov_sample(r2, T2, N2, 252.0, NULL, 0, c1, &err), RA_OK);
    openblas_set_num_threads(2);
    assert_int_equal(ra_est_cov_sample(r2, T2, N2, 252.0, work, wsz, c2, &err), RA_OK);
    assert_memory_equal(c1, c2, N2 * N2 * sizeof *c1);
    openblas_set_num_threads(1);
    assert_int_equal(ra_est_cov_ledoit_wolf(r2, T2, N2, 252.0, NULL, 0, c1, NULL, &err), RA_OK);
    openblas_set_num_threads(2);
    assert_int_equal(ra_est_cov_ledoit_wolf(r2, T2, N2, 252.0, work, wsz, c2, NULL, &err), RA_OK);
    assert_memory_equal(c1, c2, N2 * N2 * sizeof *c1);
    openblas_set_num_threads(threads);
    free(r2);
    free(c1);
    free(c2);
    free(work);
}

/* --- errors ---------------------------------------------------------------------------------- */

static void test_est_rejects_nonfinite_naming_cell(void **state)
{
    (void)state;
    double ret[] = {0.01, 0.02, 0.03, -0.02, 0.02, 0.0};
    double out[4];
    ra_err err;
    const double bad[] = {NAN, INFINITY, -INFINITY};
    for (int b = 0; b < 3; b++) {
        ret[5] = bad[b];
        for (int f = 0; f < 5; f++) {
            ra_err_clear(&err);
            ra_status rc;
            switch (f) {
            case 0: rc = ra_est_mean(ret, 3, 2, 252.0, out, &err); break;
            case 1: rc = ra_est_mean_ewma(ret, 3, 2, 252.0, 0.94, out, &err); break;
            case 2: rc = ra_est_cov_sample(ret, 3, 2, 252.0, NULL, 0, out, &err); break;
            case 3: rc = ra_est_cov_ewma(ret, 3, 2, 252.0, 0.94, NULL, 0, out, &err); break;
            default: rc = ra_est_cov_ledoit_wolf(ret, 3, 2, 252.0, NULL, 0, out, NULL, &err);
            }
            assert_int_equal(rc, RA_EINVAL);
            assert_int_equal(err.code, RA_EINVAL);
            assert_string_equal(err.where, "ret[2][1]");
            assert_non_null(strstr(err.msg, "row 2, column 1 is not finite"));
        }
    }
    /* huge but finite values whose sum overflows */
    const double huge[] = {DBL_MAX, DBL_MAX};
    assert_int_equal(ra_est_mean(huge, 2, 1, 1.0, out, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "overflow"));
}

static void test_est_rejects_bad_arguments(void **state)
{
    (void)state;
    const double ret[] = {0.01, 0.02, 0.03, -0.02, 0.02, 0.0};
    double out[4];
    ra_err err = {0};
    assert_int_equal(ra_est_cov_sample(ret, 1, 2, 252.0, NULL, 0, out, &err), RA_EINVAL);
    assert_string_equal(err.msg, "estimation needs at least 2 observations, got 1");
    assert_int_equal(ra_est_mean(ret, 3, 0, 252.0, out, &err), RA_EINVAL);
    assert_int_equal(ra_est_mean(ret, 3, 2, 0.0, out, &err), RA_EINVAL);
    assert_string_equal(err.msg, "periods per year must be finite and > 0, got 0");
    assert_int_equal(ra_est_mean(ret, 3, 2, NAN, out, &err), RA_EINVAL);
    assert_int_equal(ra_est_mean(NULL, 3, 2, 252.0, out, &err), RA_EINVAL);
    assert_int_equal(ra_est_mean(ret, 3, 2, 252.0, NULL, NULL), RA_EINVAL);
    const double lambdas[] = {0.0, 1.0, -0.5, 1.5, NAN};
    for (int k = 0; k < 5; k++) {
        assert_int_equal(ra_est_mean_ewma(ret, 3, 2, 252.0, lambdas[k], out, &err), RA_EINVAL);
        assert_non_null(strstr(err.msg, "lambda must be in (0,1)"));
        assert_int_equal(ra_est_cov_ewma(ret, 3, 2, 252.0, lambdas[k], NULL, 0, out, &err),
                         RA_EINVAL);
    }
    /* workspace too small, misaligned */
    size_t need = ra_est_cov_workspace_size(3, 2);
    assert_int_equal(need, (2 * 6 + 4 + 4) * sizeof(double));
    double work[32];
    assert_int_equal(ra_est_cov_sample(ret, 3, 2, 252.0, work, need - 1, out, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "workspace too small"));
    assert_int_equal(ra_est_cov_sample(ret, 3, 2, 252.0, (char *)work + 1, need, out, &err),
                     RA_EINVAL);
    assert_int_equal(ra_est_cov_sample(ret, 3, 2, 252.0, work, need, out, &err), RA_OK);
    assert_int_equal(ra_est_cov_workspace_size(SIZE_MAX / 4, 3), 0);
    assert_int_equal(ra_est_cov_workspace_size((size_t)1 << 40, (size_t)1 << 40), 0);
    /* zero variance column in Ledoit-Wolf */
    const double flat[] = {0.01, 0.05, 0.02, 0.05, 0.03, 0.05};
    assert_int_equal(ra_est_cov_ledoit_wolf(flat, 3, 2, 252.0, NULL, 0, out, NULL, &err),
                     RA_EINVAL);
    assert_non_null(strstr(err.msg, "column 1 has zero variance"));
    /* the same data is fine for the sample covariance */
    assert_int_equal(ra_est_cov_sample(flat, 3, 2, 252.0, NULL, 0, out, &err), RA_OK);
    assert_true(out[3] == 0.0 && out[1] == 0.0);
}

/* --- periods per year ------------------------------------------------------------------------ */

static void test_est_periods_per_year_real_data(void **state)
{
    (void)state;
    double ppy = 0.0;
    ra_err err = {0};
    table t = read_table(RA_DATA("lpp2005_returns.csv")); /* business days */
    assert_int_equal(ra_est_periods_per_year(t.date, t.rows, &ppy, &err), RA_OK);
    assert_true(ppy == 252.0);
    free_table(&t);
    t = read_table(RA_DATA("smallcap_monthly_returns.csv")); /* month ends, gaps 28..31 */
    assert_int_equal(ra_est_periods_per_year(t.date, t.rows, &ppy, &err), RA_OK);
    assert_true(ppy == 12.0);
    free_table(&t);
}

static void test_est_periods_per_year_made_dates(void **state)
{
    (void)state;
    ra_date d[60];
    double ppy = 0.0;
    ra_err err = {0};
    /* weekly: Fridays from 2020-01-03, one holiday week shifted to Thursday (gaps 6 and 8) */
    for (int i = 0; i < 60; i++)
        d[i] = ra_date_from_ymd(2020, 1, 3) + 7 * i - (i == 10);
    assert_int_equal(ra_est_periods_per_year(d, 60, &ppy, &err), RA_OK);
    assert_true(ppy == 52.0);
    /* quarterly and annual */
    for (int i = 0; i < 20; i++)
        d[i] = ra_date_from_ymd(2000 + i / 4, 1 + 3 * (i % 4), 1);
    assert_int_equal(ra_est_periods_per_year(d, 20, &ppy, &err), RA_OK);
    assert_true(ppy == 4.0);
    for (int i = 0; i < 20; i++)
        d[i] = ra_date_from_ymd(2000 + i, 12, 31);
    assert_int_equal(ra_est_periods_per_year(d, 20, &ppy, &err), RA_OK);
    assert_true(ppy == 1.0);
    /* irregular: every 15 days fits no class */
    for (int i = 0; i < 20; i++)
        d[i] = ra_date_from_ymd(2021, 1, 1) + 15 * i;
    ppy = -1.0;
    assert_int_equal(ra_est_periods_per_year(d, 20, &ppy, &err), RA_EINVAL);
    assert_string_equal(err.msg, "cannot infer the periods per year from a median spacing of 15 "
                                 "days; give --periods-per-year");
    assert_true(ppy == -1.0);
    /* not increasing, too short */
    d[5] = d[4];
    assert_int_equal(ra_est_periods_per_year(d, 20, &ppy, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "strictly increasing"));
    assert_int_equal(ra_est_periods_per_year(d, 1, &ppy, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "at least 2 dates"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_est_returns_hand),
        cmocka_unit_test(test_est_returns_rejects_nonpositive_and_nonfinite),
        cmocka_unit_test(test_est_returns_dj30_matches_r),
        cmocka_unit_test(test_est_mean_hand),
        cmocka_unit_test(test_est_mean_compensated),
        cmocka_unit_test(test_est_mean_ewma_hand),
        cmocka_unit_test(test_est_cov_sample_hand),
        cmocka_unit_test(test_est_cov_sample_two_pass),
        cmocka_unit_test(test_est_cov_ewma_hand),
        cmocka_unit_test(test_est_cov_ledoit_wolf_one_and_two_assets),
        cmocka_unit_test(test_est_golden_matches_r),
        cmocka_unit_test(test_est_cov_ewma_lambda_to_one_is_sample),
        cmocka_unit_test(test_est_cov_properties_random),
        cmocka_unit_test(test_est_rejects_nonfinite_naming_cell),
        cmocka_unit_test(test_est_rejects_bad_arguments),
        cmocka_unit_test(test_est_periods_per_year_real_data),
        cmocka_unit_test(test_est_periods_per_year_made_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
