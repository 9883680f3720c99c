/* roboadvisor: internals of the store shared by the files of src/store and the store tests
 * (docs/internals/store.md). The store is split by entity over one SQL helper file:
 *   store_sql.c        statement cache, binding, stepping, scopes, lookups (sq_*)
 *   store_schema.c     open, close, migrations
 *   store_keys.c       firm keys, personal-data encryption, the audit key
 *   store_audit.c      the JSON writer of audit records and the keyed hash chain
 *   store_parties.c    firms, advisors, households, clients (table-driven put)
 *   store_accounts.c   accounts, mandates, the persisted ledger
 *   store_securities.c the securities master, the batch ticker map
 *   store_market.c     prices, dividends, splits
 *   store_txns.c       transactions
 *   store_check.c      check, holdings
 *   store_snapshot.c   the engine's snapshot
 *   store_bulk.c       bulk opening of accounts
 *   store_blocks.c     block orders, their fills and allocations, FIX executions imported
 *   store_models.c, store_profiles.c: model portfolios, profiles (their own tables)
 * Cross-file helpers are named sq_ (SQL) and rs_ (the rest). */
#ifndef RA_STORE_INT_H
#define RA_STORE_INT_H

#include "roboadvisor/rules.h"
#include "roboadvisor/store.h"
#include "store/db.h"

#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>

/* One embedded migration (generated from src/store/migrations/NNNN_name.sql at build time). The SQL
 * holds placeholders substituted per backend: {ID} (an auto-increment primary key), {BLOB},
 * {REAL}, {WITHOUT_ROWID}. */
typedef struct ra_store_migration {
    int version;
    const char *name;
    const char *sql;
} ra_store_migration;

extern const ra_store_migration ra_store_migrations[]; /* ra_store_n_migrations + a zero entry */
extern const size_t ra_store_n_migrations;

/* For tests only: runs raw SQL (several statements) on the store's connection, outside the audit
 * trail, to simulate tampering. */
ra_status ra_store_exec_raw(ra_store *s, const char *sql, ra_err *err);

/* For the store's other files (store_models.c, ...), which add tables of their own: the store's
 * connection (its driver is ra_store_db(s)->ops), whether an explicit transaction is open, and
 * one record appended to the hash-chained audit trail in the current transaction
 * (docs/methodology.md#book-of-record-and-storage). before and after are JSON text ("null" when
 * there is nothing); personal data only as ciphertext. */
ra_db *ra_store_db(ra_store *s);
int ra_store_in_txn(const ra_store *s);
ra_status ra_store_audit_append(ra_store *s, const ra_store_actor *actor, const char *action,
                                const char *entity, const char *entity_id, const char *before,
                                const char *after, ra_err *err);
/* The store's clock (ra_store_options.clock): Unix seconds for created_at and audit times, 0 when
 * no clock was given. */
int64_t ra_store_now(ra_store *s);

/* For tests only: accounts per round of ra_store_accounts_open_bulk (0: the default, 4096), so
 * that a small batch spans several rounds. */
void ra_store_test_open_chunk(ra_store *s, size_t n);

/* --- the handle ------------------------------------------------------------------------------ */

#define N_STMT_CACHE 256 /* the API server uses well over a hundred statements */
#define RS_STATE_TABLES 62 /* audited tables (store_state.c) */
#define STORE_MAX_SCOPES 16 /* nested write scopes inside one transaction */

typedef struct firm_key {
    char firm[RA_CODE_MAX];
    uint8_t key[RA_STORE_KEY_BYTES];
    uint8_t audit_key[RA_STORE_KEY_BYTES]; /* derived from key (store_keys.c) */
} firm_key;

/* The audit chain's head as this transaction sees it. It is locked and read at the first append
 * of a transaction, kept in memory, and written back once before the commit: appends then cost
 * no head round trip, and PostgreSQL does not build one row version of audit_head per record
 * (which made each update slower than the last in a long transaction). */
typedef struct audit_tip {
    int valid, dirty;
    int64_t seq;
    char hash[65];
} audit_tip;

typedef struct firm_row {
    int64_t id;
    int minor_digits;
    char currency[4];
} firm_row;

