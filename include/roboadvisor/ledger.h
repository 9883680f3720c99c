/* roboadvisor: the ledger core of the book of record (src/core/ledger.c). One account's cash and
 * tax lots, changed only by transactions; pure computation, no I/O.
 * Units: money ra_minor in the account's currency (minor_digits 0, 2 or 3), quantities ra_micro,
 * prices ra_price (money.h). Rounding, relief methods, holding period, splits and the invariant:
 * docs/methodology.md#ledger.
 *
 * Memory: an ra_ledger is a caller-owned struct (ra_ledger_init / ra_ledger_free). Its lot array
 * (and a scratch array of the same capacity) grows through the allocator hooks given to
 * ra_ledger_init (NULL hooks: the C library's realloc/free). Growth happens only in
 * ra_ledger_reserve and before any change inside ra_ledger_apply, so a failed allocation is
 * RA_ENOMEM with the state unchanged. Transactions and results are caller-owned and borrowed. */
#ifndef ROBOADVISOR_LEDGER_H
#define ROBOADVISOR_LEDGER_H

#include "date.h"
#include "money.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A tax lot. Lots with zero quantity do not exist (a lot fully sold or moved out is removed). */
typedef struct ra_lot {
    uint64_t id;         /* unique in the account, assigned 1, 2, 3, ... in order of creation */
    uint32_t security;   /* index into the firm's securities master (opaque here) */
    ra_date acquired;    /* trade date of the purchase (kept through transfers and splits) */
    ra_micro qty_micro;  /* > 0 */
    ra_minor basis_minor;/* cost basis of the whole lot, fees included; >= 0 */
} ra_lot;

typedef enum ra_txn_kind {
    RA_TXN_DEPOSIT = 1,   /* amount_minor > 0 cash in */
    RA_TXN_WITHDRAWAL,    /* amount_minor > 0 cash out */
    RA_TXN_BUY,           /* security, qty_micro, price, fees_minor -> one new lot */
    RA_TXN_SELL,          /* security, qty_micro, price, fees_minor, relief (+ picks) */
    RA_TXN_DIVIDEND,      /* amount_minor > 0 cash in (security recorded, not checked) */
    RA_TXN_REINVEST,      /* dividend amount_minor in, then a buy of qty_micro at price + fees */
    RA_TXN_FEE,           /* amount_minor > 0 cash out (advisory fee, custody fee, ...) */
    RA_TXN_TRANSFER_IN,   /* lots_in: lots arrive with their acquired dates and basis, new ids */
    RA_TXN_TRANSFER_OUT,  /* picks: lots (or parts) leave with their dates and pro-rata basis */
    RA_TXN_SPLIT          /* security, split: every lot's quantity times num/den, basis kept */
} ra_txn_kind;

typedef enum ra_relief {
    RA_RELIEF_FIFO = 0, /* oldest acquired first; same date: lower lot id first */
    RA_RELIEF_HIFO,     /* highest basis per share first; ties: FIFO order */
    RA_RELIEF_SPECIFIC, /* the lots and quantities in picks */
    RA_RELIEF_TAX_AWARE /* a mandate's method only (never a transaction's): the engine picks the
                         * lots (losses first, then long-term, then short-term gains, HIFO within
                         * a class; docs/methodology.md#tax-aware-selling) and sells them as
                         * RA_RELIEF_SPECIFIC */
} ra_relief;

/* A lot chosen by the caller: for a specific-lot sale or a transfer out. */
typedef struct ra_lot_pick {
    uint64_t lot_id;
    ra_micro qty_micro; /* > 0 and <= the lot's quantity */
} ra_lot_pick;

/* One transaction. Fields a kind does not use are ignored (zero them). */
typedef struct ra_txn {
    ra_txn_kind kind;
    uint64_t id;              /* the caller's transaction id, named in error messages */
    ra_date date;             /* trade date; a sale's holding period is measured to it */
    uint32_t security;        /* buy, sell, dividend, reinvest, split */
    ra_micro qty_micro;       /* buy, sell, reinvest: > 0 */
    ra_price price;           /* buy, sell, reinvest: > 0, currency micro-units per share */
    ra_minor amount_minor;    /* deposit, withdrawal, dividend, reinvest, fee: > 0 */
    ra_minor fees_minor;      /* buy, sell, reinvest: >= 0 */
    ra_relief relief;         /* sell */
    const ra_lot_pick *picks; /* sell with RA_RELIEF_SPECIFIC, transfer out: n_picks entries, each
                               * lot at most once, all of txn.security for a sale */
    size_t n_picks;
    const ra_lot *lots_in;    /* transfer in: n_lots_in lots; their id fields are ignored */
    size_t n_lots_in;
    ra_ratio split;           /* split: new shares per old share, num > 0, den > 0 */
} ra_txn;

