/* roboadvisor: the book of record on SQLite or PostgreSQL (src/store/; docs/internals/store.md,
 * docs/methodology.md#book-of-record-and-storage).
 *
 * One opaque handle per database connection; not thread-safe (one handle per thread or process).
 * Records are addressed by the firm's codes (book.h); the store maps codes to internal ids.
 *
 * Writes. Every write takes an actor (user and firm) for the audit trail; the firm written to is
 * actor->firm (ra_store_firm_put writes firm->code). Each write call is atomic on its own: outside
 * an explicit transaction it runs in its own database transaction; inside one (ra_store_begin) it
 * runs in a savepoint, so a failed call leaves nothing of itself and the caller decides whether to
 * commit the rest or roll back everything (an import: begin, put every row, commit or rollback).
 * Writes are idempotent: putting a record equal to the stored one changes nothing (and appends no
 * audit record).
 *
 * Personal data (advisor name and email, client name, email, tax id, address) is encrypted with
 * the firm's 32-byte key (XChaCha20-Poly1305, random nonce, firm code + record kind + code + field
 * as associated data). The key is never stored: give it with ra_store_set_firm_key or a key
 * provider. Reading or writing personal data without the key is RA_EINVAL; a wrong key is
 * RA_ECONFLICT ("the key does not match firm F"). Messages never contain personal data.
 *
 * Memory: arrays returned through a pointer (lists, transactions, holdings) are allocated by the store
 * and freed with ra_store_free; snapshots with ra_store_snapshot_destroy. */
#ifndef ROBOADVISOR_STORE_H
#define ROBOADVISOR_STORE_H

#include "book.h"
#include "ledger.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ra_store ra_store;

#define RA_STORE_KEY_BYTES 32          /* a firm's personal-data key */
#define RA_STORE_HASH_HEX 65           /* audit hash as hex + NUL (32 bytes) */
#define RA_STORE_EXTID_MAX RA_CODE_MAX /* external transaction id, bytes incl. NUL */
#define RA_STORE_DATE_LATEST INT32_MAX /* "now": the current state */

/* A clock: the current time in Unix seconds (ctx: ra_store_options.clock_ctx). */
typedef int64_t (*ra_store_clock_fn)(void *ctx);

typedef struct ra_store_options {
    int busy_timeout_ms; /* SQLite: how long a writer waits for another one (default 5000); then
                          * the call fails with RA_ECONFLICT "the database is busy ..." */
    int create;          /* SQLite: create the file if missing (default 1) */
    /* The time of every audit record and created_at column. The library reads no clock of its
     * own: the caller gives one (the CLI gives the wall clock). NULL (the default) stamps every
     * record with 0, a fixed clock for tests and replay. */
    ra_store_clock_fn clock;
    void *clock_ctx;
} ra_store_options;

/* Who makes a change: recorded in the audit trail. */
typedef struct ra_store_actor {
    char user[RA_CODE_MAX];
    char firm[RA_CODE_MAX]; /* the firm whose book is changed */
} ra_store_actor;

RA_API void ra_store_options_default(ra_store_options *o);

/* Opens a database. url: "postgresql://..." or "postgres://..." (libpq connection URI) or
 * anything else as an SQLite file path (":memory:" works for a private database). opts may be
 * NULL. A database whose schema is newer than this binary knows is refused with RA_ECONFLICT
 * ("schema version 7 is newer than this program (5): upgrade roboadvisor"). An empty database opens
 * (version 0); call ra_store_init before writing. A new SQLite file is created readable and
 * writable by its owner only (0600, and so are its -wal and -shm files). The library reads no
 * environment: the CLI takes the URL from --db or ROBOADVISOR_DB. */
RA_API RA_NODISCARD ra_status ra_store_open(const char *url, const ra_store_options *opts,
                                            ra_store **out, ra_err *err);
/* Rolls back an open transaction, closes, wipes the keys from memory. NULL does nothing. */
RA_API void ra_store_close(ra_store *s);
/* "sqlite" or "postgresql". */
RA_API const char *ra_store_backend(const ra_store *s);
/* url if not NULL and not empty, else "roboadvisor.db" (the environment is the caller's: the CLI
 * reads ROBOADVISOR_DB). */
RA_API const char *ra_store_default_url(const char *url);

/* Applies the missing migrations, each in its own transaction (idempotent: nothing to do is OK). */
RA_API RA_NODISCARD ra_status ra_store_init(ra_store *s, ra_err *err);
/* have: the database's schema version (0 if not initialised); want: this binary's. */
RA_API RA_NODISCARD ra_status ra_store_schema_version(ra_store *s, int *have, int *want,
                                                      ra_err *err);

