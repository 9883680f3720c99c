/* roboadvisor settings: the firm's settings kept in the book (today the wash-sale window),
 * include/roboadvisor/store_cycle.h. Documented in docs/cli.md#settings. */
#include "cli.h"

#include <roboadvisor/store_cycle.h>
#include <roboadvisor/store_risk.h>

#include <getopt.h>
#include <string.h>

typedef struct settings_opts {
    cli_book_args book;
    size_t window;
    int have_window;
    const char *close, *zone;
    int json;
} settings_opts;

static const cli_opt options[] = {
    CLI_OPTS_BOOK(settings_opts, book),
    CLI_O("wash-window-days", CLI_OPT_SIZE, settings_opts, window, .lo = 0,
          .hi = RA_WASH_WINDOW_DAYS_MAX, .have = CLI_HAVE(settings_opts, have_window)),
    CLI_O("market-close", CLI_OPT_STR, settings_opts, close),
    CLI_O("market-zone", CLI_OPT_STR, settings_opts, zone),
    CLI_O("format", CLI_OPT_ENUM, settings_opts, json, .words = CLI_WORDS("table", "json"),
          .msg = "must be table or json: \"%s\""),
    CLI_OPT_END};

static void help(void)
{
    printf("usage: roboadvisor settings show [--format table|json]\n"
           "       roboadvisor settings set [--wash-window-days N] [--market-close HH:MM]\n"
           "                                [--market-zone ZONE]\n"
           "       (both: [--firm CODE] [--db URL] [--key-file FILE])\n\n"
           "The firm's settings kept in the book. --wash-window-days: the wash-sale window in\n"
           "calendar days before and after a loss sale, 0..%d (default 30, the US rule; e.g. 61\n"
           "for Spain's two-month rule on listed securities); run-day, replay and gains use it\n"
           "unless given --window-days. --market-close and --market-zone: the market's close\n"
           "(default 16:00 America/New_York; zones UTC, America/New_York, America/Chicago,\n"
           "Europe/London, Europe/Frankfurt, Asia/Shanghai, Asia/Hong_Kong, Asia/Tokyo): a\n"
           "crossed loss limit's notifications are due 30 minutes after it. A change is\n"
           "audited with the user ($ROBOADVISOR_USER).\n",
           RA_WASH_WINDOW_DAYS_MAX);
}

int cmd_settings(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    char cmd[64];
    settings_opts o = {0};
    int which = -1;
    int rc = cli_parse_sub("settings", CLI_WORDS("show", "set"), options, help, argc, argv, &o,
                           cmd, &which);
    if (rc)
        return rc < 0 ? 0 : rc;
    int set = which == 1;
    if (set && !o.have_window && !o.close && !o.zone)
        return cli_usage(cmd, "say what to set: --wash-window-days N, --market-close HH:MM or "
                         "--market-zone ZONE");
    cli_book b;
    cli_book_args a = o.book;
    a.need_firm = 1;
    if ((rc = cli_book_open_parts(cmd, &a, &b)) != 0)
        return rc;
    ra_err err = {0};
    int days = 0, minute = 0;
    char zone[RA_RISK_ZONE_MAX];
    ra_status st = ra_store_risk_settings(b.s, b.firm.code, &minute, zone, &err);
    if (st == RA_OK && set && o.close)
        st = ra_risk_close_parse(o.close, &minute, &err);
    if (st == RA_OK && set && o.zone)
        snprintf(zone, sizeof zone, "%s", o.zone);
    if (st == RA_OK && set && (o.close || o.zone))
        st = ra_store_risk_settings_set(b.s, &b.actor, minute, zone, &err);
    if (st == RA_OK && set && o.have_window)
        st = ra_store_firm_wash_window_set(b.s, &b.actor, (int)o.window, &err);
    if (st == RA_OK)
        st = ra_store_firm_wash_window(b.s, b.firm.code, &days, &err);
    char hm[8];
    snprintf(hm, sizeof hm, "%02d:%02d", minute / 60 % 100, minute % 60);
    if (st != RA_OK)
        rc = cli_fail(cmd, &err);
    else if (o.json)
        rc = cli_json_print(json_pack("{s:s, s:i, s:s, s:s}", "firm", b.firm.code,
                                      "wash_window_days", days, "market_close", hm,
                                      "market_zone", zone));
    else
        printf("firm %s: wash-sale window %d calendar days before and after a loss sale; market "
               "close %s %s%s\n", b.firm.code, days, hm, zone, set ? " (set)" : "");
    cli_book_close(&b);
    return rc;
}
