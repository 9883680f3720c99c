/* The daily cycle's run (include/roboadvisor/engine_cycle.h): the day's book loaded, its prices
 * checked, open orders filled, then batch by batch the accounts computed over the threads
 * (src/engine/cycle.c computes one account's day) and written by the calling thread in book
 * order; and the same as one of several workers sharing a PostgreSQL database, claiming batches.
 * Method: docs/methodology.md#the-daily-cycle. */
#include "engine/cycle_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/engine_cycle.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every security an account holds or a used model names has a close on the day. */
static ra_status check_prices(const ra_cycle_book *b, ra_err *err)
{
    uint8_t *need = ra_calloc(b->n_sec ? b->n_sec : 1, 1);
    if (!need)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the price check");
    for (size_t k = 0; k < b->n_lots; k++)
        need[b->lots[k].security] = 1;
    for (size_t m = 0; m < b->n_models; m++)
        for (size_t k = 0; k < b->models[m].n; k++)
            for (size_t i = 0; i < b->n_sec; i++)
                if (strcmp(b->sec[i].ticker, b->models[m].w[k].ticker) == 0)
                    need[i] = 1;
    size_t missing = 0, any = 0;
    char list[256] = "";
    size_t len = 0;
    for (size_t i = 0; i < b->n_sec; i++) {
        any += b->sec[i].price > 0;
        if (!need[i] || b->sec[i].price > 0)
            continue;
        if (missing < 8 && len < sizeof list)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", missing ? ", " : "",
                                    b->sec[i].ticker);
        missing++;
    }
    ra_free(need);
    char db[11];
    ra_date_format(b->date, db);
    if (missing && !any)
        return ra_err_set(err, RA_ENOTFOUND, NULL,
                          "no prices on %s at all: not a trading day, or the day's prices are "
                          "not imported yet", db);
    if (missing)
        return ra_err_set(err, RA_ENOTFOUND, NULL,
                          "no close on %s for %zu securit%s held or in a model: %s%s (import "
                          "the day's prices first)",
                          db, missing, missing == 1 ? "y" : "ies", list, missing > 8 ? ", ..." : "");
    return RA_OK;
}

