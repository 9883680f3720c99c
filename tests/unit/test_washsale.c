/* The wash-sale rule (src/core/washsale.c, include/roboadvisor/washsale.h). Expected values are
 * the worked examples of IRS Publication 550 ("Wash Sales") and of the regulations it rests on
 * (26 CFR 1.1091-1 and 1.1091-2), with their numbers, and hand derivations written next to each
 * case from the rule as docs/methodology.md#wash-sales states it. Amounts in cents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <roboadvisor/ledger.h>
#include <roboadvisor/washsale.h>

#include "ra_test.h"

#define SH(n) ((ra_micro)(n) * 1000000)  /* n whole shares in micro-shares */
#define USD(x) ((ra_minor)((x) * 100))    /* whole dollars in cents */

static ra_date D(int y, int m, int d)
{
    return ra_date_from_ymd(y, m, d);
}

static ra_wash_event buy(uint32_t acct, uint32_t sec, ra_date date, uint64_t lot, int shares,
                         ra_minor cost)
{
    ra_wash_event e = {RA_WASH_ACQUIRE, acct, sec, date, lot, SH(shares), cost, 0, 0, 1, 0, date};
    return e;
}

static ra_wash_event sell(uint32_t acct, uint32_t sec, ra_date date, uint64_t sale, uint64_t lot,
                          int shares, ra_minor basis, ra_minor proceeds)
{
    ra_wash_event e = {RA_WASH_RELIEVE, acct, sec, date, lot, SH(shares), basis, proceeds, sale,
                       0, 0, 0};
    return e;
}

static ra_wash_result *run(const ra_wash_event *ev, size_t n, const unsigned char *ret,
                           size_t n_acct, int window)
{
    ra_wash_settings s;
    ra_wash_settings_default(&s);
    if (window)
        s.window_days = window;
    ra_wash_result *r = NULL;
    ra_err err = {0};
    ra_status rc = ra_wash_compute(ev, n, ret, n_acct, &s, &r, &err);
    if (rc != RA_OK)
        fail_msg("ra_wash_compute: %s: %s", err.where, err.msg);
    return r;
}

static const ra_wash_open *open_of(const ra_wash_result *r, uint64_t lot, size_t k)
{
    for (size_t i = 0; i < r->n_open; i++)
        if (r->open[i].lot == lot && k-- == 0)
            return &r->open[i];
    fail_msg("no open piece %zu of lot %llu", k, (unsigned long long)lot);
    return NULL;
}

/* Publication 550, Wash Sales, Example 1 (also irs.gov VITA "Case Study 1: Wash Sales"): "You buy
 * 100 shares of X stock for $1,000. You sell these shares for $750 and within 30 days from the sale
 * you buy 100 shares of the same stock for $800. [...] you can't deduct your loss of $250 [...] you
 * add the disallowed loss of $250 to the cost of the new stock, $800, to obtain your basis in the
 * new stock, which is $1,050." Dates are ours; the holding period of the new shares includes the
 * 29 days the old ones were held (2023-01-03 .. 2023-02-01), so it runs from 2023-02-15 - 29 days =
 * 2023-01-17. */
static void test_wash_pub550_example1(void **state)
{
    (void)state;
    ra_wash_event ev[] = {
        buy(0, 7, D(2023, 1, 3), 1, 100, USD(1000)),
        sell(0, 7, D(2023, 2, 1), 10, 1, 100, USD(1000), USD(750)),
        buy(0, 7, D(2023, 2, 15), 2, 100, USD(800)),
    };
    ra_wash_result *r = run(ev, 3, NULL, 1, 0);
    assert_int_equal(r->n_parts, 1);
    assert_int_equal(r->parts[0].gain_minor, -USD(250));
    assert_int_equal(r->parts[0].disallowed_minor, USD(250));
    assert_int_equal(r->n_links, 1);
    assert_int_equal(r->links[0].lot, 2);
    assert_int_equal(r->links[0].basis_added_minor, USD(250));
    assert_int_equal(r->n_open, 1);
    const ra_wash_open *o = open_of(r, 2, 0);
    assert_int_equal(o->basis_minor + o->adjustment_minor, USD(1050));
    assert_int_equal(o->holding_from, D(2023, 1, 17));
    assert_int_equal(o->acquired, D(2023, 2, 15));
    ra_wash_result_destroy(r);
}

