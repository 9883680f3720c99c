/* roboadvisor store: transactions, applied to the persisted ledgers (store.h). */
#include "store/store_int.h"

#include "roboadvisor/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- transactions ---------------------------------------------------------------------------- */

/* Picks and lots in as canonical text, stored with the transaction ("p;7:1000000",
 * "l;12:18000:1000000:50000": security id, acquired, quantity, basis). */
char *rs_txn_detail(const ra_store_txn *t, const int64_t *lot_sec)
{
    /* a pick is at most ";" + 20 + ":" + 20 bytes, a lot ";" + 20 + 3 * (":" + 20) */
    size_t cap = 4 + 42 * t->n_picks + 84 * t->n_lots_in, k = 0;
    char *b = ra_malloc(cap);
    if (!b)
        return NULL;
    b[0] = 0;
    if (t->n_picks) {
        k += (size_t)snprintf(b + k, cap - k, "p");
        for (size_t i = 0; i < t->n_picks; i++)
            k += (size_t)snprintf(b + k, cap - k, ";%llu:%lld",
                                  (unsigned long long)t->picks[i].lot_id,
                                  (long long)t->picks[i].qty_micro);
    }
    if (t->n_lots_in) {
        k += (size_t)snprintf(b + k, cap - k, t->n_picks ? "|l" : "l");
        for (size_t i = 0; i < t->n_lots_in; i++)
            k += (size_t)snprintf(b + k, cap - k, ";%lld:%lld:%lld:%lld", (long long)lot_sec[i],
                                  (long long)t->lots_in[i].acquired,
                                  (long long)t->lots_in[i].qty_micro,
                                  (long long)t->lots_in[i].basis_minor);
    }
    return b;
}

static ra_status parse_detail(const char *d, ra_txn *t, rs_txn_mem *m, ra_err *err)
{
    size_t n_p = 0, n_l = 0;
    for (const char *p = d; *p; p++)
        if (*p == ';')
            n_p++;
    m->picks = NULL;
    m->lots = NULL;
    if (!n_p)
        return RA_OK;
    m->picks = ra_calloc(n_p, sizeof *m->picks);
    m->lots = ra_calloc(n_p, sizeof *m->lots);
    if (!m->picks || !m->lots) {
        ra_free(m->picks);
        ra_free(m->lots);
        m->picks = NULL;
        m->lots = NULL;
        return sq_nomem(err, "a transaction");
    }
    int mode = 0;
    n_p = 0;
    for (const char *p = d; *p;) {
        if (*p == 'p' || *p == 'l') {
            mode = *p++;
            continue;
        }
        if (*p == '|') {
            p++;
            continue;
        }
        if (*p != ';')
            return ra_err_set(err, RA_EINTERNAL, NULL, "stored transaction detail is damaged");
        p++;
        char *e;
        if (mode == 'p') {
            m->picks[n_p].lot_id = strtoull(p, &e, 10);
            m->picks[n_p].qty_micro = *e == ':' ? strtoll(e + 1, &e, 10) : 0;
            n_p++;
        } else {
            ra_lot *l = &m->lots[n_l++];
            l->security = (uint32_t)strtoul(p, &e, 10);
            l->acquired = *e == ':' ? (ra_date)strtol(e + 1, &e, 10) : 0;
            l->qty_micro = *e == ':' ? strtoll(e + 1, &e, 10) : 0;
            l->basis_minor = *e == ':' ? strtoll(e + 1, &e, 10) : 0;
        }
        p = e;
    }
    t->picks = m->picks;
    t->n_picks = n_p;
    t->lots_in = m->lots;
    t->n_lots_in = n_l;
    return RA_OK;
}

typedef struct acct_work {
    int64_t id;
    char code[RA_CODE_MAX];
    ra_ledger l;
    int64_t n_txns;
    char *before;   /* the ledger before the batch (JSON) */
    rs_jw appended; /* the transactions this batch appended to the account, in order */
    int dirty;
} acct_work;

/* One transaction as a member of the account's append record (rs_jw: written by the hundred
 * thousand on a cycle day). */
