/* roboadvisor: opening the book of record (engine layer; src/engine/book.c). One way for every
 * command and every program to open a store: the same URL handling, the same key rules, the same
 * schema check and the same acting user.
 *
 * The library reads no environment variable: the caller (the CLI) resolves --db/ROBOADVISOR_DB,
 * --firm/ROBOADVISOR_FIRM, --key-file/ROBOADVISOR_KEY and ROBOADVISOR_USER and passes the
 * values here. The key is never stored in the database (store.h). */
#ifndef ROBOADVISOR_ENGINE_BOOK_H
#define ROBOADVISOR_ENGINE_BOOK_H

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_BOOK_KEY_FILE_MAX 4096 /* bytes of a key file read at most */

typedef struct ra_book_open_opts {
    const char *url;        /* SQLite path or postgresql://...; required */
    const char *firm;       /* the firm acted for; required */
    const char *user;       /* the acting user recorded in the audit trail; NULL: "unknown" */
    /* The firm's personal-data key, first of these that is given (or none):
     *   key_file:  a file holding 64 hex digits (white space around allowed);
     *   key_hex:   64 hex digits as text (e.g. an environment variable's value), named
     *              key_hex_name in messages (never quoted);
     *   key:       32 raw bytes. */
    const char *key_file;
    int key_file_create;    /* 1: a missing key_file is created with a new random key, mode
                             * 0600 (ra_book.key_created tells) */
    const char *key_hex;
    const char *key_hex_name;
    const uint8_t *key;
    int create;             /* 1: create a missing SQLite file and apply the missing migrations
                             * (init); 0: the book must exist with the current schema */
    int need_firm;          /* 1: the firm must exist (RA_ENOTFOUND otherwise) */
    int busy_timeout_ms;    /* 0: the store's default */
    ra_store_clock_fn clock;/* the store's clock (ra_store_options.clock); NULL: a fixed 0 */
    void *clock_ctx;
} ra_book_open_opts;

/* An open book: the store handle, the actor and the firm. Library-allocated by ra_book_open,
 * closed with ra_book_close. The fields are read-only for the caller; store may be used with
 * every store.h / engine call. */
typedef struct ra_book {
    ra_store *store;
    ra_store_actor actor;    /* firm = opts->firm, user = opts->user */
    ra_firm firm;            /* valid when have_firm */
    int have_firm;
    int have_key;            /* a key was given and accepted for the firm */
    int key_created;         /* opts->key_file was created with a new key */
    int schema_before;       /* the schema version found on opening (0: empty database) */
    int schema_now;          /* the schema version after opening (this program's when create) */
    char url[1024];          /* the URL opened (truncated if longer) */
} ra_book;

/* Opens the book: the store at o->url (created only with o->create), the schema check (create:
 * missing migrations applied; otherwise an empty database is RA_ENOTFOUND "URL has no book yet
 * (run 'roboadvisor init --db URL')" and an older schema RA_ECONFLICT "the book URL has schema
 * version 3, this program needs 5 (run 'roboadvisor init' to upgrade it)"), the key (a wrong key
 * is RA_ECONFLICT, a malformed one RA_EPARSE naming the file or key_hex_name, never its text),
 * then the firm (o->need_firm: RA_ENOTFOUND "firm F does not exist (...)"). On error *out is
 * NULL and nothing is open. */
RA_API RA_NODISCARD ra_status ra_book_open(const ra_book_open_opts *o, ra_book **out,
                                           ra_err *err);
/* Closes the store (rolling back an open transaction) and wipes the keys. NULL does nothing. */
RA_API void ra_book_close(ra_book *b);

/* Reads a key file (64 hex digits) into key. create: a missing file is created (mode 0600, O_EXCL)
 * with a new random key and *created = 1. RA_EIO / RA_EPARSE with err->where = path; the message
 * never quotes the file's text. created may be NULL. */
RA_API RA_NODISCARD ra_status ra_book_key_file_read(const char *path, int create,
                                                    uint8_t key[RA_STORE_KEY_BYTES], int *created,
                                                    ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