/* 26 CFR 1.1091-1(c) (order of the replacement shares): 100 shares sold at a loss, then 50 shares
 * bought on each of four following days: the replacements are the shares of the first two
 * purchases, "the earliest acquired first". Our numbers: bought 100 at $20 (2023-03-01), sold at
 * $15 (2023-06-01, loss $500), 50 bought on each of 06-05..06-08 at $16 ($800). Hand derivation:
 * disallowed $500 in all, $250 to each of the 06-05 and 06-06 lots (pro rata by shares); the
 * 06-07 and 06-08 lots are untouched. */
static void test_wash_cfr_1091_1c_earliest_replacements(void **state)
{
    (void)state;
    ra_wash_event ev[] = {
        buy(0, 1, D(2023, 3, 1), 1, 100, USD(2000)),
        sell(0, 1, D(2023, 6, 1), 10, 1, 100, USD(2000), USD(1500)),
        buy(0, 1, D(2023, 6, 5), 2, 50, USD(800)),
        buy(0, 1, D(2023, 6, 6), 3, 50, USD(800)),
        buy(0, 1, D(2023, 6, 7), 4, 50, USD(800)),
        buy(0, 1, D(2023, 6, 8), 5, 50, USD(800)),
    };
    ra_wash_result *r = run(ev, 6, NULL, 1, 0);
    assert_int_equal(r->parts[0].disallowed_minor, USD(500));
    assert_int_equal(open_of(r, 2, 0)->adjustment_minor, USD(250));
    assert_int_equal(open_of(r, 3, 0)->adjustment_minor, USD(250));
    assert_int_equal(open_of(r, 4, 0)->adjustment_minor, 0);
    assert_int_equal(open_of(r, 5, 0)->adjustment_minor, 0);
    /* held 2023-03-01 .. 06-01 = 92 days: 06-05 - 92 = 03-05 */
    assert_int_equal(open_of(r, 2, 0)->holding_from, D(2023, 3, 5));
    assert_int_equal(open_of(r, 4, 0)->holding_from, D(2023, 6, 7));
    ra_wash_result_destroy(r);
}

/* 26 CFR 1.1091-1(d): fewer shares acquired than sold: only the loss on as many shares as were
 * acquired is disallowed. Sold 100 at a $1,000 loss, bought 75 within 30 days after: disallowed
 * 75/100 x $1,000 = $750, deductible $250; the 75 new shares' basis rises by $750. */
static void test_wash_cfr_1091_1d_fewer_replacements(void **state)
{
    (void)state;
    ra_wash_event ev[] = {
        buy(0, 1, D(2022, 1, 10), 1, 100, USD(5000)),
        sell(0, 1, D(2022, 5, 2), 10, 1, 100, USD(5000), USD(4000)),
        buy(0, 1, D(2022, 5, 20), 2, 75, USD(3100)),
    };
    ra_wash_result *r = run(ev, 3, NULL, 1, 0);
    assert_int_equal(r->parts[0].gain_minor, -USD(1000));
    assert_int_equal(r->parts[0].disallowed_minor, USD(750));
    assert_int_equal(open_of(r, 2, 0)->adjustment_minor, USD(750));
    ra_wash_result_destroy(r);
}

/* Rev. Rul. 2008-5: replacement shares bought in the client's IRA make the loss disallowed, and the
 * IRA shares' basis is not increased. Same numbers as Example 1, the new shares in account 1 (a
 * retirement account). */
static void test_wash_ira_replacement_no_basis(void **state)
{
    (void)state;
    unsigned char ret[2] = {0, 1};
    ra_wash_event ev[] = {
        buy(0, 7, D(2023, 1, 3), 1, 100, USD(1000)),
        sell(0, 7, D(2023, 2, 1), 10, 1, 100, USD(1000), USD(750)),
        buy(1, 7, D(2023, 2, 15), 2, 100, USD(800)),
    };
    ra_wash_result *r = run(ev, 3, ret, 2, 0);
    assert_int_equal(r->parts[0].disallowed_minor, USD(250));
    assert_int_equal(r->links[0].basis_added_minor, 0);
    assert_int_equal(r->links[0].disallowed_minor, USD(250));
    assert_int_equal(open_of(r, 2, 0)->adjustment_minor, 0);
    assert_int_equal(open_of(r, 2, 0)->holding_from, D(2023, 2, 15));
    ra_wash_result_destroy(r);
}

