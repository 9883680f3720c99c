/* Tests of the demo-book generator (include/roboadvisor/bookgen.h) on the real data of
 * ../shared/data: aa_etf_descriptions.csv (shelf), aa_etf_prices.csv (closes), av_etf_dividends.csv
 * and av_etf_splits.csv (dividends in split-adjusted share units). Expected counts are properties
 * of the generator's documented rules (docs/methodology.md), not fitted numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"

#include <roboadvisor/bookgen.h>
#include <roboadvisor/roboadvisor.h>

#include <string.h>

typedef struct fixture {
    ra_security *shelf;
    size_t n_shelf;
    ra_series *prices;
    ra_price *close;
    ra_dividend *divs;
    size_t n_divs;
    ra_split *splits;
    size_t n_splits;
    ra_bookgen_market m;
} fixture;

static char *slurp(const char *path, size_t *size)
{
    char *data = NULL;
    ra_err err = {0};
    if (ra_file_read(path, (size_t)1 << 28, &data, size, &err) != RA_OK)
        fail_msg("%s: %s", err.where, err.msg);
    return data;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    ra_err err = {0};
    size_t size;
    char *d = slurp(RA_DATA("aa_etf_descriptions.csv"), &size);
    assert_int_equal(ra_bookgen_shelf_parse(d, size, "aa_etf_descriptions.csv", &f->shelf,
                                            &f->n_shelf, &err), RA_OK);
    free(d);
    assert_int_equal(ra_csv_read_series(RA_DATA("aa_etf_prices.csv"), &f->prices, &err), RA_OK);
    assert_int_equal(ra_bookgen_close_from_series(f->prices, f->shelf, f->n_shelf, &f->close,
                                                  &err), RA_OK);
    d = slurp(RA_DATA("av_etf_dividends.csv"), &size);
    assert_int_equal(ra_bookgen_dividends_parse(d, size, "av_etf_dividends.csv", &f->divs,
                                                &f->n_divs, &err), RA_OK);
    free(d);
    d = slurp(RA_DATA("av_etf_splits.csv"), &size);
    assert_int_equal(ra_bookgen_splits_parse(d, size, "av_etf_splits.csv", &f->splits,
                                             &f->n_splits, &err), RA_OK);
    free(d);
    assert_int_equal(ra_bookgen_dividends_adjust(f->divs, f->n_divs, f->splits, f->n_splits,
                                                 &err), RA_OK);
    f->m.securities = f->shelf;
    f->m.n_securities = f->n_shelf;
    f->m.dates = f->prices->dates;
    f->m.n_dates = f->prices->n_rows;
    f->m.close = f->close;
    f->m.dividends = f->divs;
    f->m.n_dividends = f->n_divs;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    free(f->shelf);
    free(f->close);
    free(f->divs);
    free(f->splits);
    ra_series_destroy(f->prices);
    free(f);
    return 0;
}

static const ra_security *find_sec(const fixture *f, const char *ticker)
{
    for (size_t i = 0; i < f->n_shelf; i++)
        if (strcmp(f->shelf[i].ticker, ticker) == 0)
            return &f->shelf[i];
    fail_msg("no %s on the shelf", ticker);
    return NULL;
}

/* The 37 funds of aa_etf_descriptions.csv, classified by focus, type and name. */
static void test_shelf_parse_classifies_aa_etfs(void **state)
{
    fixture *f = *state;
    assert_int_equal(f->n_shelf, 37);
    const struct {
        const char *t, *ac;
        int risk;
        const char *tlh;
    } want[] = {{"SPY", "us_equity", 4, "us_large"},   {"VTI", "us_equity", 4, "us_large"},
                {"IWM", "us_equity", 5, "us_small"},   {"BIL", "cash", 1, ""},
                {"SHY", "us_bonds", 1, ""},            {"BND", "us_bonds", 2, "us_agg"},
                {"HYG", "us_bonds", 3, ""},            {"TIP", "inflation_bonds", 2, ""},
                {"BNDX", "intl_bonds", 2, "intl_bond"}, {"EMB", "intl_bonds", 3, ""},
                {"EFA", "intl_equity", 4, "intl_dev"}, {"SCZ", "intl_equity", 5, ""},
                {"EEM", "em_equity", 5, ""},           {"VNQ", "real_estate", 4, "us_reit"},
                {"REM", "real_estate", 5, ""},         {"GLD", "commodities", 5, ""}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const ra_security *s = find_sec(f, want[i].t);
        assert_string_equal(s->asset_class, want[i].ac);
        assert_int_equal(s->risk_level, want[i].risk);
        assert_string_equal(s->tlh_group, want[i].tlh);
        assert_int_equal(s->lot_size, 1);
        assert_string_equal(s->currency, "USD");
        assert_true(s->on_shelf);
    }
    assert_string_equal(find_sec(f, "VTI")->name, "Vanguard Total Stock Market Index Fund;ETF");
}

