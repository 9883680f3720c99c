/* Tests of src/core/opt.c (include/roboadvisor/opt.h).
 * Golden numbers: tests/golden/opt/golden.txt, written by tests/golden/opt/make_golden.R (R 4.2,
 * quadprog solve.QP, uniroot, coordinate descent) from ../shared/data; see the README there.
 * Properties run over pinned seeds and print the seed when they fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <roboadvisor/opt.h>

#include "ra_test.h"

#define TOL_W_GOLD 1e-7     /* weights vs quadprog: both solvers stop at ~1e-12 KKT, but weights */
                            /* move by cond(cov) times that; LPP cov has cond ~1e4 */
#define TOL_FEAS 1e-9       /* budget, bounds, groups (brief) */
#define TOL_VOL_REL 1e-10   /* target volatility hit (brief) */
#define TOL_RP 1e-10        /* risk contributions spread (brief) */

/* ---------------------------------------------------------------------------------------------
 * Golden records */

static int load_golden(void **state)
{
    (void)state;
    return ra_golden_load(RA_GOLDEN("opt/golden.txt"), "tests/golden/opt/make_golden.R");
}

static int free_golden(void **state)
{
    (void)state;
    ra_golden_free();
    return 0;
}

#define gold ra_golden

static const char *const lpp_names[6] = {"SBI", "SPI", "SII", "LMI", "MPI", "ALT"};

/* ---------------------------------------------------------------------------------------------
 * Helpers */

typedef struct fixture {
    void *work;
    size_t size;
} fixture;

static fixture ws(size_t n, size_t ng)
{
    fixture f = {NULL, ra_opt_workspace_size(n, ng)};
    assert_true(f.size > 0);
    f.work = malloc(f.size);
    assert_non_null(f.work);
    return f;
}

static ra_opt_problem base_problem(size_t n, const double *mu, const double *cov)
{
    ra_opt_problem p;
    memset(&p, 0, sizeof p);
    p.n = n;
    p.mu = mu;
    p.cov = cov;
    return p;
}

static ra_status solve(const ra_opt_problem *p, ra_opt_objective obj, double *w, ra_opt_result *r,
                       ra_err *err)
{
    fixture f = ws(p->n, p->n_groups);
    memset(r, 0, sizeof *r);
    r->w = w;
    ra_status rc = ra_opt_solve(p, obj, f.work, f.size, r, err);
    free(f.work);
    return rc;
}

static double quadform(const double *S, const double *w, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            s += w[i] * S[i * n + j] * w[j];
    return s;
}

/* Budget, bounds and groups within TOL_FEAS; returns a message or NULL. */
static const char *infeasibility(const ra_opt_problem *p, const double *w)
{
    static char msg[160];
    double s = 0.0;
    for (size_t j = 0; j < p->n; j++) {
        double lo = p->lo ? p->lo[j] : 0.0, hi = p->hi ? p->hi[j] : 1.0;
        if (!(w[j] >= lo - TOL_FEAS && w[j] <= hi + TOL_FEAS)) {
            snprintf(msg, sizeof msg, "w[%zu] = %.17g outside [%g, %g]", j, w[j], lo, hi);
            return msg;
        }
        s += w[j];
    }
    if (!(fabs(s - 1.0) <= TOL_FEAS)) {
        snprintf(msg, sizeof msg, "weights sum to %.17g", s);
        return msg;
    }
    for (size_t g = 0; g < p->n_groups; g++) {
        double t = 0.0;
        for (size_t k = 0; k < p->groups[g].n_members; k++)
            t += w[p->groups[g].members[k]];
        if (!(t >= p->groups[g].min - TOL_FEAS && t <= p->groups[g].max + TOL_FEAS)) {
            snprintf(msg, sizeof msg, "group %zu sum %.17g outside [%g, %g]", g, t,
                     p->groups[g].min, p->groups[g].max);
            return msg;
        }
    }
    return NULL;
}

static const char *kkt_bad(const ra_opt_result *r)
{
    static char msg[160];
    if (r->res_stat <= RA_TOL_KKT && r->res_prim <= RA_TOL_KKT && r->res_dual <= RA_TOL_KKT &&
        r->res_comp <= RA_TOL_KKT)
        return NULL;
    snprintf(msg, sizeof msg, "kkt residuals stat %.3g prim %.3g dual %.3g comp %.3g",
             r->res_stat, r->res_prim, r->res_dual, r->res_comp);
    return msg;
}

