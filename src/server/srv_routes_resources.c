/* roboadvisor server: the further resources (issue 15; docs/api.md): keys, advisors, households,
 * clients' onboarding, personal data and erasure, an account's mandates, an order's fills, the
 * comments on a proposal and the audit records. Adapters only, as srv_routes.c: each answers from
 * the engine's and the store's calls, scoped like the rest -- another firm's or another
 * advisor's object is answered 404 exactly as a missing one. */
#include "server/srv.h"

#include <roboadvisor/engine_onboard.h>
#include <roboadvisor/onboard_io.h>
#include <roboadvisor/store_mandate.h>
#include <roboadvisor/store_resources.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCOPE_ALL ((size_t)1 << 30)

static const char *scope_advisor(const srv_caller *c)
{
    return c->key.role == RA_ROLE_ADVISOR ? c->key.user : NULL;
}

static const char *scope_client(const srv_caller *c)
{
    return c->key.role == RA_ROLE_CLIENT ? c->key.user : NULL;
}

static void problem_field(srv_answer *a, const char *path, const char *detail)
{
    srv_problem p;
    memset(&p, 0, sizeof p);
    srv_problem_field(&p, path, "%s", detail);
    srv_answer_problem(a, &p);
}

/* The clients in the caller's scope (code: that one only; all: every one), into *v, *n; 0, or
 * -1 after answering the error. */
static int scoped_clients(ra_store *s, const srv_caller *c, const char *code, ra_api_ref **v,
                          size_t *n, srv_answer *a)
{
    ra_err e = {0};
    ra_status rc = ra_store_api_clients(s, c->key.firm, scope_advisor(c), scope_client(c), code,
                                        "", code ? 1 : SCOPE_ALL, v, n, &e);
    if (rc != RA_OK)
        srv_answer_err(a, &e);
    return rc == RA_OK ? 0 : -1;
}

/* 1 when the caller may see client `code`, else 0 after answering (404 as a missing one). */
static int own_client(ra_store *s, const srv_caller *c, const char *code, srv_answer *a)
{
    ra_api_ref *v = NULL;
    size_t n = 0;
    if (scoped_clients(s, c, code, &v, &n, a) != 0)
        return 0;
    ra_store_free(v);
    if (!n)
        srv_not_found(a);
    return n == 1;
}

/* --- keys (admin) ------------------------------------------------------------------------------ */

static json_t *key_json(const ra_apikey *k)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I}", "code", k->code, "role",
                     ra_api_role_name(k->role), "user", k->user, "created_by", k->created_by,
                     "created_at", (json_int_t)k->created_at, "expires_at",
                     (json_int_t)k->expires_at, "revoked_at", (json_int_t)k->revoked_at);
}

static void get_keys(ra_store *s, const srv_caller *c, const srv_request *r, srv_answer *a)
{
    ra_apikey *v = NULL;
    size_t n = 0;
    ra_err e = {0};
    if (ra_store_apikey_list(s, c->key.firm, &v, &n, &e) != RA_OK)
        return srv_answer_err(a, &e);
    srv_pager *pg = srv_pager_new(r);
    for (size_t i = 0; i < n; i++)
        srv_pager_add(pg, v[i].code, key_json(&v[i]));
    ra_store_free(v);
    srv_answer_json(a, 200, srv_pager_done(pg));
}

static void post_key(ra_store *s, const srv_caller *c, const char *body, size_t len,
                     srv_answer *a)
{
    srv_key_request kr;
    srv_problem p;
    if (srv_body_key(body, len, &kr, &p) != 0)
        return srv_answer_problem(a, &p);
    char key[RA_APIKEY_TEXT_MAX];
    ra_apikey k;
    ra_err e = {0};
    if (ra_store_apikey_create(s, &c->actor, (ra_api_role)kr.role, kr.user,
                               kr.expires ? (int64_t)kr.expires * 86400 : 0, key, &k,
                               &e) != RA_OK) {
        if (e.code == RA_EINVAL || e.code == RA_ENOTFOUND)
            return problem_field(a, "$.user", e.msg);
        return srv_answer_err(a, &e);
    }
    /* the secret is in this answer only: a retry with the same Idempotency-Key gets the record
     * without it (the book keeps its salted hash, never the key) */
    json_t *j = key_json(&k);
    a->kept = json_deep_copy(j);
    json_object_set_new(a->kept, "key", json_null());
    json_object_set_new(j, "key", json_string(key));
    sodium_memzero(key, sizeof key);
    srv_answer_json(a, 201, j);
}

