/* Tests of the engine's imports, reconciliation and demo-book writing
 * (include/roboadvisor/engine_import.h, include/roboadvisor/bookgen.h; src/engine/import.c,
 * src/engine/bookgen_store.c). Run against SQLite (`test_engine_import sqlite`, a temporary file
 * per case) and PostgreSQL (`test_engine_import pg @FILE` or ROBOADVISOR_TEST_PG), like
 * test_store. Inputs are small CSV texts written here; expected counts and breaks are counted by
 * hand from them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <roboadvisor/alloc.h>
#include <roboadvisor/bookgen.h>
#include <roboadvisor/engine_import.h>

#include "ra_test.h"
#include "ra_test_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


typedef struct fx {
    ra_store *s;
    char url[1100];
    ra_store_actor actor;
} fx;

#define OK(expr) ra_tdb_must((expr), &err)

static const uint8_t k_key[RA_STORE_KEY_BYTES] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
                                                  29, 30, 31, 32};

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->s = ra_tdb_open_firm(f->url, sizeof f->url, k_key, &f->actor);
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

/* Parses text as an import of kind and applies it; returns the status, the result in *res. */
static ra_status import_text(fx *f, ra_import_kind kind, const char *text,
                             const ra_import_options *o, ra_import_result *res, ra_err *err)
{
    ra_import *im = NULL;
    ra_status rc = ra_import_parse(kind, text, strlen(text), "t.csv", NULL, &im, err);
    if (rc == RA_OK)
        rc = ra_import_apply(f->s, &f->actor, im, o, res, err);
    ra_import_destroy(im);
    return rc;
}

#define IMPORT_OK(kind, text, add, upd, same)                                                      \
    do {                                                                                           \
        ra_import_result r_;                                                                       \
        OK(import_text(f, (kind), (text), NULL, &r_, &err));                                       \
        assert_int_equal(r_.added, (add));                                                         \
        assert_int_equal(r_.updated, (upd));                                                       \
        assert_int_equal(r_.unchanged, (same));                                                    \
        ra_import_result_free(&r_);                                                                \
    } while (0)

static const char *k_securities =
    "ticker,name,asset_class,risk_level,expense_ratio,lot_size,exchange,currency,tlh_group,on_shelf\n"
    "SPY,S&P 500 ETF,us_equity,R4,0.000945,1,NYSEARCA,USD,us_large,yes\n"
    "AGG,Aggregate Bond ETF,bonds,R2,0.0003,1,NYSEARCA,USD,us_bonds,yes\n";
static const char *k_clients =
    "code,household,advisor,name,email,tax_id,address,birth_year\n"
    "C1,H1,ADV1,Avery Example,avery@example.com,900-70-0001,12 Sample Street,1961\n"
    "C2,H1,ADV1,Jordan Example,jordan@example.com,900-70-0002,12 Sample Street,1963\n";
static const char *k_accounts =
    "code,client,type,currency,opened,model,discretionary,drift_band,tlh,loss_limit,restrictions\n"
    "A1,C1,taxable,USD,2023-01-03,growth_80,yes,0.04,yes,0.12,EEM\n"
    "A2,C2,tax_free,USD,2023-01-03,balanced_60,no,0.05,no,0.10,\n";
static const char *k_txns =
    "account,txn_id,date,kind,ticker,qty,price,amount,fees,relief,lots,ratio\n"
    "A1,T1,2023-01-04,deposit,,,,100000.00,,,,\n"
    "A1,T2,2023-01-04,buy,SPY,100,380.00,,1.00,,,\n"
    "A2,T1,2023-01-05,deposit,,,,5000.00,,,,\n";

static void load_master(fx *f)
{
    ra_err err = {0};
    IMPORT_OK(RA_IMPORT_SECURITIES, k_securities, 2, 0, 0);
    IMPORT_OK(RA_IMPORT_CLIENTS, k_clients, 2, 0, 0);
    IMPORT_OK(RA_IMPORT_ACCOUNTS, k_accounts, 2, 0, 0);
}

/* ---- the import pipeline ---------------------------------------------------------------------- */