/* ---------------------------------------------------------------------------------------------
 * Seeded random problems: splitmix64, factor-model covariances (PD by construction). */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next_u64(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double unif(rng *r) { return (double)(next_u64(r) >> 11) * (1.0 / 9007199254740992.0); }

static double gauss(rng *r)
{
    double u = unif(r), v = unif(r);
    if (u < 1e-300)
        u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

#define RMAX 16
typedef struct rand_problem {
    ra_opt_problem p;
    double mu[RMAX], cov[RMAX * RMAX], lo[RMAX], hi[RMAX], w0[RMAX];
    size_t members[2][RMAX];
    ra_opt_group groups[2];
} rand_problem;

/* kind bit 1: random bounds; bit 2: two groups. */
static void make_random(rand_problem *rp, uint64_t seed, int kind)
{
    rng r = {seed * 0x2545f4914f6cdd1dULL + 1};
    memset(rp, 0, sizeof *rp);
    size_t n = 3 + (size_t)(next_u64(&r) % (RMAX - 3));
    double B[RMAX][3];
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 3; k++)
            B[i][k] = 0.15 * gauss(&r);
        rp->mu[i] = 0.01 + 0.14 * unif(&r);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0.0;
            for (int k = 0; k < 3; k++)
                s += B[i][k] * B[j][k];
            rp->cov[i * n + j] = s + (i == j ? 0.005 + 0.035 * unif(&r) : 0.0);
        }
    rp->p = base_problem(n, rp->mu, rp->cov);
    if (kind & 1) {
        double slo = 0.0;
        for (size_t j = 0; j < n; j++) {
            rp->lo[j] = unif(&r) < 0.3 ? 0.02 * unif(&r) : 0.0;
            rp->hi[j] = 0.15 + 0.6 * unif(&r);
            slo += rp->lo[j];
        }
        double shi = 0.0; /* keep sum hi >= 1.2 so that the box leaves room around the budget */
        for (size_t j = 0; j < n; j++)
            shi += rp->hi[j];
        for (size_t j = 0; j < n && shi < 1.2; j++)
            rp->hi[j] = fmin(1.0, rp->hi[j] * 1.2 / shi);
        (void)slo;
        rp->p.lo = rp->lo;
        rp->p.hi = rp->hi;
    }
    if (kind & 2) {
        size_t half = n / 2;
        for (size_t j = 0; j < half; j++)
            rp->members[0][j] = j;
        for (size_t j = half; j < n; j++)
            rp->members[1][j - half] = j;
        rp->groups[0] = (ra_opt_group){"first", rp->members[0], half, 0.2, 0.6};
        rp->groups[1] = (ra_opt_group){"second", rp->members[1], n - half, 0.3, 0.9};
        rp->p.groups = rp->groups;
        rp->p.n_groups = 2;
    }
    for (size_t j = 0; j < n; j++)
        rp->w0[j] = 1.0 / (double)n;
}

#define SEED_FAIL(seed, ...)                                                                       \
    do {                                                                                           \
        char sf_[512];                                                                             \
        snprintf(sf_, sizeof sf_, __VA_ARGS__);                                                    \
        fail_msg("seed %llu: %s", (unsigned long long)(seed), sf_);                               \
    } while (0)

/* ---------------------------------------------------------------------------------------------
 * Golden tests on LPP2005 and Dow Jones 30 */

static void expect_weights(const double *w, const double *want, size_t n, double tol)
{
    for (size_t j = 0; j < n; j++)
        RA_ASSERT_CLOSE(w[j], want[j], tol, 0.0);
}

/* lpp_cov: R cov(R) * 252 on the six columns SBI..ALT; recomputed here by a two-pass sample
 * covariance straight from the CSV to tie the golden covariance to the data file. */
static void test_opt_golden_cov_matches_data(void **state)
{
    (void)state;
    FILE *f = fopen(RA_DATA("lpp2005_returns.csv"), "r");
    assert_non_null(f);
    static double R[400][6];
    char line[1024];
    size_t t = 0;
    assert_non_null(fgets(line, sizeof line, f));
    while (t < 400 && fgets(line, sizeof line, f)) {
        char *s = strchr(line, ',');
        for (int j = 0; j < 6; j++) {
            R[t][j] = strtod(s + 1, &s);
        }
        t++;
    }
    fclose(f);
    assert_int_equal(t, 377);
    const double *cov = gold("lpp_cov", 36);
    double m[6] = {0};
    for (size_t i = 0; i < t; i++)
        for (int j = 0; j < 6; j++)
            m[j] += R[i][j] / (double)t;
    for (int a = 0; a < 6; a++)
        for (int b = 0; b < 6; b++) {
            double s = 0.0;
            for (size_t i = 0; i < t; i++)
                s += (R[i][a] - m[a]) * (R[i][b] - m[b]);
            RA_ASSERT_CLOSE(s / (double)(t - 1) * 252.0, cov[a * 6 + b], 1e-18, 1e-12);
        }
}

static void test_opt_min_variance_matches_r_lpp(void **state)
{
    (void)state;
    ra_opt_problem p = base_problem(6, gold("lpp_mu", 6), gold("lpp_cov", 36));
    p.names = lpp_names;
    double w[6];
    ra_opt_result r;
    ra_err err = {0};
    assert_int_equal(solve(&p, RA_OPT_MIN_VARIANCE, w, &r, &err), RA_OK);
    expect_weights(w, gold("lpp_minvar", 6), 6, TOL_W_GOLD);
    assert_null(kkt_bad(&r));
    RA_ASSERT_CLOSE(r.volatility, sqrt(quadform(p.cov, w, 6)), 1e-15, 0.0);
}

