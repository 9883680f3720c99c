/* CSV record tokenizer shared by the readers in csv.c (not public).
 *
 * One reader walks a byte buffer and returns one record at a time. Fields of a record are
 * (pointer, length) pairs valid until the next call: unquoted fields point into the input, quoted
 * fields into the reader's scratch buffer with "" turned into ". Line numbers count '\n' bytes, also
 * those inside quoted fields, so a record that spans lines still reports where it began. */
#ifndef RA_UTIL_CSV_INT_H
#define RA_UTIL_CSV_INT_H

#include <roboadvisor/csv.h>

typedef struct csv_field {
    const char *s; /* not NUL-terminated */
    size_t len;
    size_t off;    /* offset into scratch while the record is being read (quoted fields) */
    uint32_t line; /* line where the field begins */
    int quoted;
} csv_field;

typedef struct csv_reader {
    const char *data;
    size_t size, pos;
    const char *source;      /* name used in messages */
    uint32_t line;           /* line of data[pos] */
    uint32_t rec_line;       /* line where the record last returned began */
    csv_field *f;            /* fields of the current record */
    size_t nf, capf;
    char *scratch;           /* unescaped text of quoted fields */
    size_t slen, scap;
    char *const *names;      /* header names for messages (borrowed, may be NULL) */
    size_t n_names;
} csv_reader;

/* Prepares r over data (size bytes); skips a UTF-8 byte-order mark. Never fails. */
void ra_csvtok_init(csv_reader *r, const char *data, size_t size, const char *source);
void ra_csvtok_free(csv_reader *r);
/* Reads the next record. *eof = 1 when only blank lines (or nothing) remain. RA_EPARSE on a
 * syntax error (unterminated quote, blank line in the middle, stray quote or CR, NUL byte, field
 * or column limit), RA_ENOMEM if the field array cannot grow. */
ra_status ra_csvtok_next(csv_reader *r, int *eof, ra_err *err);
/* Sets err to RA_EPARSE (or code) with where = "SOURCE:LINE:COL (NAME)"; NAME is the header name
 * of column col when known. Returns code. */
ra_status ra_csvtok_error(const csv_reader *r, ra_status code, uint32_t line, size_t col, ra_err *err,
                    const char *fmt, ...) RA_PRINTF(6, 7);

#endif
