/* roboadvisor store: risk limits (include/roboadvisor/store_risk.h; schema
 * src/store/migrations/0011_risk.sql; method docs/methodology.md#risk-limits). A crossing of an
 * account's loss limit is written with the account's day by the daily cycle (rs_risk_day_put,
 * called from store_cycle.c's account write, in its transaction): the suspension, the account's
 * open orders cancelled and the two notifications, all keyed by the day so that nothing is
 * written twice. */
#include "store/store_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/store_cycle.h>
#include <roboadvisor/store_risk.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* The start of a list of the firm's records (rs_list_begin) under this migration. */
static ra_status list_begin(ra_store *s, const char *firm, void *out, size_t *n, firm_row *f,
                            ra_err *err)
{
    return rs_list_begin(s, firm, RS_SCHEMA_RISK, "risk limits", out, n, f, err);
}

/* --- what a day's run reads ------------------------------------------------------------------- */

/* The latest re-authorisation of an account effective on day D (its base day before D) gives the
 * base; the flows after its base day and up to D are added (docs/methodology.md#risk-limits). */
#define RISK_ACCOUNTS_SQL                                                                          \
    "SELECT a.id, COALESCE(b.base_minor, 0) + COALESCE(SUM(CASE WHEN t.kind = 1 THEN "            \
    "t.amount_minor WHEN t.kind = 2 THEN -t.amount_minor ELSE 0 END), 0), "                       \
    "(SELECT COUNT(*) FROM suspensions x WHERE x.account_id = a.id AND x.day < ? AND NOT "        \
    "(x.reauthorised_by <> '' AND x.base_day < ?)) FROM accounts a LEFT JOIN (SELECT "            \
    "r.account_id, r.base_day, r.base_minor FROM suspensions r WHERE r.reauthorised_by <> '' "   \
    "AND r.base_day < ? AND NOT EXISTS (SELECT 1 FROM suspensions q WHERE q.account_id = "        \
    "r.account_id AND q.reauthorised_by <> '' AND q.base_day < ? AND q.id > r.id)) b ON "         \
    "b.account_id = a.id LEFT JOIN txns t ON t.account_id = a.id AND t.kind IN (1, 2) AND "       \
    "t.day <= ? AND t.day > COALESCE(b.base_day, -2147483647) WHERE a.firm_id = ? GROUP BY "      \
    "a.id, b.base_minor ORDER BY a.id"

static ra_status acc_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_risk_account *x = rs_vec_push(ctx);
    if (!x)
        return sq_nomem(err, "the accounts' risk figures");
    x->account_id = sq_int(s, st, 0);
    x->entrusted_minor = sq_int(s, st, 1);
    x->suspended = sq_int(s, st, 2) > 0;
    return RA_OK;
}

ra_status ra_store_risk_accounts(ra_store *s, const char *firm, ra_date date,
                                 ra_risk_account **out, size_t *n, ra_err *err)
{
    firm_row f;
    ra_status rc = list_begin(s, firm, out, n, &f, err);
    rs_vec l = {NULL, 0, 0, sizeof **out};
    int64_t d = date;
    if (rc == RA_OK)
        rc = sq_each(s, err, acc_row, &l, RISK_ACCOUNTS_SQL, "iiiiii", d, d, d, d, d, f.id);
    return rs_list_end(rc, &l, out, n);
}

/* --- the firm's market close ------------------------------------------------------------------ */

typedef struct settings_row {
    int minute;
    char zone[RA_RISK_ZONE_MAX];
} settings_row;

static ra_status settings_fn(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    settings_row *r = ctx;
    (void)err;
    r->minute = (int)sq_int(s, st, 0);
    sq_copy(r->zone, sizeof r->zone, sq_text(s, st, 1));
    return RA_OK;
}

ra_status ra_store_risk_settings(ra_store *s, const char *firm, int *minute,
                                 char zone[RA_RISK_ZONE_MAX], ra_err *err)
{
    settings_row r = {RA_RISK_CLOSE_DEFAULT_MINUTE, RA_RISK_ZONE_DEFAULT};
    firm_row f;
    ra_status rc = sq_need_version(s, RS_SCHEMA_RISK, "risk limits", err);
    if (rc == RA_OK)
        rc = sq_firm(s, firm, &f, err);
    if (rc == RA_OK)
        rc = sq_each(s, err, settings_fn, &r, "SELECT close_minute, zone FROM risk_settings "
                                              "WHERE firm_id = ?", "i", f.id);
    *minute = r.minute;
    memcpy(zone, r.zone, RA_RISK_ZONE_MAX);
    return rc;
}