/* The part of a buy of qty at price (plus the trade's fee) that cash pays, in whole shares. */
static ra_micro affordable(ra_micro qty, ra_price price, ra_minor fee, ra_minor cash, int digits)
{
    ra_minor v = 0;
    ra_err e = {0};
    if (ra_money_value(qty, price, digits, &v, &e) == RA_OK && v + fee <= cash)
        return qty;
    ra_micro lo = 0, hi = qty / RA_MICRO_PER_SHARE; /* whole shares: the largest that fits */
    while (lo < hi) {
        ra_micro mid = lo + (hi - lo + 1) / 2;
        if (ra_money_value(mid * RA_MICRO_PER_SHARE, price, digits, &v, &e) == RA_OK &&
            v + fee <= cash)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo * RA_MICRO_PER_SHARE;
}

/* Open orders of earlier days (approved advisory trades) filled at the day's close: the sales
 * first, then the buys, each buy for what the account's cash pays (the rest stays open,
 * "partial"; nothing is filled while the cash pays not one share). */
static ra_status fill_open_orders(ra_store *s, const ra_store_actor *actor, ra_date d,
                                  const ra_cycle_options *co, int digits, ra_cycle_stats *st,
                                  ra_err *err)
{
    ra_status rc = RA_OK;
    const char *statuses[2] = {"open", "partial"};
    for (int side = -1; side <= 1 && rc == RA_OK; side += 2)
        for (int k = 0; k < 2 && rc == RA_OK; k++) {
            ra_cycle_order *o = NULL;
            size_t n = 0;
            ra_cycle_filter f = {0, NULL, statuses[k]};
            rc = ra_store_orders_list(s, actor->firm, &f, &o, &n, err);
            for (size_t i = 0; rc == RA_OK && i < n; i++) {
                if (o[i].date > d || o[i].side != side)
                    continue;
                ra_price p = 0;
                ra_date on = 0;
                rc = ra_store_price_latest(s, actor->firm, o[i].ticker, d, &p, &on, err);
                if (rc == RA_OK && on != d) {
                    char db[11];
                    ra_date_format(d, db);
                    rc = ra_err_set(err, RA_ENOTFOUND, NULL, "order %s: no close for %s on %s",
                                    o[i].id, o[i].ticker, db);
                }
                ra_micro q = o[i].qty_micro - o[i].filled_micro;
                if (rc == RA_OK && side > 0) {
                    ra_ledger l;
                    rc = ra_store_account_ledger(s, actor->firm, o[i].account, &l, err);
                    if (rc == RA_OK) {
                        q = affordable(q, p, co->settings.fee_minor, l.cash_minor, digits);
                        ra_ledger_free(&l);
                    }
                }
                if (rc == RA_OK && q > 0) {
                    rc = ra_store_order_fill(s, actor, o[i].id, q, p, co->settings.fee_minor, d,
                                             err);
                    st->fills += rc == RA_OK;
                }
            }
            ra_store_free(o);
        }
    return rc;
}

/* ---- the batch's households over threads ------------------------------------------------------ */

/* One household of a batch: its accounts [first, end) of the book, the first of the batch's
 * output slots its accounts not done take, and what computing it gave (its own stats and error,
 * merged by the main thread in household order: the same sums whatever thread computed it). */
typedef struct hh_job {
    size_t first, end, slot;
    ra_status rc;
    ra_err err;
    ra_cycle_stats st;
} hh_job;

/* The threads of a run and the current batch: thread 0 is the caller's and computes with its
 * run (main), threads 1..n with runs[1..n), clones of it; the threads take the batch's
 * households in order from a shared counter. */
typedef struct cycle_pool {
    run *main;
    run *runs;
    unsigned n_threads;
    size_t batch;
    acct_out *outs;
    ra_cycle_account_day *days;
    hh_job *jobs;
    size_t n_jobs;
    pthread_mutex_t lock;
    size_t next;
    int have_lock;
} cycle_pool;

typedef struct pool_worker {
    cycle_pool *p;
    run *r;
} pool_worker;

void ra_cycle_stats_add(ra_cycle_stats *t, const ra_cycle_stats *d)
{
    t->processed += d->processed;
    t->no_model += d->no_model;
    t->proposals += d->proposals;
    t->pending += d->pending;
    t->orders += d->orders;
    t->fills += d->fills;
    t->trades += d->trades;
    for (unsigned k = 0; k < RA_CYCLE_N_REASONS; k++)
        t->trades_by_reason[k] += d->trades_by_reason[k];
    t->out_of_band_before += d->out_of_band_before;
    t->out_of_band_after += d->out_of_band_after;
    for (unsigned k = 0; k < 8; k++)
        t->held_back[k] += d->held_back[k];
    t->dividends_minor += d->dividends_minor;
    t->withdrawals_minor += d->withdrawals_minor;
    t->withdrawals_short += d->withdrawals_short;
    t->lapsed_unconfirmed += d->lapsed_unconfirmed;
    t->harvested_minor += d->harvested_minor;
    t->harvest_tax_value += d->harvest_tax_value;
    t->value_minor += d->value_minor;
    t->suspended += d->suspended;
    t->loss_limit_crossed += d->loss_limit_crossed;
    t->rules_fired += d->rules_fired;
    t->firm_cuts += d->firm_cuts;
    t->firm_rules |= d->firm_rules;
    if (d->crowding) { /* a range: the largest of its days */
        t->crowding = d->crowding;
        if (d->crowd > t->crowd) {
            t->crowd = d->crowd;
            memcpy(t->crowd_account, d->crowd_account, sizeof t->crowd_account);
        }
        t->crowd_base = d->crowd_base > t->crowd_base ? d->crowd_base : t->crowd_base;
        t->crowd_varied = d->crowd_varied > t->crowd_varied ? d->crowd_varied : t->crowd_varied;
        t->crowd_unmet = d->crowd_unmet > t->crowd_unmet ? d->crowd_unmet : t->crowd_unmet;
    }
}

/* A thread's loop: the next household of the batch, whole, until none is left (households in
 * increasing order). */
static void *pool_work(void *arg)
{
    pool_worker *w = arg;
    cycle_pool *p = w->p;
    run *r = w->r;
    const ra_cycle_book *b = r->b;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t j = p->next++;
        pthread_mutex_unlock(&p->lock);
        if (j >= p->n_jobs)
            break;
        hh_job *job = &p->jobs[j];
        r->st = &job->st;
        cycle_household_enter(r, b->acc[job->first].household, job->first);
        size_t slot = job->slot;
        for (size_t a = job->first; a < job->end && job->rc == RA_OK; a++)
            if (!b->acc[a].done) {
                job->rc = cycle_account_day(r, a, &p->outs[slot], &job->err);
                p->days[slot] = p->outs[slot].day;
                p->days[slot].account_id = b->acc[a].id;
                slot++;
            }
    }
    return NULL;
}

