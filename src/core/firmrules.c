/* The firm's rules on a proposal (include/roboadvisor/firmrules.h; method
 * docs/methodology.md#firm-rules). Exact integers: rates in parts per million, 128-bit products. */
#include <roboadvisor/firmrules.h>
#include <roboadvisor/rules.h>

#include <math.h>
#include <string.h>

static const char *const RULE_NAMES[RA_FIRM_N_RULES] = {"max_weight", "firm_share", "min_hold",
                                                        "turnover", "cash"};

const char *ra_firm_rule_name(int rule)
{
    return rule >= 0 && rule < RA_FIRM_N_RULES ? RULE_NAMES[rule] : "?";
}

int ra_firm_lot_young(ra_date acquired, ra_date day, int min_hold_days)
{
    return min_hold_days > 0 && (int64_t)day - (int64_t)acquired < min_hold_days;
}

int ra_firm_rules_on(const ra_firm_rules *r)
{
    return r && (r->max_weight > 0 || r->max_firm_share > 0 || r->min_hold_days > 0 ||
                 r->max_turnover > 0);
}

void ra_firm_rules_default(ra_firm_rules *r)
{
    memset(r, 0, sizeof *r);
    r->max_identical = RA_FIRM_DEFAULT_MAX_IDENTICAL;
    r->crowd_te_budget = RA_FIRM_DEFAULT_CROWD_TE;
}

ra_status ra_firm_rules_validate(const ra_firm_rules *r, ra_err *err)
{
    if (!r)
        return ra_err_set(err, RA_EINVAL, NULL, "no firm rules given");
    if (!(r->max_weight >= 0 && r->max_weight <= 1))
        return ra_err_set(err, RA_EINVAL, "max_weight", "must be 0 (off) or in (0, 1], got %g",
                          r->max_weight);
    if (!(r->max_firm_share >= 0 && r->max_firm_share <= 1))
        return ra_err_set(err, RA_EINVAL, "max_firm_share",
                          "must be 0 (off) or in (0, 1], got %g", r->max_firm_share);
    if (r->min_hold_days < 0 || r->min_hold_days > RA_FIRM_MAX_HOLD_DAYS)
        return ra_err_set(err, RA_EINVAL, "min_hold_days", "must be 0..%d, got %d",
                          RA_FIRM_MAX_HOLD_DAYS, r->min_hold_days);
    if (!(r->max_turnover >= 0 && r->max_turnover <= 100))
        return ra_err_set(err, RA_EINVAL, "max_turnover", "must be 0 (off) or in (0, 100], got %g",
                          r->max_turnover);
    if (r->max_identical < 0 || r->max_identical > RA_FIRM_MAX_IDENTICAL)
        return ra_err_set(err, RA_EINVAL, "max_identical", "must be 0 (off) or 1..%d, got %d",
                          RA_FIRM_MAX_IDENTICAL, r->max_identical);
    if (!(r->crowd_te_budget >= 0 && r->crowd_te_budget <= RA_FIRM_MAX_CROWD_TE) ||
        (r->max_identical > 0 && r->crowd_te_budget == 0))
        return ra_err_set(err, RA_EINVAL, "crowd_te_budget", "must be in (0, %g], got %g",
                          RA_FIRM_MAX_CROWD_TE, r->crowd_te_budget);
    if (!memchr(r->exempt, '\0', sizeof r->exempt))
        return ra_err_set(err, RA_EINVAL, "exempt", "longer than %d characters",
                          RA_FIRM_EXEMPT_MAX - 1);
    /* each item a ticker or asset class (a code), ';'-separated: "us_bonds,cash" is refused
     * rather than exempting nothing */
    size_t nth = 0;
    for (const char *p = r->exempt; *p;) {
        const char *e = strchr(p, ';');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        ra_err e2;
        nth++;
        if (ra_rule_code_check(p, len, "exempt item", &e2) != RA_OK)
            return ra_err_set(err, RA_EINVAL, "exempt",
                              "item %zu is not a ticker or asset class (items are separated by "
                              "';'): %s", nth, e2.msg);
        p += len + (e != NULL);
    }
    return RA_OK;
}

