/* roboadvisor store: block orders, their fills and allocations, and the FIX executions imported
 * (include/roboadvisor/store_blocks.h, schema 0012_blocks.sql, docs/methodology.md#block-orders).
 * A block fill is written in one scope: the fill and its allocation, then every member's share
 * through ra_store_order_fill (the ordinary fill: lots, ledger, audit), then the block's totals,
 * then the audit record of the block, whose state images cover all four block tables. */
#include "store/store_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/blocks.h>
#include <roboadvisor/hashtab.h>
#include <roboadvisor/store_blocks.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SCHEMA 12 /* 0012_blocks */
#define WHAT "block orders"

/* The firm's id, on a schema with the block tables. */
static ra_status firm_of(ra_store *s, const char *firm, int64_t *fid, ra_err *err)
{
    ra_status rc = sq_need_version(s, BLOCK_SCHEMA, WHAT, err);
    return rc == RA_OK ? sq_firm_id(s, firm, fid, err) : rc;
}

/* Columns c.. of an order's or a block's row: day, ticker, side, qty, filled, status. */
static void read_trade(ra_store *s, ra_db_stmt *st, int c, ra_date *day, char ticker[RA_CODE_MAX],
                       int *side, ra_micro *qty, ra_micro *filled,
                       char status[RA_CYCLE_STATUS_MAX])
{
    *day = (ra_date)sq_int(s, st, c);
    sq_copy(ticker, RA_CODE_MAX, sq_text(s, st, c + 1));
    *side = (int)sq_int(s, st, c + 2);
    *qty = sq_int(s, st, c + 3);
    *filled = sq_int(s, st, c + 4);
    sq_copy(status, RA_CYCLE_STATUS_MAX, sq_text(s, st, c + 5));
}

/* --- candidates ------------------------------------------------------------------------------ */

typedef struct cand_list {
    ra_block_candidate *v;
    size_t n, cap;
} cand_list;

static ra_status cand_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    cand_list *l = ctx;
    ra_block_candidate *v = sq_grow(l->v, l->n, &l->cap, sizeof *v, 64);
    if (!v)
        return sq_nomem(err, "the orders to pool");
    l->v = v;
    ra_block_candidate *c = &v[l->n++];
    memset(c, 0, sizeof *c);
    ra_cycle_order *o = &c->order;
    sq_copy(o->id, sizeof o->id, sq_text(s, st, 0));
    sq_copy(o->account, sizeof o->account, sq_text(s, st, 1));
    sq_copy(o->proposal, sizeof o->proposal, sq_text(s, st, 2));
    o->trade_n = (int)sq_int(s, st, 3);
    o->limit_price = sq_int(s, st, 4);
    read_trade(s, st, 5, &o->date, o->ticker, &o->side, &o->qty_micro, &o->filled_micro,
               o->status);
    c->discretionary = (int)sq_int(s, st, 11);
    c->fractional = (int)sq_int(s, st, 12);
    c->lot_size = sq_int(s, st, 13) > 0 ? sq_int(s, st, 13) : 1;
    return RA_OK;
}

