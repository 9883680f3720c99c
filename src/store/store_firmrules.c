/* The firm's rules in the store (include/roboadvisor/store_firmrules.h, schema
 * 0016_firm_rules.sql, docs/methodology.md#firm-rules). */
#include "store_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/ledger.h>
#include <roboadvisor/store_firmrules.h>

#include <stdlib.h>
#include <string.h>

/* --- the rules, versioned ------------------------------------------------------------------- */

typedef struct rules_row {
    int version;
    ra_firm_rules *r;
} rules_row;

static ra_status rules_fn(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    rules_row *x = ctx;
    (void)err;
    x->version = (int)sq_int(s, st, 0);
    x->r->max_weight = s->ops->col_double(st, 1);
    sq_copy(x->r->exempt, sizeof x->r->exempt, sq_text(s, st, 2));
    x->r->max_firm_share = s->ops->col_double(st, 3);
    x->r->min_hold_days = (int)sq_int(s, st, 4);
    x->r->max_turnover = s->ops->col_double(st, 5);
    if (s->schema_version >= RA_SCHEMA_CROWDING) {
        x->r->max_identical = (int)sq_int(s, st, 6);
        x->r->crowd_te_budget = s->ops->col_double(st, 7);
    }
    return RA_OK;
}

ra_status ra_store_firm_rules(ra_store *s, const char *firm, int *version, ra_firm_rules *out,
                              ra_err *err)
{
    int want = *version;
    ra_firm_rules_default(out);
    *version = 0;
    if (s->schema_version < RA_SCHEMA_CROWDING)
        out->max_identical = 0; /* a book not migrated yet has no place for the variants */
    if (s->schema_version < RA_SCHEMA_FIRM_RULES)
        return RA_OK;
    firm_row f;
    ra_status rc = sq_firm(s, firm, &f, err);
    rules_row x = {0, out};
    const char *crowd = s->schema_version >= RA_SCHEMA_CROWDING
                            ? ", max_identical, crowd_te_budget"
                            : "";
    char sql[320];
    snprintf(sql, sizeof sql, "SELECT version, max_weight, exempt, max_firm_share, "
             "min_hold_days, max_turnover%s FROM firm_rules WHERE firm_id = ? %s", crowd,
             want > 0 ? "AND version = ?" : "ORDER BY version DESC LIMIT 1");
    if (rc == RA_OK && want > 0)
        rc = sq_each(s, err, rules_fn, &x, sql, "ii", f.id, (int64_t)want);
    else if (rc == RA_OK)
        rc = sq_each(s, err, rules_fn, &x, sql, "i", f.id);
    if (rc == RA_OK && want > 0 && x.version != want)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no version %d of the firm rules", want);
    *version = x.version;
    return rc;
}

ra_status ra_store_firm_rules_set(ra_store *s, const ra_store_actor *actor, const ra_firm_rules *r,
                                  int *version, ra_err *err)
{
    ra_status rc = ra_firm_rules_validate(r, err);
    if (rc != RA_OK)
        return rc;
    firm_row f;
    int own = 0;
    rc = sq_scope_write_begin(s, actor, RA_SCHEMA_FIRM_RULES, "firm rules", &f, &own, err);
    if (rc != RA_OK)
        return rc;
    int64_t v = 0;
    ra_db_stmt *st = sq_prep(s, "SELECT COALESCE(MAX(version), 0) FROM firm_rules WHERE "
                                "firm_id = ?", err);
    if (!st || sq_bind(s, st, err, "i", f.id) != RA_OK || sq_one(s, st, 0, &v, err) != RA_OK)
        rc = sq_err(err);
    v++;
    int crowd = s->schema_version >= RA_SCHEMA_CROWDING;
    if (rc == RA_OK && !crowd && (r->max_identical != RA_FIRM_DEFAULT_MAX_IDENTICAL ||
                                  r->crowd_te_budget != RA_FIRM_DEFAULT_CROWD_TE))
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "the book's schema %d has no anti-crowding "
                        "settings (migration %d): upgrade it first", s->schema_version,
                        RA_SCHEMA_CROWDING);
    st = rc == RA_OK ? sq_prep(s, crowd ? "INSERT INTO firm_rules (firm_id, version, max_weight, "
                                          "exempt, max_firm_share, min_hold_days, max_turnover, "
                                          "user_name, created_at, max_identical, "
                                          "crowd_te_budget) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                          "?, ?)"
                                        : "INSERT INTO firm_rules (firm_id, version, max_weight, "
                                          "exempt, max_firm_share, min_hold_days, max_turnover, "
                                          "user_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
                                          "?, ?)", err)
                     : NULL;
    if (rc == RA_OK && (!st || sq_bind(s, st, err, crowd ? "iidtdidtiid" : "iidtdidti", f.id, v,
                                       r->max_weight, r->exempt, r->max_firm_share,
                                       (int64_t)r->min_hold_days, r->max_turnover, actor->user,
                                       ra_store_now(s), (int64_t)r->max_identical,
                                       r->crowd_te_budget) != RA_OK ||
                        sq_run(s, st, err) != RA_OK))
        rc = sq_err(err);
    json_t *img = json_pack("{s:I, s:f, s:s, s:f, s:i, s:f}", "version", (json_int_t)v,
                            "max_weight", r->max_weight, "exempt", r->exempt, "max_firm_share",
                            r->max_firm_share, "min_hold_days", r->min_hold_days,
                            "max_turnover", r->max_turnover);
    if (img && crowd) {
        json_object_set_new(img, "max_identical", json_integer(r->max_identical));
        json_object_set_new(img, "crowd_te_budget", json_real(r->crowd_te_budget));
    }
    rc = rs_audit_change(s, rc, actor, "set", "firm_rules", actor->firm, NULL, img, err);
    if (rc == RA_OK)
        *version = (int)v;
    return ra_store_scope_end(s, own, rc, err);
}

