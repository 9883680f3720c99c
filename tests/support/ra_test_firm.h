/* Building blocks of a small firm for the engine's tests on a real database (test_engine_cycle.c,
 * test_engine_fills.c): securities, a two-security model, clients, accounts with a mandate, cash
 * movements and closes. Each fails the case (ra_tdb_must) on an error. Include after
 * ra_test_db.h; header-only. */
#ifndef RA_TEST_FIRM_H
#define RA_TEST_FIRM_H

#include "roboadvisor/engine_cycle.h"
#include "roboadvisor/rules.h"
#include "roboadvisor/store_models.h"

#include <math.h>

#define RA_TF_PX(cents) ((ra_price)(cents) * (RA_MICRO_PER_UNIT / 100))

/* A USD security on the shelf, whole-share lots; group "" for none. */
__attribute__((unused))
static void ra_tf_security(ra_store *s, const ra_store_actor *a, const char *ticker,
                           const char *cls, const char *group, int level)
{
    ra_err err = {0};
    ra_security x;
    memset(&x, 0, sizeof x);
    snprintf(x.ticker, sizeof x.ticker, "%s", ticker);
    snprintf(x.name, sizeof x.name, "%s fund", ticker);
    snprintf(x.asset_class, sizeof x.asset_class, "%s", cls);
    snprintf(x.tlh_group, sizeof x.tlh_group, "%s", group);
    snprintf(x.currency, sizeof x.currency, "USD");
    snprintf(x.exchange, sizeof x.exchange, "ARCX");
    x.risk_level = level;
    x.lot_size = 1;
    x.on_shelf = 1;
    ra_tdb_must(ra_store_security_put(s, a, &x, &err), &err);
}

/* A hand-made model of two securities. */
__attribute__((unused))
static void ra_tf_model2(ra_store *s, const ra_store_actor *a, const char *code, const char *t1,
                         double w1, const char *t2, double w2)
{
    ra_err err = {0};
    ra_model m;
    memset(&m, 0, sizeof m);
    snprintf(m.code, sizeof m.code, "%s", code);
    snprintf(m.method, sizeof m.method, "manual");
    m.n = 2;
    snprintf(m.w[0].ticker, sizeof m.w[0].ticker, "%s", t1);
    m.w[0].weight = w1;
    snprintf(m.w[1].ticker, sizeof m.w[1].ticker, "%s", t2);
    m.w[1].weight = w2;
    m.expected_return = NAN;
    m.volatility = NAN;
    ra_tdb_must(ra_models_put(s, a, &m, NULL, NULL, &err), &err);
}

/* Client `client` of `household` and its taxable USD account `code` with model M1, a 0.05 band,
 * TLH as given, opened 2023-01-02. */
__attribute__((unused))
static void ra_tf_account(ra_store *s, const ra_store_actor *a, const char *code,
                          const char *client, const char *household, int discretionary, int tlh)
{
    ra_err err = {0};
    ra_client c;
    memset(&c, 0, sizeof c);
    snprintf(c.code, sizeof c.code, "%s", client);
    snprintf(c.household, sizeof c.household, "%s", household);
    snprintf(c.name, sizeof c.name, "Client %s", client);
    ra_tdb_must(ra_store_client_put(s, a, &c, &err), &err);
    ra_account x;
    memset(&x, 0, sizeof x);
    snprintf(x.code, sizeof x.code, "%s", code);
    snprintf(x.client, sizeof x.client, "%s", client);
    x.type = RA_ACCOUNT_TAXABLE;
    snprintf(x.currency, sizeof x.currency, "USD");
    x.opened = ra_date_from_ymd(2023, 1, 2);
    ra_rule_mandate_default(&x.mandate);
    x.mandate.cash_reserve = 0.01; /* the suites' hand derivations keep 1 % cash */
    snprintf(x.mandate.model, sizeof x.mandate.model, "M1");
    x.mandate.discretionary = discretionary;
    x.mandate.drift_band = 0.05;
    x.mandate.tlh_enabled = tlh;
    /* the highest limit allowed: the suites' 20 % falls (AAA 100.00 -> 80.00 lose 11.88 % of
     * an account) are about rebalancing and harvesting, not about the loss limit, which
     * tests/unit/test_riskrules.c and tests/cli/test_risk.sh test */
    x.mandate.loss_limit = 0.15;
    ra_tdb_must(ra_store_account_put(s, a, &x, &err), &err);
}

/* The suites' cycle options for day d: 1 % cash (their hand derivations), filled at the close
 * or left open. */
static inline ra_cycle_options ra_tf_day_options(ra_date d, int execute_close)
{
    ra_cycle_options o;
    ra_cycle_options_default(&o);
    o.date = d;
    o.execute_close = execute_close;
    o.cash_reserve = 0.01;
    return o;
}

/* A deposit or withdrawal (kind) of `cents` on day d, external id ext. */
__attribute__((unused))
static void ra_tf_cash(ra_store *s, const ra_store_actor *a, const char *account, const char *ext,
                       ra_txn_kind kind, ra_date d, ra_minor cents)
{
    ra_err err = {0};
    ra_store_txn t;
    memset(&t, 0, sizeof t);
    snprintf(t.account, sizeof t.account, "%s", account);
    snprintf(t.external_id, sizeof t.external_id, "%s", ext);
    t.kind = kind;
    t.date = d;
    t.amount_minor = cents;
    ra_tdb_must(ra_store_txn_append(s, a, &t, 1, NULL, &err), &err);
}

/* The closes of day d: tickers[i] at cents[i] (a close of 0 or less is left out). */
__attribute__((unused))
static void ra_tf_closes(ra_store *s, const ra_store_actor *a, ra_date d,
                         const char *const *tickers, const int *cents, size_t n)
{
    ra_err err = {0};
    ra_price_obs o[8];
    size_t k = 0;
    for (size_t i = 0; i < n && k < 8; i++) {
        if (cents[i] <= 0)
            continue;
        memset(&o[k], 0, sizeof o[k]);
        snprintf(o[k].ticker, sizeof o[k].ticker, "%s", tickers[i]);
        o[k].date = d;
        o[k].price = RA_TF_PX(cents[i]);
        k++;
    }
    ra_tdb_must(ra_store_prices_put(s, a, o, k, 0, NULL, &err), &err);
}

#endif