static void test_opt_min_variance_groups_matches_r_lpp(void **state)
{
    (void)state;
    ra_opt_problem p = base_problem(6, gold("lpp_mu", 6), gold("lpp_cov", 36));
    static const size_t bonds[] = {0, 3}, equity[] = {1, 4};
    ra_opt_group g[2] = {{"bonds", bonds, 2, 0.0, 0.6}, {"equity", equity, 2, 0.2, 1.0}};
    double lo[6] = {0}, hi[6] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, w[6];
    p.lo = lo;
    p.hi = hi;
    p.groups = g;
    p.n_groups = 2;
    ra_opt_result r;
    ra_err err = {0};
    assert_int_equal(solve(&p, RA_OPT_MIN_VARIANCE, w, &r, &err), RA_OK);
    expect_weights(w, gold("lpp_minvar_groups", 6), 6, TOL_W_GOLD);
    assert_null(infeasibility(&p, w));
    assert_null(kkt_bad(&r));
    /* Max Sharpe with the same constraints, rf 0.01 */
    const double *ms = gold("lpp_max_sharpe_groups", 7);
    p.rf = ms[0];
    assert_int_equal(solve(&p, RA_OPT_MAX_SHARPE, w, &r, &err), RA_OK);
    expect_weights(w, ms + 1, 6, TOL_W_GOLD);
    assert_null(infeasibility(&p, w));
}

static void test_opt_target_return_matches_r_lpp(void **state)
{
    (void)state;
    ra_opt_problem p = base_problem(6, gold("lpp_mu", 6), gold("lpp_cov", 36));
    const double *g = gold("lpp_target_return", 7);
    p.target = g[0];
    double w[6];
    ra_opt_result r;
    ra_err err = {0};
    assert_int_equal(solve(&p, RA_OPT_TARGET_RETURN, w, &r, &err), RA_OK);
    expect_weights(w, g + 1, 6, TOL_W_GOLD);
    RA_ASSERT_CLOSE(r.expected_return, g[0], 1e-12, 0.0);
    assert_null(kkt_bad(&r));
}

static void test_opt_max_sharpe_matches_r_lpp(void **state)
{
    (void)state;
    ra_opt_problem p = base_problem(6, gold("lpp_mu", 6), gold("lpp_cov", 36));
    const double *g = gold("lpp_max_sharpe", 7);
    p.rf = g[0];
    double w[6];
    ra_opt_result r;
    ra_err err = {0};
    assert_int_equal(solve(&p, RA_OPT_MAX_SHARPE, w, &r, &err), RA_OK);
    expect_weights(w, g + 1, 6, TOL_W_GOLD);
    assert_null(infeasibility(&p, w));
    assert_null(kkt_bad(&r));
    double er = 0.0;
    for (int j = 0; j < 6; j++)
        er += p.mu[j] * g[1 + j];
    RA_ASSERT_CLOSE(r.sharpe, (er - p.rf) / sqrt(quadform(p.cov, g + 1, 6)), 0.0, 1e-9);
}

static void test_opt_frontier_matches_r_lpp(void **state)
{
    (void)state;
    ra_opt_problem p = base_problem(6, gold("lpp_mu", 6), gold("lpp_cov", 36));
    const double *g = gold("lpp_frontier5", 32);
    double w[5][6];
    ra_opt_result r[5];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 5; i++)
        r[i].w = w[i];
    fixture f = ws(6, 0);
    ra_err err = {0};
    assert_int_equal(ra_opt_frontier(&p, 5, f.work, f.size, r, &err), RA_OK);
    free(f.work);
    RA_ASSERT_CLOSE(r[0].expected_return, g[0], 1e-10, 0.0);
    RA_ASSERT_CLOSE(r[4].expected_return, g[1], 1e-14, 0.0);
    for (int i = 0; i < 5; i++) {
        expect_weights(w[i], g + 2 + 6 * i, 6, TOL_W_GOLD);
        RA_ASSERT_CLOSE(r[i].expected_return, g[0] + (g[1] - g[0]) * i / 4.0, 1e-10, 0.0);
    }
}

static void test_opt_target_volatility_matches_r_lpp(void **state)
{
    (void)state;
    ra_opt_problem p = base_problem(6, gold("lpp_mu", 6), gold("lpp_cov", 36));
    const double *g = gold("lpp_target_vol", 8);
    p.target = g[0];
    double w[6];
    ra_opt_result r;
    ra_err err = {0};
    assert_int_equal(solve(&p, RA_OPT_TARGET_VOLATILITY, w, &r, &err), RA_OK);
    RA_ASSERT_CLOSE(r.volatility, g[0], 0.0, TOL_VOL_REL);
    RA_ASSERT_CLOSE(r.expected_return, g[1], 1e-9, 0.0);
    expect_weights(w, g + 2, 6, TOL_W_GOLD);
}

static void test_opt_risk_parity_matches_r(void **state)
{
    (void)state;
    ra_opt_problem p = base_problem(6, NULL, gold("lpp_cov", 36));
    double w[30];
    ra_opt_result r;
    ra_err err = {0};
    assert_int_equal(solve(&p, RA_OPT_RISK_PARITY, w, &r, &err), RA_OK);
    expect_weights(w, gold("lpp_risk_parity", 6), 6, 1e-10);
    assert_true(isnan(r.expected_return));
    p = base_problem(30, NULL, gold("dj_cov", 900));
    assert_int_equal(solve(&p, RA_OPT_RISK_PARITY, w, &r, &err), RA_OK);
    expect_weights(w, gold("dj_risk_parity", 30), 30, 1e-10);
}

