/* One account's daily proposal: include/roboadvisor/rebal.h; method, defaults and sources in
 * docs/methodology.md#rebalancing. Weights are doubles; every amount that becomes a trade is an
 * integer (minor units, micro-shares) rounded by the book's rule (money.c).
 *
 * Order of work: harvest losses (a sale and its substitute's buy), then the drift trades (when a
 * security or an asset class is outside its band), then cash flows (spare cash buys the most
 * underweight, a cash need sells the most overweight), then whole lots and minimum trades, then
 * the lots each sale relieves (tax-aware), then cash never below zero. */
#include <roboadvisor/ledger.h>
#include <roboadvisor/rebal.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

void ra_rebal_settings_default(ra_rebal_settings *s)
{
    memset(s, 0, sizeof *s);
    s->band_abs = RA_REBAL_DEFAULT_BAND_ABS;
    s->band_rel = RA_REBAL_DEFAULT_BAND_REL;
    s->minor_digits = 2;
    s->max_cost_frac = RA_REBAL_DEFAULT_MAX_COST_FRAC;
    s->tax_rate_short = 0.35;
    s->tax_rate_long = 0.15;
    s->defer_days = RA_REBAL_DEFAULT_DEFER_DAYS;
    s->wash_window_days = RA_REBAL_DEFAULT_WASH_WINDOW_DAYS;
    s->tlh_loss_pct = RA_REBAL_DEFAULT_TLH_LOSS_PCT;
    s->relief = RA_RELIEF_TAX_AWARE;
}

/* The band of a weight with target t: the smaller of the absolute band and the relative band
 * times the target (the "5/25" rule, docs/methodology.md#rebalancing). */
static double band_of(double t, double band_abs, double band_rel)
{
    double r = band_rel * t;
    return r < band_abs ? r : band_abs;
}

int ra_rebal_out_of_band(const double *w, const double *t, const uint32_t *g, size_t n,
                         double w_cash, double t_cash, double band_abs, double band_rel,
                         double *drift, double *max_dev)
{
    double sum = fabs(w_cash - t_cash), mx = 0.0;
    int out = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(w[i] - t[i]);
        sum += d;
        if (d > mx)
            mx = d;
        if (d > band_of(t[i], band_abs, band_rel) + RA_REBAL_TOL_WEIGHT)
            out = 1;
    }
    /* asset classes: each distinct group once (n is small: a portfolio's holdings) */
    for (size_t i = 0; g && !out && i < n; i++) {
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = g[k] == g[i];
        if (seen)
            continue;
        double gw = 0.0, gt = 0.0;
        for (size_t k = i; k < n; k++)
            if (g[k] == g[i]) {
                gw += w[k];
                gt += t[k];
            }
        if (fabs(gw - gt) > band_of(gt, band_abs, band_rel) + RA_REBAL_TOL_WEIGHT)
            out = 1;
    }
    if (drift)
        *drift = 0.5 * sum;
    if (max_dev)
        *max_dev = mx;
    return out;
}

/* ---- workspace ------------------------------------------------------------------------------ */

typedef struct work {
    double *w, *t, *want, *cap; /* n_assets each */
    double *val;                /* holdings' values (minor units) after the harvest, n_assets */
    ra_micro *qty;              /* quantities after the harvest, n_assets */
    ra_micro *sell;             /* planned sale quantities, n_assets */
    unsigned *why;              /* reasons per asset, n_assets */
    unsigned char *nobuy;       /* no_buy, or harvested today, n_assets */
    unsigned char *bought;      /* bought by a harvest today, n_assets */
    size_t *order;              /* n_assets (water-filling) */
    ra_micro *lot_left;         /* n_lots: what each lot still holds */
    size_t *lot_order;          /* n_lots */
} work;

size_t ra_rebal_workspace_size(size_t na, size_t nl)
{
    return na * (6 * sizeof(double) + 2 * sizeof(ra_micro) + sizeof(unsigned) + sizeof(size_t) +
                 sizeof(uint32_t) + 2) +
           nl * (sizeof(ra_micro) + sizeof(size_t)) + 15 * 16;
}

static void *carve(unsigned char **p, size_t bytes)
{
    uintptr_t a = ((uintptr_t)*p + 15) & ~(uintptr_t)15;
    void *r = (void *)a;
    *p = (unsigned char *)a + bytes;
    return r;
}

/* ---- helpers -------------------------------------------------------------------------------- */

static double pow10i(int d)
{
    double r = 1.0;
    while (d-- > 0)
        r *= 10.0;
    return r;
}

static ra_minor value_of(ra_micro q, ra_price p, int md)
{
    ra_minor v = 0;
    if (ra_money_value(q, p, md, &v, NULL) != RA_OK)
        return INT64_MAX / 4;
    return v;
}

/* The largest multiple of lot whose value is at most v (minor units). */
static ra_micro qty_for_value(double v, ra_price p, ra_micro lot, int md)
{
    if (v <= 0.0)
        return 0;
    double q = v * 1e12 / pow10i(md) / (double)p; /* micro-shares */
    if (q > 9e18)
        q = 9e18;
    ra_micro n = (ra_micro)floor(q / (double)lot) * lot;
    while (n > 0 && (double)value_of(n, p, md) > v + 1e-9)
        n -= lot;
    return n;
}

/* round(a * b / c) by the book's rule; 0 for c == 0. */
static ra_minor prorata(ra_minor a, int64_t b, int64_t c)
{
    int64_t out = 0;
    if (c == 0 || ra_money_muldiv(a, b, c, &out, NULL) != RA_OK)
        return 0;
    return out;
}

/* Water-filling: amounts x[i] = max(0, cap[i] - level) over the indices idx[0..n) with
 * sum x = amount (amount <= sum cap), so the largest caps are served first and end equal.
 * Sorts idx by cap, largest first (insertion sort: n is a portfolio's size). */
