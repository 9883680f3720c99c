/* Advisory fees of a firm's accounts from the stored daily values (include/roboadvisor/
 * engine_fees.h; method and a worked example docs/methodology.md#fees). The core computes
 * (src/core/fees.c); this file walks each account's billing periods from its first daily value,
 * picks the schedule version of each day, and takes stored bills as they were billed, so that a
 * later period's performance fee starts from the loss the stored one carried forward. */
#include "roboadvisor/engine_fees.h"
#include "roboadvisor/alloc.h"
#include "roboadvisor/store_mandate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct out_list {
    ra_fee_bill *v;
    size_t n, cap;
} out_list;

static ra_status push(out_list *l, const ra_fee_bill *b, ra_err *err)
{
    if (ra_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v))
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the fee bills");
    l->v[l->n++] = *b;
    return RA_OK;
}

/* The first day of the period of `months` (1, 3, 6, 12; calendar-aligned) holding d, and its
 * last day. */
static void period_of(ra_date d, int months, ra_date *first, ra_date *last)
{
    int y, m, dd;
    ra_date_to_ymd(d, &y, &m, &dd);
    int m0 = (m - 1) / months * months + 1, m1 = m0 + months;
    *first = ra_date_from_ymd(y, m0, 1);
    *last = (m1 > 12 ? ra_date_from_ymd(y + 1, 1, 1) : ra_date_from_ymd(y, m1, 1)) - 1;
}

static int month_of(ra_date d)
{
    int y, m, dd;
    ra_date_to_ymd(d, &y, &m, &dd);
    return m;
}

/* The version of a schedule in force on day d: the latest with effective <= d (NULL: none). */
static const ra_fee_plan *in_force(const ra_fee_plan *v, size_t n, ra_date d)
{
    const ra_fee_plan *p = NULL;
    for (size_t i = 0; i < n; i++)
        if (v[i].effective <= d)
            p = &v[i];
    return p;
}

/* Index of the last daily value on or before d (-1: none); v by date. */
static long last_on(const ra_cycle_value *v, size_t n, ra_date d)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].date <= d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

typedef struct acct_ctx {
    ra_store *s;
    const char *firm;
    const char *account;
    const ra_fee_plan *plans; /* the versions of the account's schedule, oldest first */
    size_t n_plans;
    const ra_cycle_value *v;
    size_t nv;
    const ra_fee_bill *stored; /* the account's stored bills, by period */
    size_t n_stored;
} acct_ctx;

/* The benchmark's return from the close on or before d0 to the close on or before d1, ppm. */
static ra_status bench_ppm(const acct_ctx *c, const char *ticker, ra_date d0, ra_date d1,
                           int64_t *ppm, ra_err *err)
{
    ra_price p0 = 0, p1 = 0;
    ra_status rc = ra_store_price_latest(c->s, c->firm, ticker, d0, &p0, NULL, err);
    if (rc == RA_OK)
        rc = ra_store_price_latest(c->s, c->firm, ticker, d1, &p1, NULL, err);
    if (rc == RA_ENOTFOUND || (rc == RA_OK && p0 <= 0))
        return ra_err_set(err, RA_ENOTFOUND, NULL, "account %s: the hurdle's benchmark %s has no "
                          "price on or before %d", c->account, ticker, (int)d0);
    if (rc != RA_OK)
        return rc;
    return ra_money_muldiv(p1 - p0, RA_FEES_PPM, p0, ppm, err);
}

/* The performance fee of the period [first, pe] ending with a bill, into b, from the loss *loss
 * carried in (updated to L'). */
