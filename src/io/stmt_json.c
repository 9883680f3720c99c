/* The statement as JSON (docs/cli.md#report-statement) and the tax report as CSV (Form 8949's
 * columns), and the public render entry points of include/roboadvisor/statement.h. The JSON is
 * written here rather than through jansson so that rates come out in their shortest exact form,
 * as every command prints them (docs/cli.md#conventions). */
#include "stmt_int.h"

#include <roboadvisor/alloc.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void jstr(stmt_buf *b, const char *s)
{
    stmt_buf_puts(b, "\"");
    for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
        if (*u == '"' || *u == '\\')
            stmt_buf_printf(b, "\\%c", *u);
        else if (*u < 0x20)
            stmt_buf_printf(b, "\\u%04x", *u);
        else
            stmt_buf_add(b, (const char *)u, 1);
    }
    stmt_buf_puts(b, "\"");
}

/* The fewest significant digits that read back as x; null for NAN or Inf. */
static void jnum(stmt_buf *b, double x)
{
    if (!isfinite(x)) {
        stmt_buf_puts(b, "null");
        return;
    }
    char s[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(s, sizeof s, "%.*g", p, x);
        if (strtod(s, NULL) == x)
            break;
    }
    if (!strpbrk(s, ".eEn"))
        strcat(s, ".0");
    stmt_buf_puts(b, s);
}

static void jmoney(stmt_buf *b, ra_minor v, int md)
{
    char s[RA_MONEY_FMT_SIZE];
    stmt_buf_printf(b, "\"%s\"", ra_money_format_minor(v, md, s, sizeof s));
}

static void jdate(stmt_buf *b, ra_date d)
{
    char s[11];
    if (d)
        stmt_buf_printf(b, "\"%s\"", ra_date_format(d, s));
    else
        stmt_buf_puts(b, "null");
}

static void jqty(stmt_buf *b, ra_micro q)
{
    char s[RA_MONEY_FMT_SIZE];
    stmt_buf_printf(b, "\"%s\"", ra_money_format_qty(q, s, sizeof s));
}

static void jlevel(stmt_buf *b, char prefix, int level)
{
    if (level >= 1 && level <= 5)
        stmt_buf_printf(b, "\"%c%d\"", prefix, level);
    else
        stmt_buf_puts(b, "null");
}

static const char *const src_name[RA_STMT_SRC_N] = {
    "ledger", "daily_values", "prices", "model", "fees", "gains", "profile", "risk"};
static const char *const key_name[RA_STMT_KEY_N] = {
    "opening_value", "deposits", "withdrawals", "fees_debited", "investment_gain",
    "closing_value", "time_weighted_return", "benchmark_return", "money_weighted_return",
    "unrealised_gain", "realised_short_term", "realised_long_term", "wash_sale_disallowed",
    "losses_harvested", "fees_billed"};
static const char *const txn_name[] = {"",         "deposit",    "withdrawal", "buy",
                                       "sell",     "dividend",   "reinvest",   "fee",
                                       "transfer_in", "transfer_out", "split"};