/* Look-ups that every per-position price read repeats, each a round trip on PostgreSQL (an
 * account summary made ~25 of them):
 * - the firm row a read transaction looked up (one snapshot: it cannot change before the
 *   transaction ends); emptied at read_begin and read_end;
 * - security ids seen in read transactions, kept for the connection's life: a security is never
 *   deleted nor its id changed, and what a read transaction sees is committed (an id seen in a
 *   write transaction could be rolled back and reused, so those are not kept). Open addressing
 *   on (firm id, ticker); emptied when three quarters full. */
#define RS_SEC_SLOTS 1024
typedef struct read_memo {
    char firm_code[RA_CODE_MAX];
    firm_row firm; /* valid when firm_code[0] */
    size_t n_secs;
    struct {
        int64_t firm_id, id; /* id 0: empty */
        char ticker[RA_CODE_MAX];
    } secs[RS_SEC_SLOTS];
} read_memo;

struct ra_store {
    ra_db *db;
    const ra_db_ops *ops;
    int in_txn; /* explicit transaction open */
    int in_read; /* read transaction open (ra_store_read_begin) */
    read_memo *memo; /* allocated at the first read transaction */
    int schema_version;
    const char *pending_agent_name; /* ra_store_account_put_agent: version 1's agent name */
    const char *pending_reason;     /* and its reason (store_mandate.c) */
    firm_key *keys; /* wiped at close */
    size_t n_keys, cap_keys;
    ra_store_key_fn key_fn;
    void *key_ctx;
    ra_store_clock_fn clock; /* ra_store_options.clock (NULL: 0) */
    void *clock_ctx;
    struct {
        const char *sql;
        ra_db_stmt *st;
    } cache[N_STMT_CACHE];
    size_t n_cache;
    char *state_sql[RS_STATE_TABLES][3]; /* store_state.c's statements, built once */
    size_t open_chunk; /* test hook: accounts per round of the bulk opening (0: OPEN_CHUNK) */
    audit_tip head;    /* the chain head inside the open transaction */
    /* the head as it was at each open savepoint (write scopes nest: a module's scope around the
     * store's own), restored when the savepoint is rolled back */
    audit_tip saved[STORE_MAX_SCOPES];
    int depth;
};

/* --- SQL helpers (store_sql.c) --------------------------------------------------------------- */

ra_status sq_nomem(ra_err *err, const char *what);
/* The status of a failed database call: the code it set in err (RA_EIO when err is NULL). */
ra_status sq_err(const ra_err *err);
/* A prepared statement for sql (a string literal: cached by address), reset and ready. */
ra_db_stmt *sq_prep(ra_store *s, const char *sql, ra_err *err);
void sq_cache_clear(ra_store *s);
/* Binds parameters 1.. from a format: i int64, d double, t text, b blob (ptr, size_t), n null,
 * N int64 or NULL if 0. */
ra_status sq_bind(ra_store *s, ra_db_stmt *st, ra_err *err, const char *fmt, ...);
/* Prepares sql (a literal: cached), binds fmt's parameters (sq_bind) and steps once: RA_DB_ROW
 * (read the row from *st, then reset it), RA_DB_DONE, or -1 with err set. */
int sq_query(ra_store *s, ra_db_stmt **st, ra_err *err, const char *sql, const char *fmt, ...);
/* Prepares sql (a literal: cached), binds fmt's parameters (sq_bind) and calls row for each row
 * until it returns an error; resets the statement. */
typedef ra_status sq_row_fn(void *ctx, ra_store *s, ra_db_stmt *st, ra_err *err);
ra_status sq_each(ra_store *s, ra_err *err, sq_row_fn *row, void *ctx, const char *sql,
                  const char *fmt, ...);
/* Steps a bound INSERT ... RETURNING id once: *id = the new row's id; RA_EINTERNAL "no id
 * returned for WHAT" when there is no row. Resets it. */
ra_status sq_returning_id(ra_store *s, ra_db_stmt *st, const char *what, int64_t *id,
                          ra_err *err);
/* The statistics a batch write fills: stats, or local when stats is NULL; zeroed. */
void *sq_stats(void *stats, void *local, size_t size);
/* Runs a write whose rows and change count are not needed (pipelined on PostgreSQL, db.h). */
ra_status sq_run(ra_store *s, ra_db_stmt *st, ra_err *err);
/* Runs a statement to completion now (for changes()). */
ra_status sq_run_now(ra_store *s, ra_db_stmt *st, ra_err *err);
int64_t sq_int(ra_store *s, ra_db_stmt *st, int c);
const char *sq_text(ra_store *s, ra_db_stmt *st, int c);
void sq_copy(char *dst, size_t cap, const char *src);
ra_status sq_check_str(const char *v, size_t cap, const char *field, int required, ra_err *err);
/* A code (ra_rule_code_check); "" passes unless required. */
ra_status sq_check_code(const char *v, const char *what, int required, ra_err *err);
ra_status sq_need_schema(ra_store *s, ra_err *err);
/* Room for element n of a growing array (doubling from first): the array, perhaps moved, or NULL
 * when out of memory (the old array is then still valid and the caller frees it). ra_realloc. */
