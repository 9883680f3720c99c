/* Readers for the CSV files users give us: include/roboadvisor/csv.h, docs/formats.md.
 *
 * One tokenizer (ra_csvtok_*) turns bytes into records; the four readers check each record against
 * their layout and build the result in growing arrays that are freed on every error, so nothing is
 * half-built. Everything is linear in the input: names are checked for repeats with a hash set and
 * dates for repeats with a binary search over the (sorted) dates read so far.
 *
 * Longer than 1,200 lines: the tokenizer (also used by import_csv.c, models_csv.c, plan_glide.c
 * and market.c) and the four readers built on it; the tokenizer could move to a file of its own
 * (csv_tok.c) when one of them next grows. */
#include "csv_int.h"

#include <roboadvisor/hashtab.h>

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define WHERE_SOURCE_MAX 60 /* longer source names keep their last part in err->where */
#define WHERE_NAME_MAX 32  /* longer column names are cut in err->where */
#define LIST_MAX 120       /* bytes of column names listed when a selected name is missing */

/* ---- message helpers ------------------------------------------------------------------------ */

const char *ra_csvtok_show(char *buf, const char *s, size_t len)
{
    size_t o = 0, n = len > RA_CSV_SHOW_MAX ? RA_CSV_SHOW_MAX : len;
    /* do not cut a UTF-8 sequence in the middle */
    while (n < len && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    buf[o++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F) {
            o += (size_t)snprintf(buf + o, RA_CSV_SHOW_CAP - o, "\\x%02X", c);
        } else if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else {
            buf[o++] = (char)c;
        }
    }
    if (n < len) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

/* "SOURCE:LINE:COL (NAME)"; line 0 leaves out line and column, an empty name the parentheses. */
static void fmt_where(char *buf, size_t cap, const char *source, uint32_t line, size_t col,
                      const char *name)
{
    if (!source)
        source = "input";
    size_t sl = strlen(source);
    const char *dots = "";
    if (sl > WHERE_SOURCE_MAX) {
        source += sl - (WHERE_SOURCE_MAX - 3);
        dots = "...";
    }
    char nm[WHERE_NAME_MAX * 4 + 8];
    size_t o = 0;
    if (name) {
        size_t nl = strlen(name), n = nl > WHERE_NAME_MAX ? WHERE_NAME_MAX : nl;
        while (n < nl && n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80)
            n--;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)name[i];
            nm[o++] = (c < 0x20 || c == 0x7F) ? '?' : (char)c;
        }
        if (n < nl) {
            memcpy(nm + o, "...", 3);
            o += 3;
        }
    }
    nm[o] = '\0';
    if (line == 0)
        snprintf(buf, cap, "%s%s", dots, source);
    else if (o == 0)
        snprintf(buf, cap, "%s%s:%u:%zu", dots, source, (unsigned)line, col);
    else
        snprintf(buf, cap, "%s%s:%u:%zu (%s)", dots, source, (unsigned)line, col, nm);
}

static ra_status verr_at(ra_err *err, ra_status code, const char *source, uint32_t line,
                         size_t col, const char *name, const char *fmt, va_list ap)
    RA_PRINTF(7, 0);
static ra_status verr_at(ra_err *err, ra_status code, const char *source, uint32_t line,
                         size_t col, const char *name, const char *fmt, va_list ap)
{
    if (!err)
        return code;
    char where[sizeof err->where];
    fmt_where(where, sizeof where, source, line, col, name);
    return ra_err_setv(err, code, where, fmt, ap);
}

static ra_status err_at(ra_err *err, ra_status code, const char *source, uint32_t line, size_t col,
                        const char *name, const char *fmt, ...) RA_PRINTF(7, 8);
static ra_status err_at(ra_err *err, ra_status code, const char *source, uint32_t line, size_t col,
                        const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ra_status rc = verr_at(err, code, source, line, col, name, fmt, ap);
    va_end(ap);
    return rc;
}

ra_status ra_csvtok_error(const csv_reader *r, ra_status code, uint32_t line, size_t col,
                          ra_err *err, const char *fmt, ...)
{
    const char *name = (r->names && col >= 1 && col <= r->n_names) ? r->names[col - 1] : NULL;
    va_list ap;
    va_start(ap, fmt);
    ra_status rc = verr_at(err, code, r->source, line, col, name, fmt, ap);
    va_end(ap);
    return rc;
}

ra_status ra_csvtok_nomem(ra_err *err, const char *what)
{
    return ra_err_set(err, RA_ENOMEM, NULL, "could not allocate memory for %s", what);
}

/* ---- tokenizer ------------------------------------------------------------------------------ */

void ra_csvtok_init(csv_reader *r, const char *data, size_t size, const char *source)
{
    memset(r, 0, sizeof *r);
    r->data = data;
    r->size = data ? size : 0;
    r->source = source ? source : "input";
    r->line = 1;
    if (r->size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;
}

void ra_csvtok_free(csv_reader *r)
{
    RA_FREE_ALL(r->f, r->scratch);
    r->f = NULL;
    r->scratch = NULL;
}

static int is_blank_byte(char c) { return c == ' ' || c == '\t'; }

static int only_blank_lines(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_blank_byte(p[i]) && p[i] != '\r' && p[i] != '\n')
            return 0;
    return 1;
}

static ra_status scratch_put(csv_reader *r, char c, ra_err *err)
{
    if (ra_grow((void **)&r->scratch, &r->scap, r->slen + 1, 1))
        return ra_csvtok_nomem(err, "a quoted field");
    r->scratch[r->slen++] = c;
    return RA_OK;
}

/* Bytes that end an unquoted field or need a closer look. */
static const unsigned char stop_byte[256] = {[','] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 1, [0] = 1};

