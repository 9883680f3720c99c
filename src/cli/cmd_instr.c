/* roboadvisor withdraw and instructions: withdrawal instructions, recorded from the client or the
 * firm and paid by the daily cycle (include/roboadvisor/store_cycle.h). Documented in
 * docs/cli.md#withdraw. */
#include "cli.h"

#include <roboadvisor/store_cycle.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

typedef enum instr_format { I_TABLE, I_JSON } instr_format;

typedef struct instr_opts {
    cli_book_args book;
    const char *amount, *source, *note, *account, *status, *reason;
    ra_date date;
    instr_format format;
} instr_opts;

#define INSTR_OPTS_COMMON                                                                          \
    CLI_OPTS_BOOK(instr_opts, book),                                                               \
        CLI_O("format", CLI_OPT_ENUM, instr_opts, format, .words = CLI_WORDS("table", "json"),    \
              .msg = "must be table or json: \"%s\"")

static const cli_opt withdraw_options[] = {
    INSTR_OPTS_COMMON,
    CLI_O("amount", CLI_OPT_STR, instr_opts, amount),
    CLI_O("date", CLI_OPT_DATE, instr_opts, date),
    CLI_O("source", CLI_OPT_WORD, instr_opts, source, .words = CLI_WORDS("client", "firm"),
          .msg = "must be client or firm: \"%s\""),
    CLI_O("note", CLI_OPT_STR, instr_opts, note),
    CLI_OPT_END};

static const cli_opt list_options[] = {
    INSTR_OPTS_COMMON,
    CLI_O("account", CLI_OPT_STR, instr_opts, account),
    CLI_O("status", CLI_OPT_WORD, instr_opts, status,
          .words = CLI_WORDS("pending", "partial", "paid", "cancelled"),
          .msg = "must be pending, partial, paid or cancelled: \"%s\""),
    CLI_O("reason", CLI_OPT_STR, instr_opts, reason),
    CLI_OPT_END};

static void withdraw_help(void)
{
    printf("usage: roboadvisor withdraw ACCOUNT --amount X [--date D] [--source client|firm]\n"
           "                           [--note TEXT] [--format table|json]\n"
           "                           [--firm CODE] [--db URL] [--key-file FILE]\n\n"
           "Records an instruction to withdraw X (in the account's currency, e.g. 2500.00) from\n"
           "ACCOUNT, due on D (default today), from the client (default) or the firm. The engine\n"
           "never moves money out on its own: from D on, run-day raises the cash (sales with\n"
           "the reason withdrawal) and pays it at the close as withdrawal transactions, as far\n"
           "as the cash goes. Prints the instruction's code (W-ACCOUNT-N).\n");
}

static void instr_help(void)
{
    printf("usage: roboadvisor instructions list [--account A]\n"
           "                   [--status pending|partial|paid|cancelled] [--format table|json]\n"
           "       roboadvisor instructions cancel CODE --reason TEXT\n"
           "       (both: [--firm CODE] [--db URL] [--key-file FILE])\n\n"
           "Withdrawal instructions with what has been paid (the sum of their withdrawal\n"
           "transactions) and their status. cancel stops what is not paid yet; audited with the\n"
           "user ($ROBOADVISOR_USER) and the reason.\n");
}

static json_t *instr_json(const ra_instruction *in, int md)
{
    char a[RA_MONEY_FMT_SIZE], p[RA_MONEY_FMT_SIZE];
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s}", "code", in->code,
                     "account", in->account, "kind", in->kind, "amount",
                     ra_money_format_minor(in->amount_minor, md, a, sizeof a), "due",
                     cli_jdate(in->due), "source", in->source, "note", in->note, "paid",
                     ra_money_format_minor(in->paid_minor, md, p, sizeof p), "status", in->status,
                     "recorded_by", in->user, "cancel_reason", in->cancelled_reason);
}

static int open_book(const char *cmd, const instr_opts *o, cli_book *b)
{
    cli_book_args a = o->book;
    a.need_firm = 1;
    return cli_book_open_parts(cmd, &a, b);
}

