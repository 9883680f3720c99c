/* Issue 10 "No personal data in any message": onboard passed jansson's "near '...'" text through,
 * quoting fragments of names and tax ids, and CSV errors quoted the cell's value even when the
 * cell belonged to a personal-data column (misaligned files). Every importer (each kind of
 * import, the onboarding document, the answers document, the models CSV) is fed personal data
 * with distinctive markers, misaligned and malformed, and every message (err.where and err.msg)
 * is searched for the markers. Each case must be refused (else there is no message to search),
 * and the checks are counted against a minimum so that a loop that checks nothing fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <roboadvisor/import.h>
#include <roboadvisor/models_io.h>
#include <roboadvisor/onboard_io.h>
#include <roboadvisor/prof_io.h>

#include "ra_test.h"

/* the markers: every personal field holds one; none is a word a message could hold otherwise */
#define NAME "Qzmarkname Vexley"
#define NAME1 "Qzmarkname"
#define EMAIL "qzmarkmail@vexley.example"
#define TAXID "900-71-QZMARK"
#define ADDR "7 Qzmarkstreet, Vexley"
#define BIRTH "19QZ61"
static const char *const markers[] = {"qzmark", "vexley", "19qz61"};

static int n_checks;

/* no marker in where or msg, case-insensitive */
static void clean(const char *what, ra_status st, const ra_err *err)
{
    if (st == RA_OK)
        fail_msg("%s: accepted, so no message to check", what);
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
        const char *parts[] = {err->where, err->msg};
        for (int p = 0; p < 2; p++) {
            char low[256];
            size_t k = 0;
            for (; parts[p][k] && k + 1 < sizeof low; k++)
                low[k] = (char)(parts[p][k] >= 'A' && parts[p][k] <= 'Z' ? parts[p][k] + 32
                                                                        : parts[p][k]);
            low[k] = 0;
            if (strstr(low, markers[i]))
                fail_msg("%s: personal data in the message: %s: %s", what, err->where, err->msg);
        }
    }
    n_checks++;
}

static void import_case(ra_import_kind kind, const char *what, const char *text)
{
    ra_err err;
    memset(&err, 0, sizeof err);
    ra_import *im = NULL;
    ra_status st = ra_import_parse(kind, text, strlen(text), "book.csv", NULL, &im, &err);
    ra_import_destroy(im);
    char label[160];
    const char *row = strchr(text, '\n');
    snprintf(label, sizeof label, "%s import: %s: %.60s", ra_import_kind_name(kind), what,
             row ? row + 1 : text);
    clean(label, st, &err);
}

/* the clients row of the documented layout, with markers */
static const char *const client_cells[] = {"C1", "H1", "ADV1", NAME, EMAIL, TAXID,
                                           "\"" ADDR "\"", BIRTH};
#define N_CELLS 8

/* A row of width cells: the client's cells starting at cell `start`, wrapping around. */
static void rotated_row(char *buf, size_t cap, size_t width, size_t start)
{
    size_t o = 0;
    for (size_t i = 0; i < width; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? "," : "",
                              client_cells[(start + i) % N_CELLS]);
    snprintf(buf + o, cap - o, "\n");
}

static const char *const headers[RA_IMPORT_KIND_COUNT] = {
    [RA_IMPORT_PRICES] = "Date,SPY,AGG",
    [RA_IMPORT_DIVIDENDS] = "date,ticker,dividend_amount",
    [RA_IMPORT_SPLITS] = "date,ticker,split_coefficient",
    [RA_IMPORT_SECURITIES] = "ticker,name,asset_class,risk_level,expense_ratio,lot_size,exchange,"
                             "currency,tlh_group,on_shelf",
    [RA_IMPORT_CLIENTS] = "code,household,advisor,name,email,tax_id,address,birth_year",
    [RA_IMPORT_ACCOUNTS] = "code,client,type,currency,opened,model,discretionary,drift_band,tlh,"
                           "loss_limit,restrictions",
    [RA_IMPORT_TRANSACTIONS] = "account,txn_id,date,kind,ticker,qty,price,amount,fees,relief,"
                               "lots,ratio",
    [RA_IMPORT_POSITIONS] = "account,ticker,quantity,cash",
};

/* Every kind of import, given a clients file: without its header (the first row is then taken
 * for the header), and with it. (A format without personal-data columns quotes its cells' values
 * by design, docs/formats.md "Errors"; a clients file never does, whatever the misalignment.) */
