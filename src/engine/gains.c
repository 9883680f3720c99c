/* Realised gains and open lots with the wash-sale rule across the household:
 * include/roboadvisor/engine_gains.h; how the book becomes wash-sale events:
 * docs/methodology.md#wash-sales ("The book's events").
 *
 * The household's accounts are found through the public store API (every account of the firm whose
 * client is of the household), each account's transactions are replayed with ra_ledger_apply, and
 * each transaction that moves lots becomes events: buy and reinvest an acquisition that is a
 * purchase, transfer in an acquisition that is not, split one event per lot of the security, sell
 * one relief per lot relieved, transfer out one relief with sale 0. The events of all accounts are
 * merged by (date, account index, the account's transaction order) and given to ra_wash_compute. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/engine_gains.h>
#include <roboadvisor/store_cycle.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOT_BITS 32 /* lot key = account index << 32 | lot id; sale id = (index + 1) << 32 | seq */

void ra_gains_options_default(ra_gains_options *o)
{
    o->window_days = RA_WASH_WINDOW_DAYS_US;
    o->year = 0;
}

typedef struct hh_account {
    char code[RA_CODE_MAX];
    int retirement;
} hh_account;

typedef struct sec_name {
    uint32_t id;
    char ticker[RA_CODE_MAX];
} sec_name;

/* An event with what the report needs about it and its place in the book. */
typedef struct book_event {
    ra_wash_event e;
    uint64_t seq; /* the account's transaction sequence number */
    size_t ord;   /* order of creation: the account's book order */
} book_event;

typedef struct work {
    hh_account *acct;
    size_t n_acct, cap_acct;
    book_event *ev;
    size_t n_ev, cap_ev;
    sec_name *sec;
    size_t n_sec;
    ra_lot_relief *relief;
    size_t cap_relief;
    uint32_t self;   /* the reported account's index */
    int self_digits; /* its currency's minor digits */
    ra_err *err;
} work;

static ra_status nomem(ra_err *err)
{
    return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the gains report");
}

/* Grows *arr (elements of size sz) to hold at least need; RA_ENOMEM on failure. */
static ra_status grow(void **arr, size_t *cap, size_t need, size_t sz, ra_err *err)
{
    return ra_grow(arr, cap, need, sz) == 0 ? RA_OK : nomem(err);
}

static ra_status push(work *w, const ra_wash_event *e, uint64_t seq)
{
    ra_status rc = grow((void **)&w->ev, &w->cap_ev, w->n_ev + 1, sizeof *w->ev, w->err);
    if (rc != RA_OK)
        return rc;
    w->ev[w->n_ev].e = *e;
    w->ev[w->n_ev].seq = seq;
    w->ev[w->n_ev].ord = w->n_ev;
    w->n_ev++;
    return RA_OK;
}

static const ra_lot *lot_by_id(const ra_ledger *l, uint64_t id)
{
    for (size_t i = 0; i < l->n_lots; i++)
        if (l->lots[i].id == id)
            return &l->lots[i];
    return NULL;
}

