/* Benchmark of the book of record (include/roboadvisor/store.h) on SQLite and PostgreSQL, each
 * against the plain bulk rate of the same database measured in the same run.
 *
 *   bench_store [--securities N] [--days N] [--accounts N] [--lots N] [--dir DIR]
 *               [--pg URL] [--no-pg | --pg-only] [--keep]
 *
 * 1. Prices: N securities (default 500) x N days (default 2520, 10 years of trading days)
 *    = 1.26 M values, written with ra_store_prices_put in one transaction (the path of
 *    `roboadvisor import prices`; securities created as incomplete). Peer: the same rows through
 *    one prepared INSERT in one transaction into a table (security, date, price) with the same
 *    primary key (SQLite), or COPY into such a table (PostgreSQL).
 * 2. Accounts: N accounts (default 1,000,000), each opened with a deposit and N lots (default 8)
 *    by ra_store_accounts_open_bulk, 10,000 accounts a transaction (the timed target). Their
 *    owners (one client per 10 accounts, ra_store_client_put) are set up before and timed apart.
 *    The general path, ra_store_account_put + ra_store_txn_append of a deposit and N buys (the
 *    ledger applied to the persisted state), is timed on a sample of 1 % of the accounts (at most
 *    10,000) and extrapolated. Peer: the same account and lot rows through one prepared INSERT
 *    each in one transaction (SQLite) or COPY (PostgreSQL).
 * 3. Snapshot: ra_store_snapshot_load of the firm (the engine's in-memory book): time, and per
 *    account the bytes the snapshot says it holds, the growth of the allocated heap (glibc
 *    mallinfo2 uordblks + hblkhd, after malloc_trim) and of the resident set. Peer: SELECT of the plain lot
 *    table into arrays.
 * Targets (issue 4): prices <= 10 s on SQLite; accounts and snapshot <= 30 s each way on SQLite;
 * <= 1 KiB a loaded account. PostgreSQL: --pg URL or $ROBOADVISOR_TEST_PG (a server started by
 * tests/support/pg_server.sh); skipped without one. Times are CLOCK_MONOTONIC wall clock. */
#include <roboadvisor/roboadvisor.h>
#include <roboadvisor/store.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ACCOUNTS_PER_TXN 10000 /* accounts written per database transaction */
#define ACCOUNTS_PER_CLIENT 10 /* clients are set-up here, timed apart from the target */
#define TXN_SAMPLE_MAX 10000   /* accounts opened through txn_append (1 % of them, at most this) */

typedef struct opts {
    size_t securities, days, accounts, lots;
    const char *dir, *pg;
    int sqlite_only, pg_only, keep;
} opts;

typedef struct result {
    const char *backend;
    double prices_s, prices_peer_s;
    double clients_s, accounts_s, accounts_peer_s, sample_s;
    size_t n_clients, n_sample;
    double load_s, load_peer_s;
    double snap_bytes_per_account, rss_bytes_per_account, heap_bytes_per_account;
    size_t n_prices, n_accounts, n_lots;
    int ok;
} result;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, rss = 0;
    if (!f) return 0;
    if (fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0;
    fclose(f);
    return rss * sysconf(_SC_PAGESIZE);
}

static int die(const char *what, const ra_err *err)
{
    fprintf(stderr, "bench_store: %s: %s%s%s\n", what, err->where, err->where[0] ? ": " : "",
            err->msg);
    return 1;
}

/* A new firm each run, so that a reused PostgreSQL database never turns writes into no-ops. */
static char g_firm[RA_CODE_MAX] = "BENCH";

static ra_store_actor actor(void)
{
    ra_store_actor a;
    memset(&a, 0, sizeof a);
    snprintf(a.user, sizeof a.user, "bench");
    snprintf(a.firm, sizeof a.firm, "%s", g_firm);
    return a;
}

