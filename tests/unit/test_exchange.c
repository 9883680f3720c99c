/* Exchange arithmetic (src/core/exchange.c). The limits follow the Shanghai and Shenzhen rule
 * (previous close x (1 +- band), rounded half up to the tick), each derived by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <roboadvisor/exchange.h>

#include "ra_test.h"

#define P(x) ((ra_price)((x) * 1000000.0 + 0.5))

static void limits(double prev, int band, ra_price tick, double want_down, double want_up)
{
    ra_price d = 0, u = 0;
    ra_err err = {0};
    assert_int_equal(ra_exchange_limits(P(prev), band, tick, &d, &u, &err), RA_OK);
    assert_int_equal(d, P(want_down));
    assert_int_equal(u, P(want_up));
}

/* 10.23 at 10 %: 11.253 -> 11.25 and 9.207 -> 9.21. 10.05 at 10 %: 11.055 -> 11.06 and 9.045 ->
 * 9.05 (half up; half to even would give 9.04). ST 3.33 at 5 %: 3.4965 -> 3.50, 3.1635 -> 3.16.
 * STAR 45.67 at 20 %: 54.804 -> 54.80, 36.536 -> 36.54. A fund at 1.234, tick 0.001: 1.3574 ->
 * 1.357, 1.1106 -> 1.111. */
static void test_exchange_limits_half_up_to_tick(void **state)
{
    (void)state;
    limits(10.23, RA_EXCHANGE_BAND_MAIN, RA_EXCHANGE_TICK_STOCK, 9.21, 11.25);
    limits(10.05, RA_EXCHANGE_BAND_MAIN, RA_EXCHANGE_TICK_STOCK, 9.05, 11.06);
    limits(3.33, RA_EXCHANGE_BAND_ST, RA_EXCHANGE_TICK_STOCK, 3.16, 3.50);
    limits(45.67, RA_EXCHANGE_BAND_GROWTH, RA_EXCHANGE_TICK_STOCK, 36.54, 54.80);
    limits(1.234, RA_EXCHANGE_BAND_MAIN, RA_EXCHANGE_TICK_FUND, 1.111, 1.357);
    assert_int_equal(ra_exchange_round_tick(P(9.045), RA_EXCHANGE_TICK_STOCK), P(9.05));
    assert_int_equal(ra_exchange_round_tick(P(9.0449), RA_EXCHANGE_TICK_STOCK), P(9.04));
}

static void test_exchange_orders_and_limit_days(void **state)
{
    (void)state;
    ra_price d = 0, u = 0;
    ra_err err = {0};
    assert_int_equal(ra_exchange_limits(P(10.23), 10, RA_EXCHANGE_TICK_STOCK, &d, &u, &err), RA_OK);
    assert_true(ra_exchange_price_ok(P(11.25), d, u));
    assert_false(ra_exchange_price_ok(P(11.26), d, u));
    assert_false(ra_exchange_price_ok(P(9.20), d, u));
    assert_true(ra_exchange_at_limit(P(11.25), d, u));
    assert_true(ra_exchange_at_limit(P(9.21), d, u));
    assert_false(ra_exchange_at_limit(P(10.50), d, u));
    assert_int_equal(ra_exchange_limits(0, 10, RA_EXCHANGE_TICK_STOCK, &d, &u, &err), RA_EINVAL);
    assert_int_equal(ra_exchange_limits(P(1), 0, RA_EXCHANGE_TICK_STOCK, &d, &u, &err), RA_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exchange_limits_half_up_to_tick),
        cmocka_unit_test(test_exchange_orders_and_limit_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