int ra_firm_exempt(const ra_firm_rules *r, const char *ticker, const char *asset_class)
{
    const char *p = r->exempt;
    while (*p) {
        const char *e = strchr(p, ';');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len && ((strlen(ticker) == len && memcmp(ticker, p, len) == 0) ||
                    (asset_class && strlen(asset_class) == len && memcmp(asset_class, p, len) == 0)))
            return 1;
        p += len + (e != NULL);
    }
    return 0;
}

static int64_t ppm(double x)
{
    return (int64_t)llround(x * RA_FIRM_PPM);
}

/* 10^(6 - md): minor units to micro-currency-units over the price's micro scale. */
static int64_t scale_of(int md)
{
    return md == 0 ? 1000000 : md == 2 ? 10000 : 1000;
}

/* The largest multiple of lot not above q (0 when q <= 0). */
static ra_micro floor_lot(__int128 q, ra_micro lot)
{
    if (q <= 0)
        return 0;
    if (q > INT64_MAX)
        q = INT64_MAX;
    return (ra_micro)(q - q % lot);
}

/* Cuts t to q (<= t->qty_micro), recording the cut under rule. */
static ra_status cut_to(ra_firm_trade *t, size_t i, ra_micro q, int rule, int md,
                        ra_firm_cut *cuts, size_t *n_cuts, ra_err *err)
{
    if (q >= t->qty_micro)
        return RA_OK;
    ra_firm_cut *c = &cuts[(*n_cuts)++];
    c->trade = i;
    c->rule = rule;
    c->qty_micro = t->qty_micro - q;
    t->qty_micro = q;
    return ra_money_value(c->qty_micro, t->price, md, &c->value_minor, err);
}

/* The cash the trades raise (sales) less what they spend (buys) and their costs. */
static ra_status net_cash(const ra_firm_trade *t, size_t n, const ra_firm_account *a,
                          ra_minor *out, ra_err *err)
{
    ra_minor sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!t[i].qty_micro)
            continue;
        ra_minor v = 0;
        ra_status rc = ra_money_value(t[i].qty_micro, t[i].price, a->minor_digits, &v, err);
        if (rc != RA_OK)
            return rc;
        sum += (t[i].side > 0 ? -v : v) - a->fee_minor;
    }
    *out = sum;
    return RA_OK;
}