/* The events of one applied transaction t of account index a (l: the ledger after it). */
static ra_status txn_events(work *w, uint32_t a, const ra_txn *t, const ra_txn_result *res,
                            const ra_ledger *l)
{
    ra_wash_event e;
    memset(&e, 0, sizeof e);
    e.account = a;
    e.date = t->date;
    ra_status rc = RA_OK;
    switch (t->kind) {
    case RA_TXN_BUY:
    case RA_TXN_REINVEST:
    case RA_TXN_TRANSFER_IN:
        for (size_t k = 0; k < res->n_new_lots && rc == RA_OK; k++) {
            const ra_lot *lot = lot_by_id(l, res->first_new_lot_id + k);
            if (!lot)
                return ra_err_set(w->err, RA_EINTERNAL, NULL, "lot %llu is not in the ledger",
                                  (unsigned long long)(res->first_new_lot_id + k));
            e.kind = RA_WASH_ACQUIRE;
            e.security = lot->security;
            e.lot = (uint64_t)a << LOT_BITS | lot->id;
            e.qty_micro = lot->qty_micro;
            e.basis_minor = lot->basis_minor;
            e.acquired = lot->acquired;
            /* a transfer in is not a purchase: it brings lots the client already owned */
            e.purchase = t->kind != RA_TXN_TRANSFER_IN;
            rc = push(w, &e, t->id);
        }
        return rc;
    case RA_TXN_SELL:
    case RA_TXN_TRANSFER_OUT:
        for (size_t k = 0; k < res->n_relief && rc == RA_OK; k++) {
            const ra_lot_relief *r = &res->relief[k];
            e.kind = RA_WASH_RELIEVE;
            e.security = r->security;
            e.lot = (uint64_t)a << LOT_BITS | r->lot_id;
            e.qty_micro = r->qty_micro;
            e.basis_minor = r->basis_minor;
            e.proceeds_minor = t->kind == RA_TXN_SELL ? r->proceeds_minor : 0;
            e.sale = t->kind == RA_TXN_SELL ? ((uint64_t)a + 1) << LOT_BITS | t->id : 0;
            rc = push(w, &e, t->id);
        }
        return rc;
    case RA_TXN_SPLIT:
        for (size_t k = 0; k < l->n_lots && rc == RA_OK; k++) {
            if (l->lots[k].security != t->security)
                continue;
            e.kind = RA_WASH_SPLIT;
            e.security = t->security;
            e.lot = (uint64_t)a << LOT_BITS | l->lots[k].id;
            e.qty_micro = l->lots[k].qty_micro;
            rc = push(w, &e, t->id);
        }
        return rc;
    default:
        return RA_OK;
    }
}

/* Replays account index a's transactions, collecting its events. */
static ra_status replay(work *w, ra_store *s, const char *firm, uint32_t a)
{
    const char *code = w->acct[a].code;
    ra_txn *t = NULL;
    size_t n = 0;
    int digits = 2;
    ra_status rc = ra_store_account_txns(s, firm, code, RA_STORE_DATE_LATEST, &t, &n, &digits,
                                         w->err);
    if (rc != RA_OK)
        return rc;
    if (a == w->self)
        w->self_digits = digits;
    ra_ledger_settings ls;
    ra_ledger_settings_default(&ls);
    ls.minor_digits = digits;
    ra_ledger l;
    rc = ra_ledger_init(&l, &ls, NULL, w->err);
    for (size_t i = 0; i < n && rc == RA_OK; i++) {
        /* a sale or transfer relieves at most every lot held */
        rc = grow((void **)&w->relief, &w->cap_relief, l.n_lots + 1, sizeof *w->relief, w->err);
        if (rc != RA_OK)
            break;
        ra_txn_result res;
        memset(&res, 0, sizeof res);
        res.relief = w->relief;
        res.relief_cap = w->cap_relief;
        rc = ra_ledger_apply(&l, &t[i], &res, w->err);
        if (rc == RA_OK)
            rc = txn_events(w, a, &t[i], &res, &l);
    }
    if (rc != RA_OK && rc != RA_ENOMEM)
        ra_err_wrap(w->err, "account %s", code);
    ra_ledger_free(&l);
    ra_store_free(t);
    return rc;
}

/* The accounts of account's household in the report's currency (in code order), counting the
 * others in *other. Through the household's clients (ra_store_household_accounts): reading every
 * account and client of the firm made each report scan the book (0.5 s at 10,000 accounts). */