static void test_opt_dowjones_matches_r(void **state)
{
    (void)state;
    ra_opt_problem p = base_problem(30, gold("dj_mu", 30), gold("dj_cov", 900));
    double w[30], hi[30];
    ra_opt_result r;
    ra_err err = {0};
    assert_int_equal(solve(&p, RA_OPT_MIN_VARIANCE, w, &r, &err), RA_OK);
    expect_weights(w, gold("dj_minvar", 30), 30, TOL_W_GOLD);
    assert_null(kkt_bad(&r));
    for (int j = 0; j < 30; j++)
        hi[j] = 0.10;
    p.hi = hi;
    assert_int_equal(solve(&p, RA_OPT_MIN_VARIANCE, w, &r, &err), RA_OK);
    expect_weights(w, gold("dj_minvar_cap10", 30), 30, TOL_W_GOLD);
    const double *ms = gold("dj_max_sharpe_cap10", 31);
    p.rf = ms[0];
    assert_int_equal(solve(&p, RA_OPT_MAX_SHARPE, w, &r, &err), RA_OK);
    expect_weights(w, ms + 1, 30, TOL_W_GOLD);
    assert_null(infeasibility(&p, w));
    const double *tr = gold("dj_target_return_cap10", 31);
    p.target = tr[0];
    assert_int_equal(solve(&p, RA_OPT_TARGET_RETURN, w, &r, &err), RA_OK);
    expect_weights(w, tr + 1, 30, TOL_W_GOLD);
    assert_null(kkt_bad(&r));
}

/* ---------------------------------------------------------------------------------------------
 * Properties over pinned seeds */

#define N_SEEDS 40
#define K_FRONT 8

static void test_opt_properties_random(void **state)
{
    (void)state;
    int checks = 0;
    for (uint64_t seed = 1; seed <= N_SEEDS; seed++) {
        rand_problem rp;
        make_random(&rp, seed, (int)(seed % 4));
        ra_opt_problem *p = &rp.p;
        size_t n = p->n;
        fixture f = ws(n, p->n_groups);
        double w[RMAX], wf[K_FRONT][RMAX];
        ra_opt_result r, fr[K_FRONT];
        ra_err err = {0};
        const char *bad;
        memset(&r, 0, sizeof r);
        r.w = w;
        /* min variance */
        if (ra_opt_solve(p, RA_OPT_MIN_VARIANCE, f.work, f.size, &r, &err) != RA_OK)
            SEED_FAIL(seed, "min variance: %s", err.msg);
        if ((bad = infeasibility(p, w)) || (bad = kkt_bad(&r)))
            SEED_FAIL(seed, "min variance: %s", bad);
        double vol_mv = r.volatility;
        /* frontier */
        memset(fr, 0, sizeof fr);
        for (int i = 0; i < K_FRONT; i++)
            fr[i].w = wf[i];
        if (ra_opt_frontier(p, K_FRONT, f.work, f.size, fr, &err) != RA_OK)
            SEED_FAIL(seed, "frontier: %s", err.msg);
        for (int i = 0; i < K_FRONT; i++) {
            if ((bad = infeasibility(p, wf[i])) || (bad = kkt_bad(&fr[i])))
                SEED_FAIL(seed, "frontier point %d: %s", i, bad);
            if (i > 0 && fr[i].volatility < fr[i - 1].volatility - 1e-12)
                SEED_FAIL(seed, "frontier vol falls from %.17g to %.17g at point %d",
                          fr[i - 1].volatility, fr[i].volatility, i);
            if (i > 0 && !(fr[i].expected_return > fr[i - 1].expected_return - 1e-12))
                SEED_FAIL(seed, "frontier return not increasing at point %d", i);
            checks++;
        }
        if (fabs(fr[0].volatility - vol_mv) > 1e-12)
            SEED_FAIL(seed, "frontier starts at vol %.17g, min variance %.17g", fr[0].volatility,
                      vol_mv);
        /* max Sharpe beats every frontier point */
        p->rf = 0.005;
        if (ra_opt_solve(p, RA_OPT_MAX_SHARPE, f.work, f.size, &r, &err) != RA_OK)
            SEED_FAIL(seed, "max sharpe: %s", err.msg);
        if ((bad = infeasibility(p, w)) || (bad = kkt_bad(&r))) /* residuals of the QP in y */
            SEED_FAIL(seed, "max sharpe: %s", bad);
        for (int i = 0; i < K_FRONT; i++) {
            double sh = (fr[i].expected_return - p->rf) / fr[i].volatility;
            if (r.sharpe < sh - 1e-9)
                SEED_FAIL(seed, "max sharpe %.17g below frontier point %d's %.17g", r.sharpe, i, sh);
        }
        /* target return at a frontier point's return reproduces its volatility */
        p->target = fr[K_FRONT / 2].expected_return;
        if (ra_opt_solve(p, RA_OPT_TARGET_RETURN, f.work, f.size, &r, &err) != RA_OK)
            SEED_FAIL(seed, "target return: %s", err.msg);
        if ((bad = infeasibility(p, w)) || (bad = kkt_bad(&r)))
            SEED_FAIL(seed, "target return: %s", bad);
        if (fabs(r.expected_return - p->target) > 1e-10)
            SEED_FAIL(seed, "target return %.17g got %.17g", p->target, r.expected_return);
        /* target volatility hits targets between the ends; returns the top above */
        double lo_v = fr[0].volatility, hi_v = fr[K_FRONT - 1].volatility;
        for (int k = 1; k <= 3; k++) {
            p->target = lo_v + (hi_v - lo_v) * k / 4.0;
            if (ra_opt_solve(p, RA_OPT_TARGET_VOLATILITY, f.work, f.size, &r, &err) != RA_OK)
                SEED_FAIL(seed, "target vol %g: %s", p->target, err.msg);
            if ((bad = infeasibility(p, w)))
                SEED_FAIL(seed, "target vol: %s", bad);
            if (fabs(r.volatility - p->target) > TOL_VOL_REL * p->target)
                SEED_FAIL(seed, "target vol %.17g got %.17g", p->target, r.volatility);
            checks++;
        }
        p->target = hi_v * 1.5;
        if (ra_opt_solve(p, RA_OPT_TARGET_VOLATILITY, f.work, f.size, &r, &err) != RA_OK)
            SEED_FAIL(seed, "target vol above the top: %s", err.msg);
        if (fabs(r.expected_return - fr[K_FRONT - 1].expected_return) > 1e-10)
            SEED_FAIL(seed, "target vol above the top returned return %.17g, top %.17g",
                      r.expected_return, fr[K_FRONT - 1].expected_return);
        free(f.work);
    }
    assert_true(checks >= N_SEEDS * (K_FRONT + 3));
}

