/* roboadvisor store: the securities master and the batch ticker map (store.h). */
#include "store/store_int.h"

#include <roboadvisor/hashtab.h>

#include "roboadvisor/alloc.h"
#include <roboadvisor/market_rules.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- securities ------------------------------------------------------------------------------ */

static ra_status validate_security(const ra_security *x, ra_err *err)
{
    ra_status rc = sq_check_code(x->ticker, "ticker", 1, err);
    if (rc == RA_OK)
        rc = sq_check_str(x->name, RA_NAME_MAX, "security name", 0, err);
    if (rc == RA_OK)
        rc = sq_check_code(x->asset_class, "asset class", 0, err);
    if (rc == RA_OK)
        rc = sq_check_str(x->exchange, RA_CODE_MAX, "exchange", 0, err);
    if (rc == RA_OK)
        rc = sq_check_str(x->currency, 4, "currency", 0, err);
    if (rc == RA_OK)
        rc = sq_check_code(x->tlh_group, "tax-loss-harvesting group", 0, err);
    if (rc != RA_OK)
        return rc;
    ra_market_rules mr; /* the market rules must resolve (a board of the exchange, known names) */
    if ((rc = ra_market_rules_of(x, &mr, err)) != RA_OK)
        return rc;
    if (x->risk_level < (x->incomplete ? 0 : 1) || x->risk_level > 5)
        return ra_err_set(err, RA_EINVAL, NULL, "security %s: risk level %d is not 1..5",
                          x->ticker, x->risk_level);
    if (!(x->expense_ratio >= 0.0 && x->expense_ratio < 1.0))
        return ra_err_set(err, RA_EINVAL, NULL, "security %s: expense ratio %g is not in [0, 1)",
                          x->ticker, x->expense_ratio);
    if (x->lot_size < 1)
        return ra_err_set(err, RA_EINVAL, NULL, "security %s: lot size %lld is not >= 1",
                          x->ticker, (long long)x->lot_size);
    if (x->adv < 0)
        return ra_err_set(err, RA_EINVAL, NULL, "security %s: daily traded value %lld is below 0",
                          x->ticker, (long long)x->adv);
    return RA_OK;
}

static const char SQL_SECURITY_COLS[] =
    "SELECT ticker, name, asset_class, risk_level, expense_ratio, lot_size, exchange, currency, "
    "tlh_group, on_shelf, incomplete, id, board, kind, tick, fractional, settlement, adv "
    "FROM securities WHERE firm_id = ? AND ticker = ?";

static void security_row(ra_store *s, ra_db_stmt *st, void *out)
{
    ra_security *x = out;
    memset(x, 0, sizeof *x);
    sq_copy(x->ticker, RA_CODE_MAX, sq_text(s, st, 0));
    sq_copy(x->name, RA_NAME_MAX, sq_text(s, st, 1));
    sq_copy(x->asset_class, RA_CODE_MAX, sq_text(s, st, 2));
    x->risk_level = (int)sq_int(s, st, 3);
    x->expense_ratio = s->ops->col_double(st, 4);
    x->lot_size = sq_int(s, st, 5);
    sq_copy(x->exchange, RA_CODE_MAX, sq_text(s, st, 6));
    sq_copy(x->currency, 4, sq_text(s, st, 7));
    sq_copy(x->tlh_group, RA_CODE_MAX, sq_text(s, st, 8));
    x->on_shelf = (int)sq_int(s, st, 9);
    x->incomplete = (int)sq_int(s, st, 10);
    sq_copy(x->board, RA_CODE_MAX, sq_text(s, st, 12));
    sq_copy(x->kind, RA_CODE_MAX, sq_text(s, st, 13));
    x->tick = sq_int(s, st, 14);
    x->fractional = (int)sq_int(s, st, 15);
    sq_copy(x->settlement, sizeof x->settlement, sq_text(s, st, 16));
    x->adv = s->ops->col_is_null(st, 17) ? 0 : sq_int(s, st, 17); /* 0027 */
}

#define SEC(name, kind) {#name, kind, offsetof(ra_security, name)}
static const rs_jfield SECURITY_JSON[] = {
    SEC(ticker, 's'),   SEC(name, 's'),     SEC(asset_class, 's'), SEC(risk_level, 'i'),
    SEC(expense_ratio, 'd'), SEC(lot_size, 'I'), SEC(exchange, 's'), SEC(currency, 's'),
    SEC(tlh_group, 's'), SEC(on_shelf, 'b'), SEC(incomplete, 'b')};
/* the market rules: in an audit image only when stated (images of earlier records unchanged) */
static const rs_jfield SECURITY_MARKET_JSON[] = {
    SEC(board, 's'), SEC(kind, 's'), SEC(tick, 'I'), SEC(fractional, 'i'), SEC(settlement, 's')};
#undef SEC