static void post_key_revoke(ra_store *s, const srv_caller *c, const srv_request *r,
                            srv_answer *a)
{
    ra_apikey *v = NULL;
    size_t n = 0;
    ra_err e = {0};
    if (ra_store_apikey_list(s, c->key.firm, &v, &n, &e) != RA_OK)
        return srv_answer_err(a, &e);
    size_t i = 0;
    while (i < n && strcmp(v[i].code, r->id) != 0)
        i++;
    if (i == n) { /* another firm's key is not found, as a missing one */
        ra_store_free(v);
        return srv_not_found(a);
    }
    ra_store_free(v);
    if (ra_store_apikey_revoke(s, &c->actor, r->id, &e) != RA_OK)
        return srv_answer_err(a, &e);
    if (ra_store_apikey_list(s, c->key.firm, &v, &n, &e) != RA_OK)
        return srv_answer_err(a, &e);
    for (i = 0; i < n && strcmp(v[i].code, r->id) != 0; i++)
        ;
    srv_answer_json(a, 200, i < n ? key_json(&v[i]) : NULL);
    ra_store_free(v);
}

/* --- advisors and households ------------------------------------------------------------------- */

/* An advisor's JSON: code, name and email (the firm's staff: shown to the firm's admin and to
 * the advisor themselves) and the number of clients in the caller's scope. */
static json_t *advisor_json(ra_store *s, const srv_caller *c, const char *code, ra_err *e)
{
    ra_advisor adv;
    if (ra_store_advisor_get(s, c->key.firm, code, &adv, e) != RA_OK)
        return NULL;
    ra_api_ref *v = NULL;
    size_t n = 0;
    if (ra_store_api_clients(s, c->key.firm, code, NULL, NULL, "", SCOPE_ALL, &v, &n, e) !=
        RA_OK) {
        sodium_memzero(&adv, sizeof adv);
        return NULL;
    }
    ra_store_free(v);
    json_t *j = json_pack("{s:s,s:s,s:s,s:I}", "code", code, "name", adv.name, "email",
                          adv.email, "clients", (json_int_t)n);
    sodium_memzero(&adv, sizeof adv);
    return j;
}

static void get_advisors(ra_store *s, const srv_caller *c, const srv_request *r, int one,
                         srv_answer *a)
{
    /* an advisor sees themselves only */
    const char *only = one ? r->id : scope_advisor(c);
    if (one && scope_advisor(c) && strcmp(r->id, scope_advisor(c)) != 0)
        return srv_not_found(a);
    ra_api_ref *v = NULL;
    size_t n = 0;
    ra_err e = {0};
    if (ra_store_api_advisors(s, c->key.firm, only, one ? "" : r->after,
                              one ? 1 : r->limit + 1, &v, &n, &e) != RA_OK)
        return srv_answer_err(a, &e);
    if (one && !n) {
        ra_store_free(v);
        return srv_not_found(a);
    }
    srv_pager *pg = one ? NULL : srv_pager_new(r);
    json_t *single = NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *j = advisor_json(s, c, v[i].code, &e);
        if (!j) {
            ra_store_free(v);
            json_decref(srv_pager_done(pg));
            return srv_answer_err(a, &e);
        }
        if (one)
            single = j;
        else
            srv_pager_add(pg, v[i].code, j);
    }
    ra_store_free(v);
    srv_answer_json(a, 200, one ? single : srv_pager_done(pg));
}