/* --- funds' shares outstanding ------------------------------------------------------------- */

ra_status ra_store_fund_shares_put(ra_store *s, const ra_store_actor *actor,
                                   const ra_fund_shares *x, ra_err *err)
{
    if (x->shares_micro <= 0)
        return ra_err_set(err, RA_EINVAL, x->ticker, "shares outstanding must be positive");
    firm_row f;
    int own = 0;
    ra_status rc = sq_scope_write_begin(s, actor, RA_SCHEMA_FIRM_RULES, "fund shares", &f, &own,
                                        err);
    if (rc != RA_OK)
        return rc;
    int64_t sec = 0;
    rc = sq_id_of(s, SQ_SECURITY_ID, f.id, x->ticker, "security", &sec, err);
    ra_db_stmt *st = rc == RA_OK ? sq_prep(s, "DELETE FROM fund_shares WHERE security_id = ? AND "
                                              "day = ?", err)
                                 : NULL;
    if (rc == RA_OK && (!st || sq_bind(s, st, err, "ii", sec, (int64_t)x->date) != RA_OK ||
                        sq_run(s, st, err) != RA_OK))
        rc = sq_err(err);
    st = rc == RA_OK ? sq_prep(s, "INSERT INTO fund_shares (security_id, day, shares_micro) "
                                  "VALUES (?, ?, ?)", err)
                     : NULL;
    if (rc == RA_OK && (!st || sq_bind(s, st, err, "iii", sec, (int64_t)x->date,
                                       x->shares_micro) != RA_OK ||
                        sq_run(s, st, err) != RA_OK))
        rc = sq_err(err);
    char day[11];
    if (rc == RA_OK)
        rc = rs_audit_change(s, rc, actor, "set", "fund_shares", x->ticker, NULL,
                             json_pack("{s:s, s:s, s:I}", "ticker", x->ticker, "day",
                                       ra_date_format(x->date, day), "shares_micro",
                                       (json_int_t)x->shares_micro),
                             err);
    return ra_store_scope_end(s, own, rc, err);
}

/* A growing list of n records of elem bytes (sq_grow). */
typedef struct grow_list {
    void *v;
    size_t n, cap, elem;
} grow_list;

static void *list_push(grow_list *l)
{
    void *v = sq_grow(l->v, l->n, &l->cap, l->elem, 16);
    if (!v)
        return NULL;
    l->v = v;
    void *x = (char *)v + l->n++ * l->elem;
    memset(x, 0, l->elem);
    return x;
}

static ra_status shares_fn(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_fund_shares *x = list_push(ctx);
    if (!x)
        return sq_nomem(err, "the funds' shares outstanding");
    sq_copy(x->ticker, sizeof x->ticker, sq_text(s, st, 0));
    x->date = (ra_date)sq_int(s, st, 1);
    x->shares_micro = sq_int(s, st, 2);
    return RA_OK;
}

