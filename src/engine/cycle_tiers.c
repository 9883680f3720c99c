/* The daily cycle's service tiers and behaviour alerts (src/engine/cycle_int.h;
 * docs/methodology.md#service-tiers, #behaviour-alerts).
 * - The tier a client has on the day decides who acts on its proposals (ra_tier_acts_alone).
 * - After each account's close, within the account's own work (no pass over its history): its
 *   drawdown from its peak (the peak kept in account_peaks only while the account is below it),
 *   the behaviour alerts' conditions, an alert raised when a condition begins and closed when it
 *   ends (one per episode), and at the client's last account of the book the firm's routing rules
 *   on the client's day, a move effective from the next day's cycle.
 * Everything is written with the account's day (store_tiers.c), in its transaction. */
#include "engine/cycle_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/money.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cycle_tiers {
    ra_behaviour_settings set;
    ra_tier_rule *rules;
    size_t n_rules;
    ra_tiers_account *acc; /* by account id */
    size_t n_acc;
    int32_t *ix;           /* book account -> acc index (-1 none) */
    uint32_t *first;       /* book account -> the book index of its client's first account */
    uint8_t *last;         /* 1: the client's last account in the book */
    int32_t *n_accounts;   /* at the client's first account: its accounts, account types */
    int32_t *n_types;
    /* at the client's first account, added to by its accounts' days (one thread computes a
     * household whole, so a client's accounts never cross threads) */
    ra_minor *value;
    double *withdrawal;
    uint8_t *loss;
    uint32_t *wd_at, *loss_at; /* the book account of the largest withdrawal, of a crossing */
} cycle_tiers;

void cycle_tiers_free(cycle_tiers *t)
{
    if (!t)
        return;
    ra_store_free(t->acc);
    RA_FREE_ALL(t->rules, t->ix, t->first, t->last, t->n_accounts, t->n_types, t->value,
                t->withdrawal, t->loss, t->wd_at, t->loss_at);
    ra_free(t);
}

typedef struct client_ix {
    int64_t client;
    uint32_t a;
} client_ix;

static int by_client(const void *x, const void *y)
{
    const client_ix *p = x, *q = y;
    if (p->client != q->client)
        return p->client < q->client ? -1 : 1;
    return p->a < q->a ? -1 : p->a > q->a;
}

ra_status cycle_tiers_load(ra_store *s, const char *firm, const ra_cycle_book *b,
                           cycle_tiers **out, ra_err *err)
{
    *out = NULL;
    cycle_tiers *t = ra_calloc(1, sizeof *t);
    if (!t)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's tiers");
    ra_tier_rule_rec *rr = NULL;
    size_t nr = 0, n = b->n_acc ? b->n_acc : 1;
    ra_status rc = ra_store_behaviour_settings(s, firm, &t->set, err);
    if (rc == RA_OK)
        rc = ra_store_tier_rules_list(s, firm, &rr, &nr, err);
    if (rc == RA_OK)
        rc = ra_store_tiers_day(s, firm, b->date, t->set.window_days, &t->acc, &t->n_acc, err);
    client_ix *ci = NULL;
    if (rc == RA_OK) {
        t->rules = ra_calloc(nr ? nr : 1, sizeof *t->rules);
        t->ix = ra_malloc(n * sizeof *t->ix);
        t->first = ra_malloc(n * sizeof *t->first);
        t->last = ra_calloc(n, 1);
        t->n_accounts = ra_calloc(n, sizeof *t->n_accounts);
        t->n_types = ra_calloc(n, sizeof *t->n_types);
        t->value = ra_calloc(n, sizeof *t->value);
        t->withdrawal = ra_calloc(n, sizeof *t->withdrawal);
        t->loss = ra_calloc(n, 1);
        t->wd_at = ra_calloc(n, sizeof *t->wd_at);
        t->loss_at = ra_calloc(n, sizeof *t->loss_at);
        ci = ra_malloc(n * sizeof *ci);
        if (!t->rules || !t->ix || !t->first || !t->last || !t->n_accounts || !t->n_types ||
            !t->value || !t->withdrawal || !t->loss || !t->wd_at || !t->loss_at || !ci)
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's tiers");
    }
    if (rc == RA_OK) {
        for (size_t i = 0; i < nr; i++)
            t->rules[i] = rr[i].rule;
        t->n_rules = nr;
        /* the clients' accounts in the book: first, last, how many, how many types */
        for (size_t a = 0; a < b->n_acc; a++) {
            const ra_tiers_account *x = ra_tiers_find(t->acc, t->n_acc, b->acc[a].id);
            t->ix[a] = x ? (int32_t)(x - t->acc) : -1;
            ci[a] = (client_ix){x ? x->client_id : -(int64_t)a - 1, (uint32_t)a};
        }
        qsort(ci, b->n_acc, sizeof *ci, by_client);
        for (size_t i = 0; i < b->n_acc;) {
            size_t j = i;
            unsigned types = 0;
            while (j < b->n_acc && ci[j].client == ci[i].client)
                types |= 1u << (b->acc[ci[j++].a].type & 31u);
            uint32_t f = ci[i].a;
            for (size_t k = i; k < j; k++)
                t->first[ci[k].a] = f;
            t->last[ci[j - 1].a] = 1;
            t->n_accounts[f] = (int32_t)(j - i);
            int nt = 0;
            for (; types; types &= types - 1)
                nt++;
            t->n_types[f] = nt;
            i = j;
        }
    }
    ra_free(ci);
    ra_store_free(rr);
    if (rc != RA_OK) {
        cycle_tiers_free(t);
        return rc;
    }
    *out = t;
    return RA_OK;
}

