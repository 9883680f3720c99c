/* roboadvisor store: accounts, their mandates and persisted ledgers (store.h). */
#include "store/store_int.h"

#include "roboadvisor/alloc.h"
#include "roboadvisor/store_mandate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- accounts and mandates ------------------------------------------------------------------- */

typedef struct account_row {
    int64_t id;
    char client[RA_CODE_MAX];
    int64_t n_txns;
    int minor_digits;
    ra_account a;
} account_row;

static ra_status account_load(ra_store *s, int64_t firm_id, const char *code, account_row *r,
                              ra_err *err)
{
    ra_db_stmt *st = sq_prep(s, "SELECT a.id, c.code, a.type, a.currency, a.opened, a.model, "
                          "a.discretionary, a.drift_band, a.tlh_enabled, a.loss_limit, "
                          "a.restrictions, a.n_txns, a.minor_digits FROM accounts a "
                          "JOIN clients c ON c.id = a.client_id WHERE a.firm_id = ? AND a.code = ?",
                       err);
    if (!st || sq_bind(s, st, err, "it", firm_id, code) != RA_OK)
        return sq_err(err);
    int x = s->ops->step(st, err);
    if (x < 0)
        return sq_err(err);
    memset(r, 0, sizeof *r);
    if (x == RA_DB_ROW) {
        r->id = sq_int(s, st, 0);
        sq_copy(r->a.code, RA_CODE_MAX, code);
        sq_copy(r->a.client, RA_CODE_MAX, sq_text(s, st, 1));
        r->a.type = (ra_account_type)sq_int(s, st, 2);
        sq_copy(r->a.currency, 4, sq_text(s, st, 3));
        r->a.opened = (ra_date)sq_int(s, st, 4);
        sq_copy(r->a.mandate.model, RA_CODE_MAX, sq_text(s, st, 5));
        r->a.mandate.discretionary = (int)sq_int(s, st, 6);
        r->a.mandate.drift_band = s->ops->col_double(st, 7);
        r->a.mandate.tlh_enabled = (int)sq_int(s, st, 8);
        r->a.mandate.loss_limit = s->ops->col_double(st, 9);
        sq_copy(r->a.mandate.restrictions, RA_NAME_MAX, sq_text(s, st, 10));
        r->n_txns = sq_int(s, st, 11);
        r->minor_digits = (int)sq_int(s, st, 12);
    }
    s->ops->reset(st);
    if (r->id && s->schema_version >= RA_SCHEMA_MANDATE) { /* the mandate is its latest version */
        ra_mandate_version v;
        int found = 0;
        ra_status rc = rs_mandate_load(s, r->id, 0, &v, &found, err);
        if (rc != RA_OK)
            return rc;
        if (found)
            r->a.mandate = v.mandate;
    }
    return RA_OK;
}

#define MAN(name, kind) {#name, kind, offsetof(ra_mandate, name)}
static const rs_jfield MANDATE_JSON[] = {MAN(model, 's'),       MAN(discretionary, 'i'),
                                         MAN(drift_band, 'd'),  MAN(tlh_enabled, 'i'),
                                         MAN(loss_limit, 'd'),  MAN(restrictions, 's')};
#undef MAN

static json_t *mandate_json(const ra_mandate *m)
{
    return rs_json_record(m, MANDATE_JSON, sizeof MANDATE_JSON / sizeof MANDATE_JSON[0]);
}

json_t *rs_account_json(const ra_account *a)
{
    char d[11];
    json_t *o = json_object();
    rs_jstr(o, "code", a->code);
    rs_jstr(o, "client", a->client);
    rs_jstr(o, "type", ra_account_type_name(a->type));
    rs_jstr(o, "currency", a->currency);
    rs_jstr(o, "opened", ra_date_format(a->opened, d));
    rs_jset(o, "mandate", mandate_json(&a->mandate));
    return o;
}

