/* Opening the book of record (include/roboadvisor/engine_book.h): one path from a URL, a key and
 * a firm code to an open store, an actor and the firm, for every command. */
#include <roboadvisor/alloc.h>
#include <roboadvisor/csv.h>
#include <roboadvisor/engine_book.h>
#include <roboadvisor/store_mandate.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ra_status key_file_create(const char *path, uint8_t key[RA_STORE_KEY_BYTES], ra_err *err)
{
    ra_status rc = ra_store_key_generate(key, err);
    if (rc != RA_OK)
        return rc;
    char hex[65];
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return ra_err_set(err, RA_EIO, path, "could not create the key file: %s",
                          strerror(errno));
    ra_store_key_format(key, hex);
    hex[64] = '\n';
    ssize_t w = write(fd, hex, sizeof hex);
    int closed = close(fd);
    memset(hex, 0, sizeof hex);
    if (w != (ssize_t)sizeof hex || closed != 0)
        return ra_err_set(err, RA_EIO, path, "could not write the key file");
    return RA_OK;
}

ra_status ra_book_key_file_read(const char *path, int create, uint8_t key[RA_STORE_KEY_BYTES],
                                int *created, ra_err *err)
{
    if (created)
        *created = 0;
    if (!path)
        return ra_err_set(err, RA_EINVAL, NULL, "no key file named");
    if (create && access(path, F_OK) != 0 && errno == ENOENT) {
        ra_status rc = key_file_create(path, key, err);
        if (rc == RA_OK && created)
            *created = 1;
        return rc;
    }
    char *data = NULL;
    size_t size = 0;
    ra_err e = {0};
    ra_status rc = ra_file_read(path, RA_BOOK_KEY_FILE_MAX, &data, &size, &e);
    if (rc == RA_OK) {
        rc = ra_store_key_parse(data, size, key, &e);
        memset(data, 0, size);
        if (rc != RA_OK)
            ra_err_set(&e, rc, path, "%s", e.msg);
    }
    free(data);
    if (rc != RA_OK && err)
        *err = e;
    return rc;
}

/* The key the options give: 1 with the key, 0 if none, or an error. */
static ra_status options_key(const ra_book_open_opts *o, uint8_t key[RA_STORE_KEY_BYTES],
                             int *have, int *created, ra_err *err)
{
    *have = 0;
    if (o->key_file) {
        ra_status rc = ra_book_key_file_read(o->key_file, o->key_file_create, key, created, err);
        if (rc == RA_OK)
            *have = 1;
        return rc;
    }
    if (o->key_hex && o->key_hex[0]) {
        ra_err e = {0};
        ra_status rc = ra_store_key_parse(o->key_hex, strlen(o->key_hex), key, &e);
        if (rc != RA_OK) {
            ra_err_wrap(&e, "%s", o->key_hex_name ? o->key_hex_name : "the key");
            if (err)
                *err = e;
            return rc;
        }
        *have = 1;
        return RA_OK;
    }
    if (o->key) {
        memcpy(key, o->key, RA_STORE_KEY_BYTES);
        *have = 1;
    }
    return RA_OK;
}

/* The schema: brought up to date for create, else the current version is required. */
static ra_status check_schema(ra_book *b, int create, ra_err *err)
{
    int have = 0, want = 0;
    ra_status rc = ra_store_schema_version(b->store, &have, &want, err);
    if (rc != RA_OK)
        return rc;
    b->schema_before = have;
    b->schema_now = have;
    if (create) {
        if ((rc = ra_store_init(b->store, err)) != RA_OK)
            return rc;
        b->schema_now = want;
        return RA_OK;
    }
    if (have == 0)
        return ra_err_set(err, RA_ENOTFOUND, NULL,
                          "%s has no book yet (run 'roboadvisor init --db %s')", b->url, b->url);
    if (have < want)
        return ra_err_set(err, RA_ECONFLICT, NULL,
                          "the book %s has schema version %d, this program needs %d (run "
                          "'roboadvisor init' to upgrade it)", b->url, have, want);
    return RA_OK;
}

ra_status ra_book_open(const ra_book_open_opts *o, ra_book **out, ra_err *err)
{
    if (!out)
        return ra_err_set(err, RA_EINVAL, NULL, "no place for the book");
    *out = NULL;
    if (!o || !o->url || !o->url[0])
        return ra_err_set(err, RA_EINVAL, NULL, "no database URL given");
    if (!o->firm || !o->firm[0] || strlen(o->firm) >= RA_CODE_MAX)
        return ra_err_set(err, RA_EINVAL, NULL, "a firm code of 1 to %d bytes is required",
                          RA_CODE_MAX - 1);
    ra_book *b = ra_calloc(1, sizeof *b);
    if (!b)
        return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate the book");
    snprintf(b->url, sizeof b->url, "%s", o->url);
    snprintf(b->actor.firm, sizeof b->actor.firm, "%s", o->firm);
    snprintf(b->actor.user, sizeof b->actor.user, "%s",
             o->user && o->user[0] ? o->user : "unknown");
    ra_store_options so;
    ra_store_options_default(&so);
    so.create = o->create;
    if (o->busy_timeout_ms > 0)
        so.busy_timeout_ms = o->busy_timeout_ms;
    so.clock = o->clock;
    so.clock_ctx = o->clock_ctx;
    ra_status rc = ra_store_open(o->url, &so, &b->store, err);
    if (rc != RA_OK) {
        if (o->create)
            ra_err_wrap(err, "could not open the book %s", o->url);
        else
            ra_err_wrap(err, "could not open the book %s (is it created? 'roboadvisor init')",
                        o->url);
        ra_free(b);
        return rc;
    }
    if ((rc = check_schema(b, o->create, err)) != RA_OK)
        goto fail;
    uint8_t key[RA_STORE_KEY_BYTES];
    int have_key = 0;
    rc = options_key(o, key, &have_key, &b->key_created, err);
    if (rc == RA_OK && have_key)
        rc = ra_store_set_firm_key(b->store, o->firm, key, err);
    memset(key, 0, sizeof key);
    if (rc != RA_OK)
        goto fail;
    b->have_key = have_key;
    rc = ra_store_firm_get(b->store, o->firm, &b->firm, err);
    if (rc == RA_OK) {
        b->have_firm = 1;
        /* an upgraded book: the mandates migration 0007 made are recorded in the audit trail
         * the first time the book is opened with the firm's key (store_mandate.h) */
        int written = 0;
        if (have_key && (rc = ra_store_mandate_attest(b->store, &b->actor, &written, err)) != RA_OK)
            goto fail;
    } else if (rc == RA_ENOTFOUND) {
        if (o->need_firm) {
            ra_err_set(err, RA_ENOTFOUND, NULL,
                       "firm \"%s\" does not exist (create it with 'roboadvisor init --firm %s' "
                       "and a key in ROBOADVISOR_KEY or --key-file)", o->firm, o->firm);
            goto fail;
        }
        rc = RA_OK;
        if (err)
            ra_err_clear(err);
    } else {
        goto fail;
    }
    *out = b;
    return RA_OK;
fail:
    ra_book_close(b);
    return rc;
}

void ra_book_close(ra_book *b)
{
    if (!b)
        return;
    ra_store_close(b->store);
    memset(b, 0, sizeof *b);
    ra_free(b);
}
