/* Tests of ra_backtest_aggregate (src/engine/backtest.c): the per-level figures of a backtest from
 * hand-made daily values. Every expected number is derived by hand in the comments
 * (docs/methodology.md#backtests gives the formulas); pow() only raises a hand-derived growth
 * factor to 252/days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <roboadvisor/engine_backtest.h>

#include "ra_test.h"

#define TOL_HAND 1e-12  /* a few divisions and products of short decimals */
#define TOL_STAT 1e-9   /* the hand figures printed to 9-10 digits */
#define N_DAYS 3

/* Level 3, two accounts over 3 days:
 *   A: start 100, values 110, 99, 108.9, twr 0.10, -0.10, 0.10, fees 0, 1, 0, tax 0, 0, 2,
 *      traded 50, 10, 0, model 0.10, -0.08, 0.10, harvested 10 (tax value 3.5)
 *   B: start 300, values 300, 330, 330, twr 0, 0.10, 0, fees 0, 0, 3, tax 0, traded 0, 0, 30,
 *      model 0, 0.10, 0.02
 * Level 5, one account C: start 200, values 180, 198, 178.2, twr -0.1, 0.1, -0.1, traded 20, 0,
 *      40, no model returns, harvested 12 (tax value 5).
 * Account D has no level (0): left out everywhere. */
static const double A_V[] = {110, 99, 108.9}, A_R[] = {0.10, -0.10, 0.10}, A_F[] = {0, 1, 0},
                    A_T[] = {0, 0, 2}, A_X[] = {50, 10, 0}, A_M[] = {0.10, -0.08, 0.10};
static const double B_V[] = {300, 330, 330}, B_R[] = {0, 0.10, 0}, B_F[] = {0, 0, 3},
                    B_T[] = {0, 0, 0}, B_X[] = {0, 0, 30}, B_M[] = {0, 0.10, 0.02};
static const double C_V[] = {180, 198, 178.2}, C_R[] = {-0.1, 0.1, -0.1}, C_F[] = {0, 0, 0},
                    C_T[] = {0, 0, 0}, C_X[] = {20, 0, 40}, C_M[] = {NAN, NAN, NAN};
static const double D_V[] = {1e6, 1e6, 1e6}, D_R[] = {0.5, 0.5, 0.5};

static void accounts(ra_backtest_account acc[4])
{
    memset(acc, 0, 4 * sizeof *acc);
    acc[0] = (ra_backtest_account){3, 100, A_V, A_R, A_F, A_T, A_X, A_M, 10, 3.5};
    acc[1] = (ra_backtest_account){3, 300, B_V, B_R, B_F, B_T, B_X, B_M, 0, 0};
    acc[2] = (ra_backtest_account){5, 200, C_V, C_R, C_F, C_T, C_X, C_M, 12, 5};
    acc[3] = (ra_backtest_account){0, 1e6, D_V, D_R, C_F, C_T, C_X, C_M, 1e6, 1e6};
}

/* Aggregates the four accounts above into out, which must succeed. */
static void aggregate_hand_accounts(ra_backtest_level out[RA_BACKTEST_LEVELS])
{
    ra_backtest_account acc[4];
    accounts(acc);
    ra_err err = {0};
    assert_int_equal(ra_backtest_aggregate(acc, 4, N_DAYS, out, &err), RA_OK);
}

/* Level 3. Weights are the previous values (day 0: the start values):
 *   day 0: W = 100 + 300 = 400, R = (100*0.10 + 300*0)/400 = 0.025, no fees, no tax
 *   day 1: W = 110 + 300 = 410, R = (-11 + 30)/410 = 19/410, before fees (19 + 1)/410 = 20/410
 *   day 2: W = 99 + 330 = 429,  R = 9.9/429, before fees (9.9 + 3)/429, after tax (9.9 - 2)/429
 * Growth after fees: 1.025 * 429/410 * 438.9/429 = 1.025 * 438.9/410 = 1.09725;
 * before fees: 1.025 * 430/410 * 441.9/429 = 1.075 * 441.9/429 = 475.0425/429;
 * after taxes: 1.025 * 429/410 * 436.9/429 = 1.025 * 436.9/410 = 1.09225.
 * Annualised: growth^(252/3) - 1. Volatility: sample sd of {0.025, 19/410, 9.9/429} * sqrt(252)
 * = 0.204979499 (mean 0.0314727955, squared deviations 4.18971e-5, 2.21077e-4, 7.04907e-5).
 * No day loses: drawdown 0. Average value: (410 + 429 + 438.9)/3 = 1277.9/3.
 * Transition: 50 / (1277.9/3) = 0.117380077; turnover: (10 + 30) / (1277.9/3) * 252/3
 * = 7.887941153; tax alpha: 3.5 / (1277.9/3) * 84 = 0.690194851.
 * Tracking error: A's differences 0, -0.02, 0 and B's 0, 0, -0.02 both have a sample sd of
 * 0.02/sqrt(3), so each TE is 0.02/sqrt(3)*sqrt(252) = 0.02*sqrt(84) = 0.183303028. */
