/* The ledger core (src/core/ledger.c): every transaction kind and relief method worked by hand
 * (the arithmetic is in the comments), splits, holding periods, error paths that must leave the
 * state unchanged, allocation failures, the replay/check invariant, and properties over pinned
 * seeds checked against an independent model kept by this file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"

#include <roboadvisor/ledger.h>

#include <string.h>

#define D(y, m, d) ra_date_from_ymd((y), (m), (d))
#define SH(x) ((ra_micro)((x) * INT64_C(1000000)))     /* whole shares -> micro */
#define PX(x) ((ra_price)((x) * INT64_C(1000000)))     /* whole currency units -> price */
#define CENTS(x) ((ra_minor)(x))

/* ---- transaction builders ---------------------------------------------------------------------- */

static ra_txn cash_txn(ra_txn_kind k, uint64_t id, ra_date d, ra_minor amount)
{
    ra_txn t = {0};
    t.kind = k;
    t.id = id;
    t.date = d;
    t.amount_minor = amount;
    return t;
}

static ra_txn trade(ra_txn_kind k, uint64_t id, ra_date d, uint32_t sec, ra_micro q, ra_price p,
                    ra_minor fees)
{
    ra_txn t = {0};
    t.kind = k;
    t.id = id;
    t.date = d;
    t.security = sec;
    t.qty_micro = q;
    t.price = p;
    t.fees_minor = fees;
    return t;
}

static ra_txn split_txn(uint64_t id, ra_date d, uint32_t sec, int64_t num, int64_t den)
{
    ra_txn t = {0};
    t.kind = RA_TXN_SPLIT;
    t.id = id;
    t.date = d;
    t.security = sec;
    t.split.num = num;
    t.split.den = den;
    return t;
}

static void apply_ok(ra_ledger *l, const ra_txn *t, ra_txn_result *res)
{
    ra_err err = {0};
    ra_status rc = ra_ledger_apply(l, t, res, &err);
    if (rc != RA_OK)
        fail_msg("txn %llu: %s: %s", (unsigned long long)t->id, err.where, err.msg);
}

static const ra_lot *lot_by_id(const ra_ledger *l, uint64_t id)
{
    for (size_t i = 0; i < l->n_lots; i++)
        if (l->lots[i].id == id)
            return &l->lots[i];
    return NULL;
}

/* ---- snapshots: the observable state, to prove an error changed nothing ----------------------- */

typedef struct snap {
    ra_minor cash;
    size_t n_lots;
    ra_lot lots[256];
    uint64_t next_lot_id;
    ra_ledger_totals totals;
} snap;

static void take(const ra_ledger *l, snap *s)
{
    memset(s, 0, sizeof *s);
    assert_true(l->n_lots <= 256);
    s->cash = l->cash_minor;
    s->n_lots = l->n_lots;
    if (l->n_lots)
        memcpy(s->lots, l->lots, l->n_lots * sizeof *l->lots);
    s->next_lot_id = l->next_lot_id;
    s->totals = l->totals;
}

static int same(const ra_ledger *l, const snap *s)
{
    snap now;
    take(l, &now);
    return memcmp(&now, s, sizeof now) == 0;
}

/* Applies t, expects code and a message containing fragment, and an unchanged state. */
static void expect_error(ra_ledger *l, const ra_txn *t, ra_status code, const char *fragment)
{
    snap before;
    take(l, &before);
    ra_lot_relief rel[4];
    ra_txn_result res = {rel, 4, 0, 0, 0, 0, 0, 0};
    ra_err err = {0};
    ra_status rc = ra_ledger_apply(l, t, &res, &err);
    if (rc != code)
        fail_msg("txn %llu: status %d (%s), want %d", (unsigned long long)t->id, (int)rc, err.msg,
                 (int)code);
    if (!strstr(err.msg, fragment))
        fail_msg("txn %llu: message \"%s\" lacks \"%s\"", (unsigned long long)t->id, err.msg,
                 fragment);
    char want_where[32];
    snprintf(want_where, sizeof want_where, "txn %llu (", (unsigned long long)t->id);
    if (rc != RA_ENOMEM && strncmp(err.where, want_where, strlen(want_where)) != 0)
        fail_msg("where \"%s\" does not name txn %llu", err.where, (unsigned long long)t->id);
    assert_true(same(l, &before));
    assert_int_equal(res.n_relief, 0);
}

static ra_ledger new_ledger(void)
{
    ra_ledger l;
    ra_err err = {0};
    assert_int_equal(ra_ledger_init(&l, NULL, NULL, &err), RA_OK);
    return l;
}

/* ---- cash transactions ------------------------------------------------------------------------ */

static void test_ledger_apply_cash_kinds(void **state)
{
    (void)state;
    ra_ledger l = new_ledger();
    ra_txn t[] = {
        cash_txn(RA_TXN_DEPOSIT, 1, D(2021, 1, 4), 100000),  /* +1000.00 */
        cash_txn(RA_TXN_WITHDRAWAL, 2, D(2021, 1, 5), 20050), /* -200.50 */
        cash_txn(RA_TXN_FEE, 3, D(2021, 1, 6), 125),          /* -1.25 */
        cash_txn(RA_TXN_DIVIDEND, 4, D(2021, 1, 7), 333),     /* +3.33 */
    };
    ra_txn_result res;
    for (size_t i = 0; i < 4; i++)
        apply_ok(&l, &t[i], &res);
    /* 100000 - 20050 - 125 + 333 = 80158 */
    assert_int_equal(l.cash_minor, 80158);
    assert_int_equal(res.cash_delta_minor, 333);
    assert_int_equal(l.totals.cash_in_minor, 100333);
    assert_int_equal(l.totals.cash_out_minor, 20175);
    assert_int_equal(l.totals.n_txns, 4);
    assert_int_equal(l.n_lots, 0);
    ra_ledger_free(&l);
}

/* ---- buy and reinvest ------------------------------------------------------------------------- */

static void test_ledger_apply_buy_rounds_value_once(void **state)
{
    (void)state;
    ra_ledger l = new_ledger();
    ra_txn dep = cash_txn(RA_TXN_DEPOSIT, 1, D(2021, 1, 4), 1000000); /* 10000.00 */
    /* 10 shares at 123.456789: 1234.56789 USD = 123456.789 cents -> 123457; + fees 1.00 */
    ra_txn buy = trade(RA_TXN_BUY, 2, D(2021, 1, 5), 7, SH(10), 123456789, 100);
    ra_txn_result res;
    apply_ok(&l, &dep, &res);
    apply_ok(&l, &buy, &res);
    assert_int_equal(res.cash_delta_minor, -123557);
    assert_int_equal(res.first_new_lot_id, 1);
    assert_int_equal(res.n_new_lots, 1);
    assert_int_equal(l.cash_minor, 1000000 - 123557);
    assert_int_equal(l.n_lots, 1);
    assert_int_equal(l.lots[0].id, 1);
    assert_int_equal(l.lots[0].security, 7);
    assert_int_equal(l.lots[0].acquired, D(2021, 1, 5));
    assert_int_equal(l.lots[0].qty_micro, SH(10));
    assert_int_equal(l.lots[0].basis_minor, 123557);
    assert_int_equal(l.totals.basis_in_minor, 123557);
    assert_int_equal(l.next_lot_id, 2);
    ra_ledger_free(&l);
}

