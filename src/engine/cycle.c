/* The daily cycle: include/roboadvisor/engine_cycle.h. Method and defaults:
 * docs/methodology.md#the-daily-cycle.
 *
 * One pass over the day's book (ra_store_cycle_book_load), household by household in code order:
 * each account's ledger is restored in memory, the day's splits and dividends are applied, the
 * account is proposed to by ra_rebal_propose, and the results (transactions, value, proposal,
 * orders, fills) are written RA_CYCLE_DEFAULT_BATCH accounts to a transaction. Everything an
 * account's proposal depends on is in the book or derived from accounts before it in the same
 * household, so a re-run of the day after a kill computes the same proposals for the accounts
 * not yet written. */
#include "engine/cycle_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/engine_cycle.h>
#include <roboadvisor/ledger.h>

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef RA_ENGINE_VERSION /* set by CMakeLists.txt: the release and the commit */
#define RA_ENGINE_VERSION "unknown"
#endif

static const char *const REASON_NAMES[RA_CYCLE_N_REASONS] = {
    "drift", "cash_flow", "dividend", "withdrawal", "tlh", "restriction", "model_change",
    "risk_limit"};

const char *ra_cycle_reason_name(unsigned k)
{
    return k < RA_CYCLE_N_REASONS ? REASON_NAMES[k] : "?";
}

const char *ra_cycle_engine_version(void) { return RA_ENGINE_VERSION; }

void ra_cycle_options_default(ra_cycle_options *o)
{
    memset(o, 0, sizeof *o);
    o->batch = RA_CYCLE_DEFAULT_BATCH;
    o->threads = 1;
    o->window_days = RA_CYCLE_DEFAULT_WINDOW_DAYS;
    o->cash_reserve = 0.01;
    ra_rebal_settings_default(&o->settings);
}

/* ---- one account's day ------------------------------------------------------------------------- */

static void acct_out_free(acct_out *o)
{
    RA_FREE_ALL(o->before, o->prop.trades, o->prop.picks, o->orders, o->fills, o->fill_picks,
                o->risk_mark);
    memset(o, 0, sizeof *o);
}


static int restricted(const char *restrictions, const char *ticker, const char *cls)
{
    const char *p = restrictions;
    while (*p) {
        const char *e = strchr(p, ';');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if ((n == strlen(ticker) && strncmp(p, ticker, n) == 0) ||
            (n == strlen(cls) && strncmp(p, cls, n) == 0))
            return 1;
        p += n + (e != NULL);
    }
    return 0;
}

static void recent_mark(run *r, uint32_t sec, int64_t a)
{
    int64_t *v = &r->hh_recent[sec];
    *v = *v == -1 || *v == a ? a : -2;
}

/* The household's windows from the book (before today) into hh_loss / hh_buy / hh_recent;
 * first is the household's first account. */
static void household_enter(run *r, uint32_t h, size_t first)
{
    ra_cycle_book *b = r->b;
    r->household = h;
    memset(r->hh_loss, 0, b->n_sec * sizeof *r->hh_loss);
    memset(r->hh_buy, 0, b->n_sec * sizeof *r->hh_buy);
    /* the windows are sorted by household: the first of h's by binary search. Not a cursor
     * moving forward: a worker may enter a household below one it has done (a batch freed by a
     * killed worker is claimed after later ones), and a cursor past it would miss its windows,
     * dropping the wash-sale rule for the household (tests/cli/test_workers.sh caught it) */
    size_t lo = 0, hi = b->n_wash;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->wash[mid].household < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    r->wash_at = lo;
    for (size_t i = r->wash_at; i < b->n_wash && b->wash[i].household == h; i++) {
        r->hh_loss[b->wash[i].sec] = b->wash[i].last_loss;
        r->hh_buy[b->wash[i].sec] = b->wash[i].last_buy;
    }
    /* lots still held that were bought within the window: the replacement shares a loss sale
     * would meet (a share sold already never replaces a later loss) */
    for (size_t i = 0; i < b->n_sec; i++)
        r->hh_recent[i] = -1;
    for (size_t a = first; a < b->n_acc && b->acc[a].household == h; a++)
        for (uint32_t k = b->acc[a].lot_start; k < b->acc[a].lot_start + b->acc[a].n_lots; k++)
            if (b->date - b->lots[k].acquired <= r->o->window_days)
                recent_mark(r, b->lots[k].security, (int64_t)a);
}

static int within(ra_date day, ra_date event, int window)
{
    return event != 0 && day - event <= window;
}

static ra_status add_txn(ra_store_txn **v, size_t *n, size_t *cap, ra_err *err)
{
    if (ra_grow((void **)v, cap, *n + 1, sizeof **v))
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's transactions");
    memset(&(*v)[*n], 0, sizeof **v);
    (*n)++;
    return RA_OK;
}

static void ext_id(char *out, size_t cap, const char *what, const char *ticker, ra_date d)
{
    char db[11];
    ra_date_format(d, db);
    snprintf(out, cap, "%s-%.30s-%s", what, ticker, db); /* tickers are shorter than 31 */
}

/* Applies one transaction to the in-memory ledger (security = book index). */
static ra_status apply_mem(ra_ledger *l, const ra_store_txn *t, uint32_t sec, ra_txn_result *res,
                           ra_err *err)
{
    ra_txn x;
    ra_store_txn_ledger(t, l->totals.n_txns + 1, sec, &x);
    return ra_ledger_apply(l, &x, res, err);
}

/* Value of the ledger at the day's closes. */
static ra_status ledger_value(const run *r, const ra_ledger *l, ra_minor *out, ra_err *err)
{
    ra_minor v = l->cash_minor;
    for (size_t k = 0; k < l->n_lots; k++) {
        ra_minor x;
        ra_status rc = ra_money_value(l->lots[k].qty_micro, r->b->sec[l->lots[k].security].price,
                                      r->b->minor_digits, &x, err);
        if (rc != RA_OK)
            return rc;
        v += x;
    }
    *out = v;
    return RA_OK;
}

/* 1 if held security i, a TLH substitute not in model m, should give its place back to the
 * model's security P of its tlh_group (P not held): P can be bought today (on the shelf, priced,
 * no loss sale of it in the household within the wash-sale window), and selling every lot of i
 * realises no short-term gain (each at a loss or long-term) and none of them was bought within
 * the window (a loss sale would meet its own replacement). Its sale is then a `tlh` exit. */
static int switch_back(const run *r, const ra_ledger *l, int32_t mi, uint32_t i)
{
    const ra_cycle_book *b = r->b;
    int32_t g = r->group_ix[i];
    if (g < 0)
        return 0;
    const ra_model *m = &b->models[mi];
    const int32_t *ms = &r->model_sec[(size_t)mi * RA_MODELS_MAX_HOLDINGS];
    int64_t p = -1;
    for (size_t k = 0; k < m->n; k++) {
        if (ms[k] == (int32_t)i)
            return 0; /* the model's own security */
        if (p < 0 && ms[k] >= 0 && r->group_ix[ms[k]] == g && !r->in_set[ms[k]])
            p = ms[k];
    }
    if (p < 0 || !b->sec[p].on_shelf || b->sec[p].price <= 0 ||
        within(b->date, r->hh_loss[p], r->o->window_days))
        return 0;
    for (size_t k = 0; k < l->n_lots; k++) {
        const ra_lot *x = &l->lots[k];
        if (x->security != i)
            continue;
        ra_minor v = 0;
        ra_err e = {0};
        if (b->date - x->acquired <= r->o->window_days ||
            ra_money_value(x->qty_micro, b->sec[i].price, b->minor_digits, &v, &e) != RA_OK ||
            (v > x->basis_minor && !ra_ledger_is_long_term(x->acquired, b->date)))
            return 0;
    }
    return 1;
}

/* The account's personalised target moved by its client objectives (mandate, objective.h), with
 * the current weights at the day's closes: the same call as `account show` makes. */
