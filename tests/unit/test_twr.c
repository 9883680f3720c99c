/* Tests of ra_perf_twr (src/core/perf_twr.c). Hand cases derive the linking in comments; the
 * saving plan comes from tests/golden/perf/perf_golden.R on SPY's total-return index. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include <roboadvisor/perf.h>

#include "ra_test.h"

#include "../golden/perf/perf_golden.h"

#define TOL_HAND 1e-14
#define TOL_GOLDEN_REL 1e-12 /* 120 linked ratios: R and C round the same operations alike */

#define D(y, m, d) ra_date_from_ymd((y), (m), (d))

/* Month ends 2021-01-31, 02-28, 03-31 (59 days); values 100, 115, 120; flow 10 on 02-28.
 * FLOW_END (flow at the close, inside V_1): R_1 = (115 - 10)/100 - 1 = 0.05,
 * R_2 = 120/115 - 1, TWR = 1.05 * 120/115 - 1 = 126/115 - 1 = 11/115.
 * Act/365: (126/115)^(365/59) - 1. Periods: gaps 28 and 31 days -> monthly, P = 12 inferred,
 * (126/115)^(12/2) - 1. */
static void test_twr_flow_end(void **state)
{
    (void)state;
    const ra_date d[] = {D(2021, 1, 31), D(2021, 2, 28), D(2021, 3, 31)};
    const double v[] = {100, 115, 120}, f[] = {999 /* ignored */, 10, 0};
    ra_twr t;
    assert_int_equal(ra_perf_twr(d, v, f, 3, RA_FLOW_END, 0.0, &t, NULL), RA_OK);
    RA_ASSERT_CLOSE(t.twr, 11.0 / 115.0, TOL_HAND, 0.0);
    RA_ASSERT_CLOSE(t.annualized_act365, pow(126.0 / 115.0, 365.0 / 59.0) - 1.0, 0.0, 1e-13);
    RA_ASSERT_CLOSE(t.periods_per_year, 12.0, 0.0, 0.0);
    RA_ASSERT_CLOSE(t.annualized_periods, pow(126.0 / 115.0, 6.0) - 1.0, 0.0, 1e-13);
    assert_int_equal(t.n_periods, 2);
}

/* FLOW_START (flow at the open, invested for the period): R_1 = 115/(100 + 10) - 1,
 * R_2 = 120/115 - 1, TWR = 120/110 - 1 = 1/11. Given P = 4: (12/11)^(4/2) - 1. */
static void test_twr_flow_start(void **state)
{
    (void)state;
    const ra_date d[] = {D(2021, 1, 31), D(2021, 2, 28), D(2021, 3, 31)};
    const double v[] = {100, 115, 120}, f[] = {0, 10, 0};
    ra_twr t;
    assert_int_equal(ra_perf_twr(d, v, f, 3, RA_FLOW_START, 4.0, &t, NULL), RA_OK);
    RA_ASSERT_CLOSE(t.twr, 1.0 / 11.0, TOL_HAND, 0.0);
    RA_ASSERT_CLOSE(t.periods_per_year, 4.0, 0.0, 0.0);
    RA_ASSERT_CLOSE(t.annualized_periods, (12.0 / 11.0) * (12.0 / 11.0) - 1.0, 0.0, 1e-13);
}

/* No flows (NULL): TWR is V_n/V_0 - 1 = 121/100 - 1 over daily dates (P = 252 inferred). */
static void test_twr_no_flows(void **state)
{
    (void)state;
    const ra_date d[] = {D(2021, 3, 1), D(2021, 3, 2), D(2021, 3, 3)};
    const double v[] = {100, 110, 121};
    ra_twr t;
    assert_int_equal(ra_perf_twr(d, v, NULL, 3, RA_FLOW_END, -1.0, &t, NULL), RA_OK);
    RA_ASSERT_CLOSE(t.twr, 0.21, TOL_HAND, 0.0);
    RA_ASSERT_CLOSE(t.periods_per_year, 252.0, 0.0, 0.0);
    RA_ASSERT_CLOSE(t.annualized_periods, pow(1.21, 126.0) - 1.0, 0.0, 1e-12);
    RA_ASSERT_CLOSE(t.annualized_act365, pow(1.21, 365.0 / 2.0) - 1.0, 0.0, 1e-12);
}

/* The account is emptied by a loss to 0: TWR -1 and so are both annualised figures. */
static void test_twr_total_loss(void **state)
{
    (void)state;
    const ra_date d[] = {D(2021, 1, 31), D(2021, 2, 28)};
    const double v[] = {100, 0};
    ra_twr t;
    assert_int_equal(ra_perf_twr(d, v, NULL, 2, RA_FLOW_END, 12.0, &t, NULL), RA_OK);
    assert_true(t.twr == -1.0 && t.annualized_act365 == -1.0 && t.annualized_periods == -1.0);
}

/* FLOW_END with a contribution larger than the closing value: V = 100, 50, F_1 = 80 gives
 * R_1 = (50 - 80)/100 - 1 = -1.3; linked wealth is negative: TWR -1.3, annualised NAN. */
