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

/* --- the text forms of tiers and services (docs/cli.md#fees) ------------------------------- */

#include <string.h>

#define BPS_DIGITS 2 /* basis points with 2 decimals = hundredths of a bp, the rate unit */

static ra_status tier_fail(ra_err *err, size_t k, const char *field, const char *msg,
                           const char *v, size_t len)
{
    char where[48];
    snprintf(where, sizeof where, "tier %zu %s", k + 1, field);
    return ra_err_set(err, RA_EPARSE, where, "%s: \"%.*s\"", msg, (int)(len > 40 ? 40 : len), v);
}

ra_status ra_fee_tiers_parse(const char *text, int minor_digits, ra_fee_schedule *s, ra_err *err)
{
    if (!text || !*text)
        return ra_err_set(err, RA_EPARSE, "tiers", "no tiers given (e.g. \"0-1000000:50,1000000-:25\")");
    size_t n = 0;
    ra_minor prev_hi = 0;
    int open_seen = 0;
    for (const char *p = text; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (n == RA_FEES_MAX_TIERS)
            return ra_err_set(err, RA_EPARSE, "tiers", "more than %d tiers", RA_FEES_MAX_TIERS);
        if (open_seen)
            return tier_fail(err, n, "bounds", "a tier after the open last one", p, len);
        const char *dash = memchr(p, '-', len), *colon = memchr(p, ':', len);
        if (!dash || !colon || colon < dash)
            return tier_fail(err, n, "form", "a tier is LO-HI:BPS or LO-:BPS, got", p,
                             len);
        ra_minor lo = 0, hi = INT64_MAX;
        int64_t rate = 0;
        ra_err e;
        if (ra_money_parse_minor(p, (size_t)(dash - p), minor_digits, &lo, &e) != RA_OK)
            return tier_fail(err, n, "lower bound", "not an amount", p,
                             (size_t)(dash - p));
        if (colon > dash + 1) {
            if (ra_money_parse_minor(dash + 1, (size_t)(colon - dash - 1), minor_digits, &hi,
                                     &e) != RA_OK)
                return tier_fail(err, n, "upper bound", "not an amount", dash + 1,
                                 (size_t)(colon - dash - 1));
        } else {
            open_seen = 1;
        }
        size_t rlen = len - (size_t)(colon + 1 - p);
        if (ra_money_parse_decimal(colon + 1, rlen, BPS_DIGITS, &rate, &e) != RA_OK)
            return tier_fail(err, n, "rate",
                             "not basis points with at most 2 decimals", colon + 1,
                             rlen);
        if (lo != prev_hi)
            return tier_fail(err, n, "lower bound",
                             "each tier starts where the previous ends (the first at 0)",
                             p, (size_t)(dash - p));
        if (hi <= lo)
            return tier_fail(err, n, "upper bound", "the upper bound is not above the lower", p, len);
        s->tiers[n].upto_minor = hi;
        s->tiers[n].rate = rate;
        prev_hi = hi;
        n++;
        p = end ? end + 1 : p + len;
        if (end && !*p)
            return ra_err_set(err, RA_EPARSE, "tiers", "a tier list ends with a comma");
    }
    if (!open_seen)
        return ra_err_set(err, RA_EPARSE, "tiers", "the last tier must be open (LO-:BPS)");
    s->n_tiers = n;
    ra_fee_schedule chk = *s;
    chk.min_annual_minor = chk.monthly_minor = 0;
    ra_status rc = ra_fee_schedule_validate(&chk, err);
    return rc == RA_OK ? RA_OK : (err ? (err->code = RA_EPARSE) : RA_EPARSE);
}

char *ra_fee_tiers_format(const ra_fee_schedule *s, int minor_digits, char *buf, size_t cap)
{
    size_t len = 0;
    ra_minor lo = 0;
    buf[0] = 0;
    for (size_t k = 0; k < s->n_tiers && len < cap; k++) {
        char a[RA_MONEY_FMT_SIZE], b[RA_MONEY_FMT_SIZE], r[RA_MONEY_FMT_SIZE];
        ra_money_format_minor(lo, minor_digits, a, sizeof a);
        if (s->tiers[k].upto_minor == INT64_MAX)
            b[0] = 0;
        else
            ra_money_format_minor(s->tiers[k].upto_minor, minor_digits, b, sizeof b);
        ra_money_format_decimal(s->tiers[k].rate, BPS_DIGITS, r, sizeof r);
        len += (size_t)snprintf(buf + len, cap - len, "%s%s-%s:%s", k ? "," : "", a, b, r);
        lo = s->tiers[k].upto_minor;
    }
    return buf;
}

const char *ra_fee_when_name(ra_fee_when w)
{
    return w == RA_FEE_WHEN_FIRST ? "first" : w == RA_FEE_WHEN_ANNUAL ? "annual" : "bill";
}

static int name_ok(const char *p, size_t len)
{
    if (len == 0 || len >= RA_FEES_SERVICE_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return 0;
    }
    return 1;
}

