/* roboadvisor monitor: the intraday monitor (include/roboadvisor/engine_monitor.h,
 * docs/cli.md#monitor). */
#include "cli/cli.h"

#include <roboadvisor/engine_monitor.h>
#include <roboadvisor/riskrules.h>
#include <roboadvisor/store.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct mon_opts {
    cli_book_args book;
    const char *snapshot, *at;
    ra_date date;
    int have_date;
    size_t batch;
    int worker;
    cli_format format;
} mon_opts;

static const cli_opt mon_options[] = {
    CLI_OPTS_BOOK(mon_opts, book),
    CLI_O("snapshot", CLI_OPT_STR, mon_opts, snapshot),
    CLI_O("at", CLI_OPT_STR, mon_opts, at),
    CLI_O("date", CLI_OPT_DATE, mon_opts, date, .have = CLI_HAVE(mon_opts, have_date)),
    CLI_O("batch", CLI_OPT_SIZE, mon_opts, batch, .lo = 1, .hi = 1000000),
    CLI_O("worker", CLI_OPT_FLAG, mon_opts, worker),
    CLI_O("format", CLI_OPT_FORMAT, mon_opts, format),
    CLI_OPT_END};

static void mon_help(void)
{
    printf(
        "usage: roboadvisor monitor --snapshot FILE [--at HH:MM] [--date D] [--worker]\n"
        "                           [--format table|json] [--batch N] [--firm CODE] [--db URL]\n"
        "                           [--key-file FILE]\n\n"
        "Evaluates the firm's loss limits and risk rules, as the daily cycle does at the close,\n"
        "on an intraday price snapshot (docs/formats.md#intraday-snapshot): every account not\n"
        "suspended is valued at the snapshot's price where it has one and at the last close\n"
        "otherwise. A loss limit crossed, or a rule that suspends, suspends the account and\n"
        "notifies the client and the advisor (due 30 minutes after the snapshot); a rule that\n"
        "reduces, adds or closes proposes its trades (reason risk_limit), as orders at once for\n"
        "a discretionary mandate. A rule fired for an account earlier in the day is not fired\n"
        "again that day.\n\n"
        "  --at HH:MM   the snapshot's time of day, a multiple of 10 minutes (the cadence);\n"
        "               default: the latest time in the snapshot's time column, rounded down\n"
        "  --date D     the trading day (default: today, UTC)\n"
        "  --batch N    accounts per database transaction (default %d)\n"
        "  --worker     one of several processes sharing a PostgreSQL database (as run-day\n"
        "               --worker); on SQLite, the ordinary run\n\n"
        "The same --date and --at again does nothing and says so; a run that was killed is\n"
        "completed by running it again.\n",
        RA_CYCLE_DEFAULT_BATCH);
}

/* --at, or the snapshot's latest time rounded down to the cadence: -1 when neither. */
static int snapshot_minute(const ra_snapshot *sn)
{
    int m = -1;
    for (size_t i = 0; i < sn->n; i++)
        if (sn->rows[i].minute > m)
            m = sn->rows[i].minute;
    return m < 0 ? -1 : m - m % RA_MONITOR_CADENCE_MIN;
}

static json_t *stats_json(const ra_monitor_stats *st, const ra_monitor_options *o)
{
    char at[8];
    snprintf(at, sizeof at, "%02d:%02d", o->at_minute / 60 % 100, o->at_minute % 60);
    const ra_monitor_run_rec *r = &st->run;
    return json_pack("{s:o, s:s, s:b, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
                     "s:{s:I, s:I, s:I, s:I}}",
                     "date", cli_jdate(o->date), "at", at, "already_done", st->already,
                     "snapshot_hash", r->snapshot_hash, "accounts", (json_int_t)st->accounts,
                     "evaluated", (json_int_t)st->evaluated, "suspended_before",
                     (json_int_t)st->suspended, "priced", (json_int_t)st->priced,
                     "unpriced", (json_int_t)st->unpriced, "unknown_tickers",
                     (json_int_t)st->unknown, "loss_limits_crossed", (json_int_t)st->crossed,
                     "rules_fired", (json_int_t)st->firings, "proposals",
                     (json_int_t)st->proposals, "orders", (json_int_t)st->orders, "run",
                     "rules_fired", (json_int_t)r->firings, "proposals",
                     (json_int_t)r->proposals, "orders", (json_int_t)r->orders,
                     "suspensions_today", (json_int_t)r->suspended);
}

