/* Tests of the dense QP solver (src/core/qp.c). Expected values are derived by hand in the
 * comments or come from R's quadprog (tests/golden/qp/README.md). Every case that can run both
 * methods runs the dual method alone and the automatic path with the fast bound phase forced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ra_test.h"
#include <roboadvisor/qp.h>

#include "core/qp_int.h"

#define TOL_X 1e-10 /* hand-derived answers: rounding of a few dozen flops */

/* ---- helpers -------------------------------------------------------------------------------- */

typedef struct solved {
    double x[256], y_eq[8], y_in[64], z[256];
    int active[600];
    ra_qp_result res;
    ra_qp_info info;
    ra_err err;
    ra_status rc;
} solved;

static void *g_work;
static size_t g_work_size;

static void ensure_work(size_t n, size_t me, size_t mi)
{
    size_t need = ra_qp_workspace_size(n, me, mi);
    if (need > g_work_size) {
        free(g_work);
        g_work = malloc(need);
        assert_non_null(g_work);
        g_work_size = need;
    }
}

/* Factorises p->G and solves with the given method; fills *o. */
static void solve_with(const ra_qp_problem *p, const ra_qp_settings *s, ra_qp_method m, solved *o)
{
    memset(o, 0, sizeof *o);
    /* exactly the documented size, so the sanitizer build catches any overrun */
    size_t size = ra_qp_workspace_size(p->n, p->m_eq, p->m_in);
    void *work = malloc(size);
    assert_non_null(work);
    assert_int_equal(ra_qp_factor(p->G, p->n, s, work, size, &o->err), RA_OK);
    o->res.x = o->x;
    o->res.y_eq = o->y_eq;
    o->res.y_in = o->y_in;
    o->res.z = o->z;
    o->res.active = o->active;
    o->rc = ra_qp_solve_method(p, s, work, size, m, &o->res, &o->info, &o->err);
    free(work);
}

static const ra_qp_method k_methods[] = {RA_QP_METHOD_DUAL, RA_QP_METHOD_FAST, RA_QP_METHOD_AUTO};

static void assert_kkt(const solved *o)
{
    if (!(o->res.res_stat <= RA_TOL_KKT && o->res.res_prim <= RA_TOL_KKT &&
          o->res.res_dual <= RA_TOL_KKT && o->res.res_comp <= RA_TOL_KKT))
        fail_msg("kkt residuals %.3g %.3g %.3g %.3g", o->res.res_stat, o->res.res_prim,
                 o->res.res_dual, o->res.res_comp);
}

static int has_active(const solved *o, int id)
{
    for (size_t k = 0; k < o->res.n_active; k++)
        if (o->active[k] == id)
            return 1;
    return 0;
}

/* splitmix64: seeded generator for the property tests */
static uint64_t sm64(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}
static double unif(uint64_t *s) { return (double)(sm64(s) >> 11) * 0x1.0p-53; }

/* G = B'B/k + ridge*I with B k x n uniform(-1, 1): symmetric positive definite */
static void random_pd(uint64_t *seed, size_t n, double ridge, double *G)
{
    size_t k = n + 3;
    double *B = malloc(k * n * sizeof *B);
    assert_non_null(B);
    for (size_t i = 0; i < k * n; i++)
        B[i] = 2.0 * unif(seed) - 1.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            double s = 0.0;
            for (size_t r = 0; r < k; r++)
                s += B[r * n + i] * B[r * n + j];
            G[i * n + j] = G[j * n + i] = s / (double)k + (i == j ? ridge : 0.0);
        }
    free(B);
}

/* ---- textbook cases ------------------------------------------------------------------------- */

/* Nocedal & Wright (2006) example 16.4: min (x1-1)^2 + (x2-2.5)^2 s.t.
 *   x1 - 2x2 + 2 >= 0, -x1 - 2x2 + 6 >= 0, -x1 + 2x2 + 2 >= 0, x >= 0.
 * G = 2I, c = (-2, -5). Answer (1.4, 1.7): projecting (1, 2.5) onto x1 - 2x2 = -2 gives
 * (1, 2.5) + t(1, -2)/5 with t = -(1 - 5 + 2)... = (1.4, 1.7); the gradient 2x + c = (0.8, -1.6)
 * = 0.8 * (1, -2), so the multiplier of row 0 is 0.8 and the other rows and bounds are slack. */
static void test_qp_solve_nocedal_wright_16_4(void **state)
{
    (void)state;
    double G[4] = {2, 0, 0, 2}, c[2] = {-2, -5};
    double A[6] = {1, -2, -1, -2, -1, 2}, b[3] = {-2, -6, -2}, lo[2] = {0, 0};
    ra_qp_problem p = {.n = 2, .G = G, .c = c, .m_in = 3, .A_in = A, .b_in = b, .lo = lo};
    for (size_t m = 0; m < 3; m++) {
        solved o;
        solve_with(&p, NULL, k_methods[m], &o);
        assert_int_equal(o.rc, RA_OK);
        RA_ASSERT_CLOSE(o.x[0], 1.4, TOL_X, 0);
        RA_ASSERT_CLOSE(o.x[1], 1.7, TOL_X, 0);
        RA_ASSERT_CLOSE(o.y_in[0], 0.8, TOL_X, 0);
        RA_ASSERT_CLOSE(o.y_in[1], 0.0, TOL_X, 0);
        assert_int_equal((int)o.res.n_active, 1);
        assert_int_equal(o.active[0], 0); /* id of inequality row 0 (m_eq = 0) */
        /* objective 0.5 x'Gx + c'x = 1.96 + 2.89 - 2.8 - 8.5 = -6.45 */
        RA_ASSERT_CLOSE(o.res.obj, -6.45, TOL_X, 0);
        assert_kkt(&o);
    }
}

