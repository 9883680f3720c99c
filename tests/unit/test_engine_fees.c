/* Fees of a firm's accounts from the stored daily values, and their bills (src/engine/fees.c,
 * src/store/store_fees.c), on SQLite and PostgreSQL (ra_test_db.h). The daily values are written
 * straight into daily_values (as run-day would store them) so that every figure below can be
 * derived by hand next to its case; amounts in cents. The numbers of the first case are the
 * worked example of docs/methodology.md#fees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ra_test_db.h"
#include "ra_test_firm.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/engine_fees.h>
#include <roboadvisor/store_mandate.h>

typedef struct fx {
    char url[1100];
    ra_store *s;
    ra_store_actor actor;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    uint8_t key[RA_STORE_KEY_BYTES];
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        key[i] = (uint8_t)(i * 7 + 1);
    f->s = ra_tdb_open_firm(f->url, sizeof f->url, key, &f->actor);
    ra_tf_security(f->s, &f->actor, "AAA", "us_equity", "", 4);
    ra_tf_security(f->s, &f->actor, "CCC", "bonds", "", 2);
    ra_tf_model2(f->s, &f->actor, "M1", "AAA", 0.6, "CCC", 0.4);
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

/* ra_test_firm.h's closes are not needed here: the daily values are written directly */
static void (*const unused_closes)(ra_store *, const ra_store_actor *, ra_date, const char *const *,
                                   const int *, size_t) = ra_tf_closes;

static ra_date D(int y, int m, int d) { return ra_date_from_ymd(y, m, d); }

/* A daily value as run-day stores it: the account's value at day d's close and the day's flow. */
static void value(fx *f, const char *account, ra_date d, ra_minor cents, ra_minor flow)
{
    char sql[512];
    snprintf(sql, sizeof sql, "INSERT INTO daily_values (account_id, day, value_minor, "
             "cash_minor, flow_minor, twr, drift, max_dev, out_of_band, held_back) SELECT id, %d, "
             "%lld, 0, %lld, NULL, 0, 0, 0, 0 FROM accounts WHERE code = '%s'", (int)d,
             (long long)cents, (long long)flow, account);
    ra_err err = {0};
    ra_tdb_must(ra_store_exec_raw(f->s, sql, &err), &err);
}

static void schedule(fx *f, const char *code, const char *tiers, ra_minor monthly,
                     const char *services, int period_months, int64_t perf_ppm, int perf_months,
                     int dflt)
{
    ra_fee_plan p;
    memset(&p, 0, sizeof p);
    ra_err err = {0};
    snprintf(p.code, sizeof p.code, "%s", code);
    snprintf(p.reason, sizeof p.reason, "agreed with the client");
    ra_tdb_must(ra_fee_tiers_parse(tiers, 2, &p.sched, &err), &err);
    ra_tdb_must(ra_fee_services_parse(services, 2, &p, &err), &err);
    p.sched.monthly_minor = monthly;
    p.period_months = period_months;
    p.perf_rate_ppm = perf_ppm;
    p.perf_months = perf_months;
    int64_t v = 0;
    ra_tdb_must(ra_store_fee_schedule_put(f->s, &f->actor, &p, &v, &err), &err);
    assert_int_equal(v, 1);
    if (dflt)
        ra_tdb_must(ra_store_fee_default_set(f->s, &f->actor, code, &err), &err);
}

/* Schedule STD: 0.50 % to $100,000, 0.25 % above, $10.00 a month, a $5.00 report on every bill.
 * Account A1's first daily value is 2024-01-15 at exactly $100,000.00 (the tier boundary: all of
 * it at 0.50 %, $500.00 a year), then $146,000.00 from 2024-01-25 ($500 + 46,000 x 0.25 % =
 * $615.00 a year). January: days 15..31 = 17 days, 10 at 50,000 c/yr and 7 at 61,500 c/yr:
 * (500,000 + 430,500) / 365 = 2,549.32 c -> 2,549; subscription 1,000 x 17 / 31 = 548.39 -> 548
 * (a month with a partial subscription); the report 500; total 3,597. Average value
 * (10 x 10,000,000 + 7 x 14,600,000) / 17 = 11,894,117.6 -> 11,894,118. February (29 days,
 * 2024 is a leap year) at $146,000: 29 x 61,500 / 365 = 4,886.30 -> 4,886; 1,000; 500; 6,386. */
