/* roboadvisor diagnose: a client's own portfolio against its risk level, the suitable model and
 * the efficient frontier (docs/cli.md#diagnose; the figures: docs/methodology.md#diagnosis). The
 * engine computes (src/engine/diagnose.c); this file parses, calls and prints. */
#include "cli.h"

#include <roboadvisor/engine_cycle.h>
#include <roboadvisor/engine_diagnose.h>

#include <string.h>

typedef struct diag_opts {
    cli_book_args book;
    const char *account, *holdings, *client, *value;
    ra_date date;
    int level, window_years;
    double overlap_corr;
    cli_format format;
} diag_opts;

static const cli_opt options[] = {
    CLI_OPTS_BOOK(diag_opts, book),
    CLI_O("account", CLI_OPT_STR, diag_opts, account),
    CLI_O("holdings", CLI_OPT_STR, diag_opts, holdings),
    CLI_O("client", CLI_OPT_STR, diag_opts, client),
    CLI_O("value", CLI_OPT_STR, diag_opts, value),
    CLI_O("date", CLI_OPT_DATE, diag_opts, date),
    CLI_O("level", CLI_OPT_CUSTOM, diag_opts, level, .fn = cli_opt_client_level),
    CLI_O("window-years", CLI_OPT_SIZE, diag_opts, window_years, .lo = 1, .hi = 50),
    CLI_O("overlap-correlation", CLI_OPT_DOUBLE, diag_opts, overlap_corr, .dlo = -1, .dhi = 1,
          .msg = "must be between -1 and 1, got \"%s\""),
    CLI_O("format", CLI_OPT_FORMAT, diag_opts, format),
    CLI_OPT_END};

static void help(void)
{
    printf("usage: roboadvisor diagnose --account A | --holdings FILE\n"
           "                  [--level C1..C5] [--client C] [--value AMOUNT] [--date D]\n"
           "                  [--window-years N] [--overlap-correlation X]\n"
           "                  [--firm CODE] [--db URL] [--key-file FILE] [--format table|json]\n\n"
           "Diagnoses a portfolio: an account of the book as of D (its transactions replayed), or a\n"
           "holdings file (ticker,quantity or ticker,weight; docs/formats.md#holdings) whose\n"
           "securities, on the shelf or not, have prices in the book. Reports expected return and\n"
           "volatility (historical, N years of daily closes, default 3), drawdowns and CVaR 95 %%,\n"
           "concentration, costs, overlapping funds (same asset class, or correlation above X,\n"
           "default 0.9), each holding's risk level against the client's (the stored profile of\n"
           "the account's client or of --client, or --level), the distance to the firm's suitable\n"
           "model and to the efficient frontier, and the trades that would fix what is found.\n"
           "A weight file needs --value, the portfolio's value in the firm's currency. D defaults\n"
           "to the latest close in the book. Every figure says its unit, source and date.\n");
}

static const char *const HELD[] = {"min_trade", "lot_size", "cash", "wash_sale", "no_trade",
                                   "tax",       "buy_only",  NULL};

static json_t *jmoney(ra_minor v, int md)
{
    char b[RA_MONEY_FMT_SIZE];
    return json_string(ra_money_format_minor(v, md, b, sizeof b));
}

static json_t *jqty(ra_micro q)
{
    char b[RA_MONEY_FMT_SIZE];
    return json_string(ra_money_format_qty(q, b, sizeof b));
}

static json_t *jprice(ra_price p)
{
    char b[RA_MONEY_FMT_SIZE];
    return json_string(ra_money_format_price(p, b, sizeof b));
}

/* The date of wealth point k of the window (0: the first close, k: the close after return k). */
static ra_date point_date(const ra_diag_report *r, size_t k)
{
    return k <= r->in.n_obs ? r->dates[k] : 0;
}

/* A holding's value at its price (the core checked that it fits). */
static ra_minor value_of(const ra_diag_asset *a, int md)
{
    ra_minor v = 0;
    return ra_money_value(a->qty_micro, a->price, md, &v, NULL) == RA_OK ? v : 0;
}

static json_t *trades_json(const ra_diag_report *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->res.n_trades; i++) {
        const ra_rebal_trade *t = &r->res.trades[i];
        json_t *rs = json_array();
        for (unsigned k = 0; k < RA_CYCLE_N_REASONS; k++)
            if (t->reasons & (1u << k))
                json_array_append_new(rs, json_string(ra_cycle_reason_name(k)));
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:o, s:o, s:o, s:b, s:o}", "side", t->side > 0 ? "buy" : "sell",
                         "ticker", r->ticker[t->asset], "quantity", jqty(t->qty_micro), "price",
                         jprice(t->price), "value", jmoney(t->value_minor, r->minor_digits),
                         "unsuitable", r->res.unsuitable[t->asset], "reasons", rs));
    }
    return a;
}

