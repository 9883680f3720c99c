/* The roboadvisor command: shared option parsing, data loading and output (src/cli only).
 * The CLI is the only code that prints or exits. Exit codes: 0 success, 1 data error (the message
 * names file, line and column), 2 usage error (one line, points at --help). */
#ifndef RA_CLI_H
#define RA_CLI_H

#include <roboadvisor/roboadvisor.h>
#include <roboadvisor/engine_book.h>

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_DATA 1
#define CLI_EXIT_USAGE 2

typedef enum cli_format { CLI_FORMAT_TABLE = 0, CLI_FORMAT_JSON = 1 } cli_format;

/* Prints "roboadvisor CMD: MESSAGE (see 'roboadvisor CMD --help')" on stderr; returns 2. */
int cli_usage(const char *cmd, const char *fmt, ...) RA_PRINTF(2, 3);
/* Prints "roboadvisor CMD: WHERE: MESSAGE" on stderr; returns 1. */
int cli_fail(const char *cmd, const ra_err *err);

/* For getopt_long loops (optstring starting with ':'): the usage error of a result no case took,
 * a missing value (c == ':') or an option the command does not have; returns 2.
 * cli_no_more_args: a usage error naming argv[from] if there are arguments left, else 0. */
int cli_opt_error(const char *cmd, int c, char **argv);
int cli_no_more_args(const char *cmd, int argc, char **argv, int from);

/* What a cli_opt_fn returns for an option it does not take: cli_getopt reports it. */
#define CLI_OPT_NONE (-2)
/* Takes one option (c: its longopts value, arg: its value or NULL): returns 0, a usage exit code
 * (the loop stops with it) or CLI_OPT_NONE. */
typedef int cli_opt_fn(void *ctx, int c, char *arg);
typedef struct cli_getopt_spec {
    const char *cmd;
    const struct option *longopts; /* getopt_long's table, {0, 0, 0, 0} last */
    int help_val;                  /* the value of --help in longopts ('h' is help too) */
    void (*help)(void);
    cli_opt_fn *on;
    int unknown_quoted;            /* an unknown option: 'unrecognised option "X"', not 'no option X' */
    int first;                     /* argv index of the first option: 0 means 1 */
} cli_getopt_spec;
/* The getopt_long loop of a command (optstring ":h", from argv[s->first]): each option goes to s->on.
 * Returns 0 with the arguments left at argv[optind..), -1 after printing the help, or the usage
 * exit code (cli_opt_error for a missing value or an option s->on does not take). */
int cli_getopt(const cli_getopt_spec *s, int argc, char **argv, void *ctx);

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
/* The book of record (cmd_book.c): init, import, securities, reconcile, check, valuation. */
cli_cmd_fn cmd_init, cmd_import, cmd_securities, cmd_reconcile, cmd_check, cmd_valuation;
/* The audit trail (cmd_audit.c), onboarding and agents (cmd_onboard.c), model portfolios
 * (cmd_models.c) and candidate screening (cmd_screen.c). */
cli_cmd_fn cmd_audit, cmd_onboard, cmd_agent, cmd_models, cmd_screen;

#endif
