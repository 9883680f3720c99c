/* roboadvisor: a seeded generator of a realistic demo book (src/engine/bookgen.c).
 *
 * From a seed, a shelf of securities and their real daily closes and dividends, it builds a sample
 * firm ("DEMO"), advisors, households, clients (fictitious personal data), 1-3 accounts per client
 * with mandates, and each account's transaction history: an initial deposit, monthly
 * contributions, buys at the day's close (fractional micro-shares or whole shares), dividends on
 * their ex-dates (some reinvested), quarterly advisory fees, annual rebalancing sales (FIFO or
 * HIFO), sales to pay fees and occasional withdrawals. Every transaction is applied to a ledger as
 * it is generated, so each account's list replays (ra_ledger_replay) without overdraft or
 * overselling. Money and quantities are integers throughout (no floating point decides an amount),
 * so the same seed and inputs give the same book, byte for byte, on every build.
 *
 * Codes (stable, derived from indices): firm "DEMO", advisors "ADV001", households "H000001",
 * clients "C000001", accounts "A000001-1" (client number, account ordinal), transactions
 * "A000001-1-000001" (account code, sequence in the account). No I/O here: the caller reads the
 * files (the parse helpers below take bytes) and writes the book wherever it wants.
 * docs/methodology.md describes every rule and default. */
#ifndef ROBOADVISOR_BOOKGEN_H
#define ROBOADVISOR_BOOKGEN_H

#include "book.h"
#include "csv.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_BOOKGEN_DEFAULT_CLIENTS 300
#define RA_BOOKGEN_DEFAULT_SEED 1
#define RA_BOOKGEN_MAX_CLIENTS 1000000
#define RA_BOOKGEN_DEFAULT_YEARS 5   /* history length when the window is not given */
#define RA_BOOKGEN_DEFAULT_FEE_BP 25 /* advisory fee, basis points of the account value a year */
#define RA_BOOKGEN_EXT_ID_MAX RA_CODE_MAX

typedef struct ra_bookgen_settings {
    uint64_t seed;
    size_t n_clients;     /* 1..RA_BOOKGEN_MAX_CLIENTS */
    ra_date start, end;   /* history window, inclusive; 0 and 0: the RA_BOOKGEN_DEFAULT_YEARS
                           * years ending on the last market date */
    int fee_bp_per_year;  /* advisory fee, 0..300 basis points a year, charged quarterly */
} ra_bookgen_settings;

/* The market the book trades on. All borrowed. */
typedef struct ra_bookgen_market {
    const ra_security *securities; /* the shelf, n_securities entries; lot_size must be 1 */
    size_t n_securities;
    const ra_date *dates;          /* n_dates trading days, strictly increasing */
    size_t n_dates;
    const ra_price *close;         /* n_dates * n_securities, row-major; 0 = no price that day */
    const ra_dividend *dividends;  /* cash per share in the same share units as close (i.e.
                                    * split-adjusted like the prices); any order; tickers not on
                                    * the shelf are ignored */
    size_t n_dividends;
} ra_bookgen_market;

/* The generated book. Library-allocated by ra_bookgen_create, freed by ra_bookgen_destroy.
 * txns[i].security indexes securities; txns[i].id is i + 1; no transaction uses picks or lots_in.
 * Account a's transactions are txns[txn_first[a] .. txn_first[a + 1]), in date order: apply them
 * in that order. */
typedef struct ra_bookgen_book {
    ra_firm firm;
    ra_advisor *advisors;
    size_t n_advisors;
    ra_security *securities; /* copy of the shelf */
    size_t n_securities;
    ra_client *clients;
    size_t n_clients;
    size_t n_households;
    ra_account *accounts;
    size_t n_accounts;
    ra_txn *txns;
    size_t n_txns;
    size_t *txn_first;                            /* n_accounts + 1 offsets into txns */
    char (*txn_ext_id)[RA_BOOKGEN_EXT_ID_MAX];    /* n_txns external ids */
    size_t n_by_kind[RA_TXN_SPLIT + 1];           /* transactions of each ra_txn_kind */
    ra_date first_date, last_date;                /* of the transactions */
    ra_minor deposits_minor, withdrawals_minor;   /* totals over the book */
    ra_minor dividends_minor, fees_minor;
    ra_minor cash_minor;                          /* cash of all accounts at the end */
    ra_minor value_minor;                         /* holdings at the close of value_date + cash */
    ra_date value_date;                           /* the last market date of the window */
} ra_bookgen_book;

/* seed RA_BOOKGEN_DEFAULT_SEED, RA_BOOKGEN_DEFAULT_CLIENTS clients, default window and fee. */
RA_API void ra_bookgen_settings_default(ra_bookgen_settings *s);

/* Generates the book. RA_EINVAL naming the value for bad settings (window outside the market,
 * fewer than 2 trading days in it, lot size other than 1, a shelf without a security that has a
 * price in the first half of the window), RA_ENOMEM; RA_EINTERNAL if a generated transaction does
 * not apply (a bug). *out is NULL on error. */
