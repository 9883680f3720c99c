/* Risk profiling and suitability (src/util/questionnaire.c, src/core/prof.c). Expected levels are
 * scored by hand from examples/questionnaire/default.json with the formula of
 * docs/methodology.md#risk-profiling-and-suitability: a measure's score is
 * 100 * sum(weight * score) / sum(weight * max score) over its answered questions.
 *
 * The default questionnaire's denominators (all questions answered):
 *   capacity  = horizon 2*4 + age 4 + income-stability 3 + savings 3 + net-worth 4 + liquidity 3
 *             = 25 (22 without the optional savings question)
 *   tolerance = experience 4 + loss-reaction 2*3 + max-loss 4 + objective 4 = 18
 * Bands (both measures): C1 [0,20) C2 [20,40) C3 [40,60) C4 [60,80) C5 [80,100]. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <roboadvisor/roboadvisor.h>

#include <jansson.h>
#include <string.h>

#include "ra_test.h"

#define DEFAULT_Q RA_GOLDEN_DIR "/../../examples/questionnaire/default.json"

static char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static ra_prof_questionnaire *load_default(void)
{
    size_t n;
    char *text = read_all(DEFAULT_Q, &n);
    ra_prof_questionnaire *q = NULL;
    ra_err err = {0};
    ra_status st = ra_prof_questionnaire_parse(text, n, &q, &err);
    free(text);
    if (st != RA_OK)
        fail_msg("default questionnaire: %s: %s", err.where, err.msg);
    return q;
}

/* Parses answers JSON against q and scores it on 2024-03-15 in language lang. */
static ra_status score_json(const ra_prof_questionnaire *q, const char *json, const char *lang,
                            ra_profile *p, ra_err *err)
{
    ra_prof_answers *a = NULL;
    ra_status st = ra_prof_answers_parse(q, json, strlen(json), &a, err);
    if (st != RA_OK) {
        assert_null(a);
        return st;
    }
    size_t li;
    st = ra_prof_lang_find(q, lang, &li, err);
    if (st == RA_OK)
        st = ra_prof_score(q, a->resp, a->n, li, ra_date_from_ymd(2024, 3, 15), p, err);
    ra_prof_answers_destroy(a);
    return st;
}

#define HEAD "{\"questionnaire\": \"ra-default\", \"version\": 1, \"answers\": ["
#define A1(q, c) "{\"question\": \"" q "\", \"choice\": \"" c "\"}"
#define AV(q, v) "{\"question\": \"" q "\", \"value\": " v "}"
#define AM(q, cs) "{\"question\": \"" q "\", \"choices\": [" cs "]}"

/* ---- the default questionnaire ------------------------------------------------------------ */

static void test_questionnaire_parse_default(void **state)
{
    (void)state;
    ra_prof_questionnaire *q = load_default();
    assert_string_equal(q->id, "ra-default");
    assert_int_equal(q->version, 1);
    assert_int_equal(q->n_langs, 2);
    assert_string_equal(q->langs[0], "en");
    assert_string_equal(q->langs[1], "zh-Hans");
    assert_int_equal(q->validity_months, 12);
    assert_int_equal(q->n_questions, 10);
    assert_int_equal(q->n_rules, 4);
    /* every text present in both languages */
    size_t texts = 0;
    for (size_t i = 0; i < q->n_questions; i++) {
        const ra_prof_question *qu = &q->questions[i];
        for (size_t l = 0; l < 2; l++, texts++)
            assert_true(strlen(qu->text[l]) > 0);
        for (size_t k = 0; k < qu->n_options; k++)
            for (size_t l = 0; l < 2; l++, texts++)
                assert_true(strlen(qu->options[k].text[l]) > 0);
    }
    assert_int_equal(texts, 2 * (10 + 5 + 5 + 4 + 4 + 5 + 4 + 6 + 4 + 5 + 5));
    size_t li;
    ra_err err = {0};
    assert_int_equal(ra_prof_lang_find(q, "zh-Hans", &li, &err), RA_OK);
    assert_int_equal(li, 1);
    assert_string_equal(q->questions[0].text[li], "您预计何时需要动用这笔投资的大部分资金？");
    assert_int_equal(ra_prof_lang_find(q, "ZH-hans", &li, &err), RA_OK);
    assert_int_equal(li, 1);
    assert_int_equal(ra_prof_lang_find(q, "fr", &li, &err), RA_ENOTFOUND);
    assert_string_equal(err.msg, "questionnaire \"ra-default\" has no language \"fr\" (it has en, zh-Hans)");
    /* derived maximum scores: the denominators in the comment at the top */
    double cap = 0, tol = 0;
    for (size_t i = 0; i < q->n_questions; i++) {
        const ra_prof_question *qu = &q->questions[i];
        if (qu->measure == RA_PROF_CAPACITY) cap += qu->weight * qu->max_score;
        if (qu->measure == RA_PROF_TOLERANCE) tol += qu->weight * qu->max_score;
    }
    RA_ASSERT_CLOSE(cap, 25.0, 0.0, 0.0);
    RA_ASSERT_CLOSE(tol, 18.0, 0.0, 0.0);
    ra_prof_questionnaire_destroy(q);
    ra_prof_questionnaire_destroy(NULL);
}

/* ---- hand-scored clients ------------------------------------------------------------------ */

/* A: 30 years old, long horizon, experienced and calm.
 * capacity  = 2*4 (h-gt10) + 4 (age 30) + 3 (inc-very-stable) + 2 (sav-10-30) + 3 (nw-10-25)
 *           + 3 (liq-none) = 23 / 25 = 92 -> C5
 * tolerance = max(3 funds, 4 stocks) = 4 + 2*3 (loss-buy) + 4 (ml-gt20) + 4 (obj-max-growth)
 *           = 18 / 18 = 100 -> C5;  level C5, no cap, no flag */
static const char *client_a =
    HEAD A1("horizon", "h-gt10") "," AV("age", "30") "," A1("income-stability", "inc-very-stable")
    "," A1("savings", "sav-10-30") "," A1("net-worth", "nw-10-25") "," A1("liquidity", "liq-none")
    "," AM("experience", "\"exp-funds\", \"exp-stocks\"") "," A1("loss-reaction", "loss-buy")
    "," A1("max-loss", "ml-gt20") "," A1("objective", "obj-max-growth") "]}";

