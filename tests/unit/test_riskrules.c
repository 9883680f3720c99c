/* Risk limits (src/core/riskrules.c; docs/methodology.md#risk-limits). Every expected value is
 * derived by hand next to its case. Money in cents. Daylight-saving dates from the rules as
 * published: United States, Energy Policy Act of 2005 (2020: 8 March to 1 November; 2006, the old
 * rule: 2 April to 29 October); European Union, Directive 2000/84/EC (2020: 29 March to
 * 25 October). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <roboadvisor/riskrules.h>

#include <math.h>
#include <string.h>

#include "ra_test.h"

static ra_risk_loss check(ra_minor entrusted, ra_minor value, double limit)
{
    ra_risk_loss x;
    ra_err err = {0};
    assert_int_equal(ra_risk_loss_check(entrusted, value, limit, &x, &err), RA_OK);
    return x;
}

/* 100,000.00 entrusted, limit 10 %: the limit is a loss of exactly 10,000.00. Worth 90,000.00 the
 * loss is 10,000.00 = the limit: crossed (the boundary belongs to the crossing); worth 90,000.01
 * it is 9,999.99: not crossed; worth 89,999.99 it is 10,000.01: crossed. */
static void test_loss_check_exactly_at_the_limit(void **state)
{
    (void)state;
    ra_risk_loss x = check(10000000, 9000000, 0.10);
    assert_int_equal(x.loss_minor, 1000000);
    assert_int_equal(x.threshold_minor, 1000000);
    assert_int_equal(x.limit_ppm, 100000);
    assert_int_equal(x.crossed, 1);
    x = check(10000000, 9000001, 0.10); /* one cent less of loss */
    assert_int_equal(x.loss_minor, 999999);
    assert_int_equal(x.crossed, 0);
    x = check(10000000, 8999999, 0.10); /* one cent more */
    assert_int_equal(x.loss_minor, 1000001);
    assert_int_equal(x.crossed, 1);
}

/* 123.45 entrusted at 10 %: 12.345 is the limit, so a loss of 12.34 is below it and 12.35 (the
 * smallest whole cent at or above it: ceil(12.345) cents) crosses; no float rounding decides. */
static void test_loss_check_limit_between_cents(void **state)
{
    (void)state;
    ra_risk_loss x = check(12345, 12345 - 1234, 0.10);
    assert_int_equal(x.threshold_minor, 1235);
    assert_int_equal(x.crossed, 0);
    x = check(12345, 12345 - 1235, 0.10);
    assert_int_equal(x.crossed, 1);
    /* the highest limit, 15 %: 1,000.00 entrusted, 850.00 worth crosses, 850.01 does not */
    assert_int_equal(check(100000, 85000, 0.15).crossed, 1);
    assert_int_equal(check(100000, 85001, 0.15).crossed, 0);
}

/* Nothing entrusted (all withdrawn, or more withdrawn than deposited) never crosses; a gain is a
 * negative loss; 4.6e16 cents (half of int64) lost whole does not overflow. */
static void test_loss_check_nothing_entrusted_and_large(void **state)
{
    (void)state;
    ra_risk_loss x = check(0, 0, 0.10);
    assert_int_equal(x.crossed, 0);
    assert_int_equal(x.threshold_minor, 0);
    assert_int_equal(check(-500, 0, 0.10).crossed, 0);
    x = check(100000, 120000, 0.10);
    assert_int_equal(x.loss_minor, -20000);
    assert_int_equal(x.crossed, 0);
    x = check(INT64_MAX / 2, 0, 0.15);
    assert_int_equal(x.crossed, 1);
    assert_int_equal(x.loss_minor, INT64_MAX / 2);
}

static void test_loss_check_limit_out_of_range(void **state)
{
    (void)state;
    ra_risk_loss x;
    ra_err err = {0};
    assert_int_equal(ra_risk_loss_check(100, 0, 0.16, &x, &err), RA_EINVAL);
    assert_string_equal(err.where, "loss_limit");
    assert_int_equal(ra_risk_loss_check(100, 0, 0.0, &x, &err), RA_EINVAL);
    assert_int_equal(x.crossed, 0);
}

