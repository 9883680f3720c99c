/* The intraday price snapshot of `roboadvisor monitor` (include/roboadvisor/snapshot.h,
 * docs/formats.md#intraday-snapshot), read with the shared CSV tokenizer (csv_int.h). */
#include <roboadvisor/riskrules.h>
#include <roboadvisor/snapshot.h>
#include "io/csv_int.h"

#include <stdio.h>
#include <string.h>

enum { COL_TICKER, COL_PRICE, COL_TIME, N_COLS };
static const char *const col_names[N_COLS] = {"ticker", "price", "time"};
#define LAYOUT "ticker,price,time (time optional)"

/* The index of the first of rows[0..n) with ticker t, or n. Snapshots hold a firm's shelf (tens
 * to a few thousand rows): a linear look-up per row stays well under the file's reading. */
static size_t find(const ra_snapshot_row *rows, size_t n, const char *t)
{
    size_t i = 0;
    while (i < n && strcmp(rows[i].ticker, t) != 0)
        i++;
    return i;
}

/* One row into *out (the snapshot ctx has the rows before it); col[] as the header gave it. */
static ra_status read_row(void *ctx, const csv_reader *r, const int *col, void *out, ra_err *err)
{
    const ra_snapshot *sn = ctx;
    ra_snapshot_row *x = out;
    const char *s[N_COLS];
    size_t n[N_COLS];
    for (int k = 0; k < N_COLS; k++) {
        s[k] = "";
        n[k] = 0;
        if (col[k] >= 0) {
            s[k] = r->f[col[k]].s;
            n[k] = r->f[col[k]].len;
            ra_csvtok_trim(&s[k], &n[k]);
        }
    }
#define AT(k) r->f[col[k]].line, (size_t)col[k] + 1
    char vb[RA_CSV_SHOW_CAP];
    memset(x, 0, sizeof *x);
    x->line = r->rec_line;
    x->minute = -1;
    for (int k = 0; k < COL_TIME; k++)
        if (n[k] == 0)
            return ra_csvtok_error(r, RA_EPARSE, AT(k), err, "missing %s", col_names[k]);
    int ok = n[COL_TICKER] < sizeof x->ticker;
    for (size_t i = 0; ok && i < n[COL_TICKER]; i++)
        ok = ra_rule_code_byte(s[COL_TICKER][i]);
    if (!ok)
        return ra_csvtok_error(r, RA_EPARSE, AT(COL_TICKER), err,
                               "ticker must be 1 to %d letters, digits, '.', '-' or '_': %s",
                               RA_CODE_MAX - 1, ra_csvtok_show(vb, s[COL_TICKER], n[COL_TICKER]));
    memcpy(x->ticker, s[COL_TICKER], n[COL_TICKER]);
    ra_err e2 = {0};
    if (ra_money_parse_price(s[COL_PRICE], n[COL_PRICE], &x->price, &e2) != RA_OK)
        return ra_csvtok_error(r, RA_EPARSE, AT(COL_PRICE), err, "price: %s", e2.msg);
    if (x->price <= 0)
        return ra_csvtok_error(r, RA_EPARSE, AT(COL_PRICE), err, "price must be above 0: %s",
                               ra_csvtok_show(vb, s[COL_PRICE], n[COL_PRICE]));
    if (n[COL_TIME] > 0) {
        char t[8] = "";
        if (n[COL_TIME] < sizeof t)
            memcpy(t, s[COL_TIME], n[COL_TIME]);
        if (n[COL_TIME] >= sizeof t || ra_risk_close_parse(t, &x->minute, NULL) != RA_OK)
            return ra_csvtok_error(r, RA_EPARSE, AT(COL_TIME), err,
                                   "time must be HH:MM from 00:00 to 23:59: %s",
                                   ra_csvtok_show(vb, s[COL_TIME], n[COL_TIME]));
    }
    size_t dup = find(sn->rows, sn->n, x->ticker);
    if (dup < sn->n)
        return ra_csvtok_error(r, RA_EPARSE, AT(COL_TICKER), err,
                               "ticker %s appears twice (also line %u)", x->ticker,
                               (unsigned)sn->rows[dup].line);
#undef AT
    return RA_OK;
}

void ra_snapshot_destroy(ra_snapshot *s)
{
    if (s)
        RA_FREE_ALL(s->rows, s->source, s);
}

ra_status ra_snapshot_parse(const char *data, size_t size, const char *source, ra_snapshot **out,
                            ra_err *err)
{
    if (!out)
        return ra_err_set(err, RA_EINVAL, NULL, "reading a snapshot needs an output");
    *out = NULL;
    if (!source)
        source = "input";
    ra_snapshot *sn = ra_calloc(1, sizeof *sn);
    ra_status rc = RA_OK;
    if (!sn || !(sn->source = ra_strdup(source)))
        rc = ra_csvtok_nomem(err, "the snapshot");
    else
        rc = ra_csvtok_named_rows(data, size, source, col_names, N_COLS, COL_TIME, "snapshot",
                                  LAYOUT, "prices", (void **)&sn->rows, &sn->n, sizeof *sn->rows,
                                  read_row, sn, err);
    if (rc != RA_OK) {
        ra_snapshot_destroy(sn);
        return rc;
    }
    *out = sn;
    return RA_OK;
}

ra_status ra_snapshot_read(const char *path, ra_snapshot **out, ra_err *err)
{
    if (!out)
        return ra_err_set(err, RA_EINVAL, NULL, "reading a snapshot needs an output");
    *out = NULL;
    char *data = NULL;
    size_t size = 0;
    ra_status rc = ra_file_read(path, RA_CSV_MAX_FILE, &data, &size, err);
    if (rc != RA_OK)
        return rc;
    rc = ra_snapshot_parse(data, size, path, out, err);
    ra_free(data);
    return rc;
}
