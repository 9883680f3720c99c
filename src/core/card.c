/* Cardinality and minimum position size (include/roboadvisor/card.h).
 *
 * Each asset is out (w_j = 0), in (w_j >= m) or free; the relaxation of a node replaces
 * "0 or >= m" by [0, hi] for the free assets and is an ordinary QP, solved with the public
 * ra_qp_* API (G = cov factorised once for the whole search, each node warm-started from its
 * parent's active set). Depth-first branch and bound (Bienstock 1996; Bertsimas & Shioda 2009):
 * a node whose relaxation is no better than the incumbent is pruned; otherwise branch on the
 * free held asset whose weight is the most fractional with respect to m (closest to m/2), or,
 * when every held weight is >= m but more than K are held, on the smallest held weight; the child
 * on the side nearer the relaxed weight is explored first. A child with K assets in has all other
 * assets out.
 *
 * Max Sharpe is searched in the homogenised space y = w / ((mu - rf)'w) (Cornuejols & Tutuncu
 * 2007, 8.2): min y'Sy s.t. (mu - rf)'y = 1, where every limit on w becomes a homogeneous row in
 * y (w_j >= m is y_j - m 1'y >= 0), so the relaxation stays a convex QP whose bound is valid
 * for the ratio (Sharpe = 1 / sqrt(y'Sy)).
 *
 * Heuristic (beyond exact_max_n assets, or when asked): solve the relaxation, keep its K largest
 * weights, solve the problem exactly on that support (a search over K assets), then improve by
 * swapping one held asset for one left out while that lowers the objective (a 1-opt swap
 * neighbourhood, as in the local searches of Chang, Meade, Beasley & Sharaiha 2000), at most
 * CARD_SWAP_PASSES passes. The root relaxation is its bound, so the gap is reported.
 * docs/methodology.md#cardinality. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/card.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#define CARD_TOL_HELD 1e-10   /* weights at or below this are not held (QP bounds are exact 0) */
#define CARD_TOL_MIN 1e-9     /* a held weight this close below m counts as >= m */
#define CARD_TOL_PRUNE 1e-12  /* relative: a node this close to the incumbent cannot improve it */
#define CARD_SWAP_PASSES 20   /* improving passes of the swap search */
#define CARD_CODE_INROW (1 << 28) /* warm-start codes of a node's rows and bounds, see code_of() */
#define CARD_CODE_LO (2 << 28)
#define CARD_CODE_HI (3 << 28)

typedef struct node {
    signed char *st; /* n: -1 out, 0 free, +1 in */
    int *warm;       /* codes of the parent's active set */
    size_t n_warm;
    double bound;    /* the parent's relaxation objective */
} node;

typedef struct card {
    const ra_opt_problem *p;
    const ra_card_settings *s;
    size_t n, ng, K;
    double m;
    int sharpe, target;
    size_t m_eq, m_base, m_max;       /* equality rows, fixed inequality rows, row capacity */
    double *A_eq, *b_eq, *A_in, *b_in;
    double *lo, *hi, *qlo, *qhi, *x, *w;
    int *active;
    int *ids;                         /* warm ids of the node being solved */
    int *inrow;                       /* n: row of asset j's "in" limit (Y space), -1 none */
    void *qw;
    size_t qw_size;
    node *stack;
    size_t cap;
    signed char *pst;                 /* n: the state of the node being expanded */
    signed char *hst;                 /* n: the heuristic's start state */
    double *rel;                      /* n: the root relaxation's weights */
    size_t *ord;                      /* n: assets by relaxed weight */
    int *pwarm;                       /* its active set as codes */
    double best_f, *best_w;           /* incumbent: QP objective and weights */
    long nodes, budget;
    ra_qp_settings qs;
    ra_status fatal;                  /* an error other than an infeasible node */
} card;

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t j = 0; j < n; j++)
        s += a[j] * b[j];
    return s;
}

/* Rows that do not depend on the node. W space: budget (and target) equalities, group rows.
 * Y space: (mu - rf)'y = 1, group rows and bound rows, all homogeneous. */