static void test_every_import_kind_given_personal_data(void **state)
{
    (void)state;
    char row[512], text[2048];
    for (int k = 0; k < RA_IMPORT_KIND_COUNT; k++) {
        /* no header: the personal data is in the "header"; each rotation puts it first */
        for (size_t s = 0; s < N_CELLS; s++) {
            rotated_row(row, sizeof row, N_CELLS, s);
            snprintf(text, sizeof text, "%s%s", row, row);
            import_case((ra_import_kind)k, "no header", text);
        }
        /* a clients file with its header, given to the wrong importer */
        rotated_row(row, sizeof row, N_CELLS, 0);
        snprintf(text, sizeof text, "%s\n%s", headers[RA_IMPORT_CLIENTS], row);
        if (k != RA_IMPORT_CLIENTS)
            import_case((ra_import_kind)k, "a clients file", text);
    }
    assert_int_equal(n_checks, RA_IMPORT_KIND_COUNT * N_CELLS + (RA_IMPORT_KIND_COUNT - 1));
}

/* The clients file: every column receives every personal value (rotations), and each personal
 * field is malformed in turn. */
static void test_clients_file_misaligned_and_malformed(void **state)
{
    (void)state;
    const char *hdr = headers[RA_IMPORT_CLIENTS];
    char row[512], text[2048];
    int before = n_checks;
    for (size_t s = 1; s < N_CELLS; s++) {
        rotated_row(row, sizeof row, N_CELLS, s);
        snprintf(text, sizeof text, "%s\n%s", hdr, row);
        import_case(RA_IMPORT_CLIENTS, "rotated row", text);
    }
    /* an unquoted comma in the address: one field too many */
    import_case(RA_IMPORT_CLIENTS, "unquoted address",
                "code,household,advisor,name,email,tax_id,address,birth_year\n"
                "C1,H1,ADV1," NAME "," EMAIL "," TAXID "," ADDR ",1961\n");
    /* a field left out: birth_year receives the address */
    import_case(RA_IMPORT_CLIENTS, "missing field",
                "code,household,advisor,name,email,tax_id,address,birth_year\n"
                "C1,H1," NAME "," EMAIL "," TAXID ",\"" ADDR "\"," BIRTH "\n");
    const char *bad[] = {
        "C1,H1,ADV1,\"" NAME "\x01\"," EMAIL "," TAXID ",x,1961\n",     /* control character */
        "C1,H1,ADV1,\"" NAME "\xff\"," EMAIL "," TAXID ",x,1961\n",     /* invalid UTF-8 */
        "C1,H1,ADV1," NAME ",qzmarkmail@@vexley," TAXID ",x,1961\n",   /* malformed email */
        "C1,H1,ADV1," NAME ",qzmarkmail," TAXID ",x,1961\n",
        "C1,H1,ADV1," NAME "," EMAIL ",\"" TAXID "\tx\",x,1961\n",
        "C1,H1,ADV1," NAME "," EMAIL "," TAXID ",\"" ADDR "\x7f\",1961\n",
        "C1,H1,ADV1," NAME "," EMAIL "," TAXID ",x," BIRTH "\n",
        "C1,H1,ADV1," NAME "," EMAIL "," TAXID ",x,1899\n",
        "C1,H1," NAME1 "," NAME "," EMAIL "," TAXID ",x,1961\nC1,H1,A,B,,,,\n", /* duplicate */
        "C1," NAME "," NAME1 ",x,,,,\n",                                 /* household */
        "\"" NAME "\",H1,A,x,,,,\n",                                     /* code */
        "C1,H1,A,,,,,\n",                                                /* missing name */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, "%s\n%s", hdr, bad[i]);
        import_case(RA_IMPORT_CLIENTS, "malformed", text);
    }
    /* a field too long, made of markers */
    char longname[400];
    size_t o = 0;
    while (o + sizeof NAME < sizeof longname - 1)
        o += (size_t)snprintf(longname + o, sizeof longname - o, "%s", NAME);
    snprintf(text, sizeof text, "%s\nC1,H1,A,\"%s\",,,,\n", hdr, longname);
    import_case(RA_IMPORT_CLIENTS, "too long", text);
    assert_int_equal(n_checks - before, 7 + 2 + 12 + 1);
}

