/* Equilibrium returns and the Black-Litterman posterior (include/roboadvisor/bl.h). The posterior
 * is computed in the "update" form pi + S P' A^-1 (q - P pi), which needs only the k x k matrix A
 * factored (Cholesky, LAPACK dpotrf) and stays exact when a view has omega = 0 (Idzorek's 100 %
 * confidence), where the textbook precision form [(tau Sigma)^-1 + P' Omega^-1 P]^-1 cannot be
 * used. The golden tests compute the precision form in R (tests/golden/bl), so the two agree
 * only if both are right. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/bl.h>

#include <cblas.h>
#include <lapacke.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static ra_status check_finite(const char *what, const double *x, size_t len, ra_err *err)
{
    for (size_t i = 0; i < len; i++)
        if (!isfinite(x[i]))
            return ra_err_set(err, RA_EINVAL, what, "%s[%zu] is not a finite number", what, i);
    return RA_OK;
}

static ra_status check_n(size_t n, const double *cov, ra_err *err)
{
    if (n == 0 || n > RA_BL_MAX_ASSETS)
        return ra_err_set(err, RA_EINVAL, "n", "the number of assets %zu is not 1..%d", n,
                          RA_BL_MAX_ASSETS);
    if (!cov)
        return ra_err_set(err, RA_EINVAL, "cov", "the covariance is missing");
    ra_status st = check_finite("cov", cov, n * n, err);
    if (st)
        return st;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (fabs(cov[i * n + j] - cov[j * n + i]) >
                1e-12 * (fabs(cov[i * n + i]) + fabs(cov[j * n + j])))
                return ra_err_set(err, RA_EINVAL, "cov",
                                  "the covariance is not symmetric at (%zu, %zu)", i, j);
    return RA_OK;
}

/* Market weights normalised to sum 1 into w (n). */
static ra_status market_weights(size_t n, const double *w_mkt, double *w, ra_err *err)
{
    if (!w_mkt)
        return ra_err_set(err, RA_EINVAL, "w_mkt", "the market weights are missing");
    ra_status st = check_finite("w_mkt", w_mkt, n, err);
    if (st)
        return st;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (w_mkt[i] < 0)
            return ra_err_set(err, RA_EINVAL, "w_mkt", "market weight w_mkt[%zu] is negative", i);
        sum += w_mkt[i];
    }
    if (!(sum > 0))
        return ra_err_set(err, RA_EINVAL, "w_mkt", "the market weights sum to 0");
    for (size_t i = 0; i < n; i++)
        w[i] = w_mkt[i] / sum;
    return RA_OK;
}

ra_status ra_bl_delta(size_t n, const double *cov, const double *w_mkt, double sharpe,
                      double *delta, ra_err *err)
{
    ra_status st = check_n(n, cov, err);
    if (st)
        return st;
    if (!(isfinite(sharpe) && sharpe > 0))
        return ra_err_set(err, RA_EINVAL, "sharpe", "the market Sharpe ratio %g is not above 0",
                          sharpe);
    double *w = ra_malloc(2 * n * sizeof *w);
    if (!w)
        return ra_err_set(err, RA_ENOMEM, NULL, "out of memory for %zu weights", n);
    st = market_weights(n, w_mkt, w, err);
    if (!st) {
        double *sw = w + n;
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)n, 1.0, cov, (int)n, w, 1, 0.0, sw, 1);
        double s2 = cblas_ddot((int)n, w, 1, sw, 1);
        if (!(s2 > 0))
            st = ra_err_set(err, RA_ESINGULAR, "cov",
                            "the market portfolio has no variance (w'Sigma w = %g)", s2);
        else
            *delta = sharpe / sqrt(s2);
    }
    ra_free(w);
    return st;
}

ra_status ra_bl_implied(size_t n, const double *cov, const double *w_mkt, double delta, double *pi,
                        ra_err *err)
{
    ra_status st = check_n(n, cov, err);
    if (st)
        return st;
    if (!(isfinite(delta) && delta > 0))
        return ra_err_set(err, RA_EINVAL, "delta", "the risk aversion %g is not above 0", delta);
    double *w = ra_malloc(n * sizeof *w);
    if (!w)
        return ra_err_set(err, RA_ENOMEM, NULL, "out of memory for %zu weights", n);
    st = market_weights(n, w_mkt, w, err);
    if (!st)
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)n, delta, cov, (int)n, w, 1, 0.0, pi,
                    1);
    ra_free(w);
    return st;
}