static ra_status household(work *w, ra_store *s, const char *firm, const char *account,
                           const char *currency, size_t *other)
{
    char(*codes)[RA_CODE_MAX] = NULL;
    size_t n = 0;
    ra_status rc = ra_store_household_accounts(s, firm, account, &codes, &n, w->err);
    for (size_t i = 0; i < n && rc == RA_OK; i++) {
        ra_account acc;
        if ((rc = ra_store_account_get(s, firm, codes[i], &acc, w->err)) != RA_OK)
            break;
        if (strcmp(acc.currency, currency) != 0) {
            (*other)++;
            continue;
        }
        if ((rc = grow((void **)&w->acct, &w->cap_acct, w->n_acct + 1, sizeof *w->acct,
                       w->err)) != RA_OK)
            break;
        hh_account *h = &w->acct[w->n_acct++];
        snprintf(h->code, sizeof h->code, "%s", acc.code);
        h->retirement = acc.type == RA_ACCOUNT_TAX_DEFERRED || acc.type == RA_ACCOUNT_TAX_FREE;
    }
    ra_store_free(codes);
    return rc;
}

static ra_status securities(work *w, ra_store *s, const char *firm)
{
    ra_security *list = NULL;
    size_t n = 0;
    ra_status rc = ra_store_security_list(s, firm, 0, &list, &n, w->err);
    if (rc != RA_OK)
        return rc;
    w->sec = ra_calloc(n ? n : 1, sizeof *w->sec);
    if (!w->sec)
        rc = nomem(w->err);
    for (size_t i = 0; i < n && rc == RA_OK; i++) {
        rc = ra_store_security_id(s, firm, list[i].ticker, &w->sec[i].id, w->err);
        snprintf(w->sec[i].ticker, sizeof w->sec[i].ticker, "%s", list[i].ticker);
        w->n_sec++;
    }
    ra_store_free(list);
    return rc;
}

static void ticker_of(const work *w, uint32_t id, char out[RA_CODE_MAX])
{
    for (size_t i = 0; i < w->n_sec; i++)
        if (w->sec[i].id == id) {
            snprintf(out, RA_CODE_MAX, "%s", w->sec[i].ticker);
            return;
        }
    snprintf(out, RA_CODE_MAX, "#%u", (unsigned)id);
}

/* Book order: date, then account index, then the account's own order. */
static int cmp_event(const void *x, const void *y)
{
    const book_event *a = x, *b = y;
    if (a->e.date != b->e.date)
        return a->e.date < b->e.date ? -1 : 1;
    if (a->e.account != b->e.account)
        return a->e.account < b->e.account ? -1 : 1;
    return a->ord < b->ord ? -1 : a->ord > b->ord;
}

static int in_year(ra_date d, int year)
{
    int y, m, dd;
    ra_date_to_ymd(d, &y, &m, &dd);
    return year == 0 || y == year;
}