static void test_twr_negative_wealth(void **state)
{
    (void)state;
    const ra_date d[] = {D(2021, 1, 31), D(2021, 2, 28)};
    const double v[] = {100, 50}, f[] = {0, 80};
    ra_twr t;
    assert_int_equal(ra_perf_twr(d, v, f, 2, RA_FLOW_END, 12.0, &t, NULL), RA_OK);
    RA_ASSERT_CLOSE(t.twr, -1.3, TOL_HAND, 0.0);
    assert_true(isnan(t.annualized_act365) && isnan(t.annualized_periods));
}

/* FLOW_END with V = 100, 0, 50: the second period starts from 0 (row 2's denominator).
 * FLOW_START with V = 100, 10 and F_1 = -100: V_0 + F_1 = 0 (row 1's denominator). */
static void test_twr_zero_denominator(void **state)
{
    (void)state;
    const ra_date d[] = {D(2021, 1, 31), D(2021, 2, 28), D(2021, 3, 31)};
    const double v[] = {100, 0, 50}, f[] = {0, 0, 50};
    ra_twr t;
    ra_err err = {0};
    assert_int_equal(ra_perf_twr(d, v, f, 3, RA_FLOW_END, 12.0, &t, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "row 2"));
    const double v2[] = {100, 10, 10}, f2[] = {0, -100, 0};
    assert_int_equal(ra_perf_twr(d, v2, f2, 3, RA_FLOW_START, 12.0, &t, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "row 1"));
    assert_non_null(strstr(err.msg, "plus the flow"));
}

static void test_twr_errors(void **state)
{
    (void)state;
    const ra_date d[] = {D(2021, 1, 31), D(2021, 2, 28), D(2021, 2, 28)};
    const double v[] = {100, 110, 120}, bad[] = {100, NAN, 120}, neg[] = {100, -1, 120};
    ra_twr t;
    ra_err err = {0};
    assert_int_equal(ra_perf_twr(d, v, NULL, 3, RA_FLOW_END, 12.0, &t, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "strictly increasing: row 2 (2021-02-28)"));
    assert_int_equal(ra_perf_twr(d, bad, NULL, 2, RA_FLOW_END, 12.0, &t, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "value at row 1"));
    assert_int_equal(ra_perf_twr(d, v, bad, 2, RA_FLOW_END, 12.0, &t, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "flow at row 1"));
    assert_int_equal(ra_perf_twr(d, neg, NULL, 2, RA_FLOW_END, 12.0, &t, &err), RA_EINVAL);
    assert_int_equal(ra_perf_twr(d, v, NULL, 1, RA_FLOW_END, 12.0, &t, &err), RA_EINVAL);
    assert_int_equal(ra_perf_twr(d, v, NULL, 2, (ra_flow_timing)7, 12.0, &t, &err), RA_EINVAL);
    assert_int_equal(ra_perf_twr(d, v, NULL, 2, RA_FLOW_END, NAN, &t, &err), RA_EINVAL);
    /* 200-day spacing fits no frequency: periods per year cannot be inferred. */
    const ra_date d2[] = {D(2021, 1, 1), D(2021, 7, 20)};
    assert_int_equal(ra_perf_twr(d2, v, NULL, 2, RA_FLOW_END, 0.0, &t, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "periods per year"));
    /* ... but given explicitly it is fine. */
    assert_int_equal(ra_perf_twr(d2, v, NULL, 2, RA_FLOW_END, 2.0, &t, &err), RA_OK);
}

/* Saving plan in SPY: 1000 bought at the close of each month's first trading day 2010-2019,
 * FLOW_END. Each sub-period return is SPY's own, so the TWR equals the index return. */
static void test_twr_golden_saving_plan(void **state)
{
    (void)state;
    ra_date d[GOLDEN_PLAN_N];
    for (int i = 0; i < GOLDEN_PLAN_N; i++)
        d[i] = (ra_date)golden_plan_days[i];
    ra_twr t;
    ra_err err = {0};
    assert_int_equal(ra_perf_twr(d, golden_plan_values, golden_plan_flows, GOLDEN_PLAN_N,
                                 RA_FLOW_END, 0.0, &t, &err),
                     RA_OK);
    RA_ASSERT_CLOSE(t.twr, GOLDEN_PLAN_TWR, 0.0, TOL_GOLDEN_REL);
    RA_ASSERT_CLOSE(t.twr, GOLDEN_PLAN_TWR_INDEX, 0.0, TOL_GOLDEN_REL);
    RA_ASSERT_CLOSE(t.annualized_act365, GOLDEN_PLAN_TWR_ACT365, 0.0, TOL_GOLDEN_REL);
    RA_ASSERT_CLOSE(t.periods_per_year, 12.0, 0.0, 0.0);
    RA_ASSERT_CLOSE(t.annualized_periods, GOLDEN_PLAN_TWR_PERIODS, 0.0, TOL_GOLDEN_REL);
    assert_int_equal(t.n_periods, GOLDEN_PLAN_N - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_twr_flow_end),
        cmocka_unit_test(test_twr_flow_start),
        cmocka_unit_test(test_twr_no_flows),
        cmocka_unit_test(test_twr_total_loss),
        cmocka_unit_test(test_twr_negative_wealth),
        cmocka_unit_test(test_twr_zero_denominator),
        cmocka_unit_test(test_twr_errors),
        cmocka_unit_test(test_twr_golden_saving_plan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