static ra_status target_objectives(run *r, const ra_ledger *l, const ra_mandate *md,
                                   double *target, ra_err *err)
{
    ra_cycle_book *b = r->b;
    ra_minor value = 0;
    ra_status rc = ledger_value(r, l, &value, err);
    size_t n = 0;
    const char **tk = ra_malloc(b->n_sec * sizeof *tk);
    double *w = ra_malloc(b->n_sec * sizeof *w), *h = ra_calloc(b->n_sec, sizeof *h);
    size_t *ix = ra_malloc(b->n_sec * sizeof *ix);
    if (rc == RA_OK && (!tk || !w || !h || !ix))
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the client target");
    for (size_t i = 0; rc == RA_OK && i < b->n_sec; i++)
        if (target[i] > 0.0) {
            tk[n] = b->sec[i].ticker;
            w[n] = target[i];
            ix[n++] = i;
        }
    for (size_t k = 0; rc == RA_OK && value > 0 && k < l->n_lots; k++)
        for (size_t j = 0; j < n; j++)
            if (ix[j] == l->lots[k].security) {
                ra_minor v = 0;
                rc = ra_money_value(l->lots[k].qty_micro, b->sec[ix[j]].price, b->minor_digits,
                                    &v, err);
                h[j] += (double)v / (double)value;
            }
    int applied = 0;
    if (rc == RA_OK && n)
        rc = ra_objective_apply(r->objs, md, n, tk, w, value > 0 ? h : NULL, NULL, &applied, err);
    for (size_t j = 0; rc == RA_OK && applied && j < n; j++)
        target[ix[j]] = w[j];
    RA_FREE_ALL(tk, w, h, ix);
    return rc;
}

/* The account's personalised target weights by security into target[] (cash into *cash_w);
 * 0 with *have 0 when the account has no model. */
/* One remembered target (run.memo): its key and the dense target it gave. */
#define TARGET_MEMO_MAX 64
typedef struct target_memo {
    int32_t model;
    int type;
    double reserve;
    size_t n_held;
    uint32_t held[RA_MODELS_MAX_HOLDINGS * 4];
    double *target; /* n_sec */
    double cash_w;
} target_memo;

static target_memo *memo_find(run *r, int32_t model, int type, double reserve,
                              const uint32_t *held, size_t nh)
{
    for (size_t k = 0; k < r->n_memo; k++) {
        target_memo *e = &r->memo[k];
        if (e->model == model && e->type == type && e->reserve == reserve && e->n_held == nh &&
            memcmp(e->held, held, nh * sizeof *held) == 0)
            return e;
    }
    return NULL;
}

/* Remembers target (n_sec) under the key; nothing when the memo is full or memory is short
 * (the target is then computed again next time: the same result). */
static void memo_put(run *r, int32_t model, int type, double reserve, const uint32_t *held,
                     size_t nh, const double *target, double cash_w)
{
    size_t ns = r->b->n_sec ? r->b->n_sec : 1;
    if (!r->memo)
        r->memo = ra_calloc(TARGET_MEMO_MAX, sizeof *r->memo);
    if (!r->memo || r->n_memo == TARGET_MEMO_MAX)
        return;
    target_memo *e = &r->memo[r->n_memo];
    e->target = ra_malloc(ns * sizeof *e->target);
    if (!e->target)
        return;
    memcpy(e->target, target, ns * sizeof *target);
    e->model = model;
    e->type = type;
    e->reserve = reserve;
    e->n_held = nh;
    memcpy(e->held, held, nh * sizeof *held);
    e->cash_w = cash_w;
    r->n_memo++;
}

static void memo_free(run *r)
{
    for (size_t k = 0; k < r->n_memo; k++)
        ra_free(r->memo[k].target);
    ra_free(r->memo);
    r->memo = NULL;
    r->n_memo = 0;
}

/* The account's personalised target weights by security into target[] (cash into *cash_w);
 * 0 with *have 0 when the account has no model. The target is a function of the model, the
 * restrictions, the cash reserve, the account type and the securities held (a held TLH
 * substitute keeps its model security's place): an account without restrictions, outside a
 * re-evaluation, takes it from the thread's memo when an earlier account had the same. */
static ra_status account_target_base(run *r, size_t a, const ra_ledger *l, double *target,
                                     double *cash_w, int *have, ra_err *err)
{
    ra_cycle_book *b = r->b;
    *have = 0;
    if (b->acc[a].model < 0)
        return RA_OK;
    int32_t mi = b->acc[a].model;
    const ra_model *m = &b->models[mi];
    const char *held[RA_MODELS_MAX_HOLDINGS * 4];
    uint32_t held_ix[RA_MODELS_MAX_HOLDINGS * 4];
    size_t nh = 0;
    memset(r->in_set, 0, b->n_sec);
    for (size_t k = 0; k < l->n_lots; k++)
        r->in_set[l->lots[k].security] = 1;
    /* a held TLH substitute keeps its model security's place (the personalised target's rule),
     * unless it is time to switch back */
    for (size_t i = 0; i < b->n_sec && nh < sizeof held / sizeof held[0]; i++)
        if (r->in_set[i] && !switch_back(r, l, mi, (uint32_t)i)) {
            held_ix[nh] = (uint32_t)i;
            held[nh++] = b->sec[i].ticker;
        }
    const ra_mandate *md = b->acc[a].mandate;
    int objs = r->objs && ra_objective_of_mandate(md, NULL);
    int memo = !r->re && !md->restrictions[0] && !objs;
    if (memo) {
        const target_memo *e = memo_find(r, mi, b->acc[a].type, md->cash_reserve, held_ix, nh);
        if (e) {
            memcpy(target, e->target, b->n_sec * sizeof *target);
            *cash_w = e->cash_w;
            *have = 1;
            return RA_OK;
        }
    }
    for (size_t k = 0; r->re && k < r->re->n_prefer && nh < sizeof held / sizeof held[0]; k++)
        held[nh++] = b->sec[r->re->prefer[k]].ticker;
    ra_models_target_opts to;
    memset(&to, 0, sizeof to);
    to.restrictions = md->restrictions;
    to.cash_reserve = md->cash_reserve;
    to.held = held;
    to.n_held = nh;
    to.type = (ra_account_type)b->acc[a].type;
    ra_models_target t;
    ra_status rc = ra_models_account_target(m, &r->u, &to, &t, err);
    if (rc != RA_OK)
        return rc;
    memset(target, 0, b->n_sec * sizeof *target);
    *cash_w = 0.0;
    for (size_t k = 0; k < t.n; k++) {
        if (!t.w[k].ticker[0]) {
            *cash_w += t.w[k].weight;
            continue;
        }
        long lo = cycle_sec_find(b, t.w[k].ticker);
        if (lo < 0)
            return ra_err_set(err, RA_ENOTFOUND, NULL, "model %s names %s, not a security of "
                              "the firm", m->code, t.w[k].ticker);
        target[lo] += t.w[k].weight;
    }
    if (memo)
        memo_put(r, mi, b->acc[a].type, md->cash_reserve, held_ix, nh, target, *cash_w);
    if (objs && (rc = target_objectives(r, l, md, target, err)) != RA_OK)
        return ra_err_wrap(err, "the client objectives");
    *have = 1;
    return RA_OK;
}

/* The account's target as the day trades to: its personalised target (account_target_base),
 * moved by its anti-crowding variant when it has one (cycle_firm.c). */
static ra_status account_target(run *r, size_t a, const ra_ledger *l, double *target,
                                double *cash_w, int *have, ra_err *err)
{
    ra_status rc = account_target_base(r, a, l, target, cash_w, have, err);
    if (rc == RA_OK && *have)
        cycle_firm_variant(r->firm, a, target, cash_w);
    return rc;
}

/* The firm's settings of the run as text (the part of every configuration hash; the engine's
 * version is recorded beside it, not in it, so that a replay by a later build can tell a change of
 * configuration from a change of engine). */
static int settings_text(const run *r, char *text, size_t cap)
{
    const ra_rebal_settings *s = &r->o->settings;
    return snprintf(text, cap,
                    "band_abs=%.17g|band_rel=%.17g|edge=%d|buy_only=%d|min_trade=%lld|fee=%lld|"
                    "spread=%.17g|max_cost=%.17g|rate_s=%.17g|rate_l=%.17g|defer=%d|tlh_pct=%.17g|"
                    "tlh_min=%lld|window=%d|reserve=%.17g",
                    s->band_abs, s->band_rel, s->to_band_edge,
                    s->buy_only, (long long)s->min_trade_minor, (long long)s->fee_minor,
                    s->spread_bps, s->max_cost_frac, s->tax_rate_short, s->tax_rate_long,
                    s->defer_days, s->tlh_loss_pct, (long long)s->tlh_loss_min_minor,
                    r->o->window_days, r->o->cash_reserve);
}