ra_status rs_validate_account(const ra_account *a, ra_err *err)
{
    ra_status rc = sq_check_code(a->code, "account code", 1, err);
    if (rc == RA_OK)
        rc = sq_check_code(a->client, "client code", 1, err);
    if (rc != RA_OK)
        return rc;
    if ((int)a->type < RA_ACCOUNT_TAXABLE || (int)a->type > RA_ACCOUNT_TAX_FREE)
        return ra_err_set(err, RA_EINVAL, NULL, "account %s: type %d is not one of taxable, "
                          "tax_deferred, tax_free", a->code, (int)a->type);
    if (strnlen(a->currency, 4) != 3)
        return ra_err_set(err, RA_EINVAL, NULL, "account %s: currency must be 3 letters",
                          a->code);
    return ra_rule_mandate_validate(&a->mandate, err);
}

/* The put of account rec (an sq_put_fn; the account's id is not handed back). */
static ra_status account_put_in(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                                const void *rec, int64_t *id, ra_err *err)
{
    (void)id;
    const ra_account *a = rec;
    account_row old;
    int64_t client_id = 0;
    ra_status rc = sq_code_id(s, SQ_CLIENT_ID, firm->id, a->client, &client_id, err);
    if (rc == RA_OK && !client_id)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "account %s: no client %s in firm %s", a->code,
                        a->client, actor->firm);
    if (rc == RA_OK)
        rc = account_load(s, firm->id, a->code, &old, err);
    if (rc != RA_OK)
        return rc;
    ra_account in = *a; /* an account record without an agent keeps the agent's level */
    if (old.id && in.mandate.risk_level == 0) {
        in.mandate.risk_level = old.a.mandate.risk_level;
        in.mandate.objective = old.a.mandate.objective;
    }
    a = &in;
    int fixed_same = old.id && strcmp(old.a.client, a->client) == 0 && old.a.type == a->type &&
                     strcmp(old.a.currency, a->currency) == 0 && old.a.opened == a->opened;
    int mandate_same = old.id && ra_rule_mandate_equal(&old.a.mandate, &a->mandate);
    if (fixed_same && mandate_same)
        return RA_OK;
    if (old.id && !fixed_same && old.n_txns > 0 &&
        (strcmp(old.a.client, a->client) != 0 || old.a.type != a->type ||
         strcmp(old.a.currency, a->currency) != 0))
        return ra_err_set(err, RA_ECONFLICT, NULL, "account %s has transactions: its client, "
                          "type and currency cannot change", a->code);
    const ra_mandate *m = &a->mandate;
    ra_db_stmt *st;
    if (old.id) {
        st = sq_prep(s, "UPDATE accounts SET client_id = ?, type = ?, currency = ?, minor_digits = ?, "
                  "opened = ?, model = ?, discretionary = ?, drift_band = ?, tlh_enabled = ?, "
                  "loss_limit = ?, restrictions = ? WHERE id = ?", err);
        rc = st ? sq_bind(s, st, err, "iitiitididti", client_id, (int64_t)a->type, a->currency,
                        (int64_t)(old.n_txns ? old.minor_digits : ra_rule_currency_minor_digits(a->currency)),
                        (int64_t)a->opened, m->model, (int64_t)m->discretionary, m->drift_band,
                        (int64_t)m->tlh_enabled, m->loss_limit, m->restrictions, old.id)
                : sq_err(err);
    } else {
        st = sq_prep(s, "INSERT INTO accounts (firm_id, code, client_id, type, currency, minor_digits, "
                  "opened, model, discretionary, drift_band, tlh_enabled, loss_limit, "
                  "restrictions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
        rc = st ? sq_bind(s, st, err, "itiitiitididt", firm->id, a->code, client_id,
                        (int64_t)a->type, a->currency, (int64_t)ra_rule_currency_minor_digits(a->currency),
                        (int64_t)a->opened, m->model, (int64_t)m->discretionary, m->drift_band,
                        (int64_t)m->tlh_enabled, m->loss_limit, m->restrictions)
                : sq_err(err);
    }
    if (rc == RA_OK)
        rc = sq_run(s, st, err);
    if (rc == RA_OK && s->schema_version >= RA_SCHEMA_MANDATE && (!old.id || !mandate_same)) {
        int64_t aid = old.id, v = 0;
        if (!aid)
            rc = sq_code_id(s, SQ_ACCOUNT_ID, firm->id, a->code, &aid, err);
        if (rc == RA_OK)
            rc = rs_mandate_change(s, actor, aid, a->code, m, s->pending_agent_name, 0,
                                   s->pending_reason ? s->pending_reason
                                   : old.id ? "the account's record changed (import or model "
                                              "assignment)"
                                            : "account opened",
                                   0, &v, err);
    }
    json_t *before = NULL, *after;
    const char *entity = "account";
    if (old.id && fixed_same) { /* only the mandate changed */
        entity = "mandate";
        before = mandate_json(&old.a.mandate);
        after = mandate_json(&a->mandate);
    } else {
        before = old.id ? rs_account_json(&old.a) : NULL;
        after = rs_account_json(a);
    }
    return rs_audit_change(s, rc, actor, old.id ? "update" : "create", entity, a->code, before,
                           after, err);
}