static void ticker(char *buf, size_t size, size_t i) { snprintf(buf, size, "S%04zu", i); }
static void account_code(char *buf, size_t size, size_t i) { snprintf(buf, size, "A%07zu", i); }

/* Weekdays from 2010-01-04: a calendar of trading days without holidays. */
static ra_date trading_day(size_t i)
{
    return ra_date_from_ymd(2010, 1, 4) + (ra_date)(i / 5 * 7 + i % 5);
}

static ra_price price_of(size_t sec, size_t day) { return 20000000 + 7919 * (ra_price)sec + 13 * (ra_price)day; }

/* ---- the store --------------------------------------------------------------------------------- */

static int store_prices(ra_store *st, const opts *o, result *r)
{
    size_t n = o->securities * o->days;
    ra_price_obs *obs = malloc(n * sizeof *obs);
    if (!obs) return 1;
    for (size_t s = 0; s < o->securities; s++)
        for (size_t d = 0; d < o->days; d++) {
            ra_price_obs *p = &obs[s * o->days + d];
            memset(p, 0, sizeof *p);
            ticker(p->ticker, sizeof p->ticker, s);
            p->date = trading_day(d);
            p->price = price_of(s, d);
        }
    ra_err err = {0};
    ra_store_actor a = actor();
    double t0 = now_s();
    ra_status rc = ra_store_begin(st, &err);
    if (rc == RA_OK)
        rc = ra_store_prices_put(st, &a, obs, n, RA_STORE_PUT_CREATE_SECURITIES, NULL, &err);
    if (rc == RA_OK) rc = ra_store_commit(st, &err);
    r->prices_s = now_s() - t0;
    r->n_prices = n;
    free(obs);
    return rc == RA_OK ? 0 : die("prices", &err);
}

static ra_status put_clients(ra_store *st, size_t n_clients, ra_err *err)
{
    ra_store_actor a = actor();
    ra_status rc = RA_OK;
    for (size_t first = 0; first < n_clients && rc == RA_OK; first += ACCOUNTS_PER_TXN) {
        rc = ra_store_begin(st, err);
        for (size_t i = first; i < n_clients && i < first + ACCOUNTS_PER_TXN && rc == RA_OK; i++) {
            ra_client c;
            memset(&c, 0, sizeof c);
            snprintf(c.code, sizeof c.code, "C%07zu", i);
            snprintf(c.household, sizeof c.household, "H%07zu", i);
            snprintf(c.name, sizeof c.name, "Client %zu", i);
            rc = ra_store_client_put(st, &a, &c, err);
        }
        if (rc == RA_OK) rc = ra_store_commit(st, err);
        else (void)ra_store_rollback(st, NULL);
    }
    return rc;
}

static void make_account(ra_account *ac, const char *prefix, size_t i)
{
    memset(ac, 0, sizeof *ac);
    snprintf(ac->code, sizeof ac->code, "%s%07zu", prefix, i);
    snprintf(ac->client, sizeof ac->client, "C%07zu", i / ACCOUNTS_PER_CLIENT);
    ac->type = (ra_account_type)(i % 3);
    snprintf(ac->currency, sizeof ac->currency, "USD");
    ac->opened = trading_day(0);
    snprintf(ac->mandate.model, sizeof ac->mandate.model, "MODEL-R%zu", 1 + i % 5);
    ac->mandate.drift_band = 0.05;
    ac->mandate.loss_limit = 0.10;
}

/* The main path: ra_store_accounts_open_bulk, ACCOUNTS_PER_TXN accounts a transaction, each with
 * an opening deposit and o->lots lots. */
