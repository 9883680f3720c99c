/* roboadvisor: the daily cycle (engine layer; src/engine/cycle.c). One call runs a firm's trading
 * day: open orders of earlier days filled at the close (with execute_close), then every account,
 * household by household: splits and dividends of the day applied, marked to market, a proposal
 * from ra_rebal_propose (core/rebal.h) against its personalised target with the household's
 * wash-sale windows, orders for a discretionary account, fills at the close (execute_close), and
 * the day's value and time-weighted return recorded. Accounts are written in batches, each in one
 * database transaction; an account already done for the day is skipped, so a killed run is
 * finished by running the day again. Method: docs/methodology.md#the-daily-cycle. */
#ifndef ROBOADVISOR_ENGINE_CYCLE_H
#define ROBOADVISOR_ENGINE_CYCLE_H

#include "objective.h"
#include "rebal.h"
#include "store_cycle.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_CYCLE_DEFAULT_BATCH 256       /* accounts per database transaction */
#define RA_CYCLE_DEFAULT_WINDOW_DAYS 30  /* the wash-sale window, calendar days (IRS Pub. 550) */
#define RA_CYCLE_N_REASONS 8             /* the RA_REASON_* bits */
#define RA_CYCLE_MAX_THREADS 256         /* ra_cycle_options.threads at most */

typedef struct ra_cycle_options {
    ra_date date;
    int execute_close;          /* 1: fill every order of the day (and older open ones) at D's close */
    size_t batch;               /* accounts per transaction (default RA_CYCLE_DEFAULT_BATCH) */
    unsigned threads;           /* threads computing a batch's accounts (0 or 1: the caller's
                                 * only; at most RA_CYCLE_MAX_THREADS); a household is computed
                                 * whole by one thread and the results are written by the
                                 * caller's in book order, so they never depend on the count */
    int window_days;            /* default RA_CYCLE_DEFAULT_WINDOW_DAYS */
    double cash_reserve;        /* the target's cash weight (default 0.01) */
    ra_rebal_settings settings; /* the firm's trading settings; per account the mandate's band and
                                 * TLH switch replace band_abs and tlh */
    /* Called after each batch (may be NULL): accounts done so far of total. */
    void (*progress)(void *ctx, size_t done, size_t total);
    void *progress_ctx;
} ra_cycle_options;

RA_API void ra_cycle_options_default(ra_cycle_options *o);

typedef struct ra_cycle_stats {
    size_t accounts;            /* the firm's accounts */
    size_t skipped;             /* done already (an earlier run of the day) */
    size_t processed;           /* valued and proposed today by this run */
    size_t no_model;            /* without a model: valued, no proposal */
    size_t proposals;           /* accounts with trades proposed */
    size_t pending;             /* of them advisory, waiting for approval */
    size_t lapsed_unconfirmed;  /* earlier proposals the client did not confirm in time */
    size_t orders;              /* orders created */
    size_t fills;               /* orders filled at the close (today's and older ones) */
    size_t trades;
    size_t trades_by_reason[RA_CYCLE_N_REASONS]; /* a trade counts once for each of its reasons */
    size_t out_of_band_before;  /* processed accounts outside their bands before trading */
    size_t out_of_band_after;   /* ... after (advisory accounts: before, as nothing traded) */
    size_t held_back[8];        /* accounts with each RA_HELD_* bit */
    ra_minor dividends_minor;   /* dividends credited (the firm's currency) */
    ra_minor withdrawals_minor; /* instructed withdrawals paid */
    size_t withdrawals_short;   /* accounts whose cash did not pay all that was due */
    ra_minor harvested_minor;   /* losses realised by harvesting */
    double harvest_tax_value;   /* their estimated tax value, minor units */
    ra_minor value_minor;       /* the processed accounts' value at the close */
    size_t suspended;           /* processed accounts not trading: suspended by a crossing of
                                 * their loss limit on an earlier day, not re-authorised yet */
    size_t loss_limit_crossed;  /* processed accounts crossing their loss limit today (suspended
                                 * from now on, their open orders cancelled, notified) */
    size_t rules_fired;         /* firings of the mandates' risk rules today */
    int firm_rules;             /* 1: the firm rules were on (firmrules.h) */
    size_t firm_cuts;           /* cuts of proposals by the firm rules */
    int crowding;               /* anti-crowding's limit in force (0: off) */
    int crowd;                  /* the largest number of accounts on one identical target, as
                                 * the day's firm figures counted it after the anti-crowding
                                 * variants (0: not counted) */
    char crowd_account[RA_CODE_MAX]; /* the first account of that crowd */
    int crowd_base;             /* the largest before the variants */
    int crowd_varied;           /* accounts on a variant of their target */
    int crowd_unmet;            /* accounts over the limit: no variant within the budget left */
    char engine_version[RA_CYCLE_VERSION_MAX];
    char config_hash[65];
} ra_cycle_stats;