static void doc_case(const char *what, const char *text)
{
    ra_err err;
    memset(&err, 0, sizeof err);
    ra_onboard_doc *d = NULL;
    ra_status st = ra_onboard_doc_parse(text, strlen(text), &d, &err);
    ra_onboard_doc_destroy(d);
    char label[160];
    snprintf(label, sizeof label, "onboarding document: %s", what);
    clean(label, st, &err);
}

#define DOC_TAIL "\"accounts\": [{\"code\": \"A1\"}], \"questionnaire\": \"ra-default\", " \
                 "\"version\": 1, \"answers\": []}"

static void test_onboarding_document(void **state)
{
    (void)state;
    int before = n_checks;
    /* JSON syntax errors right at or after personal data: jansson's text said "near '...'" */
    const char *syntax[] = {
        "{\"client\": {\"code\": \"C1\", \"name\": \"" NAME "\"",          /* ends early */
        "{\"client\": {\"code\": \"C1\", \"name\": \"" NAME "\" \"tax_id\": \"" TAXID "\"}}",
        "{\"client\": {\"code\": \"C1\", \"name\": " NAME "}}",            /* unquoted */
        "{\"client\": {\"code\": \"C1\", \"tax_id\": \"" TAXID "\n\"}}", /* raw newline */
        "{\"client\": {\"code\": \"C1\", \"name\": \"" NAME "\", \"name\": \"" NAME "\"}}",
        "{\"client\": {\"code\": \"C1\", \"address\": \"" ADDR "\\q\"}}",  /* bad escape */
        "{\"client\": {\"code\": \"C1\", \"name\": \"\\uD800" NAME "\"}}", /* lone surrogate */
        "{\"client\": {\"code\": \"C1\", \"email\": \"" EMAIL "\"}} " NAME, /* text after */
        "[\"" NAME "\", \"" TAXID "\"",
        "\"" NAME "\xff\"",                                                  /* bad UTF-8 */
    };
    for (size_t i = 0; i < sizeof syntax / sizeof syntax[0]; i++)
        doc_case("syntax", syntax[i]);
    /* well-formed JSON, malformed or misplaced personal data */
    const char *bad[] = {
        "{\"client\": {\"code\": \"C1\", \"name\": \"" NAME "\\u0007\"}, " DOC_TAIL,
        "{\"client\": {\"code\": \"C1\", \"name\": \"" NAME "\\u0085\"}, " DOC_TAIL,
        "{\"client\": {\"code\": \"C1\", \"email\": \"qzmarkmail@vexley\"}, " DOC_TAIL,
        "{\"client\": {\"code\": \"C1\", \"email\": \"" NAME "\"}, " DOC_TAIL,
        "{\"client\": {\"code\": \"C1\", \"tax_id\": \"" TAXID "\\u0000\"}, " DOC_TAIL,
        "{\"client\": {\"code\": \"C1\", \"address\": \"" ADDR "\\r\\n\"}, " DOC_TAIL,
        "{\"client\": {\"code\": \"" NAME "\"}, " DOC_TAIL,
        "{\"client\": {\"code\": \"" TAXID "\", \"household\": \"" NAME "\"}, " DOC_TAIL,
        "{\"client\": {\"code\": \"C1\", \"advisor\": \"" EMAIL "\"}, " DOC_TAIL,
        "{\"client\": {\"code\": \"C1\", \"birth_year\": \"" BIRTH "\"}, " DOC_TAIL,
        "{\"client\": {\"code\": \"C1\", \"" NAME "\": 1}, " DOC_TAIL,
        "{\"client\": {\"code\": \"C1\", \"name\": 1961}, " DOC_TAIL,
        "{\"client\": {\"code\": \"C1\", \"name\": \"" NAME "\"}, \"" TAXID "\": 1, " DOC_TAIL,
        "{\"client\": {\"code\": \"C1\"}, \"accounts\": [{\"code\": \"A1\", \"agent_name\": \""
        NAME "\\u0001\"}], \"questionnaire\": \"ra-default\", \"version\": 1, \"answers\": []}",
        "{\"client\": {\"code\": \"C1\"}, \"accounts\": [{\"code\": \"A1\", \"type\": \"" NAME
        "\"}], \"questionnaire\": \"ra-default\", \"version\": 1, \"answers\": []}",
        "{\"client\": {\"code\": \"C1\"}, \"accounts\": [{\"code\": \"A1\", \"currency\": \""
        NAME1 "\"}], \"questionnaire\": \"ra-default\", \"version\": 1, \"answers\": []}",
        "{\"client\": {\"code\": \"C1\"}, \"accounts\": [], \"questionnaire\": \"" NAME "\", "
        "\"version\": 1, \"answers\": []}",
        "{\"client\": {\"code\": \"C1\"}, \"accounts\": [{\"code\": \"A1\"}], \"lang\": \"" NAME
        "\", \"questionnaire\": \"q\", \"version\": 1, \"answers\": []}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        doc_case("malformed", bad[i]);
    assert_int_equal(n_checks - before, 10 + 18);
}

static ra_prof_questionnaire *load_default_questionnaire(void)
{
    char path[4096];
    const char *file = __FILE__, *slash = strrchr(file, '/');
    snprintf(path, sizeof path, "%.*s/../../examples/questionnaire/default.json",
             slash ? (int)(slash - file) : 1, slash ? file : ".");
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    ra_prof_questionnaire *q = NULL;
    ra_err err;
    assert_int_equal(ra_prof_questionnaire_parse(buf, n, &q, &err), RA_OK);
    return q;
}

/* The answers document is not personal data, but a user may paste personal data into it. */
static void test_answers_document(void **state)
{
    (void)state;
    ra_prof_questionnaire *q = load_default_questionnaire();
    const char *docs[] = {
        "{\"questionnaire\": \"ra-default\", \"version\": 1, \"answers\": [" NAME "]}",
        "{\"questionnaire\": \"ra-default\", \"version\": 1, \"answers\": [\"" NAME "\"",
        "{\"questionnaire\": \"" NAME "\", \"version\": 1, \"answers\": []}",
        "{\"questionnaire\": \"ra-default\", \"version\": 1, \"" TAXID "\": 1, \"answers\": []}",
        "{\"questionnaire\": \"ra-default\", \"version\": 1, \"answers\": [{\"question\": \""
        NAME "\", \"choice\": \"x\"}]}",
        "{\"questionnaire\": \"ra-default\", \"version\": 1, \"answers\": [{\"question\": "
        "\"horizon\", \"choice\": \"" EMAIL "\"}]}",
        "{\"questionnaire\": \"ra-default\", \"version\": 1, \"answers\": [{\"question\": "
        "\"age\", \"value\": \"" BIRTH "\"}]}",
    };
    int before = n_checks;
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        ra_err err;
        memset(&err, 0, sizeof err);
        ra_prof_answers *a = NULL;
        ra_status st = ra_prof_answers_parse(q, docs[i], strlen(docs[i]), &a, &err);
        ra_prof_answers_destroy(a);
        clean("answers document", st, &err);
    }
    ra_prof_questionnaire_destroy(q);
    assert_int_equal(n_checks - before, 7);
}