static ra_status list_done(ra_status rc, grow_list *l, void **out, size_t *n)
{
    if (rc != RA_OK) {
        ra_free(l->v);
        l->v = NULL;
        l->n = 0;
    }
    *out = l->v;
    *n = l->n;
    return rc;
}

ra_status ra_store_fund_shares_at(ra_store *s, const char *firm, ra_date date,
                                  ra_fund_shares **out, size_t *n, ra_err *err)
{
    grow_list l = {NULL, 0, 0, sizeof **out};
    firm_row f;
    ra_status rc = sq_need_version(s, RA_SCHEMA_FIRM_RULES, "fund shares", err);
    if (rc == RA_OK)
        rc = sq_firm(s, firm, &f, err);
    if (rc == RA_OK)
        rc = sq_each(s, err, shares_fn, &l, "SELECT c.ticker, x.day, x.shares_micro FROM "
                     "fund_shares x JOIN securities c ON c.id = x.security_id WHERE c.firm_id = ? "
                     "AND x.day = (SELECT MAX(y.day) FROM fund_shares y WHERE y.security_id = "
                     "x.security_id AND y.day <= ?) ORDER BY c.ticker", "ii", f.id, (int64_t)date);
    return list_done(rc, &l, (void **)out, n);
}

/* --- the day's firm-wide figures ------------------------------------------------------------ */

static ra_status day_fn(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_firm_day *d = ctx;
    (void)err;
    d->rules_version = (int)sq_int(s, st, 0);
    d->total_minor = sq_int(s, st, 1);
    d->crowd = (int)sq_int(s, st, 2);
    sq_copy(d->crowd_account, sizeof d->crowd_account, sq_text(s, st, 3));
    if (s->schema_version >= RA_SCHEMA_CROWDING) {
        d->crowd_base = (int)sq_int(s, st, 4);
        d->varied = (int)sq_int(s, st, 5);
        d->unmet = (int)sq_int(s, st, 6);
    }
    d->date = 1; /* found */
    return RA_OK;
}

static ra_status day_fund_fn(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_firm_day_fund *x = list_push(ctx);
    if (!x)
        return sq_nomem(err, "the day's firm figures");
    sq_copy(x->ticker, sizeof x->ticker, sq_text(s, st, 0));
    x->shares_micro = sq_int(s, st, 1);
    x->held_micro = sq_int(s, st, 2);
    return RA_OK;
}

ra_status ra_store_firm_day(ra_store *s, const char *firm, ra_date date, ra_firm_day *out,
                            int *found, ra_err *err)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    firm_row f;
    ra_status rc = sq_need_version(s, RA_SCHEMA_FIRM_RULES, "firm rules", err);
    if (rc == RA_OK)
        rc = sq_firm(s, firm, &f, err);
    if (rc == RA_OK)
        rc = sq_each(s, err, day_fn, out, s->schema_version >= RA_SCHEMA_CROWDING
                     ? "SELECT rules_version, total_minor, crowd, crowd_account, crowd_base, "
                       "varied, unmet FROM firm_days WHERE firm_id = ? AND day = ?"
                     : "SELECT rules_version, total_minor, crowd, crowd_account FROM firm_days "
                       "WHERE firm_id = ? AND day = ?", "ii", f.id, (int64_t)date);
    *found = out->date != 0;
    out->date = date;
    grow_list l = {NULL, 0, 0, sizeof *out->funds};
    if (rc == RA_OK && *found)
        rc = sq_each(s, err, day_fund_fn, &l, "SELECT c.ticker, x.shares_micro, x.held_micro "
                     "FROM firm_day_funds x JOIN securities c ON c.id = x.security_id WHERE "
                     "x.firm_id = ? AND x.day = ? ORDER BY c.ticker", "ii", f.id, (int64_t)date);
    return list_done(rc, &l, (void **)&out->funds, &out->n_funds);
}

/* --- the accounts' anti-crowding variants --------------------------------------------------- */

static ra_status variant_fn(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_crowd_variant *x = list_push(ctx);
    if (!x)
        return sq_nomem(err, "the accounts' variants");
    sq_copy(x->account, sizeof x->account, sq_text(s, st, 0));
    x->since = (ra_date)sq_int(s, st, 1);
    sq_copy(x->base, sizeof x->base, sq_text(s, st, 2));
    x->variant = (int)sq_int(s, st, 3);
    sq_copy(x->from, sizeof x->from, sq_text(s, st, 4));
    sq_copy(x->to, sizeof x->to, sq_text(s, st, 5));
    x->delta = s->ops->col_double(st, 6);
    return RA_OK;
}

