/* Readers of the market files of the demo generator (include/roboadvisor/market_io.h): ETF
 * descriptions, dividend and split events of shared/data. Moved here from the generator (issue
 * 11: io reads outside formats, the engine decides what they mean). Codes and text follow the
 * rules of rules.h; amounts use the exact decimal parsers of money.h. */
#include <roboadvisor/market_io.h>
#include <roboadvisor/rules.h>

#include "io/csv_int.h"

#include <stdio.h>
#include <string.h>

#define HEADER_NAME_MAX 64 /* bytes of a header name kept for messages */
#define MAX_COLS 4

typedef ra_status (*row_fn)(const csv_reader *rd, const csv_field *f, void *dst, ra_err *err);

/* Reads a CSV with a header row and `ncols` fields a row into an array of elem-byte elements,
 * calling row() for each data row (dst zeroed). out is the caller's T ** (ra_put_ptr); without
 * data (size > 0) or a place for the result: RA_EINVAL "WHO data and outputs" ("ETF descriptions
 * need"). */
static ra_status read_rows(const char *data, size_t size, const char *source, const char *who,
                           size_t ncols, size_t elem, void *out, size_t *n, row_fn row,
                           ra_err *err)
{
    if (!out || !n || (!data && size))
        return ra_err_set(err, RA_EINVAL, NULL, "%s data and outputs", who);
    ra_put_ptr(out, NULL);
    *n = 0;
    ra_status rc = ra_csvtok_check_size(source, size, err);
    if (rc != RA_OK)
        return rc;
    csv_reader rd;
    ra_csvtok_init(&rd, data, size, source);
    char *arr = NULL;
    size_t cnt = 0, cap = 0;
    int eof = 0, header = 1;
    char hdr[MAX_COLS][HEADER_NAME_MAX];
    char *names[MAX_COLS];
    while ((rc = ra_csvtok_next(&rd, &eof, err)) == RA_OK && !eof) {
        if (rd.nf != ncols) {
            rc = ra_csvtok_error(&rd, RA_EPARSE, rd.rec_line, rd.nf > ncols ? ncols + 1 : rd.nf,
                                 err, "expected %zu fields, got %zu", ncols, rd.nf);
            break;
        }
        if (header) { /* keep the header's names for messages ("x.csv:2:4 (Fund Type)") */
            header = 0;
            for (size_t k = 0; k < ncols; k++) {
                size_t len = rd.f[k].len < HEADER_NAME_MAX - 1 ? rd.f[k].len : HEADER_NAME_MAX - 1;
                memcpy(hdr[k], rd.f[k].s, len);
                hdr[k][len] = 0;
                names[k] = hdr[k];
            }
            rd.names = names;
            rd.n_names = ncols;
            continue;
        }
        if (ra_grow((void **)&arr, &cap, cnt + 1, elem)) {
            rc = ra_csvtok_nomem(err, "the rows");
            break;
        }
        memset(arr + cnt * elem, 0, elem);
        if ((rc = row(&rd, rd.f, arr + cnt * elem, err)) != RA_OK)
            break;
        cnt++;
    }
    if (rc == RA_OK && header)
        rc = ra_err_set(err, RA_EPARSE, source, "no header row");
    ra_csvtok_free(&rd);
    if (rc != RA_OK) {
        ra_free(arr);
        return rc;
    }
    ra_put_ptr(out, arr);
    *n = cnt;
    return RA_OK;
}

/* field f (column col, 1-based) as a code into out[RA_CODE_MAX] */
static ra_status code_cell(const csv_reader *rd, const csv_field *f, size_t col, const char *what,
                           char *out, ra_err *err)
{
    const char *s = f->s;
    size_t n = f->len;
    ra_csvtok_trim(&s, &n);
    ra_err e;
    char vb[RA_CSV_SHOW_CAP];
    if (ra_rule_code_check(s, n, what, &e) != RA_OK)
        return ra_csvtok_error(rd, RA_EPARSE, f->line, col, err, "%s: %s", e.msg,
                               ra_csvtok_show(vb, s, n));
    memcpy(out, s, n);
    out[n] = 0;
    return RA_OK;
}

