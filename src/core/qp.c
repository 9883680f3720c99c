/* Dense strictly convex quadratic programming (include/roboadvisor/qp.h, docs/methodology.md).
 *
 * Our own solver: Debian packages no maintained C QP solver. Written from the published
 * descriptions, not from any existing implementation:
 *   - D. Goldfarb, A. Idnani (1983), "A numerically stable dual method for solving strictly convex
 *     quadratic programs", Math. Programming 27:1-33: the dual active-set method with the
 *     factorisation J = L^{-T} Q, R (Q'L^{-1}N = [R; 0]) updated by Givens rotations.
 *   - M.J.D. Powell (1985), "On the quadratic programming algorithm of Goldfarb and Idnani",
 *     Math. Programming Study 25:46-61: the numerical treatment of the updates and of (near)
 *     linear dependence.
 *   - J. Nocedal, S. Wright (2006), Numerical Optimization, 2nd ed., ch. 16 (16.4-16.5 active-set
 *     methods, 16.1-16.2 reduced KKT systems).
 *   - M. Hintermueller, K. Ito, K. Kunisch (2003), "The primal-dual active set strategy as a
 *     semismooth Newton method", SIAM J. Optim. 13(3):865-888: the fast bound phase.
 *
 * Method. ra_qp_factor computes G = U'U (LAPACK dpotrf), an rcond estimate (dpocon) and
 * J0 = U^{-1} (dtrtri). ra_qp_solve first, when the problem has many bounds, runs a primal-dual
 * active-set ("fast") phase: guess which bounds and inequality rows are active, solve the
 * equality-constrained problem on the free variables (Cholesky of G_FF, Schur complement for the
 * rows), update the guess from the signs of the multipliers and the bound violations, and stop when
 * the guess repeats. It changes many bounds per iteration, which is what makes n = 500 with
 * hundreds of active bounds fast. If it does not settle within RA_QP_FAST_MAX_ITER solves, or its
 * answer fails the KKT check, the Goldfarb-Idnani dual method solves the problem, warm-started
 * with the fast phase's last guess; correctness never depends on the fast phase.
 *
 * The dual method treats a bound as a constraint with normal +-e_j, so J'n is a row of J (O(n)).
 * Equalities are added first and never dropped. Every answer, from either phase, is checked
 * against KKT residuals computed afresh from x and the multipliers; if it misses the scaled
 * tolerance it is polished by one reduced KKT solve on its active set, else RA_ENOCONV.
 *
 * Lazy setup (ra_qp_setup): the checks only; problems with bounds and at most one equality row
 * go to the free-set method of src/core/qp_free.c (only the free variables' block of G is
 * factorised), every other problem factorises the whole G on first need (factor_full).
 *
 * Length: over 1,200 lines because the setup, the reduced KKT solve, the KKT check and both
 * phases share one workspace layout and context (qp_ws, qp_ctx) that stays private to this
 * file; the free-set method, which needs neither, lives in qp_free.c.
 *
 * Storage: U, J0, J, R and the reduced factors are column-major (LAPACK's order); G and the
 * constraint rows are row-major as the header says (G is symmetric, so both read the same). */
#include <roboadvisor/qp.h>

#include "core/qp_int.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* |G_ij - G_ji| allowed, relative to max |G|: covariances assembled by gemm are symmetric only
 * to rounding. */
#define RA_QP_TOL_SYM 1e-10
/* A constraint normal n is treated as linearly dependent on the active ones when the part of
 * J'n outside their span has norm <= this times |J'n| (Powell 1985 sec. 3; well above rounding
 * 1e-16 * sqrt(n) * cond(U), well below any meaningful angle). */
#define RA_QP_TOL_DEP 1e-10
/* Acceptance: each KKT residual <= this times (1 + the size of the terms it is made of);
 * RA_TOL_KKT in common.h is the project-wide figure. */
#define RA_QP_TOL_ACCEPT RA_TOL_KKT
/* Fast phase: linear solves before giving up and handing over to the dual method. HIK 2003
 * report convergence in a handful of iterations on well-posed problems; cycling shows up as
 * running out of these. */
#define RA_QP_FAST_MAX_ITER 40
/* Fast phase runs (in automatic mode) from this many variables with at least one finite bound:
 * below it the dual method is as fast (bench/bench_optimize.c). */
#define RA_QP_FAST_MIN_N 24
/* Reduced KKT systems: a row whose Cholesky pivot of the Schur complement is below this times
 * the square root of its diagonal is (numerically) dependent on the others; the fast phase then
 * hands over to the dual method, which handles dependence explicitly. */
#define RA_QP_TOL_PIVOT 1e-7
/* The dual method's x accumulates rounding over many steps (active rows drift off by
 * eps * |step| each time); an answer whose scaled residual exceeds this is re-solved on its
 * active set, and the re-solved point is kept when it is better. */
#define RA_QP_TOL_POLISH 1e-12

#define QP_MAGIC UINT64_C(0x52415150464143ab) /* "RAQPFAC" tag of a factorised workspace */

typedef struct qp_hdr {
    uint64_t magic;
    size_t n;
    double gmax;      /* max |G_ij|, scales the stationarity tolerance */
    double anorm;     /* 1-norm of G, for the condition estimate of a deferred factor */
    double rcond_min; /* the setup's settings, for a deferred factor */
    uint64_t full;    /* 1 when U and J0 hold the factor of the whole G (0 after ra_qp_setup
                       * until a problem needs it) */
    double pad[2];    /* keeps the doubles that follow on a 64-byte boundary */
} qp_hdr;

/* Pointers into the caller's workspace; layout() is the single place that decides it. */
typedef struct qp_ws {
    qp_hdr *hdr;
    /* factor part, depends on n only */
    double *U;     /* n*n: G = U'U, upper */
    double *J0;    /* n*n: U^{-1}, upper, strict lower zeroed */
    double *gdiag; /* n: diagonal of the factorised G, to catch a different G in solve */
    double *lwork; /* 3n: dpocon */
    /* solve part */
    double *J, *R, *S;       /* n*n each; J doubles as G_FF and R as U_FF^{-T} A_F' in the fast phase */
    double *x, *z, *d, *g, *t1, *t2; /* n each */
    double *u, *r;           /* n+1 each: multipliers and dual step of the active set */
    double *ye, *yi, *zb;    /* me, mi, n: multipliers by constraint */
    double *keep;            /* 2n+me+mi: x and multipliers kept while polishing */
    double *slack;           /* mi */
    double *nrm1, *nrm2;     /* me+mi: row 1- and 2-norms */
    double *rhs, *sdiag;     /* me+mi each */
    int *iwork;              /* n: dpocon */
    int *act;                /* n+1: active constraint ids, in R's column order */
    int *pos;                /* me+mi+2n: position in act, or -1 */
    int *bst;                /* n: bound state 0 free, 1 lower, 2 upper */
    int *rst;                /* mi: row state 0 inactive, 1 active */
    int *fidx;               /* n: free variables */
    int *aidx;               /* me+mi: rows in the reduced system */
    int *excl;               /* me+mi+2n: warm-start ids refused for a negative multiplier */
} qp_ws;

/* Returns the bytes needed for (n, me, mi) and, when base is not NULL, sets the pointers.
 * 0 if the sizes overflow. */
