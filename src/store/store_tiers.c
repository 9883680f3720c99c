/* roboadvisor store: service tiers, routing rules and behaviour alerts
 * (include/roboadvisor/store_tiers.h; schema src/store/migrations/0017_tiers.sql; method
 * docs/methodology.md#service-tiers, #behaviour-alerts). What the cycle finds for an account is
 * written with the account's day (rs_tiers_day_put, called from store_cycle.c's account write, in
 * its transaction), keyed by the day so that a re-run writes nothing twice. */
#include "store/store_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/store_tiers.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIERS_WHAT "service tiers"

/* The start of a list of the firm's records (rs_list_begin) under this migration. */
static ra_status list_begin(ra_store *s, const char *firm, void *out, size_t *n, firm_row *f,
                            ra_err *err)
{
    return rs_list_begin(s, firm, RS_SCHEMA_TIERS, TIERS_WHAT, out, n, f, err);
}

static ra_status run_stmt(ra_store *s, ra_db_stmt *st, ra_status bound, ra_err *err)
{
    if (!st || bound != RA_OK || sq_run(s, st, err) != RA_OK)
        return sq_err(err);
    return RA_OK;
}

/* --- the alerts' thresholds ------------------------------------------------------------------ */

static ra_status settings_fn(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_behaviour_settings *x = ctx;
    (void)err;
    x->window_days = (int)sq_int(s, st, 0);
    x->max_instructions = (int)sq_int(s, st, 1);
    x->drawdown_sell = s->ops->col_double(st, 2);
    x->concentration = s->ops->col_double(st, 3);
    for (int k = 0; k < 5; k++)
        x->tolerance[k] = s->ops->col_double(st, 4 + k);
    return RA_OK;
}

ra_status ra_store_behaviour_settings(ra_store *s, const char *firm, ra_behaviour_settings *out,
                                      ra_err *err)
{
    ra_behaviour_settings_default(out);
    firm_row f;
    ra_status rc = sq_need_version(s, RS_SCHEMA_TIERS, TIERS_WHAT, err);
    if (rc == RA_OK)
        rc = sq_firm(s, firm, &f, err);
    if (rc == RA_OK)
        rc = sq_each(s, err, settings_fn, out, "SELECT window_days, max_instructions, "
                                                "drawdown_sell, concentration, tolerance1, "
                                                "tolerance2, tolerance3, tolerance4, tolerance5 "
                                                "FROM behaviour_settings WHERE firm_id = ?",
                     "i", f.id);
    return rc;
}

static json_t *settings_json(const ra_behaviour_settings *x)
{
    return json_pack("{s:i, s:i, s:f, s:f, s:[f, f, f, f, f]}", "window_days", x->window_days,
                     "max_instructions", x->max_instructions, "drawdown_sell", x->drawdown_sell,
                     "concentration", x->concentration, "tolerance", x->tolerance[0],
                     x->tolerance[1], x->tolerance[2], x->tolerance[3], x->tolerance[4]);
}

