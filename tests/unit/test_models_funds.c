/* Choosing a class's fund (src/core/models_funds.c): the preference order, the firm's minimum
 * daily traded value and the reasons, on a hand-made shelf of one class. Expected orders and
 * texts are derived by hand from the rule in docs/methodology.md#two-stage-models. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <roboadvisor/models.h>

#include <stdlib.h>
#include <string.h>

/* us_bonds, hand-made: AGG and BND cost the same and track alike, BND trades more; SCHZ costs
 * 0.04 % (1 bp above 0.03 %: dearer, beyond the half basis point); XBND has the lowest
 * cost but trades 1.2 M a day; UNKN costs as AGG, tracks worse, its daily value is unknown; PIN is
 * the firm's own, dearest. */
static const ra_models_fund shelf[] = {
    {"AGG", 0, 0.0003, 0.0010, 80000000},   {"BND", 0, 0.0003, 0.0010, 250000000},
    {"SCHZ", 0, 0.0004, 0.0005, 90000000},  {"XBND", 0, 0.0002, 0.0030, 1200000},
    {"UNKN", 0, 0.00032, 0.0020, 0},        {"PIN", 1, 0.0050, 0.0100, 0},
};
#define N (sizeof shelf / sizeof shelf[0])

static int cmp(const void *a, const void *b) { return ra_models_fund_cmp(a, b); }

static void test_models_fund_order(void **state)
{
    (void)state;
    ra_models_fund f[N];
    memcpy(f, shelf, sizeof f);
    qsort(f, N, sizeof f[0], cmp);
    /* PIN (pinned); XBND (0.02 %); then 0.03 % and UNKN's 0.032 % are one cost (within 0.5 bp):
     * tracking 0.10 % (AGG, BND) before UNKN's 0.20 %; AGG and BND by daily value, BND first;
     * SCHZ (0.04 %) last */
    const char *want[N] = {"PIN", "XBND", "BND", "AGG", "UNKN", "SCHZ"};
    for (size_t i = 0; i < N; i++)
        assert_string_equal(f[i].ticker, want[i]);
    /* a known daily value before an unknown one, all else equal */
    ra_models_fund a = {"A", 0, 0.001, 0.001, 0}, b = {"B", 0, 0.001, 0.001, 5};
    assert_true(ra_models_fund_cmp(&b, &a) < 0);
    assert_true(ra_models_fund_cmp(&a, &b) > 0);
}

static void test_models_fund_eligible(void **state)
{
    (void)state;
    assert_true(ra_models_fund_eligible(&shelf[3], 0));         /* no minimum */
    assert_false(ra_models_fund_eligible(&shelf[3], 5000000));  /* XBND 1.2 M < 5 M */
    assert_true(ra_models_fund_eligible(&shelf[0], 5000000));   /* AGG 80 M */
    assert_true(ra_models_fund_eligible(&shelf[4], 5000000));   /* unknown: never excluded */
    ra_models_fund edge = {"EDGE", 0, 0, 0, 5000000};
    assert_true(ra_models_fund_eligible(&edge, 5000000));       /* at the minimum */
}

static void test_models_fund_why(void **state)
{
    (void)state;
    char b[256];
    ra_models_fund_why_not(&shelf[3], 5000000, b, sizeof b);
    assert_string_equal(b, "XBND excluded: daily value 1.2 M below the firm's minimum 5.0 M");
    /* with XBND out, BND leads AGG on daily value alone */
    ra_models_fund_why(&shelf[1], &shelf[0], 5000000, b, sizeof b);
    assert_string_equal(b, "BND chosen: cost and tracking as AGG's, higher daily value 250.0 M");
    ra_models_fund_why(&shelf[3], &shelf[1], 0, b, sizeof b);
    assert_string_equal(b, "XBND chosen: lowest cost 0.02 %");
    ra_models_fund_why(&shelf[0], &shelf[4], 0, b, sizeof b);
    assert_string_equal(b, "AGG chosen: cost 0.03 % as UNKN's, lower tracking error 0.10 %");
    ra_models_fund_why(&shelf[4], NULL, 5000000, b, sizeof b);
    assert_string_equal(b, "UNKN chosen: the class's only eligible fund (cost 0.03 %); daily "
                           "value unknown (not checked against the minimum)");
    ra_models_fund_why(&shelf[5], &shelf[3], 0, b, sizeof b);
    assert_string_equal(b, "PIN chosen: pinned by the firm");
    ra_models_amount_short(950, b, sizeof b);
    assert_string_equal(b, "950");
    ra_models_amount_short(12500, b, sizeof b);
    assert_string_equal(b, "12.5 k");
    ra_models_amount_short(3400000000LL, b, sizeof b);
    assert_string_equal(b, "3.4 bn");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_models_fund_order),
        cmocka_unit_test(test_models_fund_eligible),
        cmocka_unit_test(test_models_fund_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