ra_status ra_store_account_put(ra_store *s, const ra_store_actor *actor, const ra_account *a,
                               ra_err *err)
{
    return sq_put(s, actor, rs_validate_account(a, err), account_put_in, a, err);
}

ra_status ra_store_account_get(ra_store *s, const char *firm, const char *code, ra_account *out,
                               ra_err *err)
{
    firm_row f;
    account_row r;
    ra_status rc = sq_firm(s, firm, &f, err);
    if (rc == RA_OK)
        rc = account_load(s, f.id, code, &r, err);
    if (rc != RA_OK)
        return rc;
    if (!r.id)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no account %s in firm %s", code, firm);
    *out = r.a;
    return RA_OK;
}

ra_status ra_store_account_list(ra_store *s, const char *firm, char (**out)[RA_CODE_MAX],
                                size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    firm_row f;
    ra_status rc = sq_firm(s, firm, &f, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = sq_prep(s, "SELECT code FROM accounts WHERE firm_id = ? ORDER BY code", err);
    if (!st || sq_bind(s, st, err, "i", f.id) != RA_OK)
        return sq_err(err);
    void *v = NULL;
    rc = sq_rows(s, st, &v, n, sizeof **out, 64, "the account list", sq_row_code, err);
    *out = v;
    return rc;
}

ra_status ra_store_household_accounts(ra_store *s, const char *firm, const char *account,
                                     char (**out)[RA_CODE_MAX], size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    firm_row f;
    ra_status rc = sq_firm(s, firm, &f, err);
    if (rc != RA_OK)
        return rc;
    /* by accounts (firm_id, code), clients_household and accounts_client (+: not by the firm's
     * every account) */
    ra_db_stmt *st = sq_prep(s, "SELECT a2.code FROM accounts a1 "
                                "JOIN clients c1 ON c1.id = a1.client_id "
                                "JOIN clients c2 ON c2.household_id = c1.household_id "
                                "JOIN accounts a2 ON a2.client_id = c2.id "
                                "WHERE a1.firm_id = ? AND a1.code = ? AND +a2.firm_id = a1.firm_id "
                                "ORDER BY a2.code",
                             err);
    if (!st || sq_bind(s, st, err, "it", f.id, account) != RA_OK)
        return sq_err(err);
    void *v = NULL;
    rc = sq_rows(s, st, &v, n, sizeof **out, 8, "the household's accounts", sq_row_code, err);
    *out = v;
    if (rc == RA_OK && *n == 0) {
        ra_store_free(*out);
        *out = NULL;
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no account %s in firm %s", account, firm);
    }
    return rc;
}

/* --- the persisted ledger of an account ------------------------------------------------------ */

ra_status rs_ledger_load(ra_store *s, int64_t account_id, ra_ledger *l, int64_t *n_txns,
                             ra_err *err)
{
    ra_db_stmt *st;
    int r = sq_query(s, &st, err, "SELECT minor_digits, cash_minor, next_lot_id, n_txns, cash_in_minor, "
                     "cash_out_minor, basis_in_minor, basis_sold_minor, basis_out_minor, "
                     "proceeds_minor, gain_short_minor, gain_long_minor "
                     "FROM accounts WHERE id = ?",
                     "i", account_id);
    if (r != RA_DB_ROW)
        return r < 0 ? sq_err(err)
                     : ra_err_set(err, RA_EINTERNAL, NULL, "account id %lld vanished",
                                  (long long)account_id);
    ra_ledger_settings set;
    ra_ledger_settings_default(&set);
    set.minor_digits = (int)sq_int(s, st, 0);
    ra_minor cash = sq_int(s, st, 1);
    uint64_t next = (uint64_t)sq_int(s, st, 2);
    ra_ledger_totals t;
    memset(&t, 0, sizeof t);
    *n_txns = sq_int(s, st, 3);
    t.n_txns = (uint64_t)*n_txns;
    t.cash_in_minor = sq_int(s, st, 4);
    t.cash_out_minor = sq_int(s, st, 5);
    t.basis_in_minor = sq_int(s, st, 6);
    t.basis_sold_minor = sq_int(s, st, 7);
    t.basis_out_minor = sq_int(s, st, 8);
    t.proceeds_minor = sq_int(s, st, 9);
    t.gain_short_minor = sq_int(s, st, 10);
    t.gain_long_minor = sq_int(s, st, 11);
    s->ops->reset(st);
    ra_status rc = ra_ledger_init(l, &set, NULL, err);
    if (rc != RA_OK)
        return rc;
    st = sq_prep(s, "SELECT lot_id, security_id, acquired, qty_micro, basis_minor FROM lots "
              "WHERE account_id = ? ORDER BY lot_id", err);
    if (!st || sq_bind(s, st, err, "i", account_id) != RA_OK) {
        ra_ledger_free(l);
        return sq_err(err);
    }
    ra_lot *lots = NULL;
    size_t n = 0, cap = 0;
    while ((r = s->ops->step(st, err)) == RA_DB_ROW) {
        ra_lot *g = sq_grow(lots, n, &cap, sizeof *lots, 16);
        if (!g) {
            r = -2;
            break;
        }
        lots = g;
        lots[n].id = (uint64_t)sq_int(s, st, 0);
        lots[n].security = (uint32_t)sq_int(s, st, 1);
        lots[n].acquired = (ra_date)sq_int(s, st, 2);
        lots[n].qty_micro = sq_int(s, st, 3);
        lots[n].basis_minor = sq_int(s, st, 4);
        n++;
    }
    s->ops->reset(st);
    if (r == -2)
        rc = sq_nomem(err, "lots");
    else if (r < 0)
        rc = sq_err(err);
    else
        rc = ra_ledger_restore(l, cash, lots, n, next, &t, err);
    ra_free(lots);
    if (rc != RA_OK)
        ra_ledger_free(l);
    return rc;
}

ra_status rs_ledger_save(ra_store *s, int64_t account_id, const ra_ledger *l, ra_err *err)
{
    const ra_ledger_totals *t = &l->totals;
    ra_db_stmt *st = sq_prep(s, "UPDATE accounts SET cash_minor = ?, next_lot_id = ?, n_txns = ?, "
                          "cash_in_minor = ?, cash_out_minor = ?, basis_in_minor = ?, "
                          "basis_sold_minor = ?, basis_out_minor = ?, proceeds_minor = ?, "
                          "gain_short_minor = ?, gain_long_minor = ? WHERE id = ?", err);
    if (!st || sq_bind(s, st, err, "iiiiiiiiiiii", l->cash_minor, (int64_t)l->next_lot_id,
                     (int64_t)t->n_txns, t->cash_in_minor, t->cash_out_minor, t->basis_in_minor,
                     t->basis_sold_minor, t->basis_out_minor, t->proceeds_minor,
                     t->gain_short_minor, t->gain_long_minor, account_id) != RA_OK ||
        sq_run(s, st, err) != RA_OK)
        return sq_err(err);
    st = sq_prep(s, "DELETE FROM lots WHERE account_id = ?", err);
    if (!st || sq_bind(s, st, err, "i", account_id) != RA_OK || sq_run(s, st, err) != RA_OK)
        return sq_err(err);
    st = sq_prep(s, "INSERT INTO lots (account_id, lot_id, security_id, acquired, qty_micro, "
              "basis_minor) VALUES (?, ?, ?, ?, ?, ?)", err);
    if (!st)
        return sq_err(err);
    for (size_t i = 0; i < l->n_lots; i++) {
        const ra_lot *x = &l->lots[i];
        s->ops->reset(st);
        if (sq_bind(s, st, err, "iiiiii", account_id, (int64_t)x->id, (int64_t)x->security,
                  (int64_t)x->acquired, x->qty_micro, x->basis_minor) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            return sq_err(err);
    }
    return RA_OK;
}

/* The ledger state of an audit record. Lots are arrays [id, security, acquired, qty_micro,
 * basis_minor] (docs/methodology.md#audit-trail-hash-chain): a million opened accounts carry
 * eight each, and the named form was a third of every record. */
json_t *rs_ledger_json(const ra_ledger *l)
{
    json_t *o = json_object(), *lots = json_array();
    rs_jint(o, "cash_minor", l->cash_minor);
    rs_jint(o, "next_lot_id", (int64_t)l->next_lot_id);
    for (size_t i = 0; i < l->n_lots && lots; i++) {
        const ra_lot *x = &l->lots[i];
        json_t *v = json_pack("[IIIII]", (json_int_t)x->id, (json_int_t)x->security,
                              (json_int_t)x->acquired, (json_int_t)x->qty_micro,
                              (json_int_t)x->basis_minor);
        if (!v || json_array_append_new(lots, v) != 0) {
            json_decref(lots);
            lots = NULL;
        }
    }
    rs_jset(o, "lots", lots);
    return o;
}

void rs_ledger_jw(rs_jw *w, const char *k, const ra_ledger *l)
{
    rs_jw_open(w, k, '{');
    rs_jw_int(w, "cash_minor", l->cash_minor);
    rs_jw_int(w, "next_lot_id", (int64_t)l->next_lot_id);
    rs_jw_open(w, "lots", '[');
    for (size_t i = 0; i < l->n_lots; i++) {
        const ra_lot *x = &l->lots[i];
        rs_jw_open(w, NULL, '[');
        rs_jw_int(w, NULL, (int64_t)x->id);
        rs_jw_int(w, NULL, (int64_t)x->security);
        rs_jw_int(w, NULL, (int64_t)x->acquired);
        rs_jw_int(w, NULL, x->qty_micro);
        rs_jw_int(w, NULL, x->basis_minor);
        rs_jw_close(w, ']');
    }
    rs_jw_close(w, ']');
    rs_jw_close(w, '}');
}

ra_status ra_store_account_ledger(ra_store *s, const char *firm, const char *code, ra_ledger *out,
                                  ra_err *err)
{
    int64_t id = 0, n = 0;
    ra_status rc = sq_firm_code_id(s, firm, SQ_ACCOUNT_ID, code, "account", &id, err);
    return rc == RA_OK ? rs_ledger_load(s, id, out, &n, err) : rc;
}