ra_status ra_store_behaviour_settings_set(ra_store *s, const ra_store_actor *actor,
                                          const ra_behaviour_settings *in, ra_err *err)
{
    ra_status rc = ra_behaviour_settings_validate(in, err);
    if (rc != RA_OK)
        return rc;
    firm_row f;
    int own = 0;
    rc = sq_scope_write_begin(s, actor, RS_SCHEMA_TIERS, TIERS_WHAT, &f, &own, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = sq_prep(s, "DELETE FROM behaviour_settings WHERE firm_id = ?", err);
    rc = run_stmt(s, st, st ? sq_bind(s, st, err, "i", f.id) : RA_EINVAL, err);
    st = rc == RA_OK ? sq_prep(s, "INSERT INTO behaviour_settings (firm_id, window_days, "
                                  "max_instructions, drawdown_sell, concentration, tolerance1, "
                                  "tolerance2, tolerance3, tolerance4, tolerance5, user_name, "
                                  "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err)
                     : NULL;
    if (rc == RA_OK)
        rc = run_stmt(s, st,
                      st ? sq_bind(s, st, err, "iiidddddddti", f.id, (int64_t)in->window_days,
                                   (int64_t)in->max_instructions, in->drawdown_sell,
                                   in->concentration, in->tolerance[0], in->tolerance[1],
                                   in->tolerance[2], in->tolerance[3], in->tolerance[4],
                                   actor->user, ra_store_now(s))
                         : RA_EINVAL,
                      err);
    if (rc == RA_OK)
        rc = rs_audit_change(s, rc, actor, "set", "behaviour_settings", actor->firm, NULL,
                             settings_json(in), err);
    return ra_store_scope_end(s, own, rc, err);
}

/* --- routing rules ---------------------------------------------------------------------------- */

static ra_status rule_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_tier_rule_rec *x = rs_vec_push(ctx);
    if (!x)
        return sq_nomem(err, "the routing rules");
    sq_copy(x->rule.code, sizeof x->rule.code, sq_text(s, st, 0));
    ra_tier_metric m = RA_TIER_ASSETS;
    if (ra_tier_metric_parse(sq_text(s, st, 1), &m, err) != RA_OK)
        return ra_err_set(err, RA_EINTERNAL, NULL, "stored routing rule %s has no known metric",
                          x->rule.code);
    x->rule.metric = (int)m;
    x->rule.threshold = s->ops->col_double(st, 2);
    x->rule.tier = (int)sq_int(s, st, 3);
    sq_copy(x->note, sizeof x->note, sq_text(s, st, 4));
    sq_copy(x->user, sizeof x->user, sq_text(s, st, 5));
    return RA_OK;
}

ra_status ra_store_tier_rules_list(ra_store *s, const char *firm, ra_tier_rule_rec **out,
                                   size_t *n, ra_err *err)
{
    firm_row f;
    ra_status rc = list_begin(s, firm, out, n, &f, err);
    rs_vec l = {NULL, 0, 0, sizeof **out};
    if (rc == RA_OK)
        rc = sq_each(s, err, rule_row, &l, "SELECT code, metric, threshold, tier, note, "
                                           "user_name FROM tier_rules WHERE firm_id = ? ORDER "
                                           "BY code", "i", f.id);
    return rs_list_end(rc, &l, out, n);
}

static json_t *rule_json(const ra_tier_rule *r, const char *note)
{
    return json_pack("{s:s, s:f, s:s, s:s}", "metric", ra_tier_metric_name(r->metric),
                     "threshold", r->threshold, "tier", ra_tier_name(r->tier), "note", note);
}

ra_status ra_store_tier_rule_put(ra_store *s, const ra_store_actor *actor, const ra_tier_rule *r,
                                 const char *note, ra_err *err)
{
    const char *nt = note ? note : "";
    ra_status rc = ra_tier_rule_validate(r, err);
    if (rc == RA_OK)
        rc = sq_check_code(r->code, "routing rule", 1, err);
    if (rc == RA_OK)
        rc = sq_check_str(nt, RA_TIER_NOTE_MAX, "note", 0, err);
    if (rc != RA_OK)
        return rc;
    firm_row f;
    int own = 0;
    rc = sq_scope_write_begin(s, actor, RS_SCHEMA_TIERS, TIERS_WHAT, &f, &own, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = sq_prep(s, "DELETE FROM tier_rules WHERE firm_id = ? AND code = ?", err);
    rc = run_stmt(s, st, st ? sq_bind(s, st, err, "it", f.id, r->code) : RA_EINVAL, err);
    st = rc == RA_OK ? sq_prep(s, "INSERT INTO tier_rules (firm_id, code, metric, threshold, "
                                  "tier, note, user_name, updated_at) VALUES (?, ?, ?, ?, ?, ?, "
                                  "?, ?)", err)
                     : NULL;
    if (rc == RA_OK)
        rc = run_stmt(s, st,
                      st ? sq_bind(s, st, err, "ittditti", f.id, r->code,
                                   ra_tier_metric_name(r->metric), r->threshold,
                                   (int64_t)r->tier, nt, actor->user, ra_store_now(s))
                         : RA_EINVAL,
                      err);
    if (rc == RA_OK)
        rc = rs_audit_change(s, rc, actor, "set", "tier_rule", r->code, NULL, rule_json(r, nt),
                             err);
    return ra_store_scope_end(s, own, rc, err);
}

ra_status ra_store_tier_rule_delete(ra_store *s, const ra_store_actor *actor, const char *code,
                                    ra_err *err)
{
    firm_row f;
    int own = 0;
    ra_status rc = sq_scope_write_begin(s, actor, RS_SCHEMA_TIERS, TIERS_WHAT, &f, &own, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = sq_prep(s, "DELETE FROM tier_rules WHERE firm_id = ? AND code = ?", err);
    if (!st || sq_bind(s, st, err, "it", f.id, code) != RA_OK || sq_run_now(s, st, err) != RA_OK)
        rc = sq_err(err);
    if (rc == RA_OK && s->ops->changes(st) == 0)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no routing rule %s in firm %s", code,
                        actor->firm);
    if (rc == RA_OK)
        rc = rs_audit_change(s, rc, actor, "delete", "tier_rule", code, NULL, json_null(), err);
    return ra_store_scope_end(s, own, rc, err);
}

/* --- clients' tiers --------------------------------------------------------------------------- */

static ra_status tier_insert(ra_store *s, const ra_store_actor *actor, int64_t client,
                             const char *client_code, int tier, ra_date from, const char *source,
                             const char *rule, const char *data, const char *note, ra_err *err)
{
    ra_db_stmt *st = sq_prep(s, "INSERT INTO client_tiers (client_id, day_from, tier, source, "
                                "rule, data, user_name, note, created_at) VALUES (?, ?, ?, ?, ?, "
                                "?, ?, ?, ?)", err);
    ra_status rc = run_stmt(s, st,
                            st ? sq_bind(s, st, err, "iiittttti", client, (int64_t)from,
                                         (int64_t)tier, source, rule, data, actor->user, note,
                                         ra_store_now(s))
                               : RA_EINVAL,
                            err);
    char db[11];
    return rs_audit_change(s, rc, actor, source, "tier", client_code, NULL,
                           json_pack("{s:s, s:s, s:s, s:s, s:s}", "tier", ra_tier_name(tier),
                                     "from", ra_date_format(from, db), "rule", rule, "data",
                                     data, "note", note),
                           err);
}

ra_status ra_store_tier_set(ra_store *s, const ra_store_actor *actor, const char *client,
                            int tier, ra_date day_from, const char *note, ra_err *err)
{
    if (!ra_tier_name(tier))
        return ra_err_set(err, RA_EINVAL, NULL, "tier %d out of range", tier);
    ra_status rc = sq_check_str(note ? note : "", RA_TIER_NOTE_MAX, "note", 1, err);
    if (rc != RA_OK)
        return rc;
    firm_row f;
    int own = 0;
    rc = sq_scope_write_begin(s, actor, RS_SCHEMA_TIERS, TIERS_WHAT, &f, &own, err);
    if (rc != RA_OK)
        return rc;
    int64_t cid = 0, last = 0;
    rc = sq_id_of(s, SQ_CLIENT_ID, f.id, client, "client", &cid, err);
    /* a day the cycle ran keeps the tier it ran with (its replay recomputes it) */
    ra_db_stmt *st = rc == RA_OK ? sq_prep(s, "SELECT COALESCE(MAX(day), 0) FROM cycle_runs "
                                              "WHERE firm_id = ?", err)
                                 : NULL;
    if (rc == RA_OK && (!st || sq_bind(s, st, err, "i", f.id) != RA_OK ||
                        sq_one(s, st, 0, &last, err) != RA_OK))
        rc = sq_err(err);
    if (rc == RA_OK && day_from == 0) {
        int64_t today = ra_store_now(s) / 86400;
        day_from = (ra_date)(last >= today ? last + 1 : today);
    }
    char db[11];
    if (rc == RA_OK && day_from <= last)
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "the cycle has run on %s already: a tier takes "
                        "effect from a day not run yet", ra_date_format((ra_date)last, db));
    if (rc == RA_OK)
        rc = tier_insert(s, actor, cid, client, tier, day_from, "set", "", "", note, err);
    return ra_store_scope_end(s, own, rc, err);
}

static ra_status tier_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_tier_rec *x = rs_vec_push(ctx);
    if (!x)
        return sq_nomem(err, "the tiers");
    sq_copy(x->client, sizeof x->client, sq_text(s, st, 0));
    x->tier = (int)sq_int(s, st, 1);
    x->day_from = (ra_date)sq_int(s, st, 2);
    sq_copy(x->source, sizeof x->source, sq_text(s, st, 3));
    sq_copy(x->rule, sizeof x->rule, sq_text(s, st, 4));
    sq_copy(x->data, sizeof x->data, sq_text(s, st, 5));
    sq_copy(x->user, sizeof x->user, sq_text(s, st, 6));
    sq_copy(x->note, sizeof x->note, sq_text(s, st, 7));
    return RA_OK;
}

