/* Model portfolios in the store (models.h; migration 0002_models.sql): versioned models, the firm's
 * model settings, account assignments with suitability and audited overrides.
 *
 * Written against the public store.h API, the driver of db.h and the store's internal helpers of
 * store_int.h (the connection and the audit trail). */
#include "store/db.h"
#include <roboadvisor/store_models.h>
#include <roboadvisor/store_now.h>
#include "store/store_int.h"
#include "roboadvisor/models.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define MODEL_CLASSES_SCHEMA 18 /* 0018_model_inputs: model_classes */
#define MODEL_OBJECTIVES_SCHEMA 27 /* 0027_model_objectives: model_objectives */
#define MODEL_CASH_RATE_SCHEMA 28  /* 0028_plan_cash_rate: model_settings.cash_rate */

typedef struct conn {
    ra_store *s;
    ra_db *db;
    const ra_db_ops *ops;
    int own;  /* the write scope is our own transaction (else a savepoint in the caller's) */
} conn;

static void conn_init(conn *c, ra_store *s)
{
    c->s = s;
    c->db = ra_store_db(s);
    c->ops = c->db->ops;
    c->own = 0;
}

/* A write scope: our own transaction, or a savepoint in the caller's (store_int.h). */
static ra_status wbegin(conn *c, ra_err *err)
{
    return ra_store_scope_begin(c->s, &c->own, err);
}

static ra_status wend(conn *c, ra_status rc, ra_err *err)
{
    return ra_store_scope_end(c->s, c->own, rc, err);
}

/* Prepares and binds (store_int.h: i int64, d double (NAN -> NULL), t text). */
static ra_db_stmt *prep(conn *c, ra_err *err, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ra_db_stmt *st = sq_vprepare_new(c->s, err, sql, fmt, ap);
    va_end(ap);
    return st;
}

static ra_status run(conn *c, ra_db_stmt *st, ra_err *err) { return sq_finish(c->s, st, err); }

/* The reads the API's account summary makes on every request (the model, its weights, the
 * account's assignment, the household test): sql a literal, prepared once per connection
 * (sq_prep's cache), bound from fmt (sq_bind); end with cdone (a reset), never finalize. */
static ra_db_stmt *cprep(conn *c, ra_err *err, const char *sql, const char *fmt, ...)
{
    ra_db_stmt *st = sq_prep(c->s, sql, err);
    if (!st)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    ra_status rc = RA_OK;
    for (int i = 0; fmt[i] && rc == RA_OK; i++)
        rc = fmt[i] == 'i' ? c->ops->bind_int64(st, i + 1, va_arg(ap, int64_t), err)
                           : c->ops->bind_text(st, i + 1, va_arg(ap, const char *), err);
    va_end(ap);
    if (rc != RA_OK) {
        c->ops->reset(st);
        return NULL;
    }
    return st;
}

static void cdone(conn *c, ra_db_stmt *st) { c->ops->reset(st); }
static ra_status firm_id(conn *c, const char *firm, int64_t *id, ra_err *err)
{
    /* 0002 the tables, 0004 ratings and the one override record */
    ra_status rc = sq_need_version(c->s, 4, "model", err);
    return rc == RA_OK ? sq_firm_id(c->s, firm, id, err) : rc;
}

/* conn_init, then the firm's id (*id 0 first). */
static ra_status conn_firm(conn *c, ra_store *s, const char *firm, int64_t *id, ra_err *err)
{
    conn_init(c, s);
    *id = 0;
    return firm_id(c, firm, id, err);
}

/* --- audit ------------------------------------------------------------------------------------ */

static ra_status audit_append(conn *c, const ra_store_actor *a, const char *action,
                              const char *entity, const char *entity_id, const char *before,
                              const char *after, ra_err *err)
{
    return ra_store_audit_append(c->s, a, action, entity, entity_id, before, after, err);
}

/* The rating as stored (JSON, malloc'd): each rule's level and which set the model's level. */
static char *rating_json(const ra_models_rating *r)
{
    json_t *rules = json_array();
    for (unsigned b = RA_MODELS_RULE_EQUITY; b <= RA_MODELS_RULE_HOLDING; b <<= 1)
        if (r->rules & b)
            json_array_append_new(rules, json_string(ra_models_rule_name(b)));
    json_t *j = json_pack("{s:i,s:o,s:i,s:i,s:i,s:f,s:f,s:s,s:i,s:f}", "level", r->level, "rules",
                          rules, "by_equity", r->by_equity, "by_average", r->by_average,
                          "by_holding", r->by_holding, "equity_share", r->equity_share,
                          "average_level", r->average_level, "holding", r->holding,
                          "holding_level", r->holding_level, "holding_weight", r->holding_weight);
    char *out = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12))
                  : NULL;
    json_decref(j);
    return out;
}