static void test_ledger_apply_reinvest_dividend(void **state)
{
    (void)state;
    ra_ledger l = new_ledger();
    /* dividend 10.00 reinvested: 0.4 share at 24.68 = 9.872 USD = 987.2 cents -> 987; fees 0;
     * cash +1000 - 987 = +13 */
    ra_txn t = trade(RA_TXN_REINVEST, 1, D(2021, 3, 15), 2, 400000, 24680000, 0);
    t.amount_minor = 1000;
    ra_txn_result res;
    apply_ok(&l, &t, &res);
    assert_int_equal(res.cash_delta_minor, 13);
    assert_int_equal(l.cash_minor, 13);
    assert_int_equal(l.lots[0].basis_minor, 987);
    assert_int_equal(l.lots[0].qty_micro, 400000);
    assert_int_equal(l.totals.cash_in_minor, 1000);
    assert_int_equal(l.totals.cash_out_minor, 987);
    /* a reinvestment may not spend more than the dividend plus cash: 1 share at 24.68 = 2468
     * cents > 1000 + 13 */
    ra_txn big = trade(RA_TXN_REINVEST, 2, D(2021, 6, 15), 2, SH(1), 24680000, 0);
    big.amount_minor = 1000;
    expect_error(&l, &big, RA_ECONFLICT, "does not allow overdraft");
    ra_ledger_free(&l);
}

/* ---- sales: three lots, each relief method ---------------------------------------------------- */

/* Lots of security 1: L1 2020-01-02 10 sh basis 1000.00; L2 2020-06-01 10 sh basis 1500.00;
 * L3 2021-01-04 10 sh basis 1200.00. Cash 5000.00 - 3700.00 = 1300.00. */
static ra_ledger three_lots(void)
{
    ra_ledger l = new_ledger();
    ra_txn t[] = {
        cash_txn(RA_TXN_DEPOSIT, 1, D(2020, 1, 2), 500000),
        trade(RA_TXN_BUY, 2, D(2020, 1, 2), 1, SH(10), PX(100), 0),
        trade(RA_TXN_BUY, 3, D(2020, 6, 1), 1, SH(10), PX(150), 0),
        trade(RA_TXN_BUY, 4, D(2021, 1, 4), 1, SH(10), PX(120), 0),
        trade(RA_TXN_BUY, 5, D(2020, 3, 1), 2, SH(1), PX(50), 0), /* another security */
    };
    for (size_t i = 0; i < 5; i++)
        apply_ok(&l, &t[i], NULL);
    assert_int_equal(l.cash_minor, 500000 - 370000 - 5000);
    return l;
}

/* Sale of 15 sh at 130.00 with fees 5.00 on 2021-03-01: value 1950.00, net proceeds 1945.00 =
 * 194500 cents; the first 10 sh get R(194500*10/15) = R(129666.67) = 129667, the next 5 get
 * 194500 - 129667 = 64833 (cumulative rounding). */
static ra_txn sale15(ra_relief m)
{
    ra_txn t = trade(RA_TXN_SELL, 9, D(2021, 3, 1), 1, SH(15), PX(130), 500);
    t.relief = m;
    return t;
}

static void test_ledger_sell_fifo(void **state)
{
    (void)state;
    ra_ledger l = three_lots();
    ra_txn s = sale15(RA_RELIEF_FIFO);
    ra_lot_relief rel[4];
    ra_txn_result res = {rel, 4, 0, 0, 0, 0, 0, 0};
    apply_ok(&l, &s, &res);
    /* FIFO: all of L1 (basis 100000), 5 of L2 (basis 150000*5/10 = 75000).
     * L1 gain 129667 - 100000 = 29667, long term (2020-01-02 -> 2021-03-01).
     * L2 gain 64833 - 75000 = -10167, short term (2020-06-01 -> 2021-03-01). */
    assert_int_equal(res.n_relief, 2);
    assert_int_equal(rel[0].lot_id, 1);
    assert_int_equal(rel[0].qty_micro, SH(10));
    assert_int_equal(rel[0].basis_minor, 100000);
    assert_int_equal(rel[0].proceeds_minor, 129667);
    assert_int_equal(rel[0].gain_minor, 29667);
    assert_int_equal(rel[0].long_term, 1);
    assert_int_equal(rel[0].acquired, D(2020, 1, 2));
    assert_int_equal(rel[1].lot_id, 2);
    assert_int_equal(rel[1].qty_micro, SH(5));
    assert_int_equal(rel[1].basis_minor, 75000);
    assert_int_equal(rel[1].proceeds_minor, 64833);
    assert_int_equal(rel[1].gain_minor, -10167);
    assert_int_equal(rel[1].long_term, 0);
    assert_int_equal(res.gain_long_minor, 29667);
    assert_int_equal(res.gain_short_minor, -10167);
    assert_int_equal(res.cash_delta_minor, 194500);
    assert_int_equal(l.cash_minor, 125000 + 194500);
    assert_null(lot_by_id(&l, 1));
    assert_int_equal(lot_by_id(&l, 2)->qty_micro, SH(5));
    assert_int_equal(lot_by_id(&l, 2)->basis_minor, 75000);
    assert_int_equal(lot_by_id(&l, 3)->basis_minor, 120000);
    assert_int_equal(l.totals.basis_sold_minor, 175000);
    assert_int_equal(l.totals.proceeds_minor, 194500);
    ra_ledger_free(&l);
}

static void test_ledger_sell_hifo(void **state)
{
    (void)state;
    ra_ledger l = three_lots();
    ra_txn s = sale15(RA_RELIEF_HIFO);
    ra_lot_relief rel[4];
    ra_txn_result res = {rel, 4, 0, 0, 0, 0, 0, 0};
    apply_ok(&l, &s, &res);
    /* HIFO: L2 (150/sh) whole, then 5 of L3 (120/sh): basis 150000 and 120000*5/10 = 60000.
     * L2 gain 129667 - 150000 = -20333 short; L3 gain 64833 - 60000 = 4833 short. */
    assert_int_equal(res.n_relief, 2);
    assert_int_equal(rel[0].lot_id, 2);
    assert_int_equal(rel[0].gain_minor, -20333);
    assert_int_equal(rel[1].lot_id, 3);
    assert_int_equal(rel[1].qty_micro, SH(5));
    assert_int_equal(rel[1].basis_minor, 60000);
    assert_int_equal(rel[1].gain_minor, 4833);
    assert_int_equal(res.gain_short_minor, -15500);
    assert_int_equal(res.gain_long_minor, 0);
    assert_int_equal(lot_by_id(&l, 1)->qty_micro, SH(10));
    assert_int_equal(lot_by_id(&l, 3)->basis_minor, 60000);
    ra_ledger_free(&l);
}

static void test_ledger_sell_hifo_ties_go_fifo(void **state)
{
    (void)state;
    ra_ledger l = new_ledger();
    /* two lots at the same 10.00/sh (one 2 sh for 20.00, one 4 sh for 40.00): cross-multiplied
     * 2000*4 == 4000*2, so the older lot (id 1) goes first */
    ra_txn t[] = {
        cash_txn(RA_TXN_DEPOSIT, 1, D(2022, 1, 3), 100000),
        trade(RA_TXN_BUY, 2, D(2022, 1, 3), 5, SH(2), PX(10), 0),
        trade(RA_TXN_BUY, 3, D(2022, 2, 1), 5, SH(4), PX(10), 0),
        trade(RA_TXN_BUY, 4, D(2022, 3, 1), 5, SH(1), PX(9), 0),
    };
    for (size_t i = 0; i < 4; i++)
        apply_ok(&l, &t[i], NULL);
    ra_txn s = trade(RA_TXN_SELL, 5, D(2022, 4, 1), 5, SH(3), PX(11), 0);
    s.relief = RA_RELIEF_HIFO;
    ra_lot_relief rel[4];
    ra_txn_result res = {rel, 4, 0, 0, 0, 0, 0, 0};
    apply_ok(&l, &s, &res);
    assert_int_equal(res.n_relief, 2);
    assert_int_equal(rel[0].lot_id, 1);
    assert_int_equal(rel[1].lot_id, 2);
    assert_int_equal(rel[1].qty_micro, SH(1));
    ra_ledger_free(&l);
}