static void pool_close(cycle_pool *p)
{
    for (unsigned t = 1; t < p->n_threads && p->runs; t++)
        cycle_run_free(&p->runs[t]);
    if (p->have_lock)
        pthread_mutex_destroy(&p->lock);
    RA_FREE_ALL(p->runs, p->outs, p->days, p->jobs);
    memset(p, 0, sizeof *p);
}

/* The pool for run r (its book and options): o->threads threads (0 counts as 1), room for a
 * batch of o->batch accounts and the largest household. */
static ra_status pool_open(cycle_pool *p, run *r, const ra_cycle_options *o, ra_err *err)
{
    const ra_cycle_book *b = r->b;
    memset(p, 0, sizeof *p);
    p->n_threads = o->threads ? o->threads : 1;
    if (p->n_threads > RA_CYCLE_MAX_THREADS)
        return ra_err_set(err, RA_EINVAL, NULL, "threads must be at most %d, got %u",
                          RA_CYCLE_MAX_THREADS, p->n_threads);
    /* a batch takes whole households: room for the batch and the largest household */
    p->batch = o->batch ? o->batch : RA_CYCLE_DEFAULT_BATCH;
    size_t largest = 0;
    for (size_t i = 0, start = 0; i <= b->n_acc; i++)
        if (i == b->n_acc || b->acc[i].household != b->acc[start].household) {
            if (i - start > largest)
                largest = i - start;
            start = i;
        }
    size_t room = p->batch + largest;
    p->outs = ra_calloc(room, sizeof *p->outs);
    p->days = ra_calloc(room, sizeof *p->days);
    p->jobs = ra_calloc(room, sizeof *p->jobs);
    p->runs = ra_calloc(p->n_threads, sizeof *p->runs);
    if (!p->outs || !p->days || !p->jobs || !p->runs) {
        ra_status rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a batch of %zu "
                                  "accounts", room);
        pool_close(p);
        return rc;
    }
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        pool_close(p);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not create the threads' lock");
    }
    p->have_lock = 1;
    p->main = r;
    unsigned t = 1;
    ra_status rc = RA_OK;
    for (; t < p->n_threads && rc == RA_OK; t++)
        rc = cycle_run_clone(&p->runs[t], r, err);
    if (rc != RA_OK) {
        p->n_threads = t; /* the clones made so far, the failed one included, are freed */
        pool_close(p);
    }
    return rc;
}

/* Computes the next batch from account *a on: whole households until at least p->batch accounts
 * not done yet are taken; *k of them are in p->outs and p->days, in book order; *a moves past the
 * batch. Done accounts count in the caller's stats as skipped; the households' stats are added
 * to it in order. The first household's error in book order is the batch's. */