static void water_fill(const double *cap, size_t *idx, size_t n, double amount, double *x)
{
    for (size_t i = 1; i < n; i++) {
        size_t v = idx[i], j = i;
        while (j > 0 && cap[idx[j - 1]] < cap[v]) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = v;
    }
    /* find k and level: the first k caps are above the level */
    double level = 0.0, sum = 0.0;
    size_t k = 0;
    for (; k < n; k++) {
        sum += cap[idx[k]];
        double next = k + 1 < n ? cap[idx[k + 1]] : 0.0;
        /* with the first k+1 served down to `next`, the amount given is sum - (k+1) * next */
        if (sum - (double)(k + 1) * next >= amount) {
            level = (sum - amount) / (double)(k + 1);
            break;
        }
    }
    for (size_t i = 0; i < n; i++) {
        double v = cap[idx[i]] - level;
        x[idx[i]] = v > 0.0 ? v : 0.0;
    }
}

static ra_status bad_asset(ra_err *err, size_t i, const char *msg)
{
    char where[32];
    snprintf(where, sizeof where, "asset %zu", i + 1);
    return ra_err_set(err, RA_EINVAL, where, "%s", msg);
}

static ra_status check_input(const ra_rebal_account *a, const ra_rebal_settings *s, ra_err *err)
{
    double sum = a->cash_target;
    for (size_t i = 0; i < a->n_assets; i++) {
        const ra_rebal_asset *x = &a->assets[i];
        if (x->price <= 0)
            return bad_asset(err, i, "the price is not above zero");
        if (x->qty_micro < 0)
            return bad_asset(err, i, "the quantity held is negative");
        if (x->lot_micro <= 0)
            return bad_asset(err, i, "the tradable step is not above zero");
        if (!(x->target >= 0.0 && x->target <= 1.0))
            return bad_asset(err, i, "the target weight is not in [0, 1]");
        if (x->substitute >= (int32_t)a->n_assets)
            return bad_asset(err, i, "the substitute is not one of the assets");
        sum += x->target;
    }
    if (!(a->cash_target >= 0.0) || fabs(sum - 1.0) > 1e-6)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "the targets and the cash reserve sum to %.9g, not 1", sum);
    if (a->cash_minor < 0 || a->withdrawal_minor < 0)
        return ra_err_set(err, RA_EINVAL, NULL, "cash or the withdrawal is negative");
    for (size_t k = 0; k < a->n_lots; k++)
        if (a->lots[k].asset >= a->n_assets || a->lots[k].qty_micro <= 0 ||
            a->lots[k].cost_minor < 0) {
            char where[32];
            snprintf(where, sizeof where, "lot %zu", k + 1);
            return ra_err_set(err, RA_EINVAL, where,
                              "the lot's asset, quantity or cost is out of range");
        }
    if (s->band_abs < 0.0 || s->band_rel < 0.0 || s->max_cost_frac < 0.0 || s->defer_days < 0 || s->wash_window_days < 0 ||
        (s->minor_digits != 0 && s->minor_digits != 2 && s->minor_digits != 3))
        return ra_err_set(err, RA_EINVAL, NULL, "a rebalancing setting is out of range");
    return RA_OK;
}

/* ---- lots ----------------------------------------------------------------------------------- */

/* The tax-aware order of a lot: 0 short-term loss, 1 long-term loss, 2 long-term gain, 3
 * short-term gain; within a class the highest cost per share first (HIFO). */
typedef struct lot_key {
    int cls;
    double cost_per_share;
} lot_key;

static lot_key key_of(const ra_rebal_lot *l, ra_price price, ra_date date, int md)
{
    lot_key k;
    ra_minor v = value_of(l->qty_micro, price, md);
    int lt = ra_ledger_is_long_term(l->holding_from, date);
    if (v < l->cost_minor)
        k.cls = lt ? 1 : 0;
    else
        k.cls = lt ? 2 : 3;
    k.cost_per_share = (double)l->cost_minor / (double)l->qty_micro;
    return k;
}

/* 1 if lot x is sold before lot y under the relief method (ra_relief). */
static int before(const ra_rebal_account *a, int md, int relief, size_t x, size_t y)
{
    const ra_rebal_lot *lx = &a->lots[x], *ly = &a->lots[y];
    if (relief == RA_RELIEF_TAX_AWARE && !a->taxable)
        relief = RA_RELIEF_FIFO; /* no tax to optimise */
    if (relief == RA_RELIEF_HIFO) {
        /* cross-multiplied cost per share: exact in 128 bits */
        __int128 cx = (__int128)lx->cost_minor * ly->qty_micro;
        __int128 cy = (__int128)ly->cost_minor * lx->qty_micro;
        if (cx != cy)
            return cx > cy;
        relief = RA_RELIEF_FIFO;
    }
    if (relief != RA_RELIEF_TAX_AWARE) { /* FIFO */
        if (lx->holding_from != ly->holding_from)
            return lx->holding_from < ly->holding_from;
        return x < y;
    }
    ra_price p = a->assets[lx->asset].price;
    lot_key kx = key_of(lx, p, a->date, md), ky = key_of(ly, p, a->date, md);
    if (kx.cls != ky.cls)
        return kx.cls < ky.cls;
    if (kx.cost_per_share != ky.cost_per_share)
        return kx.cost_per_share > ky.cost_per_share;
    return x < y;
}

