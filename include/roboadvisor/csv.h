/* roboadvisor: readers for the CSV files users give us (docs/formats.md).
 *
 * Every reader takes the whole file as bytes (data, size), the name to use in messages (source),
 * and either fills a library-allocated object or returns RA_EPARSE with err->where set to
 * "FILE:LINE:COLUMN (FIELD)" (line and column 1-based; column counts CSV fields) and err->msg
 * saying what is wrong with which value. Nothing is half-built: on error *out is NULL.
 *
 * Accepted syntax (RFC 4180 plus what spreadsheets write): a UTF-8 byte-order mark, LF or CRLF
 * line ends, double-quoted fields with "" for a quote, blank lines at the end, numbers as strtod
 * reads them in the C locale (exponent notation allowed; NaN, Inf, hex floats and thousands
 * separators are rejected). Empty cells mean "no value". Limits: RA_CSV_MAX_FIELD bytes a field,
 * RA_CSV_MAX_COLS columns; larger input is rejected naming the limit. */
#ifndef ROBOADVISOR_CSV_H
#define ROBOADVISOR_CSV_H

#include "date.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_CSV_MAX_FIELD 4096
#define RA_CSV_MAX_COLS 100000
#define RA_CSV_MAX_FILE ((size_t)1 << 30) /* bytes ra_csv_read_series reads at most */

/* A wide time series: first column ISO dates (any header name), then one column per security. */
typedef struct ra_series {
    size_t n_rows, n_cols;
    ra_date *dates;  /* n_rows, strictly increasing */
    char **names;    /* n_cols column names, unique, NUL-terminated */
    double *values;  /* n_rows * n_cols, row-major; NAN marks an empty cell ("no value") */
    uint32_t *lines; /* n_rows: the 1-based source line of each row, for messages */
    char *source;    /* the source name given to the reader */
    uint32_t *columns; /* n_cols: the 1-based source column (CSV field number) of each column, for
                          messages; kept by ra_series_select; NULL means column j is field j+2 */
} ra_series;

/* Parses a wide series. Errors: unparsable date or number, duplicate or unsorted dates, duplicate
 * or empty column names, a row with too many or too few fields, fewer than 2 data rows
 * (min_rows), no security column. Empty cells are kept as NAN (see ra_series_complete). */
RA_API RA_NODISCARD ra_status ra_csv_parse_series(const char *data, size_t size, const char *source,
                                                  ra_series **out, ra_err *err);
/* Reads the file at path, then ra_csv_parse_series with source = path. RA_EIO if unreadable. */
RA_API RA_NODISCARD ra_status ra_csv_read_series(const char *path, ra_series **out, ra_err *err);
RA_API void ra_series_destroy(ra_series *s);

/* Keeps only the named columns, in the given order. RA_ENOTFOUND naming the first missing name
 * and listing the available ones (shortened) if one does not exist; RA_EINVAL on a repeat. */
RA_API RA_NODISCARD ra_status ra_series_select(ra_series *s, const char *const *names, size_t n,
                                               ra_err *err);
/* Makes the series complete. drop_missing = 0: RA_EPARSE naming FILE:LINE:COLUMN (NAME) of the
 * first empty cell. drop_missing = 1: removes every row with an empty cell and stores the count
 * in *n_dropped (may be NULL); RA_EPARSE if fewer than 2 rows remain. */
RA_API RA_NODISCARD ra_status ra_series_complete(ra_series *s, int drop_missing, size_t *n_dropped,
                                                 ra_err *err);
/* Keeps only the rows dated from `from` to `to` inclusive (use INT32_MIN / INT32_MAX for an open
 * end). RA_EINVAL if from > to; RA_EPARSE if fewer than 2 rows remain. */
RA_API RA_NODISCARD ra_status ra_series_slice(ra_series *s, ra_date from, ra_date to, ra_err *err);
/* RA_EPARSE naming FILE:LINE:COLUMN (NAME) of the first value <= 0 (prices must be positive). */
RA_API RA_NODISCARD ra_status ra_series_check_positive(const ra_series *s, ra_err *err);
/* For a series of returns: RA_EPARSE naming FILE:LINE:COLUMN (NAME) of the first return <= -1
 * (a loss of 100 % or more cannot be a period's return). Empty cells (NaN) are not checked. */
RA_API RA_NODISCARD ra_status ra_series_check_returns(const ra_series *s, ra_err *err);

/* Dated cash flows "date,amount" (header row required, any names; more columns rejected).
 * Dates need not be sorted or distinct. Amounts: positive = received by the investor. */
typedef struct ra_flows {
    size_t n;
    ra_date *dates;
    double *amounts;
    uint32_t *lines;
    char *source;
} ra_flows;
RA_API RA_NODISCARD ra_status ra_csv_parse_flows(const char *data, size_t size, const char *source,
                                                 ra_flows **out, ra_err *err);
RA_API void ra_flows_destroy(ra_flows *f);

/* Account values "date,value,flow" (header required): value is the market value at the end of
 * the date; flow is the external flow that day (deposit > 0, withdrawal < 0; empty = 0). Dates
 * strictly increasing; values >= 0; at least 2 rows. */
typedef struct ra_values {
    size_t n;
    ra_date *dates;
    double *values;
    double *flows;
    uint32_t *lines;
    char *source;
} ra_values;
RA_API RA_NODISCARD ra_status ra_csv_parse_values(const char *data, size_t size,
                                                  const char *source, ra_values **out, ra_err *err);
RA_API void ra_values_destroy(ra_values *v);

/* Group (asset-class) limits "group,min,max,members": members separated by ';' or spaces;
 * min and max are weights in [0,1] with min <= max; empty min means 0, empty max means 1.
 * Group names unique. Members are names; the caller matches them to its columns. */
typedef struct ra_group {
    char *name;
    double min, max;
    size_t n_members;
    char **members;
    uint32_t line;
} ra_group;
typedef struct ra_groups {
    size_t n;
    ra_group *groups;
    char *source;
} ra_groups;
RA_API RA_NODISCARD ra_status ra_csv_parse_groups(const char *data, size_t size,
                                                  const char *source, ra_groups **out, ra_err *err);
RA_API void ra_groups_destroy(ra_groups *g);

/* Reads a whole file into a NUL-terminated buffer (free it with ra_free; *size excludes the NUL).
 * RA_EIO naming the path and the system's reason; RA_EPARSE if larger than max_bytes. */
RA_API RA_NODISCARD ra_status ra_file_read(const char *path, size_t max_bytes, char **data,
                                           size_t *size, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