/* The stored rating back ("{}" from before ratings were kept: the level alone, by equity). */
static void rating_parse(const char *text, ra_model *m)
{
    ra_models_rating *r = &m->rating;
    memset(r, 0, sizeof *r);
    r->level = m->level;
    r->by_equity = m->level;
    r->equity_share = m->equity_share;
    r->rules = RA_MODELS_RULE_EQUITY;
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    json_t *rules = NULL;
    const char *h = "";
    if (j && json_unpack(j, "{s:i,s:o,s:i,s:i,s:i,s:F,s:F,s:s,s:i,s:F}", "level", &r->level,
                         "rules", &rules, "by_equity", &r->by_equity, "by_average",
                         &r->by_average, "by_holding", &r->by_holding, "equity_share",
                         &r->equity_share, "average_level", &r->average_level, "holding", &h,
                         "holding_level", &r->holding_level, "holding_weight",
                         &r->holding_weight) == 0) {
        snprintf(r->holding, sizeof r->holding, "%s", h);
        r->rules = 0;
        size_t i;
        json_t *v;
        json_array_foreach(rules, i, v) {
            const char *x = json_string_value(v);
            for (unsigned b = RA_MODELS_RULE_EQUITY; x && b <= RA_MODELS_RULE_HOLDING; b <<= 1)
                if (strcmp(x, ra_models_rule_name(b)) == 0)
                    r->rules |= b;
        }
    }
    json_decref(j);
}

/* JSON text of a model (weights with 12 significant digits: far below RA_MODELS_TOL_SAME). */
static char *model_json(const ra_model *m)
{
    char *rating = rating_json(&m->rating);
    size_t cap = 512 + 6 * sizeof m->notes + m->n * (RA_CODE_MAX + 48) +
                 m->n_classes * (2 * RA_CODE_MAX + 256) +
                 (rating ? strlen(rating) : 0);
    char *b = rating ? malloc(cap) : NULL;
    if (!b) {
        free(rating);
        return NULL;
    }
    size_t k = (size_t)snprintf(
        b, cap,
        "{\"code\":\"%s\",\"version\":%d,\"level\":%d,\"target_level\":%d,\"built\":%d,"
        "\"method\":\"%s\",\"from\":%d,\"to\":%d,\"equity_share\":%.12g,\"rating\":%s,"
        "\"weights\":{",
        m->code, m->version, m->level, m->target_level, m->built, m->method, (int)m->from,
        (int)m->to, m->equity_share, rating);
    free(rating);
    for (size_t i = 0; i < m->n && k < cap; i++)
        k += (size_t)snprintf(b + k, cap - k, "%s\"%s\":%.12g", i ? "," : "", m->w[i].ticker,
                              m->w[i].weight);
    if (k < cap)
        k += (size_t)snprintf(b + k, cap - k, "}");
    if (m->n_classes && k < cap)
        k += (size_t)snprintf(b + k, cap - k, ",\"classes\":[");
    for (size_t i = 0; i < m->n_classes && k < cap; i++) {
        const ra_model_class *c = &m->classes[i];
        k += (size_t)snprintf(b + k, cap - k,
                              "%s{\"class\":\"%s\",\"market_weight\":%.12g,\"pi\":%.12g,"
                              "\"mu\":%.12g,\"weight\":%.12g,\"weight_sd\":%.12g,"
                              "\"fund\":\"%s\",\"expense_ratio\":%.12g,"
                              "\"tracking_error\":%.12g}",
                              i ? "," : "", c->cls, c->market_weight, c->pi, c->mu, c->weight,
                              c->weight_sd, c->fund, c->expense_ratio, c->tracking_error);
    }
    if (m->n_classes && k < cap)
        k += (size_t)snprintf(b + k, cap - k, "]");
    if (m->cvar_beta > 0 && k < cap) { /* 0027: the objective and CVaR */
        json_t *notes = json_string(m->notes);
        char *nt = notes ? json_dumps(notes, JSON_ENCODE_ANY) : NULL;
        json_decref(notes);
        k += (size_t)snprintf(b + k, cap - k,
                              ",\"objective\":\"%s\",\"cvar_beta\":%.12g,\"cvar\":%.12g,"
                              "\"var\":%.12g,\"cvar_limit\":%.12g,\"notes\":%s",
                              ra_models_objective_name(m->objective), m->cvar_beta, m->cvar,
                              m->var, m->cvar_limit, nt ? nt : "\"\"");
        free(nt);
    }
    if (k < cap)
        snprintf(b + k, cap - k, "}");
    return b;
}

/* --- settings --------------------------------------------------------------------------------- */

ra_status ra_models_settings_get(ra_store *s, const char *firm, ra_models_settings *out,
                                 ra_err *err)
{
    conn c;
    int64_t fid;
    ra_status rc = conn_firm(&c, s, firm, &fid, err);
    if (rc != RA_OK)
        return rc;
    memset(out, 0, sizeof *out);
    out->shelf_only = 1;
    int liq = s->schema_version >= MODEL_OBJECTIVES_SCHEMA; /* min_adv: 0027 */
    int cash = s->schema_version >= MODEL_CASH_RATE_SCHEMA; /* cash_rate: 0028 */
    ra_db_stmt *st =
        prep(&c, err,
             cash  ? "SELECT shelf_only, min_adv, cash_rate FROM model_settings WHERE firm_id = ?"
             : liq ? "SELECT shelf_only, min_adv, NULL FROM model_settings WHERE firm_id = ?"
                   : "SELECT shelf_only, 0, NULL FROM model_settings WHERE firm_id = ?",
             "i", fid);
    if (!st)
        return err ? err->code : RA_EIO;
    int r = c.ops->step(st, err);
    if (r == RA_DB_ROW) {
        out->shelf_only = (int)c.ops->col_int64(st, 0);
        out->min_adv = c.ops->col_int64(st, 1);
        out->have_cash_rate = !c.ops->col_is_null(st, 2);
        out->cash_rate = out->have_cash_rate ? c.ops->col_double(st, 2) : 0;
    }
    c.ops->finalize(st);
    return r < 0 ? (err ? err->code : RA_EIO) : RA_OK;
}

