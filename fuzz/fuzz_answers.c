/* libFuzzer target for the answers reader (ra_prof_answers_parse) against the default
 * questionnaire examples/questionnaire/default.json, then scoring in every language. Aborts when a
 * promise of include/roboadvisor/prof.h does not hold. Corpus: fuzz/corpus/answers; see
 * fuzz/README.md. */
#include <roboadvisor/prof.h>
#include <roboadvisor/prof_io.h>

#include "fuzz_common.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The default questionnaire, found next to this source file (CMake compiles it by its absolute
 * path), read once and kept for the whole run. */
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
    ra_err err;
    ra_prof_answers *a = (ra_prof_answers *)(uintptr_t)1;
    ra_status st = ra_prof_answers_parse(q, (const char *)data, size, &a, &err);
    if (st != RA_OK) {
        fuzz_check_rejected(st, a, &err);
        CHECK(err.where[0] == '$');
        return 0;
    }
    CHECK(a->n == q->n_questions);
    for (size_t i = 0; i < a->n; i++) {
        const ra_prof_question *qu = &q->questions[i];
        const ra_prof_response *r = &a->resp[i];
        CHECK(r->answered || !qu->required);
        if (!r->answered)
            continue;
        CHECK(r->chosen != 0 && (qu->n_options == 64 || (r->chosen >> qu->n_options) == 0));
        if (qu->kind == RA_PROF_NUMBER)
            CHECK(isfinite(r->value) && r->value >= qu->options[0].min && r->value <= qu->max);
    }
    for (size_t l = 0; l < q->n_langs; l++) {
        ra_profile p;
        CHECK(ra_prof_score(q, a->resp, a->n, l, 19000, &p, &err) == RA_OK);
        CHECK(p.tolerance_level >= 1 && p.tolerance_level <= 5);
        CHECK(p.capacity_level >= 1 && p.capacity_level <= 5);
        CHECK(p.level >= 1 && p.level <= p.tolerance_level && p.level <= p.capacity_level);
        CHECK(p.cap == 0 || p.level <= p.cap);
        CHECK(p.tolerance_score >= 0.0 && p.tolerance_score <= 100.0 + 1e-9);
        CHECK(p.capacity_score >= 0.0 && p.capacity_score <= 100.0 + 1e-9);
        CHECK(p.n_flags <= q->n_rules && p.needs_review == (p.n_flags > 0));
        for (size_t k = 0; k < p.n_flags; k++)
            CHECK(p.flags[k].reason == q->rules[p.flags[k].rule].reason[l]);
        CHECK(!ra_prof_expired(&p, 19000) && ra_prof_expired(&p, p.expires));
    }
    ra_prof_answers_destroy(a);
    return 0;
}
