/* Tests of onboarding in the store (include/roboadvisor/onboard.h, src/store/store_profiles.c,
 * src/util/onboard_doc.c, src/core/agent.c). Run against SQLite (`test_onboard sqlite`, a
 * temporary file per case) and PostgreSQL (`test_onboard pg @FILE` or ROBOADVISOR_TEST_PG), like
 * test_store. Expected profiles come from the worked examples of docs/methodology.md (risk
 * profiling) and tests/unit/test_prof.c. */
#include <setjmp.h>
#include <roboadvisor/store_profiles.h>
#include <roboadvisor/onboard_io.h>
#include <roboadvisor/engine_onboard.h>
#include <roboadvisor/prof_io.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"
#include "roboadvisor/onboard.h"
#include "roboadvisor/csv.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QUESTIONNAIRE RA_GOLDEN_DIR "/../../examples/questionnaire/default.json"
#define EXAMPLE_EN RA_GOLDEN_DIR "/../../examples/onboard/client_en.json"
#define EXAMPLE_ZH RA_GOLDEN_DIR "/../../examples/onboard/client_zh.json"

static char g_url[1024];
static int g_pg;
static char g_dir[256];
static int g_serial;

typedef struct fx {
    ra_store *s;
    char url[1100];
    ra_store_actor actor;
    char *qdoc;
    size_t qsize;
    ra_prof_questionnaire *q;
} fx;