static void test_score_client_a_aggressive(void **state)
{
    (void)state;
    ra_prof_questionnaire *q = load_default();
    ra_profile p;
    ra_err err = {0};
    assert_int_equal(score_json(q, client_a, "en", &p, &err), RA_OK);
    RA_ASSERT_CLOSE(p.capacity_score, 92.0, 1e-12, 0.0);
    RA_ASSERT_CLOSE(p.tolerance_score, 100.0, 1e-12, 0.0);
    assert_int_equal(p.capacity_level, 5);
    assert_int_equal(p.tolerance_level, 5);
    assert_int_equal(p.cap, 0);
    assert_null(p.cap_question);
    assert_int_equal(p.level, 5);
    assert_string_equal(ra_prof_level_name(p.level), "C5");
    assert_int_equal(p.n_flags, 0);
    assert_false(p.needs_review);
    assert_string_equal(p.questionnaire_id, "ra-default");
    assert_int_equal(p.version, 1);
    ra_prof_questionnaire_destroy(q);
}

/* B: 68, retired on a pension, skips the optional savings question, answers in another order.
 * capacity  = 2*2 (h-2-5) + 1 (age 68: band 65-74) + 3 (inc-very-stable) + 2 (nw-25-50)
 *           + 2 (liq-some) = 12 / 22 (savings unanswered: 25 - 3) = 54.5454... -> C3
 * tolerance = max(2 bonds, 3 funds) = 3 + 2*2 (loss-hold) + 2 (ml-10) + 2 (obj-balanced)
 *           = 11 / 18 = 61.111... -> C4;  level = min(C4, C3) = C3 */
static void test_score_client_b_lower_measure_governs(void **state)
{
    (void)state;
    ra_prof_questionnaire *q = load_default();
    const char *json =
        HEAD A1("objective", "obj-balanced") "," AV("age", "68") "," A1("horizon", "h-2-5")
        "," A1("income-stability", "inc-very-stable") "," A1("net-worth", "nw-25-50")
        "," A1("liquidity", "liq-some") "," AM("experience", "\"exp-funds\",\"exp-bonds\"")
        "," A1("loss-reaction", "loss-hold") "," A1("max-loss", "ml-10") "]}";
    ra_profile p;
    ra_err err = {0};
    assert_int_equal(score_json(q, json, "en", &p, &err), RA_OK);
    RA_ASSERT_CLOSE(p.capacity_score, 1200.0 / 22.0, 1e-12, 0.0);
    RA_ASSERT_CLOSE(p.tolerance_score, 1100.0 / 18.0, 1e-12, 0.0);
    assert_int_equal(p.capacity_level, 3);
    assert_int_equal(p.tolerance_level, 4);
    assert_int_equal(p.level, 3);
    assert_int_equal(p.n_flags, 0);
    ra_prof_questionnaire_destroy(q);
}

/* C: client A's capacity (92 -> C5) but no investment experience: exp-none caps at C2.
 * tolerance = 0 (exp-none) + 2*2 (loss-hold) + 3 (ml-20) + 3 (obj-growth) = 10 / 18 = 55.6 -> C3
 * level = min(C3, C5) = C3, capped at C2 -> C2 */
static void test_score_client_c_knockout_no_experience(void **state)
{
    (void)state;
    ra_prof_questionnaire *q = load_default();
    const char *json =
        HEAD A1("horizon", "h-gt10") "," AV("age", "30") "," A1("income-stability", "inc-very-stable")
        "," A1("savings", "sav-10-30") "," A1("net-worth", "nw-10-25") "," A1("liquidity", "liq-none")
        "," AM("experience", "\"exp-none\"") "," A1("loss-reaction", "loss-hold")
        "," A1("max-loss", "ml-20") "," A1("objective", "obj-growth") "]}";
    ra_profile p;
    ra_err err = {0};
    assert_int_equal(score_json(q, json, "en", &p, &err), RA_OK);
    RA_ASSERT_CLOSE(p.capacity_score, 92.0, 1e-12, 0.0);
    RA_ASSERT_CLOSE(p.tolerance_score, 1000.0 / 18.0, 1e-12, 0.0);
    assert_int_equal(p.tolerance_level, 3);
    assert_int_equal(p.capacity_level, 5);
    assert_int_equal(p.cap, 2);
    assert_string_equal(p.cap_question, "experience");
    assert_string_equal(p.cap_option, "exp-none");
    assert_int_equal(p.level, 2);
    ra_prof_questionnaire_destroy(q);
}

/* D: horizon 1-2 years with a wish for maximum growth: flagged, not capped.
 * capacity  = 2*1 (h-1-2) + 3 (age 45) + 2 (inc-stable) + 3 (sav-gt30) + 4 (nw-lt10) + 2 (liq-some)
 *           = 16 / 25 = 64 -> C4
 * tolerance = 4 (exp-stocks) + 2*3 + 4 + 4 = 18 / 18 = 100 -> C5;  level C4 */
static void test_score_client_d_contradiction(void **state)
{
    (void)state;
    ra_prof_questionnaire *q = load_default();
    const char *json =
        HEAD A1("horizon", "h-1-2") "," AV("age", "45") "," A1("income-stability", "inc-stable")
        "," A1("savings", "sav-gt30") "," A1("net-worth", "nw-lt10") "," A1("liquidity", "liq-some")
        "," AM("experience", "\"exp-stocks\"") "," A1("loss-reaction", "loss-buy")
        "," A1("max-loss", "ml-gt20") "," A1("objective", "obj-max-growth") "]}";
    ra_profile p;
    ra_err err = {0};
    assert_int_equal(score_json(q, json, "en", &p, &err), RA_OK);
    RA_ASSERT_CLOSE(p.capacity_score, 64.0, 1e-12, 0.0);
    assert_int_equal(p.capacity_level, 4);
    assert_int_equal(p.tolerance_level, 5);
    assert_int_equal(p.level, 4);
    assert_int_equal(p.cap, 0);
    assert_int_equal(p.n_flags, 1);
    assert_true(p.needs_review);
    assert_int_equal(p.flags[0].rule, 0);
    assert_string_equal(p.flags[0].rule_id, "short-horizon-max-growth");
    assert_string_equal(p.flags[0].reason, "wants maximum growth but needs the money within two "
                                           "years, too little time to recover from a fall");
    /* the same answers in Chinese */
    assert_int_equal(score_json(q, json, "zh-Hans", &p, &err), RA_OK);
    assert_int_equal(p.n_flags, 1);
    assert_string_equal(p.flags[0].reason,
                        "追求收益最大化，但两年内就要用这笔钱，一旦下跌可能来不及等待回升");
    ra_prof_questionnaire_destroy(q);
}

/* E: two knock-outs (liq-most caps C1, exp-none caps C2: the lower, C1, wins) and two flags.
 * capacity  = 2*4 (h-gt10) + 4 (age 25) + 1 (inc-variable) + 0 (sav-none) + 0 (nw-gt75)
 *           + 0 (liq-most) = 13 / 25 = 52 -> C3
 * tolerance = 0 (exp-none) + 2*0 (loss-sell-all) + 4 (ml-gt20) + 0 (obj-preserve) = 4 / 18
 *           = 22.2 -> C2;  level = min(C2, C3, cap C1) = C1
 * flags: sells-all-accepts-large-loss (rule 2), long-horizon-needs-cash (rule 3) */
