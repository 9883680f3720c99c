/* Diagnosis of a portfolio (src/core/diagnose.c) and the holdings file (src/io/holdings_csv.c) on
 * a 3-fund toy book whose every figure is derived by hand below.
 *
 * The book. Daily returns over 60 days (15 cycles of 4) built from three zero-mean, mutually
 * orthogonal patterns s = (+1,-1,+1,-1), v = (+1,-1,-1,+1), u = (+1,+1,-1,-1):
 *   A = 0.0004 + 0.01 s            (us_equity,   R4, expense ratio 3 bp)
 *   B = 0.0002 + 0.01 s + 0.004 v  (intl_equity, R3, 10 bp)
 *   C = 0.0001 + 0.005 u           (us_equity,   R2, 20 bp)
 * Means are exact, so mu = 252 m = (0.1008, 0.0504, 0.0252). Over whole cycles the patterns sum
 * to 0 and are orthogonal, so the sample covariance (divisor 59) is K M with K = 252 * 60 / 59 and
 * M = [[1e-4, 1e-4, 0], [1e-4, 1.16e-4, 0], [0, 0, 2.5e-5]]; corr(A,B) = 1e-4 / sqrt(1e-4 *
 * 1.16e-4) = 1 / sqrt(1.16) = 0.928477 (above 0.9: they overlap), corr(A,C) = corr(B,C) = 0.
 *
 * Holdings at 100.00 a share: A 50, B 30, C 10 shares, cash 1,000.00: value 10,000.00, weights
 * (0.5, 0.3, 0.1), cash 0.1. Client C3: A (R4) is unsuitable. The model: B 0.49, C 0.49, cash
 * reserve 0.02 (A not held by it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <roboadvisor/alloc.h>
#include <roboadvisor/diagnose.h>
#include <roboadvisor/holdings_io.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ra_test.h"

#define T_OBS 60
#define K_ANN (252.0 * 60.0 / 59.0)

static double g_ret[T_OBS * 3];
static ra_diag_asset g_a[3];

static void toy(ra_diag_input *in)
{
    static const int s[4] = {1, -1, 1, -1}, v[4] = {1, -1, -1, 1}, u[4] = {1, 1, -1, -1};
    for (size_t t = 0; t < T_OBS; t++) {
        g_ret[t * 3 + 0] = 0.0004 + 0.01 * s[t % 4];
        g_ret[t * 3 + 1] = 0.0002 + 0.01 * s[t % 4] + 0.004 * v[t % 4];
        g_ret[t * 3 + 2] = 0.0001 + 0.005 * u[t % 4];
    }
    static const char *const tick[3] = {"A", "B", "C"}, *const cls[3] = {"us_equity",
                                                                         "intl_equity",
                                                                         "us_equity"};
    static const int lvl[3] = {4, 3, 2};
    static const double er[3] = {0.0003, 0.0010, 0.0020}, tgt[3] = {0, 0.49, 0.49};
    static const ra_micro qty[3] = {50, 30, 10};
    for (size_t j = 0; j < 3; j++)
        g_a[j] = (ra_diag_asset){tick[j], cls[j], lvl[j], er[j], 100 * RA_MICRO_PER_UNIT,
                                 qty[j] * RA_MICRO_PER_SHARE, RA_MICRO_PER_SHARE, tgt[j]};
    memset(in, 0, sizeof *in);
    in->n = 3;
    in->a = g_a;
    in->cash_minor = 100000;
    in->minor_digits = 2;
    in->ret = g_ret;
    in->n_obs = T_OBS;
    in->ppy = 252;
    in->client_level = 3;
    in->have_model = 1;
    in->cash_target = 0.02;
    in->overlap_corr = RA_DIAG_DEFAULT_OVERLAP_CORR;
    in->band_abs = RA_REBAL_DEFAULT_BAND_ABS;
    in->band_rel = RA_REBAL_DEFAULT_BAND_REL;
    in->date = 20000;
}

/* Return and risk. Expected return 0.5*0.1008 + 0.3*0.0504 + 0.1*0.0252 = 0.06804. The
 * portfolio's daily return is 0.00027 + 0.008 s + 0.0012 v + 0.0005 u, so its variance is
 * K (0.008^2 + 0.0012^2 + 0.0005^2) = K * 6.569e-5. Its four daily returns per cycle are
 * 0.00997, -0.00843, 0.00657, -0.00703; the 5 % quantile (type 7, h = 59 * 0.05 = 2.95) falls
 * among the fifteen -0.00843, so VaR = CVaR = 0.00843 a day, CVaR x sqrt(252) a year. Wealth
 * peaks after each cycle's first day (1.00997 * 0.99157 * 1.00657 * 0.99297 > 1 a cycle) and is
 * lowest after its last: the drawdown 1 - 0.99157 * 1.00657 * 0.99297, the deepest and also the
 * current one (the window ends on a cycle's last day); the first peak is wealth point 1. */
