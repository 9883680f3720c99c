/* Estimation of returns, expected returns and covariance (include/roboadvisor/est.h).
 * Formulas, defaults and sources: docs/methodology.md.
 *
 * Accuracy: every column sum is a Neumaier compensated sum, and covariances are two-pass (the
 * returns are demeaned first, then multiplied), so a large common mean never cancels against the
 * cross products. Speed: the cross products are one BLAS dsyrk (or dgemm) on the demeaned copy;
 * OpenBLAS splits level-3 work over output blocks, not over the summation index, so the thread
 * count does not change a result. */
#include <roboadvisor/est.h>

#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns summed side by side in one pass over the rows: 2 x 64 doubles of stack, one cache line
 * per 8 columns, so row-major input is read contiguously without a heap buffer. */
#define EST_COL_BLOCK 64

/* Ledoit-Wolf: when ||S - F||_F <= this * ||S||_F the target equals the sample to rounding (always
 * so for 2 assets, where the mean correlation is the correlation); the intensity is then
 * meaningless (kappa = x/0) and reported as 1, the matrix being S either way. 1e-12 is ~4500 eps:
 * far above the rounding of rbar * sd_i * sd_j, far below any real dispersion of correlations. */
#define EST_LW_GAMMA_RTOL 1e-12

/* Neumaier's improvement of Kahan summation: *c collects the low-order bits lost by *s. */
static inline void neumaier_add(double *s, double *c, double v)
{
    double t = *s + v;
    if (fabs(*s) >= fabs(v))
        *c += (*s - t) + v;
    else
        *c += (v - t) + *s;
    *s = t;
}

/* --- argument checks ------------------------------------------------------------------------ */

static ra_status check_shape(const double *ret, size_t n_obs, size_t n_assets, double ppy,
                             const void *out, ra_err *err)
{
    if (!ret || !out)
        return ra_err_set(err, RA_EINVAL, NULL, "returns and result arrays are required");
    if (n_obs < 2)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "estimation needs at least 2 observations, got %zu", n_obs);
    if (n_assets < 1)
        return ra_err_set(err, RA_EINVAL, NULL, "estimation needs at least 1 asset, got 0");
    if (n_assets > SIZE_MAX / sizeof(double) / n_obs)
        return ra_err_set(err, RA_EINVAL, NULL, "%zu observations x %zu assets is too large",
                          n_obs, n_assets);
    if (!isfinite(ppy) || ppy <= 0.0)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "periods per year must be finite and > 0, got %g", ppy);
    return RA_OK;
}

static ra_status check_lambda(double lambda, ra_err *err)
{
    if (!(lambda > 0.0 && lambda < 1.0)) /* also rejects NaN */
        return ra_err_set(err, RA_EINVAL, NULL, "ewma decay lambda must be in (0,1), got %g",
                          lambda);
    return RA_OK;
}

/* Called only once a column sum came out non-finite: finds the first bad cell, row-major. */
static ra_status report_nonfinite(const double *ret, size_t n_obs, size_t n_assets, ra_err *err)
{
    for (size_t t = 0; t < n_obs; t++)
        for (size_t j = 0; j < n_assets; j++) {
            double v = ret[t * n_assets + j];
            if (!isfinite(v)) {
                char where[64];
                snprintf(where, sizeof where, "ret[%zu][%zu]", t, j);
                return ra_err_set(err, RA_EINVAL, where,
                                  "return at row %zu, column %zu is not finite: %g", t, j, v);
            }
        }
    return ra_err_set(err, RA_EINVAL, NULL,
                      "returns are too large: a column sum overflows a double");
}

/* --- sums ----------------------------------------------------------------------------------- */

/* mean[j] = (1/n_obs) sum_t x[t][j], compensated. Non-finite input gives a non-finite mean.
 * refine: see below; used before demeaning, not for the public mean, because the residuals
 * x - mean are only exact when the data are not wildly cancelling (1e16, 1, -1e16, 1). */
