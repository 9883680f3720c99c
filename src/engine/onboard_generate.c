/* Onboarding from seeded generated answers (include/roboadvisor/engine_models.h,
 * ra_onboard_generate; docs/methodology.md, "Generated answers"): the firm's own clients first,
 * then new ones, each onboarded with its model proposed, in one transaction. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/engine_models.h>
#include <roboadvisor/engine_onboard.h>
#include <roboadvisor/prof_io.h>
#include <roboadvisor/rng.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define GEN_NOISE 0.18  /* standard deviation of an answer's rank around the client's latent risk */

/* Appends to arr an answer to question qi for a client whose latent appetite for risk is r in
 * [0, 1]: the option whose score rank is nearest r plus noise (numbers: an age that falls with r,
 * so that young clients take more risk). */
static void gen_answer(const ra_prof_questionnaire *q, size_t qi, double r, ra_rng *rng,
                       json_t *arr)
{
    const ra_prof_question *qu = &q->questions[qi];
    double x = r + GEN_NOISE * ra_rng_normal(rng);
    x = x < 0 ? 0 : x > 1 ? 1 : x;
    if (qu->kind == RA_PROF_NUMBER) {
        double lo = qu->n_options ? qu->options[0].min : 0;
        double hi = isfinite(qu->max) ? qu->max : lo + 100;
        /* the bands' scores tell whether a higher value takes more risk */
        int up = qu->n_options < 2 || qu->options[qu->n_options - 1].score >= qu->options[0].score;
        double v = up ? lo + x * (hi - lo) : hi - x * (hi - lo);
        if (qu->integer)
            v = floor(v);
        json_array_append_new(arr, json_pack("{s:s,s:f}", "question", qu->id, "value", v));
        return;
    }
    /* rank the non-exclusive options by score */
    size_t idx[RA_PROF_MAX_OPTIONS], k = 0;
    for (size_t i = 0; i < qu->n_options; i++)
        if (!(qu->kind == RA_PROF_MULTIPLE && qu->options[i].exclusive))
            idx[k++] = i;
    if (k == 0)
        idx[k++] = 0;
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && qu->options[idx[j]].score < qu->options[idx[j - 1]].score; j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    size_t pick = (size_t)lround(x * (double)(k - 1));
    if (qu->kind == RA_PROF_SINGLE) {
        json_array_append_new(arr, json_pack("{s:s,s:s}", "question", qu->id, "choice",
                                             qu->options[idx[pick]].id));
        return;
    }
    json_t *ch = json_array();
    for (size_t i = 0; i <= pick; i++) /* experience accumulates: everything up to the rank */
        if (i == pick || ra_rng_uniform(rng) < 0.5)
            json_array_append_new(ch, json_string(qu->options[idx[i]].id));
    json_array_append_new(arr, json_pack("{s:s,s:o}", "question", qu->id, "choices", ch));
}

/* The next client of the firm's own (codes: its accounts in code order; *ai the next account),
 * or, when there is none left, *doc untouched and *more = 0. */
static ra_status next_client_any(ra_store *s, const char *firm, char (*codes)[RA_CODE_MAX],
                                 size_t n_acc, size_t *ai, char *last_client,
                                 ra_onboard_doc *doc, int *more, ra_err *err)
{
    *more = 0;
    ra_account a;
    ra_status st = RA_OK;
    for (; *ai < n_acc; (*ai)++) {
        st = ra_store_account_get(s, firm, codes[*ai], &a, err);
        if (st != RA_OK || strcmp(a.client, last_client) != 0)
            break;
    }
    if (st != RA_OK || *ai == n_acc)
        return st;
    *more = 1;
    snprintf(last_client, RA_CODE_MAX, "%s", a.client);
    st = ra_store_client_get(s, firm, a.client, &doc->client, err);
    for (; st == RA_OK && *ai < n_acc && doc->n_accounts < RA_ONBOARD_MAX_ACCOUNTS; (*ai)++) {
        st = ra_store_account_get(s, firm, codes[*ai], &a, err);
        if (st != RA_OK || strcmp(a.client, last_client) != 0)
            break;
        ra_onboard_account *oa = &doc->accounts[doc->n_accounts++];
        snprintf(oa->code, sizeof oa->code, "%s", a.code);
        oa->type = a.type;
        snprintf(oa->currency, sizeof oa->currency, "%s", a.currency);
    }
    return st;
}

/* next_client_any, past the erased clients (ra_store_client_erase): they are not onboarded. */
static ra_status next_own_client(ra_store *s, const char *firm, char (*codes)[RA_CODE_MAX],
                                 size_t n_acc, size_t *ai, char *last_client,
                                 ra_onboard_doc *doc, int *more, ra_err *err)
{
    ra_status st;
    while ((st = next_client_any(s, firm, codes, n_acc, ai, last_client, doc, more, err)) ==
               RA_OK &&
           *more && doc->client.erased)
        memset(doc, 0, sizeof *doc);
    return st;
}