static size_t layout(size_t n, size_t me, size_t mi, void *base, qp_ws *w)
{
    const size_t big = (size_t)1 << 28;
    if (n > ((size_t)1 << 20) || me > big || mi > big)
        return 0;
    size_t off = sizeof(qp_hdr), m = me + mi, nn = n * n;
    char *b = base;
#define TAKE(field, type, count)                                                                   \
    do {                                                                                           \
        if (b) w->field = (type *)(void *)(b + off);                                               \
        off += (count) * sizeof(type);                                                             \
        off = (off + 7) & ~(size_t)7;                                                              \
    } while (0)
    if (b) w->hdr = (qp_hdr *)base;
    TAKE(U, double, nn);
    TAKE(J0, double, nn);
    TAKE(gdiag, double, n);
    TAKE(lwork, double, 3 * n);
    TAKE(iwork, int, n);
    /* the factor part ends here: it never depends on me or mi */
    TAKE(J, double, nn);
    TAKE(R, double, nn);
    TAKE(S, double, nn);
    TAKE(x, double, n);
    TAKE(z, double, n);
    TAKE(d, double, n);
    TAKE(g, double, n);
    TAKE(t1, double, n);
    TAKE(t2, double, n);
    TAKE(u, double, n + 1);
    TAKE(r, double, n + 1);
    TAKE(ye, double, me);
    TAKE(yi, double, mi);
    TAKE(zb, double, n);
    TAKE(keep, double, 2 * n + m);
    TAKE(slack, double, mi);
    TAKE(nrm1, double, m);
    TAKE(nrm2, double, m);
    TAKE(rhs, double, m);
    TAKE(sdiag, double, m);
    TAKE(act, int, n + 1);
    TAKE(pos, int, m + 2 * n);
    TAKE(bst, int, n);
    TAKE(rst, int, mi);
    TAKE(fidx, int, n);
    TAKE(aidx, int, m);
    TAKE(excl, int, m + 2 * n);
#undef TAKE
    return off;
}

void ra_qp_settings_default(ra_qp_settings *s)
{
    if (!s)
        return;
    s->max_iter = 0; /* 0: 50*(n+m_in) + 1000 */
    s->tol = 1e-12;
    s->rcond_min = 1e-14;
    s->warm_active = NULL;
    s->n_warm = 0;
}

size_t ra_qp_workspace_size(size_t n, size_t m_eq, size_t m_in)
{
    return layout(n, m_eq, m_in, NULL, NULL);
}

/* ------------------------------------------------------------------------------------------- */
/* factorisation                                                                                */

/* Checks G (finite, symmetric) into a fresh header; the factor itself is left to factor_full. */
static ra_status setup_check(const double *G, size_t n, const ra_qp_settings *s, void *work,
                             size_t work_size, ra_err *err)
{
    ra_qp_settings def;
    if (!s) {
        ra_qp_settings_default(&def);
        s = &def;
    }
    if (!G || n == 0)
        return ra_err_set(err, RA_EINVAL, NULL, "the matrix G and n >= 1 are required (n = %zu)", n);
    size_t need = ra_qp_workspace_size(n, 0, 0);
    if (need == 0)
        return ra_err_set(err, RA_EINVAL, NULL, "n = %zu is too large", n);
    if (!work || work_size < need)
        return ra_err_set(err, RA_EINVAL, NULL, "workspace has %zu bytes, the factor of n = %zu needs %zu",
                          work ? work_size : 0, n, need);
    if (!(s->rcond_min >= 0.0))
        return ra_err_set(err, RA_EINVAL, NULL, "rcond_min must be >= 0, got %g", s->rcond_min);
    qp_ws w = {0};
    layout(n, 0, 0, work, &w);
    w.hdr->magic = 0; /* invalid until the factor is complete */
    w.hdr->n = 0;

    /* One pass over G in 32 x 32 tiles of the lower triangle and their mirror images (so that
     * G[j][i] is read from cache): row sums (into lwork), max |G_ij| and the largest asymmetry.
     * A NaN or infinity makes its row sum non-finite; the entry is then found in row order (finite
     * entries that overflow the sum report nothing). */
    const size_t tile = 32;
    double gmax = 0.0, anorm = 0.0, dmax = 0.0, *rs = w.lwork;
    for (size_t i = 0; i < n; i++) {
        double a = fabs(G[i * n + i]);
        rs[i] = a;
        gmax = a > gmax ? a : gmax;
    }
    for (size_t ib = 0; ib < n; ib += tile)
        for (size_t jb = 0; jb <= ib; jb += tile)
            for (size_t i = ib; i < ib + tile && i < n; i++) {
                double ri = 0.0;
                for (size_t j = jb; j < jb + tile && j < i; j++) {
                    double u = G[i * n + j], v = G[j * n + i], au = fabs(u), av = fabs(v), d = fabs(u - v);
                    ri += au;
                    rs[j] += av;
                    gmax = au > gmax ? au : gmax;
                    gmax = av > gmax ? av : gmax;
                    dmax = d > dmax ? d : dmax;
                }
                rs[i] += ri;
            }
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        bad |= !isfinite(rs[i]);
        anorm = fmax(anorm, rs[i]); /* symmetric: row sums are column sums */
    }
    if (bad || isnan(dmax))
        for (size_t i = 0; i < n * n; i++)
            if (!isfinite(G[i]))
                return ra_err_set(err, RA_EINVAL, NULL, "G[%zu][%zu] is not finite (%g)", i / n, i % n, G[i]);
    double tol_sym = RA_QP_TOL_SYM * gmax;
    if (dmax > tol_sym)
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < i; j++)
                if (fabs(G[i * n + j] - G[j * n + i]) > tol_sym)
                    return ra_err_set(err, RA_EINVAL, NULL,
                                      "G is not symmetric: G[%zu][%zu] = %.17g but G[%zu][%zu] = %.17g",
                                      i, j, G[i * n + j], j, i, G[j * n + i]);

    for (size_t j = 0; j < n; j++)
        w.gdiag[j] = G[j * n + j];
    w.hdr->n = n;
    w.hdr->gmax = gmax;
    w.hdr->anorm = anorm;
    w.hdr->rcond_min = s->rcond_min;
    w.hdr->full = 0;
    return RA_OK;
}

/* The factor of the whole G into a checked workspace (U, its rcond, J0 = U^{-1}). */
static ra_status factor_full(const double *G, void *work, ra_err *err)
{
    qp_hdr *hdr = work;
    size_t n = hdr->n;
    qp_ws w = {0};
    layout(n, 0, 0, work, &w);
    memcpy(w.U, G, n * n * sizeof *w.U);
    lapack_int ln = (lapack_int)n;
    lapack_int info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', ln, w.U, ln);
    if (info > 0)
        return ra_err_set(err, RA_ESINGULAR, NULL,
                          "G is not positive definite: its leading minor of order %d is not "
                          "positive (positive definiteness fails at x[%d])",
                          (int)info, (int)info - 1);
    if (info < 0)
        return ra_err_set(err, RA_EINTERNAL, NULL, "dpotrf rejected argument %d", (int)-info);
    double rcond = 0.0;
    info = LAPACKE_dpocon_work(LAPACK_COL_MAJOR, 'U', ln, w.U, ln, hdr->anorm, &rcond, w.lwork, w.iwork);
    if (info != 0)
        return ra_err_set(err, RA_EINTERNAL, NULL, "dpocon rejected argument %d", (int)-info);
    if (!(rcond >= hdr->rcond_min))
        return ra_err_set(err, RA_ESINGULAR, NULL,
                          "G is nearly singular: reciprocal condition estimate %.3g is below %.3g",
                          rcond, hdr->rcond_min);
    for (size_t k = 0; k < n; k++) /* dpotrf leaves G in the strict lower part */
        for (size_t i = k + 1; i < n; i++)
            w.U[i + k * n] = 0.0;
    memcpy(w.J0, w.U, n * n * sizeof *w.J0);
    info = LAPACKE_dtrtri_work(LAPACK_COL_MAJOR, 'U', 'N', ln, w.J0, ln);
    if (info != 0)
        return ra_err_set(err, RA_ESINGULAR, NULL, "the Cholesky factor of G is singular at x[%d]",
                          (int)info - 1);
    hdr->full = 1;
    return RA_OK;
}

