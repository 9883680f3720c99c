/* Tests of ra_gains_compute (src/engine/gains.c, include/roboadvisor/engine_gains.h) on a real
 * SQLite book in a temporary file: the household's accounts found through the store, each ledger
 * replayed into wash-sale events (docs/methodology.md#wash-sales). Every expected figure is
 * derived by hand next to its case from IRS Publication 550 ("Wash Sales") and 26 CFR 1.1091-1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"
#include "roboadvisor/alloc.h"
#include "roboadvisor/engine_gains.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_dir[256];
static int g_serial;

typedef struct fx {
    ra_store *s;
    char url[512];
    ra_store_actor actor;
} fx;

static void must(ra_status rc, const ra_err *err)
{
    if (rc != RA_OK)
        fail_msg("status %s: %s [%s]", ra_status_name(rc), err->msg, err->where);
}
#define OK(expr) must((expr), &err)

static ra_date D(int y, int m, int d) { return ra_date_from_ymd(y, m, d); }
#define SH(n) ((ra_micro)(n) * RA_MICRO_PER_SHARE)
#define PX(cents) ((ra_price)(cents) * (RA_MICRO_PER_UNIT / 100))

static void client(fx *f, const char *code, const char *household)
{
    ra_err err = {0};
    ra_client c;
    memset(&c, 0, sizeof c);
    snprintf(c.code, sizeof c.code, "%s", code);
    snprintf(c.household, sizeof c.household, "%s", household);
    snprintf(c.name, sizeof c.name, "Client %s", code);
    OK(ra_store_client_put(f->s, &f->actor, &c, &err));
}

static void account(fx *f, const char *code, const char *owner, ra_account_type type)
{
    ra_err err = {0};
    ra_account a;
    memset(&a, 0, sizeof a);
    snprintf(a.code, sizeof a.code, "%s", code);
    snprintf(a.client, sizeof a.client, "%s", owner);
    a.type = type;
    snprintf(a.currency, sizeof a.currency, "USD");
    a.opened = D(2023, 1, 2);
    a.mandate.discretionary = 1;
    a.mandate.drift_band = 0.05;
    a.mandate.loss_limit = 0.10;
    OK(ra_store_account_put(f->s, &f->actor, &a, &err));
    ra_store_txn t;
    memset(&t, 0, sizeof t);
    snprintf(t.account, sizeof t.account, "%s", code);
    snprintf(t.external_id, sizeof t.external_id, "cash");
    t.kind = RA_TXN_DEPOSIT;
    t.date = D(2023, 1, 3);
    t.amount_minor = 1000000; /* 10,000.00 */
    OK(ra_store_txn_append(f->s, &f->actor, &t, 1, NULL, &err));
}

/* A buy or a sell of XYZ (FIFO, no fees). */
static void trade(fx *f, const char *acct, const char *ext, ra_txn_kind kind, ra_date d,
                  int shares, int price_cents)
{
    ra_err err = {0};
    ra_store_txn t;
    memset(&t, 0, sizeof t);
    snprintf(t.account, sizeof t.account, "%s", acct);
    snprintf(t.external_id, sizeof t.external_id, "%s", ext);
    t.kind = kind;
    t.date = d;
    snprintf(t.ticker, sizeof t.ticker, "XYZ");
    t.qty_micro = SH(shares);
    t.price = PX(price_cents);
    OK(ra_store_txn_append(f->s, &f->actor, &t, 1, NULL, &err));
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    ra_err err = {0};
    snprintf(f->url, sizeof f->url, "%s/book%d.db", g_dir, ++g_serial);
    OK(ra_store_open(f->url, NULL, &f->s, &err));
    OK(ra_store_init(f->s, &err));
    snprintf(f->actor.user, sizeof f->actor.user, "tester");
    snprintf(f->actor.firm, sizeof f->actor.firm, "F1");
    uint8_t key[RA_STORE_KEY_BYTES];
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        key[i] = (uint8_t)(i * 5 + 3);
    OK(ra_store_set_firm_key(f->s, "F1", key, &err));
    ra_firm firm = {"F1", "First Firm", "USD", 2};
    OK(ra_store_firm_put(f->s, &f->actor, &firm, &err));
    ra_security x;
    memset(&x, 0, sizeof x);
    snprintf(x.ticker, sizeof x.ticker, "XYZ");
    snprintf(x.name, sizeof x.name, "X stock");
    snprintf(x.asset_class, sizeof x.asset_class, "us_equity");
    snprintf(x.currency, sizeof x.currency, "USD");
    x.risk_level = 4;
    x.lot_size = 1;
    x.on_shelf = 1;
    OK(ra_store_security_put(f->s, &f->actor, &x, &err));
    /* household H1: C1 and the spouse C2; C3 of another household */
    client(f, "C1", "H1");
    client(f, "C2", "H1");
    client(f, "C3", "H2");
    account(f, "A1", "C1", RA_ACCOUNT_TAXABLE);
    account(f, "A2", "C2", RA_ACCOUNT_TAXABLE);
    account(f, "A3", "C3", RA_ACCOUNT_TAXABLE);
    account(f, "A4", "C2", RA_ACCOUNT_TAX_FREE);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    ra_store_close(f->s);
    char p[600];
    unlink(f->url);
    snprintf(p, sizeof p, "%s-wal", f->url);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f->url);
    unlink(p);
    free(f);
    return 0;
}