static void test_fees_tier_boundary_and_partial_month(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_tf_account(f->s, &f->actor, "A1", "C1", "H1", 1, 0);
    schedule(f, "STD", "0-100000:50,100000-:25", 1000, "report:5:bill", 1, 0, 0, 1);
    value(f, "A1", D(2024, 1, 15), 10000000, 0);
    value(f, "A1", D(2024, 1, 25), 14600000, 0);
    ra_fee_bill *b = NULL;
    size_t n = 0;
    ra_tdb_must(ra_fees_compute(f->s, "F1", NULL, 0, D(2024, 2, 29), &b, &n, &err), &err);
    assert_int_equal(n, 2);
    assert_string_equal(b[0].account, "A1");
    assert_int_equal(b[0].period_start, D(2024, 1, 15));
    assert_int_equal(b[0].period_end, D(2024, 1, 31));
    assert_int_equal(b[0].days, 17);
    assert_int_equal(b[0].value_sum_minor, 202200000);
    assert_int_equal(b[0].asset_fee_minor, 2549);
    assert_int_equal(b[0].subscription_minor, 548);
    assert_int_equal(b[0].service_minor, 500);
    assert_int_equal(b[0].total_minor, 3597);
    assert_int_equal(b[0].billed, 0);
    assert_int_equal(b[1].period_start, D(2024, 2, 1));
    assert_int_equal(b[1].days, 29);
    assert_int_equal(b[1].asset_fee_minor, 4886);
    assert_int_equal(b[1].subscription_minor, 1000);
    assert_int_equal(b[1].total_minor, 6386);
    /* --to inside February: only January is a whole period */
    ra_free(b);
    ra_tdb_must(ra_fees_compute(f->s, "F1", "A1", 0, D(2024, 2, 28), &b, &n, &err), &err);
    assert_int_equal(n, 1);
    ra_free(b);
}

/* Billing A1 (the case above) with $30.00 of cash: January's 35.97 takes the 30.00 (transaction
 * fee-2024-01-31) and raises 5.97 as the firm's withdrawal instruction W-A1-1; February's 63.86
 * finds no cash: all of it is instruction W-A1-2. A second run bills nothing; the ledger
 * reconciles and the audit trail verifies. */
