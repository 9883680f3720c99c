/* Tests of the free-set method (src/core/qp_free.c) and the lazy setup ra_qp_setup
 * (include/roboadvisor/qp.h). The reference for every random problem is the existing path:
 * ra_qp_factor (whole G) and the Goldfarb-Idnani dual method, itself tested against R's quadprog
 * in test_qp.c; the hand-derived cases say where their numbers come from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ra_test.h"
#include <roboadvisor/qp.h>
#include <roboadvisor/rng.h>

#include "core/qp_int.h"

enum { NMAX = 500 };

typedef struct solved {
    double x[NMAX], y_eq[4], y_in[8], z[NMAX];
    int active[2 * NMAX + 16];
    ra_qp_result res;
    ra_qp_info info;
    ra_err err;
    ra_status rc;
} solved;

/* Sets up G (lazy when lazy != 0, else the whole factor) and solves with method m. */
static void solve_with(const ra_qp_problem *p, int lazy, ra_qp_method m, solved *o)
{
    memset(o, 0, sizeof *o);
    size_t size = ra_qp_workspace_size(p->n, p->m_eq, p->m_in);
    void *work = malloc(size);
    assert_non_null(work);
    ra_status rc = lazy ? ra_qp_setup(p->G, p->n, NULL, work, size, &o->err)
                        : ra_qp_factor(p->G, p->n, NULL, work, size, &o->err);
    assert_int_equal(rc, RA_OK);
    o->res.x = o->x;
    o->res.y_eq = o->y_eq;
    o->res.y_in = o->y_in;
    o->res.z = o->z;
    o->res.active = o->active;
    o->rc = ra_qp_solve_method(p, NULL, work, size, m, &o->res, &o->info, &o->err);
    free(work);
}

static void assert_kkt(const solved *o, double tol)
{
    if (!(o->res.res_stat <= tol && o->res.res_prim <= tol && o->res.res_dual <= tol &&
          o->res.res_comp <= tol))
        fail_msg("kkt residuals %.3g %.3g %.3g %.3g", o->res.res_stat, o->res.res_prim,
                 o->res.res_dual, o->res.res_comp);
}

/* uniform on [0, 1) from the library's splitmix64 */
static double unif(uint64_t *s) { return (double)(ra_rng_splitmix64(s) >> 11) * 0x1.0p-53; }

/* A covariance-like G: 3 factors plus idiosyncratic variance, G = B B' + D with loadings
 * uniform (0.5, 1.5) on the first factor and (-0.5, 0.5) on the others (scaled by 0.1) and
 * D_jj uniform on (0.01, 0.09)^2 * 4. */
static void factor_cov(uint64_t *seed, size_t n, double *G)
{
    static double B[NMAX * 3], d[NMAX];
    for (size_t j = 0; j < n; j++) {
        B[j * 3] = 0.1 * (0.5 + unif(seed));
        B[j * 3 + 1] = 0.1 * (unif(seed) - 0.5);
        B[j * 3 + 2] = 0.1 * (unif(seed) - 0.5);
        double s = 0.01 + 0.08 * unif(seed);
        d[j] = 4.0 * s * s;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            double v = B[i * 3] * B[j * 3] + B[i * 3 + 1] * B[j * 3 + 1] + B[i * 3 + 2] * B[j * 3 + 2];
            G[i * n + j] = G[j * n + i] = v + (i == j ? d[i] : 0.0);
        }
}

/* Random problems n = 5 .. 500 (seeded): covariance-like G, budget row (or none), long-only with
 * or without a cap, with or without a linear term. The free-set method (lazy setup) must accept
 * its answer and agree with the dual method on the whole factor: objective to 1e-9 (relative to
 * 1 + |obj|), weights to 1e-7, KKT residuals <= 1e-9 for both. */