/* Adds d's counts and sums to t (not accounts, skipped, the version or the hash): the
 * households' stats of a run, or the days of a range. */
RA_API void ra_cycle_stats_add(ra_cycle_stats *t, const ra_cycle_stats *d);

/* The engine's version recorded with every proposal: "RELEASE+COMMIT". */
RA_API const char *ra_cycle_engine_version(void);

/* Runs the day o->date for actor->firm. A day without a close for a security that an account
 * holds or a target names is RA_ENOTFOUND naming the securities, and nothing is written. */
RA_API RA_NODISCARD ra_status ra_cycle_run_day(ra_store *s, const ra_store_actor *actor,
                                               const ra_cycle_options *o, ra_cycle_stats *st,
                                               ra_err *err);

/* Runs the day o->date as one of several worker processes sharing a PostgreSQL database
 * (roboadvisor run-day --worker). The first worker of the firm's day plans it in one
 * transaction under a lock on the firm's row (the open orders of earlier days filled with
 * execute_close, the accounts cut into batches of whole households, o->batch accounts each,
 * stored in cycle_batches); then every worker loads the book and, one transaction per batch,
 * claims the next batch not done (FOR UPDATE SKIP LOCKED), computes it on o->threads threads,
 * writes its accounts and marks it done by `worker` (a name for the record; may be NULL), so a
 * killed worker's batch is claimed again by another worker or a re-run. The audit records of
 * the workers' transactions queue on the audit chain's head (one chain). The worker that finds
 * every batch done records the run as finished. st counts this worker's accounts. On SQLite
 * (one writer) it is ra_cycle_run_day. The results equal one run's. */
RA_API RA_NODISCARD ra_status ra_cycle_run_worker(ra_store *s, const ra_store_actor *actor,
                                                  const ra_cycle_options *o, const char *worker,
                                                  ra_cycle_stats *st, ra_err *err);

/* Re-evaluates the account of a wholly rejected proposal on its day with its trades as
 * constraints (a rejected buy is not bought, a rejected sale not sold: the cash goes to, or
 * comes from, the other holdings where that is worth a trade) and stores the new pending proposal
 * P-DAY-ACCOUNT-N, linked to the rejected one by `supersedes`. *new_id "" and *n_trades 0 when
 * nothing else is worth proposing. A proposal that is not rejected (pending, or approved in part)
 * is RA_ECONFLICT. */
RA_API RA_NODISCARD ra_status ra_cycle_reevaluate(ra_store *s, const ra_store_actor *actor,
                                                  const ra_cycle_options *o,
                                                  const char *rejected_id,
                                                  char new_id[RA_CYCLE_ID_MAX], size_t *n_trades,
                                                  ra_err *err);

/* --- replay (roboadvisor replay) ------------------------------------------------------------- */

