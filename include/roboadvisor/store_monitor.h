/* roboadvisor: the intraday monitor's records (store layer; src/store/store_monitor.c, batches in
 * src/store/store_workers.c; schema src/store/migrations/0014_monitor.sql; method
 * docs/methodology.md#the-intraday-monitor). */
#ifndef ROBOADVISOR_STORE_MONITOR_H
#define ROBOADVISOR_STORE_MONITOR_H

#include "store_cycle.h"
#include "store_risk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One run of the monitor: a firm's snapshot of a day at a minute of the session. */
typedef struct ra_monitor_run_rec {
    ra_date date;
    int at_minute;                    /* minutes after local midnight */
    char snapshot_hash[65];           /* BLAKE2b-256 of the snapshot file, hex */
    int64_t prices;                   /* rows of the snapshot */
    int64_t accounts, firings, proposals, orders, suspended;
    int finished;
} ra_monitor_run_rec;

/* The run of (date, at_minute): *found 0 when none was started. */
RA_API RA_NODISCARD ra_status ra_store_monitor_run_get(ra_store *s, const char *firm, ra_date date,
                                                       int at_minute, ra_monitor_run_rec *out,
                                                       int *found, ra_err *err);
/* Records the run (replacing the row of its date and minute), audited (entity "monitor", id
 * "YYYY-MM-DD@HH:MM", action "start" or "finish"). */
RA_API RA_NODISCARD ra_status ra_store_monitor_run_put(ra_store *s, const ra_store_actor *actor,
                                                       const ra_monitor_run_rec *r, ra_err *err);

/* What a run must not do again on day `date`: the accounts suspended on the day itself and not
 * re-authorised (*susp, ascending account row ids) and the rules fired for an account on the day
 * (fired[k] = {account row id, rule code}, by account then rule). ra_store_free both. */
typedef struct ra_monitor_fired {
    int64_t account_id;
    char rule[RA_CODE_MAX];
} ra_monitor_fired;
RA_API RA_NODISCARD ra_status ra_store_monitor_day_state(ra_store *s, const char *firm,
                                                         ra_date date, int64_t **susp,
                                                         size_t *n_susp, ra_monitor_fired **fired,
                                                         size_t *n_fired, ra_err *err);

/* Writes the decisions of n account-days found by the monitor (their proposals, orders, rule
 * firings, suspensions and notifications: no daily value, no transaction), in one write scope. */
RA_API RA_NODISCARD ra_status ra_store_monitor_put(ra_store *s, const ra_store_actor *actor,
                                                   const ra_cycle_account_day *days, size_t n,
                                                   ra_err *err);

/* The records of the run of (date, at_minute) in the book: its firings, its proposals (ids
 * ending "-mHHMM") and their orders, the day's suspensions; *left its batches not done (-1: none
 * planned, a single process's run). */
RA_API RA_NODISCARD ra_status ra_store_monitor_counts(ra_store *s, const char *firm, ra_date date,
                                                      int at_minute, ra_monitor_run_rec *r,
                                                      int64_t *left, ra_err *err);

/* Several `monitor --worker` processes on one PostgreSQL: as ra_store_cycle_plan_lock, _plan_put,
 * _batch_claim and _batch_done (store_cycle.h) for the batches of the run of (date, at_minute). */
RA_API RA_NODISCARD ra_status ra_store_monitor_plan_lock(ra_store *s, const ra_store_actor *actor,
                                                         ra_date date, int at_minute,
                                                         int *planned, ra_err *err);
RA_API RA_NODISCARD ra_status ra_store_monitor_plan_put(ra_store *s, const ra_store_actor *actor,
                                                        ra_date date, int at_minute,
                                                        const ra_cycle_batch *b, size_t n,
                                                        ra_err *err);
RA_API RA_NODISCARD ra_status ra_store_monitor_batch_claim(ra_store *s,
                                                           const ra_store_actor *actor,
                                                           ra_date date, int at_minute,
                                                           ra_cycle_batch *out, int *found,
                                                           ra_err *err);
RA_API RA_NODISCARD ra_status ra_store_monitor_batch_done(ra_store *s, const ra_store_actor *actor,
                                                          ra_date date, int at_minute, int64_t n,
                                                          const char *worker, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
