/* roboadvisor server: the routes (srv.h, docs/api.md). Each answers from the engine's and the
 * store's calls, the same the CLI makes (src/cli/cmd_*.c); none holds business logic. Scoping:
 * every object is looked up within the caller's firm and, for an advisor, their own clients, for
 * a client, their own accounts; an object outside that scope is answered 404 exactly as a missing
 * one (the same status, title and detail), so that no answer tells whether it exists. */
#include "server/srv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCOPE_ALL ((size_t)1 << 30) /* "every account in scope" as a page size */

static void answer_json(srv_answer *a, int status, json_t *body)
{
    a->status = status;
    a->body = body;
    a->problem = 0;
}

static void answer_problem(srv_answer *a, const srv_problem *p)
{
    a->status = p->status;
    a->body = srv_problem_json(p);
    a->problem = 1;
}

static void not_found(srv_answer *a)
{
    srv_problem p;
    memset(&p, 0, sizeof p);
    srv_problem_set(&p, 404, "not found", "no such resource");
    answer_problem(a, &p);
}

/* A store or engine error as a problem. Messages never hold personal data (CONVENTIONS.md); a
 * server-side failure says only that it failed. */
static void answer_err(srv_answer *a, const ra_err *e)
{
    srv_problem p;
    memset(&p, 0, sizeof p);
    switch (e->code) {
    case RA_ENOTFOUND: not_found(a); return;
    case RA_EINVAL:
    case RA_EPARSE:
        srv_problem_set(&p, 422, "invalid request", "%s", e->msg);
        break;
    case RA_ECONFLICT: srv_problem_set(&p, 409, "conflict", "%s", e->msg); break;
    default: srv_problem_set(&p, 500, "internal error", "the request could not be completed");
    }
    answer_problem(a, &p);
}

static const char *scope_advisor(const srv_caller *c)
{
    return c->key.role == RA_ROLE_ADVISOR ? c->key.user : NULL;
}

static const char *scope_client(const srv_caller *c)
{
    return c->key.role == RA_ROLE_CLIENT ? c->key.user : NULL;
}

/* 1 when account `code` is in the caller's scope; -1 on a store error (a set). */
static int account_visible(ra_store *s, const srv_caller *c, const char *code, ra_api_ref *ref,
                           srv_answer *a)
{
    ra_api_ref *v = NULL;
    size_t n = 0;
    ra_err e = {0};
    if (ra_store_api_accounts(s, c->key.firm, scope_advisor(c), scope_client(c), code, "", 1, &v,
                              &n, &e) != RA_OK) {
        answer_err(a, &e);
        return -1;
    }
    if (n && ref)
        *ref = v[0];
    ra_store_free(v);
    return n == 1;
}

/* The account r->id when the caller may see it: 1, or 0 after answering (404 or an error). */
static int own_account(ra_store *s, const srv_caller *c, const char *id, srv_answer *a)
{
    int vis = account_visible(s, c, id, NULL, a);
    if (vis == 0)
        not_found(a);
    return vis > 0;
}

/* The caller's accounts (sorted codes), for filtering firm-wide lists; NULL *v for an admin (all).
 * Returns 0, or -1 with a set. */
typedef struct scope_set {
    ra_api_ref *v;
    size_t n;
    int all;
} scope_set;

static int scope_load(ra_store *s, const srv_caller *c, scope_set *set, srv_answer *a)
{
    memset(set, 0, sizeof *set);
    if (c->key.role == RA_ROLE_ADMIN) {
        set->all = 1;
        return 0;
    }
    ra_err e = {0};
    if (ra_store_api_accounts(s, c->key.firm, scope_advisor(c), scope_client(c), NULL, "",
                              SCOPE_ALL, &set->v, &set->n, &e) != RA_OK) {
        answer_err(a, &e);
        return -1;
    }
    return 0;
}

static int ref_cmp(const void *k, const void *r)
{
    return strcmp(k, ((const ra_api_ref *)r)->code);
}

static int scope_has(const scope_set *set, const char *account)
{
    return set->all ||
           (set->n && bsearch(account, set->v, set->n, sizeof *set->v, ref_cmp) != NULL);
}

/* --- pages ----------------------------------------------------------------------------------- */

typedef struct page_item {
    char id[RA_CYCLE_ID_MAX];
    json_t *j;
} page_item;

typedef struct page {
    page_item *v;
    size_t n, cap;
    const srv_request *r;
} page;

static void page_add(page *pg, const char *id, json_t *j)
{
    if (strcmp(id, pg->r->after) <= 0 || !j) { /* before the cursor */
        json_decref(j);
        return;
    }
    if (pg->n == pg->cap) {
        size_t cap = pg->cap ? 2 * pg->cap : 64;
        page_item *v = realloc(pg->v, cap * sizeof *v);
        if (!v) {
            json_decref(j);
            return;
        }
        pg->v = v;
        pg->cap = cap;
    }
    snprintf(pg->v[pg->n].id, sizeof pg->v[pg->n].id, "%s", id);
    pg->v[pg->n++].j = j;
}

