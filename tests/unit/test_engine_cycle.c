/* Tests of the daily cycle (src/engine/cycle.c, include/roboadvisor/engine_cycle.h) on a real
 * database (SQLite, and PostgreSQL with `pg`): a small firm of three ETFs traded over four days.
 * Every expected figure is derived by hand next to its case from the prices given; the trades'
 * own arithmetic (bands, lots, harvesting) is core/rebal.c's and tested in test_rebal.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"
#include "roboadvisor/alloc.h"
#include "roboadvisor/engine_cycle.h"
#include "roboadvisor/engine_gains.h"
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
#define PX(cents) RA_TF_PX(cents)
#define SH(n) ((ra_micro)(n) * RA_MICRO_PER_SHARE)

static void prices(fx *f, ra_date d, int aaa, int bbb, int ccc)
{
    static const char *const t[3] = {"AAA", "BBB", "CCC"};
    const int c[3] = {aaa, bbb, ccc};
    ra_tf_closes(f->s, &f->actor, d, t, c, 3);
}

static void deposit(fx *f, const char *acct, const char *ext, ra_date d, ra_minor cents)
{
    ra_tf_cash(f->s, &f->actor, acct, ext, RA_TXN_DEPOSIT, d, cents);
}

static void account(fx *f, const char *code, const char *client, const char *household,
                    int discretionary, ra_minor opening_cents)
{
    ra_tf_account(f->s, &f->actor, code, client, household, discretionary, 1);
    if (opening_cents > 0)
        deposit(f, code, "open", D(2023, 1, 3), opening_cents);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    uint8_t key[RA_STORE_KEY_BYTES];
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        key[i] = (uint8_t)(i * 7 + 1);
    f->s = ra_tdb_open_firm(f->url, sizeof f->url, key, &f->actor);
    ra_tf_security(f->s, &f->actor, "AAA", "us_equity", "G1", 4);
    ra_tf_security(f->s, &f->actor, "BBB", "us_equity", "G1", 4);
    ra_tf_security(f->s, &f->actor, "CCC", "bonds", "", 2);
    ra_tf_model2(f->s, &f->actor, "M1", "AAA", 0.6, "CCC", 0.4);
    account(f, "A1", "C1", "H1", 1, 10000000); /* discretionary, 100,000.00 */
    account(f, "A2", "C2", "H2", 0, 10000000); /* advisory */
    account(f, "A3", "C3", "H1", 1, 0);        /* A1's household, funded on day 3 */
    prices(f, D(2023, 1, 4), 10000, 10000, 5000);
    prices(f, D(2023, 1, 5), 8000, 8000, 5000);
    prices(f, D(2023, 1, 6), 8500, 8500, 5000);
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

/* The suite's options for day d: filled at the close, 1 % cash, batches of 2 accounts. */
static ra_cycle_options day_options(ra_date d)
{
    ra_cycle_options o = ra_tf_day_options(d, 1);
    o.batch = 2; /* households span batches: H1 = A1, A3 */
    return o;
}

static ra_status run_day(fx *f, ra_date d, ra_cycle_stats *st, ra_err *err)
{
    ra_cycle_options o = day_options(d);
    return ra_cycle_run_day(f->s, &f->actor, &o, st, err);
}

static ra_micro held(fx *f, const char *acct, const char *ticker)
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
    ra_ledger_free(&l);
    return q;
}

static const ra_cycle_trade *find_trade(const ra_cycle_proposal *p, const char *ticker, int side)
{
    for (size_t i = 0; i < p->n_trades; i++)
        if (strcmp(p->trades[i].ticker, ticker) == 0 && p->trades[i].side == side)
            return &p->trades[i];
    return NULL;
}

/* Day 1: 100,000.00 of cash, target AAA 0.6 and CCC 0.4 of the 99 % not kept as the 1 % reserve:
 * AAA 0.594 * 100,000 / 100.00 = 594 shares, CCC 0.396 * 100,000 / 50.00 = 792 shares, 1,000.00
 * left in cash (hand derivation: both divide exactly). */
static void test_first_day_invests_the_deposit(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_cycle_stats st;
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    assert_int_equal(st.accounts, 3);
    assert_int_equal(st.processed, 3);
    assert_int_equal(st.proposals, 2); /* A3 has nothing to invest yet */
    assert_int_equal(st.pending, 1); /* A2 is advisory */
    assert_int_equal(held(f, "A1", "AAA"), SH(594));
    assert_int_equal(held(f, "A1", "CCC"), SH(792));
    assert_int_equal(held(f, "A2", "AAA"), 0); /* not approved: nothing traded */
    ra_cycle_value *v = NULL;
    size_t n = 0;
    OK(ra_store_daily_values(f->s, "F1", "A1", 0, 0, &v, &n, &err));
    assert_int_equal(n, 1);
    assert_int_equal(v[0].value_minor, 10000000);
    assert_int_equal(v[0].cash_minor, 100000);
    assert_true(isnan(v[0].twr)); /* no earlier value */
    ra_store_free(v);
    ra_cycle_proposal p;
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-04-A1", &p, &err));
    assert_string_equal(p.status, "executed");
    const ra_cycle_trade *t = find_trade(&p, "AAA", 1);
    assert_non_null(t);
    assert_int_equal(t->qty_micro, SH(594));
    assert_int_equal(t->price, PX(10000));
    assert_int_equal(t->price_date, D(2023, 1, 4));
    assert_int_equal(t->risk_level, 4);
    assert_true(t->reasons & RA_REASON_DRIFT); /* all in cash: a drift of 0.99 */
    assert_true(fabs(p.drift_before - 0.99) < 1e-12);
    assert_int_equal(strlen(p.config_hash), 64);
    ra_cycle_proposal_clear(&p);
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-04-A2", &p, &err));
    assert_string_equal(p.status, "pending");
    ra_cycle_proposal_clear(&p);
    ra_cycle_order *o = NULL;
    ra_cycle_filter fl = {D(2023, 1, 4), "A2", NULL};
    OK(ra_store_orders_list(f->s, "F1", &fl, &o, &n, &err));
    assert_int_equal(n, 0); /* advisory: no orders before approval */
    ra_store_free(o);
}

/* Re-running a day changes nothing: every account is done, no record is added to the trail. */
static void test_rerun_is_a_no_op(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_cycle_stats st;
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    uint64_t before = 0, after = 0;
    OK(ra_store_audit_verify(f->s, &before, NULL, &err));
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    assert_int_equal(st.skipped, 3);
    assert_int_equal(st.processed, 0);
    assert_int_equal(st.proposals, 0);
    OK(ra_store_audit_verify(f->s, &after, NULL, &err));
    /* the run's own start and finish records only */
    assert_int_equal(after, before + 2);
    assert_int_equal(held(f, "A1", "AAA"), SH(594));
}

