/* roboadvisor engine: advisory fees of a firm's accounts computed from the stored daily values
 * and billed (src/engine/fees.c; docs/methodology.md#fees; the commands docs/cli.md#fees). */
#ifndef ROBOADVISOR_ENGINE_FEES_H
#define ROBOADVISOR_ENGINE_FEES_H

#include "store_fees.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The fee of every account of the firm (account "" or NULL: all) with a schedule (its mandate's
 * fee_schedule, else the firm's default) for every billing period (a calendar month or quarter)
 * ending in [from, to], by account then period: a stored bill as stored (billed 1), else computed
 * from the daily values run-day stored (billed 0). A period's asset fee accrues every calendar day
 * from the account's first daily value on, on the value at the last close on or before the day,
 * by the schedule version in force that day, exactly, rounded once; the rest of the bill comes
 * from the version in force on the period's last day. Periods before `from` are computed only to
 * carry the performance fee's loss forward. *out ra_malloc'd (ra_free). RA_ENOTFOUND when a
 * mandate names a schedule the firm does not have. */
RA_API RA_NODISCARD ra_status ra_fees_compute(ra_store *s, const char *firm, const char *account,
                                              ra_date from, ra_date to, ra_fee_bill **out,
                                              size_t *n, ra_err *err);

/* ra_fees_compute, then every computed bill stored in order (ra_store_fee_bill_put: its
 * transaction, instruction and audit record; one write scope each). *out as after billing;
 * *written the bills written now (a bill stored already is not written twice). */
RA_API RA_NODISCARD ra_status ra_fees_bill(ra_store *s, const ra_store_actor *actor,
                                           const char *account, ra_date from, ra_date to,
                                           ra_fee_bill **out, size_t *n, size_t *written,
                                           ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
