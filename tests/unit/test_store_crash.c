/* Crash and concurrency tests of the book of record on SQLite (issue 4, "Reliability").
 *
 * A child process writes a large batch through the store API in one transaction (a price import
 * of PRICE_TICKERS x PRICE_DATES values that also creates the securities, and a transaction batch
 * of TXN_ACCOUNTS x TXN_PER_ACCOUNT buys and fees applied through the ledger) and is killed with
 * SIGKILL at a random moment, N_KILLS times each. After every kill the database is reopened:
 * ra_store_check must pass (every account reconciles, integrity_check and foreign_key_check are
 * clean) and the batch must be wholly there or wholly absent (rows counted per ticker and per
 * account). Kill moments are uniform over 1.2 times the batch's measured duration, so most kills
 * land inside the transaction and a few after the commit. The random moments come from a pinned
 * seed (RA_CRASH_SEED overrides it), printed on failure.
 *
 * Concurrent writers: two processes import at once; each must succeed (the second waits for the
 * write lock) or fail with RA_ECONFLICT and a message saying the database is busy; the file always
 * passes the check and holds exactly the batches that succeeded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ra_test.h"

#include <roboadvisor/roboadvisor.h>
#include <roboadvisor/store.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define RA_CRASH_SMALL 1 /* the sanitizer build is ~10x slower: smaller batches, same kills */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RA_CRASH_SMALL 1
#endif
#endif

#define N_KILLS 20
#define PRICE_TICKERS 40
#define TXN_ACCOUNTS 60
#ifdef RA_CRASH_SMALL
#define PRICE_DATES 400      /* 16,000 prices a batch */
#define TXN_PER_ACCOUNT 20   /* 1,200 transactions a batch */
#else
#define PRICE_DATES 1500     /* 60,000 prices a batch */
#define TXN_PER_ACCOUNT 60   /* 3,600 transactions a batch */
#endif
#define WAIT_MS 120000       /* busy timeout of the writers that must wait and succeed */
#define EXIT_BUSY 3          /* child: the store said the database is busy */
#define DEFAULT_SEED 20240601u

static char g_dir[256];
static char g_db[300];
static uint64_t g_seed, g_seed0;
static int g_notify = -1; /* in a child: pipe to the parent; 'b' after begin, 'c' after commit */

static void notify(char c)
{
    if (g_notify >= 0)
        (void)!write(g_notify, &c, 1);
}
static const uint8_t g_key[RA_STORE_KEY_BYTES] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static ra_store_actor actor(void)
{
    ra_store_actor a;
    memset(&a, 0, sizeof a);
    snprintf(a.user, sizeof a.user, "crash-test");
    snprintf(a.firm, sizeof a.firm, "DEMO");
    return a;
}

static uint64_t next_rand(void)
{
    g_seed = g_seed * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return g_seed >> 33;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(double ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(fmod(ms, 1000.0) * 1e6)};
    nanosleep(&ts, NULL);
}

static ra_store *open_db(void)
{
    ra_store *s = NULL;
    ra_err err = {0};
    if (ra_store_open(g_db, NULL, &s, &err) != RA_OK ||
        ra_store_set_firm_key(s, "DEMO", g_key, &err) != RA_OK) /* writes are audited with it */
        fail_msg("open %s: %s: %s", g_db, err.where, err.msg);
    return s;
}

static void account_code(char *buf, size_t size, int i) { snprintf(buf, size, "A%04d", i); }
static void ticker_code(char *buf, size_t size, int i) { snprintf(buf, size, "P%03d", i); }

