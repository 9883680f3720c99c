/* The tax report (Form 8949's shape) and the firm report gathered from the book
 * (include/roboadvisor/engine_statement.h): the tax report from the gains report and the harvest
 * of the year (ra_gains_compute, ra_gains_harvest_compute, as `gains --year`), the firm report
 * from the valuation, the clients' profiles and tiers, the daily values, alerts, suspensions and
 * fee bills. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/behaviour.h>
#include <roboadvisor/engine_gains.h>
#include <roboadvisor/engine_statement.h>
#include <roboadvisor/engine_valuation.h>
#include <roboadvisor/store_cycle.h>
#include <roboadvisor/store_fees.h>
#include <roboadvisor/store_profiles.h>
#include <roboadvisor/store_risk.h>
#include <roboadvisor/store_tiers.h>

#include "statement_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

ra_status ra_tax_report_build(ra_store *s, const char *firm, const char *account, int year,
                              ra_tax_report *r, ra_err *err)
{
    memset(r, 0, sizeof *r);
    if (year < 1 || year > 9999)
        return ra_err_set(err, RA_EINVAL, NULL, "a tax year is 1..9999, not %d", year);
    ra_firm f;
    ra_account a;
    ra_client c;
    ra_status rc = stmt_parties(s, firm, account, &f, &a, &c, err);
    if (rc != RA_OK)
        return rc;
    snprintf(r->firm, sizeof r->firm, "%s", f.code);
    snprintf(r->firm_name, sizeof r->firm_name, "%s", f.name);
    snprintf(r->account, sizeof r->account, "%s", a.code);
    snprintf(r->client_name, sizeof r->client_name, "%s", c.name);
    snprintf(r->currency, sizeof r->currency, "%s", a.currency);
    r->year = year;
    ra_gains_options o;
    ra_gains_options_default(&o);
    o.year = year;
    rc = ra_store_firm_wash_window(s, firm, &o.window_days, err);
    r->wash_window_days = o.window_days;
    ra_gains_report *g = NULL;
    ra_gains_harvest *h = NULL;
    if (rc == RA_OK)
        rc = ra_gains_compute(s, firm, account, &o, &g, err);
    if (rc == RA_OK)
        rc = ra_gains_harvest_compute(s, firm, account, &o, RA_GAINS_DEFAULT_RATE_SHORT,
                                      RA_GAINS_DEFAULT_RATE_LONG, &h, err);
    if (rc != RA_OK)
        goto out;
    r->minor_digits = g->minor_digits;
    r->rows = ra_calloc(g->n_parts ? g->n_parts : 1, sizeof *r->rows);
    if (!r->rows) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the tax report");
        goto out;
    }
    /* Part I then Part II, each in book order: one row per lot part sold, as `gains --format csv` */
    for (int term = 0; term < 2; term++)
        for (size_t i = 0; i < g->n_sales; i++) {
            const ra_gains_sale *sl = &g->sales[i];
            if (sl->date > r->source_date)
                r->source_date = sl->date;
            for (size_t p = sl->first_part; p < sl->first_part + sl->n_parts; p++) {
                const ra_gains_part *pt = &g->parts[p];
                if (pt->long_term != term)
                    continue;
                ra_tax_row *x = &r->rows[r->n_rows++];
                x->qty_micro = pt->qty_micro;
                snprintf(x->ticker, sizeof x->ticker, "%s", sl->ticker);
                x->acquired = pt->acquired;
                x->sold = sl->date;
                x->proceeds_minor = pt->proceeds_minor;
                x->cost_minor = pt->cost_minor;
                x->wash = pt->disallowed_minor != 0;
                x->adjustment_minor = pt->disallowed_minor;
                x->gain_minor = pt->gain_minor + pt->disallowed_minor;
                x->long_term = pt->long_term;
                x->txn_seq = sl->txn_seq;
                x->lot_id = pt->lot_id;
                r->total_proceeds[term] += x->proceeds_minor;
                r->total_cost[term] += x->cost_minor;
                r->total_adjustment[term] += x->adjustment_minor;
                r->total_gain[term] += x->gain_minor;
            }
        }
    r->harvest_sales = h->total.sales;
    r->harvested_minor = h->total.harvested_minor;
    r->harvest_disallowed_minor = h->total.disallowed_minor;
    r->harvest_allowed_short_minor = h->total.allowed_short_minor;
    r->harvest_allowed_long_minor = h->total.allowed_long_minor;
out:
    ra_gains_report_destroy(g);
    ra_gains_harvest_destroy(h);
    if (rc != RA_OK)
        ra_tax_report_clear(r);
    return rc;
}