static void txn_jw(rs_jw *w, const ra_store_txn *t, const char *detail)
{
    char ds[11];
    rs_jw_open(w, NULL, '{');
    rs_jw_str(w, "account", t->account);
    rs_jw_str(w, "external_id", t->external_id);
    rs_jw_str(w, "kind", ra_ledger_kind_name(t->kind));
    rs_jw_str(w, "date", ra_date_format(t->date, ds));
    rs_jw_str(w, "ticker", t->ticker);
    rs_jw_int(w, "qty_micro", t->qty_micro);
    rs_jw_int(w, "price", t->price);
    rs_jw_int(w, "amount_minor", t->amount_minor);
    rs_jw_int(w, "fees_minor", t->fees_minor);
    rs_jw_int(w, "relief", t->relief);
    rs_jw_int(w, "split_num", t->split.num);
    rs_jw_int(w, "split_den", t->split.den);
    rs_jw_str(w, "detail", detail);
    rs_jw_close(w, '}');
}

static void where_txn(ra_err *err, const ra_store_txn *t)
{
    if (!err)
        return;
    char paren[96] = "";
    const char *p = strchr(err->where, '(');
    if (p)
        snprintf(paren, sizeof paren, " %.90s", p);
    snprintf(err->where, sizeof err->where, "account %.32s transaction %.32s%.40s", t->account,
             t->external_id, paren);
}