/* Day 2: AAA and BBB fall to 80.00. A1's AAA lot (594 at 100.00) is down 11,880.00 = 20 % of its
 * cost, above the 5 % threshold: it is harvested, the proceeds (594 * 80.00 = 47,520.00) buying
 * the substitute BBB of the same TLH group; the day's value is 594 * 80 + 792 * 50 + 1,000 =
 * 88,120.00, a return of 88,120 / 100,000 - 1 = -11.88 %. Day 3: A3, in A1's household, gets a
 * deposit; AAA may not be bought by anyone in the household within 30 days of A1's loss sale. */
static void test_harvest_and_household_wash_window(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_cycle_stats st;
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    OK(run_day(f, D(2023, 1, 5), &st, &err));
    assert_int_equal(held(f, "A1", "AAA"), 0);
    assert_true(held(f, "A1", "BBB") > 0);
    assert_int_equal(st.harvested_minor, 1188000);
    ra_cycle_proposal p;
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-05-A1", &p, &err));
    const ra_cycle_trade *sell = find_trade(&p, "AAA", -1);
    assert_non_null(sell);
    assert_true(sell->reasons & RA_REASON_TLH);
    assert_int_equal(sell->qty_micro, SH(594));
    assert_int_equal(sell->gain_short_minor, -1188000);
    assert_int_equal(sell->n_picks, 1);
    const ra_cycle_trade *buy = find_trade(&p, "BBB", 1);
    assert_non_null(buy);
    assert_true(buy->reasons & RA_REASON_TLH);
    ra_cycle_proposal_clear(&p);
    ra_cycle_value *v = NULL;
    size_t n = 0;
    OK(ra_store_daily_values(f->s, "F1", "A1", D(2023, 1, 5), D(2023, 1, 5), &v, &n, &err));
    assert_int_equal(n, 1);
    assert_int_equal(v[0].value_minor, 8812000);
    assert_true(fabs(v[0].twr - (88120.0 / 100000.0 - 1.0)) < 1e-12);
    ra_store_free(v);
    deposit(f, "A3", "more", D(2023, 1, 6), 1000000);
    OK(run_day(f, D(2023, 1, 6), &st, &err));
    ra_cycle_order *o = NULL;
    ra_cycle_filter fl = {D(2023, 1, 6), NULL, NULL};
    OK(ra_store_orders_list(f->s, "F1", &fl, &o, &n, &err));
    size_t aaa_buys = 0;
    for (size_t i = 0; i < n; i++)
        aaa_buys += strcmp(o[i].ticker, "AAA") == 0 && o[i].side > 0;
    ra_store_free(o);
    assert_int_equal(aaa_buys, 0);
    OK(ra_store_daily_values(f->s, "F1", "A3", D(2023, 1, 6), D(2023, 1, 6), &v, &n, &err));
    assert_int_equal(n, 1);
    assert_int_equal(v[0].flow_minor, 1000000);
    ra_store_free(v);
    /* A3's first money is a deposit put to work (all in cash: out of band, so drift too) */
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-06-A3", &p, &err));
    assert_null(find_trade(&p, "AAA", 1));
    assert_non_null(find_trade(&p, "CCC", 1));
    ra_cycle_proposal_clear(&p);
    uint64_t records = 0;
    OK(ra_store_audit_verify(f->s, &records, NULL, &err));
    /* the client's harvest of 2023 (gains): one sale, the loss of 11,880.00 short-term, nothing
     * disallowed (no AAA bought in H1 within 30 days of 2023-01-05: A1's AAA was bought on
     * 2023-01-04 and sold whole, A3 bought CCC), tax value 0.35 * 11,880.00 = 4,158.00 */
    ra_gains_harvest *h = NULL;
    ra_gains_options go;
    ra_gains_options_default(&go);
    OK(ra_gains_harvest_compute(f->s, "F1", "A1", &go, 0.35, 0.15, &h, &err));
    assert_string_equal(h->client, "C1");
    assert_int_equal(h->n_accounts, 1);
    assert_int_equal(h->n_years, 1);
    assert_int_equal(h->years[0].year, 2023);
    assert_int_equal(h->years[0].sales, 1);
    assert_int_equal(h->years[0].harvested_minor, 1188000);
    assert_int_equal(h->years[0].disallowed_minor, 0);
    assert_int_equal(h->years[0].allowed_short_minor, 1188000);
    assert_int_equal(h->years[0].allowed_long_minor, 0);
    assert_true(fabs(h->years[0].tax_value_minor - 415800.0) < 1e-6);
    assert_int_equal(h->total.harvested_minor, 1188000);
    ra_gains_harvest_destroy(h);
    /* the other sales of A1 (drift) are not harvests */
    ra_gains_report *gr = NULL;
    OK(ra_gains_compute(f->s, "F1", "A1", &go, &gr, &err));
    size_t harvests = 0;
    for (size_t i = 0; i < gr->n_sales; i++)
        harvests += gr->sales[i].harvest;
    assert_int_equal(harvests, 1);
    assert_int_equal(gr->totals.harvested_minor, 1188000);
    ra_gains_report_destroy(gr);
    /* switching back: on 2023-02-07, 33 days after the harvest, AAA can be bought again (no loss
     * sale of it within 30 days) and A1's BBB, bought 2023-01-05 at 80.00, closes at 76.00 (a
     * loss: no short-term gain realised): all of it is sold, reason tlh, and AAA bought back
     * (76.00, not lower: A1 would then have lost 15 % of its 100,000.00, its loss limit) */
    ra_micro bbb = held(f, "A1", "BBB");
    assert_true(bbb > 0);
    prices(f, D(2023, 2, 7), 7600, 7600, 5000);
    OK(run_day(f, D(2023, 2, 7), &st, &err));
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-02-07-A1", &p, &err));
    const ra_cycle_trade *back = find_trade(&p, "BBB", -1);
    assert_non_null(back);
    assert_int_equal(back->qty_micro, bbb);
    assert_true(back->reasons & RA_REASON_TLH);
    assert_true(back->gain_short_minor < 0);
    assert_non_null(find_trade(&p, "AAA", 1));
    ra_cycle_proposal_clear(&p);
    assert_int_equal(held(f, "A1", "BBB"), 0);
    assert_true(held(f, "A1", "AAA") > 0);
}

/* No switch back while it would realise a short-term gain: BBB bought 2023-01-05 at 80.00 closes
 * at 90.00 on 2023-02-07 (a short-term gain): A1 keeps BBB in AAA's place. */
