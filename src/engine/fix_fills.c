/* The broker's FIX ExecutionReports as fills (include/roboadvisor/engine_blocks.h,
 * docs/formats.md#fix): every message checked first, so that a refusal names the message and the
 * tag before anything is written, then the new executions (by ExecID) recorded in one write scope
 * through the ordinary order fill, or the block fill that allocates to the block's orders. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/engine_blocks.h>
#include <roboadvisor/fix.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef ra_fix_trade exec_row;

int ra_fills_data_is_fix(const char *data, size_t size)
{
    size_t i = 0;
    while (i < size && (data[i] == ' ' || data[i] == '\r' || data[i] == '\n' || data[i] == '\t'))
        i++;
    return size - i >= 5 && memcmp(data + i, "8=FIX", 5) == 0;
}

/* An error about message msg_no (tag 0: none): err->where "FILE:MSG[:TAG (Name)]". */
static ra_status msg_err(ra_err *err, ra_status code, const char *source, size_t msg_no, int tag,
                         const char *tag_name, const char *fmt, ...) RA_PRINTF(7, 8);
static ra_status msg_err(ra_err *err, ra_status code, const char *source, size_t msg_no, int tag,
                         const char *tag_name, const char *fmt, ...)
{
    char where[128], msg[256];
    if (tag)
        snprintf(where, sizeof where, "%s:%zu:%d (%s)", source, msg_no, tag, tag_name);
    else
        snprintf(where, sizeof where, "%s:%zu", source, msg_no);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ra_err_set(err, code, where, "%s", msg);
}

/* By date, a day's sales before its purchases (their proceeds pay for the purchases, as in the
 * daily cycle and ra_fills_apply), then in file order. */
static int cmp_exec(const void *a, const void *b)
{
    const exec_row *x = a, *y = b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    if (x->f.side != y->f.side)
        return x->f.side < y->f.side ? -1 : 1;
    return x->msg_no < y->msg_no ? -1 : x->msg_no > y->msg_no;
}

typedef struct run {
    ra_store *s;
    const ra_store_actor *actor;
    const char *source;
    ra_fills_result *res;
    size_t cap_res;
    ra_date day;          /* of the orders loaded, 0 none */
    ra_cycle_order *orders;
    size_t n_orders;
} run;

static ra_fills_order *entry(run *R, const char *id, ra_err *err)
{
    for (size_t i = 0; i < R->res->n_orders; i++)
        if (strcmp(R->res->orders[i].order, id) == 0)
            return &R->res->orders[i];
    if (ra_grow((void **)&R->res->orders, &R->cap_res, R->res->n_orders + 1,
                sizeof *R->res->orders)) {
        ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the orders of the fills");
        return NULL;
    }
    ra_fills_order *e = &R->res->orders[R->res->n_orders++];
    memset(e, 0, sizeof *e);
    snprintf(e->order, sizeof e->order, "%s", id);
    return e;
}

static ra_status find_order(run *R, const exec_row *x, const ra_cycle_order **out, ra_err *err)
{
    *out = NULL;
    ra_date d = ra_fills_order_day(x->f.cl_ord_id);
    if (d && d != R->day) {
        ra_store_free(R->orders);
        R->orders = NULL;
        R->n_orders = 0;
        R->day = d;
        ra_cycle_filter f = {d, NULL, NULL};
        ra_status rc =
            ra_store_orders_list(R->s, R->actor->firm, &f, &R->orders, &R->n_orders, err);
        if (rc != RA_OK)
            return rc;
    }
    for (size_t i = 0; d && i < R->n_orders; i++)
        if (strcmp(R->orders[i].id, x->f.cl_ord_id) == 0) {
            *out = &R->orders[i];
            return RA_OK;
        }
    return msg_err(err, RA_ENOTFOUND, R->source, x->msg_no, 11, "ClOrdID",
                   "no order or block %s in firm %s", x->f.cl_ord_id, R->actor->firm);
}

