/* Shared parts of the roboadvisor command: see cli.h. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <unistd.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int cli_usage(const char *cmd, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "roboadvisor %s: %s (see 'roboadvisor %s --help')\n", cmd, msg, cmd);
    return CLI_EXIT_USAGE;
}

int cli_fail(const char *cmd, const ra_err *err)
{
    if (err->where[0])
        fprintf(stderr, "roboadvisor %s: %s: %s\n", cmd, err->where, err->msg);
    else
        fprintf(stderr, "roboadvisor %s: %s\n", cmd, err->msg);
    return CLI_EXIT_DATA;
}

/* The usage error of a getopt_long result no entry took: a missing value (c == ':') or an option
 * the table does not have; returns 2. */
static int opt_error(const char *cmd, int c, char **argv, int quoted)
{
    if (c == ':')
        return cli_usage(cmd, "%s needs a value", argv[optind - 1]);
    if (quoted)
        return cli_usage(cmd, "unrecognised option \"%s\"", argv[optind - 1]);
    return cli_usage(cmd, "no option %s", argv[optind - 1]);
}

/* The usage error "OPT MSG" with "%s" in msg standing for arg and "%g" for v; returns 2. */
static int opt_msg(const char *cmd, const char *opt, const char *msg, const char *arg, double v)
{
    char text[512]; /* as long as cli_usage's message */
    size_t k = 0;
    for (const char *p = msg; *p && k + 1 < sizeof text; p++) {
        if (p[0] == '%' && (p[1] == 's' || p[1] == 'g')) {
            int n = p[1] == 's' ? snprintf(text + k, sizeof text - k, "%s", arg)
                                : snprintf(text + k, sizeof text - k, "%g", v);
            k += (size_t)n < sizeof text - k ? (size_t)n : sizeof text - k - 1;
            p++;
        } else {
            text[k++] = *p;
        }
    }
    text[k] = '\0';
    return cli_usage(cmd, "%s %s", opt, text);
}

/* Stores a whole number into an int (or enum) or a 64-bit member (size_t, uint64_t). */
static void store_whole(void *field, size_t size, uint64_t v)
{
    _Static_assert(sizeof(size_t) == sizeof(uint64_t), "size_t members hold 64 bits");
    if (size == sizeof(int)) {
        int i = (int)v;
        memcpy(field, &i, sizeof i);
    } else {
        memcpy(field, &v, sizeof v);
    }
}

static int in_range(const cli_opt *d, double v)
{
    int lo_ok = d->open & CLI_OPEN_LO ? v > d->dlo : v >= d->dlo;
    int hi_ok = d->open & CLI_OPEN_HI ? v < d->dhi : v <= d->dhi;
    return lo_ok && hi_ok;
}

/* Takes the value arg of option d into its member of base; returns 0 or the usage exit code. */
static int take_opt(const char *cmd, const cli_opt *d, char *arg, char *base)
{
    char opt[64];
    snprintf(opt, sizeof opt, "--%s", d->name);
    void *f = base + d->off;
    size_t z = 0;
    double v = 0;
    int rc = 0;
    switch (d->kind) {
    case CLI_OPT_STR: memcpy(f, &arg, sizeof arg); break;
    case CLI_OPT_FLAG: store_whole(f, d->size, 1); break;
    case CLI_OPT_DATE: rc = cli_parse_date(cmd, opt, arg, f); break;
    case CLI_OPT_FORMAT: rc = cli_parse_format(cmd, arg, f); break;
    case CLI_OPT_SIZE:
        if (!(rc = cli_parse_size(cmd, opt, arg, d->lo, d->hi, &z)))
            store_whole(f, d->size, z);
        break;
    case CLI_OPT_DOUBLE:
        if (!(rc = cli_parse_double(cmd, opt, arg, &v)) && d->msg && !in_range(d, v))
            rc = opt_msg(cmd, opt, d->msg, arg, v);
        if (!rc)
            memcpy(f, &v, sizeof v);
        break;
    case CLI_OPT_ENUM:
    case CLI_OPT_WORD:
        while (d->words[z] && strcmp(d->words[z], arg) != 0)
            z++;
        if (!d->words[z])
            rc = opt_msg(cmd, opt, d->msg, arg, 0);
        else if (d->kind == CLI_OPT_ENUM)
            store_whole(f, d->size, z);
        else
            memcpy(f, &arg, sizeof arg);
        break;
    case CLI_OPT_LIST: {
        cli_list *l = f;
        char **g = realloc(l->v, (l->n + 1) * sizeof *g);
        if (!g)
            return cli_usage(cmd, "too many %s", opt);
        l->v = g;
        l->v[l->n++] = arg;
        break;
    }
    case CLI_OPT_CUSTOM: rc = d->fn(cmd, opt, arg, f); break;
    }
    if (rc == 0 && d->have)
        store_whole(base + d->have - 1, sizeof(int), 1);
    return rc;
}

