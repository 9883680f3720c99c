/* The ledger core: include/roboadvisor/ledger.h, docs/methodology.md#ledger.
 * Every transaction is applied in two phases: plan (validate and compute every new value into
 * locals and the scratch array, allocate if needed) and commit (plain assignments that cannot
 * fail). An error in the plan phase returns before anything observable changed. */
#include <roboadvisor/ledger.h>
#include <roboadvisor/rules.h>

#include "core/money_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_LOT_CAP 8

typedef struct plan_item {
    size_t idx;        /* index into l->lots */
    ra_micro take;     /* quantity taken */
    ra_minor basis;    /* basis relieved */
    ra_minor proceeds; /* share of net proceeds */
} plan_item;

/* ---- small helpers -------------------------------------------------------------------------- */

static int add_ok(int64_t a, int64_t b, int64_t *out) { return !__builtin_add_overflow(a, b, out); }
static int sub_ok(int64_t a, int64_t b, int64_t *out) { return !__builtin_sub_overflow(a, b, out); }

static void *hook_realloc(const ra_ledger_alloc *a, void *p, size_t n)
{
    return a->realloc_fn ? a->realloc_fn(a->ctx, p, n) : realloc(p, n);
}

static void hook_free(const ra_ledger_alloc *a, void *p)
{
    if (!p)
        return;
    if (a->free_fn)
        a->free_fn(a->ctx, p);
    else
        free(p);
}

const char *ra_ledger_kind_name(ra_txn_kind kind)
{
    switch (kind) {
    case RA_TXN_DEPOSIT: return "deposit";
    case RA_TXN_WITHDRAWAL: return "withdrawal";
    case RA_TXN_BUY: return "buy";
    case RA_TXN_SELL: return "sell";
    case RA_TXN_DIVIDEND: return "dividend";
    case RA_TXN_REINVEST: return "reinvest";
    case RA_TXN_FEE: return "fee";
    case RA_TXN_TRANSFER_IN: return "transfer_in";
    case RA_TXN_TRANSFER_OUT: return "transfer_out";
    case RA_TXN_SPLIT: return "split";
    }
    return "?";
}

static int date_ok(ra_date d)
{
    return d >= ra_date_from_ymd(1, 1, 1) && d <= ra_date_from_ymd(9999, 12, 31);
}

/* Sets err with where = "txn 42 (sell 2021-03-04)". */
static ra_status fail(ra_err *err, const ra_txn *t, ra_status code, const char *fmt, ...)
    RA_PRINTF(4, 5);
static ra_status fail(ra_err *err, const ra_txn *t, ra_status code, const char *fmt, ...)
{
    if (!err)
        return code;
    char where[sizeof err->where], day[11];
    if (date_ok(t->date))
        ra_date_format(t->date, day);
    else
        snprintf(day, sizeof day, "bad date");
    snprintf(where, sizeof where, "txn %llu (%s %s)", (unsigned long long)t->id,
             ra_ledger_kind_name(t->kind), day);
    va_list ap;
    va_start(ap, fmt);
    ra_status rc = ra_err_setv(err, code, where, fmt, ap);
    va_end(ap);
    return rc;
}

#define FMT_MONEY(l, v, buf) ra_money_format_minor((v), (l)->settings.minor_digits, buf, sizeof buf)
#define FMT_QTY(v, buf) ra_money_format_qty((v), buf, sizeof buf)

/* Lots are ordered by (security, acquired, id). */
static int lot_before(const ra_lot *a, const ra_lot *b)
{
    if (a->security != b->security)
        return a->security < b->security;
    if (a->acquired != b->acquired)
        return a->acquired < b->acquired;
    return a->id < b->id;
}

/* [*lo, *hi) are the lots of security s. */
static void security_range(const ra_ledger *l, uint32_t s, size_t *lo, size_t *hi)
{
    size_t a = 0, b = l->n_lots;
    while (a < b) { /* first lot with security >= s */
        size_t m = a + (b - a) / 2;
        if (l->lots[m].security < s)
            a = m + 1;
        else
            b = m;
    }
    *lo = a;
    b = a;
    while (b < l->n_lots && l->lots[b].security == s)
        b++;
    *hi = b;
}

static size_t find_lot(const ra_ledger *l, uint64_t id)
{
    for (size_t i = 0; i < l->n_lots; i++)
        if (l->lots[i].id == id)
            return i;
    return SIZE_MAX;
}

/* Inserts lot keeping the order; capacity must be reserved. */
static void insert_lot(ra_ledger *l, const ra_lot *lot)
{
    size_t pos = l->n_lots;
    while (pos > 0 && lot_before(lot, &l->lots[pos - 1]))
        pos--;
    memmove(&l->lots[pos + 1], &l->lots[pos], (l->n_lots - pos) * sizeof *l->lots);
    l->lots[pos] = *lot;
    l->n_lots++;
}

