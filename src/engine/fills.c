/* Recording a broker's fills of open orders (include/roboadvisor/engine_fills.h): every row
 * checked against the orders and the book first, so that the refusal names the file's line, then
 * the new ones written through ra_store_order_fill in one write scope. */
#include <roboadvisor/engine_fills.h>
#include <roboadvisor/alloc.h>
#include <roboadvisor/csv.h>
#include <roboadvisor/engine_blocks.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(RA_FILL_ORDER_MAX == RA_CYCLE_ID_MAX, "a fills file's order id is an order id");

/* An account's transactions as the book holds them, with the ones matched by a row of the file. */
typedef struct acct_txns {
    char account[RA_CODE_MAX];
    ra_txn *t;
    size_t n;
    uint8_t *used;
} acct_txns;

typedef struct fills_run {
    ra_store *s;
    const char *firm;
    const ra_fills *f;
    ra_cycle_order *orders;
    size_t n_orders;
    const ra_cycle_order **by_id; /* n_orders, sorted by id */
    int32_t *slot;                /* per order: its index in res->orders, -1 none */
    acct_txns *acc;
    size_t n_acc, cap_acc;
    size_t cap_res;
} fills_run;

static int cmp_id(const void *a, const void *b)
{
    const ra_cycle_order *const *x = a, *const *y = b;
    return strcmp((*x)->id, (*y)->id);
}

static int cmp_key(const void *key, const void *b)
{
    const ra_cycle_order *const *y = b;
    return strcmp(key, (*y)->id);
}

/* An error about row r: err->where "FILE:LINE". */
static ra_status row_err(const fills_run *R, const ra_fill_row *r, ra_status code, ra_err *err,
                         const char *fmt, ...) RA_PRINTF(5, 6);
