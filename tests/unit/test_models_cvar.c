/* The class stage's CVaR objective (ra_models_cvar_solve, src/core/models_cvar.c). Expected
 * values: tests/golden/cvar_classes/golden.txt, written by tests/golden/cvar_classes/make_golden.R
 * with GLPK (Rglpk) on the PRIMAL Rockafellar-Uryasev LP in (w, zeta, u_t) with the level's
 * limits as rows and bounds; the C code solves the dual with its own simplex
 * (tests/golden/cvar_classes/README.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ra_test.h"

#include <roboadvisor/cvar.h>
#include <roboadvisor/models.h>

#include <math.h>
#include <string.h>

#define TOL_CVAR 1e-8 /* the CVaR value (the brief); it agrees to rounding */
#define TOL_W 1e-8    /* weights: each optimum here is a vertex, unique */

enum { T = 40, K = 5 };
/* 40 days x 5 classes, printed by make_golden.R (four decimals, so both sides read the same) */
static const double scen[T * K] = {
    -0.0083, -0.0147, -0.0011, -0.0054, -0.0140,
    0.0181, 0.0331, -0.0024, -0.0016, -0.0015,
    0.0193, 0.0285, -0.0059, 0.0017, 0.0136,
    0.0132, 0.0114, -0.0010, 0.0019, 0.0154,
    -0.0085, -0.0071, 0.0050, 0.0053, 0.0143,
    -0.0029, 0.0339, -0.0035, 0.0015, -0.0023,
    -0.0061, -0.0028, -0.0011, 0.0044, -0.0225,
    0.0139, 0.0015, 0.0014, -0.0004, -0.0085,
    0.0009, -0.0033, -0.0008, -0.0014, 0.0045,
    0.0095, -0.0066, 0.0021, -0.0006, 0.0036,
    -0.0153, 0.0052, 0.0014, -0.0018, -0.0028,
    0.0151, -0.0082, -0.0059, 0.0015, -0.0067,
    -0.0002, -0.0037, -0.0034, 0.0004, -0.0073,
    -0.0117, 0.0098, -0.0002, 0.0045, 0.0120,
    0.0046, -0.0010, 0.0019, 0.0011, -0.0271,
    0.0117, 0.0064, 0.0019, -0.0011, 0.0021,
    0.0114, 0.0223, -0.0034, -0.0040, 0.0188,
    0.0125, 0.0111, -0.0045, 0.0010, 0.0156,
    0.0089, 0.0055, 0.0005, -0.0002, 0.0038,
    0.0090, 0.0039, -0.0048, -0.0012, 0.0195,
    -0.0121, 0.0056, -0.0001, 0.0040, -0.0067,
    -0.0058, 0.0058, 0.0038, -0.0112, -0.0088,
    0.0013, 0.0014, -0.0022, -0.0047, -0.0211,
    -0.0097, -0.0292, 0.0042, 0.0006, 0.0088,
    0.0015, 0.0100, 0.0023, 0.0017, -0.0093,
    -0.0124, -0.0113, 0.0015, -0.0002, -0.0059,
    0.0137, 0.0442, -0.0027, 0.0030, -0.0036,
    0.0028, 0.0042, -0.0019, -0.0001, -0.0139,
    0.0084, 0.0014, 0.0045, 0.0064, -0.0088,
    -0.0110, -0.0248, -0.0015, 0.0024, 0.0101,
    -0.0067, 0.0005, 0.0043, 0.0022, -0.0040,
    -0.0026, -0.0270, 0.0009, 0.0018, 0.0121,
    0.0062, 0.0176, 0.0010, 0.0006, 0.0084,
    0.0091, 0.0085, -0.0015, 0.0049, -0.0035,
    0.0049, 0.0199, -0.0022, 0.0042, -0.0121,
    0.0048, 0.0183, -0.0036, -0.0054, 0.0031,
    -0.0007, -0.0076, -0.0002, 0.0003, -0.0014,
    0.0017, -0.0006, -0.0046, 0.0068, -0.0139,
    0.0118, 0.0051, -0.0037, -0.0061, 0.0155,
    -0.0032, 0.0009, -0.0046, 0.0036, -0.0111};
static const char *const cls[K] = {"us_equity", "em_equity", "us_bonds", "intl_bonds",
                                   "commodities"};
static const int lvl[K] = {4, 5, 2, 2, 4};
static const double mu[K] = {0.045, 0.06, 0.012, 0.015, 0.03};

