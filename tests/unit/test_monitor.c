/* Tests of the intraday monitor (src/engine/monitor.c, include/roboadvisor/engine_monitor.h) on a
 * real database (SQLite, and PostgreSQL with `pg`): the firm of test_engine_cycle.c (AAA an
 * equity ETF, CCC a bond ETF, model M1 = 60 % AAA + 40 % CCC), two discretionary accounts of
 * 100,000.00 each invested at the close of 2023-01-04 (AAA 100.00, CCC 50.00), then snapshots of
 * 2023-01-05. Every expected figure is derived by hand next to its case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"
#include "roboadvisor/alloc.h"
#include "roboadvisor/engine_cycle.h"
#include "roboadvisor/engine_monitor.h"
#include "roboadvisor/store_mandate.h"
#include "roboadvisor/store_models.h"
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
#define SH(n) ((ra_micro)(n) * RA_MICRO_PER_SHARE)

static void mandate(fx *f, const char *acct, ...)
{
    ra_err err = {0};
    ra_mandate_version v;
    OK(ra_store_mandate_get(f->s, "F1", acct, 0, &v, &err));
    va_list ap;
    va_start(ap, acct);
    for (const char *k; (k = va_arg(ap, const char *)) != NULL;)
        OK(ra_rule_mandate_set(&v.mandate, k, va_arg(ap, const char *), &err));
    va_end(ap);
    int64_t n = 0;
    OK(ra_store_mandate_put(f->s, &f->actor, acct, &v.mandate, NULL, 0, "test", &n, &err));
}

/* A1: loss limit 0.10. A2: loss limit 0.15 (the suites' default) and rule M20: AAA down 20 % or
 * more from the last close closes AAA. Both invested at the close of 2023-01-04. */
static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    uint8_t key[RA_STORE_KEY_BYTES];
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        key[i] = (uint8_t)(i * 7 + 1);
    f->s = ra_tdb_open_firm(f->url, sizeof f->url, key, &f->actor);
    ra_tf_security(f->s, &f->actor, "AAA", "us_equity", "G1", 4);
    ra_tf_security(f->s, &f->actor, "CCC", "bonds", "", 2);
    ra_tf_model2(f->s, &f->actor, "M1", "AAA", 0.6, "CCC", 0.4);
    ra_tf_account(f->s, &f->actor, "A1", "C1", "H1", 1, 0);
    ra_tf_account(f->s, &f->actor, "A2", "C2", "H2", 1, 0);
    ra_tf_cash(f->s, &f->actor, "A1", "open", RA_TXN_DEPOSIT, D(2023, 1, 3), 10000000);
    ra_tf_cash(f->s, &f->actor, "A2", "open", RA_TXN_DEPOSIT, D(2023, 1, 3), 10000000);
    ra_err err = {0};
    ra_risk_rule r;
    OK(ra_risk_rule_parse("M20", "move(AAA,1)<=-0.2", "close:AAA", &r, &err));
    OK(ra_store_risk_rule_put(f->s, &f->actor, &r, "", &err));
    mandate(f, "A1", "loss_limit", "0.10", NULL);
    mandate(f, "A2", "rules", "M20", NULL);
    static const char *const t[2] = {"AAA", "CCC"};
    const int c[2] = {10000, 5000};
    ra_tf_closes(f->s, &f->actor, D(2023, 1, 4), t, c, 2);
    ra_cycle_options o = ra_tf_day_options(D(2023, 1, 4), 1);
    ra_cycle_stats st;
    OK(ra_cycle_run_day(f->s, &f->actor, &o, &st, &err));
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

/* A snapshot of AAA at `aaa` (micro-units; CCC keeps its last close) run at minute at. */
static ra_status monitor(fx *f, int at, ra_price aaa, ra_monitor_stats *st, ra_err *err)
{
    ra_snapshot_row row = {"AAA", aaa, at, 2};
    ra_snapshot sn = {1, &row, "snap.csv"};
    ra_monitor_options o;
    memset(&o, 0, sizeof o);
    o.date = D(2023, 1, 5);
    o.at_minute = at;
    o.snapshot = &sn;
    o.cycle = ra_tf_day_options(o.date, 0);
    /* no wash-sale window: A2's sale of AAA is at a loss a day after its purchase, which the
     * 30-day window would hold back (the cycle's rule, test_engine_cycle.c's subject) */
    o.cycle.window_days = 0;
    return ra_monitor_run(f->s, &f->actor, &o, NULL, st, err);
}

static ra_micro held(fx *f, const char *acct, const char *ticker, ra_minor *cash)
{
    ra_err err = {0};
    ra_ledger l;
    uint32_t id = 0;
    OK(ra_store_security_id(f->s, "F1", ticker, &id, &err));
    OK(ra_store_account_ledger(f->s, "F1", acct, &l, &err));
    ra_micro q = 0;
    for (size_t k = 0; k < l.n_lots; k++)
        if (l.lots[k].security == id)
            q += l.lots[k].qty_micro;
    *cash = l.cash_minor;
    ra_ledger_free(&l);
    return q;
}

