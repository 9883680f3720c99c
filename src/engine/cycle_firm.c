/* The daily cycle's firm rules (src/engine/cycle_int.h; docs/methodology.md#firm-rules): every
 * proposal cut back to the firm's rules (core/firmrules.h) before it is made, the cuts recorded
 * with it. The firm-wide figures (the funds' shares outstanding, the firm's discretionary
 * holdings of them at the day's start, the total value the firm share cap's room is shared by)
 * are computed once a day, by the first run or by the worker planning the day, before any
 * account of the day is written, and stored (ra_store_firm_day_put); every worker reads them, so
 * an account's room never depends on which worker runs it or on what was done before it. */
#include "engine/cycle_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/store_firmrules.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cycle_firm {
    ra_firm_rules rules;
    ra_firm_day day;
    int32_t *fund_of;          /* n_sec: index into day.funds, -1 none */
    uint8_t *exempt;           /* n_sec: the weight cap does not apply */
    ra_firm_turnover *turn;    /* by account code (turnover rule on) */
    size_t n_turn;
    ra_date date;
};

void cycle_firm_free(cycle_firm *f)
{
    if (!f)
        return;
    ra_free(f->day.funds);
    ra_free(f->fund_of);
    ra_free(f->exempt);
    ra_free(f->turn);
    ra_free(f);
}

void cycle_firm_stats(const cycle_firm *f, ra_cycle_stats *st)
{
    if (!f)
        return;
    st->firm_rules = 1;
    st->crowd = f->day.crowd;
    memcpy(st->crowd_account, f->day.crowd_account, RA_CODE_MAX);
}

static int discretionary(const ra_cycle_account *x)
{
    return x->mandate && x->mandate->discretionary;
}

/* Account a's value as the book has it at the day's start: its cash and its lots at the day's
 * closes (before the day's corporate actions and trades: the same in the planner's book and in
 * the book of the worker running the account, which gives the share cap's room its weight). */
static ra_status book_value(const ra_cycle_book *b, size_t a, ra_minor *out, ra_err *err)
{
    ra_minor v = b->acc[a].cash_minor;
    const ra_lot *l = b->lots + b->acc[a].lot_start;
    for (uint32_t k = 0; k < b->acc[a].n_lots; k++) {
        ra_minor x = 0;
        ra_status rc = ra_money_value(l[k].qty_micro, b->sec[l[k].security].price,
                                      b->minor_digits, &x, err);
        if (rc != RA_OK)
            return rc;
        v += x;
    }
    *out = v;
    return RA_OK;
}

/* The day's figures from book b (nothing of the day done yet): the funds with shares
 * outstanding, the firm's discretionary holdings of them, the discretionary accounts' values
 * of the day before. */
static ra_status day_compute(ra_store *s, const ra_store_actor *actor, const ra_cycle_book *b,
                             int version, ra_firm_day *d, ra_err *err)
{
    ra_fund_shares *sh = NULL;
    size_t n = 0;
    ra_status rc = ra_store_fund_shares_at(s, actor->firm, b->date, &sh, &n, err);
    memset(d, 0, sizeof *d);
    d->date = b->date;
    d->rules_version = version;
    if (rc == RA_OK && n) {
        d->funds = ra_calloc(n, sizeof *d->funds);
        if (!d->funds)
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's firm figures");
    }
    for (size_t i = 0; rc == RA_OK && i < n; i++) {
        ra_firm_day_fund *x = &d->funds[d->n_funds++];
        memcpy(x->ticker, sh[i].ticker, RA_CODE_MAX);
        x->shares_micro = sh[i].shares_micro;
        size_t lo = 0, hi = b->n_sec; /* the book's securities are in ticker order */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(b->sec[mid].ticker, x->ticker) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == b->n_sec || strcmp(b->sec[lo].ticker, x->ticker) != 0)
            continue;
        for (size_t a = 0; a < b->n_acc; a++) {
            if (!discretionary(&b->acc[a]))
                continue;
            const ra_lot *l = b->lots + b->acc[a].lot_start;
            for (uint32_t k = 0; k < b->acc[a].n_lots; k++)
                if (l[k].security == lo)
                    x->held_micro += l[k].qty_micro;
        }
    }
    for (size_t a = 0; rc == RA_OK && a < b->n_acc; a++)
        if (discretionary(&b->acc[a])) {
            ra_minor v = 0;
            rc = book_value(b, a, &v, err);
            d->total_minor += v > 0 ? v : 0;
        }
    ra_free(sh);
    return rc;
}

/* One crowd: accounts whose targets are identical (ra_models_same_target, onboarding's test). */
typedef struct crowd {
    ra_models_target t;
    size_t n, first;
} crowd;