void *sq_grow(void *v, size_t n, size_t *cap, size_t elem, size_t first);
/* Steps a bound statement (NULL: sq_prep failed, err set) to its end, one element of *v (elem bytes, room grown from first) per
 * row, filled by row(s, st, element); resets it. *v is ra_malloc'd (NULL when no row); on failure
 * it is freed, *n = 0, and out of memory is reported naming what ("the account list"). */
ra_status sq_rows(ra_store *s, ra_db_stmt *st, void **v, size_t *n, size_t elem, size_t first,
                  const char *what, void (*row)(ra_store *, ra_db_stmt *, void *), ra_err *err);
/* sq_rows' row for a list of codes (char[RA_CODE_MAX] each): column 0. */
void sq_row_code(ra_store *s, ra_db_stmt *st, void *out);
/* A write scope: a transaction of its own, or a savepoint inside the open one (store.h). */
ra_status sq_wbegin(ra_store *s, ra_err *err);
ra_status sq_wend(ra_store *s, ra_status rc, ra_err *err);
void sq_head_forget(ra_store *s);

ra_status sq_check_actor(const ra_store_actor *a, ra_err *err);

ra_status sq_firm(ra_store *s, const char *code, firm_row *f, ra_err *err);
/* Steps a bound statement once: *v = column 0 of its row, dflt if there is none; resets it. */
ra_status sq_one(ra_store *s, ra_db_stmt *st, int64_t dflt, int64_t *v, ra_err *err);
/* One integer (a count) from sql with one int64 parameter (0 if no row). */
ra_status sq_count(ra_store *s, const char *sql, int64_t param, int64_t *v, ra_err *err);
/* The start of a put: the actor checked, then valid (the record's validation, err already set
 * when it failed), the actor's firm looked up and a write scope opened (sq_wend ends it). */
ra_status sq_put_begin(ra_store *s, const ra_store_actor *actor, ra_status valid, firm_row *firm,
                       ra_err *err);
/* A whole put of one record: sq_put_begin, then put(s, actor, firm, rec, &id, err) in the
 * write scope (the id of the record it wrote is not wanted), which sq_wend ends with its result. */
typedef ra_status (*sq_put_fn)(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                               const void *rec, int64_t *id, ra_err *err);
ra_status sq_put(ra_store *s, const ra_store_actor *actor, ra_status valid, sq_put_fn put,
                 const void *rec, ra_err *err);
/* The id of firm's record code from sql (one of SQ_*_ID below): RA_ENOTFOUND "no WHAT CODE in
 * firm FIRM" when there is none. */
ra_status sq_firm_code_id(ra_store *s, const char *firm, const char *sql, const char *code,
                          const char *what, int64_t *id, ra_err *err);
/* The start of every write: the actor checked and the actor's firm looked up. */
ra_status sq_write_start(ra_store *s, const ra_store_actor *actor, firm_row *firm, ra_err *err);
/* The start of a write that nests others (ra_store_txn_append): schema `version` at least (else
 * sq_need_version's error naming `what`), the actor and its firm, then a scope (a transaction of
 * its own, or a savepoint in the caller's); end it with ra_store_scope_end(s, *own, ...). */
ra_status sq_scope_write_begin(ra_store *s, const ra_store_actor *actor, int version,
                               const char *what, firm_row *firm, int *own, ra_err *err);
/* Uncached statements for the files with tables of their own (store_models.c, store_profiles.c):
 * prepared and bound from fmt (i int64, d double with a non-finite value bound as NULL, t text),
 * finalized by the caller or by sq_finish, which runs the statement to its end first. */
ra_db_stmt *sq_vprepare_new(ra_store *s, ra_err *err, const char *sql, const char *fmt,
                            va_list ap);