/* Removes lots whose quantity reached zero, keeping the order. */
static void compact(ra_ledger *l)
{
    size_t w = 0;
    for (size_t r = 0; r < l->n_lots; r++)
        if (l->lots[r].qty_micro != 0)
            l->lots[w++] = l->lots[r];
    l->n_lots = w;
}

/* ---- lifecycle -------------------------------------------------------------------------------- */

void ra_ledger_settings_default(ra_ledger_settings *s)
{
    if (!s)
        return;
    s->minor_digits = 2;
    s->allow_overdraft = 0;
}

ra_status ra_ledger_init(ra_ledger *l, const ra_ledger_settings *settings,
                         const ra_ledger_alloc *alloc, ra_err *err)
{
    if (!l)
        return ra_err_set(err, RA_EINVAL, NULL, "ledger init needs a state");
    ra_ledger_settings s;
    ra_ledger_settings_default(&s);
    if (settings)
        s = *settings;
    if (s.minor_digits != 0 && s.minor_digits != 2 && s.minor_digits != 3)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "a currency has 0, 2 or 3 minor digits, got %d", s.minor_digits);
    if (alloc && (!alloc->realloc_fn) != (!alloc->free_fn))
        return ra_err_set(err, RA_EINVAL, NULL,
                          "allocator hooks need both realloc_fn and free_fn, or neither");
    memset(l, 0, sizeof *l);
    l->settings = s;
    l->settings.allow_overdraft = s.allow_overdraft != 0;
    l->next_lot_id = 1;
    if (alloc)
        l->alloc = *alloc;
    return RA_OK;
}

void ra_ledger_free(ra_ledger *l)
{
    if (!l)
        return;
    hook_free(&l->alloc, l->lots);
    hook_free(&l->alloc, l->scratch);
    l->lots = NULL;
    l->scratch = NULL;
    l->n_lots = l->cap_lots = 0;
}

ra_status ra_ledger_reserve(ra_ledger *l, size_t n_lots, ra_err *err)
{
    if (!l)
        return ra_err_set(err, RA_EINVAL, NULL, "reserve needs a state");
    if (n_lots <= l->cap_lots)
        return RA_OK;
    size_t cap = l->cap_lots < MIN_LOT_CAP ? MIN_LOT_CAP : l->cap_lots;
    while (cap < n_lots)
        cap = cap > SIZE_MAX / 2 ? n_lots : cap * 2;
    if (cap > SIZE_MAX / sizeof(plan_item) || cap > SIZE_MAX / sizeof(ra_lot))
        return ra_err_set(err, RA_ENOMEM, NULL, "cannot hold %zu lots", n_lots);
    ra_lot *lots = hook_realloc(&l->alloc, l->lots, cap * sizeof *lots);
    if (!lots)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate room for %zu lots", cap);
    l->lots = lots; /* same contents; cap_lots grows only once both arrays have grown */
    plan_item *scratch = hook_realloc(&l->alloc, l->scratch, cap * sizeof *scratch);
    if (!scratch)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate room for %zu lots", cap);
    l->scratch = scratch;
    l->cap_lots = cap;
    return RA_OK;
}

