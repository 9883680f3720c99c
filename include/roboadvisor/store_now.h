/* roboadvisor store: an account's current state as the ledger's writes keep it (the accounts
 * row's cash and the lots table, written in the same transaction as every ledger write and
 * compared with a replay of the transactions by `check`), read without replaying anything: the
 * API's account summary (src/engine/account_view.c, ra_account_view_current). src/store/store_now.c. */
#ifndef ROBOADVISOR_STORE_NOW_H
#define ROBOADVISOR_STORE_NOW_H

#include "store.h"
#include "store_cycle.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ra_store_position_now {
    char ticker[RA_CODE_MAX];
    char asset_class[RA_CODE_MAX];
    ra_micro qty_micro;          /* the sum of its open lots, > 0 */
} ra_store_position_now;

typedef struct ra_store_account_now {
    ra_minor cash_minor;
    int minor_digits;            /* the account's */
    ra_date last_txn_day;        /* the latest day of its transactions, 0 none */
    ra_date last_valued_day;     /* the latest day the cycle valued it, 0 none */
    ra_date date;                /* the summary's day: last_valued_day, or today when 0 */
    char proposal[RA_CYCLE_ID_MAX]; /* its latest pending proposal on or before date, "" none */
    size_t n;                    /* positions, in ticker order */
    ra_store_position_now *pos;  /* ra_store_free */
} ra_store_account_now;

/* Account `account` of firm `firm` as stored now (today: the day when the cycle never valued
 * it). RA_ENOTFOUND for an unknown account. Three statements, each prepared once per connection
 * and answered from an index. */
RA_API RA_NODISCARD ra_status ra_store_account_now_get(ra_store *s, const char *firm,
                                                       const char *account, ra_date today,
                                                       ra_store_account_now *out, ra_err *err);

/* The account's positions alone (its lots summed by security, in ticker order; none for an
 * unknown account): *pos ra_store_free'd by the caller. One cached statement. */
RA_API RA_NODISCARD ra_status ra_store_account_positions(ra_store *s, const char *firm,
                                                         const char *account,
                                                         ra_store_position_now **pos, size_t *n,
                                                         ra_err *err);

/* What the account's summary depends on, for a cache of it (the API server's): *head the audit
 * trail's last sequence number (every write to the book appends to it, so an unchanged head
 * means unchanged ledger, prices, models, mandates, proposals and scopes) and *last_valued the
 * account's latest valued day (the cycle's daily values are not audited records). One cached
 * statement. head may be NULL: the caller read ra_store_book_version in the same read
 * transaction (the server does, to check the key first). RA_ENOTFOUND for an unknown account. */
RA_API RA_NODISCARD ra_status ra_store_account_version(ra_store *s, const char *firm,
                                                       const char *account, int64_t *head,
                                                       ra_date *last_valued, ra_err *err);

/* The audit trail's last sequence number alone: the book's version (every write appends to the
 * trail), for caches of what only audited writes change (the server's verified keys). */
RA_API RA_NODISCARD ra_status ra_store_book_version(ra_store *s, int64_t *head, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
