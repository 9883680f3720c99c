/* roboadvisor: the command-line entry point. Each subcommand lives in cmd_<name>.c. */
#include "cli.h"

#include <string.h>

static const struct {
    const char *name;
    cli_cmd_fn *run;
    const char *summary;
} commands[] = {
    {"optimize", cmd_optimize, "build a portfolio: minimum variance, maximum Sharpe, targets, risk parity, frontier"},
    {"stats", cmd_stats, "performance statistics of return series (Sharpe, drawdown, VaR, beta, ...)"},
    {"xirr", cmd_xirr, "money-weighted annual return of dated cash flows"},
    {"twr", cmd_twr, "time-weighted return of account values with external flows"},
    {"init", cmd_init, "create the book (SQLite file or PostgreSQL) or bring its schema up to date"},
    {"import", cmd_import, "import prices, dividends, splits, securities, clients, accounts, transactions"},
    {"securities", cmd_securities, "list the securities master ('securities list --incomplete')"},
    {"reconcile", cmd_reconcile, "compare the book with a custodian's positions file"},
    {"check", cmd_check, "reconcile every account with its transactions; database integrity"},
    {"audit", cmd_audit, "verify the audit trail and the book against it; signed checkpoints"},
    {"valuation", cmd_valuation, "value every account and the firm at market on a date"},
    {"gains", cmd_gains, "realised gains and open lots of an account, wash sales across the household"},
    {"onboard", cmd_onboard, "onboard a client: risk profile, accounts, agents, suitable model"},
    {"agent", cmd_agent, "show or change an account's own agent ('agent show|set ACCOUNT')"},
    {"mandate", cmd_mandate, "an account's mandate, versioned and audited ('mandate show|set|history ACCOUNT')"},
    {"views", cmd_views, "the firm's Black-Litterman views, market weights and pinned funds ('views set|market|pins|list|test')"},
    {"models", cmd_models, "model portfolios: build, list, show, add, assign, personalised targets"},
    {"diagnose", cmd_diagnose, "a client's own portfolio: risk, costs, overlap, suitability, distance to the model, fixes"},
    {"screen", cmd_screen, "generate many distinct qualifying candidate portfolios from a pool"},
    {"run-day", cmd_run_day, "the daily cycle: mark, propose, trade every account for a day"},
    {"monitor", cmd_monitor, "the intraday monitor: the risk rules on a price snapshot"},
    {"account", cmd_account, "one account as of a day against its target ('account show ACCOUNT')"},
    {"proposals", cmd_proposals, "the cycle's proposals: list, show, approve, reject"},
    {"orders", cmd_orders, "the cycle's orders ('orders list')"},
    {"firm-rules", cmd_firm_rules, "the firm's rules on every proposal: show, set, shares"},
    {"settings", cmd_settings, "the firm's settings kept in the book (the wash-sale window)"},
    {"withdraw", cmd_withdraw, "record a client's or the firm's withdrawal instruction"},
    {"instructions", cmd_instructions, "withdrawal instructions: list, cancel"},
    {"report", cmd_report, "client statements (PDF, HTML, JSON; en, zh-CN), tax and firm reports"},
    {"fees", cmd_fees, "fee schedules; every account's fees per period: list, bill"},
    {"notifications", cmd_notifications, "notifications for clients and advisors (a crossed loss limit), with due times"},
    {"suspensions", cmd_suspensions, "accounts suspended by a crossed loss limit, and their re-authorisations"},
    {"rules", cmd_rules, "the firm's risk rules as data: set, list, show, event, firings"},
    {"tiers", cmd_tiers, "clients' service tiers (digital, hybrid, advisor-led) and the firm's routing rules"},
    {"alerts", cmd_alerts, "behaviour alerts for the advisor after each close: list, settings"},
    {"queue", cmd_queue, "the advisor's queue: proposals waiting for a decision, with the client's tier"},
    {"reauthorise", cmd_reauthorise, "resume an account's suspended trading ('reauthorise ACCOUNT --by USER --note TEXT')"},
    {"replay", cmd_replay, "recompute a recorded day of the cycle and compare it with the record"},
    {"plan", cmd_plan, "goal plan by Monte Carlo: probability, wealth percentiles, required saving"},
    {"plans", cmd_plans, "a client's saved goal plans: save (run on the client's account), list, show"},
    {"backtest", cmd_backtest, "the daily cycle over real history on a generated book, per risk level"},
    {"serve", cmd_serve, "serve the HTTP JSON API (docs/api.md) on loopback"},
    {"keys", cmd_keys, "the HTTP API's keys: create (printed once), list, revoke"},
    {"clients", cmd_clients, "erase a client: its data key destroyed, its personal data unreadable everywhere"},
    {"backup", cmd_backup, "a copy of the book in use, verified by check and audit verify"},
    {"generate-book", cmd_generate_book, "write a seeded demo book (clients, accounts, transactions on real prices)"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: roboadvisor <command> [options]\n\n"
                 "roboadvisor %s: a robo-advisor engine: portfolios, the book of record, onboarding.\n\n"
                 "commands:\n",
            RA_VERSION_STRING);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'roboadvisor <command> --help' describes a command; docs/cli.md has them all.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf("roboadvisor %s\n", RA_VERSION_STRING);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "roboadvisor: no command named \"%s\" (see 'roboadvisor --help')\n", name);
    return CLI_EXIT_USAGE;
}
