/* Tests of the store (src/store/, include/roboadvisor/store.h). One suite, run against SQLite (a
 * real temporary file: `test_store sqlite`) and PostgreSQL (`test_store pg`, with the URL in
 * ROBOADVISOR_TEST_PG or in a file given as `test_store pg @FILE`, written by
 * tests/support/pg_server.sh). Expected values are derived by hand in the comments. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"
#include "roboadvisor/alloc.h"
#include "roboadvisor/engine_valuation.h"
#include "roboadvisor/store.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char g_url[1024];  /* PostgreSQL URL, or the SQLite directory's file */
static int g_pg;          /* running against PostgreSQL */
static char g_dir[256];   /* SQLite: the temporary directory */
static int g_serial;

typedef struct fx {
    ra_store *s;
    char url[1100];
    ra_store_actor actor;
    uint8_t key[RA_STORE_KEY_BYTES];
} fx;

static void must(ra_status rc, const ra_err *err)
{
    if (rc != RA_OK)
        fail_msg("status %s: %s [%s]", ra_status_name(rc), err->msg, err->where);
}
#define MUST(call) do { ra_err e_ = {0}; ra_status r_ = (call); must(r_, &e_); } while (0)
/* the call's err must be named err_ */
#define OK(expr) must((expr), &err)

/* An empty book for each case: every table emptied when the schema is current (fast; whatever
 * table a migration or another suite's run left rows in), the schema dropped otherwise. */