ra_db_stmt *sq_prepare_new(ra_store *s, ra_err *err, const char *sql, const char *fmt, ...);
ra_status sq_finish(ra_store *s, ra_db_stmt *st, ra_err *err);
/* RA_EINVAL naming what (e.g. "profile") unless the schema has reached version. */
ra_status sq_need_version(ra_store *s, int version, const char *what, ra_err *err);
/* The firm's id (RA_ENOTFOUND "no firm F"); the id of a record (RA_ENOTFOUND "no WHAT CODE"). */
ra_status sq_firm_id(ra_store *s, const char *firm, int64_t *id, ra_err *err);
ra_status sq_id_of(ra_store *s, const char *sql, int64_t firm_id, const char *code,
                   const char *what, int64_t *id, ra_err *err);
/* A batch write, from sq_write_begin to sq_write_end: the actor's firm, whether a write scope
 * was opened, and the statistics the write fills. */
typedef struct sq_writer {
    firm_row firm;
    int opened;
    void *stats; /* the caller's, or local when it passed NULL (sq_stats); zeroed */
    size_t stats_size;
} sq_writer;
/* Zeroes the statistics (sq_stats(stats, local, size)), then sq_write_start and (n > 0 only) a
 * write scope: w->opened says whether one was opened. */
ra_status sq_write_begin(ra_store *s, const ra_store_actor *actor, size_t n, void *stats,
                         void *local, size_t size, sq_writer *w, ra_err *err);
/* Ends the write scope (sq_wend); the statistics are zeroed when the write failed. */
ra_status sq_write_end(ra_store *s, sq_writer *w, ra_status rc, ra_err *err);
/* The id of a firm-scoped record by code from one of the tables below (0 if none). */
ra_status sq_code_id(ra_store *s, const char *sql, int64_t firm_id, const char *code, int64_t *id,
                     ra_err *err);
extern const char SQ_ADVISOR_ID[], SQ_HOUSEHOLD_ID[], SQ_CLIENT_ID[], SQ_ACCOUNT_ID[],
    SQ_SECURITY_ID[];

/* A map from row ids to indices into the caller's arrays: sort it with rs_id_index_sort, look
 * up with rs_id_index_find (UINT32_MAX when absent). */
typedef struct rs_id_index {
    int64_t id;
    uint32_t index;
} rs_id_index;
void rs_id_index_sort(rs_id_index *m, size_t n);
uint32_t rs_id_index_find(const rs_id_index *m, size_t n, int64_t id);

/* --- keys and personal data (store_keys.c) --------------------------------------------------- */

#define RS_NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define RS_TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define RS_ENC_MAX (RS_NONCE_BYTES + RA_PII_MAX + RS_TAG_BYTES)

void rs_hex(const uint8_t *p, size_t n, char *out);
/* The keyed check value stored with a firm: proves a key is the firm's without storing it. */
void rs_key_check(const char *firm, const uint8_t key[RA_STORE_KEY_BYTES], char out[65]);
ra_status rs_get_key(ra_store *s, const char *firm, const uint8_t **key, ra_err *err);
/* The firm's audit key (derived from its key, docs/methodology.md#book-of-record-and-storage). */
ra_status rs_get_audit_key(ra_store *s, const char *firm, const uint8_t **key, ra_err *err);
/* out (RS_ENC_MAX bytes) = nonce || ciphertext+tag; *n its length. */
void rs_encrypt(const uint8_t *key, const char *firm, const char *kind, const char *code,
                const char *field, const char *plain, uint8_t *out, size_t *n);
ra_status rs_decrypt(const uint8_t *key, const char *firm, const char *kind, const char *code,
                     const char *field, const uint8_t *in, size_t n, char *out, ra_err *err);

struct ra_cycle_order;
/* The external id of an order's fills without their count (store_cycle.c): "fill-D-N-". */
void rs_fill_prefix(const struct ra_cycle_order *o, char *out, size_t cap);

/* --- the clients' data keys (store_clientkeys.c) --------------------------------------------- */

/* The migration of the clients' data keys and the proposals' comments (0021_resources.sql). */
#define RS_SCHEMA_CLIENT_KEYS 21
enum { RS_DEK_NONE, RS_DEK_LIVE, RS_DEK_ERASED };
/* A client's data key: RS_DEK_NONE (no key: its fields are under the firm's key), RS_DEK_LIVE
 * (key holds it), RS_DEK_ERASED (crypto-shredded). Wipe it with sodium_memzero after use. */
