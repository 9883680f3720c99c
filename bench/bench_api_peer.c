/* The peer of bench_api_load.sh (issue 15's "for scale"): a bare libmicrohttpd server with the
 * options `roboadvisor serve` uses (a thread pool over epoll, the answer queued on the handler's
 * second call so that connections are kept alive), answering
 *   GET /fixed          a fixed body, {"status":"ok"}: the cost of HTTP alone;
 *   GET /row/CODE       one read transaction on the book (BEGIN, one indexed look-up of the
 *                       account CODE, COMMIT) answered as a small JSON object built by snprintf:
 *                       the plain cost of "look one row up and answer it"; on PostgreSQL (--db
 *                       postgresql://...) one prepared statement through libpq (its own
 *                       transaction);
 * with no key, no log, no metrics and no cache. Each pool thread has its own connection to the
 * book, opened read-only on first use.
 *
 *   bench_api_peer --db FILE --port N [--threads T]     runs until SIGTERM or SIGINT
 *
 * It prints {"port":N} on stderr once listening (the scripts wait for it). */
#include <libpq-fe.h>
#include <microhttpd.h>
#include <sqlite3.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *g_db;
static int g_pg;
static _Thread_local PGconn *t_pg;
static _Thread_local sqlite3 *t_db;
static _Thread_local sqlite3_stmt *t_begin, *t_row, *t_end;

static int thread_db(void)
{
    if (g_pg) {
        if (t_pg)
            return 1;
        t_pg = PQconnectdb(g_db);
        if (PQstatus(t_pg) != CONNECTION_OK)
            return 0;
        PGresult *r = PQprepare(t_pg, "row",
                                "SELECT a.code, a.model, a.currency FROM accounts a "
                                "WHERE a.firm_id = 1 AND a.code = $1",
                                1, NULL);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        return ok;
    }
    if (t_db)
        return 1;
    if (sqlite3_open_v2(g_db, &t_db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK)
        return 0;
    sqlite3_busy_timeout(t_db, 5000);
    return sqlite3_prepare_v2(t_db, "BEGIN", -1, &t_begin, NULL) == SQLITE_OK &&
           sqlite3_prepare_v2(t_db,
                              "SELECT a.code, a.model, a.currency FROM accounts a "
                              "WHERE a.firm_id = 1 AND a.code = ?",
                              -1, &t_row, NULL) == SQLITE_OK &&
           sqlite3_prepare_v2(t_db, "COMMIT", -1, &t_end, NULL) == SQLITE_OK;
}

static enum MHD_Result send_text(struct MHD_Connection *con, unsigned status, const char *text,
                                 int copy)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        strlen(text), (void *)text, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result res = MHD_queue_response(con, status, r);
    MHD_destroy_response(r);
    return res;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    static int first_call_marker;
    (void)cls;
    (void)method;
    (void)version;
    (void)upload;
    (void)upload_size;
    if (*con_cls == NULL) { /* the headers: answer on the next call (keep-alive) */
        *con_cls = &first_call_marker;
        return MHD_YES;
    }
    if (strcmp(url, "/fixed") == 0)
        return send_text(con, 200, "{\"status\":\"ok\"}", 0);
    if (strncmp(url, "/row/", 5) != 0)
        return send_text(con, 404, "{\"status\":\"not found\"}", 0);
    if (!thread_db())
        return send_text(con, 503, "{\"status\":\"no book\"}", 0);
    char body[256];
    unsigned status = 404;
    snprintf(body, sizeof body, "{\"status\":\"not found\"}");
    if (g_pg) {
        const char *code = url + 5;
        PGresult *r = PQexecPrepared(t_pg, "row", 1, &code, NULL, NULL, 0);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
            status = 200;
            snprintf(body, sizeof body, "{\"code\":\"%s\",\"model\":\"%s\",\"currency\":\"%s\"}",
                     PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2));
        }
        PQclear(r);
        return send_text(con, status, body, 1);
    }
    sqlite3_reset(t_begin);
    if (sqlite3_step(t_begin) == SQLITE_DONE) {
        sqlite3_reset(t_row);
        sqlite3_bind_text(t_row, 1, url + 5, -1, SQLITE_STATIC);
        if (sqlite3_step(t_row) == SQLITE_ROW) {
            status = 200;
            snprintf(body, sizeof body, "{\"code\":\"%s\",\"model\":\"%s\",\"currency\":\"%s\"}",
                     (const char *)sqlite3_column_text(t_row, 0),
                     (const char *)sqlite3_column_text(t_row, 1),
                     (const char *)sqlite3_column_text(t_row, 2));
        }
        sqlite3_reset(t_row);
        sqlite3_reset(t_end);
        sqlite3_step(t_end);
    }
    return send_text(con, status, body, 1);
}

static void on_completed(void *cls, struct MHD_Connection *con, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)con;
    (void)toe;
    *con_cls = NULL;
}

int main(int argc, char **argv)
{
    unsigned port = 0, threads = 2;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--db") == 0)
            g_db = argv[i + 1];
        else if (strcmp(argv[i], "--port") == 0)
            port = (unsigned)atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--threads") == 0)
            threads = (unsigned)atoi(argv[i + 1]);
        else {
            fprintf(stderr, "bench_api_peer: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    g_pg = g_db && (strncmp(g_db, "postgres://", 11) == 0 || strncmp(g_db, "postgresql://", 13) == 0);
    if (!g_db || threads == 0) {
        fprintf(stderr, "usage: bench_api_peer --db FILE --port N [--threads T]\n");
        return 2;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* the pool threads inherit the mask */
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC, (uint16_t)port, NULL, NULL,
        on_request, NULL, MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, NULL, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
        MHD_OPTION_CONNECTION_LIMIT, 4000u, MHD_OPTION_CONNECTION_TIMEOUT, 60u,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bench_api_peer: could not listen on port %u\n", port);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    fprintf(stderr, "{\"port\":%u}\n", info ? (unsigned)info->port : port);
    int sig = 0;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    return 0;
}