int cycle_tiers_of(const run *r, size_t a)
{
    const cycle_tiers *t = r->tiers;
    return t && t->ix[a] >= 0 ? t->acc[t->ix[a]].tier : RA_TIER_DIGITAL;
}

/* The largest holding's weight in the account at the close, and its ticker. */
static ra_status max_holding(const run *r, const ra_ledger *l, ra_minor value, double *w,
                             char ticker[RA_CODE_MAX], ra_err *err)
{
    enum { CAP = 64 };
    uint32_t sec[CAP];
    ra_minor v[CAP];
    size_t n = 0;
    ra_status rc = RA_OK;
    for (size_t k = 0; k < l->n_lots && rc == RA_OK; k++) {
        ra_minor x = 0;
        uint32_t s = l->lots[k].security;
        rc = ra_money_value(l->lots[k].qty_micro, r->b->sec[s].price, r->b->minor_digits, &x, err);
        size_t j = 0;
        while (j < n && sec[j] != s)
            j++;
        if (j == n && n < CAP) {
            sec[n] = s;
            v[n++] = 0;
        }
        if (j < n)
            v[j] += x;
    }
    *w = 0.0;
    ticker[0] = '\0';
    for (size_t j = 0; j < n && value > 0; j++)
        if ((double)v[j] / (double)value > *w) {
            *w = (double)v[j] / (double)value;
            memcpy(ticker, r->b->sec[sec[j]].ticker, RA_CODE_MAX);
        }
    return rc;
}

/* The client's day against the routing rules, at its last account. */
static void route(run *r, size_t a, const ra_tiers_account *x, ra_tiers_day *d)
{
    cycle_tiers *t = r->tiers;
    uint32_t f = t->first[a];
    double scale = pow(10.0, r->b->minor_digits);
    ra_tier_inputs in;
    in.measure[RA_TIER_ASSETS] = (double)t->value[f] / scale;
    in.measure[RA_TIER_ACCOUNTS] = t->n_accounts[f];
    in.measure[RA_TIER_ACCOUNT_TYPES] = t->n_types[f];
    in.measure[RA_TIER_WITHDRAWAL] = t->withdrawal[f];
    in.measure[RA_TIER_LOSS_LIMIT] = t->loss[f];
    int to = x->tier, ix = -1;
    ra_tier_route(t->rules, t->n_rules, &in, x->tier, &to, &ix);
    if (ix < 0)
        return;
    const ra_tier_rule *rule = &t->rules[ix];
    d->move = 1;
    d->client_id = x->client_id;
    d->tier_from = x->tier;
    d->tier_to = to;
    memcpy(d->rule, rule->code, RA_CODE_MAX);
    /* the data that triggered it: the measure, and the account an event happened to */
    const char *at = rule->metric == RA_TIER_WITHDRAWAL   ? r->b->acc[t->wd_at[f]].code
                     : rule->metric == RA_TIER_LOSS_LIMIT ? r->b->acc[t->loss_at[f]].code
                                                          : NULL;
    snprintf(d->data, sizeof d->data, "%s %.6g >= %g at the close of the day%s%s",
             ra_tier_metric_name(rule->metric), in.measure[rule->metric], rule->threshold,
             at ? ", account " : "", at ? at : "");
}

