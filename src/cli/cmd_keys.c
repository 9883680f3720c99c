/* roboadvisor keys: the HTTP API's keys (include/roboadvisor/store_api.h; docs/cli.md#keys,
 * docs/api.md). create prints the key once: the book keeps only its salted hash. */
#include "cli.h"

#include <roboadvisor/store_api.h>

#include <sodium.h>
#include <string.h>

typedef struct keys_opts {
    cli_book_args book;
    const char *role, *user;
    ra_date expires;
    int have_expires;
    cli_format format;
} keys_opts;

static const cli_opt keys_options[] = {
    CLI_OPTS_BOOK(keys_opts, book),
    CLI_O("role", CLI_OPT_WORD, keys_opts, role,
          .words = CLI_WORDS("admin", "advisor", "client", "auditor"),
          .msg = "must be admin, advisor, client or auditor: \"%s\""),
    CLI_O("user", CLI_OPT_STR, keys_opts, user),
    CLI_O("expires", CLI_OPT_DATE, keys_opts, expires, .have = CLI_HAVE(keys_opts, have_expires)),
    CLI_O("format", CLI_OPT_FORMAT, keys_opts, format),
    CLI_OPT_END};

static void keys_help(void)
{
    printf("usage: roboadvisor keys create --role admin|advisor|client|auditor [--user CODE]\n"
           "                               [--expires YYYY-MM-DD]\n"
           "       roboadvisor keys list [--format table|json]\n"
           "       roboadvisor keys revoke CODE\n"
           "       (all: [--firm CODE] [--db URL] [--key-file FILE])\n\n"
           "Keys of the HTTP API (roboadvisor serve; docs/api.md). create prints the new key\n"
           "once (ra_CODE_SECRET): the book keeps only a salted hash of it. An advisor key acts\n"
           "for the advisor --user (their clients only), a client key for the client --user\n"
           "(read only, own accounts); admin and auditor keys act for the firm. --expires: the\n"
           "key stops working at 00:00 UTC that day. create and revoke are audited.\n");
}

static json_t *key_json(const ra_apikey *k)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I}", "code", k->code, "role",
                     ra_api_role_name(k->role), "user", k->user, "created_by", k->created_by,
                     "created_at", (json_int_t)k->created_at, "expires_at",
                     (json_int_t)k->expires_at, "revoked_at", (json_int_t)k->revoked_at);
}

int cmd_keys(int argc, char **argv)
{
    static const char *const subs[] = {"create", "list", "revoke", NULL};
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        keys_help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    int which = -1;
    for (int i = 0; subs[i]; i++)
        if (strcmp(argv[1], subs[i]) == 0)
            which = i;
    if (which < 0)
        return cli_usage("keys", "unknown subcommand \"%s\" (create, list, revoke)", argv[1]);
    char cmd[32];
    snprintf(cmd, sizeof cmd, "keys %s", argv[1]);
    keys_opts o = {0};
    const cli_opts_spec spec = {cmd, keys_options, keys_help, 0, 2};
    int rc = cli_parse_opts(&spec, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *code = NULL;
    if (which == 2) {
        if (optind >= argc)
            return cli_usage(cmd, "name the key: keys revoke CODE");
        code = argv[optind++];
    }
    if ((rc = cli_no_more_args(cmd, argc, argv, optind)) != 0)
        return rc;
    ra_api_role role = RA_ROLE_ADMIN;
    if (which == 0 && !o.role)
        return cli_usage(cmd, "--role is required");
    if (which == 0 && ra_api_role_parse(o.role, &role, NULL) != RA_OK)
        return cli_usage(cmd, "--role must be admin, advisor, client or auditor");
    cli_book_args a = o.book;
    a.need_firm = 1;
    cli_book b;
    if ((rc = cli_book_open_parts(cmd, &a, &b)) != 0)
        return rc;
    ra_err err = {0};
    if (which == 0) {
        char key[RA_APIKEY_TEXT_MAX];
        ra_apikey k;
        int64_t exp = o.have_expires ? (int64_t)o.expires * 86400 : 0;
        if (ra_store_apikey_create(b.s, &b.actor, role, o.user ? o.user : "", exp, key, &k,
                                   &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        else if (o.format == CLI_FORMAT_JSON) {
            json_t *j = key_json(&k);
            json_object_set_new(j, "key", json_string(key));
            rc = cli_json_print(j);
        } else
            printf("%s\n", key);
        sodium_memzero(key, sizeof key);
    } else if (which == 1) {
        ra_apikey *v = NULL;
        size_t n = 0;
        if (ra_store_apikey_list(b.s, b.firm.code, &v, &n, &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        else if (o.format == CLI_FORMAT_JSON) {
            json_t *arr = json_array();
            for (size_t i = 0; i < n; i++)
                json_array_append_new(arr, key_json(&v[i]));
            rc = cli_json_print(json_pack("{s:o}", "keys", arr));
        } else {
            printf("%-16s %-8s %-16s %-8s\n", "code", "role", "user", "state");
            for (size_t i = 0; i < n; i++)
                printf("%-16s %-8s %-16s %-8s\n", v[i].code, ra_api_role_name(v[i].role),
                       v[i].user, v[i].revoked_at ? "revoked" : "active");
            printf("%zu key%s\n", n, n == 1 ? "" : "s");
        }
        ra_store_free(v);
    } else {
        if (ra_store_apikey_revoke(b.s, &b.actor, code, &err) != RA_OK)
            rc = cli_fail(cmd, &err);
        else
            printf("key %s revoked\n", code);
    }
    cli_book_close(&b);
    return rc;
}
