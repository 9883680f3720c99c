/* roboadvisor: risk limits in the book (store layer; src/store/store_risk.c, schema
 * src/store/migrations/0011_risk.sql; method docs/methodology.md#risk-limits).
 *
 * A crossing of an account's loss limit is written by the daily cycle with the account's day
 * (ra_cycle_account_day.risk, one transaction): the suspension with the figures of the check, the
 * account's open orders cancelled, and a notification for the client and one for the advisor due
 * 30 minutes after the market's close. The account trades again only after a recorded
 * re-authorisation (ra_store_reauthorise). Everything is audited (entity "risk"). */
#ifndef ROBOADVISOR_STORE_RISK_H
#define ROBOADVISOR_STORE_RISK_H

#include "riskrules.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_RISK_NOTE_MAX 256
#define RA_RISK_CODE_MAX 96
#define RA_RISK_MESSAGE_MAX 512

/* One firing of a rule on an account at a close, with the data that triggered it. */
typedef struct ra_risk_firing {
    char rule[RA_CODE_MAX];
    char when[RA_RISK_RULE_TEXT_MAX], then[RA_RISK_RULE_TEXT_MAX]; /* the rule as it was */
    int action;                       /* ra_risk_action */
    double observed;                  /* the measure's value (1 for an event) */
    char subject[RA_CODE_MAX];        /* move: the security that moved; else "" */
    ra_price price;                   /* the intraday monitor: the snapshot's price of subject
                                       * (0: none, or at the close) */
} ra_risk_firing;

/* What the cycle found for one account on its day (store_cycle.h): a crossing of the loss limit
 * and the rules that fired, to record with the account's day. */
typedef struct ra_risk_crossing {
    ra_date date;
    double loss_limit;
    ra_risk_loss loss;
    int crossed;                      /* 1: the loss limit is crossed (a suspension) */
    int64_t due_at;                   /* the notifications' due time, Unix seconds (UTC) */
    int intraday;                     /* 1: found by the intraday monitor (engine_monitor.h) on
                                       * the snapshot of at_minute, not at the close */
    int at_minute;                    /* intraday: the snapshot's minute after local midnight */
    size_t n_firings;
    ra_risk_firing firings[RA_RISK_MAX_RULES];
} ra_risk_crossing;

/* What a day's run needs of each account of the firm (by account row id, increasing). */
typedef struct ra_risk_account {
    int64_t account_id;
    ra_minor entrusted_minor;         /* deposits - withdrawals to day D (after the last
                                       * re-authorisation's base day, plus its base value) */
    int suspended;                    /* 1: suspended before D and not re-authorised since */
} ra_risk_account;

/* The firm's accounts for day `date` (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_risk_accounts(ra_store *s, const char *firm, ra_date date,
                                                     ra_risk_account **out, size_t *n,
                                                     ra_err *err);

/* The firm's market close (minutes after local midnight) and time zone (RA_RISK_ZONE_MAX bytes):
 * RA_RISK_CLOSE_DEFAULT_MINUTE and RA_RISK_ZONE_DEFAULT when never set. */
RA_API RA_NODISCARD ra_status ra_store_risk_settings(ra_store *s, const char *firm, int *minute,
                                                     char zone[RA_RISK_ZONE_MAX], ra_err *err);
/* Sets them (ra_risk_zone_check; minute 0..1439), audited (entity "risk_settings"). */
RA_API RA_NODISCARD ra_status ra_store_risk_settings_set(ra_store *s, const ra_store_actor *actor,
                                                         int minute, const char *zone,
                                                         ra_err *err);

/* --- the firm's rule library (roboadvisor rules) --------------------------------------------- */

typedef struct ra_risk_rule_rec {
    ra_risk_rule rule;
    char when[RA_RISK_RULE_TEXT_MAX], then[RA_RISK_RULE_TEXT_MAX]; /* canonical texts */
    char note[RA_RISK_NOTE_MAX];
    char user[RA_CODE_MAX];
    int64_t updated_at;
} ra_risk_rule_rec;

/* Sets (adds or replaces) rule r->code of the firm's library with a note (may be ""), audited
 * (entity "risk_rule", action "set"); the same rule again changes nothing. */
RA_API RA_NODISCARD ra_status ra_store_risk_rule_put(ra_store *s, const ra_store_actor *actor,
                                                     const ra_risk_rule *r, const char *note,
                                                     ra_err *err);