static int print_json(const ra_diag_report *r)
{
    const ra_diag_result *x = &r->res;
    int md = r->minor_digits;
    json_t *doc = json_object();
    json_object_set_new(doc, "source", json_string(r->source));
    json_object_set_new(doc, "date", cli_jdate(r->date));
    json_object_set_new(doc, "currency", json_string(r->currency));
    json_object_set_new(doc, "value", jmoney(x->value_minor, md));
    json_object_set_new(
        doc, "data",
        json_pack("{s:s, s:o, s:o, s:I, s:f, s:s, s:s, s:s}", "prices",
                  "daily closes stored in the book", "from", cli_jdate(r->from), "to",
                  cli_jdate(r->to), "returns", (json_int_t)r->in.n_obs, "periods_per_year",
                  r->in.ppy, "method",
                  "historical: annualised mean and sample covariance of daily simple returns",
                  "securities", "the firm's securities master: asset classes, risk levels, "
                                "expense ratios, lot sizes",
                  "model", "the firm's stored models, latest versions"));
    json_object_set_new(doc, "client", json_pack("{s:s, s:s}", "level",
                                                 ra_prof_level_name(r->in.client_level), "source",
                                                 r->level_source));
    json_t *rr = json_object();
    json_object_set_new(rr, "expected_return", cli_jnum(x->expected_return));
    json_object_set_new(rr, "volatility", cli_jnum(x->volatility));
    json_object_set_new(rr, "max_drawdown", cli_jnum(x->max_drawdown));
    json_object_set_new(rr, "max_drawdown_peak", cli_jdate(point_date(r, x->dd_peak)));
    json_object_set_new(rr, "max_drawdown_trough", cli_jdate(point_date(r, x->dd_trough)));
    json_object_set_new(rr, "current_drawdown", cli_jnum(x->current_drawdown));
    json_object_set_new(rr, "var_1d_95", cli_jnum(x->var_1d));
    json_object_set_new(rr, "cvar_1d_95", cli_jnum(x->cvar_1d));
    json_object_set_new(rr, "cvar_annual_95", cli_jnum(x->cvar_ann));
    json_object_set_new(doc, "return_risk", rr);
    json_t *hs = json_array();
    for (size_t j = 0; j < r->n; j++) {
        const ra_diag_asset *a = &r->a[j];
        if (a->qty_micro <= 0 && a->target <= 0)
            continue;
        ra_minor v = value_of(a, md);
        json_array_append_new(
            hs, json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "ticker",
                          r->ticker[j], "asset_class", r->cls[j], "risk_level",
                          ra_suit_level_name(a->risk_level), "on_shelf", r->on_shelf[j], "quantity",
                          jqty(a->qty_micro), "price", jprice(a->price), "price_date",
                          cli_jdate(r->price_date[j]), "value", jmoney(v, md), "weight",
                          cli_jnum(x->w[j]), "model_weight", cli_jnum(a->target),
                          "expense_ratio_bps", cli_jnum(a->expense_ratio * 1e4), "suitable",
                          !x->unsuitable[j]));
    }
    json_object_set_new(doc, "holdings", hs);
    json_object_set_new(doc, "cash", json_pack("{s:o, s:o, s:o}", "value",
                                               jmoney(r->in.cash_minor, md), "weight",
                                               cli_jnum(x->cash_weight), "model_weight",
                                               cli_jnum(r->in.cash_target)));
    json_t *top = json_array(), *cls = json_array();
    for (size_t k = 0; k < x->n_top; k++)
        json_array_append_new(top, json_pack("{s:s, s:o}", "ticker", r->ticker[x->top[k]],
                                             "weight", cli_jnum(x->w[x->top[k]])));
    for (size_t k = 0; k < x->n_classes; k++)
        json_array_append_new(cls, json_pack("{s:s, s:o, s:o}", "asset_class", x->classes[k].cls,
                                             "weight", cli_jnum(x->classes[k].weight),
                                             "model_weight", cli_jnum(x->classes[k].target)));
    json_object_set_new(doc, "concentration",
                        json_pack("{s:o, s:o, s:o, s:o}", "largest", top, "asset_classes", cls,
                                  "hhi", cli_jnum(x->hhi), "effective_holdings",
                                  cli_jnum(x->n_effective)));
    json_object_set_new(doc, "costs", json_pack("{s:o, s:o}", "expense_ratio_bps",
                                                cli_jnum(x->expense_ratio * 1e4), "yearly_cost",
                                                jmoney(x->cost_minor, md)));
    json_t *pairs = json_array();
    for (size_t k = 0; k < x->n_pairs; k++) {
        const ra_diag_pair *p = &x->pairs[k];
        json_array_append_new(pairs, json_pack("{s:s, s:s, s:b, s:o, s:b}", "a", r->ticker[p->i],
                                               "b", r->ticker[p->j], "same_asset_class",
                                               p->same_class, "correlation",
                                               cli_jnum(p->correlation), "correlated",
                                               p->correlated));
    }
    json_object_set_new(doc, "overlap", json_pack("{s:o, s:o}", "correlation_threshold",
                                                  cli_jnum(r->in.overlap_corr), "pairs", pairs));
    json_t *un = json_array();
    for (size_t j = 0; j < r->n; j++)
        if (x->unsuitable[j])
            json_array_append_new(un, json_pack("{s:s, s:s, s:o}", "ticker", r->ticker[j],
                                                "risk_level", ra_suit_level_name(r->a[j].risk_level),
                                                "weight", cli_jnum(x->w[j])));
    json_object_set_new(doc, "suitability",
                        json_pack("{s:s, s:o, s:o}", "client_level",
                                  ra_prof_level_name(r->in.client_level), "unsuitable", un,
                                  "unsuitable_weight", cli_jnum(x->unsuitable_weight)));
    if (r->have_model)
        json_object_set_new(
            doc, "model",
            json_pack("{s:s, s:i, s:s, s:o, s:o, s:o, s:o, s:o}", "code", r->model, "version",
                      r->model_version, "level", ra_suit_level_name(r->model_level),
                      "cash_reserve", cli_jnum(r->in.cash_target), "expected_return",
                      cli_jnum(x->model_return), "volatility", cli_jnum(x->model_volatility),
                      "tracking_error", cli_jnum(x->tracking_error), "l1_distance",
                      cli_jnum(x->l1)));
    else
        json_object_set_new(doc, "model", json_pack("{s:s}", "note", r->no_model));
    json_object_set_new(
        doc, "frontier",
        json_pack("{s:o, s:o, s:o, s:o}", "volatility_at_same_return",
                  x->have_frontier ? cli_jnum(x->frontier_vol_same_return) : json_null(),
                  "volatility_saved", x->have_frontier ? cli_jnum(x->vol_saved) : json_null(),
                  "return_at_same_volatility",
                  x->have_return_gain ? cli_jnum(x->frontier_return_same_vol) : json_null(),
                  "return_gained", x->have_return_gain ? cli_jnum(x->return_gained) : json_null()));
    json_object_set_new(doc, "trades", trades_json(r));
    json_t *held = json_array();
    for (size_t k = 0; HELD[k]; k++)
        if (x->fix.held_back & (1u << k))
            json_array_append_new(held, json_string(HELD[k]));
    json_object_set_new(doc, "fix", json_pack("{s:o, s:o, s:o}", "drift_before",
                                              cli_jnum(x->fix.drift_before), "drift_after",
                                              cli_jnum(x->fix.drift_after), "held_back", held));
    cli_json_units(doc, "value", "currency", "return_risk.*", "fraction (annual; _1d: one day)",
                   "holdings.quantity", "shares", "holdings.price", "currency per share",
                   "holdings.value", "currency", "holdings.weight", "fraction of the value",
                   "holdings.expense_ratio_bps", "basis points per year", "costs.yearly_cost",
                   "currency per year", "model.*", "fraction (annual)", "frontier.*",
                   "fraction (annual)", "trades.quantity", "shares", "trades.value", "currency",
                   NULL);
    return cli_json_print(doc);
}