static void base_rows(card *c)
{
    const ra_opt_problem *p = c->p;
    const size_t n = c->n;
    size_t r = 0;
    if (c->sharpe) {
        for (size_t j = 0; j < n; j++)
            c->A_eq[j] = p->mu[j] - p->rf;
        c->b_eq[0] = 1.0;
        c->m_eq = 1;
    } else {
        for (size_t j = 0; j < n; j++)
            c->A_eq[j] = 1.0;
        c->b_eq[0] = 1.0;
        c->m_eq = 1;
        if (c->target) {
            memcpy(c->A_eq + n, p->mu, n * sizeof *p->mu);
            c->b_eq[1] = p->target;
            c->m_eq = 2;
        }
    }
    for (size_t g = 0; g < c->ng; g++) {
        const ra_opt_group *G = &p->groups[g];
        double *a = c->A_in + r * n, *b = a + n;
        memset(a, 0, 2 * n * sizeof *a);
        for (size_t q = 0; q < G->n_members; q++) {
            a[G->members[q]] = 1.0;
            b[G->members[q]] = -1.0;
        }
        if (c->sharpe) { /* sum_G y - min 1'y >= 0, max 1'y - sum_G y >= 0 */
            for (size_t j = 0; j < n; j++) {
                a[j] -= G->min;
                b[j] += G->max;
            }
            c->b_in[r] = c->b_in[r + 1] = 0.0;
        } else {
            c->b_in[r] = G->min;
            c->b_in[r + 1] = -G->max;
        }
        r += 2;
    }
    if (c->sharpe)
        for (size_t j = 0; j < n; j++) {
            if (c->hi[j] < 1.0) { /* hi 1'y - y_j >= 0 */
                double *a = c->A_in + r * n;
                for (size_t k = 0; k < n; k++)
                    a[k] = c->hi[j];
                a[j] -= 1.0;
                c->b_in[r++] = 0.0;
            }
            if (c->lo[j] > 0.0) { /* y_j - lo 1'y >= 0 */
                double *a = c->A_in + r * n;
                for (size_t k = 0; k < n; k++)
                    a[k] = -c->lo[j];
                a[j] += 1.0;
                c->b_in[r++] = 0.0;
            }
        }
    c->m_base = r;
}

/* Solves the relaxation of st; *f its objective (0.5 x'Sx). Returns RA_OK, RA_EINFEASIBLE (prune)
 * or another error (fatal). The node's active set goes out as codes into warm_out. */
static ra_status relax(card *c, const signed char *st, const int *warm, size_t n_warm, double *f,
                       int *warm_out, size_t *n_warm_out, ra_err *err)
{
    const size_t n = c->n;
    size_t m_in = c->m_base;
    for (size_t j = 0; j < n; j++) {
        c->inrow[j] = -1;
        if (st[j] < 0) {
            c->qlo[j] = 0.0;
            c->qhi[j] = 0.0;
        } else if (c->sharpe) {
            c->qlo[j] = 0.0;
            c->qhi[j] = INFINITY;
            if (st[j] > 0 && c->m > 0.0) { /* y_j - m 1'y >= 0 */
                double *a = c->A_in + m_in * n;
                for (size_t k = 0; k < n; k++)
                    a[k] = -c->m;
                a[j] += 1.0;
                c->b_in[m_in] = 0.0;
                c->inrow[j] = (int)m_in++;
            }
        } else {
            c->qlo[j] = c->lo[j];
            c->qhi[j] = c->hi[j];
            if (st[j] > 0 && c->m > c->qlo[j])
                c->qlo[j] = c->m;
        }
    }
    /* codes -> ids for this node's layout */
    size_t k = 0;
    for (size_t i = 0; i < n_warm; i++) {
        int code = warm[i], id;
        if (code < CARD_CODE_INROW) {
            id = code;
        } else if (code < CARD_CODE_LO) {
            int r = c->inrow[code - CARD_CODE_INROW];
            if (r < 0)
                continue;
            id = (int)c->m_eq + r;
        } else if (code < CARD_CODE_HI) {
            id = (int)(c->m_eq + m_in) + (code - CARD_CODE_LO);
        } else {
            id = (int)(c->m_eq + m_in + n) + (code - CARD_CODE_HI);
        }
        c->ids[k++] = id;
    }
    ra_qp_problem qp = {.n = n, .G = c->p->cov, .m_eq = c->m_eq, .A_eq = c->A_eq, .b_eq = c->b_eq,
                        .m_in = m_in, .A_in = m_in ? c->A_in : NULL, .b_in = m_in ? c->b_in : NULL,
                        .lo = c->qlo, .hi = c->qhi};
    ra_qp_result r = {.x = c->x, .active = c->active};
    c->qs.warm_active = k ? c->ids : NULL;
    c->qs.n_warm = k;
    c->nodes++;
    ra_status rc = ra_qp_solve(&qp, &c->qs, c->qw, c->qw_size, &r, err);
    if (rc != RA_OK)
        return rc;
    *f = r.obj;
    size_t nw = 0;
    for (size_t i = 0; i < r.n_active; i++) {
        size_t id = (size_t)r.active[i];
        int code;
        if (id < c->m_eq + c->m_base) {
            code = (int)id;
        } else if (id < c->m_eq + m_in) {
            size_t row = id - c->m_eq, j = 0;
            while (j < n && c->inrow[j] != (int)row)
                j++;
            code = CARD_CODE_INROW + (int)j;
        } else {
            id -= c->m_eq + m_in;
            code = id < n ? CARD_CODE_LO + (int)id : CARD_CODE_HI + (int)(id - n);
        }
        warm_out[nw++] = code;
    }
    *n_warm_out = nw;
    /* weights */
    double s = 1.0;
    if (c->sharpe) {
        s = 0.0;
        for (size_t j = 0; j < n; j++)
            s += c->x[j];
    }
    for (size_t j = 0; j < n; j++) {
        double v = c->x[j] / s;
        c->w[j] = v > CARD_TOL_HELD ? v : (v < -CARD_TOL_HELD ? v : 0.0);
    }
    return RA_OK;
}

