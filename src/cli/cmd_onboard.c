/* roboadvisor onboard | agent (docs/cli.md#onboard, docs/cli.md#agent).
 *
 * onboard: one client from an onboarding document (include/roboadvisor/onboard.h), or the firm's
 * clients from seeded generated answers (--generate N --seed S). Everything is checked before the
 * store is touched; then one transaction stores the client, accounts, answered questionnaire,
 * profile and agents, and (when the models module is built and the firm has models) assigns the
 * suitable model and computes the proposed target.
 *
 * Options as the book commands: --db or ROBOADVISOR_DB, --firm or ROBOADVISOR_FIRM (default
 * "default"), the key from --key-file or ROBOADVISOR_KEY, the user from ROBOADVISOR_USER. */
#include "cli.h"
#include <roboadvisor/engine_models.h>
#include <roboadvisor/onboard_io.h>
#include <roboadvisor/prof_io.h>

#include <getopt.h>
#include <math.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_FIRM "default"
#define DOC_MAX RA_PROF_MAX_DOC
#define KEY_FILE_MAX 4096
#define GEN_MAX 1000000 /* clients onboarded by one --generate */

typedef struct opts {
    const char *cmd; /* for messages */
    cli_book_args book; /* --db, --firm (default $ROBOADVISOR_FIRM, "default"), --key-file */
    const char *client_file, *questionnaire, *lang, *name, *reason;
    ra_date date;
    int have_date;
    size_t generate;
    uint64_t seed;
    int have_generate;
    cli_format format;
    cli_list params; /* --param KEY=VALUE, repeatable */
} opts;

/* The options of onboard and agent: one table, so that each can say which options belong to the
 * other. */
static const cli_opt options[] = {
    CLI_OPTS_BOOK(opts, book),
    CLI_O("client", CLI_OPT_STR, opts, client_file),
    CLI_O("questionnaire", CLI_OPT_STR, opts, questionnaire),
    CLI_O("lang", CLI_OPT_STR, opts, lang),
    CLI_O("date", CLI_OPT_DATE, opts, date, .have = CLI_HAVE(opts, have_date)),
    CLI_O("format", CLI_OPT_FORMAT, opts, format),
    CLI_O("generate", CLI_OPT_SIZE, opts, generate, .lo = 1, .hi = GEN_MAX,
          .have = CLI_HAVE(opts, have_generate)),
    CLI_O("seed", CLI_OPT_SIZE, opts, seed, .lo = 0, .hi = SIZE_MAX),
    CLI_O("name", CLI_OPT_STR, opts, name), CLI_O("param", CLI_OPT_LIST, opts, params),
    CLI_O("reason", CLI_OPT_STR, opts, reason), CLI_OPT_END};

static int parse_opts(const char *cmd, int argc, char **argv, opts *o, void (*help)(void))
{
    memset(o, 0, sizeof *o);
    o->format = CLI_FORMAT_TABLE;
    o->cmd = cmd;
    const cli_opts_spec spec = {cmd, options, help, 0, 0};
    int rc = cli_parse_opts(&spec, argc, argv, o);
    if (rc)
        return rc;
    if (!o->book.firm) {
        const char *e = getenv("ROBOADVISOR_FIRM");
        o->book.firm = e && e[0] ? e : DEFAULT_FIRM;
    }
    if (!o->have_date) {
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        o->date = ra_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    }
    return 0;
}

/* ---- the book ------------------------------------------------------------------------------- */

typedef cli_book book;

/* Opens the book the way every command does (cli_book_open); the firm must exist. */
static int book_open(const char *cmd, const opts *o, book *b)
{
    cli_book_args a = o->book;
    a.need_firm = 1;
    return cli_book_open_parts(cmd, &a, b);
}