typedef struct rs_dek {
    int state;
    uint8_t key[RA_STORE_KEY_BYTES];
} rs_dek;
/* The data key of client `code` (row client_id), unwrapped with the firm's key. */
ra_status rs_dek_load(ra_store *s, const uint8_t *fkey, const char *firm, const char *code,
                      int64_t client_id, rs_dek *d, ra_err *err);
/* Stores dek wrapped by the firm's key as the client's data key (no audit record: the caller's
 * record of the client images it). */
ra_status rs_dek_store(ra_store *s, const uint8_t *fkey, const char *firm, const char *code,
                       int64_t client_id, const uint8_t dek[RA_STORE_KEY_BYTES], ra_err *err);
/* The key of the client's fields: d's, the firm's (RS_DEK_NONE), or NULL (erased). */
const uint8_t *rs_dek_key(const rs_dek *d, const uint8_t *fkey);

/* --- audit records (store_audit.c) ------------------------------------------------------------ */

/* The one JSON writer of audit records: compact, members in insertion order. Takes the
 * reference; NULL when v is NULL, marked failed or out of memory. Free with rs_json_free. */
char *rs_json_dump(json_t *v);
void rs_json_free(char *text);
/* Object members; a member that cannot be set (out of memory, v NULL) marks o so that
 * rs_json_dump(o) fails. rs_jset takes the reference to v. */
void rs_jset(json_t *o, const char *k, json_t *v);
void rs_jstr(json_t *o, const char *k, const char *v);
void rs_jint(json_t *o, const char *k, int64_t v);
void rs_jdbl(json_t *o, const char *k, double v);
void rs_jhex(json_t *o, const char *k, const uint8_t *p, size_t n);
/* One member of a record's JSON image, read at offset off of the record: 's' a char array, 'i' an
 * int, 'b' an int written as 0 or 1, 'I' an int64_t, 'd' a double. */
typedef struct rs_jfield {
    const char *name;
    char kind;
    size_t off;
} rs_jfield;
/* A record's JSON image: its n fields in order (rs_jstr, rs_jint, rs_jdbl). */
json_t *rs_json_record(const void *rec, const rs_jfield *f, size_t n);
/* The direct writer of the cycle's hot audit records (store_json.c): the same text as
 * rs_json_dump of the same members, written into one growing buffer. Start from {0}; open the
 * outermost value with k NULL; inside an array k is NULL, inside an object the member's name.
 * Any failure (not UTF-8, a real not finite, out of memory, unbalanced) makes rs_jw_done
 * return NULL; its text is freed with ra_free. */
#define RS_JW_DEPTH 8
typedef struct rs_jw {
    char *b;
    size_t n, cap;
    int failed, depth;
    size_t count[RS_JW_DEPTH];
} rs_jw;
/* n in decimal exactly as "%lld" writes it, into b (at least 21 bytes, NUL-terminated); returns
 * its length. The state images hash this text, so it must never differ. */
size_t rs_i64_text(int64_t n, char *b);
void rs_jw_open(rs_jw *w, const char *k, char brace); /* '{' or '[' */
void rs_jw_close(rs_jw *w, char brace);               /* '}' or ']' */
void rs_jw_str(rs_jw *w, const char *k, const char *v);
void rs_jw_int(rs_jw *w, const char *k, int64_t v);
void rs_jw_dbl(rs_jw *w, const char *k, double v);
void rs_jw_text(rs_jw *w, const char *v); /* a string value alone (no comma, no key) */
/* A record's fields (rs_jfield) as members of the object open in w. */
void rs_jw_members(rs_jw *w, const void *rec, const rs_jfield *f, size_t n);
char *rs_jw_done(rs_jw *w);
/* rs_audit_change for texts from rs_jw_done: before (when has_before) and after NULL are out of
 * memory; takes (frees) both. */
ra_status rs_audit_text(ra_store *s, ra_status rc, const ra_store_actor *actor,
                        const char *action, const char *entity, const char *entity_id,
                        int has_before, char *before, char *after, ra_err *err);
/* An account's ledger as rs_ledger_json writes it, as a member k of w. */
void rs_ledger_jw(rs_jw *w, const char *k, const ra_ledger *l);

