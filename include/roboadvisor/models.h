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
#include "onboard.h"
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

/* --- a model's risk level from its holdings (docs/methodology.md#rating-a-model) ------------ */

/* A holding weighing more than this is material: it rates the model at least one level below
 * its own (RA_MODELS_RULE_HOLDING). 5 %: the "small weight" of issue 10, the usual de-minimis
 * line of position limits; smaller holdings still count in the weighted average. */
#define RA_MODELS_MATERIAL_WEIGHT 0.05

/* The rules that can set a model's level (bits of ra_models_rating.rules). */
#define RA_MODELS_RULE_EQUITY 1u   /* the equity band of the weighted equity share */
#define RA_MODELS_RULE_AVERAGE 2u  /* ceil(weighted average holding level) - 1 */
#define RA_MODELS_RULE_HOLDING 4u  /* a material holding's level - 1 */

/* "equity", "average", "holding" for one RA_MODELS_RULE_ bit; NULL for anything else. */
RA_API const char *ra_models_rule_name(unsigned rule);

/* Why a model has its level: each rule's level, and which of them set it. */
typedef struct ra_models_rating {
    int level;                 /* max(1, by_equity, by_average, by_holding) */
    unsigned rules;            /* the rules whose level equals `level` */
    int by_equity, by_average, by_holding;
    double equity_share;       /* weighted equity share */
    double average_level;      /* sum of weight * holding level */
    char holding[RA_CODE_MAX]; /* the riskiest material holding ("" none); ties: the heaviest */
    int holding_level;         /* its level */
    double holding_weight;     /* its weight */
} ra_models_rating;

/* One holding of a model. */
typedef struct ra_model_weight {
    char ticker[RA_CODE_MAX];
    double weight;
} ra_model_weight;

/* One asset class of a two-stage model (docs/methodology.md#two-stage-models): how the class got
 * its weight and which fund fills it. */
#define RA_MODELS_MAX_CLASSES 32
typedef struct ra_model_class {
    char cls[RA_CODE_MAX];
    double market_weight;  /* its share of the market portfolio (the prior) */
    double pi;             /* equilibrium excess return, annual */
    double mu;             /* the return the optimiser used (mu - pi: the views' effect) */
    double weight;         /* its weight in the model */
    double weight_sd;      /* the weight's standard deviation over resampled inputs: how far it
                            * moves when the inputs move by their estimation error */
    char fund[RA_CODE_MAX];/* the shelf fund(s) that hold the weight, joined by '+' */
    double expense_ratio;  /* that fund's, annual */
    double tracking_error; /* that fund's against the class (annual) */
} ra_model_class;

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
    ra_models_rating rating;      /* why `level` (ra_models_rate) */
    int64_t created_at;           /* unix seconds when this version was stored (store fills) */
    size_t n;                     /* holdings, ticker order */
    ra_model_weight w[RA_MODELS_MAX_HOLDINGS];
    /* two-stage models: the class stage's objective and the model's CVaR (cvar_beta 0: not
     * computed, older or single-stage models); losses per period of the data (a day) */
    int objective;                /* ra_models_objective */
    double cvar_beta;             /* confidence level, e.g. 0.95 */
    double cvar, var;             /* CVaR and VaR of the class weights over the scenarios */
    double cvar_limit;            /* RA_MODELS_OBJ_CVAR_LIMIT: the limit */
    double mv_return, mv_cvar;    /* the mean-variance allocation's return and CVaR (the
                                   * comparison; NAN for mean-variance models) */
    char notes[1024];             /* fund choice: chosen and excluded funds, one a line */
    size_t n_classes;             /* two-stage models: the classes considered (0 otherwise) */
    ra_model_class classes[RA_MODELS_MAX_CLASSES];
} ra_model;

/* Rates model m (weights validated): asset_class and risk_level give each holding's asset class
 * and risk level 1..5 (0 or out of range, an unknown level, counts as 5), m->n each, in m->w's
 * order. Fills *out; sets m->level and m->equity_share from it. Rule:
 * docs/methodology.md#rating-a-model. RA_EINVAL for a NULL argument. */
