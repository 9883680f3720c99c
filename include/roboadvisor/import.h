/* roboadvisor: parsers of the import files of the book of record (src/util/import_csv.c,
 * docs/formats.md "Import files").
 *
 * Pure: bytes in, records of include/roboadvisor/book.h out; no database, no I/O. Each parser takes
 * the whole file (data, size), the name to use in messages (source) and fills a library-allocated
 * ra_import, or returns RA_EPARSE (RA_ENOMEM) with err->where "FILE:LINE:COLUMN (FIELD)" and
 * err->msg naming the value; on error *out is NULL and nothing is kept: all rows or none.
 *
 * Syntax is that of csv.h (one tokenizer): UTF-8, LF or CRLF, RFC 4180 quoting, one header row.
 * Headers are matched by name (case-insensitive, blanks trimmed), in any order; every column of
 * the format must be present except those documented as optional; other columns are rejected.
 * Amounts and quantities are read exactly as decimal text (money.h), never through a double.
 * Personal data (client name, email, tax id, address) is never quoted in a message. */
#ifndef ROBOADVISOR_IMPORT_H
#define ROBOADVISOR_IMPORT_H

#include "book.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ra_import_kind {
    RA_IMPORT_PRICES = 0, /* wide layout: Date,TICKER,TICKER,... */
    RA_IMPORT_DIVIDENDS,  /* Date,Ticker,dividend_amount (long) */
    RA_IMPORT_SPLITS,     /* Date,Ticker,split_coefficient (long) */
    RA_IMPORT_SECURITIES,
    RA_IMPORT_CLIENTS,
    RA_IMPORT_ACCOUNTS,
    RA_IMPORT_TRANSACTIONS,
    RA_IMPORT_POSITIONS   /* custodian positions for reconciliation */
} ra_import_kind;
#define RA_IMPORT_KIND_COUNT 8

/* Ticker of a custodian's cash line (also accepted: an empty ticker). Reserved: no security may
 * use it. */
#define RA_CASH_TICKER "CASH"

typedef struct ra_import_settings {
    int minor_digits; /* of amounts in transactions and cash in positions: 0, 2 (default) or 3 */
} ra_import_settings;

/* One transaction row: the ledger transaction plus what only the store can resolve. txn.security
 * and txn.id are 0 (the store maps ticker and txn_id); txn.picks and txn.lots_in point into the
 * ra_import's picks and lots arrays (lots_in[k].security and .id are 0; all of the row's ticker). */
typedef struct ra_import_txn {
    char account[RA_CODE_MAX];
    char txn_id[RA_CODE_MAX]; /* the firm's external id, unique per account */
    char ticker[RA_CODE_MAX]; /* "" for kinds without a security */
    ra_txn txn;
} ra_import_txn;

/* The parsed file. Exactly the array of its kind is non-NULL (prices: dates/tickers/price_micro).
 * n counts the records: rows of the long formats, non-empty price cells of the wide one. */
typedef struct ra_import {
    ra_import_kind kind;
    size_t n;
    uint32_t *lines;            /* n: 1-based source line of each record (not for prices) */
    char *source;               /* the source name given to the parser */
    ra_security *securities;    /* n */
    ra_client *clients;         /* n */
    ra_account *accounts;       /* n */
    ra_import_txn *txns;        /* n */
    ra_lot_pick *picks;         /* n_picks: specific-lot sales and transfers out */
    size_t n_picks;
    ra_lot *lots;               /* n_lots: lots transferred in */
    size_t n_lots;
    ra_dividend *dividends;     /* n */
    ra_split *splits;           /* n */
    ra_position *positions;     /* n */
    /* prices (wide): n_dates rows x n_tickers columns, row-major, 0 = empty cell (no price) */
    size_t n_dates, n_tickers;
    ra_date *dates;             /* n_dates, strictly increasing */
    uint32_t *date_lines;       /* n_dates: source line of each row */
    char (*tickers)[RA_CODE_MAX];/* n_tickers, unique */
    ra_price *price_micro;      /* n_dates * n_tickers */
    uint32_t columns;           /* the columns the file has: bit k = column k of the kind's format,
                                 * in the order of docs/formats.md (RA_IMPORT_COL_*); 0 for prices */
} ra_import;

/* Bits of ra_import.columns (column k of the format is 1u << k). A column the file leaves out
 * keeps the stored value on an update (include/roboadvisor/engine_import.h). */
