/* roboadvisor: the daily cycle's records in the book (store layer; src/store/store_cycle.c,
 * schema src/store/migrations/0006_cycle.sql): what a day's run reads in one pass (ra_cycle_book),
 * and what it writes per account (its daily value, its proposal with trades, its orders, and the
 * transactions of the day: dividends, splits, fills) in one database transaction per batch.
 * An account is done for a day when its daily value is stored: a re-run skips it, so a run killed
 * at any moment finishes the day with every account processed exactly once.
 *
 * Units: money ra_minor of the account's currency, quantities ra_micro, prices ra_price. Ids are
 * deterministic: proposal "P-YYYY-MM-DD-ACCOUNT" (a re-evaluation after a rejection adds "-2",
 * "-3", ...), order "PROPOSAL-N" (N the trade's number). */
#ifndef ROBOADVISOR_STORE_CYCLE_H
#define ROBOADVISOR_STORE_CYCLE_H

#include "ledger.h"
#include "models.h"
#include "store.h"
#include "washsale.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_CYCLE_ID_MAX 96       /* proposal and order ids, bytes incl. NUL */
#define RA_CYCLE_STATUS_MAX 16
#define RA_CYCLE_VERSION_MAX 48  /* the engine's version: "0.1.0+COMMIT" */
#define RA_CYCLE_REASON_MAX 256
#define RA_CYCLE_CUTS_MAX 512    /* a proposal's firm-rule cuts, text (ra_cycle_proposal) */

/* --- what a day's run reads --------------------------------------------------------------------- */

/* A security of the firm on day D. */
typedef struct ra_cycle_security {
    char ticker[RA_CODE_MAX];
    char asset_class[RA_CODE_MAX];
    char tlh_group[RA_CODE_MAX];
    int risk_level;
    int on_shelf;
    int64_t lot_size;                 /* whole shares per lot */
    ra_price price;                   /* the close on D; 0 when there is none */
    ra_price dividend;                /* cash per share with ex-date D, 0 none */
    ra_ratio split;                   /* effective D (den 0: none) */
} ra_cycle_security;

/* An account of the firm, its lots lots[lot_start .. lot_start + n_lots) of the book. */
typedef struct ra_cycle_account {
    char code[RA_CODE_MAX];
    int64_t id;                       /* the store's row id (ra_cycle_account_day.account_id) */
    uint32_t household;               /* index of the household (0.. in order) */
    uint8_t type;                     /* ra_account_type */
    uint8_t done;                     /* 1: a daily value for D is stored already */
    int32_t model;                    /* index into models, -1 none */
    const ra_mandate *mandate;        /* its mandate on D: one of the book's distinct mandates
                                       * (most accounts share one: kept once, not per account) */
    ra_minor cash_minor;              /* now (after every stored transaction) */
    uint64_t next_lot_id;             /* the id the account's next lot gets */
    ra_minor prev_value_minor;        /* the value stored by the firm's previous run, -1 none */
    ra_minor flow_minor;              /* deposits - withdrawals stored with date D */
    ra_minor withdraw_minor;          /* instructed withdrawals due by D, not paid yet */
    ra_minor ytd_gain_minor;          /* net gains realised from 1 January to D-1 (read only when
                                       * a mandate of the firm has a gain budget) */
    uint32_t lot_start, n_lots;
} ra_cycle_account;

/* The last loss sale and the last purchase (buy, reinvest, transfer in) of a security within
 * the wash-sale window before D (0 none) in any account of a household. */
typedef struct ra_cycle_wash {
    uint32_t household, sec;
    ra_date last_loss, last_buy;
} ra_cycle_wash;

/* The firm's book for day D (ra_cycle_book_destroy). Securities in ticker order; accounts grouped
 * by household (household code, then account code), so that a household's accounts are processed
 * together (its wash-sale windows); lots by account, then lot id, their `security` the index of
 * the book's security (not the store's id). */
typedef struct ra_cycle_book {
    ra_date date;
    int minor_digits;                 /* of the firm's currency */
    size_t n_sec;
    ra_cycle_security *sec;
    size_t n_acc;
    ra_cycle_account *acc;
    size_t n_lots;
    ra_lot *lots;
    size_t n_models;
    ra_model *models;                 /* the versions the accounts are assigned to */
    size_t n_wash;                    /* by household, then security */
    ra_cycle_wash *wash;
    size_t n_mandates;                /* the distinct mandates the accounts point to */
    ra_mandate *mandates;
    size_t bytes;                     /* memory held, struct included */
} ra_cycle_book;

/* Loads the firm's book for day `date` with wash-sale windows of window_days calendar days.
 * RA_ENOTFOUND for an unknown firm. */
