/* Imports into the book of record and reconciliation (include/roboadvisor/engine_import.h).
 * Moved out of the CLI (issue 11): the CLI parses arguments and prints; the upserts, the new
 * tickers, the transaction batch and the reconciliation merge live here. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/engine_import.h>
#include <roboadvisor/rules.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRICE_BATCH 65536 /* price observations put per store call */

void ra_import_result_free(ra_import_result *res)
{
    if (!res)
        return;
    ra_free(res->new_tickers);
    memset(res, 0, sizeof *res);
}

/* "FILE:LINE" in front of a store error about row i. */
static void at_line(ra_err *err, const ra_import *im, size_t i)
{
    if (!err)
        return;
    char where[sizeof err->where];
    if (err->where[0])
        snprintf(where, sizeof where, "%.60s:%u (%.50s)", im->source, (unsigned)im->lines[i],
                 err->where);
    else
        snprintf(where, sizeof where, "%.100s:%u", im->source, (unsigned)im->lines[i]);
    memcpy(err->where, where, sizeof where);
}

/* ---- market data: the tickers not yet in the securities master ---------------------------- */

/* Adds to res the tickers of the list (stride bytes apart) not in the securities master, once. */
static ra_status note_new_tickers(ra_store *s, const char *firm, const char *first, size_t stride,
                                  size_t n, ra_import_result *res, ra_err *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *t = first + i * stride;
        uint32_t id;
        ra_status st = ra_store_security_id(s, firm, t, &id, err);
        if (st == RA_OK)
            continue;
        if (st != RA_ENOTFOUND)
            return st;
        size_t k;
        for (k = 0; k < res->n_new_tickers; k++)
            if (strcmp(res->new_tickers[k], t) == 0)
                break;
        if (k < res->n_new_tickers)
            continue;
        char(*g)[RA_CODE_MAX] =
            ra_realloc(res->new_tickers, (res->n_new_tickers + 1) * sizeof *res->new_tickers);
        if (!g)
            return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the ticker list");
        res->new_tickers = g;
        snprintf(g[res->n_new_tickers++], RA_CODE_MAX, "%s", t);
    }
    if (err)
        ra_err_clear(err);
    return RA_OK;
}

static ra_status put_prices(ra_store *s, const ra_store_actor *A, const ra_import *im,
                            ra_import_result *res, ra_err *err)
{
    ra_status st = note_new_tickers(s, A->firm, im->n_tickers ? im->tickers[0] : "",
                                    sizeof im->tickers[0],
                                    im->n_tickers, res, err);
    if (st != RA_OK)
        return st;
    ra_price_obs *obs = ra_malloc(PRICE_BATCH * sizeof *obs);
    if (!obs)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a batch of prices");
    size_t k = 0, n = im->n_dates * im->n_tickers;
    for (size_t c = 0; c <= n && st == RA_OK; c++) {
        if (c < n) {
            ra_price p = im->price_micro[c];
            if (p <= 0)
                continue;
            memcpy(obs[k].ticker, im->tickers[c % im->n_tickers], RA_CODE_MAX);
            obs[k].date = im->dates[c / im->n_tickers];
            obs[k].price = p;
            k++;
        }
        if (k == PRICE_BATCH || (c == n && k)) {
            ra_store_put_stats ps = {0};
            st = ra_store_prices_put(s, A, obs, k, RA_STORE_PUT_CREATE_SECURITIES, &ps, err);
            res->added += ps.inserted;
            res->unchanged += ps.unchanged;
            k = 0;
        }
    }
    ra_free(obs);
    return st;
}