static void test_diag_return_risk_by_hand(void **state)
{
    (void)state;
    ra_diag_input in;
    toy(&in);
    ra_diag_result r;
    ra_err err = {0};
    assert_int_equal(ra_diag_run(&in, &r, &err), RA_OK);
    assert_int_equal(r.value_minor, 1000000);
    RA_ASSERT_CLOSE(r.w[0], 0.5, 1e-15, 0);
    RA_ASSERT_CLOSE(r.cash_weight, 0.1, 1e-15, 0);
    RA_ASSERT_CLOSE(r.expected_return, 0.06804, 1e-12, 0);
    RA_ASSERT_CLOSE(r.volatility, sqrt(K_ANN * 6.569e-5), 1e-12, 0);
    RA_ASSERT_CLOSE(r.var_1d, 0.00843, 1e-12, 0);
    RA_ASSERT_CLOSE(r.cvar_1d, 0.00843, 1e-12, 0);
    RA_ASSERT_CLOSE(r.cvar_ann, 0.00843 * sqrt(252.0), 1e-12, 0);
    double dd = 1 - 0.99157 * 1.00657 * 0.99297;
    RA_ASSERT_CLOSE(r.max_drawdown, dd, 1e-12, 0);
    RA_ASSERT_CLOSE(r.current_drawdown, dd, 1e-12, 0);
    assert_int_equal(r.dd_peak, 1);
    assert_int_equal(r.dd_trough, 4);
    ra_diag_result_free(&r);
}

/* Concentration: invested weights 5/9, 3/9, 1/9, HHI = 35/81, effective holdings 81/35; largest
 * A, B, C. Classes: us_equity 0.6 (model 0.49), intl_equity 0.3 (0.49), cash 0.1 (0.02). Costs:
 * 0.5*3 + 0.3*10 + 0.1*20 = 6.5 bp, 10,000.00 * 0.00065 = 6.50 a year. Overlap: (A, C) the same
 * class with correlation 0; (A, B) correlated 0.928477 > 0.9; (B, C) neither. */
static void test_diag_concentration_costs_overlap(void **state)
{
    (void)state;
    ra_diag_input in;
    toy(&in);
    ra_diag_result r;
    ra_err err = {0};
    assert_int_equal(ra_diag_run(&in, &r, &err), RA_OK);
    RA_ASSERT_CLOSE(r.hhi, 35.0 / 81.0, 1e-14, 0);
    RA_ASSERT_CLOSE(r.n_effective, 81.0 / 35.0, 1e-13, 0);
    assert_int_equal(r.n_top, 3);
    assert_int_equal(r.top[0], 0);
    assert_int_equal(r.top[1], 1);
    assert_int_equal(r.top[2], 2);
    assert_int_equal(r.n_classes, 3);
    assert_string_equal(r.classes[0].cls, "us_equity");
    RA_ASSERT_CLOSE(r.classes[0].weight, 0.6, 1e-15, 0);
    RA_ASSERT_CLOSE(r.classes[0].target, 0.49, 1e-15, 0);
    assert_string_equal(r.classes[1].cls, "intl_equity");
    assert_string_equal(r.classes[2].cls, "cash");
    RA_ASSERT_CLOSE(r.classes[2].target, 0.02, 1e-15, 0);
    RA_ASSERT_CLOSE(r.expense_ratio, 0.00065, 1e-15, 0);
    assert_int_equal(r.cost_minor, 650);
    assert_int_equal(r.n_pairs, 2);
    assert_true(r.pairs[0].i == 0 && r.pairs[0].j == 1 && r.pairs[0].correlated &&
                !r.pairs[0].same_class);
    RA_ASSERT_CLOSE(r.pairs[0].correlation, 1 / sqrt(1.16), 1e-12, 0);
    assert_true(r.pairs[1].i == 0 && r.pairs[1].j == 2 && !r.pairs[1].correlated &&
                r.pairs[1].same_class);
    RA_ASSERT_CLOSE(r.pairs[1].correlation, 0.0, 1e-12, 0);
    ra_diag_result_free(&r);
}