/* The firm's rules by code (code NULL or "": all; one that does not exist: RA_ENOTFOUND)
 * (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_risk_rules_list(ra_store *s, const char *firm,
                                                       const char *code, ra_risk_rule_rec **out,
                                                       size_t *n, ra_err *err);

/* Records event `name` (a code) on day for account (NULL or "": the whole firm), audited
 * (entity "risk_event"); the same event again changes nothing. */
RA_API RA_NODISCARD ra_status ra_store_risk_event_put(ra_store *s, const ra_store_actor *actor,
                                                      const char *account, const char *name,
                                                      ra_date day, const char *note, ra_err *err);

/* An event of a day: for account_id (0: the whole firm). */
typedef struct ra_risk_event_rec {
    int64_t account_id;
    char name[RA_CODE_MAX];
} ra_risk_event_rec;
/* The firm's events on day (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_risk_events_of_day(ra_store *s, const char *firm,
                                                          ra_date day, ra_risk_event_rec **out,
                                                          size_t *n, ra_err *err);

/* A recorded firing (roboadvisor rules firings). */
typedef struct ra_risk_firing_rec {
    char account[RA_CODE_MAX];
    ra_date date;
    ra_risk_firing f;                 /* f.price: the snapshot's price of f.subject (monitor) */
    int at_minute;                    /* the monitor's snapshot minute; -1 at the close */
    ra_minor value_minor;             /* the monitor: the account's value at the snapshot */
} ra_risk_firing_rec;
/* The firm's firings (account NULL or "": all) by account then day then rule (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_risk_firings_list(ra_store *s, const char *firm,
                                                         const char *account,
                                                         ra_risk_firing_rec **out, size_t *n,
                                                         ra_err *err);

/* A suspension of an account's automated trading. */
typedef struct ra_suspension {
    char account[RA_CODE_MAX];
    ra_date date;                     /* the close at which the limit was crossed */
    char kind[64];                    /* "loss_limit", or "rule:CODE" (a rule's suspend) */
    double loss_limit;
    ra_minor entrusted_minor, value_minor, loss_minor;
    int orders_cancelled;
    char reauthorised_by[RA_CODE_MAX]; /* "" while suspended */
    char reauthorised_note[RA_RISK_NOTE_MAX];
    int64_t reauthorised_at;
    ra_date base_day;                 /* the re-authorisation's base: the last daily value */
    ra_minor base_minor;
} ra_suspension;

/* The firm's suspensions (account "" or NULL: all), by account code then day (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_suspensions_list(ra_store *s, const char *firm,
                                                        const char *account, ra_suspension **out,
                                                        size_t *n, ra_err *err);

/* Records the re-authorisation of account's suspended trading by `by` with a note (both required;
 * the note is free text of at most RA_RISK_NOTE_MAX - 1 bytes): every open suspension of the
 * account is closed with the base (its last daily value, day and amount), audited (entity
 * "risk", action "reauthorise"). RA_ENOTFOUND for an unknown account, RA_ECONFLICT when the
 * account is not suspended. *out (may be NULL) the suspension closed (the latest). */
RA_API RA_NODISCARD ra_status ra_store_reauthorise(ra_store *s, const ra_store_actor *actor,
                                                   const char *account, const char *by,
                                                   const char *note, ra_suspension *out,
                                                   ra_err *err);

/* A notification to the client or the advisor. */
typedef struct ra_notification {
    char code[RA_RISK_CODE_MAX];      /* "N-YYYY-MM-DD-ACCOUNT-client" / "-advisor" */
    char account[RA_CODE_MAX];
    ra_date date;
    char recipient[16];               /* "client" or "advisor" */
    char recipient_code[RA_CODE_MAX]; /* the client's or the advisor's code ("" no advisor) */
    char kind[64];                    /* "loss_limit", or "rule:CODE" */
    char message[RA_RISK_MESSAGE_MAX];
    int64_t due_at;                   /* Unix seconds, UTC */
    int64_t created_at;
} ra_notification;

/* The firm's notifications (account "" or NULL: all; due_before 0: any, else due_at < it), by
 * due time, then code (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_notifications_list(ra_store *s, const char *firm,
                                                          const char *account, int64_t due_before,
                                                          ra_notification **out, size_t *n,
                                                          ra_err *err);

#ifdef __cplusplus
}
#endif
#endif