/* Batch k of prices: every ticker, PRICE_DATES calendar days from 2000-01-01 + k * PRICE_DATES. */
static ra_status write_prices(ra_store *s, int k, ra_err *err)
{
    size_t n = (size_t)PRICE_TICKERS * PRICE_DATES;
    ra_price_obs *obs = calloc(n, sizeof *obs);
    if (!obs)
        return ra_err_set(err, RA_ENOMEM, NULL, "no memory");
    ra_date d0 = ra_date_from_ymd(2000, 1, 1) + k * PRICE_DATES;
    for (int t = 0; t < PRICE_TICKERS; t++)
        for (int d = 0; d < PRICE_DATES; d++) {
            ra_price_obs *o = &obs[(size_t)t * PRICE_DATES + d];
            ticker_code(o->ticker, sizeof o->ticker, t);
            o->date = d0 + d;
            o->price = 10000000 + 1000 * t + d;
        }
    ra_store_actor a = actor();
    ra_status rc = ra_store_begin(s, err);
    if (rc == RA_OK) {
        notify('b');
        rc = ra_store_prices_put(s, &a, obs, n, RA_STORE_PUT_CREATE_SECURITIES, NULL, err);
    }
    if (rc == RA_OK)
        rc = ra_store_commit(s, err);
    if (rc == RA_OK)
        notify('c');
    else
        (void)ra_store_rollback(s, NULL);
    free(obs);
    return rc;
}

/* Batch k of transactions: per account, buys of 1.5 shares of VTI and an advisory fee. */
static ra_status write_txns(ra_store *s, int k, ra_err *err)
{
    size_t n = (size_t)TXN_ACCOUNTS * TXN_PER_ACCOUNT;
    ra_store_txn *tx = calloc(n, sizeof *tx);
    if (!tx)
        return ra_err_set(err, RA_ENOMEM, NULL, "no memory");
    ra_date d0 = ra_date_from_ymd(2010, 1, 4) + k;
    for (int a = 0; a < TXN_ACCOUNTS; a++)
        for (int j = 0; j < TXN_PER_ACCOUNT; j++) {
            ra_store_txn *t = &tx[(size_t)a * TXN_PER_ACCOUNT + j];
            account_code(t->account, sizeof t->account, a);
            snprintf(t->external_id, sizeof t->external_id, "B%02d-%03d", k, j);
            t->date = d0;
            if (j % 10 == 9) {
                t->kind = RA_TXN_FEE;
                t->amount_minor = 125;
            } else {
                t->kind = RA_TXN_BUY;
                snprintf(t->ticker, sizeof t->ticker, "VTI");
                t->qty_micro = 1500000;
                t->price = 100000000 + 10000 * j;
            }
        }
    ra_store_actor ac = actor();
    ra_status rc = ra_store_begin(s, err);
    if (rc == RA_OK) {
        notify('b');
        rc = ra_store_txn_append(s, &ac, tx, n, NULL, err);
    }
    if (rc == RA_OK)
        rc = ra_store_commit(s, err);
    if (rc == RA_OK)
        notify('c');
    else
        (void)ra_store_rollback(s, NULL);
    free(tx);
    return rc;
}

typedef ra_status (*batch_fn)(ra_store *, int, ra_err *);

/* In a child: open, write batch k, close; exit 0, EXIT_BUSY, or 1 printing the error. *fd (may
 * be NULL) receives the read end of a pipe on which the child writes 'b' once its transaction has
 * begun and 'c' once it has committed. */
static pid_t spawn(batch_fn fn, int k, int busy_ms, int *fd)
{
    int p[2] = {-1, -1};
    if (fd && pipe(p) != 0)
        fail_msg("pipe failed");
    fflush(stdout);
    pid_t pid = fork();
    if (pid != 0) {
        if (fd) {
            close(p[1]);
            *fd = p[0];
        }
        return pid;
    }
    if (fd) {
        close(p[0]);
        g_notify = p[1];
    }
    ra_store *s = NULL;
    ra_err err = {0};
    ra_store_options o;
    ra_store_options_default(&o);
    if (busy_ms > 0)
        o.busy_timeout_ms = busy_ms;
    ra_status rc = ra_store_open(g_db, &o, &s, &err);
    if (rc == RA_OK)
        rc = ra_store_set_firm_key(s, "DEMO", g_key, &err);
    if (rc == RA_OK)
        rc = fn(s, k, &err);
    ra_store_close(s);
    if (rc == RA_ECONFLICT && strstr(err.msg, "busy"))
        _exit(EXIT_BUSY);
    if (rc != RA_OK) {
        fprintf(stderr, "child batch %d: %s: %s: %s\n", k, ra_status_name(rc), err.where,
                err.msg);
        _exit(1);
    }
    _exit(0);
}