static ra_gains_report *gains(fx *f, const char *acct, int year)
{
    ra_err err = {0};
    ra_gains_options o;
    ra_gains_options_default(&o);
    o.year = year;
    ra_gains_report *r = NULL;
    OK(ra_gains_compute(f->s, "F1", acct, &o, &r, &err));
    return r;
}

/* Publication 550 example 1 across spouses: 100 shares bought for 1,000.00 and sold for 750.00 in
 * C1's account, 100 bought for 800.00 eleven days later in C2's taxable account. The loss of 250
 * is disallowed; the spouse's new shares have basis 800 + 250 = 1,050.00, their holding period
 * starts 142 days (2023-01-10 .. 2023-06-01) before 2023-06-12: 2023-01-21. The purchase of the
 * other household (C3) on the day of the sale changes nothing. */
static void test_gains_compute_spouse_replacement_takes_the_loss(void **state)
{
    fx *f = *state;
    trade(f, "A1", "b1", RA_TXN_BUY, D(2023, 1, 10), 100, 1000);
    trade(f, "A1", "s1", RA_TXN_SELL, D(2023, 6, 1), 100, 750);
    trade(f, "A3", "b1", RA_TXN_BUY, D(2023, 6, 1), 100, 750);
    trade(f, "A2", "b1", RA_TXN_BUY, D(2023, 6, 12), 100, 800);
    ra_gains_report *r = gains(f, "A1", 0);
    assert_string_equal(r->account, "A1");
    assert_string_equal(r->currency, "USD");
    assert_int_equal(r->minor_digits, 2);
    assert_int_equal(r->n_household_accounts, 3); /* A1, A2, A4 */
    assert_int_equal(r->n_sales, 1);
    assert_int_equal(r->sales[0].txn_seq, 3); /* deposit, buy, sell */
    assert_int_equal(r->sales[0].proceeds_minor, 75000);
    assert_int_equal(r->sales[0].cost_minor, 100000);
    assert_int_equal(r->sales[0].gain_minor, -25000);
    assert_int_equal(r->sales[0].disallowed_minor, 25000);
    assert_int_equal(r->n_parts, 1);
    assert_int_equal(r->parts[0].lot_id, 1);
    assert_int_equal(r->parts[0].long_term, 0);
    assert_int_equal(r->totals.short_term_minor, 0);
    assert_int_equal(r->n_open, 0);
    ra_gains_report_destroy(r);
    r = gains(f, "A2", 0);
    assert_int_equal(r->n_sales, 0);
    assert_int_equal(r->n_open, 1);
    assert_int_equal(r->open[0].lot_id, 1);
    assert_string_equal(r->open[0].ticker, "XYZ");
    assert_int_equal(r->open[0].cost_minor, 105000);
    assert_int_equal(r->open[0].adjustment_minor, 25000);
    assert_int_equal(r->open[0].acquired, D(2023, 6, 12));
    assert_int_equal(r->open[0].holding_from, D(2023, 1, 21));
    ra_gains_report_destroy(r);
    r = gains(f, "A3", 0);
    assert_int_equal(r->open[0].cost_minor, 75000);
    assert_int_equal(r->open[0].adjustment_minor, 0);
    ra_gains_report_destroy(r);
}

/* 26 CFR 1.1091-1(d): fewer replacement shares than shares sold. 100 shares bought at 10.00
 * (1,000.00) sold at 7.00 (700.00): loss 300.00. 40 shares bought back at 7.50 (300.00) ten days
 * later: disallowed 300 x 40 / 100 = 120.00; loss allowed 180.00; new basis 300 + 120 = 420.00. */
