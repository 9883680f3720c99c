/* roboadvisor store: the daily cycle's records (include/roboadvisor/store_cycle.h; schema
 * src/store/migrations/0006_cycle.sql): the day's book in one pass, and per account its daily
 * value, proposal, orders and transactions in one write scope per batch. Longer than 1,200 lines
 * because the loader, the writer, the decisions and the replay's rewind share this file's record
 * helpers (rec_list, the JSON field tables, scope_begin); the rewind is the part to move out
 * next. */
#include "store/store_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/rebal.h>
#include <roboadvisor/store_cycle.h>
#include <roboadvisor/store_models.h>

#include <inttypes.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CYCLE_SCHEMA 8 /* 0006_cycle and 0008_instructions */

/* Records read into a growing array with their row ids beside them. */
typedef struct rec_list {
    void *v;
    int64_t *ids;
    size_t n, cap, elem;
} rec_list;

/* Room for the next record (zeroed) with row id `id`; NULL when out of memory. */
static void *rec_push(rec_list *l, int64_t id)
{
    size_t c = l->cap;
    if (ra_grow(&l->v, &l->cap, l->n + 1, l->elem) ||
        ra_grow((void **)&l->ids, &c, l->n + 1, sizeof *l->ids))
        return NULL;
    char *r = (char *)l->v + l->n * l->elem;
    memset(r, 0, l->elem);
    l->ids[l->n++] = id;
    return r;
}


/* ---- the day's book ---------------------------------------------------------------------------- */

void ra_cycle_book_destroy(ra_cycle_book *b)
{
    if (!b)
        return;
    RA_FREE_ALL(b->sec, b->acc, b->lots, b->models, b->wash, b->mandates, b);
}

typedef struct load_ctx {
    ra_cycle_book *b;
    int64_t firm_id;
    rs_id_index *sec_map;  /* security id -> index */
    rs_id_index *acc_map;  /* account id -> index */
    int64_t *acc_model_id; /* the assignment's model row, 0 none */
    size_t cap_sec, cap_acc, cap_lots, cap_map, cap_model;
    uint32_t *lot_acc;     /* account index of each lot, before bucketing */
    size_t cap_lot_acc;
    char prev_household[RA_CODE_MAX];
    int64_t last_acc_id;   /* lot_row's last account: its id and index */
    uint32_t last_acc;
    int all_lots;          /* 1: the lots of the accounts done for the day too */
    uint32_t *acc_mand;    /* each account's index into b->mandates, while loading */
    size_t cap_acc_mand, cap_mand;
    uint32_t *mand_slot;   /* open addressing over b->mandates by content: index + 1, 0 free */
    size_t n_slot;         /* a power of two, at least twice the mandates */
} load_ctx;

/* FNV-1a of a mandate's bytes (zeroed before it was filled: no stray padding). */
static uint64_t mandate_hash(const ra_mandate *m)
{
    const unsigned char *p = (const unsigned char *)m;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < sizeof *m; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* The index in b->mandates of a mandate equal to m, added when new. UINT32_MAX: out of memory. */
static uint32_t mandate_intern(load_ctx *x, const ra_mandate *m)
{
    ra_cycle_book *b = x->b;
    if (2 * (b->n_mandates + 1) > x->n_slot) { /* grow the table and re-seat every mandate */
        size_t n = x->n_slot ? 2 * x->n_slot : 64;
        uint32_t *t = ra_calloc(n, sizeof *t);
        if (!t)
            return UINT32_MAX;
        for (size_t k = 0; k < b->n_mandates; k++) {
            size_t i = (size_t)mandate_hash(&b->mandates[k]) & (n - 1);
            while (t[i])
                i = (i + 1) & (n - 1);
            t[i] = (uint32_t)k + 1;
        }
        ra_free(x->mand_slot);
        x->mand_slot = t;
        x->n_slot = n;
    }
    size_t i = (size_t)mandate_hash(m) & (x->n_slot - 1);
    for (; x->mand_slot[i]; i = (i + 1) & (x->n_slot - 1))
        if (memcmp(&b->mandates[x->mand_slot[i] - 1], m, sizeof *m) == 0)
            return x->mand_slot[i] - 1;
    if (ra_grow((void **)&b->mandates, &x->cap_mand, b->n_mandates + 1, sizeof *b->mandates))
        return UINT32_MAX;
    b->mandates[b->n_mandates] = *m;
    x->mand_slot[i] = (uint32_t)b->n_mandates + 1;
    return (uint32_t)b->n_mandates++;
}

/* Room for record n (zeroed) of a growing array and its entry {id, n} in the id map: the record,
 * or NULL when out of memory. */
static void *push_mapped(void **arr, size_t *cap, size_t elem, rs_id_index **map, size_t *map_cap,
                         size_t n, int64_t id)
{
    if (ra_grow(arr, cap, n + 1, elem) || ra_grow((void **)map, map_cap, n + 1, sizeof **map))
        return NULL;
    (*map)[n] = (rs_id_index){id, (uint32_t)n};
    return memset((char *)*arr + n * elem, 0, elem);
}

static ra_status sec_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    load_ctx *x = ctx;
    ra_cycle_book *b = x->b;
    size_t c = x->cap_sec;
    ra_cycle_security *y = push_mapped((void **)&b->sec, &x->cap_sec, sizeof *b->sec,
                                       &x->sec_map, &c, b->n_sec, sq_int(s, st, 0));
    if (!y)
        return sq_nomem(err, "the securities");
    sq_copy(y->ticker, RA_CODE_MAX, sq_text(s, st, 1));
    sq_copy(y->asset_class, RA_CODE_MAX, sq_text(s, st, 2));
    sq_copy(y->tlh_group, RA_CODE_MAX, sq_text(s, st, 3));
    y->risk_level = (int)sq_int(s, st, 4);
    y->lot_size = sq_int(s, st, 5);
    y->on_shelf = (int)sq_int(s, st, 6);
    b->n_sec++;
    return RA_OK;
}

/* The context of val_row (what: column 0 a security id, 0 price, 1 dividend, 2 split; or an
 * account id, 3 done, 4 previous value, 5 flow; the values in the next columns) and of wash_row
 * (cap: the room of the book's wash array). */
typedef struct row_ctx {
    load_ctx *x;
    int what;
    size_t cap;
} row_ctx;

static ra_status val_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    (void)err;
    row_ctx *v = ctx;
    ra_cycle_book *b = v->x->b;
    int sec = v->what < 3;
    uint32_t i = sec ? rs_id_index_find(v->x->sec_map, b->n_sec, sq_int(s, st, 0))
                     : rs_id_index_find(v->x->acc_map, b->n_acc, sq_int(s, st, 0));
    if (i == UINT32_MAX)
        return RA_OK;
    switch (v->what) {
    case 0: b->sec[i].price = sq_int(s, st, 1); break;
    case 1: b->sec[i].dividend += sq_int(s, st, 1); break;
    case 2: b->sec[i].split = (ra_ratio){sq_int(s, st, 1), sq_int(s, st, 2)}; break;
    case 3: b->acc[i].done = 1; break;
    case 4: b->acc[i].prev_value_minor = sq_int(s, st, 1); break;
    case 5: b->acc[i].flow_minor = sq_int(s, st, 1); break;
    case 7: b->acc[i].ytd_gain_minor = sq_int(s, st, 1); break;
    default: /* a withdrawal instruction's amount still owed */
        if (sq_int(s, st, 1) > 0)
            b->acc[i].withdraw_minor += sq_int(s, st, 1);
        break;
    }
    return RA_OK;
}

/* The account's mandate in effect on the day (store_mandate.h): its latest version whose
 * effective day is 0 (at once) or not after the day; the fields beyond the account's columns. */
#define MANDATE_COLS                                                                           \
    "COALESCE(v.band_rel, 0.25), COALESCE(v.to_band_edge, 0), COALESCE(v.buy_only, 0), "       \
    "COALESCE(v.relief, 3), COALESCE(v.cash_reserve, 0.02), COALESCE(v.min_trade_minor, 0), "  \
    "COALESCE(v.reinvest_dividends, 0), COALESCE(v.fractional, 0), "                           \
    "COALESCE(v.gain_budget_minor, -1), COALESCE(v.client_confirm, 0), "                       \
    "COALESCE(v.risk_level, 0), COALESCE(v.objective, 0)"
#define MANDATE_JOIN                                                                           \
    " LEFT JOIN mandates v ON v.account_id = a.id AND v.version = (SELECT MAX(version) FROM "  \
    "mandates WHERE account_id = a.id AND (effective = 0 OR effective <= ?))"

static void mandate_cols(ra_store *s, ra_db_stmt *st, int c, ra_mandate *m)
{
    m->band_rel = s->ops->col_double(st, c);
    m->to_band_edge = (int)sq_int(s, st, c + 1);
    m->buy_only = (int)sq_int(s, st, c + 2);
    m->relief = (int)sq_int(s, st, c + 3);
    m->cash_reserve = s->ops->col_double(st, c + 4);
    m->min_trade_minor = sq_int(s, st, c + 5);
    m->reinvest_dividends = (int)sq_int(s, st, c + 6);
    m->fractional = (int)sq_int(s, st, c + 7);
    m->gain_budget_minor = sq_int(s, st, c + 8);
    m->client_confirm = (int)sq_int(s, st, c + 9);
    m->risk_level = (int)sq_int(s, st, c + 10);
    m->objective = (int)sq_int(s, st, c + 11);
}

static ra_status acc_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    load_ctx *x = ctx;
    ra_cycle_book *b = x->b;
    size_t i = b->n_acc, c = x->cap_acc;
    if (ra_grow((void **)&x->acc_model_id, &c, i + 1, sizeof *x->acc_model_id))
        return sq_nomem(err, "the accounts");
    ra_cycle_account *y = push_mapped((void **)&b->acc, &x->cap_acc, sizeof *b->acc,
                                      &x->acc_map, &x->cap_map, i, sq_int(s, st, 0));
    if (!y)
        return sq_nomem(err, "the accounts");
    sq_copy(y->code, RA_CODE_MAX, sq_text(s, st, 1));
    y->id = sq_int(s, st, 0);
    /* households arrive in order: a new code starts the next index */
    const char *hh = sq_text(s, st, 2);
    y->household = i == 0 ? 0 : b->acc[i - 1].household + (strcmp(hh, x->prev_household) != 0);
    sq_copy(x->prev_household, sizeof x->prev_household, hh);
    y->type = (uint8_t)sq_int(s, st, 3);
    ra_mandate mand, *m = &mand;
    memset(m, 0, sizeof *m);
    sq_copy(m->model, sizeof m->model, sq_text(s, st, 4));
    m->discretionary = (int)sq_int(s, st, 5);
    m->drift_band = s->ops->col_double(st, 6);
    m->tlh_enabled = (int)sq_int(s, st, 7);
    m->loss_limit = s->ops->col_double(st, 8);
    sq_copy(m->restrictions, sizeof m->restrictions, sq_text(s, st, 9));
    y->cash_minor = sq_int(s, st, 10);
    x->acc_model_id[i] = sq_int(s, st, 11);
    y->next_lot_id = (uint64_t)sq_int(s, st, 12);
    mandate_cols(s, st, 13, m);
    if (s->schema_version >= RS_SCHEMA_RISK) /* the rules it applies (0011_risk.sql) */
        sq_copy(m->rules, sizeof m->rules, sq_text(s, st, 25));
    m->risk_aversion = s->ops->col_double(st, 26); /* client objectives (0025) */
    m->te_penalty = s->ops->col_double(st, 27);
    m->turnover_penalty = s->ops->col_double(st, 28);
    m->cvar_limit = s->ops->col_double(st, 29);
    if (ra_grow((void **)&x->acc_mand, &x->cap_acc_mand, i + 1, sizeof *x->acc_mand) ||
        (x->acc_mand[i] = mandate_intern(x, m)) == UINT32_MAX)
        return sq_nomem(err, "the accounts' mandates");
    y->model = -1;
    y->prev_value_minor = -1;
    b->n_acc++;
    return RA_OK;
}