#define VARIANTS_AT                                                                           \
    "SELECT a.code, x.from_day, x.base, x.variant, c.ticker, d.ticker, x.delta FROM "         \
    "account_variants x JOIN accounts a ON a.id = x.account_id JOIN securities c ON c.id = "  \
    "x.from_id JOIN securities d ON d.id = x.to_id WHERE x.firm_id = ? AND x.from_day <= ? "  \
    "AND (x.to_day IS NULL OR x.to_day > ?) ORDER BY a.code"

static ra_status variants_at(ra_store *s, int64_t firm_id, ra_date date, ra_crowd_variant **out,
                             size_t *n, ra_err *err)
{
    grow_list l = {NULL, 0, 0, sizeof **out};
    ra_status rc = sq_each(s, err, variant_fn, &l, VARIANTS_AT, "iii", firm_id, (int64_t)date,
                           (int64_t)date);
    return list_done(rc, &l, (void **)out, n);
}

ra_status ra_store_crowd_variants(ra_store *s, const char *firm, ra_date date,
                                  ra_crowd_variant **out, size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    if (s->schema_version < RA_SCHEMA_CROWDING)
        return RA_OK;
    firm_row f;
    ra_status rc = sq_firm(s, firm, &f, err);
    return rc == RA_OK ? variants_at(s, f.id, date, out, n, err) : rc;
}

static int variant_cmp(const void *a, const void *b)
{
    return strcmp(((const ra_crowd_variant *)a)->account, ((const ra_crowd_variant *)b)->account);
}

static int same_variant(const ra_crowd_variant *a, const ra_crowd_variant *b)
{
    return strcmp(a->base, b->base) == 0 && a->variant == b->variant &&
           strcmp(a->from, b->from) == 0 && strcmp(a->to, b->to) == 0 && a->delta == b->delta;
}

/* The day's variants d->var against those in force on the day: the ended closed, the new opened
 * (a merge of the two lists in account code order). */