static ra_status pool_batch(cycle_pool *p, size_t *a, size_t n_acc, size_t *k, ra_err *err)
{
    const ra_cycle_book *b = p->main->b;
    ra_cycle_stats *st = p->main->st;
    size_t at = *a, slot = 0;
    p->n_jobs = 0;
    while (at < n_acc && slot < p->batch) {
        size_t first = at, from = slot;
        uint32_t h = b->acc[at].household;
        for (; at < n_acc && b->acc[at].household == h; at++)
            if (b->acc[at].done)
                st->skipped++;
            else
                slot++;
        if (slot == from)
            continue; /* done whole: no job (so that the jobs fit the batch's room) */
        hh_job *job = &p->jobs[p->n_jobs++];
        memset(job, 0, sizeof *job);
        job->first = first;
        job->end = at;
        job->slot = from;
    }
    p->next = 0;
    pthread_t tid[RA_CYCLE_MAX_THREADS];
    pool_worker w[RA_CYCLE_MAX_THREADS];
    int started[RA_CYCLE_MAX_THREADS] = {0};
    unsigned nt = p->n_threads;
    if (nt > p->n_jobs)
        nt = p->n_jobs ? (unsigned)p->n_jobs : 1;
    for (unsigned t = 0; t < nt; t++)
        w[t] = (pool_worker){p, t ? &p->runs[t] : p->main};
    for (unsigned t = 1; t < nt; t++)
        started[t] = pthread_create(&tid[t], NULL, pool_work, &w[t]) == 0;
    pool_work(&w[0]); /* a thread that could not start leaves its households to the others */
    for (unsigned t = 1; t < nt; t++)
        if (started[t])
            pthread_join(tid[t], NULL);
    ra_status rc = RA_OK;
    for (size_t j = 0; j < p->n_jobs; j++) {
        ra_cycle_stats_add(st, &p->jobs[j].st);
        if (rc == RA_OK && p->jobs[j].rc != RA_OK) {
            rc = p->jobs[j].rc;
            if (err)
                *err = p->jobs[j].err;
        }
    }
    p->main->st = st;
    *a = at;
    *k = slot;
    return rc;
}

/* The start of a run: the stats cleared (engine version and the settings' hash set), the
 * arguments checked. */
static ra_status day_start(ra_store *s, const ra_store_actor *actor, const ra_cycle_options *o,
                           ra_cycle_stats *st, ra_err *err)
{
    memset(st, 0, sizeof *st);
    snprintf(st->engine_version, sizeof st->engine_version, "%s", ra_cycle_engine_version());
    if (!s || !actor || !o)
        return ra_err_set(err, RA_EINVAL, NULL, "the cycle needs a store, an actor and options");
    if (o->window_days < 0 || o->cash_reserve < 0 || o->cash_reserve >= 1)
        return ra_err_set(err, RA_EINVAL, NULL, "bad cycle options: window %d days, cash reserve "
                          "%g", o->window_days, o->cash_reserve);
    run r = {.o = o};
    cycle_settings_hash(&r, st->config_hash);
    return RA_OK;
}

/* The day's book with its prices checked; with execute_close the open orders of earlier days
 * filled first (fills 1), and the book read again after them. */
static ra_status day_book(ra_store *s, const ra_store_actor *actor, const ra_cycle_options *o,
                          int fills, ra_cycle_stats *st, ra_cycle_book **out, ra_err *err)
{
    ra_cycle_book *b = NULL;
    ra_status rc = ra_store_cycle_book_load(s, actor->firm, o->date, o->window_days, &b, err);
    if (rc == RA_OK)
        rc = check_prices(b, err);
    if (rc == RA_OK && fills) /* a client's confirmation is due before the next day's cycle */
        rc = ra_store_proposals_lapse_unconfirmed(s, actor, o->date, &st->lapsed_unconfirmed,
                                                  err);
    if (rc == RA_OK && fills && o->execute_close) {
        size_t before = st->fills;
        rc = fill_open_orders(s, actor, o->date, o, b->minor_digits, st, err);
        if (rc == RA_OK && st->fills > before) { /* they changed lots and cash: read it again */
            ra_cycle_book_destroy(b);
            b = NULL;
            rc = ra_store_cycle_book_load(s, actor->firm, o->date, o->window_days, &b, err);
        }
    }
    if (rc != RA_OK) {
        ra_cycle_book_destroy(b);
        b = NULL;
    }
    *out = b;
    return rc;
}