static ra_status lot_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    load_ctx *x = ctx;
    ra_cycle_book *b = x->b;
    /* an account's lots come together: its index is looked up once */
    int64_t acc_id = sq_int(s, st, 0);
    uint32_t a = acc_id == x->last_acc_id ? x->last_acc
                                          : rs_id_index_find(x->acc_map, b->n_acc, acc_id);
    x->last_acc_id = acc_id;
    x->last_acc = a;
    uint32_t sec = rs_id_index_find(x->sec_map, b->n_sec, sq_int(s, st, 2));
    if (a == UINT32_MAX || sec == UINT32_MAX)
        return ra_err_set(err, RA_EINTERNAL, NULL, "a lot of an unknown account or security");
    size_t i = b->n_lots;
    if (ra_grow((void **)&b->lots, &x->cap_lots, i + 1, sizeof *b->lots) ||
        ra_grow((void **)&x->lot_acc, &x->cap_lot_acc, i + 1, sizeof *x->lot_acc))
        return sq_nomem(err, "the lots");
    x->lot_acc[i] = a;
    b->lots[i] = (ra_lot){(uint64_t)sq_int(s, st, 1), sec, (ra_date)sq_int(s, st, 3),
                          sq_int(s, st, 4), sq_int(s, st, 5)};
    b->n_lots++;
    return RA_OK;
}

static ra_status wash_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    row_ctx *w = ctx;
    ra_cycle_book *b = w->x->b;
    uint32_t a = rs_id_index_find(w->x->acc_map, b->n_acc, sq_int(s, st, 0));
    uint32_t sec = rs_id_index_find(w->x->sec_map, b->n_sec, sq_int(s, st, 1));
    if (a == UINT32_MAX || sec == UINT32_MAX)
        return RA_OK;
    int kind = (int)sq_int(s, st, 2);
    ra_date day = (ra_date)sq_int(s, st, 3);
    int loss = kind == RA_TXN_SELL && !s->ops->col_is_null(st, 4) && sq_int(s, st, 4) < 0;
    if (kind == RA_TXN_SELL && !loss)
        return RA_OK;
    if (ra_grow((void **)&b->wash, &w->cap, b->n_wash + 1, sizeof *b->wash))
        return sq_nomem(err, "the wash-sale windows");
    b->wash[b->n_wash++] = (ra_cycle_wash){b->acc[a].household, sec, loss ? day : 0,
                                           loss ? 0 : day};
    return RA_OK;
}

static int cmp_wash(const void *pa, const void *pb)
{
    const ra_cycle_wash *a = pa, *b = pb;
    if (a->household != b->household)
        return a->household < b->household ? -1 : 1;
    return (a->sec > b->sec) - (a->sec < b->sec);
}

/* One entry per household and security: the latest loss sale and purchase. */
static void merge_wash(ra_cycle_book *b)
{
    if (!b->n_wash)
        return;
    qsort(b->wash, b->n_wash, sizeof *b->wash, cmp_wash);
    size_t m = 0;
    for (size_t i = 0; i < b->n_wash; i++) {
        ra_cycle_wash *e = m ? &b->wash[m - 1] : NULL;
        if (e && e->household == b->wash[i].household && e->sec == b->wash[i].sec) {
            if (b->wash[i].last_loss > e->last_loss)
                e->last_loss = b->wash[i].last_loss;
            if (b->wash[i].last_buy > e->last_buy)
                e->last_buy = b->wash[i].last_buy;
        } else
            b->wash[m++] = b->wash[i];
    }
    b->n_wash = m;
}

/* Groups the lots by account (a stable counting sort: they arrive ordered by account id, not by
 * the accounts' household order). */
static ra_status bucket_lots(load_ctx *x, ra_err *err)
{
    ra_cycle_book *b = x->b;
    ra_lot *sorted = ra_malloc((b->n_lots ? b->n_lots : 1) * sizeof *sorted);
    uint32_t *pos = ra_calloc(b->n_acc + 1, sizeof *pos);
    if (!sorted || !pos) {
        RA_FREE_ALL(sorted, pos);
        return sq_nomem(err, "the lots");
    }
    for (size_t i = 0; i < b->n_lots; i++)
        b->acc[x->lot_acc[i]].n_lots++;
    for (size_t a = 0, at = 0; a < b->n_acc; a++) {
        b->acc[a].lot_start = (uint32_t)at;
        pos[a] = (uint32_t)at;
        at += b->acc[a].n_lots;
    }
    for (size_t i = 0; i < b->n_lots; i++)
        sorted[pos[x->lot_acc[i]]++] = b->lots[i];
    ra_free(b->lots);
    ra_free(pos);
    b->lots = sorted;
    /* each account's lots by lot id: the query leaves the order to the database (an ORDER BY
     * sorted every lot of the firm); they mostly come in order, which insertion sort takes in
     * one pass */
    for (size_t a = 0; a < b->n_acc; a++) {
        ra_lot *l = b->lots + b->acc[a].lot_start;
        for (uint32_t i = 1; i < b->acc[a].n_lots; i++) {
            ra_lot t = l[i];
            uint32_t j = i;
            for (; j > 0 && l[j - 1].id > t.id; j--)
                l[j] = l[j - 1];
            l[j] = t;
        }
    }
    return RA_OK;
}

/* The models the accounts use: the assignment's version, else the latest of the mandate's model. */
static ra_status load_models(ra_store *s, const char *firm, load_ctx *x, ra_err *err)
{
    ra_cycle_book *b = x->b;
    size_t cap = 0;
    int64_t *ids = NULL;
    ra_status rc = RA_OK;
    /* the latest version of each mandate model, looked up once per code */
    enum { CODES = 64 };
    char codes[CODES][RA_CODE_MAX];
    int64_t code_mid[CODES];
    size_t n_codes = 0;
    for (size_t a = 0; a < b->n_acc && rc == RA_OK; a++) {
        int64_t mid = x->acc_model_id[a];
        size_t c = 0;
        while (mid == 0 && c < n_codes && strcmp(codes[c], b->acc[a].mandate->model) != 0)
            c++;
        if (mid == 0 && c < n_codes)
            mid = code_mid[c];
        else if (mid == 0 && b->acc[a].mandate->model[0]) {
            ra_db_stmt *st = sq_prep(s, "SELECT id FROM models WHERE firm_id = ? AND code = ? "
                                        "ORDER BY version DESC LIMIT 1", err);
            if (!st || sq_bind(s, st, err, "it", x->firm_id, b->acc[a].mandate->model) != RA_OK ||
                sq_one(s, st, 0, &mid, err) != RA_OK) {
                rc = sq_err(err);
                break;
            }
            if (n_codes < CODES) {
                memcpy(codes[n_codes], b->acc[a].mandate->model, RA_CODE_MAX);
                code_mid[n_codes++] = mid;
            }
        }
        if (mid == 0)
            continue;
        size_t m = 0;
        while (m < b->n_models && ids[m] != mid)
            m++;
        if (m == b->n_models) {
            size_t c1 = cap;
            if (ra_grow((void **)&ids, &c1, m + 1, sizeof *ids) ||
                ra_grow((void **)&b->models, &cap, m + 1, sizeof *b->models)) {
                rc = sq_nomem(err, "the models");
                break;
            }
            ra_db_stmt *st = sq_prep(s, "SELECT code, version FROM models WHERE id = ?", err);
            char code[RA_CODE_MAX] = "";
            int64_t version = 0;
            if (!st || sq_bind(s, st, err, "i", mid) != RA_OK) {
                rc = sq_err(err);
                break;
            }
            int r = s->ops->step(st, err);
            if (r == RA_DB_ROW) {
                sq_copy(code, sizeof code, sq_text(s, st, 0));
                version = sq_int(s, st, 1);
            }
            s->ops->reset(st);
            if (r < 0) {
                rc = sq_err(err);
                break;
            }
            rc = ra_models_get(s, firm, code, (int)version, &b->models[m], err);
            ids[m] = mid;
            b->n_models++;
        }
        b->acc[a].model = (int32_t)m;
    }
    ra_free(ids);
    return rc;
}

/* The lots of the accounts still to do: none when every account is done (a re-run reads no
 * lots), those of the accounts without a daily value for D when some are done (a run resumed
 * after a kill), all of them otherwise. A household is written whole in one transaction, so
 * its accounts are done together; should one be partly done, every lot is read (its done
 * accounts' recent lots matter to the others' wash-sale constraints). */
static ra_status load_lots(ra_store *s, load_ctx *x, ra_err *err)
{
    ra_cycle_book *b = x->b;
    size_t done = 0, mixed = 0;
    for (size_t a = 0; a < b->n_acc; a++) {
        done += b->acc[a].done;
        mixed += a > 0 && b->acc[a].household == b->acc[a - 1].household &&
                 b->acc[a].done != b->acc[a - 1].done;
    }
    if (b->n_acc && done == b->n_acc && !x->all_lots)
        return RA_OK;
    if (done == 0 || mixed || x->all_lots)
        return sq_each(s, err, lot_row, x,
                       "SELECT x.account_id, x.lot_id, x.security_id, x.acquired, x.qty_micro, "
                       "x.basis_minor FROM lots x JOIN accounts a ON a.id = x.account_id WHERE "
                       "a.firm_id = ?", "i", x->firm_id);
    return sq_each(s, err, lot_row, x,
                   "SELECT x.account_id, x.lot_id, x.security_id, x.acquired, x.qty_micro, "
                   "x.basis_minor FROM lots x JOIN accounts a ON a.id = x.account_id WHERE "
                   "a.firm_id = ? AND NOT EXISTS (SELECT 1 FROM daily_values d WHERE "
                   "d.account_id = x.account_id AND d.day = ?)", "ii", x->firm_id,
                   (int64_t)b->date);
}

#define FIRM_SEC "JOIN securities s ON s.id = x.security_id WHERE s.firm_id = ?"
#define FIRM_ACC "JOIN accounts a ON a.id = x.account_id WHERE a.firm_id = ?"
/* The firm's rows of txns x by their day (the txns_day index), not by scanning every account's
 * transactions: the firm's accounts as a set, the unary + keeping SQLite off the account index. */
#define DAY_FIRST "+x.account_id IN (SELECT id FROM accounts WHERE firm_id = ?)"

