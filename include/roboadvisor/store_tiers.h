/* roboadvisor: service tiers, routing rules and behaviour alerts in the book (store layer;
 * src/store/store_tiers.c, schema src/store/migrations/0017_tiers.sql; method
 * docs/methodology.md#service-tiers and #behaviour-alerts).
 *
 * A client's tier is versioned (effective from a day's cycle) and audited (entity "tier"); the
 * firm's routing rules and alert thresholds are data (audited). The daily cycle reads what it
 * needs once per day (ra_store_tiers_day) and writes each account's tier move, alerts and peak
 * with the account's day (ra_cycle_account_day.tiers, in its transaction). */
#ifndef ROBOADVISOR_STORE_TIERS_H
#define ROBOADVISOR_STORE_TIERS_H

#include "behaviour.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RA_TIER_NOTE_MAX 256
#define RA_TIER_DATA_MAX 256
#define RA_ALERT_DETAIL_MAX 64

/* --- the firm's data ------------------------------------------------------------------------ */

RA_API RA_NODISCARD ra_status ra_store_behaviour_settings(ra_store *s, const char *firm,
                                                          ra_behaviour_settings *out,
                                                          ra_err *err);
RA_API RA_NODISCARD ra_status ra_store_behaviour_settings_set(ra_store *s,
                                                              const ra_store_actor *actor,
                                                              const ra_behaviour_settings *in,
                                                              ra_err *err);

typedef struct ra_tier_rule_rec {
    ra_tier_rule rule;
    char note[RA_TIER_NOTE_MAX];
    char user[RA_CODE_MAX];
} ra_tier_rule_rec;

/* The firm's routing rules by code (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_tier_rules_list(ra_store *s, const char *firm,
                                                       ra_tier_rule_rec **out, size_t *n,
                                                       ra_err *err);
/* Adds or replaces rule r->code (validated), audited. */
RA_API RA_NODISCARD ra_status ra_store_tier_rule_put(ra_store *s, const ra_store_actor *actor,
                                                     const ra_tier_rule *r, const char *note,
                                                     ra_err *err);
/* Deletes rule code, audited; RA_ENOTFOUND when there is none. */
RA_API RA_NODISCARD ra_status ra_store_tier_rule_delete(ra_store *s, const ra_store_actor *actor,
                                                        const char *code, ra_err *err);

/* --- clients' tiers ------------------------------------------------------------------------- */

typedef struct ra_tier_rec {
    char client[RA_CODE_MAX];
    int tier;                         /* ra_tier */
    ra_date day_from;                 /* effective from this day's cycle (0: never set) */
    char source[8];                   /* "set", "rule", or "" (never set: digital) */
    char rule[RA_CODE_MAX];
    char data[RA_TIER_DATA_MAX];      /* the data that triggered a rule's move */
    char user[RA_CODE_MAX];
    char note[RA_TIER_NOTE_MAX];
} ra_tier_rec;

/* Sets client's tier from the cycle of day_from on (0: today, or the day after the firm's last
 * run when that is later), by the actor with a note (required), audited (entity "tier", action
 * "set"). RA_ENOTFOUND for an unknown client; RA_ECONFLICT for a day the cycle has run already
 * (the day keeps the tier it ran with, so that its replay recomputes it). */
RA_API RA_NODISCARD ra_status ra_store_tier_set(ra_store *s, const ra_store_actor *actor,
                                                const char *client, int tier, ra_date day_from,
                                                const char *note, ra_err *err);
/* The tier of every client of the firm on day `date` (the version in effect; digital with
 * day_from 0 when none), by client code; with client not NULL/"" that client's versions instead,
 * oldest first (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_tiers_list(ra_store *s, const char *firm,
                                                  const char *client, ra_date date,
                                                  ra_tier_rec **out, size_t *n, ra_err *err);

/* --- the advisor's queue -------------------------------------------------------------------- */

typedef struct ra_queue_item {
    char proposal[96];
    char account[RA_CODE_MAX];
    char client[RA_CODE_MAX];
    char advisor[RA_CODE_MAX];
    ra_date date;
    char status[16];                  /* "pending" or "confirming" */
    int discretionary;                /* the proposal's flag (0: waits for a decision) */
    int tier;                         /* the client's tier on the proposal's day */
    ra_minor value_minor;
} ra_queue_item;

/* The proposals waiting for a decision (pending, confirming): advisor-led first, then hybrid,
 * then digital; by date and id within a tier (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_queue(ra_store *s, const char *firm, ra_queue_item **out,
                                             size_t *n, ra_err *err);

/* --- alerts --------------------------------------------------------------------------------- */

typedef struct ra_alert_rec {
    char account[RA_CODE_MAX];
    int kind;                         /* ra_alert_kind */
    ra_date date;                     /* raised at this close */
    ra_date closed;                   /* the episode ended at this close; 0 still open */
    double observed, threshold;
    char detail[RA_ALERT_DETAIL_MAX];
} ra_alert_rec;

/* The firm's alerts (account NULL/"": all) by date, account and kind (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_alerts_list(ra_store *s, const char *firm,
                                                   const char *account, ra_alert_rec **out,
                                                   size_t *n, ra_err *err);

/* --- what a day's run reads and writes ------------------------------------------------------ */

/* One account of the firm on day D, by account row id. */
typedef struct ra_tiers_account {
    int64_t account_id;
    int64_t client_id;
    int tier;                         /* the client's tier on D */
    int instructions;                 /* client instructions due in (D - window, D] */
    int withdrawal_today;             /* 1: a client withdrawal instruction is due on D */
    ra_minor withdrawal_minor;        /* withdrawals instructed due on D (client and firm) */
    ra_minor peak_minor;              /* the stored peak of a drawdown, 0 none */
    unsigned open;                    /* bit k: an episode of alert kind k open before D */
} ra_tiers_account;

/* The firm's accounts for day D with a window of window_days (ra_store_free). */
RA_API RA_NODISCARD ra_status ra_store_tiers_day(ra_store *s, const char *firm, ra_date date,
                                                 int window_days, ra_tiers_account **out,
                                                 size_t *n, ra_err *err);

/* The record of account_id in v[0..n) (sorted by account id, as ra_store_tiers_day gives them),
 * NULL when there is none. */
RA_API const ra_tiers_account *ra_tiers_find(const ra_tiers_account *v, size_t n,
                                             int64_t account_id);

/* What the cycle found for one account after its close (ra_cycle_account_day.tiers). */
typedef struct ra_tiers_day {
    ra_date date;
    int peak_op;                      /* 1: in a drawdown, its peak peak_minor stored (new, or
                                       * scaled by the day's flow), -1: the value is back at its
                                       * peak (the row deleted), 0 nothing */
    ra_minor peak_minor;
    unsigned raise, close;            /* alert kinds raised / closed at this close (bits) */
    double observed[RA_ALERT_N], limit[RA_ALERT_N];
    char detail[RA_ALERT_N][RA_ALERT_DETAIL_MAX];
    int move;                         /* 1: the client moves to tier_to from the next day */
    int64_t client_id;
    int tier_from, tier_to;
    char rule[RA_CODE_MAX];
    char data[RA_TIER_DATA_MAX];
} ra_tiers_day;

#ifdef __cplusplus
}
#endif
#endif