size_t ra_rebal_relief_order(const ra_lot *lots, size_t n, uint32_t security, ra_price price,
                             ra_date date, int md, int relief, int taxable, size_t *order)
{
    /* the same order as choose_lots': the lots as rebal lots of one asset at price */
    ra_rebal_asset asset;
    memset(&asset, 0, sizeof asset);
    asset.price = price;
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        if (lots[k].security != security || lots[k].qty_micro <= 0)
            continue;
        size_t j = m++;
        order[j] = k;
        for (; j > 0; j--) {
            ra_rebal_lot a = {0, lots[order[j]].id, lots[order[j]].acquired,
                              lots[order[j]].qty_micro, lots[order[j]].basis_minor};
            ra_rebal_lot b = {0, lots[order[j - 1]].id, lots[order[j - 1]].acquired,
                              lots[order[j - 1]].qty_micro, lots[order[j - 1]].basis_minor};
            ra_rebal_lot two[2] = {b, a}; /* a second: a tie is then not "before" */
            ra_rebal_account acc;
            memset(&acc, 0, sizeof acc);
            acc.date = date;
            acc.assets = &asset;
            acc.n_assets = 1;
            acc.lots = two;
            acc.n_lots = 2;
            acc.taxable = taxable;
            /* strictly before only: ties keep the ledger's order */
            if (!before(&acc, md, relief, 1, 0))
                break;
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    }
    return m;
}

/* 1 if a short-term gain lot turns long-term within days of date. */
static int turns_long_soon(ra_date from, ra_date date, int days)
{
    return !ra_ledger_is_long_term(from, date) && ra_ledger_is_long_term(from, date + days);
}

/* Chooses the lots for selling *qty of asset i (reduced when lots are held back). */
static size_t choose_lots(const ra_rebal_account *a, const ra_rebal_settings *s, work *wk, size_t i,
                          int allow_defer_break, ra_minor *budget, ra_micro *qty,
                          ra_rebal_pick *picks, size_t n_picks, unsigned *held)
{
    const ra_rebal_asset *x = &a->assets[i];
    size_t n = 0;
    for (size_t k = 0; k < a->n_lots; k++)
        if (a->lots[k].asset == i && wk->lot_left[k] > 0)
            wk->lot_order[n++] = k;
    if (n == 0)
        return n_picks; /* no lot detail (a retirement account without lots): no picks */
    for (size_t u = 1; u < n; u++) {
        size_t v = wk->lot_order[u], j = u;
        while (j > 0 && before(a, s->minor_digits, s->relief, v, wk->lot_order[j - 1])) {
            wk->lot_order[j] = wk->lot_order[j - 1];
            j--;
        }
        wk->lot_order[j] = v;
    }
    ra_micro left = *qty;
    size_t first = n_picks;
    for (size_t u = 0; u < n && left > 0; u++) {
        size_t k = wk->lot_order[u];
        const ra_rebal_lot *l = &a->lots[k];
        ra_micro have = wk->lot_left[k];
        ra_minor v = value_of(have, x->price, s->minor_digits);
        ra_minor c = prorata(l->cost_minor, have, l->qty_micro);
        if (a->taxable && v < c && (x->no_loss_sale || wk->bought[i])) {
            *held |= RA_HELD_WASH_SALE; /* selling it at a loss now would be a wash sale */
            continue;
        }
        if (a->taxable && v > c && !allow_defer_break &&
            turns_long_soon(l->holding_from, a->date, s->defer_days)) {
            *held |= RA_HELD_TAX;
            continue;
        }
        ra_micro t = have < left ? have : left;
        if (budget && a->taxable) { /* a model change's gains within the year's budget */
            ra_minor g = value_of(t, x->price, s->minor_digits) -
                         prorata(l->cost_minor, t, l->qty_micro);
            if (g > *budget) { /* the whole steps whose gain the budget pays */
                ra_micro fit = (ra_micro)((double)*budget / (double)(v - c) * (double)have);
                for (fit -= fit % x->lot_micro; fit > 0; fit -= x->lot_micro)
                    if (value_of(fit, x->price, s->minor_digits) -
                            prorata(l->cost_minor, fit, l->qty_micro) <= *budget)
                        break;
                *held |= RA_HELD_TAX;
                if (fit <= 0)
                    continue;
                t = fit;
                g = value_of(t, x->price, s->minor_digits) - prorata(l->cost_minor, t, l->qty_micro);
            }
            *budget -= g; /* a loss adds to what may be realised */
        }
        picks[n_picks].lot_id = l->lot_id;
        picks[n_picks].qty_micro = t;
        picks[n_picks].cost_minor = prorata(l->cost_minor, t, l->qty_micro);
        picks[n_picks].long_term = ra_ledger_is_long_term(l->holding_from, a->date);
        n_picks++;
        left -= t;
    }
    if (left > 0) { /* what the lots could not give is not sold; keep whole tradable steps */
        ra_micro sold = *qty - left;
        sold -= sold % x->lot_micro;
        ra_micro drop = (*qty - left) - sold;
        for (size_t k = n_picks; drop > 0 && k > first; k--) {
            ra_rebal_pick *p = &picks[k - 1];
            ra_micro t = p->qty_micro < drop ? p->qty_micro : drop;
            p->qty_micro -= t;
            drop -= t;
            if (p->qty_micro == 0)
                n_picks--;
        }
        *qty = sold;
    }
    for (size_t k = first; k < n_picks; k++) { /* costs after any trimming */
        size_t idx = 0;
        for (size_t m = 0; m < a->n_lots; m++)
            if (a->lots[m].lot_id == picks[k].lot_id && a->lots[m].asset == i)
                idx = m;
        picks[k].cost_minor = prorata(a->lots[idx].cost_minor, picks[k].qty_micro,
                                      a->lots[idx].qty_micro);
        wk->lot_left[idx] -= picks[k].qty_micro;
    }
    return n_picks;
}

