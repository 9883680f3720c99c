/* The API's account summary from the stored state (ra_account_view_current,
 * ra_store_account_now_get; issue 15's load) against the replay (ra_account_view_compute) on a
 * real database (SQLite, and PostgreSQL with `pg`): a firm of three ETFs and three accounts run
 * through four days of the cycle (trades at the close, a harvest, an advisory account's pending
 * proposal, a deposit put to work), after which every account's summary must equal the replayed
 * one field by field. The expected values are the replay's own: the claim tested is "the same
 * figures", so the replay is the independent source (it reads only the transactions). Then a
 * deposit dated after the last valued day (the summary must still be the valued day's, by a
 * replay to it), and a tampered stored lot, which `check` must report. Last, the read
 * transaction's memo of firm rows and security ids (store_int.h, read_memo): a second firm holding
 * the same ticker gets its own id, read inside and outside read transactions alike, and an unknown
 * ticker stays unknown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"
#include "roboadvisor/alloc.h"
#include "roboadvisor/engine_cycle.h"
#include "roboadvisor/store_mandate.h"
#include "roboadvisor/store_now.h"
#include "ra_test_db.h"
#include "ra_test_firm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fx {
    ra_store *s;
    char url[1024];
    ra_store_actor actor;
} fx;

#define OK(expr) ra_tdb_must((expr), &err)

static ra_date D(int y, int m, int d) { return ra_date_from_ymd(y, m, d); }

static void prices(fx *f, ra_date d, int aaa, int bbb, int ccc)
{
    static const char *const t[3] = {"AAA", "BBB", "CCC"};
    const int c[3] = {aaa, bbb, ccc};
    ra_tf_closes(f->s, &f->actor, d, t, c, 3);
}

static void run_day(fx *f, ra_date d)
{
    ra_err err = {0};
    ra_cycle_stats st;
    ra_cycle_options o = ra_tf_day_options(d, 1);
    OK(ra_cycle_run_day(f->s, &f->actor, &o, &st, &err));
}

/* The book after four days of the cycle (a few milliseconds: three accounts). */
static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    uint8_t key[RA_STORE_KEY_BYTES];
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        key[i] = (uint8_t)(i * 5 + 3);
    f->s = ra_tdb_open_firm(f->url, sizeof f->url, key, &f->actor);
    ra_tf_security(f->s, &f->actor, "AAA", "us_equity", "G1", 4);
    ra_tf_security(f->s, &f->actor, "BBB", "us_equity", "G1", 4);
    ra_tf_security(f->s, &f->actor, "CCC", "bonds", "", 2);
    ra_tf_model2(f->s, &f->actor, "M1", "AAA", 0.6, "CCC", 0.4);
    ra_tf_account(f->s, &f->actor, "A1", "C1", "H1", 1, 1); /* discretionary */
    ra_tf_account(f->s, &f->actor, "A2", "C2", "H2", 0, 1); /* advisory: proposals wait */
    ra_tf_account(f->s, &f->actor, "A3", "C3", "H1", 1, 1); /* funded on day 3 */
    ra_tf_cash(f->s, &f->actor, "A1", "open", RA_TXN_DEPOSIT, D(2023, 1, 3), 10000000);
    ra_tf_cash(f->s, &f->actor, "A2", "open", RA_TXN_DEPOSIT, D(2023, 1, 3), 10000000);
    prices(f, D(2023, 1, 4), 10000, 10000, 5000);
    prices(f, D(2023, 1, 5), 8000, 8000, 5000);  /* AAA down 20 %: A1 harvests */
    prices(f, D(2023, 1, 6), 8500, 8500, 5000);
    prices(f, D(2023, 1, 9), 8600, 8400, 5100);
    run_day(f, D(2023, 1, 4));
    run_day(f, D(2023, 1, 5));
    ra_tf_cash(f->s, &f->actor, "A3", "more", RA_TXN_DEPOSIT, D(2023, 1, 6), 1000000);
    run_day(f, D(2023, 1, 6));
    run_day(f, D(2023, 1, 9));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    ra_store_close(f->s);
    ra_tdb_remove(f->url);
    free(f);
    return 0;
}