static void test_ledger_sell_specific_lots(void **state)
{
    (void)state;
    ra_ledger l = three_lots();
    ra_txn s = sale15(RA_RELIEF_SPECIFIC);
    ra_lot_pick picks[] = {{3, SH(5)}, {1, SH(10)}};
    s.picks = picks;
    s.n_picks = 2;
    ra_lot_relief rel[4];
    ra_txn_result res = {rel, 4, 0, 0, 0, 0, 0, 0};
    apply_ok(&l, &s, &res);
    /* in the order given: 5 of L3 get R(194500*5/15) = R(64833.33) = 64833, basis 60000, gain
     * 4833 short; all of L1 get 194500 - 64833 = 129667, basis 100000, gain 29667 long */
    assert_int_equal(rel[0].lot_id, 3);
    assert_int_equal(rel[0].proceeds_minor, 64833);
    assert_int_equal(rel[0].gain_minor, 4833);
    assert_int_equal(rel[0].long_term, 0);
    assert_int_equal(rel[1].lot_id, 1);
    assert_int_equal(rel[1].proceeds_minor, 129667);
    assert_int_equal(rel[1].gain_minor, 29667);
    assert_int_equal(rel[1].long_term, 1);
    assert_int_equal(res.gain_short_minor, 4833);
    assert_int_equal(res.gain_long_minor, 29667);
    ra_ledger_free(&l);
}

/* Partial basis rounds by the one rule: a lot of 3 sh with basis 100.00 sells 1 sh:
 * 10000 * 1/3 = 3333.33 -> 3333 relieved, 6667 stays; 1.5 sh of a 3 sh lot with basis 0.05:
 * 5 * 1.5/3 = 2.5 -> 2 (even). */
static void test_ledger_sell_partial_basis_rounding(void **state)
{
    (void)state;
    ra_ledger l = new_ledger();
    ra_txn t[] = {
        cash_txn(RA_TXN_DEPOSIT, 1, D(2022, 1, 3), 100000),
        trade(RA_TXN_BUY, 2, D(2022, 1, 3), 1, SH(3), 33333333, 0), /* 99.999999 -> 10000 */
        trade(RA_TXN_BUY, 3, D(2022, 1, 4), 2, SH(3), 16667, 0),    /* 0.050001 -> 5 */
    };
    for (size_t i = 0; i < 3; i++)
        apply_ok(&l, &t[i], NULL);
    assert_int_equal(lot_by_id(&l, 1)->basis_minor, 10000);
    assert_int_equal(lot_by_id(&l, 2)->basis_minor, 5);
    ra_txn s1 = trade(RA_TXN_SELL, 4, D(2022, 2, 1), 1, SH(1), PX(40), 0);
    ra_txn s2 = trade(RA_TXN_SELL, 5, D(2022, 2, 1), 2, 1500000, PX(1), 0);
    ra_lot_relief rel[2];
    ra_txn_result res = {rel, 2, 0, 0, 0, 0, 0, 0};
    apply_ok(&l, &s1, &res);
    assert_int_equal(rel[0].basis_minor, 3333);
    assert_int_equal(lot_by_id(&l, 1)->basis_minor, 6667);
    apply_ok(&l, &s2, &res);
    assert_int_equal(rel[0].basis_minor, 2);
    assert_int_equal(lot_by_id(&l, 2)->basis_minor, 3);
    ra_ledger_free(&l);
}

/* ---- holding period --------------------------------------------------------------------------- */

static void test_ledger_is_long_term_boundaries(void **state)
{
    (void)state;
    /* held more than one year, counting from the day after acquisition */
    assert_false(ra_ledger_is_long_term(D(2020, 1, 15), D(2021, 1, 15)));
    assert_true(ra_ledger_is_long_term(D(2020, 1, 15), D(2021, 1, 16)));
    /* bought on Feb 29: one year from Mar 1 2020 ends Feb 28 2021 */
    assert_false(ra_ledger_is_long_term(D(2020, 2, 29), D(2021, 2, 28)));
    assert_true(ra_ledger_is_long_term(D(2020, 2, 29), D(2021, 3, 1)));
    /* bought on the last day of February in a year before a leap year: Mar 1 2019 + 1 year - 1
     * day = Feb 29 2020 is exactly one year */
    assert_false(ra_ledger_is_long_term(D(2019, 2, 28), D(2020, 2, 29)));
    assert_true(ra_ledger_is_long_term(D(2019, 2, 28), D(2020, 3, 1)));
    /* bought Feb 28 2020: the period starts Feb 29 2020, whose anniversary is taken as Mar 1 */
    assert_false(ra_ledger_is_long_term(D(2020, 2, 28), D(2021, 2, 28)));
    assert_true(ra_ledger_is_long_term(D(2020, 2, 28), D(2021, 3, 1)));
    /* Dec 31 -> the period starts Jan 1 */
    assert_false(ra_ledger_is_long_term(D(2020, 12, 31), D(2021, 12, 31)));
    assert_true(ra_ledger_is_long_term(D(2020, 12, 31), D(2022, 1, 1)));
    assert_false(ra_ledger_is_long_term(D(2020, 1, 15), D(2020, 1, 15)));
}

/* ---- transfers -------------------------------------------------------------------------------- */

