/* roboadvisor store: a client's saved goal plans (include/roboadvisor/store_plans.h,
 * 0026_client_plans.sql). The label is personal data: encrypted under the client's data key as
 * the comments on proposals are (store_resources.c), so that erasing the client erases it. */
#include "store/store_int.h"

#include "roboadvisor/alloc.h"
#include "roboadvisor/store_plans.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RS_SCHEMA_PLANS 26
#define RS_SCHEMA_PLAN_CASH 28 /* 0028_plan_cash_rate: client_plans.cash_rate */
#define PCT_TEXT_MAX (RA_PLAN_MAX_YEARS * RA_PLAN_N_PCT * 21) /* "%lld" of each, a separator */

/* Percentile rows as "p5,p25,p50,p75,p95;..." (minor units, exact). */
static void pct_format(const ra_plan_rec *p, char *out)
{
    size_t n = 0;
    for (int y = 0; y < p->years; y++)
        for (int k = 0; k < RA_PLAN_N_PCT; k++) {
            if (y || k)
                out[n++] = k ? ',' : ';';
            n += rs_i64_text(p->pct_minor[y][k], out + n);
        }
    out[n] = 0;
}

static int pct_parse(const char *t, ra_plan_rec *p)
{
    for (int y = 0; y < p->years; y++)
        for (int k = 0; k < RA_PLAN_N_PCT; k++) {
            if ((y || k) && *t++ != (k ? ',' : ';'))
                return -1;
            char *end;
            p->pct_minor[y][k] = strtoll(t, &end, 10);
            if (end == t)
                return -1;
            t = end;
        }
    return *t ? -1 : 0;
}

static ra_status plan_check(const ra_plan_rec *p, ra_err *err)
{
#define BAD(f, ...) return ra_err_set(err, RA_EINVAL, f, __VA_ARGS__)
    if (p->goal_minor <= 0) BAD("goal", "the goal must be positive, got %lld", (long long)p->goal_minor);
    if (p->initial_minor < 0) BAD("initial", "the initial value cannot be negative");
    if (p->monthly_minor < 0) BAD("monthly", "the monthly contribution cannot be negative");
    if (p->years < 1 || p->years > RA_PLAN_MAX_YEARS)
        BAD("years", "the horizon is 1 to %d years, got %d", RA_PLAN_MAX_YEARS, p->years);
    if (p->paths < 1 || p->paths > RA_PLAN_MAX_PATHS)
        BAD("paths", "paths are 1 to %d, got %lld", RA_PLAN_MAX_PATHS, (long long)p->paths);
    if (p->seed < 0) BAD("seed", "the seed cannot be negative");
    if (!(p->probability >= 0 && p->probability <= 1))
        BAD("probability", "the probability must be in [0, 1]");
    if (!(p->mu > -1 && p->mu <= RA_PLAN_MAX_MU) || !(p->sigma >= 0 && p->sigma <= RA_PLAN_MAX_SIGMA))
        BAD("mu", "mu must be in (-1, 1] and sigma in [0, 2]");
    if (strcmp(p->method, "lognormal") != 0) BAD("method", "the method is lognormal");
    int plus_cash = strcmp(p->source, "model+cash") == 0;
    if (strcmp(p->source, "model") != 0 && strcmp(p->source, "given") != 0 && !plus_cash)
        BAD("source", "the source is model, model+cash or given");
    if (plus_cash != (p->have_cash_rate != 0))
        BAD("cash_rate", "a plan has a cash rate exactly when its source is model+cash");
    if (plus_cash && !(p->cash_rate > -1 && p->cash_rate < 1))
        BAD("cash_rate", "the cash rate must be an annual decimal in (-1, 1)");
    if (strnlen(p->label, RA_PLAN_LABEL_MAX) >= RA_PLAN_LABEL_MAX)
        BAD("label", "a label is at most %d bytes", RA_PLAN_LABEL_MAX - 1);
#undef BAD
    return RA_OK;
}