static ra_status open_bulk(ra_store *st, const opts *o, ra_err *err)
{
    ra_store_actor a = actor();
    ra_status rc = RA_OK;
    ra_account *acc = calloc(ACCOUNTS_PER_TXN, sizeof *acc);
    ra_store_opening *op = calloc(ACCOUNTS_PER_TXN, sizeof *op);
    ra_store_lot_in *lots = calloc(ACCOUNTS_PER_TXN * o->lots, sizeof *lots);
    if (!acc || !op || !lots) rc = ra_err_set(err, RA_ENOMEM, NULL, "no memory");
    for (size_t first = 0; first < o->accounts && rc == RA_OK; first += ACCOUNTS_PER_TXN) {
        size_t n = 0;
        for (size_t i = first; i < o->accounts && n < ACCOUNTS_PER_TXN; i++, n++) {
            make_account(&acc[n], "A", i);
            op[n].account = &acc[n];
            op[n].date = trading_day(o->lots); /* after every lot was acquired */
            op[n].cash_minor = 1000000;
            op[n].lots = &lots[n * o->lots];
            op[n].n_lots = o->lots;
            for (size_t j = 0; j < o->lots; j++) {
                ra_store_lot_in *l = &lots[n * o->lots + j];
                memset(l, 0, sizeof *l);
                ticker(l->ticker, sizeof l->ticker, (i * 7 + j * 31) % o->securities);
                l->acquired = trading_day(j);
                l->qty_micro = 12345678;
                l->basis_minor = 250000;
            }
        }
        rc = ra_store_begin(st, err);
        if (rc == RA_OK) rc = ra_store_accounts_open_bulk(st, &a, op, n, err);
        if (rc == RA_OK) rc = ra_store_commit(st, err);
        else (void)ra_store_rollback(st, NULL);
    }
    free(acc);
    free(op);
    free(lots);
    return rc;
}

/* The general path on a sample: ra_store_account_put, then a deposit and o->lots buys through
 * ra_store_txn_append (the ledger applied to the persisted state), in one transaction. */
static ra_status open_by_txns(ra_store *st, const opts *o, size_t n, ra_err *err)
{
    ra_store_actor a = actor();
    size_t per = 1 + o->lots;
    ra_store_txn *tx = calloc(n * per, sizeof *tx);
    if (!tx) return ra_err_set(err, RA_ENOMEM, NULL, "no memory");
    ra_status rc = ra_store_begin(st, err);
    size_t nt = 0;
    for (size_t i = 0; i < n && rc == RA_OK; i++) {
        ra_account ac;
        make_account(&ac, "X", i);
        rc = ra_store_account_put(st, &a, &ac, err);
        for (size_t j = 0; j < per; j++) {
            ra_store_txn *t = &tx[nt++];
            memcpy(t->account, ac.code, sizeof t->account);
            snprintf(t->external_id, sizeof t->external_id, "T%zu", j);
            t->date = trading_day(j);
            if (j == 0) {
                t->kind = RA_TXN_DEPOSIT;
                t->amount_minor = 10000000;
            } else {
                size_t sec = (i * 7 + j * 31) % o->securities;
                t->kind = RA_TXN_BUY;
                ticker(t->ticker, sizeof t->ticker, sec);
                t->qty_micro = 12345678;
                t->price = price_of(sec, j);
            }
        }
    }
    if (rc == RA_OK) rc = ra_store_txn_append(st, &a, tx, nt, NULL, err);
    if (rc == RA_OK) rc = ra_store_commit(st, err);
    else (void)ra_store_rollback(st, NULL);
    free(tx);
    return rc;
}

static int store_accounts(ra_store *st, const opts *o, result *r)
{
    ra_err err = {0};
    size_t n_sample = o->accounts / 100 < TXN_SAMPLE_MAX ? o->accounts / 100 : TXN_SAMPLE_MAX;
    if (n_sample < 1) n_sample = 1;
    size_t n_clients = (o->accounts + ACCOUNTS_PER_CLIENT - 1) / ACCOUNTS_PER_CLIENT;
    double t0 = now_s();
    ra_status rc = put_clients(st, n_clients, &err);
    double t1 = now_s();
    if (rc == RA_OK) rc = open_bulk(st, o, &err);
    double t2 = now_s();
    if (rc == RA_OK) rc = open_by_txns(st, o, n_sample, &err);
    double t3 = now_s();
    r->n_clients = n_clients;
    r->clients_s = t1 - t0;
    r->accounts_s = t2 - t1;
    r->n_sample = n_sample;
    r->sample_s = t3 - t2;
    r->n_accounts = o->accounts + n_sample;
    r->n_lots = r->n_accounts * o->lots;
    return rc == RA_OK ? 0 : die("accounts", &err);
}

