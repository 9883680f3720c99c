/* roboadvisor store: the intraday monitor's records (include/roboadvisor/store_monitor.h, schema
 * src/store/migrations/0014_monitor.sql). Its decisions are written by the cycle's own writer
 * (rs_day_decisions_put, store_cycle.c): proposals, orders and the risk records. */
#include "store/store_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/store_monitor.h>

#include <stdio.h>
#include <string.h>

#define MONITOR_SCHEMA 14

static ra_status monitor_firm(ra_store *s, const char *firm, firm_row *f, ra_err *err)
{
    ra_status rc = sq_need_version(s, MONITOR_SCHEMA, "the intraday monitor", err);
    return rc == RA_OK ? sq_firm(s, firm, f, err) : rc;
}

static ra_status run_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    (void)err;
    ra_monitor_run_rec *r = ctx;
    sq_copy(r->snapshot_hash, sizeof r->snapshot_hash, sq_text(s, st, 0));
    r->prices = sq_int(s, st, 1);
    r->accounts = sq_int(s, st, 2);
    r->firings = sq_int(s, st, 3);
    r->proposals = sq_int(s, st, 4);
    r->orders = sq_int(s, st, 5);
    r->suspended = sq_int(s, st, 6);
    r->finished = (int)sq_int(s, st, 7);
    r->date = (ra_date)-1; /* found */
    return RA_OK;
}

ra_status ra_store_monitor_run_get(ra_store *s, const char *firm, ra_date date, int at_minute,
                                   ra_monitor_run_rec *out, int *found, ra_err *err)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    firm_row f;
    ra_status rc = monitor_firm(s, firm, &f, err);
    if (rc == RA_OK)
        rc = sq_each(s, err, run_row, out, "SELECT snapshot_hash, prices, accounts, firings, "
                     "proposals, orders, suspended, finished FROM monitor_runs WHERE firm_id = ? "
                     "AND day = ? AND at_minute = ?", "iii", f.id, (int64_t)date,
                     (int64_t)at_minute);
    *found = out->date == (ra_date)-1;
    out->date = date;
    out->at_minute = at_minute;
    return rc;
}

