/* The market rules in the daily cycle (cycle_int.h; core/market_rules.h;
 * docs/methodology.md#market-rules). Loaded once per run from the securities master and the
 * previous closes: per security of the book its rules, the day's price limits and whether it
 * closed at one. Applied to each account's proposal:
 * - the buy step: whole lots unless the mandate is fractional and the security allows it (odd
 *   lots are sold only whole: ra_rebal_propose sells whole steps, or all that is held);
 * - a security with shares bought today under T+1 (A-shares but the T+0 kinds) is not sold today;
 * - a security closing at its limit is not traded: the proposal is made as if it could not be
 *   bought or sold: the cash a buy of it would have used stays in cash (its target is moved to
 *   the cash target), a sale of it is not made (a withdrawal is raised from the other holdings),
 *   and the rest of the proposal is made as usual (held_back no_trade states it);
 * - an order's limit price is the close rounded to the tick, within the day's band (Chinese
 *   exchanges; US orders stay at market);
 * - a withdrawal is paid from settled cash: not from the proceeds of the day's sales when the
 *   security settles T+1 or later. */
#include "engine/cycle_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/market_rules.h>

#include <stdio.h>
#include <string.h>

struct cycle_market {
    size_t n_sec;
    ra_market_rules *rules; /* n_sec */
    ra_price *down, *up;    /* n_sec: the day's limits (0: none, or no previous close) */
    uint8_t *at_limit;      /* n_sec: the close sits at a limit */
};

void cycle_market_free(cycle_market *m)
{
    if (!m)
        return;
    RA_FREE_ALL(m->rules, m->down, m->up, m->at_limit);
    ra_free(m);
}