static void test_import_apply_counts_and_idempotent(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    load_master(f);
    IMPORT_OK(RA_IMPORT_TRANSACTIONS, k_txns, 3, 0, 0);
    /* the same files again: nothing new */
    IMPORT_OK(RA_IMPORT_SECURITIES, k_securities, 0, 0, 2);
    IMPORT_OK(RA_IMPORT_CLIENTS, k_clients, 0, 0, 2);
    IMPORT_OK(RA_IMPORT_ACCOUNTS, k_accounts, 0, 0, 2);
    IMPORT_OK(RA_IMPORT_TRANSACTIONS, k_txns, 0, 0, 3);
    /* one changed row is one update */
    IMPORT_OK(RA_IMPORT_CLIENTS,
              "code,household,advisor,name,email,tax_id,address,birth_year\n"
              "C1,H1,ADV2,Avery Example,avery@example.com,900-70-0001,12 Sample Street,1961\n",
              0, 1, 0);
    ra_client c;
    OK(ra_store_client_get(f->s, "F1", "C1", &c, &err));
    assert_string_equal(c.advisor, "ADV2");
    /* cash: 100000 - 100 * 380 - 1 = 61999.00 */
    ra_ledger l;
    OK(ra_store_account_ledger(f->s, "F1", "A1", &l, &err));
    assert_int_equal(l.cash_minor, 6199900);
    ra_ledger_free(&l);
}

static void test_import_apply_failure_writes_nothing(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    load_master(f);
    uint64_t before = 0, after = 0;
    OK(ra_store_audit_verify(f->s, &before, NULL, &err));
    /* the second row names a client that does not exist: the first is not kept either */
    ra_import_result r;
    ra_status rc = import_text(f, RA_IMPORT_ACCOUNTS,
                               "code,client,type,currency,opened\n"
                               "A3,C1,taxable,USD,2023-01-03\n"
                               "A4,C9,taxable,USD,2023-01-03\n",
                               NULL, &r, &err);
    assert_int_equal(rc, RA_ENOTFOUND);
    assert_non_null(strstr(err.where, "t.csv:3"));
    assert_int_equal(r.added + r.updated + r.unchanged, 0);
    ra_account a;
    assert_int_equal(ra_store_account_get(f->s, "F1", "A3", &a, &err), RA_ENOTFOUND);
    OK(ra_store_audit_verify(f->s, &after, NULL, &err));
    assert_int_equal(after, before);
    /* a sale of more than held fails the whole batch */
    rc = import_text(f, RA_IMPORT_TRANSACTIONS,
                     "account,txn_id,date,kind,ticker,qty,price,amount\n"
                     "A1,T1,2023-01-04,deposit,,,,1000.00\n"
                     "A1,T2,2023-01-05,sell,SPY,5,380.00,\n",
                     NULL, &r, &err);
    assert_int_not_equal(rc, RA_OK);
    uint64_t n = 9;
    OK(ra_store_txn_count(f->s, "F1", "A1", &n, &err));
    assert_int_equal(n, 0);
}

static void test_import_apply_new_tickers_named(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    IMPORT_OK(RA_IMPORT_SECURITIES, k_securities, 2, 0, 0);
    ra_import_result r;
    /* 2 dates x 3 tickers, one empty cell: 5 prices; QQQ and IWM are new */
    OK(import_text(f, RA_IMPORT_PRICES,
                   "Date,SPY,QQQ,IWM\n2023-01-03,380.5,,180\n2023-01-04,381,270.25,181\n", NULL,
                   &r, &err));
    assert_int_equal(r.added, 5);
    assert_int_equal(r.n_new_tickers, 2);
    assert_string_equal(r.new_tickers[0], "QQQ");
    assert_string_equal(r.new_tickers[1], "IWM");
    ra_import_result_free(&r);
    /* dividends of a new ticker and of a known one */
    OK(import_text(f, RA_IMPORT_DIVIDENDS,
                   "Date,Ticker,dividend_amount\n2023-03-17,SPY,1.50\n2023-03-17,VEA,0.30\n"
                   "2023-06-16,VEA,0.35\n",
                   NULL, &r, &err));
    assert_int_equal(r.added, 3);
    assert_int_equal(r.n_new_tickers, 1);
    assert_string_equal(r.new_tickers[0], "VEA");
    ra_import_result_free(&r);
    ra_security sec;
    OK(ra_store_security_get(f->s, "F1", "VEA", &sec, &err));
    assert_int_equal(sec.incomplete, 1);
}