/* The version of client c in effect on day ?: the latest with day_from <= the day. */
#define TIER_OF(c, d)                                                                              \
    "(SELECT t.id FROM client_tiers t WHERE t.client_id = " c " AND t.day_from <= " d " ORDER BY " \
    "t.day_from DESC, t.id DESC LIMIT 1)"

ra_status ra_store_tiers_list(ra_store *s, const char *firm, const char *client, ra_date date,
                              ra_tier_rec **out, size_t *n, ra_err *err)
{
    firm_row f;
    ra_status rc = list_begin(s, firm, out, n, &f, err);
    rs_vec l = {NULL, 0, 0, sizeof **out};
    if (rc == RA_OK && client && client[0])
        rc = sq_each(s, err, tier_row, &l,
                     "SELECT c.code, t.tier, t.day_from, t.source, t.rule, t.data, t.user_name, "
                     "t.note FROM client_tiers t JOIN clients c ON c.id = t.client_id WHERE "
                     "c.firm_id = ? AND c.code = ? ORDER BY t.day_from, t.id", "it", f.id,
                     client);
    else if (rc == RA_OK)
        rc = sq_each(s, err, tier_row, &l,
                     "SELECT c.code, COALESCE(t.tier, 0), COALESCE(t.day_from, 0), "
                     "COALESCE(t.source, ''), COALESCE(t.rule, ''), COALESCE(t.data, ''), "
                     "COALESCE(t.user_name, ''), COALESCE(t.note, '') FROM clients c LEFT JOIN "
                     "client_tiers t ON t.id = " TIER_OF("c.id", "?") " WHERE c.firm_id = ? "
                     "ORDER BY c.code", "ii", (int64_t)date, f.id);
    return rs_list_end(rc, &l, out, n);
}