/* The report of account index a from the wash-sale result (events ev sorted, wash events we). */
static ra_status build(work *w, uint32_t a, const ra_wash_result *wr, const ra_wash_event *we,
                       const ra_gains_options *o, ra_gains_report *r)
{
    size_t n_parts = 0, n_open = 0;
    for (size_t k = 0; k < wr->n_parts; k++) {
        const ra_wash_event *e = &we[wr->parts[k].event];
        n_parts += e->account == a && e->sale != 0 && in_year(e->date, o->year);
    }
    for (size_t k = 0; k < wr->n_open; k++)
        n_open += wr->open[k].account == a;
    r->parts = ra_calloc(n_parts ? n_parts : 1, sizeof *r->parts);
    r->sales = ra_calloc(n_parts ? n_parts : 1, sizeof *r->sales); /* at most one per part */
    r->open = ra_calloc(n_open ? n_open : 1, sizeof *r->open);
    if (!r->parts || !r->sales || !r->open)
        return nomem(w->err);
    ra_gains_totals *tt = &r->totals;
    uint64_t last_sale = 0;
    for (size_t k = 0; k < wr->n_parts; k++) {
        const ra_wash_part *wp = &wr->parts[k];
        size_t ei = wp->event;
        const ra_wash_event *e = &we[ei];
        if (e->account != a || e->sale == 0 || !in_year(e->date, o->year))
            continue;
        if (r->n_sales == 0 || e->sale != last_sale) {
            ra_gains_sale *sl = &r->sales[r->n_sales++];
            sl->txn_seq = e->sale & (((uint64_t)1 << LOT_BITS) - 1);
            sl->date = e->date;
            ticker_of(w, e->security, sl->ticker);
            sl->first_part = r->n_parts;
            last_sale = e->sale;
        }
        ra_gains_sale *sl = &r->sales[r->n_sales - 1];
        ra_gains_part *p = &r->parts[r->n_parts++];
        p->lot_id = wp->lot & (((uint64_t)1 << LOT_BITS) - 1);
        p->acquired = wp->acquired;
        p->holding_from = wp->holding_from;
        p->long_term = wp->long_term;
        p->qty_micro = wp->qty_micro;
        p->proceeds_minor = wp->proceeds_minor;
        p->cost_minor = wp->cost_minor;
        p->adjustment_minor = wp->adjustment_minor;
        p->gain_minor = wp->gain_minor;
        p->disallowed_minor = wp->disallowed_minor;
        sl->n_parts++;
        sl->qty_micro += p->qty_micro;
        sl->proceeds_minor += p->proceeds_minor;
        sl->cost_minor += p->cost_minor;
        sl->gain_minor += p->gain_minor;
        sl->disallowed_minor += p->disallowed_minor;
        tt->proceeds_minor += p->proceeds_minor;
        tt->cost_minor += p->cost_minor;
        tt->gain_minor += p->gain_minor;
        tt->disallowed_minor += p->disallowed_minor;
        if (p->long_term)
            tt->long_term_minor += p->gain_minor + p->disallowed_minor;
        else
            tt->short_term_minor += p->gain_minor + p->disallowed_minor;
    }
    for (size_t k = 0; k < wr->n_open; k++) {
        const ra_wash_open *wo = &wr->open[k];
        if (wo->account != a)
            continue;
        ra_gains_open *op = &r->open[r->n_open++];
        op->lot_id = wo->lot & (((uint64_t)1 << LOT_BITS) - 1);
        ticker_of(w, wo->security, op->ticker);
        op->acquired = wo->acquired;
        op->holding_from = wo->holding_from;
        op->qty_micro = wo->qty_micro;
        op->cost_minor = wo->basis_minor + wo->adjustment_minor;
        op->adjustment_minor = wo->adjustment_minor;
        tt->open_cost_minor += op->cost_minor;
        tt->open_adjustment_minor += op->adjustment_minor;
    }
    return RA_OK;
}

static ra_status run(work *w, ra_store *s, const char *firm, const char *account,
                     const ra_gains_options *o, ra_gains_report *r)
{
    ra_account acc;
    ra_status rc = ra_store_account_get(s, firm, account, &acc, w->err);
    if (rc != RA_OK)
        return rc;
    snprintf(r->account, sizeof r->account, "%s", acc.code);
    snprintf(r->currency, sizeof r->currency, "%s", acc.currency);
    if ((rc = household(w, s, firm, acc.code, acc.currency, &r->n_other_currency)) != RA_OK ||
        (rc = securities(w, s, firm)) != RA_OK)
        return rc;
    for (size_t i = 0; i < w->n_acct; i++)
        if (strcmp(w->acct[i].code, acc.code) == 0)
            w->self = (uint32_t)i;
    r->n_household_accounts = w->n_acct;
    for (size_t i = 0; i < w->n_acct && rc == RA_OK; i++)
        rc = replay(w, s, firm, (uint32_t)i);
    if (rc != RA_OK)
        return rc;
    qsort(w->ev, w->n_ev, sizeof *w->ev, cmp_event);
    ra_wash_event *we = ra_calloc(w->n_ev ? w->n_ev : 1, sizeof *we);
    unsigned char *ret = ra_calloc(w->n_acct ? w->n_acct : 1, 1);
    if (!we || !ret)
        rc = nomem(w->err);
    for (size_t i = 0; i < w->n_ev && rc == RA_OK; i++)
        we[i] = w->ev[i].e;
    for (size_t i = 0; i < w->n_acct && rc == RA_OK; i++)
        ret[i] = (unsigned char)w->acct[i].retirement;
    ra_wash_settings ws;
    ra_wash_settings_default(&ws);
    ws.window_days = o->window_days;
    ra_wash_result *wr = NULL;
    if (rc == RA_OK)
        rc = ra_wash_compute(we, w->n_ev, ret, w->n_acct, &ws, &wr, w->err);
    if (rc == RA_OK)
        rc = build(w, w->self, wr, we, o, r);
    else if (rc == RA_EINVAL)
        ra_err_wrap(w->err, "the wash-sale rule over the household of account %s", acc.code);
    r->minor_digits = w->self_digits;
    ra_wash_result_destroy(wr);
    RA_FREE_ALL(we, ret);
    return rc;
}