/* Sigma positive definite, named by asset (Cholesky of a copy into work, n x n). */
static ra_status check_pd(size_t n, const double *cov, double *work, ra_err *err)
{
    memcpy(work, cov, n * n * sizeof *work);
    lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, work, (lapack_int)n);
    if (info < 0)
        return ra_err_set(err, RA_EINTERNAL, NULL, "cholesky rejected argument %d", (int)-info);
    if (info > 0)
        return ra_err_set(err, RA_ESINGULAR, "cov",
                          "the covariance is not positive definite at asset %d: its variance is "
                          "explained by the assets before it or it has none",
                          (int)info);
    /* a pivot that rounding kept barely positive: the asset is spanned by the ones before it to
     * 12 digits (its residual variance below 1e-12 of its variance) */
    for (size_t j = 0; j < n; j++)
        if (work[j * n + j] * work[j * n + j] < 1e-12 * cov[j * n + j])
            return ra_err_set(err, RA_ESINGULAR, "cov",
                              "the covariance is not positive definite at asset %zu: its "
                              "variance is explained by the assets before it or it has none",
                              j + 1);
    return RA_OK;
}

ra_status ra_bl_posterior(size_t n, const double *cov, const double *pi, double tau, size_t k,
                          const double *P, const double *q, ra_bl_omega_kind kind,
                          const double *spec, double *mu, double *post, double *omega, ra_err *err)
{
    ra_status st = check_n(n, cov, err);
    if (st)
        return st;
    if (!pi || !mu)
        return ra_err_set(err, RA_EINVAL, pi ? "mu" : "pi", "%s is missing", pi ? "mu" : "pi");
    if ((st = check_finite("pi", pi, n, err)))
        return st;
    if (!(isfinite(tau) && tau > 0 && tau <= 1))
        return ra_err_set(err, RA_EINVAL, "tau", "tau %g is not in (0, 1]", tau);
    if (k > RA_BL_MAX_VIEWS)
        return ra_err_set(err, RA_EINVAL, "k", "%zu views are more than %d", k, RA_BL_MAX_VIEWS);
    if (k > 0) {
        if (!P || !q)
            return ra_err_set(err, RA_EINVAL, P ? "q" : "P", "the views' %s is missing",
                              P ? "returns q" : "portfolios P");
        if ((st = check_finite("P", P, k * n, err)) || (st = check_finite("q", q, k, err)))
            return st;
        if (kind != RA_BL_OMEGA_PRIOR) {
            if (!spec)
                return ra_err_set(err, RA_EINVAL, "spec", "the views' %s are missing",
                                  kind == RA_BL_OMEGA_IDZOREK ? "confidences" : "variances");
            if ((st = check_finite("spec", spec, k, err)))
                return st;
        }
        for (size_t v = 0; v < k; v++) {
            int any = 0;
            for (size_t j = 0; j < n; j++)
                any |= P[v * n + j] != 0;
            if (!any)
                return ra_err_set(err, RA_EINVAL, "P", "view %zu has no assets (its row of P is 0)",
                                  v + 1);
            if (kind == RA_BL_OMEGA_IDZOREK && !(spec[v] > 0 && spec[v] <= 1))
                return ra_err_set(err, RA_EINVAL, "confidence",
                                  "view %zu's confidence %g is not in (0, 1]", v + 1, spec[v]);
            if (kind == RA_BL_OMEGA_GIVEN && !(spec[v] >= 0))
                return ra_err_set(err, RA_EINVAL, "omega", "view %zu's variance %g is negative",
                                  v + 1, spec[v]);
        }
    }
    /* scratch: chol n*n, S n*n, SPt n*k, A k*k, Y k*n, r k */
    size_t need = 2 * n * n + 2 * n * k + k * k + k;
    double *buf = ra_malloc(need * sizeof *buf);
    if (!buf)
        return ra_err_set(err, RA_ENOMEM, NULL, "out of memory for Black-Litterman scratch");
    double *chol = buf, *S = chol + n * n, *SPt = S + n * n, *A = SPt + n * k, *Y = A + k * k,
           *r = Y + k * n;
    if ((st = check_pd(n, cov, chol, err)))
        goto done;
    for (size_t i = 0; i < n * n; i++)
        S[i] = tau * cov[i];
    memcpy(mu, pi, n * sizeof *mu);
    if (k > 0) {
        /* SPt = S P' (n x k); A = P SPt (k x k) */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)k, (int)n, 1.0, S,
                    (int)n, P, (int)n, 0.0, SPt, (int)k);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)k, (int)k, (int)n, 1.0, P,
                    (int)n, SPt, (int)k, 0.0, A, (int)k);
        for (size_t v = 0; v < k; v++) {
            double prior = A[v * k + v]; /* tau p_v Sigma p_v' */
            double w = kind == RA_BL_OMEGA_PRIOR     ? prior
                       : kind == RA_BL_OMEGA_IDZOREK ? prior * (1.0 - spec[v]) / spec[v]
                                                     : spec[v];
            if (omega)
                omega[v] = w;
            A[v * k + v] += w;
        }
        /* symmetrise A against rounding of the two products */
        for (size_t a = 0; a < k; a++)
            for (size_t b = 0; b < a; b++)
                A[a * k + b] = A[b * k + a] = 0.5 * (A[a * k + b] + A[b * k + a]);
        lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)k, A, (lapack_int)k);
        if (info != 0) {
            st = info < 0 ? ra_err_set(err, RA_EINTERNAL, NULL, "cholesky rejected argument %d",
                                       (int)-info)
                          : ra_err_set(err, RA_ESINGULAR, "views",
                                       "view %d is a combination of the views before it and "
                                       "neither has any uncertainty: the views cannot all hold",
                                       (int)info);
            goto done;
        }
        /* r = q - P pi; solve A x = r; mu += SPt x */
        memcpy(r, q, k * sizeof *r);
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)k, (int)n, -1.0, P, (int)n, pi, 1, 1.0, r, 1);
        info = LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', (lapack_int)k, 1, A, (lapack_int)k, r, 1);
        if (info != 0) {
            st = ra_err_set(err, RA_EINTERNAL, NULL, "dpotrs rejected argument %d", (int)-info);
            goto done;
        }
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)k, 1.0, SPt, (int)k, r, 1, 1.0, mu, 1);
    }
    if (post) {
        /* post = Sigma + S - SPt A^-1 SPt' */
        for (size_t i = 0; i < n * n; i++)
            post[i] = cov[i] + S[i];
        if (k > 0) {
            for (size_t v = 0; v < k; v++)
                for (size_t j = 0; j < n; j++)
                    Y[v * n + j] = SPt[j * k + v];
            lapack_int info = LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', (lapack_int)k, (lapack_int)n,
                                             A, (lapack_int)k, Y, (lapack_int)n);
            if (info != 0) {
                st = ra_err_set(err, RA_EINTERNAL, NULL, "dpotrs rejected argument %d", (int)-info);
                goto done;
            }
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)k, -1.0,
                        SPt, (int)k, Y, (int)n, 1.0, post, (int)n);
            for (size_t a = 0; a < n; a++)
                for (size_t b = 0; b < a; b++)
                    post[a * n + b] = post[b * n + a] = 0.5 * (post[a * n + b] + post[b * n + a]);
        }
    }