static ra_status load_all(ra_store *s, const char *firm, load_ctx *x, int window_days,
                          ra_err *err)
{
    ra_cycle_book *b = x->b;
    int64_t fid = x->firm_id, day = b->date;
    ra_status rc = sq_each(s, err, sec_row, x,
                           "SELECT id, ticker, asset_class, tlh_group, risk_level, lot_size, "
                           "on_shelf FROM securities WHERE firm_id = ? ORDER BY ticker",
                           "i", fid);
    if (rc != RA_OK)
        return rc;
    rs_id_index_sort(x->sec_map, b->n_sec);
    row_ctx v = {x, 0, 0};
    rc = sq_each(s, err, val_row, &v,
                 "SELECT x.security_id, x.price FROM prices x " FIRM_SEC " AND x.day = ?", "ii",
                 fid, day);
    v.what = 1;
    if (rc == RA_OK)
        rc = sq_each(s, err, val_row, &v,
                     "SELECT x.security_id, x.amount FROM dividends x " FIRM_SEC " AND x.day = ?",
                     "ii", fid, day);
    v.what = 2;
    if (rc == RA_OK)
        rc = sq_each(s, err, val_row, &v,
                     "SELECT x.security_id, x.num, x.den FROM splits x " FIRM_SEC
                     " AND x.day = ?", "ii", fid, day);
#define ACC_SQL(rules)                                                                          \
    "SELECT a.id, a.code, h.code, a.type, COALESCE(v.model, a.model), "                         \
    "COALESCE(v.discretionary, a.discretionary), COALESCE(v.drift_band, "                      \
    "a.drift_band), COALESCE(v.tlh, a.tlh_enabled), COALESCE(v.loss_limit, "                   \
    "a.loss_limit), COALESCE(v.restrictions, a.restrictions), a.cash_minor, "                  \
    "COALESCE(m.model_id, 0), a.next_lot_id, " MANDATE_COLS ", " rules " FROM accounts a "      \
    "JOIN clients c ON c.id = a.client_id JOIN households h ON "                               \
    "h.id = c.household_id LEFT JOIN model_assignments m ON m.account_id = a.id "              \
    MANDATE_JOIN " WHERE a.firm_id = ? ORDER BY h.code, a.code"
    if (rc == RA_OK)
        rc = sq_each(s, err, acc_row, x,
                     s->schema_version >= RS_SCHEMA_OBJECTIVES
                         ? ACC_SQL("COALESCE(v.rules, ''), COALESCE(v.risk_aversion, 0), "
                                   "COALESCE(v.te_penalty, 0), COALESCE(v.turnover_penalty, 0), "
                                   "COALESCE(v.cvar_limit, 0)")
                     : s->schema_version >= RS_SCHEMA_RISK
                         ? ACC_SQL("COALESCE(v.rules, ''), 0, 0, 0, 0")
                         : ACC_SQL("'', 0, 0, 0, 0"),
                     "ii", day, fid);
    if (rc != RA_OK)
        return rc;
    /* every account points to its mandate, the book's array complete */
    for (size_t a = 0; a < b->n_acc; a++)
        b->acc[a].mandate = &b->mandates[x->acc_mand[a]];
    /* the account map is looked up sorted by id; the accounts keep their household order */
    rs_id_index_sort(x->acc_map, b->n_acc);
    v.what = 3;
    rc = sq_each(s, err, val_row, &v,
                 "SELECT x.account_id FROM daily_values x " FIRM_ACC " AND x.day = ?", "ii", fid,
                 day);
    int64_t prev_day = 0;
    if (rc == RA_OK) {
        ra_db_stmt *st = sq_prep(s, "SELECT COALESCE(MAX(day), 0) FROM cycle_runs WHERE "
                                    "firm_id = ? AND day < ?", err);
        if (!st || sq_bind(s, st, err, "ii", fid, day) != RA_OK ||
            sq_one(s, st, 0, &prev_day, err) != RA_OK)
            rc = sq_err(err);
    }
    v.what = 4;
    if (rc == RA_OK && prev_day > 0)
        rc = sq_each(s, err, val_row, &v,
                     "SELECT x.account_id, x.value_minor FROM daily_values x " FIRM_ACC
                     " AND x.day = ?", "ii", fid, prev_day);
    v.what = 5;
    if (rc == RA_OK)
        rc = sq_each(s, err, val_row, &v,
                     "SELECT x.account_id, SUM(CASE WHEN x.kind = 1 THEN x.amount_minor ELSE "
                     "-x.amount_minor END) FROM txns x WHERE x.day = ? AND x.kind IN (1, 2) AND "
                     DAY_FIRST " GROUP BY x.account_id", "ii", day, fid);
    v.what = 6;
    if (rc == RA_OK)
        rc = sq_each(s, err, val_row, &v,
                     "SELECT x.account_id, x.amount_minor - COALESCE((SELECT SUM(t.amount_minor) "
                     "FROM txns t WHERE t.account_id = x.account_id AND t.kind = 2 AND "
                     "t.external_id LIKE 'wd-' || CAST(x.n AS TEXT) || '-%'), 0) FROM "
                     "instructions x " FIRM_ACC " AND x.due <= ? AND x.cancelled_by = ''",
                     "ii", fid, day);
    /* the year's realised gains, for the accounts whose mandate has a gain budget */
    int budgets = 0;
    for (size_t a = 0; a < b->n_acc && !budgets; a++)
        budgets = b->acc[a].mandate->gain_budget_minor >= 0;
    v.what = 7;
    if (rc == RA_OK && budgets) {
        int y = 0, mo = 0, d = 0;
        ra_date_to_ymd(b->date, &y, &mo, &d);
        rc = sq_each(s, err, val_row, &v,
                     "SELECT x.account_id, SUM(x.gain_minor) FROM txns x WHERE x.day >= ? AND "
                     "x.day < ? AND x.gain_minor IS NOT NULL AND " DAY_FIRST
                     " GROUP BY x.account_id",
                     "iii", (int64_t)ra_date_from_ymd(y, 1, 1), day, fid);
    }
    if (rc == RA_OK)
        rc = load_lots(s, x, err);
    if (rc == RA_OK)
        rc = bucket_lots(x, err);
    if (rc == RA_OK)
        rc = load_models(s, firm, x, err);
    row_ctx w = {x, 0, 0};
    if (rc == RA_OK)
        rc = sq_each(s, err, wash_row, &w,
                     "SELECT x.account_id, x.security_id, x.kind, x.day, x.gain_minor FROM txns x "
                     "WHERE x.day >= ? AND x.day < ? AND x.kind IN (3, 4, 6, 8) AND " DAY_FIRST,
                     "iii", day - window_days, day, fid);
    if (rc == RA_OK)
        merge_wash(b);
    b->bytes = sizeof *b + b->n_sec * sizeof *b->sec + b->n_acc * sizeof *b->acc +
               b->n_lots * sizeof *b->lots + b->n_models * sizeof *b->models +
               b->n_wash * sizeof *b->wash + b->n_mandates * sizeof *b->mandates;
    return rc;
}

ra_status ra_store_cycle_book_load(ra_store *s, const char *firm, ra_date date, int window_days,
                                   ra_cycle_book **out, ra_err *err)
{
    return ra_store_cycle_book_load_ex(s, firm, date, window_days, 0, out, err);
}

ra_status ra_store_cycle_book_load_ex(ra_store *s, const char *firm, ra_date date,
                                      int window_days, unsigned flags, ra_cycle_book **out,
                                      ra_err *err)
{
    *out = NULL;
    ra_status rc = sq_need_version(s, CYCLE_SCHEMA, "the daily cycle", err);
    firm_row f;
    if (rc == RA_OK)
        rc = sq_firm(s, firm, &f, err);
    if (rc != RA_OK)
        return rc;
    ra_cycle_book *b = ra_calloc(1, sizeof *b);
    if (!b)
        return sq_nomem(err, "the day's book");
    b->date = date;
    b->minor_digits = f.minor_digits;
    load_ctx x;
    memset(&x, 0, sizeof x);
    x.b = b;
    x.firm_id = f.id;
    x.last_acc_id = -1;
    x.all_lots = (flags & RA_CYCLE_LOAD_ALL_LOTS) != 0;
    rc = load_all(s, firm, &x, window_days, err);
    RA_FREE_ALL(x.sec_map, x.acc_map, x.acc_model_id, x.lot_acc, x.acc_mand, x.mand_slot);
    if (rc != RA_OK) {
        ra_cycle_book_destroy(b);
        return rc;
    }
    *out = b;
    return RA_OK;
}

/* ---- writing an account's day ------------------------------------------------------------------ */

/* The lots a trade relieves as stored: "LOT:QTY;LOT:QTY" (micro-shares). */
static void picks_text(const ra_cycle_proposal *p, const ra_cycle_trade *t, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = 0;
    for (size_t k = 0; k < t->n_picks && len < cap; k++) {
        const ra_cycle_pick *pk = &p->picks[t->first_pick + k];
        len += (size_t)snprintf(out + len, cap - len, "%s%" PRIu64 ":%" PRId64, k ? ";" : "",
                                pk->lot_id, pk->qty_micro);
    }
}

#define PF(name, kind, field) {name, kind, offsetof(ra_cycle_proposal, field)}
#define TF(name, kind, field) {name, kind, offsetof(ra_cycle_trade, field)}
static const rs_jfield PROPOSAL_JSON[] = {
    PF("id", 's', id), PF("account", 's', account), PF("date", 'i', date),
    PF("status", 's', status), PF("discretionary", 'i', discretionary),
    PF("engine_version", 's', engine_version), PF("config_hash", 's', config_hash),
    PF("value_minor", 'I', value_minor), PF("drift_before", 'd', drift_before),
    PF("drift_after", 'd', drift_after), PF("supersedes", 's', supersedes)};
static const rs_jfield TRADE_JSON[] = {
    TF("n", 'i', n), TF("ticker", 's', ticker), TF("side", 'i', side),
    TF("qty_micro", 'I', qty_micro), TF("price", 'I', price), TF("price_date", 'i', price_date),
    TF("reasons", 'i', reasons), TF("status", 's', status)};

/* The audit image of a proposal: its fields and its trades with their lots (rs_jw: one a
 * trading account a cycle day). */
static char *proposal_json(const ra_cycle_proposal *p, const char *k1, const char *v1,
                           const char *k2, const char *v2)
{
    rs_jw w = {0};
    rs_jw_open(&w, NULL, '{');
    rs_jw_members(&w, p, PROPOSAL_JSON, sizeof PROPOSAL_JSON / sizeof PROPOSAL_JSON[0]);
    rs_jw_open(&w, "trades", '[');
    for (size_t i = 0; i < p->n_trades; i++) {
        rs_jw_open(&w, NULL, '{');
        rs_jw_members(&w, &p->trades[i], TRADE_JSON, sizeof TRADE_JSON / sizeof TRADE_JSON[0]);
        char lots[512];
        picks_text(p, &p->trades[i], lots, sizeof lots);
        rs_jw_str(&w, "lots", lots);
        rs_jw_close(&w, '}');
    }
    rs_jw_close(&w, ']');
    if (p->firm_cuts[0])
        rs_jw_str(&w, "firm_cuts", p->firm_cuts);
    if (k1)
        rs_jw_str(&w, k1, v1);
    if (k2)
        rs_jw_str(&w, k2, v2);
    rs_jw_close(&w, '}');
    return rs_jw_done(&w);
}

static ra_status order_insert(ra_store *s, int64_t firm_id, int64_t acc_id, int64_t prop_id,
                              const ra_cycle_order *o, int64_t sec, ra_err *err)
{
    ra_db_stmt *st = sq_prep(s, "INSERT INTO orders (firm_id, code, account_id, proposal_id, "
                                "trade_n, day, security_id, side, qty_micro, limit_price, "
                                "filled_micro, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             err);
    if (!st || sq_bind(s, st, err, "itiiiiiiiiit", firm_id, o->id, acc_id, prop_id,
                       (int64_t)o->trade_n, (int64_t)o->date, sec, (int64_t)o->side, o->qty_micro,
                       o->limit_price, o->filled_micro, o->status) != RA_OK ||
        sq_run(s, st, err) != RA_OK)
        return sq_err(err);
    return RA_OK;
}

static ra_status sec_id(ra_store *s, int64_t firm_id, const char *ticker, int64_t *id, ra_err *err)
{
    return sq_id_of(s, SQ_SECURITY_ID, firm_id, ticker, "security", id, err);
}

/* The security ids a write of several accounts' days looks up, kept for the write (a firm
 * trades few securities: every trade and order of a batch looked them up again). */
typedef struct sec_cache {
    char ticker[64][RA_CODE_MAX];
    int64_t id[64];
    size_t n;
} sec_cache;

static ra_status sec_id_cached(ra_store *s, sec_cache *c, int64_t firm_id, const char *ticker,
                               int64_t *id, ra_err *err)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (strcmp(c->ticker[i], ticker) == 0) {
            *id = c->id[i];
            return RA_OK;
        }
    ra_status rc = sec_id(s, firm_id, ticker, id, err);
    if (rc == RA_OK && c && c->n < sizeof c->id / sizeof c->id[0]) {
        sq_copy(c->ticker[c->n], RA_CODE_MAX, ticker);
        c->id[c->n++] = *id;
    }
    return rc;
}

static ra_status proposal_insert(ra_store *s, const ra_store_actor *actor, sec_cache *cache,
                                 int64_t firm_id, int64_t acc_id, const ra_cycle_proposal *p,
                                 int64_t *prop_id, ra_err *err)
{
    ra_db_stmt *st = sq_prep(s, "INSERT INTO proposals (firm_id, code, account_id, day, status, "
                                "discretionary, engine_version, config_hash, value_minor, "
                                "drift_before, drift_after, max_dev_before, max_dev_after, "
                                "held_back, supersedes, decided_by, decided_reason) VALUES "
                                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             err);
    ra_status rc = RA_OK;
    if (!st || sq_bind(s, st, err, "itiitittiddddittt", firm_id, p->id, acc_id, (int64_t)p->date,
                       p->status, (int64_t)p->discretionary, p->engine_version, p->config_hash,
                       p->value_minor, p->drift_before, p->drift_after, p->max_dev_before,
                       p->max_dev_after, (int64_t)p->held_back, p->supersedes, p->decided_by,
                       p->decided_reason) != RA_OK)
        return sq_err(err);
    rc = sq_returning_id(s, st, "a proposal", prop_id, err);
    if (rc == RA_OK && p->firm_cuts[0]) /* what the firm rules cut (0016_firm_rules.sql) */
        rc = rs_firm_cuts_put(s, *prop_id, p->firm_cuts, err);
    for (size_t i = 0; rc == RA_OK && i < p->n_trades; i++) {
        const ra_cycle_trade *t = &p->trades[i];
        int64_t sec = 0;
        char lots[4096];
        picks_text(p, t, lots, sizeof lots);
        rc = sec_id_cached(s, cache, firm_id, t->ticker, &sec, err);
        if (rc != RA_OK)
            break;
        st = sq_prep(s, "INSERT INTO proposal_trades (proposal_id, n, security_id, side, "
                        "qty_micro, price, price_day, value_minor, reasons, gain_short_minor, "
                        "gain_long_minor, risk_level, lots, status) VALUES (?, ?, ?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?, ?, ?)", err);
        if (!st || sq_bind(s, st, err, "iiiiiiiiiiiitt", *prop_id, (int64_t)t->n, sec,
                           (int64_t)t->side, t->qty_micro, t->price, (int64_t)t->price_date,
                           t->value_minor, (int64_t)t->reasons, t->gain_short_minor,
                           t->gain_long_minor, (int64_t)t->risk_level, lots, t->status) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
    }
    (void)actor;
    return rc;
}

/* The start of a write that nests others (ra_store_txn_append): the schema, the actor and its
 * firm, then a scope (a transaction of its own, or a savepoint in the caller's); end it with
 * ra_store_scope_end. */
static ra_status scope_begin(ra_store *s, const ra_store_actor *actor, firm_row *firm, int *own,
                             ra_err *err)
{
    return sq_scope_write_begin(s, actor, CYCLE_SCHEMA, "the daily cycle", firm, own, err);
}

static ra_status lapse_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    char *code = rec_push(ctx, 0);
    if (!code)
        return sq_nomem(err, "the proposals to lapse");
    sq_copy(code, RA_CYCLE_ID_MAX, sq_text(s, st, 0));
    return RA_OK;
}