RA_API RA_NODISCARD ra_status ra_store_cycle_book_load(ra_store *s, const char *firm,
                                                       ra_date date, int window_days,
                                                       ra_cycle_book **out, ra_err *err);
/* The same with flags: RA_CYCLE_LOAD_ALL_LOTS reads the lots of the accounts done for the day too
 * (ra_store_cycle_book_load leaves them out: a re-run does not need them; a re-evaluation of a
 * done account does). */
#define RA_CYCLE_LOAD_ALL_LOTS 1u
RA_API RA_NODISCARD ra_status ra_store_cycle_book_load_ex(ra_store *s, const char *firm,
                                                          ra_date date, int window_days,
                                                          unsigned flags, ra_cycle_book **out,
                                                          ra_err *err);
RA_API void ra_cycle_book_destroy(ra_cycle_book *b);

/* --- what it writes ----------------------------------------------------------------------------- */

typedef struct ra_cycle_pick {
    uint64_t lot_id;
    ra_micro qty_micro;
} ra_cycle_pick;

typedef struct ra_cycle_trade {
    int n;                            /* 1, 2, ... within the proposal */
    char ticker[RA_CODE_MAX];
    int side;                         /* +1 buy, -1 sell */
    ra_micro qty_micro;
    ra_price price;                   /* the price the proposal used */
    ra_date price_date;               /* and the date of that price */
    ra_minor value_minor;
    unsigned reasons;                 /* RA_REASON_* (rebal.h) */
    ra_minor gain_short_minor;        /* estimated, sales */
    ra_minor gain_long_minor;
    int risk_level;                   /* the security's, 1..5 */
    char status[RA_CYCLE_STATUS_MAX]; /* "proposed", "approved", "rejected" */
    size_t first_pick, n_picks;       /* the lots a sale relieves, in the proposal's picks */
} ra_cycle_trade;

typedef struct ra_cycle_proposal {
    char id[RA_CYCLE_ID_MAX];
    char account[RA_CODE_MAX];
    ra_date date;
    char status[RA_CYCLE_STATUS_MAX]; /* "pending", "confirming" (approved by the advisor, waiting
                                       * for the client's confirmation), "approved", "rejected",
                                       * "executed", "lapsed" (a pending one replaced by a later
                                       * day's proposal, or not confirmed by the next day) */
    int discretionary;
    char engine_version[RA_CYCLE_VERSION_MAX];
    char config_hash[65];             /* BLAKE2b-256 hex of the settings and mandate used */
    ra_minor value_minor;             /* the account's value the proposal was made on */
    double drift_before, drift_after; /* half the sum of |weight - target| */
    double max_dev_before, max_dev_after;
    unsigned held_back;               /* RA_HELD_* (rebal.h) */
    char supersedes[RA_CYCLE_ID_MAX]; /* the rejected proposal this one re-evaluates, "" none */
    char decided_by[RA_CODE_MAX];     /* who approved or rejected it, "" not yet */
    char decided_reason[RA_CYCLE_REASON_MAX];
    char firm_cuts[RA_CYCLE_CUTS_MAX]; /* what the firm rules cut ("" nothing): "RULE TICKER SIDE
                                       * QTY VALUE" per cut, "; " between (docs/cli.md) */
    size_t n_trades;
    ra_cycle_trade *trades;
    size_t n_picks;
    ra_cycle_pick *picks;
} ra_cycle_proposal;

typedef struct ra_cycle_order {
    char id[RA_CYCLE_ID_MAX];
    char account[RA_CODE_MAX];
    char proposal[RA_CYCLE_ID_MAX];
    int trade_n;
    ra_date date;
    char ticker[RA_CODE_MAX];
    int side;                         /* +1 buy, -1 sell */
    ra_micro qty_micro;
    ra_price limit_price;             /* 0: at market (the close) */
    ra_micro filled_micro;
    char status[RA_CYCLE_STATUS_MAX]; /* "open", "partial", "filled", "cancelled" */
} ra_cycle_order;

typedef struct ra_cycle_value {
    char account[RA_CODE_MAX];
    ra_date date;
    ra_minor value_minor;             /* cash + holdings at the day's closes, after the day */
    ra_minor cash_minor;
    ra_minor flow_minor;              /* deposits - withdrawals of the day */
    double twr;                       /* (value - flow) / previous value - 1; NAN: no previous */
    double drift, max_dev;            /* after the day's trades (before them when none filled) */
    int out_of_band;
    unsigned held_back;
} ra_cycle_value;