done:
    ra_free(buf);
    return st;
}

ra_status ra_bl_weights(size_t n, const double *c, const double *mu, double delta, double *w,
                        ra_err *err)
{
    ra_status st = check_n(n, c, err);
    if (st)
        return st;
    if (!mu || !w)
        return ra_err_set(err, RA_EINVAL, mu ? "w" : "mu", "%s is missing", mu ? "w" : "mu");
    if ((st = check_finite("mu", mu, n, err)))
        return st;
    if (!(isfinite(delta) && delta > 0))
        return ra_err_set(err, RA_EINVAL, "delta", "the risk aversion %g is not above 0", delta);
    double *H = ra_malloc(n * n * sizeof *H);
    if (!H)
        return ra_err_set(err, RA_ENOMEM, NULL, "out of memory for %zu assets", n);
    for (size_t i = 0; i < n * n; i++)
        H[i] = delta * c[i];
    for (size_t i = 0; i < n; i++)
        w[i] = mu[i];
    lapack_int info =
        LAPACKE_dposv(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, 1, H, (lapack_int)n, w, 1);
    if (info > 0)
        st = ra_err_set(err, RA_ESINGULAR, "cov",
                        "the covariance is not positive definite at asset %d", (int)info);
    else if (info < 0)
        st = ra_err_set(err, RA_EINTERNAL, NULL, "dposv rejected argument %d", (int)-info);
    ra_free(H);
    return st;
}

