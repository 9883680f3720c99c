/* Issue 10 "One validation for one kind of value everywhere": onboard accepted a control character
 * in a name and a malformed email that the clients CSV rejected; invalid UTF-8 was accepted into
 * names and model codes; `models add` accepted codes the docs forbid. Each reader of src/io must
 * give the same answer as the rule of rules.h for every value of a list (the class of defect, not
 * only the reported values). Expected answers: docs/formats.md "Codes", "Text", "Emails". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <roboadvisor/import.h>
#include <roboadvisor/models_io.h>
#include <roboadvisor/onboard_io.h>
#include <roboadvisor/rules.h>

#include "ra_test.h"

/* names: JSON-escaped for the onboarding document, raw for the CSV (quoted there) */
static const struct {
    const char *raw, *json;
    int valid;
} names[] = {
    {"Avery Example", "Avery Example", 1},
    {"Zo\xC3\xAB \xE5\xBC\xA0", "Zo\xC3\xAB \xE5\xBC\xA0", 1},
    {"Avery\x07" "Example", "Avery\\u0007Example", 0},  /* BEL: the reported case */
    {"Avery\tExample", "Avery\\tExample", 0},
    {"Avery\x7F", "Avery\\u007f", 0},
    {"Avery\xC2\x85", "Avery\\u0085", 0},               /* C1 NEL */
    {"Avery\r\nExample", "Avery\\r\\nExample", 0},
};

static const struct {
    const char *email;
    int valid;
} emails[] = {
    {"avery@example.com", 1},  {"a.b+c@mail.example.org", 1}, {"avery", 0},
    {"avery@", 0},             {"@example.com", 0},           {"a@b@example.com", 0},
    {"a b@example.com", 0},    {"avery@example", 0},          {"avery@example..com", 0},
    {"avery@.example.com", 0}, {"\"a\"@example.com", 0},      {"a;b@example.com", 0},
};

static ra_status csv_client(const char *name, const char *email, ra_err *err)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "code,name,email\nC1,\"%s\",\"%s\"\n", name, email);
    ra_import *im = NULL;
    ra_status st = ra_import_parse(RA_IMPORT_CLIENTS, buf, strlen(buf), "c.csv", NULL, &im, err);
    ra_import_destroy(im);
    return st;
}

static ra_status doc_client(const char *name_json, const char *email, ra_err *err)
{
    char buf[2048];
    snprintf(buf, sizeof buf,
             "{\"client\": {\"code\": \"C1\", \"name\": \"%s\", \"email\": \"%s\"},"
             " \"accounts\": [{\"code\": \"A1\"}], \"questionnaire\": \"q\", \"version\": 1,"
             " \"answers\": []}",
             name_json, email);
    ra_onboard_doc *d = NULL;
    ra_status st = ra_onboard_doc_parse(buf, strlen(buf), &d, err);
    ra_onboard_doc_destroy(d);
    return st;
}

static void test_names_same_rule_in_csv_and_onboarding(void **state)
{
    (void)state;
    int checks = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        ra_err e1 = {0}, e2 = {0}, e3 = {0};
        int rule = ra_rule_text_check(names[i].raw, strlen(names[i].raw), RA_PII_MAX, "name",
                                      &e3) == RA_OK;
        int csv = csv_client(names[i].raw, "avery@example.com", &e1) == RA_OK;
        int doc = doc_client(names[i].json, "avery@example.com", &e2) == RA_OK;
        if (rule != names[i].valid || csv != names[i].valid || doc != names[i].valid)
            fail_msg("name %zu: want %d, rule %d, csv %d (%s), onboarding %d (%s)", i,
                     names[i].valid, rule, csv, e1.msg, doc, e2.msg);
        checks++;
    }
    assert_int_equal(checks, 7);
}

static void test_emails_same_rule_in_csv_and_onboarding(void **state)
{
    (void)state;
    int checks = 0;
    for (size_t i = 0; i < sizeof emails / sizeof emails[0]; i++) {
        ra_err e1 = {0}, e2 = {0};
        const char *m = emails[i].email;
        int rule = ra_rule_email_check(m, strlen(m), NULL) == RA_OK;
        /* a '"' is written "" inside a quoted CSV field and \" inside a JSON string */
        char csvm[128], jsonm[128];
        size_t a = 0, b = 0;
        for (const char *p = m; *p; p++) {
            if (*p == '"') {
                csvm[a++] = '"';
                jsonm[b++] = '\\';
            }
            csvm[a++] = *p;
            jsonm[b++] = *p;
        }
        csvm[a] = jsonm[b] = 0;
        int csv = csv_client("Avery Example", csvm, &e1) == RA_OK;
        int doc = doc_client("Avery Example", jsonm, &e2) == RA_OK;
        if (rule != emails[i].valid || csv != emails[i].valid || doc != emails[i].valid)
            fail_msg("email %zu: want %d, rule %d, csv %d (%s), onboarding %d (%s)", i,
                     emails[i].valid, rule, csv, e1.msg, doc, e2.msg);
        checks++;
    }
    assert_int_equal(checks, 12);
}