static ra_status txn_one(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                         rs_tmap *accts, rs_tmap *secs, acct_work **work, size_t *n_work,
                         size_t *cap_work, const ra_store_txn *t, ra_store_txn_stats *stats,
                         ra_err *err)
{
    ra_status rc = sq_check_code(t->account, "account code", 1, err);
    if (rc == RA_OK)
        rc = sq_check_str(t->external_id, RA_STORE_EXTID_MAX, "external id", 1, err);
    if (rc == RA_OK)
        rc = sq_check_code(t->ticker, "ticker", 0, err);
    if (rc != RA_OK)
        return rc;
    /* the account's working state */
    rs_tslot *sl = rs_tmap_find(accts, t->account);
    acct_work *w;
    if (sl) {
        w = &(*work)[sl->id];
    } else {
        int64_t id = 0;
        rc = sq_code_id(s, SQ_ACCOUNT_ID, firm->id, t->account, &id, err);
        if (rc == RA_OK && !id)
            rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no account %s in firm %s", t->account,
                            actor->firm);
        if (rc != RA_OK)
            return rc;
        if (*n_work == *cap_work) {
            size_t cap = *cap_work ? 2 * *cap_work : 8;
            acct_work *g = ra_realloc(*work, cap * sizeof *g);
            if (!g)
                return sq_nomem(err, "the batch");
            *work = g;
            *cap_work = cap;
        }
        w = &(*work)[*n_work];
        memset(w, 0, sizeof *w);
        w->id = id;
        sq_copy(w->code, RA_CODE_MAX, t->account);
        if ((rc = rs_ledger_load(s, id, &w->l, &w->n_txns, err)) != RA_OK)
            return rc;
        (*n_work)++;
        rs_jw jb = {0};
        rs_ledger_jw(&jb, NULL, &w->l);
        w->before = rs_jw_done(&jb);
        if (!w->before)
            return sq_nomem(err, "an audit record");
        if (rs_tmap_put(accts, t->account, (int64_t)(*n_work - 1)) != 0)
            return sq_nomem(err, "the batch");
    }
    int64_t sec = 0;
    if (t->ticker[0]) {
        rc = rs_ticker_id(s, actor, secs, firm, t->ticker, 0, NULL, &sec, err);
        if (rc == RA_OK && !sec)
            rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no security %s in firm %s", t->ticker,
                            actor->firm);
        if (rc != RA_OK) {
            where_txn(err, t);
            return rc;
        }
    }
    int64_t *lot_sec = NULL;
    ra_lot *lots = NULL;
    if (t->n_lots_in) {
        lot_sec = ra_calloc(t->n_lots_in, sizeof *lot_sec);
        lots = ra_calloc(t->n_lots_in, sizeof *lots);
        if (!lot_sec || !lots)
            rc = sq_nomem(err, "lots");
        for (size_t i = 0; i < t->n_lots_in && rc == RA_OK; i++) {
            rc = rs_ticker_id(s, actor, secs, firm, t->lots_in[i].ticker, 0, NULL, &lot_sec[i], err);
            if (rc == RA_OK && !lot_sec[i])
                rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no security %s in firm %s",
                                t->lots_in[i].ticker, actor->firm);
            if (rc == RA_OK) {
                lots[i].security = (uint32_t)lot_sec[i];
                lots[i].acquired = t->lots_in[i].acquired;
                lots[i].qty_micro = t->lots_in[i].qty_micro;
                lots[i].basis_minor = t->lots_in[i].basis_minor;
            }
        }
    }
    char *detail = NULL;
    if (rc == RA_OK) {
        detail = rs_txn_detail(t, lot_sec);
        if (!detail)
            rc = sq_nomem(err, "a transaction");
    }
    /* idempotency: the same external id again */
    ra_db_stmt *st = rc == RA_OK ? sq_prep(s, "SELECT kind, day, COALESCE(security_id, 0), qty_micro, "
                                        "price, amount_minor, fees_minor, relief, split_num, "
                                        "split_den, detail FROM txns WHERE account_id = ? AND "
                                        "external_id = ?", err)
                                 : NULL;
    int found = 0;
    if (rc == RA_OK && (!st || sq_bind(s, st, err, "it", w->id, t->external_id) != RA_OK))
        rc = sq_err(err);
    if (rc == RA_OK) {
        int r = s->ops->step(st, err);
        if (r < 0)
            rc = sq_err(err);
        else if (r == RA_DB_ROW) {
            found = 1;
            int same = sq_int(s, st, 0) == t->kind && sq_int(s, st, 1) == t->date &&
                       sq_int(s, st, 2) == sec && sq_int(s, st, 3) == t->qty_micro &&
                       sq_int(s, st, 4) == t->price && sq_int(s, st, 5) == t->amount_minor &&
                       sq_int(s, st, 6) == t->fees_minor && sq_int(s, st, 7) == (int64_t)t->relief &&
                       sq_int(s, st, 8) == t->split.num && sq_int(s, st, 9) == t->split.den &&
                       strcmp(sq_text(s, st, 10), detail) == 0;
            if (same)
                stats->unchanged++;
            else
                rc = ra_err_set(err, RA_ECONFLICT, NULL, "already stored with different "
                                "content");
        }
        s->ops->reset(st);
    }
    if (rc == RA_OK && !found) {
        ra_txn x;
        ra_store_txn_ledger(t, (uint64_t)(w->n_txns + 1), (uint32_t)sec, &x);
        x.lots_in = lots;
        x.n_lots_in = t->n_lots_in;
        ra_txn_result res;
        memset(&res, 0, sizeof res);
        rc = ra_ledger_apply(&w->l, &x, &res, err);
        /* a sale's realised gain on the book's basis (the cycle's wash-sale windows); NULL for
         * other kinds, and for a sale that realised exactly 0 (neither a loss nor a gain) */
        int64_t gain = t->kind == RA_TXN_SELL ? res.gain_short_minor + res.gain_long_minor : 0;
        if (rc == RA_OK) {
            st = sq_prep(s, "INSERT INTO txns (account_id, seq, external_id, kind, day, security_id, "
                      "qty_micro, price, amount_minor, fees_minor, relief, split_num, split_den, "
                      "detail, gain_minor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         err);
            if (!st || sq_bind(s, st, err, "iitiiNiiiiiiitN", w->id, w->n_txns + 1, t->external_id,
                             (int64_t)t->kind, (int64_t)t->date, sec, t->qty_micro, t->price,
                             t->amount_minor, t->fees_minor, (int64_t)t->relief, t->split.num,
                             t->split.den, detail, gain) != RA_OK ||
                sq_run(s, st, err) != RA_OK)
                rc = sq_err(err);
        }
        if (rc == RA_OK) {
            w->n_txns++;
            w->dirty = 1;
            stats->applied++;
            if (!w->appended.depth)
                rs_jw_open(&w->appended, NULL, '[');
            txn_jw(&w->appended, t, detail);
            if (w->appended.failed)
                rc = sq_nomem(err, "an audit record");
        }
    }
    if (rc != RA_OK)
        where_txn(err, t);
    ra_free(detail);
    ra_free(lot_sec);
    ra_free(lots);
    return rc;
}