ra_status ra_ledger_restore(ra_ledger *l, ra_minor cash_minor, const ra_lot *lots, size_t n,
                            uint64_t next_lot_id, const ra_ledger_totals *totals, ra_err *err)
{
    if (!l || (!lots && n))
        return ra_err_set(err, RA_EINVAL, NULL, "restore needs a state and its lots");
    if (l->n_lots != 0 || l->next_lot_id != 1 || l->totals.n_txns != 0)
        return ra_err_set(err, RA_EINVAL, NULL, "restore needs an empty, freshly initialised state");
    if (next_lot_id == 0)
        return ra_err_set(err, RA_EINVAL, NULL, "next lot id must be at least 1");
    for (size_t i = 0; i < n; i++) {
        const ra_lot *a = &lots[i];
        if (a->id == 0 || a->id >= next_lot_id)
            return ra_err_set(err, RA_EINVAL, NULL,
                              "lot %llu: id must be in 1..%llu (below the next lot id)",
                              (unsigned long long)a->id, (unsigned long long)(next_lot_id - 1));
        if (a->qty_micro <= 0 || a->basis_minor < 0 || !date_ok(a->acquired))
            return ra_err_set(err, RA_EINVAL, NULL,
                              "lot %llu needs a quantity > 0, a basis >= 0 and a valid date, got "
                              "%lld micro-shares, basis %lld, date %d", (unsigned long long)a->id,
                              (long long)a->qty_micro, (long long)a->basis_minor, (int)a->acquired);
        for (size_t j = 0; j < i; j++)
            if (lots[j].id == a->id)
                return ra_err_set(err, RA_EINVAL, NULL, "lot %llu appears twice",
                                  (unsigned long long)a->id);
    }
    ra_status rc = ra_ledger_reserve(l, n, err);
    if (rc != RA_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        insert_lot(l, &lots[i]);
    l->cash_minor = cash_minor;
    l->next_lot_id = next_lot_id;
    if (totals)
        l->totals = *totals;
    return RA_OK;
}

/* ---- holding period ------------------------------------------------------------------------- */

int ra_ledger_is_long_term(ra_date acquired, ra_date sold)
{
    int y, m, d;
    ra_date_to_ymd(acquired + 1, &y, &m, &d); /* the holding period starts the day after */
    y += 1;
    if (m == 2 && d == 29 && !ra_date_valid(y, 2, 29)) {
        m = 3;
        d = 1;
    }
    return sold >= ra_date_from_ymd(y, m, d);
}

/* ---- cash ----------------------------------------------------------------------------------- */

/* New cash after delta, refusing overflow and (without overdraft) a negative balance. */
static ra_status cash_after(const ra_ledger *l, const ra_txn *t, ra_minor delta, ra_minor *out,
                            ra_err *err)
{
    char a[RA_MONEY_FMT_SIZE], b[RA_MONEY_FMT_SIZE];
    if (!add_ok(l->cash_minor, delta, out))
        return fail(err, t, RA_EINVAL, "cash %s %+lld minor units overflows 64 bits",
                    FMT_MONEY(l, l->cash_minor, a), (long long)delta);
    if (*out < 0 && !l->settings.allow_overdraft && delta < 0)
        return fail(err, t, RA_ECONFLICT,
                    "needs %s but cash is %s; the account does not allow overdraft",
                    FMT_MONEY(l, -delta, a), FMT_MONEY(l, l->cash_minor, b));
    return RA_OK;
}

static ra_status totals_add(const ra_txn *t, ra_minor *field, ra_minor v, ra_err *err)
{
    if (!add_ok(*field, v, field))
        return fail(err, t, RA_EINVAL, "running totals overflow 64 bits");
    return RA_OK;
}

/* ---- transactions --------------------------------------------------------------------------- */

static ra_status apply_cash(ra_ledger *l, const ra_txn *t, ra_txn_result *res, ra_err *err)
{
    char a[RA_MONEY_FMT_SIZE];
    if (t->amount_minor <= 0)
        return fail(err, t, RA_EINVAL, "amount must be positive, got %s",
                    FMT_MONEY(l, t->amount_minor, a));
    int in = t->kind == RA_TXN_DEPOSIT || t->kind == RA_TXN_DIVIDEND;
    ra_minor delta = in ? t->amount_minor : -t->amount_minor, cash;
    ra_status rc = cash_after(l, t, delta, &cash, err);
    if (rc != RA_OK)
        return rc;
    ra_ledger_totals tot = l->totals;
    rc = totals_add(t, in ? &tot.cash_in_minor : &tot.cash_out_minor, t->amount_minor, err);
    if (rc != RA_OK)
        return rc;
    l->cash_minor = cash;
    l->totals = tot;
    res->cash_delta_minor = delta;
    return RA_OK;
}

static ra_status check_trade(const ra_ledger *l, const ra_txn *t, ra_err *err)
{
    char a[RA_MONEY_FMT_SIZE];
    if (t->qty_micro <= 0)
        return fail(err, t, RA_EINVAL, "quantity must be positive, got %s shares",
                    FMT_QTY(t->qty_micro, a));
    if (t->price <= 0)
        return fail(err, t, RA_EINVAL, "price must be positive, got %s",
                    ra_money_format_price(t->price, a, sizeof a));
    if (t->fees_minor < 0)
        return fail(err, t, RA_EINVAL, "fees must not be negative, got %s",
                    FMT_MONEY(l, t->fees_minor, a));
    return RA_OK;
}

static ra_status trade_value(const ra_ledger *l, const ra_txn *t, ra_minor *value, ra_err *err)
{
    ra_err e;
    if (ra_money_value(t->qty_micro, t->price, l->settings.minor_digits, value, &e) != RA_OK)
        return fail(err, t, RA_EINVAL, "%s", e.msg);
    return RA_OK;
}

static ra_status apply_buy(ra_ledger *l, const ra_txn *t, ra_txn_result *res, ra_err *err)
{
    ra_status rc = check_trade(l, t, err);
    if (rc != RA_OK)
        return rc;
    char a[RA_MONEY_FMT_SIZE];
    int reinvest = t->kind == RA_TXN_REINVEST;
    if (reinvest && t->amount_minor <= 0)
        return fail(err, t, RA_EINVAL, "dividend amount must be positive, got %s",
                    FMT_MONEY(l, t->amount_minor, a));
    ra_minor value, cost, delta, cash;
    if ((rc = trade_value(l, t, &value, err)) != RA_OK)
        return rc;
    if (!add_ok(value, t->fees_minor, &cost))
        return fail(err, t, RA_EINVAL, "cost (value plus fees) overflows 64 bits");
    if (!sub_ok(reinvest ? t->amount_minor : 0, cost, &delta))
        return fail(err, t, RA_EINVAL, "cash change overflows 64 bits");
    if ((rc = cash_after(l, t, delta, &cash, err)) != RA_OK)
        return rc;
    ra_ledger_totals tot = l->totals;
    if ((rc = totals_add(t, &tot.basis_in_minor, cost, err)) != RA_OK ||
        (rc = totals_add(t, &tot.cash_out_minor, cost, err)) != RA_OK ||
        (reinvest && (rc = totals_add(t, &tot.cash_in_minor, t->amount_minor, err)) != RA_OK))
        return rc;
    if (l->next_lot_id == UINT64_MAX)
        return fail(err, t, RA_EINVAL, "lot ids are exhausted");
    ra_err e;
    if (ra_ledger_reserve(l, l->n_lots + 1, &e) != RA_OK)
        return fail(err, t, e.code, "%s", e.msg);
    /* commit */
    ra_lot lot = {l->next_lot_id, t->security, t->date, t->qty_micro, cost};
    insert_lot(l, &lot);
    res->first_new_lot_id = l->next_lot_id++;
    res->n_new_lots = 1;
    res->cash_delta_minor = delta;
    l->cash_minor = cash;
    l->totals = tot;
    return RA_OK;
}

/* HIFO order: higher basis per share first (compared exactly by cross-multiplying), then the
 * FIFO order, which is the array order within a security. */
static int hifo_before(const ra_lot *lots, size_t i, size_t j)
{
    ra_i128 a = (ra_i128)lots[i].basis_minor * lots[j].qty_micro;
    ra_i128 b = (ra_i128)lots[j].basis_minor * lots[i].qty_micro;
    if (a != b)
        return a > b;
    return i < j;
}

/* Fills plan[0..*n_plan) with the lots a sale (or transfer out) relieves and how much of each. */
static ra_status plan_relief(const ra_ledger *l, const ra_txn *t, plan_item *plan, size_t *n_plan,
                             ra_err *err)
{
    char a[RA_MONEY_FMT_SIZE], b[RA_MONEY_FMT_SIZE];
    int is_sale = t->kind == RA_TXN_SELL;
    ra_relief method = is_sale ? t->relief : RA_RELIEF_SPECIFIC;
    size_t n = 0;
    if (method == RA_RELIEF_SPECIFIC) {
        if (t->n_picks == 0 || !t->picks)
            return fail(err, t, RA_EINVAL, "names no lots (picks are empty)");
        ra_i128 sum = 0;
        for (size_t k = 0; k < t->n_picks; k++) {
            const ra_lot_pick *p = &t->picks[k];
            size_t i = find_lot(l, p->lot_id);
            if (i == SIZE_MAX)
                return fail(err, t, RA_ENOTFOUND, "lot %llu is not held",
                            (unsigned long long)p->lot_id);
            if (is_sale && l->lots[i].security != t->security)
                return fail(err, t, RA_ENOTFOUND, "lot %llu holds security %u, not security %u",
                            (unsigned long long)p->lot_id, (unsigned)l->lots[i].security,
                            (unsigned)t->security);
            if (l->lots[i].acquired > t->date) {
                char d1[11];
                return fail(err, t, RA_ECONFLICT, "lot %llu was acquired %s, after this date",
                            (unsigned long long)p->lot_id, ra_date_format(l->lots[i].acquired, d1));
            }
            if (p->qty_micro <= 0)
                return fail(err, t, RA_EINVAL, "quantity picked from lot %llu must be positive, "
                            "got %s", (unsigned long long)p->lot_id, FMT_QTY(p->qty_micro, a));
            if (p->qty_micro > l->lots[i].qty_micro)
                return fail(err, t, RA_ECONFLICT, "cannot take %s shares from lot %llu: it holds %s",
                            FMT_QTY(p->qty_micro, a), (unsigned long long)p->lot_id,
                            FMT_QTY(l->lots[i].qty_micro, b));
            for (size_t j = 0; j < n; j++)
                if (plan[j].idx == i)
                    return fail(err, t, RA_EINVAL, "lot %llu is picked twice",
                                (unsigned long long)p->lot_id);
            plan[n].idx = i;
            plan[n].take = p->qty_micro;
            n++;
            sum += p->qty_micro;
        }
        if (is_sale && sum != t->qty_micro)
            return fail(err, t, RA_EINVAL, "picked lots total %s shares but the sale is for %s",
                        ra_money_fits(sum) ? FMT_QTY((int64_t)sum, a) : "too many",
                        FMT_QTY(t->qty_micro, b));
        *n_plan = n;
        return RA_OK;
    }
    if (method != RA_RELIEF_FIFO && method != RA_RELIEF_HIFO)
        return fail(err, t, RA_EINVAL, "relief method %d is not fifo, hifo or specific",
                    (int)method);
    size_t lo, hi;
    security_range(l, t->security, &lo, &hi);
    while (hi > lo && l->lots[hi - 1].acquired > t->date)
        hi--; /* lots acquired after the sale date cannot be sold by it */
    ra_i128 held = 0;
    for (size_t i = lo; i < hi; i++)
        held += l->lots[i].qty_micro;
    if (held < t->qty_micro)
        return fail(err, t, RA_ECONFLICT, "cannot sell %s shares of security %u: %s held on that "
                    "date", FMT_QTY(t->qty_micro, a), (unsigned)t->security,
                    ra_money_fits(held) ? FMT_QTY((int64_t)held, b) : "more than 2^63 micro");
    for (size_t i = lo; i < hi; i++)
        plan[i - lo].idx = i;
    size_t cnt = hi - lo;
    if (method == RA_RELIEF_HIFO) /* insertion sort: a security has few lots */
        for (size_t i = 1; i < cnt; i++) {
            size_t v = plan[i].idx, j = i;
            while (j > 0 && hifo_before(l->lots, v, plan[j - 1].idx)) {
                plan[j].idx = plan[j - 1].idx;
                j--;
            }
            plan[j].idx = v;
        }
    ra_micro left = t->qty_micro;
    for (size_t k = 0; k < cnt && left > 0; k++) {
        ra_micro q = l->lots[plan[k].idx].qty_micro;
        plan[k].take = q < left ? q : left;
        left -= plan[k].take;
        n++;
    }
    *n_plan = n;
    return RA_OK;
}

/* Basis relieved from each planned lot: all of it for a whole lot, otherwise
 * round(basis * take / qty) (ties to even), so the lot keeps the exact remainder. */
static void plan_basis(const ra_ledger *l, plan_item *plan, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const ra_lot *lot = &l->lots[plan[k].idx];
        if (plan[k].take == lot->qty_micro)
            plan[k].basis = lot->basis_minor;
        else /* 0 <= result <= basis: it fits */
            plan[k].basis = (ra_minor)ra_money_round_div((ra_i128)lot->basis_minor * plan[k].take,
                                                         lot->qty_micro);
    }
}