static void col_means(const double *x, size_t n_obs, size_t n_assets, int refine, double *mean)
{
    for (size_t j0 = 0; j0 < n_assets; j0 += EST_COL_BLOCK) {
        size_t nb = n_assets - j0 < EST_COL_BLOCK ? n_assets - j0 : EST_COL_BLOCK;
        double s[EST_COL_BLOCK] = {0}, c[EST_COL_BLOCK] = {0};
        for (size_t t = 0; t < n_obs; t++) {
            const double *row = x + t * n_assets + j0;
            for (size_t k = 0; k < nb; k++)
                neumaier_add(&s[k], &c[k], row[k]);
        }
        for (size_t k = 0; k < nb; k++) {
            mean[j0 + k] = (s[k] + c[k]) / (double)n_obs;
            s[k] = c[k] = 0.0;
        }
        if (!refine)
            continue;
        /* Refinement as in R's cov(): add the mean of the residuals x - mean. It removes the
         * rounding of the division, so a constant column gets its value back exactly (and
         * hence a variance of exactly 0). Skipped for non-finite means (reported by callers). */
        for (size_t t = 0; t < n_obs; t++) {
            const double *row = x + t * n_assets + j0;
            for (size_t k = 0; k < nb; k++)
                neumaier_add(&s[k], &c[k], row[k] - mean[j0 + k]);
        }
        for (size_t k = 0; k < nb; k++)
            if (isfinite(mean[j0 + k]))
                mean[j0 + k] += (s[k] + c[k]) / (double)n_obs;
    }
}

/* EWMA weights w_t = lambda^(T-1-t) / sum_k lambda^k. Returns the normaliser; the weights are
 * recomputed with pow where needed (glibc pow is within 1 ulp), which costs T calls per pass and
 * keeps the mean free of any workspace. */
static double ewma_norm(size_t n_obs, double lambda)
{
    double s = 0.0, c = 0.0;
    for (size_t k = 0; k < n_obs; k++)
        neumaier_add(&s, &c, pow(lambda, (double)k));
    return s + c;
}

static void col_means_ewma(const double *x, size_t n_obs, size_t n_assets, double lambda,
                           double *mean)
{
    double norm = ewma_norm(n_obs, lambda);
    for (size_t j0 = 0; j0 < n_assets; j0 += EST_COL_BLOCK) {
        size_t nb = n_assets - j0 < EST_COL_BLOCK ? n_assets - j0 : EST_COL_BLOCK;
        double s[EST_COL_BLOCK] = {0}, c[EST_COL_BLOCK] = {0};
        for (size_t t = 0; t < n_obs; t++) {
            double w = pow(lambda, (double)(n_obs - 1 - t)) / norm;
            const double *row = x + t * n_assets + j0;
            for (size_t k = 0; k < nb; k++)
                neumaier_add(&s[k], &c[k], w * row[k]);
        }
        for (size_t k = 0; k < nb; k++)
            mean[j0 + k] = s[k] + c[k];
    }
}

static int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

/* Copies the upper triangle of the n x n row-major matrix a into its lower triangle. */
static void mirror_upper(double *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            a[j * n + i] = a[i * n + j];
}

/* --- returns and means ---------------------------------------------------------------------- */

ra_status ra_est_returns(const double *prices, size_t n_rows, size_t n_cols, ra_return_kind kind,
                         double *out, ra_err *err)
{
    if (!prices || !out)
        return ra_err_set(err, RA_EINVAL, NULL, "price and result arrays are required");
    if (n_rows < 2)
        return ra_err_set(err, RA_EINVAL, NULL, "returns need at least 2 price rows, got %zu",
                          n_rows);
    if (n_cols < 1)
        return ra_err_set(err, RA_EINVAL, NULL, "returns need at least 1 price column, got 0");
    if (n_cols > SIZE_MAX / sizeof(double) / n_rows)
        return ra_err_set(err, RA_EINVAL, NULL, "%zu rows x %zu columns is too large", n_rows,
                          n_cols);
    if (kind != RA_RETURN_SIMPLE && kind != RA_RETURN_LOG)
        return ra_err_set(err, RA_EINVAL, NULL, "return kind must be simple or log, got %d",
                          (int)kind);
    /* Validate everything first so that a failure leaves out untouched. */
    for (size_t t = 0; t < n_rows; t++)
        for (size_t j = 0; j < n_cols; j++) {
            double p = prices[t * n_cols + j];
            if (!(isfinite(p) && p > 0.0)) {
                char where[64];
                snprintf(where, sizeof where, "prices[%zu][%zu]", t, j);
                return ra_err_set(err, RA_EINVAL, where,
                                  "price at row %zu, column %zu must be finite and > 0, got %g",
                                  t, j, p);
            }
        }
    /* (p1 - p0)/p0 rather than p1/p0 - 1: same value, but relative accuracy stays at a few ulps
     * for small moves where p1/p0 - 1 keeps only an absolute accuracy of 1 ulp of 1. */
    for (size_t t = 0; t + 1 < n_rows; t++) {
        const double *p0 = prices + t * n_cols, *p1 = p0 + n_cols;
        double *r = out + t * n_cols;
        for (size_t j = 0; j < n_cols; j++) {
            double simple = (p1[j] - p0[j]) / p0[j];
            r[j] = kind == RA_RETURN_SIMPLE ? simple : log1p(simple);
        }
    }
    return RA_OK;
}

