/* Property tests of the daily cycle over generated books (issue 12, "Reliability"): for each seed,
 * a demo book of RA_PROPS_CLIENTS clients is generated, its models built and its clients onboarded
 * on the first day, and the cycle runs every trading day to the last with --execute close (the
 * backtest's run, ra_backtest_run) through a fall of the markets, so that losses are harvested
 * and wash-sale windows open: 2020-02-14 to 2020-03-31 (seeds 1-3, the COVID-19 fall) and
 * 2018-09-28 to 2018-12-31 (seeds 4-5). Then, from the stored book alone:
 *
 *   P1  every discretionary account with a model is within its bands after each day, or its daily
 *       value records why not (a RA_HELD_* reason: cash, minimum trade, lot size, wash-sale
 *       window, tax deferral, buy-only, not tradable);
 *   P2  cash is never negative (every daily value, every account's final ledger);
 *   P3  no sale the engine made is a wash sale: the household's wash-sale rule (ra_gains_compute,
 *       IRS Publication 550, itself tested against an independent model in test_washsale.c)
 *       disallows nothing of any loss sale dated after the onboarding day;
 *   P4  re-running the last day is a no-op: nothing processed, the day's proposals and orders and
 *       every account's transaction count unchanged;
 *   P5  a day in the middle replays identically after the later days ran (ra_cycle_replay), and
 *       `check` and `audit verify` are clean.
 *
 * The expected values are the properties themselves (no figure is computed here by the code under
 * test and compared with itself); each property also counts what it checked, and the run must
 * have exercised it (loss sales for P3, out-of-band days for P1). Seeds are fixed: a failure is
 * reproducible with `roboadvisor backtest --seed S --db FILE` and the same dates. The sanitized
 * build runs seeds 1 and 4 (one of each fall), the release build all five. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"
#include "roboadvisor/alloc.h"
#include "roboadvisor/engine_backtest.h"
#include "roboadvisor/engine_book.h"
#include "roboadvisor/engine_cycle.h"
#include "roboadvisor/engine_gains.h"
#include "ra_test_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RA_PROPS_CLIENTS 30

#define OK(expr) ra_tdb_must((expr), &err)

typedef struct counts {
    size_t days, oob_days, held_days, loss_sales, harvests, accounts;
} counts;

static ra_date D(int y, int m, int d) { return ra_date_from_ymd(y, m, d); }

static void *read_questionnaire(size_t *n)
{
    FILE *f = fopen(RA_REPO_DIR "/examples/questionnaire/default.json", "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 20);
    *n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    return buf;
}

static size_t count_day(ra_store *s, ra_date d, int orders)
{
    ra_err err = {0};
    ra_cycle_filter f = {d, NULL, NULL};
    size_t n = 0;
    if (orders) {
        ra_cycle_order *o = NULL;
        OK(ra_store_orders_list(s, "DEMO", &f, &o, &n, &err));
        ra_store_free(o);
    } else {
        ra_cycle_proposal *p = NULL;
        OK(ra_store_proposals_list(s, "DEMO", &f, &p, &n, &err));
        ra_cycle_proposals_free(p, n);
    }
    return n;
}

/* P1, P2, P3 for one account. */
static void account_props(ra_store *s, const char *code, ra_date from, counts *c)
{
    ra_err err = {0};
    ra_account a;
    OK(ra_store_account_get(s, "DEMO", code, &a, &err));
    ra_cycle_value *v = NULL;
    size_t n = 0;
    OK(ra_store_daily_values(s, "DEMO", code, 0, 0, &v, &n, &err));
    for (size_t i = 0; i < n; i++) {
        if (v[i].cash_minor < 0)
            fail_msg("P2: account %s has cash %lld on day %d", code, (long long)v[i].cash_minor,
                     (int)v[i].date);
        if (!a.mandate.discretionary || !a.mandate.model[0])
            continue;
        c->days++;
        if (v[i].out_of_band) {
            c->oob_days++;
            if (v[i].held_back == 0)
                fail_msg("P1: discretionary account %s is out of band after day %d with no "
                         "recorded reason", code, (int)v[i].date);
            c->held_days++;
        }
    }
    ra_store_free(v);
    ra_ledger l;
    OK(ra_store_account_ledger(s, "DEMO", code, &l, &err));
    if (l.cash_minor < 0)
        fail_msg("P2: account %s ends with cash %lld", code, (long long)l.cash_minor);
    ra_ledger_free(&l);
    ra_gains_report *g = NULL;
    OK(ra_gains_compute(s, "DEMO", code, NULL, &g, &err));
    for (size_t i = 0; i < g->n_sales; i++) {
        const ra_gains_sale *x = &g->sales[i];
        if (x->date <= from || x->gain_minor + x->disallowed_minor >= 0)
            continue;
        c->loss_sales++;
        c->harvests += x->harvest != 0;
        if (x->disallowed_minor != 0)
            fail_msg("P3: account %s's engine sale of %s on day %d is a wash sale (%lld minor "
                     "units disallowed)", code, x->ticker, (int)x->date,
                     (long long)x->disallowed_minor);
    }
    ra_gains_report_destroy(g);
}

