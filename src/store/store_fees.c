/* roboadvisor store: fee schedules, the firm's default schedule and fee bills
 * (include/roboadvisor/store_fees.h; schema src/store/migrations/0010_fees.sql; method
 * docs/methodology.md#fees). A schedule is kept in versions and never edited; a bill is written
 * once, with its fee transaction and (cash short) the withdrawal instruction for the rest, in one
 * write scope, so that a billing run killed at any moment leaves whole bills only and a re-run
 * bills what is missing. */
#include "store/store_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/store_fees.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- schedules --------------------------------------------------------------------------------- */

typedef struct plan_list {
    ra_fee_plan *v;
    size_t n, cap;
    int minor_digits;
} plan_list;

static ra_status plan_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    plan_list *l = ctx;
    ra_fee_plan p;
    memset(&p, 0, sizeof p);
    sq_copy(p.code, sizeof p.code, sq_text(s, st, 0));
    p.version = sq_int(s, st, 1);
    p.effective = (ra_date)sq_int(s, st, 2);
    ra_status rc = ra_fee_tiers_parse(sq_text(s, st, 3), l->minor_digits, &p.sched, err);
    p.sched.min_annual_minor = sq_int(s, st, 4);
    p.sched.monthly_minor = sq_int(s, st, 5);
    if (rc == RA_OK)
        rc = ra_fee_services_parse(sq_text(s, st, 6), l->minor_digits, &p, err);
    if (rc != RA_OK)
        return ra_err_set(err, RA_EINTERNAL, "fee_schedules", "schedule %s version %lld is "
                          "stored in a form that does not read back: %s", p.code,
                          (long long)p.version, err ? err->msg : "");
    p.period_months = (int)sq_int(s, st, 7);
    p.perf_rate_ppm = sq_int(s, st, 8);
    p.perf_months = (int)sq_int(s, st, 9);
    p.perf_hurdle_ppm = sq_int(s, st, 10);
    sq_copy(p.perf_benchmark, sizeof p.perf_benchmark, sq_text(s, st, 11));
    sq_copy(p.user, sizeof p.user, sq_text(s, st, 12));
    sq_copy(p.reason, sizeof p.reason, sq_text(s, st, 13));
    p.at = sq_int(s, st, 14);
    if (ra_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v))
        return sq_nomem(err, "the fee schedules");
    l->v[l->n++] = p;
    return RA_OK;
}

#define PLAN_COLS                                                                                  \
    "SELECT code, version, effective, tiers, min_annual_minor, monthly_minor, services, "         \
    "period_months, perf_rate_ppm, perf_months, perf_hurdle_ppm, perf_benchmark, user_name, "     \
    "reason, created_at FROM fee_schedules "

ra_status ra_store_fee_schedules(ra_store *s, const char *firm, const char *code,
                                 ra_fee_plan **out, size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    firm_row f;
    ra_status rc = sq_need_version(s, RA_SCHEMA_FEES, "fee schedules", err);
    if (rc == RA_OK)
        rc = sq_firm(s, firm, &f, err);
    plan_list l = {NULL, 0, 0, f.minor_digits};
    const char *c = code ? code : "";
    if (rc == RA_OK)
        rc = sq_each(s, err, plan_row, &l,
                     PLAN_COLS "WHERE firm_id = ? AND (? = '' OR code = ?) ORDER BY code, version",
                     "itt", f.id, c, c);
    if (rc != RA_OK) {
        ra_free(l.v);
        return rc;
    }
    *out = l.v;
    *n = l.n;
    return RA_OK;
}