ra_status ra_store_risk_settings_set(ra_store *s, const ra_store_actor *actor, int minute,
                                     const char *zone, ra_err *err)
{
    int64_t when = 0;
    ra_status rc = ra_risk_close_utc(0, minute, zone, &when, err); /* checks both */
    if (rc != RA_OK)
        return rc;
    firm_row f;
    int own = 0;
    rc = sq_scope_write_begin(s, actor, RS_SCHEMA_RISK, "risk limits", &f, &own, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = sq_prep(s, "DELETE FROM risk_settings WHERE firm_id = ?", err);
    if (!st || sq_bind(s, st, err, "i", f.id) != RA_OK || sq_run(s, st, err) != RA_OK)
        rc = sq_err(err);
    st = rc == RA_OK ? sq_prep(s, "INSERT INTO risk_settings (firm_id, close_minute, zone, "
                                  "user_name, updated_at) VALUES (?, ?, ?, ?, ?)", err)
                     : NULL;
    if (rc == RA_OK && (!st || sq_bind(s, st, err, "iitti", f.id, (int64_t)minute, zone,
                                       actor->user, ra_store_now(s)) != RA_OK ||
                        sq_run(s, st, err) != RA_OK))
        rc = sq_err(err);
    if (rc == RA_OK)
        rc = rs_audit_change(s, rc, actor, "set", "risk_settings", actor->firm, NULL,
                             json_pack("{s:i, s:s}", "close_minute", minute, "zone", zone), err);
    return ra_store_scope_end(s, own, rc, err);
}

/* --- a crossing, with the account's day -------------------------------------------------------- */

static ra_status code_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    char *x = rs_vec_push(ctx);
    if (!x)
        return sq_nomem(err, "the open orders");
    sq_copy(x, RA_CYCLE_ID_MAX, sq_text(s, st, 0));
    return RA_OK;
}

typedef struct who_row {
    char client[RA_CODE_MAX], advisor[RA_CODE_MAX];
    int digits;
    char currency[4];
} who_row;

static ra_status who_fn(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    who_row *w = ctx;
    (void)err;
    sq_copy(w->client, sizeof w->client, sq_text(s, st, 0));
    sq_copy(w->advisor, sizeof w->advisor, sq_text(s, st, 1));
    w->digits = (int)sq_int(s, st, 2);
    sq_copy(w->currency, sizeof w->currency, sq_text(s, st, 3));
    return RA_OK;
}

/* When a crossing was found, for messages: "the close of D" or "HH:MM on D" (intraday). */
static const char *when_text(const ra_risk_crossing *c, char out[40])
{
    char db[11];
    ra_date_format(c->date, db);
    if (c->intraday)
        snprintf(out, 40, "%02d:%02d on %s", c->at_minute / 60 % 100, c->at_minute % 60, db);
    else
        snprintf(out, 40, "the close of %s", db);
    return out;
}

static ra_status notify(ra_store *s, int64_t acc, const char *account, const ra_risk_crossing *c,
                        const char *rule, const char *recipient, const char *to,
                        const char *message, ra_err *err)
{
    char db[11], code[RA_RISK_CODE_MAX], kind[64];
    snprintf(code, sizeof code, "N-%s-%.47s%s%.40s-%s", ra_date_format(c->date, db), account,
             rule ? "-" : "", rule ? rule : "", recipient);
    snprintf(kind, sizeof kind, "%s%.47s", rule ? "rule:" : "loss_limit", rule ? rule : "");
    ra_db_stmt *st = sq_prep(s, "INSERT INTO notifications (account_id, code, day, recipient, "
                                "recipient_code, kind, message, due_at, created_at) VALUES (?, ?, "
                                "?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, code) DO NOTHING",
                             err);
    if (!st || sq_bind(s, st, err, "itittttii", acc, code, (int64_t)c->date, recipient, to, kind,
                       message, c->due_at, ra_store_now(s)) != RA_OK ||
        sq_run(s, st, err) != RA_OK)
        return sq_err(err);
    return RA_OK;
}