/* The shares sold are never their own replacement: a lot bought and sold whole at a loss 10 days
 * later, with no other purchase, is an allowed loss. And a share sold before the loss sale never
 * replaces it: the question of money.stackexchange.com/q/91884, hand derived: 1 share bought and
 * sold at a gain on day 1, 3 bought at $100 and sold at $90 on day 2 (loss $30), 1 bought at $100
 * on day 3: only the day-3 share replaces (disallowed $10, its basis $110); the day-1 share was
 * gone before the loss sale. */
static void test_wash_own_and_earlier_sold_shares_never_replace(void **state)
{
    (void)state;
    ra_wash_event a[] = {
        buy(0, 1, D(2023, 4, 3), 1, 100, USD(1000)),
        sell(0, 1, D(2023, 4, 13), 10, 1, 100, USD(1000), USD(900)),
    };
    ra_wash_result *r = run(a, 2, NULL, 1, 0);
    assert_int_equal(r->parts[0].gain_minor, -USD(100));
    assert_int_equal(r->parts[0].disallowed_minor, 0);
    assert_int_equal(r->n_links, 0);
    ra_wash_result_destroy(r);

    ra_wash_event b[] = {
        buy(0, 1, D(2024, 1, 1), 1, 1, USD(100)),
        sell(0, 1, D(2024, 1, 1), 10, 1, 1, USD(100), USD(110)),
        buy(0, 1, D(2024, 1, 2), 2, 3, USD(300)),
        sell(0, 1, D(2024, 1, 2), 11, 2, 3, USD(300), USD(270)),
        buy(0, 1, D(2024, 1, 3), 3, 1, USD(100)),
    };
    r = run(b, 5, NULL, 1, 0);
    assert_int_equal(r->n_parts, 2);
    assert_int_equal(r->parts[0].gain_minor, USD(10));
    assert_int_equal(r->parts[0].disallowed_minor, 0);
    assert_int_equal(r->parts[1].gain_minor, -USD(30));
    assert_int_equal(r->parts[1].disallowed_minor, USD(10));
    assert_int_equal(r->n_links, 1);
    assert_int_equal(r->links[0].lot, 3);
    assert_int_equal(open_of(r, 3, 0)->basis_minor + open_of(r, 3, 0)->adjustment_minor,
                     USD(110));
    ra_wash_result_destroy(r);
}

/* Shares of the same lot that were not sold were acquired within the window: they replace (the
 * rule counts every acquisition in the 61 days but the shares sold). 100 bought at $10, 40 sold at
 * $8 ten days later (loss $80): the 60 kept replace 40 of them: all $80 disallowed, added to 40 of
 * the 60 shares, which the lot splits into a piece of 40 (adjusted, holding period from 10 days
 * earlier) and a piece of 20. */
static void test_wash_rest_of_lot_replaces_and_splits(void **state)
{
    (void)state;
    ra_wash_event ev[] = {
        buy(0, 1, D(2023, 9, 1), 1, 100, USD(1000)),
        sell(0, 1, D(2023, 9, 11), 10, 1, 40, USD(400), USD(320)),
    };
    ra_wash_result *r = run(ev, 2, NULL, 1, 0);
    assert_int_equal(r->parts[0].disallowed_minor, USD(80));
    assert_int_equal(r->n_open, 2);
    const ra_wash_open *p0 = open_of(r, 1, 0), *p1 = open_of(r, 1, 1);
    assert_int_equal(p0->qty_micro, SH(40));
    assert_int_equal(p0->adjustment_minor, USD(80));
    assert_int_equal(p0->holding_from, D(2023, 8, 22));
    assert_int_equal(p0->basis_minor, USD(400));
    assert_int_equal(p1->qty_micro, SH(20));
    assert_int_equal(p1->adjustment_minor, 0);
    assert_int_equal(p1->basis_minor, USD(200));
    ra_wash_result_destroy(r);
}

/* The loss is figured per lot relieved, never netted, and only losses are adjusted: one sale of
 * two lots, one at a gain of $50 and one at a loss of $30, 10 shares bought back: only the losing
 * lot's $30 is disallowed (hand derivation). */