/* The highest attainable return of bounds + budget is greedy (fill the best mu first): an exact
 * independent check of the LP, through the last frontier point. */
static void test_opt_frontier_top_is_greedy_maximum(void **state)
{
    (void)state;
    for (uint64_t seed = 100; seed < 120; seed++) {
        rand_problem rp;
        make_random(&rp, seed, 1);
        size_t n = rp.p.n, order[RMAX];
        for (size_t j = 0; j < n; j++)
            order[j] = j;
        for (size_t a = 0; a < n; a++) /* selection sort by mu, descending */
            for (size_t b = a + 1; b < n; b++)
                if (rp.mu[order[b]] > rp.mu[order[a]]) {
                    size_t t = order[a];
                    order[a] = order[b];
                    order[b] = t;
                }
        double left = 1.0, best = 0.0;
        for (size_t j = 0; j < n; j++) {
            left -= rp.lo[j];
            best += rp.lo[j] * rp.mu[j];
        }
        for (size_t a = 0; a < n; a++) {
            size_t j = order[a];
            double d = fmin(rp.hi[j] - rp.lo[j], left);
            best += d * rp.mu[j];
            left -= d;
        }
        double wf[2][RMAX];
        ra_opt_result fr[2] = {{.w = wf[0]}, {.w = wf[1]}};
        fixture f = ws(n, 0);
        ra_err err = {0};
        if (ra_opt_frontier(&rp.p, 2, f.work, f.size, fr, &err) != RA_OK)
            SEED_FAIL(seed, "%s", err.msg);
        free(f.work);
        if (fabs(fr[1].expected_return - best) > 1e-13)
            SEED_FAIL(seed, "top return %.17g, greedy %.17g", fr[1].expected_return, best);
    }
}

