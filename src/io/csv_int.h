/* CSV record tokenizer shared by the readers in csv.c (not public).
 *
 * One reader walks a byte buffer and returns one record at a time. Fields of a record are
 * (pointer, length) pairs valid until the next call: unquoted fields point into the input, quoted
 * fields into the reader's scratch buffer with "" turned into ". Line numbers count '\n' bytes, also
 * those inside quoted fields, so a record that spans lines still reports where it began. */
#ifndef RA_UTIL_CSV_INT_H
#define RA_UTIL_CSV_INT_H

#include <roboadvisor/alloc.h>
#include <roboadvisor/csv.h>

#include <locale.h>

#define RA_CSV_SHOW_MAX 32  /* bytes of a value quoted in a message before "..." */
#define RA_CSV_SHOW_CAP 200 /* 2 quotes + RA_CSV_SHOW_MAX escaped (4 bytes each) + "..." + NUL */

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


/* ---- helpers of the readers in csv.c and import_csv.c ---- */

/* Writes s as a double-quoted string for a message: control bytes as \xNN, quote and backslash
 * escaped, at most RA_CSV_SHOW_MAX input bytes (then "..."). buf has RA_CSV_SHOW_CAP bytes;
 * returns buf. */
const char *ra_csvtok_show(char *buf, const char *s, size_t len);
/* A number as strtod reads it in the C locale (the caller made the C locale current), the whole
 * trimmed field i (at most max_len bytes, max_len <= RA_CSV_MAX_FIELD, else not a number): no
 * nan, inf, hex or "1,5"; show quotes the field in messages (RA_CSV_SHOW_CAP bytes of buffer).
 * *empty = 1 (and NAN) for an empty field. */
typedef const char *(*ra_csvtok_show_fn)(char *buf, const char *s, size_t len);
ra_status ra_csvtok_number(const csv_reader *r, size_t i, size_t max_len, ra_csvtok_show_fn show,
                           double *out, int *empty, ra_err *err);
/* Why s[0..n), which ra_date_parse refused, is not a date: "no such day" when it has the shape
 * YYYY-MM-DD, else "not an ISO date (YYYY-MM-DD)". */
const char *ra_csvtok_date_problem(const char *s, size_t n);
/* RA_ENOMEM with "could not allocate memory for WHAT". */
ra_status ra_csvtok_nomem(ra_err *err, const char *what);
/* Blank or line end: what ra_csvtok_trim drops. */
static inline int ra_csvtok_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
/* Drops blanks and line ends around a value (a quoted value may hold line ends). */
void ra_csvtok_trim(const char **s, size_t *len);
/* A NUL-terminated copy of s[0..n), or NULL when out of memory. */
char *ra_csvtok_dup(const char *s, size_t n);
/* Frees names[0..n) and names (NULL does nothing). */
void ra_csvtok_free_names(char **names, size_t n);
/* Numbers are read in the C locale whatever the program set: enter switches this thread to it
 * (uselocale), leave restores the program's. A failed newlocale leaves the locale as it is. */
typedef struct ra_csvtok_locale {
    locale_t c, old;
} ra_csvtok_locale;
void ra_csvtok_c_numeric_enter(ra_csvtok_locale *cn);
void ra_csvtok_c_numeric_leave(ra_csvtok_locale *cn);
/* RA_EPARSE when the input is too big for uint32_t line numbers. */
ra_status ra_csvtok_check_size(const char *source, size_t size, ra_err *err);
/* Reads the header row into r->f: RA_EPARSE on an empty file ("empty file: need a header row
 * (LAYOUT)"). */
ra_status ra_csvtok_header_row(csv_reader *r, const char *layout, ra_err *err);
/* Reads the header row into r->f: RA_EPARSE on an empty file or when the first field is a date
 * (the user left the header out and would lose a row). layout describes the expected header. */
ra_status ra_csvtok_header_start(csv_reader *r, const char *layout, ra_err *err);
/* Reads a header of named columns (names[0..n), case-insensitive, blanks trimmed, any order):
 * col[k] the field index of names[k] (-1 absent). RA_EPARSE naming a column that is not one of
 * them ("not part of the FORMAT format"), one that appears twice, or a missing one of the first
 * n_required. layout describes the expected header. */
ra_status ra_csvtok_named_header(csv_reader *r, const char *const *names, int n, int n_required,
                                 const char *format, const char *layout, int *col, ra_err *err);
/* One data row of a file of named columns into x (col[] as ra_csvtok_named_header gave it). */
typedef ra_status ra_csvtok_row_fn(void *ctx, const csv_reader *r, const int *col, void *x,
                                   ra_err *err);
/* Reads a whole file of named columns: the header (ra_csvtok_named_header, its names kept for
 * messages), then each data row (as wide as the header) into a new element of *rows (elem bytes,
 * grown with ra_grow; *n counts the elements filled so far, so that row may look at them through
 * ctx). RA_EPARSE "the file has a header but no WHAT (LAYOUT)" when there is no row. On error the
 * caller frees *rows. */
ra_status ra_csvtok_named_rows(const char *data, size_t size, const char *source,
                               const char *const *names, int n_cols, int n_required,
                               const char *format, const char *layout, const char *what,
                               void **rows, size_t *n, size_t elem, ra_csvtok_row_fn *row,
                               void *ctx, ra_err *err);
/* A data row must have as many fields as the header (want). */
ra_status ra_csvtok_check_width(const csv_reader *r, size_t want, ra_err *err);
/* The current row's date d (field 1) must come after every earlier one, dates[0..n) sorted, lines
 * their source lines: RA_EPARSE naming a repeat or a date out of order. */
ra_status ra_csvtok_check_order(const csv_reader *r, const ra_date *dates, const uint32_t *lines,
                                size_t n, ra_date d, ra_err *err);

#endif
