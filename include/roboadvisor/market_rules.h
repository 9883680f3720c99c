/* roboadvisor: a security's market rules from the securities master (src/core/market_rules.c;
 * docs/methodology.md#market-rules). The master may state a board, an instrument kind, a tick, a
 * fractional switch and a settlement cycle per security (book.h ra_security; docs/formats.md);
 * what it leaves out comes from the exchange's defaults, so that a master without these columns
 * trades as before. Pure: integers only for prices and quantities. */
#ifndef ROBOADVISOR_MARKET_RULES_H
#define ROBOADVISOR_MARKET_RULES_H

#include "book.h"
#include "date.h"
#include "money.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The board or segment: it gives the daily price-limit band. */
typedef enum ra_market_board {
    RA_BOARD_US = 0,  /* no daily band */
    RA_BOARD_MAIN,    /* SSE / SZSE main boards: 10 % */
    RA_BOARD_ST,      /* risk-warned shares (ST, *ST): 5 % */
    RA_BOARD_STAR,    /* SSE STAR Market: 20 % */
    RA_BOARD_CHINEXT  /* SZSE ChiNext: 20 % */
} ra_market_board;

/* The instrument kind: the T+0 exceptions of the Chinese exchanges and the fund tick. */
typedef enum ra_market_kind {
    RA_KIND_STOCK = 0,
    RA_KIND_ETF,          /* an equity ETF (T+1 in China) */
    RA_KIND_BOND_ETF,     /* T+0 in China */
    RA_KIND_GOLD_ETF,     /* T+0 in China */
    RA_KIND_CROSS_ETF,    /* cross-border ETF: T+0 in China */
    RA_KIND_MONEY_ETF     /* money-market ETF: T+0 in China */
} ra_market_kind;

#define RA_MARKET_SETTLE_MAX 5 /* T+5 at most */

/* A security's rules, every default resolved. */
typedef struct ra_market_rules {
    int china;          /* listed on SSE or SZSE */
    ra_market_board board;
    ra_market_kind kind;
    int band_pct;       /* the daily price-limit band in percent, 0: none */
    ra_price tick;      /* the price step */
    int64_t lot;        /* whole shares a buy is a multiple of */
    int fractional;     /* 1: fractional shares allowed (with a fractional mandate) */
    int settle_days;    /* cash of a sale settles this many business days after the trade */
    int settle_applies; /* 1: withdrawals wait for it (a stated settlement, or SSE/SZSE); a US
                         * master without the column pays them from the day's proceeds, as
                         * before the column existed */
    int same_day_sale;  /* 1: shares bought today may be sold today (T+0) */
} ra_market_rules;

/* 1 for the exchange codes of Shanghai and Shenzhen (SSE, SZSE, XSHG, XSHE, SH, SZ; any case). */
RA_API int ra_market_is_china(const char *exchange);

/* Names in files and JSON: "us", "main", "st", "star", "chinext"; "stock", "etf", "bond_etf",
 * "gold_etf", "cross_border_etf", "money_etf". Parsing ignores case; RA_EINVAL otherwise. */
RA_API const char *ra_market_board_name(ra_market_board b);
RA_API const char *ra_market_kind_name(ra_market_kind k);
RA_API RA_NODISCARD ra_status ra_market_board_parse(const char *s, ra_market_board *out,
                                                    ra_err *err);
RA_API RA_NODISCARD ra_status ra_market_kind_parse(const char *s, ra_market_kind *out,
                                                   ra_err *err);

/* The rules of security x: its stated board, kind, tick, fractional switch and settlement, the
 * exchange's defaults for what it leaves empty (docs/methodology.md#market-rules). RA_EINVAL for
 * a board of the other market (a Chinese board outside SSE/SZSE, "us" on them), an unknown name,
 * a tick < 0 or a settlement outside 0..RA_MARKET_SETTLE_MAX. */
RA_API RA_NODISCARD ra_status ra_market_rules_of(const ra_security *x, ra_market_rules *out,
                                                 ra_err *err);

/* The tradable step of a buy, micro-shares: 1 when the mandate is fractional and the security
 * allows it, else the lot (lot x 1000000). */
RA_API ra_micro ra_market_step_micro(const ra_market_rules *m, int mandate_fractional);

/* A buy of want micro-shares rounded down to whole steps. */
RA_API ra_micro ra_market_buy_qty(ra_micro want, ra_micro step);

/* 1 if a sale of qty out of held (both micro-shares) is allowed in steps of step: whole steps,
 * or whole steps and all of the odd lot (held % step), which is only sold whole. */
RA_API int ra_market_sale_ok(ra_micro qty, ra_micro held, ra_micro step);

/* The day's limits of a security that closed at prev_close the trading day before: *down and
 * *up (both 0 when the board has no band). RA_EINVAL from ra_exchange_limits. */
RA_API RA_NODISCARD ra_status ra_market_limits(const ra_market_rules *m, ra_price prev_close,
                                               ra_price *down, ra_price *up, ra_err *err);

/* 1 if a close sits at either limit (not traded that day); 0 without a band or prev close. */
RA_API int ra_market_at_limit(const ra_market_rules *m, ra_price close, ra_price down,
                              ra_price up);

/* An order's limit price: price rounded half up to the tick, then held within [down, up] when
 * the board has a band (up > 0). */
RA_API ra_price ra_market_limit_price(const ra_market_rules *m, ra_price price, ra_price down,
                                      ra_price up);

/* 1 if d is a business day: not a Saturday or Sunday and not in holidays[0..n) (sorted). */
RA_API int ra_market_business_day(ra_date d, const ra_date *holidays, size_t n);

/* The settlement date of a trade on `trade`: settle_days business days later (the trade date
 * itself when 0). */
RA_API ra_date ra_market_settle_date(ra_date trade, int settle_days, const ra_date *holidays,
                                     size_t n);

#ifdef __cplusplus
}
#endif
#endif