/* The chain head for the next append (locked, read once per transaction), and its write-back. */
/* The migration that keys the audit trail (0005_audit_keyed.sql): records before it are unkeyed. */
#define RS_SCHEMA_KEYED 5
/* The migration of risk limits and rules (0011_risk.sql: its tables, the mandates' rules). */
#define RS_SCHEMA_RISK 11
/* The migration of service tiers and behaviour alerts (0017_tiers.sql). */
#define RS_SCHEMA_TIERS 17
/* the mandate's client objectives (0025_client_objectives.sql) */
#define RS_SCHEMA_OBJECTIVES 25
ra_status rs_head_get(ra_store *s, ra_err *err);
ra_status rs_head_flush(ra_store *s, ra_err *err);
/* The hash of one audit record chained from prev_hex: keyed BLAKE2b with key (the firm's audit
 * key; NULL: unkeyed, records before schema 5), over every field and, when state is not NULL
 * (keyed records), the state images. */
void rs_audit_hash(const uint8_t *key, const char *prev_hex, int64_t seq, int64_t at,
                   const char *user, const char *firm, const char *action, const char *entity,
                   const char *entity_id, const char *before, const char *after,
                   const char *state, char out[65]);
/* One group of rows of an audited table (store_state.c): its spec and its key. */
typedef struct rs_group {
    int spec;
    const char *grp;
} rs_group;

/* Appends one record, with the images of the groups its entity leaves behind (store_state.c),
 * or of the n groups given (rs_audit_groups). */
ra_status rs_audit(ra_store *s, const ra_store_actor *a, const char *action, const char *entity,
                   const char *entity_id, const char *before, const char *after, ra_err *err);
ra_status rs_audit_groups(ra_store *s, const ra_store_actor *a, const char *action,
                          const char *entity, const char *entity_id, const char *before,
                          const char *after, const rs_group *g, size_t n, ra_err *err);
/* Ends a change: when rc is RA_OK, appends its audit record with before (NULL: "null") and after
 * written by rs_json_dump. Takes both references and returns the resulting status. */
ra_status rs_audit_change(ra_store *s, ra_status rc, const ra_store_actor *actor,
                          const char *action, const char *entity, const char *entity_id,
                          json_t *before, json_t *after, ra_err *err);

/* --- withdrawal instructions (store_instr.c) ------------------------------------------------ */

/* The withdrawal transactions paying `paid` of account acc's instructions due by `day`, oldest due
 * first ("wd-N-DATE"), into *out (ra_free); *n 0 when paid is 0. RA_ECONFLICT when the
 * instructions owe less than paid. */
ra_status rs_withdrawal_txns(ra_store *s, int64_t acc, const char *account, ra_date day,
                             ra_minor paid, ra_store_txn **out, size_t *n, ra_err *err);

/* --- firm rules (store_firmrules.c) --------------------------------------------------------- */

/* A proposal's firm-rule cuts (proposals.firm_cuts, schema 16): written after its insert; read
 * ("" before schema 16). */
ra_status rs_firm_cuts_put(ra_store *s, int64_t prop_id, const char *cuts, ra_err *err);
ra_status rs_firm_cuts_get(ra_store *s, int64_t prop_id, char *out, size_t cap, ra_err *err);
/* The decisions of an account's day d (account row acc): its proposal and orders, its risk
 * records (store_cycle.c; the monitor's writes reuse it). cache may be NULL. */
struct sec_cache;
struct ra_cycle_account_day;
ra_status rs_day_decisions_put(ra_store *s, const ra_store_actor *actor, int64_t firm_id,
                               struct sec_cache *cache, int64_t acc,
                               const struct ra_cycle_account_day *d, ra_err *err);

/* --- risk limits (store_risk.c) ------------------------------------------------------------- */

/* Writes account acc's crossing of its loss limit on c->date (inside the cycle's write scope of
 * the account's day, store_cycle.c): its open orders cancelled, the suspension and the client's
 * and the advisor's notifications (each at most once a day: a re-run writes nothing new),
 * audited (entity "risk"). */
struct ra_risk_crossing;
ra_status rs_risk_day_put(ra_store *s, const ra_store_actor *actor, int64_t acc,
                          const char *account, const struct ra_risk_crossing *c, ra_err *err);

/* --- lists of records (store_sql.c) --------------------------------------------------------- */

/* A list read row by row (sq_each) into a growing array of `elem`-byte records. */
typedef struct rs_vec {
    void *v;
    size_t n, cap, elem;
} rs_vec;
/* Room for the next record, zeroed: NULL when out of memory. */
void *rs_vec_push(rs_vec *l);
/* The start of a list of the firm's records: *out (a pointer) and *n cleared, schema `version`
 * at least (else sq_need_version's error naming what), the firm looked up into *f. */
