/* Tests of the onboarding document reader (src/io/onboard_doc.c, ra_onboard_doc_parse). Expected
 * values by hand from docs/formats.md#onboarding-document and examples/onboard/client_en.json:
 * defaults (household = client code, type taxable, currency and lang empty), limits (1..16
 * accounts, codes by the code rule, personal text by the text and email rules, birth year
 * 1900..2100), "_" keys as comments, the answers kept as a compact sub-document, and every error
 * naming a JSON path without quoting personal data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <roboadvisor/onboard_io.h>

#include "ra_test.h"

static char *read_example(const char *rel, size_t *size)
{
    char path[4096];
    const char *file = __FILE__, *slash = strrchr(file, '/');
    snprintf(path, sizeof path, "%.*s/../../%s", slash ? (int)(slash - file) : 1,
             slash ? file : ".", rel);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    *size = fread(buf, 1, (1 << 16) - 1, f);
    buf[*size] = 0;
    fclose(f);
    return buf;
}

static void test_onboard_doc_example(void **state)
{
    (void)state;
    size_t size;
    char *text = read_example("examples/onboard/client_en.json", &size);
    ra_onboard_doc *d = NULL;
    ra_err err = {0};
    assert_int_equal(ra_onboard_doc_parse(text, size, &d, &err), RA_OK);
    assert_string_equal(d->client.code, "C100001");
    assert_string_equal(d->client.household, "H100001");
    assert_string_equal(d->client.advisor, "ADV01");
    assert_string_equal(d->client.name, "Jane Example");
    assert_string_equal(d->client.email, "jane@example.org");
    assert_string_equal(d->client.tax_id, "000-00-0000");
    assert_string_equal(d->client.address, "1 Example Road, Springfield");
    assert_int_equal(d->client.birth_year, 1994);
    assert_int_equal(d->n_accounts, 2);
    assert_string_equal(d->accounts[0].code, "A100001-1");
    assert_int_equal(d->accounts[0].type, RA_ACCOUNT_TAXABLE);
    assert_string_equal(d->accounts[0].currency, "USD");
    assert_string_equal(d->accounts[0].agent_name, "Nest Egg");
    assert_int_equal(d->accounts[1].type, RA_ACCOUNT_TAX_FREE);
    assert_string_equal(d->accounts[1].agent_name, "");
    assert_string_equal(d->lang, "en");
    assert_string_equal(d->questionnaire, "ra-default");
    assert_int_equal(d->version, 1);
    /* the answers: compact, in order, the questionnaire and version first */
    assert_int_equal(d->answers_size, strlen(d->answers));
    const char *head = "{\"questionnaire\":\"ra-default\",\"version\":1,\"answers\":"
                       "[{\"question\":\"horizon\",\"choice\":\"h-gt10\"},";
    assert_int_equal(strncmp(d->answers, head, strlen(head)), 0);
    ra_onboard_doc_destroy(d);
    ra_onboard_doc_destroy(NULL);
    free(text);
}

static void test_onboard_doc_defaults(void **state)
{
    (void)state;
    const char *text = "{\"_note\": \"x\", \"client\": {\"code\": \"C1\", \"_why\": 1},"
                       " \"accounts\": [{\"code\": \"A1\"}], \"questionnaire\": \"q\","
                       " \"version\": 2, \"answers\": []}";
    ra_onboard_doc *d = NULL;
    ra_err err = {0};
    assert_int_equal(ra_onboard_doc_parse(text, strlen(text), &d, &err), RA_OK);
    assert_string_equal(d->client.household, "C1");
    assert_string_equal(d->client.advisor, "");
    assert_int_equal(d->client.birth_year, 0);
    assert_int_equal(d->accounts[0].type, RA_ACCOUNT_TAXABLE);
    assert_string_equal(d->accounts[0].currency, "");
    assert_string_equal(d->lang, "");
    assert_string_equal(d->answers, "{\"questionnaire\":\"q\",\"version\":2,\"answers\":[]}");
    ra_onboard_doc_destroy(d);
}

#define TAIL "\"questionnaire\": \"q\", \"version\": 1, \"answers\": []}"
#define ACC "\"accounts\": [{\"code\": \"A1\"}], "

