/* roboadvisor: model portfolios and the onboarding proposal, orchestrated over the store (engine
 * layer, src/engine/models.c and src/engine/onboard_generate.c): the shelf's estimates, building
 * the five level models, every account's target with anti-crowding, the suitable model proposed
 * at onboarding, and onboarding from generated answers. The CLI only parses, calls and prints.
 * Method: docs/methodology.md#model-portfolios; commands: docs/cli.md#models, docs/cli.md#onboard.
 * Arrays returned here are allocated with ra_malloc and freed by the matching _free. */
#ifndef ROBOADVISOR_ENGINE_MODELS_H
#define ROBOADVISOR_ENGINE_MODELS_H

#include "bl.h"
#include "onboard.h"
#include "store_models.h"
#include "store_profiles.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- the shelf --------------------------------------------------------------------------------- */

/* The firm's on-shelf, complete securities with at least 3 prices in the window, restricted to
 * the dates they all share (at least 30), and their annual estimates. */
typedef struct ra_models_shelf {
    size_t n, n_obs;                /* securities; daily returns */
    char (*ticker)[RA_CODE_MAX];    /* n */
    char (*cls)[RA_CODE_MAX];       /* n asset classes */
    int *risk_level;                /* n, 1..5 (R1..R5) */
    const char **tp, **cp;          /* n pointers into ticker and cls */
    double *mu, *cov;               /* n annual means; n*n annual covariance, row-major */
    double *ret;                    /* n_obs x n daily simple returns, row-major */
    double *expense_ratio;          /* n, annual */
    ra_date from, to;               /* first and last shared price date */
    int64_t *adv;                   /* n average daily traded values (whole units; 0 unknown) */
} ra_models_shelf;

/* Loads the shelf of firm with prices in [from, to] (from 0: the first price; to 0: the latest
 * price). sample_cov: 1 sample covariance, 0 Ledoit-Wolf. RA_EINFEASIBLE when fewer than 2
 * securities or 30 shared dates remain. On error *sh holds nothing. */
RA_API RA_NODISCARD ra_status ra_models_shelf_load(ra_store *s, const char *firm, ra_date from,
                                                   ra_date to, int sample_cov,
                                                   ra_models_shelf *sh, ra_err *err);
RA_API void ra_models_shelf_free(ra_models_shelf *sh);

/* --- building ---------------------------------------------------------------------------------- */

typedef struct ra_models_build_opts {
    ra_date from;          /* first price of the window (0: the first price) */
    ra_date date;          /* the build date: the window ends here, never later (0: the latest
                            * price in the book) */
    int sample_cov;        /* 1 sample, 0 Ledoit-Wolf (default) */
    double max_weight;     /* per-security cap (RA_MODELS_DEFAULT_MAX_WEIGHT); single stage */
    /* Two stages (docs/methodology.md#two-stage-models): asset classes first, then one fund per
     * class. Off (0): the single-stage build over the whole shelf with historical means. */
    int two_stage;
    int returns;           /* ra_models_returns: the classes' expected returns */
    double tau;            /* Black-Litterman tau (RA_BL_TAU_DEFAULT) */
    double market_sharpe;  /* gives delta (RA_BL_MARKET_SHARPE_DEFAULT) */
    double min_class;      /* a class held weighs at least this (RA_MODELS_DEFAULT_MIN_CLASS) */
    double ewma_lambda;    /* RA_EWMA_LAMBDA_DEFAULT */
    size_t draws;          /* resamples of the inputs for each level (RA_MODELS_DEFAULT_DRAWS):
                            * the weights' sensitivity, and the model itself when resample */
    int resample;          /* 1: the model is the average over the draws (Michaud) */
    uint64_t seed;         /* of the draws (default 1): the same seed, the same models */
    double max_turnover;   /* > 0: each model moves from its stored version towards the new
                            * build by at most this one-way turnover (docs/methodology.md
                            * #stability); 0: no bound */
    size_t max_funds;      /* > 0: at most this many holdings: classes in the two-stage build
                            * (each filled by its fund), securities in the single stage
                            * (docs/methodology.md#cardinality); 0: no limit */
    double min_position;   /* > 0: a holding held weighs at least this (same holdings); 0: none */
    /* The class stage's objective (two stages, `models build` only; docs/methodology.md
     * #the-cvar-objective): RA_MODELS_OBJ_MEAN_VARIANCE (default), RA_MODELS_OBJ_CVAR (least CVaR
     * at each level's mean-variance return) or RA_MODELS_OBJ_CVAR_LIMIT (highest return with CVaR
     * <= cvar_limit[level - 1]). Every two-stage model reports its CVaR at cvar_beta. */
    int objective;
    double cvar_beta;      /* RA_MODELS_DEFAULT_CVAR_BETA */
    double cvar_limit[RA_PROF_LEVELS]; /* per level, one day's loss (decimal) */
} ra_models_build_opts;