static void reset_pg(const char *url)
{
    ra_store *s = NULL;
    ra_err err = {0};
    int have = 0, want = 0;
    OK(ra_store_open(url, NULL, &s, &err));
    OK(ra_store_schema_version(s, &have, &want, &err));
    if (have == want)
        OK(ra_store_exec_raw(
            s,
            "DROP TABLE IF EXISTS audit_copy, t_hits; "
            "DO $$ DECLARE r record; BEGIN "
            "FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT IN ('ra_schema', 'audit_head') LOOP "
            "EXECUTE 'TRUNCATE TABLE ' || quote_ident(r.tablename) || ' RESTART IDENTITY CASCADE'; "
            "END LOOP; END $$; "
            "UPDATE audit_head SET seq = 0, keyed_from = 1, "
            "hash = '0000000000000000000000000000000000000000000000000000000000000000'",
            &err));
    else
        OK(ra_store_exec_raw(s, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;", &err));
    ra_store_close(s);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    ra_err err = {0};
    if (g_pg) {
        snprintf(f->url, sizeof f->url, "%s", g_url);
        reset_pg(f->url);
    } else {
        snprintf(f->url, sizeof f->url, "%s/book%d.db", g_dir, ++g_serial);
    }
    OK(ra_store_open(f->url, NULL, &f->s, &err));
    OK(ra_store_init(f->s, &err));
    snprintf(f->actor.user, sizeof f->actor.user, "tester");
    snprintf(f->actor.firm, sizeof f->actor.firm, "F1");
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        f->key[i] = (uint8_t)(i * 7 + 1);
    OK(ra_store_set_firm_key(f->s, "F1", f->key, &err));
    ra_firm firm = {"F1", "First Firm", "USD", 2};
    OK(ra_store_firm_put(f->s, &f->actor, &firm, &err));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    ra_store_close(f->s);
    if (!g_pg) {
        char p[1200];
        unlink(f->url);
        snprintf(p, sizeof p, "%s-wal", f->url);
        unlink(p);
        snprintf(p, sizeof p, "%s-shm", f->url);
        unlink(p);
    }
    free(f);
    return 0;
}

static ra_date D(int y, int m, int d) { return ra_date_from_ymd(y, m, d); }

static void put_security(fx *f, const char *ticker, int risk)
{
    ra_err err = {0};
    ra_security x;
    memset(&x, 0, sizeof x);
    snprintf(x.ticker, sizeof x.ticker, "%s", ticker);
    snprintf(x.name, sizeof x.name, "%s fund", ticker);
    snprintf(x.asset_class, sizeof x.asset_class, "us_equity");
    snprintf(x.currency, sizeof x.currency, "USD");
    x.risk_level = risk;
    x.expense_ratio = 0.0003;
    x.lot_size = 1;
    x.on_shelf = 1;
    OK(ra_store_security_put(f->s, &f->actor, &x, &err));
}

static void put_client_account(fx *f, const char *client, const char *account)
{
    ra_err err = {0};
    ra_client c;
    memset(&c, 0, sizeof c);
    snprintf(c.code, sizeof c.code, "%s", client);
    snprintf(c.household, sizeof c.household, "H-%s", client);
    snprintf(c.advisor, sizeof c.advisor, "ADV1");
    snprintf(c.name, sizeof c.name, "Alice Smithson");
    snprintf(c.email, sizeof c.email, "alice@example.org");
    snprintf(c.tax_id, sizeof c.tax_id, "123-45-6789");
    snprintf(c.address, sizeof c.address, "1 Main Street, Springfield");
    c.birth_year = 1970;
    OK(ra_store_client_put(f->s, &f->actor, &c, &err));
    ra_account a;
    memset(&a, 0, sizeof a);
    snprintf(a.code, sizeof a.code, "%s", account);
    snprintf(a.client, sizeof a.client, "%s", client);
    a.type = RA_ACCOUNT_TAXABLE;
    snprintf(a.currency, sizeof a.currency, "USD");
    a.opened = D(2020, 1, 2);
    snprintf(a.mandate.model, sizeof a.mandate.model, "balanced");
    a.mandate.discretionary = 1;
    a.mandate.drift_band = 0.05;
    a.mandate.loss_limit = 0.10;
    OK(ra_store_account_put(f->s, &f->actor, &a, &err));
}

static ra_store_txn txn(const char *account, const char *ext, ra_txn_kind kind, ra_date date,
                        const char *ticker, ra_micro qty, ra_price price, ra_minor amount,
                        ra_minor fees)
{
    ra_store_txn t;
    memset(&t, 0, sizeof t);
    snprintf(t.account, sizeof t.account, "%s", account);
    snprintf(t.external_id, sizeof t.external_id, "%s", ext);
    t.kind = kind;
    t.date = date;
    snprintf(t.ticker, sizeof t.ticker, "%s", ticker);
    t.qty_micro = qty;
    t.price = price;
    t.amount_minor = amount;
    t.fees_minor = fees;
    return t;
}

static uint64_t audit_count(fx *f)
{
    uint64_t n = 0, bad = 0;
    ra_err err = {0};
    OK(ra_store_audit_verify(f->s, &n, &bad, &err));
    return n;
}

/* --- migrations -------------------------------------------------------------------------- */

static void test_store_init_idempotent_and_newer_schema_refused(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    int have = -1, want = -1;
    OK(ra_store_schema_version(f->s, &have, &want, &err));
    assert_true(want >= 1);
    assert_int_equal(have, want);
    OK(ra_store_init(f->s, &err)); /* nothing to do */
    OK(ra_store_schema_version(f->s, &have, NULL, &err));
    assert_int_equal(have, want);
    char sql[200];
    snprintf(sql, sizeof sql,
             "INSERT INTO ra_schema (version, name, applied_at) VALUES (%d, 'future', 0)",
             want + 1);
    OK(ra_store_exec_raw(f->s, sql, &err));
    ra_store *s2 = NULL;
    assert_int_equal(ra_store_open(f->url, NULL, &s2, &err), RA_ECONFLICT);
    assert_null(s2);
    assert_non_null(strstr(err.msg, "newer"));
    snprintf(sql, sizeof sql, "DELETE FROM ra_schema WHERE version = %d", want + 1);
    OK(ra_store_exec_raw(f->s, sql, &err));
}

static void test_store_uninitialised_database_refuses_writes(void **state)
{
    (void)state;
    if (g_pg)
        return; /* the fixture's database is initialised; covered on SQLite */
    char url[400];
    snprintf(url, sizeof url, "%s/empty.db", g_dir);
    ra_store *s = NULL;
    ra_err err = {0};
    OK(ra_store_open(url, NULL, &s, &err));
    int have = -1, want = 0;
    OK(ra_store_schema_version(s, &have, &want, &err));
    assert_int_equal(have, 0);
    ra_store_actor a = {"u", "F1"};
    ra_security x;
    memset(&x, 0, sizeof x);
    snprintf(x.ticker, sizeof x.ticker, "SPY");
    x.risk_level = 3;
    x.lot_size = 1;
    assert_int_equal(ra_store_security_put(s, &a, &x, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "not initialised"));
    ra_store_close(s);
    unlink(url);
}

/* --- records ----------------------------------------------------------------------------- */

static void test_store_firm_advisor_client_roundtrip(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_firm firm;
    OK(ra_store_firm_get(f->s, "F1", &firm, &err));
    assert_string_equal(firm.name, "First Firm");
    assert_int_equal(firm.minor_digits, 2);
    assert_int_equal(ra_store_firm_get(f->s, "NOPE", &firm, &err), RA_ENOTFOUND);

    ra_advisor a = {"ADV1", "Bob Planner", "bob@firm.example"};
    OK(ra_store_advisor_put(f->s, &f->actor, &a, &err));
    ra_advisor a2;
    OK(ra_store_advisor_get(f->s, "F1", "ADV1", &a2, &err));
    assert_string_equal(a2.name, "Bob Planner");
    assert_string_equal(a2.email, "bob@firm.example");

    put_client_account(f, "C1", "A1");
    ra_client c;
    OK(ra_store_client_get(f->s, "F1", "C1", &c, &err));
    assert_string_equal(c.name, "Alice Smithson");
    assert_string_equal(c.email, "alice@example.org");
    assert_string_equal(c.tax_id, "123-45-6789");
    assert_string_equal(c.address, "1 Main Street, Springfield");
    assert_string_equal(c.household, "H-C1");
    assert_string_equal(c.advisor, "ADV1");
    assert_int_equal(c.birth_year, 1970);

    /* the same record again changes nothing: no audit record */
    uint64_t n0 = audit_count(f);
    OK(ra_store_client_put(f->s, &f->actor, &c, &err));
    OK(ra_store_advisor_put(f->s, &f->actor, &a, &err));
    assert_int_equal(audit_count(f), n0);
    /* a change is stored and audited */
    snprintf(c.email, sizeof c.email, "alice@new.example");
    OK(ra_store_client_put(f->s, &f->actor, &c, &err));
    assert_int_equal(audit_count(f), n0 + 1);
    ra_client c2;
    OK(ra_store_client_get(f->s, "F1", "C1", &c2, &err));
    assert_string_equal(c2.email, "alice@new.example");
    assert_int_equal(ra_store_client_get(f->s, "F1", "C9", &c2, &err), RA_ENOTFOUND);

    ra_account acc;
    OK(ra_store_account_get(f->s, "F1", "A1", &acc, &err));
    assert_string_equal(acc.client, "C1");
    assert_string_equal(acc.mandate.model, "balanced");
    assert_true(acc.mandate.drift_band == 0.05);
    assert_int_equal(acc.opened, D(2020, 1, 2));
    /* mandate change: audited as "mandate" */
    acc.mandate.drift_band = 0.03;
    OK(ra_store_account_put(f->s, &f->actor, &acc, &err));
    OK(ra_store_account_get(f->s, "F1", "A1", &acc, &err));
    assert_true(acc.mandate.drift_band == 0.03);
    acc.mandate.loss_limit = 0.5;
    assert_int_equal(ra_store_account_put(f->s, &f->actor, &acc, &err), RA_EINVAL);
    /* unknown owner */
    snprintf(acc.code, sizeof acc.code, "A2");
    snprintf(acc.client, sizeof acc.client, "C404");
    acc.mandate.loss_limit = 0.1;
    assert_int_equal(ra_store_account_put(f->s, &f->actor, &acc, &err), RA_ENOTFOUND);
    char (*codes)[RA_CODE_MAX] = NULL;
    size_t n = 0;
    OK(ra_store_account_list(f->s, "F1", &codes, &n, &err));
    assert_int_equal(n, 1);
    assert_string_equal(codes[0], "A1");
    ra_store_free(codes);
}

static void test_store_personal_data_encrypted_and_wrong_key_fails(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    put_client_account(f, "C1", "A1");
    ra_store_close(f->s);
    f->s = NULL;
    if (!g_pg) { /* the plain text is nowhere in the file (nor in its WAL) */
        const char *suffix[] = {"", "-wal"};
        for (int k = 0; k < 2; k++) {
            char p[1200];
            snprintf(p, sizeof p, "%s%s", f->url, suffix[k]);
            FILE *fp = fopen(p, "rb");
            if (!fp)
                continue;
            fseek(fp, 0, SEEK_END);
            long len = ftell(fp);
            fseek(fp, 0, SEEK_SET);
            char *buf = malloc((size_t)len + 1);
            assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
            fclose(fp);
            const char *secrets[] = {"Alice Smithson", "alice@example.org", "123-45-6789",
                                     "Main Street"};
            for (int i = 0; i < 4; i++)
                assert_null(memmem(buf, (size_t)len, secrets[i], strlen(secrets[i])));
            free(buf);
        }
    }
    OK(ra_store_open(f->url, NULL, &f->s, &err));
    /* no key: a clean error */
    ra_client c;
    assert_int_equal(ra_store_client_get(f->s, "F1", "C1", &c, &err), RA_EINVAL);
    /* a wrong key is refused at once */
    uint8_t wrong[RA_STORE_KEY_BYTES];
    memcpy(wrong, f->key, sizeof wrong);
    wrong[0] ^= 1;
    assert_int_equal(ra_store_set_firm_key(f->s, "F1", wrong, &err), RA_ECONFLICT);
    assert_non_null(strstr(err.msg, "does not match"));
    /* ciphertext moved to another client does not decrypt (associated data) */
    OK(ra_store_set_firm_key(f->s, "F1", f->key, &err));
    put_client_account(f, "C2", "A2");
    OK(ra_store_exec_raw(f->s, "UPDATE clients SET name_enc = (SELECT name_enc FROM clients "
                               "WHERE code = 'C1') WHERE code = 'C2'", &err));
    assert_int_equal(ra_store_client_get(f->s, "F1", "C2", &c, &err), RA_ECONFLICT);
    assert_null(strstr(err.msg, "Alice"));
    OK(ra_store_client_get(f->s, "F1", "C1", &c, &err));
    assert_string_equal(c.name, "Alice Smithson");
    /* key helpers */
    char hex[65];
    uint8_t back[RA_STORE_KEY_BYTES];
    ra_store_key_format(f->key, hex);
    char line[80];
    snprintf(line, sizeof line, "  %s\n", hex);
    OK(ra_store_key_parse(line, strlen(line), back, &err));
    assert_memory_equal(back, f->key, sizeof back);
    assert_int_equal(ra_store_key_parse("abc", 3, back, &err), RA_EPARSE);
}

static ra_status provider(void *ctx, const char *firm, uint8_t key[RA_STORE_KEY_BYTES],
                          ra_err *err)
{
    if (strcmp(firm, "F1") != 0)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no key for firm %s", firm);
    memcpy(key, ctx, RA_STORE_KEY_BYTES);
    return RA_OK;
}

static void test_store_key_provider(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    put_client_account(f, "C1", "A1");
    ra_store_close(f->s);
    OK(ra_store_open(f->url, NULL, &f->s, &err));
    ra_store_set_key_provider(f->s, provider, f->key);
    ra_client c;
    OK(ra_store_client_get(f->s, "F1", "C1", &c, &err));
    assert_string_equal(c.tax_id, "123-45-6789");
    uint8_t wrong[RA_STORE_KEY_BYTES] = {0};
    ra_store_close(f->s);
    OK(ra_store_open(f->url, NULL, &f->s, &err));
    ra_store_set_key_provider(f->s, provider, wrong);
    assert_int_equal(ra_store_client_get(f->s, "F1", "C1", &c, &err), RA_ECONFLICT);
}

static void test_store_securities_and_incomplete(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    put_security(f, "SPY", 4);
    ra_security x;
    OK(ra_store_security_get(f->s, "F1", "SPY", &x, &err));
    assert_string_equal(x.name, "SPY fund");
    assert_int_equal(x.risk_level, 4);
    assert_true(x.expense_ratio == 0.0003);
    assert_int_equal(x.incomplete, 0);
    ra_price_obs obs[3] = {{"SPY", 0, 300000000}, {"NEW1", 0, 10000000}, {"NEW2", 0, 20000000}};
    obs[0].date = obs[1].date = obs[2].date = D(2021, 1, 4);
    ra_store_put_stats st;
    assert_int_equal(ra_store_prices_put(f->s, &f->actor, obs, 3, 0, &st, &err), RA_ENOTFOUND);
    assert_non_null(strstr(err.msg, "NEW1"));
    OK(ra_store_prices_put(f->s, &f->actor, obs, 3, RA_STORE_PUT_CREATE_SECURITIES, &st, &err));
    assert_int_equal(st.new_securities, 2);
    assert_int_equal(st.inserted, 3);
    ra_security *list = NULL;
    size_t n = 0;
    OK(ra_store_security_list(f->s, "F1", RA_STORE_LIST_INCOMPLETE, &list, &n, &err));
    assert_int_equal(n, 2);
    assert_string_equal(list[0].ticker, "NEW1");
    assert_string_equal(list[1].ticker, "NEW2");
    assert_int_equal(list[0].incomplete, 1);
    ra_store_free(list);
    OK(ra_store_security_list(f->s, "F1", 0, &list, &n, &err));
    assert_int_equal(n, 3);
    ra_store_free(list);
    put_security(f, "NEW1", 2); /* completes it */
    OK(ra_store_security_list(f->s, "F1", RA_STORE_LIST_INCOMPLETE, &list, &n, &err));
    assert_int_equal(n, 1);
    ra_store_free(list);
    x.risk_level = 9;
    assert_int_equal(ra_store_security_put(f->s, &f->actor, &x, &err), RA_EINVAL);
    uint32_t id = 0;
    OK(ra_store_security_id(f->s, "F1", "SPY", &id, &err));
    assert_true(id > 0);
}

static void test_store_prices_idempotent_and_conflicts(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    put_security(f, "SPY", 4);
    put_security(f, "AGG", 2);
    ra_price_obs obs[4] = {{"SPY", 0, 300000000}, {"SPY", 0, 301500000}, {"AGG", 0, 110000000},
                           {"AGG", 0, 110250000}};
    obs[0].date = obs[2].date = D(2021, 1, 4);
    obs[1].date = obs[3].date = D(2021, 1, 5);
    ra_store_put_stats st;
    OK(ra_store_prices_put(f->s, &f->actor, obs, 4, 0, &st, &err));
    assert_int_equal(st.inserted, 4);
    OK(ra_store_prices_put(f->s, &f->actor, obs, 4, 0, &st, &err)); /* again: nothing */
    assert_int_equal(st.inserted, 0);
    assert_int_equal(st.unchanged, 4);
    ra_price_obs bad = obs[1];
    bad.price = 302000000;
    assert_int_equal(ra_store_prices_put(f->s, &f->actor, &bad, 1, 0, &st, &err), RA_ECONFLICT);
    assert_non_null(strstr(err.msg, "SPY 2021-01-05"));
    assert_non_null(strstr(err.msg, "301.500000"));
    ra_price p = 0;
    ra_date on = 0;
    OK(ra_store_price_latest(f->s, "F1", "SPY", D(2021, 1, 10), &p, &on, &err));
    assert_int_equal(p, 301500000); /* unchanged by the refused batch */
    assert_int_equal(on, D(2021, 1, 5));
    OK(ra_store_prices_put(f->s, &f->actor, &bad, 1, RA_STORE_PUT_REPLACE, &st, &err));
    assert_int_equal(st.replaced, 1);
    OK(ra_store_price_latest(f->s, "F1", "SPY", D(2021, 1, 5), &p, &on, &err));
    assert_int_equal(p, 302000000);
    OK(ra_store_price_latest(f->s, "F1", "SPY", D(2021, 1, 4), &p, &on, &err));
    assert_int_equal(p, 300000000);
    assert_int_equal(ra_store_price_latest(f->s, "F1", "SPY", D(2020, 12, 31), &p, &on, &err),
                     RA_ENOTFOUND);
    /* one batch, two values for one date: refused, nothing written */
    ra_price_obs dup[3] = {{"AGG", 0, 111000000}, {"AGG", 0, 111000000}, {"AGG", 0, 112000000}};
    dup[0].date = D(2021, 1, 6);
    dup[1].date = D(2021, 1, 7);
    dup[2].date = D(2021, 1, 7);
    assert_int_equal(ra_store_prices_put(f->s, &f->actor, dup, 3, 0, &st, &err), RA_ECONFLICT);
    assert_non_null(strstr(err.msg, "AGG 2021-01-07"));
    ra_date *ds = NULL;
    ra_price *ps = NULL;
    size_t n = 0;
    OK(ra_store_price_series(f->s, "F1", "AGG", D(2021, 1, 1), D(2021, 12, 31), &ds, &ps, &n,
                             &err));
    assert_int_equal(n, 2);
    assert_int_equal(ps[1], 110250000);
    ra_store_free(ds);
    ra_store_free(ps);
    /* dividends and splits the same way */
    ra_dividend dv[1] = {{"AGG", 0, 250000}};
    dv[0].ex_date = D(2021, 2, 1);
    OK(ra_store_dividends_put(f->s, &f->actor, dv, 1, 0, &st, &err));
    OK(ra_store_dividends_put(f->s, &f->actor, dv, 1, 0, &st, &err));
    assert_int_equal(st.unchanged, 1);
    dv[0].amount = 260000;
    assert_int_equal(ra_store_dividends_put(f->s, &f->actor, dv, 1, 0, &st, &err), RA_ECONFLICT);
    ra_split sp[1] = {{"SPY", 0, {3, 1}}};
    sp[0].date = D(2021, 6, 1);
    OK(ra_store_splits_put(f->s, &f->actor, sp, 1, 0, &st, &err));
    assert_int_equal(st.inserted, 1);
    OK(ra_store_splits_put(f->s, &f->actor, sp, 1, 0, &st, &err));
    assert_int_equal(st.unchanged, 1);
    sp[0].ratio.num = 2;
    assert_int_equal(ra_store_splits_put(f->s, &f->actor, sp, 1, 0, &st, &err), RA_ECONFLICT);
    assert_non_null(strstr(err.msg, "3/1"));
    sp[0].ratio.num = 4;
    sp[0].ratio.den = 2; /* not in lowest terms */
    assert_int_equal(ra_store_splits_put(f->s, &f->actor, sp, 1, 0, &st, &err), RA_EINVAL);
}

/* --- transactions ------------------------------------------------------------------------ */

/* deposit 10,000.00; buy 10 SPY at 300 + 1.00 fee (basis 3001.00); buy 5 SPY at 310 (1550.00);
 * sell 12 FIFO at 320 - 2.00 fee: lot 1 whole, 2 of lot 2. Cash: 1,000,000 - 300,100 - 155,000 +
 * (384,000 - 200) = 928,700 cents. Lot 2 left: 3 shares, basis round(155000 * 3 / 5) = 93,000. */
static void load_basic_book(fx *f)
{
    ra_err err = {0};
    put_security(f, "SPY", 4);
    put_client_account(f, "C1", "A1");
    ra_store_txn t[4] = {
        txn("A1", "T1", RA_TXN_DEPOSIT, D(2021, 1, 4), "", 0, 0, 1000000, 0),
        txn("A1", "T2", RA_TXN_BUY, D(2021, 1, 5), "SPY", 10000000, 300000000, 0, 100),
        txn("A1", "T3", RA_TXN_BUY, D(2021, 2, 1), "SPY", 5000000, 310000000, 0, 0),
        txn("A1", "T4", RA_TXN_SELL, D(2021, 3, 1), "SPY", 12000000, 320000000, 0, 200),
    };
    ra_store_txn_stats st;
    OK(ra_store_txn_append(f->s, &f->actor, t, 4, &st, &err));
    assert_int_equal(st.applied, 4);
}

static void test_store_txn_applied_and_persisted(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    load_basic_book(f);
    ra_ledger l;
    OK(ra_store_account_ledger(f->s, "F1", "A1", &l, &err));
    assert_int_equal(l.cash_minor, 928700);
    assert_int_equal(l.n_lots, 1);
    assert_int_equal(l.lots[0].id, 2);
    assert_int_equal(l.lots[0].qty_micro, 3000000);
    assert_int_equal(l.lots[0].basis_minor, 93000);
    assert_int_equal(l.totals.n_txns, 4);
    ra_ledger_free(&l);
    uint64_t n = 0;
    OK(ra_store_txn_count(f->s, "F1", "A1", &n, &err));
    assert_int_equal(n, 4);
    /* again: identical external ids are skipped */
    ra_store_txn again[2] = {
        txn("A1", "T1", RA_TXN_DEPOSIT, D(2021, 1, 4), "", 0, 0, 1000000, 0),
        txn("A1", "T5", RA_TXN_WITHDRAWAL, D(2021, 3, 2), "", 0, 0, 8700, 0),
    };
    ra_store_txn_stats st;
    OK(ra_store_txn_append(f->s, &f->actor, again, 2, &st, &err));
    assert_int_equal(st.applied, 1);
    assert_int_equal(st.unchanged, 1);
    /* the same external id with another amount is a conflict */
    again[0].amount_minor = 999;
    assert_int_equal(ra_store_txn_append(f->s, &f->actor, again, 1, &st, &err), RA_ECONFLICT);
    assert_non_null(strstr(err.where, "A1"));
    assert_non_null(strstr(err.where, "T1"));
    OK(ra_store_account_ledger(f->s, "F1", "A1", &l, &err));
    assert_int_equal(l.cash_minor, 920000);
    ra_ledger_free(&l);
    /* specific-lot sale and transfer in, stored and replayed by check */
    put_security(f, "AGG", 2);
    ra_lot_pick pick = {2, 1000000};
    ra_store_lot_in lin = {"AGG", 0, 2000000, 21000};
    lin.acquired = D(2019, 5, 5);
    ra_store_txn t2[2] = {
        txn("A1", "T6", RA_TXN_SELL, D(2021, 4, 1), "SPY", 1000000, 330000000, 0, 0),
        txn("A1", "T7", RA_TXN_TRANSFER_IN, D(2021, 4, 2), "", 0, 0, 0, 0),
    };
    t2[0].relief = RA_RELIEF_SPECIFIC;
    t2[0].picks = &pick;
    t2[0].n_picks = 1;
    t2[1].lots_in = &lin;
    t2[1].n_lots_in = 1;
    OK(ra_store_txn_append(f->s, &f->actor, t2, 2, &st, &err));
    OK(ra_store_txn_append(f->s, &f->actor, t2, 2, &st, &err));
    assert_int_equal(st.unchanged, 2);
    ra_store_check_result cr;
    OK(ra_store_check(f->s, &cr, &err));
    assert_int_equal(cr.n_accounts, 1);
    assert_int_equal(cr.n_transactions, 7);
}

static void test_store_txn_batch_is_atomic(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    load_basic_book(f);
    uint64_t n_audit = audit_count(f);
    ra_store_txn t[3] = {
        txn("A1", "T10", RA_TXN_DEPOSIT, D(2021, 4, 1), "", 0, 0, 5000, 0),
        txn("A1", "T11", RA_TXN_BUY, D(2021, 4, 1), "SPY", 1000000, 300000000, 0, 0),
        txn("A1", "T12", RA_TXN_SELL, D(2021, 4, 2), "SPY", 50000000, 300000000, 0, 0),
    };
    ra_store_txn_stats st;
    assert_int_equal(ra_store_txn_append(f->s, &f->actor, t, 3, &st, &err), RA_ECONFLICT);
    assert_non_null(strstr(err.where, "T12"));
    assert_int_equal(st.applied, 0);
    uint64_t n = 0;
    OK(ra_store_txn_count(f->s, "F1", "A1", &n, &err));
    assert_int_equal(n, 4);
    ra_ledger l;
    OK(ra_store_account_ledger(f->s, "F1", "A1", &l, &err));
    assert_int_equal(l.cash_minor, 928700);
    ra_ledger_free(&l);
    assert_int_equal(audit_count(f), n_audit);
    /* an explicit transaction: an import is all or nothing */
    OK(ra_store_begin(f->s, &err));
    OK(ra_store_txn_append(f->s, &f->actor, t, 1, &st, &err));
    assert_int_equal(ra_store_txn_append(f->s, &f->actor, t + 2, 1, &st, &err), RA_ECONFLICT);
    OK(ra_store_txn_append(f->s, &f->actor, t + 1, 1, &st, &err)); /* the rest still works */
    OK(ra_store_rollback(f->s, &err));
    OK(ra_store_txn_count(f->s, "F1", "A1", &n, &err));
    assert_int_equal(n, 4);
    OK(ra_store_begin(f->s, &err));
    assert_int_equal(ra_store_begin(f->s, &err), RA_EINVAL);
    OK(ra_store_txn_append(f->s, &f->actor, t, 2, &st, &err));
    OK(ra_store_commit(f->s, &err));
    OK(ra_store_txn_count(f->s, "F1", "A1", &n, &err));
    assert_int_equal(n, 6);
    OK(ra_store_check(f->s, NULL, &err));
    /* unknown account or ticker */
    ra_store_txn u = txn("A9", "X", RA_TXN_DEPOSIT, D(2021, 4, 1), "", 0, 0, 1, 0);
    assert_int_equal(ra_store_txn_append(f->s, &f->actor, &u, 1, &st, &err), RA_ENOTFOUND);
    u = txn("A1", "X", RA_TXN_BUY, D(2021, 4, 1), "ZZZ", 1, 1, 0, 0);
    assert_int_equal(ra_store_txn_append(f->s, &f->actor, &u, 1, &st, &err), RA_ENOTFOUND);
}

static void test_store_check_detects_tampered_lot(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    load_basic_book(f);
    put_client_account(f, "C2", "A0");
    ra_store_check_result cr;
    OK(ra_store_check(f->s, &cr, &err));
    assert_int_equal(cr.n_accounts, 2);
    OK(ra_store_exec_raw(f->s, "UPDATE lots SET qty_micro = qty_micro + 1", &err));
    assert_int_equal(ra_store_check(f->s, &cr, &err), RA_ECONFLICT);
    assert_non_null(strstr(err.where, "account A1"));
    if (!strstr(err.msg, "lot 2 holds 3.000001"))
        fail_msg("message: %s", err.msg);
    OK(ra_store_exec_raw(f->s, "UPDATE lots SET qty_micro = qty_micro - 1", &err));
    OK(ra_store_check(f->s, &cr, &err));
    OK(ra_store_exec_raw(f->s, "UPDATE accounts SET cash_minor = cash_minor + 1 "
                               "WHERE code = 'A1'", &err));
    assert_int_equal(ra_store_check(f->s, &cr, &err), RA_ECONFLICT);
    assert_non_null(strstr(err.msg, "cash"));
}

/* --- audit ------------------------------------------------------------------------------- */

static void audit_case(fx *f, const char *sql, uint64_t want_bad)
{
    ra_err err = {0};
    uint64_t n = 0, bad = 0;
    OK(ra_store_exec_raw(f->s, sql, &err));
    assert_int_equal(ra_store_audit_verify(f->s, &n, &bad, &err), RA_ECONFLICT);
    if (bad != want_bad)
        fail_msg("after \"%s\": first bad %llu, want %llu (%s)", sql, (unsigned long long)bad,
                 (unsigned long long)want_bad, err.msg);
}

static void test_store_audit_verify_detects_edit_insert_delete(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    load_basic_book(f);
    uint64_t n = 0, bad = 7;
    OK(ra_store_audit_verify(f->s, &n, &bad, &err));
    assert_true(n >= 8);
    assert_int_equal(bad, 0);
    /* a saved copy of the log to restore between cases */
    OK(ra_store_exec_raw(f->s, "CREATE TABLE audit_copy AS SELECT * FROM audit_log", &err));
    const char *restore = "DELETE FROM audit_log; INSERT INTO audit_log SELECT * FROM audit_copy";
    /* an edited after text (a space appended: any change of the text must be caught) */
    audit_case(f, "UPDATE audit_log SET after_json = after_json || ' ' WHERE seq = 5", 5);
    OK(ra_store_exec_raw(f->s, restore, &err));
    OK(ra_store_audit_verify(f->s, NULL, NULL, &err));
    audit_case(f, "UPDATE audit_log SET user_name = 'mallory' WHERE seq = 3", 3);
    OK(ra_store_exec_raw(f->s, restore, &err));
    audit_case(f, "DELETE FROM audit_log WHERE seq = 4", 4);
    OK(ra_store_exec_raw(f->s, restore, &err));
    char sql[300];
    snprintf(sql, sizeof sql, "DELETE FROM audit_log WHERE seq = %llu", (unsigned long long)n);
    audit_case(f, sql, n);
    OK(ra_store_exec_raw(f->s, restore, &err));
    /* inserted: a record shifted in at seq 2 (the rest renumbered), and one appended */
    audit_case(f, "UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 2; "
                  "UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1002; "
                  "INSERT INTO audit_log SELECT 2, at, user_name, firm, action, entity, entity_id, "
                  "before_json, after_json, prev_hash, hash, state FROM audit_log WHERE seq = 1", 2);
    OK(ra_store_exec_raw(f->s, restore, &err));
    snprintf(sql, sizeof sql,
             "INSERT INTO audit_log SELECT seq + 1, at, user_name, firm, action, entity, "
             "entity_id, before_json, after_json, hash, hash, state FROM audit_log WHERE seq = %llu",
             (unsigned long long)n);
    audit_case(f, sql, n + 1);
    OK(ra_store_exec_raw(f->s, restore, &err));
    OK(ra_store_audit_verify(f->s, NULL, NULL, &err));
}

static void test_store_audit_records_no_plain_personal_data(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    put_client_account(f, "C1", "A1");
    /* an update of the name: both before and after are ciphertext */
    ra_client c;
    OK(ra_store_client_get(f->s, "F1", "C1", &c, &err));
    snprintf(c.name, sizeof c.name, "Alice Jones");
    OK(ra_store_client_put(f->s, &f->actor, &c, &err));
    /* fails on the CHECK if any audit record holds the plain text */
    OK(ra_store_exec_raw(f->s, "CREATE TABLE t_hits (n BIGINT CHECK (n = 0)); "
                               "INSERT INTO t_hits SELECT COUNT(*) FROM audit_log WHERE "
                               "after_json LIKE '%Alice%' OR before_json LIKE '%Alice%' OR "
                               "after_json LIKE '%123-45%' OR after_json LIKE '%Main Street%'",
                         &err));
    OK(ra_store_exec_raw(f->s, "INSERT INTO t_hits SELECT COUNT(*) - 2 FROM audit_log WHERE "
                               "entity = 'client'", &err)); /* the create and the update */
    ra_store_close(f->s);
    OK(ra_store_open(f->url, NULL, &f->s, &err));
    OK(ra_store_set_firm_key(f->s, "F1", f->key, &err));
    OK(ra_store_audit_verify(f->s, NULL, NULL, &err));
}

/* --- valuation, holdings, snapshot ----------------------------------------------------------- */

static void test_store_valuation_and_holdings(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    load_basic_book(f); /* A1: 928,700 cents + 3 SPY */
    put_client_account(f, "C2", "A2");
    put_security(f, "AGG", 2);
    ra_store_txn t[3] = {
        txn("A2", "U1", RA_TXN_DEPOSIT, D(2021, 1, 4), "", 0, 0, 100000, 0),
        txn("A2", "U2", RA_TXN_BUY, D(2021, 1, 4), "AGG", 333333, 100000000, 0, 0),
        txn("A2", "U3", RA_TXN_BUY, D(2021, 1, 5), "SPY", 100000, 300000000, 0, 0),
    };
    /* A2 cash: 100,000 - round(0.333333 * 100 = 33.3333 -> 3333) - 3000 = 93,667 */
    OK(ra_store_txn_append(f->s, &f->actor, t, 3, NULL, &err));
    ra_price_obs obs[3] = {{"SPY", 0, 350123457}, {"SPY", 0, 999000000}, {"AGG", 0, 101005000}};
    obs[0].date = D(2021, 3, 31);
    obs[1].date = D(2021, 4, 30); /* after the valuation date: not used */
    obs[2].date = D(2021, 3, 1);
    OK(ra_store_prices_put(f->s, &f->actor, obs, 3, 0, NULL, &err));
    ra_account_value *v = NULL; /* the engine values (engine_valuation.h) */
    size_t n = 0;
    ra_minor total = 0;
    OK(ra_valuation_compute(f->s, "F1", D(2021, 4, 15), &v, &n, &total, &err));
    assert_int_equal(n, 2);
    /* A1: 3 x 350.123457 = 1050.370371 -> 105037 cents */
    assert_string_equal(v[0].account, "A1");
    assert_int_equal(v[0].cash_minor, 928700);
    assert_int_equal(v[0].securities_minor, 105037);
    assert_int_equal(v[0].total_minor, 1033737);
    /* A2: AGG 0.333333 x 101.005 = 33.668296665 -> 3367; SPY 0.1 x 350.123457 = 35.0123457
     * -> 3501; cash 93,667 */
    assert_string_equal(v[1].account, "A2");
    assert_int_equal(v[1].cash_minor, 93667);
    assert_int_equal(v[1].securities_minor, 3367 + 3501);
    assert_int_equal(v[1].n_unpriced, 0);
    assert_int_equal(total, 1033737 + 93667 + 6868);
    ra_free(v);
    /* before any price of AGG: unpriced */
    OK(ra_valuation_compute(f->s, "F1", D(2021, 2, 1), &v, &n, &total, &err));
    assert_int_equal(v[1].n_unpriced, 2);
    ra_free(v);
    ra_position *pos = NULL;
    OK(ra_store_holdings(f->s, "F1", RA_STORE_DATE_LATEST, &pos, &n, &err));
    assert_int_equal(n, 5); /* A1 cash, SPY; A2 cash, AGG, SPY */
    assert_string_equal(pos[0].ticker, "");
    assert_int_equal(pos[0].cash_minor, 928700);
    assert_int_equal(pos[1].qty_micro, 3000000);
    assert_string_equal(pos[3].ticker, "AGG");
    ra_store_free(pos);
    /* as of 2021-02-15: A1 holds 15 SPY, cash 1,000,000 - 300,100 - 155,000 */
    OK(ra_store_holdings(f->s, "F1", D(2021, 2, 15), &pos, &n, &err));
    assert_int_equal(pos[0].cash_minor, 544900);
    assert_int_equal(pos[1].qty_micro, 15000000);
    ra_store_free(pos);
}

#define SNAP_ACCOUNTS 40
static void test_store_snapshot_memory_per_account(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    const char *tickers[8] = {"T0", "T1", "T2", "T3", "T4", "T5", "T6", "T7"};
    for (int k = 0; k < 8; k++)
        put_security(f, tickers[k], 3);
    ra_client c;
    memset(&c, 0, sizeof c);
    OK(ra_store_begin(f->s, &err));
    for (int i = 0; i < SNAP_ACCOUNTS; i++) {
        snprintf(c.code, sizeof c.code, "C%04d", i);
        snprintf(c.household, sizeof c.household, "H%04d", i);
        OK(ra_store_client_put(f->s, &f->actor, &c, &err));
        ra_account a;
        memset(&a, 0, sizeof a);
        ra_rule_mandate_default(&a.mandate);
        snprintf(a.code, sizeof a.code, "A%04d", i);
        snprintf(a.client, sizeof a.client, "C%04d", i);
        snprintf(a.currency, sizeof a.currency, "USD");
        OK(ra_store_account_put(f->s, &f->actor, &a, &err));
        ra_store_txn t[9];
        t[0] = txn(a.code, "D", RA_TXN_DEPOSIT, D(2021, 1, 4), "", 0, 0, 10000000, 0);
        for (int k = 0; k < 8; k++) {
            char ext[8];
            snprintf(ext, sizeof ext, "B%d", k);
            t[k + 1] = txn(a.code, ext, RA_TXN_BUY, D(2021, 1, 5 + k), tickers[k],
                           1000000 * (k + 1), 100000000, 0, 0);
        }
        OK(ra_store_txn_append(f->s, &f->actor, t, 9, NULL, &err));
    }
    OK(ra_store_commit(f->s, &err));
    ra_store_snapshot *sn = NULL;
    OK(ra_store_snapshot_load(f->s, "F1", &sn, &err));
    assert_int_equal(sn->n_accounts, SNAP_ACCOUNTS);
    assert_int_equal(sn->n_lots, 8 * SNAP_ACCOUNTS);
    assert_int_equal(sn->n_securities, 8);
    /* the fixed part (8 tickers) is amortised over a million accounts in the benchmark; here
     * measure the per-account part */
    double per = (double)(sn->bytes - 8 * RA_CODE_MAX) / SNAP_ACCOUNTS;
    if (per > 1024.0)
        fail_msg("snapshot holds %.0f bytes per account, want <= 1024", per);
    assert_string_equal(sn->account_code[7], "A0007");
    assert_int_equal(sn->lot_start[7], 56);
    assert_int_equal(sn->lot_start[SNAP_ACCOUNTS], 8 * SNAP_ACCOUNTS);
    assert_int_equal(sn->cash_minor[0], 10000000 - 100 * 36 * 100);
    for (int k = 0; k < 8; k++) {
        assert_string_equal(sn->tickers[sn->lot_security[56 + k]], tickers[k]);
        assert_int_equal(sn->lot_qty_micro[56 + k], 1000000 * (k + 1));
        assert_int_equal(sn->lot_basis_minor[56 + k], 10000 * (k + 1));
        assert_int_equal(sn->lot_acquired[56 + k], D(2021, 1, 5 + k));
    }
    ra_store_snapshot_destroy(sn);
}

/* A write the database refuses after it was sent (on PostgreSQL a pipelined INSERT whose error
 * comes back with a later reply) fails its own call, is undone with its savepoint, and leaves the
 * caller's transaction usable: the good client before it commits, the refused one is absent. */
static void test_store_refused_pipelined_write_fails_its_call(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    if (strcmp(ra_store_backend(f->s), "postgresql") == 0)
        OK(ra_store_exec_raw(f->s,
                             "CREATE FUNCTION ra_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
                             "BEGIN IF NEW.code = 'BAD' THEN RAISE EXCEPTION 'refused by test'; "
                             "END IF; RETURN NEW; END $$; "
                             "CREATE TRIGGER ra_refuse BEFORE INSERT ON clients FOR EACH ROW "
                             "EXECUTE FUNCTION ra_refuse()",
                             &err));
    else
        OK(ra_store_exec_raw(f->s,
                             "CREATE TRIGGER ra_refuse BEFORE INSERT ON clients WHEN NEW.code = "
                             "'BAD' BEGIN SELECT RAISE(ABORT, 'refused by test'); END",
                             &err));
    uint64_t n0 = audit_count(f);
    ra_client c;
    memset(&c, 0, sizeof c);
    snprintf(c.household, sizeof c.household, "H1");
    snprintf(c.name, sizeof c.name, "Alice Smithson");
    OK(ra_store_begin(f->s, &err));
    snprintf(c.code, sizeof c.code, "GOOD");
    OK(ra_store_client_put(f->s, &f->actor, &c, &err));
    snprintf(c.code, sizeof c.code, "BAD");
    assert_int_not_equal(ra_store_client_put(f->s, &f->actor, &c, &err), RA_OK);
    assert_non_null(strstr(err.msg, "refused by test"));
    snprintf(c.code, sizeof c.code, "GOOD2");
    OK(ra_store_client_put(f->s, &f->actor, &c, &err));
    OK(ra_store_commit(f->s, &err));
    ra_client x;
    OK(ra_store_client_get(f->s, "F1", "GOOD", &x, &err));
    OK(ra_store_client_get(f->s, "F1", "GOOD2", &x, &err));
    assert_int_equal(ra_store_client_get(f->s, "F1", "BAD", &x, &err), RA_ENOTFOUND);
    /* household H1 and the two clients: three records, the chain intact */
    assert_int_equal(audit_count(f), n0 + 3);
    /* on its own (no caller transaction) the refused put leaves nothing either */
    snprintf(c.code, sizeof c.code, "BAD");
    snprintf(c.household, sizeof c.household, "H2");
    assert_int_not_equal(ra_store_client_put(f->s, &f->actor, &c, &err), RA_OK);
    assert_int_equal(audit_count(f), n0 + 3);
    OK(ra_store_check(f->s, NULL, &err));
}

/* Several rounds of the bulk opening (BULK_CHUNK accounts each through the test hook; 4096 by
 * default), so that a failure in the last round must undo the rows earlier rounds loaded. */
#define BULK_N 700
#define BULK_CHUNK 256

typedef struct bulk_batch {
    ra_account acc[BULK_N];
    ra_store_opening op[BULK_N];
    ra_store_lot_in lots[2];
} bulk_batch;

static bulk_batch *bulk_make(fx *f, const char *prefix)
{
    ra_err err = {0};
    bulk_batch *b = calloc(1, sizeof *b);
    assert_non_null(b);
    ra_store_test_open_chunk(f->s, BULK_CHUNK);
    snprintf(b->lots[0].ticker, sizeof b->lots[0].ticker, "SPY");
    b->lots[0].acquired = D(2019, 3, 1);
    b->lots[0].qty_micro = 2000000;
    b->lots[0].basis_minor = 60000;
    snprintf(b->lots[1].ticker, sizeof b->lots[1].ticker, "AGG");
    b->lots[1].acquired = D(2018, 7, 2);
    b->lots[1].qty_micro = 1500000;
    b->lots[1].basis_minor = 16500;
    OK(ra_store_account_get(f->s, "F1", "A1", &b->acc[0], &err));
    for (int i = 0; i < BULK_N; i++) {
        b->acc[i] = b->acc[0];
        snprintf(b->acc[i].code, sizeof b->acc[i].code, "%s%05d", prefix, i);
        snprintf(b->acc[i].mandate.restrictions, sizeof b->acc[i].mandate.restrictions,
                 "TOBACCO;LINE_%d", i);
        b->op[i].account = &b->acc[i];
        b->op[i].date = D(2021, 1, 4);
        b->op[i].cash_minor = 100 + i;
        b->op[i].lots = b->lots;
        b->op[i].n_lots = 2;
    }
    return b;
}

/* One bad account anywhere in a batch fails it whole: no account, transaction, lot or audit
 * record of the batch is left, on its own and inside the caller's transaction. */
static void test_store_accounts_open_bulk_bad_account_rolls_back_whole(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    put_security(f, "SPY", 4);
    put_security(f, "AGG", 2);
    put_client_account(f, "C1", "A1");
    bulk_batch *b = bulk_make(f, "K");
    uint64_t n0 = audit_count(f);
    ra_account x;
    int checks = 0;
    for (int bad = 0; bad < 4; bad++) {
        ra_account keep = b->acc[BULK_N - 2];
        ra_store_lot_in wrong[2] = {b->lots[0], b->lots[1]};
        ra_status want = RA_ENOTFOUND;
        if (bad == 0) { /* a ticker that does not exist, in the second round */
            snprintf(wrong[1].ticker, sizeof wrong[1].ticker, "NOPE");
            b->op[BULK_N - 2].lots = wrong;
        } else if (bad == 1) { /* a client that does not exist */
            snprintf(b->acc[BULK_N - 2].client, sizeof b->acc[0].client, "C404");
        } else if (bad == 2) { /* an account code given twice */
            snprintf(b->acc[BULK_N - 2].code, sizeof b->acc[0].code, "%s", b->acc[5].code);
            want = RA_ECONFLICT;
        } else { /* an account that exists already */
            snprintf(b->acc[BULK_N - 2].code, sizeof b->acc[0].code, "A1");
            want = RA_ECONFLICT;
        }
        assert_int_equal(ra_store_accounts_open_bulk(f->s, &f->actor, b->op, BULK_N, &err), want);
        assert_int_equal(ra_store_account_get(f->s, "F1", "K00000", &x, &err), RA_ENOTFOUND);
        assert_int_equal(ra_store_account_get(f->s, "F1", "K00699", &x, &err), RA_ENOTFOUND);
        assert_int_equal(audit_count(f), n0);
        /* the same inside the caller's transaction: the batch's savepoint is undone and the
         * transaction goes on */
        if (bad == 1) {
            b->acc[BULK_N - 2] = keep;
            b->op[BULK_N - 2].lots = b->lots;
            checks++;
            continue;
        }
        OK(ra_store_begin(f->s, &err));
        assert_int_equal(ra_store_accounts_open_bulk(f->s, &f->actor, b->op, BULK_N, &err), want);
        assert_int_equal(ra_store_accounts_open_bulk(f->s, &f->actor, &b->op[0], 1, &err), RA_OK);
        OK(ra_store_rollback(f->s, &err));
        b->acc[BULK_N - 2] = keep;
        b->op[BULK_N - 2].lots = b->lots;
        checks++;
    }
    assert_int_equal(checks, 4);
    OK(ra_store_check(f->s, NULL, &err));
    uint64_t bad_seq = 1;
    uint64_t n = 0;
    OK(ra_store_audit_verify(f->s, &n, &bad_seq, &err));
    assert_int_equal(n, n0);
    assert_int_equal(bad_seq, 0);
    free(b);
}

/* A good batch across two rounds: every account reconciles, the chain verifies with one record
 * per account, and text that COPY escapes comes back unchanged. */
static void test_store_accounts_open_bulk_audit_chain_verifies(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    put_security(f, "SPY", 4);
    put_security(f, "AGG", 2);
    put_client_account(f, "C1", "A1");
    bulk_batch *b = bulk_make(f, "G");
    uint64_t n0 = audit_count(f);
    OK(ra_store_accounts_open_bulk(f->s, &f->actor, b->op, BULK_N, &err));
    uint64_t n = 0, bad = 1;
    OK(ra_store_audit_verify(f->s, &n, &bad, &err));
    assert_int_equal(n, n0 + BULK_N);
    assert_int_equal(bad, 0);
    ra_store_check_result cr;
    OK(ra_store_check(f->s, &cr, &err));
    assert_int_equal(cr.n_accounts, 1 + BULK_N);
    ra_account x;
    OK(ra_store_account_get(f->s, "F1", "G00600", &x, &err));
    assert_string_equal(x.mandate.restrictions, "TOBACCO;LINE_600");
    ra_ledger l;
    OK(ra_store_account_ledger(f->s, "F1", "G00699", &l, &err));
    assert_int_equal(l.cash_minor, 100 + 699);
    assert_int_equal(l.n_lots, 2);
    assert_int_equal(l.lots[0].id + l.lots[1].id, 3);
    ra_ledger_free(&l);
    /* re-opening the same batch is refused whole */
    assert_int_equal(ra_store_accounts_open_bulk(f->s, &f->actor, b->op, BULK_N, &err),
                     RA_ECONFLICT);
    OK(ra_store_audit_verify(f->s, &n, &bad, &err));
    assert_int_equal(n, n0 + BULK_N);
    free(b);
}

static void test_store_accounts_open_bulk_reconciles(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    put_security(f, "SPY", 4);
    put_security(f, "AGG", 2);
    put_client_account(f, "C1", "A1");
    ra_account acc[3];
    ra_store_opening op[3];
    ra_store_lot_in lots[2] = {{"SPY", 0, 2000000, 60000}, {"AGG", 0, 1500000, 16500}};
    lots[0].acquired = D(2019, 3, 1);
    lots[1].acquired = D(2018, 7, 2);
    for (int i = 0; i < 3; i++) {
        OK(ra_store_account_get(f->s, "F1", "A1", &acc[i], &err));
        snprintf(acc[i].code, sizeof acc[i].code, "B%d", i);
        memset(&op[i], 0, sizeof op[i]);
        op[i].account = &acc[i];
        op[i].date = D(2021, 1, 4);
        op[i].cash_minor = 1000 * (i + 1);
        op[i].lots = i == 1 ? NULL : lots;
        op[i].n_lots = i == 1 ? 0 : 2;
    }
    uint64_t n0 = audit_count(f);
    OK(ra_store_accounts_open_bulk(f->s, &f->actor, op, 3, &err));
    assert_int_equal(audit_count(f), n0 + 3);
    ra_ledger l;
    OK(ra_store_account_ledger(f->s, "F1", "B2", &l, &err));
    assert_int_equal(l.cash_minor, 3000);
    assert_int_equal(l.n_lots, 2);
    assert_int_equal(l.totals.n_txns, 2);
    ra_ledger_free(&l);
    ra_store_check_result cr;
    OK(ra_store_check(f->s, &cr, &err));
    assert_int_equal(cr.n_accounts, 4);
    assert_int_equal(cr.n_transactions, 5);
    /* the opening transactions are ordinary ones: re-appending them is a no-op */
    ra_store_txn t = txn("B0", "open-cash", RA_TXN_DEPOSIT, D(2021, 1, 4), "", 0, 0, 1000, 0);
    ra_store_txn_stats st;
    OK(ra_store_txn_append(f->s, &f->actor, &t, 1, &st, &err));
    assert_int_equal(st.unchanged, 1);
    /* an existing code: nothing written */
    snprintf(acc[0].code, sizeof acc[0].code, "B9");
    snprintf(acc[1].code, sizeof acc[1].code, "B1");
    assert_int_equal(ra_store_accounts_open_bulk(f->s, &f->actor, op, 2, &err), RA_ECONFLICT);
    ra_account x;
    assert_int_equal(ra_store_account_get(f->s, "F1", "B9", &x, &err), RA_ENOTFOUND);
    OK(ra_store_audit_verify(f->s, NULL, NULL, &err));
    OK(ra_store_check(f->s, NULL, &err));
}

/* --- concurrency (SQLite): two processes write at once ------------------------------------ */

static int child_writer(const char *url, const uint8_t *key, int who)
{
    ra_store *s = NULL;
    ra_err err = {0};
    ra_store_options o;
    ra_store_options_default(&o);
    o.busy_timeout_ms = 2000;
    if (ra_store_open(url, &o, &s, &err) != RA_OK)
        return strstr(err.msg, "busy") ? 0 : 2;
    /* every write is audited with the firm's key (keyed chain) */
    if (ra_store_set_firm_key(s, "F1", key, &err) != RA_OK) {
        ra_store_close(s);
        return strstr(err.msg, "busy") ? 0 : 2;
    }
    ra_store_actor a = {"child", "F1"};
    int rc = 0;
    for (int i = 0; i < 40 && rc == 0; i++) {
        char ext[32];
        snprintf(ext, sizeof ext, "W%d-%d", who, i);
        ra_store_txn t = txn(who ? "A2" : "A1", ext, RA_TXN_DEPOSIT, D(2021, 5, 1), "", 0, 0,
                             100 + i, 0);
        ra_status st = ra_store_txn_append(s, &a, &t, 1, NULL, &err);
        if (st != RA_OK)
            rc = st == RA_ECONFLICT && strstr(err.msg, "busy") ? 0 : 3;
    }
    ra_store_close(s);
    return rc;
}

static void test_store_concurrent_writers_sqlite(void **state)
{
    fx *f = *state;
    if (g_pg)
        return; /* row locks on PostgreSQL; the file case is SQLite's */
    ra_err err = {0};
    put_client_account(f, "C1", "A1");
    put_client_account(f, "C2", "A2");
    pid_t pid[2];
    for (int w = 0; w < 2; w++) {
        pid[w] = fork();
        assert_true(pid[w] >= 0);
        if (pid[w] == 0)
            _exit(child_writer(f->url, f->key, w));
    }
    for (int w = 0; w < 2; w++) {
        int status = 0;
        assert_int_equal(waitpid(pid[w], &status, 0), pid[w]);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) != 0)
            fail_msg("writer %d failed with %d (not a clean busy error)", w, WEXITSTATUS(status));
    }
    ra_store_check_result cr;
    OK(ra_store_check(f->s, &cr, &err));
    OK(ra_store_audit_verify(f->s, NULL, NULL, &err));
    assert_true(cr.n_transactions > 0);
}