ra_status ra_store_block_candidates(ra_store *s, const char *firm, ra_date day,
                                    ra_block_candidate **out, size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    int64_t fid = 0;
    ra_status rc = firm_of(s, firm, &fid, err);
    cand_list l = {NULL, 0, 0};
    /* the mandate in force on the order's day (the latest version effective by then, else the
     * first) says whether the account trades fractional shares */
    if (rc == RA_OK)
        rc = sq_each(s, err, cand_row, &l,
                     "SELECT o.code, a.code, p.code, o.trade_n, o.limit_price, o.day, s.ticker, "
                     "o.side, o.qty_micro, o.filled_micro, o.status, p.discretionary, "
                     "COALESCE((SELECT m.fractional FROM mandates m WHERE m.account_id = a.id "
                     "AND m.version = COALESCE((SELECT MAX(m2.version) FROM mandates m2 WHERE "
                     "m2.account_id = a.id AND m2.effective <= o.day), (SELECT MIN(m3.version) "
                     "FROM mandates m3 WHERE m3.account_id = a.id))), 0), s.lot_size FROM orders o "
                     "JOIN accounts a ON a.id = o.account_id JOIN "
                     "proposals p ON p.id = o.proposal_id JOIN securities s ON s.id = "
                     "o.security_id WHERE o.firm_id = ? AND o.day = ? AND o.status = 'open' AND "
                     "o.filled_micro = 0 AND o.limit_price = 0 AND NOT EXISTS (SELECT 1 FROM "
                     "block_members bm WHERE bm.firm_id = o.firm_id AND bm.order_code = o.code) "
                     "ORDER BY o.code",
                     "ii", fid, (int64_t)day);
    if (rc != RA_OK) {
        ra_free(l.v);
        return rc;
    }
    *out = l.v;
    *n = l.n;
    return RA_OK;
}

/* --- reading blocks ------------------------------------------------------------------------- */

typedef struct block_list {
    ra_block *v;
    int64_t *ids;
    size_t n, cap, cap_ids;
    size_t *cap_m; /* per block: room of members */
    size_t cap_cm;
} block_list;

static ra_status block_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    block_list *l = ctx;
    size_t c1 = l->cap, c2 = l->cap_ids, c3 = l->cap_cm;
    ra_block *v = sq_grow(l->v, l->n, &c1, sizeof *v, 16);
    if (v)
        l->v = v, l->cap = c1;
    int64_t *ids = v ? sq_grow(l->ids, l->n, &c2, sizeof *ids, 16) : NULL;
    if (ids)
        l->ids = ids, l->cap_ids = c2;
    size_t *cm = ids ? sq_grow(l->cap_m, l->n, &c3, sizeof *cm, 16) : NULL;
    if (!cm)
        return sq_nomem(err, "the blocks");
    l->cap_m = cm, l->cap_cm = c3;
    ra_block *b = &l->v[l->n];
    memset(b, 0, sizeof *b);
    l->ids[l->n] = sq_int(s, st, 0);
    l->cap_m[l->n] = 0;
    sq_copy(b->id, sizeof b->id, sq_text(s, st, 1));
    read_trade(s, st, 2, &b->date, b->ticker, &b->side, &b->qty_micro, &b->filled_micro,
               b->status);
    b->step_micro = sq_int(s, st, 8);
    b->n_fills = (size_t)sq_int(s, st, 9);
    l->n++;
    return RA_OK;
}

static ra_status member_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    block_list *l = ctx;
    int64_t id = sq_int(s, st, 0);
    size_t k = 0;
    while (k < l->n && l->ids[k] != id)
        k++;
    if (k == l->n)
        return RA_OK; /* a block added since the first read */
    ra_block *b = &l->v[k];
    ra_block_member *m = sq_grow(b->members, b->n_members, &l->cap_m[k], sizeof *m, 8);
    if (!m)
        return sq_nomem(err, "the members of the blocks");
    b->members = m;
    ra_block_member *x = &m[b->n_members++];
    memset(x, 0, sizeof *x);
    sq_copy(x->order, sizeof x->order, sq_text(s, st, 1));
    sq_copy(x->account, sizeof x->account, sq_text(s, st, 2));
    x->qty_micro = sq_int(s, st, 3);
    x->filled_micro = sq_int(s, st, 4);
    sq_copy(x->status, sizeof x->status, sq_text(s, st, 5));
    return RA_OK;
}

void ra_blocks_free(ra_block *b, size_t n)
{
    if (!b)
        return;
    for (size_t i = 0; i < n; i++)
        ra_free(b[i].members);
}

