/* roboadvisor store: check (replay every account) and holdings (store.h). */
#include "store/store_int.h"

#include "roboadvisor/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- check ----------------------------------------------------------------------------------- */

typedef struct acc {
    int64_t id;
    char code[RA_CODE_MAX], firm[RA_CODE_MAX];
} acc;

static void acc_row(ra_store *s, ra_db_stmt *st, void *out)
{
    acc *a = out;
    a->id = sq_int(s, st, 0);
    sq_copy(a->code, RA_CODE_MAX, sq_text(s, st, 1));
    sq_copy(a->firm, RA_CODE_MAX, sq_text(s, st, 2));
}

ra_status ra_store_check(ra_store *s, ra_store_check_result *result, ra_err *err)
{
    ra_store_check_result local = {0, 0};
    result = sq_stats(result, &local, sizeof local);
    ra_status rc = sq_need_schema(s, err);
    if (rc != RA_OK)
        return rc;
    /* the ids first: the per-account queries reuse the connection */
    void *vv = NULL;
    size_t n = 0;
    rc = sq_rows(s, sq_prep(s, "SELECT a.id, a.code, f.code FROM accounts a JOIN firms f ON f.id = "
                            "a.firm_id ORDER BY f.code, a.code", err),
                 &vv, &n, sizeof(acc), 256, "the account list", acc_row, err);
    if (rc != RA_OK)
        return rc;
    acc *v = vv;
    for (size_t i = 0; i < n && rc == RA_OK; i++) {
        ra_ledger l;
        int64_t n_txns = 0;
        rs_txn_list tl;
        rc = rs_ledger_load(s, v[i].id, &l, &n_txns, err);
        if (rc != RA_OK) {
            snprintf(err ? err->where : (char[128]){0}, 128, "account %.40s (firm %.40s)",
                     v[i].code, v[i].firm);
            break;
        }
        rc = rs_txns_load(s, v[i].id, RA_STORE_DATE_LATEST, &tl, err);
        if (rc == RA_OK) {
            rc = ra_ledger_check(&l, tl.t, tl.n, err);
            if (rc == RA_OK && (int64_t)tl.n != n_txns)
                rc = ra_err_set(err, RA_ECONFLICT, NULL, "%lld transactions are counted but "
                                "%zu are stored", (long long)n_txns, tl.n);
            result->n_transactions += tl.n;
            rs_txns_free(&tl);
        }
        ra_ledger_free(&l);
        if (rc != RA_OK) {
            if (rc == RA_EINVAL || rc == RA_ENOTFOUND) /* a replay that fails is a break too */
                rc = err ? (err->code = RA_ECONFLICT) : RA_ECONFLICT;
            if (err)
                snprintf(err->where, sizeof err->where, "account %.40s (firm %.40s)", v[i].code,
                         v[i].firm);
            break;
        }
        result->n_accounts++;
    }
    ra_free(v);
    if (rc == RA_OK)
        rc = s->ops->integrity(s->db, err);
    return rc;
}

/* --- holdings, valuation --------------------------------------------------------------------- */

typedef struct acct_brief {
    int64_t id;
    char code[RA_CODE_MAX];
    ra_minor cash;
    int minor_digits;
    int type;
} acct_brief;

static void brief_row(ra_store *s, ra_db_stmt *st, void *out)
{
    acct_brief *a = out;
    a->id = sq_int(s, st, 0);
    sq_copy(a->code, RA_CODE_MAX, sq_text(s, st, 1));
    a->cash = sq_int(s, st, 2);
    a->minor_digits = (int)sq_int(s, st, 3);
    a->type = (int)sq_int(s, st, 4);
}

static ra_status accounts_of(ra_store *s, int64_t firm_id, acct_brief **out, size_t *n,
                             ra_err *err)
{
    *out = NULL;
    *n = 0;
    ra_db_stmt *st = sq_prep(s, "SELECT id, code, cash_minor, minor_digits, type FROM accounts "
                          "WHERE firm_id = ? ORDER BY code", err);
    if (!st || sq_bind(s, st, err, "i", firm_id) != RA_OK)
        return sq_err(err);
    void *v = NULL;
    ra_status rc = sq_rows(s, st, &v, n, sizeof **out, 256, "the account list", brief_row, err);
    *out = v;
    return rc;
}

/* The firm's securities: ids and tickers in ticker order. */
typedef struct sec_list {
    int64_t *id;
    char (*ticker)[RA_CODE_MAX];
    size_t n;
} sec_list;

static ra_status securities_of(ra_store *s, int64_t firm_id, sec_list *out, ra_err *err)
{
    memset(out, 0, sizeof *out);
    ra_db_stmt *st = sq_prep(s, "SELECT id, ticker FROM securities WHERE firm_id = ? ORDER BY ticker",
                       err);
    if (!st || sq_bind(s, st, err, "i", firm_id) != RA_OK)
        return sq_err(err);
    size_t cap = 0;
    int r;
    while ((r = s->ops->step(st, err)) == RA_DB_ROW) {
        if (out->n == cap) {
            cap = cap ? 2 * cap : 64;
            int64_t *gi = ra_realloc(out->id, cap * sizeof *gi);
            if (gi)
                out->id = gi;
            char (*gt)[RA_CODE_MAX] = gi ? ra_realloc(out->ticker, cap * sizeof *gt) : NULL;
            if (!gt) {
                s->ops->reset(st);
                ra_free(out->id);
                ra_free(out->ticker);
                memset(out, 0, sizeof *out);
                return sq_nomem(err, "the security list");
            }
            out->ticker = gt;
        }
        out->id[out->n] = sq_int(s, st, 0);
        sq_copy(out->ticker[out->n], RA_CODE_MAX, sq_text(s, st, 1));
        out->n++;
    }
    s->ops->reset(st);
    if (r < 0) {
        ra_free(out->id);
        ra_free(out->ticker);
        memset(out, 0, sizeof *out);
        return sq_err(err);
    }
    return RA_OK;
}