static void hash_hex(const char *text, size_t n, char out[65])
{
    uint8_t h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)text, n, NULL, 0);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* The configuration hash of an account's proposal: BLAKE2b-256 of the firm's settings, the
 * model version and the mandate. */
static void config_hash(const run *r, size_t a, char out[65])
{
    const ra_mandate *m = r->b->acc[a].mandate;
    const ra_model *mo = r->b->acc[a].model >= 0 ? &r->b->models[r->b->acc[a].model] : NULL;
    char text[1536];
    int n = settings_text(r, text, sizeof text);
    n += snprintf(text + n, sizeof text - (size_t)n,
                  "|model=%s@%d|discretionary=%d|band=%.17g|tlh=%d|restrictions=%s|"
                  "band_rel=%.17g|edge=%d|buy_only=%d|relief=%d|reserve=%.17g|min_trade=%lld|"
                  "reinvest=%d|fractional=%d|gain_budget=%lld|confirm=%d|level=%d|objective=%d|"
                  "loss_limit=%.17g%s%s",
                  mo ? mo->code : "", mo ? mo->version : 0, m->discretionary, m->drift_band,
                  m->tlh_enabled, m->restrictions, m->band_rel, m->to_band_edge, m->buy_only,
                  m->relief, m->cash_reserve, (long long)m->min_trade_minor,
                  m->reinvest_dividends, m->fractional, (long long)m->gain_budget_minor,
                  m->client_confirm, m->risk_level, m->objective, m->loss_limit,
                  m->rules[0] ? "|rules=" : "", m->rules);
    char var[96]; /* the account's anti-crowding variant, when it has one (cycle_firm.c) */
    if (cycle_firm_variant_text(r->firm, r->b, a, var, sizeof var) && (size_t)n < sizeof text)
        n += snprintf(text + n, sizeof text - (size_t)n, "|variant=%s", var);
    hash_hex(text, (size_t)n < sizeof text ? (size_t)n : sizeof text - 1, out);
}

/* The account's trading settings: the firm's, overlaid with its mandate (bands, band's edge,
 * buy-only, minimum trade, TLH, lot relief; docs/methodology.md#the-mandate). */
static void account_settings(const run *r, size_t a, ra_rebal_settings *set)
{
    const ra_mandate *m = r->b->acc[a].mandate;
    *set = r->o->settings;
    set->band_abs = m->drift_band > 0 ? m->drift_band : set->band_abs;
    set->band_rel = m->band_rel;
    set->to_band_edge = m->to_band_edge;
    set->buy_only = m->buy_only;
    set->min_trade_minor = m->min_trade_minor > set->min_trade_minor ? m->min_trade_minor
                                                                     : set->min_trade_minor;
    set->tlh = m->tlh_enabled && r->b->acc[a].type == RA_ACCOUNT_TAXABLE;
    set->relief = m->relief;
    set->minor_digits = r->b->minor_digits;
    set->wash_window_days = r->o->window_days;
}

static ra_status grow_work(run *r, size_t n_assets, size_t n_lots, ra_err *err)
{
    size_t need = ra_rebal_workspace_size(n_assets, n_lots);
    if (need <= r->work_cap)
        return RA_OK;
    void *w = ra_realloc(r->work, need);
    if (!w)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the proposal's workspace");
    r->work = w;
    r->work_cap = need;
    return RA_OK;
}

/* Adds the day's corporate action of kind on security i to out->before and applies it to l. */
static ra_status day_action(run *r, size_t a, ra_ledger *l, acct_out *out, size_t *n, size_t *cap,
                            ra_txn_kind kind, size_t i, ra_minor amount, ra_err *err)
{
    ra_cycle_book *b = r->b;
    ra_status rc = add_txn(&out->before, n, cap, err);
    if (rc != RA_OK)
        return rc;
    ra_store_txn *t = &out->before[*n - 1];
    memcpy(t->account, b->acc[a].code, RA_CODE_MAX);
    ext_id(t->external_id, sizeof t->external_id, kind == RA_TXN_SPLIT ? "split" : "div",
           b->sec[i].ticker, b->date);
    t->kind = kind;
    t->date = b->date;
    memcpy(t->ticker, b->sec[i].ticker, RA_CODE_MAX);
    t->split = kind == RA_TXN_SPLIT ? b->sec[i].split : (ra_ratio){0, 0};
    t->amount_minor = amount;
    return apply_mem(l, t, (uint32_t)i, NULL, err);
}

/* The splits and dividends of the day for account a (transactions before the proposal): splits
 * first, then dividends on the shares held before the ex-date. */
static ra_status corporate_actions(run *r, size_t a, ra_ledger *l, acct_out *out, ra_err *err)
{
    ra_cycle_book *b = r->b;
    size_t n = 0, cap = 0;
    ra_status rc = RA_OK;
    memset(r->in_set, 0, b->n_sec);
    for (size_t k = 0; k < l->n_lots; k++)
        r->in_set[l->lots[k].security] = 1;
    for (size_t i = 0; i < b->n_sec && rc == RA_OK; i++)
        if (r->in_set[i] && b->sec[i].split.den != 0)
            rc = day_action(r, a, l, out, &n, &cap, RA_TXN_SPLIT, i, 0, err);
    for (size_t i = 0; i < b->n_sec && rc == RA_OK; i++) {
        if (!r->in_set[i] || b->sec[i].dividend <= 0)
            continue;
        ra_micro q = 0;
        for (size_t k = 0; k < l->n_lots; k++)
            if (l->lots[k].security == i && l->lots[k].acquired < b->date)
                q += l->lots[k].qty_micro;
        ra_minor amount = 0;
        if (q <= 0 || (rc = ra_money_value(q, b->sec[i].dividend, b->minor_digits, &amount, err)) != RA_OK ||
            amount <= 0)
            continue;
        rc = day_action(r, a, l, out, &n, &cap, RA_TXN_DIVIDEND, i, amount, err);
        r->st->dividends_minor += rc == RA_OK ? amount : 0;
    }
    out->day.before = out->before;
    out->day.n_before = n;
    return rc;
}

/* 1 if account a holds a lot of sec bought within the window that a harvest would not sell
 * (its loss below the thresholds, or the account does not harvest). */
static int own_recent_stays(const run *r, size_t a, const ra_ledger *l, uint32_t sec)
{
    const ra_cycle_book *b = r->b;
    const ra_rebal_settings *s = &r->o->settings;
    /* a harvest needs a substitute that can be bought today (core/rebal.c harvest()) */
    int32_t sub = r->sub_of[sec];
    int harvests = b->acc[a].mandate->tlh_enabled && b->acc[a].type == RA_ACCOUNT_TAXABLE &&
                   sub >= 0 && b->sec[sub].on_shelf &&
                   !within(b->date, r->hh_loss[sub], r->o->window_days);
    for (size_t k = 0; k < l->n_lots; k++) {
        const ra_lot *x = &l->lots[k];
        if (x->security != sec || b->date - x->acquired > r->o->window_days)
            continue;
        ra_minor v = 0;
        ra_err e = {0};
        if (!harvests || ra_money_value(x->qty_micro, b->sec[sec].price, b->minor_digits, &v, &e) != RA_OK)
            return 1;
        ra_minor loss = x->basis_minor - v;
        double rate = ra_ledger_is_long_term(x->acquired, b->date) ? s->tax_rate_long
                                                                   : s->tax_rate_short;
        double cost = (double)s->fee_minor + s->spread_bps * 1e-4 * (double)v;
        if (loss <= 0 || (double)loss < s->tlh_loss_pct * (double)x->basis_minor ||
            loss < s->tlh_loss_min_minor || (double)loss * rate <= 2.0 * cost)
            return 1;
    }
    return 0;
}

/* 1 if held security i without a target gives its place back to a member of its tlh_group that
 * has one (switch_back): a `tlh` exit, not a model change. */
static int switched_back(const run *r, const double *target, uint32_t i)
{
    const ra_cycle_book *b = r->b;
    if (!b->sec[i].tlh_group[0])
        return 0;
    for (size_t j = 0; j < b->n_sec; j++)
        if (j != i && target[j] > 0 && strcmp(b->sec[j].tlh_group, b->sec[i].tlh_group) == 0)
            return 1;
    return 0;
}

/* The proposal's inputs: the account's assets (held, targeted, and the substitutes of held
 * securities) in ticker order, its lots, and the household's wash-sale constraints. */