static void print_table(const ra_diag_report *r)
{
    const ra_diag_result *x = &r->res;
    int md = r->minor_digits;
    char d1[11], d2[11], b1[RA_MONEY_FMT_SIZE], b2[RA_MONEY_FMT_SIZE], b3[RA_MONEY_FMT_SIZE];
    printf("diagnosis of %s on %s: value %s %s (cash %s %s)\n", r->source,
           ra_date_format(r->date, d1), ra_money_format_minor(x->value_minor, md, b1, sizeof b1),
           r->currency, ra_money_format_minor(r->in.cash_minor, md, b2, sizeof b2), r->currency);
    printf("data: daily closes in the book, %s to %s (%zu returns); client level %s (%s)\n",
           ra_date_format(r->from, d1), ra_date_format(r->to, d2), r->in.n_obs,
           ra_prof_level_name(r->in.client_level), r->level_source);
    printf("\nreturn and risk (historical: annualised mean and sample covariance of daily "
           "returns, x252)\n");
    printf("  expected return %8.2f %%/yr   volatility %8.2f %%/yr\n", 100 * x->expected_return,
           100 * x->volatility);
    printf("  max drawdown %8.2f %% (%s to %s)   current drawdown %.2f %%\n",
           100 * x->max_drawdown, ra_date_format(point_date(r, x->dd_peak), d1),
           ra_date_format(point_date(r, x->dd_trough), d2), 100 * x->current_drawdown);
    printf("  CVaR 95 %%: %.2f %% of the value in one day, %.2f %% annualised (x sqrt 252); "
           "VaR 95 %% one day %.2f %%\n",
           100 * x->cvar_1d, 100 * x->cvar_ann, 100 * x->var_1d);
    printf("\nholdings (prices: the book's closes)\n");
    printf("  %-10s %-14s %-4s %-5s %14s %12s %10s %14s %8s %8s %6s %s\n", "ticker", "class",
           "risk", "shelf", "qty (shares)", "price", "as of", "value", "weight", "model",
           "ER bp", "suitable");
    for (size_t j = 0; j < r->n; j++) {
        const ra_diag_asset *a = &r->a[j];
        if (a->qty_micro <= 0 && a->target <= 0)
            continue;
        ra_minor v = value_of(a, md);
        printf("  %-10s %-14.14s %-4s %-5s %14s %12s %10s %14s %8.4f %8.4f %6.1f %s\n",
               r->ticker[j], r->cls[j], ra_suit_level_name(a->risk_level),
               r->on_shelf[j] ? "yes" : "no", ra_money_format_qty(a->qty_micro, b1, sizeof b1),
               ra_money_format_price(a->price, b2, sizeof b2),
               ra_date_format(r->price_date[j], d1), ra_money_format_minor(v, md, b3, sizeof b3),
               x->w[j], a->target, a->expense_ratio * 1e4,
               x->unsuitable[j] ? "NO" : a->qty_micro > 0 ? "yes" : "-");
    }
    printf("  %-10s %-14s %-4s %-5s %14s %12s %10s %14s %8.4f %8.4f\n", "cash", "cash", "", "",
           "", "", "", ra_money_format_minor(r->in.cash_minor, md, b1, sizeof b1),
           x->cash_weight, r->in.cash_target);
    printf("\nconcentration\n  largest (of the whole value):");
    for (size_t k = 0; k < x->n_top; k++)
        printf(" %s %.1f %%", r->ticker[x->top[k]], 100 * x->w[x->top[k]]);
    printf("\n  HHI %.4f of the invested value's weights, effective number of holdings %.2f "
           "(1 / HHI)\n  asset classes of the whole value (weight / model):",
           x->hhi, x->n_effective);
    for (size_t k = 0; k < x->n_classes; k++)
        printf(" %s %.1f/%.1f %%", x->classes[k].cls, 100 * x->classes[k].weight,
               100 * x->classes[k].target);
    printf("\n\ncosts (expense ratios of the securities master): weighted expense ratio %.1f bp/yr "
           "= %s %s per year on the value\n",
           x->expense_ratio * 1e4, ra_money_format_minor(x->cost_minor, md, b1, sizeof b1),
           r->currency);
    printf("\noverlap (same asset class, or daily-return correlation above %.2f): %zu pair%s\n",
           r->in.overlap_corr, x->n_pairs, x->n_pairs == 1 ? "" : "s");
    for (size_t k = 0; k < x->n_pairs; k++)
        printf("  %s + %s: %scorrelation %.3f\n", r->ticker[x->pairs[k].i],
               r->ticker[x->pairs[k].j], x->pairs[k].same_class ? "same asset class, " : "",
               x->pairs[k].correlation);
    printf("\nsuitability against client level %s (risk levels of the securities master): %zu "
           "unsuitable holding%s (%.1f %% of the value)\n",
           ra_prof_level_name(r->in.client_level), x->n_unsuitable,
           x->n_unsuitable == 1 ? "" : "s", 100 * x->unsuitable_weight);
    for (size_t j = 0; j < r->n; j++)
        if (x->unsuitable[j])
            printf("  %s is %s, above %s\n", r->ticker[j], ra_suit_level_name(r->a[j].risk_level),
                   ra_prof_level_name(r->in.client_level));
    if (r->have_model)
        printf("\nsuitable model %s v%d (%s, the firm's latest version; cash reserve %.1f %%): "
               "expected return %.2f %%/yr, "
               "volatility %.2f %%/yr\n  tracking error %.2f %%/yr, L1 weight distance %.4f\n",
               r->model, r->model_version, ra_suit_level_name(r->model_level),
               100 * r->in.cash_target, 100 * x->model_return, 100 * x->model_volatility,
               100 * x->tracking_error, x->l1);
    else
        printf("\nsuitable model: none (%s)\n", r->no_model);
    printf("\nefficient frontier (the same securities, long-only, cash kept)\n");
    if (x->have_frontier)
        printf("  at the same expected return: volatility %.2f %%/yr, %.2f points lower\n",
               100 * x->frontier_vol_same_return, 100 * x->vol_saved);
    else
        printf("  not computed (the optimiser found no answer)\n");
    if (x->have_return_gain)
        printf("  at the same volatility: expected return %.2f %%/yr, %.2f points higher\n",
               100 * x->frontier_return_same_vol, 100 * x->return_gained);
    if (!r->have_model)
        return;
    printf("\ntrades that fix it (unsuitable sales first; others to their band's edge)\n");
    for (size_t i = 0; i < x->n_trades; i++) {
        const ra_rebal_trade *t = &x->trades[i];
        printf("  %-4s %-10s %14s shares at %12s = %14s %s%s\n", t->side > 0 ? "buy" : "sell",
               r->ticker[t->asset], ra_money_format_qty(t->qty_micro, b1, sizeof b1),
               ra_money_format_price(t->price, b2, sizeof b2),
               ra_money_format_minor(t->value_minor, md, b3, sizeof b3), r->currency,
               x->unsuitable[t->asset] ? " (unsuitable)" : "");
    }
    if (!x->n_trades)
        printf("  none: every holding is suitable and within its band\n");
    printf("  drift %.4f before, %.4f after\n", x->fix.drift_before, x->fix.drift_after);
}

