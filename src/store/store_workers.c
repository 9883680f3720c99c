/* roboadvisor store: several workers on one day of the cycle (include/roboadvisor/store_cycle.h,
 * schema src/store/migrations/0009_workers.sql). The batches of a firm's day are planned once,
 * under a lock on the firm's row, and claimed one at a time with FOR UPDATE SKIP LOCKED; a claim
 * lives as long as the claiming transaction, so a killed worker's batch is free again. */
#include "store/store_int.h"

#include <roboadvisor/store_cycle.h>
#include <roboadvisor/store_monitor.h>

#include <string.h>

#define WORKERS_SCHEMA 9
#define MONITOR_SCHEMA 14 /* 0014_monitor.sql */

static int is_pg(const ra_store *s) { return strcmp(s->ops->name, "postgresql") == 0; }

/* The statements of one kind of batches: the cycle's day (cycle_batches, keyed by the day) or an
 * intraday monitor run's (monitor_batches, keyed by the day and the snapshot's minute: its
 * statements take the minute as their last key parameter, which the cycle's formats leave out,
 * so one call passes the same arguments to either). */
typedef struct wk_sql {
    int version;
    const char *what;
    const char *count, *insert, *claim_pg, *claim_sq, *done;
    const char *key_fmt, *insert_fmt, *done_fmt;
} wk_sql;

static const wk_sql CYCLE_SQL = {
    WORKERS_SCHEMA, "the cycle's workers",
    "SELECT COUNT(*) FROM cycle_batches WHERE firm_id = ? AND day = ?",
    "INSERT INTO cycle_batches (firm_id, day, n, first_ix, end_ix, first_account, last_account) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)",
    "SELECT n, first_ix, end_ix, first_account, last_account FROM cycle_batches WHERE firm_id = ? "
    "AND day = ? AND done = 0 ORDER BY n LIMIT 1 FOR UPDATE SKIP LOCKED",
    "SELECT n, first_ix, end_ix, first_account, last_account FROM cycle_batches WHERE firm_id = ? "
    "AND day = ? AND done = 0 ORDER BY n LIMIT 1",
    "UPDATE cycle_batches SET done = 1, worker = ? WHERE firm_id = ? AND day = ? AND n = ?",
    "ii", "iiiiitt", "tiii"};

static const wk_sql MONITOR_SQL = {
    MONITOR_SCHEMA, "the monitor's workers",
    "SELECT COUNT(*) FROM monitor_batches WHERE firm_id = ? AND day = ? AND at_minute = ?",
    "INSERT INTO monitor_batches (firm_id, day, n, first_ix, end_ix, first_account, "
    "last_account, at_minute) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "SELECT n, first_ix, end_ix, first_account, last_account FROM monitor_batches WHERE firm_id "
    "= ? AND day = ? AND at_minute = ? AND done = 0 ORDER BY n LIMIT 1 FOR UPDATE SKIP LOCKED",
    "SELECT n, first_ix, end_ix, first_account, last_account FROM monitor_batches WHERE firm_id "
    "= ? AND day = ? AND at_minute = ? AND done = 0 ORDER BY n LIMIT 1",
    "UPDATE monitor_batches SET done = 1, worker = ? WHERE firm_id = ? AND day = ? AND n = ? AND "
    "at_minute = ?",
    "iii", "iiiiitti", "tiiii"};

/* The schema, the actor's firm, and an open transaction. */
static ra_status in_txn(ra_store *s, const wk_sql *q, const ra_store_actor *actor, firm_row *f,
                        ra_err *err)
{
    ra_status rc = sq_need_version(s, q->version, q->what, err);
    if (rc == RA_OK)
        rc = sq_write_start(s, actor, f, err);
    if (rc == RA_OK && !s->in_txn)
        rc = ra_err_set(err, RA_EINVAL, NULL, "the batches are planned and claimed inside a "
                        "transaction");
    return rc;
}

