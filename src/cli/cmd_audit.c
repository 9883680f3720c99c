/* roboadvisor audit: verify the audit trail and the state it proves, take signed checkpoints
 * (docs/cli.md#audit, docs/methodology.md#book-of-record-and-storage).
 *
 *   roboadvisor audit verify [--checkpoint FILE]
 *   roboadvisor audit checkpoint [--out FILE]
 *   roboadvisor audit seal
 *
 * Options: --db URL (or ROBOADVISOR_DB), --firm CODE (or ROBOADVISOR_FIRM, default "default"),
 * --key-file FILE (or ROBOADVISOR_KEY: the audit key is derived from the firm's key),
 * --format json|table. */
#include "cli.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CMD "audit"

typedef struct aopts {
    cli_book_args book; /* --db, --firm, --key-file */
    const char *checkpoint, *out;
    cli_format format;
} aopts;

static void help(void)
{
    printf("usage: roboadvisor audit verify [--checkpoint FILE] [options]\n"
           "       roboadvisor audit checkpoint [--out FILE] [options]\n"
           "       roboadvisor audit seal [options]\n\n"
           "verify: proves the audit trail intact (every record's keyed hash, the chain head) and\n"
           "the book equal to what the trail says (every row of every audited table against its\n"
           "last audited image, and no row without one); with --checkpoint, also that nothing at\n"
           "or before the checkpoint was removed or changed. The first bad record or row is named\n"
           "(exit status 1).\n"
           "checkpoint: writes a signed checkpoint (firm, sequence, head hash, time, MAC with the\n"
           "firm's audit key) to FILE (created readable by its owner only) or prints it: keep it\n"
           "outside the database.\n"
           "seal: records the images of every row of the firm as they are now, once, for a book\n"
           "created before the keyed trail (its rows have no images yet); check the book first.\n\n"
           "options:\n"
           "  --db URL         SQLite file or postgresql://... (default $ROBOADVISOR_DB or\n"
           "                   roboadvisor.db)\n"
           "  --firm CODE      the firm (default $ROBOADVISOR_FIRM or \"default\")\n"
           "  --key-file FILE  the firm's key (default $ROBOADVISOR_KEY); needed: the trail is\n"
           "                   keyed with a key derived from it\n"
           "  --checkpoint FILE, --out FILE\n"
           "  --format json|table\n");
}

static const cli_opt options[] = {
    CLI_OPTS_BOOK(aopts, book), CLI_O("checkpoint", CLI_OPT_STR, aopts, checkpoint),
    CLI_O("out", CLI_OPT_STR, aopts, out),
    CLI_O("format", CLI_OPT_FORMAT, aopts, format), CLI_OPT_END};

static int parse(int argc, char **argv, aopts *o)
{
    memset(o, 0, sizeof *o);
    const char *e = getenv("ROBOADVISOR_FIRM");
    o->book.firm = e && *e ? e : "default";
    const cli_opts_spec spec = {CMD, options, help, 1, 0};
    return cli_parse_opts(&spec, argc, argv, o);
}

/* Opens the book the way every command does (cli_book_open); the firm's key (from --key-file or
 * ROBOADVISOR_KEY) keys the audit trail. */
static int open_book(const aopts *o, ra_book **b)
{
    cli_book_args a = o->book;
    a.need_firm = 1;
    return cli_book_open(CMD, &a, b);
}

static int read_checkpoint(const char *path, ra_store_checkpoint *cp)
{
    ra_err err = {0};
    char *data = NULL;
    size_t size = 0;
    ra_status st = ra_file_read(path, RA_STORE_CHECKPOINT_MAX, &data, &size, &err);
    if (st == RA_OK)
        st = ra_store_checkpoint_parse(data, size, cp, &err);
    free(data);
    if (st != RA_OK) {
        if (!strstr(err.where, path))
            fprintf(stderr, "roboadvisor %s: checkpoint %s: %s%s%s\n", CMD, path, err.where,
                    err.where[0] ? ": " : "", err.msg);
        else
            cli_fail(CMD, &err);
        return CLI_EXIT_DATA;
    }
    return 0;
}

