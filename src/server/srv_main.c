/* roboadvisor serve: the HTTP JSON API on libmicrohttpd (srv.h; docs/api.md, docs/cli.md#serve).
 *
 * Threads: libmicrohttpd's pool of --threads threads; each opens its own book (one store
 * connection per thread: the store is not thread-safe) on its first request and keeps it.
 * Requests: libmicrohttpd calls the handler once when the headers are in, then per piece of body,
 * then once more; we answer on that last call, never the first (libmicrohttpd 0.9.75 closes a
 * keep-alive connection answered on the first call). Writes: a POST runs in one database
 * transaction with its idempotency record, committed before the answer is queued, so an
 * acknowledged write is durable. SIGTERM or SIGINT: stop accepting, let the requests in flight
 * finish (up to 30 s), stop.
 * The request log (one JSON line a request, on stderr) is written in blocks, as nginx's
 * access_log buffer= does: lines gather in one buffer that is written when it holds 32 KiB, by a
 * flusher thread 200 ms at most after its first line, and at shutdown before the "stopped" line.
 * One write(2) a request was a tenth of the server's CPU at load (bench/README.md); a process
 * killed with SIGKILL loses at most the last 200 ms of log lines, never a write to the book. */
#include "server/srv.h"

#include <roboadvisor/alloc.h>
#include <roboadvisor/store_now.h>

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

typedef struct srv_opts {
    const char *db, *firm, *key_file, *key_dir, *listen, *openapi;
    unsigned threads;
    double rate, burst; /* per key: requests per second, bucket size */
} srv_opts;

/* --- per-thread books ------------------------------------------------------------------------ */

/* A key this thread verified: the BLAKE2b of the presented text, the book's version then (a
 * revocation is an audited write: it moves the version) and the record. */
#define KEY_SLOTS 256
typedef struct key_seen {
    uint8_t hash[32];
    int64_t head; /* 0: empty (a book with a key has audit records) */
    ra_apikey key;
} key_seen;

typedef struct srv_thread {
    ra_book *book;
    srv_cache *cache; /* the account summaries this thread answered (NULL: none kept) */
    key_seen keys[KEY_SLOTS];
} srv_thread;

#define SUMMARY_CACHE_SLOTS 16384 /* per thread; ~1.5 KB an entry at 8 positions */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static srv_thread *g_threads[256];
static size_t g_n_threads;
static _Thread_local srv_thread *t_self;
static const srv_opts *g_opts;
static char *g_openapi;
static size_t g_openapi_len;

static int64_t wall_clock(void *ctx)
{
    (void)ctx;
    return (int64_t)time(NULL);
}

static ra_status key_dir_provider(void *ctx, const char *firm, uint8_t key[RA_STORE_KEY_BYTES],
                                  ra_err *err)
{
    const char *dir = ctx;
    char path[1024];
    for (const char *c = firm; *c; c++) /* codes only: no path tricks */
        if (*c == '/' || *c == '.')
            return ra_err_set(err, RA_ENOTFOUND, NULL, "no key for firm %s", firm);
    snprintf(path, sizeof path, "%s/%s.key", dir, firm);
    if (access(path, R_OK) != 0)
        return ra_err_set(err, RA_ENOTFOUND, NULL, "no key for firm %s", firm);
    return ra_book_key_file_read(path, 0, key, NULL, err);
}

static ra_book *thread_book(ra_err *err)
{
    if (t_self)
        return t_self->book;
    ra_book_open_opts o;
    memset(&o, 0, sizeof o);
    o.url = g_opts->db;
    o.firm = g_opts->firm;
    o.user = "api";
    o.key_file = g_opts->key_file;
    o.key_hex = getenv("ROBOADVISOR_KEY");
    o.key_hex_name = "ROBOADVISOR_KEY";
    o.clock = wall_clock;
    ra_book *b = NULL;
    if (ra_book_open(&o, &b, err) != RA_OK)
        return NULL;
    if (g_opts->key_dir)
        ra_store_set_key_provider(b->store, key_dir_provider, (void *)g_opts->key_dir);
    srv_thread *t = calloc(1, sizeof *t);
    if (!t) {
        ra_book_close(b);
        ra_err_set(err, RA_ENOMEM, NULL, "could not allocate a thread's state");
        return NULL;
    }
    t->book = b;
    t->cache = srv_cache_create(SUMMARY_CACHE_SLOTS);
    pthread_mutex_lock(&g_lock);
    if (g_n_threads < sizeof g_threads / sizeof g_threads[0])
        g_threads[g_n_threads++] = t;
    pthread_mutex_unlock(&g_lock);
    t_self = t;
    return b;
}

/* --- rate limits: a token bucket per key ------------------------------------------------------ */

