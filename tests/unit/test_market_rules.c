/* Market rules from the securities master (src/core/market_rules.c,
 * docs/methodology.md#market-rules). Every expected number is derived by hand in the comment
 * above its test from the SSE/SZSE trading rules (bands 10/5/20 %, limit = previous close x
 * (1 +- band) rounded half up to the tick; buys in lots of 100, an odd lot sold whole; T+1 for
 * shares, T+0 for bond, gold, cross-border and money-market funds) and SEC rule 15c6-1 (T+1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <roboadvisor/market_rules.h>

#include "ra_test.h"

#define P(x) ((ra_price)((x) * 1000000.0 + 0.5))
#define SH(x) ((ra_micro)(x) * RA_MICRO_PER_SHARE)

static ra_security sec(const char *exchange, int64_t lot, const char *board, const char *kind)
{
    ra_security x;
    memset(&x, 0, sizeof x);
    snprintf(x.ticker, sizeof x.ticker, "X");
    snprintf(x.exchange, sizeof x.exchange, "%s", exchange);
    snprintf(x.board, sizeof x.board, "%s", board);
    snprintf(x.kind, sizeof x.kind, "%s", kind);
    x.lot_size = lot;
    return x;
}

static ra_market_rules rules(const ra_security *x)
{
    ra_market_rules m;
    ra_err err = {0};
    assert_int_equal(ra_market_rules_of(x, &m, &err), RA_OK);
    return m;
}

/* Defaults: a US ETF (any exchange code but the Chinese ones) keeps lot 1, fractional, no band,
 * tick 0.01, T+1, same-day sales; an SSE share is main board 10 %, tick 0.01, no fractions, T+1
 * cash and no same-day sale; a Chinese bond ETF trades T+0 at tick 0.001. Withdrawals wait for
 * settlement on SSE/SZSE and where the master states it, not for a US master without it. */
static void test_market_defaults(void **state)
{
    (void)state;
    ra_security us = sec("NYSEARCA", 1, "", "");
    ra_market_rules m = rules(&us);
    assert_int_equal(m.china, 0);
    assert_int_equal(m.board, RA_BOARD_US);
    assert_int_equal(m.band_pct, 0);
    assert_int_equal(m.tick, P(0.01));
    assert_int_equal(m.lot, 1);
    assert_int_equal(m.fractional, 1);
    assert_int_equal(m.settle_days, 1);
    assert_int_equal(m.settle_applies, 0); /* withdrawals as before without the column */
    assert_int_equal(m.same_day_sale, 1);
    ra_security a = sec("SSE", 100, "", "");
    m = rules(&a);
    assert_int_equal(m.china, 1);
    assert_int_equal(m.board, RA_BOARD_MAIN);
    assert_int_equal(m.band_pct, 10);
    assert_int_equal(m.tick, P(0.01));
    assert_int_equal(m.fractional, 0);
    assert_int_equal(m.settle_applies, 1);
    assert_int_equal(m.same_day_sale, 0);
    ra_security b = sec("sse", 100, "", "bond_etf");
    m = rules(&b);
    assert_int_equal(m.tick, P(0.001));
    assert_int_equal(m.same_day_sale, 1);
    ra_security e = sec("SZSE", 100, "", "etf"); /* 159915: an equity ETF, T+1 */
    m = rules(&e);
    assert_int_equal(m.same_day_sale, 0);
    assert_int_equal(m.tick, P(0.001));
    ra_security st = sec("SSE", 100, "st", ""), star = sec("SSE", 100, "star", ""),
                gem = sec("SZSE", 100, "chinext", "");
    assert_int_equal(rules(&st).band_pct, 5);
    assert_int_equal(rules(&star).band_pct, 20);
    assert_int_equal(rules(&gem).band_pct, 20);
    /* overrides: a tick, fractions, a settlement cycle */
    a.tick = P(0.005);
    a.fractional = 1;
    snprintf(a.settlement, sizeof a.settlement, "T+2");
    m = rules(&a);
    assert_int_equal(m.tick, P(0.005));
    assert_int_equal(m.fractional, 1);
    assert_int_equal(m.settle_days, 2);
    snprintf(us.settlement, sizeof us.settlement, "T+1");
    assert_int_equal(rules(&us).settle_applies, 1);
    /* errors: a board of the other market, an unknown name, a bad settlement */
    ra_err err = {0};
    ra_security bad = sec("NYSEARCA", 1, "main", "");
    assert_int_equal(ra_market_rules_of(&bad, &m, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "board main is not one of exchange NYSEARCA"));
    bad = sec("SSE", 100, "us", "");
    assert_int_equal(ra_market_rules_of(&bad, &m, &err), RA_EINVAL);
    bad = sec("SSE", 100, "", "warrant");
    assert_int_equal(ra_market_rules_of(&bad, &m, &err), RA_EINVAL);
    bad = sec("SSE", 100, "", "");
    snprintf(bad.settlement, sizeof bad.settlement, "T+9");
    assert_int_equal(ra_market_rules_of(&bad, &m, &err), RA_EINVAL);
}