static void test_score_client_e_lowest_cap_and_two_flags(void **state)
{
    (void)state;
    ra_prof_questionnaire *q = load_default();
    const char *json =
        HEAD A1("horizon", "h-gt10") "," AV("age", "25") "," A1("income-stability", "inc-variable")
        "," A1("savings", "sav-none") "," A1("net-worth", "nw-gt75") "," A1("liquidity", "liq-most")
        "," AM("experience", "\"exp-none\"") "," A1("loss-reaction", "loss-sell-all")
        "," A1("max-loss", "ml-gt20") "," A1("objective", "obj-preserve") "]}";
    ra_profile p;
    ra_err err = {0};
    assert_int_equal(score_json(q, json, "zh-Hans", &p, &err), RA_OK);
    RA_ASSERT_CLOSE(p.capacity_score, 52.0, 1e-12, 0.0);
    RA_ASSERT_CLOSE(p.tolerance_score, 400.0 / 18.0, 1e-12, 0.0);
    assert_int_equal(p.capacity_level, 3);
    assert_int_equal(p.tolerance_level, 2);
    assert_int_equal(p.cap, 1);
    assert_string_equal(p.cap_question, "liquidity");
    assert_string_equal(p.cap_option, "liq-most");
    assert_int_equal(p.level, 1);
    assert_int_equal(p.n_flags, 2);
    assert_string_equal(p.flags[0].rule_id, "sells-all-accepts-large-loss");
    assert_string_equal(p.flags[1].rule_id, "long-horizon-needs-cash");
    assert_string_equal(p.flags[1].reason,
                        "预计一年内要取出大部分资金，却选择了五年以上的投资期限");
    ra_prof_questionnaire_destroy(q);
}

/* F: a capacity score exactly on a band bound reaches it.
 * capacity = 2*1 (h-1-2) + 2 (age 50: band 50-64, its lower bound) + 2 (inc-stable)
 *          + 1 (sav-lt10) + 1 (nw-50-75) + 2 (liq-some) = 10 / 25 = 40 -> C3, not C2.
 * Age 49 is in band 35-49 (3): 11 / 25 = 44 -> C3. Age 120, the highest accepted, is band 75+ (0):
 * 8 / 25 = 32 -> C2. tolerance = 2 (bonds) + 2*1 + 1 + 1 = 6 / 18 = 33.3 -> C2 */
static void test_score_band_bounds(void **state)
{
    (void)state;
    ra_prof_questionnaire *q = load_default();
    static const struct { const char *age; double cap; int level; } cases[] = {
        {"50", 40.0, 3}, {"49", 44.0, 3}, {"120", 32.0, 2}, {"18", 48.0, 3}};
    char json[2048];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(json, sizeof json, "%s%s%s%s", HEAD A1("horizon", "h-1-2") ",",
                 "{\"question\": \"age\", \"value\": ", cases[i].age,
                 "}," A1("income-stability", "inc-stable") "," A1("savings", "sav-lt10")
                 "," A1("net-worth", "nw-50-75") "," A1("liquidity", "liq-some")
                 "," AM("experience", "\"exp-bonds\"") "," A1("loss-reaction", "loss-sell-some")
                 "," A1("max-loss", "ml-5") "," A1("objective", "obj-income") "]}");
        ra_profile p;
        ra_err err = {0};
        assert_int_equal(score_json(q, json, "en", &p, &err), RA_OK);
        RA_ASSERT_CLOSE(p.capacity_score, cases[i].cap, 1e-12, 0.0);
        assert_int_equal(p.capacity_level, cases[i].level);
        RA_ASSERT_CLOSE(p.tolerance_score, 600.0 / 18.0, 1e-12, 0.0);
        assert_int_equal(p.tolerance_level, 2);
        assert_int_equal(p.level, 2);
    }
    ra_prof_questionnaire_destroy(q);
}

/* ---- expiry ------------------------------------------------------------------------------- */

static void test_prof_expiry(void **state)
{
    (void)state;
    ra_prof_questionnaire *q = load_default();
    ra_profile p;
    ra_err err = {0};
    assert_int_equal(score_json(q, client_a, "en", &p, &err), RA_OK);
    assert_int_equal(p.taken, ra_date_from_ymd(2024, 3, 15));
    assert_int_equal(p.expires, ra_date_from_ymd(2025, 3, 15));
    assert_false(ra_prof_expired(&p, ra_date_from_ymd(2024, 3, 15)));
    assert_false(ra_prof_expired(&p, ra_date_from_ymd(2025, 3, 14)));
    assert_true(ra_prof_expired(&p, ra_date_from_ymd(2025, 3, 15)));
    assert_true(ra_prof_expired(&p, ra_date_from_ymd(2030, 1, 1)));
    assert_true(ra_prof_expired(NULL, 0));
    /* calendar months, the day clamped to the month's end */
    assert_int_equal(ra_prof_add_months(ra_date_from_ymd(2024, 2, 29), 12), ra_date_from_ymd(2025, 2, 28));
    assert_int_equal(ra_prof_add_months(ra_date_from_ymd(2024, 1, 31), 1), ra_date_from_ymd(2024, 2, 29));
    assert_int_equal(ra_prof_add_months(ra_date_from_ymd(2023, 12, 31), 6), ra_date_from_ymd(2024, 6, 30));
    assert_int_equal(ra_prof_add_months(ra_date_from_ymd(2023, 11, 5), 2), ra_date_from_ymd(2024, 1, 5));
    ra_prof_questionnaire_destroy(q);
}

/* ---- answers: every validation error with its path and message ---------------------------- */

static const char *rest_of_a =
    "," AV("age", "30") "," A1("income-stability", "inc-very-stable") "," A1("net-worth", "nw-10-25")
    "," A1("liquidity", "liq-none") "," AM("experience", "\"exp-funds\"")
    "," A1("loss-reaction", "loss-buy") "," A1("max-loss", "ml-gt20") "]}";