static void test_no_switch_back_at_short_gain(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_cycle_stats st;
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    OK(run_day(f, D(2023, 1, 5), &st, &err));
    ra_micro bbb = held(f, "A1", "BBB");
    assert_true(bbb > 0);
    prices(f, D(2023, 2, 7), 9000, 9000, 5000);
    OK(run_day(f, D(2023, 2, 7), &st, &err));
    assert_true(held(f, "A1", "BBB") > bbb / 2); /* trimmed back to its band at most */
    assert_int_equal(held(f, "A1", "AAA"), 0);
    ra_cycle_proposal p;
    if (ra_store_proposal_get(f->s, "F1", "P-2023-02-07-A1", &p, &err) == RA_OK) {
        for (size_t i = 0; i < p.n_trades; i++)
            assert_false(p.trades[i].reasons & RA_REASON_TLH);
        ra_cycle_proposal_clear(&p);
    }
}

/* An advisory proposal waits; approved, its orders fill at the next day's close. */
static void test_advisory_approval_then_fill(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_cycle_stats st;
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    int only_first = 1;
    size_t made = 0;
    assert_int_equal(ra_store_proposal_decide(f->s, &f->actor, "P-2023-01-04-A2", 1, &only_first,
                                              1, "client agreed by phone", &made, &err),
                     RA_OK);
    assert_int_equal(made, 1);
    /* a second decision is refused: it is no longer pending */
    assert_int_equal(ra_store_proposal_decide(f->s, &f->actor, "P-2023-01-04-A2", 0, NULL, 0, "x",
                                              NULL, &err),
                     RA_ECONFLICT);
    ra_cycle_proposal p;
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-04-A2", &p, &err));
    assert_string_equal(p.status, "approved");
    assert_string_equal(p.decided_by, "tester");
    assert_string_equal(p.trades[0].status, "approved");
    if (p.n_trades > 1)
        assert_string_equal(p.trades[1].status, "rejected");
    const ra_cycle_trade first = p.trades[0];
    ra_cycle_proposal_clear(&p);
    OK(run_day(f, D(2023, 1, 5), &st, &err));
    assert_true(st.fills >= 1);
    assert_int_equal(held(f, "A2", first.ticker), first.qty_micro);
    ra_cycle_order *o = NULL;
    size_t n = 0;
    ra_cycle_filter fl = {D(2023, 1, 4), "A2", NULL};
    OK(ra_store_orders_list(f->s, "F1", &fl, &o, &n, &err));
    assert_int_equal(n, 1);
    assert_string_equal(o[0].status, "filled");
    assert_string_equal(o[0].id, "P-2023-01-04-A2-1");
    ra_store_free(o);
}

/* Approving buys the account cannot pay is refused (their orders could not fill at the close):
 * A2's day-1 proposal buys 594 AAA at 100.00 and 792 CCC at 50.00 = 99,000.00 with its
 * 100,000.00; after a withdrawal of 50,000.00 the cash is 50,000.00. Approving the AAA buy alone
 * (59,400.00) is refused, the CCC buy alone (39,600.00) is not. */
static void test_unfunded_approval_refused(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_cycle_stats st;
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    ra_store_txn w;
    memset(&w, 0, sizeof w);
    snprintf(w.account, sizeof w.account, "A2");
    snprintf(w.external_id, sizeof w.external_id, "out");
    w.kind = RA_TXN_WITHDRAWAL;
    w.date = D(2023, 1, 4);
    w.amount_minor = 5000000;
    OK(ra_store_txn_append(f->s, &f->actor, &w, 1, NULL, &err));
    ra_cycle_proposal p;
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-04-A2", &p, &err));
    const ra_cycle_trade *aaa = find_trade(&p, "AAA", 1), *ccc = find_trade(&p, "CCC", 1);
    assert_non_null(aaa);
    assert_non_null(ccc);
    assert_int_equal(aaa->value_minor, 5940000);
    int n_aaa = aaa->n, n_ccc = ccc->n;
    ra_cycle_proposal_clear(&p);
    assert_int_equal(ra_store_proposal_decide(f->s, &f->actor, "P-2023-01-04-A2", 1, &n_aaa, 1,
                                              "AAA only", NULL, &err),
                     RA_EINVAL);
    assert_non_null(strstr(err.msg, "approved buys cost 59400.00"));
    assert_non_null(strstr(err.msg, "give 50000.00"));
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-04-A2", &p, &err));
    assert_string_equal(p.status, "pending"); /* nothing was written */
    ra_cycle_proposal_clear(&p);
    OK(ra_store_proposal_decide(f->s, &f->actor, "P-2023-01-04-A2", 1, &n_ccc, 1, "CCC only",
                                NULL, &err));
}

/* A suspended account makes no orders (issue 13: only a recorded re-authorisation resumes its
 * trading): approving its proposal made before the suspension is refused, naming the day, until
 * the suspension is re-authorised; the suspension is written here as the cycle writes one (the
 * crossing itself is tested in tests/cli/test_risk.sh). */
static void test_suspended_account_approval_refused(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_cycle_stats st;
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    OK(ra_store_exec_raw(f->s, "INSERT INTO suspensions (account_id, day, kind, loss_limit, "
                               "entrusted_minor, value_minor, loss_minor, orders_cancelled) "
                               "SELECT id, 19361, 'loss_limit', 0.1, 10000000, 8900000, 1100000, 0 "
                               "FROM accounts WHERE code = 'A2'",
                         &err));
    assert_int_equal(ra_store_proposal_decide(f->s, &f->actor, "P-2023-01-04-A2", 1, NULL, 0,
                                              "late approval", NULL, &err),
                     RA_EINVAL);
    assert_non_null(strstr(err.msg, "account A2 is suspended since 2023-01-04"));
    ra_cycle_proposal p;
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-04-A2", &p, &err));
    assert_string_equal(p.status, "pending"); /* nothing was written */
    ra_cycle_proposal_clear(&p);
    OK(ra_store_exec_raw(f->s, "UPDATE suspensions SET reauthorised_by = 'supervisor'", &err));
    size_t made = 0;
    OK(ra_store_proposal_decide(f->s, &f->actor, "P-2023-01-04-A2", 1, NULL, 0, "re-authorised",
                                &made, &err));
    assert_true(made >= 1);
}

/* An advisory proposal not decided by the next day's run lapses: the new proposal replaces it,
 * and it can no longer be approved. */
static void test_pending_proposal_lapses(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_cycle_stats st;
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    OK(run_day(f, D(2023, 1, 5), &st, &err));
    ra_cycle_proposal p;
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-04-A2", &p, &err));
    assert_string_equal(p.status, "lapsed");
    ra_cycle_proposal_clear(&p);
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-05-A2", &p, &err));
    assert_string_equal(p.status, "pending");
    ra_cycle_proposal_clear(&p);
    assert_int_equal(ra_store_proposal_decide(f->s, &f->actor, "P-2023-01-04-A2", 1, NULL, 0, "late",
                                              NULL, &err),
                     RA_ECONFLICT);
    assert_non_null(strstr(err.msg, "lapsed"));
    uint64_t records = 0;
    OK(ra_store_audit_verify(f->s, &records, NULL, &err));
}