static int item_cmp(const void *x, const void *y)
{
    return strcmp(((const page_item *)x)->id, ((const page_item *)y)->id);
}

/* {"items": [...], "next": cursor or null}: the first limit items after the cursor in id order. */
static json_t *page_done(page *pg)
{
    if (pg->n) /* qsort of NULL is undefined even for 0 items */
        qsort(pg->v, pg->n, sizeof *pg->v, item_cmp);
    json_t *items = json_array();
    size_t k = pg->n < pg->r->limit ? pg->n : pg->r->limit;
    for (size_t i = 0; i < pg->n; i++) {
        if (i < k)
            json_array_append(items, pg->v[i].j);
        json_decref(pg->v[i].j);
    }
    json_t *next = json_null();
    if (pg->n > k) {
        char cur[2 * RA_CYCLE_ID_MAX + 8];
        srv_cursor_make(pg->v[k - 1].id, cur, sizeof cur);
        next = json_string(cur);
    }
    free(pg->v);
    return json_pack("{s:o,s:o}", "items", items, "next", next);
}

/* A page of refs fetched with limit + 1: the extra one says there is a next page. */
static json_t *refs_page(const ra_api_ref *v, size_t n, size_t limit, int accounts)
{
    json_t *items = json_array();
    size_t k = n < limit ? n : limit;
    for (size_t i = 0; i < k; i++)
        json_array_append_new(items,
                              accounts ? json_pack("{s:s,s:s,s:s}", "code", v[i].code, "client",
                                                   v[i].client, "advisor", v[i].advisor)
                                       : json_pack("{s:s,s:s,s:s}", "code", v[i].code,
                                                   "household", v[i].household, "advisor",
                                                   v[i].advisor));
    json_t *next = json_null();
    if (n > k) {
        char cur[2 * RA_CYCLE_ID_MAX + 8];
        srv_cursor_make(v[k - 1].code, cur, sizeof cur);
        next = json_string(cur);
    }
    return json_pack("{s:o,s:o}", "items", items, "next", next);
}

static json_t *jmoney(ra_minor v, int md)
{
    char b[RA_MONEY_FMT_SIZE];
    return json_string(ra_money_format_minor(v, md, b, sizeof b));
}

static json_t *jreal(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

static json_t *jdate(ra_date d)
{
    char b[11];
    return d ? json_string(ra_date_format(d, b)) : json_null();
}

/* --- the routes ------------------------------------------------------------------------------ */

static void get_firm(ra_store *s, const srv_caller *c, srv_answer *a)
{
    ra_firm f;
    ra_err e = {0};
    if (ra_store_firm_get(s, c->key.firm, &f, &e) != RA_OK)
        return answer_err(a, &e);
    answer_json(a, 200, json_pack("{s:s,s:s,s:s,s:i,s:s,s:s}", "code", f.code, "name", f.name,
                                  "currency", f.currency, "minor_digits", f.minor_digits, "role",
                                  ra_api_role_name(c->key.role), "user", c->key.user));
}

static void get_refs(ra_store *s, const srv_caller *c, const srv_request *r, int accounts,
                     srv_answer *a)
{
    ra_api_ref *v = NULL;
    size_t n = 0;
    ra_err e = {0};
    const char *code = r->id[0] ? r->id : NULL;
    ra_status rc = accounts ? ra_store_api_accounts(s, c->key.firm, scope_advisor(c),
                                                    scope_client(c), code, r->after, r->limit + 1,
                                                    &v, &n, &e)
                            : ra_store_api_clients(s, c->key.firm, scope_advisor(c),
                                                   scope_client(c), code, r->after, r->limit + 1,
                                                   &v, &n, &e);
    if (rc != RA_OK)
        return answer_err(a, &e);
    if (!code)
        answer_json(a, 200, refs_page(v, n, r->limit, accounts));
    else if (n == 0)
        not_found(a);
    else { /* a client: its accounts too */
        ra_api_ref *acc = NULL;
        size_t na = 0;
        if (ra_store_api_accounts(s, c->key.firm, scope_advisor(c), scope_client(c), NULL, "",
                                  SCOPE_ALL, &acc, &na, &e) != RA_OK) {
            ra_store_free(v);
            return answer_err(a, &e);
        }
        json_t *list = json_array();
        for (size_t i = 0; i < na; i++)
            if (strcmp(acc[i].client, v[0].code) == 0)
                json_array_append_new(list, json_string(acc[i].code));
        ra_store_free(acc);
        answer_json(a, 200, json_pack("{s:s,s:s,s:s,s:o}", "code", v[0].code, "household",
                                      v[0].household, "advisor", v[0].advisor, "accounts", list));
    }
    ra_store_free(v);
}

static void get_account(ra_store *s, const srv_caller *c, const srv_request *r, ra_date today,
                        srv_answer *a)
{
    ra_api_ref ref;
    int vis = account_visible(s, c, r->id, &ref, a);
    if (vis < 0)
        return;
    if (!vis)
        return not_found(a);
    ra_err e = {0};
    ra_firm f;
    if (ra_store_firm_get(s, c->key.firm, &f, &e) != RA_OK)
        return answer_err(a, &e);
    /* as of its latest valued day, as 'account show' does, from the stored state */
    ra_mandate_version mv;
    ra_account_view v;
    memset(&v, 0, sizeof v);
    ra_status rc = ra_store_mandate_get(s, c->key.firm, r->id, 0, &mv, &e);
    if (rc == RA_OK)
        rc = ra_account_view_current(s, c->key.firm, r->id, today, mv.mandate.cash_reserve,
                                     mv.mandate.band_rel, &v, &e);
    if (rc != RA_OK) {
        ra_account_view_clear(&v);
        return answer_err(a, &e);
    }
    int md = f.minor_digits;
    json_t *hs = json_array();
    for (size_t i = 0; i < v.n; i++) {
        const ra_account_holding *h = &v.h[i];
        char q[RA_MONEY_FMT_SIZE], p[RA_MONEY_FMT_SIZE];
        json_array_append_new(
            hs, json_pack("{s:s,s:s,s:o,s:o,s:o,s:f,s:f,s:f}", "ticker", h->ticker, "qty",
                          ra_money_format_qty(h->qty_micro, q, sizeof q), "price",
                          h->price ? json_string(ra_money_format_price(h->price, p, sizeof p))
                                   : json_null(),
                          "price_date", h->price ? jdate(h->price_date) : json_null(), "value",
                          jmoney(h->value_minor, md), "weight", h->weight, "target", h->target,
                          "drift", h->drift));
    }
    json_t *doc = json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:o,s:o,s:f,s:f,s:o,s:o}", "code", v.account,
                            "client", ref.client, "advisor", ref.advisor, "date", jdate(v.date),
                            "status", v.status, "currency", v.acct.currency, "value",
                            jmoney(v.value_minor, md), "cash", jmoney(v.cash_minor, md), "drift",
                            v.drift, "max_deviation", v.max_dev, "positions", hs,
                            "open_proposal",
                            v.proposal[0] ? json_string(v.proposal) : json_null());
    ra_account_view_clear(&v);
    answer_json(a, 200, doc);
}

