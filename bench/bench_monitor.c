/* bench_monitor: the intraday monitor at scale (issue 13; figures in bench/README.md).
 *
 *   build/dev/bench/bench_monitor [--accounts N] [--lots K] [--db FILE] [--book F] [--batch B]
 *                                 [--reuse]
 *
 * bench_cycle's book (bench_book.h: N accounts of K lots, 20 ETFs; --book F starts from a copy of
 * a book kept by bench_cycle --book F), one account in 50 given rule MV5 (move(E00,1) <= -0.05
 * closes E00), then `monitor` (ra_monitor_run) on a snapshot of the day after the book's last
 * close that prices every ETF at its close except E00, 6 % down: every account is valued and its
 * loss limit checked, the accounts with the rule that hold E00 fire it and propose its sale.
 * Reported, in CPU seconds (user + system: others share the machine) and wall seconds: the load
 * (the book, the day's risk figures), the evaluation and writing (from the progress callback's
 * start to the end), and the plain cost of reading the same rows in the same run (every lot and
 * account row and the deposits and withdrawals per account, into temporary tables), with the
 * ratio. */
#define BENCH_NAME "bench_monitor"
#include "bench_book.h"

#include <roboadvisor/engine_monitor.h>
#include <roboadvisor/store_risk.h>

#include <unistd.h>

typedef struct phase {
    double wall, cpu;
} phase;

static void on_progress(void *ctx, size_t done, size_t total)
{
    (void)total;
    phase *p = ctx;
    if (done == 0) { /* the evaluation starts */
        p->wall = now_s();
        p->cpu = cpu_s();
    }
}