static void test_wash_per_lot_never_netted(void **state)
{
    (void)state;
    ra_wash_event ev[] = {
        buy(0, 2, D(2021, 1, 4), 1, 10, USD(100)),
        buy(0, 2, D(2021, 6, 1), 2, 10, USD(180)),
        sell(0, 2, D(2021, 6, 20), 10, 1, 10, USD(100), USD(150)),
        sell(0, 2, D(2021, 6, 20), 10, 2, 10, USD(180), USD(150)),
        buy(0, 2, D(2021, 7, 1), 3, 10, USD(140)),
    };
    ra_wash_result *r = run(ev, 5, NULL, 1, 0);
    assert_int_equal(r->n_parts, 2);
    assert_int_equal(r->parts[0].gain_minor, USD(50));
    assert_int_equal(r->parts[0].disallowed_minor, 0);
    assert_int_equal(r->parts[1].gain_minor, -USD(30));
    assert_int_equal(r->parts[1].disallowed_minor, USD(30));
    assert_int_equal(open_of(r, 3, 0)->adjustment_minor, USD(30));
    ra_wash_result_destroy(r);
}

/* The window is 30 calendar days each side, inclusive, and configurable: a purchase on day +30
 * replaces, one on day +31 does not; with a 61-day window (e.g. a two-month rule) both do. */
static void test_wash_window_edges(void **state)
{
    (void)state;
    ra_wash_event ev[] = {
        buy(0, 1, D(2023, 1, 2), 1, 10, USD(100)),
        sell(0, 1, D(2023, 3, 1), 10, 1, 10, USD(100), USD(80)),
        buy(0, 1, D(2023, 3, 31), 3, 5, USD(40)), /* day +30 */
        buy(0, 1, D(2023, 4, 1), 2, 5, USD(40)),  /* day +31 */
    };
    ra_wash_result *r = run(ev, 4, NULL, 1, 0);
    assert_int_equal(r->parts[0].disallowed_minor, USD(10)); /* 5 of 10 shares replaced */
    assert_int_equal(open_of(r, 3, 0)->adjustment_minor, USD(10));
    assert_int_equal(open_of(r, 2, 0)->adjustment_minor, 0);
    ra_wash_result_destroy(r);
    r = run(ev, 4, NULL, 1, 61);
    assert_int_equal(r->parts[0].disallowed_minor, USD(20));
    assert_int_equal(open_of(r, 2, 0)->adjustment_minor, USD(10));
    ra_wash_result_destroy(r);
}

/* A share replaces at most one loss, and the adjusted basis travels. Hand derivation: lot1 10 sh
 * cost $100 (2022-10-03) sold 2023-02-01 for $80 (loss 20); lot2 10 sh cost $100 (2022-10-04,
 * outside both windows) sold 02-05 for $90 (loss 10); lot3 bought 02-10, 10 sh for $85, replaces
 * loss A (the earlier sale first): basis 85 + 20 = 105, holding period from 02-10 minus the 121
 * days lot1 was held = 2022-10-12; loss B finds no share left and is allowed. lot3 sold 04-03
 * for $95: cost 105, loss 10, replaced by lot4 (04-20, $90): basis 100, holding period from 04-20
 * minus lot3's 173 days (2022-10-12 .. 2023-04-03) = 2022-10-29 (a chain). */
static void test_wash_one_loss_per_share_and_chain(void **state)
{
    (void)state;
    ra_wash_event ev[] = {
        buy(0, 1, D(2022, 10, 3), 1, 10, USD(100)),
        buy(0, 1, D(2022, 10, 4), 2, 10, USD(100)),
        sell(0, 1, D(2023, 2, 1), 10, 1, 10, USD(100), USD(80)),
        sell(0, 1, D(2023, 2, 5), 11, 2, 10, USD(100), USD(90)),
        buy(0, 1, D(2023, 2, 10), 3, 10, USD(85)),
        sell(0, 1, D(2023, 4, 3), 12, 3, 10, USD(85), USD(95)),
        buy(0, 1, D(2023, 4, 20), 4, 10, USD(90)),
    };
    ra_wash_result *r = run(ev, 7, NULL, 1, 0);
    assert_int_equal(r->n_parts, 3);
    assert_int_equal(r->parts[0].disallowed_minor, USD(20));
    assert_int_equal(r->parts[1].gain_minor, -USD(10));
    assert_int_equal(r->parts[1].disallowed_minor, 0);
    assert_int_equal(r->parts[2].cost_minor, USD(105));
    assert_int_equal(r->parts[2].adjustment_minor, USD(20));
    assert_int_equal(r->parts[2].gain_minor, -USD(10));
    assert_int_equal(r->parts[2].disallowed_minor, USD(10));
    assert_int_equal(r->parts[2].holding_from, D(2022, 10, 12));
    const ra_wash_open *o = open_of(r, 4, 0);
    assert_int_equal(o->basis_minor + o->adjustment_minor, USD(100));
    assert_int_equal(o->holding_from, D(2022, 10, 29));
    ra_wash_result_destroy(r);
}