/* The example of R's ?solve.QP: min -(0,5,0)'x + 0.5 x'x s.t. A'x >= b0 with the columns of
 * Amat as rows here. Numbers printed by tests/golden/qp/quadprog_cases.R (R 4.2, quadprog 1.5.8):
 * solution (0.47619047619047616, 1.0476190476190477, 2.0952380952380953), value
 * -2.3809523809523809, Lagrangian (0, 0.23809523809523808, 2.0952380952380953). */
static void test_qp_solve_matches_quadprog_example(void **state)
{
    (void)state;
    double G[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, c[3] = {0, -5, 0};
    double A[9] = {-4, -3, 0, 2, 1, 0, 0, -2, 1}, b[3] = {-8, 2, 0};
    ra_qp_problem p = {.n = 3, .G = G, .c = c, .m_in = 3, .A_in = A, .b_in = b};
    for (size_t m = 0; m < 3; m++) {
        solved o;
        solve_with(&p, NULL, k_methods[m], &o);
        assert_int_equal(o.rc, RA_OK);
        RA_ASSERT_CLOSE(o.x[0], 0.47619047619047616, 1e-12, 0);
        RA_ASSERT_CLOSE(o.x[1], 1.0476190476190477, 1e-12, 0);
        RA_ASSERT_CLOSE(o.x[2], 2.0952380952380953, 1e-12, 0);
        RA_ASSERT_CLOSE(o.res.obj, -2.3809523809523809, 1e-12, 0);
        RA_ASSERT_CLOSE(o.y_in[0], 0.0, 1e-12, 0);
        RA_ASSERT_CLOSE(o.y_in[1], 0.23809523809523808, 1e-12, 0);
        RA_ASSERT_CLOSE(o.y_in[2], 2.0952380952380953, 1e-12, 0);
        assert_kkt(&o);
    }
}

/* Reads k doubles separated by commas or newlines. */
static void read_numbers(const char *path, double *v, size_t k)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    for (size_t i = 0; i < k; i++) {
        if (fscanf(f, " %lf ,", &v[i]) != 1)
            fail_msg("%s: number %zu is missing", path, i);
    }
    fclose(f);
}

/* Dow Jones 30 minimum variance: min w'Sw = 0.5 w'(2S)w, 0 <= w <= 0.10, sum w = 1,
 * mu'w >= 0.20, S and mu the annualised sample covariance and mean of the daily simple returns
 * of shared/data/dowjones30_prices.csv. Solved by quadprog::solve.QP in
 * tests/golden/qp/quadprog_cases.R, which stores S, mu and the weights with 17 digits
 * (tests/golden/qp/dj30_*.csv) and prints w'Sw = 0.019333423320171884 and the Lagrangian:
 * budget 0.0293378745682134, return row 0.049856396451300911. */
static void test_qp_solve_matches_quadprog_dj30(void **state)
{
    (void)state;
    enum { N = 30 };
    static double S[N * N], G[N * N], mu[N], w_r[N], lo[N], hi[N], one[N];
    read_numbers(RA_GOLDEN("qp/dj30_cov.csv"), S, N * N);
    read_numbers(RA_GOLDEN("qp/dj30_mu.csv"), mu, N);
    read_numbers(RA_GOLDEN("qp/dj30_w.csv"), w_r, N);
    for (size_t i = 0; i < N * N; i++)
        G[i] = 2.0 * S[i];
    for (size_t j = 0; j < N; j++) {
        lo[j] = 0.0;
        hi[j] = 0.10;
        one[j] = 1.0;
    }
    double beq = 1.0, bin = 0.20;
    ra_qp_problem p = {.n = N, .G = G, .m_eq = 1, .A_eq = one, .b_eq = &beq, .m_in = 1,
                       .A_in = mu, .b_in = &bin, .lo = lo, .hi = hi};
    for (size_t m = 0; m < 3; m++) {
        solved o;
        solve_with(&p, NULL, k_methods[m], &o);
        assert_int_equal(o.rc, RA_OK);
        for (size_t j = 0; j < N; j++)
            RA_ASSERT_CLOSE(o.x[j], w_r[j], 1e-8, 0);
        RA_ASSERT_CLOSE(o.res.obj, 0.019333423320171884, 1e-12, 1e-9);
        RA_ASSERT_CLOSE(o.y_eq[0], 0.0293378745682134, 1e-8, 0);
        RA_ASSERT_CLOSE(o.y_in[0], 0.049856396451300911, 1e-8, 0);
        assert_kkt(&o);
    }
}