/* Reads the child's progress until EOF (the child has exited): 0 none, 1 began, 2 committed. */
static int progress(int fd, double t0, double *t_begin, double *t_commit)
{
    int stage = 0;
    char c;
    while (read(fd, &c, 1) == 1) {
        if (c == 'b') {
            stage = 1;
            if (t_begin) *t_begin = now_ms() - t0;
        } else if (c == 'c') {
            stage = 2;
            if (t_commit) *t_commit = now_ms() - t0;
        }
    }
    close(fd);
    return stage;
}

static int wait_child(pid_t pid)
{
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    if (WIFSIGNALED(st))
        return -WTERMSIG(st);
    return WEXITSTATUS(st);
}

static void check_db(const char *when)
{
    ra_store *s = open_db();
    ra_err err = {0};
    ra_store_check_result r = {0};
    if (ra_store_check(s, &r, &err) != RA_OK)
        fail_msg("seed %llu, %s: check failed: %s: %s", (unsigned long long)g_seed0, when,
                 err.where, err.msg);
    ra_store_close(s);
}

/* Prices of batch k per ticker: all PRICE_DATES or none, the same for every ticker. */
static int prices_present(int k)
{
    ra_store *s = open_db();
    ra_date d0 = ra_date_from_ymd(2000, 1, 1) + k * PRICE_DATES;
    int present = -1;
    for (int t = 0; t < PRICE_TICKERS; t++) {
        char tk[RA_CODE_MAX];
        ticker_code(tk, sizeof tk, t);
        ra_date *dates = NULL;
        ra_price *prices = NULL;
        size_t n = 0;
        ra_err err = {0};
        ra_status rc = ra_store_price_series(s, "DEMO", tk, d0, d0 + PRICE_DATES - 1, &dates,
                                             &prices, &n, &err);
        ra_store_free(dates);
        ra_store_free(prices);
        if (rc == RA_ENOTFOUND)
            n = 0; /* the security itself was never committed */
        else if (rc != RA_OK)
            fail_msg("price series %s: %s", tk, err.msg);
        if (n != 0 && n != PRICE_DATES)
            fail_msg("batch %d: %s has %zu of %d prices (half a batch)", k, tk, n, PRICE_DATES);
        int p = n == PRICE_DATES;
        if (present >= 0 && p != present)
            fail_msg("batch %d: %s is %s but P000 is not", k, tk, p ? "present" : "absent");
        present = p;
    }
    ra_store_close(s);
    return present;
}

/* Transactions per account: `before` or `before + TXN_PER_ACCOUNT`, the same for every account. */
static int txns_present(uint64_t before)
{
    ra_store *s = open_db();
    int present = -1;
    for (int a = 0; a < TXN_ACCOUNTS; a++) {
        char code[RA_CODE_MAX];
        account_code(code, sizeof code, a);
        uint64_t n = 0;
        ra_err err = {0};
        if (ra_store_txn_count(s, "DEMO", code, &n, &err) != RA_OK)
            fail_msg("txn count %s: %s", code, err.msg);
        if (n != before && n != before + TXN_PER_ACCOUNT)
            fail_msg("account %s holds %llu transactions, want %llu or %llu (half a batch)", code,
                     (unsigned long long)n, (unsigned long long)before,
                     (unsigned long long)(before + TXN_PER_ACCOUNT));
        int p = n == before + TXN_PER_ACCOUNT;
        if (present >= 0 && p != present)
            fail_msg("account %s differs from A0000 (a batch half committed)", code);
        present = p;
    }
    ra_store_close(s);
    return present;
}