#define RA_MODELS_DEFAULT_CVAR_BETA 0.95

#define RA_MODELS_DEFAULT_DRAWS 50

/* The classes' expected returns in a two-stage build. */
typedef enum ra_models_returns {
    RA_MODELS_RETURNS_EQUILIBRIUM = 0, /* pi = delta Sigma w_mkt, with the firm's views (BL) */
    RA_MODELS_RETURNS_HISTORICAL = 1,  /* the classes' sample means (noisy: a warning) */
    RA_MODELS_RETURNS_EWMA = 2         /* exponentially weighted means (noisy: a warning) */
} ra_models_returns;
RA_API const char *ra_models_returns_name(int r); /* "equilibrium", "historical", "ewma" */

#define RA_MODELS_DEFAULT_MIN_CLASS 0.02 /* 2 %: below it a class is not worth its fund */

#define RA_MODELS_CLASS_FUNDS 16 /* funds of one class considered (the first 16 by preference) */

/* The class-level inputs of a two-stage build (also what `views test` shows). */
typedef struct ra_models_class_inputs {
    size_t n;                                  /* classes */
    char cls[RA_MODELS_MAX_CLASSES][RA_CODE_MAX];
    /* each class's shelf funds in the order they fill it: pinned first, then the lowest expense
     * ratio, then the lowest tracking error against the class, then the ticker */
    size_t n_funds[RA_MODELS_MAX_CLASSES];
    char fund[RA_MODELS_MAX_CLASSES][RA_MODELS_CLASS_FUNDS][RA_CODE_MAX];
    int pinned[RA_MODELS_MAX_CLASSES][RA_MODELS_CLASS_FUNDS];
    double expense_ratio[RA_MODELS_MAX_CLASSES][RA_MODELS_CLASS_FUNDS];
    double tracking_error[RA_MODELS_MAX_CLASSES][RA_MODELS_CLASS_FUNDS];
    int fund_level[RA_MODELS_MAX_CLASSES][RA_MODELS_CLASS_FUNDS];
    int64_t fund_adv[RA_MODELS_MAX_CLASSES][RA_MODELS_CLASS_FUNDS]; /* daily value, 0 unknown */
    /* the firm's minimum daily traded value (models settings --min-adv; 0 none) and the funds it
     * excluded (docs/methodology.md#two-stage-models) */
    int64_t min_adv;
    size_t n_excluded;
    struct {
        char ticker[RA_CODE_MAX];
        size_t cls;                            /* its class (index) */
        int64_t adv;
    } excluded[RA_MODELS_MAX_CLASSES * 2];
    double w_mkt[RA_MODELS_MAX_CLASSES];       /* market weights (normalised over the classes) */
    double pi[RA_MODELS_MAX_CLASSES];          /* equilibrium returns */
    double mu[RA_MODELS_MAX_CLASSES];          /* the returns used */
    double cov[RA_MODELS_MAX_CLASSES * RA_MODELS_MAX_CLASSES]; /* the covariance used */
    double delta, tau, market_sharpe;
    int returns;                               /* ra_models_returns */
    int64_t views_version, market_version, pins_version; /* 0: none (market: the default) */
    size_t n_views;
    char unweighted[RA_MODELS_MAX_CLASSES][RA_CODE_MAX]; /* classes with no market weight */
    size_t n_unweighted;
    size_t n_obs;
    ra_date from, to;
    /* each view (equilibrium returns only): its code, return q, confidence, variance omega, and
     * the return of its portfolio under the prior (P pi) and the posterior (P mu) */
    struct {
        char code[RA_CODE_MAX];
        double q, confidence, omega, prior, posterior;
    } view[RA_BL_MAX_VIEWS];
} ra_models_class_inputs;

/* Loads the shelf and computes the class inputs for options o (two_stage ignored). out is large:
 * allocate it. */
RA_API RA_NODISCARD ra_status ra_models_class_inputs_load(ra_store *s, const char *firm,
                                                          const ra_models_build_opts *o,
                                                          ra_models_class_inputs *out,
                                                          ra_err *err);

void ra_models_build_opts_default(ra_models_build_opts *o);

typedef struct ra_models_build_result {
    size_t n_shelf, n_obs;             /* securities and daily returns used */
    ra_date from, to;                  /* the window actually used (to <= date) */
    ra_model models[RA_PROF_LEVELS];   /* R1..R5 as stored */
    int created[RA_PROF_LEVELS];       /* 1 a new version was stored, 0 unchanged */
    int two_stage;                     /* 1: ci holds the class inputs used */
    double turnover[RA_PROF_LEVELS];   /* one-way turnover from the stored version (0: none) */
    double unbounded[RA_PROF_LEVELS];  /* what it would have been without max_turnover */
    ra_models_class_inputs ci;
} ra_models_build_result;