/* A new proposal replaces the account's older pending ones: they lapse (never approved late
 * against prices that have moved), each audited. */
ra_status rs_proposals_lapse(ra_store *s, const ra_store_actor *actor, int64_t acc, ra_date day,
                             const char *why, ra_err *err)
{
    rec_list c = {NULL, NULL, 0, 0, RA_CYCLE_ID_MAX};
    ra_status rc = sq_each(s, err, lapse_row, &c,
                           "SELECT code FROM proposals WHERE account_id = ? AND day < ? AND "
                           "status IN ('pending', 'confirming') ORDER BY id", "ii", acc,
                           (int64_t)day);
    for (size_t i = 0; rc == RA_OK && i < c.n; i++) {
        ra_db_stmt *st = sq_prep(s, "UPDATE proposals SET status = 'lapsed' WHERE account_id = ? "
                                    "AND code = ?", err);
        if (!st || sq_bind(s, st, err, "it", acc, (const char *)c.v + i * RA_CYCLE_ID_MAX) != RA_OK ||
            sq_run(s, st, err) != RA_OK) {
            rc = sq_err(err);
            break;
        }
        json_t *after = json_object();
        rs_jstr(after, "status", "lapsed");
        char db[11];
        if (why)
            rs_jstr(after, "why", why);
        else
            rs_jstr(after, "replaced_on", ra_date_format(day, db));
        rc = rs_audit_change(s, rc, actor, "lapse", "proposal",
                             (const char *)c.v + i * RA_CYCLE_ID_MAX, NULL, after, err);
    }
    RA_FREE_ALL(c.v, c.ids);
    return rc;
}

/* The decisions of an account's day d (account row acc): its proposal with its orders, and its
 * risk records (store_risk.c). The daily cycle writes them after the day's value and
 * transactions (day_put); the intraday monitor writes them alone (store_monitor.c). */
ra_status rs_day_decisions_put(ra_store *s, const ra_store_actor *actor, int64_t firm_id,
                               sec_cache *cache, int64_t acc, const ra_cycle_account_day *d,
                               ra_err *err)
{
    ra_status rc = RA_OK;
    if (d->proposal) {
        int64_t pid = 0;
        rc = rs_proposals_lapse(s, actor, acc, d->proposal->date, NULL, err);
        if (rc == RA_OK)
            rc = proposal_insert(s, actor, cache, firm_id, acc, d->proposal, &pid, err);
        for (size_t i = 0; rc == RA_OK && i < d->n_orders; i++) {
            int64_t sec = 0;
            rc = sec_id_cached(s, cache, firm_id, d->orders[i].ticker, &sec, err);
            if (rc == RA_OK)
                rc = order_insert(s, firm_id, acc, pid, &d->orders[i], sec, err);
        }
        if (rc == RA_OK)
            rc = rs_audit_text(s, rc, actor, "propose", "proposal", d->proposal->id, 0, NULL,
                               proposal_json(d->proposal, NULL, NULL, NULL, NULL), err);
    }
    if (rc == RA_OK && d->risk) /* a crossing of the loss limit (store_risk.c) */
        rc = rs_risk_day_put(s, actor, acc, d->value.account, d->risk, err);
    return rc;
}

static ra_status day_put(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                         sec_cache *cache, const ra_cycle_account_day *d, size_t *skipped, ra_err *err)
{
    int64_t acc = d->account_id, done = 0;
    ra_status rc = acc > 0 ? RA_OK
                           : sq_id_of(s, SQ_ACCOUNT_ID, firm->id, d->value.account, "account",
                                      &acc, err);
    if (rc != RA_OK)
        return rc;
    /* the daily value first: its key says whether the account is done already (one statement
     * instead of a look-up and an insert) */
    const ra_cycle_value *v = &d->value;
    ra_db_stmt *st = sq_prep(s, "INSERT INTO daily_values (account_id, day, value_minor, "
                                "cash_minor, flow_minor, twr, drift, max_dev, out_of_band, "
                                "held_back) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
                                "(account_id, day) DO NOTHING", err);
    if (!st || sq_bind(s, st, err, "iiiiidddii", acc, (int64_t)v->date, v->value_minor,
                       v->cash_minor, v->flow_minor, v->twr, v->drift, v->max_dev,
                       (int64_t)v->out_of_band, (int64_t)v->held_back) != RA_OK ||
        sq_run_now(s, st, err) != RA_OK)
        return sq_err(err);
    done = s->ops->changes(st) == 0;
    if (done) {
        (*skipped)++;
        return RA_OK;
    }
    /* the day's transactions in one append (one ledger write and one audited state of the
     * account): the corporate actions, then the fills */
    ra_store_txn *wd = NULL; /* then the withdrawals paid */
    size_t n_wd = 0;
    rc = rs_withdrawal_txns(s, acc, d->value.account, d->value.date, d->withdrawal_minor, &wd,
                            &n_wd, err);
    if (rc != RA_OK)
        return rc;
    size_t nt = d->n_before + d->n_fills + n_wd;
    if (nt) {
        ra_store_txn *all = ra_malloc(nt * sizeof *all);
        if (!all) {
            ra_free(wd);
            return sq_nomem(err, "the day's transactions");
        }
        if (d->n_before)
            memcpy(all, d->before, d->n_before * sizeof *all);
        if (d->n_fills)
            memcpy(all + d->n_before, d->fills, d->n_fills * sizeof *all);
        if (n_wd)
            memcpy(all + d->n_before + d->n_fills, wd, n_wd * sizeof *all);
        rc = ra_store_txn_append(s, actor, all, nt, NULL, err);
        ra_free(all);
    }
    ra_free(wd);
    if (rc != RA_OK)
        return rc;
    rc = rs_day_decisions_put(s, actor, firm->id, cache, acc, d, err);
    if (rc == RA_OK && d->tiers) /* tier move, alerts, peak (store_tiers.c) */
        rc = rs_tiers_day_put(s, actor, acc, d->tiers, err);
    return rc;
}

ra_status ra_store_proposal_put(ra_store *s, const ra_store_actor *actor,
                                const ra_cycle_proposal *p, ra_err *err)
{
    firm_row firm;
    int own = 0;
    int64_t acc = 0, pid = 0;
    ra_status rc = scope_begin(s, actor, &firm, &own, err);
    if (rc != RA_OK)
        return rc;
    rc = sq_id_of(s, SQ_ACCOUNT_ID, firm.id, p->account, "account", &acc, err);
    if (rc == RA_OK)
        rc = proposal_insert(s, actor, NULL, firm.id, acc, p, &pid, err);
    if (rc == RA_OK)
        rc = rs_audit_text(s, rc, actor, "propose", "proposal", p->id, 0, NULL,
                           proposal_json(p, NULL, NULL, NULL, NULL),
                             err);
    return ra_store_scope_end(s, own, rc, err);
}

/* A day that is only a value (no transaction, no proposal, no withdrawal paid) of an account
 * whose id is known. */
static int value_only(const ra_cycle_account_day *d)
{
    return d->account_id > 0 && !d->n_before && !d->n_fills && !d->proposal &&
           !d->withdrawal_minor && !d->risk; /* its tiers' records follow its bulk insert */
}

#define DV_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define DV_R4 DV_ROW ", " DV_ROW ", " DV_ROW ", " DV_ROW
#define DV_R16 DV_R4 ", " DV_R4 ", " DV_R4 ", " DV_R4
#define DV_BULK 64 /* rows of one multi-row insert */

/* The daily values of DV_BULK value-only days d[ix[0..DV_BULK)] in one statement; a row whose
 * account is done already is left as it is (ON CONFLICT), counted in *skipped. */
static ra_status values_bulk(ra_store *s, const ra_cycle_account_day *d, const size_t *ix,
                             size_t *skipped, ra_err *err)
{
    ra_db_stmt *st = sq_prep(s, "INSERT INTO daily_values (account_id, day, value_minor, "
                                "cash_minor, flow_minor, twr, drift, max_dev, out_of_band, "
                                "held_back) VALUES " DV_R16 ", " DV_R16 ", " DV_R16 ", " DV_R16
                                " ON CONFLICT (account_id, day) DO NOTHING", err);
    if (!st)
        return sq_err(err);
    const ra_db_ops *op = s->ops;
    ra_status rc = RA_OK;
    for (size_t k = 0; k < DV_BULK && rc == RA_OK; k++) {
        const ra_cycle_value *v = &d[ix[k]].value;
        int p = (int)k * 10 + 1;
        const int64_t iv[5] = {d[ix[k]].account_id, (int64_t)v->date, v->value_minor,
                               v->cash_minor, v->flow_minor};
        for (int c = 0; c < 5 && rc == RA_OK; c++)
            rc = op->bind_int64(st, p + c, iv[c], err);
        if (rc == RA_OK)
            rc = op->bind_double(st, p + 5, v->twr, err);
        if (rc == RA_OK)
            rc = op->bind_double(st, p + 6, v->drift, err);
        if (rc == RA_OK)
            rc = op->bind_double(st, p + 7, v->max_dev, err);
        if (rc == RA_OK)
            rc = op->bind_int64(st, p + 8, (int64_t)v->out_of_band, err);
        if (rc == RA_OK)
            rc = op->bind_int64(st, p + 9, (int64_t)v->held_back, err);
    }
    if (rc != RA_OK || sq_run_now(s, st, err) != RA_OK)
        return sq_err(err);
    *skipped += DV_BULK - (size_t)op->changes(st);
    return RA_OK;
}

ra_status ra_store_cycle_put(ra_store *s, const ra_store_actor *actor,
                             const ra_cycle_account_day *days, size_t n, size_t *skipped,
                             ra_err *err)
{
    size_t local = 0;
    if (!skipped)
        skipped = &local;
    *skipped = 0;
    firm_row firm;
    int own = 0;
    ra_status rc = scope_begin(s, actor, &firm, &own, err);
    if (rc != RA_OK)
        return rc;
    sec_cache *cache = ra_calloc(1, sizeof *cache); /* NULL: looked up every time */
    /* the value-only days (most of a day's accounts: marked, nothing to trade) DV_BULK to a
     * statement, the others (and the last few value-only ones) one by one */
    size_t bulk[DV_BULK], nb = 0;
    for (size_t i = 0; i < n && rc == RA_OK; i++) {
        if (value_only(&days[i])) {
            bulk[nb++] = i;
            if (nb == DV_BULK) {
                rc = values_bulk(s, days, bulk, skipped, err);
                for (size_t k = 0; k < nb && rc == RA_OK; k++) /* store_tiers.c */
                    if (days[bulk[k]].tiers)
                        rc = rs_tiers_day_put(s, actor, days[bulk[k]].account_id,
                                              days[bulk[k]].tiers, err);
                nb = 0;
            }
            continue;
        }
        rc = day_put(s, actor, &firm, cache, &days[i], skipped, err);
        if (rc != RA_OK && !err->where[0])
            snprintf(err->where, sizeof err->where, "account %s", days[i].value.account);
    }
    for (size_t k = 0; k < nb && rc == RA_OK; k++) {
        rc = day_put(s, actor, &firm, cache, &days[bulk[k]], skipped, err);
        if (rc != RA_OK && !err->where[0])
            snprintf(err->where, sizeof err->where, "account %s", days[bulk[k]].value.account);
    }
    ra_free(cache);
    return ra_store_scope_end(s, own, rc, err);
}

