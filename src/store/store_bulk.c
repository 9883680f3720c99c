/* roboadvisor store: bulk opening of accounts (store.h). */
#include "store/store_int.h"

#include "roboadvisor/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- bulk opening of accounts ---------------------------------------------------------------- */

/* Accounts per round of bulk loads: bounds the memory of one round (about 2 KiB an account)
 * while keeping the per-round statements (staging, the joins for client and account ids) rare. */
#define OPEN_CHUNK 4096

/* One account of a round, computed in memory before anything is written. */
typedef struct open_acc {
    const ra_store_opening *o;
    int64_t client_id, id;
    ra_ledger l;
    int have_ledger;
    int minor_digits;
    size_t nt;             /* opening transactions: open-cash and/or open-lots */
    ra_txn_kind kind[2];
    ra_minor amount[2];
    const char *extid[2];
    char *detail;          /* the open-lots transaction's canonical lots text */
    char *after;           /* the audit record's after JSON */
    char *state;           /* the record's state images (store_state.c) */
    size_t state_cap;
    int64_t seq;
    char prev[65], hash[65];
} open_acc;

static void open_acc_free(open_acc *x)
{
    if (x->have_ledger)
        ra_ledger_free(&x->l);
    ra_free(x->detail);
    rs_json_free(x->after);
    ra_free(x->state);
    memset(x, 0, sizeof *x);
}

/* The opening ledger of one account, computed exactly as txn_append would (a deposit, then one
 * transfer in of every lot), its transactions' texts and its audit record's after image. */
static ra_status open_compute(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                              rs_tmap *secs, open_acc *x,
                              ra_err *err)
{
    const ra_store_opening *o = x->o;
    const ra_account *a = o->account;
    ra_ledger_settings set;
    ra_ledger_settings_default(&set);
    set.minor_digits = ra_rule_currency_minor_digits(a->currency);
    x->minor_digits = set.minor_digits;
    ra_status rc = ra_ledger_init(&x->l, &set, NULL, err);
    if (rc != RA_OK)
        return rc;
    x->have_ledger = 1;
    size_t nl = o->n_lots ? o->n_lots : 1;
    ra_lot *lots = ra_calloc(nl, sizeof *lots);
    int64_t *lot_sec = ra_calloc(nl, sizeof *lot_sec);
    char *detail = NULL, *after = NULL;
    if (!lots || !lot_sec)
        rc = sq_nomem(err, "lots");
    for (size_t i = 0; i < o->n_lots && rc == RA_OK; i++) {
        rc = rs_ticker_id(s, actor, secs, firm, o->lots[i].ticker, 0, NULL, &lot_sec[i], err);
        if (rc == RA_OK && !lot_sec[i])
            rc = ra_err_set(err, RA_ENOTFOUND, NULL, "account %s: no security %s", a->code,
                            o->lots[i].ticker);
        if (rc == RA_OK) {
            lots[i].security = (uint32_t)lot_sec[i];
            lots[i].acquired = o->lots[i].acquired;
            lots[i].qty_micro = o->lots[i].qty_micro;
            lots[i].basis_minor = o->lots[i].basis_minor;
        }
    }
    if (rc == RA_OK && o->cash_minor > 0) {
        ra_txn t = {0};
        t.kind = RA_TXN_DEPOSIT;
        t.id = 1;
        t.date = o->date;
        t.amount_minor = o->cash_minor;
        rc = ra_ledger_apply(&x->l, &t, NULL, err);
        x->kind[x->nt] = t.kind;
        x->amount[x->nt] = t.amount_minor;
        x->extid[x->nt++] = "open-cash";
    }
    if (rc == RA_OK && o->n_lots) {
        ra_txn t = {0};
        t.kind = RA_TXN_TRANSFER_IN;
        t.id = x->nt + 1;
        t.date = o->date;
        t.lots_in = lots;
        t.n_lots_in = o->n_lots;
        rc = ra_ledger_apply(&x->l, &t, NULL, err);
        ra_store_txn st;
        memset(&st, 0, sizeof st);
        st.kind = t.kind;
        st.lots_in = o->lots;
        st.n_lots_in = o->n_lots;
        detail = rs_txn_detail(&st, lot_sec);
        if (!detail && rc == RA_OK)
            rc = sq_nomem(err, "a transaction");
        x->kind[x->nt] = t.kind;
        x->amount[x->nt] = 0;
        x->extid[x->nt++] = "open-lots";
    }
    if (rc == RA_OK) {
        json_t *rec = json_object();
        rs_jset(rec, "account", rs_account_json(a));
        rs_jset(rec, "ledger", rs_ledger_json(&x->l));
        after = rs_json_dump(rec);
        if (!after)
            rc = sq_nomem(err, "an audit record");
    }
    if (rc == RA_OK) {
        x->detail = detail;
        x->after = after;
        detail = after = NULL;
    }
    ra_free(detail);
    rs_json_free(after);
    ra_free(lots);
    ra_free(lot_sec);
    return rc;
}