static void test_close_parse(void **state)
{
    (void)state;
    int m = 0;
    ra_err err = {0};
    assert_int_equal(ra_risk_close_parse("16:00", &m, &err), RA_OK);
    assert_int_equal(m, 960);
    assert_int_equal(ra_risk_close_parse("00:00", &m, &err), RA_OK);
    assert_int_equal(m, 0);
    assert_int_equal(ra_risk_close_parse("23:59", &m, &err), RA_OK);
    assert_int_equal(m, 1439);
    assert_int_equal(ra_risk_close_parse("24:00", &m, &err), RA_EINVAL);
    assert_int_equal(ra_risk_close_parse("9:30", &m, &err), RA_EINVAL);
    assert_int_equal(ra_risk_close_parse("16:00 ", &m, &err), RA_EINVAL);
    assert_int_equal(ra_risk_close_parse(NULL, &m, &err), RA_EINVAL);
}

static int32_t offset(const char *zone, int y, int mo, int d, int minute)
{
    int32_t off = 0;
    ra_err err = {0};
    assert_int_equal(ra_risk_zone_offset(zone, ra_date_from_ymd(y, mo, d), minute, &off, &err),
                     RA_OK);
    return off;
}

/* New York: EST -5 h, EDT -4 h from 02:00 on the second Sunday of March to 02:00 on the first
 * Sunday of November (2020: 8 March, 1 November); before 2007 the first Sunday of April to the
 * last Sunday of October (2006: 2 April, 29 October). */
static void test_zone_offset_new_york(void **state)
{
    (void)state;
    const char *ny = "America/New_York";
    assert_int_equal(offset(ny, 2020, 3, 6, 960), -5 * 3600);
    assert_int_equal(offset(ny, 2020, 3, 7, 960), -5 * 3600);
    assert_int_equal(offset(ny, 2020, 3, 8, 60), -5 * 3600);  /* 01:00, before the change */
    assert_int_equal(offset(ny, 2020, 3, 8, 180), -4 * 3600); /* 03:00, after it */
    assert_int_equal(offset(ny, 2020, 3, 12, 960), -4 * 3600);
    assert_int_equal(offset(ny, 2020, 10, 31, 960), -4 * 3600);
    assert_int_equal(offset(ny, 2020, 11, 1, 60), -4 * 3600);
    assert_int_equal(offset(ny, 2020, 11, 1, 960), -5 * 3600);
    assert_int_equal(offset(ny, 2006, 3, 15, 960), -5 * 3600);
    assert_int_equal(offset(ny, 2006, 4, 2, 960), -4 * 3600);
    assert_int_equal(offset(ny, 2006, 10, 28, 960), -4 * 3600);
    assert_int_equal(offset(ny, 2006, 10, 29, 960), -5 * 3600);
    assert_int_equal(offset("America/Chicago", 2020, 7, 1, 900), -5 * 3600);
}

/* London GMT/BST and Frankfurt CET/CEST change at 01:00 UTC on the last Sundays of March and
 * October (2020: 29 March, 25 October); Shanghai and Tokyo keep +8 h and +9 h. */
static void test_zone_offset_europe_asia(void **state)
{
    (void)state;
    assert_int_equal(offset("Europe/London", 2020, 3, 28, 990), 0);
    assert_int_equal(offset("Europe/London", 2020, 3, 29, 30), 0);       /* 00:30 GMT */
    assert_int_equal(offset("Europe/London", 2020, 3, 29, 990), 3600);
    assert_int_equal(offset("Europe/London", 2020, 10, 25, 990), 0);
    assert_int_equal(offset("Europe/Frankfurt", 2020, 10, 24, 1050), 7200);
    assert_int_equal(offset("Europe/Frankfurt", 2020, 10, 25, 1050), 3600);
    assert_int_equal(offset("Europe/Frankfurt", 2020, 1, 15, 1050), 3600);
    assert_int_equal(offset("Asia/Shanghai", 2020, 7, 1, 900), 8 * 3600);
    assert_int_equal(offset("Asia/Tokyo", 2020, 7, 1, 900), 9 * 3600);
    assert_int_equal(offset("UTC", 2020, 7, 1, 900), 0);
}