/* min 0.5 x'diag(1,2,4)x s.t. sum x = 1: x_i = (1/g_i) / sum(1/g) = (4, 2, 1)/7 and the
 * multiplier y = g_i x_i = 4/7. */
static void test_qp_solve_equality_only(void **state)
{
    (void)state;
    double G[9] = {1, 0, 0, 0, 2, 0, 0, 0, 4}, one[3] = {1, 1, 1}, b = 1;
    ra_qp_problem p = {.n = 3, .G = G, .m_eq = 1, .A_eq = one, .b_eq = &b};
    for (size_t m = 0; m < 3; m++) {
        solved o;
        solve_with(&p, NULL, k_methods[m], &o);
        assert_int_equal(o.rc, RA_OK);
        RA_ASSERT_CLOSE(o.x[0], 4.0 / 7, TOL_X, 0);
        RA_ASSERT_CLOSE(o.x[1], 2.0 / 7, TOL_X, 0);
        RA_ASSERT_CLOSE(o.x[2], 1.0 / 7, TOL_X, 0);
        RA_ASSERT_CLOSE(o.y_eq[0], 4.0 / 7, TOL_X, 0);
        assert_int_equal((int)o.res.n_active, 1);
        assert_kkt(&o);
    }
}

/* min 0.5|x - (2, -1, 0.5)|^2 on [0,1]^3: the projection (1, 0, 0.5). Gradient x - x0 =
 * (-1, 1, 0), so z = (-1, 1, 0): x[0] at its upper bound, x[1] at its lower bound. */