/* The firm's blocks of day (0: any) and code ("": any) with their members. */
static ra_status blocks_read(ra_store *s, int64_t fid, ra_date day, const char *code,
                             block_list *l, ra_err *err)
{
    ra_status rc = sq_each(s, err, block_row, l,
                           "SELECT b.id, b.code, b.day, s.ticker, b.side, b.qty_micro, "
                           "b.filled_micro, b.status, b.step_micro, (SELECT COUNT(*) FROM "
                           "block_fills x WHERE x.block_id = b.id) FROM blocks b JOIN securities "
                           "s ON s.id = b.security_id WHERE b.firm_id = ? AND (? = 0 OR b.day = "
                           "?) AND (? = '' OR b.code = ?) ORDER BY b.code",
                           "iiitt", fid, (int64_t)day, (int64_t)day, code, code);
    if (rc == RA_OK && l->n)
        rc = sq_each(s, err, member_row, l,
                     "SELECT m.block_id, m.order_code, a.code, m.qty_micro, o.filled_micro, "
                     "o.status FROM block_members m JOIN blocks b ON b.id = m.block_id JOIN "
                     "orders o ON o.firm_id = m.firm_id AND o.code = m.order_code JOIN accounts a "
                     "ON a.id = o.account_id WHERE b.firm_id = ? AND (? = 0 OR b.day = ?) AND "
                     "(? = '' OR b.code = ?) ORDER BY m.block_id, m.n",
                     "iiitt", fid, (int64_t)day, (int64_t)day, code, code);
    return rc;
}

static void list_free(block_list *l)
{
    ra_blocks_free(l->v, l->n);
    RA_FREE_ALL(l->v, l->ids, l->cap_m);
    memset(l, 0, sizeof *l);
}

ra_status ra_store_blocks_list(ra_store *s, const char *firm, ra_date day, ra_block **out,
                               size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    int64_t fid = 0;
    ra_status rc = firm_of(s, firm, &fid, err);
    block_list l;
    memset(&l, 0, sizeof l);
    if (rc == RA_OK)
        rc = blocks_read(s, fid, day, "", &l, err);
    if (rc != RA_OK) {
        list_free(&l);
        return rc;
    }
    *out = l.v;
    *n = l.n;
    RA_FREE_ALL(l.ids, l.cap_m);
    return RA_OK;
}

static ra_status block_by_code(ra_store *s, int64_t fid, const char *id, block_list *l,
                               ra_err *err)
{
    memset(l, 0, sizeof *l);
    ra_status rc = blocks_read(s, fid, 0, id, l, err);
    if (rc == RA_OK && l->n == 0)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no block %s", id);
    return rc;
}

ra_status ra_store_block_get(ra_store *s, const char *firm, const char *id, ra_block *out,
                             ra_err *err)
{
    memset(out, 0, sizeof *out);
    int64_t fid = 0;
    ra_status rc = firm_of(s, firm, &fid, err);
    block_list l;
    memset(&l, 0, sizeof l);
    if (rc == RA_OK)
        rc = block_by_code(s, fid, id, &l, err);
    if (rc == RA_OK) {
        *out = l.v[0];
        l.v[0].members = NULL;
    }
    list_free(&l);
    return rc;
}

ra_status ra_store_order_block(ra_store *s, const char *firm, const char *order,
                               char block[RA_CYCLE_ID_MAX], ra_err *err)
{
    block[0] = '\0';
    int have = 0, want = 0;
    ra_status rc = ra_store_schema_version(s, &have, &want, err);
    if (rc != RA_OK || have < BLOCK_SCHEMA)
        return rc;
    int64_t fid = 0;
    if ((rc = sq_firm_id(s, firm, &fid, err)) != RA_OK)
        return rc;
    ra_db_stmt *st = NULL;
    int r = sq_query(s, &st, err, "SELECT b.code FROM block_members m JOIN blocks b ON b.id = "
                                  "m.block_id WHERE m.firm_id = ? AND m.order_code = ?",
                     "it", fid, order);
    if (r == RA_DB_ROW)
        sq_copy(block, RA_CYCLE_ID_MAX, sq_text(s, st, 0));
    if (st)
        s->ops->reset(st);
    return r < 0 ? sq_err(err) : RA_OK;
}