/* The households of the clients in scope; one: its clients (in scope) too. */
static void get_households(ra_store *s, const srv_caller *c, const srv_request *r, int one,
                           srv_answer *a)
{
    ra_api_ref *v = NULL;
    size_t n = 0;
    if (scoped_clients(s, c, NULL, &v, &n, a) != 0)
        return;
    srv_pager *pg = one ? NULL : srv_pager_new(r);
    json_t *single = NULL;
    /* clients come in code order: a household's clients are gathered by a scan per household */
    for (size_t i = 0; i < n; i++) {
        int first = 1;
        for (size_t k = 0; k < i && first; k++)
            first = strcmp(v[k].household, v[i].household) != 0;
        if (!first || (one && strcmp(v[i].household, r->id) != 0))
            continue;
        json_t *cl = json_array();
        for (size_t k = i; k < n; k++)
            if (strcmp(v[k].household, v[i].household) == 0)
                json_array_append_new(cl, json_string(v[k].code));
        json_t *j = json_pack("{s:s,s:o}", "code", v[i].household, "clients", cl);
        if (one)
            single = j;
        else
            srv_pager_add(pg, v[i].household, j);
    }
    ra_store_free(v);
    if (one && !single)
        return srv_not_found(a);
    srv_answer_json(a, 200, one ? single : srv_pager_done(pg));
}

/* --- clients: onboarding, personal data, erasure ----------------------------------------------- */

static json_t *consents_json(ra_store *s, const srv_caller *c, const char *client, ra_err *e)
{
    ra_consent *v = NULL;
    size_t n = 0;
    if (ra_store_consents_list(s, c->key.firm, client, &v, &n, e) != RA_OK)
        return NULL;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s,s:o,s:s}", "kind", v[i].kind, "version",
                                             v[i].version, "accepted_on",
                                             srv_jdate(v[i].accepted_on), "recorded_by",
                                             v[i].user));
    ra_store_free(v);
    return arr;
}

/* POST /v1/clients: the onboarding document (the CLI's 'onboard --client'), the consents. An
 * advisor onboards their own clients only; a client code outside the caller's scope answers
 * 404 as a missing object does. */
static void post_onboard(ra_store *s, const srv_caller *c, ra_date today, const char *body,
                         size_t len, srv_answer *a)
{
    srv_onboard_request rq;
    srv_problem p;
    if (srv_body_onboard(body, len, &rq, &p) != 0) {
        srv_onboard_request_free(&rq);
        return srv_answer_problem(a, &p);
    }
    ra_onboard_doc *doc = NULL;
    ra_err e = {0};
    if (ra_onboard_doc_parse(rq.doc, rq.doc_len, &doc, &e) != RA_OK) {
        srv_onboard_request_free(&rq);
        char path[128];
        snprintf(path, sizeof path, "$.onboarding%.100s",
                 e.where[0] == '$' ? e.where + 1 : "");
        return problem_field(a, path, e.msg);
    }
    srv_onboard_request_free(&rq);
    const char *me = scope_advisor(c);
    ra_client old;
    ra_status got = ra_store_client_get(s, c->key.firm, doc->client.code, &old, &e);
    sodium_memzero(&old, sizeof old);
    if (me && strcmp(doc->client.advisor, me) != 0) {
        ra_onboard_doc_destroy(doc);
        return problem_field(a, "$.onboarding.client.advisor", "must be the caller's own code");
    }
    if (got == RA_OK && !own_client(s, c, doc->client.code, a)) {
        ra_onboard_doc_destroy(doc);
        return;
    }
    if (got != RA_OK && got != RA_ENOTFOUND) {
        ra_onboard_doc_destroy(doc);
        return srv_answer_err(a, &e);
    }
    ra_date date = rq.date ? rq.date : today;
    ra_onboard_request orq = {doc, NULL, 0, NULL, NULL, date, 1};
    ra_onboard_outcome out;
    memset(&out, 0, sizeof out);
    ra_status rc = ra_onboard_document(s, &c->actor, &orq, &out, &e);
    int onboarded = rc == RA_OK;
    for (size_t i = 0; rc == RA_OK && i < rq.n_consents; i++)
        rc = ra_store_consent_add(s, &c->actor, doc->client.code, rq.consents[i].kind,
                                  rq.consents[i].version, date, &e);
    if (rc != RA_OK) {
        if (onboarded)
            ra_onboard_outcome_free(&out);
        ra_onboard_doc_destroy(doc);
        if (rc == RA_EPARSE || rc == RA_EINVAL || rc == RA_ENOTFOUND) {
            char path[128];
            snprintf(path, sizeof path, "$.onboarding%.100s",
                     e.where[0] == '$' ? e.where + 1 : "");
            return problem_field(a, path, e.msg);
        }
        return srv_answer_err(a, &e);
    }
    const ra_profile *pr = &out.result.profile;
    json_t *accts = json_array();
    for (size_t i = 0; i < doc->n_accounts; i++)
        json_array_append_new(accts, json_pack("{s:s,s:o}", "code", doc->accounts[i].code,
                                               "model", out.proposal[i].have_model
                                                            ? json_string(out.proposal[i].model)
                                                            : json_null()));
    json_t *cons = consents_json(s, c, doc->client.code, &e);
    json_t *j = json_pack("{s:s,s:b,s:{s:s,s:I,s:s,s:f,s:f,s:b,s:o,s:o},s:o,s:o}", "client",
                          doc->client.code, "created", out.result.client_created, "profile",
                          "questionnaire", pr->questionnaire_id, "version",
                          (json_int_t)pr->version, "level", ra_prof_level_name(pr->level),
                          "tolerance_score", pr->tolerance_score, "capacity_score",
                          pr->capacity_score, "needs_review", pr->needs_review, "taken",
                          srv_jdate(pr->taken), "expires", srv_jdate(pr->expires), "accounts",
                          accts, "consents", cons ? cons : json_array());
    ra_onboard_outcome_free(&out);
    ra_onboard_doc_destroy(doc);
    srv_answer_json(a, 201, j);
}

