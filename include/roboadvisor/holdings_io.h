/* roboadvisor: a client's holdings file for `roboadvisor diagnose --holdings` (io layer,
 * src/io/holdings_csv.c; docs/formats.md#holdings).
 *
 * CSV with a header naming the column ticker and exactly one of quantity or weight (any order,
 * case-insensitive, blanks trimmed; other columns are refused): one row per security held.
 * Quantities are shares, exact decimals with at most 6 decimals (money.h), > 0; weights are
 * fractions of the portfolio, exact decimals with at most 9 decimals, in (0, 1], summing to 1
 * within RA_HOLDINGS_TOL_SUM. A ticker appears once. Pure: bytes in, rows out. Errors are
 * RA_EPARSE with err->where "FILE:LINE:COLUMN (NAME)"; what a client holds is personal, so
 * messages never quote a quantity or a weight (tickers, which are public, are quoted). */
#ifndef ROBOADVISOR_HOLDINGS_IO_H
#define ROBOADVISOR_HOLDINGS_IO_H

#include "book.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_HOLDINGS_MAX_ROWS 4096    /* securities in one holdings file */
#define RA_HOLDINGS_TOL_SUM 1e-6     /* weights sum to 1 within this (rounded figures) */
#define RA_HOLDINGS_WEIGHT_DIGITS 9  /* decimals of a weight */

typedef struct ra_holding_row {
    char ticker[RA_CODE_MAX];
    ra_micro qty_micro;  /* > 0 in a quantity file, 0 in a weight file */
    double weight;       /* in (0, 1] in a weight file, 0 in a quantity file */
    uint32_t line;       /* 1-based line of the row */
} ra_holding_row;

/* The parsed file (ra_holdings_destroy): rows in file order, at least one. */
typedef struct ra_holdings {
    size_t n;
    ra_holding_row *rows;
    int by_weight;       /* 1: the weight column, 0: the quantity column */
    char *source;
} ra_holdings;

/* Parses size bytes of data (source names the file in messages). RA_EPARSE for the input,
 * RA_ENOMEM. On error *out is NULL. */
RA_API RA_NODISCARD ra_status ra_holdings_parse(const char *data, size_t size, const char *source,
                                                ra_holdings **out, ra_err *err);
/* Reads the file at path (at most RA_CSV_MAX_FILE bytes) and parses it with source = path. */
RA_API RA_NODISCARD ra_status ra_holdings_read(const char *path, ra_holdings **out, ra_err *err);
/* NULL does nothing. */
RA_API void ra_holdings_destroy(ra_holdings *h);

#ifdef __cplusplus
}
#endif
#endif