static void test_ledger_transfer_out_then_in_keeps_dates_and_basis(void **state)
{
    (void)state;
    ra_ledger a = three_lots();
    ra_txn out = {0};
    out.kind = RA_TXN_TRANSFER_OUT;
    out.id = 20;
    out.date = D(2021, 2, 1);
    /* 4 of L1 (10 sh, 1000.00): basis 100000*4/10 = 40000 moves; all of lot 4 (security 2) */
    ra_lot_pick picks[] = {{1, SH(4)}, {4, SH(1)}};
    out.picks = picks;
    out.n_picks = 2;
    ra_lot_relief rel[4];
    ra_txn_result res = {rel, 4, 0, 0, 0, 0, 0, 0};
    ra_minor cash = a.cash_minor;
    apply_ok(&a, &out, &res);
    assert_int_equal(res.n_relief, 2);
    assert_int_equal(rel[0].basis_minor, 40000);
    assert_int_equal(rel[0].acquired, D(2020, 1, 2));
    assert_int_equal(rel[0].proceeds_minor, 0);
    assert_int_equal(rel[0].gain_minor, 0);
    assert_int_equal(rel[1].security, 2);
    assert_int_equal(rel[1].basis_minor, 5000);
    assert_int_equal(a.cash_minor, cash);
    assert_int_equal(lot_by_id(&a, 1)->qty_micro, SH(6));
    assert_int_equal(lot_by_id(&a, 1)->basis_minor, 60000);
    assert_null(lot_by_id(&a, 4));
    assert_int_equal(a.totals.basis_out_minor, 45000);

    /* the receiving account: lots arrive with their dates and basis, new ids 1 and 2 */
    ra_ledger b = new_ledger();
    ra_lot in[2];
    for (size_t k = 0; k < 2; k++) {
        in[k].id = 999; /* ignored */
        in[k].security = rel[k].security;
        in[k].acquired = rel[k].acquired;
        in[k].qty_micro = rel[k].qty_micro;
        in[k].basis_minor = rel[k].basis_minor;
    }
    ra_txn tin = {0};
    tin.kind = RA_TXN_TRANSFER_IN;
    tin.id = 1;
    tin.date = D(2021, 2, 1);
    tin.lots_in = in;
    tin.n_lots_in = 2;
    ra_txn_result rin;
    apply_ok(&b, &tin, &rin);
    assert_int_equal(rin.first_new_lot_id, 1);
    assert_int_equal(rin.n_new_lots, 2);
    assert_int_equal(b.n_lots, 2);
    assert_int_equal(lot_by_id(&b, 1)->acquired, D(2020, 1, 2));
    assert_int_equal(lot_by_id(&b, 1)->basis_minor, 40000);
    assert_int_equal(b.totals.basis_in_minor, 45000);
    assert_int_equal(b.cash_minor, 0);
    /* selling the transferred lot on 2021-03-01 is long term: the holding period came along.
     * 4 sh at 130.00 = 52000, gain 52000 - 40000 = 12000 */
    ra_txn s = trade(RA_TXN_SELL, 2, D(2021, 3, 1), 1, SH(4), PX(130), 0);
    ra_txn_result rs = {rel, 4, 0, 0, 0, 0, 0, 0};
    apply_ok(&b, &s, &rs);
    assert_int_equal(rs.gain_long_minor, 12000);
    assert_int_equal(rs.gain_short_minor, 0);
    /* an incoming lot cannot be acquired after the transfer date */
    in[0].acquired = D(2021, 2, 2);
    tin.id = 3;
    tin.n_lots_in = 1;
    expect_error(&b, &tin, RA_EINVAL, "after the transfer");
    ra_ledger_free(&a);
    ra_ledger_free(&b);
}

/* ---- splits ----------------------------------------------------------------------------------- */

static void test_ledger_split_forward_and_reverse(void **state)
{
    (void)state;
    ra_ledger l = three_lots();
    /* 2:1 on security 1: every lot doubles, basis unchanged; security 2 untouched */
    ra_txn s2 = split_txn(30, D(2021, 2, 1), 1, 2, 1);
    apply_ok(&l, &s2, NULL);
    assert_int_equal(lot_by_id(&l, 1)->qty_micro, SH(20));
    assert_int_equal(lot_by_id(&l, 1)->basis_minor, 100000);
    assert_int_equal(lot_by_id(&l, 3)->qty_micro, SH(20));
    assert_int_equal(lot_by_id(&l, 4)->qty_micro, SH(1));
    /* 3:1 from Alpha Vantage's 3.000003, mapped to 3/1 */
    ra_txn s3 = split_txn(31, D(2021, 2, 2), 1, 0, 0);
    ra_err err = {0};
    assert_int_equal(ra_money_ratio_parse("3.000003", 8, &s3.split, &err), RA_OK);
    apply_ok(&l, &s3, NULL);
    assert_int_equal(lot_by_id(&l, 1)->qty_micro, SH(60));
    /* 1:3 reverse: 60 -> 20 exactly */
    ra_txn r3 = split_txn(32, D(2021, 2, 3), 1, 1, 3);
    apply_ok(&l, &r3, NULL);
    assert_int_equal(lot_by_id(&l, 1)->qty_micro, SH(20));
    assert_int_equal(lot_by_id(&l, 1)->basis_minor, 100000);
    /* 1:3 again: 20 sh = 20000000 micro / 3 = 6666666.67 -> 6666667 */
    ra_txn r3b = split_txn(33, D(2021, 2, 4), 1, 1, 3);
    apply_ok(&l, &r3b, NULL);
    assert_int_equal(lot_by_id(&l, 1)->qty_micro, 6666667);
    assert_int_equal(lot_by_id(&l, 2)->qty_micro, 6666667);
    /* selling everything relieves the whole unchanged basis 100000 + 150000 + 120000 */
    ra_txn all = trade(RA_TXN_SELL, 34, D(2021, 3, 1), 1, 3 * 6666667, PX(390), 0);
    ra_lot_relief rel[4];
    ra_txn_result res = {rel, 4, 0, 0, 0, 0, 0, 0};
    apply_ok(&l, &all, &res);
    assert_int_equal(res.n_relief, 3);
    assert_int_equal(rel[0].basis_minor + rel[1].basis_minor + rel[2].basis_minor, 370000);
    ra_ledger_free(&l);
}

static void test_ledger_split_rounds_micro_shares_to_even(void **state)
{
    (void)state;
    ra_ledger l = new_ledger();
    ra_lot in[] = {{0, 4, D(2019, 5, 1), 1000001, 100}, {0, 4, D(2019, 5, 2), 1000003, 100},
                   {0, 5, D(2019, 5, 2), 1, 1}};
    ra_txn tin = {0};
    tin.kind = RA_TXN_TRANSFER_IN;
    tin.id = 1;
    tin.date = D(2020, 1, 2);
    tin.lots_in = in;
    tin.n_lots_in = 3;
    apply_ok(&l, &tin, NULL);
    /* 1:2 reverse: 1000001/2 = 500000.5 -> 500000 (even); 1000003/2 = 500001.5 -> 500002 */
    ra_txn half = split_txn(2, D(2020, 2, 3), 4, 1, 2);
    apply_ok(&l, &half, NULL);
    assert_int_equal(lot_by_id(&l, 1)->qty_micro, 500000);
    assert_int_equal(lot_by_id(&l, 2)->qty_micro, 500002);
    /* 1 micro-share of security 5 split 1:3 would be 0.33 micro -> 0: refused, nothing changes */
    ra_txn zero = split_txn(3, D(2020, 2, 4), 5, 1, 3);
    expect_error(&l, &zero, RA_ECONFLICT, "to zero shares");
    ra_txn bad = split_txn(4, D(2020, 2, 4), 4, 0, 1);
    expect_error(&l, &bad, RA_EINVAL, "positive numerator");
    /* a split of a security not held changes nothing and succeeds */
    ra_txn none = split_txn(5, D(2020, 2, 4), 77, 2, 1);
    snap before;
    take(&l, &before);
    apply_ok(&l, &none, NULL);
    assert_int_equal(l.totals.n_txns, before.totals.n_txns + 1);
    ra_ledger_free(&l);
}

/* ---- error paths: each one names the transaction and leaves the state unchanged -------------- */