static ra_status perf_period(const acct_ctx *c, const ra_fee_plan *pp, ra_date pe,
                             ra_minor *loss, ra_fee_bill *b, ra_err *err)
{
    ra_date first, last;
    period_of(pe, pp->perf_months, &first, &last);
    long i0 = last_on(c->v, c->nv, first - 1), i1 = last_on(c->v, c->nv, pe);
    /* no close before the period: it starts at the account's first daily value, flows after it */
    long k0 = i0 >= 0 ? i0 : 0;
    ra_date start_day = i0 >= 0 ? first : c->v[0].date;
    ra_minor flows = 0;
    for (long k = k0 + 1; k <= i1; k++)
        flows += c->v[k].flow_minor;
    b->perf_start = start_day;
    b->perf_end = pe;
    b->perf_value_start_minor = c->v[k0].value_minor;
    b->perf_value_end_minor = c->v[i1].value_minor;
    b->perf_flows_minor = flows;
    b->perf_hurdle_ppm = pp->perf_hurdle_ppm;
    ra_status rc = RA_OK;
    if (pp->perf_benchmark[0])
        rc = bench_ppm(c, pp->perf_benchmark, c->v[k0].date, pe, &b->perf_hurdle_ppm, err);
    ra_perf_fee_in in = {b->perf_value_start_minor, b->perf_value_end_minor, flows, *loss,
                         pp->perf_rate_ppm, b->perf_hurdle_ppm};
    ra_perf_fee_out out;
    if (rc == RA_OK)
        rc = ra_perf_fee(&in, &out, err);
    if (rc != RA_OK)
        return rc;
    b->perf_profit_minor = out.profit_minor;
    b->perf_hurdle_minor = out.hurdle_minor;
    b->carried_loss_minor = *loss;
    b->perf_fee_minor = out.fee_minor;
    b->carried_loss_after_minor = out.carried_loss_minor;
    *loss = out.carried_loss_minor;
    return RA_OK;
}

/* One billing period [ps, pe] of the account, computed; *has 0 when no version is in force. */
static ra_status period_bill(const acct_ctx *c, ra_date ps, ra_date pe, int first_bill,
                             ra_minor *loss, ra_fee_bill *b, int *has, ra_err *err)
{
    memset(b, 0, sizeof *b);
    *has = 0;
    const ra_fee_plan *pp = in_force(c->plans, c->n_plans, pe);
    if (!pp)
        return RA_OK;
    *has = 1;
    snprintf(b->account, sizeof b->account, "%s", c->account);
    ra_date start = ps > c->v[0].date ? ps : c->v[0].date;
    b->period_start = start;
    b->period_end = pe;
    snprintf(b->schedule, sizeof b->schedule, "%s", pp->code);
    b->schedule_version = pp->version;
    ra_fee_accrual acc;
    memset(&acc, 0, sizeof acc);
    ra_status rc = RA_OK;
    long j = last_on(c->v, c->nv, start);
    for (ra_date d = start; d <= pe && rc == RA_OK; d++) {
        while (j + 1 < (long)c->nv && c->v[j + 1].date <= d)
            j++;
        const ra_fee_plan *dp = in_force(c->plans, c->n_plans, d);
        if (j < 0 || !dp)
            continue;
        rc = ra_fee_accrue_day(&acc, &dp->sched, c->v[j].value_minor, err);
        b->value_sum_minor += c->v[j].value_minor;
    }
    b->days = acc.days;
    if (rc == RA_OK)
        rc = ra_fee_accrual_bill(&acc, &b->asset_fee_minor, err);
    if (rc == RA_OK)
        rc = ra_fee_subscription(&pp->sched, start, pe, &b->subscription_minor, err);
    for (size_t k = 0; rc == RA_OK && k < pp->n_services; k++) {
        ra_fee_when w = pp->services[k].when;
        if (w == RA_FEE_WHEN_BILL || (w == RA_FEE_WHEN_FIRST && first_bill) ||
            (w == RA_FEE_WHEN_ANNUAL && month_of(pe) == 12))
            b->service_minor += pp->services[k].amount_minor;
    }
    if (rc == RA_OK && pp->perf_rate_ppm > 0 && month_of(pe) % pp->perf_months == 0)
        rc = perf_period(c, pp, pe, loss, b, err);
    b->total_minor = b->asset_fee_minor + b->subscription_minor + b->service_minor +
                     b->perf_fee_minor;
    return rc;
}

/* Every period of one account up to `to`, those ending in [from, to] into l. */
static ra_status account_bills(const acct_ctx *c, ra_date from, ra_date to, out_list *l,
                               ra_err *err)
{
    int months = c->plans[c->n_plans - 1].period_months;
    ra_date ps, pe;
    period_of(c->v[0].date, months, &ps, &pe);
    ra_minor loss = 0;
    size_t si = 0;
    ra_status rc = RA_OK;
    for (int first = 1; pe <= to && rc == RA_OK; first = 0, ps = pe + 1,
             period_of(ps, months, &ps, &pe)) {
        while (si < c->n_stored && c->stored[si].period_end < pe)
            si++;
        ra_fee_bill b;
        int has = 1;
        if (si < c->n_stored && c->stored[si].period_end == pe) {
            b = c->stored[si];
            if (b.perf_end)
                loss = b.carried_loss_after_minor;
        } else {
            rc = period_bill(c, ps, pe, first, &loss, &b, &has, err);
        }
        if (rc == RA_OK && has && pe >= from)
            rc = push(l, &b, err);
    }
    return rc;
}