ra_status ra_csvtok_next(csv_reader *r, int *eof, ra_err *err)
{
    const char *d = r->data;
    const size_t size = r->size;
    *eof = 0;
    r->nf = 0;
    r->slen = 0;
    if (r->pos >= size || only_blank_lines(d + r->pos, size - r->pos)) {
        r->pos = size;
        *eof = 1;
        return RA_OK;
    }
    r->rec_line = r->line;
    for (;;) {
        size_t col = r->nf + 1;
        if (r->nf == RA_CSV_MAX_COLS)
            return ra_csvtok_error(r, RA_EPARSE, r->line, col, err,
                                   "row has more than %d fields (the limit)", RA_CSV_MAX_COLS);
        if (ra_grow((void **)&r->f, &r->capf, r->nf + 1, sizeof *r->f))
            return ra_csvtok_nomem(err, "the fields of a row");
        csv_field *f = &r->f[r->nf];
        f->line = r->line;
        if (r->pos < size && d[r->pos] == '"') {
            uint32_t open_line = r->line;
            size_t start = r->slen;
            r->pos++;
            for (;;) {
                if (r->pos >= size)
                    return ra_csvtok_error(r, RA_EPARSE, open_line, col, err,
                                           "quote opened here is never closed");
                char c = d[r->pos];
                if (c == '"') {
                    if (r->pos + 1 < size && d[r->pos + 1] == '"') {
                        r->pos += 2;
                    } else {
                        r->pos++;
                        break;
                    }
                } else {
                    if (c == '\0')
                        return ra_csvtok_error(r, RA_EPARSE, r->line, col, err,
                                               "NUL byte inside a field");
                    if (c == '\n')
                        r->line++;
                    r->pos++;
                }
                if (r->slen - start >= RA_CSV_MAX_FIELD)
                    return ra_csvtok_error(r, RA_EPARSE, open_line, col, err,
                                           "field longer than %d bytes (the limit)",
                                           RA_CSV_MAX_FIELD);
                ra_status st = scratch_put(r, c, err);
                if (st != RA_OK)
                    return st;
            }
            f->quoted = 1;
            f->off = start;
            f->len = r->slen - start;
            f->s = NULL;
            if (r->pos < size && d[r->pos] != ',' && d[r->pos] != '\n' &&
                !(d[r->pos] == '\r' && r->pos + 1 < size && d[r->pos + 1] == '\n')) {
                char vb[RA_CSV_SHOW_CAP];
                return ra_csvtok_error(r, RA_EPARSE, r->line, col, err,
                                       "text after the closing quote: %s (quote the whole field)",
                                       ra_csvtok_show(vb, d + r->pos, 1));
            }
        } else {
            size_t start = r->pos;
            while (r->pos < size && !stop_byte[(unsigned char)d[r->pos]])
                r->pos++;
            if (r->pos < size) {
                char c = d[r->pos];
                if (c == '"')
                    return ra_csvtok_error(r, RA_EPARSE, r->line, col, err,
                                           "quote inside an unquoted field (quote the whole "
                                           "field and write a quote as \"\")");
                if (c == '\0')
                    return ra_csvtok_error(r, RA_EPARSE, r->line, col, err,
                                           "NUL byte inside a field");
                if (c == '\r' && !(r->pos + 1 < size && d[r->pos + 1] == '\n'))
                    return ra_csvtok_error(r, RA_EPARSE, r->line, col, err,
                                           "carriage return not followed by a line feed (lines "
                                           "must end with LF or CRLF)");
            }
            f->quoted = 0;
            f->s = d + start;
            f->len = r->pos - start;
            if (f->len > RA_CSV_MAX_FIELD)
                return ra_csvtok_error(r, RA_EPARSE, r->line, col, err,
                                       "field longer than %d bytes (the limit)", RA_CSV_MAX_FIELD);
        }
        r->nf++;
        /* the byte after the field: ',' '\n' "\r\n" or the end */
        if (r->pos >= size)
            break;
        if (d[r->pos] == ',') {
            r->pos++;
            continue;
        }
        r->pos += d[r->pos] == '\r' ? 2 : 1;
        r->line++;
        break;
    }
    for (size_t i = 0; i < r->nf; i++)
        if (r->f[i].quoted)
            r->f[i].s = r->scratch ? r->scratch + r->f[i].off : ""; /* "" before any text */
    if (r->nf == 1 && !r->f[0].quoted) {
        size_t i = 0;
        while (i < r->f[0].len && is_blank_byte(r->f[0].s[i]))
            i++;
        if (i == r->f[0].len)
            return ra_csvtok_error(r, RA_EPARSE, r->rec_line, 1, err,
                                   "blank line (blank lines are allowed only at the end)");
    }
    return RA_OK;
}

/* ---- field helpers -------------------------------------------------------------------------- */

void ra_csvtok_trim(const char **s, size_t *len)
{
    const char *p = *s;
    size_t n = *len;
    while (n > 0 && ra_csvtok_is_space(p[0])) {
        p++;
        n--;
    }
    while (n > 0 && ra_csvtok_is_space(p[n - 1]))
        n--;
    *s = p;
    *len = n;
}

char *ra_csvtok_dup(const char *s, size_t n)
{
    char *p = ra_malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* Exact powers of ten representable in a double (10^22 < 2^53 * 2^22 is the largest). */
static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Clinger's fast path (W. D. Clinger, "How to read floating point numbers accurately", PLDI
 * 1990): a decimal m * 10^e with m <= 2^53 and |e| <= 22 is one correctly rounded IEEE multiply
 * or divide of two exact doubles, so it equals what strtod returns. Returns 0 (leaving the work to
 * strtod) for anything else, including every malformed number. Most prices take this path,
 * which makes the big files about twice as fast to read. */
static int fast_decimal(const char *s, size_t n, double *out)
{
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    uint64_t m = 0;
    int digits = 0, any = 0, exp10 = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, any = 1) {
        if (m == 0 && s[i] == '0')
            continue;
        if (++digits > 19)
            return 0;
        m = m * 10 + (uint64_t)(s[i] - '0');
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, any = 1) {
            exp10--;
            if (m == 0 && s[i] == '0')
                continue;
            if (++digits > 19)
                return 0;
            m = m * 10 + (uint64_t)(s[i] - '0');
        }
    }
    if (!any)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0, e = 0, edig = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, edig = 1)
            if (e < 10000)
                e = e * 10 + (s[i] - '0');
        if (!edig)
            return 0;
        exp10 += eneg ? -e : e;
    }
    if (i != n || m > ((uint64_t)1 << 53))
        return 0;
    double v = (double)m;
    if (m == 0)
        v = 0.0;
    else if (exp10 < 0 && exp10 >= -22)
        v /= pow10_exact[-exp10];
    else if (exp10 >= 0 && exp10 <= 22)
        v *= pow10_exact[exp10];
    else
        return 0;
    *out = neg ? -v : v;
    return 1;
}

ra_status ra_csvtok_number(const csv_reader *r, size_t i, size_t max_len, ra_csvtok_show_fn show,
                           double *out, int *empty, ra_err *err)
{
    const csv_field *f = &r->f[i];
    const char *s = f->s;
    size_t n = f->len;
    ra_csvtok_trim(&s, &n);
    *empty = 0;
    if (n == 0) {
        *empty = 1;
        *out = NAN;
        return RA_OK;
    }
    char vb[RA_CSV_SHOW_CAP];
    int digit = 0;
    /* only what a decimal number may hold: rules out nan, inf, hex floats, "1,5", "12%" */
    for (size_t k = 0; k < n; k++) {
        char c = s[k];
        if (c >= '0' && c <= '9')
            digit = 1;
        else if (c != '+' && c != '-' && c != '.' && c != 'e' && c != 'E')
            return ra_csvtok_error(r, RA_EPARSE, f->line, i + 1, err, "not a number: %s",
                                   show(vb, f->s, f->len));
    }
    if (!digit || n > max_len)
        return ra_csvtok_error(r, RA_EPARSE, f->line, i + 1, err, "not a number: %s",
                               show(vb, f->s, f->len));
    if (fast_decimal(s, n, out))
        return RA_OK;
    char buf[RA_CSV_MAX_FIELD + 1];
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + n)
        return ra_csvtok_error(r, RA_EPARSE, f->line, i + 1, err, "not a number: %s",
                               show(vb, f->s, f->len));
    if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1.0))
        return ra_csvtok_error(r, RA_EPARSE, f->line, i + 1, err,
                               "number out of range: %s", show(vb, f->s, f->len));
    /* underflow to 0 or a subnormal is kept: it is the nearest double */
    *out = v;
    return RA_OK;
}

static ra_status field_number(const csv_reader *r, size_t i, double *out, int *empty, ra_err *err)
{
    return ra_csvtok_number(r, i, RA_CSV_MAX_FIELD, ra_csvtok_show, out, empty, err);
}

/* A number that must be present. */
static ra_status field_required(const csv_reader *r, size_t i, const char *what, double *out,
                                ra_err *err)
{
    int empty;
    ra_status st = field_number(r, i, out, &empty, err);
    if (st == RA_OK && empty)
        return ra_csvtok_error(r, RA_EPARSE, r->f[i].line, i + 1, err, "missing %s", what);
    return st;
}

static ra_status field_date(const csv_reader *r, size_t i, ra_date *out, ra_err *err)
{
    const csv_field *f = &r->f[i];
    const char *s = f->s;
    size_t n = f->len;
    ra_csvtok_trim(&s, &n);
    if (n == 0)
        return ra_csvtok_error(r, RA_EPARSE, f->line, i + 1, err,
                               "missing date (the first column holds YYYY-MM-DD dates)");
    if (ra_date_parse(s, n, out, NULL) == RA_OK)
        return RA_OK;
    char vb[RA_CSV_SHOW_CAP];
    return ra_csvtok_error(r, RA_EPARSE, f->line, i + 1, err, "%s: %s",
                           ra_csvtok_date_problem(s, n), ra_csvtok_show(vb, f->s, f->len));
}