static void fill_relief(const ra_ledger *l, const ra_txn *t, const plan_item *plan, size_t n,
                        int is_sale, ra_txn_result *res)
{
    res->n_relief = n;
    if (!res->relief)
        return;
    for (size_t k = 0; k < n; k++) {
        const ra_lot *lot = &l->lots[plan[k].idx];
        ra_lot_relief *r = &res->relief[k];
        r->lot_id = lot->id;
        r->security = lot->security;
        r->acquired = lot->acquired;
        r->qty_micro = plan[k].take;
        r->basis_minor = plan[k].basis;
        r->proceeds_minor = is_sale ? plan[k].proceeds : 0;
        r->gain_minor = is_sale ? plan[k].proceeds - plan[k].basis : 0;
        r->long_term = ra_ledger_is_long_term(lot->acquired, t->date);
    }
}

static void commit_relief(ra_ledger *l, const plan_item *plan, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        ra_lot *lot = &l->lots[plan[k].idx];
        lot->qty_micro -= plan[k].take;
        lot->basis_minor -= plan[k].basis;
    }
    compact(l);
}

static ra_status apply_sell(ra_ledger *l, const ra_txn *t, ra_txn_result *res, ra_err *err)
{
    ra_status rc = check_trade(l, t, err);
    if (rc != RA_OK)
        return rc;
    plan_item *plan = l->scratch;
    size_t n = 0;
    if ((rc = plan_relief(l, t, plan, &n, err)) != RA_OK)
        return rc;
    if (res->relief && n > res->relief_cap)
        return fail(err, t, RA_EINVAL, "relieves %zu lots but the result has room for %zu", n,
                    res->relief_cap);
    ra_minor value, proceeds, cash;
    if ((rc = trade_value(l, t, &value, err)) != RA_OK)
        return rc;
    if (!sub_ok(value, t->fees_minor, &proceeds))
        return fail(err, t, RA_EINVAL, "net proceeds overflow 64 bits");
    if ((rc = cash_after(l, t, proceeds, &cash, err)) != RA_OK)
        return rc;
    plan_basis(l, plan, n);
    /* Proceeds pro rata to quantity by cumulative rounding: part k = R(P*C_k/Q) - R(P*C_{k-1}/Q)
     * with C_k the quantity taken so far and R the rounding rule. The parts telescope to
     * R(P*Q/Q) = P exactly and each is within one minor unit of its exact share. */
    ra_i128 cum = 0, prev = 0;
    ra_minor st = 0, lt = 0, basis_sold = 0;
    for (size_t k = 0; k < n; k++) {
        cum += plan[k].take;
        ra_i128 upto = ra_money_round_div((ra_i128)proceeds * cum, t->qty_micro);
        plan[k].proceeds = (ra_minor)(upto - prev); /* |part| <= |P| */
        prev = upto;
        ra_minor gain;
        if (!sub_ok(plan[k].proceeds, plan[k].basis, &gain) ||
            !add_ok(basis_sold, plan[k].basis, &basis_sold))
            return fail(err, t, RA_EINVAL, "realised gain overflows 64 bits");
        int long_term = ra_ledger_is_long_term(l->lots[plan[k].idx].acquired, t->date);
        if (!add_ok(long_term ? lt : st, gain, long_term ? &lt : &st))
            return fail(err, t, RA_EINVAL, "realised gain overflows 64 bits");
    }
    ra_ledger_totals tot = l->totals;
    if ((rc = totals_add(t, &tot.cash_in_minor, proceeds, err)) != RA_OK ||
        (rc = totals_add(t, &tot.proceeds_minor, proceeds, err)) != RA_OK ||
        (rc = totals_add(t, &tot.basis_sold_minor, basis_sold, err)) != RA_OK ||
        (rc = totals_add(t, &tot.gain_short_minor, st, err)) != RA_OK ||
        (rc = totals_add(t, &tot.gain_long_minor, lt, err)) != RA_OK)
        return rc;
    /* commit */
    fill_relief(l, t, plan, n, 1, res);
    res->cash_delta_minor = proceeds;
    res->gain_short_minor = st;
    res->gain_long_minor = lt;
    commit_relief(l, plan, n);
    l->cash_minor = cash;
    l->totals = tot;
    return RA_OK;
}