/* The settings as the audit record's JSON: min_adv and cash_rate only when set (%.17g: the
 * stored double, exactly). */
static void settings_text(int shelf_only, int64_t min_adv, int have_cash, double cash_rate,
                          char *b, size_t cap)
{
    size_t k = (size_t)snprintf(b, cap, "{\"shelf_only\":%d", shelf_only);
    if (min_adv && k < cap)
        k += (size_t)snprintf(b + k, cap - k, ",\"min_adv\":%lld", (long long)min_adv);
    if (have_cash && k < cap)
        k += (size_t)snprintf(b + k, cap - k, ",\"cash_rate\":%.17g", cash_rate);
    if (k < cap)
        snprintf(b + k, cap - k, "}");
}

ra_status ra_models_settings_put(ra_store *s, const ra_store_actor *actor,
                                 const ra_models_settings *in, ra_err *err)
{
    conn c;
    conn_init(&c, s);
    ra_models_settings cur;
    ra_status rc = ra_models_settings_get(s, actor->firm, &cur, err);
    if (rc != RA_OK)
        return rc;
    int v = in->shelf_only ? 1 : 0;
    if (in->min_adv < 0)
        return ra_err_set(err, RA_EINVAL, "min_adv", "the minimum daily value %lld is below 0",
                          (long long)in->min_adv);
    if (in->min_adv && s->schema_version < MODEL_OBJECTIVES_SCHEMA)
        return ra_err_set(err, RA_EINVAL, "min_adv", "the book's schema predates the minimum "
                                                     "daily value (migration 0027)");
    int have_cash = in->have_cash_rate != 0;
    if (have_cash && !(in->cash_rate >= RA_MODELS_CASH_RATE_MIN &&
                       in->cash_rate < RA_MODELS_CASH_RATE_MAX))
        return ra_err_set(err, RA_EINVAL, "cash_rate", "the cash rate %g is not an annual decimal "
                          "rate in [%g, %g) (0.042 for 4.2 %%)", in->cash_rate,
                          RA_MODELS_CASH_RATE_MIN, RA_MODELS_CASH_RATE_MAX);
    if (have_cash && s->schema_version < MODEL_CASH_RATE_SCHEMA)
        return ra_err_set(err, RA_EINVAL, "cash_rate", "the book's schema predates the cash rate "
                                                       "(migration 0028)");
    if (cur.shelf_only == v && cur.min_adv == in->min_adv && cur.have_cash_rate == have_cash &&
        (!have_cash || cur.cash_rate == in->cash_rate))
        return RA_OK;
    int64_t fid = 0;
    if ((rc = firm_id(&c, actor->firm, &fid, err)) != RA_OK || (rc = wbegin(&c, err)) != RA_OK)
        return rc;
    rc = run(&c, prep(&c, err, "DELETE FROM model_settings WHERE firm_id = ?", "i", fid), err);
    if (rc == RA_OK)
        rc = run(&c,
                 have_cash ? prep(&c, err,
                                  "INSERT INTO model_settings (firm_id, shelf_only, min_adv, "
                                  "cash_rate) VALUES (?, ?, ?, ?)",
                                  "iiid", fid, (int64_t)v, in->min_adv, in->cash_rate)
                 : in->min_adv
                     ? prep(&c, err,
                            "INSERT INTO model_settings (firm_id, shelf_only, min_adv) VALUES "
                            "(?, ?, ?)",
                            "iii", fid, (int64_t)v, in->min_adv)
                     : prep(&c, err,
                            "INSERT INTO model_settings (firm_id, shelf_only) VALUES (?, ?)",
                            "ii", fid, (int64_t)v),
                 err);
    /* the minimum daily value and the cash rate only when set: the records of earlier books read
     * as before */
    char before[160], after[160];
    settings_text(cur.shelf_only, cur.min_adv, cur.have_cash_rate, cur.cash_rate, before,
                  sizeof before);
    settings_text(v, in->min_adv, have_cash, in->cash_rate, after, sizeof after);
    if (rc == RA_OK)
        rc = audit_append(&c, actor, "update", "model_settings", actor->firm, before, after, err);
    return wend(&c, rc, err);
}

/* --- models ----------------------------------------------------------------------------------- */

#define SQL_MODEL_COLS_STR                                                                       \
    "SELECT id, code, version, level, target_level, built, method, day_from, day_to, "           \
    "expected_return, volatility, equity_share, created_at, rating FROM models "
static const char SQL_MODEL_COLS[] = SQL_MODEL_COLS_STR;

static void model_row(conn *c, ra_db_stmt *st, ra_model *m, int64_t *id)
{
    memset(m, 0, sizeof *m);
    *id = c->ops->col_int64(st, 0);
    snprintf(m->code, sizeof m->code, "%s", c->ops->col_text(st, 1));
    m->version = (int)c->ops->col_int64(st, 2);
    m->level = (int)c->ops->col_int64(st, 3);
    m->target_level = (int)c->ops->col_int64(st, 4);
    m->built = (int)c->ops->col_int64(st, 5);
    snprintf(m->method, sizeof m->method, "%s", c->ops->col_text(st, 6));
    m->from = (ra_date)c->ops->col_int64(st, 7);
    m->to = (ra_date)c->ops->col_int64(st, 8);
    m->expected_return = c->ops->col_is_null(st, 9) ? NAN : c->ops->col_double(st, 9);
    m->volatility = c->ops->col_is_null(st, 10) ? NAN : c->ops->col_double(st, 10);
    m->equity_share = c->ops->col_double(st, 11);
    m->created_at = c->ops->col_int64(st, 12);
    rating_parse(c->ops->col_text(st, 13), m);
}