static void test_store_busy_writer_fails_cleanly(void **state)
{
    fx *f = *state;
    if (g_pg)
        return;
    ra_err err = {0};
    put_client_account(f, "C1", "A1");
    ra_store *other = NULL;
    ra_store_options o;
    ra_store_options_default(&o);
    o.busy_timeout_ms = 100;
    OK(ra_store_open(f->url, &o, &other, &err));
    OK(ra_store_set_firm_key(other, "F1", f->key, &err));
    OK(ra_store_begin(f->s, &err)); /* holds the write lock */
    ra_store_txn t = txn("A1", "Z1", RA_TXN_DEPOSIT, D(2021, 5, 1), "", 0, 0, 100, 0);
    assert_int_equal(ra_store_txn_append(other, &f->actor, &t, 1, NULL, &err), RA_ECONFLICT);
    assert_non_null(strstr(err.msg, "busy"));
    OK(ra_store_rollback(f->s, &err));
    OK(ra_store_txn_append(other, &f->actor, &t, 1, NULL, &err));
    ra_store_close(other);
    OK(ra_store_check(f->s, NULL, &err));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_store_init_idempotent_and_newer_schema_refused, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_store_uninitialised_database_refuses_writes, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_store_firm_advisor_client_roundtrip, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_personal_data_encrypted_and_wrong_key_fails, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_store_key_provider, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_securities_and_incomplete, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_prices_idempotent_and_conflicts, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_txn_applied_and_persisted, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_txn_batch_is_atomic, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_check_detects_tampered_lot, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_audit_verify_detects_edit_insert_delete, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_store_audit_records_no_plain_personal_data, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_store_valuation_and_holdings, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_snapshot_memory_per_account, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_accounts_open_bulk_reconciles, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_accounts_open_bulk_bad_account_rolls_back_whole,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_accounts_open_bulk_audit_chain_verifies, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_store_refused_pipelined_write_fails_its_call, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_store_concurrent_writers_sqlite, setup, teardown),
    cmocka_unit_test_setup_teardown(test_store_busy_writer_fails_cleanly, setup, teardown),
};

int main(int argc, char **argv)
{
    const char *backend = argc > 1 ? argv[1] : "sqlite";
    if (strcmp(backend, "pg") == 0) {
        const char *env = getenv("ROBOADVISOR_TEST_PG");
        if (env && *env) {
            snprintf(g_url, sizeof g_url, "%s", env);
        } else if (argc > 2 && argv[2][0] == '@') {
            FILE *fp = fopen(argv[2] + 1, "r");
            if (!fp || !fgets(g_url, sizeof g_url, fp)) {
                fprintf(stderr, "test_store: could not read the PostgreSQL URL from %s\n",
                        argv[2] + 1);
                return 1;
            }
            fclose(fp);
            g_url[strcspn(g_url, "\r\n")] = 0;
        } else {
            printf("test_store: ROBOADVISOR_TEST_PG is not set: PostgreSQL cases skipped\n");
            return 77;
        }
        g_pg = 1;
        return cmocka_run_group_tests_name("store_pg", tests, NULL, NULL);
    }
    snprintf(g_dir, sizeof g_dir, "/tmp/ra_test_store_XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    int rc = cmocka_run_group_tests_name("store_sqlite", tests, NULL, NULL);
    rmdir(g_dir);
    return rc;
}