/* The client's and the advisor's notification. */
static ra_status notify_both(ra_store *s, int64_t acc, const char *account,
                             const ra_risk_crossing *c, const char *rule, const who_row *w,
                             const char *message, ra_err *err)
{
    ra_status rc = notify(s, acc, account, c, rule, "client", w->client, message, err);
    return rc == RA_OK ? notify(s, acc, account, c, rule, "advisor", w->advisor, message, err)
                       : rc;
}

/* The account's open orders cancelled and the suspension recorded (kind "loss_limit" or
 * "rule:CODE"); *cancelled counts the orders. */
static ra_status suspend(ra_store *s, const ra_store_actor *actor, int64_t acc,
                         const ra_risk_crossing *c, const char *kind, int64_t *cancelled,
                         ra_err *err)
{
    rs_vec o = {NULL, 0, 0, RA_CYCLE_ID_MAX};
    ra_status rc = sq_each(s, err, code_row, &o, "SELECT code FROM orders WHERE account_id = ? "
                                                 "AND status IN ('open', 'partial') ORDER BY id",
                           "i", acc);
    char wt[40], reason[160];
    snprintf(reason, sizeof reason, "%s at %s: trading suspended",
             c->crossed ? "loss limit crossed" : kind, when_text(c, wt));
    for (size_t i = 0; rc == RA_OK && i < o.n; i++)
        rc = ra_store_order_cancel(s, actor, (const char *)o.v + i * RA_CYCLE_ID_MAX, reason,
                                   err);
    ra_free(o.v);
    *cancelled = (int64_t)o.n;
    /* and its proposals still waiting for a decision lapse: none is approved later against the
     * prices of before the suspension */
    if (rc == RA_OK)
        rc = rs_proposals_lapse(s, actor, acc, c->date + 1, reason, err);
    ra_db_stmt *st = rc == RA_OK ? sq_prep(s, "INSERT INTO suspensions (account_id, day, kind, "
                                              "loss_limit, entrusted_minor, value_minor, "
                                              "loss_minor, orders_cancelled) VALUES (?, ?, ?, ?, "
                                              "?, ?, ?, ?) ON CONFLICT (account_id, day) DO "
                                              "NOTHING", err)
                                 : NULL;
    if (rc == RA_OK && (!st || sq_bind(s, st, err, "iitdiiii", acc, (int64_t)c->date, kind,
                                       c->loss_limit, c->loss.entrusted_minor,
                                       c->loss.value_minor, c->loss.loss_minor,
                                       *cancelled) != RA_OK ||
                        sq_run(s, st, err) != RA_OK))
        rc = sq_err(err);
    return rc;
}