RA_API RA_NODISCARD ra_status ra_models_rate(ra_model *m, const char *const *asset_class,
                                             const int *risk_level, ra_models_rating *out,
                                             ra_err *err);
/* The rating's reasons in one line ("R3: equity 45 % (R3 band); holding HYG 12 % is R4"). */
RA_API void ra_models_rating_format(const ra_models_rating *r, char *buf, size_t cap);

/* --- suitability of an assignment (pure, src/core/suit.c) ------------------------------------- */

/* May a product of level product_level (1..5) be assigned to client `client` whose stored
 * profile has level client_level (0: none stored) and expires on `expires`, on `date`? No
 * profile: RA_EINFEASIBLE, no override possible. Expired: RA_EINFEASIBLE unless a justification
 * is given. Unsuitable (ra_suit_check): RA_EINFEASIBLE unless a justification is given. A C1
 * client gets no override at all (RA_EINFEASIBLE: the rules make C1 protection absolute). An
 * allowed override fills res as ra_suit_check does (overridden 1, the justification, the reason);
 * a bad justification is RA_EINVAL. */
RA_API RA_NODISCARD ra_status ra_suit_assign_check(const char *client, int client_level,
                                                   ra_date expires, ra_date date,
                                                   int product_level, const char *product,
                                                   const char *justification,
                                                   ra_suit_result *res, ra_err *err);

/* --- an agent's parameters on re-onboarding (pure, src/core/suit.c) --------------------------- */

#define RA_AGENT_N_PARAMS 6 /* risk_level, objective, drift_band, tlh, loss_limit, cash_reserve */

/* Per parameter (ra_agent_param_name order): kept from the current agent or reset, and why. */
typedef struct ra_agent_keep {
    int reset[RA_AGENT_N_PARAMS];
    char why[RA_AGENT_N_PARAMS][128];  /* "" when kept */
} ra_agent_keep;

RA_API const char *ra_agent_param_name(size_t i); /* "risk_level", ...; "?" out of range */
/* The parameters for an agent after its client is (re-)profiled at `level` (1..5): cur's (NULL:
 * none) where still suitable, else the defaults of ra_agent_params_default(level): risk_level
 * is reset when above level, objective when more aggressive than the level's default; drift band,
 * TLH, loss limit and cash reserve are kept (they take no risk the profile governs); invalid
 * current parameters are all reset. */
RA_API void ra_agent_params_keep(const ra_agent_params *cur, int level, ra_agent_params *out,
                                 ra_agent_keep *keep);

/* --- building (pure) --------------------------------------------------------------------------- */

