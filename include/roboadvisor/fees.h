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

#ifdef __cplusplus
}
#endif
#endif