ra_status ra_firm_report_build(ra_store *s, const char *firm, ra_date date, ra_firm_report *r,
                               ra_err *err)
{
    memset(r, 0, sizeof *r);
    ra_firm f;
    ra_status rc = ra_store_firm_get(s, firm, &f, err);
    if (rc != RA_OK)
        return rc;
    snprintf(r->firm, sizeof r->firm, "%s", f.code);
    snprintf(r->firm_name, sizeof r->firm_name, "%s", f.name);
    snprintf(r->currency, sizeof r->currency, "%s", f.currency);
    r->minor_digits = f.minor_digits;
    r->date = date;
    ra_account_value *v = NULL;
    size_t nv = 0;
    ra_tier_rec *tiers = NULL;
    size_t nt = 0;
    ra_alert_rec *al = NULL;
    size_t nal = 0;
    ra_suspension *sp = NULL;
    size_t nsp = 0;
    ra_fee_bill *bills = NULL;
    size_t nb = 0;
    if ((rc = ra_valuation_compute(s, firm, date, &v, &nv, &r->total_minor, err)) != RA_OK ||
        (rc = ra_store_tiers_list(s, firm, NULL, date, &tiers, &nt, err)) != RA_OK ||
        (rc = ra_store_alerts_list(s, firm, NULL, &al, &nal, err)) != RA_OK ||
        (rc = ra_store_suspensions_list(s, firm, NULL, &sp, &nsp, err)) != RA_OK)
        goto out;
    int y, m, d;
    ra_date_to_ymd(date, &y, &m, &d);
    if ((rc = ra_store_fee_bills(s, firm, NULL, ra_date_from_ymd(y, 1, 1), date, &bills, &nb,
                                 err)) != RA_OK)
        goto out;
    for (size_t i = 0; i < nb; i++)
        if (bills[i].billed) {
            r->fees_billed_minor += bills[i].total_minor;
            r->fees_billed_n++;
        }
    r->rows = ra_calloc(nv ? nv : 1, sizeof *r->rows);
    if (!r->rows) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the firm report");
        goto out;
    }
    for (size_t i = 0; rc == RA_OK && i < nv; i++) {
        ra_firm_row *x = &r->rows[r->n_rows++];
        snprintf(x->account, sizeof x->account, "%s", v[i].account);
        x->value_minor = v[i].total_minor;
        x->drift = NAN;
        ra_account a;
        if ((rc = ra_store_account_get(s, firm, v[i].account, &a, err)) != RA_OK)
            break;
        ra_stored_profile p;
        ra_err e2 = {0};
        ra_status pr = ra_store_profile_current(s, firm, a.client, &p, &e2);
        if (pr == RA_OK)
            x->client_level = p.level;
        else if (pr != RA_ENOTFOUND) {
            *err = e2;
            rc = pr;
            break;
        }
        int tier = RA_TIER_DIGITAL;
        for (size_t k = 0; k < nt; k++)
            if (strcmp(tiers[k].client, a.client) == 0)
                tier = tiers[k].tier;
        snprintf(x->tier, sizeof x->tier, "%s", ra_tier_name(tier));
        ra_cycle_value *dv = NULL;
        size_t ndv = 0;
        if ((rc = ra_store_daily_values(s, firm, v[i].account, date, date, &dv, &ndv, err)) != RA_OK)
            break;
        if (ndv) {
            x->drift = dv[0].drift;
            x->out_of_band = dv[0].out_of_band;
        }
        ra_store_free(dv);
        for (size_t k = 0; k < nal; k++)
            if (strcmp(al[k].account, x->account) == 0 && al[k].date <= date &&
                (!al[k].closed || al[k].closed > date))
                x->open_alerts++;
        for (size_t k = 0; k < nsp; k++)
            if (strcmp(sp[k].account, x->account) == 0 && sp[k].date <= date &&
                (!sp[k].reauthorised_by[0] || sp[k].reauthorised_at / 86400 > date))
                x->suspended = 1;
        int lv = x->client_level >= 1 && x->client_level <= 5 ? x->client_level : 0;
        r->by_level_n[lv]++;
        r->by_level_minor[lv] += x->value_minor;
        int t = tier >= 0 && tier < 3 ? tier : 0;
        r->by_tier_n[t]++;
        r->by_tier_minor[t] += x->value_minor;
        r->out_of_band += (size_t)x->out_of_band;
        r->suspended += (size_t)x->suspended;
        r->open_alerts += (size_t)x->open_alerts;
    }
out:
    ra_free(v);
    ra_store_free(tiers);
    ra_store_free(al);
    ra_store_free(sp);
    ra_store_free(bills);
    if (rc != RA_OK)
        ra_firm_report_clear(r);
    return rc;
}
