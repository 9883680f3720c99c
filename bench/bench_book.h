/* The book of bench_cycle (issue 12), shared with bench_monitor: a firm of 20 ETFs in 4 asset
 * classes, five models, N accounts opened in bulk with K lots each (setup_book; described in
 * bench_cycle.c's header), and the benches' clocks. Header-only (static): each bench_*.c is its
 * own program. Define BENCH_NAME (the program's name, for messages) before including it. */
#ifndef RA_BENCH_BOOK_H
#define RA_BENCH_BOOK_H

#include "store/store_int.h"

#include <roboadvisor/rules.h>
#include <roboadvisor/store_models.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define N_SEC 20
#define PER_TXN 10000

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of the process (user + system): the run's own work, whatever else the machine is
 * running (the wall-clock figure is not, on a shared machine). */
static inline double cpu_s(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

static inline long peak_rss_kib(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

static inline int die(const char *what, const ra_err *err)
{
    fprintf(stderr, BENCH_NAME ": %s: %s%s%s\n", what, err->where, err->where[0] ? ": " : "",
            err->msg);
    return 1;
}

static const char *const CLASSES[4] = {"us_equity", "intl_equity", "bonds", "real_assets"};

static inline void ticker(char *b, size_t n, size_t i) { snprintf(b, n, "E%02zu", i); }

/* The run day's close of security i: 100.00 moved by -3 % .. +3 %, so that most accounts stay
 * in band and are only marked. */
static inline ra_price close_of(size_t i) { return 100000000 + (ra_price)(((long)i * 7 % 11) - 5) * 600000; }

/* ---- 2. the run -------------------------------------------------------------------------------- */

static inline ra_status setup_book(ra_store *st, const ra_store_actor *a, size_t n_acc, size_t k,
                            ra_date d0, ra_date d1, ra_err *err)
{
    ra_firm f = {"BENCH", "Bench Firm", "USD", 2};
    ra_status rc = ra_store_firm_put(st, a, &f, err);
    for (size_t i = 0; i < N_SEC && rc == RA_OK; i++) {
        ra_security x;
        memset(&x, 0, sizeof x);
        ticker(x.ticker, sizeof x.ticker, i);
        snprintf(x.name, sizeof x.name, "ETF %zu", i);
        snprintf(x.asset_class, sizeof x.asset_class, "%s", CLASSES[i % 4]);
        snprintf(x.tlh_group, sizeof x.tlh_group, "G%zu", i / 2);
        snprintf(x.currency, sizeof x.currency, "USD");
        x.risk_level = i % 4 == 2 ? 2 : 4;
        x.lot_size = 1;
        x.on_shelf = 1;
        rc = ra_store_security_put(st, a, &x, err);
    }
    ra_price_obs obs[2 * N_SEC];
    for (size_t i = 0; i < N_SEC; i++) {
        memset(&obs[2 * i], 0, 2 * sizeof obs[0]);
        ticker(obs[2 * i].ticker, RA_CODE_MAX, i);
        ticker(obs[2 * i + 1].ticker, RA_CODE_MAX, i);
        obs[2 * i].date = d0;
        obs[2 * i].price = 100000000;
        obs[2 * i + 1].date = d1;
        obs[2 * i + 1].price = close_of(i);
    }
    if (rc == RA_OK)
        rc = ra_store_prices_put(st, a, obs, 2 * N_SEC, 0, NULL, err);
    for (int m = 0; m < 5 && rc == RA_OK; m++) { /* model Mm: 8 ETFs, even weights */
        ra_model md;
        memset(&md, 0, sizeof md);
        snprintf(md.code, sizeof md.code, "M%d", m);
        snprintf(md.method, sizeof md.method, "manual");
        md.expected_return = md.volatility = NAN;
        md.n = 8;
        for (size_t j = 0; j < 8; j++) {
            ticker(md.w[j].ticker, RA_CODE_MAX, (size_t)(2 * ((j + (size_t)m) % 10)));
            md.w[j].weight = 0.125;
        }
        rc = ra_models_validate(&md, err);
        if (rc == RA_OK)
            rc = ra_models_put(st, a, &md, NULL, NULL, err);
    }
    size_t n_cli = (n_acc + 1) / 2;
    for (size_t first = 0; first < n_cli && rc == RA_OK; first += PER_TXN) {
        rc = ra_store_begin(st, err);
        for (size_t i = first; i < n_cli && i < first + PER_TXN && rc == RA_OK; i++) {
            ra_client c;
            memset(&c, 0, sizeof c);
            snprintf(c.code, sizeof c.code, "C%07zu", i);
            snprintf(c.household, sizeof c.household, "H%07zu", i / 2);
            snprintf(c.name, sizeof c.name, "Client %zu", i);
            rc = ra_store_client_put(st, a, &c, err);
        }
        rc = rc == RA_OK ? ra_store_commit(st, err) : (ra_store_rollback(st, NULL), rc);
    }
    ra_account *acc = calloc(PER_TXN, sizeof *acc);
    ra_store_opening *op = calloc(PER_TXN, sizeof *op);
    ra_store_lot_in *lots = calloc(PER_TXN * k, sizeof *lots);
    for (size_t first = 0; first < n_acc && rc == RA_OK; first += PER_TXN) {
        size_t n = 0;
        for (size_t i = first; i < n_acc && n < PER_TXN; i++, n++) {
            ra_account *x = &acc[n];
            memset(x, 0, sizeof *x);
            snprintf(x->code, sizeof x->code, "A%07zu", i);
            snprintf(x->client, sizeof x->client, "C%07zu", i / 2);
            x->type = i % 3 == 0 ? RA_ACCOUNT_TAX_DEFERRED : RA_ACCOUNT_TAXABLE;
            snprintf(x->currency, sizeof x->currency, "USD");
            x->opened = d0;
            /* the defaults a firm's mandate starts from (relative band, tax-aware relief, no
             * gain budget), then this book's own */
            ra_rule_mandate_default(&x->mandate);
            snprintf(x->mandate.model, sizeof x->mandate.model, "M%zu", i % 5);
            x->mandate.discretionary = i % 10 != 0;
            x->mandate.drift_band = 0.05;
            x->mandate.tlh_enabled = 1;
            x->mandate.loss_limit = 0.10;
            x->mandate.cash_reserve = 0.01;
            op[n].account = x;
            op[n].date = d0;
            op[n].cash_minor = (ra_minor)k * 2000 * 100 / 99; /* the 1 % cash reserve */
            op[n].lots = &lots[n * k];
            op[n].n_lots = k;
            for (size_t j = 0; j < k; j++) {
                ra_store_lot_in *l = &lots[n * k + j];
                memset(l, 0, sizeof *l);
                ticker(l->ticker, sizeof l->ticker, (2 * ((j + i % 5) % 10)) % N_SEC);
                l->acquired = d0 - 365 + (ra_date)(j * 3);
                l->qty_micro = 20000000; /* 20 shares: near the model's even weights */
                /* 100.00 a share; 110.00 in one account in ten */
                l->basis_minor = l->qty_micro / 100 * (i % 10 == 1 ? 11 : 10) / 10;
            }
        }
        rc = ra_store_begin(st, err);
        if (rc == RA_OK)
            rc = ra_store_accounts_open_bulk(st, a, op, n, err);
        rc = rc == RA_OK ? ra_store_commit(st, err) : (ra_store_rollback(st, NULL), rc);
    }
    free(acc);
    free(op);
    free(lots);
    return rc;
}

static inline void bench_actor(ra_store_actor *a)
{
    memset(a, 0, sizeof *a);
    snprintf(a->user, sizeof a->user, "bench");
    snprintf(a->firm, sizeof a->firm, "BENCH");
}

static inline void bench_key(ra_store *st)
{
    uint8_t key[RA_STORE_KEY_BYTES];
    ra_err err = {0};
    for (int i = 0; i < RA_STORE_KEY_BYTES; i++)
        key[i] = (uint8_t)(i * 13 + 5);
    if (ra_store_set_firm_key(st, "BENCH", key, &err) != RA_OK)
        die("key", &err);
}

#endif
