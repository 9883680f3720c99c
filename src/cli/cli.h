/* The roboadvisor command: shared option parsing, data loading and output (src/cli only).
 * The CLI is the only code that prints or exits. Exit codes: 0 success, 1 data error (the message
 * names file, line and column), 2 usage error (one line, points at --help). */
#ifndef RA_CLI_H
#define RA_CLI_H

#include <roboadvisor/roboadvisor.h>
#include <roboadvisor/engine_book.h>

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_DATA 1
#define CLI_EXIT_USAGE 2

typedef enum cli_format { CLI_FORMAT_TABLE = 0, CLI_FORMAT_JSON = 1 } cli_format;

/* Prints "roboadvisor CMD: MESSAGE (see 'roboadvisor CMD --help')" on stderr; returns 2. */
int cli_usage(const char *cmd, const char *fmt, ...) RA_PRINTF(2, 3);
/* Prints "roboadvisor CMD: WHERE: MESSAGE" on stderr; returns 1. */
int cli_fail(const char *cmd, const ra_err *err);

/* cli_no_more_args: a usage error naming argv[from] if there are arguments left, else 0. */
int cli_no_more_args(const char *cmd, int argc, char **argv, int from);

/* ---- options, declared once ------------------------------------------------------------------
 * Each command declares its options in one table of cli_opt (CLI_O entries, CLI_OPT_END last) and
 * parses them with cli_parse_opts into its own options struct. An entry names the long option
 * (without "--"), how its value is taken (cli_opt_kind) and the struct member it goes into; the
 * CLI_OPTS_* fragments are the groups several commands share. Every value is checked as it is
 * taken; the first bad one ends the parse with its usage error (exit code 2). */
typedef enum cli_opt_kind {
    CLI_OPT_STR,    /* const char *: the value as given */
    CLI_OPT_FLAG,   /* int: set to 1; the option takes no value */
    CLI_OPT_DATE,   /* ra_date: cli_parse_date */
    CLI_OPT_FORMAT, /* cli_format: cli_parse_format */
    CLI_OPT_SIZE,   /* a whole number in [lo, hi] (cli_parse_size) into a size_t, uint64_t or int */
    CLI_OPT_DOUBLE, /* double: cli_parse_double; with msg, also in the range dlo..dhi (ends open
                     * as `open` says), else the usage error msg */
    CLI_OPT_ENUM,   /* one of words: its index into an int or enum, else the usage error msg */
    CLI_OPT_WORD,   /* one of words: the value (const char *), else the usage error msg */
    CLI_OPT_LIST,   /* cli_list: repeatable, every value appended (free the list's v) */
    CLI_OPT_CUSTOM, /* fn takes it */
} cli_opt_kind;

/* A repeatable option's values (CLI_OPT_LIST), in the order given. */
typedef struct cli_list {
    char **v; /* malloc'd: free it */
    size_t n;
} cli_list;

/* Takes one value of a CLI_OPT_CUSTOM option: opt is "--NAME", field the member's address.
 * Returns 0, or the usage exit code after printing the error. */
typedef int cli_opt_fn(const char *cmd, const char *opt, char *arg, void *field);

enum { CLI_OPEN_LO = 1, CLI_OPEN_HI = 2 }; /* cli_opt.open: the range excludes that end */

typedef struct cli_opt {
    const char *name;   /* the long option without "--"; NULL ends the table */
    cli_opt_kind kind;
    size_t off, size;   /* the member the value goes into: offset and size */
    size_t have;        /* 1 + the offset of an int set to 1 when the option is given, or 0 */
    size_t lo, hi;      /* CLI_OPT_SIZE: the range */
    double dlo, dhi;    /* CLI_OPT_DOUBLE with msg: the range */
    int open;           /* CLI_OPEN_* */
    const char *const *words; /* CLI_OPT_ENUM, CLI_OPT_WORD: the words, NULL last */
    /* the usage error of a value out of range or not one of words, after "--NAME ": "%s" stands
     * for the value as given, "%g" for the number read (CLI_OPT_DOUBLE) */
    const char *msg;
    cli_opt_fn *fn;     /* CLI_OPT_CUSTOM */
} cli_opt;