ra_status rs_risk_day_put(ra_store *s, const ra_store_actor *actor, int64_t acc,
                          const char *account, const ra_risk_crossing *c, ra_err *err)
{
    who_row w;
    memset(&w, 0, sizeof w);
    ra_status rc = sq_need_version(s, RS_SCHEMA_RISK, "risk limits", err);
    if (rc == RA_OK)
        rc = sq_each(s, err, who_fn, &w, "SELECT c.code, COALESCE(v.code, ''), a.minor_digits, "
                                         "a.currency FROM accounts a JOIN clients c ON c.id = "
                                         "a.client_id LEFT JOIN advisors v ON v.id = "
                                         "c.advisor_id WHERE a.id = ?", "i", acc);
    /* a suspension: the loss limit's, else the first rule's that suspends */
    char kind[64] = "";
    if (c->crossed)
        snprintf(kind, sizeof kind, "loss_limit");
    for (size_t i = 0; !kind[0] && i < c->n_firings; i++)
        if (c->firings[i].action == RA_RISK_SUSPEND)
            snprintf(kind, sizeof kind, "rule:%.47s", c->firings[i].rule);
    int64_t cancelled = 0;
    if (rc == RA_OK && kind[0])
        rc = suspend(s, actor, acc, c, kind, &cancelled, err);
    char db[11], wt[40], m1[32], m2[32], msg[RA_RISK_MESSAGE_MAX];
    ra_date_format(c->date, db);
    when_text(c, wt);
    if (rc == RA_OK && c->crossed) {
        snprintf(msg, sizeof msg, "account %.47s lost %s %s of the %s %s entrusted (loss limit "
                 "%.4g %%) at %s: automated trading suspended until re-authorised",
                 account, ra_money_format_minor(c->loss.loss_minor, w.digits, m1, sizeof m1),
                 w.currency,
                 ra_money_format_minor(c->loss.entrusted_minor, w.digits, m2, sizeof m2),
                 w.currency, c->loss_limit * 100.0, wt);
        rc = notify_both(s, acc, account, c, NULL, &w, msg, err);
    }
    for (size_t i = 0; rc == RA_OK && i < c->n_firings; i++) {
        const ra_risk_firing *f = &c->firings[i];
        /* intraday (0014_monitor.sql): with the snapshot's minute, price and the value */
        ra_db_stmt *st = c->intraday
            ? sq_prep(s, "INSERT INTO rule_firings (account_id, day, rule, cond, action, "
                         "observed, subject, at_minute, price, value_minor) VALUES (?, ?, ?, ?, "
                         "?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, day, rule) DO NOTHING", err)
            : sq_prep(s, "INSERT INTO rule_firings (account_id, day, rule, cond, action, "
                         "observed, subject) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
                         "(account_id, day, rule) DO NOTHING", err);
        if (!st || sq_bind(s, st, err, c->intraday ? "iitttdtiii" : "iitttdt", acc,
                           (int64_t)c->date, f->rule, f->when, f->then, f->observed, f->subject,
                           (int64_t)c->at_minute, f->price, c->loss.value_minor) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
        if (rc == RA_OK && (f->action == RA_RISK_NOTIFY || f->action == RA_RISK_SUSPEND)) {
            snprintf(msg, sizeof msg, "rule %.47s (%.100s, observed %.6g%s%.47s) fired on "
                     "account %.47s at %s: %s", f->rule, f->when, f->observed,
                     f->subject[0] ? " for " : "", f->subject, account, wt,
                     f->action == RA_RISK_SUSPEND ? "automated trading suspended until "
                                                    "re-authorised"
                                                  : "please review");
            rc = notify_both(s, acc, account, c, f->rule, &w, msg, err);
        }
    }
    if (rc == RA_OK) {
        json_t *after = json_pack("{s:s, s:s, s:b, s:f, s:I, s:I, s:I, s:I, s:I}", "date", db,
                                  "suspension", kind, "loss_limit_crossed", c->crossed,
                                  "loss_limit", c->loss_limit,
                                  "entrusted_minor", (json_int_t)c->loss.entrusted_minor,
                                  "value_minor", (json_int_t)c->loss.value_minor, "loss_minor",
                                  (json_int_t)c->loss.loss_minor, "orders_cancelled",
                                  (json_int_t)cancelled, "due_at", (json_int_t)c->due_at);
        json_t *fired = json_array();
        for (size_t i = 0; i < c->n_firings; i++)
            json_array_append_new(fired, json_pack("{s:s, s:s, s:s, s:f, s:s}", "rule",
                                                   c->firings[i].rule, "when",
                                                   c->firings[i].when, "then",
                                                   c->firings[i].then, "observed",
                                                   isfinite(c->firings[i].observed)
                                                       ? c->firings[i].observed
                                                       : 0.0,
                                                   "subject", c->firings[i].subject));
        rs_jset(after, "rules_fired", fired);
        if (c->intraday) /* the snapshot that triggered it, and its prices of the subjects */
            rs_jset(after, "at_minute", json_integer(c->at_minute));
        for (size_t i = 0; c->intraday && i < c->n_firings; i++)
            json_object_set_new(json_array_get(fired, i), "price",
                                json_integer((json_int_t)c->firings[i].price));
        rc = rs_audit_change(s, rc, actor, kind[0] ? "suspend" : "fire", "risk", account, NULL,
                             after, err);
    }
    return rc;
}

/* --- suspensions and re-authorisation ---------------------------------------------------------- */

#define SUSP_COLS                                                                                  \
    "SELECT a.code, x.day, x.kind, x.loss_limit, x.entrusted_minor, x.value_minor, x.loss_minor, " \
    "x.orders_cancelled, x.reauthorised_by, x.reauthorised_note, x.reauthorised_at, x.base_day, " \
    "x.base_minor FROM suspensions x JOIN accounts a ON a.id = x.account_id "

static ra_status susp_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_suspension *x = rs_vec_push(ctx);
    if (!x)
        return sq_nomem(err, "the suspensions");
    sq_copy(x->account, sizeof x->account, sq_text(s, st, 0));
    x->date = (ra_date)sq_int(s, st, 1);
    sq_copy(x->kind, sizeof x->kind, sq_text(s, st, 2));
    x->loss_limit = s->ops->col_double(st, 3);
    x->entrusted_minor = sq_int(s, st, 4);
    x->value_minor = sq_int(s, st, 5);
    x->loss_minor = sq_int(s, st, 6);
    x->orders_cancelled = (int)sq_int(s, st, 7);
    sq_copy(x->reauthorised_by, sizeof x->reauthorised_by, sq_text(s, st, 8));
    sq_copy(x->reauthorised_note, sizeof x->reauthorised_note, sq_text(s, st, 9));
    x->reauthorised_at = sq_int(s, st, 10);
    x->base_day = (ra_date)sq_int(s, st, 11);
    x->base_minor = sq_int(s, st, 12);
    return RA_OK;
}