/* Account a's dense target (n_sec, cash) as a ra_models_target: cash ("") first, then the
 * securities with a weight in ticker order, as ra_models_account_target orders them. */
static void sparse_target(const ra_cycle_book *b, const double *target, double cash_w,
                          ra_models_target *t)
{
    memset(t, 0, sizeof *t);
    if (cash_w > 0)
        t->w[t->n++].weight = cash_w;
    for (size_t i = 0; i < b->n_sec && t->n < sizeof t->w / sizeof t->w[0]; i++)
        if (target[i] > 0) {
            memcpy(t->w[t->n].ticker, b->sec[i].ticker, RA_CODE_MAX);
            t->w[t->n++].weight = target[i];
        }
}

/* The largest crowd of the day: every account's personalised target as its day starts
 * (cycle.c's account_target), grouped by identity; the largest group, the first in book order
 * among equals, and its first account into d. */
static ra_status crowd_count(ra_store *s, const ra_store_actor *actor, const ra_cycle_options *o,
                             ra_cycle_book *b, ra_firm_day *d, ra_err *err)
{
    ra_cycle_stats st;
    memset(&st, 0, sizeof st);
    run r = {.s = s, .actor = actor, .o = o, .b = b, .st = &st, .household = UINT32_MAX};
    ra_status rc = cycle_run_alloc(&r, err);
    crowd *c = NULL;
    size_t nc = 0, cap = 0, last = 0;
    ra_models_target t;
    for (size_t a = 0; rc == RA_OK && a < b->n_acc; a++) {
        double cash_w = 0.0;
        int have = 0;
        rc = cycle_account_target(&r, a, r.target, &cash_w, &have, err);
        if (rc != RA_OK || !have)
            continue;
        sparse_target(b, r.target, cash_w, &t);
        size_t k = nc;
        if (nc && ra_models_same_target(&c[last].t, &t)) /* most often the account before's */
            k = last;
        for (size_t j = 0; k == nc && j < nc; j++)
            if (ra_models_same_target(&c[j].t, &t))
                k = j;
        if (k == nc) {
            if (ra_grow((void **)&c, &cap, nc + 1, sizeof *c)) {
                rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's crowds");
                break;
            }
            c[nc++] = (crowd){.t = t, .n = 0, .first = a};
        }
        c[k].n++;
        last = k;
    }
    for (size_t j = 0; rc == RA_OK && j < nc; j++)
        if ((int)c[j].n > d->crowd) {
            d->crowd = (int)c[j].n;
            memcpy(d->crowd_account, b->acc[c[j].first].code, RA_CODE_MAX);
        }
    ra_free(c);
    cycle_run_free(&r);
    return rc;
}

ra_status cycle_firm_load(ra_store *s, const ra_store_actor *actor, const ra_cycle_options *o,
                          ra_cycle_book *b, int compute, cycle_firm **out, ra_err *err)
{
    *out = NULL;
    cycle_firm *f = ra_calloc(1, sizeof *f);
    if (!f)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the firm rules");
    f->date = b->date;
    int found = 0, version = 0; /* the rules in force now; 0: never set (or before schema 16) */
    ra_status rc = ra_store_firm_rules(s, actor->firm, &version, &f->rules, err);
    if (rc == RA_OK && version > 0)
        rc = ra_store_firm_day(s, actor->firm, b->date, &f->day, &found, err);
    if (rc == RA_OK && found && f->day.rules_version != version) {
        /* the rules in force when the day was planned */
        version = f->day.rules_version;
        memset(&f->rules, 0, sizeof f->rules);
        if (version > 0)
            rc = ra_store_firm_rules(s, actor->firm, &version, &f->rules, err);
    }
    if (rc != RA_OK || !ra_firm_rules_on(&f->rules) || (!found && !compute)) {
        cycle_firm_free(f);
        return rc;
    }
    if (!found) {
        ra_free(f->day.funds);
        rc = day_compute(s, actor, b, version, &f->day, err);
        if (rc == RA_OK)
            rc = crowd_count(s, actor, o, b, &f->day, err);
        if (rc == RA_OK)
            rc = ra_store_firm_day_put(s, actor, &f->day, err);
    }
    f->fund_of = ra_malloc((b->n_sec ? b->n_sec : 1) * sizeof *f->fund_of);
    f->exempt = ra_calloc(b->n_sec ? b->n_sec : 1, 1);
    if (rc == RA_OK && (!f->fund_of || !f->exempt))
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the firm rules");
    for (size_t i = 0; rc == RA_OK && i < b->n_sec; i++) {
        f->fund_of[i] = -1;
        f->exempt[i] = (uint8_t)ra_firm_exempt(&f->rules, b->sec[i].ticker, b->sec[i].asset_class);
        for (size_t k = 0; k < f->day.n_funds; k++)
            if (strcmp(f->day.funds[k].ticker, b->sec[i].ticker) == 0)
                f->fund_of[i] = (int32_t)k;
    }
    if (rc == RA_OK && f->rules.max_turnover > 0)
        rc = ra_store_firm_turnover(s, actor->firm, b->date, &f->turn, &f->n_turn, err);
    if (rc != RA_OK) {
        cycle_firm_free(f);
        return rc;
    }
    *out = f;
    return RA_OK;
}