#define PLAN_INSERT_COLS                                                                           \
    "INSERT INTO client_plans (firm_id, client_id, code, account, currency, minor_digits, "        \
    "goal_minor, initial_minor, monthly_minor, years, method, source, model, model_version, "      \
    "risk_level, mu, sigma, data_from, data_to, as_of, paths, seed, probability, n_hits, "         \
    "mean_minor, pct, label_enc, user_name, created_at"
#define PLAN_INSERT_VALUES                                                                         \
    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "  \
    "?, ?"
#define PLAN_INSERT_PARAMS 29 /* the ?s of PLAN_INSERT_VALUES */
static const char SQL_PLAN_INSERT[] = PLAN_INSERT_COLS PLAN_INSERT_VALUES ")";
static const char SQL_PLAN_INSERT_CASH[] =
    PLAN_INSERT_COLS ", cash_rate" PLAN_INSERT_VALUES ", ?)";

/* The client's row id and data key (*d: wipe it). */
static ra_status client_key(ra_store *s, const char *firm, int64_t firm_id, const char *client,
                            int64_t *cid, const uint8_t **fkey, rs_dek *d, ra_err *err)
{
    memset(d, 0, sizeof *d);
    ra_status rc = sq_id_of(s, SQ_CLIENT_ID, firm_id, client, "client", cid, err);
    if (rc == RA_OK)
        rc = rs_get_key(s, firm, fkey, err);
    if (rc == RA_OK)
        rc = rs_dek_load(s, *fkey, firm, client, *cid, d, err);
    return rc;
}