int cmd_withdraw(int argc, char **argv)
{
    static const char *const CMD = "withdraw";
    instr_opts o = {0};
    o.source = "client";
    const cli_opts_spec spec = {CMD, withdraw_options, withdraw_help, 0, 1};
    const char *account = NULL;
    int rc = cli_parse_one_arg(&spec, argc, argv, &o, "name the account: withdraw ACCOUNT "
                               "--amount X", &account);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (!o.amount)
        return cli_usage(CMD, "--amount X is required");
    if (!o.date)
        o.date = cli_today();
    cli_book b;
    if ((rc = open_book(CMD, &o, &b)) != 0)
        return rc;
    ra_err err = {0};
    ra_minor amount = 0;
    char code[RA_CYCLE_ID_MAX], am[RA_MONEY_FMT_SIZE], db[11];
    if (ra_money_parse_minor(o.amount, strlen(o.amount), b.firm.minor_digits, &amount, &err) !=
            RA_OK ||
        amount <= 0) {
        int md = b.firm.minor_digits;
        cli_book_close(&b);
        return cli_usage(CMD, "--amount must be an amount above 0 with at most %d decimals: "
                         "\"%s\"", md, o.amount);
    }
    if (ra_store_withdrawal_put(b.s, &b.actor, account, amount, o.date, o.source,
                                o.note ? o.note : "", code, &err) != RA_OK)
        rc = cli_fail(CMD, &err);
    else if (o.format == I_JSON)
        rc = cli_json_print(json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "code", code, "account",
                                      account, "currency", b.firm.currency, "amount",
                                      ra_money_format_minor(amount, b.firm.minor_digits, am,
                                                            sizeof am),
                                      "due", cli_jdate(o.date), "source", o.source));
    else
        printf("withdrawal %s recorded: %s %s from account %s, due %s, instructed by the %s; "
               "run-day pays it\n",
               code, ra_money_format_minor(amount, b.firm.minor_digits, am, sizeof am),
               b.firm.currency, account, ra_date_format(o.date, db), o.source);
    cli_book_close(&b);
    return rc;
}

int cmd_instructions(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        instr_help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    int list = strcmp(argv[1], "list") == 0, cancel = strcmp(argv[1], "cancel") == 0;
    if (!list && !cancel)
        return cli_usage("instructions", "unknown subcommand \"%s\" (list, cancel)", argv[1]);
    char cmd[32];
    snprintf(cmd, sizeof cmd, "instructions %s", argv[1]);
    instr_opts o = {0};
    const cli_opts_spec spec = {cmd, list_options, instr_help, 0, 2};
    int rc = cli_parse_opts(&spec, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *code = NULL;
    if (cancel) {
        if (optind >= argc)
            return cli_usage(cmd, "name the instruction: instructions cancel CODE --reason TEXT");
        code = argv[optind++];
        if (!o.reason || !o.reason[0])
            return cli_usage(cmd, "--reason TEXT is required");
    }
    if ((rc = cli_no_more_args(cmd, argc, argv, optind)) != 0)
        return rc;
    cli_book b;
    if ((rc = open_book(cmd, &o, &b)) != 0)
        return rc;
    ra_err err = {0};
    int md = b.firm.minor_digits;
    if (cancel) {
        if (ra_store_instruction_cancel(b.s, &b.actor, code, o.reason, &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        else
            printf("instruction %s cancelled by %s: what is not paid will not be\n", code,
                   b.actor.user);
        cli_book_close(&b);
        return rc;
    }
    ra_instruction *v = NULL;
    size_t n = 0;
    if (ra_store_instructions_list(b.s, b.firm.code, o.account, o.status, &v, &n, &err) != RA_OK)
        rc = cli_fail(cmd, &err);
    else if (o.format == I_JSON) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, instr_json(&v[i], md));
        rc = cli_json_list_print(b.firm.currency, "instructions", arr);
    } else {
        char a1[RA_MONEY_FMT_SIZE], a2[RA_MONEY_FMT_SIZE], db[11], h1[32], h2[32];
        snprintf(h1, sizeof h1, "amount %s", b.firm.currency);
        snprintf(h2, sizeof h2, "paid %s", b.firm.currency);
        printf("%-24s %-16s %-10s %14s %14s %-9s %-6s %s\n", "code", "account", "due", h1, h2,
               "status", "source", "note");
        for (size_t i = 0; i < n; i++)
            printf("%-24s %-16s %-10s %14s %14s %-9s %-6s %s\n", v[i].code, v[i].account,
                   ra_date_format(v[i].due, db),
                   ra_money_format_minor(v[i].amount_minor, md, a1, sizeof a1),
                   ra_money_format_minor(v[i].paid_minor, md, a2, sizeof a2), v[i].status,
                   v[i].source, v[i].cancelled_by[0] ? v[i].cancelled_reason : v[i].note);
        printf("%zu instruction%s\n", n, n == 1 ? "" : "s");
    }
    ra_store_free(v);
    cli_book_close(&b);
    return rc;
}