static ra_status put_events(ra_store *s, const ra_store_actor *A, const ra_import *im,
                            ra_import_result *res, ra_err *err)
{
    int div = im->kind == RA_IMPORT_DIVIDENDS;
    ra_status st = div ? note_new_tickers(s, A->firm, im->n ? im->dividends[0].ticker : "",
                                          sizeof im->dividends[0], im->n, res, err)
                       : note_new_tickers(s, A->firm, im->n ? im->splits[0].ticker : "",
                                          sizeof im->splits[0], im->n, res, err);
    if (st != RA_OK)
        return st;
    ra_store_put_stats ps = {0};
    st = div ? ra_store_dividends_put(s, A, im->dividends, im->n, RA_STORE_PUT_CREATE_SECURITIES,
                                      &ps, err)
             : ra_store_splits_put(s, A, im->splits, im->n, RA_STORE_PUT_CREATE_SECURITIES, &ps,
                                   err);
    res->added = ps.inserted;
    res->unchanged = ps.unchanged;
    return st;
}

/* ---- master data: one upsert loop for securities, clients and accounts --------------------- */

static int same_client(const ra_client *a, const ra_client *b)
{
    return strcmp(a->code, b->code) == 0 && strcmp(a->household, b->household) == 0 &&
           strcmp(a->advisor, b->advisor) == 0 && strcmp(a->name, b->name) == 0 &&
           strcmp(a->email, b->email) == 0 && strcmp(a->tax_id, b->tax_id) == 0 &&
           strcmp(a->address, b->address) == 0 && a->birth_year == b->birth_year;
}

static int same_account(const ra_account *a, const ra_account *b)
{
    const ra_mandate *m = &a->mandate, *n = &b->mandate;
    return strcmp(a->code, b->code) == 0 && strcmp(a->client, b->client) == 0 &&
           a->type == b->type && strcmp(a->currency, b->currency) == 0 && a->opened == b->opened &&
           strcmp(m->model, n->model) == 0 && m->discretionary == n->discretionary &&
           m->drift_band == n->drift_band && m->tlh_enabled == n->tlh_enabled &&
           m->loss_limit == n->loss_limit && strcmp(m->restrictions, n->restrictions) == 0;
}

/* ---- a column the file leaves out keeps the stored value (issue 10) ------------------------- */

#define KEEP_STR(field, bit)                                                                       \
    do {                                                                                           \
        if (!(cols & (bit)))                                                                       \
            memcpy(row->field, old->field, sizeof row->field);                                     \
    } while (0)
#define KEEP_VAL(field, bit)                                                                       \
    do {                                                                                           \
        if (!(cols & (bit)))                                                                       \
            row->field = old->field;                                                               \
    } while (0)

static void keep_security(ra_security *row, const ra_security *old, uint32_t cols)
{
    if (old->incomplete) /* added from market data: no master data anyone gave */
        return;
    KEEP_VAL(lot_size, RA_IMPORT_SEC_LOT);
    KEEP_STR(exchange, RA_IMPORT_SEC_EXCHANGE);
    KEEP_STR(tlh_group, RA_IMPORT_SEC_TLH);
    KEEP_VAL(on_shelf, RA_IMPORT_SEC_SHELF);
    KEEP_STR(board, RA_IMPORT_SEC_BOARD);
    KEEP_STR(kind, RA_IMPORT_SEC_KIND);
    KEEP_VAL(tick, RA_IMPORT_SEC_TICK);
    KEEP_VAL(fractional, RA_IMPORT_SEC_FRACTIONAL);
    KEEP_STR(settlement, RA_IMPORT_SEC_SETTLEMENT);
}

static void keep_client(ra_client *row, const ra_client *old, uint32_t cols)
{
    KEEP_STR(household, RA_IMPORT_CLI_HOUSEHOLD);
    KEEP_STR(advisor, RA_IMPORT_CLI_ADVISOR);
    KEEP_STR(email, RA_IMPORT_CLI_EMAIL);
    KEEP_STR(tax_id, RA_IMPORT_CLI_TAX_ID);
    KEEP_STR(address, RA_IMPORT_CLI_ADDRESS);
    KEEP_VAL(birth_year, RA_IMPORT_CLI_BIRTH_YEAR);
}

