/* roboadvisor: goal plans by Monte Carlo (src/core/plan.c, plan_glide.c).
 *
 * Wealth is simulated month by month for `years` years: W_0 = initial, W_{t+1} = W_t * g_t + c,
 * the contribution c added at the end of each month, g_t the month's growth factor:
 *  - lognormal: ln g_t ~ N(ln(1+mu)/12 - sigma^2/24, sigma^2/12), mu the expected annual simple
 *    return and sigma the annual volatility of log returns (so E[g over a year] = 1 + mu);
 *    mu and sigma may change by plan year through a glide path;
 *  - bootstrap: g_t = 1 + r, r a month drawn with replacement from a series of real monthly
 *    simple returns, in circular blocks of `block` consecutive months (block 1 = plain bootstrap).
 * Path i uses the random stream ra_rng_stream(seed, i) and nothing else, so the results do not
 * depend on the number of threads. Amounts are currency units in double: this is a statistic
 * about the future, not the ledger. Method, defaults and tolerances: docs/methodology.md#goal-plans.
 * Caller-owned memory: ra_plan_run allocates nothing. */
#ifndef ROBOADVISOR_PLAN_H
#define ROBOADVISOR_PLAN_H

#include "date.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_PLAN_MAX_YEARS 100          /* plan horizon in years, 1..100 */
#define RA_PLAN_MAX_PATHS 10000000     /* simulated paths, 1..1e7 */
#define RA_PLAN_MAX_THREADS 64
#define RA_PLAN_MAX_MU 1.0             /* |mu| above 100 %/yr is taken for a percent typo (7 for 0.07) */
#define RA_PLAN_MAX_SIGMA 2.0          /* annual volatility above 200 % likewise */
#define RA_PLAN_MAX_AMOUNT 1e13        /* initial, goal: at most 10 trillion currency units */
#define RA_PLAN_MAX_MONTHLY 1e9        /* largest required monthly contribution searched */
#define RA_PLAN_N_PCT 5                /* percentiles reported: 5, 25, 50, 75, 95 */

typedef enum ra_plan_model { RA_PLAN_LOGNORMAL = 0, RA_PLAN_BOOTSTRAP = 1 } ra_plan_model;

/* A glide path: from plan year `year` (1 = the first twelve months) on, mu and sigma are these
 * values, until the next row's year. Years before the first row use the settings' mu and sigma;
 * rows after the plan's last year are ignored. */
typedef struct ra_plan_glide_row {
    uint32_t year;  /* 1..RA_PLAN_MAX_YEARS, strictly increasing */
    double mu;      /* expected annual simple return, in (-1, RA_PLAN_MAX_MU] */
    double sigma;   /* annual volatility of log returns, in [0, RA_PLAN_MAX_SIGMA] */
    uint32_t line;  /* source line, for messages */
} ra_plan_glide_row;

typedef struct ra_plan_glide {
    size_t n;                 /* >= 1 */
    ra_plan_glide_row *rows;
    char *source;
} ra_plan_glide;


typedef struct ra_plan_settings {
    double initial;          /* currency units at the start, >= 0 */
    double monthly;          /* contribution at the end of each month, >= 0 */
    size_t years;            /* 1..RA_PLAN_MAX_YEARS */
    double goal;             /* final wealth aimed at, > 0 */
    ra_plan_model model;     /* default RA_PLAN_LOGNORMAL */
    double mu, sigma;        /* lognormal: annual; defaults 0.05 and 0.15 */
    const ra_plan_glide *glide;    /* lognormal only; NULL = mu and sigma every year; borrowed */
    const double *boot_ret;  /* bootstrap: n_boot monthly simple returns, finite, >= -1; borrowed */
    size_t n_boot;           /* >= 2 */
    size_t block;            /* bootstrap block length in months, 1..n_boot; default 1 */
    size_t n_paths;          /* 1..RA_PLAN_MAX_PATHS; default 10000 */
    uint64_t seed;           /* default 1 */
    double probability;      /* 0 = no required monthly (default); else in (0, 1] */
    unsigned n_threads;      /* 0 or 1 = the calling thread only; at most RA_PLAN_MAX_THREADS */
} ra_plan_settings;

/* The percentile levels reported, in order: 0.05, 0.25, 0.50, 0.75, 0.95 */
RA_API extern const double ra_plan_pct_levels[RA_PLAN_N_PCT];

typedef struct ra_plan_result {
    double probability;            /* share of paths with final wealth >= goal */
    size_t n_hits;                 /* that number of paths */
    double pct_final[RA_PLAN_N_PCT]; /* R type-7 percentiles of final wealth */
    double mean_final;             /* mean final wealth (compensated sum in path order) */
    double *pct_by_year;           /* caller-owned, years * RA_PLAN_N_PCT: row y (0-based) holds the
                                    * percentiles of wealth at the end of plan year y + 1 */
    /* With settings.probability > 0 (else NAN and 0): the smallest monthly contribution, in whole
     * cents, whose probability of reaching the goal is at least settings.probability on the same
     * random draws; 0 if no contribution is needed. */
    double required_monthly;
    double required_probability;   /* the probability reached with required_monthly */
} ra_plan_result;

RA_API void ra_plan_settings_default(ra_plan_settings *s);
/* RA_EINVAL naming the first wrong setting (and the glide row's FILE:LINE in err->where). */
RA_API RA_NODISCARD ra_status ra_plan_validate(const ra_plan_settings *s, ra_err *err);
/* Bytes of scratch ra_plan_run needs for these settings (0 if n_paths * years overflows). */
RA_API size_t ra_plan_workspace_size(const ra_plan_settings *s);
/* Runs the simulation. work: at least ra_plan_workspace_size(s) bytes, aligned for double.
 * res->pct_by_year must have years * RA_PLAN_N_PCT slots. Errors: RA_EINVAL (settings, small
 * workspace), RA_EINFEASIBLE when the goal cannot be reached with the asked probability even
 * with RA_PLAN_MAX_MONTHLY a month (the other results are still filled). */
RA_API RA_NODISCARD ra_status ra_plan_run(const ra_plan_settings *s, void *work, size_t work_size,
                                          ra_plan_result *res, ra_err *err);

/* Compounds daily simple returns into calendar-month returns: prod(1 + r) - 1 over the rows
 * dated in each month. The first and the last month are dropped because they may be partial (a
 * series rarely starts on a month's first trading day and ends on its last). dates: n, strictly
 * increasing; r: n finite values >= -1 (RA_EINVAL naming the index otherwise). out and
 * month_end (may be NULL; the last date of each month kept) need room for the number of
 * calendar months spanned; *n_out receives the count. RA_EINVAL if fewer than 2 months remain. */
RA_API RA_NODISCARD ra_status ra_plan_monthly_from_daily(const ra_date *dates, const double *r,
                                                         size_t n, double *out, ra_date *month_end,
                                                         size_t *n_out, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