ra_status ra_store_cycle_run_put(ra_store *s, const ra_store_actor *actor, ra_date date,
                                 const char *engine_version, const char *config_hash,
                                 int64_t accounts, int64_t proposals, int64_t orders,
                                 int finished, ra_err *err)
{
    firm_row firm;
    ra_status rc = sq_need_version(s, CYCLE_SCHEMA, "the daily cycle", err);
    if (rc == RA_OK)
        rc = sq_put_begin(s, actor, RA_OK, &firm, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = sq_prep(s, "DELETE FROM cycle_runs WHERE firm_id = ? AND day = ?", err);
    if (!st || sq_bind(s, st, err, "ii", firm.id, (int64_t)date) != RA_OK ||
        sq_run(s, st, err) != RA_OK)
        rc = sq_err(err);
    if (rc == RA_OK) {
        st = sq_prep(s, "INSERT INTO cycle_runs (firm_id, day, engine_version, config_hash, "
                        "accounts, proposals, orders, finished) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     err);
        if (!st || sq_bind(s, st, err, "iittiiii", firm.id, (int64_t)date, engine_version,
                           config_hash, accounts, proposals, orders, (int64_t)finished) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
    }
    if (rc == RA_OK) {
        json_t *o = json_pack("{s:i, s:s, s:s, s:I, s:I, s:I, s:i}", "date", (int)date,
                              "engine_version", engine_version, "config_hash", config_hash,
                              "accounts", (json_int_t)accounts, "proposals", (json_int_t)proposals,
                              "orders", (json_int_t)orders, "finished", finished);
        char id[16];
        snprintf(id, sizeof id, "%d", (int)date);
        rc = rs_audit_change(s, rc, actor, finished ? "finish" : "start", "run", id, NULL, o, err);
    }
    return sq_wend(s, rc, err);
}

/* The schema has the cycle's tables and the firm exists. */
static ra_status cycle_firm(ra_store *s, const char *firm, firm_row *fr, ra_err *err)
{
    ra_status rc = sq_need_version(s, CYCLE_SCHEMA, "the daily cycle", err);
    return rc == RA_OK ? sq_firm(s, firm, fr, err) : rc;
}

/* The WHERE clause of the filtered lists of table alias T (firm, then ra_cycle_filter's date,
 * account and status, each "any" when 0 or ""), and its parameters bound by list_filtered. */
#define FILTERED(T)                                                                                \
    "WHERE " T ".firm_id = ? AND (? = 0 OR " T ".day = ?) AND (? = '' OR a.code = ?) AND "      \
    "(? = '' OR " T ".status = ?) ORDER BY " T ".day, " T ".code"
/* The same with a status given (the same parameters): by the (firm_id, status) index, so that the
 * cycle's daily look-up of open orders reads the open ones, not every order of the firm's
 * history (day + 0 keeps SQLite from taking the day index for the ORDER BY). */
#define FILTERED_STATUS(T)                                                                         \
    "WHERE " T ".firm_id = ? AND (? = 0 OR " T ".day = ?) AND (? = '' OR a.code = ?) AND "      \
    "? <> '' AND " T ".status = ? ORDER BY " T ".day + 0, " T ".code"

static ra_status list_filtered(ra_store *s, ra_err *err, sq_row_fn *row, void *ctx,
                               const char *sql, int64_t firm_id, const ra_cycle_filter *f)
{
    const char *acct = f && f->account ? f->account : "";
    const char *status = f && f->status ? f->status : "";
    int64_t day = f ? f->date : 0;
    return sq_each(s, err, row, ctx, sql, "iiitttt", firm_id, day, day, acct, acct, status,
                   status);
}

/* ---- reading ----------------------------------------------------------------------------------- */

void ra_cycle_proposal_clear(ra_cycle_proposal *p)
{
    if (!p)
        return;
    ra_free(p->trades);
    ra_free(p->picks);
    p->trades = NULL;
    p->picks = NULL;
    p->n_trades = p->n_picks = 0;
}

void ra_cycle_proposals_free(ra_cycle_proposal *p, size_t n)
{
    if (!p)
        return;
    for (size_t i = 0; i < n; i++)
        ra_cycle_proposal_clear(&p[i]);
    ra_free(p);
}

#define PROPOSAL_COLS                                                                             \
    "SELECT p.id, p.code, a.code, p.day, p.status, p.discretionary, p.engine_version, "          \
    "p.config_hash, p.value_minor, p.drift_before, p.drift_after, p.max_dev_before, "            \
    "p.max_dev_after, p.held_back, p.supersedes, p.decided_by, p.decided_reason FROM proposals " \
    "p JOIN accounts a ON a.id = p.account_id "

/* The firm's records of sql (ending in FILTERED) under filter f into l; *n zeroed. */
static ra_status firm_list(ra_store *s, const char *firm, const ra_cycle_filter *f,
                           sq_row_fn *row, const char *sql, rec_list *l, size_t *n, ra_err *err)
{
    firm_row fr;
    *n = 0;
    ra_status rc = cycle_firm(s, firm, &fr, err);
    return rc == RA_OK ? list_filtered(s, err, row, l, sql, fr.id, f) : rc;
}

/* One column of a row read into a record: its offset and kind ('s' a char array of `size`
 * bytes, 'i' an int, 'I' an int64_t, 'd' a double). Columns are read from 1 (0 is the row id). */
typedef struct col_spec {
    size_t off, size;
    char kind;
} col_spec;

#define COL(T, field, kind) {offsetof(T, field), sizeof(((T *)0)->field), kind}

static void read_cols(ra_store *s, ra_db_stmt *st, void *rec, const col_spec *c, size_t n)
{
    char *r = rec;
    for (size_t k = 0; k < n; k++) {
        int col = (int)k + 1;
        void *p = r + c[k].off;
        if (c[k].kind == 's')
            sq_copy(p, c[k].size, sq_text(s, st, col));
        else if (c[k].kind == 'i')
            *(int *)p = (int)sq_int(s, st, col);
        else if (c[k].kind == 'I')
            *(int64_t *)p = sq_int(s, st, col);
        else
            *(double *)p = s->ops->col_double(st, col);
    }
}

#define PC(field, kind) COL(ra_cycle_proposal, field, kind)
static const col_spec PROPOSAL_READ[] = {
    PC(id, 's'), PC(account, 's'), PC(date, 'i'), PC(status, 's'), PC(discretionary, 'i'),
    PC(engine_version, 's'), PC(config_hash, 's'), PC(value_minor, 'I'), PC(drift_before, 'd'),
    PC(drift_after, 'd'), PC(max_dev_before, 'd'), PC(max_dev_after, 'd'), PC(held_back, 'i'),
    PC(supersedes, 's'), PC(decided_by, 's'), PC(decided_reason, 's')};
#define OC(field, kind) COL(ra_cycle_order, field, kind)
static const col_spec ORDER_READ[] = {
    OC(id, 's'), OC(account, 's'), OC(proposal, 's'), OC(trade_n, 'i'), OC(date, 'i'),
    OC(ticker, 's'), OC(side, 'i'), OC(qty_micro, 'I'), OC(limit_price, 'I'),
    OC(filled_micro, 'I'), OC(status, 's')};

static ra_status prop_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_cycle_proposal *p = rec_push(ctx, sq_int(s, st, 0));
    if (!p)
        return sq_nomem(err, "the proposals");
    read_cols(s, st, p, PROPOSAL_READ, sizeof PROPOSAL_READ / sizeof PROPOSAL_READ[0]);
    return RA_OK;
}

typedef struct trade_ctx {
    ra_cycle_proposal *p;
    size_t cap_t, cap_p;
} trade_ctx;

static ra_status trade_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    trade_ctx *c = ctx;
    ra_cycle_proposal *p = c->p;
    if (ra_grow((void **)&p->trades, &c->cap_t, p->n_trades + 1, sizeof *p->trades))
        return sq_nomem(err, "the trades");
    ra_cycle_trade *t = &p->trades[p->n_trades++];
    memset(t, 0, sizeof *t);
    t->n = (int)sq_int(s, st, 0);
    sq_copy(t->ticker, sizeof t->ticker, sq_text(s, st, 1));
    t->side = (int)sq_int(s, st, 2);
    t->qty_micro = sq_int(s, st, 3);
    t->price = sq_int(s, st, 4);
    t->price_date = (ra_date)sq_int(s, st, 5);
    t->value_minor = sq_int(s, st, 6);
    t->reasons = (unsigned)sq_int(s, st, 7);
    t->gain_short_minor = sq_int(s, st, 8);
    t->gain_long_minor = sq_int(s, st, 9);
    t->risk_level = (int)sq_int(s, st, 10);
    sq_copy(t->status, sizeof t->status, sq_text(s, st, 12));
    t->first_pick = p->n_picks;
    for (const char *q = sq_text(s, st, 11); *q;) {
        unsigned long long lot;
        long long qty;
        int used = 0;
        if (sscanf(q, "%llu:%lld%n", &lot, &qty, &used) != 2)
            return ra_err_set(err, RA_EINTERNAL, NULL, "proposal %s trade %d: damaged lots", p->id,
                              t->n);
        if (ra_grow((void **)&p->picks, &c->cap_p, p->n_picks + 1, sizeof *p->picks))
            return sq_nomem(err, "the trades");
        p->picks[p->n_picks].lot_id = (uint64_t)lot;
        p->picks[p->n_picks].qty_micro = (ra_micro)qty;
        p->n_picks++;
        t->n_picks++;
        q += used;
        if (*q == ';')
            q++;
    }
    return RA_OK;
}

static ra_status load_trades(ra_store *s, int64_t prop_id, ra_cycle_proposal *p, ra_err *err)
{
    trade_ctx c = {p, 0, 0};
    ra_status rc = rs_firm_cuts_get(s, prop_id, p->firm_cuts, sizeof p->firm_cuts, err);
    return rc != RA_OK ? rc : sq_each(s, err, trade_row, &c,
                   "SELECT x.n, s.ticker, x.side, x.qty_micro, x.price, x.price_day, "
                   "x.value_minor, x.reasons, x.gain_short_minor, x.gain_long_minor, x.risk_level, "
                   "x.lots, x.status FROM proposal_trades x JOIN securities s ON s.id = "
                   "x.security_id WHERE x.proposal_id = ? ORDER BY x.n", "i", prop_id);
}

ra_status ra_store_proposals_list(ra_store *s, const char *firm, const ra_cycle_filter *f,
                                  ra_cycle_proposal **out, size_t *n, ra_err *err)
{
    rec_list l = {NULL, NULL, 0, 0, sizeof(ra_cycle_proposal)};
    ra_status rc;
    if (f && f->account && f->account[0]) {
        /* one account's: from the account through proposals_account (FILTERED read every
         * proposal of the firm by proposals_day: ~0.2 s a statement's account view on a book of
         * 10,000 accounts after a quarter); +p.firm_id keeps SQLite off proposals_day */
        firm_row fr;
        *n = 0;
        const char *status = f->status ? f->status : "";
        rc = cycle_firm(s, firm, &fr, err);
        if (rc == RA_OK)
            rc = sq_each(s, err, prop_row, &l,
                         PROPOSAL_COLS "WHERE a.firm_id = ? AND a.code = ? AND +p.firm_id = "
                                       "a.firm_id AND (? = 0 OR p.day = ?) AND (? = '' OR "
                                       "p.status = ?) ORDER BY p.day, p.code",
                         "itiitt", fr.id, f->account, (int64_t)f->date, (int64_t)f->date, status,
                         status);
    } else
        rc = firm_list(s, firm, f, prop_row, PROPOSAL_COLS FILTERED("p"), &l, n, err);
    *out = NULL;
    for (size_t i = 0; rc == RA_OK && i < l.n; i++)
        rc = load_trades(s, l.ids[i], (ra_cycle_proposal *)l.v + i, err);
    ra_free(l.ids);
    if (rc != RA_OK) {
        ra_cycle_proposals_free(l.v, l.n);
        return rc;
    }
    *out = l.v;
    *n = l.n;
    return RA_OK;
}

/* The proposal id of the firm (its row id in *row_id). */
static ra_status proposal_read(ra_store *s, int64_t firm_id, const char *id,
                               ra_cycle_proposal *out, int64_t *row_id, ra_err *err)
{
    rec_list l = {NULL, NULL, 0, 0, sizeof(ra_cycle_proposal)};
    ra_status rc = sq_each(s, err, prop_row, &l, PROPOSAL_COLS "WHERE p.firm_id = ? AND p.code = ?",
                           "it", firm_id, id);
    if (rc == RA_OK && l.n == 0)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no proposal %s", id);
    if (rc == RA_OK) {
        *out = *(ra_cycle_proposal *)l.v;
        *row_id = l.ids[0];
        rc = load_trades(s, *row_id, out, err);
        if (rc != RA_OK)
            ra_cycle_proposal_clear(out);
    }
    RA_FREE_ALL(l.v, l.ids);
    return rc;
}

ra_status ra_store_proposal_get(ra_store *s, const char *firm, const char *id,
                                ra_cycle_proposal *out, ra_err *err)
{
    memset(out, 0, sizeof *out);
    firm_row fr;
    int64_t row = 0;
    ra_status rc = cycle_firm(s, firm, &fr, err);
    return rc == RA_OK ? proposal_read(s, fr.id, id, out, &row, err) : rc;
}

/* ---- deciding ---------------------------------------------------------------------------------- */

/* The approved buys of p can be paid: their value is at most the account's cash plus the approved
 * sales' value (an order that cannot fill would stop the next run at the close). RA_EINVAL
 * naming the amounts otherwise. */
/* The order of approved trade t of proposal p (row pid): id PROPOSAL-N, dated the proposal's day. */
static ra_status trade_order(ra_store *s, int64_t firm_id, int64_t acc, int64_t pid,
                             const ra_cycle_proposal *p, const ra_cycle_trade *t, ra_err *err)
{
    ra_cycle_order o;
    memset(&o, 0, sizeof o);
    snprintf(o.id, sizeof o.id, "%.80s-%d", p->id, t->n);
    sq_copy(o.account, sizeof o.account, p->account);
    sq_copy(o.proposal, sizeof o.proposal, p->id);
    o.trade_n = t->n;
    o.date = p->date;
    sq_copy(o.ticker, sizeof o.ticker, t->ticker);
    o.side = t->side;
    o.qty_micro = t->qty_micro;
    sq_copy(o.status, sizeof o.status, "open");
    int64_t sec = 0;
    ra_status rc = sec_id(s, firm_id, t->ticker, &sec, err);
    return rc == RA_OK ? order_insert(s, firm_id, acc, pid, &o, sec, err) : rc;
}

/* What the account's open orders of earlier decisions will move: + the rest of a sale at its
 * trade's price, - the rest of a buy (the book's rounding rule). */
typedef struct open_ctx {
    int digits;
    ra_minor net;
} open_ctx;

static ra_status open_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    open_ctx *x = ctx;
    ra_minor v = 0;
    ra_status rc = ra_money_value(sq_int(s, st, 1), sq_int(s, st, 2), x->digits, &v, err);
    x->net += sq_int(s, st, 0) > 0 ? -v : v;
    return rc;
}