static void run_seed(uint64_t seed, ra_date from, ra_date to, ra_date replay_day)
{
    ra_err err = {0};
    char url[1024];
    assert_int_equal(ra_tdb_fresh(url, sizeof url), 0);
    uint8_t key[RA_STORE_KEY_BYTES];
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        key[i] = (uint8_t)(i * 5 + 3);
    ra_book_open_opts bo;
    memset(&bo, 0, sizeof bo);
    bo.url = url;
    bo.firm = "DEMO";
    bo.user = "props";
    bo.create = 1;
    bo.key = key;
    ra_book *b = NULL;
    OK(ra_book_open(&bo, &b, &err));
    size_t qn = 0;
    void *q = read_questionnaire(&qn);
    ra_backtest_options o;
    ra_backtest_options_default(&o);
    o.from = from;
    o.to = to;
    o.clients = RA_PROPS_CLIENTS;
    o.seed = seed;
    o.data_dir = RA_SHARED_DATA_DIR;
    o.questionnaire = q;
    o.questionnaire_size = qn;
    ra_backtest_result *res = calloc(1, sizeof *res);
    OK(ra_backtest_run(b->store, &b->actor, &o, res, &err));
    free(q);
    assert_true(res->days_run >= 30);
    assert_true(replay_day > from && replay_day < res->last_day);
    ra_store *s = b->store;

    counts c = {0};
    char(*codes)[RA_CODE_MAX] = NULL;
    size_t n = 0;
    OK(ra_store_account_list(s, "DEMO", &codes, &n, &err));
    uint64_t *txns = calloc(n ? n : 1, sizeof *txns);
    for (size_t i = 0; i < n; i++) {
        account_props(s, codes[i], o.from, &c);
        OK(ra_store_txn_count(s, "DEMO", codes[i], &txns[i], &err));
        c.accounts++;
    }
    /* P4: the last day again */
    size_t props = count_day(s, res->last_day, 0), orders = count_day(s, res->last_day, 1);
    ra_cycle_options co;
    ra_cycle_options_default(&co);
    co.execute_close = 1;
    co.batch = 1000; /* the backtest's options */
    co.date = res->last_day;
    ra_cycle_stats st;
    OK(ra_cycle_run_day(s, &b->actor, &co, &st, &err));
    assert_int_equal(st.processed, 0);
    assert_int_equal(st.skipped, st.accounts);
    assert_int_equal(count_day(s, res->last_day, 0), props);
    assert_int_equal(count_day(s, res->last_day, 1), orders);
    for (size_t i = 0; i < n; i++) {
        uint64_t t = 0;
        OK(ra_store_txn_count(s, "DEMO", codes[i], &t, &err));
        if (t != txns[i])
            fail_msg("P4: re-running %d added transactions to account %s", (int)res->last_day,
                     codes[i]);
    }
    /* P5: a middle day replays identically; the book reconciles and its audit chain verifies */
    co.date = replay_day;
    ra_cycle_replay_result rr;
    OK(ra_cycle_replay(s, &b->actor, &co, &rr, &err));
    if (!rr.identical)
        fail_msg("P5: day %d does not replay identically: %s", (int)replay_day, rr.difference);
    assert_true(rr.accounts > 0);
    ra_store_check_result cr;
    OK(ra_store_check(s, &cr, &err));
    uint64_t records = 0;
    OK(ra_store_audit_verify(s, &records, NULL, &err));
    print_message("seed %llu: %zu accounts, %zu discretionary account-days (%zu out of band, each "
                  "with its reason), %zu engine loss sales (%zu harvests) none a wash sale, "
                  "re-run and replay identical\n",
                  (unsigned long long)seed, c.accounts, c.days, c.oob_days, c.loss_sales,
                  c.harvests);
    /* the run exercised the properties */
    assert_true(c.days > 100);
    assert_true(c.loss_sales > 0);
    RA_FREE_ALL(txns);
    ra_store_free(codes);
    free(res);
    ra_book_close(b);
    ra_tdb_remove(url);
}

/* The 2020 fall: onboarded 2020-02-14, run to 2020-03-31. */
static void test_props_seed_1(void **state)
{
    (void)state;
    run_seed(1, D(2020, 2, 14), D(2020, 3, 31), D(2020, 3, 16));
}

#ifndef __SANITIZE_ADDRESS__
static void test_props_seed_2(void **state)
{
    (void)state;
    run_seed(2, D(2020, 2, 14), D(2020, 3, 31), D(2020, 3, 16));
}
#endif

#ifndef __SANITIZE_ADDRESS__
static void test_props_seed_3(void **state)
{
    (void)state;
    run_seed(3, D(2020, 2, 14), D(2020, 3, 31), D(2020, 3, 16));
}
#endif

/* The fourth quarter of 2018 (a 20 % fall of US equities to 24 December). */
static void test_props_seed_4(void **state)
{
    (void)state;
    run_seed(4, D(2018, 9, 28), D(2018, 12, 31), D(2018, 11, 15));
}

#ifndef __SANITIZE_ADDRESS__
static void test_props_seed_5(void **state)
{
    (void)state;
    run_seed(5, D(2018, 9, 28), D(2018, 12, 31), D(2018, 12, 24));
}
#endif

int main(int argc, char **argv)
{
    /* Under AddressSanitizer (scripts/test.sh's second build) one seed of each market fall: the
     * sanitizers look for memory and undefined-behaviour errors on the same code paths, and the
     * five seeds cost two minutes there; the release build runs all five properties' seeds. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_props_seed_1),
#ifndef __SANITIZE_ADDRESS__
        cmocka_unit_test(test_props_seed_2),
        cmocka_unit_test(test_props_seed_3),
#endif
        cmocka_unit_test(test_props_seed_4),
#ifndef __SANITIZE_ADDRESS__
        cmocka_unit_test(test_props_seed_5),
#endif
    };
    return ra_tdb_main(argc, argv, "test_cycle_props", tests, sizeof tests / sizeof tests[0]);
}