/* 16:00 New York on 2020-03-12 (EDT) is 20:00 UTC: 18,333 days after 1970-01-01 x 86,400 +
 * 72,000 = 1,584,043,200 (date -u -d '2020-03-12 20:00' +%s); on 2020-03-06 (EST) 21:00 UTC:
 * 18,327 x 86,400 + 75,600 = 1,583,528,400. 15:00 Shanghai is 07:00 UTC. */
static void test_close_utc(void **state)
{
    (void)state;
    int64_t t = 0;
    ra_err err = {0};
    assert_int_equal(ra_risk_close_utc(ra_date_from_ymd(2020, 3, 12), 960, "America/New_York",
                                       &t, &err), RA_OK);
    assert_int_equal(t, INT64_C(1584043200));
    assert_int_equal(ra_risk_close_utc(ra_date_from_ymd(2020, 3, 6), 960, "America/New_York",
                                       &t, &err), RA_OK);
    assert_int_equal(t, INT64_C(1583528400));
    assert_int_equal(ra_risk_close_utc(ra_date_from_ymd(2020, 3, 12), 900, "Asia/Shanghai", &t,
                                       &err), RA_OK);
    assert_int_equal(t, INT64_C(18333) * 86400 + 7 * 3600);
    assert_int_equal(ra_risk_close_utc(0, 960, "Mars/Olympus", &t, &err), RA_EINVAL);
    assert_string_equal(err.where, "zone");
    assert_int_equal(ra_risk_close_utc(0, 1440, "UTC", &t, &err), RA_EINVAL);
}

/* ---- rules as data ---------------------------------------------------------------------------- */

static ra_risk_rule rule(const char *when, const char *then)
{
    ra_risk_rule r;
    ra_err err = {0};
    if (ra_risk_rule_parse("R1", when, then, &r, &err) != RA_OK)
        fail_msg("%s %s: %s", when, then, err.msg);
    return r;
}

static void test_rule_parse_and_format(void **state)
{
    (void)state;
    ra_risk_rule r = rule("drawdown>=0.15", "reduce:equity=0.30");
    assert_int_equal(r.metric, RA_RISK_DRAWDOWN);
    assert_int_equal(r.op, RA_RISK_GE);
    assert_true(r.threshold == 0.15);
    assert_int_equal(r.action, RA_RISK_REDUCE);
    assert_string_equal(r.target, "equity");
    assert_true(r.weight == 0.30);
    char when[RA_RISK_RULE_TEXT_MAX], then[RA_RISK_RULE_TEXT_MAX];
    ra_risk_rule_format(&r, when, then);
    assert_string_equal(when, "drawdown>=0.15");
    assert_string_equal(then, "reduce:equity=0.3");
    r = rule("move(*,5)<-0.1", "close:*");
    assert_int_equal(r.metric, RA_RISK_MOVE);
    assert_int_equal(r.window, 5);
    assert_string_equal(r.subject, "*");
    assert_int_equal(r.op, RA_RISK_LT);
    ra_risk_rule_format(&r, when, then);
    assert_string_equal(when, "move(*,5)<-0.1");
    assert_string_equal(then, "close:*");
    r = rule("vol(20)>0.25", "notify");
    assert_int_equal(r.window, 20);
    assert_int_equal(r.action, RA_RISK_NOTIFY);
    r = rule("event(FOMC)", "suspend");
    assert_int_equal(r.metric, RA_RISK_EVENT);
    assert_string_equal(r.subject, "FOMC");
    r = rule("loss<=0.05", "add:us_equity=0.7");
    assert_int_equal(r.op, RA_RISK_LE);
    assert_int_equal(r.action, RA_RISK_ADD);
}