static int turn_cmp(const void *key, const void *x)
{
    return strcmp(key, ((const ra_firm_turnover *)x)->account);
}

/* Of sale x of account ledger l, the quantity from lots held fewer than the minimum holding
 * period on the day: its picks' (a taxable account's chosen lots), else the position's beyond
 * what older lots hold. */
static ra_micro young_part(const run *r, const ra_ledger *l, const ra_rebal_trade *x, int hold)
{
    uint32_t sec = r->assets[x->asset].security;
    ra_micro young = 0, old = 0;
    if (x->n_picks) {
        for (size_t k = 0; k < x->n_picks; k++)
            for (size_t j = 0; j < l->n_lots; j++)
                if (l->lots[j].id == r->picks[x->first_pick + k].lot_id &&
                    ra_firm_lot_young(l->lots[j].acquired, r->b->date, hold))
                    young += r->picks[x->first_pick + k].qty_micro;
        return young;
    }
    for (size_t j = 0; j < l->n_lots; j++)
        if (l->lots[j].security == sec && !ra_firm_lot_young(l->lots[j].acquired, r->b->date, hold))
            old += l->lots[j].qty_micro;
    return x->qty_micro > old ? x->qty_micro - old : 0;
}

/* Sale x cut to q: its picks kept in order (the young ones left out when the holding period
 * applies) up to q, each pick's cost and proceeds pro rata, the estimated gains again: read from
 * src (a copy of the picks as proposed), written to r->picks from *w on. */
static ra_status repick(run *r, const ra_rebal_pick *src, const ra_ledger *l, ra_rebal_trade *x,
                        ra_micro q, int hold, size_t *w, ra_err *err)
{
    size_t first = *w, from = x->first_pick, n = x->n_picks;
    ra_micro left = q;
    x->gain_short_minor = x->gain_long_minor = 0;
    ra_status rc = RA_OK;
    for (size_t k = 0; rc == RA_OK && k < n && left > 0; k++) {
        ra_rebal_pick p = src[from + k];
        int young = 0;
        for (size_t j = 0; hold > 0 && j < l->n_lots; j++)
            young |= l->lots[j].id == p.lot_id &&
                     ra_firm_lot_young(l->lots[j].acquired, r->b->date, hold);
        if (young)
            continue;
        ra_micro take = p.qty_micro < left ? p.qty_micro : left;
        if (take < p.qty_micro) {
            rc = ra_money_muldiv(p.cost_minor, take, p.qty_micro, &p.cost_minor, err);
            if (rc == RA_OK)
                rc = ra_money_muldiv(p.proceeds_minor, take, p.qty_micro, &p.proceeds_minor, err);
            p.qty_micro = take;
        }
        left -= take;
        if (p.long_term)
            x->gain_long_minor += p.proceeds_minor - p.cost_minor;
        else
            x->gain_short_minor += p.proceeds_minor - p.cost_minor;
        r->picks[(*w)++] = p;
    }
    x->first_pick = first;
    x->n_picks = *w - first;
    return rc;
}

/* Appends one cut to the text: "RULE TICKER SIDE QTY VALUE" ("; " between). */
static void cut_text(char *out, size_t cap, const ra_firm_cut *c, const char *ticker, int side,
                     int md)
{
    char q[32], v[32];
    size_t len = strlen(out);
    if (len + 1 >= cap)
        return;
    snprintf(out + len, cap - len, "%s%s %s %s %s %s", len ? "; " : "", ra_firm_rule_name(c->rule),
             ticker, side > 0 ? "buy" : "sell", ra_money_format_qty(c->qty_micro, q, sizeof q),
             ra_money_format_minor(c->value_minor, md, v, sizeof v));
}