static ra_status variants_put(ra_store *s, const firm_row *f, const ra_firm_day *d, ra_err *err)
{
    ra_crowd_variant *old = NULL, *now = NULL;
    size_t n_old = 0, n_now = d->n_var;
    ra_status rc = variants_at(s, f->id, d->date, &old, &n_old, err);
    if (rc == RA_OK && n_now) {
        now = ra_malloc(n_now * sizeof *now);
        if (!now)
            rc = sq_nomem(err, "the day's variants");
        else {
            memcpy(now, d->var, n_now * sizeof *now);
            qsort(now, n_now, sizeof *now, variant_cmp);
        }
    }
    size_t i = 0, j = 0;
    while (rc == RA_OK && (i < n_old || j < n_now)) {
        int c = i == n_old ? 1 : j == n_now ? -1 : strcmp(old[i].account, now[j].account);
        if (c == 0 && same_variant(&old[i], &now[j])) {
            i++, j++;
            continue;
        }
        if (c <= 0) { /* ended (or changed): in force until the day */
            ra_db_stmt *st = sq_prep(s, "UPDATE account_variants SET to_day = ? WHERE account_id "
                                        "= (SELECT id FROM accounts WHERE firm_id = ? AND code = "
                                        "?) AND from_day = ?", err);
            if (!st || sq_bind(s, st, err, "iiti", (int64_t)d->date, f->id, old[i].account,
                               (int64_t)old[i].since) != RA_OK || sq_run(s, st, err) != RA_OK)
                rc = sq_err(err);
            i++;
        }
        if (rc == RA_OK && c >= 0) { /* new (or changed): in force from the day */
            const ra_crowd_variant *x = &now[j++];
            int64_t from = 0, to = 0, acc = 0;
            rc = sq_id_of(s, SQ_SECURITY_ID, f->id, x->from, "security", &from, err);
            if (rc == RA_OK)
                rc = sq_id_of(s, SQ_SECURITY_ID, f->id, x->to, "security", &to, err);
            if (rc == RA_OK)
                rc = sq_id_of(s, SQ_ACCOUNT_ID, f->id, x->account, "account", &acc, err);
            ra_db_stmt *st = rc == RA_OK
                                 ? sq_prep(s, "INSERT INTO account_variants (firm_id, account_id, "
                                              "from_day, base, variant, from_id, to_id, delta) "
                                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", err)
                                 : NULL;
            if (rc == RA_OK && (!st || sq_bind(s, st, err, "iiitiiid", f->id, acc,
                                               (int64_t)d->date, x->base, (int64_t)x->variant,
                                               from, to, x->delta) != RA_OK ||
                                sq_run(s, st, err) != RA_OK))
                rc = sq_err(err);
        }
    }
    ra_free(old);
    ra_free(now);
    return rc;
}

ra_status ra_store_firm_day_put(ra_store *s, const ra_store_actor *actor, const ra_firm_day *d,
                                ra_err *err)
{
    firm_row f;
    int own = 0;
    ra_status rc = sq_scope_write_begin(s, actor, RA_SCHEMA_FIRM_RULES, "firm rules", &f, &own,
                                        err);
    if (rc != RA_OK)
        return rc;
    int64_t have = 0;
    ra_db_stmt *st = sq_prep(s, "SELECT COUNT(*) FROM firm_days WHERE firm_id = ? AND day = ?",
                             err);
    if (!st || sq_bind(s, st, err, "ii", f.id, (int64_t)d->date) != RA_OK ||
        sq_one(s, st, 0, &have, err) != RA_OK)
        rc = sq_err(err);
    if (rc == RA_OK && have)
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "the firm figures of the day are stored already");
    int crowd = s->schema_version >= RA_SCHEMA_CROWDING;
    st = rc == RA_OK ? sq_prep(s, crowd ? "INSERT INTO firm_days (firm_id, day, rules_version, "
                                          "total_minor, crowd, crowd_account, crowd_base, "
                                          "varied, unmet) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                        : "INSERT INTO firm_days (firm_id, day, rules_version, "
                                          "total_minor, crowd, crowd_account) VALUES (?, ?, ?, "
                                          "?, ?, ?)", err)
                     : NULL;
    if (rc == RA_OK && (!st || sq_bind(s, st, err, crowd ? "iiiiitiii" : "iiiiit", f.id,
                                       (int64_t)d->date, (int64_t)d->rules_version,
                                       d->total_minor, (int64_t)d->crowd, d->crowd_account,
                                       (int64_t)d->crowd_base, (int64_t)d->varied,
                                       (int64_t)d->unmet) != RA_OK ||
                        sq_run(s, st, err) != RA_OK))
        rc = sq_err(err);
    if (rc == RA_OK && crowd)
        rc = variants_put(s, &f, d, err);
    for (size_t i = 0; rc == RA_OK && i < d->n_funds; i++) {
        int64_t sec = 0;
        rc = sq_id_of(s, SQ_SECURITY_ID, f.id, d->funds[i].ticker, "security", &sec, err);
        st = rc == RA_OK ? sq_prep(s, "INSERT INTO firm_day_funds (firm_id, day, security_id, "
                                      "shares_micro, held_micro) VALUES (?, ?, ?, ?, ?)", err)
                         : NULL;
        if (rc == RA_OK && (!st || sq_bind(s, st, err, "iiiii", f.id, (int64_t)d->date, sec,
                                           d->funds[i].shares_micro,
                                           d->funds[i].held_micro) != RA_OK ||
                            sq_run(s, st, err) != RA_OK))
            rc = sq_err(err);
    }
    return ra_store_scope_end(s, own, rc, err);
}

/* --- the accounts' turnover figures --------------------------------------------------------- */

typedef struct turnover_ctx {
    grow_list l;
    int md;
} turnover_ctx;

/* The last record for account code, or a new one. */
static ra_firm_turnover *turnover_of(turnover_ctx *c, const char *code)
{
    ra_firm_turnover *v = c->l.v;
    if (c->l.n && strcmp(v[c->l.n - 1].account, code) == 0)
        return &v[c->l.n - 1];
    ra_firm_turnover *x = list_push(&c->l);
    if (x)
        sq_copy(x->account, sizeof x->account, code);
    return x;
}

static ra_status sale_fn(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    turnover_ctx *c = ctx;
    ra_firm_turnover *x = turnover_of(c, sq_text(s, st, 0));
    if (!x)
        return sq_nomem(err, "the accounts' turnover");
    ra_minor v = 0;
    ra_status rc = ra_money_value(sq_int(s, st, 1), sq_int(s, st, 2), c->md, &v, err);
    x->sales_minor += v;
    return rc;
}

static ra_status value_fn(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    turnover_ctx *c = ctx;
    ra_firm_turnover *x = turnover_of(c, sq_text(s, st, 0));
    if (!x)
        return sq_nomem(err, "the accounts' turnover");
    x->value_sum_minor = sq_int(s, st, 1);
    x->n_values = sq_int(s, st, 2);
    return RA_OK;
}

static int turnover_cmp(const void *a, const void *b)
{
    return strcmp(((const ra_firm_turnover *)a)->account, ((const ra_firm_turnover *)b)->account);
}

ra_status ra_store_firm_turnover(ra_store *s, const char *firm, ra_date date,
                                 ra_firm_turnover **out, size_t *n, ra_err *err)
{
    int y = 0, m = 0, d = 0;
    ra_date_to_ymd(date, &y, &m, &d);
    ra_date jan1 = ra_date_from_ymd(y, 1, 1);
    firm_row f;
    turnover_ctx c = {{NULL, 0, 0, sizeof **out}, 2};
    ra_status rc = sq_firm(s, firm, &f, err);
    c.md = f.minor_digits;
    if (rc == RA_OK)
        rc = sq_each(s, err, sale_fn, &c, "SELECT a.code, t.qty_micro, t.price FROM txns t JOIN "
                     "accounts a ON a.id = t.account_id WHERE a.firm_id = ? AND t.kind = ? AND "
                     "t.day >= ? AND t.day < ? ORDER BY a.code, t.id", "iiii", f.id,
                     (int64_t)RA_TXN_SELL, (int64_t)jan1, (int64_t)date);
    if (rc == RA_OK)
        rc = sq_each(s, err, value_fn, &c, "SELECT a.code, SUM(v.value_minor), COUNT(*) FROM "
                     "daily_values v JOIN accounts a ON a.id = v.account_id WHERE a.firm_id = ? "
                     "AND v.day >= ? AND v.day < ? GROUP BY a.code ORDER BY a.code", "iii", f.id,
                     (int64_t)jan1, (int64_t)date);
    if (rc == RA_OK && c.l.n) {
        /* an account in both lists appears twice: fold its value record into its sales one */
        ra_firm_turnover *v = c.l.v;
        qsort(v, c.l.n, sizeof *v, turnover_cmp);
        size_t w = 0;
        for (size_t i = 0; i < c.l.n; i++) {
            if (w && strcmp(v[w - 1].account, v[i].account) == 0) {
                v[w - 1].sales_minor += v[i].sales_minor;
                v[w - 1].value_sum_minor += v[i].value_sum_minor;
                v[w - 1].n_values += v[i].n_values;
            } else
                v[w++] = v[i];
        }
        c.l.n = w;
    }
    return list_done(rc, &c.l, (void **)out, n);
}

/* --- a proposal's cuts --------------------------------------------------------------------- */

ra_status rs_firm_cuts_put(ra_store *s, int64_t prop_id, const char *cuts, ra_err *err)
{
    ra_status rc = sq_need_version(s, RA_SCHEMA_FIRM_RULES, "firm rules", err);
    ra_db_stmt *st = rc == RA_OK ? sq_prep(s, "UPDATE proposals SET firm_cuts = ? WHERE id = ?",
                                           err)
                                 : NULL;
    if (rc == RA_OK && (!st || sq_bind(s, st, err, "ti", cuts, prop_id) != RA_OK ||
                        sq_run(s, st, err) != RA_OK))
        rc = sq_err(err);
    return rc;
}

static ra_status cuts_fn(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    char **out = ctx;
    (void)err;
    sq_copy(out[0], (size_t)(out[1] - out[0]), sq_text(s, st, 0));
    return RA_OK;
}

ra_status rs_firm_cuts_get(ra_store *s, int64_t prop_id, char *out, size_t cap, ra_err *err)
{
    out[0] = '\0';
    if (s->schema_version < RA_SCHEMA_FIRM_RULES)
        return RA_OK;
    char *ctx[2] = {out, out + cap};
    return sq_each(s, err, cuts_fn, ctx, "SELECT firm_cuts FROM proposals WHERE id = ?", "i",
                   prop_id);
}
