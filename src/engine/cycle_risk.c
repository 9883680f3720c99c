/* The daily cycle's risk limits (src/engine/cycle_int.h): the loss limit of each account checked
 * at the day's close, before it trades (docs/methodology.md#risk-limits). An account suspended on
 * an earlier day and not re-authorised since makes no proposal; one whose loss crosses its
 * mandate's loss_limit now makes none either, and its crossing (the suspension, its open orders
 * cancelled, the notifications due 30 minutes after the firm's close) is written with its day in
 * the same transaction, so a re-run, or a run killed at any moment and run again, records it
 * exactly once. */
#include "engine/cycle_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/riskrules.h>
#include <roboadvisor/store_risk.h>

#include <string.h>

ra_status cycle_risk_load(ra_store *s, const char *firm, const ra_cycle_book *b, cycle_risk **out,
                          ra_err *err)
{
    *out = NULL;
    cycle_risk *k = ra_calloc(1, sizeof *k);
    if (!k)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's risk figures");
    int minute = 0;
    char zone[RA_RISK_ZONE_MAX];
    ra_status rc = ra_store_risk_accounts(s, firm, b->date, &k->acc, &k->n, err);
    if (rc == RA_OK)
        rc = ra_store_risk_settings(s, firm, &minute, zone, err);
    if (rc == RA_OK)
        rc = ra_risk_close_utc(b->date, minute, zone, &k->due_at, err);
    if (rc != RA_OK) {
        cycle_risk_free(k);
        return rc;
    }
    k->due_at += RA_RISK_NOTIFY_WITHIN_S;
    *out = k;
    return RA_OK;
}

void cycle_risk_free(cycle_risk *k)
{
    if (!k)
        return;
    ra_store_free(k->acc);
    ra_free(k);
}

static const ra_risk_account *find(const cycle_risk *k, int64_t id)
{
    size_t lo = 0, hi = k->n; /* by account id */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k->acc[mid].account_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < k->n && k->acc[lo].account_id == id ? &k->acc[lo] : NULL;
}

ra_status cycle_risk_check(run *r, size_t a, ra_minor value_minor, acct_out *out, int *halt,
                           ra_err *err)
{
    *halt = 0;
    const ra_risk_account *x = r->risk ? find(r->risk, r->b->acc[a].id) : NULL;
    if (!x)
        return RA_OK;
    if (x->suspended) {
        *halt = 1;
        r->st->suspended++;
        return RA_OK;
    }
    ra_risk_crossing *c = &out->risk;
    memset(c, 0, sizeof *c);
    c->date = r->b->date;
    c->loss_limit = r->b->acc[a].mandate.loss_limit;
    ra_status rc = ra_risk_loss_check(x->entrusted_minor, value_minor, c->loss_limit, &c->loss,
                                      err);
    if (rc != RA_OK || !c->loss.crossed)
        return rc;
    c->due_at = r->risk->due_at;
    out->day.risk = c;
    *halt = 1;
    r->st->loss_limit_crossed++;
    return RA_OK;
}