/* An entry: option NAME of KIND into member FIELD of struct type T; then any of .have, .lo, .hi,
 * .dlo, .dhi, .open, .words, .msg, .fn as designated initialisers. */
#define CLI_O(nm, kd, T, field, ...)                                                              \
    {.name = nm, .kind = kd, .off = offsetof(T, field), .size = sizeof(((T *)0)->field),          \
     __VA_ARGS__}
#define CLI_HAVE(T, field) (offsetof(T, field) + 1) /* for .have */
#define CLI_OPT_END {.name = NULL}
/* For .words (a compound literal: the table must be at file scope). */
#define CLI_WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The shared groups, into a cli_book_args BOOK or a cli_market_opts MARKET member of T:
 * --db URL --firm CODE --key-file FILE; the market data every market command takes (--prices
 * FILE --assets A,B --from D --to D --drop-missing: cli_market_load reads and checks them); and
 * --returns FILE --periods-per-year N (> 0) of the commands that also take returns. */
#define CLI_OPTS_BOOK(T, book)                                                                    \
    CLI_O("db", CLI_OPT_STR, T, book.db), CLI_O("firm", CLI_OPT_STR, T, book.firm),              \
    CLI_O("key-file", CLI_OPT_STR, T, book.key_file)
#define CLI_OPTS_MARKET(T, m)                                                                     \
    CLI_O("prices", CLI_OPT_STR, T, m.prices_path), CLI_O("assets", CLI_OPT_STR, T, m.assets),   \
    CLI_O("from", CLI_OPT_STR, T, m.from), CLI_O("to", CLI_OPT_STR, T, m.to),                    \
    CLI_O("drop-missing", CLI_OPT_FLAG, T, m.drop_missing)
#define CLI_OPTS_RETURNS(T, m)                                                                    \
    CLI_O("returns", CLI_OPT_STR, T, m.returns_path), CLI_O_PPY(T, m.ppy)
/* A CLI_OPT_DOUBLE's range (0, 1) with its message. */
#define CLI_IN_0_1_EXCLUSIVE                                                                      \
    .dlo = 0, .dhi = 1, .open = CLI_OPEN_LO | CLI_OPEN_HI,                                        \
    .msg = "must be between 0 and 1 exclusive, got \"%s\""
#define CLI_O_PPY(T, field)                                                                       \
    CLI_O("periods-per-year", CLI_OPT_DOUBLE, T, field, .dlo = 0, .dhi = HUGE_VAL,              \
          .open = CLI_OPEN_LO, .msg = "must be positive, got \"%s\"")

/* How a command's options are parsed. */
typedef struct cli_opts_spec {
    const char *cmd;
    const cli_opt *opts;  /* the table, CLI_OPT_END last; --help and -h are added */
    void (*help)(void);
    int unknown_quoted;   /* an unknown option: 'unrecognised option "X"', not 'no option X' */
    int first;            /* argv index of the first option: 0 means 1 */
} cli_opts_spec;
/* Parses the options of argv[s->first..) into *o (members of options not given are left as they
 * are: set the defaults first). Returns 0 with the arguments left at argv[optind..), -1 after
 * printing the help (--help or -h), or the usage exit code after printing the error: a bad value,
 * a missing value ("--X needs a value") or an option the table does not have ("no option --X"). */
int cli_parse_opts(const cli_opts_spec *s, int argc, char **argv, void *o);
/* cli_parse_opts for a command of one argument (ACCOUNT, ID): *arg the argument; the usage error
 * `missing` (e.g. "name the account: account show ACCOUNT") without it, and one for an argument
 * more. Returns 0, -1 after --help, or the usage exit code. */
int cli_parse_one_arg(const cli_opts_spec *s, int argc, char **argv, void *o, const char *missing,
                      const char **arg);
/* A command NAME SUB [options] whose SUB is one of subs (NULL last): *which its index, cmd (room
 * for 64) "NAME SUB", the options of argv[2..) parsed into *o (cli_parse_opts) and no argument
 * left. Returns 0, -1 after --help, or the usage exit code ("unknown subcommand"). */