ra_status ra_fee_services_parse(const char *text, int minor_digits, ra_fee_plan *pl, ra_err *err)
{
    size_t n = 0;
    for (const char *p = text ? text : ""; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char where[40];
        snprintf(where, sizeof where, "service %zu", n + 1);
        if (n == RA_FEES_MAX_SERVICES)
            return ra_err_set(err, RA_EPARSE, "services", "more than %d services",
                              RA_FEES_MAX_SERVICES);
        const char *c1 = memchr(p, ':', len);
        const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - p)) : NULL;
        if (!c1 || !c2)
            return ra_err_set(err, RA_EPARSE, where, "a service is NAME:AMOUNT:WHEN, got "
                              "\"%.*s\"", (int)(len > 40 ? 40 : len), p);
        ra_fee_service *sv = &pl->services[n];
        memset(sv, 0, sizeof *sv);
        if (!name_ok(p, (size_t)(c1 - p)))
            return ra_err_set(err, RA_EPARSE, where, "a service name is 1..%d letters, digits, "
                              "'_', '-' or '.', got \"%.*s\"", RA_FEES_SERVICE_NAME_MAX - 1,
                              (int)((size_t)(c1 - p) > 40 ? 40 : (size_t)(c1 - p)), p);
        memcpy(sv->name, p, (size_t)(c1 - p));
        ra_err e;
        if (ra_money_parse_minor(c1 + 1, (size_t)(c2 - c1 - 1), minor_digits, &sv->amount_minor,
                                 &e) != RA_OK || sv->amount_minor <= 0)
            return ra_err_set(err, RA_EPARSE, where, "the amount is not an amount above 0: "
                              "\"%.*s\"", (int)((size_t)(c2 - c1 - 1) > 40 ? 40 : (size_t)(c2 - c1 - 1)), c1 + 1);
        size_t wl = len - (size_t)(c2 + 1 - p);
        if (wl == 4 && !memcmp(c2 + 1, "bill", 4))
            sv->when = RA_FEE_WHEN_BILL;
        else if (wl == 5 && !memcmp(c2 + 1, "first", 5))
            sv->when = RA_FEE_WHEN_FIRST;
        else if (wl == 6 && !memcmp(c2 + 1, "annual", 6))
            sv->when = RA_FEE_WHEN_ANNUAL;
        else
            return ra_err_set(err, RA_EPARSE, where, "when is bill, first or annual, got "
                              "\"%.*s\"", (int)(wl > 40 ? 40 : wl), c2 + 1);
        n++;
        p = end ? end + 1 : p + len;
        if (end && !*p)
            return ra_err_set(err, RA_EPARSE, "services", "a service list ends with a comma");
    }
    pl->n_services = n;
    return RA_OK;
}

char *ra_fee_services_format(const ra_fee_plan *p, int minor_digits, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = 0;
    for (size_t k = 0; k < p->n_services && len < cap; k++) {
        char a[RA_MONEY_FMT_SIZE];
        len += (size_t)snprintf(buf + len, cap - len, "%s%s:%s:%s", k ? "," : "",
                                p->services[k].name,
                                ra_money_format_minor(p->services[k].amount_minor, minor_digits,
                                                      a, sizeof a),
                                ra_fee_when_name(p->services[k].when));
    }
    return buf;
}

ra_status ra_fee_plan_validate(const ra_fee_plan *p, ra_err *err)
{
    ra_status rc = ra_fee_schedule_validate(&p->sched, err);
    if (rc != RA_OK)
        return rc;
    if (p->period_months != 1 && p->period_months != 3)
        return ra_err_set(err, RA_EINVAL, "period", "billing is monthly or quarterly, not every "
                          "%d months", p->period_months);
    if (p->n_services > RA_FEES_MAX_SERVICES)
        return ra_err_set(err, RA_EINVAL, "services", "more than %d services",
                          RA_FEES_MAX_SERVICES);
    for (size_t k = 0; k < p->n_services; k++)
        if (p->services[k].amount_minor <= 0 || !name_ok(p->services[k].name,
                                                         strlen(p->services[k].name)))
            return ra_err_set(err, RA_EINVAL, "services", "service %zu needs a name and an "
                              "amount above 0", k + 1);
    if (p->perf_rate_ppm < 0 || p->perf_rate_ppm > RA_FEES_PPM)
        return ra_err_set(err, RA_EINVAL, "perf_rate", "the performance-fee rate of %lld ppm is "
                          "not in 0..1000000", (long long)p->perf_rate_ppm);
    if (p->perf_rate_ppm > 0 && p->perf_months != 6 && p->perf_months != 12)
        return ra_err_set(err, RA_EINVAL, "perf_months", "a performance period is 6 or 12 "
                          "months, not %d", p->perf_months);
    if (p->perf_rate_ppm > 0 && p->perf_months % p->period_months != 0)
        return ra_err_set(err, RA_EINVAL, "perf_months", "a performance period must end with a "
                          "bill");
    if (p->perf_hurdle_ppm < -RA_FEES_PPM || p->perf_hurdle_ppm > 10 * RA_FEES_PPM)
        return ra_err_set(err, RA_EINVAL, "hurdle", "the hurdle of %lld ppm is out of range",
                          (long long)p->perf_hurdle_ppm);
    return RA_OK;
}