ra_status rs_list_begin(ra_store *s, const char *firm, int version, const char *what, void *out,
                        size_t *n, firm_row *f, ra_err *err);
/* The end of a list: the records to the caller (*out, *n), or freed after a failure (rc). */
ra_status rs_list_end(ra_status rc, rs_vec *l, void *out, size_t *n);

/* --- service tiers and behaviour alerts (store_tiers.c) ------------------------------------ */

/* Writes what the cycle found for account acc after its close (inside the cycle's write scope of
 * the account's day, store_cycle.c): its drawdown's peak, the alerts raised and closed, and its
 * client's tier move (audited, entity "tier"), each keyed by the day. */
struct ra_tiers_day;
ra_status rs_tiers_day_put(ra_store *s, const ra_store_actor *actor, int64_t acc,
                           const struct ra_tiers_day *t, ra_err *err);

/* An account's proposals of days before `day` still pending or waiting for the client's
 * confirmation lapse (store_cycle.c), each audited (action lapse): replaced by the proposal of
 * `day` (why NULL), or for the reason why (a suspension). */
ra_status rs_proposals_lapse(ra_store *s, const ra_store_actor *actor, int64_t acc, ra_date day,
                             const char *why, ra_err *err);

/* --- block orders (store_blocks.c) ------------------------------------------------------------ */
/* For a rewind of day `day` (ra_store_cycle_rewind): the firm's blocks of that day and later, their
 * fills and allocations, and the executions imported dated then or later, removed (nothing on a
 * schema before 0012). */
ra_status rs_blocks_rewind(ra_store *s, int64_t firm_id, ra_date day, ra_err *err);
/* --- state images (store_state.c) ------------------------------------------------------------ */

int rs_state_spec(const char *table); /* -1 if not audited */
void rs_state_free(ra_store *s);
/* The groups an entity's record images (at most RS_ENTITY_TABLES), each keyed by entity_id. */
#define RS_ENTITY_TABLES 6 /* the most tables one audited entity images (store_state.c) */
size_t rs_state_groups(const char *entity, const char *entity_id, rs_group *out);
void rs_state_empty_image(const uint8_t *key, int spec, char out[65]);
ra_status rs_state_image(ra_store *s, const char *firm, const uint8_t *key, int spec,
                         const char *grp, char out[65], ra_err *err);
/* The state lines of n groups (ra_malloc'd; NULL with err set). */
char *rs_state_text(ra_store *s, const char *firm, const uint8_t *key, const rs_group *g,
                    size_t n, ra_err *err);
/* The state lines of every group of every audited table of the firm as it is now (the seal);
 * *n the number of groups. ra_malloc'd; NULL with err set. */
char *rs_state_all(ra_store *s, const char *firm, const uint8_t *key, size_t *n, ra_err *err);
/* The images of every group of one table of the firm (as rs_state_all). */
char *rs_state_table(ra_store *s, const char *firm, const uint8_t *key, const char *table,
                     size_t *n, ra_err *err);
/* Appends one record with the state text given (the chain head already read: rs_head_get). */
ra_status rs_audit_append_state(ra_store *s, const ra_store_actor *a, const uint8_t *key,
                                const char *action, const char *entity, const char *entity_id,
                                const char *before, const char *after, const char *state,
                                ra_err *err);

/* --- the mandate's versions (store_mandate.c) ------------------------------------------------ */

struct ra_mandate_version;
/* The version (0: the latest) of the account's mandate; *found 0 when there is none. */
ra_status rs_mandate_load(ra_store *s, int64_t account_id, int64_t version,
                          struct ra_mandate_version *out, int *found, ra_err *err);
/* Inserts version `version` of the account and, from version 2 on, writes the account's columns
 * model .. restrictions with it. No audit record. */
ra_status rs_mandate_insert(ra_store *s, const ra_store_actor *actor, int64_t account_id,
                            int64_t version, const ra_mandate *m, const char *name,
                            ra_date effective, const char *reason, ra_err *err);
/* A new version when m, name (NULL: keep) or effective differ from the current one (*version:
 * the new or current number); with audit, its record (entity "mandate"). */
ra_status rs_mandate_change(ra_store *s, const ra_store_actor *actor, int64_t account_id,
                            const char *account, const ra_mandate *m, const char *name,
                            ra_date effective, const char *reason, int audit, int64_t *version,
                            ra_err *err);