static int cmp_lot_id(const void *x, const void *y)
{
    const ra_lot *a = x, *b = y;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* Ends a bulk load begun by the caller, keeping the first error. */
static ra_status bulk_done(ra_store *s, ra_db_bulk *b, ra_status rc, ra_err *err)
{
    if (rc == RA_OK)
        return s->ops->bulk_end(b, 1, err);
    ra_err keep = {0};
    (void)s->ops->bulk_end(b, 0, &keep);
    return rc;
}

static ra_db_val vi(int64_t i) { ra_db_val v = {'i', i, 0.0, NULL}; return v; }
static ra_db_val vd(double d) { ra_db_val v = {'d', 0, d, NULL}; return v; }
static ra_db_val vt(const char *t) { ra_db_val v = {'t', 0, 0.0, t}; return v; }

/* The first account of the round that sql finds (its index i in ra_open, fmt: the firm id or no
 * parameter): RA_ECONFLICT "account CODE WHY". */
static ra_status open_conflict(ra_store *s, const char *sql, const char *fmt, int64_t firm_id,
                               const open_acc *x, size_t m, const char *why, ra_err *err)
{
    ra_db_stmt *st;
    int r = sq_query(s, &st, err, sql, fmt, firm_id);
    if (r < 0)
        return sq_err(err);
    size_t i = r == RA_DB_ROW ? (size_t)sq_int(s, st, 0) : 0;
    s->ops->reset(st);
    if (r == RA_DB_ROW)
        return ra_err_set(err, RA_ECONFLICT, NULL, "account %s %s",
                          i < m ? x[i].o->account->code : "?", why);
    return RA_OK;
}

/* Stages the round's account and client codes in the temporary table ra_open, then resolves the
 * clients and refuses accounts that exist already or are given twice, with set-based statements
 * (a handful of round trips per round on PostgreSQL instead of one per account). */
static ra_status open_stage(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                            open_acc *x, size_t m, ra_err *err)
{
    ra_status rc = s->ops->exec(s->db,
                                "CREATE TEMP TABLE IF NOT EXISTS ra_open (i BIGINT NOT NULL "
                                "PRIMARY KEY, code TEXT NOT NULL, client TEXT NOT NULL); "
                                "DELETE FROM ra_open",
                                err);
    static const char *const cols[] = {"i", "code", "client"};
    ra_db_bulk *b = NULL;
    if (rc == RA_OK)
        rc = s->ops->bulk_begin(s->db, "ra_open", cols, 3, &b, err);
    if (rc != RA_OK)
        return rc;
    for (size_t i = 0; i < m && rc == RA_OK; i++) {
        ra_db_val v[3] = {vi((int64_t)i), vt(x[i].o->account->code), vt(x[i].o->account->client)};
        rc = s->ops->bulk_row_vals(b, v, err);
    }
    if ((rc = bulk_done(s, b, rc, err)) != RA_OK)
        return rc;
    if (s->ops->round_trip && (rc = s->ops->exec(s->db, "ANALYZE ra_open", err)) != RA_OK)
        return rc; /* the planner then joins through the indexes, not by scanning accounts */
    rc = open_conflict(s, "SELECT min(i) FROM ra_open GROUP BY code HAVING count(*) > 1", "", 0,
                       x, m, "is given twice", err);
    if (rc == RA_OK)
        rc = open_conflict(s, "SELECT o.i FROM ra_open o JOIN accounts a ON a.firm_id = ? AND "
                           "a.code = o.code ORDER BY o.i", "i", firm->id, x, m, "exists already",
                           err);
    if (rc != RA_OK)
        return rc;
    int r;
    ra_db_stmt *st = sq_prep(s, "SELECT o.i, c.id FROM ra_open o LEFT JOIN clients c ON c.firm_id = ? AND "
              "c.code = o.client ORDER BY o.i", err);
    if (!st || sq_bind(s, st, err, "i", firm->id) != RA_OK)
        return sq_err(err);
    while ((r = s->ops->step(st, err)) == RA_DB_ROW) {
        size_t i = (size_t)sq_int(s, st, 0);
        if (i < m)
            x[i].client_id = s->ops->col_is_null(st, 1) ? 0 : sq_int(s, st, 1);
    }
    s->ops->reset(st);
    if (r < 0)
        return sq_err(err);
    for (size_t i = 0; i < m; i++)
        if (!x[i].client_id)
            return ra_err_set(err, RA_ENOTFOUND, NULL, "account %s: no client %s in firm %s",
                              x[i].o->account->code, x[i].o->account->client, actor->firm);
    return RA_OK;
}

/* Writes a computed round: the accounts (bulk), their new ids (one join), then transactions,
 * lots in primary-key order and audit records, each table in one bulk load. */
typedef struct code_at {
    const char *code;
    size_t i;
} code_at;

static int cmp_code(const void *a, const void *b)
{
    return strcmp(((const code_at *)a)->code, ((const code_at *)b)->code);
}

/* The state images of the round's accounts (their accounts, lots and txns rows). */
static ra_status open_images(ra_store *s, const ra_store_actor *actor, const uint8_t *key,
                             open_acc *x, size_t m, ra_err *err)
{
    size_t *index = ra_calloc(m, sizeof *index), *cap = ra_calloc(m, sizeof *cap);
    const char **codes = ra_calloc(m, sizeof *codes);
    char **state = ra_calloc(m, sizeof *state);
    code_at *by = ra_calloc(m, sizeof *by);
    ra_status rc = index && cap && codes && state && by ? RA_OK : sq_nomem(err, "the batch");
    if (rc == RA_OK) {
        for (size_t i = 0; i < m; i++)
            by[i] = (code_at){x[i].o->account->code, i};
        qsort(by, m, sizeof *by, cmp_code);
        for (size_t i = 0; i < m; i++) {
            codes[i] = by[i].code;
            index[i] = by[i].i;
        }
        rc = rs_state_round(s, actor->firm, key, codes, index, m, state, cap, err);
        for (size_t i = 0; i < m; i++) {
            x[i].state = state[i];
            x[i].state_cap = cap[i];
        }
    }
    ra_free(by);
    ra_free(index);
    ra_free(cap);
    ra_free(codes);
    ra_free(state);
    return rc;
}

static ra_status open_write(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                            const uint8_t *key, open_acc *x, size_t m, int64_t at, char prev[65],
                            int64_t *seq, ra_err *err)
{
    static const char *const acols[] = {
        "firm_id", "code", "client_id", "type", "currency", "minor_digits", "opened", "model",
        "discretionary", "drift_band", "tlh_enabled", "loss_limit", "restrictions", "cash_minor",
        "next_lot_id", "n_txns", "cash_in_minor", "cash_out_minor", "basis_in_minor",
        "basis_sold_minor", "basis_out_minor", "proceeds_minor", "gain_short_minor",
        "gain_long_minor"};
    ra_db_bulk *b = NULL;
    ra_status rc = s->ops->bulk_begin(s->db, "accounts", acols, 24, &b, err);
    if (rc != RA_OK)
        return rc;
    for (size_t i = 0; i < m && rc == RA_OK; i++) {
        const ra_account *a = x[i].o->account;
        const ra_mandate *md = &a->mandate;
        const ra_ledger_totals *t = &x[i].l.totals;
        ra_db_val v[24] = {
            vi(firm->id), vt(a->code), vi(x[i].client_id), vi((int64_t)a->type),
            vt(a->currency), vi(x[i].minor_digits), vi((int64_t)a->opened), vt(md->model),
            vi(md->discretionary), vd(md->drift_band), vi(md->tlh_enabled), vd(md->loss_limit),
            vt(md->restrictions), vi(x[i].l.cash_minor), vi((int64_t)x[i].l.next_lot_id),
            vi((int64_t)t->n_txns), vi(t->cash_in_minor), vi(t->cash_out_minor),
            vi(t->basis_in_minor), vi(t->basis_sold_minor), vi(t->basis_out_minor),
            vi(t->proceeds_minor), vi(t->gain_short_minor), vi(t->gain_long_minor)};
        rc = s->ops->bulk_row_vals(b, v, err);
    }
    if ((rc = bulk_done(s, b, rc, err)) != RA_OK)
        return rc;
    ra_db_stmt *st = sq_prep(s, "SELECT o.i, a.id FROM ra_open o JOIN accounts a ON a.firm_id = ? AND "
                          "a.code = o.code", err);
    if (!st || sq_bind(s, st, err, "i", firm->id) != RA_OK)
        return sq_err(err);
    int r;
    size_t got = 0;
    while ((r = s->ops->step(st, err)) == RA_DB_ROW) {
        size_t i = (size_t)sq_int(s, st, 0);
        if (i < m && !x[i].id) {
            x[i].id = sq_int(s, st, 1);
            got++;
        }
    }
    s->ops->reset(st);
    if (r < 0)
        return sq_err(err);
    if (got != m)
        return ra_err_set(err, RA_EINTERNAL, NULL, "%zu of %zu new accounts found again", got, m);
    if (s->schema_version >= 7) { /* each account's mandate, version 1 (store_mandate.c) */
        static const char *const mcols[] = {
            "account_id", "version", "model", "discretionary", "drift_band", "band_rel",
            "to_band_edge", "buy_only", "tlh", "loss_limit", "restrictions", "relief",
            "cash_reserve", "min_trade_minor", "reinvest_dividends", "fractional",
            "gain_budget_minor", "client_confirm", "risk_level", "objective", "agent_name",
            "effective", "user_name", "reason", "created_at", "fee_schedule", "rules",
            "risk_aversion", "te_penalty", "turnover_penalty", "cvar_limit"};
        /* the mandate's fee_schedule from schema 10 on (0010_fees.sql), its rules from 11 on
         * (0011_risk.sql), the client's objectives from 25 on (0025_client_objectives.sql) */
        int ncols = s->schema_version >= RS_SCHEMA_OBJECTIVES ? 31
                    : s->schema_version >= 11               ? 27
                    : s->schema_version >= 10               ? 26
                                                            : 25;
        if ((rc = s->ops->bulk_begin(s->db, "mandates", mcols, ncols, &b, err)) != RA_OK)
            return rc;
        for (size_t i = 0; i < m && rc == RA_OK; i++) {
            const ra_mandate *md = &x[i].o->account->mandate;
            ra_db_val v[31] = {
                vi(x[i].id), vi(1), vt(md->model), vi(md->discretionary), vd(md->drift_band),
                vd(md->band_rel), vi(md->to_band_edge), vi(md->buy_only), vi(md->tlh_enabled),
                vd(md->loss_limit), vt(md->restrictions), vi(md->relief), vd(md->cash_reserve),
                vi(md->min_trade_minor), vi(md->reinvest_dividends), vi(md->fractional),
                vi(md->gain_budget_minor), vi(md->client_confirm), vi(md->risk_level),
                vi(md->objective), vt(""), vi(0), vt(actor->user), vt("account opened"), vi(at),
                vt(md->fee_schedule), vt(md->rules), vd(md->risk_aversion), vd(md->te_penalty),
                vd(md->turnover_penalty), vd(md->cvar_limit)};
            rc = s->ops->bulk_row_vals(b, v, err);
        }
        if ((rc = bulk_done(s, b, rc, err)) != RA_OK)
            return rc;
    }

    static const char *const tcols[] = {"account_id", "seq", "external_id", "kind", "day",
                                        "security_id", "qty_micro", "price", "amount_minor",
                                        "fees_minor", "relief", "split_num", "split_den",
                                        "detail"};
    if ((rc = s->ops->bulk_begin(s->db, "txns", tcols, 14, &b, err)) != RA_OK)
        return rc;
    for (size_t i = 0; i < m && rc == RA_OK; i++)
        for (size_t k = 0; k < x[i].nt && rc == RA_OK; k++) {
            ra_db_val v[14] = {vi(x[i].id), vi((int64_t)k + 1), vt(x[i].extid[k]),
                               vi((int64_t)x[i].kind[k]), vi((int64_t)x[i].o->date),
                               {'n', 0, 0.0, NULL}, vi(0), vi(0), vi(x[i].amount[k]), vi(0),
                               vi(0), vi(0), vi(0),
                               vt(x[i].kind[k] == RA_TXN_TRANSFER_IN && x[i].detail
                                      ? x[i].detail : "")};
            rc = s->ops->bulk_row_vals(b, v, err);
        }
    if ((rc = bulk_done(s, b, rc, err)) != RA_OK)
        return rc;

    static const char *const lcols[] = {"account_id", "lot_id", "security_id", "acquired",
                                        "qty_micro", "basis_minor"};
    if ((rc = s->ops->bulk_begin(s->db, "lots", lcols, 6, &b, err)) != RA_OK)
        return rc;
    for (size_t i = 0; i < m && rc == RA_OK; i++) {
        /* the ledger keeps its lots by security; the table's key is (account, lot id) */
        if (x[i].l.n_lots > 1)
            qsort(x[i].l.lots, x[i].l.n_lots, sizeof *x[i].l.lots, cmp_lot_id);
        for (size_t j = 0; j < x[i].l.n_lots && rc == RA_OK; j++) {
            const ra_lot *l = &x[i].l.lots[j];
            int64_t v[6] = {x[i].id, (int64_t)l->id, (int64_t)l->security,
                            (int64_t)l->acquired, l->qty_micro, l->basis_minor};
            rc = s->ops->bulk_row(b, v, err);
        }
    }
    if ((rc = bulk_done(s, b, rc, err)) != RA_OK)
        return rc;

    /* the images of what was written, then one record per account chained from the head kept
     * by the caller */
    if ((rc = open_images(s, actor, key, x, m, err)) != RA_OK)
        return rc;
    for (size_t i = 0; i < m; i++) {
        x[i].seq = ++*seq;
        memcpy(x[i].prev, prev, 65);
        rs_audit_hash(key, prev, x[i].seq, at, actor->user, actor->firm, "open", "account",
                      x[i].o->account->code, "null", x[i].after, x[i].state ? x[i].state : "",
                      x[i].hash);
        memcpy(prev, x[i].hash, 65);
    }
    static const char *const au[] = {"seq", "at", "user_name", "firm", "action", "entity",
                                     "entity_id", "before_json", "after_json", "prev_hash",
                                     "hash", "state"};
    if ((rc = s->ops->bulk_begin(s->db, "audit_log", au, 12, &b, err)) != RA_OK)
        return rc;
    for (size_t i = 0; i < m && rc == RA_OK; i++) {
        ra_db_val v[12] = {vi(x[i].seq), vi(at), vt(actor->user), vt(actor->firm), vt("open"),
                           vt("account"), vt(x[i].o->account->code), vt("null"), vt(x[i].after),
                           vt(x[i].prev), vt(x[i].hash), vt(x[i].state ? x[i].state : "")};
        rc = s->ops->bulk_row_vals(b, v, err);
    }
    return bulk_done(s, b, rc, err);
}

void ra_store_test_open_chunk(ra_store *s, size_t n) { s->open_chunk = n; }

ra_status ra_store_accounts_open_bulk(ra_store *s, const ra_store_actor *actor,
                                      const ra_store_opening *v, size_t n, ra_err *err)
{
    firm_row firm;
    ra_status rc = sq_write_start(s, actor, &firm, err);
    for (size_t i = 0; i < n && rc == RA_OK; i++) { /* arguments first: nothing to undo */
        rc = v[i].account ? rs_validate_account(v[i].account, err)
                          : ra_err_set(err, RA_EINVAL, NULL, "opening %zu has no account", i);
        if (rc == RA_OK && v[i].cash_minor < 0)
            rc = ra_err_set(err, RA_EINVAL, NULL, "account %s: opening cash %lld is negative",
                            v[i].account->code, (long long)v[i].cash_minor);
    }
    if (rc != RA_OK || n == 0 || (rc = sq_wbegin(s, err)) != RA_OK)
        return rc;
    /* the chain head, locked and read once per transaction, advanced in memory */
    char prev[65] = "";
    int64_t seq = 0;
    const uint8_t *key = NULL;
    rc = rs_get_audit_key(s, actor->firm, &key, err);
    if (rc == RA_OK)
        rc = rs_head_get(s, err);
    if (rc == RA_OK) {
        seq = s->head.seq;
        memcpy(prev, s->head.hash, sizeof prev);
    }
    rs_tmap secs = {0};
    size_t chunk = s->open_chunk ? s->open_chunk : OPEN_CHUNK;
    size_t cap = n < chunk ? n : chunk;
    open_acc *x = rc == RA_OK ? ra_calloc(cap, sizeof *x) : NULL;
    if (rc == RA_OK && !x)
        rc = sq_nomem(err, "the batch");
    int64_t at = ra_store_now(s);
    for (size_t first = 0; first < n && rc == RA_OK; first += cap) {
        size_t m = n - first < cap ? n - first : cap;
        for (size_t i = 0; i < m; i++)
            x[i].o = &v[first + i];
        rc = open_stage(s, actor, &firm, x, m, err);
        for (size_t i = 0; i < m && rc == RA_OK; i++) {
            rc = open_compute(s, actor, &firm, &secs, &x[i], err);
            if (rc != RA_OK && err && !err->where[0])
                snprintf(err->where, sizeof err->where, "account %.40s", x[i].o->account->code);
        }
        if (rc == RA_OK)
            rc = open_write(s, actor, &firm, key, x, m, at, prev, &seq, err);
        for (size_t i = 0; i < m; i++)
            open_acc_free(&x[i]);
    }
    ra_free(x);
    ra_free(secs.slots);
    if (rc == RA_OK) {
        s->head.seq = seq;
        memcpy(s->head.hash, prev, sizeof prev);
        s->head.dirty = 1;
    }
    return sq_wend(s, rc, err);
}