/* Explicit transaction (not nested: begin inside begin is RA_EINVAL). On SQLite it takes the write
 * lock at begin (BEGIN IMMEDIATE), waiting up to busy_timeout_ms. */
RA_API RA_NODISCARD ra_status ra_store_begin(ra_store *s, ra_err *err);
RA_API RA_NODISCARD ra_status ra_store_commit(ra_store *s, ra_err *err);
/* Always leaves no transaction open; RA_OK if there was none. */
RA_API ra_status ra_store_rollback(ra_store *s, ra_err *err);
/* A read transaction: every read until ra_store_read_end sees one snapshot of the book (SQLite
 * takes its read lock once, not once per statement; PostgreSQL: REPEATABLE READ READ ONLY).
 * For a request's reads (the API server): no write may run inside it (a write fails), and it
 * cannot nest in ra_store_begin's transaction nor the other way round (RA_EINVAL). */
RA_API RA_NODISCARD ra_status ra_store_read_begin(ra_store *s, ra_err *err);
/* Ends it (nothing to keep: a rollback); does nothing when none is open. */
RA_API void ra_store_read_end(ra_store *s);
/* A write scope, for work that is atomic on its own yet may run inside the caller's transaction
 * (the engine's onboarding, imports): a transaction of its own (*own = 1) when none is open, else
 * a savepoint in the caller's. Ending it with rc != RA_OK undoes the scope's writes and its audit
 * records; the result is rc, or the commit's error. Scopes nest. */
RA_API RA_NODISCARD ra_status ra_store_scope_begin(ra_store *s, int *own, ra_err *err);
RA_API ra_status ra_store_scope_end(ra_store *s, int own, ra_status rc, ra_err *err);
/* Runs fn(s, actor, ctx, err) in a write scope (scope_begin, then scope_end with its result). */
RA_API ra_status ra_store_scoped(ra_store *s, const ra_store_actor *actor,
                                 ra_status (*fn)(ra_store *s, const ra_store_actor *actor,
                                                 void *ctx, ra_err *err),
                                 void *ctx, ra_err *err);

/* --- keys ----------------------------------------------------------------------------------- */

/* Gives the store the key of a firm (copied; wiped at close). If the firm exists and was created
 * with a key, a different key is RA_ECONFLICT "the key does not match firm F". */
RA_API RA_NODISCARD ra_status ra_store_set_firm_key(ra_store *s, const char *firm,
                                                    const uint8_t key[RA_STORE_KEY_BYTES],
                                                    ra_err *err);
/* Called when a firm's key is needed and was not set: fill key and return RA_OK, or return an
 * error (RA_ENOTFOUND: no key for this firm). The result is cached like ra_store_set_firm_key. */
typedef ra_status (*ra_store_key_fn)(void *ctx, const char *firm,
                                     uint8_t key[RA_STORE_KEY_BYTES], ra_err *err);
RA_API void ra_store_set_key_provider(ra_store *s, ra_store_key_fn fn, void *ctx);
/* A new random key (libsodium's randombytes). */
RA_API RA_NODISCARD ra_status ra_store_key_generate(uint8_t key[RA_STORE_KEY_BYTES], ra_err *err);
/* 64 hex digits (surrounding white space allowed, e.g. a key file's newline) -> key. RA_EPARSE
 * otherwise (the message never quotes the text). ra_store_key_format writes 64 hex digits + NUL. */
RA_API RA_NODISCARD ra_status ra_store_key_parse(const char *hex, size_t len,
                                                 uint8_t key[RA_STORE_KEY_BYTES], ra_err *err);
RA_API char *ra_store_key_format(const uint8_t key[RA_STORE_KEY_BYTES], char buf[65]);

/* --- firms, advisors, households, clients ---------------------------------------------------- */

/* A new firm needs its key set first (it stores a keyed check value, never the key). */
RA_API RA_NODISCARD ra_status ra_store_firm_put(ra_store *s, const ra_store_actor *actor,
                                                const ra_firm *firm, ra_err *err);
RA_API RA_NODISCARD ra_status ra_store_firm_get(ra_store *s, const char *code, ra_firm *out,
                                                ra_err *err);

RA_API RA_NODISCARD ra_status ra_store_advisor_put(ra_store *s, const ra_store_actor *actor,
                                                   const ra_advisor *a, ra_err *err);