static int can_improve(const card *c, double f)
{
    return !isfinite(c->best_f) || f < c->best_f - CARD_TOL_PRUNE * (1.0 + fabs(c->best_f));
}

/* Depth-first search from the state st0. Returns 1 when it finished within the budget; else
 * *open_bound is the lowest bound of the nodes left open. */
static int search(card *c, const signed char *st0, double *open_bound, ra_err *err)
{
    const size_t n = c->n;
    memcpy(c->stack[0].st, st0, n);
    c->stack[0].n_warm = 0;
    c->stack[0].bound = -INFINITY;
    size_t top = 1;
    *open_bound = INFINITY;
    while (top > 0) {
        node *nd = &c->stack[--top];
        if (!can_improve(c, nd->bound))
            continue;
        if (c->nodes >= c->budget) {
            for (size_t i = 0; i <= top; i++)
                if (c->stack[i].bound < *open_bound)
                    *open_bound = c->stack[i].bound;
            return 0;
        }
        memcpy(c->pst, nd->st, n); /* the children reuse this slot */
        double f = 0.0;
        size_t nw = 0;
        ra_status rc = relax(c, c->pst, nd->warm, nd->n_warm, &f, c->pwarm, &nw, err);
        if (rc == RA_EINFEASIBLE)
            continue;
        if (rc != RA_OK) {
            c->fatal = rc;
            return 0;
        }
        if (!can_improve(c, f))
            continue;
        size_t held = 0, n_in = 0, pick = SIZE_MAX;
        double best_frac = -1.0, smallest = INFINITY;
        int below = 0;
        for (size_t j = 0; j < n; j++) {
            if (c->pst[j] > 0)
                n_in++;
            if (c->w[j] <= CARD_TOL_HELD)
                continue;
            held++;
            if (c->pst[j] != 0)
                continue;
            if (c->w[j] < c->m - CARD_TOL_MIN) {
                double fr = c->w[j] < c->m - c->w[j] ? c->w[j] : c->m - c->w[j];
                if (!below || fr > best_frac) {
                    best_frac = fr;
                    pick = j;
                }
                below = 1;
            } else if (!below && c->w[j] < smallest) {
                smallest = c->w[j];
                pick = j;
            }
        }
        if (!below && (c->K == 0 || held <= c->K)) { /* meets the limits: a new incumbent */
            c->best_f = f;
            memcpy(c->best_w, c->w, n * sizeof *c->w);
            continue;
        }
        if (pick == SIZE_MAX) /* more than K held with all of them fixed in: not reachable */
            continue;
        /* Explored first (pushed last): out when the weight is under m/2 or too many are held. */
        int out_first = !below || c->w[pick] < 0.5 * c->m;
        for (int side = 0; side < 2; side++) {
            int is_out = side == 0 ? !out_first : out_first;
            if (!is_out && c->K && n_in + 1 > c->K)
                continue;
            node *ch = &c->stack[top++];
            memcpy(ch->st, c->pst, n);
            ch->st[pick] = is_out ? -1 : 1;
            if (!is_out && c->K && n_in + 1 == c->K)
                for (size_t j = 0; j < n; j++)
                    if (ch->st[j] == 0)
                        ch->st[j] = -1;
            ch->bound = f;
            ch->n_warm = nw;
            memcpy(ch->warm, c->pwarm, nw * sizeof *c->pwarm);
        }
    }
    return 1;
}

