/* A client's saved goal plans (issue 15; include/roboadvisor/store_plans.h, 0026_client_plans.sql,
 * 0028_plan_cash_rate.sql):
 * a plan saved reads back field for field (inputs, probability, every percentile row), is
 * audited and imaged (audit verify and check clean), gets the next code of the firm, lists by
 * client with a cursor, is another firm's "not found", and its label is encrypted under the
 * client's data key: not in the database as text, unreadable once the client is erased while the
 * plan's figures stay. The figures here are arbitrary distinct numbers (a round trip: what was
 * written is read); the plan's computation is tested in test_plan.c and tests/cli/test_plan.sh.
 * The plan's mu from its model (ra_plan_client_save, src/engine/plan_client.c): a model of excess
 * returns (two-stage equilibrium or Black-Litterman) adds the firm's cash rate, exactly, and is
 * refused without one; a historical-returns model and a given mu ignore it; a book before 0028
 * reads its plans and refuses a cash rate. Runs on SQLite (`test_plans_store sqlite`) and
 * PostgreSQL (`... pg @FILE`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"
#include "roboadvisor/alloc.h"
#include "roboadvisor/engine_plan.h"
#include "roboadvisor/store.h"
#include "roboadvisor/store_plans.h"
#include "store/store_int.h"
#include "ra_test_db.h"
#include "ra_test_firm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OK(expr) ra_tdb_must((expr), &err)

typedef struct fx {
    ra_store *s;
    char url[1100];
    ra_store_actor actor;
} fx;

static void put_client(fx *f, const char *firm, const char *code, const char *name)
{
    ra_err err = {0};
    ra_store_actor a = f->actor;
    snprintf(a.firm, sizeof a.firm, "%s", firm);
    ra_client c;
    memset(&c, 0, sizeof c);
    snprintf(c.code, sizeof c.code, "%s", code);
    snprintf(c.household, sizeof c.household, "H-%s", code);
    snprintf(c.name, sizeof c.name, "%s", name);
    c.birth_year = 1970;
    OK(ra_store_client_put(f->s, &a, &c, &err));
}

static void put_firm(fx *f, const char *code, int seed)
{
    ra_err err = {0};
    uint8_t key[RA_STORE_KEY_BYTES];
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        key[i] = (uint8_t)(i * 7 + seed);
    OK(ra_store_set_firm_key(f->s, code, key, &err));
    ra_store_actor a = f->actor;
    snprintf(a.firm, sizeof a.firm, "%s", code);
    ra_firm firm = {"", "A Firm", "USD", 2};
    snprintf(firm.code, sizeof firm.code, "%s", code);
    OK(ra_store_firm_put(f->s, &a, &firm, &err));
}

/* A book with firms F1, F2 and clients C1, C2 (F1), C9 (F2); upto 20: the clients made at schema
 * 20 (under the firm's key), then the book upgraded without re-encrypting them (upgrade 0: left at
 * schema upto). */
static fx *book_up(int32_t upto, int upgrade)
{
    fx *f = calloc(1, sizeof *f);
    ra_err err = {0};
    assert_int_equal(ra_tdb_fresh(f->url, sizeof f->url), 0);
    OK(ra_store_open(f->url, NULL, &f->s, &err));
    OK(upto ? rs_store_init_to(f->s, upto, &err) : ra_store_init(f->s, &err));
    snprintf(f->actor.user, sizeof f->actor.user, "tester");
    snprintf(f->actor.firm, sizeof f->actor.firm, "F1");
    put_firm(f, "F1", 3);
    put_firm(f, "F2", 5);
    put_client(f, "F1", "C1", "Ada Lovelace");
    put_client(f, "F1", "C2", "Grace Hopper");
    put_client(f, "F2", "C9", "Emmy Noether");
    if (upto && upgrade)
        OK(ra_store_init(f->s, &err));
    return f;
}

static fx *book_at(int32_t upto) { return book_up(upto, 1); }
static fx *book(void) { return book_at(0); }

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
    assert_int_equal(bad, 0);
    OK(ra_store_check(f->s, NULL, &err));
}

static int64_t count(fx *f, const char *sql)
{
    ra_err err = {0};
    ra_db_stmt *st;
    int r = sq_query(f->s, &st, &err, sql, "");
    assert_int_equal(r, RA_DB_ROW);
    int64_t n = sq_int(f->s, st, 0);
    f->s->ops->reset(st);
    return n;
}