RA_API RA_NODISCARD ra_status ra_store_advisor_get(ra_store *s, const char *firm,
                                                   const char *code, ra_advisor *out, ra_err *err);

/* Households have only a code; ra_store_client_put creates a missing one. */
RA_API RA_NODISCARD ra_status ra_store_household_put(ra_store *s, const ra_store_actor *actor,
                                                     const char *code, ra_err *err);

/* Upserts a client. Its household is created if missing; its advisor (if not "") must exist or
 * is created without name and email. */
RA_API RA_NODISCARD ra_status ra_store_client_put(ra_store *s, const ra_store_actor *actor,
                                                  const ra_client *c, ra_err *err);
/* An erased client (ra_store_client_erase) is read with erased 1, its personal-data fields ""
 * and birth year 0; putting it again is RA_ECONFLICT. */
RA_API RA_NODISCARD ra_status ra_store_client_get(ra_store *s, const char *firm, const char *code,
                                                  ra_client *out, ra_err *err);
/* Crypto-shredding (docs/methodology.md#envelope-encryption-and-erasure): destroys the client's
 * data key and the ciphertexts of its row and zeroes its birth year, audited (action "erase",
 * without personal data); accounts, ledger and audit chain stay. *already 1: it was erased
 * before (nothing done). Needs the firm's key. */
RA_API RA_NODISCARD ra_status ra_store_client_erase(ra_store *s, const ra_store_actor *actor,
                                                    const char *code, int *already, ra_err *err);
/* Re-encrypts every client of the actor's firm still under the firm's key (a book older than
 * schema 21) under a data key of its own (one audited update each); *n how many. */
RA_API RA_NODISCARD ra_status ra_store_client_keys_migrate(ra_store *s,
                                                           const ra_store_actor *actor,
                                                           size_t *n, ra_err *err);

/* --- accounts and mandates ------------------------------------------------------------------- */

/* Upserts an account and its mandate. The owner must exist. A new account has no cash and no
 * lots. Once an account has transactions, its client, type and currency cannot change
 * (RA_ECONFLICT); the mandate can (audited as a "mandate" change). */
RA_API RA_NODISCARD ra_status ra_store_account_put(ra_store *s, const ra_store_actor *actor,
                                                   const ra_account *a, ra_err *err);
RA_API RA_NODISCARD ra_status ra_store_account_get(ra_store *s, const char *firm,
                                                   const char *code, ra_account *out, ra_err *err);
/* Codes of the firm's accounts in code order: *out is an array of *n codes (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_account_list(ra_store *s, const char *firm,
                                                    char (**out)[RA_CODE_MAX], size_t *n,
                                                    ra_err *err);
/* Codes of the accounts of the household of account's client (account among them) in code order:
 * the firm's account list filtered to that household, read through the household's clients. */
RA_API RA_NODISCARD ra_status ra_store_household_accounts(ra_store *s, const char *firm,
                                                          const char *account,
                                                          char (**out)[RA_CODE_MAX], size_t *n,
                                                          ra_err *err);
/* The persisted state of an account: initialises *out (caller frees with ra_ledger_free) with its
 * cash, lots (lot.security = the store's security id, see ra_store_security_id), next lot id and
 * totals. */
RA_API RA_NODISCARD ra_status ra_store_account_ledger(ra_store *s, const char *firm,
                                                      const char *code, ra_ledger *out,
                                                      ra_err *err);

/* --- securities ------------------------------------------------------------------------------ */

/* Upserts a security of actor->firm; putting a complete record over an incomplete one completes
 * it. risk_level 1..5 (0 only with incomplete = 1). */
RA_API RA_NODISCARD ra_status ra_store_security_put(ra_store *s, const ra_store_actor *actor,
                                                    const ra_security *sec, ra_err *err);
RA_API RA_NODISCARD ra_status ra_store_security_get(ra_store *s, const char *firm,
                                                    const char *ticker, ra_security *out,
                                                    ra_err *err);
/* The store's id of a security (stable; used as ra_lot.security), RA_ENOTFOUND if none. */
RA_API RA_NODISCARD ra_status ra_store_security_id(ra_store *s, const char *firm,
                                                   const char *ticker, uint32_t *id, ra_err *err);
#define RA_STORE_LIST_INCOMPLETE 1u /* only securities with incomplete = 1 */
/* The firm's securities in ticker order (ra_store_free(*out)). */
RA_API RA_NODISCARD ra_status ra_store_security_list(ra_store *s, const char *firm,
                                                     unsigned flags, ra_security **out, size_t *n,
                                                     ra_err *err);