/* Suitability: A is R4 above C3, half the value. The model: d = w - t = (0.5, -0.19, -0.39),
 * d'Md = 0.25e-4 - 0.19e-4 + 0.0361 * 1.16e-4 + 0.1521 * 2.5e-5 = 1.39901e-5, TE = sqrt(K *
 * that); L1 = 0.5 + 0.19 + 0.39 + |0.1 - 0.02| = 1.16; the model's return 0.49 * (0.0504 +
 * 0.0252) = 0.037044. The fix (bands 5 % / 25 %, to the band's edge, whole shares): sell all 50 A
 * (unsuitable, first) for 5,000.00; B and C aim at 0.49, their band 0.05, so each goes first to
 * the band's edge 0.49 - 0.99 * 0.05 = 0.4405 of 10,000.00 = 4,405.00; that leaves cash 6,000.00
 * - 1,405.00 - 3,405.00 = 1,190.00, 990.00 above the 200.00 reserve, which the rebalancer's
 * cash-flow step gives to the most underweight (495.00 each) up to the targets 4,900.00: B buys
 * 1,900.00 (19 whole shares), C 3,900.00 (39). */
static void test_diag_suitability_model_fix(void **state)
{
    (void)state;
    ra_diag_input in;
    toy(&in);
    ra_diag_result r;
    ra_err err = {0};
    assert_int_equal(ra_diag_run(&in, &r, &err), RA_OK);
    assert_int_equal(r.n_unsuitable, 1);
    assert_true(r.unsuitable[0] && !r.unsuitable[1] && !r.unsuitable[2]);
    RA_ASSERT_CLOSE(r.unsuitable_weight, 0.5, 1e-15, 0);
    RA_ASSERT_CLOSE(r.tracking_error, sqrt(K_ANN * 1.39901e-5), 1e-12, 0);
    RA_ASSERT_CLOSE(r.l1, 1.16, 1e-12, 0);
    RA_ASSERT_CLOSE(r.model_return, 0.037044, 1e-12, 0);
    assert_int_equal(r.n_trades, 3);
    assert_true(r.trades[0].asset == 0 && r.trades[0].side == -1);
    assert_int_equal(r.trades[0].qty_micro, 50 * RA_MICRO_PER_SHARE);
    assert_int_equal(r.trades[0].value_minor, 500000);
    assert_true(r.trades[0].reasons & RA_REASON_RESTRICTION);
    for (size_t k = 1; k < 3; k++) {
        const ra_rebal_trade *t = &r.trades[k];
        assert_int_equal(t->side, 1);
        assert_int_equal(t->qty_micro, (t->asset == 1 ? 19 : 39) * RA_MICRO_PER_SHARE);
    }
    ra_diag_result_free(&r);
}

/* The frontier over A, B, C with the cash kept at 0.1 (the risky part v = w / 0.9 returns
 * 0.0756 with volatility sqrt(K * 6.569e-5) / 0.9). B is A plus noise with less return: the
 * frontier holds only A and C (KKT: with x in A and 1 - x in C, B's marginal variance 2K x 1e-4
 * exceeds lambda mu_B + gamma; at x = 2/3 that is 2K * 6.67e-5 against 2K * 2.78e-5). The
 * minimum-variance mix is x = 2.5e-5 / 1.25e-4 = 0.2, returning 0.04032 < 0.0756, so the same
 * return lies on the frontier: x = (0.0756 - 0.0252) / 0.0756 = 2/3, variance K (4/9 * 1e-4 +
 * 1/9 * 2.5e-5) = K * 4.25e-4 / 9, volatility times 0.9. The same volatility: x solves
 * 1.25e-4 x^2 - 5e-5 x + 2.5e-5 = 6.569e-5 / 0.81, the larger root; return 0.9 (0.0252 +
 * 0.0756 x). */