/* The report's harvest sales (ra_store_harvest_sales) and their totals. */
static ra_status mark_harvests(ra_store *s, const char *firm, ra_gains_report *r, ra_err *err)
{
    uint64_t *seq = NULL;
    size_t n = 0;
    ra_status rc = ra_store_harvest_sales(s, firm, r->account, &seq, &n, err);
    for (size_t i = 0; rc == RA_OK && i < r->n_sales; i++) {
        ra_gains_sale *sl = &r->sales[i];
        for (size_t k = 0; k < n && !sl->harvest; k++)
            sl->harvest = seq[k] == sl->txn_seq;
        for (size_t k = 0; sl->harvest && k < sl->n_parts; k++) {
            const ra_gains_part *p = &r->parts[sl->first_part + k];
            if (p->gain_minor >= 0)
                continue;
            r->totals.harvested_minor += -p->gain_minor;
            r->totals.harvest_disallowed_minor += p->disallowed_minor;
        }
    }
    ra_store_free(seq);
    return rc;
}

ra_status ra_gains_compute(ra_store *s, const char *firm, const char *account,
                           const ra_gains_options *o, ra_gains_report **out, ra_err *err)
{
    *out = NULL;
    ra_gains_options def;
    if (!o) {
        ra_gains_options_default(&def);
        o = &def;
    }
    ra_status rc = ra_wash_window_check(o->window_days, err);
    if (rc != RA_OK)
        return rc;
    if (o->year < 0 || o->year > 9999)
        return ra_err_set(err, RA_EINVAL, NULL, "the year %d is not in 1..9999", o->year);
    work w;
    memset(&w, 0, sizeof w);
    w.err = err;
    ra_gains_report *r = ra_calloc(1, sizeof *r);
    rc = r ? run(&w, s, firm, account, o, r) : nomem(err);
    RA_FREE_ALL(w.acct, w.ev, w.sec, w.relief);
    if (rc == RA_OK)
        rc = mark_harvests(s, firm, r, err);
    if (rc == RA_OK) { /* handed out: nothing left to free */
        *out = r;
        r = NULL;
    }
    ra_gains_report_destroy(r);
    return rc;
}

void ra_gains_report_destroy(ra_gains_report *r)
{
    if (!r)
        return;
    RA_FREE_ALL(r->sales, r->parts, r->open, r);
}

/* ---- losses harvested, per client and year ------------------------------------------------------ */