/* A plan of client `client` with figures derived from k (distinct per field and per plan). */
static ra_plan_rec plan(const char *client, int k, const char *label)
{
    ra_plan_rec p;
    memset(&p, 0, sizeof p);
    snprintf(p.client, sizeof p.client, "%s", client);
    snprintf(p.account, sizeof p.account, "A-%s", client);
    snprintf(p.currency, sizeof p.currency, "USD");
    p.minor_digits = 2;
    p.goal_minor = 10000000 + k;
    p.initial_minor = 2500000 + k;
    p.monthly_minor = 50000 + k;
    p.years = 3 + k;
    snprintf(p.method, sizeof p.method, "lognormal");
    snprintf(p.source, sizeof p.source, "model");
    snprintf(p.model, sizeof p.model, "R3");
    p.model_version = 2;
    p.risk_level = 3;
    p.mu = 0.0612345678901234;
    p.sigma = 0.1498765432109876;
    p.data_from = 18000;
    p.data_to = 18200 + k;
    p.as_of = 18300;
    p.paths = 10000;
    p.seed = 42 + k;
    p.probability = 0.4321;
    p.n_hits = 4321;
    p.mean_minor = 9876543;
    for (int y = 0; y < p.years; y++)
        for (int c = 0; c < RA_PLAN_N_PCT; c++)
            p.pct_minor[y][c] = 1000000LL * (y + 1) + 1000 * c + k - (y == 1 && c == 0 ? 5000000 : 0);
    snprintf(p.label, sizeof p.label, "%s", label);
    return p;
}

static void same(const ra_plan_rec *a, const ra_plan_rec *b)
{
    assert_string_equal(a->code, b->code);
    assert_string_equal(a->client, b->client);
    assert_string_equal(a->account, b->account);
    assert_string_equal(a->currency, b->currency);
    assert_int_equal(a->minor_digits, b->minor_digits);
    assert_int_equal(a->goal_minor, b->goal_minor);
    assert_int_equal(a->initial_minor, b->initial_minor);
    assert_int_equal(a->monthly_minor, b->monthly_minor);
    assert_int_equal(a->years, b->years);
    assert_string_equal(a->method, b->method);
    assert_string_equal(a->source, b->source);
    assert_string_equal(a->model, b->model);
    assert_int_equal(a->model_version, b->model_version);
    assert_int_equal(a->risk_level, b->risk_level);
    assert_true(a->mu == b->mu && a->sigma == b->sigma && a->probability == b->probability);
    assert_int_equal(a->have_cash_rate, b->have_cash_rate);
    assert_true(a->cash_rate == b->cash_rate);
    assert_int_equal(a->data_from, b->data_from);
    assert_int_equal(a->data_to, b->data_to);
    assert_int_equal(a->as_of, b->as_of);
    assert_int_equal(a->paths, b->paths);
    assert_int_equal(a->seed, b->seed);
    assert_int_equal(a->n_hits, b->n_hits);
    assert_int_equal(a->mean_minor, b->mean_minor);
    assert_memory_equal(a->pct_minor, b->pct_minor, sizeof a->pct_minor);
    assert_string_equal(a->label, b->label);
    assert_string_equal(a->user, b->user);
    assert_int_equal(a->created_at, b->created_at);
}

