/* Statements laid out into a language-neutral document of headings, paragraphs, tables and charts
 * (src/io/stmt_int.h) that stmt_pdf.c and stmt_html.c render the same way. Every label comes from
 * the catalogue of the language; numbers and dates from ra_stmt_format_*. */
#include "stmt_int.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/ledger.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

/* --- the document ------------------------------------------------------------------------------ */

void stmt_doc_free(stmt_doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_pool; i++)
        ra_free(d->pool[i]);
    for (size_t i = 0; i < d->n_mem; i++)
        ra_free(d->mem[i]);
    for (size_t i = 0; i < d->n; i++)
        ra_free(d->b[i].cells);
    ra_free(d->pool);
    ra_free(d->mem);
    ra_free(d->b);
    memset(d, 0, sizeof *d);
}

static int keep(stmt_doc *d, void ***arr, size_t *n, size_t *cap, void *p)
{
    if (!p || ra_grow((void **)arr, cap, *n + 1, sizeof **arr)) {
        ra_free(p);
        d->oom = 1;
        return 0;
    }
    (*arr)[(*n)++] = p;
    return 1;
}

const char *stmt_str(stmt_doc *d, const char *s)
{
    char *c = ra_strdup(s ? s : "");
    return keep(d, (void ***)&d->pool, &d->n_pool, &d->cap_pool, c) ? c : "";
}

void *stmt_mem(stmt_doc *d, size_t n)
{
    void *p = ra_calloc(n ? n : 1, 1);
    return keep(d, &d->mem, &d->n_mem, &d->cap_mem, p) ? p : NULL;
}

const char *stmt_msgf(stmt_doc *d, ra_stmt_msg_key key, size_t n, ...)
{
    const char *args[8] = {0};
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n && i < 8; i++)
        args[i] = va_arg(ap, const char *);
    va_end(ap);
    char *s = stmt_fill(ra_stmt_msg(d->lang, key), args, n < 8 ? n : 8);
    return keep(d, (void ***)&d->pool, &d->n_pool, &d->cap_pool, s) ? s : "";
}

