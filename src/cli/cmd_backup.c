/* roboadvisor backup: a verified copy of the book (include/roboadvisor/store_backup.h;
 * docs/cli.md#backup). SQLite: the online backup API into DIR/book-STAMP.db. PostgreSQL: pg_dump
 * (custom format) into DIR/book-STAMP.dump, restored into a scratch database to verify it. Each
 * copy is verified as it is made: opened, 'check' (every account reconciles, the database's own
 * checks) and 'audit verify' (the chain, and the book equal to its trail); a copy that does not
 * verify is deleted and the command fails. */
#include "cli.h"

#include <roboadvisor/store_backup.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct backup_opts {
    cli_book_args book;
    const char *to;
    cli_format format;
} backup_opts;

static const cli_opt backup_options[] = {
    CLI_OPTS_BOOK(backup_opts, book),
    CLI_O("to", CLI_OPT_STR, backup_opts, to),
    CLI_O("format", CLI_OPT_FORMAT, backup_opts, format),
    CLI_OPT_END};

static void backup_help(void)
{
    printf("usage: roboadvisor backup --to DIR [--db URL] [--firm CODE] [--key-file FILE]\n"
           "                          [--format table|json]\n\n"
           "Copies the book while it is in use into DIR (created if missing): an SQLite book\n"
           "with SQLite's online backup API (DIR/book-YYYYMMDDTHHMMSSZ.db), a PostgreSQL book\n"
           "with pg_dump (DIR/book-YYYYMMDDTHHMMSSZ.dump). Each copy is verified: restored\n"
           "(PostgreSQL: into a scratch database, dropped after), then 'check' and 'audit\n"
           "verify' on the copy with the firm's key. A copy that fails is removed (exit 1).\n");
}

/* Runs argv (no shell); 0 when it exits 0. Its output goes to stderr. */
static int run_prog(char *const argv[])
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(2, 1);
        execvp(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Opens the copy at url as the book was opened, then check and audit verify. */
static ra_status verify_copy(const backup_opts *o, const char *url, ra_store_check_result *cr,
                             uint64_t *records, ra_err *err)
{
    char user[RA_CODE_MAX];
    cli_user(user);
    ra_book_open_opts bo;
    memset(&bo, 0, sizeof bo);
    bo.url = url;
    bo.firm = cli_firm(o->book.firm);
    bo.user = user;
    bo.key_file = o->book.key_file;
    bo.key_hex = getenv("ROBOADVISOR_KEY");
    bo.key_hex_name = "ROBOADVISOR_KEY";
    ra_book *b = NULL;
    ra_status rc = ra_book_open(&bo, &b, err);
    if (rc == RA_OK)
        rc = ra_store_check(b->store, cr, err);
    uint64_t bad = 0;
    if (rc == RA_OK)
        rc = ra_store_audit_verify(b->store, records, &bad, err);
    ra_book_close(b);
    return rc;
}

int cmd_backup(int argc, char **argv)
{
    static const char *const CMD = "backup";
    backup_opts o = {0};
    const cli_opts_spec spec = {CMD, backup_options, backup_help, 0, 1};
    int rc = cli_parse_opts(&spec, argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    if ((rc = cli_no_more_args(CMD, argc, argv, optind)) != 0)
        return rc;
    if (!o.to || !o.to[0])
        return cli_usage(CMD, "--to DIR is required");
    if (mkdir(o.to, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "roboadvisor backup: %s: could not create the directory: %s\n", o.to,
                strerror(errno));
        return CLI_EXIT_DATA;
    }
    cli_book b;
    cli_book_args a = o.book;
    a.need_firm = 1;
    if ((rc = cli_book_open_parts(CMD, &a, &b)) != 0)
        return rc;
    const char *url = cli_db_url(o.book.db);
    int pg = strcmp(ra_store_backend(b.s), "postgresql") == 0;
    char stamp[32], path[4096];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(path, sizeof path, "%s/book-%s.%s", o.to, stamp, pg ? "dump" : "db");
    ra_err err = {0};
    ra_status st = RA_OK;
    double t0 = cli_clock_ms();
    if (!pg)
        st = ra_store_backup_sqlite(b.s, path, &err);
    cli_book_close(&b);
    char scratch[4096] = "";
    if (pg && st == RA_OK) {
        char *dump[] = {"pg_dump", "--format=custom", "--no-owner", "--file", path, (char *)url,
                        NULL};
        if (run_prog(dump) != 0)
            st = ra_err_set(&err, RA_EIO, path, "pg_dump failed (see above)");
        /* the scratch database: the book's URL with another database name */
        const char *slash = strrchr(url, '/');
        char name[64];
        snprintf(name, sizeof name, "ra_verify_%ld", (long)getpid());
        if (st == RA_OK && (!slash || strchr(slash, '?')))
            st = ra_err_set(&err, RA_EINVAL, NULL,
                            "cannot derive a scratch database from the URL: give it as "
                            "postgresql://.../DATABASE");
        if (st == RA_OK) {
            snprintf(scratch, sizeof scratch, "%.*s/%s", (int)(slash - url), url, name);
            char sql[128];
            snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
            char *create[] = {"psql", "-q", "-d", (char *)url, "-c", sql, NULL};
            char *restore[] = {"pg_restore", "--no-owner", "--exit-on-error", "-d", scratch, path,
                               NULL};
            if (run_prog(create) != 0) {
                scratch[0] = 0;
                st = ra_err_set(&err, RA_EIO, NULL, "could not create the scratch database");
            } else if (run_prog(restore) != 0)
                st = ra_err_set(&err, RA_EIO, path, "pg_restore into a scratch database failed");
        }
    }
    ra_store_check_result cr = {0, 0};
    uint64_t records = 0;
    if (st == RA_OK)
        st = verify_copy(&o, pg ? scratch : path, &cr, &records, &err);
    if (pg && scratch[0]) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE %s", strrchr(scratch, '/') + 1);
        char *drop[] = {"psql", "-q", "-d", (char *)url, "-c", sql, NULL};
        (void)run_prog(drop);
    }
    if (st != RA_OK) {
        unlink(path);
        fprintf(stderr, "roboadvisor backup: the copy was removed: it did not verify\n");
        return cli_fail(CMD, &err);
    }
    struct stat sb;
    long long bytes = stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
    if (o.format == CLI_FORMAT_JSON)
        return cli_json_print(json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:b}", "file", path, "method",
                                        pg ? "pg_dump" : "sqlite_backup_api", "bytes",
                                        (json_int_t)bytes, "accounts",
                                        (json_int_t)cr.n_accounts,
                                        "transactions", (json_int_t)cr.n_transactions,
                                        "audit_records", (json_int_t)records,
                                        "verified", 1));
    printf("backup %s (%lld bytes, %.0f ms): verified: %llu accounts reconcile, %llu audit "
           "records intact\n",
           path, bytes, cli_clock_ms() - t0, (unsigned long long)cr.n_accounts,
           (unsigned long long)records);
    return 0;
}