typedef struct ra_models_build_settings {
    double max_weight;   /* per-security cap (default RA_MODELS_DEFAULT_MAX_WEIGHT); raised to
                          * 1/n_group for a group with too few members to fill its band */
    double rf;           /* annual risk-free rate for max-Sharpe (default 0) */
    double min_weight_keep; /* weights below this are dropped and the rest renormalised
                             * (default 0.005 = 0.5 %) */
    const int *risk_level;  /* n securities' levels 1..5 or NULL (then not constrained): a
                             * security more than one level above the model's is capped at
                             * RA_MODELS_MATERIAL_WEIGHT, and the group of them is tightened
                             * until the model rates at its level (ra_models_rate) */
    const size_t *slots;    /* n or NULL: security i stands for an asset class whose weight
                             * the caller will spread over slots[i] funds (0: one fund, as
                             * NULL), each at most RA_MODELS_MATERIAL_WEIGHT when the class is
                             * riskier than the level: its cap is slots[i] times that and it
                             * never counts as a material holding (two-stage models) */
    size_t max_assets;      /* > 0: at most this many securities held (ra_card_solve,
                             * docs/methodology.md#cardinality); 0: no limit */
    double min_position;    /* > 0: a security held weighs at least this; 0: none */
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

/* --- minimum-CVaR class weights (two-stage models, `models build --objective cvar`;
 * src/core/models_cvar.c; docs/methodology.md#the-cvar-objective) ------------------------------ */

#define RA_MODELS_REAL_ASSETS_MAX 0.20  /* real assets at most 20 % at every level */

/* The objective of a two-stage model's class stage (ra_model.objective). */
typedef enum ra_models_objective {
    RA_MODELS_OBJ_MEAN_VARIANCE = 0, /* maximum Sharpe ratio (the default) */
    RA_MODELS_OBJ_CVAR = 1,          /* minimum CVaR at the mean-variance return */
    RA_MODELS_OBJ_CVAR_LIMIT = 2     /* highest expected return with CVaR <= a limit */
} ra_models_objective;
RA_API const char *ra_models_objective_name(int obj); /* "mean-variance", "cvar", "cvar-limit" */

typedef struct ra_models_cvar_classes {
    size_t k;                 /* classes, 1..RA_MODELS_MAX_CLASSES */
    const char *const *cls;   /* k asset classes (their group: ra_models_group_of); borrowed */
    const int *risk_level;    /* k class levels 1..5 (other values: unknown, counted as 5) */
    const size_t *slots;      /* k or NULL: as ra_models_build_settings.slots (a class riskier
                               * than the level is capped at max(slots, 1) x 5 %) */
    const double *mu;         /* k annual expected returns */
    size_t T;                 /* scenarios */
    const double *scen;       /* T*k per-period class returns, row-major (decimals); borrowed */
    double beta;              /* CVaR confidence, (0, 1) */
    int level;                /* 1..5: the equity band, the riskier classes' caps, the rating */
    double min_class;         /* a class held weighs at least this (0: none) */
    const double *keep;       /* k or NULL: a portfolio to keep feasible (the mean-variance
                               * classes): a class it holds that falls below min_class gets a
                               * lower bound instead of being dropped */
    int has_target;           /* minimum CVaR with mu'w >= target */
    double target;
    double limit;             /* > 0 (and no target): the highest mu'w with CVaR <= limit, a
                               * per-period loss (0.01 = 1 % of the portfolio) */
} ra_models_cvar_classes;

/* The class weights w (k) of least CVaR (or highest return under the limit) that a built model
 * of p->level may hold: fully invested, long-only, equity share in the level's band, real assets
 * at most RA_MODELS_REAL_ASSETS_MAX, each class riskier than the level by more than one capped,
 * every class held at least min_class (the smallest below it dropped and solved again), the
 * weighted average level at most level + 1 (the rating's average rule, a linear row of the LP).
 * *cvar, *var: of w over the scenarios (ra_cvar_eval). Allocates its
 * scratch with ra_malloc. RA_EINFEASIBLE names the level and the cause. */
RA_API RA_NODISCARD ra_status ra_models_cvar_solve(const ra_models_cvar_classes *p, double *w,
                                                   double *cvar, double *var, ra_err *err);

/* --- choosing a class's fund (two-stage models, stage 2; src/core/models_funds.c;
 * docs/methodology.md#two-stage-models) ------------------------------------------------------- */

/* Two expense ratios this close (half a basis point) are the same cost: tracking decides. */
#define RA_MODELS_ER_SAME 0.00005

/* One fund of a class, as stage 2 ranks it. */
typedef struct ra_models_fund {
    const char *ticker;
    int pinned;              /* the firm's own fund (`views pins`) */
    double expense_ratio;    /* annual */
    double tracking_error;   /* against the class, annual */
    int64_t adv;             /* average daily traded value, whole currency units; 0 unknown */
} ra_models_fund;

/* < 0 when a is preferred to b: pinned first, then the lower expense ratio (within
 * RA_MODELS_ER_SAME the same), the lower tracking error, the higher daily value (known before
 * unknown), the ticker. */
RA_API int ra_models_fund_cmp(const ra_models_fund *a, const ra_models_fund *b);
/* 1 when a fund may fill a class under the firm's minimum daily value min_adv (0: none): its
 * value is unknown (never excluded for missing data) or at least the minimum. */
RA_API int ra_models_fund_eligible(const ra_models_fund *f, int64_t min_adv);
/* Why `chosen` fills its class over `next` (the next eligible fund, NULL if none), one line:
 * "VTI chosen: lowest cost 0.03 %", "... same cost as SCHB, lower tracking 0.10 %", "... pinned
 * by the firm", with "; daily value unknown" when min_adv > 0 and its value is unknown. */
RA_API void ra_models_fund_why(const ra_models_fund *chosen, const ra_models_fund *next,
                               int64_t min_adv, char *buf, size_t cap);
/* "XYZ excluded: daily value 1.2 M below the firm's minimum 5 M". */
RA_API void ra_models_fund_why_not(const ra_models_fund *f, int64_t min_adv, char *buf,
                                   size_t cap);
/* A whole amount in short form: "950", "12.5 k", "1.2 M", "3.4 bn". */
RA_API void ra_models_amount_short(int64_t v, char *buf, size_t cap);

/* Checks a model's weights (each in [0, 1], finite, sum 1 within RA_TOL_WEIGHT_SUM, tickers
 * distinct and non-empty, n <= RA_MODELS_MAX_HOLDINGS); sorts them by ticker. */
RA_API RA_NODISCARD ra_status ra_models_validate(ra_model *m, ra_err *err);
/* 1 if a and b hold the same tickers with weights within RA_MODELS_TOL_SAME (both sorted). */
RA_API int ra_models_same_weights(const ra_model *a, const ra_model *b);
/* 1 when m's expected_return is an annual return in excess of cash: a two-stage model built on
 * equilibrium or Black-Litterman returns (method "two-stage equilibrium ..." or "two-stage
 * black-litterman ..."); 0 when it is a total return (two-stage historical or EWMA means, the
 * single stage's historical means, hand-authored). The method is the only record a stored model
 * keeps of how its returns were made (docs/methodology.md#saved-goal-plans). */
RA_API int ra_models_returns_excess(const ra_model *m);

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

/* 1 if targets a and b are identical in the anti-crowding sense: the same tickers (cash "" included)
 * in the same order, weights within RA_MODELS_TOL_SAME. */
RA_API int ra_models_same_target(const ra_models_target *a, const ra_models_target *b);

/* Anti-crowding: given n targets (in account order), makes at most max_identical of them identical;
 * the others become distinct variants: first by swapping a security for a TLH-group substitute in
 * u, then by small weight tilts, each kept within te_budget (annual) of the model. Updates t[i]
 * (variant number, te_ann, l1). RA_EINFEASIBLE if a variant cannot be found within the budget
 * (the message names the account index). */
RA_API RA_NODISCARD ra_status ra_models_decrowd(const ra_model *m, const ra_models_universe *u,
                                                ra_models_target *t, size_t n,
                                                size_t max_identical, double te_budget,
                                                ra_err *err);

/* One anti-crowding move: weight delta from security `from` to security `to` (indices into the
 * universe; a TLH swap moves the whole weight of `from` to an unheld substitute). */
typedef struct ra_models_move {
    size_t from, to;
    double delta;
} ra_models_move;

/* The daily cycle's k-th (0-based) anti-crowding move of the dense target base (u->n + 1
 * weights, cash last; u->cov needed): first every TLH swap (a held security's whole weight to
 * an unheld security of its TLH group, in universe order), then pairwise tilts between held
 * securities i != j in universe order, at fractions 63/64, 62/64, .. 1/64 of te_budget (delta =
 * f te_budget / sqrt(s_ii + s_jj - 2 s_ij), at most half of base[i]): a tilt's tracking error
 * against base is f te_budget, never above the budget. A swap's is not bounded here: the caller
 * measures it. Returns 1 with *mv, 2 for a candidate too small to be distinct (skip it), 0 when
 * the candidates are exhausted (or no covariance or budget). Pure; docs/methodology.md#anti-crowding. */
RA_API int ra_models_crowd_move(const ra_models_universe *u, const double *base, size_t k,
                                double te_budget, ra_models_move *mv);

#ifdef __cplusplus
}
#endif
#endif