#define BUCKETS 4096
static struct {
    char code[RA_CODE_MAX];
    double tokens, at;
} g_buckets[BUCKETS];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* 0 to go on, else the seconds to wait (Retry-After). */
static int rate_take(const char *code)
{
    unsigned h = 5381;
    for (const char *c = code; *c; c++)
        h = h * 33u + (unsigned char)*c;
    double t = now_s();
    int wait = 0;
    pthread_mutex_lock(&g_lock);
    for (unsigned i = 0; i < BUCKETS; i++) {
        unsigned k = (h + i) % BUCKETS;
        if (g_buckets[k].code[0] && strcmp(g_buckets[k].code, code) != 0)
            continue;
        if (!g_buckets[k].code[0]) { /* a new key starts full */
            snprintf(g_buckets[k].code, sizeof g_buckets[k].code, "%s", code);
            g_buckets[k].tokens = g_opts->burst;
            g_buckets[k].at = t;
        }
        double tok = g_buckets[k].tokens + (t - g_buckets[k].at) * g_opts->rate;
        if (tok > g_opts->burst)
            tok = g_opts->burst;
        g_buckets[k].at = t;
        if (tok >= 1.0)
            g_buckets[k].tokens = tok - 1.0;
        else {
            g_buckets[k].tokens = tok;
            wait = (int)((1.0 - tok) / g_opts->rate) + 1;
        }
        break;
    }
    pthread_mutex_unlock(&g_lock);
    return wait;
}

/* --- metrics --------------------------------------------------------------------------------- */

static const int g_statuses[] = {200, 201, 400, 401, 403, 404, 405, 409, 413, 414, 422, 429, 500,
                                 503};
#define N_STATUS (sizeof g_statuses / sizeof g_statuses[0])
static const double g_le[] = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0};
#define N_LE (sizeof g_le / sizeof g_le[0])
static atomic_ullong g_count[R_COUNT + 1][N_STATUS];
static atomic_ullong g_hist[N_LE + 1];
static atomic_ullong g_sum_us, g_replays, g_in_flight;

static void metrics_add(int route, int status, double secs, int replay)
{
    size_t k = 0;
    while (k < N_STATUS && g_statuses[k] != status)
        k++;
    if (k < N_STATUS)
        atomic_fetch_add(&g_count[route][k], 1);
    size_t b = 0;
    while (b < N_LE && secs > g_le[b])
        b++;
    atomic_fetch_add(&g_hist[b], 1);
    atomic_fetch_add(&g_sum_us, (unsigned long long)(secs * 1e6));
    if (replay)
        atomic_fetch_add(&g_replays, 1);
}