/* invalid UTF-8 in a name of the clients CSV (JSON cannot carry it: jansson refuses it) */
static void test_invalid_utf8_name_refused(void **state)
{
    (void)state;
    ra_err err = {0};
    assert_int_equal(csv_client("Av\xFF" "ery", "a@example.com", &err), RA_EPARSE);
    assert_string_equal(err.where, "c.csv:2:2 (name)");
    assert_string_equal(err.msg,
                        "name is not valid UTF-8 at byte 3 (value not shown: personal data)");
    assert_int_equal(csv_client("Av\xC0\xAF", "a@example.com", &err), RA_EPARSE); /* overlong */
}

static ra_status models(const char *text, ra_err *err)
{
    ra_model *m = NULL;
    size_t n = 0;
    ra_status st = ra_models_csv_parse(text, strlen(text), "m.csv", &m, &n, err);
    (void)n;
    free(m);
    return st;
}

/* `models add` and every other code in io follow the code rule */
static void test_model_codes_follow_the_code_rule(void **state)
{
    (void)state;
    const char *codes[] = {"CORE", "growth_80", "R1.v-2", "caf\xC3\xA9", "a/b", "a;b",
                           "x\xFF", "a@b", "\xE2\x80\x8B" "CORE", "a:b"};
    int checks = 0;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "model,ticker,weight\n%s,VTI,1\n", codes[i]);
        ra_err err = {0};
        int rule = ra_rule_code_check(codes[i], strlen(codes[i]), "model", NULL) == RA_OK;
        int got = models(buf, &err) == RA_OK;
        if (got != rule || rule != (i < 3))
            fail_msg("model code %zu: rule %d, models CSV %d (%s)", i, rule, got, err.msg);
        /* the accounts file's model column and the onboarding document's codes too */
        char acc[256];
        snprintf(acc, sizeof acc, "code,client,type,currency,opened,model\nA1,C1,taxable,USD,"
                 "2020-01-02,%s\n", codes[i]);
        ra_import *im = NULL;
        int imp = ra_import_parse(RA_IMPORT_ACCOUNTS, acc, strlen(acc), "a.csv", NULL, &im,
                                  NULL) == RA_OK;
        ra_import_destroy(im);
        assert_int_equal(imp, rule);
        char doc[512];
        snprintf(doc, sizeof doc, "{\"client\": {\"code\": \"%s\"}, \"accounts\": [{\"code\": "
                 "\"A1\"}], \"questionnaire\": \"q\", \"version\": 1, \"answers\": []}",
                 i == 6 ? "x" : codes[i]); /* \xFF cannot be in JSON at all */
        ra_onboard_doc *d = NULL;
        int on = ra_onboard_doc_parse(doc, strlen(doc), &d, NULL) == RA_OK;
        ra_onboard_doc_destroy(d);
        assert_int_equal(on, i == 6 ? 1 : rule);
        checks++;
    }
    assert_int_equal(checks, 10);
    ra_err err = {0};
    assert_int_equal(models("model,ticker,weight\na/b,VTI,1\n", &err), RA_EPARSE);
    assert_string_equal(err.where, "m.csv:2:1 (model)");
    assert_string_equal(err.msg, "model may hold only letters, digits, '.', '-' and '_'");
}

/* the drift band and loss limit: one range for the accounts file, the agent and the rule */
static void test_mandate_ranges_agree(void **state)
{
    (void)state;
    const char *vals[] = {"0", "0.0001", "0.05", "0.15", "0.1500001", "0.5", "0.6", "1"};
    int checks = 0;
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        for (int loss = 0; loss < 2; loss++) {
            char acc[256];
            snprintf(acc, sizeof acc,
                     "code,client,type,currency,opened,%s\nA1,C1,taxable,USD,2020-01-02,%s\n",
                     loss ? "loss_limit" : "drift_band", vals[i]);
            ra_import *im = NULL;
            int imp = ra_import_parse(RA_IMPORT_ACCOUNTS, acc, strlen(acc), "a.csv", NULL, &im,
                                      NULL) == RA_OK;
            ra_import_destroy(im);
            ra_agent_params p;
            ra_agent_params_default(&p, 3);
            int agent = ra_agent_param_set(&p, loss ? "loss_limit" : "drift_band", vals[i],
                                           NULL) == RA_OK;
            double x = 0;
            sscanf(vals[i], "%lf", &x);
            int rule = (loss ? ra_rule_loss_limit_check(x, NULL)
                             : ra_rule_drift_band_check(x, NULL)) == RA_OK;
            if (imp != rule || agent != rule)
                fail_msg("%s %s: rule %d, accounts file %d, agent %d",
                         loss ? "loss_limit" : "drift_band", vals[i], rule, imp, agent);
            checks++;
        }
    assert_int_equal(checks, 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_same_rule_in_csv_and_onboarding),
        cmocka_unit_test(test_emails_same_rule_in_csv_and_onboarding),
        cmocka_unit_test(test_invalid_utf8_name_refused),
        cmocka_unit_test(test_model_codes_follow_the_code_rule),
        cmocka_unit_test(test_mandate_ranges_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
