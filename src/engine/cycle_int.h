/* The daily cycle's internals shared by src/engine/cycle.c (one account's day, the run's state)
 * and src/engine/cycle_run.c (the run's driver: batches, threads, workers). Not public. */
#ifndef RA_ENGINE_CYCLE_INT_H
#define RA_ENGINE_CYCLE_INT_H

#include <roboadvisor/engine_cycle.h>
#include <roboadvisor/engine_objective.h>
#include <roboadvisor/store_monitor.h>
#include <roboadvisor/store_risk.h>
#include <roboadvisor/store_tiers.h>

/* What one account's day produces (owned; acct_out_free). */
typedef struct acct_out {
    ra_cycle_account_day day;
    ra_store_txn *before;
    ra_cycle_proposal prop;
    ra_cycle_order *orders;
    ra_store_txn *fills;
    ra_lot_pick *fill_picks;
    ra_risk_crossing risk;    /* a crossing of the loss limit, rules fired (day.risk points here) */
    uint8_t *risk_mark;       /* NULL, or n_sec: 1 for the securities whose target a rule moved
                               * (their trades carry the reason risk_limit) */
    ra_tiers_day tiers;       /* the tier move, alerts and peak after the close (day.tiers) */
} acct_out;

/* The day's risk figures of the firm's accounts (src/engine/cycle_risk.c): by account row id,
 * and the notifications' due time (the firm's close of the day plus 30 minutes); the firm's rule
 * library (by code), the day's events, the daily returns of the accounts with rules (ret[i] for
 * acc[i], oldest first, before the day) and the closes of the book's securities over the longest
 * move window (closes[sec], oldest first, the day's last; NULL when no rule looks at moves). */
typedef struct cycle_risk {
    ra_risk_account *acc;
    size_t n;
    int64_t due_at;
    ra_risk_rule_rec *lib;
    size_t n_lib;
    ra_risk_event_rec *events;
    size_t n_events;
    double **ret;
    size_t *n_ret;
    ra_price **closes;
    size_t *n_closes;
    size_t n_sec;
    /* the intraday monitor (monitor.c): the snapshot's minute, its prices by book security (0:
     * none; the book's prices are the snapshot's or the last close), and the rules fired for an
     * account earlier in the day (by account id then rule: not fired again) */
    int intraday, at_minute;
    const ra_price *snap;
    const ra_monitor_fired *fired;
    size_t n_fired;
} cycle_risk;

/* The day's market rules of the book's securities (src/engine/cycle_market.c). */
typedef struct cycle_market cycle_market;

/* A trade rejected on the day: the security (book index) and side not proposed again. */
typedef struct reeval_bar {
    uint32_t sec;
    int side;
} reeval_bar;

/* What a re-evaluation after a rejection knows besides the book (cycle.c). */
typedef struct reeval_ctx {
    reeval_bar *bar;
    size_t n_bar;
    ra_store_txn *pend;       /* the approved trades not filled yet, as fills at their prices */
    uint32_t *pend_sec;       /* their securities (book index) */
    int *pend_loss;           /* 1: a sale estimated at a loss (opens the wash-sale window) */
    ra_lot_pick *pend_picks;
    size_t n_pend;
    uint32_t prefer[8];       /* alternative substitutes held in place of a rejected one */
    size_t n_prefer;
} reeval_ctx;

/* One thread's state in a run: the shared, read-only part (the store and the options, the book,
 * the securities' class and substitute maps and the universe: built once by run_alloc and only
 * pointed to by the other threads' copies, run_clone) and the thread's own workspace (the
 * household's wash-sale state, the stats it adds to, scratch). A household is computed whole by
 * one thread, so its wash-sale state never crosses threads. */
