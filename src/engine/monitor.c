/* The intraday monitor: include/roboadvisor/engine_monitor.h; method
 * docs/methodology.md#the-intraday-monitor.
 *
 * The day's book is read once (its lots, cash, mandates: a compact image of the firm), the
 * snapshot's prices replace the book's last closes where it has them, and every account not
 * suspended is checked in book order: its value by integer arithmetic over its lots (the cycle's
 * valuation), then the cycle's own check (cycle_risk_check: the loss limit and the mandate's
 * rules). Only an account with something to record goes through the cycle's account day
 * (cycle_account_day, monitor mode: the rules' target change, the rebalancing proposal, orders).
 * The records of a batch of accounts are written in one transaction (store_monitor.c); the run's
 * start and end are recorded around them (monitor_runs). */
#include "engine/cycle_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/engine_monitor.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The BLAKE2b-256 of the snapshot's rows (ticker, price, time), hex: what the run is keyed on
 * besides its date and minute, recorded with it. */
static void snapshot_hash(const ra_snapshot *sn, char out[65])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    for (size_t i = 0; i < sn->n; i++) {
        char line[RA_CODE_MAX + 48];
        int n = snprintf(line, sizeof line, "%s,%lld,%d\n", sn->rows[i].ticker,
                         (long long)sn->rows[i].price, sn->rows[i].minute);
        crypto_generichash_update(&h, (const unsigned char *)line, (size_t)n);
    }
    uint8_t d[32];
    crypto_generichash_final(&h, d, sizeof d);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static int cmp_ticker(const void *a, const void *b)
{
    return strcmp(((const ra_snapshot_row *)a)->ticker, ((const ra_snapshot_row *)b)->ticker);
}

/* The snapshot's prices by book security into snap[] (0: none) and the book's prices: the
 * snapshot's, else the latest close on or before the day (the book has only the day's); counts. */
static ra_status apply_snapshot(ra_store *s, const char *firm, const ra_snapshot *sn,
                                ra_cycle_book *b, ra_price *snap, ra_monitor_stats *st,
                                ra_err *err)
{
    ra_snapshot_row *rows = ra_malloc((sn->n ? sn->n : 1) * sizeof *rows);
    if (!rows)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the snapshot's prices");
    memcpy(rows, sn->rows, sn->n * sizeof *rows);
    qsort(rows, sn->n, sizeof *rows, cmp_ticker);
    size_t used = 0;
    for (size_t i = 0; i < b->n_sec; i++) {
        ra_snapshot_row key;
        memcpy(key.ticker, b->sec[i].ticker, RA_CODE_MAX);
        const ra_snapshot_row *x = bsearch(&key, rows, sn->n, sizeof *rows, cmp_ticker);
        snap[i] = x ? x->price : 0;
        if (x) {
            b->sec[i].price = x->price;
            used++;
        } else if (b->sec[i].price <= 0) {
            ra_date on = 0;
            ra_status rc = ra_store_price_latest(s, firm, b->sec[i].ticker, b->date,
                                                 &b->sec[i].price, &on, err);
            if (rc == RA_ENOTFOUND)
                b->sec[i].price = 0; /* never priced: a holding of it is worth 0 */
            else if (rc != RA_OK) {
                ra_free(rows);
                return rc;
            }
        }
        st->priced += x != NULL;
        st->unpriced += x == NULL;
    }
    st->unknown = sn->n - used;
    ra_free(rows);
    return RA_OK;
}

/* The monitor's state of a run: the book, the cycle's run over it, the risk figures. */
typedef struct mon {
    ra_cycle_book *b;
    run r;
    cycle_risk *k;
    ra_price *snap;
    int64_t *susp;
    size_t n_susp;
    ra_monitor_fired *fired;
    ra_cycle_stats cst;
    ra_cycle_options co;
    acct_out *outs;
    ra_cycle_account_day *days;
    size_t room;
} mon;

static void mon_free(mon *m)
{
    for (size_t i = 0; m->outs && i < m->room; i++)
        cycle_acct_out_free(&m->outs[i]);
    cycle_run_free(&m->r);
    cycle_risk_free(m->k);
    ra_cycle_book_destroy(m->b);
    ra_store_free(m->susp);
    ra_store_free(m->fired);
    RA_FREE_ALL(m->snap, m->outs, m->days);
}