int main(int argc, char **argv)
{
    size_t n_acc = 100000, k = 8, batch = 4096;
    int reuse = 0; /* --reuse: the --db of an earlier run as it is (its run continued) */
    const char *path = "/tmp/bench_monitor.db", *book = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--accounts") == 0 && i + 1 < argc)
            n_acc = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--lots") == 0 && i + 1 < argc)
            k = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            path = argv[++i];
        else if (strcmp(argv[i], "--book") == 0 && i + 1 < argc)
            book = argv[++i];
        else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc)
            batch = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--reuse") == 0)
            reuse = 1;
        else {
            fprintf(stderr, "usage: bench_monitor [--accounts N] [--lots K] [--db FILE] "
                            "[--book FILE] [--batch B] [--reuse]\n");
            return 2;
        }
    }
    if (n_acc == 0 || k == 0 || k > 64 || batch == 0) {
        fprintf(stderr, "bench_monitor: --accounts > 0, --lots in 1..64, --batch > 0\n");
        return 2;
    }
    char p[1200], cmd[2600];
    if (!reuse)
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
    if (reuse) {
        if (ra_store_open(path, NULL, &st, &err) != RA_OK || ra_store_init(st, &err) != RA_OK)
            return die("open", &err);
        bench_key(st);
        printf("book: %s as an earlier run left it\n", path);
    } else if (book && access(book, R_OK) == 0) {
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", book, path);
        if (system(cmd) != 0) {
            fprintf(stderr, "bench_monitor: could not copy %s\n", book);
            return 1;
        }
        if (ra_store_open(path, NULL, &st, &err) != RA_OK || ra_store_init(st, &err) != RA_OK)
            return die("open", &err);
        bench_key(st);
        printf("book: %zu accounts with %zu lots each, copied from %s in %.1f s\n", n_acc, k,
               book, now_s() - t0);
    } else {
        if (ra_store_open(path, NULL, &st, &err) != RA_OK || ra_store_init(st, &err) != RA_OK)
            return die("open", &err);
        bench_key(st);
        if (setup_book(st, &a, n_acc, k, d0, d1, &err) != RA_OK)
            return die("setup", &err);
        printf("book: %zu accounts with %zu lots each, written in %.1f s\n", n_acc, k,
               now_s() - t0);
    }
    /* rule MV5 in the library, given to one account in 50 (one statement: the bench's own book) */
    ra_risk_rule r;
    if (ra_risk_rule_parse("MV5", "move(E00,1)<=-0.05", "close:E00", &r, &err) != RA_OK ||
        ra_store_risk_rule_put(st, &a, &r, "bench", &err) != RA_OK ||
        ra_store_exec_raw(st, "UPDATE mandates SET rules = 'MV5' WHERE account_id % 50 = 0",
                          &err) != RA_OK)
        return die("rule", &err);

    /* the plain cost of reading the same rows */
    t0 = now_s();
    double pc0 = cpu_s();
    ra_status rc = ra_store_begin(st, &err);
    if (rc == RA_OK)
        rc = ra_store_exec_raw(st, "CREATE TEMP TABLE plain_lots AS SELECT l.account_id, "
                                   "l.lot_id, l.security_id, l.acquired, l.qty_micro, "
                                   "l.basis_minor FROM lots l JOIN accounts a ON a.id = "
                                   "l.account_id ORDER BY l.account_id, l.lot_id", &err);
    if (rc == RA_OK)
        rc = ra_store_exec_raw(st, "CREATE TEMP TABLE plain_accounts AS SELECT id, cash_minor, "
                                   "model, restrictions, loss_limit FROM accounts", &err);
    if (rc == RA_OK)
        rc = ra_store_exec_raw(st, "CREATE TEMP TABLE plain_flows AS SELECT a.id, "
                                   "COALESCE(SUM(CASE WHEN t.kind = 1 THEN t.amount_minor WHEN "
                                   "t.kind = 2 THEN -t.amount_minor ELSE 0 END), 0) FROM accounts "
                                   "a LEFT JOIN txns t ON t.account_id = a.id AND t.kind IN (1, "
                                   "2) GROUP BY a.id", &err);
    if (rc == RA_OK)
        rc = ra_store_rollback(st, &err);
    double plain = now_s() - t0, plain_cpu = cpu_s() - pc0;
    if (rc != RA_OK)
        return die("plain", &err);

    /* the snapshot of the next day: every ETF at its last close, E00 6 % down */
    ra_snapshot_row rows[N_SEC];
    for (size_t i = 0; i < N_SEC; i++) {
        memset(&rows[i], 0, sizeof rows[i]);
        ticker(rows[i].ticker, sizeof rows[i].ticker, i);
        rows[i].price = i == 0 ? close_of(0) / 100 * 94 : close_of(i);
        rows[i].minute = 10 * 60;
        rows[i].line = (uint32_t)i + 2;
    }
    ra_snapshot sn = {N_SEC, rows, "bench"};
    ra_monitor_options o;
    memset(&o, 0, sizeof o);
    o.date = d1 + 1;
    o.at_minute = 10 * 60;
    o.snapshot = &sn;
    ra_cycle_options_default(&o.cycle);
    o.cycle.batch = batch;
    phase ev = {0, 0};
    o.cycle.progress = on_progress;
    o.cycle.progress_ctx = &ev;
    ra_monitor_stats ms;
    t0 = now_s();
    double c0 = cpu_s();
    if (ra_monitor_run(st, &a, &o, NULL, &ms, &err) != RA_OK)
        return die("monitor", &err);
    double t1 = now_s(), c1 = cpu_s();
    printf("monitor: %zu accounts evaluated, %zu rules fired, %zu proposals, %zu orders, %zu "
           "loss limits crossed\n", ms.evaluated, ms.firings, ms.proposals, ms.orders,
           ms.crossed);
    printf("  load (book, risk figures): %.2f s, CPU %.2f s\n", ev.wall - t0, ev.cpu - c0);
    printf("  evaluation and writes:     %.2f s, CPU %.2f s (%.0f accounts/s of CPU)\n",
           t1 - ev.wall, c1 - ev.cpu, (double)ms.evaluated / (c1 - ev.cpu));
    printf("  whole run:                 %.2f s, CPU %.2f s\n", t1 - t0, c1 - c0);
    printf("plain reads of the same rows: %.2f s, CPU %.2f s; monitor / plain = %.1fx (CPU "
           "%.1fx)\n", plain, plain_cpu, (t1 - t0) / plain, (c1 - c0) / plain_cpu);
    printf("peak RSS %ld KiB\n", peak_rss_kib());
    t0 = now_s();
    c0 = cpu_s();
    if (ra_monitor_run(st, &a, &o, NULL, &ms, &err) != RA_OK)
        return die("re-run", &err);
    printf("the same snapshot again: %s in %.3f s (CPU %.3f s)\n",
           ms.already ? "already done" : "RUN AGAIN", now_s() - t0, cpu_s() - c0);
    ra_store_close(st);
    return 0;
}
