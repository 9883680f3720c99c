/* roboadvisor: the firm's rules in the store (schema 0016_firm_rules.sql; src/store/
 * store_firmrules.c; method docs/methodology.md#firm-rules): the rules, versioned and audited;
 * funds' shares outstanding by day; the day's firm-wide figures the daily cycle computes once
 * (the coordinating step) and every worker reads; the accounts' turnover figures. */
#ifndef ROBOADVISOR_STORE_FIRMRULES_H
#define ROBOADVISOR_STORE_FIRMRULES_H

#include "date.h"
#include "firmrules.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_SCHEMA_FIRM_RULES 16
#define RA_SCHEMA_CROWDING 20 /* anti-crowding settings, the day's crowd figures, variants */

/* The rules of `version` (0: the one in force); no version yet (or before schema 16): every cut
 * rule off and anti-crowding at its defaults (ra_firm_rules_default; off before schema 20),
 * *version 0. */
RA_API RA_NODISCARD ra_status ra_store_firm_rules(ra_store *s, const char *firm, int *version,
                                                  ra_firm_rules *out, ra_err *err);
/* Stores r (ra_firm_rules_validate) as the next version, audited (entity "firm_rules"). */
RA_API RA_NODISCARD ra_status ra_store_firm_rules_set(ra_store *s, const ra_store_actor *actor,
                                                      const ra_firm_rules *r, int *version,
                                                      ra_err *err);

/* A fund's shares outstanding on a day. */
typedef struct ra_fund_shares {
    char ticker[RA_CODE_MAX];
    ra_date date;
    ra_micro shares_micro;
} ra_fund_shares;

/* Stores x (the security must be the firm's; shares > 0; a day stored again is replaced),
 * audited (entity "fund_shares"). */
RA_API RA_NODISCARD ra_status ra_store_fund_shares_put(ra_store *s, const ra_store_actor *actor,
                                                       const ra_fund_shares *x, ra_err *err);
/* The firm's funds' shares outstanding in force on `date` (the last day not after it), in ticker
 * order, into *out (ra_free). */
RA_API RA_NODISCARD ra_status ra_store_fund_shares_at(ra_store *s, const char *firm, ra_date date,
                                                      ra_fund_shares **out, size_t *n,
                                                      ra_err *err);

/* The day's firm-wide figures (firm_days, firm_day_funds). */
typedef struct ra_firm_day_fund {
    char ticker[RA_CODE_MAX];
    ra_micro shares_micro;      /* outstanding */
    ra_micro held_micro;        /* by the firm's discretionary accounts at the day's start */
} ra_firm_day_fund;

/* An account's anti-crowding variant (account_variants, schema 20): the move of weight delta
 * from security `from` to security `to` applied to its personalised target, the variant's
 * number in its crowd, the crowd's base target's hash. */
typedef struct ra_crowd_variant {
    char account[RA_CODE_MAX];
    char base[17];              /* 16 hex digits */
    int variant;                /* >= 1 */
    char from[RA_CODE_MAX], to[RA_CODE_MAX];
    double delta;               /* (0, 1] */
    ra_date since;              /* the day it took effect (read only) */
} ra_crowd_variant;

typedef struct ra_firm_day {
    ra_date date;
    int rules_version;
    ra_minor total_minor;       /* the discretionary accounts' values at the day's start */
    int crowd;                  /* the largest number of accounts on one identical target (after
                                 * the anti-crowding variants) */
    char crowd_account[RA_CODE_MAX]; /* the first account of that crowd */
    int crowd_base;             /* the largest before the variants (schema 20; else 0) */
    int varied;                 /* accounts on a variant */
    int unmet;                  /* accounts left on a target shared by more than the limit */
    size_t n_funds;
    ra_firm_day_fund *funds;    /* ticker order, ra_free */
    size_t n_var;               /* ra_store_firm_day_put only: the day's variants (any order) */
    const ra_crowd_variant *var;
} ra_firm_day;

/* The stored figures of `date`: *found 0 when none. */
RA_API RA_NODISCARD ra_status ra_store_firm_day(ra_store *s, const char *firm, ra_date date,
                                                ra_firm_day *out, int *found, ra_err *err);
/* Stores them (once a day: RA_ECONFLICT when they are stored already) and, from schema 20, the
 * day's variants d->var: a variant in force before the day and not among them (or changed)
 * ends on the day, a new or changed one starts on it. Not audited: they are derived from the
 * book and the audited rules. */
RA_API RA_NODISCARD ra_status ra_store_firm_day_put(ra_store *s, const ra_store_actor *actor,
                                                    const ra_firm_day *d, ra_err *err);

/* The variants in force on `date` (from_day <= date < to_day), in account code order, into
 * *out (ra_free); none before schema 20. */
RA_API RA_NODISCARD ra_status ra_store_crowd_variants(ra_store *s, const char *firm, ra_date date,
                                                      ra_crowd_variant **out, size_t *n,
                                                      ra_err *err);

/* The turnover figures of an account for day D: its sales in D's calendar year before D
 * (qty x price of each sale, summed) and its daily values of that year before D (sum, count). */
typedef struct ra_firm_turnover {
    char account[RA_CODE_MAX];
    ra_minor sales_minor;
    ra_minor value_sum_minor;
    int64_t n_values;
} ra_firm_turnover;

/* The firm's accounts with sales or values in D's year before D, in account code order. */
RA_API RA_NODISCARD ra_status ra_store_firm_turnover(ra_store *s, const char *firm, ra_date date,
                                                     ra_firm_turnover **out, size_t *n,
                                                     ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