static void test_qp_solve_bounds_only(void **state)
{
    (void)state;
    double G[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, c[3] = {-2, 1, -0.5}, lo[3] = {0, 0, 0},
           hi[3] = {1, 1, 1};
    ra_qp_problem p = {.n = 3, .G = G, .c = c, .lo = lo, .hi = hi};
    for (size_t m = 0; m < 3; m++) {
        solved o;
        solve_with(&p, NULL, k_methods[m], &o);
        assert_int_equal(o.rc, RA_OK);
        RA_ASSERT_CLOSE(o.x[0], 1.0, TOL_X, 0);
        RA_ASSERT_CLOSE(o.x[1], 0.0, TOL_X, 0);
        RA_ASSERT_CLOSE(o.x[2], 0.5, TOL_X, 0);
        RA_ASSERT_CLOSE(o.z[0], -1.0, TOL_X, 0);
        RA_ASSERT_CLOSE(o.z[1], 1.0, TOL_X, 0);
        RA_ASSERT_CLOSE(o.z[2], 0.0, TOL_X, 0);
        assert_int_equal((int)o.res.n_active, 2);
        assert_true(has_active(&o, 0 + 3 + 0)); /* upper bound of x[0]: m_eq+m_in+n+0 = 3 */
        assert_true(has_active(&o, 1));         /* lower bound of x[1]: 0+0+1 */
        assert_kkt(&o);
    }
}

/* min 0.5 x'diag(1,2,4)x, sum x = 1, x <= 0.5: the equality-only answer has x[0] = 4/7 > 0.5, so
 * x[0] = 0.5 and x[1], x[2] split 0.5 in proportion (1/2, 1/4): (1/3, 1/6); y = 2 x[1] = 2/3;
 * z[0] = x[0] - y = -1/6 (upper bound). */
static void test_qp_solve_mixed(void **state)
{
    (void)state;
    double G[9] = {1, 0, 0, 0, 2, 0, 0, 0, 4}, one[3] = {1, 1, 1}, b = 1, hi[3] = {0.5, 0.5, 0.5};
    ra_qp_problem p = {.n = 3, .G = G, .m_eq = 1, .A_eq = one, .b_eq = &b, .hi = hi};
    for (size_t m = 0; m < 3; m++) {
        solved o;
        solve_with(&p, NULL, k_methods[m], &o);
        assert_int_equal(o.rc, RA_OK);
        RA_ASSERT_CLOSE(o.x[0], 0.5, TOL_X, 0);
        RA_ASSERT_CLOSE(o.x[1], 1.0 / 3, TOL_X, 0);
        RA_ASSERT_CLOSE(o.x[2], 1.0 / 6, TOL_X, 0);
        RA_ASSERT_CLOSE(o.y_eq[0], 2.0 / 3, TOL_X, 0);
        RA_ASSERT_CLOSE(o.z[0], -1.0 / 6, TOL_X, 0);
        assert_true(has_active(&o, 1 + 3 + 0)); /* upper bound of x[0] */
        assert_kkt(&o);
    }
}

/* ---- degenerate problems ------------------------------------------------------------------ */

/* The mixed case with the budget row given twice, once scaled by 2, and a redundant inequality
 * x[0] + x[1] + x[2] >= 0.5 (implied) plus a duplicate upper bound row x[0] <= 0.5 (-x0 >= -0.5)
 * that ties with the bound: same answer as test_qp_solve_mixed. */
static void test_qp_solve_redundant_and_duplicate_rows(void **state)
{
    (void)state;
    double G[9] = {1, 0, 0, 0, 2, 0, 0, 0, 4};
    double Ae[6] = {1, 1, 1, 2, 2, 2}, be[2] = {1, 2};
    double Ai[6] = {1, 1, 1, -1, 0, 0}, bi[2] = {0.5, -0.5}, hi[3] = {0.5, 0.5, 0.5};
    ra_qp_problem p = {.n = 3, .G = G, .m_eq = 2, .A_eq = Ae, .b_eq = be, .m_in = 2, .A_in = Ai,
                       .b_in = bi, .hi = hi};
    for (size_t m = 0; m < 3; m++) {
        solved o;
        solve_with(&p, NULL, k_methods[m], &o);
        assert_int_equal(o.rc, RA_OK);
        RA_ASSERT_CLOSE(o.x[0], 0.5, TOL_X, 0);
        RA_ASSERT_CLOSE(o.x[1], 1.0 / 3, TOL_X, 0);
        RA_ASSERT_CLOSE(o.x[2], 1.0 / 6, TOL_X, 0);
        /* the multipliers are not unique; their combination is: y0 + 2 y1 = 2/3 and
         * z0 - y_in1 = -1/6 */
        RA_ASSERT_CLOSE(o.y_eq[0] + 2 * o.y_eq[1], 2.0 / 3, 1e-9, 0);
        RA_ASSERT_CLOSE(o.z[0] - o.y_in[1], -1.0 / 6, 1e-9, 0);
        assert_kkt(&o);
        if (k_methods[m] == RA_QP_METHOD_FAST) /* dependent rows: the dual method took over */
            assert_true(o.info.fast_tried && !o.info.fast_converged && o.info.dual_iters >= 0);
    }
}

/* Ties: min 0.5|x|^2 with x >= 1 for both and x[0] + x[1] >= 2 (active at the same point, so
 * the multipliers are not unique: x = (1, 1), z + y = 1 per variable). */
static void test_qp_solve_ties(void **state)
{
    (void)state;
    double G[4] = {1, 0, 0, 1}, A[2] = {1, 1}, b = 2, lo[2] = {1, 1};
    ra_qp_problem p = {.n = 2, .G = G, .m_in = 1, .A_in = A, .b_in = &b, .lo = lo};
    for (size_t m = 0; m < 3; m++) {
        solved o;
        solve_with(&p, NULL, k_methods[m], &o);
        assert_int_equal(o.rc, RA_OK);
        RA_ASSERT_CLOSE(o.x[0], 1.0, TOL_X, 0);
        RA_ASSERT_CLOSE(o.x[1], 1.0, TOL_X, 0);
        RA_ASSERT_CLOSE(o.z[0] + o.y_in[0], 1.0, 1e-9, 0);
        assert_kkt(&o);
    }
}

/* A fixed variable (lo == hi) and a free one: x[0] = 0.25 regardless of c; x[1] = -c1 = 3. */
static void test_qp_solve_fixed_variable(void **state)
{
    (void)state;
    double G[4] = {1, 0, 0, 1}, c[2] = {5, -3}, lo[2] = {0.25, -INFINITY}, hi[2] = {0.25, INFINITY};
    ra_qp_problem p = {.n = 2, .G = G, .c = c, .lo = lo, .hi = hi};
    for (size_t m = 0; m < 3; m++) {
        solved o;
        solve_with(&p, NULL, k_methods[m], &o);
        assert_int_equal(o.rc, RA_OK);
        RA_ASSERT_CLOSE(o.x[0], 0.25, TOL_X, 0);
        RA_ASSERT_CLOSE(o.x[1], 3.0, TOL_X, 0);
        RA_ASSERT_CLOSE(o.z[0], 5.25, TOL_X, 0); /* x0 + c0 */
        assert_kkt(&o);
    }
}

/* ---- conditioning ------------------------------------------------------------------------- */

/* G = V diag(1, 0.5, 1e-10) V' with V a fixed rotation (condition 1e10). With c = -G x* the
 * unconstrained minimiser is x* = (0.2, 0.3, 0.5), which also meets sum x = 1 and 0 <= x <= 1
 * with slack, so it is the answer (multipliers 0). The forward error bound is about
 * cond * eps = 2e-6; we see far less because the solve is backward stable on this direction. */
static void test_qp_solve_nearly_singular_accurate(void **state)
{
    (void)state;
    double a = 0.3, b = 0.7; /* angles of two Givens rotations */
    double V[9] = {cos(a), -sin(a), 0, sin(a), cos(a), 0, 0, 0, 1}, W[9] = {1, 0, 0, 0, cos(b), -sin(b), 0,
                                                                        sin(b), cos(b)};
    double Q[9] = {0}, ev[3] = {1.0, 0.5, 1e-10}, G[9], xs[3] = {0.2, 0.3, 0.5}, c[3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 3; k++)
                Q[i * 3 + j] += V[i * 3 + k] * W[k * 3 + j];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double s = 0;
            for (int k = 0; k < 3; k++)
                s += Q[i * 3 + k] * ev[k] * Q[j * 3 + k];
            G[i * 3 + j] = s;
        }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < i; j++)
            G[i * 3 + j] = G[j * 3 + i] = 0.5 * (G[i * 3 + j] + G[j * 3 + i]);
    for (int i = 0; i < 3; i++)
        c[i] = -(G[i * 3] * xs[0] + G[i * 3 + 1] * xs[1] + G[i * 3 + 2] * xs[2]);
    double one[3] = {1, 1, 1}, be = 1, lo[3] = {0, 0, 0}, hi[3] = {1, 1, 1};
    ra_qp_problem p = {.n = 3, .G = G, .c = c, .m_eq = 1, .A_eq = one, .b_eq = &be, .lo = lo, .hi = hi};
    for (size_t m = 0; m < 3; m++) {
        solved o;
        solve_with(&p, NULL, k_methods[m], &o);
        assert_int_equal(o.rc, RA_OK);
        for (int j = 0; j < 3; j++)
            RA_ASSERT_CLOSE(o.x[j], xs[j], 1e-6, 0);
        assert_kkt(&o);
    }
}

