/* roboadvisor orders export and orders blocks: the day's orders for the broker, pooled into
 * blocks (docs/cli.md#orders-export, docs/formats.md#fix, docs/methodology.md#block-orders). */
#include "cli/cli.h"

#include <roboadvisor/engine_blocks.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct export_opts {
    cli_book_args book;
    ra_date date;
    int format;   /* 0 csv, 1 fix (export); 0 table, 1 json (blocks) */
    int pool;     /* ra_block_pool */
    const char *out, *sender, *target, *at;
    int pipe;
} export_opts;

static const cli_opt export_options[] = {
    CLI_OPTS_BOOK(export_opts, book),
    CLI_O("date", CLI_OPT_DATE, export_opts, date),
    CLI_O("format", CLI_OPT_ENUM, export_opts, format, .words = CLI_WORDS("csv", "fix"),
          .msg = "must be csv or fix: \"%s\""),
    CLI_O("pool", CLI_OPT_ENUM, export_opts, pool,
          .words = CLI_WORDS("discretionary", "all", "none"),
          .msg = "must be discretionary, all or none: \"%s\""),
    CLI_O("out", CLI_OPT_STR, export_opts, out),
    CLI_O("sender", CLI_OPT_STR, export_opts, sender),
    CLI_O("target", CLI_OPT_STR, export_opts, target),
    CLI_O("at", CLI_OPT_STR, export_opts, at),
    CLI_O("pipe", CLI_OPT_FLAG, export_opts, pipe),
    CLI_OPT_END};

static void export_help(void)
{
    printf("usage: roboadvisor orders export --date D --format csv|fix [--firm CODE] [--db URL]\n"
           "                   [--out FILE] [--pool discretionary|all|none] [--sender ID]\n"
           "                   [--target ID] [--at HH:MM] [--pipe]\n"
           "       roboadvisor orders blocks --date D [--format table|json] [--firm CODE]\n"
           "                   [--db URL]\n\n"
           "export writes the orders of day D still open for the broker: first it pools the\n"
           "day's open market orders into blocks (by default those of discretionary accounts;\n"
           "--pool all: every account's, none: no new block), one per security, side and\n"
           "tradable step (ids B-D-TICKER-BUY|SELL[-F][-K]), audited; then one row or message\n"
           "per order no block holds and per block. csv columns: cl_ord_id, kind (order|block),\n"
           "date, account, ticker, side, qty, ord_type, limit_price, allocations\n"
           "(ACCOUNT:QTY;...).\n"
           "fix: FIX 4.4 NewOrderSingle (35=D) messages, one a line, SenderCompID --sender (the\n"
           "firm's code), TargetCompID --target (BROKER), times D at --at (20:00) UTC; a block\n"
           "carries its pre-allocation (78/79/80). --pipe shows SOH as '|' (for reading only:\n"
           "BodyLength and CheckSum are of the SOH form). Exporting again writes the same file.\n"
           "blocks lists the day's blocks with their orders, filled quantities and status.\n"
           "The broker's fills come back with 'roboadvisor import fills FILE' (CSV or FIX\n"
           "ExecutionReports; a block's fill is allocated to its orders, docs/methodology.md).\n");
}

/* "HH:MM" or "HH:MM:SS" into seconds of the day. */
static int parse_at(const char *s, int *out)
{
    int h = 0, m = 0, sec = 0, used = 0;
    size_t n = strlen(s);
    if ((n == 5 && sscanf(s, "%2d:%2d%n", &h, &m, &used) == 2 && used == 5) ||
        (n == 8 && sscanf(s, "%2d:%2d:%2d%n", &h, &m, &sec, &used) == 3 && used == 8)) {
        if (h >= 0 && h < 24 && m >= 0 && m < 60 && sec >= 0 && sec < 60) {
            *out = h * 3600 + m * 60 + sec;
            return 0;
        }
    }
    return -1;
}

/* The options of a subcommand without arguments: 0, -1 after the help, or the usage exit code. */
static int parse(const char *cmd, const cli_opt *opts, int argc, char **argv, export_opts *o)
{
    const cli_opts_spec spec = {cmd, opts, export_help, 0, 2};
    int rc = cli_parse_opts(&spec, argc, argv, o);
    return rc ? rc : cli_no_more_args(cmd, argc, argv, optind);
}

/* Opens the book of the options; the firm must exist. */
static int open_book(const char *cmd, const export_opts *o, cli_book *b)
{
    cli_book_args a = o->book;
    a.need_firm = 1;
    return cli_book_open_parts(cmd, &a, b);
}

