-- The intraday monitor (issue 13, `roboadvisor monitor`, docs/methodology.md#the-intraday-monitor).
--
-- monitor_runs: one run of the firm's rules on an intraday price snapshot, keyed by the day and
-- the snapshot's minute of the session (at_minute: minutes after local midnight). A run writes
-- its start (finished 0), its accounts in batches (each in one transaction with its firings,
-- proposals, orders, suspensions and notifications) and its end (finished 1, with the counts):
-- the same (day, at_minute) again does nothing. An operational record audited as entity
-- "monitor" (id "YYYY-MM-DD@HH:MM"), like the cycle's runs: not a state table.
CREATE TABLE monitor_runs (
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    day INTEGER NOT NULL,
    at_minute INTEGER NOT NULL,
    snapshot_hash TEXT NOT NULL,
    prices INTEGER NOT NULL,
    accounts BIGINT NOT NULL,
    firings BIGINT NOT NULL,
    proposals BIGINT NOT NULL,
    orders BIGINT NOT NULL,
    suspended BIGINT NOT NULL,
    finished INTEGER NOT NULL,
    PRIMARY KEY (firm_id, day, at_minute)
);

-- A firing's snapshot: at_minute the minute of the snapshot that triggered it (-1: the close),
-- price the snapshot's price of the security a move fired on (0: none) and value_minor the
-- account's value at the snapshot's prices (0 at the close: the day's daily value holds it).
ALTER TABLE rule_firings ADD COLUMN at_minute INTEGER NOT NULL DEFAULT -1;
ALTER TABLE rule_firings ADD COLUMN price BIGINT NOT NULL DEFAULT 0;
ALTER TABLE rule_firings ADD COLUMN value_minor BIGINT NOT NULL DEFAULT 0;

-- Several `monitor --worker` processes on one PostgreSQL share a snapshot's accounts as
-- `run-day --worker` shares a day's (0009_workers.sql): batches of whole households planned once
-- under the firm's lock, claimed with FOR UPDATE SKIP LOCKED. Operational, not audited.
CREATE TABLE monitor_batches (
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    day INTEGER NOT NULL,
    at_minute INTEGER NOT NULL,
    n INTEGER NOT NULL,
    first_ix BIGINT NOT NULL,
    end_ix BIGINT NOT NULL,
    first_account TEXT NOT NULL,
    last_account TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    worker TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (firm_id, day, at_minute, n)
);
