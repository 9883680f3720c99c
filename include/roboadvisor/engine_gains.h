/* roboadvisor: realised gains and open lots of an account with the wash-sale rule applied across
 * its household (src/engine/gains.c). Reads the book through the public store API, replays every
 * household account's transactions with ra_ledger_apply, turns them into wash-sale events and runs
 * ra_wash_compute (washsale.h). Which transactions are acquisitions, the book order and the
 * window: docs/methodology.md#wash-sales; the command: docs/cli.md#gains.
 *
 * Units: money ra_minor in the account's currency (minor_digits), quantities ra_micro.
 * Memory: ra_gains_compute allocates the report (ra_malloc); free it with ra_gains_report_destroy.
 * Reading the household needs the firm's personal-data key (the household is on the client). */
#ifndef ROBOADVISOR_ENGINE_GAINS_H
#define ROBOADVISOR_ENGINE_GAINS_H

#include "store.h"
#include "washsale.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ra_gains_options {
    int window_days; /* the wash-sale window, 0..RA_WASH_WINDOW_DAYS_MAX (default 30) */
    int year;        /* only the sales of this calendar year; 0 (default): every sale */
} ra_gains_options;

RA_API void ra_gains_options_default(ra_gains_options *o);

/* One lot part sold (a piece of a lot: a lot that partly replaced a loss is relieved in pieces). */
typedef struct ra_gains_part {
    uint64_t lot_id;         /* the account's lot id */
    ra_date acquired;        /* the lot's acquisition date */
    ra_date holding_from;    /* start of the holding period (earlier after a wash sale) */
    int long_term;           /* from holding_from to the sale date */
    ra_micro qty_micro;
    ra_minor proceeds_minor;
    ra_minor cost_minor;     /* basis after wash-sale adjustments */
    ra_minor adjustment_minor;/* the part of cost_minor that came from disallowed losses */
    ra_minor gain_minor;     /* proceeds - cost */
    ra_minor disallowed_minor;/* loss disallowed by the wash-sale rule (0..-gain) */
} ra_gains_part;

/* One sale: parts[first_part .. first_part + n_parts). */
typedef struct ra_gains_sale {
    uint64_t txn_seq;        /* the account's transaction sequence number (1, 2, ...) */
    ra_date date;
    char ticker[RA_CODE_MAX];
    ra_micro qty_micro;
    ra_minor proceeds_minor, cost_minor, gain_minor, disallowed_minor; /* sums of its parts */
    size_t first_part, n_parts;
    int harvest;             /* 1: it filled an approved trade proposed to harvest a loss (tlh) */
} ra_gains_sale;

/* An open piece of a lot at the end of the book. */
typedef struct ra_gains_open {
    uint64_t lot_id;
    char ticker[RA_CODE_MAX];
    ra_date acquired, holding_from;
    ra_micro qty_micro;
    ra_minor cost_minor;       /* basis + adjustment */
    ra_minor adjustment_minor; /* disallowed losses added to the basis */
} ra_gains_open;

typedef struct ra_gains_totals {
    ra_minor proceeds_minor, cost_minor, gain_minor; /* over the sales reported; gain = p - c */
    ra_minor disallowed_minor;                       /* losses disallowed (wash sales) */
    ra_minor short_term_minor, long_term_minor;      /* gain + disallowed, by term: the gain
                                                      * or loss to report (Form 8949 col. h) */
    ra_minor open_cost_minor, open_adjustment_minor; /* over the open lots */
    ra_minor harvested_minor;      /* losses of the harvest sales' lot parts sold at a loss (> 0) */
    ra_minor harvest_disallowed_minor; /* of which disallowed by the wash-sale rule */
} ra_gains_totals;

typedef struct ra_gains_report {
    char account[RA_CODE_MAX];
    char currency[4];
    int minor_digits;
    ra_gains_sale *sales;   /* in book order */
    size_t n_sales;
    ra_gains_part *parts;
    size_t n_parts;
    ra_gains_open *open;    /* by lot id, then piece */
    size_t n_open;
    ra_gains_totals totals;
    size_t n_household_accounts; /* accounts whose events were used, the account's own included */
    size_t n_other_currency;     /* household accounts left out: another currency */
} ra_gains_report;

/* The gains report of account `account` of firm `firm`. o may be NULL (defaults). RA_ENOTFOUND
 * for an account or client that does not exist; RA_EINVAL for options out of range; the ledger's
 * or the wash-sale rule's error naming the account and transaction when a replay fails; store
 * errors as they are; RA_ENOMEM. On error *out is NULL. */
RA_API RA_NODISCARD ra_status ra_gains_compute(ra_store *s, const char *firm, const char *account,
                                               const ra_gains_options *o, ra_gains_report **out,
                                               ra_err *err);
RA_API void ra_gains_report_destroy(ra_gains_report *r);

/* --- losses harvested, per client and year ------------------------------------------------------ */

#define RA_GAINS_DEFAULT_RATE_SHORT 0.35 /* the cycle's default tax rates (ra_rebal_settings) */
#define RA_GAINS_DEFAULT_RATE_LONG 0.15

typedef struct ra_gains_harvest_year {
    int year;
    size_t sales;                 /* harvest sales */
    ra_minor harvested_minor;     /* losses they realised (lot parts sold at a loss), > 0 */
    ra_minor disallowed_minor;    /* of which disallowed by the wash-sale rule */
    ra_minor allowed_short_minor; /* the losses allowed, short-term (> 0) */
    ra_minor allowed_long_minor;  /* long-term */
    double tax_value_minor;       /* allowed_short * rate_short + allowed_long * rate_long */
} ra_gains_harvest_year;

typedef struct ra_gains_harvest {
    char client[RA_CODE_MAX];
    size_t n_accounts;            /* the client's accounts in the account's currency */
    double rate_short, rate_long;
    size_t n_years;               /* years with a harvest sale, ascending */
    ra_gains_harvest_year *years;
    ra_gains_harvest_year total;  /* year 0: over the years reported */
} ra_gains_harvest;

/* The losses harvested by the engine for the client of `account`, over every account of that
 * client in its currency, per calendar year (o->year: that year only), each account's sales with
 * the household's wash-sale rule (ra_gains_compute). The tax value uses the rates given (the
 * client's, or the RA_GAINS_DEFAULT_RATE_* the cycle assumes). */
RA_API RA_NODISCARD ra_status ra_gains_harvest_compute(ra_store *s, const char *firm,
                                                       const char *account,
                                                       const ra_gains_options *o,
                                                       double rate_short, double rate_long,
                                                       ra_gains_harvest **out, ra_err *err);
RA_API void ra_gains_harvest_destroy(ra_gains_harvest *h);

#ifdef __cplusplus
}
#endif
#endif
