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

/* Returns from prices: out[t][j] = p[t+1][j]/p[t][j] - 1 (simple) or log(p[t+1][j]/p[t][j]).
 * prices: n_rows x n_cols, all > 0 (RA_EINVAL naming the first that is not). out: (n_rows-1) x n_cols. */
RA_API RA_NODISCARD ra_status ra_est_returns(const double *prices, size_t n_rows, size_t n_cols,
                                             ra_return_kind kind, double *out, ra_err *err);

/* Periods per year from the median spacing of consecutive dates (strictly increasing, n >= 2):
 * median <= 4 days -> 252 (daily), 5..10 -> 52 (weekly), 25..35 -> 12 (monthly), 80..100 -> 4
 * (quarterly), 350..380 -> 1 (annual); anything else is RA_EINVAL asking for --periods-per-year. */
RA_API RA_NODISCARD ra_status ra_est_periods_per_year(const ra_date *dates, size_t n, double *ppy,
                                                      ra_err *err);

/* Annualised arithmetic mean: mu[j] = ppy * mean_t ret[t][j] (compensated sum). mu: n_assets. */
RA_API RA_NODISCARD ra_status ra_est_mean(const double *ret, size_t n_obs, size_t n_assets,
                                          double ppy, double *mu, ra_err *err);
/* Annualised exponentially weighted mean with decay lambda in (0,1): weights lambda^(T-1-t)
 * normalised to sum 1 (newest observation heaviest). */
RA_API RA_NODISCARD ra_status ra_est_mean_ewma(const double *ret, size_t n_obs, size_t n_assets,
                                               double ppy, double lambda, double *mu, ra_err *err);

/* Sample covariance, divisor n_obs-1, times ppy. cov: n_assets x n_assets (symmetric, both
 * triangles filled). n_obs >= 2. */
RA_API RA_NODISCARD ra_status ra_est_cov_sample(const double *ret, size_t n_obs, size_t n_assets,
                                                double ppy, double *cov, ra_err *err);
/* EWMA covariance (RiskMetrics): weights as ra_est_mean_ewma, deviations from the EWMA mean,
 * times ppy. Default lambda RA_EWMA_LAMBDA_DEFAULT. */
RA_API RA_NODISCARD ra_status ra_est_cov_ewma(const double *ret, size_t n_obs, size_t n_assets,
                                              double ppy, double lambda, double *cov, ra_err *err);
/* Ledoit-Wolf (2004) shrinkage towards the constant-correlation target, times ppy.
 * *shrinkage (may be NULL) receives the intensity delta in [0,1]. */
RA_API RA_NODISCARD ra_status ra_est_cov_ledoit_wolf(const double *ret, size_t n_obs,
                                                     size_t n_assets, double ppy, double *cov,
                                                     double *shrinkage, ra_err *err);

#define RA_EWMA_LAMBDA_DEFAULT 0.94 /* RiskMetrics (1996) daily decay */

#ifdef __cplusplus
}
#endif
#endif
