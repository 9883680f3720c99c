-- Scale-out of the daily cycle (issue 12): several `run-day --worker` processes share one
-- PostgreSQL database. The first worker of a firm's day (under a lock on the firm's row) cuts the
-- day's accounts into batches of whole households and stores them here; every worker then claims
-- the next batch not done with SELECT ... FOR UPDATE SKIP LOCKED, computes it, writes its
-- accounts and marks it done in the same transaction, so that a killed worker's batch is claimed
-- again (docs/methodology.md#the-daily-cycle). An operational table, not a business one: it is
-- not audited and holds no personal data. first_ix/end_ix are the batch's accounts in the book's
-- household order as the planner read it, first_account/last_account their codes (a worker
-- checks them, and finds the range by code when the book has changed since).

CREATE TABLE cycle_batches (
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    day INTEGER NOT NULL,
    n INTEGER NOT NULL,
    first_ix BIGINT NOT NULL,
    end_ix BIGINT NOT NULL,
    first_account TEXT NOT NULL,
    last_account TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    worker TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (firm_id, day, n)
);
