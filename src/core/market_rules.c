/* A security's market rules from the securities master: include/roboadvisor/market_rules.h,
 * docs/methodology.md#market-rules. Sources: the SSE and SZSE trading rules (2023 revisions:
 * round lots of 100 shares for buys and odd lots sold at once, price-limit bands, tick sizes,
 * T+1 for shares with the T+0 exceptions for bond, gold, cross-border and money-market funds);
 * SEC rule 15c6-1 as amended in 2023 (T+1 settlement in the US from 28 May 2024). */
#include <roboadvisor/exchange.h>
#include <roboadvisor/market_rules.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int same_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

int ra_market_is_china(const char *exchange)
{
    static const char *const CN[] = {"SSE", "SZSE", "XSHG", "XSHE", "SH", "SZ"};
    for (size_t k = 0; k < sizeof CN / sizeof CN[0]; k++)
        if (same_nocase(exchange, CN[k]))
            return 1;
    return 0;
}

static const char *const BOARDS[] = {"us", "main", "st", "star", "chinext"};
static const int BANDS[] = {0, RA_EXCHANGE_BAND_MAIN, RA_EXCHANGE_BAND_ST, RA_EXCHANGE_BAND_GROWTH,
                            RA_EXCHANGE_BAND_GROWTH};
static const char *const KINDS[] = {"stock", "etf", "bond_etf", "gold_etf", "cross_border_etf",
                                    "money_etf"};

const char *ra_market_board_name(ra_market_board b)
{
    return (unsigned)b < sizeof BOARDS / sizeof BOARDS[0] ? BOARDS[b] : "?";
}

const char *ra_market_kind_name(ra_market_kind k)
{
    return (unsigned)k < sizeof KINDS / sizeof KINDS[0] ? KINDS[k] : "?";
}

static int name_index(const char *s, const char *const *names, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (same_nocase(s, names[k]))
            return (int)k;
    return -1;
}

ra_status ra_market_board_parse(const char *s, ra_market_board *out, ra_err *err)
{
    int k = name_index(s, BOARDS, sizeof BOARDS / sizeof BOARDS[0]);
    if (k < 0)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "board \"%.40s\" is not one of us, main, st, star, chinext", s);
    *out = (ra_market_board)k;
    return RA_OK;
}

ra_status ra_market_kind_parse(const char *s, ra_market_kind *out, ra_err *err)
{
    int k = name_index(s, KINDS, sizeof KINDS / sizeof KINDS[0]);
    if (k < 0)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "kind \"%.40s\" is not one of stock, etf, bond_etf, gold_etf, "
                          "cross_border_etf, money_etf", s);
    *out = (ra_market_kind)k;
    return RA_OK;
}

/* "T+n" (any case), n 0..RA_MARKET_SETTLE_MAX; -1 otherwise. */
static int settle_parse(const char *s)
{
    if ((s[0] != 'T' && s[0] != 't') || s[1] != '+' || s[2] < '0' || s[2] > '9' || s[3])
        return -1;
    int n = s[2] - '0';
    return n <= RA_MARKET_SETTLE_MAX ? n : -1;
}

ra_status ra_market_rules_of(const ra_security *x, ra_market_rules *out, ra_err *err)
{
    memset(out, 0, sizeof *out);
    out->china = ra_market_is_china(x->exchange);
    out->board = out->china ? RA_BOARD_MAIN : RA_BOARD_US;
    out->kind = RA_KIND_STOCK;
    ra_status rc;
    if (x->board[0] && (rc = ra_market_board_parse(x->board, &out->board, err)) != RA_OK)
        return rc;
    if (x->kind[0] && (rc = ra_market_kind_parse(x->kind, &out->kind, err)) != RA_OK)
        return rc;
    if (out->china != (out->board != RA_BOARD_US))
        return ra_err_set(err, RA_EINVAL, NULL, "security %s: board %s is not one of exchange %s",
                          x->ticker, ra_market_board_name(out->board),
                          x->exchange[0] ? x->exchange : "(none)");
    out->band_pct = BANDS[out->board];
    int fund = out->kind != RA_KIND_STOCK;
    if (x->tick < 0)
        return ra_err_set(err, RA_EINVAL, NULL, "security %s: a tick below 0", x->ticker);
    out->tick = x->tick > 0 ? x->tick
                : out->china && fund ? RA_EXCHANGE_TICK_FUND
                                     : RA_EXCHANGE_TICK_STOCK;
    out->lot = x->lot_size > 0 ? x->lot_size : 1;
    out->fractional = x->fractional ? x->fractional > 0 : !out->china;
    out->settle_days = 1; /* US T+1 (rule 15c6-1); China: cash of a sale withdrawable T+1 */
    out->settle_applies = out->china || x->settlement[0];
    if (x->settlement[0] && (out->settle_days = settle_parse(x->settlement)) < 0)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "security %s: settlement \"%.7s\" is not T+0 .. T+%d", x->ticker,
                          x->settlement, RA_MARKET_SETTLE_MAX);
    out->same_day_sale = !out->china || out->kind == RA_KIND_BOND_ETF ||
                         out->kind == RA_KIND_GOLD_ETF || out->kind == RA_KIND_CROSS_ETF ||
                         out->kind == RA_KIND_MONEY_ETF;
    return RA_OK;
}

ra_micro ra_market_step_micro(const ra_market_rules *m, int mandate_fractional)
{
    return mandate_fractional && m->fractional ? 1 : m->lot * RA_MICRO_PER_SHARE;
}

ra_micro ra_market_buy_qty(ra_micro want, ra_micro step)
{
    if (want <= 0 || step <= 0)
        return 0;
    return want - want % step;
}

int ra_market_sale_ok(ra_micro qty, ra_micro held, ra_micro step)
{
    if (qty <= 0 || qty > held || step <= 0)
        return 0;
    return qty % step == 0 || qty % step == held % step; /* whole steps, with the odd part whole */
}

ra_status ra_market_limits(const ra_market_rules *m, ra_price prev_close, ra_price *down,
                           ra_price *up, ra_err *err)
{
    *down = *up = 0;
    if (m->band_pct <= 0)
        return RA_OK;
    return ra_exchange_limits(prev_close, m->band_pct, m->tick, down, up, err);
}

int ra_market_at_limit(const ra_market_rules *m, ra_price close, ra_price down, ra_price up)
{
    return m->band_pct > 0 && up > 0 && close > 0 && ra_exchange_at_limit(close, down, up);
}

ra_price ra_market_limit_price(const ra_market_rules *m, ra_price price, ra_price down,
                               ra_price up)
{
    ra_price p = ra_exchange_round_tick(price, m->tick);
    if (m->band_pct > 0 && up > 0) {
        if (p > up)
            p = up;
        if (p < down)
            p = down;
    }
    return p;
}

int ra_market_business_day(ra_date d, const ra_date *holidays, size_t n)
{
    int wd = (int)((d % 7 + 7 + 4) % 7); /* 1970-01-01 (day 0) was a Thursday: 0 is Sunday */
    if (wd == 0 || wd == 6)
        return 0;
    size_t k = ra_date_lower_bound(holidays, n, d);
    return !(k < n && holidays[k] == d);
}

ra_date ra_market_settle_date(ra_date trade, int settle_days, const ra_date *holidays, size_t n)
{
    ra_date d = trade;
    for (int k = 0; k < settle_days; k++)
        do
            d++;
        while (!ra_market_business_day(d, holidays, n));
    return d;
}