/* Symbol, Side and CumQty against the order or block (filled before this execution). */
static ra_status agrees(run *R, const exec_row *x, const char *ticker, int side,
                        ra_micro filled_before, ra_err *err)
{
    char q1[RA_MONEY_FMT_SIZE], q2[RA_MONEY_FMT_SIZE];
    if (strcmp(x->f.symbol, ticker) != 0)
        return msg_err(err, RA_ECONFLICT, R->source, x->msg_no, 55, "Symbol",
                       "%s is an order for %s, not %s", x->f.cl_ord_id, ticker, x->f.symbol);
    if (x->f.side != side)
        return msg_err(err, RA_ECONFLICT, R->source, x->msg_no, 54, "Side",
                       "%s is a %s", x->f.cl_ord_id, side > 0 ? "buy" : "sell");
    if (x->f.cum_qty_micro != filled_before + x->f.last_qty_micro)
        return msg_err(err, RA_ECONFLICT, R->source, x->msg_no, 14, "CumQty",
                       "%s shares filled in all is not the %s filled before plus LastQty",
                       ra_money_format_qty(x->f.cum_qty_micro, q1, sizeof q1),
                       ra_money_format_qty(filled_before, q2, sizeof q2));
    return RA_OK;
}

/* The store's refusal belongs to the message: where "FILE:MSG", the store's place kept. */
static ra_status at_msg(run *R, const exec_row *x, ra_status rc, ra_err *err)
{
    if (rc == RA_OK || !err || strncmp(err->where, R->source, strlen(R->source)) == 0)
        return rc;
    char place[128];
    snprintf(place, sizeof place, "%s", err->where);
    snprintf(err->where, sizeof err->where, "%s:%zu", R->source, x->msg_no);
    if (place[0])
        ra_err_wrap(err, "%s", place);
    return rc;
}

static ra_status apply_block(run *R, const exec_row *x, ra_err *err)
{
    ra_block b;
    ra_status rc = ra_store_block_get(R->s, R->actor->firm, x->f.cl_ord_id, &b, err);
    if (rc == RA_ENOTFOUND)
        rc = msg_err(err, RA_ENOTFOUND, R->source, x->msg_no, 11, "ClOrdID",
                     "no order or block %s in firm %s", x->f.cl_ord_id, R->actor->firm);
    if (rc == RA_OK)
        rc = agrees(R, x, b.ticker, b.side, b.filled_micro, err);
    ra_block_share *sh = NULL;
    if (rc == RA_OK && !(sh = ra_calloc(b.n_members, sizeof *sh)))
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a block's allocation");
    if (rc == RA_OK)
        rc = at_msg(R, x, ra_store_block_fill(R->s, R->actor, b.id, x->f.exec_id,
                                              x->f.last_qty_micro, x->f.last_px, x->date, sh,
                                              NULL, err), err);
    ra_fills_order *e = rc == RA_OK ? entry(R, b.id, err) : NULL;
    if (rc == RA_OK && !e)
        rc = RA_ENOMEM;
    if (rc == RA_OK) {
        if (!e->rows_applied && !e->rows_skipped) {
            snprintf(e->ticker, sizeof e->ticker, "%s", b.ticker);
            e->side = b.side;
            e->qty_micro = b.qty_micro;
            e->filled_before_micro = e->filled_micro = b.filled_micro;
        }
        e->filled_micro += x->f.last_qty_micro;
        e->rows_applied++;
        snprintf(e->status, sizeof e->status, "%s",
                 e->filled_micro == e->qty_micro ? "filled" : "partial");
    }
    for (size_t i = 0; rc == RA_OK && i < b.n_members; i++) {
        const ra_block_member *m = &b.members[i];
        ra_fills_order *me = entry(R, m->order, err);
        if (!me) {
            rc = RA_ENOMEM;
            break;
        }
        if (!me->rows_applied && !me->rows_skipped && !me->qty_micro) {
            snprintf(me->account, sizeof me->account, "%s", m->account);
            snprintf(me->ticker, sizeof me->ticker, "%s", b.ticker);
            me->side = b.side;
            me->qty_micro = m->qty_micro;
            me->filled_before_micro = me->filled_micro = m->filled_micro;
            snprintf(me->status, sizeof me->status, "%s", m->status);
        }
        if (sh[i].qty_micro > 0) {
            me->filled_micro += sh[i].qty_micro;
            me->rows_applied++;
            snprintf(me->status, sizeof me->status, "%s",
                     me->filled_micro == me->qty_micro ? "filled" : "partial");
        }
    }
    ra_free(sh);
    ra_blocks_free(&b, 1);
    return rc;
}