/* ---- issue 10: imports never erase what they were not given ---------------------------------- */

static void test_import_absent_client_columns_keep_stored(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    load_master(f);
    ra_client before, after;
    OK(ra_store_client_get(f->s, "F1", "C1", &before, &err));
    /* the reproduction: a file of only code,name changed nothing before the fix but erased
     * household, advisor, email, tax id, address and birth year */
    IMPORT_OK(RA_IMPORT_CLIENTS, "code,name\nC1,Avery Example\n", 0, 0, 1);
    OK(ra_store_client_get(f->s, "F1", "C1", &after, &err));
    assert_string_equal(after.household, "H1");
    assert_string_equal(after.advisor, "ADV1");
    assert_string_equal(after.email, "avery@example.com");
    assert_string_equal(after.tax_id, "900-70-0001");
    assert_string_equal(after.address, "12 Sample Street");
    assert_int_equal(after.birth_year, 1961);
    assert_memory_equal(&before, &after, sizeof before);
    /* a present column with an empty cell means what docs/formats.md says: no email */
    IMPORT_OK(RA_IMPORT_CLIENTS, "code,name,email\nC1,Avery Example,\n", 0, 1, 0);
    OK(ra_store_client_get(f->s, "F1", "C1", &after, &err));
    assert_string_equal(after.email, "");
    assert_string_equal(after.tax_id, "900-70-0001");
    /* ... and an empty household is the client's own one */
    IMPORT_OK(RA_IMPORT_CLIENTS, "code,name,household\nC1,Avery Example,\n", 0, 1, 0);
    OK(ra_store_client_get(f->s, "F1", "C1", &after, &err));
    assert_string_equal(after.household, "C1");
    assert_string_equal(after.advisor, "ADV1");
    /* a new client from the short file takes the defaults */
    IMPORT_OK(RA_IMPORT_CLIENTS, "code,name\nC3,Riley Morgan\n", 1, 0, 0);
    OK(ra_store_client_get(f->s, "F1", "C3", &after, &err));
    assert_string_equal(after.household, "C3");
    assert_string_equal(after.advisor, "");
    assert_int_equal(after.birth_year, 0);
}

static void test_import_absent_account_columns_keep_stored(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    load_master(f);
    /* the reproduction: only the required columns reset model, drift band, TLH, loss limit
     * and dropped the restrictions */
    IMPORT_OK(RA_IMPORT_ACCOUNTS,
              "code,client,type,currency,opened\nA1,C1,taxable,USD,2023-01-03\n", 0, 0, 1);
    ra_account a;
    OK(ra_store_account_get(f->s, "F1", "A1", &a, &err));
    assert_string_equal(a.mandate.model, "growth_80");
    assert_int_equal(a.mandate.discretionary, 1);
    RA_ASSERT_CLOSE(a.mandate.drift_band, 0.04, 0, 0);
    assert_int_equal(a.mandate.tlh_enabled, 1);
    RA_ASSERT_CLOSE(a.mandate.loss_limit, 0.12, 0, 0);
    assert_string_equal(a.mandate.restrictions, "EEM");
    /* present and empty: the format's default (drift band 0.05, no restrictions) */
    IMPORT_OK(RA_IMPORT_ACCOUNTS,
              "code,client,type,currency,opened,drift_band,restrictions\n"
              "A1,C1,taxable,USD,2023-01-03,,\n", 0, 1, 0);
    OK(ra_store_account_get(f->s, "F1", "A1", &a, &err));
    RA_ASSERT_CLOSE(a.mandate.drift_band, 0.05, 0, 0);
    assert_string_equal(a.mandate.restrictions, "");
    assert_string_equal(a.mandate.model, "growth_80");
    RA_ASSERT_CLOSE(a.mandate.loss_limit, 0.12, 0, 0);
    /* A2 is advisory (discretionary no): a file without the column keeps it advisory */
    IMPORT_OK(RA_IMPORT_ACCOUNTS,
              "code,client,type,currency,opened,model\nA2,C2,tax_free,USD,2023-01-03,income_20\n",
              0, 1, 0);
    OK(ra_store_account_get(f->s, "F1", "A2", &a, &err));
    assert_int_equal(a.mandate.discretionary, 0);
    assert_string_equal(a.mandate.model, "income_20");
}