/* Fills a sale's proceeds per pick (pro rata to quantity, the last the remainder) and gains. */
static void finish_sale(ra_rebal_trade *t, ra_rebal_pick *picks)
{
    ra_minor left = t->value_minor;
    for (size_t k = 0; k < t->n_picks; k++) {
        ra_rebal_pick *p = &picks[t->first_pick + k];
        p->proceeds_minor = k + 1 == t->n_picks ? left
                                                : prorata(t->value_minor, p->qty_micro, t->qty_micro);
        left -= p->proceeds_minor;
        ra_minor g = p->proceeds_minor - p->cost_minor;
        if (p->long_term)
            t->gain_long_minor += g;
        else
            t->gain_short_minor += g;
    }
}

/* ---- the proposal --------------------------------------------------------------------------- */

typedef struct plan {
    const ra_rebal_account *a;
    const ra_rebal_settings *s;
    work wk;
    ra_rebal_trade *trades;
    ra_rebal_pick *picks;
    ra_rebal_result *res;
    double cash;        /* minor units, after the harvest */
    double fees;
    unsigned held;      /* RA_HELD_* of the harvest */
} plan;

static double trade_cost(const ra_rebal_settings *s, double value)
{
    return (double)s->fee_minor + s->spread_bps * 1e-4 * value;
}

/* Harvest: every lot whose loss passes both thresholds and whose tax value beats the cost of
 * selling it and buying the substitute is sold; the substitute is bought for the proceeds. */
static void harvest(plan *pl)
{
    const ra_rebal_account *a = pl->a;
    const ra_rebal_settings *s = pl->s;
    ra_rebal_result *res = pl->res;
    int md = s->minor_digits;
    for (size_t i = 0; i < a->n_assets; i++) {
        const ra_rebal_asset *x = &a->assets[i];
        if (x->substitute < 0 || x->no_sell || x->no_loss_sale || pl->wk.bought[i] ||
            pl->wk.qty[i] == 0)
            continue;
        size_t j = (size_t)x->substitute;
        const ra_rebal_asset *y = &a->assets[j];
        if (pl->wk.nobuy[j] || j == i)
            continue;
        ra_micro sell = 0;
        size_t first = res->n_picks;
        double tax_value = 0.0;
        for (size_t k = 0; k < a->n_lots; k++) {
            const ra_rebal_lot *l = &a->lots[k];
            if (l->asset != i || pl->wk.lot_left[k] != l->qty_micro)
                continue;
            ra_minor v = value_of(l->qty_micro, x->price, md);
            ra_minor loss = l->cost_minor - v;
            double need = s->tlh_loss_pct * (double)l->cost_minor;
            if (loss <= 0 || (double)loss < need || loss < s->tlh_loss_min_minor)
                continue;
            int lt = ra_ledger_is_long_term(l->holding_from, a->date);
            double tv = (double)loss * (lt ? s->tax_rate_long : s->tax_rate_short);
            /* the lot's share of the two trades' costs */
            if (tv <= 2.0 * trade_cost(s, (double)v))
                continue;
            ra_rebal_pick *p = &pl->picks[res->n_picks++];
            p->lot_id = l->lot_id;
            p->qty_micro = l->qty_micro;
            p->cost_minor = l->cost_minor;
            p->long_term = lt;
            pl->wk.lot_left[k] = 0;
            sell += l->qty_micro;
            tax_value += tv;
        }
        /* whole tradable steps, unless the harvest sells everything held (odd lots included):
         * the odd part is kept from the oldest lots first */
        ra_micro odd = sell == pl->wk.qty[i] ? 0 : sell % x->lot_micro;
        for (size_t k = first; odd > 0 && k < res->n_picks; k++) {
            ra_rebal_pick *p = &pl->picks[k];
            ra_micro t = p->qty_micro < odd ? p->qty_micro : odd;
            for (size_t l = 0; l < a->n_lots; l++)
                if (a->lots[l].lot_id == p->lot_id && a->lots[l].asset == i)
                    pl->wk.lot_left[l] += t;
            p->qty_micro -= t;
            sell -= t;
            odd -= t;
        }
        size_t left = first; /* picks trimmed to nothing are dropped */
        for (size_t k = first; k < res->n_picks; k++)
            if (pl->picks[k].qty_micro > 0)
                pl->picks[left++] = pl->picks[k];
        res->n_picks = left;
        /* part of a lot bought within the wash-sale window left held would replace the loss:
         * then no harvest of this security today */
        int wash = 0;
        for (size_t k = first; k < res->n_picks && !wash; k++)
            for (size_t l = 0; l < a->n_lots; l++)
                if (a->lots[l].lot_id == pl->picks[k].lot_id && a->lots[l].asset == i &&
                    pl->wk.lot_left[l] > 0 && a->date - a->lots[l].holding_from <=
                                                  s->wash_window_days)
                    wash = 1;
        if (wash) {
            for (size_t k = first; k < res->n_picks; k++)
                for (size_t l = 0; l < a->n_lots; l++)
                    if (a->lots[l].lot_id == pl->picks[k].lot_id && a->lots[l].asset == i)
                        pl->wk.lot_left[l] = a->lots[l].qty_micro;
            res->n_picks = first;
            pl->held |= RA_HELD_WASH_SALE;
            continue;
        }
        for (size_t k = first; k < res->n_picks; k++) /* the cost of what is left of each lot */
            for (size_t l = 0; l < a->n_lots; l++)
                if (a->lots[l].lot_id == pl->picks[k].lot_id && a->lots[l].asset == i)
                    pl->picks[k].cost_minor = prorata(a->lots[l].cost_minor,
                                                      pl->picks[k].qty_micro, a->lots[l].qty_micro);
        if (sell == 0)
            continue;
        ra_rebal_trade *t = &pl->trades[res->n_trades++];
        memset(t, 0, sizeof *t);
        t->asset = (uint32_t)i;
        t->side = -1;
        t->qty_micro = sell;
        t->price = x->price;
        t->value_minor = value_of(sell, x->price, md);
        t->reasons = RA_REASON_TLH;
        t->first_pick = first;
        t->n_picks = res->n_picks - first;
        finish_sale(t, pl->picks);
        res->harvested_minor += -(t->gain_short_minor + t->gain_long_minor);
        res->harvest_tax_value += tax_value;
        pl->wk.qty[i] -= sell;
        pl->cash += (double)t->value_minor - trade_cost(s, (double)t->value_minor);
        /* the substitute for the same amount, whole steps; a withdrawal the cash cannot pay
         * comes first */
        double owed = (double)a->withdrawal_minor - pl->cash;
        double spend = pl->cash - (owed > 0.0 ? (double)a->withdrawal_minor : 0.0);
        double budget = (double)t->value_minor - trade_cost(s, (double)t->value_minor);
        ra_micro q = qty_for_value(spend < budget ? spend : budget, y->price, y->lot_micro, md);
        /* the sleeve moves to the substitute: the security keeps at most the weight of what is
         * left of it, and is not bought again while the wash-sale window is open */
        double kept = (double)value_of(pl->wk.qty[i], x->price, md) / (double)res->value_minor;
        double moved = pl->wk.t[i] > kept ? pl->wk.t[i] - kept : 0.0;
        pl->wk.t[j] += moved;
        pl->wk.t[i] -= moved;
        pl->wk.why[i] |= RA_REASON_TLH;
        pl->wk.nobuy[i] = 1;
        if (q > 0) {
            ra_rebal_trade *b = &pl->trades[res->n_trades++];
            memset(b, 0, sizeof *b);
            b->asset = (uint32_t)j;
            b->side = 1;
            b->qty_micro = q;
            b->price = y->price;
            b->value_minor = value_of(q, y->price, md);
            b->reasons = RA_REASON_TLH;
            pl->wk.qty[j] += q;
            pl->wk.bought[j] = 1; /* a loss sale of it today would now be a wash sale */
            pl->cash -= (double)b->value_minor + trade_cost(s, (double)b->value_minor);
        }
    }
}