static void test_plan_round_trip_list_and_scope(void **state)
{
    (void)state;
    ra_err err = {0};
    fx *f = book();
    int64_t records = count(f, "SELECT COUNT(*) FROM audit_log");
    ra_plan_rec p1 = plan("C1", 1, "house by the sea"), p2 = plan("C2", 2, ""),
                p3 = plan("C1", 3, "retirement");
    /* p2 on a model of excess returns: the cash rate it added is kept (0028) */
    snprintf(p2.source, sizeof p2.source, "model+cash");
    p2.have_cash_rate = 1;
    p2.cash_rate = 0.0234567890123456;
    OK(ra_store_plan_save(f->s, &f->actor, &p1, &err));
    OK(ra_store_plan_save(f->s, &f->actor, &p2, &err));
    OK(ra_store_plan_save(f->s, &f->actor, &p3, &err));
    assert_string_equal(p1.code, "PL00000001");
    assert_string_equal(p3.code, "PL00000003");
    assert_string_equal(p1.user, "tester");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE entity = 'plan' AND "
                              "action = 'create'"), 3);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log"), records + 3);
    /* NULL for the plans without one; in p2's audit record */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM client_plans WHERE cash_rate IS NULL"), 2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE entity = 'plan' AND "
                              "after_json LIKE '%\"cash_rate\"%'"), 1);
    verify_ok(f);
    ra_plan_rec got;
    OK(ra_store_plan_get(f->s, "F1", "PL00000001", &got, &err));
    same(&got, &p1);
    assert_int_equal(got.erased, 0);
    OK(ra_store_plan_get(f->s, "F1", "PL00000002", &got, &err));
    same(&got, &p2);
    /* another firm's, or none: not found, alike */
    assert_int_equal(ra_store_plan_get(f->s, "F2", "PL00000001", &got, &err), RA_ENOTFOUND);
    assert_int_equal(ra_store_plan_get(f->s, "F1", "PL00000009", &got, &err), RA_ENOTFOUND);
    /* the client's plans in code order, a page of one after the first */
    ra_plan_rec *v = NULL;
    size_t n = 0;
    OK(ra_store_plans_list(f->s, "F1", "C1", "", 10, &v, &n, &err));
    assert_int_equal(n, 2);
    same(&v[0], &p1);
    same(&v[1], &p3);
    ra_store_free(v);
    OK(ra_store_plans_list(f->s, "F1", "C1", "PL00000001", 1, &v, &n, &err));
    assert_int_equal(n, 1);
    assert_string_equal(v[0].code, "PL00000003");
    ra_store_free(v);
    OK(ra_store_plans_list(f->s, "F2", "C1", "", 10, &v, &n, &err));
    assert_int_equal(n, 0);
    char latest[RA_PLAN_CODE_MAX];
    OK(ra_store_plan_latest(f->s, "F1", "C1", latest, &err));
    assert_string_equal(latest, "PL00000003");
    OK(ra_store_plan_latest(f->s, "F1", "NOPE", latest, &err));
    assert_string_equal(latest, "");
    /* a second firm numbers its own plans */
    ra_store_actor a2 = f->actor;
    snprintf(a2.firm, sizeof a2.firm, "F2");
    ra_plan_rec p9 = plan("C9", 4, "");
    OK(ra_store_plan_save(f->s, &a2, &p9, &err));
    assert_string_equal(p9.code, "PL00000001");
    /* a client of another firm, or none: not found; a bad field: named */
    ra_plan_rec bad = plan("C9", 5, "");
    assert_int_equal(ra_store_plan_save(f->s, &f->actor, &bad, &err), RA_ENOTFOUND);
    bad = plan("C1", 5, "");
    bad.years = 0;
    assert_int_equal(ra_store_plan_save(f->s, &f->actor, &bad, &err), RA_EINVAL);
    assert_string_equal(err.where, "years");
    /* a cash rate exactly with source model+cash */
    bad = plan("C1", 5, "");
    snprintf(bad.source, sizeof bad.source, "model+cash");
    assert_int_equal(ra_store_plan_save(f->s, &f->actor, &bad, &err), RA_EINVAL);
    assert_string_equal(err.where, "cash_rate");
    bad = plan("C1", 5, "");
    bad.have_cash_rate = 1;
    bad.cash_rate = 0.02;
    assert_int_equal(ra_store_plan_save(f->s, &f->actor, &bad, &err), RA_EINVAL);
    assert_string_equal(err.where, "cash_rate");
    verify_ok(f);
    book_free(f);
}