static int setup(void **state)
{
    (void)state;
    const char *env = getenv("RA_CRASH_SEED");
    g_seed = g_seed0 = env ? strtoull(env, NULL, 10) : DEFAULT_SEED;
    snprintf(g_dir, sizeof g_dir, "/tmp/ra_crash_XXXXXX");
    if (!mkdtemp(g_dir))
        return -1;
    snprintf(g_db, sizeof g_db, "%s/book.db", g_dir);
    ra_store *s = open_db();
    ra_err err = {0};
    ra_store_actor a = actor();
    ra_firm f = {"DEMO", "Demo Wealth Advisors", "USD", 2};
    ra_security vti;
    memset(&vti, 0, sizeof vti);
    snprintf(vti.ticker, sizeof vti.ticker, "VTI");
    snprintf(vti.name, sizeof vti.name, "Vanguard Total Stock Market ETF");
    snprintf(vti.asset_class, sizeof vti.asset_class, "us_equity");
    vti.risk_level = 4;
    vti.lot_size = 1;
    snprintf(vti.currency, sizeof vti.currency, "USD");
    vti.on_shelf = 1;
    ra_status rc = ra_store_init(s, &err);
    if (rc == RA_OK) rc = ra_store_set_firm_key(s, "DEMO", g_key, &err);
    if (rc == RA_OK) rc = ra_store_firm_put(s, &a, &f, &err);
    if (rc == RA_OK) rc = ra_store_security_put(s, &a, &vti, &err);
    if (rc == RA_OK) rc = ra_store_begin(s, &err);
    for (int i = 0; i < TXN_ACCOUNTS && rc == RA_OK; i++) {
        ra_client c;
        ra_account ac;
        memset(&c, 0, sizeof c);
        memset(&ac, 0, sizeof ac);
        snprintf(c.code, sizeof c.code, "C%04d", i);
        snprintf(c.household, sizeof c.household, "H%04d", i);
        snprintf(c.name, sizeof c.name, "Test Client %d", i);
        account_code(ac.code, sizeof ac.code, i);
        snprintf(ac.client, sizeof ac.client, "%s", c.code);
        snprintf(ac.currency, sizeof ac.currency, "USD");
        ac.opened = ra_date_from_ymd(2010, 1, 4);
        snprintf(ac.mandate.model, sizeof ac.mandate.model, "MODEL-R3");
        ac.mandate.drift_band = 0.05;
        ac.mandate.loss_limit = 0.10;
        ra_store_txn dep;
        memset(&dep, 0, sizeof dep);
        snprintf(dep.account, sizeof dep.account, "%s", ac.code);
        snprintf(dep.external_id, sizeof dep.external_id, "OPEN");
        dep.kind = RA_TXN_DEPOSIT;
        dep.date = ac.opened;
        dep.amount_minor = INT64_C(10000000000); /* 100 M USD: every batch can be paid */
        rc = ra_store_client_put(s, &a, &c, &err);
        if (rc == RA_OK) rc = ra_store_account_put(s, &a, &ac, &err);
        if (rc == RA_OK) rc = ra_store_txn_append(s, &a, &dep, 1, NULL, &err);
    }
    if (rc == RA_OK) rc = ra_store_commit(s, &err);
    ra_store_close(s);
    if (rc != RA_OK) {
        fprintf(stderr, "setup: %s: %s\n", err.where, err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char path[400];
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s%s", g_db, suffix[i]);
        unlink(path);
    }
    rmdir(g_dir);
    return 0;
}

/* Runs batch fn once to measure when its transaction begins and commits, then kills it at random
 * moments until N_KILLS kills have landed inside the transaction (between begin and commit; at
 * most 3 * N_KILLS attempts). Kill moments are uniform from 0.8 x begin to 1.1 x commit. */
static void kill_loop(const char *what, batch_fn fn, int (*present)(int k, uint64_t *base))
{
    uint64_t base = 0;
    int fd = -1;
    double t0 = now_ms(), t_begin = 0, t_commit = 0;
    pid_t pid = spawn(fn, 0, 0, &fd);
    assert_int_equal(progress(fd, t0, &t_begin, &t_commit), 2);
    assert_int_equal(wait_child(pid), 0);
    check_db("after the measured batch");
    assert_int_equal(present(0, &base), 1);
    int n_inside = 0, n_before = 0, n_after = 0, n_absent = 0, n_whole = 0, k = 1, attempts = 0;
    double lo = 0.8 * t_begin, hi = 1.1 * t_commit;
    for (; n_inside < N_KILLS && attempts < 3 * N_KILLS; attempts++, k++) {
        double delay = lo + (double)(next_rand() % 1000) / 1000.0 * (hi - lo);
        t0 = now_ms();
        pid = spawn(fn, k, 0, &fd);
        sleep_ms(delay);
        kill(pid, SIGKILL);
        int st = wait_child(pid);
        int stage = progress(fd, t0, NULL, NULL);
        assert_true(st == 0 || st == -SIGKILL);
        char when[96];
        snprintf(when, sizeof when, "after kill %d of the %s batch (at %.0f ms)", attempts + 1,
                 what, delay);
        check_db(when);
        int p = present(k, &base);
        if (stage == 2)
            assert_int_equal(p, 1); /* committed: it must be there */
        if (stage == 0)
            assert_int_equal(p, 0); /* killed before it began: nothing of it */
        /* stage 1: killed inside the transaction (absent), or between the commit and the 'c' it
         * writes afterwards (there): both are whole, present() has checked that */
        n_before += stage == 0;
        n_inside += stage == 1 && !p;
        n_after += stage == 2 || (stage == 1 && p);
        n_whole += p;
        n_absent += !p;
    }
    printf("%s: begin at %.0f ms, commit at %.0f ms; %d kills: %d inside the transaction, "
           "%d before it, %d after the commit; %d batches wholly absent, %d wholly there; "
           "check passed after each\n",
           what, t_begin, t_commit, attempts, n_inside, n_before, n_after, n_absent, n_whole);
    assert_true(n_inside >= N_KILLS);
}

static int price_presence(int k, uint64_t *base)
{
    (void)base;
    return prices_present(k);
}

static int txn_presence(int k, uint64_t *base)
{
    (void)k;
    int p = txns_present(*base + 1); /* + 1: the opening deposit */
    if (p)
        *base += TXN_PER_ACCOUNT;
    return p;
}

static void test_kill_during_price_import(void **state)
{
    (void)state;
    kill_loop("price import", write_prices, price_presence);
}

static void test_kill_during_transaction_batch(void **state)
{
    (void)state;
    kill_loop("transaction batch", write_txns, txn_presence);
}

/* Two writers at once, three rounds with a long busy timeout (both succeed, one waits) and three
 * with 1 ms (the second may fail, and then says the database is busy). */
static void test_concurrent_writers(void **state)
{
    (void)state;
    int k = 100, n_ok = 0, n_busy = 0;
    for (int round = 0; round < 6; round++, k += 2) {
        int busy_ms = round < 3 ? WAIT_MS : 1;
        pid_t a = spawn(write_prices, k, busy_ms, NULL), b = spawn(write_prices, k + 1, busy_ms, NULL);
        int sa = wait_child(a), sb = wait_child(b);
        assert_true(sa == 0 || sa == EXIT_BUSY);
        assert_true(sb == 0 || sb == EXIT_BUSY);
        if (busy_ms == WAIT_MS) {
            assert_int_equal(sa, 0);
            assert_int_equal(sb, 0);
        }
        check_db("after concurrent writers");
        assert_int_equal(prices_present(k), sa == 0);
        assert_int_equal(prices_present(k + 1), sb == 0);
        n_ok += (sa == 0) + (sb == 0);
        n_busy += (sa == EXIT_BUSY) + (sb == EXIT_BUSY);
    }
    printf("concurrent writers: %d imports succeeded, %d failed cleanly as busy, check passed\n",
           n_ok, n_busy);
    assert_true(n_ok >= 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_during_price_import),
        cmocka_unit_test(test_kill_during_transaction_batch),
        cmocka_unit_test(test_concurrent_writers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