/* --- the advisor's queue ---------------------------------------------------------------------- */

static ra_status queue_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_queue_item *x = rs_vec_push(ctx);
    if (!x)
        return sq_nomem(err, "the queue");
    sq_copy(x->proposal, sizeof x->proposal, sq_text(s, st, 0));
    sq_copy(x->account, sizeof x->account, sq_text(s, st, 1));
    sq_copy(x->client, sizeof x->client, sq_text(s, st, 2));
    sq_copy(x->advisor, sizeof x->advisor, sq_text(s, st, 3));
    x->date = (ra_date)sq_int(s, st, 4);
    sq_copy(x->status, sizeof x->status, sq_text(s, st, 5));
    x->discretionary = (int)sq_int(s, st, 6);
    x->tier = (int)sq_int(s, st, 7);
    x->value_minor = sq_int(s, st, 8);
    return RA_OK;
}

ra_status ra_store_queue(ra_store *s, const char *firm, ra_queue_item **out, size_t *n,
                         ra_err *err)
{
    firm_row f;
    ra_status rc = list_begin(s, firm, out, n, &f, err);
    rs_vec l = {NULL, 0, 0, sizeof **out};
    if (rc == RA_OK)
        rc = sq_each(s, err, queue_row, &l,
                     "SELECT p.code, a.code, c.code, COALESCE(v.code, ''), p.day, p.status, "
                     "p.discretionary, COALESCE((SELECT t.tier FROM client_tiers t WHERE t.id = "
                     TIER_OF("c.id", "p.day") "), 0) AS tier, p.value_minor FROM proposals p "
                     "JOIN accounts a ON a.id = p.account_id JOIN clients c ON c.id = "
                     "a.client_id LEFT JOIN advisors v ON v.id = c.advisor_id WHERE p.firm_id = "
                     "? AND p.status IN ('pending', 'confirming') ORDER BY tier DESC, p.day, "
                     "p.code", "i", f.id);
    return rs_list_end(rc, &l, out, n);
}