static void test_plan_label_erased_with_client(void **state)
{
    (void)state;
    ra_err err = {0};
    fx *f = book();
    ra_plan_rec p = plan("C1", 1, "house by the sea"), q = plan("C2", 2, "boat");
    OK(ra_store_plan_save(f->s, &f->actor, &p, &err));
    OK(ra_store_plan_save(f->s, &f->actor, &q, &err));
    /* never stored as text: neither in the plan's row nor in the audit trail */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM client_plans WHERE LENGTH(label_enc) > 0"), 2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE after_json LIKE '%by the sea%'"), 0);
    int already = 0;
    OK(ra_store_client_erase(f->s, &f->actor, "C1", &already, &err));
    ra_plan_rec got;
    OK(ra_store_plan_get(f->s, "F1", p.code, &got, &err));
    assert_int_equal(got.erased, 1);
    assert_string_equal(got.label, "");
    /* the figures stay */
    assert_int_equal(got.goal_minor, p.goal_minor);
    assert_memory_equal(got.pct_minor, p.pct_minor, sizeof p.pct_minor);
    /* the other client's label is untouched */
    OK(ra_store_plan_get(f->s, "F1", q.code, &got, &err));
    assert_string_equal(got.label, "boat");
    /* an erased client's new plan has no label */
    ra_plan_rec r = plan("C1", 3, "again");
    assert_int_equal(ra_store_plan_save(f->s, &f->actor, &r, &err), RA_ECONFLICT);
    r = plan("C1", 3, "");
    OK(ra_store_plan_save(f->s, &f->actor, &r, &err));
    verify_ok(f);
    book_free(f);
}

/* A client still under the firm's key (a book from before 0021, not re-encrypted): a label would
 * not follow its re-encryption, so it is refused; a plan without one is saved. */
static void test_plan_label_needs_data_key(void **state)
{
    (void)state;
    ra_err err = {0};
    fx *f = book_at(20);
    ra_plan_rec p = plan("C1", 1, "house");
    assert_int_equal(ra_store_plan_save(f->s, &f->actor, &p, &err), RA_ECONFLICT);
    assert_non_null(strstr(err.msg, "no data key"));
    p = plan("C1", 1, "");
    OK(ra_store_plan_save(f->s, &f->actor, &p, &err));
    size_t n = 0;
    OK(ra_store_client_keys_migrate(f->s, &f->actor, &n, &err));
    ra_plan_rec got;
    OK(ra_store_plan_get(f->s, "F1", p.code, &got, &err));
    assert_int_equal(got.goal_minor, p.goal_minor);
    p = plan("C1", 2, "house");
    OK(ra_store_plan_save(f->s, &f->actor, &p, &err));
    OK(ra_store_plan_get(f->s, "F1", p.code, &got, &err));
    assert_string_equal(got.label, "house");
    verify_ok(f);
    book_free(f);
}

/* --- the plan's mu from its model (ra_plan_client_save) --------------------------------------- */

static ra_date D(int y, int m, int d) { return ra_date_from_ymd(y, m, d); }

/* Version `ver` of model M1 (AAA w, CCC 1 - w) with this method, expected return and volatility. */
static void put_model(fx *f, const char *method, double w, double er, double vol, int ver)
{
    ra_err err = {0};
    ra_model m;
    memset(&m, 0, sizeof m);
    snprintf(m.code, sizeof m.code, "M1");
    snprintf(m.method, sizeof m.method, "%s", method);
    m.n = 2;
    snprintf(m.w[0].ticker, sizeof m.w[0].ticker, "AAA");
    m.w[0].weight = w;
    snprintf(m.w[1].ticker, sizeof m.w[1].ticker, "CCC");
    m.w[1].weight = 1 - w;
    m.expected_return = er;
    m.volatility = vol;
    int version = 0;
    OK(ra_models_put(f->s, &f->actor, &m, &version, NULL, &err));
    assert_int_equal(version, ver);
}

/* Client C1's plan on account A1: 10,000.00 at the start, nothing monthly, 2 years, 10 paths;
 * mu and sigma given when have_mu. */
static ra_status save(fx *f, int have_mu, double mu, ra_plan_rec *out, ra_err *err)
{
    ra_plan_request r;
    ra_plan_request_default(&r);
    r.client = "C1";
    r.account = "A1";
    r.goal_minor = 2000000;
    r.have_initial = 1;
    r.initial_minor = 1000000;
    r.years = 2;
    r.paths = 10;
    r.date = D(2023, 1, 4);
    r.have_mu = have_mu;
    r.mu = mu;
    r.sigma = 0;
    return ra_plan_client_save(f->s, &f->actor, &r, out, err);
}

static void set_cash_rate(fx *f, double rate)
{
    ra_err err = {0};
    ra_models_settings set;
    OK(ra_models_settings_get(f->s, "F1", &set, &err));
    set.have_cash_rate = 1;
    set.cash_rate = rate;
    OK(ra_models_settings_put(f->s, &f->actor, &set, &err));
}