static ra_status harvest_year(ra_gains_harvest *h, int year, ra_gains_harvest_year **out,
                              ra_err *err)
{
    size_t k = 0;
    while (k < h->n_years && h->years[k].year < year)
        k++;
    if (k == h->n_years || h->years[k].year != year) {
        ra_gains_harvest_year *v = ra_realloc(h->years, (h->n_years + 1) * sizeof *v);
        if (!v)
            return nomem(err);
        h->years = v;
        memmove(&v[k + 1], &v[k], (h->n_years - k) * sizeof *v);
        memset(&v[k], 0, sizeof *v);
        v[k].year = year;
        h->n_years++;
    }
    *out = &h->years[k];
    return RA_OK;
}

static void harvest_add(ra_gains_harvest_year *y, const ra_gains_part *p, double rs, double rl)
{
    if (p->gain_minor >= 0)
        return;
    ra_minor allowed = -p->gain_minor - p->disallowed_minor;
    y->harvested_minor += -p->gain_minor;
    y->disallowed_minor += p->disallowed_minor;
    *(p->long_term ? &y->allowed_long_minor : &y->allowed_short_minor) += allowed;
    y->tax_value_minor += (double)allowed * (p->long_term ? rl : rs);
}

/* One account's harvest sales into h's years. */
static ra_status harvest_account(ra_store *s, const char *firm, const char *code,
                                 const ra_gains_options *o, ra_gains_harvest *h, ra_err *err)
{
    ra_gains_report *r = NULL;
    ra_status rc = ra_gains_compute(s, firm, code, o, &r, err);
    for (size_t i = 0; rc == RA_OK && i < r->n_sales; i++) {
        const ra_gains_sale *sl = &r->sales[i];
        if (!sl->harvest)
            continue;
        int y, m, d;
        ra_date_to_ymd(sl->date, &y, &m, &d);
        ra_gains_harvest_year *yr = NULL;
        rc = harvest_year(h, y, &yr, err);
        if (rc != RA_OK)
            break;
        yr->sales++;
        h->total.sales++;
        for (size_t k = 0; k < sl->n_parts; k++) {
            harvest_add(yr, &r->parts[sl->first_part + k], h->rate_short, h->rate_long);
            harvest_add(&h->total, &r->parts[sl->first_part + k], h->rate_short, h->rate_long);
        }
    }
    ra_gains_report_destroy(r);
    return rc;
}

ra_status ra_gains_harvest_compute(ra_store *s, const char *firm, const char *account,
                                   const ra_gains_options *o, double rate_short, double rate_long,
                                   ra_gains_harvest **out, ra_err *err)
{
    *out = NULL;
    if (!(rate_short >= 0 && rate_short <= 1 && rate_long >= 0 && rate_long <= 1))
        return ra_err_set(err, RA_EINVAL, NULL, "tax rates must be fractions in 0..1: short %g, "
                          "long %g", rate_short, rate_long);
    ra_account acc;
    ra_status rc = ra_store_account_get(s, firm, account, &acc, err);
    if (rc != RA_OK)
        return rc;
    ra_gains_harvest *h = ra_calloc(1, sizeof *h);
    if (!h)
        return nomem(err);
    snprintf(h->client, sizeof h->client, "%s", acc.client);
    h->rate_short = rate_short;
    h->rate_long = rate_long;
    char(*codes)[RA_CODE_MAX] = NULL;
    size_t n = 0;
    rc = ra_store_account_list(s, firm, &codes, &n, err);
    for (size_t i = 0; rc == RA_OK && i < n; i++) {
        ra_account x;
        rc = ra_store_account_get(s, firm, codes[i], &x, err);
        if (rc != RA_OK || strcmp(x.client, acc.client) != 0 ||
            strcmp(x.currency, acc.currency) != 0)
            continue;
        h->n_accounts++;
        rc = harvest_account(s, firm, x.code, o, h, err);
    }
    ra_store_free(codes);
    *out = rc == RA_OK ? h : NULL;
    if (rc != RA_OK)
        ra_gains_harvest_destroy(h);
    return rc;
}

void ra_gains_harvest_destroy(ra_gains_harvest *h)
{
    if (h)
        ra_free(h->years);
    ra_free(h);
}