/* A day without a close for a security held or in a model is refused naming it; nothing is
 * written for the day. */
static void test_missing_price_refused(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_cycle_stats st;
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    prices(f, D(2023, 1, 9), 9000, 9000, 0); /* CCC missing */
    assert_int_equal(run_day(f, D(2023, 1, 9), &st, &err), RA_ENOTFOUND);
    assert_non_null(strstr(err.msg, "CCC"));
    assert_null(strstr(err.msg, "AAA"));
    ra_cycle_value *v = NULL;
    size_t n = 0;
    OK(ra_store_daily_values(f->s, "F1", "A1", D(2023, 1, 9), 0, &v, &n, &err));
    assert_int_equal(n, 0);
    ra_store_free(v);
    /* a day with no prices at all says so */
    assert_int_equal(run_day(f, D(2023, 1, 8), &st, &err), RA_ENOTFOUND);
    assert_non_null(strstr(err.msg, "not a trading day"));
}


static void buy(fx *f, const char *acct, const char *ext, ra_date d, const char *ticker,
                int shares, int cents)
{
    ra_err err = {0};
    ra_store_txn t;
    memset(&t, 0, sizeof t);
    snprintf(t.account, sizeof t.account, "%s", acct);
    snprintf(t.external_id, sizeof t.external_id, "%s", ext);
    t.kind = RA_TXN_BUY;
    t.date = d;
    snprintf(t.ticker, sizeof t.ticker, "%s", ticker);
    t.qty_micro = SH(shares);
    t.price = PX(cents);
    OK(ra_store_txn_append(f->s, &f->actor, &t, 1, NULL, &err));
}

/* A partial rejection: advisory A4 holds 594 AAA bought at 100.00 and 792 CCC at 50.00 with
 * 1,000.00 cash. On 2023-01-05 AAA closes at 80.00: the proposal harvests (sells the 594 AAA at
 * a loss of 11,880.00) into BBB. The advisor approves the sale and rejects the BBB buy. The
 * re-evaluation starts from the account with the sale done (its order is open) and BBB barred:
 * the AAA sleeve goes to DDD, the group's other member. */
static void test_partial_rejection_reevaluated(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_tf_security(f->s, &f->actor, "DDD", "us_equity", "G1", 4);
    static const char *const t[1] = {"DDD"};
    static const int c4[1] = {10000}, c5[1] = {8000}, c6[1] = {8000};
    ra_tf_closes(f->s, &f->actor, D(2023, 1, 4), t, c4, 1);
    ra_tf_closes(f->s, &f->actor, D(2023, 1, 5), t, c5, 1);
    ra_tf_closes(f->s, &f->actor, D(2023, 1, 6), t, c6, 1);
    account(f, "A4", "C4", "H4", 0, 10000000);
    buy(f, "A4", "b1", D(2023, 1, 3), "AAA", 594, 10000);
    buy(f, "A4", "b2", D(2023, 1, 3), "CCC", 792, 5000);
    ra_cycle_stats st;
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    OK(run_day(f, D(2023, 1, 5), &st, &err));
    /* the day's proposal (value 88,120.00): harvest 594 AAA into 594 BBB (47,520.00), then the
     * drift: BBB to 0.594 * 88,120.00 / 80.00 = 654.29 -> 654 shares (+60), CCC to 0.396 *
     * 88,120.00 / 50.00 = 697.9 -> 698 (-94) */
    ra_cycle_proposal p;
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-05-A4", &p, &err));
    assert_int_equal(p.n_trades, 4);
    const ra_cycle_trade *sell = find_trade(&p, "AAA", -1);
    assert_non_null(sell);
    assert_int_equal(sell->qty_micro, SH(594));
    assert_non_null(find_trade(&p, "CCC", -1));
    assert_int_equal(find_trade(&p, "CCC", -1)->qty_micro, SH(94));
    int reject_bbb[2], nr = 0;
    for (size_t i = 0; i < p.n_trades; i++)
        if (strcmp(p.trades[i].ticker, "BBB") == 0)
            reject_bbb[nr++] = p.trades[i].n;
    assert_int_equal(nr, 2);
    ra_cycle_proposal_clear(&p);
    /* re-evaluating a proposal not decided yet is refused */
    ra_cycle_options o;
    ra_cycle_options_default(&o);
    o.cash_reserve = 0.01;
    char id[RA_CYCLE_ID_MAX];
    size_t n = 0;
    assert_int_equal(ra_cycle_reevaluate(f->s, &f->actor, &o, "P-2023-01-05-A4", id, &n, &err),
                     RA_ECONFLICT);
    OK(ra_store_proposal_decide(f->s, &f->actor, "P-2023-01-05-A4", 0, reject_bbb, 2,
                                "client wants no BBB", NULL, &err));
    OK(ra_cycle_reevaluate(f->s, &f->actor, &o, "P-2023-01-05-A4", id, &n, &err));
    assert_string_equal(id, "P-2023-01-05-A4-2");
    /* from the account with the approved sales done (cash 1,000.00 + 47,520.00 + 4,700.00 =
     * 53,220.00; CCC 698 shares), BBB barred: the AAA sleeve moves to DDD, 0.594 * 88,120.00 /
     * 80.00 = 654.29 -> 654 shares = 52,320.00, leaving 900.00 >= the 1 % reserve (881.20). No
     * sale again, no BBB. */
    OK(ra_store_proposal_get(f->s, "F1", id, &p, &err));
    assert_string_equal(p.supersedes, "P-2023-01-05-A4");
    assert_string_equal(p.status, "pending");
    assert_int_equal(p.n_trades, 1);
    const ra_cycle_trade *ddd = find_trade(&p, "DDD", 1);
    assert_non_null(ddd);
    assert_int_equal(ddd->qty_micro, SH(654));
    assert_int_equal(ddd->value_minor, 5232000);
    assert_true(ddd->reasons & RA_REASON_TLH);
    ra_cycle_proposal_clear(&p);
    /* approving it is funded by the open sale orders, though the cash today is 1,000.00 */
    OK(ra_store_proposal_decide(f->s, &f->actor, id, 1, NULL, 0, "DDD instead", &n, &err));
    assert_int_equal(n, 1);
    /* the next close fills the sales first (AAA at 85.00: 50,490.00; CCC 4,700.00), then DDD:
     * cash 1,000.00 + 50,490.00 + 4,700.00 - 52,320.00 = 3,870.00 */
    OK(run_day(f, D(2023, 1, 6), &st, &err));
    assert_int_equal(held(f, "A4", "AAA"), 0);
    assert_int_equal(held(f, "A4", "BBB"), 0);
    assert_int_equal(held(f, "A4", "DDD"), SH(654));
    assert_int_equal(held(f, "A4", "CCC"), SH(698));
    ra_ledger l;
    OK(ra_store_account_ledger(f->s, "F1", "A4", &l, &err));
    assert_int_equal(l.cash_minor, 387000);
    ra_ledger_free(&l);
    uint64_t records = 0;
    OK(ra_store_audit_verify(f->s, &records, NULL, &err));
}