/* The models CSV holds no personal data, but a misplaced clients file must not leak either. */
static void test_models_csv(void **state)
{
    (void)state;
    const char *texts[] = {
        "model,ticker,weight\n\"" NAME "\",VTI,1\n",
        "model,ticker,weight\nM1,\"" NAME "\",1\n",
        "model,ticker,weight\nM1,VTI," TAXID "\n",
        "model,ticker,weight\nM1,VTI,1," EMAIL "\n",
        "C1,H1,ADV1," NAME "," EMAIL "," TAXID ",\"" ADDR "\"\n",
        "model,ticker,weight,version\nM1,VTI,1," BIRTH "\n",
    };
    int before = n_checks;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        ra_err err;
        memset(&err, 0, sizeof err);
        ra_model *m = NULL;
        size_t n = 0;
        ra_status st = ra_models_csv_parse(texts[i], strlen(texts[i]), "m.csv", &m, &n, &err);
        free(m);
        clean("models CSV", st, &err);
    }
    assert_int_equal(n_checks - before, 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_import_kind_given_personal_data),
        cmocka_unit_test(test_clients_file_misaligned_and_malformed),
        cmocka_unit_test(test_onboarding_document),
        cmocka_unit_test(test_answers_document),
        cmocka_unit_test(test_models_csv),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    /* 8 kinds x 8 + 7 header cases, 22 clients, 28 onboarding, 7 answers, 6 models */
    if (rc == 0 && n_checks < 134) {
        fprintf(stderr, "only %d messages checked, expected at least 134\n", n_checks);
        return 1;
    }
    printf("%d messages checked for personal data\n", n_checks);
    return rc;
}