static void test_diag_frontier_by_hand(void **state)
{
    (void)state;
    ra_diag_input in;
    toy(&in);
    ra_diag_result r;
    ra_err err = {0};
    assert_int_equal(ra_diag_run(&in, &r, &err), RA_OK);
    assert_true(r.have_frontier && r.have_return_gain);
    double fvol = 0.9 * sqrt(K_ANN * 4.25e-4 / 9);
    RA_ASSERT_CLOSE(r.frontier_vol_same_return, fvol, 1e-9, 0);
    RA_ASSERT_CLOSE(r.vol_saved, sqrt(K_ANN * 6.569e-5) - fvol, 1e-9, 0);
    double c0 = 2.5e-5 - 6.569e-5 / 0.81;
    double x = (5e-5 + sqrt(5e-5 * 5e-5 - 4 * 1.25e-4 * c0)) / (2 * 1.25e-4);
    RA_ASSERT_CLOSE(r.frontier_return_same_vol, 0.9 * (0.0252 + 0.0756 * x), 1e-9, 0);
    RA_ASSERT_CLOSE(r.return_gained, 0.9 * (0.0252 + 0.0756 * x) - 0.06804, 1e-9, 0);
    ra_diag_result_free(&r);
}

/* Bad input: fewer returns than RA_DIAG_MIN_OBS, a level out of range, a zero price. */
static void test_diag_rejects_bad_input(void **state)
{
    (void)state;
    ra_diag_input in;
    ra_diag_result r;
    ra_err err = {0};
    toy(&in);
    in.n_obs = RA_DIAG_MIN_OBS - 1;
    assert_int_equal(ra_diag_run(&in, &r, &err), RA_EINVAL);
    toy(&in);
    in.client_level = 6;
    assert_int_equal(ra_diag_run(&in, &r, &err), RA_EINVAL);
    toy(&in);
    g_a[1].price = 0;
    assert_int_equal(ra_diag_run(&in, &r, &err), RA_EINVAL);
    assert_string_equal(err.where, "B");
}

/* Without a suitable model: no targets, no distance, no trades; the rest as before. */
static void test_diag_without_model(void **state)
{
    (void)state;
    ra_diag_input in;
    toy(&in);
    in.have_model = 0;
    ra_diag_result r;
    ra_err err = {0};
    assert_int_equal(ra_diag_run(&in, &r, &err), RA_OK);
    assert_int_equal(r.n_trades, 0);
    assert_true(r.l1 == 0 && r.tracking_error == 0);
    RA_ASSERT_CLOSE(r.classes[0].target, 0.0, 0, 0);
    RA_ASSERT_CLOSE(r.expected_return, 0.06804, 1e-12, 0);
    assert_int_equal(r.n_unsuitable, 1);
    assert_true(r.have_frontier);
    ra_diag_result_free(&r);
}

/* Every allocation of a diagnosis failed in turn: RA_ENOMEM, nothing leaked, nothing to free. */
typedef struct fail_k {
    long calls, fail_at, live;
} fail_k;
static void *fk_malloc(void *ctx, size_t n)
{
    fail_k *c = ctx;
    void *p = ++c->calls == c->fail_at ? NULL : malloc(n);
    c->live += p != NULL;
    return p;
}
static void *fk_realloc(void *ctx, void *p, size_t n)
{
    fail_k *c = ctx;
    if (!p)
        return fk_malloc(ctx, n);
    return ++c->calls == c->fail_at ? NULL : realloc(p, n);
}
static void fk_free(void *ctx, void *p)
{
    fail_k *c = ctx;
    c->live -= p != NULL;
    free(p);
}

