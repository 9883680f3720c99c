/* roboadvisor: resampled inputs for Michaud's resampled efficiency (src/core/resample.c;
 * docs/methodology.md#resampled-models). Pure: the caller owns the arrays and the generator. */
#ifndef ROBOADVISOR_RESAMPLE_H
#define ROBOADVISOR_RESAMPLE_H

#include "error.h"
#include "rng.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The lower Cholesky factor L (n x n row-major, upper part zeroed) of an annual covariance divided
 * by ppy (one period's). RA_ESINGULAR naming the asset when it is not positive definite. */
RA_API RA_NODISCARD ra_status ra_resample_factor(size_t n, const double *cov, double ppy,
                                                 double *L, ra_err *err);

/* One resample: T periods of returns drawn from N(mu / ppy, L L') (mu annual, L from
 * ra_resample_factor), then their sample mean and covariance (divisor T - 1), both annualised
 * (x ppy) into mu_out (n) and cov_out (n x n). work: T * n doubles. T >= 2. Deterministic for the
 * generator's state. */
RA_API RA_NODISCARD ra_status ra_resample_draw(size_t n, const double *mu, const double *L,
                                               size_t T, double ppy, ra_rng *rng, double *work,
                                               double *mu_out, double *cov_out, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