static void test_answers_validation_errors(void **state)
{
    (void)state;
    ra_prof_questionnaire *q = load_default();
    /* The answers after the prefix: A1 horizon at [0], then [1..7] from rest_of_a, missing the
     * objective (required). Each case is (document, where, message). */
    static const struct { const char *doc; const char *where; const char *msg; } cases[] = {
        {"", "$", "the answers document is not valid JSON (line 1, column 0, position 0): the document ends too early"},
        {"[1]", "$", "the answers document must be an object, got an array"},
        {"{\"questionnaire\": \"ra-default\", \"questionnaire\": \"x\"}", "$",
         "the answers document is not valid JSON (line 1, column 47, position 47): a key is given twice in one object"},
        {"{\"version\": 1, \"answers\": []}", "$", "missing \"questionnaire\""},
        {"{\"questionnaire\": 7, \"version\": 1, \"answers\": []}", "$.questionnaire", "expected a string, got a number"},
        {"{\"questionnaire\": \"other\", \"version\": 1, \"answers\": []}", "$.questionnaire",
         "the answers are to another questionnaire, not \"ra-default\" (the id given is not shown)"},
        {"{\"questionnaire\": \"ra-default\", \"version\": 2, \"answers\": []}", "$.version",
         "the answers are to version 2 of questionnaire \"ra-default\", not version 1"},
        {"{\"questionnaire\": \"ra-default\", \"version\": \"1\", \"answers\": []}", "$.version",
         "expected a whole number, got a string"},
        {"{\"questionnaire\": \"ra-default\", \"version\": 1.5, \"answers\": []}", "$.version",
         "expected a whole number, got a number"},
        {"{\"questionnaire\": \"ra-default\", \"version\": 1}", "$", "missing \"answers\""},
        {"{\"questionnaire\": \"ra-default\", \"version\": 1, \"answers\": {}}", "$.answers",
         "expected an array, got an object"},
        {"{\"questionnaire\": \"ra-default\", \"version\": 1, \"answers\": [], \"client\": 3}",
         "$", "key 4 of this object is none of questionnaire, version, answers (the key is not "
              "shown: it may be personal data)"},
        {"{\"questionnaire\": \"ra-default\", \"version\": 1, \"answers\": []}", "$.answers",
         "missing an answer to the required question \"horizon\""},
        {HEAD A1("horizon", "h-gt10") "," AV("age", "30") "]}", "$.answers",
         "missing an answer to the required question \"income-stability\""},
        {HEAD "3]}", "$.answers[0]", "expected an object, got a number"},
        {HEAD "{\"choice\": \"h-gt10\"}]}", "$.answers[0]", "missing \"question\""},
        {HEAD "{\"question\": 4, \"choice\": \"h-gt10\"}]}", "$.answers[0].question",
         "expected a string, got a number"},
        {HEAD A1("horizon", "h-gt10") "," A1("risk", "high") "]}", "$.answers[1].question",
         "questionnaire \"ra-default\" has no such question (the text given is not shown)"},
        {HEAD A1("horizon", "h-gt10") "," AV("age", "30") "," A1("horizon", "h-1-2") "]}",
         "$.answers[2].question", "question \"horizon\" is answered twice (first at $.answers[0])"},
        {HEAD "{\"question\": \"horizon\"}]}", "$.answers[0]", "missing \"choice\""},
        {HEAD "{\"question\": \"horizon\", \"choice\": 3}]}", "$.answers[0].choice",
         "expected a string, got a number"},
        {HEAD A1("horizon", "h-gt10") "," AV("age", "30") "," A1("income-stability", "rich") "]}",
         "$.answers[2].choice", "question \"income-stability\" has no such answer (the text given is not shown)"},
        {HEAD "{\"question\": \"horizon\", \"choices\": [\"h-gt10\"]}]}", "$.answers[0].choices",
         "question \"horizon\" is a single question: answer with \"choice\""},
        {HEAD "{\"question\": \"horizon\", \"choice\": \"h-gt10\", \"note\": \"x\"}]}",
         "$.answers[0]", "key 3 of this object is none of question, choice, choices, value (the "
                         "key is not shown: it may be personal data)"},
        {HEAD A1("horizon", "h-gt10") ",{\"question\": \"age\", \"value\": \"30\"}]}",
         "$.answers[1].value", "expected a number, got a string"},
        {HEAD A1("horizon", "h-gt10") ",{\"question\": \"age\", \"choice\": \"age-18-34\"}]}",
         "$.answers[1].choice", "question \"age\" is a number question: answer with \"value\""},
        {HEAD A1("horizon", "h-gt10") "," AV("age", "17") "]}", "$.answers[1].value",
         "17 is below the lowest accepted value 18 of question \"age\""},
        {HEAD A1("horizon", "h-gt10") "," AV("age", "121") "]}", "$.answers[1].value",
         "121 is above the highest accepted value 120 of question \"age\""},
        {HEAD A1("horizon", "h-gt10") "," AV("age", "30.5") "]}", "$.answers[1].value",
         "question \"age\" takes a whole number, got 30.5"},
        {HEAD A1("horizon", "h-gt10") "," A1("experience", "exp-funds") "]}",
         "$.answers[1].choice", "question \"experience\" is a multiple question: answer with \"choices\""},
        {HEAD A1("horizon", "h-gt10") "," AM("experience", "") "]}", "$.answers[1].choices",
         "choose at least one answer to question \"experience\""},
        {HEAD A1("horizon", "h-gt10") ",{\"question\": \"experience\", \"choices\": \"exp-funds\"}]}",
         "$.answers[1].choices", "expected an array of answer ids, got a string"},
        {HEAD A1("horizon", "h-gt10") "," AM("experience", "\"exp-funds\", 2") "]}",
         "$.answers[1].choices[1]", "expected a string, got a number"},
        {HEAD A1("horizon", "h-gt10") "," AM("experience", "\"exp-funds\", \"exp-gold\"") "]}",
         "$.answers[1].choices[1]", "question \"experience\" has no such answer (the text given is not shown)"},
        {HEAD A1("horizon", "h-gt10") "," AM("experience", "\"exp-funds\", \"exp-funds\"") "]}",
         "$.answers[1].choices[1]", "answer \"exp-funds\" is chosen twice"},
        {HEAD A1("horizon", "h-gt10") "," AM("experience", "\"exp-funds\", \"exp-none\"") "]}",
         "$.answers[1].choices[1]", "answer \"exp-none\" of question \"experience\" excludes every other"},
        {HEAD A1("horizon", "h-gt10") "," AM("experience", "\"exp-none\", \"exp-funds\"") "]}",
         "$.answers[1].choices[0]", "answer \"exp-none\" of question \"experience\" excludes every other"},
    };
    size_t checked = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ra_prof_answers *a = (ra_prof_answers *)(uintptr_t)1;
        ra_err err = {0};
        ra_status st = ra_prof_answers_parse(q, cases[i].doc, strlen(cases[i].doc), &a, &err);
        if (st != RA_EPARSE || strcmp(err.where, cases[i].where) != 0 ||
            strcmp(err.msg, cases[i].msg) != 0)
            fail_msg("case %zu: got %d %s: %s\nwant %s: %s", i, st, err.where, err.msg,
                     cases[i].where, cases[i].msg);
        assert_null(a);
        checked++;
    }
    assert_int_equal(checked, sizeof cases / sizeof cases[0]);

    /* the full answers minus the objective: missing required; with it, valid */
    char json[2048];
    snprintf(json, sizeof json, "%s%s", HEAD A1("horizon", "h-gt10"), rest_of_a);
    ra_prof_answers *a = NULL;
    ra_err err = {0};
    assert_int_equal(ra_prof_answers_parse(q, json, strlen(json), &a, &err), RA_EPARSE);
    assert_string_equal(err.where, "$.answers");
    assert_string_equal(err.msg, "missing an answer to the required question \"objective\"");
    assert_null(a);
    /* an answer at index 3, as in the example path */
    snprintf(json, sizeof json, "%s",
             HEAD A1("horizon", "h-gt10") "," AV("age", "30") "," A1("net-worth", "nw-10-25")
             "," A1("liquidity", "cash") "]}");
    assert_int_equal(ra_prof_answers_parse(q, json, strlen(json), &a, &err), RA_EPARSE);
    assert_string_equal(err.where, "$.answers[3].choice");
    assert_string_equal(err.msg, "question \"liquidity\" has no such answer (the text given is not shown)");
    /* comments are allowed at every level */
    snprintf(json, sizeof json, "%s",
             "{\"_note\": \"x\", \"questionnaire\": \"ra-default\", \"version\": 1, \"answers\": ["
             "{\"_why\": 1, \"question\": \"horizon\", \"choice\": \"h-gt10\"}" );
    strncat(json, rest_of_a, sizeof json - strlen(json) - 1);
    json[strlen(json) - 2] = '\0'; /* drop "]}" to append the objective */
    strncat(json, "," A1("objective", "obj-growth") "]}", sizeof json - strlen(json) - 1);
    assert_int_equal(ra_prof_answers_parse(q, json, strlen(json), &a, &err), RA_OK);
    assert_int_equal(a->n, q->n_questions);
    assert_false(a->resp[3].answered); /* savings: optional, unanswered */
    assert_true(a->resp[1].answered);
    RA_ASSERT_CLOSE(a->resp[1].value, 30.0, 0.0, 0.0);
    assert_int_equal(a->resp[1].chosen, 1); /* band 0: 18-34 */
    ra_prof_answers_destroy(a);
    ra_prof_answers_destroy(NULL);
    /* not NUL-terminated, exact size; and a document over the limit */
    assert_int_equal(ra_prof_answers_parse(q, client_a, strlen(client_a) - 1, &a, &err), RA_EPARSE);
    assert_string_equal(err.where, "$");
    assert_int_equal(ra_prof_answers_parse(q, client_a, RA_PROF_MAX_DOC + 1, &a, &err), RA_EPARSE);
    assert_string_equal(err.msg, "the answers document is 1048577 bytes, more than the limit of 1048576");
    ra_prof_questionnaire_destroy(q);
}