static void keep_account(ra_account *row, const ra_account *old, uint32_t cols)
{
    KEEP_STR(mandate.model, RA_IMPORT_ACC_MODEL);
    KEEP_VAL(mandate.discretionary, RA_IMPORT_ACC_DISCRETIONARY);
    KEEP_VAL(mandate.drift_band, RA_IMPORT_ACC_DRIFT);
    KEEP_VAL(mandate.tlh_enabled, RA_IMPORT_ACC_TLH);
    KEEP_VAL(mandate.loss_limit, RA_IMPORT_ACC_LOSS);
    KEEP_STR(mandate.restrictions, RA_IMPORT_ACC_RESTRICTIONS);
    KEEP_VAL(mandate.band_rel, RA_IMPORT_ACC_BAND_REL);
    KEEP_VAL(mandate.to_band_edge, RA_IMPORT_ACC_TO_BAND_EDGE);
    KEEP_VAL(mandate.buy_only, RA_IMPORT_ACC_BUY_ONLY);
    KEEP_VAL(mandate.relief, RA_IMPORT_ACC_RELIEF);
    KEEP_VAL(mandate.cash_reserve, RA_IMPORT_ACC_CASH_RESERVE);
    KEEP_VAL(mandate.min_trade_minor, RA_IMPORT_ACC_MIN_TRADE);
    KEEP_VAL(mandate.reinvest_dividends, RA_IMPORT_ACC_REINVEST);
    KEEP_VAL(mandate.fractional, RA_IMPORT_ACC_FRACTIONAL);
    KEEP_VAL(mandate.gain_budget_minor, RA_IMPORT_ACC_GAIN_BUDGET);
    KEEP_VAL(mandate.client_confirm, RA_IMPORT_ACC_CLIENT_CONFIRM);
}

typedef union any_record {
    ra_security sec;
    ra_client cli;
    ra_account acc;
} any_record;

/* The kinds of master record; each function below does for a record of kind k what the store
 * or the comparisons of that kind do. */
typedef enum rec_kind { REC_SECURITY, REC_CLIENT, REC_ACCOUNT } rec_kind;

static const size_t rec_size[] = {sizeof(ra_security), sizeof(ra_client), sizeof(ra_account)};

/* The stored record *o with the key of r. */
static ra_status rec_get(rec_kind k, ra_store *s, const char *firm, const any_record *r,
                         any_record *o, ra_err *e)
{
    switch (k) {
    case REC_SECURITY: return ra_store_security_get(s, firm, r->sec.ticker, &o->sec, e);
    case REC_CLIENT: return ra_store_client_get(s, firm, r->cli.code, &o->cli, e);
    case REC_ACCOUNT: break;
    }
    return ra_store_account_get(s, firm, r->acc.code, &o->acc, e);
}

static ra_status rec_put(rec_kind k, ra_store *s, const ra_store_actor *a, const any_record *r,
                         ra_err *e)
{
    switch (k) {
    case REC_SECURITY: return ra_store_security_put(s, a, &r->sec, e);
    case REC_CLIENT: return ra_store_client_put(s, a, &r->cli, e);
    case REC_ACCOUNT: break;
    }
    return ra_store_account_put(s, a, &r->acc, e);
}

static int rec_same(rec_kind k, const any_record *a, const any_record *b)
{
    switch (k) {
    case REC_SECURITY: return ra_rule_security_equal(&a->sec, &b->sec);
    case REC_CLIENT: return same_client(&a->cli, &b->cli);
    case REC_ACCOUNT: break;
    }
    return same_account(&a->acc, &b->acc);
}

static void rec_keep(rec_kind k, any_record *row, const any_record *old, uint32_t cols)
{
    switch (k) {
    case REC_SECURITY: keep_security(&row->sec, &old->sec, cols); return;
    case REC_CLIENT: keep_client(&row->cli, &old->cli, cols); return;
    case REC_ACCOUNT: keep_account(&row->acc, &old->acc, cols); return;
    }
}

