/* roboadvisor store: the engine's snapshot of a firm's accounts and lots (store.h). */
#include "store/store_int.h"

#include "roboadvisor/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the engine's snapshot ------------------------------------------------------------------- */

static ra_status count_of(ra_store *s, const char *sql, int64_t firm_id, size_t *n, ra_err *err)
{
    int64_t v = 0;
    ra_status rc = sq_count(s, sql, firm_id, &v, err);
    *n = (size_t)v;
    return rc;
}

void ra_store_snapshot_destroy(ra_store_snapshot *snap) { ra_free(snap); }

typedef struct snap_ctx {
    ra_store_snapshot *sn;
    rs_id_index *map;
} snap_ctx;

static void security_row(ra_store *s, ra_db_stmt *st, snap_ctx *c, size_t k)
{
    c->map[k].id = sq_int(s, st, 0);
    c->map[k].index = (uint32_t)k;
    sq_copy(c->sn->tickers[k], RA_CODE_MAX, sq_text(s, st, 1));
}

static void account_row(ra_store *s, ra_db_stmt *st, snap_ctx *c, size_t k)
{
    c->sn->account_id[k] = (uint64_t)sq_int(s, st, 0);
    sq_copy(c->sn->account_code[k], RA_CODE_MAX, sq_text(s, st, 1));
    c->sn->cash_minor[k] = sq_int(s, st, 2);
    c->sn->account_type[k] = (uint8_t)sq_int(s, st, 3);
}

/* Reads the first n rows of sql (one parameter: the firm id) through row; RA_ECONFLICT "the WHAT
 * changed while loading" when there are fewer. */
static ra_status load_rows(ra_store *s, const char *sql, int64_t firm_id, size_t n,
                           void (*row)(ra_store *, ra_db_stmt *, snap_ctx *, size_t), snap_ctx *c,
                           const char *what, ra_err *err)
{
    ra_db_stmt *st = sq_prep(s, sql, err);
    size_t k = 0;
    int r = -1;
    if (st && sq_bind(s, st, err, "i", firm_id) == RA_OK)
        while ((r = s->ops->step(st, err)) == RA_DB_ROW && k < n)
            row(s, st, c, k++);
    if (st)
        s->ops->reset(st);
    if (r < 0)
        return sq_err(err);
    if (k != n)
        return ra_err_set(err, RA_ECONFLICT, NULL, "the %s changed while loading", what);
    return RA_OK;
}

