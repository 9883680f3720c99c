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
        cmocka_unit_test_setup_teardown(test_pending_proposal_lapses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unfunded_approval_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_price_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mandate_cash_reserve_and_fractional, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mandate_buy_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mandate_without_buy_only_sells, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mandate_change_seen_by_replay, setup, teardown),
    };
    return ra_tdb_main(argc, argv, "test_engine_cycle", tests, sizeof tests / sizeof tests[0]);
}