/* The questionnaire: from --questionnaire FILE (stored if new), else the stored id/version. */
static int load_questionnaire(const char *cmd, book *b, const char *file, const char *id,
                              int64_t version, ra_prof_questionnaire **q)
{
    ra_err err = {0};
    char *data = NULL;
    size_t size = 0;
    ra_status st;
    if (file) {
        st = ra_file_read(file, DOC_MAX, &data, &size, &err);
        if (st == RA_OK)
            st = ra_store_questionnaire_put(b->s, &b->actor, data, size, NULL, &err);
        if (st != RA_OK && err.where[0] == '$') {
            char w[sizeof err.where];
            snprintf(w, sizeof w, "%s", err.where);
            snprintf(err.where, sizeof err.where, "%.60s: %.60s", file, w);
        }
        if (st == RA_OK && id) {
            ra_prof_questionnaire *tmp = NULL;
            st = ra_prof_questionnaire_parse(data, size, &tmp, &err);
            if (st == RA_OK && (strcmp(tmp->id, id) != 0 || tmp->version != version))
                st = ra_err_set(&err, RA_EINVAL, "$.questionnaire",
                                "the answers are for questionnaire %s version %lld, %s is %s "
                                "version %lld",
                                id, (long long)version, file, tmp->id, (long long)tmp->version);
            ra_prof_questionnaire_destroy(tmp);
        }
    } else if (id) {
        st = ra_store_questionnaire_get(b->s, b->firm.code, id, version, &data, &size, NULL, &err);
        if (st == RA_ENOTFOUND)
            ra_err_wrap(&err, "give the questionnaire with --questionnaire FILE");
    } else {
        st = ra_err_set(&err, RA_EINVAL, NULL, "--generate needs --questionnaire FILE");
    }
    if (st == RA_OK)
        st = ra_prof_questionnaire_parse(data, size, q, &err);
    ra_free(data);
    return st == RA_OK ? 0 : cli_fail(cmd, &err);
}

/* ---- output --------------------------------------------------------------------------------- */

static json_t *profile_json(const ra_profile *pr, const ra_prof_questionnaire *q)
{
    char d1[11], d2[11];
    json_t *flags = json_array();
    for (size_t i = 0; i < pr->n_flags; i++)
        json_array_append_new(flags, json_pack("{s:s,s:s}", "rule", pr->flags[i].rule_id,
                                               "reason", pr->flags[i].reason));
    json_t *j = json_pack("{s:s,s:I,s:s,s:o,s:s,s:o,s:s,s:o,s:b,s:o,s:s,s:s}", "questionnaire",
                          q->id, "version", (json_int_t)q->version, "level",
                          ra_prof_level_name(pr->level), "tolerance_score",
                          cli_jnum(pr->tolerance_score), "tolerance_level",
                          ra_prof_level_name(pr->tolerance_level), "capacity_score",
                          cli_jnum(pr->capacity_score), "capacity_level",
                          ra_prof_level_name(pr->capacity_level), "cap",
                          pr->cap ? json_string(ra_prof_level_name(pr->cap)) : json_null(),
                          "needs_review", pr->needs_review, "flags", flags, "taken",
                          ra_date_format(pr->taken, d1), "expires",
                          ra_date_format(pr->expires, d2));
    if (pr->cap && pr->cap_question)
        json_object_set_new(j, "cap_reason", json_pack("{s:s,s:s}", "question", pr->cap_question,
                                                       "answer", pr->cap_option));
    return j;
}

static json_t *proposal_json(const ra_models_proposal *p)
{
    if (!p->have_model)
        return json_pack("{s:n,s:s}", "model", "note", p->note);
    json_t *j = json_pack("{s:s,s:i,s:s}", "model", p->model, "model_version", p->model_version,
                          "model_level", ra_suit_level_name(p->model_level));
    json_t *t = json_array();
    for (size_t i = 0; i < p->target.n; i++)
        json_array_append_new(t, json_pack("{s:s,s:o}", "ticker",
                                           p->target.w[i].ticker[0] ? p->target.w[i].ticker
                                                                    : "CASH",
                                           "weight", cli_jnum(p->target.w[i].weight)));
    json_object_set_new(j, "target", t);
    json_object_set_new(j, "target_units", json_string("fraction of the account's value"));
    return j;
}