static json_t *instr_json(const ra_instruction *in, int md)
{
    return json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:o,s:s}", "code", in->code, "account",
                     in->account, "kind", in->kind, "amount", jmoney(in->amount_minor, md), "due",
                     jdate(in->due), "source", in->source, "paid", jmoney(in->paid_minor, md),
                     "status", in->status);
}

static void get_instructions(ra_store *s, const srv_caller *c, const srv_request *r,
                             srv_answer *a)
{
    if (!own_account(s, c, r->id, a))
        return;
    ra_err e = {0};
    ra_firm f;
    ra_instruction *v = NULL;
    size_t n = 0;
    if (ra_store_firm_get(s, c->key.firm, &f, &e) != RA_OK ||
        ra_store_instructions_list(s, c->key.firm, r->id, NULL, &v, &n, &e) != RA_OK)
        return answer_err(a, &e);
    page pg = {NULL, 0, 0, r};
    for (size_t i = 0; i < n; i++)
        page_add(&pg, v[i].code, instr_json(&v[i], f.minor_digits));
    ra_store_free(v);
    answer_json(a, 200, page_done(&pg));
}

/* The amount of a body in the firm's minor units: 0 with *f and *out, or -1 after answering (a
 * 422 naming $.amount when it has more decimals than the firm's currency). */
static int firm_amount(ra_store *s, const srv_caller *c, const char *amount, ra_firm *f,
                       ra_minor *out, srv_answer *a)
{
    ra_err e = {0};
    if (ra_store_firm_get(s, c->key.firm, f, &e) != RA_OK) {
        answer_err(a, &e);
        return -1;
    }
    if (ra_money_parse_minor(amount, strlen(amount), f->minor_digits, out, NULL) == RA_OK &&
        *out > 0)
        return 0;
    srv_problem p;
    memset(&p, 0, sizeof p);
    srv_problem_field(&p, "$.amount", "must be above 0 with at most %d decimals",
                      f->minor_digits);
    answer_problem(a, &p);
    return -1;
}