/* One batch computed by pool p from account a on (batch_compute; on its own thread while the
 * calling thread writes the batch before it): the batch's size k, the next account a, its
 * status and its counts (skipped accounts included), added to the day's by the caller. */
typedef struct batch_task {
    cycle_pool *p;
    size_t a, n_acc, k;
    ra_status rc;
    ra_err err;
    ra_cycle_stats st;
} batch_task;

static void *batch_compute(void *arg)
{
    batch_task *t = arg;
    memset(&t->st, 0, sizeof t->st);
    memset(&t->err, 0, sizeof t->err);
    t->p->main->st = &t->st;
    t->rc = pool_batch(t->p, &t->a, t->n_acc, &t->k, &t->err);
    return NULL;
}

/* The day's batches computed and written in book order. With one thread each batch is computed,
 * then written. With more, the next batch is computed by a second pool (its own runs, the same
 * shared book) while the calling thread writes the batch before it: the writes (SQLite's single
 * writer) no longer wait for the computation. The rows written are the same either way (the
 * tests compare them); the counts are added batch by batch in order. */
static ra_status run_batches(ra_store *s, const ra_store_actor *actor, const ra_cycle_options *o,
                             run *r, ra_cycle_stats *st, ra_err *err)
{
    const ra_cycle_book *b = r->b;
    int pipe = o->threads > 1;
    run r2;
    memset(&r2, 0, sizeof r2);
    cycle_pool pool[2];
    memset(pool, 0, sizeof pool);
    ra_status rc = pool_open(&pool[0], r, o, err);
    if (rc == RA_OK && pipe) {
        rc = cycle_run_clone(&r2, r, err);
        if (rc == RA_OK)
            rc = pool_open(&pool[1], &r2, o, err);
    }
    batch_task t[2];
    memset(t, 0, sizeof t);
    int cur = 0;
    t[0] = (batch_task){.p = &pool[0], .a = 0, .n_acc = b->n_acc};
    if (rc == RA_OK && b->n_acc)
        batch_compute(&t[0]);
    while (rc == RA_OK) {
        ra_cycle_stats_add(st, &t[cur].st);
        st->skipped += t[cur].st.skipped;
        if (t[cur].rc != RA_OK) {
            rc = t[cur].rc;
            if (err)
                *err = t[cur].err;
            break;
        }
        /* the next batch: computed now on the other pool (pipelined) or after this write */
        int nxt = pipe ? 1 - cur : cur, more = t[cur].a < b->n_acc;
        pthread_t tid;
        int started = 0;
        batch_task next = {.p = &pool[nxt], .a = t[cur].a, .n_acc = b->n_acc};
        if (pipe && more) {
            t[nxt] = next;
            started = pthread_create(&tid, NULL, batch_compute, &t[nxt]) == 0;
            if (!started)
                batch_compute(&t[nxt]); /* no thread: computed here, first */
        }
        size_t skipped = 0;
        if (t[cur].k)
            rc = ra_store_cycle_put(s, actor, pool[cur].days, t[cur].k, &skipped, err);
        st->skipped += skipped;
        for (size_t i = 0; i < t[cur].k; i++)
            cycle_acct_out_free(&pool[cur].outs[i]);
        if (o->progress)
            o->progress(o->progress_ctx, t[cur].a, b->n_acc);
        if (started)
            pthread_join(tid, NULL);
        if (!more)
            break;
        if (!pipe) {
            t[nxt] = next;
            if (rc == RA_OK)
                batch_compute(&t[nxt]);
        }
        if (rc != RA_OK) { /* the next batch was computed but is not written */
            for (size_t i = 0; i < t[nxt].k; i++)
                cycle_acct_out_free(&pool[nxt].outs[i]);
            break;
        }
        cur = nxt;
    }
    pool_close(&pool[0]);
    pool_close(&pool[1]);
    if (pipe)
        cycle_run_free(&r2);
    r->st = st;
    return rc;
}