static long sec_index(const sec_list *l, int64_t id)
{
    /* ids are not in ticker order: linear scan is fine for a firm's shelf; the snapshot uses a
     * sorted copy instead */
    for (size_t i = 0; i < l->n; i++)
        if (l->id[i] == id)
            return (long)i;
    return -1;
}

/* Quantity per security index of one ledger: qty[n_sec], zeroed by the caller. */
static void ledger_qty(const ra_ledger *l, const sec_list *secs, ra_micro *qty)
{
    for (size_t i = 0; i < l->n_lots; i++) {
        long k = sec_index(secs, l->lots[i].security);
        if (k >= 0)
            qty[k] += l->lots[i].qty_micro;
    }
}

/* Every account's ledger at as_of (replayed if not the latest); calls fn for each. */
typedef ra_status (*acct_fn)(void *ctx, const acct_brief *a, const ra_ledger *l, ra_err *err);

static ra_status each_account(ra_store *s, int64_t firm_id, ra_date as_of, acct_fn fn, void *ctx,
                              ra_err *err)
{
    acct_brief *v = NULL;
    size_t n = 0;
    ra_status rc = accounts_of(s, firm_id, &v, &n, err);
    for (size_t i = 0; i < n && rc == RA_OK; i++) {
        ra_ledger l;
        int64_t n_txns = 0;
        if (as_of == RA_STORE_DATE_LATEST) {
            rc = rs_ledger_load(s, v[i].id, &l, &n_txns, err);
        } else {
            rs_txn_list tl;
            ra_ledger_settings set;
            ra_ledger_settings_default(&set);
            set.minor_digits = v[i].minor_digits;
            rc = rs_txns_load(s, v[i].id, as_of, &tl, err);
            if (rc == RA_OK) {
                rc = ra_ledger_replay(tl.t, tl.n, &set, NULL, &l, err);
                rs_txns_free(&tl);
            }
        }
        if (rc != RA_OK)
            break;
        v[i].cash = l.cash_minor;
        rc = fn(ctx, &v[i], &l, err);
        ra_ledger_free(&l);
    }
    ra_free(v);
    return rc;
}

typedef struct holdings_ctx {
    sec_list secs;
    ra_micro *qty;
    ra_position *out;
    size_t n, cap;
} holdings_ctx;

static int push_pos(holdings_ctx *h, const char *account, const char *ticker, ra_micro q,
                    ra_minor cash)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 256;
        ra_position *g = ra_realloc(h->out, cap * sizeof *g);
        if (!g)
            return -1;
        h->out = g;
        h->cap = cap;
    }
    ra_position *p = &h->out[h->n++];
    memset(p, 0, sizeof *p);
    sq_copy(p->account, RA_CODE_MAX, account);
    sq_copy(p->ticker, RA_CODE_MAX, ticker);
    p->qty_micro = q;
    p->cash_minor = cash;
    return 0;
}

static ra_status holdings_fn(void *ctx, const acct_brief *a, const ra_ledger *l, ra_err *err)
{
    holdings_ctx *h = ctx;
    memset(h->qty, 0, (h->secs.n ? h->secs.n : 1) * sizeof *h->qty);
    ledger_qty(l, &h->secs, h->qty);
    if (push_pos(h, a->code, "", 0, l->cash_minor) != 0)
        return sq_nomem(err, "holdings");
    for (size_t k = 0; k < h->secs.n; k++)
        if (h->qty[k] && push_pos(h, a->code, h->secs.ticker[k], h->qty[k], 0) != 0)
            return sq_nomem(err, "holdings");
    return RA_OK;
}

ra_status ra_store_holdings(ra_store *s, const char *firm, ra_date as_of, ra_position **out,
                            size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    firm_row f;
    ra_status rc = sq_firm(s, firm, &f, err);
    holdings_ctx h;
    memset(&h, 0, sizeof h);
    if (rc == RA_OK)
        rc = securities_of(s, f.id, &h.secs, err);
    if (rc != RA_OK)
        return rc;
    h.qty = ra_calloc(h.secs.n ? h.secs.n : 1, sizeof *h.qty);
    rc = h.qty ? each_account(s, f.id, as_of, holdings_fn, &h, err) : sq_nomem(err, "holdings");
    ra_free(h.qty);
    ra_free(h.secs.id);
    ra_free(h.secs.ticker);
    if (rc != RA_OK) {
        ra_free(h.out);
        return rc;
    }
    *out = h.out;
    *n = h.n;
    return RA_OK;
}