static void test_qp_free_random_matches_full_factor(void **state)
{
    (void)state;
    static double G[NMAX * NMAX], c[NMAX], lo[NMAX], hi[NMAX], one[NMAX];
    static solved fr, ref;
    static const size_t sizes[] = {5, 7, 12, 25, 40, 60, 100, 160, 250, 500};
    int checks = 0;
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        for (uint64_t variant = 0; variant < 4; variant++) {
            size_t n = sizes[si];
            if (n >= 250 && variant >= 2)
                continue; /* the dual reference is slow there; two variants suffice */
            uint64_t seed = 1000 * n + variant;
            factor_cov(&seed, n, G);
            double cap = (variant & 1) ? fmax(2.0 / (double)n, 0.1) : 1.0;
            for (size_t j = 0; j < n; j++) {
                c[j] = (variant & 2) ? -0.02 * unif(&seed) : 0.0;
                lo[j] = 0.0;
                hi[j] = cap;
                one[j] = 1.0;
            }
            double b = 1.0;
            ra_qp_problem p = {.n = n, .G = G, .c = c, .m_eq = 1, .A_eq = one, .b_eq = &b,
                               .lo = lo, .hi = hi};
            solve_with(&p, 1, RA_QP_METHOD_AUTO, &fr);
            solve_with(&p, 0, RA_QP_METHOD_DUAL, &ref);
            if (fr.rc != RA_OK || ref.rc != RA_OK)
                fail_msg("n %zu variant %d: %s / %s", n, (int)variant, fr.err.msg, ref.err.msg);
            if (!fr.info.free_converged || fr.info.full_factor)
                fail_msg("n %zu variant %d: free-set method not accepted (tried %d, changes %d)", n,
                         (int)variant, fr.info.free_tried, fr.info.free_iters);
            assert_kkt(&fr, 1e-9);
            assert_kkt(&ref, 1e-9);
            if (fabs(fr.res.obj - ref.res.obj) > 1e-9 * (1.0 + fabs(ref.res.obj)))
                fail_msg("n %zu variant %d: objective %.17g vs %.17g", n, (int)variant, fr.res.obj,
                         ref.res.obj);
            for (size_t j = 0; j < n; j++)
                if (fabs(fr.x[j] - ref.x[j]) > 1e-7)
                    fail_msg("n %zu variant %d: x[%zu] %.17g vs %.17g", n, (int)variant, j, fr.x[j],
                             ref.x[j]);
            checks++;
        }
    }
    assert_int_equal(checks, 36);
}

/* Bounds only, no row, general signs: G random PD, c random, boxes around 0 with some one-sided
 * and some free variables (m_eq = 0). Same comparison as above. */
static void test_qp_free_bounds_only_random(void **state)
{
    (void)state;
    static double G[60 * 60], c[60], lo[60], hi[60];
    static solved fr, ref;
    for (uint64_t s0 = 1; s0 <= 20; s0++) {
        uint64_t seed = s0 * 104729;
        size_t n = 5 + ra_rng_splitmix64(&seed) % 55;
        factor_cov(&seed, n, G);
        for (size_t j = 0; j < n; j++) {
            c[j] = 0.02 * (unif(&seed) - 0.5);
            int kind = (int)(ra_rng_splitmix64(&seed) % 4); /* none, lower, upper, both */
            lo[j] = (kind & 1) ? -0.5 * unif(&seed) : -INFINITY;
            hi[j] = (kind & 2) ? 0.5 * unif(&seed) : INFINITY;
        }
        ra_qp_problem p = {.n = n, .G = G, .c = c, .lo = lo, .hi = hi};
        solve_with(&p, 1, RA_QP_METHOD_FREE, &fr);
        solve_with(&p, 0, RA_QP_METHOD_DUAL, &ref);
        assert_int_equal(fr.rc, RA_OK);
        assert_int_equal(ref.rc, RA_OK);
        if (!fr.info.free_converged)
            fail_msg("seed %d: free-set method not accepted", (int)s0);
        assert_kkt(&fr, 1e-9);
        RA_ASSERT_CLOSE(fr.res.obj, ref.res.obj, 1e-9, 1e-9);
        for (size_t j = 0; j < n; j++)
            RA_ASSERT_CLOSE(fr.x[j], ref.x[j], 1e-7, 0);
    }
}

/* Ties: G = I (n = 6), budget, x >= 0: every asset is as good as any other, the answer is
 * x_j = 1/6 (stationarity x_j = y for all j; sum 1), y = 1/6, objective 0.5 * 6/36 = 1/12. */