static ra_status load_weights(conn *c, int64_t id, ra_model *m, ra_err *err)
{
    ra_db_stmt *st = cprep(c, err,
                          "SELECT s.ticker, w.weight FROM model_weights w JOIN securities s ON "
                          "s.id = w.security_id WHERE w.model_id = ? ORDER BY s.ticker",
                          "i", id);
    if (!st)
        return err ? err->code : RA_EIO;
    int r;
    m->n = 0;
    while ((r = c->ops->step(st, err)) == RA_DB_ROW && m->n < RA_MODELS_MAX_HOLDINGS) {
        snprintf(m->w[m->n].ticker, sizeof m->w[0].ticker, "%s", c->ops->col_text(st, 0));
        m->w[m->n++].weight = c->ops->col_double(st, 1);
    }
    cdone(c, st);
    if (r < 0)
        return err ? err->code : RA_EIO;
    /* a two-stage model's classes (0018; none before) */
    m->n_classes = 0;
    if (c->s->schema_version < MODEL_CLASSES_SCHEMA)
        return RA_OK;
    st = cprep(c, err,
              "SELECT asset_class, market_weight, pi, mu, weight, fund, expense_ratio, "
              "tracking_error, weight_sd FROM model_classes WHERE model_id = ? ORDER BY position",
              "i", id);
    if (!st)
        return err ? err->code : RA_EIO;
    while ((r = c->ops->step(st, err)) == RA_DB_ROW && m->n_classes < RA_MODELS_MAX_CLASSES) {
        ra_model_class *k = &m->classes[m->n_classes++];
        snprintf(k->cls, sizeof k->cls, "%s", c->ops->col_text(st, 0));
        k->market_weight = c->ops->col_double(st, 1);
        k->pi = c->ops->col_double(st, 2);
        k->mu = c->ops->col_double(st, 3);
        k->weight = c->ops->col_double(st, 4);
        snprintf(k->fund, sizeof k->fund, "%s", c->ops->col_text(st, 5));
        k->expense_ratio = c->ops->col_double(st, 6);
        k->tracking_error = c->ops->col_double(st, 7);
        k->weight_sd = c->ops->col_double(st, 8);
    }
    cdone(c, st);
    if (r < 0)
        return err ? err->code : RA_EIO;
    /* its objective and CVaR (0027; none before, nor for single-stage models) */
    m->mv_return = m->mv_cvar = NAN;
    if (c->s->schema_version < MODEL_OBJECTIVES_SCHEMA)
        return RA_OK;
    st = cprep(c, err,
               "SELECT objective, cvar_beta, cvar, value_at_risk, cvar_limit, mv_return, mv_cvar, "
               "notes FROM model_objectives WHERE model_id = ?",
               "i", id);
    if (!st)
        return err ? err->code : RA_EIO;
    if ((r = c->ops->step(st, err)) == RA_DB_ROW) {
        const char *o = c->ops->col_text(st, 0);
        for (int k = RA_MODELS_OBJ_MEAN_VARIANCE; k <= RA_MODELS_OBJ_CVAR_LIMIT; k++)
            if (strcmp(o, ra_models_objective_name(k)) == 0)
                m->objective = k;
        m->cvar_beta = c->ops->col_double(st, 1);
        m->cvar = c->ops->col_double(st, 2);
        m->var = c->ops->col_double(st, 3);
        m->cvar_limit = c->ops->col_double(st, 4);
        if (m->objective != RA_MODELS_OBJ_MEAN_VARIANCE) {
            m->mv_return = c->ops->col_double(st, 5);
            m->mv_cvar = c->ops->col_double(st, 6);
        }
        snprintf(m->notes, sizeof m->notes, "%s", c->ops->col_text(st, 7));
    }
    cdone(c, st);
    return r < 0 ? (err ? err->code : RA_EIO) : RA_OK;
}

/* Finds a model version (0 latest); *id 0 and RA_OK with found 0 if there is none. */
static ra_status find_model(conn *c, int64_t fid, const char *code, int version, ra_model *m,
                            int64_t *id, int *found, ra_err *err)
{
    ra_db_stmt *st = version > 0 ? cprep(c, err, SQL_MODEL_COLS_STR "WHERE firm_id = ? AND code = ? "
                                                 "AND version = ?", "iti", fid, code,
                                         (int64_t)version)
                                 : cprep(c, err, SQL_MODEL_COLS_STR "WHERE firm_id = ? AND code = ? "
                                                 "ORDER BY version DESC LIMIT 1", "it", fid,
                                         code);
    if (!st)
        return err ? err->code : RA_EIO;
    int r = c->ops->step(st, err);
    *found = r == RA_DB_ROW;
    *id = 0;
    if (r == RA_DB_ROW)
        model_row(c, st, m, id);
    cdone(c, st);
    if (r < 0)
        return err ? err->code : RA_EIO;
    return *found ? load_weights(c, *id, m, err) : RA_OK;
}

