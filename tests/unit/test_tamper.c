/* Tamper evidence of the book of record (issue 10, docs/methodology.md#book-of-record-and-storage):
 * a small book is built through the public API, then each of 27 edits of a business table and
 * each of 8 attacks on the audit log is made with plain SQL (as a database administrator could),
 * inside a transaction that is rolled back afterwards, and ra_store_audit_verify (with and without
 * a checkpoint) or ra_store_check must report it. Counts of detections are asserted, so a loop
 * that checks nothing fails. Runs on SQLite (`test_tamper sqlite`) and PostgreSQL
 * (`test_tamper pg @FILE`), like test_store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"
#include "roboadvisor/csv.h"
#include "roboadvisor/engine_onboard.h"
#include "roboadvisor/onboard_io.h"
#include "roboadvisor/prof_io.h"
#include "roboadvisor/store.h"
#include "roboadvisor/store_models.h"
#include "roboadvisor/store_profiles.h"
#include "store/store_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QUESTIONNAIRE RA_GOLDEN_DIR "/../../examples/questionnaire/default.json"
#define EXAMPLE_EN RA_GOLDEN_DIR "/../../examples/onboard/client_en.json"

static char g_url[1024];
static int g_pg;
static char g_dir[256];
static int g_serial;

typedef struct fx {
    ra_store *s;
    char url[1100];
    ra_store_actor actor;
    uint8_t key[RA_STORE_KEY_BYTES];
    ra_store_checkpoint cp; /* taken when the book is built */
} fx;

static void must(ra_status rc, const ra_err *err)
{
    if (rc != RA_OK)
        fail_msg("status %s: %s [%s]", ra_status_name(rc), err->msg, err->where);
}
#define OK(expr) must((expr), &err)

static ra_date D(int y, int m, int d) { return ra_date_from_ymd(y, m, d); }