static void test_diag_every_allocation_failing(void **state)
{
    (void)state;
    ra_diag_input in;
    long k = 1;
    for (;; k++) {
        toy(&in);
        fail_k c = {0, k, 0};
        ra_alloc_hooks h = {fk_malloc, fk_realloc, fk_free, &c};
        ra_diag_result r;
        ra_err err = {0};
        ra_alloc_set_hooks(&h);
        ra_status st = ra_diag_run(&in, &r, &err);
        if (st == RA_OK)
            ra_diag_result_free(&r);
        ra_alloc_set_hooks(NULL);
        if (c.live != 0)
            fail_msg("allocation %ld failed: %ld leaked", k, c.live);
        if (c.calls < k) {
            assert_int_equal(st, RA_OK);
            break;
        }
        if (st != RA_ENOMEM)
            fail_msg("allocation %ld failed, status %d: %s", k, (int)st, err.msg);
    }
    assert_true(k > 10);
}

/* The holdings file: both layouts, and every refusal names file, line, column and never the
 * value (the quantity 12345.5 or weight 0.1234 must not appear in a message). */
static void test_holdings_parse(void **state)
{
    (void)state;
    ra_holdings *h = NULL;
    ra_err err = {0};
    const char q[] = "Ticker, Quantity\nSPY,10.5\n\"AGG\",3\n";
    assert_int_equal(ra_holdings_parse(q, sizeof q - 1, "h.csv", &h, &err), RA_OK);
    assert_int_equal(h->n, 2);
    assert_int_equal(h->by_weight, 0);
    assert_string_equal(h->rows[1].ticker, "AGG");
    assert_int_equal(h->rows[0].qty_micro, 10500000);
    assert_int_equal(h->rows[1].line, 3);
    ra_holdings_destroy(h);
    const char w[] = "weight,ticker\n0.6,SPY\n0.4,AGG\n";
    assert_int_equal(ra_holdings_parse(w, sizeof w - 1, "w.csv", &h, &err), RA_OK);
    assert_int_equal(h->by_weight, 1);
    RA_ASSERT_CLOSE(h->rows[0].weight, 0.6, 1e-15, 0);
    ra_holdings_destroy(h);
    static const struct {
        const char *text, *where, *msg;
    } bad[] = {
        {"ticker,quantity\nSPY,12345.5x\n", "b.csv:2:2 (quantity)", "not a number of shares"},
        {"ticker,quantity\nSPY,-3\n", "b.csv:2:2 (quantity)", "must be above 0"},
        {"ticker,weight\nSPY,0.1234\nAGG,0.5\n", "b.csv", "do not sum to 1"},
        {"ticker,weight\nSPY,1.1234\n", "b.csv:2:2 (weight)", "at most 1"},
        {"ticker,quantity,weight\nSPY,1,1\n", "b.csv:1", "both quantity and weight"},
        {"ticker\nSPY\n", "b.csv:1", "neither quantity nor weight"},
        {"ticker,quantity\nSPY,1\nSPY,2\n", "b.csv:3:1 (ticker)", "SPY is given twice (first on line 2)"},
        {"ticker,quantity\nS P,1\n", "b.csv:2:1 (ticker)", "a ticker is 1 to"},
        {"ticker,quantity\n,1\n", "b.csv:2:1 (ticker)", "missing ticker"},
        {"ticker,qty\nSPY,1\n", "b.csv:1:2", "not part of the holdings format"},
        {"ticker,quantity\n", "b.csv", "no holdings"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        memset(&err, 0, sizeof err);
        assert_int_equal(ra_holdings_parse(bad[k].text, strlen(bad[k].text), "b.csv", &h, &err),
                         RA_EPARSE);
        assert_null(h);
        if (!strstr(err.where, bad[k].where) || !strstr(err.msg, bad[k].msg))
            fail_msg("case %zu: got \"%s: %s\"", k, err.where, err.msg);
        assert_null(strstr(err.msg, "12345"));
        assert_null(strstr(err.msg, "1234"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diag_return_risk_by_hand),
        cmocka_unit_test(test_diag_concentration_costs_overlap),
        cmocka_unit_test(test_diag_suitability_model_fix),
        cmocka_unit_test(test_diag_frontier_by_hand),
        cmocka_unit_test(test_diag_rejects_bad_input),
        cmocka_unit_test(test_diag_without_model),
        cmocka_unit_test(test_diag_every_allocation_failing),
        cmocka_unit_test(test_holdings_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
