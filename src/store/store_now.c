/* roboadvisor store: an account's current state, read from what the ledger's writes keep
 * (include/roboadvisor/store_now.h): the accounts row (cash) and its lots, no replay. Three cached
 * statements: the account with its latest transaction and valued days, its latest pending
 * proposal, then its lots summed by security. */
#include "store/store_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/store_now.h>

#include <string.h>

static void pos_row(ra_store *s, ra_db_stmt *st, void *out)
{
    ra_store_position_now *p = out;
    sq_copy(p->ticker, sizeof p->ticker, sq_text(s, st, 0));
    sq_copy(p->asset_class, sizeof p->asset_class, sq_text(s, st, 1));
    p->qty_micro = sq_int(s, st, 2);
}

/* The account's row: v = id, cash, minor digits, latest transaction day, latest valued day. One
 * statement, by the (firm_id, code) index and the two primary keys. */
static ra_status account_row(ra_store *s, const char *firm, const char *account, int64_t v[5],
                             ra_err *err)
{
    ra_status rc = sq_need_schema(s, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st;
    int r = sq_query(s, &st, err,
                     "SELECT a.id, a.cash_minor, a.minor_digits, "
                     "COALESCE((SELECT MAX(t.day) FROM txns t WHERE t.account_id = a.id), 0), "
                     "COALESCE((SELECT MAX(v.day) FROM daily_values v WHERE v.account_id = a.id), "
                     "0) FROM accounts a JOIN firms f ON f.id = a.firm_id "
                     "WHERE f.code = ? AND a.code = ?",
                     "tt", firm, account);
    if (r < 0)
        return sq_err(err);
    if (r == RA_DB_DONE)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no account %s in firm %s", account, firm);
    for (int i = 0; i < 5; i++)
        v[i] = sq_int(s, st, i);
    s->ops->reset(st);
    return RA_OK;
}

ra_status ra_store_account_now_get(ra_store *s, const char *firm, const char *account,
                                   ra_date today, ra_store_account_now *out, ra_err *err)
{
    memset(out, 0, sizeof *out);
    int64_t v[5];
    ra_status rc = account_row(s, firm, account, v, err);
    if (rc != RA_OK)
        return rc;
    int64_t id = v[0];
    out->cash_minor = v[1];
    out->minor_digits = (int)v[2];
    out->last_txn_day = (ra_date)v[3];
    out->last_valued_day = (ra_date)v[4];
    out->date = out->last_valued_day ? out->last_valued_day : today;
    /* the latest (day, code) of the pending ones on or before the day: by proposals_account */
    ra_db_stmt *st;
    int r = sq_query(s, &st, err,
                     "SELECT code FROM proposals WHERE account_id = ? AND status = 'pending' AND "
                     "day <= ? ORDER BY day DESC, code DESC LIMIT 1",
                     "ii", id, (int64_t)out->date);
    if (r < 0)
        return sq_err(err);
    if (r == RA_DB_ROW)
        sq_copy(out->proposal, sizeof out->proposal, sq_text(s, st, 0));
    s->ops->reset(st);
    return ra_store_account_positions(s, firm, account, &out->pos, &out->n, err);
}

ra_status ra_store_account_positions(ra_store *s, const char *firm, const char *account,
                                     ra_store_position_now **pos, size_t *n, ra_err *err)
{
    *pos = NULL;
    *n = 0;
    ra_db_stmt *st = sq_prep(s,
                             "SELECT x.ticker, x.asset_class, SUM(l.qty_micro) FROM accounts a "
                             "JOIN firms f ON f.id = a.firm_id JOIN lots l ON l.account_id = a.id "
                             "JOIN securities x ON x.id = l.security_id "
                             "WHERE f.code = ? AND a.code = ? "
                             "GROUP BY x.ticker, x.asset_class ORDER BY x.ticker",
                             err);
    if (st && sq_bind(s, st, err, "tt", firm, account) != RA_OK)
        return sq_err(err);
    void *v = NULL;
    ra_status rc = sq_rows(s, st, &v, n, sizeof **pos, 16, "the positions", pos_row, err);
    *pos = v;
    return rc;
}

ra_status ra_store_account_version(ra_store *s, const char *firm, const char *account,
                                   int64_t *head, ra_date *last_valued, ra_err *err)
{
    /* not account_row: its latest transaction day reads every transaction of the account, and
     * this runs on every cached summary */
    *last_valued = 0;
    ra_status rc = head ? ra_store_book_version(s, head, err) : sq_need_schema(s, err);
    ra_db_stmt *st = rc == RA_OK ? sq_prep(s,
                                           "SELECT COALESCE((SELECT MAX(v.day) FROM daily_values "
                                           "v WHERE v.account_id = a.id), 0) FROM accounts a "
                                           "JOIN firms f ON f.id = a.firm_id WHERE f.code = ? AND "
                                           "a.code = ?",
                                           err)
                                 : NULL;
    if (!st || sq_bind(s, st, err, "tt", firm, account) != RA_OK)
        return sq_err(err);
    int64_t day = -1;
    if (sq_one(s, st, -1, &day, err) != RA_OK)
        return sq_err(err);
    if (day < 0)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no account %s in firm %s", account, firm);
    *last_valued = (ra_date)day;
    return RA_OK;
}

ra_status ra_store_book_version(ra_store *s, int64_t *head, ra_err *err)
{
    *head = 0;
    ra_status rc = sq_need_schema(s, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = sq_prep(s, "SELECT seq FROM audit_head WHERE id = 1", err);
    return st ? sq_one(s, st, 0, head, err) : sq_err(err);
}
