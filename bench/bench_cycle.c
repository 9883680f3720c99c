/* bench_cycle: the daily cycle at scale (issue 12; figures in bench/README.md).
 *
 *   build/dev/bench/bench_cycle [--accounts N] [--lots K] [--db FILE] [--threads T] [--book F]
 *   build/dev/bench/bench_cycle --pg URL [--accounts N] [--lots K] [--workers W] [--firm-rules]
 *
 * 1. The in-memory drift-and-band scan (ra_rebal_out_of_band) over N accounts of K holdings,
 *    accounts per second on one core (target: at least 2,000,000).
 * 2. A whole `run-day` (ra_cycle_run_day with execute-close) on an SQLite book of N accounts with
 *    K lots each (target for N = 1,000,000, K = 8: at most 60 s, memory at most 1 KiB an
 *    account), against the plain cost of the same reads and writes in the same run: reading every
 *    lot and account row and inserting N daily-value rows in one statement. Reported: seconds,
 *    accounts per second, the book's bytes per account, peak RSS, and the ratio to the plain cost.
 *
 * The book: 20 ETFs in 4 asset classes (two per TLH group), five models, accounts opened in bulk
 * (ra_store_accounts_open_bulk) with K lots bought in the last year at 100.00 a share (one
 * account in ten at 110.00: a loss of 6 % to 12 % at the run day's closes, which move -3 %..+3 %),
 * so that a tenth of the taxable accounts harvest, a few drift and most are only marked. One
 * account in ten is advisory. Seeded: the same book every run.
 *
 * --book F keeps the written book in F and starts from a copy of it when F exists (the same N
 * and K: the book takes minutes to write at a million accounts).
 *
 * 3. With --pg URL (a PostgreSQL database the bench fills; its server must let it create
 *    databases): the same book on PostgreSQL, then the day run by 1, 2, ... W worker processes
 *    (ra_cycle_run_worker, each its own connection) on a fresh copy each (CREATE DATABASE ...
 *    TEMPLATE), wall-clock seconds from the first worker's start to the last one's exit. */
#include "store/store_int.h"

#include <roboadvisor/engine_cycle.h>
#include <roboadvisor/rules.h>
#include <roboadvisor/store_firmrules.h>
#include <roboadvisor/store_models.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_NAME "bench_cycle"
#include "bench_book.h"

static uint64_t g_seed = 88172645463325252ULL;
static uint64_t rnd(void)
{
    g_seed ^= g_seed << 13;
    g_seed ^= g_seed >> 7;
    g_seed ^= g_seed << 17;
    return g_seed;
}

/* ---- 1. the in-memory scan --------------------------------------------------------------------- */

static void bench_scan(size_t n_acc, size_t k)
{
    double *w = malloc(n_acc * k * sizeof *w), *t = malloc(k * sizeof *t);
    uint32_t *g = malloc(k * sizeof *g);
    for (size_t j = 0; j < k; j++) {
        t[j] = 0.99 / (double)k;
        g[j] = (uint32_t)(j % 4);
    }
    for (size_t i = 0; i < n_acc * k; i++)
        w[i] = (0.9 + 0.2 * (double)(rnd() % 1000) / 1000.0) * 0.99 / (double)k;
    double t0 = now_s();
    size_t out = 0;
    double sum = 0.0;
    for (size_t a = 0; a < n_acc; a++) {
        double drift = 0, mx = 0;
        out += (size_t)ra_rebal_out_of_band(w + a * k, t, g, k, 0.01, 0.01, 0.05, 0.25, &drift,
                                            &mx);
        sum += drift;
    }
    double s = now_s() - t0;
    printf("scan: %zu accounts x %zu holdings in %.3f s: %.0f accounts/s on one core (%zu out of "
           "band, mean drift %.4f)\n", n_acc, k, s, (double)n_acc / s, out, sum / (double)n_acc);
    free(w);
    free(t);
    free(g);
}

/* ---- 2. the run: setup_book in bench_book.h ---------------------------------------------- */

/* ---- 3. workers on PostgreSQL ------------------------------------------------------------------ */

/* --firm-rules: every firm rule on (weight cap 0.20, bonds exempt, a 30-day holding period,
 * turnover 0.5, a firm share cap of 0.01 % of 100,000,000 shares a fund) before the day. */
static int g_firm_rules;