static const char *fmt_date(ra_date d, char buf[11]) { return ra_date_format(d, buf); }

/* ---- a set of names (open addressing, FNV-1a) ----------------------------------------------- */

typedef struct name_set {
    size_t *slot; /* index + 1 into keys, 0 = empty */
    size_t mask;
} name_set;

static int nset_init(name_set *h, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    h->slot = ra_calloc(cap, sizeof *h->slot);
    h->mask = cap - 1;
    return h->slot != NULL;
}

static void nset_free(name_set *h)
{
    ra_free(h->slot);
    h->slot = NULL;
}

/* Index of the key equal to key, or SIZE_MAX. */
static size_t nset_find(const name_set *h, char *const *keys, const char *key)
{
    for (size_t i = (size_t)ra_hash_str(key) & h->mask;; i = (i + 1) & h->mask) {
        if (h->slot[i] == 0)
            return SIZE_MAX;
        if (strcmp(keys[h->slot[i] - 1], key) == 0)
            return h->slot[i] - 1;
    }
}

/* Adds keys[idx]; returns the index of an equal key already present (not adding), or SIZE_MAX.
 * At most half the slots are ever used (nset_init sized it for all keys). */
static size_t nset_add(name_set *h, char *const *keys, size_t idx)
{
    for (size_t i = (size_t)ra_hash_str(keys[idx]) & h->mask;; i = (i + 1) & h->mask) {
        if (h->slot[i] == 0) {
            h->slot[i] = idx + 1;
            return SIZE_MAX;
        }
        if (strcmp(keys[h->slot[i] - 1], keys[idx]) == 0)
            return h->slot[i] - 1;
    }
}

/* ---- common reader frame -------------------------------------------------------------------- */

/* Numbers are read in the C locale whatever the program set; uselocale is per thread. */
void ra_csvtok_c_numeric_enter(ra_csvtok_locale *cn)
{
    cn->c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    cn->old = cn->c ? uselocale(cn->c) : (locale_t)0;
}

void ra_csvtok_c_numeric_leave(ra_csvtok_locale *cn)
{
    if (cn->c) {
        uselocale(cn->old);
        freelocale(cn->c);
    }
}

void ra_csvtok_free_names(char **names, size_t n)
{
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        ra_free(names[i]);
    ra_free(names);
}

ra_status ra_csvtok_check_size(const char *source, size_t size, ra_err *err)
{
    /* line numbers are uint32_t; every line needs a byte */
    if (size >= (size_t)UINT32_MAX)
        return err_at(err, RA_EPARSE, source, 0, 0, NULL,
                      "input of %zu bytes is larger than the limit of %u bytes", size,
                      (unsigned)UINT32_MAX - 1u);
    return RA_OK;
}

const char *ra_csvtok_date_problem(const char *s, size_t n)
{
    int shaped = n == 10 && s[4] == '-' && s[7] == '-';
    for (size_t k = 0; shaped && k < n; k++)
        if (k != 4 && k != 7 && (s[k] < '0' || s[k] > '9'))
            shaped = 0;
    return shaped ? "no such day" : "not an ISO date (YYYY-MM-DD)";
}

ra_status ra_csvtok_header_row(csv_reader *r, const char *layout, ra_err *err)
{
    int eof;
    ra_status st = ra_csvtok_next(r, &eof, err);
    if (st != RA_OK)
        return st;
    if (eof)
        return ra_csvtok_error(r, RA_EPARSE, r->line, 1, err,
                               "empty file: need a header row (%s)", layout);
    return RA_OK;
}

ra_status ra_csvtok_header_start(csv_reader *r, const char *layout, ra_err *err)
{
    ra_status st = ra_csvtok_header_row(r, layout, err);
    if (st != RA_OK)
        return st;
    const char *s0 = r->f[0].s;
    size_t n0 = r->f[0].len;
    ra_csvtok_trim(&s0, &n0);
    ra_date dd;
    if (ra_date_parse(s0, n0, &dd, NULL) == RA_OK) {
        char vb[RA_CSV_SHOW_CAP];
        return ra_csvtok_error(r, RA_EPARSE, r->f[0].line, 1, err,
                               "the first row must be a header (%s), found the date %s", layout,
                               ra_csvtok_show(vb, r->f[0].s, r->f[0].len));
    }
    return RA_OK;
}

/* Reads the header row: between min_cols and max_cols fields, trimmed copies in *names (also set
 * as r->names for messages). layout describes the expected header for messages. */
static ra_status read_header(csv_reader *r, size_t min_cols, size_t max_cols, const char *layout,
                             char ***names, size_t *n_names, ra_err *err)
{
    *names = NULL;
    *n_names = 0;
    ra_status st = ra_csvtok_header_start(r, layout, err);
    if (st != RA_OK)
        return st;
    if (r->nf < min_cols || r->nf > max_cols) {
        size_t col = r->nf > max_cols ? max_cols + 1 : r->nf;
        const char *s = r->f[col - 1].s;
        size_t n = r->f[col - 1].len;
        ra_csvtok_trim(&s, &n);
        char name[WHERE_NAME_MAX + 2];
        snprintf(name, sizeof name, "%.*s", (int)(n > WHERE_NAME_MAX + 1 ? WHERE_NAME_MAX + 1 : n),
                 s);
        if (min_cols == max_cols)
            return err_at(err, RA_EPARSE, r->source, r->f[col - 1].line, col, name,
                          "the header has %zu column%s, need %zu (%s)", r->nf,
                          r->nf == 1 ? "" : "s", min_cols, layout);
        return err_at(err, RA_EPARSE, r->source, r->f[col - 1].line, col, name,
                      "the header has %zu column%s, need %zu to %zu (%s)", r->nf,
                      r->nf == 1 ? "" : "s", min_cols, max_cols, layout);
    }
    char **nm = ra_calloc(r->nf, sizeof *nm);
    if (!nm)
        return ra_csvtok_nomem(err, "column names");
    for (size_t i = 0; i < r->nf; i++) {
        const char *s = r->f[i].s;
        size_t n = r->f[i].len;
        ra_csvtok_trim(&s, &n);
        nm[i] = ra_csvtok_dup(s, n);
        if (!nm[i]) {
            ra_csvtok_free_names(nm, r->nf);
            return ra_csvtok_nomem(err, "column names");
        }
    }
    *names = nm;
    *n_names = r->nf;
    r->names = nm;
    r->n_names = r->nf;
    return RA_OK;
}

ra_status ra_csvtok_check_width(const csv_reader *r, size_t want, ra_err *err)
{
    if (r->nf == want)
        return RA_OK;
    if (r->nf > want)
        return ra_csvtok_error(r, RA_EPARSE, r->f[want].line, want + 1, err,
                               "row has %zu fields, the header has %zu", r->nf, want);
    return ra_csvtok_error(r, RA_EPARSE, r->f[r->nf - 1].line, r->nf + 1, err,
                           "row has %zu field%s, the header has %zu", r->nf,
                           r->nf == 1 ? "" : "s", want);
}

/* Index of date d among the sorted dates[0..n), or SIZE_MAX. */
static size_t find_date(const ra_date *dates, size_t n, ra_date d)
{
    size_t lo = ra_date_lower_bound(dates, n, d);
    return lo < n && dates[lo] == d ? lo : SIZE_MAX;
}

ra_status ra_csvtok_check_order(const csv_reader *r, const ra_date *dates, const uint32_t *lines,
                             size_t n, ra_date d, ra_err *err)
{
    if (n == 0 || d > dates[n - 1])
        return RA_OK;
    char b1[11], b2[11];
    size_t k = find_date(dates, n, d);
    if (k != SIZE_MAX)
        return ra_csvtok_error(r, RA_EPARSE, r->f[0].line, 1, err,
                               "duplicate date %s (also on line %u)", fmt_date(d, b1),
                               (unsigned)lines[k]);
    return ra_csvtok_error(r, RA_EPARSE, r->f[0].line, 1, err,
                           "date %s is not after the previous row's %s", fmt_date(d, b1),
                           fmt_date(dates[n - 1], b2));
}

