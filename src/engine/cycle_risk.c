/* The daily cycle's risk limits (src/engine/cycle_int.h; docs/methodology.md#risk-limits): at the
 * day's close, before an account trades, its loss limit and its mandate's rules.
 * - An account suspended on an earlier day and not re-authorised since makes no proposal.
 * - One whose loss crosses its mandate's loss_limit now makes none either, nor one that a rule
 *   suspends.
 * - The rules that fire are recorded with the data that triggered them; reduce, add and close
 *   move the account's target weights before its proposal, whose trades of those securities
 *   carry the reason risk_limit; notify and suspend notify the client and the advisor.
 * All of it is written with the account's day in the same transaction (store_risk.c), so a
 * re-run, or a run killed at any moment and run again, records it exactly once. */
#include "engine/cycle_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/riskrules.h>
#include <roboadvisor/store_risk.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

void cycle_risk_free(cycle_risk *k)
{
    if (!k)
        return;
    for (size_t i = 0; k->ret && i < k->n; i++)
        ra_free(k->ret[i]);
    for (size_t i = 0; k->closes && i < k->n_sec; i++)
        ra_free(k->closes[i]);
    ra_store_free(k->acc);
    ra_store_free(k->lib);
    ra_store_free(k->events);
    RA_FREE_ALL(k->ret, k->n_ret, k->closes, k->n_closes);
    ra_free(k);
}

const ra_risk_account *cycle_risk_find(const cycle_risk *k, int64_t id)
{
    size_t lo = 0, hi = k->n; /* by account id */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k->acc[mid].account_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < k->n && k->acc[lo].account_id == id ? &k->acc[lo] : NULL;
}

static const ra_risk_rule_rec *lib_find(const cycle_risk *k, const char *code, size_t n)
{
    for (size_t i = 0; i < k->n_lib; i++) /* a firm's library is short */
        if (strlen(k->lib[i].rule.code) == n && strncmp(k->lib[i].rule.code, code, n) == 0)
            return &k->lib[i];
    return NULL;
}

/* The daily returns of account code before the day (its stored daily values' TWRs, oldest
 * first; the first day's, which has none, left out). */
static ra_status load_returns(ra_store *s, const char *firm, const char *code, ra_date day,
                              double **out, size_t *n, ra_err *err)
{
    ra_cycle_value *v = NULL;
    size_t nv = 0;
    *out = NULL;
    *n = 0;
    ra_status rc = ra_store_daily_values(s, firm, code, 0, day - 1, &v, &nv, err);
    double *r = rc == RA_OK ? ra_calloc(nv + 1, sizeof *r) : NULL;
    if (rc == RA_OK && !r)
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the returns of %s", code);
    for (size_t i = 0; rc == RA_OK && i < nv; i++)
        if (isfinite(v[i].twr))
            r[(*n)++] = v[i].twr;
    ra_store_free(v);
    *out = r;
    return rc;
}

/* The closes of every security of the book over the last `window` + 1 trading days to the day
 * (intraday: window closes before the day, then the book's price, the snapshot's or the last
 * close, as the day's). */
static ra_status load_closes(ra_store *s, const char *firm, const ra_cycle_book *b, int window,
                             cycle_risk *k, ra_err *err)
{
    const int today = k->intraday; /* the day's close is not in the store yet */
    k->n_sec = b->n_sec;
    k->closes = ra_calloc(b->n_sec ? b->n_sec : 1, sizeof *k->closes);
    k->n_closes = ra_calloc(b->n_sec ? b->n_sec : 1, sizeof *k->n_closes);
    if (!k->closes || !k->n_closes)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the closes");
    ra_status rc = RA_OK;
    for (size_t i = 0; i < b->n_sec && rc == RA_OK; i++) {
        ra_date *d = NULL;
        ra_price *p = NULL;
        size_t n = 0;
        /* window trading days fit in 1.5 x window + 10 calendar days (weekends, holidays) */
        rc = ra_store_price_series(s, firm, b->sec[i].ticker, b->date - (3 * window) / 2 - 10,
                                   b->date - today, &d, &p, &n, err);
        size_t want = (size_t)window + 1 - (size_t)today; /* today's comes from the book */
        size_t keep = n > want ? want : n;
        if (rc == RA_OK && keep + (size_t)today) {
            k->closes[i] = ra_malloc((keep + 1) * sizeof **k->closes);
            if (!k->closes[i])
                rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the closes");
            else {
                if (keep)
                    memcpy(k->closes[i], p + (n - keep), keep * sizeof *p);
                if (today)
                    k->closes[i][keep] = b->sec[i].price;
                k->n_closes[i] = keep + (size_t)today;
            }
        }
        ra_store_free(d);
        ra_store_free(p);
    }
    return rc;
}

ra_status cycle_risk_closes(ra_store *s, const char *firm, const ra_cycle_book *b, cycle_risk *k,
                            ra_err *err)
{
    int window = 0;
    for (size_t i = 0; i < k->n_lib; i++)
        if (k->lib[i].rule.metric == RA_RISK_MOVE && k->lib[i].rule.window > window)
            window = k->lib[i].rule.window;
    return window > 0 ? load_closes(s, firm, b, window, k, err) : RA_OK;
}