#define CLI_OPTS_MAX 40 /* options of one command */

int cli_parse_opts(const cli_opts_spec *s, int argc, char **argv, void *o)
{
    enum { VAL0 = 256 };
    struct option lo[CLI_OPTS_MAX + 2];
    int n = 0;
    for (; s->opts[n].name; n++) {
        if (n == CLI_OPTS_MAX) {
            fprintf(stderr, "roboadvisor %s: more than %d options\n", s->cmd, CLI_OPTS_MAX);
            return CLI_EXIT_USAGE;
        }
        lo[n] = (struct option){s->opts[n].name,
                                s->opts[n].kind == CLI_OPT_FLAG ? no_argument : required_argument,
                                NULL, VAL0 + n};
    }
    lo[n] = (struct option){"help", no_argument, NULL, VAL0 + n};
    lo[n + 1] = (struct option){NULL, 0, NULL, 0};
    int c, rc = 0;
    opterr = 0;
    optind = s->first ? s->first : 1;
    while (rc == 0 && (c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
        if (c == VAL0 + n || c == 'h') {
            s->help();
            return -1;
        }
        if (c >= VAL0 && c < VAL0 + n)
            rc = take_opt(s->cmd, &s->opts[c - VAL0], optarg, o);
        else
            rc = opt_error(s->cmd, c, argv, s->unknown_quoted && c != ':');
    }
    return rc;
}

int cli_opt_client_level(const char *cmd, const char *opt, char *arg, void *field)
{
    ra_err e = {0};
    if (ra_prof_level_parse(arg, 'C', field, &e) != RA_OK)
        return cli_usage(cmd, "%s: %s", opt, e.msg);
    return 0;
}

int cli_no_more_args(const char *cmd, int argc, char **argv, int from)
{
    if (from < argc)
        return cli_usage(cmd, "unexpected argument \"%s\"", argv[from]);
    return 0;
}

int cli_parse_one_arg(const cli_opts_spec *s, int argc, char **argv, void *o, const char *missing,
                      const char **arg)
{
    int rc = cli_parse_opts(s, argc, argv, o);
    if (rc)
        return rc;
    if (optind >= argc)
        return cli_usage(s->cmd, "%s", missing);
    *arg = argv[optind];
    return cli_no_more_args(s->cmd, argc, argv, optind + 1);
}

int cli_parse_sub(const char *name, const char *const *subs, const cli_opt *opts,
                  void (*help)(void), int argc, char **argv, void *o, char *cmd, int *which)
{
    char list[128] = "";
    *which = -1;
    for (int k = 0; subs[k]; k++) {
        if (strcmp(argv[1], subs[k]) == 0)
            *which = k;
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "", subs[k]);
    }
    if (*which < 0)
        return cli_usage(name, "unknown subcommand \"%s\" (%s)", argv[1], list);
    snprintf(cmd, 64, "%s %s", name, argv[1]);
    const cli_opts_spec spec = {cmd, opts, help, 0, 2};
    int rc = cli_parse_opts(&spec, argc, argv, o);
    return rc ? rc : cli_no_more_args(cmd, argc, argv, optind);
}

