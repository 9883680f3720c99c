/* Tests of the domain rules (src/core/rules.c, include/roboadvisor/rules.h). Expected values come
 * from the sources the header cites: the ranges of docs/methodology.md#domain-rules, RFC 3629 for
 * UTF-8 (its section 10 examples and the Unicode table 3-7 boundaries), ISO 4217 for minor digits
 * (JPY 0, KWD 3, USD 2), RFC 5321 for the 64-byte local part. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include <roboadvisor/rules.h>

#include "ra_test.h"

#define S(x) (x), (sizeof(x) - 1)

static void test_rule_mandate_ranges(void **state)
{
    (void)state;
    ra_err err = {0};
    assert_int_equal(ra_rule_drift_band_check(0.05, &err), RA_OK);
    assert_int_equal(ra_rule_drift_band_check(0.5, &err), RA_OK);
    assert_int_equal(ra_rule_drift_band_check(0.0, &err), RA_EINVAL);
    assert_string_equal(err.msg, "drift_band 0 is outside (0, 0.5]");
    assert_int_equal(ra_rule_drift_band_check(0.5000001, &err), RA_EINVAL);
    assert_int_equal(ra_rule_drift_band_check(0.0 / 0.0, &err), RA_EINVAL);
    assert_int_equal(ra_rule_loss_limit_check(0.15, &err), RA_OK);
    assert_int_equal(ra_rule_loss_limit_check(0.1500001, &err), RA_EINVAL);
    assert_string_equal(err.msg, "loss_limit 0.15 is outside (0, 0.15]");
    assert_int_equal(ra_rule_loss_limit_check(0.0, &err), RA_EINVAL);
    assert_int_equal(ra_rule_cash_reserve_check(0.0, &err), RA_OK);
    assert_int_equal(ra_rule_cash_reserve_check(1.0, &err), RA_EINVAL);
    assert_int_equal(ra_rule_cash_reserve_check(-0.01, &err), RA_EINVAL);
}

static void test_rule_mandate_default_is_valid(void **state)
{
    (void)state;
    ra_mandate m;
    ra_err err = {0};
    ra_rule_mandate_default(&m);
    RA_ASSERT_CLOSE(m.drift_band, 0.05, 0.0, 0.0);
    RA_ASSERT_CLOSE(m.loss_limit, 0.10, 0.0, 0.0);
    assert_int_equal(m.discretionary, 1);
    assert_int_equal(m.tlh_enabled, 0);
    assert_int_equal(ra_rule_mandate_validate(&m, &err), RA_OK);
    snprintf(m.restrictions, sizeof m.restrictions, "EEM;us_bonds");
    assert_int_equal(ra_rule_mandate_validate(&m, &err), RA_OK);
    snprintf(m.restrictions, sizeof m.restrictions, "EEM;;X");
    assert_int_equal(ra_rule_mandate_validate(&m, &err), RA_EINVAL);
    m.restrictions[0] = 0;
    snprintf(m.model, sizeof m.model, "growth 80");
    assert_int_equal(ra_rule_mandate_validate(&m, &err), RA_EINVAL);
    assert_string_equal(err.where, "model");
    m.model[0] = 0;
    m.loss_limit = 0.2;
    assert_int_equal(ra_rule_mandate_validate(&m, &err), RA_EINVAL);
    assert_string_equal(err.where, "loss_limit");
}

/* the agent's parameters follow the same rules (one validator) */
static void test_rule_agent_uses_rules(void **state)
{
    (void)state;
    ra_agent_params p;
    ra_err err = {0};
    ra_agent_params_default(&p, 3);
    RA_ASSERT_CLOSE(p.drift_band, RA_RULE_DRIFT_BAND_DEFAULT, 0.0, 0.0);
    RA_ASSERT_CLOSE(p.loss_limit, RA_RULE_LOSS_LIMIT_DEFAULT, 0.0, 0.0);
    assert_int_equal(ra_agent_param_set(&p, "loss_limit", "0.16", &err), RA_EINVAL);
    assert_string_equal(err.msg, "loss_limit 0.16 is outside (0, 0.15]");
    assert_int_equal(ra_agent_param_set(&p, "drift_band", "0.6", &err), RA_EINVAL);
    assert_string_equal(err.msg, "drift_band 0.6 is outside (0, 0.5]");
}

