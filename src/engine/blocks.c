/* Block orders and the orders file for the broker (include/roboadvisor/engine_blocks.h,
 * docs/methodology.md#block-orders, docs/cli.md#orders-export, docs/formats.md#fix). */
#include <roboadvisor/alloc.h>
#include <roboadvisor/engine_blocks.h>
#include <roboadvisor/fix.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(RA_BLOCK_ORDERS_MAX <= RA_FIX_MAX_ALLOCS, "a block's orders fit one FIX message");

/* --- forming --------------------------------------------------------------------------------- */

static ra_micro step_of(const ra_block_candidate *c)
{
    return c->fractional ? 1 : c->lot_size * 1000000;
}

/* Candidates grouped: ticker, side, step, then order id. */
static int cmp_key(const void *a, const void *b)
{
    const ra_block_candidate *x = a, *y = b;
    int c = strcmp(x->order.ticker, y->order.ticker);
    if (c)
        return c;
    if (x->order.side != y->order.side)
        return x->order.side > y->order.side ? -1 : 1; /* buys first */
    ra_micro sx = step_of(x), sy = step_of(y);
    if (sx != sy)
        return sx < sy ? -1 : 1;
    return strcmp(x->order.id, y->order.id);
}

static int poolable(const ra_block_candidate *c, ra_block_pool pool)
{
    if (pool == RA_POOL_NONE || (pool == RA_POOL_DISCRETIONARY && !c->discretionary))
        return 0;
    return c->order.qty_micro > 0 && c->order.qty_micro % step_of(c) == 0;
}

/* The id of block k (1 first) of the key of c: "B-DATE-TICKER-BUY[-F][-K]". */
static void block_id(const ra_block_candidate *c, int k, char *out, size_t cap)
{
    char d[11], suffix[16] = "";
    if (k > 1)
        snprintf(suffix, sizeof suffix, "-%d", k);
    snprintf(out, cap, "B-%s-%s-%s%s%s", ra_date_format(c->order.date, d), c->order.ticker,
             c->order.side > 0 ? "BUY" : "SELL", c->fractional ? "-F" : "", suffix);
}

/* The first free number of the key's blocks. */
static ra_status next_k(ra_store *s, const char *firm, const ra_block_candidate *c, int *k,
                        ra_err *err)
{
    for (*k = 1;; (*k)++) {
        ra_block b;
        char id[RA_CYCLE_ID_MAX];
        block_id(c, *k, id, sizeof id);
        ra_status rc = ra_store_block_get(s, firm, id, &b, err);
        ra_blocks_free(&b, 1);
        if (rc == RA_ENOTFOUND) {
            if (err)
                memset(err, 0, sizeof *err);
            return RA_OK;
        }
        if (rc != RA_OK)
            return rc;
    }
}

ra_status ra_blocks_form(ra_store *s, const ra_store_actor *actor, ra_date day, ra_block_pool pool,
                         size_t *made, ra_err *err)
{
    if (made)
        *made = 0;
    if (!s || !actor)
        return ra_err_set(err, RA_EINVAL, NULL, "forming blocks needs a store and an actor");
    ra_block_candidate *c = NULL;
    size_t n = 0;
    ra_status rc = ra_store_block_candidates(s, actor->firm, day, &c, &n, err);
    size_t m = 0;
    for (size_t i = 0; rc == RA_OK && i < n; i++)
        if (poolable(&c[i], pool))
            c[m++] = c[i];
    if (m)
        qsort(c, m, sizeof *c, cmp_key);
    ra_block_member *mem = NULL;
    if (rc == RA_OK && !(mem = ra_calloc(RA_BLOCK_ORDERS_MAX, sizeof *mem)))
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the members of a block");
    int own = 0, begun = 0;
    if (rc == RA_OK)
        begun = (rc = ra_store_scope_begin(s, &own, err)) == RA_OK;
    for (size_t i = 0; rc == RA_OK && i < m;) {
        size_t j = i + 1; /* [i, j): one key */
        while (j < m && strcmp(c[j].order.ticker, c[i].order.ticker) == 0 &&
               c[j].order.side == c[i].order.side && step_of(&c[j]) == step_of(&c[i]))
            j++;
        int k = 0;
        rc = next_k(s, actor->firm, &c[i], &k, err);
        for (size_t a = i; rc == RA_OK && j - a >= 2; k++) {
            size_t e = j - a > RA_BLOCK_ORDERS_MAX ? a + RA_BLOCK_ORDERS_MAX : j;
            if (j - e == 1)
                e--; /* never leave one order alone after a full block */
            ra_block b;
            memset(&b, 0, sizeof b);
            block_id(&c[i], k, b.id, sizeof b.id);
            b.date = day;
            snprintf(b.ticker, sizeof b.ticker, "%s", c[i].order.ticker);
            b.side = c[i].order.side;
            b.step_micro = step_of(&c[i]);
            b.n_members = e - a;
            b.members = mem;
            for (size_t q = a; q < e; q++) {
                ra_block_member *x = &mem[q - a];
                memset(x, 0, sizeof *x);
                snprintf(x->order, sizeof x->order, "%s", c[q].order.id);
                snprintf(x->account, sizeof x->account, "%s", c[q].order.account);
                x->qty_micro = c[q].order.qty_micro;
                b.qty_micro += x->qty_micro;
            }
            rc = ra_store_block_put(s, actor, &b, err);
            if (rc == RA_OK && made)
                (*made)++;
            a = e;
        }
        i = j;
    }
    if (begun)
        rc = ra_store_scope_end(s, own, rc, err);
    ra_free(mem);
    ra_store_free(c);
    return rc;
}

