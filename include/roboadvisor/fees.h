/* roboadvisor: advisory fees, exactly as agreed (src/core/fees.c; docs/methodology.md#fees).
 * Pure: asset-based fees in marginal tiers accrued every calendar day without rounding and billed
 * once per period by the book's rounding rule; flat monthly subscriptions; performance fees with a
 * high-water mark kept in money (a carried-forward loss) and an optional hurdle.
 *
 * Units: money ra_minor; rates in hundredths of a basis point a year (1 bp = 100, 0.25 % = 2,500,
 * so every published tier rate is an integer); performance-fee rates and hurdles in parts per
 * million (20 % = 200,000). */
#ifndef ROBOADVISOR_FEES_H
#define ROBOADVISOR_FEES_H

#include "date.h"
#include "book.h"
#include "money.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_FEES_MAX_TIERS 16
#define RA_FEES_DAYS_PER_YEAR 365     /* the annual rate / 365 each calendar day */
#define RA_FEES_RATE_UNIT 1000000     /* rate units per 1 (hundredths of a bp: 1e4 * 100) */
#define RA_FEES_PPM 1000000

/* One tier: the rate applies to the part of the value above the previous tier's bound and up to
 * upto_minor (the last tier: upto_minor = INT64_MAX, "and above"). */
typedef struct ra_fee_tier {
    ra_minor upto_minor;
    int64_t rate;              /* hundredths of a basis point a year, 0 .. 1,000,000 (100 %) */
} ra_fee_tier;

typedef struct ra_fee_schedule {
    size_t n_tiers;            /* 1 .. RA_FEES_MAX_TIERS, bounds strictly increasing */
    ra_fee_tier tiers[RA_FEES_MAX_TIERS];
    ra_minor min_annual_minor; /* a minimum annual fee (0 none), accrued the same way */
    ra_minor monthly_minor;    /* a flat subscription per calendar month (0 none) */
} ra_fee_schedule;

/* Checks a schedule: RA_EINVAL naming the tier. */
RA_API RA_NODISCARD ra_status ra_fee_schedule_validate(const ra_fee_schedule *s, ra_err *err);

/* The annual fee on value_minor (the sum over tiers of the value in the tier times its rate, at
 * least min_annual_minor), rounded once by the book's rule. value_minor < 0 counts as 0. */
RA_API RA_NODISCARD ra_status ra_fee_annual(const ra_fee_schedule *s, ra_minor value_minor,
                                            ra_minor *fee_minor, ra_err *err);

/* The blended annual rate on a value: the annual fee / value, a fraction (0 for value <= 0). */
RA_API double ra_fee_blended_rate(const ra_fee_schedule *s, ra_minor value_minor);

/* An accrual in progress: exactly whole_minor + rem / (RA_FEES_RATE_UNIT * RA_FEES_DAYS_PER_YEAR)
 * minor units, 0 <= rem < that denominator. Zero it to start. */
typedef struct ra_fee_accrual {
    ra_minor whole_minor;
    int64_t rem;
    int days;
} ra_fee_accrual;

/* Adds one calendar day at the value of the last close: the annual fee on it / 365, exactly. */
RA_API RA_NODISCARD ra_status ra_fee_accrue_day(ra_fee_accrual *acc, const ra_fee_schedule *s,
                                                ra_minor last_close_minor, ra_err *err);
/* The accrued amount rounded once by the book's rule (ties to even); RA_EINVAL if it does not
 * fit in int64. */
RA_API RA_NODISCARD ra_status ra_fee_accrual_bill(const ra_fee_accrual *acc, ra_minor *fee_minor,
                                                  ra_err *err);

/* The flat subscription for the days from..to (inclusive): a whole month for each calendar month
 * fully inside, and for a month only partly inside its share of days (monthly * days in range /
 * days in month, rounded by the book's rule). RA_EINVAL if to < from. */
RA_API RA_NODISCARD ra_status ra_fee_subscription(const ra_fee_schedule *s, ra_date from,
                                                  ra_date to, ra_minor *fee_minor, ra_err *err);

/* A performance-fee period (docs/methodology.md#performance-fees): profit
 * P = value_end - value_start - net_flows (deposits - withdrawals in the period); with the loss
 * carried forward L (>= 0) and the hurdle H = hurdle_ppm * value_start / 1e6 (a fixed rate, or a
 * benchmark's return over the period; a negative hurdle counts as 0):
 *   fee = rate * max(0, P - L - H);   L' = max(0, L - P) when P > 0, else L - P.
 * Nothing is due when the client lost (P <= 0). */