/* A price exactly at the band and one tick inside. Main board, previous close 10.00: up
 * 10.00 x 1.10 = 11.00, down 9.00; a close of 11.00 or 9.00 is at the limit, 10.99 and 9.01 are
 * not. ST, previous close 3.33: 3.33 x 1.05 = 3.4965 -> 3.50, 3.33 x 0.95 = 3.1635 -> 3.16 (half
 * up); 3.50 at, 3.49 not. A fund at 1.234 (tick 0.001): 1.3574 -> 1.357, 1.1106 -> 1.111; 1.111
 * at, 1.112 not. A US security has no band: never at a limit. */
static void test_market_band_boundary(void **state)
{
    (void)state;
    ra_err err = {0};
    ra_price d = 0, u = 0;
    ra_security a = sec("SSE", 100, "", "");
    ra_market_rules m = rules(&a);
    assert_int_equal(ra_market_limits(&m, P(10.00), &d, &u, &err), RA_OK);
    assert_int_equal(u, P(11.00));
    assert_int_equal(d, P(9.00));
    assert_int_equal(ra_market_at_limit(&m, P(11.00), d, u), 1);
    assert_int_equal(ra_market_at_limit(&m, P(10.99), d, u), 0);
    assert_int_equal(ra_market_at_limit(&m, P(9.00), d, u), 1);
    assert_int_equal(ra_market_at_limit(&m, P(9.01), d, u), 0);
    ra_security s = sec("SSE", 100, "st", "");
    m = rules(&s);
    assert_int_equal(ra_market_limits(&m, P(3.33), &d, &u, &err), RA_OK);
    assert_int_equal(u, P(3.50));
    assert_int_equal(d, P(3.16));
    assert_int_equal(ra_market_at_limit(&m, P(3.50), d, u), 1);
    assert_int_equal(ra_market_at_limit(&m, P(3.49), d, u), 0);
    ra_security f = sec("SZSE", 100, "", "gold_etf");
    m = rules(&f);
    assert_int_equal(ra_market_limits(&m, P(1.234), &d, &u, &err), RA_OK);
    assert_int_equal(u, P(1.357));
    assert_int_equal(d, P(1.111));
    assert_int_equal(ra_market_at_limit(&m, P(1.111), d, u), 1);
    assert_int_equal(ra_market_at_limit(&m, P(1.112), d, u), 0);
    ra_security us = sec("NYSEARCA", 1, "", "");
    m = rules(&us);
    assert_int_equal(ra_market_limits(&m, P(100.0), &d, &u, &err), RA_OK);
    assert_int_equal(u, 0);
    assert_int_equal(ra_market_at_limit(&m, P(130.0), d, u), 0);
}

/* Limit prices: main board band 9.00 .. 11.00 (previous close 10.00). 10.004 -> 10.00 and
 * 10.005 -> 10.01 (half up to 0.01); 11.2 is held at 11.00 and 8.5 at 9.00. A US price is only
 * rounded to the cent: 123.456789 -> 123.46. */
static void test_market_limit_price(void **state)
{
    (void)state;
    ra_security a = sec("SSE", 100, "", "");
    ra_market_rules m = rules(&a);
    assert_int_equal(ra_market_limit_price(&m, P(10.004), P(9.00), P(11.00)), P(10.00));
    assert_int_equal(ra_market_limit_price(&m, P(10.005), P(9.00), P(11.00)), P(10.01));
    assert_int_equal(ra_market_limit_price(&m, P(11.2), P(9.00), P(11.00)), P(11.00));
    assert_int_equal(ra_market_limit_price(&m, P(8.5), P(9.00), P(11.00)), P(9.00));
    ra_security us = sec("NYSEARCA", 1, "", "");
    m = rules(&us);
    assert_int_equal(ra_market_limit_price(&m, P(123.456789), 0, 0), P(123.46));
}

