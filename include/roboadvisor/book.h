/* roboadvisor: the domain records of the book of record (issue 4; docs/formats.md, DESIGN.md).
 *
 * These are the values that imports produce, the store keeps and the engine reads. Codes are the
 * firm's own stable identifiers (client "C000123", account "A000123-1"): imports and the API refer
 * to records by code, the store maps codes to its internal ids. Strings are NUL-terminated and
 * bounded by the array sizes below; a longer value is an input error naming the field, never cut.
 * Personal data (name, email, tax id, address) is held in plain text only in memory and is
 * encrypted at rest by the store with the firm's key; it must never be logged or put in a message. */
#ifndef ROBOADVISOR_BOOK_H
#define ROBOADVISOR_BOOK_H

#include "ledger.h"
#include "money.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_CODE_MAX 48   /* codes, tickers, asset classes, groups: bytes incl. NUL */
#define RA_NAME_MAX 160  /* names of firms and securities */
#define RA_PII_MAX 256   /* each personal-data field */

typedef enum ra_account_type {
    RA_ACCOUNT_TAXABLE = 0,
    RA_ACCOUNT_TAX_DEFERRED = 1, /* e.g. traditional IRA, 401(k) */
    RA_ACCOUNT_TAX_FREE = 2      /* e.g. Roth IRA */
} ra_account_type;

typedef struct ra_firm {
    char code[RA_CODE_MAX];
    char name[RA_NAME_MAX];
    char currency[4];      /* ISO 4217 base currency, e.g. "USD" */
    int minor_digits;      /* 2 for USD */
} ra_firm;

typedef struct ra_advisor {
    char code[RA_CODE_MAX];
    char name[RA_PII_MAX]; /* personal data */
    char email[RA_PII_MAX];/* personal data */
} ra_advisor;

typedef struct ra_security {
    char ticker[RA_CODE_MAX];
    char name[RA_NAME_MAX];
    char asset_class[RA_CODE_MAX]; /* "us_equity", "intl_equity", "bonds", "real_assets", "cash"... */
    int risk_level;                /* 1..5 = R1..R5; 0 = unknown (incomplete security) */
    double expense_ratio;          /* annual decimal, 0.0003 = 3 bp */
    int64_t lot_size;              /* whole shares per trading lot: 1 US ETFs, 100 China A-shares */
    char exchange[RA_CODE_MAX];
    char currency[4];
    char tlh_group[RA_CODE_MAX];   /* tax-loss-harvesting substitutes share a group; "" none */
    int on_shelf;                  /* the firm allows it in portfolios */
    int incomplete;                /* added from a price file; master data still missing */
    /* market rules (market_rules.h, docs/methodology.md#market-rules); empty or 0: the
     * exchange's default */
    char board[RA_CODE_MAX];       /* "us", "main", "st", "star", "chinext" */
    char kind[RA_CODE_MAX];        /* "stock", "etf", "bond_etf", "gold_etf", ... */
    ra_price tick;                 /* the price step */
    int fractional;                /* 1 fractional shares allowed, -1 not, 0 the default */
    char settlement[8];            /* "T+0" .. "T+5" */
    int64_t adv;                   /* average daily traded value, whole units of the firm's
                                    * currency (docs/formats.md#securities); 0 unknown */
} ra_security;
#define RA_SECURITY_MAX_ADV 1000000000000000LL /* 10^15: beyond any market's daily value */

typedef struct ra_client {
    char code[RA_CODE_MAX];
    char household[RA_CODE_MAX];   /* household code; clients of one household share wash-sale scope */
    char advisor[RA_CODE_MAX];     /* advisor code */
    char name[RA_PII_MAX];         /* personal data */
    char email[RA_PII_MAX];        /* personal data */
    char tax_id[RA_PII_MAX];       /* personal data */
    char address[RA_PII_MAX];      /* personal data */
    int birth_year;                /* 0 unknown */
    int erased;                    /* crypto-shredded (ra_store_client_erase): the above are "" */
} ra_client;

