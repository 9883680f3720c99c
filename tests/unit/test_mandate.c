/* The mandate as one versioned, audited record (issue 12, docs/methodology.md#the-mandate): a
 * book made at schema 6 with an account whose agent disagrees with it, upgraded to schema 7
 * (version 1 from the account's columns, merged with the agent; the audit record written at the
 * first opening with the key; audit verify and check clean), the agent a view of the mandate,
 * versions validated, and an edited version caught by audit verify. Runs on SQLite
 * (`test_mandate sqlite`) and PostgreSQL (`test_mandate pg @FILE`), like test_tamper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"
#include "roboadvisor/rules.h"
#include "roboadvisor/store.h"
#include "roboadvisor/store_mandate.h"
#include "roboadvisor/store_profiles.h"
#include "store/store_int.h"
#include "ra_test_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OK(expr) ra_tdb_must((expr), &err)

typedef struct fx {
    ra_store *s;
    char url[1100];
    ra_store_actor actor;
    uint8_t key[RA_STORE_KEY_BYTES];
} fx;

static void put_account(fx *f, const char *code, ra_account_type type, double drift, int tlh)
{
    ra_err err = {0};
    ra_account a;
    memset(&a, 0, sizeof a);
    snprintf(a.code, sizeof a.code, "%s", code);
    snprintf(a.client, sizeof a.client, "C1");
    a.type = type;
    snprintf(a.currency, sizeof a.currency, "USD");
    a.opened = ra_date_from_ymd(2021, 1, 4);
    ra_rule_mandate_default(&a.mandate);
    ra_rule_mandate_for_type(&a.mandate, (int)type);
    snprintf(a.mandate.model, sizeof a.mandate.model, "M1");
    a.mandate.drift_band = drift;
    a.mandate.tlh_enabled = tlh;
    OK(ra_store_account_put(f->s, &f->actor, &a, &err));
}

/* A book at schema `upto` (6: before the mandate's versions) with a client and two accounts. */
static fx *book(int32_t upto)
{
    fx *f = calloc(1, sizeof *f);
    ra_err err = {0};
    assert_int_equal(ra_tdb_fresh(f->url, sizeof f->url), 0);
    OK(ra_store_open(f->url, NULL, &f->s, &err));
    OK(rs_store_init_to(f->s, upto, &err));
    snprintf(f->actor.user, sizeof f->actor.user, "tester");
    snprintf(f->actor.firm, sizeof f->actor.firm, "F1");
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        f->key[i] = (uint8_t)(i * 7 + 1);
    OK(ra_store_set_firm_key(f->s, "F1", f->key, &err));
    ra_firm firm = {"F1", "First Firm", "USD", 2};
    OK(ra_store_firm_put(f->s, &f->actor, &firm, &err));
    ra_client c;
    memset(&c, 0, sizeof c);
    snprintf(c.code, sizeof c.code, "C1");
    snprintf(c.household, sizeof c.household, "H1");
    snprintf(c.name, sizeof c.name, "Client One");
    c.birth_year = 1970;
    OK(ra_store_client_put(f->s, &f->actor, &c, &err));
    put_account(f, "A1", RA_ACCOUNT_TAXABLE, 0.03, 1);
    put_account(f, "A2", RA_ACCOUNT_TAX_DEFERRED, 0.05, 0);
    return f;
}

static void book_free(fx *f)
{
    ra_store_close(f->s);
    ra_tdb_remove(f->url);
    free(f);
}

static void verify_ok(fx *f)
{
    ra_err err = {0};
    uint64_t n = 0, bad = 0;
    OK(ra_store_audit_verify(f->s, &n, &bad, &err));
    OK(ra_store_check(f->s, NULL, &err));
}

/* A book of schema 6 whose agent says drift 0.05, TLH off and cash reserve 0.04 while the
 * account says drift 0.03 and TLH on: after the upgrade version 1 has the account's band and
 * TLH (what the cycle traded on), the agent's level, objective, cash reserve and name, and a
 * reason naming the values not taken. */
