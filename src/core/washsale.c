/* The wash-sale rule over a household's events: include/roboadvisor/washsale.h, method in
 * docs/methodology.md#wash-sales (IRS Publication 550; 26 CFR 1.1091-1 and 1.1091-2; Rev. Rul.
 * 2008-5). Our own: no library packaged for Debian computes wash sales.
 *
 * Every lot is a list of pieces (quantity, unadjusted basis, adjustment, holding-period start,
 * used as a replacement or not). A lot starts as one piece; a replacement splits a piece in two
 * (the replacing shares first, the rest after), and reliefs take pieces in order. Loss sales are
 * processed in book order, so a replacement's adjusted basis is in place before it is sold. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/ledger.h>
#include <roboadvisor/washsale.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct piece {
    ra_micro qty;
    ra_minor basis;
    ra_minor adj;
    ra_date from;   /* holding period start */
    int used;       /* has replaced a loss */
} piece;

typedef struct lot {
    uint64_t key;
    uint32_t account, security;
    ra_date date;        /* the acquiring event's date (window test) */
    ra_date acquired;
    size_t event;        /* the acquiring event */
    int purchase;
    int present;         /* 1 once its pieces exist (purchases: from the start) */
    piece *p;
    size_t n, cap;
    piece *moved;        /* pieces transferred out, waiting for the move's acquiring event */
    size_t n_moved, cap_moved;
} lot;

typedef struct key_index {
    uint64_t key;
    size_t idx; /* into ctx.lots */
} key_index;

typedef struct ctx {
    const ra_wash_event *ev;
    size_t n_ev;
    const unsigned char *ret;
    size_t n_acct;
    int window;
    lot *lots;           /* in event order (so by date, then book order) */
    size_t n_lots;
    key_index *by_key;   /* the lots sorted by key */
    ra_wash_result *r;
    size_t cap_parts, cap_links;
    ra_err *err;
} ctx;

void ra_wash_settings_default(ra_wash_settings *s)
{
    s->window_days = RA_WASH_WINDOW_DAYS_US;
}

static ra_status nomem(ra_err *err)
{
    return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the wash-sale computation");
}

static ra_status bad(ctx *c, size_t i, const char *msg)
{
    char where[32];
    snprintf(where, sizeof where, "event %zu", i + 1);
    return ra_err_set(c->err, RA_EINVAL, where, "%s", msg);
}

/* Grows *arr (elements of size sz) to hold at least need; RA_ENOMEM on failure. */
static ra_status grow(void **arr, size_t *cap, size_t need, size_t sz, ra_err *err)
{
    return ra_grow(arr, cap, need, sz) == 0 ? RA_OK : nomem(err);
}

/* round(a * b / c), ties to even (money.c's rule); inputs are checked amounts that fit. */
static ra_minor prorata(ra_minor a, int64_t b, int64_t c)
{
    int64_t out = 0;
    if (c == 0 || ra_money_muldiv(a, b, c, &out, NULL) != RA_OK)
        return 0;
    return out;
}