static json_t *security_json(const ra_security *x)
{
    json_t *j = rs_json_record(x, SECURITY_JSON, sizeof SECURITY_JSON / sizeof SECURITY_JSON[0]);
    if (j && x->adv) /* the daily traded value (0027): only when known */
        json_object_set_new(j, "adv", json_integer(x->adv));
    if (j && (x->board[0] || x->kind[0] || x->tick || x->fractional || x->settlement[0])) {
        json_t *m = rs_json_record(x, SECURITY_MARKET_JSON,
                                   sizeof SECURITY_MARKET_JSON / sizeof SECURITY_MARKET_JSON[0]);
        if (!m || json_object_update(j, m) != 0) {
            json_decref(j);
            j = NULL;
        }
        json_decref(m);
    }
    return j;
}

static ra_status security_write(ra_store *s, int64_t firm_id, const ra_security *x, int64_t *id,
                                ra_err *err)
{
    ra_db_stmt *st;
    if (*id) {
        st = sq_prep(s, "UPDATE securities SET name = ?, asset_class = ?, risk_level = ?, "
                        "expense_ratio = ?, lot_size = ?, exchange = ?, currency = ?, "
                        "tlh_group = ?, on_shelf = ?, incomplete = ?, board = ?, kind = ?, tick = ?, "
                        "fractional = ?, settlement = ?, adv = ? WHERE id = ?", err);
        if (!st || sq_bind(s, st, err, "ttiditttiittiitNi", x->name, x->asset_class,
                           (int64_t)x->risk_level, x->expense_ratio, x->lot_size, x->exchange,
                           x->currency, x->tlh_group, (int64_t)(x->on_shelf != 0),
                           (int64_t)(x->incomplete != 0), x->board, x->kind, (int64_t)x->tick,
                           (int64_t)x->fractional, x->settlement, x->adv, *id) != RA_OK)
            return sq_err(err);
        return sq_run(s, st, err);
    }
    st = sq_prep(s, "INSERT INTO securities (firm_id, ticker, name, asset_class, risk_level, "
                    "expense_ratio, lot_size, exchange, currency, tlh_group, on_shelf, "
                    "incomplete, board, kind, tick, fractional, settlement, adv) VALUES (?, ?, ?, "
                    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", err);
    if (!st || sq_bind(s, st, err, "itttiditttiittiitN", firm_id, x->ticker, x->name,
                       x->asset_class, (int64_t)x->risk_level, x->expense_ratio, x->lot_size,
                       x->exchange, x->currency, x->tlh_group, (int64_t)(x->on_shelf != 0),
                       (int64_t)(x->incomplete != 0), x->board, x->kind, (int64_t)x->tick,
                       (int64_t)x->fractional, x->settlement, x->adv) != RA_OK)
        return sq_err(err);
    return sq_returning_id(s, st, "security", id, err);
}

ra_status rs_security_put_in(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                             const void *rec, int64_t *id, ra_err *err)
{
    const ra_security *x = rec;
    int64_t firm_id = firm->id;
    ra_db_stmt *st;
    int r = sq_query(s, &st, err, SQL_SECURITY_COLS,
                     "it", firm_id, x->ticker);
    if (r < 0)
        return sq_err(err);
    ra_security old;
    *id = 0;
    if (r == RA_DB_ROW) {
        security_row(s, st, &old);
        *id = sq_int(s, st, 11);
    }
    s->ops->reset(st);
    if (*id && ra_rule_security_equal(&old, x))
        return RA_OK;
    int existed = *id != 0;
    ra_status rc = security_write(s, firm_id, x, id, err);
    return rs_audit_change(s, rc, actor, existed ? "update" : "create", "security", x->ticker,
                           existed ? security_json(&old) : NULL, security_json(x), err);
}

ra_status ra_store_security_put(ra_store *s, const ra_store_actor *actor, const ra_security *x,
                                ra_err *err)
{
    return sq_put(s, actor, validate_security(x, err), rs_security_put_in, x, err);
}

ra_status ra_store_security_get(ra_store *s, const char *firm, const char *ticker,
                                ra_security *out, ra_err *err)
{
    firm_row f;
    ra_status rc = sq_firm(s, firm, &f, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st;
    int r = sq_query(s, &st, err, SQL_SECURITY_COLS,
                     "it", f.id, ticker);
    if (r < 0)
        return sq_err(err);
    if (r == RA_DB_DONE)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no security %s in firm %s", ticker, firm);
    security_row(s, st, out);
    s->ops->reset(st);
    return RA_OK;
}

/* the memo's slot of (firm_id, ticker): its entry or the empty slot where it would go */
static size_t sec_slot(const read_memo *m, int64_t firm_id, const char *ticker)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)firm_id; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)ticker; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    size_t i = (size_t)(h % RS_SEC_SLOTS);
    while (m->secs[i].id && !(m->secs[i].firm_id == firm_id && strcmp(m->secs[i].ticker, ticker) == 0))
        i = (i + 1) % RS_SEC_SLOTS;
    return i;
}