/* The master's record of ticker t among list[0..n) (sorted by ticker), NULL none. */
static const ra_security *find_sec(const ra_security *list, size_t n, const char *t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(list[mid].ticker, t);
        if (c == 0)
            return &list[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

ra_status cycle_market_load(run *r, ra_err *err)
{
    const ra_cycle_book *b = r->b;
    r->market = NULL;
    if (!r->s || !r->actor)
        return RA_OK;
    cycle_market *m = ra_calloc(1, sizeof *m);
    size_t ns = b->n_sec ? b->n_sec : 1;
    if (m) {
        m->n_sec = b->n_sec;
        m->rules = ra_calloc(ns, sizeof *m->rules);
        m->down = ra_calloc(ns, sizeof *m->down);
        m->up = ra_calloc(ns, sizeof *m->up);
        m->at_limit = ra_calloc(ns, 1);
    }
    if (!m || !m->rules || !m->down || !m->up || !m->at_limit) {
        cycle_market_free(m);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's market rules");
    }
    ra_security *list = NULL;
    size_t n = 0;
    ra_status rc = ra_store_security_list(r->s, r->actor->firm, 0, &list, &n, err);
    for (size_t i = 0; rc == RA_OK && i < b->n_sec; i++) {
        const ra_security *x = find_sec(list, n, b->sec[i].ticker);
        ra_security dflt;
        if (!x) { /* not in the master (cannot happen for a security of the book): defaults */
            memset(&dflt, 0, sizeof dflt);
            snprintf(dflt.ticker, sizeof dflt.ticker, "%s", b->sec[i].ticker);
            dflt.lot_size = b->sec[i].lot_size;
            x = &dflt;
        }
        rc = ra_market_rules_of(x, &m->rules[i], err);
        if (rc != RA_OK || m->rules[i].band_pct <= 0 || b->sec[i].price <= 0)
            continue;
        ra_price prev = 0;
        ra_date on = 0;
        ra_err e = {0};
        if (ra_store_price_latest(r->s, r->actor->firm, b->sec[i].ticker, b->date - 1, &prev, &on,
                                  &e) != RA_OK)
            continue; /* a first day of trading: no band known */
        rc = ra_market_limits(&m->rules[i], prev, &m->down[i], &m->up[i], err);
        m->at_limit[i] = (uint8_t)ra_market_at_limit(&m->rules[i], b->sec[i].price, m->down[i],
                                                     m->up[i]);
    }
    ra_store_free(list);
    if (rc != RA_OK) {
        cycle_market_free(m);
        return rc;
    }
    r->market = m;
    return RA_OK;
}

void cycle_market_asset(const run *r, size_t a, const ra_ledger *l, ra_rebal_asset *x)
{
    const cycle_market *m = r->market;
    if (!m || x->security >= m->n_sec)
        return;
    const ra_market_rules *mr = &m->rules[x->security];
    x->lot_micro = ra_market_step_micro(mr, r->b->acc[a].mandate->fractional);
    if (mr->same_day_sale)
        return;
    for (size_t k = 0; k < l->n_lots; k++) /* T+1: today's shares are not sold today */
        if (l->lots[k].security == x->security && l->lots[k].acquired >= r->b->date)
            x->no_sell = 1;
}

ra_status cycle_market_propose(run *r, ra_rebal_account *acc, const ra_rebal_settings *set,
                               ra_rebal_result *res, ra_err *err)
{
    const cycle_market *m = r->market;
    int limited = 0;
    for (size_t j = 0; m && j < acc->n_assets; j++)
        limited |= m->at_limit[r->assets[j].security];
    ra_status rc = ra_rebal_propose(acc, set, r->work, r->work_cap, r->trades, r->picks, res, err);
    if (rc != RA_OK || !limited)
        return rc;
    /* a security at its limit: the trades it would have had are dropped and the proposal made
     * again without them, so that the rest is whole (its cash stays with the others) */
    int dropped = 0;
    for (size_t k = 0; k < res->n_trades; k++)
        dropped |= m->at_limit[r->assets[r->trades[k].asset].security];
    if (!dropped)
        return RA_OK;
    double total = (double)acc->cash_minor;
    for (size_t j = 0; j < acc->n_assets; j++) {
        ra_minor v = 0;
        ra_err e = {0};
        if (ra_money_value(r->assets[j].qty_micro, r->assets[j].price, r->b->minor_digits, &v,
                           &e) == RA_OK)
            total += (double)v;
    }
    for (size_t j = 0; j < acc->n_assets; j++) {
        ra_rebal_asset *x = &r->assets[j];
        if (!m->at_limit[x->security])
            continue;
        x->no_buy = 1;
        x->no_sell = 1;
        x->reinvest_minor = 0;
        /* what a buy of it would have used stays in cash: its target becomes what it weighs
         * now, the difference goes to the cash target (not to the other holdings) */
        ra_minor v = 0;
        ra_err e = {0};
        double w = total > 0.0 && ra_money_value(x->qty_micro, x->price, r->b->minor_digits, &v,
                                                 &e) == RA_OK
                       ? (double)v / total
                       : 0.0;
        if (x->target > w) {
            acc->cash_target += x->target - w;
            x->target = w;
        }
    }
    rc = ra_rebal_propose(acc, set, r->work, r->work_cap, r->trades, r->picks, res, err);
    res->held_back |= RA_HELD_NO_TRADE;
    return rc;
}

ra_price cycle_market_order_price(const run *r, uint32_t sec, ra_price price)
{
    const cycle_market *m = r->market;
    if (!m || sec >= m->n_sec || !m->rules[sec].china)
        return 0; /* at market (the close), as before */
    return ra_market_limit_price(&m->rules[sec], price, m->down[sec], m->up[sec]);
}

ra_minor cycle_market_unsettled(const run *r, const acct_out *out)
{
    const cycle_market *m = r->market;
    ra_minor u = 0;
    for (size_t k = 0; m && k < out->day.n_fills; k++) {
        const ra_store_txn *f = &out->day.fills[k];
        if (f->kind != RA_TXN_SELL)
            continue;
        uint32_t i = 0; /* a fill names its security by ticker */
        ra_minor v = 0;
        ra_err e = {0};
        if (cycle_sec_index(r->b, f->ticker, &i, &e) == RA_OK && m->rules[i].settle_days > 0 &&
            m->rules[i].settle_applies &&
            ra_money_value(f->qty_micro, f->price, r->b->minor_digits, &v, &e) == RA_OK)
            u += v - f->fees_minor;
    }
    return u > 0 ? u : 0;
}