static void print_profile_table(const ra_profile *pr)
{
    char d1[11], d2[11];
    printf("risk level      %s (tolerance %.1f -> %s, capacity %.1f -> %s", ra_prof_level_name(pr->level),
           pr->tolerance_score, ra_prof_level_name(pr->tolerance_level), pr->capacity_score,
           ra_prof_level_name(pr->capacity_level));
    if (pr->cap)
        printf(", capped at %s by %s=%s", ra_prof_level_name(pr->cap), pr->cap_question,
               pr->cap_option);
    printf(")\n");
    printf("taken           %s, expires %s (renew before then)\n", ra_date_format(pr->taken, d1),
           ra_date_format(pr->expires, d2));
    if (pr->n_flags == 0)
        printf("review          none needed\n");
    for (size_t i = 0; i < pr->n_flags; i++)
        printf("review          %s: %s\n", pr->flags[i].rule_id, pr->flags[i].reason);
}

static void print_proposal_table(const char *account, const ra_models_proposal *p)
{
    if (!p->have_model) {
        printf("account %-8s %s\n", account, p->note);
        return;
    }
    printf("account %-8s model %s v%d (%s)\n", account, p->model, p->model_version,
           ra_suit_level_name(p->model_level));
    for (size_t i = 0; i < p->target.n; i++)
        printf("  %-10s %6.2f %%\n", p->target.w[i].ticker[0] ? p->target.w[i].ticker : "CASH",
               100.0 * p->target.w[i].weight);
}

/* What re-onboarding kept of an agent's parameters and what it reset, and why. */
static json_t *agent_note_json(const ra_onboard_agent_note *n)
{
    json_t *kept = json_array(), *reset = json_array();
    for (size_t k = 0; k < RA_AGENT_N_PARAMS; k++) {
        if (!n->had_agent)
            continue;
        if (n->keep.reset[k])
            json_array_append_new(reset, json_pack("{s:s,s:s}", "param", ra_agent_param_name(k),
                                                   "reason", n->keep.why[k]));
        else
            json_array_append_new(kept, json_string(ra_agent_param_name(k)));
    }
    return json_pack("{s:b,s:o,s:o}", "had_agent", n->had_agent, "kept", kept, "reset", reset);
}

static void print_agent_note(const ra_onboard_agent_note *n)
{
    if (!n->had_agent)
        return;
    printf("  parameters kept:");
    int any = 0;
    for (size_t k = 0; k < RA_AGENT_N_PARAMS; k++)
        if (!n->keep.reset[k]) {
            printf(" %s", ra_agent_param_name(k));
            any = 1;
        }
    printf("%s\n", any ? "" : " none");
    for (size_t k = 0; k < RA_AGENT_N_PARAMS; k++)
        if (n->keep.reset[k])
            printf("  parameter reset: %s (%s)\n", ra_agent_param_name(k), n->keep.why[k]);
}

/* ---- onboard one document ------------------------------------------------------------------- */

static void onboard_help(void)
{
    printf("usage: roboadvisor onboard --client FILE.json [--questionnaire FILE] [--firm CODE]\n"
           "                           [--db URL] [--key-file F] [--date D] [--lang en|zh-Hans]\n"
           "                           [--format table|json]\n"
           "       roboadvisor onboard --generate N --seed S --questionnaire FILE [...]\n\n"
           "Onboards a client: the client record, the accounts to open and the risk questionnaire\n"
           "answers of FILE.json (docs/formats.md#onboarding-document) are checked (errors name the\n"
           "JSON path, exit 1, nothing stored), then stored in one transaction with the profile\n"
           "(C1..C5), each account's agent, and the suitable model and proposed target.\n"
           "--questionnaire stores the firm's questionnaire (a new id or version) and uses it;\n"
           "without it the stored one named by the answers is used.\n"
           "--generate N --seed S onboards the firm's clients (the first N; or N new clients G...\n"
           "if the firm has none) from seeded generated answers and counts clients per level.\n");
}

static int lang_index(const char *cmd, const ra_prof_questionnaire *q, const char *lang,
                      size_t *li)
{
    ra_err err = {0};
    *li = 0;
    if (lang && ra_prof_lang_find(q, lang, li, &err) != RA_OK)
        return cli_usage(cmd, "--lang: %s", err.msg);
    return 0;
}