ra_status ra_models_put(ra_store *s, const ra_store_actor *actor, ra_model *m, int *version,
                        int *created, ra_err *err)
{
    conn c;
    conn_init(&c, s);
    if (version)
        *version = 0;
    if (created)
        *created = 0;
    if (!actor || !actor->user[0] || !actor->firm[0])
        return ra_err_set(err, RA_EINVAL, NULL, "no actor given for the audit trail");
    ra_status rc = ra_models_validate(m, err);
    if (rc != RA_OK)
        return rc;
    int64_t fid = 0;
    if ((rc = firm_id(&c, actor->firm, &fid, err)) != RA_OK)
        return rc;
    ra_models_settings set;
    if ((rc = ra_models_settings_get(s, actor->firm, &set, err)) != RA_OK)
        return rc;
    uint32_t sec_id[RA_MODELS_MAX_HOLDINGS];
    char cls[RA_MODELS_MAX_HOLDINGS][RA_CODE_MAX];
    const char *clsp[RA_MODELS_MAX_HOLDINGS];
    int lvl[RA_MODELS_MAX_HOLDINGS];
    for (size_t i = 0; i < m->n; i++) {
        ra_security sec;
        ra_err e = {0};
        rc = ra_store_security_get(s, actor->firm, m->w[i].ticker, &sec, &e);
        if (rc == RA_ENOTFOUND)
            return ra_err_set(err, RA_ENOTFOUND, m->w[i].ticker,
                              "model %s: security %s does not exist", m->code, m->w[i].ticker);
        if (rc != RA_OK) {
            if (err)
                *err = e;
            return rc;
        }
        if (set.shelf_only && !sec.on_shelf)
            return ra_err_set(err, RA_EINVAL, m->w[i].ticker,
                              "model %s: security %s is not on the shelf and firm %s allows only "
                              "shelf securities in models",
                              m->code, m->w[i].ticker, actor->firm);
        if ((rc = ra_store_security_id(s, actor->firm, m->w[i].ticker, &sec_id[i], err)) != RA_OK)
            return rc;
        snprintf(cls[i], sizeof cls[i], "%s", sec.asset_class);
        clsp[i] = cls[i];
        lvl[i] = sec.risk_level;
    }
    /* the level from the equity share and the holdings' risk levels, with its reasons */
    ra_models_rating rating;
    if ((rc = ra_models_rate(m, clsp, lvl, &rating, err)) != RA_OK)
        return rc;
    double eq = m->equity_share;
    if (!m->built || m->target_level == 0)
        m->target_level = m->level;
    if (m->built && m->level > m->target_level)
        return ra_err_set(err, RA_EINTERNAL, m->code,
                          "model %s built for R%d has level R%d (equity %.4f)", m->code,
                          m->target_level, m->level, eq);
    if ((rc = wbegin(&c, err)) != RA_OK)
        return rc;
    ra_model *cur = malloc(sizeof *cur);
    char *before = NULL, *after = NULL, *rating_text = NULL;
    if (!cur) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a model");
        goto out;
    }
    int64_t cur_id = 0;
    int found = 0;
    if ((rc = find_model(&c, fid, m->code, 0, cur, &cur_id, &found, err)) != RA_OK)
        goto out;
    if (found && ra_models_same_weights(cur, m) && cur->level == m->level &&
        cur->rating.rules == m->rating.rules) {
        m->version = cur->version;
        m->created_at = cur->created_at;
        if (version)
            *version = cur->version;
        goto out;
    }
    m->version = found ? cur->version + 1 : 1;
    m->created_at = ra_store_now(s);
    rating_text = rating_json(&m->rating);
    if (!rating_text) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not describe the rating of model %s",
                        m->code);
        goto out;
    }
    ra_db_stmt *st = prep(&c, err,
                          "INSERT INTO models (firm_id, code, version, level, target_level, built, "
                          "method, day_from, day_to, expected_return, volatility, equity_share, "
                          "created_at, rating) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                          "RETURNING id",
                          "itiiiitiidddit", fid, m->code, (int64_t)m->version, (int64_t)m->level,
                          (int64_t)m->target_level, (int64_t)m->built, m->method,
                          (int64_t)m->from, (int64_t)m->to, m->expected_return, m->volatility,
                          m->equity_share, m->created_at, rating_text);
    if (!st) {
        rc = err ? err->code : RA_EIO;
        goto out;
    }
    int r = c.ops->step(st, err);
    int64_t id = r == RA_DB_ROW ? c.ops->col_int64(st, 0) : 0;
    if (r == RA_DB_ROW)
        r = c.ops->step(st, err);
    c.ops->finalize(st);
    if (r < 0 || id == 0) {
        rc = r < 0 ? (err ? err->code : RA_EIO)
                   : ra_err_set(err, RA_EINTERNAL, NULL, "the new model has no id");
        goto out;
    }
    for (size_t i = 0; i < m->n && rc == RA_OK; i++)
        rc = run(&c,
                 prep(&c, err,
                      "INSERT INTO model_weights (model_id, security_id, weight) VALUES (?, ?, ?)",
                      "iid", id, (int64_t)sec_id[i], m->w[i].weight),
                 err);
    for (size_t i = 0; i < m->n_classes && rc == RA_OK; i++) {
        const ra_model_class *k = &m->classes[i];
        rc = run(&c,
                 prep(&c, err,
                      "INSERT INTO model_classes (model_id, position, asset_class, market_weight, "
                      "pi, mu, weight, weight_sd, fund, expense_ratio, tracking_error) VALUES (?, "
                      "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      "iitdddddtdd", id, (int64_t)i, k->cls, k->market_weight, k->pi, k->mu,
                      k->weight, k->weight_sd, k->fund, k->expense_ratio, k->tracking_error),
                 err);
    }
    if (rc == RA_OK && m->cvar_beta > 0 && s->schema_version >= MODEL_OBJECTIVES_SCHEMA) {
        int mv = m->objective == RA_MODELS_OBJ_MEAN_VARIANCE;
        rc = run(&c,
                 prep(&c, err,
                      "INSERT INTO model_objectives (model_id, objective, cvar_beta, cvar, "
                      "value_at_risk, cvar_limit, mv_return, mv_cvar, notes) VALUES (?, ?, ?, ?, "
                      "?, ?, ?, ?, ?)",
                      "itddddddt", id, ra_models_objective_name(m->objective), m->cvar_beta,
                      m->cvar, m->var, m->cvar_limit, mv ? 0.0 : m->mv_return,
                      mv ? 0.0 : m->mv_cvar, m->notes),
                 err);
    }
    if (rc != RA_OK)
        goto out;
    before = found ? model_json(cur) : NULL;
    after = model_json(m);
    if ((found && !before) || !after) {
        rc = ra_err_set(err, RA_ENOMEM, NULL, "could not describe model %s", m->code);
        goto out;
    }
    char eid[RA_CODE_MAX + 16];
    snprintf(eid, sizeof eid, "%s@%d", m->code, m->version);
    rc = audit_append(&c, actor, "version", "model", eid, before ? before : "null", after, err);
    if (rc == RA_OK) {
        if (version)
            *version = m->version;
        if (created)
            *created = 1;
    }