static int store_load(ra_store *st, result *r)
{
    ra_err err = {0};
    ra_store_snapshot *snap = NULL;
    malloc_trim(0);
    long rss0 = rss_bytes();
    struct mallinfo2 mi0 = mallinfo2();
    size_t heap0 = mi0.uordblks + mi0.hblkhd; /* small blocks + mmapped large ones */
    double t0 = now_s();
    ra_status rc = ra_store_snapshot_load(st, g_firm, &snap, &err);
    r->load_s = now_s() - t0;
    long rss1 = rss_bytes();
    struct mallinfo2 mi1 = mallinfo2();
    size_t heap1 = mi1.uordblks + mi1.hblkhd;
    if (rc != RA_OK) return die("snapshot", &err);
    if (snap->n_accounts != r->n_accounts || snap->n_lots != r->n_lots) {
        fprintf(stderr, "bench_store: snapshot holds %zu accounts and %zu lots, want %zu and %zu\n",
                snap->n_accounts, snap->n_lots, r->n_accounts, r->n_lots);
        ra_store_snapshot_destroy(snap);
        return 1;
    }
    r->snap_bytes_per_account = (double)snap->bytes / (double)snap->n_accounts;
    r->rss_bytes_per_account = (double)(rss1 - rss0) / (double)snap->n_accounts;
    r->heap_bytes_per_account = ((double)heap1 - (double)heap0) / (double)snap->n_accounts;
    ra_store_snapshot_destroy(snap);
    return 0;
}

static int run_store(const char *url, const opts *o, result *r)
{
    ra_store *st = NULL;
    ra_err err = {0};
    uint8_t key[RA_STORE_KEY_BYTES];
    ra_firm f = {"", "Benchmark Firm", "USD", 2};
    snprintf(f.code, sizeof f.code, "%s", g_firm);
    ra_store_actor a = actor();
    ra_status rc = ra_store_open(url, NULL, &st, &err);
    if (rc == RA_OK) rc = ra_store_init(st, &err);
    if (rc == RA_OK) rc = ra_store_key_generate(key, &err);
    if (rc == RA_OK) rc = ra_store_set_firm_key(st, g_firm, key, &err);
    if (rc == RA_OK) rc = ra_store_firm_put(st, &a, &f, &err);
    if (rc != RA_OK) {
        ra_store_close(st);
        return die(url, &err);
    }
    int bad = store_prices(st, o, r);
    if (!bad) bad = store_accounts(st, o, r);
    if (!bad) bad = store_load(st, r);
    ra_store_close(st);
    return bad;
}

/* ---- SQLite plain bulk rate ---------------------------------------------------------------------- */

static int sq_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "bench_store: sqlite: %s: %s\n", sql, msg ? msg : "?");
        sqlite3_free(msg);
        return 1;
    }
    return 0;
}

