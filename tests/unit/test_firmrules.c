/* The firm's rules on a proposal (src/core/firmrules.c; docs/methodology.md#firm-rules). Every
 * expected value is derived by hand next to its case. Money in cents (minor digits 2), prices in
 * micro-units of the currency per share (100.00 = 100000000), quantities in micro-shares, whole
 * shares traded (lot 1000000). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <roboadvisor/firmrules.h>

#include <math.h>
#include <string.h>

#include "ra_test.h"

#define SH 1000000LL          /* one share */
#define P100 100000000LL      /* 100.00 */

static ra_firm_account acct(ra_minor value)
{
    ra_firm_account a = {.value_minor = value, .minor_digits = 2};
    return a;
}

static ra_firm_trade buy(ra_micro qty, ra_micro held)
{
    ra_firm_trade t = {.side = 1, .qty_micro = qty, .price = P100, .lot_micro = SH,
                       .held_micro = held, .firm_room_micro = -1};
    return t;
}

static ra_firm_trade sell(ra_micro qty, ra_micro young)
{
    ra_firm_trade t = {.side = -1, .qty_micro = qty, .price = P100, .lot_micro = SH,
                       .young_micro = young, .firm_room_micro = -1};
    return t;
}

static size_t check(const ra_firm_rules *r, const ra_firm_account *a, ra_firm_trade *t, size_t n,
                    ra_firm_cut *cuts)
{
    size_t nc = 99;
    ra_err err = {0};
    assert_int_equal(ra_firm_check(r, a, t, n, cuts, &nc, &err), RA_OK);
    return nc;
}

/* An account worth 100,000.00, cap 20 %: a fund may be worth 20,000.00 = 200 shares at 100.00.
 * Holding 100, a buy of 100 ends exactly at the cap: kept. A buy of 101 is one share over: cut to
 * 100, the cut one share worth 100.00. Exempt by class or ticker: kept whole. */
static void test_firm_check_weight_cap_boundary(void **state)
{
    (void)state;
    ra_firm_rules r = {.max_weight = 0.20};
    ra_firm_account a = acct(10000000);
    ra_firm_cut cuts[3];
    ra_firm_trade t = buy(100 * SH, 100 * SH);
    assert_int_equal(check(&r, &a, &t, 1, cuts), 0);
    assert_int_equal(t.qty_micro, 100 * SH);
    t = buy(101 * SH, 100 * SH);
    assert_int_equal(check(&r, &a, &t, 1, cuts), 1);
    assert_int_equal(t.qty_micro, 100 * SH);
    assert_int_equal(cuts[0].rule, RA_FIRM_RULE_MAX_WEIGHT);
    assert_int_equal(cuts[0].qty_micro, 1 * SH);
    assert_int_equal(cuts[0].value_minor, 10000);
    assert_string_equal(ra_firm_rule_name(cuts[0].rule), "max_weight");
    /* already above the cap (250 held): no buy at all */
    t = buy(5 * SH, 250 * SH);
    assert_int_equal(check(&r, &a, &t, 1, cuts), 1);
    assert_int_equal(t.qty_micro, 0);
    /* exempt */
    snprintf(r.exempt, sizeof r.exempt, "money_market;VTI");
    assert_int_equal(ra_firm_exempt(&r, "VTI", "equity"), 1);
    assert_int_equal(ra_firm_exempt(&r, "BIL", "money_market"), 1);
    assert_int_equal(ra_firm_exempt(&r, "VT", "equity"), 0);   /* a prefix is not an item */
    assert_int_equal(ra_firm_exempt(&r, "BND", "money"), 0);
    t = buy(101 * SH, 100 * SH);
    t.exempt_weight = 1;
    assert_int_equal(check(&r, &a, &t, 1, cuts), 0);
    assert_int_equal(t.qty_micro, 101 * SH);
}

/* Fractional shares (lot 1 micro-share): the cap of 20,000.00 at 100.00 is 200.000000 shares;
 * held 0, a buy of 200.000001 is one micro-share over and is cut by exactly that. */