out:
    free(cur);
    free(before);
    free(after);
    free(rating_text);
    return wend(&c, rc, err);
}

ra_status ra_models_get(ra_store *s, const char *firm, const char *code, int version,
                        ra_model *out, ra_err *err)
{
    conn c;
    int64_t fid, id = 0;
    int found = 0;
    ra_status rc = conn_firm(&c, s, firm, &fid, err);
    if (rc == RA_OK)
        rc = find_model(&c, fid, code, version, out, &id, &found, err);
    if (rc == RA_OK && !found)
        rc = version > 0 ? ra_err_set(err, RA_ENOTFOUND, code, "model %s has no version %d", code,
                                      version)
                         : ra_err_set(err, RA_ENOTFOUND, code, "no model %s", code);
    return rc;
}

static ra_status list_where(ra_store *s, const char *firm, int max_level, ra_model **out,
                            size_t *n, ra_err *err)
{
    conn c;
    *out = NULL;
    *n = 0;
    int64_t fid;
    ra_status rc = conn_firm(&c, s, firm, &fid, err);
    if (rc != RA_OK)
        return rc;
    char sql[768];
    snprintf(sql, sizeof sql,
             "%sm WHERE firm_id = ? AND level <= ? AND version = (SELECT MAX(version) FROM models "
             "x WHERE x.firm_id = m.firm_id AND x.code = m.code) ORDER BY code",
             SQL_MODEL_COLS);
    ra_db_stmt *st = prep(&c, err, sql, "ii", fid, (int64_t)max_level);
    if (!st)
        return err ? err->code : RA_EIO;
    ra_model *v = NULL;
    int64_t *ids = NULL;
    size_t k = 0;
    int r;
    while ((r = c.ops->step(st, err)) == RA_DB_ROW) {
        ra_model *nv = realloc(v, (k + 1) * sizeof *nv);
        int64_t *ni = realloc(ids, (k + 1) * sizeof *ni);
        if (nv)
            v = nv;
        if (ni)
            ids = ni;
        if (!nv || !ni) {
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu models", k + 1);
            break;
        }
        model_row(&c, st, &v[k], &ids[k]);
        k++;
    }
    c.ops->finalize(st);
    if (rc == RA_OK && r < 0)
        rc = err ? err->code : RA_EIO;
    for (size_t i = 0; i < k && rc == RA_OK; i++)
        rc = load_weights(&c, ids[i], &v[i], err);
    free(ids);
    if (rc != RA_OK) {
        free(v);
        return rc;
    }
    *out = v;
    *n = k;
    return RA_OK;
}

ra_status ra_models_list(ra_store *s, const char *firm, ra_model **out, size_t *n, ra_err *err)
{
    return list_where(s, firm, RA_PROF_LEVELS, out, n, err);
}

ra_status ra_models_suitable(ra_store *s, const char *firm, int client_level, ra_model **out,
                             size_t *n, ra_err *err)
{
    if (client_level < 1 || client_level > RA_PROF_LEVELS)
        return ra_err_set(err, RA_EINVAL, NULL, "client level %d is not 1..5", client_level);
    return list_where(s, firm, client_level, out, n, err);
}

/* --- assignments ------------------------------------------------------------------------------ */

static ra_status account_id(conn *c, int64_t fid, const char *code, int64_t *id, ra_err *err)
{
    return sq_id_of(c->s, SQ_ACCOUNT_ID, fid, code, "account", id, err);
}