/* The approved buys must be paid by the account's cash, the approved sales and the open orders of
 * earlier approvals (a re-evaluation's buys are paid by the approved sales of the proposal it
 * re-evaluates, not filled yet). */
static ra_status check_funded(ra_store *s, const ra_cycle_proposal *p, int64_t acc, int digits,
                              ra_err *err)
{
    int64_t cash = 0;
    ra_minor buys = 0, sells = 0;
    ra_db_stmt *st = sq_prep(s, "SELECT cash_minor FROM accounts WHERE id = ?", err);
    if (!st || sq_bind(s, st, err, "i", acc) != RA_OK || sq_one(s, st, 0, &cash, err) != RA_OK)
        return sq_err(err);
    open_ctx oc = {digits, 0};
    ra_status rc = sq_each(s, err, open_row, &oc,
                           "SELECT o.side, o.qty_micro - o.filled_micro, t.price FROM orders o "
                           "JOIN proposal_trades t ON t.proposal_id = o.proposal_id AND t.n = "
                           "o.trade_n WHERE o.account_id = ? AND o.status IN ('open', 'partial')",
                           "i", acc);
    if (rc != RA_OK)
        return rc;
    for (size_t i = 0; i < p->n_trades; i++)
        if (strcmp(p->trades[i].status, "approved") == 0)
            *(p->trades[i].side > 0 ? &buys : &sells) += p->trades[i].value_minor;
    if (buys <= cash + sells + oc.net)
        return RA_OK;
    char b1[RA_MONEY_FMT_SIZE], b2[RA_MONEY_FMT_SIZE];
    return ra_err_set(err, RA_EINVAL, NULL,
                      "proposal %s: the approved buys cost %s but the account's cash, the "
                      "approved sales and its open orders give %s: approve the sales that fund "
                      "them, or fewer buys",
                      p->id, ra_money_format_minor(buys, digits, b1, sizeof b1),
                      ra_money_format_minor(cash + sells + oc.net, digits, b2, sizeof b2));
}

/* The start of a decision on proposal id: the write begun (*begun 1: end it with sq_wend), the
 * proposal read with its row id and its account's, RA_ECONFLICT unless its status is `want`
 * ("proposal P is S, not <what>"). */
static ra_status decision_begin(ra_store *s, const ra_store_actor *actor, const char *id,
                               const char *want, const char *what, firm_row *firm,
                               ra_cycle_proposal *p, int64_t *pid, int64_t *acc, int *begun,
                               ra_err *err)
{
    memset(p, 0, sizeof *p);
    ra_status rc = sq_need_version(s, CYCLE_SCHEMA, "the daily cycle", err);
    if (rc == RA_OK)
        rc = sq_put_begin(s, actor, RA_OK, firm, err);
    if (rc != RA_OK)
        return rc;
    *begun = 1;
    rc = proposal_read(s, firm->id, id, p, pid, err);
    if (rc == RA_OK && strcmp(p->status, want) != 0)
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "proposal %s is %s, not %s", id, p->status,
                        what);
    return rc == RA_OK ? sq_id_of(s, SQ_ACCOUNT_ID, firm->id, p->account, "account", acc, err)
                       : rc;
}

/* An account whose automated trading is suspended (a crossed loss limit or a rule's suspend,
 * 0011_risk.sql, not re-authorised) makes no orders: approving or confirming a proposal made
 * before the suspension is refused (rejecting it is not). */
static ra_status refuse_if_suspended(ra_store *s, int64_t acc, const char *account,
                                     const char *what, ra_err *err)
{
    if (s->schema_version < RS_SCHEMA_RISK)
        return RA_OK;
    int64_t day = 0;
    ra_db_stmt *st = sq_prep(s, "SELECT COALESCE(MIN(day), 0) FROM suspensions WHERE "
                                "account_id = ? AND reauthorised_by = ''", err);
    if (!st || sq_bind(s, st, err, "i", acc) != RA_OK || sq_one(s, st, 0, &day, err) != RA_OK)
        return sq_err(err);
    if (!day)
        return RA_OK;
    char db[11];
    return ra_err_set(err, RA_EINVAL, NULL, "account %s is suspended since %s (its loss limit or a "
                      "risk rule): cannot %s its proposal until it is re-authorised ('roboadvisor "
                      "reauthorise %s --by USER --note TEXT'); rejecting it is allowed",
                      account, ra_date_format((ra_date)day, db), what, account);
}