/* 1 if a trade of this value is below the minimum or costs more than max_cost_frac of it (an exit
 * or a withdrawal is never too small). */
static int too_small(const ra_rebal_settings *s, ra_minor value, int must)
{
    if (must)
        return 0;
    return value < s->min_trade_minor ||
           trade_cost(s, (double)value) > s->max_cost_frac * (double)value;
}

/* Returns a pick's shares to its lot (a sale that is not made after all). */
static void give_back(const ra_rebal_account *a, work *wk, size_t asset, const ra_rebal_pick *p)
{
    for (size_t l = 0; l < a->n_lots; l++)
        if (a->lots[l].lot_id == p->lot_id && a->lots[l].asset == asset)
            wk->lot_left[l] += p->qty_micro;
}

/* The cash after the planned sales and their costs. */
static double cash_after_sales(const plan *pl)
{
    double cash = pl->cash;
    for (size_t i = 0; i < pl->a->n_assets; i++)
        if (pl->wk.sell[i] > 0) {
            double v = (double)value_of(pl->wk.sell[i], pl->a->assets[i].price,
                                        pl->s->minor_digits);
            cash += v - trade_cost(pl->s, v);
        }
    return cash;
}

/* A withdrawal the planned sales do not cover: more whole steps are sold, the most overweight
 * (after the planned sales) first, rounding up so that the cash is there. */
static void cover_withdrawal(plan *pl, double after_wd, unsigned *held)
{
    const ra_rebal_account *a = pl->a;
    work *wk = &pl->wk;
    int md = pl->s->minor_digits;
    double short_by;
    while ((short_by = (double)a->withdrawal_minor - cash_after_sales(pl)) > 0.0) {
        size_t best = a->n_assets;
        double best_excess = -INFINITY;
        for (size_t i = 0; i < a->n_assets; i++) {
            const ra_rebal_asset *as = &a->assets[i];
            if (as->no_sell || wk->qty[i] - wk->sell[i] <= 0)
                continue;
            double excess = (double)value_of(wk->qty[i] - wk->sell[i], as->price, md) -
                            wk->t[i] * after_wd;
            if (excess > best_excess) {
                best_excess = excess;
                best = i;
            }
        }
        if (best == a->n_assets) {
            *held |= RA_HELD_CASH; /* nothing more can be sold today */
            return;
        }
        const ra_rebal_asset *as = &a->assets[best];
        ra_micro avail = wk->qty[best] - wk->sell[best];
        /* the fewest whole steps whose value covers what is short */
        double q = short_by * 1e12 / pow10i(md) / (double)as->price / (double)as->lot_micro;
        ra_micro add = q < 9e15 ? ((ra_micro)ceil(q) + 1) * as->lot_micro : avail;
        if (add <= 0 || add > avail)
            add = avail; /* the whole rest, odd lots included */
        wk->sell[best] += add;
        wk->why[best] |= RA_REASON_WITHDRAWAL;
    }
}

/* Cuts back the buys trades[first..n_trades) so that cash and their costs stay >= 0: the last
 * (least underweight in asset order is not known here: the last made) first. */
static void fit_buys(plan *pl, size_t first, unsigned *held)
{
    const ra_rebal_settings *s = pl->s;
    ra_rebal_result *res = pl->res;
    ra_rebal_trade *trades = pl->trades;
    int md = s->minor_digits;
    double buys = 0.0;
    for (size_t k = first; k < res->n_trades; k++)
        buys += (double)trades[k].value_minor + trade_cost(s, (double)trades[k].value_minor);
    if (pl->cash - buys >= 0.0)
        return;
    *held |= RA_HELD_CASH;
    for (size_t k = res->n_trades; k > first && pl->cash - buys < 0.0; k--) {
        ra_rebal_trade *t = &trades[k - 1];
        const ra_rebal_asset *as = &pl->a->assets[t->asset];
        double mine = (double)t->value_minor + trade_cost(s, (double)t->value_minor);
        double room = pl->cash - (buys - mine) - (double)s->fee_minor;
        ra_micro q = room > 0.0 ? qty_for_value(room / (1.0 + s->spread_bps * 1e-4), as->price,
                                                as->lot_micro, md)
                                : 0;
        if (q > t->qty_micro)
            q = t->qty_micro;
        t->qty_micro = q;
        t->value_minor = value_of(q, as->price, md);
        buys -= mine;
        if (q > 0)
            buys += (double)t->value_minor + trade_cost(s, (double)t->value_minor);
    }
    size_t w = first; /* drop emptied buys */
    for (size_t k = first; k < res->n_trades; k++)
        if (trades[k].qty_micro > 0)
            trades[w++] = trades[k];
    res->n_trades = w;
}