static int onboard_one(const char *cmd, const opts *o)
{
    ra_err err = {0};
    char *data = NULL, *qdata = NULL;
    size_t size = 0, qsize = 0;
    ra_onboard_doc *doc = NULL;
    if (ra_file_read(o->client_file, DOC_MAX, &data, &size, &err) != RA_OK)
        return cli_fail(cmd, &err);
    ra_status st = ra_onboard_doc_parse(data, size, &doc, &err);
    ra_free(data);
    if (st != RA_OK)
        return cli_fail(cmd, &err);
    if (o->questionnaire &&
        ra_file_read(o->questionnaire, DOC_MAX, &qdata, &qsize, &err) != RA_OK) {
        ra_onboard_doc_destroy(doc);
        return cli_fail(cmd, &err);
    }
    book b;
    int rc = book_open(cmd, o, &b);
    ra_onboard_outcome *out = rc ? NULL : ra_calloc(1, sizeof *out);
    if (!rc && !out) {
        ra_err_set(&err, RA_ENOMEM, NULL, "could not allocate the onboarding's outcome");
        rc = cli_fail(cmd, &err);
    }
    if (!rc) {
        /* one write scope: the questionnaire, the client, the profile, the agents and the
         * proposals are stored together, or nothing is */
        ra_onboard_request rq = {doc, qdata, qsize, o->questionnaire, o->lang, o->date, 1};
        st = ra_onboard_document(b.s, &b.actor, &rq, out, &err);
        if (st == RA_ENOTFOUND && strcmp(err.where, "lang") == 0)
            rc = cli_usage(cmd, "--lang: %s", err.msg);
        else if (st != RA_OK)
            rc = cli_fail(cmd, &err);
    }
    const ra_onboard_result *res = out ? &out->result : NULL;
    const ra_prof_questionnaire *q = out ? out->questionnaire : NULL;
    if (!rc && o->format == CLI_FORMAT_JSON) {
        json_t *accts = json_array();
        for (size_t i = 0; i < doc->n_accounts; i++) {
            json_t *a = json_pack("{s:s,s:s,s:I}", "code", doc->accounts[i].code, "agent_name",
                                  doc->accounts[i].agent_name, "agent_version",
                                  (json_int_t)res->agent_version[i]);
            json_object_update_new(a, proposal_json(&out->proposal[i]));
            json_object_set_new(a, "agent_params", agent_note_json(&out->agent[i]));
            json_array_append_new(accts, a);
        }
        rc = cli_json_print(json_pack("{s:s,s:b,s:s,s:o,s:o}", "client", doc->client.code,
                                      "client_created", res->client_created, "lang",
                                      q->langs[out->lang_index], "profile",
                                      profile_json(&res->profile, q), "accounts", accts));
    } else if (!rc) {
        printf("client          %s (%s)\n", doc->client.code,
               res->client_created ? "new" : "existing, updated");
        print_profile_table(&res->profile);
        for (size_t i = 0; i < doc->n_accounts; i++) {
            printf("agent           %s%s%s%s, version %lld\n", doc->accounts[i].code,
                   doc->accounts[i].agent_name[0] ? " \"" : "", doc->accounts[i].agent_name,
                   doc->accounts[i].agent_name[0] ? "\"" : "",
                   (long long)res->agent_version[i]);
            print_agent_note(&out->agent[i]);
            print_proposal_table(doc->accounts[i].code, &out->proposal[i]);
        }
    }
    ra_onboard_outcome_free(out);
    ra_free(out);
    ra_free(qdata);
    ra_onboard_doc_destroy(doc);
    if (b.rb)
        cli_book_close(&b);
    return rc;
}

/* ---- generated answers ---------------------------------------------------------------------- */