/* One account's day: the transactions before the proposal (dividends, splits), the value, the
 * proposal (NULL: none), its orders, and the transactions after it (fills at the close). */
typedef struct ra_cycle_account_day {
    int64_t account_id;               /* the account's row id from the day's book
                                       * (ra_cycle_account.id, of the actor's firm: trusted, not
                                       * checked), 0: looked up by value.account */
    const ra_store_txn *before;
    size_t n_before;
    ra_cycle_value value;
    const ra_cycle_proposal *proposal;
    const ra_cycle_order *orders;
    size_t n_orders;
    const ra_store_txn *fills;
    size_t n_fills;
    ra_minor withdrawal_minor;        /* paid today toward the account's withdrawal instructions
                                       * (oldest due first): withdrawal transactions "wd-N-DATE"
                                       * written after the fills */
    const struct ra_risk_crossing *risk; /* NULL, or a crossing of the account's loss limit to
                                          * record (store_risk.h) */
    const struct ra_tiers_day *tiers; /* NULL, or the account's tier move, behaviour alerts and
                                       * drawdown peak to record (store_tiers.h) */
} ra_cycle_account_day;

/* Writes n account-days in one write scope: all or nothing. An account whose daily value for the
 * day is stored already is skipped whole (*skipped counts them; may be NULL). Transactions go
 * through ra_store_txn_append (audited); each proposal is audited (entity "proposal", action
 * "propose") with its trades and orders. An account's older pending proposals lapse (action
 * "lapse"). */
RA_API RA_NODISCARD ra_status ra_store_cycle_put(ra_store *s, const ra_store_actor *actor,
                                                 const ra_cycle_account_day *days, size_t n,
                                                 size_t *skipped, ra_err *err);

/* Stores one proposal without a day (a re-evaluation after a rejection: no orders, pending),
 * audited (entity "proposal", action "propose"). */
RA_API RA_NODISCARD ra_status ra_store_proposal_put(ra_store *s, const ra_store_actor *actor,
                                                    const ra_cycle_proposal *p, ra_err *err);

/* Records the run of a day (upsert: counts and finished flag of the latest run). */
RA_API RA_NODISCARD ra_status ra_store_cycle_run_put(ra_store *s, const ra_store_actor *actor,
                                                     ra_date date, const char *engine_version,
                                                     const char *config_hash, int64_t accounts,
                                                     int64_t proposals, int64_t orders,
                                                     int finished, ra_err *err);

/* --- reading and deciding ----------------------------------------------------------------------- */

/* Filters of the lists: date 0, account "" or status "" mean any. */
typedef struct ra_cycle_filter {
    ra_date date;
    const char *account;
    const char *status;
} ra_cycle_filter;

/* Proposals of the firm by date then id, with their trades and picks (one block each:
 * ra_cycle_proposals_free). */
RA_API RA_NODISCARD ra_status ra_store_proposals_list(ra_store *s, const char *firm,
                                                      const ra_cycle_filter *f,
                                                      ra_cycle_proposal **out, size_t *n,
                                                      ra_err *err);
RA_API RA_NODISCARD ra_status ra_store_proposal_get(ra_store *s, const char *firm, const char *id,
                                                    ra_cycle_proposal *out, ra_err *err);
RA_API void ra_cycle_proposals_free(ra_cycle_proposal *p, size_t n);
/* Frees the trades and picks of one proposal read by ra_store_proposal_get. */
RA_API void ra_cycle_proposal_clear(ra_cycle_proposal *p);

/* Decides a pending proposal: approve (approve 1) or reject the trades numbered in trades[0..n)
 * (n 0: all of them). An approval creates the orders of the approved trades (ids as above, dated
 * the proposal's day); the proposal becomes "approved" (or "rejected" when every trade is).
 * A decision on a proposal that is not pending is RA_ECONFLICT naming its status; an unknown trade
 * number RA_EINVAL. Audited with the actor and the reason (entity "proposal", action "approve" or
 * "reject"). *orders_made may be NULL. */
RA_API RA_NODISCARD ra_status ra_store_proposal_decide(ra_store *s, const ra_store_actor *actor,
                                                       const char *id, int approve,
                                                       const int *trades, size_t n,
                                                       const char *reason, size_t *orders_made,
                                                       ra_err *err);

/* The client's answer to a proposal an advisor approved under a mandate that asks for the
 * client's confirmation (status "confirming"): confirm 1 creates the orders of the approved trades
 * (funded as in ra_store_proposal_decide) and the proposal becomes "approved"; confirm 0 (the
 * client declines) rejects them and the proposal becomes "rejected". RA_ECONFLICT when the
 * proposal is not "confirming". Audited (action "confirm" or "decline") with the actor and the
 * reason. *orders_made may be NULL. */
