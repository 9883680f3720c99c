/* roboadvisor: recording a broker's fills of open orders (engine layer; src/engine/fills.c,
 * docs/cli.md#import, docs/formats.md#fills).
 *
 * A fills file (fills_io.h) is applied in one write scope of the store: every row through
 * ra_store_order_fill (store_cycle.h: the order's filled quantity and status, a buy or sell
 * transaction on the account, audited), or nothing at all. A row for an order that does not exist
 * is RA_ENOTFOUND; a row for a cancelled or filled order, or whose quantity (with the rows of the
 * file before it) is more than the order has open, RA_ECONFLICT; a row dated before its order
 * RA_EINVAL. err->where is then "FILE:LINE" of the row.
 *
 * Re-importing: a row equal to a fill already in the book (the order's account holds a buy or sell
 * of the order's security and side, dated on or after the order's day, with the same date, qty,
 * price and fees, not yet matched by an earlier row of the file) is taken as recorded and skipped,
 * so importing the same file twice, or a file that extends an earlier one, records each fill once.
 * The cost of the rule: a second fill identical in all four values to one already recorded must
 * come in the same file as the first. */
#ifndef ROBOADVISOR_ENGINE_FILLS_H
#define ROBOADVISOR_ENGINE_FILLS_H

#include "engine_book.h"
#include "fills_io.h"
#include "store_cycle.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One order the file names, as it stands after the import. */
typedef struct ra_fills_order {
    char order[RA_CYCLE_ID_MAX];
    char account[RA_CODE_MAX];
    char ticker[RA_CODE_MAX];
    int side;                         /* +1 buy, -1 sell */
    ra_micro qty_micro;               /* the order's quantity */
    ra_micro filled_before_micro;     /* filled before the import */
    ra_micro filled_micro;            /* filled after it */
    char status[RA_CYCLE_STATUS_MAX]; /* "open", "partial", "filled" */
    size_t rows_applied, rows_skipped;
} ra_fills_order;

typedef struct ra_fills_result {
    size_t rows;            /* rows of the file */
    size_t applied;         /* fills recorded now */
    size_t skipped;         /* rows already in the book */
    size_t filled;          /* orders named that are filled after the import */
    size_t partial;         /* ... partially filled */
    ra_fills_order *orders; /* n_orders, in order of first appearance in the file */
    size_t n_orders;
} ra_fills_result;

/* Applies the fills f to actor->firm's orders (see above). On error nothing is written and *res
 * is empty. Free res with ra_fills_result_free. */
RA_API RA_NODISCARD ra_status ra_fills_apply(ra_store *s, const ra_store_actor *actor,
                                             const ra_fills *f, ra_fills_result *res,
                                             ra_err *err);
/* Reads the file at path (fees in the firm's minor digits) and applies it to the open book. */
RA_API RA_NODISCARD ra_status ra_book_import_fills(ra_book *b, const char *path,
                                                   ra_fills_result *res, ra_err *err);
RA_API void ra_fills_result_free(ra_fills_result *res);
/* The day of an order id: orders are "P-YYYY-MM-DD-ACCOUNT[-K]-N", dated their proposal's day
 * (store_cycle.h); 0 for an id of another form, which names no order. */
RA_API ra_date ra_fills_order_day(const char *id);

#ifdef __cplusplus
}
#endif
#endif