ra_status ra_firm_check(const ra_firm_rules *r, const ra_firm_account *a, ra_firm_trade *t,
                        size_t n, ra_firm_cut *cuts, size_t *n_cuts, ra_err *err)
{
    *n_cuts = 0;
    ra_status rc = ra_firm_rules_validate(r, err);
    if (rc != RA_OK)
        return rc;
    if (a->minor_digits != 0 && a->minor_digits != 2 && a->minor_digits != 3)
        return ra_err_set(err, RA_EINVAL, NULL, "minor digits must be 0, 2 or 3, got %d",
                          a->minor_digits);
    for (size_t i = 0; i < n; i++)
        if (t[i].price <= 0 || t[i].qty_micro < 0 || t[i].lot_micro < 1 ||
            (t[i].side != 1 && t[i].side != -1) || t[i].young_micro < 0 || t[i].held_micro < 0)
            return ra_err_set(err, RA_EINVAL, NULL, "trade %zu: price, quantity, lot, side or "
                              "holding out of range", i);
    const int md = a->minor_digits;
    ra_minor cash_before = 0;
    rc = net_cash(t, n, a, &cash_before, err);
    /* sales: the holding period, then the year's turnover */
    __int128 budget = 0;
    if (r->max_turnover > 0) {
        budget = (__int128)ppm(r->max_turnover) * (a->avg_value_minor > 0 ? a->avg_value_minor : 0) /
                 RA_FIRM_PPM - a->ytd_sales_minor;
        if (budget < 0)
            budget = 0;
    }
    for (size_t i = 0; rc == RA_OK && i < n; i++) {
        ra_firm_trade *x = &t[i];
        if (x->side > 0 || x->exempt_sale)
            continue;
        if (r->min_hold_days > 0 && x->young_micro > 0) {
            ra_micro young = x->young_micro < x->qty_micro ? x->young_micro : x->qty_micro;
            rc = cut_to(x, i, floor_lot(x->qty_micro - young, x->lot_micro),
                        RA_FIRM_RULE_MIN_HOLD, md, cuts, n_cuts, err);
        }
        if (rc == RA_OK && r->max_turnover > 0 && x->qty_micro > 0) {
            /* the largest q whose value q x price x 10^md / 1e12 is within the budget */
            __int128 q = budget * scale_of(md) * 1000000 / x->price;
            rc = cut_to(x, i, floor_lot(q, x->lot_micro), RA_FIRM_RULE_TURNOVER, md, cuts,
                        n_cuts, err);
            ra_minor v = 0;
            if (rc == RA_OK)
                rc = ra_money_value(x->qty_micro, x->price, md, &v, err);
            budget -= v;
        }
    }
    /* buys: the weight cap on the position after the buy, then the firm share room */
    for (size_t i = 0; rc == RA_OK && i < n; i++) {
        ra_firm_trade *x = &t[i];
        if (x->side < 0)
            continue;
        if (r->max_weight > 0 && !x->exempt_weight) {
            /* (held + q) x price x 10^md / 1e12 <= cap x value, the cap in ppm */
            __int128 most = (__int128)ppm(r->max_weight) * a->value_minor * scale_of(md) /
                            x->price;
            rc = cut_to(x, i, floor_lot(most - x->held_micro, x->lot_micro),
                        RA_FIRM_RULE_MAX_WEIGHT, md, cuts, n_cuts, err);
        }
        if (rc == RA_OK && x->firm_room_micro >= 0)
            rc = cut_to(x, i, floor_lot(x->firm_room_micro, x->lot_micro),
                        RA_FIRM_RULE_FIRM_SHARE, md, cuts, n_cuts, err);
    }
    /* cash: never less left than the proposal as made would leave */
    ra_minor cash_after = 0;
    if (rc == RA_OK)
        rc = net_cash(t, n, a, &cash_after, err);
    for (size_t i = n; rc == RA_OK && cash_after < cash_before && i-- > 0;) {
        ra_firm_trade *x = &t[i];
        if (x->side < 0 || !x->qty_micro)
            continue;
        ra_minor short_minor = cash_before - cash_after, v = 0;
        rc = ra_money_value(x->qty_micro, x->price, md, &v, err);
        ra_micro q = 0;
        if (rc == RA_OK && v - short_minor > a->fee_minor) {
            /* the largest q with value(q) <= v - short: rounding may still leave it one unit
             * over, so step down a lot until it fits */
            q = floor_lot((__int128)(v - short_minor) * scale_of(md) * 1000000 / x->price,
                          x->lot_micro);
            ra_minor vq = 0;
            while (rc == RA_OK && q > 0 &&
                   (rc = ra_money_value(q, x->price, md, &vq, err)) == RA_OK &&
                   vq > v - short_minor)
                q -= x->lot_micro;
        }
        if (rc == RA_OK)
            rc = cut_to(x, i, q, RA_FIRM_RULE_CASH, md, cuts, n_cuts, err);
        if (rc == RA_OK)
            rc = net_cash(t, n, a, &cash_after, err);
    }
    return rc;
}

ra_micro ra_firm_share_room(double max_share, ra_micro shares_out_micro,
                            ra_micro firm_held_micro, ra_minor value_minor, ra_minor total_minor)
{
    if (!(max_share > 0) || shares_out_micro <= 0 || value_minor <= 0 || total_minor <= 0)
        return 0;
    __int128 room = (__int128)ppm(max_share) * shares_out_micro / RA_FIRM_PPM - firm_held_micro;
    if (room <= 0)
        return 0;
    __int128 mine = room * value_minor / total_minor;
    return mine > INT64_MAX ? INT64_MAX : (ra_micro)mine;
}