/* The relax-and-swap heuristic from st_root (see the header comment). *root_f gets the root
 * relaxation's objective, a bound on any portfolio meeting the limits. */
static ra_status heuristic(card *c, const signed char *st_root, int swaps, double *root_f,
                           ra_err *err)
{
    const size_t n = c->n;
    size_t nw = 0;
    ra_status rc = relax(c, st_root, NULL, 0, root_f, c->pwarm, &nw, err);
    if (rc != RA_OK)
        return rc;
    double *rel = c->rel;
    memcpy(rel, c->w, n * sizeof *rel);
    /* order: forced in first, then by relaxed weight, largest first (ties by index) */
    size_t *ord = c->ord, no = 0;
    for (size_t j = 0; j < n; j++)
        if (st_root[j] >= 0)
            ord[no++] = j;
    for (size_t i = 1; i < no; i++) { /* insertion sort: n is small where this runs often */
        size_t v = ord[i], k = i;
        double kv = st_root[v] > 0 ? INFINITY : rel[v];
        while (k > 0) {
            size_t u = ord[k - 1];
            double ku = st_root[u] > 0 ? INFINITY : rel[u];
            if (ku > kv || (ku == kv && u < v))
                break;
            ord[k] = u;
            k--;
        }
        ord[k] = v;
    }
    size_t K = c->K ? c->K : no;
    if (K > no)
        K = no;
    signed char *st = c->hst;
    memcpy(st, st_root, n);
    for (size_t i = K; i < no; i++)
        st[ord[i]] = -1;
    double ob;
    search(c, st, &ob, err);
    if (c->fatal)
        return c->fatal;
    /* 1-opt swaps: one of the K kept (not forced in) for one left out, best relaxed first */
    for (int pass = 0; swaps && pass < CARD_SWAP_PASSES && c->nodes < c->budget; pass++) {
        int improved = 0;
        for (size_t a = 0; a < K && !improved; a++) {
            size_t i = ord[a];
            if (st_root[i] > 0)
                continue;
            for (size_t b = K; b < no && !improved; b++) {
                size_t j = ord[b];
                memcpy(st, st_root, n);
                for (size_t q = K; q < no; q++)
                    st[ord[q]] = -1;
                st[i] = -1;
                st[j] = 0;
                double before = c->best_f;
                search(c, st, &ob, err);
                if (c->fatal)
                    return c->fatal;
                if (c->best_f < before) { /* keep the swap: j takes i's place in the order */
                    ord[a] = j;
                    ord[b] = i;
                    improved = 1;
                }
            }
        }
        if (!improved)
            break;
    }
    return RA_OK;
}

void ra_card_settings_default(ra_card_settings *s)
{
    if (!s)
        return;
    memset(s, 0, sizeof *s);
    s->exact_max_n = 25;
    s->node_limit = 200000;
}