static int verify(const aopts *o, ra_store *s)
{
    ra_store_checkpoint cp;
    int rc = o->checkpoint ? read_checkpoint(o->checkpoint, &cp) : 0;
    if (rc)
        return rc;
    ra_err err = {0};
    uint64_t n = 0, bad = 0;
    ra_status st = o->checkpoint ? ra_store_audit_verify_checkpoint(s, &cp, &n, &bad, &err)
                                 : ra_store_audit_verify(s, &n, &bad, &err);
    if (o->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_object_set_new(doc, "ok", json_boolean(st == RA_OK));
        json_object_set_new(doc, "records", json_integer((json_int_t)n));
        json_object_set_new(doc, "checkpoint",
                            o->checkpoint ? json_pack("{s:s,s:I}", "firm", cp.firm, "seq",
                                                      (json_int_t)cp.seq)
                                          : json_null());
        if (st != RA_OK) {
            json_object_set_new(doc, "first_bad_record", json_integer((json_int_t)bad));
            json_object_set_new(doc, "where", json_string(err.where));
            json_object_set_new(doc, "error", json_string(err.msg));
        }
        int prc = cli_json_print(doc);
        if (st != RA_OK)
            cli_fail(CMD, &err);
        return st != RA_OK ? CLI_EXIT_DATA : prc;
    }
    if (st == RA_ECONFLICT && bad) {
        fprintf(stderr, "roboadvisor %s: audit record %llu is bad: %s%s%s\n", CMD,
                (unsigned long long)bad, err.where, err.where[0] ? ": " : "", err.msg);
        return CLI_EXIT_DATA;
    }
    if (st != RA_OK)
        return cli_fail(CMD, &err);
    if (o->checkpoint)
        printf("ok: %llu audit records, hash chain intact, book equal to its audit trail; "
               "nothing at or before record %llu of the checkpoint removed or changed\n",
               (unsigned long long)n, (unsigned long long)cp.seq);
    else
        printf("ok: %llu audit records, hash chain intact, book equal to its audit trail\n",
               (unsigned long long)n);
    return CLI_EXIT_OK;
}

static int checkpoint(const aopts *o, ra_store *s)
{
    ra_err err = {0};
    ra_store_checkpoint cp;
    char text[RA_STORE_CHECKPOINT_MAX];
    if (ra_store_audit_checkpoint(s, o->book.firm, &cp, &err) != RA_OK ||
        ra_store_checkpoint_format(&cp, text, &err) != RA_OK)
        return cli_fail(CMD, &err);
    if (!o->out) {
        printf("%s\n", text);
        return CLI_EXIT_OK;
    }
    int fd = open(o->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    int bad = !fp || fprintf(fp, "%s\n", text) < 0;
    if (fp)
        bad = fclose(fp) != 0 || bad;
    else if (fd >= 0)
        close(fd);
    if (bad) {
        fprintf(stderr, "roboadvisor %s: could not write the checkpoint to %s\n", CMD, o->out);
        return CLI_EXIT_DATA;
    }
    if (o->format == CLI_FORMAT_JSON)
        return cli_json_print(json_pack("{s:s,s:s,s:I,s:s,s:I}", "file", o->out, "firm", cp.firm,
                                        "seq", (json_int_t)cp.seq, "head", cp.head, "at",
                                        (json_int_t)cp.at));
    printf("checkpoint of firm %s at audit record %llu written to %s\n", cp.firm,
           (unsigned long long)cp.seq, o->out);
    return CLI_EXIT_OK;
}

static int seal(const aopts *o, ra_store *s)
{
    ra_err err = {0};
    ra_store_actor actor;
    memset(&actor, 0, sizeof actor);
    const char *u = getenv("ROBOADVISOR_USER");
    snprintf(actor.user, sizeof actor.user, "%s", u && u[0] ? u : "cli");
    snprintf(actor.firm, sizeof actor.firm, "%s", o->book.firm);
    uint64_t n = 0;
    if (ra_store_audit_seal(s, &actor, &n, &err) != RA_OK)
        return cli_fail(CMD, &err);
    if (o->format == CLI_FORMAT_JSON)
        return cli_json_print(
            json_pack("{s:s,s:I}", "firm", o->book.firm, "groups", (json_int_t)n));
    printf("sealed firm %s: %llu groups of rows recorded in the audit trail\n", o->book.firm,
           (unsigned long long)n);
    return CLI_EXIT_OK;
}

int cmd_audit(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-') {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            help();
            return CLI_EXIT_OK;
        }
        return cli_usage(CMD, "say what to do: verify, checkpoint or seal");
    }
    const char *what = argv[1];
    int is_verify = strcmp(what, "verify") == 0, is_seal = strcmp(what, "seal") == 0;
    if (!is_verify && !is_seal && strcmp(what, "checkpoint") != 0)
        return cli_usage(CMD, "no subcommand \"%s\": verify, checkpoint or seal", what);
    aopts o;
    int rc = parse(argc - 1, argv + 1, &o);
    if (rc == -1)
        return CLI_EXIT_OK;
    if (rc)
        return rc;
    if (optind < argc - 1)
        return cli_usage(CMD, "unexpected argument \"%s\"", argv[optind + 1]);
    if (is_verify && o.out)
        return cli_usage(CMD, "--out belongs to 'audit checkpoint'");
    if (!is_verify && o.checkpoint)
        return cli_usage(CMD, "--checkpoint belongs to 'audit verify'");
    if (is_seal && o.out)
        return cli_usage(CMD, "--out belongs to 'audit checkpoint'");
    ra_book *b = NULL;
    if ((rc = open_book(&o, &b)) != 0)
        return rc;
    ra_store *s = b->store;
    rc = is_verify ? verify(&o, s) : is_seal ? seal(&o, s) : checkpoint(&o, s);
    ra_book_close(b);
    return rc;
}
