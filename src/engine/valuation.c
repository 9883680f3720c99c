/* Mark-to-market valuation as of a date by replaying each account's ledger
 * (include/roboadvisor/engine_valuation.h; docs/methodology.md#valuation). */
#include "roboadvisor/engine_valuation.h"
#include "roboadvisor/alloc.h"
#include "roboadvisor/money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The firm's securities: store id, ticker and its latest price on or before the date (-1 none). */
typedef struct priced {
    uint32_t id;
    char ticker[RA_CODE_MAX];
    ra_price price;
    ra_micro qty; /* the account being valued */
} priced;

static int cmp_id(const void *a, const void *b)
{
    uint32_t x = ((const priced *)a)->id, y = ((const priced *)b)->id;
    return x < y ? -1 : x > y;
}

static ra_status price_list(ra_store *s, const char *firm, ra_date date, priced **out, size_t *n,
                            ra_err *err)
{
    ra_security *secs = NULL;
    size_t ns = 0;
    *out = NULL;
    *n = 0;
    ra_status rc = ra_store_security_list(s, firm, 0, &secs, &ns, err);
    if (rc != RA_OK)
        return rc;
    priced *p = ra_calloc(ns ? ns : 1, sizeof *p);
    if (!p)
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the valuation");
    for (size_t i = 0; i < ns && rc == RA_OK; i++) {
        snprintf(p[i].ticker, sizeof p[i].ticker, "%s", secs[i].ticker);
        rc = ra_store_security_id(s, firm, secs[i].ticker, &p[i].id, err);
        if (rc != RA_OK)
            break;
        ra_err e = {0};
        ra_status pr = ra_store_price_latest(s, firm, secs[i].ticker, date, &p[i].price, NULL, &e);
        if (pr == RA_ENOTFOUND)
            p[i].price = -1;
        else if (pr != RA_OK) {
            if (err)
                *err = e;
            rc = pr;
        }
    }
    ra_store_free(secs);
    if (rc != RA_OK) {
        ra_free(p);
        return rc;
    }
    qsort(p, ns, sizeof *p, cmp_id);
    *out = p;
    *n = ns;
    return RA_OK;
}

/* One account as of date: NULL-valued (*skip) when opened after it. */
static ra_status value_account(ra_store *s, const char *firm, const char *code, ra_date date,
                               priced *p, size_t np, ra_account_value *v, int *skip, ra_err *err)
{
    ra_account a;
    *skip = 0;
    ra_status rc = ra_store_account_get(s, firm, code, &a, err);
    if (rc != RA_OK)
        return rc;
    if (a.opened > date) {
        *skip = 1;
        return RA_OK;
    }
    ra_txn *txns = NULL;
    size_t nt = 0;
    int digits = 2;
    if ((rc = ra_store_account_txns(s, firm, code, date, &txns, &nt, &digits, err)) != RA_OK)
        return rc;
    ra_ledger_settings set;
    ra_ledger_settings_default(&set);
    set.minor_digits = digits;
    ra_ledger l;
    rc = ra_ledger_replay(txns, nt, &set, NULL, &l, err);
    ra_store_free(txns);
    if (rc != RA_OK)
        return rc;
    memset(v, 0, sizeof *v);
    snprintf(v->account, sizeof v->account, "%s", code);
    v->cash_minor = l.cash_minor;
    for (size_t k = 0; k < np; k++)
        p[k].qty = 0;
    for (size_t i = 0; i < l.n_lots; i++) {
        priced key = {l.lots[i].security, "", 0, 0};
        priced *hit = bsearch(&key, p, np, sizeof *p, cmp_id);
        if (hit)
            hit->qty += l.lots[i].qty_micro;
    }
    ra_ledger_free(&l);
    for (size_t k = 0; k < np && rc == RA_OK; k++) { /* ticker order is not needed: sums */
        if (!p[k].qty)
            continue;
        if (p[k].price < 0) {
            v->n_unpriced++;
            continue;
        }
        ra_minor val = 0;
        rc = ra_money_value(p[k].qty, p[k].price, digits, &val, err);
        if (rc == RA_OK && __builtin_add_overflow(v->securities_minor, val, &v->securities_minor))
            rc = ra_err_set(err, RA_EINVAL, NULL, "account %s: value overflows", code);
    }
    if (rc == RA_OK && __builtin_add_overflow(v->cash_minor, v->securities_minor, &v->total_minor))
        rc = ra_err_set(err, RA_EINVAL, NULL, "account %s: value overflows", code);
    return rc;
}

ra_status ra_valuation_compute(ra_store *s, const char *firm, ra_date date,
                               ra_account_value **out, size_t *n, ra_minor *total_minor,
                               ra_err *err)
{
    *out = NULL;
    *n = 0;
    if (total_minor)
        *total_minor = 0;
    char (*codes)[RA_CODE_MAX] = NULL;
    size_t nc = 0, np = 0;
    priced *p = NULL;
    ra_status rc = ra_store_account_list(s, firm, &codes, &nc, err);
    if (rc == RA_OK)
        rc = price_list(s, firm, date, &p, &np, err);
    ra_account_value *v = rc == RA_OK ? ra_calloc(nc ? nc : 1, sizeof *v) : NULL;
    if (rc == RA_OK && !v)
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the valuation");
    size_t k = 0;
    ra_minor total = 0;
    for (size_t i = 0; i < nc && rc == RA_OK; i++) {
        int skip = 0;
        rc = value_account(s, firm, codes[i], date, p, np, &v[k], &skip, err);
        if (rc == RA_OK && !skip) {
            if (__builtin_add_overflow(total, v[k].total_minor, &total))
                rc = ra_err_set(err, RA_EINVAL, NULL, "firm %s: value overflows", firm);
            k++;
        }
    }
    ra_store_free(codes);
    ra_free(p);
    if (rc != RA_OK) {
        ra_free(v);
        return rc;
    }
    *out = v;
    *n = k;
    if (total_minor)
        *total_minor = total;
    return RA_OK;
}
