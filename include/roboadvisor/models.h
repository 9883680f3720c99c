/* roboadvisor: model portfolios (issue 7): built from a firm's shelf with the optimiser or authored
 * by hand, versioned and audited in the store; suitability of models for a client's level;
 * personalised account targets; anti-crowding variants. Method and defaults:
 * docs/methodology.md#model-portfolios. Pure parts: src/core/models.c; the store
 * parts are in store_models.h, the hand-authored CSV parser in models_io.h.
 *
 * Weights are fractions (sum 1 within RA_TOL_WEIGHT_SUM), returns and volatilities annual
 * decimals. Levels are 1..5 (R1..R5 for models, C1..C5 for clients). */
#ifndef ROBOADVISOR_MODELS_H
#define ROBOADVISOR_MODELS_H

#include "book.h"
#include "prof.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_MODELS_MAX_HOLDINGS 256      /* securities in one model */
#define RA_MODELS_METHOD_MAX 64         /* bytes of a method description */
#define RA_MODELS_MAX_CSV ((size_t)1 << 20) /* bytes of a hand-authored models file */
#define RA_MODELS_DEFAULT_MAX_WEIGHT 0.30   /* per-security cap of built models */
#define RA_MODELS_DEFAULT_MAX_IDENTICAL 3   /* anti-crowding: accounts per identical target */
#define RA_MODELS_DEFAULT_TE_BUDGET 0.005   /* anti-crowding: annual tracking error budget (50 bp) */
/* Two weights are the same if they differ by at most this (identical targets, versioning): well
 * above the optimiser's accuracy (RA_TOL_KKT), far below any meaningful position (0.01 bp). */
#define RA_MODELS_TOL_SAME 1e-6

/* The four broad groups every asset class maps to (docs/methodology.md#model-portfolios, the
 * table of asset classes). */
typedef enum ra_models_group {
    RA_MODELS_EQUITY = 0,
    RA_MODELS_BONDS = 1,
    RA_MODELS_REAL = 2, /* real assets: real estate, commodities, gold */
    RA_MODELS_CASH = 3
} ra_models_group;
#define RA_MODELS_N_GROUPS 4

/* The group of an asset class ("us_equity" -> equity, ...). Classes not in the table: by suffix
 * ("*_equity" equity, "*_bonds" bonds), else real assets (the conservative choice: counted as risky
 * but not as equity); *known says whether the class was in the table (may be NULL). */
RA_API ra_models_group ra_models_group_of(const char *asset_class, int *known);
RA_API const char *ra_models_group_name(ra_models_group g); /* "equity", "bonds", "real_assets", "cash" */

/* The equity band of level 1..5: [min, max] share of equity in a model built for that level; min
 * is one percentage point above the band of the level below, so a built model rates as its level. */
RA_API void ra_models_equity_band(int level, double *min, double *max);
/* A model's own risk level from its weighted equity share: the lowest level whose band's max
 * reaches the share (within RA_MODELS_TOL_SAME). */
RA_API int ra_models_level_of_equity(double equity_share);

/* One holding of a model. */
typedef struct ra_model_weight {
    char ticker[RA_CODE_MAX];
    double weight;
} ra_model_weight;

typedef struct ra_model {
    char code[RA_CODE_MAX];       /* "R3" for built models, any code for hand-authored ones */
    int version;                  /* 1, 2, ... (0: not stored yet) */
    int level;                    /* the model's own risk level 1..5, computed from its weights */
    int target_level;             /* the level it was built for (hand-authored: = level) */
    int built;                    /* 1 built by the optimiser, 0 authored by hand */
    char method[RA_MODELS_METHOD_MAX]; /* "max-sharpe ledoit-wolf", "manual" */
    ra_date from, to;             /* estimation window (0, 0 for hand-authored) */
    double expected_return;       /* annual, NAN if unknown */
    double volatility;            /* annual, NAN if unknown */
    double equity_share;          /* weighted equity share */
    int64_t created_at;           /* unix seconds when this version was stored (store fills) */
    size_t n;                     /* holdings, ticker order */
    ra_model_weight w[RA_MODELS_MAX_HOLDINGS];
} ra_model;

/* --- building (pure) --------------------------------------------------------------------------- */

typedef struct ra_models_build_settings {
    double max_weight;   /* per-security cap (default RA_MODELS_DEFAULT_MAX_WEIGHT); raised to
                          * 1/n_group for a group with too few members to fill its band */
    double rf;           /* annual risk-free rate for max-Sharpe (default 0) */
    double min_weight_keep; /* weights below this are dropped and the rest renormalised
                             * (default 0.005 = 0.5 %) */
} ra_models_build_settings;

