/* roboadvisor: equilibrium (implied) expected returns by reverse optimisation and their
 * Black-Litterman combination with views, in the He-Litterman (1999) form (src/core/bl.c).
 * Pure computation: caller-owned arrays, no I/O. Formulas, defaults and sources:
 * docs/methodology.md#equilibrium-returns-and-black-litterman.
 *
 * Matrices are row-major doubles; returns, variances and covariances are annual decimals (the
 * covariance of excess returns). n assets (or asset classes), k views. Every input must be
 * finite (RA_EINVAL naming the array and index otherwise). */
#ifndef ROBOADVISOR_BL_H
#define ROBOADVISOR_BL_H

#include "book.h"
#include "error.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RA_BL_TAU_DEFAULT 0.05        /* He and Litterman (1999): the prior's uncertainty scale */
#define RA_BL_MARKET_SHARPE_DEFAULT 0.25 /* market Sharpe ratio giving delta (docs) */
#define RA_BL_MAX_ASSETS 256
#define RA_BL_MAX_VIEWS 64

/* The market's risk aversion from its Sharpe ratio: the market portfolio w_mkt (weights, any
 * sum > 0, normalised here) has variance s2 = w'Sigma w and, in equilibrium, excess return
 * delta * s2; its Sharpe ratio is delta * sqrt(s2), so delta = sharpe / sqrt(s2). sharpe > 0. */
RA_API RA_NODISCARD ra_status ra_bl_delta(size_t n, const double *cov, const double *w_mkt,
                                          double sharpe, double *delta, ra_err *err);

/* Implied (equilibrium) excess returns pi = delta * Sigma * w_mkt (w_mkt normalised to sum 1).
 * delta > 0; the weights must be >= 0 with a positive sum. pi: n. */
RA_API RA_NODISCARD ra_status ra_bl_implied(size_t n, const double *cov, const double *w_mkt,
                                            double delta, double *pi, ra_err *err);

/* How each view's uncertainty omega_k (the diagonal of Omega) is set. */
typedef enum ra_bl_omega_kind {
    /* He and Litterman (1999): omega_k = tau * p_k Sigma p_k' (proportional to the prior's
     * variance of the view portfolio); `spec` is ignored (may be NULL). */
    RA_BL_OMEGA_PRIOR = 0,
    /* Idzorek (2004): spec[k] is the confidence c_k in (0, 1]; omega_k = tau * p_k Sigma p_k' *
     * (1 - c_k) / c_k, the exact solution of Idzorek's condition that the view, alone, moves the
     * unconstrained weights (delta Sigma)^-1 mu by c_k times its 100 %-confidence move (derivation
     * in the methodology). c_k = 1 gives omega_k = 0: the view holds exactly. */
    RA_BL_OMEGA_IDZOREK = 1,
    /* spec[k] is omega_k itself, >= 0. */
    RA_BL_OMEGA_GIVEN = 2
} ra_bl_omega_kind;

/* The Black-Litterman posterior. P: k x n view portfolios (a row of zeros is RA_EINVAL), q: k
 * view returns, tau in (0, 1]. Computes, with S = tau Sigma and A = P S P' + Omega:
 *   mu   = pi + S P' A^-1 (q - P pi)                     (posterior mean, n)
 *   post = Sigma + S - S P' A^-1 P S                      (posterior covariance of returns, n x n;
 *                                                          may be NULL)
 *   omega: the k view variances used (may be NULL).
 * k = 0 gives mu = pi, post = (1 + tau) Sigma. Sigma must be positive definite (RA_ESINGULAR
 * naming the asset otherwise); A must be too, which fails only when views with omega_k = 0 are
 * linearly dependent (RA_ESINGULAR naming the view). No allocation beyond one scratch block
 * (RA_ENOMEM). */
RA_API RA_NODISCARD ra_status ra_bl_posterior(size_t n, const double *cov, const double *pi,
                                              double tau, size_t k, const double *P,
                                              const double *q, ra_bl_omega_kind kind,
                                              const double *spec, double *mu, double *post,
                                              double *omega, ra_err *err);

/* The unconstrained mean-variance weights w = (delta * C)^-1 mu (C: a covariance, e.g. the
 * posterior one, which gives He and Litterman's w* = w_mkt / (1 + tau) + P' Lambda). w: n. */
RA_API RA_NODISCARD ra_status ra_bl_weights(size_t n, const double *c, const double *mu,
                                            double delta, double *w, ra_err *err);

/* --- views and market weights as firm data (parsed by bl_io.h) ------------------------------- */

#define RA_BL_SIDE_MAX 512 /* bytes of one side of a view: asset classes joined by ';' */
/* A view's confidence when the file leaves it empty: 50 %, which is exactly He and Litterman's
 * omega = tau p Sigma p' ((1 - c) / c = 1). */
#define RA_BL_CONFIDENCE_DEFAULT 0.5

/* One view on asset classes: absolute ("assets" returns ret a year) when versus is "", else
 * relative ("assets" outperform "versus" by ret a year). Each side holds its classes in
 * proportion to their market weights (He and Litterman's convention; equal weights when they
 * are all 0). */
typedef struct ra_bl_view_def {
    char code[RA_CODE_MAX];
    char assets[RA_BL_SIDE_MAX];
    char versus[RA_BL_SIDE_MAX];
    double ret;        /* annual excess return (decimal) */
    double confidence; /* Idzorek's confidence in (0, 1] */
    uint32_t line;     /* source line, for messages */
} ra_bl_view_def;

typedef struct ra_bl_views {
    size_t n;
    ra_bl_view_def v[RA_BL_MAX_VIEWS];
} ra_bl_views;

/* The market portfolio's weights by asset class (fractions, summing to 1). */
typedef struct ra_bl_market {
    size_t n;
    char cls[RA_BL_MAX_ASSETS][RA_CODE_MAX];
    double w[RA_BL_MAX_ASSETS];
} ra_bl_market;

/* The default market weights (docs/methodology.md#market-weights: rounded shares of the
 * investable global market, with their sources). */
RA_API void ra_bl_market_default(ra_bl_market *m);

/* Weight of class cls in m (0 when m does not name it; case-insensitive). */
RA_API double ra_bl_market_weight(const ra_bl_market *m, const char *cls);

/* The views as the P matrix (k x n over the n classes `cls`) and q (k) and confidences (k), with
 * w_mkt (n, >= 0) weighting the classes within a side. RA_EINVAL naming the view (its code and
 * line) for a class not among `cls`, a class on both sides, or an empty side. */
RA_API RA_NODISCARD ra_status ra_bl_views_matrix(const ra_bl_views *views, size_t n,
                                                 const char *const *cls, const double *w_mkt,
                                                 double *P, double *q, double *conf, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