ra_status ra_qp_factor(const double *G, size_t n, const ra_qp_settings *s, void *work,
                       size_t work_size, ra_err *err)
{
    ra_status rc = setup_check(G, n, s, work, work_size, err);
    if (rc == RA_OK)
        rc = factor_full(G, work, err);
    if (rc == RA_OK)
        ((qp_hdr *)work)->magic = QP_MAGIC;
    else if (work && work_size >= sizeof(qp_hdr))
        ((qp_hdr *)work)->magic = 0;
    return rc;
}

ra_status ra_qp_setup(const double *G, size_t n, const ra_qp_settings *s, void *work,
                      size_t work_size, ra_err *err)
{
    ra_status rc = setup_check(G, n, s, work, work_size, err);
    if (rc != RA_OK)
        return rc;
    for (size_t j = 0; j < n; j++)
        if (!(G[j * n + j] > 0.0))
            return ra_err_set(err, RA_ESINGULAR, NULL,
                              "G is not positive definite: its diagonal entry G[%zu][%zu] = %g is "
                              "not positive (positive definiteness fails at x[%zu])",
                              j, j, G[j * n + j], j);
    ((qp_hdr *)work)->magic = QP_MAGIC;
    return RA_OK;
}

/* ------------------------------------------------------------------------------------------- */
/* problem access                                                                               */

typedef struct qp_ctx {
    const ra_qp_problem *p;
    const ra_qp_settings *s;
    qp_ws w;
    size_t n, me, mi, nc; /* nc = me + mi + 2n constraint ids */
    int max_iter;
    int iters;            /* active-set changes so far (both phases) */
} qp_ctx;

static double lo_of(const qp_ctx *c, size_t j) { return c->p->lo ? c->p->lo[j] : -INFINITY; }
static double hi_of(const qp_ctx *c, size_t j) { return c->p->hi ? c->p->hi[j] : INFINITY; }

/* Constraint id -> (kind, index). Kinds: 0 equality, 1 inequality, 2 lower, 3 upper. */
static int id_kind(const qp_ctx *c, size_t id, size_t *idx)
{
    if (id < c->me) { *idx = id; return 0; }
    id -= c->me;
    if (id < c->mi) { *idx = id; return 1; }
    id -= c->mi;
    if (id < c->n) { *idx = id; return 2; }
    *idx = id - c->n;
    return 3;
}

static void id_describe(const qp_ctx *c, size_t id, char *buf, size_t len)
{
    size_t i;
    int k = id_kind(c, id, &i);
    switch (k) {
    case 0: snprintf(buf, len, "equality row %zu", i); break;
    case 1: snprintf(buf, len, "inequality row %zu", i); break;
    case 2: snprintf(buf, len, "lower bound of x[%zu]", i); break;
    default: snprintf(buf, len, "upper bound of x[%zu]", i); break;
    }
}

static const double *row_of(const qp_ctx *c, size_t r) /* r < me + mi */
{
    return r < c->me ? c->p->A_eq + r * c->n : c->p->A_in + (r - c->me) * c->n;
}

/* right-hand side b of the constraint n'x >= b (= b for equalities) */
static double id_rhs(const qp_ctx *c, size_t id)
{
    size_t i;
    switch (id_kind(c, id, &i)) {
    case 0: return c->p->b_eq[i];
    case 1: return c->p->b_in[i];
    case 2: return lo_of(c, i);
    default: return -hi_of(c, i);
    }
}

static double id_value(const qp_ctx *c, size_t id, const double *x)
{
    size_t i;
    int k = id_kind(c, id, &i);
    if (k == 2) return x[i];
    if (k == 3) return -x[i];
    return cblas_ddot((int)c->n, row_of(c, id), 1, x, 1);
}

static double id_norm1(const qp_ctx *c, size_t id)
{
    return id < c->me + c->mi ? c->w.nrm1[id] : 1.0;
}

/* d = J'n_id */
static void jt_normal(const qp_ctx *c, const double *J, size_t id, double *d)
{
    size_t n = c->n, i;
    int k = id_kind(c, id, &i);
    if (k >= 2) {
        double sg = k == 2 ? 1.0 : -1.0;
        for (size_t col = 0; col < n; col++)
            d[col] = sg * J[i + col * n];
        return;
    }
    cblas_dgemv(CblasColMajor, CblasTrans, (int)n, (int)n, 1.0, J, (int)n, row_of(c, id), 1, 0.0, d, 1);
}

static double norm_inf(const double *v, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(v[i]));
    return m;
}

/* out = G x. With few nonzero x_j (a portfolio at the free-set method's answer) it is the sum of
 * those rows of G scaled by x_j, reading only them: G is symmetric (checked at setup to
 * RA_QP_TOL_SYM relative), so row j is column j. Otherwise one dgemv. */
static void g_times(const qp_ctx *c, const double *x, double *out)
{
    size_t n = c->n, nnz = 0;
    for (size_t j = 0; j < n; j++)
        nnz += x[j] != 0.0;
    if (nnz * 4 > n) {
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)n, 1.0, c->p->G, (int)n, x, 1, 0.0, out, 1);
        return;
    }
    memset(out, 0, n * sizeof *out);
    for (size_t j = 0; j < n; j++)
        if (x[j] != 0.0)
            cblas_daxpy((int)n, x[j], c->p->G + j * n, 1, out, 1);
}

/* Feasibility tolerance of a constraint at x (s->tol scaled by the size of its terms). */
static double feas_tol(const qp_ctx *c, size_t id, double xnorm)
{
    return c->s->tol * (1.0 + fabs(id_rhs(c, id)) + id_norm1(c, id) * xnorm);
}

/* ------------------------------------------------------------------------------------------- */
/* messages                                                                                     */

/* Appends to a bounded message; returns 0 once it no longer fits. */
static int msg_append(char *buf, size_t cap, size_t *len, const char *fmt, ...) RA_PRINTF(4, 5);
static int msg_append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    if (*len + 1 >= cap)
        return 0;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= cap - *len) {
        buf[*len] = '\0'; /* drop the partial piece */
        return 0;
    }
    *len += (size_t)k;
    return 1;
}

/* Infeasible: constraint p cannot be added; the active constraints with r_k != 0 are those its
 * normal depends on (n_p = N r). */
static ra_status report_infeasible(qp_ctx *c, size_t p, const double *r, size_t q, ra_err *err)
{
    char msg[256], what[64];
    size_t len = 0;
    id_describe(c, p, what, sizeof what);
    msg_append(msg, sizeof msg, &len, "constraint %zu (%s) cannot be met", p, what);
    double rmax = norm_inf(r, q);
    size_t shown = 0, total = 0;
    for (size_t k = 0; k < q; k++)
        if (fabs(r[k]) > RA_QP_TOL_DEP * rmax)
            total++;
    if (total == 0) {
        msg_append(msg, sizeof msg, &len, " by any x");
    } else {
        msg_append(msg, sizeof msg, &len, " together with:");
        /* keep room for " and N more" */
        for (size_t k = 0; k < q; k++) {
            if (!(fabs(r[k]) > RA_QP_TOL_DEP * rmax))
                continue;
            id_describe(c, (size_t)c->w.act[k], what, sizeof what);
            size_t save = len;
            if (!msg_append(msg, sizeof msg - 24, &len, "%s %s", shown ? "," : "", what)) {
                len = save;
                msg[len] = '\0';
                break;
            }
            shown++;
        }
        if (shown < total)
            msg_append(msg, sizeof msg, &len, " and %zu more", total - shown);
    }
    return ra_err_set(err, RA_EINFEASIBLE, NULL, "%s", msg);
}

