/* roboadvisor: the market files the demo generator reads (io layer, src/io/market.c): the ETF
 * descriptions of a shelf and the long dividend and split event files of shared/data
 * (shared/data/README.md). Only the formats are read here; what a description means (asset
 * class, risk level, tax-loss-harvesting group) is the generator's decision (bookgen.h,
 * ra_bookgen_shelf_parse).
 *
 * Every file: a header row (its names are used in messages, not checked), then rows of exactly
 * the header's width. Errors are RA_EPARSE with where "FILE:LINE:COLUMN (NAME)", RA_ENOMEM; on an
 * error *out is NULL and *n 0. Arrays are allocated with ra_malloc: free them with ra_free. */
#ifndef ROBOADVISOR_MARKET_IO_H
#define ROBOADVISOR_MARKET_IO_H

#include "book.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One row of "Ticker,Fund Name,Geographic Focus,Fund Type" (aa_etf_descriptions.csv). */
typedef struct ra_market_etf {
    char ticker[RA_CODE_MAX];  /* the code rule of rules.h */
    char name[RA_NAME_MAX];    /* the text rule of rules.h */
    char focus[RA_NAME_MAX];   /* "United States of America", "Emerging Markets", ... */
    char type[RA_NAME_MAX];    /* "Equity", "Bond", "Commodity" (not checked here) */
    uint32_t line;             /* the row's line in the file */
} ra_market_etf;

RA_API RA_NODISCARD ra_status ra_market_etfs_parse(const char *data, size_t size,
                                                   const char *source, ra_market_etf **out,
                                                   size_t *n, ra_err *err);

/* "Date,Ticker,dividend" (av_etf_dividends.csv): ISO date, ticker (code rule), a positive amount
 * per share with at most 6 decimals, exact (price micro-units). */
RA_API RA_NODISCARD ra_status ra_market_dividends_parse(const char *data, size_t size,
                                                        const char *source, ra_dividend **out,
                                                        size_t *n, ra_err *err);
/* "Date,Ticker,split" (av_etf_splits.csv): the ratio as exact decimal text (ra_money_ratio_parse:
 * new shares per old share, positive; a ratio that does not fit exactly is an error). */
RA_API RA_NODISCARD ra_status ra_market_splits_parse(const char *data, size_t size,
                                                     const char *source, ra_split **out,
                                                     size_t *n, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