ra_status cycle_risk_load(ra_store *s, const char *firm, ra_cycle_book *b, cycle_risk **out,
                          ra_err *err)
{
    *out = NULL;
    cycle_risk *k = ra_calloc(1, sizeof *k);
    if (!k)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's risk figures");
    int minute = 0;
    char zone[RA_RISK_ZONE_MAX];
    ra_status rc = ra_store_risk_accounts(s, firm, b->date, &k->acc, &k->n, err);
    if (rc == RA_OK)
        rc = ra_store_risk_settings(s, firm, &minute, zone, err);
    if (rc == RA_OK)
        rc = ra_risk_close_utc(b->date, minute, zone, &k->due_at, err);
    if (rc == RA_OK)
        rc = ra_store_risk_rules_list(s, firm, NULL, &k->lib, &k->n_lib, err);
    if (rc == RA_OK)
        rc = ra_store_risk_events_of_day(s, firm, b->date, &k->events, &k->n_events, err);
    k->ret = rc == RA_OK ? ra_calloc(k->n ? k->n : 1, sizeof *k->ret) : NULL;
    k->n_ret = rc == RA_OK ? ra_calloc(k->n ? k->n : 1, sizeof *k->n_ret) : NULL;
    if (rc == RA_OK && (!k->ret || !k->n_ret))
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's risk figures");
    /* the accounts with rules: their mandates' rules (for the configuration hash), returns */
    for (size_t a = 0; rc == RA_OK && a < b->n_acc; a++) {
        const ra_risk_account *x = cycle_risk_find(k, b->acc[a].id);
        if (!x || !b->acc[a].mandate->rules[0]) /* the book read the mandate's rules */
            continue;
        size_t i = (size_t)(x - k->acc);
        rc = load_returns(s, firm, b->acc[a].code, b->date, &k->ret[i], &k->n_ret[i], err);
    }
    if (rc == RA_OK && !k->intraday)
        rc = cycle_risk_closes(s, firm, b, k, err);
    if (rc != RA_OK) {
        cycle_risk_free(k);
        return rc;
    }
    k->due_at += RA_RISK_NOTIFY_WITHIN_S; /* the monitor's: its snapshot's time's (monitor.c) */
    *out = k;
    return RA_OK;
}

/* The mandate's rules of account a evaluated into c->firings; *halt 1 when one suspends. */
/* 1 if rule `code` fired for account id earlier in the day (the monitor's k->fired). */
static int fired_before(const cycle_risk *k, int64_t id, const char *code)
{
    size_t lo = 0, hi = k->n_fired; /* by account id, then rule */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k->fired[mid].account_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < k->n_fired && k->fired[lo].account_id == id; lo++)
        if (strcmp(k->fired[lo].rule, code) == 0)
            return 1;
    return 0;
}

static ra_status eval_rules(run *r, size_t a, const ra_risk_account *x, const ra_lot *lots,
                            size_t n_lots, ra_minor value, ra_risk_crossing *c, int *halt,
                            ra_err *err)
{
    const cycle_risk *k = r->risk;
    const ra_cycle_book *b = r->b;
    size_t i = (size_t)(x - k->acc);
    /* the returns to the day: the stored ones and today's, (value - flow) / previous - 1 */
    size_t nr = k->n_ret[i];
    double *ret = k->ret[i];
    ra_minor prev = b->acc[a].prev_value_minor;
    double today = prev > 0 ? (double)(value - b->acc[a].flow_minor) / (double)prev - 1.0 : NAN;
    int with_today = isfinite(today);
    if (with_today)
        ret[nr] = today; /* room for it: allocated nr + 1 */
    /* the securities held, in book (ticker) order, and their closes */
    const char *held[64];
    const ra_price *closes[64];
    size_t n_closes[64], nh = 0;
    uint32_t held_sec[64];
    for (size_t s = 0, j = 0; s < b->n_sec && nh < 64; s++) {
        for (j = 0; j < n_lots && lots[j].security != s; j++)
            ;
        if (j == n_lots)
            continue;
        held_sec[nh] = (uint32_t)s;
        held[nh] = b->sec[s].ticker;
        closes[nh] = k->closes ? k->closes[s] : NULL;
        n_closes[nh] = k->closes ? k->n_closes[s] : 0;
        nh++;
    }
    const char *events[32];
    size_t ne = 0;
    for (size_t e = 0; e < k->n_events && ne < 32; e++)
        if (k->events[e].account_id == 0 || k->events[e].account_id == b->acc[a].id)
            events[ne++] = k->events[e].name;
    ra_risk_inputs in = {ret, nr + (size_t)with_today, c->loss.entrusted_minor, value, nh, held,
                         closes, n_closes, events, ne};
    ra_status rc = RA_OK;
    for (const char *p = r->b->acc[a].mandate->rules; *p && rc == RA_OK;) {
        size_t n = strcspn(p, ",");
        const ra_risk_rule_rec *rule = lib_find(k, p, n);
        if (!rule)
            return ra_err_set(err, RA_ENOTFOUND, NULL, "the mandate of account %s applies rule "
                              "%.*s, which is not in the firm's rule library ('roboadvisor "
                              "rules set')", b->acc[a].code, (int)n, p);
        p += n + (p[n] == ',');
        if (k->n_fired && fired_before(k, b->acc[a].id, rule->rule.code))
            continue; /* fired earlier in the day: not again (the monitor's rule) */
        int fired = 0, ix = -1;
        double obs = 0;
        rc = ra_risk_rule_eval(&rule->rule, &in, &fired, &obs, &ix, err);
        if (rc != RA_OK || !fired || c->n_firings >= RA_RISK_MAX_RULES)
            continue;
        ra_risk_firing *f = &c->firings[c->n_firings++];
        memset(f, 0, sizeof *f);
        memcpy(f->rule, rule->rule.code, RA_CODE_MAX);
        memcpy(f->when, rule->when, sizeof f->when);
        memcpy(f->then, rule->then, sizeof f->then);
        f->action = rule->rule.action;
        f->observed = obs;
        if (ix >= 0)
            memcpy(f->subject, b->sec[held_sec[ix]].ticker, RA_CODE_MAX);
        if (ix >= 0 && k->snap) /* the snapshot's price that moved it (0: its last close) */
            f->price = k->snap[held_sec[ix]];
        *halt |= f->action == RA_RISK_SUSPEND;
        r->st->rules_fired++;
    }
    return rc;
}

