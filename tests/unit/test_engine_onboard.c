/* Tests of the whole onboarding of one document (include/roboadvisor/engine_onboard.h,
 * ra_onboard_document in src/engine/onboard.c): issue 10 "onboard that fails stores nothing".
 * Before the fix the questionnaire was stored (with its audit record) before anything else was
 * checked, so a document failing later left it behind. Each failing case here fingerprints every
 * table of the database (row counts of all of them, audit_log and audit_head included) before and
 * after and expects no difference. Run on SQLite (a temporary file per case) and PostgreSQL
 * (`test_engine_onboard pg @FILE` or ROBOADVISOR_TEST_PG). Inputs: examples/onboard/client_en.json
 * and examples/questionnaire/default.json, edited per case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <roboadvisor/csv.h>
#include <roboadvisor/engine_onboard.h>
#include <roboadvisor/onboard_io.h>
#include <roboadvisor/prof_io.h>

#include "ra_test.h"
#include "ra_test_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QUESTIONNAIRE RA_GOLDEN_DIR "/../../examples/questionnaire/default.json"
#define EXAMPLE_EN RA_GOLDEN_DIR "/../../examples/onboard/client_en.json"


typedef struct fx {
    ra_store *s;
    char url[1100];
    ra_store_actor actor;
    char *qdoc, *cdoc;
    size_t qsize, csize;
} fx;

#define OK(expr) ra_tdb_must((expr), &err)

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    ra_err err = {0};
    uint8_t key[RA_STORE_KEY_BYTES];
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        key[i] = (uint8_t)(i * 7 + 1);
    f->s = ra_tdb_open_firm(f->url, sizeof f->url, key, &f->actor);
    /* another client with an account, for the "account of another client" case */
    ra_client c;
    memset(&c, 0, sizeof c);
    snprintf(c.code, sizeof c.code, "C9");
    snprintf(c.household, sizeof c.household, "H9");
    snprintf(c.name, sizeof c.name, "Other Client");
    OK(ra_store_client_put(f->s, &f->actor, &c, &err));
    ra_account a;
    memset(&a, 0, sizeof a);
    snprintf(a.code, sizeof a.code, "A900");
    snprintf(a.client, sizeof a.client, "C9");
    snprintf(a.currency, sizeof a.currency, "USD");
    a.opened = 19000;
    a.mandate.discretionary = 1;
    a.mandate.drift_band = 0.05;
    a.mandate.loss_limit = 0.10;
    OK(ra_store_account_put(f->s, &f->actor, &a, &err));
    OK(ra_file_read(QUESTIONNAIRE, RA_PROF_MAX_DOC, &f->qdoc, &f->qsize, &err));
    OK(ra_file_read(EXAMPLE_EN, RA_PROF_MAX_DOC, &f->cdoc, &f->csize, &err));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    ra_store_close(f->s);
    ra_tdb_remove(f->url);
    free(f->qdoc);
    free(f->cdoc);
    free(f);
    return 0;
}

/* "table=rows;..." for every table of the database, in name order, and the audit head. */
static void fingerprint(fx *f, char *out, size_t size, size_t *n_tables)
{
    ra_err err = {0};
    ra_db *db = ra_store_db(f->s);
    const ra_db_ops *ops = db->ops;
    const char *list_sql = ra_tdb_pg ? "SELECT table_name FROM information_schema.tables WHERE "
                                  "table_schema = 'public' ORDER BY table_name"
                                : "SELECT name FROM sqlite_master WHERE type = 'table' AND name "
                                  "NOT LIKE 'sqlite_%' ORDER BY name";
    ra_db_stmt *st = NULL;
    OK(ops->prepare(db, list_sql, &st, &err));
    char names[64][64];
    size_t n = 0;
    while (ops->step(st, &err) == RA_DB_ROW && n < 64)
        snprintf(names[n++], sizeof names[0], "%s", ops->col_text(st, 0));
    ops->finalize(st);
    size_t o = 0;
    out[0] = 0;
    for (size_t i = 0; i < n; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %.63s", names[i]);
        OK(ops->prepare(db, sql, &st, &err));
        assert_int_equal(ops->step(st, &err), RA_DB_ROW);
        o += (size_t)snprintf(out + o, size - o, "%s=%lld;", names[i],
                              (long long)ops->col_int64(st, 0));
        ops->finalize(st);
    }
    OK(ops->prepare(db, "SELECT seq, hash FROM audit_head", &st, &err));
    assert_int_equal(ops->step(st, &err), RA_DB_ROW);
    snprintf(out + o, size - o, "head=%lld:%s", (long long)ops->col_int64(st, 0),
             ops->col_text(st, 1));
    ops->finalize(st);
    *n_tables = n;
}

