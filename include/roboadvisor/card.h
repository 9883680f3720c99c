/* roboadvisor: at most K assets held, each held asset at least a minimum weight
 * (src/core/card.c). A mixed-integer QP: exact branch and bound over the QP relaxation for small
 * shelves, a relax-and-swap heuristic beyond. Method, references and defaults:
 * docs/methodology.md#cardinality. */
#ifndef ROBOADVISOR_CARD_H
#define ROBOADVISOR_CARD_H

#include "opt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ra_card_settings {
    size_t max_assets;  /* K: at most this many weights above zero; 0 = no limit */
    double min_weight;  /* m: a held asset's weight is 0 or at least this; 0 = none */
    size_t exact_max_n; /* exact branch and bound up to this many assets (default 25) */
    long node_limit;    /* relaxations solved before the search stops (default 200000) */
    int heuristic;      /* 1: the heuristic whatever n is (to measure its gap) */
} ra_card_settings;

typedef struct ra_card_result {
    double *w;              /* n weights; caller-provided */
    double expected_return; /* mu'w (NAN without mu) */
    double volatility;      /* sqrt(w'cov w) */
    double sharpe;          /* (expected_return - rf) / volatility (NAN without mu) */
    double objective;       /* the objective's value: variance, or the Sharpe ratio for MAX_SHARPE */
    double bound;           /* best bound on it: lowest variance or highest Sharpe any portfolio
                             * meeting the limits can have (equal to objective when proven) */
    size_t held;            /* weights above zero */
    long nodes;             /* QP relaxations solved */
    int proven_optimal;     /* 1 when the search finished: objective is the optimum */
    int used_heuristic;     /* 1 when the heuristic gave the answer (n > exact_max_n or asked) */
} ra_card_result;

RA_API void ra_card_settings_default(ra_card_settings *s);

/* Solves MIN_VARIANCE, TARGET_RETURN (mu'w = target) or MAX_SHARPE under p's bounds (lo >= 0),
 * budget and groups plus the cardinality and minimum-weight limits of s. Allocates its workspace
 * with ra_malloc and frees it before returning. RA_EINFEASIBLE when no portfolio meets the
 * limits ("no portfolio of at most 2 assets of at least 0.40 meets the limits"); RA_ENOCONV when
 * the node limit ends the search before any portfolio is found; RA_EINVAL on malformed input. */
RA_API RA_NODISCARD ra_status ra_card_solve(const ra_opt_problem *p, ra_opt_objective obj,
                                            const ra_card_settings *s, ra_card_result *res,
                                            ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