static json_t *plan_json(const ra_fee_plan *p, int md)
{
    char tiers[RA_FEES_TEXT_MAX], services[RA_FEES_TEXT_MAX];
    json_t *o = json_object();
    rs_jstr(o, "code", p->code);
    rs_jint(o, "version", p->version);
    rs_jint(o, "effective", p->effective);
    rs_jstr(o, "tiers", ra_fee_tiers_format(&p->sched, md, tiers, sizeof tiers));
    rs_jint(o, "min_annual_minor", p->sched.min_annual_minor);
    rs_jint(o, "monthly_minor", p->sched.monthly_minor);
    rs_jstr(o, "services", ra_fee_services_format(p, md, services, sizeof services));
    rs_jint(o, "period_months", p->period_months);
    rs_jint(o, "perf_rate_ppm", p->perf_rate_ppm);
    rs_jint(o, "perf_months", p->perf_months);
    rs_jint(o, "perf_hurdle_ppm", p->perf_hurdle_ppm);
    rs_jstr(o, "perf_benchmark", p->perf_benchmark);
    rs_jstr(o, "reason", p->reason);
    return o;
}

/* Two versions say the same (who, why and when they were written aside). */
static int plan_same(const ra_fee_plan *a, const ra_fee_plan *b, int md)
{
    char t1[RA_FEES_TEXT_MAX], t2[RA_FEES_TEXT_MAX], s1[RA_FEES_TEXT_MAX], s2[RA_FEES_TEXT_MAX];
    return a->effective == b->effective &&
           !strcmp(ra_fee_tiers_format(&a->sched, md, t1, sizeof t1),
                   ra_fee_tiers_format(&b->sched, md, t2, sizeof t2)) &&
           a->sched.min_annual_minor == b->sched.min_annual_minor &&
           a->sched.monthly_minor == b->sched.monthly_minor &&
           !strcmp(ra_fee_services_format(a, md, s1, sizeof s1),
                   ra_fee_services_format(b, md, s2, sizeof s2)) &&
           a->period_months == b->period_months && a->perf_rate_ppm == b->perf_rate_ppm &&
           a->perf_months == b->perf_months && a->perf_hurdle_ppm == b->perf_hurdle_ppm &&
           !strcmp(a->perf_benchmark, b->perf_benchmark);
}

