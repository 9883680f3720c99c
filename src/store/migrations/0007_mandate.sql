-- The mandate as one versioned record (issue 12, docs/methodology.md#the-mandate): every
-- parameter the daily cycle reads for an account, one row per version (1, 2, ...), with who, why,
-- when it was written and the day it takes effect (0: at once). The account's current mandate is
-- its latest version; its agent (risk level, objective, name) is part of it, so the agent's
-- history is the mandate's history. accounts.model .. restrictions are kept, written only with a
-- new version (the same transaction), because their audit images predate this migration; the
-- agents table is no longer written (its rows stay as the audit trail's history).
--
-- Version 1 of every existing account is made here from the account's columns (the values the
-- cycle traded on); store_schema.c then merges the latest agent's risk level, objective, name
-- and cash reserve into it (JSON in agents.params). ra_mandate_pending lists the firms whose
-- migrated versions still need their audit record: the first opening of the book with the
-- firm's key writes it (ra_store_mandate_attest) and removes the row.
-- relief: 0 fifo, 1 hifo, 3 tax-aware (ra_relief); gain_budget_minor -1: none.

CREATE TABLE mandates (
    id {ID},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    version BIGINT NOT NULL,
    model TEXT NOT NULL,
    discretionary INTEGER NOT NULL,
    drift_band {REAL} NOT NULL,
    band_rel {REAL} NOT NULL,
    to_band_edge INTEGER NOT NULL,
    buy_only INTEGER NOT NULL,
    tlh INTEGER NOT NULL,
    loss_limit {REAL} NOT NULL,
    restrictions TEXT NOT NULL,
    relief INTEGER NOT NULL,
    cash_reserve {REAL} NOT NULL,
    min_trade_minor BIGINT NOT NULL,
    reinvest_dividends INTEGER NOT NULL,
    fractional INTEGER NOT NULL,
    gain_budget_minor BIGINT NOT NULL,
    client_confirm INTEGER NOT NULL,
    risk_level INTEGER NOT NULL,
    objective INTEGER NOT NULL,
    agent_name TEXT NOT NULL,
    effective INTEGER NOT NULL,
    user_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, version)
);

INSERT INTO mandates (account_id, version, model, discretionary, drift_band, band_rel,
                      to_band_edge, buy_only, tlh, loss_limit, restrictions, relief, cash_reserve,
                      min_trade_minor, reinvest_dividends, fractional, gain_budget_minor,
                      client_confirm, risk_level, objective, agent_name, effective, user_name,
                      reason, created_at)
SELECT id, 1, model, discretionary, drift_band, 0.25, 0, 0, tlh_enabled, loss_limit,
       restrictions, CASE WHEN type = 0 THEN 3 ELSE 0 END, 0.02, 0, 0, 0, -1, 0, 0, 0, '',
       0, 'migration', 'migrated at schema 7 from the account''s mandate', 0
FROM accounts;

CREATE TABLE ra_mandate_pending (
    firm_id BIGINT PRIMARY KEY REFERENCES firms(id)
);
INSERT INTO ra_mandate_pending (firm_id) SELECT DISTINCT firm_id FROM accounts;
