/* roboadvisor: mark-to-market valuation of a firm's book as of a date (engine layer;
 * docs/methodology.md#valuation, docs/cli.md#valuation). The store provides the ledger rows and
 * the prices; the engine replays and values. */
#ifndef ROBOADVISOR_ENGINE_VALUATION_H
#define ROBOADVISOR_ENGINE_VALUATION_H

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ra_account_value {
    char account[RA_CODE_MAX];
    ra_minor cash_minor;       /* cash as of the date */
    ra_minor securities_minor; /* sum over securities held of value(qty, latest price) */
    ra_minor total_minor;      /* cash + securities */
    size_t n_unpriced;         /* securities held without a price on or before the date (valued 0) */
} ra_account_value;

/* Values the firm's book as of date by replaying the ledger: only accounts opened on or before
 * date, each with its transactions dated on or before date replayed (ra_ledger_replay) into its
 * cash and lots as of date; for each security held, the summed quantity times its latest price on
 * or before date, rounded once to the account currency's minor unit, ties to even
 * (ra_money_value). *out: *n entries in account code order (ra_free(*out)); *total_minor (may be
 * NULL) the sum of the totals. RA_EINVAL if a sum overflows. */
RA_API RA_NODISCARD ra_status ra_valuation_compute(ra_store *s, const char *firm, ra_date date,
                                                   ra_account_value **out, size_t *n,
                                                   ra_minor *total_minor, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