static int cmp_key(const void *a, const void *b)
{
    const key_index *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

static lot *find(ctx *c, uint64_t key)
{
    size_t lo = 0, hi = c->n_lots;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint64_t k = c->by_key[mid].key;
        if (k == key)
            return &c->lots[c->by_key[mid].idx];
        if (k < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Runs event i on the lot it acts on, fn(c, i, lot), if an earlier event made the lot and it is
 * still present; else the error msg about event i. */
static ra_status on_held_lot(ctx *c, size_t i, ra_status (*fn)(ctx *, size_t, lot *),
                             const char *msg)
{
    lot *l = find(c, c->ev[i].lot);
    return l && l->present && l->event < i ? fn(c, i, l) : bad(c, i, msg);
}

static ra_status add_piece(ctx *c, lot *l, size_t at, piece pc)
{
    ra_status rc = grow((void **)&l->p, &l->cap, l->n + 1, sizeof *l->p, c->err);
    if (rc != RA_OK)
        return rc;
    memmove(l->p + at + 1, l->p + at, (l->n - at) * sizeof *l->p);
    l->p[at] = pc;
    l->n++;
    return RA_OK;
}

/* Splits piece k of l so that it holds exactly t shares (t < its quantity): the rest follows it. */
static ra_status split(ctx *c, lot *l, size_t k, ra_micro t)
{
    piece rest = l->p[k];
    ra_minor b = prorata(rest.basis, t, rest.qty), a = prorata(rest.adj, t, rest.qty);
    rest.qty -= t;
    rest.basis -= b;
    rest.adj -= a;
    ra_status rc = add_piece(c, l, k + 1, rest);
    if (rc != RA_OK)
        return rc;
    l->p[k].qty = t;
    l->p[k].basis = b;
    l->p[k].adj = a;
    return RA_OK;
}

static ra_status check_events(ctx *c)
{
    for (size_t i = 0; i < c->n_ev; i++) {
        const ra_wash_event *e = &c->ev[i];
        if (e->kind != RA_WASH_ACQUIRE && e->kind != RA_WASH_RELIEVE && e->kind != RA_WASH_SPLIT)
            return bad(c, i, "the kind is not acquire, relieve or split");
        if (e->account >= c->n_acct)
            return bad(c, i, "the account index is not below the number of accounts");
        if (i > 0 && e->date < c->ev[i - 1].date)
            return bad(c, i, "the events are not in date order");
        if (e->qty_micro <= 0)
            return bad(c, i, "the quantity is not above zero");
        if (e->basis_minor < 0 || e->proceeds_minor < 0)
            return bad(c, i, "an amount is negative");
    }
    return RA_OK;
}

/* One lot per acquiring event, in event order; purchases hold their one piece from the start. */
static ra_status make_lots(ctx *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_ev; i++)
        n += c->ev[i].kind == RA_WASH_ACQUIRE;
    c->lots = ra_calloc(n ? n : 1, sizeof *c->lots);
    c->by_key = ra_calloc(n ? n : 1, sizeof *c->by_key);
    if (!c->lots || !c->by_key)
        return nomem(c->err);
    for (size_t i = 0; i < c->n_ev; i++) {
        const ra_wash_event *e = &c->ev[i];
        if (e->kind != RA_WASH_ACQUIRE)
            continue;
        lot *l = &c->lots[c->n_lots];
        l->key = e->lot;
        l->account = e->account;
        l->security = e->security;
        l->date = e->date;
        l->acquired = e->acquired;
        l->event = i;
        l->purchase = e->purchase != 0;
        c->by_key[c->n_lots].key = e->lot;
        c->by_key[c->n_lots].idx = c->n_lots;
        c->n_lots++;
        if (l->purchase) {
            piece pc = {e->qty_micro, e->basis_minor, 0, e->acquired, 0};
            ra_status rc = add_piece(c, l, 0, pc);
            if (rc != RA_OK)
                return rc;
            l->present = 1;
        }
    }
    qsort(c->by_key, c->n_lots, sizeof *c->by_key, cmp_key);
    for (size_t k = 1; k < c->n_lots; k++)
        if (c->by_key[k].key == c->by_key[k - 1].key) {
            size_t a = c->lots[c->by_key[k].idx].event, b = c->lots[c->by_key[k - 1].idx].event;
            return bad(c, a > b ? a : b, "the lot is acquired twice");
        }
    return RA_OK;
}

/* A move into the household's other account: the moved pieces, pro rata to the quantity. */
static ra_status arrive(ctx *c, size_t i)
{
    const ra_wash_event *e = &c->ev[i];
    lot *l = find(c, e->lot);
    if (l->purchase)
        return RA_OK;
    l->present = 1;
    lot *src = e->from_lot ? find(c, e->from_lot) : NULL;
    if (e->from_lot && (!src || src->event >= i))
        return bad(c, i, "the lot moves from a lot that was not held before");
    ra_micro need = e->qty_micro;
    ra_minor basis_left = e->basis_minor;
    for (size_t k = 0; src && k < src->n_moved && need > 0; k++) {
        piece *m = &src->moved[k];
        if (m->qty == 0)
            continue;
        ra_micro t = m->qty < need ? m->qty : need;
        piece pc = {t, 0, t == m->qty ? m->adj : prorata(m->adj, t, m->qty), m->from, m->used};
        m->adj -= pc.adj;
        m->qty -= t;
        need -= t;
        /* the acquiring event's basis is the ledger's: share it by quantity, the last takes the
         * remainder */
        pc.basis = need == 0 ? basis_left : prorata(e->basis_minor, t, e->qty_micro);
        basis_left -= pc.basis;
        ra_status rc = add_piece(c, l, l->n, pc);
        if (rc != RA_OK)
            return rc;
    }
    if (need > 0) { /* not (all) from a known lot: a lot of its own */
        piece pc = {need, basis_left, 0, e->acquired, 0};
        return add_piece(c, l, l->n, pc);
    }
    return RA_OK;
}

/* Takes the relief event i's shares from its lot l's pieces, one part per piece. */
static ra_status relieve(ctx *c, size_t i, lot *l)
{
    ra_status rc;
    const ra_wash_event *e = &c->ev[i];
    if (l->security != e->security)
        return bad(c, i, "the lot relieved is of another security");
    ra_micro held = 0;
    for (size_t k = 0; k < l->n; k++)
        held += l->p[k].qty;
    if (e->qty_micro > held)
        return bad(c, i, "more shares are relieved than the lot holds");
    ra_wash_result *r = c->r;
    ra_micro left = e->qty_micro;
    ra_minor basis_sum = 0, proceeds_left = e->proceeds_minor;
    size_t first = r->n_parts;
    for (size_t k = 0; k < l->n && left > 0; k++) {
        piece *pc = &l->p[k];
        if (pc->qty == 0)
            continue;
        rc = grow((void **)&r->parts, &c->cap_parts, r->n_parts + 1, sizeof *r->parts, c->err);
        if (rc != RA_OK)
            return rc;
        ra_micro t = pc->qty < left ? pc->qty : left;
        ra_minor b = t == pc->qty ? pc->basis : prorata(pc->basis, t, pc->qty);
        ra_minor a = t == pc->qty ? pc->adj : prorata(pc->adj, t, pc->qty);
        if (e->sale == 0) { /* a move out: the pieces travel to the acquiring side */
            rc = grow((void **)&l->moved, &l->cap_moved, l->n_moved + 1, sizeof *l->moved,
                      c->err);
            if (rc != RA_OK)
                return rc;
            piece mv = {t, b, a, pc->from, pc->used};
            l->moved[l->n_moved++] = mv;
        }
        pc->qty -= t;
        pc->basis -= b;
        pc->adj -= a;
        left -= t;
        ra_wash_part *p = &r->parts[r->n_parts++];
        memset(p, 0, sizeof *p);
        p->event = i;
        p->lot = e->lot;
        p->qty_micro = t;
        p->acquired = l->acquired;
        p->holding_from = pc->from;
        p->long_term = ra_ledger_is_long_term(pc->from, e->date);
        p->proceeds_minor = left == 0 ? proceeds_left : prorata(e->proceeds_minor, t, e->qty_micro);
        proceeds_left -= p->proceeds_minor;
        p->cost_minor = b; /* the adjustment is added below, after the ledger's basis is applied */
        p->adjustment_minor = a;
        basis_sum += b;
    }
    /* The ledger's relieved basis is authoritative: a rounding difference between its pro-rata
     * share of the lot and the pieces' shares (a cent at most per piece) goes to the last part and
     * out of the pieces left, so that both keep the same basis. */
    ra_minor diff = e->basis_minor - basis_sum;
    if (diff != 0 && r->n_parts > first) {
        r->parts[r->n_parts - 1].cost_minor += diff;
        for (size_t k = 0; k < l->n; k++)
            if (l->p[k].qty > 0) {
                l->p[k].basis -= diff;
                break;
            }
    }
    for (size_t k = first; k < r->n_parts; k++) {
        ra_wash_part *p = &r->parts[k];
        p->cost_minor += p->adjustment_minor;
        p->gain_minor = e->sale ? p->proceeds_minor - p->cost_minor : 0;
        if (!e->sale)
            p->proceeds_minor = 0;
    }
    return RA_OK;
}

/* A split: the lot's pieces rescaled to its new quantity, pro rata, the last piece taking the
 * remainder (pieces sold out stay empty). */
static ra_status split_lot(ctx *c, size_t i, lot *l)
{
    const ra_wash_event *e = &c->ev[i];
    ra_micro held = 0;
    size_t last = l->n;
    for (size_t k = 0; k < l->n; k++)
        if (l->p[k].qty > 0) {
            held += l->p[k].qty;
            last = k;
        }
    if (held == 0)
        return bad(c, i, "the lot split is not held");
    ra_micro left = e->qty_micro;
    for (size_t k = 0; k < l->n; k++) {
        if (l->p[k].qty == 0)
            continue;
        ra_micro q = k == last ? left : prorata(l->p[k].qty, e->qty_micro, held);
        left -= q;
        l->p[k].qty = q;
    }
    return RA_OK;
}

/* The first lot whose acquiring date is on or after d (lots are in date order). */
static size_t first_on_or_after(const ctx *c, ra_date d)
{
    size_t lo = 0, hi = c->n_lots;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->lots[mid].date < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

typedef struct take {
    lot *l;
    size_t piece;
} take;

/* Replacement shares for loss part k: earliest acquired first (then book order), splitting a piece
 * where only part is needed; the disallowed loss goes to them pro rata by shares. */
static ra_status replace(ctx *c, size_t k, take **takes, size_t *cap_takes)
{
    ra_wash_result *r = c->r;
    ra_wash_part *p = &r->parts[k];
    const ra_wash_event *e = &c->ev[p->event];
    ra_minor loss = -p->gain_minor;
    ra_micro need = p->qty_micro;
    size_t n_take = 0;
    ra_date lo = e->date - c->window, hi = e->date + c->window;
    for (size_t li = first_on_or_after(c, lo); li < c->n_lots && need > 0; li++) {
        lot *l = &c->lots[li];
        if (l->date > hi)
            break;
        if (!l->purchase || l->security != e->security)
            continue;
        for (size_t q = 0; q < l->n && need > 0; q++) {
            piece *pc = &l->p[q];
            if (pc->used || pc->qty == 0)
                continue;
            if (pc->qty > need) {
                ra_status rc = split(c, l, q, need);
                if (rc != RA_OK)
                    return rc;
                pc = &l->p[q];
            }
            ra_status rc = grow((void **)takes, cap_takes, n_take + 1, sizeof **takes, c->err);
            if (rc != RA_OK)
                return rc;
            (*takes)[n_take].l = l;
            (*takes)[n_take].piece = q;
            n_take++;
            pc->used = 1;
            need -= pc->qty;
        }
    }
    ra_micro got = p->qty_micro - need;
    if (got == 0)
        return RA_OK;
    ra_minor dis = got == p->qty_micro ? loss : prorata(loss, got, p->qty_micro);
    p->disallowed_minor = dis;
    ra_date held = e->date - p->holding_from; /* days the sold shares were held */
    ra_minor left = dis;
    for (size_t t = 0; t < n_take; t++) {
        lot *l = (*takes)[t].l;
        piece *pc = &l->p[(*takes)[t].piece];
        ra_minor amt = t + 1 == n_take ? left : prorata(dis, pc->qty, got);
        left -= amt;
        int ira = c->ret && c->ret[l->account];
        ra_status rc = grow((void **)&r->links, &c->cap_links, r->n_links + 1, sizeof *r->links,
                            c->err);
        if (rc != RA_OK)
            return rc;
        ra_wash_link *lk = &r->links[r->n_links++];
        lk->part = k;
        lk->lot = l->key;
        lk->account = l->account;
        lk->qty_micro = pc->qty;
        lk->disallowed_minor = amt;
        lk->basis_added_minor = ira ? 0 : amt;
        if (!ira) {
            pc->adj += amt;
            pc->from -= held;
        }
    }
    return RA_OK;
}

static ra_status collect_open(ctx *c)
{
    ra_wash_result *r = c->r;
    size_t n = 0;
    for (size_t i = 0; i < c->n_lots; i++)
        for (size_t k = 0; k < c->lots[i].n; k++)
            n += c->lots[i].p[k].qty > 0;
    r->open = ra_calloc(n ? n : 1, sizeof *r->open);
    if (!r->open)
        return nomem(c->err);
    for (size_t i = 0; i < c->n_lots; i++) { /* by key: pieces stay in their order */
        const lot *l = &c->lots[c->by_key[i].idx];
        for (size_t k = 0; k < l->n; k++) {
            if (l->p[k].qty == 0)
                continue;
            ra_wash_open *o = &r->open[r->n_open++];
            o->lot = l->key;
            o->account = l->account;
            o->security = l->security;
            o->acquired = l->acquired;
            o->holding_from = l->p[k].from;
            o->qty_micro = l->p[k].qty;
            o->basis_minor = l->p[k].basis;
            o->adjustment_minor = l->p[k].adj;
        }
    }
    return RA_OK;
}

static ra_status run(ctx *c)
{
    ra_status rc = check_events(c);
    if (rc == RA_OK)
        rc = make_lots(c);
    take *takes = NULL;
    size_t cap_takes = 0;
    for (size_t i = 0; rc == RA_OK && i < c->n_ev;) {
        const ra_wash_event *e = &c->ev[i];
        if (e->kind == RA_WASH_ACQUIRE) {
            rc = arrive(c, i++);
            continue;
        }
        if (e->kind == RA_WASH_SPLIT) {
            rc = on_held_lot(c, i++, split_lot, "the lot split is not held");
            continue;
        }
        /* a sale: every part relieved first (its own shares never replace), then the losses */
        size_t first = c->r->n_parts, j = i;
        do
            rc = on_held_lot(c, j++, relieve, "the lot relieved is not held");
        while (rc == RA_OK && e->sale != 0 && j < c->n_ev && c->ev[j].kind == RA_WASH_RELIEVE &&
               c->ev[j].sale == e->sale && c->ev[j].date == e->date);
        for (size_t k = first; rc == RA_OK && k < c->r->n_parts; k++) {
            const ra_wash_part *p = &c->r->parts[k];
            int ira = c->ret && c->ret[c->ev[p->event].account];
            if (e->sale != 0 && !ira && p->gain_minor < 0)
                rc = replace(c, k, &takes, &cap_takes);
        }
        i = j;
    }
    ra_free(takes);
    if (rc == RA_OK)
        rc = collect_open(c);
    return rc;
}

ra_status ra_wash_window_check(int window_days, ra_err *err)
{
    if (window_days < 0 || window_days > RA_WASH_WINDOW_DAYS_MAX)
        return ra_err_set(err, RA_EINVAL, NULL, "the wash-sale window of %d days is not in 0..%d",
                          window_days, RA_WASH_WINDOW_DAYS_MAX);
    return RA_OK;
}

ra_status ra_wash_compute(const ra_wash_event *ev, size_t n, const unsigned char *retirement,
                          size_t n_accounts, const ra_wash_settings *s, ra_wash_result **out,
                          ra_err *err)
{
    *out = NULL;
    ra_wash_settings def;
    if (!s) {
        ra_wash_settings_default(&def);
        s = &def;
    }
    ra_status rc = ra_wash_window_check(s->window_days, err);
    if (rc != RA_OK)
        return rc;
    if (n > 0 && !ev)
        return ra_err_set(err, RA_EINVAL, NULL, "no events given");
    ctx c = {.ev = ev, .n_ev = n, .ret = retirement, .n_acct = n_accounts,
             .window = s->window_days, .err = err};
    c.r = ra_calloc(1, sizeof *c.r);
    rc = c.r ? run(&c) : nomem(err);
    for (size_t i = 0; i < c.n_lots; i++) {
        RA_FREE_ALL(c.lots[i].p, c.lots[i].moved);
    }
    RA_FREE_ALL(c.lots, c.by_key);
    if (rc != RA_OK) {
        ra_wash_result_destroy(c.r);
        return rc;
    }
    *out = c.r;
    return RA_OK;
}

void ra_wash_result_destroy(ra_wash_result *r)
{
    if (!r)
        return;
    RA_FREE_ALL(r->parts, r->links, r->open, r);
}