/* --- prices, dividends, splits --------------------------------------------------------------- */

#define RA_STORE_PUT_REPLACE 1u    /* a different value for an existing date replaces it */
#define RA_STORE_PUT_CREATE_SECURITIES 2u /* an unknown ticker becomes an incomplete security
                                           * (otherwise RA_ENOTFOUND naming it) */

typedef struct ra_store_put_stats {
    size_t inserted;      /* new dates */
    size_t unchanged;     /* same value already stored */
    size_t replaced;      /* different value replaced (only with RA_STORE_PUT_REPLACE) */
    size_t new_securities;/* incomplete securities created; list them with
                           * ra_store_security_list(..., RA_STORE_LIST_INCOMPLETE, ...) */
} ra_store_put_stats;

/* Batches of dated values, any order, atomically. A ticker and date twice in one batch with
 * different values, or a value different from the stored one without RA_STORE_PUT_REPLACE, is
 * RA_ECONFLICT naming ticker and date ("SPY 2020-03-16: price 240.000000 is stored, 241.000000
 * given") and nothing is written. stats may be NULL. Prices > 0, dividends > 0, ratios valid. */
RA_API RA_NODISCARD ra_status ra_store_prices_put(ra_store *s, const ra_store_actor *actor,
                                                  const ra_price_obs *obs, size_t n,
                                                  unsigned flags, ra_store_put_stats *stats,
                                                  ra_err *err);
RA_API RA_NODISCARD ra_status ra_store_dividends_put(ra_store *s, const ra_store_actor *actor,
                                                     const ra_dividend *d, size_t n,
                                                     unsigned flags, ra_store_put_stats *stats,
                                                     ra_err *err);
RA_API RA_NODISCARD ra_status ra_store_splits_put(ra_store *s, const ra_store_actor *actor,
                                                  const ra_split *sp, size_t n, unsigned flags,
                                                  ra_store_put_stats *stats, ra_err *err);
/* The latest price on or before date: *price and the date it is from (*on). RA_ENOTFOUND if
 * none. */
RA_API RA_NODISCARD ra_status ra_store_price_latest(ra_store *s, const char *firm,
                                                    const char *ticker, ra_date date,
                                                    ra_price *price, ra_date *on, ra_err *err);
/* Prices of a ticker with from <= date <= to in date order (ra_store_free both arrays). */
RA_API RA_NODISCARD ra_status ra_store_price_series(ra_store *s, const char *firm,
                                                    const char *ticker, ra_date from, ra_date to,
                                                    ra_date **dates, ra_price **prices, size_t *n,
                                                    ra_err *err);

/* --- transactions ---------------------------------------------------------------------------- */

/* A lot arriving by transfer in. */
typedef struct ra_store_lot_in {
    char ticker[RA_CODE_MAX];
    ra_date acquired;
    ra_micro qty_micro;
    ra_minor basis_minor;
} ra_store_lot_in;

/* A transaction as stored: like ra_txn (ledger.h) with codes instead of indices. */
typedef struct ra_store_txn {
    char account[RA_CODE_MAX];
    char external_id[RA_STORE_EXTID_MAX]; /* the source's id, unique per account; required */
    ra_txn_kind kind;
    ra_date date;
    char ticker[RA_CODE_MAX];        /* buy, sell, dividend, reinvest, split; "" otherwise */
    ra_micro qty_micro;
    ra_price price;
    ra_minor amount_minor;
    ra_minor fees_minor;
    ra_relief relief;
    const ra_lot_pick *picks;        /* sell (specific), transfer out; borrowed */
    size_t n_picks;
    const ra_store_lot_in *lots_in;  /* transfer in; borrowed */
    size_t n_lots_in;
    ra_ratio split;
} ra_store_txn;

/* The ledger form of a stored transaction (ledger.h ra_txn): id and security as given, picks
 * borrowed from t, no lots in (a transfer in sets them). */
RA_API void ra_store_txn_ledger(const ra_store_txn *t, uint64_t id, uint32_t security,
                                ra_txn *out);

typedef struct ra_store_txn_stats {
    size_t applied;   /* new transactions applied */
    size_t unchanged; /* external id already stored with identical content: skipped */
} ra_store_txn_stats;