static int onboard_generate(const char *cmd, const opts *o)
{
    book b;
    int rc = book_open(cmd, o, &b);
    if (rc)
        return rc;
    ra_err err = {0};
    ra_prof_questionnaire *q = NULL;
    size_t li = 0;
    /* one transaction: the questionnaire is stored with the batch, or not at all */
    if (ra_store_begin(b.s, &err) != RA_OK) {
        cli_book_close(&b);
        return cli_fail(cmd, &err);
    }
    rc = load_questionnaire(cmd, &b, o->questionnaire, NULL, 0, &q);
    if (!rc)
        rc = lang_index(cmd, q, o->lang, &li);
    ra_onboard_generated *g = calloc(1, sizeof *g);
    if (!rc && !g) {
        ra_err_set(&err, RA_ENOMEM, NULL, "could not allocate the counts");
        rc = cli_fail(cmd, &err);
    }
    if (!rc && ra_onboard_generate(b.s, &b.actor, q, li, o->generate, o->seed, o->date, g,
                                   &err) != RA_OK)
        rc = cli_fail(cmd, &err);
    if (!rc && ra_store_commit(b.s, &err) != RA_OK)
        rc = cli_fail(cmd, &err);
    if (rc)
        (void)ra_store_rollback(b.s, NULL);
    if (!rc && o->format == CLI_FORMAT_JSON) {
        json_t *lv_arr = json_array();
        for (int lv = 1; lv <= RA_PROF_LEVELS; lv++) {
            json_t *j = json_pack("{s:s,s:I}", "level", ra_prof_level_name(lv), "clients",
                                  (json_int_t)g->per_level[lv]);
            json_t *pj = proposal_json(&g->model[lv]);
            json_object_del(pj, "target");
            json_object_del(pj, "target_units");
            json_object_update_new(j, pj);
            json_array_append_new(lv_arr, j);
        }
        rc = cli_json_print(json_pack("{s:I,s:I,s:I,s:o}", "clients", (json_int_t)g->clients,
                                      "seed", (json_int_t)o->seed, "needs_review",
                                      (json_int_t)g->needs_review, "levels", lv_arr));
    } else if (!rc) {
        printf("onboarded %zu clients of firm %s (seed %llu), %zu flagged for advisor review\n",
               g->clients, b.firm.code, (unsigned long long)o->seed, g->needs_review);
        printf("level  clients  model\n");
        for (int lv = 1; lv <= RA_PROF_LEVELS; lv++) {
            const ra_models_proposal *p = &g->model[lv];
            char m[96];
            if (p->have_model)
                snprintf(m, sizeof m, "%s v%d (%s)", p->model, p->model_version,
                         ra_suit_level_name(p->model_level));
            else
                snprintf(m, sizeof m, "-");
            printf("%-5s  %7zu  %s\n", ra_prof_level_name(lv), g->per_level[lv], m);
        }
        if (!g->model[1].have_model)
            printf("note: %s\n", g->model[1].note);
    }
    free(g);
    ra_prof_questionnaire_destroy(q);
    cli_book_close(&b);
    return rc;
}

int cmd_onboard(int argc, char **argv)
{
    const char *cmd = "onboard";
    opts o;
    int rc = parse_opts(cmd, argc, argv, &o, onboard_help);
    if (rc == 0 && optind < argc)
        rc = cli_usage(cmd, "unexpected argument \"%s\"", argv[optind]);
    if (rc == 0 && (o.name || o.params.n || o.reason))
        rc = cli_usage(cmd, "--name, --param and --reason belong to 'roboadvisor agent set'");
    if (rc == 0 && !o.client_file == !o.have_generate)
        rc = cli_usage(cmd, "give --client FILE or --generate N");
    if (rc == 0 && o.have_generate && !o.questionnaire)
        rc = cli_usage(cmd, "--generate needs --questionnaire FILE");
    if (rc == 0)
        rc = o.have_generate ? onboard_generate(cmd, &o) : onboard_one(cmd, &o);
    free(o.params.v);
    return rc < 0 ? 0 : rc;
}

/* ---- agent show | set ----------------------------------------------------------------------- */

static void agent_help(void)
{
    printf("usage: roboadvisor agent show ACCOUNT [--format table|json] [--firm CODE] [--db URL]\n"
           "       roboadvisor agent set ACCOUNT [--name NAME] [--param KEY=VALUE ...]\n"
           "                                     --reason TEXT [--firm CODE] [--db URL]\n"
           "                                     [--format table|json]\n\n"
           "Each account's own agent: its name and versioned parameters (risk_level C1..C5,\n"
           "objective preserve|income|balanced|growth|max-growth, drift_band, tlh on|off,\n"
           "loss_limit, cash_reserve). 'set' writes a new version, audited with the user and the\n"
           "reason (required); a risk_level above the client's profile is refused. 'show' lists\n"
           "every suitability override of the account, of models and of securities.\n");
}