typedef struct ra_cycle_replay_result {
    int identical;              /* 1: every proposal and order of the day recomputed the same */
    size_t proposals, orders;   /* of the day, as recorded (advisory decisions' orders left out) */
    size_t accounts;            /* accounts recomputed */
    int execute_close;          /* inferred from the record: the day's orders were filled */
    char difference[512];       /* the first difference, when not identical */
} ra_cycle_replay_result;

/* Recomputes the recorded day o->date from the stored inputs (ra_store_cycle_rewind inside a
 * transaction that is rolled back: nothing is written) with the options o (execute_close taken
 * from the record) and compares every proposal (status of discretionary ones, each trade: ticker,
 * side, quantity, price and its date, reasons, estimated gains, risk level, lots) and every
 * order the run made with the record. A day that was not run is RA_ENOTFOUND. The options must be
 * those of the recorded run: a different configuration hash is reported as the difference. */
RA_API RA_NODISCARD ra_status ra_cycle_replay(ra_store *s, const ra_store_actor *actor,
                                              const ra_cycle_options *o,
                                              ra_cycle_replay_result *res, ra_err *err);

/* --- one account as of a day (roboadvisor account show) -------------------------------------- */

typedef struct ra_account_holding {
    char ticker[RA_CODE_MAX];
    ra_micro qty_micro;
    ra_price price;          /* the latest close on or before the day (0: none) */
    ra_date price_date;
    ra_minor value_minor;
    double weight;           /* value / the account's value */
    double target;           /* the account's target weight (0 when not in the target): the
                              * personalised target moved by the client's objectives */
    double drift;            /* weight - target */
    double model_target;     /* the personalised target before the client's objectives */
} ra_account_holding;

typedef struct ra_account_view {
    char account[RA_CODE_MAX];
    ra_date date;
    ra_account acct;          /* the record with its mandate */
    char status[24];          /* "in_band", "out_of_band", or "no_target" (no model assigned) */
    ra_minor cash_minor;
    ra_minor value_minor;
    double cash_weight, cash_target;
    double drift;             /* half the sum of |weight - target| over holdings and cash */
    double max_dev;           /* the largest |weight - target| of a security */
    int have_target;
    size_t n;                 /* holdings: held or targeted, in ticker order */
    ra_account_holding *h;    /* ra_account_view_clear */
    char proposal[RA_CYCLE_ID_MAX]; /* the latest pending proposal on or before the day, "" none */
    int objectives;           /* 1: the mandate states client objectives (objective.h) */
    int objectives_applied;   /* 1: they moved the target (0: no estimate, see the methodology) */
    ra_client_effect effect;  /* their effect, when applied */
} ra_account_view;

/* The account as of date (its transactions up to the day replayed, the latest closes on or before
 * it) against its personalised target with cash_reserve. RA_ENOTFOUND for an unknown account. */
RA_API RA_NODISCARD ra_status ra_account_view_compute(ra_store *s, const char *firm,
                                                      const char *account, ra_date date,
                                                      double cash_reserve, double band_rel,
                                                      ra_account_view *out, ra_err *err);
/* The same view as of the account's latest valued day (today when the cycle has not valued it),
 * with its holdings and cash read from the stored state (ra_store_account_now_get) instead of a
 * replay: equal to ra_account_view_compute on that day (tests/unit/test_account_now.c). When a
 * transaction is dated after that day (a deposit since the last cycle), it replays to the day as
 * ra_account_view_compute does. The API's account summary. */
RA_API RA_NODISCARD ra_status ra_account_view_current(ra_store *s, const char *firm,
                                                      const char *account, ra_date today,
                                                      double cash_reserve, double band_rel,
                                                      ra_account_view *out, ra_err *err);
RA_API void ra_account_view_clear(ra_account_view *v);

/* Names of the RA_REASON_* bits, bit k -> name ("drift", "cash_flow", "dividend", "withdrawal",
 * "tlh", "restriction", "model_change", "risk_limit"). */
RA_API const char *ra_cycle_reason_name(unsigned k);

#ifdef __cplusplus
}
#endif
#endif
