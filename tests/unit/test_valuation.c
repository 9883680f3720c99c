/* Tests of the valuation as of a date (src/engine/valuation.c, engine_valuation.h;
 * docs/methodology.md#valuation): the ledger is replayed to the date, so an account opened after
 * it is absent and a sale after it is undone. A real SQLite file; every expected figure is derived
 * by hand in the comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"
#include "roboadvisor/alloc.h"
#include "roboadvisor/engine_valuation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_path[256];

static void must(ra_status rc, const ra_err *err)
{
    if (rc != RA_OK)
        fail_msg("status %s: %s [%s]", ra_status_name(rc), err->msg, err->where);
}
#define OK(expr) must((expr), &err)

static ra_date D(int y, int m, int d) { return ra_date_from_ymd(y, m, d); }

static ra_store_txn txn(const char *account, const char *ext, ra_txn_kind kind, ra_date date,
                        ra_micro qty, ra_price price, ra_minor amount, ra_minor fees)
{
    ra_store_txn t;
    memset(&t, 0, sizeof t);
    snprintf(t.account, sizeof t.account, "%s", account);
    snprintf(t.external_id, sizeof t.external_id, "%s", ext);
    t.kind = kind;
    t.date = date;
    if (qty)
        snprintf(t.ticker, sizeof t.ticker, "SPY");
    t.qty_micro = qty;
    t.price = price;
    t.amount_minor = amount;
    t.fees_minor = fees;
    return t;
}

static void put_account(ra_store *s, const ra_store_actor *actor, const char *code, ra_date opened)
{
    ra_err err = {0};
    ra_account a;
    memset(&a, 0, sizeof a);
    snprintf(a.code, sizeof a.code, "%s", code);
    snprintf(a.client, sizeof a.client, "C1");
    a.type = RA_ACCOUNT_TAXABLE;
    snprintf(a.currency, sizeof a.currency, "USD");
    a.opened = opened;
    a.mandate.drift_band = 0.05;
    a.mandate.loss_limit = 0.10;
    OK(ra_store_account_put(s, actor, &a, &err));
}

/* The book: A1 opened 2021-01-04 with a deposit of 10,000.00, 10 SPY bought at 300.00 (fees
 * 1.00) on 2021-01-05, 4 SPY sold at 350.00 (fees 2.00) on 2021-04-01; A2 opened 2021-06-01 with
 * a deposit of 500.00. SPY closes 320.00 on 2021-03-31 and 400.00 on 2021-04-30. */
static ra_store *book(void)
{
    ra_store *s = NULL;
    ra_err err = {0};
    snprintf(g_path, sizeof g_path, "/tmp/ra_test_valuation_%d.db", (int)getpid());
    unlink(g_path);
    OK(ra_store_open(g_path, NULL, &s, &err));
    OK(ra_store_init(s, &err));
    uint8_t key[RA_STORE_KEY_BYTES];
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        key[i] = (uint8_t)(i + 9);
    OK(ra_store_set_firm_key(s, "F1", key, &err));
    ra_store_actor actor = {"tester", "F1"};
    ra_firm firm = {"F1", "First Firm", "USD", 2};
    OK(ra_store_firm_put(s, &actor, &firm, &err));
    ra_security x;
    memset(&x, 0, sizeof x);
    snprintf(x.ticker, sizeof x.ticker, "SPY");
    snprintf(x.currency, sizeof x.currency, "USD");
    x.risk_level = 4;
    x.lot_size = 1;
    OK(ra_store_security_put(s, &actor, &x, &err));
    ra_client c;
    memset(&c, 0, sizeof c);
    snprintf(c.code, sizeof c.code, "C1");
    snprintf(c.household, sizeof c.household, "H1");
    OK(ra_store_client_put(s, &actor, &c, &err));
    put_account(s, &actor, "A1", D(2021, 1, 4));
    put_account(s, &actor, "A2", D(2021, 6, 1));
    ra_store_txn t[4] = {
        txn("A1", "T1", RA_TXN_DEPOSIT, D(2021, 1, 4), 0, 0, 1000000, 0),
        txn("A1", "T2", RA_TXN_BUY, D(2021, 1, 5), 10000000, 300000000, 0, 100),
        txn("A1", "T3", RA_TXN_SELL, D(2021, 4, 1), 4000000, 350000000, 0, 200),
        txn("A2", "U1", RA_TXN_DEPOSIT, D(2021, 6, 1), 0, 0, 50000, 0),
    };
    OK(ra_store_txn_append(s, &actor, t, 4, NULL, &err));
    ra_price_obs px[2] = {{"SPY", 0, 320000000}, {"SPY", 0, 400000000}};
    px[0].date = D(2021, 3, 31);
    px[1].date = D(2021, 4, 30);
    OK(ra_store_prices_put(s, &actor, px, 2, 0, NULL, &err));
    return s;
}

