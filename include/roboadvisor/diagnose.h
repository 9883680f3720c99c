/* roboadvisor: diagnosis of a client's own portfolio (core layer, src/core/diagnose.c; issue 14,
 * docs/methodology.md#diagnosis, docs/cli.md#diagnose).
 *
 * Pure computation over what the engine read from the book (src/engine/diagnose.c): the holdings
 * with their prices, asset classes, risk levels and expense ratios, the daily returns of every
 * security over the window, the suitable model's weights and the client's level. Figures:
 * expected return and volatility (historical: annualised mean and sample covariance of the daily
 * simple returns), drawdown and historical CVaR of the current weights held through the window,
 * concentration, costs, overlap, suitability, distance to the model and to the efficient frontier
 * (ra_opt_solve), and the trades that fix what is found (ra_rebal_propose).
 *
 * Memory: ra_diag_run allocates the result's arrays (ra_malloc); ra_diag_result_free frees them.
 * Everything in ra_diag_input is borrowed. */
#ifndef ROBOADVISOR_DIAGNOSE_H
#define ROBOADVISOR_DIAGNOSE_H

#include "book.h"
#include "rebal.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_DIAG_DEFAULT_WINDOW_YEARS 3    /* the window of daily closes (3 calendar years) */
#define RA_DIAG_MIN_OBS 60                /* daily returns the window must hold at least */
#define RA_DIAG_DEFAULT_OVERLAP_CORR 0.90 /* two funds whose daily returns correlate above this
                                           * overlap (docs/methodology.md#diagnosis) */
#define RA_DIAG_CVAR_LEVEL 0.95           /* historical CVaR's confidence level */
#define RA_DIAG_TOP 5                     /* largest holdings reported */

/* One security held or named by the suitable model. */
typedef struct ra_diag_asset {
    const char *ticker;      /* borrowed */
    const char *asset_class; /* borrowed; "" unknown */
    int risk_level;          /* 1..5 (R1..R5); 0 unknown: counts as R5 */
    double expense_ratio;    /* annual decimal (0.0003 = 3 bp) */
    ra_price price;          /* > 0: the close on the diagnosis date or the latest before */
    ra_micro qty_micro;      /* held (>= 0) */
    ra_micro lot_micro;      /* tradable step (1 fractional, 1000000 whole shares) */
    double target;           /* the suitable model's weight of the whole value (cash reserve
                              * taken out); 0 when the model does not hold it */
} ra_diag_asset;

typedef struct ra_diag_input {
    size_t n;                 /* securities */
    const ra_diag_asset *a;   /* n */
    ra_minor cash_minor;      /* cash held (>= 0) */
    int minor_digits;         /* of the currency: 0, 2 or 3 */
    const double *ret;        /* n_obs x n daily simple returns, row-major, one date a row */
    size_t n_obs;             /* >= RA_DIAG_MIN_OBS */
    double ppy;               /* periods per year (252) */
    int client_level;         /* 1..5 (C1..C5) */
    int have_model;           /* 0: no suitable model: targets, model figures and trades left out */
    double cash_target;       /* the model's cash weight (the reserve) */
    double overlap_corr;      /* RA_DIAG_DEFAULT_OVERLAP_CORR */
    double band_abs, band_rel;/* drift bands of the fix (RA_REBAL_DEFAULT_BAND_*) */
    ra_date date;
} ra_diag_input;

/* Two held funds that overlap: the same asset class, or daily returns correlated above the
 * threshold (or both). */
typedef struct ra_diag_pair {
    size_t i, j;              /* asset indices, i < j */
    int same_class;
    double correlation;       /* of their daily returns over the window */
    int correlated;           /* correlation > overlap_corr */
} ra_diag_pair;

typedef struct ra_diag_class {
    char cls[RA_CODE_MAX];    /* "cash" for the cash line */
    double weight;            /* of the whole value */
    double target;            /* the model's (0 without a model) */
} ra_diag_class;

typedef struct ra_diag_result {
    ra_minor value_minor;     /* cash + sum of value(qty, price) */
    double *w;                /* n: each security's weight of the whole value */
    double cash_weight;
    /* return and risk of the current weights, cash earning 0 with no risk */
    double expected_return;   /* annual: sum_j w_j mu_j, mu_j = ppy * mean of r_j */
    double volatility;        /* annual: sqrt(w' S w), S = ppy * sample covariance */
    double max_drawdown;      /* the deepest fall of the portfolio's wealth in the window (> 0) */
    size_t dd_peak, dd_trough;/* its peak and trough as wealth points (0 = before the first return,
                               * t = after return t-1) */
    double current_drawdown;  /* 1 - last wealth / highest wealth */
    double var_1d, cvar_1d;   /* historical one-day VaR and CVaR at RA_DIAG_CVAR_LEVEL (losses,
                               * positive fractions) */
    double cvar_ann;          /* cvar_1d * sqrt(ppy) (square-root-of-time scaling) */
    /* concentration over the securities held, weights of the invested value (cash left out) */
    size_t top[RA_DIAG_TOP];  /* asset indices of the largest holdings, heaviest first */
    size_t n_top;
    ra_diag_class *classes;   /* n_classes, the largest first, then by name */
    size_t n_classes;
    double hhi;               /* sum of squared weights of the invested value */
    double n_effective;       /* 1 / hhi (0 when nothing is held) */
    /* costs */
    double expense_ratio;     /* sum_j w_j er_j (cash costs nothing), annual decimal */
    ra_minor cost_minor;      /* value_minor * expense_ratio, rounded once (ra_money_muldiv) */
    /* overlap */
    ra_diag_pair *pairs;
    size_t n_pairs;
    double *corr;             /* n*n correlation matrix of the daily returns */
    /* suitability */
    int *unsuitable;          /* n: 1 held and its level (unknown: R5) is above the client's */
    size_t n_unsuitable;
    double unsuitable_weight; /* their weight of the whole value */
    /* the suitable model (have_model) */
    double model_return, model_volatility; /* of the targets, like the portfolio's */
    double tracking_error;    /* annual: sqrt(d' S d), d = w - target */
    double l1;                /* sum_j |w_j - target_j| + |cash - cash_target| */
    /* the efficient frontier over the n securities (long-only, fully invested; the cash weight
     * kept: a frontier point with cash c has c times nothing plus 1 - c of the point) */
    int have_frontier;
    double frontier_vol_same_return;   /* lowest volatility with at least the expected return */
    double vol_saved;                  /* volatility - frontier_vol_same_return (>= 0) */
    int have_return_gain;              /* 0: no portfolio is as calm (volatility below the
                                        * minimum-variance portfolio's) */
    double frontier_return_same_vol;   /* highest expected return at no more volatility */
    double return_gained;              /* frontier_return_same_vol - expected_return */
    /* the fix (have_model): the rebalancer's trades, unsuitable sales first, then other sales,
     * then buys */
    ra_rebal_trade *trades;
    size_t n_trades;
    ra_rebal_result fix;      /* drift before and after, held_back */
} ra_diag_result;

/* Computes every figure. RA_EINVAL for malformed input (naming the asset: a price <= 0, a
 * negative quantity, n_obs < RA_DIAG_MIN_OBS, a level out of range, a NaN return); RA_ENOMEM.
 * The frontier is left out (have_frontier 0) when the optimiser finds no answer (a singular
 * covariance: two identical funds). On error *res holds nothing to free. */
RA_API RA_NODISCARD ra_status ra_diag_run(const ra_diag_input *in, ra_diag_result *res,
                                          ra_err *err);
RA_API void ra_diag_result_free(ra_diag_result *res);

#ifdef __cplusplus
}
#endif
#endif
