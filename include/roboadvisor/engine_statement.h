/* roboadvisor engine: the client statement, the tax report and the firm report gathered from the
 * book (src/engine/statement.c, src/engine/statement_reports.c) into the models of statement.h,
 * through the same calls the commands use: daily values (run-day), ra_account_view_compute
 * (account show), ra_gains_compute and ra_gains_harvest_compute (gains), ra_fees_compute (fees
 * list), the alerts, suspensions and re-authorisations lists, the model and the client's profile.
 * Nothing is recomputed another way. docs/methodology.md#client-statements. */
#ifndef ROBOADVISOR_ENGINE_STATEMENT_H
#define ROBOADVISOR_ENGINE_STATEMENT_H

#include "statement.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The statement of account `account` for the days [from, to] (from <= to). Reads the client's
 * name (personal data: the firm's key must be set); RA_ENOTFOUND for an unknown account, RA_EINVAL
 * for from > to. *st is cleared first and owns its arrays (ra_statement_clear) on success and on
 * error. */
RA_API RA_NODISCARD ra_status ra_statement_build(ra_store *s, const char *firm,
                                                 const char *account, ra_date from, ra_date to,
                                                 ra_statement *st, ra_err *err);

/* The tax report of `account` for calendar year `year`: every lot part sold in the year
 * (ra_gains_compute with the firm's wash-sale window) and the client's harvested losses of the
 * year (ra_gains_harvest_compute). */
RA_API RA_NODISCARD ra_status ra_tax_report_build(ra_store *s, const char *firm,
                                                  const char *account, int year,
                                                  ra_tax_report *r, ra_err *err);

/* The firm on date: every account's value (ra_valuation_compute), its client's level and tier,
 * its drift on the date (daily values), open alerts and suspensions, fees billed in the year. */
RA_API RA_NODISCARD ra_status ra_firm_report_build(ra_store *s, const char *firm, ra_date date,
                                                   ra_firm_report *r, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
