/* roboadvisor store: the mandate's versions (store_mandate.h, migration 0007_mandate.sql,
 * docs/methodology.md#the-mandate). One row per version; the account's columns model ..
 * restrictions are written with each version in the same transaction (they are in the
 * accounts table's audit images since schema 1), never on their own. */
#include "store/store_int.h"

#include <roboadvisor/rebal.h>
#include <roboadvisor/store_cycle.h>
#include <roboadvisor/store_fees.h>
#include <roboadvisor/store_mandate.h>

#include "roboadvisor/alloc.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VERSION_HEAD                                                                           \
    "SELECT m.version, m.model, m.discretionary, m.drift_band, m.band_rel, m.to_band_edge, "    \
    "m.buy_only, m.tlh, m.loss_limit, m.restrictions, m.relief, m.cash_reserve, "               \
    "m.min_trade_minor, m.reinvest_dividends, m.fractional, m.gain_budget_minor, "             \
    "m.client_confirm, m.risk_level, m.objective, m.agent_name, m.effective, m.user_name, "     \
    "m.reason, m.created_at, a.code"
#define VERSION_FROM " FROM mandates m JOIN accounts a ON a.id = m.account_id "
/* The columns of a version: its fee schedule from schema 10 on (0010_fees.sql) and its rules from
 * schema 11 on (0011_risk.sql), "" before: a statement per schema, each a literal (the statement
 * cache keys on the text's address). */
#define VERSION_OBJ ", m.risk_aversion, m.te_penalty, m.turnover_penalty, m.cvar_limit"
#define VERSION_SQL(s, tail)                                                                       \
    ((s)->schema_version >= RS_SCHEMA_OBJECTIVES                                                   \
         ? VERSION_HEAD ", m.fee_schedule, m.rules" VERSION_OBJ VERSION_FROM tail                 \
     : (s)->schema_version >= RS_SCHEMA_RISK                                                       \
         ? VERSION_HEAD ", m.fee_schedule, m.rules, 0, 0, 0, 0" VERSION_FROM tail                 \
     : (s)->schema_version >= RA_SCHEMA_FEES ? VERSION_HEAD ", m.fee_schedule, '', 0, 0, 0, 0"   \
                                                   VERSION_FROM tail                             \
                                             : VERSION_HEAD ", '', '', 0, 0, 0, 0" VERSION_FROM tail)

static void version_row(ra_store *s, ra_db_stmt *st, void *out)
{
    ra_mandate_version *v = out;
    ra_mandate *m = &v->mandate;
    memset(v, 0, sizeof *v);
    v->version = sq_int(s, st, 0);
    sq_copy(m->model, sizeof m->model, sq_text(s, st, 1));
    m->discretionary = (int)sq_int(s, st, 2);
    m->drift_band = s->ops->col_double(st, 3);
    m->band_rel = s->ops->col_double(st, 4);
    m->to_band_edge = (int)sq_int(s, st, 5);
    m->buy_only = (int)sq_int(s, st, 6);
    m->tlh_enabled = (int)sq_int(s, st, 7);
    m->loss_limit = s->ops->col_double(st, 8);
    sq_copy(m->restrictions, sizeof m->restrictions, sq_text(s, st, 9));
    m->relief = (int)sq_int(s, st, 10);
    m->cash_reserve = s->ops->col_double(st, 11);
    m->min_trade_minor = sq_int(s, st, 12);
    m->reinvest_dividends = (int)sq_int(s, st, 13);
    m->fractional = (int)sq_int(s, st, 14);
    m->gain_budget_minor = sq_int(s, st, 15);
    m->client_confirm = (int)sq_int(s, st, 16);
    m->risk_level = (int)sq_int(s, st, 17);
    m->objective = (int)sq_int(s, st, 18);
    sq_copy(v->agent_name, sizeof v->agent_name, sq_text(s, st, 19));
    v->effective = (ra_date)sq_int(s, st, 20);
    sq_copy(v->user, sizeof v->user, sq_text(s, st, 21));
    sq_copy(v->reason, sizeof v->reason, sq_text(s, st, 22));
    v->at = sq_int(s, st, 23);
    sq_copy(v->account, sizeof v->account, sq_text(s, st, 24));
    sq_copy(m->fee_schedule, sizeof m->fee_schedule, sq_text(s, st, 25));
    sq_copy(m->rules, sizeof m->rules, sq_text(s, st, 26));
    m->risk_aversion = s->ops->col_double(st, 27);
    m->te_penalty = s->ops->col_double(st, 28);
    m->turnover_penalty = s->ops->col_double(st, 29);
    m->cvar_limit = s->ops->col_double(st, 30);
}

