/* Service tiers, routing rules and behaviour alerts (src/core/behaviour.c;
 * docs/methodology.md#service-tiers, #behaviour-alerts). Every expected value is derived by hand
 * next to its case: each threshold exactly at it (no alert, no move for the strict ones; a move
 * for the routing rules' >=) and one unit beyond. Money in cents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <roboadvisor/behaviour.h>

#include <math.h>
#include <string.h>

#include "ra_test.h"

/* who acts: only a digital client's discretionary mandate without a confirmation trades alone */
static void test_tier_acts_alone_table(void **state)
{
    (void)state;
    assert_int_equal(ra_tier_acts_alone(1, 0, RA_TIER_DIGITAL), 1);
    assert_int_equal(ra_tier_acts_alone(1, 1, RA_TIER_DIGITAL), 0);
    assert_int_equal(ra_tier_acts_alone(0, 0, RA_TIER_DIGITAL), 0);
    assert_int_equal(ra_tier_acts_alone(1, 0, RA_TIER_HYBRID), 0);
    assert_int_equal(ra_tier_acts_alone(1, 0, RA_TIER_ADVISOR_LED), 0);
    assert_int_equal(ra_tier_acts_alone(0, 1, RA_TIER_ADVISOR_LED), 0);
}

static void test_tier_names_round_trip(void **state)
{
    (void)state;
    ra_err err = {0};
    for (int t = 0; t < RA_TIER_N; t++) {
        ra_tier back;
        assert_int_equal(ra_tier_parse(ra_tier_name(t), &back, &err), RA_OK);
        assert_int_equal((int)back, t);
    }
    ra_tier x;
    assert_int_equal(ra_tier_parse("premium", &x, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "\"premium\""));
    assert_null(ra_tier_name(3));
    ra_tier_metric m;
    assert_int_equal(ra_tier_metric_parse("account_types", &m, &err), RA_OK);
    assert_int_equal((int)m, RA_TIER_ACCOUNT_TYPES);
    assert_int_equal(ra_tier_metric_parse("aum", &m, &err), RA_EINVAL);
}

static ra_tier_rule rule(const char *code, int metric, double threshold, int tier)
{
    ra_tier_rule r;
    memset(&r, 0, sizeof r);
    strcpy(r.code, code);
    r.metric = metric;
    r.threshold = threshold;
    r.tier = tier;
    return r;
}

/* assets >= 1,000,000 -> hybrid: exactly 1,000,000.00 moves, 999,999.99 (one cent below) does
 * not; the withdrawal rule (0.25 of the value) and the loss-limit rule give advisor-led */
static void test_tier_route_at_the_threshold(void **state)
{
    (void)state;
    ra_tier_rule r[3] = {rule("BIG", RA_TIER_ASSETS, 1e6, RA_TIER_HYBRID),
                         rule("WD", RA_TIER_WITHDRAWAL, 0.25, RA_TIER_ADVISOR_LED),
                         rule("LOSS", RA_TIER_LOSS_LIMIT, 1, RA_TIER_ADVISOR_LED)};
    ra_err err = {0};
    for (int i = 0; i < 3; i++)
        assert_int_equal(ra_tier_rule_validate(&r[i], &err), RA_OK);
    ra_tier_inputs in;
    memset(&in, 0, sizeof in);
    int to = -1, ix = -2;
    in.measure[RA_TIER_ASSETS] = 1000000.00;
    ra_tier_route(r, 3, &in, RA_TIER_DIGITAL, &to, &ix);
    assert_int_equal(to, RA_TIER_HYBRID);
    assert_int_equal(ix, 0);
    in.measure[RA_TIER_ASSETS] = 999999.99;
    ra_tier_route(r, 3, &in, RA_TIER_DIGITAL, &to, &ix);
    assert_int_equal(to, RA_TIER_DIGITAL);
    assert_int_equal(ix, -1);
    /* 25,000.00 withdrawn of 100,000.00: 0.25 exactly moves; 24,999.99: 0.2499999 does not */
    in.measure[RA_TIER_WITHDRAWAL] = 2500000.0 / 10000000.0;
    ra_tier_route(r, 3, &in, RA_TIER_DIGITAL, &to, &ix);
    assert_int_equal(to, RA_TIER_ADVISOR_LED);
    assert_int_equal(ix, 1);
    in.measure[RA_TIER_WITHDRAWAL] = 2499999.0 / 10000000.0;
    ra_tier_route(r, 3, &in, RA_TIER_DIGITAL, &to, &ix);
    assert_int_equal(to, RA_TIER_DIGITAL);
    /* the highest tier wins, and a rule never moves a client down */
    in.measure[RA_TIER_ASSETS] = 2e6;
    in.measure[RA_TIER_LOSS_LIMIT] = 1;
    ra_tier_route(r, 3, &in, RA_TIER_DIGITAL, &to, &ix);
    assert_int_equal(to, RA_TIER_ADVISOR_LED);
    assert_int_equal(ix, 2);
    ra_tier_route(r, 3, &in, RA_TIER_ADVISOR_LED, &to, &ix);
    assert_int_equal(to, RA_TIER_ADVISOR_LED);
    assert_int_equal(ix, -1);
    in.measure[RA_TIER_LOSS_LIMIT] = 0;
    ra_tier_route(r, 3, &in, RA_TIER_HYBRID, &to, &ix);
    assert_int_equal(to, RA_TIER_HYBRID);
    assert_int_equal(ix, -1);
}