ra_status ra_store_txn_append(ra_store *s, const ra_store_actor *actor, const ra_store_txn *txns,
                              size_t n, ra_store_txn_stats *stats, ra_err *err)
{
    ra_store_txn_stats local;
    sq_writer wr;
    ra_status rc = sq_write_begin(s, actor, n, stats, &local, sizeof local, &wr, err);
    if (rc != RA_OK || !wr.opened)
        return rc;
    /* Take the audit head's lock before reading any account: concurrent appends to the same
     * accounts then run one after the other and each reads the other's committed ledger and
     * sequence numbers (PostgreSQL, read committed; SQLite holds the write lock already). Without
     * it both read the same n_txns and the second failed on txns (account_id, seq). Issue 10. */
    rc = rs_head_get(s, err);
    if (rc != RA_OK)
        return sq_write_end(s, &wr, rc, err);
    rs_tmap accts = {0}, secs = {0};
    acct_work *work = NULL;
    size_t n_work = 0, cap_work = 0;
    for (size_t i = 0; i < n && rc == RA_OK; i++)
        rc = txn_one(s, actor, &wr.firm, &accts, &secs, &work, &n_work, &cap_work, &txns[i],
                     wr.stats, err);
    /* write back every changed account in the same transaction: one audit record of the
     * transactions appended to it (in order, as an array) and one of its ledger before and after,
     * with the state images of its account, lots and transactions */
    for (size_t i = 0; i < n_work; i++) {
        acct_work *w = &work[i];
        if (rc == RA_OK && w->dirty) {
            rs_jw_close(&w->appended, ']');
            rc = rs_audit_text(s, rc, actor, "append", "transactions", w->code, 0, NULL,
                               rs_jw_done(&w->appended), err);
            if (rc == RA_OK)
                rc = rs_ledger_save(s, w->id, &w->l, err);
            rs_jw ja = {0};
            rs_ledger_jw(&ja, NULL, &w->l);
            rc = rs_audit_text(s, rc, actor, "update", "lots", w->code, 1, w->before,
                               rs_jw_done(&ja), err);
            w->before = NULL;
        }
        ra_ledger_free(&w->l);
        ra_free(w->before);
        ra_free(rs_jw_done(&w->appended));
    }
    ra_free(work);
    ra_free(accts.slots);
    ra_free(secs.slots);
    return sq_write_end(s, &wr, rc, err);
}

ra_status ra_store_txn_count(ra_store *s, const char *firm, const char *account, uint64_t *n,
                             ra_err *err)
{
    int64_t id = 0;
    ra_status rc = sq_firm_code_id(s, firm, SQ_ACCOUNT_ID, account, "account", &id, err);
    if (rc != RA_OK)
        return rc;
    int64_t v = 0;
    rc = sq_count(s, "SELECT COUNT(*) FROM txns WHERE account_id = ?", id, &v, err);
    *n = (uint64_t)v;
    return rc;
}

/* An account's transactions in order, as ledger transactions (ids = seq). as_of filters by date.
 * Free with txns_free. */
void rs_txns_free(rs_txn_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        ra_free(l->m[i].picks);
        ra_free(l->m[i].lots);
    }
    ra_free(l->t);
    ra_free(l->m);
    memset(l, 0, sizeof *l);
}