ra_status ra_models_assign(ra_store *s, const ra_store_actor *actor, const char *account,
                           const char *model, int version, ra_date date, int claimed_level,
                           const char *justification, ra_models_assignment *res, ra_err *err)
{
    conn c;
    conn_init(&c, s);
    if (!actor || !actor->user[0] || !actor->firm[0])
        return ra_err_set(err, RA_EINVAL, NULL, "no actor given for the audit trail");
    ra_model *m = malloc(sizeof *m);
    ra_stored_profile *pr = malloc(sizeof *pr);
    if (!m || !pr) {
        free(m);
        free(pr);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a model");
    }
    ra_status rc = ra_models_get(s, actor->firm, model, version, m, err);
    int64_t fid = 0, aid = 0, mid = 0, oid = 0;
    int found = 0;
    if (rc == RA_OK)
        rc = firm_id(&c, actor->firm, &fid, err);
    if (rc == RA_OK)
        rc = account_id(&c, fid, account, &aid, err);
    /* the client's level comes from the stored profile, never from the caller */
    ra_account acct;
    if (rc == RA_OK)
        rc = ra_store_account_get(s, actor->firm, account, &acct, err);
    int client_level = 0;
    ra_date expires = 0;
    if (rc == RA_OK) {
        ra_err e = {0};
        ra_status got = ra_store_profile_current(s, actor->firm, acct.client, pr, &e);
        if (got == RA_OK) {
            client_level = pr->level;
            expires = pr->expires;
        } else if (got != RA_ENOTFOUND) {
            rc = got;
            if (err)
                *err = e;
        }
    }
    if (rc == RA_OK && claimed_level && claimed_level != client_level)
        rc = client_level
                 ? ra_err_set(err, RA_EINVAL, NULL,
                              "the level given, %s, is not the stored risk level %s of client %s",
                              ra_prof_level_name(claimed_level), ra_prof_level_name(client_level),
                              acct.client)
                 : ra_err_set(err, RA_EINFEASIBLE, NULL,
                              "client %s has no risk profile: onboard the client before "
                              "assigning a model",
                              acct.client);
    ra_suit_result sr;
    memset(&sr, 0, sizeof sr);
    char product[RA_CODE_MAX + 24];
    snprintf(product, sizeof product, "model %s version %d", m->code, m->version);
    if (rc == RA_OK)
        rc = ra_suit_assign_check(acct.client, client_level, expires, date, m->level, product,
                                  justification, &sr, err);
    free(pr);
    if (rc != RA_OK) {
        free(m);
        return rc;
    }
    if ((rc = wbegin(&c, err)) != RA_OK) {
        free(m);
        return rc;
    }
    rc = find_model(&c, fid, m->code, m->version, m, &mid, &found, err);
    int64_t at = ra_store_now(s);
    /* an override is one record, of models and securities alike (suitability_overrides) */
    if (rc == RA_OK && sr.overridden)
        rc = ra_store_override_put(s, actor, account, "model", m->code, &sr, date, &oid, err);
    if (rc == RA_OK)
        rc = run(&c, prep(&c, err, "DELETE FROM model_assignments WHERE account_id = ?", "i", aid),
                 err);
    if (rc == RA_OK)
        rc = run(&c,
                 oid ? prep(&c, err,
                            "INSERT INTO model_assignments (account_id, model_id, client_level, "
                            "overridden, justification, user_name, at, override_id) VALUES (?, "
                            "?, ?, 1, '', ?, ?, ?)",
                            "iiitii", aid, mid, (int64_t)client_level, actor->user, at, oid)
                     : prep(&c, err,
                            "INSERT INTO model_assignments (account_id, model_id, client_level, "
                            "overridden, justification, user_name, at) VALUES (?, ?, ?, 0, '', "
                            "?, ?)",
                            "iiiti", aid, mid, (int64_t)client_level, actor->user, at),
                 err);
    /* the mandate names the model too (its version lives in the assignment) */
    if (rc == RA_OK && strcmp(acct.mandate.model, m->code) != 0) {
        snprintf(acct.mandate.model, sizeof acct.mandate.model, "%s", m->code);
        rc = ra_store_account_put(s, actor, &acct, err);
    }
    if (rc == RA_OK) {
        char after[512];
        snprintf(after, sizeof after,
                 "{\"model\":\"%s\",\"version\":%d,\"client_level\":%d,\"model_level\":%d,"
                 "\"overridden\":%d,\"override_id\":%lld}",
                 m->code, m->version, client_level, m->level, sr.overridden, (long long)oid);
        rc = audit_append(&c, actor, sr.overridden ? "model_override" : "model", "account",
                          account, "null", after, err);
    }
    if (rc == RA_OK && res) {
        memset(res, 0, sizeof *res);
        snprintf(res->account, sizeof res->account, "%s", account);
        snprintf(res->model, sizeof res->model, "%s", m->code);
        res->version = m->version;
        res->client_level = client_level;
        res->model_level = m->level;
        res->overridden = sr.overridden;
        snprintf(res->justification, sizeof res->justification, "%s",
                 sr.overridden ? sr.justification : "");
        snprintf(res->reason, sizeof res->reason, "%s", sr.overridden ? sr.reason : "");
        snprintf(res->user, sizeof res->user, "%s", actor->user);
        res->at = at;
    }
    free(m);
    return wend(&c, rc, err);
}