/* --- alerts ----------------------------------------------------------------------------------- */

static int alert_kind(const char *name)
{
    for (int k = 0; k < RA_ALERT_N; k++)
        if (strcmp(name, ra_alert_name(k)) == 0)
            return k;
    return -1;
}

static ra_status alert_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_alert_rec *x = rs_vec_push(ctx);
    if (!x)
        return sq_nomem(err, "the alerts");
    sq_copy(x->account, sizeof x->account, sq_text(s, st, 0));
    x->kind = alert_kind(sq_text(s, st, 1));
    x->date = (ra_date)sq_int(s, st, 2);
    x->closed = (ra_date)sq_int(s, st, 3);
    x->observed = s->ops->col_double(st, 4);
    x->threshold = s->ops->col_double(st, 5);
    sq_copy(x->detail, sizeof x->detail, sq_text(s, st, 6));
    return RA_OK;
}

ra_status ra_store_alerts_list(ra_store *s, const char *firm, const char *account,
                               ra_alert_rec **out, size_t *n, ra_err *err)
{
    firm_row f;
    ra_status rc = list_begin(s, firm, out, n, &f, err);
    rs_vec l = {NULL, 0, 0, sizeof **out};
    const char *acc = account ? account : "";
    if (rc == RA_OK)
        rc = sq_each(s, err, alert_row, &l,
                     /* one account's by its index (the OR form reads the firm's every alert) */
                     acc[0] ? "SELECT a.code, x.kind, x.day, x.closed_day, x.observed, x.threshold, "
                              "x.detail FROM behaviour_alerts x JOIN accounts a ON a.id = "
                              "x.account_id WHERE a.firm_id = ? AND ? <> '' AND a.code = ? ORDER "
                              "BY x.day, a.code, x.kind"
                            : "SELECT a.code, x.kind, x.day, x.closed_day, x.observed, x.threshold, "
                              "x.detail FROM behaviour_alerts x JOIN accounts a ON a.id = "
                              "x.account_id WHERE a.firm_id = ? AND (? = '' OR a.code = ?) ORDER "
                              "BY x.day, a.code, x.kind",
                     "itt", f.id, acc, acc);
    return rs_list_end(rc, &l, out, n);
}

/* --- what a day's run reads ------------------------------------------------------------------- */

static int by_account(const void *k, const void *e)
{
    int64_t a = *(const int64_t *)k, b = ((const ra_tiers_account *)e)->account_id;
    return (a > b) - (a < b);
}

const ra_tiers_account *ra_tiers_find(const ra_tiers_account *v, size_t n, int64_t account_id)
{
    return n ? bsearch(&account_id, v, n, sizeof *v, by_account) : NULL;
}

typedef struct day_ctx {
    rs_vec l;
    int what;
} day_ctx;