static ra_status firm_rules_setup(ra_store *st, const ra_store_actor *a, ra_date d0, ra_err *err)
{
    ra_firm_rules r = {.max_weight = 0.20, .max_firm_share = 0.0001, .min_hold_days = 30,
                       .max_turnover = 0.5};
    snprintf(r.exempt, sizeof r.exempt, "bonds");
    int version = 0;
    ra_status rc = ra_store_firm_rules_set(st, a, &r, &version, err);
    for (size_t i = 0; i < N_SEC && rc == RA_OK; i++) {
        ra_fund_shares x = {.date = d0, .shares_micro = 100000000LL * 1000000};
        ticker(x.ticker, sizeof x.ticker, i);
        rc = ra_store_fund_shares_put(st, a, &x, err);
    }
    return rc;
}

/* The PostgreSQL server's CPU seconds so far, when BENCH_PG_PID names its postmaster: its own
 * and its exited children's (the workers' backends, reaped when a worker disconnects); -1 when
 * not known. */
static double pg_server_cpu(void)
{
    const char *pid = getenv("BENCH_PG_PID");
    char path[64], line[1024];
    if (!pid)
        return -1;
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    const char *p = strrchr(line, ')');
    unsigned long long v[17] = {0};
    /* after the name: state (3), then fields 4.. ; utime 14, stime 15, cutime 16, cstime 17 */
    int k = 3;
    for (p = p ? p + 2 : line; *p && k <= 17; k++) {
        if (k >= 14)
            v[k - 1] = strtoull(p, NULL, 10);
        p = strchr(p, ' ');
        if (!p)
            break;
        p++;
    }
    return (double)(v[13] + v[14] + v[15] + v[16]) / (double)sysconf(_SC_CLK_TCK);
}

/* url with its database name replaced by db */
static void url_db(char *out, size_t cap, const char *url, const char *db)
{
    const char *slash = strrchr(url, '/');
    int n = slash ? (int)(slash - url) : (int)strlen(url);
    snprintf(out, cap, "%.*s/%s", n, url, db);
}

static int admin_sql(const char *url, const char *sql)
{
    char u[1200];
    url_db(u, sizeof u, url, "postgres");
    ra_err err = {0};
    ra_store *st = NULL;
    ra_status rc = ra_store_open(u, NULL, &st, &err);
    if (rc == RA_OK)
        rc = ra_store_exec_raw(st, sql, &err);
    ra_store_close(st);
    return rc == RA_OK ? 0 : die(sql, &err);
}

/* One worker process: the day on the copy, exit 0 when it ran. */
static int worker_main(const char *url, ra_date d1)
{
    ra_err err = {0};
    ra_store *st = NULL;
    ra_store_options so; /* the workers' batches queue on the audit chain's head by design: on a
                          * loaded machine a batch holds it longer than the default 5 s */
    ra_store_options_default(&so);
    so.busy_timeout_ms = 600000;
    if (ra_store_open(url, &so, &st, &err) != RA_OK)
        return die("worker open", &err);
    bench_key(st);
    ra_store_actor a;
    bench_actor(&a);
    ra_cycle_options o;
    ra_cycle_options_default(&o);
    o.date = d1;
    o.execute_close = 1;
    o.batch = 1024;
    ra_cycle_stats cs;
    char name[32];
    snprintf(name, sizeof name, "bench:%ld", (long)getpid());
    ra_status rc = ra_cycle_run_worker(st, &a, &o, name, &cs, &err);
    ra_store_close(st);
    return rc == RA_OK ? 0 : die("worker", &err);
}