ra_status ra_store_suspensions_list(ra_store *s, const char *firm, const char *account,
                                    ra_suspension **out, size_t *n, ra_err *err)
{
    firm_row f;
    ra_status rc = list_begin(s, firm, out, n, &f, err);
    rs_vec l = {NULL, 0, 0, sizeof **out};
    const char *acc = account ? account : "";
    if (rc == RA_OK)
        rc = sq_each(s, err, susp_row, &l,
                     /* one account's by its index (the OR form reads the firm's every one) */
                     acc[0] ? SUSP_COLS "WHERE a.firm_id = ? AND ? <> '' AND a.code = ? ORDER BY "
                                        "a.code, x.day"
                            : SUSP_COLS "WHERE a.firm_id = ? AND (? = '' OR a.code = ?) ORDER BY "
                                        "a.code, x.day",
                     "itt", f.id, acc, acc);
    return rs_list_end(rc, &l, out, n);
}

typedef struct base_row {
    int64_t day, value;
} base_row;

static ra_status base_fn(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    base_row *b = ctx;
    (void)err;
    b->day = sq_int(s, st, 0);
    b->value = sq_int(s, st, 1);
    return RA_OK;
}

ra_status ra_store_reauthorise(ra_store *s, const ra_store_actor *actor, const char *account,
                               const char *by, const char *note, ra_suspension *out, ra_err *err)
{
    if (!by || !by[0])
        return ra_err_set(err, RA_EINVAL, "by", "a re-authorisation names who gave it");
    ra_status rc = sq_check_code(by, "by", 1, err);
    if (rc == RA_OK && (!note || !note[0]))
        rc = ra_err_set(err, RA_EINVAL, "note", "a re-authorisation needs a note");
    if (rc == RA_OK)
        rc = ra_rule_text_check(note, strlen(note), RA_RISK_NOTE_MAX, "note", err);
    if (rc != RA_OK)
        return rc;
    firm_row f;
    int own = 0;
    rc = sq_scope_write_begin(s, actor, RS_SCHEMA_RISK, "risk limits", &f, &own, err);
    if (rc != RA_OK)
        return rc;
    int64_t acc = 0;
    rc = sq_id_of(s, SQ_ACCOUNT_ID, f.id, account, "account", &acc, err);
    rs_vec l = {NULL, 0, 0, sizeof(ra_suspension)};
    if (rc == RA_OK)
        rc = sq_each(s, err, susp_row, &l, SUSP_COLS "WHERE x.account_id = ? AND "
                                                     "x.reauthorised_by = '' ORDER BY x.day",
                     "i", acc);
    if (rc == RA_OK && l.n == 0)
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "account %s is not suspended", account);
    /* the base: the account's last daily value (the close the client re-authorises from) */
    base_row b = {0, 0};
    if (rc == RA_OK)
        rc = sq_each(s, err, base_fn, &b, "SELECT day, value_minor FROM daily_values WHERE "
                                          "account_id = ? ORDER BY day DESC LIMIT 1", "i", acc);
    int64_t now = ra_store_now(s);
    ra_db_stmt *st = rc == RA_OK ? sq_prep(s, "UPDATE suspensions SET reauthorised_by = ?, "
                                              "reauthorised_note = ?, reauthorised_at = ?, "
                                              "base_day = ?, base_minor = ? WHERE account_id = ? "
                                              "AND reauthorised_by = ''", err)
                                 : NULL;
    if (rc == RA_OK && (!st || sq_bind(s, st, err, "ttiiii", by, note, now, b.day, b.value,
                                       acc) != RA_OK ||
                        sq_run(s, st, err) != RA_OK))
        rc = sq_err(err);
    if (rc == RA_OK) {
        ra_suspension *x = (ra_suspension *)l.v + (l.n - 1);
        sq_copy(x->reauthorised_by, sizeof x->reauthorised_by, by);
        sq_copy(x->reauthorised_note, sizeof x->reauthorised_note, note);
        x->reauthorised_at = now;
        x->base_day = (ra_date)b.day;
        x->base_minor = b.value;
        char db[11], bd[11];
        json_t *after = json_pack("{s:s, s:s, s:s, s:s, s:I}", "suspended_on",
                                  ra_date_format(x->date, db), "by", by, "note", note,
                                  "base_day", ra_date_format(x->base_day, bd), "base_minor",
                                  (json_int_t)x->base_minor);
        rc = rs_audit_change(s, rc, actor, "reauthorise", "risk", account, NULL, after, err);
        if (rc == RA_OK && out)
            *out = *x;
    }
    ra_free(l.v);
    return ra_store_scope_end(s, own, rc, err);
}