ra_status rs_txns_load(ra_store *s, int64_t account_id, ra_date as_of, rs_txn_list *out,
                           ra_err *err)
{
    memset(out, 0, sizeof *out);
    ra_db_stmt *st = sq_prep(s, "SELECT seq, kind, day, COALESCE(security_id, 0), qty_micro, price, "
                          "amount_minor, fees_minor, relief, split_num, split_den, detail "
                          "FROM txns WHERE account_id = ? AND day <= ? ORDER BY seq", err);
    if (!st || sq_bind(s, st, err, "ii", account_id, (int64_t)as_of) != RA_OK)
        return sq_err(err);
    size_t cap = 0;
    ra_status rc = RA_OK;
    int r = 0;
    while (rc == RA_OK && (r = s->ops->step(st, err)) == RA_DB_ROW) {
        if (out->n == cap) {
            cap = cap ? 2 * cap : 16;
            ra_txn *gt = ra_realloc(out->t, cap * sizeof *gt);
            if (gt)
                out->t = gt;
            rs_txn_mem *gm = gt ? ra_realloc(out->m, cap * sizeof *gm) : NULL;
            if (!gm) {
                rc = sq_nomem(err, "transactions");
                break;
            }
            out->m = gm;
        }
        ra_txn *x = &out->t[out->n];
        memset(x, 0, sizeof *x);
        x->id = (uint64_t)sq_int(s, st, 0);
        x->kind = (ra_txn_kind)sq_int(s, st, 1);
        x->date = (ra_date)sq_int(s, st, 2);
        x->security = (uint32_t)sq_int(s, st, 3);
        x->qty_micro = sq_int(s, st, 4);
        x->price = sq_int(s, st, 5);
        x->amount_minor = sq_int(s, st, 6);
        x->fees_minor = sq_int(s, st, 7);
        x->relief = (ra_relief)sq_int(s, st, 8);
        x->split.num = sq_int(s, st, 9);
        x->split.den = sq_int(s, st, 10);
        rc = parse_detail(sq_text(s, st, 11), x, &out->m[out->n], err);
        if (rc == RA_OK)
            out->n++;
    }
    s->ops->reset(st);
    if (rc == RA_OK && r < 0)
        rc = sq_err(err);
    if (rc != RA_OK)
        rs_txns_free(out);
    return rc;
}


ra_status ra_store_account_txns(ra_store *s, const char *firm, const char *code, ra_date as_of,
                                ra_txn **out, size_t *n, int *minor_digits, ra_err *err)
{
    *out = NULL;
    *n = 0;
    firm_row f;
    ra_status rc = sq_firm(s, firm, &f, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st;
    int r = sq_query(s, &st, err, "SELECT id, minor_digits FROM accounts WHERE firm_id = ? AND "
                     "code = ?",
                     "it", f.id, code);
    if (r != RA_DB_ROW)
        return r < 0 ? sq_err(err)
                     : ra_err_set(err, RA_ENOTFOUND, NULL, "no account %s in firm %s", code, firm);
    int64_t id = sq_int(s, st, 0);
    if (minor_digits)
        *minor_digits = (int)sq_int(s, st, 1);
    s->ops->reset(st);
    rs_txn_list tl;
    if ((rc = rs_txns_load(s, id, as_of, &tl, err)) != RA_OK)
        return rc;
    /* one block: the transactions, then every pick, then every lot in */
    size_t np = 0, nl = 0;
    for (size_t i = 0; i < tl.n; i++) {
        np += tl.t[i].n_picks;
        nl += tl.t[i].n_lots_in;
    }
    size_t bytes = tl.n * sizeof(ra_txn) + np * sizeof(ra_lot_pick) + nl * sizeof(ra_lot);
    char *blk = ra_malloc(bytes ? bytes : 1);
    if (!blk) {
        rs_txns_free(&tl);
        return sq_nomem(err, "transactions");
    }
    ra_txn *t = (ra_txn *)(void *)blk;
    ra_lot_pick *picks = (ra_lot_pick *)(void *)(blk + tl.n * sizeof(ra_txn));
    ra_lot *lots = (ra_lot *)(void *)(blk + tl.n * sizeof(ra_txn) + np * sizeof(ra_lot_pick));
    for (size_t i = 0; i < tl.n; i++) {
        t[i] = tl.t[i];
        if (t[i].n_picks) {
            memcpy(picks, tl.t[i].picks, t[i].n_picks * sizeof *picks);
            t[i].picks = picks;
            picks += t[i].n_picks;
        }
        if (t[i].n_lots_in) {
            memcpy(lots, tl.t[i].lots_in, t[i].n_lots_in * sizeof *lots);
            t[i].lots_in = lots;
            lots += t[i].n_lots_in;
        }
    }
    *n = tl.n;
    *out = t;
    rs_txns_free(&tl);
    return RA_OK;
}

void ra_store_txn_ledger(const ra_store_txn *t, uint64_t id, uint32_t security, ra_txn *out)
{
    *out = (ra_txn){.kind = t->kind, .id = id, .date = t->date, .security = security,
                    .qty_micro = t->qty_micro, .price = t->price, .amount_minor = t->amount_minor,
                    .fees_minor = t->fees_minor, .relief = t->relief, .picks = t->picks,
                    .n_picks = t->n_picks, .split = t->split};
}
