/* roboadvisor: one account's daily proposal, pure (src/core/rebal.c): drift against the target,
 * the drift bands, cash flows first, tax-loss harvesting, tax-aware lot choice, lot sizes and
 * minimum trades. The engine gives it the account's holdings, lots, target and the day's
 * constraints (wash-sale windows, trading restrictions) and turns the trades into a proposal.
 * Method, defaults and sources: docs/methodology.md#rebalancing.
 *
 * Units: money ra_minor of the account's currency, quantities ra_micro, prices ra_price
 * (currency micro-units per share), weights fractions of the account's total value.
 * Memory: nothing is allocated. The caller gives a workspace of ra_rebal_workspace_size bytes
 * and output arrays: trades with room for 2 * n_assets, picks with room for n_lots. */
#ifndef ROBOADVISOR_REBAL_H
#define ROBOADVISOR_REBAL_H

#include "date.h"
#include "ledger.h"
#include "money.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_REBAL_DEFAULT_BAND_ABS 0.05   /* absolute drift band (the mandate's drift_band) */
#define RA_REBAL_DEFAULT_BAND_REL 0.25   /* relative drift band: 25 % of the target weight */
#define RA_REBAL_DEFAULT_DEFER_DAYS 30   /* short-term gains turning long-term within: defer */
#define RA_REBAL_DEFAULT_WASH_WINDOW_DAYS 30 /* the wash-sale window (IRS Publication 550) */
#define RA_REBAL_DEFAULT_TLH_LOSS_PCT 0.05 /* a lot's loss as a fraction of its cost to harvest */
#define RA_REBAL_DEFAULT_MAX_COST_FRAC 0.01 /* a trade's costs above this share of its value: drop */
#define RA_REBAL_TOL_WEIGHT 1e-12        /* weights closer than this are equal (band tests) */

/* Reasons of a trade (bits; docs/cli.md lists their names). */
enum {
    RA_REASON_DRIFT = 1u << 0,       /* back to target (or the band's edge) */
    RA_REASON_CASH_FLOW = 1u << 1,   /* a deposit put to work */
    RA_REASON_DIVIDEND = 1u << 2,    /* a dividend put to work */
    RA_REASON_WITHDRAWAL = 1u << 3,  /* cash raised for an instructed withdrawal */
    RA_REASON_TLH = 1u << 4,         /* a tax-loss harvest: the sale and its substitute's buy */
    RA_REASON_RESTRICTION = 1u << 5, /* a holding the mandate now excludes */
    RA_REASON_MODEL_CHANGE = 1u << 6, /* a holding the (new) model no longer holds */
    RA_REASON_RISK_LIMIT = 1u << 7   /* a target moved by a risk rule that fired (riskrules.h;
                                      * set by the daily cycle, not by ra_rebal_propose) */
};

/* Why an account is left outside its bands after the proposal (bits). */
enum {
    RA_HELD_MIN_TRADE = 1u << 0,  /* a trade smaller than the minimum, or costing too much */
    RA_HELD_LOT_SIZE = 1u << 1,   /* whole shares or lots */
    RA_HELD_CASH = 1u << 2,       /* not enough cash after the reserve */
    RA_HELD_WASH_SALE = 1u << 3,  /* a buy in a wash-sale window, or a loss sale that would be one */
    RA_HELD_NO_TRADE = 1u << 4,   /* the security cannot be traded today */
    RA_HELD_TAX = 1u << 5,        /* a short-term gain deferred until it turns long-term */
    RA_HELD_BUY_ONLY = 1u << 6    /* the mandate sells only for withdrawals */
};