/* --- notifications ----------------------------------------------------------------------------- */

static ra_status note_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_notification *x = rs_vec_push(ctx);
    if (!x)
        return sq_nomem(err, "the notifications");
    sq_copy(x->code, sizeof x->code, sq_text(s, st, 0));
    sq_copy(x->account, sizeof x->account, sq_text(s, st, 1));
    x->date = (ra_date)sq_int(s, st, 2);
    sq_copy(x->recipient, sizeof x->recipient, sq_text(s, st, 3));
    sq_copy(x->recipient_code, sizeof x->recipient_code, sq_text(s, st, 4));
    sq_copy(x->kind, sizeof x->kind, sq_text(s, st, 5));
    sq_copy(x->message, sizeof x->message, sq_text(s, st, 6));
    x->due_at = sq_int(s, st, 7);
    x->created_at = sq_int(s, st, 8);
    return RA_OK;
}

ra_status ra_store_notifications_list(ra_store *s, const char *firm, const char *account,
                                      int64_t due_before, ra_notification **out, size_t *n,
                                      ra_err *err)
{
    firm_row f;
    ra_status rc = list_begin(s, firm, out, n, &f, err);
    rs_vec l = {NULL, 0, 0, sizeof **out};
    const char *acc = account ? account : "";
    if (rc == RA_OK)
        rc = sq_each(s, err, note_row, &l,
                     "SELECT x.code, a.code, x.day, x.recipient, x.recipient_code, x.kind, "
                     "x.message, x.due_at, x.created_at FROM notifications x JOIN accounts a ON "
                     "a.id = x.account_id WHERE a.firm_id = ? AND (? = '' OR a.code = ?) AND "
                     "(? = 0 OR x.due_at < ?) ORDER BY x.due_at, x.code",
                     "ittii", f.id, acc, acc, due_before, due_before);
    return rs_list_end(rc, &l, out, n);
}

/* --- the firm's rule library, events and firings ------------------------------------------------ */

static ra_status rule_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_risk_rule_rec *x = rs_vec_push(ctx);
    if (!x)
        return sq_nomem(err, "the rules");
    char code[RA_CODE_MAX];
    sq_copy(code, sizeof code, sq_text(s, st, 0));
    sq_copy(x->when, sizeof x->when, sq_text(s, st, 1));
    sq_copy(x->then, sizeof x->then, sq_text(s, st, 2));
    sq_copy(x->note, sizeof x->note, sq_text(s, st, 3));
    sq_copy(x->user, sizeof x->user, sq_text(s, st, 4));
    x->updated_at = sq_int(s, st, 5);
    ra_status rc = ra_risk_rule_parse(code, x->when, x->then, &x->rule, err);
    if (rc != RA_OK) /* stored by this code in its canonical form: a damaged row */
        return ra_err_set(err, RA_EINTERNAL, NULL, "stored rule %s does not parse: %s", code,
                          err ? err->msg : "");
    return RA_OK;
}

ra_status ra_store_risk_rules_list(ra_store *s, const char *firm, const char *code,
                                   ra_risk_rule_rec **out, size_t *n, ra_err *err)
{
    firm_row f;
    ra_status rc = list_begin(s, firm, out, n, &f, err);
    rs_vec l = {NULL, 0, 0, sizeof **out};
    const char *c = code ? code : "";
    if (rc == RA_OK)
        rc = sq_each(s, err, rule_row, &l, "SELECT code, cond, action, note, user_name, "
                                           "updated_at FROM risk_rules WHERE firm_id = ? AND "
                                           "(? = '' OR code = ?) ORDER BY code", "itt",
                     f.id, c, c);
    if (rc == RA_OK && c[0] && l.n == 0)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no rule %s in firm %s", c, firm);
    return rs_list_end(rc, &l, out, n);
}

