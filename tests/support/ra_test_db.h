/* A test program whose cases run against a real database: SQLite (`prog` or `prog sqlite`: a
 * file per case in a temporary directory) or PostgreSQL (`prog pg @FILE` with the URL in FILE, as
 * tests/support/pg_server.sh writes it, or ROBOADVISOR_TEST_PG; exit 77, skipped, without one).
 * Include after <cmocka.h>; header-only. Used by the engine suites (test_engine_*.c). */
#ifndef RA_TEST_DB_H
#define RA_TEST_DB_H

#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char ra_tdb_pg_url[1024];
static int ra_tdb_pg;
static char ra_tdb_dir[256];
static int ra_tdb_serial;

/* A database for one case, empty: a new SQLite file, or the PostgreSQL database with its public
 * schema dropped. Returns 0, or -1 with a message on stderr. */
static int ra_tdb_fresh(char *url, size_t size)
{
    if (!ra_tdb_pg) {
        snprintf(url, size, "%s/case%d.db", ra_tdb_dir, ++ra_tdb_serial);
        return 0;
    }
    snprintf(url, size, "%s", ra_tdb_pg_url);
    ra_err err = {0};
    ra_store *s = NULL;
    if (ra_store_open(url, NULL, &s, &err) != RA_OK ||
        ra_store_exec_raw(s, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;", &err) != RA_OK) {
        fprintf(stderr, "could not empty the PostgreSQL database: %s\n", err.msg);
        ra_store_close(s);
        return -1;
    }
    ra_store_close(s);
    return 0;
}

/* must(): fails the case naming the status, message and place of err unless rc is RA_OK. */
static void ra_tdb_must(ra_status rc, const ra_err *err)
{
    if (rc != RA_OK)
        fail_msg("status %s: %s [%s]", ra_status_name(rc), err->msg, err->where);
}

/* The usual start of a case: a fresh database at url (url_size bytes), initialised, with firm F1
 * ("First Firm", USD) created under key and *actor = {"tester", "F1"}. */
__attribute__((unused)) static ra_store *ra_tdb_open_firm(char *url, size_t url_size, const uint8_t key[RA_STORE_KEY_BYTES],
                                  ra_store_actor *actor)
{
    ra_err err = {0};
    ra_store *s = NULL;
    assert_int_equal(ra_tdb_fresh(url, url_size), 0);
    ra_tdb_must(ra_store_open(url, NULL, &s, &err), &err);
    ra_tdb_must(ra_store_init(s, &err), &err);
    memset(actor, 0, sizeof *actor);
    snprintf(actor->user, sizeof actor->user, "tester");
    snprintf(actor->firm, sizeof actor->firm, "F1");
    ra_tdb_must(ra_store_set_firm_key(s, "F1", key, &err), &err);
    ra_firm firm = {"F1", "First Firm", "USD", 2};
    ra_tdb_must(ra_store_firm_put(s, actor, &firm, &err), &err);
    return s;
}

/* Removes a case's SQLite file and its WAL companions (nothing for PostgreSQL). */
static void ra_tdb_remove(const char *url)
{
    if (ra_tdb_pg)
        return;
    char p[1200];
    unlink(url);
    snprintf(p, sizeof p, "%s-wal", url);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", url);
    unlink(p);
}

/* Runs the group on the backend argv names; name is the program's ("test_engine_import"). */
static int ra_tdb_main(int argc, char **argv, const char *name, const struct CMUnitTest *tests,
                       size_t n)
{
    const char *backend = argc > 1 ? argv[1] : "sqlite";
    char group[128];
    snprintf(group, sizeof group, "%s_%s", name, backend);
    if (strcmp(backend, "pg") == 0) {
        const char *env = getenv("ROBOADVISOR_TEST_PG");
        if (env && *env) {
            snprintf(ra_tdb_pg_url, sizeof ra_tdb_pg_url, "%s", env);
        } else if (argc > 2 && argv[2][0] == '@') {
            FILE *fp = fopen(argv[2] + 1, "r");
            int got = fp && fgets(ra_tdb_pg_url, sizeof ra_tdb_pg_url, fp);
            if (fp)
                fclose(fp);
            if (!got) {
                fprintf(stderr, "%s: could not read the PostgreSQL URL from %s\n", name,
                        argv[2] + 1);
                return 1;
            }
            ra_tdb_pg_url[strcspn(ra_tdb_pg_url, "\r\n")] = 0;
        } else {
            printf("%s: ROBOADVISOR_TEST_PG is not set: PostgreSQL cases skipped\n", name);
            return 77;
        }
        ra_tdb_pg = 1;
        return _cmocka_run_group_tests(group, tests, n, NULL, NULL);
    }
    snprintf(ra_tdb_dir, sizeof ra_tdb_dir, "/tmp/ra_%s_XXXXXX", name);
    if (!mkdtemp(ra_tdb_dir)) {
        perror("mkdtemp");
        return 1;
    }
    int rc = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
    rmdir(ra_tdb_dir);
    return rc;
}

#endif