static void test_rule_code(void **state)
{
    (void)state;
    ra_err err = {0};
    assert_int_equal(ra_rule_code_check(S("A000001-1"), "account", &err), RA_OK);
    assert_int_equal(ra_rule_code_check(S("us_equity.2"), "asset class", &err), RA_OK);
    assert_int_equal(ra_rule_code_check(S(""), "model", &err), RA_EINVAL);
    assert_string_equal(err.msg, "model is empty");
    const char *bad[] = {"a b", "a,b", "a\"b", "a/b", "caf\xc3\xa9", "x\x01", "a@b", "a;b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(ra_rule_code_check(bad[i], strlen(bad[i]), "model", &err), RA_EINVAL);
        assert_string_equal(err.msg, "model may hold only letters, digits, '.', '-' and '_'");
    }
    char longc[RA_CODE_MAX + 1];
    memset(longc, 'A', sizeof longc);
    assert_int_equal(ra_rule_code_check(longc, RA_CODE_MAX - 1, "x", &err), RA_OK);
    assert_int_equal(ra_rule_code_check(longc, RA_CODE_MAX, "x", &err), RA_EINVAL);
    assert_string_equal(err.msg, "x is longer than 47 bytes");
}

static void test_rule_currency(void **state)
{
    (void)state;
    ra_err err = {0};
    assert_int_equal(ra_rule_currency_check(S("USD"), &err), RA_OK);
    assert_int_equal(ra_rule_currency_check(S("usd"), &err), RA_EINVAL);
    assert_int_equal(ra_rule_currency_check(S("USDX"), &err), RA_EINVAL);
    assert_int_equal(ra_rule_currency_minor_digits("USD"), 2);
    assert_int_equal(ra_rule_currency_minor_digits("EUR"), 2);
    assert_int_equal(ra_rule_currency_minor_digits("JPY"), 0);
    assert_int_equal(ra_rule_currency_minor_digits("KRW"), 0);
    assert_int_equal(ra_rule_currency_minor_digits("KWD"), 3);
    assert_int_equal(ra_rule_currency_minor_digits("BHD"), 3);
    assert_int_equal(ra_rule_minor_digits_check(2, &err), RA_OK);
    assert_int_equal(ra_rule_minor_digits_check(1, &err), RA_EINVAL);
}

/* RFC 3629 section 10 and the boundaries of Unicode table 3-7 */
static void test_rule_utf8(void **state)
{
    (void)state;
    size_t at = 99;
    assert_true(ra_rule_utf8_valid(S("\x41\xE2\x89\xA2\xCE\x91\x2E"), &at)); /* A<NOT IDENTICAL>Alpha. */
    assert_true(ra_rule_utf8_valid(S("\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4"), &at)); /* Korean */
    assert_true(ra_rule_utf8_valid(S("\xEF\xBB\xBF\xF0\xA3\x8E\xB4"), &at));
    assert_true(ra_rule_utf8_valid(S("\xF4\x8F\xBF\xBF"), &at)); /* U+10FFFF */
    assert_false(ra_rule_utf8_valid(S("ab\xC0\xAF"), &at));        /* overlong '/' */
    assert_int_equal(at, 2);
    assert_false(ra_rule_utf8_valid(S("\xE0\x80\xAF"), &at)); /* overlong */
    assert_false(ra_rule_utf8_valid(S("\xED\xA0\x80"), &at)); /* surrogate U+D800 */
    assert_false(ra_rule_utf8_valid(S("\xF4\x90\x80\x80"), &at)); /* above U+10FFFF */
    assert_false(ra_rule_utf8_valid(S("x\xE2\x89"), &at));         /* cut short */
    assert_int_equal(at, 1);
    assert_false(ra_rule_utf8_valid(S("\xFF"), &at));
}

static void test_rule_text(void **state)
{
    (void)state;
    ra_err err = {0};
    assert_int_equal(ra_rule_text_check(S("Zo\xC3\xAB Example"), RA_PII_MAX, "name", &err), RA_OK);
    assert_int_equal(ra_rule_text_check(S("\xE5\xBC\xA0\xE4\xB8\x89"), RA_PII_MAX, "name", &err),
                     RA_OK);
    assert_int_equal(ra_rule_text_check(S("Jane\x07"), RA_PII_MAX, "name", &err), RA_EINVAL);
    assert_string_equal(err.msg, "name holds a control character at byte 5");
    assert_int_equal(ra_rule_text_check(S("Jane\xC2\x85"), RA_PII_MAX, "name", &err), RA_EINVAL);
    assert_string_equal(err.msg, "name holds a control character at byte 5"); /* C1 NEL */
    assert_int_equal(ra_rule_text_check(S("Jane\x7F"), RA_PII_MAX, "name", &err), RA_EINVAL);
    assert_int_equal(ra_rule_text_check(S("Ja\xFFne"), RA_PII_MAX, "name", &err), RA_EINVAL);
    assert_string_equal(err.msg, "name is not valid UTF-8 at byte 3");
    assert_int_equal(ra_rule_text_check(S("abcd"), 4, "name", &err), RA_EINVAL);
    assert_string_equal(err.msg, "name is longer than 3 bytes");
    assert_null(strstr(err.msg, "abcd"));
}