/* What one lot contributed to a sale (or a transfer out: proceeds and gain 0). */
typedef struct ra_lot_relief {
    uint64_t lot_id;
    uint32_t security;
    ra_date acquired;
    ra_micro qty_micro;     /* quantity taken from the lot */
    ra_minor basis_minor;   /* basis relieved: round(lot basis * qty / lot qty), all if whole lot */
    ra_minor proceeds_minor;/* share of the net proceeds, pro rata to quantity; parts sum exactly */
    ra_minor gain_minor;    /* proceeds_minor - basis_minor */
    int long_term;          /* 1 if held more than one year (docs/methodology.md#holding-period) */
} ra_lot_relief;

/* Optional output of ra_ledger_apply. relief is caller-owned with relief_cap entries (may be NULL
 * with cap 0 when the caller does not want the per-lot detail); if a sale or transfer out relieves
 * more lots than relief_cap and relief is not NULL, the transaction fails with RA_EINVAL and the
 * state is unchanged (at most the number of lots of the security are ever needed). */
typedef struct ra_txn_result {
    ra_lot_relief *relief;
    size_t relief_cap;
    size_t n_relief;          /* lots relieved (filled even when relief is NULL) */
    ra_minor cash_delta_minor;/* change of cash */
    ra_minor gain_short_minor;/* realised by this sale, short term */
    ra_minor gain_long_minor; /* realised by this sale, long term */
    uint64_t first_new_lot_id;/* lots created: ids first_new_lot_id .. + n_new_lots - 1 */
    size_t n_new_lots;
} ra_txn_result;

typedef struct ra_ledger_settings {
    int minor_digits;    /* of the account's currency: 0, 2 or 3 (default 2) */
    int allow_overdraft; /* 0 (default): a transaction that would make cash negative fails */
} ra_ledger_settings;

/* Allocator hooks: realloc_fn(ctx, NULL, n) allocates, realloc_fn(ctx, p, n) grows (n > 0),
 * free_fn(ctx, p) frees; NULL hooks use realloc/free. */
typedef struct ra_ledger_alloc {
    void *(*realloc_fn)(void *ctx, void *ptr, size_t size);
    void (*free_fn)(void *ctx, void *ptr);
    void *ctx;
} ra_ledger_alloc;

/* Running totals since the state was initialised (all exact, in minor units). */
typedef struct ra_ledger_totals {
    ra_minor cash_in_minor;     /* deposits + dividends (incl. reinvested) + net sale proceeds
                                 * (a sale whose fees exceed its value adds a negative amount) */
    ra_minor cash_out_minor;    /* withdrawals + fees + buy costs (value + fees); so that
                                 * cash_minor == cash_in_minor - cash_out_minor always */
    ra_minor basis_in_minor;    /* basis of lots created: buys, reinvests, transfers in */
    ra_minor basis_sold_minor;  /* basis relieved by sales */
    ra_minor basis_out_minor;   /* basis moved out by transfers out */
    ra_minor proceeds_minor;    /* net sale proceeds (value - fees) */
    ra_minor gain_short_minor;  /* realised, short term */
    ra_minor gain_long_minor;   /* realised, long term */
    uint64_t n_txns;            /* transactions applied */
} ra_ledger_totals;

/* An account's position state. Read the fields freely; change them only through the functions. */
typedef struct ra_ledger {
    ra_ledger_settings settings;
    ra_minor cash_minor;
    ra_lot *lots;        /* n_lots lots sorted by (security, acquired, id); owned */
    size_t n_lots;
    size_t cap_lots;
    uint64_t next_lot_id;/* the id the next created lot gets (starts at 1) */
    ra_ledger_totals totals;
    ra_ledger_alloc alloc;
    void *scratch;       /* owned, cap_lots entries, used to plan a sale without allocating */
} ra_ledger;