struct ra_cycle_order;
/* The lots a fill of qty of sale order o relieves (store_mandate.c): sets t's relief, picks and
 * n_picks; *picks is ra_malloc'd (free it after the append). */
ra_status rs_fill_relief(ra_store *s, int64_t firm_id, const struct ra_cycle_order *o,
                         ra_micro qty, ra_price price, ra_date date, ra_store_txn *t,
                         ra_lot_pick **picks, ra_err *err);
/* ra_store_init up to migration `upto` only (tests of an upgrade from an older schema). */
ra_status rs_store_init_to(ra_store *s, int32_t upto, ra_err *err);
/* The agents' parameters merged into the versions 1 of migration 0007 (store_schema.c). */
ra_status rs_mandate_migrate(ra_store *s, ra_err *err);
/* The bulk opening's round: appends the accounts, lots and txns images of every account of the
 * temporary table ra_open to state[index[j]] (codes[j] sorted, with their indices). */
ra_status rs_state_round(ra_store *s, const char *firm, const uint8_t *key,
                         const char *const *codes, const size_t *index, size_t m, char **state,
                         size_t *cap, ra_err *err);
typedef struct rs_state_map rs_state_map;
rs_state_map *rs_state_map_create(void);
void rs_state_map_destroy(rs_state_map *m);
ra_status rs_state_map_add(rs_state_map *m, const char *firm, const char *state, int64_t seq,
                           ra_err *err);
/* Every group of every audited table of the firms against the map (keys[i] NULL: none). */
ra_status rs_state_verify(ra_store *s, rs_state_map *m, const char *const *firms,
                          const uint8_t *const *keys, size_t n_firms, ra_err *err);

/* --- parties, accounts, securities shared with the other files -------------------------------- */

ra_status rs_validate_account(const ra_account *a, ra_err *err);
json_t *rs_account_json(const ra_account *a);
/* An advisor created without name and email (for a client naming a missing advisor). */
ra_status rs_advisor_ensure(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                           const uint8_t *key, const char *code, ra_err *err);
ra_status rs_ledger_load(ra_store *s, int64_t account_id, ra_ledger *l, int64_t *n_txns,
                         ra_err *err);
ra_status rs_ledger_save(ra_store *s, int64_t account_id, const ra_ledger *l, ra_err *err);
json_t *rs_ledger_json(const ra_ledger *l);
/* Upserts a security and audits the change (entity "security"). */
/* (An sq_put_fn: rec is the ra_security.) */
ra_status rs_security_put_in(ra_store *s, const ra_store_actor *actor, const firm_row *firm,
                             const void *rec, int64_t *id, ra_err *err);

/* A ticker -> security id map for one batch (open addressing). */
typedef struct rs_tslot {
    char ticker[RA_CODE_MAX];
    int64_t id;
    int used;
} rs_tslot;
typedef struct rs_tmap {
    rs_tslot *slots;
    size_t cap, n;
} rs_tmap;

rs_tslot *rs_tmap_find(rs_tmap *m, const char *t);
int rs_tmap_put(rs_tmap *m, const char *t, int64_t id);
/* The id of a ticker of the firm, through the batch's map; with create, a missing ticker becomes
 * an incomplete security. *id 0: not found. */
ra_status rs_ticker_id(ra_store *s, const ra_store_actor *actor, rs_tmap *m,
                       const firm_row *firm, const char *ticker,
                       int create, size_t *n_created, int64_t *id, ra_err *err);
/* The ticker of a security id (for messages). */
void rs_ticker_of(ra_store *s, int64_t id, char *out);

/* Transactions (store_txns.c): picks and lots in as the canonical text stored with a transaction
 * (malloc'd with ra_malloc; NULL if out of memory). */
char *rs_txn_detail(const ra_store_txn *t, const int64_t *lot_sec);

/* An account's transactions in order, as ledger transactions (ids = seq), dated on or before
 * as_of. Free with rs_txns_free. */
typedef struct rs_txn_mem {
    ra_lot_pick *picks;
    ra_lot *lots;
} rs_txn_mem;
typedef struct rs_txn_list {
    ra_txn *t;
    rs_txn_mem *m;
    size_t n;
} rs_txn_list;
ra_status rs_txns_load(ra_store *s, int64_t account_id, ra_date as_of, rs_txn_list *out,
                       ra_err *err);
void rs_txns_free(rs_txn_list *l);

#endif