static void must(ra_status rc, const ra_err *err)
{
    if (rc != RA_OK)
        fail_msg("status %s: %s [%s]", ra_status_name(rc), err->msg, err->where);
}
#define OK(expr) must((expr), &err)

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    ra_err err = {0};
    if (g_pg) {
        snprintf(f->url, sizeof f->url, "%s", g_url);
        OK(ra_store_open(f->url, NULL, &f->s, &err));
        OK(ra_store_exec_raw(f->s, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;", &err));
        ra_store_close(f->s);
    } else {
        snprintf(f->url, sizeof f->url, "%s/ob%d.db", g_dir, ++g_serial);
    }
    OK(ra_store_open(f->url, NULL, &f->s, &err));
    OK(ra_store_init(f->s, &err));
    snprintf(f->actor.user, sizeof f->actor.user, "tester");
    snprintf(f->actor.firm, sizeof f->actor.firm, "F1");
    uint8_t key[RA_STORE_KEY_BYTES];
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        key[i] = (uint8_t)(i * 5 + 3);
    OK(ra_store_set_firm_key(f->s, "F1", key, &err));
    ra_firm firm = {"F1", "First Firm", "USD", 2};
    OK(ra_store_firm_put(f->s, &f->actor, &firm, &err));
    OK(ra_file_read(QUESTIONNAIRE, RA_PROF_MAX_DOC, &f->qdoc, &f->qsize, &err));
    OK(ra_prof_questionnaire_parse(f->qdoc, f->qsize, &f->q, &err));
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
    ra_prof_questionnaire_destroy(f->q);
    free(f->qdoc);
    free(f);
    return 0;
}

static uint64_t audit_count(fx *f)
{
    ra_err err = {0};
    uint64_t n = 0;
    OK(ra_store_audit_verify(f->s, &n, NULL, &err));
    return n;
}

/* Onboards the example document at path on date; returns the result. */
static void onboard_file(fx *f, const char *path, ra_date date, ra_onboard_result *res)
{
    ra_err err = {0};
    char *data = NULL;
    size_t size = 0;
    ra_onboard_doc *doc = NULL;
    ra_prof_answers *ans = NULL;
    OK(ra_file_read(path, RA_PROF_MAX_DOC, &data, &size, &err));
    OK(ra_onboard_doc_parse(data, size, &doc, &err));
    OK(ra_prof_answers_parse(f->q, doc->answers, doc->answers_size, &ans, &err));
    size_t li = 0;
    OK(ra_prof_lang_find(f->q, doc->lang, &li, &err));
    OK(ra_onboard_apply(f->s, &f->actor, doc, f->q, ans, li, date, res, &err));
    ra_prof_answers_destroy(ans);
    ra_onboard_doc_destroy(doc);
    free(data);
}

static void test_questionnaire_put_get_versions_conflict(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    int created = -1;
    OK(ra_store_questionnaire_put(f->s, &f->actor, f->qdoc, f->qsize, &created, &err));
    assert_int_equal(created, 1);
    uint64_t n = audit_count(f);
    OK(ra_store_questionnaire_put(f->s, &f->actor, f->qdoc, f->qsize, &created, &err));
    assert_int_equal(created, 0); /* same bytes: nothing written */
    assert_int_equal(audit_count(f), n);
    /* the same id and version with other content is refused */
    char *other = strdup(f->qdoc);
    char *t = strstr(other, "\"validity_months\"");
    assert_non_null(t);
    char *v2 = malloc(f->qsize + 64);
    memcpy(v2, other, (size_t)(t - other));
    strcpy(v2 + (t - other), "\"validity_months\": 6, \"_x\"");
    strcat(v2, strchr(t, ':'));
    assert_int_equal(ra_store_questionnaire_put(f->s, &f->actor, v2, strlen(v2), NULL, &err),
                     RA_ECONFLICT);
    assert_non_null(strstr(err.msg, "higher version"));
    /* as version 2 it is stored beside version 1 */
    char *ver = strstr(v2, "\"version\": 1");
    assert_non_null(ver);
    ver[11] = '2';
    OK(ra_store_questionnaire_put(f->s, &f->actor, v2, strlen(v2), &created, &err));
    assert_int_equal(created, 1);
    char *doc = NULL;
    size_t size = 0;
    int64_t got = 0;
    OK(ra_store_questionnaire_get(f->s, "F1", "ra-default", 0, &doc, &size, &got, &err));
    assert_int_equal(got, 2);
    assert_string_equal(doc, v2);
    ra_store_free(doc);
    OK(ra_store_questionnaire_get(f->s, "F1", "ra-default", 1, &doc, &size, &got, &err));
    assert_int_equal(got, 1);
    assert_int_equal(size, f->qsize);
    ra_store_free(doc);
    assert_int_equal(ra_store_questionnaire_get(f->s, "F1", "ra-default", 3, &doc, &size, &got,
                                                &err),
                     RA_ENOTFOUND);
    /* a broken questionnaire is refused with its JSON path */
    assert_int_equal(ra_store_questionnaire_put(f->s, &f->actor, "{\"id\": 3}", 9, NULL, &err),
                     RA_EPARSE);
    assert_string_equal(err.where, "$.id");
    free(v2);
    free(other);
    OK(ra_store_audit_verify(f->s, NULL, NULL, &err));
}

static void test_onboard_apply_stores_profile_and_audit_chain_verifies(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    OK(ra_store_questionnaire_put(f->s, &f->actor, f->qdoc, f->qsize, NULL, &err));
    ra_onboard_result res;
    /* client_en: 30 years old, long horizon, experience in stocks: capacity 23/25 = 92 and
     * tolerance 18/18 = 100 (docs/methodology.md, worked example 1): C5, no flags */
    onboard_file(f, EXAMPLE_EN, ra_date_from_ymd(2024, 1, 15), &res);
    assert_int_equal(res.profile.level, 5);
    assert_int_equal(res.client_created, 1);
    assert_int_equal(res.n_accounts, 2);
    assert_int_equal(res.agent_version[0], 1);
    ra_stored_profile p;
    OK(ra_store_profile_current(f->s, "F1", "C100001", &p, &err));
    assert_int_equal(p.level, 5);
    RA_ASSERT_CLOSE(p.capacity_score, 92.0, 1e-9, 0.0);
    RA_ASSERT_CLOSE(p.tolerance_score, 100.0, 1e-9, 0.0);
    assert_string_equal(p.questionnaire, "ra-default");
    assert_int_equal(p.version, 1);
    assert_int_equal(p.n_flags, 0);
    assert_int_equal(p.expires, ra_date_from_ymd(2025, 1, 15));
    char *answers = NULL;
    OK(ra_store_profile_answers(f->s, "F1", p.id, &answers, &err));
    assert_non_null(strstr(answers, "\"h-gt10\""));
    assert_null(strstr(answers, "Jane")); /* answers hold no personal data */
    ra_store_free(answers);
    ra_agent g;
    OK(ra_store_agent_get(f->s, "F1", "A100001-1", 0, &g, &err));
    assert_string_equal(g.name, "Nest Egg");
    assert_int_equal(g.params.risk_level, 5);
    assert_int_equal(g.params.objective, RA_OBJ_MAX_GROWTH);
    ra_account a;
    OK(ra_store_account_get(f->s, "F1", "A100001-2", &a, &err));
    assert_int_equal(a.type, RA_ACCOUNT_TAX_FREE);
    /* client_zh: a horizon of 1-2 years with maximum growth is flagged, in Chinese */
    onboard_file(f, EXAMPLE_ZH, ra_date_from_ymd(2024, 1, 15), &res);
    OK(ra_store_profile_current(f->s, "F1", "C100002", &p, &err));
    assert_int_equal(p.n_flags, 1);
    assert_int_equal(p.needs_review, 1);
    assert_string_equal(p.flags[0].rule, "short-horizon-max-growth");
    assert_string_equal(p.lang, "zh-Hans");
    assert_non_null(strstr(p.flags[0].reason, "两年"));
    uint64_t n = 0, bad = 0;
    OK(ra_store_audit_verify(f->s, &n, &bad, &err));
    assert_true(n > 10);
    ra_store_check_result cr;
    OK(ra_store_check(f->s, &cr, &err));
    assert_int_equal(cr.n_accounts, 3);
}

static void test_profile_expiry_and_renewal(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    OK(ra_store_questionnaire_put(f->s, &f->actor, f->qdoc, f->qsize, NULL, &err));
    ra_onboard_result res;
    onboard_file(f, EXAMPLE_ZH, ra_date_from_ymd(2023, 2, 28), &res);
    ra_stored_profile p;
    OK(ra_store_profile_current(f->s, "F1", "C100002", &p, &err));
    assert_int_equal(p.expires, ra_date_from_ymd(2024, 2, 28)); /* 12 months later */
    assert_int_equal(ra_stored_profile_expired(&p, ra_date_from_ymd(2024, 2, 27)), 0);
    assert_int_equal(ra_stored_profile_expired(&p, ra_date_from_ymd(2024, 2, 28)), 1);
    /* renewal: the same client answers again a year later; the new profile is current, the
     * old one stays in the history */
    onboard_file(f, EXAMPLE_ZH, ra_date_from_ymd(2024, 3, 1), &res);
    assert_int_equal(res.client_created, 0);
    OK(ra_store_profile_current(f->s, "F1", "C100002", &p, &err));
    assert_int_equal(p.taken, ra_date_from_ymd(2024, 3, 1));
    assert_int_equal(ra_stored_profile_expired(&p, ra_date_from_ymd(2024, 3, 1)), 0);
    ra_stored_profile *h = NULL;
    size_t n = 0;
    OK(ra_store_profile_history(f->s, "F1", "C100002", &h, &n, &err));
    assert_int_equal(n, 2);
    assert_int_equal(h[0].taken, ra_date_from_ymd(2023, 2, 28));
    assert_true(h[0].id < h[1].id);
    ra_store_free(h);
    /* the agent's parameters did not change at renewal: still version 1 */
    ra_agent g;
    OK(ra_store_agent_get(f->s, "F1", "A100002-1", 0, &g, &err));
    assert_int_equal(g.version, 1);
    assert_int_equal(ra_store_profile_current(f->s, "F1", "NOPE", &p, &err), RA_ENOTFOUND);
}

static void test_agent_versions_need_reason_and_are_audited(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    OK(ra_store_questionnaire_put(f->s, &f->actor, f->qdoc, f->qsize, NULL, &err));
    ra_onboard_result res;
    onboard_file(f, EXAMPLE_EN, ra_date_from_ymd(2024, 1, 15), &res);
    ra_agent g;
    OK(ra_store_agent_get(f->s, "F1", "A100001-1", 0, &g, &err));
    ra_agent_params p = g.params;
    int64_t v = 0;
    assert_int_equal(ra_store_agent_put(f->s, &f->actor, "A100001-1", "X", &p, "  ", &v, &err),
                     RA_EINVAL);
    assert_non_null(strstr(err.msg, "reason"));
    uint64_t n0 = audit_count(f);
    OK(ra_store_agent_put(f->s, &f->actor, "A100001-1", g.name, &p, "no change", &v, &err));
    assert_int_equal(v, 1); /* unchanged: no version, no audit record */
    assert_int_equal(audit_count(f), n0);
    OK(ra_agent_param_set(&p, "tlh", "off", &err));
    OK(ra_agent_param_set(&p, "risk_level", "C3", &err));
    OK(ra_agent_param_set(&p, "cash_reserve", "0.1", &err));
    assert_int_equal(ra_agent_param_set(&p, "loss_limit", "0.2", &err), RA_EINVAL);
    assert_int_equal(ra_agent_param_set(&p, "colour", "red", &err), RA_EINVAL);
    OK(ra_store_agent_put(f->s, &f->actor, "A100001-1", "Steady", &p, "client wants less risk",
                          &v, &err));
    assert_int_equal(v, 2);
    assert_int_equal(audit_count(f), n0 + 1);
    ra_agent *h = NULL;
    size_t n = 0;
    OK(ra_store_agent_history(f->s, "F1", "A100001-1", &h, &n, &err));
    assert_int_equal(n, 2);
    assert_string_equal(h[0].name, "Nest Egg");
    assert_string_equal(h[1].name, "Steady");
    assert_int_equal(h[1].params.tlh, 0);
    assert_int_equal(h[1].params.risk_level, 3);
    RA_ASSERT_CLOSE(h[1].params.cash_reserve, 0.1, 0.0, 0.0);
    RA_ASSERT_CLOSE(h[1].params.loss_limit, 0.10, 0.0, 0.0);
    assert_string_equal(h[1].reason, "client wants less risk");
    assert_string_equal(h[1].user, "tester");
    ra_store_free(h);
    OK(ra_store_agent_get(f->s, "F1", "A100001-1", 1, &g, &err));
    assert_string_equal(g.name, "Nest Egg");
    /* an override on the account */
    ra_suit_result sr;
    OK(ra_suit_check(2, 4, "growth", "client insists, documented in the meeting", &sr, &err));
    OK(ra_store_override_put(f->s, &f->actor, "A100001-1", "security", "growth", &sr,
                             ra_date_from_ymd(2024, 2, 1), NULL, &err));
    ra_stored_override *ov = NULL;
    OK(ra_store_override_list(f->s, "F1", "A100001-1", &ov, &n, &err));
    assert_int_equal(n, 1);
    assert_int_equal(ov[0].product_level, 4);
    assert_string_equal(ov[0].justification, "client insists, documented in the meeting");
    ra_store_free(ov);
    OK(ra_store_audit_verify(f->s, NULL, NULL, &err));
}

static size_t profiles_of(fx *f, const char *client)
{
    ra_err err = {0};
    ra_stored_profile *h = NULL;
    size_t n = 0;
    ra_status rc = ra_store_profile_history(f->s, "F1", client, &h, &n, &err);
    ra_store_free(h);
    return rc == RA_OK ? n : 0;
}

static void test_onboard_errors_name_the_path_and_store_nothing(void **state)
{
    fx *f = *state;
    ra_err err = {0};
    ra_onboard_doc *doc = NULL;
    static const struct {
        const char *json, *where;
    } bad[] = {
        {"{\"client\": {\"code\": \"C1\", \"birth_year\": \"1990\"}, \"accounts\": [{\"code\": "
         "\"A1\"}], \"questionnaire\": \"ra-default\", \"version\": 1, \"answers\": []}",
         "$.client.birth_year"},
        {"{\"client\": {\"code\": \"C1\"}, \"accounts\": [{\"code\": \"A1\"}, {\"code\": \"A2\", "
         "\"type\": \"roth\"}], \"questionnaire\": \"ra-default\", \"version\": 1, \"answers\": []}",
         "$.accounts[1].type"},
        {"{\"client\": {\"code\": \"C1\"}, \"accounts\": [], \"questionnaire\": \"ra-default\", "
         "\"version\": 1, \"answers\": []}",
         "$.accounts"},
        {"{\"client\": {\"code\": \"C1\"}, \"accounts\": [{\"code\": \"A1\"}], \"colour\": 1}",
         "$"}, /* the key is not named: in a client's document it may be personal data */
        {"[1]", "$"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(ra_onboard_doc_parse(bad[i].json, strlen(bad[i].json), &doc, &err),
                         RA_EPARSE);
        assert_null(doc);
        if (strcmp(err.where, bad[i].where) != 0)
            fail_msg("case %zu: where \"%s\", want \"%s\" (%s)", i, err.where, bad[i].where,
                     err.msg);
    }
    /* an unknown answer: the path of the answers document is the path in the onboarding one */
    char *data = NULL;
    size_t size = 0;
    OK(ra_file_read(EXAMPLE_EN, RA_PROF_MAX_DOC, &data, &size, &err));
    char *c = strstr(data, "\"loss-buy\"");
    assert_non_null(c);
    memcpy(c, "\"loss-bye\"", 10);
    OK(ra_onboard_doc_parse(data, size, &doc, &err));
    ra_prof_answers *ans = NULL;
    assert_int_equal(ra_prof_answers_parse(f->q, doc->answers, doc->answers_size, &ans, &err),
                     RA_EPARSE);
    assert_string_equal(err.where, "$.answers[7].choice");
    ra_onboard_doc_destroy(doc);
    free(data);
    /* a failure in the middle of ra_onboard_apply leaves nothing: the second account belongs to
     * another client, after the client, the first account and its agent were written */
    OK(ra_store_questionnaire_put(f->s, &f->actor, f->qdoc, f->qsize, NULL, &err));
    ra_onboard_result res;
    onboard_file(f, EXAMPLE_ZH, ra_date_from_ymd(2024, 1, 15), &res);
    uint64_t n0 = audit_count(f);
    OK(ra_file_read(EXAMPLE_EN, RA_PROF_MAX_DOC, &data, &size, &err));
    OK(ra_onboard_doc_parse(data, size, &doc, &err));
    snprintf(doc->accounts[1].code, sizeof doc->accounts[1].code, "A100002-1");
    OK(ra_prof_answers_parse(f->q, doc->answers, doc->answers_size, &ans, &err));
    assert_int_equal(ra_onboard_apply(f->s, &f->actor, doc, f->q, ans, 0,
                                      ra_date_from_ymd(2024, 1, 15), &res, &err),
                     RA_ECONFLICT);
    assert_non_null(strstr(err.msg, "another client"));
    assert_int_equal(audit_count(f), n0);
    ra_client cl;
    assert_int_equal(ra_store_client_get(f->s, "F1", "C100001", &cl, &err), RA_ENOTFOUND);
    ra_account a;
    assert_int_equal(ra_store_account_get(f->s, "F1", "A100001-1", &a, &err), RA_ENOTFOUND);
    assert_int_equal(profiles_of(f, "C100002"), 1);
    /* inside the caller's transaction the failure rolls back to its savepoint only */
    OK(ra_store_begin(f->s, &err));
    assert_int_equal(ra_onboard_apply(f->s, &f->actor, doc, f->q, ans, 0,
                                      ra_date_from_ymd(2024, 1, 15), &res, &err),
                     RA_ECONFLICT);
    OK(ra_store_commit(f->s, &err));
    assert_int_equal(audit_count(f), n0);
    ra_prof_answers_destroy(ans);
    ra_onboard_doc_destroy(doc);
    free(data);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_questionnaire_put_get_versions_conflict, setup, teardown),
    cmocka_unit_test_setup_teardown(test_onboard_apply_stores_profile_and_audit_chain_verifies,
                                    setup, teardown),
    cmocka_unit_test_setup_teardown(test_profile_expiry_and_renewal, setup, teardown),
    cmocka_unit_test_setup_teardown(test_agent_versions_need_reason_and_are_audited, setup,
                                    teardown),
    cmocka_unit_test_setup_teardown(test_onboard_errors_name_the_path_and_store_nothing, setup,
                                    teardown),
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
                fprintf(stderr, "test_onboard: could not read the PostgreSQL URL from %s\n",
                        argv[2] + 1);
                return 1;
            }
            fclose(fp);
            g_url[strcspn(g_url, "\r\n")] = 0;
        } else {
            printf("test_onboard: ROBOADVISOR_TEST_PG is not set: PostgreSQL cases skipped\n");
            return 77;
        }
        g_pg = 1;
        return cmocka_run_group_tests_name("onboard_pg", tests, NULL, NULL);
    }
    snprintf(g_dir, sizeof g_dir, "/tmp/ra_test_onboard_XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    int rc = cmocka_run_group_tests_name("onboard_sqlite", tests, NULL, NULL);
    rmdir(g_dir);
    return rc;
}