ra_status ra_cycle_run_day(ra_store *s, const ra_store_actor *actor, const ra_cycle_options *o,
                           ra_cycle_stats *st, ra_err *err)
{
    ra_cycle_stats local;
    if (!st)
        st = &local;
    ra_cycle_book *b = NULL;
    ra_status rc = day_start(s, actor, o, st, err);
    if (rc == RA_OK)
        rc = day_book(s, actor, o, 1, st, &b, err);
    if (rc != RA_OK)
        return rc;
    run r = {.s = s, .actor = actor, .o = o, .b = b, .st = st, .household = UINT32_MAX};
    cycle_risk *risk = NULL;
    cycle_firm *firm = NULL;
    rc = cycle_run_alloc(&r, err);
    if (rc == RA_OK)
        rc = cycle_risk_load(s, actor->firm, b, &risk, err);
    if (rc == RA_OK) /* the day's firm-wide figures, computed by the day's first run */
        rc = cycle_firm_load(s, actor, o, b, 1, &firm, err);
    r.risk = risk;
    r.firm = firm;
    cycle_firm_stats(firm, st);
    struct cycle_tiers *tiers = NULL;
    if (rc == RA_OK)
        rc = cycle_tiers_load(s, actor->firm, b, &tiers, err);
    r.tiers = tiers;
    st->accounts = b->n_acc;
    if (rc == RA_OK)
        rc = ra_store_cycle_run_put(s, actor, o->date, st->engine_version, st->config_hash,
                                    (int64_t)b->n_acc, 0, 0, 0, err);
    if (rc == RA_OK)
        rc = run_batches(s, actor, o, &r, st, err);
    if (rc == RA_OK)
        rc = ra_store_cycle_run_put(s, actor, o->date, st->engine_version, st->config_hash,
                                    (int64_t)b->n_acc, (int64_t)st->proposals,
                                    (int64_t)st->orders, 1, err);
    cycle_run_free(&r);
    cycle_risk_free(risk);
    cycle_firm_free(firm);
    cycle_tiers_free(tiers);
    ra_cycle_book_destroy(b);
    return rc;
}

/* ---- several workers on one PostgreSQL database ------------------------------------------------ */

/* The day's batches: from account 0 on, whole households until `batch` accounts not done are
 * taken (the cut pool_batch makes in a single run). */
ra_status cycle_plan_batches(const ra_cycle_book *b, size_t batch, ra_cycle_batch **out,
                            size_t *n, ra_err *err)
{
    size_t cap = 0, nb = 0;
    ra_cycle_batch *v = NULL;
    for (size_t at = 0; at < b->n_acc;) {
        size_t first = at, slot = 0;
        while (at < b->n_acc && slot < batch) {
            uint32_t h = b->acc[at].household;
            for (; at < b->n_acc && b->acc[at].household == h; at++)
                slot += !b->acc[at].done;
        }
        if (!slot)
            continue; /* done already, every account of it */
        if (ra_grow((void **)&v, &cap, nb + 1, sizeof *v)) {
            ra_free(v);
            return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's batches");
        }
        ra_cycle_batch *x = &v[nb];
        memset(x, 0, sizeof *x);
        x->n = (int64_t)nb++;
        x->first_ix = first;
        x->end_ix = at;
        memcpy(x->first_account, b->acc[first].code, RA_CODE_MAX);
        memcpy(x->last_account, b->acc[at - 1].code, RA_CODE_MAX);
    }
    *out = v;
    *n = nb;
    return RA_OK;
}

/* The first worker of the day plans it (in one transaction, under the firm's lock: the open
 * orders of earlier days filled, the batches stored, the run's start recorded); the others find
 * it planned. */
