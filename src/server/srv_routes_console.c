/* roboadvisor server: the reads the advisor console needs beyond the resources (srv.h,
 * docs/api.md): the advisor's queue of clients and an account's value series against its model.
 * Adapters over the store's calls, scoped as every route is (srv_routes.c): an advisor sees their
 * own clients, a client their own accounts, and anything else is answered 404 as a missing one. */
#include "server/srv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ALL ((size_t)1 << 30) /* "every account in scope" as a page size */

/* --- GET /v1/queue ---------------------------------------------------------------------------- */

/* One account's line of the queue: its latest day (value, drift), risk level, open alerts and
 * the proposals waiting for a decision. */
static json_t *queue_account(ra_store *s, const char *firm, const char *account, int md,
                             const ra_alert_rec *al, size_t nal, const ra_queue_item *qv,
                             size_t nq, int *risk_level, size_t *n_alerts, size_t *n_pending)
{
    ra_err e = {0};
    ra_cycle_value *dv = NULL;
    size_t ndv = 0;
    json_t *value = json_null(), *date = json_null(), *drift = json_null();
    if (ra_store_daily_values(s, firm, account, 0, 0, &dv, &ndv, &e) == RA_OK && ndv) {
        json_decref(value);
        json_decref(date);
        json_decref(drift);
        value = srv_jmoney(dv[ndv - 1].value_minor, md);
        date = srv_jdate(dv[ndv - 1].date);
        drift = isfinite(dv[ndv - 1].drift) ? json_real(dv[ndv - 1].drift) : json_null();
    }
    ra_store_free(dv);
    ra_mandate_version mv;
    int level = 0;
    if (ra_store_mandate_get(s, firm, account, 0, &mv, &e) == RA_OK)
        level = mv.mandate.risk_level;
    if (level > *risk_level)
        *risk_level = level;
    size_t alerts = 0;
    for (size_t i = 0; i < nal; i++)
        alerts += strcmp(al[i].account, account) == 0 && al[i].closed == 0;
    json_t *pending = json_array();
    for (size_t i = 0; i < nq; i++)
        if (strcmp(qv[i].account, account) == 0)
            json_array_append_new(pending, json_pack("{s:s,s:s,s:o}", "id", qv[i].proposal,
                                                     "status", qv[i].status, "date",
                                                     srv_jdate(qv[i].date)));
    *n_alerts += alerts;
    *n_pending += json_array_size(pending);
    return json_pack("{s:s,s:o,s:o,s:o,s:i,s:I,s:o}", "code", account, "date", date, "value",
                     value, "drift", drift, "risk_level", level, "alerts", (json_int_t)alerts,
                     "pending", pending);
}

void srv_console_queue(ra_store *s, const srv_caller *c, const srv_request *r, ra_date today,
                       srv_answer *a)
{
    const char *firm = c->key.firm;
    ra_err e = {0};
    ra_firm f;
    ra_api_ref *cl = NULL, *acc = NULL;
    size_t ncl = 0, nacc = 0, ntier = 0, nal = 0, nq = 0;
    ra_tier_rec *tiers = NULL;
    ra_alert_rec *al = NULL;
    ra_queue_item *qv = NULL;
    if (ra_store_firm_get(s, firm, &f, &e) != RA_OK ||
        ra_store_api_clients(s, firm, srv_scope_advisor(c), NULL, NULL, r->after, r->limit + 1,
                             &cl, &ncl, &e) != RA_OK ||
        ra_store_api_accounts(s, firm, srv_scope_advisor(c), NULL, NULL, "", ALL, &acc, &nacc,
                              &e) != RA_OK ||
        ra_store_tiers_list(s, firm, NULL, today, &tiers, &ntier, &e) != RA_OK ||
        ra_store_alerts_list(s, firm, NULL, &al, &nal, &e) != RA_OK ||
        ra_store_queue(s, firm, &qv, &nq, &e) != RA_OK) {
        srv_answer_err(a, &e);
        goto done;
    }
    json_t *items = json_array();
    size_t k = ncl < r->limit ? ncl : r->limit;
    for (size_t i = 0; i < k; i++) {
        const char *tier = ra_tier_name(0);
        for (size_t t = 0; t < ntier; t++)
            if (strcmp(tiers[t].client, cl[i].code) == 0)
                tier = ra_tier_name(tiers[t].tier);
        json_t *accounts = json_array();
        int level = 0;
        size_t alerts = 0, pending = 0;
        double drift = -1;
        for (size_t j = 0; j < nacc; j++) {
            if (strcmp(acc[j].client, cl[i].code) != 0)
                continue;
            json_t *aj = queue_account(s, firm, acc[j].code, f.minor_digits, al, nal, qv, nq,
                                       &level, &alerts, &pending);
            json_t *d = json_object_get(aj, "drift");
            if (json_is_real(d) && json_real_value(d) > drift)
                drift = json_real_value(d);
            json_array_append_new(accounts, aj);
        }
        json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s,s:i,s:o,s:I,s:I,s:o}", "client",
                                               cl[i].code, "household", cl[i].household,
                                               "advisor", cl[i].advisor, "tier", tier,
                                               "risk_level", level, "drift",
                                               drift >= 0 ? json_real(drift) : json_null(),
                                               "alerts", (json_int_t)alerts, "pending",
                                               (json_int_t)pending, "accounts", accounts));
    }
    json_t *next = json_null();
    if (ncl > k) {
        char cur[2 * RA_CYCLE_ID_MAX + 8];
        srv_cursor_make(cl[k - 1].code, cur, sizeof cur);
        next = json_string(cur);
    }
    srv_answer_json(a, 200, json_pack("{s:o,s:o}", "items", items, "next", next));