static void test_shelf_parse_rejects_unknown_type(void **state)
{
    (void)state;
    const char csv[] = "Ticker,Fund Name,Geographic Focus,Fund Type\n"
                       "XYZ,Some Fund,Global,Crypto\n";
    ra_security *s = NULL;
    size_t n = 0;
    ra_err err = {0};
    assert_int_equal(ra_bookgen_shelf_parse(csv, sizeof csv - 1, "x.csv", &s, &n, &err),
                     RA_EPARSE);
    assert_null(s);
    assert_string_equal(err.where, "x.csv:2:4 (Fund Type)");
}

/* BIL's 1-for-2 reverse split of 2017-06-23 (av_etf_splits.csv): a dividend paid before it is per
 * old share, twice as many as the split-adjusted shares of aa_etf_prices.csv, so it doubles. */
static void test_dividends_adjust_reverse_split(void **state)
{
    (void)state;
    ra_dividend d[2] = {{"BIL", 0, 12345}, {"BIL", 0, 50000}};
    d[0].ex_date = ra_date_from_ymd(2017, 6, 1);
    d[1].ex_date = ra_date_from_ymd(2017, 7, 3);
    ra_split sp = {"BIL", 0, {1, 2}};
    sp.date = ra_date_from_ymd(2017, 6, 23);
    ra_err err = {0};
    assert_int_equal(ra_bookgen_dividends_adjust(d, 2, &sp, 1, &err), RA_OK);
    assert_int_equal(d[0].amount, 24690);
    assert_int_equal(d[1].amount, 50000);
}

static void assert_books_equal(const ra_bookgen_book *a, const ra_bookgen_book *b)
{
    assert_memory_equal(&a->firm, &b->firm, sizeof a->firm);
    assert_int_equal(a->n_clients, b->n_clients);
    assert_int_equal(a->n_accounts, b->n_accounts);
    assert_int_equal(a->n_txns, b->n_txns);
    assert_memory_equal(a->clients, b->clients, a->n_clients * sizeof *a->clients);
    assert_memory_equal(a->advisors, b->advisors, a->n_advisors * sizeof *a->advisors);
    for (size_t i = 0; i < a->n_accounts; i++) {
        assert_string_equal(a->accounts[i].code, b->accounts[i].code);
        assert_int_equal(a->accounts[i].opened, b->accounts[i].opened);
        assert_int_equal(a->accounts[i].type, b->accounts[i].type);
        assert_string_equal(a->accounts[i].mandate.model, b->accounts[i].mandate.model);
        assert_true(a->accounts[i].mandate.drift_band == b->accounts[i].mandate.drift_band);
    }
    for (size_t i = 0; i < a->n_txns; i++) {
        const ra_txn *x = &a->txns[i], *y = &b->txns[i];
        assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->id, y->id);
        assert_int_equal(x->date, y->date);
        assert_int_equal(x->security, y->security);
        assert_int_equal(x->qty_micro, y->qty_micro);
        assert_int_equal(x->price, y->price);
        assert_int_equal(x->amount_minor, y->amount_minor);
        assert_int_equal(x->relief, y->relief);
        assert_string_equal(a->txn_ext_id[i], b->txn_ext_id[i]);
    }
    assert_int_equal(a->value_minor, b->value_minor);
}

static ra_bookgen_book *generate(const fixture *f, uint64_t seed, size_t n_clients)
{
    ra_bookgen_settings s;
    ra_bookgen_settings_default(&s);
    s.seed = seed;
    s.n_clients = n_clients;
    ra_bookgen_book *b = NULL;
    ra_err err = {0};
    ra_status rc = ra_bookgen_create(&s, &f->m, &b, &err);
    if (rc != RA_OK)
        fail_msg("seed %llu: %s: %s", (unsigned long long)seed, err.where, err.msg);
    return b;
}

static void test_create_same_seed_same_book(void **state)
{
    fixture *f = *state;
    ra_bookgen_book *a = generate(f, 7, 60), *b = generate(f, 7, 60), *c = generate(f, 8, 60);
    assert_books_equal(a, b);
    /* another seed gives another book */
    assert_true(a->n_txns != c->n_txns || a->value_minor != c->value_minor ||
                strcmp(a->clients[0].name, c->clients[0].name) != 0);
    ra_bookgen_destroy(a);
    ra_bookgen_destroy(b);
    ra_bookgen_destroy(c);
}

/* Every account's transactions replay through the ledger (no overdraft, no overselling), ids are
 * 1..n in order, external ids are unique, dates stay in the window and never go backwards. */