/* Every field of two views equal; returns the number of fields compared. */
static size_t same_view(const ra_account_view *a, const ra_account_view *b)
{
    size_t k = 0;
    assert_string_equal(a->account, b->account);
    assert_int_equal(a->date, b->date);
    assert_string_equal(a->status, b->status);
    assert_int_equal(a->cash_minor, b->cash_minor);
    assert_int_equal(a->value_minor, b->value_minor);
    assert_true(a->cash_weight == b->cash_weight && a->cash_target == b->cash_target);
    assert_true(a->drift == b->drift && a->max_dev == b->max_dev);
    assert_int_equal(a->have_target, b->have_target);
    assert_string_equal(a->proposal, b->proposal);
    assert_int_equal(a->n, b->n);
    k += 11;
    for (size_t i = 0; i < a->n; i++, k += 8) {
        const ra_account_holding *x = &a->h[i], *y = &b->h[i];
        assert_string_equal(x->ticker, y->ticker);
        assert_int_equal(x->qty_micro, y->qty_micro);
        assert_int_equal(x->price, y->price);
        assert_int_equal(x->price_date, y->price_date);
        assert_int_equal(x->value_minor, y->value_minor);
        assert_true(x->weight == y->weight && x->target == y->target && x->drift == y->drift);
    }
    return k;
}

static void views(fx *f, const char *acct, ra_date today, ra_account_view *cur,
                  ra_account_view *rep)
{
    ra_err err = {0};
    ra_mandate_version mv;
    OK(ra_store_mandate_get(f->s, "F1", acct, 0, &mv, &err));
    OK(ra_account_view_current(f->s, "F1", acct, today, mv.mandate.cash_reserve,
                               mv.mandate.band_rel, cur, &err));
    OK(ra_account_view_compute(f->s, "F1", acct, cur->date, mv.mandate.cash_reserve,
                               mv.mandate.band_rel, rep, &err));
}

static void test_stored_summary_equals_replay(void **state)
{
    fx *f = *state;
    static const char *const accts[3] = {"A1", "A2", "A3"};
    size_t checked = 0, positions = 0, pending = 0;
    for (int i = 0; i < 3; i++) {
        ra_account_view cur, rep;
        views(f, accts[i], D(2023, 1, 20), &cur, &rep);
        assert_int_equal(cur.date, D(2023, 1, 9)); /* the latest valued day, not today */
        checked += same_view(&cur, &rep);
        positions += cur.n;
        pending += cur.proposal[0] != 0;
        ra_account_view_clear(&cur);
        ra_account_view_clear(&rep);
    }
    /* the book is not trivial: every account invested, the advisory one with a proposal waiting */
    assert_true(positions >= 6);
    assert_int_equal(pending, 1);
    assert_true(checked >= 3 * 11 + 6 * 8);
    /* the stored state itself: cash and the lots summed, as the replay of every transaction */
    ra_err err = {0};
    ra_store_account_now now;
    OK(ra_store_account_now_get(f->s, "F1", "A1", D(2023, 1, 20), &now, &err));
    ra_ledger l;
    OK(ra_store_account_ledger(f->s, "F1", "A1", &l, &err));
    assert_int_equal(now.cash_minor, l.cash_minor);
    ra_micro lots = 0, stored = 0;
    for (size_t k = 0; k < l.n_lots; k++)
        lots += l.lots[k].qty_micro;
    for (size_t k = 0; k < now.n; k++)
        stored += now.pos[k].qty_micro;
    assert_true(lots > 0);
    assert_int_equal(stored, lots);
    assert_int_equal(now.last_valued_day, D(2023, 1, 9));
    ra_ledger_free(&l);
    ra_store_free(now.pos);
    assert_int_equal(ra_store_account_now_get(f->s, "F1", "NOPE", 0, &now, &err), RA_ENOTFOUND);
}