static ra_status day_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    day_ctx *c = ctx;
    if (c->what == 0) {
        ra_tiers_account *x = rs_vec_push(&c->l);
        if (!x)
            return sq_nomem(err, "the accounts' tiers");
        x->account_id = sq_int(s, st, 0);
        x->client_id = sq_int(s, st, 1);
        return RA_OK;
    }
    ra_tiers_account *x = (ra_tiers_account *)ra_tiers_find(c->l.v, c->l.n, sq_int(s, st, 0));
    if (!x)
        return RA_OK;
    if (c->what == 1) {
        x->instructions = (int)sq_int(s, st, 1);
        x->withdrawal_today = sq_int(s, st, 2) > 0;
        x->withdrawal_minor = sq_int(s, st, 3);
    } else if (c->what == 2)
        x->peak_minor = sq_int(s, st, 1);
    else {
        int k = alert_kind(sq_text(s, st, 1));
        if (k >= 0)
            x->open |= 1u << k;
    }
    return RA_OK;
}

typedef struct client_tier {
    int64_t client_id;
    int tier;
} client_tier;

static ra_status client_tier_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    client_tier *x = rs_vec_push(ctx);
    if (!x)
        return sq_nomem(err, "the clients' tiers");
    x->client_id = sq_int(s, st, 0);
    x->tier = (int)sq_int(s, st, 1);
    return RA_OK;
}

static int by_id(const void *k, const void *e)
{
    int64_t a = *(const int64_t *)k, b = ((const client_tier *)e)->client_id;
    return (a > b) - (a < b);
}

ra_status ra_store_tiers_day(ra_store *s, const char *firm, ra_date date, int window_days,
                             ra_tiers_account **out, size_t *n, ra_err *err)
{
    firm_row f;
    day_ctx c = {{NULL, 0, 0, sizeof **out}, 0};
    ra_status rc = list_begin(s, firm, out, n, &f, err);
    int64_t d = date;
    if (rc == RA_OK) /* the accounts and their clients */
        rc = sq_each(s, err, day_row, &c, "SELECT a.id, a.client_id FROM accounts a WHERE "
                                          "a.firm_id = ? ORDER BY a.id", "i", f.id);
    /* the tiers of the clients that have one on D (most have none: digital), by client */
    rs_vec tv = {NULL, 0, 0, sizeof(client_tier)};
    if (rc == RA_OK)
        rc = sq_each(s, err, client_tier_row, &tv,
                     "SELECT c.id, t.tier FROM clients c JOIN client_tiers t ON t.id = "
                     TIER_OF("c.id", "?") " WHERE c.firm_id = ? AND EXISTS (SELECT 1 FROM "
                     "client_tiers u WHERE u.client_id = c.id) ORDER BY c.id", "ii", d, f.id);
    for (size_t i = 0; rc == RA_OK && tv.n && i < c.l.n; i++) {
        ra_tiers_account *x = (ra_tiers_account *)c.l.v + i;
        const client_tier *ct = bsearch(&x->client_id, tv.v, tv.n, sizeof(client_tier), by_id);
        x->tier = ct ? ct->tier : RA_TIER_DIGITAL;
    }
    ra_free(tv.v);
    c.what = 1; /* the clients' instructions within the window (the instructions' due dates) */
    if (rc == RA_OK)
        rc = sq_each(s, err, day_row, &c,
                     "SELECT x.account_id, SUM(CASE WHEN x.source = 'client' THEN 1 ELSE 0 END), "
                     "SUM(CASE WHEN x.due = ? AND x.kind = 'withdrawal' AND x.source = 'client' "
                     "THEN 1 ELSE 0 END), SUM(CASE WHEN x.due = ? AND x.kind = 'withdrawal' THEN "
                     "x.amount_minor ELSE 0 END) FROM instructions x JOIN accounts a ON a.id = "
                     "x.account_id WHERE a.firm_id = ? AND x.due > ? AND x.due <= ? AND "
                     "x.cancelled_by = '' GROUP BY x.account_id", "iiiii", d, d, f.id,
                     d - window_days, d);
    c.what = 2; /* the accounts in a drawdown */
    if (rc == RA_OK)
        rc = sq_each(s, err, day_row, &c,
                     "SELECT x.account_id, x.peak_minor FROM account_peaks x JOIN accounts a ON "
                     "a.id = x.account_id WHERE a.firm_id = ?", "i", f.id);
    c.what = 3; /* the episodes open before D (closed on D or later, or not closed) */
    if (rc == RA_OK)
        rc = sq_each(s, err, day_row, &c,
                     "SELECT x.account_id, x.kind FROM behaviour_alerts x JOIN accounts a ON "
                     "a.id = x.account_id WHERE a.firm_id = ? AND x.day < ? AND (x.closed_day = "
                     "0 OR x.closed_day >= ?)", "iii", f.id, d, d);
    return rs_list_end(rc, &c.l, out, n);
}