ra_status ra_est_mean(const double *ret, size_t n_obs, size_t n_assets, double ppy, double *mu,
                      ra_err *err)
{
    ra_status rc = check_shape(ret, n_obs, n_assets, ppy, mu, err);
    if (rc != RA_OK)
        return rc;
    col_means(ret, n_obs, n_assets, 0, mu);
    if (!all_finite(mu, n_assets))
        return report_nonfinite(ret, n_obs, n_assets, err);
    for (size_t j = 0; j < n_assets; j++)
        mu[j] *= ppy;
    return RA_OK;
}

ra_status ra_est_mean_ewma(const double *ret, size_t n_obs, size_t n_assets, double ppy,
                           double lambda, double *mu, ra_err *err)
{
    ra_status rc = check_shape(ret, n_obs, n_assets, ppy, mu, err);
    if (rc == RA_OK)
        rc = check_lambda(lambda, err);
    if (rc != RA_OK)
        return rc;
    col_means_ewma(ret, n_obs, n_assets, lambda, mu);
    if (!all_finite(mu, n_assets))
        return report_nonfinite(ret, n_obs, n_assets, err);
    for (size_t j = 0; j < n_assets; j++)
        mu[j] *= ppy;
    return RA_OK;
}

/* --- covariance ----------------------------------------------------------------------------- */

size_t ra_est_cov_workspace_size(size_t n_obs, size_t n_assets)
{
    const size_t lim = SIZE_MAX / sizeof(double);
    if (n_assets != 0 && (n_obs > lim / n_assets || n_assets > lim / n_assets))
        return 0;
    size_t tn = n_obs * n_assets, nn = n_assets * n_assets;
    if (tn > lim / 2 || 2 * tn > lim - nn || 2 * tn + nn > lim - 2 * n_assets)
        return 0;
    return (2 * tn + nn + 2 * n_assets) * sizeof(double);
}

/* The scratch layout shared by the three covariance functions (sizes in doubles). */
typedef struct cov_scratch {
    double *y;   /* n_obs x n_assets: demeaned (and possibly weighted) returns */
    double *z;   /* n_obs x n_assets: Ledoit-Wolf powers of y */
    double *p;   /* n_assets x n_assets: Ledoit-Wolf fourth-moment products */
    double *v1;  /* n_assets: means, then standard deviations */
    double *v2;  /* n_assets */
    void *owned; /* malloc'd by us when the caller passed no workspace */
} cov_scratch;

static ra_status cov_begin(const double *ret, size_t n_obs, size_t n_assets, double ppy,
                           const double *cov, void *work, size_t work_size, cov_scratch *sc,
                           ra_err *err)
{
    memset(sc, 0, sizeof *sc);
    ra_status rc = check_shape(ret, n_obs, n_assets, ppy, cov, err);
    if (rc != RA_OK)
        return rc;
    if (n_obs > INT_MAX || n_assets > INT_MAX)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "covariance supports at most %d observations and assets, got %zu x %zu",
                          INT_MAX, n_obs, n_assets);
    size_t need = ra_est_cov_workspace_size(n_obs, n_assets);
    if (need == 0)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "covariance workspace for %zu observations x %zu assets overflows",
                          n_obs, n_assets);
    if (work) {
        if (work_size < need)
            return ra_err_set(err, RA_EINVAL, NULL,
                              "covariance workspace too small: %zu bytes, need %zu", work_size,
                              need);
        if ((uintptr_t)work % _Alignof(double) != 0)
            return ra_err_set(err, RA_EINVAL, NULL,
                              "covariance workspace must be aligned for double");
    } else {
        work = sc->owned = malloc(need);
        if (!work)
            return ra_err_set(err, RA_ENOMEM, NULL,
                              "could not allocate %zu bytes of covariance workspace", need);
    }
    size_t tn = n_obs * n_assets;
    sc->y = work;
    sc->z = sc->y + tn;
    sc->p = sc->z + tn;
    sc->v1 = sc->p + n_assets * n_assets;
    sc->v2 = sc->v1 + n_assets;
    return RA_OK;
}

static ra_status cov_end(cov_scratch *sc, ra_status rc)
{
    free(sc->owned);
    sc->owned = NULL;
    return rc;
}