/* A security the account holds or its target names. */
typedef struct ra_rebal_asset {
    uint32_t security;       /* the caller's index, echoed in trades */
    uint32_t group;          /* asset class (band per class as well as per security) */
    ra_price price;          /* > 0 */
    ra_micro qty_micro;      /* held, >= 0 */
    double target;           /* target weight, [0, 1]; the targets and cash_target sum to 1 */
    ra_micro lot_micro;      /* tradable step: 1000000 whole shares, 100000000 a 100-share lot,
                              * 1 fractional shares */
    unsigned exit_reason;    /* RA_REASON_RESTRICTION or _MODEL_CHANGE when target is 0 because
                              * of that (reported on the sale); 0 otherwise */
    int no_buy;              /* may not be bought today: a wash-sale window (a loss sale of it in
                              * the household within the window), a limit, a restriction */
    int no_sell;             /* may not be sold today (settlement rule, at its price limit) */
    int no_loss_sale;        /* bought in the household within the window: selling a lot at a
                              * loss would be a wash sale */
    int32_t substitute;      /* TLH: index of the asset to buy instead (same tlh_group), -1 none */
    ra_minor reinvest_minor; /* a dividend of it credited today that the mandate reinvests in
                              * it (>= 0; part of cash_minor): bought back first, reason
                              * dividend, unless it may not be bought (no_buy: the cash then
                              * goes to the other holdings, held_back RA_HELD_WASH_SALE) or a
                              * rebalance trades it today anyway */
} ra_rebal_asset;

/* A tax lot (taxable accounts; the engine gives the wash-sale-adjusted cost and start). */
typedef struct ra_rebal_lot {
    uint32_t asset;          /* index into the account's assets */
    uint64_t lot_id;
    ra_date holding_from;    /* start of the holding period */
    ra_micro qty_micro;      /* > 0 */
    ra_minor cost_minor;     /* basis, after wash-sale adjustments */
} ra_rebal_lot;

typedef struct ra_rebal_account {
    ra_date date;
    const ra_rebal_asset *assets;
    size_t n_assets;
    const ra_rebal_lot *lots; /* every lot of every asset (by asset, then acquisition) */
    size_t n_lots;
    ra_minor cash_minor;      /* >= 0 */
    double cash_target;       /* the cash reserve as a fraction of the value */
    ra_minor withdrawal_minor;/* an instructed withdrawal to raise today (>= 0) */
    unsigned cash_reason;     /* RA_REASON_CASH_FLOW and/or _DIVIDEND: where spare cash came from */
    int taxable;              /* tax-aware selling and harvesting apply */
    int has_gain_budget;      /* 1: sales for a model change only are held to gain_budget_minor */
    ra_minor gain_budget_minor; /* the net realised gain they may still cause this year (>= 0);
                                 * their losses add to it */
} ra_rebal_account;

typedef struct ra_rebal_settings {
    double band_abs;          /* default 0.05 */
    double band_rel;          /* default 0.25 */
    int to_band_edge;         /* 1: trade a drifted holding to its band's edge, not to target */
    int buy_only;             /* 1: no sales except to raise a withdrawal (and harvesting) */
    int minor_digits;         /* of the account's currency (2) */
    ra_minor min_trade_minor; /* the smallest trade (default 0: any) */
    ra_minor fee_minor;       /* the cost of one trade (default 0) */
    double spread_bps;        /* half-spread and impact per trade value, basis points (default 0) */
    double max_cost_frac;     /* drop a trade whose cost exceeds this share of its value (0.01) */
    double tax_rate_short;    /* the client's rate on short-term gains (default 0.35) */
    double tax_rate_long;     /* on long-term gains (default 0.15) */
    int defer_days;           /* default 30 */
    int tlh;                  /* harvest losses (taxable accounts only) */
    double tlh_loss_pct;      /* default 0.05 */
    ra_minor tlh_loss_min_minor; /* the firm's minimum loss per lot (default 0) */
    int wash_window_days;     /* a harvest never leaves part of a lot acquired within this many
                               * days before the sale (it would replace the loss: a wash sale);
                               * default RA_REBAL_DEFAULT_WASH_WINDOW_DAYS */
    int relief;               /* the lots a sale takes first (ra_relief): RA_RELIEF_TAX_AWARE
                               * (default; FIFO in an account that is not taxable), _FIFO, _HIFO */
} ra_rebal_settings;

