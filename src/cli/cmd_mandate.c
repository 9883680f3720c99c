/* roboadvisor mandate show | set | history (docs/cli.md#mandate): an account's mandate, the one
 * versioned and audited record of its parameters (docs/methodology.md#the-mandate). */
#include "cli.h"

#include <roboadvisor/store_mandate.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct opts {
    cli_book_args book;
    cli_format format;
    const char *by, *reason;
    ra_date effective;
    int have_effective;
} opts;

static const cli_opt options[] = {
    CLI_OPTS_BOOK(opts, book),
    CLI_O("format", CLI_OPT_FORMAT, opts, format),
    CLI_O("by", CLI_OPT_STR, opts, by),
    CLI_O("reason", CLI_OPT_STR, opts, reason),
    CLI_O("effective", CLI_OPT_DATE, opts, effective, .have = CLI_HAVE(opts, have_effective)),
    CLI_OPT_END};

static void help(void)
{
    printf("usage: roboadvisor mandate show ACCOUNT [--format table|json] [--firm CODE] [--db URL]\n"
           "       roboadvisor mandate history ACCOUNT [--format table|json] [--firm CODE] [--db URL]\n"
           "       roboadvisor mandate set ACCOUNT KEY=VALUE... --by USER --reason TEXT\n"
           "                                [--effective DATE] [--format table|json]\n"
           "                                [--firm CODE] [--key-file FILE] [--db URL]\n\n"
           "An account's mandate: every parameter the daily cycle reads for it, versioned and\n"
           "audited (who, why, when, and the day a version takes effect). Keys: model,\n"
           "discretionary, drift_band, band_rel, to_band_edge, buy_only, tlh, loss_limit,\n"
           "restrictions, relief (fifo, hifo, tax-aware), cash_reserve, min_trade_minor,\n"
           "reinvest_dividends, fractional, gain_budget_minor (-1 none), client_confirm,\n"
           "risk_level (C1..C5), objective, fee_schedule (\"\" the firm's default; see\n"
           "'fees schedule'). docs/cli.md#mandate.\n");
}

/* One version as JSON: the fields by their keys (numbers as numbers, flags 0/1). */
static json_t *version_json(const ra_mandate_version *v)
{
    const ra_mandate *m = &v->mandate;
    json_t *f = json_object();
    json_object_set_new(f, "model", json_string(m->model));
    json_object_set_new(f, "discretionary", json_integer(m->discretionary));
    json_object_set_new(f, "drift_band", cli_jnum(m->drift_band));
    json_object_set_new(f, "band_rel", cli_jnum(m->band_rel));
    json_object_set_new(f, "to_band_edge", json_integer(m->to_band_edge));
    json_object_set_new(f, "buy_only", json_integer(m->buy_only));
    json_object_set_new(f, "tlh", json_integer(m->tlh_enabled));
    json_object_set_new(f, "loss_limit", cli_jnum(m->loss_limit));
    json_object_set_new(f, "restrictions", json_string(m->restrictions));
    json_object_set_new(f, "relief", json_string(ra_rule_relief_name(m->relief)));
    json_object_set_new(f, "cash_reserve", cli_jnum(m->cash_reserve));
    json_object_set_new(f, "min_trade_minor", json_integer((json_int_t)m->min_trade_minor));
    json_object_set_new(f, "reinvest_dividends", json_integer(m->reinvest_dividends));
    json_object_set_new(f, "fractional", json_integer(m->fractional));
    json_object_set_new(f, "gain_budget_minor", json_integer((json_int_t)m->gain_budget_minor));
    json_object_set_new(f, "client_confirm", json_integer(m->client_confirm));
    json_object_set_new(f, "fee_schedule", json_string(m->fee_schedule));
    json_object_set_new(f, "risk_level", m->risk_level ? json_sprintf("C%d", m->risk_level)
                                                       : json_null());
    json_object_set_new(f, "objective",
                        json_string(ra_agent_objective_name((ra_agent_objective)m->objective)));
    json_object_set_new(f, "rules", json_string(m->rules));
    json_t *o = json_object();
    json_object_set_new(o, "account", json_string(v->account));
    json_object_set_new(o, "version", json_integer((json_int_t)v->version));
    json_object_set_new(o, "mandate", f);
    json_object_set_new(o, "agent_name", json_string(v->agent_name));
    json_object_set_new(o, "effective", v->effective ? cli_jdate(v->effective) : json_null());
    json_object_set_new(o, "user", json_string(v->user));
    json_object_set_new(o, "reason", json_string(v->reason));
    json_object_set_new(o, "at", json_integer((json_int_t)v->at));
    return o;
}

static void print_version(const ra_mandate_version *v)
{
    char d[11], buf[RA_NAME_MAX + 1];
    printf("mandate of account %s, version %lld%s%s\n", v->account, (long long)v->version,
           v->effective ? ", effective " : "", v->effective ? ra_date_format(v->effective, d) : "");
    for (const char *const *k = ra_rule_mandate_keys(); *k; k++)
        printf("  %-20s %s\n", *k, ra_rule_mandate_get(&v->mandate, *k, buf, sizeof buf));
    if (v->agent_name[0])
        printf("  %-20s %s\n", "agent_name", v->agent_name);
    printf("  by %s: %s\n", v->user, v->reason);
}

