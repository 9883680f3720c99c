/* roboadvisor report: the client statement, the tax report and the firm report
 * (include/roboadvisor/engine_statement.h gathers, statement.h renders). Documented in
 * docs/cli.md#report. Statements carry the client's name: it is written only into the document,
 * never to standard error. */
#include "cli.h"

#include <roboadvisor/engine_statement.h>

#include <stdlib.h>
#include <string.h>

static const char *const SUBS[] = {"statement", "tax", "firm", NULL};
enum { SUB_STATEMENT, SUB_TAX, SUB_FIRM };

typedef struct report_opts {
    cli_book_args book;
    const char *account, *format, *lang, *out;
    ra_date from, to, date;
    int have_from, have_to, have_date;
    int year;
} report_opts;

static const cli_opt options[] = {
    CLI_OPTS_BOOK(report_opts, book),
    CLI_O("account", CLI_OPT_STR, report_opts, account),
    CLI_O("from", CLI_OPT_DATE, report_opts, from, .have = CLI_HAVE(report_opts, have_from)),
    CLI_O("to", CLI_OPT_DATE, report_opts, to, .have = CLI_HAVE(report_opts, have_to)),
    CLI_O("date", CLI_OPT_DATE, report_opts, date, .have = CLI_HAVE(report_opts, have_date)),
    CLI_O("year", CLI_OPT_SIZE, report_opts, year, .lo = 1, .hi = 9999),
    CLI_O("format", CLI_OPT_WORD, report_opts, format,
          .words = CLI_WORDS("pdf", "html", "json", "csv"),
          .msg = "must be pdf, html, json or csv: \"%s\""),
    CLI_O("lang", CLI_OPT_WORD, report_opts, lang, .words = CLI_WORDS("en", "zh-CN"),
          .msg = "must be en or zh-CN: \"%s\""),
    CLI_O("out", CLI_OPT_STR, report_opts, out),
    CLI_OPT_END};

static void help(void)
{
    printf("usage: roboadvisor report statement --account ID --from D1 --to D2\n"
           "                         [--format pdf|html|json] [--lang en|zh-CN] [--out FILE]\n"
           "       roboadvisor report tax --account ID --year Y [--format csv|pdf|html]\n"
           "                         [--lang en|zh-CN] [--out FILE]\n"
           "       roboadvisor report firm --date D [--format pdf|html] [--lang en|zh-CN]\n"
           "                         [--out FILE]\n"
           "       (all: [--firm CODE] [--db URL] [--key-file FILE])\n\n"
           "statement: the client statement of account ID for the days D1..D2: opening and\n"
           "closing value, deposits and withdrawals, time- and money-weighted return against the\n"
           "model's benchmark, value and allocation charts, holdings with cost and unrealised\n"
           "gain, transactions, fees and how they were computed, realised gains by term with\n"
           "wash sales, losses harvested, risk level and suitability, alerts, suspensions, and\n"
           "the disclosures; every figure with its source, date and risk level (default pdf,\n"
           "en). tax: the lots sold in year Y in Form 8949's columns (Part I short-term, Part II\n"
           "long-term, code W for wash sales) and the year's harvested losses (default csv).\n"
           "firm: assets, accounts by client level and tier, drift, alerts, suspensions and fees\n"
           "billed on date D (default pdf). --out FILE (default: standard output).\n"
           "Needs the firm's key (the client's name is printed in the client's documents).\n");
}

static int write_out(const char *cmd, const char *path, const char *data, size_t len)
{
    FILE *f = path ? fopen(path, "wb") : stdout;
    if (!f) {
        fprintf(stderr, "roboadvisor %s: could not open %s for writing\n", cmd, path);
        return CLI_EXIT_DATA;
    }
    int bad = fwrite(data, 1, len, f) != len;
    bad |= path ? fclose(f) != 0 : fflush(f) != 0;
    if (bad) {
        fprintf(stderr, "roboadvisor %s: could not write %s\n", cmd, path ? path : "stdout");
        return CLI_EXIT_DATA;
    }
    return CLI_EXIT_OK;
}

static ra_stmt_format format_of(const char *s)
{
    return strcmp(s, "pdf") == 0    ? RA_STMT_PDF
           : strcmp(s, "html") == 0 ? RA_STMT_HTML
           : strcmp(s, "csv") == 0  ? RA_STMT_CSV
                                    : RA_STMT_JSON;
}

int cmd_report(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help();
        return argc < 2 ? cli_usage("report", "name a report: statement, tax or firm") : 0;
    }
    report_opts o;
    memset(&o, 0, sizeof o);
    char cmd[64];
    int which;
    int rc = cli_parse_sub("report", SUBS, options, help, argc, argv, &o, cmd, &which);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *fmt = o.format ? o.format : which == SUB_TAX ? "csv" : "pdf";
    ra_stmt_lang lang = RA_STMT_EN;
    if (o.lang && strcmp(o.lang, "zh-CN") == 0)
        lang = RA_STMT_ZH_CN;
    if (which != SUB_FIRM && !o.account)
        return cli_usage(cmd, "--account ID is required");
    if (which == SUB_STATEMENT) {
        if (!o.have_from || !o.have_to)
            return cli_usage(cmd, "--from D1 and --to D2 are required");
        if (o.from > o.to)
            return cli_usage(cmd, "--from is after --to");
        if (strcmp(fmt, "csv") == 0)
            return cli_usage(cmd, "--format must be pdf, html or json for a statement");
    } else if (which == SUB_TAX) {
        if (!o.year)
            return cli_usage(cmd, "--year Y is required");
        if (strcmp(fmt, "json") == 0)
            return cli_usage(cmd, "--format must be csv, pdf or html for the tax report");
    } else {
        if (!o.have_date)
            return cli_usage(cmd, "--date D is required");
        if (strcmp(fmt, "pdf") != 0 && strcmp(fmt, "html") != 0)
            return cli_usage(cmd, "--format must be pdf or html for the firm report");
    }
    ra_book *b = NULL;
    o.book.need_firm = 1;
    if ((rc = cli_book_open(cmd, &o.book, &b)) != 0)
        return rc;
    ra_err err = {0};
    char *data = NULL;
    size_t len = 0;
    ra_status st;
    if (which == SUB_STATEMENT) {
        ra_statement s;
        st = ra_statement_build(b->store, b->firm.code, o.account, o.from, o.to, &s, &err);
        if (st == RA_OK)
            st = ra_statement_render(&s, format_of(fmt), lang, &data, &len, &err);
        ra_statement_clear(&s);
    } else if (which == SUB_TAX) {
        ra_tax_report t;
        st = ra_tax_report_build(b->store, b->firm.code, o.account, o.year, &t, &err);
        if (st == RA_OK)
            st = ra_tax_report_render(&t, format_of(fmt), lang, &data, &len, &err);
        ra_tax_report_clear(&t);
    } else {
        ra_firm_report f;
        st = ra_firm_report_build(b->store, b->firm.code, o.date, &f, &err);
        if (st == RA_OK)
            st = ra_firm_report_render(&f, format_of(fmt), lang, &data, &len, &err);
        ra_firm_report_clear(&f);
    }
    ra_book_close(b);
    ra_statement_fonts_release();
    if (st != RA_OK)
        return cli_fail(cmd, &err);
    rc = write_out(cmd, o.out, data, len);
    ra_free(data);
    return rc;
}