/* The book, the snapshot over it, the risk figures of the day as the snapshot sees them. */
static ra_status mon_load(ra_store *s, const ra_store_actor *actor, const ra_monitor_options *o,
                          mon *m, ra_monitor_stats *st, ra_err *err)
{
    m->co = o->cycle;
    m->co.date = o->date;
    m->co.execute_close = 0; /* intraday: orders stay open */
    m->co.progress = NULL;
    ra_status rc = ra_store_cycle_book_load_ex(s, actor->firm, o->date, m->co.window_days,
                                               RA_CYCLE_LOAD_ALL_LOTS, &m->b, err);
    if (rc != RA_OK)
        return rc;
    ra_cycle_book *b = m->b;
    st->accounts = b->n_acc;
    for (size_t a = 0; a < b->n_acc; a++)
        b->acc[a].done = 0; /* the close's mark: not the monitor's */
    m->snap = ra_calloc(b->n_sec ? b->n_sec : 1, sizeof *m->snap);
    if (!m->snap)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the snapshot's prices");
    rc = apply_snapshot(s, actor->firm, o->snapshot, b, m->snap, st, err);
    m->r = (run){.s = s, .actor = actor, .o = &m->co, .b = b, .st = &m->cst,
                 .household = UINT32_MAX, .monitor = 1, .monitor_at = o->at_minute};
    if (rc == RA_OK)
        rc = cycle_run_alloc(&m->r, err);
    if (rc == RA_OK)
        rc = cycle_risk_load(s, actor->firm, b, &m->k, err);
    if (rc != RA_OK)
        return rc;
    cycle_risk *k = m->k;
    m->r.risk = k;
    k->intraday = 1;
    k->at_minute = o->at_minute;
    k->snap = m->snap;
    /* the notifications are due 30 minutes after the snapshot (as after the close) */
    int close_minute = 0;
    char zone[RA_RISK_ZONE_MAX];
    rc = ra_store_risk_settings(s, actor->firm, &close_minute, zone, err);
    if (rc == RA_OK)
        rc = ra_risk_close_utc(o->date, o->at_minute, zone, &k->due_at, err);
    k->due_at += RA_RISK_NOTIFY_WITHIN_S;
    /* the closes of move rules: before the day, then the snapshot's */
    for (size_t i = 0; k->closes && i < k->n_sec; i++)
        ra_free(k->closes[i]);
    RA_FREE_ALL(k->closes, k->n_closes);
    if (rc == RA_OK)
        rc = cycle_risk_closes(s, actor->firm, b, k, err);
    size_t n_fired = 0;
    if (rc == RA_OK)
        rc = ra_store_monitor_day_state(s, actor->firm, o->date, &m->susp, &m->n_susp, &m->fired,
                                        &n_fired, err);
    k->fired = m->fired;
    k->n_fired = n_fired;
    for (size_t i = 0; rc == RA_OK && i < m->n_susp; i++) { /* suspended earlier today */
        ra_risk_account *x = (ra_risk_account *)cycle_risk_find(k, m->susp[i]);
        if (x)
            x->suspended = 1;
    }
    m->room = 0;
    return rc;
}

/* Account a checked: its value at the snapshot, the cycle's check; with something to record, the
 * cycle's account day (monitor mode) into *out (*has 1). */
static ra_status check_account(mon *m, size_t a, size_t hh_first, acct_out *out, int *has,
                               ra_monitor_stats *st, ra_err *err)
{
    *has = 0;
    const ra_cycle_book *b = m->b;
    const ra_cycle_account *x = &b->acc[a];
    const ra_risk_account *rk = cycle_risk_find(m->k, x->id);
    if (!rk)
        return RA_OK;
    if (rk->suspended) {
        st->suspended++;
        return RA_OK;
    }
    const ra_lot *lots = b->lots + x->lot_start;
    ra_minor v = x->cash_minor;
    for (uint32_t j = 0; j < x->n_lots; j++) {
        ra_minor lv = 0;
        ra_status rc = ra_money_value(lots[j].qty_micro, b->sec[lots[j].security].price,
                                      b->minor_digits, &lv, err);
        if (rc != RA_OK)
            return rc;
        v += lv;
    }
    st->evaluated++;
    st->value_minor += v;
    ra_cycle_stats scratch;
    memset(&scratch, 0, sizeof scratch);
    m->r.st = &scratch;
    int halt = 0;
    ra_status rc = cycle_risk_check(&m->r, a, lots, x->n_lots, v, out, &halt, err);
    int found = rc == RA_OK && out->day.risk;
    memset(&out->risk, 0, sizeof out->risk);
    out->day.risk = NULL;
    m->r.st = &m->cst;
    if (!found)
        return rc;
    /* something to record: the cycle's day of the account, in monitor mode */
    if (m->r.household != x->household)
        cycle_household_enter(&m->r, x->household, hh_first);
    rc = cycle_account_day(&m->r, a, out, err);
    if (rc == RA_OK && out->day.risk) {
        *has = 1;
        st->crossed += (size_t)out->risk.crossed;
        st->firings += out->risk.n_firings;
    }
    return rc;
}