/* ---- files ---------------------------------------------------------------------------------- */

static ra_status io_error(ra_err *err, const char *path, const char *what, int e)
{
    char reason[128];
    if (strerror_r(e, reason, sizeof reason) != 0)
        snprintf(reason, sizeof reason, "error %d", e);
    if (reason[0] >= 'A' && reason[0] <= 'Z')
        reason[0] = (char)(reason[0] - 'A' + 'a');
    return err_at(err, RA_EIO, path, 0, 0, NULL, "could not %s \"%s\": %s", what, path, reason);
}

ra_status ra_file_read(const char *path, size_t max_bytes, char **data, size_t *size, ra_err *err)
{
    if (!data || !size)
        return ra_err_set(err, RA_EINVAL, NULL, "no place for the file's contents");
    *data = NULL;
    *size = 0;
    if (!path)
        return ra_err_set(err, RA_EINVAL, NULL, "no file name");
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return io_error(err, path, "open", errno);
    /* read at most max_bytes + 1 bytes: one more than allowed tells the file is too large */
    size_t limit = max_bytes == SIZE_MAX ? SIZE_MAX : max_bytes + 1;
    size_t cap = 1 << 16;
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
        (uintmax_t)st.st_size < (uintmax_t)SIZE_MAX)
        cap = (size_t)st.st_size + 1; /* + 1: the read that sees the end */
    if (cap > limit)
        cap = limit;
    if (cap == 0)
        cap = 1;
    char *buf = ra_malloc(cap);
    size_t len = 0;
    ra_status rc = RA_OK;
    if (!buf) {
        rc = ra_csvtok_nomem(err, "the file's contents");
        goto out;
    }
    for (;;) {
        if (len == cap) {
            if (len > max_bytes)
                break;
            size_t ncap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
            if (ncap > limit)
                ncap = limit;
            char *nb = ra_realloc(buf, ncap);
            if (!nb) {
                rc = ra_csvtok_nomem(err, "the file's contents");
                goto out;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0) {
            if (ferror(fp)) {
                rc = io_error(err, path, "read", errno ? errno : EIO);
                goto out;
            }
            break;
        }
    }
    if (len > max_bytes) {
        rc = err_at(err, RA_EPARSE, path, 0, 0, NULL, "file is larger than the limit of %zu bytes",
                    max_bytes);
        goto out;
    }
    if (len == cap) {
        char *nb = ra_realloc(buf, len + 1);
        if (!nb) {
            rc = ra_csvtok_nomem(err, "the file's contents");
            goto out;
        }
        buf = nb;
    }
    buf[len] = '\0';
    *data = buf;
    *size = len;
    buf = NULL;
out:
    ra_free(buf);
    fclose(fp);
    return rc;
}

/* ---- wide series ---------------------------------------------------------------------------- */

/* The frame of every reader here: sets the caller's result *out (a T **, T the object read) to
 * NULL, or fails if out is NULL ("no place for WHAT"; out and what NULL: no result to clear), checks
 * the input, starts the tokenizer, enters the C numeric locale and reads the header (read_header:
 * min_cols to max_cols fields as layout says) into fr->hdr, fr->nh. On error nothing is left to
 * close; otherwise reader_close frees the header and the tokenizer and leaves the locale. */
typedef struct csv_frame {
    csv_reader r;
    ra_csvtok_locale cn;
    char **hdr; /* the header's trimmed names (read_header) */
    size_t nh;
} csv_frame;

static void reader_close(csv_frame *fr);

static ra_status reader_open(void *out, const char *what, size_t min_cols, size_t max_cols,
                             const char *layout, const char *data, size_t size,
                             const char *source, csv_frame *fr, ra_err *err)
{
    fr->hdr = NULL;
    fr->nh = 0;
    if (what && !out)
        return ra_err_set(err, RA_EINVAL, NULL, "no place for %s", what);
    if (out)
        ra_put_ptr(out, NULL);
    if (!data && size)
        return ra_err_set(err, RA_EINVAL, NULL, "no data");
    ra_status st = ra_csvtok_check_size(source, size, err);
    if (st != RA_OK)
        return st;
    ra_csvtok_init(&fr->r, data, size, source);
    ra_csvtok_c_numeric_enter(&fr->cn);
    st = read_header(&fr->r, min_cols, max_cols, layout, &fr->hdr, &fr->nh, err);
    if (st != RA_OK)
        reader_close(fr);
    return st;
}

/* Steps fr to its next data row and checks its width (as many fields as the header): 1 when
 * there is one (*st RA_OK); 0 at the end (*st RA_OK) or on an error (*st says it). */
static int reader_row(csv_frame *fr, ra_status *st, ra_err *err)
{
    int eof = 1;
    *st = ra_csvtok_next(&fr->r, &eof, err);
    if (*st != RA_OK || eof)
        return 0;
    *st = ra_csvtok_check_width(&fr->r, fr->nh, err);
    return *st == RA_OK;
}

static void reader_close(csv_frame *fr)
{
    ra_csvtok_free_names(fr->hdr, fr->nh);
    ra_csvtok_free(&fr->r);
    ra_csvtok_c_numeric_leave(&fr->cn);
}

void ra_series_destroy(ra_series *s)
{
    if (!s)
        return;
    ra_free(s->dates);
    ra_csvtok_free_names(s->names, s->n_cols);
    RA_FREE_ALL(s->values, s->lines, s->source, s->columns, s);
}

#define SERIES_LAYOUT "Date,NAME,NAME,..."