/* One trade. For a sale, picks[first_pick .. first_pick + n_picks) are the lots it sells. */
typedef struct ra_rebal_trade {
    uint32_t asset;           /* index into the account's assets */
    int side;                 /* +1 buy, -1 sell */
    ra_micro qty_micro;       /* > 0 */
    ra_price price;
    ra_minor value_minor;     /* qty * price, rounded by the book's rule */
    unsigned reasons;
    ra_minor gain_short_minor;/* estimated, sales in taxable accounts */
    ra_minor gain_long_minor;
    size_t first_pick, n_picks;
} ra_rebal_trade;

typedef struct ra_rebal_pick {
    uint64_t lot_id;
    ra_micro qty_micro;
    ra_minor cost_minor;      /* the lot's cost pro rata */
    ra_minor proceeds_minor;  /* the sale's value pro rata */
    int long_term;
} ra_rebal_pick;

typedef struct ra_rebal_result {
    ra_minor value_minor;     /* cash + holdings at the prices given */
    double drift_before;      /* half the sum of |weight - target| over holdings and cash */
    double drift_after;       /* the same after the trades (at the same prices) */
    double max_dev_before;    /* the largest |weight - target| of a security */
    double max_dev_after;
    int out_of_band_before;   /* a security or an asset class is outside its band */
    int out_of_band_after;
    unsigned held_back;       /* RA_HELD_* bits: why not all the way */
    ra_minor withdrawal_paid_minor; /* the withdrawal paid today: all of it unless the cash
                                     * could not be raised (then held_back has RA_HELD_CASH) */
    ra_minor cash_after_minor;/* cash after trades, fees and the withdrawal paid (>= 0) */
    ra_minor harvested_minor; /* losses realised by harvesting (>= 0) */
    double harvest_tax_value; /* their estimated tax value, in minor units */
    size_t n_trades, n_picks;
} ra_rebal_result;

RA_API void ra_rebal_settings_default(ra_rebal_settings *s);
RA_API size_t ra_rebal_workspace_size(size_t n_assets, size_t n_lots);

/* The whole proposal for one account. RA_EINVAL naming the asset or lot for bad input (a price
 * <= 0, a negative quantity, targets that do not sum to 1 within 1e-6, a lot of no asset, a
 * workspace too small); the trades are then not to be used. */
RA_API RA_NODISCARD ra_status ra_rebal_propose(const ra_rebal_account *a,
                                               const ra_rebal_settings *s, void *work,
                                               size_t work_size, ra_rebal_trade *trades,
                                               ra_rebal_pick *picks, ra_rebal_result *res,
                                               ra_err *err);

/* The order in which a sale of `security` at `price` on `date` takes an account's lots under
 * the mandate's relief method (RA_RELIEF_FIFO, _HIFO, or _TAX_AWARE: losses first, then
 * long-term, then short-term gains, HIFO within a class; FIFO when not taxable). lots[0..n) are
 * borrowed (the ledger's, any security); order (room for n) receives the indices of the lots of
 * that security, first to sell first. Returns how many. md: the currency's minor digits. */
RA_API size_t ra_rebal_relief_order(const ra_lot *lots, size_t n, uint32_t security,
                                    ra_price price, ra_date date, int md, int relief,
                                    int taxable, size_t *order);

/* The daily scan, without trades (a million accounts a second): drift and band test of weights
 * w[0..n) (holdings' values over the total, in the assets' order) against t[0..n) with groups
 * g[0..n) (may be NULL: no class bands), and the cash weights. Returns 1 if out of band. */
RA_API int ra_rebal_out_of_band(const double *w, const double *t, const uint32_t *g, size_t n,
                                double w_cash, double t_cash, double band_abs, double band_rel,
                                double *drift, double *max_dev);

#ifdef __cplusplus
}
#endif
#endif