static void test_ledger_errors_leave_state_unchanged(void **state)
{
    (void)state;
    ra_ledger l = three_lots(); /* cash 1250.00 */
    ra_txn t;
    t = trade(RA_TXN_SELL, 40, D(2021, 3, 1), 1, SH(31), PX(1), 0);
    expect_error(&l, &t, RA_ECONFLICT, "cannot sell 31.000000 shares of security 1: 30.000000 held");
    t = trade(RA_TXN_SELL, 41, D(2021, 3, 1), 9, SH(1), PX(1), 0);
    expect_error(&l, &t, RA_ECONFLICT, "0.000000 held");
    t = trade(RA_TXN_SELL, 42, D(2021, 3, 1), 1, 0, PX(1), 0);
    expect_error(&l, &t, RA_EINVAL, "quantity must be positive");
    t = trade(RA_TXN_SELL, 43, D(2021, 3, 1), 1, -5, PX(1), 0);
    expect_error(&l, &t, RA_EINVAL, "quantity must be positive, got -0.000005");
    t = trade(RA_TXN_BUY, 44, D(2021, 3, 1), 1, SH(1), 0, 0);
    expect_error(&l, &t, RA_EINVAL, "price must be positive");
    t = trade(RA_TXN_BUY, 45, D(2021, 3, 1), 1, SH(1), PX(1), -1);
    expect_error(&l, &t, RA_EINVAL, "fees must not be negative");
    /* 13 sh at 100 = 1300.00 > 1250.00 */
    t = trade(RA_TXN_BUY, 46, D(2021, 3, 1), 1, SH(13), PX(100), 0);
    expect_error(&l, &t, RA_ECONFLICT, "needs 1300.00 but cash is 1250.00");
    t = cash_txn(RA_TXN_WITHDRAWAL, 47, D(2021, 3, 1), 125001);
    expect_error(&l, &t, RA_ECONFLICT, "does not allow overdraft");
    t = cash_txn(RA_TXN_FEE, 48, D(2021, 3, 1), 200000);
    expect_error(&l, &t, RA_ECONFLICT, "does not allow overdraft");
    t = cash_txn(RA_TXN_DEPOSIT, 49, D(2021, 3, 1), 0);
    expect_error(&l, &t, RA_EINVAL, "amount must be positive");
    t = cash_txn(RA_TXN_DIVIDEND, 50, D(2021, 3, 1), -3);
    expect_error(&l, &t, RA_EINVAL, "amount must be positive, got -0.03");
    t = cash_txn(RA_TXN_DEPOSIT, 51, D(2021, 3, 1), INT64_MAX);
    expect_error(&l, &t, RA_EINVAL, "overflows");
    /* a sale whose fees exceed its value would take cash below zero: 1 sh at 1.00 with fees
     * 2000.00 is -1999.00 */
    t = trade(RA_TXN_SELL, 52, D(2021, 3, 1), 1, SH(1), PX(1), 200000);
    expect_error(&l, &t, RA_ECONFLICT, "does not allow overdraft");
    /* specific lots */
    ra_lot_pick p1[] = {{99, SH(1)}};
    t = trade(RA_TXN_SELL, 53, D(2021, 3, 1), 1, SH(1), PX(1), 0);
    t.relief = RA_RELIEF_SPECIFIC;
    t.picks = p1;
    t.n_picks = 1;
    expect_error(&l, &t, RA_ENOTFOUND, "lot 99 is not held");
    ra_lot_pick p2[] = {{4, SH(1)}};
    t.id = 54;
    t.picks = p2;
    expect_error(&l, &t, RA_ENOTFOUND, "lot 4 holds security 2, not security 1");
    ra_lot_pick p3[] = {{1, SH(1)}, {1, SH(1)}};
    t.id = 55;
    t.picks = p3;
    t.n_picks = 2;
    t.qty_micro = SH(2);
    expect_error(&l, &t, RA_EINVAL, "lot 1 is picked twice");
    ra_lot_pick p4[] = {{1, SH(11)}};
    t.id = 56;
    t.picks = p4;
    t.n_picks = 1;
    t.qty_micro = SH(11);
    expect_error(&l, &t, RA_ECONFLICT, "cannot take 11.000000 shares from lot 1: it holds 10.000000");
    ra_lot_pick p5[] = {{1, SH(2)}, {2, SH(2)}};
    t.id = 57;
    t.picks = p5;
    t.n_picks = 2;
    t.qty_micro = SH(5);
    expect_error(&l, &t, RA_EINVAL, "picked lots total 4.000000 shares but the sale is for 5.000000");
    t.id = 58;
    t.n_picks = 0;
    expect_error(&l, &t, RA_EINVAL, "picks are empty");
    ra_lot_pick p6[] = {{1, 0}};
    t.id = 59;
    t.picks = p6;
    t.n_picks = 1;
    expect_error(&l, &t, RA_EINVAL, "quantity picked from lot 1 must be positive");
    /* the result array is too small for a 3-lot FIFO sale */
    t = trade(RA_TXN_SELL, 60, D(2021, 3, 1), 1, SH(25), PX(1), 0);
    {
        snap before;
        take(&l, &before);
        ra_lot_relief rel[2];
        ra_txn_result res = {rel, 2, 0, 0, 0, 0, 0, 0};
        ra_err err = {0};
        assert_int_equal(ra_ledger_apply(&l, &t, &res, &err), RA_EINVAL);
        assert_non_null(strstr(err.msg, "relieves 3 lots but the result has room for 2"));
        assert_true(same(&l, &before));
    }
    t.id = 61;
    t.relief = (ra_relief)7;
    expect_error(&l, &t, RA_EINVAL, "relief method 7");
    t = cash_txn((ra_txn_kind)99, 62, D(2021, 3, 1), 1);
    expect_error(&l, &t, RA_EINVAL, "kind 99");
    t = cash_txn(RA_TXN_DEPOSIT, 63, INT32_MAX, 1);
    {
        snap before;
        take(&l, &before);
        ra_err err = {0};
        assert_int_equal(ra_ledger_apply(&l, &t, NULL, &err), RA_EINVAL);
        assert_non_null(strstr(err.msg, "outside years"));
        assert_true(same(&l, &before));
    }
    ra_txn tout = {0};
    tout.kind = RA_TXN_TRANSFER_OUT;
    tout.id = 64;
    tout.date = D(2021, 3, 1);
    ra_lot_pick p7[] = {{1, SH(1)}, {77, SH(1)}}; /* the second is not held: nothing moves */
    tout.picks = p7;
    tout.n_picks = 2;
    expect_error(&l, &tout, RA_ENOTFOUND, "lot 77 is not held");
    ra_txn tin = {0};
    tin.kind = RA_TXN_TRANSFER_IN;
    tin.id = 65;
    tin.date = D(2021, 3, 1);
    expect_error(&l, &tin, RA_EINVAL, "lots_in is empty");
    ra_lot bad_in[] = {{0, 1, D(2020, 1, 1), SH(1), 100}, {0, 1, D(2020, 1, 1), 0, 100}};
    tin.lots_in = bad_in;
    tin.n_lots_in = 2;
    expect_error(&l, &tin, RA_EINVAL, "incoming lot 2 needs a positive quantity");
    /* lots acquired after a sale's date cannot be sold by it: on 2020-07-01 only L1 and L2
     * (20 sh) were held */
    t = trade(RA_TXN_SELL, 66, D(2020, 7, 1), 1, SH(21), PX(1), 0);
    expect_error(&l, &t, RA_ECONFLICT, "20.000000 held on that date");
    ra_lot_pick p8[] = {{3, SH(1)}}; /* L3, bought 2021-01-04 */
    t.id = 67;
    t.qty_micro = SH(1);
    t.relief = RA_RELIEF_SPECIFIC;
    t.picks = p8;
    t.n_picks = 1;
    expect_error(&l, &t, RA_ECONFLICT, "lot 3 was acquired 2021-01-04, after this date");
    tout.id = 68;
    tout.date = D(2020, 12, 31);
    tout.picks = p8;
    tout.n_picks = 1;
    expect_error(&l, &tout, RA_ECONFLICT, "after this date");
    /* ... but FIFO on that date simply skips the later lot: 20 sh are there */
    t = trade(RA_TXN_SELL, 69, D(2020, 7, 1), 1, SH(20), PX(1), 0);
    apply_ok(&l, &t, NULL);
    assert_int_equal(l.n_lots, 2);
    assert_non_null(lot_by_id(&l, 3));
    /* all the failed transactions changed nothing: 5 from three_lots() and the last sale */
    assert_int_equal(l.totals.n_txns, 6);
    ra_ledger_free(&l);
}