static void post_withdrawal(ra_store *s, const srv_caller *c, const srv_request *r,
                            ra_date today, const char *body, size_t len, srv_answer *a)
{
    if (!own_account(s, c, r->id, a))
        return;
    srv_withdrawal w;
    srv_problem p;
    if (srv_body_withdrawal(body, len, &w, &p) != 0)
        return answer_problem(a, &p);
    ra_err e = {0};
    ra_firm f;
    ra_minor amount = 0;
    if (firm_amount(s, c, w.amount, &f, &amount, a) != 0)
        return;
    char code[RA_CYCLE_ID_MAX];
    if (ra_store_withdrawal_put(s, &c->actor, r->id, amount, w.due ? w.due : today, "client",
                                w.note, code, &e) != RA_OK)
        return answer_err(a, &e);
    answer_json(a, 201, json_pack("{s:s,s:s,s:s,s:o,s:o,s:s}", "code", code, "account", r->id,
                                  "currency", f.currency, "amount", jmoney(amount, f.minor_digits),
                                  "due", jdate(w.due ? w.due : today), "status", "pending"));
}

static json_t *proposal_json(const ra_cycle_proposal *p, int md, int full)
{
    json_t *j = json_pack("{s:s,s:s,s:o,s:s,s:b,s:o,s:f,s:f,s:s,s:i}", "id", p->id, "account",
                          p->account, "date", jdate(p->date), "status", p->status,
                          "discretionary", p->discretionary, "value", jmoney(p->value_minor, md),
                          "drift_before", p->drift_before, "drift_after", p->drift_after,
                          "decided_by", p->decided_by, "n_trades", (int)p->n_trades);
    if (j && full) {
        json_t *ts = json_array();
        for (size_t i = 0; i < p->n_trades; i++) {
            const ra_cycle_trade *t = &p->trades[i];
            char q[RA_MONEY_FMT_SIZE];
            json_t *reasons = json_array();
            for (unsigned k = 0; k < 32; k++)
                if (t->reasons & (1u << k))
                    json_array_append_new(reasons, json_string(ra_cycle_reason_name(k)));
            char pr[RA_MONEY_FMT_SIZE];
            json_t *tj = json_pack("{s:i,s:s,s:s,s:s,s:o,s:o,s:s}", "n", t->n, "ticker",
                                   t->ticker, "side", t->side > 0 ? "buy" : "sell", "qty",
                                   ra_money_format_qty(t->qty_micro, q, sizeof q), "value",
                                   jmoney(t->value_minor, md), "reasons", reasons, "status",
                                   t->status);
            /* the data it rests on (the close of price_date) and its tax effect (sales) */
            json_object_set_new(tj, "price", t->price ? json_string(ra_money_format_price(
                                                             t->price, pr, sizeof pr))
                                                      : json_null());
            json_object_set_new(tj, "price_date", jdate(t->price_date));
            json_object_set_new(tj, "risk_level", json_integer(t->risk_level));
            json_object_set_new(tj, "gain_short", jmoney(t->gain_short_minor, md));
            json_object_set_new(tj, "gain_long", jmoney(t->gain_long_minor, md));
            json_array_append_new(ts, tj);
        }
        json_object_set_new(j, "trades", ts);
        json_object_set_new(j, "decided_reason", json_string(p->decided_reason));
    }
    return j;
}

static int firm_digits(ra_store *s, const srv_caller *c, int *md, srv_answer *a)
{
    ra_firm f;
    ra_err e = {0};
    if (ra_store_firm_get(s, c->key.firm, &f, &e) != RA_OK) {
        answer_err(a, &e);
        return -1;
    }
    *md = f.minor_digits;
    return 0;
}

static void get_proposals(ra_store *s, const srv_caller *c, const srv_request *r, srv_answer *a)
{
    scope_set set;
    int md = 2;
    if (firm_digits(s, c, &md, a) != 0 || scope_load(s, c, &set, a) != 0)
        return;
    ra_cycle_filter flt = {0, NULL, NULL};
    ra_cycle_proposal *v = NULL;
    size_t n = 0;
    ra_err e = {0};
    if (ra_store_proposals_list(s, c->key.firm, &flt, &v, &n, &e) != RA_OK) {
        ra_store_free(set.v);
        return answer_err(a, &e);
    }
    page pg = {NULL, 0, 0, r};
    for (size_t i = 0; i < n; i++)
        if (scope_has(&set, v[i].account) && strcmp(v[i].id, r->after) > 0)
            page_add(&pg, v[i].id, proposal_json(&v[i], md, 0));
    ra_cycle_proposals_free(v, n);
    ra_store_free(set.v);
    answer_json(a, 200, page_done(&pg));
}

/* The proposal r->id when the caller may see it: 1 (p filled: ra_cycle_proposal_clear), 0 after
 * answering. */
static int proposal_load(ra_store *s, const srv_caller *c, const char *id, ra_cycle_proposal *p,
                         srv_answer *a)
{
    memset(p, 0, sizeof *p);
    ra_err e = {0};
    if (ra_store_proposal_get(s, c->key.firm, id, p, &e) != RA_OK) {
        answer_err(a, &e);
        return 0;
    }
    int vis = account_visible(s, c, p->account, NULL, a);
    if (vis <= 0) {
        ra_cycle_proposal_clear(p);
        if (vis == 0)
            not_found(a);
        return 0;
    }
    return 1;
}