RA_API RA_NODISCARD ra_status ra_bookgen_create(const ra_bookgen_settings *s,
                                                const ra_bookgen_market *m,
                                                ra_bookgen_book **out, ra_err *err);
RA_API void ra_bookgen_destroy(ra_bookgen_book *b);

/* A shelf from an ETF description file "Ticker,Fund Name,Geographic Focus,Fund Type" (the layout
 * of aa_etf_descriptions.csv): asset class, risk level R1-R5 and tax-loss-harvesting group from
 * the focus, type and name; lot size 1, currency USD, exchange "US", on the shelf, expense ratio 0
 * (the file has none). *out is malloc'd (free it), *n its entries. RA_EPARSE naming line and
 * field. */
RA_API RA_NODISCARD ra_status ra_bookgen_shelf_parse(const char *data, size_t size,
                                                     const char *source, ra_security **out,
                                                     size_t *n, ra_err *err);

/* Long event files "Date,Ticker,value" (av_etf_dividends.csv, av_etf_splits.csv): dividends in
 * price micro-units per share, splits as ra_ratio (ra_money_ratio_from_double). malloc'd arrays;
 * RA_EPARSE naming line and field. */
RA_API RA_NODISCARD ra_status ra_bookgen_dividends_parse(const char *data, size_t size,
                                                         const char *source, ra_dividend **out,
                                                         size_t *n, ra_err *err);
RA_API RA_NODISCARD ra_status ra_bookgen_splits_parse(const char *data, size_t size,
                                                      const char *source, ra_split **out,
                                                      size_t *n, ra_err *err);

/* Puts dividends in the share units of split-adjusted prices: an amount paid before a split of
 * the same ticker is divided by the ratio of every later split (ex_date < split date), rounded
 * once, ties to even. Amounts that round to 0 stay 0 (the generator skips them). In place. */
RA_API RA_NODISCARD ra_status ra_bookgen_dividends_adjust(ra_dividend *divs, size_t n,
                                                          const ra_split *splits, size_t n_splits,
                                                          ra_err *err);

/* The close matrix of the shelf from a wide price series: column of each shelf ticker, value
 * rounded to micro-units (ties away from zero), an empty cell or a value <= 0 gives 0 (no price).
 * *close is malloc'd, s->n_rows * n rows-major. RA_ENOTFOUND naming a shelf ticker missing from
 * the series. */
RA_API RA_NODISCARD ra_status ra_bookgen_close_from_series(const ra_series *prices,
                                                           const ra_security *shelf, size_t n,
                                                           ra_price **close, ra_err *err);

/* ---- the demo's market files and writing the book (src/engine/bookgen_store.c) ------------- */

/* The market files of the shared data directory, read and parsed: the shelf
 * (aa_etf_descriptions.csv), the split-adjusted closes (aa_etf_prices.csv), the dividends
 * (av_etf_dividends.csv, adjusted to the closes' share units with av_etf_splits.csv). */
typedef struct ra_bookgen_data {
    ra_security *shelf;
    size_t n_shelf;
    ra_series *prices;
    ra_price *close;       /* prices->n_rows * n_shelf, row-major */
    ra_dividend *divs;
    size_t n_divs;
    ra_split *splits;
    size_t n_splits;
} ra_bookgen_data;

#define RA_BOOKGEN_MAX_DATA_BYTES (256u << 20) /* a market file larger than this is refused */

/* Reads the four files of dir into *d (zeroed first; ra_bookgen_data_free on success and
 * error). RA_EIO / RA_EPARSE naming the file. */
RA_API RA_NODISCARD ra_status ra_bookgen_data_load(const char *dir, ra_bookgen_data *d,
                                                   ra_err *err);
RA_API void ra_bookgen_data_free(ra_bookgen_data *d);
/* The market view of the data for ra_bookgen_create (borrows d). */
RA_API void ra_bookgen_data_market(const ra_bookgen_data *d, ra_bookgen_market *m);

typedef struct ra_bookgen_write_stats {
    size_t prices;         /* price observations put (from the book's first date on) */
    size_t dividends;      /* dividends put (shelf tickers, within the price history) */
    size_t txns_applied;   /* transactions new to the store */
    size_t txns_unchanged; /* transactions already stored identically */
} ra_bookgen_write_stats;

/* Writes the generated book and its market data into the store in one write scope of actor->firm
 * (the firm's key must be set): firm, advisors, securities, prices and dividends from
 * b->first_date, clients, accounts, then every transaction in batches. Idempotent: writing the
 * same book again changes nothing. On error nothing is written. */
RA_API RA_NODISCARD ra_status ra_bookgen_write(ra_store *s, const ra_store_actor *actor,
                                               const ra_bookgen_data *d,
                                               const ra_bookgen_book *b,
                                               ra_bookgen_write_stats *stats, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