static void test_rule_parse_refused(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"drawdown>>0.1", "notify"}, {"vol(1)>0.2", "notify"}, {"vol(2.5)>0.2", "notify"},
        {"move(SPY)<-0.1", "notify"}, {"height>3", "notify"}, {"drawdown", "notify"},
        {"drawdown>=x", "notify"}, {"event()", "notify"}, {"drawdown>=0.1", "reduce:equity=1.5"},
        {"drawdown>=0.1", "reduce:equity"}, {"drawdown>=0.1", "sell:SPY"},
        {"drawdown>=0.1", "close:*"}, {"drawdown>=0.1", ""}, {"", "notify"}};
    size_t checked = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ra_risk_rule r;
        ra_err err = {0};
        assert_int_equal(ra_risk_rule_parse("R1", bad[i][0], bad[i][1], &r, &err), RA_EINVAL);
        assert_true(strcmp(err.where, "when") == 0 || strcmp(err.where, "then") == 0);
        checked++;
    }
    assert_int_equal(checked, 14);
    ra_risk_rule r;
    ra_err err = {0};
    assert_int_equal(ra_risk_rule_parse("bad code", "loss>0.1", "notify", &r, &err), RA_EINVAL);
}

/* Returns +10 %, -20 %, +5 %: wealth 1.10, 0.88, 0.924; the peak 1.10; drawdown
 * 1 - 0.924 / 1.10 = 0.16 exactly in decimal. drawdown>=0.16 fires (the boundary, within the
 * tolerance), drawdown>0.16 and drawdown>=0.1601 do not. */
static void test_rule_drawdown_boundary(void **state)
{
    (void)state;
    const double ret[3] = {0.10, -0.20, 0.05};
    assert_true(fabs(ra_risk_drawdown(ret, 3) - 0.16) < 1e-15);
    assert_true(ra_risk_drawdown(ret, 0) == 0.0);
    ra_risk_inputs in;
    memset(&in, 0, sizeof in);
    in.ret = ret;
    in.n_ret = 3;
    int fired = 0, ix = 0;
    double obs = 0;
    ra_err err = {0};
    ra_risk_rule r = rule("drawdown>=0.16", "notify");
    assert_int_equal(ra_risk_rule_eval(&r, &in, &fired, &obs, &ix, &err), RA_OK);
    assert_int_equal(fired, 1);
    r = rule("drawdown>0.16", "notify");
    assert_int_equal(ra_risk_rule_eval(&r, &in, &fired, &obs, &ix, &err), RA_OK);
    assert_int_equal(fired, 0);
    r = rule("drawdown>=0.1601", "notify");
    assert_int_equal(ra_risk_rule_eval(&r, &in, &fired, &obs, &ix, &err), RA_OK);
    assert_int_equal(fired, 0);
}

/* Returns 1 %, -1 %, 2 %, 0 %: mean 0.5 %, squared deviations 0.25e-4 + 2.25e-4 + 2.25e-4 +
 * 0.25e-4 = 5e-4, / 3 = 1.6667e-4, sd 0.0129099, x sqrt(252) = 0.2049390. vol(4)>=0.2049 fires,
 * vol(4)>=0.205 does not, vol(5) has too few returns (NAN, not fired). */