ra_status stmt_json_statement(const ra_statement *st, char **out, size_t *len, ra_err *err)
{
    stmt_buf b = {0};
    int md = st->minor_digits;
    static const char *const types[] = {"taxable", "tax_deferred", "tax_free"};
    stmt_buf_puts(&b, "{\"firm\": ");
    jstr(&b, st->firm);
    stmt_buf_puts(&b, ", \"account\": ");
    jstr(&b, st->account);
    stmt_buf_puts(&b, ", \"client\": ");
    jstr(&b, st->client);
    stmt_buf_puts(&b, ", \"client_name\": ");
    jstr(&b, st->client_name);
    stmt_buf_printf(&b, ", \"account_type\": \"%s\", \"discretionary\": %s, \"currency\": ",
                    types[st->account_type >= 0 && st->account_type < 3 ? st->account_type : 0],
                    st->discretionary ? "true" : "false");
    jstr(&b, st->currency);
    stmt_buf_puts(&b, ", \"from\": ");
    jdate(&b, st->from);
    stmt_buf_puts(&b, ", \"to\": ");
    jdate(&b, st->to);
    stmt_buf_puts(&b, ", \"model\": ");
    if (st->model[0])
        jstr(&b, st->model);
    else
        stmt_buf_puts(&b, "null");
    stmt_buf_puts(&b, ",\n \"risk\": {\"client_level\": ");
    jlevel(&b, 'C', st->client_level);
    stmt_buf_puts(&b, ", \"profile_taken\": ");
    jdate(&b, st->profile_taken);
    stmt_buf_puts(&b, ", \"profile_expires\": ");
    jdate(&b, st->profile_expires);
    stmt_buf_printf(&b, ", \"profile_expired\": %s, \"model_level\": ",
                    st->profile_expired ? "true" : "false");
    jlevel(&b, 'R', st->model_level);
    stmt_buf_puts(&b, ", \"portfolio_level\": ");
    jlevel(&b, 'R', st->portfolio_level);
    stmt_buf_printf(&b, ", \"suitable\": %s},\n \"figures\": {",
                    st->suitable ? "true" : "false");
    for (int k = 0; k < RA_STMT_KEY_N; k++) {
        const ra_stmt_fig *f = &st->fig[k];
        stmt_buf_printf(&b, "%s\n  \"%s\": {\"value\": ", k ? "," : "", key_name[k]);
        if (!f->valid)
            stmt_buf_puts(&b, "null");
        else if (f->is_rate)
            jnum(&b, f->rate);
        else
            jmoney(&b, f->minor, md);
        stmt_buf_puts(&b, ", \"unit\": ");
        jstr(&b, f->is_rate ? (k == RA_STMT_MWR ? "fraction per year" : "fraction")
                            : st->currency);
        stmt_buf_printf(&b, ", \"source\": \"%s\", \"as_of\": ", src_name[f->src]);
        jdate(&b, f->as_of);
        stmt_buf_puts(&b, ", \"risk_level\": ");
        jlevel(&b, 'R', f->risk_level);
        stmt_buf_puts(&b, "}");
    }
    stmt_buf_puts(&b, "},\n \"sources\": {");
    for (int k = 0; k < RA_STMT_SRC_N; k++) {
        stmt_buf_printf(&b, "%s\"%s\": ", k ? ", " : "", src_name[k]);
        jdate(&b, st->source_date[k]);
    }
    stmt_buf_puts(&b, "},\n \"series\": [");
    for (size_t i = 0; i < st->n_series; i++) {
        const ra_stmt_point *p = &st->series[i];
        stmt_buf_puts(&b, i ? ",\n  {\"date\": " : "\n  {\"date\": ");
        jdate(&b, p->date);
        stmt_buf_puts(&b, ", \"value\": ");
        jmoney(&b, p->value_minor, md);
        stmt_buf_puts(&b, ", \"benchmark\": ");
        jmoney(&b, p->bench_minor, md);
        stmt_buf_puts(&b, ", \"flow\": ");
        jmoney(&b, p->flow_minor, md);
        stmt_buf_puts(&b, "}");
    }
    stmt_buf_puts(&b, "],\n \"cash\": ");
    jmoney(&b, st->cash_minor, md);
    stmt_buf_puts(&b, ", \"cash_weight\": ");
    jnum(&b, st->cash_weight);
    stmt_buf_puts(&b, ", \"cash_target\": ");
    jnum(&b, st->cash_target);
    stmt_buf_puts(&b, ",\n \"holdings\": [");
    for (size_t i = 0; i < st->n_holdings; i++) {
        const ra_stmt_holding *h = &st->holdings[i];
        char pr[RA_MONEY_FMT_SIZE];
        stmt_buf_puts(&b, i ? ",\n  {\"ticker\": " : "\n  {\"ticker\": ");
        jstr(&b, h->ticker);
        stmt_buf_puts(&b, ", \"name\": ");
        jstr(&b, h->name);
        stmt_buf_puts(&b, ", \"asset_class\": ");
        jstr(&b, h->asset_class);
        stmt_buf_puts(&b, ", \"risk_level\": ");
        jlevel(&b, 'R', h->risk_level);
        stmt_buf_puts(&b, ", \"qty\": ");
        jqty(&b, h->qty_micro);
        stmt_buf_puts(&b, ", \"price\": ");
        if (h->price)
            stmt_buf_printf(&b, "\"%s\"", ra_money_format_price(h->price, pr, sizeof pr));
        else
            stmt_buf_puts(&b, "null");
        stmt_buf_puts(&b, ", \"price_date\": ");
        jdate(&b, h->price_date);
        stmt_buf_puts(&b, ", \"source\": \"prices\", \"value\": ");
        jmoney(&b, h->value_minor, md);
        stmt_buf_puts(&b, ", \"weight\": ");
        jnum(&b, h->weight);
        stmt_buf_puts(&b, ", \"target\": ");
        jnum(&b, h->target);
        stmt_buf_puts(&b, ", \"cost\": ");
        jmoney(&b, h->cost_minor, md);
        stmt_buf_puts(&b, ", \"unrealised\": ");
        jmoney(&b, h->unrealised_minor, md);
        stmt_buf_puts(&b, "}");
    }
    stmt_buf_puts(&b, "],\n \"allocation\": [");
    for (size_t i = 0; i < st->n_classes; i++) {
        stmt_buf_puts(&b, i ? ", {\"asset_class\": " : "{\"asset_class\": ");
        jstr(&b, st->classes[i].asset_class);
        stmt_buf_puts(&b, ", \"actual\": ");
        jnum(&b, st->classes[i].actual);
        stmt_buf_puts(&b, ", \"target\": ");
        jnum(&b, st->classes[i].target);
        stmt_buf_puts(&b, "}");
    }
    stmt_buf_puts(&b, "],\n \"transactions\": [");
    for (size_t i = 0; i < st->n_txns; i++) {
        const ra_stmt_txn *x = &st->txns[i];
        char pr[RA_MONEY_FMT_SIZE];
        stmt_buf_puts(&b, i ? ",\n  {\"date\": " : "\n  {\"date\": ");
        jdate(&b, x->date);
        stmt_buf_printf(&b, ", \"kind\": \"%s\", \"ticker\": ",
                        x->kind >= 1 && x->kind <= 10 ? txn_name[x->kind] : "");
        jstr(&b, x->ticker);
        stmt_buf_puts(&b, ", \"qty\": ");
        jqty(&b, x->qty_micro);
        stmt_buf_printf(&b, ", \"price\": \"%s\", \"cash\": ",
                        ra_money_format_price(x->price, pr, sizeof pr));
        jmoney(&b, x->cash_minor, md);
        stmt_buf_puts(&b, ", \"fees\": ");
        jmoney(&b, x->fees_minor, md);
        stmt_buf_puts(&b, ", \"source\": \"ledger\"}");
    }
    stmt_buf_puts(&b, "],\n \"fees\": [");
    for (size_t i = 0; i < st->n_fees; i++) {
        const ra_stmt_fee *f = &st->fees[i];
        stmt_buf_puts(&b, i ? ",\n  {\"period_start\": " : "\n  {\"period_start\": ");
        jdate(&b, f->period_start);
        stmt_buf_puts(&b, ", \"period_end\": ");
        jdate(&b, f->period_end);
        stmt_buf_puts(&b, ", \"schedule\": ");
        jstr(&b, f->schedule);
        stmt_buf_printf(&b, ", \"days\": %d, \"average_value\": ", f->days);
        jmoney(&b, f->average_minor, md);
        stmt_buf_puts(&b, ", \"asset_fee\": ");
        jmoney(&b, f->asset_fee_minor, md);
        stmt_buf_puts(&b, ", \"subscription\": ");
        jmoney(&b, f->subscription_minor, md);
        stmt_buf_puts(&b, ", \"service_fees\": ");
        jmoney(&b, f->service_minor, md);
        stmt_buf_puts(&b, ", \"performance_fee\": ");
        jmoney(&b, f->perf_fee_minor, md);
        if (f->has_perf) {
            stmt_buf_puts(&b, ", \"performance\": {\"profit\": ");
            jmoney(&b, f->perf_profit_minor, md);
            stmt_buf_puts(&b, ", \"hurdle\": ");
            jmoney(&b, f->perf_hurdle_minor, md);
            stmt_buf_puts(&b, ", \"carried_loss\": ");
            jmoney(&b, f->carried_loss_minor, md);
            stmt_buf_printf(&b, ", \"rate_ppm\": %lld}", (long long)f->perf_rate_ppm);
        }
        stmt_buf_puts(&b, ", \"total\": ");
        jmoney(&b, f->total_minor, md);
        stmt_buf_printf(&b, ", \"billed\": %s, \"source\": \"fees\"}",
                        f->billed ? "true" : "false");
    }
    stmt_buf_puts(&b, "],\n \"fee_schedule\": ");
    if (!st->schedule.have)
        stmt_buf_puts(&b, "null");
    else {
        const ra_stmt_fee_schedule *s = &st->schedule;
        stmt_buf_puts(&b, "{\"code\": ");
        jstr(&b, s->code);
        stmt_buf_printf(&b, ", \"version\": %lld, \"billing_months\": %d, \"tiers\": [",
                        (long long)s->version, s->billing_months);
        for (size_t i = 0; i < s->s.n_tiers; i++) {
            stmt_buf_puts(&b, i ? ", {\"upto\": " : "{\"upto\": ");
            if (s->s.tiers[i].upto_minor == INT64_MAX)
                stmt_buf_puts(&b, "null");
            else
                jmoney(&b, s->s.tiers[i].upto_minor, md);
            stmt_buf_puts(&b, ", \"rate\": ");
            jnum(&b, (double)s->s.tiers[i].rate / RA_FEES_RATE_UNIT);
            stmt_buf_puts(&b, "}");
        }
        stmt_buf_puts(&b, "], \"min_annual\": ");
        jmoney(&b, s->s.min_annual_minor, md);
        stmt_buf_puts(&b, ", \"monthly\": ");
        jmoney(&b, s->s.monthly_minor, md);
        stmt_buf_printf(&b, ", \"performance_rate_ppm\": %lld, \"performance_hurdle_ppm\": %lld}",
                        (long long)s->perf_rate_ppm, (long long)s->perf_hurdle_ppm);
    }
    stmt_buf_printf(&b, ",\n \"wash_sale_window_days\": %d, \"sales\": [", st->wash_window_days);
    for (size_t i = 0; i < st->n_sales; i++) {
        const ra_stmt_sale *x = &st->sales[i];
        stmt_buf_puts(&b, i ? ",\n  {\"date\": " : "\n  {\"date\": ");
        jdate(&b, x->date);
        stmt_buf_puts(&b, ", \"ticker\": ");
        jstr(&b, x->ticker);
        stmt_buf_puts(&b, ", \"qty\": ");
        jqty(&b, x->qty_micro);
        stmt_buf_puts(&b, ", \"proceeds\": ");
        jmoney(&b, x->proceeds_minor, md);
        stmt_buf_puts(&b, ", \"cost\": ");
        jmoney(&b, x->cost_minor, md);
        stmt_buf_puts(&b, ", \"gain\": ");
        jmoney(&b, x->gain_minor, md);
        stmt_buf_puts(&b, ", \"short_term\": ");
        jmoney(&b, x->short_minor, md);
        stmt_buf_puts(&b, ", \"long_term\": ");
        jmoney(&b, x->long_minor, md);
        stmt_buf_puts(&b, ", \"wash_sale_disallowed\": ");
        jmoney(&b, x->disallowed_minor, md);
        stmt_buf_printf(&b, ", \"harvest\": %s, \"source\": \"gains\"}",
                        x->harvest ? "true" : "false");
    }
    for (int w = 0; w < 2; w++) {
        const ra_stmt_event *e = w ? st->suspensions : st->alerts;
        size_t n = w ? st->n_suspensions : st->n_alerts;
        stmt_buf_printf(&b, "],\n \"%s\": [", w ? "suspensions" : "alerts");
        for (size_t i = 0; i < n; i++) {
            stmt_buf_puts(&b, i ? ", {\"kind\": " : "{\"kind\": ");
            jstr(&b, e[i].kind);
            stmt_buf_puts(&b, ", \"date\": ");
            jdate(&b, e[i].date);
            stmt_buf_puts(&b, w ? ", \"reauthorised\": " : ", \"closed\": ");
            jdate(&b, e[i].closed);
            stmt_buf_puts(&b, ", \"observed\": ");
            jnum(&b, e[i].observed);
            stmt_buf_puts(&b, ", \"threshold\": ");
            jnum(&b, e[i].threshold);
            if (w) {
                stmt_buf_puts(&b, ", \"loss\": ");
                jmoney(&b, e[i].loss_minor, md);
                stmt_buf_puts(&b, ", \"reauthorised_by\": ");
                jstr(&b, e[i].by);
            }
            stmt_buf_puts(&b, ", \"source\": \"risk\"}");
        }
    }
    stmt_buf_puts(&b, "]}\n");
    return stmt_buf_take(&b, out, len, err);
}