static void test_opt_risk_parity_random(void **state)
{
    (void)state;
    for (uint64_t seed = 200; seed < 230; seed++) {
        rand_problem rp;
        make_random(&rp, seed, 0);
        rp.p.mu = NULL;
        double w[RMAX];
        ra_opt_result r;
        ra_err err = {0};
        if (solve(&rp.p, RA_OPT_RISK_PARITY, w, &r, &err) != RA_OK)
            SEED_FAIL(seed, "%s", err.msg);
        size_t n = rp.p.n;
        double mn = INFINITY, mx = -INFINITY, s = 0.0, sw = 0.0;
        for (size_t i = 0; i < n; i++) {
            double c = 0.0;
            for (size_t j = 0; j < n; j++)
                c += rp.cov[i * n + j] * w[j];
            c *= w[i];
            mn = fmin(mn, c);
            mx = fmax(mx, c);
            s += c;
            sw += w[i];
            if (!(w[i] > 0.0))
                SEED_FAIL(seed, "risk parity weight %zu = %g", i, w[i]);
        }
        if ((mx - mn) / (s / (double)n) > TOL_RP || fabs(sw - 1.0) > TOL_FEAS)
            SEED_FAIL(seed, "risk contributions spread %.3g, sum w %.17g", (mx - mn) / (s / n), sw);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Turnover */

/* Subgradient KKT of min w'Sw + cost*|w - w0|_1 s.t. 1'w = 1, lo <= w <= hi, checked without the
 * solver's multipliers: each asset confines the budget multiplier lambda to an interval
 * (2(Sw)_j + cost*s_j - z_j = lambda with s_j in the subdifferential of |.| and z_j the bound
 * multiplier's sign range); the intervals must intersect. Returns the number of assets on their
 * kink (so a caller can see that the check was not vacuous) or -1 with *why filled. */
static int turnover_kkt(const ra_opt_problem *p, const double *w, double *gap)
{
    size_t n = p->n;
    double L = -INFINITY, U = INFINITY, eps = 1e-9, cost = p->turnover_cost;
    int kinks = 0;
    for (size_t j = 0; j < n; j++) {
        double g = 0.0;
        for (size_t k = 0; k < n; k++)
            g += 2.0 * p->cov[j * n + k] * w[k];
        double lo = p->lo ? p->lo[j] : 0.0, hi = p->hi ? p->hi[j] : 1.0;
        int at_lo = w[j] <= lo + eps, at_hi = w[j] >= hi - eps;
        int kink = fabs(w[j] - p->w0[j]) <= eps;
        double smin = kink ? -1.0 : (w[j] > p->w0[j] ? 1.0 : -1.0), smax = kink ? 1.0 : smin;
        kinks += kink && !at_lo && !at_hi;
        double l = g + cost * smin, u = g + cost * smax;
        if (at_lo)
            l = -INFINITY; /* lambda = g + cost s - z, z >= 0 */
        if (at_hi)
            u = INFINITY;
        L = fmax(L, l);
        U = fmin(U, u);
    }
    *gap = L - U;
    return kinks;
}

static void test_opt_turnover_zero_cost_is_min_variance(void **state)
{
    (void)state;
    ra_opt_problem p = base_problem(6, gold("lpp_mu", 6), gold("lpp_cov", 36));
    double w0[6] = {0.2, 0.2, 0.2, 0.2, 0.1, 0.1}, w[6];
    p.w0 = w0;
    ra_opt_result r;
    ra_err err = {0};
    assert_int_equal(solve(&p, RA_OPT_MIN_VARIANCE, w, &r, &err), RA_OK);
    expect_weights(w, gold("lpp_minvar", 6), 6, TOL_W_GOLD);
    double t = 0.0;
    for (int j = 0; j < 6; j++)
        t += fabs(w[j] - w0[j]);
    RA_ASSERT_CLOSE(r.turnover, t, 1e-15, 0.0);
}

static void test_opt_turnover_huge_cost_keeps_w0(void **state)
{
    (void)state;
    ra_opt_problem p = base_problem(6, gold("lpp_mu", 6), gold("lpp_cov", 36));
    double w0[6] = {0.2, 0.2, 0.2, 0.2, 0.1, 0.1}, w[6];
    p.w0 = w0;
    p.turnover_cost = 10.0;
    ra_opt_result r;
    ra_err err = {0};
    assert_int_equal(solve(&p, RA_OPT_MIN_VARIANCE, w, &r, &err), RA_OK);
    expect_weights(w, w0, 6, 1e-10); /* the QP accepts bound activity at its 1e-9-scaled tolerance */
    assert_true(r.turnover <= 1e-9);
}

static void test_opt_turnover_intermediate_meets_subgradient_kkt(void **state)
{
    (void)state;
    int total_kinks = 0;
    for (uint64_t seed = 300; seed < 340; seed++) {
        rand_problem rp;
        make_random(&rp, seed, (int)(seed % 2));
        rng r = {seed};
        size_t n = rp.p.n;
        double s = 0.0;
        for (size_t j = 0; j < n; j++) {
            rp.w0[j] = unif(&r);
            s += rp.w0[j];
        }
        for (size_t j = 0; j < n; j++)
            rp.w0[j] /= s;
        rp.p.w0 = rp.w0;
        rp.p.turnover_cost = 0.002 + 0.02 * unif(&r);
        double w[RMAX];
        ra_opt_result res;
        ra_err err = {0};
        if (solve(&rp.p, RA_OPT_MIN_VARIANCE, w, &res, &err) != RA_OK)
            SEED_FAIL(seed, "%s", err.msg);
        const char *bad = infeasibility(&rp.p, w);
        if (bad)
            SEED_FAIL(seed, "%s", bad);
        double gap;
        total_kinks += turnover_kkt(&rp.p, w, &gap);
        if (gap > 1e-8)
            SEED_FAIL(seed, "subgradient kkt fails: multiplier intervals miss by %.3g", gap);
        /* and target volatility under the penalty hits the target */
        double v_mv = res.volatility;
        rp.p.target = v_mv * 1.2;
        if (solve(&rp.p, RA_OPT_TARGET_VOLATILITY, w, &res, &err) != RA_OK)
            SEED_FAIL(seed, "target vol with turnover: %s", err.msg);
        if (fabs(res.volatility - rp.p.target) > TOL_VOL_REL * rp.p.target &&
            res.volatility > rp.p.target)
            SEED_FAIL(seed, "target vol %.17g got %.17g", rp.p.target, res.volatility);
    }
    assert_true(total_kinks > 10); /* the kink conditions were exercised */
}

/* ---------------------------------------------------------------------------------------------
 * Hard and failing cases */

static void test_opt_many_assets_at_bounds(void **state)
{
    (void)state;
    ra_opt_problem p = base_problem(30, gold("dj_mu", 30), gold("dj_cov", 900));
    double lo[30], hi[30], w[30];
    for (int j = 0; j < 30; j++) {
        lo[j] = 0.02;
        hi[j] = 0.045;
    }
    p.lo = lo;
    p.hi = hi;
    ra_opt_result r;
    ra_err err = {0};
    assert_int_equal(solve(&p, RA_OPT_MIN_VARIANCE, w, &r, &err), RA_OK);
    assert_null(infeasibility(&p, w));
    assert_null(kkt_bad(&r));
    int at = 0;
    for (int j = 0; j < 30; j++)
        at += fabs(w[j] - lo[j]) < 1e-12 || fabs(w[j] - hi[j]) < 1e-12;
    assert_true(at >= 20);
    p.rf = 0.02;
    assert_int_equal(solve(&p, RA_OPT_MAX_SHARPE, w, &r, &err), RA_OK);
    assert_null(infeasibility(&p, w));
}

static void expect_error(const ra_opt_problem *p, ra_opt_objective obj, ra_status want,
                         const char *fragment)
{
    double w[64];
    ra_opt_result r;
    ra_err err = {0};
    ra_status rc = solve(p, obj, w, &r, &err);
    if (rc != want || !strstr(err.msg, fragment))
        fail_msg("got status %d \"%s\", want %d with \"%s\"", (int)rc, err.msg, (int)want, fragment);
}

static void test_opt_infeasible_messages(void **state)
{
    (void)state;
    ra_opt_problem p = base_problem(6, gold("lpp_mu", 6), gold("lpp_cov", 36));
    p.names = lpp_names;
    double lo[6] = {0.2, 0.2, 0.2, 0.2, 0.2, 0.2}, hi[6] = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
    double z[6] = {0}, one[6] = {1, 1, 1, 1, 1, 1};
    p.lo = lo;
    expect_error(&p, RA_OPT_MIN_VARIANCE, RA_EINFEASIBLE, "sum of lower bounds 1.20 is above 1");
    p.lo = NULL;
    p.hi = hi;
    expect_error(&p, RA_OPT_MIN_VARIANCE, RA_EINFEASIBLE, "sum of upper bounds 0.60 is below 1");
    p.hi = NULL;
    static const size_t eq[] = {1, 4, 5}, bd[] = {0, 3};
    ra_opt_group g[2] = {{"equity", eq, 3, 0.70, 1.0}, {"bonds", bd, 2, 0.40, 1.0}};
    p.groups = g;
    p.n_groups = 2;
    expect_error(&p, RA_OPT_MIN_VARIANCE, RA_EINFEASIBLE,
                 "group limits conflict: equity min 0.70 + bonds min 0.40 > 1");
    g[1].min = 0.0;
    double hi3[6] = {1, 0.2, 1, 1, 0.2, 0.2};
    p.hi = hi3;
    expect_error(&p, RA_OPT_MIN_VARIANCE, RA_EINFEASIBLE,
                 "group equity min 0.70 is above the sum of its members' upper bounds 0.60");
    /* a conflict only the LP finds: equity >= 0.5, bonds >= 0.3 and SII >= 0.3 */
    g[0].min = 0.5;
    g[1].min = 0.3;
    double lo3[6] = {0, 0, 0.3, 0, 0, 0};
    p.hi = NULL;
    p.lo = lo3;
    expect_error(&p, RA_OPT_MIN_VARIANCE, RA_EINFEASIBLE, "have no common portfolio");
    p.lo = NULL;
    p.groups = NULL;
    p.n_groups = 0;
    p.target = 0.25;
    expect_error(&p, RA_OPT_TARGET_RETURN, RA_EINFEASIBLE,
                 "target return 0.25 is above the highest attainable 0.216135");
    p.target = -0.01;
    expect_error(&p, RA_OPT_TARGET_RETURN, RA_EINFEASIBLE,
                 "target return -0.01 is below the lowest attainable 0.000102472");
    p.target = 0.001;
    expect_error(&p, RA_OPT_TARGET_VOLATILITY, RA_EINFEASIBLE,
                 "target volatility 0.001 is below the minimum attainable");
    p.rf = 0.3;
    expect_error(&p, RA_OPT_MAX_SHARPE, RA_EINFEASIBLE,
                 "no feasible portfolio has expected return above the risk-free rate 0.30");
    (void)z;
    (void)one;
}

static void test_opt_invalid_arguments(void **state)
{
    (void)state;
    ra_opt_problem p = base_problem(6, gold("lpp_mu", 6), gold("lpp_cov", 36));
    double lo[6] = {-0.1, 0, 0, 0, 0, 0}, w0[6] = {0.2, 0.2, 0.2, 0.2, 0.1, 0.1};
    p.lo = lo;
    expect_error(&p, RA_OPT_MAX_SHARPE, RA_EINVAL, "lower bounds >= 0");
    expect_error(&p, RA_OPT_RISK_PARITY, RA_EINVAL, "risk parity takes no bounds or groups");
    p.lo = NULL;
    p.w0 = w0;
    p.turnover_cost = 0.01;
    expect_error(&p, RA_OPT_MAX_SHARPE, RA_EINVAL, "no turnover penalty");
    p.w0 = NULL;
    expect_error(&p, RA_OPT_MIN_VARIANCE, RA_EINVAL, "needs the current weights");
    p.turnover_cost = 0.0;
    p.mu = NULL;
    expect_error(&p, RA_OPT_TARGET_RETURN, RA_EINVAL, "expected returns are required");
    expect_error(&p, RA_OPT_FRONTIER, RA_EINVAL, "frontier");
    /* frontier k < 2, workspace too small */
    p.mu = gold("lpp_mu", 6);
    double w[6];
    ra_opt_result r = {.w = w};
    ra_err err = {0};
    fixture f = ws(6, 0);
    assert_int_equal(ra_opt_frontier(&p, 1, f.work, f.size, &r, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "at least 2 points"));
    /* a turnover penalty is refused for the frontier (validate, frontier case) */
    double w2[6];
    ra_opt_result r2[2] = {{.w = w}, {.w = w2}};
    p.w0 = w0;
    p.turnover_cost = 0.01;
    assert_int_equal(ra_opt_frontier(&p, 2, f.work, f.size, r2, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "the frontier takes no turnover penalty"));
    p.w0 = NULL;
    p.turnover_cost = 0.0;
    assert_int_equal(ra_opt_solve(&p, RA_OPT_MIN_VARIANCE, f.work, f.size - 1, &r, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "workspace"));
    free(f.work);
}

static void test_opt_singular_covariance_names_asset(void **state)
{
    (void)state;
    /* Indefinite: correlation 1.2 between assets 1 and 2; fails at column 2. */
    static const char *const names[3] = {"VTI", "SPY", "BND"};
    double cov[9] = {0.04, 0.048, 0.0, 0.048, 0.04, 0.0, 0.0, 0.0, 0.0025};
    ra_opt_problem p = base_problem(3, NULL, cov);
    p.names = names;
    expect_error(&p, RA_OPT_MIN_VARIANCE, RA_ESINGULAR,
                 "covariance is not positive definite at asset SPY (column 2)");
    expect_error(&p, RA_OPT_RISK_PARITY, RA_ESINGULAR, "ledoit-wolf");
    /* Singular: asset 3 duplicates asset 1 exactly (rank 2). Cholesky may pass on rounding; the
     * QP factor's condition check must then still name SPY. */
    static const char *const names4[4] = {"VTI", "BND", "SPY", "GLD"};
    double c4[16] = {0.04, 0.001, 0.04, 0.002, 0.001, 0.0025, 0.001, 0.0, 0.04, 0.001, 0.04,
                     0.002, 0.002, 0.0, 0.002, 0.03};
    p = base_problem(4, NULL, c4);
    p.names = names4;
    expect_error(&p, RA_OPT_MIN_VARIANCE, RA_ESINGULAR, "SPY (column 3)");
    /* More assets than observations: 8 assets, 4 observations. */
    double R[4][8], c8[64];
    rng r = {7};
    for (int t = 0; t < 4; t++)
        for (int j = 0; j < 8; j++)
            R[t][j] = 0.01 * gauss(&r);
    for (int a = 0; a < 8; a++)
        for (int b = 0; b < 8; b++) {
            double ma = 0, mb = 0, s = 0;
            for (int t = 0; t < 4; t++) {
                ma += R[t][a] / 4;
                mb += R[t][b] / 4;
            }
            for (int t = 0; t < 4; t++)
                s += (R[t][a] - ma) * (R[t][b] - mb);
            c8[a * 8 + b] = s / 3 * 252;
        }
    p = base_problem(8, NULL, c8);
    expect_error(&p, RA_OPT_MIN_VARIANCE, RA_ESINGULAR, "ledoit-wolf");
}

static void test_opt_nearly_singular_covariance_solves(void **state)
{
    (void)state;
    /* Asset 3 is asset 1 plus 1% idiosyncratic noise: condition number ~1e5, still solvable. */
    double c[9] = {0.04, 0.001, 0.04, 0.001, 0.0025, 0.001, 0.04, 0.001, 0.04 + 4e-6};
    ra_opt_problem p = base_problem(3, NULL, c);
    double w[3];
    ra_opt_result r;
    ra_err err = {0};
    assert_int_equal(solve(&p, RA_OPT_MIN_VARIANCE, w, &r, &err), RA_OK);
    assert_null(infeasibility(&p, w));
    assert_null(kkt_bad(&r));
}

static double g_clock;
static double fake_clock(void) { return g_clock += 1.0; }

static void test_opt_clock_fills_times(void **state)
{
    (void)state;
    ra_opt_problem p = base_problem(6, gold("lpp_mu", 6), gold("lpp_cov", 36));
    p.clock_ms = fake_clock;
    double w[6];
    ra_opt_result r;
    ra_err err = {0};
    assert_int_equal(solve(&p, RA_OPT_MIN_VARIANCE, w, &r, &err), RA_OK);
    assert_true(r.setup_ms > 0.0 && r.solve_ms > 0.0);
    p.clock_ms = NULL;
    assert_int_equal(solve(&p, RA_OPT_MIN_VARIANCE, w, &r, &err), RA_OK);
    assert_true(r.setup_ms == 0.0 && r.solve_ms == 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opt_golden_cov_matches_data),
        cmocka_unit_test(test_opt_min_variance_matches_r_lpp),
        cmocka_unit_test(test_opt_min_variance_groups_matches_r_lpp),
        cmocka_unit_test(test_opt_target_return_matches_r_lpp),
        cmocka_unit_test(test_opt_max_sharpe_matches_r_lpp),
        cmocka_unit_test(test_opt_frontier_matches_r_lpp),
        cmocka_unit_test(test_opt_target_volatility_matches_r_lpp),
        cmocka_unit_test(test_opt_risk_parity_matches_r),
        cmocka_unit_test(test_opt_dowjones_matches_r),
        cmocka_unit_test(test_opt_properties_random),
        cmocka_unit_test(test_opt_frontier_top_is_greedy_maximum),
        cmocka_unit_test(test_opt_risk_parity_random),
        cmocka_unit_test(test_opt_turnover_zero_cost_is_min_variance),
        cmocka_unit_test(test_opt_turnover_huge_cost_keeps_w0),
        cmocka_unit_test(test_opt_turnover_intermediate_meets_subgradient_kkt),
        cmocka_unit_test(test_opt_many_assets_at_bounds),
        cmocka_unit_test(test_opt_infeasible_messages),
        cmocka_unit_test(test_opt_invalid_arguments),
        cmocka_unit_test(test_opt_singular_covariance_names_asset),
        cmocka_unit_test(test_opt_nearly_singular_covariance_solves),
        cmocka_unit_test(test_opt_clock_fills_times),
    };
    return cmocka_run_group_tests(tests, load_golden, free_golden);
}
