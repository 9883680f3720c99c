/* roboadvisor: the intraday monitor (engine layer; src/engine/monitor.c; method
 * docs/methodology.md#the-intraday-monitor; command `roboadvisor monitor`, docs/cli.md#monitor).
 *
 * Evaluates the firm's risk limits and rules, the same code as the daily cycle's close
 * (cycle_risk.c), on an intraday price snapshot: every account not suspended is valued at the
 * snapshot's price where it has one and at the last close otherwise; a loss limit crossed or a
 * suspending rule suspends and notifies as at the close; a rule that reduces, adds or closes makes
 * a proposal of its trades (reason risk_limit) with the cycle's own code, orders for a
 * discretionary mandate. A rule fired for an account earlier in the day is not fired again. A run
 * is one (date, minute): the same again does nothing; a run killed at any moment and run again
 * completes it, writing nothing twice (each batch of accounts is one transaction). */
#ifndef ROBOADVISOR_ENGINE_MONITOR_H
#define ROBOADVISOR_ENGINE_MONITOR_H

#include "engine_cycle.h"
#include "snapshot.h"
#include "store_monitor.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_MONITOR_CADENCE_MIN 10 /* a snapshot every 10 minutes of the session (DESIGN.md) */

typedef struct ra_monitor_options {
    ra_date date;
    int at_minute;                   /* the snapshot's minute after local midnight; a multiple of
                                      * RA_MONITOR_CADENCE_MIN */
    const ra_snapshot *snapshot;     /* borrowed */
    ra_cycle_options cycle;          /* the firm's trading settings, the batch size and progress
                                      * (called with 0 done when the evaluation starts, then after
                                      * each batch); its date, execute_close and threads are not
                                      * used */
} ra_monitor_options;

typedef struct ra_monitor_stats {
    int already;                     /* 1: the run of (date, minute) was finished before: nothing
                                      * done */
    size_t accounts;                 /* the firm's accounts */
    size_t suspended;                /* not evaluated: suspended (before, or earlier today) */
    size_t evaluated;                /* valued and checked by this process */
    size_t priced, unpriced;         /* the book's securities with a snapshot price / without */
    size_t unknown;                  /* snapshot rows of tickers not in the firm's book */
    size_t crossed;                  /* loss limits crossed now */
    size_t firings;                  /* rules fired now */
    size_t proposals, orders;        /* made now */
    ra_minor value_minor;            /* the evaluated accounts' value at the snapshot */
    ra_monitor_run_rec run;          /* the run's record as stored at its end (counts of the whole
                                      * run, every worker's) */
} ra_monitor_stats;

/* One run. worker NULL: the whole firm in this process; else (PostgreSQL) one of several
 * processes sharing the run's batches (SQLite: the ordinary run). */
RA_API RA_NODISCARD ra_status ra_monitor_run(ra_store *s, const ra_store_actor *actor,
                                             const ra_monitor_options *o, const char *worker,
                                             ra_monitor_stats *st, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