int cmd_monitor(int argc, char **argv)
{
    const char *CMD = "monitor";
    mon_opts o;
    memset(&o, 0, sizeof o);
    o.batch = RA_CYCLE_DEFAULT_BATCH;
    const cli_opts_spec spec = {CMD, mon_options, mon_help, 0, 0};
    int rc = cli_parse_opts(&spec, argc, argv, &o);
    if (rc == 0)
        rc = cli_no_more_args(CMD, argc, argv, optind);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (!o.snapshot)
        return cli_usage(CMD, "--snapshot FILE is required");
    ra_err err = {0};
    ra_monitor_options mo;
    memset(&mo, 0, sizeof mo);
    if (o.at && ra_risk_close_parse(o.at, &mo.at_minute, &err) != RA_OK)
        return cli_usage(CMD, "--at is HH:MM from 00:00 to 23:59, not \"%s\"", o.at);
    if (o.at && mo.at_minute % RA_MONITOR_CADENCE_MIN)
        return cli_usage(CMD, "--at must be a multiple of %d minutes (the monitor's cadence), "
                         "not %s", RA_MONITOR_CADENCE_MIN, o.at);
    ra_snapshot *sn = NULL;
    if (ra_snapshot_read(o.snapshot, &sn, &err) != RA_OK)
        return cli_fail(CMD, &err);
    if (!o.at && (mo.at_minute = snapshot_minute(sn)) < 0) {
        ra_snapshot_destroy(sn);
        return cli_usage(CMD, "--at HH:MM is required when the snapshot has no time column");
    }
    mo.date = o.have_date ? o.date : cli_today();
    mo.snapshot = sn;
    cli_book b;
    cli_book_args ba = o.book;
    ba.need_firm = 1;
    rc = cli_book_open_parts(CMD, &ba, &b);
    if (rc) {
        ra_snapshot_destroy(sn);
        return rc;
    }
    ra_cycle_options_default(&mo.cycle);
    mo.cycle.batch = o.batch;
    if (ra_store_firm_wash_window(b.s, b.firm.code, &mo.cycle.window_days, &err) != RA_OK)
        rc = cli_fail(CMD, &err);
    char worker[96], host[64] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = 0;
    snprintf(worker, sizeof worker, "%s:%ld", host, (long)getpid());
    ra_monitor_stats st;
    if (rc == 0 && ra_monitor_run(b.s, &b.actor, &mo, o.worker ? worker : NULL, &st, &err) !=
                       RA_OK)
        rc = cli_fail(CMD, &err);
    char db[11];
    ra_date_format(mo.date, db);
    if (rc == 0 && o.format == CLI_FORMAT_JSON)
        rc = cli_json_print(stats_json(&st, &mo));
    else if (rc == 0 && st.already)
        printf("monitor %s %02d:%02d: already done (a run of this snapshot time finished "
               "before): nothing to do\n", db, mo.at_minute / 60, mo.at_minute % 60);
    else if (rc == 0)
        printf("monitor %s %02d:%02d: %zu accounts, %zu evaluated, %zu suspended before; "
               "%zu of %zu securities priced by the snapshot (%zu tickers not in the book); "
               "%zu loss limits crossed, %zu rules fired, %zu proposals, %zu orders\n",
               db, mo.at_minute / 60, mo.at_minute % 60, st.accounts, st.evaluated,
               st.suspended, st.priced, st.priced + st.unpriced, st.unknown, st.crossed,
               st.firings, st.proposals, st.orders);
    cli_book_close(&b);
    ra_snapshot_destroy(sn);
    return rc;
}
