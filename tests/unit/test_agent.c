/* Tests of an account's agent parameters (src/core/agent.c, include/roboadvisor/onboard.h).
 * Expected values: docs/methodology.md#onboarding-and-agents (defaults by level: C1 preserve ..
 * C5 max-growth, drift 0.05, TLH on, loss limit 0.10, cash 0.02) and docs/cli.md#agent (keys and
 * ranges: drift_band (0, 0.5], loss_limit (0, 0.15], cash_reserve [0, 1)), which are the rules
 * of rules.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include <roboadvisor/onboard.h>
#include <roboadvisor/rules.h>

#include "ra_test.h"

static void test_agent_defaults_by_level(void **state)
{
    (void)state;
    const char *objective[] = {"preserve", "income", "balanced", "growth", "max-growth"};
    ra_err err = {0};
    for (int level = 1; level <= 5; level++) {
        ra_agent_params p;
        ra_agent_params_default(&p, level);
        assert_int_equal(p.risk_level, level);
        assert_string_equal(ra_agent_objective_name(p.objective), objective[level - 1]);
        RA_ASSERT_CLOSE(p.drift_band, 0.05, 0.0, 0.0);
        assert_int_equal(p.tlh, 1);
        RA_ASSERT_CLOSE(p.loss_limit, 0.10, 0.0, 0.0);
        RA_ASSERT_CLOSE(p.cash_reserve, 0.02, 0.0, 0.0);
        assert_int_equal(ra_agent_params_validate(&p, &err), RA_OK);
    }
    /* a level out of range falls back to 1 (the most protective) */
    ra_agent_params p;
    ra_agent_params_default(&p, 9);
    assert_int_equal(p.risk_level, 1);
    assert_int_equal(p.objective, RA_OBJ_PRESERVE);
    assert_string_equal(ra_agent_objective_name((ra_agent_objective)7), "?");
}

static void test_agent_param_set_each_key(void **state)
{
    (void)state;
    ra_agent_params p;
    ra_err err = {0};
    ra_agent_params_default(&p, 3);
    assert_int_equal(ra_agent_param_set(&p, "risk_level", "C2", &err), RA_OK);
    assert_int_equal(p.risk_level, 2);
    assert_int_equal(ra_agent_param_set(&p, "risk_level", "4", &err), RA_OK);
    assert_int_equal(p.risk_level, 4);
    assert_int_equal(ra_agent_param_set(&p, "objective", "income", &err), RA_OK);
    assert_int_equal(p.objective, RA_OBJ_INCOME);
    const char *on[] = {"on", "ON", "true", "1"}, *off[] = {"off", "False", "0"};
    for (size_t i = 0; i < 4; i++) {
        p.tlh = 0;
        assert_int_equal(ra_agent_param_set(&p, "tlh", on[i], &err), RA_OK);
        assert_int_equal(p.tlh, 1);
    }
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(ra_agent_param_set(&p, "tlh", off[i], &err), RA_OK);
        assert_int_equal(p.tlh, 0);
    }
    assert_int_equal(ra_agent_param_set(&p, "drift_band", "0.5", &err), RA_OK);
    RA_ASSERT_CLOSE(p.drift_band, 0.5, 0.0, 0.0);
    assert_int_equal(ra_agent_param_set(&p, "loss_limit", "0.15", &err), RA_OK);
    RA_ASSERT_CLOSE(p.loss_limit, 0.15, 0.0, 0.0);
    assert_int_equal(ra_agent_param_set(&p, "cash_reserve", "0", &err), RA_OK);
    RA_ASSERT_CLOSE(p.cash_reserve, 0.0, 0.0, 0.0);
    assert_int_equal(ra_agent_params_validate(&p, &err), RA_OK);
}

/* every refusal names the key and leaves the parameters as they were */
static void test_agent_param_set_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *key, *value, *where, *msg;
    } bad[] = {
        {"risk_level", "C6", "risk_level", "risk_level must be C1..C5 (or 1..5), got \"C6\""},
        {"risk_level", "0", "risk_level", "risk_level must be C1..C5 (or 1..5), got \"0\""},
        {"risk_level", "2.5", "risk_level", "risk_level must be C1..C5 (or 1..5), got \"2.5\""},
        {"objective", "yolo", "objective",
         "objective must be preserve, income, balanced, growth or max-growth, got \"yolo\""},
        {"tlh", "maybe", "tlh", "tlh must be on or off, got \"maybe\""},
        {"drift_band", "0", "drift_band", "drift_band 0 is outside (0, 0.5]"},
        {"drift_band", "0.51", "drift_band", "drift_band 0.51 is outside (0, 0.5]"},
        {"loss_limit", "0.2", "loss_limit", "loss_limit 0.2 is outside (0, 0.15]"},
        {"loss_limit", "-0.1", "loss_limit", "loss_limit -0.1 is outside (0, 0.15]"},
        {"cash_reserve", "1", "cash_reserve", "cash_reserve 1 is outside [0, 1)"},
        {"cash_reserve", "nan", "cash_reserve", "cash_reserve must be a number, got \"nan\""},
        {"drift_band", "5%", "drift_band", "drift_band must be a number, got \"5%\""},
        {"drift_band", "", "drift_band", "drift_band must be a number, got \"\""},
        {"colour", "red", "colour",
         "no agent parameter \"colour\" (risk_level, objective, drift_band, tlh, loss_limit, "
         "cash_reserve)"},
    };
    int checks = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ra_agent_params p, before;
        ra_agent_params_default(&p, 3);
        before = p;
        ra_err err = {0};
        assert_int_equal(ra_agent_param_set(&p, bad[i].key, bad[i].value, &err), RA_EINVAL);
        assert_string_equal(err.where, bad[i].where);
        assert_string_equal(err.msg, bad[i].msg);
        assert_true(ra_rule_agent_params_equal(&p, &before));
        checks++;
    }
    assert_int_equal(checks, 14);
    ra_agent_params p;
    ra_agent_params_default(&p, 1);
    assert_int_equal(ra_agent_param_set(&p, NULL, "1", NULL), RA_EINVAL);
}

static void test_agent_validate_each_field(void **state)
{
    (void)state;
    ra_agent_params p;
    ra_err err = {0};
    ra_agent_params_default(&p, 2);
    p.risk_level = 6;
    assert_int_equal(ra_agent_params_validate(&p, &err), RA_EINVAL);
    assert_string_equal(err.where, "risk_level");
    ra_agent_params_default(&p, 2);
    p.objective = (ra_agent_objective)5;
    assert_int_equal(ra_agent_params_validate(&p, &err), RA_EINVAL);
    assert_string_equal(err.where, "objective");
    ra_agent_params_default(&p, 2);
    p.tlh = 2;
    assert_int_equal(ra_agent_params_validate(&p, &err), RA_EINVAL);
    assert_string_equal(err.where, "tlh");
    ra_agent_params_default(&p, 2);
    p.cash_reserve = -0.0001;
    assert_int_equal(ra_agent_params_validate(&p, &err), RA_EINVAL);
    assert_string_equal(err.where, "cash_reserve");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agent_defaults_by_level),
        cmocka_unit_test(test_agent_param_set_each_key),
        cmocka_unit_test(test_agent_param_set_refusals),
        cmocka_unit_test(test_agent_validate_each_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