static ra_status upsert_rows(ra_store *s, const ra_store_actor *A, const ra_import *im,
                             rec_kind k, const void *rows, ra_import_result *res,
                             ra_err *err)
{
    ra_status st = RA_OK;
    any_record old, row;
    for (size_t i = 0; i < im->n && st == RA_OK; i++) {
        memset(&row, 0, sizeof row);
        memcpy(&row, (const char *)rows + i * rec_size[k], rec_size[k]);
        ra_status g = rec_get(k, s, A->firm, &row, &old, err);
        if (g == RA_OK)
            rec_keep(k, &row, &old, im->columns);
        int same = g == RA_OK && rec_same(k, &old, &row);
        if (same) {
            res->unchanged++;
        } else if (g != RA_OK && g != RA_ENOTFOUND) {
            st = g;
        } else if ((st = rec_put(k, s, A, &row, err)) == RA_OK) {
            if (g == RA_OK)
                res->updated++;
            else
                res->added++;
        }
        if (st != RA_OK)
            at_line(err, im, i);
    }
    /* personal data: do not leave it on the stack */
    memset(&old, 0, sizeof old);
    memset(&row, 0, sizeof row);
    return st;
}

/* ---- transactions --------------------------------------------------------------------------- */

/* Refuses a transaction dated before 1900-01-01, more than RA_IMPORT_DAYS_AHEAD days after the
 * import's date, or before its account was opened (issue 10: one back-dated withdrawal broke
 * reconcile for the whole firm). Accounts not in the book are left to the store to name. */
static ra_status check_dates(ra_store *s, const ra_store_actor *A, const ra_import *im,
                             const ra_import_options *o, ra_err *err)
{
    char last[RA_CODE_MAX] = "";
    ra_date opened = 0;
    int known = 0;
    for (size_t i = 0; i < im->n; i++) {
        const ra_import_txn *x = &im->txns[i];
        char d[11], lim[11];
        ra_date_format(x->txn.date, d);
        ra_status rc = RA_OK;
        if (x->txn.date < RA_IMPORT_DATE_MIN) {
            rc = ra_err_set(err, RA_EINVAL, NULL, "transaction %s of account %s is dated %s, "
                            "before 1900-01-01", x->txn_id, x->account, d);
        } else if (o->has_as_of && x->txn.date > o->as_of + RA_IMPORT_DAYS_AHEAD) {
            rc = ra_err_set(err, RA_EINVAL, NULL, "transaction %s of account %s is dated %s, "
                            "more than %d days after the import's date %s", x->txn_id,
                            x->account, d, RA_IMPORT_DAYS_AHEAD, ra_date_format(o->as_of, lim));
        } else {
            if (strcmp(last, x->account) != 0) {
                ra_account a;
                ra_err e = {0};
                ra_status g = ra_store_account_get(s, A->firm, x->account, &a, &e);
                if (g != RA_OK && g != RA_ENOTFOUND) {
                    if (err)
                        *err = e;
                    return g;
                }
                known = g == RA_OK;
                opened = known ? a.opened : 0;
                snprintf(last, sizeof last, "%s", x->account);
            }
            if (known && x->txn.date < opened)
                rc = ra_err_set(err, RA_EINVAL, NULL, "transaction %s of account %s is dated %s, "
                                "before the account was opened on %s", x->txn_id, x->account, d,
                                ra_date_format(opened, lim));
        }
        if (rc != RA_OK) {
            at_line(err, im, i);
            return rc;
        }
    }
    return RA_OK;
}