static void test_tier_rule_validate_refuses(void **state)
{
    (void)state;
    ra_err err = {0};
    ra_tier_rule r = rule("X", RA_TIER_ASSETS, -1, RA_TIER_HYBRID);
    assert_int_equal(ra_tier_rule_validate(&r, &err), RA_EINVAL);
    r = rule("X", RA_TIER_ASSETS, NAN, RA_TIER_HYBRID);
    assert_int_equal(ra_tier_rule_validate(&r, &err), RA_EINVAL);
    r = rule("X", RA_TIER_WITHDRAWAL, 1.5, RA_TIER_HYBRID);
    assert_int_equal(ra_tier_rule_validate(&r, &err), RA_EINVAL);
    r = rule("X", RA_TIER_ACCOUNTS, 3, RA_TIER_DIGITAL);
    assert_int_equal(ra_tier_rule_validate(&r, &err), RA_EINVAL);
    r = rule("", RA_TIER_ACCOUNTS, 3, RA_TIER_HYBRID);
    assert_int_equal(ra_tier_rule_validate(&r, &err), RA_EINVAL);
}

typedef struct eval_out {
    int on[RA_ALERT_N];
    double observed[RA_ALERT_N], limit[RA_ALERT_N];
} eval_out;

static eval_out eval(ra_minor value, ra_minor peak, int instr, int wd, double w, int level)
{
    ra_behaviour_settings s;
    ra_behaviour_settings_default(&s);
    ra_behaviour_inputs in = {value, peak, instr, wd, w, level};
    eval_out o;
    ra_behaviour_eval(&s, &in, o.on, o.observed, o.limit);
    return o;
}

/* at most 4 client instructions in the window: 4 is no alert, 5 is one */
static void test_alert_trading_boundary(void **state)
{
    (void)state;
    assert_int_equal(eval(100, 100, 4, 0, 0.1, 3).on[RA_ALERT_TRADING], 0);
    eval_out o = eval(100, 100, 5, 0, 0.1, 3);
    assert_int_equal(o.on[RA_ALERT_TRADING], 1);
    assert_true(o.observed[RA_ALERT_TRADING] == 5.0 && o.limit[RA_ALERT_TRADING] == 4.0);
}

/* peak 10,000.00, drawdown_sell 0.10: worth 9,000.00 the drawdown is 1 - 0.9 = 0.10 (not above:
 * no alert), worth 8,999.99 it is 0.100001 (an alert with a withdrawal due, none without) */