static void test_rule_email(void **state)
{
    (void)state;
    ra_err err = {0};
    const char *good[] = {"avery.example@example.com", "a+b@x.example.org", "x@a-b.io",
                          "\xE5\xBC\xA0@\xE4\xBE\x8B\xE5\xAD\x90.cn"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(ra_rule_email_check(good[i], strlen(good[i]), &err), RA_OK);
    const char *bad[] = {"",          "plain",         "@example.com", "a@",
                         "a@@b.com",  "a@b@c.com",     "a b@c.com",    "a@localhost",
                         "a@.b.com",  "a@b..com",      "a@b.com.",     "a@b_c.com",
                         "a\x01@b.com", "a@b\xFF.com", "\"a\"@b.com",  "a,b@c.com"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(ra_rule_email_check(bad[i], strlen(bad[i]), &err), RA_EINVAL);
        assert_string_equal(err.msg, "email is not an address of the form name@domain.tld");
    }
    char local[80];
    memset(local, 'a', 65);
    memcpy(local + 65, "@b.com", 7);
    assert_int_equal(ra_rule_email_check(local, strlen(local), &err), RA_EINVAL);
    assert_int_equal(ra_rule_email_check(local + 1, strlen(local + 1), &err), RA_OK); /* 64 */
}

static void test_rule_client(void **state)
{
    (void)state;
    ra_err err = {0};
    ra_client c;
    memset(&c, 0, sizeof c);
    snprintf(c.code, sizeof c.code, "C1");
    snprintf(c.household, sizeof c.household, "C1");
    snprintf(c.name, sizeof c.name, "Avery Example");
    snprintf(c.email, sizeof c.email, "avery@example.com");
    assert_int_equal(ra_rule_client_validate(&c, &err), RA_OK);
    snprintf(c.name, sizeof c.name, "Avery\tExample");
    assert_int_equal(ra_rule_client_validate(&c, &err), RA_EINVAL);
    assert_string_equal(err.where, "name");
    assert_null(strstr(err.msg, "Avery"));
    snprintf(c.name, sizeof c.name, "Avery");
    c.birth_year = 1899;
    assert_int_equal(ra_rule_client_validate(&c, &err), RA_EINVAL);
    assert_string_equal(err.where, "birth_year");
}

static void test_rule_equal(void **state)
{
    (void)state;
    ra_account a, b;
    memset(&a, 0, sizeof a);
    ra_rule_mandate_default(&a.mandate);
    b = a;
    assert_true(ra_rule_account_equal(&a, &b));
    b.mandate.loss_limit = 0.15;
    assert_false(ra_rule_account_equal(&a, &b));
    assert_false(ra_rule_mandate_equal(&a.mandate, &b.mandate));
    ra_security x, y;
    memset(&x, 0, sizeof x);
    y = x;
    x.on_shelf = 1;
    y.on_shelf = 7; /* flags compare as true/false */
    assert_true(ra_rule_security_equal(&x, &y));
    ra_agent_params p, q;
    ra_agent_params_default(&p, 2);
    q = p;
    assert_true(ra_rule_agent_params_equal(&p, &q));
    q.tlh = 0;
    assert_false(ra_rule_agent_params_equal(&p, &q));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_mandate_ranges),   cmocka_unit_test(test_rule_mandate_default_is_valid),
        cmocka_unit_test(test_rule_agent_uses_rules), cmocka_unit_test(test_rule_code),
        cmocka_unit_test(test_rule_currency),         cmocka_unit_test(test_rule_utf8),
        cmocka_unit_test(test_rule_text),             cmocka_unit_test(test_rule_email),
        cmocka_unit_test(test_rule_client),           cmocka_unit_test(test_rule_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