/* ------------------------------------------------------------------------------------------- */
/* KKT residuals, from x and the multipliers only                                               */

typedef struct kkt {
    double stat, prim, dual, comp;
    double score; /* largest residual over its scale */
    int ok;       /* score <= RA_QP_TOL_ACCEPT */
} kkt;

static kkt kkt_check(qp_ctx *c, const double *x, const double *ye, const double *yi,
                     const double *zb, double *obj)
{
    const ra_qp_problem *p = c->p;
    size_t n = c->n, me = c->me, mi = c->mi;
    double *gx = c->w.t1, *tmp = c->w.t2;
    kkt k = {0, 0, 0, 0, 0, 0};
    g_times(c, x, gx);
    double o = 0.5 * cblas_ddot((int)n, gx, 1, x, 1);
    if (p->c)
        o += cblas_ddot((int)n, p->c, 1, x, 1);
    *obj = o;
    /* rounding in Gx is about eps * n * sum_j |G_ij x_j| <= eps * n * max|G| * |x|_1 */
    double s_stat = fmax(c->w.hdr->gmax * cblas_dasum((int)n, x, 1), p->c ? norm_inf(p->c, n) : 0.0);
    s_stat = fmax(s_stat, norm_inf(gx, n));
    double *st = c->w.g; /* stationarity vector */
    for (size_t j = 0; j < n; j++)
        st[j] = gx[j] + (p->c ? p->c[j] : 0.0) - zb[j];
    s_stat = fmax(s_stat, norm_inf(zb, n));
    if (me) {
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)me, (int)n, 1.0, p->A_eq, (int)n, ye, 1, 0.0, tmp, 1);
        cblas_daxpy((int)n, -1.0, tmp, 1, st, 1);
        s_stat = fmax(s_stat, norm_inf(tmp, n));
    }
    if (mi) {
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)mi, (int)n, 1.0, p->A_in, (int)n, yi, 1, 0.0, tmp, 1);
        cblas_daxpy((int)n, -1.0, tmp, 1, st, 1);
        s_stat = fmax(s_stat, norm_inf(tmp, n));
    }
    k.stat = norm_inf(st, n);

    double xn = norm_inf(x, n), s_prim = xn, mult = fmax(norm_inf(zb, n), fmax(norm_inf(ye, me), norm_inf(yi, mi)));
    for (size_t i = 0; i < me; i++) {
        double v = cblas_ddot((int)n, p->A_eq + i * n, 1, x, 1);
        k.prim = fmax(k.prim, fabs(v - p->b_eq[i]));
        s_prim = fmax(s_prim, fmax(c->w.nrm1[i] * xn, fabs(p->b_eq[i])));
    }
    for (size_t i = 0; i < mi; i++) {
        double v = cblas_ddot((int)n, p->A_in + i * n, 1, x, 1), sl = v - p->b_in[i];
        k.prim = fmax(k.prim, -sl);
        s_prim = fmax(s_prim, fmax(c->w.nrm1[c->me + i] * xn, fabs(p->b_in[i])));
        k.dual = fmax(k.dual, -yi[i]);
        k.comp = fmax(k.comp, fabs(yi[i] * sl));
    }
    for (size_t j = 0; j < n; j++) {
        double lo = lo_of(c, j), hi = hi_of(c, j);
        if (isfinite(lo)) {
            k.prim = fmax(k.prim, lo - x[j]);
            s_prim = fmax(s_prim, fabs(lo));
        }
        if (isfinite(hi)) {
            k.prim = fmax(k.prim, x[j] - hi);
            s_prim = fmax(s_prim, fabs(hi));
        }
        if (zb[j] > 0.0) {
            if (isfinite(lo)) k.comp = fmax(k.comp, zb[j] * fabs(x[j] - lo));
            else k.dual = fmax(k.dual, zb[j]);
        } else if (zb[j] < 0.0) {
            if (isfinite(hi)) k.comp = fmax(k.comp, -zb[j] * fabs(hi - x[j]));
            else k.dual = fmax(k.dual, -zb[j]);
        }
    }
    k.score = fmax(fmax(k.stat / (1.0 + s_stat), k.prim / (1.0 + s_prim)),
                   fmax(k.dual / (1.0 + mult), k.comp / ((1.0 + mult) * (1.0 + s_prim))));
    k.ok = k.score <= RA_QP_TOL_ACCEPT;
    return k;
}

/* ------------------------------------------------------------------------------------------- */
/* reduced KKT solve: bounds in bst fixed, rows in aidx[0..m_a) as equalities                   */

/* Solves min 0.5x'Gx + c'x with x_j fixed at its bound where bst[j] != 0 and the rows aidx[] as
 * equalities. Writes x, and the row multipliers into ye/yi (others zero) and the bound
 * multipliers into zb (free variables zero). Returns 0 when the reduced system is singular or
 * has more rows than free variables. */
static int reduced_solve(qp_ctx *c, size_t m_a)
{
    const ra_qp_problem *p = c->p;
    qp_ws *w = &c->w;
    size_t n = c->n, nf = 0;
    double *x = w->x;
    for (size_t j = 0; j < n; j++) {
        if (w->bst[j] == 0) {
            w->fidx[nf++] = (int)j;
            x[j] = 0.0;
        } else {
            x[j] = w->bst[j] == 1 ? lo_of(c, j) : hi_of(c, j);
        }
    }
    if (m_a > nf)
        return 0;
    /* r_F = -c_F - G_FB x_B */
    double *rf = w->d;
    for (size_t a = 0; a < nf; a++)
        rf[a] = p->c ? -p->c[w->fidx[a]] : 0.0;
    for (size_t j = 0; j < n; j++) {
        if (w->bst[j] == 0 || x[j] == 0.0)
            continue;
        const double *gj = p->G + j * n; /* row j = column j */
        for (size_t a = 0; a < nf; a++)
            rf[a] -= gj[w->fidx[a]] * x[j];
    }
    const double *H;
    size_t ldh;
    if (nf == n && w->hdr->full) {
        H = w->U; /* nothing fixed: the stored factor */
        ldh = n;
    } else if (nf > 0) {
        double *h = w->J;
        for (size_t b = 0; b < nf; b++) {
            const double *gb = p->G + (size_t)w->fidx[b] * n;
            for (size_t a = 0; a <= b; a++)
                h[a + b * nf] = gb[w->fidx[a]];
        }
        if (LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', (lapack_int)nf, h, (lapack_int)nf) != 0)
            return 0;
        H = h;
        ldh = nf;
    } else {
        H = NULL;
        ldh = 1;
    }
    if (nf > 0)
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, (int)nf, H, (int)ldh, rf, 1);
    double *y = w->rhs;
    if (m_a > 0) {
        double *wt = w->R, *sm = w->S;
        for (size_t i = 0; i < m_a; i++) {
            const double *a = row_of(c, (size_t)w->aidx[i]);
            double bi = w->aidx[i] < (int)c->me ? p->b_eq[w->aidx[i]] : p->b_in[w->aidx[i] - (int)c->me];
            for (size_t jj = 0; jj < n; jj++)
                if (w->bst[jj] != 0)
                    bi -= a[jj] * x[jj];
            for (size_t q = 0; q < nf; q++)
                wt[q + i * nf] = a[w->fidx[q]];
            y[i] = bi;
        }
        cblas_dtrsm(CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, (int)nf, (int)m_a,
                    1.0, H, (int)ldh, wt, (int)nf);
        /* y_rhs = b' - Wt' vt */
        cblas_dgemv(CblasColMajor, CblasTrans, (int)nf, (int)m_a, -1.0, wt, (int)nf, rf, 1, 1.0, y, 1);
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)m_a, (int)nf, 1.0, wt, (int)nf, 0.0,
                    sm, (int)m_a);
        for (size_t i = 0; i < m_a; i++)
            w->sdiag[i] = sm[i + i * m_a];
        if (LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', (lapack_int)m_a, sm, (lapack_int)m_a) != 0)
            return 0;
        for (size_t i = 0; i < m_a; i++)
            if (!(sm[i + i * m_a] > RA_QP_TOL_PIVOT * sqrt(w->sdiag[i])))
                return 0;
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, (int)m_a, sm, (int)m_a, y, 1);
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, (int)m_a, sm, (int)m_a, y, 1);
        cblas_dgemv(CblasColMajor, CblasNoTrans, (int)nf, (int)m_a, 1.0, wt, (int)nf, y, 1, 1.0, rf, 1);
    }
    if (nf > 0)
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, (int)nf, H, (int)ldh, rf, 1);
    for (size_t a = 0; a < nf; a++)
        x[w->fidx[a]] = rf[a];
    for (size_t j = 0; j < n; j++)
        if (!isfinite(x[j]))
            return 0;

    /* multipliers: rows from y, bounds from the stationarity of the fixed variables */
    memset(w->ye, 0, c->me * sizeof *w->ye);
    memset(w->yi, 0, c->mi * sizeof *w->yi);
    for (size_t i = 0; i < m_a; i++) {
        size_t r = (size_t)w->aidx[i];
        if (r < c->me) w->ye[r] = y[i];
        else w->yi[r - c->me] = y[i];
    }
    double *gz = w->zb;
    g_times(c, x, gz);
    if (p->c)
        cblas_daxpy((int)n, 1.0, p->c, 1, gz, 1);
    for (size_t i = 0; i < m_a; i++)
        cblas_daxpy((int)n, -y[i], row_of(c, (size_t)w->aidx[i]), 1, gz, 1);
    for (size_t j = 0; j < n; j++)
        if (w->bst[j] == 0)
            gz[j] = 0.0;
    return 1;
}