ra_status ra_store_snapshot_load(ra_store *s, const char *firm, ra_store_snapshot **out,
                                 ra_err *err)
{
    *out = NULL;
    firm_row f;
    size_t na = 0, nl = 0, ns = 0;
    ra_status rc = sq_firm(s, firm, &f, err);
    if (rc == RA_OK)
        rc = count_of(s, "SELECT COUNT(*) FROM accounts WHERE firm_id = ?", f.id, &na, err);
    if (rc == RA_OK)
        rc = count_of(s, "SELECT COUNT(*) FROM lots l JOIN accounts a ON a.id = l.account_id "
                         "WHERE a.firm_id = ?", f.id, &nl, err);
    if (rc == RA_OK)
        rc = count_of(s, "SELECT COUNT(*) FROM securities WHERE firm_id = ?", f.id, &ns, err);
    if (rc != RA_OK)
        return rc;
    if (nl > UINT32_MAX)
        return ra_err_set(err, RA_EINVAL, NULL, "%zu lots do not fit a snapshot", nl);
    /* one block: the struct, then each array aligned to 8 bytes */
#define AL(x) (((x) + 7) & ~(size_t)7)
    size_t off = AL(sizeof(ra_store_snapshot));
    size_t o_code = off; off += AL(na * RA_CODE_MAX);
    size_t o_aid = off; off += AL(na * sizeof(uint64_t));
    size_t o_cash = off; off += AL(na * sizeof(ra_minor));
    size_t o_type = off; off += AL(na);
    size_t o_start = off; off += AL((na + 1) * sizeof(uint32_t));
    size_t o_lid = off; off += AL(nl * sizeof(uint64_t));
    size_t o_lsec = off; off += AL(nl * sizeof(uint32_t));
    size_t o_lacq = off; off += AL(nl * sizeof(ra_date));
    size_t o_lqty = off; off += AL(nl * sizeof(ra_micro));
    size_t o_lbas = off; off += AL(nl * sizeof(ra_minor));
    size_t o_tick = off; off += AL(ns * RA_CODE_MAX);
#undef AL
    char *blk = ra_calloc(1, off);
    rs_id_index *map = ra_calloc(ns ? ns : 1, sizeof *map);
    if (!blk || !map) {
        ra_free(blk);
        ra_free(map);
        return sq_nomem(err, "the snapshot");
    }
    ra_store_snapshot *sn = (ra_store_snapshot *)(void *)blk;
    sn->n_accounts = na;
    sn->account_code = (char (*)[RA_CODE_MAX])(void *)(blk + o_code);
    sn->account_id = (uint64_t *)(void *)(blk + o_aid);
    sn->cash_minor = (ra_minor *)(void *)(blk + o_cash);
    sn->account_type = (uint8_t *)(void *)(blk + o_type);
    sn->lot_start = (uint32_t *)(void *)(blk + o_start);
    sn->n_lots = nl;
    sn->lot_id = (uint64_t *)(void *)(blk + o_lid);
    sn->lot_security = (uint32_t *)(void *)(blk + o_lsec);
    sn->lot_acquired = (ra_date *)(void *)(blk + o_lacq);
    sn->lot_qty_micro = (ra_micro *)(void *)(blk + o_lqty);
    sn->lot_basis_minor = (ra_minor *)(void *)(blk + o_lbas);
    sn->n_securities = ns;
    sn->tickers = (char (*)[RA_CODE_MAX])(void *)(blk + o_tick);
    sn->bytes = off;

    /* securities in ticker order, and a sorted id -> index map */
    snap_ctx c = {sn, map};
    rc = load_rows(s, "SELECT id, ticker FROM securities WHERE firm_id = ? ORDER BY ticker", f.id,
                   ns, security_row, &c, "securities", err);
    rs_id_index_sort(map, ns);

    /* accounts in code order */
    if (rc == RA_OK)
        rc = load_rows(s, "SELECT id, code, cash_minor, type FROM accounts WHERE firm_id = ? "
                       "ORDER BY code", f.id, na, account_row, &c, "accounts", err);
    /* lots in the same account order */
    if (rc == RA_OK) {
        int r;
        ra_db_stmt *st = sq_prep(s, "SELECT l.account_id, l.lot_id, l.security_id, l.acquired, l.qty_micro, "
                  "l.basis_minor FROM lots l JOIN accounts a ON a.id = l.account_id "
                  "WHERE a.firm_id = ? ORDER BY a.code, l.lot_id", err);
        size_t j = 0, ai = 0;
        r = -1;
        if (st && sq_bind(s, st, err, "i", f.id) == RA_OK)
            while ((r = s->ops->step(st, err)) == RA_DB_ROW && j < nl) {
                uint64_t aid = (uint64_t)sq_int(s, st, 0);
                while (ai < na && sn->account_id[ai] != aid)
                    sn->lot_start[++ai] = (uint32_t)j;
                if (ai == na)
                    break;
                sn->lot_id[j] = (uint64_t)sq_int(s, st, 1);
                sn->lot_security[j] = rs_id_index_find(map, ns, sq_int(s, st, 2));
                sn->lot_acquired[j] = (ra_date)sq_int(s, st, 3);
                sn->lot_qty_micro[j] = sq_int(s, st, 4);
                sn->lot_basis_minor[j] = sq_int(s, st, 5);
                j++;
            }
        if (st)
            s->ops->reset(st);
        while (ai < na)
            sn->lot_start[++ai] = (uint32_t)j;
        if (r < 0)
            rc = sq_err(err);
        else if (j != nl)
            rc = ra_err_set(err, RA_ECONFLICT, NULL, "the lots changed while loading");
    }
    ra_free(map);
    if (rc != RA_OK) {
        ra_free(blk);
        return rc;
    }
    *out = sn;
    return RA_OK;
}