ra_status stmt_csv_tax(const ra_tax_report *r, char **out, size_t *len, ra_err *err)
{
    stmt_buf b = {0};
    stmt_buf_puts(&b, "part,description,acquired,sold,proceeds,cost,code,adjustment,gain,term,"
                      "account,txn_id,lot_id\n");
    for (size_t i = 0; i < r->n_rows; i++) {
        const ra_tax_row *x = &r->rows[i];
        char q[RA_MONEY_FMT_SIZE], a[11], s[11], p[RA_MONEY_FMT_SIZE], c[RA_MONEY_FMT_SIZE],
            g[RA_MONEY_FMT_SIZE], h[RA_MONEY_FMT_SIZE];
        stmt_buf_printf(&b, "%s,%s sh %s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%llu,%llu\n",
                        x->long_term ? "II" : "I", ra_money_format_qty(x->qty_micro, q, sizeof q),
                        x->ticker, ra_date_format(x->acquired, a), ra_date_format(x->sold, s),
                        ra_money_format_minor(x->proceeds_minor, r->minor_digits, p, sizeof p),
                        ra_money_format_minor(x->cost_minor, r->minor_digits, c, sizeof c),
                        x->wash ? "W" : "",
                        ra_money_format_minor(x->adjustment_minor, r->minor_digits, g, sizeof g),
                        ra_money_format_minor(x->gain_minor, r->minor_digits, h, sizeof h),
                        x->long_term ? "long" : "short", r->account,
                        (unsigned long long)x->txn_seq, (unsigned long long)x->lot_id);
    }
    for (int t = 0; t < 2; t++) {
        char p[RA_MONEY_FMT_SIZE], c[RA_MONEY_FMT_SIZE], g[RA_MONEY_FMT_SIZE], h[RA_MONEY_FMT_SIZE];
        stmt_buf_printf(&b, "%s,total,,,%s,%s,,%s,%s,%s,%s,,\n", t ? "II" : "I",
                        ra_money_format_minor(r->total_proceeds[t], r->minor_digits, p, sizeof p),
                        ra_money_format_minor(r->total_cost[t], r->minor_digits, c, sizeof c),
                        ra_money_format_minor(r->total_adjustment[t], r->minor_digits, g, sizeof g),
                        ra_money_format_minor(r->total_gain[t], r->minor_digits, h, sizeof h),
                        t ? "long" : "short", r->account);
    }
    char hv[RA_MONEY_FMT_SIZE], hd[RA_MONEY_FMT_SIZE];
    stmt_buf_printf(&b, "harvest,%zu sales,,,,,,%s,%s,,%s,,\n", r->harvest_sales,
                    ra_money_format_minor(r->harvest_disallowed_minor, r->minor_digits, hd, sizeof hd),
                    ra_money_format_minor(r->harvested_minor, r->minor_digits, hv, sizeof hv),
                    r->account);
    return stmt_buf_take(&b, out, len, err);
}