static void get_proposal(ra_store *s, const srv_caller *c, const srv_request *r, srv_answer *a)
{
    int md = 2;
    ra_cycle_proposal p;
    if (firm_digits(s, c, &md, a) != 0 || !proposal_load(s, c, r->id, &p, a))
        return;
    answer_json(a, 200, proposal_json(&p, md, 1));
    ra_cycle_proposal_clear(&p);
}

static void post_decide(ra_store *s, const srv_caller *c, const srv_request *r, int approve,
                        const char *body, size_t len, srv_answer *a)
{
    int md = 2;
    ra_cycle_proposal p;
    if (firm_digits(s, c, &md, a) != 0 || !proposal_load(s, c, r->id, &p, a))
        return;
    ra_cycle_proposal_clear(&p);
    srv_decision d;
    srv_problem pb;
    if (srv_body_decision(body, len, &d, &pb) != 0)
        return answer_problem(a, &pb);
    size_t orders = 0;
    ra_err e = {0};
    if (ra_store_proposal_decide(s, &c->actor, r->id, approve, d.trades, d.n_trades, d.reason,
                                 &orders, &e) != RA_OK)
        return answer_err(a, &e);
    if (!proposal_load(s, c, r->id, &p, a))
        return;
    json_t *j = proposal_json(&p, md, 1);
    json_object_set_new(j, "orders_made", json_integer((json_int_t)orders));
    ra_cycle_proposal_clear(&p);
    answer_json(a, 200, j);
}

static void get_orders(ra_store *s, const srv_caller *c, const srv_request *r, srv_answer *a)
{
    scope_set set;
    if (scope_load(s, c, &set, a) != 0)
        return;
    ra_cycle_filter flt = {0, NULL, NULL};
    ra_cycle_order *v = NULL;
    size_t n = 0;
    ra_err e = {0};
    if (ra_store_orders_list(s, c->key.firm, &flt, &v, &n, &e) != RA_OK) {
        ra_store_free(set.v);
        return answer_err(a, &e);
    }
    page pg = {NULL, 0, 0, r};
    for (size_t i = 0; i < n; i++) {
        if (!scope_has(&set, v[i].account) || strcmp(v[i].id, r->after) <= 0)
            continue;
        char q[RA_MONEY_FMT_SIZE], f[RA_MONEY_FMT_SIZE];
        page_add(&pg, v[i].id,
                 json_pack("{s:s,s:s,s:s,s:i,s:o,s:s,s:s,s:s,s:s,s:s}", "id", v[i].id, "account",
                           v[i].account, "proposal", v[i].proposal, "trade", v[i].trade_n, "date",
                           jdate(v[i].date), "ticker", v[i].ticker, "side",
                           v[i].side > 0 ? "buy" : "sell", "qty",
                           ra_money_format_qty(v[i].qty_micro, q, sizeof q), "filled",
                           ra_money_format_qty(v[i].filled_micro, f, sizeof f), "status",
                           v[i].status));
    }
    ra_store_free(v);
    ra_store_free(set.v);
    answer_json(a, 200, page_done(&pg));
}

static void get_notifications(ra_store *s, const srv_caller *c, const srv_request *r,
                              srv_answer *a)
{
    scope_set set;
    if (scope_load(s, c, &set, a) != 0)
        return;
    ra_notification *v = NULL;
    size_t n = 0;
    ra_err e = {0};
    if (ra_store_notifications_list(s, c->key.firm, NULL, 0, &v, &n, &e) != RA_OK) {
        ra_store_free(set.v);
        return answer_err(a, &e);
    }
    page pg = {NULL, 0, 0, r};
    for (size_t i = 0; i < n; i++) {
        /* a client sees what is addressed to them, an advisor what is addressed to their clients'
         * accounts */
        if (!scope_has(&set, v[i].account) ||
            (c->key.role == RA_ROLE_CLIENT && strcmp(v[i].recipient, "client") != 0))
            continue;
        page_add(&pg, v[i].code,
                 json_pack("{s:s,s:s,s:o,s:s,s:s,s:s,s:I}", "code", v[i].code, "account",
                           v[i].account, "date", jdate(v[i].date), "recipient", v[i].recipient,
                           "kind", v[i].kind, "message", v[i].message, "due_at",
                           (json_int_t)v[i].due_at));
    }
    ra_store_free(v);
    ra_store_free(set.v);
    answer_json(a, 200, page_done(&pg));
}

static void get_audit(ra_store *s, srv_answer *a)
{
    uint64_t n = 0, bad = 0;
    ra_err e = {0};
    ra_status rc = ra_store_audit_verify(s, &n, &bad, &e);
    if (rc != RA_OK && rc != RA_ECONFLICT)
        return answer_err(a, &e);
    answer_json(a, 200, json_pack("{s:b,s:I,s:I}", "intact", rc == RA_OK, "records",
                                  (json_int_t)n, "first_bad", (json_int_t)bad));
}