static void test_upgrade_from_schema_6(void **state)
{
    (void)state;
    ra_err err = {0};
    fx *f = book(6);
    ra_agent_params p;
    ra_agent_params_default(&p, 3);
    p.tlh = 0;
    p.cash_reserve = 0.04;
    int64_t v = 0;
    OK(ra_store_agent_put(f->s, &f->actor, "A1", "Nest", &p, "onboarding", &v, &err));
    assert_int_equal(v, 1);
    verify_ok(f);
    /* the upgrade */
    OK(ra_store_init(f->s, &err));
    /* before the attestation the migrated versions have no audit record */
    uint64_t n = 0, bad = 0;
    assert_int_equal(ra_store_audit_verify(f->s, &n, &bad, &err), RA_ECONFLICT);
    assert_non_null(strstr(err.where, "mandates"));
    int written = 0;
    OK(ra_store_mandate_attest(f->s, &f->actor, &written, &err));
    assert_int_equal(written, 1);
    verify_ok(f);
    OK(ra_store_mandate_attest(f->s, &f->actor, &written, &err));
    assert_int_equal(written, 0); /* once */
    ra_mandate_version m;
    OK(ra_store_mandate_get(f->s, "F1", "A1", 0, &m, &err));
    assert_int_equal(m.version, 1);
    assert_true(m.mandate.drift_band == 0.03);
    assert_int_equal(m.mandate.tlh_enabled, 1);
    assert_true(m.mandate.cash_reserve == 0.04);
    assert_int_equal(m.mandate.risk_level, 3);
    assert_int_equal(m.mandate.relief, RA_RELIEF_TAX_AWARE);
    assert_true(m.mandate.band_rel == 0.25);
    assert_int_equal(m.mandate.gain_budget_minor, -1);
    assert_string_equal(m.agent_name, "Nest");
    assert_non_null(strstr(m.reason, "agent version 1"));
    assert_non_null(strstr(m.reason, "drift_band 0.05"));
    assert_non_null(strstr(m.reason, "tlh 0"));
    OK(ra_store_mandate_get(f->s, "F1", "A2", 0, &m, &err));
    assert_int_equal(m.mandate.relief, RA_RELIEF_FIFO); /* a retirement account */
    assert_int_equal(m.mandate.risk_level, 0);           /* no agent */
    assert_true(m.mandate.cash_reserve == 0.02);
    assert_non_null(strstr(m.reason, "migrated at schema 7"));
    /* the agent reads the mandate: its version 1 is the mandate's */
    ra_agent g;
    OK(ra_store_agent_get(f->s, "F1", "A1", 0, &g, &err));
    assert_int_equal(g.version, 1);
    assert_true(g.params.drift_band == 0.03);
    assert_true(g.params.cash_reserve == 0.04);
    assert_int_equal(ra_store_agent_get(f->s, "F1", "A2", 0, &g, &err), RA_ENOTFOUND);
    /* and writes it: version 2 of the mandate, the account's columns with it */
    p.drift_band = 0.07;
    OK(ra_store_agent_put(f->s, &f->actor, "A1", "Nest", &p, "client call", &v, &err));
    assert_int_equal(v, 2);
    ra_account acc;
    OK(ra_store_account_get(f->s, "F1", "A1", &acc, &err));
    assert_true(acc.mandate.drift_band == 0.07);
    ra_mandate_version *h = NULL;
    size_t nh = 0;
    OK(ra_store_mandate_history(f->s, "F1", "A1", &h, &nh, &err));
    assert_int_equal(nh, 2);
    assert_string_equal(h[1].reason, "client call");
    assert_string_equal(h[1].agent_name, "Nest");
    ra_store_free(h);
    verify_ok(f);
    book_free(f);
}

/* A new book: every account has version 1 from its opening; a change writes version 2; the
 * unchanged mandate writes nothing; a reason is required; an edited old version, a changed
 * field and a deleted version are each caught by audit verify. */