static int sqlite_peer(const char *path, const opts *o, result *r)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL;
    unlink(path);
    if (sqlite3_open(path, &db) != SQLITE_OK) return 1;
    int bad = sq_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                          "CREATE TABLE price(security INTEGER NOT NULL, date INTEGER NOT NULL,"
                          " price INTEGER NOT NULL, PRIMARY KEY(security, date));"
                          "CREATE TABLE account(id INTEGER PRIMARY KEY, code TEXT UNIQUE NOT NULL,"
                          " type INTEGER NOT NULL, cash INTEGER NOT NULL);"
                          "CREATE TABLE lot(account INTEGER NOT NULL, id INTEGER NOT NULL,"
                          " security INTEGER NOT NULL, acquired INTEGER NOT NULL,"
                          " qty INTEGER NOT NULL, basis INTEGER NOT NULL,"
                          " PRIMARY KEY(account, id));");
    double t0 = now_s();
    bad = bad || sq_exec(db, "BEGIN");
    bad = bad || sqlite3_prepare_v2(db, "INSERT INTO price VALUES(?,?,?)", -1, &ins, NULL) != SQLITE_OK;
    for (size_t s = 0; s < o->securities && !bad; s++)
        for (size_t d = 0; d < o->days && !bad; d++) {
            sqlite3_bind_int64(ins, 1, (sqlite3_int64)s);
            sqlite3_bind_int64(ins, 2, trading_day(d));
            sqlite3_bind_int64(ins, 3, price_of(s, d));
            bad = sqlite3_step(ins) != SQLITE_DONE;
            sqlite3_reset(ins);
        }
    sqlite3_finalize(ins);
    bad = bad || sq_exec(db, "COMMIT");
    r->prices_peer_s = now_s() - t0;

    sqlite3_stmt *ia = NULL, *il = NULL;
    t0 = now_s();
    bad = bad || sq_exec(db, "BEGIN");
    bad = bad || sqlite3_prepare_v2(db, "INSERT INTO account VALUES(?,?,?,?)", -1, &ia, NULL) != SQLITE_OK;
    bad = bad || sqlite3_prepare_v2(db, "INSERT INTO lot VALUES(?,?,?,?,?,?)", -1, &il, NULL) != SQLITE_OK;
    for (size_t i = 0; i < o->accounts && !bad; i++) {
        char code[RA_CODE_MAX];
        account_code(code, sizeof code, i);
        sqlite3_bind_int64(ia, 1, (sqlite3_int64)i + 1);
        sqlite3_bind_text(ia, 2, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ia, 3, (sqlite3_int64)(i % 3));
        sqlite3_bind_int64(ia, 4, 1000000);
        bad = sqlite3_step(ia) != SQLITE_DONE;
        sqlite3_reset(ia);
        for (size_t j = 1; j <= o->lots && !bad; j++) {
            sqlite3_bind_int64(il, 1, (sqlite3_int64)i + 1);
            sqlite3_bind_int64(il, 2, (sqlite3_int64)j);
            sqlite3_bind_int64(il, 3, (sqlite3_int64)((i * 7 + j * 31) % o->securities));
            sqlite3_bind_int64(il, 4, trading_day(j));
            sqlite3_bind_int64(il, 5, 12345678);
            sqlite3_bind_int64(il, 6, 250000);
            bad = sqlite3_step(il) != SQLITE_DONE;
            sqlite3_reset(il);
        }
    }
    sqlite3_finalize(ia);
    sqlite3_finalize(il);
    bad = bad || sq_exec(db, "COMMIT");
    r->accounts_peer_s = now_s() - t0;

    /* load: every lot into arrays, in account order */
    sqlite3_stmt *sel = NULL;
    t0 = now_s();
    size_t n = 0, cap = o->accounts * o->lots + 1;
    int64_t *buf = malloc(cap * 5 * sizeof *buf);
    bad = bad || !buf ||
          sqlite3_prepare_v2(db, "SELECT account, id, security, acquired, qty FROM lot ORDER BY account, id",
                             -1, &sel, NULL) != SQLITE_OK;
    while (!bad && sqlite3_step(sel) == SQLITE_ROW && n < cap) {
        for (int c = 0; c < 5; c++) buf[n * 5 + c] = sqlite3_column_int64(sel, c);
        n++;
    }
    sqlite3_finalize(sel);
    r->load_peer_s = now_s() - t0;
    free(buf);
    sqlite3_close(db);
    unlink(path);
    return bad;
}

/* ---- PostgreSQL plain bulk rate: COPY ---------------------------------------------------------- */

