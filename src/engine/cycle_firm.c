/* The daily cycle's firm rules (src/engine/cycle_int.h; docs/methodology.md#firm-rules): every
 * proposal cut back to the firm's rules (core/firmrules.h) before it is made, the cuts recorded
 * with it. The firm-wide figures (the funds' shares outstanding, the firm's discretionary
 * holdings of them at the day's start, the total value the firm share cap's room is shared by)
 * are computed once a day, by the first run or by the worker planning the day, before any
 * account of the day is written, and stored (ra_store_firm_day_put); every worker reads them, so
 * an account's room never depends on which worker runs it or on what was done before it. */
#include "engine/cycle_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/engine_models.h>
#include <roboadvisor/store_firmrules.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cycle_firm {
    ra_firm_rules rules;
    ra_firm_day day;
    int32_t *fund_of;          /* n_sec: index into day.funds, -1 none */
    uint8_t *exempt;           /* n_sec: the weight cap does not apply */
    ra_firm_turnover *turn;    /* by account code (turnover rule on) */
    size_t n_turn;
    ra_date date;
    int cuts;                  /* a rule that cuts proposals is on */
    int32_t *var_from, *var_to;/* n_acc: the account's variant's move (-1: none) */
    double *var_delta;
};

void cycle_firm_free(cycle_firm *f)
{
    if (!f)
        return;
    ra_free(f->day.funds);
    ra_free(f->fund_of);
    ra_free(f->exempt);
    ra_free(f->turn);
    ra_free(f->var_from);
    ra_free(f->var_to);
    ra_free(f->var_delta);
    ra_free(f);
}

void cycle_firm_stats(const cycle_firm *f, ra_cycle_stats *st)
{
    if (!f)
        return;
    st->firm_rules = f->cuts;
    st->crowding = f->rules.max_identical;
    st->crowd = f->day.crowd;
    st->crowd_base = f->day.crowd_base;
    st->crowd_varied = f->day.varied;
    st->crowd_unmet = f->day.unmet;
    memcpy(st->crowd_account, f->day.crowd_account, RA_CODE_MAX);
}

int cycle_firm_variant_text(const cycle_firm *f, const ra_cycle_book *b, size_t a, char *buf,
                            size_t cap)
{
    if (!f || !f->var_from || f->var_from[a] < 0)
        return 0;
    snprintf(buf, cap, "%s>%s:%.17g", b->sec[f->var_from[a]].ticker, b->sec[f->var_to[a]].ticker,
             f->var_delta[a]);
    return 1;
}

void cycle_firm_variant(const cycle_firm *f, size_t a, double *target, double *cash_w)
{
    if (!f || !f->var_from || f->var_from[a] < 0)
        return;
    size_t i = (size_t)f->var_from[a], j = (size_t)f->var_to[a];
    (void)cash_w; /* a move is between securities: the cash reserve stays */
    double d = fmin(f->var_delta[a], target[i]);
    if (d > 0) {
        target[i] -= d;
        target[j] += d;
    }
}

static int discretionary(const ra_cycle_account *x)
{
    return x->mandate && x->mandate->discretionary;
}

/* Account a's value as the book has it at the day's start: its cash and its lots at the day's
 * closes (before the day's corporate actions and trades: the same in the planner's book and in
 * the book of the worker running the account, which gives the share cap's room its weight). */
static ra_status book_value(const ra_cycle_book *b, size_t a, ra_minor *out, ra_err *err)
{
    ra_minor v = b->acc[a].cash_minor;
    const ra_lot *l = b->lots + b->acc[a].lot_start;
    for (uint32_t k = 0; k < b->acc[a].n_lots; k++) {
        ra_minor x = 0;
        ra_status rc = ra_money_value(l[k].qty_micro, b->sec[l[k].security].price,
                                      b->minor_digits, &x, err);
        if (rc != RA_OK)
            return rc;
        v += x;
    }
    *out = v;
    return RA_OK;
}

/* The day's figures from book b (nothing of the day done yet): the funds with shares
 * outstanding, the firm's discretionary holdings of them, the discretionary accounts' values
 * of the day before. */