static ra_instruction *instruction(fx *f, const char *account, size_t *n)
{
    ra_err err = {0};
    ra_instruction *in = NULL;
    OK(ra_store_instructions_list(f->s, "F1", account, NULL, &in, n, &err));
    return in;
}

/* Instructed withdrawals. A1 (discretionary) has 100,000.00 in cash and a client's withdrawal of
 * 10,000.00 due on day 1: the proposal invests what stays, 90,000.00: AAA 0.594 * 90,000.00 /
 * 100.00 = 534.6 -> 534 shares (53,400.00), CCC 0.396 * 90,000.00 / 50.00 = 712.8 -> 712 shares
 * (35,600.00); cash 100,000.00 - 89,000.00 = 11,000.00 pays the 10,000.00 at the close, 1,000.00
 * left. The day's value is 90,000.00 with a flow of -10,000.00. A2 (advisory, nothing bought
 * until approved) owes 150,000.00: its 100,000.00 of cash is paid (partial), the rest cancelled. */
static void test_withdrawal_instructions(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    char code[RA_CYCLE_ID_MAX];
    OK(ra_store_withdrawal_put(f->s, &f->actor, "A1", 1000000, D(2023, 1, 4), "client",
                               "house deposit", code, &err));
    assert_string_equal(code, "W-A1-1");
    OK(ra_store_withdrawal_put(f->s, &f->actor, "A2", 15000000, D(2023, 1, 4), "firm", "", code,
                               &err));
    assert_int_equal(ra_store_withdrawal_put(f->s, &f->actor, "A1", 0, D(2023, 1, 4), "client",
                                             "", code, &err),
                     RA_EINVAL);
    assert_int_equal(ra_store_withdrawal_put(f->s, &f->actor, "A1", 100, D(2023, 1, 4), "bank",
                                             "", code, &err),
                     RA_EINVAL);
    ra_cycle_stats st;
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    assert_int_equal(st.withdrawals_minor, 1000000 + 10000000);
    assert_int_equal(st.withdrawals_short, 1);
    assert_int_equal(held(f, "A1", "AAA"), SH(534));
    assert_int_equal(held(f, "A1", "CCC"), SH(712));
    ra_ledger l;
    OK(ra_store_account_ledger(f->s, "F1", "A1", &l, &err));
    assert_int_equal(l.cash_minor, 100000);
    ra_ledger_free(&l);
    ra_cycle_value *v = NULL;
    size_t n = 0;
    OK(ra_store_daily_values(f->s, "F1", "A1", D(2023, 1, 4), D(2023, 1, 4), &v, &n, &err));
    assert_int_equal(n, 1);
    assert_int_equal(v[0].value_minor, 9000000);
    assert_int_equal(v[0].flow_minor, -1000000);
    ra_store_free(v);
    ra_cycle_proposal p;
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-04-A1", &p, &err));
    assert_int_equal(p.n_trades, 2);
    ra_cycle_proposal_clear(&p);
    ra_instruction *in = instruction(f, "A1", &n);
    assert_int_equal(n, 1);
    assert_string_equal(in[0].status, "paid");
    assert_int_equal(in[0].paid_minor, 1000000);
    assert_string_equal(in[0].source, "client");
    ra_store_free(in);
    in = instruction(f, "A2", &n);
    assert_int_equal(n, 1);
    assert_string_equal(in[0].status, "partial");
    assert_int_equal(in[0].paid_minor, 10000000);
    ra_store_free(in);
    /* the next day owes A2 the rest, with no cash to pay it: nothing paid, still partial */
    OK(run_day(f, D(2023, 1, 5), &st, &err));
    in = instruction(f, "A2", &n);
    assert_int_equal(in[0].paid_minor, 10000000);
    ra_store_free(in);
    /* day 1 replays identically after day 2 ran (its withdrawals rewound and paid again) */
    ra_cycle_options o;
    ra_cycle_options_default(&o);
    o.date = D(2023, 1, 4);
    o.cash_reserve = 0.01;
    o.batch = 2;
    ra_cycle_replay_result rr;
    OK(ra_cycle_replay(f->s, &f->actor, &o, &rr, &err));
    if (!rr.identical)
        fail_msg("replay: %s", rr.difference);
    in = instruction(f, "A2", &n); /* the replay wrote nothing */
    assert_int_equal(in[0].paid_minor, 10000000);
    ra_store_free(in);
    assert_int_equal(ra_store_instruction_cancel(f->s, &f->actor, "W-A1-1", "late", &err),
                     RA_ECONFLICT);
    OK(ra_store_instruction_cancel(f->s, &f->actor, "W-A2-1", "client changed plans", &err));
    in = instruction(f, "A2", &n);
    assert_string_equal(in[0].status, "cancelled");
    assert_string_equal(in[0].cancelled_by, "tester");
    ra_store_free(in);
    uint64_t records = 0;
    OK(ra_store_audit_verify(f->s, &records, NULL, &err));
    OK(ra_store_check(f->s, NULL, &err));
}

/* A mandate asking for the client's confirmation: A1 (discretionary) proposes on day 1 but trades
 * only once the advisor approved and the client confirmed. Approved, the proposal is
 * "confirming" with no orders; confirmed, its orders exist and fill at the next close. A second
 * proposal approved but never confirmed lapses at the next day's run. */