static void test_qp_factor_rejects_singular_and_indefinite(void **state)
{
    (void)state;
    ensure_work(3, 0, 0);
    ra_err err = {0};
    /* rank 2: the third row is the sum of the first two; dpotrf meets a zero pivot at order 3
     * (or the rcond test catches it first) */
    double S[9] = {2, 1, 3, 1, 2, 3, 3, 3, 6};
    assert_int_equal(ra_qp_factor(S, 3, NULL, g_work, g_work_size, &err), RA_ESINGULAR);
    assert_non_null(strstr(err.msg, "G is "));
    /* indefinite: the leading 2x2 minor 1*1 - 2*2 < 0 fails at order 2 (x[1]) */
    double I[9] = {1, 2, 0, 2, 1, 0, 0, 0, 1};
    assert_int_equal(ra_qp_factor(I, 3, NULL, g_work, g_work_size, &err), RA_ESINGULAR);
    assert_non_null(strstr(err.msg, "leading minor of order 2"));
    assert_non_null(strstr(err.msg, "x[1]"));
    /* positive definite but condition 1e16 > 1/rcond_min */
    double D[9] = {1, 0, 0, 0, 1e-16, 0, 0, 0, 1};
    assert_int_equal(ra_qp_factor(D, 3, NULL, g_work, g_work_size, &err), RA_ESINGULAR);
    assert_non_null(strstr(err.msg, "reciprocal condition estimate"));
    /* a failed factor leaves no factor behind: solve refuses */
    double x[3];
    ra_qp_result res = {.x = x};
    ra_qp_problem p = {.n = 3, .G = D};
    assert_int_equal(ra_qp_solve(&p, NULL, g_work, g_work_size, &res, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "no factor"));
    /* not symmetric */
    double N[4] = {2, 1, 0, 2};
    assert_int_equal(ra_qp_factor(N, 2, NULL, g_work, g_work_size, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "not symmetric"));
}

/* ---- many bounds -------------------------------------------------------------------------- */

/* n = 200, G = I + 0.5 * 11' (one factor), c_j = -1 for j < 20 and +1 otherwise, x >= 0,
 * sum x = 1. Hand solution: x_j = 0 for j >= 20 (their gradient is positive), and the 20 others
 * equal: x = 1/20 each; stationarity x_j + 0.5 * 1 - 1 = y -> y = 0.05 - 0.5 = -0.45; for the
 * zeros z_j = 0.5 + 1 - y = 1.95 > 0. */
static void test_qp_solve_many_at_bounds(void **state)
{
    (void)state;
    enum { N = 200 };
    static double G[N * N], c[N], lo[N], one[N];
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; j < N; j++)
            G[i * N + j] = 0.5 + (i == j ? 1.0 : 0.0);
        c[i] = i < 20 ? -1.0 : 1.0;
        lo[i] = 0.0;
        one[i] = 1.0;
    }
    double b = 1.0;
    ra_qp_problem p = {.n = N, .G = G, .c = c, .m_eq = 1, .A_eq = one, .b_eq = &b, .lo = lo};
    for (size_t m = 0; m < 3; m++) {
        solved o;
        solve_with(&p, NULL, k_methods[m], &o);
        assert_int_equal(o.rc, RA_OK);
        for (size_t j = 0; j < N; j++)
            RA_ASSERT_CLOSE(o.x[j], j < 20 ? 0.05 : 0.0, 1e-12, 0);
        RA_ASSERT_CLOSE(o.y_eq[0], -0.45, 1e-12, 0);
        RA_ASSERT_CLOSE(o.z[150], 1.95, 1e-12, 0);
        assert_int_equal((int)o.res.n_active, 1 + 180);
        assert_kkt(&o);
        if (k_methods[m] != RA_QP_METHOD_DUAL)
            assert_true(o.info.fast_converged);
    }
}

/* ---- infeasible and malformed ------------------------------------------------------------- */

