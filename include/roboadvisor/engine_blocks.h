/* roboadvisor: block orders, the orders file for the broker, and the broker's FIX executions
 * (engine layer; src/engine/blocks.c, src/engine/fix_fills.c; docs/cli.md#orders-export,
 * docs/formats.md#fix, docs/methodology.md#block-orders). */
#ifndef ROBOADVISOR_ENGINE_BLOCKS_H
#define ROBOADVISOR_ENGINE_BLOCKS_H

#include "engine_book.h"
#include "engine_fills.h"
#include "store_blocks.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which open orders are pooled: the market orders of discretionary accounts (the default), of
 * every account, or none. */
typedef enum ra_block_pool {
    RA_POOL_DISCRETIONARY = 0,
    RA_POOL_ALL,
    RA_POOL_NONE
} ra_block_pool;

#define RA_BLOCK_ORDERS_MAX 64 /* orders of one block (the FIX pre-allocation entries of one
                                * NewOrderSingle, RA_FIX_MAX_ALLOCS): more make several blocks */

/* Pools the firm's open orders of `day` held by no block: one block per security, side and step
 * (the security's lot for whole-lot mandates, 1 micro-share for fractional ones) with at least 2
 * orders, each order's quantity whole steps; more than RA_BLOCK_ORDERS_MAX orders of one key make
 * several blocks (in order-id order). Ids "B-YYYY-MM-DD-TICKER-BUY|SELL[-F][-K]". Each block is
 * stored and audited (store_blocks.h). *made (may be NULL) counts the new blocks. Running it again
 * makes none. */
RA_API RA_NODISCARD ra_status ra_blocks_form(ra_store *s, const ra_store_actor *actor,
                                             ra_date day, ra_block_pool pool, size_t *made,
                                             ra_err *err);

typedef enum ra_export_format { RA_EXPORT_CSV = 0, RA_EXPORT_FIX } ra_export_format;

typedef struct ra_export_settings {
    ra_date day;
    ra_export_format format;
    const char *sender;   /* FIX SenderCompID (49); NULL: the firm's code */
    const char *target;   /* FIX TargetCompID (56); NULL: "BROKER" */
    int at_seconds;       /* TransactTime and SendingTime: day + at_seconds UTC (default 72000,
                           * 20:00:00: the file is the same on every export) */
    int pipe;             /* 1: '|' shown for SOH after framing (a display form: not valid FIX) */
} ra_export_settings;

void ra_export_settings_default(ra_export_settings *x);

/* The firm's open and partly filled orders of x->day not held by a block, then its blocks of the
 * day not filled, as CSV (a header and one row each) or FIX NewOrderSingle messages (one a line,
 * MsgSeqNum 1, 2, ...). What is exported is what is open: the quantity less what is filled.
 * *text is ra_malloc'd (NUL-terminated, *len bytes); *n_orders and *n_blocks count the rows. */
RA_API RA_NODISCARD ra_status ra_orders_export(ra_store *s, const char *firm,
                                               const ra_export_settings *x, char **text,
                                               size_t *len, size_t *n_orders, size_t *n_blocks,
                                               ra_err *err);

/* 1 when data (a fills file) begins with a FIX message ("8=FIX"). */
RA_API int ra_fills_data_is_fix(const char *data, size_t size);

/* Applies the FIX ExecutionReports (35=8) in data[0..size) (source names the file in errors):
 * every message framed and checked (BodyLength, CheckSum) and read first, then in one write scope
 * each trade (ExecType F, or 1/2 of FIX 4.2) not imported before (by ExecID) becomes a fill of its
 * order, or for a block id the block's fill allocated to its orders; other reports are counted and
 * skipped. CumQty (14) must equal what the order or block had filled plus LastQty, Symbol and Side
 * must be the order's. Errors: err->where "FILE:MSG:TAG (Name)", MSG the message's number (its
 * line when one message a line). Results as ra_fills_apply's (engine_fills.h); rows = messages. */
RA_API RA_NODISCARD ra_status ra_fix_fills_apply(ra_store *s, const ra_store_actor *actor,
                                                 const char *data, size_t size,
                                                 const char *source, ra_fills_result *res,
                                                 ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