static ra_status apply_transfer_out(ra_ledger *l, const ra_txn *t, ra_txn_result *res,
                                    ra_err *err)
{
    plan_item *plan = l->scratch;
    size_t n = 0;
    ra_status rc = plan_relief(l, t, plan, &n, err);
    if (rc != RA_OK)
        return rc;
    if (res->relief && n > res->relief_cap)
        return fail(err, t, RA_EINVAL, "moves %zu lots but the result has room for %zu", n,
                    res->relief_cap);
    plan_basis(l, plan, n);
    ra_ledger_totals tot = l->totals;
    for (size_t k = 0; k < n; k++) {
        if ((rc = totals_add(t, &tot.basis_out_minor, plan[k].basis, err)) != RA_OK)
            return rc;
    }
    fill_relief(l, t, plan, n, 0, res);
    commit_relief(l, plan, n);
    l->totals = tot;
    return RA_OK;
}

static ra_status apply_transfer_in(ra_ledger *l, const ra_txn *t, ra_txn_result *res,
                                   ra_err *err)
{
    char a[RA_MONEY_FMT_SIZE], b[RA_MONEY_FMT_SIZE];
    if (t->n_lots_in == 0 || !t->lots_in)
        return fail(err, t, RA_EINVAL, "brings no lots (lots_in is empty)");
    ra_ledger_totals tot = l->totals;
    ra_status rc;
    for (size_t k = 0; k < t->n_lots_in; k++) {
        const ra_lot *in = &t->lots_in[k];
        if (in->qty_micro <= 0 || in->basis_minor < 0)
            return fail(err, t, RA_EINVAL,
                        "incoming lot %zu needs a positive quantity and a basis >= 0, got %s "
                        "shares and %s", k + 1, FMT_QTY(in->qty_micro, a),
                        FMT_MONEY(l, in->basis_minor, b));
        if (!date_ok(in->acquired) || in->acquired > t->date)
            return fail(err, t, RA_EINVAL,
                        "incoming lot %zu has an acquired date after the transfer or out of range",
                        k + 1);
        if ((rc = totals_add(t, &tot.basis_in_minor, in->basis_minor, err)) != RA_OK)
            return rc;
    }
    if (t->n_lots_in > UINT64_MAX - l->next_lot_id || t->n_lots_in > SIZE_MAX - l->n_lots)
        return fail(err, t, RA_EINVAL, "lot ids are exhausted");
    ra_err e;
    if (ra_ledger_reserve(l, l->n_lots + t->n_lots_in, &e) != RA_OK)
        return fail(err, t, e.code, "%s", e.msg);
    res->first_new_lot_id = l->next_lot_id;
    res->n_new_lots = t->n_lots_in;
    for (size_t k = 0; k < t->n_lots_in; k++) {
        ra_lot lot = t->lots_in[k];
        lot.id = l->next_lot_id++;
        insert_lot(l, &lot);
    }
    l->totals = tot;
    return RA_OK;
}