/* lower bounds 0.3 on four weights sum to 1.2 > budget 1 */
static void test_qp_solve_infeasible_lower_bounds(void **state)
{
    (void)state;
    double G[16] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}, one[4] = {1, 1, 1, 1}, b = 1;
    double lo[4] = {0.3, 0.3, 0.3, 0.3};
    ra_qp_problem p = {.n = 4, .G = G, .m_eq = 1, .A_eq = one, .b_eq = &b, .lo = lo};
    for (size_t m = 0; m < 3; m++) {
        solved o;
        solve_with(&p, NULL, k_methods[m], &o);
        assert_int_equal(o.rc, RA_EINFEASIBLE);
        /* the last lower bound added conflicts with the budget and the other three */
        assert_non_null(strstr(o.err.msg, "cannot be met together with:"));
        assert_non_null(strstr(o.err.msg, "equality row 0"));
        assert_non_null(strstr(o.err.msg, "lower bound of x["));
        assert_true(o.res.res_prim > 0.0);
    }
}

/* x0 + x1 = 1 and 2x0 + 2x1 = 3 */
static void test_qp_solve_infeasible_equalities(void **state)
{
    (void)state;
    double G[4] = {1, 0, 0, 1}, A[4] = {1, 1, 2, 2}, b[2] = {1, 3};
    ra_qp_problem p = {.n = 2, .G = G, .m_eq = 2, .A_eq = A, .b_eq = b};
    for (size_t m = 0; m < 3; m++) {
        solved o;
        solve_with(&p, NULL, k_methods[m], &o);
        assert_int_equal(o.rc, RA_EINFEASIBLE);
        assert_string_equal(o.err.msg,
                            "constraint 1 (equality row 1) cannot be met together with: equality row 0");
    }
}

/* an inequality row and an upper bound that exclude each other: x0 + x1 >= 3 with x <= 1 */
static void test_qp_solve_infeasible_row_message(void **state)
{
    (void)state;
    double G[4] = {1, 0, 0, 1}, A[2] = {1, 1}, b = 3, hi[2] = {1, 1};
    ra_qp_problem p = {.n = 2, .G = G, .m_in = 1, .A_in = A, .b_in = &b, .hi = hi};
    solved o;
    solve_with(&p, NULL, RA_QP_METHOD_DUAL, &o);
    assert_int_equal(o.rc, RA_EINFEASIBLE);
    /* ids: row 0 = 0, upper bounds 1 + 2 + j */
    assert_non_null(strstr(o.err.msg, "cannot be met together with:"));
    assert_non_null(strstr(o.err.msg, "upper bound of x[0]"));
    assert_non_null(strstr(o.err.msg, "upper bound of x[1]"));
}

static void test_qp_solve_rejects_malformed(void **state)
{
    (void)state;
    double G[4] = {1, 0, 0, 1}, lo[2] = {0, 0.6}, hi[2] = {1, 0.5}, x[2], c[2] = {0, NAN};
    ra_qp_problem p = {.n = 2, .G = G, .lo = lo, .hi = hi};
    ra_qp_result res = {.x = x};
    ra_err err = {0};
    ensure_work(2, 3, 1);
    assert_int_equal(ra_qp_factor(G, 2, NULL, g_work, g_work_size, &err), RA_OK);
    assert_int_equal(ra_qp_solve(&p, NULL, g_work, g_work_size, &res, &err), RA_EINVAL);
    assert_string_equal(err.msg, "lower bound 0.59999999999999998 of x[1] is above its upper bound 0.5");
    p.hi = NULL;
    p.c = c;
    assert_int_equal(ra_qp_solve(&p, NULL, g_work, g_work_size, &res, &err), RA_EINVAL);
    assert_string_equal(err.msg, "c[1] is not finite (nan)");
    p.c = NULL;
    double A[6] = {1, 0, 0, 1, 1, 1}, b[3] = {0, 0, 0};
    p.m_eq = 3;
    p.A_eq = A;
    p.b_eq = b;
    assert_int_equal(ra_qp_solve(&p, NULL, g_work, g_work_size, &res, &err), RA_EINVAL);
    assert_string_equal(err.msg, "3 equality rows exceed the 2 variables");
    p.m_eq = 1;
    A[1] = INFINITY;
    assert_int_equal(ra_qp_solve(&p, NULL, g_work, g_work_size, &res, &err), RA_EINVAL);
    assert_string_equal(err.msg, "A_eq[0][1] is not finite (inf)");
    A[1] = 0;
    /* workspace one byte short */
    size_t need = ra_qp_workspace_size(2, 1, 0);
    assert_int_equal(ra_qp_solve(&p, NULL, g_work, need - 1, &res, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "workspace has"));
    /* warm id out of range */
    ra_qp_settings s;
    ra_qp_settings_default(&s);
    int bad = 99;
    s.warm_active = &bad;
    s.n_warm = 1;
    assert_int_equal(ra_qp_solve(&p, &s, g_work, g_work_size, &res, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "warm start id 99"));
    /* a different G than the factorised one */
    double G2[4] = {2, 0, 0, 1};
    p.G = G2;
    assert_int_equal(ra_qp_solve(&p, NULL, g_work, g_work_size, &res, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "differs from the factorised"));
}

/* An iteration limit of 1 stops the dual method early: RA_ENOCONV, with the last iterate and its
 * residuals reported. */
