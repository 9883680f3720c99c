/* roboadvisor: the wash-sale rule over a household's book (src/core/washsale.c). Pure: the caller
 * (the engine) turns every account's ledger into acquisition and relief events; this applies the
 * rule of IRS Publication 550 ("Wash Sales") and 26 CFR 1.1091-1/-2 to them and returns, per lot
 * part sold, the cost after adjustments, the gain and the disallowed loss, and the open lots with
 * their basis adjustments and holding periods. Method, ordering and rounding:
 * docs/methodology.md#wash-sales.
 *
 * Units: money ra_minor of one currency, quantities ra_micro, dates ra_date (days).
 * Memory: ra_wash_compute allocates its result (ra_malloc); free it with ra_wash_result_destroy.
 * Events are borrowed. */
#ifndef ROBOADVISOR_WASHSALE_H
#define ROBOADVISOR_WASHSALE_H

#include "date.h"
#include "money.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_WASH_WINDOW_DAYS_US 30   /* 30 calendar days before and after the sale (IRC 1091) */
#define RA_WASH_WINDOW_DAYS_MAX 366 /* longest window accepted */

typedef struct ra_wash_settings {
    int window_days; /* acquisitions from date - window to date + window replace (default 30) */
} ra_wash_settings;

RA_API void ra_wash_settings_default(ra_wash_settings *s);
/* RA_EINVAL unless 0 <= window_days <= RA_WASH_WINDOW_DAYS_MAX (checked by ra_wash_compute and
 * by the callers that take a window from their own options). */
RA_API ra_status ra_wash_window_check(int window_days, ra_err *err);

typedef enum ra_wash_kind {
    RA_WASH_ACQUIRE = 1, /* a lot comes into an account of the household */
    RA_WASH_RELIEVE,     /* part of a lot leaves: sold (sale != 0) or transferred out (sale 0) */
    RA_WASH_SPLIT        /* a split changed the lot's quantity to qty_micro (the ledger's new
                          * quantity); its pieces are rescaled, basis and dates kept */
} ra_wash_kind;

/* One event. The events of a household are given in book order: by date, then in the order the
 * book recorded them (the parts of one sale consecutive, in the order the ledger relieved them). */
typedef struct ra_wash_event {
    ra_wash_kind kind;
    uint32_t account;        /* index < n_accounts */
    uint32_t security;       /* the same value means substantially identical shares */
    ra_date date;            /* trade date */
    uint64_t lot;            /* household-unique lot key (the caller maps account and lot id) */
    ra_micro qty_micro;      /* > 0 */
    ra_minor basis_minor;    /* acquire: the lot's cost (>= 0); relieve: the cost relieved as the
                              * ledger computed it, before wash-sale adjustments (>= 0) */
    ra_minor proceeds_minor; /* relieve of a sale: this part's net proceeds (>= 0); else 0 */
    uint64_t sale;           /* relieve: the sale's id (!= 0), or 0 for a transfer out */
    int purchase;            /* acquire: 1 if it is an acquisition that can replace sold shares
                              * (a buy, a reinvested dividend, a transfer in that is a purchase);
                              * 0 for a lot that only moves within the household */
    uint64_t from_lot;       /* acquire with purchase 0: the lot it moves from (0 none); it takes
                              * over that lot's adjustments and holding period, pro rata */
    ra_date acquired;        /* acquire: the lot's acquisition date */
} ra_wash_event;

/* What one piece of a lot contributed to a sale or a transfer out. A relief event yields one part
 * per piece of the lot it takes (pieces differ when part of the lot replaced an earlier loss). */
typedef struct ra_wash_part {
    size_t event;            /* index of the relief event */
    uint64_t lot;
    ra_micro qty_micro;
    ra_date acquired;        /* the lot's acquisition date */
    ra_date holding_from;    /* start of the holding period (earlier than acquired when the
                              * piece replaced shares sold at a loss) */
    int long_term;           /* from holding_from to the sale date (ra_ledger_is_long_term) */
    ra_minor proceeds_minor;
    ra_minor cost_minor;     /* the basis after wash-sale adjustments */
    ra_minor adjustment_minor; /* the part of cost_minor that came from disallowed losses */
    ra_minor gain_minor;     /* proceeds - cost */
    ra_minor disallowed_minor; /* 0 .. -gain: the loss the rule disallows (0 for a gain, a
                                * transfer, or a sale in a retirement account) */
} ra_wash_part;

/* A replacement: replacement shares (a piece of lot `lot`) taken by a loss part. */
typedef struct ra_wash_link {
    size_t part;             /* index into parts */
    uint64_t lot;            /* the replacement lot */
    uint32_t account;        /* its account */
    ra_micro qty_micro;
    ra_minor disallowed_minor; /* the loss disallowed on account of these shares */
    ra_minor basis_added_minor;/* added to their basis: disallowed, or 0 in a retirement account
                                * (Rev. Rul. 2008-5) */
} ra_wash_link;

/* An open piece of a lot after every event. */
typedef struct ra_wash_open {
    uint64_t lot;
    uint32_t account;
    uint32_t security;
    ra_date acquired;
    ra_date holding_from;
    ra_micro qty_micro;
    ra_minor basis_minor;      /* the piece's share of the lot's cost, before adjustments */
    ra_minor adjustment_minor; /* disallowed losses added to it */
} ra_wash_open;

typedef struct ra_wash_result {
    ra_wash_part *parts;
    size_t n_parts;
    ra_wash_link *links;
    size_t n_links;
    ra_wash_open *open;        /* by lot key, then piece order */
    size_t n_open;
} ra_wash_result;

/* Applies the rule to the events ev[0..n) of one household whose accounts 0..n_accounts-1 are
 * retirement accounts where retirement[i] != 0 (retirement may be NULL: none). s may be NULL
 * (defaults). RA_EINVAL naming the event for: dates that go backwards, an unknown kind or account,
 * a quantity <= 0, a negative amount, a lot acquired twice, a relief of a lot not held or of more
 * than it holds, a move from a lot not known; RA_ENOMEM. On error *out is NULL. */
RA_API RA_NODISCARD ra_status ra_wash_compute(const ra_wash_event *ev, size_t n,
                                              const unsigned char *retirement, size_t n_accounts,
                                              const ra_wash_settings *s, ra_wash_result **out,
                                              ra_err *err);
RA_API void ra_wash_result_destroy(ra_wash_result *r);

#ifdef __cplusplus
}
#endif
#endif