ra_status rs_mandate_load(ra_store *s, int64_t account_id, int64_t version, ra_mandate_version *out,
                          int *found, ra_err *err)
{
    *found = 0;
    ra_db_stmt *st = version > 0
                         ? sq_prep(s, VERSION_SQL(s, "WHERE m.account_id = ? AND m.version = ?"),
                                   err)
                         : sq_prep(s, VERSION_SQL(s, "WHERE m.account_id = ? ORDER BY m.version "
                                                     "DESC LIMIT 1"), err);
    if (!st)
        return sq_err(err);
    ra_status rc = version > 0 ? sq_bind(s, st, err, "ii", account_id, version)
                               : sq_bind(s, st, err, "i", account_id);
    if (rc != RA_OK)
        return rc;
    int r = s->ops->step(st, err);
    if (r == RA_DB_ROW) {
        version_row(s, st, out);
        *found = 1;
    }
    s->ops->reset(st);
    return r < 0 ? sq_err(err) : RA_OK;
}

#define F(name, kind) {#name, kind, offsetof(ra_mandate, name)}
static const rs_jfield MANDATE_FIELDS[] = {
    F(model, 's'),           F(discretionary, 'i'),     F(drift_band, 'd'),
    F(band_rel, 'd'),        F(to_band_edge, 'i'),      F(buy_only, 'i'),
    F(tlh_enabled, 'i'),     F(loss_limit, 'd'),        F(restrictions, 's'),
    F(relief, 'i'),          F(cash_reserve, 'd'),      F(min_trade_minor, 'I'),
    F(reinvest_dividends, 'i'), F(fractional, 'i'),     F(gain_budget_minor, 'I'),
    F(client_confirm, 'i'),  F(risk_level, 'i'),        F(objective, 'i'),
    F(fee_schedule, 's'),    F(rules, 's'),             F(risk_aversion, 'd'),
    F(te_penalty, 'd'),      F(turnover_penalty, 'd'),  F(cvar_limit, 'd')};
#undef F

static json_t *version_json(const char *account, int64_t version, const ra_mandate *m,
                            const char *name, ra_date effective, const char *reason)
{
    json_t *o = json_object();
    rs_jstr(o, "account", account);
    rs_jint(o, "version", version);
    rs_jset(o, "mandate",
            rs_json_record(m, MANDATE_FIELDS, sizeof MANDATE_FIELDS / sizeof MANDATE_FIELDS[0]));
    rs_jstr(o, "agent_name", name);
    rs_jint(o, "effective", (int64_t)effective);
    rs_jstr(o, "reason", reason);
    return o;
}

