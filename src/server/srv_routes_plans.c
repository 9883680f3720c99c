/* roboadvisor server: a client's saved goal plans (issue 15; docs/api.md#plans): list a client's
 * plans, run and save one, show one. Adapters only: the plan is run and saved by the engine
 * (ra_plan_client_save) and read from the store; scoped as the other client resources -- another
 * firm's or another advisor's client or plan is answered 404 exactly as a missing one, a client's
 * key sees its own only. */
#include "server/srv_plans.h"

#include <roboadvisor/money.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 when client `code` is in the caller's scope, else 0 after answering (404 as a missing one,
 * or the store's error). */
static int client_in_scope(ra_store *s, const srv_caller *c, const char *code, srv_answer *a)
{
    ra_api_ref *v = NULL;
    size_t n = 0;
    ra_err e = {0};
    if (ra_store_api_clients(s, c->key.firm, srv_scope_advisor(c), srv_scope_client(c), code, "",
                             1, &v, &n, &e) != RA_OK) {
        srv_answer_err(a, &e);
        return 0;
    }
    ra_store_free(v);
    if (n != 1)
        srv_not_found(a);
    return n == 1;
}

/* The plan's JSON (engine_plan.h's), with "latest" when latest is 0 or 1 (-1: none). */
static json_t *plan_json(const ra_plan_rec *p, int latest, ra_err *e)
{
    char *text = NULL;
    if (ra_plan_rec_json(p, &text, e) != RA_OK)
        return NULL;
    json_t *j = json_loads(text, 0, NULL);
    sodium_memzero(text, strlen(text));
    ra_free(text);
    if (j && latest >= 0)
        json_object_set_new(j, "latest", json_boolean(latest));
    return j;
}

static void get_plans(ra_store *s, const srv_caller *c, const srv_request *r, srv_answer *a)
{
    if (!client_in_scope(s, c, r->id, a))
        return;
    ra_plan_rec *v = NULL;
    size_t n = 0;
    char latest[RA_PLAN_CODE_MAX];
    ra_err e = {0};
    if (ra_store_plan_latest(s, c->key.firm, r->id, latest, &e) != RA_OK ||
        ra_store_plans_list(s, c->key.firm, r->id, r->after, r->limit + 1, &v, &n, &e) != RA_OK)
        return srv_answer_err(a, &e);
    srv_pager *pg = srv_pager_new(r);
    ra_status rc = RA_OK;
    for (size_t i = 0; i < n && rc == RA_OK; i++) {
        json_t *j = plan_json(&v[i], strcmp(v[i].code, latest) == 0, &e);
        if (!j)
            rc = RA_ENOMEM;
        else
            srv_pager_add(pg, v[i].code, j);
    }
    if (n)
        sodium_memzero(v, n * sizeof *v);
    ra_store_free(v);
    json_t *page = srv_pager_done(pg);
    if (rc != RA_OK) {
        json_decref(page);
        return srv_answer_err(a, &e);
    }
    srv_answer_json(a, 200, page);
}

static void get_plan(ra_store *s, const srv_caller *c, const srv_request *r, srv_answer *a)
{
    ra_plan_rec *p = ra_malloc(sizeof *p);
    ra_err e = {0};
    if (!p)
        return srv_answer_json(a, 500, NULL);
    ra_status rc = ra_store_plan_get(s, c->key.firm, r->id, p, &e);
    char latest[RA_PLAN_CODE_MAX] = "";
    if (rc == RA_ENOTFOUND)
        srv_not_found(a);
    else if (rc != RA_OK)
        srv_answer_err(a, &e);
    else if (client_in_scope(s, c, p->client, a)) {
        json_t *j = NULL;
        if (ra_store_plan_latest(s, c->key.firm, p->client, latest, &e) == RA_OK)
            j = plan_json(p, strcmp(p->code, latest) == 0, &e);
        if (j)
            srv_answer_json(a, 200, j);
        else
            srv_answer_err(a, &e);
    }
    sodium_memzero(p, sizeof *p);
    ra_free(p);
}