static void test_ledger_overdraft_setting_allows_negative_cash(void **state)
{
    (void)state;
    ra_ledger l;
    ra_ledger_settings s;
    ra_ledger_settings_default(&s);
    s.allow_overdraft = 1;
    ra_err err = {0};
    assert_int_equal(ra_ledger_init(&l, &s, NULL, &err), RA_OK);
    ra_txn w = cash_txn(RA_TXN_WITHDRAWAL, 1, D(2021, 1, 4), 5000);
    apply_ok(&l, &w, NULL);
    assert_int_equal(l.cash_minor, -5000);
    ra_txn b = trade(RA_TXN_BUY, 2, D(2021, 1, 4), 1, SH(1), PX(10), 0);
    apply_ok(&l, &b, NULL);
    assert_int_equal(l.cash_minor, -6000);
    s.minor_digits = 1;
    assert_int_equal(ra_ledger_init(&l, &s, NULL, &err), RA_EINVAL); /* l untouched on error */
    assert_int_equal(l.cash_minor, -6000);
    ra_ledger_free(&l);
    /* a 0-digit currency: 3 sh at 2.5 JPY = 7.5 -> 8 yen */
    s.minor_digits = 0;
    assert_int_equal(ra_ledger_init(&l, &s, NULL, &err), RA_OK);
    ra_txn b2 = trade(RA_TXN_BUY, 3, D(2021, 1, 4), 1, SH(3), 2500000, 0);
    apply_ok(&l, &b2, NULL);
    assert_int_equal(l.cash_minor, -8);
    ra_ledger_free(&l);
}

/* ---- allocation failures ---------------------------------------------------------------------- */

typedef struct fail_alloc {
    int calls, fail_at, live;
} fail_alloc;

static void *fa_realloc(void *ctx, void *p, size_t n)
{
    fail_alloc *f = ctx;
    if (++f->calls == f->fail_at)
        return NULL;
    void *q = realloc(p, n);
    if (q && !p)
        f->live++;
    return q;
}

static void fa_free(void *ctx, void *p)
{
    fail_alloc *f = ctx;
    f->live--;
    free(p);
}

static void test_ledger_allocation_failure_changes_nothing(void **state)
{
    (void)state;
    ra_ledger_settings s;
    ra_ledger_settings_default(&s);
    int failures = 0;
    for (int k = 1; k <= 8; k++) {
        fail_alloc f = {0, k, 0};
        ra_ledger_alloc hooks = {fa_realloc, fa_free, &f};
        ra_ledger l;
        ra_err err = {0};
        assert_int_equal(ra_ledger_init(&l, &s, &hooks, &err), RA_OK);
        ra_txn dep = cash_txn(RA_TXN_DEPOSIT, 1, D(2021, 1, 4), 10000000);
        apply_ok(&l, &dep, NULL);
        for (int i = 0; i < 40; i++) { /* 40 lots: grows 8 -> 16 -> 32 -> 64 */
            ra_txn b = trade(RA_TXN_BUY, (uint64_t)(2 + i), D(2021, 1, 5), (uint32_t)(i % 3),
                             SH(1), PX(10), 0);
            snap before;
            take(&l, &before);
            ra_status rc = ra_ledger_apply(&l, &b, NULL, &err);
            if (rc == RA_ENOMEM) {
                failures++;
                assert_true(same(&l, &before));
                assert_non_null(strstr(err.where, "txn"));
                rc = ra_ledger_apply(&l, &b, NULL, &err); /* the next call succeeds */
            }
            assert_int_equal(rc, RA_OK);
        }
        assert_int_equal(l.n_lots, 40);
        assert_int_equal(l.cash_minor, 10000000 - 40 * 1000);
        ra_ledger_free(&l);
        assert_int_equal(f.live, 0); /* no leak */
    }
    assert_int_equal(failures, 8); /* every k hit an allocation: 2 per growth, 4 growths */
}

/* ---- replay, check and restore --------------------------------------------------------------- */

static void test_ledger_check_names_first_difference(void **state)
{
    (void)state;
    ra_ledger_settings set;
    ra_ledger_settings_default(&set);
    ra_lot_pick pk[] = {{2, SH(3)}};
    ra_txn t[8] = {
        cash_txn(RA_TXN_DEPOSIT, 1, D(2020, 1, 2), 500000),
        trade(RA_TXN_BUY, 2, D(2020, 1, 2), 1, SH(10), PX(100), 100),
        trade(RA_TXN_BUY, 3, D(2020, 6, 1), 1, SH(10), PX(150), 100),
        trade(RA_TXN_SELL, 4, D(2021, 3, 1), 1, SH(12), PX(130), 500),
        split_txn(5, D(2021, 4, 1), 1, 3, 1),
        cash_txn(RA_TXN_FEE, 6, D(2021, 4, 2), 999),
        trade(RA_TXN_SELL, 7, D(2021, 5, 3), 1, SH(3), PX(45), 0),
    };
    t[6].relief = RA_RELIEF_SPECIFIC;
    t[6].picks = pk;
    t[6].n_picks = 1;
    ra_ledger l = new_ledger();
    for (size_t i = 0; i < 7; i++)
        apply_ok(&l, &t[i], NULL);
    ra_err err = {0};
    assert_int_equal(ra_ledger_check(&l, t, 7, &err), RA_OK);
    ra_ledger r;
    assert_int_equal(ra_ledger_replay(t, 7, &set, NULL, &r, &err), RA_OK);
    assert_int_equal(r.cash_minor, l.cash_minor);
    assert_int_equal(r.n_lots, l.n_lots);
    assert_memory_equal(r.lots, l.lots, l.n_lots * sizeof *l.lots);
    ra_ledger_free(&r);

    l.cash_minor += 1;
    assert_int_equal(ra_ledger_check(&l, t, 7, &err), RA_ECONFLICT);
    assert_non_null(strstr(err.msg, "cash is"));
    assert_non_null(strstr(err.msg, "but the transactions imply"));
    l.cash_minor -= 1;
    l.lots[0].qty_micro += 1;
    assert_int_equal(ra_ledger_check(&l, t, 7, &err), RA_ECONFLICT);
    assert_non_null(strstr(err.msg, "lot 2 holds"));
    l.lots[0].qty_micro -= 1;
    l.lots[0].basis_minor -= 1;
    assert_int_equal(ra_ledger_check(&l, t, 7, &err), RA_ECONFLICT);
    assert_non_null(strstr(err.msg, "lot 2 has basis"));
    l.lots[0].basis_minor += 1;
    /* a missing transaction: the last sale is not in the list */
    assert_int_equal(ra_ledger_check(&l, t, 6, &err), RA_ECONFLICT);
    /* a transaction that cannot be replayed is reported as such */
    t[7] = trade(RA_TXN_SELL, 8, D(2021, 6, 1), 1, SH(1000), PX(1), 0);
    assert_int_equal(ra_ledger_check(&l, t, 8, &err), RA_ECONFLICT);
    assert_non_null(strstr(err.msg, "replay stopped at entry 8 of 8"));
    assert_string_equal(err.where, "txn 8 (sell 2021-06-01)");
    assert_int_equal(ra_ledger_check(&l, t, 7, &err), RA_OK);

    /* restore from stored pieces (the store's path) and check again */
    ra_ledger s = new_ledger();
    ra_lot stored[8];
    for (size_t i = 0; i < l.n_lots; i++)
        stored[l.n_lots - 1 - i] = l.lots[i]; /* any order */
    assert_int_equal(ra_ledger_restore(&s, l.cash_minor, stored, l.n_lots, l.next_lot_id,
                                       &l.totals, &err), RA_OK);
    assert_int_equal(ra_ledger_check(&s, t, 7, &err), RA_OK);
    ra_ledger_free(&s);
    /* restore refuses ids at or above next_lot_id and duplicate ids */
    s = new_ledger();
    assert_int_equal(ra_ledger_restore(&s, 0, stored, l.n_lots, 1, NULL, &err), RA_EINVAL);
    stored[1] = stored[0];
    assert_int_equal(ra_ledger_restore(&s, 0, stored, 2, l.next_lot_id, NULL, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "appears twice"));
    ra_lot extra[1] = {{9, 1, D(2020, 1, 1), SH(1), 0}};
    assert_int_equal(ra_ledger_restore(&s, l.cash_minor, extra, 1, 10, &l.totals, &err), RA_OK);
    assert_int_equal(ra_ledger_check(&s, t, 7, &err), RA_ECONFLICT);
    ra_ledger_free(&s);
    ra_ledger_free(&l);
}