static void test_backtest_aggregate_level3(void **state)
{
    (void)state;
    ra_backtest_level out[RA_BACKTEST_LEVELS];
    aggregate_hand_accounts(out);
    const ra_backtest_level *l = &out[2];
    assert_int_equal(l->level, 3);
    assert_int_equal(l->accounts, 2);
    assert_int_equal(l->days, 3);
    RA_ASSERT_CLOSE(l->ret_ann, pow(1.09725, 84) - 1, 0, TOL_HAND);
    RA_ASSERT_CLOSE(l->ret_ann_before_fees, pow(475.0425 / 429, 84) - 1, 0, TOL_HAND);
    RA_ASSERT_CLOSE(l->ret_ann_after_tax, pow(1.09225, 84) - 1, 0, TOL_HAND);
    RA_ASSERT_CLOSE(l->vol_ann, 0.204979499, TOL_STAT, 0);
    RA_ASSERT_CLOSE(l->max_drawdown, 0, TOL_HAND, 0);
    RA_ASSERT_CLOSE(l->avg_value, 1277.9 / 3, TOL_HAND, 0);
    RA_ASSERT_CLOSE(l->transition, 0.117380077, TOL_STAT, 0);
    RA_ASSERT_CLOSE(l->turnover_ann, 7.887941153, TOL_STAT, 0);
    RA_ASSERT_CLOSE(l->tax_alpha, 0.690194851, TOL_STAT, 0);
    RA_ASSERT_CLOSE(l->tracking_error, 0.183303028, TOL_STAT, 0);
    RA_ASSERT_CLOSE(l->fees, 4, TOL_HAND, 0);
    RA_ASSERT_CLOSE(l->taxes, 2, TOL_HAND, 0);
    RA_ASSERT_CLOSE(l->harvested, 10, TOL_HAND, 0);
    RA_ASSERT_CLOSE(l->harvest_tax_value, 3.5, TOL_HAND, 0);
}

/* Level 5, one account: its own returns. Wealth 0.9, 0.99, 0.891: the peak is the start (1), the
 * trough 0.891, drawdown 0.109; annualised 0.891^84 - 1; volatility sd{-0.1, 0.1, -0.1} * sqrt(252)
 * = sqrt(0.04/3) * sqrt(252) = sqrt(3.36) = 1.833030278. Average value 556.2/3 = 185.4: transition
 * 20/185.4 = 0.107874865, turnover 40/185.4 * 84 = 18.122977346, tax alpha 5/185.4 * 84
 * = 2.265372168. No model returns: no tracking error. Levels 1, 2 and 4 have no accounts. */
static void test_backtest_aggregate_level5_and_empty(void **state)
{
    (void)state;
    ra_backtest_level out[RA_BACKTEST_LEVELS];
    aggregate_hand_accounts(out);
    const ra_backtest_level *l = &out[4];
    assert_int_equal(l->accounts, 1);
    RA_ASSERT_CLOSE(l->max_drawdown, 0.109, TOL_HAND, 0);
    RA_ASSERT_CLOSE(l->ret_ann, pow(0.891, 84) - 1, 0, TOL_HAND);
    RA_ASSERT_CLOSE(l->ret_ann, l->ret_ann_before_fees, TOL_HAND, 0);
    RA_ASSERT_CLOSE(l->vol_ann, sqrt(3.36), TOL_HAND, 0);
    RA_ASSERT_CLOSE(l->transition, 0.107874865, TOL_STAT, 0);
    RA_ASSERT_CLOSE(l->turnover_ann, 18.122977346, TOL_STAT, 0);
    RA_ASSERT_CLOSE(l->tax_alpha, 2.265372168, TOL_STAT, 0);
    assert_true(isnan(l->tracking_error));
    const int empty[] = {0, 1, 3}; /* R1, R2, R4 */
    for (int k = 0; k < 3; k++) {
        assert_int_equal(out[empty[k]].accounts, 0);
        assert_true(isnan(out[empty[k]].ret_ann));
    }
}

/* A daily return below -1 is refused, naming it. */
static void test_backtest_aggregate_rejects_loss_below_total(void **state)
{
    (void)state;
    ra_backtest_account acc[4];
    accounts(acc);
    const double bad[] = {0.1, -1.5, 0.1};
    acc[0].twr = bad;
    ra_backtest_level out[RA_BACKTEST_LEVELS];
    ra_err err = {0};
    assert_int_equal(ra_backtest_aggregate(acc, 4, N_DAYS, out, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "below -1"));
    assert_int_equal(ra_backtest_aggregate(NULL, 1, N_DAYS, out, &err), RA_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backtest_aggregate_level3),
        cmocka_unit_test(test_backtest_aggregate_level5_and_empty),
        cmocka_unit_test(test_backtest_aggregate_rejects_loss_below_total),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