static ra_status worker_plan(ra_store *s, const ra_store_actor *actor, const ra_cycle_options *o,
                             ra_cycle_stats *st, ra_err *err)
{
    ra_status rc = ra_store_begin(s, err);
    if (rc != RA_OK)
        return rc;
    int planned = 0;
    rc = ra_store_cycle_plan_lock(s, actor, o->date, &planned, err);
    ra_cycle_book *b = NULL;
    ra_cycle_batch *v = NULL;
    size_t n = 0;
    if (rc == RA_OK && !planned)
        rc = day_book(s, actor, o, 1, st, &b, err);
    if (rc == RA_OK && !planned)
        rc = cycle_plan_batches(b, o->batch ? o->batch : RA_CYCLE_DEFAULT_BATCH, &v, &n, err);
    if (rc == RA_OK && !planned)
        rc = ra_store_cycle_plan_put(s, actor, o->date, v, n, err);
    cycle_firm *firm = NULL; /* the coordinating step: the day's firm-wide figures stored */
    if (rc == RA_OK && !planned)
        rc = cycle_firm_load(s, actor, o, b, 1, &firm, err);
    cycle_firm_free(firm);
    if (rc == RA_OK && !planned)
        rc = ra_store_cycle_run_put(s, actor, o->date, st->engine_version, st->config_hash,
                                    (int64_t)b->n_acc, 0, 0, 0, err);
    ra_free(v);
    ra_cycle_book_destroy(b);
    if (rc == RA_OK)
        return ra_store_commit(s, err);
    (void)ra_store_rollback(s, NULL);
    return rc;
}

/* The accounts [*first, *end) of batch x in book b: where the planner saw them, or found by
 * their codes when the book has changed since. */
ra_status cycle_batch_range(const ra_cycle_book *b, const ra_cycle_batch *x, size_t *first,
                          size_t *end, ra_err *err)
{
    if (x->first_ix < x->end_ix && x->end_ix <= b->n_acc &&
        strcmp(b->acc[x->first_ix].code, x->first_account) == 0 &&
        strcmp(b->acc[x->end_ix - 1].code, x->last_account) == 0) {
        *first = x->first_ix;
        *end = x->end_ix;
        return RA_OK;
    }
    size_t i = 0;
    while (i < b->n_acc && strcmp(b->acc[i].code, x->first_account) != 0)
        i++;
    size_t j = i;
    while (j < b->n_acc && strcmp(b->acc[j].code, x->last_account) != 0)
        j++;
    if (j == b->n_acc)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "batch %lld of the day (accounts %s to %s) "
                          "is not in the book", (long long)x->n, x->first_account,
                          x->last_account);
    *first = i;
    *end = j + 1;
    return RA_OK;
}

/* Claims and runs batches until none is left: each in one transaction with its claim, its
 * accounts' writes and its done mark. */
static ra_status worker_claims(ra_store *s, const ra_store_actor *actor, const ra_cycle_options *o,
                               const char *worker, cycle_pool *pool, ra_err *err)
{
    const ra_cycle_book *b = pool->main->b;
    ra_status rc = RA_OK;
    int64_t last = -1;
    for (;;) {
        rc = ra_store_begin(s, err);
        if (rc != RA_OK)
            return rc;
        ra_cycle_batch x;
        int found = 0;
        size_t a = 0, end = 0;
        rc = ra_store_cycle_batch_claim(s, actor, o->date, &x, &found, err);
        if (rc == RA_OK && found && x.n == last) /* marked done, yet claimed again */
            rc = ra_err_set(err, RA_EINTERNAL, NULL, "batch %lld of the day was claimed again "
                            "after it was done", (long long)x.n);
        last = x.n;
        if (rc == RA_OK && found)
            rc = cycle_batch_range(b, &x, &a, &end, err);
        while (rc == RA_OK && found && a < end) { /* in pieces of the pool's room */
            size_t k = 0, skipped = 0;
            rc = pool_batch(pool, &a, end, &k, err);
            if (rc == RA_OK && k)
                rc = ra_store_cycle_put(s, actor, pool->days, k, &skipped, err);
            pool->main->st->skipped += skipped;
            for (size_t i = 0; i < k; i++)
                cycle_acct_out_free(&pool->outs[i]);
        }
        if (rc == RA_OK && found)
            rc = ra_store_cycle_batch_done(s, actor, o->date, x.n, worker, err);
        if (rc != RA_OK || !found) {
            (void)ra_store_rollback(s, NULL);
            return rc;
        }
        rc = ra_store_commit(s, err);
        if (rc != RA_OK)
            return rc;
        if (o->progress)
            o->progress(o->progress_ctx, end, b->n_acc);
    }
}

