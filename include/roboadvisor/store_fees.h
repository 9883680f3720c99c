/* roboadvisor store: fee schedules, the firm's default schedule and fee bills (src/store/
 * store_fees.c; schema src/store/migrations/0010_fees.sql; method docs/methodology.md#fees).
 * Every write is audited with state images; free lists with ra_store_free. */
#ifndef ROBOADVISOR_STORE_FEES_H
#define ROBOADVISOR_STORE_FEES_H

#include "fees.h"
#include "store.h"
#include "store_cycle.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_SCHEMA_FEES 10 /* the migration that adds fees */

/* Writes version n+1 of schedule p->code (validated; p->version, user and at are set by the
 * store; reason required). Nothing is written when the latest version is the same: *version is
 * then that one. Audited (entity "fee_schedule", action "create" or "update"). */
RA_API RA_NODISCARD ra_status ra_store_fee_schedule_put(ra_store *s, const ra_store_actor *actor,
                                                        const ra_fee_plan *p, int64_t *version,
                                                        ra_err *err);
/* Every version of every schedule of the firm (code "" or NULL), or of one, by code then
 * version. */
RA_API RA_NODISCARD ra_status ra_store_fee_schedules(ra_store *s, const char *firm,
                                                     const char *code, ra_fee_plan **out,
                                                     size_t *n, ra_err *err);
/* The firm's default schedule code ("" none). */
RA_API RA_NODISCARD ra_status ra_store_fee_default(ra_store *s, const char *firm,
                                                   char code[RA_CODE_MAX], ra_err *err);
/* Sets it (the schedule must exist; "" clears it). Audited (entity "fee_settings"). */
RA_API RA_NODISCARD ra_status ra_store_fee_default_set(ra_store *s, const ra_store_actor *actor,
                                                       const char *code, ra_err *err);

/* One account's fee for one billing period (docs/methodology.md#fees). Amounts in the firm's
 * minor units. */
typedef struct ra_fee_bill {
    char account[RA_CODE_MAX];
    ra_date period_start, period_end; /* a calendar month or quarter (the account's share) */
    char schedule[RA_CODE_MAX];
    int64_t schedule_version;         /* the version in force on period_end */
    int days;                         /* calendar days accrued (with a close on or before) */
    ra_minor value_sum_minor;         /* the sum of those days' values */
    ra_minor asset_fee_minor;         /* the accrual, rounded once */
    ra_minor subscription_minor;
    ra_minor service_minor;
    ra_date perf_start, perf_end;     /* the performance period ending with this bill; 0: none */
    ra_minor perf_value_start_minor, perf_value_end_minor, perf_flows_minor;
    int64_t perf_hurdle_ppm;
    ra_minor perf_profit_minor;       /* P */
    ra_minor perf_hurdle_minor;       /* H */
    ra_minor carried_loss_minor;      /* L */
    ra_minor perf_fee_minor;
    ra_minor carried_loss_after_minor;/* L' */
    ra_minor total_minor;
    int billed;                       /* 1: stored (the fields below are set) */
    ra_date txn_day;                  /* the fee transaction's date */
    ra_minor paid_minor;              /* debited from cash by transaction "fee-YYYY-MM-DD" */
    ra_minor shortfall_minor;         /* raised as the firm's withdrawal instruction */
    char instruction[RA_CYCLE_ID_MAX];
} ra_fee_bill;

/* The stored bills of the firm's accounts (account "" or NULL: all) whose period ends in
 * [from, to] (0: open), by account code then period. */
RA_API RA_NODISCARD ra_status ra_store_fee_bills(ra_store *s, const char *firm,
                                                 const char *account, ra_date from, ra_date to,
                                                 ra_fee_bill **out, size_t *n, ra_err *err);
/* Bills b (its computed fields; the rest is set here) in one write scope: the bill's row, the fee
 * transaction "fee-PERIODEND" debiting what the account's cash covers (dated the period's end,
 * or the account's latest transaction when that is later), and for the rest a withdrawal
 * instruction of the firm due that day (the daily cycle raises and pays it), all audited (entity
 * "fee_bill"). A bill already stored for the account and period is left alone: *written 0. */
RA_API RA_NODISCARD ra_status ra_store_fee_bill_put(ra_store *s, const ra_store_actor *actor,
                                                    ra_fee_bill *b, int *written, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
