/* A household's wash-sale state as the daily cycle enters it (src/engine/cycle.c,
 * cycle_household_enter), whatever order households come in.
 *
 * A worker of the day (`run-day --worker`) claims batches of whole households; when another worker
 * is killed holding a batch, that batch is freed and claimed later, after batches of later
 * households: the same run then enters a household below one it has done. The household's windows
 * (its last loss sale and last purchase of each security, before the day) must still be found: the
 * cursor they were found with once only moved forward, missed them, and the household traded as
 * if it had no wash-sale window (tests/cli/test_workers.sh, day 2, caught it once in ~30 runs).
 *
 * The book below is built by hand: 3 securities, households 1, 2 and 3 of one account each, no
 * lots; windows (household, security, last loss, last purchase): (1, 0, D-10, 0), (1, 2, 0, D-3),
 * (2, 1, D-20, D-5), (3, 0, 0, D-1), sorted by household then security as the store loads them.
 * Expected values are those windows themselves, for every order of entering the households. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "engine/cycle_int.h"

#define D 18242 /* 2019-12-12, days since 1970-01-01 */

static ra_cycle_wash g_wash[] = {
    {1, 0, D - 10, 0}, {1, 2, 0, D - 3}, {2, 1, D - 20, D - 5}, {3, 0, 0, D - 1}};

static void check_household(const run *r, uint32_t h)
{
    for (uint32_t s = 0; s < 3; s++) {
        ra_date loss = 0, buy = 0;
        for (size_t i = 0; i < sizeof g_wash / sizeof g_wash[0]; i++)
            if (g_wash[i].household == h && g_wash[i].sec == s) {
                loss = g_wash[i].last_loss;
                buy = g_wash[i].last_buy;
            }
        assert_int_equal(r->hh_loss[s], loss);
        assert_int_equal(r->hh_buy[s], buy);
    }
}

static void test_households_in_any_order(void **state)
{
    (void)state;
    ra_cycle_security sec[3];
    memset(sec, 0, sizeof sec);
    const char *tickers[3] = {"AAA", "BBB", "CCC"};
    for (int i = 0; i < 3; i++) {
        strcpy(sec[i].ticker, tickers[i]);
        strcpy(sec[i].asset_class, "us_equity");
    }
    ra_cycle_account acc[3];
    memset(acc, 0, sizeof acc);
    for (int i = 0; i < 3; i++) {
        acc[i].household = (uint32_t)(i + 1);
        snprintf(acc[i].code, sizeof acc[i].code, "A%d", i + 1);
    }
    ra_cycle_book b;
    memset(&b, 0, sizeof b);
    b.date = D;
    b.n_sec = 3;
    b.sec = sec;
    b.n_acc = 3;
    b.acc = acc;
    b.n_wash = sizeof g_wash / sizeof g_wash[0];
    b.wash = g_wash;
    ra_cycle_options o;
    memset(&o, 0, sizeof o);
    o.window_days = 30;
    ra_cycle_stats st;
    memset(&st, 0, sizeof st);
    run r;
    memset(&r, 0, sizeof r);
    r.o = &o;
    r.b = &b;
    r.st = &st;
    r.household = UINT32_MAX;
    ra_err e = {0};
    assert_int_equal(cycle_run_alloc(&r, &e), RA_OK);
    /* in order, then backwards (the freed batch claimed late), then a jump ahead again */
    static const uint32_t order[] = {1, 2, 3, 1, 3, 2, 1};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        cycle_household_enter(&r, order[k], order[k] - 1);
        check_household(&r, order[k]);
    }
    cycle_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_households_in_any_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