/* minor_digits 2, no overdraft. */
RA_API void ra_ledger_settings_default(ra_ledger_settings *s);
/* An empty account (no cash, no lots). settings and alloc may be NULL (defaults); RA_EINVAL for
 * invalid settings. Allocates nothing. */
RA_API RA_NODISCARD ra_status ra_ledger_init(ra_ledger *l, const ra_ledger_settings *settings,
                                             const ra_ledger_alloc *alloc, ra_err *err);
/* Frees the lot arrays; the struct can be initialised again. NULL does nothing. */
RA_API void ra_ledger_free(ra_ledger *l);
/* Makes room for at least n_lots lots (optional: apply grows as needed). RA_ENOMEM on failure,
 * with the state unchanged. */
RA_API RA_NODISCARD ra_status ra_ledger_reserve(ra_ledger *l, size_t n_lots, ra_err *err);

/* Loads a stored state into an initialised, empty l (for the store): copies n lots (any order;
 * sorted here), checks ids are unique and below next_lot_id, quantities > 0, bases >= 0; totals
 * may be NULL (zeros). RA_EINVAL naming the first bad lot, RA_ENOMEM; l unchanged on error. Run
 * ra_ledger_check afterwards to prove the stored state matches the stored transactions. */
RA_API RA_NODISCARD ra_status ra_ledger_restore(ra_ledger *l, ra_minor cash_minor,
                                                const ra_lot *lots, size_t n,
                                                uint64_t next_lot_id,
                                                const ra_ledger_totals *totals, ra_err *err);

/* Applies one transaction atomically: on any error the state (cash, lots, totals, next id) is
 * exactly as before. result may be NULL. Errors, each naming the transaction in err->where
 * ("txn 42 (sell 2021-03-04)"): RA_EINVAL for a zero or negative quantity, price or amount,
 * negative fees, a bad ratio, a kind out of range or an amount overflowing 64 bits;
 * RA_ECONFLICT for selling or moving more than held (only lots acquired on or before the
 * transaction's date count), cash going negative without overdraft, a
 * split that would round a lot to zero; RA_ENOTFOUND for a picked lot id that is not held (or
 * belongs to another security); RA_ENOMEM if the lot array could not grow. */
RA_API RA_NODISCARD ra_status ra_ledger_apply(ra_ledger *l, const ra_txn *txn,
                                              ra_txn_result *result, ra_err *err);

/* Rebuilds an account from its transactions: initialises *out (settings, alloc as for
 * ra_ledger_init) and applies txns[0..n) in order. On error *out is freed (nothing to free by the
 * caller) and err names the transaction that failed. On success the caller frees *out. */
RA_API RA_NODISCARD ra_status ra_ledger_replay(const ra_txn *txns, size_t n,
                                               const ra_ledger_settings *settings,
                                               const ra_ledger_alloc *alloc, ra_ledger *out,
                                               ra_err *err);

/* The invariant: replays txns (with l's settings and allocator; memory is freed before return)
 * and compares with l. RA_OK if cash, every lot (id, security, date, quantity, basis), the next
 * lot id and the totals are exactly what the transactions imply; RA_ECONFLICT naming the first
 * difference otherwise ("cash is 100.00 but the transactions imply 99.99", "lot 7 quantity ...");
 * a replay failure is returned as is. */
RA_API RA_NODISCARD ra_status ra_ledger_check(const ra_ledger *l, const ra_txn *txns, size_t n,
                                              ra_err *err);

/* Stable lower-case name of a kind ("buy", "transfer_in", ...); "?" if out of range. */
RA_API const char *ra_ledger_kind_name(ra_txn_kind kind);

/* 1 if a lot acquired on `acquired` and sold on `sold` is long term: sold on or after the same
 * calendar day one year after the day following acquisition (Feb 29 -> Mar 1), i.e. held more than
 * one year counting from the day after acquisition (IRS Publication 550). */
RA_API int ra_ledger_is_long_term(ra_date acquired, ra_date sold);

#ifdef __cplusplus
}
#endif
#endif