int cmd_diagnose(int argc, char **argv)
{
    static const char *const CMD = "diagnose";
    diag_opts o;
    memset(&o, 0, sizeof o);
    o.window_years = RA_DIAG_DEFAULT_WINDOW_YEARS;
    o.overlap_corr = RA_DIAG_DEFAULT_OVERLAP_CORR;
    const cli_opts_spec spec = {CMD, options, help, 0, 0};
    int rc = cli_parse_opts(&spec, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    if ((rc = cli_no_more_args(CMD, argc, argv, optind)) != 0)
        return rc;
    if (!o.account == !o.holdings)
        return cli_usage(CMD, "give --account A or --holdings FILE, one of them");
    if (o.account && (o.client || o.value))
        return cli_usage(CMD, "--client and --value go with --holdings, not --account");
    ra_err err = {0};
    ra_holdings *h = NULL;
    if (o.holdings && ra_holdings_read(o.holdings, &h, &err) != RA_OK)
        return cli_fail(CMD, &err);
    cli_book b;
    cli_book_args a = o.book;
    a.need_firm = 1;
    if ((rc = cli_book_open_parts(CMD, &a, &b)) != 0) {
        ra_holdings_destroy(h);
        return rc;
    }
    ra_diag_request q;
    ra_diag_request_default(&q);
    q.account = o.account;
    q.holdings = h;
    q.date = o.date;
    q.level = o.level;
    q.client = o.client;
    q.window_years = o.window_years;
    q.overlap_corr = o.overlap_corr;
    if (o.value && (ra_money_parse_minor(o.value, strlen(o.value), b.firm.minor_digits,
                                         &q.value_minor, &err) != RA_OK ||
                    q.value_minor <= 0)) {
        rc = cli_usage(CMD, "--value must be a positive amount of %s with at most %d decimals",
                       b.firm.currency, b.firm.minor_digits);
        goto out;
    }
    ra_diag_report rep;
    if (ra_diag_report_run(b.s, b.firm.code, &q, &rep, &err) != RA_OK) {
        rc = cli_fail(CMD, &err);
        goto out;
    }
    if (o.format == CLI_FORMAT_JSON)
        rc = print_json(&rep);
    else
        print_table(&rep);
    ra_diag_report_free(&rep);
out:
    cli_book_close(&b);
    ra_holdings_destroy(h);
    return rc;
}