static void get_models(ra_store *s, const srv_caller *c, const srv_request *r, srv_answer *a)
{
    ra_model *v = NULL;
    size_t n = 0;
    ra_err e = {0};
    if (ra_models_list(s, c->key.firm, &v, &n, &e) != RA_OK)
        return answer_err(a, &e);
    page pg = {NULL, 0, 0, r};
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i].code, r->after) <= 0)
            continue;
        json_t *w = json_array();
        for (size_t k = 0; k < v[i].n; k++)
            json_array_append_new(w, json_pack("{s:s,s:f}", "ticker", v[i].w[k].ticker,
                                               "weight", v[i].w[k].weight));
        page_add(&pg, v[i].code,
                 json_pack("{s:s,s:i,s:i,s:s,s:o,s:b,s:o,s:f,s:o}", "code", v[i].code, "version",
                           v[i].version, "level", v[i].level, "method", v[i].method,
                           "expected_return", jreal(v[i].expected_return), "return_over_cash",
                           ra_models_returns_excess(&v[i]), "volatility",
                           jreal(v[i].volatility), "equity_share", v[i].equity_share,
                           "weights", w));
    }
    ra_store_free(v);
    answer_json(a, 200, page_done(&pg));
}

static void get_alerts(ra_store *s, const srv_caller *c, const srv_request *r, srv_answer *a)
{
    scope_set set;
    if (scope_load(s, c, &set, a) != 0)
        return;
    ra_alert_rec *v = NULL;
    size_t n = 0;
    ra_err e = {0};
    if (ra_store_alerts_list(s, c->key.firm, NULL, &v, &n, &e) != RA_OK) {
        ra_store_free(set.v);
        return answer_err(a, &e);
    }
    page pg = {NULL, 0, 0, r};
    for (size_t i = 0; i < n; i++) {
        if (!scope_has(&set, v[i].account))
            continue;
        char id[RA_CYCLE_ID_MAX], d[11];
        snprintf(id, sizeof id, "%s.%s.%s", ra_date_format(v[i].date, d), v[i].account,
                 ra_alert_name(v[i].kind));
        page_add(&pg, id,
                 json_pack("{s:s,s:s,s:s,s:o,s:o,s:f,s:f,s:s}", "id", id, "account",
                           v[i].account, "kind", ra_alert_name(v[i].kind), "date",
                           jdate(v[i].date), "closed", jdate(v[i].closed), "observed",
                           v[i].observed, "threshold", v[i].threshold, "detail", v[i].detail));
    }
    ra_store_free(v);
    ra_store_free(set.v);
    answer_json(a, 200, page_done(&pg));
}

static void get_suspensions(ra_store *s, const srv_caller *c, const srv_request *r,
                            srv_answer *a)
{
    scope_set set;
    int md = 2;
    if (firm_digits(s, c, &md, a) != 0 || scope_load(s, c, &set, a) != 0)
        return;
    ra_suspension *v = NULL;
    size_t n = 0;
    ra_err e = {0};
    if (ra_store_suspensions_list(s, c->key.firm, NULL, &v, &n, &e) != RA_OK) {
        ra_store_free(set.v);
        return answer_err(a, &e);
    }
    page pg = {NULL, 0, 0, r};
    for (size_t i = 0; i < n; i++) {
        if (!scope_has(&set, v[i].account))
            continue;
        char id[RA_CYCLE_ID_MAX], d[11];
        snprintf(id, sizeof id, "%s.%s.%zu", v[i].account, ra_date_format(v[i].date, d), i);
        page_add(&pg, id,
                 json_pack("{s:s,s:s,s:o,s:s,s:f,s:o,s:o,s:o,s:b,s:s,s:I}", "id", id, "account",
                           v[i].account, "date", jdate(v[i].date), "kind", v[i].kind,
                           "loss_limit", v[i].loss_limit, "entrusted",
                           jmoney(v[i].entrusted_minor, md), "value",
                           jmoney(v[i].value_minor, md), "loss", jmoney(v[i].loss_minor, md),
                           "suspended", v[i].reauthorised_by[0] == 0, "reauthorised_by",
                           v[i].reauthorised_by, "reauthorised_at",
                           (json_int_t)v[i].reauthorised_at));
    }
    ra_store_free(v);
    ra_store_free(set.v);
    answer_json(a, 200, page_done(&pg));
}

static void post_reauthorise(ra_store *s, const srv_caller *c, const srv_request *r,
                             const char *body, size_t len, srv_answer *a)
{
    if (!own_account(s, c, r->id, a))
        return;
    srv_note nt;
    srv_problem p;
    if (srv_body_note(body, len, &nt, &p) != 0)
        return answer_problem(a, &p);
    ra_suspension sp;
    ra_err e = {0};
    if (ra_store_reauthorise(s, &c->actor, r->id, c->actor.user, nt.note, &sp, &e) != RA_OK)
        return answer_err(a, &e);
    answer_json(a, 200, json_pack("{s:s,s:o,s:s,s:b}", "account", r->id, "date", jdate(sp.date),
                                  "reauthorised_by", sp.reauthorised_by, "suspended", 0));
}