static size_t build_assets(run *r, size_t a, const ra_ledger *l, const double *target,
                           size_t *n_rlots)
{
    ra_cycle_book *b = r->b;
    const ra_mandate *m = b->acc[a].mandate;
    int taxable = b->acc[a].type == RA_ACCOUNT_TAXABLE;
    memset(r->in_set, 0, b->n_sec);
    for (size_t k = 0; k < l->n_lots; k++) {
        uint32_t sec = l->lots[k].security;
        r->in_set[sec] = 1;
        if (taxable && m->tlh_enabled && r->sub_of[sec] >= 0)
            r->in_set[r->sub_of[sec]] = 1;
    }
    for (size_t i = 0; i < b->n_sec; i++)
        if (target[i] > 0)
            r->in_set[i] = 1;
    size_t n = 0;
    ra_date d = b->date;
    int w = r->o->window_days;
    for (size_t i = 0; i < b->n_sec; i++) {
        r->asset_of[i] = -1;
        if (!r->in_set[i])
            continue;
        r->asset_of[i] = (int32_t)n;
        ra_rebal_asset *x = &r->assets[n++];
        memset(x, 0, sizeof *x);
        x->security = (uint32_t)i;
        x->group = r->class_ix[i];
        x->price = b->sec[i].price;
        x->target = target[i];
        int64_t ls = b->sec[i].lot_size > 0 ? b->sec[i].lot_size : 1;
        x->lot_micro = m->fractional ? 1 : ls * 1000000; /* the mandate: fractional or lots */
        x->no_buy = within(d, r->hh_loss[i], w) || !b->sec[i].on_shelf;
        /* a loss sale meets replacement shares: lots of another account of the household
         * bought within the window, or this account's own recent lots that stay held (those
         * a harvest would not sell with it) */
        int64_t rec = r->hh_recent[i];
        x->no_loss_sale = rec == -2 || (rec >= 0 && (size_t)rec != a) ||
                          (rec == (int64_t)a && own_recent_stays(r, a, l, (uint32_t)i));
        x->substitute = -1;
        cycle_market_asset(r, a, l, x); /* lots, T+1 (cycle_market.c) */
    }
    for (size_t k = 0; k < l->n_lots; k++)
        r->assets[r->asset_of[l->lots[k].security]].qty_micro += l->lots[k].qty_micro;
    for (size_t j = 0; j < n; j++) {
        ra_rebal_asset *x = &r->assets[j];
        uint32_t i = x->security;
        if (x->qty_micro > 0 && x->target <= 0)
            x->exit_reason = restricted(m->restrictions, b->sec[i].ticker, b->sec[i].asset_class)
                                 ? RA_REASON_RESTRICTION
                             : switched_back(r, target, i) ? RA_REASON_TLH
                                                           : RA_REASON_MODEL_CHANGE;
        if (r->sub_of[i] >= 0 && r->asset_of[r->sub_of[i]] >= 0)
            x->substitute = r->asset_of[r->sub_of[i]];
    }
    size_t nl = 0;
    if (taxable)
        for (size_t j = 0; j < n; j++) /* by asset, then acquisition (the ledger's order) */
            for (size_t k = 0; k < l->n_lots; k++)
                if (l->lots[k].security == r->assets[j].security) {
                    ra_rebal_lot *x = &r->rlots[nl++];
                    x->asset = (uint32_t)j;
                    x->lot_id = l->lots[k].id;
                    x->holding_from = l->lots[k].acquired;
                    x->qty_micro = l->lots[k].qty_micro;
                    x->cost_minor = l->lots[k].basis_minor;
                }
    *n_rlots = nl;
    return n;
}

/* A fill's external id in its account: "fill-YYYY-MM-DD-N-K", order N of the day, fill K. */
static void fill_id(char *out, size_t cap, ra_date d, int n, int k)
{
    char db[11];
    ra_date_format(d, db);
    snprintf(out, cap, "fill-%s-%d-%d", db, n, k);
}

static void proposal_id(char *out, size_t cap, ra_date d, const char *account)
{
    char db[11];
    ra_date_format(d, db);
    snprintf(out, cap, "P-%s-%s", db, account);
}

/* A re-evaluation's buy of an alternative substitute completes a harvest. */
static unsigned prefer_reason(const run *r, uint32_t sec, int side)
{
    for (size_t k = 0; r->re && side > 0 && k < r->re->n_prefer; k++)
        if (r->re->prefer[k] == sec)
            return RA_REASON_TLH;
    return 0;
}