static void test_client_confirmation(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_mandate_version mv;
    OK(ra_store_mandate_get(f->s, "F1", "A1", 0, &mv, &err));
    mv.mandate.client_confirm = 1;
    int64_t version = 0;
    OK(ra_store_mandate_put(f->s, &f->actor, "A1", &mv.mandate, NULL, 0, "client asks to confirm",
                            &version, &err));
    ra_cycle_stats st;
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    assert_int_equal(held(f, "A1", "AAA"), 0); /* nothing traded without the confirmation */
    ra_cycle_proposal p;
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-04-A1", &p, &err));
    assert_string_equal(p.status, "pending");
    assert_int_equal(p.discretionary, 0);
    ra_cycle_proposal_clear(&p);
    size_t made = 9;
    assert_int_equal(ra_store_proposal_confirm(f->s, &f->actor, "P-2023-01-04-A1", 1, "", &made,
                                               &err),
                     RA_ECONFLICT); /* the advisor first */
    OK(ra_store_proposal_decide(f->s, &f->actor, "P-2023-01-04-A1", 1, NULL, 0, "advisor ok",
                                &made, &err));
    assert_int_equal(made, 0);
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-04-A1", &p, &err));
    assert_string_equal(p.status, "confirming");
    size_t n_trades = p.n_trades;
    ra_cycle_proposal_clear(&p);
    OK(ra_store_proposal_confirm(f->s, &f->actor, "P-2023-01-04-A1", 1, "client said yes", &made,
                                 &err));
    assert_int_equal(made, n_trades);
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-04-A1", &p, &err));
    assert_string_equal(p.status, "approved");
    ra_cycle_proposal_clear(&p);
    /* day 2 fills the confirmed orders (594 AAA, 792 CCC: the day-1 proposal of the first case) */
    OK(run_day(f, D(2023, 1, 5), &st, &err));
    assert_int_equal(held(f, "A1", "AAA"), SH(594));
    assert_int_equal(held(f, "A1", "CCC"), SH(792));
    /* day 2's proposal (AAA fell to 80.00: a harvest) approved, never confirmed: lapses on day 3 */
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-05-A1", &p, &err));
    ra_cycle_proposal_clear(&p);
    OK(ra_store_proposal_decide(f->s, &f->actor, "P-2023-01-05-A1", 1, NULL, 0, "advisor ok",
                                &made, &err));
    OK(run_day(f, D(2023, 1, 6), &st, &err));
    assert_true(st.lapsed_unconfirmed >= 1);
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-05-A1", &p, &err));
    assert_string_equal(p.status, "lapsed");
    ra_cycle_proposal_clear(&p);
    assert_int_equal(ra_store_proposal_confirm(f->s, &f->actor, "P-2023-01-05-A1", 1, "late",
                                               &made, &err),
                     RA_ECONFLICT);
    uint64_t records = 0;
    OK(ra_store_audit_verify(f->s, &records, NULL, &err));
}

/* An approved order cancelled before the next close is not filled, and cannot be filled or
 * cancelled again; the other order of the proposal fills. */
static void test_order_cancel(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_cycle_stats st;
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    OK(ra_store_proposal_decide(f->s, &f->actor, "P-2023-01-04-A2", 1, NULL, 0, "ok", NULL,
                                &err));
    ra_cycle_proposal p;
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-04-A2", &p, &err));
    assert_int_equal(p.n_trades, 2);
    char first[RA_CYCLE_ID_MAX];
    snprintf(first, sizeof first, "P-2023-01-04-A2-%d", p.trades[0].n);
    const ra_cycle_trade kept = p.trades[1];
    const ra_cycle_trade gone = p.trades[0];
    ra_cycle_proposal_clear(&p);
    assert_int_equal(ra_store_order_cancel(f->s, &f->actor, first, "", &err), RA_EINVAL);
    OK(ra_store_order_cancel(f->s, &f->actor, first, "client called", &err));
    assert_int_equal(ra_store_order_cancel(f->s, &f->actor, first, "again", &err), RA_ECONFLICT);
    assert_int_equal(ra_store_order_cancel(f->s, &f->actor, "P-NOPE-1", "x", &err), RA_ENOTFOUND);
    assert_int_equal(ra_store_order_fill(f->s, &f->actor, first, SH(1), PX(10000), 0,
                                         D(2023, 1, 5), &err),
                     RA_ECONFLICT);
    OK(run_day(f, D(2023, 1, 5), &st, &err));
    assert_int_equal(held(f, "A2", gone.ticker), 0);
    assert_int_equal(held(f, "A2", kept.ticker), kept.qty_micro);
    uint64_t records = 0;
    OK(ra_store_audit_verify(f->s, &records, NULL, &err));
}

/* ra_store_cycle_put writes the value-only days of known accounts 64 to a statement: 70 of them
 * (64 in bulk, 6 one by one) all written, each value as given; written again, all 70 are counted
 * as done already and nothing changes (the expected values are the ones put). */
static void test_put_value_only_in_bulk(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    enum { N = 70 };
    for (int a = 0; a < N - 3; a++) {
        char code[16], client[16], hh[16];
        snprintf(code, sizeof code, "V%02d", a);
        snprintf(client, sizeof client, "VC%02d", a);
        snprintf(hh, sizeof hh, "VH%02d", a);
        account(f, code, client, hh, 1, 0);
    }
    ra_cycle_book *b = NULL;
    OK(ra_store_cycle_book_load(f->s, "F1", D(2023, 1, 4), 30, &b, &err));
    assert_int_equal(b->n_acc, N);
    ra_cycle_account_day days[N];
    memset(days, 0, sizeof days);
    for (size_t i = 0; i < N; i++) {
        days[i].account_id = b->acc[i].id;
        ra_cycle_value *v = &days[i].value;
        memcpy(v->account, b->acc[i].code, RA_CODE_MAX);
        v->date = D(2023, 1, 4);
        v->value_minor = 1000 + (ra_minor)i;
        v->cash_minor = 7 * (ra_minor)i;
        v->twr = i ? 0.001 * (double)i : NAN;
        v->drift = 0.5 / (double)(i + 1);
        v->held_back = (unsigned)i % 3;
    }
    size_t skipped = 99;
    OK(ra_store_cycle_put(f->s, &f->actor, days, N, &skipped, &err));
    assert_int_equal(skipped, 0);
    for (size_t i = 0; i < N; i += 23) { /* 0, 23, 46 in the bulk statement, 69 one by one */
        ra_cycle_value *v = NULL;
        size_t n = 0;
        OK(ra_store_daily_values(f->s, "F1", b->acc[i].code, 0, 0, &v, &n, &err));
        assert_int_equal(n, 1);
        assert_int_equal(v[0].value_minor, 1000 + (ra_minor)i);
        assert_int_equal(v[0].cash_minor, 7 * (ra_minor)i);
        assert_true(i ? v[0].twr == 0.001 * (double)i : isnan(v[0].twr));
        assert_true(v[0].drift == 0.5 / (double)(i + 1));
        assert_int_equal(v[0].held_back, i % 3);
        ra_store_free(v);
    }
    days[5].value.value_minor = 1; /* a second write changes nothing */
    OK(ra_store_cycle_put(f->s, &f->actor, days, N, &skipped, &err));
    assert_int_equal(skipped, N);
    ra_cycle_value *v = NULL;
    size_t n = 0;
    OK(ra_store_daily_values(f->s, "F1", b->acc[5].code, 0, 0, &v, &n, &err));
    assert_int_equal(v[0].value_minor, 1005);
    ra_store_free(v);
    ra_cycle_book_destroy(b);
}

/* ---- threads: the same results whatever their number ------------------------------------------- */

/* A text buffer for the dump of a day's records. */
typedef struct dump {
    char *t;
    size_t n, cap;
} dump;

static void dput(dump *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char line[1024];
    int k = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    assert_true(k >= 0 && (size_t)k < sizeof line);
    if (d->n + (size_t)k + 1 > d->cap) {
        d->cap = 2 * (d->n + (size_t)k + 1);
        d->t = realloc(d->t, d->cap);
        assert_non_null(d->t);
    }
    memcpy(d->t + d->n, line, (size_t)k + 1);
    d->n += (size_t)k;
}