static int show(const char *cmd, cli_book *b, const char *account, const opts *o)
{
    ra_err err = {0};
    ra_mandate_version v;
    if (ra_store_mandate_get(b->s, b->firm.code, account, 0, &v, &err) != RA_OK)
        return cli_fail(cmd, &err);
    if (o->format == CLI_FORMAT_JSON)
        return cli_json_print(version_json(&v));
    print_version(&v);
    return 0;
}

static int history(const char *cmd, cli_book *b, const char *account, const opts *o)
{
    ra_err err = {0};
    ra_mandate_version *h = NULL;
    size_t n = 0;
    if (ra_store_mandate_history(b->s, b->firm.code, account, &h, &n, &err) != RA_OK)
        return cli_fail(cmd, &err);
    int rc = 0;
    if (o->format == CLI_FORMAT_JSON) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, version_json(&h[i]));
        rc = cli_json_print(json_pack("{s:s,s:o}", "account", account, "versions", arr));
    } else {
        char d[11];
        printf("%-8s %-10s %-16s %s\n", "version", "effective", "by", "reason");
        for (size_t i = 0; i < n; i++)
            printf("%-8lld %-10s %-16s %s\n", (long long)h[i].version,
                   h[i].effective ? ra_date_format(h[i].effective, d) : "at once", h[i].user,
                   h[i].reason);
    }
    ra_store_free(h);
    return rc;
}

static int set(const char *cmd, cli_book *b, const char *account, char **kv, size_t n,
               const opts *o)
{
    ra_err err = {0};
    ra_mandate_version cur;
    if (ra_store_mandate_get(b->s, b->firm.code, account, 0, &cur, &err) != RA_OK)
        return cli_fail(cmd, &err);
    ra_mandate m = cur.mandate;
    for (size_t i = 0; i < n; i++) {
        char *eq = strchr(kv[i], '=');
        if (!eq || eq == kv[i])
            return cli_usage(cmd, "\"%s\" is not KEY=VALUE", kv[i]);
        *eq = 0;
        if (ra_rule_mandate_set(&m, kv[i], eq + 1, &err) != RA_OK)
            return cli_fail(cmd, &err);
    }
    ra_store_actor actor = b->actor;
    snprintf(actor.user, sizeof actor.user, "%s", o->by);
    int64_t v = 0;
    if (ra_store_mandate_put(b->s, &actor, account, &m, NULL,
                             o->have_effective ? o->effective : 0, o->reason, &v,
                             &err) != RA_OK)
        return cli_fail(cmd, &err);
    if (o->format == CLI_FORMAT_JSON) {
        ra_mandate_version now;
        if (ra_store_mandate_get(b->s, b->firm.code, account, 0, &now, &err) != RA_OK)
            return cli_fail(cmd, &err);
        return cli_json_print(json_pack("{s:b,s:I,s:o}", "changed", v != cur.version,
                                        "previous_version", (json_int_t)cur.version, "current",
                                        version_json(&now)));
    }
    if (v == cur.version)
        printf("mandate of account %s: unchanged, version %lld\n", account, (long long)v);
    else
        printf("mandate of account %s: version %lld (was %lld)\n", account, (long long)v,
               (long long)cur.version);
    return 0;
}

int cmd_mandate(int argc, char **argv)
{
    const char *cmd = "mandate";
    if (argc < 2 || argv[1][0] == '-') {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            help();
            return 0;
        }
        return cli_usage(cmd, "say 'mandate show|set|history ACCOUNT'");
    }
    const char *sub = argv[1];
    if (strcmp(sub, "show") != 0 && strcmp(sub, "set") != 0 && strcmp(sub, "history") != 0)
        return cli_usage(cmd, "no subcommand \"%s\" (show, set, history)", sub);
    opts o;
    memset(&o, 0, sizeof o);
    o.format = CLI_FORMAT_TABLE;
    const cli_opts_spec spec = {cmd, options, help, 0, 0};
    int rc = cli_parse_opts(&spec, argc - 1, argv + 1, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    int first = 1 + optind, n_args = argc - first;
    int is_set = !strcmp(sub, "set");
    if (n_args < 1)
        return cli_usage(cmd, "ACCOUNT is required");
    if (!is_set && n_args > 1)
        return cli_usage(cmd, "unexpected argument \"%s\"", argv[first + 1]);
    if (!is_set && (o.by || o.reason || o.have_effective))
        return cli_usage(cmd, "--by, --reason and --effective belong to 'mandate set'");
    if (is_set && n_args < 2)
        return cli_usage(cmd, "nothing to change: give KEY=VALUE");
    if (is_set && (!o.by || !o.by[0]))
        return cli_usage(cmd, "--by USER is required: every change is audited with who made it");
    if (is_set && strlen(o.by) >= RA_CODE_MAX)
        return cli_usage(cmd, "--by is longer than %d bytes", RA_CODE_MAX - 1);
    if (is_set && !o.reason)
        return cli_usage(cmd, "--reason TEXT is required: every change is audited with its reason");
    o.book.need_firm = 1;
    cli_book b;
    if ((rc = cli_book_open_parts(cmd, &o.book, &b)) != 0)
        return rc;
    const char *account = argv[first];
    rc = is_set ? set(cmd, &b, account, argv + first + 1, (size_t)(n_args - 1), &o)
         : !strcmp(sub, "show") ? show(cmd, &b, account, &o)
                                : history(cmd, &b, account, &o);
    cli_book_close(&b);
    return rc;
}