static int blank(const char *s)
{
    for (; s && *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

ra_status rs_mandate_insert(ra_store *s, const ra_store_actor *actor, int64_t account_id,
                            int64_t version, const ra_mandate *m, const char *name,
                            ra_date effective, const char *reason, ra_err *err)
{
    ra_db_stmt *st = sq_prep(
        s, "INSERT INTO mandates (account_id, version, model, discretionary, drift_band, "
           "band_rel, to_band_edge, buy_only, tlh, loss_limit, restrictions, relief, "
           "cash_reserve, min_trade_minor, reinvest_dividends, fractional, gain_budget_minor, "
           "client_confirm, risk_level, objective, agent_name, effective, user_name, reason, "
           "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
           "?, ?, ?)",
        err);
    ra_status rc = st ? sq_bind(s, st, err, "iitiddiiidtidiiiiiiititti", account_id, version,
                                m->model, (int64_t)m->discretionary, m->drift_band, m->band_rel,
                                (int64_t)m->to_band_edge, (int64_t)m->buy_only,
                                (int64_t)m->tlh_enabled, m->loss_limit, m->restrictions,
                                (int64_t)m->relief, m->cash_reserve, m->min_trade_minor,
                                (int64_t)m->reinvest_dividends, (int64_t)m->fractional,
                                m->gain_budget_minor, (int64_t)m->client_confirm,
                                (int64_t)m->risk_level, (int64_t)m->objective, name ? name : "",
                                (int64_t)effective, actor->user, reason, ra_store_now(s))
                      : sq_err(err);
    if (rc == RA_OK)
        rc = sq_run(s, st, err);
    if (rc == RA_OK && m->fee_schedule[0]) { /* the column of schema 10 (0010_fees.sql) */
        st = s->schema_version >= RA_SCHEMA_FEES
                 ? sq_prep(s, "UPDATE mandates SET fee_schedule = ? WHERE account_id = ? AND "
                              "version = ?", err)
                 : NULL;
        rc = !st ? (s->schema_version >= RA_SCHEMA_FEES
                        ? sq_err(err)
                        : ra_err_set(err, RA_EINVAL, "fee_schedule", "the book's schema is older "
                                     "than fees (run roboadvisor init)"))
                 : sq_bind(s, st, err, "tii", m->fee_schedule, account_id, version);
        if (rc == RA_OK)
            rc = sq_run(s, st, err);
    }
    if (rc == RA_OK && m->rules[0] && s->schema_version < RS_SCHEMA_RISK)
        rc = sq_need_version(s, RS_SCHEMA_RISK, "a mandate's rules", err);
    if (rc == RA_OK && m->rules[0]) {
        st = sq_prep(s, "UPDATE mandates SET rules = ? WHERE account_id = ? AND version = ?", err);
        rc = st ? sq_bind(s, st, err, "tii", m->rules, account_id, version) : sq_err(err);
        if (rc == RA_OK)
            rc = sq_run(s, st, err);
    }
    int has_obj = m->risk_aversion != 0.0 || m->te_penalty != 0.0 ||
                  m->turnover_penalty != 0.0 || m->cvar_limit != 0.0;
    if (rc == RA_OK && has_obj && s->schema_version < RS_SCHEMA_OBJECTIVES)
        rc = sq_need_version(s, RS_SCHEMA_OBJECTIVES, "a mandate's client objectives", err);
    if (rc == RA_OK && has_obj) { /* the columns of 0025_client_objectives.sql */
        st = sq_prep(s, "UPDATE mandates SET risk_aversion = ?, te_penalty = ?, turnover_penalty "
                        "= ?, cvar_limit = ? WHERE account_id = ? AND version = ?", err);
        rc = st ? sq_bind(s, st, err, "ddddii", m->risk_aversion, m->te_penalty,
                          m->turnover_penalty, m->cvar_limit, account_id, version)
                : sq_err(err);
        if (rc == RA_OK)
            rc = sq_run(s, st, err);
    }
    if (rc != RA_OK || version == 1)
        return rc; /* a new account's columns were written with it */
    st = sq_prep(s, "UPDATE accounts SET model = ?, discretionary = ?, drift_band = ?, "
                    "tlh_enabled = ?, loss_limit = ?, restrictions = ? WHERE id = ?", err);
    rc = st ? sq_bind(s, st, err, "tididti", m->model, (int64_t)m->discretionary, m->drift_band,
                      (int64_t)m->tlh_enabled, m->loss_limit, m->restrictions, account_id)
            : sq_err(err);
    return rc == RA_OK ? sq_run(s, st, err) : rc;
}

ra_status rs_mandate_change(ra_store *s, const ra_store_actor *actor, int64_t account_id,
                            const char *account, const ra_mandate *m, const char *name,
                            ra_date effective, const char *reason, int audit, int64_t *version,
                            ra_err *err)
{
    ra_mandate_version cur;
    int found = 0;
    ra_status rc = rs_mandate_load(s, account_id, 0, &cur, &found, err);
    if (rc != RA_OK)
        return rc;
    if (!name)
        name = found ? cur.agent_name : "";
    if (found && ra_rule_mandate_equal(&cur.mandate, m) && strcmp(cur.agent_name, name) == 0 &&
        cur.effective == effective) {
        *version = cur.version;
        return RA_OK;
    }
    *version = found ? cur.version + 1 : 1;
    rc = rs_mandate_insert(s, actor, account_id, *version, m, name, effective, reason, err);
    if (rc != RA_OK || !audit)
        return rc;
    json_t *before = found ? version_json(account, cur.version, &cur.mandate, cur.agent_name,
                                          cur.effective, cur.reason)
                           : NULL;
    json_t *after = version_json(account, *version, m, name, effective, reason);
    return rs_audit_change(s, rc, actor, found ? "update" : "create", "mandate", account, before,
                           after, err);
}

static ra_status check_reason(const char *account, const char *reason, ra_err *err)
{
    if (blank(reason))
        return ra_err_set(err, RA_EINVAL, "reason", "a change of the mandate of %s needs a reason "
                          "(who asked for it and why)", account);
    if (strlen(reason) >= RA_MANDATE_REASON_MAX)
        return ra_err_set(err, RA_EINVAL, "reason", "the reason is longer than %d bytes",
                          RA_MANDATE_REASON_MAX - 1);
    return RA_OK;
}

ra_status ra_store_mandate_put(ra_store *s, const ra_store_actor *actor, const char *account,
                               const ra_mandate *m, const char *agent_name, ra_date effective,
                               const char *reason, int64_t *version, ra_err *err)
{
    int64_t v = 0;
    if (version)
        *version = 0;
    ra_status valid = sq_need_version(s, RA_SCHEMA_MANDATE, "a mandate version", err);
    if (valid == RA_OK)
        valid = check_reason(account, reason, err);
    if (valid == RA_OK)
        valid = ra_rule_mandate_validate(m, err);
    if (valid == RA_OK && agent_name && strlen(agent_name) >= RA_NAME_MAX)
        valid = ra_err_set(err, RA_EINVAL, "agent_name", "the agent's name is longer than %d "
                           "bytes", RA_NAME_MAX - 1);
    firm_row firm;
    ra_status rc = sq_put_begin(s, actor, valid, &firm, err);
    if (rc != RA_OK)
        return rc;
    int64_t aid = 0;
    rc = sq_code_id(s, SQ_ACCOUNT_ID, firm.id, account, &aid, err);
    if (rc == RA_OK && !aid)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no account %s in firm %s", account, actor->firm);
    if (rc == RA_OK)
        rc = rs_mandate_change(s, actor, aid, account, m, agent_name, effective, reason, 1, &v,
                               err);
    rc = sq_wend(s, rc, err);
    if (rc == RA_OK && version)
        *version = v;
    return rc;
}

ra_status ra_store_mandate_get(ra_store *s, const char *firm, const char *account,
                               int64_t version, ra_mandate_version *out, ra_err *err)
{
    int64_t aid = 0;
    int found = 0;
    ra_status rc = sq_need_version(s, RA_SCHEMA_MANDATE, "a mandate version", err);
    if (rc == RA_OK)
        rc = sq_firm_code_id(s, firm, SQ_ACCOUNT_ID, account, "account", &aid, err);
    if (rc == RA_OK)
        rc = rs_mandate_load(s, aid, version, out, &found, err);
    if (rc == RA_OK && !found)
        rc = version > 0 ? ra_err_set(err, RA_ENOTFOUND, NULL, "account %s has no mandate "
                                      "version %lld", account, (long long)version)
                         : ra_err_set(err, RA_ENOTFOUND, NULL, "account %s has no mandate",
                                      account);
    return rc;
}

ra_status ra_store_mandate_history(ra_store *s, const char *firm, const char *account,
                                   ra_mandate_version **out, size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    int64_t aid = 0;
    ra_status rc = sq_need_version(s, RA_SCHEMA_MANDATE, "a mandate version", err);
    if (rc == RA_OK)
        rc = sq_firm_code_id(s, firm, SQ_ACCOUNT_ID, account, "account", &aid, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = sq_prep(s, VERSION_SQL(s, "WHERE m.account_id = ? ORDER BY m.version"), err);
    if (!st || sq_bind(s, st, err, "i", aid) != RA_OK)
        return sq_err(err);
    void *v = NULL;
    rc = sq_rows(s, st, &v, n, sizeof **out, 8, "the mandate's versions", version_row, err);
    *out = v;
    return rc;
}

/* --- the lots of a fill ----------------------------------------------------------------------- */

/* The lots a fill of a sale relieves (docs/methodology.md#the-mandate): the proposal's picks
 * for the trade, after those earlier fills took; where the proposal named none (or not enough),
 * the account's mandate method: FIFO or HIFO by the ledger, the tax-aware order as picks. Never
 * a default of its own. *picks (ra_malloc'd) is borrowed by t. */
ra_status rs_fill_relief(ra_store *s, int64_t firm_id, const ra_cycle_order *o,
                             ra_micro qty, ra_price price, ra_date date, ra_store_txn *t,
                             ra_lot_pick **picks, ra_err *err)
{
    char lots[4096] = "";
    ra_db_stmt *st = sq_prep(s, "SELECT x.lots FROM proposal_trades x JOIN proposals p ON "
                                "p.id = x.proposal_id WHERE p.firm_id = ? AND p.code = ? AND "
                                "x.n = ?", err);
    if (!st || sq_bind(s, st, err, "iti", firm_id, o->proposal, (int64_t)o->trade_n) != RA_OK)
        return sq_err(err);
    int r = s->ops->step(st, err);
    if (r == RA_DB_ROW)
        sq_copy(lots, sizeof lots, sq_text(s, st, 0));
    s->ops->reset(st);
    if (r < 0)
        return sq_err(err);
    size_t n = 1;
    for (const char *q = lots; *q; q++)
        n += *q == ';';
    ra_lot_pick *pk = ra_calloc(n, sizeof *pk);
    if (!pk)
        return sq_nomem(err, "the lots of a fill");
    *picks = pk;
    ra_micro skip = o->filled_micro, left = qty;
    size_t m = 0;
    for (const char *q = lots; *q && left > 0;) {
        unsigned long long lot;
        long long lq;
        int used = 0;
        if (sscanf(q, "%llu:%lld%n", &lot, &lq, &used) != 2)
            return ra_err_set(err, RA_EINTERNAL, NULL, "order %s: its trade's lots are damaged",
                              o->id);
        q += used + (q[used] == ';');
        ra_micro take = (ra_micro)lq;
        ra_micro sk = skip < take ? skip : take;
        skip -= sk;
        take -= sk;
        if (take > left)
            take = left;
        if (take > 0) {
            pk[m++] = (ra_lot_pick){(uint64_t)lot, take};
            left -= take;
        }
    }
    if (m > 0 && left == 0) { /* the proposal's lots */
        t->relief = RA_RELIEF_SPECIFIC;
        t->picks = pk;
        t->n_picks = m;
        return RA_OK;
    }
    /* the account's method */
    int64_t aid = 0, type = 0, sec = 0;
    ra_status rc = sq_code_id(s, SQ_ACCOUNT_ID, firm_id, o->account, &aid, err);
    if (rc == RA_OK)
        rc = sq_code_id(s, SQ_SECURITY_ID, firm_id, o->ticker, &sec, err);
    if (rc == RA_OK)
        rc = sq_count(s, "SELECT type FROM accounts WHERE id = ?", aid, &type, err);
    ra_mandate_version mv;
    int found = 0;
    if (rc == RA_OK)
        rc = rs_mandate_load(s, aid, 0, &mv, &found, err);
    if (rc != RA_OK)
        return rc;
    if (!found)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "account %s has no mandate: its lot relief "
                          "method is unknown", o->account);
    if (mv.mandate.relief == RA_RELIEF_FIFO || mv.mandate.relief == RA_RELIEF_HIFO) {
        t->relief = (ra_relief)mv.mandate.relief;
        return RA_OK;
    }
    ra_ledger l;
    int64_t n_txns = 0;
    if ((rc = rs_ledger_load(s, aid, &l, &n_txns, err)) != RA_OK)
        return rc;
    size_t *order = ra_malloc((l.n_lots ? l.n_lots : 1) * sizeof *order);
    ra_lot_pick *all = order ? ra_realloc(pk, (l.n_lots ? l.n_lots : 1) * sizeof *all) : NULL;
    if (!order || !all) {
        ra_free(order);
        ra_ledger_free(&l);
        return sq_nomem(err, "the lots of a fill");
    }
    *picks = all;
    size_t k = ra_rebal_relief_order(l.lots, l.n_lots, (uint32_t)sec, price, date,
                                     l.settings.minor_digits, RA_RELIEF_TAX_AWARE,
                                     type == RA_ACCOUNT_TAXABLE, order);
    m = 0;
    left = qty;
    for (size_t i = 0; i < k && left > 0; i++) {
        const ra_lot *x = &l.lots[order[i]];
        ra_micro take = x->qty_micro < left ? x->qty_micro : left;
        all[m++] = (ra_lot_pick){x->id, take};
        left -= take;
    }
    ra_free(order);
    ra_ledger_free(&l);
    t->relief = RA_RELIEF_SPECIFIC; /* fewer shares than sold: the ledger names the shortfall */
    t->picks = all;
    t->n_picks = m;
    return RA_OK;
}

/* --- the upgrade to schema 7 ------------------------------------------------------------------ */

/* Merges the latest agent of every account into its migrated version 1 (inside the migration's
 * transaction): the agent's risk level, objective, cash reserve and name; the account's drift
 * band, TLH and loss limit hold (docs/methodology.md#the-mandate: they are what the cycle traded
 * on), and the reason names the agent's version and any value of it that was not taken. */
ra_status rs_mandate_migrate(ra_store *s, ra_err *err)
{
    ra_db_stmt *st = sq_prep(
        s, "SELECT g.account_id, g.version, g.name, g.params, m.drift_band, m.tlh, m.loss_limit "
           "FROM agents g JOIN mandates m ON m.account_id = g.account_id AND m.version = 1 "
           "WHERE g.version = (SELECT MAX(version) FROM agents WHERE account_id = g.account_id) "
           "ORDER BY g.account_id",
        err);
    if (!st)
        return sq_err(err);
    typedef struct merge {
        int64_t aid, version;
        int risk, objective;
        double cash_reserve;
        char name[RA_NAME_MAX];
        char reason[RA_MANDATE_REASON_MAX];
    } merge;
    merge *mg = NULL;
    size_t n = 0, cap = 0;
    ra_status rc = RA_OK;
    int r;
    while (rc == RA_OK && (r = s->ops->step(st, err)) == RA_DB_ROW) {
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 64;
            merge *g = ra_realloc(mg, nc * sizeof *g);
            if (!g) {
                rc = sq_nomem(err, "the agents to merge");
                break;
            }
            mg = g;
            cap = nc;
        }
        merge *x = &mg[n++];
        memset(x, 0, sizeof *x);
        x->aid = sq_int(s, st, 0);
        x->version = sq_int(s, st, 1);
        sq_copy(x->name, sizeof x->name, sq_text(s, st, 2));
        json_t *j = json_loads(sq_text(s, st, 3), 0, NULL);
        ra_agent_params p;
        ra_agent_params_default(&p, 3);
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v)
        {
            char buf[64];
            if (json_is_string(v))
                snprintf(buf, sizeof buf, "%s", json_string_value(v));
            else if (json_is_boolean(v))
                snprintf(buf, sizeof buf, "%s", json_is_true(v) ? "on" : "off");
            else
                snprintf(buf, sizeof buf, "%.17g", json_number_value(v));
            ra_err e = {0};
            if (ra_agent_param_set(&p, k, buf, &e) != RA_OK) /* out of range: the default */
                continue;
        }
        json_decref(j);
        x->risk = p.risk_level;
        x->objective = (int)p.objective;
        x->cash_reserve = p.cash_reserve;
        double band = s->ops->col_double(st, 4), loss = s->ops->col_double(st, 6);
        int tlh = (int)sq_int(s, st, 5);
        char diff[256] = "";
        size_t dl = 0;
        if (p.drift_band != band)
            dl += (size_t)snprintf(diff + dl, sizeof diff - dl, "%sdrift_band %g", dl ? ", " : "",
                                   p.drift_band);
        if (p.tlh != tlh && dl < sizeof diff)
            dl += (size_t)snprintf(diff + dl, sizeof diff - dl, "%stlh %d", dl ? ", " : "", p.tlh);
        if (p.loss_limit != loss && dl < sizeof diff)
            dl += (size_t)snprintf(diff + dl, sizeof diff - dl, "%sloss_limit %g", dl ? ", " : "",
                                   p.loss_limit);
        snprintf(x->reason, sizeof x->reason,
                 "migrated at schema 7 from the account's mandate and agent version %lld%s%s%s",
                 (long long)x->version, dl ? " (the agent's " : "", diff,
                 dl ? " not taken: the account's values are what the cycle traded on)" : "");
    }
    s->ops->reset(st);
    if (rc == RA_OK && r < 0)
        rc = sq_err(err);
    for (size_t i = 0; i < n && rc == RA_OK; i++) {
        st = sq_prep(s, "UPDATE mandates SET risk_level = ?, objective = ?, cash_reserve = ?, "
                        "agent_name = ?, reason = ? WHERE account_id = ? AND version = 1", err);
        rc = st ? sq_bind(s, st, err, "iidtti", (int64_t)mg[i].risk, (int64_t)mg[i].objective,
                          mg[i].cash_reserve, mg[i].name, mg[i].reason, mg[i].aid)
                : sq_err(err);
        if (rc == RA_OK)
            rc = sq_run(s, st, err);
    }
    ra_free(mg);
    return rc;
}

