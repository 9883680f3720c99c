/* Advisory fees (src/core/fees.c). Every expected amount is derived by hand next to its case (the
 * same numbers as the worked example in docs/methodology.md#fees). Amounts in cents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <roboadvisor/fees.h>

#include <string.h>

#include "ra_test.h"

#define BP(x) ((int64_t)((x) * 100)) /* basis points in hundredths of a bp */

/* 0.40 % to $100,000, 0.30 % to $1,000,000, 0.20 % above: marginal, like tax brackets. */
static ra_fee_schedule tiers3(void)
{
    ra_fee_schedule s;
    memset(&s, 0, sizeof s);
    s.n_tiers = 3;
    s.tiers[0] = (ra_fee_tier){10000000, BP(40)};
    s.tiers[1] = (ra_fee_tier){100000000, BP(30)};
    s.tiers[2] = (ra_fee_tier){INT64_MAX, BP(20)};
    return s;
}

/* $250,000: 100,000 x 0.40 % = $400 plus 150,000 x 0.30 % = $450: $850 a year, a blended 0.34 %.
 * $2,000,000: 400 + 900,000 x 0.30 % = 2,700 + 1,000,000 x 0.20 % = 2,000: $5,100, 0.255 %. */
static void test_fees_marginal_tiers(void **state)
{
    (void)state;
    ra_fee_schedule s = tiers3();
    ra_err err = {0};
    assert_int_equal(ra_fee_schedule_validate(&s, &err), RA_OK);
    ra_minor f = 0;
    assert_int_equal(ra_fee_annual(&s, 25000000, &f, &err), RA_OK);
    assert_int_equal(f, 85000);
    RA_ASSERT_CLOSE(ra_fee_blended_rate(&s, 25000000), 0.0034, 1e-15, 0);
    assert_int_equal(ra_fee_annual(&s, 200000000, &f, &err), RA_OK);
    assert_int_equal(f, 510000);
    RA_ASSERT_CLOSE(ra_fee_blended_rate(&s, 200000000), 0.00255, 1e-15, 0);
    /* a minimum annual fee of $500 on $50,000 (0.40 % would be $200) */
    s.min_annual_minor = 50000;
    assert_int_equal(ra_fee_annual(&s, 5000000, &f, &err), RA_OK);
    assert_int_equal(f, 50000);
}

/* 31 days at $250,000: 85,000 x 31 / 365 = 7,219.18 cents -> $72.19, rounded once. Rounding each
 * day would bill 31 x round(232.877) = 7,223 cents: the accrual must not do that. */
static void test_fees_accrue_exact_round_once(void **state)
{
    (void)state;
    ra_fee_schedule s = tiers3();
    ra_fee_accrual acc;
    memset(&acc, 0, sizeof acc);
    ra_err err = {0};
    for (int d = 0; d < 31; d++)
        assert_int_equal(ra_fee_accrue_day(&acc, &s, 25000000, &err), RA_OK);
    ra_minor bill = 0;
    assert_int_equal(ra_fee_accrual_bill(&acc, &bill, &err), RA_OK);
    assert_int_equal(bill, 7219);
    assert_int_equal(acc.days, 31);
}

/* Ties to even: 1 bp a year on $18,250 is 182.5 cents, half a cent a day. One day bills 0 (0.5 to
 * the even 0), three days 2 (1.5 to the even 2), five days 2 (2.5 to 2). */
static void test_fees_bill_ties_to_even(void **state)
{
    (void)state;
    ra_fee_schedule s;
    memset(&s, 0, sizeof s);
    s.n_tiers = 1;
    s.tiers[0] = (ra_fee_tier){INT64_MAX, BP(1)};
    ra_err err = {0};
    const int days[3] = {1, 3, 5};
    const ra_minor want[3] = {0, 2, 2};
    for (int k = 0; k < 3; k++) {
        ra_fee_accrual acc;
        memset(&acc, 0, sizeof acc);
        for (int d = 0; d < days[k]; d++)
            assert_int_equal(ra_fee_accrue_day(&acc, &s, 1825000, &err), RA_OK);
        ra_minor bill = -1;
        assert_int_equal(ra_fee_accrual_bill(&acc, &bill, &err), RA_OK);
        assert_int_equal(bill, want[k]);
    }
}