static void test_qp_free_ties(void **state)
{
    (void)state;
    double G[36] = {0}, one[6], lo[6] = {0};
    for (size_t j = 0; j < 6; j++) {
        G[j * 6 + j] = 1.0;
        one[j] = 1.0;
    }
    double b = 1.0;
    ra_qp_problem p = {.n = 6, .G = G, .m_eq = 1, .A_eq = one, .b_eq = &b, .lo = lo};
    solved o;
    solve_with(&p, 1, RA_QP_METHOD_AUTO, &o);
    assert_int_equal(o.rc, RA_OK);
    assert_true(o.info.free_converged);
    for (size_t j = 0; j < 6; j++)
        RA_ASSERT_CLOSE(o.x[j], 1.0 / 6.0, 1e-12, 0);
    RA_ASSERT_CLOSE(o.y_eq[0], 1.0 / 6.0, 1e-12, 0);
    RA_ASSERT_CLOSE(o.res.obj, 1.0 / 12.0, 1e-12, 0);
    assert_kkt(&o, 1e-9);
}

/* All weights at bounds: n = 4, caps 0.25 with budget 1 leave one feasible point, x = 0.25
 * each (sum of the caps is the budget). Whatever the method does with the degenerate vertex,
 * the answer is that point with a KKT certificate. */
static void test_qp_free_all_at_bounds(void **state)
{
    (void)state;
    double G[16] = {0.04, 0.01, 0.0, 0.0, 0.01, 0.09, 0.0, 0.0, 0.0, 0.0, 0.01, 0.0, 0.0, 0.0, 0.0, 0.16};
    double one[4] = {1, 1, 1, 1}, lo[4] = {0, 0, 0, 0}, hi[4] = {0.25, 0.25, 0.25, 0.25}, b = 1.0;
    ra_qp_problem p = {.n = 4, .G = G, .m_eq = 1, .A_eq = one, .b_eq = &b, .lo = lo, .hi = hi};
    solved o;
    solve_with(&p, 1, RA_QP_METHOD_AUTO, &o);
    assert_int_equal(o.rc, RA_OK);
    for (size_t j = 0; j < 4; j++)
        RA_ASSERT_CLOSE(o.x[j], 0.25, 1e-12, 0);
    assert_kkt(&o, 1e-9);
    /* all at zero: bounds only, c >= 0 pushes every x to its lower bound 0 (gradient c > 0 at 0) */
    double c[4] = {0.1, 0.2, 0.3, 0.4};
    ra_qp_problem q = {.n = 4, .G = G, .c = c, .lo = lo, .hi = hi};
    solve_with(&q, 1, RA_QP_METHOD_AUTO, &o);
    assert_int_equal(o.rc, RA_OK);
    assert_true(o.info.free_converged);
    for (size_t j = 0; j < 4; j++) {
        assert_true(o.x[j] == 0.0);
        RA_ASSERT_CLOSE(o.z[j], c[j], 1e-15, 0);
    }
    assert_int_equal((int)o.res.n_active, 4);
}

/* n = 1: min 0.5 * 2 x^2 - 3x on [0, 1] is at the upper bound 1 (unconstrained 1.5), bound
 * multiplier z = Gx + c = 2 - 3 = -1; with the budget x = 1 is forced, y = 2 - 3 = -1. */
static void test_qp_free_single_variable(void **state)
{
    (void)state;
    double G = 2.0, c = -3.0, lo = 0.0, hi = 1.0, one = 1.0, b = 1.0;
    ra_qp_problem p = {.n = 1, .G = &G, .c = &c, .lo = &lo, .hi = &hi};
    solved o;
    solve_with(&p, 1, RA_QP_METHOD_AUTO, &o);
    assert_int_equal(o.rc, RA_OK);
    assert_true(o.info.free_converged);
    RA_ASSERT_CLOSE(o.x[0], 1.0, 1e-15, 0);
    RA_ASSERT_CLOSE(o.z[0], -1.0, 1e-15, 0);
    p.m_eq = 1;
    p.A_eq = &one;
    p.b_eq = &b;
    solve_with(&p, 1, RA_QP_METHOD_AUTO, &o);
    assert_int_equal(o.rc, RA_OK);
    RA_ASSERT_CLOSE(o.x[0], 1.0, 1e-15, 0);
    RA_ASSERT_CLOSE(o.y_eq[0], -1.0, 1e-15, 0);
    assert_kkt(&o, 1e-9);
}