ra_status ra_store_plan_save(ra_store *s, const ra_store_actor *actor, ra_plan_rec *p,
                             ra_err *err)
{
    ra_status rc = sq_check_actor(actor, err);
    if (rc == RA_OK)
        rc = sq_need_version(s, RS_SCHEMA_PLANS, "plans", err);
    if (rc == RA_OK)
        rc = plan_check(p, err);
    if (rc == RA_OK && p->have_cash_rate)
        rc = sq_need_version(s, RS_SCHEMA_PLAN_CASH, "a plan's cash rate", err);
    firm_row firm;
    if (rc == RA_OK)
        rc = sq_firm(s, actor->firm, &firm, err);
    if (rc != RA_OK || (rc = sq_wbegin(s, err)) != RA_OK)
        return rc;
    int64_t cid = 0, last = 0;
    const uint8_t *fkey = NULL;
    rs_dek d;
    rc = client_key(s, actor->firm, firm.id, p->client, &cid, &fkey, &d, err);
    const uint8_t *key = rc == RA_OK ? rs_dek_key(&d, fkey) : NULL;
    if (rc == RA_OK && !key && p->label[0])
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "client %s was erased: a plan of theirs cannot "
                        "have a label", p->client);
    /* a label under the firm's key would not follow the client's re-encryption under a data key
     * of its own (ra_store_client_keys_migrate rewrites the client's row only) */
    if (rc == RA_OK && d.state == RS_DEK_NONE && p->label[0])
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "client %s has no data key of its own yet (run "
                        "'roboadvisor init' with the firm's key): a plan of theirs cannot have a "
                        "label until then", p->client);
    /* the audit chain's head, locked now rather than at the record: concurrent saves (several
     * servers on one PostgreSQL) then number their plans one after the other */
    if (rc == RA_OK)
        rc = rs_head_get(s, err);
    if (rc == RA_OK)
        rc = sq_count(s, "SELECT COUNT(*) FROM client_plans WHERE firm_id = ?", firm.id, &last,
                      err);
    uint8_t ct[RS_ENC_MAX];
    size_t ctn = 0;
    char *pct = NULL;
    if (rc == RA_OK) {
        snprintf(p->code, sizeof p->code, "PL%08lld", (long long)(last + 1));
        sq_copy(p->user, sizeof p->user, actor->user);
        p->created_at = ra_store_now(s);
        if (p->label[0])
            rs_encrypt(key, actor->firm, "plan", p->code, "label", p->label, ct, &ctn);
        pct = ra_malloc(PCT_TEXT_MAX);
        if (!pct)
            rc = sq_nomem(err, "a plan");
    }
    if (rc == RA_OK) {
        static const uint8_t none[1] = {0};
        pct_format(p, pct);
        /* the cash rate only where the schema has its column (0028; NULL: none) */
        int cash_col = s->schema_version >= RS_SCHEMA_PLAN_CASH;
        ra_db_stmt *st = sq_prep(s, cash_col ? SQL_PLAN_INSERT_CASH : SQL_PLAN_INSERT, err);
        rc = st ? sq_bind(s, st, err, "iitttiiiiitttiiddiiiiidiitbti", firm.id, cid, p->code,
                          p->account, p->currency, (int64_t)p->minor_digits, p->goal_minor,
                          p->initial_minor, p->monthly_minor, (int64_t)p->years, p->method,
                          p->source, p->model, (int64_t)p->model_version,
                          (int64_t)p->risk_level, p->mu, p->sigma, (int64_t)p->data_from,
                          (int64_t)p->data_to, (int64_t)p->as_of, p->paths, p->seed,
                          p->probability, p->n_hits, p->mean_minor, pct,
                          ctn ? (const void *)ct : (const void *)none, ctn, p->user,
                          p->created_at)
                : sq_err(err);
        if (rc == RA_OK && cash_col)
            rc = p->have_cash_rate ? s->ops->bind_double(st, PLAN_INSERT_PARAMS + 1, p->cash_rate,
                                                         err)
                                   : s->ops->bind_null(st, PLAN_INSERT_PARAMS + 1, err);
        if (rc == RA_OK)
            rc = sq_run(s, st, err);
        /* the record: the inputs and the headline results; the label only as ciphertext */
        json_t *after = json_object();
        rs_jstr(after, "client", p->client);
        rs_jstr(after, "account", p->account);
        rs_jint(after, "goal_minor", p->goal_minor);
        rs_jint(after, "initial_minor", p->initial_minor);
        rs_jint(after, "monthly_minor", p->monthly_minor);
        rs_jint(after, "years", p->years);
        rs_jstr(after, "method", p->method);
        rs_jstr(after, "source", p->source);
        rs_jstr(after, "model", p->model);
        rs_jint(after, "model_version", p->model_version);
        rs_jdbl(after, "mu", p->mu);
        rs_jdbl(after, "sigma", p->sigma);
        if (p->have_cash_rate)
            rs_jdbl(after, "cash_rate", p->cash_rate);
        rs_jint(after, "paths", p->paths);
        rs_jint(after, "seed", p->seed);
        rs_jdbl(after, "probability", p->probability);
        rs_jhex(after, "label_enc", ct, ctn);
        rc = rs_audit_change(s, rc, actor, "create", "plan", p->code, NULL, after, err);
    }
    ra_free(pct);
    sodium_memzero(&d, sizeof d);
    return sq_wend(s, rc, err);
}

#define PLAN_COLS                                                                                  \
    "x.code, c.code, x.account, x.currency, x.minor_digits, x.goal_minor, x.initial_minor, "       \
    "x.monthly_minor, x.years, x.method, x.source, x.model, x.model_version, x.risk_level, x.mu, " \
    "x.sigma, x.data_from, x.data_to, x.as_of, x.paths, x.seed, x.probability, x.n_hits, "         \
    "x.mean_minor, x.pct, x.label_enc, x.user_name, x.created_at, c.id"
/* column 29: the cash rate, or NULL in a book before 0028 (each query's two texts are static: the
 * statement cache knows a text by its address) */
#define PLAN_COLS_CASH PLAN_COLS ", x.cash_rate"
#define PLAN_COLS_NO_CASH PLAN_COLS ", NULL"
#define PLAN_FROM                                                                                  \
    " FROM client_plans x JOIN clients c ON c.id = x.client_id JOIN firms f ON f.id = x.firm_id "