/* $9.99 a month from 2024-01-15 to 2024-03-31: January 17 of 31 days, 999 x 17 / 31 = 547.84 ->
 * 548; February (29 days in 2024) and March whole: 999 each. Total 2,546. */
static void test_fees_subscription_pro_rata(void **state)
{
    (void)state;
    ra_fee_schedule s = tiers3();
    s.monthly_minor = 999;
    ra_minor f = 0;
    ra_err err = {0};
    assert_int_equal(ra_fee_subscription(&s, ra_date_from_ymd(2024, 1, 15),
                                         ra_date_from_ymd(2024, 3, 31), &f, &err),
                     RA_OK);
    assert_int_equal(f, 2546);
    assert_int_equal(ra_fee_subscription(&s, ra_date_from_ymd(2024, 2, 1),
                                         ra_date_from_ymd(2024, 2, 29), &f, &err),
                     RA_OK);
    assert_int_equal(f, 999);
    assert_int_equal(ra_fee_subscription(&s, ra_date_from_ymd(2024, 2, 2),
                                         ra_date_from_ymd(2024, 2, 1), &f, &err),
                     RA_EINVAL);
}

/* The formula over three periods at 20 % (docs/methodology.md#performance-fees):
 * 1. 100,000 -> 90,000, no flows: P = -10,000, no fee, L = 10,000 (nothing when the client lost).
 * 2. 90,000 -> 105,000 with 2,000 deposited: P = 13,000; base 13,000 - 10,000 = 3,000; fee 600;
 *    L = max(0, 10,000 - 13,000) = 0.
 * 3. 105,000 -> 110,000, a 2 % hurdle: H = 2,100, P = 5,000, base 2,900, fee 580, L = 0.
 * A negative hurdle (the benchmark fell 5 %) counts as 0. Amounts in dollars, here in cents. */
static void test_fees_performance_high_water(void **state)
{
    (void)state;
    ra_err err = {0};
    ra_perf_fee_out o;
    ra_perf_fee_in p1 = {10000000, 9000000, 0, 0, 200000, 0};
    assert_int_equal(ra_perf_fee(&p1, &o, &err), RA_OK);
    assert_int_equal(o.profit_minor, -1000000);
    assert_int_equal(o.fee_minor, 0);
    assert_int_equal(o.carried_loss_minor, 1000000);
    ra_perf_fee_in p2 = {9000000, 10500000, 200000, o.carried_loss_minor, 200000, 0};
    assert_int_equal(ra_perf_fee(&p2, &o, &err), RA_OK);
    assert_int_equal(o.profit_minor, 1300000);
    assert_int_equal(o.base_minor, 300000);
    assert_int_equal(o.fee_minor, 60000);
    assert_int_equal(o.carried_loss_minor, 0);
    ra_perf_fee_in p3 = {10500000, 11000000, 0, 0, 200000, 20000};
    assert_int_equal(ra_perf_fee(&p3, &o, &err), RA_OK);
    assert_int_equal(o.hurdle_minor, 210000);
    assert_int_equal(o.base_minor, 290000);
    assert_int_equal(o.fee_minor, 58000);
    ra_perf_fee_in p4 = {10500000, 11000000, 0, 0, 200000, -50000};
    assert_int_equal(ra_perf_fee(&p4, &o, &err), RA_OK);
    assert_int_equal(o.hurdle_minor, 0);
    assert_int_equal(o.fee_minor, 100000);
    /* a profit smaller than the loss carried: no fee, the loss shrinks */
    ra_perf_fee_in p5 = {9000000, 9400000, 0, 1000000, 200000, 0};
    assert_int_equal(ra_perf_fee(&p5, &o, &err), RA_OK);
    assert_int_equal(o.fee_minor, 0);
    assert_int_equal(o.carried_loss_minor, 600000);
}