typedef struct run {
    ra_store *s;
    const ra_store_actor *actor;
    const ra_cycle_options *o;
    ra_cycle_book *b;
    ra_cycle_stats *st;
    uint32_t *class_ix;        /* n_sec: the first security of its asset class */
    int32_t *sub_of;           /* n_sec: the TLH substitute (same group, priced, on the shelf) */
    uint32_t household;        /* the household of the state below */
    size_t wash_at;            /* the first of the book's windows of that household (or after) */
    ra_date *hh_loss, *hh_buy; /* n_sec: the last loss sale / purchase in the household */
    int64_t *hh_recent;        /* n_sec: the account holding lots bought within the window
                                * (-1 none, -2 several accounts) */
    uint8_t *in_set;           /* n_sec scratch */
    int32_t *asset_of;         /* n_sec scratch: index into the account's assets */
    double *target;            /* n_sec scratch: the account's target weights */
    ra_rebal_asset *assets;
    ra_rebal_lot *rlots;
    ra_rebal_trade *trades;
    ra_rebal_pick *picks;
    void *work;
    size_t work_cap;
    int32_t *group_ix;         /* n_sec: the first security of its TLH group (-1 none) */
    int32_t *model_sec;        /* n_models x RA_MODELS_MAX_HOLDINGS: a model's securities by
                                * index (-1 not in the book) */
    /* the thread's personalised targets computed today, by what they depend on (model, account
     * type, cash reserve, held securities; accounts without restrictions): most accounts of a
     * model hold its own securities and share one target */
    struct target_memo *memo;
    size_t n_memo;
    ra_models_universe u;
    const char **u_tickers, **u_class, **u_group;
    char config_text[512];
    /* a re-evaluation after a rejection: the rejected proposal, the new proposal's number, the
     * trades rejected that day (not proposed again), the approved trades whose orders have not
     * filled yet (applied to the account in memory first) and the alternative substitutes to
     * hold instead of a rejected one */
    const ra_cycle_proposal *rejected;
    int reeval_n;
    const reeval_ctx *re;
    int owns_shared;           /* 1: class_ix, sub_of and u_* are this run's to free */
    const cycle_risk *risk;    /* the loss limits' figures (NULL: not checked, a re-evaluation) */
    const struct cycle_firm *firm; /* the firm rules of the day (cycle_firm.c; NULL: off) */
    char firm_cuts[RA_CYCLE_CUTS_MAX]; /* the account's cuts (cycle_firm_cut), to its proposal */
    int monitor;               /* 1: the intraday monitor's (monitor.c): no corporate action, no
                                * withdrawal, a proposal only of the rules' trades, its id ending
                                * "-mHHMM" (monitor_at, minutes after midnight) */
    int monitor_at;
    struct cycle_tiers *tiers; /* tiers and alerts (cycle_tiers.c; NULL: digital, no checks) */
    cycle_market *market;      /* the securities' market rules (shared; NULL: none loaded) */
    ra_objective_shelf *objs;  /* the shelf's estimates for the client objectives (shared; NULL:
                                * no account of the book has one) */
} run;

/* Frees what an account's day produced and zeroes it. */
void cycle_acct_out_free(acct_out *o);
/* The run's shared part (for r->b, r->o) and the calling thread's workspace; cycle_run_free
 * frees both, also after a failure. */
ra_status cycle_run_alloc(run *r, ra_err *err);
/* Another thread's run: src's shared part borrowed (src outlives it), a workspace of its own. */
ra_status cycle_run_clone(run *dst, const run *src, ra_err *err);
void cycle_run_free(run *r);
/* Enters household h, whose first account is `first`: its wash-sale state from the book.
 * Households may come in any order. */
void cycle_household_enter(run *r, uint32_t h, size_t first);
/* Account a's day (after cycle_household_enter of its household and its earlier accounts) into
 * out, its counts into r->st. */
ra_status cycle_account_day(run *r, size_t a, acct_out *out, ra_err *err);
/* The risk figures of book b's day (cycle_risk.c); cycle_risk_free frees them (NULL: nothing).
 * Each account's mandate in b gets its rules (part of its configuration hash). */
ra_status cycle_risk_load(ra_store *s, const char *firm, ra_cycle_book *b, cycle_risk **out,
                          ra_err *err);
void cycle_risk_free(cycle_risk *k);
/* The risk figures of account row id in k, or NULL. */
const ra_risk_account *cycle_risk_find(const cycle_risk *k, int64_t id);
/* The loss limit and the mandate's rules of account a, its lots[0..n_lots) (its ledger's) worth value_minor at the
 * day's closes (after its corporate actions, before trading): *halt 1 when the account must not
 * trade today, because it was suspended before, crosses its loss limit now or a rule suspends
 * it. A crossing and the rules that fired go to out->risk (out->day.risk points to it, to be
 * written with the account's day); counted in r->st. */
ra_status cycle_risk_check(run *r, size_t a, const ra_lot *lots, size_t n_lots,
                           ra_minor value_minor, acct_out *out, int *halt, ra_err *err);
/* The rules that fired for account a (cycle_risk_check) applied to its target weights target[]
 * (n_sec) and *cash_w: reduce, add and close; the securities moved are marked in
 * out->risk_mark. */
ra_status cycle_risk_target(run *r, size_t a, acct_out *out, double *target, double *cash_w,
                            ra_err *err);

/* The firm rules of book b's day (cycle_firm.c): the day's firm-wide figures as stored, else
 * (compute 1: a single run, or the first worker planning the day) computed from b and stored;
 * *out NULL when the rules are off (or, compute 0, no figures were stored for the day). */
