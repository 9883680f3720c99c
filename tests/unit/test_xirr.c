/* Tests of ra_perf_xirr (src/core/perf_xirr.c). Closed forms are derived in the comments; the
 * Microsoft example and the saving plan come from tests/golden/perf/perf_golden.R (uniroot). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include <roboadvisor/perf.h>

#include "ra_test.h"

#include "../golden/perf/perf_golden.h"

/* The root is found to 1e-14 in log(1+r); a few ulps more from the rate conversion. */
#define TOL_RATE_REL 1e-12
/* uniroot stops at tol 1e-15 on x but its last step may leave a few 1e-15: compare at 1e-12. */
#define TOL_R_REL 1e-12

#define D(y, m, d) ra_date_from_ymd((y), (m), (d))

static void test_xirr_microsoft_example(void **state)
{
    (void)state;
    /* support.microsoft.com, "XIRR function": Excel returns 0.373362535 (37.34 %). */
    const ra_date d[] = {D(2008, 1, 1), D(2008, 3, 1), D(2008, 10, 30), D(2009, 2, 15),
                         D(2009, 4, 1)};
    const double a[] = {-10000, 2750, 4250, 3250, 2750};
    double rate;
    int roots = -1;
    ra_err err = {0};
    assert_int_equal(ra_perf_xirr(d, a, 5, &rate, &roots, &err), RA_OK);
    /* Excel iterates "until the result is accurate within 0.000001 percent" (same page) and its
     * 0.373362535 is 1.5e-9 from the exact root 0.3733625335188 (R's uniroot and ours). */
    RA_ASSERT_CLOSE(rate, 0.373362535, 1e-8, 0.0);
    RA_ASSERT_CLOSE(rate, GOLDEN_XIRR_MS, 0.0, TOL_R_REL);
    assert_int_equal(roots, 1);
}

/* Same flows shuffled, the first split into two on one day, plus a zero flow: same rate. The
 * earliest date, not the first listed, is d_0 (the root does not depend on d_0 anyway). */
static void test_xirr_unsorted_same_day_and_zero_flows(void **state)
{
    (void)state;
    const ra_date d[] = {D(2009, 2, 15), D(2008, 10, 30), D(2008, 1, 1), D(2009, 4, 1),
                         D(2008, 3, 1), D(2008, 1, 1), D(2008, 6, 1)};
    const double a[] = {3250, 4250, -4000, 2750, 2750, -6000, 0.0};
    double rate;
    assert_int_equal(ra_perf_xirr(d, a, 7, &rate, NULL, NULL), RA_OK);
    RA_ASSERT_CLOSE(rate, GOLDEN_XIRR_MS, 0.0, TOL_R_REL);
}

/* Two flows: -A on d0 and +B on d1 give (1+r)^(t) = B/A with t = days/365, so
 * r = (B/A)^(365/days) - 1. 2000-01-01 to 2001-01-01 is 366 days (leap year). */
static void test_xirr_two_flows_closed_form(void **state)
{
    (void)state;
    const ra_date d[] = {D(2000, 1, 1), D(2001, 1, 1)};
    const double a[] = {-1000, 1100};
    double rate;
    assert_int_equal(ra_perf_xirr(d, a, 2, &rate, NULL, NULL), RA_OK);
    RA_ASSERT_CLOSE(rate, pow(1.1, 365.0 / 366.0) - 1.0, 0.0, TOL_RATE_REL);
}

/* Very high rates: -1 then +1000 a year (365 days) later is r = 999 (99,900 %); +500000 is
 * r = 499999, close to the 1e6 limit. */
static void test_xirr_very_high_rate(void **state)
{
    (void)state;
    const ra_date d[] = {D(2001, 1, 1), D(2002, 1, 1)};
    double a[] = {-1, 1000}, rate;
    assert_int_equal(ra_perf_xirr(d, a, 2, &rate, NULL, NULL), RA_OK);
    RA_ASSERT_CLOSE(rate, 999.0, 0.0, TOL_RATE_REL);
    a[1] = 500000;
    assert_int_equal(ra_perf_xirr(d, a, 2, &rate, NULL, NULL), RA_OK);
    RA_ASSERT_CLOSE(rate, 499999.0, 0.0, TOL_RATE_REL);
}

/* Very negative: -1000 then +0.2 a year later is r = 0.0002 - 1 = -0.9998. */
static void test_xirr_very_negative_rate(void **state)
{
    (void)state;
    const ra_date d[] = {D(2001, 1, 1), D(2002, 1, 1)};
    const double a[] = {-1000, 0.2};
    double rate;
    assert_int_equal(ra_perf_xirr(d, a, 2, &rate, NULL, NULL), RA_OK);
    RA_ASSERT_CLOSE(rate, -0.9998, 1e-15, TOL_RATE_REL);
}