/* --- writing --------------------------------------------------------------------------------- */

static json_t *block_json(const ra_block *b)
{
    json_t *m = json_array();
    for (size_t i = 0; i < b->n_members; i++)
        json_array_append_new(m, json_pack("{s:s, s:I}", "order", b->members[i].order,
                                           "qty_micro", (json_int_t)b->members[i].qty_micro));
    return json_pack("{s:s, s:i, s:s, s:i, s:I, s:I, s:o}", "block", b->id, "day", (int)b->date,
                     "ticker", b->ticker, "side", b->side, "step_micro",
                     (json_int_t)b->step_micro, "qty_micro", (json_int_t)b->qty_micro, "members",
                     m);
}

ra_status ra_store_block_put(ra_store *s, const ra_store_actor *actor, const ra_block *b,
                             ra_err *err)
{
    if (b->n_members < 2 || b->n_members > RA_BLOCK_MAX_MEMBERS)
        return ra_err_set(err, RA_EINVAL, NULL, "block %s: a block pools 2 to %d orders, not %zu",
                          b->id, RA_BLOCK_MAX_MEMBERS, b->n_members);
    if (b->step_micro <= 0 || (b->side != 1 && b->side != -1))
        return ra_err_set(err, RA_EINVAL, NULL, "block %s: a step above 0 and a side", b->id);
    ra_micro total = 0;
    for (size_t i = 0; i < b->n_members; i++) {
        if (b->members[i].qty_micro <= 0 || b->members[i].qty_micro % b->step_micro)
            return ra_err_set(err, RA_EINVAL, NULL, "block %s: order %s is not whole steps",
                              b->id, b->members[i].order);
        total += b->members[i].qty_micro;
    }
    firm_row f;
    int own = 0;
    ra_status rc = sq_scope_write_begin(s, actor, BLOCK_SCHEMA, WHAT, &f, &own, err);
    if (rc != RA_OK)
        return rc;
    int64_t sec = 0, bid = 0, taken = 0;
    rc = sq_id_of(s, SQ_SECURITY_ID, f.id, b->ticker, "security", &sec, err);
    if (rc == RA_OK)
        rc = sq_code_id(s, "SELECT id FROM blocks WHERE firm_id = ? AND code = ?", f.id, b->id,
                        &taken, err);
    if (rc == RA_OK && taken)
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "block %s exists already", b->id);
    if (rc == RA_OK) {
        ra_db_stmt *st = sq_prep(s, "INSERT INTO blocks (firm_id, code, day, security_id, side, "
                                    "step_micro, qty_micro, filled_micro, status, user_name, "
                                    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 'open', ?, ?) "
                                    "RETURNING id", err);
        if (!st || sq_bind(s, st, err, "itiiiiiti", f.id, b->id, (int64_t)b->date, sec,
                           (int64_t)b->side, b->step_micro, total, actor->user,
                           ra_store_now(s)) != RA_OK)
            rc = sq_err(err);
        else
            rc = sq_returning_id(s, st, "a block", &bid, err);
    }
    for (size_t i = 0; rc == RA_OK && i < b->n_members; i++) {
        int64_t oid = 0, in = 0;
        rc = sq_id_of(s, "SELECT id FROM orders WHERE firm_id = ? AND code = ? AND status = "
                         "'open' AND filled_micro = 0",
                      f.id, b->members[i].order, "open order", &oid, err);
        if (rc == RA_OK)
            rc = sq_code_id(s, "SELECT 1 FROM block_members WHERE firm_id = ? AND order_code = ?",
                            f.id, b->members[i].order, &in, err);
        if (rc == RA_OK && in)
            rc = ra_err_set(err, RA_ECONFLICT, NULL, "order %s is in a block already",
                            b->members[i].order);
        if (rc == RA_OK) {
            ra_db_stmt *st = sq_prep(s, "INSERT INTO block_members (block_id, n, firm_id, "
                                        "order_code, qty_micro) VALUES (?, ?, ?, ?, ?)", err);
            if (!st || sq_bind(s, st, err, "iiiti", bid, (int64_t)(i + 1), f.id,
                               b->members[i].order, b->members[i].qty_micro) != RA_OK ||
                sq_run(s, st, err) != RA_OK)
                rc = sq_err(err);
        }
    }
    if (rc == RA_OK)
        rc = rs_audit_change(s, rc, actor, "form", "block", b->id, NULL, block_json(b), err);
    return ra_store_scope_end(s, own, rc, err);
}