/* The CLI's wall clock, given to the store (the library has no clock of its own). */
static int64_t wall_clock(void *ctx)
{
    (void)ctx;
    return (int64_t)time(NULL);
}

int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
        return cli_usage(cmd, "%s needs a number, got \"%s\"", opt, s);
    *out = v;
    return 0;
}

int cli_parse_size(const char *cmd, const char *opt, const char *s, size_t lo, size_t hi, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || s[0] == '-' || v < lo || v > hi)
        return cli_usage(cmd, "%s needs a whole number from %zu to %zu, got \"%s\"", opt, lo, hi, s);
    *out = (size_t)v;
    return 0;
}

int cli_parse_date(const char *cmd, const char *opt, const char *s, ra_date *out)
{
    ra_err err = {0};
    if (ra_date_parse(s, strlen(s), out, &err) != RA_OK)
        return cli_usage(cmd, "%s needs a date YYYY-MM-DD, got \"%s\"", opt, s);
    return 0;
}

int cli_parse_format(const char *cmd, const char *s, cli_format *out)
{
    if (strcmp(s, "json") == 0)
        *out = CLI_FORMAT_JSON;
    else if (strcmp(s, "table") == 0)
        *out = CLI_FORMAT_TABLE;
    else
        return cli_usage(cmd, "--format is json or table, got \"%s\"", s);
    return 0;
}

int cli_split_list(const char *cmd, const char *opt, const char *s, char ***items, size_t *n,
                   char **storage)
{
    size_t count = 1;
    for (const char *p = s; *p; p++)
        count += *p == ',';
    char *copy = strdup(s);
    char **v = malloc(count * sizeof *v);
    if (!copy || !v) {
        free(copy);
        free(v);
        fprintf(stderr, "roboadvisor %s: out of memory\n", cmd);
        return CLI_EXIT_DATA;
    }
    size_t k = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ') tok[--len] = '\0';
        if (len) v[k++] = tok;
    }
    if (k == 0) {
        free(copy);
        free(v);
        return cli_usage(cmd, "%s needs a comma-separated list, got \"%s\"", opt, s);
    }
    *items = v;
    *n = k;
    *storage = copy;
    return 0;
}

void cli_market_free(cli_market *m)
{
    ra_series_destroy(m->series);
    if (m->from_prices)
        free(m->ret);
    memset(m, 0, sizeof *m);
}