static void test_firm_check_weight_cap_one_unit_over(void **state)
{
    (void)state;
    ra_firm_rules r = {.max_weight = 0.20};
    ra_firm_account a = acct(10000000);
    ra_firm_cut cuts[3];
    ra_firm_trade t = buy(200 * SH + 1, 0);
    t.lot_micro = 1;
    assert_int_equal(check(&r, &a, &t, 1, cuts), 1);
    assert_int_equal(t.qty_micro, 200 * SH);
    assert_int_equal(cuts[0].qty_micro, 1);
}

/* Minimum holding period: a sale of 10 shares of which 4 come from young lots sells 6, cut 4
 * (400.00); a sale for a withdrawal or a risk rule is exempt; no young part, no cut. */
static void test_firm_check_min_hold(void **state)
{
    (void)state;
    ra_firm_rules r = {.min_hold_days = 30};
    ra_firm_account a = acct(10000000);
    ra_firm_cut cuts[3];
    ra_firm_trade t = sell(10 * SH, 4 * SH);
    assert_int_equal(check(&r, &a, &t, 1, cuts), 1);
    assert_int_equal(t.qty_micro, 6 * SH);
    assert_int_equal(cuts[0].rule, RA_FIRM_RULE_MIN_HOLD);
    assert_int_equal(cuts[0].qty_micro, 4 * SH);
    assert_int_equal(cuts[0].value_minor, 40000);
    t = sell(10 * SH, 4 * SH);
    t.exempt_sale = 1;
    assert_int_equal(check(&r, &a, &t, 1, cuts), 0);
    t = sell(10 * SH, 0);
    assert_int_equal(check(&r, &a, &t, 1, cuts), 0);
}

/* Turnover 50 % of an average value of 100,000.00 = 50,000.00 of sales a year; 40,000.00 sold
 * already leaves 10,000.00 = 100 shares at 100.00. A sale of 100 is exactly at the limit: kept;
 * 101 is cut to 100. Two sales of 60 share the budget in trade order: 60 and 40. */
static void test_firm_check_turnover_boundary(void **state)
{
    (void)state;
    ra_firm_rules r = {.max_turnover = 0.5};
    ra_firm_account a = acct(10000000);
    a.avg_value_minor = 10000000;
    a.ytd_sales_minor = 4000000;
    ra_firm_cut cuts[6];
    ra_firm_trade t = sell(100 * SH, 0);
    assert_int_equal(check(&r, &a, &t, 1, cuts), 0);
    t = sell(101 * SH, 0);
    assert_int_equal(check(&r, &a, &t, 1, cuts), 1);
    assert_int_equal(t.qty_micro, 100 * SH);
    assert_int_equal(cuts[0].rule, RA_FIRM_RULE_TURNOVER);
    assert_int_equal(cuts[0].value_minor, 10000);
    ra_firm_trade two[2] = {sell(60 * SH, 0), sell(60 * SH, 0)};
    assert_int_equal(check(&r, &a, two, 2, cuts), 1);
    assert_int_equal(two[0].qty_micro, 60 * SH);
    assert_int_equal(two[1].qty_micro, 40 * SH);
    assert_int_equal(cuts[0].trade, 1);
    /* the year's budget used up: nothing more sold */
    a.ytd_sales_minor = 5000000;
    t = sell(1 * SH, 0);
    assert_int_equal(check(&r, &a, &t, 1, cuts), 1);
    assert_int_equal(t.qty_micro, 0);
}

/* Cash: a sale of 50 (5,000.00) funding a buy of 60 (6,000.00) leaves -1,000.00 of the cash
 * before (the proposal spends 1,000.00 of it). The sale is cut whole by the holding period, so
 * the buy may spend 1,000.00 only: 10 shares, cut 50 by rule cash. With a fee of 1.00 a trade,
 * the proposal as made nets 5,000 - 6,000 - 2 = -1,002.00; after the sale is dropped its fee is
 * saved and the buy may spend 1,001.00 less its fee 1.00 = 1,000.00: 10 shares again. */
