/* roboadvisor: block orders in the book (store layer; src/store/store_blocks.c, schema
 * src/store/migrations/0012_blocks.sql, docs/methodology.md#block-orders).
 *
 * A block pools open orders of one firm, day, security and side; its code is deterministic:
 * "B-YYYY-MM-DD-TICKER-BUY" or "-SELL", "-F" appended when its members trade fractional shares
 * (step 1 micro-share) rather than whole lots, and "-2", "-3", ... for a later block of the same
 * key. A fill of a block is allocated to its members (ra_block_allocate, blocks.h) pro rata to the
 * quantity each has open in the block, in whole steps, ties by a seeded random order; the seed is
 * FNV-1a 64 (ra_hash_str) of "CODE/N" for the block's fill N (1, 2, ...), stored in hex with the
 * allocation; each member's share becomes that order's fill through ra_store_order_fill (lots,
 * ledger, audit, wash-sale windows as for any fill). Everything is audited (entity "block", id
 * the block's code). */
#ifndef ROBOADVISOR_STORE_BLOCKS_H
#define ROBOADVISOR_STORE_BLOCKS_H

#include "store_cycle.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_BLOCK_MAX_MEMBERS 4096 /* orders of one block */

/* An open order of a day that no block holds, with what pooling needs to know. */
typedef struct ra_block_candidate {
    ra_cycle_order order;
    int discretionary; /* its proposal's */
    int fractional;    /* its account's mandate on the order's day trades fractional shares */
    int64_t lot_size;  /* the security's whole shares per lot (>= 1) */
} ra_block_candidate;

typedef struct ra_block_member {
    char order[RA_CYCLE_ID_MAX];
    char account[RA_CODE_MAX];
    ra_micro qty_micro;    /* what it put in the block */
    ra_micro filled_micro; /* the order's filled quantity now */
    char status[RA_CYCLE_STATUS_MAX]; /* the order's */
} ra_block_member;

typedef struct ra_block {
    char id[RA_CYCLE_ID_MAX];
    ra_date date;
    char ticker[RA_CODE_MAX];
    int side;                         /* +1 buy, -1 sell */
    ra_micro step_micro;              /* the allocation's step */
    ra_micro qty_micro;               /* the members' sum */
    ra_micro filled_micro;
    char status[RA_CYCLE_STATUS_MAX]; /* "open", "partial", "filled" */
    size_t n_members;
    ra_block_member *members;         /* by member number (1..n); owned by the list */
    size_t n_fills;                   /* fills recorded */
} ra_block;

/* The firm's open orders of `day` (status "open", nothing filled, at market) held by no block, by
 * order id (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_block_candidates(ra_store *s, const char *firm, ra_date day,
                                                        ra_block_candidate **out, size_t *n,
                                                        ra_err *err);
/* Stores block b (id, date, ticker, side, step, members with qty: the rest is derived), audited
 * (action "form"). RA_ECONFLICT when its id is taken or a member is in a block already,
 * RA_EINVAL for fewer than 2 members or a member's quantity that is not whole steps. */
RA_API RA_NODISCARD ra_status ra_store_block_put(ra_store *s, const ra_store_actor *actor,
                                                 const ra_block *b, ra_err *err);
/* The firm's blocks of `day` (0: every day) by id, each with its members (free with
 * ra_blocks_free). */
RA_API RA_NODISCARD ra_status ra_store_blocks_list(ra_store *s, const char *firm, ra_date day,
                                                   ra_block **out, size_t *n, ra_err *err);
/* One block by id: RA_ENOTFOUND when there is none (free with ra_blocks_free(out, 1)). */
RA_API RA_NODISCARD ra_status ra_store_block_get(ra_store *s, const char *firm, const char *id,
                                                 ra_block *out, ra_err *err);
RA_API void ra_blocks_free(ra_block *b, size_t n);

/* The block that holds order `order` of the firm into block[] ("" when none, or on a schema
 * before the block tables). */
RA_API RA_NODISCARD ra_status ra_store_order_block(ra_store *s, const char *firm,
                                                   const char *order,
                                                   char block[RA_CYCLE_ID_MAX], ra_err *err);

/* One member's share of a block fill. */
typedef struct ra_block_share {
    char order[RA_CYCLE_ID_MAX];
    char account[RA_CODE_MAX];
    ra_micro open_micro;  /* what it had open before the fill */
    ra_micro qty_micro;   /* its share */
    uint32_t tie_rank;    /* its place in the seeded order (0 first) */
} ra_block_share;

/* Records a fill of qty at price on date for block id (exec_id: the broker's ExecID, "" none) and
 * allocates it: every member with a share > 0 gets that order's fill at the same price (fees 0).
 * shares (may be NULL) receives n_members entries, *seed (may be NULL) the seed used. RA_ENOTFOUND
 * for an unknown block, RA_ECONFLICT for more than the block has open or a quantity that is not
 * whole steps. Audited (action "fill"). */
RA_API RA_NODISCARD ra_status ra_store_block_fill(ra_store *s, const ra_store_actor *actor,
                                                  const char *id, const char *exec_id,
                                                  ra_micro qty_micro, ra_price price, ra_date date,
                                                  ra_block_share *shares, uint64_t *seed,
                                                  ra_err *err);

/* Whether the firm has imported the broker's execution exec_id (*seen 1). */
RA_API RA_NODISCARD ra_status ra_store_fill_exec_seen(ra_store *s, const char *firm,
                                                      const char *exec_id, int *seen,
                                                      ra_err *err);
/* Records it (of order or block cl_ord_id), audited (entity "fill_exec", id cl_ord_id).
 * RA_ECONFLICT when it is recorded already. */
RA_API RA_NODISCARD ra_status ra_store_fill_exec_put(ra_store *s, const ra_store_actor *actor,
                                                     const char *exec_id, const char *cl_ord_id,
                                                     ra_date date, ra_micro qty_micro,
                                                     ra_price price, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