static void test_onboard_doc_errors(void **state)
{
    (void)state;
    char sixteen[1024], seventeen[1024];
    size_t o = (size_t)snprintf(sixteen, sizeof sixteen, "{\"client\": {\"code\": \"C1\"}, "
                                                         "\"accounts\": [");
    for (int i = 0; i < 17; i++) {
        if (i == 16)
            memcpy(seventeen, sixteen, o + 1);
        o += (size_t)snprintf(sixteen + o, sizeof sixteen - o, "%s{\"code\": \"A%d\"}",
                              i ? ", " : "", i);
    }
    snprintf(sixteen + o, sizeof sixteen - o, "], " TAIL);
    static const struct {
        const char *text, *where, *msg;
    } bad[] = {
        {"[1]", "$", "the document must be an object, got an array"},
        {"{\"accounts\": []}", "$", "missing \"client\""},
        {"{\"client\": 3, " ACC TAIL, "$.client", "expected an object, got a number"},
        {"{\"client\": {}, " ACC TAIL, "$.client", "missing \"code\""},
        {"{\"client\": {\"code\": \"\"}, " ACC TAIL, "$.client.code", "empty"},
        {"{\"client\": {\"code\": \"C 1\"}, " ACC TAIL, "$.client.code",
         "a code may hold only letters, digits, '.', '-' and '_'"},
        {"{\"client\": {\"code\": \"C1\", \"name\": 7}, " ACC TAIL, "$.client.name",
         "expected a string, got a number"},
        {"{\"client\": {\"code\": \"C1\", \"name\": \"A\\u0001B\"}, " ACC TAIL, "$.client.name",
         "name holds a control character at byte 2"},
        {"{\"client\": {\"code\": \"C1\", \"email\": \"a@b\"}, " ACC TAIL, "$.client.email",
         "email is not an address of the form name@domain.tld"},
        {"{\"client\": {\"code\": \"C1\", \"birth_year\": \"1990\"}, " ACC TAIL,
         "$.client.birth_year", "expected a whole number, got a string"},
        {"{\"client\": {\"code\": \"C1\", \"birth_year\": 1899}, " ACC TAIL,
         "$.client.birth_year", "1899 is outside 1900..2100"},
        {"{\"client\": {\"code\": \"C1\"}, \"accounts\": {}, " TAIL, "$.accounts",
         "expected an array, got an object"},
        {"{\"client\": {\"code\": \"C1\"}, \"accounts\": [], " TAIL, "$.accounts",
         "0 accounts: give 1 to 16"},
        {"{\"client\": {\"code\": \"C1\"}, \"accounts\": [{\"code\": \"A1\", \"type\": \"roth\"}], "
         TAIL, "$.accounts[0].type",
         "\"roth\" is not an account type (taxable, tax_deferred, tax_free)"},
        {"{\"client\": {\"code\": \"C1\"}, \"accounts\": [{\"code\": \"A1\", \"currency\": "
         "\"usd\"}], " TAIL, "$.accounts[0].currency",
         "\"usd\" is not an ISO 4217 code (three capital letters)"},
        {"{\"client\": {\"code\": \"C1\"}, \"accounts\": [{\"code\": \"A1\"}, {\"code\": "
         "\"A1\"}], " TAIL, "$.accounts[1].code", "account A1 is given twice (also $.accounts[0])"},
        {"{\"client\": {\"code\": \"C1\"}, " ACC "\"version\": 1, \"answers\": []}", "$",
         "missing \"questionnaire\""},
        {"{\"client\": {\"code\": \"C1\"}, " ACC "\"questionnaire\": \"q\", \"version\": 0, "
         "\"answers\": []}", "$.version", "expected a whole number >= 1, got a smaller number"},
        {"{\"client\": {\"code\": \"C1\"}, " ACC "\"questionnaire\": \"q\", \"version\": 1}", "$",
         "missing \"answers\""},
        {"{\"client\": {\"code\": \"C1\"}, " ACC "\"colour\": 1, " TAIL, "$",
         "key 3 of this object is none of client, accounts, lang, questionnaire, version, answers "
         "(the key is not shown: it may be personal data)"},
        {"{\"client\": {\"code\": \"C1\"", "$",
         "the document is not valid JSON (line 1, column 24, position 24): the document ends too "
         "early"},
    };
    int checks = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ra_onboard_doc *d = (ra_onboard_doc *)(uintptr_t)1;
        ra_err err = {0};
        ra_status st = ra_onboard_doc_parse(bad[i].text, strlen(bad[i].text), &d, &err);
        if (st != RA_EPARSE || d != NULL || strcmp(err.where, bad[i].where) != 0 ||
            strcmp(err.msg, bad[i].msg) != 0)
            fail_msg("case %zu: status %d, where \"%s\", msg \"%s\"", i, (int)st, err.where,
                     err.msg);
        checks++;
    }
    assert_int_equal(checks, 21);
    /* 16 accounts are the most */
    ra_onboard_doc *d = NULL;
    ra_err err = {0};
    assert_int_equal(ra_onboard_doc_parse(sixteen, strlen(sixteen), &d, &err), RA_EPARSE);
    assert_string_equal(err.msg, "17 accounts: give 1 to 16");
    snprintf(seventeen + strlen(seventeen), sizeof seventeen - strlen(seventeen), "], " TAIL);
    assert_int_equal(ra_onboard_doc_parse(seventeen, strlen(seventeen), &d, &err), RA_OK);
    assert_int_equal(d->n_accounts, 16);
    ra_onboard_doc_destroy(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_onboard_doc_example),
        cmocka_unit_test(test_onboard_doc_defaults),
        cmocka_unit_test(test_onboard_doc_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