/* ---- questionnaire validation --------------------------------------------------------------- */

/* A minimal valid questionnaire; each case replaces one piece of it. */
static const char *mini =
    "{\"id\": \"mini\", \"version\": 3, \"languages\": [\"en\", \"zh-Hans\"],"
    " \"levels\": {\"tolerance\": [0, 20, 40, 60, 80], \"capacity\": [0, 25, 50, 75, 90]},"
    " \"questions\": ["
    "  {\"id\": \"t\", \"kind\": \"single\", \"measures\": \"tolerance\","
    "   \"text\": {\"en\": \"T?\", \"zh-Hans\": \"风险？\"},"
    "   \"answers\": [{\"id\": \"lo\", \"score\": 0, \"text\": {\"en\": \"low\", \"zh-Hans\": \"低\"}},"
    "                 {\"id\": \"hi\", \"score\": 4, \"text\": {\"en\": \"high\", \"zh-Hans\": \"高\"}}]},"
    "  {\"id\": \"c\", \"kind\": \"number\", \"measures\": \"capacity\","
    "   \"text\": {\"en\": \"C?\", \"zh-Hans\": \"能力？\"},"
    "   \"bands\": [{\"id\": \"b0\", \"min\": 0, \"score\": 0}, {\"id\": \"b1\", \"min\": 10, \"score\": 2}]}"
    " ],"
    " \"contradictions\": [{\"id\": \"r\", \"when\": [{\"question\": \"t\", \"answers\": [\"hi\"]}],"
    "   \"reason\": {\"en\": \"why\", \"zh-Hans\": \"原因\"}}]}";

/* mini with the first occurrence of from replaced by to (the test fails if from is absent). */
static char *subst(const char *from, const char *to)
{
    const char *at = strstr(mini, from);
    if (!at)
        fail_msg("\"%s\" is not in the mini questionnaire", from);
    size_t n = strlen(mini) - strlen(from) + strlen(to);
    char *s = malloc(n + 1);
    assert_non_null(s);
    size_t pre = (size_t)(at - mini);
    memcpy(s, mini, pre);
    memcpy(s + pre, to, strlen(to));
    strcpy(s + pre + strlen(to), at + strlen(from));
    return s;
}

