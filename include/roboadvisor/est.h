/* roboadvisor: estimation of returns, expected returns and covariance (src/core/est.c).
 * Pure computation: caller-owned arrays, no I/O. Formulas and sources: docs/methodology.md#estimation.
 * Matrices are row-major doubles; "ret" is n_obs x n_assets (one row per period). Inputs must be
 * finite: a NaN or Inf gives RA_EINVAL naming row and column (0-based indices). */
#ifndef ROBOADVISOR_EST_H
#define ROBOADVISOR_EST_H

#include "date.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ra_return_kind { RA_RETURN_SIMPLE = 0, RA_RETURN_LOG = 1 } ra_return_kind;

/* Returns from prices: out[t][j] = p[t+1][j]/p[t][j] - 1 (simple) or log(p[t+1][j]/p[t][j]),
 * evaluated as (p1-p0)/p0 and log1p((p1-p0)/p0) for full relative accuracy on small moves.
 * prices: n_rows x n_cols (n_rows >= 2), all finite and > 0 (RA_EINVAL naming the first row and
 * column, in row-major order, that is not). out: (n_rows-1) x n_cols, must not overlap prices. */
RA_API RA_NODISCARD ra_status ra_est_returns(const double *prices, size_t n_rows, size_t n_cols,
                                             ra_return_kind kind, double *out, ra_err *err);

/* Periods per year from the median spacing of consecutive dates (strictly increasing, n >= 2):
 * median <= 4 days -> 252 (daily), 5..10 -> 52 (weekly), 25..35 -> 12 (monthly), 80..100 -> 4
 * (quarterly), 350..380 -> 1 (annual); anything else is RA_EINVAL asking for --periods-per-year. */
RA_API RA_NODISCARD ra_status ra_est_periods_per_year(const ra_date *dates, size_t n, double *ppy,
                                                      ra_err *err);

/* Annualised arithmetic mean: mu[j] = ppy * mean_t ret[t][j] (compensated sum). mu: n_assets.
 * n_obs >= 2, ppy > 0 and finite. No allocation (this and ra_est_mean_ewma). */
RA_API RA_NODISCARD ra_status ra_est_mean(const double *ret, size_t n_obs, size_t n_assets,
                                          double ppy, double *mu, ra_err *err);
/* Annualised exponentially weighted mean with decay lambda in (0,1): weights lambda^(T-1-t)
 * normalised to sum 1 (newest observation heaviest, T = n_obs); mu[j] = ppy * sum_t w_t ret[t][j].
 * n_obs >= 2. */
RA_API RA_NODISCARD ra_status ra_est_mean_ewma(const double *ret, size_t n_obs, size_t n_assets,
                                               double ppy, double lambda, double *mu, ra_err *err);

/* Covariance scratch. The three covariance functions below take a caller-owned workspace
 * (work, work_size) of at least ra_est_cov_workspace_size(n_obs, n_assets) bytes, aligned for
 * double (malloc'd memory is): allocate it once and reuse it across calls, e.g. one buffer for every
 * rebalance date of a backtest. Its contents on entry do not matter and on return are unspecified.
 * work == NULL (with any work_size) means "allocate it for me": the function then calls malloc once,
 * frees before returning, and may fail with RA_ENOMEM; this is the only allocation in this module.
 * A non-NULL work smaller than the size, or misaligned, is RA_EINVAL. The size is the same for all
 * three functions (the largest need, Ledoit-Wolf's): (2*n_obs*n_assets + n_assets^2 + 2*n_assets)
 * doubles; 0 if that overflows size_t (then every call with these sizes is RA_EINVAL). */
RA_API size_t ra_est_cov_workspace_size(size_t n_obs, size_t n_assets);

/* Sample covariance, divisor n_obs-1, times ppy: two-pass (columns demeaned with the compensated
 * mean, then cross products by BLAS dsyrk). cov: n_assets x n_assets (symmetric, both triangles
 * filled). n_obs >= 2; n_obs and n_assets at most INT_MAX (BLAS index type). */
RA_API RA_NODISCARD ra_status ra_est_cov_sample(const double *ret, size_t n_obs, size_t n_assets,
                                                double ppy, void *work, size_t work_size,
                                                double *cov, ra_err *err);
/* EWMA covariance (RiskMetrics): weights w_t as ra_est_mean_ewma, deviations from the EWMA mean,
 * cov = ppy * sum_t w_t (r_t - m)(r_t - m)' (no small-sample correction; as lambda -> 1 this tends
 * to the divisor-n_obs sample covariance). Default lambda RA_EWMA_LAMBDA_DEFAULT. Workspace and
 * sizes as ra_est_cov_sample. */
RA_API RA_NODISCARD ra_status ra_est_cov_ewma(const double *ret, size_t n_obs, size_t n_assets,
                                              double ppy, double lambda, void *work,
                                              size_t work_size, double *cov, ra_err *err);
/* Ledoit-Wolf (2004, "Honey, I shrunk the sample covariance matrix") shrinkage towards the
 * constant-correlation target, as in the authors' covCor.m: S is the sample covariance with divisor
 * n_obs (not n_obs-1) of the demeaned returns, F the constant-correlation target, delta the
 * estimated optimal intensity clipped to [0,1]; cov = ppy * (delta F + (1-delta) S), so the result
 * uses divisor n_obs throughout. *shrinkage (may be NULL) receives delta. n_obs >= 2. Every asset
 * needs a positive variance (RA_EINVAL naming the column otherwise). n_assets == 1: the target is
 * the sample itself, so cov = ppy * S (divisor n_obs) and delta = 0. When F equals S to rounding
 * (always for n_assets == 2) delta is 1 and cov = ppy * S. Workspace and sizes as
 * ra_est_cov_sample. */
RA_API RA_NODISCARD ra_status ra_est_cov_ledoit_wolf(const double *ret, size_t n_obs,
                                                     size_t n_assets, double ppy, void *work,
                                                     size_t work_size, double *cov,
                                                     double *shrinkage, ra_err *err);

#define RA_EWMA_LAMBDA_DEFAULT 0.94 /* RiskMetrics (1996) daily decay */

#ifdef __cplusplus
}
#endif
#endif