static ra_status day_compute(ra_store *s, const ra_store_actor *actor, const ra_cycle_book *b,
                             int version, ra_firm_day *d, ra_err *err)
{
    ra_fund_shares *sh = NULL;
    size_t n = 0;
    ra_status rc = ra_store_fund_shares_at(s, actor->firm, b->date, &sh, &n, err);
    memset(d, 0, sizeof *d);
    d->date = b->date;
    d->rules_version = version;
    if (rc == RA_OK && n) {
        d->funds = ra_calloc(n, sizeof *d->funds);
        if (!d->funds)
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's firm figures");
    }
    for (size_t i = 0; rc == RA_OK && i < n; i++) {
        ra_firm_day_fund *x = &d->funds[d->n_funds++];
        memcpy(x->ticker, sh[i].ticker, RA_CODE_MAX);
        x->shares_micro = sh[i].shares_micro;
        long lo = cycle_sec_find(b, x->ticker);
        if (lo < 0)
            continue;
        for (size_t a = 0; a < b->n_acc; a++) {
            if (!discretionary(&b->acc[a]))
                continue;
            const ra_lot *l = b->lots + b->acc[a].lot_start;
            for (uint32_t k = 0; k < b->acc[a].n_lots; k++)
                if (l[k].security == lo)
                    x->held_micro += l[k].qty_micro;
        }
    }
    for (size_t a = 0; rc == RA_OK && a < b->n_acc; a++)
        if (discretionary(&b->acc[a])) {
            ra_minor v = 0;
            rc = book_value(b, a, &v, err);
            d->total_minor += v > 0 ? v : 0;
        }
    ra_free(sh);
    return rc;
}

/* --- anti-crowding (docs/methodology.md#anti-crowding-in-the-cycle) ------------------------------ */

/* One crowd: accounts whose base targets are identical (ra_models_same_target, onboarding's test). */
typedef struct crowd {
    ra_models_target t;
    size_t n, first;
    char hash[17];
} crowd;

/* Account a's dense target (n_sec, cash) as a ra_models_target: cash ("") first, then the
 * securities with a weight in ticker order, as ra_models_account_target orders them. */
static void sparse_target(const ra_cycle_book *b, const double *target, double cash_w,
                          ra_models_target *t)
{
    memset(t, 0, sizeof *t);
    if (cash_w > 0)
        t->w[t->n++].weight = cash_w;
    for (size_t i = 0; i < b->n_sec && t->n < sizeof t->w / sizeof t->w[0]; i++)
        if (target[i] > 0) {
            memcpy(t->w[t->n].ticker, b->sec[i].ticker, RA_CODE_MAX);
            t->w[t->n++].weight = target[i];
        }
}

/* FNV-1a 64 of a target's tickers and weights (to 1e-9) as 16 hex digits: the crowd's name in
 * account_variants, so that an account keeps its variant while its base target is the same. */