/* A deposit after the valued day: the stored cash has it, the summary of the valued day must
 * not (it replays to that day, as ra_account_view_compute does). */
static void test_later_deposit_keeps_the_valued_day(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_account_view before, cur, rep;
    views(f, "A1", D(2023, 1, 20), &before, &rep);
    ra_account_view_clear(&rep);
    ra_tf_cash(f->s, &f->actor, "A1", "late", RA_TXN_DEPOSIT, D(2023, 1, 10), 50000);
    views(f, "A1", D(2023, 1, 20), &cur, &rep);
    same_view(&cur, &rep);
    same_view(&cur, &before);
    ra_store_account_now now;
    OK(ra_store_account_now_get(f->s, "F1", "A1", D(2023, 1, 20), &now, &err));
    assert_int_equal(now.cash_minor, cur.cash_minor + 50000);
    assert_int_equal(now.last_txn_day, D(2023, 1, 10));
    ra_store_free(now.pos);
    RA_FREE_ALL(before.h, cur.h, rep.h);
}

/* The stored state is state: a lot changed behind the ledger's back is reported by `check`. */
static void test_check_reports_a_tampered_lot(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    OK(ra_store_check(f->s, NULL, &err));
    OK(ra_store_exec_raw(f->s, "UPDATE lots SET qty_micro = qty_micro + 1 WHERE lot_id = "
                         "(SELECT MIN(lot_id) FROM lots)", &err));
    ra_err e = {0};
    assert_int_equal(ra_store_check(f->s, NULL, &e), RA_ECONFLICT);
    assert_non_null(strstr(e.where, "account A"));
}

/* The same ticker in two firms: each firm's own id, first and second time in a read transaction
 * (the second from the memo), after it, and in a new one; an unknown ticker is not remembered. */
static void test_read_memo_keeps_firms_apart(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    uint8_t key[RA_STORE_KEY_BYTES];
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        key[i] = (uint8_t)(i * 7 + 1);
    OK(ra_store_set_firm_key(f->s, "F2", key, &err));
    ra_firm firm2 = {"F2", "Second Firm", "USD", 2};
    ra_store_actor a2 = f->actor;
    snprintf(a2.firm, sizeof a2.firm, "F2");
    OK(ra_store_firm_put(f->s, &a2, &firm2, &err));
    ra_tf_security(f->s, &a2, "ZZZ", "bonds", "", 2); /* F2 first: ids differ from F1's */
    ra_tf_security(f->s, &a2, "AAA", "equity", "", 3);
    uint32_t want1 = 0, want2 = 0, got = 0;
    OK(ra_store_security_id(f->s, f->actor.firm, "AAA", &want1, &err));
    OK(ra_store_security_id(f->s, "F2", "AAA", &want2, &err));
    assert_int_not_equal(want1, want2);
    for (int round = 0; round < 2; round++) {
        OK(ra_store_read_begin(f->s, &err));
        for (int twice = 0; twice < 2; twice++) {
            OK(ra_store_security_id(f->s, f->actor.firm, "AAA", &got, &err));
            assert_int_equal(got, want1);
            OK(ra_store_security_id(f->s, "F2", "AAA", &got, &err));
            assert_int_equal(got, want2);
            assert_int_equal(ra_store_security_id(f->s, f->actor.firm, "ZZZ", &got, &err),
                             RA_ENOTFOUND);
        }
        ra_store_read_end(f->s);
    }
    OK(ra_store_security_id(f->s, "F2", "AAA", &got, &err));
    assert_int_equal(got, want2);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_stored_summary_equals_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_later_deposit_keeps_the_valued_day, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_check_reports_a_tampered_lot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_memo_keeps_firms_apart, setup, teardown),
    };
    return ra_tdb_main(argc, argv, "test_account_now", tests, sizeof tests / sizeof tests[0]);
}
