/* roboadvisor clients: a client's erasure (crypto-shredding; docs/cli.md#clients,
 * docs/methodology.md#envelope-encryption-and-erasure). Prints no personal data. */
#include "cli.h"

#include <string.h>

typedef struct clients_opts {
    cli_book_args book;
    int yes;
    cli_format format;
} clients_opts;

static const cli_opt clients_options[] = {
    CLI_OPTS_BOOK(clients_opts, book),
    CLI_O("yes", CLI_OPT_FLAG, clients_opts, yes),
    CLI_O("format", CLI_OPT_FORMAT, clients_opts, format),
    CLI_OPT_END};

static void clients_help(void)
{
    printf("usage: roboadvisor clients erase CODE --yes [--format table|json]\n"
           "       (all: [--firm CODE] [--db URL] [--key-file FILE])\n\n"
           "erase destroys client CODE's data key: its name, email, tax id and address become\n"
           "unreadable everywhere (the book, the API, exports, the audit trail's copies, backups\n"
           "made afterwards) and its birth year is cleared, while its accounts, their ledger and\n"
           "the audit chain stay and verify. It cannot be undone (--yes says you mean it). The\n"
           "erasure is audited without personal data. Needs the firm's key.\n");
}

int cmd_clients(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        clients_help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "erase") != 0)
        return cli_usage("clients", "unknown subcommand \"%s\" (erase)", argv[1]);
    const char *cmd = "clients erase";
    clients_opts o = {0};
    const cli_opts_spec spec = {cmd, clients_options, clients_help, 0, 2};
    int rc = cli_parse_opts(&spec, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (optind >= argc)
        return cli_usage(cmd, "name the client: clients erase CODE --yes");
    const char *code = argv[optind++];
    if ((rc = cli_no_more_args(cmd, argc, argv, optind)) != 0)
        return rc;
    if (!o.yes)
        return cli_usage(cmd, "erasing a client cannot be undone: add --yes");
    o.book.need_firm = 1;
    cli_book b;
    ra_err err = {0};
    int already = 0;
    if ((rc = cli_book_open_parts(cmd, &o.book, &b)) != 0)
        return rc;
    if (ra_store_client_erase(b.s, &b.actor, code, &already, &err) != RA_OK)
        rc = cli_fail(cmd, &err);
    else if (o.format == CLI_FORMAT_JSON)
        rc = cli_json_print(json_pack("{s:s,s:b}", "client", code, "already_erased", already));
    else
        printf("client %s %s\n", code, already ? "was already erased" : "erased");
    cli_book_close(&b);
    return rc;
}