/* --- what it writes ----------------------------------------------------------------------------- */

ra_status rs_tiers_day_put(ra_store *s, const ra_store_actor *actor, int64_t acc,
                           const ra_tiers_day *t, ra_err *err)
{
    ra_status rc = sq_need_version(s, RS_SCHEMA_TIERS, TIERS_WHAT, err);
    int64_t d = t->date;
    ra_db_stmt *st = NULL;
    if (rc == RA_OK && t->peak_op > 0) {
        st = sq_prep(s, "INSERT INTO account_peaks (account_id, peak_minor, since_day) VALUES "
                        "(?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET peak_minor = "
                        "excluded.peak_minor", err);
        rc = run_stmt(s, st, st ? sq_bind(s, st, err, "iii", acc, t->peak_minor, d) : RA_EINVAL,
                      err);
    } else if (rc == RA_OK && t->peak_op < 0) {
        st = sq_prep(s, "DELETE FROM account_peaks WHERE account_id = ?", err);
        rc = run_stmt(s, st, st ? sq_bind(s, st, err, "i", acc) : RA_EINVAL, err);
    }
    for (int k = 0; rc == RA_OK && k < RA_ALERT_N; k++) {
        if (t->raise & (1u << k)) {
            st = sq_prep(s, "INSERT INTO behaviour_alerts (account_id, kind, day, observed, "
                            "threshold, detail) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
                            "(account_id, kind, day) DO NOTHING", err);
            rc = run_stmt(s, st,
                          st ? sq_bind(s, st, err, "itiddt", acc, ra_alert_name(k), d,
                                       t->observed[k], t->limit[k], t->detail[k])
                             : RA_EINVAL,
                          err);
        } else if (t->close & (1u << k)) {
            st = sq_prep(s, "UPDATE behaviour_alerts SET closed_day = ? WHERE account_id = ? AND "
                            "kind = ? AND closed_day = 0 AND day < ?", err);
            rc = run_stmt(s, st, st ? sq_bind(s, st, err, "iiti", d, acc, ra_alert_name(k), d)
                                    : RA_EINVAL,
                          err);
        }
    }
    if (rc == RA_OK && t->move) {
        char code[RA_CODE_MAX] = "";
        int r = sq_query(s, &st, err, "SELECT code FROM clients WHERE id = ?", "i",
                         t->client_id);
        if (r == RA_DB_ROW) {
            sq_copy(code, sizeof code, sq_text(s, st, 0));
            s->ops->reset(st);
        } else if (r < 0)
            rc = sq_err(err);
        /* once per client and day: a re-run, or a second account of the client, adds nothing */
        int64_t have = 0;
        st = rc == RA_OK ? sq_prep(s, "SELECT COUNT(*) FROM client_tiers WHERE client_id = ? AND "
                                      "day_from = ? AND source = 'rule'", err)
                         : NULL;
        if (rc == RA_OK && (!st || sq_bind(s, st, err, "ii", t->client_id, d + 1) != RA_OK ||
                            sq_one(s, st, 0, &have, err) != RA_OK))
            rc = sq_err(err);
        if (rc == RA_OK && !have)
            rc = tier_insert(s, actor, t->client_id, code, t->tier_to, t->date + 1, "rule",
                             t->rule, t->data, "", err);
    }
    return rc;
}