static void test_rule_volatility(void **state)
{
    (void)state;
    const double ret[4] = {0.01, -0.01, 0.02, 0.0};
    assert_true(fabs(ra_risk_vol_ann(ret, 4, 4) - 0.2049390153) < 1e-9);
    assert_true(isnan(ra_risk_vol_ann(ret, 4, 5)));
    ra_risk_inputs in;
    memset(&in, 0, sizeof in);
    in.ret = ret;
    in.n_ret = 4;
    int fired = 0, ix = 0;
    double obs = 0;
    ra_err err = {0};
    ra_risk_rule r = rule("vol(4)>=0.2049", "notify");
    assert_int_equal(ra_risk_rule_eval(&r, &in, &fired, &obs, &ix, &err), RA_OK);
    assert_int_equal(fired, 1);
    r = rule("vol(4)>=0.205", "notify");
    assert_int_equal(ra_risk_rule_eval(&r, &in, &fired, &obs, &ix, &err), RA_OK);
    assert_int_equal(fired, 0);
    r = rule("vol(5)>=0.0", "notify");
    assert_int_equal(ra_risk_rule_eval(&r, &in, &fired, &obs, &ix, &err), RA_OK);
    assert_int_equal(fired, 0);
    assert_true(isnan(obs));
}

/* SPY closes 100, 95, 90: move(SPY,2) = 90 / 100 - 1 = -0.10 (the boundary: <=-0.1 fires, <-0.1
 * does not); AAA 100, 101. move(*,1)<=-0.05: AAA +1 %, SPY 90 / 95 - 1 = -0.0526: SPY (index 1). */
static void test_rule_move_loss_event(void **state)
{
    (void)state;
    const ra_price spy[3] = {100000000, 95000000, 90000000}, aaa[2] = {100000000, 101000000};
    const ra_price *closes[2] = {aaa, spy};
    const size_t n_closes[2] = {2, 3};
    const char *held[2] = {"AAA", "SPY"};
    const char *events[1] = {"FOMC"};
    ra_risk_inputs in;
    memset(&in, 0, sizeof in);
    in.n_held = 2;
    in.held = held;
    in.closes = closes;
    in.n_closes = n_closes;
    in.entrusted_minor = 100000;
    in.value_minor = 85000;
    in.events = events;
    in.n_events = 1;
    int fired = 0, ix = 0;
    double obs = 0;
    ra_err err = {0};
    ra_risk_rule r = rule("move(SPY,2)<=-0.1", "close:SPY");
    assert_int_equal(ra_risk_rule_eval(&r, &in, &fired, &obs, &ix, &err), RA_OK);
    assert_int_equal(fired, 1);
    assert_int_equal(ix, 1);
    assert_true(fabs(obs + 0.10) < 1e-15);
    r = rule("move(SPY,2)<-0.1", "close:SPY");
    assert_int_equal(ra_risk_rule_eval(&r, &in, &fired, &obs, &ix, &err), RA_OK);
    assert_int_equal(fired, 0);
    assert_int_equal(ix, -1);
    r = rule("move(*,1)<=-0.05", "close:*");
    assert_int_equal(ra_risk_rule_eval(&r, &in, &fired, &obs, &ix, &err), RA_OK);
    assert_int_equal(fired, 1);
    assert_int_equal(ix, 1);
    assert_true(fabs(obs - (90.0 / 95.0 - 1.0)) < 1e-15);
    r = rule("move(SPY,3)<=0", "notify"); /* three closes back: not there */
    assert_int_equal(ra_risk_rule_eval(&r, &in, &fired, &obs, &ix, &err), RA_OK);
    assert_int_equal(fired, 0);
    /* loss 15,000 of 100,000: 0.15, the boundary */
    r = rule("loss>=0.15", "suspend");
    assert_int_equal(ra_risk_rule_eval(&r, &in, &fired, &obs, &ix, &err), RA_OK);
    assert_int_equal(fired, 1);
    r = rule("event(FOMC)", "notify");
    assert_int_equal(ra_risk_rule_eval(&r, &in, &fired, &obs, &ix, &err), RA_OK);
    assert_int_equal(fired, 1);
    r = rule("event(CPI)", "notify");
    assert_int_equal(ra_risk_rule_eval(&r, &in, &fired, &obs, &ix, &err), RA_OK);
    assert_int_equal(fired, 0);
}