static void test_alert_sell_after_drawdown_boundary(void **state)
{
    (void)state;
    assert_int_equal(eval(900000, 1000000, 1, 1, 0.1, 5).on[RA_ALERT_SELL_DRAWDOWN], 0);
    eval_out o = eval(899999, 1000000, 1, 1, 0.1, 5);
    assert_int_equal(o.on[RA_ALERT_SELL_DRAWDOWN], 1);
    RA_ASSERT_CLOSE(o.observed[RA_ALERT_SELL_DRAWDOWN], 0.100001, 1e-12, 0.0);
    assert_int_equal(eval(899999, 1000000, 0, 0, 0.1, 5).on[RA_ALERT_SELL_DRAWDOWN], 0);
    /* at the peak, or above the stored one, no drawdown */
    assert_int_equal(eval(1000001, 1000000, 1, 1, 0.1, 5).on[RA_ALERT_SELL_DRAWDOWN], 0);
}

/* concentration 0.40: a holding of 40,000.00 in 100,000.00 is no alert, 40,000.01 is one */
static void test_alert_concentration_boundary(void **state)
{
    (void)state;
    assert_int_equal(eval(100, 100, 0, 0, 4000000.0 / 10000000.0, 3).on[RA_ALERT_CONCENTRATION],
                     0);
    assert_int_equal(eval(100, 100, 0, 0, 4000001.0 / 10000000.0, 3).on[RA_ALERT_CONCENTRATION],
                     1);
}

/* the profile: C2 tolerates 0.10 (worth 9,000.00 of a 10,000.00 peak: no alert; 8,999.99: an
 * alert); C3 tolerates 0.20, and a client withdrawing after a 0.15 fall (above drawdown_sell,
 * within the tolerance) contradicts it; without the withdrawal nothing; no level, no check */
static void test_alert_profile_boundary(void **state)
{
    (void)state;
    assert_int_equal(eval(900000, 1000000, 0, 0, 0.1, 2).on[RA_ALERT_PROFILE], 0);
    eval_out o = eval(899999, 1000000, 0, 0, 0.1, 2);
    assert_int_equal(o.on[RA_ALERT_PROFILE], 1);
    assert_true(o.limit[RA_ALERT_PROFILE] == 0.10);
    assert_int_equal(eval(850000, 1000000, 1, 1, 0.1, 3).on[RA_ALERT_PROFILE], 1);
    assert_int_equal(eval(850000, 1000000, 0, 0, 0.1, 3).on[RA_ALERT_PROFILE], 0);
    /* C3 at 0.20 exactly (8,000.00): within it; 7,999.99: beyond */
    assert_int_equal(eval(800000, 1000000, 0, 0, 0.1, 3).on[RA_ALERT_PROFILE], 0);
    assert_int_equal(eval(799999, 1000000, 0, 0, 0.1, 3).on[RA_ALERT_PROFILE], 1);
    assert_int_equal(eval(1, 1000000, 1, 1, 0.1, 0).on[RA_ALERT_PROFILE], 0);
}

static void test_behaviour_settings_validate(void **state)
{
    (void)state;
    ra_err err = {0};
    ra_behaviour_settings s;
    ra_behaviour_settings_default(&s);
    assert_int_equal(ra_behaviour_settings_validate(&s, &err), RA_OK);
    s.window_days = 0;
    assert_int_equal(ra_behaviour_settings_validate(&s, &err), RA_EINVAL);
    ra_behaviour_settings_default(&s);
    s.tolerance[4] = 0;
    assert_int_equal(ra_behaviour_settings_validate(&s, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "C5"));
    ra_behaviour_settings_default(&s);
    s.concentration = 1.01;
    assert_int_equal(ra_behaviour_settings_validate(&s, &err), RA_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tier_acts_alone_table),
        cmocka_unit_test(test_tier_names_round_trip),
        cmocka_unit_test(test_tier_route_at_the_threshold),
        cmocka_unit_test(test_tier_rule_validate_refuses),
        cmocka_unit_test(test_alert_trading_boundary),
        cmocka_unit_test(test_alert_sell_after_drawdown_boundary),
        cmocka_unit_test(test_alert_concentration_boundary),
        cmocka_unit_test(test_alert_profile_boundary),
        cmocka_unit_test(test_behaviour_settings_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