#define MANY 24 /* accounts of the threads case: 8 households of 3 */

/* Every proposal (with its trades and lots), order, daily value and transaction of the firm, as
 * text: doubles with 17 digits, so that equal text means equal bits. *n_props counts proposals. */
static void dump_firm(fx *f, dump *d, size_t *n_props)
{
    ra_err err = {0};
    ra_cycle_filter all = {0, NULL, NULL};
    ra_cycle_proposal *p = NULL;
    size_t n = 0;
    OK(ra_store_proposals_list(f->s, "F1", &all, &p, &n, &err));
    *n_props = n;
    for (size_t i = 0; i < n; i++) {
        dput(d, "P %s %s %d %s %d %s %lld %.17g %.17g %.17g %.17g %u %s\n", p[i].id,
             p[i].account, (int)p[i].date, p[i].status, p[i].discretionary, p[i].config_hash,
             (long long)p[i].value_minor, p[i].drift_before, p[i].drift_after,
             p[i].max_dev_before, p[i].max_dev_after, p[i].held_back, p[i].supersedes);
        for (size_t k = 0; k < p[i].n_trades; k++) {
            const ra_cycle_trade *t = &p[i].trades[k];
            dput(d, " T %d %s %d %lld %lld %d %lld %u %lld %lld %d %s", t->n, t->ticker, t->side,
                 (long long)t->qty_micro, (long long)t->price, (int)t->price_date,
                 (long long)t->value_minor, t->reasons, (long long)t->gain_short_minor,
                 (long long)t->gain_long_minor, t->risk_level, t->status);
            for (size_t m = 0; m < t->n_picks; m++)
                dput(d, " %llu:%lld", (unsigned long long)p[i].picks[t->first_pick + m].lot_id,
                     (long long)p[i].picks[t->first_pick + m].qty_micro);
            dput(d, "\n");
        }
    }
    ra_cycle_proposals_free(p, n);
    ra_cycle_order *o = NULL;
    OK(ra_store_orders_list(f->s, "F1", &all, &o, &n, &err));
    for (size_t i = 0; i < n; i++)
        dput(d, "O %s %s %s %d %d %s %d %lld %lld %lld %s\n", o[i].id, o[i].account,
             o[i].proposal, o[i].trade_n, (int)o[i].date, o[i].ticker, o[i].side,
             (long long)o[i].qty_micro, (long long)o[i].limit_price,
             (long long)o[i].filled_micro, o[i].status);
    ra_store_free(o);
    for (int a = 0; a < MANY; a++) {
        char code[16];
        snprintf(code, sizeof code, "M%02d", a);
        ra_cycle_value *v = NULL;
        OK(ra_store_daily_values(f->s, "F1", code, 0, 0, &v, &n, &err));
        for (size_t i = 0; i < n; i++)
            dput(d, "V %s %d %lld %lld %lld %.17g %.17g %.17g %d %u\n", code, (int)v[i].date,
                 (long long)v[i].value_minor, (long long)v[i].cash_minor,
                 (long long)v[i].flow_minor, v[i].twr, v[i].drift, v[i].max_dev,
                 v[i].out_of_band, v[i].held_back);
        ra_store_free(v);
        ra_txn *x = NULL;
        int md = 2;
        OK(ra_store_account_txns(f->s, "F1", code, RA_STORE_DATE_LATEST, &x, &n, &md, &err));
        for (size_t i = 0; i < n; i++)
            dput(d, "X %s %d %d %u %lld %lld %lld %lld %d\n", code, (int)x[i].kind,
                 (int)x[i].date, x[i].security, (long long)x[i].qty_micro,
                 (long long)x[i].price, (long long)x[i].amount_minor,
                 (long long)x[i].fees_minor, (int)x[i].relief);
        ra_store_free(x);
    }
}

/* The fixture's firm with MANY more accounts M00..M23 in households K0..K7 (three each, one in
 * three advisory), funded with different amounts, run over the three days with `threads`
 * threads and batches of 4 accounts (a batch holds several households, and a household may
 * cross the nominal batch size). Returns the dump; *last gets the stats of day 2. */
static dump run_many(unsigned threads, size_t *n_props, ra_cycle_stats *last)
{
    fx *f = NULL;
    assert_int_equal(setup((void **)&f), 0);
    ra_err err = {0};
    for (int a = 0; a < MANY; a++) {
        char code[16], client[16], hh[16];
        snprintf(code, sizeof code, "M%02d", a);
        snprintf(client, sizeof client, "MC%02d", a);
        snprintf(hh, sizeof hh, "K%d", a / 3);
        account(f, code, client, hh, a % 3 != 1, 1000000 + 137100 * (ra_minor)a);
        if (a % 4 == 0)
            deposit(f, code, "more", D(2023, 1, 6), 250000 + 1000 * (ra_minor)a);
    }
    for (int day = 4; day <= 6; day++) {
        ra_cycle_options o;
        ra_cycle_options_default(&o);
        o.date = D(2023, 1, day);
        o.execute_close = 1;
        o.batch = 4;
        o.threads = threads;
        ra_cycle_stats st;
        OK(ra_cycle_run_day(f->s, &f->actor, &o, &st, &err));
        if (day == 5) /* the harvest's day */
            *last = st;
    }
    uint64_t records = 0;
    OK(ra_store_audit_verify(f->s, &records, NULL, &err));
    dump d = {NULL, 0, 0};
    dump_firm(f, &d, n_props);
    teardown((void **)&f);
    return d;
}

/* 1, 2 and 3 threads store the same proposals, orders, fills and daily values, bit for bit, and
 * report the same stats (the households' sums merged in book order). The days are the fixture's
 * (a harvest on day 2, whose wash-sale window binds the household's other accounts on day 3). */
static void test_threads_identical_results(void **state)
{
    (void)state;
    size_t np[3];
    ra_cycle_stats st[3];
    dump d[3];
    for (unsigned t = 0; t < 3; t++)
        d[t] = run_many(t + 1, &np[t], &st[t]);
    assert_true(np[0] > MANY); /* a check that compares something: day 1 invests every deposit */
    assert_true(st[0].trades_by_reason[4] > 0); /* and day 2 harvests */
    for (unsigned t = 1; t < 3; t++) {
        assert_int_equal(np[t], np[0]);
        assert_int_equal(d[t].n, d[0].n);
        assert_string_equal(d[t].t, d[0].t);
        assert_int_equal(st[t].processed, st[0].processed);
        assert_int_equal(st[t].trades, st[0].trades);
        assert_int_equal(st[t].orders, st[0].orders);
        assert_memory_equal(&st[t].harvest_tax_value, &st[0].harvest_tax_value,
                            sizeof st[0].harvest_tax_value);
        assert_int_equal(st[t].value_minor, st[0].value_minor);
    }
    for (unsigned t = 0; t < 3; t++)
        free(d[t].t);
}