/* Active rows of the reduced system: all equalities, then the active inequality rows. */
static size_t gather_rows(qp_ctx *c)
{
    size_t m_a = 0;
    for (size_t i = 0; i < c->me; i++)
        c->w.aidx[m_a++] = (int)i;
    for (size_t i = 0; i < c->mi; i++)
        if (c->w.rst[i])
            c->w.aidx[m_a++] = (int)(c->me + i);
    return m_a;
}

/* ------------------------------------------------------------------------------------------- */
/* fast phase: primal-dual active set (Hintermueller, Ito & Kunisch 2003)                       */

static void fast_init_state(qp_ctx *c)
{
    qp_ws *w = &c->w;
    for (size_t j = 0; j < c->n; j++) {
        double lo = lo_of(c, j), hi = hi_of(c, j);
        w->bst[j] = (lo == hi) ? 1 : 0; /* a fixed variable stays fixed */
    }
    memset(w->rst, 0, c->mi * sizeof *w->rst);
    for (size_t k = 0; k < c->s->n_warm; k++) {
        size_t i, id = (size_t)c->s->warm_active[k];
        int kind = id_kind(c, id, &i);
        if (kind == 1) w->rst[i] = 1;
        else if (kind == 2 && isfinite(lo_of(c, i))) w->bst[i] = 1;
        else if (kind == 3 && isfinite(hi_of(c, i)) && w->bst[i] == 0) w->bst[i] = 2;
    }
}

/* Returns 1 when the guess repeats (x, multipliers in the workspace), 0 otherwise; the state
 * arrays keep the last guess either way. */
static int fast_run(qp_ctx *c, int *solves)
{
    qp_ws *w = &c->w;
    size_t n = c->n, mi = c->mi;
    fast_init_state(c);
    for (int it = 0; it < RA_QP_FAST_MAX_ITER; it++) {
        size_t m_a = gather_rows(c);
        (*solves)++;
        if (!reduced_solve(c, m_a))
            return 0;
        const double *x = w->x;
        double xnorm = norm_inf(x, n);
        double ztol = c->s->tol * (1.0 + norm_inf(w->zb, n) + (c->p->c ? norm_inf(c->p->c, n) : 0.0) +
                                   xnorm * norm_inf(w->gdiag, n));
        int changes = 0;
        for (size_t j = 0; j < n; j++) {
            double lo = lo_of(c, j), hi = hi_of(c, j);
            int st = w->bst[j], nst = st;
            if (lo == hi)
                continue;
            if (st == 1 && w->zb[j] < -ztol) nst = 0;
            else if (st == 2 && w->zb[j] > ztol) nst = 0;
            else if (st == 0 && x[j] < lo - c->s->tol * (1.0 + fabs(lo))) nst = 1;
            else if (st == 0 && x[j] > hi + c->s->tol * (1.0 + fabs(hi))) nst = 2;
            if (nst != st) {
                w->bst[j] = nst;
                changes++;
            }
        }
        for (size_t i = 0; i < mi; i++) {
            size_t id = c->me + i;
            if (w->rst[i] && w->yi[i] < -ztol) {
                w->rst[i] = 0;
                changes++;
            } else if (!w->rst[i] && id_value(c, id, x) - c->p->b_in[i] < -feas_tol(c, id, xnorm)) {
                w->rst[i] = 1;
                changes++;
            }
        }
        c->iters += changes;
        if (changes == 0)
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------- */
/* dual method (Goldfarb & Idnani 1983)                                                         */

/* Adds constraint id whose d = J'n has been computed, at position q: rotates d[q..n) onto d[q]
 * (updating J) and appends d[0..q] as R's column q. */
static void gi_add(qp_ctx *c, size_t id, double *d, size_t *q, double u_new)
{
    qp_ws *w = &c->w;
    size_t n = c->n, qq = *q;
    for (size_t k = n - 1; k > qq; k--) {
        if (d[k] == 0.0)
            continue;
        double h = hypot(d[k - 1], d[k]), cs = d[k - 1] / h, sn = d[k] / h;
        d[k - 1] = h;
        d[k] = 0.0;
        cblas_drot((int)n, w->J + (k - 1) * n, 1, w->J + k * n, 1, cs, sn);
    }
    memcpy(w->R + qq * n, d, (qq + 1) * sizeof *d);
    w->act[qq] = (int)id;
    w->pos[id] = (int)qq;
    w->u[qq] = u_new;
    *q = qq + 1;
}

/* Drops the active constraint at position l and restores R to upper triangular. */
static void gi_drop(qp_ctx *c, size_t l, size_t *q)
{
    qp_ws *w = &c->w;
    size_t n = c->n, qq = *q;
    double *R = w->R;
    w->pos[w->act[l]] = -1;
    for (size_t k = l; k + 1 < qq; k++) {
        memcpy(R + k * n, R + (k + 1) * n, (k + 2) * sizeof *R);
        w->act[k] = w->act[k + 1];
        w->u[k] = w->u[k + 1];
        w->pos[w->act[k]] = (int)k;
    }
    qq--;
    ra_qp_retriangularise(R, n, l, qq, w->J, n);
    *q = qq;
}

/* Most violated inactive constraint (violation scaled by the row's 2-norm); -1 if none is
 * violated beyond its tolerance. */
static long gi_pick(qp_ctx *c, const double *x)
{
    qp_ws *w = &c->w;
    const ra_qp_problem *p = c->p;
    size_t n = c->n, me = c->me, mi = c->mi;
    double xnorm = norm_inf(x, n);
    if (mi) {
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)mi, (int)n, 1.0, p->A_in, (int)n, x, 1, 0.0, w->slack, 1);
        for (size_t i = 0; i < mi; i++)
            w->slack[i] -= p->b_in[i];
    }
    long best = -1;
    double worst = 0.0;
    for (size_t i = 0; i < mi; i++) {
        size_t id = me + i;
        if (w->pos[id] >= 0 || !(w->slack[i] < -feas_tol(c, id, xnorm)))
            continue;
        double v = -w->slack[i] / w->nrm2[id];
        if (v > worst) { worst = v; best = (long)id; }
    }
    for (size_t j = 0; j < n; j++) {
        double lo = lo_of(c, j), hi = hi_of(c, j);
        size_t idl = me + mi + j, idu = idl + n;
        if (w->pos[idl] >= 0 || w->pos[idu] >= 0)
            continue; /* with one bound active the other holds (lo <= hi); rounding says otherwise */
        if (isfinite(lo) && x[j] - lo < -feas_tol(c, idl, xnorm) && lo - x[j] > worst) {
            worst = lo - x[j];
            best = (long)idl;
        }
        if (isfinite(hi) && hi - x[j] < -feas_tol(c, idu, xnorm) && x[j] - hi > worst) {
            worst = x[j] - hi;
            best = (long)idu;
        }
    }
    return best;
}