/* ---- properties over pinned seeds ------------------------------------------------------------- */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static int64_t rnd(uint64_t *s, int64_t lo, int64_t hi) /* uniform in [lo, hi] */
{
    return lo + (int64_t)(splitmix(s) % (uint64_t)(hi - lo + 1));
}

/* Independent value rounding (see test_money.c): floor((2n + d) / 2d), a tie moved to even. */
static int64_t ref_value(int64_t q, int64_t p)
{
    unsigned __int128 n = (unsigned __int128)q * (uint64_t)p, d = 10000000000u; /* 1e10 */
    unsigned __int128 t = 2 * n + d, r = t / (2 * d);
    if (t % (2 * d) == 0 && (r & 1))
        r -= 1;
    return (int64_t)r;
}

#define N_SEC 4
#define N_STEPS 400
#define RA_PROP_LOTS 200

typedef struct model {
    ra_minor cash;
    ra_micro held[N_SEC];
    ra_minor basis_in, basis_sold, basis_out, proceeds, gains;
} model;

static void test_ledger_properties_over_seeds(void **state)
{
    (void)state;
    static const uint64_t seeds[] = {1, 2, 3, 20240607, 987654321};
    static ra_txn txns[N_STEPS];
    static ra_lot_pick picks[N_STEPS][3];
    static ra_lot lots_in[N_STEPS][2];
    size_t total_checks = 0;
    for (size_t si = 0; si < sizeof seeds / sizeof *seeds; si++) {
        uint64_t s = seeds[si];
        ra_ledger l = new_ledger();
        model m = {0};
        size_t n = 0, rejected_ok = 0;
        ra_date day = D(2015, 1, 2);
        for (int step = 0; step < N_STEPS; step++) {
            day += (ra_date)rnd(&s, 0, 9);
            ra_txn t = {0};
            t.id = (uint64_t)(step + 1);
            t.date = day;
            uint32_t sec = (uint32_t)rnd(&s, 0, N_SEC - 1);
            int kind = (int)rnd(&s, 0, 11);
            if (l.n_lots > RA_PROP_LOTS && ((kind >= 2 && kind <= 4) || kind == 9))
                kind = 5; /* keep the lot count bounded: sell instead of buy */
            switch (kind) {
            case 0: case 1: t = cash_txn(RA_TXN_DEPOSIT, t.id, day, rnd(&s, 1, 5000000)); break;
            case 2: case 3: /* buy up to the cash available */
                t = trade(RA_TXN_BUY, t.id, day, sec, rnd(&s, 1, SH(50)), rnd(&s, 1, PX(500)),
                          rnd(&s, 0, 999));
                break;
            case 4:
                t = trade(RA_TXN_REINVEST, t.id, day, sec, rnd(&s, 1, SH(2)), rnd(&s, 1, PX(300)),
                          0);
                t.amount_minor = rnd(&s, 1, 100000);
                break;
            case 5: case 6: { /* sell part of what is held, any method */
                if (m.held[sec] == 0)
                    continue;
                t = trade(RA_TXN_SELL, t.id, day, sec, rnd(&s, 1, m.held[sec]),
                          rnd(&s, 1, PX(500)), rnd(&s, 0, 500));
                t.relief = (ra_relief)rnd(&s, 0, 2);
                if (t.relief == RA_RELIEF_SPECIFIC) { /* up to 3 lots of sec, part of each */
                    size_t k = 0;
                    ra_micro sum = 0;
                    for (size_t i = 0; i < l.n_lots && k < 3; i++)
                        if (l.lots[i].security == sec && rnd(&s, 0, 1)) {
                            picks[n][k].lot_id = l.lots[i].id;
                            picks[n][k].qty_micro = rnd(&s, 1, l.lots[i].qty_micro);
                            sum += picks[n][k].qty_micro;
                            k++;
                        }
                    if (k == 0)
                        continue;
                    t.picks = picks[n];
                    t.n_picks = k;
                    t.qty_micro = sum;
                }
                break;
            }
            case 7: t = cash_txn(RA_TXN_DIVIDEND, t.id, day, rnd(&s, 1, 20000)); break;
            case 8:
                t = cash_txn(rnd(&s, 0, 1) ? RA_TXN_FEE : RA_TXN_WITHDRAWAL, t.id, day,
                             rnd(&s, 1, 300000));
                break;
            case 9: { /* transfer in 1-2 older lots */
                size_t k = (size_t)rnd(&s, 1, 2);
                for (size_t i = 0; i < k; i++) {
                    lots_in[n][i].id = 0;
                    lots_in[n][i].security = (uint32_t)rnd(&s, 0, N_SEC - 1);
                    lots_in[n][i].acquired = day - (ra_date)rnd(&s, 0, 800);
                    lots_in[n][i].qty_micro = rnd(&s, 1, SH(20));
                    lots_in[n][i].basis_minor = rnd(&s, 0, 1000000);
                }
                t.kind = RA_TXN_TRANSFER_IN;
                t.lots_in = lots_in[n];
                t.n_lots_in = k;
                break;
            }
            case 10: { /* transfer out part of one lot */
                if (l.n_lots == 0)
                    continue;
                const ra_lot *x = &l.lots[rnd(&s, 0, (int64_t)l.n_lots - 1)];
                picks[n][0].lot_id = x->id;
                picks[n][0].qty_micro = rnd(&s, 1, x->qty_micro);
                t.kind = RA_TXN_TRANSFER_OUT;
                t.picks = picks[n];
                t.n_picks = 1;
                break;
            }
            default: { /* split with a common ratio */
                static const int64_t r[][2] = {{2, 1}, {3, 1}, {1, 2}, {1, 3}, {3, 2}};
                int64_t i = rnd(&s, 0, 4);
                t = split_txn(t.id, day, sec, r[i][0], r[i][1]);
            }
            }
            /* the model's expectation, computed without the ledger */
            ra_micro want_held = m.held[t.kind == RA_TXN_SPLIT ? sec : 0];
            if (t.kind == RA_TXN_SPLIT) {
                want_held = 0;
                for (size_t i = 0; i < l.n_lots; i++)
                    if (l.lots[i].security == sec) {
                        /* R(q*num/den) by the independent formula, den in {1, 2, 3} */
                        __int128 num = (__int128)l.lots[i].qty_micro * t.split.num;
                        __int128 den = t.split.den, q = (2 * num + den) / (2 * den);
                        if ((2 * num + den) % (2 * den) == 0 && (q & 1))
                            q -= 1;
                        want_held += (ra_micro)q;
                    }
            }
            snap before;
            take(&l, &before);
            ra_lot_relief rel[RA_PROP_LOTS + 8];
            ra_txn_result res = {rel, RA_PROP_LOTS + 8, 0, 0, 0, 0, 0, 0};
            ra_err err = {0};
            ra_status rc = ra_ledger_apply(&l, &t, &res, &err);
            if (rc != RA_OK) {
                /* only cash shortfalls and micro-lots rounding to zero in a reverse split are
                 * expected; both must leave everything as it was */
                if (rc != RA_ECONFLICT || !same(&l, &before))
                    fail_msg("seed %llu step %d: %s %s", (unsigned long long)seeds[si], step,
                             err.where, err.msg);
                rejected_ok++;
                continue;
            }
            txns[n++] = t;
            switch (t.kind) {
            case RA_TXN_DEPOSIT: case RA_TXN_DIVIDEND: m.cash += t.amount_minor; break;
            case RA_TXN_WITHDRAWAL: case RA_TXN_FEE: m.cash -= t.amount_minor; break;
            case RA_TXN_BUY: case RA_TXN_REINVEST: {
                ra_minor cost = ref_value(t.qty_micro, t.price) + t.fees_minor;
                m.cash += (t.kind == RA_TXN_REINVEST ? t.amount_minor : 0) - cost;
                m.held[t.security] += t.qty_micro;
                m.basis_in += cost;
                break;
            }
            case RA_TXN_SELL: {
                ra_minor p = ref_value(t.qty_micro, t.price) - t.fees_minor;
                m.cash += p;
                m.held[t.security] -= t.qty_micro;
                m.proceeds += p;
                /* per-lot parts: sum exactly to the proceeds, each within 1 minor unit of its
                 * exact pro-rata share, gain = proceeds - basis, quantities sum to the sale */
                ra_minor sp = 0, sb = 0, sg = 0;
                ra_micro sq = 0;
                for (size_t k = 0; k < res.n_relief; k++) {
                    __int128 dev = (__int128)rel[k].proceeds_minor * t.qty_micro -
                                   (__int128)p * rel[k].qty_micro;
                    if (dev < 0)
                        dev = -dev;
                    assert_true(dev <= t.qty_micro);
                    assert_int_equal(rel[k].gain_minor, rel[k].proceeds_minor - rel[k].basis_minor);
                    assert_int_equal(rel[k].long_term,
                                     ra_ledger_is_long_term(rel[k].acquired, t.date));
                    sp += rel[k].proceeds_minor;
                    sb += rel[k].basis_minor;
                    sg += rel[k].gain_minor;
                    sq += rel[k].qty_micro;
                }
                assert_int_equal(sp, p);
                assert_int_equal(sq, t.qty_micro);
                assert_int_equal(sg, res.gain_short_minor + res.gain_long_minor);
                m.basis_sold += sb;
                m.gains += sg;
                break;
            }
            case RA_TXN_TRANSFER_IN:
                for (size_t k = 0; k < t.n_lots_in; k++) {
                    m.held[t.lots_in[k].security] += t.lots_in[k].qty_micro;
                    m.basis_in += t.lots_in[k].basis_minor;
                }
                break;
            case RA_TXN_TRANSFER_OUT:
                m.held[rel[0].security] -= rel[0].qty_micro;
                m.basis_out += rel[0].basis_minor;
                break;
            case RA_TXN_SPLIT: m.held[sec] = want_held; break;
            }
            /* identities after every transaction */
            assert_int_equal(l.cash_minor, m.cash);
            assert_int_equal(l.cash_minor, l.totals.cash_in_minor - l.totals.cash_out_minor);
            ra_micro held[N_SEC] = {0};
            ra_minor basis_left = 0;
            for (size_t i = 0; i < l.n_lots; i++) {
                assert_true(l.lots[i].qty_micro > 0 && l.lots[i].basis_minor >= 0);
                held[l.lots[i].security] += l.lots[i].qty_micro;
                basis_left += l.lots[i].basis_minor;
            }
            for (int k = 0; k < N_SEC; k++)
                if (held[k] != m.held[k])
                    fail_msg("seed %llu step %d: security %d holds %lld, model %lld",
                             (unsigned long long)seeds[si], step, k, (long long)held[k],
                             (long long)m.held[k]);
            /* remaining basis + basis sold + basis moved out == total cost in */
            assert_int_equal(basis_left + m.basis_sold + m.basis_out, m.basis_in);
            assert_int_equal(l.totals.basis_in_minor, m.basis_in);
            /* realised gains == proceeds - basis sold */
            assert_int_equal(l.totals.gain_short_minor + l.totals.gain_long_minor, m.gains);
            assert_int_equal(m.gains, m.proceeds - m.basis_sold);
            total_checks++;
            /* an invalid twin of a valid step changes nothing */
            if (step % 7 == 0) {
                ra_txn bad = trade(RA_TXN_SELL, 100000 + t.id, day, sec, m.held[sec] + 1, PX(1), 0);
                expect_error(&l, &bad, RA_ECONFLICT, "held");
                ra_txn over = cash_txn(RA_TXN_WITHDRAWAL, 200000 + t.id, day, l.cash_minor + 1);
                expect_error(&l, &over, RA_ECONFLICT, "overdraft");
            }
        }
        /* replay equals incremental application */
        ra_err err = {0};
        if (ra_ledger_check(&l, txns, n, &err) != RA_OK)
            fail_msg("seed %llu: %s %s", (unsigned long long)seeds[si], err.where, err.msg);
        assert_true(n > N_STEPS / 2);
        assert_true(rejected_ok < N_STEPS / 4);
        ra_ledger_free(&l);
    }
    assert_true(total_checks > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ledger_apply_cash_kinds),
        cmocka_unit_test(test_ledger_apply_buy_rounds_value_once),
        cmocka_unit_test(test_ledger_apply_reinvest_dividend),
        cmocka_unit_test(test_ledger_sell_fifo),
        cmocka_unit_test(test_ledger_sell_hifo),
        cmocka_unit_test(test_ledger_sell_hifo_ties_go_fifo),
        cmocka_unit_test(test_ledger_sell_specific_lots),
        cmocka_unit_test(test_ledger_sell_partial_basis_rounding),
        cmocka_unit_test(test_ledger_is_long_term_boundaries),
        cmocka_unit_test(test_ledger_transfer_out_then_in_keeps_dates_and_basis),
        cmocka_unit_test(test_ledger_split_forward_and_reverse),
        cmocka_unit_test(test_ledger_split_rounds_micro_shares_to_even),
        cmocka_unit_test(test_ledger_errors_leave_state_unchanged),
        cmocka_unit_test(test_ledger_overdraft_setting_allows_negative_cash),
        cmocka_unit_test(test_ledger_allocation_failure_changes_nothing),
        cmocka_unit_test(test_ledger_check_names_first_difference),
        cmocka_unit_test(test_ledger_properties_over_seeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