ra_status ra_store_block_fill(ra_store *s, const ra_store_actor *actor, const char *id,
                              const char *exec_id, ra_micro qty, ra_price price, ra_date date,
                              ra_block_share *shares, uint64_t *seed_out, ra_err *err)
{
    if (qty <= 0 || price <= 0)
        return ra_err_set(err, RA_EINVAL, NULL, "block %s: a fill needs a quantity and a price "
                          "above 0", id);
    firm_row f;
    int own = 0;
    ra_status rc = sq_scope_write_begin(s, actor, BLOCK_SCHEMA, WHAT, &f, &own, err);
    if (rc != RA_OK)
        return rc;
    block_list l;
    rc = block_by_code(s, f.id, id, &l, err);
    ra_block *b = rc == RA_OK ? &l.v[0] : NULL;
    char q1[RA_MONEY_FMT_SIZE], q2[RA_MONEY_FMT_SIZE];
    if (rc == RA_OK && qty > b->qty_micro - b->filled_micro)
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "block %s: a fill of %s shares is more than the "
                        "%s left open", id, ra_money_format_qty(qty, q1, sizeof q1),
                        ra_money_format_qty(b->qty_micro - b->filled_micro, q2, sizeof q2));
    if (rc == RA_OK && qty % b->step_micro)
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "block %s: a fill of %s shares is not whole "
                        "steps of %s", id, ra_money_format_qty(qty, q1, sizeof q1),
                        ra_money_format_qty(b->step_micro, q2, sizeof q2));
    size_t n = b ? b->n_members : 0, k = 0;
    ra_micro *open = NULL, *alloc = NULL;
    uint32_t *rank = NULL, *ix = NULL;
    if (rc == RA_OK &&
        (!(open = ra_calloc(n, sizeof *open)) || !(alloc = ra_calloc(n, sizeof *alloc)) ||
         !(rank = ra_calloc(n, sizeof *rank)) || !(ix = ra_calloc(n, sizeof *ix))))
        rc = sq_nomem(err, "the allocation of a block fill");
    /* the members with something open, in member order: the seeded order breaks ties */
    for (size_t i = 0; rc == RA_OK && i < n; i++) {
        const ra_block_member *m = &b->members[i];
        ra_micro left = m->qty_micro - m->filled_micro;
        if (left % b->step_micro || left < 0)
            rc = ra_err_set(err, RA_ECONFLICT, NULL, "block %s: order %s was filled outside the "
                            "block (%s of %s shares filled)", id, m->order,
                            ra_money_format_qty(m->filled_micro, q1, sizeof q1),
                            ra_money_format_qty(m->qty_micro, q2, sizeof q2));
        else if (left > 0 && strcmp(m->status, "cancelled") != 0) {
            open[k] = left;
            ix[k++] = (uint32_t)i;
        }
    }
    ra_micro open_sum = 0;
    for (size_t i = 0; i < k; i++)
        open_sum += open[i];
    if (rc == RA_OK && qty > open_sum)
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "block %s: a fill of %s shares is more than its "
                        "orders have open (%s)", id, ra_money_format_qty(qty, q1, sizeof q1),
                        ra_money_format_qty(open_sum, q2, sizeof q2));
    int fill_n = b ? (int)b->n_fills + 1 : 0;
    char key[RA_CYCLE_ID_MAX + 16], seed_hex[17];
    snprintf(key, sizeof key, "%s/%d", id, fill_n);
    uint64_t seed = ra_hash_str(key);
    snprintf(seed_hex, sizeof seed_hex, "%016" PRIx64, seed);
    if (rc == RA_OK)
        rc = ra_block_allocate(open, k, qty, b->step_micro, seed, alloc, rank, err);
    if (rc == RA_OK) {
        ra_db_stmt *st = sq_prep(s, "INSERT INTO block_fills (block_id, n, exec_id, day, "
                                    "qty_micro, price, seed) VALUES (?, ?, ?, ?, ?, ?, ?)", err);
        if (!st || sq_bind(s, st, err, "iitiiit", l.ids[0], (int64_t)fill_n,
                           exec_id ? exec_id : "", (int64_t)date, qty, price, seed_hex) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
    }
    json_t *arr = json_array();
    for (size_t j = 0; rc == RA_OK && j < k; j++) {
        ra_db_stmt *st = sq_prep(s, "INSERT INTO block_allocs (block_id, fill_n, member_n, "
                                    "open_micro, qty_micro, tie_rank) VALUES (?, ?, ?, ?, ?, ?)",
                                 err);
        if (!st || sq_bind(s, st, err, "iiiiii", l.ids[0], (int64_t)fill_n, (int64_t)ix[j] + 1,
                           open[j], alloc[j], (int64_t)rank[j]) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
        json_array_append_new(arr, json_pack("{s:s, s:I, s:I, s:i}", "order",
                                             b->members[ix[j]].order, "open_micro",
                                             (json_int_t)open[j], "qty_micro",
                                             (json_int_t)alloc[j], "tie_rank", (int)rank[j]));
        if (rc == RA_OK && alloc[j] > 0)
            rc = ra_store_order_fill(s, actor, b->members[ix[j]].order, alloc[j], price, 0, date,
                                     err);
    }
    if (rc == RA_OK) {
        ra_micro filled = b->filled_micro + qty;
        const char *status = filled == b->qty_micro ? "filled" : "partial";
        ra_db_stmt *st = sq_prep(s, "UPDATE blocks SET filled_micro = ?, status = ? WHERE id = ?",
                                 err);
        if (!st || sq_bind(s, st, err, "iti", filled, status, l.ids[0]) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
        json_t *after = json_pack("{s:s, s:i, s:s, s:I, s:I, s:i, s:s, s:I, s:s, s:o}", "block",
                                  id, "fill", fill_n, "exec_id", exec_id ? exec_id : "",
                                  "qty_micro", (json_int_t)qty, "price", (json_int_t)price, "day",
                                  (int)date, "seed", seed_hex, "filled_micro",
                                  (json_int_t)filled, "status", status, "allocation", arr);
        arr = NULL;
        rc = rs_audit_change(s, rc, actor, "fill", "block", id, NULL, after, err);
    }
    json_decref(arr);
    if (rc == RA_OK && shares)
        for (size_t i = 0; i < n; i++) {
            memset(&shares[i], 0, sizeof shares[i]);
            sq_copy(shares[i].order, sizeof shares[i].order, b->members[i].order);
            sq_copy(shares[i].account, sizeof shares[i].account, b->members[i].account);
        }
    for (size_t j = 0; rc == RA_OK && shares && j < k; j++) {
        shares[ix[j]].open_micro = open[j];
        shares[ix[j]].qty_micro = alloc[j];
        shares[ix[j]].tie_rank = rank[j];
    }
    if (rc == RA_OK && seed_out)
        *seed_out = seed;
    RA_FREE_ALL(open, alloc, rank, ix);
    list_free(&l);
    return ra_store_scope_end(s, own, rc, err);
}

/* --- executions imported --------------------------------------------------------------------- */

ra_status ra_store_fill_exec_seen(ra_store *s, const char *firm, const char *exec_id, int *seen,
                                  ra_err *err)
{
    *seen = 0;
    int64_t fid = 0, v = 0;
    ra_status rc = firm_of(s, firm, &fid, err);
    if (rc == RA_OK)
        rc = sq_code_id(s, "SELECT 1 FROM fill_execs WHERE firm_id = ? AND exec_id = ?", fid,
                        exec_id, &v, err);
    *seen = v != 0;
    return rc;
}

ra_status ra_store_fill_exec_put(ra_store *s, const ra_store_actor *actor, const char *exec_id,
                                 const char *cl_ord_id, ra_date date, ra_micro qty, ra_price price,
                                 ra_err *err)
{
    if (!exec_id || !exec_id[0] || !cl_ord_id || !cl_ord_id[0])
        return ra_err_set(err, RA_EINVAL, NULL, "an execution needs its id and its order's id");
    firm_row f;
    int own = 0;
    ra_status rc = sq_scope_write_begin(s, actor, BLOCK_SCHEMA, WHAT, &f, &own, err);
    if (rc != RA_OK)
        return rc;
    int64_t v = 0;
    rc = sq_code_id(s, "SELECT 1 FROM fill_execs WHERE firm_id = ? AND exec_id = ?", f.id,
                    exec_id, &v, err);
    if (rc == RA_OK && v)
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "execution %s is recorded already", exec_id);
    if (rc == RA_OK) {
        ra_db_stmt *st = sq_prep(s, "INSERT INTO fill_execs (firm_id, exec_id, cl_ord_id, day, "
                                    "qty_micro, price, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 err);
        if (!st || sq_bind(s, st, err, "ittiiii", f.id, exec_id, cl_ord_id, (int64_t)date, qty,
                           price, ra_store_now(s)) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
    }
    if (rc == RA_OK)
        rc = rs_audit_change(s, rc, actor, "import", "fill_exec", cl_ord_id, NULL,
                             json_pack("{s:s, s:s, s:i, s:I, s:I}", "exec_id", exec_id,
                                       "cl_ord_id", cl_ord_id, "day", (int)date, "qty_micro",
                                       (json_int_t)qty, "price", (json_int_t)price),
                             err);
    return ra_store_scope_end(s, own, rc, err);
}

/* --- rewind (store_cycle.c's ra_store_cycle_rewind) ------------------------------------------ */

ra_status rs_blocks_rewind(ra_store *s, int64_t firm_id, ra_date day, ra_err *err)
{
    if (s->schema_version < BLOCK_SCHEMA)
        return RA_OK;
    static const char *const wipe[] = {
        "DELETE FROM block_allocs WHERE block_id IN (SELECT id FROM blocks WHERE firm_id = ? AND "
        "day >= ?)",
        "DELETE FROM block_fills WHERE block_id IN (SELECT id FROM blocks WHERE firm_id = ? AND "
        "day >= ?)",
        "DELETE FROM block_members WHERE block_id IN (SELECT id FROM blocks WHERE firm_id = ? AND "
        "day >= ?)",
        "DELETE FROM blocks WHERE firm_id = ? AND day >= ?",
        "DELETE FROM fill_execs WHERE firm_id = ? AND day >= ?"};
    ra_status rc = RA_OK;
    for (size_t k = 0; rc == RA_OK && k < sizeof wipe / sizeof wipe[0]; k++) {
        ra_db_stmt *st = sq_prep(s, wipe[k], err);
        if (!st || sq_bind(s, st, err, "ii", firm_id, (int64_t)day) != RA_OK ||
            sq_run_now(s, st, err) != RA_OK)
            rc = sq_err(err);
    }
    return rc;
}