/* A lot moved to another account of the household keeps its adjustment and holding period, and a
 * move is not a purchase (it replaces nothing). */
static void test_wash_move_keeps_adjustment(void **state)
{
    (void)state;
    ra_wash_event ev[] = {
        buy(0, 7, D(2023, 1, 3), 1, 100, USD(1000)),
        sell(0, 7, D(2023, 2, 1), 10, 1, 100, USD(1000), USD(750)),
        buy(0, 7, D(2023, 2, 15), 2, 100, USD(800)),
        {RA_WASH_RELIEVE, 0, 7, D(2023, 3, 1), 2, SH(100), USD(800), 0, 0, 0, 0, 0},
        {RA_WASH_ACQUIRE, 1, 7, D(2023, 3, 1), 3, SH(100), USD(800), 0, 0, 0, 2, D(2023, 2, 15)},
    };
    ra_wash_result *r = run(ev, 5, NULL, 2, 0);
    assert_int_equal(r->parts[0].disallowed_minor, USD(250));
    const ra_wash_open *o = open_of(r, 3, 0);
    assert_int_equal(o->account, 1);
    assert_int_equal(o->adjustment_minor, USD(250));
    assert_int_equal(o->holding_from, D(2023, 1, 17));
    ra_wash_result_destroy(r);
}

/* A 2-for-1 split between the replacement and its sale keeps the adjustment on twice the shares:
 * Example 1's new lot (100 sh, basis 800 + 250) splits to 200 sh; selling 100 of them for $400 has
 * a cost of half of 1,050 = $525 (a $125 loss, no replacement: allowed). */
static void test_wash_split_rescales_pieces(void **state)
{
    (void)state;
    ra_wash_event ev[] = {
        buy(0, 7, D(2023, 1, 3), 1, 100, USD(1000)),
        sell(0, 7, D(2023, 2, 1), 10, 1, 100, USD(1000), USD(750)),
        buy(0, 7, D(2023, 2, 15), 2, 100, USD(800)),
        {RA_WASH_SPLIT, 0, 7, D(2023, 6, 1), 2, SH(200), 0, 0, 0, 0, 0, 0},
        sell(0, 7, D(2023, 9, 1), 11, 2, 100, USD(400), USD(400)),
    };
    ra_wash_result *r = run(ev, 5, NULL, 1, 0);
    assert_int_equal(r->n_parts, 2);
    assert_int_equal(r->parts[1].qty_micro, SH(100));
    assert_int_equal(r->parts[1].cost_minor, USD(525));
    assert_int_equal(r->parts[1].disallowed_minor, 0);
    assert_int_equal(open_of(r, 2, 0)->qty_micro, SH(100));
    assert_int_equal(open_of(r, 2, 0)->adjustment_minor, USD(125));
    ra_wash_result_destroy(r);
}

/* Pro-rata rounding: a $1.00 loss over 3 shares replaced by lots of 1 and 2 shares: 33 and 67
 * cents (round(100*1/3) = 33, the last piece takes the remainder). */