static ra_status apply_split(ra_ledger *l, const ra_txn *t, ra_txn_result *res, ra_err *err)
{
    char a[RA_MONEY_FMT_SIZE];
    ra_ratio r = t->split;
    ra_err e;
    if (ra_money_ratio_check(&r, &e) != RA_OK || ra_rule_split_ratio_check(&r, &e) != RA_OK)
        return fail(err, t, RA_EINVAL, "%s", e.msg);
    size_t lo, hi;
    security_range(l, t->security, &lo, &hi);
    /* Each lot's quantity becomes R(q * num / den); check all before changing any. */
    for (size_t i = lo; i < hi; i++) {
        ra_i128 q = ra_money_round_div((ra_i128)l->lots[i].qty_micro * r.num, r.den);
        if (!ra_money_fits(q))
            return fail(err, t, RA_EINVAL, "split %lld/%lld of lot %llu overflows 64 bits",
                        (long long)r.num, (long long)r.den, (unsigned long long)l->lots[i].id);
        if (q == 0)
            return fail(err, t, RA_ECONFLICT,
                        "split %lld/%lld would round lot %llu (%s shares) to zero shares",
                        (long long)r.num, (long long)r.den, (unsigned long long)l->lots[i].id,
                        FMT_QTY(l->lots[i].qty_micro, a));
    }
    for (size_t i = lo; i < hi; i++)
        l->lots[i].qty_micro =
            (ra_micro)ra_money_round_div((ra_i128)l->lots[i].qty_micro * r.num, r.den);
    (void)res;
    return RA_OK;
}