/* The last worker to finish records the run as finished, with the day's counts. */
static ra_status worker_finish(ra_store *s, const ra_store_actor *actor, const ra_cycle_options *o,
                               const ra_cycle_stats *st, ra_err *err)
{
    ra_status rc = ra_store_begin(s, err);
    if (rc != RA_OK)
        return rc;
    int planned = 0;
    int64_t left = 0, proposals = 0, orders = 0;
    rc = ra_store_cycle_plan_lock(s, actor, o->date, &planned, err);
    if (rc == RA_OK)
        rc = ra_store_cycle_day_counts(s, actor->firm, o->date, &left, &proposals, &orders, err);
    if (rc == RA_OK && left <= 0) /* -1: no batch, every account was done when it was planned */
        rc = ra_store_cycle_run_put(s, actor, o->date, st->engine_version, st->config_hash,
                                    (int64_t)st->accounts, proposals, orders, 1, err);
    if (rc == RA_OK)
        return ra_store_commit(s, err);
    (void)ra_store_rollback(s, NULL);
    return rc;
}

ra_status ra_cycle_run_worker(ra_store *s, const ra_store_actor *actor,
                              const ra_cycle_options *o, const char *worker, ra_cycle_stats *st,
                              ra_err *err)
{
    ra_cycle_stats local;
    if (!st)
        st = &local;
    if (s && strcmp(ra_store_backend(s), "postgresql") != 0)
        return ra_cycle_run_day(s, actor, o, st, err); /* one writer: the ordinary run */
    ra_status rc = day_start(s, actor, o, st, err);
    if (rc == RA_OK)
        rc = worker_plan(s, actor, o, st, err);
    ra_cycle_book *b = NULL;
    if (rc == RA_OK)
        rc = day_book(s, actor, o, 0, st, &b, err);
    if (rc != RA_OK)
        return rc;
    st->accounts = b->n_acc;
    run r = {.s = s, .actor = actor, .o = o, .b = b, .st = st, .household = UINT32_MAX};
    cycle_pool pool;
    memset(&pool, 0, sizeof pool);
    cycle_risk *risk = NULL;
    cycle_firm *firm = NULL;
    rc = cycle_run_alloc(&r, err);
    if (rc == RA_OK)
        rc = cycle_risk_load(s, actor->firm, b, &risk, err);
    if (rc == RA_OK) /* as the planner stored them */
        rc = cycle_firm_load(s, actor, o, b, 0, &firm, err);
    r.risk = risk;
    r.firm = firm;
    cycle_firm_stats(firm, st);
    struct cycle_tiers *tiers = NULL;
    if (rc == RA_OK)
        rc = cycle_tiers_load(s, actor->firm, b, &tiers, err);
    r.tiers = tiers;
    if (rc == RA_OK)
        rc = pool_open(&pool, &r, o, err);
    if (rc == RA_OK)
        rc = worker_claims(s, actor, o, worker, &pool, err);
    if (rc == RA_OK)
        rc = worker_finish(s, actor, o, st, err);
    pool_close(&pool);
    cycle_run_free(&r);
    cycle_risk_free(risk);
    cycle_firm_free(firm);
    cycle_tiers_free(tiers);
    ra_cycle_book_destroy(b);
    return rc;
}