ra_status ra_csv_parse_series(const char *data, size_t size, const char *source, ra_series **out,
                              ra_err *err)
{
    csv_frame fr;
    ra_status st = reader_open(out, "the series", 2, RA_CSV_MAX_COLS, SERIES_LAYOUT, data, size,
                               source, &fr, err);
    if (st != RA_OK)
        return st;
    size_t n_rows = 0, cap_rows = 0, cap_vals = 0;
    ra_date *dates = NULL;
    uint32_t *lines = NULL;
    double *values = NULL;
    ra_series *s = NULL;
    name_set set = {0};

    size_t n_cols = fr.nh - 1;
    if (!nset_init(&set, fr.nh)) {
        st = ra_csvtok_nomem(err, "column names");
        goto fail;
    }
    for (size_t j = 1; j < fr.nh; j++) {
        if (fr.hdr[j][0] == '\0') {
            st = ra_csvtok_error(&fr.r, RA_EPARSE, fr.r.f[j].line, j + 1, err,
                                 "empty column name (every security column needs a name)");
            goto fail;
        }
        size_t k = nset_add(&set, fr.hdr, j);
        if (k != SIZE_MAX) {
            char vb[RA_CSV_SHOW_CAP];
            st = ra_csvtok_error(&fr.r, RA_EPARSE, fr.r.f[j].line, j + 1, err,
                                 "duplicate column name %s (also column %zu)",
                                 ra_csvtok_show(vb, fr.hdr[j], strlen(fr.hdr[j])), k + 1);
            goto fail;
        }
    }
    nset_free(&set);

    while (reader_row(&fr, &st, err)) {
        ra_date d;
        if ((st = field_date(&fr.r, 0, &d, err)) != RA_OK)
            goto fail;
        if ((st = ra_csvtok_check_order(&fr.r, dates, lines, n_rows, d, err)) != RA_OK)
            goto fail;
        size_t c1 = cap_rows; /* dates and lines grow in step */
        if (ra_grow((void **)&dates, &c1, n_rows + 1, sizeof *dates) ||
            ra_grow((void **)&lines, &cap_rows, n_rows + 1, sizeof *lines)) {
            st = ra_csvtok_nomem(err, "the dates");
            goto fail;
        }
        if (n_cols > (SIZE_MAX / sizeof *values) / (n_rows + 1) ||
            ra_grow((void **)&values, &cap_vals, (n_rows + 1) * n_cols, sizeof *values)) {
            st = ra_csvtok_nomem(err, "the values");
            goto fail;
        }
        double *row = values + n_rows * n_cols;
        for (size_t j = 0; j < n_cols; j++) {
            int empty;
            if ((st = field_number(&fr.r, j + 1, &row[j], &empty, err)) != RA_OK)
                goto fail;
        }
        dates[n_rows] = d;
        lines[n_rows] = fr.r.rec_line;
        n_rows++;
    }
    if (st != RA_OK)
        goto fail;
    if (n_rows < 2) {
        uint32_t line = n_rows ? lines[n_rows - 1] : 1;
        st = ra_csvtok_error(&fr.r, RA_EPARSE, line, 1, err, "need at least 2 data rows, found %zu",
                             n_rows);
        goto fail;
    }

    s = ra_calloc(1, sizeof *s);
    if (!s) {
        st = ra_csvtok_nomem(err, "the series");
        goto fail;
    }
    s->names = ra_malloc(n_cols * sizeof *s->names);
    s->columns = ra_malloc(n_cols * sizeof *s->columns);
    s->source = ra_csvtok_dup(fr.r.source, strlen(fr.r.source));
    if (!s->names || !s->columns || !s->source) {
        st = ra_csvtok_nomem(err, "the series");
        goto fail;
    }
    for (size_t j = 0; j < n_cols; j++) {
        s->names[j] = fr.hdr[j + 1];
        fr.hdr[j + 1] = NULL;
        s->columns[j] = (uint32_t)(j + 2);
    }
    s->n_cols = n_cols;
    s->n_rows = n_rows;
    /* give back the slack of the doubling growth */
    double *vv = ra_realloc(values, n_rows * n_cols * sizeof *values);
    s->values = vv ? vv : values;
    ra_date *dv = ra_realloc(dates, n_rows * sizeof *dates);
    s->dates = dv ? dv : dates;
    uint32_t *lv = ra_realloc(lines, n_rows * sizeof *lines);
    s->lines = lv ? lv : lines;
    reader_close(&fr);
    *out = s;
    return RA_OK;

fail:
    nset_free(&set);
    ra_series_destroy(s);
    RA_FREE_ALL(dates, lines, values);
    reader_close(&fr);
    return st;
}

ra_status ra_csv_read_series(const char *path, ra_series **out, ra_err *err)
{
    if (!out)
        return ra_err_set(err, RA_EINVAL, NULL, "no place for the series");
    *out = NULL;
    char *data;
    size_t size;
    ra_status st = ra_file_read(path, RA_CSV_MAX_FILE, &data, &size, err);
    if (st != RA_OK)
        return st;
    st = ra_csv_parse_series(data, size, path, out, err);
    ra_free(data);
    return st;
}

/* Source column of column j (1-based field number), for messages. */
static size_t series_col(const ra_series *s, size_t j)
{
    return s->columns ? s->columns[j] : j + 2;
}

ra_status ra_series_select(ra_series *s, const char *const *names, size_t n, ra_err *err)
{
    if (!s || (!names && n))
        return ra_err_set(err, RA_EINVAL, NULL, "no series or no names to select");
    if (n == 0)
        return ra_err_set(err, RA_EINVAL, NULL, "no columns to select");
    for (size_t i = 0; i < n; i++)
        if (!names[i])
            return ra_err_set(err, RA_EINVAL, NULL, "column name %zu to select is missing", i + 1);
    name_set set;
    if (!nset_init(&set, s->n_cols))
        return ra_csvtok_nomem(err, "column names");
    for (size_t j = 0; j < s->n_cols; j++)
        (void)nset_add(&set, s->names, j); /* names are unique */
    size_t *pick = ra_malloc(n * sizeof *pick);
    unsigned char *taken = ra_calloc(s->n_cols ? s->n_cols : 1, 1);
    char **nn = ra_malloc(n * sizeof *nn);
    uint32_t *nc = ra_malloc(n * sizeof *nc);
    double *nv = NULL;
    ra_status st = RA_OK;
    if (!pick || !taken || !nn || !nc) {
        st = ra_csvtok_nomem(err, "the selected columns");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = nset_find(&set, s->names, names[i]);
        char vb[RA_CSV_SHOW_CAP];
        if (k == SIZE_MAX) {
            char list[LIST_MAX + 64];
            size_t o = 0, j = 0;
            list[0] = '\0';
            for (; j < s->n_cols; j++) {
                size_t l = strlen(s->names[j]);
                if (o + l + 2 > LIST_MAX)
                    break;
                o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", j ? ", " : "",
                                      s->names[j]);
            }
            if (j < s->n_cols)
                snprintf(list + o, sizeof list - o, "%s...", j ? ", " : "");
            st = err_at(err, RA_ENOTFOUND, s->source, 0, 0, NULL,
                        "no column named %s; columns are: %s (%zu in all)",
                        ra_csvtok_show(vb, names[i], strlen(names[i])), list, s->n_cols);
            goto out;
        }
        if (taken[k]) {
            st = ra_err_set(err, RA_EINVAL, NULL, "column %s is selected twice",
                            ra_csvtok_show(vb, names[i], strlen(names[i])));
            goto out;
        }
        taken[k] = 1;
        pick[i] = k;
    }
    if (s->n_rows && n > SIZE_MAX / sizeof *nv / s->n_rows) {
        st = ra_csvtok_nomem(err, "the selected columns");
        goto out;
    }
    size_t n_vals = s->n_rows * n;
    nv = ra_malloc((n_vals ? n_vals : 1) * sizeof *nv);
    if (!nv) {
        st = ra_csvtok_nomem(err, "the selected columns");
        goto out;
    }
    for (size_t t = 0; t < s->n_rows; t++)
        for (size_t i = 0; i < n; i++)
            nv[t * n + i] = s->values[t * s->n_cols + pick[i]];
    for (size_t i = 0; i < n; i++) {
        nn[i] = s->names[pick[i]];
        nc[i] = (uint32_t)series_col(s, pick[i]);
    }
    for (size_t j = 0; j < s->n_cols; j++)
        if (!taken[j])
            ra_free(s->names[j]);
    RA_FREE_ALL(s->names, s->values, s->columns);
    s->names = nn;
    s->values = nv;
    s->columns = nc;
    s->n_cols = n;
    nn = NULL;
    nv = NULL;
    nc = NULL;
out:
    nset_free(&set);
    RA_FREE_ALL(pick, taken, nn, nc, nv);
    return st;
}

ra_status ra_series_slice(ra_series *s, ra_date from, ra_date to, ra_err *err)
{
    if (!s)
        return ra_err_set(err, RA_EINVAL, NULL, "no series");
    char a[11], b[11];
    if (from > to)
        return ra_err_set(err, RA_EINVAL, NULL, "the window starts (%s) after it ends (%s)",
                          fmt_date(from, a), fmt_date(to, b));
    size_t lo = 0, hi = s->n_rows; /* dates are strictly increasing: keep rows [lo, hi) */
    while (lo < s->n_rows && s->dates[lo] < from)
        lo++;
    while (hi > lo && s->dates[hi - 1] > to)
        hi--;
    if (hi - lo < 2)
        return ra_err_set(err, RA_EPARSE, s->source,
                          "the window from %s to %s holds %zu rows of the file, need at least 2",
                          from == INT32_MIN ? "the start" : fmt_date(from, a),
                          to == INT32_MAX ? "the end" : fmt_date(to, b), hi - lo);
    if (lo > 0) {
        memmove(s->values, s->values + lo * s->n_cols, (hi - lo) * s->n_cols * sizeof *s->values);
        memmove(s->dates, s->dates + lo, (hi - lo) * sizeof *s->dates);
        if (s->lines)
            memmove(s->lines, s->lines + lo, (hi - lo) * sizeof *s->lines);
    }
    s->n_rows = hi - lo;
    return RA_OK;
}