static void test_import_absent_security_columns_keep_stored(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    IMPORT_OK(RA_IMPORT_SECURITIES,
              "ticker,name,asset_class,risk_level,expense_ratio,lot_size,exchange,currency,"
              "tlh_group,on_shelf\n"
              "600519,Kweichow Moutai,cn_equity,R5,0,100,SSE,CNY,cn_consumer,no\n", 1, 0, 0);
    IMPORT_OK(RA_IMPORT_SECURITIES,
              "ticker,name,asset_class,risk_level,expense_ratio,currency\n"
              "600519,Kweichow Moutai,cn_equity,R5,0,CNY\n", 0, 0, 1);
    ra_security sec;
    OK(ra_store_security_get(f->s, "F1", "600519", &sec, &err));
    assert_int_equal(sec.lot_size, 100);
    assert_string_equal(sec.exchange, "SSE");
    assert_string_equal(sec.tlh_group, "cn_consumer");
    assert_int_equal(sec.on_shelf, 0);
    /* a security added from prices has no master data yet: completing it takes the defaults */
    ra_import_result r;
    OK(import_text(f, RA_IMPORT_PRICES, "Date,QQQ\n2023-01-03,270\n", NULL, &r, &err));
    ra_import_result_free(&r);
    IMPORT_OK(RA_IMPORT_SECURITIES,
              "ticker,name,asset_class,risk_level,expense_ratio,currency\n"
              "QQQ,Nasdaq 100 ETF,us_equity,R4,0.002,USD\n", 0, 1, 0);
    OK(ra_store_security_get(f->s, "F1", "QQQ", &sec, &err));
    assert_int_equal(sec.incomplete, 0);
    assert_int_equal(sec.lot_size, 1);
    assert_int_equal(sec.on_shelf, 1);
}

static void test_import_absent_txn_columns_never_change_stored(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    load_master(f);
    IMPORT_OK(RA_IMPORT_TRANSACTIONS, k_txns, 3, 0, 0);
    /* T2 was stored with fees 1.00: a file without the fees column does not erase them (a
     * stored transaction is never changed: the other content is refused) */
    ra_import_result r;
    ra_status rc = import_text(f, RA_IMPORT_TRANSACTIONS,
                               "account,txn_id,date,kind,ticker,qty,price\n"
                               "A1,T2,2023-01-04,buy,SPY,100,380.00\n",
                               NULL, &r, &err);
    assert_int_equal(rc, RA_ECONFLICT);
    ra_ledger l;
    OK(ra_store_account_ledger(f->s, "F1", "A1", &l, &err));
    assert_int_equal(l.cash_minor, 6199900); /* 100000 - 38000 - 1 */
    ra_ledger_free(&l);
    /* a file of deposits needs only amount; re-importing a row identically is unchanged */
    IMPORT_OK(RA_IMPORT_TRANSACTIONS,
              "account,txn_id,date,kind,amount\nA1,T1,2023-01-04,deposit,100000.00\n", 0, 0, 1);
}

/* ---- issue 10: transactions dated before their account or outside a sane range ---------------- */

static void expect_date_refused(fx *f, const char *text, const ra_import_options *o,
                                const char *where, const char *msg_part)
{
    ra_err err = {0};
    ra_import_result r;
    ra_status rc = import_text(f, RA_IMPORT_TRANSACTIONS, text, o, &r, &err);
    assert_int_equal(rc, RA_EINVAL);
    assert_string_equal(err.where, where);
    if (!strstr(err.msg, msg_part))
        fail_msg("message \"%s\" does not say \"%s\"", err.msg, msg_part);
    uint64_t n = 9;
    OK(ra_store_txn_count(f->s, "F1", "A1", &n, &err));
    assert_int_equal(n, 0);
}