static void test_gains_compute_partial_replacement(void **state)
{
    fx *f = *state;
    trade(f, "A1", "b1", RA_TXN_BUY, D(2023, 2, 1), 100, 1000);
    trade(f, "A1", "s1", RA_TXN_SELL, D(2023, 3, 1), 100, 700);
    trade(f, "A1", "b2", RA_TXN_BUY, D(2023, 3, 11), 40, 750);
    ra_gains_report *r = gains(f, "A1", 2023);
    assert_int_equal(r->n_sales, 1);
    assert_int_equal(r->sales[0].gain_minor, -30000);
    assert_int_equal(r->sales[0].disallowed_minor, 12000);
    assert_int_equal(r->totals.short_term_minor, -18000);
    assert_int_equal(r->n_open, 1);
    assert_int_equal(r->open[0].lot_id, 2);
    assert_int_equal(r->open[0].qty_micro, SH(40));
    assert_int_equal(r->open[0].cost_minor, 42000);
    assert_int_equal(r->open[0].adjustment_minor, 12000);
    ra_gains_report_destroy(r);
    /* the sale is of 2023: none in 2024, the open lot all the same */
    r = gains(f, "A1", 2024);
    assert_int_equal(r->n_sales, 0);
    assert_int_equal(r->totals.gain_minor, 0);
    assert_int_equal(r->n_open, 1);
    ra_gains_report_destroy(r);
}

/* A split between purchase and sale: 100 shares for 1,000.00, split 2 for 1 (200 shares, basis
 * kept), sold 200 at 4.00 (800.00): loss 200.00; 200 bought at 4.50 (900.00) within the window:
 * all 200.00 disallowed, new basis 1,100.00. */
static void test_gains_compute_split_then_wash(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    trade(f, "A1", "b1", RA_TXN_BUY, D(2023, 2, 1), 100, 1000);
    ra_store_txn t;
    memset(&t, 0, sizeof t);
    snprintf(t.account, sizeof t.account, "A1");
    snprintf(t.external_id, sizeof t.external_id, "sp");
    t.kind = RA_TXN_SPLIT;
    t.date = D(2023, 3, 1);
    snprintf(t.ticker, sizeof t.ticker, "XYZ");
    t.split.num = 2;
    t.split.den = 1;
    OK(ra_store_txn_append(f->s, &f->actor, &t, 1, NULL, &err));
    trade(f, "A1", "s1", RA_TXN_SELL, D(2023, 4, 3), 200, 400);
    trade(f, "A1", "b2", RA_TXN_BUY, D(2023, 4, 20), 200, 450);
    ra_gains_report *r = gains(f, "A1", 0);
    assert_int_equal(r->n_sales, 1);
    assert_int_equal(r->sales[0].qty_micro, SH(200));
    assert_int_equal(r->sales[0].gain_minor, -20000);
    assert_int_equal(r->sales[0].disallowed_minor, 20000);
    assert_int_equal(r->n_open, 1);
    assert_int_equal(r->open[0].cost_minor, 110000);
    ra_gains_report_destroy(r);
}

/* A transfer in is not a purchase (docs/methodology.md#wash-sales): lots arriving in the spouse's
 * account five days after the loss sale replace nothing, and keep their own basis. A reinvested
 * dividend is a purchase: 10 shares reinvested at 7.60 (76.00) in the spouse's Roth IRA replace
 * 10 of the 100 shares sold: 250 x 10 / 100 = 25.00 disallowed, added to no basis (Rev. Rul.
 * 2008-5). */
static void test_gains_compute_transfer_in_is_no_purchase_reinvest_is(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    trade(f, "A1", "b1", RA_TXN_BUY, D(2023, 1, 10), 100, 1000);
    trade(f, "A1", "s1", RA_TXN_SELL, D(2023, 6, 1), 100, 750);
    ra_store_lot_in in = {"XYZ", D(2020, 5, 5), SH(50), 30000};
    ra_store_txn t;
    memset(&t, 0, sizeof t);
    snprintf(t.account, sizeof t.account, "A2");
    snprintf(t.external_id, sizeof t.external_id, "ti");
    t.kind = RA_TXN_TRANSFER_IN;
    t.date = D(2023, 6, 6);
    t.lots_in = &in;
    t.n_lots_in = 1;
    OK(ra_store_txn_append(f->s, &f->actor, &t, 1, NULL, &err));
    ra_gains_report *r = gains(f, "A1", 0);
    assert_int_equal(r->sales[0].disallowed_minor, 0);
    ra_gains_report_destroy(r);
    r = gains(f, "A2", 0);
    assert_int_equal(r->n_open, 1);
    assert_int_equal(r->open[0].cost_minor, 30000);
    assert_int_equal(r->open[0].holding_from, D(2020, 5, 5));
    ra_gains_report_destroy(r);
    memset(&t, 0, sizeof t);
    snprintf(t.account, sizeof t.account, "A4");
    snprintf(t.external_id, sizeof t.external_id, "re");
    t.kind = RA_TXN_REINVEST;
    t.date = D(2023, 6, 20);
    snprintf(t.ticker, sizeof t.ticker, "XYZ");
    t.qty_micro = SH(10);
    t.price = PX(760);
    t.amount_minor = 7600;
    OK(ra_store_txn_append(f->s, &f->actor, &t, 1, NULL, &err));
    r = gains(f, "A1", 0);
    assert_int_equal(r->sales[0].disallowed_minor, 2500);
    assert_int_equal(r->totals.short_term_minor, -22500);
    ra_gains_report_destroy(r);
    r = gains(f, "A4", 0);
    assert_int_equal(r->n_open, 1);
    assert_int_equal(r->open[0].cost_minor, 7600);
    assert_int_equal(r->open[0].adjustment_minor, 0);
    ra_gains_report_destroy(r);
}

