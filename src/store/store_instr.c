/* roboadvisor store: withdrawal instructions (include/roboadvisor/store_cycle.h; schema
 * src/store/migrations/0008_instructions.sql). An instruction is recorded once and never edited
 * but to cancel it; what has been paid is the sum of its withdrawal transactions ("wd-N-DATE",
 * written by the daily cycle with the account's day), so the ledger is the only record of money
 * leaving the account and a replay's rewind (which removes the day's transactions) makes the
 * instruction owing again. Also the firm's wash-sale window (table firm_settings). Method:
 * docs/methodology.md#the-daily-cycle. */
#include "store/store_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/store_cycle.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INSTR_SCHEMA 8

/* The instruction's paid amount: its withdrawal transactions. */
#define PAID_SQL                                                                                   \
    "COALESCE((SELECT SUM(t.amount_minor) FROM txns t WHERE t.account_id = x.account_id AND "     \
    "t.kind = 2 AND t.external_id LIKE 'wd-' || CAST(x.n AS TEXT) || '-%'), 0)"

static void status_of(ra_instruction *in)
{
    sq_copy(in->status, sizeof in->status,
            in->cancelled_by[0]                  ? "cancelled"
            : in->paid_minor >= in->amount_minor ? "paid"
            : in->paid_minor > 0                 ? "partial"
                                                 : "pending");
}

typedef struct instr_list {
    ra_instruction *v;
    size_t n, cap;
    const char *status;
} instr_list;

static ra_status instr_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    instr_list *l = ctx;
    ra_instruction in;
    memset(&in, 0, sizeof in);
    sq_copy(in.code, sizeof in.code, sq_text(s, st, 0));
    sq_copy(in.account, sizeof in.account, sq_text(s, st, 1));
    in.n = (int)sq_int(s, st, 2);
    sq_copy(in.kind, sizeof in.kind, sq_text(s, st, 3));
    in.amount_minor = sq_int(s, st, 4);
    in.due = (ra_date)sq_int(s, st, 5);
    sq_copy(in.source, sizeof in.source, sq_text(s, st, 6));
    sq_copy(in.note, sizeof in.note, sq_text(s, st, 7));
    sq_copy(in.user, sizeof in.user, sq_text(s, st, 8));
    in.created_at = sq_int(s, st, 9);
    sq_copy(in.cancelled_by, sizeof in.cancelled_by, sq_text(s, st, 10));
    sq_copy(in.cancelled_reason, sizeof in.cancelled_reason, sq_text(s, st, 11));
    in.paid_minor = sq_int(s, st, 12);
    status_of(&in);
    if (l->status && l->status[0] && strcmp(l->status, in.status) != 0)
        return RA_OK;
    if (ra_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v))
        return sq_nomem(err, "the instructions");
    l->v[l->n++] = in;
    return RA_OK;
}

#define INSTR_COLS                                                                                 \
    "SELECT x.code, a.code, x.n, x.kind, x.amount_minor, x.due, x.source, x.note, x.user_name, "  \
    "x.created_at, x.cancelled_by, x.cancelled_reason, " PAID_SQL " FROM instructions x JOIN "    \
    "accounts a ON a.id = x.account_id "

ra_status ra_store_instructions_list(ra_store *s, const char *firm, const char *account,
                                     const char *status, ra_instruction **out, size_t *n,
                                     ra_err *err)
{
    *out = NULL;
    *n = 0;
    firm_row f;
    ra_status rc = sq_need_version(s, INSTR_SCHEMA, "withdrawal instructions", err);
    if (rc == RA_OK)
        rc = sq_firm(s, firm, &f, err);
    instr_list l = {NULL, 0, 0, status};
    const char *acc = account ? account : "";
    if (rc == RA_OK)
        rc = sq_each(s, err, instr_row, &l,
                     INSTR_COLS "WHERE a.firm_id = ? AND (? = '' OR a.code = ?) ORDER BY a.code, "
                                "x.n",
                     "itt", f.id, acc, acc);
    if (rc != RA_OK) {
        ra_free(l.v);
        return rc;
    }
    *out = l.v;
    *n = l.n;
    return RA_OK;
}

static json_t *instr_json(const ra_instruction *in)
{
    return json_pack("{s:s, s:s, s:i, s:s, s:I, s:i, s:s, s:s, s:s, s:s}", "code", in->code,
                     "account", in->account, "n", in->n, "kind", in->kind, "amount_minor",
                     (json_int_t)in->amount_minor, "due", (int)in->due, "source", in->source,
                     "note", in->note, "cancelled_by", in->cancelled_by, "cancelled_reason",
                     in->cancelled_reason);
}