/* GET /v1/clients/{id}/personal: the client's personal data as the book holds it, or
 * "erased": true with every field null once the client's key was destroyed. */
static void get_personal(ra_store *s, const srv_caller *c, const srv_request *r, srv_answer *a)
{
    if (!own_client(s, c, r->id, a))
        return;
    ra_client cl;
    ra_err e = {0};
    if (ra_store_client_get(s, c->key.firm, r->id, &cl, &e) != RA_OK)
        return srv_answer_err(a, &e);
    json_t *cons = consents_json(s, c, r->id, &e);
    if (!cons) {
        sodium_memzero(&cl, sizeof cl);
        return srv_answer_err(a, &e);
    }
#define PII(f) (cl.erased ? json_null() : json_string(cl.f))
    json_t *j = json_pack("{s:s,s:b,s:o,s:o,s:o,s:o,s:o,s:o}", "code", r->id, "erased",
                          cl.erased, "name", PII(name), "email", PII(email), "tax_id",
                          PII(tax_id), "address", PII(address), "birth_year",
                          cl.erased || !cl.birth_year ? json_null()
                                                      : json_integer(cl.birth_year),
                          "consents", cons);
#undef PII
    sodium_memzero(&cl, sizeof cl);
    srv_answer_json(a, 200, j);
}

static void post_erase(ra_store *s, const srv_caller *c, const srv_request *r, const char *body,
                       size_t len, srv_answer *a)
{
    if (!own_client(s, c, r->id, a))
        return;
    srv_erase_request er;
    srv_problem p;
    if (srv_body_erase(body, len, &er, &p) != 0)
        return srv_answer_problem(a, &p);
    if (strcmp(er.confirm, r->id) != 0)
        return problem_field(a, "$.confirm", "must repeat the client's code");
    int already = 0;
    ra_err e = {0};
    if (ra_store_client_erase(s, &c->actor, r->id, &already, &e) != RA_OK)
        return srv_answer_err(a, &e);
    srv_answer_json(a, 200, json_pack("{s:s,s:b,s:b}", "client", r->id, "erased", 1,
                                      "already_erased", already));
}

/* --- an account's mandates, an order's fills ---------------------------------------------------- */