/* A row as read: the plan, its client's row id and the label's ciphertext, decrypted after the
 * query's rows are all read (no statement is stepped inside another's rows). */
typedef struct plan_raw {
    ra_plan_rec p;
    int64_t cid;
    size_t ctn;
    uint8_t ct[RS_ENC_MAX];
} plan_raw;

static double col_dbl(ra_store *s, ra_db_stmt *st, int c) { return s->ops->col_double(st, c); }

static ra_status plan_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    plan_raw *w = rs_vec_push(ctx);
    if (!w)
        return sq_nomem(err, "the plans");
    ra_plan_rec *p = &w->p;
    sq_copy(p->code, sizeof p->code, sq_text(s, st, 0));
    sq_copy(p->client, sizeof p->client, sq_text(s, st, 1));
    sq_copy(p->account, sizeof p->account, sq_text(s, st, 2));
    sq_copy(p->currency, sizeof p->currency, sq_text(s, st, 3));
    p->minor_digits = (int)sq_int(s, st, 4);
    p->goal_minor = sq_int(s, st, 5);
    p->initial_minor = sq_int(s, st, 6);
    p->monthly_minor = sq_int(s, st, 7);
    p->years = (int)sq_int(s, st, 8);
    sq_copy(p->method, sizeof p->method, sq_text(s, st, 9));
    sq_copy(p->source, sizeof p->source, sq_text(s, st, 10));
    sq_copy(p->model, sizeof p->model, sq_text(s, st, 11));
    p->model_version = (int)sq_int(s, st, 12);
    p->risk_level = (int)sq_int(s, st, 13);
    p->mu = col_dbl(s, st, 14);
    p->sigma = col_dbl(s, st, 15);
    p->data_from = (ra_date)sq_int(s, st, 16);
    p->data_to = (ra_date)sq_int(s, st, 17);
    p->as_of = (ra_date)sq_int(s, st, 18);
    p->paths = sq_int(s, st, 19);
    p->seed = sq_int(s, st, 20);
    p->probability = col_dbl(s, st, 21);
    p->n_hits = sq_int(s, st, 22);
    p->mean_minor = sq_int(s, st, 23);
    if (p->years < 1 || p->years > RA_PLAN_MAX_YEARS || pct_parse(sq_text(s, st, 24), p) != 0)
        return ra_err_set(err, RA_EINTERNAL, NULL, "plan %s: its percentiles do not read back",
                          p->code);
    size_t n = 0;
    const uint8_t *b = s->ops->col_blob(st, 25, &n);
    if (n > sizeof w->ct)
        n = 0;
    if (n)
        memcpy(w->ct, b, n);
    w->ctn = n;
    sq_copy(p->user, sizeof p->user, sq_text(s, st, 26));
    p->created_at = sq_int(s, st, 27);
    w->cid = sq_int(s, st, 28);
    p->have_cash_rate = !s->ops->col_is_null(st, 29);
    p->cash_rate = p->have_cash_rate ? col_dbl(s, st, 29) : 0;
    return RA_OK;
}

/* Reads the plans of the query (firm, then args) and decrypts their labels: *out (ra_malloc'd,
 * *n plans; wipe before freeing). */
