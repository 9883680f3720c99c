/* libFuzzer target for the onboarding document (ra_onboard_doc_parse), then its answers against
 * the default questionnaire examples/questionnaire/default.json and scoring. Aborts when a promise
 * of include/roboadvisor/onboard.h does not hold: an error has a JSON path, a success has 1..16
 * accounts, a client code and NUL-terminated answers. Corpus: fuzz/corpus/onboard. */
#include <roboadvisor/onboard.h>
#include <roboadvisor/onboard_io.h>
#include <roboadvisor/prof_io.h>

#include "fuzz_common.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ra_prof_questionnaire *default_questionnaire(void)
{
    static ra_prof_questionnaire *q;
    if (q)
        return q;
    char path[4096];
    const char *file = __FILE__, *slash = strrchr(file, '/');
    int dir = slash ? (int)(slash - file) : 1;
    snprintf(path, sizeof path, "%.*s/../examples/questionnaire/default.json", dir,
             slash ? file : ".");
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    ra_err err;
    CHECK(n < sizeof buf && ra_prof_questionnaire_parse(buf, n, &q, &err) == RA_OK);
    return q;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const ra_prof_questionnaire *q = default_questionnaire();
    ra_err err = {0};
    ra_onboard_doc *doc = NULL;
    ra_status rc = ra_onboard_doc_parse((const char *)data, size, &doc, &err);
    if (rc != RA_OK) {
        CHECK(doc == NULL);
        CHECK(rc == RA_EPARSE || rc == RA_ENOMEM);
        CHECK(rc != RA_EPARSE || err.where[0] == '$');
        return 0;
    }
    CHECK(doc->n_accounts >= 1 && doc->n_accounts <= RA_ONBOARD_MAX_ACCOUNTS);
    CHECK(doc->client.code[0] != '\0' && doc->client.household[0] != '\0');
    CHECK(doc->answers && strlen(doc->answers) == doc->answers_size);
    ra_prof_answers *a = NULL;
    if (ra_prof_answers_parse(q, doc->answers, doc->answers_size, &a, &err) == RA_OK) {
        ra_profile p;
        CHECK(ra_prof_score(q, a->resp, a->n, 0, 19000, &p, &err) == RA_OK);
        CHECK(p.level >= 1 && p.level <= RA_PROF_LEVELS);
        ra_prof_answers_destroy(a);
    } else {
        CHECK(err.where[0] == '$');
    }
    ra_onboard_doc_destroy(doc);
    return 0;
}