/* Accounts [first, end) of the book (whole households) checked and their records written in one
 * transaction (inside the caller's when it has one). */
static ra_status run_range(ra_store *s, const ra_store_actor *actor, mon *m, size_t first,
                           size_t end, ra_monitor_stats *st, ra_err *err)
{
    const ra_cycle_book *b = m->b;
    ra_status rc = RA_OK;
    size_t k = 0, hh_first = first;
    size_t props = m->cst.proposals, orders = m->cst.orders;
    /* room for every account of the range before the first is computed: a day's record points
     * into its acct_out (its proposal, its risk figures), which must not move */
    if (m->room < end - first) {
        size_t room = end - first;
        acct_out *o2 = ra_realloc(m->outs, room * sizeof *o2);
        if (o2)
            m->outs = o2;
        ra_cycle_account_day *d2 = o2 ? ra_realloc(m->days, room * sizeof *d2) : NULL;
        if (!o2 || !d2)
            return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a batch's records");
        m->days = d2;
        memset(m->outs + m->room, 0, (room - m->room) * sizeof *m->outs);
        m->room = room;
    }
    for (size_t a = first; a < end && rc == RA_OK; a++) {
        if (a == first || b->acc[a].household != b->acc[a - 1].household)
            hh_first = a;
        int has = 0;
        rc = check_account(m, a, hh_first, &m->outs[k], &has, st, err);
        if (rc == RA_OK && has) {
            m->days[k] = m->outs[k].day;
            m->days[k].account_id = b->acc[a].id;
            k++;
        } else
            cycle_acct_out_free(&m->outs[k]);
        if (rc != RA_OK && err && !err->where[0])
            snprintf(err->where, sizeof err->where, "account %s", b->acc[a].code);
    }
    if (rc == RA_OK && k)
        rc = ra_store_monitor_put(s, actor, m->days, k, err);
    for (size_t i = 0; i < k; i++)
        cycle_acct_out_free(&m->outs[i]);
    st->proposals += m->cst.proposals - props;
    st->orders += m->cst.orders - orders;
    return rc;
}

/* The run's record: started (finished 0), or finished with the run's counts from the book, in one
 * transaction; several workers: under the firm's planning lock, and only by the first to find
 * every batch done (the others find it finished). */
static ra_status record(ra_store *s, const ra_store_actor *actor, const ra_monitor_options *o,
                        int finished, int worker, ra_monitor_stats *st, ra_err *err)
{
    ra_status rc = ra_store_begin(s, err);
    if (rc != RA_OK)
        return rc;
    int planned = 0, found = 0;
    int64_t left = -1;
    ra_monitor_run_rec *r = &st->run, now;
    if (worker)
        rc = ra_store_monitor_plan_lock(s, actor, o->date, o->at_minute, &planned, err);
    if (rc == RA_OK)
        rc = ra_store_monitor_run_get(s, actor->firm, o->date, o->at_minute, &now, &found, err);
    if (rc == RA_OK) {
        r->date = o->date;
        r->at_minute = o->at_minute;
        snapshot_hash(o->snapshot, r->snapshot_hash);
        r->prices = (int64_t)o->snapshot->n;
        r->accounts = (int64_t)st->accounts;
        r->finished = finished;
        rc = ra_store_monitor_counts(s, actor->firm, o->date, o->at_minute, r, &left, err);
    }
    int write = finished ? left <= 0 && !(found && now.finished) : !found;
    if (rc == RA_OK && write)
        rc = ra_store_monitor_run_put(s, actor, r, err);
    if (rc == RA_OK && !write && found)
        *r = now; /* another worker's record */
    if (rc == RA_OK)
        return ra_store_commit(s, err);
    (void)ra_store_rollback(s, NULL);
    return rc;
}

static ra_status check_options(const ra_monitor_options *o, ra_err *err)
{
    if (!o || !o->snapshot)
        return ra_err_set(err, RA_EINVAL, NULL, "the monitor needs options and a snapshot");
    if (o->at_minute < 0 || o->at_minute >= 24 * 60 || o->at_minute % RA_MONITOR_CADENCE_MIN)
        return ra_err_set(err, RA_EINVAL, "at", "a snapshot's time is a multiple of %d minutes "
                          "from 00:00 to 23:50, not minute %d", RA_MONITOR_CADENCE_MIN,
                          o->at_minute);
    return RA_OK;
}