int cli_market_load(const char *cmd, const cli_market_opts *o, cli_market *m)
{
    memset(m, 0, sizeof *m);
    if (!!o->returns_path == !!o->prices_path)
        return cli_usage(cmd, "give exactly one of --returns FILE or --prices FILE");
    ra_err err = {0};
    const char *path = o->returns_path ? o->returns_path : o->prices_path;
    if (ra_csv_read_series(path, &m->series, &err) != RA_OK)
        return cli_fail(cmd, &err);
    ra_series *s = m->series;
    int rc = CLI_EXIT_DATA;
    if (o->from || o->to) {
        ra_date from = INT32_MIN, to = INT32_MAX;
        if ((o->from && (rc = cli_parse_date(cmd, "--from", o->from, &from)) != 0) ||
            (o->to && (rc = cli_parse_date(cmd, "--to", o->to, &to)) != 0))
            goto fail;
        if (ra_series_slice(s, from, to, &err) != RA_OK) {
            rc = cli_fail(cmd, &err);
            goto fail;
        }
    }
    if (o->assets) {
        char **names = NULL, *storage = NULL;
        size_t n = 0;
        if ((rc = cli_split_list(cmd, "--assets", o->assets, &names, &n, &storage)) != 0)
            goto fail;
        ra_status st = ra_series_select(s, (const char *const *)names, n, &err);
        free(names);
        free(storage);
        if (st != RA_OK) {
            rc = cli_fail(cmd, &err);
            goto fail;
        }
    }
    if (ra_series_complete(s, o->drop_missing, &m->n_dropped, &err) != RA_OK) {
        rc = cli_fail(cmd, &err);
        goto fail;
    }
    if (o->drop_missing && m->n_dropped > 0)
        fprintf(stderr, "roboadvisor %s: --drop-missing dropped %zu of %zu rows of %s that had an "
                        "empty cell\n", cmd, m->n_dropped, m->n_dropped + s->n_rows, path);
    m->n_assets = s->n_cols;
    if (o->prices_path) {
        if (ra_series_check_positive(s, &err) != RA_OK) {
            rc = cli_fail(cmd, &err);
            goto fail;
        }
        m->from_prices = 1;
        m->n_obs = s->n_rows - 1;
        m->ret = malloc(m->n_obs * m->n_assets * sizeof *m->ret);
        if (!m->ret) {
            fprintf(stderr, "roboadvisor %s: out of memory for %zu x %zu returns\n", cmd, m->n_obs,
                    m->n_assets);
            goto fail;
        }
        if (ra_est_returns(s->values, s->n_rows, s->n_cols, o->kind, m->ret, &err) != RA_OK) {
            rc = cli_fail(cmd, &err);
            goto fail;
        }
        m->ret_dates = s->dates + 1;
    } else {
        if (ra_series_check_returns(s, &err) != RA_OK) {
            rc = cli_fail(cmd, &err);
            goto fail;
        }
        m->n_obs = s->n_rows;
        m->ret = s->values;
        m->ret_dates = s->dates;
    }
    if (m->n_obs < 2) {
        fprintf(stderr, "roboadvisor %s: %s: need at least 2 return periods, have %zu\n", cmd, path,
                m->n_obs);
        goto fail;
    }
    if (o->ppy > 0) {
        m->ppy = o->ppy;
    } else {
        if (ra_est_periods_per_year(s->dates, s->n_rows, &m->ppy, &err) != RA_OK) {
            ra_err_wrap(&err, "%s", path);
            rc = cli_fail(cmd, &err);
            goto fail;
        }
        m->ppy_inferred = 1;
    }
    return 0;
fail:
    cli_market_free(m);
    return rc ? rc : CLI_EXIT_DATA;
}

json_t *cli_jnum(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

json_t *cli_jdate(ra_date d)
{
    char buf[11];
    return json_string(ra_date_format(d, buf));
}

void cli_json_units(json_t *doc, ...)
{
    json_t *u = json_object();
    va_list ap;
    va_start(ap, doc);
    for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *))
        json_object_set_new(u, k, json_string(va_arg(ap, const char *)));
    va_end(ap);
    json_object_set_new(doc, "units", u);
}

/* A JSON value as jansson's JSON_INDENT(2) | JSON_PRESERVE_ORDER writes it, except that reals
 * are written in their shortest exact form (ra_fmt_double_shortest: 0.03, not
 * 0.029999999999999999), which no jansson flag does: JSON_REAL_PRECISION applies one precision to
 * every number. Returns 0, or -1 if a write fails. */