/* Every table emptied (PostgreSQL: one database for the suite). */
static void reset_pg(const char *url)
{
    ra_store *s = NULL;
    ra_err err = {0};
    OK(ra_store_open(url, NULL, &s, &err));
    OK(ra_store_exec_raw(s, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;", &err));
    ra_store_close(s);
}

static void put_security(fx *f, const char *ticker, const char *cls, int risk)
{
    ra_err err = {0};
    ra_security x;
    memset(&x, 0, sizeof x);
    snprintf(x.ticker, sizeof x.ticker, "%s", ticker);
    snprintf(x.name, sizeof x.name, "%s fund", ticker);
    snprintf(x.asset_class, sizeof x.asset_class, "%s", cls);
    snprintf(x.currency, sizeof x.currency, "USD");
    snprintf(x.tlh_group, sizeof x.tlh_group, "G-%s", ticker);
    x.risk_level = risk;
    x.expense_ratio = 0.0003;
    x.lot_size = 1;
    x.on_shelf = 1;
    OK(ra_store_security_put(f->s, &f->actor, &x, &err));
}

static void put_client(fx *f, const char *code, const char *household)
{
    ra_err err = {0};
    ra_client c;
    memset(&c, 0, sizeof c);
    snprintf(c.code, sizeof c.code, "%s", code);
    snprintf(c.household, sizeof c.household, "%s", household);
    snprintf(c.advisor, sizeof c.advisor, "ADV1");
    snprintf(c.name, sizeof c.name, "Client %s", code);
    c.birth_year = 1970;
    OK(ra_store_client_put(f->s, &f->actor, &c, &err));
}

static void put_account(fx *f, const char *code, const char *client, double drift)
{
    ra_err err = {0};
    ra_account a;
    memset(&a, 0, sizeof a);
    snprintf(a.code, sizeof a.code, "%s", code);
    snprintf(a.client, sizeof a.client, "%s", client);
    a.type = RA_ACCOUNT_TAXABLE;
    snprintf(a.currency, sizeof a.currency, "USD");
    a.opened = D(2021, 1, 4);
    snprintf(a.mandate.model, sizeof a.mandate.model, "M1");
    a.mandate.discretionary = 1;
    a.mandate.drift_band = drift;
    a.mandate.loss_limit = 0.10;
    OK(ra_store_account_put(f->s, &f->actor, &a, &err));
}

static ra_store_txn txn(const char *ext, ra_txn_kind kind, ra_date date, const char *ticker,
                        ra_micro qty, ra_price price, ra_minor amount)
{
    ra_store_txn t;
    memset(&t, 0, sizeof t);
    snprintf(t.account, sizeof t.account, "A1");
    snprintf(t.external_id, sizeof t.external_id, "%s", ext);
    t.kind = kind;
    t.date = date;
    snprintf(t.ticker, sizeof t.ticker, "%s", ticker);
    t.qty_micro = qty;
    t.price = price;
    t.amount_minor = amount;
    return t;
}

static void put_model(fx *f, const char *code, double w_spy)
{
    ra_err err = {0};
    ra_model m;
    memset(&m, 0, sizeof m);
    snprintf(m.code, sizeof m.code, "%s", code);
    snprintf(m.method, sizeof m.method, "manual");
    m.expected_return = NAN;
    m.volatility = NAN;
    size_t k = 0;
    if (w_spy > 0) {
        snprintf(m.w[k].ticker, sizeof m.w[k].ticker, "SPY");
        m.w[k++].weight = w_spy;
    }
    snprintf(m.w[k].ticker, sizeof m.w[k].ticker, "AGG");
    m.w[k++].weight = 1.0 - w_spy;
    m.n = k;
    OK(ra_models_put(f->s, &f->actor, &m, NULL, NULL, &err));
}

/* The onboarded example client (C100001: a C5 profile, two accounts with their agents). */
static void onboard_example(fx *f)
{
    ra_err err = {0};
    char *qdoc = NULL, *data = NULL;
    size_t qsize = 0, size = 0;
    ra_prof_questionnaire *q = NULL;
    ra_onboard_doc *doc = NULL;
    ra_prof_answers *ans = NULL;
    OK(ra_file_read(QUESTIONNAIRE, RA_PROF_MAX_DOC, &qdoc, &qsize, &err));
    OK(ra_prof_questionnaire_parse(qdoc, qsize, &q, &err));
    OK(ra_store_questionnaire_put(f->s, &f->actor, qdoc, qsize, NULL, &err));
    OK(ra_file_read(EXAMPLE_EN, RA_PROF_MAX_DOC, &data, &size, &err));
    OK(ra_onboard_doc_parse(data, size, &doc, &err));
    OK(ra_prof_answers_parse(q, doc->answers, doc->answers_size, &ans, &err));
    size_t li = 0;
    OK(ra_prof_lang_find(q, doc->lang, &li, &err));
    ra_onboard_result res;
    OK(ra_onboard_apply(f->s, &f->actor, doc, q, ans, li, D(2021, 1, 4), &res, &err));
    ra_stored_profile p;
    OK(ra_store_profile_current(f->s, "F1", "C100001", &p, &err));
    assert_int_equal(p.level, 5); /* the edit below lowers it to C1 */
    ra_prof_answers_destroy(ans);
    ra_onboard_doc_destroy(doc);
    ra_prof_questionnaire_destroy(q);
    free(data);
    free(qdoc);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    ra_err err = {0};
    if (g_pg) {
        snprintf(f->url, sizeof f->url, "%s", g_url);
        reset_pg(f->url);
    } else {
        snprintf(f->url, sizeof f->url, "%s/tamper%d.db", g_dir, ++g_serial);
    }
    OK(ra_store_open(f->url, NULL, &f->s, &err));
    OK(ra_store_init(f->s, &err));
    snprintf(f->actor.user, sizeof f->actor.user, "tester");
    snprintf(f->actor.firm, sizeof f->actor.firm, "F1");
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        f->key[i] = (uint8_t)(i * 11 + 2);
    OK(ra_store_set_firm_key(f->s, "F1", f->key, &err));
    ra_firm firm = {"F1", "First Firm", "USD", 2};
    OK(ra_store_firm_put(f->s, &f->actor, &firm, &err));
    put_security(f, "SPY", "us_equity", 4);
    put_security(f, "AGG", "us_bond", 2);
    onboard_example(f);
    ra_advisor adv = {"ADV1", "Ann Adviser", "ann@example.org"};
    OK(ra_store_advisor_put(f->s, &f->actor, &adv, &err));
    put_client(f, "C1", "H-C1");
    put_client(f, "C2", "H-C2");
    put_client(f, "C3", "H-C3"); /* no accounts: the one deleted below */
    put_model(f, "M1", 0.6);
    put_model(f, "M2", 0.0);
    put_account(f, "A1", "C1", 0.05);
    put_account(f, "A2", "C2", 0.05);
    put_account(f, "A1", "C1", 0.04); /* a mandate change */
    ra_store_txn t[4] = {
        txn("T1", RA_TXN_DEPOSIT, D(2021, 1, 4), "", 0, 0, 1000000),
        txn("T2", RA_TXN_BUY, D(2021, 1, 5), "SPY", 10000000, 370000000, 0),
        txn("T3", RA_TXN_BUY, D(2021, 1, 5), "AGG", 5000000, 117000000, 0),
        txn("T4", RA_TXN_WITHDRAWAL, D(2021, 1, 6), "", 0, 0, 1000),
    };
    OK(ra_store_txn_append(f->s, &f->actor, t, 4, NULL, &err));
    ra_price_obs px[4] = {{"SPY", 0, 371000000}, {"AGG", 0, 117500000},
                          {"SPY", 0, 372000000}, {"AGG", 0, 117400000}};
    px[0].date = px[1].date = D(2021, 1, 5);
    px[2].date = px[3].date = D(2021, 1, 6);
    OK(ra_store_prices_put(f->s, &f->actor, px, 4, 0, NULL, &err));
    ra_dividend dv = {"SPY", 0, 1500000};
    dv.ex_date = D(2021, 3, 19);
    OK(ra_store_dividends_put(f->s, &f->actor, &dv, 1, 0, NULL, &err));
    ra_split sp = {"AGG", 0, {2, 1}};
    sp.date = D(2021, 6, 1);
    OK(ra_store_splits_put(f->s, &f->actor, &sp, 1, 0, NULL, &err));
    /* an assignment needs the client's stored profile: the onboarded client's (C5) account */
    OK(ra_models_assign(f->s, &f->actor, "A100001-1", "M1", 0, D(2021, 1, 6), 0, NULL, NULL,
                        &err));
    /* the built book verifies: chain, state, checkpoint */
    uint64_t n = 0, bad = 0;
    OK(ra_store_audit_verify(f->s, &n, &bad, &err));
    assert_true(n >= 20);
    OK(ra_store_check(f->s, NULL, &err));
    OK(ra_store_audit_checkpoint(f->s, "F1", &f->cp, &err));
    assert_int_equal(f->cp.seq, n);
    OK(ra_store_audit_verify_checkpoint(f->s, &f->cp, NULL, NULL, &err));
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

/* Whether the store notices what sql did: audit verify (with the checkpoint when cp) or check.
 * The edit is made in a transaction rolled back afterwards; the book then verifies again. */
typedef void (*edit_fn)(fx *f);

static int detected(fx *f, const char *sql, edit_fn fn, int use_cp, char *why, size_t cap)
{
    ra_err err = {0};
    OK(ra_store_exec_raw(f->s, "BEGIN", &err));
    if (sql)
        OK(ra_store_exec_raw(f->s, sql, &err));
    if (fn)
        fn(f);
    ra_err e = {0};
    ra_status rc = use_cp ? ra_store_audit_verify_checkpoint(f->s, &f->cp, NULL, NULL, &e)
                          : ra_store_audit_verify(f->s, NULL, NULL, &e);
    if (rc == RA_OK && !use_cp) {
        (void)ra_store_exec_raw(f->s, "ROLLBACK; BEGIN", &err); /* a failed query aborts on pg */
        if (sql)
            OK(ra_store_exec_raw(f->s, sql, &err));
        if (fn)
            fn(f);
        rc = ra_store_check(f->s, NULL, &e);
    }
    snprintf(why, cap, "%s%s%s", e.where, e.where[0] ? ": " : "", e.msg);
    OK(ra_store_exec_raw(f->s, "ROLLBACK", &err));
    OK(ra_store_audit_verify(f->s, NULL, NULL, &err)); /* restored */
    return rc == RA_ECONFLICT;
}

/* --- 27 edits of business tables --------------------------------------------------------- */

#define ACC(code) "(SELECT id FROM accounts WHERE code = '" code "')"

static const struct {
    const char *name, *sql;
} g_edits[] = {
    {"account moved to another client",
     "UPDATE accounts SET client_id = (SELECT id FROM clients WHERE code = 'C2') "
     "WHERE code = 'A1'"},
    {"account deleted with its lots and transactions",
     "DELETE FROM lots WHERE account_id = " ACC("A1") "; DELETE FROM txns WHERE account_id = "
     ACC("A1") "; DELETE FROM model_assignments WHERE account_id = " ACC("A1") "; "
     "DELETE FROM mandates WHERE account_id = " ACC("A1") "; "
     "DELETE FROM accounts WHERE code = 'A1'"},
    {"risk profile changed from C5 to C1", "UPDATE profiles SET level = 1 WHERE level = 5"},
    {"mandate's model changed", "UPDATE accounts SET model = 'M2' WHERE code = 'A1'"},
    {"mandate's loss limit changed", "UPDATE accounts SET loss_limit = 0.15 WHERE code = 'A1'"},
    {"security's risk level changed", "UPDATE securities SET risk_level = 1 WHERE ticker = 'SPY'"},
    {"prices multiplied by ten", "UPDATE prices SET price = price * 10"},
    {"consistent fake deposit (transaction and cash)",
     "INSERT INTO txns (account_id, seq, external_id, kind, day, security_id, qty_micro, price, "
     "amount_minor, fees_minor, relief, split_num, split_den, detail) SELECT id, n_txns + 1, "
     "'FAKE', 1, 18700, NULL, 0, 0, 50000, 0, 0, 0, 0, '' FROM accounts WHERE code = 'A1'; "
     "UPDATE accounts SET cash_minor = cash_minor + 50000, cash_in_minor = cash_in_minor + "
     "50000, n_txns = n_txns + 1 WHERE code = 'A1'"},
    {"client's household and advisor changed",
     "UPDATE clients SET household_id = (SELECT id FROM households WHERE code = 'H-C2'), "
     "advisor_id = NULL WHERE code = 'C1'"},
    {"client deleted (with its data key, 0021)",
     "DELETE FROM client_keys WHERE client_id = (SELECT id FROM clients WHERE code = 'C3'); "
     "DELETE FROM clients WHERE code = 'C3'"},
    {"lot quantity changed",
     "UPDATE lots SET qty_micro = qty_micro + 1 WHERE account_id = " ACC("A1")},
    {"lot cost changed",
     "UPDATE lots SET basis_minor = basis_minor + 100 WHERE account_id = " ACC("A1")},
    {"transaction amount changed",
     "UPDATE txns SET amount_minor = amount_minor + 1 WHERE external_id = 'T4'"},
    {"transaction deleted", "DELETE FROM txns WHERE external_id = 'T4'"},
    {"dividend amount changed", "UPDATE dividends SET amount = amount + 1"},
    {"split ratio changed", "UPDATE splits SET num = 3"},
    {"security's asset class changed",
     "UPDATE securities SET asset_class = 'cash' WHERE ticker = 'SPY'"},
    {"security's tax-loss-harvesting group changed",
     "UPDATE securities SET tlh_group = 'G-AGG' WHERE ticker = 'SPY'"},
    {"model weights changed", "UPDATE model_weights SET weight = weight / 2"},
    {"model assignment changed",
     "UPDATE model_assignments SET model_id = (SELECT id FROM models WHERE code = 'M2')"},
    {"agent parameters changed", "UPDATE mandates SET cash_reserve = 0.5 WHERE risk_level > 0"},
    {"mandate's relief changed", "UPDATE mandates SET relief = 1 WHERE account_id = " ACC("A1")},
    {"mandate's buy-only flag changed in an old version",
     "UPDATE mandates SET buy_only = 1 WHERE version = 1 AND account_id = " ACC("A1")},
    {"a mandate version deleted",
     "DELETE FROM mandates WHERE version = 1 AND account_id = " ACC("A1")},
    {"advisor changed", "UPDATE advisors SET email_enc = name_enc WHERE code = 'ADV1'"},
    {"a client's wrapped data key swapped for another's (0021)",
     "UPDATE client_keys SET wrapped = (SELECT k.wrapped FROM client_keys k JOIN clients c ON "
     "c.id = k.client_id WHERE c.code = 'C2') WHERE client_id = (SELECT id FROM clients WHERE "
     "code = 'C1')"},
    {"firm currency changed", "UPDATE firms SET currency = 'EUR'"},
};
#define N_EDITS (sizeof g_edits / sizeof g_edits[0])

static void test_tamper_business_table_edits_detected(void **state)
{
    fx *f = *state;
    size_t hits = 0;
    for (size_t i = 0; i < N_EDITS; i++) {
        char why[512];
        if (detected(f, g_edits[i].sql, NULL, 0, why, sizeof why)) {
            hits++;
            if (getenv("RA_TEST_VERBOSE"))
                print_message("%s: %s\n", g_edits[i].name, why);
        }
        else
            print_message("NOT DETECTED: %s\n", g_edits[i].name);
    }
    assert_int_equal(N_EDITS, 27);
    assert_int_equal(hits, 27);
}

/* --- 8 attacks on the audit log ------------------------------------------------------------ */

/* Rechains the log from record `from` on with key (NULL: the unkeyed hash anyone can compute)
 * and rewrites the head: what a forger does after editing records. */
static void rechain(fx *f, const uint8_t *key, int64_t from, int legacy)
{
    ra_err err = {0};
    ra_db *db = ra_store_db(f->s);
    const ra_db_ops *o = db->ops;
    ra_db_stmt *st = NULL;
    OK(o->prepare(db, "SELECT seq, at, user_name, firm, action, entity, entity_id, before_json, "
                      "after_json, state, hash FROM audit_log ORDER BY seq", &st, &err));
    typedef struct {
        int64_t seq;
        char hash[65], prev[65];
    } rec;
    rec *v = calloc(4096, sizeof *v);
    size_t n = 0;
    char prev[65] = "0000000000000000000000000000000000000000000000000000000000000000";
    while (o->step(st, &err) == RA_DB_ROW && n < 4096) {
        rec *r = &v[n++];
        r->seq = o->col_int64(st, 0);
        memcpy(r->prev, prev, 65);
        if (r->seq < from) {
            snprintf(r->hash, 65, "%s", o->col_text(st, 10)); /* kept */
        } else {
            rs_audit_hash(key, prev, r->seq, o->col_int64(st, 1), o->col_text(st, 2),
                          o->col_text(st, 3), o->col_text(st, 4), o->col_text(st, 5),
                          o->col_text(st, 6), o->col_text(st, 7), o->col_text(st, 8),
                          legacy ? NULL : o->col_text(st, 9), r->hash);
        }
        memcpy(prev, r->hash, 65);
    }
    o->finalize(st);
    for (size_t i = 0; i < n; i++) {
        if (v[i].seq < from)
            continue;
        char sql[300];
        snprintf(sql, sizeof sql, "UPDATE audit_log SET prev_hash = '%s', hash = '%s' WHERE "
                 "seq = %lld", v[i].prev, v[i].hash, (long long)v[i].seq);
        OK(ra_store_exec_raw(f->s, sql, &err));
    }
    char sql[200];
    snprintf(sql, sizeof sql, "UPDATE audit_head SET seq = %lld, hash = '%s'",
             (long long)(n ? v[n - 1].seq : 0), prev);
    OK(ra_store_exec_raw(f->s, sql, &err));
    free(v);
}

static void edit_and_rechain_unkeyed(fx *f)
{
    ra_err err = {0};
    OK(ra_store_exec_raw(f->s, "UPDATE audit_log SET after_json = replace(after_json, "
                               "'\"risk_level\":4', '\"risk_level\":1') WHERE entity = "
                               "'security'; UPDATE securities SET risk_level = 1 WHERE "
                               "ticker = 'SPY'", &err));
    rechain(f, NULL, 1, 0);
}

static void forged_chain(fx *f)
{
    ra_err err = {0};
    uint8_t forger[RA_STORE_KEY_BYTES];
    memset(forger, 0x5a, sizeof forger);
    OK(ra_store_exec_raw(f->s, "DELETE FROM audit_log WHERE seq > 3", &err));
    rechain(f, forger, 1, 0);
}

static const struct {
    const char *name, *sql;
    edit_fn fn;
} g_attacks[] = {
    {"log wiped and head reset",
     "DELETE FROM audit_log; UPDATE audit_head SET seq = 0, hash = "
     "'0000000000000000000000000000000000000000000000000000000000000000'", NULL},
    {"tail truncated with the head rewritten",
     "DELETE FROM audit_log WHERE seq > (SELECT seq - 3 FROM audit_head); "
     "UPDATE audit_head SET seq = seq - 3, hash = (SELECT hash FROM audit_log WHERE seq = "
     "(SELECT seq - 3 FROM audit_head))", NULL},
    {"a record edited", "UPDATE audit_log SET after_json = after_json || ' ' WHERE seq = 5", NULL},
    {"a record inserted",
     "INSERT INTO audit_log SELECT seq + 1, at, user_name, firm, action, entity, entity_id, "
     "before_json, after_json, hash, hash, state FROM audit_log WHERE seq = "
     "(SELECT seq FROM audit_head); UPDATE audit_head SET seq = seq + 1", NULL},
    {"two records swapped",
     "UPDATE audit_log SET seq = -1 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4; "
     "UPDATE audit_log SET seq = 4 WHERE seq = -1", NULL},
    {"a middle record deleted", "DELETE FROM audit_log WHERE seq = 6", NULL},
    {"a record edited and the chain rehashed unkeyed", NULL, edit_and_rechain_unkeyed},
    {"the whole chain replaced by a forged one", NULL, forged_chain},
};
#define N_ATTACKS (sizeof g_attacks / sizeof g_attacks[0])

static void test_tamper_audit_log_attacks_detected(void **state)
{
    fx *f = *state;
    size_t hits = 0, hits_cp = 0;
    for (size_t i = 0; i < N_ATTACKS; i++) {
        char why[512];
        if (detected(f, g_attacks[i].sql, g_attacks[i].fn, 0, why, sizeof why)) {
            hits++;
            if (getenv("RA_TEST_VERBOSE"))
                print_message("%s: %s\n", g_attacks[i].name, why);
        }
        else
            print_message("NOT DETECTED: %s\n", g_attacks[i].name);
        if (detected(f, g_attacks[i].sql, g_attacks[i].fn, 1, why, sizeof why))
            hits_cp++;
        else
            print_message("NOT DETECTED with the checkpoint: %s\n", g_attacks[i].name);
    }
    assert_int_equal(N_ATTACKS, 8);
    assert_int_equal(hits, 8);
    assert_int_equal(hits_cp, 8);
}

/* State verification names the first row that differs. */
static void test_tamper_state_names_the_row(void **state)
{
    fx *f = *state;
    char why[512];
    assert_true(detected(f, "UPDATE accounts SET loss_limit = 0.15 WHERE code = 'A1'", NULL, 0,
                         why, sizeof why));
    assert_non_null(strstr(why, "accounts"));
    assert_non_null(strstr(why, "A1"));
}

/* A book created before schema 5: its records unkeyed, without state images. Its rows then have
 * no audit record until the book is sealed; after the seal it verifies, and an edit is caught. */
static void test_tamper_legacy_book_sealed(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    OK(ra_store_exec_raw(f->s, "UPDATE audit_log SET state = ''", &err));
    rechain(f, NULL, 1, 1);
    OK(ra_store_exec_raw(f->s, "UPDATE audit_head SET keyed_from = seq + 1", &err));
    uint64_t n = 0, bad = 0;
    assert_int_equal(ra_store_audit_verify(f->s, &n, &bad, &err), RA_ECONFLICT);
    assert_non_null(strstr(err.msg, "no audit record"));
    assert_int_equal(bad, 0); /* the chain itself is intact */
    uint64_t groups = 0;
    OK(ra_store_audit_seal(f->s, &f->actor, &groups, &err));
    assert_true(groups >= 20);
    OK(ra_store_audit_verify(f->s, &n, &bad, &err));
    char why[512];
    assert_true(detected(f, "UPDATE accounts SET loss_limit = 0.15 WHERE code = 'A1'", NULL, 0,
                         why, sizeof why));
    assert_true(detected(f, "UPDATE audit_log SET after_json = after_json || ' ' WHERE seq = 2",
                         NULL, 0, why, sizeof why)); /* legacy records are still chained */
}

/* A checkpoint survives its text form; an altered one, or one of another key, is refused. */
static void test_tamper_checkpoint_text_and_mac(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    char text[RA_STORE_CHECKPOINT_MAX];
    OK(ra_store_checkpoint_format(&f->cp, text, &err));
    ra_store_checkpoint back;
    OK(ra_store_checkpoint_parse(text, strlen(text), &back, &err));
    assert_int_equal(back.seq, f->cp.seq);
    assert_string_equal(back.head, f->cp.head);
    assert_string_equal(back.mac, f->cp.mac);
    OK(ra_store_audit_verify_checkpoint(f->s, &back, NULL, NULL, &err));
    back.seq--; /* a forged older checkpoint: its MAC no longer matches */
    assert_int_equal(ra_store_audit_verify_checkpoint(f->s, &back, NULL, NULL, &err),
                     RA_ECONFLICT);
    assert_int_equal(ra_store_checkpoint_parse("{\"seq\": 1}", 10, &back, &err), RA_EPARSE);
    assert_int_equal(ra_store_checkpoint_parse("not json", 8, &back, &err), RA_EPARSE);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_tamper_business_table_edits_detected, setup, teardown),
    cmocka_unit_test_setup_teardown(test_tamper_audit_log_attacks_detected, setup, teardown),
    cmocka_unit_test_setup_teardown(test_tamper_state_names_the_row, setup, teardown),
    cmocka_unit_test_setup_teardown(test_tamper_checkpoint_text_and_mac, setup, teardown),
    cmocka_unit_test_setup_teardown(test_tamper_legacy_book_sealed, setup, teardown),
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
                fprintf(stderr, "test_tamper: could not read the PostgreSQL URL from %s\n",
                        argv[2] + 1);
                return 1;
            }
            fclose(fp);
            g_url[strcspn(g_url, "\r\n")] = 0;
        } else {
            printf("test_tamper: ROBOADVISOR_TEST_PG is not set: PostgreSQL cases skipped\n");
            return 77;
        }
        g_pg = 1;
        return cmocka_run_group_tests_name("tamper_pg", tests, NULL, NULL);
    }
    snprintf(g_dir, sizeof g_dir, "/tmp/ra_test_tamper_XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    int rc = cmocka_run_group_tests_name("tamper_sqlite", tests, NULL, NULL);
    rmdir(g_dir);
    return rc;
}