/* Turns the rebal result into the proposal, orders and fills of account a. */
static ra_status make_proposal(run *r, size_t a, ra_ledger *l, const ra_rebal_result *res,
                               acct_out *out, ra_err *err)
{
    ra_cycle_book *b = r->b;
    /* a mandate that asks for the client's confirmation trades only after it, as advisory; so
     * does a hybrid or advisor-led client's (cycle_tiers.c), and a re-evaluation */
    const ra_mandate *m = b->acc[a].mandate;
    const int disc = ra_tier_acts_alone(m->discretionary, m->client_confirm,
                                        cycle_tiers_of(r, a)) && !r->rejected;
    ra_cycle_proposal *p = &out->prop;
    size_t nt = res->n_trades, np = res->n_picks ? res->n_picks : 1;
    *p = (ra_cycle_proposal){.date = b->date, .discretionary = disc,
                             .value_minor = res->value_minor, .drift_before = res->drift_before,
                             .drift_after = res->drift_after,
                             .max_dev_before = res->max_dev_before,
                             .max_dev_after = res->max_dev_after, .held_back = res->held_back,
                             .n_trades = nt, .n_picks = res->n_picks,
                             .trades = ra_calloc(nt, sizeof *p->trades),
                             .picks = ra_calloc(np, sizeof *p->picks)};
    out->orders = ra_calloc(nt, sizeof *out->orders);
    out->fills = ra_calloc(nt, sizeof *out->fills);
    out->fill_picks = ra_calloc(np, sizeof *out->fill_picks);
    if (!p->trades || !p->picks || !out->orders || !out->fills || !out->fill_picks)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a proposal");
    int exec = disc && r->o->execute_close;
    proposal_id(p->id, sizeof p->id, b->date, b->acc[a].code);
    if (r->rejected) {
        size_t len = strlen(p->id);
        snprintf(p->id + len, sizeof p->id - len, "-%d", r->reeval_n);
        memcpy(p->supersedes, r->rejected->id, sizeof p->supersedes);
    } else if (r->monitor) { /* the intraday monitor's: one a snapshot */
        size_t len = strlen(p->id);
        snprintf(p->id + len, sizeof p->id - len, "-m%02d%02d", r->monitor_at / 60 % 100,
                 r->monitor_at % 60);
    }
    memcpy(p->account, b->acc[a].code, RA_CODE_MAX);
    snprintf(p->status, sizeof p->status, "%s",
             !disc ? "pending" : exec ? "executed" : "approved");
    snprintf(p->engine_version, sizeof p->engine_version, "%s", ra_cycle_engine_version());
    config_hash(r, a, p->config_hash);
    if (disc)
        snprintf(p->decided_reason, sizeof p->decided_reason, "discretionary mandate");
    if (r->firm)
        memcpy(p->firm_cuts, r->firm_cuts, sizeof p->firm_cuts);
    for (size_t k = 0; k < res->n_picks; k++) {
        p->picks[k] = (ra_cycle_pick){r->picks[k].lot_id, r->picks[k].qty_micro};
        out->fill_picks[k] = (ra_lot_pick){r->picks[k].lot_id, r->picks[k].qty_micro};
    }
    ra_status rc = RA_OK;
    size_t nf = 0;
    /* The trades in their order; a purchase the cash at its turn cannot pay (a firm rule may cut
     * a harvesting sale below its paired buy, docs/methodology.md#firm-rules) waits for a second
     * round, after every sale: its fill then applies after them. */
    uint8_t *later = exec && nt ? ra_calloc(nt, 1) : NULL;
    if (exec && nt && !later)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a proposal");
    for (size_t q = 0; q < 2 * nt && rc == RA_OK; q++) {
        size_t k = q % nt;
        if (q >= nt && !(later && later[k]))
            continue;
        if (q < nt && later && r->trades[k].side > 0 &&
            l->cash_minor < r->trades[k].value_minor + r->o->settings.fee_minor) {
            later[k] = 1;
            continue;
        }
        const ra_rebal_trade *x = &r->trades[k];
        uint32_t sec = r->assets[x->asset].security;
        ra_cycle_trade *t = &p->trades[k];
        *t = (ra_cycle_trade){.n = (int)k + 1, .side = x->side, .qty_micro = x->qty_micro,
                              .price = x->price, .price_date = b->date,
                              .value_minor = x->value_minor,
                              .reasons = x->reasons | prefer_reason(r, sec, x->side) |
                                         (out->risk_mark && out->risk_mark[sec]
                                              ? RA_REASON_RISK_LIMIT
                                              : 0u),
                              .gain_short_minor = x->gain_short_minor,
                              .gain_long_minor = x->gain_long_minor,
                              .risk_level = b->sec[sec].risk_level, .first_pick = x->first_pick,
                              .n_picks = x->n_picks};
        memcpy(t->ticker, b->sec[sec].ticker, RA_CODE_MAX);
        snprintf(t->status, sizeof t->status, "%s", disc ? "approved" : "proposed");
        r->st->trades++;
        for (unsigned bit = 0; bit < RA_CYCLE_N_REASONS; bit++)
            if (t->reasons & (1u << bit))
                r->st->trades_by_reason[bit]++;
        if (!disc)
            continue;
        ra_cycle_order *o = &out->orders[k];
        *o = (ra_cycle_order){.trade_n = t->n, .date = b->date, .side = t->side,
                              .qty_micro = t->qty_micro, .filled_micro = exec ? t->qty_micro : 0,
                              .limit_price = cycle_market_order_price(r, sec, t->price)};
        snprintf(o->id, sizeof o->id, "%.80s-%d", p->id, t->n);
        memcpy(o->account, b->acc[a].code, RA_CODE_MAX);
        memcpy(o->proposal, p->id, sizeof o->proposal);
        memcpy(o->ticker, t->ticker, RA_CODE_MAX);
        snprintf(o->status, sizeof o->status, "%s", exec ? "filled" : "open");
        r->st->orders++;
        if (!exec)
            continue;
        ra_store_txn *f = &out->fills[nf++];
        memset(f, 0, sizeof *f);
        memcpy(f->account, b->acc[a].code, RA_CODE_MAX);
        fill_id(f->external_id, sizeof f->external_id, b->date, t->n, 1);
        f->kind = t->side > 0 ? RA_TXN_BUY : RA_TXN_SELL;
        f->date = b->date;
        memcpy(f->ticker, t->ticker, RA_CODE_MAX);
        f->qty_micro = t->qty_micro;
        f->price = t->price;
        f->fees_minor = r->o->settings.fee_minor;
        if (f->kind == RA_TXN_SELL) {
            if (x->n_picks) {
                f->relief = RA_RELIEF_SPECIFIC;
                f->picks = out->fill_picks + x->first_pick;
                f->n_picks = x->n_picks;
            } else
                f->relief = RA_RELIEF_HIFO; /* retirement accounts: no tax lots chosen */
        }
        r->st->fills++;
        rc = apply_mem(l, f, sec, NULL, err);
        /* the household's wash-sale state for its next accounts */
        if (f->kind == RA_TXN_BUY) {
            r->hh_buy[sec] = b->date;
            recent_mark(r, sec, (int64_t)a);
        }
        else if (x->gain_short_minor + x->gain_long_minor < 0)
            r->hh_loss[sec] = b->date;
    }
    ra_free(later);
    if (!disc)
        for (size_t k = 0; k < nt; k++) { /* advisory: a pending sale at a loss or buy still */
            const ra_rebal_trade *x = &r->trades[k]; /* guards the household's later accounts */
            uint32_t sec = r->assets[x->asset].security;
            if (x->side > 0) {
                r->hh_buy[sec] = b->date;
                recent_mark(r, sec, (int64_t)a);
            }
            else if (x->gain_short_minor + x->gain_long_minor < 0)
                r->hh_loss[sec] = b->date;
        }
    out->day.proposal = p;
    out->day.orders = disc ? out->orders : NULL;
    out->day.n_orders = disc ? nt : 0;
    out->day.fills = out->fills;
    out->day.n_fills = nf;
    r->st->proposals++;
    r->st->pending += !disc;
    if (res->harvested_minor > 0) {
        r->st->harvested_minor += res->harvested_minor;
        r->st->harvest_tax_value += res->harvest_tax_value;
    }
    return rc;
}

/* The instructed withdrawals due are paid from the account's cash at the close, after the day's
 * fills (the sales the proposal made for them, when they filled), as far as the cash goes; the
 * store splits the payment over the instructions, oldest due first. */
static ra_status pay_withdrawals(run *r, size_t a, ra_ledger *l, acct_out *out, ra_err *err)
{
    ra_minor due = r->b->acc[a].withdraw_minor;
    ra_minor cash = due > 0 ? l->cash_minor - cycle_market_unsettled(r, out) : 0; /* settled */
    ra_minor paid = due < cash ? due : cash;
    if (paid <= 0)
        return RA_OK;
    ra_store_txn t;
    memset(&t, 0, sizeof t);
    memcpy(t.account, r->b->acc[a].code, RA_CODE_MAX);
    snprintf(t.external_id, sizeof t.external_id, "wd");
    t.kind = RA_TXN_WITHDRAWAL;
    t.date = r->b->date;
    t.amount_minor = paid;
    ra_status rc = apply_mem(l, &t, 0, NULL, err);
    if (rc == RA_OK) {
        out->day.withdrawal_minor = paid;
        r->st->withdrawals_minor += paid;
        r->st->withdrawals_short += paid < due;
    }
    return rc;
}

/* A re-evaluation: the approved trades whose orders have not filled yet are applied to the
 * account in memory (the new proposal starts from where they leave it), and their loss sales
 * open the household's wash-sale window. */
static ra_status reeval_pending(run *r, ra_ledger *l, ra_err *err)
{
    ra_status rc = RA_OK;
    for (size_t k = 0; rc == RA_OK && k < r->re->n_pend; k++) {
        rc = apply_mem(l, &r->re->pend[k], r->re->pend_sec[k], NULL, err);
        if (r->re->pend_loss[k])
            r->hh_loss[r->re->pend_sec[k]] = r->b->date;
        else if (r->re->pend[k].kind == RA_TXN_BUY)
            r->hh_buy[r->re->pend_sec[k]] = r->b->date;
    }
    return rc;
}

/* A re-evaluation: the day's rejected trades are not proposed again (a rejected buy is not
 * bought, a rejected sale not sold). */
static void reeval_constrain(run *r, size_t na)
{
    for (size_t k = 0; r->re && k < r->re->n_bar; k++)
        for (size_t j = 0; j < na; j++)
            if (r->assets[j].security == r->re->bar[k].sec) {
                if (r->re->bar[k].side > 0)
                    r->assets[j].no_buy = 1;
                else
                    r->assets[j].no_sell = 1;
            }
}

/* Account a's ledger as the book has it (ra_ledger_free; nothing to free after a failure). */
static ra_status book_ledger(const ra_cycle_book *b, size_t a, ra_ledger *l, ra_err *err)
{
    ra_ledger_settings ls;
    ra_ledger_settings_default(&ls);
    ls.minor_digits = b->minor_digits;
    ra_status rc = ra_ledger_init(l, &ls, NULL, err);
    if (rc != RA_OK)
        return rc;
    rc = ra_ledger_restore(l, b->acc[a].cash_minor, b->lots + b->acc[a].lot_start,
                           b->acc[a].n_lots, b->acc[a].next_lot_id, NULL, err);
    if (rc != RA_OK)
        ra_ledger_free(l);
    return rc;
}