static ra_status validate(const ra_opt_problem *p, ra_opt_objective obj, const ra_card_settings *s,
                          ra_err *err)
{
    if (!p || !s || !p->cov)
        return ra_err_set(err, RA_EINVAL, NULL, "cardinality problem needs a covariance and settings");
    if (p->n == 0 || p->n > 20000)
        return ra_err_set(err, RA_EINVAL, NULL, "portfolio of %zu assets is outside 1..20000", p->n);
    if (obj != RA_OPT_MIN_VARIANCE && obj != RA_OPT_TARGET_RETURN && obj != RA_OPT_MAX_SHARPE)
        return ra_err_set(err, RA_EINVAL, NULL, "cardinality limits apply to minimum variance, "
                                                "target return and maximum sharpe ratio only");
    if (obj != RA_OPT_MIN_VARIANCE && !p->mu)
        return ra_err_set(err, RA_EINVAL, NULL, "expected returns are required for this objective");
    if (p->w0 && p->turnover_cost > 0.0)
        return ra_err_set(err, RA_EINVAL, NULL, "cardinality limits take no turnover penalty");
    if (!(s->min_weight >= 0.0 && s->min_weight <= 1.0))
        return ra_err_set(err, RA_EINVAL, NULL, "minimum weight must be in [0, 1], got %g",
                          s->min_weight);
    if (s->node_limit < 1)
        return ra_err_set(err, RA_EINVAL, NULL, "node limit must be >= 1, got %ld", s->node_limit);
    if (obj == RA_OPT_TARGET_RETURN && !isfinite(p->target))
        return ra_err_set(err, RA_EINVAL, NULL, "target return is not finite");
    if (!isfinite(p->rf))
        return ra_err_set(err, RA_EINVAL, NULL, "risk-free rate is not finite");
    for (size_t j = 0; j < p->n; j++) {
        double lo = p->lo ? p->lo[j] : 0.0, hi = p->hi ? p->hi[j] : 1.0;
        if (!(lo >= 0.0 && lo <= hi && hi <= 1e6))
            return ra_err_set(err, RA_EINVAL, NULL,
                              "cardinality limits need bounds 0 <= lo <= hi, asset %zu has [%g, %g]",
                              j + 1, lo, hi);
        if (p->mu && !isfinite(p->mu[j]))
            return ra_err_set(err, RA_EINVAL, NULL, "expected return of asset %zu is not finite",
                              j + 1);
    }
    if (p->n_groups && !p->groups)
        return ra_err_set(err, RA_EINVAL, NULL, "%zu groups announced but none given", p->n_groups);
    for (size_t g = 0; g < p->n_groups; g++) {
        const ra_opt_group *G = &p->groups[g];
        if (!G->members || !(G->min <= G->max) || !isfinite(G->min) || !isfinite(G->max))
            return ra_err_set(err, RA_EINVAL, NULL, "group %zu is malformed", g + 1);
        for (size_t q = 0; q < G->n_members; q++)
            if (G->members[q] >= p->n)
                return ra_err_set(err, RA_EINVAL, NULL, "group %zu member %zu is not an asset",
                                  g + 1, q + 1);
    }
    return RA_OK;
}