static void test_import_txn_dates_refused(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    load_master(f);
    /* A1 was opened on 2023-01-03: the reproduction, a back-dated withdrawal on line 3 */
    expect_date_refused(f,
                        "account,txn_id,date,kind,amount\n"
                        "A1,T1,2023-01-04,deposit,1000.00\n"
                        "A1,T2,2023-01-02,withdrawal,10.00\n",
                        NULL, "t.csv:3",
                        "transaction T2 of account A1 is dated 2023-01-02, before the account was "
                        "opened on 2023-01-03");
    expect_date_refused(f,
                        "account,txn_id,date,kind,amount\nA1,T1,1899-12-31,deposit,1000.00\n",
                        NULL, "t.csv:2", "before 1900-01-01");
    ra_import_options o = {1, 0};
    OK(ra_date_parse("2023-06-01", 10, &o.as_of, &err));
    /* 2023-06-01 + 366 days = 2024-06-01 (2024 is a leap year): the last day accepted */
    expect_date_refused(f,
                        "account,txn_id,date,kind,amount\nA1,T1,2024-06-02,deposit,1000.00\n", &o,
                        "t.csv:2", "more than 366 days after the import's date 2023-06-01");
    ra_import_result r;
    OK(import_text(f, RA_IMPORT_TRANSACTIONS,
                   "account,txn_id,date,kind,amount\nA1,T1,2024-06-01,deposit,1000.00\n"
                   "A2,T1,2023-01-03,deposit,5.00\n",
                   &o, &r, &err));
    assert_int_equal(r.added, 2);
    ra_import_result_free(&r);
}


/* ---- issue 10: concurrent imports into the same accounts both succeed ------------------------ */

#define CONC_ROUNDS 15 /* imports per process */

/* One writer process: opens its own connection and imports CONC_ROUNDS files of deposits into
 * A1 and A2 (ids W<who>-<round>-<k>); exits 0 if every import succeeded. */
static int concurrent_writer(const char *url, int who, int start_fd)
{
    ra_err err = {0};
    ra_store *s = NULL;
    char go;
    if (read(start_fd, &go, 1) != 1)
        return 2;
    ra_store_options so;
    ra_store_options_default(&so);
    so.busy_timeout_ms = 30000;
    if (ra_store_open(url, &so, &s, &err) != RA_OK)
        return 3;
    if (ra_store_set_firm_key(s, "F1", k_key, &err) != RA_OK) { /* writes are audited with it */
        ra_store_close(s);
        return 4;
    }
    ra_store_actor a = {"tester", "F1"};
    int rc = 0;
    for (int r = 0; r < CONC_ROUNDS && rc == 0; r++) {
        char text[1024];
        int o = snprintf(text, sizeof text, "account,txn_id,date,kind,amount\n");
        for (int k = 0; k < 4; k++)
            o += snprintf(text + o, sizeof text - (size_t)o, "A%d,W%d-%d-%d,2023-02-01,deposit,1.00\n",
                          1 + k % 2, who, r, k);
        ra_import *im = NULL;
        ra_import_result res;
        if (ra_import_parse(RA_IMPORT_TRANSACTIONS, text, strlen(text), "w.csv", NULL, &im,
                            &err) != RA_OK ||
            ra_import_apply(s, &a, im, NULL, &res, &err) != RA_OK) {
            fprintf(stderr, "writer %d round %d: %s: %s\n", who, r, err.where, err.msg);
            rc = 1;
        }
        ra_import_destroy(im);
    }
    ra_store_close(s);
    return rc;
}

static void test_import_concurrent_same_accounts(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    load_master(f);
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid[2];
    for (int w = 0; w < 2; w++) {
        pid[w] = fork();
        assert_true(pid[w] >= 0);
        if (pid[w] == 0) {
            close(pfd[1]);
            _exit(concurrent_writer(f->url, w, pfd[0]));
        }
    }
    close(pfd[0]);
    /* both start at once */
    assert_int_equal(write(pfd[1], "gg", 2), 2);
    close(pfd[1]);
    int st[2] = {0, 0};
    pid_t got[2];
    for (int w = 0; w < 2; w++) /* both, before any assertion (the next case drops the schema) */
        got[w] = waitpid(pid[w], &st[w], 0);
    for (int w = 0; w < 2; w++) {
        assert_int_equal(got[w], pid[w]);
        assert_true(WIFEXITED(st[w]));
        assert_int_equal(WEXITSTATUS(st[w]), 0);
    }
    /* each writer put 2 deposits a round into each account */
    uint64_t n1 = 0, n2 = 0;
    OK(ra_store_txn_count(f->s, "F1", "A1", &n1, &err));
    OK(ra_store_txn_count(f->s, "F1", "A2", &n2, &err));
    assert_int_equal(n1, 2 * 2 * CONC_ROUNDS);
    assert_int_equal(n2, 2 * 2 * CONC_ROUNDS);
    ra_store_check_result cr;
    OK(ra_store_check(f->s, &cr, &err));
    ra_ledger l;
    OK(ra_store_account_ledger(f->s, "F1", "A1", &l, &err));
    assert_int_equal(l.cash_minor, 100 * 2 * 2 * CONC_ROUNDS);
    ra_ledger_free(&l);
}