/* An account's mandate: every parameter the daily cycle reads for it (docs/methodology.md#the-
 * mandate). Stored as versions (ra_store_mandate_*, store_mandate.h); the current one is the
 * latest. Defaults: ra_rule_mandate_default (rules.h). */
typedef struct ra_mandate {
    char model[RA_CODE_MAX];       /* model portfolio code (versioned later); "" none yet */
    int discretionary;             /* 1: proposals become orders; 0: advisory, needs approval */
    double drift_band;             /* absolute weight drift that triggers a rebalance, e.g. 0.05 */
    int tlh_enabled;
    double loss_limit;             /* re-authorisation threshold as a fraction, default 0.10, <= 0.15 */
    char restrictions[RA_NAME_MAX];/* excluded tickers or asset classes, ';'-separated */
    double band_rel;               /* relative drift band, fraction of the target (default 0.25) */
    int to_band_edge;              /* 1: a drifted holding trades to its band's edge (default 0) */
    int buy_only;                  /* 1: no sales except for withdrawals and harvesting */
    int relief;                    /* ra_relief: RA_RELIEF_FIFO, _HIFO or _TAX_AWARE */
    double cash_reserve;           /* cash kept, fraction of the account (default 0.02) */
    int64_t min_trade_minor;       /* the smallest trade, minor units (default 0: any) */
    int reinvest_dividends;        /* 1: a dividend buys the same security at the close */
    int fractional;                /* 1: fractional shares; 0: whole lots of the lot size */
    int64_t gain_budget_minor;     /* realised gains a model change may cause per calendar year,
                                    * minor units; -1 none (no limit) */
    int client_confirm;            /* 1: proposals also need the client's confirmation */
    int risk_level;                /* the agent's level 1..5 (C1..C5); 0 no agent yet */
    int objective;                 /* ra_agent_objective (onboard.h) */
    char fee_schedule[RA_CODE_MAX];/* the fee schedule it pays (store_fees.h); "" the firm's
                                    * default */
    char rules[RA_NAME_MAX];       /* the firm's risk rules it applies: codes joined by ',' ("":
                                    * none; riskrules.h, docs/methodology.md#risk-limits) */
    /* The client's own objectives (objective.h, docs/methodology.md#client-objectives); all 0:
     * none, the account trades to its model's personalised target. */
    double risk_aversion;          /* a multiple of the model's; 0 or 1 the model's own */
    double te_penalty;             /* penalty on tracking error to the model, >= 0 */
    double turnover_penalty;       /* annual return given up per unit of weight traded, >= 0 */
    double cvar_limit;             /* one day's 95 % historical CVaR at most this; 0 none */
} ra_mandate;

typedef struct ra_account {
    char code[RA_CODE_MAX];
    char client[RA_CODE_MAX];      /* owner's client code */
    ra_account_type type;
    char currency[4];
    ra_date opened;
    ra_mandate mandate;
} ra_account;

/* One dated price of one security, in micro-units of the security's currency per share. */
typedef struct ra_price_obs {
    char ticker[RA_CODE_MAX];
    ra_date date;
    ra_price price;
} ra_price_obs;

typedef struct ra_dividend {
    char ticker[RA_CODE_MAX];
    ra_date ex_date;
    ra_price amount;               /* cash per share, micro-units of currency */
} ra_dividend;

typedef struct ra_split {
    char ticker[RA_CODE_MAX];
    ra_date date;                  /* first trading day after the split */
    ra_ratio ratio;                /* new shares per old share */
} ra_split;

/* A custodian's position for reconciliation: ticker "" means the cash line. */
typedef struct ra_position {
    char account[RA_CODE_MAX];
    char ticker[RA_CODE_MAX];
    ra_micro qty_micro;
    ra_minor cash_minor;
} ra_position;

/* Stable lower-case names used in files and JSON: "taxable", "tax_deferred", "tax_free". */
RA_API const char *ra_account_type_name(ra_account_type t);
RA_API RA_NODISCARD ra_status ra_account_type_parse(const char *s, ra_account_type *out, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