static void test_questionnaire_validation_errors(void **state)
{
    (void)state;
    ra_prof_questionnaire *q = NULL;
    ra_err err = {0};
    assert_int_equal(ra_prof_questionnaire_parse(mini, strlen(mini), &q, &err), RA_OK);
    assert_int_equal(q->version, 3);
    assert_null(q->questions[1].options[0].text);
    RA_ASSERT_CLOSE(q->bands[1][4], 90.0, 0.0, 0.0);
    ra_prof_questionnaire_destroy(q);

    static const struct { const char *from, *to, *where, *msg; } cases[] = {
        {"\"id\": \"mini\", ", "", "$", "missing \"id\""},
        {"\"mini\"", "\"a b\"", "$.id", "\"a b\" is not an id: 1 to 63 letters, digits, '_', '.' or '-'"},
        {"\"version\": 3", "\"version\": 0", "$.version", "the version must be 1 or more, got 0"},
        {"\"version\": 3", "\"version\": \"3\"", "$.version", "expected a whole number, got a string"},
        {"\"version\": 3", "\"verison\": 3", "$.verison", "\"verison\" is not a key of this object"},
        {"[\"en\", \"zh-Hans\"]", "[]", "$.languages", "0 languages; give 1 to 8"},
        {"[\"en\", \"zh-Hans\"]", "[\"en\", \"en\"]", "$.languages[1]", "language \"en\" is listed twice"},
        {"[0, 20, 40, 60, 80]", "[0, 20, 40, 60]", "$.levels.tolerance",
         "4 bounds; give the lower bounds of C1 to C5 (5 numbers)"},
        {"[0, 20, 40, 60, 80]", "[5, 20, 40, 60, 80]", "$.levels.tolerance[0]", "the lower bound of C1 must be 0, got 5"},
        {"[0, 25, 50, 75, 90]", "[0, 25, 25, 75, 90]", "$.levels.capacity[2]",
         "the bound of C3 (25) must exceed that of C2 (25)"},
        {"[0, 25, 50, 75, 90]", "[0, 25, 50, 75, 101]", "$.levels.capacity[4]", "101 is outside [0, 100]"},
        {"\"kind\": \"single\"", "\"kind\": \"scale\"", "$.questions[0].kind",
         "kind \"scale\" is not \"single\", \"multiple\" or \"number\""},
        {"\"measures\": \"tolerance\"", "\"measures\": \"risk\"", "$.questions[0].measures",
         "\"risk\" is not \"tolerance\", \"capacity\" or \"none\""},
        {"\"measures\": \"tolerance\"", "\"measures\": \"none\"", "$.questions",
         "no required question measures risk tolerance"},
        {"\"measures\": \"tolerance\",", "\"measures\": \"tolerance\", \"required\": false,", "$.questions",
         "no required question measures risk tolerance"},
        {"\"measures\": \"tolerance\",", "\"measures\": \"tolerance\", \"weight\": 0,",
         "$.questions[0].weight", "the weight must be positive, got 0"},
        {"\"measures\": \"tolerance\",", "\"measures\": \"tolerance\", \"weight\": 101,",
         "$.questions[0].weight", "101 is outside [0, 100]"},
        {"\"measures\": \"tolerance\",", "\"measures\": \"tolerance\", \"required\": 1,",
         "$.questions[0].required", "expected true or false, got a number"},
        {"\"measures\": \"tolerance\",", "\"measures\": \"tolerance\", \"combine\": \"sum\",",
         "$.questions[0].combine", "only a multiple question combines scores"},
        {"\"measures\": \"tolerance\",", "\"measures\": \"tolerance\", \"max\": 5,",
         "$.questions[0].max", "only a number question has \"max\""},
        {"\"id\": \"c\"", "\"id\": \"t\"", "$.questions[1].id", "two questions have the id \"t\""},
        {"\"text\": {\"en\": \"T?\", \"zh-Hans\": \"风险？\"}", "\"text\": {\"en\": \"T?\"}",
         "$.questions[0].text", "missing the \"zh-Hans\" text"},
        {"\"text\": {\"en\": \"T?\", \"zh-Hans\": \"风险？\"}", "\"text\": {\"en\": \"T?\", \"zh-Hans\": \"\"}",
         "$.questions[0].text.zh-Hans", "the text must be non-empty and contain no NUL character"},
        {"\"text\": {\"en\": \"T?\", \"zh-Hans\": \"风险？\"}",
         "\"text\": {\"en\": \"T?\", \"zh-Hans\": \"风险？\", \"fr\": \"R?\"}",
         "$.questions[0].text.fr", "\"fr\" is not one of the questionnaire's languages"},
        {"\"text\": {\"en\": \"T?\", \"zh-Hans\": \"风险？\"}", "\"text\": \"T?\"",
         "$.questions[0].text", "expected an object of texts by language, got a string"},
        {"{\"id\": \"hi\", \"score\": 4,", "{\"id\": \"lo\", \"score\": 4,", "$.questions[0].answers[1].id",
         "question \"t\" has two answers \"lo\""},
        {"{\"id\": \"hi\", \"score\": 4,", "{\"id\": \"hi\", \"score\": -1,", "$.questions[0].answers[1].score",
         "-1 is outside [0, 1000]"},
        {"{\"id\": \"hi\", \"score\": 4,", "{\"id\": \"hi\", \"score\": 0,", "$.questions[0]",
         "question \"t\" measures risk tolerance but no answer scores above 0"},
        {"{\"id\": \"hi\", \"score\": 4,", "{\"id\": \"hi\", \"score\": 4, \"cap\": \"C6\",",
         "$.questions[0].answers[1].cap", "\"C6\" is not a level \"C1\" to \"C5\""},
        {"{\"id\": \"hi\", \"score\": 4,", "{\"id\": \"hi\", \"score\": 4, \"exclusive\": true,",
         "$.questions[0].answers[1].exclusive", "only answers of a multiple question can be exclusive"},
        {"{\"id\": \"hi\", \"score\": 4,", "{\"id\": \"hi\", \"score\": 4, \"min\": 1,",
         "$.questions[0].answers[1].min", "\"min\" is not a key of this object"},
        {"{\"id\": \"hi\", \"score\": 4, \"text\": {\"en\": \"high\", \"zh-Hans\": \"高\"}}", "{\"id\": \"hi\", \"score\": 4}",
         "$.questions[0].answers[1]", "missing \"text\""},
        {"\"answers\": [{\"id\": \"lo\"", "\"bands\": [{\"id\": \"lo\"", "$.questions[0].bands",
         "a choice question has \"answers\", not \"bands\""},
        {"{\"id\": \"b1\", \"min\": 10", "{\"id\": \"b1\", \"min\": 0", "$.questions[1].bands[1].min",
         "band minimum 0 must exceed the previous band's 0"},
        {"{\"id\": \"b1\", \"min\": 10", "{\"id\": \"b1\"", "$.questions[1].bands[1]", "missing \"min\""},
        {"\"measures\": \"capacity\",", "\"measures\": \"capacity\", \"max\": 5,", "$.questions[1].max",
         "5 is outside [10, 1e+15]"},
        {"\"bands\": [{\"id\": \"b0\", \"min\": 0, \"score\": 0}, {\"id\": \"b1\", \"min\": 10, \"score\": 2}]",
         "\"integer\": true, \"max\": 10.5, \"bands\": [{\"id\": \"b0\", \"min\": 10.2, \"score\": 2}]",
         "$.questions[1]", "question \"c\" takes a whole number but none lies between 10.2 and 10.5"},
        {"\"measures\": \"capacity\",", "\"measures\": \"capacity\", \"integer\": \"yes\",",
         "$.questions[1].integer", "expected true or false, got a string"},
        {"\"answers\": [\"hi\"]", "\"answers\": [\"b1\"]", "$.contradictions[0].when[0].answers[0]",
         "question \"t\" has no answer \"b1\""},
        {"\"answers\": [\"hi\"]", "\"answers\": [\"hi\", \"hi\"]", "$.contradictions[0].when[0].answers[1]",
         "answer \"hi\" is listed twice"},
        {"\"answers\": [\"hi\"]", "\"answers\": []", "$.contradictions[0].when[0].answers",
         "a clause needs at least one answer"},
        {"{\"question\": \"t\"", "{\"question\": \"x\"", "$.contradictions[0].when[0].question",
         "no question \"x\" in this questionnaire"},
        {"\"when\": [{\"question\": \"t\", \"answers\": [\"hi\"]}]", "\"when\": []",
         "$.contradictions[0].when", "0 clauses; give 1 to 8"},
        {"\"reason\": {\"en\": \"why\", \"zh-Hans\": \"原因\"}", "\"reason\": {\"zh-Hans\": \"原因\"}",
         "$.contradictions[0].reason", "missing the \"en\" text"},
        {"\"contradictions\": [{\"id\": \"r\"", "\"contradictions\": [{\"id\": \"\"",
         "$.contradictions[0].id", "\"\" is not an id: 1 to 63 letters, digits, '_', '.' or '-'"},
        {"{\"id\": \"mini\"", "{\"id\": \"mini\", \"validity_months\": 0", "$.validity_months",
         "0 months is outside [1, 120]"},
        {"{\"id\": \"mini\"", "[{\"id\": \"mini\"", "$",
         "the questionnaire is not valid JSON (line 1, column 727, position 747): the document ends too early"},
    };
    size_t checked = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *doc = subst(cases[i].from, cases[i].to);
        q = (ra_prof_questionnaire *)(uintptr_t)1;
        ra_status st = ra_prof_questionnaire_parse(doc, strlen(doc), &q, &err);
        free(doc);
        if (st != RA_EPARSE || strcmp(err.where, cases[i].where) != 0 ||
            strcmp(err.msg, cases[i].msg) != 0)
            fail_msg("case %zu: got %d %s: %s\nwant %s: %s", i, st, err.where, err.msg,
                     cases[i].where, cases[i].msg);
        assert_null(q);
        checked++;
    }
    assert_int_equal(checked, sizeof cases / sizeof cases[0]);
}