static void test_wash_rounding_last_piece_takes_remainder(void **state)
{
    (void)state;
    ra_wash_event ev[] = {
        buy(0, 1, D(2023, 5, 1), 1, 3, 300),
        sell(0, 1, D(2023, 5, 10), 10, 1, 3, 300, 200),
        buy(0, 1, D(2023, 5, 11), 2, 1, 70),
        buy(0, 1, D(2023, 5, 12), 3, 2, 140),
    };
    ra_wash_result *r = run(ev, 4, NULL, 1, 0);
    assert_int_equal(r->parts[0].disallowed_minor, 100);
    assert_int_equal(open_of(r, 2, 0)->adjustment_minor, 33);
    assert_int_equal(open_of(r, 3, 0)->adjustment_minor, 67);
    ra_wash_result_destroy(r);
}

/* Bad input is refused naming the event. */
static void test_wash_rejects_bad_events(void **state)
{
    (void)state;
    ra_wash_result *r = NULL;
    ra_err err = {0};
    ra_wash_event back[] = {
        buy(0, 1, D(2023, 5, 2), 1, 3, 300),
        buy(0, 1, D(2023, 5, 1), 2, 3, 300),
    };
    assert_int_equal(ra_wash_compute(back, 2, NULL, 1, NULL, &r, &err), RA_EINVAL);
    assert_null(r);
    assert_string_equal(err.where, "event 2");
    ra_wash_event over[] = {
        buy(0, 1, D(2023, 5, 1), 1, 3, 300),
        sell(0, 1, D(2023, 5, 2), 10, 1, 4, 300, 200),
    };
    assert_int_equal(ra_wash_compute(over, 2, NULL, 1, NULL, &r, &err), RA_EINVAL);
    assert_string_equal(err.where, "event 2");
    ra_wash_event acct[] = {buy(3, 1, D(2023, 5, 1), 1, 3, 300)};
    assert_int_equal(ra_wash_compute(acct, 1, NULL, 1, NULL, &r, &err), RA_EINVAL);
    ra_wash_event twice[] = {buy(0, 1, D(2023, 5, 1), 1, 3, 300),
                             buy(0, 1, D(2023, 5, 1), 1, 3, 300)};
    assert_int_equal(ra_wash_compute(twice, 2, NULL, 1, NULL, &r, &err), RA_EINVAL);
    assert_null(r);
}

/* ---- an independent model: one share at a time ------------------------------------------------
 * The rule restated share by share, as simply as it can be: every share keeps its own basis,
 * adjustment, holding-period start and "has replaced" flag; a sale removes its shares first, then
 * each share sold at a loss (in a taxable account) takes the first share still held and not yet
 * used of the earliest purchase of the same security within the window. With whole shares and
 * whole cents per share (as generated below) every pro-rata share is exact, so the piece-based
 * implementation must agree with it to the cent. Seeds are pinned; a failure prints its seed. */

#include <roboadvisor/rng.h>

#define M_LOTS 64
#define M_SH 8

typedef struct m_share {
    int alive, used;
    ra_minor basis, adj;
    ra_date from;
} m_share;

typedef struct m_lot {
    uint64_t key;
    uint32_t account, security;
    ra_date date;
    int n;
    m_share sh[M_SH];
} m_lot;

typedef struct m_out {
    ra_minor disallowed[128], cost[128]; /* per event */
} m_out;

static m_lot *m_find(m_lot *lots, int n, uint64_t key)
{
    for (int i = 0; i < n; i++)
        if (lots[i].key == key)
            return &lots[i];
    return NULL;
}