/* Builds the model of every level R1..R5 from the shelf (ra_models_build_one) and stores each
 * (ra_models_put) in one write scope: all five or none. res is large: allocate it. */
RA_API RA_NODISCARD ra_status ra_models_build_all(ra_store *s, const ra_store_actor *actor,
                                                  const ra_models_build_opts *o,
                                                  ra_models_build_result *res, ra_err *err);

/* --- stability of the models over the history (`models stability`) --------------------------- */

typedef struct ra_models_stability_row {
    ra_date date;                        /* the rebuild's date (a month end) */
    double free[RA_PROF_LEVELS];         /* one-way turnover from the previous rebuild, unbounded */
    double bounded[RA_PROF_LEVELS];      /* the same with the bound (= free when none) */
} ra_models_stability_row;

typedef struct ra_models_stability {
    size_t n;                            /* rebuilds (the first has no turnover) */
    ra_models_stability_row *rows;       /* ra_malloc'd: ra_models_stability_free */
    double mean_free[RA_PROF_LEVELS], max_free[RA_PROF_LEVELS];
    double mean_bounded[RA_PROF_LEVELS], max_bounded[RA_PROF_LEVELS];
    double gap[RA_PROF_LEVELS];          /* mean one-way distance of the bounded model from the
                                          * unbounded one: what the bound costs */
} ra_models_stability;

/* Rebuilds the two-stage models (options o; nothing stored) at every `step_months`-th month end
 * in [from, to], each on the `window_months` months of prices before it, and measures each level's
 * one-way turnover (half the sum of |w_t - w_t-1| over funds) between consecutive rebuilds; with
 * max_turnover > 0 each rebuild moves from the previous bounded model towards the new one by the
 * largest fraction that keeps the turnover within it (docs/methodology.md#stability). */
RA_API RA_NODISCARD ra_status ra_models_stability_run(ra_store *s, const char *firm,
                                                      const ra_models_build_opts *o, ra_date from,
                                                      ra_date to, int step_months,
                                                      int window_months, double max_turnover,
                                                      ra_models_stability *out, ra_err *err);
RA_API void ra_models_stability_free(ra_models_stability *st);

/* --- the firm's model inputs (`roboadvisor views`) ------------------------------------------- */

/* Parses text (named `name` in messages) as the kind's CSV (bl_io.h; pins: "ticker" then one
 * ticker a line), checks it against the firm's book (views: every class is on the shelf; pins:
 * every ticker is an on-shelf security) and stores its canonical form as the next version
 * (ra_store_model_input_put). */
RA_API RA_NODISCARD ra_status ra_models_input_set(ra_store *s, const ra_store_actor *actor,
                                                  int kind, const char *text, size_t size,
                                                  const char *name, const char *reason,
                                                  int64_t *version, ra_err *err);

/* --- targets and anti-crowding ----------------------------------------------------------------- */

typedef struct ra_models_targets {
    size_t n;                          /* accounts of the firm, code order */
    char (*account)[RA_CODE_MAX];      /* n */
    char (*model)[RA_CODE_MAX];        /* n: "" when the account has no target */
    ra_models_target *t;               /* n */
    size_t n_targets, n_variants;      /* accounts with a target; of them, variants (> 0) */
    double te_max, te_mean, l1_max, l1_mean; /* over the variants (0 if none) */
    int have_cov;                      /* 0: the shelf could not be estimated, TE not computed */
} ra_models_targets;

/* Every account's personalised target (ra_models_target_for_account), then anti-crowding per
 * model (ra_models_decrowd with max_identical, te_budget) over the shelf's covariance (window up
 * to the latest price). An account without a model has no target (model ""). */
RA_API RA_NODISCARD ra_status ra_models_targets_run(ra_store *s, const char *firm,
                                                    double cash_reserve, size_t max_identical,
                                                    double te_budget, ra_models_targets *out,
                                                    ra_err *err);
RA_API void ra_models_targets_free(ra_models_targets *t);

/* --- the onboarding proposal ------------------------------------------------------------------- */

typedef struct ra_models_proposal {
    int have_model;
    char model[RA_CODE_MAX];
    int model_version, model_level;
    char note[160];                    /* why there is no model */
    ra_models_target target;
} ra_models_proposal;

/* The suitable model of the highest level <= level (the latest versions); with an account, it is
 * assigned (ra_models_assign on `date`, the level from the client's stored profile) and its
 * target computed with cash_reserve. No suitable model: RA_OK with have_model 0 and the note. */
RA_API RA_NODISCARD ra_status ra_models_propose(ra_store *s, const ra_store_actor *actor,
                                                const char *account, int level, ra_date date,
                                                double cash_reserve, ra_models_proposal *p,
                                                ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
