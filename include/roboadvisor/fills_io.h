/* roboadvisor: the fills file of `roboadvisor import fills` (io layer, src/io/fills_csv.c;
 * docs/formats.md#fills).
 *
 * CSV with a header naming the columns order_id, date, qty, price and, optionally, fees (any
 * order, case-insensitive, blanks trimmed; other columns are refused): one row per fill of an
 * order, several rows may fill the same order (partial fills). Quantities, prices and fees are
 * exact decimals (money.h: at most 6 decimals for qty and price, the currency's minor digits for
 * fees), never read through a double; dates ISO (YYYY-MM-DD). Pure: bytes in, rows out. Errors are
 * RA_EPARSE with err->where "FILE:LINE:COLUMN (NAME)"; a fills file holds no personal data, so
 * messages quote the offending value. */
#ifndef ROBOADVISOR_FILLS_IO_H
#define ROBOADVISOR_FILLS_IO_H

#include "money.h"
#include "date.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_FILL_ORDER_MAX 96 /* an order id, bytes incl. NUL (= RA_CYCLE_ID_MAX of store_cycle.h) */

typedef struct ra_fill_row {
    char order[RA_FILL_ORDER_MAX]; /* letters, digits, '.', '-', '_' */
    ra_date date;
    ra_micro qty_micro;            /* > 0 */
    ra_price price;                /* > 0 */
    ra_minor fees_minor;           /* >= 0; 0 when the column or the cell is empty */
    uint32_t line;                 /* 1-based line of the row in the file */
} ra_fill_row;

/* The parsed file (ra_fills_destroy): rows in file order, at least one. */
typedef struct ra_fills {
    size_t n;
    ra_fill_row *rows;
    char *source; /* the name given to the parser */
} ra_fills;

/* Parses size bytes of data; source names the file in messages; minor_digits (0, 2 or 3) are the
 * fees' decimals. RA_EPARSE for the input (also a file with a header and no row), RA_EINVAL for
 * minor_digits, RA_ENOMEM. On error *out is NULL. */
RA_API RA_NODISCARD ra_status ra_fills_parse(const char *data, size_t size, const char *source,
                                             int minor_digits, ra_fills **out, ra_err *err);
/* Reads the file at path (at most RA_CSV_MAX_FILE bytes) and parses it with source = path. */
RA_API RA_NODISCARD ra_status ra_fills_read(const char *path, int minor_digits, ra_fills **out,
                                            ra_err *err);
/* NULL does nothing. */
RA_API void ra_fills_destroy(ra_fills *f);

#ifdef __cplusplus
}
#endif
#endif