ra_status ra_store_monitor_run_put(ra_store *s, const ra_store_actor *actor,
                                   const ra_monitor_run_rec *r, ra_err *err)
{
    firm_row firm;
    ra_status rc = sq_need_version(s, MONITOR_SCHEMA, "the intraday monitor", err);
    if (rc == RA_OK)
        rc = sq_put_begin(s, actor, RA_OK, &firm, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = sq_prep(s, "DELETE FROM monitor_runs WHERE firm_id = ? AND day = ? AND "
                                "at_minute = ?", err);
    if (!st || sq_bind(s, st, err, "iii", firm.id, (int64_t)r->date, (int64_t)r->at_minute) !=
                   RA_OK ||
        sq_run(s, st, err) != RA_OK)
        rc = sq_err(err);
    if (rc == RA_OK) {
        st = sq_prep(s, "INSERT INTO monitor_runs (firm_id, day, at_minute, snapshot_hash, "
                        "prices, accounts, firings, proposals, orders, suspended, finished) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
        if (!st || sq_bind(s, st, err, "iiitiiiiiii", firm.id, (int64_t)r->date,
                           (int64_t)r->at_minute, r->snapshot_hash, r->prices, r->accounts,
                           r->firings, r->proposals, r->orders, r->suspended,
                           (int64_t)r->finished) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
    }
    if (rc == RA_OK) {
        char db[11], id[32];
        snprintf(id, sizeof id, "%s@%02d:%02d", ra_date_format(r->date, db),
                 r->at_minute / 60 % 100, r->at_minute % 60);
        json_t *o = json_pack("{s:s, s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:b}", "date", db,
                              "at_minute", r->at_minute, "snapshot_hash", r->snapshot_hash,
                              "prices", (json_int_t)r->prices, "accounts",
                              (json_int_t)r->accounts, "firings", (json_int_t)r->firings,
                              "proposals", (json_int_t)r->proposals, "orders",
                              (json_int_t)r->orders, "suspended", (json_int_t)r->suspended,
                              "finished", r->finished);
        rc = rs_audit_change(s, rc, actor, r->finished ? "finish" : "start", "monitor", id, NULL,
                             o, err);
    }
    return sq_wend(s, rc, err);
}

typedef struct state_ctx {
    int64_t *susp;
    size_t n_susp, cap_susp;
    ra_monitor_fired *fired;
    size_t n_fired, cap_fired;
} state_ctx;

static ra_status susp_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    state_ctx *c = ctx;
    if (ra_grow((void **)&c->susp, &c->cap_susp, c->n_susp + 1, sizeof *c->susp))
        return sq_nomem(err, "the day's suspensions");
    c->susp[c->n_susp++] = sq_int(s, st, 0);
    return RA_OK;
}

static ra_status fired_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    state_ctx *c = ctx;
    if (ra_grow((void **)&c->fired, &c->cap_fired, c->n_fired + 1, sizeof *c->fired))
        return sq_nomem(err, "the day's firings");
    ra_monitor_fired *x = &c->fired[c->n_fired++];
    x->account_id = sq_int(s, st, 0);
    sq_copy(x->rule, sizeof x->rule, sq_text(s, st, 1));
    return RA_OK;
}

ra_status ra_store_monitor_day_state(ra_store *s, const char *firm, ra_date date, int64_t **susp,
                                     size_t *n_susp, ra_monitor_fired **fired, size_t *n_fired,
                                     ra_err *err)
{
    *susp = NULL;
    *fired = NULL;
    *n_susp = *n_fired = 0;
    state_ctx c;
    memset(&c, 0, sizeof c);
    firm_row f;
    ra_status rc = monitor_firm(s, firm, &f, err);
    if (rc == RA_OK)
        rc = sq_each(s, err, susp_row, &c, "SELECT DISTINCT x.account_id FROM suspensions x JOIN "
                     "accounts a ON a.id = x.account_id WHERE a.firm_id = ? AND x.day = ? AND "
                     "x.reauthorised_by = '' ORDER BY x.account_id", "ii", f.id, (int64_t)date);
    if (rc == RA_OK)
        rc = sq_each(s, err, fired_row, &c, "SELECT x.account_id, x.rule FROM rule_firings x "
                     "JOIN accounts a ON a.id = x.account_id WHERE a.firm_id = ? AND x.day = ? "
                     "ORDER BY x.account_id, x.rule", "ii", f.id, (int64_t)date);
    if (rc != RA_OK) {
        RA_FREE_ALL(c.susp, c.fired);
        return rc;
    }
    *susp = c.susp;
    *n_susp = c.n_susp;
    *fired = c.fired;
    *n_fired = c.n_fired;
    return RA_OK;
}

ra_status ra_store_monitor_put(ra_store *s, const ra_store_actor *actor,
                               const ra_cycle_account_day *days, size_t n, ra_err *err)
{
    firm_row firm;
    int own = 0;
    ra_status rc = sq_scope_write_begin(s, actor, MONITOR_SCHEMA, "the intraday monitor", &firm,
                                        &own, err);
    if (rc != RA_OK)
        return rc;
    for (size_t i = 0; i < n && rc == RA_OK; i++) {
        int64_t acc = days[i].account_id;
        if (acc <= 0)
            rc = sq_id_of(s, SQ_ACCOUNT_ID, firm.id, days[i].value.account, "account", &acc, err);
        if (rc == RA_OK)
            rc = rs_day_decisions_put(s, actor, firm.id, NULL, acc, &days[i], err);
        if (rc != RA_OK && !err->where[0])
            snprintf(err->where, sizeof err->where, "account %s", days[i].value.account);
    }
    return ra_store_scope_end(s, own, rc, err);
}

ra_status ra_store_monitor_counts(ra_store *s, const char *firm, ra_date date, int at_minute,
                                  ra_monitor_run_rec *r, int64_t *left, ra_err *err)
{
    firm_row f;
    ra_status rc = monitor_firm(s, firm, &f, err);
    if (rc != RA_OK)
        return rc;
    char like[16];
    snprintf(like, sizeof like, "%%-m%02d%02d", at_minute / 60 % 100, at_minute % 60);
    const int64_t d = date, at = at_minute;
    ra_db_stmt *st = sq_prep(s, "SELECT COUNT(*) FROM rule_firings x JOIN accounts a ON a.id = "
                                "x.account_id WHERE a.firm_id = ? AND x.day = ? AND "
                                "x.at_minute = ?", err);
    if (!st || sq_bind(s, st, err, "iii", f.id, d, at) != RA_OK ||
        sq_one(s, st, 0, &r->firings, err) != RA_OK)
        return sq_err(err);
    st = sq_prep(s, "SELECT COUNT(*) FROM proposals WHERE firm_id = ? AND day = ? AND code "
                    "LIKE ?", err);
    if (!st || sq_bind(s, st, err, "iit", f.id, d, like) != RA_OK ||
        sq_one(s, st, 0, &r->proposals, err) != RA_OK)
        return sq_err(err);
    st = sq_prep(s, "SELECT COUNT(*) FROM orders o JOIN proposals p ON p.id = o.proposal_id "
                    "WHERE p.firm_id = ? AND p.day = ? AND p.code LIKE ?", err);
    if (!st || sq_bind(s, st, err, "iit", f.id, d, like) != RA_OK ||
        sq_one(s, st, 0, &r->orders, err) != RA_OK)
        return sq_err(err);
    st = sq_prep(s, "SELECT COUNT(*) FROM suspensions x JOIN accounts a ON a.id = x.account_id "
                    "WHERE a.firm_id = ? AND x.day = ?", err);
    if (!st || sq_bind(s, st, err, "ii", f.id, d) != RA_OK ||
        sq_one(s, st, 0, &r->suspended, err) != RA_OK)
        return sq_err(err);
    int64_t all = 0, open = 0;
    st = sq_prep(s, "SELECT COUNT(*) FROM monitor_batches WHERE "
                    "firm_id = ? AND day = ? AND at_minute = ?", err);
    if (!st || sq_bind(s, st, err, "iii", f.id, d, at) != RA_OK || sq_one(s, st, 0, &all, err) !=
        RA_OK)
        return sq_err(err);
    st = sq_prep(s, "SELECT COALESCE(SUM(1 - done), 0) FROM monitor_batches WHERE firm_id = ? "
                    "AND day = ? AND at_minute = ?", err);
    if (!st || sq_bind(s, st, err, "iii", f.id, d, at) != RA_OK || sq_one(s, st, 0, &open, err) !=
        RA_OK)
        return sq_err(err);
    *left = all ? open : -1;
    return RA_OK;
}