/* Infeasible and malformed input under the lazy setup: the same errors as with the whole factor.
 * Lower bounds 0.3 on four weights sum to 1.2 > budget 1 (no vertex: the general method reports
 * the conflict); caps 0.2 sum to 0.8 < 1; lo > hi is refused before any solve. */
static void test_qp_free_infeasible_and_malformed(void **state)
{
    (void)state;
    double G[16] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}, one[4] = {1, 1, 1, 1}, b = 1;
    double lo[4] = {0.3, 0.3, 0.3, 0.3};
    ra_qp_problem p = {.n = 4, .G = G, .m_eq = 1, .A_eq = one, .b_eq = &b, .lo = lo};
    solved o;
    solve_with(&p, 1, RA_QP_METHOD_AUTO, &o);
    assert_int_equal(o.rc, RA_EINFEASIBLE);
    assert_non_null(strstr(o.err.msg, "cannot be met together with:"));
    assert_non_null(strstr(o.err.msg, "equality row 0"));
    assert_true(o.info.full_factor);
    double lo0[4] = {0, 0, 0, 0}, hi[4] = {0.2, 0.2, 0.2, 0.2};
    p.lo = lo0;
    p.hi = hi;
    solve_with(&p, 1, RA_QP_METHOD_AUTO, &o);
    assert_int_equal(o.rc, RA_EINFEASIBLE);
    assert_non_null(strstr(o.err.msg, "upper bound of x["));
    double hi_bad[4] = {0.2, 0.2, -0.1, 0.2};
    p.hi = hi_bad;
    solve_with(&p, 1, RA_QP_METHOD_AUTO, &o);
    assert_int_equal(o.rc, RA_EINVAL);
    assert_non_null(strstr(o.err.msg, "x[2]"));
}

/* ra_qp_setup's own checks, and the deferred factor: a non-positive diagonal is refused at once;
 * an indefinite G with a positive diagonal (leading 2x2 minor 1 - 4 < 0) passes the setup and is
 * refused by the first solve that needs the whole factor (an inequality row), with ra_qp_factor's
 * message; a problem the free-set method takes is solved on its free block. */
static void test_qp_free_setup_checks_and_deferred_factor(void **state)
{
    (void)state;
    size_t size = ra_qp_workspace_size(3, 1, 1);
    void *work = malloc(size);
    assert_non_null(work);
    ra_err err = {0};
    double Z[9] = {1, 0, 0, 0, 0, 0, 0, 0, 1};
    assert_int_equal(ra_qp_setup(Z, 3, NULL, work, size, &err), RA_ESINGULAR);
    assert_non_null(strstr(err.msg, "G[1][1]"));
    double N[4] = {2, 1, 0, 2};
    assert_int_equal(ra_qp_setup(N, 2, NULL, work, size, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "not symmetric"));
    double I[9] = {1, 2, 0, 2, 1, 0, 0, 0, 1}, x[3], row[3] = {1, 1, 1}, rb = -10.0;
    assert_int_equal(ra_qp_setup(I, 3, NULL, work, size, &err), RA_OK);
    ra_qp_result res = {.x = x};
    ra_qp_problem p = {.n = 3, .G = I, .m_in = 1, .A_in = row, .b_in = &rb};
    assert_int_equal(ra_qp_solve(&p, NULL, work, size, &res, &err), RA_ESINGULAR);
    assert_non_null(strstr(err.msg, "leading minor of order 2"));
    free(work);
}

/* A problem outside the free-set method's shape (two equality rows, an inequality row) under the
 * lazy setup factorises the whole G once, keeps it for the next solve, and gives the same answer
 * as ra_qp_factor. */