typedef struct firm_data {
    char (*codes)[RA_CODE_MAX];
    size_t n_codes;
    ra_fee_plan *plans;
    size_t n_plans;
    ra_fee_bill *stored;
    size_t n_stored;
    char dflt[RA_CODE_MAX];
} firm_data;

static void firm_free(firm_data *f)
{
    ra_store_free(f->codes);
    ra_store_free(f->plans);
    ra_store_free(f->stored);
    memset(f, 0, sizeof *f);
}

static ra_status one_account(ra_store *s, const char *firm, const firm_data *fd,
                             const char *account, ra_date from, ra_date to, out_list *l,
                             ra_err *err)
{
    ra_mandate_version mv;
    ra_status rc = ra_store_mandate_get(s, firm, account, 0, &mv, err);
    if (rc != RA_OK)
        return rc;
    const char *code = mv.mandate.fee_schedule[0] ? mv.mandate.fee_schedule : fd->dflt;
    if (!code[0])
        return RA_OK; /* no schedule: no fees */
    size_t p0 = 0, p1;
    while (p0 < fd->n_plans && strcmp(fd->plans[p0].code, code) != 0)
        p0++;
    for (p1 = p0; p1 < fd->n_plans && strcmp(fd->plans[p1].code, code) == 0; p1++)
        ;
    if (p0 == p1)
        return ra_err_set(err, RA_ENOTFOUND, account, "account %s pays fee schedule %s, which "
                          "firm %s does not have", account, code, firm);
    ra_cycle_value *v = NULL;
    size_t nv = 0;
    rc = ra_store_daily_values(s, firm, account, 0, to, &v, &nv, err);
    if (rc == RA_OK && nv > 0 && !to)
        to = v[nv - 1].date; /* no end given: the account's last daily value */
    if (rc == RA_OK && nv > 0) {
        size_t b0 = 0, b1;
        while (b0 < fd->n_stored && strcmp(fd->stored[b0].account, account) != 0)
            b0++;
        for (b1 = b0; b1 < fd->n_stored && !strcmp(fd->stored[b1].account, account); b1++)
            ;
        acct_ctx c = {s, firm, account, fd->plans + p0, p1 - p0, v, nv, fd->stored + b0,
                      b1 - b0};
        rc = account_bills(&c, from, to, l, err);
    }
    ra_store_free(v);
    return rc;
}

ra_status ra_fees_compute(ra_store *s, const char *firm, const char *account, ra_date from,
                          ra_date to, ra_fee_bill **out, size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    if (to && to < from)
        return ra_err_set(err, RA_EINVAL, NULL, "the period ends before it starts");
    firm_data fd;
    memset(&fd, 0, sizeof fd);
    out_list l = {NULL, 0, 0};
    ra_status rc = ra_store_fee_schedules(s, firm, NULL, &fd.plans, &fd.n_plans, err);
    if (rc == RA_OK)
        rc = ra_store_fee_default(s, firm, fd.dflt, err);
    if (rc == RA_OK)
        rc = ra_store_fee_bills(s, firm, account, 0, 0, &fd.stored, &fd.n_stored, err);
    if (rc == RA_OK && account && account[0]) {
        rc = one_account(s, firm, &fd, account, from, to, &l, err);
    } else if (rc == RA_OK) {
        rc = ra_store_account_list(s, firm, &fd.codes, &fd.n_codes, err);
        for (size_t i = 0; rc == RA_OK && i < fd.n_codes; i++)
            rc = one_account(s, firm, &fd, fd.codes[i], from, to, &l, err);
    }
    firm_free(&fd);
    if (rc != RA_OK) {
        ra_free(l.v);
        return rc;
    }
    *out = l.v;
    *n = l.n;
    return RA_OK;
}

ra_status ra_fees_bill(ra_store *s, const ra_store_actor *actor, const char *account,
                       ra_date from, ra_date to, ra_fee_bill **out, size_t *n, size_t *written,
                       ra_err *err)
{
    *written = 0;
    ra_status rc = ra_fees_compute(s, actor->firm, account, from, to, out, n, err);
    for (size_t i = 0; rc == RA_OK && i < *n; i++) {
        if ((*out)[i].billed)
            continue;
        int w = 0;
        rc = ra_store_fee_bill_put(s, actor, &(*out)[i], &w, err);
        *written += (size_t)w;
    }
    if (rc != RA_OK) {
        ra_free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}