/* 50 years: 1000 grows at 7 % a year (Act/365) from 2000-01-01 to 2050-01-01 (18263 days),
 * B = 1000 * 1.07^(18263/365). And 100 years to +1e300 (1950-01-01 to 2050-01-01, 36525 days):
 * r = exp(log(1e300) 365/36525) - 1 ~ 995, where a direct NPV would need 996^100 ~ 1e300. */
static void test_xirr_long_horizons(void **state)
{
    (void)state;
    const ra_date d[] = {D(2000, 1, 1), D(2050, 1, 1)};
    assert_int_equal(d[1] - d[0], 18263);
    double a[] = {-1000, 1000.0 * pow(1.07, 18263.0 / 365.0)}, rate;
    assert_int_equal(ra_perf_xirr(d, a, 2, &rate, NULL, NULL), RA_OK);
    RA_ASSERT_CLOSE(rate, 0.07, 0.0, 1e-12);
    const ra_date d2[] = {D(1950, 1, 1), D(2050, 1, 1)};
    a[0] = -1.0;
    a[1] = 1e300;
    assert_int_equal(ra_perf_xirr(d2, a, 2, &rate, NULL, NULL), RA_OK);
    RA_ASSERT_CLOSE(rate, expm1(log(1e300) * 365.0 / 36525.0), 0.0, 1e-11);
    /* Monthly -100 for 50 years then +1e6: many flows over a long horizon, checked by NPV. */
    static ra_date dm[601];
    static double am[601];
    for (int k = 0; k < 600; k++) {
        dm[k] = D(2000 + k / 12, 1 + k % 12, 1);
        am[k] = -100.0;
    }
    dm[600] = D(2050, 1, 1);
    am[600] = 1e6;
    int roots = 0;
    assert_int_equal(ra_perf_xirr(dm, am, 601, &rate, &roots, NULL), RA_OK);
    assert_int_equal(roots, 1);
    double npv = 0.0, scale = 0.0;
    for (int k = 0; k < 601; k++) {
        npv += am[k] * pow(1.0 + rate, -(double)(dm[k] - dm[0]) / 365.0);
        scale += fabs(am[k]) * pow(1.0 + rate, -(double)(dm[k] - dm[0]) / 365.0);
    }
    RA_ASSERT_CLOSE(npv / scale, 0.0, 1e-13, 0.0);
}

/* -100, +230, -132 a year apart: -100 + 230 v - 132 v^2 = 0 with v = 1/(1+r) has
 * v = (230 -+ sqrt(230^2 - 4*100*132)) / 264 = (230 -+ 10)/264, i.e. v = 1/1.2 or 1/1.1:
 * r = 20 % and 10 %. Two sign changes; we return the one nearest 0: 10 %. (Here 2001 is not a
 * leap year and the flows are exactly 365 days apart.) */
static void test_xirr_multiple_roots(void **state)
{
    (void)state;
    const ra_date d[] = {D(2001, 1, 1), D(2002, 1, 1), D(2003, 1, 1)};
    const double a[] = {-100, 230, -132};
    double rate;
    int roots = 0;
    assert_int_equal(ra_perf_xirr(d, a, 3, &rate, &roots, NULL), RA_OK);
    assert_int_equal(roots, 2);
    RA_ASSERT_CLOSE(rate, 0.1, 1e-13, 0.0);
    RA_ASSERT_CLOSE(rate, GOLDEN_XIRR_MR_LO, 1e-13, 0.0);
    /* The other root, for the record, from R too: 0.2 = GOLDEN_XIRR_MR_HI. */
    RA_ASSERT_CLOSE(GOLDEN_XIRR_MR_HI, 0.2, 1e-13, 0.0);
}

/* Roots at -50 % and +100 %: -1 + 2.5 v - v^2 = 0 -> v = 2 or v = 0.5 (a year apart):
 * r = -0.5 or 1. |-0.5| < |1|: -0.5 is returned. */
static void test_xirr_multiple_roots_negative_nearest(void **state)
{
    (void)state;
    const ra_date d[] = {D(2001, 1, 1), D(2002, 1, 1), D(2003, 1, 1)};
    const double a[] = {-1, 2.5, -1};
    double rate;
    int roots = 0;
    assert_int_equal(ra_perf_xirr(d, a, 3, &rate, &roots, NULL), RA_OK);
    assert_int_equal(roots, 2);
    RA_ASSERT_CLOSE(rate, -0.5, 1e-13, 0.0);
}

