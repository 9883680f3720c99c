/* A client's saved goal plans (issue 15; include/roboadvisor/store_plans.h, 0026_client_plans.sql):
 * a plan saved reads back field for field (inputs, probability, every percentile row), is
 * audited and imaged (audit verify and check clean), gets the next code of the firm, lists by
 * client with a cursor, is another firm's "not found", and its label is encrypted under the
 * client's data key: not in the database as text, unreadable once the client is erased while the
 * plan's figures stay. The figures here are arbitrary distinct numbers (a round trip: what was
 * written is read); the plan's computation is tested in test_plan.c and tests/cli/test_plan.sh.
 * Runs on SQLite (`test_plans_store sqlite`) and PostgreSQL (`... pg @FILE`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"
#include "roboadvisor/store.h"
#include "roboadvisor/store_plans.h"
#include "store/store_int.h"
#include "ra_test_db.h"

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
 * 20 (under the firm's key), then the book upgraded without re-encrypting them. */
static fx *book_at(int32_t upto)
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
    if (upto)
        OK(ra_store_init(f->s, &err));
    return f;
}

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
    OK(ra_store_plan_save(f->s, &f->actor, &p1, &err));
    OK(ra_store_plan_save(f->s, &f->actor, &p2, &err));
    OK(ra_store_plan_save(f->s, &f->actor, &p3, &err));
    assert_string_equal(p1.code, "PL00000001");
    assert_string_equal(p3.code, "PL00000003");
    assert_string_equal(p1.user, "tester");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE entity = 'plan' AND "
                              "action = 'create'"), 3);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log"), records + 3);
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

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_plan_label_needs_data_key),
    cmocka_unit_test(test_plan_round_trip_list_and_scope),
    cmocka_unit_test(test_plan_label_erased_with_client),
};

int main(int argc, char **argv)
{
    return ra_tdb_main(argc, argv, "test_plans_store", tests, sizeof tests / sizeof tests[0]);
}