/* text with the first `from` replaced by `to` (malloc'd). */
static char *edited(const char *text, const char *from, const char *to)
{
    const char *p = strstr(text, from);
    assert_non_null(p);
    size_t a = (size_t)(p - text), lf = strlen(from), lt = strlen(to), n = strlen(text);
    char *r = malloc(n - lf + lt + 1);
    memcpy(r, text, a);
    memcpy(r + a, to, lt);
    memcpy(r + a + lt, p + lf, n - a - lf + 1);
    return r;
}

/* Onboards the client document text (with the questionnaire text q, or the stored one when q is
 * NULL) and expects code, with nothing written. Returns 1 (a check made). */
static int expect_nothing_written(fx *f, const char *client_text, const char *q, const char *lang,
                                  ra_status code)
{
    ra_err err = {0};
    char before[4096], after[4096];
    size_t nt = 0;
    fingerprint(f, before, sizeof before, &nt);
    assert_true(nt >= 20); /* every table of the three migrations */
    ra_onboard_doc *doc = NULL;
    OK(ra_onboard_doc_parse(client_text, strlen(client_text), &doc, &err));
    ra_onboard_request rq = {doc, q, q ? strlen(q) : 0, "default.json", lang, 19700, 1};
    ra_onboard_outcome out;
    ra_status rc = ra_onboard_document(f->s, &f->actor, &rq, &out, &err);
    ra_onboard_doc_destroy(doc);
    if (rc != code)
        fail_msg("status %s, want %s: %s [%s]", ra_status_name(rc), ra_status_name(code), err.msg,
                 err.where);
    assert_null(out.questionnaire);
    fingerprint(f, after, sizeof after, &nt);
    assert_string_equal(after, before);
    return 1;
}

static void test_onboard_document_failures_store_nothing(void **state)
{
    fx *f = *state;
    int checks = 0;
    /* the answers are for version 2, the questionnaire given is version 1 */
    char *c = edited(f->cdoc, "\"version\": 1", "\"version\": 2");
    checks += expect_nothing_written(f, c, f->qdoc, NULL, RA_EINVAL);
    /* ... and without a questionnaire, version 2 is not stored */
    checks += expect_nothing_written(f, c, NULL, NULL, RA_ENOTFOUND);
    free(c);
    /* an answer the questionnaire does not have (the reproduction: the questionnaire and its
     * audit record were stored before the answers were read) */
    c = edited(f->cdoc, "h-gt10", "h-never");
    checks += expect_nothing_written(f, c, f->qdoc, NULL, RA_EPARSE);
    free(c);
    /* a number out of range */
    c = edited(f->cdoc, "\"value\": 30", "\"value\": 300");
    checks += expect_nothing_written(f, c, f->qdoc, NULL, RA_EPARSE);
    free(c);
    /* an account of another client: the client, the other account, the questionnaire and the
     * answers were all written before the account was refused */
    c = edited(f->cdoc, "A100001-2", "A900");
    checks += expect_nothing_written(f, c, f->qdoc, NULL, RA_ECONFLICT);
    free(c);
    /* a language the questionnaire does not have */
    checks += expect_nothing_written(f, f->cdoc, f->qdoc, "fr", RA_ENOTFOUND);
    /* a questionnaire document that is not one */
    checks += expect_nothing_written(f, f->cdoc, "{\"id\": \"ra-default\"}", NULL, RA_EPARSE);
    assert_int_equal(checks, 7);
}

static void test_onboard_document_success_writes_all(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    char before[4096], after[4096];
    size_t nt = 0;
    fingerprint(f, before, sizeof before, &nt);
    ra_onboard_doc *doc = NULL;
    OK(ra_onboard_doc_parse(f->cdoc, f->csize, &doc, &err));
    ra_onboard_request rq = {doc, f->qdoc, f->qsize, "default.json", NULL, 19700, 1};
    ra_onboard_outcome out;
    OK(ra_onboard_document(f->s, &f->actor, &rq, &out, &err));
    assert_int_equal(out.result.client_created, 1);
    assert_int_equal(out.result.n_accounts, 2);
    assert_non_null(out.questionnaire);
    /* no model is stored: each proposal says so */
    assert_int_equal(out.proposal[0].have_model, 0);
    assert_non_null(strstr(out.proposal[0].note, "models build"));
    ra_onboard_outcome_free(&out);
    fingerprint(f, after, sizeof after, &nt);
    assert_string_not_equal(after, before);
    ra_account a;
    OK(ra_store_account_get(f->s, "F1", "A100001-2", &a, &err));
    /* the same document again inside the caller's transaction, rolled back by the caller */
    OK(ra_store_begin(f->s, &err));
    OK(ra_onboard_document(f->s, &f->actor, &rq, &out, &err));
    ra_onboard_outcome_free(&out);
    OK(ra_store_rollback(f->s, &err));
    fingerprint(f, before, sizeof before, &nt);
    assert_string_equal(before, after);
    ra_onboard_doc_destroy(doc);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_onboard_document_failures_store_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_onboard_document_success_writes_all, setup,
                                        teardown),
    };
    return ra_tdb_main(argc, argv, "test_engine_onboard", tests, sizeof tests / sizeof tests[0]);
}