static void test_fees_bill_once_shortfall(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_tf_account(f->s, &f->actor, "A1", "C1", "H1", 1, 0);
    schedule(f, "STD", "0-100000:50,100000-:25", 1000, "report:5:bill", 1, 0, 0, 1);
    ra_tf_cash(f->s, &f->actor, "A1", "dep1", RA_TXN_DEPOSIT, D(2024, 1, 10), 3000);
    value(f, "A1", D(2024, 1, 15), 10000000, 0);
    value(f, "A1", D(2024, 1, 25), 14600000, 0);
    ra_fee_bill *b = NULL;
    size_t n = 0, written = 0;
    ra_tdb_must(ra_fees_bill(f->s, &f->actor, NULL, 0, D(2024, 2, 29), &b, &n, &written, &err),
                &err);
    assert_int_equal(written, 2);
    assert_int_equal(b[0].paid_minor, 3000);
    assert_int_equal(b[0].shortfall_minor, 597);
    assert_string_equal(b[0].instruction, "W-A1-1");
    assert_int_equal(b[0].txn_day, D(2024, 1, 31));
    assert_int_equal(b[1].paid_minor, 0);
    assert_int_equal(b[1].shortfall_minor, 6386);
    assert_string_equal(b[1].instruction, "W-A1-2");
    ra_free(b);
    ra_tdb_must(ra_fees_bill(f->s, &f->actor, NULL, 0, D(2024, 2, 29), &b, &n, &written, &err),
                &err);
    assert_int_equal(written, 0);
    assert_int_equal(n, 2);
    assert_int_equal(b[0].billed, 1);
    assert_int_equal(b[1].total_minor, 6386);
    ra_free(b);
    ra_ledger l;
    ra_tdb_must(ra_store_account_ledger(f->s, "F1", "A1", &l, &err), &err);
    assert_int_equal(l.cash_minor, 0);
    ra_ledger_free(&l);
    ra_instruction *in = NULL;
    size_t ni = 0;
    ra_tdb_must(ra_store_instructions_list(f->s, "F1", "A1", NULL, &in, &ni, &err), &err);
    assert_int_equal(ni, 2);
    assert_int_equal(in[0].amount_minor, 597);
    assert_string_equal(in[0].source, "firm");
    ra_store_free(in);
    ra_store_check_result cr;
    ra_tdb_must(ra_store_check(f->s, &cr, &err), &err);
    uint64_t nrec = 0, bad = 0;
    ra_tdb_must(ra_store_audit_verify(f->s, &nrec, &bad, &err), &err);
}

/* Schedule PF: no asset fee, 20 % of the profit over half-years, billed quarterly; A2 pays it by
 * its mandate's fee_schedule. Closes: 2023-12-29 $100,000; 2024-06-28 $90,000; 2024-09-16
 * $95,000 with $2,000 deposited that day; 2024-12-31 $105,000.
 *   Q4 2023: the half-year Jul-Dec 2023 starts at the first daily value (2023-12-29): P = 0.
 *   Q2 2024 (H1): P = 90,000 - 100,000 = -10,000: no fee, L' = 10,000 (a loss carried).
 *   Q4 2024 (H2): P = 105,000 - 90,000 - 2,000 = 13,000; fee = 20 % x (13,000 - 10,000) =
 *   $600.00 = 60,000 c; L' = max(0, 10,000 - 13,000) = 0 (the loss used up).
 * Then H2 billed alone first, with H1 billed before: the same figures, L read from the bill. */
