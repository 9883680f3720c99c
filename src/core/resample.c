/* Resampled inputs (include/roboadvisor/resample.h): Michaud (1998), "Efficient Asset
 * Management": treat the estimates as the truth, draw samples of the same length from it,
 * re-estimate, and average the portfolios optimised on each — the spread of those portfolios is
 * what the inputs' estimation error does to the weights. */
#include <roboadvisor/est.h>
#include <roboadvisor/resample.h>

#include <lapacke.h>
#include <math.h>
#include <string.h>

ra_status ra_resample_factor(size_t n, const double *cov, double ppy, double *L, ra_err *err)
{
    if (n == 0 || !(ppy > 0))
        return ra_err_set(err, RA_EINVAL, NULL, "resampling needs assets and periods per year");
    for (size_t i = 0; i < n * n; i++)
        L[i] = cov[i] / ppy;
    lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, L, (lapack_int)n);
    if (info > 0)
        return ra_err_set(err, RA_ESINGULAR, "cov",
                          "the covariance is not positive definite at asset %d", (int)info);
    if (info < 0)
        return ra_err_set(err, RA_EINTERNAL, NULL, "dpotrf rejected argument %d", (int)-info);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            L[i * n + j] = 0;
    return RA_OK;
}

ra_status ra_resample_draw(size_t n, const double *mu, const double *L, size_t T, double ppy,
                           ra_rng *rng, double *work, double *mu_out, double *cov_out, ra_err *err)
{
    if (T < 2)
        return ra_err_set(err, RA_EINVAL, NULL, "a resample needs at least 2 periods, not %zu", T);
    double z[256];
    if (n > sizeof z / sizeof z[0])
        return ra_err_set(err, RA_EINVAL, NULL, "resampling takes at most 256 assets, not %zu", n);
    for (size_t t = 0; t < T; t++) {
        for (size_t j = 0; j < n; j++)
            z[j] = ra_rng_normal(rng);
        double *row = work + t * n;
        for (size_t i = 0; i < n; i++) {
            double x = mu[i] / ppy;
            for (size_t j = 0; j <= i; j++)
                x += L[i * n + j] * z[j];
            row[i] = x;
        }
    }
    ra_status rc = ra_est_mean(work, T, n, ppy, mu_out, err);
    if (rc == RA_OK)
        rc = ra_est_cov_sample(work, T, n, ppy, NULL, 0, cov_out, err);
    return rc;
}