static void get_mandates(ra_store *s, const srv_caller *c, const srv_request *r, srv_answer *a)
{
    if (!srv_own_account(s, c, r->id, a))
        return;
    ra_mandate_version *v = NULL;
    size_t n = 0;
    ra_err e = {0};
    if (ra_store_mandate_history(s, c->key.firm, r->id, &v, &n, &e) != RA_OK)
        return srv_answer_err(a, &e);
    srv_pager *pg = srv_pager_new(r);
    for (size_t i = 0; i < n; i++) {
        json_t *m = json_object();
        char buf[RA_NAME_MAX + 1];
        for (const char *const *k = ra_rule_mandate_keys(); *k; k++)
            json_object_set_new(m, *k,
                                json_string(ra_rule_mandate_get(&v[i].mandate, *k, buf,
                                                                sizeof buf)));
        char id[24];
        snprintf(id, sizeof id, "%010lld", (long long)v[i].version);
        srv_pager_add(pg, id,
                      json_pack("{s:s,s:I,s:o,s:s,s:s,s:I,s:o}", "id", id, "version",
                                (json_int_t)v[i].version, "effective",
                                srv_jdate(v[i].effective), "user", v[i].user, "reason",
                                v[i].reason, "at", (json_int_t)v[i].at, "mandate", m));
    }
    ra_store_free(v);
    srv_answer_json(a, 200, srv_pager_done(pg));
}

static void get_fills(ra_store *s, const srv_caller *c, const srv_request *r, srv_answer *a)
{
    int md = 2;
    if (srv_firm_digits(s, c, &md, a) != 0)
        return;
    ra_cycle_filter flt = {0, NULL, NULL};
    ra_cycle_order *v = NULL;
    size_t n = 0;
    ra_err e = {0};
    if (ra_store_orders_list(s, c->key.firm, &flt, &v, &n, &e) != RA_OK)
        return srv_answer_err(a, &e);
    size_t i = 0;
    while (i < n && strcmp(v[i].id, r->id) != 0)
        i++;
    ra_cycle_order o;
    if (i < n)
        o = v[i];
    ra_store_free(v);
    if (i == n)
        return srv_not_found(a);
    if (!srv_own_account(s, c, o.account, a)) /* another advisor's: 404 as missing */
        return;
    ra_fill_rec *f = NULL;
    if (ra_store_order_fills(s, c->key.firm, &o, &f, &n, &e) != RA_OK)
        return srv_answer_err(a, &e);
    srv_pager *pg = srv_pager_new(r);
    for (i = 0; i < n; i++) {
        char q[RA_MONEY_FMT_SIZE], pr[RA_MONEY_FMT_SIZE];
        srv_pager_add(pg, f[i].id,
                      json_pack("{s:s,s:s,s:o,s:s,s:s,s:o,s:o}", "id", f[i].id, "order", o.id,
                                "date", srv_jdate(f[i].date), "qty",
                                ra_money_format_qty(f[i].qty_micro, q, sizeof q), "price",
                                ra_money_format_price(f[i].price, pr, sizeof pr), "amount",
                                srv_jmoney(f[i].amount_minor, md), "fees",
                                srv_jmoney(f[i].fees_minor, md)));
    }
    ra_store_free(f);
    srv_answer_json(a, 200, srv_pager_done(pg));
}

/* --- comments on a proposal ------------------------------------------------------------------- */

static json_t *comment_json(const ra_comment *k)
{
    char id[16];
    snprintf(id, sizeof id, "%06d", k->n);
    return json_pack("{s:s,s:i,s:s,s:o,s:I,s:b}", "id", id, "n", k->n, "author", k->author,
                     "body", k->erased ? json_null() : json_string(k->body), "at",
                     (json_int_t)k->at, "erased", k->erased);
}

/* 1 when the caller may see proposal id, else 0 after answering (404 as a missing one). */
static int own_proposal(ra_store *s, const srv_caller *c, const char *id, srv_answer *a)
{
    ra_cycle_proposal p;
    if (!srv_proposal_load(s, c, id, &p, a))
        return 0;
    ra_cycle_proposal_clear(&p);
    return 1;
}