static char *metrics_text(void)
{
    size_t cap = 65536, len = 0;
    char *t = malloc(cap);
    if (!t)
        return NULL;
#define OUT(...) len += (size_t)snprintf(t + len, len < cap ? cap - len : 0, __VA_ARGS__)
    OUT("# HELP ra_http_requests_total HTTP requests answered, by route and status.\n"
        "# TYPE ra_http_requests_total counter\n");
    for (int r = 0; r <= R_COUNT; r++)
        for (size_t k = 0; k < N_STATUS; k++) {
            unsigned long long v = atomic_load(&g_count[r][k]);
            if (v)
                OUT("ra_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                    r < R_COUNT ? srv_routes[r].pattern : "none", g_statuses[k], v);
        }
    OUT("# HELP ra_http_request_duration_seconds Time from the request's headers to its answer.\n"
        "# TYPE ra_http_request_duration_seconds histogram\n");
    unsigned long long cum = 0;
    for (size_t b = 0; b <= N_LE; b++) {
        cum += atomic_load(&g_hist[b]);
        if (b < N_LE)
            OUT("ra_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", g_le[b], cum);
        else
            OUT("ra_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
    }
    OUT("ra_http_request_duration_seconds_sum %.6f\n", (double)atomic_load(&g_sum_us) / 1e6);
    OUT("ra_http_request_duration_seconds_count %llu\n", cum);
    OUT("# HELP ra_http_idempotent_replays_total POSTs answered from a stored response.\n"
        "# TYPE ra_http_idempotent_replays_total counter\n"
        "ra_http_idempotent_replays_total %llu\n", atomic_load(&g_replays));
    OUT("# HELP ra_http_in_flight Requests being answered.\n# TYPE ra_http_in_flight gauge\n"
        "ra_http_in_flight %llu\n", atomic_load(&g_in_flight));
#undef OUT
    if (len >= cap)
        t[cap - 1] = 0;
    return t;
}

/* --- one request ----------------------------------------------------------------------------- */

typedef struct req_ctx {
    double t0;
    char *body;
    size_t len, cap;
    int too_big;
    /* for the log line */
    int route, status, replay;
    char method[8];
    char key[RA_CODE_MAX];
    char firm[RA_CODE_MAX];
    size_t bytes;
} req_ctx;

static enum MHD_Result queue(struct MHD_Connection *con, req_ctx *q, int status,
                             const char *ctype, char *text, int replay, int retry_after,
                             int auth_challenge)
{
    size_t n = text ? strlen(text) : 0;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(n, text ? text : (char *)"", text ? MHD_RESPMEM_MUST_FREE
                                                                         : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", ctype);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (replay)
        MHD_add_response_header(resp, "Idempotent-Replayed", "true");
    if (retry_after) {
        char b[16];
        snprintf(b, sizeof b, "%d", retry_after);
        MHD_add_response_header(resp, "Retry-After", b);
    }
    if (auth_challenge)
        MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"roboadvisor\"");
    q->status = status;
    q->replay = replay;
    q->bytes = n;
    enum MHD_Result r = MHD_queue_response(con, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result queue_json(struct MHD_Connection *con, req_ctx *q, int status, json_t *j,
                                  int problem, int replay, int retry_after, int challenge)
{
    char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return queue(con, q, status, problem ? "application/problem+json" : "application/json",
                 t, replay, retry_after, challenge);
}

static enum MHD_Result queue_problem(struct MHD_Connection *con, req_ctx *q, const srv_problem *p,
                                     int retry_after, int challenge)
{
    return queue_json(con, q, p->status, srv_problem_json(p), 1, 0, retry_after, challenge);
}

static enum MHD_Result problem(struct MHD_Connection *con, req_ctx *q, int status,
                               const char *title, const char *detail)
{
    srv_problem p;
    memset(&p, 0, sizeof p);
    srv_problem_set(&p, status, title, "%s", detail);
    return queue_problem(con, q, &p, 0, status == 401);
}

static ra_date today_utc(void)
{
    return (ra_date)(time(NULL) / 86400);
}

/* A POST: the work and its idempotency record in one transaction. */
static enum MHD_Result do_post(struct MHD_Connection *con, req_ctx *q, ra_store *s,
                               const srv_caller *c, const srv_request *r, const char *path)
{
    const char *idem = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Idempotency-Key");
    if (!idem || !idem[0] || strlen(idem) > SRV_IDEM_KEY_MAX) {
        srv_problem p;
        memset(&p, 0, sizeof p);
        srv_problem_set(&p, 400, "idempotency key required",
                        "every POST carries an Idempotency-Key header of 1 to %d bytes",
                        SRV_IDEM_KEY_MAX);
        srv_problem_field(&p, "header.Idempotency-Key", "is required");
        return queue_problem(con, q, &p, 0, 0);
    }
    /* the request's fingerprint: method, path and body */
    uint8_t h[32];
    char hash[65];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const uint8_t *)"POST ", 5);
    crypto_generichash_update(&st, (const uint8_t *)path, strlen(path) + 1);
    crypto_generichash_update(&st, (const uint8_t *)(q->body ? q->body : ""), q->len);
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(hash, sizeof hash, h, sizeof h);
    ra_err e = {0};
    for (int attempt = 0; attempt < 2; attempt++) {
        if (ra_store_begin(s, &e) != RA_OK)
            return problem(con, q, 503, "busy", "the book is busy: retry with the same key");
        int status = 0, same = 0;
        char *stored = NULL;
        ra_status rc = ra_store_idem_get(s, c->key.id, idem, hash, &status, &stored, &same, &e);
        if (rc == RA_OK) {
            (void)ra_store_rollback(s, NULL);
            if (!same) {
                ra_free(stored);
                srv_problem p;
                memset(&p, 0, sizeof p);
                srv_problem_set(&p, 422, "idempotency key reused",
                                "this Idempotency-Key was used with another request");
                srv_problem_field(&p, "header.Idempotency-Key", "was used with another request");
                return queue_problem(con, q, &p, 0, 0);
            }
            char *copy = strdup(stored);
            ra_free(stored);
            return queue(con, q, status, status >= 400 ? "application/problem+json"
                                                        : "application/json",
                         copy, 1, 0, 0);
        }
        if (rc != RA_ENOTFOUND) {
            (void)ra_store_rollback(s, NULL);
            return problem(con, q, 500, "internal error", "the request could not be completed");
        }
        srv_answer a;
        srv_answer_request(s, c, r, today_utc(), q->body, q->len, &a);
        char *text = json_dumps(a.body, JSON_COMPACT);
        json_decref(a.body);
        if (!text) {
            (void)ra_store_rollback(s, NULL);
            return problem(con, q, 500, "internal error", "the request could not be completed");
        }
        if (a.status >= 500) { /* not kept: a retry may succeed */
            (void)ra_store_rollback(s, NULL);
            return queue(con, q, a.status, "application/problem+json", text, 0, 0, 0);
        }
        char *kept = a.kept ? json_dumps(a.kept, JSON_COMPACT) : NULL; /* no secret kept */
        json_decref(a.kept);
        rc = ra_store_idem_put(s, c->key.id, idem, hash, a.status, kept ? kept : text, &e);
        free(kept);
        if (rc == RA_OK)
            rc = ra_store_commit(s, &e);
        if (rc == RA_OK)
            return queue(con, q, a.status, a.problem ? "application/problem+json"
                                                     : "application/json",
                         text, 0, 0, 0);
        free(text);
        (void)ra_store_rollback(s, NULL);
        if (rc != RA_ECONFLICT) /* another retry stored its response first: read it */
            break;
    }
    return problem(con, q, 503, "busy", "the request could not be completed: retry with the same "
                                        "Idempotency-Key");
}

/* A statement: bytes of any media type (a PDF holds NULs), srv_routes_statements.c. */
static enum MHD_Result queue_statement(struct MHD_Connection *con, req_ctx *q, ra_store *s,
                                       const srv_caller *c, const srv_request *r)
{
#define ARG(name) MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, name)
    char *doc = NULL;
    size_t len = 0;
    const char *ctype = NULL;
    srv_answer a;
    srv_statement_answer(s, c, r, ARG("from"), ARG("to"), ARG("format"), ARG("lang"), &doc, &len,
                         &ctype, &a);
#undef ARG
    if (!doc)
        return queue_json(con, q, a.status, a.body, a.problem, 0, 0, 0);
    char *text = malloc(len + 1); /* queue() takes a NUL-terminated malloc'd text: copy */
    if (text) {
        memcpy(text, doc, len);
        text[len] = 0;
    }
    ra_free(doc);
    if (!text)
        return problem(con, q, 503, "unavailable", "out of memory");
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", ctype);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    q->status = 200;
    q->bytes = len;
    enum MHD_Result res = MHD_queue_response(con, 200, resp);
    MHD_destroy_response(resp);
    return res;
}

/* A file of the console (srv_console.c): cached for a minute, then revalidated by its ETag. */
static enum MHD_Result queue_asset(struct MHD_Connection *con, req_ctx *q, const srv_asset *f)
{
    const char *inm = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "If-None-Match");
    int same = inm && strcmp(inm, f->etag) == 0;
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        same ? 0 : f->len, (void *)f->data, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", f->ctype);
    MHD_add_response_header(resp, "ETag", f->etag);
    MHD_add_response_header(resp, "Cache-Control", "public, max-age=60, must-revalidate");
    MHD_add_response_header(resp, "Content-Security-Policy", srv_console_csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    q->status = same ? 304 : 200;
    q->bytes = same ? 0 : f->len;
    enum MHD_Result r = MHD_queue_response(con, (unsigned)q->status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* ra_store_apikey_verify, or inside a GET's read transaction (head: the book's version read in
 * it, else 0) the record this thread verified for the same key text while the book's version has
 * not moved since: a revocation moves it, an expiry is checked against the clock every time. */
static ra_status key_verify(ra_store *s, int64_t head, const char *key, size_t klen,
                            ra_apikey *out, ra_err *err)
{
    int64_t now = (int64_t)time(NULL);
    if (head == 0)
        return ra_store_apikey_verify(s, key, klen, now, out, err);
    uint8_t h[32];
    crypto_generichash(h, sizeof h, (const uint8_t *)key, klen, NULL, 0);
    key_seen *k = &t_self->keys[(h[0] | (unsigned)h[1] << 8) % KEY_SLOTS];
    if (k->head == head && sodium_memcmp(k->hash, h, sizeof h) == 0 &&
        !(k->key.expires_at && now >= k->key.expires_at)) {
        *out = k->key;
        return RA_OK;
    }
    ra_status rc = ra_store_apikey_verify(s, key, klen, now, out, err);
    if (rc == RA_OK) {
        memcpy(k->hash, h, sizeof h);
        k->head = head;
        k->key = *out;
    }
    return rc;
}

/* Text builders for the per-request strings (the summary's cache key, the log line): snprintf
 * was a sixth of a cached summary's CPU (glibc's positional path for many arguments). Each
 * appends to p, never past end - 1, and returns the new end of the text (end itself when full). */
static char *put_s(char *p, char *end, const char *s)
{
    while (p < end - 1 && *s)
        *p++ = *s++;
    return *s ? end : p;
}

static char *put_i(char *p, char *end, long long v)
{
    char d[24];
    int n = 0;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do
        d[n++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        d[n++] = '-';
    while (n > 0 && p < end - 1)
        *p++ = d[--n];
    return n ? end : p;
}

/* v with exactly three decimals (v >= 0 or not: the sign is kept) */
static char *put_milli(char *p, char *end, long long thousandths)
{
    if (thousandths < 0) {
        p = put_s(p, end, "-");
        thousandths = -thousandths;
    }
    p = put_i(p, end, thousandths / 1000);
    char f[5] = {'.', (char)('0' + thousandths / 100 % 10), (char)('0' + thousandths / 10 % 10),
                 (char)('0' + thousandths % 10), 0};
    return put_s(p, end, f);
}

/* The account summary's cache key (ck[0] = 0: not cached): who asks (firm, role and user: the
 * scope an answer was checked for), the account, and what its summary depends on: the audit
 * trail's head (every write to the book moves it), the account's latest valued day (the cycle's
 * daily values are not audited) and today (the day of a never valued account). An unchanged key
 * is an unchanged answer (bench/README.md#the-http-api). */
static void summary_key(ra_store *s, int64_t head, const srv_caller *c, const srv_request *r,
                        ra_date today, char *ck, size_t cap)
{
    ra_date valued = 0;
    ra_err e = {0};
    ck[0] = 0;
    if (!t_self->cache || head == 0 ||
        ra_store_account_version(s, c->key.firm, r->id, NULL, &valued, &e) != RA_OK)
        return;
    char *p = ck, *end = ck + cap;
    p = put_s(p, end, c->key.firm);
    p = put_s(p, end, "\x1f");
    p = put_i(p, end, (long long)c->key.role);
    p = put_s(p, end, "\x1f");
    p = put_s(p, end, c->key.user);
    p = put_s(p, end, "\x1f");
    p = put_s(p, end, r->id);
    p = put_s(p, end, "\x1f");
    p = put_i(p, end, (long long)head);
    p = put_s(p, end, "\x1f");
    p = put_i(p, end, (long long)valued);
    p = put_s(p, end, "\x1f");
    p = put_i(p, end, (long long)today);
    if (p >= end - 1) /* too long to be a key: not cached */
        ck[0] = 0;
    else
        *p = 0;
}

/* answer() once the key is read: check it, then answer the route r (p: a bad limit or cursor
 * found by the parse, reported after authentication). */
static enum MHD_Result answer_keyed(struct MHD_Connection *con, req_ctx *q, const char *url,
                                    const char *method, ra_book *b, const srv_request *rp,
                                    const srv_problem *pp, const char *key, size_t klen)
{
    srv_caller c;
    memset(&c, 0, sizeof c);
    const srv_request r = *rp;
    srv_problem p = *pp;
    ra_err e = {0};
    /* a GET reads the book's version once: the key's cache and the summary's key both use it */
    int64_t head = 0;
    if (strcmp(method, "POST") == 0 || ra_store_book_version(b->store, &head, &e) != RA_OK)
        head = 0;
    ra_status rc = key_verify(b->store, head, key, klen, &c.key, &e);
    if (rc == RA_ECONFLICT)
        return problem(con, q, 401, "unauthorised", strstr(e.msg, "revoked")
                                                        ? "the key is revoked"
                                                        : "the key has expired");
    if (rc != RA_OK)
        return problem(con, q, 401, "unauthorised", "the key is not valid");
    snprintf(q->key, sizeof q->key, "%s", c.key.code);
    snprintf(q->firm, sizeof q->firm, "%s", c.key.firm);
    int wait = rate_take(c.key.code);
    if (wait) {
        memset(&p, 0, sizeof p);
        srv_problem_set(&p, 429, "too many requests", "the key's rate limit is reached");
        return queue_problem(con, q, &p, wait, 0);
    }
    if (!(srv_routes[r.route].roles & (1u << c.key.role)))
        return problem(con, q, 403, "forbidden", "the key's role may not use this resource");
    if (p.status) /* a bad limit or cursor, reported after authentication */
        return queue_problem(con, q, &p, 0, 0);
    if (q->too_big) {
        memset(&p, 0, sizeof p);
        srv_problem_set(&p, 413, "body too large", "the body is over %zu bytes", SRV_BODY_MAX);
        return queue_problem(con, q, &p, 0, 0);
    }
    snprintf(c.actor.firm, sizeof c.actor.firm, "%s", c.key.firm);
    if (c.key.user[0])
        snprintf(c.actor.user, sizeof c.actor.user, "%s", c.key.user);
    else
        snprintf(c.actor.user, sizeof c.actor.user, "key:%.16s", c.key.code);
    if (strcmp(method, "POST") == 0)
        return do_post(con, q, b->store, &c, &r, url);
    ra_date today = today_utc();
    char ck[4 * RA_CODE_MAX + RA_CYCLE_ID_MAX + 64];
    ck[0] = 0;
    if (r.route == R_ACCOUNT)
        summary_key(b->store, head, &c, &r, today, ck, sizeof ck);
    char *hit = ck[0] ? srv_cache_get(t_self->cache, ck) : NULL;
    if (hit)
        return queue(con, q, 200, "application/json", hit, 0, 0, 0);
    srv_answer a;
    if (r.route == R_STATEMENT) /* a document of any media type */
        return queue_statement(con, q, b->store, &c, &r);
    srv_answer_request(b->store, &c, &r, today, NULL, 0, &a);
    if (!ck[0] || a.status != 200)
        return queue_json(con, q, a.status, a.body, a.problem, 0, 0, 0);
    char *text = json_dumps(a.body, JSON_COMPACT);
    json_decref(a.body);
    if (text)
        srv_cache_put(t_self->cache, ck, text);
    return queue(con, q, 200, "application/json", text, 0, 0, 0);
}

static enum MHD_Result answer(struct MHD_Connection *con, req_ctx *q, const char *url,
                              const char *method)
{
    srv_request r;
    srv_problem p;
    const srv_asset *asset = strcmp(method, "GET") == 0 ? srv_asset_find(url) : NULL;
    if (asset) /* a file of the advisor console */
        return queue_asset(con, q, asset);
    const char *limit = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "limit");
    const char *cursor = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "cursor");
    q->route = R_COUNT;
    if (srv_request_parse(method, url, limit, cursor, &r, &p) != 0 && p.status != 422)
        return queue_problem(con, q, &p, 0, 0);
    q->route = (int)r.route;
    if (r.route == R_OPENAPI)
        return queue(con, q, 200, "application/json", strndup(g_openapi, g_openapi_len), 0, 0,
                     0);
    if (r.route == R_HEALTH) /* a fixed body: also the ceiling of bench/bench_api.sh */
        return queue(con, q, 200, "application/json", strdup("{\"status\":\"ok\"}"), 0, 0, 0);
    if (r.route == R_METRICS)
        return queue(con, q, 200, "text/plain; version=0.0.4", metrics_text(), 0, 0, 0);
    const char *key = NULL;
    size_t klen = 0;
    if (!srv_bearer(MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Authorization"), &key,
                    &klen))
        return problem(con, q, 401, "unauthorised", "send Authorization: Bearer KEY");
    ra_err e = {0};
    ra_book *b = thread_book(&e);
    if (!b)
        return problem(con, q, 503, "unavailable", "the book could not be opened");
    int get = strcmp(method, "POST") != 0;
    /* a GET's reads in one read transaction (one snapshot, one lock): the key's check included */
    if (get && ra_store_read_begin(b->store, &e) != RA_OK)
        return problem(con, q, 503, "busy", "the book could not be read: retry");
    enum MHD_Result res = answer_keyed(con, q, url, method, b, &r, &p, key, klen);
    ra_store_read_end(b->store);
    return res;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)cls;
    (void)version;
    req_ctx *q = *con_cls;
    if (!q) { /* the headers: answer later (see the header comment) */
        q = calloc(1, sizeof *q);
        if (!q)
            return MHD_NO;
        q->t0 = now_s();
        q->route = R_COUNT;
        snprintf(q->method, sizeof q->method, "%s", strlen(method) < 8 ? method : "OTHER");
        atomic_fetch_add(&g_in_flight, 1);
        *con_cls = q;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (q->too_big || q->len + n > SRV_BODY_MAX) {
            q->too_big = 1;
            return MHD_YES;
        }
        if (q->len + n + 1 > q->cap) {
            size_t cap = q->cap ? q->cap : 1024;
            while (cap < q->len + n + 1)
                cap *= 2;
            char *nb = realloc(q->body, cap);
            if (!nb)
                return MHD_NO;
            q->body = nb;
            q->cap = cap;
        }
        memcpy(q->body + q->len, upload_data, n);
        q->len += n;
        q->body[q->len] = 0;
        return MHD_YES;
    }
    return answer(con, q, url, method);
}

/* --- the request log ------------------------------------------------------------------------ */

#define LOG_CAP (64 * 1024)
#define LOG_FLUSH_AT (32 * 1024)
static pthread_mutex_t g_log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_log_cond = PTHREAD_COND_INITIALIZER;
static char g_log[LOG_CAP];
static size_t g_log_len;
static int g_log_stop;

/* with g_log_lock held */
static void log_flush_locked(void)
{
    size_t off = 0;
    while (off < g_log_len) {
        ssize_t w = write(STDERR_FILENO, g_log + off, g_log_len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break; /* stderr closed or full: the lines are dropped, the requests are not */
        off += (size_t)w;
    }
    g_log_len = 0;
}

static void log_append(const char *line, size_t n)
{
    pthread_mutex_lock(&g_log_lock);
    if (g_log_len + n > LOG_CAP)
        log_flush_locked();
    if (n <= LOG_CAP) {
        int was_empty = g_log_len == 0;
        memcpy(g_log + g_log_len, line, n);
        g_log_len += n;
        if (g_log_len >= LOG_FLUSH_AT)
            log_flush_locked();
        else if (was_empty)
            pthread_cond_signal(&g_log_cond); /* the flusher's 200 ms start now */
    }
    pthread_mutex_unlock(&g_log_lock);
}

/* Writes what the buffer holds 200 ms after its first line; returns once g_log_stop is set. */
static void *log_flusher(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_log_lock);
    while (!g_log_stop) {
        if (g_log_len == 0) {
            pthread_cond_wait(&g_log_cond, &g_log_lock);
            continue;
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 200 * 1000 * 1000;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!g_log_stop && pthread_cond_timedwait(&g_log_cond, &g_log_lock, &until) == 0)
            ; /* woken by a new first line or a stop: keep the first line's deadline */
        log_flush_locked();
    }
    log_flush_locked();
    pthread_mutex_unlock(&g_log_lock);
    return NULL;
}

/* One JSON line per request in the log: no personal data (the route's pattern, not the path; the
 * key's public code, never the key). */
static void on_completed(void *cls, struct MHD_Connection *con, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)con;
    req_ctx *q = *con_cls;
    if (!q)
        return;
    double secs = now_s() - q->t0;
    metrics_add(q->route, q->status, secs, q->replay);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char line[512], *p = line, *end = line + sizeof line;
    p = put_s(p, end, "{\"ts\":");
    p = put_milli(p, end, (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    p = put_s(p, end, ",\"method\":\"");
    p = put_s(p, end, q->method);
    p = put_s(p, end, "\",\"route\":\"");
    p = put_s(p, end, q->route < R_COUNT ? srv_routes[q->route].pattern : "-");
    p = put_s(p, end, "\",\"status\":");
    p = put_i(p, end, q->status);
    p = put_s(p, end, ",\"ms\":");
    p = put_milli(p, end, (long long)(secs * 1e6 + 0.5));
    p = put_s(p, end, ",\"bytes\":");
    p = put_i(p, end, (long long)q->bytes);
    p = put_s(p, end, ",\"key\":\"");
    p = put_s(p, end, q->key);
    p = put_s(p, end, "\",\"firm\":\"");
    p = put_s(p, end, q->firm);
    p = put_s(p, end, q->replay ? "\",\"replay\":true" : "\",\"replay\":false");
    p = put_s(p, end, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? ",\"completed\":true}\n"
                                                                 : ",\"completed\":false}\n");
    if (p < end - 1)
        log_append(line, (size_t)(p - line));
    free(q->body);
    free(q);
    *con_cls = NULL;
    atomic_fetch_sub(&g_in_flight, 1);
}

/* --- the command ----------------------------------------------------------------------------- */

static void serve_help(void)
{
    printf("usage: roboadvisor serve [--db URL] [--firm CODE] [--key-file FILE] [--key-dir DIR]\n"
           "                         [--listen 127.0.0.1:8080] [--threads N]\n"
           "                         [--rate R] [--burst B] [--openapi FILE]\n\n"
           "Serves the HTTP JSON API (docs/api.md) on the address given (loopback by default):\n"
           "/v1/... with Authorization: Bearer KEY (roboadvisor keys create), /v1/openapi.json,\n"
           "/metrics. --key-file: the firm's personal-data key (or $ROBOADVISOR_KEY); --key-dir:\n"
           "DIR/FIRM.key for the keys of other firms. --rate/--burst: each API key's token\n"
           "bucket (default 100 requests/s, bursts of 200). --openapi: answer this document at\n"
           "/v1/openapi.json instead of the one built in. SIGTERM stops it gracefully.\n");
}

static int usage(const char *msg, const char *arg)
{
    fprintf(stderr, "roboadvisor serve: %s%s%s%s (see 'roboadvisor serve --help')\n", msg,
            arg ? " \"" : "", arg ? arg : "", arg ? "\"" : "");
    return 2;
}

static int parse_listen(const char *s, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof host)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return -1;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *t = malloc(cap);
    while (t) {
        size_t k = fread(t + len, 1, cap - len - 1, f);
        len += k;
        if (len + 1 < cap)
            break;
        char *nt = realloc(t, cap * 2);
        if (!nt) {
            free(t);
            t = NULL;
            break;
        }
        t = nt;
        cap *= 2;
    }
    fclose(f);
    if (t) {
        t[len] = 0;
        *n = len;
    }
    return t;
}

/* Connections served at once: 4096, within the process's file descriptors. Each connection is a
 * descriptor, so the soft RLIMIT_NOFILE (often 1024) is raised to the hard limit first; what
 * cannot fit leaves room for the books (a database file, its log and shared memory per thread)
 * and the listening socket. A connection over the limit is refused at accept, never an error
 * inside a request. */
static unsigned connection_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 4096;
    if (rl.rlim_cur != RLIM_INFINITY && (rl.rlim_max == RLIM_INFINITY || rl.rlim_cur < rl.rlim_max)) {
        struct rlimit up = rl;
        up.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
        if (up.rlim_cur > rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &up) == 0)
            rl = up;
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= 4096 + 256)
        return 4096;
    return rl.rlim_cur > 512 ? (unsigned)(rl.rlim_cur - 256) : 256;
}

