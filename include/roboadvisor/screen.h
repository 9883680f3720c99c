/* roboadvisor: candidate-portfolio screening (src/core/screen.c; docs/methodology.md#candidate-
 * portfolios). From a pool of n assets, draw K-asset subsets (seeded, without repeating a subset),
 * optimise each (weights in [min_weight, 1], fully invested) and keep those meeting the return and
 * volatility thresholds. Pure: no I/O, no clock (the caller times it). */
#ifndef ROBOADVISOR_SCREEN_H
#define ROBOADVISOR_SCREEN_H

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ra_screen_objective { RA_SCREEN_MIN_VARIANCE = 0, RA_SCREEN_MAX_SHARPE = 1 } ra_screen_objective;

typedef struct ra_screen_settings {
    size_t k;              /* assets per portfolio, 2..n (cardinality) */
    double min_weight;     /* each chosen asset's weight >= this; k * min_weight <= 1 */
    ra_screen_objective objective;
    double rf;             /* max-Sharpe risk-free rate */
    double min_return;     /* annual expected return at least this (-INFINITY: none) */
    double max_volatility; /* annual volatility at most this (INFINITY: none) */
    size_t tries;          /* subsets to try (capped at the number of distinct subsets) */
    uint64_t seed;
} ra_screen_settings;

/* Defaults: k 5, min_weight 0.05, min variance, rf 0, no thresholds, 1000 tries, seed 1. */
RA_API void ra_screen_settings_default(ra_screen_settings *s);
/* The volatility cap of client level 1..5 (C1 8 %, C2 12 %, C3 16 %, C4 22 %, C5 none). */
RA_API double ra_screen_level_max_volatility(int level);

typedef struct ra_screen_stats {
    size_t tried;      /* subsets optimised */
    size_t solved;     /* subsets with a solution */
    size_t qualified;  /* meeting the thresholds */
    size_t distinct;   /* qualifying portfolios distinct by weights (L1 > 1e-6) */
    size_t stored;     /* written to out (<= cap) */
} ra_screen_stats;

/* mu: n annual means; cov: n*n annual covariance (borrowed). out_idx: cap*k asset indices (sorted
 * within a portfolio), out_w: cap*k weights, out_ret/out_vol: cap each; any may be NULL when cap
 * is 0. Deterministic in the seed. */
RA_API RA_NODISCARD ra_status ra_screen_run(size_t n, const double *mu, const double *cov,
                                            const ra_screen_settings *s, size_t cap,
                                            size_t *out_idx, double *out_w, double *out_ret,
                                            double *out_vol, ra_screen_stats *stats, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