/* A multiple question that sums its scores, exclusive answers in the maximum, and an optional
 * question left out of the denominator.
 * m: answers a 1, b 2, c 3, z 5 (exclusive): max score = max(1+2+3, 5) = 6.
 * tolerance = (1 + 3) / 6 = 66.7 -> C4 (bands 0 20 40 60 80); z alone: 5 / 6 = 83.3 -> C5 */
static void test_score_multiple_sum(void **state)
{
    (void)state;
    char *doc = subst("{\"id\": \"t\", \"kind\": \"single\", \"measures\": \"tolerance\",",
                      "{\"id\": \"m\", \"kind\": \"multiple\", \"combine\": \"sum\", \"measures\": "
                      "\"tolerance\", \"text\": {\"en\": \"M\", \"zh-Hans\": \"多\"}, \"answers\": ["
                      "{\"id\": \"a\", \"score\": 1, \"text\": {\"en\": \"a\", \"zh-Hans\": \"甲\"}},"
                      "{\"id\": \"b\", \"score\": 2, \"text\": {\"en\": \"b\", \"zh-Hans\": \"乙\"}},"
                      "{\"id\": \"c\", \"score\": 3, \"text\": {\"en\": \"c\", \"zh-Hans\": \"丙\"}},"
                      "{\"id\": \"z\", \"score\": 5, \"exclusive\": true, \"text\": {\"en\": \"z\", "
                      "\"zh-Hans\": \"无\"}}]},"
                      "{\"id\": \"t\", \"kind\": \"single\", \"measures\": \"tolerance\", "
                      "\"required\": false,");
    ra_prof_questionnaire *q = NULL;
    ra_err err = {0};
    assert_int_equal(ra_prof_questionnaire_parse(doc, strlen(doc), &q, &err), RA_OK);
    free(doc);
    RA_ASSERT_CLOSE(q->questions[0].max_score, 6.0, 0.0, 0.0);
    /* capacity: c = 12 -> band b1 (score 2 of 2) = 100 -> C5 */
    ra_prof_response r[3] = {{1, 0x5, 0}, {0, 0, 0}, {1, 0x2, 12}};
    ra_profile p;
    assert_int_equal(ra_prof_score(q, r, 3, 0, ra_date_from_ymd(2024, 1, 1), &p, &err), RA_OK);
    RA_ASSERT_CLOSE(p.tolerance_score, 400.0 / 6.0, 1e-12, 0.0);
    assert_int_equal(p.tolerance_level, 4);
    RA_ASSERT_CLOSE(p.capacity_score, 100.0, 0.0, 0.0);
    assert_int_equal(p.level, 4);
    assert_int_equal(p.n_flags, 0); /* the rule needs t = hi; t is unanswered */
    r[0].chosen = 0x8;
    r[1] = (ra_prof_response){1, 0x2, 0}; /* t = hi (4 of 4): (5 + 4) / (6 + 4) = 90 -> C5 */
    assert_int_equal(ra_prof_score(q, r, 3, 1, ra_date_from_ymd(2024, 1, 1), &p, &err), RA_OK);
    RA_ASSERT_CLOSE(p.tolerance_score, 90.0, 1e-12, 0.0);
    assert_int_equal(p.level, 5);
    assert_int_equal(p.n_flags, 1);
    assert_string_equal(p.flags[0].reason, "原因");

    /* responses built by hand are checked like parsed ones */
    static const struct { size_t i; ra_prof_response r; const char *where, *msg; } bad[] = {
        {0, {1, 0x9, 0}, "responses[0]", "answer \"z\" of question \"m\" excludes every other"},
        {0, {1, 0x10, 0}, "responses[0]",
         "the chosen answers of question \"m\" (mask 0x10) are not among its 4 answers"},
        {0, {0, 0, 0}, "responses[0]", "missing an answer to the required question \"m\""},
        {1, {1, 0x3, 0}, "responses[1]", "question \"t\" takes one answer, got 2"},
        {2, {1, 0x1, 12}, "responses[2]", "value 12 of question \"c\" lies in band \"b1\", not the chosen one"},
        {2, {1, 0x1, -1}, "responses[2]", "value -1 is not accepted by question \"c\""},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        ra_prof_response rr[3] = {{1, 0x1, 0}, {0, 0, 0}, {1, 0x2, 12}};
        rr[bad[k].i] = bad[k].r;
        assert_int_equal(ra_prof_score(q, rr, 3, 0, 0, &p, &err), RA_EINVAL);
        assert_string_equal(err.where, bad[k].where);
        assert_string_equal(err.msg, bad[k].msg);
    }
    assert_int_equal(ra_prof_score(q, r, 2, 0, 0, &p, &err), RA_EINVAL);
    assert_string_equal(err.msg, "2 responses for the 3 questions of questionnaire \"mini\"");
    assert_int_equal(ra_prof_score(q, r, 3, 2, 0, &p, &err), RA_EINVAL);
    assert_string_equal(err.msg, "language index 2, but questionnaire \"mini\" has 2 languages");
    ra_prof_questionnaire_destroy(q);
}