static ra_status account_day(run *r, size_t a, acct_out *out, ra_err *err)
{
    ra_cycle_book *b = r->b;
    const ra_mandate *m = b->acc[a].mandate;
    ra_ledger l;
    ra_status rc = book_ledger(b, a, &l, err);
    if (rc != RA_OK)
        return rc;
    memcpy(out->day.value.account, b->acc[a].code, RA_CODE_MAX);
    out->day.value.date = b->date;
    if (!r->rejected && !r->monitor) /* a re-evaluation comes after the day: its actions are */
        rc = corporate_actions(r, a, &l, out, err); /* in the book; intraday: not yet */
    else if (r->rejected)
        rc = reeval_pending(r, &l, err);
    int halt = 0; /* the loss limit at the close (cycle_risk.c): suspended, or crossing it now */
    if (rc == RA_OK && r->risk) {
        ra_minor at_close = 0;
        rc = ledger_value(r, &l, &at_close, err);
        if (rc == RA_OK)
            rc = cycle_risk_check(r, a, l.lots, l.n_lots, at_close, out, &halt, err);
    }
    double *target = r->target;
    double cash_w = 0.0;
    int have = 0;
    if (rc == RA_OK)
        rc = account_target(r, a, &l, target, &cash_w, &have, err);
    if (rc == RA_OK && have && !halt && out->day.risk) /* the rules' reduce, add, close */
        rc = cycle_risk_target(r, a, out, target, &cash_w, err);
    if (r->monitor && !out->risk_mark) /* intraday: only the rules' trades are proposed */
        halt = 1;
    ra_rebal_result res;
    memset(&res, 0, sizeof res);
    int out_of_band = 0;
    if (rc == RA_OK && have && !halt) {
        size_t n_rl = 0;
        size_t na = build_assets(r, a, &l, target, &n_rl);
        reeval_constrain(r, na);
        if (m->reinvest_dividends) /* the day's dividends buy their securities back */
            for (size_t k = 0; k < out->day.n_before; k++) {
                const ra_store_txn *t = &out->day.before[k];
                for (size_t j = 0; t->kind == RA_TXN_DIVIDEND && j < na; j++)
                    if (strcmp(b->sec[r->assets[j].security].ticker, t->ticker) == 0)
                        r->assets[j].reinvest_minor += t->amount_minor;
            }
        ra_rebal_account acc;
        memset(&acc, 0, sizeof acc);
        acc.date = b->date;
        acc.assets = r->assets;
        acc.n_assets = na;
        acc.lots = r->rlots;
        acc.n_lots = n_rl;
        acc.cash_minor = l.cash_minor;
        acc.cash_target = cash_w;
        acc.withdrawal_minor = r->rejected ? 0 : b->acc[a].withdraw_minor;
        if (m->gain_budget_minor >= 0) { /* what a model change may still realise this year */
            ra_minor left = m->gain_budget_minor - b->acc[a].ytd_gain_minor;
            acc.has_gain_budget = 1;
            acc.gain_budget_minor = left > 0 ? left : 0;
        }
        /* spare cash is a dividend's when one was credited today, a deposit's otherwise */
        int div_today = 0;
        for (size_t k = 0; k < out->day.n_before; k++)
            div_today |= out->day.before[k].kind == RA_TXN_DIVIDEND;
        acc.cash_reason = (div_today ? RA_REASON_DIVIDEND : 0u) |
                          (b->acc[a].flow_minor > 0 || !div_today ? RA_REASON_CASH_FLOW : 0u);
        acc.taxable = b->acc[a].type == RA_ACCOUNT_TAXABLE;
        ra_rebal_settings set;
        account_settings(r, a, &set);
        rc = grow_work(r, na, n_rl, err);
        if (rc == RA_OK)
            rc = cycle_market_propose(r, &acc, &set, &res, err); /* price limits */
        if (rc == RA_OK) {
            r->st->out_of_band_before += res.out_of_band_before != 0;
            out_of_band = ra_tier_acts_alone(m->discretionary, m->client_confirm,
                                             cycle_tiers_of(r, a))
                              ? res.out_of_band_after
                              : res.out_of_band_before;
            r->st->out_of_band_after += out_of_band != 0;
            for (unsigned bit = 0; bit < 8; bit++)
                r->st->held_back[bit] += (res.held_back >> bit) & 1u;
        }
        if (rc == RA_OK && r->firm) /* cut back to the firm rules (cycle_firm.c) */
            rc = cycle_firm_cut(r, a, &l, out, &res, err);
        if (rc == RA_OK && res.n_trades)
            rc = make_proposal(r, a, &l, &res, out, err);
    } else if (rc == RA_OK && !have)
        r->st->no_model++;
    if (rc == RA_OK && !r->rejected && !r->monitor)
        rc = pay_withdrawals(r, a, &l, out, err);
    ra_cycle_value *v = &out->day.value;
    if (rc == RA_OK)
        rc = ledger_value(r, &l, &v->value_minor, err);
    if (rc == RA_OK) {
        v->cash_minor = l.cash_minor;
        v->flow_minor = b->acc[a].flow_minor - out->day.withdrawal_minor;
        ra_minor prev = b->acc[a].prev_value_minor;
        v->twr = prev > 0 ? (double)(v->value_minor - v->flow_minor) / (double)prev - 1.0 : NAN;
        int traded = out->day.n_fills > 0;
        v->drift = have ? (traded ? res.drift_after : res.drift_before) : 0.0;
        v->max_dev = have ? (traded ? res.max_dev_after : res.max_dev_before) : 0.0;
        v->out_of_band = out_of_band;
        v->held_back = res.held_back;
        r->st->value_minor += v->value_minor;
        r->st->processed++;
    }
    if (rc == RA_OK && r->tiers) /* tiers and behaviour alerts after the close */
        rc = cycle_tiers_check(r, a, &l, out, err);
    ra_ledger_free(&l);
    if (rc != RA_OK && !err->where[0])
        snprintf(err->where, sizeof err->where, "account %s", b->acc[a].code);
    return rc;
}

/* ---- the run ----------------------------------------------------------------------------------- */

static ra_status sec_index(const ra_cycle_book *b, const char *ticker, uint32_t *out, ra_err *err);

static void run_free(run *r)
{
    RA_FREE_ALL(r->hh_loss, r->hh_buy, r->hh_recent, r->in_set, r->asset_of, r->target,
                r->assets, r->rlots, r->trades, r->picks, r->work);
    memo_free(r);
    if (r->owns_shared) {
        cycle_market_free(r->market);
        r->market = NULL;
        ra_objective_shelf_free(r->objs);
        ra_free(r->objs);
        r->objs = NULL;
        RA_FREE_ALL(r->class_ix, r->sub_of, r->u_tickers, r->u_class, r->u_group);
        RA_FREE_ALL(r->group_ix, r->model_sec);
    }
}

/* The thread's workspace of r (its household state and scratch), sized for the book. */
static ra_status workspace_alloc(run *r, ra_err *err)
{
    ra_cycle_book *b = r->b;
    size_t ns = b->n_sec ? b->n_sec : 1, max_lots = 1;
    for (size_t a = 0; a < b->n_acc; a++)
        if (b->acc[a].n_lots > max_lots)
            max_lots = b->acc[a].n_lots;
    r->household = UINT32_MAX;
    r->wash_at = 0;
    r->work = NULL;
    r->work_cap = 0;
    r->hh_loss = ra_calloc(ns, sizeof *r->hh_loss);
    r->hh_buy = ra_calloc(ns, sizeof *r->hh_buy);
    r->hh_recent = ra_calloc(ns, sizeof *r->hh_recent);
    r->in_set = ra_calloc(ns, 1);
    r->asset_of = ra_malloc(ns * sizeof *r->asset_of);
    r->target = ra_calloc(ns, sizeof *r->target);
    r->assets = ra_calloc(ns, sizeof *r->assets);
    r->rlots = ra_calloc(max_lots, sizeof *r->rlots);
    r->trades = ra_calloc(2 * ns, sizeof *r->trades);
    r->picks = ra_calloc(max_lots, sizeof *r->picks);
    if (!r->hh_loss || !r->hh_buy || !r->hh_recent || !r->in_set || !r->asset_of || !r->target ||
        !r->assets || !r->rlots || !r->trades || !r->picks)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's run");
    return RA_OK;
}