RA_API RA_NODISCARD ra_status ra_store_proposal_confirm(ra_store *s, const ra_store_actor *actor,
                                                        const char *id, int confirm,
                                                        const char *reason, size_t *orders_made,
                                                        ra_err *err);
/* The firm's proposals of days before `day` still waiting for the client's confirmation lapse
 * (each audited, action "lapse"); *n counts them. The cycle calls it as a day begins. */
RA_API RA_NODISCARD ra_status ra_store_proposals_lapse_unconfirmed(ra_store *s,
                                                                   const ra_store_actor *actor,
                                                                   ra_date day, size_t *n,
                                                                   ra_err *err);

/* Orders of the firm by date then id (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_orders_list(ra_store *s, const char *firm,
                                                   const ra_cycle_filter *f,
                                                   ra_cycle_order **out, size_t *n, ra_err *err);
/* Cancels what is not filled of order id (open or partial), audited (entity "proposal", action
 * "cancel") with the reason; later fills of it are refused. RA_ECONFLICT for a filled or
 * cancelled order, RA_ENOTFOUND for none. */
RA_API RA_NODISCARD ra_status ra_store_order_cancel(ra_store *s, const ra_store_actor *actor,
                                                    const char *id, const char *reason,
                                                    ra_err *err);
/* Records a fill of qty at price on date for order id: the order's filled quantity and status
 * are updated and the trade is appended to the account's transactions (external id
 * "fill-YYYY-MM-DD-N-F" for trade N of the day's proposal P-YYYY-MM-DD-ACCOUNT, and
 * "fill-YYYY-MM-DD-K.N-F" for trade N of its re-evaluation P-YYYY-MM-DD-ACCOUNT-K; F counts the
 * order's fills). An unknown order is RA_ENOTFOUND; a fill over the order's quantity, or for a
 * cancelled or filled order, RA_ECONFLICT. */
RA_API RA_NODISCARD ra_status ra_store_order_fill(ra_store *s, const ra_store_actor *actor,
                                                  const char *id, ra_micro qty_micro,
                                                  ra_price price, ra_minor fees_minor,
                                                  ra_date date, ra_err *err);

/* The sequence numbers (ra_txn.id) of account's sales that filled an approved trade proposed
 * with the reason tlh: its harvests (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_harvest_sales(ra_store *s, const char *firm,
                                                     const char *account, uint64_t **seqs,
                                                     size_t *n, ra_err *err);

/* --- the firm's wash-sale window ---------------------------------------------------------------- */

/* The firm's wash-sale window in calendar days (RA_WASH_WINDOW_DAYS_US, 30, when never set). */
RA_API RA_NODISCARD ra_status ra_store_firm_wash_window(ra_store *s, const char *firm, int *days,
                                                        ra_err *err);
/* Sets it (0..RA_WASH_WINDOW_DAYS_MAX, else RA_EINVAL), audited (entity "firm_settings", action
 * "set"). */
RA_API RA_NODISCARD ra_status ra_store_firm_wash_window_set(ra_store *s,
                                                            const ra_store_actor *actor,
                                                            int days, ra_err *err);

/* --- withdrawal instructions ------------------------------------------------------------------ */

#define RA_INSTRUCTION_NOTE_MAX 256

/* An instructed withdrawal: the engine never moves money out of an account on its own. The cycle
 * raises the cash from the day it is due and pays it as withdrawal transactions "wd-N-DATE"; the
 * amount paid is their sum. */
typedef struct ra_instruction {
    char code[RA_CYCLE_ID_MAX];       /* "W-ACCOUNT-N" */
    char account[RA_CODE_MAX];
    int n;                            /* 1, 2, ... within the account */
    char kind[16];                    /* "withdrawal" */
    ra_minor amount_minor;            /* > 0 */
    ra_date due;                      /* the cycle pays it from this day on */
    char source[16];                  /* "client" or "firm": who instructed it */
    char note[RA_INSTRUCTION_NOTE_MAX];
    char user[RA_CODE_MAX];           /* who recorded it */
    int64_t created_at;
    ra_minor paid_minor;              /* paid so far */
    char status[RA_CYCLE_STATUS_MAX]; /* "pending", "partial", "paid", "cancelled" */
    char cancelled_by[RA_CODE_MAX];
    char cancelled_reason[RA_INSTRUCTION_NOTE_MAX];
} ra_instruction;

/* Records a withdrawal instruction for account: amount > 0 in the account's minor units, due on
 * `due`, source "client" or "firm"; *code_out (may be NULL) its code. Audited (entity
 * "instruction", action "instruct"). RA_EINVAL for a bad amount or source, RA_ENOTFOUND for an
 * unknown account. */