ra_status ra_ledger_apply(ra_ledger *l, const ra_txn *txn, ra_txn_result *result, ra_err *err)
{
    if (!l || !txn)
        return ra_err_set(err, RA_EINVAL, NULL, "apply needs a state and a transaction");
    ra_txn_result scratch_res;
    ra_txn_result *res = result ? result : &scratch_res;
    ra_lot_relief *keep = res->relief;
    size_t keep_cap = res->relief_cap;
    memset(res, 0, sizeof *res);
    res->relief = result ? keep : NULL;
    res->relief_cap = result ? keep_cap : 0;
    if (!date_ok(txn->date))
        return fail(err, txn, RA_EINVAL, "date %d is outside years 1..9999", (int)txn->date);
    if (l->totals.n_txns == UINT64_MAX)
        return fail(err, txn, RA_EINVAL, "transaction count overflows");
    ra_status rc;
    switch (txn->kind) {
    case RA_TXN_DEPOSIT:
    case RA_TXN_WITHDRAWAL:
    case RA_TXN_DIVIDEND:
    case RA_TXN_FEE: rc = apply_cash(l, txn, res, err); break;
    case RA_TXN_BUY:
    case RA_TXN_REINVEST: rc = apply_buy(l, txn, res, err); break;
    case RA_TXN_SELL: rc = apply_sell(l, txn, res, err); break;
    case RA_TXN_TRANSFER_IN: rc = apply_transfer_in(l, txn, res, err); break;
    case RA_TXN_TRANSFER_OUT: rc = apply_transfer_out(l, txn, res, err); break;
    case RA_TXN_SPLIT: rc = apply_split(l, txn, res, err); break;
    default:
        rc = fail(err, txn, RA_EINVAL, "transaction kind %d is not one of deposit .. split",
                  (int)txn->kind);
    }
    if (rc == RA_OK)
        l->totals.n_txns++;
    else {
        memset(res, 0, sizeof *res);
        res->relief = result ? keep : NULL;
        res->relief_cap = result ? keep_cap : 0;
    }
    return rc;
}

ra_status ra_ledger_replay(const ra_txn *txns, size_t n, const ra_ledger_settings *settings,
                           const ra_ledger_alloc *alloc, ra_ledger *out, ra_err *err)
{
    if (!out || (!txns && n))
        return ra_err_set(err, RA_EINVAL, NULL, "replay needs transactions and a state");
    ra_status rc = ra_ledger_init(out, settings, alloc, err);
    if (rc != RA_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        rc = ra_ledger_apply(out, &txns[i], NULL, err);
        if (rc != RA_OK) {
            ra_ledger_free(out);
            return ra_err_wrap(err, "replay stopped at entry %zu of %zu", i + 1, n);
        }
    }
    return RA_OK;
}