static ra_status run_alloc(run *r, ra_err *err)
{
    ra_cycle_book *b = r->b;
    size_t ns = b->n_sec ? b->n_sec : 1;
    r->owns_shared = 1;
    r->class_ix = ra_malloc(ns * sizeof *r->class_ix);
    r->sub_of = ra_malloc(ns * sizeof *r->sub_of);
    r->u_tickers = ra_calloc(ns, sizeof *r->u_tickers);
    r->u_class = ra_calloc(ns, sizeof *r->u_class);
    r->u_group = ra_calloc(ns, sizeof *r->u_group);
    r->group_ix = ra_malloc(ns * sizeof *r->group_ix);
    r->model_sec = ra_malloc((b->n_models ? b->n_models : 1) * RA_MODELS_MAX_HOLDINGS *
                             sizeof *r->model_sec);
    ra_status rc = workspace_alloc(r, err);
    if (rc != RA_OK)
        return rc;
    if (!r->class_ix || !r->sub_of || !r->u_tickers || !r->u_class || !r->u_group ||
        !r->group_ix || !r->model_sec)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's run");
    for (size_t m = 0; m < b->n_models; m++)
        for (size_t k = 0; k < RA_MODELS_MAX_HOLDINGS; k++) {
            uint32_t ix = 0;
            ra_err e = {0};
            r->model_sec[m * RA_MODELS_MAX_HOLDINGS + k] =
                k < b->models[m].n && sec_index(b, b->models[m].w[k].ticker, &ix, &e) == RA_OK
                    ? (int32_t)ix : -1;
        }
    for (size_t i = 0; i < b->n_sec; i++) {
        r->group_ix[i] = -1;
        for (size_t j = 0; j <= i && b->sec[i].tlh_group[0]; j++)
            if (strcmp(b->sec[j].tlh_group, b->sec[i].tlh_group) == 0) {
                r->group_ix[i] = (int32_t)j;
                break;
            }
        r->class_ix[i] = (uint32_t)i;
        for (size_t j = 0; j < i; j++)
            if (strcmp(b->sec[j].asset_class, b->sec[i].asset_class) == 0) {
                r->class_ix[i] = r->class_ix[j];
                break;
            }
        r->sub_of[i] = -1;
        if (b->sec[i].tlh_group[0])
            for (size_t j = 0; j < b->n_sec; j++)
                if (j != i && strcmp(b->sec[j].tlh_group, b->sec[i].tlh_group) == 0 && b->sec[j].on_shelf &&
                    b->sec[j].price > 0) {
                    r->sub_of[i] = (int32_t)j;
                    break;
                }
        r->u_tickers[i] = b->sec[i].ticker;
        r->u_class[i] = b->sec[i].asset_class;
        r->u_group[i] = b->sec[i].tlh_group;
    }
    r->u.n = b->n_sec;
    r->u.tickers = r->u_tickers;
    r->u.asset_class = r->u_class;
    r->u.tlh_group = r->u_group;
    r->u.cov = NULL;
    ra_status rc2 = cycle_market_load(r, err); /* the securities' market rules of the day */
    /* the shelf's estimates, when some account states client objectives */
    int any = 0;
    for (size_t k = 0; k < b->n_mandates && !any; k++)
        any = ra_objective_of_mandate(&b->mandates[k], NULL);
    if (rc2 == RA_OK && any) {
        r->objs = ra_calloc(1, sizeof *r->objs);
        rc2 = r->objs ? ra_objective_shelf_load(r->s, r->actor->firm, b->date, r->objs, err)
                      : ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the day's estimates");
    }
    return rc2;
}


/* Another thread's run: src's shared part pointed to, a workspace of its own. */
static ra_status run_clone(run *dst, const run *src, ra_err *err)
{
    *dst = *src;
    dst->owns_shared = 0;
    dst->hh_loss = dst->hh_buy = NULL;
    dst->hh_recent = NULL;
    dst->in_set = NULL;
    dst->asset_of = NULL;
    dst->target = NULL;
    dst->assets = NULL;
    dst->rlots = NULL;
    dst->trades = NULL;
    dst->picks = NULL;
    dst->memo = NULL;
    dst->n_memo = 0;
    return workspace_alloc(dst, err);
}

/* ---- re-evaluation after a rejection ----------------------------------------------------------- */

long cycle_sec_find(const ra_cycle_book *b, const char *ticker)
{
    size_t lo = 0, hi = b->n_sec; /* the book's securities are in ticker order */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(b->sec[mid].ticker, ticker) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < b->n_sec && strcmp(b->sec[lo].ticker, ticker) == 0 ? (long)lo : -1;
}

static ra_status sec_index(const ra_cycle_book *b, const char *ticker, uint32_t *out, ra_err *err)
{
    long lo = cycle_sec_find(b, ticker);
    if (lo < 0)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no security %s in the firm's book", ticker);
    *out = (uint32_t)lo;
    return RA_OK;
}

static int barred(const reeval_ctx *re, uint32_t sec, int side)
{
    for (size_t k = 0; k < re->n_bar; k++)
        if (re->bar[k].sec == sec && re->bar[k].side == side)
            return 1;
    return 0;
}

static void reeval_free(reeval_ctx *re)
{
    RA_FREE_ALL(re->bar, re->pend, re->pend_sec, re->pend_loss, re->pend_picks);
}

/* The day's rejected trades of the account (every proposal of its day) as bars. */
static ra_status reeval_bars(const ra_cycle_book *b, const ra_cycle_proposal *day, size_t n_day,
                             reeval_ctx *re, ra_err *err)
{
    size_t cap = 0;
    for (size_t p = 0; p < n_day; p++)
        for (size_t k = 0; k < day[p].n_trades; k++) {
            const ra_cycle_trade *t = &day[p].trades[k];
            if (strcmp(t->status, "rejected") != 0)
                continue;
            uint32_t sec = 0;
            ra_status rc = sec_index(b, t->ticker, &sec, err);
            if (rc != RA_OK)
                return rc;
            if (barred(re, sec, t->side))
                continue;
            if (ra_grow((void **)&re->bar, &cap, re->n_bar + 1, sizeof *re->bar))
                return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the rejected trades");
            re->bar[re->n_bar++] = (reeval_bar){sec, t->side};
        }
    return RA_OK;
}

/* The account's approved trades whose orders are not filled (or not wholly) yet, as fills of
 * what is left at the trades' prices: a sale relieves the lots its trade picked when nothing of
 * it has filled, the highest-cost lots otherwise. */
static ra_status reeval_pending_orders(ra_store *s, const ra_store_actor *actor,
                                       const ra_cycle_book *b, const char *account, int64_t fee,
                                       reeval_ctx *re, ra_err *err)
{
    ra_status rc = RA_OK;
    size_t cap = 0, cap_s = 0, cap_l = 0, cap_p = 0, n_picks = 0;
    size_t *first = NULL, cap_f = 0;
    const char *statuses[2] = {"open", "partial"};
    for (int st = 0; st < 2 && rc == RA_OK; st++) {
        ra_cycle_order *o = NULL;
        size_t n = 0;
        ra_cycle_filter f = {0, account, statuses[st]};
        rc = ra_store_orders_list(s, actor->firm, &f, &o, &n, err);
        for (size_t i = 0; rc == RA_OK && i < n; i++) {
            ra_cycle_proposal p;
            rc = ra_store_proposal_get(s, actor->firm, o[i].proposal, &p, err);
            if (rc != RA_OK)
                break;
            const ra_cycle_trade *t = NULL;
            for (size_t k = 0; k < p.n_trades && !t; k++)
                if (p.trades[k].n == o[i].trade_n)
                    t = &p.trades[k];
            uint32_t sec = 0;
            if (!t)
                rc = ra_err_set(err, RA_ENOTFOUND, NULL, "order %s: its proposal has no trade %d",
                                o[i].id, o[i].trade_n);
            if (rc == RA_OK)
                rc = sec_index(b, o[i].ticker, &sec, err);
            size_t k = re->n_pend;
            if (rc == RA_OK && (ra_grow((void **)&re->pend, &cap, k + 1, sizeof *re->pend) ||
                                ra_grow((void **)&re->pend_sec, &cap_s, k + 1,
                                        sizeof *re->pend_sec) ||
                                ra_grow((void **)&re->pend_loss, &cap_l, k + 1,
                                        sizeof *re->pend_loss) ||
                                ra_grow((void **)&first, &cap_f, k + 1, sizeof *first)))
                rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the pending orders");
            if (rc == RA_OK) {
                ra_store_txn *x = &re->pend[k];
                memset(x, 0, sizeof *x);
                memcpy(x->account, o[i].account, RA_CODE_MAX);
                snprintf(x->external_id, sizeof x->external_id, "pending-%d", o[i].trade_n);
                x->kind = o[i].side > 0 ? RA_TXN_BUY : RA_TXN_SELL;
                x->date = b->date;
                memcpy(x->ticker, o[i].ticker, RA_CODE_MAX);
                x->qty_micro = o[i].qty_micro - o[i].filled_micro;
                x->price = t->price;
                x->fees_minor = fee;
                x->relief = RA_RELIEF_HIFO;
                first[k] = n_picks;
                if (x->kind == RA_TXN_SELL && o[i].filled_micro == 0 && t->n_picks) {
                    if (ra_grow((void **)&re->pend_picks, &cap_p, n_picks + t->n_picks,
                                sizeof *re->pend_picks))
                        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the picks");
                    for (size_t q = 0; rc == RA_OK && q < t->n_picks; q++)
                        re->pend_picks[n_picks++] = (ra_lot_pick){
                            p.picks[t->first_pick + q].lot_id, p.picks[t->first_pick + q].qty_micro};
                    x->relief = RA_RELIEF_SPECIFIC;
                    x->n_picks = t->n_picks;
                }
                re->pend_sec[k] = sec;
                re->pend_loss[k] = o[i].side < 0 && t->gain_short_minor + t->gain_long_minor < 0;
                re->n_pend++;
            }
            ra_cycle_proposal_clear(&p);
        }
        ra_store_free(o);
    }
    for (size_t k = 0; rc == RA_OK && k < re->n_pend; k++) /* the picks moved while growing */
        if (re->pend[k].relief == RA_RELIEF_SPECIFIC)
            re->pend[k].picks = re->pend_picks + first[k];
    ra_free(first);
    return rc;
}