ra_status ra_store_security_id(ra_store *s, const char *firm, const char *ticker, uint32_t *id,
                               ra_err *err)
{
    int64_t v = 0;
    firm_row f = {0};
    read_memo *m = s->in_read ? s->memo : NULL; /* see read_memo in store_int.h */
    size_t slot = 0;
    if (m && strlen(ticker) < sizeof m->secs[0].ticker && sq_firm(s, firm, &f, err) == RA_OK) {
        slot = sec_slot(m, f.id, ticker);
        if (m->secs[slot].id) {
            *id = (uint32_t)m->secs[slot].id;
            return RA_OK;
        }
    } else
        m = NULL;
    ra_status rc = sq_firm_code_id(s, firm, SQ_SECURITY_ID, ticker, "security", &v, err);
    if (rc == RA_OK)
        *id = (uint32_t)v;
    if (rc == RA_OK && m && v > 0) {
        if (m->n_secs >= RS_SEC_SLOTS * 3 / 4) { /* full enough: start again */
            memset(m->secs, 0, sizeof m->secs);
            m->n_secs = 0;
            slot = sec_slot(m, f.id, ticker);
        }
        m->secs[slot].firm_id = f.id;
        m->secs[slot].id = v;
        memcpy(m->secs[slot].ticker, ticker, strlen(ticker) + 1);
        m->n_secs++;
    }
    return rc;
}

ra_status ra_store_security_list(ra_store *s, const char *firm, unsigned flags,
                                 ra_security **out, size_t *n, ra_err *err)
{
    *out = NULL;
    *n = 0;
    firm_row f;
    ra_status rc = sq_firm(s, firm, &f, err);
    if (rc != RA_OK)
        return rc;
    ra_db_stmt *st = sq_prep(s, "SELECT ticker, name, asset_class, risk_level, expense_ratio, lot_size, "
                          "exchange, currency, tlh_group, on_shelf, incomplete, id, board, "
                          "kind, tick, fractional, settlement, adv FROM securities WHERE firm_id = ? AND incomplete >= ? ORDER BY ticker",
                       err);
    if (!st || sq_bind(s, st, err, "ii", f.id, (int64_t)((flags & RA_STORE_LIST_INCOMPLETE) != 0))
                   != RA_OK)
        return sq_err(err);
    void *v = NULL;
    rc = sq_rows(s, st, &v, n, sizeof **out, 32, "the security list", security_row, err);
    *out = v;
    return rc;
}

static const char *tslot_key(const void *slot)
{
    const rs_tslot *t = slot;
    return t->used ? t->ticker : NULL;
}

rs_tslot *rs_tmap_find(rs_tmap *m, const char *t)
{
    if (!m->cap)
        return NULL;
    for (size_t i = ra_hash_str(t) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->slots[i].used)
            return NULL;
        if (strcmp(m->slots[i].ticker, t) == 0)
            return &m->slots[i];
    }
}

int rs_tmap_put(rs_tmap *m, const char *t, int64_t id)
{
    if ((m->n + 1) * 2 > m->cap &&
        ra_hashtab_grow((void **)&m->slots, &m->cap, sizeof *m->slots, 64, tslot_key))
        return -1;
    size_t j = ra_hash_str(t) & (m->cap - 1);
    while (m->slots[j].used)
        j = (j + 1) & (m->cap - 1);
    sq_copy(m->slots[j].ticker, RA_CODE_MAX, t);
    m->slots[j].id = id;
    m->slots[j].used = 1;
    m->n++;
    return 0;
}

/* The id of a ticker of the firm, through the batch's map; with create, a missing ticker becomes
 * an incomplete security. *id 0: not found. */
ra_status rs_ticker_id(ra_store *s, const ra_store_actor *actor, rs_tmap *m,
                       const firm_row *firm, const char *ticker,
                           int create, size_t *n_created, int64_t *id, ra_err *err)
{
    rs_tslot *sl = rs_tmap_find(m, ticker);
    if (sl) {
        *id = sl->id;
        return RA_OK;
    }
    ra_status rc = sq_check_code(ticker, "ticker", 1, err);
    if (rc == RA_OK)
        rc = sq_code_id(s, SQ_SECURITY_ID, firm->id, ticker, id, err);
    if (rc == RA_OK && !*id && create) {
        ra_security x;
        memset(&x, 0, sizeof x);
        sq_copy(x.ticker, RA_CODE_MAX, ticker);
        sq_copy(x.name, RA_NAME_MAX, ticker);
        sq_copy(x.currency, 4, firm->currency);
        x.lot_size = 1;
        x.incomplete = 1;
        rc = rs_security_put_in(s, actor, firm, &x, id, err);
        if (rc == RA_OK && n_created)
            (*n_created)++;
    }
    if (rc == RA_OK && *id && rs_tmap_put(m, ticker, *id) != 0)
        rc = sq_nomem(err, "the ticker map");
    return rc;
}

/* The ticker of a security id (for messages). */
void rs_ticker_of(ra_store *s, int64_t id, char *out)
{
    ra_err e;
    ra_db_stmt *st = sq_prep(s, "SELECT ticker FROM securities WHERE id = ?", &e);
    snprintf(out, RA_CODE_MAX, "security %lld", (long long)id);
    if (!st || sq_bind(s, st, &e, "i", id) != RA_OK)
        return;
    if (s->ops->step(st, &e) == RA_DB_ROW)
        sq_copy(out, RA_CODE_MAX, sq_text(s, st, 0));
    s->ops->reset(st);
}