static json_t *agent_json(const ra_agent *g)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:o,s:b,s:o,s:o,s:s,s:s,s:I}", "version",
                     (json_int_t)g->version, "name", g->name, "risk_level",
                     ra_prof_level_name(g->params.risk_level), "objective",
                     ra_agent_objective_name(g->params.objective), "drift_band",
                     cli_jnum(g->params.drift_band), "tlh", g->params.tlh, "loss_limit",
                     cli_jnum(g->params.loss_limit), "cash_reserve",
                     cli_jnum(g->params.cash_reserve), "user", g->user, "reason", g->reason, "at",
                     (json_int_t)g->at);
}

static int agent_show(const char *cmd, book *b, const char *account, const opts *o)
{
    ra_err err = {0};
    ra_agent *h = NULL;
    size_t n = 0;
    ra_stored_override *ov = NULL;
    size_t n_ov = 0;
    if (ra_store_agent_history(b->s, b->firm.code, account, &h, &n, &err) != RA_OK ||
        ra_store_override_list(b->s, b->firm.code, account, &ov, &n_ov, &err) != RA_OK)
        return cli_fail(cmd, &err);
    int rc = 0;
    if (n == 0) {
        ra_err_set(&err, RA_ENOTFOUND, NULL, "account %s has no agent yet (onboard its client)",
                   account);
        rc = cli_fail(cmd, &err);
    } else if (o->format == CLI_FORMAT_JSON) {
        json_t *hist = json_array(), *ovs = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(hist, agent_json(&h[i]));
        for (size_t i = 0; i < n_ov; i++) {
            char d[11];
            json_array_append_new(ovs, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "kind",
                                                 ov[i].kind, "product", ov[i].product,
                                                 "product_level",
                                                 ra_suit_level_name(ov[i].product_level),
                                                 "client_level",
                                                 ra_prof_level_name(ov[i].client_level),
                                                 "justification", ov[i].justification, "user",
                                                 ov[i].user, "date", ra_date_format(ov[i].date, d)));
        }
        rc = cli_json_print(json_pack("{s:s,s:o,s:o,s:o}", "account", account, "current",
                                      agent_json(&h[n - 1]), "history", hist, "overrides", ovs));
    } else {
        const ra_agent *g = &h[n - 1];
        printf("agent of account %s: \"%s\", version %lld\n", account, g->name,
               (long long)g->version);
        printf("  risk_level    %s\n  objective     %s\n  drift_band    %g\n  tlh           %s\n"
               "  loss_limit    %g\n  cash_reserve  %g\n",
               ra_prof_level_name(g->params.risk_level),
               ra_agent_objective_name(g->params.objective), g->params.drift_band,
               g->params.tlh ? "on" : "off", g->params.loss_limit, g->params.cash_reserve);
        printf("history:\n");
        for (size_t i = 0; i < n; i++) {
            char d[11];
            printf("  v%lld  %s  %s: %s\n", (long long)h[i].version,
                   ra_date_format((ra_date)(h[i].at / 86400), d), h[i].user, h[i].reason);
        }
        for (size_t i = 0; i < n_ov; i++) {
            char d[11];
            printf("override: %s %s (%s) for a %s client on %s by %s: %s\n", ov[i].kind,
                   ov[i].product,
                   ra_suit_level_name(ov[i].product_level), ra_prof_level_name(ov[i].client_level),
                   ra_date_format(ov[i].date, d), ov[i].user, ov[i].justification);
        }
    }
    ra_store_free(h);
    ra_store_free(ov);
    return rc;
}

