/* Onboarding one client (include/roboadvisor/engine_onboard.h): the client record, its accounts,
 * their first agents and the scored profile in one write scope of the store. */
#include <roboadvisor/engine_models.h>
#include <roboadvisor/engine_onboard.h>
#include <roboadvisor/rules.h>
#include <roboadvisor/store_mandate.h>
#include <roboadvisor/prof_io.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


ra_status ra_store_questionnaire_put(ra_store *s, const ra_store_actor *actor, const char *doc,
                                     size_t size, int *created, ra_err *err)
{
    if (created)
        *created = 0;
    ra_prof_questionnaire *qn = NULL;
    ra_status rc = ra_prof_questionnaire_parse(doc, size, &qn, err);
    if (rc != RA_OK)
        return rc;
    rc = ra_store_questionnaire_save(s, actor, qn->id, qn->version, doc, size, created, err);
    ra_prof_questionnaire_destroy(qn);
    return rc;
}

ra_status ra_onboard_apply(ra_store *s, const ra_store_actor *actor, const ra_onboard_doc *doc,
                           const ra_prof_questionnaire *qn, const ra_prof_answers *ans,
                           size_t lang_index, ra_date date, ra_onboard_result *res, ra_err *err)
{
    memset(res, 0, sizeof *res);
    ra_status rc = RA_OK;
    if (lang_index >= qn->n_langs)
        return ra_err_set(err, RA_EINVAL, NULL, "language index %zu is not below %zu", lang_index,
                          qn->n_langs);
    if (ans->n != qn->n_questions)
        return ra_err_set(err, RA_EINVAL, NULL, "%zu responses for %zu questions", ans->n,
                          qn->n_questions);
    rc = ra_prof_score(qn, ans->resp, ans->n, lang_index, date, &res->profile, err);
    if (rc != RA_OK)
        return rc;
    int own = 0;
    if ((rc = ra_store_scope_begin(s, &own, err)) != RA_OK)
        return rc;
    ra_client old;
    ra_status got = ra_store_client_get(s, actor->firm, doc->client.code, &old, err);
    if (got == RA_ENOTFOUND)
        res->client_created = 1;
    else if (got != RA_OK)
        rc = got;
    if (rc == RA_OK)
        rc = ra_store_client_put(s, actor, &doc->client, err);
    ra_firm firm;
    if (rc == RA_OK)
        rc = ra_store_firm_get(s, actor->firm, &firm, err);
    for (size_t i = 0; rc == RA_OK && i < doc->n_accounts; i++) {
        const ra_onboard_account *oa = &doc->accounts[i];
        /* the account's agent keeps what the new profile still allows (re-onboarding) */
        ra_onboard_agent_note note;
        rc = ra_onboard_agent_params(s, actor->firm, oa->code, res->profile.level, &note, err);
        if (rc != RA_OK)
            break;
        const ra_agent_params params = note.params;
        ra_account a;
        memset(&a, 0, sizeof a);
        snprintf(a.code, sizeof a.code, "%s", oa->code);
        snprintf(a.client, sizeof a.client, "%s", doc->client.code);
        a.type = oa->type;
        snprintf(a.currency, sizeof a.currency, "%s", oa->currency[0] ? oa->currency : firm.currency);
        a.opened = date;
        ra_rule_mandate_default(&a.mandate);
        ra_rule_mandate_for_type(&a.mandate, (int)a.type);
        a.mandate.discretionary = 1;
        a.mandate.drift_band = params.drift_band;
        a.mandate.tlh_enabled = params.tlh;
        a.mandate.loss_limit = params.loss_limit;
        a.mandate.cash_reserve = params.cash_reserve;
        a.mandate.risk_level = params.risk_level;
        a.mandate.objective = (int)params.objective;
        ra_account have;
        ra_err e2 = {0};
        ra_status ex = ra_store_account_get(s, actor->firm, oa->code, &have, &e2);
        if (ex == RA_OK) {
            if (strcmp(have.client, doc->client.code) != 0)
                rc = ra_err_set(err, RA_ECONFLICT, NULL, "account %s belongs to another client",
                                oa->code);
            else
                a.mandate = have.mandate, a.opened = have.opened;
        } else if (ex != RA_ENOTFOUND) {
            rc = ex;
            if (err)
                *err = e2;
        }
        const char *why = note.had_agent ? "onboarding: parameters kept where the new "
                                           "profile allows them"
                                         : "onboarding: parameters from the client's risk profile";
        /* a new account's mandate version 1 holds its agent (store_mandate.h) */
        if (rc == RA_OK)
            rc = ra_store_account_put_agent(s, actor, &a, oa->agent_name, why, err);
        if (rc == RA_OK)
            rc = ra_store_agent_put(s, actor, oa->code, oa->agent_name, &params, why,
                                    &res->agent_version[i], err);
        if (rc != RA_OK)
            ra_err_wrap(err, "account %s", oa->code);
    }
    res->n_accounts = doc->n_accounts;
    if (rc == RA_OK)
        rc = ra_store_profile_put(s, actor, doc->client.code, qn, doc->answers,
                                  doc->answers_size, &res->profile, qn->langs[lang_index],
                                  &res->profile_id, err);
    return ra_store_scope_end(s, own, rc, err);
}