/* Every figure below is exact in binary (sixty-fourths), so sums are exact, and sigma is 0: every
 * path ends at 10,000.00 x (1 + mu)^2 (the annuity of test_plan.c's zero-volatility case with no
 * contribution), rounded to the cent:
 *   excess 1/64 + cash 1/32 = 3/64 = 0.046875: 10000 x 1.046875^2 = 10959.47265625 -> 10959.47
 *   (excess alone, the defect: 10000 x 1.015625^2 = 10314.94140625 -> 10314.94)
 *   historical 0.0625 = 1/16:                  10000 x 1.0625^2   = 11289.0625     -> 11289.06
 *   given 0.078125 = 5/64:                     10000 x 1.078125^2 = 11623.53515625 -> 11623.54 */
static void test_plan_mu_adds_cash_rate_to_excess_returns(void **state)
{
    (void)state;
    ra_err err = {0};
    uint8_t key[RA_STORE_KEY_BYTES];
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        key[i] = (uint8_t)(i * 3 + 1);
    fx *f = calloc(1, sizeof *f);
    f->s = ra_tdb_open_firm(f->url, sizeof f->url, key, &f->actor);
    ra_tf_security(f->s, &f->actor, "AAA", "us_equity", "", 4);
    ra_tf_security(f->s, &f->actor, "CCC", "us_bonds", "", 2);
    put_model(f, "two-stage equilibrium ledoit-wolf", 0.6, 1.0 / 64, 0, 1);
    ra_tf_account(f->s, &f->actor, "A1", "C1", "H1", 1, 1);
    ra_tf_cash(f->s, &f->actor, "A1", "open", RA_TXN_DEPOSIT, D(2023, 1, 3), 1000000);
    ra_plan_rec *p = calloc(1, sizeof *p), *got = calloc(1, sizeof *got);

    /* no cash rate: refused, naming the account and the model and how to fix it; nothing saved */
    assert_int_equal(save(f, 0, 0, p, &err), RA_EINVAL);
    assert_string_equal(err.where, "mu");
    assert_non_null(strstr(err.msg, "account A1's model M1 v1 has returns in excess of cash"));
    assert_non_null(strstr(err.msg, "no cash rate"));
    assert_non_null(strstr(err.msg, "`roboadvisor models settings --cash-rate R`"));
    assert_non_null(strstr(err.msg, "or give mu and sigma"));
    assert_int_equal(count(f, "SELECT COUNT(*) FROM client_plans"), 0);

    /* the firm's cash rate: mu = excess + cash exactly, source model+cash, the rate kept */
    set_cash_rate(f, 1.0 / 32);
    OK(save(f, 0, 0, p, &err));
    assert_string_equal(p->source, "model+cash");
    assert_true(p->mu == 0.046875);
    assert_int_equal(p->have_cash_rate, 1);
    assert_true(p->cash_rate == 0.03125);
    assert_int_equal(p->pct_minor[1][2], 1095947);
    assert_int_equal(p->mean_minor, 1095947);
    OK(ra_store_plan_get(f->s, "F1", p->code, got, &err));
    assert_string_equal(got->source, "model+cash");
    assert_true(got->mu == 0.046875 && got->have_cash_rate && got->cash_rate == 0.03125);
    char *text = NULL;
    OK(ra_plan_rec_json(got, &text, &err));
    assert_non_null(strstr(text, "\"source\":\"model+cash\""));
    assert_non_null(strstr(text, "\"cash_rate\":0.03125"));
    ra_free(text);

    /* a Black-Litterman model's returns are excess returns too */
    put_model(f, "two-stage black-litterman resampled sample", 0.55, 1.0 / 64, 0, 2);
    OK(save(f, 0, 0, p, &err));
    assert_string_equal(p->source, "model+cash");
    assert_true(p->mu == 0.046875 && p->cash_rate == 0.03125);

    /* given mu and sigma: as given, no cash rate */
    OK(save(f, 1, 5.0 / 64, p, &err));
    assert_string_equal(p->source, "given");
    assert_true(p->mu == 0.078125);
    assert_int_equal(p->have_cash_rate, 0);
    assert_int_equal(p->pct_minor[1][2], 1162354);
    OK(ra_store_plan_get(f->s, "F1", p->code, got, &err));
    assert_int_equal(got->have_cash_rate, 0);
    OK(ra_plan_rec_json(got, &text, &err));
    assert_non_null(strstr(text, "\"cash_rate\":null"));
    ra_free(text);

    /* historical means are total returns: the cash rate is not added */
    put_model(f, "two-stage historical ledoit-wolf", 0.5, 1.0 / 16, 0, 3);
    OK(save(f, 0, 0, p, &err));
    assert_string_equal(p->source, "model");
    assert_true(p->mu == 0.0625);
    assert_int_equal(p->have_cash_rate, 0);
    assert_int_equal(p->pct_minor[1][2], 1128906);
    OK(ra_store_plan_get(f->s, "F1", p->code, got, &err));
    assert_string_equal(got->source, "model");
    assert_int_equal(got->have_cash_rate, 0);
    /* the single stage's historical means alike */
    put_model(f, "max-sharpe ledoit-wolf", 0.45, 1.0 / 16, 0, 4);
    OK(save(f, 0, 0, p, &err));
    assert_true(strcmp(p->source, "model") == 0 && p->mu == 0.0625 && !p->have_cash_rate);

    /* the rate is NULL in the plans that did not add one, and the settings read back */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM client_plans WHERE cash_rate IS NOT NULL"), 2);
    ra_models_settings set;
    OK(ra_models_settings_get(f->s, "F1", &set, &err));
    assert_true(set.have_cash_rate && set.cash_rate == 0.03125);
    /* a rate out of range (a percentage typed for a decimal) is refused and nothing changes */
    set.cash_rate = 4.2;
    assert_int_equal(ra_models_settings_put(f->s, &f->actor, &set, &err), RA_EINVAL);
    assert_string_equal(err.where, "cash_rate");
    OK(ra_models_settings_get(f->s, "F1", &set, &err));
    assert_true(set.cash_rate == 0.03125);
    /* the setting audited */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE entity = 'model_settings' AND "
                              "after_json LIKE '%\"cash_rate\":0.03125%'"), 1);
    verify_ok(f);
    free(p);
    free(got);
    book_free(f);
}