static ra_status row_err(const fills_run *R, const ra_fill_row *r, ra_status code, ra_err *err,
                         const char *fmt, ...)
{
    char where[128], msg[256];
    snprintf(where, sizeof where, "%s:%u", R->f->source, r->line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ra_err_set(err, code, where, "%s", msg);
}

/* The account's transactions, read once per import. */
static ra_status account_txns(fills_run *R, const char *account, acct_txns **out, ra_err *err)
{
    for (size_t i = 0; i < R->n_acc; i++)
        if (strcmp(R->acc[i].account, account) == 0) {
            *out = &R->acc[i];
            return RA_OK;
        }
    if (ra_grow((void **)&R->acc, &R->cap_acc, R->n_acc + 1, sizeof *R->acc))
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the accounts of the fills");
    acct_txns *a = &R->acc[R->n_acc];
    memset(a, 0, sizeof *a);
    snprintf(a->account, sizeof a->account, "%s", account);
    int digits = 0;
    ra_status rc = ra_store_account_txns(R->s, R->firm, account, RA_STORE_DATE_LATEST, &a->t, &a->n,
                                         &digits, err);
    if (rc != RA_OK)
        return rc;
    R->n_acc++;
    if (a->n && !(a->used = ra_calloc(a->n, 1)))
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the accounts of the fills");
    *out = a;
    return RA_OK;
}

/* 1 when the book holds a fill equal to row r of order o not matched by an earlier row (which it
 * then is). */
static ra_status recorded(fills_run *R, const ra_fill_row *r, const ra_cycle_order *o, int *yes,
                          ra_err *err)
{
    *yes = 0;
    acct_txns *a = NULL;
    uint32_t sec = 0;
    ra_status rc = account_txns(R, o->account, &a, err);
    if (rc == RA_OK)
        rc = ra_store_security_id(R->s, R->firm, o->ticker, &sec, err);
    if (rc != RA_OK)
        return rc;
    ra_txn_kind kind = o->side > 0 ? RA_TXN_BUY : RA_TXN_SELL;
    for (size_t k = 0; k < a->n; k++) {
        const ra_txn *t = &a->t[k];
        if (!a->used[k] && t->kind == kind && t->security == sec && t->date == r->date &&
            t->qty_micro == r->qty_micro && t->price == r->price && t->fees_minor == r->fees_minor) {
            a->used[k] = 1;
            *yes = 1;
            return RA_OK;
        }
    }
    return RA_OK;
}

/* The result's entry of order o (index i among R->orders), added on first sight. */
static ra_fills_order *entry(fills_run *R, size_t i, ra_fills_result *res, ra_err *err)
{
    if (R->slot[i] >= 0)
        return &res->orders[R->slot[i]];
    if (ra_grow((void **)&res->orders, &R->cap_res, res->n_orders + 1, sizeof *res->orders)) {
        ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the orders of the fills");
        return NULL;
    }
    const ra_cycle_order *o = &R->orders[i];
    ra_fills_order *e = &res->orders[res->n_orders];
    memset(e, 0, sizeof *e);
    snprintf(e->order, sizeof e->order, "%s", o->id);
    snprintf(e->account, sizeof e->account, "%s", o->account);
    snprintf(e->ticker, sizeof e->ticker, "%s", o->ticker);
    snprintf(e->status, sizeof e->status, "%s", o->status);
    e->side = o->side;
    e->qty_micro = o->qty_micro;
    e->filled_before_micro = e->filled_micro = o->filled_micro;
    R->slot[i] = (int32_t)res->n_orders++;
    return e;
}

/* The key under which a row of a block is recorded (fill_execs): its order, date, qty and price
 * and how many equal rows come before it in the file, so that the same file, or one that extends
 * it, records each block fill once. */
static void block_key(const fills_run *R, size_t k, char *out, size_t cap)
{
    const ra_fill_row *r = &R->f->rows[k];
    int same = 0;
    for (size_t i = 0; i < k; i++) {
        const ra_fill_row *q = &R->f->rows[i];
        same += strcmp(q->order, r->order) == 0 && q->date == r->date &&
                q->qty_micro == r->qty_micro && q->price == r->price;
    }
    char d[11];
    snprintf(out, cap, "csv-%s-%s-%lld-%lld-%d", r->order, ra_date_format(r->date, d),
             (long long)r->qty_micro, (long long)r->price, same + 1);
}

/* A row naming a block (engine_blocks.h): *apply 3 (a sale) or 4 (a purchase) when it is new. */
static ra_status check_block_row(fills_run *R, size_t k, uint8_t *apply, ra_fills_result *res,
                                 ra_err *err)
{
    const ra_fill_row *r = &R->f->rows[k];
    char key[RA_CYCLE_ID_MAX + 96], d1[11], d2[11];
    block_key(R, k, key, sizeof key);
    int seen = 0;
    ra_block b;
    ra_status rc = ra_store_fill_exec_seen(R->s, R->firm, key, &seen, err);
    if (rc == RA_OK && seen) {
        res->skipped++;
        return RA_OK;
    }
    if (rc == RA_OK && r->fees_minor)
        return row_err(R, r, RA_EINVAL, err, "block %s: the fees of a block fill are not "
                       "allocated; record them on its orders", r->order);
    if (rc == RA_OK && (rc = ra_store_block_get(R->s, R->firm, r->order, &b, err)) == RA_ENOTFOUND)
        return row_err(R, r, RA_ENOTFOUND, err, "no order or block %s in firm %s", r->order,
                       R->firm);
    if (rc != RA_OK)
        return rc;
    if (r->date < b.date)
        rc = row_err(R, r, RA_EINVAL, err, "block %s: a fill dated %s is before the block (%s)",
                     b.id, ra_date_format(r->date, d1), ra_date_format(b.date, d2));
    apply[k] = b.side > 0 ? 4 : 3;
    res->applied++;
    ra_blocks_free(&b, 1);
    return rc;
}

/* Checks every row and decides which ones are new: apply[k] 1 (a sale) or 2 (a purchase) of an
 * order, 3 or 4 of a block. */
static ra_status check_rows(fills_run *R, uint8_t *apply, ra_fills_result *res, ra_err *err)
{
    for (size_t k = 0; k < R->f->n; k++) {
        const ra_fill_row *r = &R->f->rows[k];
        const ra_cycle_order **p =
            bsearch(r->order, R->by_id, R->n_orders, sizeof *R->by_id, cmp_key);
        if (!p && strncmp(r->order, "B-", 2) == 0) {
            ra_status rc = check_block_row(R, k, apply, res, err);
            if (rc != RA_OK)
                return rc;
            continue;
        }
        if (!p)
            return row_err(R, r, RA_ENOTFOUND, err, "no order %s in firm %s", r->order, R->firm);
        const ra_cycle_order *o = *p;
        ra_fills_order *e = entry(R, (size_t)(o - R->orders), res, err);
        if (!e)
            return RA_ENOMEM;
        char d1[11], d2[11], b1[RA_MONEY_FMT_SIZE], b2[RA_MONEY_FMT_SIZE];
        if (r->date < o->date)
            return row_err(R, r, RA_EINVAL, err, "order %s: a fill dated %s is before the order (%s)",
                           o->id, ra_date_format(r->date, d1), ra_date_format(o->date, d2));
        int yes = 0;
        ra_status rc = recorded(R, r, o, &yes, err);
        if (rc != RA_OK)
            return rc;
        if (yes) {
            e->rows_skipped++;
            res->skipped++;
            continue;
        }
        if (strcmp(o->status, "cancelled") == 0 || strcmp(o->status, "filled") == 0)
            return row_err(R, r, RA_ECONFLICT, err, "order %s is %s", o->id, o->status);
        char block[RA_CYCLE_ID_MAX];
        if ((rc = ra_store_order_block(R->s, R->firm, o->id, block, err)) != RA_OK)
            return rc;
        if (block[0]) /* engine_blocks.h: the block's fill is allocated to its orders */
            return row_err(R, r, RA_ECONFLICT, err, "order %s is in block %s: its fills come as "
                           "the block's", o->id, block);
        ra_micro left = o->qty_micro - e->filled_micro;
        if (r->qty_micro > left)
            return row_err(R, r, RA_ECONFLICT, err,
                           "order %s: a fill of %s shares is more than the %s left open",
                           o->id, ra_money_format_qty(r->qty_micro, b1, sizeof b1),
                           ra_money_format_qty(left, b2, sizeof b2));
        e->filled_micro += r->qty_micro;
        e->rows_applied++;
        res->applied++;
        apply[k] = o->side > 0 ? 2 : 1;
    }
    return RA_OK;
}

/* The order the new rows are written in: by date, a day's sales before its purchases (their
 * proceeds pay for the purchases, as in the daily cycle), then as the file has them. */
typedef struct row_ref {
    const ra_fill_row *r;
    uint8_t kind;  /* 1 sale, 2 purchase */
    uint8_t block; /* 1: a block's fill */
    size_t k;      /* the row's index */
} row_ref;

static int cmp_ref(const void *a, const void *b)
{
    const row_ref *x = a, *y = b;
    if (x->r->date != y->r->date)
        return x->r->date < y->r->date ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->r->line < y->r->line ? -1 : x->r->line > y->r->line;
}

ra_date ra_fills_order_day(const char *id)
{
    ra_date d = 0;
    if (strncmp(id, "P-", 2) != 0 || strlen(id) < 13 || id[12] != '-' ||
        ra_date_parse(id + 2, 10, &d, NULL) != RA_OK)
        return 0;
    return d;
}

static int cmp_date(const void *a, const void *b)
{
    ra_date x = *(const ra_date *)a, y = *(const ra_date *)b;
    return (x > y) - (x < y);
}

/* The orders of the days the file's order ids name (not the firm's whole history). */
static ra_status load_orders(fills_run *R, ra_err *err)
{
    const ra_fills *f = R->f;
    ra_date *days = ra_calloc(f->n ? f->n : 1, sizeof *days);
    if (!days)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the days of the fills");
    size_t n_days = 0, cap = 0;
    for (size_t k = 0; k < f->n; k++)
        if ((days[n_days] = ra_fills_order_day(f->rows[k].order)) != 0)
            n_days++;
    qsort(days, n_days, sizeof *days, cmp_date);
    ra_status rc = RA_OK;
    for (size_t i = 0; rc == RA_OK && i < n_days; i++) {
        if (i > 0 && days[i] == days[i - 1])
            continue;
        ra_cycle_filter day = {days[i], NULL, NULL};
        ra_cycle_order *v = NULL;
        size_t n = 0;
        rc = ra_store_orders_list(R->s, R->firm, &day, &v, &n, err);
        if (rc == RA_OK && n && ra_grow((void **)&R->orders, &cap, R->n_orders + n, sizeof *v))
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the orders of the fills");
        if (rc == RA_OK && n) {
            memcpy(R->orders + R->n_orders, v, n * sizeof *v);
            R->n_orders += n;
        }
        ra_store_free(v);
    }
    ra_free(days);
    return rc;
}

static void run_free(fills_run *R)
{
    for (size_t i = 0; i < R->n_acc; i++) {
        ra_store_free(R->acc[i].t);
        ra_free(R->acc[i].used);
    }
    ra_free(R->acc);
    ra_free(R->by_id);
    ra_free(R->slot);
    ra_free(R->orders);
}

void ra_fills_result_free(ra_fills_result *res)
{
    if (!res)
        return;
    ra_free(res->orders);
    memset(res, 0, sizeof *res);
}

ra_status ra_fills_apply(ra_store *s, const ra_store_actor *actor, const ra_fills *f,
                         ra_fills_result *res, ra_err *err)
{
    if (!res)
        return ra_err_set(err, RA_EINVAL, NULL, "recording fills needs a result");
    memset(res, 0, sizeof *res);
    if (!s || !actor || !f)
        return ra_err_set(err, RA_EINVAL, NULL, "recording fills needs a store, an actor and a file");
    fills_run R;
    memset(&R, 0, sizeof R);
    R.s = s;
    R.firm = actor->firm;
    R.f = f;
    uint8_t *apply = NULL;
    int own = 0;
    ra_status rc = ra_store_scope_begin(s, &own, err);
    if (rc != RA_OK)
        return rc;
    rc = load_orders(&R, err);
    if (rc == RA_OK) {
        R.by_id = ra_calloc(R.n_orders ? R.n_orders : 1, sizeof *R.by_id);
        R.slot = ra_calloc(R.n_orders ? R.n_orders : 1, sizeof *R.slot);
        apply = ra_calloc(f->n ? f->n : 1, 1);
        if (!R.by_id || !R.slot || !apply)
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the orders of the fills");
    }
    if (rc == RA_OK) {
        for (size_t i = 0; i < R.n_orders; i++) {
            R.by_id[i] = &R.orders[i];
            R.slot[i] = -1;
        }
        qsort(R.by_id, R.n_orders, sizeof *R.by_id, cmp_id);
        res->rows = f->n;
        rc = check_rows(&R, apply, res, err);
    }
    size_t n_new = 0;
    row_ref *refs = NULL;
    if (rc == RA_OK && !(refs = ra_calloc(f->n ? f->n : 1, sizeof *refs)))
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the rows of the fills");
    for (size_t k = 0; rc == RA_OK && k < f->n; k++)
        if (apply[k])
            refs[n_new++] = (row_ref){&f->rows[k], (uint8_t)(2 - apply[k] % 2), apply[k] > 2, k};
    if (n_new)
        qsort(refs, n_new, sizeof *refs, cmp_ref);
    for (size_t k = 0; rc == RA_OK && k < n_new; k++) {
        const ra_fill_row *r = refs[k].r;
        if (refs[k].block) { /* allocated to the block's orders, the row's key recorded */
            char key[RA_CYCLE_ID_MAX + 96];
            block_key(&R, refs[k].k, key, sizeof key);
            rc = ra_store_block_fill(s, actor, r->order, key, r->qty_micro, r->price, r->date,
                                     NULL, NULL, err);
            if (rc == RA_OK)
                rc = ra_store_fill_exec_put(s, actor, key, r->order, r->date, r->qty_micro,
                                            r->price, err);
        } else
            rc = ra_store_order_fill(s, actor, r->order, r->qty_micro, r->price, r->fees_minor,
                                     r->date, err);
        if (rc != RA_OK && err) {
            /* the store's refusal (a sale of more than is held, cash going negative) is the
             * row's */
            char place[128];
            snprintf(place, sizeof place, "%s", err->where);
            snprintf(err->where, sizeof err->where, "%s:%u", f->source, r->line);
            if (place[0])
                ra_err_wrap(err, "%s", place);
        }
    }
    for (size_t i = 0; rc == RA_OK && i < res->n_orders; i++) {
        ra_fills_order *e = &res->orders[i];
        if (e->rows_applied)
            snprintf(e->status, sizeof e->status, "%s",
                     e->filled_micro == e->qty_micro ? "filled" : "partial");
        res->filled += strcmp(e->status, "filled") == 0;
        res->partial += strcmp(e->status, "partial") == 0;
    }
    rc = ra_store_scope_end(s, own, rc, err);
    RA_FREE_ALL(apply, refs);
    run_free(&R);
    if (rc != RA_OK)
        ra_fills_result_free(res);
    return rc;
}

ra_status ra_book_import_fills(ra_book *b, const char *path, ra_fills_result *res, ra_err *err)
{
    if (res)
        memset(res, 0, sizeof *res);
    if (!b || !b->have_firm)
        return ra_err_set(err, RA_EINVAL, NULL, "recording fills needs an open book with its firm");
    ra_fills *f = NULL;
    char *data = NULL;
    size_t size = 0;
    ra_status rc = ra_file_read(path, RA_CSV_MAX_FILE, &data, &size, err);
    if (rc == RA_OK && ra_fills_data_is_fix(data, size)) /* FIX ExecutionReports (fix_fills.c) */
        rc = ra_fix_fills_apply(b->store, &b->actor, data, size, path, res, err);
    else if (rc == RA_OK && (rc = ra_fills_parse(data, size, path, b->firm.minor_digits, &f,
                                                 err)) == RA_OK)
        rc = ra_fills_apply(b->store, &b->actor, f, res, err);
    ra_free(data);
    ra_fills_destroy(f);
    /* rows named FILE:LINE already say the file */
    if (rc != RA_OK && err && strncmp(err->where, path, strlen(path)) != 0)
        ra_err_wrap(err, "%s", path);
    return rc;
}