/* ---- the whole onboarding of one document --------------------------------------------------- */

void ra_onboard_outcome_free(ra_onboard_outcome *o)
{
    if (!o)
        return;
    ra_prof_questionnaire_destroy(o->questionnaire);
    memset(o, 0, sizeof *o);
}

/* "SOURCE: $.path" for an error about the questionnaire's JSON. */
static void name_source(ra_err *err, const char *source)
{
    if (!err || !source || err->where[0] != '$')
        return;
    char w[sizeof err->where];
    snprintf(w, sizeof w, "%.60s: %.60s", source, err->where);
    memcpy(err->where, w, sizeof w);
}

/* The questionnaire of the request, stored first when it comes with it. */
static ra_status request_questionnaire(ra_store *s, const ra_store_actor *actor,
                                       const ra_onboard_request *rq, ra_prof_questionnaire **q,
                                       ra_err *err)
{
    const ra_onboard_doc *doc = rq->doc;
    const char *src = rq->questionnaire_source ? rq->questionnaire_source : "the questionnaire";
    ra_status rc;
    if (rq->questionnaire) {
        rc = ra_store_questionnaire_put(s, actor, rq->questionnaire, rq->questionnaire_size, NULL,
                                        err);
        if (rc == RA_OK)
            rc = ra_prof_questionnaire_parse(rq->questionnaire, rq->questionnaire_size, q, err);
        if (rc != RA_OK) {
            name_source(err, src);
            return rc;
        }
        if (strcmp((*q)->id, doc->questionnaire) != 0 || (*q)->version != doc->version)
            return ra_err_set(err, RA_EINVAL, "$.questionnaire",
                              "the answers are for questionnaire %s version %lld, %s is %s "
                              "version %lld",
                              doc->questionnaire, (long long)doc->version, src, (*q)->id,
                              (long long)(*q)->version);
        return RA_OK;
    }
    char *data = NULL;
    size_t size = 0;
    rc = ra_store_questionnaire_get(s, actor->firm, doc->questionnaire, doc->version, &data,
                                    &size, NULL, err);
    if (rc == RA_ENOTFOUND)
        ra_err_wrap(err, "give the questionnaire with --questionnaire FILE");
    if (rc == RA_OK)
        rc = ra_prof_questionnaire_parse(data, size, q, err);
    ra_store_free(data);
    return rc;
}

/* The arguments of ra_onboard_document, for onboard_in_scope. */
typedef struct onboard_call {
    const ra_onboard_request *rq;
    ra_onboard_outcome *out;
} onboard_call;

/* The onboarding proper, inside its write scope (a ra_store_scoped function). */
static ra_status onboard_in_scope(ra_store *s, const ra_store_actor *actor, void *ctx,
                                  ra_err *err)
{
    const onboard_call *c = ctx;
    const ra_onboard_request *rq = c->rq;
    ra_onboard_outcome *out = c->out;
    const ra_onboard_doc *doc = rq->doc;
    ra_status rc = request_questionnaire(s, actor, rq, &out->questionnaire, err);
    if (rc != RA_OK)
        return rc;
    const ra_prof_questionnaire *q = out->questionnaire;
    const char *lang = rq->lang && rq->lang[0] ? rq->lang : doc->lang[0] ? doc->lang : NULL;
    out->lang_index = 0;
    if (lang && (rc = ra_prof_lang_find(q, lang, &out->lang_index, err)) != RA_OK) {
        if (err)
            snprintf(err->where, sizeof err->where, "lang");
        return rc;
    }
    ra_prof_answers *ans = NULL;
    rc = ra_prof_answers_parse(q, doc->answers, doc->answers_size, &ans, err);
    if (rc == RA_OK && rq->propose)
        rc = ra_onboard_with_proposal(s, actor, doc, q, ans, out->lang_index, rq->date,
                                      &out->result, out->proposal, out->agent, err);
    else if (rc == RA_OK)
        rc = ra_onboard_apply(s, actor, doc, q, ans, out->lang_index, rq->date, &out->result,
                              err);
    ra_prof_answers_destroy(ans);
    return rc;
}

ra_status ra_onboard_document(ra_store *s, const ra_store_actor *actor,
                              const ra_onboard_request *rq, ra_onboard_outcome *out, ra_err *err)
{
    if (!out)
        return ra_err_set(err, RA_EINVAL, NULL, "onboarding needs an outcome");
    memset(out, 0, sizeof *out);
    if (!s || !actor || !rq || !rq->doc)
        return ra_err_set(err, RA_EINVAL, NULL, "onboarding needs a store, an actor and a "
                                                "document");
    onboard_call c = {rq, out};
    ra_status rc = ra_store_scoped(s, actor, onboard_in_scope, &c, err);
    if (rc != RA_OK)
        ra_onboard_outcome_free(out);
    return rc;
}
