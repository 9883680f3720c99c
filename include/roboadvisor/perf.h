/* roboadvisor: performance statistics, XIRR and time-weighted return (src/core/perf_stats.c,
 * perf_xirr.c, perf_twr.c). Conventions (docs/methodology.md#performance): r are simple returns
 * per period, P periods per year, rf and mar annual decimals, sd with divisor N-1. Pure
 * computation, caller-owned arrays, nothing allocated. */
#ifndef ROBOADVISOR_PERF_H
#define ROBOADVISOR_PERF_H

#include "date.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ra_drawdown {
    double depth;     /* maximum drawdown as a positive fraction (0.25 = -25 %); 0 if none */
    size_t peak;      /* index into wealth points: 0 = start (wealth 1 before r[0]), i = after r[i-1];
                       * the last point at the running maximum before the trough */
    size_t trough;    /* the first point of greatest depth */
    size_t recovery;  /* first index at or above the peak's wealth after the trough; SIZE_MAX if never.
                       * "At" is within a relative 1e-12 (rounding of returns from prices).
                       * No drawdown: depth 0 and peak = trough = recovery = 0. */
} ra_drawdown;

typedef struct ra_perf_stats {
    double cumulative_return;     /* prod(1+r) - 1 (+inf if the product overflows a double) */
    double annualized_return;     /* prod(1+r)^(P/N) - 1 */
    double annualized_volatility; /* sd(r) * sqrt(P) */
    double sharpe;                /* sqrt(P) * (mean(r) - rf/P) / sd(r) */
    double sortino;               /* sqrt(P) * (mean(r) - mar/P) / DD */
    double downside_deviation;    /* DD = sqrt(sum(min(r - mar/P, 0)^2) / N), per period */
    ra_drawdown max_drawdown;
    double var, cvar;             /* historical, positive losses per period, at `level`: VaR = -q,
                                   * q the R type-7 quantile of r at 1-level; CVaR = -mean(r <= q) */
    /* With a benchmark b (NAN otherwise). A ratio whose denominator (sd, DD, var(b), tracking
     * error) is 0 is NAN, never inf: */
    double beta;                  /* cov(r,b)/var(b) */
    double alpha;                 /* Jensen: P * (mean(r) - rf/P - beta*(mean(b) - rf/P)) */
    double correlation;
    double tracking_error;        /* sd(r-b) * sqrt(P) */
    double information_ratio;     /* P * mean(r-b) / tracking_error */
} ra_perf_stats;

/* All statistics of one series r (n >= 2, finite). b may be NULL (no benchmark); stride lets r and
 * b be columns of a row-major matrix (element i is r[i*stride]). level in (0,1), e.g. 0.95.
 * r[i] = -1 is a total loss (cumulative and annualised -1, drawdown 1, never recovered); r[i] < -1
 * is RA_EINVAL, as is a NaN or Inf in r or b (the message names the index). */
RA_API RA_NODISCARD ra_status ra_perf_stats_compute(const double *r, const double *b, size_t n,
                                                    size_t stride, double periods_per_year,
                                                    double rf, double mar, double level,
                                                    ra_perf_stats *out, ra_err *err);

/* Empirical quantile, R type 7 (linear between order statistics), p in [0,1], n >= 1, x finite:
 * x need not be sorted and is not modified. scratch is not used (the order statistics are
 * selected in place) and may be NULL; it is kept so that callers need not change. */
RA_API RA_NODISCARD ra_status ra_perf_quantile7(const double *x, size_t n, double p,
                                                double *scratch, double *q, ra_err *err);

/* XIRR: the annual rate r with sum_i amounts[i] / (1+r)^((d_i - d_0)/365) = 0, d_0 the earliest
 * date. Flows may be unsorted, several on one date, some zero. Errors: RA_EINVAL for fewer than 2
 * flows, a NaN/Inf amount or all on one date; RA_EINFEASIBLE when the amounts have no sign change;
 * RA_ENOCONV if no root in [-0.9999, 1e6]. When several roots exist the one with the smallest |r|
 * is returned (docs/methodology.md#xirr); *n_roots (may be NULL) reports how many sign changes of
 * the NPV were found on the search grid (2048 steps in log(1+r)). */
RA_API RA_NODISCARD ra_status ra_perf_xirr(const ra_date *dates, const double *amounts, size_t n,
                                           double *rate, int *n_roots, ra_err *err);

typedef enum ra_flow_timing { RA_FLOW_END = 0, RA_FLOW_START = 1 } ra_flow_timing;

typedef struct ra_twr {
    double twr;                /* cumulative time-weighted return */
    double annualized_act365;  /* (1+twr)^(365/days) - 1, days from first to last date */
    double annualized_periods; /* (1+twr)^(P/(n-1)) - 1 with P inferred from the dates */
    double periods_per_year;
    size_t n_periods;
} ra_twr;

/* Time-weighted return from values V_i at the end of date i and external flows F_i on date i
 * (F_0 is ignored: V_0 is the start; flows may be NULL for none; a contribution is positive).
 * FLOW_END: sub-period return (V_i - F_i)/V_{i-1} - 1; FLOW_START: V_i/(V_{i-1} + F_i) - 1.
 * Dates strictly increasing, n >= 2, values finite and >= 0. A denominator <= 0 is RA_EINVAL
 * naming the row. periods_per_year <= 0 means infer it (ra_est_periods_per_year). A total loss
 * gives -1 everywhere; a sub-period return below -1 (FLOW_END with F_i > V_i) links to a
 * negative wealth whose annualised figures are NAN. */
RA_API RA_NODISCARD ra_status ra_perf_twr(const ra_date *dates, const double *values,
                                          const double *flows, size_t n, ra_flow_timing timing,
                                          double periods_per_year, ra_twr *out, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