ra_status ra_series_complete(ra_series *s, int drop_missing, size_t *n_dropped, ra_err *err)
{
    if (n_dropped)
        *n_dropped = 0;
    if (!s)
        return ra_err_set(err, RA_EINVAL, NULL, "no series");
    size_t bad_rows = 0, first_t = SIZE_MAX, first_j = 0;
    for (size_t t = 0; t < s->n_rows; t++) {
        const double *row = s->values + t * s->n_cols;
        for (size_t j = 0; j < s->n_cols; j++) {
            if (isnan(row[j])) {
                if (first_t == SIZE_MAX) {
                    first_t = t;
                    first_j = j;
                }
                bad_rows++;
                break;
            }
        }
    }
    if (bad_rows == 0)
        return RA_OK;
    char db[11];
    uint32_t line = s->lines ? s->lines[first_t] : (uint32_t)(first_t + 2);
    if (!drop_missing)
        return err_at(err, RA_EPARSE, s->source, line, series_col(s, first_j),
                      s->names[first_j],
                      "empty cell: no value for %s on %s (%zu of %zu rows have an empty cell; "
                      "--drop-missing drops them)",
                      s->names[first_j], fmt_date(s->dates[first_t], db), bad_rows, s->n_rows);
    size_t keep = s->n_rows - bad_rows;
    if (keep < 2)
        return err_at(err, RA_EPARSE, s->source, line, series_col(s, first_j),
                      s->names[first_j],
                      "dropping the %zu rows with an empty cell leaves %zu, need at least 2",
                      bad_rows, keep);
    size_t o = 0;
    for (size_t t = 0; t < s->n_rows; t++) {
        const double *row = s->values + t * s->n_cols;
        int ok = 1;
        for (size_t j = 0; j < s->n_cols && ok; j++)
            ok = !isnan(row[j]);
        if (!ok)
            continue;
        if (o != t) {
            memmove(s->values + o * s->n_cols, row, s->n_cols * sizeof *row);
            s->dates[o] = s->dates[t];
            if (s->lines)
                s->lines[o] = s->lines[t];
        }
        o++;
    }
    s->n_rows = o;
    if (n_dropped)
        *n_dropped = bad_rows;
    return RA_OK;
}

/* The first cell (row-major) of s at or below floor: 1 with *t and *j, or 0. NaN is never. */
static int series_first_at_most(const ra_series *s, double floor, size_t *t, size_t *j)
{
    for (*t = 0; *t < s->n_rows; (*t)++)
        for (*j = 0; *j < s->n_cols; (*j)++)
            if (s->values[*t * s->n_cols + *j] <= floor)
                return 1;
    return 0;
}

/* The error at cell (t, j) of s: "MESSAGE: VALUE for NAME on DATE" + tail. */
static ra_status series_cell_error(const ra_series *s, size_t t, size_t j, const char *message,
                                   const char *tail, ra_err *err)
{
    char db[11];
    uint32_t line = s->lines ? s->lines[t] : (uint32_t)(t + 2);
    return err_at(err, RA_EPARSE, s->source, line, series_col(s, j), s->names[j],
                  "%s: %.10g for %s on %s%s", message, s->values[t * s->n_cols + j], s->names[j],
                  fmt_date(s->dates[t], db), tail);
}

ra_status ra_series_check_positive(const ra_series *s, ra_err *err)
{
    size_t t, j;
    if (!s)
        return ra_err_set(err, RA_EINVAL, NULL, "no series");
    if (series_first_at_most(s, 0.0, &t, &j))
        return series_cell_error(s, t, j, "price must be positive", "", err);
    return RA_OK;
}

ra_status ra_series_check_returns(const ra_series *s, ra_err *err)
{
    size_t t, j;
    if (!s)
        return ra_err_set(err, RA_EINVAL, NULL, "no series");
    /* NaN (an empty cell) is left to ra_series_complete */
    if (series_first_at_most(s, -1.0, &t, &j))
        return series_cell_error(s, t, j, "a return cannot be -100 % or below",
                                 " (returns are decimals: -0.05 for -5 %)", err);
    return RA_OK;
}

/* ---- small dated tables (flows, account values) ---------------------------------------------- */

/* Checks the current row of r (n_cols fields, as many as the header) and stores it as row `row`
 * of obj, whose arrays have room for it (read_table stores the row's source line itself). */
typedef ra_status (*table_row_fn)(void *obj, const csv_reader *r, size_t n_cols, size_t row,
                                  ra_err *err);

#define TABLE_MAX_ARRAYS 4

typedef struct table_spec {
    const char *layout;         /* the expected header, for messages */
    size_t min_cols, max_cols;  /* columns the header may have */
    size_t min_rows;            /* data rows needed */
    const char *what;           /* "the flows": what could not be allocated */
    table_row_fn row;
    size_t obj_size;            /* the object parse_table allocates (ra_flows, ra_values) */
    size_t off_n, off_lines, off_source; /* offsets of its count, lines and source members */
    struct {
        size_t off, elem;       /* offset of the pointer in obj, size of an element */
    } arrays[TABLE_MAX_ARRAYS]; /* the arrays of one element a row; elem 0 ends the list */
} table_spec;
/* The object members of a table_spec for type T (members n, lines, source); an array member m
 * of T. */
#define TABLE_OBJ(T) sizeof(T), offsetof(T, n), offsetof(T, lines), offsetof(T, source)
#define TABLE_ARRAY(T, m) {offsetof(T, m), sizeof *((T *)0)->m}

/* Frees t's object obj (NULL is fine): its arrays, its source name and itself. */
static void table_free(const table_spec *t, void *obj)
{
    if (!obj)
        return;
    for (size_t i = 0; i < TABLE_MAX_ARRAYS && t->arrays[i].elem; i++)
        ra_free(*(void **)((char *)obj + t->arrays[i].off));
    ra_free(*(char **)((char *)obj + t->off_source));
    ra_free(obj);
}

/* Grows every array of t in obj to need elements; *cap the slots each has now (they grow
 * alike). */
static int grow_arrays(const table_spec *t, char *obj, size_t need, size_t *cap)
{
    size_t c = *cap;
    for (size_t i = 0; i < TABLE_MAX_ARRAYS && t->arrays[i].elem; i++) {
        c = *cap;
        if (ra_grow((void **)(obj + t->arrays[i].off), &c, need, t->arrays[i].elem))
            return -1;
    }
    *cap = c;
    return 0;
}

/* The skeleton of the readers of small dated tables: reads the header and every data row (one
 * call of t->row each, counted in *n), checks there are t->min_rows rows (*lines holds their
 * source lines) and copies the source name to *source_out. obj belongs to the caller, who frees it
 * on error. */
static ra_status read_table(const table_spec *t, const char *data, size_t size, const char *source,
                            void *obj, size_t *n, uint32_t *const *lines, char **source_out,
                            ra_err *err)
{
    csv_frame fr;
    ra_status st = reader_open(NULL, NULL, t->min_cols, t->max_cols, t->layout, data, size, source,
                               &fr, err);
    if (st != RA_OK)
        return st;
    size_t cap = 0;
    while (reader_row(&fr, &st, err)) {
        if (grow_arrays(t, obj, *n + 1, &cap)) {
            st = ra_csvtok_nomem(err, t->what);
            goto out;
        }
        if ((st = t->row(obj, &fr.r, fr.nh, *n, err)) != RA_OK)
            goto out;
        (*lines)[*n] = fr.r.rec_line;
        (*n)++;
    }
    if (st != RA_OK)
        goto out;
    if (*n < t->min_rows) {
        uint32_t line = *n ? (*lines)[*n - 1] : 1;
        st = ra_csvtok_error(&fr.r, RA_EPARSE, line, 1, err,
                             "need at least %zu data row%s, found %zu", t->min_rows,
                             t->min_rows == 1 ? "" : "s", *n);
        goto out;
    }
    if (!(*source_out = ra_csvtok_dup(fr.r.source, strlen(fr.r.source))))
        st = ra_csvtok_nomem(err, t->what);
out:
    reader_close(&fr);
    return st;
}