static void test_fees_performance_loss_then_gain(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_tf_account(f->s, &f->actor, "A2", "C2", "H2", 1, 0);
    schedule(f, "PF", "0-:0", 0, "", 3, 200000, 6, 0);
    ra_mandate_version mv;
    ra_tdb_must(ra_store_mandate_get(f->s, "F1", "A2", 0, &mv, &err), &err);
    ra_tdb_must(ra_rule_mandate_set(&mv.mandate, "fee_schedule", "PF", &err), &err);
    int64_t ver = 0;
    ra_tdb_must(ra_store_mandate_put(f->s, &f->actor, "A2", &mv.mandate, NULL, 0, "fees agreed",
                                     &ver, &err),
                &err);
    value(f, "A2", D(2023, 12, 29), 10000000, 0);
    value(f, "A2", D(2024, 6, 28), 9000000, 0);
    value(f, "A2", D(2024, 9, 16), 9500000, 200000);
    value(f, "A2", D(2024, 12, 31), 10500000, 0);
    ra_fee_bill *b = NULL;
    size_t n = 0, written = 0;
    ra_tdb_must(ra_fees_compute(f->s, "F1", NULL, 0, D(2024, 12, 31), &b, &n, &err), &err);
    assert_int_equal(n, 5); /* Q4 2023 .. Q4 2024 */
    assert_int_equal(b[0].perf_end, D(2023, 12, 31));
    assert_int_equal(b[0].perf_profit_minor, 0);
    assert_int_equal(b[2].perf_end, D(2024, 6, 30));
    assert_int_equal(b[2].perf_profit_minor, -1000000);
    assert_int_equal(b[2].perf_fee_minor, 0);
    assert_int_equal(b[2].carried_loss_after_minor, 1000000);
    assert_int_equal(b[3].perf_end, 0);
    assert_int_equal(b[4].perf_start, D(2024, 7, 1));
    assert_int_equal(b[4].perf_value_start_minor, 9000000);
    assert_int_equal(b[4].perf_flows_minor, 200000);
    assert_int_equal(b[4].perf_profit_minor, 1300000);
    assert_int_equal(b[4].carried_loss_minor, 1000000);
    assert_int_equal(b[4].perf_fee_minor, 60000);
    assert_int_equal(b[4].carried_loss_after_minor, 0);
    assert_int_equal(b[4].total_minor, 60000);
    ra_free(b);
    /* bill up to H1 only, then H2 alone: the loss comes from the stored bill */
    ra_tf_cash(f->s, &f->actor, "A2", "dep", RA_TXN_DEPOSIT, D(2023, 12, 1), 100000);
    ra_tdb_must(ra_fees_bill(f->s, &f->actor, "A2", 0, D(2024, 6, 30), &b, &n, &written, &err),
                &err);
    assert_int_equal(written, 3);
    ra_free(b);
    ra_tdb_must(ra_fees_bill(f->s, &f->actor, "A2", D(2024, 10, 1), D(2024, 12, 31), &b, &n,
                             &written, &err),
                &err);
    assert_int_equal(n, 1);
    assert_int_equal(written, 1);
    assert_int_equal(b[0].carried_loss_minor, 1000000);
    assert_int_equal(b[0].perf_fee_minor, 60000);
    assert_int_equal(b[0].paid_minor, 60000);
    ra_free(b);
    ra_fee_bill *st = NULL;
    ra_tdb_must(ra_store_fee_bills(f->s, "F1", "A2", 0, 0, &st, &n, &err), &err);
    assert_int_equal(n, 4); /* Q3 2024 was never billed: it ends before --from */
    assert_int_equal(st[2].carried_loss_after_minor, 1000000);
    assert_int_equal(st[3].carried_loss_after_minor, 0);
    ra_store_free(st);
    uint64_t nrec = 0, bad = 0;
    ra_tdb_must(ra_store_audit_verify(f->s, &nrec, &bad, &err), &err);
}

/* A new version of a schedule from a day on: each day accrues by the version in force. STD at
 * 1.00 % then, from 2024-03-11, 2.00 % on $36,500 (100 and 200 c/day exactly): March's 10 days
 * x 100 + 21 x 200 = 5,200 c. A version equal to the latest is not written again; a mandate
 * naming a schedule the firm lacks is an error naming it. */
static void test_fees_versions_by_day(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_tf_account(f->s, &f->actor, "A3", "C3", "H3", 1, 0);
    schedule(f, "V", "0-:100", 0, "", 1, 0, 0, 1);
    ra_fee_plan p;
    memset(&p, 0, sizeof p);
    snprintf(p.code, sizeof p.code, "V");
    snprintf(p.reason, sizeof p.reason, "repriced");
    ra_tdb_must(ra_fee_tiers_parse("0-:200", 2, &p.sched, &err), &err);
    p.period_months = 1;
    p.effective = D(2024, 3, 11);
    int64_t v = 0;
    ra_tdb_must(ra_store_fee_schedule_put(f->s, &f->actor, &p, &v, &err), &err);
    assert_int_equal(v, 2);
    ra_tdb_must(ra_store_fee_schedule_put(f->s, &f->actor, &p, &v, &err), &err);
    assert_int_equal(v, 2);
    value(f, "A3", D(2024, 3, 1), 3650000, 0);
    ra_fee_bill *b = NULL;
    size_t n = 0;
    ra_tdb_must(ra_fees_compute(f->s, "F1", "A3", 0, D(2024, 3, 31), &b, &n, &err), &err);
    assert_int_equal(n, 1);
    assert_int_equal(b[0].asset_fee_minor, 5200);
    assert_int_equal(b[0].schedule_version, 2);
    ra_free(b);
    ra_mandate_version mv;
    ra_tdb_must(ra_store_mandate_get(f->s, "F1", "A3", 0, &mv, &err), &err);
    ra_tdb_must(ra_rule_mandate_set(&mv.mandate, "fee_schedule", "NOPE", &err), &err);
    ra_tdb_must(ra_store_mandate_put(f->s, &f->actor, "A3", &mv.mandate, NULL, 0, "typo", &v,
                                     &err),
                &err);
    assert_int_equal(ra_fees_compute(f->s, "F1", NULL, 0, D(2024, 3, 31), &b, &n, &err),
                     RA_ENOTFOUND);
    assert_non_null(strstr(err.msg, "NOPE"));
    ra_tdb_must(ra_store_mandate_get(f->s, "F1", "A3", 0, &mv, &err), &err);
    assert_string_equal(mv.mandate.fee_schedule, "NOPE");
    uint64_t nrec = 0, bad = 0;
    ra_tdb_must(ra_store_audit_verify(f->s, &nrec, &bad, &err), &err);
}