ra_status ra_rebal_propose(const ra_rebal_account *a, const ra_rebal_settings *s, void *work_mem,
                           size_t work_size, ra_rebal_trade *trades, ra_rebal_pick *picks,
                           ra_rebal_result *res, ra_err *err)
{
    memset(res, 0, sizeof *res);
    ra_status rc = check_input(a, s, err);
    if (rc != RA_OK)
        return rc;
    size_t na = a->n_assets, nl = a->n_lots;
    if (work_size < ra_rebal_workspace_size(na, nl))
        return ra_err_set(err, RA_EINVAL, NULL, "the workspace of %zu bytes is below the %zu needed",
                          work_size, ra_rebal_workspace_size(na, nl));
    plan pl = {.a = a, .s = s, .trades = trades, .picks = picks, .res = res};
    unsigned char *p = work_mem;
    work *wk = &pl.wk;
    wk->w = carve(&p, na * sizeof(double));
    wk->t = carve(&p, na * sizeof(double));
    wk->want = carve(&p, na * sizeof(double));
    wk->cap = carve(&p, na * sizeof(double));
    wk->val = carve(&p, na * sizeof(double));
    double *x = carve(&p, na * sizeof(double));
    wk->qty = carve(&p, na * sizeof(ra_micro));
    wk->sell = carve(&p, na * sizeof(ra_micro));
    wk->why = carve(&p, na * sizeof(unsigned));
    wk->nobuy = carve(&p, na);
    wk->bought = carve(&p, na);
    wk->order = carve(&p, na * sizeof(size_t));
    wk->lot_left = carve(&p, nl * sizeof(ra_micro));
    wk->lot_order = carve(&p, nl * sizeof(size_t));
    int md = s->minor_digits;

    /* the account as it stands */
    ra_minor total = a->cash_minor;
    for (size_t i = 0; i < na; i++) {
        wk->qty[i] = a->assets[i].qty_micro;
        wk->t[i] = a->assets[i].target;
        wk->why[i] = 0;
        wk->nobuy[i] = (unsigned char)(a->assets[i].no_buy != 0);
        wk->bought[i] = 0;
        total += value_of(a->assets[i].qty_micro, a->assets[i].price, md);
    }
    for (size_t k = 0; k < nl; k++)
        wk->lot_left[k] = a->lots[k].qty_micro;
    res->value_minor = total;
    if (total <= 0)
        return RA_OK;
    for (size_t i = 0; i < na; i++)
        wk->w[i] = (double)value_of(wk->qty[i], a->assets[i].price, md) / (double)total;
    uint32_t *groups = carve(&p, na * sizeof(uint32_t)); /* the asset classes, for class bands */
    for (size_t i = 0; i < na; i++)
        groups[i] = a->assets[i].group;
    res->out_of_band_before =
        ra_rebal_out_of_band(wk->w, wk->t, groups, na, (double)a->cash_minor / (double)total,
                             a->cash_target, s->band_abs, s->band_rel, &res->drift_before,
                             &res->max_dev_before);

    pl.cash = (double)a->cash_minor;
    if (s->tlh && a->taxable)
        harvest(&pl);

    /* values after the harvest, and the wanted values */
    double value = pl.cash; /* the whole account, after the harvest's fees */
    for (size_t i = 0; i < na; i++) {
        wk->val[i] = (double)value_of(wk->qty[i], a->assets[i].price, md);
        value += wk->val[i];
    }
    double after_wd = value - (double)a->withdrawal_minor;
    for (size_t i = 0; i < na; i++) {
        wk->want[i] = wk->val[i];
        wk->w[i] = wk->val[i] / value;
    }
    /* the band test that triggers a rebalance leaves out the exits (held, target 0 because of a
     * restriction or a model change): they are sold whole whatever the bands say, and one that
     * cannot be sold today (a wash-sale window, a deferred gain, a fraction below the step) must
     * not set every other holding trading back to target day after day */
    for (size_t i = 0; i < na; i++)
        if (a->assets[i].exit_reason && wk->t[i] == 0.0)
            wk->w[i] = 0.0;
    int out = ra_rebal_out_of_band(wk->w, wk->t, groups, na, pl.cash / value, a->cash_target,
                                   s->band_abs, s->band_rel, NULL, NULL);
    for (size_t i = 0; i < na; i++)
        wk->w[i] = wk->val[i] / value;
    unsigned held = pl.held;
    for (size_t i = 0; i < na; i++) {
        const ra_rebal_asset *as = &a->assets[i];
        double goal = wk->t[i] * after_wd;
        if (as->exit_reason && wk->t[i] == 0.0 && wk->qty[i] > 0) {
            wk->want[i] = 0.0;
            wk->why[i] |= as->exit_reason;
            continue;
        }
        if (!out)
            continue;
        if (s->buy_only) {
            if (goal < wk->val[i])
                held |= RA_HELD_BUY_ONLY;
            continue;
        }
        if (s->to_band_edge) {
            /* to the edge, 1 % of the band inside it so that cents and steps do not leave it a
             * hair outside */
            double b = 0.99 * band_of(wk->t[i], s->band_abs, s->band_rel) * after_wd;
            if (wk->val[i] > goal + b)
                goal += b;
            else if (wk->val[i] < goal - b)
                goal -= b;
            else
                continue;
        }
        if (fabs(goal - wk->want[i]) >= 0.5) {
            wk->want[i] = goal;
            wk->why[i] |= RA_REASON_DRIFT;
        }
    }
    /* no trading where the day forbids it */
    for (size_t i = 0; i < na; i++) {
        const ra_rebal_asset *as = &a->assets[i];
        if (wk->want[i] < wk->val[i] && as->no_sell) {
            wk->want[i] = wk->val[i];
            held |= RA_HELD_NO_TRADE;
        }
        if (wk->want[i] > wk->val[i] && wk->nobuy[i]) {
            wk->want[i] = wk->val[i];
            held |= RA_HELD_WASH_SALE;
        }
    }
    /* reinvested dividends: the dividend buys its own security back first (the mandate's
     * reinvest_dividends), unless a rebalance trades it today or it may not be bought; never
     * more than the cash above the reserve (a reinvestment sells nothing) */
    double avail = pl.cash - a->cash_target * after_wd - (double)a->withdrawal_minor;
    for (size_t i = 0; i < na; i++)
        avail -= wk->want[i] - wk->val[i];
    for (size_t i = 0; i < na; i++) {
        const ra_rebal_asset *as = &a->assets[i];
        if (as->reinvest_minor <= 0 || (wk->why[i] & (RA_REASON_DRIFT | as->exit_reason)))
            continue;
        if (wk->nobuy[i]) {
            held |= RA_HELD_WASH_SALE; /* its cash goes to the other holdings below */
            continue;
        }
        double buy = (double)as->reinvest_minor;
        if (buy > avail) {
            buy = avail > 0.0 ? avail : 0.0;
            held |= RA_HELD_CASH;
        }
        if (buy < 0.5)
            continue;
        avail -= buy;
        wk->want[i] += buy;
        wk->why[i] |= RA_REASON_DIVIDEND;
    }
    /* cash flows: what is left after the reserve and the withdrawal */
    double spare = pl.cash - a->cash_target * after_wd - (double)a->withdrawal_minor;
    for (size_t i = 0; i < na; i++)
        spare -= wk->want[i] - wk->val[i];
    size_t m = 0;
    if (spare > 0.5) { /* buy the most underweight first */
        double gap = 0.0;
        for (size_t i = 0; i < na; i++) {
            double d = wk->t[i] * after_wd - wk->want[i];
            wk->cap[i] = d > 0.0 && !wk->nobuy[i] ? d : 0.0;
            if (d >= 0.5 && wk->nobuy[i])
                held |= RA_HELD_WASH_SALE; /* its cash goes to the other holdings */
            if (wk->cap[i] > 0.0) {
                wk->order[m++] = i;
                gap += wk->cap[i];
            }
            x[i] = 0.0;
        }
        water_fill(wk->cap, wk->order, m, spare < gap ? spare : gap, x);
        double rest = spare - (spare < gap ? spare : gap), tsum = 0.0;
        for (size_t i = 0; i < na; i++)
            tsum += wk->nobuy[i] ? 0.0 : wk->t[i];
        for (size_t i = 0; i < na; i++) {
            if (rest > 0.5 && tsum > 0.0 && !wk->nobuy[i])
                x[i] += rest * wk->t[i] / tsum;
            if (x[i] >= 0.5) {
                wk->want[i] += x[i];
                wk->why[i] |= a->cash_reason ? a->cash_reason : RA_REASON_CASH_FLOW;
            }
        }
    } else if (spare < -0.5 && !(s->buy_only && a->withdrawal_minor == 0)) {
        /* raise cash from the most overweight first (a buy-only mandate: only the withdrawal) */
        double need = -spare, over = 0.0, held_sum = 0.0;
        if (s->buy_only && need > (double)a->withdrawal_minor)
            need = (double)a->withdrawal_minor;
        unsigned why = a->withdrawal_minor > 0 ? RA_REASON_WITHDRAWAL : RA_REASON_DRIFT;
        for (size_t i = 0; i < na; i++) {
            double e = wk->want[i] - wk->t[i] * after_wd;
            wk->cap[i] = e > 0.0 && !a->assets[i].no_sell ? e : 0.0;
            if (e >= 0.5 && a->assets[i].no_sell)
                held |= RA_HELD_NO_TRADE; /* the cash comes from the other holdings */
            if (wk->cap[i] > 0.0) {
                wk->order[m++] = i;
                over += wk->cap[i];
            }
            held_sum += a->assets[i].no_sell ? 0.0 : wk->want[i];
            x[i] = 0.0;
        }
        water_fill(wk->cap, wk->order, m, need < over ? need : over, x);
        double rest = need - (need < over ? need : over);
        for (size_t i = 0; i < na; i++) {
            double left = wk->want[i] - x[i];
            if (rest > 0.5 && held_sum > 0.0 && !a->assets[i].no_sell)
                x[i] += rest * wk->want[i] / held_sum * (left > 0.0 ? 1.0 : 0.0);
            if (x[i] >= 0.5) {
                wk->want[i] -= x[i];
                if (wk->want[i] < 0.0)
                    wk->want[i] = 0.0;
                wk->why[i] |= why;
            }
        }
    }

    /* sale quantities: to the nearest whole step (all of it on an exit) */
    for (size_t i = 0; i < na; i++) {
        const ra_rebal_asset *as = &a->assets[i];
        double delta = wk->want[i] - wk->val[i];
        wk->sell[i] = 0;
        if (delta > -0.5)
            continue;
        if (wk->want[i] < 0.5) {
            wk->sell[i] = wk->qty[i];
            continue;
        }
        ra_micro q = qty_for_value(-delta + 0.5 * (double)value_of(as->lot_micro, as->price, md),
                                   as->price, as->lot_micro, md);
        if (q > wk->qty[i])
            q = wk->qty[i] - wk->qty[i] % as->lot_micro;
        if (q <= 0 || fabs((double)value_of(q, as->price, md) + delta) >= 1.0)
            held |= RA_HELD_LOT_SIZE; /* whole steps leave it short of (or past) the goal */
        wk->sell[i] = q;
    }
    cover_withdrawal(&pl, after_wd, &held);
    /* the sales, with their lots */
    ra_minor budget = a->gain_budget_minor > 0 ? a->gain_budget_minor : 0;
    for (size_t i = 0; i < na; i++) {
        ra_micro q = wk->sell[i];
        if (q <= 0)
            continue;
        const ra_rebal_asset *as = &a->assets[i];
        int full_exit = q == wk->qty[i] && wk->want[i] < 0.5;
        ra_rebal_trade *t = &trades[res->n_trades];
        memset(t, 0, sizeof *t);
        t->asset = (uint32_t)i;
        t->side = -1;
        t->price = as->price;
        t->reasons = wk->why[i] & ~(unsigned)RA_REASON_TLH;
        /* tax-aware lots; the deferral gives way when the drift is beyond twice the band, or for a
         * withdrawal or an exit */
        double dev = fabs(wk->w[i] - wk->t[i]);
        int urgent = dev > 2.0 * band_of(wk->t[i], s->band_abs, s->band_rel) ||
                     (wk->why[i] &
                      (RA_REASON_WITHDRAWAL | RA_REASON_RESTRICTION | RA_REASON_MODEL_CHANGE));
        t->first_pick = res->n_picks;
        int budgeted = a->has_gain_budget && (t->reasons & RA_REASON_MODEL_CHANGE) &&
                       !(t->reasons & (RA_REASON_WITHDRAWAL | RA_REASON_RESTRICTION |
                                       RA_REASON_DRIFT));
        res->n_picks = choose_lots(a, s, wk, i, urgent, budgeted ? &budget : NULL, &q, picks,
                                   res->n_picks, &held);
        t->n_picks = res->n_picks - t->first_pick;
        if (q <= 0) {
            res->n_picks = t->first_pick;
            continue;
        }
        t->qty_micro = q;
        t->value_minor = value_of(q, as->price, md);
        if (too_small(s, t->value_minor, full_exit || (t->reasons & RA_REASON_WITHDRAWAL))) {
            held |= RA_HELD_MIN_TRADE;
            for (size_t k = t->first_pick; k < t->first_pick + t->n_picks; k++)
                give_back(a, wk, i, &picks[k]);
            res->n_picks = t->first_pick;
            continue;
        }
        finish_sale(t, picks);
        pl.cash += (double)t->value_minor - trade_cost(s, (double)t->value_minor);
        wk->qty[i] -= q;
        res->n_trades++;
    }
    /* the withdrawal is paid before any buy, from what the cash now holds */
    double paid = (double)a->withdrawal_minor;
    if (paid > pl.cash) {
        paid = pl.cash > 0.0 ? floor(pl.cash) : 0.0;
        held |= RA_HELD_CASH;
    }
    res->withdrawal_paid_minor = (ra_minor)paid;
    pl.cash -= paid;
    /* the buys, within the cash: the least underweight are cut back first */
    size_t first_buy = res->n_trades;
    for (size_t i = 0; i < na; i++) {
        const ra_rebal_asset *as = &a->assets[i];
        double delta = wk->want[i] - wk->val[i];
        if (delta < 0.5)
            continue;
        ra_micro q = qty_for_value(delta, as->price, as->lot_micro, md);
        if (q <= 0 || fabs((double)value_of(q, as->price, md) - delta) >= 1.0)
            held |= RA_HELD_LOT_SIZE;
        if (q <= 0)
            continue;
        ra_rebal_trade *t = &trades[res->n_trades];
        memset(t, 0, sizeof *t);
        t->asset = (uint32_t)i;
        t->side = 1;
        t->price = as->price;
        t->reasons = wk->why[i] & ~(unsigned)RA_REASON_TLH;
        t->qty_micro = q;
        t->value_minor = value_of(q, as->price, md);
        if (too_small(s, t->value_minor, 0)) {
            held |= RA_HELD_MIN_TRADE;
            continue;
        }
        res->n_trades++;
    }
    fit_buys(&pl, first_buy, &held);
    for (size_t k = first_buy; k < res->n_trades; k++) {
        wk->qty[trades[k].asset] += trades[k].qty_micro;
        pl.cash -= (double)trades[k].value_minor + trade_cost(s, (double)trades[k].value_minor);
    }
    res->cash_after_minor = (ra_minor)llround(pl.cash);

    /* drift after, at the same prices, against the targets the harvest moved */
    double v_after = pl.cash;
    for (size_t i = 0; i < na; i++) {
        wk->val[i] = (double)value_of(wk->qty[i], a->assets[i].price, md);
        v_after += wk->val[i];
    }
    for (size_t i = 0; i < na; i++)
        wk->w[i] = v_after > 0.0 ? wk->val[i] / v_after : 0.0;
    res->out_of_band_after = ra_rebal_out_of_band(
        wk->w, wk->t, groups, na, v_after > 0.0 ? pl.cash / v_after : 0.0, a->cash_target,
        s->band_abs, s->band_rel, &res->drift_after, &res->max_dev_after);
    /* the reasons that matter when the account ends in band: a tax or wash-sale hold, and a
     * withdrawal not paid in full */
    unsigned always = RA_HELD_TAX | RA_HELD_WASH_SALE;
    if (res->withdrawal_paid_minor < a->withdrawal_minor)
        always |= RA_HELD_CASH;
    res->held_back = res->out_of_band_after ? held : held & always;
    return RA_OK;
}