/* Allocates t's object and reads it with read_table into *out; on error *out is NULL and nothing
 * is left allocated. out is the caller's T ** (T the object of t), or NULL: no place for it. */
static ra_status parse_table(const table_spec *t, const char *data, size_t size,
                             const char *source, void *out, ra_err *err)
{
    char *obj = NULL;
    if (!out)
        return ra_err_set(err, RA_EINVAL, NULL, "no place for %s", t->what);
    ra_put_ptr(out, NULL);
    if (!data && size)
        return ra_err_set(err, RA_EINVAL, NULL, "no data");
    if (!(obj = ra_calloc(1, t->obj_size)))
        return ra_csvtok_nomem(err, t->what);
    ra_status st = read_table(t, data, size, source, obj, (size_t *)(obj + t->off_n),
                              (uint32_t *const *)(obj + t->off_lines),
                              (char **)(obj + t->off_source), err);
    if (st != RA_OK) {
        table_free(t, obj);
        return st;
    }
    ra_put_ptr(out, obj);
    return RA_OK;
}

/* ---- flows ---------------------------------------------------------------------------------- */


static ra_status flows_row(void *obj, const csv_reader *r, size_t n_cols, size_t row,
                           ra_err *err)
{
    ra_flows *f = obj;
    (void)n_cols;
    ra_date d;
    double a;
    ra_status st;
    if ((st = field_date(r, 0, &d, err)) != RA_OK ||
        (st = field_required(r, 1, "amount", &a, err)) != RA_OK)
        return st;
    f->dates[row] = d;
    f->amounts[row] = a;
    return RA_OK;
}

static const table_spec flows_spec = {
    "date,amount", 2, 2, 1, "the flows", flows_row, TABLE_OBJ(ra_flows),
    {TABLE_ARRAY(ra_flows, dates), TABLE_ARRAY(ra_flows, amounts), TABLE_ARRAY(ra_flows, lines)}};

ra_status ra_csv_parse_flows(const char *data, size_t size, const char *source, ra_flows **out,
                             ra_err *err)
{
    return parse_table(&flows_spec, data, size, source, out, err);
}

void ra_flows_destroy(ra_flows *f) { table_free(&flows_spec, f); }

/* ---- account values ------------------------------------------------------------------------- */


/* An account's value or flow is an amount of money: 0, or between VALUE_MIN and VALUE_MAX in
 * magnitude. 1e308 or 1e-320 cannot be right, and a return between them is lost in rounding
 * (issue 10: twr reported -100 % for them). */
#define VALUE_MIN 1e-6 /* a millionth of a currency unit: below every minor unit */
#define VALUE_MAX 1e15 /* a quadrillion: above any account */
static ra_status money_sized(const csv_reader *r, size_t i, const char *what, double x,
                             ra_err *err)
{
    double a = fabs(x);
    if (a != 0.0 && (a < VALUE_MIN || a > VALUE_MAX))
        return ra_csvtok_error(r, RA_EPARSE, r->f[i].line, i + 1, err,
                               "%s %.10g cannot be an amount of money: give 0 or a magnitude "
                               "between %g and %g",
                               what, x, VALUE_MIN, VALUE_MAX);
    return RA_OK;
}

static ra_status values_row(void *obj, const csv_reader *r, size_t n_cols, size_t row,
                            ra_err *err)
{
    ra_values *v = obj;
    ra_date d;
    double val, flow = 0.0;
    int empty;
    ra_status st;
    if ((st = field_date(r, 0, &d, err)) != RA_OK ||
        (st = ra_csvtok_check_order(r, v->dates, v->lines, row, d, err)) != RA_OK ||
        (st = field_required(r, 1, "value", &val, err)) != RA_OK)
        return st;
    if (val < 0.0)
        return ra_csvtok_error(r, RA_EPARSE, r->f[1].line, 2, err,
                               "value must not be negative: %.10g", val);
    if ((st = money_sized(r, 1, "value", val, err)) != RA_OK)
        return st;
    if (n_cols == 3) {
        if ((st = field_number(r, 2, &flow, &empty, err)) != RA_OK)
            return st;
        if (empty)
            flow = 0.0;
        if ((st = money_sized(r, 2, "flow", flow, err)) != RA_OK)
            return st;
    }
    v->dates[row] = d;
    v->values[row] = val;
    v->flows[row] = flow;
    return RA_OK;
}

static const table_spec values_spec = {
    "date,value,flow", 2, 3, 2, "the values", values_row, TABLE_OBJ(ra_values),
    {TABLE_ARRAY(ra_values, dates), TABLE_ARRAY(ra_values, values),
     TABLE_ARRAY(ra_values, flows), TABLE_ARRAY(ra_values, lines)}};

ra_status ra_csv_parse_values(const char *data, size_t size, const char *source, ra_values **out,
                              ra_err *err)
{
    return parse_table(&values_spec, data, size, source, out, err);
}

void ra_values_destroy(ra_values *v) { table_free(&values_spec, v); }

/* ---- groups --------------------------------------------------------------------------------- */

void ra_groups_destroy(ra_groups *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++) {
        ra_free(g->groups[i].name);
        ra_csvtok_free_names(g->groups[i].members, g->groups[i].n_members);
    }
    RA_FREE_ALL(g->groups, g->source, g);
}