static ra_status append_txns(ra_store *s, const ra_store_actor *A, const ra_import *im,
                             const ra_import_options *o, ra_import_result *res, ra_err *err)
{
    ra_status rc = check_dates(s, A, im, o, err);
    if (rc != RA_OK)
        return rc;
    ra_store_txn *t = ra_calloc(im->n ? im->n : 1, sizeof *t);
    ra_store_lot_in *lots = ra_calloc(im->n_lots ? im->n_lots : 1, sizeof *lots);
    if (!t || !lots) {
        RA_FREE_ALL(t, lots);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the transactions");
    }
    for (size_t i = 0; i < im->n; i++) {
        const ra_import_txn *x = &im->txns[i];
        ra_store_txn *y = &t[i];
        memcpy(y->account, x->account, sizeof y->account);
        memcpy(y->external_id, x->txn_id, sizeof y->external_id);
        memcpy(y->ticker, x->ticker, sizeof y->ticker);
        y->kind = x->txn.kind;
        y->date = x->txn.date;
        y->qty_micro = x->txn.qty_micro;
        y->price = x->txn.price;
        y->amount_minor = x->txn.amount_minor;
        y->fees_minor = x->txn.fees_minor;
        y->relief = x->txn.relief;
        y->picks = x->txn.picks;
        y->n_picks = x->txn.n_picks;
        y->split = x->txn.split;
        if (x->txn.n_lots_in) {
            size_t first = (size_t)(x->txn.lots_in - im->lots);
            for (size_t k = 0; k < x->txn.n_lots_in; k++) {
                ra_store_lot_in *l = &lots[first + k];
                memcpy(l->ticker, x->ticker, sizeof l->ticker);
                l->acquired = x->txn.lots_in[k].acquired;
                l->qty_micro = x->txn.lots_in[k].qty_micro;
                l->basis_minor = x->txn.lots_in[k].basis_minor;
            }
            y->lots_in = lots + first;
            y->n_lots_in = x->txn.n_lots_in;
        }
    }
    ra_store_txn_stats ts = {0};
    ra_status st = ra_store_txn_append(s, A, t, im->n, &ts, err);
    RA_FREE_ALL(t, lots);
    res->added = ts.applied;
    res->unchanged = ts.unchanged;
    return st;
}

/* ---- the import ----------------------------------------------------------------------------- */

static ra_status apply_rows(ra_store *s, const ra_store_actor *A, const ra_import *im,
                            const ra_import_options *o, ra_import_result *res, ra_err *err)
{
    switch (im->kind) {
    case RA_IMPORT_PRICES:
        return put_prices(s, A, im, res, err);
    case RA_IMPORT_DIVIDENDS:
    case RA_IMPORT_SPLITS:
        return put_events(s, A, im, res, err);
    case RA_IMPORT_SECURITIES:
        return upsert_rows(s, A, im, REC_SECURITY, im->securities, res, err);
    case RA_IMPORT_CLIENTS:
        return upsert_rows(s, A, im, REC_CLIENT, im->clients, res, err);
    case RA_IMPORT_ACCOUNTS:
        return upsert_rows(s, A, im, REC_ACCOUNT, im->accounts, res, err);
    case RA_IMPORT_TRANSACTIONS:
        return append_txns(s, A, im, o, res, err);
    default:
        return ra_err_set(err, RA_EINVAL, NULL, "positions are not imported: use 'roboadvisor "
                                                "reconcile --positions FILE'");
    }
}

ra_status ra_import_apply(ra_store *s, const ra_store_actor *actor, const ra_import *im,
                          const ra_import_options *opts, ra_import_result *res, ra_err *err)
{
    if (!res)
        return ra_err_set(err, RA_EINVAL, NULL, "an import needs a result");
    memset(res, 0, sizeof *res);
    if (!s || !actor || !im)
        return ra_err_set(err, RA_EINVAL, NULL, "an import needs a store, an actor and a file");
    res->kind = im->kind;
    ra_import_options o = {0};
    if (opts)
        o = *opts;
    int own = 0;
    ra_status rc = ra_store_scope_begin(s, &own, err);
    if (rc != RA_OK)
        return rc;
    rc = apply_rows(s, actor, im, &o, res, err);
    rc = ra_store_scope_end(s, own, rc, err);
    if (rc != RA_OK) {
        ra_import_result_free(res);
        res->kind = im->kind;
    }
    return rc;
}