ra_status ra_store_withdrawal_put(ra_store *s, const ra_store_actor *actor, const char *account,
                                  ra_minor amount_minor, ra_date due, const char *source,
                                  const char *note, char code_out[RA_CYCLE_ID_MAX], ra_err *err)
{
    if (code_out)
        code_out[0] = 0;
    if (amount_minor <= 0)
        return ra_err_set(err, RA_EINVAL, NULL, "a withdrawal needs an amount above 0");
    if (!source || (strcmp(source, "client") != 0 && strcmp(source, "firm") != 0))
        return ra_err_set(err, RA_EINVAL, NULL, "a withdrawal is instructed by the client or the "
                          "firm, not \"%s\"", source ? source : "");
    if (note && strlen(note) >= RA_INSTRUCTION_NOTE_MAX)
        return ra_err_set(err, RA_EINVAL, NULL, "the note is longer than %d bytes",
                          RA_INSTRUCTION_NOTE_MAX - 1);
    firm_row f;
    int own = 0;
    ra_status rc = sq_scope_write_begin(s, actor, INSTR_SCHEMA, "withdrawal instructions", &f,
                                        &own, err);
    if (rc != RA_OK)
        return rc;
    int64_t acc = 0, last = 0;
    rc = sq_id_of(s, SQ_ACCOUNT_ID, f.id, account, "account", &acc, err);
    if (rc == RA_OK) {
        ra_db_stmt *st = sq_prep(s, "SELECT COALESCE(MAX(n), 0) FROM instructions WHERE "
                                    "account_id = ?", err);
        if (!st || sq_bind(s, st, err, "i", acc) != RA_OK || sq_one(s, st, 0, &last, err) != RA_OK)
            rc = sq_err(err);
    }
    ra_instruction in;
    memset(&in, 0, sizeof in);
    if (rc == RA_OK) {
        in.n = (int)last + 1;
        snprintf(in.code, sizeof in.code, "W-%.*s-%d", RA_CODE_MAX - 1, account, in.n);
        sq_copy(in.account, sizeof in.account, account);
        sq_copy(in.kind, sizeof in.kind, "withdrawal");
        in.amount_minor = amount_minor;
        in.due = due;
        sq_copy(in.source, sizeof in.source, source);
        sq_copy(in.note, sizeof in.note, note ? note : "");
        sq_copy(in.user, sizeof in.user, actor->user);
        in.created_at = ra_store_now(s);
        ra_db_stmt *st = sq_prep(s, "INSERT INTO instructions (account_id, n, code, kind, "
                                    "amount_minor, due, source, note, user_name, created_at) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
        if (!st || sq_bind(s, st, err, "iittiittti", acc, (int64_t)in.n, in.code, in.kind,
                           in.amount_minor, (int64_t)in.due, in.source, in.note, in.user,
                           in.created_at) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
    }
    if (rc == RA_OK)
        rc = rs_audit_change(s, rc, actor, "instruct", "instruction", account, NULL,
                             instr_json(&in), err);
    rc = ra_store_scope_end(s, own, rc, err);
    if (rc == RA_OK && code_out)
        memcpy(code_out, in.code, RA_CYCLE_ID_MAX);
    return rc;
}

ra_status ra_store_instruction_cancel(ra_store *s, const ra_store_actor *actor, const char *code,
                                      const char *reason, ra_err *err)
{
    if (!reason || !reason[0])
        return ra_err_set(err, RA_EINVAL, NULL, "cancelling an instruction needs a reason");
    firm_row f;
    int own = 0;
    ra_status rc = sq_scope_write_begin(s, actor, INSTR_SCHEMA, "withdrawal instructions", &f,
                                        &own, err);
    if (rc != RA_OK)
        return rc;
    instr_list l = {NULL, 0, 0, NULL};
    rc = sq_each(s, err, instr_row, &l, INSTR_COLS "WHERE a.firm_id = ? AND x.code = ?", "it",
                 f.id, code);
    if (rc == RA_OK && l.n == 0)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no instruction %s", code);
    if (rc == RA_OK && (strcmp(l.v[0].status, "paid") == 0 ||
                        strcmp(l.v[0].status, "cancelled") == 0))
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "instruction %s is %s", code, l.v[0].status);
    if (rc == RA_OK) {
        ra_instruction *in = &l.v[0];
        sq_copy(in->cancelled_by, sizeof in->cancelled_by, actor->user);
        sq_copy(in->cancelled_reason, sizeof in->cancelled_reason, reason);
        ra_db_stmt *st = sq_prep(s, "UPDATE instructions SET cancelled_by = ?, cancelled_reason "
                                    "= ? WHERE code = ? AND account_id IN (SELECT id FROM "
                                    "accounts WHERE firm_id = ?)", err);
        if (!st || sq_bind(s, st, err, "ttti", in->cancelled_by, in->cancelled_reason, code,
                           f.id) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
        if (rc == RA_OK)
            rc = rs_audit_change(s, rc, actor, "cancel", "instruction", in->account, NULL,
                                 instr_json(in), err);
    }
    ra_free(l.v);
    return ra_store_scope_end(s, own, rc, err);
}

ra_status rs_withdrawal_txns(ra_store *s, int64_t acc, const char *account, ra_date day,
                             ra_minor paid, ra_store_txn **out, size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    if (paid <= 0)
        return RA_OK;
    instr_list l = {NULL, 0, 0, NULL};
    ra_status rc = sq_each(s, err, instr_row, &l,
                           INSTR_COLS "WHERE x.account_id = ? AND x.due <= ? AND "
                                      "x.cancelled_by = '' ORDER BY x.due, x.n",
                           "ii", acc, (int64_t)day);
    ra_store_txn *t = rc == RA_OK ? ra_calloc(l.n ? l.n : 1, sizeof *t) : NULL;
    if (rc == RA_OK && !t)
        rc = sq_nomem(err, "the withdrawals");
    size_t k = 0;
    ra_minor left = paid;
    char db[11];
    ra_date_format(day, db);
    for (size_t i = 0; rc == RA_OK && i < l.n && left > 0; i++) {
        ra_minor owed = l.v[i].amount_minor - l.v[i].paid_minor;
        if (owed <= 0)
            continue;
        ra_minor x = owed < left ? owed : left;
        sq_copy(t[k].account, sizeof t[k].account, account);
        snprintf(t[k].external_id, sizeof t[k].external_id, "wd-%d-%s", l.v[i].n, db);
        t[k].kind = RA_TXN_WITHDRAWAL;
        t[k].date = day;
        t[k].amount_minor = x;
        left -= x;
        k++;
    }
    ra_free(l.v);
    if (rc == RA_OK && left > 0)
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "account %s: a withdrawal of %lld minor units "
                        "paid on %s is more than its instructions owe", account,
                        (long long)paid, db);
    if (rc != RA_OK) {
        ra_free(t);
        return rc;
    }
    *out = t;
    *n = k;
    return RA_OK;
}

ra_status ra_store_firm_wash_window(ra_store *s, const char *firm, int *days, ra_err *err)
{
    *days = RA_WASH_WINDOW_DAYS_US;
    firm_row f;
    ra_status rc = sq_need_version(s, INSTR_SCHEMA, "the firm's settings", err);
    if (rc == RA_OK)
        rc = sq_firm(s, firm, &f, err);
    int64_t v = RA_WASH_WINDOW_DAYS_US;
    ra_db_stmt *st = rc == RA_OK ? sq_prep(s, "SELECT wash_window_days FROM firm_settings WHERE "
                                              "firm_id = ?", err)
                                 : NULL;
    if (rc == RA_OK && (!st || sq_bind(s, st, err, "i", f.id) != RA_OK ||
                        sq_one(s, st, RA_WASH_WINDOW_DAYS_US, &v, err) != RA_OK))
        rc = sq_err(err);
    if (rc == RA_OK)
        *days = (int)v;
    return rc;
}

ra_status ra_store_firm_wash_window_set(ra_store *s, const ra_store_actor *actor, int days,
                                        ra_err *err)
{
    ra_status rc = ra_wash_window_check(days, err);
    if (rc != RA_OK)
        return rc;
    firm_row f;
    int own = 0;
    rc = sq_scope_write_begin(s, actor, INSTR_SCHEMA, "the firm's settings", &f, &own, err);
    if (rc != RA_OK)
        return rc;
    int64_t now = ra_store_now(s);
    ra_db_stmt *st = sq_prep(s, "DELETE FROM firm_settings WHERE firm_id = ?", err);
    if (!st || sq_bind(s, st, err, "i", f.id) != RA_OK || sq_run(s, st, err) != RA_OK)
        rc = sq_err(err);
    st = rc == RA_OK ? sq_prep(s, "INSERT INTO firm_settings (firm_id, wash_window_days, "
                                  "user_name, updated_at) VALUES (?, ?, ?, ?)", err)
                     : NULL;
    if (rc == RA_OK && (!st || sq_bind(s, st, err, "iiti", f.id, (int64_t)days, actor->user,
                                       now) != RA_OK ||
                        sq_run(s, st, err) != RA_OK))
        rc = sq_err(err);
    if (rc == RA_OK)
        rc = rs_audit_change(s, rc, actor, "set", "firm_settings", actor->firm, NULL,
                             json_pack("{s:i}", "wash_window_days", days), err);
    return ra_store_scope_end(s, own, rc, err);
}