/* The holdings the hand derivations start from (test_engine_cycle.c's day 1: 99 % of 100,000.00
 * invested, AAA 0.594 x 100,000 / 100.00 = 594 shares, CCC 0.396 x 100,000 / 50.00 = 792, 1,000.00
 * of cash left). */
static void test_invested_as_derived(void **state)
{
    fx *f = *state;
    ra_minor cash = 0;
    assert_int_equal(held(f, "A1", "AAA", &cash), SH(594));
    assert_int_equal(held(f, "A1", "CCC", &cash), SH(792));
    assert_int_equal(cash, 100000);
    assert_int_equal(held(f, "A2", "AAA", &cash), SH(594));
}

/* The loss limit on the snapshot's price. A1 at AAA = p: V = 1,000.00 + 792 x 50.00 + 594 x p =
 * 40,600.00 + 594 p (CCC at its last close: not in the snapshot). Limit 10 % of 100,000.00
 * entrusted: crossed at V <= 90,000.00.
 * - 10:00, p = 83.165001: 594 p = 49,400.010594 -> 49,400.01 (a lot's value in cents); V =
 *   90,000.01, loss 9,999.99: one minor unit short, not crossed.
 * - 10:10, p = 83.164984: 594 p = 49,400.000496 -> 49,400.00; V = 90,000.00, loss 10,000.00 =
 *   the limit: crossed. Suspended on 2023-01-05 with those figures; the client's and the
 *   advisor's notifications due 30 minutes after 10:10 New York time (EST, UTC-5): 15:40 UTC.
 * A2 (limit 15 %; rule M20 needs AAA <= 80.00) does nothing at either price. */
static void test_loss_limit_on_the_snapshot(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_monitor_stats st;
    OK(monitor(f, 600, 83165001, &st, &err));
    assert_int_equal(st.already, 0);
    assert_int_equal(st.evaluated, 2);
    assert_int_equal(st.value_minor, 2 * 9000001); /* both: 90,000.01 (hand, above) */
    assert_int_equal(st.crossed, 0);
    assert_int_equal(st.firings, 0);
    OK(monitor(f, 610, 83164984, &st, &err));
    assert_int_equal(st.crossed, 1);
    assert_int_equal(st.proposals, 0);
    ra_suspension *x = NULL;
    size_t n = 0;
    OK(ra_store_suspensions_list(f->s, "F1", NULL, &x, &n, &err));
    assert_int_equal(n, 1);
    assert_string_equal(x[0].account, "A1");
    assert_int_equal(x[0].date, D(2023, 1, 5));
    assert_int_equal(x[0].value_minor, 9000000);
    assert_int_equal(x[0].loss_minor, 1000000);
    assert_int_equal(x[0].entrusted_minor, 10000000);
    ra_store_free(x);
    ra_notification *nt = NULL;
    OK(ra_store_notifications_list(f->s, "F1", "A1", 0, &nt, &n, &err));
    assert_int_equal(n, 2);
    assert_int_equal(nt[0].due_at, (int64_t)D(2023, 1, 5) * 86400 + 15 * 3600 + 40 * 60);
    ra_store_free(nt);
    /* the same minute again: nothing; a later one: A1 is not evaluated again */
    OK(monitor(f, 610, 83164984, &st, &err));
    assert_int_equal(st.already, 1);
    OK(monitor(f, 620, 83164984, &st, &err));
    assert_int_equal(st.suspended, 1);
    assert_int_equal(st.evaluated, 1);
    OK(ra_store_notifications_list(f->s, "F1", NULL, 0, &nt, &n, &err));
    assert_int_equal(n, 2);
    ra_store_free(nt);
}

/* Rule M20 (move(AAA,1) <= -0.2) on the snapshot's price: the last close 100.00.
 * - 10:20, AAA = 80.000001: move = 0.80000001 - 1 = -0.19999999, one micro-unit short: not fired.
 * - 10:30, AAA = 80.000000: move = -0.2 exactly: fired, recorded with the snapshot's minute (630),
 *   its price 80.000000 and A2's value 1,000.00 + 39,600.00 + 594 x 80.00 = 88,120.00 (loss
 *   11.88 %, below A2's 15 %); close:AAA proposes selling A2's 594 AAA, reason risk_limit, as
 *   an open order (discretionary, nothing filled intraday), proposal P-2023-01-05-A2-m1030. The
 *   weight it frees goes to CCC (ra_risk_apply): target CCC 0.99 x 88,120.00 = 87,238.80, at
 *   50.00 1,744 whole shares, 952 more than the 792 held (47,600.00, paid by the 1,000.00 of cash
 *   and the sale's 47,520.00); both orders open.
 *   A1 (loss limit 10 %) crosses at 10:20 already: V = 40,600.00 + 47,520.000594 = 88,120.00.
 * - 10:40, the same price: M20 fired today already: nothing. */