static void test_qp_solve_iteration_limit(void **state)
{
    (void)state;
    double G[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, c[3] = {-2, 1, -3}, lo[3] = {0, 0, 0}, hi[3] = {1, 1, 1};
    ra_qp_problem p = {.n = 3, .G = G, .c = c, .lo = lo, .hi = hi};
    ra_qp_settings s;
    ra_qp_settings_default(&s);
    s.max_iter = 1;
    solved o;
    solve_with(&p, &s, RA_QP_METHOD_DUAL, &o);
    assert_int_equal(o.rc, RA_ENOCONV);
    assert_non_null(strstr(o.err.msg, "max_iter"));
    assert_int_equal(o.res.iterations, 1);
    assert_true(o.res.res_prim > 0.5); /* one bound still violated by 1 or 2 */
}

/* ---- warm start ----------------------------------------------------------------------------- */

/* A small frontier: min 0.5 x'Gx - lambda mu'x, sum x = 1, 0 <= x <= 0.3, for lambda rising;
 * each point warm-started from the previous one's active set gives the cold answer in fewer
 * active-set changes (summed over the path), with both methods. */
static void test_qp_solve_warm_start_fewer_iterations(void **state)
{
    (void)state;
    enum { N = 60, K = 8 };
    static double G[N * N], c[N], mu[N], lo[N], hi[N], one[N];
    uint64_t seed = 42;
    random_pd(&seed, N, 0.01, G);
    for (size_t j = 0; j < N; j++) {
        mu[j] = 0.02 + 0.1 * unif(&seed);
        lo[j] = 0.0;
        hi[j] = 0.3;
        one[j] = 1.0;
    }
    double b = 1.0;
    ra_qp_problem p = {.n = N, .G = G, .c = c, .m_eq = 1, .A_eq = one, .b_eq = &b, .lo = lo, .hi = hi};
    for (size_t m = 0; m < 2; m++) {
        int cold_total = 0, warm_total = 0;
        int prev[2 * N + 1];
        size_t n_prev = 0;
        for (int k = 0; k < K; k++) {
            double lambda = 0.05 * k;
            for (size_t j = 0; j < N; j++)
                c[j] = -lambda * mu[j];
            solved cold, warm;
            solve_with(&p, NULL, k_methods[m], &cold);
            assert_int_equal(cold.rc, RA_OK);
            ra_qp_settings s;
            ra_qp_settings_default(&s);
            s.warm_active = prev;
            s.n_warm = n_prev;
            solve_with(&p, &s, k_methods[m], &warm);
            assert_int_equal(warm.rc, RA_OK);
            for (size_t j = 0; j < N; j++)
                RA_ASSERT_CLOSE(warm.x[j], cold.x[j], 1e-9, 0);
            assert_kkt(&warm);
            if (k > 0) {
                cold_total += cold.res.iterations;
                warm_total += warm.res.iterations;
            }
            memcpy(prev, warm.active, warm.res.n_active * sizeof *prev);
            n_prev = warm.res.n_active;
        }
        if (!(warm_total < cold_total))
            fail_msg("method %d: warm %d iterations, cold %d", (int)k_methods[m], warm_total, cold_total);
    }
}

/* ---- properties ----------------------------------------------------------------------------- */

/* Random PD G, random c, a feasible point x0 in the box, equality rows A_eq x = A_eq x0 and
 * inequality rows A_in x >= A_in x0 - slack: feasible by construction. KKT residuals <= 1e-9,
 * x feasible, the three methods agree. Seeds pinned; the failing seed is printed. */
static void test_qp_solve_property_random(void **state)
{
    (void)state;
    enum { NMAX = 40 };
    static double G[NMAX * NMAX], c[NMAX], Ae[4 * NMAX], be[4], Ai[12 * NMAX], bi[12], lo[NMAX],
        hi[NMAX], x0[NMAX];
    int checks = 0;
    for (uint64_t seed0 = 1; seed0 <= 60; seed0++) {
        uint64_t seed = seed0 * 7919;
        size_t n = 2 + sm64(&seed) % (NMAX - 1), me = sm64(&seed) % 4, mi = sm64(&seed) % 12;
        if (me > n) me = n;
        random_pd(&seed, n, 1e-3, G);
        for (size_t j = 0; j < n; j++) {
            c[j] = 4.0 * unif(&seed) - 2.0;
            int kind = (int)(sm64(&seed) % 4); /* none, lower, upper, both */
            x0[j] = unif(&seed) - 0.5;
            lo[j] = (kind & 1) ? x0[j] - 0.3 * unif(&seed) : -INFINITY;
            hi[j] = (kind & 2) ? x0[j] + 0.3 * unif(&seed) : INFINITY;
        }
        for (size_t i = 0; i < me; i++) {
            be[i] = 0;
            for (size_t j = 0; j < n; j++) {
                Ae[i * n + j] = 2.0 * unif(&seed) - 1.0;
                be[i] += Ae[i * n + j] * x0[j];
            }
        }
        for (size_t i = 0; i < mi; i++) {
            bi[i] = -0.2 * unif(&seed);
            for (size_t j = 0; j < n; j++) {
                Ai[i * n + j] = 2.0 * unif(&seed) - 1.0;
                bi[i] += Ai[i * n + j] * x0[j];
            }
        }
        ra_qp_problem p = {.n = n, .G = G, .c = c, .m_eq = me, .A_eq = Ae, .b_eq = be, .m_in = mi,
                           .A_in = Ai, .b_in = bi, .lo = lo, .hi = hi};
        solved ref;
        for (size_t m = 0; m < 3; m++) {
            solved o;
            solve_with(&p, NULL, k_methods[m], &o);
            if (o.rc != RA_OK)
                fail_msg("seed %llu method %d: %s", (unsigned long long)seed0, (int)k_methods[m], o.err.msg);
            if (!(o.res.res_stat <= 1e-9 && o.res.res_prim <= 1e-9 && o.res.res_dual <= 1e-9 &&
                  o.res.res_comp <= 1e-9))
                fail_msg("seed %llu method %d: residuals %.3g %.3g %.3g %.3g", (unsigned long long)seed0,
                         (int)k_methods[m], o.res.res_stat, o.res.res_prim, o.res.res_dual, o.res.res_comp);
            for (size_t j = 0; j < n; j++)
                if (!(o.x[j] >= lo[j] - 1e-9 && o.x[j] <= hi[j] + 1e-9))
                    fail_msg("seed %llu: x[%zu] = %g outside [%g, %g]", (unsigned long long)seed0, j,
                             o.x[j], lo[j], hi[j]);
            if (m == 0) {
                ref = o;
            } else {
                for (size_t j = 0; j < n; j++)
                    if (fabs(o.x[j] - ref.x[j]) > 1e-6)
                        fail_msg("seed %llu: methods differ at x[%zu]: %.17g vs %.17g",
                                 (unsigned long long)seed0, j, o.x[j], ref.x[j]);
            }
            checks++;
        }
    }
    assert_int_equal(checks, 180);
}

/* One workspace sized for the largest problem serves smaller and larger-then-smaller ones in
 * turn; each answer matches a fresh exactly-sized workspace. */
static void test_qp_workspace_reuse_across_sizes(void **state)
{
    (void)state;
    static double G[50 * 50], c[50], lo[50], hi[50], one[50], x[50], xr[50];
    size_t sizes[4] = {10, 50, 3, 27};
    size_t big = ra_qp_workspace_size(50, 1, 0);
    void *w = malloc(big);
    assert_non_null(w);
    for (int k = 0; k < 4; k++) {
        size_t n = sizes[k];
        uint64_t seed = 1000 + (uint64_t)k;
        random_pd(&seed, n, 0.05, G);
        for (size_t j = 0; j < n; j++) {
            c[j] = unif(&seed) - 0.5;
            lo[j] = 0;
            hi[j] = 0.4;
            one[j] = 1;
        }
        double b = 1;
        ra_qp_problem p = {.n = n, .G = G, .c = c, .m_eq = 1, .A_eq = one, .b_eq = &b, .lo = lo, .hi = hi};
        ra_err err = {0};
        ra_qp_result res = {.x = x};
        assert_int_equal(ra_qp_factor(G, n, NULL, w, big, &err), RA_OK);
        assert_int_equal(ra_qp_solve(&p, NULL, w, big, &res, &err), RA_OK);
        size_t exact = ra_qp_workspace_size(n, 1, 0);
        void *w2 = malloc(exact);
        assert_non_null(w2);
        ra_qp_result res2 = {.x = xr};
        assert_int_equal(ra_qp_factor(G, n, NULL, w2, exact, &err), RA_OK);
        assert_int_equal(ra_qp_solve(&p, NULL, w2, exact, &res2, &err), RA_OK);
        for (size_t j = 0; j < n; j++)
            RA_ASSERT_CLOSE(x[j], xr[j], 0.0, 0.0);
        free(w2);
    }
    free(w);
}

static int teardown(void **state)
{
    (void)state;
    free(g_work);
    g_work = NULL;
    g_work_size = 0;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qp_solve_nocedal_wright_16_4),
        cmocka_unit_test(test_qp_solve_matches_quadprog_example),
        cmocka_unit_test(test_qp_solve_matches_quadprog_dj30),
        cmocka_unit_test(test_qp_solve_equality_only),
        cmocka_unit_test(test_qp_solve_bounds_only),
        cmocka_unit_test(test_qp_solve_mixed),
        cmocka_unit_test(test_qp_solve_redundant_and_duplicate_rows),
        cmocka_unit_test(test_qp_solve_ties),
        cmocka_unit_test(test_qp_solve_fixed_variable),
        cmocka_unit_test(test_qp_solve_nearly_singular_accurate),
        cmocka_unit_test(test_qp_factor_rejects_singular_and_indefinite),
        cmocka_unit_test(test_qp_solve_many_at_bounds),
        cmocka_unit_test(test_qp_solve_infeasible_lower_bounds),
        cmocka_unit_test(test_qp_solve_infeasible_equalities),
        cmocka_unit_test(test_qp_solve_infeasible_row_message),
        cmocka_unit_test(test_qp_solve_rejects_malformed),
        cmocka_unit_test(test_qp_solve_iteration_limit),
        cmocka_unit_test(test_qp_solve_warm_start_fewer_iterations),
        cmocka_unit_test(test_qp_solve_property_random),
        cmocka_unit_test(test_qp_workspace_reuse_across_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