static int pg_ok(PGconn *c, PGresult *res, const char *what)
{
    ExecStatusType s = PQresultStatus(res);
    int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_COPY_IN;
    if (!ok) fprintf(stderr, "bench_store: postgresql: %s: %s", what, PQerrorMessage(c));
    PQclear(res);
    return ok;
}

static int pg_copy(PGconn *c, const char *sql, int (*row)(char *, size_t, size_t, const opts *),
                   size_t n, const opts *o)
{
    if (!pg_ok(c, PQexec(c, sql), sql)) return 1;
    char line[256], chunk[1 << 16];
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        int len = row(line, sizeof line, i, o);
        if (used + (size_t)len > sizeof chunk) {
            if (PQputCopyData(c, chunk, (int)used) != 1) return 1;
            used = 0;
        }
        memcpy(chunk + used, line, (size_t)len);
        used += (size_t)len;
    }
    if (used && PQputCopyData(c, chunk, (int)used) != 1) return 1;
    if (PQputCopyEnd(c, NULL) != 1) return 1;
    PGresult *res = PQgetResult(c);
    int ok = pg_ok(c, res, "copy");
    while ((res = PQgetResult(c))) PQclear(res);
    return !ok;
}

static int price_row(char *b, size_t size, size_t i, const opts *o)
{
    size_t s = i / o->days, d = i % o->days;
    return snprintf(b, size, "%zu\t%d\t%lld\n", s, (int)trading_day(d), (long long)price_of(s, d));
}

static int account_row(char *b, size_t size, size_t i, const opts *o)
{
    (void)o;
    char code[RA_CODE_MAX];
    account_code(code, sizeof code, i);
    return snprintf(b, size, "%zu\t%s\t%zu\t1000000\n", i + 1, code, i % 3);
}

static int lot_row(char *b, size_t size, size_t k, const opts *o)
{
    size_t i = k / o->lots, j = k % o->lots + 1;
    return snprintf(b, size, "%zu\t%zu\t%zu\t%d\t12345678\t250000\n", i + 1, j,
                    (i * 7 + j * 31) % o->securities, (int)trading_day(j));
}

static int pg_peer(const char *url, const opts *o, result *r)
{
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "bench_store: postgresql: %s", PQerrorMessage(c));
        PQfinish(c);
        return 1;
    }
    int bad = !pg_ok(c, PQexec(c, "DROP SCHEMA IF EXISTS bench_peer CASCADE; CREATE SCHEMA bench_peer;"
                                  "CREATE TABLE bench_peer.price(security int NOT NULL, date int NOT NULL,"
                                  " price bigint NOT NULL, PRIMARY KEY(security, date));"
                                  "CREATE TABLE bench_peer.account(id bigint PRIMARY KEY, code text UNIQUE NOT NULL,"
                                  " type int NOT NULL, cash bigint NOT NULL);"
                                  "CREATE TABLE bench_peer.lot(account bigint NOT NULL, id bigint NOT NULL,"
                                  " security int NOT NULL, acquired int NOT NULL, qty bigint NOT NULL,"
                                  " basis bigint NOT NULL, PRIMARY KEY(account, id));"), "schema");
    double t0 = now_s();
    bad = bad || !pg_ok(c, PQexec(c, "BEGIN"), "begin");
    bad = bad || pg_copy(c, "COPY bench_peer.price FROM STDIN", price_row, o->securities * o->days, o);
    bad = bad || !pg_ok(c, PQexec(c, "COMMIT"), "commit");
    r->prices_peer_s = now_s() - t0;
    t0 = now_s();
    bad = bad || !pg_ok(c, PQexec(c, "BEGIN"), "begin");
    bad = bad || pg_copy(c, "COPY bench_peer.account FROM STDIN", account_row, o->accounts, o);
    bad = bad || pg_copy(c, "COPY bench_peer.lot FROM STDIN", lot_row, o->accounts * o->lots, o);
    bad = bad || !pg_ok(c, PQexec(c, "COMMIT"), "commit");
    r->accounts_peer_s = now_s() - t0;
    t0 = now_s();
    if (!bad) {
        PGresult *res = PQexecParams(c, "SELECT account, id, security, acquired, qty FROM bench_peer.lot"
                                        " ORDER BY account, id", 0, NULL, NULL, NULL, NULL, 1);
        bad = PQresultStatus(res) != PGRES_TUPLES_OK;
        int n = bad ? 0 : PQntuples(res);
        int64_t *buf = malloc(((size_t)n + 1) * 5 * sizeof *buf);
        for (int i = 0; i < n && buf; i++)
            for (int k = 0; k < 5; k++) {
                const unsigned char *v = (const unsigned char *)PQgetvalue(res, i, k);
                int len = PQgetlength(res, i, k);
                uint64_t x = 0;
                for (int b = 0; b < len; b++) x = x << 8 | v[b];
                buf[(size_t)i * 5 + k] = (int64_t)x;
            }
        free(buf);
        PQclear(res);
    }
    r->load_peer_s = now_s() - t0;
    (void)!pg_ok(c, PQexec(c, "DROP SCHEMA IF EXISTS bench_peer CASCADE"), "drop");
    PQfinish(c);
    return bad;
}

