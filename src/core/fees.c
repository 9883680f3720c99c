/* Advisory fees: include/roboadvisor/fees.h, method and a worked example in
 * docs/methodology.md#fees. Products of values and rates are exact in 128 bits; the only rounding
 * is the book's rule (money.c) once per bill. */
#include <roboadvisor/fees.h>

#include "core/money_int.h"

#include <stdio.h>

#define ACC_DEN ((ra_i128)RA_FEES_RATE_UNIT * RA_FEES_DAYS_PER_YEAR)

ra_status ra_fee_schedule_validate(const ra_fee_schedule *s, ra_err *err)
{
    if (s->n_tiers < 1 || s->n_tiers > RA_FEES_MAX_TIERS)
        return ra_err_set(err, RA_EINVAL, NULL, "a fee schedule has 1 to %d tiers, not %zu",
                          RA_FEES_MAX_TIERS, s->n_tiers);
    for (size_t k = 0; k < s->n_tiers; k++) {
        char where[32];
        snprintf(where, sizeof where, "tier %zu", k + 1);
        const ra_fee_tier *t = &s->tiers[k];
        if (t->rate < 0 || t->rate > RA_FEES_RATE_UNIT)
            return ra_err_set(err, RA_EINVAL, where,
                              "the rate of %lld hundredths of a basis point is not in 0..1000000",
                              (long long)t->rate);
        if (t->upto_minor <= 0 || (k > 0 && t->upto_minor <= s->tiers[k - 1].upto_minor))
            return ra_err_set(err, RA_EINVAL, where,
                              "tier bounds must be above zero and strictly increasing");
    }
    if (s->tiers[s->n_tiers - 1].upto_minor != INT64_MAX)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "the last tier must have no upper bound (it covers every value above)");
    if (s->min_annual_minor < 0 || s->monthly_minor < 0)
        return ra_err_set(err, RA_EINVAL, NULL, "a minimum or a subscription is negative");
    return RA_OK;
}

/* The annual fee times RA_FEES_RATE_UNIT, exactly. */
static ra_i128 annual_scaled(const ra_fee_schedule *s, ra_minor value)
{
    ra_i128 sum = 0;
    ra_minor lo = 0;
    for (size_t k = 0; k < s->n_tiers && value > lo; k++) {
        ra_minor hi = s->tiers[k].upto_minor;
        ra_minor part = (value < hi ? value : hi) - lo;
        sum += (ra_i128)part * s->tiers[k].rate;
        lo = hi;
    }
    ra_i128 floor_fee = (ra_i128)s->min_annual_minor * RA_FEES_RATE_UNIT;
    return sum < floor_fee ? floor_fee : sum;
}

ra_status ra_fee_annual(const ra_fee_schedule *s, ra_minor value_minor, ra_minor *fee_minor,
                        ra_err *err)
{
    ra_i128 f = ra_money_round_div(annual_scaled(s, value_minor), RA_FEES_RATE_UNIT);
    if (!ra_money_fits(f))
        return ra_err_set(err, RA_EINVAL, NULL, "the annual fee does not fit in 64 bits");
    *fee_minor = (ra_minor)f;
    return RA_OK;
}

double ra_fee_blended_rate(const ra_fee_schedule *s, ra_minor value_minor)
{
    if (value_minor <= 0)
        return 0.0;
    return (double)annual_scaled(s, value_minor) / RA_FEES_RATE_UNIT / (double)value_minor;
}

ra_status ra_fee_accrue_day(ra_fee_accrual *acc, const ra_fee_schedule *s,
                            ra_minor last_close_minor, ra_err *err)
{
    /* one day = annual / 365: the numerator over ACC_DEN is the annual fee scaled by RATE_UNIT */
    ra_i128 add = annual_scaled(s, last_close_minor);
    ra_i128 rem = (ra_i128)acc->rem + add % ACC_DEN;
    ra_i128 whole = (ra_i128)acc->whole_minor + add / ACC_DEN + rem / ACC_DEN;
    rem %= ACC_DEN;
    if (!ra_money_fits(whole))
        return ra_err_set(err, RA_EINVAL, NULL, "the accrued fee does not fit in 64 bits");
    acc->whole_minor = (ra_minor)whole;
    acc->rem = (int64_t)rem;
    acc->days++;
    return RA_OK;
}

ra_status ra_fee_accrual_bill(const ra_fee_accrual *acc, ra_minor *fee_minor, ra_err *err)
{
    ra_i128 n = (ra_i128)acc->whole_minor * ACC_DEN + acc->rem;
    ra_i128 f = ra_money_round_div(n, ACC_DEN);
    if (!ra_money_fits(f))
        return ra_err_set(err, RA_EINVAL, NULL, "the billed fee does not fit in 64 bits");
    *fee_minor = (ra_minor)f;
    return RA_OK;
}

static int days_in_month(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

ra_status ra_fee_subscription(const ra_fee_schedule *s, ra_date from, ra_date to,
                              ra_minor *fee_minor, ra_err *err)
{
    *fee_minor = 0;
    if (to < from)
        return ra_err_set(err, RA_EINVAL, NULL, "the period ends before it starts");
    ra_i128 total = 0;
    for (ra_date d = from; d <= to;) {
        int y, m, day;
        ra_date_to_ymd(d, &y, &m, &day);
        int dim = days_in_month(y, m);
        ra_date month_end = d + (dim - day);
        ra_date last = month_end < to ? month_end : to;
        int64_t days = (int64_t)(last - d) + 1;
        total += days == dim ? (ra_i128)s->monthly_minor
                             : ra_money_round_div((ra_i128)s->monthly_minor * days, dim);
        d = last + 1;
    }
    if (!ra_money_fits(total))
        return ra_err_set(err, RA_EINVAL, NULL, "the subscription does not fit in 64 bits");
    *fee_minor = (ra_minor)total;
    return RA_OK;
}

ra_status ra_perf_fee(const ra_perf_fee_in *in, ra_perf_fee_out *out, ra_err *err)
{
    if (in->rate_ppm < 0 || in->rate_ppm > RA_FEES_PPM)
        return ra_err_set(err, RA_EINVAL, NULL, "the performance-fee rate of %lld ppm is not in "
                          "0..1000000", (long long)in->rate_ppm);
    if (in->carried_loss_minor < 0)
        return ra_err_set(err, RA_EINVAL, NULL, "the carried-forward loss is negative");
    ra_i128 p = (ra_i128)in->value_end_minor - in->value_start_minor - in->net_flows_minor;
    ra_i128 h = in->hurdle_ppm > 0 && in->value_start_minor > 0
                    ? ra_money_round_div((ra_i128)in->value_start_minor * in->hurdle_ppm,
                                         RA_FEES_PPM)
                    : 0;
    ra_i128 base = p - in->carried_loss_minor - h;
    if (base < 0)
        base = 0;
    ra_i128 fee = ra_money_round_div(base * in->rate_ppm, RA_FEES_PPM);
    ra_i128 carried = p > 0 ? (in->carried_loss_minor > p ? in->carried_loss_minor - p : 0)
                            : in->carried_loss_minor - p;
    if (!ra_money_fits(p) || !ra_money_fits(carried) || !ra_money_fits(fee))
        return ra_err_set(err, RA_EINVAL, NULL, "an amount of the performance fee does not fit in "
                          "64 bits");
    out->profit_minor = (ra_minor)p;
    out->hurdle_minor = (ra_minor)h;
    out->base_minor = (ra_minor)base;
    out->fee_minor = (ra_minor)fee;
    out->carried_loss_minor = (ra_minor)carried;
    return RA_OK;
}