/* A book at schema 27 (before 0028): plans save and read without a cash rate; a cash rate is
 * refused, for the firm and for a plan. */
static void test_plan_before_cash_rate_schema(void **state)
{
    (void)state;
    ra_err err = {0};
    fx *f = book_up(27, 0);
    ra_plan_rec p = plan("C1", 1, "");
    OK(ra_store_plan_save(f->s, &f->actor, &p, &err));
    ra_plan_rec got;
    OK(ra_store_plan_get(f->s, "F1", p.code, &got, &err));
    same(&got, &p);
    ra_plan_rec q = plan("C1", 2, "");
    snprintf(q.source, sizeof q.source, "model+cash");
    q.have_cash_rate = 1;
    q.cash_rate = 0.02;
    assert_int_equal(ra_store_plan_save(f->s, &f->actor, &q, &err), RA_EINVAL);
    ra_models_settings set;
    OK(ra_models_settings_get(f->s, "F1", &set, &err));
    assert_int_equal(set.have_cash_rate, 0);
    set.have_cash_rate = 1;
    set.cash_rate = 0.02;
    assert_int_equal(ra_models_settings_put(f->s, &f->actor, &set, &err), RA_EINVAL);
    assert_non_null(strstr(err.msg, "migration 0028"));
    verify_ok(f);
    /* upgraded: the earlier plan reads as before, the audit trail still verifies */
    OK(ra_store_init(f->s, &err));
    OK(ra_store_plan_get(f->s, "F1", p.code, &got, &err));
    same(&got, &p);
    verify_ok(f);
    book_free(f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_plan_mu_adds_cash_rate_to_excess_returns),
    cmocka_unit_test(test_plan_before_cash_rate_schema),
    cmocka_unit_test(test_plan_label_needs_data_key),
    cmocka_unit_test(test_plan_round_trip_list_and_scope),
    cmocka_unit_test(test_plan_label_erased_with_client),
};

int main(int argc, char **argv)
{
    return ra_tdb_main(argc, argv, "test_plans_store", tests, sizeof tests / sizeof tests[0]);
}