static int setup(void **state)
{
    (void)state;
    return ra_golden_load(RA_GOLDEN("cvar_classes/golden.txt"),
                          "tests/golden/cvar_classes/make_golden.R");
}

static int teardown(void **state)
{
    (void)state;
    ra_golden_free();
    return 0;
}

/* Level R3: equity 41..60 %, commodities at most 20 %, em_equity (R5, two levels above) 5 %. */
static ra_models_cvar_classes problem(void)
{
    return (ra_models_cvar_classes){.k = K, .cls = cls, .risk_level = lvl, .mu = mu, .T = T,
                                    .scen = scen, .beta = 0.9, .level = 3, .min_class = 0.02};
}

static void check(const char *wrec, const char *crec, const double *w, double cvar)
{
    const double *want = ra_golden(wrec, K);
    for (size_t j = 0; j < K; j++)
        RA_ASSERT_CLOSE(w[j], want[j], TOL_W, 0.0);
    RA_ASSERT_CLOSE(cvar, ra_golden(crec, 1)[0], TOL_CVAR, 0.0);
}

static void test_models_cvar_min_at_target_matches_glpk(void **state)
{
    (void)state;
    ra_models_cvar_classes p = problem();
    p.has_target = 1;
    p.target = ra_golden("min_target", 1)[0];
    double w[K], cvar = 0, var = 0;
    ra_err err = {0};
    assert_int_equal(ra_models_cvar_solve(&p, w, &cvar, &var, &err), RA_OK);
    check("min_w", "min_cvar", w, cvar);
    double r = 0;
    for (size_t j = 0; j < K; j++)
        r += mu[j] * w[j];
    RA_ASSERT_CLOSE(r, ra_golden("min_ret", 1)[0], 1e-10, 0.0);
    assert_true(var <= cvar);
}

static void test_models_cvar_limit_matches_glpk(void **state)
{
    (void)state;
    ra_models_cvar_classes p = problem();
    p.limit = ra_golden("lim_limit", 1)[0];
    double w[K], cvar = 0;
    ra_err err = {0};
    assert_int_equal(ra_models_cvar_solve(&p, w, &cvar, NULL, &err), RA_OK);
    check("lim_w", "lim_cvar", w, cvar);
    double r = 0;
    for (size_t j = 0; j < K; j++)
        r += mu[j] * w[j];
    RA_ASSERT_CLOSE(r, ra_golden("lim_ret", 1)[0], 1e-10, 0.0);
}

/* At this limit the first LP holds intl_bonds below 2 %: it is dropped and the LP solved again
 * (GLPK with the class's bound at 0); with the class kept by a mean-variance portfolio that
 * holds it, it is held at the minimum instead. */
static void test_models_cvar_drops_small_class(void **state)
{
    (void)state;
    ra_models_cvar_classes p = problem();
    p.limit = ra_golden("drop_limit", 1)[0];
    double w[K], cvar = 0;
    ra_err err = {0};
    assert_int_equal(ra_models_cvar_solve(&p, w, &cvar, NULL, &err), RA_OK);
    assert_int_equal((int)ra_golden("drop_class", 1)[0], 3);
    check("drop_w", "drop_cvar", w, cvar);
    double keep[K] = {0.5, 0.05, 0.3, 0.1, 0.05};
    p.keep = keep;
    assert_int_equal(ra_models_cvar_solve(&p, w, &cvar, NULL, &err), RA_OK);
    assert_true(w[3] >= 0.02 - 1e-12);
    assert_true(cvar <= p.limit + 1e-12);
}

static void test_models_cvar_errors(void **state)
{
    (void)state;
    ra_models_cvar_classes p = problem();
    double w[K];
    ra_err err = {0};
    assert_int_equal(ra_models_cvar_solve(&p, w, NULL, NULL, &err), RA_EINVAL); /* no objective */
    p.limit = 0.001; /* below the lowest attainable CVaR */
    assert_int_equal(ra_models_cvar_solve(&p, w, NULL, NULL, &err), RA_EINFEASIBLE);
    assert_non_null(strstr(err.msg, "level R3"));
    p.level = 6;
    assert_int_equal(ra_models_cvar_solve(&p, w, NULL, NULL, &err), RA_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_models_cvar_min_at_target_matches_glpk),
        cmocka_unit_test(test_models_cvar_limit_matches_glpk),
        cmocka_unit_test(test_models_cvar_drops_small_class),
        cmocka_unit_test(test_models_cvar_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