ra_status ra_card_solve(const ra_opt_problem *p, ra_opt_objective obj, const ra_card_settings *s,
                        ra_card_result *res, ra_err *err)
{
    if (!res || !res->w)
        return ra_err_set(err, RA_EINVAL, NULL, "result needs a weight array");
    ra_status rc = validate(p, obj, s, err);
    if (rc != RA_OK)
        return rc;
    const size_t n = p->n, ng = p->n_groups;
    card c = {.p = p, .s = s, .n = n, .ng = ng, .K = s->max_assets < n ? s->max_assets : 0,
              .m = s->min_weight, .sharpe = obj == RA_OPT_MAX_SHARPE,
              .target = obj == RA_OPT_TARGET_RETURN, .best_f = INFINITY,
              .budget = s->node_limit};
    c.m_max = 2 * ng + (c.sharpe ? 3 * n : 0);
    c.cap = 2 * n + 2;
    size_t na = n + 2 + c.m_max; /* active-set slots */
    c.qw_size = ra_qp_workspace_size(n, 2, c.m_max);
    size_t dbl = 2 * n + 2 + c.m_max * n + c.m_max + 7 * n;
    size_t bytes = c.qw_size + 64 + dbl * sizeof(double) + n * sizeof(size_t) +
                   (4 + c.cap) * na * sizeof(int) + c.cap * sizeof(node) + (c.cap + 3) * n + 64;
    unsigned char *buf = ra_malloc(bytes);
    if (!buf || c.qw_size == 0) {
        ra_free(buf);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu bytes for the search",
                          bytes);
    }
    c.qw = buf;
    double *d = (double *)(void *)(buf + ((c.qw_size + 63) & ~(size_t)63));
    double **arr[] = {&c.A_eq, &c.b_eq, &c.A_in, &c.b_in, &c.lo, &c.hi,
                      &c.qlo, &c.qhi, &c.x, &c.w, &c.rel};
    const size_t len[] = {2 * n, 2, c.m_max * n, c.m_max, n, n, n, n, n, n, n};
    for (size_t i = 0; i < sizeof len / sizeof len[0]; i++) { /* dbl doubles in all */
        *arr[i] = d;
        d += len[i];
    }
    c.best_w = res->w;
    c.ord = (size_t *)(void *)d;
    int *ip = (int *)(void *)(c.ord + n);
    c.active = ip; ip += na;
    c.ids = ip; ip += na;
    c.pwarm = ip; ip += na;
    c.inrow = ip; ip += na;
    c.stack = (node *)(void *)(((uintptr_t)ip + 7) & ~(uintptr_t)7);
    signed char *sc = (signed char *)(c.stack + c.cap);
    int *wp = (int *)(void *)(((uintptr_t)(sc + (c.cap + 3) * n) + 7) & ~(uintptr_t)7);
    for (size_t i = 0; i < c.cap; i++) {
        c.stack[i].st = sc + i * n;
        c.stack[i].warm = wp + i * na;
    }
    c.pst = sc + c.cap * n;
    c.hst = c.pst + n;
    signed char *st_root = c.hst + n;
    size_t forced = 0;
    for (size_t j = 0; j < n; j++) {
        c.lo[j] = p->lo ? p->lo[j] : 0.0;
        c.hi[j] = p->hi ? p->hi[j] : 1.0;
        st_root[j] = c.lo[j] > 0.0 ? 1 : (c.hi[j] < c.m || c.hi[j] == 0.0) ? -1 : 0;
        forced += st_root[j] > 0;
    }
    base_rows(&c);
    ra_qp_settings_default(&c.qs);
    memset(res->w, 0, n * sizeof *res->w);
    res->nodes = 0;
    res->proven_optimal = 0;
    res->used_heuristic = s->heuristic || n > s->exact_max_n;
    double root_f = 0.0, open_bound = INFINITY;
    if (c.K && forced > c.K) {
        rc = ra_err_set(err, RA_EINFEASIBLE, NULL,
                        "%zu assets have lower bounds above 0, more than the %zu allowed", forced,
                        c.K);
        goto out;
    }
    if ((rc = ra_qp_factor(p->cov, n, &c.qs, c.qw, c.qw_size, err)) != RA_OK)
        goto out;
    rc = heuristic(&c, st_root, res->used_heuristic, &root_f, err);
    if (rc == RA_EINFEASIBLE) {
        rc = ra_err_set(err, RA_EINFEASIBLE, NULL,
                        "no portfolio meets the bounds and limits with every held weight at least "
                        "%.4g, whatever the number of assets", c.m);
        goto out;
    }
    if (rc != RA_OK)
        goto out;
    if (!res->used_heuristic) {
        res->proven_optimal = search(&c, st_root, &open_bound, err);
        if (c.fatal) {
            rc = c.fatal;
            goto out;
        }
    }
    if (!isfinite(c.best_f)) {
        if (res->proven_optimal && c.m <= 0.0)
            rc = ra_err_set(err, RA_EINFEASIBLE, NULL,
                            "no portfolio of at most %zu asset(s) meets the limits", c.K);
        else if (res->proven_optimal)
            rc = ra_err_set(err, RA_EINFEASIBLE, NULL,
                            "no portfolio of at most %zu asset(s) of at least %.4g each meets "
                            "the limits", c.K ? c.K : n, c.m);
        else
            rc = ra_err_set(err, RA_ENOCONV, NULL,
                            "no portfolio meeting the limits found in %ld relaxations", c.nodes);
        goto out;
    }
    double bound_f = res->proven_optimal ? c.best_f :
                     res->used_heuristic ? root_f :
                     (open_bound < c.best_f ? open_bound : c.best_f);
    double v = 0.0;
    for (size_t i = 0; i < n; i++)
        v += res->w[i] * dot(p->cov + i * n, res->w, n);
    res->volatility = sqrt(v > 0.0 ? v : 0.0);
    res->expected_return = p->mu ? dot(p->mu, res->w, n) : NAN;
    res->sharpe = p->mu && res->volatility > 0.0 ? (res->expected_return - p->rf) / res->volatility
                                                 : NAN;
    res->held = 0;
    for (size_t j = 0; j < n; j++)
        res->held += res->w[j] > 0.0;
    if (c.sharpe) {
        res->objective = res->sharpe;
        res->bound = bound_f > 0.0 ? 1.0 / sqrt(2.0 * bound_f) : INFINITY;
    } else {
        res->objective = v;
        res->bound = 2.0 * bound_f;
    }
    rc = RA_OK;
out:
    res->nodes = c.nodes;
    ra_free(buf);
    return rc;
}