ra_status cycle_risk_check(run *r, size_t a, const ra_lot *lots, size_t n_lots,
                           ra_minor value_minor, acct_out *out, int *halt, ra_err *err)
{
    *halt = 0;
    const ra_risk_account *x = r->risk ? cycle_risk_find(r->risk, r->b->acc[a].id) : NULL;
    if (!x)
        return RA_OK;
    if (x->suspended) {
        *halt = 1;
        r->st->suspended++;
        return RA_OK;
    }
    ra_risk_crossing *c = &out->risk;
    memset(c, 0, sizeof *c);
    c->date = r->b->date;
    c->loss_limit = r->b->acc[a].mandate->loss_limit;
    c->due_at = r->risk->due_at;
    c->intraday = r->risk->intraday;
    c->at_minute = r->risk->at_minute;
    ra_status rc = ra_risk_loss_check(x->entrusted_minor, value_minor, c->loss_limit, &c->loss,
                                      err);
    if (rc == RA_OK && c->loss.crossed) {
        c->crossed = 1;
        *halt = 1;
        r->st->loss_limit_crossed++;
    }
    if (rc == RA_OK && !c->crossed && r->b->acc[a].mandate->rules[0])
        rc = eval_rules(r, a, x, lots, n_lots, value_minor, c, halt, err);
    if (rc == RA_OK && (c->crossed || c->n_firings))
        out->day.risk = c;
    return rc;
}

ra_status cycle_risk_target(run *r, size_t a, acct_out *out, double *target, double *cash_w,
                            ra_err *err)
{
    const ra_cycle_book *b = r->b;
    const ra_risk_crossing *c = &out->risk;
    uint8_t *match = NULL;
    ra_status rc = RA_OK;
    for (size_t i = 0; i < c->n_firings && rc == RA_OK; i++) {
        const ra_risk_firing *f = &c->firings[i];
        if (f->action != RA_RISK_REDUCE && f->action != RA_RISK_ADD && f->action != RA_RISK_CLOSE)
            continue;
        ra_risk_rule rule;
        rc = ra_risk_rule_parse(f->rule, f->when, f->then, &rule, err);
        if (rc == RA_OK && !match && !(match = ra_calloc(b->n_sec ? b->n_sec : 1, 1)))
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a rule's targets");
        if (rc == RA_OK && !out->risk_mark &&
            !(out->risk_mark = ra_calloc(b->n_sec ? b->n_sec : 1, 1)))
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a rule's targets");
        if (rc != RA_OK)
            break;
        for (size_t s = 0; s < b->n_sec; s++) {
            match[s] = strcmp(rule.target, "*") == 0
                           ? strcmp(b->sec[s].ticker, f->subject) == 0
                           : ra_risk_target_match(rule.target, b->sec[s].ticker,
                                                  b->sec[s].asset_class, b->sec[s].risk_level);
            /* a holding closed: its sale is the rule's, whatever its target was */
            if (match[s] && rule.action == RA_RISK_CLOSE)
                out->risk_mark[s] = 1;
        }
        ra_risk_apply(&rule, target, match, b->n_sec, out->risk_mark);
    }
    ra_free(match);
    if (rc == RA_OK && out->risk_mark) {
        double sum = 0.0;
        for (size_t s = 0; s < b->n_sec; s++)
            sum += target[s];
        *cash_w = sum < 1.0 ? 1.0 - sum : 0.0;
    }
    (void)a;
    return rc;
}