static void target_hash(const ra_models_target *t, char out[17])
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t k = 0; k < t->n; k++) {
        char buf[RA_CODE_MAX + 32];
        int len = snprintf(buf, sizeof buf, "%s=%.9f;", t->w[k].ticker, t->w[k].weight);
        for (int c = 0; c < len && c < (int)sizeof buf; c++) {
            h ^= (unsigned char)buf[c];
            h *= 1099511628211ULL;
        }
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* A place a crowd's accounts may take: the base target (label 0) or a move of it. */
typedef struct slot {
    int label;
    long from, to; /* book securities; -1 for the base */
    double delta;
    size_t n, first;
} slot;

/* The anti-crowding work of the day. */
typedef struct crowding {
    const ra_cycle_book *b;
    const ra_firm_rules *rules;
    ra_models_universe u;        /* the book's securities with the shelf's covariance */
    double *cov;                 /* n_sec^2; +inf variance off the shelf */
    int have_cov;
    crowd *c;
    size_t nc;
    ra_crowd_variant *prev;      /* in force before the day, account code order */
    size_t n_prev;
    ra_crowd_variant *var;       /* the day's */
    size_t n_var, cap_var;
    double *dense, *x;           /* n_sec + 1 */
    slot *sl;
    size_t n_sl, cap_sl;
} crowding;

/* The shelf's covariance over the book's securities, estimated on the closes up to the day
 * (docs/methodology.md#anti-crowding-in-the-cycle); *have 0 when it cannot be estimated. */
static ra_status crowd_cov(ra_store *s, const char *firm, crowding *w, ra_err *err)
{
    const ra_cycle_book *b = w->b;
    size_t n = b->n_sec;
    w->cov = ra_malloc((n ? n * n : 1) * sizeof *w->cov);
    if (!w->cov)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's covariance");
    for (size_t i = 0; i < n * n; i++)
        w->cov[i] = i % (n + 1) == 0 ? INFINITY : 0.0;
    ra_models_shelf sh;
    ra_err e = {0};
    if (ra_models_shelf_load(s, firm, 0, b->date, 0, &sh, &e) != RA_OK)
        return RA_OK; /* no estimate (too few closes): no variant, the crowd is reported unmet */
    long *ix = ra_malloc((sh.n ? sh.n : 1) * sizeof *ix);
    if (!ix) {
        ra_models_shelf_free(&sh);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's covariance");
    }
    for (size_t i = 0; i < sh.n; i++)
        ix[i] = cycle_sec_find(b, sh.ticker[i]);
    for (size_t i = 0; i < sh.n; i++)
        for (size_t j = 0; j < sh.n; j++)
            if (ix[i] >= 0 && ix[j] >= 0)
                w->cov[(size_t)ix[i] * n + (size_t)ix[j]] = sh.cov[i * sh.n + j];
    ra_free(ix);
    ra_models_shelf_free(&sh);
    w->have_cov = 1;
    return RA_OK;
}

static const ra_crowd_variant *prev_of(const crowding *w, const char *account)
{
    size_t lo = 0, hi = w->n_prev;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(w->prev[mid].account, account);
        if (c == 0)
            return &w->prev[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static slot *slot_of(crowding *w, long from, long to, double delta)
{
    for (size_t k = 0; k < w->n_sl; k++)
        if (w->sl[k].from == from && w->sl[k].to == to && w->sl[k].delta == delta)
            return &w->sl[k];
    return NULL;
}

static slot *slot_add(crowding *w, int label, long from, long to, double delta)
{
    if (ra_grow((void **)&w->sl, &w->cap_sl, w->n_sl + 1, sizeof *w->sl))
        return NULL;
    slot *x = &w->sl[w->n_sl++];
    *x = (slot){label, from, to, delta, 0, 0};
    return x;
}

/* A variant moves at least this weight (0.1 % of the account's value): smaller moves would make
 * targets distinct only in name, below a share at ordinary account sizes. */
#define CROWD_MIN_MOVE 0.001
/* A kept variant stays while its tracking error on today's covariance is within this multiple
 * of the budget (the estimates move a little every day; a variant is not churned for that). */
#define CROWD_KEEP_SLACK 1.1

/* The annual tracking error of moving delta from book security i to j (+inf off the shelf). */
static double move_te(const crowding *w, long i, long j, double delta)
{
    size_t n = w->b->n_sec, a = (size_t)i, c = (size_t)j;
    double s2 = w->cov[a * n + a] + w->cov[c * n + c] - 2.0 * w->cov[a * n + c];
    double te = delta * sqrt(fmax(s2, 0.0));
    return isfinite(te) ? te : INFINITY;
}

/* The base target of crowd k moved by mv: distinct from every crowd's base target? */
static int move_distinct(crowding *w, size_t k, const ra_models_move *mv)
{
    const ra_cycle_book *b = w->b;
    memcpy(w->x, w->dense, (b->n_sec + 1) * sizeof *w->x);
    w->x[mv->from] -= mv->delta;
    w->x[mv->to] += mv->delta;
    ra_models_target t;
    sparse_target(b, w->x, w->x[b->n_sec], &t);
    for (size_t j = 0; j < w->nc; j++)
        if (j != k && ra_models_same_target(&t, &w->c[j].t))
            return 0;
    return 1;
}

/* The next new move for crowd k after candidate *next: within the budget, distinct from the
 * crowd's slots and from the other crowds' base targets. 0 when none is left. */
static int next_move(crowding *w, size_t k, size_t *next, ra_models_move *mv)
{
    for (;; (*next)++) {
        int r = ra_models_crowd_move(&w->u, w->dense, *next, w->rules->crowd_te_budget, mv);
        if (r == 0)
            return 0;
        if (r == 2)
            continue;
        if (mv->delta < CROWD_MIN_MOVE ||
            move_te(w, (long)mv->from, (long)mv->to, mv->delta) >
                w->rules->crowd_te_budget * (1.0 + 1e-9))
            continue;
        if (slot_of(w, (long)mv->from, (long)mv->to, mv->delta) || !move_distinct(w, k, mv))
            continue;
        (*next)++;
        return 1;
    }
}

/* Account a onto slot x of crowd k (a variant recorded into w->var). */
static ra_status take(crowding *w, size_t k, slot *x, size_t a, ra_err *err)
{
    if (x->n++ == 0)
        x->first = a;
    if (x->label == 0)
        return RA_OK;
    if (ra_grow((void **)&w->var, &w->cap_var, w->n_var + 1, sizeof *w->var))
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's variants");
    ra_crowd_variant *v = &w->var[w->n_var++];
    memset(v, 0, sizeof *v);
    memcpy(v->account, w->b->acc[a].code, RA_CODE_MAX);
    memcpy(v->base, w->c[k].hash, sizeof v->base);
    v->variant = x->label;
    v->delta = x->delta;
    memcpy(v->from, w->b->sec[x->from].ticker, RA_CODE_MAX);
    memcpy(v->to, w->b->sec[x->to].ticker, RA_CODE_MAX);
    return RA_OK;
}

/* Crowd k's members (m: book indices in book order) onto slots: those on a variant of the same
 * base target keep it while it has room, then the base target's max_identical places, then the
 * places left on the crowd's variants, then new variants; an account for which no variant is
 * left stays on the base target (unmet). */
static ra_status crowd_assign(crowding *w, size_t k, const size_t *m, size_t n, ra_firm_day *d,
                              ra_err *err)
{
    const ra_cycle_book *b = w->b;
    size_t cap = (size_t)w->rules->max_identical;
    w->n_sl = 0;
    uint8_t *done = ra_calloc(n ? n : 1, 1);
    slot *base = slot_add(w, 0, -1, -1, 0.0);
    if (!done || !base) {
        ra_free(done);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's crowds");
    }
    int top = 0;
    ra_status rc = RA_OK;
    for (size_t g = 0; rc == RA_OK && g < n; g++) { /* kept variants */
        const ra_crowd_variant *p = prev_of(w, b->acc[m[g]].code);
        if (!p || strcmp(p->base, w->c[k].hash) != 0)
            continue;
        long from = cycle_sec_find(b, p->from), to = cycle_sec_find(b, p->to);
        if (from < 0 || to < 0 || !w->have_cov ||
            move_te(w, from, to, p->delta) > w->rules->crowd_te_budget * CROWD_KEEP_SLACK)
            continue;
        slot *x = slot_of(w, from, to, p->delta);
        if (!x) {
            int label = p->variant;
            for (size_t q = 0; q < w->n_sl; q++)
                if (w->sl[q].label == label)
                    label = 0; /* taken by another move: numbered anew below */
            if (!label)
                continue;
            x = slot_add(w, label, from, to, p->delta);
        }
        if (!x) {
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's crowds");
            break;
        }
        top = x->label > top ? x->label : top;
        if (x->n < cap) {
            done[g] = 1;
            rc = take(w, k, x, m[g], err);
        }
    }
    for (size_t g = 0; rc == RA_OK && g < n; g++) /* the base target's places */
        if (!done[g] && w->sl[0].n < cap) {
            done[g] = 1;
            rc = take(w, k, &w->sl[0], m[g], err);
        }
    size_t next = 0;
    int dense = 0;
    for (size_t g = 0; rc == RA_OK && g < n; g++) {
        if (done[g])
            continue;
        slot *x = NULL;
        for (size_t q = 1; q < w->n_sl && !x; q++)
            if (w->sl[q].n < cap)
                x = &w->sl[q];
        ra_models_move mv;
        if (!x && w->have_cov) {
            if (!dense) { /* the crowd's base target, dense */
                memset(w->dense, 0, (b->n_sec + 1) * sizeof *w->dense);
                for (size_t q = 0; q < w->c[k].t.n; q++) {
                    const ra_model_weight *y = &w->c[k].t.w[q];
                    long i = y->ticker[0] ? cycle_sec_find(b, y->ticker) : (long)b->n_sec;
                    if (i >= 0)
                        w->dense[i] += y->weight;
                }
                dense = 1;
            }
            if (next_move(w, k, &next, &mv)) {
                x = slot_add(w, ++top, (long)mv.from, (long)mv.to, mv.delta);
                if (!x) {
                    rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's crowds");
                    break;
                }
            }
        }
        if (!x) { /* no variant left: stays on the base target, over the limit */
            d->unmet++;
            rc = take(w, k, &w->sl[0], m[g], err);
            continue;
        }
        rc = take(w, k, x, m[g], err);
    }
    for (size_t q = 0; q < w->n_sl; q++)
        if ((int)w->sl[q].n > d->crowd) {
            d->crowd = (int)w->sl[q].n;
            memcpy(d->crowd_account, b->acc[w->sl[q].first].code, RA_CODE_MAX);
        }
    ra_free(done);
    return rc;
}

/* The day's crowds: every account's personalised target as its day starts (cycle.c's
 * account_target, before any variant), grouped by identity; then, anti-crowding on, each
 * crowd's accounts spread over its base target and its variants (crowd_assign), the day's
 * variants into *var. d gets the largest crowd before (crowd_base) and after (crowd, with its
 * first account), the accounts varied and unmet. */
static ra_status crowd_day(ra_store *s, const ra_store_actor *actor, const ra_cycle_options *o,
                           ra_cycle_book *b, const ra_firm_rules *rules, ra_firm_day *d,
                           ra_crowd_variant **var, size_t *n_var, ra_err *err)
{
    *var = NULL;
    *n_var = 0;
    ra_cycle_stats st;
    memset(&st, 0, sizeof st);
    run r = {.s = s, .actor = actor, .o = o, .b = b, .st = &st, .household = UINT32_MAX};
    ra_status rc = cycle_run_alloc(&r, err);
    crowding w = {.b = b, .rules = rules};
    size_t cap = 0, last = 0, *of = ra_malloc((b->n_acc ? b->n_acc : 1) * sizeof *of);
    if (rc == RA_OK && !of)
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's crowds");
    ra_models_target t;
    for (size_t a = 0; rc == RA_OK && a < b->n_acc; a++) {
        double cash_w = 0.0;
        int have = 0;
        of[a] = SIZE_MAX;
        rc = cycle_account_target(&r, a, r.target, &cash_w, &have, err);
        if (rc != RA_OK || !have)
            continue;
        sparse_target(b, r.target, cash_w, &t);
        size_t k = w.nc;
        if (w.nc && ra_models_same_target(&w.c[last].t, &t)) /* most often the account before's */
            k = last;
        for (size_t j = 0; k == w.nc && j < w.nc; j++)
            if (ra_models_same_target(&w.c[j].t, &t))
                k = j;
        if (k == w.nc) {
            if (ra_grow((void **)&w.c, &cap, w.nc + 1, sizeof *w.c)) {
                rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's crowds");
                break;
            }
            w.c[w.nc] = (crowd){.t = t, .n = 0, .first = a};
            target_hash(&t, w.c[w.nc].hash);
            w.nc++;
        }
        w.c[k].n++;
        of[a] = k;
        last = k;
    }
    int need = 0;
    for (size_t j = 0; rc == RA_OK && j < w.nc; j++) {
        if ((int)w.c[j].n > d->crowd_base)
            d->crowd_base = (int)w.c[j].n;
        need |= rules->max_identical > 0 && w.c[j].n > (size_t)rules->max_identical;
    }
    if (rc == RA_OK && rules->max_identical > 0)
        rc = ra_store_crowd_variants(s, actor->firm, b->date, &w.prev, &w.n_prev, err);
    if (rc == RA_OK && rules->max_identical > 0 && (need || w.n_prev)) {
        w.u = r.u;
        rc = crowd_cov(s, actor->firm, &w, err);
        w.u.cov = w.cov;
        w.dense = ra_malloc((b->n_sec + 1) * sizeof *w.dense);
        w.x = ra_malloc((b->n_sec + 1) * sizeof *w.x);
        if (rc == RA_OK && (!w.dense || !w.x))
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's crowds");
        /* each crowd's members in book order: a counting sort of the accounts by crowd */
        size_t *start = ra_calloc(w.nc + 1, sizeof *start), *m = ra_malloc((b->n_acc ? b->n_acc : 1) * sizeof *m);
        if (rc == RA_OK && (!start || !m))
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's crowds");
        for (size_t a = 0; rc == RA_OK && a < b->n_acc; a++)
            if (of[a] != SIZE_MAX)
                start[of[a] + 1]++;
        for (size_t j = 0; rc == RA_OK && j < w.nc; j++)
            start[j + 1] += start[j];
        for (size_t a = 0; rc == RA_OK && a < b->n_acc; a++)
            if (of[a] != SIZE_MAX)
                m[start[of[a]]++] = a;
        for (size_t j = w.nc; rc == RA_OK && j > 0; j--) /* back to the starts */
            start[j] = start[j - 1];
        if (rc == RA_OK)
            start[0] = 0;
        for (size_t j = 0; rc == RA_OK && j < w.nc; j++)
            rc = crowd_assign(&w, j, m + start[j], w.c[j].n, d, err);
        ra_free(start);
        ra_free(m);
    } else
        for (size_t j = 0; rc == RA_OK && j < w.nc; j++)
            if ((int)w.c[j].n > d->crowd) {
                d->crowd = (int)w.c[j].n;
                memcpy(d->crowd_account, b->acc[w.c[j].first].code, RA_CODE_MAX);
            }
    d->varied = (int)w.n_var;
    if (rc == RA_OK) {
        *var = w.var;
        *n_var = w.n_var;
        w.var = NULL;
    }
    ra_free(w.var);
    ra_free(w.prev);
    ra_free(w.sl);
    ra_free(w.cov);
    ra_free(w.dense);
    ra_free(w.x);
    ra_free(w.c);
    ra_free(of);
    cycle_run_free(&r);
    return rc;
}

/* The variants in force on the day, by book account. */
static ra_status variants_load(ra_store *s, const char *firm, const ra_cycle_book *b,
                               cycle_firm *f, ra_err *err)
{
    ra_crowd_variant *v = NULL;
    size_t n = 0;
    ra_status rc = ra_store_crowd_variants(s, firm, b->date, &v, &n, err);
    if (rc != RA_OK || n == 0) {
        ra_free(v);
        return rc;
    }
    size_t na = b->n_acc ? b->n_acc : 1;
    f->var_from = ra_malloc(na * sizeof *f->var_from);
    f->var_to = ra_malloc(na * sizeof *f->var_to);
    f->var_delta = ra_calloc(na, sizeof *f->var_delta);
    if (!f->var_from || !f->var_to || !f->var_delta) {
        ra_free(v);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the accounts' variants");
    }
    for (size_t a = 0; a < b->n_acc; a++) {
        f->var_from[a] = f->var_to[a] = -1;
        size_t lo = 0, hi = n; /* v is in account code order */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(v[mid].account, b->acc[a].code) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == n || strcmp(v[lo].account, b->acc[a].code) != 0)
            continue;
        long i = cycle_sec_find(b, v[lo].from), j = cycle_sec_find(b, v[lo].to);
        if (i < 0 || j < 0)
            continue;
        f->var_from[a] = (int32_t)i;
        f->var_to[a] = (int32_t)j;
        f->var_delta[a] = v[lo].delta;
    }
    ra_free(v);
    return RA_OK;
}

ra_status cycle_firm_load(ra_store *s, const ra_store_actor *actor, const ra_cycle_options *o,
                          ra_cycle_book *b, int compute, cycle_firm **out, ra_err *err)
{
    *out = NULL;
    cycle_firm *f = ra_calloc(1, sizeof *f);
    if (!f)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the firm rules");
    f->date = b->date;
    int found = 0, version = 0; /* the rules in force now; 0: never set (or before schema 16) */
    ra_status rc = ra_store_firm_rules(s, actor->firm, &version, &f->rules, err);
    if (rc == RA_OK && (version > 0 || f->rules.max_identical > 0))
        rc = ra_store_firm_day(s, actor->firm, b->date, &f->day, &found, err);
    if (rc == RA_OK && found && f->day.rules_version != version) {
        /* the rules in force when the day was planned */
        version = f->day.rules_version;
        ra_firm_rules_default(&f->rules);
        if (version > 0)
            rc = ra_store_firm_rules(s, actor->firm, &version, &f->rules, err);
    }
    f->cuts = ra_firm_rules_on(&f->rules);
    int open = 0; /* anti-crowding turned off with variants in force: the day ends them */
    if (rc == RA_OK && !found && compute && !f->cuts && f->rules.max_identical <= 0) {
        ra_crowd_variant *v = NULL;
        size_t n = 0;
        rc = ra_store_crowd_variants(s, actor->firm, b->date, &v, &n, err);
        open = n > 0;
        ra_free(v);
    }
    if (rc != RA_OK || (!f->cuts && f->rules.max_identical <= 0 && !open) ||
        (!found && !compute)) {
        cycle_firm_free(f);
        return rc;
    }
    if (!found) {
        ra_free(f->day.funds);
        ra_crowd_variant *var = NULL;
        size_t n_var = 0;
        rc = day_compute(s, actor, b, version, &f->day, err);
        if (rc == RA_OK)
            rc = crowd_day(s, actor, o, b, &f->rules, &f->day, &var, &n_var, err);
        f->day.var = var;
        f->day.n_var = n_var;
        if (rc == RA_OK)
            rc = ra_store_firm_day_put(s, actor, &f->day, err);
        f->day.var = NULL;
        f->day.n_var = 0;
        ra_free(var);
    }
    if (rc == RA_OK && f->rules.max_identical > 0)
        rc = variants_load(s, actor->firm, b, f, err);
    f->fund_of = ra_malloc((b->n_sec ? b->n_sec : 1) * sizeof *f->fund_of);
    f->exempt = ra_calloc(b->n_sec ? b->n_sec : 1, 1);
    if (rc == RA_OK && (!f->fund_of || !f->exempt))
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the firm rules");
    for (size_t i = 0; rc == RA_OK && i < b->n_sec; i++) {
        f->fund_of[i] = -1;
        f->exempt[i] = (uint8_t)ra_firm_exempt(&f->rules, b->sec[i].ticker, b->sec[i].asset_class);
        for (size_t k = 0; k < f->day.n_funds; k++)
            if (strcmp(f->day.funds[k].ticker, b->sec[i].ticker) == 0)
                f->fund_of[i] = (int32_t)k;
    }
    if (rc == RA_OK && f->rules.max_turnover > 0)
        rc = ra_store_firm_turnover(s, actor->firm, b->date, &f->turn, &f->n_turn, err);
    if (rc != RA_OK) {
        cycle_firm_free(f);
        return rc;
    }
    *out = f;
    return RA_OK;
}

static int turn_cmp(const void *key, const void *x)
{
    return strcmp(key, ((const ra_firm_turnover *)x)->account);
}

/* Of sale x of account ledger l, the quantity from lots held fewer than the minimum holding
 * period on the day: its picks' (a taxable account's chosen lots), else the position's beyond
 * what older lots hold. */
static ra_micro young_part(const run *r, const ra_ledger *l, const ra_rebal_trade *x, int hold)
{
    uint32_t sec = r->assets[x->asset].security;
    ra_micro young = 0, old = 0;
    if (x->n_picks) {
        for (size_t k = 0; k < x->n_picks; k++)
            for (size_t j = 0; j < l->n_lots; j++)
                if (l->lots[j].id == r->picks[x->first_pick + k].lot_id &&
                    ra_firm_lot_young(l->lots[j].acquired, r->b->date, hold))
                    young += r->picks[x->first_pick + k].qty_micro;
        return young;
    }
    for (size_t j = 0; j < l->n_lots; j++)
        if (l->lots[j].security == sec && !ra_firm_lot_young(l->lots[j].acquired, r->b->date, hold))
            old += l->lots[j].qty_micro;
    return x->qty_micro > old ? x->qty_micro - old : 0;
}

/* Sale x cut to q: its picks kept in order (the young ones left out when the holding period
 * applies) up to q, each pick's cost and proceeds pro rata, the estimated gains again: read from
 * src (a copy of the picks as proposed), written to r->picks from *w on. */
static ra_status repick(run *r, const ra_rebal_pick *src, const ra_ledger *l, ra_rebal_trade *x,
                        ra_micro q, int hold, size_t *w, ra_err *err)
{
    size_t first = *w, from = x->first_pick, n = x->n_picks;
    ra_micro left = q;
    x->gain_short_minor = x->gain_long_minor = 0;
    ra_status rc = RA_OK;
    for (size_t k = 0; rc == RA_OK && k < n && left > 0; k++) {
        ra_rebal_pick p = src[from + k];
        int young = 0;
        for (size_t j = 0; hold > 0 && j < l->n_lots; j++)
            young |= l->lots[j].id == p.lot_id &&
                     ra_firm_lot_young(l->lots[j].acquired, r->b->date, hold);
        if (young)
            continue;
        ra_micro take = p.qty_micro < left ? p.qty_micro : left;
        if (take < p.qty_micro) {
            rc = ra_money_muldiv(p.cost_minor, take, p.qty_micro, &p.cost_minor, err);
            if (rc == RA_OK)
                rc = ra_money_muldiv(p.proceeds_minor, take, p.qty_micro, &p.proceeds_minor, err);
            p.qty_micro = take;
        }
        left -= take;
        if (p.long_term)
            x->gain_long_minor += p.proceeds_minor - p.cost_minor;
        else
            x->gain_short_minor += p.proceeds_minor - p.cost_minor;
        r->picks[(*w)++] = p;
    }
    x->first_pick = first;
    x->n_picks = *w - first;
    return rc;
}

/* Appends one cut to the text: "RULE TICKER SIDE QTY VALUE" ("; " between). */
static void cut_text(char *out, size_t cap, const ra_firm_cut *c, const char *ticker, int side,
                     int md)
{
    char q[32], v[32];
    size_t len = strlen(out);
    if (len + 1 >= cap)
        return;
    snprintf(out + len, cap - len, "%s%s %s %s %s %s", len ? "; " : "", ra_firm_rule_name(c->rule),
             ticker, side > 0 ? "buy" : "sell", ra_money_format_qty(c->qty_micro, q, sizeof q),
             ra_money_format_minor(c->value_minor, md, v, sizeof v));
}

ra_status cycle_firm_cut(run *r, size_t a, const ra_ledger *l, const acct_out *out,
                         ra_rebal_result *res, ra_err *err)
{
    const cycle_firm *f = r->firm;
    const ra_cycle_book *b = r->b;
    const ra_cycle_account *acc = &b->acc[a];
    size_t n = res->n_trades;
    r->firm_cuts[0] = '\0';
    if (!f || !f->cuts || !n)
        return RA_OK;
    ra_firm_trade *t = ra_calloc(n, sizeof *t);
    ra_firm_cut *cuts = ra_calloc(3 * n, sizeof *cuts);
    ra_rebal_pick *src = ra_malloc((res->n_picks ? res->n_picks : 1) * sizeof *src);
    if (!t || !cuts || !src) {
        ra_free(t);
        ra_free(cuts);
        ra_free(src);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the firm rules' check");
    }
    ra_minor mine = 0; /* the account's weight in the firm share cap's room */
    ra_status rc = f->rules.max_firm_share > 0 ? book_value(b, a, &mine, err) : RA_OK;
    for (size_t k = 0; rc == RA_OK && k < n; k++) {
        const ra_rebal_trade *x = &r->trades[k];
        const ra_rebal_asset *as = &r->assets[x->asset];
        uint32_t sec = as->security;
        t[k] = (ra_firm_trade){.side = x->side, .qty_micro = x->qty_micro, .price = x->price,
                               .lot_micro = as->lot_micro > 0 ? as->lot_micro : 1,
                               .held_micro = as->qty_micro, .exempt_weight = f->exempt[sec],
                               .firm_room_micro = -1};
        if (x->side < 0) {
            t[k].exempt_sale = (x->reasons & RA_REASON_WITHDRAWAL) ||
                               (out->risk_mark && out->risk_mark[sec]);
            if (f->rules.min_hold_days > 0)
                t[k].young_micro = young_part(r, l, x, f->rules.min_hold_days);
        } else if (f->rules.max_firm_share > 0 && discretionary(acc) && f->fund_of[sec] >= 0) {
            const ra_firm_day_fund *fd = &f->day.funds[f->fund_of[sec]];
            t[k].firm_room_micro = ra_firm_share_room(f->rules.max_firm_share, fd->shares_micro,
                                                      fd->held_micro, mine, f->day.total_minor);
        }
    }
    ra_firm_account fa = {.value_minor = res->value_minor, .fee_minor = r->o->settings.fee_minor,
                          .minor_digits = b->minor_digits};
    /* the year's average value: the daily values of the year before today and today's value
     * before the proposal, averaged (docs/methodology.md#turnover) */
    const ra_firm_turnover *tv = f->turn ? bsearch(acc->code, f->turn, f->n_turn, sizeof *f->turn,
                                                   turn_cmp)
                                         : NULL;
    fa.ytd_sales_minor = tv ? tv->sales_minor : 0;
    fa.avg_value_minor = ((tv ? tv->value_sum_minor : 0) + res->value_minor) /
                         ((tv ? tv->n_values : 0) + 1);
    size_t nc = 0;
    if (rc == RA_OK)
        rc = ra_firm_check(&f->rules, &fa, t, n, cuts, &nc, err);
    for (size_t c = 0; rc == RA_OK && c < nc; c++)
        cut_text(r->firm_cuts, sizeof r->firm_cuts, &cuts[c],
                 b->sec[r->assets[r->trades[cuts[c].trade].asset].security].ticker,
                 t[cuts[c].trade].side, b->minor_digits);
    /* the trades cut, those cut to nothing left out, the picks with them */
    size_t w = 0, wp = 0;
    if (rc == RA_OK && nc)
        memcpy(src, r->picks, res->n_picks * sizeof *src);
    ra_minor harvested = 0;
    for (size_t k = 0; rc == RA_OK && nc && k < n; k++) {
        ra_rebal_trade x = r->trades[k];
        if (t[k].qty_micro != x.qty_micro) {
            if (x.side < 0 && x.n_picks)
                rc = repick(r, src, l, &x, t[k].qty_micro,
                            t[k].exempt_sale ? 0 : f->rules.min_hold_days, &wp, err);
            x.qty_micro = t[k].qty_micro;
            if (rc == RA_OK)
                rc = ra_money_value(x.qty_micro, x.price, b->minor_digits, &x.value_minor, err);
        } else if (x.n_picks) { /* moved to where the picks are written */
            memcpy(&r->picks[wp], &src[x.first_pick], x.n_picks * sizeof *r->picks);
            x.first_pick = wp;
            wp += x.n_picks;
        }
        if (x.qty_micro > 0)
            r->trades[w++] = x;
        if (x.qty_micro > 0 && x.side < 0 && (x.reasons & RA_REASON_TLH))
            harvested += -(x.gain_short_minor + x.gain_long_minor);
    }
    if (rc == RA_OK && nc) {
        res->n_trades = w;
        res->n_picks = wp;
        res->harvested_minor = harvested > 0 ? harvested : 0;
        r->st->firm_cuts += nc;
    }
    ra_free(t);
    ra_free(cuts);
    ra_free(src);
    return rc;
}