/* Another member of tlh_group of `sec` to use instead of a rejected one: on the shelf, priced,
 * not a rejected buy, outside the household's wash-sale windows; -1 none. */
static int32_t alternative(const run *r, uint32_t sec, uint32_t rejected)
{
    const ra_cycle_book *b = r->b;
    for (size_t k = 0; k < b->n_sec; k++)
        if (k != sec && k != rejected && b->sec[sec].tlh_group[0] &&
            strcmp(b->sec[k].tlh_group, b->sec[sec].tlh_group) == 0 && b->sec[k].on_shelf &&
            b->sec[k].price > 0 && !barred(r->re, (uint32_t)k, 1) &&
            !within(b->date, r->hh_loss[k], r->o->window_days))
            return (int32_t)k;
    return -1;
}

/* After household_enter: a harvest whose substitute's buy was rejected while its sale was
 * approved moves the sleeve to another substitute, and held securities whose substitute is a
 * rejected buy harvest into another one. */
static void reeval_alternatives(run *r, reeval_ctx *re)
{
    const ra_cycle_book *b = r->b;
    for (size_t k = 0; k < re->n_pend; k++) {
        if (!re->pend_loss[k])
            continue;
        uint32_t i = re->pend_sec[k];
        for (size_t j = 0; j < re->n_bar; j++) {
            uint32_t x = re->bar[j].sec;
            if (re->bar[j].side < 0 || x == i || !b->sec[i].tlh_group[0] ||
                strcmp(b->sec[x].tlh_group, b->sec[i].tlh_group) != 0)
                continue;
            int32_t alt = alternative(r, i, x);
            if (alt >= 0 && re->n_prefer < sizeof re->prefer / sizeof re->prefer[0])
                re->prefer[re->n_prefer++] = (uint32_t)alt;
            break;
        }
    }
    for (size_t i = 0; i < b->n_sec; i++)
        if (r->sub_of[i] >= 0 && barred(re, (uint32_t)r->sub_of[i], 1))
            r->sub_of[i] = alternative(r, (uint32_t)i, (uint32_t)r->sub_of[i]);
}

ra_status ra_cycle_reevaluate(ra_store *s, const ra_store_actor *actor, const ra_cycle_options *o,
                              const char *rejected_id, char new_id[RA_CYCLE_ID_MAX],
                              size_t *n_trades, ra_err *err)
{
    new_id[0] = 0;
    *n_trades = 0;
    ra_cycle_proposal rej;
    ra_status rc = ra_store_proposal_get(s, actor->firm, rejected_id, &rej, err);
    if (rc != RA_OK)
        return rc;
    size_t n_rejected = 0;
    for (size_t k = 0; k < rej.n_trades; k++)
        n_rejected += strcmp(rej.trades[k].status, "rejected") == 0;
    if (strcmp(rej.status, "rejected") != 0 &&
        (strcmp(rej.status, "approved") != 0 || n_rejected == 0)) {
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "proposal %s is %s%s: only a proposal with "
                        "rejected trades is re-evaluated", rejected_id, rej.status,
                        strcmp(rej.status, "approved") == 0 ? " wholly" : "");
        ra_cycle_proposal_clear(&rej);
        return rc;
    }
    /* the new proposal's number: one more than the account's proposals of the day; the trades
     * rejected in any of them are not proposed again that day */
    ra_cycle_proposal *day = NULL;
    size_t n_day = 0;
    ra_cycle_filter f = {rej.date, rej.account, NULL};
    rc = ra_store_proposals_list(s, actor->firm, &f, &day, &n_day, err);
    ra_cycle_book *b = NULL;
    if (rc == RA_OK)
        rc = ra_store_cycle_book_load_ex(s, actor->firm, rej.date, o->window_days,
                                         RA_CYCLE_LOAD_ALL_LOTS, &b, err);
    size_t a = 0;
    while (rc == RA_OK && a < b->n_acc && strcmp(b->acc[a].code, rej.account) != 0)
        a++;
    if (rc == RA_OK && a == b->n_acc)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no account %s", rej.account);
    reeval_ctx re;
    memset(&re, 0, sizeof re);
    if (rc == RA_OK)
        rc = reeval_bars(b, day, n_day, &re, err);
    ra_cycle_proposals_free(day, n_day);
    if (rc == RA_OK)
        rc = reeval_pending_orders(s, actor, b, rej.account, o->settings.fee_minor, &re, err);
    ra_cycle_stats st;
    memset(&st, 0, sizeof st);
    ra_cycle_options ro = *o;
    ro.date = rej.date;
    run r = {.s = s, .actor = actor, .o = &ro, .b = b, .st = &st, .household = UINT32_MAX,
             .rejected = &rej, .reeval_n = (int)n_day + 1, .re = &re};
    acct_out out;
    memset(&out, 0, sizeof out);
    cycle_firm *firm = NULL; /* the firm rules, as the day's run computed them */
    if (rc == RA_OK)
        rc = run_alloc(&r, err);
    if (rc == RA_OK)
        rc = cycle_firm_load(s, actor, o, b, 0, &firm, err);
    r.firm = firm;
    if (rc == RA_OK) {
        size_t first = a;
        while (first > 0 && b->acc[first - 1].household == b->acc[a].household)
            first--;
        household_enter(&r, b->acc[a].household, first);
        reeval_alternatives(&r, &re);
        rc = account_day(&r, a, &out, err);
    }
    if (rc == RA_OK && out.day.proposal) {
        rc = ra_store_proposal_put(s, actor, out.day.proposal, err);
        if (rc == RA_OK) {
            memcpy(new_id, out.day.proposal->id, RA_CYCLE_ID_MAX);
            *n_trades = out.day.proposal->n_trades;
        }
    }
    acct_out_free(&out);
    run_free(&r);
    cycle_firm_free(firm);
    reeval_free(&re);
    ra_cycle_book_destroy(b);
    ra_cycle_proposal_clear(&rej);
    return rc;
}

/* ---- for the run's driver (cycle_int.h) -------------------------------------------------------- */

void cycle_acct_out_free(acct_out *o) { acct_out_free(o); }
ra_status cycle_run_alloc(run *r, ra_err *err) { return run_alloc(r, err); }
ra_status cycle_sec_index(const ra_cycle_book *b, const char *ticker, uint32_t *out, ra_err *err)
{
    return sec_index(b, ticker, out, err);
}
ra_status cycle_run_clone(run *dst, const run *src, ra_err *err) { return run_clone(dst, src, err); }
void cycle_run_free(run *r) { run_free(r); }
void cycle_household_enter(run *r, uint32_t h, size_t first) { household_enter(r, h, first); }

ra_status cycle_account_day(run *r, size_t a, acct_out *out, ra_err *err)
{
    ra_status rc = account_day(r, a, out, err);
    if (rc != RA_OK) /* say whose day it was */
        ra_err_wrap(err, "account %s", r->b->acc[a].code);
    return rc;
}

ra_status cycle_account_target(run *r, size_t a, double *target, double *cash_w, int *have,
                               ra_err *err)
{
    ra_ledger l;
    ra_status rc = book_ledger(r->b, a, &l, err);
    if (rc != RA_OK)
        return rc;
    rc = account_target(r, a, &l, target, cash_w, have, err);
    ra_ledger_free(&l);
    return rc;
}

void cycle_settings_hash(const run *r, char out[65])
{
    char text[1024];
    int n = settings_text(r, text, sizeof text);
    hash_hex(text, (size_t)n < sizeof text ? (size_t)n : sizeof text - 1, out);
}