static int json_write(FILE *o, json_t *j, int depth)
{
    char num[RA_FMT_DOUBLE_SIZE];
    int rc = 0;
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(j), i = 0;
        if (n == 0)
            return fputs("{}", o) < 0 ? -1 : 0;
        const char *key;
        json_t *v;
        rc |= fputs("{\n", o) < 0;
        json_object_foreach(j, key, v) {
            json_t *k = json_string(key);
            rc |= fprintf(o, "%*s", 2 * (depth + 1), "") < 0;
            rc |= !k || json_dumpf(k, o, JSON_ENCODE_ANY) != 0;
            json_decref(k);
            rc |= fputs(": ", o) < 0;
            rc |= json_write(o, v, depth + 1) != 0;
            rc |= fputs(++i < n ? ",\n" : "\n", o) < 0;
        }
        rc |= fprintf(o, "%*s}", 2 * depth, "") < 0;
        break;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(j);
        if (n == 0)
            return fputs("[]", o) < 0 ? -1 : 0;
        rc |= fputs("[\n", o) < 0;
        for (size_t i = 0; i < n; i++) {
            rc |= fprintf(o, "%*s", 2 * (depth + 1), "") < 0;
            rc |= json_write(o, json_array_get(j, i), depth + 1) != 0;
            rc |= fputs(i + 1 < n ? ",\n" : "\n", o) < 0;
        }
        rc |= fprintf(o, "%*s]", 2 * depth, "") < 0;
        break;
    }
    case JSON_REAL:
        rc |= fputs(ra_fmt_double_shortest(json_real_value(j), num), o) < 0;
        break;
    default: /* strings, integers, true, false, null: as jansson writes them */
        rc |= json_dumpf(j, o, JSON_ENCODE_ANY) != 0;
        break;
    }
    return rc ? -1 : 0;
}

int cli_json_print(json_t *doc)
{
    int rc = doc ? json_write(stdout, doc, 0) : -1;
    json_decref(doc);
    if (rc != 0 || fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
        fprintf(stderr, "roboadvisor: could not write to standard output\n");
        return CLI_EXIT_DATA;
    }
    return 0;
}

const char *cli_db_url(const char *db)
{
    if (db && db[0])
        return db;
    const char *env = getenv("ROBOADVISOR_DB");
    return env && env[0] ? env : "roboadvisor.db";
}

const char *cli_firm(const char *firm)
{
    if (firm && firm[0])
        return firm;
    const char *env = getenv("ROBOADVISOR_FIRM");
    return env && env[0] ? env : "default";
}

void cli_user(char out[RA_CODE_MAX])
{
    const char *u = getenv("ROBOADVISOR_USER");
    if (!u || !u[0])
        u = getlogin();
    if (!u || !u[0]) {
        const struct passwd *pw = getpwuid(geteuid());
        u = pw ? pw->pw_name : "unknown";
    }
    snprintf(out, RA_CODE_MAX, "%s", u);
}

int cli_book_open(const char *cmd, const cli_book_args *a, ra_book **out)
{
    char user[RA_CODE_MAX];
    cli_user(user);
    ra_book_open_opts o;
    memset(&o, 0, sizeof o);
    o.url = cli_db_url(a->db);
    o.firm = cli_firm(a->firm);
    o.user = user;
    o.key_file = a->key_file;
    o.key_file_create = a->key_file_create;
    o.key_hex = getenv("ROBOADVISOR_KEY");
    o.key_hex_name = "ROBOADVISOR_KEY";
    o.create = a->create;
    o.need_firm = a->need_firm;
    o.clock = wall_clock;
    ra_err err = {0};
    if (ra_book_open(&o, out, &err) != RA_OK)
        return cli_fail(cmd, &err);
    return 0;
}

int cli_book_open_parts(const char *cmd, const cli_book_args *a, cli_book *b)
{
    memset(b, 0, sizeof *b);
    int rc = cli_book_open(cmd, a, &b->rb);
    if (rc)
        return rc;
    b->s = b->rb->store;
    b->actor = b->rb->actor;
    b->firm = b->rb->firm;
    b->have_key = b->rb->have_key;
    return 0;
}

void cli_book_close(cli_book *b)
{
    ra_book_close(b->rb);
    memset(b, 0, sizeof *b);
}

ra_date cli_today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    return ra_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

double cli_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int cli_json_list_print(const char *currency, const char *key, json_t *arr)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "currency", json_string(currency));
    json_object_set_new(doc, key, arr);
    return cli_json_print(doc);
}