/* An account opened in bulk (the demo book, large loads) keeps its mandate's fee_schedule, and
 * pays it: $36,500 at 1.00 % is 100 c a day, 31 days of March 3,100 c. */
static void test_fees_bulk_opened_account(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    schedule(f, "ONE", "0-:100", 0, "", 1, 0, 0, 0);
    ra_client c;
    memset(&c, 0, sizeof c);
    snprintf(c.code, sizeof c.code, "C9");
    snprintf(c.household, sizeof c.household, "H9");
    ra_tdb_must(ra_store_client_put(f->s, &f->actor, &c, &err), &err);
    ra_account x;
    memset(&x, 0, sizeof x);
    snprintf(x.code, sizeof x.code, "B1");
    snprintf(x.client, sizeof x.client, "C9");
    x.type = RA_ACCOUNT_TAXABLE;
    snprintf(x.currency, sizeof x.currency, "USD");
    x.opened = D(2024, 1, 2);
    ra_rule_mandate_default(&x.mandate);
    snprintf(x.mandate.fee_schedule, sizeof x.mandate.fee_schedule, "ONE");
    snprintf(x.mandate.rules, sizeof x.mandate.rules, "DD15,MOVE5"); /* kept too (and imaged) */
    ra_store_opening o = {&x, D(2024, 1, 2), 3650000, NULL, 0};
    ra_tdb_must(ra_store_accounts_open_bulk(f->s, &f->actor, &o, 1, &err), &err);
    ra_mandate_version mv;
    ra_tdb_must(ra_store_mandate_get(f->s, "F1", "B1", 0, &mv, &err), &err);
    assert_string_equal(mv.mandate.fee_schedule, "ONE");
    assert_string_equal(mv.mandate.rules, "DD15,MOVE5");
    value(f, "B1", D(2024, 3, 1), 3650000, 0);
    ra_fee_bill *b = NULL;
    size_t n = 0;
    ra_tdb_must(ra_fees_compute(f->s, "F1", NULL, 0, D(2024, 3, 31), &b, &n, &err), &err);
    assert_int_equal(n, 1);
    assert_string_equal(b[0].schedule, "ONE");
    assert_int_equal(b[0].asset_fee_minor, 3100);
    ra_free(b);
    uint64_t nrec = 0, bad = 0;
    ra_tdb_must(ra_store_audit_verify(f->s, &nrec, &bad, &err), &err);
}

int main(int argc, char **argv)
{
    (void)unused_closes;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fees_tier_boundary_and_partial_month, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_fees_bill_once_shortfall, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fees_performance_loss_then_gain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fees_versions_by_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fees_bulk_opened_account, setup, teardown),
    };
    return ra_tdb_main(argc, argv, "test_engine_fees", tests, sizeof tests / sizeof tests[0]);
}