int cli_parse_sub(const char *name, const char *const *subs, const cli_opt *opts,
                  void (*help)(void), int argc, char **argv, void *o, char *cmd, int *which);
/* A client risk level C1..C5 into an int (ra_prof_level_parse), for CLI_OPT_CUSTOM. */
cli_opt_fn cli_opt_client_level;

/* Strict option values: the whole string must parse; returns 0 on success, else prints a usage
 * error naming the option and returns 2. */
int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out);
int cli_parse_size(const char *cmd, const char *opt, const char *s, size_t lo, size_t hi, size_t *out);
int cli_parse_format(const char *cmd, const char *s, cli_format *out);
/* Splits "A,B,C" into a malloc'd array of pointers into a malloc'd copy (free both with free). */
int cli_split_list(const char *cmd, const char *opt, const char *s, char ***items, size_t *n,
                   char **storage);

/* Market data as the estimators want it: a complete matrix of per-period returns. */
typedef struct cli_market {
    ra_series *series;  /* the loaded file after --assets and missing-value handling */
    double *ret;        /* n_obs x n_assets, row-major */
    size_t n_obs, n_assets;
    const ra_date *ret_dates; /* n_obs: the date at the end of each return period */
    double ppy;         /* periods per year, inferred or given */
    int ppy_inferred;
    size_t n_dropped;   /* rows dropped by --drop-missing */
    int from_prices;
} cli_market;

typedef struct cli_market_opts {
    const char *returns_path, *prices_path, *assets;
    const char *from, *to; /* optional window, ISO dates, inclusive */
    int drop_missing;
    ra_return_kind kind;
    double ppy; /* <= 0: infer */
} cli_market_opts;

/* Parses an ISO date option value; usage error (2) naming the option otherwise. */
int cli_parse_date(const char *cmd, const char *opt, const char *s, ra_date *out);
/* Loads and validates; on failure prints the message and returns the exit code. */
int cli_market_load(const char *cmd, const cli_market_opts *o, cli_market *m);
void cli_market_free(cli_market *m);

/* JSON helpers: NaN/Inf become null; dates as "YYYY-MM-DD"; reals are written in their shortest
 * exact form by cli_json_print (ra_fmt_double_shortest). */
json_t *cli_jnum(double x);
json_t *cli_jdate(ra_date d);
/* Adds "units": {KEY: UNIT, ...} to doc, from NULL-terminated key/unit pairs: every JSON figure
 * says its unit (docs/cli.md#output). */
void cli_json_units(json_t *doc, ...);
/* Prints {"currency": currency, key: arr} (takes arr); cli_json_print's exit code. */
int cli_json_list_print(const char *currency, const char *key, json_t *arr);
/* Writes the document (2-space indent, keys in insertion order) and a newline to stdout and
 * takes the reference. Returns 0, or 1 if stdout fails. */
int cli_json_print(json_t *doc);

/* The book: the CLI's side of ra_book_open (include/roboadvisor/engine_book.h). The library reads
 * no environment; these read it. cli_db_url: db if given, else $ROBOADVISOR_DB if set and not
 * empty, else "roboadvisor.db". cli_firm: firm if given, else $ROBOADVISOR_FIRM, else "default".
 * cli_user: $ROBOADVISOR_USER, else the login name, else the effective user's name. */
const char *cli_db_url(const char *db);
const char *cli_firm(const char *firm);
void cli_user(char out[RA_CODE_MAX]);

typedef struct cli_book_args {
    const char *db;       /* --db, or NULL */
    const char *firm;     /* --firm, or NULL */
    const char *key_file; /* --key-file, or NULL: then $ROBOADVISOR_KEY if set */
    int key_file_create;  /* create a missing key file with a new key */
    int create;           /* init: create the book and apply the migrations */
    int need_firm;        /* the firm must exist */
} cli_book_args;
/* Opens the book as every command does; prints the error and returns its exit code (1), or 0
 * with *out open (close with ra_book_close). */
int cli_book_open(const char *cmd, const cli_book_args *a, ra_book **out);