static void model(const ra_wash_event *ev, size_t n, const unsigned char *ret, int window,
                  m_lot *lots, int *n_lots, m_out *out)
{
    memset(out, 0, sizeof *out);
    *n_lots = 0;
    for (size_t i = 0; i < n; i++) /* purchases exist from the start (future ones replace too) */
        if (ev[i].kind == RA_WASH_ACQUIRE) {
            m_lot *l = &lots[(*n_lots)++];
            memset(l, 0, sizeof *l);
            l->key = ev[i].lot;
            l->account = ev[i].account;
            l->security = ev[i].security;
            l->date = ev[i].date;
            l->n = (int)(ev[i].qty_micro / 1000000);
            for (int k = 0; k < l->n; k++) {
                l->sh[k].alive = 1;
                l->sh[k].basis = ev[i].basis_minor / l->n;
                l->sh[k].from = ev[i].acquired;
            }
        }
    for (size_t i = 0; i < n;) {
        if (ev[i].kind == RA_WASH_ACQUIRE) {
            i++;
            continue;
        }
        /* the sale's shares out first */
        typedef struct sold {
            size_t event;
            ra_minor cost, proceeds;
            ra_date from;
        } sold;
        sold s[64];
        int ns = 0;
        size_t j = i;
        do {
            m_lot *l = m_find(lots, *n_lots, ev[j].lot);
            int q = (int)(ev[j].qty_micro / 1000000);
            ra_minor pps = ev[j].proceeds_minor / q;
            for (int k = 0; k < l->n && q > 0; k++)
                if (l->sh[k].alive) {
                    l->sh[k].alive = 0;
                    s[ns].event = j;
                    s[ns].cost = l->sh[k].basis + l->sh[k].adj;
                    s[ns].proceeds = pps;
                    s[ns].from = l->sh[k].from;
                    out->cost[j] += s[ns].cost;
                    ns++;
                    q--;
                }
            j++;
        } while (j < n && ev[j].kind == RA_WASH_RELIEVE && ev[j].sale == ev[i].sale &&
                 ev[j].date == ev[i].date);
        for (int k = 0; k < ns; k++) {
            const ra_wash_event *e = &ev[s[k].event];
            ra_minor loss = s[k].cost - s[k].proceeds;
            if (loss <= 0 || (ret && ret[e->account]))
                continue;
            for (int li = 0; li < *n_lots; li++) { /* lots are in event (book) order */
                m_lot *l = &lots[li];
                if (l->security != e->security || l->date < e->date - window ||
                    l->date > e->date + window)
                    continue;
                int hit = 0;
                for (int q = 0; q < l->n && !hit; q++) {
                    m_share *x = &l->sh[q];
                    if (!x->alive || x->used)
                        continue;
                    x->used = 1;
                    hit = 1;
                    out->disallowed[s[k].event] += loss;
                    if (!(ret && ret[l->account])) {
                        x->adj += loss;
                        x->from -= e->date - s[k].from;
                    }
                }
                if (hit)
                    break;
            }
        }
        i = j;
    }
}

static uint64_t below(ra_rng *r, uint64_t n)
{
    return ra_rng_next(r) % n; /* tiny n: the bias is irrelevant for a test generator */
}

/* A random household history: 2 securities, 3 accounts (the last a retirement account), lots of
 * 1..5 shares at whole-dollar prices per share, sales of one or two lots. */
static size_t generate(uint64_t seed, ra_wash_event *ev, size_t cap)
{
    ra_rng r = ra_rng_stream(seed, 0);
    size_t n = 0;
    uint64_t next_lot = 1, next_sale = 1;
    ra_date d = ra_date_from_ymd(2023, 1, 2);
    typedef struct held {
        uint64_t key;
        uint32_t account, security;
        int left, cost_per;
    } held;
    held h[M_LOTS];
    int nh = 0;
    while (n + 2 < cap && nh < M_LOTS) {
        d += (ra_date)below(&r, 9);
        int live = 0;
        for (int k = 0; k < nh; k++)
            live += h[k].left > 0;
        if (live == 0 || below(&r, 2) == 0) {
            held *x = &h[nh++];
            x->key = next_lot++;
            x->account = (uint32_t)below(&r, 3);
            x->security = (uint32_t)below(&r, 2);
            x->left = 1 + (int)below(&r, 5);
            x->cost_per = 100 * (50 + (int)below(&r, 50));
            ev[n++] = (ra_wash_event){RA_WASH_ACQUIRE, x->account, x->security, d, x->key,
                                      SH(x->left), (ra_minor)x->left * x->cost_per, 0, 0, 1, 0, d};
            continue;
        }
        /* a sale: one lot, sometimes a second of the same security and account */
        int pick = (int)below(&r, (uint64_t)nh);
        while (h[pick].left == 0)
            pick = (pick + 1) % nh;
        int price = 100 * (50 + (int)below(&r, 50));
        uint64_t sale = next_sale++;
        for (int part = 0; part < 2; part++) {
            held *x = &h[pick];
            int q = 1 + (int)below(&r, (uint64_t)x->left);
            ev[n++] = (ra_wash_event){RA_WASH_RELIEVE, x->account, x->security, d, x->key, SH(q),
                                      (ra_minor)q * x->cost_per, (ra_minor)q * price, sale, 0, 0,
                                      0};
            x->left -= q;
            int other = -1;
            for (int k = 0; k < nh && other < 0; k++)
                if (k != pick && h[k].left > 0 && h[k].account == x->account &&
                    h[k].security == x->security)
                    other = k;
            if (other < 0 || below(&r, 2) || n + 2 >= cap)
                break;
            pick = other;
        }
    }
    return n;
}

