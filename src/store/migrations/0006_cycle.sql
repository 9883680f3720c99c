-- The daily cycle (issue 12): each trading day every account is marked to market (daily_values:
-- its value, cash, external flows and the day's time-weighted return, so performance is a query),
-- and an account that needs trades gets a proposal (proposals, one row per trade in
-- proposal_trades, with its reasons, lots, estimated gains, price and the date of that price);
-- a discretionary proposal, or an advisory one once approved, becomes orders. cycle_runs records
-- each run of a day (engine version, configuration hash, counts). Ids are deterministic
-- (docs/internals/cycle.md): re-running a day writes nothing new.
-- txns.gain_minor: the gain a sale realised on the book's basis (NULL: not a sale, or stored
-- before this migration); the cycle's wash-sale windows read it.

ALTER TABLE txns ADD COLUMN gain_minor BIGINT;
CREATE INDEX txns_day ON txns (day);

CREATE TABLE daily_values (
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    day INTEGER NOT NULL,
    value_minor BIGINT NOT NULL,
    cash_minor BIGINT NOT NULL,
    flow_minor BIGINT NOT NULL,
    twr {REAL},
    drift {REAL} NOT NULL,
    max_dev {REAL} NOT NULL,
    out_of_band INTEGER NOT NULL,
    held_back INTEGER NOT NULL,
    PRIMARY KEY (account_id, day)
){WITHOUT_ROWID};

CREATE TABLE cycle_runs (
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    day INTEGER NOT NULL,
    engine_version TEXT NOT NULL,
    config_hash TEXT NOT NULL,
    accounts BIGINT NOT NULL,
    proposals BIGINT NOT NULL,
    orders BIGINT NOT NULL,
    finished INTEGER NOT NULL,
    PRIMARY KEY (firm_id, day)
){WITHOUT_ROWID};

CREATE TABLE proposals (
    id {ID},
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    code TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    day INTEGER NOT NULL,
    status TEXT NOT NULL,
    discretionary INTEGER NOT NULL,
    engine_version TEXT NOT NULL,
    config_hash TEXT NOT NULL,
    value_minor BIGINT NOT NULL,
    drift_before {REAL} NOT NULL,
    drift_after {REAL} NOT NULL,
    max_dev_before {REAL} NOT NULL,
    max_dev_after {REAL} NOT NULL,
    held_back INTEGER NOT NULL,
    supersedes TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_reason TEXT NOT NULL,
    UNIQUE (firm_id, code)
);
CREATE INDEX proposals_day ON proposals (firm_id, day);

CREATE TABLE proposal_trades (
    proposal_id BIGINT NOT NULL REFERENCES proposals(id),
    n INTEGER NOT NULL,
    security_id BIGINT NOT NULL REFERENCES securities(id),
    side INTEGER NOT NULL,
    qty_micro BIGINT NOT NULL,
    price BIGINT NOT NULL,
    price_day INTEGER NOT NULL,
    value_minor BIGINT NOT NULL,
    reasons INTEGER NOT NULL,
    gain_short_minor BIGINT NOT NULL,
    gain_long_minor BIGINT NOT NULL,
    risk_level INTEGER NOT NULL,
    lots TEXT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (proposal_id, n)
){WITHOUT_ROWID};

CREATE TABLE orders (
    id {ID},
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    code TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    proposal_id BIGINT NOT NULL REFERENCES proposals(id),
    trade_n INTEGER NOT NULL,
    day INTEGER NOT NULL,
    security_id BIGINT NOT NULL REFERENCES securities(id),
    side INTEGER NOT NULL,
    qty_micro BIGINT NOT NULL,
    limit_price BIGINT NOT NULL,
    filled_micro BIGINT NOT NULL,
    status TEXT NOT NULL,
    UNIQUE (firm_id, code)
);
CREATE INDEX orders_day ON orders (firm_id, day);
CREATE INDEX orders_proposal ON orders (proposal_id);
CREATE INDEX orders_status ON orders (firm_id, status);
CREATE INDEX proposals_account ON proposals (account_id, status, day);