done:
    ra_store_free(cl);
    ra_store_free(acc);
    ra_store_free(tiers);
    ra_store_free(al);
    ra_store_free(qv);
}

/* --- GET /v1/accounts/{id}/values --------------------------------------------------------------- */

/* The price of series (d, p, n) on date `on` (the latest on or before it), 0 none; *at walks
 * forward with the dates asked, which come in order. */
static ra_price price_on(const ra_date *d, const ra_price *p, size_t n, size_t *at, ra_date on)
{
    while (*at + 1 < n && d[*at + 1] <= on)
        (*at)++;
    return n && d[*at] <= on ? p[*at] : 0;
}

/* The model's daily return between the account's valuation days: its weights held constant
 * (rebalanced each day), the part not in securities earning nothing. ret[0] = 0. */
static int model_returns(ra_store *s, const char *firm, const ra_model *m,
                         const ra_cycle_value *dv, size_t n, double *ret, ra_err *e)
{
    for (size_t t = 0; t < n; t++)
        ret[t] = 0;
    for (size_t k = 0; k < m->n; k++) {
        ra_date *d = NULL;
        ra_price *p = NULL;
        size_t np = 0, at = 0;
        if (ra_store_price_series(s, firm, m->w[k].ticker, 0, dv[n - 1].date, &d, &p, &np, e) !=
            RA_OK)
            return -1;
        ra_price prev = price_on(d, p, np, &at, dv[0].date);
        for (size_t t = 1; t < n; t++) {
            ra_price now = price_on(d, p, np, &at, dv[t].date);
            if (prev > 0 && now > 0)
                ret[t] += m->w[k].weight * ((double)now / (double)prev - 1.0);
            prev = now;
        }
        ra_store_free(d);
        ra_store_free(p);
    }
    return 0;
}

void srv_console_values(ra_store *s, const srv_caller *c, const srv_request *r, srv_answer *a)
{
    const char *firm = c->key.firm;
    ra_err e = {0};
    ra_api_ref *ref = NULL;
    size_t nref = 0, n = 0;
    ra_cycle_value *dv = NULL;
    ra_model *models = NULL;
    size_t nm = 0;
    double *ret = NULL;
    ra_firm f;
    ra_mandate_version mv;
    if (ra_store_api_accounts(s, firm, srv_scope_advisor(c), srv_scope_client(c), r->id, "", 1,
                              &ref, &nref, &e) != RA_OK) {
        srv_answer_err(a, &e);
        return;
    }
    ra_store_free(ref);
    if (nref != 1) {
        srv_not_found(a);
        return;
    }
    memset(&mv, 0, sizeof mv); /* no mandate yet: no model to compare with */
    if (ra_store_mandate_get(s, firm, r->id, 0, &mv, &e) != RA_OK)
        memset(&mv, 0, sizeof mv);
    if (ra_store_firm_get(s, firm, &f, &e) != RA_OK ||
        ra_store_daily_values(s, firm, r->id, 0, 0, &dv, &n, &e) != RA_OK ||
        ra_models_list(s, firm, &models, &nm, &e) != RA_OK) {
        srv_answer_err(a, &e);
        goto done;
    }
    const ra_model *m = NULL;
    for (size_t i = 0; i < nm; i++)
        if (strcmp(models[i].code, mv.mandate.model) == 0)
            m = &models[i];
    if (n && m) {
        ret = calloc(n, sizeof *ret);
        if (!ret || model_returns(s, firm, m, dv, n, ret, &e) != 0) {
            if (!ret)
                ra_err_set(&e, RA_ENOMEM, NULL, "out of memory");
            srv_answer_err(a, &e);
            goto done;
        }
    }
    json_t *items = json_array();
    double acc = 1, mod = 1;
    for (size_t t = 0; t < n; t++) {
        if (t > 0 && isfinite(dv[t].twr))
            acc *= 1 + dv[t].twr;
        if (ret)
            mod *= 1 + ret[t];
        json_array_append_new(
            items, json_pack("{s:o,s:o,s:o,s:o,s:f,s:o}", "date", srv_jdate(dv[t].date), "value",
                             srv_jmoney(dv[t].value_minor, f.minor_digits), "flow",
                             srv_jmoney(dv[t].flow_minor, f.minor_digits), "drift",
                             isfinite(dv[t].drift) ? json_real(dv[t].drift) : json_null(),
                             "cumulative", acc - 1, "model_cumulative",
                             ret ? json_real(mod - 1) : json_null()));
    }
    srv_answer_json(a, 200, json_pack("{s:s,s:s,s:s,s:o}", "account", r->id, "currency",
                                      f.currency, "model", m ? m->code : "", "items", items));
done:
    free(ret);
    ra_store_free(dv);
    ra_store_free(models);
}
