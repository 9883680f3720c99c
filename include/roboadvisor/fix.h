/* roboadvisor: FIX 4.4 tag=value messages (io layer, src/io/fix.c; docs/formats.md#fix): orders
 * out as NewOrderSingle (35=D) with pre-allocation groups, fills in as ExecutionReport (35=8).
 * Our own: Debian packages no C FIX engine (QuickFIX is C++ and not in Debian 12), and the engine
 * needs only these two messages, framed and checked (BodyLength 9, CheckSum 10).
 *
 * Messages are SOH-delimited (0x01). The parser never allocates: fields point into the caller's
 * buffer. Errors name the field ("fix:1:44 (Price)" = message 1, tag 44) and the byte offset,
 * never a value that could be personal data (FIX carries none here). */
#ifndef ROBOADVISOR_FIX_H
#define ROBOADVISOR_FIX_H

#include "date.h"
#include "money.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_FIX_SOH '\x01'
#define RA_FIX_MAX_FIELDS 256      /* fields in one message */
#define RA_FIX_MAX_MSG 65536       /* bytes of one message */
#define RA_FIX_MAX_ALLOCS 64       /* pre-allocation entries of one order */
#define RA_FIX_ID_MAX 64           /* bytes of an id (ClOrdID, ExecID, account) incl. NUL */

typedef struct ra_fix_field {
    int tag;
    const char *value;   /* into the parsed buffer, not NUL-terminated */
    size_t len;
} ra_fix_field;

typedef struct ra_fix_msg {
    char begin[16];      /* BeginString, e.g. "FIX.4.4" */
    char type[8];        /* MsgType (35) */
    size_t n;            /* fields after 35, before 10, in order */
    ra_fix_field f[RA_FIX_MAX_FIELDS];
    size_t size;         /* bytes of the whole message, 8= to the SOH after 10= */
} ra_fix_msg;

/* Parses one message at data[0..size): 8= first, 9= second with the exact body length, 35= third,
 * 10= last with the checksum (sum of the bytes before it, mod 256, three digits), tags positive
 * integers, no empty value. RA_EPARSE with err->where "NAME:MSG:TAG (FieldName)" and the byte
 * offset in the message. */
RA_API RA_NODISCARD ra_status ra_fix_parse(const char *data, size_t size, const char *name,
                                           size_t msg_no, ra_fix_msg *out, ra_err *err);
/* The first field with this tag, or NULL. */
RA_API const ra_fix_field *ra_fix_get(const ra_fix_msg *m, int tag);

typedef struct ra_fix_alloc {
    char account[RA_FIX_ID_MAX];
    ra_micro qty_micro;
} ra_fix_alloc;

typedef struct ra_fix_order {
    char sender[RA_FIX_ID_MAX], target[RA_FIX_ID_MAX]; /* 49, 56 */
    uint64_t seq;                  /* 34 MsgSeqNum */
    int64_t sending_time;          /* 52, Unix seconds UTC */
    char cl_ord_id[RA_FIX_ID_MAX]; /* 11: the deterministic order id */
    char symbol[RA_FIX_ID_MAX];    /* 55 */
    int side;                      /* 54: +1 buy ("1"), -1 sell ("2") */
    int64_t transact_time;         /* 60, Unix seconds UTC */
    ra_micro qty_micro;            /* 38 */
    ra_price limit;                /* 44 with 40=2 (limit); 0: 40=1 (market), no 44 */
    char handl_inst;               /* 21 HandlInst: '1' automated, private, no broker
                                    * intervention; 0: not sent (optional in FIX 4.4) */
    char account[RA_FIX_ID_MAX];   /* 1 Account ("" none: a block with allocations) */
    size_t n_allocs;               /* 78 NoAllocs, then 79 AllocAccount / 80 AllocQty each */
    ra_fix_alloc allocs[RA_FIX_MAX_ALLOCS];
} ra_fix_order;

/* Writes a NewOrderSingle into buf[0..cap) (NUL-terminated); *len its length without the NUL.
 * RA_EINVAL naming the field for a value that cannot be sent (a side, a quantity <= 0, an id with
 * a SOH or '=', allocations that do not sum to the quantity), RA_EINVAL if cap is too small. */
RA_API RA_NODISCARD ra_status ra_fix_encode_order(const ra_fix_order *o, char *buf, size_t cap,
                                                  size_t *len, ra_err *err);

/* Frames a message: "8=BEGIN<SOH>9=N<SOH>" + body[0..body_len) + "10=CCC<SOH>" into buf[0..cap)
 * (NUL-terminated), N the body's bytes, CCC the sum of every byte before 10= mod 256. The body
 * begins with 35= and ends with SOH (RA_EINVAL otherwise, or when cap is too small). */
RA_API RA_NODISCARD ra_status ra_fix_frame(const char *begin, const char *body, size_t body_len,
                                           char *buf, size_t cap, size_t *len, ra_err *err);

/* A fill from an ExecutionReport (35=8). */
typedef struct ra_fix_fill {
    char cl_ord_id[RA_FIX_ID_MAX];   /* 11 */
    char exec_id[RA_FIX_ID_MAX];     /* 17 */
    char exec_type;                  /* 150: '0' new, 'F' trade, '4' canceled, '8' rejected ... */
    char ord_status;                 /* 39 */
    char symbol[RA_FIX_ID_MAX];      /* 55 */
    int side;                        /* 54: +1 buy, -1 sell */
    ra_micro last_qty_micro;         /* 32 (0 when not a trade) */
    ra_price last_px;                /* 31 */
    ra_micro cum_qty_micro;          /* 14 */
    ra_price avg_px;                 /* 6 (0 if absent) */
    ra_micro leaves_qty_micro;       /* 151 */
    int64_t transact_time;           /* 60, Unix seconds UTC (0 if absent) */
} ra_fix_fill;

/* Reads an ExecutionReport: RA_EPARSE naming the tag for a missing required field (11, 17, 150,
 * 39, 55, 54) or a value that is not a number, a side or a time; a message of another type is
 * RA_EINVAL. */
RA_API RA_NODISCARD ra_status ra_fix_fill_from(const ra_fix_msg *m, const char *name,
                                               size_t msg_no, ra_fix_fill *out, ra_err *err);

/* One trade of a file of ExecutionReports, with the message it came from. */
typedef struct ra_fix_trade {
    ra_fix_fill f;
    size_t msg_no;     /* 1-based count of the message in the file */
    ra_date date;      /* TransactTime's UTC day */
} ra_fix_trade;

/* Reads a file of ExecutionReports (messages one after another, white space between them
 * allowed): every message framed and read (ra_fix_parse, ra_fix_fill_from); a message of another
 * type is RA_EPARSE naming tag 35. A trade (ExecType F, or 1/2 of FIX 4.2) must carry LastQty and
 * LastPx above 0, CumQty and TransactTime (RA_EPARSE naming the tag); the trades go to *out
 * (ra_free; NULL when none) in file order, *n_msgs counts every message. An empty file is
 * RA_EPARSE. On error *out is NULL. */
RA_API RA_NODISCARD ra_status ra_fix_trades_parse(const char *data, size_t size,
                                                  const char *name, ra_fix_trade **out,
                                                  size_t *n, size_t *n_msgs, ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