static ra_status apply_order(run *R, const exec_row *x, ra_err *err)
{
    const ra_cycle_order *o = NULL;
    ra_status rc = find_order(R, x, &o, err);
    ra_fills_order *e = rc == RA_OK ? entry(R, o->id, err) : NULL;
    if (rc == RA_OK && !e)
        rc = RA_ENOMEM;
    if (rc == RA_OK && !e->rows_applied && !e->rows_skipped && !e->qty_micro) {
        snprintf(e->account, sizeof e->account, "%s", o->account);
        snprintf(e->ticker, sizeof e->ticker, "%s", o->ticker);
        e->side = o->side;
        e->qty_micro = o->qty_micro;
        e->filled_before_micro = e->filled_micro = o->filled_micro;
        snprintf(e->status, sizeof e->status, "%s", o->status);
    }
    char block[RA_CYCLE_ID_MAX] = "";
    if (rc == RA_OK)
        rc = ra_store_order_block(R->s, R->actor->firm, o->id, block, err);
    if (rc == RA_OK && block[0])
        rc = msg_err(err, RA_ECONFLICT, R->source, x->msg_no, 11, "ClOrdID",
                     "order %s is in block %s: its fills come as the block's", o->id, block);
    if (rc == RA_OK)
        rc = agrees(R, x, o->ticker, o->side, e->filled_micro, err);
    if (rc == RA_OK)
        rc = at_msg(R, x, ra_store_order_fill(R->s, R->actor, o->id, x->f.last_qty_micro,
                                              x->f.last_px, 0, x->date, err), err);
    if (rc == RA_OK) {
        e->filled_micro += x->f.last_qty_micro;
        e->rows_applied++;
        snprintf(e->status, sizeof e->status, "%s",
                 e->filled_micro == e->qty_micro ? "filled" : "partial");
    }
    return rc;
}

ra_status ra_fix_fills_apply(ra_store *s, const ra_store_actor *actor, const char *data,
                             size_t size, const char *source, ra_fills_result *res, ra_err *err)
{
    if (!res)
        return ra_err_set(err, RA_EINVAL, NULL, "recording fills needs a result");
    memset(res, 0, sizeof *res);
    if (!s || !actor || !data || !source)
        return ra_err_set(err, RA_EINVAL, NULL,
                          "recording fills needs a store, an actor and a file");
    exec_row *rows = NULL;
    size_t n = 0, n_msgs = 0;
    ra_status rc = ra_fix_trades_parse(data, size, source, &rows, &n, &n_msgs, err);
    if (rc != RA_OK) {
        ra_free(rows);
        return rc;
    }
    if (n)
        qsort(rows, n, sizeof *rows, cmp_exec);
    run R = {s, actor, source, res, 0, 0, NULL, 0};
    res->rows = n_msgs;
    res->skipped = n_msgs - n; /* reports that are not trades */
    int own = 0;
    rc = ra_store_scope_begin(s, &own, err);
    int begun = rc == RA_OK;
    for (size_t i = 0; rc == RA_OK && i < n; i++) {
        const exec_row *x = &rows[i];
        int seen = 0;
        rc = ra_store_fill_exec_seen(s, actor->firm, x->f.exec_id, &seen, err);
        if (rc != RA_OK)
            break;
        if (seen) {
            res->skipped++;
            continue;
        }
        rc = strncmp(x->f.cl_ord_id, "B-", 2) == 0 ? apply_block(&R, x, err)
                                                    : apply_order(&R, x, err);
        if (rc == RA_OK)
            rc = at_msg(&R, x, ra_store_fill_exec_put(s, actor, x->f.exec_id, x->f.cl_ord_id,
                                                      x->date, x->f.last_qty_micro, x->f.last_px,
                                                      err), err);
        res->applied += rc == RA_OK;
    }
    if (begun)
        rc = ra_store_scope_end(s, own, rc, err);
    for (size_t i = 0; rc == RA_OK && i < res->n_orders; i++) {
        res->filled += strcmp(res->orders[i].status, "filled") == 0;
        res->partial += strcmp(res->orders[i].status, "partial") == 0;
    }
    ra_store_free(R.orders);
    ra_free(rows);
    if (rc != RA_OK)
        ra_fills_result_free(res);
    return rc;
}