static void post_deposit(ra_store *s, const srv_caller *c, const srv_request *r, ra_date today,
                         const char *body, size_t len, srv_answer *a)
{
    if (!own_account(s, c, r->id, a))
        return;
    srv_deposit dp;
    srv_problem p;
    if (srv_body_deposit(body, len, &dp, &p) != 0)
        return answer_problem(a, &p);
    ra_err e = {0};
    ra_firm f;
    ra_minor amount = 0;
    if (firm_amount(s, c, dp.amount, &f, &amount, a) != 0)
        return;
    ra_store_txn t;
    memset(&t, 0, sizeof t);
    snprintf(t.account, sizeof t.account, "%.47s", r->id);
    snprintf(t.external_id, sizeof t.external_id, "api-%.43s", dp.reference);
    t.kind = RA_TXN_DEPOSIT;
    t.date = dp.date ? dp.date : today;
    t.amount_minor = amount;
    ra_store_txn_stats st;
    if (ra_store_txn_append(s, &c->actor, &t, 1, &st, &e) != RA_OK)
        return answer_err(a, &e);
    /* 201: booked now; 200: this reference was booked before with the same amount and date, so
     * nothing was created (a different amount or date under it is a 409, from the store) */
    answer_json(a, st.applied == 1 ? 201 : 200,
                json_pack("{s:s,s:s,s:s,s:o,s:o,s:b}", "account", r->id, "external_id",
                                  t.external_id, "currency", f.currency, "amount",
                                  jmoney(amount, f.minor_digits), "date", jdate(t.date),
                                  "new", st.applied == 1));
}

/* The account's gains report (the CLI's 'gains'), with the firm's wash-sale window. */
static ra_gains_report *gains(ra_store *s, const srv_caller *c, const char *account,
                              srv_answer *a)
{
    ra_gains_options o;
    ra_gains_options_default(&o);
    ra_gains_report *g = NULL;
    ra_err e = {0};
    if (ra_store_firm_wash_window(s, c->key.firm, &o.window_days, &e) != RA_OK ||
        ra_gains_compute(s, c->key.firm, account, &o, &g, &e) != RA_OK) {
        answer_err(a, &e);
        return NULL;
    }
    return g;
}

static void get_lots(ra_store *s, const srv_caller *c, const srv_request *r, srv_answer *a)
{
    int md = 2;
    if (!own_account(s, c, r->id, a) || firm_digits(s, c, &md, a) != 0)
        return;
    ra_gains_report *g = gains(s, c, r->id, a);
    if (!g)
        return;
    page pg = {NULL, 0, 0, r};
    for (size_t i = 0; i < g->n_open; i++) {
        const ra_gains_open *l = &g->open[i];
        char id[40], q[RA_MONEY_FMT_SIZE];
        /* lot ids padded so that text order is number order; pieces of one lot numbered */
        snprintf(id, sizeof id, "%012llu.%04zu", (unsigned long long)l->lot_id, i);
        page_add(&pg, id,
                 json_pack("{s:s,s:I,s:s,s:o,s:o,s:s,s:o,s:o}", "id", id, "lot",
                           (json_int_t)l->lot_id, "ticker", l->ticker, "acquired",
                           jdate(l->acquired), "holding_from", jdate(l->holding_from), "qty",
                           ra_money_format_qty(l->qty_micro, q, sizeof q), "cost",
                           jmoney(l->cost_minor, md), "adjustment",
                           jmoney(l->adjustment_minor, md)));
    }
    ra_gains_report_destroy(g);
    answer_json(a, 200, page_done(&pg));
}

static void get_gains(ra_store *s, const srv_caller *c, const srv_request *r, srv_answer *a)
{
    int md = 2;
    if (!own_account(s, c, r->id, a) || firm_digits(s, c, &md, a) != 0)
        return;
    ra_gains_report *g = gains(s, c, r->id, a);
    if (!g)
        return;
    const ra_gains_totals *t = &g->totals;
    answer_json(a, 200,
                json_pack("{s:s,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "account", r->id,
                          "sales", (json_int_t)g->n_sales, "open_lots", (json_int_t)g->n_open,
                          "proceeds", jmoney(t->proceeds_minor, md), "cost",
                          jmoney(t->cost_minor, md), "gain", jmoney(t->gain_minor, md),
                          "disallowed", jmoney(t->disallowed_minor, md), "short_term",
                          jmoney(t->short_term_minor, md), "long_term",
                          jmoney(t->long_term_minor, md), "open_cost",
                          jmoney(t->open_cost_minor, md), "harvested",
                          jmoney(t->harvested_minor, md)));
    ra_gains_report_destroy(g);
}