/* ---- report --------------------------------------------------------------------------------------- */

static void print_results(const result *rs, size_t n, const opts *o)
{
    printf("\nbook of record: %zu securities x %zu days = %zu prices; %zu accounts x %zu lots\n",
           o->securities, o->days, o->securities * o->days, o->accounts, o->lots);
    printf("%-11s %-34s %10s %10s %12s %7s %8s\n", "backend", "operation", "ours s", "bulk s",
           "ours rows/s", "ratio", "target");
    for (size_t i = 0; i < n; i++) {
        const result *r = &rs[i];
        if (!r->ok) {
            printf("%-11s (failed, see above)\n", r->backend);
            continue;
        }
        int sq = strcmp(r->backend, "sqlite") == 0;
        printf("%-11s %-34s %10.2f %10.2f %12.0f %6.1fx %8s\n", r->backend, "import prices",
               r->prices_s, r->prices_peer_s, r->n_prices / r->prices_s,
               r->prices_s / r->prices_peer_s, sq ? "<= 10 s" : "-");
        printf("%-11s %-34s %10.2f %10s %12.0f %7s %8s\n", r->backend, "  (set-up: clients, 10 accounts each)",
               r->clients_s, "-", r->n_clients / r->clients_s, "", "");
        size_t bulk_accounts = r->n_accounts - r->n_sample, lots_per = r->n_lots / r->n_accounts;
        printf("%-11s %-34s %10.2f %10.2f %12.0f %6.1fx %8s\n", r->backend,
               "open accounts + lots (bulk)", r->accounts_s, r->accounts_peer_s,
               bulk_accounts * (1.0 + lots_per) / r->accounts_s, r->accounts_s / r->accounts_peer_s,
               sq ? "<= 30 s" : "-");
        double per_acc = r->sample_s / r->n_sample;
        printf("%-11s %-34s %10.2f %10s %12.0f %7s %8s\n", r->backend,
               "  same via account_put+txn_append", per_acc * bulk_accounts, "(est.)",
               (1.0 + lots_per) / per_acc, "", "");
        printf("%-11s %-34s %10.2f %10.2f %12.0f %6.1fx %8s\n", r->backend, "load snapshot",
               r->load_s, r->load_peer_s, (r->n_accounts + r->n_lots) / r->load_s,
               r->load_s / r->load_peer_s, sq ? "<= 30 s" : "-");
        printf("%-11s %-34s %10.0f %10s %12s %7s %8s\n", r->backend, "  snapshot bytes / account",
               r->snap_bytes_per_account, "", "", "", "<= 1024");
        printf("%-11s %-34s %10.0f %10s %12s %7s %8s\n", r->backend, "  heap growth bytes / account",
               r->heap_bytes_per_account, "", "", "", "<= 1024");
        printf("%-11s %-34s %10.0f %10s %12s %7s %8s\n", r->backend, "  RSS growth bytes / account",
               r->rss_bytes_per_account, "", "", "", "<= 1024");
    }
    printf("(ratio = ours / plain bulk rate of the same database in this run; rows/s counts "
           "accounts + lots)\n");
}