/* y = ret - mean (row-major, same shape). */
static void demean(const double *ret, size_t n_obs, size_t n_assets, const double *mean, double *y)
{
    for (size_t t = 0; t < n_obs; t++) {
        const double *r = ret + t * n_assets;
        double *d = y + t * n_assets;
        for (size_t j = 0; j < n_assets; j++)
            d[j] = r[j] - mean[j];
    }
}

/* c (upper triangle) = alpha * y' y for y n_obs x n_assets row-major. */
static void syrk_upper(const double *y, size_t n_obs, size_t n_assets, double alpha, double *c)
{
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)n_assets, (int)n_obs, alpha, y,
                (int)n_assets, 0.0, c, (int)n_assets);
}

/* cov = alpha y'y from the rows of sc->y (n_obs x n_assets), checked for overflow; ends the
 * scratch (cov_end). */
static ra_status cov_finish(cov_scratch *sc, size_t n_obs, size_t n_assets, double alpha,
                            double *cov, ra_err *err)
{
    ra_status rc = RA_OK;
    syrk_upper(sc->y, n_obs, n_assets, alpha, cov);
    mirror_upper(cov, n_assets);
    if (!all_finite(cov, n_assets * n_assets))
        rc = ra_err_set(err, RA_EINVAL, NULL,
                        "returns are too large: a covariance overflows a double");
    return cov_end(sc, rc);
}

ra_status ra_est_cov_sample(const double *ret, size_t n_obs, size_t n_assets, double ppy,
                            void *work, size_t work_size, double *cov, ra_err *err)
{
    cov_scratch sc;
    ra_status rc = cov_begin(ret, n_obs, n_assets, ppy, cov, work, work_size, &sc, err);
    if (rc != RA_OK)
        return cov_end(&sc, rc);
    col_means(ret, n_obs, n_assets, 1, sc.v1);
    if (!all_finite(sc.v1, n_assets))
        return cov_end(&sc, report_nonfinite(ret, n_obs, n_assets, err));
    demean(ret, n_obs, n_assets, sc.v1, sc.y);
    return cov_finish(&sc, n_obs, n_assets, ppy / (double)(n_obs - 1), cov, err);
}

ra_status ra_est_cov_ewma(const double *ret, size_t n_obs, size_t n_assets, double ppy,
                          double lambda, void *work, size_t work_size, double *cov, ra_err *err)
{
    cov_scratch sc;
    ra_status rc = check_lambda(lambda, err);
    if (rc != RA_OK)
        return rc;
    rc = cov_begin(ret, n_obs, n_assets, ppy, cov, work, work_size, &sc, err);
    if (rc != RA_OK)
        return cov_end(&sc, rc);
    col_means_ewma(ret, n_obs, n_assets, lambda, sc.v1);
    if (!all_finite(sc.v1, n_assets))
        return cov_end(&sc, report_nonfinite(ret, n_obs, n_assets, err));
    /* y_t = sqrt(w_t) (r_t - m), so that y'y = sum_t w_t (r_t - m)(r_t - m)'. */
    double norm = ewma_norm(n_obs, lambda);
    for (size_t t = 0; t < n_obs; t++) {
        double sw = sqrt(pow(lambda, (double)(n_obs - 1 - t)) / norm);
        const double *r = ret + t * n_assets;
        double *d = sc.y + t * n_assets;
        for (size_t j = 0; j < n_assets; j++)
            d[j] = sw * (r[j] - sc.v1[j]);
    }
    return cov_finish(&sc, n_obs, n_assets, ppy, cov, err);
}

/* Ledoit & Wolf (2004), J. Portfolio Management 30(4) 110-119, and the authors' covCor.m; the
 * variable names follow covCor.m (docs/methodology.md#ledoit-wolf). With y the demeaned
 * returns and S = y'y/T:
 *   rbar  = mean over i != j of s_ij / sqrt(s_ii s_jj);  f_ij = rbar sqrt(s_ii s_jj), f_ii = s_ii
 *   phi   = sum_ij [ (1/T) sum_t y_ti^2 y_tj^2 - s_ij^2 ]
 *   theta_ij = (1/T) sum_t y_ti^3 y_tj - s_ii s_ij                      (i != j)
 *   rho   = sum_i phi_ii + rbar sum_{i != j} sqrt(s_jj / s_ii) theta_ij
 *   gamma = ||S - F||_F^2,  kappa = (phi - rho) / gamma,  delta = max(0, min(1, kappa / T)). */