static void test_rule_on_the_snapshot(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_monitor_stats st;
    OK(monitor(f, 620, 80000001, &st, &err));
    assert_int_equal(st.firings, 0);
    assert_int_equal(st.crossed, 1); /* A1 */
    OK(monitor(f, 630, 80000000, &st, &err));
    assert_int_equal(st.firings, 1);
    assert_int_equal(st.proposals, 1);
    assert_int_equal(st.orders, 2); /* the sale and the buy of CCC with what it frees */
    ra_risk_firing_rec *fr = NULL;
    size_t n = 0;
    OK(ra_store_risk_firings_list(f->s, "F1", "A2", &fr, &n, &err));
    assert_int_equal(n, 1);
    assert_string_equal(fr[0].f.rule, "M20");
    assert_int_equal(fr[0].at_minute, 630);
    assert_int_equal(fr[0].f.price, 80000000);
    assert_int_equal(fr[0].value_minor, 8812000);
    assert_string_equal(fr[0].f.subject, "AAA");
    ra_store_free(fr);
    ra_cycle_proposal p;
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-05-A2-m1030", &p, &err));
    const ra_cycle_trade *sell = NULL, *buy = NULL;
    for (size_t i = 0; i < p.n_trades; i++) {
        if (strcmp(p.trades[i].ticker, "AAA") == 0 && p.trades[i].side < 0)
            sell = &p.trades[i];
        if (strcmp(p.trades[i].ticker, "CCC") == 0 && p.trades[i].side > 0)
            buy = &p.trades[i];
    }
    assert_int_equal(p.n_trades, 2);
    assert_non_null(buy);
    assert_int_equal(buy->qty_micro, SH(952));
    assert_true(buy->reasons & RA_REASON_RISK_LIMIT);
    assert_non_null(sell);
    assert_int_equal(sell->qty_micro, SH(594));
    assert_int_equal(sell->price, 80000000);
    assert_true(sell->reasons & RA_REASON_RISK_LIMIT);
    assert_string_equal(p.status, "approved");
    ra_cycle_proposal_clear(&p);
    OK(monitor(f, 640, 80000000, &st, &err));
    assert_int_equal(st.firings, 0);
    assert_int_equal(st.proposals, 0);
}

/* Many accounts with records in one batch (regression: the batch's records pointed into an array
 * that grew under them at the 65th). 70 more accounts like A1 (limit 10 %, 100,000.00 invested at
 * the close of 2023-01-04: AAA 594, CCC 792, 1,000.00 cash); at AAA = 50.00 each is worth
 * 1,000.00 + 39,600.00 + 29,700.00 = 70,300.00, a loss of 29.7 %: all 71 cross (A2's 15 % too:
 * 72), in one batch of the default size, each suspended with value 70,300.00. */
static void test_many_records_in_one_batch(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    char code[16], client[16], hh[16];
    for (int i = 0; i < 70; i++) {
        snprintf(code, sizeof code, "B%02d", i);
        snprintf(client, sizeof client, "K%02d", i);
        snprintf(hh, sizeof hh, "HB%02d", i);
        ra_tf_account(f->s, &f->actor, code, client, hh, 1, 0);
        ra_tf_cash(f->s, &f->actor, code, "open", RA_TXN_DEPOSIT, D(2023, 1, 3), 10000000);
        mandate(f, code, "loss_limit", "0.10", NULL);
    }
    ra_cycle_options o = ra_tf_day_options(D(2023, 1, 4), 1);
    ra_cycle_stats cs;
    OK(ra_cycle_run_day(f->s, &f->actor, &o, &cs, &err)); /* the new accounts' first day */
    ra_monitor_stats st;
    OK(monitor(f, 600, 50000000, &st, &err));
    assert_int_equal(st.crossed, 72);
    ra_suspension *x = NULL;
    size_t n = 0;
    OK(ra_store_suspensions_list(f->s, "F1", NULL, &x, &n, &err));
    assert_int_equal(n, 72);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(x[i].value_minor, 7030000);
    ra_store_free(x);
}

/* Input refused: a snapshot time off the 10-minute cadence. */
static void test_cadence_refused(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_monitor_stats st;
    assert_int_equal(monitor(f, 605, 80000000, &st, &err), RA_EINVAL);
    assert_string_equal(err.where, "at");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_invested_as_derived, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loss_limit_on_the_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rule_on_the_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_records_in_one_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cadence_refused, setup, teardown),
    };
    return ra_tdb_main(argc, argv, "test_monitor", tests, sizeof tests / sizeof tests[0]);
}
