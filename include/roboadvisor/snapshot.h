/* roboadvisor: an intraday price snapshot, the input of `roboadvisor monitor` (io layer,
 * src/io/snapshot.c; docs/formats.md#intraday-snapshot).
 *
 * CSV with a header naming the columns ticker, price and, optionally, time (any order,
 * case-insensitive, blanks trimmed; other columns are refused): one row per security, each ticker
 * once. The price is an exact decimal in the security's currency (at most 6 decimals, money.h),
 * never read through a double, above 0; the time, when given, is the price's time of day HH:MM
 * (00:00 to 23:59, the market's local time). Pure: bytes in, rows out. Errors are RA_EPARSE with
 * err->where "FILE:LINE:COLUMN (NAME)"; a snapshot holds no personal data, so messages quote the
 * offending value. */
#ifndef ROBOADVISOR_SNAPSHOT_H
#define ROBOADVISOR_SNAPSHOT_H

#include "money.h"
#include "rules.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ra_snapshot_row {
    char ticker[RA_CODE_MAX]; /* a code (rules.h): letters, digits, '.', '-', '_' */
    ra_price price;           /* > 0, micro-units of the currency */
    int minute;               /* the price's time, minutes after midnight; -1 when not given */
    uint32_t line;            /* 1-based line of the row in the file */
} ra_snapshot_row;

/* The parsed file (ra_snapshot_destroy): rows in file order, at least one, tickers unique. */
typedef struct ra_snapshot {
    size_t n;
    ra_snapshot_row *rows;
    char *source; /* the name given to the parser */
} ra_snapshot;

/* Parses size bytes of data; source names the file in messages. RA_EPARSE for the input (also a
 * header and no row, a ticker twice), RA_ENOMEM. On error *out is NULL. */
RA_API RA_NODISCARD ra_status ra_snapshot_parse(const char *data, size_t size, const char *source,
                                                ra_snapshot **out, ra_err *err);
/* Reads the file at path (at most RA_CSV_MAX_FILE bytes) and parses it with source = path. */
RA_API RA_NODISCARD ra_status ra_snapshot_read(const char *path, ra_snapshot **out, ra_err *err);
/* NULL does nothing. */
RA_API void ra_snapshot_destroy(ra_snapshot *s);

#ifdef __cplusplus
}
#endif
#endif