/* --- export ---------------------------------------------------------------------------------- */

void ra_export_settings_default(ra_export_settings *x)
{
    memset(x, 0, sizeof *x);
    x->at_seconds = 20 * 3600;
}

typedef struct text {
    char *p;
    size_t len, cap;
    int failed;
} text;

static void add(text *t, const char *fmt, ...) RA_PRINTF(2, 3);
static void add(text *t, const char *fmt, ...)
{
    for (;;) {
        if (t->failed)
            return;
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            t->failed = 1;
            return;
        }
        if (t->p && t->len + (size_t)k < t->cap) {
            t->len += (size_t)k;
            return;
        }
        if (ra_grow((void **)&t->p, &t->cap, t->len + (size_t)k + 1 + 4096, 1))
            t->failed = 1;
    }
}

static void add_bytes(text *t, const char *p, size_t n, int pipe)
{
    if (t->failed || (t->len + n + 1 > t->cap &&
                      ra_grow((void **)&t->p, &t->cap, t->len + n + 1 + 4096, 1))) {
        t->failed = 1;
        return;
    }
    for (size_t i = 0; i < n; i++)
        t->p[t->len++] = pipe && p[i] == RA_FIX_SOH ? '|' : p[i];
    t->p[t->len] = '\0';
}

static const char *qty_text(ra_micro q, char *b)
{
    return ra_money_format_qty(q, b, RA_MONEY_FMT_SIZE);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* An id into a FIX field of RA_FIX_ID_MAX bytes. */
static ra_status fix_id(char dst[RA_FIX_ID_MAX], const char *id, ra_err *err)
{
    size_t n = strlen(id);
    if (n >= RA_FIX_ID_MAX)
        return ra_err_set(err, RA_EINVAL, NULL, "the id %s is longer than FIX's %d bytes here",
                          id, RA_FIX_ID_MAX - 1);
    memcpy(dst, id, n + 1);
    return RA_OK;
}

/* A NewOrderSingle's header and order fields: the settings' ids and times, HandlInst 1. */
static ra_status fix_head(ra_fix_order *fo, const ra_export_settings *x, const char *firm,
                          uint64_t seq, const char *id, const char *ticker, int side, ra_err *err)
{
    memset(fo, 0, sizeof *fo);
    snprintf(fo->sender, sizeof fo->sender, "%s", x->sender ? x->sender : firm);
    snprintf(fo->target, sizeof fo->target, "%s", x->target ? x->target : "BROKER");
    fo->seq = seq;
    fo->sending_time = fo->transact_time = (int64_t)x->day * 86400 + x->at_seconds;
    snprintf(fo->symbol, sizeof fo->symbol, "%s", ticker);
    fo->side = side;
    fo->handl_inst = '1';
    return fix_id(fo->cl_ord_id, id, err);
}

static ra_status fix_out(text *t, ra_fix_order *o, const ra_export_settings *x, ra_err *err)
{
    char buf[RA_FIX_MAX_MSG];
    size_t len = 0;
    ra_status rc = ra_fix_encode_order(o, buf, sizeof buf, &len, err);
    if (rc != RA_OK)
        return rc;
    add_bytes(t, buf, len, x->pipe);
    add(t, "\n");
    return RA_OK;
}

ra_status ra_orders_export(ra_store *s, const char *firm, const ra_export_settings *x,
                           char **out, size_t *len, size_t *n_orders, size_t *n_blocks,
                           ra_err *err)
{
    *out = NULL;
    *len = *n_orders = *n_blocks = 0;
    if (!s || !firm || !x)
        return ra_err_set(err, RA_EINVAL, NULL, "an export needs a store, a firm and settings");
    ra_cycle_order *o = NULL;
    size_t n = 0, nb = 0;
    ra_block *b = NULL;
    ra_cycle_filter f = {x->day, NULL, NULL};
    ra_status rc = ra_store_orders_list(s, firm, &f, &o, &n, err);
    if (rc == RA_OK)
        rc = ra_store_blocks_list(s, firm, x->day, &b, &nb, err);
    /* the ids of the orders the blocks hold, sorted for lookup */
    size_t n_pooled = 0;
    for (size_t k = 0; k < nb; k++)
        n_pooled += b[k].n_members;
    const char **pooled = rc == RA_OK && n_pooled ? ra_calloc(n_pooled, sizeof *pooled) : NULL;
    if (rc == RA_OK && n_pooled && !pooled)
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the orders of the blocks");
    for (size_t k = 0, m = 0; pooled && k < nb; k++)
        for (size_t j = 0; j < b[k].n_members; j++)
            pooled[m++] = b[k].members[j].order;
    if (pooled)
        qsort(pooled, n_pooled, sizeof *pooled, cmp_str);
    text t = {NULL, 0, 0, 0};
    ra_fix_order *fo = rc == RA_OK ? ra_calloc(1, sizeof *fo) : NULL;
    if (rc == RA_OK && !fo)
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate an order message");
    uint64_t seq = 0;
    char q[RA_MONEY_FMT_SIZE], p[RA_MONEY_FMT_SIZE], d[11];
    if (rc == RA_OK && x->format == RA_EXPORT_CSV)
        add(&t, "cl_ord_id,kind,date,account,ticker,side,qty,ord_type,limit_price,allocations\n");
    /* the orders no block holds */
    for (size_t i = 0; rc == RA_OK && i < n; i++) {
        const ra_cycle_order *r = &o[i];
        if (strcmp(r->status, "open") != 0 && strcmp(r->status, "partial") != 0)
            continue;
        const char *key = r->id;
        if (n_pooled && bsearch(&key, pooled, n_pooled, sizeof *pooled, cmp_str))
            continue; /* a block's order: exported with the block */
        ra_micro open = r->qty_micro - r->filled_micro;
        (*n_orders)++;
        if (x->format == RA_EXPORT_CSV) {
            add(&t, "%s,order,%s,%s,%s,%s,%s,%s,%s,\n", r->id, ra_date_format(r->date, d),
                r->account, r->ticker, r->side > 0 ? "buy" : "sell", qty_text(open, q),
                r->limit_price ? "limit" : "market",
                r->limit_price ? ra_money_format_price(r->limit_price, p, sizeof p) : "");
            continue;
        }
        if ((rc = fix_head(fo, x, firm, ++seq, r->id, r->ticker, r->side, err)) != RA_OK)
            break;
        snprintf(fo->account, sizeof fo->account, "%s", r->account);
        fo->qty_micro = open;
        fo->limit = r->limit_price;
        rc = fix_out(&t, fo, x, err);
    }
    /* the blocks, with what each order has open as its pre-allocation */
    for (size_t k = 0; rc == RA_OK && k < nb; k++) {
        const ra_block *bk = &b[k];
        if (strcmp(bk->status, "filled") == 0)
            continue;
        (*n_blocks)++;
        if (x->format == RA_EXPORT_CSV) {
            add(&t, "%s,block,%s,,%s,%s,%s,market,,", bk->id, ra_date_format(bk->date, d),
                bk->ticker, bk->side > 0 ? "buy" : "sell",
                qty_text(bk->qty_micro - bk->filled_micro, q));
            int first = 1;
            for (size_t j = 0; j < bk->n_members; j++) {
                ra_micro left = bk->members[j].qty_micro - bk->members[j].filled_micro;
                if (left <= 0 || strcmp(bk->members[j].status, "cancelled") == 0)
                    continue;
                add(&t, "%s%s:%s", first ? "" : ";", bk->members[j].account, qty_text(left, q));
                first = 0;
            }
            add(&t, "\n");
            continue;
        }
        if ((rc = fix_head(fo, x, firm, ++seq, bk->id, bk->ticker, bk->side, err)) != RA_OK)
            break;
        for (size_t j = 0; j < bk->n_members && fo->n_allocs < RA_FIX_MAX_ALLOCS; j++) {
            ra_micro left = bk->members[j].qty_micro - bk->members[j].filled_micro;
            if (left <= 0 || strcmp(bk->members[j].status, "cancelled") == 0)
                continue;
            ra_fix_alloc *al = &fo->allocs[fo->n_allocs++];
            snprintf(al->account, sizeof al->account, "%s", bk->members[j].account);
            al->qty_micro = left;
            fo->qty_micro += left;
        }
        if (fo->qty_micro > 0)
            rc = fix_out(&t, fo, x, err);
    }
    if (rc == RA_OK && t.failed)
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the orders file");
    ra_free(fo);
    ra_free(pooled);
    ra_store_free(o);
    ra_blocks_free(b, nb);
    ra_store_free(b);
    if (rc != RA_OK) {
        ra_free(t.p);
        *n_orders = *n_blocks = 0;
        return rc;
    }
    if (!t.p && !(t.p = ra_calloc(1, 1)))
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the orders file");
    *out = t.p;
    *len = t.len;
    return RA_OK;
}
