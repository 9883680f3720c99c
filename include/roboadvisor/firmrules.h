/* roboadvisor: the firm's rules checked on every proposal of the daily cycle (core layer, pure:
 * no I/O, no clock, no allocation; src/core/firmrules.c; method
 * docs/methodology.md#firm-rules).
 *
 * Four rules, each off at 0: the largest weight of one fund in an account (funds of the exempt
 * asset classes or tickers excepted), the largest share of one fund's shares outstanding held by
 * the firm's discretionary accounts together (the cycle gives each account its room, see
 * ra_firm_share_room), a minimum holding period of a lot before it is sold, and a turnover limit
 * per account and calendar year. A proposal that would break one is cut back: a buy or a sale
 * reduced to what the rule allows (whole lot steps), and buys reduced further when cut sales
 * leave less cash than the proposal as made; every cut is reported with its rule and size.
 * Comparisons are exact integers: rates are taken in parts per million (llround(x * 1e6)) and
 * products in 128 bits, so a trade exactly at a cap passes and one unit more is cut. */
#ifndef ROBOADVISOR_FIRMRULES_H
#define ROBOADVISOR_FIRMRULES_H

#include "date.h"
#include "error.h"
#include "money.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_FIRM_EXEMPT_MAX 256     /* the exempt list, ';'-separated classes or tickers */
#define RA_FIRM_PPM 1000000
#define RA_FIRM_MAX_HOLD_DAYS 3660 /* the minimum holding period at most (ten years) */
#define RA_FIRM_DEFAULT_MAX_IDENTICAL 3    /* anti-crowding, as at onboarding (models.h) */
#define RA_FIRM_DEFAULT_CROWD_TE 0.005     /* 50 bp a year */
#define RA_FIRM_MAX_IDENTICAL 1000000
#define RA_FIRM_MAX_CROWD_TE 0.05

typedef struct ra_firm_rules {
    double max_weight;              /* (0, 1]; 0 off */
    char exempt[RA_FIRM_EXEMPT_MAX];/* asset classes or tickers the weight cap skips */
    double max_firm_share;          /* (0, 1] of a fund's shares outstanding; 0 off */
    int min_hold_days;              /* calendar days, 0..RA_FIRM_MAX_HOLD_DAYS; 0 off */
    double max_turnover;            /* (0, 100] a calendar year; 0 off */
    int max_identical;              /* anti-crowding: accounts on one identical target, 0 off,
                                     * 1..RA_FIRM_MAX_IDENTICAL; default 3 (the seed's limit) */
    double crowd_te_budget;         /* a variant's annual tracking error against the account's
                                     * own target at most; (0, 0.05], default 0.005 */
} ra_firm_rules;

/* The rules a cut names (their names: ra_firm_rule_name). */
typedef enum ra_firm_rule {
    RA_FIRM_RULE_MAX_WEIGHT = 0,    /* "max_weight" */
    RA_FIRM_RULE_FIRM_SHARE,        /* "firm_share" */
    RA_FIRM_RULE_MIN_HOLD,          /* "min_hold" */
    RA_FIRM_RULE_TURNOVER,          /* "turnover" */
    RA_FIRM_RULE_CASH,              /* "cash": a buy reduced because sales were cut */
    RA_FIRM_N_RULES
} ra_firm_rule;

RA_API const char *ra_firm_rule_name(int rule);
/* 1 when any rule that cuts proposals is on (anti-crowding is not one: it sets targets). */
RA_API int ra_firm_rules_on(const ra_firm_rules *r);
/* The rules of a firm that never set any: every cut rule off, anti-crowding at its defaults. */
RA_API void ra_firm_rules_default(ra_firm_rules *r);
/* RA_EINVAL naming the field for a value out of its range (NaN included). */
RA_API RA_NODISCARD ra_status ra_firm_rules_validate(const ra_firm_rules *r, ra_err *err);
/* 1 when the weight cap does not apply to a fund of this ticker and asset class (case-sensitive
 * match of a whole item of r->exempt). */
RA_API int ra_firm_exempt(const ra_firm_rules *r, const char *ticker, const char *asset_class);

/* 1 when a lot acquired on `acquired` is held fewer than min_hold_days on `day` (day - acquired
 * < min_hold_days): its sale waits. 0 when the rule is off (min_hold_days <= 0). */
RA_API int ra_firm_lot_young(ra_date acquired, ra_date day, int min_hold_days);

/* A trade of a proposal as the rules see it. */
typedef struct ra_firm_trade {
    int side;                  /* +1 buy, -1 sell */
    ra_micro qty_micro;        /* in: proposed (> 0); out: allowed (0: dropped) */
    ra_price price;            /* > 0 */
    ra_micro lot_micro;        /* the tradable step (>= 1) */
    ra_micro held_micro;       /* buys: the account's position before the proposal */
    ra_micro young_micro;      /* sales: of qty, the part taken from lots held fewer than the
                                * minimum holding period */
    int exempt_weight;         /* buys: the weight cap does not apply (ra_firm_exempt) */
    int exempt_sale;           /* sales for a withdrawal or a risk rule: neither the holding
                                * period nor the turnover limit applies */
    ra_micro firm_room_micro;  /* buys: the account's room under the firm share cap; -1 no cap */
} ra_firm_trade;

typedef struct ra_firm_account {
    ra_minor value_minor;      /* the account's value before the proposal (> 0) */
    ra_minor ytd_sales_minor;  /* sales of the calendar year before today (>= 0) */
    ra_minor avg_value_minor;  /* the year's average value (docs/methodology.md#turnover) */
    ra_minor fee_minor;        /* the cost of one trade */
    int minor_digits;          /* 0, 2 or 3 */
} ra_firm_account;

/* One cut: trade index, rule, and the quantity and value taken off. */
typedef struct ra_firm_cut {
    size_t trade;
    int rule;
    ra_micro qty_micro;
    ra_minor value_minor;
} ra_firm_cut;

/* Checks trades t[0..n) of one proposal against rules r, in the order: sales (minimum holding
 * period, then turnover, in trade order), buys (weight cap, firm share room), then cash: when
 * the cut sales raise less than the cuts of buys free, buys are reduced further from the last
 * one back (rule "cash"), so the cash after the proposal is never below the proposal's as made.
 * Quantities in t are cut in place; cuts (room for 3 * n) receives each cut, *n_cuts their
 * number. RA_EINVAL for bad input. */
RA_API RA_NODISCARD ra_status ra_firm_check(const ra_firm_rules *r, const ra_firm_account *a,
                                            ra_firm_trade *t, size_t n, ra_firm_cut *cuts,
                                            size_t *n_cuts, ra_err *err);

/* The firm share cap's room of one account (docs/methodology.md#firm-share-cap): the firm's
 * room in the fund, floor(max_share x shares_out) - held by the firm's discretionary accounts
 * (0 when negative), shared in proportion to the accounts' values at the day's start (cash and
 * lots at the day's closes): floor(room x value / total) in micro-shares. Independent of the other accounts' trades and so
 * of which worker runs which account; the rooms never add up to more than the firm's. */
RA_API ra_micro ra_firm_share_room(double max_share, ra_micro shares_out_micro,
                                   ra_micro firm_held_micro, ra_minor value_minor,
                                   ra_minor total_minor);

#ifdef __cplusplus
}
#endif
#endif