/* ---- the mandate's fields (docs/methodology.md#the-mandate) -------------------------------- */

/* Sets mandate fields of an account (key=value pairs, NULL-terminated) as a new version. */
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
    assert_int_equal(n, v.version + 1);
}

/* A crossing lapses the account's proposals still waiting for a decision (so that none is
 * approved later against the prices of before the suspension): A2 (advisory) has its day-1
 * proposal pending; with a loss limit of 0.0001 (10.00 of its 100,000.00 entrusted) a fee of 20.00
 * on day 2 makes its loss 20.00 >= 10.00 at day 2's close (hand computed): suspended, and its
 * day-1 proposal lapsed, not replaced (a suspended account proposes nothing). */
static void test_crossing_lapses_pending(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_cycle_stats st;
    mandate(f, "A2", "loss_limit", "0.0001", NULL);
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    assert_int_equal(st.loss_limit_crossed, 0);
    ra_tf_cash(f->s, &f->actor, "A2", "fee-1", RA_TXN_FEE, D(2023, 1, 5), 2000);
    OK(run_day(f, D(2023, 1, 5), &st, &err));
    assert_int_equal(st.loss_limit_crossed, 1);
    ra_cycle_proposal p;
    OK(ra_store_proposal_get(f->s, "F1", "P-2023-01-04-A2", &p, &err));
    assert_string_equal(p.status, "lapsed");
    ra_cycle_proposal_clear(&p);
    assert_int_equal(ra_store_proposal_get(f->s, "F1", "P-2023-01-05-A2", &p, &err), RA_ENOTFOUND);
}

static unsigned held_back_on(fx *f, const char *acct, ra_date d)
{
    ra_err err = {0};
    ra_cycle_value *v = NULL;
    size_t n = 0;
    OK(ra_store_daily_values(f->s, "F1", acct, d, d, &v, &n, &err));
    assert_int_equal(n, 1);
    unsigned h = v[0].held_back;
    ra_store_free(v);
    return h;
}

/* The cash reserve and fractional shares of the mandate: A1 keeps 1.3 % in cash and may hold
 * fractions. Day 1 (hand derivation): AAA 0.6 * 0.987 * 100,000.00 / 100.00 = 592.2 shares, CCC
 * 0.4 * 0.987 * 100,000.00 / 50.00 = 789.6 shares (whole lots would be 592 and 789); cash
 * 100,000 - 59,220 - 39,480 = 1,300.00. A quantity may miss by the micro-share rounding. */
static void test_mandate_cash_reserve_and_fractional(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    mandate(f, "A1", "cash_reserve", "0.013", "fractional", "1", NULL);
    ra_cycle_stats st;
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    ra_micro aaa = held(f, "A1", "AAA"), ccc = held(f, "A1", "CCC");
    assert_true(llabs(aaa - (SH(592) + 200000)) <= 1);
    assert_true(llabs(ccc - (SH(789) + 600000)) <= 1);
    /* A2 (default mandate as built: 1 % reserve, whole lots) is not affected */
    ra_cycle_proposal *p = NULL;
    size_t n = 0;
    ra_cycle_filter flt;
    memset(&flt, 0, sizeof flt);
    flt.date = D(2023, 1, 4);
    flt.account = "A2";
    OK(ra_store_proposals_list(f->s, "F1", &flt, &p, &n, &err));
    assert_int_equal(n, 1);
    const ra_cycle_trade *t = find_trade(&p[0], "AAA", +1);
    assert_non_null(t);
    assert_int_equal(t->qty_micro, SH(594));
    ra_cycle_proposals_free(p, n);
}

/* Buy-only: with TLH off, day 2's fall of AAA to 80.00 leaves A1 at AAA 594 * 80 = 47,520.00,
 * CCC 792 * 50 = 39,600.00 and 1,000.00 cash (88,120.00): CCC's weight 0.4494 is 0.0534 above
 * its target 0.396 (band min(0.05, 0.25 * 0.396) = 0.05), so a rebalance sells CCC — unless
 * the mandate is buy-only, when CCC stays at 792 shares and the day says why (RA_HELD_BUY_ONLY). */
static void test_mandate_buy_only(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    mandate(f, "A1", "tlh", "0", "buy_only", "1", NULL);
    mandate(f, "A3", "tlh", "0", NULL);
    ra_cycle_stats st;
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    OK(run_day(f, D(2023, 1, 5), &st, &err));
    assert_int_equal(held(f, "A1", "CCC"), SH(792));
    assert_true(held_back_on(f, "A1", D(2023, 1, 5)) & RA_HELD_BUY_ONLY);
}

static void test_mandate_without_buy_only_sells(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    mandate(f, "A1", "tlh", "0", NULL);
    ra_cycle_stats st;
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    OK(run_day(f, D(2023, 1, 5), &st, &err));
    assert_true(held(f, "A1", "CCC") < SH(792));
    assert_false(held_back_on(f, "A1", D(2023, 1, 5)) & RA_HELD_BUY_ONLY);
}

/* Every mandate field is in the proposal's configuration hash: a day replays identically until
 * a mandate changes (here only band_rel, which changes no trade of the day). */
static void test_mandate_change_seen_by_replay(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_cycle_stats st;
    OK(run_day(f, D(2023, 1, 4), &st, &err));
    ra_cycle_options o = day_options(D(2023, 1, 4));
    ra_cycle_replay_result res;
    OK(ra_cycle_replay(f->s, &f->actor, &o, &res, &err));
    assert_int_equal(res.identical, 1);
    mandate(f, "A1", "band_rel", "0.2", NULL);
    OK(ra_cycle_replay(f->s, &f->actor, &o, &res, &err));
    assert_int_equal(res.identical, 0);
    assert_non_null(strstr(res.difference, "A1"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_first_day_invests_the_deposit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rerun_is_a_no_op, setup, teardown),
        cmocka_unit_test_setup_teardown(test_harvest_and_household_wash_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_advisory_approval_then_fill, setup, teardown),
        cmocka_unit_test_setup_teardown(test_suspended_account_approval_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crossing_lapses_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_proposal_lapses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unfunded_approval_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_price_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_rejection_reevaluated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_withdrawal_instructions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_confirmation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_switch_back_at_short_gain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_cancel, setup, teardown),
        cmocka_unit_test(test_threads_identical_results),
        cmocka_unit_test_setup_teardown(test_put_value_only_in_bulk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mandate_cash_reserve_and_fractional, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mandate_buy_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mandate_without_buy_only_sells, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mandate_change_seen_by_replay, setup, teardown),
    };
    return ra_tdb_main(argc, argv, "test_engine_cycle", tests, sizeof tests / sizeof tests[0]);
}