static void test_qp_free_other_problems_factor_once(void **state)
{
    (void)state;
    enum { N = 30 };
    static double G[N * N], c[N], Ae[2 * N], be[2], Ai[N], bi, lo[N], hi[N];
    uint64_t seed = 77;
    factor_cov(&seed, N, G);
    for (size_t j = 0; j < N; j++) {
        c[j] = 0.0;
        Ae[j] = 1.0;
        Ae[N + j] = 0.05 + 0.1 * unif(&seed);
        Ai[j] = j < 10 ? 1.0 : 0.0;
        lo[j] = 0.0;
        hi[j] = 1.0;
    }
    be[0] = 1.0;
    be[1] = 0.1;
    bi = 0.2;
    ra_qp_problem p = {.n = N, .G = G, .c = c, .m_eq = 2, .A_eq = Ae, .b_eq = be, .m_in = 1,
                       .A_in = Ai, .b_in = &bi, .lo = lo, .hi = hi};
    static solved ref;
    solve_with(&p, 0, RA_QP_METHOD_AUTO, &ref);
    assert_int_equal(ref.rc, RA_OK);
    size_t size = ra_qp_workspace_size(N, 2, 1);
    void *work = malloc(size);
    assert_non_null(work);
    ra_err err = {0};
    assert_int_equal(ra_qp_setup(G, N, NULL, work, size, &err), RA_OK);
    double x[N];
    ra_qp_result res = {.x = x};
    ra_qp_info info;
    for (int k = 0; k < 2; k++) {
        assert_int_equal(ra_qp_solve_method(&p, NULL, work, size, RA_QP_METHOD_AUTO, &res, &info, &err), RA_OK);
        assert_int_equal(info.full_factor, k == 0);
        assert_int_equal(info.free_tried, 0);
        for (size_t j = 0; j < N; j++)
            RA_ASSERT_CLOSE(x[j], ref.x[j], 1e-12, 0);
    }
    /* the same workspace now holds the whole factor: AUTO keeps the fast bound phase for a
     * budget problem, FREE still runs the free-set method */
    p.m_eq = 1;
    p.m_in = 0;
    assert_int_equal(ra_qp_solve_method(&p, NULL, work, size, RA_QP_METHOD_AUTO, &res, &info, &err), RA_OK);
    assert_int_equal(info.free_tried, 0);
    assert_int_equal(ra_qp_solve_method(&p, NULL, work, size, RA_QP_METHOD_FREE, &res, &info, &err), RA_OK);
    if (!info.free_converged)
        fail_msg("free tried %d changes %d fast %d dual %d", info.free_tried, info.free_iters, info.fast_converged, info.dual_iters);
    free(work);
}

/* A dense answer: G = I + 0.01 * 11' (n = 200), c_j = -1, x in [0, 1], no row. Stationarity
 * x_j + 0.01 sum x - 1 = 0 for all j gives x_j = 1 / (1 + 0.01 * 200) = 1/3, inside the box:
 * every variable is free. The free-set method hands over once half are free (and 64); the answer
 * comes from the whole factor, the same point. */
static void test_qp_free_dense_answer_hands_over(void **state)
{
    (void)state;
    enum { N = 200 };
    static double G[N * N], c[N], lo[N], hi[N];
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; j < N; j++)
            G[i * N + j] = 0.01 + (i == j ? 1.0 : 0.0);
        c[i] = -1.0;
        lo[i] = 0.0;
        hi[i] = 1.0;
    }
    ra_qp_problem p = {.n = N, .G = G, .c = c, .lo = lo, .hi = hi};
    static solved o;
    solve_with(&p, 1, RA_QP_METHOD_AUTO, &o);
    assert_int_equal(o.rc, RA_OK);
    assert_true(o.info.free_tried && !o.info.free_converged && o.info.full_factor);
    assert_true(o.info.free_iters >= N / 2);
    for (size_t j = 0; j < N; j++)
        RA_ASSERT_CLOSE(o.x[j], 1.0 / 3.0, 1e-12, 0);
    assert_kkt(&o, 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qp_free_random_matches_full_factor),
        cmocka_unit_test(test_qp_free_bounds_only_random),
        cmocka_unit_test(test_qp_free_ties),
        cmocka_unit_test(test_qp_free_all_at_bounds),
        cmocka_unit_test(test_qp_free_single_variable),
        cmocka_unit_test(test_qp_free_infeasible_and_malformed),
        cmocka_unit_test(test_qp_free_setup_checks_and_deferred_factor),
        cmocka_unit_test(test_qp_free_other_problems_factor_once),
        cmocka_unit_test(test_qp_free_dense_answer_hands_over),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