static void test_wash_agrees_with_share_model(void **state)
{
    (void)state;
    static const unsigned char ret[3] = {0, 0, 1};
    size_t checks = 0, washed = 0;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        ra_wash_event ev[120];
        size_t n = generate(seed, ev, 120);
        m_lot lots[M_LOTS];
        int n_lots = 0;
        m_out want;
        model(ev, n, ret, 30, lots, &n_lots, &want);
        ra_wash_result *r = NULL;
        ra_err err = {0};
        if (ra_wash_compute(ev, n, ret, 3, NULL, &r, &err) != RA_OK)
            fail_msg("seed %llu: %s: %s", (unsigned long long)seed, err.where, err.msg);
        ra_minor dis[128] = {0}, cost[128] = {0};
        for (size_t k = 0; k < r->n_parts; k++) {
            dis[r->parts[k].event] += r->parts[k].disallowed_minor;
            cost[r->parts[k].event] += r->parts[k].cost_minor;
        }
        for (size_t i = 0; i < n; i++) {
            if (dis[i] != want.disallowed[i] || cost[i] != want.cost[i])
                fail_msg("seed %llu event %zu: disallowed %lld cost %lld, the share model says "
                         "%lld and %lld", (unsigned long long)seed, i + 1, (long long)dis[i],
                         (long long)cost[i], (long long)want.disallowed[i],
                         (long long)want.cost[i]);
            checks += ev[i].kind == RA_WASH_RELIEVE;
            washed += dis[i] > 0;
        }
        for (int li = 0; li < n_lots; li++) { /* open lots: quantity, adjustment, holding days */
            ra_minor adj = 0;
            int64_t qty = 0, from_sum = 0;
            for (int k = 0; k < lots[li].n; k++)
                if (lots[li].sh[k].alive) {
                    adj += lots[li].sh[k].adj;
                    qty++;
                    from_sum += lots[li].sh[k].from;
                }
            ra_minor got_adj = 0;
            int64_t got_qty = 0, got_from = 0;
            for (size_t k = 0; k < r->n_open; k++)
                if (r->open[k].lot == lots[li].key) {
                    got_adj += r->open[k].adjustment_minor;
                    got_qty += r->open[k].qty_micro / 1000000;
                    got_from += (int64_t)r->open[k].holding_from * (r->open[k].qty_micro / 1000000);
                }
            if (adj != got_adj || qty != got_qty || from_sum != got_from)
                fail_msg("seed %llu lot %llu: open adj %lld qty %lld, the share model says %lld "
                         "%lld (or holding periods differ)", (unsigned long long)seed,
                         (unsigned long long)lots[li].key, (long long)got_adj,
                         (long long)got_qty, (long long)adj, (long long)qty);
            checks++;
        }
        ra_wash_result_destroy(r);
    }
    /* the generator must have produced real work: sales and lots, and some disallowed losses */
    assert_true(checks > 3000);
    assert_true(washed > 300);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wash_pub550_example1),
        cmocka_unit_test(test_wash_cfr_1091_1c_earliest_replacements),
        cmocka_unit_test(test_wash_cfr_1091_1d_fewer_replacements),
        cmocka_unit_test(test_wash_ira_replacement_no_basis),
        cmocka_unit_test(test_wash_own_and_earlier_sold_shares_never_replace),
        cmocka_unit_test(test_wash_rest_of_lot_replaces_and_splits),
        cmocka_unit_test(test_wash_per_lot_never_netted),
        cmocka_unit_test(test_wash_window_edges),
        cmocka_unit_test(test_wash_one_loss_per_share_and_chain),
        cmocka_unit_test(test_wash_move_keeps_adjustment),
        cmocka_unit_test(test_wash_split_rescales_pieces),
        cmocka_unit_test(test_wash_rounding_last_piece_takes_remainder),
        cmocka_unit_test(test_wash_rejects_bad_events),
        cmocka_unit_test(test_wash_agrees_with_share_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