ra_status ra_est_cov_ledoit_wolf(const double *ret, size_t n_obs, size_t n_assets, double ppy,
                                 void *work, size_t work_size, double *cov, double *shrinkage,
                                 ra_err *err)
{
    cov_scratch sc;
    ra_status rc = cov_begin(ret, n_obs, n_assets, ppy, cov, work, work_size, &sc, err);
    if (rc != RA_OK)
        return cov_end(&sc, rc);
    const size_t n = n_assets, tn = n_obs * n_assets;
    const double inv_t = 1.0 / (double)n_obs;
    double *s = cov, *sd = sc.v2;

    col_means(ret, n_obs, n, 1, sc.v1);
    if (!all_finite(sc.v1, n))
        return cov_end(&sc, report_nonfinite(ret, n_obs, n, err));
    demean(ret, n_obs, n, sc.v1, sc.y);
    syrk_upper(sc.y, n_obs, n, inv_t, s);
    mirror_upper(s, n);
    for (size_t i = 0; i < n; i++) {
        double v = s[i * n + i];
        if (!isfinite(v))
            return cov_end(&sc, ra_err_set(err, RA_EINVAL, NULL,
                                           "returns are too large: a variance overflows a double"));
        if (!(v > 0.0))
            return cov_end(&sc, ra_err_set(err, RA_EINVAL, NULL,
                                           "asset in column %zu has zero variance; shrinkage to "
                                           "constant correlation needs every variance > 0",
                                           i));
        sd[i] = sqrt(v);
    }
    double delta = 0.0;
    if (n >= 2) {
        /* rbar over the off-diagonal pairs (upper triangle, doubled and halved away). */
        double rs = 0.0, rc_ = 0.0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                neumaier_add(&rs, &rc_, s[i * n + j] / (sd[i] * sd[j]));
        double rbar = (rs + rc_) / ((double)n * (double)(n - 1) / 2.0);

        /* phi: p = (y.^2)'(y.^2) / T, upper triangle. */
        for (size_t k = 0; k < tn; k++)
            sc.z[k] = sc.y[k] * sc.y[k];
        syrk_upper(sc.z, n_obs, n, inv_t, sc.p);
        double phi = 0.0, phic = 0.0, phi_diag = 0.0, phidc = 0.0;
        for (size_t i = 0; i < n; i++) {
            double d = sc.p[i * n + i] - s[i * n + i] * s[i * n + i];
            neumaier_add(&phi, &phic, d);
            neumaier_add(&phi_diag, &phidc, d);
            for (size_t j = i + 1; j < n; j++)
                neumaier_add(&phi, &phic, 2.0 * (sc.p[i * n + j] - s[i * n + j] * s[i * n + j]));
        }
        phi += phic;
        phi_diag += phidc;

        /* theta: p = (y.^3)' y / T, full matrix (not symmetric). */
        for (size_t k = 0; k < tn; k++)
            sc.z[k] = sc.z[k] * sc.y[k];
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)n, (int)n, (int)n_obs, inv_t,
                    sc.z, (int)n, sc.y, (int)n, 0.0, sc.p, (int)n);
        double th = 0.0, thc = 0.0, ga = 0.0, gac = 0.0, ss = 0.0, ssc = 0.0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                double sij = s[i * n + j];
                neumaier_add(&ss, &ssc, sij * sij);
                if (i == j)
                    continue;
                double theta = sc.p[i * n + j] - s[i * n + i] * sij;
                neumaier_add(&th, &thc, sd[j] / sd[i] * theta);
                double g = sij - rbar * sd[i] * sd[j];
                neumaier_add(&ga, &gac, g * g);
            }
        double rho = phi_diag + rbar * (th + thc);
        double gamma = ga + gac, snorm2 = ss + ssc;
        if (!(gamma > EST_LW_GAMMA_RTOL * EST_LW_GAMMA_RTOL * snorm2)) {
            delta = 1.0;
        } else {
            double kappa = (phi - rho) / gamma;
            delta = fmax(0.0, fmin(1.0, kappa / (double)n_obs));
        }
        if (!isfinite(delta))
            return cov_end(&sc, ra_err_set(err, RA_EINTERNAL, NULL,
                                           "shrinkage intensity is not finite: %g", delta));
        /* Upper triangle then mirror: rbar*sd_i*sd_j and rbar*sd_j*sd_i may differ by an ulp. */
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++) {
                double f = rbar * sd[i] * sd[j];
                s[i * n + j] = delta * f + (1.0 - delta) * s[i * n + j];
            }
        mirror_upper(s, n);
    }
    for (size_t k = 0; k < n * n; k++)
        cov[k] *= ppy;
    if (shrinkage)
        *shrinkage = delta;
    return cov_end(&sc, RA_OK);
}