enum {
    RA_IMPORT_SEC_TICKER = 1u << 0, RA_IMPORT_SEC_NAME = 1u << 1, RA_IMPORT_SEC_CLASS = 1u << 2,
    RA_IMPORT_SEC_RISK = 1u << 3, RA_IMPORT_SEC_ER = 1u << 4, RA_IMPORT_SEC_LOT = 1u << 5,
    RA_IMPORT_SEC_EXCHANGE = 1u << 6, RA_IMPORT_SEC_CURRENCY = 1u << 7,
    RA_IMPORT_SEC_TLH = 1u << 8, RA_IMPORT_SEC_SHELF = 1u << 9, RA_IMPORT_SEC_BOARD = 1u << 10,
    RA_IMPORT_SEC_KIND = 1u << 11, RA_IMPORT_SEC_TICK = 1u << 12,
    RA_IMPORT_SEC_FRACTIONAL = 1u << 13, RA_IMPORT_SEC_SETTLEMENT = 1u << 14
};
enum {
    RA_IMPORT_CLI_CODE = 1u << 0, RA_IMPORT_CLI_HOUSEHOLD = 1u << 1,
    RA_IMPORT_CLI_ADVISOR = 1u << 2, RA_IMPORT_CLI_NAME = 1u << 3, RA_IMPORT_CLI_EMAIL = 1u << 4,
    RA_IMPORT_CLI_TAX_ID = 1u << 5, RA_IMPORT_CLI_ADDRESS = 1u << 6,
    RA_IMPORT_CLI_BIRTH_YEAR = 1u << 7
};
enum {
    RA_IMPORT_ACC_CODE = 1u << 0, RA_IMPORT_ACC_CLIENT = 1u << 1, RA_IMPORT_ACC_TYPE = 1u << 2,
    RA_IMPORT_ACC_CURRENCY = 1u << 3, RA_IMPORT_ACC_OPENED = 1u << 4,
    RA_IMPORT_ACC_MODEL = 1u << 5, RA_IMPORT_ACC_DISCRETIONARY = 1u << 6,
    RA_IMPORT_ACC_DRIFT = 1u << 7, RA_IMPORT_ACC_TLH = 1u << 8, RA_IMPORT_ACC_LOSS = 1u << 9,
    RA_IMPORT_ACC_RESTRICTIONS = 1u << 10,
    /* the optional mandate columns (docs/formats.md#accounts), in ra_rule_mandate_keys order */
    RA_IMPORT_ACC_BAND_REL = 1u << 11, RA_IMPORT_ACC_TO_BAND_EDGE = 1u << 12,
    RA_IMPORT_ACC_BUY_ONLY = 1u << 13, RA_IMPORT_ACC_RELIEF = 1u << 14,
    RA_IMPORT_ACC_CASH_RESERVE = 1u << 15, RA_IMPORT_ACC_MIN_TRADE = 1u << 16,
    RA_IMPORT_ACC_REINVEST = 1u << 17, RA_IMPORT_ACC_FRACTIONAL = 1u << 18,
    RA_IMPORT_ACC_GAIN_BUDGET = 1u << 19, RA_IMPORT_ACC_CLIENT_CONFIRM = 1u << 20
};

/* minor_digits 2. */
RA_API void ra_import_settings_default(ra_import_settings *s);

/* Parses one import file of the given kind. settings may be NULL (defaults). RA_EINVAL for a kind
 * out of range or bad settings; RA_EPARSE for the input (docs/formats.md lists every message);
 * RA_ENOMEM. */
RA_API RA_NODISCARD ra_status ra_import_parse(ra_import_kind kind, const char *data, size_t size,
                                              const char *source,
                                              const ra_import_settings *settings,
                                              ra_import **out, ra_err *err);
/* Reads the file at path (up to RA_CSV_MAX_FILE bytes) and parses it with source = path. */
RA_API RA_NODISCARD ra_status ra_import_read(ra_import_kind kind, const char *path,
                                             const ra_import_settings *settings, ra_import **out,
                                             ra_err *err);
/* NULL does nothing. */
RA_API void ra_import_destroy(ra_import *im);

/* Stable lower-case names ("prices", "dividends", ..., "positions"); "?" if out of range. */
RA_API const char *ra_import_kind_name(ra_import_kind kind);
/* RA_EINVAL naming the value and listing the names if s is none of them. */
RA_API RA_NODISCARD ra_status ra_import_kind_parse(const char *s, ra_import_kind *out,
                                                   ra_err *err);

/* Exact decimal to a fixed number of decimals, ties to even: "146.875" -> 146875000 at 6 digits,
 * "1.0000005" -> 1000000, "1.0000015" -> 1000002, "-3.15e-05" -> -32 (exponent notation allowed,
 * as the wide price files use it). len bytes, not NUL-terminated; digits 0..18. RA_EPARSE for
 * anything that is not a plain decimal (sign '-' or '+', digits, optional '.', optional exponent)
 * or a result outside int64. The rule for prices and dividends per share (docs/formats.md). */
RA_API RA_NODISCARD ra_status ra_import_decimal_round(const char *s, size_t len, int digits,
                                                      int64_t *out, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