ra_status ra_store_risk_rule_put(ra_store *s, const ra_store_actor *actor, const ra_risk_rule *r,
                                 const char *note, ra_err *err)
{
    char when[RA_RISK_RULE_TEXT_MAX], then[RA_RISK_RULE_TEXT_MAX];
    ra_risk_rule_format(r, when, then);
    ra_risk_rule back;
    ra_status rc = ra_risk_rule_parse(r->code, when, then, &back, err); /* validates it */
    if (rc == RA_OK)
        rc = ra_rule_text_check(note ? note : "", note ? strlen(note) : 0, RA_RISK_NOTE_MAX,
                                "note", err);
    if (rc != RA_OK)
        return rc;
    firm_row f;
    int own = 0;
    rc = sq_scope_write_begin(s, actor, RS_SCHEMA_RISK, "risk rules", &f, &own, err);
    if (rc != RA_OK)
        return rc;
    rs_vec l = {NULL, 0, 0, sizeof(ra_risk_rule_rec)};
    rc = sq_each(s, err, rule_row, &l, "SELECT code, cond, action, note, user_name, updated_at "
                                       "FROM risk_rules WHERE firm_id = ? AND code = ?", "it",
                 f.id, r->code);
    const char *nt = note ? note : "";
    const ra_risk_rule_rec *old = l.v;
    int same = rc == RA_OK && l.n == 1 && strcmp(old->when, when) == 0 &&
               strcmp(old->then, then) == 0 && strcmp(old->note, nt) == 0;
    json_t *before = rc == RA_OK && l.n == 1
                         ? json_pack("{s:s, s:s, s:s}", "when", old->when, "then", old->then,
                                     "note", old->note)
                         : NULL;
    ra_free(l.v);
    if (rc == RA_OK && !same) {
        ra_db_stmt *st = sq_prep(s, "DELETE FROM risk_rules WHERE firm_id = ? AND code = ?", err);
        if (!st || sq_bind(s, st, err, "it", f.id, r->code) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
        st = rc == RA_OK ? sq_prep(s, "INSERT INTO risk_rules (firm_id, code, cond, action, "
                                      "note, user_name, updated_at) VALUES (?, ?, ?, ?, ?, ?, "
                                      "?)", err)
                         : NULL;
        if (rc == RA_OK && (!st || sq_bind(s, st, err, "ittttti", f.id, r->code, when, then, nt,
                                           actor->user, ra_store_now(s)) != RA_OK ||
                            sq_run(s, st, err) != RA_OK))
            rc = sq_err(err);
        if (rc == RA_OK) {
            rc = rs_audit_change(s, rc, actor, "set", "risk_rule", r->code, before,
                                 json_pack("{s:s, s:s, s:s}", "when", when, "then", then,
                                           "note", nt), err);
            before = NULL;
        }
    }
    json_decref(before);
    return ra_store_scope_end(s, own, rc, err);
}

ra_status ra_store_risk_event_put(ra_store *s, const ra_store_actor *actor, const char *account,
                                  const char *name, ra_date day, const char *note, ra_err *err)
{
    ra_status rc = sq_check_code(name, "event", 1, err);
    const char *nt = note ? note : "";
    if (rc == RA_OK)
        rc = ra_rule_text_check(nt, strlen(nt), RA_RISK_NOTE_MAX, "note", err);
    if (rc != RA_OK)
        return rc;
    firm_row f;
    int own = 0;
    rc = sq_scope_write_begin(s, actor, RS_SCHEMA_RISK, "risk events", &f, &own, err);
    if (rc != RA_OK)
        return rc;
    int64_t acc = 0;
    if (account && account[0])
        rc = sq_id_of(s, SQ_ACCOUNT_ID, f.id, account, "account", &acc, err);
    ra_db_stmt *st = rc == RA_OK ? sq_prep(s, "INSERT INTO risk_events (firm_id, account_id, "
                                              "name, day, note, user_name, created_at) VALUES "
                                              "(?, ?, ?, ?, ?, ?, ?) ON CONFLICT (firm_id, "
                                              "account_id, name, day) DO NOTHING", err)
                                 : NULL;
    if (rc == RA_OK && (!st || sq_bind(s, st, err, "iititti", f.id, acc, name, (int64_t)day, nt,
                                       actor->user, ra_store_now(s)) != RA_OK ||
                        sq_run_now(s, st, err) != RA_OK))
        rc = sq_err(err);
    if (rc == RA_OK && s->ops->changes(st) > 0) {
        char db[11];
        rc = rs_audit_change(s, rc, actor, "record", "risk_event", actor->firm, NULL,
                             json_pack("{s:s, s:s, s:s, s:s}", "account", account ? account : "",
                                       "name", name, "date", ra_date_format(day, db), "note",
                                       nt), err);
    }
    return ra_store_scope_end(s, own, rc, err);
}

static ra_status event_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_risk_event_rec *x = rs_vec_push(ctx);
    if (!x)
        return sq_nomem(err, "the events");
    x->account_id = sq_int(s, st, 0);
    sq_copy(x->name, RA_CODE_MAX, sq_text(s, st, 1));
    return RA_OK;
}