int cmd_serve(int argc, char **argv);
int cmd_serve(int argc, char **argv)
{
    srv_opts o = {0};
    o.listen = "127.0.0.1:8080";
    o.threads = 2;
    o.rate = 100;
    o.burst = 200;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            serve_help();
            return 0;
        }
        if (strncmp(a, "--", 2) != 0)
            return usage("unexpected argument", a);
        if (i + 1 >= argc)
            return usage("this option needs a value:", a);
        const char *v = argv[++i];
        char *end = NULL;
        if (strcmp(a, "--db") == 0) o.db = v;
        else if (strcmp(a, "--firm") == 0) o.firm = v;
        else if (strcmp(a, "--key-file") == 0) o.key_file = v;
        else if (strcmp(a, "--key-dir") == 0) o.key_dir = v;
        else if (strcmp(a, "--listen") == 0) o.listen = v;
        else if (strcmp(a, "--openapi") == 0) o.openapi = v;
        else if (strcmp(a, "--threads") == 0) {
            long t = strtol(v, &end, 10);
            if (*end || t < 1 || t > 64)
                return usage("--threads must be 1 to 64:", v);
            o.threads = (unsigned)t;
        } else if (strcmp(a, "--rate") == 0 || strcmp(a, "--burst") == 0) {
            double d = strtod(v, &end);
            if (*end || !(d > 0) || d > 1e9)
                return usage("--rate and --burst must be positive numbers:", v);
            *(strcmp(a, "--rate") == 0 ? &o.rate : &o.burst) = d;
        } else
            return usage("no option", a);
    }
    if (!o.db)
        o.db = getenv("ROBOADVISOR_DB") && getenv("ROBOADVISOR_DB")[0] ? getenv("ROBOADVISOR_DB")
                                                                       : "roboadvisor.db";
    if (!o.firm)
        o.firm = getenv("ROBOADVISOR_FIRM") && getenv("ROBOADVISOR_FIRM")[0]
                     ? getenv("ROBOADVISOR_FIRM")
                     : "default";
    struct sockaddr_in sa;
    if (parse_listen(o.listen, &sa) != 0)
        return usage("--listen must be IPv4ADDRESS:PORT:", o.listen);
    if (sodium_init() < 0) {
        fprintf(stderr, "roboadvisor serve: could not initialise libsodium\n");
        return 1;
    }
    g_opts = &o;
    if (o.openapi)
        g_openapi = read_file(o.openapi, &g_openapi_len);
    else if ((g_openapi = malloc(srv_openapi_len + 1)) != NULL) {
        memcpy(g_openapi, srv_openapi_json, srv_openapi_len + 1);
        g_openapi_len = srv_openapi_len;
    }
    if (!g_openapi) {
        fprintf(stderr, "roboadvisor serve: %s: could not read the OpenAPI document\n", o.openapi);
        return 1;
    }
    /* the book opens now, so that a wrong URL or key fails here and not at the first request */
    ra_err e = {0};
    ra_book_open_opts bo;
    memset(&bo, 0, sizeof bo);
    bo.url = o.db;
    bo.firm = o.firm;
    bo.key_file = o.key_file;
    bo.key_hex = getenv("ROBOADVISOR_KEY");
    bo.key_hex_name = "ROBOADVISOR_KEY";
    ra_book *probe = NULL;
    if (ra_book_open(&bo, &probe, &e) != RA_OK) {
        fprintf(stderr, "roboadvisor serve: %s%s%s\n", e.where, e.where[0] ? ": " : "", e.msg);
        free(g_openapi);
        return 1;
    }
    ra_book_close(probe);
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL); /* the pool threads inherit the mask */
    signal(SIGPIPE, SIG_IGN);
    unsigned max_conns = connection_limit();
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC, 0, NULL, NULL, on_request,
        NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)o.threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024), MHD_OPTION_CONNECTION_LIMIT,
        max_conns, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_LISTENING_ADDRESS_REUSE,
        (unsigned)1, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "roboadvisor serve: could not listen on %s\n", o.listen);
        free(g_openapi);
        return 1;
    }
    pthread_t flusher;
    int have_flusher = pthread_create(&flusher, NULL, log_flusher, NULL) == 0;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    fprintf(stderr, "{\"event\":\"listening\",\"address\":\"%s\",\"port\":%u,\"threads\":%u,"
            "\"max_connections\":%u}\n", o.listen, info ? info->port : 0u, o.threads, max_conns);
    int sig = 0;
    while (sigwait(&sigs, &sig) != 0)
        ;
    /* stop accepting, let what is in flight finish, then stop */
    MHD_socket ls = MHD_quiesce_daemon(d);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
    for (int i = 0; i < 3000 && atomic_load(&g_in_flight) > 0; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(d);
    pthread_mutex_lock(&g_log_lock);
    g_log_stop = 1;
    pthread_cond_signal(&g_log_cond);
    if (!have_flusher)
        log_flush_locked();
    pthread_mutex_unlock(&g_log_lock);
    if (have_flusher)
        pthread_join(flusher, NULL);
    for (size_t i = 0; i < g_n_threads; i++) {
        ra_book_close(g_threads[i]->book);
        srv_cache_destroy(g_threads[i]->cache);
        free(g_threads[i]);
    }
    g_n_threads = 0;
    free(g_openapi);
    ra_statement_fonts_release(); /* the statements' fonts (srv_routes_statements.c) */
    fprintf(stderr, "{\"event\":\"stopped\",\"signal\":%d}\n", sig);
    return 0;
}