/* Lots. An A-share buys in steps of 100 shares even for a fractional mandate; a US ETF buys
 * fractions (1 micro-share) only for a fractional mandate, else whole shares. A wish of 250.5
 * shares buys 200, of 99 none. Odd lots: of 250 held, 200 (two lots), 250 (all), 50 (the odd
 * lot whole) and 150 (a lot and the odd lot) may be sold; 30, 230 (part of the odd lot) and 300
 * (more than held) may not. */
static void test_market_lots_and_odd_lots(void **state)
{
    (void)state;
    ra_security a = sec("SSE", 100, "", ""), us = sec("NYSEARCA", 1, "", "");
    ra_market_rules ma = rules(&a), mu = rules(&us);
    assert_int_equal(ra_market_step_micro(&ma, 1), SH(100));
    assert_int_equal(ra_market_step_micro(&ma, 0), SH(100));
    assert_int_equal(ra_market_step_micro(&mu, 1), 1);
    assert_int_equal(ra_market_step_micro(&mu, 0), SH(1));
    assert_int_equal(ra_market_buy_qty(SH(250) + SH(1) / 2, SH(100)), SH(200));
    assert_int_equal(ra_market_buy_qty(SH(99), SH(100)), 0);
    assert_int_equal(ra_market_sale_ok(SH(200), SH(250), SH(100)), 1);
    assert_int_equal(ra_market_sale_ok(SH(250), SH(250), SH(100)), 1);
    assert_int_equal(ra_market_sale_ok(SH(50), SH(250), SH(100)), 1);
    assert_int_equal(ra_market_sale_ok(SH(150), SH(250), SH(100)), 1);
    assert_int_equal(ra_market_sale_ok(SH(30), SH(250), SH(100)), 0);
    assert_int_equal(ra_market_sale_ok(SH(230), SH(250), SH(100)), 0);
    assert_int_equal(ra_market_sale_ok(SH(300), SH(250), SH(100)), 0);
}

/* Settlement over weekends and holidays (US calendar 2024). Friday 2024-05-31 T+1 -> Monday
 * 2024-06-03. Friday 2024-08-30 T+1 over Labor Day (Monday 2024-09-02) -> Tuesday 2024-09-03.
 * Wednesday 2024-11-27 T+2 over Thanksgiving (Thursday 2024-11-28) -> Friday 29 (1), Monday
 * 2024-12-02 (2). T+0 settles on the trade date. Saturday 2024-06-01 is no business day. */
static void test_market_settlement_dates(void **state)
{
    (void)state;
    const ra_date hol[] = {ra_date_from_ymd(2024, 7, 4), ra_date_from_ymd(2024, 9, 2),
                           ra_date_from_ymd(2024, 11, 28)};
    size_t nh = sizeof hol / sizeof hol[0];
    assert_int_equal(ra_market_settle_date(ra_date_from_ymd(2024, 5, 31), 1, hol, nh),
                     ra_date_from_ymd(2024, 6, 3));
    assert_int_equal(ra_market_settle_date(ra_date_from_ymd(2024, 8, 30), 1, hol, nh),
                     ra_date_from_ymd(2024, 9, 3));
    assert_int_equal(ra_market_settle_date(ra_date_from_ymd(2024, 11, 27), 2, hol, nh),
                     ra_date_from_ymd(2024, 12, 2));
    assert_int_equal(ra_market_settle_date(ra_date_from_ymd(2024, 11, 27), 0, hol, nh),
                     ra_date_from_ymd(2024, 11, 27));
    assert_int_equal(ra_market_business_day(ra_date_from_ymd(2024, 6, 1), hol, nh), 0);
    assert_int_equal(ra_market_business_day(ra_date_from_ymd(2024, 6, 3), hol, nh), 1);
    assert_int_equal(ra_market_business_day(ra_date_from_ymd(2024, 9, 2), hol, nh), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_market_defaults),
        cmocka_unit_test(test_market_band_boundary),
        cmocka_unit_test(test_market_limit_price),
        cmocka_unit_test(test_market_lots_and_odd_lots),
        cmocka_unit_test(test_market_settlement_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