RA_API void ra_models_build_settings_default(ra_models_build_settings *s);

/* Builds the model of `level` for a shelf of n securities: the maximum-Sharpe portfolio with
 * equity share in the level's band, each security's weight in [0, max_weight]; falls back to the
 * minimum-variance portfolio within the same limits if no portfolio beats rf. tickers,
 * asset_class: n names each (borrowed); mu: n annual means; cov: n*n annual covariance, row-major.
 * Fills out (code "R<level>", version 0, weights in the order given, zero weights left out).
 * RA_EINFEASIBLE naming the level if the shelf cannot meet its band. */
RA_API RA_NODISCARD ra_status ra_models_build_one(size_t n, const char *const *tickers,
                                                  const char *const *asset_class,
                                                  const double *mu, const double *cov, int level,
                                                  const ra_models_build_settings *s,
                                                  ra_model *out, ra_err *err);

/* Checks a model's weights (each in [0, 1], finite, sum 1 within RA_TOL_WEIGHT_SUM, tickers
 * distinct and non-empty, n <= RA_MODELS_MAX_HOLDINGS); sorts them by ticker. */
RA_API RA_NODISCARD ra_status ra_models_validate(ra_model *m, ra_err *err);
/* 1 if a and b hold the same tickers with weights within RA_MODELS_TOL_SAME (both sorted). */
RA_API int ra_models_same_weights(const ra_model *a, const ra_model *b);

/* --- personalised targets and anti-crowding (pure) --------------------------------------------- */

/* A security the target may use: its class and TLH group. */
typedef struct ra_models_universe {
    size_t n;
    const char *const *tickers;     /* n, borrowed */
    const char *const *asset_class; /* n */
    const char *const *tlh_group;   /* n ("" none) */
    const double *cov;              /* n*n annual covariance or NULL (tracking error then NAN) */
} ra_models_universe;

typedef struct ra_models_target_opts {
    const char *restrictions;  /* mandate.restrictions: tickers or asset classes, ';'-separated */
    double cash_reserve;       /* fraction kept in cash (ticker "" in the result), default 0 */
    const char *const *held;   /* tickers held in the account (keep instead of a TLH substitute) */
    size_t n_held;
    ra_account_type type;      /* account's tax type */
    int household_has_both;    /* the household has taxable and tax-deferred accounts */
} ra_models_target_opts;

/* An account's target. */
typedef struct ra_models_target {
    size_t n;                  /* holdings; ticker "" is the cash reserve */
    ra_model_weight w[RA_MODELS_MAX_HOLDINGS + 1];
    double te_ann;             /* tracking error against the model, annual (NAN without cov) */
    double l1;                 /* sum |target - model| */
    int variant;               /* 0: the personalised target; k > 0: anti-crowding variant k */
} ra_models_target;

/* The personalised target of an account from model m over universe u (see the methodology):
 * restricted tickers/classes removed and their weight given to the other holdings of the same
 * asset class (pro rata), else to all remaining holdings pro rata; a held TLH substitute replaces
 * the model's security; tax tilt; then scaled by 1 - cash_reserve with the reserve as cash.
 * RA_EINFEASIBLE if the restrictions remove everything; RA_ENOTFOUND if a model ticker is not in
 * u. Weights in ticker order. */
RA_API RA_NODISCARD ra_status ra_models_account_target(const ra_model *m,
                                                       const ra_models_universe *u,
                                                       const ra_models_target_opts *o,
                                                       ra_models_target *out, ra_err *err);

/* Tracking error (annual) sqrt(d' cov d) and L1 distance of target t against model m over u. */
RA_API RA_NODISCARD ra_status ra_models_drift(const ra_model *m, const ra_models_universe *u,
                                              const ra_models_target *t, double *te_ann,
                                              double *l1, ra_err *err);

/* Anti-crowding: given n targets (in account order), makes at most max_identical of them identical;
 * the others become distinct variants: first by swapping a security for a TLH-group substitute in
 * u, then by small weight tilts, each kept within te_budget (annual) of the model. Updates t[i]
 * (variant number, te_ann, l1). RA_EINFEASIBLE if a variant cannot be found within the budget
 * (the message names the account index). */
RA_API RA_NODISCARD ra_status ra_models_decrowd(const ra_model *m, const ra_models_universe *u,
                                                ra_models_target *t, size_t n,
                                                size_t max_identical, double te_budget,
                                                ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