/* The columns the reader reports (include/roboadvisor/import.h). */
static void test_import_columns_reported(void **state)
{
    (void)state;
    ra_err err = {0};
    ra_import *im = NULL;
    const char *t = "name,code,email\nAvery,C1,\n";
    OK(ra_import_parse(RA_IMPORT_CLIENTS, t, strlen(t), "t.csv", NULL, &im, &err));
    assert_int_equal(im->columns, RA_IMPORT_CLI_CODE | RA_IMPORT_CLI_NAME | RA_IMPORT_CLI_EMAIL);
    ra_import_destroy(im);
    OK(ra_import_parse(RA_IMPORT_ACCOUNTS, k_accounts, strlen(k_accounts), "t.csv", NULL, &im,
                       &err));
    assert_int_equal(im->columns, (1u << 11) - 1);
    ra_import_destroy(im);
}


/* ---- failing the k-th allocation ---------------------------------------------------------------- */

static size_t g_alloc_calls, g_alloc_fail_at;
static void *fail_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return ++g_alloc_calls == g_alloc_fail_at ? NULL : malloc(n);
}
static void *fail_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return ++g_alloc_calls == g_alloc_fail_at ? NULL : realloc(p, n);
}
static void fail_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

/* Each allocation of an import failing in turn: an error (RA_ENOMEM), nothing written, no leak
 * (the sanitizer build checks); then the import succeeds once k passes the last allocation. */
static void test_import_apply_kth_allocation_fails(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    load_master(f);
    const char *text = "Date,SPY,NEWA\n2023-01-03,380.5,10\n";
    ra_import *prices = NULL, *txns = NULL;
    OK(ra_import_parse(RA_IMPORT_PRICES, text, strlen(text), "p.csv", NULL, &prices, &err));
    OK(ra_import_parse(RA_IMPORT_TRANSACTIONS, k_txns, strlen(k_txns), "t.csv", NULL, &txns,
                       &err));
    const ra_import *ims[2] = {prices, txns};
    ra_alloc_hooks h = {fail_malloc, fail_realloc, fail_free, NULL};
    size_t failures = 0;
    for (int w = 0; w < 2; w++) {
        for (size_t k = 1;; k++) {
            g_alloc_calls = 0;
            g_alloc_fail_at = k;
            ra_alloc_set_hooks(&h);
            ra_import_result r;
            ra_status rc = ra_import_apply(f->s, &f->actor, ims[w], NULL, &r, &err);
            ra_alloc_set_hooks(NULL);
            if (rc == RA_OK) {
                ra_import_result_free(&r);
                break;
            }
            assert_int_equal(rc, RA_ENOMEM);
            assert_int_equal(r.added + r.updated + r.unchanged + r.n_new_tickers, 0);
            uint64_t n = 9;
            OK(ra_store_txn_count(f->s, "F1", "A1", &n, &err));
            assert_int_equal(n, 0);
            ra_security sec;
            if (w == 0) /* the prices: not even the incomplete security */
                assert_int_equal(ra_store_security_get(f->s, "F1", "NEWA", &sec, &err),
                                 RA_ENOTFOUND);
            failures++;
            assert_true(k < 1000);
        }
    }
    assert_true(failures >= 3); /* the price batch, the ticker list, the transaction arrays */
    ra_import_destroy(prices);
    ra_import_destroy(txns);
}

/* ---- reconciliation --------------------------------------------------------------------------- */