RA_API RA_NODISCARD ra_status ra_store_withdrawal_put(ra_store *s, const ra_store_actor *actor,
                                                      const char *account, ra_minor amount_minor,
                                                      ra_date due, const char *source,
                                                      const char *note,
                                                      char code_out[RA_CYCLE_ID_MAX],
                                                      ra_err *err);
/* The firm's instructions (account "" or NULL: every account; status likewise), by account code
 * then number (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_instructions_list(ra_store *s, const char *firm,
                                                         const char *account, const char *status,
                                                         ra_instruction **out, size_t *n,
                                                         ra_err *err);
/* Cancels what is not paid of instruction `code` (audited, action "cancel", with the reason).
 * RA_ECONFLICT when it is paid or cancelled already; RA_ENOTFOUND when there is none. */
RA_API RA_NODISCARD ra_status ra_store_instruction_cancel(ra_store *s,
                                                          const ra_store_actor *actor,
                                                          const char *code, const char *reason,
                                                          ra_err *err);

/* For a replay of day `day`: inside the caller's transaction (which the caller rolls back; a
 * rewind outside one is RA_EINVAL), the firm's book is put back as it was when the cycle began
 * that day: the cycle's own transactions of the day (dividends, splits, the fills of the day's
 * orders) and every transaction after it removed, the day's and later proposals, orders, daily
 * values and runs removed, fills of earlier orders after the day undone, the latest lapsed
 * proposal of an account pending again, and every account's lots and cash replayed from its
 * remaining transactions. Audit records are not written: the state is never committed. */
RA_API RA_NODISCARD ra_status ra_store_cycle_rewind(ra_store *s, const ra_store_actor *actor,
                                                    ra_date day, ra_err *err);

/* Daily values of an account, by date (ra_store_free). from/to inclusive (0: open). */
RA_API RA_NODISCARD ra_status ra_store_daily_values(ra_store *s, const char *firm,
                                                    const char *account, ra_date from, ra_date to,
                                                    ra_cycle_value **out, size_t *n, ra_err *err);


/* --- several workers on one day (PostgreSQL; src/store/store_workers.c, schema
 * src/store/migrations/0009_workers.sql) ------------------------------------------------------ */

/* A batch of a day: the accounts [first_ix, end_ix) of the book (household order), whole
 * households, first_account and last_account the codes of its first and last. */
typedef struct ra_cycle_batch {
    int64_t n;
    size_t first_ix, end_ix;
    char first_account[RA_CODE_MAX];
    char last_account[RA_CODE_MAX];
} ra_cycle_batch;

/* Inside the caller's transaction (RA_EINVAL outside one): locks the firm's day for planning
 * (PostgreSQL: the firm's row FOR NO KEY UPDATE, until the transaction ends; SQLite: its write
 * lock) and says whether the day's batches are stored (*planned 1). */
RA_API RA_NODISCARD ra_status ra_store_cycle_plan_lock(ra_store *s, const ra_store_actor *actor,
                                                       ra_date date, int *planned, ra_err *err);
/* Inside the caller's transaction: stores the day's batches b[0..n) (numbers b[i].n). */
RA_API RA_NODISCARD ra_status ra_store_cycle_plan_put(ra_store *s, const ra_store_actor *actor,
                                                      ra_date date, const ra_cycle_batch *b,
                                                      size_t n, ra_err *err);
/* Inside the caller's transaction: claims the lowest-numbered batch of the day not done and not
 * claimed by another open transaction (PostgreSQL: FOR UPDATE SKIP LOCKED; the claim holds
 * until the transaction ends, and a rolled-back or killed one frees it). *found 0: none left. */
RA_API RA_NODISCARD ra_status ra_store_cycle_batch_claim(ra_store *s, const ra_store_actor *actor,
                                                         ra_date date, ra_cycle_batch *out,
                                                         int *found, ra_err *err);
/* Inside the caller's transaction: marks batch n of the day done by `worker`. */
RA_API RA_NODISCARD ra_status ra_store_cycle_batch_done(ra_store *s, const ra_store_actor *actor,
                                                        ra_date date, int64_t n,
                                                        const char *worker, ra_err *err);
/* The day's batches not done (*left; -1 when the day has none stored) and the day's proposals
 * and orders (counted in the book). */
RA_API RA_NODISCARD ra_status ra_store_cycle_day_counts(ra_store *s, const char *firm,
                                                        ra_date date, int64_t *left,
                                                        int64_t *proposals, int64_t *orders,
                                                        ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