/* The k-th allocation through the library's allocator fails (ra_alloc_set_hooks), for every k
 * until the report is built: each time RA_ENOMEM or a store error, no report, nothing leaked
 * (ASan). The store's own allocations and SQLite's are not failed here. Counts its rounds. */
static long g_allocs_left;
static void *fail_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return g_allocs_left-- > 0 ? malloc(n) : NULL;
}
static void *fail_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return g_allocs_left-- > 0 ? realloc(p, n) : NULL;
}
static void plain_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static void test_gains_compute_allocation_failures(void **state)
{
    fx *f = *state;
    trade(f, "A1", "b1", RA_TXN_BUY, D(2023, 1, 10), 100, 1000);
    trade(f, "A1", "s1", RA_TXN_SELL, D(2023, 6, 1), 60, 750);
    trade(f, "A2", "b1", RA_TXN_BUY, D(2023, 6, 12), 30, 800);
    ra_alloc_hooks h = {fail_malloc, fail_realloc, plain_free, NULL};
    long k = 0, failures = 0;
    for (;; k++) {
        ra_err err = {0};
        ra_gains_report *r = (ra_gains_report *)1;
        g_allocs_left = k;
        ra_alloc_set_hooks(&h);
        ra_status st = ra_gains_compute(f->s, "F1", "A1", NULL, &r, &err);
        ra_alloc_set_hooks(NULL);
        if (st == RA_OK) {
            ra_gains_report_destroy(r);
            break;
        }
        if (st != RA_ENOMEM)
            fail_msg("allocation %ld: %s: %s", k, ra_status_name(st), err.msg);
        assert_null(r);
        failures++;
    }
    assert_true(failures >= 8); /* the engine's and the rule's arrays, at the least */
}

/* The household's accounts straight from the store (what the gains report replays, read through
 * the household's clients instead of every account and client of the firm): the setup's H1 holds
 * C1's A1 and C2's A2 and A4, H2 C3's A3; in code order, the account itself among them. */
static void test_store_household_accounts(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    char(*codes)[RA_CODE_MAX] = NULL;
    size_t n = 0;
    OK(ra_store_household_accounts(f->s, "F1", "A4", &codes, &n, &err));
    assert_int_equal(n, 3);
    assert_string_equal(codes[0], "A1");
    assert_string_equal(codes[1], "A2");
    assert_string_equal(codes[2], "A4");
    ra_store_free(codes);
    OK(ra_store_household_accounts(f->s, "F1", "A3", &codes, &n, &err));
    assert_int_equal(n, 1);
    assert_string_equal(codes[0], "A3");
    ra_store_free(codes);
    assert_int_equal(ra_store_household_accounts(f->s, "F1", "NOPE", &codes, &n, &err),
                     RA_ENOTFOUND);
    assert_null(codes);
    assert_int_equal(n, 0);
}

static void test_gains_compute_errors(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_gains_report *r = (ra_gains_report *)1;
    assert_int_equal(ra_gains_compute(f->s, "F1", "NOPE", NULL, &r, &err), RA_ENOTFOUND);
    assert_null(r);
    ra_gains_options o;
    ra_gains_options_default(&o);
    o.window_days = RA_WASH_WINDOW_DAYS_MAX + 1;
    assert_int_equal(ra_gains_compute(f->s, "F1", "A1", &o, &r, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "window"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_gains_compute_spouse_replacement_takes_the_loss,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_gains_compute_partial_replacement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gains_compute_split_then_wash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gains_compute_transfer_in_is_no_purchase_reinvest_is,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_gains_compute_allocation_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_household_accounts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gains_compute_errors, setup, teardown),
    };
    snprintf(g_dir, sizeof g_dir, "/tmp/ra_test_gains_XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    int rc = cmocka_run_group_tests_name("engine_gains", tests, NULL, NULL);
    rmdir(g_dir);
    return rc;
}