ra_status ra_store_fee_schedule_put(ra_store *s, const ra_store_actor *actor,
                                    const ra_fee_plan *p, int64_t *version, ra_err *err)
{
    *version = 0;
    ra_status rc = sq_check_code(p->code, "fee schedule", 1, err);
    if (rc == RA_OK)
        rc = ra_fee_plan_validate(p, err);
    if (rc == RA_OK && (!p->reason[0]))
        rc = ra_err_set(err, RA_EINVAL, "reason", "a fee schedule needs a reason (who agreed "
                        "it and why)");
    if (rc != RA_OK)
        return rc;
    firm_row f;
    int own = 0;
    rc = sq_scope_write_begin(s, actor, RA_SCHEMA_FEES, "fee schedules", &f, &own, err);
    if (rc != RA_OK)
        return rc;
    if (p->perf_benchmark[0]) {
        int64_t sec = 0;
        rc = sq_id_of(s, SQ_SECURITY_ID, f.id, p->perf_benchmark, "security", &sec, err);
    }
    plan_list l = {NULL, 0, 0, f.minor_digits};
    if (rc == RA_OK)
        rc = sq_each(s, err, plan_row, &l, PLAN_COLS "WHERE firm_id = ? AND code = ? ORDER BY "
                                                     "version", "it", f.id, p->code);
    const ra_fee_plan *cur = rc == RA_OK && l.n ? &l.v[l.n - 1] : NULL;
    if (rc == RA_OK && cur && plan_same(cur, p, f.minor_digits)) {
        *version = cur->version;
        ra_free(l.v);
        return ra_store_scope_end(s, own, RA_OK, err);
    }
    ra_fee_plan w = *p;
    w.version = cur ? cur->version + 1 : 1;
    sq_copy(w.user, sizeof w.user, actor->user);
    w.at = ra_store_now(s);
    if (rc == RA_OK) {
        char tiers[RA_FEES_TEXT_MAX], services[RA_FEES_TEXT_MAX];
        ra_db_stmt *st = sq_prep(s, "INSERT INTO fee_schedules (firm_id, code, version, "
                                    "effective, tiers, min_annual_minor, monthly_minor, services, "
                                    "period_months, perf_rate_ppm, perf_months, perf_hurdle_ppm, "
                                    "perf_benchmark, user_name, reason, created_at) VALUES (?, ?, "
                                    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
        if (!st ||
            sq_bind(s, st, err, "itiitiitiiiittti", f.id, w.code, w.version,
                    (int64_t)w.effective, ra_fee_tiers_format(&w.sched, f.minor_digits, tiers,
                                                              sizeof tiers),
                    w.sched.min_annual_minor, w.sched.monthly_minor,
                    ra_fee_services_format(&w, f.minor_digits, services, sizeof services),
                    (int64_t)w.period_months, w.perf_rate_ppm, (int64_t)w.perf_months,
                    w.perf_hurdle_ppm, w.perf_benchmark, w.user, w.reason, w.at) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
    }
    if (rc == RA_OK)
        rc = rs_audit_change(s, rc, actor, cur ? "update" : "create", "fee_schedule", w.code,
                             cur ? plan_json(cur, f.minor_digits) : NULL,
                             plan_json(&w, f.minor_digits), err);
    ra_free(l.v);
    rc = ra_store_scope_end(s, own, rc, err);
    if (rc == RA_OK)
        *version = w.version;
    return rc;
}

/* --- the firm's default ------------------------------------------------------------------------ */

ra_status ra_store_fee_default(ra_store *s, const char *firm, char code[RA_CODE_MAX], ra_err *err)
{
    code[0] = 0;
    firm_row f;
    ra_status rc = sq_need_version(s, RA_SCHEMA_FEES, "fee schedules", err);
    if (rc == RA_OK)
        rc = sq_firm(s, firm, &f, err);
    ra_db_stmt *st = NULL;
    int r = rc == RA_OK ? sq_query(s, &st, err, "SELECT default_schedule FROM fee_settings WHERE "
                                                "firm_id = ?", "i", f.id)
                        : -1;
    if (r == RA_DB_ROW) {
        sq_copy(code, RA_CODE_MAX, sq_text(s, st, 0));
        s->ops->reset(st);
    }
    return rc != RA_OK ? rc : r < 0 ? sq_err(err) : RA_OK;
}

ra_status ra_store_fee_default_set(ra_store *s, const ra_store_actor *actor, const char *code,
                                   ra_err *err)
{
    firm_row f;
    int own = 0;
    ra_status rc = sq_scope_write_begin(s, actor, RA_SCHEMA_FEES, "fee schedules", &f, &own, err);
    if (rc != RA_OK)
        return rc;
    int64_t n = 0;
    if (code[0]) {
        ra_db_stmt *st = sq_prep(s, "SELECT COUNT(*) FROM fee_schedules WHERE firm_id = ? AND "
                                    "code = ?", err);
        if (!st || sq_bind(s, st, err, "it", f.id, code) != RA_OK ||
            sq_one(s, st, 0, &n, err) != RA_OK)
            rc = sq_err(err);
        else if (n == 0)
            rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no fee schedule %s in firm %s", code,
                            actor->firm);
    }
    ra_db_stmt *st = rc == RA_OK ? sq_prep(s, "DELETE FROM fee_settings WHERE firm_id = ?", err)
                                 : NULL;
    if (rc == RA_OK && (!st || sq_bind(s, st, err, "i", f.id) != RA_OK ||
                        sq_run(s, st, err) != RA_OK))
        rc = sq_err(err);
    st = rc == RA_OK ? sq_prep(s, "INSERT INTO fee_settings (firm_id, default_schedule, "
                                  "user_name, updated_at) VALUES (?, ?, ?, ?)", err)
                     : NULL;
    if (rc == RA_OK && (!st || sq_bind(s, st, err, "itti", f.id, code, actor->user,
                                       ra_store_now(s)) != RA_OK ||
                        sq_run(s, st, err) != RA_OK))
        rc = sq_err(err);
    if (rc == RA_OK)
        rc = rs_audit_change(s, rc, actor, "set", "fee_settings", actor->firm, NULL,
                             json_pack("{s:s}", "default_schedule", code), err);
    return ra_store_scope_end(s, own, rc, err);
}

/* --- bills ------------------------------------------------------------------------------------- */

#define BILL_COLS                                                                                  \
    "SELECT a.code, x.period_start, x.period_end, x.schedule, x.schedule_version, x.days, "       \
    "x.value_sum_minor, x.asset_fee_minor, x.subscription_minor, x.service_minor, x.perf_start, " \
    "x.perf_end, x.perf_value_start_minor, x.perf_value_end_minor, x.perf_flows_minor, "          \
    "x.perf_hurdle_ppm, x.perf_profit_minor, x.perf_hurdle_minor, x.carried_loss_minor, "         \
    "x.perf_fee_minor, x.carried_loss_after_minor, x.total_minor, x.txn_day, x.paid_minor, "      \
    "x.shortfall_minor, x.instruction FROM fee_bills x JOIN accounts a ON a.id = x.account_id "

static void bill_row(ra_store *s, ra_db_stmt *st, void *out)
{
    ra_fee_bill *b = out;
    memset(b, 0, sizeof *b);
    sq_copy(b->account, sizeof b->account, sq_text(s, st, 0));
    b->period_start = (ra_date)sq_int(s, st, 1);
    b->period_end = (ra_date)sq_int(s, st, 2);
    sq_copy(b->schedule, sizeof b->schedule, sq_text(s, st, 3));
    b->schedule_version = sq_int(s, st, 4);
    b->days = (int)sq_int(s, st, 5);
    b->value_sum_minor = sq_int(s, st, 6);
    b->asset_fee_minor = sq_int(s, st, 7);
    b->subscription_minor = sq_int(s, st, 8);
    b->service_minor = sq_int(s, st, 9);
    b->perf_start = (ra_date)sq_int(s, st, 10);
    b->perf_end = (ra_date)sq_int(s, st, 11);
    b->perf_value_start_minor = sq_int(s, st, 12);
    b->perf_value_end_minor = sq_int(s, st, 13);
    b->perf_flows_minor = sq_int(s, st, 14);
    b->perf_hurdle_ppm = sq_int(s, st, 15);
    b->perf_profit_minor = sq_int(s, st, 16);
    b->perf_hurdle_minor = sq_int(s, st, 17);
    b->carried_loss_minor = sq_int(s, st, 18);
    b->perf_fee_minor = sq_int(s, st, 19);
    b->carried_loss_after_minor = sq_int(s, st, 20);
    b->total_minor = sq_int(s, st, 21);
    b->txn_day = (ra_date)sq_int(s, st, 22);
    b->paid_minor = sq_int(s, st, 23);
    b->shortfall_minor = sq_int(s, st, 24);
    sq_copy(b->instruction, sizeof b->instruction, sq_text(s, st, 25));
    b->billed = 1;
}

ra_status ra_store_fee_bills(ra_store *s, const char *firm, const char *account, ra_date from,
                             ra_date to, ra_fee_bill **out, size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    firm_row f;
    ra_status rc = sq_need_version(s, RA_SCHEMA_FEES, "fee bills", err);
    if (rc == RA_OK)
        rc = sq_firm(s, firm, &f, err);
    if (rc != RA_OK)
        return rc;
    const char *acc = account ? account : "";
    /* one account's by its key (the OR form reads the firm's every bill) */
    ra_db_stmt *st = sq_prep(s, acc[0] ? BILL_COLS "WHERE a.firm_id = ? AND ? <> '' AND a.code = ? "
                                                   "AND x.period_end >= ? AND x.period_end <= ? "
                                                   "ORDER BY a.code, x.period_end"
                                       : BILL_COLS "WHERE a.firm_id = ? AND (? = '' OR a.code = ?) "
                                                   "AND x.period_end >= ? AND x.period_end <= ? "
                                                   "ORDER BY a.code, x.period_end", err);
    if (st && sq_bind(s, st, err, "ittii", f.id, acc, acc, (int64_t)from,
                      (int64_t)(to ? to : INT32_MAX)) != RA_OK)
        return sq_err(err);
    void *v = NULL;
    rc = sq_rows(s, st, &v, n, sizeof(ra_fee_bill), 16, "the fee bills", bill_row, err);
    *out = v;
    return rc;
}

static json_t *bill_json(const ra_fee_bill *b, const char *ext)
{
    json_t *o = json_object();
    rs_jstr(o, "account", b->account);
    rs_jint(o, "period_start", b->period_start);
    rs_jint(o, "period_end", b->period_end);
    rs_jstr(o, "schedule", b->schedule);
    rs_jint(o, "schedule_version", b->schedule_version);
    rs_jint(o, "days", b->days);
    rs_jint(o, "value_sum_minor", b->value_sum_minor);
    rs_jint(o, "asset_fee_minor", b->asset_fee_minor);
    rs_jint(o, "subscription_minor", b->subscription_minor);
    rs_jint(o, "service_minor", b->service_minor);
    rs_jint(o, "perf_start", b->perf_start);
    rs_jint(o, "perf_end", b->perf_end);
    rs_jint(o, "perf_profit_minor", b->perf_profit_minor);
    rs_jint(o, "perf_hurdle_minor", b->perf_hurdle_minor);
    rs_jint(o, "carried_loss_minor", b->carried_loss_minor);
    rs_jint(o, "perf_fee_minor", b->perf_fee_minor);
    rs_jint(o, "carried_loss_after_minor", b->carried_loss_after_minor);
    rs_jint(o, "total_minor", b->total_minor);
    rs_jstr(o, "transaction", ext);
    rs_jint(o, "txn_day", b->txn_day);
    rs_jint(o, "paid_minor", b->paid_minor);
    rs_jint(o, "shortfall_minor", b->shortfall_minor);
    rs_jstr(o, "instruction", b->instruction);
    return o;
}

ra_status ra_store_fee_bill_put(ra_store *s, const ra_store_actor *actor, ra_fee_bill *b,
                                int *written, ra_err *err)
{
    *written = 0;
    if (b->total_minor < 0)
        return ra_err_set(err, RA_EINVAL, NULL, "account %s: a fee of %lld minor units is "
                          "negative", b->account, (long long)b->total_minor);
    firm_row f;
    int own = 0;
    ra_status rc = sq_scope_write_begin(s, actor, RA_SCHEMA_FEES, "fee bills", &f, &own, err);
    if (rc != RA_OK)
        return rc;
    int64_t acc = 0, have = 0, cash = 0, last = 0;
    rc = sq_id_of(s, SQ_ACCOUNT_ID, f.id, b->account, "account", &acc, err);
    ra_db_stmt *st = NULL;
    if (rc == RA_OK) {
        st = sq_prep(s, "SELECT COUNT(*) FROM fee_bills WHERE account_id = ? AND period_end = ?",
                     err);
        if (!st || sq_bind(s, st, err, "ii", acc, (int64_t)b->period_end) != RA_OK ||
            sq_one(s, st, 0, &have, err) != RA_OK)
            rc = sq_err(err);
    }
    if (rc == RA_OK && have)
        return ra_store_scope_end(s, own, RA_OK, err); /* billed already: nothing twice */
    if (rc == RA_OK) {
        st = sq_prep(s, "SELECT cash_minor FROM accounts WHERE id = ?", err);
        if (!st || sq_bind(s, st, err, "i", acc) != RA_OK || sq_one(s, st, 0, &cash, err) != RA_OK)
            rc = sq_err(err);
    }
    if (rc == RA_OK) {
        st = sq_prep(s, "SELECT COALESCE(MAX(day), 0) FROM txns WHERE account_id = ?", err);
        if (!st || sq_bind(s, st, err, "i", acc) != RA_OK || sq_one(s, st, 0, &last, err) != RA_OK)
            rc = sq_err(err);
    }
    /* the fee is never dated before a transaction the ledger holds already: replays by date
     * (valuation) then see the cash it was paid from */
    b->txn_day = (ra_date)(last > b->period_end ? last : b->period_end);
    b->paid_minor = cash <= 0 ? 0 : cash < b->total_minor ? cash : b->total_minor;
    b->shortfall_minor = b->total_minor - b->paid_minor;
    b->instruction[0] = 0;
    char day[11], ext[RA_STORE_EXTID_MAX];
    ra_date_format(b->period_end, day);
    snprintf(ext, sizeof ext, "fee-%s", day);
    if (rc == RA_OK && b->paid_minor > 0) {
        ra_store_txn t;
        memset(&t, 0, sizeof t);
        sq_copy(t.account, sizeof t.account, b->account);
        sq_copy(t.external_id, sizeof t.external_id, ext);
        t.kind = RA_TXN_FEE;
        t.date = b->txn_day;
        t.amount_minor = b->paid_minor;
        rc = ra_store_txn_append(s, actor, &t, 1, NULL, err);
    }
    if (rc == RA_OK && b->shortfall_minor > 0) {
        char note[96];
        snprintf(note, sizeof note, "fee %s: the cash short of the bill", ext);
        rc = ra_store_withdrawal_put(s, actor, b->account, b->shortfall_minor, b->txn_day, "firm",
                                     note, b->instruction, err);
    }
    if (rc == RA_OK) {
        st = sq_prep(s, "INSERT INTO fee_bills (account_id, period_end, period_start, schedule, "
                        "schedule_version, days, value_sum_minor, asset_fee_minor, "
                        "subscription_minor, service_minor, perf_start, perf_end, "
                        "perf_value_start_minor, perf_value_end_minor, perf_flows_minor, "
                        "perf_hurdle_ppm, perf_profit_minor, perf_hurdle_minor, "
                        "carried_loss_minor, perf_fee_minor, carried_loss_after_minor, "
                        "total_minor, txn_day, paid_minor, shortfall_minor, instruction, "
                        "user_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
        if (!st ||
            sq_bind(s, st, err, "iiitiiiiiiiiiiiiiiiiiiiiitti", acc, (int64_t)b->period_end,
                    (int64_t)b->period_start, b->schedule, b->schedule_version, (int64_t)b->days,
                    b->value_sum_minor, b->asset_fee_minor, b->subscription_minor,
                    b->service_minor, (int64_t)b->perf_start, (int64_t)b->perf_end,
                    b->perf_value_start_minor, b->perf_value_end_minor, b->perf_flows_minor,
                    b->perf_hurdle_ppm, b->perf_profit_minor, b->perf_hurdle_minor,
                    b->carried_loss_minor, b->perf_fee_minor, b->carried_loss_after_minor,
                    b->total_minor, (int64_t)b->txn_day, b->paid_minor, b->shortfall_minor,
                    b->instruction, actor->user, ra_store_now(s)) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
    }
    if (rc == RA_OK)
        rc = rs_audit_change(s, rc, actor, "bill", "fee_bill", b->account, NULL,
                             bill_json(b, b->paid_minor > 0 ? ext : ""), err);
    rc = ra_store_scope_end(s, own, rc, err);
    if (rc == RA_OK) {
        b->billed = 1;
        *written = 1;
    }
    return rc;
}