/* field f as text of at most cap - 1 bytes */
static ra_status text_cell(const csv_reader *rd, const csv_field *f, size_t col, const char *what,
                           char *out, size_t cap, ra_err *err)
{
    const char *s = f->s;
    size_t n = f->len;
    ra_csvtok_trim(&s, &n);
    ra_err e;
    char vb[RA_CSV_SHOW_CAP];
    if (ra_rule_text_check(s, n, cap, what, &e) != RA_OK)
        return ra_csvtok_error(rd, RA_EPARSE, f->line, col, err, "%s: %s", e.msg,
                               ra_csvtok_show(vb, s, n));
    memcpy(out, s, n);
    out[n] = 0;
    return RA_OK;
}

static ra_status etf_row(const csv_reader *rd, const csv_field *f, void *dst, ra_err *err)
{
    ra_market_etf *e = dst;
    e->line = rd->rec_line;
    ra_status rc = code_cell(rd, &f[0], 1, "ticker", e->ticker, err);
    if (rc == RA_OK)
        rc = text_cell(rd, &f[1], 2, "name", e->name, sizeof e->name, err);
    if (rc == RA_OK)
        rc = text_cell(rd, &f[2], 3, "focus", e->focus, sizeof e->focus, err);
    if (rc == RA_OK)
        rc = text_cell(rd, &f[3], 4, "type", e->type, sizeof e->type, err);
    return rc;
}

ra_status ra_market_etfs_parse(const char *data, size_t size, const char *source,
                               ra_market_etf **out, size_t *n, ra_err *err)
{
    return read_rows(data, size, source, "ETF descriptions need", 4, sizeof(ra_market_etf), out, n,
                     etf_row, err);
}

/* date and ticker of an event row; *v, *vn: its third field, trimmed */
static ra_status event_head(const csv_reader *rd, const csv_field *f, ra_date *date, char *ticker,
                            const char **v, size_t *vn, ra_err *err)
{
    const char *s = f[0].s;
    size_t n = f[0].len;
    ra_csvtok_trim(&s, &n);
    ra_err e = {0};
    if (ra_date_parse(s, n, date, &e) != RA_OK)
        return ra_csvtok_error(rd, RA_EPARSE, f[0].line, 1, err, "%s", e.msg);
    *v = f[2].s;
    *vn = f[2].len;
    ra_csvtok_trim(v, vn);
    return code_cell(rd, &f[1], 2, "ticker", ticker, err);
}

static ra_status dividend_row(const csv_reader *rd, const csv_field *f, void *dst, ra_err *err)
{
    ra_dividend *dv = dst;
    const char *s;
    size_t n;
    ra_status rc = event_head(rd, f, &dv->ex_date, dv->ticker, &s, &n, err);
    ra_err e = {0};
    if (rc != RA_OK)
        return rc;
    char vb[RA_CSV_SHOW_CAP];
    if (ra_money_parse_price(s, n, &dv->amount, &e) != RA_OK || dv->amount <= 0)
        return ra_csvtok_error(rd, RA_EPARSE, f[2].line, 3, err,
                               "dividend must be a positive amount with at most 6 decimals, "
                               "got %s",
                               ra_csvtok_show(vb, s, n));
    return RA_OK;
}

static ra_status split_row(const csv_reader *rd, const csv_field *f, void *dst, ra_err *err)
{
    ra_split *sp = dst;
    const char *s;
    size_t n;
    ra_status rc = event_head(rd, f, &sp->date, sp->ticker, &s, &n, err);
    if (rc != RA_OK)
        return rc;
    ra_err e = {0};
    if (ra_money_ratio_parse(s, n, &sp->ratio, &e) != RA_OK ||
        ra_rule_split_ratio_check(&sp->ratio, &e) != RA_OK)
        return ra_csvtok_error(rd, RA_EPARSE, f[2].line, 3, err, "%s", e.msg);
    return RA_OK;
}

/* The two event files: a header and rows of date, ticker and one value. */
#define EVENTS_WHO "event file parsing needs"

ra_status ra_market_dividends_parse(const char *data, size_t size, const char *source,
                                    ra_dividend **out, size_t *n, ra_err *err)
{
    return read_rows(data, size, source, EVENTS_WHO, 3, sizeof(ra_dividend), out, n, dividend_row,
                     err);
}

ra_status ra_market_splits_parse(const char *data, size_t size, const char *source,
                                 ra_split **out, size_t *n, ra_err *err)
{
    return read_rows(data, size, source, EVENTS_WHO, 3, sizeof(ra_split), out, n, split_row, err);
}