/* Target equity 0.60 (two funds, 0.40 + 0.20), bonds 0.39, cash 0.01. reduce:equity=0.30 halves
 * both funds (0.20, 0.10) and gives the 0.30 freed to bonds: 0.69. close:bonds gives its 0.39 to
 * equity in proportion: 0.40 + 0.26 = 0.66, 0.20 + 0.13 = 0.33. add:equity=0.80 takes 0.20 from
 * bonds: 0.19, equity x 4/3. reduce:equity=0.70 changes nothing (0.60 is below). */
static void test_rule_apply_weights(void **state)
{
    (void)state;
    const uint8_t eq[3] = {1, 1, 0}, bd[3] = {0, 0, 1};
    double w[3] = {0.40, 0.20, 0.39};
    uint8_t ch[3] = {0, 0, 0};
    ra_risk_rule r = rule("drawdown>=0.15", "reduce:equity=0.30");
    ra_risk_apply(&r, w, eq, 3, ch);
    assert_true(fabs(w[0] - 0.20) < 1e-15 && fabs(w[1] - 0.10) < 1e-15);
    assert_true(fabs(w[2] - 0.69) < 1e-15);
    assert_true(ch[0] && ch[1] && ch[2]);
    double w2[3] = {0.40, 0.20, 0.39};
    r = rule("drawdown>=0.15", "close:bonds");
    ra_risk_apply(&r, w2, bd, 3, NULL);
    assert_true(fabs(w2[0] - 0.66) < 1e-15 && fabs(w2[1] - 0.33) < 1e-15 && w2[2] == 0.0);
    double w3[3] = {0.40, 0.20, 0.39};
    r = rule("drawdown>=0.15", "add:equity=0.80");
    ra_risk_apply(&r, w3, eq, 3, NULL);
    assert_true(fabs(w3[0] + w3[1] - 0.80) < 1e-15 && fabs(w3[2] - 0.19) < 1e-15);
    double w4[3] = {0.40, 0.20, 0.39};
    memset(ch, 0, sizeof ch);
    r = rule("drawdown>=0.15", "reduce:equity=0.70");
    ra_risk_apply(&r, w4, eq, 3, ch);
    assert_true(w4[0] == 0.40 && w4[1] == 0.20 && w4[2] == 0.39);
    assert_true(!ch[0] && !ch[1] && !ch[2]);
}

static void test_rule_target_match(void **state)
{
    (void)state;
    assert_int_equal(ra_risk_target_match("equity", "VTI", "us_equity", 4), 1);
    assert_int_equal(ra_risk_target_match("equity", "EEM", "em_equity", 5), 1);
    assert_int_equal(ra_risk_target_match("equity", "AGG", "us_bonds", 2), 0);
    assert_int_equal(ra_risk_target_match("bonds", "AGG", "us_bonds", 2), 1);
    assert_int_equal(ra_risk_target_match("us_bonds", "AGG", "us_bonds", 2), 1);
    assert_int_equal(ra_risk_target_match("AGG", "AGG", "us_bonds", 2), 1);
    assert_int_equal(ra_risk_target_match("risky", "HYG", "us_bonds", 3), 0);
    assert_int_equal(ra_risk_target_match("risky", "GLD", "commodities", 5), 1);
    assert_int_equal(ra_risk_target_match("equity", "X", "notequity", 4), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loss_check_exactly_at_the_limit),
        cmocka_unit_test(test_loss_check_limit_between_cents),
        cmocka_unit_test(test_loss_check_nothing_entrusted_and_large),
        cmocka_unit_test(test_loss_check_limit_out_of_range),
        cmocka_unit_test(test_close_parse),
        cmocka_unit_test(test_zone_offset_new_york),
        cmocka_unit_test(test_zone_offset_europe_asia),
        cmocka_unit_test(test_close_utc),
        cmocka_unit_test(test_rule_parse_and_format),
        cmocka_unit_test(test_rule_parse_refused),
        cmocka_unit_test(test_rule_drawdown_boundary),
        cmocka_unit_test(test_rule_volatility),
        cmocka_unit_test(test_rule_move_loss_event),
        cmocka_unit_test(test_rule_apply_weights),
        cmocka_unit_test(test_rule_target_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