static void get_comments(ra_store *s, const srv_caller *c, const srv_request *r, srv_answer *a)
{
    if (!own_proposal(s, c, r->id, a))
        return;
    ra_comment *v = NULL;
    size_t n = 0;
    ra_err e = {0};
    if (ra_store_comments_list(s, c->key.firm, r->id, &v, &n, &e) != RA_OK)
        return srv_answer_err(a, &e);
    srv_pager *pg = srv_pager_new(r);
    for (size_t i = 0; i < n; i++) {
        json_t *j = comment_json(&v[i]);
        srv_pager_add(pg, json_string_value(json_object_get(j, "id")), j);
    }
    if (n)
        sodium_memzero(v, n * sizeof *v);
    ra_store_free(v);
    srv_answer_json(a, 200, srv_pager_done(pg));
}

static void post_comment(ra_store *s, const srv_caller *c, const srv_request *r,
                         const char *body, size_t len, srv_answer *a)
{
    if (!own_proposal(s, c, r->id, a))
        return;
    srv_comment_request cr;
    srv_problem pb;
    if (srv_body_comment(body, len, &cr, &pb) != 0)
        return srv_answer_problem(a, &pb);
    ra_comment k;
    ra_err e = {0};
    ra_status rc = ra_store_comment_add(s, &c->actor, r->id, cr.body, &k, &e);
    sodium_memzero(&cr, sizeof cr);
    if (rc != RA_OK)
        return srv_answer_err(a, &e);
    /* the text is personal data: a retry's stored answer has the comment without it (it is
     * read back with GET, and is erased with the client) */
    json_t *j = comment_json(&k);
    a->kept = json_deep_copy(j);
    json_object_set_new(a->kept, "body", json_null());
    sodium_memzero(&k, sizeof k);
    srv_answer_json(a, 201, j);
}

/* --- audit records ------------------------------------------------------------------------------ */

static void get_audit_records(ra_store *s, const srv_caller *c, const srv_request *r,
                              srv_answer *a)
{
    int64_t after = r->after[0] ? strtoll(r->after, NULL, 10) : 0;
    ra_audit_rec *v = NULL;
    size_t n = 0;
    ra_err e = {0};
    if (ra_store_audit_records(s, c->key.firm, after, r->limit + 1, &v, &n, &e) != RA_OK)
        return srv_answer_err(a, &e);
    srv_pager *pg = srv_pager_new(r);
    for (size_t i = 0; i < n; i++) {
        char id[24];
        snprintf(id, sizeof id, "%015lld", (long long)v[i].seq);
        srv_pager_add(pg, id,
                      json_pack("{s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:s}", "id", id, "seq",
                                (json_int_t)v[i].seq, "at", (json_int_t)v[i].at, "user",
                                v[i].user, "action", v[i].action, "entity", v[i].entity,
                                "entity_id", v[i].entity_id, "hash", v[i].hash));
    }
    ra_store_free(v);
    srv_answer_json(a, 200, srv_pager_done(pg));
}

void srv_answer_resource(ra_store *s, const srv_caller *c, const srv_request *r, ra_date today,
                         const char *body, size_t len, srv_answer *a)
{
    switch (r->route) {
    case R_KEYS: get_keys(s, c, r, a); break;
    case R_KEY_CREATE: post_key(s, c, body, len, a); break;
    case R_KEY_REVOKE: post_key_revoke(s, c, r, a); break;
    case R_ADVISORS: get_advisors(s, c, r, 0, a); break;
    case R_ADVISOR: get_advisors(s, c, r, 1, a); break;
    case R_HOUSEHOLDS: get_households(s, c, r, 0, a); break;
    case R_HOUSEHOLD: get_households(s, c, r, 1, a); break;
    case R_ONBOARD: post_onboard(s, c, today, body, len, a); break;
    case R_PERSONAL: get_personal(s, c, r, a); break;
    case R_ERASE: post_erase(s, c, r, body, len, a); break;
    case R_MANDATES: get_mandates(s, c, r, a); break;
    case R_FILLS: get_fills(s, c, r, a); break;
    case R_COMMENTS: get_comments(s, c, r, a); break;
    case R_COMMENT: post_comment(s, c, r, body, len, a); break;
    case R_AUDIT_RECORDS: get_audit_records(s, c, r, a); break;
    default: srv_not_found(a);
    }
}