/* Several workers: the first plans the batches (under the firm's lock), every one claims them
 * until none is left, each batch in one transaction with its claim and its done mark. */
static ra_status run_worker(ra_store *s, const ra_store_actor *actor, const ra_monitor_options *o,
                            const char *worker, mon *m, ra_monitor_stats *st, ra_err *err)
{
    ra_status rc = ra_store_begin(s, err);
    if (rc != RA_OK)
        return rc;
    int planned = 0;
    ra_cycle_batch *v = NULL;
    size_t nb = 0;
    rc = ra_store_monitor_plan_lock(s, actor, o->date, o->at_minute, &planned, err);
    if (rc == RA_OK && !planned)
        rc = cycle_plan_batches(m->b, m->co.batch ? m->co.batch : RA_CYCLE_DEFAULT_BATCH, &v,
                                &nb, err);
    if (rc == RA_OK && !planned)
        rc = ra_store_monitor_plan_put(s, actor, o->date, o->at_minute, v, nb, err);
    ra_free(v);
    if (rc != RA_OK) {
        (void)ra_store_rollback(s, NULL);
        return rc;
    }
    if ((rc = ra_store_commit(s, err)) != RA_OK)
        return rc;
    for (;;) {
        if ((rc = ra_store_begin(s, err)) != RA_OK)
            return rc;
        ra_cycle_batch x;
        int found = 0;
        size_t a = 0, end = 0;
        rc = ra_store_monitor_batch_claim(s, actor, o->date, o->at_minute, &x, &found, err);
        if (rc == RA_OK && found)
            rc = cycle_batch_range(m->b, &x, &a, &end, err);
        if (rc == RA_OK && found)
            rc = run_range(s, actor, m, a, end, st, err);
        if (rc == RA_OK && found)
            rc = ra_store_monitor_batch_done(s, actor, o->date, o->at_minute, x.n, worker, err);
        if (rc != RA_OK || !found) {
            (void)ra_store_rollback(s, NULL);
            return rc;
        }
        if ((rc = ra_store_commit(s, err)) != RA_OK)
            return rc;
    }
}

ra_status ra_monitor_run(ra_store *s, const ra_store_actor *actor, const ra_monitor_options *o,
                         const char *worker, ra_monitor_stats *st, ra_err *err)
{
    ra_monitor_stats local;
    if (!st)
        st = &local;
    memset(st, 0, sizeof *st);
    ra_status rc = check_options(o, err);
    if (rc == RA_OK && (!s || !actor))
        rc = ra_err_set(err, RA_EINVAL, NULL, "the monitor needs a store and an actor");
    int found = 0;
    if (rc == RA_OK)
        rc = ra_store_monitor_run_get(s, actor->firm, o->date, o->at_minute, &st->run, &found,
                                      err);
    if (rc != RA_OK)
        return rc;
    if (found && st->run.finished) {
        st->already = 1;
        return RA_OK;
    }
    if (worker && strcmp(ra_store_backend(s), "postgresql") != 0)
        worker = NULL; /* one writer: the ordinary run */
    mon m;
    memset(&m, 0, sizeof m);
    rc = mon_load(s, actor, o, &m, st, err);
    if (rc == RA_OK && !found)
        rc = record(s, actor, o, 0, worker != NULL, st, err);
    if (rc == RA_OK && worker)
        rc = run_worker(s, actor, o, worker, &m, st, err);
    else if (rc == RA_OK) {
        size_t batch = m.co.batch ? m.co.batch : RA_CYCLE_DEFAULT_BATCH;
        if (o->cycle.progress) /* the book and the day's figures loaded: the evaluation starts */
            o->cycle.progress(o->cycle.progress_ctx, 0, m.b->n_acc);
        for (size_t a = 0; a < m.b->n_acc && rc == RA_OK;) {
            size_t end = a + batch < m.b->n_acc ? a + batch : m.b->n_acc;
            while (end < m.b->n_acc && m.b->acc[end].household == m.b->acc[end - 1].household)
                end++; /* whole households */
            rc = run_range(s, actor, &m, a, end, st, err);
            if (rc == RA_OK && o->cycle.progress)
                o->cycle.progress(o->cycle.progress_ctx, end, m.b->n_acc);
            a = end;
        }
    }
    if (rc == RA_OK)
        rc = record(s, actor, o, 1, worker != NULL, st, err);
    mon_free(&m);
    return rc;
}