ra_status ra_store_proposal_decide(ra_store *s, const ra_store_actor *actor, const char *id,
                                   int approve, const int *trades, size_t n, const char *reason,
                                   size_t *orders_made, ra_err *err)
{
    size_t made = 0;
    firm_row firm;
    ra_cycle_proposal p;
    int64_t pid = 0, acc = 0;
    int begun = 0;
    ra_status rc = decision_begin(s, actor, id, "pending", "pending", &firm, &p, &pid, &acc,
                                  &begun, err);
    if (!begun)
        return rc;
    for (size_t k = 0; rc == RA_OK && k < n; k++)
        if (trades[k] < 1 || (size_t)trades[k] > p.n_trades)
            rc = ra_err_set(err, RA_EINVAL, NULL, "proposal %s has no trade %d (it has %zu)", id,
                            trades[k], p.n_trades);
    for (size_t i = 0; rc == RA_OK && i < p.n_trades; i++) {
        ra_cycle_trade *t = &p.trades[i];
        int named = n == 0;
        for (size_t k = 0; k < n && !named; k++)
            named = trades[k] == t->n;
        /* approving names the trades approved (the rest are rejected); rejecting the rejected */
        sq_copy(t->status, sizeof t->status, (approve ? named : !named) ? "approved" : "rejected");
    }
    if (rc == RA_OK && approve)
        rc = refuse_if_suspended(s, acc, p.account, "approve", err);
    if (rc == RA_OK)
        rc = check_funded(s, &p, acc, firm.minor_digits, err);
    /* a mandate asking for the client's confirmation: the orders wait for it */
    int64_t confirm = 0;
    if (rc == RA_OK) {
        ra_db_stmt *st = sq_prep(s, "SELECT client_confirm FROM mandates WHERE account_id = ? "
                                    "ORDER BY version DESC LIMIT 1", err);
        if (!st || sq_bind(s, st, err, "i", acc) != RA_OK || sq_one(s, st, 0, &confirm, err) != RA_OK)
            rc = sq_err(err);
    }
    size_t rejected = 0;
    for (size_t i = 0; rc == RA_OK && i < p.n_trades; i++) {
        ra_cycle_trade *t = &p.trades[i];
        int ok = strcmp(t->status, "approved") == 0;
        rejected += !ok;
        ra_db_stmt *st = sq_prep(s, "UPDATE proposal_trades SET status = ? WHERE proposal_id = ? "
                                    "AND n = ?", err);
        if (!st || sq_bind(s, st, err, "tii", t->status, pid, (int64_t)t->n) != RA_OK ||
            sq_run(s, st, err) != RA_OK) {
            rc = sq_err(err);
            break;
        }
        if (ok && !confirm) {
            rc = trade_order(s, firm.id, acc, pid, &p, t, err);
            made += rc == RA_OK;
        }
    }
    if (rc == RA_OK) {
        sq_copy(p.status, sizeof p.status, rejected == p.n_trades ? "rejected"
                                           : confirm              ? "confirming"
                                                                  : "approved");
        sq_copy(p.decided_by, sizeof p.decided_by, actor->user);
        sq_copy(p.decided_reason, sizeof p.decided_reason, reason ? reason : "");
        ra_db_stmt *st = sq_prep(s, "UPDATE proposals SET status = ?, decided_by = ?, "
                                    "decided_reason = ? WHERE id = ?", err);
        if (!st || sq_bind(s, st, err, "ttti", p.status, p.decided_by, p.decided_reason, pid) !=
                       RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
    }
    if (rc == RA_OK) {
        rc = rs_audit_text(s, rc, actor, approve ? "approve" : "reject", "proposal", id, 0, NULL,
                           proposal_json(&p, "decided_by", p.decided_by, "reason",
                                         p.decided_reason),
                           err);
    }
    ra_cycle_proposal_clear(&p);
    rc = sq_wend(s, rc, err);
    if (orders_made)
        *orders_made = rc == RA_OK ? made : 0;
    return rc;
}

ra_status ra_store_proposal_confirm(ra_store *s, const ra_store_actor *actor, const char *id,
                                    int confirm, const char *reason, size_t *orders_made,
                                    ra_err *err)
{
    size_t made = 0;
    firm_row firm;
    ra_cycle_proposal p;
    int64_t pid = 0, acc = 0;
    int begun = 0;
    ra_status rc = decision_begin(s, actor, id, "confirming", "waiting for the client's "
                                  "confirmation", &firm, &p, &pid, &acc, &begun, err);
    if (!begun)
        return rc;
    if (rc == RA_OK && confirm)
        rc = refuse_if_suspended(s, acc, p.account, "confirm", err);
    if (rc == RA_OK && confirm)
        rc = check_funded(s, &p, acc, firm.minor_digits, err);
    for (size_t i = 0; rc == RA_OK && i < p.n_trades; i++) {
        ra_cycle_trade *t = &p.trades[i];
        if (strcmp(t->status, "approved") != 0)
            continue;
        if (confirm) {
            rc = trade_order(s, firm.id, acc, pid, &p, t, err);
            made += rc == RA_OK;
            continue;
        }
        sq_copy(t->status, sizeof t->status, "rejected"); /* declined by the client */
        ra_db_stmt *st = sq_prep(s, "UPDATE proposal_trades SET status = ? WHERE proposal_id = ? "
                                    "AND n = ?", err);
        if (!st || sq_bind(s, st, err, "tii", t->status, pid, (int64_t)t->n) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
    }
    if (rc == RA_OK) {
        sq_copy(p.status, sizeof p.status, confirm ? "approved" : "rejected");
        ra_db_stmt *st = sq_prep(s, "UPDATE proposals SET status = ? WHERE id = ?", err);
        if (!st || sq_bind(s, st, err, "ti", p.status, pid) != RA_OK || sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
    }
    if (rc == RA_OK) {
        rc = rs_audit_text(s, rc, actor, confirm ? "confirm" : "decline", "proposal", id, 0, NULL,
                           proposal_json(&p, "client", actor->user, "reason", reason ? reason : ""),
                           err);
    }
    ra_cycle_proposal_clear(&p);
    rc = sq_wend(s, rc, err);
    if (orders_made)
        *orders_made = rc == RA_OK ? made : 0;
    return rc;
}

ra_status ra_store_proposals_lapse_unconfirmed(ra_store *s, const ra_store_actor *actor,
                                               ra_date day, size_t *n, ra_err *err)
{
    *n = 0;
    firm_row firm;
    int own = 0;
    ra_status rc = scope_begin(s, actor, &firm, &own, err);
    if (rc != RA_OK)
        return rc;
    rec_list c = {NULL, NULL, 0, 0, RA_CYCLE_ID_MAX};
    rc = sq_each(s, err, lapse_row, &c,
                 "SELECT code FROM proposals WHERE firm_id = ? AND day + 0 < ? AND status = "
                 "'confirming' ORDER BY id", "ii", firm.id, (int64_t)day);
    /* (day + 0: by the proposals_status index, the open ones only, not by proposals_day over
     * every proposal of the firm's history) */
    for (size_t i = 0; rc == RA_OK && i < c.n; i++) {
        const char *code = (const char *)c.v + i * RA_CYCLE_ID_MAX;
        ra_db_stmt *st = sq_prep(s, "UPDATE proposals SET status = 'lapsed' WHERE firm_id = ? AND "
                                    "code = ?", err);
        if (!st || sq_bind(s, st, err, "it", firm.id, code) != RA_OK || sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
        json_t *after = json_pack("{s:s, s:s}", "status", "lapsed", "why",
                                  "not confirmed by the client before the next day's cycle");
        rc = rs_audit_change(s, rc, actor, "lapse", "proposal", code, NULL, after, err);
        *n += rc == RA_OK;
    }
    RA_FREE_ALL(c.v, c.ids);
    return ra_store_scope_end(s, own, rc, err);
}

/* ---- orders and fills -------------------------------------------------------------------------- */


#define ORDER_COLS                                                                                \
    "SELECT o.id, o.code, a.code, p.code, o.trade_n, o.day, s.ticker, o.side, o.qty_micro, "     \
    "o.limit_price, o.filled_micro, o.status FROM orders o JOIN accounts a ON a.id = "           \
    "o.account_id JOIN proposals p ON p.id = o.proposal_id JOIN securities s ON s.id = "         \
    "o.security_id "

static ra_status order_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    ra_cycle_order *o = rec_push(ctx, sq_int(s, st, 0));
    if (!o)
        return sq_nomem(err, "the orders");
    read_cols(s, st, o, ORDER_READ, sizeof ORDER_READ / sizeof ORDER_READ[0]);
    return RA_OK;
}

ra_status ra_store_orders_list(ra_store *s, const char *firm, const ra_cycle_filter *f,
                               ra_cycle_order **out, size_t *n, ra_err *err)
{
    rec_list l = {NULL, NULL, 0, 0, sizeof(ra_cycle_order)};
    ra_status rc = firm_list(s, firm, f, order_row,
                             f && f->status && f->status[0] ? ORDER_COLS FILTERED_STATUS("o")
                                                            : ORDER_COLS FILTERED("o"),
                             &l, n, err);
    *out = NULL;
    ra_free(l.ids);
    if (rc != RA_OK) {
        ra_free(l.v);
        return rc;
    }
    *out = l.v;
    *n = l.n;
    return RA_OK;
}

/* The external id of an order's fills without their count: "fill-D-N-" for trade N of the
 * day's proposal P-D-ACCOUNT, "fill-D-K.N-" for trade N of its re-evaluation P-D-ACCOUNT-K. */
void rs_fill_prefix(const ra_cycle_order *o, char *out, size_t cap)
{
    char db[11], base[RA_CYCLE_ID_MAX];
    ra_date_format(o->date, db);
    snprintf(base, sizeof base, "P-%s-%s-", db, o->account);
    size_t n = strlen(base);
    if (strncmp(o->proposal, base, n) == 0 && o->proposal[n])
        snprintf(out, cap, "fill-%s-%.8s.%d-", db, o->proposal + n, o->trade_n);
    else
        snprintf(out, cap, "fill-%s-%d-", db, o->trade_n);
}

/* Order id of the firm read into *l (one record) for a change: RA_ENOTFOUND without one,
 * RA_ECONFLICT when it is filled or cancelled already. */
static ra_status order_read_open(ra_store *s, int64_t firm_id, const char *id, rec_list *l,
                                 ra_err *err)
{
    ra_status rc = sq_each(s, err, order_row, l, ORDER_COLS "WHERE o.firm_id = ? AND o.code = ?",
                           "it", firm_id, id);
    if (rc == RA_OK && l->n == 0)
        rc = ra_err_set(err, RA_ENOTFOUND, NULL, "no order %s", id);
    const ra_cycle_order *o = l->v;
    if (rc == RA_OK && (strcmp(o->status, "cancelled") == 0 || strcmp(o->status, "filled") == 0))
        rc = ra_err_set(err, RA_ECONFLICT, NULL, "order %s is %s", id, o->status);
    return rc;
}

ra_status ra_store_order_cancel(ra_store *s, const ra_store_actor *actor, const char *id,
                                const char *reason, ra_err *err)
{
    if (!reason || !reason[0])
        return ra_err_set(err, RA_EINVAL, NULL, "cancelling an order needs a reason");
    firm_row firm;
    int own = 0;
    ra_status rc = scope_begin(s, actor, &firm, &own, err);
    if (rc != RA_OK)
        return rc;
    rec_list l = {NULL, NULL, 0, 0, sizeof(ra_cycle_order)};
    rc = order_read_open(s, firm.id, id, &l, err);
    if (rc == RA_OK) {
        const ra_cycle_order *o = l.v;
        ra_db_stmt *st = sq_prep(s, "UPDATE orders SET status = 'cancelled' WHERE id = ?", err);
        if (!st || sq_bind(s, st, err, "i", l.ids[0]) != RA_OK || sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
        json_t *after = json_pack("{s:s, s:s, s:I, s:s}", "order", id, "status", "cancelled",
                                  "unfilled_micro", (json_int_t)(o->qty_micro - o->filled_micro),
                                  "reason", reason);
        rc = rs_audit_change(s, rc, actor, "cancel", "proposal", o->proposal, NULL, after, err);
    }
    RA_FREE_ALL(l.v, l.ids);
    return ra_store_scope_end(s, own, rc, err);
}

ra_status ra_store_order_fill(ra_store *s, const ra_store_actor *actor, const char *id,
                              ra_micro qty_micro, ra_price price, ra_minor fees_minor,
                              ra_date date, ra_err *err)
{
    firm_row firm;
    int own = 0;
    ra_status rc = scope_begin(s, actor, &firm, &own, err);
    if (rc != RA_OK)
        return rc;
    rec_list l = {NULL, NULL, 0, 0, sizeof(ra_cycle_order)};
    rc = order_read_open(s, firm.id, id, &l, err);
    ra_cycle_order *o = l.v;
    if (rc == RA_OK && (qty_micro <= 0 || qty_micro > o->qty_micro - o->filled_micro))
        rc = ra_err_set(err, RA_ECONFLICT, NULL,
                        "order %s: a fill of %" PRId64 " micro-shares is more than the %" PRId64
                        " left open", id, qty_micro, o->qty_micro - o->filled_micro);
    if (rc == RA_OK && price <= 0)
        rc = ra_err_set(err, RA_EINVAL, NULL, "order %s: a fill needs a price above 0", id);
    int64_t n_fills = 0;
    if (rc == RA_OK) {
        ra_db_stmt *st = sq_prep(s, "SELECT COUNT(*) FROM txns t JOIN accounts a ON a.id = "
                                    "t.account_id WHERE a.firm_id = ? AND a.code = ? AND "
                                    "t.external_id LIKE ?", err);
        char like[64];
        rs_fill_prefix(o, like, sizeof like - 1);
        strcat(like, "%");
        if (!st || sq_bind(s, st, err, "itt", firm.id, o->account, like) != RA_OK ||
            sq_one(s, st, 0, &n_fills, err) != RA_OK)
            rc = sq_err(err);
    }
    if (rc == RA_OK) {
        ra_store_txn t;
        memset(&t, 0, sizeof t);
        sq_copy(t.account, sizeof t.account, o->account);
        char pre[64];
        rs_fill_prefix(o, pre, sizeof pre);
        snprintf(t.external_id, sizeof t.external_id, "%.36s%d", pre, (int)n_fills + 1);
        t.kind = o->side > 0 ? RA_TXN_BUY : RA_TXN_SELL;
        t.date = date;
        sq_copy(t.ticker, sizeof t.ticker, o->ticker);
        t.qty_micro = qty_micro;
        t.price = price;
        t.fees_minor = fees_minor;
        ra_lot_pick *picks = NULL;
        if (o->side < 0)
            rc = rs_fill_relief(s, firm.id, o, qty_micro, price, date, &t, &picks, err);
        if (rc == RA_OK)
            rc = ra_store_txn_append(s, actor, &t, 1, NULL, err);
        ra_free(picks);
    }
    if (rc == RA_OK) {
        ra_micro filled = o->filled_micro + qty_micro;
        const char *status = filled == o->qty_micro ? "filled" : "partial";
        ra_db_stmt *st = sq_prep(s, "UPDATE orders SET filled_micro = ?, status = ? WHERE id = ?",
                                 err);
        if (!st || sq_bind(s, st, err, "iti", filled, status, l.ids[0]) != RA_OK ||
            sq_run(s, st, err) != RA_OK)
            rc = sq_err(err);
        if (rc == RA_OK) {
            json_t *after = json_pack("{s:s, s:I, s:I, s:I, s:s}", "order", id, "qty_micro",
                                      (json_int_t)qty_micro, "price", (json_int_t)price,
                                      "filled_micro", (json_int_t)filled, "status", status);
            rc = rs_audit_change(s, rc, actor, "fill", "proposal", o->proposal, NULL, after, err);
        }
    }
    RA_FREE_ALL(l.v, l.ids);
    return ra_store_scope_end(s, own, rc, err);
}

/* ---- harvest sales ----------------------------------------------------------------------------- */

typedef struct harvest_ctx {
    char (*pre)[64];          /* the fill prefixes of the account's approved harvest sales */
    size_t n_pre, cap_pre;
    uint64_t *seq;
    size_t n_seq, cap_seq;
    const char *account;
} harvest_ctx;

static ra_status harvest_trade_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    harvest_ctx *h = ctx;
    if (ra_grow((void **)&h->pre, &h->cap_pre, h->n_pre + 1, sizeof *h->pre))
        return sq_nomem(err, "the harvest sales");
    ra_cycle_order o;
    memset(&o, 0, sizeof o);
    sq_copy(o.proposal, sizeof o.proposal, sq_text(s, st, 0));
    o.date = (ra_date)sq_int(s, st, 1);
    o.trade_n = (int)sq_int(s, st, 2);
    sq_copy(o.account, sizeof o.account, h->account);
    rs_fill_prefix(&o, h->pre[h->n_pre++], sizeof h->pre[0]);
    return RA_OK;
}

static ra_status harvest_txn_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    harvest_ctx *h = ctx;
    const char *ext = sq_text(s, st, 1);
    for (size_t k = 0; k < h->n_pre; k++)
        if (strncmp(ext, h->pre[k], strlen(h->pre[k])) == 0) {
            if (ra_grow((void **)&h->seq, &h->cap_seq, h->n_seq + 1, sizeof *h->seq))
                return sq_nomem(err, "the harvest sales");
            h->seq[h->n_seq++] = (uint64_t)sq_int(s, st, 0);
            break;
        }
    return RA_OK;
}

ra_status ra_store_harvest_sales(ra_store *s, const char *firm, const char *account,
                                 uint64_t **seqs, size_t *n, ra_err *err)
{
    *seqs = NULL;
    *n = 0;
    firm_row fr;
    int64_t acc = 0;
    ra_status rc = cycle_firm(s, firm, &fr, err);
    if (rc == RA_OK)
        rc = sq_id_of(s, SQ_ACCOUNT_ID, fr.id, account, "account", &acc, err);
    harvest_ctx h;
    memset(&h, 0, sizeof h);
    h.account = account;
    if (rc == RA_OK)
        rc = sq_each(s, err, harvest_trade_row, &h,
                     "SELECT p.code, p.day, t.n FROM proposal_trades t JOIN proposals p ON p.id = "
                     "t.proposal_id WHERE p.account_id = ? AND t.side < 0 AND t.status = "
                     "'approved' AND (t.reasons & ?) <> 0",
                     "ii", acc, (int64_t)RA_REASON_TLH);
    if (rc == RA_OK && h.n_pre)
        rc = sq_each(s, err, harvest_txn_row, &h,
                     "SELECT seq, external_id FROM txns WHERE account_id = ? AND kind = ? AND "
                     "external_id LIKE 'fill-%' ORDER BY seq",
                     "ii", acc, (int64_t)RA_TXN_SELL);
    ra_free(h.pre);
    if (rc != RA_OK) {
        ra_free(h.seq);
        return rc;
    }
    *seqs = h.seq;
    *n = h.n_seq;
    return RA_OK;
}

/* ---- daily values ------------------------------------------------------------------------------ */

typedef struct value_list {
    ra_cycle_value *v;
    size_t n, cap;
    const char *account;
} value_list;

static ra_status value_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    value_list *l = ctx;
    if (ra_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v))
        return sq_nomem(err, "the daily values");
    ra_cycle_value *v = &l->v[l->n++];
    memset(v, 0, sizeof *v);
    sq_copy(v->account, sizeof v->account, l->account);
    v->date = (ra_date)sq_int(s, st, 0);
    v->value_minor = sq_int(s, st, 1);
    v->cash_minor = sq_int(s, st, 2);
    v->flow_minor = sq_int(s, st, 3);
    v->twr = s->ops->col_is_null(st, 4) ? NAN : s->ops->col_double(st, 4);
    v->drift = s->ops->col_double(st, 5);
    v->max_dev = s->ops->col_double(st, 6);
    v->out_of_band = (int)sq_int(s, st, 7);
    v->held_back = (unsigned)sq_int(s, st, 8);
    return RA_OK;
}