/* A decimal amount of the body in the firm's minor units; 0, or -1 after answering. */
static int amount(const char *text, const char *path, int md, ra_minor *out, srv_problem *pb)
{
    ra_err e = {0};
    if (ra_money_parse_minor(text, strlen(text), md, out, &e) == RA_OK && *out >= 0)
        return 0;
    srv_problem_field(pb, path, "must be an amount >= 0 with at most %d decimals", md);
    return -1;
}

static void post_plan(ra_store *s, const srv_caller *c, const srv_request *r, ra_date today,
                      const char *body, size_t len, srv_answer *a)
{
    if (!client_in_scope(s, c, r->id, a))
        return;
    srv_plan_body b;
    srv_problem pb;
    if (srv_body_plan(body, len, &b, &pb) != 0)
        return srv_answer_problem(a, &pb);
    int md = 2;
    if (srv_firm_digits(s, c, &md, a) != 0) {
        sodium_memzero(&b, sizeof b);
        return;
    }
    ra_plan_request q;
    ra_plan_request_default(&q);
    memset(&pb, 0, sizeof pb);
    int bad = amount(b.goal, "$.goal", md, &q.goal_minor, &pb);
    bad |= b.monthly[0] && amount(b.monthly, "$.monthly", md, &q.monthly_minor, &pb);
    bad |= b.initial[0] && amount(b.initial, "$.initial", md, &q.initial_minor, &pb);
    if (!bad && q.goal_minor == 0) {
        srv_problem_field(&pb, "$.goal", "must be positive");
        bad = 1;
    }
    if (bad) {
        sodium_memzero(&b, sizeof b);
        return srv_answer_problem(a, &pb);
    }
    q.client = r->id;
    q.account = b.account;
    q.have_initial = b.initial[0] != 0;
    q.years = b.years;
    q.have_mu = b.have_mu;
    q.mu = b.mu;
    q.sigma = b.sigma;
    if (b.paths)
        q.paths = b.paths;
    if (b.have_seed)
        q.seed = b.seed;
    q.label = b.label;
    q.date = today;
    ra_plan_rec *p = ra_malloc(sizeof *p);
    ra_err e = {0};
    ra_status rc = p ? ra_plan_client_save(s, &c->actor, &q, p, &e)
                     : ra_err_set(&e, RA_ENOMEM, NULL, "could not allocate a plan");
    sodium_memzero(&b, sizeof b);
    if (rc == RA_EINVAL || (rc == RA_ENOTFOUND && strcmp(e.where, "account") == 0)) {
        /* a request the book cannot plan: the field it names */
        char path[48];
        snprintf(path, sizeof path, "$.%.40s", e.where[0] ? e.where : "goal");
        srv_problem_field(&pb, path, "%s", rc == RA_ENOTFOUND ? "is not an account of the client"
                                                              : e.msg);
        srv_answer_problem(a, &pb);
    } else if (rc != RA_OK) {
        srv_answer_err(a, &e);
    } else {
        json_t *j = plan_json(p, 1, &e);
        if (!j) {
            srv_answer_err(a, &e);
        } else {
            /* the label is personal data: a retry's stored answer has the plan without it (read
             * it back with GET; it is erased with the client) */
            a->kept = json_deep_copy(j);
            json_object_set_new(a->kept, "label", json_null());
            srv_answer_json(a, 201, j);
        }
    }
    if (p)
        sodium_memzero(p, sizeof *p);
    ra_free(p);
}

void srv_answer_plans(ra_store *s, const srv_caller *c, const srv_request *r, ra_date today,
                      const char *body, size_t len, srv_answer *a)
{
    switch (r->route) {
    case R_PLANS: get_plans(s, c, r, a); break;
    case R_PLAN_CREATE: post_plan(s, c, r, today, body, len, a); break;
    case R_PLAN: get_plan(s, c, r, a); break;
    default: srv_not_found(a);
    }
}