static void test_firm_check_cash_follows_cut_sales(void **state)
{
    (void)state;
    ra_firm_rules r = {.min_hold_days = 10};
    ra_firm_account a = acct(10000000);
    ra_firm_cut cuts[6];
    ra_firm_trade t[2] = {sell(50 * SH, 50 * SH), buy(60 * SH, 0)};
    assert_int_equal(check(&r, &a, t, 2, cuts), 2);
    assert_int_equal(t[0].qty_micro, 0);
    assert_int_equal(t[1].qty_micro, 10 * SH);
    assert_int_equal(cuts[1].rule, RA_FIRM_RULE_CASH);
    assert_int_equal(cuts[1].qty_micro, 50 * SH);
    a.fee_minor = 100;
    ra_firm_trade u[2] = {sell(50 * SH, 50 * SH), buy(60 * SH, 0)};
    assert_int_equal(check(&r, &a, u, 2, cuts), 2);
    assert_int_equal(u[1].qty_micro, 10 * SH);
}

/* Firm share cap 5 % of 1,000,000 shares = 50,000; the firm holds 40,000: room 10,000 shares.
 * An account worth 250.00 of a firm total of 1,000.00 gets a quarter: 2,500 shares. A buy of
 * 2,500 is exactly at it; 2,501 is cut by one. A firm already at the cap has no room. */
static void test_firm_share_room_boundary(void **state)
{
    (void)state;
    ra_micro room = ra_firm_share_room(0.05, 1000000 * SH, 40000 * SH, 25000, 100000);
    assert_int_equal(room, 2500 * SH);
    assert_int_equal(ra_firm_share_room(0.05, 1000000 * SH, 50000 * SH, 25000, 100000), 0);
    assert_int_equal(ra_firm_share_room(0.05, 1000000 * SH, 60000 * SH, 25000, 100000), 0);
    ra_firm_rules r = {.max_firm_share = 0.05};
    ra_firm_account a = acct(25000);
    ra_firm_cut cuts[3];
    ra_firm_trade t = buy(2500 * SH, 0);
    t.firm_room_micro = room;
    assert_int_equal(check(&r, &a, &t, 1, cuts), 0);
    t = buy(2501 * SH, 0);
    t.firm_room_micro = room;
    assert_int_equal(check(&r, &a, &t, 1, cuts), 1);
    assert_int_equal(cuts[0].rule, RA_FIRM_RULE_FIRM_SHARE);
    assert_int_equal(cuts[0].qty_micro, 1 * SH);
}

/* The holding period's boundary, 30 days: a lot bought on 2020-01-01 may be sold on 2020-01-31
 * (held 30 days) but not on 2020-01-30 (29 days); off (0) nothing is young. */
static void test_firm_lot_young_boundary(void **state)
{
    (void)state;
    ra_date bought = ra_date_from_ymd(2020, 1, 1);
    assert_int_equal(ra_firm_lot_young(bought, ra_date_from_ymd(2020, 1, 31), 30), 0);
    assert_int_equal(ra_firm_lot_young(bought, ra_date_from_ymd(2020, 1, 30), 30), 1);
    assert_int_equal(ra_firm_lot_young(bought, bought, 30), 1);
    assert_int_equal(ra_firm_lot_young(bought, bought, 0), 0);
}

static void test_firm_rules_validate_ranges(void **state)
{
    (void)state;
    ra_err err = {0};
    ra_firm_rules r = {0};
    assert_int_equal(ra_firm_rules_on(&r), 0);
    assert_int_equal(ra_firm_rules_validate(&r, &err), RA_OK);
    r.max_weight = 1.5;
    assert_int_equal(ra_firm_rules_validate(&r, &err), RA_EINVAL);
    assert_string_equal(err.where, "max_weight");
    r.max_weight = NAN;
    assert_int_equal(ra_firm_rules_validate(&r, &err), RA_EINVAL);
    r.max_weight = 0.2;
    r.min_hold_days = -1;
    assert_int_equal(ra_firm_rules_validate(&r, &err), RA_EINVAL);
    r.min_hold_days = 30;
    assert_int_equal(ra_firm_rules_on(&r), 1);
    assert_int_equal(ra_firm_rules_validate(&r, &err), RA_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_firm_check_weight_cap_boundary),
        cmocka_unit_test(test_firm_check_weight_cap_one_unit_over),
        cmocka_unit_test(test_firm_check_min_hold),
        cmocka_unit_test(test_firm_check_turnover_boundary),
        cmocka_unit_test(test_firm_check_cash_follows_cut_sales),
        cmocka_unit_test(test_firm_share_room_boundary),
        cmocka_unit_test(test_firm_lot_young_boundary),
        cmocka_unit_test(test_firm_rules_validate_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