typedef struct cycle_firm cycle_firm;
ra_status cycle_firm_load(ra_store *s, const ra_store_actor *actor, const ra_cycle_options *o,
                          ra_cycle_book *b, int compute, cycle_firm **out, ra_err *err);
/* Account a's personalised target as its day would start (cycle.c's account_target): into
 * target (n_sec) and *cash_w; *have 0 without a model. */
ra_status cycle_account_target(run *r, size_t a, double *target, double *cash_w, int *have,
                               ra_err *err);
void cycle_firm_free(cycle_firm *f);
/* The figures for the run's summary (the largest crowd). */
void cycle_firm_stats(const cycle_firm *f, ra_cycle_stats *st);
/* The index of ticker among the book's securities (in ticker order), -1 when it is not one. */
long cycle_sec_find(const ra_cycle_book *b, const char *ticker);
/* Account a's anti-crowding variant (docs/methodology.md#anti-crowding-in-the-cycle) applied to
 * its personalised target (n_sec weights, *cash_w): nothing when it has none (f NULL too). */
void cycle_firm_variant(const cycle_firm *f, size_t a, double *target, double *cash_w);
/* Account a's variant as text ("FROM>TO:delta") into buf for its configuration hash; 0 when it
 * has none. */
int cycle_firm_variant_text(const cycle_firm *f, const ra_cycle_book *b, size_t a, char *buf,
                            size_t cap);
/* Account a's trades (r->trades, r->picks, res) cut back to the firm rules; the cuts as text in
 * r->firm_cuts and counted in r->st. l: the account's ledger before the trades. */
ra_status cycle_firm_cut(run *r, size_t a, const ra_ledger *l, const acct_out *out,
                         ra_rebal_result *res, ra_err *err);
/* The closes of the book's securities over the longest move window of k's rule library into k
 * (cycle_risk_load does it at the close; the monitor after setting k->snap: the closes before
 * the day and then the snapshot's price, or the last close, as the day's). */
ra_status cycle_risk_closes(ra_store *s, const char *firm, const ra_cycle_book *b, cycle_risk *k,
                            ra_err *err);
/* The day's batches of book b (cycle_run.c): whole households, `batch` accounts not done each;
 * and the accounts of a claimed batch x in b. */
ra_status cycle_plan_batches(const ra_cycle_book *b, size_t batch, ra_cycle_batch **out,
                             size_t *n, ra_err *err);
ra_status cycle_batch_range(const ra_cycle_book *b, const ra_cycle_batch *x, size_t *first,
                            size_t *end, ra_err *err);
/* Service tiers and behaviour alerts (cycle_tiers.c): the firm's tiers, routing rules and
 * thresholds for book b's day, loaded once; cycle_tiers_free frees them (NULL: nothing). */
struct cycle_tiers;
ra_status cycle_tiers_load(ra_store *s, const char *firm, const ra_cycle_book *b,
                           struct cycle_tiers **out, ra_err *err);
void cycle_tiers_free(struct cycle_tiers *t);
/* The tier of book account a's client on the day (digital without r->tiers). */
int cycle_tiers_of(const run *r, size_t a);
/* After account a's close (its ledger l after the day, out->day.value filled): its peak, the
 * alerts raised and closed and, at the client's last account, the routing rules' move, into
 * out->tiers (out->day.tiers points to it when there is something to write). */
ra_status cycle_tiers_check(run *r, size_t a, const ra_ledger *l, acct_out *out, ra_err *err);
/* The market rules (cycle_market.c; docs/methodology.md#market-rules): loaded into r->market for
 * r's book (by run_alloc); the buy step and the T+1 sale lock of account a's asset x (its ledger
 * l); the proposal, made again without the trades of a security at its price limit; an order's
 * limit price (0: at market); the proceeds of the day's fills in out not settled by the close. */
ra_status cycle_market_load(run *r, ra_err *err);
void cycle_market_free(cycle_market *m);
void cycle_market_asset(const run *r, size_t a, const ra_ledger *l, ra_rebal_asset *x);
ra_status cycle_market_propose(run *r, ra_rebal_account *acc, const ra_rebal_settings *set,
                               ra_rebal_result *res, ra_err *err);
ra_price cycle_market_order_price(const run *r, uint32_t sec, ra_price price);
ra_minor cycle_market_unsettled(const run *r, const acct_out *out);

/* The book index of ticker (RA_ENOTFOUND naming it when the book has none). */
ra_status cycle_sec_index(const ra_cycle_book *b, const char *ticker, uint32_t *out, ra_err *err);

/* The configuration hash of the firm's settings of the run (ra_cycle_stats.config_hash). */
void cycle_settings_hash(const run *r, char out[65]);

#endif