/* Active bounds hold exactly in exact arithmetic; put back the rounding drift that the steps
 * along z (orthogonal to them only to rounding) leave in x. */
static void gi_snap(qp_ctx *c, size_t q)
{
    qp_ws *w = &c->w;
    for (size_t k = 0; k < q; k++) {
        size_t i;
        int kind = id_kind(c, (size_t)w->act[k], &i);
        if (kind == 2) w->x[i] = lo_of(c, i);
        else if (kind == 3) w->x[i] = hi_of(c, i);
    }
}

/* Makes constraint id active with a full step, whatever the sign of the multiplier this gives
 * (equalities, and warm-start ids before their multipliers are checked). Returns 0 if added,
 * 1 if its normal depends on the active ones (r then holds R^{-1}J1'n). */
static int gi_install(qp_ctx *c, size_t id, size_t *q)
{
    qp_ws *w = &c->w;
    size_t n = c->n, qq = *q;
    double *x = w->x, *z = w->z, *d = w->d, *r = w->r, *u = w->u;
    jt_normal(c, w->J, id, d);
    double nd = cblas_dnrm2((int)n, d, 1), nd2 = qq < n ? cblas_dnrm2((int)(n - qq), d + qq, 1) : 0.0;
    if (qq > 0) {
        memcpy(r, d, qq * sizeof *r);
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, (int)qq, w->R, (int)n, r, 1);
    }
    if (!(nd2 > RA_QP_TOL_DEP * nd))
        return 1;
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)(n - qq), 1.0, w->J + qq * n, (int)n, d + qq, 1,
                0.0, z, 1);
    double t = -(id_value(c, id, x) - id_rhs(c, id)) / (nd2 * nd2);
    cblas_daxpy((int)n, t, z, 1, x, 1);
    for (size_t k = 0; k < qq; k++)
        u[k] -= t * r[k];
    gi_add(c, id, d, q, t);
    return 0;
}

/* Warm-start ids: from the caller's list (src 1) or from the fast phase's last guess (src 2). */
static void gi_install_warm(qp_ctx *c, int src, size_t *q)
{
    qp_ws *w = &c->w;
    size_t base = c->me + c->mi, count = src == 1 ? c->s->n_warm : c->mi + c->n;
    for (size_t k = 0; k < count; k++) {
        size_t id;
        if (src == 1) {
            id = (size_t)c->s->warm_active[k];
        } else if (k < c->mi) {
            if (!w->rst[k]) continue;
            id = c->me + k;
        } else {
            size_t j = k - c->mi;
            if (!w->bst[j]) continue;
            id = base + (w->bst[j] == 1 ? j : c->n + j);
        }
        if (id < c->me || w->pos[id] >= 0 || w->excl[id] || !isfinite(id_rhs(c, id)) || *q >= c->n)
            continue;
        (void)gi_install(c, id, q); /* a dependent warm id is simply not used */
    }
}

/* Runs the dual method: equalities first, then (when it is dual feasible) the warm start, then
 * the Goldfarb-Idnani iterations. On RA_OK the active set and multipliers are in act/u, x in
 * w.x. */
static ra_status gi_run(qp_ctx *c, int warm_src, size_t *q_out, ra_err *err)
{
    qp_ws *w = &c->w;
    const ra_qp_problem *p = c->p;
    size_t n = c->n, me = c->me, q = 0, q_eq = 0;
    double *x = w->x, *z = w->z, *d = w->d, *r = w->r, *u = w->u;
    memset(w->excl, 0, c->nc * sizeof *w->excl);
    /* round 0: the whole warm start; round 1: without the ids that got a negative multiplier;
     * round 2: cold */
    for (int round = 0; round < 3; round++) {
        memcpy(w->J, w->J0, n * n * sizeof *w->J);
        for (size_t i = 0; i < c->nc; i++)
            w->pos[i] = -1;
        /* unconstrained minimiser x = -G^{-1}c = -J0 J0' c */
        if (p->c) {
            for (size_t j = 0; j < n; j++)
                x[j] = -p->c[j];
            cblas_dtrmv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, (int)n, w->J0, (int)n, x, 1);
            cblas_dtrmv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, (int)n, w->J0, (int)n, x, 1);
        } else {
            memset(x, 0, n * sizeof *x);
        }
        q = 0;
        *q_out = 0;
        /* equalities: full steps, any sign of multiplier */
        for (size_t i = 0; i < me; i++) {
            if (gi_install(c, i, &q) == 0)
                continue;
            if (fabs(id_value(c, i, x) - p->b_eq[i]) <= feas_tol(c, i, norm_inf(x, n)))
                continue; /* redundant: implied by the equalities already active */
            *q_out = q;
            return report_infeasible(c, i, r, q, err);
        }
        q_eq = q;
        if (!warm_src || round == 2)
            break;
        gi_install_warm(c, warm_src, &q);
        gi_snap(c, q);
        /* the warm point is a valid start of the dual method only if it minimises over its
         * active set with inequality multipliers >= 0 */
        double utol = c->s->tol * (1.0 + norm_inf(u, q));
        int bad = 0;
        for (size_t k = q_eq; k < q; k++) {
            if (u[k] < -utol) {
                w->excl[w->act[k]] = 1;
                bad = 1;
            } else if (u[k] < 0.0) {
                u[k] = 0.0;
            }
        }
        if (!bad)
            break;
    }

    for (;;) {
        long pick = gi_pick(c, x);
        if (pick < 0)
            break;
        size_t id = (size_t)pick;
        double uplus = 0.0;
        for (;;) {
            if (c->iters >= c->max_iter) {
                *q_out = q;
                return ra_err_set(err, RA_ENOCONV, NULL,
                                  "no solution after %d active-set changes (max_iter)", c->iters);
            }
            jt_normal(c, w->J, id, d);
            double nd = cblas_dnrm2((int)n, d, 1), nd2 = q < n ? cblas_dnrm2((int)(n - q), d + q, 1) : 0.0;
            int dep = !(nd2 > RA_QP_TOL_DEP * nd);
            double t2 = INFINITY, sl = id_value(c, id, x) - id_rhs(c, id);
            if (!dep) {
                cblas_dgemv(CblasColMajor, CblasNoTrans, (int)n, (int)(n - q), 1.0, w->J + q * n, (int)n,
                            d + q, 1, 0.0, z, 1);
                t2 = fmax(0.0, -sl / (nd2 * nd2));
            }
            if (q > 0) {
                memcpy(r, d, q * sizeof *r);
                cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, (int)q, w->R, (int)n, r, 1);
            }
            double t1 = INFINITY;
            size_t l = 0;
            for (size_t k = q_eq; k < q; k++)
                if (r[k] > 0.0 && u[k] / r[k] < t1) {
                    t1 = u[k] / r[k];
                    l = k;
                }
            if (isinf(t1) && isinf(t2)) {
                *q_out = q;
                return report_infeasible(c, id, r, q, err);
            }
            double t = fmin(t1, t2);
            if (!dep)
                cblas_daxpy((int)n, t, z, 1, x, 1);
            for (size_t k = 0; k < q; k++)
                u[k] -= t * r[k];
            uplus += t;
            c->iters++;
            if (t2 <= t1) {
                gi_add(c, id, d, &q, uplus);
                gi_snap(c, q);
                break;
            }
            u[l] = 0.0;
            gi_drop(c, l, &q);
        }
    }
    *q_out = q;
    return RA_OK;
}