ra_status cycle_tiers_check(run *r, size_t a, const ra_ledger *l, acct_out *out, ra_err *err)
{
    cycle_tiers *t = r->tiers;
    if (!t || t->ix[a] < 0)
        return RA_OK;
    const ra_tiers_account *x = &t->acc[t->ix[a]];
    const ra_cycle_account *ba = &r->b->acc[a];
    const ra_cycle_value *v = &out->day.value;
    ra_tiers_day *d = &out->tiers;
    memset(d, 0, sizeof *d);
    d->date = r->b->date;
    /* the peak, scaled by the day's external flow (docs/methodology.md#behaviour-alerts) */
    ra_minor peak = x->peak_minor > 0 ? x->peak_minor
                                      : (ba->prev_value_minor > 0 ? ba->prev_value_minor : 0);
    ra_minor without = v->value_minor - v->flow_minor;
    if (peak > 0 && v->flow_minor != 0)
        peak = without > 0 ? (ra_minor)llround((double)peak * (double)v->value_minor /
                                               (double)without)
                           : 0;
    if (peak > v->value_minor) {
        if (x->peak_minor <= 0 || peak != x->peak_minor) {
            d->peak_op = 1;
            d->peak_minor = peak;
        }
    } else {
        peak = v->value_minor;
        d->peak_op = x->peak_minor > 0 ? -1 : 0;
    }
    /* the behaviour alerts */
    ra_behaviour_inputs in = {v->value_minor, peak, x->instructions, x->withdrawal_today, 0.0,
                              ba->mandate->risk_level};
    char ticker[RA_CODE_MAX];
    ra_status rc = max_holding(r, l, v->value_minor, &in.max_weight, ticker, err);
    if (rc != RA_OK)
        return rc;
    int on[RA_ALERT_N];
    ra_behaviour_eval(&t->set, &in, on, d->observed, d->limit);
    for (int k = 0; k < RA_ALERT_N; k++) {
        unsigned bit = 1u << k, was = x->open & bit;
        if (on[k] && !was)
            d->raise |= bit;
        else if (!on[k] && was)
            d->close |= bit;
    }
    snprintf(d->detail[RA_ALERT_CONCENTRATION], RA_ALERT_DETAIL_MAX, "%s", ticker);
    snprintf(d->detail[RA_ALERT_PROFILE], RA_ALERT_DETAIL_MAX, "C%d", in.risk_level);
    snprintf(d->detail[RA_ALERT_TRADING], RA_ALERT_DETAIL_MAX, "%d days", t->set.window_days);
    /* the client's day, for the routing rules at its last account */
    uint32_t f = t->first[a];
    t->value[f] += v->value_minor;
    ra_minor before = v->value_minor + out->day.withdrawal_minor; /* before paying it */
    double wd = before > 0 ? (double)x->withdrawal_minor / (double)before : 0.0;
    if (wd > t->withdrawal[f]) {
        t->withdrawal[f] = wd;
        t->wd_at[f] = (uint32_t)a;
    }
    if (out->day.risk && out->day.risk->crossed && !t->loss[f]) {
        t->loss[f] = 1;
        t->loss_at[f] = (uint32_t)a;
    }
    if (t->last[a] && t->n_rules)
        route(r, a, x, d);
    if (d->peak_op || d->raise || d->close || d->move)
        out->day.tiers = d;
    return RA_OK;
}