typedef struct ra_perf_fee_in {
    ra_minor value_start_minor, value_end_minor;
    ra_minor net_flows_minor;
    ra_minor carried_loss_minor; /* L >= 0 */
    int64_t rate_ppm;            /* 0 .. 1,000,000 */
    int64_t hurdle_ppm;          /* the period's hurdle return, ppm (may be negative) */
} ra_perf_fee_in;

typedef struct ra_perf_fee_out {
    ra_minor profit_minor;       /* P */
    ra_minor hurdle_minor;       /* H (>= 0) */
    ra_minor base_minor;         /* max(0, P - L - H) */
    ra_minor fee_minor;          /* rate * base, rounded by the book's rule */
    ra_minor carried_loss_minor; /* L' */
} ra_perf_fee_out;

RA_API RA_NODISCARD ra_status ra_perf_fee(const ra_perf_fee_in *in, ra_perf_fee_out *out,
                                          ra_err *err);


/* --- a firm's fee schedule as data (docs/methodology.md#fees, docs/cli.md#fees) ------------- */

#define RA_FEES_MAX_SERVICES 8
#define RA_FEES_SERVICE_NAME_MAX 32
#define RA_FEES_TEXT_MAX 1024   /* the text form of tiers or services, NUL included */

/* When a per-service fee is charged: on every bill, on the account's first bill (the first
 * period with a day of value), or on the bill whose period ends in December. */
typedef enum ra_fee_when { RA_FEE_WHEN_BILL = 0, RA_FEE_WHEN_FIRST, RA_FEE_WHEN_ANNUAL } ra_fee_when;

typedef struct ra_fee_service {
    char name[RA_FEES_SERVICE_NAME_MAX]; /* letters, digits, '_', '-', '.' */
    ra_minor amount_minor;               /* > 0 */
    ra_fee_when when;
} ra_fee_service;

/* One version of a named schedule: asset tiers, minimum and subscription (sched), per-service
 * fees, the billing period and an optional performance fee. */
typedef struct ra_fee_plan {
    char code[RA_CODE_MAX];
    int64_t version;               /* 1, 2, ... (the store numbers them) */
    ra_date effective;             /* accrual uses it from this day (0: from the start) */
    ra_fee_schedule sched;
    size_t n_services;
    ra_fee_service services[RA_FEES_MAX_SERVICES];
    int period_months;             /* billing: 1 monthly, 3 quarterly (calendar) */
    int64_t perf_rate_ppm;         /* 0: no performance fee */
    int perf_months;               /* 6 (Jan-Jun, Jul-Dec) or 12 (calendar year); 0 with no fee */
    int64_t perf_hurdle_ppm;       /* a fixed hurdle return per performance period, ppm */
    char perf_benchmark[RA_CODE_MAX]; /* "" or a security whose return is the hurdle */
    char user[RA_CODE_MAX];        /* who wrote the version (the store sets it) */
    char reason[256];
    int64_t at;                    /* Unix seconds (the store sets it) */
} ra_fee_plan;

/* Parses tiers "LO-HI:BPS,...,LO-:BPS" (amounts in currency units with at most minor_digits
 * decimals, the first LO 0, each LO the previous HI, the last open; BPS basis points a year with
 * at most 2 decimals) into s->tiers (the minimum and subscription are left alone). RA_EPARSE
 * naming the tier and field. */
RA_API RA_NODISCARD ra_status ra_fee_tiers_parse(const char *text, int minor_digits,
                                                 ra_fee_schedule *s, ra_err *err);
/* The canonical text of s's tiers (ra_fee_tiers_parse reads it back); buf of size cap
 * (RA_FEES_TEXT_MAX is enough). */
RA_API char *ra_fee_tiers_format(const ra_fee_schedule *s, int minor_digits, char *buf,
                                 size_t cap);
/* Parses services "NAME:AMOUNT:WHEN,..." (WHEN bill, first or annual; "" none) into p->services.
 * RA_EPARSE naming the service and field. */
RA_API RA_NODISCARD ra_status ra_fee_services_parse(const char *text, int minor_digits,
                                                    ra_fee_plan *p, ra_err *err);
RA_API char *ra_fee_services_format(const ra_fee_plan *p, int minor_digits, char *buf,
                                    size_t cap);
RA_API const char *ra_fee_when_name(ra_fee_when w);
/* Checks a whole plan (schedule, services, period, performance fee): RA_EINVAL naming the field. */
RA_API RA_NODISCARD ra_status ra_fee_plan_validate(const ra_fee_plan *p, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