/* Multipliers by constraint from the dual method's active set. */
static void gi_multipliers(qp_ctx *c, size_t q)
{
    qp_ws *w = &c->w;
    memset(w->ye, 0, c->me * sizeof *w->ye);
    memset(w->yi, 0, c->mi * sizeof *w->yi);
    memset(w->zb, 0, c->n * sizeof *w->zb);
    for (size_t k = 0; k < q; k++) {
        size_t i;
        switch (id_kind(c, (size_t)w->act[k], &i)) {
        case 0: w->ye[i] = w->u[k]; break;
        case 1: w->yi[i] = w->u[k]; break;
        case 2: w->zb[i] += w->u[k]; break;
        default: w->zb[i] -= w->u[k]; break;
        }
    }
}

/* State arrays (bst, rst) from the dual method's active set, for polishing. */
static void gi_to_state(qp_ctx *c, size_t q)
{
    qp_ws *w = &c->w;
    memset(w->bst, 0, c->n * sizeof *w->bst);
    memset(w->rst, 0, c->mi * sizeof *w->rst);
    for (size_t k = 0; k < q; k++) {
        size_t i;
        switch (id_kind(c, (size_t)w->act[k], &i)) {
        case 1: w->rst[i] = 1; break;
        case 2: w->bst[i] = 1; break;
        case 3: w->bst[i] = 2; break;
        default: break;
        }
    }
}

/* The active set of a fast-phase or polished answer, as ids. */
static size_t state_to_active(qp_ctx *c, int *act)
{
    size_t k = 0;
    for (size_t i = 0; i < c->me; i++)
        act[k++] = (int)i;
    for (size_t i = 0; i < c->mi; i++)
        if (c->w.rst[i])
            act[k++] = (int)(c->me + i);
    for (size_t j = 0; j < c->n; j++)
        if (c->w.bst[j])
            act[k++] = (int)(c->me + c->mi + (c->w.bst[j] == 1 ? j : c->n + j));
    return k;
}

/* ------------------------------------------------------------------------------------------- */
/* validation and driver                                                                        */

static ra_status check_finite(const double *v, size_t len, const char *name, size_t cols, ra_err *err)
{
    for (size_t i = 0; i < len; i++)
        if (!isfinite(v[i])) {
            if (cols)
                return ra_err_set(err, RA_EINVAL, NULL, "%s[%zu][%zu] is not finite (%g)", name,
                                  i / cols, i % cols, v[i]);
            return ra_err_set(err, RA_EINVAL, NULL, "%s[%zu] is not finite (%g)", name, i, v[i]);
        }
    return RA_OK;
}

static ra_status validate(const ra_qp_problem *p, const ra_qp_settings *s, void *work,
                          size_t work_size, const ra_qp_result *res, ra_err *err)
{
    if (!p || !res || !res->x)
        return ra_err_set(err, RA_EINVAL, NULL, "problem, result and result x are required");
    size_t n = p->n;
    if (n == 0 || !p->G)
        return ra_err_set(err, RA_EINVAL, NULL, "the problem needs n >= 1 and G (n = %zu)", n);
    if (p->m_eq > n)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "%zu equality rows exceed the %zu variables", p->m_eq, n);
    if (p->m_eq && (!p->A_eq || !p->b_eq))
        return ra_err_set(err, RA_EINVAL, NULL, "m_eq = %zu but A_eq or b_eq is missing", p->m_eq);
    if (p->m_in && (!p->A_in || !p->b_in))
        return ra_err_set(err, RA_EINVAL, NULL, "m_in = %zu but A_in or b_in is missing", p->m_in);
    size_t need = ra_qp_workspace_size(n, p->m_eq, p->m_in);
    if (need == 0)
        return ra_err_set(err, RA_EINVAL, NULL, "problem sizes n = %zu, m_eq = %zu, m_in = %zu are too large",
                          n, p->m_eq, p->m_in);
    if (!work || work_size < need)
        return ra_err_set(err, RA_EINVAL, NULL, "workspace has %zu bytes, the problem needs %zu",
                          work ? work_size : 0, need);
    const qp_hdr *h = work;
    if (h->magic != QP_MAGIC || h->n != n)
        return ra_err_set(err, RA_EINVAL, NULL, "workspace holds no factor of G for n = %zu", n);
    if (!(s->tol > 0.0) || s->max_iter < 0)
        return ra_err_set(err, RA_EINVAL, NULL, "settings need tol > 0 and max_iter >= 0 (tol %g, max_iter %d)",
                          s->tol, s->max_iter);
    ra_status rc;
    if (p->c && (rc = check_finite(p->c, n, "c", 0, err)) != RA_OK) return rc;
    if (p->m_eq && ((rc = check_finite(p->A_eq, p->m_eq * n, "A_eq", n, err)) != RA_OK ||
                    (rc = check_finite(p->b_eq, p->m_eq, "b_eq", 0, err)) != RA_OK))
        return rc;
    if (p->m_in && ((rc = check_finite(p->A_in, p->m_in * n, "A_in", n, err)) != RA_OK ||
                    (rc = check_finite(p->b_in, p->m_in, "b_in", 0, err)) != RA_OK))
        return rc;
    for (size_t j = 0; j < n; j++) {
        double lo = p->lo ? p->lo[j] : -INFINITY, hi = p->hi ? p->hi[j] : INFINITY;
        if (isnan(lo) || lo == INFINITY)
            return ra_err_set(err, RA_EINVAL, NULL, "lower bound of x[%zu] is %g", j, lo);
        if (isnan(hi) || hi == -INFINITY)
            return ra_err_set(err, RA_EINVAL, NULL, "upper bound of x[%zu] is %g", j, hi);
        if (lo > hi)
            return ra_err_set(err, RA_EINVAL, NULL,
                              "lower bound %.17g of x[%zu] is above its upper bound %.17g", lo, j, hi);
    }
    if (s->n_warm && !s->warm_active)
        return ra_err_set(err, RA_EINVAL, NULL, "n_warm = %zu but warm_active is missing", s->n_warm);
    size_t nc = p->m_eq + p->m_in + 2 * n;
    for (size_t k = 0; k < s->n_warm; k++)
        if (s->warm_active[k] < 0 || (size_t)s->warm_active[k] >= nc)
            return ra_err_set(err, RA_EINVAL, NULL,
                              "warm start id %d (entry %zu) is not a constraint id (0 .. %zu)",
                              s->warm_active[k], k, nc - 1);
    return RA_OK;
}

static void fill_result(qp_ctx *c, ra_qp_result *res, const kkt *k, double obj, const int *act,
                        size_t n_act)
{
    qp_ws *w = &c->w;
    memcpy(res->x, w->x, c->n * sizeof *res->x);
    if (res->y_eq && c->me) memcpy(res->y_eq, w->ye, c->me * sizeof *w->ye);
    if (res->y_in && c->mi) memcpy(res->y_in, w->yi, c->mi * sizeof *w->yi);
    if (res->z) memcpy(res->z, w->zb, c->n * sizeof *w->zb);
    if (res->active && act != res->active)
        memcpy(res->active, act, n_act * sizeof *act);
    res->n_active = n_act;
    res->obj = obj;
    res->iterations = c->iters;
    res->res_stat = k->stat;
    res->res_prim = k->prim;
    res->res_dual = k->dual;
    res->res_comp = k->comp;
}