stmt_block *stmt_doc_add(stmt_doc *d, stmt_block_kind kind, const char *text)
{
    static stmt_block dummy;
    if (ra_grow((void **)&d->b, &d->cap, d->n + 1, sizeof *d->b)) {
        d->oom = 1;
        memset(&dummy, 0, sizeof dummy);
        return &dummy;
    }
    stmt_block *b = &d->b[d->n++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->text = text ? text : "";
    return b;
}

stmt_block *stmt_doc_table(stmt_doc *d, size_t ncols, const char *const *head,
                           const unsigned char *right)
{
    stmt_block *t = stmt_doc_add(d, SB_TABLE, NULL);
    t->ncols = ncols < STMT_MAX_COLS ? ncols : STMT_MAX_COLS;
    for (size_t c = 0; right && c < t->ncols; c++)
        t->right[c] = right[c];
    stmt_table_row(d, t, head);
    return t;
}

void stmt_table_row(stmt_doc *d, stmt_block *t, const char *const *cells)
{
    size_t need = (t->nrows + 1) * t->ncols;
    if (need > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : t->ncols * 16;
        while (cap < need)
            cap *= 2;
        const char **p = ra_realloc(t->cells, cap * sizeof *p);
        if (!p) {
            d->oom = 1;
            return;
        }
        t->cells = p;
        t->cap = cap;
    }
    for (size_t c = 0; c < t->ncols; c++)
        t->cells[t->nrows * t->ncols + c] = cells[c] ? cells[c] : "";
    t->nrows++;
}

/* --- formatting into the document ------------------------------------------------------------- */

typedef struct ctx {
    stmt_doc *d;
    ra_stmt_lang L;
    int md;
    const char *ccy;
} ctx;

static const char *T(const ctx *c, ra_stmt_msg_key k)
{
    return ra_stmt_msg(c->L, k);
}

static const char *money(const ctx *c, ra_minor v)
{
    char b[RA_STMT_FMT_SIZE];
    return stmt_str(c->d, ra_stmt_format_money(c->L, v, c->md, b));
}

static const char *pct(const ctx *c, double x, int dec)
{
    char b[RA_STMT_FMT_SIZE];
    return stmt_str(c->d, ra_stmt_format_pct(c->L, x, dec, b));
}

static const char *date(const ctx *c, ra_date x)
{
    char b[RA_STMT_FMT_SIZE];
    return stmt_str(c->d, ra_stmt_format_date(c->L, x, b));
}

static const char *qty(const ctx *c, ra_micro q)
{
    char b[RA_STMT_FMT_SIZE];
    return stmt_str(c->d, ra_stmt_format_qty(c->L, q, b));
}

static const char *price(const ctx *c, ra_price p)
{
    char b[RA_STMT_FMT_SIZE], t[RA_STMT_FMT_SIZE];
    ra_money_format_price(p, t, sizeof t);
    /* a close to the cent unless it has more digits */
    size_t n = strlen(t);
    char *dot = strchr(t, '.');
    while (dot && n > (size_t)(dot - t) + 3 && t[n - 1] == '0')
        t[--n] = 0;
    snprintf(b, sizeof b, "%s", t);
    return stmt_str(c->d, b);
}

static const char *level_r(const ctx *c, int level)
{
    char b[8];
    if (level < 1 || level > 5)
        return T(c, M_NOT_AVAILABLE);
    snprintf(b, sizeof b, "R%d", level);
    return stmt_str(c->d, b);
}

static const char *level_c(const ctx *c, int level)
{
    char b[8];
    if (level < 1 || level > 5)
        return T(c, M_NOT_AVAILABLE);
    snprintf(b, sizeof b, "C%d", level);
    return stmt_str(c->d, b);
}

static const char *with_ccy(const ctx *c, ra_stmt_msg_key k)
{
    return stmt_msgf(c->d, k, 1, c->ccy);
}

static const ra_stmt_msg_key src_key[RA_STMT_SRC_N] = {
    [RA_STMT_SRC_LEDGER] = M_SRC_LEDGER, [RA_STMT_SRC_VALUES] = M_SRC_VALUES,
    [RA_STMT_SRC_PRICES] = M_SRC_PRICES, [RA_STMT_SRC_MODEL] = M_SRC_MODEL,
    [RA_STMT_SRC_FEES] = M_SRC_FEES,     [RA_STMT_SRC_GAINS] = M_SRC_GAINS,
    [RA_STMT_SRC_PROFILE] = M_SRC_PROFILE, [RA_STMT_SRC_RISK] = M_SRC_RISK,
};

static const char *txn_kind(const ctx *c, int kind)
{
    static const ra_stmt_msg_key k[] = {M_NONE,     M_TX_DEPOSIT,     M_TX_WITHDRAWAL,
                                        M_TX_BUY,   M_TX_SELL,        M_TX_DIVIDEND,
                                        M_TX_REINVEST, M_TX_FEE,      M_TX_TRANSFER_IN,
                                        M_TX_TRANSFER_OUT, M_TX_SPLIT};
    return T(c, kind >= 1 && kind <= 10 ? k[kind] : M_NONE);
}

static const char *alert_kind(const ctx *c, const char *kind)
{
    if (strcmp(kind, "excessive_trading") == 0)
        return T(c, M_AL_TRADING);
    if (strcmp(kind, "sell_after_drawdown") == 0)
        return T(c, M_AL_DRAWDOWN);
    if (strcmp(kind, "concentration") == 0)
        return T(c, M_AL_CONCENTRATION);
    if (strcmp(kind, "profile_review") == 0)
        return T(c, M_AL_PROFILE);
    return stmt_str(c->d, kind);
}

static const char *susp_kind(const ctx *c, const char *kind)
{
    if (strncmp(kind, "rule:", 5) == 0)
        return stmt_msgf(c->d, M_SUSP_RULE, 1, kind + 5);
    return T(c, M_SUSP_LOSS_LIMIT);
}

/* "Source: S, data as of D. Amounts in CCY." under a table */
static void source_note(const ctx *c, const ra_statement *st, ra_stmt_src src)
{
    stmt_doc_add(c->d, SB_NOTE, stmt_msgf(c->d, M_SOURCE_NOTE, 3, T(c, src_key[src]),
                                          date(c, st->source_date[src]), c->ccy));
}

static void none_note(const ctx *c)
{
    stmt_doc_add(c->d, SB_NOTE, T(c, M_NONE_IN_PERIOD));
}

/* --- the client statement ----------------------------------------------------------------------- */

static void summary(const ctx *c, const ra_statement *st)
{
    stmt_doc *d = c->d;
    stmt_doc_add(d, SB_H1, T(c, M_SEC_SUMMARY));
    stmt_block *t = stmt_doc_table(d, 2, (const char *[]){T(c, M_FIGURE), ""}, NULL);
    static const ra_stmt_msg_key types[] = {M_TYPE_TAXABLE, M_TYPE_DEFERRED, M_TYPE_FREE};
    const char *model = T(c, M_NONE);
    if (st->model[0]) {
        char b[RA_CODE_MAX + 16];
        snprintf(b, sizeof b, "%s (%s)", st->model, level_r(c, st->model_level));
        model = stmt_str(d, b);
    }
    const char *rows[][2] = {
        {T(c, M_CLIENT), st->client_name},
        {T(c, M_CLIENT_CODE), st->client},
        {T(c, M_ACCOUNT), st->account},
        {T(c, M_ACCOUNT_TYPE), T(c, types[st->account_type >= 0 && st->account_type < 3
                                               ? st->account_type : 0])},
        {T(c, M_MODEL), model},
        {T(c, M_MANAGEMENT), T(c, st->discretionary ? M_DISCRETIONARY : M_ADVISORY)},
        {T(c, M_CURRENCY), st->currency},
        {T(c, M_PERIOD), stmt_msgf(d, M_PERIOD_RANGE, 2, date(c, st->from), date(c, st->to))},
    };
    /* the first row is the table's header in the renderers: a summary has none */
    t->cells[0] = rows[0][0];
    t->cells[1] = stmt_str(d, rows[0][1]);
    for (size_t i = 1; i < sizeof rows / sizeof rows[0]; i++)
        stmt_table_row(d, t, (const char *[]){rows[i][0], stmt_str(d, rows[i][1])});
    t->no_head = 1; /* a key-value table */
}

static const ra_stmt_msg_key fig_key[RA_STMT_KEY_N] = {
    [RA_STMT_OPENING] = M_K_OPENING,         [RA_STMT_DEPOSITS] = M_K_DEPOSITS,
    [RA_STMT_WITHDRAWALS] = M_K_WITHDRAWALS, [RA_STMT_FEES_PAID] = M_K_FEES_PAID,
    [RA_STMT_INVEST_GAIN] = M_K_INVEST_GAIN, [RA_STMT_CLOSING] = M_K_CLOSING,
    [RA_STMT_TWR] = M_K_TWR,                 [RA_STMT_BENCH_TWR] = M_K_BENCH_TWR,
    [RA_STMT_MWR] = M_K_MWR,                 [RA_STMT_UNREALISED] = M_K_UNREALISED,
    [RA_STMT_REALISED_SHORT] = M_K_REALISED_SHORT, [RA_STMT_REALISED_LONG] = M_K_REALISED_LONG,
    [RA_STMT_WASH_DISALLOWED] = M_K_WASH,    [RA_STMT_HARVESTED] = M_K_HARVESTED,
    [RA_STMT_FEES_BILLED] = M_K_FEES_BILLED,
};

static void fig_rows(const ctx *c, const ra_statement *st, stmt_block *t, int from, int to)
{
    for (int k = from; k <= to; k++) {
        const ra_stmt_fig *f = &st->fig[k];
        const char *amount = !f->valid    ? T(c, M_NOT_AVAILABLE)
                             : f->is_rate ? pct(c, f->rate, 2)
                                          : money(c, f->minor);
        const char *unit = f->is_rate ? T(c, k == RA_STMT_MWR ? M_U_PCT_YEAR : M_U_PCT_PERIOD)
                                      : c->ccy;
        stmt_table_row(c->d, t,
                       (const char *[]){T(c, fig_key[k]), amount, unit, T(c, src_key[f->src]),
                                        date(c, f->as_of),
                                        f->risk_level ? level_r(c, f->risk_level) : "-"});
    }
}

static stmt_block *fig_table(const ctx *c)
{
    return stmt_doc_table(c->d, 6,
                          (const char *[]){T(c, M_FIGURE), T(c, M_AMOUNT), T(c, M_UNIT),
                                           T(c, M_SOURCE), T(c, M_AS_OF), T(c, M_RISK)},
                          (const unsigned char[]){0, 1, 0, 0, 0, 0});
}

static void performance(const ctx *c, const ra_statement *st)
{
    stmt_doc *d = c->d;
    stmt_doc_add(d, SB_H1, T(c, M_SEC_PERF));
    stmt_block *t = fig_table(c);
    fig_rows(c, st, t, RA_STMT_OPENING, RA_STMT_UNREALISED);
    /* the value chart */
    stmt_block *ch = stmt_doc_add(d, SB_LINE_CHART, stmt_msgf(d, M_CHART_VALUE, 1, c->ccy));
    ch->n = st->n_series;
    ra_date *x = stmt_mem(d, st->n_series * sizeof *x);
    double *y1 = stmt_mem(d, st->n_series * sizeof *y1);
    double *y2 = stmt_mem(d, st->n_series * sizeof *y2);
    if (!x || !y1 || !y2) {
        ch->n = 0;
        return;
    }
    double scale = pow(10.0, c->md);
    for (size_t i = 0; i < st->n_series; i++) {
        x[i] = st->series[i].date;
        y1[i] = (double)st->series[i].value_minor / scale;
        y2[i] = (double)st->series[i].bench_minor / scale;
    }
    ch->x = x;
    ch->y1 = y1;
    ch->y2 = y2;
    ch->legend1 = T(c, M_LEGEND_ACCOUNT);
    ch->legend2 = T(c, M_LEGEND_BENCH);
}

static const char *class_label(const ctx *c, const char *cls)
{
    static const struct {
        const char *code;
        ra_stmt_msg_key key;
    } names[] = {{"cash", M_CASH},           {"us_equity", M_AC_US_EQUITY},
                 {"intl_equity", M_AC_INTL_EQUITY}, {"em_equity", M_AC_EM_EQUITY},
                 {"us_bonds", M_AC_US_BONDS}, {"intl_bonds", M_AC_INTL_BONDS},
                 {"bonds", M_AC_BONDS},       {"real_estate", M_AC_REAL_ESTATE},
                 {"commodities", M_AC_COMMODITIES}, {"real_assets", M_AC_REAL_ASSETS},
                 {"gold", M_AC_GOLD}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(cls, names[i].code) == 0)
            return T(c, names[i].key);
    return stmt_str(c->d, cls); /* a class of the firm's own: its code */
}

static void allocation(const ctx *c, const ra_statement *st)
{
    stmt_doc *d = c->d;
    stmt_doc_add(d, SB_H1, T(c, M_SEC_ALLOC));
    stmt_block *ch = stmt_doc_add(d, SB_BAR_CHART, T(c, M_CHART_ALLOC));
    double *y1 = stmt_mem(d, st->n_classes * sizeof *y1);
    double *y2 = stmt_mem(d, st->n_classes * sizeof *y2);
    const char **lab = stmt_mem(d, st->n_classes * sizeof *lab);
    if (y1 && y2 && lab) {
        for (size_t i = 0; i < st->n_classes; i++) {
            y1[i] = st->classes[i].actual;
            y2[i] = st->classes[i].target;
            lab[i] = class_label(c, st->classes[i].asset_class);
        }
        ch->n = st->n_classes;
        ch->y1 = y1;
        ch->y2 = y2;
        ch->labels = lab;
        ch->legend1 = T(c, M_LEGEND_ACTUAL);
        ch->legend2 = T(c, M_LEGEND_TARGET);
    }
    stmt_block *t = stmt_doc_table(d, 4,
                                   (const char *[]){T(c, M_ASSET_CLASS), T(c, M_ACTUAL_PCT),
                                                    T(c, M_TARGET_PCT), T(c, M_DIFF_PCT)},
                                   (const unsigned char[]){0, 1, 1, 1});
    for (size_t i = 0; i < st->n_classes; i++) {
        const ra_stmt_class *k = &st->classes[i];
        stmt_table_row(d, t,
                       (const char *[]){class_label(c, k->asset_class), pct(c, k->actual, 2),
                                        pct(c, k->target, 2), pct(c, k->actual - k->target, 2)});
    }
}

static void holdings(const ctx *c, const ra_statement *st)
{
    stmt_doc *d = c->d;
    ra_date day = st->value_to ? st->value_to : st->to;
    stmt_doc_add(d, SB_H1, stmt_msgf(d, M_SEC_HOLDINGS, 1, date(c, day)));
    stmt_block *t = stmt_doc_table(
        d, 10,
        (const char *[]){T(c, M_TICKER), T(c, M_RISK), T(c, M_QTY), with_ccy(c, M_PRICE),
                         T(c, M_PRICE_DATE), with_ccy(c, M_VALUE), T(c, M_WEIGHT_PCT),
                         T(c, M_TARGET_PCT), with_ccy(c, M_COST), with_ccy(c, M_UNREALISED)},
        (const unsigned char[]){0, 0, 1, 1, 0, 1, 1, 1, 1, 1});
    ra_minor tv = st->cash_minor, tc = 0, tu = 0;
    for (size_t i = 0; i < st->n_holdings; i++) {
        const ra_stmt_holding *h = &st->holdings[i];
        tv += h->value_minor;
        tc += h->cost_minor;
        tu += h->unrealised_minor;
        stmt_table_row(d, t,
                       (const char *[]){stmt_str(d, h->ticker), level_r(c, h->risk_level),
                                        qty(c, h->qty_micro), h->price ? price(c, h->price) : "-",
                                        date(c, h->price_date), money(c, h->value_minor),
                                        pct(c, h->weight, 2), pct(c, h->target, 2),
                                        money(c, h->cost_minor), money(c, h->unrealised_minor)});
    }
    stmt_table_row(d, t,
                   (const char *[]){T(c, M_CASH), "R1", "", "", "", money(c, st->cash_minor),
                                    pct(c, st->cash_weight, 2), pct(c, st->cash_target, 2),
                                    money(c, st->cash_minor), money(c, 0)});
    stmt_table_row(d, t,
                   (const char *[]){T(c, M_TOTAL), level_r(c, st->portfolio_level), "", "", "",
                                    money(c, tv), pct(c, 1.0, 2), "", money(c, tc + st->cash_minor),
                                    money(c, tu)});
    t->last_bold = 1;
    source_note(c, st, RA_STMT_SRC_PRICES);
}

static void transactions(const ctx *c, const ra_statement *st)
{
    stmt_doc *d = c->d;
    stmt_doc_add(d, SB_H1, T(c, M_SEC_TXNS));
    if (!st->n_txns) {
        none_note(c);
        return;
    }
    stmt_block *t = stmt_doc_table(d, 7,
                                   (const char *[]){T(c, M_DATE), T(c, M_KIND), T(c, M_TICKER),
                                                    T(c, M_QTY), with_ccy(c, M_PRICE),
                                                    with_ccy(c, M_CASH_EFFECT),
                                                    with_ccy(c, M_COSTS)},
                                   (const unsigned char[]){0, 0, 0, 1, 1, 1, 1});
    for (size_t i = 0; i < st->n_txns; i++) {
        const ra_stmt_txn *x = &st->txns[i];
        int trade = x->kind == RA_TXN_BUY || x->kind == RA_TXN_SELL || x->kind == RA_TXN_REINVEST;
        stmt_table_row(d, t,
                       (const char *[]){date(c, x->date), txn_kind(c, x->kind),
                                        stmt_str(d, x->ticker), trade ? qty(c, x->qty_micro) : "",
                                        trade ? price(c, x->price) : "", money(c, x->cash_minor),
                                        trade ? money(c, x->fees_minor) : ""});
    }
    source_note(c, st, RA_STMT_SRC_LEDGER);
}

static const char *bps_pct(const ctx *c, int64_t rate)
{
    /* hundredths of a basis point a year -> percent with up to 4 decimals */
    return pct(c, (double)rate / RA_FEES_RATE_UNIT, 2 + (rate % 100 ? 2 : 0));
}

static void fees(const ctx *c, const ra_statement *st)
{
    stmt_doc *d = c->d;
    stmt_doc_add(d, SB_H1, T(c, M_SEC_FEES));
    if (!st->n_fees)
        none_note(c);
    else {
        stmt_block *t = stmt_doc_table(
            d, 9,
            (const char *[]){T(c, M_FEE_PERIOD), T(c, M_DAYS), with_ccy(c, M_AVG_VALUE),
                             with_ccy(c, M_ASSET_FEE), with_ccy(c, M_SUBSCRIPTION),
                             with_ccy(c, M_SERVICES), with_ccy(c, M_PERF_FEE), T(c, M_TOTAL),
                             T(c, M_BILLED)},
            (const unsigned char[]){0, 1, 1, 1, 1, 1, 1, 1, 0});
        ra_minor tot[5] = {0};
        char days[16];
        for (size_t i = 0; i < st->n_fees; i++) {
            const ra_stmt_fee *f = &st->fees[i];
            snprintf(days, sizeof days, "%d", f->days);
            tot[0] += f->asset_fee_minor;
            tot[1] += f->subscription_minor;
            tot[2] += f->service_minor;
            tot[3] += f->perf_fee_minor;
            tot[4] += f->total_minor;
            stmt_table_row(
                d, t,
                (const char *[]){stmt_msgf(d, M_PERIOD_RANGE, 2, date(c, f->period_start),
                                           date(c, f->period_end)),
                                 stmt_str(d, days), money(c, f->average_minor),
                                 money(c, f->asset_fee_minor), money(c, f->subscription_minor),
                                 money(c, f->service_minor), money(c, f->perf_fee_minor),
                                 money(c, f->total_minor), T(c, f->billed ? M_YES : M_NO)});
        }
        stmt_table_row(d, t,
                       (const char *[]){T(c, M_TOTAL), "", "", money(c, tot[0]), money(c, tot[1]),
                                        money(c, tot[2]), money(c, tot[3]), money(c, tot[4]), ""});
        t->last_bold = 1;
    }
    if (st->n_fees)
        source_note(c, st, RA_STMT_SRC_FEES);
    stmt_doc_add(d, SB_P, T(c, M_FEE_HOW_ASSET));
    int perf = 0;
    for (size_t i = 0; i < st->n_fees; i++)
        perf |= st->fees[i].has_perf;
    if (perf || st->schedule.perf_rate_ppm)
        stmt_doc_add(d, SB_P, T(c, M_FEE_HOW_PERF));
    for (size_t i = 0; i < st->n_fees; i++) {
        const ra_stmt_fee *f = &st->fees[i];
        if (!f->has_perf)
            continue;
        stmt_doc_add(d, SB_NOTE,
                     stmt_msgf(d, M_FEE_PERF_LINE, 7, date(c, f->period_end),
                               money(c, f->perf_profit_minor), money(c, f->perf_hurdle_minor),
                               money(c, f->carried_loss_minor),
                               pct(c, (double)f->perf_rate_ppm / 1e6, 2),
                               money(c, f->perf_fee_minor), c->ccy));
    }
}

static void gains(const ctx *c, const ra_statement *st)
{
    stmt_doc *d = c->d;
    stmt_doc_add(d, SB_H1, T(c, M_SEC_GAINS));
    stmt_block *ft = fig_table(c);
    fig_rows(c, st, ft, RA_STMT_REALISED_SHORT, RA_STMT_FEES_BILLED);
    if (!st->n_sales) {
        none_note(c);
    } else {
        stmt_block *t = stmt_doc_table(
            d, 10,
            (const char *[]){T(c, M_DATE), T(c, M_TICKER), T(c, M_QTY), with_ccy(c, M_PROCEEDS),
                             with_ccy(c, M_COST), with_ccy(c, M_GAIN), with_ccy(c, M_SHORT),
                             with_ccy(c, M_LONG), with_ccy(c, M_WASH_DISALLOWED), T(c, M_HARVEST)},
            (const unsigned char[]){0, 0, 1, 1, 1, 1, 1, 1, 1, 0});
        for (size_t i = 0; i < st->n_sales; i++) {
            const ra_stmt_sale *x = &st->sales[i];
            stmt_table_row(d, t,
                           (const char *[]){date(c, x->date), stmt_str(d, x->ticker),
                                            qty(c, x->qty_micro), money(c, x->proceeds_minor),
                                            money(c, x->cost_minor), money(c, x->gain_minor),
                                            money(c, x->short_minor), money(c, x->long_minor),
                                            money(c, x->disallowed_minor),
                                            x->harvest ? T(c, M_YES) : ""});
        }
    }
    if (st->n_sales)
        source_note(c, st, RA_STMT_SRC_GAINS);
    char w[16];
    snprintf(w, sizeof w, "%d", st->wash_window_days);
    stmt_doc_add(d, SB_NOTE, stmt_msgf(d, M_GAINS_NOTE, 1, stmt_str(d, w)));
}

static void risk(const ctx *c, const ra_statement *st)
{
    stmt_doc *d = c->d;
    stmt_doc_add(d, SB_H1, T(c, M_SEC_RISK));
    const char *suit = !st->client_level ? T(c, M_NO_PROFILE)
                       : st->suitable
                           ? stmt_msgf(d, M_SUITABLE, 2, level_r(c, st->model_level),
                                       level_c(c, st->client_level))
                           : stmt_msgf(d, M_NOT_SUITABLE, 2, level_r(c, st->model_level),
                                       level_c(c, st->client_level));
    stmt_block *t = stmt_doc_table(d, 2, (const char *[]){T(c, M_CLIENT_LEVEL),
                                                          level_c(c, st->client_level)},
                                   NULL);
    t->no_head = 1;
    stmt_table_row(d, t, (const char *[]){T(c, M_PROFILE_TAKEN), date(c, st->profile_taken)});
    stmt_table_row(d, t,
                   (const char *[]){T(c, M_PROFILE_EXPIRES),
                                    st->profile_expired ? T(c, M_PROFILE_EXPIRED)
                                                        : date(c, st->profile_expires)});
    stmt_table_row(d, t, (const char *[]){T(c, M_MODEL_LEVEL), level_r(c, st->model_level)});
    stmt_table_row(d, t,
                   (const char *[]){T(c, M_PORTFOLIO_LEVEL), level_r(c, st->portfolio_level)});
    stmt_table_row(d, t, (const char *[]){T(c, M_SUITABILITY), suit});
    stmt_doc_add(d, SB_NOTE, T(c, M_RISK_SCALE));
    source_note(c, st, RA_STMT_SRC_PROFILE);

    stmt_doc_add(d, SB_H2, T(c, M_ALERTS));
    if (!st->n_alerts)
        none_note(c);
    else {
        stmt_block *a = stmt_doc_table(d, 5,
                                       (const char *[]){T(c, M_KIND), T(c, M_RAISED),
                                                        T(c, M_CLOSED), T(c, M_OBSERVED),
                                                        T(c, M_THRESHOLD)},
                                       (const unsigned char[]){0, 0, 0, 1, 1});
        for (size_t i = 0; i < st->n_alerts; i++) {
            const ra_stmt_event *e = &st->alerts[i];
            int frac = strcmp(e->kind, "excessive_trading") != 0 &&
                       strcmp(e->kind, "profile_review") != 0;
            char o[32], th[32];
            snprintf(o, sizeof o, "%g", e->observed);
            snprintf(th, sizeof th, "%g", e->threshold);
            stmt_table_row(d, a,
                           (const char *[]){alert_kind(c, e->kind), date(c, e->date),
                                            e->closed ? date(c, e->closed) : T(c, M_OPEN),
                                            frac ? pct(c, e->observed, 1) : stmt_str(d, o),
                                            frac ? pct(c, e->threshold, 1) : stmt_str(d, th)});
        }
    }
    stmt_doc_add(d, SB_H2, T(c, M_SUSPENSIONS));
    if (!st->n_suspensions)
        none_note(c);
    else {
        stmt_block *s = stmt_doc_table(d, 6,
                                       (const char *[]){T(c, M_KIND), T(c, M_DATE),
                                                        with_ccy(c, M_LOSS), T(c, M_LOSS_LIMIT),
                                                        T(c, M_REAUTHORISED), T(c, M_BY)},
                                       (const unsigned char[]){0, 0, 1, 1, 0, 0});
        for (size_t i = 0; i < st->n_suspensions; i++) {
            const ra_stmt_event *e = &st->suspensions[i];
            stmt_table_row(d, s,
                           (const char *[]){susp_kind(c, e->kind), date(c, e->date),
                                            money(c, e->loss_minor), pct(c, e->threshold, 1),
                                            e->closed ? date(c, e->closed) : T(c, M_OPEN),
                                            stmt_str(d, e->by)});
        }
    }
    if (st->n_alerts || st->n_suspensions)
        source_note(c, st, RA_STMT_SRC_RISK);
}

static void fee_schedule(const ctx *c, const ra_stmt_fee_schedule *fs)
{
    stmt_doc *d = c->d;
    stmt_doc_add(d, SB_H2, T(c, M_D_FEES_H));
    if (!fs->have) {
        stmt_doc_add(d, SB_P, T(c, M_D_FEES_NONE));
        return;
    }
    char v[24];
    snprintf(v, sizeof v, "%lld", (long long)fs->version);
    stmt_doc_add(d, SB_P,
                 stmt_msgf(d, M_FEE_BILLING, 3, stmt_str(d, fs->code), stmt_str(d, v),
                           T(c, fs->billing_months == 3 ? M_BILL_QUARTERLY : M_BILL_MONTHLY)));
    stmt_block *t = stmt_doc_table(d, 3,
                                   (const char *[]){with_ccy(c, M_TIER_FROM),
                                                    with_ccy(c, M_TIER_TO), T(c, M_TIER_RATE)},
                                   (const unsigned char[]){1, 1, 1});
    ra_minor lo = 0;
    for (size_t i = 0; i < fs->s.n_tiers; i++) {
        const ra_fee_tier *tr = &fs->s.tiers[i];
        int last = tr->upto_minor == INT64_MAX;
        stmt_table_row(d, t,
                       (const char *[]){money(c, lo), last ? T(c, M_AND_ABOVE) : money(c, tr->upto_minor),
                                        bps_pct(c, tr->rate)});
        lo = tr->upto_minor;
    }
    if (fs->s.min_annual_minor)
        stmt_doc_add(d, SB_NOTE, stmt_msgf(d, M_FEE_MIN, 2, money(c, fs->s.min_annual_minor), c->ccy));
    if (fs->s.monthly_minor)
        stmt_doc_add(d, SB_NOTE, stmt_msgf(d, M_FEE_MONTHLY, 2, money(c, fs->s.monthly_minor), c->ccy));
    if (fs->perf_rate_ppm) {
        char m[8], bench[RA_CODE_MAX + 4];
        snprintf(m, sizeof m, "%d", fs->perf_months);
        snprintf(bench, sizeof bench, "%s%s", fs->perf_benchmark[0] ? " + " : "",
                 fs->perf_benchmark);
        stmt_doc_add(d, SB_NOTE,
                     stmt_msgf(d, M_FEE_PERF_TERMS, 4, pct(c, (double)fs->perf_rate_ppm / 1e6, 2),
                               pct(c, (double)fs->perf_hurdle_ppm / 1e6, 2), stmt_str(d, m),
                               stmt_str(d, bench)));
    }
}

static void disclosures(const ctx *c, const ra_statement *st)
{
    stmt_doc *d = c->d;
    stmt_doc_add(d, SB_H1, T(c, M_SEC_DISCLOSURES));
    stmt_doc_add(d, SB_H2, T(c, M_D_DOES_H));
    stmt_doc_add(d, SB_P, T(c, M_D_DOES));
    stmt_doc_add(d, SB_H2, T(c, M_D_DOES_NOT_H));
    stmt_doc_add(d, SB_P, T(c, M_D_DOES_NOT));
    stmt_doc_add(d, SB_H2, T(c, M_D_LIMITS_H));
    stmt_doc_add(d, SB_P, T(c, M_D_LIMITS));
    stmt_doc_add(d, SB_H2, T(c, M_D_SOURCES_H));
    stmt_doc_add(d, SB_P, T(c, M_D_SOURCES));
    stmt_block *t = stmt_doc_table(d, 2, (const char *[]){T(c, M_SOURCE), T(c, M_LATEST_DATA)},
                                   NULL);
    for (int k = 0; k < RA_STMT_SRC_N; k++)
        stmt_table_row(d, t, (const char *[]){T(c, src_key[k]), date(c, st->source_date[k])});
    stmt_doc_add(d, SB_H2, T(c, M_D_METHOD_H));
    stmt_doc_add(d, SB_P, T(c, M_D_METHOD));
    fee_schedule(c, &st->schedule);
}

static ra_status finish(stmt_doc *d, ra_err *err)
{
    if (d->oom) {
        stmt_doc_free(d);
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the document");
    }
    return RA_OK;
}

ra_status stmt_doc_statement(const ra_statement *st, ra_stmt_lang lang, stmt_doc *d, ra_err *err)
{
    memset(d, 0, sizeof *d);
    d->lang = lang;
    ctx c = {d, lang, st->minor_digits, st->currency};
    d->title = T(&c, M_STATEMENT);
    d->head_left = stmt_str(d, st->firm_name[0] ? st->firm_name : st->firm);
    d->head_right = stmt_msgf(d, M_ACCOUNT_LINE, 2, st->account,
                              stmt_msgf(d, M_PERIOD_RANGE, 2, date(&c, st->from), date(&c, st->to)));
    summary(&c, st);
    performance(&c, st);
    allocation(&c, st);
    holdings(&c, st);
    transactions(&c, st);
    fees(&c, st);
    gains(&c, st);
    risk(&c, st);
    disclosures(&c, st);
    return finish(d, err);
}

/* --- the tax report ---------------------------------------------------------------------------- */

ra_status stmt_doc_tax(const ra_tax_report *r, ra_stmt_lang lang, stmt_doc *d, ra_err *err)
{
    memset(d, 0, sizeof *d);
    d->lang = lang;
    ctx c = {d, lang, r->minor_digits, r->currency};
    char y[16], w[16];
    snprintf(y, sizeof y, "%d", r->year);
    snprintf(w, sizeof w, "%d", r->wash_window_days);
    d->title = T(&c, M_TAX_REPORT);
    d->head_left = stmt_str(d, r->firm_name[0] ? r->firm_name : r->firm);
    d->head_right = stmt_msgf(d, M_ACCOUNT_LINE, 2, r->account, stmt_msgf(d, M_TAX_YEAR, 1, y));
    stmt_doc_add(d, SB_H1, stmt_msgf(d, M_TAX_YEAR, 1, y));
    stmt_block *kv = stmt_doc_table(d, 2, (const char *[]){T(&c, M_CLIENT), r->client_name}, NULL);
    kv->no_head = 1;
    stmt_table_row(d, kv, (const char *[]){T(&c, M_ACCOUNT), r->account});
    stmt_table_row(d, kv, (const char *[]){T(&c, M_CURRENCY), r->currency});
    for (int part = 0; part < 2; part++) {
        stmt_doc_add(d, SB_H2, T(&c, part ? M_TAX_PART2 : M_TAX_PART1));
        stmt_block *t = stmt_doc_table(
            d, 8,
            (const char *[]){T(&c, M_TAX_A), T(&c, M_TAX_B), T(&c, M_TAX_C), T(&c, M_TAX_D),
                             T(&c, M_TAX_E), T(&c, M_TAX_F), T(&c, M_TAX_G), T(&c, M_TAX_H)},
            (const unsigned char[]){0, 0, 0, 1, 1, 0, 1, 1});
        for (size_t i = 0; i < r->n_rows; i++) {
            const ra_tax_row *x = &r->rows[i];
            if (x->long_term != part)
                continue;
            char desc[RA_CODE_MAX + 64];
            snprintf(desc, sizeof desc, "%s %s %s", qty(&c, x->qty_micro), T(&c, M_SHARES),
                     x->ticker);
            stmt_table_row(d, t,
                           (const char *[]){stmt_str(d, desc), date(&c, x->acquired),
                                            date(&c, x->sold), money(&c, x->proceeds_minor),
                                            money(&c, x->cost_minor), x->wash ? "W" : "",
                                            money(&c, x->adjustment_minor),
                                            money(&c, x->gain_minor)});
        }
        stmt_table_row(d, t,
                       (const char *[]){T(&c, M_TOTAL), "", "", money(&c, r->total_proceeds[part]),
                                        money(&c, r->total_cost[part]), "",
                                        money(&c, r->total_adjustment[part]),
                                        money(&c, r->total_gain[part])});
        t->last_bold = 1;
    }
    stmt_doc_add(d, SB_NOTE, stmt_msgf(d, M_TAX_NOTE, 2, r->currency, stmt_str(d, w)));
    stmt_doc_add(d, SB_H2, stmt_msgf(d, M_TAX_HARVEST, 1, y));
    char ns[24];
    snprintf(ns, sizeof ns, "%zu", r->harvest_sales);
    stmt_block *h = stmt_doc_table(d, 2, (const char *[]){T(&c, M_HARVEST_SALES), stmt_str(d, ns)},
                                   (const unsigned char[]){0, 1});
    h->no_head = 1;
    stmt_table_row(d, h, (const char *[]){stmt_msgf(d, M_K_HARVESTED, 0),
                                          money(&c, r->harvested_minor)});
    stmt_table_row(d, h, (const char *[]){T(&c, M_K_WASH), money(&c, r->harvest_disallowed_minor)});
    stmt_table_row(d, h, (const char *[]){T(&c, M_HARVEST_ALLOWED_S),
                                          money(&c, r->harvest_allowed_short_minor)});
    stmt_table_row(d, h, (const char *[]){T(&c, M_HARVEST_ALLOWED_L),
                                          money(&c, r->harvest_allowed_long_minor)});
    stmt_doc_add(d, SB_NOTE, stmt_msgf(d, M_PRODUCED, 2, date(&c, r->source_date), r->currency));
    return finish(d, err);
}

/* --- the firm report --------------------------------------------------------------------------- */

ra_status stmt_doc_firm(const ra_firm_report *r, ra_stmt_lang lang, stmt_doc *d, ra_err *err)
{
    memset(d, 0, sizeof *d);
    d->lang = lang;
    ctx c = {d, lang, r->minor_digits, r->currency};
    d->title = T(&c, M_FIRM_REPORT);
    d->head_left = stmt_str(d, r->firm_name[0] ? r->firm_name : r->firm);
    d->head_right = stmt_msgf(d, M_FIRM_DATE, 1, date(&c, r->date));
    stmt_doc_add(d, SB_H1, stmt_msgf(d, M_FIRM_DATE, 1, date(&c, r->date)));
    char n[6][24];
    snprintf(n[0], 24, "%zu", r->n_rows);
    snprintf(n[1], 24, "%zu", r->out_of_band);
    snprintf(n[2], 24, "%zu", r->suspended);
    snprintf(n[3], 24, "%zu", r->open_alerts);
    char year[8];
    int yy, mm, dd;
    ra_date_to_ymd(r->date, &yy, &mm, &dd);
    snprintf(year, sizeof year, "%d", yy);
    stmt_block *kv = stmt_doc_table(d, 3,
                                    (const char *[]){T(&c, M_FIRM_ASSETS),
                                                     money(&c, r->total_minor), r->currency},
                                    (const unsigned char[]){0, 1, 0});
    kv->no_head = 1;
    stmt_table_row(d, kv, (const char *[]){T(&c, M_FIRM_ACCOUNTS), stmt_str(d, n[0]), ""});
    stmt_table_row(d, kv, (const char *[]){T(&c, M_FIRM_OUT_OF_BAND), stmt_str(d, n[1]), ""});
    stmt_table_row(d, kv, (const char *[]){T(&c, M_FIRM_SUSPENDED), stmt_str(d, n[2]), ""});
    stmt_table_row(d, kv, (const char *[]){T(&c, M_FIRM_ALERTS), stmt_str(d, n[3]), ""});
    stmt_table_row(d, kv, (const char *[]){stmt_msgf(d, M_FIRM_FEES, 2, stmt_str(d, year), r->currency),
                                           money(&c, r->fees_billed_minor), r->currency});
    stmt_doc_add(d, SB_H2, T(&c, M_FIRM_BY_LEVEL));
    stmt_block *lv = stmt_doc_table(d, 3,
                                    (const char *[]){T(&c, M_LEVEL), T(&c, M_COUNT),
                                                     with_ccy(&c, M_VALUE)},
                                    (const unsigned char[]){0, 1, 1});
    for (int k = 0; k <= 5; k++) {
        char cnt[24];
        snprintf(cnt, sizeof cnt, "%zu", r->by_level_n[k]);
        stmt_table_row(d, lv, (const char *[]){k ? level_c(&c, k) : T(&c, M_NO_LEVEL),
                                               stmt_str(d, cnt), money(&c, r->by_level_minor[k])});
    }
    stmt_doc_add(d, SB_H2, T(&c, M_FIRM_BY_TIER));
    stmt_block *tv = stmt_doc_table(d, 3,
                                    (const char *[]){T(&c, M_TIER), T(&c, M_COUNT),
                                                     with_ccy(&c, M_VALUE)},
                                    (const unsigned char[]){0, 1, 1});
    static const ra_stmt_msg_key tiers[3] = {M_TIER_DIGITAL, M_TIER_HYBRID, M_TIER_ADVISOR};
    for (int k = 0; k < 3; k++) {
        char cnt[24];
        snprintf(cnt, sizeof cnt, "%zu", r->by_tier_n[k]);
        stmt_table_row(d, tv, (const char *[]){T(&c, tiers[k]), stmt_str(d, cnt),
                                               money(&c, r->by_tier_minor[k])});
    }
    stmt_doc_add(d, SB_H2, T(&c, M_FIRM_LIST));
    stmt_block *t = stmt_doc_table(d, 6,
                                   (const char *[]){T(&c, M_ACCOUNT), T(&c, M_LEVEL), T(&c, M_TIER),
                                                    with_ccy(&c, M_VALUE), T(&c, M_DRIFT_PCT),
                                                    T(&c, M_STATUS)},
                                   (const unsigned char[]){0, 0, 0, 1, 1, 0});
    for (size_t i = 0; i < r->n_rows; i++) {
        const ra_firm_row *x = &r->rows[i];
        int tier = strcmp(x->tier, "hybrid") == 0        ? 1
                   : strcmp(x->tier, "advisor-led") == 0 ? 2
                                                         : 0;
        const char *status = x->suspended     ? T(&c, M_SUSPENDED)
                             : x->out_of_band ? T(&c, M_OUT_OF_BAND)
                                              : T(&c, M_IN_BAND);
        stmt_table_row(d, t,
                       (const char *[]){stmt_str(d, x->account),
                                        x->client_level ? level_c(&c, x->client_level) : "-",
                                        T(&c, tiers[tier]), money(&c, x->value_minor),
                                        pct(&c, x->drift, 2), status});
    }
    return finish(d, err);
}