/* The JSON reader's k-th allocation fails: an error, nothing returned (ASan: nothing leaked),
 * until k is past the last allocation and the document parses. Mostly RA_ENOMEM; jansson reports
 * a failure inside its lexer as a syntax error, so RA_EPARSE is accepted too. Our own allocations
 * (malloc, not yet a hookable ra_malloc) are not failed here. */
static long g_allocs_left;
static void *failing_malloc(size_t n)
{
    return g_allocs_left-- > 0 ? malloc(n) : NULL;
}

static void test_parse_allocation_failures(void **state)
{
    (void)state;
    size_t n;
    char *text = read_all(DEFAULT_Q, &n);
    json_set_alloc_funcs(failing_malloc, free);
    long k = 0, failures = 0, nomem = 0;
    for (;; k++) {
        ra_prof_questionnaire *q = (ra_prof_questionnaire *)(uintptr_t)1;
        ra_err err = {0};
        g_allocs_left = k;
        ra_status st = ra_prof_questionnaire_parse(text, n, &q, &err);
        if (st == RA_OK) {
            ra_prof_answers *a = NULL;
            g_allocs_left = 0;
            assert_int_equal(ra_prof_answers_parse(q, client_a, strlen(client_a), &a, &err),
                             RA_ENOMEM);
            assert_null(a);
            ra_prof_questionnaire_destroy(q);
            break;
        }
        /* jansson reports some failed allocations inside its lexer as syntax errors */
        if (st != RA_ENOMEM && st != RA_EPARSE)
            fail_msg("allocation %ld: %d %s: %s", k, st, err.where, err.msg);
        nomem += st == RA_ENOMEM;
        assert_null(q);
        failures++;
    }
    json_set_alloc_funcs(malloc, free);
    free(text);
    assert_true(failures > 100); /* the document allocates once per value at least */
    assert_true(nomem > failures / 2);
}

/* ---- suitability ---------------------------------------------------------------------------- */

static void test_suit_check(void **state)
{
    (void)state;
    ra_suit_result r;
    ra_err err = {0};
    /* every pair: allowed exactly when R <= C */
    size_t checked = 0;
    for (int c = 1; c <= 5; c++)
        for (int p = 1; p <= 5; p++, checked++) {
            ra_status st = ra_suit_check(c, p, NULL, NULL, &r, &err);
            assert_int_equal(st, p <= c ? RA_OK : RA_EINFEASIBLE);
            assert_int_equal(r.allowed, p <= c);
            assert_int_equal(r.suitable, p <= c);
            assert_false(r.overridden);
        }
    assert_int_equal(checked, 25);

    assert_int_equal(ra_suit_check(2, 4, "growth-v3", NULL, &r, &err), RA_EINFEASIBLE);
    assert_string_equal(r.reason, "\"growth-v3\" has risk level R4, above the client's risk level C2");
    assert_string_equal(err.msg, r.reason);
    assert_false(r.allowed);

    /* an override needs a written justification */
    assert_int_equal(ra_suit_check(2, 4, "growth-v3", " \t\n", &r, &err), RA_EINVAL);
    assert_string_equal(err.msg, "\"growth-v3\" has risk level R4, above the client's risk level "
                                 "C2: an advisor override needs a written justification");
    assert_false(r.allowed);
    assert_false(r.overridden);
    assert_int_equal(ra_suit_check(2, 4, NULL, "", &r, &err), RA_EINVAL);
    const char *why = "client holds the position in an outside account and asked in writing";
    assert_int_equal(ra_suit_check(2, 4, "growth-v3", why, &r, &err), RA_OK);
    assert_true(r.allowed);
    assert_true(r.overridden);
    assert_false(r.suitable);
    assert_string_equal(r.justification, why);
    assert_string_equal(r.reason, "\"growth-v3\" has risk level R4, above the client's risk level "
                                  "C2: offered on an advisor override");
    assert_int_equal(r.client_level, 2);
    assert_int_equal(r.product_level, 4);

    /* a suitable product needs no override, and none is recorded */
    assert_int_equal(ra_suit_check(4, 2, NULL, why, &r, &err), RA_OK);
    assert_true(r.allowed && r.suitable);
    assert_false(r.overridden);
    assert_string_equal(r.justification, "");
    assert_string_equal(r.reason, "");

    char long_why[RA_SUIT_MAX_JUSTIFICATION + 2];
    memset(long_why, 'x', sizeof long_why - 1);
    long_why[sizeof long_why - 1] = '\0';
    assert_int_equal(ra_suit_check(1, 5, NULL, long_why, &r, &err), RA_EINVAL);
    assert_string_equal(err.msg, "the override's justification is 1001 bytes, more than the limit of 1000");
    assert_false(r.allowed);
    long_why[RA_SUIT_MAX_JUSTIFICATION] = '\0';
    assert_int_equal(ra_suit_check(1, 5, NULL, long_why, &r, &err), RA_OK);
    assert_true(r.overridden);

    assert_int_equal(ra_suit_check(0, 1, NULL, NULL, &r, &err), RA_EINVAL);
    assert_string_equal(err.msg, "client risk level 0 is not 1 to 5 (C1 to C5)");
    assert_int_equal(ra_suit_check(3, 6, NULL, NULL, &r, &err), RA_EINVAL);
    assert_string_equal(err.msg, "product risk level 6 is not 1 to 5 (R1 to R5)");
    assert_int_equal(ra_suit_check(3, 3, NULL, NULL, NULL, &err), RA_EINVAL);

    int level;
    assert_int_equal(ra_prof_level_parse("R3", 'R', &level, &err), RA_OK);
    assert_int_equal(level, 3);
    assert_int_equal(ra_prof_level_parse("C3", 'R', &level, &err), RA_EINVAL);
    assert_string_equal(err.msg, "\"C3\" is not a level R1 to R5");
    assert_int_equal(ra_prof_level_parse("C6", 'C', &level, &err), RA_EINVAL);
    assert_string_equal(ra_suit_level_name(5), "R5");
    assert_string_equal(ra_prof_level_name(0), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_questionnaire_parse_default),
        cmocka_unit_test(test_score_client_a_aggressive),
        cmocka_unit_test(test_score_client_b_lower_measure_governs),
        cmocka_unit_test(test_score_client_c_knockout_no_experience),
        cmocka_unit_test(test_score_client_d_contradiction),
        cmocka_unit_test(test_score_client_e_lowest_cap_and_two_flags),
        cmocka_unit_test(test_score_band_bounds),
        cmocka_unit_test(test_prof_expiry),
        cmocka_unit_test(test_answers_validation_errors),
        cmocka_unit_test(test_questionnaire_validation_errors),
        cmocka_unit_test(test_score_multiple_sum),
        cmocka_unit_test(test_parse_allocation_failures),
        cmocka_unit_test(test_suit_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