ra_status ra_book_import(ra_book *b, ra_import_kind kind, const char *path,
                         const ra_import_options *opts, ra_import_result *res, ra_err *err)
{
    if (res)
        memset(res, 0, sizeof *res);
    if (!b || !b->have_firm)
        return ra_err_set(err, RA_EINVAL, NULL, "an import needs an open book with its firm");
    ra_import_settings set;
    ra_import_settings_default(&set);
    set.minor_digits = b->firm.minor_digits;
    ra_import *im = NULL;
    ra_status rc = ra_import_read(kind, path, &set, &im, err);
    if (rc != RA_OK)
        return rc;
    rc = ra_import_apply(b->store, &b->actor, im, opts, res, err);
    ra_import_destroy(im);
    /* rows named FILE:LINE already say the file */
    if (rc != RA_OK && err && strncmp(err->where, path, strlen(path)) != 0)
        ra_err_wrap(err, "%s", path);
    return rc;
}

/* ---- reconciliation ------------------------------------------------------------------------- */

static int pos_cmp(const void *a, const void *b)
{
    const ra_position *x = a, *y = b;
    int c = strcmp(x->account, y->account);
    return c ? c : strcmp(x->ticker, y->ticker);
}

void ra_recon_result_free(ra_recon_result *res)
{
    if (!res)
        return;
    ra_free(res->breaks);
    memset(res, 0, sizeof *res);
}

ra_status ra_book_reconcile(ra_store *s, const char *firm, ra_date date, ra_position *cu,
                            size_t nc, ra_recon_result *res, ra_err *err)
{
    if (!res)
        return ra_err_set(err, RA_EINVAL, NULL, "reconciliation needs a result");
    memset(res, 0, sizeof *res);
    if (!s || !firm || (nc && !cu))
        return ra_err_set(err, RA_EINVAL, NULL, "reconciliation needs a store, a firm and "
                                                "the custodian's positions");
    ra_position *bk = NULL;
    size_t nb = 0;
    ra_status rc = ra_store_holdings(s, firm, date, &bk, &nb, err);
    if (rc != RA_OK)
        return rc;
    if (nc)
        qsort(cu, nc, sizeof *cu, pos_cmp);
    if (nb)
        qsort(bk, nb, sizeof *bk, pos_cmp);
    ra_recon_break *br = ra_calloc(nb + nc + 1, sizeof *br);
    if (!br) {
        ra_store_free(bk);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate %zu breaks", nb + nc);
    }
    /* merge the two sorted lists on (account, ticker); a missing line counts as zero */
    size_t n_br = 0, n_cmp = 0;
    for (size_t i = 0, j = 0; i < nb || j < nc;) {
        int c = i == nb ? 1 : j == nc ? -1 : pos_cmp(&bk[i], &cu[j]);
        const ra_position *p = c <= 0 ? &bk[i] : &cu[j];
        int cash = p->ticker[0] == '\0';
        int64_t vb = c <= 0 ? (cash ? bk[i].cash_minor : bk[i].qty_micro) : 0;
        int64_t vc = c >= 0 ? (cash ? cu[j].cash_minor : cu[j].qty_micro) : 0;
        n_cmp++;
        if (vb != vc) {
            ra_recon_break *x = &br[n_br++];
            memcpy(x->account, p->account, sizeof x->account);
            memcpy(x->ticker, p->ticker, sizeof x->ticker);
            x->book = vb;
            x->custodian = vc;
        }
        if (c <= 0)
            i++;
        if (c >= 0)
            j++;
    }
    ra_store_free(bk);
    res->breaks = br;
    res->n_breaks = n_br;
    res->n_compared = n_cmp;
    return RA_OK;
}