/* --- the public entry points ------------------------------------------------------------------ */

static ra_status render_doc(stmt_doc *d, ra_stmt_format f, char **out, size_t *len, ra_err *err)
{
    ra_status rc = f == RA_STMT_PDF    ? stmt_pdf_render(d, out, len, err)
                   : f == RA_STMT_HTML ? stmt_html_render(d, out, len, err)
                                       : ra_err_set(err, RA_EINVAL, NULL,
                                                    "this document is written as PDF or HTML");
    stmt_doc_free(d);
    return rc;
}

ra_status ra_statement_render(const ra_statement *st, ra_stmt_format f, ra_stmt_lang lang,
                              char **out, size_t *len, ra_err *err)
{
    *out = NULL;
    *len = 0;
    if ((unsigned)lang >= RA_STMT_LANG_N)
        return ra_err_set(err, RA_EINVAL, NULL, "a language is en or zh-CN");
    if (f == RA_STMT_JSON)
        return stmt_json_statement(st, out, len, err);
    stmt_doc d;
    ra_status rc = stmt_doc_statement(st, lang, &d, err);
    return rc != RA_OK ? rc : render_doc(&d, f, out, len, err);
}

ra_status ra_tax_report_render(const ra_tax_report *r, ra_stmt_format f, ra_stmt_lang lang,
                               char **out, size_t *len, ra_err *err)
{
    *out = NULL;
    *len = 0;
    if ((unsigned)lang >= RA_STMT_LANG_N)
        return ra_err_set(err, RA_EINVAL, NULL, "a language is en or zh-CN");
    if (f == RA_STMT_CSV)
        return stmt_csv_tax(r, out, len, err);
    stmt_doc d;
    ra_status rc = stmt_doc_tax(r, lang, &d, err);
    return rc != RA_OK ? rc : render_doc(&d, f, out, len, err);
}

ra_status ra_firm_report_render(const ra_firm_report *r, ra_stmt_format f, ra_stmt_lang lang,
                                char **out, size_t *len, ra_err *err)
{
    *out = NULL;
    *len = 0;
    if ((unsigned)lang >= RA_STMT_LANG_N)
        return ra_err_set(err, RA_EINVAL, NULL, "a language is en or zh-CN");
    stmt_doc d;
    ra_status rc = stmt_doc_firm(r, lang, &d, err);
    return rc != RA_OK ? rc : render_doc(&d, f, out, len, err);
}
