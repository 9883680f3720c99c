/* roboadvisor: backtests of the daily cycle (engine layer; src/engine/backtest.c). A backtest
 * generates a demo book (bookgen.h) whose history ends on the first day, builds the level models
 * (engine_models.h) and onboards the generated clients (engine_onboard.h) on that day, then runs
 * the daily cycle (engine_cycle.h) with fills at the close over every later trading day of the
 * real history, and reports per risk level of the accounts' models (R1..R5): annualised return
 * before and after fees and after estimated taxes, volatility, maximum drawdown, turnover,
 * tracking error to the model, losses harvested and their tax value.
 * Every formula and its source: docs/methodology.md#backtests; the command: docs/cli.md#backtest.
 *
 * Units: money in minor units of the firm's currency as double (sums over many accounts), returns
 * and rates as decimals, annual figures over RA_BACKTEST_DAYS_PER_YEAR trading days. */
#ifndef ROBOADVISOR_ENGINE_BACKTEST_H
#define ROBOADVISOR_ENGINE_BACKTEST_H

#include "common.h"
#include "date.h"
#include "error.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_BACKTEST_LEVELS 5              /* R1..R5 */
#define RA_BACKTEST_DAYS_PER_YEAR 252.0   /* docs/methodology.md#annualisation */
#define RA_BACKTEST_HISTORY_YEARS 5       /* the generated history before the first day */
/* The published reference: Chaudhuri, Burnham and Lo (2020), "An Empirical Evaluation of Tax-Loss
 * Harvesting Alpha", Financial Analysts Journal 76(3): about 1 % a year before costs, for
 * portfolios of individual stocks (ETF portfolios harvest less). */
#define RA_BACKTEST_REF_TAX_ALPHA 0.01

/* --- the aggregation (pure: no store, testable on hand-made daily values) ----------------------- */

/* One account over the backtest's days 0..n_days-1 (the trading days run, in order). Every array
 * has n_days entries and is borrowed. Money in minor units. */
typedef struct ra_backtest_account {
    int level;                 /* 1..5 the model's level; other values: left out */
    double start_value;        /* V_-1, the value before day 0 (NAN: none, day 0 has no weight) */
    const double *value;       /* V_k at the close of day k; NAN: no daily value that day */
    const double *twr;         /* r_k the day's time-weighted return (after fees); NAN: none */
    const double *fees;        /* fees charged on day k (advisory fee transactions and trading
                                * fees of fills), >= 0 */
    const double *tax;         /* estimated tax on the gains realised on day k (< 0: a saving) */
    const double *traded;      /* value of the buys and sells of day k, >= 0 */
    const double *model_ret;   /* the model's return on day k; NAN: none */
    double harvested;          /* losses realised by harvesting over the run, >= 0 */
    double harvest_tax_value;  /* their estimated tax value */
} ra_backtest_account;

typedef struct ra_backtest_level {
    int level;                  /* 1..5 */
    size_t accounts;            /* accounts of the level */
    size_t days;                /* daily returns of the level (days with a previous value) */
    double avg_value;           /* mean over the days of the level's summed value */
    double ret_ann_before_fees; /* annualised: prod(1 + R_k)^(252/days) - 1 */
    double ret_ann;             /* after fees (the time-weighted returns as stored) */
    double ret_ann_after_tax;   /* after fees and estimated taxes */
    double vol_ann;             /* sample sd of R_k * sqrt(252), after fees */
    double max_drawdown;        /* of the after-fee wealth index, positive fraction */
    double turnover_ann;        /* traded after the first day / avg_value * 252 / days */
    double transition;          /* traded on the first day (the move onto the onboarding
                                 * model) / avg_value; a value, 0 then NAN without accounts */
    double tracking_error;      /* mean over the level's accounts of sd(r - model) * sqrt(252) */
    double fees;                /* summed over the run */
    double taxes;               /* estimated, summed over the run (< 0: a net saving) */
    double harvested;
    double harvest_tax_value;
    double tax_alpha;           /* harvest_tax_value / avg_value / (days / 252) */
} ra_backtest_level;

/* Aggregates the accounts per level into out[0..4] (R1..R5); a level without accounts or with
 * fewer than 2 daily returns has NAN statistics. The daily return of a level, its before-fee and
 * after-tax variants are value-weighted (docs/methodology.md#backtests):
 *   W_k = sum V_{a,k-1} (V_{a,-1} = start_value) over its accounts with a finite r_{a,k} and V_{a,k-1} > 0,
 *   R_k = sum V_{a,k-1} r_{a,k} / W_k,  R_k + sum fees_{a,k} / W_k,  R_k - sum tax_{a,k} / W_k.
 * RA_EINVAL for a NULL argument or a return below -1. */
RA_API RA_NODISCARD ra_status ra_backtest_aggregate(const ra_backtest_account *acc, size_t n_acc,
                                                    size_t n_days,
                                                    ra_backtest_level out[RA_BACKTEST_LEVELS],
                                                    ra_err *err);

/* --- the whole run ---------------------------------------------------------------------------- */

typedef struct ra_backtest_options {
    ra_date from, to;           /* the first day (book, models and onboarding) and the last day */
    size_t clients;
    uint64_t seed;
    const char *data_dir;       /* the market files (ra_bookgen_data_load) */
    const char *questionnaire;  /* the risk questionnaire document (JSON bytes, borrowed) */
    size_t questionnaire_size;
    double tax_rate_short;      /* default: ra_rebal_settings_default's (0.35) */
    double tax_rate_long;       /* (0.15) */
    int stages;                 /* the models' construction: 2 (default) two stages, 1 single */
    /* Called after each day (may be NULL): the day, days done and the calendar days in all. */
    void (*progress)(void *ctx, ra_date day, size_t done, size_t total);
    void *progress_ctx;
} ra_backtest_options;

RA_API void ra_backtest_options_default(ra_backtest_options *o);

typedef struct ra_backtest_result {
    char firm[RA_CODE_MAX];
    char currency[4];
    int minor_digits;
    ra_date first_day, last_day;   /* the cycle's first and last trading day run */
    size_t days_run;               /* trading days run by the cycle */
    size_t clients, accounts;      /* onboarded; accounts with a model */
    size_t trades;                 /* over the run */
    ra_backtest_level level[RA_BACKTEST_LEVELS];
    ra_backtest_level total;       /* every account with a model (level 0) */
} ra_backtest_result;

/* Runs a backtest into the empty book s, acting as actor (whose firm must be "DEMO", the
 * generated firm, with its key set). RA_EINVAL for options out of range (from >= to, no clients,
 * no questionnaire); the errors of the steps as they are, wrapped with the step. */
RA_API RA_NODISCARD ra_status ra_backtest_run(ra_store *s, const ra_store_actor *actor,
                                              const ra_backtest_options *o,
                                              ra_backtest_result *res, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
