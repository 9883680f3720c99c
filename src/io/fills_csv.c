/* The fills file of `roboadvisor import fills` (include/roboadvisor/fills_io.h,
 * docs/formats.md#fills), read with the shared CSV tokenizer (csv_int.h). */
#include <roboadvisor/fills_io.h>
#include <roboadvisor/rules.h>
#include "io/csv_int.h"

#include <stdio.h>
#include <string.h>

enum { COL_ORDER, COL_DATE, COL_QTY, COL_PRICE, COL_FEES, N_COLS };
static const char *const col_names[N_COLS] = {"order_id", "date", "qty", "price", "fees"};
#define LAYOUT "order_id,date,qty,price,fees (fees optional)"

/* One row into *x; col[] as read_header made it. */
static ra_status read_row(void *ctx, const csv_reader *r, const int *col, void *out,
                          ra_err *err)
{
    const int minor_digits = *(const int *)ctx;
    ra_fill_row *x = out;
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
    for (int k = 0; k < COL_FEES; k++)
        if (n[k] == 0)
            return ra_csvtok_error(r, RA_EPARSE, AT(k), err, "missing %s", col_names[k]);
    int ok = n[COL_ORDER] < sizeof x->order;
    for (size_t i = 0; ok && i < n[COL_ORDER]; i++)
        ok = ra_rule_code_byte(s[COL_ORDER][i]);
    if (!ok)
        return ra_csvtok_error(r, RA_EPARSE, AT(COL_ORDER), err,
                               "order_id must be 1 to %d letters, digits, '.', '-' or '_': %s",
                               RA_FILL_ORDER_MAX - 1,
                               ra_csvtok_show(vb, s[COL_ORDER], n[COL_ORDER]));
    memcpy(x->order, s[COL_ORDER], n[COL_ORDER]);
    if (ra_date_parse(s[COL_DATE], n[COL_DATE], &x->date, NULL) != RA_OK)
        return ra_csvtok_error(r, RA_EPARSE, AT(COL_DATE), err, "%s: %s",
                               ra_csvtok_date_problem(s[COL_DATE], n[COL_DATE]),
                               ra_csvtok_show(vb, s[COL_DATE], n[COL_DATE]));
    ra_err e2 = {0};
    if (ra_money_parse_qty(s[COL_QTY], n[COL_QTY], &x->qty_micro, &e2) != RA_OK)
        return ra_csvtok_error(r, RA_EPARSE, AT(COL_QTY), err, "qty: %s", e2.msg);
    if (x->qty_micro <= 0)
        return ra_csvtok_error(r, RA_EPARSE, AT(COL_QTY), err, "qty must be above 0: %s",
                               ra_csvtok_show(vb, s[COL_QTY], n[COL_QTY]));
    if (ra_money_parse_price(s[COL_PRICE], n[COL_PRICE], &x->price, &e2) != RA_OK)
        return ra_csvtok_error(r, RA_EPARSE, AT(COL_PRICE), err, "price: %s", e2.msg);
    if (x->price <= 0)
        return ra_csvtok_error(r, RA_EPARSE, AT(COL_PRICE), err, "price must be above 0: %s",
                               ra_csvtok_show(vb, s[COL_PRICE], n[COL_PRICE]));
    if (n[COL_FEES] > 0) {
        if (ra_money_parse_minor(s[COL_FEES], n[COL_FEES], minor_digits, &x->fees_minor, &e2) !=
            RA_OK)
            return ra_csvtok_error(r, RA_EPARSE, AT(COL_FEES), err, "fees: %s", e2.msg);
        if (x->fees_minor < 0)
            return ra_csvtok_error(r, RA_EPARSE, AT(COL_FEES), err, "fees may not be negative: %s",
                                   ra_csvtok_show(vb, s[COL_FEES], n[COL_FEES]));
    }
#undef AT
    return RA_OK;
}

void ra_fills_destroy(ra_fills *f)
{
    if (f)
        RA_FREE_ALL(f->rows, f->source, f);
}

ra_status ra_fills_parse(const char *data, size_t size, const char *source, int minor_digits,
                         ra_fills **out, ra_err *err)
{
    if (!out)
        return ra_err_set(err, RA_EINVAL, NULL, "reading fills needs an output");
    *out = NULL;
    if (minor_digits != 0 && minor_digits != 2 && minor_digits != 3)
        return ra_err_set(err, RA_EINVAL, NULL, "minor digits must be 0, 2 or 3, got %d",
                          minor_digits);
    if (!source)
        source = "input";
    ra_fills *f = ra_calloc(1, sizeof *f);
    ra_status rc = RA_OK;
    int digits = minor_digits;
    if (!f || !(f->source = ra_strdup(source)))
        rc = ra_csvtok_nomem(err, "the fills");
    else
        rc = ra_csvtok_named_rows(data, size, source, col_names, N_COLS, COL_FEES, "fills",
                                  LAYOUT, "fills", (void **)&f->rows, &f->n, sizeof *f->rows,
                                  read_row, &digits, err);
    if (rc != RA_OK) {
        ra_fills_destroy(f);
        return rc;
    }
    *out = f;
    return RA_OK;
}

ra_status ra_fills_read(const char *path, int minor_digits, ra_fills **out, ra_err *err)
{
    if (!out)
        return ra_err_set(err, RA_EINVAL, NULL, "reading fills needs an output");
    *out = NULL;
    char *data = NULL;
    size_t size = 0;
    ra_status rc = ra_file_read(path, RA_CSV_MAX_FILE, &data, &size, err);
    if (rc != RA_OK)
        return rc;
    rc = ra_fills_parse(data, size, path, minor_digits, out, err);
    ra_free(data);
    return rc;
}