static int parse(int argc, char **argv, opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        size_t *dst = strcmp(a, "--securities") == 0 ? &o->securities
                      : strcmp(a, "--days") == 0     ? &o->days
                      : strcmp(a, "--accounts") == 0 ? &o->accounts
                      : strcmp(a, "--lots") == 0     ? &o->lots
                                                     : NULL;
        if (dst && v) {
            *dst = strtoull(v, NULL, 10);
            i++;
        } else if (strcmp(a, "--dir") == 0 && v) {
            o->dir = v;
            i++;
        } else if (strcmp(a, "--pg") == 0 && v) {
            o->pg = v;
            i++;
        } else if (strcmp(a, "--no-pg") == 0 || strcmp(a, "--sqlite-only") == 0) {
            o->sqlite_only = 1;
        } else if (strcmp(a, "--pg-only") == 0) {
            o->pg_only = 1;
        } else if (strcmp(a, "--keep") == 0) {
            o->keep = 1;
        } else {
            fprintf(stderr, "usage: bench_store [--securities N] [--days N] [--accounts N] "
                            "[--lots N] [--dir DIR] [--keep] [--pg URL | --no-pg | --pg-only]\n");
            return 2;
        }
    }
    if (!o->securities || !o->days || !o->accounts || !o->lots || o->lots > 1000) {
        fprintf(stderr, "bench_store: sizes must be positive (lots at most 1000)\n");
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    opts o = {500, 2520, 1000000, 8, NULL, NULL, 0, 0, 0};
    int rc = parse(argc, argv, &o);
    if (rc) return rc;
    if (!o.pg) o.pg = getenv("ROBOADVISOR_TEST_PG");
    snprintf(g_firm, sizeof g_firm, "BENCH%ld%ld", (long)getpid(), (long)time(NULL));
    char dir[256];
    if (o.dir) snprintf(dir, sizeof dir, "%s", o.dir);
    else {
        snprintf(dir, sizeof dir, "/tmp/bench_store_XXXXXX");
        if (!mkdtemp(dir)) return 1;
    }
    result rs[2];
    memset(rs, 0, sizeof rs);
    size_t n = 0;
    char db[400], peer[400];
    snprintf(db, sizeof db, "%s/book.db", dir);
    snprintf(peer, sizeof peer, "%s/plain.db", dir);
    unlink(db);
    if (!o.pg_only) {
        rs[n].backend = "sqlite";
        rs[n].ok = !sqlite_peer(peer, &o, &rs[n]) && !run_store(db, &o, &rs[n]);
        n++;
    }
    char path[420];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3 && !o.keep; i++) {
        snprintf(path, sizeof path, "%s%s", db, suffix[i]);
        unlink(path);
    }
    if (!o.dir && !o.keep) rmdir(dir);
    if (o.keep) printf("sqlite: kept %s\n", db);
    if (!o.sqlite_only && o.pg && o.pg[0]) {
        rs[n].backend = "postgresql";
        rs[n].ok = !pg_peer(o.pg, &o, &rs[n]) && !run_store(o.pg, &o, &rs[n]);
        n++;
    } else {
        printf("postgresql: skipped (give --pg URL or ROBOADVISOR_TEST_PG; "
               "tests/support/pg_server.sh starts a server)\n");
    }
    print_results(rs, n, &o);
    for (size_t i = 0; i < n; i++)
        if (!rs[i].ok) return 1;
    return 0;
}