static int do_export(int argc, char **argv)
{
    static const char *const CMD = "orders export";
    export_opts o = {0};
    o.format = -1;
    int rc = parse(CMD, export_options, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (!o.date)
        return cli_usage(CMD, "--date D is required");
    if (o.format < 0)
        return cli_usage(CMD, "--format csv|fix is required");
    ra_export_settings x;
    ra_export_settings_default(&x);
    x.day = o.date;
    x.format = o.format ? RA_EXPORT_FIX : RA_EXPORT_CSV;
    x.sender = o.sender;
    x.target = o.target;
    x.pipe = o.pipe;
    if (o.at && parse_at(o.at, &x.at_seconds))
        return cli_usage(CMD, "--at must be HH:MM or HH:MM:SS, got \"%s\"", o.at);
    cli_book b;
    if ((rc = open_book(CMD, &o, &b)) != 0)
        return rc;
    ra_err err = {0};
    size_t made = 0, n_orders = 0, n_blocks = 0, len = 0;
    char *text = NULL;
    if (ra_blocks_form(b.s, &b.actor, o.date, (ra_block_pool)o.pool, &made, &err) != RA_OK ||
        ra_orders_export(b.s, b.firm.code, &x, &text, &len, &n_orders, &n_blocks, &err) != RA_OK) {
        rc = cli_fail(CMD, &err);
        cli_book_close(&b);
        return rc;
    }
    cli_book_close(&b);
    FILE *f = o.out ? fopen(o.out, "wb") : stdout;
    if (!f) {
        fprintf(stderr, "roboadvisor %s: could not write %s: %s\n", CMD, o.out, strerror(errno));
        ra_free(text);
        return 1;
    }
    int bad = fwrite(text, 1, len, f) != len;
    if (o.out) {
        bad |= fclose(f) != 0;
        if (!bad) {
            char d[11];
            printf("exported %zu order%s and %zu block%s of %s to %s (%s; %zu new block%s)\n",
                   n_orders, n_orders == 1 ? "" : "s", n_blocks, n_blocks == 1 ? "" : "s",
                   ra_date_format(o.date, d), o.out, o.format ? "fix" : "csv", made,
                   made == 1 ? "" : "s");
        }
    }
    ra_free(text);
    if (bad) {
        fprintf(stderr, "roboadvisor %s: could not write %s: %s\n", CMD,
                o.out ? o.out : "the standard output", strerror(errno));
        return 1;
    }
    return 0;
}

static const cli_opt blocks_options[] = {
    CLI_OPTS_BOOK(export_opts, book),
    CLI_O("date", CLI_OPT_DATE, export_opts, date),
    CLI_O("format", CLI_OPT_ENUM, export_opts, format, .words = CLI_WORDS("table", "json"),
          .msg = "must be table or json: \"%s\""),
    CLI_OPT_END};

static int do_blocks(int argc, char **argv)
{
    static const char *const CMD = "orders blocks";
    export_opts o = {0};
    int rc = parse(CMD, blocks_options, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    cli_book b;
    if ((rc = open_book(CMD, &o, &b)) != 0)
        return rc;
    ra_err err = {0};
    ra_block *v = NULL;
    size_t n = 0;
    char q1[RA_MONEY_FMT_SIZE], q2[RA_MONEY_FMT_SIZE], q3[RA_MONEY_FMT_SIZE], d[11];
    if (ra_store_blocks_list(b.s, b.firm.code, o.date, &v, &n, &err) != RA_OK) {
        rc = cli_fail(CMD, &err);
    } else if (o.format == 1) {
        json_t *doc = json_object(), *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *mem = json_array();
            for (size_t j = 0; j < v[i].n_members; j++) {
                const ra_block_member *m = &v[i].members[j];
                json_array_append_new(
                    mem, json_pack("{s:s, s:s, s:s, s:s, s:s}", "order", m->order, "account",
                                   m->account, "qty",
                                   ra_money_format_qty(m->qty_micro, q1, sizeof q1),
                                   "filled", ra_money_format_qty(m->filled_micro, q2, sizeof q2),
                                   "status", m->status));
            }
            json_array_append_new(
                arr, json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o}", "id", v[i].id,
                               "date", cli_jdate(v[i].date), "ticker", v[i].ticker, "side",
                               v[i].side > 0 ? "buy" : "sell", "step",
                               ra_money_format_qty(v[i].step_micro, q3, sizeof q3), "qty",
                               ra_money_format_qty(v[i].qty_micro, q1, sizeof q1), "filled",
                               ra_money_format_qty(v[i].filled_micro, q2, sizeof q2), "status",
                               v[i].status, "fills", (json_int_t)v[i].n_fills, "orders", mem));
        }
        json_object_set_new(doc, "blocks", arr);
        cli_json_units(doc, "blocks.qty", "shares", "blocks.step", "shares", NULL);
        rc = cli_json_print(doc);
    } else {
        printf("%-36s %-10s %-8s %-4s %14s %14s %-8s %s\n", "block", "date", "ticker", "side",
               "qty (shares)", "filled", "status", "orders");
        for (size_t i = 0; i < n; i++)
            printf("%-36s %-10s %-8s %-4s %14s %14s %-8s %zu\n", v[i].id,
                   ra_date_format(v[i].date, d), v[i].ticker, v[i].side > 0 ? "buy" : "sell",
                   ra_money_format_qty(v[i].qty_micro, q1, sizeof q1),
                   ra_money_format_qty(v[i].filled_micro, q2, sizeof q2), v[i].status,
                   v[i].n_members);
        printf("%zu block%s\n", n, n == 1 ? "" : "s");
    }
    ra_blocks_free(v, n);
    ra_store_free(v);
    cli_book_close(&b);
    return rc;
}

int cmd_orders_export(int argc, char **argv)
{
    return strcmp(argv[1], "blocks") == 0 ? do_blocks(argc, argv) : do_export(argc, argv);
}