static ra_status diff(ra_err *err, const char *fmt, ...) RA_PRINTF(2, 3);
static ra_status diff(ra_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ra_status rc = ra_err_setv(err, RA_ECONFLICT, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

static ra_status compare(const ra_ledger *l, const ra_ledger *w, ra_err *err)
{
    char a[RA_MONEY_FMT_SIZE], b[RA_MONEY_FMT_SIZE];
    if (l->cash_minor != w->cash_minor)
        return diff(err, "cash is %s but the transactions imply %s",
                    FMT_MONEY(l, l->cash_minor, a), FMT_MONEY(l, w->cash_minor, b));
    for (size_t i = 0; i < w->n_lots; i++) {
        const ra_lot *x = &w->lots[i];
        size_t j = find_lot(l, x->id);
        if (j == SIZE_MAX)
            return diff(err, "lot %llu (security %u, %s shares) is missing: the transactions "
                        "imply it", (unsigned long long)x->id, (unsigned)x->security,
                        FMT_QTY(x->qty_micro, a));
        const ra_lot *y = &l->lots[j];
        if (y->security != x->security)
            return diff(err, "lot %llu is of security %u but the transactions imply %u",
                        (unsigned long long)x->id, (unsigned)y->security, (unsigned)x->security);
        if (y->acquired != x->acquired) {
            char d1[11], d2[11];
            return diff(err, "lot %llu was acquired %s but the transactions imply %s",
                        (unsigned long long)x->id, ra_date_format(y->acquired, d1),
                        ra_date_format(x->acquired, d2));
        }
        if (y->qty_micro != x->qty_micro)
            return diff(err, "lot %llu holds %s shares but the transactions imply %s",
                        (unsigned long long)x->id, FMT_QTY(y->qty_micro, a),
                        FMT_QTY(x->qty_micro, b));
        if (y->basis_minor != x->basis_minor)
            return diff(err, "lot %llu has basis %s but the transactions imply %s",
                        (unsigned long long)x->id, FMT_MONEY(l, y->basis_minor, a),
                        FMT_MONEY(l, x->basis_minor, b));
    }
    if (l->n_lots != w->n_lots)
        for (size_t i = 0; i < l->n_lots; i++)
            if (find_lot(w, l->lots[i].id) == SIZE_MAX)
                return diff(err, "lot %llu (security %u, %s shares) is held but no transaction "
                            "implies it", (unsigned long long)l->lots[i].id,
                            (unsigned)l->lots[i].security, FMT_QTY(l->lots[i].qty_micro, a));
    if (l->n_lots != w->n_lots) /* same ids twice */
        return diff(err, "%zu lots are held but the transactions imply %zu", l->n_lots, w->n_lots);
    for (size_t i = 1; i < l->n_lots; i++)
        if (!lot_before(&l->lots[i - 1], &l->lots[i]))
            return diff(err, "lots are not in (security, date, id) order at lot %llu",
                        (unsigned long long)l->lots[i].id);
    if (l->next_lot_id != w->next_lot_id)
        return diff(err, "next lot id is %llu but the transactions imply %llu",
                    (unsigned long long)l->next_lot_id, (unsigned long long)w->next_lot_id);
    const ra_ledger_totals *p = &l->totals, *q = &w->totals;
#define CMP_TOTAL(f, what)                                                                         \
    if (p->f != q->f)                                                                              \
        return diff(err, what " is %s but the transactions imply %s", FMT_MONEY(l, p->f, a),       \
                    FMT_MONEY(l, q->f, b));
    CMP_TOTAL(cash_in_minor, "total cash in")
    CMP_TOTAL(cash_out_minor, "total cash out")
    CMP_TOTAL(basis_in_minor, "total basis in")
    CMP_TOTAL(basis_sold_minor, "total basis sold")
    CMP_TOTAL(basis_out_minor, "total basis transferred out")
    CMP_TOTAL(proceeds_minor, "total proceeds")
    CMP_TOTAL(gain_short_minor, "realised short-term gain")
    CMP_TOTAL(gain_long_minor, "realised long-term gain")
#undef CMP_TOTAL
    if (p->n_txns != q->n_txns)
        return diff(err, "%llu transactions are counted but %llu were given",
                    (unsigned long long)p->n_txns, (unsigned long long)q->n_txns);
    return RA_OK;
}

ra_status ra_ledger_check(const ra_ledger *l, const ra_txn *txns, size_t n, ra_err *err)
{
    if (!l || (!txns && n))
        return ra_err_set(err, RA_EINVAL, NULL, "check needs a state and its transactions");
    ra_ledger w;
    ra_status rc = ra_ledger_replay(txns, n, &l->settings, &l->alloc, &w, err);
    if (rc != RA_OK)
        return rc;
    rc = compare(l, &w, err);
    ra_ledger_free(&w);
    return rc;
}