/* An open book with its parts at hand (copies of rb's). cli_book_open_parts: cli_book_open, then
 * the parts; returns 0, or the exit code with b all zero. cli_book_close: closes and zeroes b. */
typedef struct cli_book {
    ra_book *rb;
    ra_store *s;
    ra_store_actor actor;
    ra_firm firm;
    int have_key;
} cli_book;
int cli_book_open_parts(const char *cmd, const cli_book_args *a, cli_book *b);
void cli_book_close(cli_book *b);

/* Today's date (UTC) from the system clock: the CLI's clock, given to the library. */
ra_date cli_today(void);
/* Milliseconds from a monotonic clock. */
double cli_clock_ms(void);

/* Per-command entry points (cmd_<name>.c; docs/cli.md): argc/argv start at the command name;
 * returns the exit code. */
typedef int cli_cmd_fn(int argc, char **argv);
cli_cmd_fn cmd_optimize, cmd_stats, cmd_xirr, cmd_twr, cmd_plan, cmd_generate_book, cmd_gains;
cli_cmd_fn cmd_plans; /* a client's saved goal plans (cmd_plans.c) */
/* The book of record (cmd_book.c): init, import, securities, reconcile, check, valuation. */
cli_cmd_fn cmd_init, cmd_import, cmd_securities, cmd_reconcile, cmd_check, cmd_valuation;
/* The audit trail (cmd_audit.c), onboarding and agents (cmd_onboard.c), model portfolios
 * (cmd_models.c) and candidate screening (cmd_screen.c). */
cli_cmd_fn cmd_audit, cmd_onboard, cmd_agent, cmd_mandate, cmd_models, cmd_screen;
/* Withdrawal instructions (cmd_instr.c): withdraw, instructions list|cancel. */
cli_cmd_fn cmd_withdraw, cmd_instructions;
cli_cmd_fn cmd_firm_rules; /* the firm's rules on every proposal (cmd_firmrules.c) */
/* A proposal's firm-rule cuts (ra_cycle_proposal.firm_cuts) as a JSON array of {rule, ticker,
 * side, qty, value} (cmd_firmrules.c). */
json_t *cli_firm_cuts_json(const char *text);
cli_cmd_fn cmd_settings; /* the firm's settings (cmd_settings.c) */
cli_cmd_fn cmd_views;    /* the firm's model inputs: views, market weights, pins (cmd_views.c) */
cli_cmd_fn cmd_fees;     /* fee schedules, fees list|bill (cmd_fees.c) */
cli_cmd_fn cmd_report;   /* statements, tax and firm reports (cmd_report.c) */
cli_cmd_fn cmd_notifications, cmd_suspensions, cmd_reauthorise; /* risk limits (cmd_risk.c) */
cli_cmd_fn cmd_rules; /* the firm's risk rules (cmd_rules.c) */
cli_cmd_fn cmd_tiers, cmd_alerts, cmd_queue; /* tiers, behaviour alerts, the queue (cmd_tiers.c) */
/* The daily cycle (cmd_cycle.c): run-day, account show, proposals, orders, replay. */
cli_cmd_fn cmd_run_day, cmd_account, cmd_proposals, cmd_orders, cmd_replay;
/* The intraday monitor (cmd_monitor.c). */
cli_cmd_fn cmd_monitor;
/* orders export and orders blocks (cmd_orders_export.c), called by cmd_orders. */
cli_cmd_fn cmd_orders_export;
cli_cmd_fn cmd_backtest; /* backtests of the daily cycle (cmd_backtest.c) */
cli_cmd_fn cmd_diagnose; /* a client's own portfolio diagnosed (cmd_diagnose.c) */
cli_cmd_fn cmd_keys;  /* the HTTP API's keys (cmd_keys.c) */
cli_cmd_fn cmd_clients; /* a client's erasure (cmd_clients.c) */
cli_cmd_fn cmd_backup; /* verified backups of the book (cmd_backup.c) */
cli_cmd_fn cmd_serve; /* the HTTP API: defined by the server layer (src/server/srv_main.c) */

#endif