/* Appends transactions in order, each applied with ra_ledger_apply to its account's persisted
 * lots and cash, which are written back in the same database transaction: all or nothing. An
 * external id already stored for the account is skipped when identical and RA_ECONFLICT when
 * different ("account A1 transaction T9: already stored with different content"). A ledger error
 * (selling more than held, cash going negative, ...) fails the whole batch, err->where naming the
 * account and external id. The accounts and tickers must exist (RA_ENOTFOUND). stats may be NULL. */
RA_API RA_NODISCARD ra_status ra_store_txn_append(ra_store *s, const ra_store_actor *actor,
                                                  const ra_store_txn *txns, size_t n,
                                                  ra_store_txn_stats *stats, ra_err *err);
/* A new account with its opening position, for large loads (the demo book, the benchmarks). */
typedef struct ra_store_opening {
    const ra_account *account;   /* must not exist yet; its client must exist */
    ra_date date;                /* date of the opening transactions */
    ra_minor cash_minor;         /* opening deposit (>= 0; 0: none), external id "open-cash" */
    const ra_store_lot_in *lots; /* opening lots, one transfer in, external id "open-lots" */
    size_t n_lots;
} ra_store_opening;

/* Creates n accounts with their opening transactions, lots and cash in one database transaction
 * (or savepoint), faster than account_put + txn_append: no per-record idempotency lookups, one
 * audit record per account (entity "account", action "open", after = the account and its opening
 * ledger state) appended with the chain head kept in memory. An existing account code, or one given
 * twice, is RA_ECONFLICT; a missing client or ticker RA_ENOTFOUND; negative opening cash
 * RA_EINVAL: in every case nothing of the batch is written. Rows go in by bulk loads (COPY on
 * PostgreSQL), 4096 accounts a round. The result is indistinguishable for check and reads. */
RA_API RA_NODISCARD ra_status ra_store_accounts_open_bulk(ra_store *s, const ra_store_actor *actor,
                                                          const ra_store_opening *v, size_t n,
                                                          ra_err *err);

/* An account's transactions dated on or before as_of (RA_STORE_DATE_LATEST: all), in order, in
 * ledger form (ledger.h: id = the account's sequence number, security = the store's security id
 * as in ra_store_account_ledger), for ra_ledger_replay; *minor_digits: the account's currency's.
 * *out is one block holding the picks and lots in too: ra_store_free(*out). */
RA_API RA_NODISCARD ra_status ra_store_account_txns(ra_store *s, const char *firm,
                                                    const char *code, ra_date as_of,
                                                    ra_txn **out, size_t *n, int *minor_digits,
                                                    ra_err *err);

/* Number of stored transactions of an account. */
RA_API RA_NODISCARD ra_status ra_store_txn_count(ra_store *s, const char *firm,
                                                 const char *account, uint64_t *n, ra_err *err);

/* --- holdings, check (valuation is the engine's: engine_valuation.h) ------------------------- */

/* The book's positions in the custodian layout (book.h ra_position): per account in code order
 * one cash line (ticker "") then one line per security held (quantities of its lots summed), in
 * ticker order. as_of: RA_STORE_DATE_LATEST for the current state, or a date (the account's
 * transactions dated on or before it are replayed). ra_store_free(*out). */
RA_API RA_NODISCARD ra_status ra_store_holdings(ra_store *s, const char *firm, ra_date as_of,
                                                ra_position **out, size_t *n, ra_err *err);

typedef struct ra_store_check_result {
    uint64_t n_accounts;     /* accounts checked */
    uint64_t n_transactions; /* transactions replayed */
} ra_store_check_result;

/* For every account of every firm: replays its transactions and compares with the stored cash,
 * lots, next lot id and totals; then the database's own checks (SQLite: PRAGMA integrity_check and
 * foreign_key_check). RA_ECONFLICT at the first account that does not reconcile, err->where
 * = "account A1 (firm F)", msg the first difference; RA_EIO if the database check fails. result
 * may be NULL. */
RA_API RA_NODISCARD ra_status ra_store_check(ra_store *s, ra_store_check_result *result,
                                             ra_err *err);

/* --- audit trail ----------------------------------------------------------------------------- */

/* The audit trail is one hash chain (docs/methodology.md#book-of-record-and-storage). Each record
 * is hashed with keyed BLAKE2b under its firm's audit key, derived from the firm's key (which is
 * never stored), so that whoever lacks the key cannot rechain edited, inserted, swapped or
 * deleted records; and each record carries the keyed images of the business rows it leaves
 * behind, so that the tables can be proved equal to what the log says. Every write therefore
 * needs its firm's key (ra_store_set_firm_key or a key provider). Records written before schema
 * version 4 keep their unkeyed hashes and carry no images. */