static int agent_set(const char *cmd, book *b, const char *account, const opts *o)
{
    ra_err err = {0};
    ra_agent cur;
    if (ra_store_agent_get(b->s, b->firm.code, account, 0, &cur, &err) != RA_OK)
        return cli_fail(cmd, &err);
    ra_agent_params p = cur.params;
    for (size_t i = 0; i < o->params.n; i++) {
        char key[64];
        const char *eq = strchr(o->params.v[i], '=');
        if (!eq || eq == o->params.v[i] || (size_t)(eq - o->params.v[i]) >= sizeof key)
            return cli_usage(cmd, "--param needs KEY=VALUE, got \"%s\"", o->params.v[i]);
        memcpy(key, o->params.v[i], (size_t)(eq - o->params.v[i]));
        key[eq - o->params.v[i]] = 0;
        if (ra_agent_param_set(&p, key, eq + 1, &err) != RA_OK)
            return cli_usage(cmd, "--param %s", err.msg);
    }
    /* suitability: the agent may not invest above the client's current level */
    ra_account a;
    ra_stored_profile pr;
    if (ra_store_account_get(b->s, b->firm.code, account, &a, &err) != RA_OK)
        return cli_fail(cmd, &err);
    ra_status st = ra_store_profile_current(b->s, b->firm.code, a.client, &pr, &err);
    if (st != RA_OK)
        return cli_fail(cmd, &err);
    if (ra_stored_profile_expired(&pr, o->date) && p.risk_level != cur.params.risk_level) {
        char d[11];
        ra_err_set(&err, RA_EINVAL, NULL,
                   "the risk profile of client %s expired on %s: renew it before changing the "
                   "risk level",
                   a.client, ra_date_format(pr.expires, d));
        return cli_fail(cmd, &err);
    }
    if (p.risk_level > pr.level) {
        ra_err_set(&err, RA_EINFEASIBLE, NULL,
                   "risk_level %s is above the client's risk level %s (profile of %s)",
                   ra_prof_level_name(p.risk_level), ra_prof_level_name(pr.level), a.client);
        return cli_fail(cmd, &err);
    }
    int64_t v = 0;
    st = ra_store_agent_put(b->s, &b->actor, account, o->name ? o->name : cur.name, &p, o->reason,
                            &v, &err);
    if (st != RA_OK)
        return cli_fail(cmd, &err);
    if (o->format == CLI_FORMAT_JSON) {
        ra_agent now;
        if (ra_store_agent_get(b->s, b->firm.code, account, 0, &now, &err) != RA_OK)
            return cli_fail(cmd, &err);
        return cli_json_print(json_pack("{s:s,s:b,s:I,s:o}", "account", account, "changed",
                                        v != cur.version, "previous_version",
                                        (json_int_t)cur.version, "current", agent_json(&now)));
    }
    if (v == cur.version)
        printf("agent of account %s: unchanged, version %lld\n", account, (long long)v);
    else
        printf("agent of account %s: version %lld (was %lld)\n", account, (long long)v,
               (long long)cur.version);
    return 0;
}

int cmd_agent(int argc, char **argv)
{
    const char *cmd = "agent";
    if (argc < 2 || argv[1][0] == '-') {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            agent_help();
            return 0;
        }
        return cli_usage(cmd, "say 'agent show ACCOUNT' or 'agent set ACCOUNT ...'");
    }
    const char *sub = argv[1];
    if (strcmp(sub, "show") != 0 && strcmp(sub, "set") != 0)
        return cli_usage(cmd, "no subcommand \"%s\" (show, set)", sub);
    opts o;
    int rc = parse_opts(cmd, argc - 1, argv + 1, &o, agent_help);
    if (rc) {
        free(o.params.v);
        return rc < 0 ? 0 : rc;
    }
    const char *account = optind < argc - 1 ? argv[1 + optind] : NULL;
    if (!account)
        rc = cli_usage(cmd, "ACCOUNT is required");
    else if (optind + 1 < argc - 1)
        rc = cli_usage(cmd, "unexpected argument \"%s\"", argv[2 + optind]);
    else if (o.client_file || o.have_generate || o.questionnaire)
        rc = cli_usage(cmd, "--client, --generate and --questionnaire belong to 'onboard'");
    else if (!strcmp(sub, "show") && (o.name || o.params.n || o.reason))
        rc = cli_usage(cmd, "'agent show' takes no --name, --param or --reason");
    else if (!strcmp(sub, "set") && !o.reason)
        rc = cli_usage(cmd, "--reason TEXT is required: every change is audited with its reason");
    else if (!strcmp(sub, "set") && !o.name && !o.params.n)
        rc = cli_usage(cmd, "nothing to change: give --name or --param KEY=VALUE");
    book b;
    if (!rc)
        rc = book_open(cmd, &o, &b);
    if (!rc) {
        rc = !strcmp(sub, "show") ? agent_show(cmd, &b, account, &o)
                                  : agent_set(cmd, &b, account, &o);
        cli_book_close(&b);
    }
    free(o.params.v);
    return rc;
}