static void test_create_every_account_replays(void **state)
{
    fixture *f = *state;
    static const uint64_t seeds[] = {1, 2, 3};
    size_t checks = 0;
    for (size_t si = 0; si < sizeof seeds / sizeof seeds[0]; si++) {
        ra_bookgen_book *b = generate(f, seeds[si], 80);
        ra_err err = {0};
        for (size_t a = 0; a < b->n_accounts; a++) {
            size_t lo = b->txn_first[a], hi = b->txn_first[a + 1];
            assert_true(hi > lo);
            assert_int_equal(b->txns[lo].kind, RA_TXN_DEPOSIT);
            assert_int_equal(b->txns[lo].date, b->accounts[a].opened);
            for (size_t i = lo + 1; i < hi; i++)
                assert_true(b->txns[i].date >= b->txns[i - 1].date);
            ra_ledger l;
            if (ra_ledger_replay(b->txns + lo, hi - lo, NULL, NULL, &l, &err) != RA_OK)
                fail_msg("seed %llu account %s: %s: %s", (unsigned long long)seeds[si],
                         b->accounts[a].code, err.where, err.msg);
            assert_true(l.cash_minor >= 0);
            assert_int_equal(ra_ledger_check(&l, b->txns + lo, hi - lo, &err), RA_OK);
            ra_ledger_free(&l);
            checks++;
        }
        for (size_t i = 0; i < b->n_txns; i++) {
            assert_int_equal(b->txns[i].id, i + 1);
            assert_true(b->txns[i].security < b->n_securities);
            assert_true(b->txns[i].date >= b->first_date && b->txns[i].date <= b->last_date);
        }
        for (size_t i = 1; i < b->n_txns; i++) /* ids are "ACCOUNT-SEQ": sorted within the book */
            assert_true(strcmp(b->txn_ext_id[i - 1], b->txn_ext_id[i]) < 0);
        ra_bookgen_destroy(b);
    }
    assert_true(checks > 3 * 80);
}

/* The default book: 300 clients over the 5 years ending at the last dividend (2020-12-10). */
static void test_create_default_counts(void **state)
{
    fixture *f = *state;
    ra_bookgen_book *b = generate(f, RA_BOOKGEN_DEFAULT_SEED, RA_BOOKGEN_DEFAULT_CLIENTS);
    assert_string_equal(b->firm.code, "DEMO");
    assert_int_equal(b->n_clients, 300);
    assert_int_equal(b->n_advisors, 300 / 60 + 3);
    /* households of one or two clients, about a third of them couples */
    assert_true(b->n_households >= 150 && b->n_households < 300);
    /* 1-3 accounts a client: 45 % one, 35 % two, 20 % three -> about 1.75 a client */
    assert_true(b->n_accounts >= 300 * 15 / 10 && b->n_accounts <= 300 * 2);
    char d1[11], d2[11];
    ra_date_format(b->first_date, d1);
    ra_date_format(b->last_date, d2);
    assert_true(strcmp(d1, "2015-12-11") >= 0);
    assert_true(strcmp(d2, "2020-12-01") >= 0 && strcmp(d2, "2020-12-10") <= 0);
    /* every kind the generator writes appears */
    assert_true(b->n_by_kind[RA_TXN_DEPOSIT] >= b->n_accounts);
    assert_true(b->n_by_kind[RA_TXN_BUY] > b->n_accounts * 5);
    assert_true(b->n_by_kind[RA_TXN_SELL] > 100);
    assert_true(b->n_by_kind[RA_TXN_DIVIDEND] > 1000);
    assert_true(b->n_by_kind[RA_TXN_REINVEST] > 1000);
    assert_true(b->n_by_kind[RA_TXN_FEE] > b->n_accounts * 10);
    assert_true(b->n_by_kind[RA_TXN_WITHDRAWAL] > 10);
    assert_int_equal(b->n_by_kind[RA_TXN_SPLIT] + b->n_by_kind[RA_TXN_TRANSFER_IN], 0);
    /* money adds up: cash = deposits + dividends - withdrawals - fees - buys + sales */
    assert_true(b->value_minor > b->cash_minor && b->cash_minor > 0);
    assert_true(b->deposits_minor > b->withdrawals_minor);
    /* personal data is fictitious: tax ids in the never-issued area 000 */
    for (size_t i = 0; i < b->n_clients; i++)
        assert_memory_equal(b->clients[i].tax_id, "000-", 4);
    ra_bookgen_destroy(b);
}

static void test_create_rejects_bad_settings(void **state)
{
    fixture *f = *state;
    ra_bookgen_settings s;
    ra_bookgen_settings_default(&s);
    ra_bookgen_book *b = (ra_bookgen_book *)1;
    ra_err err = {0};
    s.n_clients = 0;
    assert_int_equal(ra_bookgen_create(&s, &f->m, &b, &err), RA_EINVAL);
    assert_null(b);
    ra_bookgen_settings_default(&s);
    s.start = ra_date_from_ymd(2030, 1, 1);
    s.end = ra_date_from_ymd(2031, 1, 1);
    assert_int_equal(ra_bookgen_create(&s, &f->m, &b, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "fewer than 2 market dates"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shelf_parse_classifies_aa_etfs),
        cmocka_unit_test(test_shelf_parse_rejects_unknown_type),
        cmocka_unit_test(test_dividends_adjust_reverse_split),
        cmocka_unit_test(test_create_same_seed_same_book),
        cmocka_unit_test(test_create_every_account_replays),
        cmocka_unit_test(test_create_default_counts),
        cmocka_unit_test(test_create_rejects_bad_settings),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
