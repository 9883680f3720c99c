/* roboadvisor: imports into the book of record and reconciliation with a custodian (engine
 * layer; src/engine/import.c, docs/formats.md "Import files", docs/cli.md#import).
 *
 * An import writes one parsed file (include/roboadvisor/import.h) in one write scope of the store:
 * every row or none. Master data (securities, clients, accounts) is upserted row by row: a row
 * equal to the stored record changes nothing; a column the file does not have keeps the stored
 * value (ra_import.columns); an empty cell of a column the file has means what docs/formats.md
 * says for that column. Market data (prices, dividends, splits) of tickers not in the securities
 * master adds them as incomplete securities, named in the result. Transactions are appended to
 * their accounts' ledgers; a stored transaction is never changed (the same id with other content
 * is refused), and a transaction dated before its account was opened or outside
 * [RA_IMPORT_DATE_MIN, as_of + RA_IMPORT_DAYS_AHEAD] is refused naming its line. */
#ifndef ROBOADVISOR_ENGINE_IMPORT_H
#define ROBOADVISOR_ENGINE_IMPORT_H

#include "engine_book.h"
#include "import.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_IMPORT_DATE_MIN (-25567)   /* no transaction is dated before 1900-01-01 (days since
                                       * 1970-01-01, date.h) */
#define RA_IMPORT_DAYS_AHEAD 366      /* nor more than a year after the import's date */
#define RA_IMPORT_NEW_TICKERS_MAX 10  /* new tickers named in a message before "and N more" */

typedef struct ra_import_options {
    int has_as_of;        /* 1: as_of is given; 0: no upper bound on transaction dates */
    ra_date as_of;        /* the import's date (the caller's clock: the library reads none) */
} ra_import_options;

typedef struct ra_import_result {
    ra_import_kind kind;
    size_t added, updated, unchanged;  /* records (prices: price observations) */
    char (*new_tickers)[RA_CODE_MAX];  /* tickers added as incomplete securities, file order */
    size_t n_new_tickers;
} ra_import_result;

/* Writes a parsed import into the book of actor->firm in one write scope (a transaction of its
 * own, or a savepoint in the caller's). Errors about one row have err->where "FILE:LINE" (and the
 * store's place in parentheses); on error nothing is written and *res is empty. Positions are not
 * imported (RA_EINVAL: reconcile them). opts may be NULL. Free res with ra_import_result_free. */
RA_API RA_NODISCARD ra_status ra_import_apply(ra_store *s, const ra_store_actor *actor,
                                              const ra_import *im, const ra_import_options *opts,
                                              ra_import_result *res, ra_err *err);
/* Reads FILE (amounts with the firm's minor digits) and applies it to the open book: errors not
 * about a master-data row are prefixed with the path. */
RA_API RA_NODISCARD ra_status ra_book_import(ra_book *b, ra_import_kind kind, const char *path,
                                             const ra_import_options *opts, ra_import_result *res,
                                             ra_err *err);
RA_API void ra_import_result_free(ra_import_result *res);

/* ---- reconciliation ------------------------------------------------------------------------- */

/* One difference between the book and a custodian: ticker "" is the cash line; book and custodian
 * in micro-shares (securities) or minor units (cash); a line missing on one side counts as 0. */
typedef struct ra_recon_break {
    char account[RA_CODE_MAX];
    char ticker[RA_CODE_MAX];
    int64_t book, custodian;
} ra_recon_break;

typedef struct ra_recon_result {
    size_t n_compared;        /* (account, ticker) lines compared, either side */
    ra_recon_break *breaks;   /* n_breaks, in (account, ticker) order */
    size_t n_breaks;
} ra_recon_result;

/* Compares the book's positions on `date` (transactions dated on or before it) with the
 * custodian's (any order; sorted in place). Free res with ra_recon_result_free. */
RA_API RA_NODISCARD ra_status ra_book_reconcile(ra_store *s, const char *firm, ra_date date,
                                                ra_position *custodian, size_t n,
                                                ra_recon_result *res, ra_err *err);
RA_API void ra_recon_result_free(ra_recon_result *res);

#ifdef __cplusplus
}
#endif
#endif
