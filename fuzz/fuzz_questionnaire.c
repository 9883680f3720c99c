/* libFuzzer target for the questionnaire reader (ra_prof_questionnaire_parse). Aborts when a
 * promise of include/roboadvisor/prof.h does not hold. Corpus: fuzz/corpus/questionnaire; see
 * fuzz/README.md. */
#include <roboadvisor/prof.h>
#include <roboadvisor/prof_io.h>

#include "fuzz_common.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_id(const char *id)
{
    CHECK(id && id[0] != '\0' && strlen(id) <= RA_PROF_MAX_ID);
    CHECK(strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
          strlen(id));
}

static void check_texts(char **t, size_t n)
{
    CHECK(t != NULL);
    for (size_t l = 0; l < n; l++)
        CHECK(t[l] && t[l][0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ra_err err;
    ra_prof_questionnaire *q = (ra_prof_questionnaire *)(uintptr_t)1;
    ra_status st = ra_prof_questionnaire_parse((const char *)data, size, &q, &err);
    if (st != RA_OK) {
        fuzz_check_rejected(st, q, &err);
        CHECK(err.where[0] == '$');
        return 0;
    }
    check_id(q->id);
    CHECK(q->version >= 1 && q->validity_months >= 1 && q->validity_months <= 120);
    CHECK(q->n_langs >= 1 && q->n_langs <= RA_PROF_MAX_LANGS);
    for (size_t l = 0; l < q->n_langs; l++) {
        check_id(q->langs[l]);
        for (size_t k = 0; k < l; k++)
            CHECK(strcmp(q->langs[k], q->langs[l]) != 0);
    }
    if (q->title)
        check_texts(q->title, q->n_langs);
    for (int m = 0; m < 2; m++) {
        CHECK(q->bands[m][0] == 0.0);
        for (int k = 1; k < RA_PROF_LEVELS; k++)
            CHECK(q->bands[m][k] > q->bands[m][k - 1] && q->bands[m][k] <= 100.0);
    }
    CHECK(q->n_questions >= 1 && q->n_questions <= RA_PROF_MAX_QUESTIONS);
    int has[3] = {0, 0, 0};
    for (size_t i = 0; i < q->n_questions; i++) {
        const ra_prof_question *qu = &q->questions[i];
        check_id(qu->id);
        check_texts(qu->text, q->n_langs);
        CHECK(ra_prof_question_find(q, qu->id) == i);
        CHECK(qu->weight > 0.0 && qu->weight <= RA_PROF_MAX_WEIGHT);
        CHECK(qu->n_options >= 1 && qu->n_options <= RA_PROF_MAX_OPTIONS);
        CHECK(qu->kind == RA_PROF_NUMBER || qu->n_options >= 2);
        CHECK(qu->max_score >= 0.0 && isfinite(qu->max_score));
        if (qu->required)
            has[qu->measure] = 1;
        if (qu->measure != RA_PROF_NONE)
            CHECK(qu->max_score > 0.0);
        for (size_t k = 0; k < qu->n_options; k++) {
            const ra_prof_option *o = &qu->options[k];
            check_id(o->id);
            for (size_t j = 0; j < k; j++)
                CHECK(strcmp(qu->options[j].id, o->id) != 0);
            CHECK(o->score >= 0.0 && o->score <= RA_PROF_MAX_SCORE && o->score <= qu->max_score);
            CHECK(o->cap >= 0 && o->cap <= RA_PROF_LEVELS);
            if (qu->kind != RA_PROF_NUMBER)
                check_texts(o->text, q->n_langs);
            else if (o->text)
                check_texts(o->text, q->n_langs);
            if (qu->kind == RA_PROF_NUMBER && k > 0)
                CHECK(o->min > qu->options[k - 1].min);
            CHECK(!o->exclusive || qu->kind == RA_PROF_MULTIPLE);
        }
        if (qu->kind == RA_PROF_NUMBER)
            CHECK(qu->max >= qu->options[qu->n_options - 1].min);
    }
    CHECK(has[RA_PROF_TOLERANCE] && has[RA_PROF_CAPACITY]);
    CHECK(q->n_rules <= RA_PROF_MAX_RULES);
    for (size_t r = 0; r < q->n_rules; r++) {
        const ra_prof_rule *rule = &q->rules[r];
        check_id(rule->id);
        check_texts(rule->reason, q->n_langs);
        CHECK(rule->n_clauses >= 1 && rule->n_clauses <= RA_PROF_MAX_CLAUSES);
        for (size_t c = 0; c < rule->n_clauses; c++) {
            const ra_prof_clause *cl = &rule->clauses[c];
            CHECK(cl->question < q->n_questions && cl->options != 0);
            size_t n = q->questions[cl->question].n_options;
            CHECK(n == 64 || (cl->options >> n) == 0);
        }
    }
    /* Score the lowest answers of every question (the first answer, the first band's minimum):
     * a parsed questionnaire always scores. */
    ra_prof_response *resp = calloc(q->n_questions, sizeof *resp);
    if (resp) {
        for (size_t i = 0; i < q->n_questions; i++) {
            const ra_prof_question *qu = &q->questions[i];
            resp[i].answered = 1;
            resp[i].chosen = 1;
            if (qu->kind == RA_PROF_NUMBER) {
                double v = qu->integer ? ceil(qu->options[0].min) : qu->options[0].min;
                resp[i].value = v;
                /* a first band without a whole number is left unanswered */
                resp[i].answered = v <= qu->max && (qu->n_options == 1 || v < qu->options[1].min);
            }
        }
        ra_profile p;
        st = ra_prof_score(q, resp, q->n_questions, q->n_langs - 1, 0, &p, &err);
        if (st == RA_OK) {
            CHECK(p.level >= 1 && p.level <= p.tolerance_level && p.level <= p.capacity_level);
            CHECK(p.tolerance_score >= 0.0 && p.tolerance_score <= 100.0 + 1e-9);
            CHECK(p.capacity_score >= 0.0 && p.capacity_score <= 100.0 + 1e-9);
            CHECK(p.n_flags <= q->n_rules && p.expires > p.taken);
        } else {
            CHECK(st == RA_EINVAL); /* only a required question left unanswered above */
        }
        free(resp);
    }
    ra_prof_questionnaire_destroy(q);
    return 0;
}