/* --- views and market weights ----------------------------------------------------------------- */

/* Rounded shares of the investable global market by asset class (docs/methodology.md#market-
 * weights): equity 44 %, bonds 53 %, real estate 2 %, commodities 1 %; cash 0 (the risk-free
 * asset is not part of the market portfolio of excess returns). */
static const struct {
    const char *cls;
    double w;
} market_default[] = {
    {"us_equity", 0.24},  {"us_small_cap", 0.03}, {"intl_equity", 0.12}, {"em_equity", 0.05},
    {"us_bonds", 0.22},   {"intl_bonds", 0.31},   {"real_estate", 0.02}, {"commodities", 0.01},
};

void ra_bl_market_default(ra_bl_market *m)
{
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i < sizeof market_default / sizeof market_default[0]; i++) {
        snprintf(m->cls[i], sizeof m->cls[i], "%s", market_default[i].cls);
        m->w[i] = market_default[i].w;
        m->n++;
    }
}

static int same_code(const char *a, const char *b, size_t blen)
{
    size_t i = 0;
    for (; i < blen && a[i]; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return 0;
    return i == blen && a[i] == 0;
}

double ra_bl_market_weight(const ra_bl_market *m, const char *cls)
{
    for (size_t i = 0; i < m->n; i++)
        if (same_code(m->cls[i], cls, strlen(cls)))
            return m->w[i];
    return 0;
}

/* One side of view v into row (n): its classes weighted by w_mkt (equal when all are 0),
 * scaled to sum `sign`. */
static ra_status view_side(const ra_bl_view_def *v, const char *side, size_t n,
                           const char *const *cls, const double *w_mkt, double sign, double *row,
                           ra_err *err)
{
    size_t idx[RA_BL_MAX_ASSETS], m = 0;
    const char *s = side;
    while (*s) {
        const char *e = strchr(s, ';');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        size_t j = 0;
        while (j < n && !same_code(cls[j], s, len))
            j++;
        if (j == n)
            return ra_err_set(err, RA_EINVAL, v->code,
                              "view %s (line %u): no security on the shelf has asset class %.*s",
                              v->code,
                              (unsigned)v->line, (int)(len < 64 ? len : 64), s);
        if (row[j] != 0 || m == RA_BL_MAX_ASSETS)
            return ra_err_set(err, RA_EINVAL, v->code,
                              "view %s (line %u): asset class %s is named twice", v->code,
                              (unsigned)v->line, cls[j]);
        idx[m++] = j;
        row[j] = sign; /* marks it taken until the weights below */
        s = e ? e + 1 : s + len;
    }
    if (m == 0)
        return ra_err_set(err, RA_EINVAL, v->code, "view %s (line %u) names no asset class",
                          v->code, (unsigned)v->line);
    double tot = 0;
    for (size_t i = 0; i < m; i++)
        tot += w_mkt[idx[i]];
    for (size_t i = 0; i < m; i++)
        row[idx[i]] = sign * (tot > 0 ? w_mkt[idx[i]] / tot : 1.0 / (double)m);
    return RA_OK;
}

ra_status ra_bl_views_matrix(const ra_bl_views *views, size_t n, const char *const *cls,
                             const double *w_mkt, double *P, double *q, double *conf, ra_err *err)
{
    memset(P, 0, views->n * n * sizeof *P);
    for (size_t k = 0; k < views->n; k++) {
        const ra_bl_view_def *v = &views->v[k];
        double *row = P + k * n;
        ra_status st = view_side(v, v->assets, n, cls, w_mkt, 1.0, row, err);
        if (!st && v->versus[0]) {
            double other[RA_BL_MAX_ASSETS] = {0};
            st = view_side(v, v->versus, n, cls, w_mkt, -1.0, other, err);
            for (size_t j = 0; !st && j < n; j++) {
                if (other[j] != 0 && row[j] != 0)
                    return ra_err_set(err, RA_EINVAL, v->code,
                                      "view %s (line %u): asset class %s is on both sides",
                                      v->code, (unsigned)v->line, cls[j]);
                row[j] += other[j];
            }
        }
        if (st)
            return st;
        q[k] = v->ret;
        conf[k] = v->confidence;
    }
    return RA_OK;
}