void srv_answer_request(ra_store *s, const srv_caller *c, const srv_request *r, ra_date today,
                        const char *body, size_t len, srv_answer *a)
{
    memset(a, 0, sizeof *a);
    switch (r->route) {
    case R_FIRM: get_firm(s, c, a); break;
    case R_CLIENTS:
    case R_CLIENT: get_refs(s, c, r, 0, a); break;
    case R_ACCOUNTS: get_refs(s, c, r, 1, a); break;
    case R_ACCOUNT: get_account(s, c, r, today, a); break;
    case R_WITHDRAW: post_withdrawal(s, c, r, today, body, len, a); break;
    case R_INSTRUCTIONS: get_instructions(s, c, r, a); break;
    case R_PROPOSALS: get_proposals(s, c, r, a); break;
    case R_PROPOSAL: get_proposal(s, c, r, a); break;
    case R_APPROVE: post_decide(s, c, r, 1, body, len, a); break;
    case R_REJECT: post_decide(s, c, r, 0, body, len, a); break;
    case R_ORDERS: get_orders(s, c, r, a); break;
    case R_NOTIFICATIONS: get_notifications(s, c, r, a); break;
    case R_AUDIT: get_audit(s, a); break;
    case R_MODELS: get_models(s, c, r, a); break;
    case R_ALERTS: get_alerts(s, c, r, a); break;
    case R_SUSPENSIONS: get_suspensions(s, c, r, a); break;
    case R_REAUTHORISE: post_reauthorise(s, c, r, body, len, a); break;
    case R_DEPOSIT: post_deposit(s, c, r, today, body, len, a); break;
    case R_LOTS: get_lots(s, c, r, a); break;
    case R_GAINS: get_gains(s, c, r, a); break;
    case R_QUEUE: srv_console_queue(s, c, r, today, a); break;
    case R_VALUES: srv_console_values(s, c, r, a); break;
    /* the further resources (srv_routes_resources.c) */
    case R_KEYS:
    case R_KEY_CREATE:
    case R_KEY_REVOKE:
    case R_ADVISORS:
    case R_ADVISOR:
    case R_HOUSEHOLDS:
    case R_HOUSEHOLD:
    case R_ONBOARD:
    case R_PERSONAL:
    case R_ERASE:
    case R_MANDATES:
    case R_FILLS:
    case R_COMMENTS:
    case R_COMMENT:
    case R_AUDIT_RECORDS: srv_answer_resource(s, c, r, today, body, len, a); break;
    case R_PLANS: srv_answer_plans(s, c, r, today, body, len, a); break;
    case R_PLAN_CREATE: srv_answer_plans(s, c, r, today, body, len, a); break;
    case R_PLAN: srv_answer_plans(s, c, r, today, body, len, a); break;
    default: not_found(a);
    }
    if (!a->body) { /* out of memory building it */
        srv_problem p;
        memset(&p, 0, sizeof p);
        srv_problem_set(&p, 500, "internal error", "the request could not be completed");
        answer_problem(a, &p);
    }
}

/* --- shared with the other route files (srv.h) ------------------------------------------------ */

void srv_not_found(srv_answer *a) { not_found(a); }
void srv_answer_json(srv_answer *a, int status, json_t *body) { answer_json(a, status, body); }
void srv_answer_err(srv_answer *a, const ra_err *e) { answer_err(a, e); }
const char *srv_scope_advisor(const srv_caller *c) { return scope_advisor(c); }
const char *srv_scope_client(const srv_caller *c) { return scope_client(c); }
json_t *srv_jmoney(ra_minor v, int md) { return jmoney(v, md); }
json_t *srv_jdate(ra_date d) { return jdate(d); }
void srv_answer_problem(srv_answer *a, const srv_problem *p) { answer_problem(a, p); }
int srv_own_account(ra_store *s, const srv_caller *c, const char *id, srv_answer *a)
{
    return own_account(s, c, id, a);
}
int srv_proposal_load(ra_store *s, const srv_caller *c, const char *id, ra_cycle_proposal *p,
                      srv_answer *a)
{
    return proposal_load(s, c, id, p, a);
}
int srv_firm_digits(ra_store *s, const srv_caller *c, int *md, srv_answer *a)
{
    return firm_digits(s, c, md, a);
}

struct srv_pager {
    page pg;
};

srv_pager *srv_pager_new(const srv_request *r)
{
    srv_pager *p = calloc(1, sizeof *p);
    if (p)
        p->pg.r = r;
    return p;
}

void srv_pager_add(srv_pager *p, const char *id, json_t *j)
{
    if (p)
        page_add(&p->pg, id, j);
    else
        json_decref(j);
}

json_t *srv_pager_done(srv_pager *p)
{
    if (!p)
        return NULL;
    json_t *j = page_done(&p->pg);
    free(p);
    return j;
}