ra_status ra_models_assignment_get(ra_store *s, const char *firm, const char *account,
                                   ra_models_assignment *out, ra_err *err)
{
    conn c;
    int64_t fid, aid = 0;
    ra_status rc = conn_firm(&c, s, firm, &fid, err);
    if (rc == RA_OK)
        rc = account_id(&c, fid, account, &aid, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = cprep(&c, err,
                          "SELECT m.code, m.version, a.client_level, m.level, a.overridden, "
                          "COALESCE(o.justification, ''), a.user_name, a.at FROM "
                          "model_assignments a JOIN models m ON m.id = a.model_id LEFT JOIN "
                          "suitability_overrides o ON o.id = a.override_id WHERE a.account_id = ?",
                          "i", aid);
    if (!st)
        return err ? err->code : RA_EIO;
    int r = c.ops->step(st, err);
    if (r == RA_DB_ROW) {
        memset(out, 0, sizeof *out);
        snprintf(out->account, sizeof out->account, "%s", account);
        snprintf(out->model, sizeof out->model, "%s", c.ops->col_text(st, 0));
        out->version = (int)c.ops->col_int64(st, 1);
        out->client_level = (int)c.ops->col_int64(st, 2);
        out->model_level = (int)c.ops->col_int64(st, 3);
        out->overridden = (int)c.ops->col_int64(st, 4);
        snprintf(out->justification, sizeof out->justification, "%s", c.ops->col_text(st, 5));
        snprintf(out->user, sizeof out->user, "%s", c.ops->col_text(st, 6));
        out->at = c.ops->col_int64(st, 7);
    }
    cdone(&c, st);
    if (r < 0)
        return err ? err->code : RA_EIO;
    return r == RA_DB_ROW ? RA_OK
                          : ra_err_set(err, RA_ENOTFOUND, account,
                                       "account %s has no model assigned", account);
}

/* --- an account's target ---------------------------------------------------------------------- */

/* Asset location (methodology: personalised targets) needs to know whether the account's household
 * holds both a taxable and a tax-deferred account. */
static ra_status household_has_both(ra_store *s, const char *firm, const char *account, int *both,
                                    ra_err *err)
{
    conn c;
    conn_init(&c, s);
    ra_db_stmt *st = cprep(&c, err,
                          "SELECT COUNT(DISTINCT a2.type) FROM accounts a1 "
                          "JOIN firms f ON f.id = a1.firm_id "
                          "JOIN clients c1 ON c1.id = a1.client_id "
                          "JOIN clients c2 ON c2.household_id = c1.household_id "
                          "JOIN accounts a2 ON a2.client_id = c2.id "
                          "WHERE f.code = ? AND a1.code = ? AND a2.type IN (?, ?)",
                          "ttii", firm, account, (int64_t)RA_ACCOUNT_TAXABLE,
                          (int64_t)RA_ACCOUNT_TAX_DEFERRED);
    if (!st)
        return err ? err->code : RA_EIO;
    int r = c.ops->step(st, err);
    *both = r == RA_DB_ROW && c.ops->col_int64(st, 0) == 2;
    cdone(&c, st);
    return r < 0 ? (err ? err->code : RA_EIO) : RA_OK;
}

ra_status ra_models_target_for_account(ra_store *s, const char *firm, const char *account,
                                       double cash_reserve, ra_models_target *out, ra_err *err)
{
    ra_account acct;
    ra_status rc = ra_store_account_get(s, firm, account, &acct, err);
    if (rc != RA_OK)
        return rc;
    ra_models_assignment as;
    ra_err e = {0};
    const char *code = acct.mandate.model;
    int version = 0;
    rc = ra_models_assignment_get(s, firm, account, &as, &e);
    if (rc == RA_OK) {
        code = as.model;
        version = as.version;
    } else if (rc != RA_ENOTFOUND) {
        if (err)
            *err = e;
        return rc;
    }
    if (!code[0])
        return ra_err_set(err, RA_ENOTFOUND, account, "account %s has no model", account);
    ra_model *m = malloc(sizeof *m);
    ra_security *secs = NULL;
    size_t n_secs = 0;
    ra_store_position_now *pos = NULL;
    size_t n_pos = 0;
    const char **tick = NULL, **cls = NULL, **tlh = NULL, **held = NULL;
    if (!m) {
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a model");
    }
    rc = ra_models_get(s, firm, code, version, m, err);
    if (rc == RA_OK)
        rc = ra_store_security_list(s, firm, 0, &secs, &n_secs, err);
    if (rc == RA_OK)
        rc = ra_store_account_positions(s, firm, account, &pos, &n_pos, err); /* no replay */
    if (rc == RA_OK) {
        tick = malloc((n_secs + 1) * sizeof *tick);
        cls = malloc((n_secs + 1) * sizeof *cls);
        tlh = malloc((n_secs + 1) * sizeof *tlh);
        held = malloc((n_pos + 1) * sizeof *held);
        if (!tick || !cls || !tlh || !held)
            rc = ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu securities", n_secs);
    }
    ra_models_target_opts o;
    memset(&o, 0, sizeof o);
    if (rc == RA_OK)
        rc = household_has_both(s, firm, account, &o.household_has_both, err);
    if (rc == RA_OK) {
        for (size_t i = 0; i < n_secs; i++) {
            tick[i] = secs[i].ticker;
            cls[i] = secs[i].asset_class;
            tlh[i] = secs[i].tlh_group;
        }
        size_t nh = 0;
        for (size_t i = 0; i < n_pos; i++)
            if (pos[i].qty_micro > 0)
                held[nh++] = pos[i].ticker;
        ra_models_universe u = {n_secs, tick, cls, tlh, NULL};
        o.restrictions = acct.mandate.restrictions;
        o.cash_reserve = cash_reserve;
        o.held = held;
        o.n_held = nh;
        o.type = acct.type;
        rc = ra_models_account_target(m, &u, &o, out, err);
    }
    free(m);
    free(tick);
    free(cls);
    free(tlh);
    free(held);
    ra_store_free(secs);
    ra_store_free(pos);
    return rc;
}