static ra_status plan_lock(ra_store *s, const wk_sql *q, const ra_store_actor *actor,
                           ra_date date, int at, int *planned, ra_err *err)
{
    *planned = 0;
    firm_row f;
    ra_status rc = in_txn(s, q, actor, &f, err);
    if (rc != RA_OK)
        return rc;
    /* NO KEY UPDATE: the planners queue, while the workers' inserts that reference the firm
     * (FOR KEY SHARE) go on */
    ra_db_stmt *st = sq_prep(s, is_pg(s) ? "SELECT id FROM firms WHERE id = ? FOR NO KEY UPDATE"
                                         : "SELECT id FROM firms WHERE id = ?", err);
    int64_t id = 0, n = 0;
    if (!st || sq_bind(s, st, err, "i", f.id) != RA_OK || sq_one(s, st, 0, &id, err) != RA_OK)
        return sq_err(err);
    st = sq_prep(s, q->count, err);
    if (!st || sq_bind(s, st, err, q->key_fmt, f.id, (int64_t)date, (int64_t)at) != RA_OK ||
        sq_one(s, st, 0, &n, err) != RA_OK)
        return sq_err(err);
    *planned = n > 0;
    return RA_OK;
}

static ra_status plan_put(ra_store *s, const wk_sql *q, const ra_store_actor *actor, ra_date date,
                          int at, const ra_cycle_batch *b, size_t n, ra_err *err)
{
    firm_row f;
    ra_status rc = in_txn(s, q, actor, &f, err);
    for (size_t i = 0; rc == RA_OK && i < n; i++) {
        ra_db_stmt *st = sq_prep(s, q->insert, err);
        if (!st || sq_bind(s, st, err, q->insert_fmt, f.id, (int64_t)date, b[i].n,
                           (int64_t)b[i].first_ix, (int64_t)b[i].end_ix, b[i].first_account,
                           b[i].last_account, (int64_t)at) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
    }
    return rc;
}

static ra_status batch_claim(ra_store *s, const wk_sql *q, const ra_store_actor *actor,
                             ra_date date, int at, ra_cycle_batch *out, int *found, ra_err *err)
{
    *found = 0;
    memset(out, 0, sizeof *out);
    firm_row f;
    ra_status rc = in_txn(s, q, actor, &f, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = NULL;
    int r = sq_query(s, &st, err, is_pg(s) ? q->claim_pg : q->claim_sq, q->key_fmt, f.id,
                     (int64_t)date, (int64_t)at);
    if (r < 0)
        return sq_err(err);
    if (r == RA_DB_ROW) {
        out->n = sq_int(s, st, 0);
        out->first_ix = (size_t)sq_int(s, st, 1);
        out->end_ix = (size_t)sq_int(s, st, 2);
        sq_copy(out->first_account, sizeof out->first_account, sq_text(s, st, 3));
        sq_copy(out->last_account, sizeof out->last_account, sq_text(s, st, 4));
        *found = 1;
        s->ops->reset(st);
    }
    return RA_OK;
}

static ra_status batch_done(ra_store *s, const wk_sql *q, const ra_store_actor *actor,
                            ra_date date, int at, int64_t n, const char *worker, ra_err *err)
{
    firm_row f;
    ra_status rc = in_txn(s, q, actor, &f, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = sq_prep(s, q->done, err);
    if (!st || sq_bind(s, st, err, q->done_fmt, worker ? worker : "", f.id, (int64_t)date, n,
                       (int64_t)at) != RA_OK ||
        sq_run(s, st, err) != RA_OK)
        return sq_err(err);
    return RA_OK;
}

ra_status ra_store_cycle_plan_lock(ra_store *s, const ra_store_actor *actor, ra_date date,
                                   int *planned, ra_err *err)
{
    return plan_lock(s, &CYCLE_SQL, actor, date, 0, planned, err);
}

ra_status ra_store_cycle_plan_put(ra_store *s, const ra_store_actor *actor, ra_date date,
                                  const ra_cycle_batch *b, size_t n, ra_err *err)
{
    return plan_put(s, &CYCLE_SQL, actor, date, 0, b, n, err);
}

ra_status ra_store_cycle_batch_claim(ra_store *s, const ra_store_actor *actor, ra_date date,
                                     ra_cycle_batch *out, int *found, ra_err *err)
{
    return batch_claim(s, &CYCLE_SQL, actor, date, 0, out, found, err);
}

ra_status ra_store_cycle_batch_done(ra_store *s, const ra_store_actor *actor, ra_date date,
                                    int64_t n, const char *worker, ra_err *err)
{
    return batch_done(s, &CYCLE_SQL, actor, date, 0, n, worker, err);
}

ra_status ra_store_monitor_plan_lock(ra_store *s, const ra_store_actor *actor, ra_date date,
                                     int at_minute, int *planned, ra_err *err)
{
    return plan_lock(s, &MONITOR_SQL, actor, date, at_minute, planned, err);
}

ra_status ra_store_monitor_plan_put(ra_store *s, const ra_store_actor *actor, ra_date date,
                                    int at_minute, const ra_cycle_batch *b, size_t n, ra_err *err)
{
    return plan_put(s, &MONITOR_SQL, actor, date, at_minute, b, n, err);
}

ra_status ra_store_monitor_batch_claim(ra_store *s, const ra_store_actor *actor, ra_date date,
                                       int at_minute, ra_cycle_batch *out, int *found,
                                       ra_err *err)
{
    return batch_claim(s, &MONITOR_SQL, actor, date, at_minute, out, found, err);
}

ra_status ra_store_monitor_batch_done(ra_store *s, const ra_store_actor *actor, ra_date date,
                                      int at_minute, int64_t n, const char *worker, ra_err *err)
{
    return batch_done(s, &MONITOR_SQL, actor, date, at_minute, n, worker, err);
}

ra_status ra_store_cycle_day_counts(ra_store *s, const char *firm, ra_date date, int64_t *left,
                                    int64_t *proposals, int64_t *orders, ra_err *err)
{
    *left = -1;
    *proposals = *orders = 0;
    firm_row f;
    ra_status rc = sq_need_version(s, WORKERS_SCHEMA, "the cycle's workers", err);
    if (rc == RA_OK)
        rc = sq_firm(s, firm, &f, err);
    if (rc != RA_OK)
        return rc;
    int64_t all = 0, open = 0;
    ra_db_stmt *st = sq_prep(s, "SELECT COUNT(*), COALESCE(SUM(1 - done), 0) FROM cycle_batches "
                                "WHERE firm_id = ? AND day = ?", err);
    int r;
    if (!st || sq_bind(s, st, err, "ii", f.id, (int64_t)date) != RA_OK ||
        (r = s->ops->step(st, err)) < 0)
        return sq_err(err);
    if (r == RA_DB_ROW) {
        all = sq_int(s, st, 0);
        open = sq_int(s, st, 1);
    }
    s->ops->reset(st);
    *left = all ? open : -1;
    st = sq_prep(s, "SELECT COUNT(*) FROM proposals WHERE firm_id = ? AND day = ? AND "
                    "supersedes = ''", err);
    if (!st || sq_bind(s, st, err, "ii", f.id, (int64_t)date) != RA_OK ||
        sq_one(s, st, 0, proposals, err) != RA_OK)
        return sq_err(err);
    st = sq_prep(s, "SELECT COUNT(*) FROM orders o JOIN proposals p ON p.id = o.proposal_id "
                    "WHERE o.firm_id = ? AND o.day = ? AND p.supersedes = ''", err);
    if (!st || sq_bind(s, st, err, "ii", f.id, (int64_t)date) != RA_OK ||
        sq_one(s, st, 0, orders, err) != RA_OK)
        return sq_err(err);
    return RA_OK;
}