static void test_reconcile_breaks(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    load_master(f);
    IMPORT_OK(RA_IMPORT_TRANSACTIONS, k_txns, 3, 0, 0);
    /* the book on 2023-01-31: A1 cash 61999.00 and 100 SPY; A2 cash 5000.00 (4 lines).
     * The custodian: A1 agrees on cash, has 101 SPY and 5 AGG; A2 is missing. */
    ra_position cu[3];
    memset(cu, 0, sizeof cu);
    snprintf(cu[0].account, RA_CODE_MAX, "A1");
    snprintf(cu[0].ticker, RA_CODE_MAX, "SPY");
    cu[0].qty_micro = 101000000;
    snprintf(cu[1].account, RA_CODE_MAX, "A1");
    cu[1].cash_minor = 6199900;
    snprintf(cu[2].account, RA_CODE_MAX, "A1");
    snprintf(cu[2].ticker, RA_CODE_MAX, "AGG");
    cu[2].qty_micro = 5000000;
    ra_date d;
    OK(ra_date_parse("2023-01-31", 10, &d, &err));
    ra_recon_result r;
    OK(ra_book_reconcile(f->s, "F1", d, cu, 3, &r, &err));
    /* lines: A1 cash, A1 AGG, A1 SPY, A2 cash = 4 compared; breaks AGG, SPY, A2 cash */
    assert_int_equal(r.n_compared, 4);
    assert_int_equal(r.n_breaks, 3);
    assert_string_equal(r.breaks[0].ticker, "AGG");
    assert_int_equal(r.breaks[0].book, 0);
    assert_int_equal(r.breaks[0].custodian, 5000000);
    assert_string_equal(r.breaks[1].ticker, "SPY");
    assert_int_equal(r.breaks[1].book, 100000000);
    assert_string_equal(r.breaks[2].account, "A2");
    assert_string_equal(r.breaks[2].ticker, "");
    assert_int_equal(r.breaks[2].book, 500000);
    assert_int_equal(r.breaks[2].custodian, 0);
    ra_recon_result_free(&r);
    /* before the first transaction everything the custodian has is a break */
    OK(ra_date_parse("2023-01-01", 10, &d, &err));
    OK(ra_book_reconcile(f->s, "F1", d, cu, 3, &r, &err));
    assert_int_equal(r.n_breaks, 3 + 0); /* A1 cash 0 vs 61999.00, AGG, SPY; A2 cash 0 = 0 */
    ra_recon_result_free(&r);
}

/* ---- the demo book ------------------------------------------------------------------------------ */

static void test_bookgen_write_idempotent(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_bookgen_data d;
    OK(ra_bookgen_data_load(RA_SHARED_DATA_DIR, &d, &err));
    ra_bookgen_settings set;
    ra_bookgen_settings_default(&set);
    set.n_clients = 3;
    ra_bookgen_market m;
    ra_bookgen_data_market(&d, &m);
    ra_bookgen_book *b = NULL;
    OK(ra_bookgen_create(&set, &m, &b, &err));
    ra_store_actor a = {"generate-book", ""};
    snprintf(a.firm, sizeof a.firm, "%s", b->firm.code);
    OK(ra_store_set_firm_key(f->s, b->firm.code, k_key, &err));
    ra_bookgen_write_stats w1, w2;
    OK(ra_bookgen_write(f->s, &a, &d, b, &w1, &err));
    assert_int_equal(w1.txns_applied, b->n_txns);
    assert_int_equal(w1.txns_unchanged, 0);
    assert_true(w1.prices > 0);
    OK(ra_bookgen_write(f->s, &a, &d, b, &w2, &err));
    assert_int_equal(w2.txns_applied, 0);
    assert_int_equal(w2.txns_unchanged, b->n_txns);
    ra_store_check_result cr;
    OK(ra_store_check(f->s, &cr, &err));
    assert_int_equal(cr.n_transactions, b->n_txns);
    assert_int_equal(cr.n_accounts, b->n_accounts);
    ra_bookgen_destroy(b);
    ra_bookgen_data_free(&d);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_apply_counts_and_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_apply_failure_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_apply_new_tickers_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_absent_client_columns_keep_stored, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_import_absent_account_columns_keep_stored, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_import_absent_security_columns_keep_stored, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_import_absent_txn_columns_never_change_stored, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_import_txn_dates_refused, setup, teardown),
        cmocka_unit_test(test_import_columns_reported),
        cmocka_unit_test_setup_teardown(test_import_concurrent_same_accounts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_apply_kth_allocation_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reconcile_breaks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bookgen_write_idempotent, setup, teardown),
    };
    return ra_tdb_main(argc, argv, "test_engine_import", tests, sizeof tests / sizeof tests[0]);
}