static int is_member_sep(char c) { return c == ';' || c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* A weight limit in [0,1]; empty means dflt. */
static ra_status group_limit(const csv_reader *r, size_t i, const char *what, double dflt,
                             double *out, ra_err *err)
{
    int empty;
    ra_status st = field_number(r, i, out, &empty, err);
    if (st != RA_OK)
        return st;
    if (empty) {
        *out = dflt;
        return RA_OK;
    }
    if (*out < 0.0 || *out > 1.0) {
        if (*out > 1.0 && *out <= 100.0)
            return ra_csvtok_error(r, RA_EPARSE, r->f[i].line, i + 1, err,
                                   "%s %.10g is outside [0, 1] (weights are fractions: write "
                                   "%.10g for %.10g %%)",
                                   what, *out, *out / 100.0, *out);
        return ra_csvtok_error(r, RA_EPARSE, r->f[i].line, i + 1, err, "%s %.10g is outside [0, 1]",
                               what, *out);
    }
    return RA_OK;
}

/* Splits the members field of the current row into g->members, rejecting repeats. */
static ra_status group_members(const csv_reader *r, ra_group *g, ra_err *err)
{
    const csv_field *f = &r->f[3];
    size_t count = 0;
    for (size_t k = 0; k < f->len;) {
        while (k < f->len && is_member_sep(f->s[k]))
            k++;
        if (k < f->len)
            count++;
        while (k < f->len && !is_member_sep(f->s[k]))
            k++;
    }
    char vb[RA_CSV_SHOW_CAP];
    if (count == 0)
        return ra_csvtok_error(r, RA_EPARSE, f->line, 4, err,
                               "group %s has no members (list tickers separated by ';' or spaces)",
                               ra_csvtok_show(vb, g->name, strlen(g->name)));
    g->members = ra_calloc(count, sizeof *g->members);
    if (!g->members)
        return ra_csvtok_nomem(err, "group members");
    name_set set;
    if (!nset_init(&set, count))
        return ra_csvtok_nomem(err, "group members");
    ra_status st = RA_OK;
    for (size_t k = 0; k < f->len;) {
        while (k < f->len && is_member_sep(f->s[k]))
            k++;
        size_t start = k;
        while (k < f->len && !is_member_sep(f->s[k]))
            k++;
        if (k == start)
            continue;
        char *m = ra_csvtok_dup(f->s + start, k - start);
        if (!m) {
            st = ra_csvtok_nomem(err, "group members");
            break;
        }
        g->members[g->n_members] = m;
        if (nset_add(&set, g->members, g->n_members) != SIZE_MAX) {
            char gb[RA_CSV_SHOW_CAP];
            st = ra_csvtok_error(r, RA_EPARSE, f->line, 4, err,
                                 "member %s is listed twice in group %s",
                                 ra_csvtok_show(vb, m, strlen(m)),
                                 ra_csvtok_show(gb, g->name, strlen(g->name)));
            g->n_members++; /* so that it is freed */
            break;
        }
        g->n_members++;
    }
    nset_free(&set);
    return st;
}

ra_status ra_csv_parse_groups(const char *data, size_t size, const char *source, ra_groups **out,
                              ra_err *err)
{
    csv_frame fr;
    ra_status st = reader_open(out, "the groups", 4, 4, "group,min,max,members", data, size, source,
                               &fr, err);
    if (st != RA_OK)
        return st;
    size_t cap = 0;
    char **gnames = NULL; /* alias array of group names for the name set */
    size_t gcap = 0;
    name_set set = {0};
    ra_groups *g = ra_calloc(1, sizeof *g);
    if (!g) {
        st = ra_csvtok_nomem(err, "the groups");
        goto fail;
    }
    while (reader_row(&fr, &st, err)) {
        if (ra_grow((void **)&g->groups, &cap, g->n + 1, sizeof *g->groups) ||
            ra_grow((void **)&gnames, &gcap, g->n + 1, sizeof *gnames)) {
            st = ra_csvtok_nomem(err, "the groups");
            goto fail;
        }
        ra_group *gr = &g->groups[g->n];
        memset(gr, 0, sizeof *gr);
        gr->line = fr.r.rec_line;
        const char *s = fr.r.f[0].s;
        size_t n = fr.r.f[0].len;
        ra_csvtok_trim(&s, &n);
        if (n == 0) {
            st = ra_csvtok_error(&fr.r, RA_EPARSE, fr.r.f[0].line, 1, err, "empty group name");
            goto fail;
        }
        if (!(gr->name = ra_csvtok_dup(s, n))) {
            st = ra_csvtok_nomem(err, "the groups");
            goto fail;
        }
        g->n++; /* from here on destroy frees it */
        if ((st = group_limit(&fr.r, 1, "min", 0.0, &gr->min, err)) != RA_OK ||
            (st = group_limit(&fr.r, 2, "max", 1.0, &gr->max, err)) != RA_OK)
            goto fail;
        if (gr->min > gr->max) {
            st = ra_csvtok_error(&fr.r, RA_EPARSE, fr.r.f[1].line, 2, err,
                                 "min %.10g is above max %.10g", gr->min, gr->max);
            goto fail;
        }
        if ((st = group_members(&fr.r, gr, err)) != RA_OK)
            goto fail;
    }
    if (st != RA_OK)
        goto fail;
    if (g->n == 0) {
        st = ra_csvtok_error(&fr.r, RA_EPARSE, 1, 1, err, "need at least 1 group row, found 0");
        goto fail;
    }
    /* group names are unique; checked once all are read, reporting the later line */
    if (!nset_init(&set, g->n)) {
        st = ra_csvtok_nomem(err, "group names");
        goto fail;
    }
    for (size_t i = 0; i < g->n; i++)
        gnames[i] = g->groups[i].name;
    for (size_t i = 0; i < g->n; i++) {
        size_t k = nset_add(&set, gnames, i);
        if (k != SIZE_MAX) {
            char vb[RA_CSV_SHOW_CAP];
            st = ra_csvtok_error(&fr.r, RA_EPARSE, g->groups[i].line, 1, err,
                                 "duplicate group name %s (also on line %u)",
                                 ra_csvtok_show(vb, gnames[i], strlen(gnames[i])),
                                 (unsigned)g->groups[k].line);
            goto fail;
        }
    }
    if (!(g->source = ra_csvtok_dup(fr.r.source, strlen(fr.r.source)))) {
        st = ra_csvtok_nomem(err, "the groups");
        goto fail;
    }
    nset_free(&set);
    ra_free(gnames);
    reader_close(&fr);
    *out = g;
    return RA_OK;
fail:
    nset_free(&set);
    ra_free(gnames);
    ra_groups_destroy(g);
    reader_close(&fr);
    return st;
}

static int name_is(const char *s, size_t n, const char *name)
{
    if (n != strlen(name))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]) != name[i])
            return 0;
    return 1;
}

ra_status ra_csvtok_named_header(csv_reader *r, const char *const *names, int n, int n_required,
                                 const char *format, const char *layout, int *col, ra_err *err)
{
    ra_status rc = ra_csvtok_header_start(r, layout, err);
    if (rc != RA_OK)
        return rc;
    for (int k = 0; k < n; k++)
        col[k] = -1;
    for (size_t i = 0; i < r->nf; i++) {
        const char *s = r->f[i].s;
        size_t len = r->f[i].len;
        ra_csvtok_trim(&s, &len);
        int k = 0;
        while (k < n && !name_is(s, len, names[k]))
            k++;
        if (k == n)
            return ra_csvtok_error(r, RA_EPARSE, r->f[i].line, i + 1, err,
                                   "column %zu of the header is not part of the %s format (%s)",
                                   i + 1, format, layout);
        if (col[k] >= 0)
            return ra_csvtok_error(r, RA_EPARSE, r->f[i].line, i + 1, err,
                                   "column %s appears twice (also column %d)", names[k],
                                   col[k] + 1);
        col[k] = (int)i;
    }
    for (int k = 0; k < n_required; k++)
        if (col[k] < 0)
            return ra_csvtok_error(r, RA_EPARSE, r->rec_line, r->nf + 1, err,
                                   "the header has no %s column (%s)", names[k], layout);
    return RA_OK;
}

ra_status ra_csvtok_named_rows(const char *data, size_t size, const char *source,
                               const char *const *names, int n_cols, int n_required,
                               const char *format, const char *layout, const char *what,
                               void **rows, size_t *n, size_t elem, ra_csvtok_row_fn *row,
                               void *ctx, ra_err *err)
{
    ra_status rc = ra_csvtok_check_size(source, size, err);
    if (rc != RA_OK)
        return rc;
    csv_reader r;
    ra_csvtok_init(&r, data, size, source);
    int col[16];
    char *hdr[16] = {0};
    size_t cap = 0;
    if (n_cols > 16)
        rc = ra_err_set(err, RA_EINVAL, NULL, "at most 16 named columns, got %d", n_cols);
    if (rc == RA_OK)
        rc = ra_csvtok_named_header(&r, names, n_cols, n_required, format, layout, col, err);
    size_t width = r.nf;
    for (int k = 0; rc == RA_OK && k < n_cols; k++)
        if (col[k] >= 0)
            hdr[col[k]] = (char *)names[k];
    r.names = hdr;
    r.n_names = width < 16 ? width : 16;
    while (rc == RA_OK) {
        int eof = 0;
        if ((rc = ra_csvtok_next(&r, &eof, err)) != RA_OK || eof)
            break;
        if ((rc = ra_csvtok_check_width(&r, width, err)) != RA_OK)
            break;
        if (ra_grow(rows, &cap, *n + 1, elem)) {
            rc = ra_csvtok_nomem(err, what);
            break;
        }
        rc = row(ctx, &r, col, (char *)*rows + *n * elem, err);
        if (rc == RA_OK)
            (*n)++;
    }
    if (rc == RA_OK && *n == 0)
        rc = ra_err_set(err, RA_EPARSE, source, "the file has a header but no %s (%s)", what,
                        layout);
    ra_csvtok_free(&r);
    return rc;
}