/* Checks the current point; if it misses the tolerances, re-solves on its active set (bst/rst)
 * once. Returns 1 if accepted. */
static int accept_or_polish(qp_ctx *c, kkt *k, double *obj, ra_qp_info *info)
{
    *k = kkt_check(c, c->w.x, c->w.ye, c->w.yi, c->w.zb, obj);
    if (k->ok)
        return 1;
    if (!reduced_solve(c, gather_rows(c)))
        return 0;
    if (info) info->polished = 1;
    *k = kkt_check(c, c->w.x, c->w.ye, c->w.yi, c->w.zb, obj);
    return k->ok;
}

ra_status ra_qp_solve_method(const ra_qp_problem *p, const ra_qp_settings *s, void *work,
                             size_t work_size, ra_qp_method method, ra_qp_result *res,
                             ra_qp_info *info, ra_err *err)
{
    ra_qp_settings def;
    if (!s) {
        ra_qp_settings_default(&def);
        s = &def;
    }
    if (info) memset(info, 0, sizeof *info);
    ra_status rc = validate(p, s, work, work_size, res, err);
    if (rc != RA_OK)
        return rc;
    qp_ctx c = {0};
    c.p = p;
    c.s = s;
    c.n = p->n;
    c.me = p->m_eq;
    c.mi = p->m_in;
    c.nc = c.me + c.mi + 2 * c.n;
    c.max_iter = s->max_iter ? s->max_iter : (int)(50 * (c.n + c.mi) + 1000);
    layout(c.n, c.me, c.mi, work, &c.w);
    res->n_active = 0;
    res->iterations = 0;
    for (size_t j = 0; j < c.n; j++)
        if (p->G[j * c.n + j] != c.w.gdiag[j])
            return ra_err_set(err, RA_EINVAL, NULL,
                              "G differs from the factorised matrix (diagonal at x[%zu])", j);
    for (size_t i = 0; i < c.me + c.mi; i++) {
        const double *a = row_of(&c, i);
        c.w.nrm1[i] = cblas_dasum((int)c.n, a, 1);
        c.w.nrm2[i] = fmax(cblas_dnrm2((int)c.n, a, 1), 1e-300);
    }
    int *act = res->active ? res->active : c.w.act;
    kkt k;
    double obj;

    /* The free-set method: always when asked; automatically when the workspace holds no factor
     * of the whole G (ra_qp_setup), which it never needs. */
    if ((method == RA_QP_METHOD_FREE || (method == RA_QP_METHOD_AUTO && !c.w.hdr->full)) &&
        c.mi == 0 && c.me <= 1) {
        int fi = 0;
        ra_qp_free_ws fw = {.U = c.w.J, .g = c.w.g, .p = c.w.d, .h = c.w.t1, .v = c.w.t2,
                            .fidx = c.w.fidx};
        if (info) info->free_tried = 1;
        int conv = ra_qp_free_run(p, s->tol, c.max_iter, &fw, c.w.x, c.w.bst, &fi);
        if (info) info->free_iters = fi;
        /* a method that gives up leaves the whole iteration budget to the next one */
        c.iters = fi;
        if (conv && reduced_solve(&c, gather_rows(&c))) {
            k = kkt_check(&c, c.w.x, c.w.ye, c.w.yi, c.w.zb, &obj);
            if (k.ok) {
                if (info) info->free_converged = 1;
                size_t na = state_to_active(&c, act);
                fill_result(&c, res, &k, obj, act, na);
                return RA_OK;
            }
        }
        c.iters = 0;
    }
    if (method == RA_QP_METHOD_FREE)
        method = RA_QP_METHOD_AUTO;
    /* everything below works on the factor of the whole G: a lazy setup gets it now, once */
    if (!c.w.hdr->full) {
        rc = factor_full(p->G, work, err);
        if (rc != RA_OK)
            return rc;
        if (info) info->full_factor = 1;
    }

    size_t n_bounds = 0;
    for (size_t j = 0; j < c.n; j++)
        n_bounds += isfinite(lo_of(&c, j)) || isfinite(hi_of(&c, j));
    int try_fast = method == RA_QP_METHOD_FAST ||
                   (method == RA_QP_METHOD_AUTO && n_bounds > 0 && c.n >= RA_QP_FAST_MIN_N);
    if (try_fast && method != RA_QP_METHOD_DUAL) {
        int solves = 0;
        if (info) info->fast_tried = 1;
        int conv = fast_run(&c, &solves);
        if (info) info->fast_iters = solves;
        if (conv && accept_or_polish(&c, &k, &obj, info)) {
            if (info) info->fast_converged = 1;
            size_t na = state_to_active(&c, act);
            fill_result(&c, res, &k, obj, act, na);
            return RA_OK;
        }
    }
    /* The dual method, warm-started from the fast phase's last guess if it ran, else from the
     * caller's list. */
    int before = c.iters;
    size_t q = 0;
    rc = gi_run(&c, try_fast ? 2 : (s->n_warm ? 1 : 0), &q, err);
    if (info) info->dual_iters = c.iters - before;
    gi_multipliers(&c, q);
    if (act != c.w.act)
        memcpy(act, c.w.act, q * sizeof *act);
    if (rc != RA_OK) {
        k = kkt_check(&c, c.w.x, c.w.ye, c.w.yi, c.w.zb, &obj);
        fill_result(&c, res, &k, obj, act, q);
        return rc;
    }
    gi_to_state(&c, q);
    k = kkt_check(&c, c.w.x, c.w.ye, c.w.yi, c.w.zb, &obj);
    if (k.score > RA_QP_TOL_POLISH) {
        /* polish on the final active set; equalities the method skipped as redundant make the
         * reduced system singular, in which case the unpolished point stays */
        qp_ws *w = &c.w;
        size_t n = c.n, me = c.me, mi = c.mi;
        memcpy(w->keep, w->x, n * sizeof *w->x);
        memcpy(w->keep + n, w->zb, n * sizeof *w->zb);
        memcpy(w->keep + 2 * n, w->ye, me * sizeof *w->ye);
        memcpy(w->keep + 2 * n + me, w->yi, mi * sizeof *w->yi);
        kkt k2;
        double obj2;
        if (reduced_solve(&c, gather_rows(&c)) &&
            (k2 = kkt_check(&c, w->x, w->ye, w->yi, w->zb, &obj2)).score < k.score) {
            if (info) info->polished = 1;
            k = k2;
            obj = obj2;
        } else {
            memcpy(w->x, w->keep, n * sizeof *w->x);
            memcpy(w->zb, w->keep + n, n * sizeof *w->zb);
            memcpy(w->ye, w->keep + 2 * n, me * sizeof *w->ye);
            memcpy(w->yi, w->keep + 2 * n + me, mi * sizeof *w->yi);
        }
    }
    fill_result(&c, res, &k, obj, act, q);
    if (!k.ok)
        return ra_err_set(err, RA_ENOCONV, NULL,
                          "solution misses the KKT tolerance (stationarity %.3g, primal %.3g, dual "
                          "%.3g, complementarity %.3g)",
                          k.stat, k.prim, k.dual, k.comp);
    return RA_OK;
}

ra_status ra_qp_solve(const ra_qp_problem *p, const ra_qp_settings *s, void *work, size_t work_size,
                      ra_qp_result *res, ra_err *err)
{
    return ra_qp_solve_method(p, s, work, work_size, RA_QP_METHOD_AUTO, res, NULL, err);
}