ra_status ra_store_daily_values(ra_store *s, const char *firm, const char *account, ra_date from,
                                ra_date to, ra_cycle_value **out, size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    firm_row fr;
    int64_t acc = 0;
    ra_status rc = cycle_firm(s, firm, &fr, err);
    if (rc == RA_OK)
        rc = sq_id_of(s, SQ_ACCOUNT_ID, fr.id, account, "account", &acc, err);
    if (rc != RA_OK)
        return rc;
    value_list l = {NULL, 0, 0, account};
    rc = sq_each(s, err, value_row, &l,
                 "SELECT day, value_minor, cash_minor, flow_minor, twr, drift, max_dev, "
                 "out_of_band, held_back FROM daily_values WHERE account_id = ? AND day >= ? AND "
                 "(? = 0 OR day <= ?) ORDER BY day", "iiii", acc, (int64_t)from, (int64_t)to,
                 (int64_t)to);
    if (rc != RA_OK) {
        ra_free(l.v);
        return rc;
    }
    *out = l.v;
    *n = l.n;
    return RA_OK;
}

/* ---- rewinding for a replay -------------------------------------------------------------------- */

typedef struct fill_undo {
    int64_t account_id;
    char ext[RA_STORE_EXTID_MAX];
    ra_micro qty_micro;
} fill_undo;

static ra_status undo_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    fill_undo *f = rec_push(ctx, 0);
    if (!f)
        return sq_nomem(err, "the fills to undo");
    f->account_id = sq_int(s, st, 0);
    sq_copy(f->ext, sizeof f->ext, sq_text(s, st, 1));
    f->qty_micro = sq_int(s, st, 2);
    return RA_OK;
}

static ra_status account_id_row(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err)
{
    return rec_push(ctx, sq_int(s, st, 0)) ? RA_OK : sq_nomem(err, "the accounts");
}

/* Runs sql (a literal) with the firm id and the day: one write. */
static ra_status exec_firm_day(ra_store *s, const char *sql, int64_t firm_id, ra_date day,
                               ra_err *err)
{
    ra_db_stmt *st = sq_prep(s, sql, err);
    if (!st || sq_bind(s, st, err, "ii", firm_id, (int64_t)day) != RA_OK ||
        sq_run_now(s, st, err) != RA_OK)
        return sq_err(err);
    return RA_OK;
}

#define FIRM_ACCOUNTS "account_id IN (SELECT id FROM accounts WHERE firm_id = ?)"
/* The cycle's own transactions of day D (pattern parameter 2) and every transaction after D. */
#define CYCLE_TXNS_FROM                                                                            \
    "FROM txns WHERE " FIRM_ACCOUNTS " AND (day > ? OR (day = ? AND (external_id LIKE ? OR "      \
    "external_id LIKE ? OR external_id LIKE ? OR external_id LIKE ?)))"

ra_status ra_store_cycle_rewind(ra_store *s, const ra_store_actor *actor, ra_date day,
                                ra_err *err)
{
    firm_row f;
    ra_status rc = sq_need_version(s, CYCLE_SCHEMA, "the daily cycle", err);
    if (rc == RA_OK)
        rc = sq_write_start(s, actor, &f, err);
    if (rc == RA_OK && !s->in_txn)
        rc = ra_err_set(err, RA_EINVAL, NULL, "a rewind runs inside a transaction the caller "
                        "rolls back");
    if (rc != RA_OK)
        return rc;
    char db[11], p_div[32], p_split[32], p_fill[32], p_wd[32];
    ra_date_format(day, db);
    snprintf(p_div, sizeof p_div, "div-%%-%s", db);
    snprintf(p_split, sizeof p_split, "split-%%-%s", db);
    snprintf(p_fill, sizeof p_fill, "fill-%s-%%", db);
    snprintf(p_wd, sizeof p_wd, "wd-%%-%s", db); /* withdrawals paid by the cycle */
    /* fills of earlier days' orders that are undone: their orders are open again by that much */
    rec_list u = {NULL, NULL, 0, 0, sizeof(fill_undo)};
    fill_undo *uv;
    rc = sq_each(s, err, undo_row, &u,
                 "SELECT account_id, external_id, qty_micro " CYCLE_TXNS_FROM
                 " AND external_id LIKE 'fill-%'", "iiitttt", f.id, (int64_t)day, (int64_t)day,
                 p_div, p_split, p_fill, p_wd);
    uv = u.v;
    for (size_t i = 0; rc == RA_OK && i < u.n; i++) {
        /* fill-D-N-F: trade N of P-D-ACCOUNT; fill-D-K.N-F: trade N of P-D-ACCOUNT-K */
        int y = 0, mo = 0, d = 0, n = 0, k = 0, used = 0;
        if (sscanf(uv[i].ext, "fill-%d-%d-%d-%d%n", &y, &mo, &d, &n, &used) != 4)
            continue;
        if (uv[i].ext[used] == '.' && sscanf(uv[i].ext + used, ".%d-", &k) == 1) {
            int k_n = n;
            n = k;
            k = k_n;
        }
        ra_date od = ra_date_from_ymd(y, mo, d);
        if (od >= day)
            continue; /* the order itself goes below */
        char od_text[11], suffix[16] = "";
        ra_date_format(od, od_text);
        if (k)
            snprintf(suffix, sizeof suffix, "-%d", k);
        ra_db_stmt *st = sq_prep(s, "UPDATE orders SET filled_micro = filled_micro - ?, status = "
                                    "CASE WHEN filled_micro - ? = 0 THEN 'open' ELSE 'partial' END "
                                    "WHERE account_id = ? AND day = ? AND trade_n = ? AND "
                                    "proposal_id = (SELECT p.id FROM proposals p JOIN accounts a "
                                    "ON a.id = p.account_id WHERE a.id = ? AND p.code = 'P-' || "
                                    "? || '-' || a.code || ?)", err);
        if (!st || sq_bind(s, st, err, "iiiiiitt", uv[i].qty_micro, uv[i].qty_micro,
                           uv[i].account_id, (int64_t)od, (int64_t)n, uv[i].account_id, od_text,
                           suffix) != RA_OK ||
            sq_run_now(s, st, err) != RA_OK)
            rc = sq_err(err);
    }
    RA_FREE_ALL(u.v, u.ids);
    if (rc == RA_OK) {
        ra_db_stmt *st = sq_prep(s, "DELETE " CYCLE_TXNS_FROM, err);
        if (!st || sq_bind(s, st, err, "iiitttt", f.id, (int64_t)day, (int64_t)day, p_div,
                           p_split, p_fill, p_wd) != RA_OK ||
            sq_run_now(s, st, err) != RA_OK)
            rc = sq_err(err);
    }
    static const char *const wipe[] = {
        "DELETE FROM orders WHERE firm_id = ? AND day >= ?",
        "DELETE FROM proposal_trades WHERE proposal_id IN (SELECT id FROM proposals WHERE "
        "firm_id = ? AND day >= ?)",
        "DELETE FROM proposals WHERE firm_id = ? AND day >= ?",
        "DELETE FROM daily_values WHERE " FIRM_ACCOUNTS " AND day >= ?",
        "DELETE FROM cycle_runs WHERE firm_id = ? AND day >= ?",
        /* an account's latest proposal left, if lapsed, was pending when day D ran */
        "UPDATE proposals SET status = 'pending' WHERE firm_id = ? AND status = 'lapsed' AND "
        "day < ? AND day = (SELECT MAX(p2.day) FROM proposals p2 WHERE p2.account_id = "
        "proposals.account_id)"};
    if (rc == RA_OK)
        rc = rs_blocks_rewind(s, f.id, day, err); /* before the orders its blocks pool */
    for (size_t k = 0; rc == RA_OK && k < sizeof wipe / sizeof wipe[0]; k++)
        rc = exec_firm_day(s, wipe[k], f.id, day, err);
    /* every account's lots and cash as its remaining transactions make them */
    rec_list acc = {NULL, NULL, 0, 0, 1}; /* the ids are the records */
    if (rc == RA_OK)
        rc = sq_each(s, err, account_id_row, &acc, "SELECT id FROM accounts WHERE firm_id = ?",
                     "i", f.id);
    for (size_t i = 0; rc == RA_OK && i < acc.n; i++) {
        char code[RA_CODE_MAX] = "";
        ra_db_stmt *st = NULL;
        int r = sq_query(s, &st, err, "SELECT code FROM accounts WHERE id = ?", "i",
                         acc.ids[i]);
        if (r == RA_DB_ROW)
            sq_copy(code, sizeof code, sq_text(s, st, 0));
        if (st)
            s->ops->reset(st);
        if (r < 0) {
            rc = sq_err(err);
            break;
        }
        ra_txn *txns = NULL;
        size_t n = 0;
        int md = 2;
        rc = ra_store_account_txns(s, actor->firm, code, RA_STORE_DATE_LATEST, &txns, &n, &md,
                                   err);
        ra_ledger l;
        ra_ledger_settings ls;
        ra_ledger_settings_default(&ls);
        ls.minor_digits = md;
        if (rc == RA_OK && (rc = ra_ledger_replay(txns, n, &ls, NULL, &l, err)) == RA_OK) {
            rc = rs_ledger_save(s, acc.ids[i], &l, err);
            ra_ledger_free(&l);
        }
        ra_store_free(txns);
    }
    RA_FREE_ALL(acc.v, acc.ids);
    return rc;
}