static void test_fees_rejects_bad_schedules(void **state)
{
    (void)state;
    ra_fee_schedule s = tiers3();
    ra_err err = {0};
    s.tiers[1].upto_minor = s.tiers[0].upto_minor;
    assert_int_equal(ra_fee_schedule_validate(&s, &err), RA_EINVAL);
    assert_string_equal(err.where, "tier 2");
    s = tiers3();
    s.tiers[2].upto_minor = 500000000;
    assert_int_equal(ra_fee_schedule_validate(&s, &err), RA_EINVAL);
    s = tiers3();
    s.tiers[0].rate = -1;
    assert_int_equal(ra_fee_schedule_validate(&s, &err), RA_EINVAL);
    ra_perf_fee_in bad = {1, 2, 0, 0, 2000000, 0};
    ra_perf_fee_out o;
    assert_int_equal(ra_perf_fee(&bad, &o, &err), RA_EINVAL);
}

/* The text forms (docs/cli.md#fees): "0-1000000:50,1000000-:25" is 0.50 % to $1,000,000 and 0.25 %
 * above, i.e. bounds 100,000,000 c and open, rates 5,000 and 2,500 hundredths of a bp; it formats
 * back with the currency's decimals. Each error names the tier or service and the field. */
static void test_fees_text_forms(void **state)
{
    (void)state;
    ra_fee_plan p;
    memset(&p, 0, sizeof p);
    ra_err err = {0};
    assert_int_equal(ra_fee_tiers_parse("0-1000000:50,1000000-:25", 2, &p.sched, &err), RA_OK);
    assert_int_equal(p.sched.n_tiers, 2);
    assert_int_equal(p.sched.tiers[0].upto_minor, 100000000);
    assert_int_equal(p.sched.tiers[0].rate, 5000);
    assert_int_equal(p.sched.tiers[1].upto_minor, INT64_MAX);
    assert_int_equal(p.sched.tiers[1].rate, 2500);
    char buf[RA_FEES_TEXT_MAX];
    assert_string_equal(ra_fee_tiers_format(&p.sched, 2, buf, sizeof buf),
                        "0.00-1000000.00:50.00,1000000.00-:25.00");
    assert_int_equal(ra_fee_tiers_parse("0-1000:50,2000-:25", 2, &p.sched, &err), RA_EPARSE);
    assert_string_equal(err.where, "tier 2 lower bound");
    assert_int_equal(ra_fee_tiers_parse("0-1000:50", 2, &p.sched, &err), RA_EPARSE);
    assert_int_equal(ra_fee_tiers_parse("0-:12.345", 2, &p.sched, &err), RA_EPARSE);
    assert_string_equal(err.where, "tier 1 rate");
    assert_int_equal(ra_fee_services_parse("report:10:annual,setup:25.50:first", 2, &p, &err),
                     RA_OK);
    assert_int_equal(p.n_services, 2);
    assert_int_equal(p.services[1].amount_minor, 2550);
    assert_int_equal(p.services[1].when, RA_FEE_WHEN_FIRST);
    assert_string_equal(ra_fee_services_format(&p, 2, buf, sizeof buf),
                        "report:10.00:annual,setup:25.50:first");
    assert_int_equal(ra_fee_services_parse("report:10:weekly", 2, &p, &err), RA_EPARSE);
    assert_string_equal(err.where, "service 1");
    p.period_months = 2;
    assert_int_equal(ra_fee_plan_validate(&p, &err), RA_EINVAL);
    p.period_months = 3;
    p.perf_rate_ppm = 200000;
    p.perf_months = 12;
    assert_int_equal(ra_fee_plan_validate(&p, &err), RA_OK);
    p.perf_months = 9;
    assert_int_equal(ra_fee_plan_validate(&p, &err), RA_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fees_marginal_tiers),
        cmocka_unit_test(test_fees_accrue_exact_round_once),
        cmocka_unit_test(test_fees_bill_ties_to_even),
        cmocka_unit_test(test_fees_subscription_pro_rata),
        cmocka_unit_test(test_fees_performance_high_water),
        cmocka_unit_test(test_fees_rejects_bad_schedules),
        cmocka_unit_test(test_fees_text_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