ra_status ra_store_mandate_attest(ra_store *s, const ra_store_actor *actor, int *written,
                                  ra_err *err)
{
    if (written)
        *written = 0;
    if (s->schema_version < RA_SCHEMA_MANDATE)
        return RA_OK;
    firm_row firm;
    ra_status rc = sq_write_start(s, actor, &firm, err);
    int64_t pending = 0, done = 0;
    if (rc == RA_OK)
        rc = sq_count(s, "SELECT COUNT(*) FROM ra_mandate_pending WHERE firm_id = ?", firm.id,
                      &pending, err);
    if (rc != RA_OK || !pending)
        return rc;
    const uint8_t *key = NULL;
    if ((rc = rs_get_audit_key(s, actor->firm, &key, err)) != RA_OK)
        return rc;
    if ((rc = sq_wbegin(s, err)) != RA_OK)
        return rc;
    ra_db_stmt *st = sq_prep(s, "SELECT COUNT(*) FROM audit_log WHERE firm = ? AND action = "
                                "'migrate' AND entity = 'book' AND entity_id = 'mandates'", err);
    rc = st && sq_bind(s, st, err, "t", actor->firm) == RA_OK ? sq_one(s, st, 0, &done, err)
                                                              : sq_err(err);
    if (rc == RA_OK && done)
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "the mandates of firm %s were recorded after "
                        "the upgrade already (audit trail): ra_mandate_pending was altered",
                        actor->firm);
    size_t n = 0;
    char *state = NULL;
    if (rc == RA_OK && !(state = rs_state_table(s, actor->firm, key, "mandates", &n, err)))
        rc = err && err->code ? err->code : RA_ENOMEM;
    if (rc == RA_OK)
        rc = rs_head_get(s, err);
    char after[96];
    snprintf(after, sizeof after, "{\"schema\":%d,\"groups\":%zu}", RA_SCHEMA_MANDATE, n);
    if (rc == RA_OK)
        rc = rs_audit_append_state(s, actor, key, "migrate", "book", "mandates", "null", after,
                                   state, err);
    ra_free(state);
    if (rc == RA_OK) {
        st = sq_prep(s, "DELETE FROM ra_mandate_pending WHERE firm_id = ?", err);
        rc = st ? sq_bind(s, st, err, "i", firm.id) : sq_err(err);
        if (rc == RA_OK)
            rc = sq_run(s, st, err);
    }
    rc = sq_wend(s, rc, err);
    if (rc == RA_OK && written)
        *written = 1;
    return rc;
}

ra_status ra_store_account_put_agent(ra_store *s, const ra_store_actor *actor, const ra_account *a,
                                     const char *agent_name, const char *reason, ra_err *err)
{
    s->pending_agent_name = agent_name;
    s->pending_reason = reason;
    ra_status rc = ra_store_account_put(s, actor, a, err);
    s->pending_agent_name = NULL;
    s->pending_reason = NULL;
    return rc;
}
