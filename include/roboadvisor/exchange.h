/* roboadvisor: exchange trading rules that are arithmetic (src/core/exchange.c;
 * docs/methodology.md#exchange-rules): daily price-limit bands and tick sizes. Prices are
 * ra_price (currency micro-units per share); every computation is in integers. */
#ifndef ROBOADVISOR_EXCHANGE_H
#define ROBOADVISOR_EXCHANGE_H

#include "money.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Price-limit bands of the Shanghai and Shenzhen exchanges, in percent of the previous close. */
#define RA_EXCHANGE_BAND_MAIN 10   /* main boards */
#define RA_EXCHANGE_BAND_ST 5      /* risk-warned (ST) shares */
#define RA_EXCHANGE_BAND_GROWTH 20 /* STAR Market and ChiNext */
#define RA_EXCHANGE_TICK_STOCK 10000 /* 0.01 */
#define RA_EXCHANGE_TICK_FUND 1000   /* 0.001 */

/* The day's limit prices: previous close x (1 +- band_pct / 100), each rounded half up to the
 * tick (the exchanges' rule). RA_EINVAL for a close or tick <= 0 or a band outside 1..100. */
RA_API RA_NODISCARD ra_status ra_exchange_limits(ra_price prev_close, int band_pct, ra_price tick,
                                                 ra_price *down, ra_price *up, ra_err *err);

/* A price rounded half up to the tick (ticks of a price > 0). */
RA_API ra_price ra_exchange_round_tick(ra_price price, ra_price tick);

/* 1 if an order at price may be placed within [down, up] (limit orders outside are refused);
 * 1 in at_limit if the close sits at either limit (the security is not traded that day). */
RA_API int ra_exchange_price_ok(ra_price price, ra_price down, ra_price up);
RA_API int ra_exchange_at_limit(ra_price close, ra_price down, ra_price up);

#ifdef __cplusplus
}
#endif
#endif