static int bench_workers(const char *url, size_t n_acc, size_t k, unsigned workers)
{
    ra_err err = {0};
    ra_store *st = NULL;
    if (ra_store_open(url, NULL, &st, &err) != RA_OK || ra_store_init(st, &err) != RA_OK)
        return die("open", &err);
    bench_key(st);
    ra_store_actor a;
    bench_actor(&a);
    ra_date d0 = ra_date_from_ymd(2021, 1, 4), d1 = d0 + 1;
    double t0 = now_s();
    if (setup_book(st, &a, n_acc, k, d0, d1, &err) != RA_OK)
        return die("setup", &err);
    if (g_firm_rules && firm_rules_setup(st, &a, d0, &err) != RA_OK)
        return die("firm rules", &err);
    ra_store_close(st);
    printf("book on PostgreSQL: %zu accounts with %zu lots each, written in %.1f s\n", n_acc, k,
           now_s() - t0);
    const char *slash = strrchr(url, '/');
    const char *base = slash ? slash + 1 : url;
    for (unsigned w = 1; w <= workers; w++) {
        char sql[512], copy[64], curl[1200];
        snprintf(copy, sizeof copy, "bench_cycle_w%u_%ld", w, (long)getpid());
        snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE %s", copy, base);
        if (admin_sql(url, sql))
            return 1;
        url_db(curl, sizeof curl, url, copy);
        fflush(stdout);
        t0 = now_s();
        struct rusage u0, u1; /* the workers' CPU seconds (the server's are not counted) */
        getrusage(RUSAGE_CHILDREN, &u0);
        double server0 = pg_server_cpu();
        pid_t pid[64];
        unsigned started = 0;
        for (unsigned i = 0; i < w && i < 64; i++) {
            pid[i] = fork();
            if (pid[i] == 0)
                _exit(worker_main(curl, d1));
            started += pid[i] > 0;
        }
        int failed = 0;
        for (unsigned i = 0; i < started; i++) {
            int status = 0;
            if (waitpid(pid[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
                failed = 1;
        }
        double sec = now_s() - t0;
        getrusage(RUSAGE_CHILDREN, &u1);
        double cpu = (double)(u1.ru_utime.tv_sec - u0.ru_utime.tv_sec + u1.ru_stime.tv_sec -
                              u0.ru_stime.tv_sec) +
                     (double)(u1.ru_utime.tv_usec - u0.ru_utime.tv_usec + u1.ru_stime.tv_usec -
                              u0.ru_stime.tv_usec) / 1e6;
        double server = server0 >= 0 ? pg_server_cpu() - server0 : -1;
        printf("run-day by %u worker%s: %zu accounts in %.2f s (%.0f accounts/s), workers' CPU "
               "%.2f s, server's CPU %.2f s%s\n", w, w == 1 ? "" : "s", n_acc, sec,
               (double)n_acc / sec, cpu, server, failed ? " FAILED" : "");
        snprintf(sql, sizeof sql, "DROP DATABASE %s", copy);
        if (admin_sql(url, sql) || failed)
            return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    size_t n_acc = 100000, k = 8;
    const char *path = "/tmp/bench_cycle.db", *pg = NULL, *book = NULL;
    unsigned workers = 3, threads = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--accounts") == 0 && i + 1 < argc)
            n_acc = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--lots") == 0 && i + 1 < argc)
            k = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            path = argv[++i];
        else if (strcmp(argv[i], "--pg") == 0 && i + 1 < argc)
            pg = argv[++i];
        else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc)
            workers = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--book") == 0 && i + 1 < argc)
            book = argv[++i];
        else if (strcmp(argv[i], "--firm-rules") == 0)
            g_firm_rules = 1;
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = (unsigned)strtoul(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: bench_cycle [--accounts N] [--lots K] [--db FILE] "
                            "[--threads T] [--book FILE] | --pg URL [--workers W] [--firm-rules]\n");
            return 2;
        }
    }
    if (n_acc == 0 || k == 0 || k > 64) {
        fprintf(stderr, "bench_cycle: --accounts > 0 and --lots in 1..64\n");
        return 2;
    }
    if (pg)
        return bench_workers(pg, n_acc, k, workers);
    char p[1200];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    ra_err err = {0};
    ra_store *st = NULL;
    ra_store_actor a;
    bench_actor(&a);
    ra_date d0 = ra_date_from_ymd(2021, 1, 4), d1 = d0 + 1;
    double t0 = now_s();
    char cmd[2600];
    if (book && access(book, R_OK) == 0) { /* the book written by an earlier run */
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", book, path);
        if (system(cmd) != 0) {
            fprintf(stderr, "bench_cycle: could not copy %s\n", book);
            return 1;
        }
        /* upgraded to this build's schema (a book kept by an earlier build) */
        if (ra_store_open(path, NULL, &st, &err) != RA_OK || ra_store_init(st, &err) != RA_OK)
            return die("open", &err);
        bench_key(st);
        printf("book: %zu accounts with %zu lots each, copied from %s\n", n_acc, k, book);
    } else {
        if (ra_store_open(path, NULL, &st, &err) != RA_OK || ra_store_init(st, &err) != RA_OK)
            return die("open", &err);
        bench_key(st);
        if (setup_book(st, &a, n_acc, k, d0, d1, &err) != RA_OK)
            return die("setup", &err);
        printf("book: %zu accounts with %zu lots each, written in %.1f s\n", n_acc, k,
               now_s() - t0);
        if (book) { /* kept for the next run (closed first: the log checkpointed) */
            ra_store_close(st);
            snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path, book);
            if (system(cmd) != 0 || ra_store_open(path, NULL, &st, &err) != RA_OK)
                return die("keep the book", &err);
            bench_key(st);
        }
    }

    /* the plain cost of the same reads and writes */
    t0 = now_s();
    double pc0 = cpu_s();
    ra_status rc = ra_store_begin(st, &err);
    if (rc == RA_OK)
        rc = ra_store_exec_raw(st, "CREATE TEMP TABLE plain_lots AS SELECT l.account_id, "
                                   "l.lot_id, l.security_id, l.acquired, l.qty_micro, "
                                   "l.basis_minor FROM lots l JOIN accounts a ON a.id = "
                                   "l.account_id ORDER BY l.account_id, l.lot_id", &err);
    if (rc == RA_OK)
        rc = ra_store_exec_raw(st, "CREATE TEMP TABLE plain_values AS SELECT id, cash_minor, "
                                   "model, restrictions FROM accounts", &err);
    if (rc == RA_OK)
        rc = ra_store_exec_raw(st, "INSERT INTO daily_values (account_id, day, value_minor, "
                                   "cash_minor, flow_minor, twr, drift, max_dev, out_of_band, "
                                   "held_back) SELECT id, 1, cash_minor, cash_minor, 0, NULL, 0, "
                                   "0, 0, 0 FROM plain_values", &err);
    if (rc == RA_OK)
        rc = ra_store_rollback(st, &err);
    double plain = now_s() - t0, plain_cpu = cpu_s() - pc0;
    if (rc != RA_OK)
        return die("plain", &err);

    ra_cycle_options o;
    ra_cycle_options_default(&o);
    o.date = d1;
    o.execute_close = 1;
    o.batch = 4096;
    o.threads = threads;
    ra_cycle_stats cs;
    /* the book's size as the run reads it (after the run, a done account's lots are not read) */
    ra_cycle_book *b = NULL;
    if (ra_store_cycle_book_load(st, "BENCH", d1, 30, &b, &err) != RA_OK)
        return die("book", &err);
    size_t book_bytes = b->bytes;
    ra_cycle_book_destroy(b);
    long rss0 = peak_rss_kib();
    t0 = now_s();
    double c0 = cpu_s();
    if (ra_cycle_run_day(st, &a, &o, &cs, &err) != RA_OK)
        return die("run-day", &err);
    double run = now_s() - t0, run_cpu = cpu_s() - c0;
    long rss1 = peak_rss_kib();
    printf("run-day: %zu accounts in %.2f s (%.0f accounts/s): %zu proposals, %zu orders filled, "
           "%zu trades (%zu tlh), harvested %.2f USD\n",
           cs.processed, run, (double)cs.processed / run, cs.proposals, cs.fills, cs.trades,
           cs.trades_by_reason[4], (double)cs.harvested_minor / 100.0);
    printf("run-day CPU time (user + system): %.2f s (%.0f accounts/s)\n", run_cpu,
           (double)cs.processed / run_cpu);
    printf("plain reads and writes of the same rows: %.2f s (CPU %.2f s); run-day / plain = "
           "%.1fx (CPU %.1fx)\n", plain, plain_cpu, run / plain, run_cpu / plain_cpu);
    printf("memory: the day's book %.0f bytes an account; peak RSS %ld KiB (%.0f bytes an account "
           "above the %ld KiB before the run)\n", (double)book_bytes / (double)n_acc, rss1,
           (double)(rss1 - rss0) * 1024.0 / (double)n_acc, rss0);
    /* re-running the day: every account is done */
    t0 = now_s();
    c0 = cpu_s();
    if (ra_cycle_run_day(st, &a, &o, &cs, &err) != RA_OK)
        return die("re-run", &err);
    printf("re-run of the day: %zu accounts skipped in %.2f s (CPU %.2f s)\n", cs.skipped,
           now_s() - t0, cpu_s() - c0);
    ra_store_close(st);
    bench_scan(n_acc < 1000000 ? 1000000 : n_acc, k); /* last: its arrays would mask the RSS */
    return 0;
}