static void test_xirr_no_sign_change(void **state)
{
    (void)state;
    const ra_date d[] = {D(2001, 1, 1), D(2002, 1, 1)};
    const double pos[] = {100, 200}, neg[] = {-100, -1}, zero[] = {0, 0};
    double rate;
    int roots = -1;
    ra_err err = {0};
    assert_int_equal(ra_perf_xirr(d, pos, 2, &rate, &roots, &err), RA_EINFEASIBLE);
    assert_non_null(strstr(err.msg, "cash flows have no sign change: all are positive"));
    assert_int_equal(roots, 0);
    assert_int_equal(ra_perf_xirr(d, neg, 2, &rate, NULL, &err), RA_EINFEASIBLE);
    assert_non_null(strstr(err.msg, "all are negative"));
    assert_int_equal(ra_perf_xirr(d, zero, 2, &rate, NULL, &err), RA_EINFEASIBLE);
    assert_non_null(strstr(err.msg, "all are zero"));
}

static void test_xirr_single_flow_and_one_date(void **state)
{
    (void)state;
    const ra_date d[] = {D(2001, 1, 1), D(2001, 1, 1)};
    const double a[] = {-100, 110};
    double rate;
    ra_err err = {0};
    assert_int_equal(ra_perf_xirr(d, a, 1, &rate, NULL, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "at least 2 cash flows, got 1"));
    assert_int_equal(ra_perf_xirr(d, a, 2, &rate, NULL, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "one date (2001-01-01)"));
}

static void test_xirr_not_finite(void **state)
{
    (void)state;
    const ra_date d[] = {D(2001, 1, 1), D(2002, 1, 1), D(2003, 1, 1)};
    const double a[] = {-100, 10, NAN};
    double rate;
    ra_err err = {0};
    assert_int_equal(ra_perf_xirr(d, a, 3, &rate, NULL, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "index 2"));
    assert_int_equal(ra_perf_xirr(NULL, a, 3, &rate, NULL, &err), RA_EINVAL);
}

/* -100 and +100 on one day, +5 a year later: the inflows always exceed the outflows in present
 * value (100 + 5 v > 100), so no rate solves it despite the sign change. */
static void test_xirr_no_root_in_range(void **state)
{
    (void)state;
    const ra_date d[] = {D(2001, 1, 1), D(2001, 1, 1), D(2002, 1, 1)};
    const double a[] = {-100, 100, 5};
    double rate;
    int roots = -1;
    ra_err err = {0};
    assert_int_equal(ra_perf_xirr(d, a, 3, &rate, &roots, &err), RA_ENOCONV);
    assert_int_equal(roots, 0);
    assert_non_null(strstr(err.msg, "no rate between"));
    /* Needs a rate below -99.99 %: -1000 then +0.01 a year later (r = -0.99999). */
    const ra_date d2[] = {D(2001, 1, 1), D(2002, 1, 1)};
    const double a2[] = {-1000, 0.01};
    assert_int_equal(ra_perf_xirr(d2, a2, 2, &rate, &roots, &err), RA_ENOCONV);
}

/* Monthly saving plan in SPY 2010-2019 (real prices), against uniroot. */
static void test_xirr_golden_saving_plan(void **state)
{
    (void)state;
    ra_date d[GOLDEN_PLAN_N];
    for (int i = 0; i < GOLDEN_PLAN_N; i++)
        d[i] = (ra_date)golden_plan_days[i];
    double rate;
    int roots = 0;
    ra_err err = {0};
    assert_int_equal(ra_perf_xirr(d, golden_plan_amounts, GOLDEN_PLAN_N, &rate, &roots, &err),
                     RA_OK);
    assert_int_equal(roots, 1);
    RA_ASSERT_CLOSE(rate, GOLDEN_PLAN_XIRR, 0.0, TOL_R_REL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xirr_microsoft_example),
        cmocka_unit_test(test_xirr_unsorted_same_day_and_zero_flows),
        cmocka_unit_test(test_xirr_two_flows_closed_form),
        cmocka_unit_test(test_xirr_very_high_rate),
        cmocka_unit_test(test_xirr_very_negative_rate),
        cmocka_unit_test(test_xirr_long_horizons),
        cmocka_unit_test(test_xirr_multiple_roots),
        cmocka_unit_test(test_xirr_multiple_roots_negative_nearest),
        cmocka_unit_test(test_xirr_no_sign_change),
        cmocka_unit_test(test_xirr_single_flow_and_one_date),
        cmocka_unit_test(test_xirr_not_finite),
        cmocka_unit_test(test_xirr_no_root_in_range),
        cmocka_unit_test(test_xirr_golden_saving_plan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