static void test_versions_audited_and_tamper_caught(void **state)
{
    (void)state;
    ra_err err = {0};
    fx *f = book(INT32_MAX);
    int written = 1;
    OK(ra_store_mandate_attest(f->s, &f->actor, &written, &err));
    assert_int_equal(written, 0); /* nothing migrated in a new book */
    ra_mandate_version m;
    OK(ra_store_mandate_get(f->s, "F1", "A1", 0, &m, &err));
    assert_int_equal(m.version, 1);
    assert_string_equal(m.reason, "account opened");
    ra_mandate x = m.mandate;
    OK(ra_rule_mandate_set(&x, "relief", "hifo", &err));
    OK(ra_rule_mandate_set(&x, "buy_only", "on", &err));
    int64_t v = 0;
    assert_int_equal(ra_store_mandate_put(f->s, &f->actor, "A1", &x, NULL, 0, " ", &v, &err),
                     RA_EINVAL);
    OK(ra_store_mandate_put(f->s, &f->actor, "A1", &x, NULL, 0, "advisor review", &v, &err));
    assert_int_equal(v, 2);
    OK(ra_store_mandate_put(f->s, &f->actor, "A1", &x, NULL, 0, "again", &v, &err));
    assert_int_equal(v, 2); /* unchanged: nothing written */
    x.loss_limit = 0.2;      /* above 0.15: refused naming the field */
    assert_int_equal(ra_store_mandate_put(f->s, &f->actor, "A1", &x, NULL, 0, "x", &v, &err),
                     RA_EINVAL);
    assert_string_equal(err.where, "loss_limit");
    x.loss_limit = 0.1;
    /* the client's objectives (0025): stored with the version, read back, imaged */
    OK(ra_rule_mandate_set(&x, "risk_aversion", "1.5", &err));
    OK(ra_rule_mandate_set(&x, "turnover_penalty", "0.002", &err));
    OK(ra_rule_mandate_set(&x, "cvar_limit", "0.012", &err));
    assert_int_equal(ra_rule_mandate_set(&x, "risk_aversion", "9", &err), RA_EINVAL);
    assert_string_equal(err.where, "risk_aversion");
    OK(ra_store_mandate_put(f->s, &f->actor, "A1", &x, NULL, 0, "client's objectives", &v, &err));
    assert_int_equal(v, 3);
    OK(ra_store_mandate_get(f->s, "F1", "A1", 0, &m, &err));
    assert_true(m.mandate.risk_aversion == 1.5 && m.mandate.turnover_penalty == 0.002 &&
                m.mandate.cvar_limit == 0.012 && m.mandate.te_penalty == 0.0);
    assert_true(ra_rule_mandate_equal(&m.mandate, &x));
    verify_ok(f);
    {
        OK(ra_store_exec_raw(f->s, "BEGIN", &err));
        OK(ra_store_exec_raw(f->s, "UPDATE mandates SET risk_aversion = 2 WHERE version = 3",
                             &err));
        uint64_t n = 0, bad = 0;
        ra_err e = {0};
        assert_int_equal(ra_store_audit_verify(f->s, &n, &bad, &e), RA_ECONFLICT);
        assert_non_null(strstr(e.where, "mandate_objectives"));
        OK(ra_store_exec_raw(f->s, "ROLLBACK", &err));
    }
    static const char *const edits[] = {
        "UPDATE mandates SET buy_only = 1 WHERE version = 1",
        "UPDATE mandates SET relief = 0 WHERE version = 2",
        "DELETE FROM mandates WHERE version = 2",
    };
    int caught = 0;
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        OK(ra_store_exec_raw(f->s, "BEGIN", &err));
        OK(ra_store_exec_raw(f->s, edits[i], &err));
        uint64_t n = 0, bad = 0;
        ra_err e = {0};
        if (ra_store_audit_verify(f->s, &n, &bad, &e) == RA_ECONFLICT &&
            strstr(e.where, "table mandates, A1"))
            caught++;
        else
            fprintf(stderr, "not caught: %s (%s)\n", edits[i], e.msg);
        OK(ra_store_exec_raw(f->s, "ROLLBACK", &err));
    }
    assert_int_equal(caught, 3);
    verify_ok(f);
    book_free(f);
}

/* ra_rule_mandate_set: every key, and a bad key or value refused naming the key. */
static void test_mandate_set_keys(void **state)
{
    (void)state;
    ra_err err = {0};
    ra_mandate m;
    ra_rule_mandate_default(&m);
    static const char *const good[][2] = {
        {"band_rel", "0.2"},       {"to_band_edge", "1"},   {"buy_only", "true"},
        {"relief", "fifo"},        {"cash_reserve", "0.03"}, {"min_trade_minor", "5000"},
        {"reinvest_dividends", "on"}, {"fractional", "1"},  {"gain_budget_minor", "100000"},
        {"client_confirm", "1"},   {"risk_level", "C4"},    {"objective", "growth"},
        {"loss_limit", "0.15"},    {"drift_band", "0.04"},  {"tlh", "off"},
        {"restrictions", "SPY;bonds"}, {"model", "M2"},      {"discretionary", "0"}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        OK(ra_rule_mandate_set(&m, good[i][0], good[i][1], &err));
    assert_true(m.band_rel == 0.2);
    assert_int_equal(m.to_band_edge, 1);
    assert_int_equal(m.relief, RA_RELIEF_FIFO);
    assert_int_equal(m.min_trade_minor, 5000);
    assert_int_equal(m.gain_budget_minor, 100000);
    assert_int_equal(m.risk_level, 4);
    assert_int_equal(m.objective, RA_OBJ_GROWTH);
    static const char *const bad[][2] = {
        {"loss_limit", "0.16"}, {"band_rel", "1.5"},      {"relief", "lifo"},
        {"buy_only", "maybe"},  {"min_trade_minor", "-1"}, {"gain_budget_minor", "-2"},
        {"cash_reserve", "1"},  {"colour", "red"},        {"risk_level", "C9"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ra_mandate before = m;
        assert_int_equal(ra_rule_mandate_set(&m, bad[i][0], bad[i][1], &err), RA_EINVAL);
        assert_string_equal(err.where, bad[i][0]);
        assert_true(ra_rule_mandate_equal(&before, &m));
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_upgrade_from_schema_6),
    cmocka_unit_test(test_versions_audited_and_tamper_caught),
    cmocka_unit_test(test_mandate_set_keys),
};

int main(int argc, char **argv)
{
    return ra_tdb_main(argc, argv, "test_mandate", tests, sizeof tests / sizeof tests[0]);
}
