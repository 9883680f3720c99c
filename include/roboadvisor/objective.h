/* roboadvisor: the client's own objectives in the mandate (src/core/objective.c).
 *
 * A model portfolio is built for a risk level's typical client. A client's mandate may state
 * objectives of their own (the seed's "incentive" settings): a risk aversion above or below the
 * model's, a penalty on tracking error to the model, a penalty on turnover, and a limit on
 * drawdown risk as a CVaR. The account's target then solves, over the securities of its
 * personalised target t (budget B = sum t, the rest is the cash reserve), w >= 0, sum w = B:
 *
 *   min  delta * (r/2) w'S w  - delta * t'S w  +  delta * (lambda/2) (w - t)'S (w - t)
 *        + tau * |w - h|_1
 *
 * where S is the annual covariance, delta the model's implied risk aversion (the market Sharpe
 * ratio over the volatility of t / B, so that the implied returns pi = delta S t / B have that
 * Sharpe ratio: reverse optimisation, He & Litterman 1999), r the client's risk aversion as a
 * multiple of the model's, lambda the tracking-error penalty, tau the turnover penalty (annual
 * return given up per unit of weight traded) and h the current weights. With r = 1 and tau = 0
 * the answer is t itself; without binding bounds it is the blend
 *   w = a t + (1 - a) m,  a = (1 + lambda) / (r + lambda)
 * of t and the minimum-variance portfolio m of budget B (hand derivation in
 * docs/methodology.md#client-objectives). A CVaR limit raises r (bisection on log r) until the
 * historical CVaR of w is within it. */
#ifndef ROBOADVISOR_OBJECTIVE_H
#define ROBOADVISOR_OBJECTIVE_H

#include "common.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_OBJ_RISK_AVERSION_MIN 0.25 /* the client's multiple of the model's risk aversion */
#define RA_OBJ_RISK_AVERSION_MAX 4.0
#define RA_OBJ_TE_PENALTY_MAX 100.0
#define RA_OBJ_TURNOVER_PENALTY_MAX 0.05 /* annual return per unit of weight traded */
#define RA_OBJ_CVAR_LIMIT_MAX 0.5        /* one day's 95 % CVaR, a fraction of the account */
#define RA_OBJ_CVAR_BETA 0.95
#define RA_OBJ_R_CEILING 1000.0          /* the largest r the CVaR search tries */

/* The client's objectives as the mandate keeps them; all 0: none (the model's target). */
typedef struct ra_client_objective {
    double risk_aversion;    /* r: 0 or 1 the model's own; else in [0.25, 4] */
    double te_penalty;       /* lambda >= 0 (0: none) */
    double turnover_penalty; /* tau >= 0, annual return per unit of weight traded (0: none) */
    double cvar_limit;       /* > 0: one day's 95 % historical CVaR at most this; 0: none */
} ra_client_objective;

/* 1 when o changes anything (an r other than 0 and 1, a turnover penalty or a CVaR limit; a
 * tracking-error penalty alone leaves t as it is). */
RA_API int ra_client_objective_active(const ra_client_objective *o);

/* Checks the ranges above (RA_EINVAL naming the key). */
RA_API RA_NODISCARD ra_status ra_client_objective_check(const ra_client_objective *o,
                                                        ra_err *err);

/* What the objectives did to the target: every figure before (t) and after (w). */
typedef struct ra_client_effect {
    double delta;                  /* the model's implied risk aversion used */
    double r_used;                 /* the risk-aversion multiple in the end (CVaR may raise it) */
    double te_ann;                 /* annual tracking error of w against t, sqrt(d'S d) */
    double l1;                     /* one-way change, half of sum |w - t| */
    double vol_before, vol_after;  /* annual volatility of t and of w (the account, cash at 0) */
    double ret_before, ret_after;  /* implied expected return pi'w, annual */
    double cvar_before, cvar_after;/* one day's 95 % historical CVaR; NAN without scenarios */
    double turn_before, turn_after;/* one-way trading to t and to w from the current weights h,
                                    * half of sum |x - h|; NAN without h */
    int cvar_met;                  /* 1 within the limit (or none); 0 not even at the ceiling */
} ra_client_effect;

/* The client's target w (n weights) from the personalised target t (n weights, each >= 0, sum
 * in (0, 1]), the annual covariance S (n*n), the current weights h (n, or NULL: no turnover
 * penalty applies), scen (T*n daily simple returns, or NULL/T 0: no CVaR limit applies, its
 * figures NAN) and the market Sharpe ratio giving delta. RA_ESINGULAR when S is not positive
 * definite on t's securities; RA_EINVAL for malformed input. eff may be NULL. */
RA_API RA_NODISCARD ra_status ra_client_target(size_t n, const double *t, const double *cov,
                                               const double *h, const double *scen, size_t T,
                                               double market_sharpe,
                                               const ra_client_objective *o, double *w,
                                               ra_client_effect *eff, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