static ra_status plans_read(ra_store *s, const char *firm, const char *sql, const char *fmt,
                            const char *a1, const char *a2, int64_t limit, ra_plan_rec **out,
                            size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    rs_vec r = {NULL, 0, 0, sizeof(plan_raw)};
    const uint8_t *fkey = NULL;
    ra_status rc = sq_need_version(s, RS_SCHEMA_PLANS, "plans", err);
    if (rc == RA_OK)
        rc = rs_get_key(s, firm, &fkey, err);
    if (rc == RA_OK)
        rc = fmt[2] ? sq_each(s, err, plan_row, &r, sql, fmt, firm, a1, a2, limit)
                    : sq_each(s, err, plan_row, &r, sql, fmt, firm, a1);
    plan_raw *v = r.v;
    ra_plan_rec *o = NULL;
    if (rc == RA_OK && r.n && !(o = ra_malloc(r.n * sizeof *o)))
        rc = sq_nomem(err, "the plans");
    for (size_t i = 0; rc == RA_OK && i < r.n; i++) {
        o[i] = v[i].p;
        rs_dek d;
        rc = rs_dek_load(s, fkey, firm, o[i].client, v[i].cid, &d, err);
        const uint8_t *key = rc == RA_OK ? rs_dek_key(&d, fkey) : NULL;
        if (rc == RA_OK && !key)
            o[i].erased = 1;
        else if (rc == RA_OK && v[i].ctn)
            rc = rs_decrypt(key, firm, "plan", o[i].code, "label", v[i].ct, v[i].ctn,
                            o[i].label, err);
        sodium_memzero(&d, sizeof d);
    }
    if (v)
        sodium_memzero(v, r.n * sizeof *v);
    ra_free(v);
    if (rc != RA_OK) {
        if (o)
            sodium_memzero(o, r.n * sizeof *o);
        ra_free(o);
        return rc;
    }
    *out = o;
    *n = r.n;
    return RA_OK;
}

ra_status ra_store_plan_get(ra_store *s, const char *firm, const char *code, ra_plan_rec *out,
                            ra_err *err)
{
    memset(out, 0, sizeof *out);
    ra_plan_rec *v = NULL;
    size_t n = 0;
#define PLAN_WHERE_ONE "WHERE f.code = ? AND x.code = ?"
    static const char *const sql[2] = {"SELECT " PLAN_COLS_NO_CASH PLAN_FROM PLAN_WHERE_ONE,
                                       "SELECT " PLAN_COLS_CASH PLAN_FROM PLAN_WHERE_ONE};
    ra_status rc = plans_read(s, firm, sql[s->schema_version >= RS_SCHEMA_PLAN_CASH], "tt", code,
                              NULL, 0, &v, &n, err);
    if (rc == RA_OK && n == 1)
        memcpy(out, v, sizeof *out);
    else if (rc == RA_OK)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no plan %s", code);
    if (v)
        sodium_memzero(v, n * sizeof *v);
    ra_free(v);
    return rc;
}

ra_status ra_store_plans_list(ra_store *s, const char *firm, const char *client,
                              const char *after, size_t limit, ra_plan_rec **out, size_t *n,
                              ra_err *err)
{
#define PLAN_WHERE_LIST "WHERE f.code = ? AND c.code = ? AND x.code > ? ORDER BY x.code LIMIT ?"
    static const char *const sql[2] = {"SELECT " PLAN_COLS_NO_CASH PLAN_FROM PLAN_WHERE_LIST,
                                       "SELECT " PLAN_COLS_CASH PLAN_FROM PLAN_WHERE_LIST};
    return plans_read(s, firm, sql[s->schema_version >= RS_SCHEMA_PLAN_CASH], "ttti", client,
                      after ? after : "", (int64_t)limit, out, n, err);
}

ra_status ra_store_plan_latest(ra_store *s, const char *firm, const char *client,
                               char code[RA_PLAN_CODE_MAX], ra_err *err)
{
    code[0] = 0;
    ra_status rc = sq_need_version(s, RS_SCHEMA_PLANS, "plans", err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st;
    int r = sq_query(s, &st, err,
                     "SELECT MAX(x.code) FROM client_plans x JOIN clients c ON c.id = "
                     "x.client_id JOIN firms f ON f.id = x.firm_id WHERE f.code = ? AND c.code = ?",
                     "tt", firm, client);
    if (r < 0)
        return sq_err(err);
    if (r == RA_DB_ROW) {
        const char *t = sq_text(s, st, 0);
        sq_copy(code, RA_PLAN_CODE_MAX, t ? t : "");
    }
    s->ops->reset(st);
    return RA_OK;
}