/* Verifies the chain and the state: every record's keyed hash (the key of every firm in the log
 * is needed), the head, and that every row of every audited table equals its last audited image
 * and that no row lacks one. RA_ECONFLICT naming the first bad record (*first_bad its seq; 0 when
 * the chain is intact and a row differs, err->where then naming the table and row: "table
 * accounts, A1 (firm F1)"); RA_OK with *n_records records otherwise. Either pointer may be
 * NULL. */
RA_API RA_NODISCARD ra_status ra_store_audit_verify(ra_store *s, uint64_t *n_records,
                                                    uint64_t *first_bad, ra_err *err);

/* Seals actor->firm's book as it is now: one audit record (entity "book", action "seal") holding
 * the images of every row of every audited table of the firm, so that a book created before
 * schema version 4 (whose older records carry no images) verifies from here on. It attests the
 * current state: check and reconcile the book before sealing. *n_groups (may be NULL): the
 * groups imaged. */
RA_API RA_NODISCARD ra_status ra_store_audit_seal(ra_store *s, const ra_store_actor *actor,
                                                  uint64_t *n_groups, ra_err *err);

/* A signed checkpoint of the chain, for the firm to keep outside the database. */
typedef struct ra_store_checkpoint {
    char firm[RA_CODE_MAX];
    uint64_t seq;                 /* records in the chain when taken */
    char head[RA_STORE_HASH_HEX]; /* hash of record seq (64 zeros when seq = 0) */
    int64_t at;                   /* Unix seconds, the store's clock */
    char mac[RA_STORE_HASH_HEX];  /* keyed BLAKE2b of the above with the firm's audit key */
} ra_store_checkpoint;
#define RA_STORE_CHECKPOINT_MAX 512 /* its text form, bytes incl. NUL */

/* Takes a checkpoint of the current head (verifying nothing: verify first). Needs firm's key. */
RA_API RA_NODISCARD ra_status ra_store_audit_checkpoint(ra_store *s, const char *firm,
                                                        ra_store_checkpoint *out, ra_err *err);
/* ra_store_audit_verify, then proves that nothing at or before the checkpoint was removed or
 * changed: its MAC verifies under the firm's audit key (else RA_ECONFLICT "the checkpoint does
 * not verify"), the chain has at least cp->seq records and record cp->seq has hash cp->head. */
RA_API RA_NODISCARD ra_status ra_store_audit_verify_checkpoint(ra_store *s,
                                                               const ra_store_checkpoint *cp,
                                                               uint64_t *n_records,
                                                               uint64_t *first_bad, ra_err *err);
/* The text form (one JSON object, docs/methodology.md#audit-checkpoints) and its parser:
 * RA_EPARSE naming the member that is missing or malformed. */
RA_API RA_NODISCARD ra_status ra_store_checkpoint_format(const ra_store_checkpoint *cp,
                                                         char buf[RA_STORE_CHECKPOINT_MAX],
                                                         ra_err *err);
RA_API RA_NODISCARD ra_status ra_store_checkpoint_parse(const char *text, size_t len,
                                                        ra_store_checkpoint *out, ra_err *err);

/* --- the engine's snapshot ------------------------------------------------------------------- */

/* All accounts of a firm with their lots, struct-of-arrays. Account i's lots are
 * lot_* [lot_start[i], lot_start[i + 1]). lot_security[j] indexes tickers (0..n_securities). */
typedef struct ra_store_snapshot {
    size_t n_accounts;
    char (*account_code)[RA_CODE_MAX]; /* n_accounts, in code order */
    uint64_t *account_id;              /* the store's ids */
    ra_minor *cash_minor;
    uint8_t *account_type;             /* ra_account_type */
    uint32_t *lot_start;               /* n_accounts + 1 */
    size_t n_lots;
    uint64_t *lot_id;
    uint32_t *lot_security;
    ra_date *lot_acquired;
    ra_micro *lot_qty_micro;
    ra_minor *lot_basis_minor;
    size_t n_securities;
    char (*tickers)[RA_CODE_MAX];      /* the firm's securities in ticker order */
    size_t bytes;                      /* memory held by the snapshot, struct included */
} ra_store_snapshot;

RA_API RA_NODISCARD ra_status ra_store_snapshot_load(ra_store *s, const char *firm,
                                                     ra_store_snapshot **out, ra_err *err);
RA_API void ra_store_snapshot_destroy(ra_store_snapshot *snap);

/* Frees an array returned by the store. NULL does nothing. */
RA_API void ra_store_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