ra_status ra_store_risk_events_of_day(ra_store *s, const char *firm, ra_date day,
                                      ra_risk_event_rec **out, size_t *n, ra_err *err)
{
    firm_row f;
    ra_status rc = list_begin(s, firm, out, n, &f, err);
    rs_vec l = {NULL, 0, 0, sizeof **out};
    if (rc == RA_OK)
        rc = sq_each(s, err, event_row, &l, "SELECT account_id, name FROM risk_events WHERE "
                                            "firm_id = ? AND day = ? ORDER BY account_id, name",
                     "ii", f.id, (int64_t)day);
    return rs_list_end(rc, &l, out, n);
}

static ra_status firing_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_risk_firing_rec *x = rs_vec_push(ctx);
    if (!x)
        return sq_nomem(err, "the firings");
    sq_copy(x->account, sizeof x->account, sq_text(s, st, 0));
    x->date = (ra_date)sq_int(s, st, 1);
    sq_copy(x->f.rule, sizeof x->f.rule, sq_text(s, st, 2));
    sq_copy(x->f.when, sizeof x->f.when, sq_text(s, st, 3));
    sq_copy(x->f.then, sizeof x->f.then, sq_text(s, st, 4));
    x->f.observed = s->ops->col_double(st, 5);
    sq_copy(x->f.subject, sizeof x->f.subject, sq_text(s, st, 6));
    x->at_minute = (int)sq_int(s, st, 7);
    x->f.price = sq_int(s, st, 8);
    x->value_minor = sq_int(s, st, 9);
    ra_risk_rule r;
    ra_err e = {0};
    if (ra_risk_rule_parse(x->f.rule, x->f.when, x->f.then, &r, &e) == RA_OK)
        x->f.action = r.action;
    return RA_OK;
}

ra_status ra_store_risk_firings_list(ra_store *s, const char *firm, const char *account,
                                     ra_risk_firing_rec **out, size_t *n, ra_err *err)
{
    firm_row f;
    ra_status rc = list_begin(s, firm, out, n, &f, err);
    rs_vec l = {NULL, 0, 0, sizeof **out};
    const char *acc = account ? account : "";
    /* the intraday monitor's columns from 0014_monitor.sql on (-1, 0, 0 at the close) */
    if (rc == RA_OK && s->schema_version >= 14)
        rc = sq_each(s, err, firing_row, &l,
                     "SELECT a.code, x.day, x.rule, x.cond, x.action, x.observed, x.subject, "
                     "x.at_minute, x.price, x.value_minor FROM rule_firings x JOIN accounts a ON "
                     "a.id = x.account_id WHERE a.firm_id = ? AND (? = '' OR a.code = ?) ORDER BY "
                     "a.code, x.day, x.rule", "itt", f.id, acc, acc);
    else if (rc == RA_OK)
        rc = sq_each(s, err, firing_row, &l,
                     "SELECT a.code, x.day, x.rule, x.cond, x.action, x.observed, x.subject, -1, "
                     "0, 0 FROM rule_firings x JOIN accounts a ON a.id = x.account_id WHERE "
                     "a.firm_id = ? AND (? = '' OR a.code = ?) ORDER BY a.code, x.day, x.rule",
                     "itt", f.id, acc, acc);
    return rs_list_end(rc, &l, out, n);
}