/* One client's generated answers document (doc->answers, malloc'd by jansson). */
static ra_status gen_answers(const ra_prof_questionnaire *q, uint64_t seed, size_t c,
                             ra_onboard_doc *doc, ra_err *err)
{
    /* one stream per client so that a client's answers do not depend on N */
    ra_rng rng = ra_rng_stream(seed, c);
    double r = ra_rng_uniform(&rng);
    json_t *arr = json_array();
    for (size_t i = 0; i < q->n_questions; i++)
        gen_answer(q, i, r, &rng, arr);
    json_t *ad = json_pack("{s:s,s:I,s:o}", "questionnaire", q->id, "version",
                           (json_int_t)q->version, "answers", arr);
    doc->answers = ad ? json_dumps(ad, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(ad);
    if (!doc->answers)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate answers");
    doc->answers_size = strlen(doc->answers);
    snprintf(doc->questionnaire, sizeof doc->questionnaire, "%s", q->id);
    doc->version = q->version;
    return RA_OK;
}

ra_status ra_onboard_generate(ra_store *s, const ra_store_actor *actor,
                              const ra_prof_questionnaire *q, size_t lang_index, size_t n,
                              uint64_t seed, ra_date date, ra_onboard_generated *out, ra_err *err)
{
    memset(out, 0, sizeof *out);
    char (*codes)[RA_CODE_MAX] = NULL;
    size_t n_acc = 0;
    ra_status st = ra_store_account_list(s, actor->firm, &codes, &n_acc, err);
    if (st != RA_OK)
        return st;
    ra_onboard_doc *doc = ra_malloc(sizeof *doc);
    ra_onboard_result *res = ra_malloc(sizeof *res);
    ra_models_proposal *props = ra_malloc(RA_ONBOARD_MAX_ACCOUNTS * sizeof *props);
    ra_onboard_agent_note *notes = ra_malloc(RA_ONBOARD_MAX_ACCOUNTS * sizeof *notes);
    if (!doc || !res || !props || !notes)
        st = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate an onboarding");
    int own = 0;
    if (st == RA_OK)
        st = ra_store_scope_begin(s, &own, err);
    else
        own = -1;
    char last_client[RA_CODE_MAX] = "";
    size_t ai = 0, new_from = n; /* the index of the first new client, once known */
    for (size_t c = 0; st == RA_OK && c < n; c++) {
        memset(doc, 0, sizeof *doc);
        int own_client = 0;
        if (new_from == n)
            st = next_own_client(s, actor->firm, codes, n_acc, &ai, last_client, doc, &own_client,
                                 err);
        if (st == RA_OK && !own_client) {
            if (new_from == n)
                new_from = c;
            snprintf(doc->client.code, sizeof doc->client.code, "G%06zu", c + 1);
            snprintf(doc->client.household, sizeof doc->client.household, "HG%06zu", c + 1);
            doc->n_accounts = 1;
            snprintf(doc->accounts[0].code, sizeof doc->accounts[0].code, "G%06zu-1", c + 1);
        }
        if (st == RA_OK)
            st = gen_answers(q, seed, c, doc, err);
        ra_prof_answers *ans = NULL;
        if (st == RA_OK)
            st = ra_prof_answers_parse(q, doc->answers, doc->answers_size, &ans, err);
        if (st == RA_OK)
            st = ra_onboard_with_proposal(s, actor, doc, q, ans, lang_index, date, res, props,
                                          notes, err);
        if (st != RA_OK && doc->client.code[0])
            ra_err_wrap(err, "client %s", doc->client.code);
        ra_prof_answers_destroy(ans);
        free(doc->answers); /* jansson's */
        memset(&doc->client, 0, sizeof doc->client);
        if (st != RA_OK)
            break;
        int lv = res->profile.level;
        out->per_level[lv]++;
        out->needs_review += (size_t)res->profile.needs_review;
        out->clients++;
        out->model[lv] = props[doc->n_accounts - 1];
    }
    if (own >= 0)
        st = ra_store_scope_end(s, own, st, err);
    for (int lv = 1; st == RA_OK && lv <= RA_PROF_LEVELS; lv++)
        if (!out->per_level[lv])
            st = ra_models_propose(s, actor, NULL, lv, date, 0, &out->model[lv], err);
    for (int lv = 1; lv <= RA_PROF_LEVELS; lv++)
        memset(&out->model[lv].target, 0, sizeof out->model[lv].target);
    ra_store_free(codes);
    RA_FREE_ALL(doc, res, props, notes);
    return st;
}