static void done(ra_store *s)
{
    char p[300];
    ra_store_close(s);
    unlink(g_path);
    snprintf(p, sizeof p, "%s-wal", g_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", g_path);
    unlink(p);
}

/* On 2021-03-31: A1 holds the 10 SPY bought (the sale of 2021-04-01 is undone) and cash
 * 1,000,000 - 10 x 30,000 - 100 = 699,900 cents; 10 x 320.00 = 320,000 cents; A2 (opened
 * 2021-06-01) is absent. Total 1,019,900. */
static void test_valuation_replays_to_the_date(void **state)
{
    (void)state;
    ra_store *s = book();
    ra_err err = {0};
    ra_account_value *v = NULL;
    size_t n = 0;
    ra_minor total = 0;
    OK(ra_valuation_compute(s, "F1", D(2021, 3, 31), &v, &n, &total, &err));
    assert_int_equal(n, 1);
    assert_string_equal(v[0].account, "A1");
    assert_int_equal(v[0].cash_minor, 699900);
    assert_int_equal(v[0].securities_minor, 320000);
    assert_int_equal(v[0].total_minor, 1019900);
    assert_int_equal(v[0].n_unpriced, 0);
    assert_int_equal(total, 1019900);
    ra_free(v);
    /* before any price (2021-03-30): the 10 SPY are unpriced, the cash as above */
    OK(ra_valuation_compute(s, "F1", D(2021, 3, 30), &v, &n, &total, &err));
    assert_int_equal(n, 1);
    assert_int_equal(v[0].n_unpriced, 1);
    assert_int_equal(v[0].total_minor, 699900);
    ra_free(v);
    /* before A1 was opened: nothing */
    OK(ra_valuation_compute(s, "F1", D(2021, 1, 3), &v, &n, &total, &err));
    assert_int_equal(n, 0);
    assert_int_equal(total, 0);
    ra_free(v);
    done(s);
}

/* On 2021-04-30, after the sale: cash 699,900 + 4 x 35,000 - 200 = 839,700; 6 x 400.00 =
 * 240,000; total 1,079,700 (A2 still absent). On 2021-06-30 A2 is there with its 50,000. */
static void test_valuation_after_the_sale_and_the_opening(void **state)
{
    (void)state;
    ra_store *s = book();
    ra_err err = {0};
    ra_account_value *v = NULL;
    size_t n = 0;
    ra_minor total = 0;
    OK(ra_valuation_compute(s, "F1", D(2021, 4, 30), &v, &n, &total, &err));
    assert_int_equal(n, 1);
    assert_int_equal(v[0].cash_minor, 839700);
    assert_int_equal(v[0].securities_minor, 240000);
    assert_int_equal(total, 1079700);
    ra_free(v);
    OK(ra_valuation_compute(s, "F1", D(2021, 6, 30), &v, &n, &total, &err));
    assert_int_equal(n, 2);
    assert_string_equal(v[1].account, "A2");
    assert_int_equal(v[1].total_minor, 50000);
    assert_int_equal(total, 1079700 + 50000);
    ra_free(v);
    done(s);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_valuation_replays_to_the_date),
    cmocka_unit_test(test_valuation_after_the_sale_and_the_opening),
};

int main(void) { return cmocka_run_group_tests_name("valuation", tests, NULL, NULL); }