ra_status cycle_firm_cut(run *r, size_t a, const ra_ledger *l, const acct_out *out,
                         ra_rebal_result *res, ra_err *err)
{
    const cycle_firm *f = r->firm;
    const ra_cycle_book *b = r->b;
    const ra_cycle_account *acc = &b->acc[a];
    size_t n = res->n_trades;
    r->firm_cuts[0] = '\0';
    if (!f || !n)
        return RA_OK;
    ra_firm_trade *t = ra_calloc(n, sizeof *t);
    ra_firm_cut *cuts = ra_calloc(3 * n, sizeof *cuts);
    ra_rebal_pick *src = ra_malloc((res->n_picks ? res->n_picks : 1) * sizeof *src);
    if (!t || !cuts || !src) {
        ra_free(t);
        ra_free(cuts);
        ra_free(src);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the firm rules' check");
    }
    ra_minor mine = 0; /* the account's weight in the firm share cap's room */
    ra_status rc = f->rules.max_firm_share > 0 ? book_value(b, a, &mine, err) : RA_OK;
    for (size_t k = 0; rc == RA_OK && k < n; k++) {
        const ra_rebal_trade *x = &r->trades[k];
        const ra_rebal_asset *as = &r->assets[x->asset];
        uint32_t sec = as->security;
        t[k] = (ra_firm_trade){.side = x->side, .qty_micro = x->qty_micro, .price = x->price,
                               .lot_micro = as->lot_micro > 0 ? as->lot_micro : 1,
                               .held_micro = as->qty_micro, .exempt_weight = f->exempt[sec],
                               .firm_room_micro = -1};
        if (x->side < 0) {
            t[k].exempt_sale = (x->reasons & RA_REASON_WITHDRAWAL) ||
                               (out->risk_mark && out->risk_mark[sec]);
            if (f->rules.min_hold_days > 0)
                t[k].young_micro = young_part(r, l, x, f->rules.min_hold_days);
        } else if (f->rules.max_firm_share > 0 && discretionary(acc) && f->fund_of[sec] >= 0) {
            const ra_firm_day_fund *fd = &f->day.funds[f->fund_of[sec]];
            t[k].firm_room_micro = ra_firm_share_room(f->rules.max_firm_share, fd->shares_micro,
                                                      fd->held_micro, mine, f->day.total_minor);
        }
    }
    ra_firm_account fa = {.value_minor = res->value_minor, .fee_minor = r->o->settings.fee_minor,
                          .minor_digits = b->minor_digits};
    /* the year's average value: the daily values of the year before today and today's value
     * before the proposal, averaged (docs/methodology.md#turnover) */
    const ra_firm_turnover *tv = f->turn ? bsearch(acc->code, f->turn, f->n_turn, sizeof *f->turn,
                                                   turn_cmp)
                                         : NULL;
    fa.ytd_sales_minor = tv ? tv->sales_minor : 0;
    fa.avg_value_minor = ((tv ? tv->value_sum_minor : 0) + res->value_minor) /
                         ((tv ? tv->n_values : 0) + 1);
    size_t nc = 0;
    if (rc == RA_OK)
        rc = ra_firm_check(&f->rules, &fa, t, n, cuts, &nc, err);
    for (size_t c = 0; rc == RA_OK && c < nc; c++)
        cut_text(r->firm_cuts, sizeof r->firm_cuts, &cuts[c],
                 b->sec[r->assets[r->trades[cuts[c].trade].asset].security].ticker,
                 t[cuts[c].trade].side, b->minor_digits);
    /* the trades cut, those cut to nothing left out, the picks with them */
    size_t w = 0, wp = 0;
    if (rc == RA_OK && nc)
        memcpy(src, r->picks, res->n_picks * sizeof *src);
    ra_minor harvested = 0;
    for (size_t k = 0; rc == RA_OK && nc && k < n; k++) {
        ra_rebal_trade x = r->trades[k];
        if (t[k].qty_micro != x.qty_micro) {
            if (x.side < 0 && x.n_picks)
                rc = repick(r, src, l, &x, t[k].qty_micro,
                            t[k].exempt_sale ? 0 : f->rules.min_hold_days, &wp, err);
            x.qty_micro = t[k].qty_micro;
            if (rc == RA_OK)
                rc = ra_money_value(x.qty_micro, x.price, b->minor_digits, &x.value_minor, err);
        } else if (x.n_picks) { /* moved to where the picks are written */
            memcpy(&r->picks[wp], &src[x.first_pick], x.n_picks * sizeof *r->picks);
            x.first_pick = wp;
            wp += x.n_picks;
        }
        if (x.qty_micro > 0)
            r->trades[w++] = x;
        if (x.qty_micro > 0 && x.side < 0 && (x.reasons & RA_REASON_TLH))
            harvested += -(x.gain_short_minor + x.gain_long_minor);
    }
    if (rc == RA_OK && nc) {
        res->n_trades = w;
        res->n_picks = wp;
        res->harvested_minor = harvested > 0 ? harvested : 0;
        r->st->firm_cuts += nc;
    }
    ra_free(t);
    ra_free(cuts);
    ra_free(src);
    return rc;
}
